/*
 * es_events.h: test-only helper that decodes a whole event-stream body into a list of
 * events (message type, event/exception type, header order, parsed JSON payload), so stream
 * tests assert on meaning instead of bytes.
 */
#ifndef TESTS_ES_EVENTS_H
#define TESTS_ES_EVENTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "bedrock/status.h"

#define TH_MAX_EVENTS 512

struct th_event {
    char message_type[16];  /* "event" / "exception" */
    char type[64];          /* :event-type or :exception-type */
    char header_order[128]; /* header names joined by ',' */
    cJSON *payload;         /* parsed JSON payload (NULL if not JSON) */
};

struct th_events {
    struct th_event ev[TH_MAX_EVENTS];
    size_t n;
    enum brk_status end; /* BRK_OK when the body ended on a message boundary */
    size_t trailing;     /* bytes of a partial message at the end */
};

/* Decode `len` bytes; always returns (errors are recorded in out->end). */
void th_events_decode(const char *body, size_t len, struct th_events *out);

/* Concatenate delta.<member>.<field> strings of contentBlockDelta events for block `index`
 * (member NULL: delta.<field>). Caller frees. */
char *th_events_join(const struct th_events *evs, int index, const char *member, const char *field);

void th_events_free(struct th_events *evs);

/* The `chunk` events of an InvokeModelWithResponseStream body, each {"bytes": base64(JSON)}
 * decoded and parsed into out[] (at most `max`; the caller deletes them); Criterion-asserts
 * that every event is a chunk and the body ends on a message boundary. Returns how many. */
size_t th_invoke_chunks(const char *body, size_t len, cJSON **out, size_t max);

#endif
