/* store.c: the simulated prompt-cache store (see store.h). */
#include "mock/cache/store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cachepoint.h"

struct s_entry {
    char account[128];
    char model[128];
    unsigned char hash[MOCK_CACHE_HASH_LEN];
    uint64_t tokens;
    int64_t ttl_ms;
    int64_t expires_ms;
    uint64_t last_used; /* store-wide counter, for least-recently-used eviction */
    bool used;
    size_t next; /* next entry in the same index bucket, S_NONE at the end */
};

/* Lookups go through a chained index on the prefix hash: a Claude request asks about up to
 * 21 prefixes per cache point (its own and MOCK_CACHE_LOOKBACK earlier ones), and scanning a
 * full store for each cost more than the rest of the request (bench/bench_pipeline). */
#define S_NONE SIZE_MAX

struct mock_cache {
    pthread_mutex_t lock;
    struct s_entry *entries;
    size_t max_entries;
    size_t *buckets;  /* n_buckets heads of entry chains */
    size_t n_buckets; /* a power of two, at least 2 * max_entries */
    uint64_t tick;
    /* What lets a write find its slot without scanning the store (a scan per write cost a
     * store of 10,000 entries 10,000 reads): entries are only ever freed all at once (clear),
     * so the unused ones are exactly those from `unused_from` on; and no entry expires before
     * `expiry_floor`, a lower bound of every used entry's expiry (a hit only moves one later). */
    size_t unused_from;
    int64_t expiry_floor;
};

static void s_index_reset(struct mock_cache *cache)
{
    for (size_t i = 0; i < cache->n_buckets; i++) {
        cache->buckets[i] = S_NONE;
    }
}

static size_t s_bucket(const struct mock_cache *cache, const unsigned char *hash)
{
    uint64_t h = 0;
    memcpy(&h, hash, sizeof(h)); /* brk_hash128's digest bytes are already well mixed */
    return (size_t)(h & (cache->n_buckets - 1));
}

static void s_link(struct mock_cache *cache, struct s_entry *e)
{
    size_t b = s_bucket(cache, e->hash);
    e->next = cache->buckets[b];
    cache->buckets[b] = (size_t)(e - cache->entries);
}

static void s_unlink(struct mock_cache *cache, struct s_entry *e)
{
    size_t self = (size_t)(e - cache->entries);
    for (size_t *at = &cache->buckets[s_bucket(cache, e->hash)]; *at != S_NONE; at = &cache->entries[*at].next) {
        if (*at == self) {
            *at = e->next;
            return;
        }
    }
}

