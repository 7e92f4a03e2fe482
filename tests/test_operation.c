/*
 * The operation table (common/operation.h): names, paths built the way botocore builds them,
 * every path routed back by the mock's router to the same operation and labels, and the
 * table checked against the service model when the shared spec is present (skipped when not).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/operation.h"
#include "mock/pipeline/router.h"
#include "tests/support/harness.h"

/* Labels with every character class botocore must encode: ':' and '/' of an ARN, a space, a
 * '+', a non-ASCII byte, and the four unreserved punctuation marks it keeps. */
static const struct brk_op_labels s_labels = {{
    [BRK_OP_LABEL_MODEL_ID] = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.x-v1:0",
    [BRK_OP_LABEL_GUARDRAIL_ID] = "gr 1+a/b",
    [BRK_OP_LABEL_GUARDRAIL_VERSION] = "DRAFT~_.-\xc3\xa9",
    [BRK_OP_LABEL_INVOCATION_ARN] = "arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc",
}};

static void s_path(enum brk_op op, const struct brk_op_labels *labels, struct brk_buf *out)
{
    brk_buf_init(out, 8192);
    cr_assert_eq(brk_op_path(op, labels, out), BRK_OK, "%s", brk_op_name(op));
}

Test(operation, names_parse_back_to_their_operation)
{
    for (int i = 0; i < BRK_OP_COUNT; i++) {
        enum brk_op op = (enum brk_op)i;
        cr_assert_eq(brk_op_parse(brk_op_name(op)), op, "%s", brk_op_name(op));
        cr_assert_not_null(brk_op_info(op));
    }
    cr_assert_eq(brk_op_parse("converse"), BRK_OP_UNKNOWN, "names are case-sensitive");
    cr_assert_eq(brk_op_parse("Admin"), BRK_OP_UNKNOWN, "the mock's admin API is not a service operation");
    cr_assert_eq(brk_op_parse(NULL), BRK_OP_UNKNOWN);
    cr_assert_str_eq(brk_op_name(BRK_OP_UNKNOWN), "Unknown");
    cr_assert_null(brk_op_info(BRK_OP_COUNT));
    cr_assert_not(brk_op_has(BRK_OP_UNKNOWN, 0), "an unknown operation has no traits, not even none");
}

