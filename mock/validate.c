/*
 * validate.c: the validation stage. Rejects what Bedrock rejects, with Bedrock's words
 * (texts and sources in docs/validation.md).
 */
#include <stdio.h>
#include <string.h>

#include "mock/stages.h"

#define S_MSG_MAX_TOKENS                                                                          \
    "The maximum tokens you requested exceed the model limit of %llu. Try again with a maximum " \
    "tokens value lower than %llu."

static bool s_check_max_tokens(const struct mock_request *req, struct mock_response *resp)
{
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(req->json, "inferenceConfig");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(config, "maxTokens");
    const struct mock_model *m = req->model.model;
    if (!cJSON_IsNumber(max) || !m || !m->max_output_tokens || max->valuedouble <= (double)m->max_output_tokens) {
        return true;
    }
    unsigned long long limit = (unsigned long long)m->max_output_tokens;
    mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_MAX_TOKENS, limit, limit);
    return false;
}

bool mock_stage_validate(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (req->op != MOCK_OP_CONVERSE && req->op != MOCK_OP_CONVERSE_STREAM) {
        return true;
    }
    return s_check_max_tokens(req, resp);
}
