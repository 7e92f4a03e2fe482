/*
 * cachepoint.h: facts about Converse cache points shared by the mock (which enforces and
 * simulates them) and the client (which places and trims them).
 *
 * A cache point is a standalone block {"cachePoint":{"type":"default"[,"ttl":"5m"|"1h"]}}
 * in `system`, `toolConfig.tools` or a message's `content`; Bedrock accepts at most
 * BRK_CACHEPOINT_MAX of them per request, counted across all three. Every message text below
 * is Bedrock's own, with its source in docs/prompt-caching.md. Pure functions; thread-safe.
 */
#ifndef BEDROCK_CACHEPOINT_H
#define BEDROCK_CACHEPOINT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define BRK_CACHEPOINT_MAX 4

/* How long an entry lives after its last write or read. */
#define BRK_CACHEPOINT_TTL_5M_MS (5LL * 60 * 1000)
#define BRK_CACHEPOINT_TTL_1H_MS (60LL * 60 * 1000)

/* ---- Bedrock's messages (docs/prompt-caching.md gives the source of each) ---- */

/* More than BRK_CACHEPOINT_MAX cache points; %u is the number found. */
#define BRK_CACHEPOINT_MSG_TOO_MANY                                                               \
    "The model returned the following errors: A maximum of 4 blocks with cache_control may be "  \
    "provided. Found %u."
/* A cache point directly after a reasoningContent block. */
#define BRK_CACHEPOINT_MSG_AFTER_REASONING                                                        \
    "Cache point cannot be inserted after reasoning block. Please remove the invalid cache point " \
    "and try again."
/* A cache point with nothing to cache before it (and, optionally, a prefix below the minimum). */
#define BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE                                                       \
    "There is nothing available to cache. Please remove the invalid cache point and try again."
/* Nova: a cache point in toolConfig.tools; %d is its index there. */
#define BRK_CACHEPOINT_MSG_NOT_IN_TOOLS                                                           \
    "Malformed input request: #/toolConfig/tools/%d: extraneous key [cachePoint] is not "          \
    "permitted, please reformat your input and try again."
/* Anthropic: ttl 1h after a 5m cache point; %s is the Anthropic block path ("messages.3.content.0"). */
#define BRK_CACHEPOINT_MSG_TTL_ORDER                                                              \
    "The model returned the following errors: %s.cache_control.ttl: a ttl='1h' cache_control "    \
    "block must not come after a ttl='5m' cache_control block. Note that blocks are processed in " \
    "the following order: `tools`, `system`, `messages`."
/* Anthropic model without the 1h TTL given ttl 1h; %s as above. */
#define BRK_CACHEPOINT_MSG_TTL_EXTRA                                                               \
    "The model returned the following errors: %s.cache_control.ttl: Extra inputs are not permitted"
/* Non-Anthropic model given ttl 1h. */
#define BRK_CACHEPOINT_MSG_TTL_NOT_ANTHROPIC "Extended TTL prompt caching is only supported for Anthropic models"
/* A model without prompt caching given any cache point (403 AccessDeniedException). */
#define BRK_CACHEPOINT_MSG_UNSUPPORTED_MODEL                                                      \
    "You invoked an unsupported model or your request did not allow prompt caching."
/* Input validation of the CachePointBlock members; %s is the member path
 * ("system.2.member.cachePoint.type", 1-based indices as Coral prints them). */
#define BRK_CACHEPOINT_MSG_BAD_TYPE                                                               \
    "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy " \
    "enum value set: [default]"
#define BRK_CACHEPOINT_MSG_BAD_TTL                                                                \
    "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy " \
    "enum value set: [5m, 1h]"
#define BRK_CACHEPOINT_MSG_NO_TYPE                                                                \
    "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must "   \
    "not be null"

struct brk_cachepoint_counts {
    unsigned system;
    unsigned tools;
    unsigned messages;
    unsigned total;
};

enum brk_cachepoint_ttl { BRK_CACHEPOINT_TTL_5M = 0, BRK_CACHEPOINT_TTL_1H, BRK_CACHEPOINT_TTL_INVALID };

/* Count the cachePoint blocks of a Converse request body (NULL or non-object counts zero).
 * Only blocks at the positions Bedrock reads are counted; one nested in a toolResult is
 * not a cache point. */
void brk_cachepoint_count(const cJSON *request, struct brk_cachepoint_counts *out);

/* The TTL of a "cachePoint" object: absent ttl is 5m (Bedrock's default); a ttl that is not
 * "5m" or "1h" is BRK_CACHEPOINT_TTL_INVALID. */
enum brk_cachepoint_ttl brk_cachepoint_ttl_of(const cJSON *cache_point);

/* "5m" / "1h" / "invalid". */
const char *brk_cachepoint_ttl_name(enum brk_cachepoint_ttl ttl);

/* Lifetime in milliseconds (0 for INVALID). */
int64_t brk_cachepoint_ttl_ms(enum brk_cachepoint_ttl ttl);

/* Whether `type` of a "cachePoint" object is the one value Bedrock accepts ("default"). */
bool brk_cachepoint_type_valid(const cJSON *cache_point);

#endif
