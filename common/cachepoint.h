/*
 * cachepoint.h: Converse cache points, shared by the mock (which enforces and simulates them)
 * and the client (which places and trims them), so the two evaluate one set of rules with one
 * piece of code and cannot drift.
 *
 * A cache point is a standalone block {"cachePoint":{"type":"default"[,"ttl":"5m"|"1h"]}}
 * in `system`, `toolConfig.tools` or a message's `content`; Bedrock accepts at most
 * BRK_CACHEPOINT_MAX of them per request, counted across all three. Every message text below
 * is Bedrock's own, with its source in docs/prompt-caching.md.
 *
 * Two steps: brk_cachepoint_scan finds every cache point with what the rules look at (where
 * it is, what comes before it, its TTL, the tokens before it), walking the request once in
 * Bedrock's processing order (common/converse_walk.h); brk_cachepoint_check applies Bedrock's
 * placement rules to that list for a model described by a few capabilities and says which
 * rule, if any, is broken, with Bedrock's message. Pure functions on caller-owned structs;
 * thread-safe. A list borrows the request's cJSON: it is valid while the request is.
 */
#ifndef BEDROCK_CACHEPOINT_H
#define BEDROCK_CACHEPOINT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/aws_error.h"
#include "common/converse_walk.h"

#define BRK_CACHEPOINT_MAX 4

/* How long an entry lives after its last write or read. */
#define BRK_CACHEPOINT_TTL_5M_MS (5LL * 60 * 1000)
#define BRK_CACHEPOINT_TTL_1H_MS (60LL * 60 * 1000)

/* ---- Bedrock's messages (docs/prompt-caching.md gives the source of each) ---- */

/* More than BRK_CACHEPOINT_MAX cache points; %u is the number found. */
#define BRK_CACHEPOINT_MSG_TOO_MANY                                                             \
    "The model returned the following errors: A maximum of 4 blocks with cache_control may be " \
    "provided. Found %u."
/* A cache point directly after a reasoningContent block. */
#define BRK_CACHEPOINT_MSG_AFTER_REASONING                                                         \
    "Cache point cannot be inserted after reasoning block. Please remove the invalid cache point " \
    "and try again."
/* A cache point with nothing to cache before it (and, optionally, a prefix below the minimum). */
#define BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE \
    "There is nothing available to cache. Please remove the invalid cache point and try again."
/* Nova: a cache point in toolConfig.tools; %d is its index there. */
#define BRK_CACHEPOINT_MSG_NOT_IN_TOOLS                                                   \
    "Malformed input request: #/toolConfig/tools/%d: extraneous key [cachePoint] is not " \
    "permitted, please reformat your input and try again."
/* Anthropic: ttl 1h after a 5m cache point; %s is the Anthropic block path ("messages.3.content.0"). */
#define BRK_CACHEPOINT_MSG_TTL_ORDER                                                               \
    "The model returned the following errors: %s.cache_control.ttl: a ttl='1h' cache_control "     \
    "block must not come after a ttl='5m' cache_control block. Note that blocks are processed in " \
    "the following order: `tools`, `system`, `messages`."
/* Anthropic model without the 1h TTL given ttl 1h; %s as above. */
#define BRK_CACHEPOINT_MSG_TTL_EXTRA \
    "The model returned the following errors: %s.cache_control.ttl: Extra inputs are not permitted"
/* Non-Anthropic model given ttl 1h. */
#define BRK_CACHEPOINT_MSG_TTL_NOT_ANTHROPIC "Extended TTL prompt caching is only supported for Anthropic models"
/* A model without prompt caching given any cache point (403 AccessDeniedException). */
#define BRK_CACHEPOINT_MSG_UNSUPPORTED_MODEL \
    "You invoked an unsupported model or your request did not allow prompt caching."
/* Input validation of the CachePointBlock members; %s is the member path
 * ("system.2.member.cachePoint.type", 1-based indices as Coral prints them). */
#define BRK_CACHEPOINT_MSG_BAD_TYPE                                                                 \
    "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy " \
    "enum value set: [default]"
#define BRK_CACHEPOINT_MSG_BAD_TTL                                                                  \
    "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy " \
    "enum value set: [5m, 1h]"
#define BRK_CACHEPOINT_MSG_NO_TYPE                                                               \
    "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must " \
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

/* ---- The scan ---- */

/* Cache points examined one by one; more than BRK_CACHEPOINT_MAX is an error anyway, so the
 * rest are only counted. */
#define BRK_CACHEPOINT_LIST_MAX 16

/* One top-level cache point, as the placement rules see it. */
struct brk_cachepoint {
    enum brk_walk_section section;
    int message_index;                    /* -1 outside messages */
    int block_index;                      /* index in its list (tools, system or the message content) */
    int anchor_index;                     /* the block Anthropic hangs it on: the content block before it,
                                   * counted without cache points; -1 when there is none */
    char location[BRK_WALK_LOCATION_LEN]; /* "system[1]", "toolConfig.tools[3]", "messages[2].content[0]" */
    const cJSON *cache_point;             /* the "cachePoint" object (borrowed from the request) */
    enum brk_cachepoint_ttl ttl;
    uint64_t prefix_tokens;       /* tokens of everything before it, in processing order */
    bool first_in_list;           /* nothing cacheable before it in its own list: no block, or only
                                   * documents and videos */
    bool after_reasoning;         /* the block right before it is a reasoningContent block */
    bool after_document_or_video; /* the block right before it is a document or a video (Bedrock
                                   * accepts it; pydantic-ai places cache points before such runs) */
};

