/*
 * ops.h (mock-private): every operation of the mock, one entry point each, called by the
 * pipeline (pipeline/dispatch.c) once every stage has let the request through.
 *
 * Each fills `resp` with Bedrock's answer or error (sources in docs/operations.md). Modules
 * with more than an entry point (stream.h, invoke.h, guardrail.h) keep the rest in their own
 * header.
 */
#ifndef MOCK_OPS_OPS_H
#define MOCK_OPS_OPS_H

#include <stdint.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

struct mock_reply;

/* Every operation's entry point has this signature (the table in pipeline/dispatch.c). */
typedef void (*mock_op_fn)(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* converse.c: build the model's answer to a Converse-shaped request: the deterministic reply,
 * then every step that shapes it (prompt caching, scripted replies, guardrails), and report
 * what it used in resp->usage (the quota settles with it). Converse, ConverseStream and
 * InvokeModel all call this, so they always agree. It cannot fail: every refusal happened in
 * an earlier stage. */
void mock_converse_build_reply(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                               struct mock_response *resp);

/* converse.c: metrics.latencyMs of an answer built now: the time the mock took so far on its
 * clock (real, or virtual time advanced meanwhile), plus the delay a rule adds before the
 * answer (docs/streaming.md). */
uint64_t mock_answer_latency_ms(const struct brk_mock *mock, const struct mock_request *req,
                                const struct mock_response *resp);

/* converse.c: POST /model/{modelId}/converse. */
void mock_op_converse(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* stream.c: POST /model/{modelId}/converse-stream. */
void mock_op_converse_stream(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* invoke.c: POST /model/{modelId}/invoke and /invoke-with-response-stream. */
void mock_op_invoke_model(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_invoke_model_stream(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* count_tokens.c: POST /model/{modelId}/count-tokens. */
void mock_op_count_tokens(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* guardrail.c: POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply. */
void mock_op_apply_guardrail(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* async_invoke.c: StartAsyncInvoke, GetAsyncInvoke, ListAsyncInvokes as an account whose
 * output bucket the service cannot reach (the mock has no S3). */
void mock_op_start_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_get_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_list_async_invokes(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

#endif
