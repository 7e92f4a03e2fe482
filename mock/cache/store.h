/*
 * store.h (mock-private): the simulated prompt cache, one store per server.
 *
 * An entry is a cached prefix: the 128-bit hash (brk_hash128, common/hash.h) of the canonical
 * form of everything before one cache point (mock/cache/plan.h), kept per account and per model, with the prefix's token
 * count, its TTL and its expiry on the mock clock. The store holds at most `max_entries`;
 * when full, an expired entry is replaced first, then the least recently used one.
 *
 * Thread-safety: every function locks the store; callers on libmicrohttpd's threads may
 * share it freely. Ownership: the store owns its entries; free with mock_cache_destroy.
 */
#ifndef MOCK_CACHE_H
#define MOCK_CACHE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

/* Entries kept when the configuration asks for 0 (docs/prompt-caching.md). */
#define MOCK_CACHE_DEFAULT_MAX_ENTRIES 10000u
#define MOCK_CACHE_HASH_LEN BRK_HASH128_LEN

struct mock_cache;

struct mock_cache_key {
    const char *account;
    const char *model;
    const unsigned char *hash; /* MOCK_CACHE_HASH_LEN bytes */
};

/* NULL when out of memory. max_entries 0 means MOCK_CACHE_DEFAULT_MAX_ENTRIES. */
struct mock_cache *mock_cache_new(size_t max_entries);

/* Accepts NULL. */
void mock_cache_destroy(struct mock_cache *cache);

/* Drop every entry. */
void mock_cache_clear(struct mock_cache *cache);

/* Read: when an unexpired entry matches `key`, restart its TTL from now_ms and return true
 * with its prefix tokens in *tokens (may be NULL). */
bool mock_cache_read(struct mock_cache *cache, const struct mock_cache_key *key, int64_t now_ms, uint64_t *tokens);

/* Peek: like mock_cache_read, but the TTL is left alone. */
bool mock_cache_peek(struct mock_cache *cache, const struct mock_cache_key *key, int64_t now_ms, uint64_t *tokens);

/* Write: store (or replace) the entry for `key`, living ttl_ms from now_ms. */
void mock_cache_write(struct mock_cache *cache, const struct mock_cache_key *key, uint64_t tokens, int64_t ttl_ms,
                      int64_t now_ms);

/* {"max_entries":N,"count":N,"entries":[{account, model, prefix_hash, prefix_tokens, ttl,
 * expires_at_ms, expires_in_ms}, ...]}: unexpired entries only, least recently used first. */
cJSON *mock_cache_to_json(struct mock_cache *cache, int64_t now_ms);

#endif
