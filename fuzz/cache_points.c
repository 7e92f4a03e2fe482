/* cache_points: the client's cache-point placement and trimming (client/cache_points.c,
 * include/bedrock/cache_points.h) on any bytes, with every setting on, for a model with tool
 * caching, one with prompt caching only and one without. Properties, checked on every input
 * (a failure aborts):
 *   - a refusal carries a message, and writes neither the body nor the report;
 *   - an accepted input gives a JSON body with at most BRK_CACHEPOINT_MAX cache points, none
 *     in user content on a model without prompt caching (markers are dropped there; cache points
 *     the request already held elsewhere pass through as given), and a JSON report. */
#include <stdlib.h>
#include <string.h>

#include "bedrock/cache_points.h"
#include "common/cachepoint.h"
#include "common/converse_walk.h"
#include "fuzz/fuzz.h"

/* Counts the cache points in user messages. */
static void s_count_user_points(void *arg, const struct brk_walk_visit *v)
{
    if (v->cache_point && v->role && strcmp(v->role, "user") == 0) {
        ++*(size_t *)arg;
    }
}

/* Whether the body in `out` keeps the limit (and has no marker left when `caching` is false). */
static bool s_body_ok(const struct brk_buf *out, bool caching)
{
    cJSON *json = cJSON_ParseWithLength(out->data, out->len);
    struct brk_cachepoint_counts counts;
    brk_cachepoint_count(json, &counts);
    size_t in_user = 0;
    brk_converse_walk_blocks(json, s_count_user_points, &in_user);
    bool ok = json && counts.total <= BRK_CACHEPOINT_MAX && (caching || in_user == 0);
    cJSON_Delete(json);
    return ok;
}

static void s_one(const char *model, const uint8_t *data, size_t size)
{
    static const struct brk_cache_settings all = {.instructions = BRK_CACHE_ON,
                                                  .tool_definitions = BRK_CACHE_TTL_1H,
                                                  .messages = BRK_CACHE_TTL_5M,
                                                  .dynamic_instructions = 1};
    struct brk_buf body, report;
    struct brk_error err;
    brk_buf_init(&body, 1u << 22);
    brk_buf_init(&report, 1u << 22);
    brk_error_clear(&err);
    enum brk_status st = brk_cache_points_apply(model, &all, (const char *)data, size, &body, &report, &err);
    if (st != BRK_OK && (err.message[0] == '\0' || body.len || report.len)) {
        abort(); /* a refusal without a reason, or with output */
    }
    cJSON *rep = st == BRK_OK ? cJSON_ParseWithLength(report.data, report.len) : NULL;
    if (st == BRK_OK && (!rep || !s_body_ok(&body, brk_model_prompt_caching(model)))) {
        abort(); /* an accepted input must give a valid body and report */
    }
    cJSON_Delete(rep);
    brk_buf_clean_up(&body);
    brk_buf_clean_up(&report);
}

FUZZ_TARGET(cache_points)
{
    s_one("us.anthropic.claude-haiku-4-5-20251001-v1:0", data, size);
    s_one("us.amazon.nova-pro-v1:0", data, size);
    s_one("meta.llama3-1-70b-instruct-v1:0", data, size);
    return 0;
}
