/*
 * async_invoke.c: the async-invoke operations, answered as for an account whose output
 * bucket Bedrock cannot write to. The mock has no S3, so no job ever starts:
 *   StartAsyncInvoke  -> the service model's constraints first (ValidationException), then
 *                        AccessDeniedException naming the S3 location;
 *   ListAsyncInvokes  -> an empty list;
 *   GetAsyncInvoke    -> ValidationException for any ARN (there are no invocations).
 * The texts of the last two errors are the mock's own (docs/operations.md says so).
 */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "mock/ops/ops.h"
#include "mock/validate/schema.h"

#define S_MSG_NULL \
    "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null"
#define S_PATTERN_INVOCATION "arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:async-invoke/[a-z0-9]{12}"
#define S_MSG_NO_S3                                                                                     \
    "Amazon Bedrock cannot write to the output location %s. Check that the bucket exists and that the " \
    "caller has s3:PutObject permission on it."
#define S_MSG_NOT_FOUND "The invocation %s was not found."

/* InvocationArn's pattern, from the service model. GetAsyncInvoke is not among the operations
 * schema_data.c covers, so its one constraint is stated here in the schema's form (the POSIX
 * text anchored as a whole-value match), for the schema's matcher. */
static const struct mock_pattern s_invocation_arn = {
    .source = S_PATTERN_INVOCATION,
    .posix = "^(" S_PATTERN_INVOCATION ")$",
};

void mock_op_start_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    const cJSON *s3 =
        brk_json_get(brk_json_get(brk_json_get(req->json, "outputDataConfig"), "s3OutputDataConfig"), "s3Uri");
    const char *uri = cJSON_GetStringValue(s3);
    if (!brk_json_get(req->json, "modelId")) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_NULL, "modelId");
    } else if (!brk_json_get(req->json, "modelInput")) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_NULL, "modelInput");
    } else if (!brk_json_get(req->json, "outputDataConfig")) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_NULL, "outputDataConfig");
    } else if (!uri) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_NULL, "outputDataConfig.s3OutputDataConfig.s3Uri");
    } else if (mock_check_pattern(resp, mock_schema_pattern("S3Uri"), "outputDataConfig.s3OutputDataConfig.s3Uri",
                                  uri)) { /* a bad URI got its ValidationException from the check */
        mock_response_errorf(resp, BRK_AWS_ACCESS_DENIED, S_MSG_NO_S3, uri);
    }
}

void mock_op_get_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (mock_check_pattern(resp, &s_invocation_arn, "invocationArn", req->route.label[BRK_OP_LABEL_INVOCATION_ARN])) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_NOT_FOUND, req->route.label[BRK_OP_LABEL_INVOCATION_ARN]);
    }
}

void mock_op_list_async_invokes(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    (void)req;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddArrayToObject(out, "asyncInvokeSummaries");
    mock_response_json(resp, 200, out);
    cJSON_Delete(out);
}
