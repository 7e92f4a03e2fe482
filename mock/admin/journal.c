/* journal.c: the bounded request ring (see journal.h). */
#include "mock/admin/journal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct mock_journal {
    pthread_mutex_t lock;
    struct mock_journal_entry *ring;
    size_t capacity;
    size_t head; /* index of the oldest entry */
    size_t count;
    uint64_t total;
};

struct mock_journal *mock_journal_new(size_t capacity)
{
    struct mock_journal *j = calloc(1, sizeof(*j));
    if (!j) {
        return NULL;
    }
    j->capacity = capacity ? capacity : 1;
    j->ring = calloc(j->capacity, sizeof(*j->ring));
    if (!j->ring) {
        free(j);
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    return j;
}

static void s_drop_all(struct mock_journal *j)
{
    for (size_t i = 0; i < j->count; i++) {
        struct mock_journal_entry *e = &j->ring[(j->head + i) % j->capacity];
        cJSON_Delete(e->extra);
        e->extra = NULL;
    }
    j->head = 0;
    j->count = 0;
}

void mock_journal_destroy(struct mock_journal *journal)
{
    if (!journal) {
        return;
    }
    s_drop_all(journal);
    pthread_mutex_destroy(&journal->lock);
    free(journal->ring);
    free(journal);
}

void mock_journal_add(struct mock_journal *journal, struct mock_journal_entry *entry)
{
    pthread_mutex_lock(&journal->lock);
    entry->seq = ++journal->total;
    size_t slot;
    if (journal->count == journal->capacity) {
        slot = journal->head;
        cJSON_Delete(journal->ring[slot].extra);
        journal->head = (journal->head + 1) % journal->capacity;
    } else {
        slot = (journal->head + journal->count) % journal->capacity;
        journal->count++;
    }
    journal->ring[slot] = *entry;
    entry->extra = NULL;
    pthread_mutex_unlock(&journal->lock);
}

static bool s_matches(const struct mock_journal_entry *e, const struct mock_journal_filter *f)
{
    if (!f) {
        return true;
    }
    return (!f->operation || strcmp(f->operation, e->operation) == 0) &&
           (!f->model_id || strcmp(f->model_id, e->model_id) == 0) &&
           (!f->invocation_id || strcmp(f->invocation_id, e->invocation_id) == 0) &&
           (!f->account || strcmp(f->account, e->account) == 0);
}

static void s_add_str_or_null(cJSON *obj, const char *name, const char *value)
{
    if (value[0]) {
        cJSON_AddStringToObject(obj, name, value);
    } else {
        cJSON_AddNullToObject(obj, name);
    }
}

static cJSON *s_entry_json(const struct mock_journal_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)e->seq);
    cJSON_AddNumberToObject(o, "time_ms", (double)e->time_ms);
    cJSON_AddNumberToObject(o, "duration_us", (double)e->duration_us);
    cJSON_AddStringToObject(o, "request_id", e->request_id);
    cJSON_AddStringToObject(o, "method", e->method);
    cJSON_AddStringToObject(o, "path", e->path);
    cJSON_AddStringToObject(o, "operation", e->operation);
    s_add_str_or_null(o, "model_id", e->model_id);
    cJSON_AddStringToObject(o, "account", e->account);
    cJSON_AddStringToObject(o, "auth", e->auth);
    cJSON_AddNumberToObject(o, "status", e->status);
    s_add_str_or_null(o, "error_code", e->error_code);
    s_add_str_or_null(o, "error_message", e->error_message);
    s_add_str_or_null(o, "invocation_id", e->invocation_id);
    s_add_str_or_null(o, "sdk_request", e->sdk_request);
    cJSON_AddNumberToObject(o, "attempt", e->attempt);
    cJSON_AddNumberToObject(o, "max_attempts", e->max_attempts);
    cJSON *cp = cJSON_AddObjectToObject(o, "cache_points");
    cJSON_AddNumberToObject(cp, "system", e->cache_points_system);
    cJSON_AddNumberToObject(cp, "tools", e->cache_points_tools);
    cJSON_AddNumberToObject(cp, "messages", e->cache_points_messages);
    cJSON_AddNumberToObject(cp, "total", e->cache_points_system + e->cache_points_tools + e->cache_points_messages);
    if (e->extra) {
        const cJSON *item = NULL;
        cJSON_ArrayForEach(item, e->extra)
        {
            cJSON_AddItemToObject(o, item->string, cJSON_Duplicate(item, 1));
        }
    }
    return o;
}

cJSON *mock_journal_to_json(struct mock_journal *journal, const struct mock_journal_filter *filter)
{
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&journal->lock);
    for (size_t i = 0; i < journal->count; i++) {
        const struct mock_journal_entry *e = &journal->ring[(journal->head + i) % journal->capacity];
        if (s_matches(e, filter)) {
            cJSON_AddItemToArray(arr, s_entry_json(e));
        }
    }
    pthread_mutex_unlock(&journal->lock);
    return arr;
}

size_t mock_journal_count(struct mock_journal *journal)
{
    pthread_mutex_lock(&journal->lock);
    size_t n = journal->count;
    pthread_mutex_unlock(&journal->lock);
    return n;
}

uint64_t mock_journal_total(struct mock_journal *journal)
{
    pthread_mutex_lock(&journal->lock);
    uint64_t n = journal->total;
    pthread_mutex_unlock(&journal->lock);
    return n;
}

void mock_journal_clear(struct mock_journal *journal)
{
    pthread_mutex_lock(&journal->lock);
    s_drop_all(journal);
    journal->total = 0;
    pthread_mutex_unlock(&journal->lock);
}

void mock_journal_parse_sdk_request(const char *value, int *attempt, int *max_attempts)
{
    *attempt = 0;
    *max_attempts = 0;
    if (!value) {
        return;
    }
    const char *a = strstr(value, "attempt=");
    const char *m = strstr(value, "max=");
    if (a) {
        *attempt = (int)strtol(a + 8, NULL, 10);
    }
    if (m) {
        *max_attempts = (int)strtol(m + 4, NULL, 10);
    }
}