Test(operation, path_encodes_labels_as_botocore_does)
{
    struct brk_buf out;
    struct brk_op_labels model = {{[BRK_OP_LABEL_MODEL_ID] = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"}};
    s_path(BRK_OP_CONVERSE, &model, &out);
    /* client-facts.md §4, step 1: the wire path of this very model id. */
    cr_assert_str_eq(out.data, "/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
    brk_buf_clean_up(&out);
    s_path(BRK_OP_APPLY_GUARDRAIL, &s_labels, &out);
    cr_assert_str_eq(out.data, "/guardrail/gr%201%2Ba%2Fb/version/DRAFT~_.-%C3%A9/apply");
    brk_buf_clean_up(&out);
    s_path(BRK_OP_LIST_ASYNC_INVOKES, NULL, &out);
    cr_assert_str_eq(out.data, "/async-invoke", "a template without labels needs none");
    brk_buf_clean_up(&out);
}

Test(operation, path_refuses_missing_labels_unknown_operations_and_full_buffers)
{
    struct brk_buf out;
    brk_buf_init(&out, 8192);
    struct brk_op_labels empty = {{[BRK_OP_LABEL_MODEL_ID] = ""}};
    struct brk_op_labels version_only = {{[BRK_OP_LABEL_GUARDRAIL_VERSION] = "1"}};
    cr_assert_eq(brk_op_path(BRK_OP_CONVERSE, NULL, &out), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_op_path(BRK_OP_CONVERSE, &empty, &out), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_op_path(BRK_OP_APPLY_GUARDRAIL, &version_only, &out), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_op_path(BRK_OP_UNKNOWN, &s_labels, &out), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_op_path(BRK_OP_COUNT, &s_labels, &out), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_op_path(BRK_OP_CONVERSE, &s_labels, NULL), BRK_ERR_INVALID_ARG);
    brk_buf_clean_up(&out);
    brk_buf_init(&out, 16);
    cr_assert_eq(brk_op_path(BRK_OP_CONVERSE, &s_labels, &out), BRK_ERR_TOO_LARGE);
    brk_buf_clean_up(&out);
}

Test(operation, every_path_routes_back_to_its_operation_and_labels)
{
    for (int i = 0; i < BRK_OP_COUNT; i++) {
        enum brk_op op = (enum brk_op)i;
        struct brk_buf path;
        s_path(op, &s_labels, &path);
        struct mock_request req;
        mock_request_build(&req, brk_op_info(op)->method, path.data, NULL, NULL, 0);
        cr_assert_eq(mock_route(&req), MOCK_ROUTE_OPERATION, "%s %s", brk_op_info(op)->method, path.data);
        cr_assert_eq(req.route.op, op, "%s routed to %s", path.data, brk_op_name(req.route.op));
        const char *tmpl = brk_op_info(op)->path;
        for (int l = 0; l < BRK_OP_LABEL_COUNT; l++) {
            char name[40];
            snprintf(name, sizeof(name), "{%s}", brk_op_label_name((enum brk_op_label)l));
            if (strstr(tmpl, name)) {
                cr_assert_str_eq(req.route.label[l], s_labels.value[l], "%s %s", path.data, name);
            } else {
                cr_assert_str_eq(req.route.label[l], "", "%s: %s is not in the template", path.data, name);
            }
        }
        mock_request_clean_up(&req);
        brk_buf_clean_up(&path);
    }
}

Test(operation, label_names_parse_and_others_do_not)
{
    for (int l = 0; l < BRK_OP_LABEL_COUNT; l++) {
        const char *name = brk_op_label_name((enum brk_op_label)l);
        cr_assert_eq(brk_op_label_parse(name, strlen(name)), (enum brk_op_label)l, "%s", name);
    }
    cr_assert_null(brk_op_label_name(BRK_OP_LABEL_COUNT));
    cr_assert_eq(brk_op_label_parse("modelId", 7), BRK_OP_LABEL_MODEL_ID);
    cr_assert_eq(brk_op_label_parse("invocationArn", 13), BRK_OP_LABEL_INVOCATION_ARN);
    cr_assert_eq(brk_op_label_parse("modelIdX", 8), BRK_OP_LABEL_COUNT);
    cr_assert_eq(brk_op_label_parse("model", 5), BRK_OP_LABEL_COUNT);
}

/* ---- against the service model ------------------------------------------------------ */

static const cJSON *s_get(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* The traits the model implies for `operation` (all but BRK_OPT_QUOTA, a quota fact). */
static unsigned s_model_traits(const cJSON *shapes, const cJSON *operation)
{
    const cJSON *input = s_get(shapes, s_get(s_get(operation, "input"), "shape")->valuestring);
    const cJSON *output = s_get(shapes, cJSON_GetStringValue(s_get(s_get(operation, "output"), "shape")));
    unsigned traits = 0;
    bool body_member = false;
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, s_get(input, "members"))
    {
        body_member = body_member || !s_get(m, "location");
    }
    traits |= body_member && !s_get(input, "payload") ? BRK_OPT_JSON_BODY : 0;
    traits |= strstr(s_get(s_get(operation, "http"), "requestUri")->valuestring, "{modelId}") ? BRK_OPT_MODEL : 0;
    /* messages alone is not enough: InvokeGuardrailChecks has guardrail messages. */
    const cJSON *members = s_get(input, "members");
    traits |= s_get(members, "messages") && s_get(members, "system") && s_get(members, "toolConfig")
                  ? BRK_OPT_CONVERSE_SHAPE
                  : 0;
    cJSON_ArrayForEach(m, s_get(output, "members"))
    {
        const cJSON *shape = s_get(shapes, s_get(m, "shape")->valuestring);
        traits |= cJSON_IsTrue(s_get(shape, "eventstream")) ? BRK_OPT_STREAM : 0;
    }
    return traits;
}

Test(operation, table_matches_the_service_model)
{
    cJSON *model = th_service_model();
    cr_assert_not_null(model, "fixtures/service-model/.../service-2.json is missing or not JSON");
    const cJSON *shapes = s_get(model, "shapes");
    const cJSON *operation = NULL;
    int n = 0;
    cJSON_ArrayForEach(operation, s_get(model, "operations"))
    {
        enum brk_op op = brk_op_parse(operation->string);
        cr_assert_neq(op, BRK_OP_UNKNOWN, "%s is missing from common/operation.h", operation->string);
        const struct brk_op_info *info = brk_op_info(op);
        const cJSON *http = s_get(operation, "http");
        cr_expect_str_eq(info->method, s_get(http, "method")->valuestring, "%s", info->name);
        cr_expect_str_eq(info->path, s_get(http, "requestUri")->valuestring, "%s", info->name);
        cr_expect_str_eq(info->input_shape, s_get(s_get(operation, "input"), "shape")->valuestring, "%s", info->name);
        cr_expect_eq(info->traits & ~(unsigned)BRK_OPT_QUOTA, s_model_traits(shapes, operation), "%s: %#x", info->name,
                     info->traits);
        n++;
    }
    cr_expect_eq(n, BRK_OP_COUNT, "the model has %d operations, the table %d", n, BRK_OP_COUNT);
    cJSON_Delete(model);
}

Test(operation, quota_counts_only_model_invocations_that_generate_tokens)
{
    /* docs/rules.md#quotas: Converse and InvokeModel, streaming or not; CountTokens is free. */
    cr_assert(brk_op_has(BRK_OP_CONVERSE, BRK_OPT_QUOTA | BRK_OPT_MODEL));
    cr_assert(brk_op_has(BRK_OP_INVOKE_MODEL_STREAM, BRK_OPT_QUOTA));
    cr_assert_not(brk_op_has(BRK_OP_COUNT_TOKENS, BRK_OPT_QUOTA));
    cr_assert_not(brk_op_has(BRK_OP_APPLY_GUARDRAIL, BRK_OPT_QUOTA));
    for (int i = 0; i < BRK_OP_COUNT; i++) {
        if (brk_op_has((enum brk_op)i, BRK_OPT_QUOTA)) {
            cr_assert(brk_op_has((enum brk_op)i, BRK_OPT_MODEL), "%s counts but names no model",
                      brk_op_name((enum brk_op)i));
        }
    }
}
