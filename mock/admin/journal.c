/* journal.c: the bounded request ring and its byte budget for bodies (see journal.h). */
#include "mock/admin/journal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "mock/admin/journal_body.h"

struct mock_journal {
    pthread_mutex_t lock;
    struct mock_journal_entry *ring;
    size_t capacity;
    size_t head; /* index of the oldest entry */
    size_t count;
    uint64_t total;
    uint64_t epoch;            /* bumped by every clear, so a stream of a cleared entry appends nowhere */
    size_t body_budget_bytes;  /* what all entries' bodies may hold together */
    size_t body_bytes;         /* what they hold now */
    size_t bodiless_prefix;    /* the oldest this many entries hold no bodies (where eviction resumes) */
    struct s_graveyard *grave; /* during mock_journal_add: where evicted memory waits for the unlock */
};

/* What mock_journal_add evicts, freed after the lock is released: freeing a 100 KB body (and
 * glibc consolidating around it) under the journal's lock held up every other connection
 * thread's request (docs/benchmarks.md). Past its size, memory is freed at once. */
#define S_GRAVE_MAX 16
struct s_graveyard {
    void *memory[S_GRAVE_MAX];
    cJSON *extra[S_GRAVE_MAX];
    size_t n_memory, n_extra;
};

static void s_bury_memory(struct mock_journal *j, void *p)
{
    if (p && j->grave && j->grave->n_memory < S_GRAVE_MAX) {
        j->grave->memory[j->grave->n_memory++] = p;
    } else {
        brk_free(p);
    }
}

static void s_bury_extra(struct mock_journal *j, cJSON *extra)
{
    if (extra && j->grave && j->grave->n_extra < S_GRAVE_MAX) {
        j->grave->extra[j->grave->n_extra++] = extra;
    } else {
        cJSON_Delete(extra);
    }
}

/* Bury a buffer's memory and leave it empty with its bound, as brk_buf_clean_up does. */
static void s_bury_buf(struct mock_journal *j, struct brk_buf *b)
{
    s_bury_memory(j, b->data);
    brk_buf_init(b, b->max_len);
}

static void s_empty_graveyard(struct s_graveyard *g)
{
    for (size_t i = 0; i < g->n_memory; i++) {
        brk_free(g->memory[i]);
    }
    for (size_t i = 0; i < g->n_extra; i++) {
        cJSON_Delete(g->extra[i]);
    }
}

