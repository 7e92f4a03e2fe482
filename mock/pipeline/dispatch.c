/*
 * dispatch.c: the request pipeline, in the order the real service applies its checks:
 * route -> authenticate -> read the body -> schema (Smithy constraints) -> resolve the model
 * -> validate (conversation rules) -> cache points -> document rule -> operation.
 * Each stage either passes or fills `resp` with Bedrock's error and stops. Every request,
 * failed or not, is recorded in the journal.
 */
#include <stdio.h>
#include <string.h>

#include "common/cachepoint.h"
#include "common/log.h"
#include "mock/admin/journal.h"
#include "mock/mock_priv.h"
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
#define S_MSG_ON_DEMAND                                                                            \
    "Invocation of model ID %s with on-demand throughput isn\u2019t supported. Retry your request " \
    "with the ID or ARN of an inference profile that contains this model."
#define S_MSG_UNSUPPORTED_MODEL                                                                    \
    "This action doesn't support the model that you provided. Try again with a supported text or " \
    "chat model."

static bool s_is_model_op(enum mock_op op)
{
    return op == MOCK_OP_CONVERSE || op == MOCK_OP_CONVERSE_STREAM || op == MOCK_OP_INVOKE_MODEL ||
           op == MOCK_OP_INVOKE_MODEL_STREAM || op == MOCK_OP_INVOKE_MODEL_BIDI || op == MOCK_OP_COUNT_TOKENS;
}

static bool s_is_json_op(enum mock_op op)
{
    return op != MOCK_OP_INVOKE_MODEL && op != MOCK_OP_INVOKE_MODEL_STREAM && op != MOCK_OP_INVOKE_MODEL_BIDI &&
           op != MOCK_OP_GET_ASYNC_INVOKE && op != MOCK_OP_LIST_ASYNC_INVOKES;
}

/* Body limits and JSON parsing. Coral-style services answer an unparsable body with a
 * SerializationException before any validation runs. */
static bool s_stage_body(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (req->body_too_large) {
        mock_response_error(resp, BRK_AWS_REQUEST_TOO_LARGE, NULL);
        return false;
    }
    if (!s_is_json_op(req->op)) {
        return true;
    }
    /* A NUL byte is never valid JSON text (RFC 8259 section 7), and cJSON would read a string up
     * to it and drop the rest, so "a\0b" would reach the model as "a" (tests/test_hostile.c). */
    bool has_nul = req->body && memchr(req->body, '\0', req->body_len) != NULL;
    req->json = has_nul ? NULL : cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    if (!req->json || !cJSON_IsObject(req->json)) {
        mock_response_error(resp, BRK_AWS_SERIALIZATION, NULL);
        return false;
    }
    return true;
}

/* Resolve {modelId} against the catalogue, with the messages Bedrock gives for each miss. */
static bool s_stage_model(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!s_is_model_op(req->op)) {
        return true;
    }
    if (mock_catalog_resolve(mock->catalog, req->model_id, &req->model) != BRK_OK) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_INVALID_MODEL);
        return false;
    }
    const struct mock_model *m = req->model.model;
    if (req->model.kind == MOCK_MODEL_FOUNDATION && !m->on_demand) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_ON_DEMAND, m->id);
        return false;
    }
    bool converse = req->op == MOCK_OP_CONVERSE || req->op == MOCK_OP_CONVERSE_STREAM;
    if (converse && !m->converse) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_UNSUPPORTED_MODEL);
        return false;
    }
    return true;
}

/* Operations whose simulation has not landed answer in Bedrock's error shape, so an SDK
 * raises a proper ClientError instead of failing to parse. */
static void s_not_simulated(struct mock_request *req, struct mock_response *resp)
{
    mock_response_errorf(resp, BRK_AWS_VALIDATION, "bedrock-mock does not simulate %s yet.", mock_op_name(req->op));
}

