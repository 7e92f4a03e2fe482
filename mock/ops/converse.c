/* converse.c: POST /model/{modelId}/converse, and the reply every Converse-shaped operation builds. */
#include "mock/ops/ops.h"
#include "mock/cache/sim.h"
#include "mock/ops/guardrail.h"
#include "mock/model/reply.h"
#include "mock/rules/rules.h"

uint64_t mock_answer_latency_ms(const struct brk_mock *mock, const struct mock_request *req,
                                const struct mock_response *resp)
{
    int64_t elapsed_ms = brk_clock_now_ms(mock->clock) - req->start_ms;
    return (uint64_t)(elapsed_ms > 0 ? elapsed_ms : 0) + resp->fault.delay_ms;
}

void mock_converse_build_reply(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                               struct mock_response *resp)
{
    mock_reply_generate(mock, req, reply);
    mock_cache_simulate(mock, req, reply, resp);
    mock_rules_apply_reply(req, reply);
    mock_guardrail_converse(mock, req, reply); /* last: it sees the final answer */
    reply->latency_ms = mock_answer_latency_ms(mock, req, resp);
    resp->usage = (struct mock_usage_report){true, reply->input_tokens, reply->output_tokens, reply->cache.read_tokens,
                                             reply->cache.write_tokens};
}

void mock_op_converse(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_reply reply;
    mock_reply_init(&reply);
    mock_converse_build_reply(mock, req, &reply, resp);
    cJSON *doc = mock_reply_converse_json(&reply);
    mock_response_json(resp, 200, doc);
    cJSON_Delete(doc);
    mock_reply_clean_up(&reply);
}