struct mock_journal *mock_journal_new(size_t capacity, size_t body_budget_bytes)
{
    struct mock_journal *j = brk_calloc(1, sizeof(*j));
    if (!j) {
        return NULL;
    }
    j->capacity = capacity ? capacity : 1;
    j->body_budget_bytes = body_budget_bytes;
    j->ring = brk_calloc(j->capacity, sizeof(*j->ring));
    if (!j->ring) {
        brk_free(j);
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    return j;
}

size_t mock_journal_body_budget(const struct mock_journal *journal)
{
    return journal->body_budget_bytes; /* set once at creation: no lock needed */
}

static struct mock_journal_entry *s_at(struct mock_journal *j, size_t i)
{
    return &j->ring[(j->head + i) % j->capacity];
}

static bool s_has_bodies(const struct mock_journal_entry *e)
{
    return e->request_body.data || e->response_body.data;
}

/* Free an entry's bodies and give their bytes back to the budget; `evicted` flags the entry. */
static void s_free_bodies(struct mock_journal *j, struct mock_journal_entry *e, bool evicted)
{
    if (evicted && s_has_bodies(e)) {
        e->body_dropped = true;
    }
    j->body_bytes -= e->request_body.len + e->response_body.len;
    s_bury_buf(j, &e->request_body);
    s_bury_buf(j, &e->response_body);
}

static void s_free_entry(struct mock_journal *j, struct mock_journal_entry *e)
{
    s_bury_extra(j, e->extra);
    e->extra = NULL;
    s_free_bodies(j, e, false);
}

static void s_drop_all(struct mock_journal *j)
{
    for (size_t i = 0; i < j->count; i++) {
        s_free_entry(j, s_at(j, i));
    }
    j->head = 0;
    j->count = 0;
    j->bodiless_prefix = 0;
    j->epoch++;
}

void mock_journal_destroy(struct mock_journal *journal)
{
    if (!journal) {
        return;
    }
    s_drop_all(journal);
    pthread_mutex_destroy(&journal->lock);
    brk_free(journal->ring);
    brk_free(journal);
}

/* Drop the oldest entries' bodies until `need` more bytes fit the budget. False when they
 * cannot: more than the whole budget, or `self` (may be NULL) is the oldest left with bodies. */
static bool s_make_room(struct mock_journal *j, size_t need, const struct mock_journal_entry *self)
{
    if (need > j->body_budget_bytes) {
        return false;
    }
    size_t i = j->bodiless_prefix;
    for (; j->body_bytes + need > j->body_budget_bytes && i < j->count; i++) {
        struct mock_journal_entry *e = s_at(j, i);
        if (e == self) {
            break;
        }
        s_free_bodies(j, e, true);
    }
    /* Entries before i hold no bodies now, unless one is `self` (never passed). */
    j->bodiless_prefix = i;
    return j->body_bytes + need <= j->body_budget_bytes;
}

/* Admit a new entry's bodies, or drop them (flagged) when the budget cannot hold them. */
static void s_admit_bodies(struct mock_journal *j, struct mock_journal_entry *e)
{
    size_t need = e->request_body.len + e->response_body.len;
    if (!s_has_bodies(e)) {
        return;
    }
    if (!s_make_room(j, need, NULL)) {
        s_bury_buf(j, &e->request_body);
        s_bury_buf(j, &e->response_body);
        e->body_dropped = true;
        return;
    }
    j->body_bytes += need;
}

void mock_journal_add(struct mock_journal *journal, struct mock_journal_entry *entry, struct mock_journal_ref *ref)
{
    struct s_graveyard grave = {.n_memory = 0, .n_extra = 0};
    pthread_mutex_lock(&journal->lock);
    journal->grave = &grave;
    entry->seq = ++journal->total;
    if (journal->count == journal->capacity) {
        s_free_entry(journal, &journal->ring[journal->head]);
        journal->head = (journal->head + 1) % journal->capacity;
        journal->count--;
        journal->bodiless_prefix -= journal->bodiless_prefix > 0;
    }
    s_admit_bodies(journal, entry); /* evicts among the entries already in the ring */
    journal->ring[(journal->head + journal->count) % journal->capacity] = *entry;
    journal->count++;
    if (ref) {
        ref->epoch = journal->epoch;
        ref->seq = entry->seq;
    }
    entry->extra = NULL;
    memset(&entry->request_body, 0, sizeof(entry->request_body));
    memset(&entry->response_body, 0, sizeof(entry->response_body));
    journal->grave = NULL;
    pthread_mutex_unlock(&journal->lock);
    s_empty_graveyard(&grave);
}

/* The index of entry `ref` from the oldest, or -1 when it is gone. */
static long s_index_of(const struct mock_journal *j, const struct mock_journal_ref *ref)
{
    uint64_t first = j->total - j->count + 1;
    if (ref->epoch != j->epoch || ref->seq < first || ref->seq > j->total) {
        return -1;
    }
    return (long)(ref->seq - first);
}

/* Under the lock: append to entry i's response body within the budget, masking secrets. */
static bool s_append_locked(struct mock_journal *j, size_t i, const void *data, size_t len,
                            const struct mock_journal_secrets *secrets)
{
    struct mock_journal_entry *e = s_at(j, i);
    if (e->body_dropped) {
        return false;
    }
    if (i < j->bodiless_prefix) {
        j->bodiless_prefix = i; /* it may hold bodies from now on */
    }
    size_t old_len = e->response_body.len;
    e->response_body.max_len = j->body_budget_bytes; /* the budget is the bound, checked just below */
    if (!s_make_room(j, len, e) || brk_buf_append(&e->response_body, data, len) != BRK_OK) {
        s_free_bodies(j, e, true);
        e->body_dropped = true;
        return false;
    }
    j->body_bytes += len;
    mock_journal_mask(e->response_body.data, e->response_body.len, old_len, secrets);
    return true;
}

bool mock_journal_append_response(struct mock_journal *journal, const struct mock_journal_ref *ref, const void *data,
                                  size_t len, const struct mock_journal_secrets *secrets)
{
    pthread_mutex_lock(&journal->lock);
    long i = s_index_of(journal, ref);
    bool ok = i >= 0 && s_append_locked(journal, (size_t)i, data, len, secrets);
    pthread_mutex_unlock(&journal->lock);
    return ok;
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

/* "rules_fired": the ids of the scripted rules that fired (the rules stage records the one that
 * fires as extra "rule"; a list, so a reader need not care how many may fire). */
static void s_add_rules_fired(cJSON *o, const cJSON *extra)
{
    cJSON *list = cJSON_AddArrayToObject(o, "rules_fired");
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(extra, "rule"));
    if (list && rule) {
        cJSON_AddItemToArray(list, cJSON_CreateString(rule));
    }
}

static cJSON *s_entry_json(const struct mock_journal_entry *e, bool bodies)
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
    s_add_rules_fired(o, e->extra);
    if (bodies) {
        mock_journal_bodies_to_json(e, o);
    }
    return o;
}

cJSON *mock_journal_to_json(struct mock_journal *journal, const struct mock_journal_filter *filter)
{
    cJSON *arr = cJSON_CreateArray();
    size_t limit = filter && filter->limit ? filter->limit : SIZE_MAX;
    size_t n = 0;
    pthread_mutex_lock(&journal->lock);
    /* seq numbers the ring's entries consecutively: start right after since_seq. */
    uint64_t first = journal->total - journal->count + 1;
    uint64_t since = filter ? filter->since_seq : 0;
    size_t i = since >= first ? (size_t)(since - first + 1) : 0;
    for (; i < journal->count && n < limit; i++) {
        const struct mock_journal_entry *e = s_at(journal, i);
        if (s_matches(e, filter)) {
            cJSON_AddItemToArray(arr, s_entry_json(e, filter && filter->bodies));
            n++;
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
