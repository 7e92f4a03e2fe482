/*
 * count_tokens.c: POST /model/{modelId}/count-tokens.
 *
 * inputTokens is the same walk (common/converse_walk.c) that Converse's usage comes from, so for the same
 * request CountTokens answers inputTokens + cacheReadInputTokens + cacheWriteInputTokens of
 * Converse. An invokeModel input (base64 native body) is first mapped to its Converse form,
 * exactly as InvokeModel does.
 *
 * Its id rules are its own (docs/models.md, "CountTokens"): the base id of a model that
 * supports counting is answered even when Converse needs a profile for it; a profile id (geo
 * or application) or a model without counting gets S_MSG_NO_COUNT.
 */
#include <stdlib.h>
#include <string.h>

#include "mock/ops/invoke.h"
#include "mock/ops/ops.h"
#include "common/base64.h"
#include "common/converse_walk.h"
#include "mock/model/family.h"

/* Live-recorded for a geo-profile id (model-families.md section 5). */
#define S_MSG_NO_COUNT "The provided model doesn't support counting tokens."
#define S_MSG_INPUT_NULL \
    "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null"
/* The decoded InvokeModel body is bounded like the request that carried it (base64 text of at
 * most 64 MiB, far above --max-body-bytes' default), so no input can make it grow unbounded. */
#define S_MAX_INVOKE_BODY (48u * 1024u * 1024u)
#define S_MSG_ONE_MEMBER "Exactly one of converse or invokeModel must be set in input."
#define S_MSG_BODY_NULL                                                                                  \
    "1 validation error detected: Value null at 'input.invokeModel.body' failed to satisfy constraint: " \
    "Member must not be null"

static uint64_t s_invoke_tokens(const struct mock_request *req, const cJSON *invoke, struct mock_response *resp,
                                bool *ok)
{
    const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(invoke, "body"));
    *ok = false;
    if (!b64) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_BODY_NULL);
        return 0;
    }
    struct brk_buf body;
    brk_buf_init(&body, S_MAX_INVOKE_BODY);
    if (brk_base64_decode(b64, strlen(b64), &body) != BRK_OK) {
        brk_buf_clean_up(&body);
        mock_response_error(resp, BRK_AWS_SERIALIZATION, NULL);
        return 0;
    }
    cJSON *mapped = mock_invoke_map(req->model.model, body.data ? body.data : "", body.len, resp, NULL);
    brk_buf_clean_up(&body);
    if (!mapped) {
        return 0;
    }
    struct brk_token_profile profile;
    mock_model_token_profile(req->model.model, &profile);
    uint64_t n = brk_converse_input_tokens(mapped, &profile);
    cJSON_Delete(mapped);
    *ok = true;
    return n;
}

void mock_op_count_tokens(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (req->model.kind != MOCK_MODEL_FOUNDATION || !req->model.model->count_tokens) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_NO_COUNT);
        return;
    }
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(req->json, "input");
    if (!cJSON_IsObject(input)) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_INPUT_NULL);
        return;
    }
    const cJSON *converse = cJSON_GetObjectItemCaseSensitive(input, "converse");
    const cJSON *invoke = cJSON_GetObjectItemCaseSensitive(input, "invokeModel");
    if ((converse != NULL) == (invoke != NULL)) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_ONE_MEMBER);
        return;
    }
    bool ok = true;
    struct brk_token_profile profile;
    mock_model_token_profile(req->model.model, &profile);
    uint64_t tokens =
        converse ? brk_converse_input_tokens(converse, &profile) : s_invoke_tokens(req, invoke, resp, &ok);
    if (!ok) {
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "inputTokens", (double)tokens);
    mock_response_json(resp, 200, out);
    cJSON_Delete(out);
}
