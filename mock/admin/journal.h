/*
 * journal.h (mock-private): a bounded ring of every request the mock answered, so tests can
 * assert on what their code sent (attempt counts, cache points, accounts) after the fact.
 *
 * Each entry may also keep the raw bytes of its request and response bodies (journal_body.h
 * copies them in, bounded; they are decoded only when GET /_mock/requests?bodies=1 reads
 * them). All entries' bodies together stay under a byte budget: the oldest entries' bodies are
 * dropped first, and the entry says so (body_dropped). The ring of entries itself does not
 * depend on the budget.
 *
 * Thread-safe: one mutex guards the ring and the bodies. Ownership: mock_journal_add copies the
 * entry's strings and takes ownership of entry->extra and of the entry's bodies.
 */
#ifndef MOCK_JOURNAL_H
#define MOCK_JOURNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"

struct mock_journal_entry {
    uint64_t seq;        /* 1-based request number since start (or last clear) */
    int64_t time_ms;     /* mock clock when the request arrived */
    int64_t duration_us; /* time the mock took to answer */
    char request_id[37];
    char method[16];
    char path[512];
    char operation[48];
    char model_id[512];
    char account[128];
    char auth[64];
    int status;
    char error_code[64];
    char error_message[256];
    char invocation_id[80]; /* amz-sdk-invocation-id */
    char sdk_request[64];   /* amz-sdk-request, "attempt=2; max=3" */
    int attempt;            /* parsed from sdk_request; 0 when absent */
    int max_attempts;       /* parsed from sdk_request; 0 when absent */
    unsigned cache_points_system;
    unsigned cache_points_tools;
    unsigned cache_points_messages;
    cJSON *extra; /* stage details (cache outcome, matched rule); may be NULL */

    /* Bodies (docs/admin-api.md, "Bodies"): raw bytes as received and as answered, secrets
     * already masked (journal_body.h). An event-stream answer grows while it is sent. */
    struct brk_buf request_body;
    struct brk_buf response_body;
    bool response_stream; /* response_body holds application/vnd.amazon.eventstream bytes */
    bool body_dropped;    /* the byte budget evicted this entry's bodies, or never admitted them */
};

/* Names one entry across a clear (which restarts seq): an append to a cleared entry finds
 * nothing. */
struct mock_journal_ref {
    uint64_t epoch;
    uint64_t seq;
};

struct mock_journal_filter {
    const char *operation;     /* NULL = any */
    const char *model_id;      /* NULL = any */
    const char *invocation_id; /* NULL = any */
    const char *account;       /* NULL = any */
    uint64_t since_seq;        /* only entries with seq > since_seq (0 = all) */
    size_t limit;              /* at most this many, the oldest that match (0 = no limit) */
    bool bodies;               /* add request_body, response_status, response_body */
};

struct mock_journal;

/* A ring of `capacity` entries whose bodies together keep at most `body_budget_bytes` bytes
 * (0: keep no bodies). */
struct mock_journal *mock_journal_new(size_t capacity, size_t body_budget_bytes);
void mock_journal_destroy(struct mock_journal *journal);

/* The byte budget for bodies; 0 when the journal keeps none. */
size_t mock_journal_body_budget(const struct mock_journal *journal);

/* Append an entry, dropping the oldest when full, and make room for its bodies within the
 * budget (dropping the oldest entries' bodies first; an entry whose bodies alone exceed the
 * budget keeps none). Assigns entry->seq; `ref` (may be NULL) receives the entry's reference. */
void mock_journal_add(struct mock_journal *journal, struct mock_journal_entry *entry, struct mock_journal_ref *ref);

/* Append bytes to the response body of entry `ref` (an event stream as it is sent), making
 * room as mock_journal_add does, and mask `secrets` (journal_body.h) in what may now contain
 * one. False when the entry is gone or its bodies were dropped: the caller stops appending. */
struct mock_journal_secrets;
bool mock_journal_append_response(struct mock_journal *journal, const struct mock_journal_ref *ref, const void *data,
                                  size_t len, const struct mock_journal_secrets *secrets);

/* Entries matching `filter`, oldest first, as a JSON array (caller frees with cJSON_Delete).
 * With filter->bodies the bodies are decoded here, under the journal's lock. */
cJSON *mock_journal_to_json(struct mock_journal *journal, const struct mock_journal_filter *filter);

/* Number of entries kept, and the total ever added since the last clear. */
size_t mock_journal_count(struct mock_journal *journal);
uint64_t mock_journal_total(struct mock_journal *journal);

void mock_journal_clear(struct mock_journal *journal);

/* Parse "attempt=N; max=M" (either part optional). */
void mock_journal_parse_sdk_request(const char *value, int *attempt, int *max_attempts);

#endif
