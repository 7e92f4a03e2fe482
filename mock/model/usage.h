/*
 * usage.h (mock-private): walk a Converse input in Bedrock's processing order
 * (toolConfig.tools -> system -> messages) and count tokens per block.
 *
 * The walk is the single place that decides what a block "weighs", so Converse usage,
 * CountTokens and the prompt-cache prefixes always agree. Token rules per block type are in
 * docs/tokens.md. Pure and thread-safe.
 */
#ifndef MOCK_USAGE_H
#define MOCK_USAGE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tokens charged for one image: Anthropic's formula (w*h/750) at about 1.15 megapixels,
 * the size Bedrock's Claude models scale large images down to. */
#define MOCK_IMAGE_TOKENS 1600u

enum mock_section { MOCK_SECTION_TOOLS = 0, MOCK_SECTION_SYSTEM, MOCK_SECTION_MESSAGES };

struct mock_block_visit {
    enum mock_section section;
    int message_index;      /* index in messages, or -1 */
    int block_index;        /* index in tools / system / message content */
    const char *role;       /* role of the message, or NULL */
    const cJSON *block;     /* the block itself */
    uint64_t tokens;        /* estimated tokens of this block (0 for a cachePoint) */
    const cJSON *cache_point; /* the block's "cachePoint" object, or NULL */
};

typedef void (*mock_block_fn)(void *ctx, const struct mock_block_visit *visit);

/* Visit every block of `input` (a Converse/ConverseStream body or CountTokens' `converse`). */
void mock_usage_walk(const cJSON *input, mock_block_fn fn, void *ctx);

/* The same walk without counting tokens (visit->tokens is 0): for visitors that only look. */
void mock_usage_walk_blocks(const cJSON *input, mock_block_fn fn, void *ctx);

/* Where the visited block is, as the journal and error details name it: "system[1]",
 * "toolConfig.tools[3]", "messages[2].content[0]". Formatted on demand, because most visits
 * never need it. */
void mock_usage_location(const struct mock_block_visit *visit, char *out, size_t out_len);

/* Sum of every block's tokens. */
uint64_t mock_usage_input_tokens(const cJSON *input);

/* Tokens of one content / system / tool block. */
uint64_t mock_usage_block_tokens(const cJSON *block);

/* The last message of `input` with role "user" (borrowed from `input`), or NULL. */
const cJSON *mock_usage_last_user_message(const cJSON *input);

#endif
