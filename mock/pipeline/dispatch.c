/*
 * dispatch.c: the request pipeline. Route (pipeline/router.c), then the stages of s_stages in
 * the order the real service applies its checks: auth -> body (JSON) -> schema (Smithy
 * constraints) -> model -> conversation rules -> cache points -> document rule -> scripted
 * rules and faults -> quota. Each stage either passes or fills `resp` with Bedrock's error
 * and stops the pipeline; the journal entry then names it ("rejected_by_stage"). A request
 * that passes them all runs its operation (ops/ops.h), and the quota reservation is settled
 * with what it used. Every request, refused or not, is recorded in the journal; admin calls
 * (/_mock/) are not.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cachepoint.h"
#include "common/json_arena.h"
#include "common/log.h"
#include "mock/admin/journal.h"
#include "mock/admin/journal_body.h"
#include "mock/cache/plan.h"
#include "mock/mock_priv.h"
#include "mock/model/prompt.h"
#include "mock/rules/quota.h"
#include "mock/rules/rules.h"
#include "mock/pipeline/stages.h"
#include "mock/ops/guardrail.h"
#include "mock/ops/invoke.h"
#include "mock/ops/ops.h"
#include "mock/ops/stream.h"
#include "mock/admin/admin.h"
#include "mock/pipeline/router.h"
#include "mock/replay/replay.h"

/* Text from botocore issue reports of real Bedrock (docs/errors.md). */
#define S_MSG_INVALID_MODEL "The provided model identifier is invalid."
#define S_MSG_ON_DEMAND                                                                             \
    "Invocation of model ID %s with on-demand throughput isn\u2019t supported. Retry your request " \
    "with the ID or ARN of an inference profile that contains this model."
#define S_MSG_UNSUPPORTED_MODEL                                                                    \
    "This action doesn't support the model that you provided. Try again with a supported text or " \
    "chat model."

/* Body limits and JSON parsing. Coral-style services answer an unparsable body with a
 * SerializationException before any validation runs. */
static bool s_stage_body(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (req->body_too_large) {
        mock_response_error(resp, BRK_AWS_REQUEST_TOO_LARGE, NULL);
        return false;
    }
    if (!brk_op_has(req->route.op, BRK_OPT_JSON_BODY)) {
        return true;
    }
    /* A NUL byte is never valid JSON text (RFC 8259 section 7), and cJSON would read a string up
     * to it and drop the rest, so "a\0b" would reach the model as "a" (tests/test_hostile.c). */
    bool has_nul = req->body && memchr(req->body, '\0', req->body_len) != NULL;
    /* Into this thread's arena: the tree's thousand small allocations were a fifth of a request. */
    req->json = has_nul ? NULL : brk_json_arena_parse(req->body ? req->body : "", req->body_len, &req->json_arena);
    if (!req->json || !cJSON_IsObject(req->json)) {
        mock_response_error(resp, BRK_AWS_SERIALIZATION, NULL);
        return false;
    }
    return true;
}

/* Resolve {modelId} against the catalogue, with the messages Bedrock gives for each miss. */
static bool s_stage_model(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!brk_op_has(req->route.op, BRK_OPT_MODEL)) {
        return true;
    }
    if (mock_catalog_resolve(mock->catalog, req->route.label[BRK_OP_LABEL_MODEL_ID], &req->model) != BRK_OK) {
        /* A resource the account does not have (docs/models.md): the table's 404 text. */
        bool missing = req->model.missing;
        mock_response_error(resp, missing ? BRK_AWS_RESOURCE_NOT_FOUND : BRK_AWS_VALIDATION,
                            missing ? NULL : S_MSG_INVALID_MODEL);
        return false;
    }
    const struct mock_model *m = req->model.model;
    /* CountTokens has its own id rules (ops/count_tokens.c): it takes the base id. */
    if (req->model.kind == MOCK_MODEL_FOUNDATION && !m->on_demand && req->route.op != BRK_OP_COUNT_TOKENS) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_ON_DEMAND, m->id);
        return false;
    }
    bool converse = brk_op_has(req->route.op, BRK_OPT_CONVERSE_SHAPE);
    /* "The Converse API doesn't support imported models." (the modelId doc of the service model) */
    if (converse && (!m->converse || req->model.kind == MOCK_MODEL_IMPORTED)) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_UNSUPPORTED_MODEL);
        return false;
    }
    return !converse || req->model.kind != MOCK_MODEL_PROMPT || mock_prompt_apply(mock->catalog, req, resp);
}

