/*
 * response.h (mock-private): what the pipeline answers: a status, headers and a body (or a
 * streamed body), the faults a rule asked for, and the details stages add to the journal.
 *
 * Ownership: the caller of mock_dispatch initialises and cleans up the response; the body,
 * the stream context (freed with stream_free) and journal_extra belong to it until the
 * transport has sent it and the journal has taken journal_extra.
 */
#ifndef MOCK_PIPELINE_RESPONSE_H
#define MOCK_PIPELINE_RESPONSE_H

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/aws_error.h"
#include "bedrock/buf.h"
#include "mock/pipeline/request.h"

/* Faults inside an event stream, set by a rule, honoured by the stream writers.
 * Event numbers count from 1; 0 means "not asked for". */
struct mock_stream_fault {
    unsigned exception_after_event;             /* send an exception event after event k */
    const struct brk_aws_error_info *exception; /* which one (its stream_member names the event) */
    char exception_message[512];                /* "" = the table's default message */
    unsigned cut_after_event;                   /* close the connection after event k */
    unsigned corrupt_crc_event;                 /* flip a bit of event k's message CRC */
};

/* Tokens a model answer used (docs/tokens.md); `known` is false until a reply is built. */
struct mock_usage_report {
    bool known;
    uint64_t input_tokens;
    uint64_t output_tokens;
    uint64_t cache_read_tokens;
    uint64_t cache_write_tokens;
};

/* How to misbehave when answering: set by the rules stage from the fired rule, read by the
 * transports (http/) and the stream writers (ops/stream.c). */
struct mock_fault {
    uint64_t delay_ms;               /* wait before answering */
    bool close_before_reply;         /* drop the connection without answering */
    int64_t close_after_bytes;       /* >= 0: cut the body after this many bytes; -1: no cut */
    struct mock_stream_fault stream; /* in-stream faults */
};

/* A streaming body producer: write at most `max` bytes into buf at stream offset `pos`.
 * Return bytes written, 0 at the end, or -1 to abort the connection. */
typedef long (*mock_stream_fn)(void *ctx, uint64_t pos, char *buf, size_t max);

struct mock_response {
    int status;
    char content_type[96];
    struct brk_buf body;
    struct mock_header headers[16];
    size_t n_headers;
    const struct brk_aws_error_info *error; /* set for error responses */
    char error_message[1024];

    /* Streaming responses (ConverseStream, InvokeModelWithResponseStream). */
    mock_stream_fn stream_fn;
    void *stream_ctx;
    void (*stream_free)(void *ctx);

    /* How to misbehave, as a rule asked (the transports and stream writers honour it). */
    struct mock_fault fault;

    /* What the answer uses, set by the operations that build a model reply
     * (mock_converse_build_reply); the quota settlement reads it. */
    struct mock_usage_report usage;

    /* Details the stages add to the journal entry (an object whose members are merged into
     * the entry); owned, moved into the journal when the request is recorded. */
    cJSON *journal_extra;
};

/* ---- response helpers (response.c) ---- */
void mock_response_init(struct mock_response *resp);
void mock_response_clean_up(struct mock_response *resp);
void mock_response_add_header(struct mock_response *resp, const char *name, const char *value);

/* Turn `resp` into a Bedrock error: status of the error shape, x-amzn-ErrorType, and body
 * {"message":"..."}; `message` NULL uses the table's default message. */
void mock_response_error(struct mock_response *resp, enum brk_aws_error id, const char *message);

/* printf-style variant of mock_response_error. */
void mock_response_errorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a va_list, for helpers that fail with their own printf-style signature. */
void mock_response_verrorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Like mock_response_error, for a message longer than error_message (Coral quotes whole
 * values and patterns): the body carries all `len` bytes, error_message a cut copy. */
void mock_response_error_text(struct mock_response *resp, enum brk_aws_error id, const char *text, size_t len);

/* A JSON reply with `status` (200, or 201 for a created admin resource): `json` printed into
 * the body (the content type stays the response's, application/json from mock_response_init);
 * a failure to print becomes a 500 InternalServerException. Takes ownership of nothing. */
void mock_response_json(struct mock_response *resp, int status, const cJSON *json);

/* Add member `name` to resp->journal_extra (created on first use), replacing one of the same
 * name; takes ownership of `item`. The one way stages record details for the journal. */
void mock_journal_extra_add(struct mock_response *resp, const char *name, cJSON *item);

#endif
