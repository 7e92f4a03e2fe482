/*
 * stream.h (mock-private): the event-stream writer behind ConverseStream and
 * InvokeModelWithResponseStream.
 *
 * An operation hands the writer an event source (a small state machine that produces one
 * event at a time); the writer frames each event as it is produced (headers in Bedrock's
 * order :event-type, :content-type, :message-type; the "p" padding field appended to the
 * payload), paces events by --stream-delay-ms, and honours the in-stream faults of
 * resp->fault.stream (exception after event k, cut after event k, corrupt CRC of event k).
 * Nothing is built in memory ahead of the client: server.c pulls bytes through
 * resp->stream_fn with chunked transfer.
 *
 * Ownership: mock_stream_open takes the source's context (freed with its free_fn when the
 * response ends or is dropped). The writer runs on the connection's thread only.
 */
#ifndef MOCK_STREAM_H
#define MOCK_STREAM_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

#define MOCK_STREAM_CONTENT_TYPE "application/vnd.amazon.eventstream"
#define MOCK_STREAM_DEFAULT_CHUNK_CHARS 16u
/* Bedrock pads payloads with a prefix of this alphabet (docs/streaming.md). */
#define MOCK_STREAM_PADDING_ALPHABET "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

struct mock_stream_event {
    char type[48];  /* :event-type, "contentBlockDelta" */
    cJSON *payload; /* object; the writer takes ownership */
};

/* Fill `ev` with the next event and return true, or return false at the end. */
typedef bool (*mock_event_next_fn)(void *ctx, struct mock_stream_event *ev);

struct mock_event_source {
    mock_event_next_fn next;
    void *ctx;
    void (*free_fn)(void *ctx);
};

/* Make `resp` a 200 event stream fed by `src`, honouring resp->fault.stream as set now. */
void mock_stream_open(struct brk_mock *mock, struct mock_response *resp, struct mock_event_source src);

/* Length in bytes of the first `chars` UTF-8 code points of text[0..len). */
size_t mock_utf8_prefix(const char *text, size_t len, size_t chars);

/* Characters per text / tool-input delta: --stream-chunk-chars, or the default. */
size_t mock_stream_chunk_chars(const struct brk_mock *mock);

/* The ConverseStream event sequence of `reply` as a source. Moves the reply's contents into
 * the source (the caller's reply is left empty). False on allocation failure. */
struct mock_reply;
bool mock_converse_source(struct mock_reply *reply, size_t chunk_chars, struct mock_event_source *out);

#endif
