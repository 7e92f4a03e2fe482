/*
 * journal.h (mock-private): a bounded ring of every request the mock answered, so tests can
 * assert on what their code sent (attempt counts, cache points, accounts) after the fact.
 *
 * Thread-safe: one mutex guards the ring. Ownership: mock_journal_add copies the entry's
 * strings and takes ownership of entry->extra.
 */
#ifndef MOCK_JOURNAL_H
#define MOCK_JOURNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

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
};

struct mock_journal_filter {
    const char *operation;     /* NULL = any */
    const char *model_id;      /* NULL = any */
    const char *invocation_id; /* NULL = any */
    const char *account;       /* NULL = any */
};

struct mock_journal;

struct mock_journal *mock_journal_new(size_t capacity);
void mock_journal_destroy(struct mock_journal *journal);

/* Append an entry, dropping the oldest when full. Assigns entry->seq. */
void mock_journal_add(struct mock_journal *journal, struct mock_journal_entry *entry);

/* Entries matching `filter`, oldest first, as a JSON array (caller frees with cJSON_Delete). */
cJSON *mock_journal_to_json(struct mock_journal *journal, const struct mock_journal_filter *filter);

/* Number of entries kept, and the total ever added since the last clear. */
size_t mock_journal_count(struct mock_journal *journal);
uint64_t mock_journal_total(struct mock_journal *journal);

void mock_journal_clear(struct mock_journal *journal);

/* Parse "attempt=N; max=M" (either part optional). */
void mock_journal_parse_sdk_request(const char *value, int *attempt, int *max_attempts);

#endif