static void s_run_operation(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    switch (req->op) {
    case MOCK_OP_CONVERSE:
        mock_op_converse(mock, req, resp);
        break;
    case MOCK_OP_CONVERSE_STREAM:
        mock_op_converse_stream(mock, req, resp);
        break;
    case MOCK_OP_INVOKE_MODEL:
        mock_op_invoke_model(mock, req, resp);
        break;
    case MOCK_OP_INVOKE_MODEL_STREAM:
        mock_op_invoke_model_stream(mock, req, resp);
        break;
    case MOCK_OP_COUNT_TOKENS:
        mock_op_count_tokens(mock, req, resp);
        break;
    case MOCK_OP_APPLY_GUARDRAIL:
        mock_op_apply_guardrail(mock, req, resp);
        break;
    case MOCK_OP_START_ASYNC_INVOKE:
        mock_op_start_async_invoke(mock, req, resp);
        break;
    case MOCK_OP_GET_ASYNC_INVOKE:
        mock_op_get_async_invoke(mock, req, resp);
        break;
    case MOCK_OP_LIST_ASYNC_INVOKES:
        mock_op_list_async_invokes(mock, req, resp);
        break;
    default:
        s_not_simulated(req, resp);
        break;
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

static void s_record(struct brk_mock *mock, const struct mock_request *req, const struct mock_response *resp,
                     int64_t started_us)
{
    struct mock_journal_entry e;
    memset(&e, 0, sizeof(e));
    e.time_ms = req->start_ms;
    e.duration_us = brk_clock_monotonic_us() - started_us;
    s_copy(e.request_id, sizeof(e.request_id), req->request_id);
    s_copy(e.method, sizeof(e.method), req->method);
    s_copy(e.path, sizeof(e.path), req->url);
    s_copy(e.operation, sizeof(e.operation), mock_op_name(req->op));
    s_copy(e.model_id, sizeof(e.model_id), req->model_id);
    s_copy(e.account, sizeof(e.account), req->account);
    s_copy(e.auth, sizeof(e.auth), req->auth_outcome);
    e.status = resp->status;
    s_copy(e.error_code, sizeof(e.error_code), resp->error ? resp->error->code : NULL);
    s_copy(e.error_message, sizeof(e.error_message), resp->error ? resp->error_message : NULL);
    s_copy(e.invocation_id, sizeof(e.invocation_id), mock_request_header(req, "amz-sdk-invocation-id"));
    s_copy(e.sdk_request, sizeof(e.sdk_request), mock_request_header(req, "amz-sdk-request"));
    mock_journal_parse_sdk_request(e.sdk_request, &e.attempt, &e.max_attempts);
    struct brk_cachepoint_counts counts;
    brk_cachepoint_count(req->json, &counts);
    e.cache_points_system = counts.system;
    e.cache_points_tools = counts.tools;
    e.cache_points_messages = counts.messages;
    e.extra = resp->journal_extra;
    mock_journal_add(mock->journal, &e);
    ((struct mock_response *)resp)->journal_extra = NULL;
}

void mock_dispatch(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    int64_t started_us = brk_clock_monotonic_us();
    req->start_ms = brk_clock_now_ms(mock->clock);
    brk_rng_uuid(&mock->rng, req->request_id);
    mock_response_add_header(resp, "x-amzn-RequestId", req->request_id);
    bool routed = mock_route(req);
    if (!routed || (req->op == MOCK_OP_ADMIN && mock->cfg.no_admin)) {
        req->op = MOCK_OP_UNKNOWN; /* with --no-admin, /_mock/ is a path like any other */
        mock_response_error(resp, BRK_AWS_UNKNOWN_OPERATION, NULL);
    } else if (req->op == MOCK_OP_ADMIN) {
        if (mock_admin_authorized(mock, req, resp)) {
            mock_admin_handle(mock, req, resp);
        }
        return; /* admin calls are not part of the traffic under test */
    } else if (mock_stage_auth(mock, req, resp) && !mock_record_forward(mock, req, resp) && s_stage_body(mock, req, resp) &&
               mock_stage_schema(mock, req, resp) && s_stage_model(mock, req, resp) &&
               mock_stage_validate(mock, req, resp) && mock_stage_cache_points(mock, req, resp) &&
               mock_stage_validate_documents(mock, req, resp) && mock_stage_rules(mock, req, resp) &&
               mock_stage_quota(mock, req, resp)) {
        if (!mock_replay_answer(mock, req, resp)) { /* replay/: a cassette's answer, after the rules */
            s_run_operation(mock, req, resp);
        }
        mock_quota_reconcile(mock, req, resp);
    }
    s_record(mock, req, resp, started_us);
    brk_log_debug("%s %s -> %d %s", req->method, req->url, resp->status, resp->error ? resp->error->code : "");
}
