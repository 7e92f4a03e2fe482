/*
 * cache_points.h: client-side cache points, placed and trimmed by pydantic-ai's rules
 * (BedrockConverseModel; the rules and their source: docs/cache-points.md, spec client-facts.md
 * §1.5, §1.6).
 *
 * brk_cache_points_apply is a pure function over a Converse request body (no network): it
 * turns cache-point markers written in user content into placed cache points, adds the cache
 * points the settings ask for (instructions, tool definitions, messages), trims the request to
 * Bedrock's limit of four, and reports, for every cache point, where it ended up or why it was
 * dropped. The request it writes passes the mock's cache-point validation
 * (common/cachepoint.h) for the model's capabilities.
 *
 * Input form: a Converse body whose `messages` hold the user's prompt parts as written, one part
 * per user message (consecutive user messages are allowed and are merged, as pydantic-ai merges
 * them). A {"cachePoint": {...}} block inside a user message is a marker (pydantic-ai's
 * CachePoint): its `ttl` is kept, and a marker without one gets "5m" (a marker always has a
 * TTL). Cache points already in `system`, `toolConfig.tools` or an assistant message are taken
 * as they are.
 *
 * Ownership: the caller owns the buffers; both are appended to. Thread-safe (no shared state).
 */
#ifndef BEDROCK_CACHE_POINTS_H
#define BEDROCK_CACHE_POINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "bedrock/error.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One cache setting: off, on without a `ttl` key (pydantic-ai's True), or on with a TTL. */
enum brk_cache_mode { BRK_CACHE_OFF = 0, BRK_CACHE_ON, BRK_CACHE_TTL_5M, BRK_CACHE_TTL_1H };

struct brk_cache_settings {
    enum brk_cache_mode instructions;     /* a cache point after the system prompt (or its last static part) */
    enum brk_cache_mode tool_definitions; /* the last element of toolConfig.tools (tool-caching models only) */
    enum brk_cache_mode messages;         /* the end of the last user message, before trailing documents/videos */
    size_t dynamic_instructions;          /* how many blocks at the end of `system` are dynamic instructions:
                                           * the instructions cache point goes before them */
};

/* Apply placement and trimming for `model_id` to the Converse body `request_json` (`len` bytes).
 * Appends the final body to `request_out` and the report to `report_out` (either may be NULL):
 * {"model": ..., "prompt_caching": b, "tool_caching": b, "points": [{"source":
 * "marker"|"instructions"|"tool_definitions"|"messages"|"request", "from": input location or
 * null, "ttl": "5m"|"1h"|null, "at": final location or null, "dropped": reason or null}]}; a
 * setting that is on but places nothing (no prompt caching, no tools, already a cache point
 * there) is listed too, with "at" null and the reason. On failure neither buffer is changed.
 * BRK_ERR_INVALID_ARG with pydantic-ai's message for a marker that cannot be placed (first
 * content with nothing before it, two in a row, on content that is only documents or videos)
 * and for a body that is not a JSON object with a `messages` array. */
BRK_API enum brk_status brk_cache_points_apply(const char *model_id, const struct brk_cache_settings *settings,
                                               const char *request_json, size_t len, struct brk_buf *request_out,
                                               struct brk_buf *report_out, struct brk_error *err);

struct brk_client;

/* Client-wide settings: every later brk_converse, brk_converse_stream and brk_count_tokens of
 * `client` places and trims its body's cache points with `settings` (markers included) before
 * sending, as brk_cache_points_apply does; a body it refuses fails the call with its message.
 * NULL turns placement off again (the body is sent as given). Not thread-safe with calls on the
 * same client. */
BRK_API void brk_client_set_cache(struct brk_client *client, const struct brk_cache_settings *settings);

/* pydantic-ai's profile: prompt caching on every Anthropic model and Amazon Nova; tool-definition
 * caching on Anthropic only. `model_id` may carry a cross-region prefix ("us.") or be an ARN. */
BRK_API bool brk_model_prompt_caching(const char *model_id);
BRK_API bool brk_model_tool_caching(const char *model_id);

#ifdef __cplusplus
}
#endif

#endif
