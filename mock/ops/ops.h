/*
 * operations.h (mock-private): the smaller operations that have no module header of their own.
 * Each fills `resp` with Bedrock's answer or error; sources in docs/operations.md.
 */
#ifndef MOCK_OPERATIONS_H
#define MOCK_OPERATIONS_H

#include <stdbool.h>

#include "mock/mock_priv.h"

/* count_tokens.c: POST /model/{modelId}/count-tokens. */
void mock_op_count_tokens(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* async_invoke.c: StartAsyncInvoke, GetAsyncInvoke, ListAsyncInvokes as an account whose
 * output bucket the service cannot reach (the mock has no S3). */
void mock_op_start_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_get_async_invoke(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_list_async_invokes(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

struct mock_pattern;

/* validate.c: whether `value`, the member at `path`, fully matches `pattern` (schema.h's
 * matcher; NULL matches anything). If not, fills `resp` with Coral's one-violation
 * ValidationException quoting the value and the pattern's source, and returns false. */
bool mock_check_pattern(struct mock_response *resp, const struct mock_pattern *pattern, const char *path,
                        const char *value);

#endif
