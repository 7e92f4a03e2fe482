/*
 * placement.c: the cache-point stage. Rejects the cache points Bedrock rejects, with
 * Bedrock's words (sources in docs/prompt-caching.md), before the operation runs.
 *
 * Order of the checks: input validation of each CachePointBlock (a Coral-level check, so it
 * comes first), then the model (no prompt caching: 403), then the count, then each point's
 * placement in processing order (tools -> system -> messages).
 */
#include <stdio.h>
#include <string.h>

#include "mock/cache/sim.h"
#include "mock/pipeline/stages.h"

struct s_verdict {
    enum brk_aws_error error;
    char message[512];
    size_t point;     /* index in plan->points of the offending point */
    const char *rule; /* short name for the journal */
};

static bool s_member_invalid(const struct mock_cache_plan_point *p, struct s_verdict *v)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(p->cache_point, "type");
    char path[128];
    snprintf(path, sizeof(path), "%s.type", p->member_path);
    if (!type || cJSON_IsNull(type)) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_NO_TYPE, path);
        v->rule = "type_missing";
        return true;
    }
    if (!brk_cachepoint_type_valid(p->cache_point)) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_BAD_TYPE, path);
        v->rule = "type_not_default";
        return true;
    }
    if (p->ttl == BRK_CACHEPOINT_TTL_INVALID) {
        snprintf(path, sizeof(path), "%s.ttl", p->member_path);
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_BAD_TTL, path);
        v->rule = "ttl_not_in_enum";
        return true;
    }
    return false;
}

/* The TTL rules: 1h only where the model offers it, and never after a 5m point. */
static bool s_ttl_rejected(const struct mock_model *m, const struct mock_cache_plan_point *p, bool seen_5m,
                           struct s_verdict *v)
{
    if (p->ttl != BRK_CACHEPOINT_TTL_1H) {
        return false;
    }
    bool anthropic = m->provider && strcmp(m->provider, "anthropic") == 0;
    if (!mock_model_accepts_ttl(m, "1h")) {
        if (anthropic) {
            snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TTL_EXTRA, p->anthropic_path);
        } else {
            snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_TTL_NOT_ANTHROPIC);
        }
        v->rule = "ttl_1h_not_offered";
        return true;
    }
    if (seen_5m) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TTL_ORDER, p->anthropic_path);
        v->rule = "ttl_1h_after_5m";
        return true;
    }
    return false;
}

static bool s_placement_rejected(const struct brk_mock *mock, const struct mock_model *m,
                                 const struct mock_cache_plan_point *p, bool seen_5m, struct s_verdict *v)
{
    if (p->section == MOCK_SECTION_TOOLS && !m->cache_in_tools) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_NOT_IN_TOOLS, p->block_index);
        v->rule = "not_in_tools";
        return true;
    }
    if (p->first_in_list) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
        v->rule = "nothing_before";
        return true;
    }
    if (p->after_reasoning) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_AFTER_REASONING);
        v->rule = "after_reasoning";
        return true;
    }
    if (s_ttl_rejected(m, p, seen_5m, v)) {
        return true;
    }
    if (mock->cfg.cache_reject_below_minimum && p->prefix_tokens < m->cache_min_tokens) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
        v->rule = "below_minimum";
        return true;
    }
    return false;
}

/* The first rule the request breaks, or false when it breaks none. */
static bool s_judge(const struct brk_mock *mock, const struct mock_model *m, const struct mock_cache_plan *plan,
                    struct s_verdict *v)
{
    v->error = BRK_AWS_VALIDATION;
    for (v->point = 0; v->point < plan->n_points; v->point++) {
        if (s_member_invalid(&plan->points[v->point], v)) {
            return true;
        }
    }
    v->point = plan->n_points; /* the next two concern the request, not one point */
    if (!m->prompt_caching) {
        v->error = BRK_AWS_ACCESS_DENIED;
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_UNSUPPORTED_MODEL);
        v->rule = "no_caching_model";
        return true;
    }
    if (plan->total_points > BRK_CACHEPOINT_MAX) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TOO_MANY, plan->total_points);
        v->rule = "too_many";
        return true;
    }
    bool seen_5m = false;
    for (v->point = 0; v->point < plan->n_points; v->point++) {
        const struct mock_cache_plan_point *p = &plan->points[v->point];
        if (s_placement_rejected(mock, m, p, seen_5m, v)) {
            return true;
        }
        seen_5m = seen_5m || p->ttl == BRK_CACHEPOINT_TTL_5M;
    }
    return false;
}

static void s_record_rejection(const struct mock_cache_plan *plan, const struct s_verdict *v,
                               struct mock_response *resp)
{
    bool whole = v->point >= plan->n_points;
    const char *all = strcmp(v->rule, "no_caching_model") == 0 ? "no_caching_model"
                      : whole                                  ? "rejected"
                                                               : "not_simulated";
    cJSON *record = mock_cache_record_new(plan, all);
    cJSON *points = cJSON_GetObjectItemCaseSensitive(record, "points");
    if (!whole) {
        cJSON_ReplaceItemInArray(points, (int)v->point, mock_cache_point_json(&plan->points[v->point], "rejected",
                                                                                v->rule));
    }
    cJSON_AddStringToObject(record, "rejected_by", v->rule);
    mock_journal_extra_add(resp, "cache", record);
}

bool mock_stage_cache_points(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!brk_op_has(req->route.op, BRK_OPT_CONVERSE_SHAPE) || !req->model.model) {
        return true;
    }
    const struct mock_cache_plan *plan = mock_request_cache_plan(req);
    if (!plan) {
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return false;
    }
    if (plan->total_points == 0) {
        return true;
    }
    struct s_verdict v;
    memset(&v, 0, sizeof(v));
    if (!s_judge(mock, req->model.model, plan, &v)) {
        return true;
    }
    mock_response_error(resp, v.error, v.message);
    s_record_rejection(plan, &v, resp);
    return false;
}
