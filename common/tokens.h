/*
 * tokens.h: the project's one token estimator.
 *
 * Real Bedrock counts tokens with each model's own tokenizer, which the mock cannot ship.
 * This deterministic estimate approximates the Claude and Nova tokenizers on ordinary
 * English prose (documented rules and calibration in docs/tokens.md):
 *   - a run of ASCII letters of length L counts 1 + (L - 1) / 6 tokens;
 *   - a run of digits counts one token per 3 digits (rounded up);
 *   - every other printable ASCII character (punctuation, symbols) counts 1;
 *   - whitespace counts 0;
 *   - every non-ASCII code point counts 1.
 * The same function feeds usage.inputTokens/outputTokens, CountTokens and the prompt-cache
 * thresholds, so all three always agree. Pure and thread-safe.
 */
#ifndef BEDROCK_TOKENS_H
#define BEDROCK_TOKENS_H

#include <stddef.h>
#include <stdint.h>

/* Estimated tokens in `len` bytes of UTF-8 text (invalid bytes count one each). */
uint64_t brk_tokens_estimate(const char *text, size_t len);

/* Convenience for NUL-terminated text; NULL counts 0. */
uint64_t brk_tokens_estimate_str(const char *text);

/* Length in bytes of the longest prefix of `text` whose estimate is <= max_tokens, cut at a
 * token boundary. Used to truncate replies at maxTokens. */
size_t brk_tokens_prefix_len(const char *text, size_t len, uint64_t max_tokens);

#endif