struct brk_cachepoint_list {
    struct brk_cachepoint points[BRK_CACHEPOINT_LIST_MAX];
    size_t n_points; /* examined, <= BRK_CACHEPOINT_LIST_MAX */
    /* Every top-level cache point (total) and by section, listed or not: what brk_cachepoint_count
     * finds, without a walk of its own. */
    struct brk_cachepoint_counts counts;
    uint64_t total_tokens; /* tokens of every content block walked so far (after a scan: the input's) */
};

/* Scan a Converse/ConverseStream body (or CountTokens' `converse`) into *out, overwriting it.
 * Cache points nested in a toolResult's content are not cache points (docs/prompt-caching.md)
 * and are not listed. */
void brk_cachepoint_scan(const cJSON *converse_input, struct brk_cachepoint_list *out);

/* The scan one visit at a time, for a caller that walks the request for its own reasons too
 * (the mock hashes prefixes in the same walk): init, then feed every visit of one
 * brk_converse_walk in order. The scanner borrows `out`. */
struct brk_cachepoint_scanner {
    struct brk_cachepoint_list *list;
    int content_before;    /* content (non cache point) blocks seen in the current list */
    int cacheable_before;  /* of those, the ones that are not a document or a video */
    const cJSON *previous; /* the block right before, in the current list, or NULL */
};

void brk_cachepoint_scanner_init(struct brk_cachepoint_scanner *scanner, struct brk_cachepoint_list *out);

/* Take one visit. Returns the cache point it recorded, or NULL (a content block, or a cache
 * point beyond BRK_CACHEPOINT_LIST_MAX, which is only counted). */
const struct brk_cachepoint *brk_cachepoint_scanner_visit(struct brk_cachepoint_scanner *scanner,
                                                          const struct brk_walk_visit *visit);

/* ---- The check ---- */

/* What a model allows; the client fills it from its model profile, the mock from its catalogue. */
struct brk_cachepoint_caps {
    bool prompt_caching; /* the model caches at all (else every cache point is refused) */
    bool cache_in_tools; /* a cache point may sit in toolConfig.tools (Anthropic, not Nova) */
    bool ttl_1h;         /* the model offers the 1h TTL */
    bool anthropic;      /* an Anthropic model: its error texts name the ttl's block */
    uint64_t min_tokens; /* refuse a point whose prefix is below this; 0 never refuses (Bedrock's
                                   * documented behaviour: such a point is simply not cached) */
};

/* Every rule, in the order brk_cachepoint_check applies them (docs/prompt-caching.md), with the
 * short name the mock's journal uses: X(NAME, "name"). */
#define BRK_CACHEPOINT_RULES(X)                                                               \
    X(TYPE_MISSING, "type_missing")             /* cachePoint.type absent or null */          \
    X(TYPE_NOT_DEFAULT, "type_not_default")     /* cachePoint.type other than "default" */    \
    X(TTL_NOT_IN_ENUM, "ttl_not_in_enum")       /* cachePoint.ttl other than "5m" / "1h" */   \
    X(NO_CACHING_MODEL, "no_caching_model")     /* the model has no prompt caching (403) */   \
    X(TOO_MANY, "too_many")                     /* more than BRK_CACHEPOINT_MAX */            \
    X(NOT_IN_TOOLS, "not_in_tools")             /* in toolConfig.tools on a model without */  \
    X(NOTHING_BEFORE, "nothing_before")         /* nothing cacheable before it in its list */ \
    X(AFTER_REASONING, "after_reasoning")       /* right after a reasoningContent block */    \
    X(TTL_1H_NOT_OFFERED, "ttl_1h_not_offered") /* ttl 1h on a model without it */            \
    X(TTL_1H_AFTER_5M, "ttl_1h_after_5m")       /* a 1h point after a 5m one */               \
    X(BELOW_MINIMUM, "below_minimum")           /* prefix below caps->min_tokens */

enum brk_cachepoint_rule {
    BRK_CACHEPOINT_RULE_NONE = 0,
#define BRK_CACHEPOINT_RULE_ENUM(name, str) BRK_CACHEPOINT_RULE_##name,
    BRK_CACHEPOINT_RULES(BRK_CACHEPOINT_RULE_ENUM)
#undef BRK_CACHEPOINT_RULE_ENUM
};

/* The journal's name of a rule ("too_many"); "none" for BRK_CACHEPOINT_RULE_NONE. */
const char *brk_cachepoint_rule_name(enum brk_cachepoint_rule rule);

/* The first rule a request breaks: what Bedrock answers, word for word. */
struct brk_cachepoint_violation {
    enum brk_cachepoint_rule rule;
    enum brk_aws_error error; /* BRK_AWS_VALIDATION, or BRK_AWS_ACCESS_DENIED (no caching) */
    size_t point;             /* index in list->points of the offending point, or list->n_points
                                   * when the rule concerns the whole request (no caching, too many) */
    char message[512];        /* Bedrock's message */
};

/* Apply Bedrock's cache-point rules to a scanned list, in Bedrock's order: each point's members
 * (type, ttl), then the model (no prompt caching), then the count, then each point's placement
 * in processing order. Returns true when no rule is broken (out->rule is then NONE), false with
 * *out describing the first one. A list without cache points breaks none. */
bool brk_cachepoint_check(const struct brk_cachepoint_list *list, const struct brk_cachepoint_caps *caps,
                          struct brk_cachepoint_violation *out);

#endif
