/* Unit tests of the rule engine without a socket: stream faults, reply shaping, the stage. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/mock_priv.h"
#include "mock/model/reply.h"
#include "mock/rules/rules.h"
#include "mock/pipeline/stages.h"

static struct brk_mock s_mock;
static struct mock_request s_req;
static struct mock_response s_resp;

static void s_setup(void)
{
    memset(&s_mock, 0, sizeof(s_mock));
    s_mock.rules = mock_rules_new();
    brk_rng_seed(&s_mock.rng, 1);
    mock_request_init(&s_req);
    mock_response_init(&s_resp);
    s_req.route.op = BRK_OP_CONVERSE_STREAM;
    snprintf(s_req.route.label[BRK_OP_LABEL_MODEL_ID], MOCK_MAX_LABEL + 1, "anthropic.claude-3-haiku-20240307-v1:0");
    s_req.json = cJSON_Parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}");
}

static void s_teardown(void)
{
    mock_request_clean_up(&s_req);
    mock_response_clean_up(&s_resp);
    mock_rules_destroy(s_mock.rules);
}

TestSuite(rules_units, .init = s_setup, .fini = s_teardown);

static void s_add(const char *json)
{
    char err[512] = "";
    cJSON *j = cJSON_Parse(json);
    cr_assert_eq(mock_rules_add_json(s_mock.rules, j, false, NULL, err, sizeof(err)), BRK_OK, "%s: %s", json, err);
    cJSON_Delete(j);
}

static enum brk_status s_try(const char *json, char *err, size_t err_len)
{
    cJSON *j = cJSON_Parse(json);
    enum brk_status rc = mock_rules_add_json(s_mock.rules, j, false, NULL, err, err_len);
    cJSON_Delete(j);
    return rc;
}

Test(rules_units, stream_faults_are_set_on_the_response)
{
    s_add("{\"match\":{\"operation\":\"ConverseStream\"},\"stream\":{\"exceptionAfterEvent\":3,"
          "\"exception\":\"throttlingException\",\"message\":\"Slow down.\",\"cutAfterEvent\":5,"
          "\"corruptCrcEvent\":2}}");
    cr_assert(mock_stage_rules(&s_mock, &s_req, &s_resp), "a stream fault lets the request go on");
    cr_assert_eq(s_resp.fault.stream.exception_after_event, 3);
    cr_assert_str_eq(s_resp.fault.stream.exception->code, "ThrottlingException");
    cr_assert_str_eq(s_resp.fault.stream.exception_message, "Slow down.");
    cr_assert_eq(s_resp.fault.stream.cut_after_event, 5);
    cr_assert_eq(s_resp.fault.stream.corrupt_crc_event, 2);
    cr_assert_eq(s_resp.status, 200);
}

Test(rules_units, stream_exception_defaults_to_model_stream_error)
{
    s_add("{\"stream\":{\"exceptionAfterEvent\":1}}");
    mock_stage_rules(&s_mock, &s_req, &s_resp);
    cr_assert_str_eq(s_resp.fault.stream.exception->stream_member, "modelStreamErrorException");
    cr_assert_str_eq(s_resp.fault.stream.exception_message, "", "empty = the table's default message");
}

Test(rules_units, stream_rules_need_an_event_number)
{
    char err[512] = "";
    cr_assert_eq(s_try("{\"stream\":{\"exception\":\"throttlingException\"}}", err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert(strstr(err, "exceptionAfterEvent") != NULL, "%s", err);
    cr_assert_eq(s_try("{\"stream\":{\"cutAfterEvent\":1,\"extra\":1}}", err, sizeof(err)), BRK_ERR_PARSE);
}

Test(rules_units, no_matching_rule_leaves_the_response_alone)
{
    s_add("{\"match\":{\"operation\":\"Converse\"},\"error\":\"ThrottlingException\"}");
    cr_assert(mock_stage_rules(&s_mock, &s_req, &s_resp));
    cr_assert_null(s_resp.error);
    cr_assert_null(s_resp.journal_extra);
    cr_assert_eq(s_resp.fault.close_after_bytes, -1);
}

Test(rules_units, error_rules_stop_the_pipeline_and_name_the_rule)
{
    s_add("{\"id\":\"x\",\"delayMs\":5,\"error\":\"InternalServerException\"}");
    cr_assert_not(mock_stage_rules(&s_mock, &s_req, &s_resp));
    cr_assert_eq(s_resp.status, 500);
    cr_assert_eq(s_resp.fault.delay_ms, 5);
    cr_assert_str_eq(cJSON_GetObjectItem(s_resp.journal_extra, "rule")->valuestring, "x");
}

Test(rules_units, scripted_reply_keeps_reasoning_and_replaces_the_rest)
{
    s_add("{\"reply\":{\"toolUse\":{\"name\":\"lookup\",\"toolUseId\":\"tooluse_fixed\"}}}");
    cr_assert(mock_stage_rules(&s_mock, &s_req, &s_resp));
    cr_assert_not_null(s_req.rule.reply);
    struct mock_reply reply;
    mock_reply_init(&reply);
    mock_reply_add(&reply, MOCK_BLOCK_REASONING)->text = strdup("thinking");
    mock_reply_add(&reply, MOCK_BLOCK_TEXT)->text = strdup("generated");
    mock_rules_apply_reply(&s_req, &reply);
    cr_assert_eq(reply.n_blocks, 2);
    cr_assert_eq(reply.blocks[0].kind, MOCK_BLOCK_REASONING);
    cr_assert_str_eq(reply.blocks[0].text, "thinking");
    cr_assert_eq(reply.blocks[1].kind, MOCK_BLOCK_TOOL_USE);
    cr_assert_str_eq(reply.blocks[1].tool_use_id, "tooluse_fixed");
    cr_assert(cJSON_IsObject(reply.blocks[1].tool_input), "input defaults to {}");
    cr_assert_str_eq(reply.stop_reason, "tool_use");
    cr_assert_gt(reply.output_tokens, 0);
    mock_reply_clean_up(&reply);
}

Test(rules_units, apply_reply_without_override_changes_nothing)
{
    struct mock_reply reply;
    mock_reply_init(&reply);
    mock_reply_add(&reply, MOCK_BLOCK_TEXT)->text = strdup("generated");
    reply.output_tokens = 9;
    mock_rules_apply_reply(&s_req, &reply);
    cr_assert_str_eq(reply.blocks[0].text, "generated");
    cr_assert_eq(reply.output_tokens, 9);
    mock_reply_clean_up(&reply);
}

Test(rules_units, listing_follows_priority_then_order)
{
    s_add("[{\"id\":\"a\",\"error\":\"ThrottlingException\"},{\"id\":\"b\",\"priority\":5,"
          "\"error\":\"ThrottlingException\"},{\"id\":\"c\",\"error\":\"ThrottlingException\"}]");
    cJSON *list = mock_rules_to_json(s_mock.rules, NULL);
    const char *want[] = {"b", "a", "c"};
    for (int i = 0; i < 3; i++) {
        const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(list, "rules"), i);
        cr_assert_str_eq(cJSON_GetObjectItem(r, "id")->valuestring, want[i]);
    }
    cJSON_Delete(list);
    cr_assert(mock_rules_delete(s_mock.rules, "b"));
    cr_assert_not(mock_rules_delete(s_mock.rules, "b"));
    cr_assert_null(mock_rules_to_json(s_mock.rules, "b"));
}
