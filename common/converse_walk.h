/*
 * converse_walk.h: walk a Converse input in Bedrock's processing order
 * (toolConfig.tools -> system -> messages) and count tokens per block.
 *
 * The walk is the single place that decides where a block is and what it "weighs", so the
 * mock's Converse usage, CountTokens and prompt-cache prefixes, and the client's cache-point
 * placement (common/cachepoint.h) always agree. Token rules per block type are in
 * docs/tokens.md. Every visited block is borrowed from the input, valid while it is.
 * Pure and thread-safe; the walk allocates only to print a JSON value whose tokens it counts
 * and, under a profile, to decode an image's header or a document's bytes (bounded; a value
 * that cannot be printed or decoded, out of memory, counts as of unknown size).
 */
#ifndef BEDROCK_COMMON_CONVERSE_WALK_H
#define BEDROCK_COMMON_CONVERSE_WALK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/token_profile.h"

/* Tokens charged for one image: Anthropic's formula (w*h/750) at about 1.15 megapixels,
 * the size Bedrock's Claude models scale large images down to. */
#define BRK_WALK_IMAGE_TOKENS 1600u

/* The three lists a Converse input holds blocks in, in processing order. */
enum brk_walk_section { BRK_WALK_TOOLS = 0, BRK_WALK_SYSTEM, BRK_WALK_MESSAGES };

struct brk_walk_visit {
    enum brk_walk_section section;
    int message_index;        /* index in messages, or -1 */
    int block_index;          /* index in tools / system / message content; 0 starts a list */
    const char *role;         /* role of the message, or NULL */
    const cJSON *block;       /* the block itself */
    uint64_t tokens;          /* estimated tokens of this block (0 for a cachePoint) */
    const cJSON *cache_point; /* the block's "cachePoint" object, or NULL */
};

typedef void (*brk_walk_fn)(void *ctx, const struct brk_walk_visit *visit);

/* Visit every block of `input` (a Converse/ConverseStream body or CountTokens' `converse`),
 * top-level blocks only: the content of a toolResult is not visited on its own. A NULL or
 * non-object input has no blocks. Tokens are counted under `profile` (NULL: the generic
 * estimator, no per-family rules). */
void brk_converse_walk(const cJSON *input, const struct brk_token_profile *profile, brk_walk_fn fn, void *ctx);

/* The same walk without counting tokens (visit->tokens is 0): for visitors that only look. */
void brk_converse_walk_blocks(const cJSON *input, brk_walk_fn fn, void *ctx);

/* A visitor that ends the walk by returning true. */
typedef bool (*brk_walk_until_fn)(void *ctx, const struct brk_walk_visit *visit);

/* The walk without tokens up to the first block for which `fn` returns true; whether there was
 * one. For a question answered by the first match (does the request have a cache point?). */
bool brk_converse_walk_until(const cJSON *input, brk_walk_until_fn fn, void *ctx);

/* Where the visited block is, as the journal and error details name it: "system[1]",
 * "toolConfig.tools[3]", "messages[2].content[0]". Formatted on demand, because most visits
 * never need it; BRK_WALK_LOCATION_LEN always suffices. */
#define BRK_WALK_LOCATION_LEN 48
void brk_walk_location(const struct brk_walk_visit *visit, char *out, size_t out_len);

/* The input tokens Bedrock bills for `input`: every block's tokens plus the profile's
 * request-level overhead (brk_token_profile_overhead). */
uint64_t brk_converse_input_tokens(const cJSON *input, const struct brk_token_profile *profile);

/* Tokens of one content / system / tool block under `profile` (NULL: generic). */
uint64_t brk_converse_block_tokens(const cJSON *block, const struct brk_token_profile *profile);

/* The last message of `input` with role "user" (borrowed from `input`), or NULL. */
const cJSON *brk_converse_last_user_message(const cJSON *input);

#endif
