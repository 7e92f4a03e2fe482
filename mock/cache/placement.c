/*
 * placement.c: the cache-point stage. Rejects the cache points Bedrock rejects, with
 * Bedrock's words (sources in docs/prompt-caching.md), before the operation runs.
 *
 * The rules themselves, and their order, are brk_cachepoint_check (common/cachepoint.c), the
 * code the client places cache points by: this stage describes the model to it, turns its
 * verdict into Bedrock's error response and records every point in the journal.
 */
#include <string.h>

#include "mock/cache/sim.h"
#include "mock/pipeline/stages.h"

/* What the model allows, in the shared rules' terms. Refusing a prefix below the model's
 * minimum is the --cache-below-minimum reject option; by default such a point is not cached. */
static void s_caps(const struct brk_mock *mock, const struct mock_model *m, struct brk_cachepoint_caps *caps)
{
    caps->prompt_caching = m->prompt_caching;
    caps->cache_in_tools = m->cache_in_tools;
    caps->ttl_1h = mock_model_accepts_ttl(m, "1h");
    caps->anthropic = m->provider && strcmp(m->provider, "anthropic") == 0;
    caps->min_tokens = mock->cfg.cache_reject_below_minimum ? m->cache_min_tokens : 0;
}

static void s_record_rejection(const struct mock_cache_plan *plan, const struct brk_cachepoint_violation *v,
                               struct mock_response *resp)
{
    bool whole = v->point >= plan->scan.n_points;
    const char *rule = brk_cachepoint_rule_name(v->rule);
    const char *all = v->rule == BRK_CACHEPOINT_RULE_NO_CACHING_MODEL ? "no_caching_model"
                      : whole                                         ? "rejected"
                                                                      : "not_simulated";
    struct mock_cache_record record = {.rejected_by = rule};
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        record.outcomes[i] = all;
    }
    if (!whole) {
        record.outcomes[v->point] = "rejected";
        record.reasons[v->point] = rule;
    }
    mock_cache_record_journal(resp, plan, &record);
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
    struct brk_cachepoint_caps caps = {0};
    struct brk_cachepoint_violation v;
    s_caps(mock, req->model.model, &caps);
    if (brk_cachepoint_check(&plan->scan, &caps, &v)) {
        return true;
    }
    mock_response_error(resp, v.error, v.message);
    s_record_rejection(plan, &v, resp);
    return false;
}