/* Operations whose simulation has not landed answer in Bedrock's error shape, so an SDK
 * raises a proper ClientError instead of failing to parse. */
static void s_not_simulated(struct mock_request *req, struct mock_response *resp)
{
    mock_response_errorf(resp, BRK_AWS_VALIDATION, "bedrock-mock does not simulate %s yet.",
                         brk_op_name(req->route.op));
}

/* The entry point of each simulated operation (ops/ops.h); a missing one is not simulated. */
static const mock_op_fn s_ops[BRK_OP_COUNT] = {
    [BRK_OP_CONVERSE] = mock_op_converse,
    [BRK_OP_CONVERSE_STREAM] = mock_op_converse_stream,
    [BRK_OP_INVOKE_MODEL] = mock_op_invoke_model,
    [BRK_OP_INVOKE_MODEL_STREAM] = mock_op_invoke_model_stream,
    [BRK_OP_COUNT_TOKENS] = mock_op_count_tokens,
    [BRK_OP_APPLY_GUARDRAIL] = mock_op_apply_guardrail,
    [BRK_OP_START_ASYNC_INVOKE] = mock_op_start_async_invoke,
    [BRK_OP_GET_ASYNC_INVOKE] = mock_op_get_async_invoke,
    [BRK_OP_LIST_ASYNC_INVOKES] = mock_op_list_async_invokes,
};

static void s_run_operation(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (brk_op_info(req->route.op) && s_ops[req->route.op]) {
        s_ops[req->route.op](mock, req, resp);
    } else {
        s_not_simulated(req, resp);
    }
}

