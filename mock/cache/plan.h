/*
 * plan.h (mock-private): what a Converse request asks of the prompt cache.
 *
 * One pass of brk_converse_walk (tools -> system -> messages, the order Bedrock processes
 * them) finds every top-level cache point and records, for each: where it is, the tokens of
 * everything before it (the one estimator, through the walk), and the SHA-256 of the
 * canonical form of everything before it. The canonical form prints each block with object
 * keys sorted, marks where each section and message starts (with the role), and leaves cache
 * points out, so the same prompt hashes the same whatever its key order and wherever its
 * other cache points sit. Each cache point also carries the prefixes ending at the
 * MOCK_CACHE_LOOKBACK content-block boundaries before it. The rules stage and the simulation
 * both read a plan (one per request, mock_request_cache_plan), so they always agree. A request
 * without any cache point gets an empty plan without hashing anything. Pure and thread-safe.
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
#include "common/converse_walk.h"

/* Cache points examined one by one; more than BRK_CACHEPOINT_MAX is an error anyway, so the
 * rest are only counted. */
#define MOCK_CACHE_PLAN_MAX 16

/* Content-block boundaries before a cache point where Claude models also look for a cached
 * prefix ("simplified cache management", docs/prompt-caching.md). */
#define MOCK_CACHE_LOOKBACK 20

/* The prefix that ends at one content-block boundary. */
struct mock_cache_prefix {
    unsigned char hash[MOCK_CACHE_HASH_LEN];
    uint64_t tokens;
};

struct mock_cache_plan_point {
    enum brk_walk_section section;
    int message_index;            /* -1 outside messages */
    int block_index;              /* index in its list (tools, system or the message content) */
    char location[96];            /* "system[1]", "toolConfig.tools[3]", "messages[2].content[0]" */
    char member_path[128];        /* Coral's 1-based path: "system.2.member.cachePoint" */
    char anthropic_path[64];      /* the block Anthropic attaches it to: "messages.3.content.0" */
    const cJSON *cache_point;     /* the "cachePoint" object */
    enum brk_cachepoint_ttl ttl;
    uint64_t prefix_tokens;       /* tokens of everything before it */
    unsigned char hash[MOCK_CACHE_HASH_LEN];
    bool first_in_list;           /* nothing cacheable before it in its own list: no block, or only
                                   * documents and videos */
    bool after_reasoning;         /* the block right before it is a reasoningContent block */
    struct mock_cache_prefix lookback[MOCK_CACHE_LOOKBACK]; /* earlier boundaries, newest first */
    size_t n_lookback;
};

struct mock_cache_plan {
    struct mock_cache_plan_point points[MOCK_CACHE_PLAN_MAX];
    size_t n_points;              /* examined, <= MOCK_CACHE_PLAN_MAX */
    unsigned total_points;        /* every top-level cache point */
    uint64_t total_tokens;        /* tokens of the whole input */
    char nested[MOCK_CACHE_PLAN_MAX][128]; /* cache points inside toolResult content */
    size_t n_nested;
};

/* Build the plan of a Converse/ConverseStream body. BRK_ERR_NOMEM when hashing could not
 * allocate; the plan is then incomplete and must not be used. */
enum brk_status mock_cache_plan_build(const cJSON *request, struct mock_cache_plan *plan);

/* The plan of req's JSON body, built on first use and kept in req->cache_plan (freed by
 * mock_request_clean_up), so the rules stage and the simulation share one walk. NULL when
 * out of memory. */
struct mock_request;
const struct mock_cache_plan *mock_request_cache_plan(struct mock_request *req);

#endif
