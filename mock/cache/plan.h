/*
 * plan.h (mock-private): what a Converse request asks of the prompt cache.
 *
 * One pass of brk_converse_walk (tools -> system -> messages, the order Bedrock processes
 * them) feeds the shared scan (brk_cachepoint_scanner, common/cachepoint.h: where each
 * top-level cache point is, its TTL, the tokens of everything before it, what the placement
 * rules look at) and, in the same pass, hashes: for each cache point the 128-bit hash
 * (brk_hash128, common/hash.h: no adversary to resist in a local mock) of the canonical form
 * of everything before it. The canonical form prints each block with object
 * keys sorted, marks where each section and message starts (with the role), and leaves cache
 * points out, so the same prompt hashes the same whatever its key order and wherever its
 * other cache points sit. Each cache point also carries the prefixes ending at the
 * MOCK_CACHE_LOOKBACK content-block boundaries before it. The rules stage and the simulation
 * both read a plan (one per request, mock_request_cache_plan), so they always agree. A request
 * without any cache point gets an empty plan without hashing anything. Pure and thread-safe;
 * hashing allocates only to sort objects of more than 16 members.
 */
#ifndef MOCK_CACHE_PLAN_H
#define MOCK_CACHE_PLAN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cachepoint.h"
#include "bedrock/status.h"
#include "mock/cache/store.h"

/* Content-block boundaries before a cache point where Claude models also look for a cached
 * prefix ("simplified cache management", docs/prompt-caching.md). */
#define MOCK_CACHE_LOOKBACK 20

/* The prefix that ends at one content-block boundary. */
struct mock_cache_prefix {
    unsigned char hash[MOCK_CACHE_HASH_LEN];
    uint64_t tokens;
};

/* The hashes of one scanned cache point (plan->scan.points[i] is where and what it is). */
struct mock_cache_plan_point {
    unsigned char hash[MOCK_CACHE_HASH_LEN];                /* everything before it */
    struct mock_cache_prefix lookback[MOCK_CACHE_LOOKBACK]; /* earlier boundaries, newest first */
    size_t n_lookback;
};

struct mock_cache_plan {
    struct brk_cachepoint_list scan;                              /* every cache point, as the placement rules see it */
    struct mock_cache_plan_point points[BRK_CACHEPOINT_LIST_MAX]; /* parallel to scan.points */
    char nested[BRK_CACHEPOINT_LIST_MAX][128];                    /* cache points inside toolResult content */
    size_t n_nested;
};

/* Build the plan of a Converse/ConverseStream body, its tokens counted under `profile` (the
 * model's; NULL: generic). BRK_ERR_NOMEM when sorting a large object could not allocate; the plan is then
 * incomplete and must not be used. */
enum brk_status mock_cache_plan_build(const cJSON *request, const struct brk_token_profile *profile,
                                      struct mock_cache_plan *plan);

/* The plan of req's JSON body under its model's token profile, built on first use and kept in req->cache_plan (freed by
 * mock_request_clean_up), so the rules stage and the simulation share one walk. NULL when
 * out of memory. */
struct mock_request;
const struct mock_cache_plan *mock_request_cache_plan(struct mock_request *req);

#endif