/* Copy with truncation: journal fields are bounded, and a long value is cut, not refused. */
static void s_copy(char *dst, size_t dst_len, const char *src)
{
    size_t n = src ? strnlen(src, dst_len - 1) : 0;
    if (n) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

/* Moves resp->journal_extra into the entry and taps a streamed body (hence `resp` is not const). */
static void s_record(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp, int64_t started_us)
{
    struct mock_journal_entry e;
    memset(&e, 0, sizeof(e));
    e.time_ms = req->start_ms;
    e.duration_us = brk_clock_monotonic_us() - started_us;
    s_copy(e.request_id, sizeof(e.request_id), req->request_id);
    s_copy(e.method, sizeof(e.method), req->method);
    s_copy(e.path, sizeof(e.path), req->url);
    s_copy(e.operation, sizeof(e.operation), brk_op_name(req->route.op));
    s_copy(e.model_id, sizeof(e.model_id), mock_route_resource(&req->route));
    s_copy(e.account, sizeof(e.account), req->account);
    s_copy(e.auth, sizeof(e.auth), req->auth_outcome);
    e.status = resp->status;
    s_copy(e.error_code, sizeof(e.error_code), resp->error ? resp->error->code : NULL);
    s_copy(e.error_message, sizeof(e.error_message), resp->error ? resp->error_message : NULL);
    s_copy(e.invocation_id, sizeof(e.invocation_id), mock_request_header(req, "amz-sdk-invocation-id"));
    s_copy(e.sdk_request, sizeof(e.sdk_request), mock_request_header(req, "amz-sdk-request"));
    mock_journal_parse_sdk_request(e.sdk_request, &e.attempt, &e.max_attempts);
    struct brk_cachepoint_counts counts = {0, 0, 0, 0};
    if (req->cache_plan) { /* the cache-points stage's scan counted every one, listed or not */
        counts = req->cache_plan->scan.counts;
    } else if (!req->cache_plan_none) { /* that stage found none: no walk to count them */
        brk_cachepoint_count(req->json, &counts);
    }
    e.cache_points_system = counts.system;
    e.cache_points_tools = counts.tools;
    e.cache_points_messages = counts.messages;
    e.extra = resp->journal_extra;
    resp->journal_extra = NULL;
    /* bodies: copied raw (masked, bounded), a stream tapped as it is sent (admin/journal_body.h) */
    mock_journal_record(mock->journal, &e, req, resp, mock->cfg.admin_token);
}

/* The stages in order (docs/architecture.md, "A request's path"). */
static const struct {
    const char *name;
    mock_stage_fn fn;
} s_stages[] = {
    {"auth", mock_stage_auth},
    {"record", mock_stage_record}, /* replay/: with --record, upstream answers from here on */
    {"body", s_stage_body},
    {"schema", mock_stage_schema},
    {"model", s_stage_model},
    {"conversation", mock_stage_validate},
    {"cache_points", mock_stage_cache_points},
    {"documents", mock_stage_validate_documents},
    {"rules", mock_stage_rules},
    {"quota", mock_stage_quota},
};

#define S_N_STAGES (sizeof(s_stages) / sizeof(s_stages[0]))
#define S_STEP_OPERATION (1 + S_N_STAGES)
#define S_STEP_JOURNAL (2 + S_N_STAGES)
_Static_assert(S_STEP_JOURNAL < MOCK_PIPELINE_MAX_STEPS, "mock_pipeline_times is too small for the stages");

/* Only a timed run reads the clock: an untimed request pays nothing for the option. */
static int64_t s_now_ns(const struct mock_pipeline_times *times)
{
    struct timespec ts = {0, 0};
    if (times) {
        clock_gettime(times->cpu_time ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    }
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Charge the time since *since to step `step`, and start the next lap. */
static void s_lap(struct mock_pipeline_times *times, size_t step, const char *name, int64_t *since)
{
    if (!times) {
        return;
    }
    int64_t now = s_now_ns(times);
    times->name[step] = name;
    times->ns[step] += (uint64_t)(now - *since);
    times->n = times->n > step + 1 ? times->n : step + 1;
    *since = now;
}

/* Run the stages in order; the name of the one that refused, or NULL when all passed. */
static const char *s_run_stages(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp,
                                struct mock_pipeline_times *times, int64_t *lap)
{
    for (size_t i = 0; i < S_N_STAGES; i++) {
        bool go_on = s_stages[i].fn(mock, req, resp);
        s_lap(times, 1 + i, s_stages[i].name, lap);
        if (!go_on) {
            return s_stages[i].name;
        }
    }
    return NULL;
}

/* Everything after routing for a service operation: the stages, then the operation. */
static void s_serve(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp,
                    struct mock_pipeline_times *times, int64_t *lap)
{
    const char *refused = s_run_stages(mock, req, resp, times, lap);
    if (refused) {
        if (strcmp(refused, "record") != 0) { /* a recorded answer is upstream's, not a refusal */
            mock_journal_extra_add(resp, "rejected_by_stage", cJSON_CreateString(refused));
        }
        return;
    }
    if (!mock_replay_answer(mock, req, resp)) { /* replay/: a cassette's answer, after the rules */
        s_run_operation(mock, req, resp);
    }
    mock_quota_settle(mock, req, resp);
    s_lap(times, S_STEP_OPERATION, "operation", lap);
}

void mock_dispatch_timed(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp,
                         struct mock_pipeline_times *times)
{
    int64_t started_us = brk_clock_monotonic_us();
    int64_t lap = s_now_ns(times);
    req->start_ms = brk_clock_now_ms(mock->clock);
    brk_rng_uuid(&mock->rng, req->request_id);
    mock_response_add_header(resp, "x-amzn-RequestId", req->request_id);
    enum mock_route_to to = mock_route(req);
    s_lap(times, 0, "route", &lap);
    if (to == MOCK_ROUTE_NOWHERE || (to == MOCK_ROUTE_ADMIN && mock->cfg.no_admin)) {
        /* with --no-admin, /_mock/ is a path like any other */
        mock_response_error(resp, BRK_AWS_UNKNOWN_OPERATION, NULL);
    } else if (to == MOCK_ROUTE_ADMIN) {
        if (mock_admin_authorized(mock, req, resp)) {
            mock_admin_handle(mock, req, resp);
        }
        return; /* admin calls are not part of the traffic under test */
    } else {
        s_serve(mock, req, resp, times, &lap);
    }
    s_record(mock, req, resp, started_us);
    s_lap(times, S_STEP_JOURNAL, "journal", &lap);
    brk_log_debug("%s %s -> %d %s", req->method, req->url, resp->status, resp->error ? resp->error->code : "");
}

void mock_dispatch(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    mock_dispatch_timed(mock, req, resp, NULL);
}
