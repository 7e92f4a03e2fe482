/* converse.c: POST /model/{modelId}/converse, and the answer for operations not built yet. */
#include <stdio.h>

#include "mock/cache/sim.h"
#include "mock/ops/guardrail.h"
#include "mock/rules/quota.h"
#include "mock/model/reply.h"
#include "mock/rules/rules.h"

bool mock_converse_build_reply(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                               struct mock_response *resp)
{
    mock_reply_generate(mock, req, reply);
    mock_cache_simulate(mock, req, reply, resp);
    mock_rules_apply_reply(req, reply);
    mock_guardrail_converse(mock, req, reply); /* last: it sees the final answer */
    mock_quota_note_reply(req, reply);
    return true;
}

void mock_op_converse(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_reply reply;
    mock_reply_init(&reply);
    if (!mock_converse_build_reply(mock, req, &reply, resp)) {
        mock_reply_clean_up(&reply);
        return;
    }
    cJSON *doc = mock_reply_converse_json(&reply);
    mock_response_json(resp, 200, doc);
    cJSON_Delete(doc);
    mock_reply_clean_up(&reply);
}

/* Operations whose simulation has not landed answer in Bedrock's error shape, so an SDK
 * raises a proper ClientError instead of failing to parse. */
void mock_op_not_implemented(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    mock_response_errorf(resp, BRK_AWS_VALIDATION, "bedrock-mock does not simulate %s yet.", mock_op_name(req->op));
}
