/*
 * token_profile.h: what one model family charges, in tokens, beyond the text it is sent.
 *
 * Bedrock bills each family with its own tokenizer and prompt template, so the same Converse
 * input costs different amounts on Claude, Nova or Llama (/work/shared/spec/token-accounting.md;
 * docs/tokens.md has every number with its source). A profile holds those numbers for one
 * model: characters per token, the fixed framing of a request, the tool-use system prompt
 * Claude adds when tools are present (by model and tool choice), per-message and tool-round
 * overheads, thinking and native structured output, and how images, PDFs and videos are
 * charged. The Converse walk (common/converse_walk.h) takes a profile, so Converse usage,
 * CountTokens, quotas and cache minimums all count with it. A NULL profile keeps the generic
 * estimator of common/tokens.h with no overheads (the client's cache-point placement).
 *
 * A profile is a plain value filled by brk_token_profile_init; it borrows nothing. Pure and
 * thread-safe.
 */
#ifndef BEDROCK_COMMON_TOKEN_PROFILE_H
#define BEDROCK_COMMON_TOKEN_PROFILE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How an image's pixels become tokens. */
enum brk_image_rule {
    BRK_IMAGE_RULE_FLAT = 0, /* a fixed count (image_flat_tokens) */
    BRK_IMAGE_RULE_AREA_750, /* Claude 3.x-4.6, Nova 2: w*h/750 after Claude's resize */
    BRK_IMAGE_RULE_PATCH_28, /* Claude Opus 4.7+, Sonnet 5+: ceil(w/28)*ceil(h/28), cap 4,784 */
    BRK_IMAGE_RULE_NOVA_V1,  /* Nova v1: a table by aspect ratio */
    BRK_IMAGE_RULE_PATCH_16, /* Pixtral / Llama 4: 16-px patches plus one per row */
};

struct brk_token_profile {
    char family[16];              /* "anthropic", "nova", ... ("" = generic) */
    unsigned chars_per_token_x10; /* 38 = 3.8 characters per token; 0 = generic estimator */
    uint64_t framing;             /* once per request (prompt template, first user turn) */
    uint64_t per_extra_message;   /* each message after the first */
    uint64_t per_system_block;
    uint64_t tool_preamble_auto; /* added once when tools are non-empty, toolChoice auto */
    uint64_t tool_preamble_any;  /* ... toolChoice any or tool */
    uint64_t tool_use_block;     /* wrapper of an assistant toolUse */
    uint64_t tool_result_block;  /* wrapper of a user toolResult */
    uint64_t thinking_enabled;   /* additionalModelRequestFields.thinking.type = enabled */
    uint64_t structured_output;  /* outputConfig.textFormat json_schema */
    enum brk_image_rule image_rule;
    uint64_t image_flat_tokens;  /* FLAT rule, and any image whose size is unknown */
    uint64_t pdf_page_image;     /* per PDF page in a user turn (page rendered as an image) */
    uint64_t pdf_page_text;      /* per PDF page: its extracted text */
    uint64_t video_tokens;       /* per video block */
    bool history_reasoning_free; /* reasoningContent of earlier turns is not billed */
    bool cache_fields_always;    /* usage carries the cache fields even without caching */
};

/* Fill `p` for a model of `family` ("anthropic", "nova", "llama", "mistral", "titan",
 * "cohere", "deepseek", "qwen", "gemma", "minimax", "nemotron", "palmyra", "glm", "kimi",
 * "openai"; NULL or unknown: open-weight defaults) and `model_id` (the catalogue id, used for
 * Claude's tool-use prompt table, image rule and Nova 2). */
void brk_token_profile_init(struct brk_token_profile *p, const char *family, const char *model_id);

/* The family of a model id from its provider prefix ("anthropic.", "amazon.nova", "meta.", ...,
 * geo prefix and ARN allowed), or NULL. For callers without a catalogue family. */
const char *brk_token_family_for_model_id(const char *model_id);

/* Tokens of `len` bytes of text under the profile (NULL: the generic estimator). */
uint64_t brk_token_profile_text(const struct brk_token_profile *p, const char *text, size_t len);

/* What brk_token_profile_text counts under a profile with chars_per_token_x10 set, for a reader
 * that sees a text in pieces or knows its bytes without holding them (a document decoded a
 * piece at a time, a JSON value's printed form): add the ASCII bytes and the UTF-8 lead bytes
 * of text[0..len) to *ascii and *other, then turn the sums into tokens. */
void brk_token_profile_count(const char *text, size_t len, uint64_t *ascii, uint64_t *other);
uint64_t brk_token_profile_counted(const struct brk_token_profile *p, uint64_t ascii, uint64_t other);

/* Tokens of an image of width_px x height_px (0 x 0: unknown size). */
uint64_t brk_token_profile_image(const struct brk_token_profile *p, uint32_t width_px, uint32_t height_px);

/* The request-level tokens outside every block: framing, extra messages, system blocks, the
 * tool-use system prompt, thinking and structured output. 0 for a NULL profile. These are
 * never part of a cached prefix. */
uint64_t brk_token_profile_overhead(const struct brk_token_profile *p, const cJSON *input);

#endif