struct mock_cache *mock_cache_new(size_t max_entries)
{
    struct mock_cache *cache = calloc(1, sizeof(*cache));
    if (!cache) {
        return NULL;
    }
    cache->max_entries = max_entries ? max_entries : MOCK_CACHE_DEFAULT_MAX_ENTRIES;
    cache->n_buckets = 16;
    while (cache->n_buckets < 2 * cache->max_entries && cache->n_buckets < SIZE_MAX / 4) {
        cache->n_buckets *= 2;
    }
    cache->entries = calloc(cache->max_entries, sizeof(*cache->entries));
    cache->buckets = calloc(cache->n_buckets, sizeof(*cache->buckets));
    if (!cache->entries || !cache->buckets) {
        free(cache->entries);
        free(cache->buckets);
        free(cache);
        return NULL;
    }
    s_index_reset(cache);
    cache->expiry_floor = INT64_MAX;
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void mock_cache_destroy(struct mock_cache *cache)
{
    if (!cache) {
        return;
    }
    pthread_mutex_destroy(&cache->lock);
    free(cache->entries);
    free(cache->buckets);
    free(cache);
}

void mock_cache_clear(struct mock_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    memset(cache->entries, 0, cache->max_entries * sizeof(*cache->entries));
    s_index_reset(cache);
    cache->unused_from = 0;
    cache->expiry_floor = INT64_MAX;
    pthread_mutex_unlock(&cache->lock);
}

static bool s_matches(const struct s_entry *e, const struct mock_cache_key *key)
{
    return e->used && memcmp(e->hash, key->hash, MOCK_CACHE_HASH_LEN) == 0 && strcmp(e->account, key->account) == 0 &&
           strcmp(e->model, key->model) == 0;
}

static struct s_entry *s_find(struct mock_cache *cache, const struct mock_cache_key *key)
{
    for (size_t i = cache->buckets[s_bucket(cache, key->hash)]; i != S_NONE; i = cache->entries[i].next) {
        if (s_matches(&cache->entries[i], key)) {
            return &cache->entries[i];
        }
    }
    return NULL;
}

static bool s_lookup(struct mock_cache *cache, const struct mock_cache_key *key, int64_t now_ms, bool refresh,
                     uint64_t *tokens)
{
    bool hit = false;
    pthread_mutex_lock(&cache->lock);
    struct s_entry *e = s_find(cache, key);
    if (e && e->expires_ms > now_ms) {
        if (refresh) {
            e->expires_ms = now_ms + e->ttl_ms; /* a hit restarts the TTL */
            e->last_used = ++cache->tick;
        }
        if (tokens) {
            *tokens = e->tokens;
        }
        hit = true;
    }
    pthread_mutex_unlock(&cache->lock);
    return hit;
}

bool mock_cache_read(struct mock_cache *cache, const struct mock_cache_key *key, int64_t now_ms, uint64_t *tokens)
{
    return s_lookup(cache, key, now_ms, true, tokens);
}

bool mock_cache_peek(struct mock_cache *cache, const struct mock_cache_key *key, int64_t now_ms, uint64_t *tokens)
{
    return s_lookup(cache, key, now_ms, false, tokens);
}

/* The slot for a new entry: the first (in slot order) that is free or expired, else the least
 * recently used. While nothing can have expired that is the first unused slot, found without a
 * scan; a scan that finds nothing expired tightens the expiry floor to the true earliest. */
static struct s_entry *s_victim(struct mock_cache *cache, int64_t now_ms)
{
    if (now_ms < cache->expiry_floor && cache->unused_from < cache->max_entries) {
        return &cache->entries[cache->unused_from++];
    }
    struct s_entry *lru = &cache->entries[0];
    int64_t earliest = INT64_MAX;
    for (size_t i = 0; i < cache->max_entries; i++) {
        struct s_entry *e = &cache->entries[i];
        if (!e->used || e->expires_ms <= now_ms) {
            cache->unused_from += i >= cache->unused_from ? i + 1 - cache->unused_from : 0;
            return e;
        }
        earliest = e->expires_ms < earliest ? e->expires_ms : earliest;
        if (e->last_used < lru->last_used) {
            lru = e;
        }
    }
    cache->expiry_floor = earliest; /* the LRU's expiry leaves with it: still a lower bound */
    return lru;
}

/* A key's text into an entry's field, cut to fit as before (snprintf's "%s"), without the
 * formatting machinery. */
static void s_copy(char *dst, size_t len, const char *src)
{
    size_t n = src ? strnlen(src, len - 1) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void mock_cache_write(struct mock_cache *cache, const struct mock_cache_key *key, uint64_t tokens, int64_t ttl_ms,
                      int64_t now_ms)
{
    pthread_mutex_lock(&cache->lock);
    struct s_entry *e = s_find(cache, key);
    if (!e) {
        e = s_victim(cache, now_ms);
        if (e->used) {
            s_unlink(cache, e);
        }
        s_copy(e->account, sizeof(e->account), key->account); /* every field is set: no memset */
        s_copy(e->model, sizeof(e->model), key->model);
        memcpy(e->hash, key->hash, MOCK_CACHE_HASH_LEN);
        e->used = true;
        s_link(cache, e);
    }
    e->tokens = tokens;
    e->ttl_ms = ttl_ms;
    e->expires_ms = now_ms + ttl_ms;
    cache->expiry_floor = e->expires_ms < cache->expiry_floor ? e->expires_ms : cache->expiry_floor;
    e->last_used = ++cache->tick;
    pthread_mutex_unlock(&cache->lock);
}

static cJSON *s_entry_json(const struct s_entry *e, int64_t now_ms)
{
    char hex[MOCK_CACHE_HASH_LEN * 2 + 1];
    for (int i = 0; i < MOCK_CACHE_HASH_LEN; i++) {
        snprintf(hex + 2 * i, 3, "%02x", e->hash[i]);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "account", e->account);
    cJSON_AddStringToObject(o, "model", e->model);
    cJSON_AddStringToObject(o, "prefix_hash", hex);
    cJSON_AddNumberToObject(o, "prefix_tokens", (double)e->tokens);
    cJSON_AddStringToObject(o, "ttl", e->ttl_ms == BRK_CACHEPOINT_TTL_1H_MS ? "1h" : "5m");
    cJSON_AddNumberToObject(o, "expires_at_ms", (double)e->expires_ms);
    cJSON_AddNumberToObject(o, "expires_in_ms", (double)(e->expires_ms - now_ms));
    return o;
}

static int s_by_last_used(const void *a, const void *b)
{
    const struct s_entry *x = *(const struct s_entry *const *)a;
    const struct s_entry *y = *(const struct s_entry *const *)b;
    return x->last_used < y->last_used ? -1 : x->last_used > y->last_used;
}

cJSON *mock_cache_to_json(struct mock_cache *cache, int64_t now_ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    pthread_mutex_lock(&cache->lock);
    const struct s_entry **live = calloc(cache->max_entries, sizeof(*live));
    size_t n = 0;
    for (size_t i = 0; live && i < cache->max_entries; i++) {
        const struct s_entry *e = &cache->entries[i];
        if (e->used && e->expires_ms > now_ms) {
            live[n++] = e;
        }
    }
    if (n) {
        qsort(live, n, sizeof(*live), s_by_last_used);
    }
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(list, s_entry_json(live[i], now_ms));
    }
    pthread_mutex_unlock(&cache->lock);
    free(live);
    cJSON_AddNumberToObject(o, "max_entries", (double)cache->max_entries);
    cJSON_AddNumberToObject(o, "count", (double)n);
    cJSON_AddItemToObject(o, "entries", list);
    return o;
}
