/* HTTP tests: the mock's Converse endpoint and error shapes, over real sockets. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there\"}]}]}"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    s_mock = th_mock_start(NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(converse, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static void s_assert_bedrock_error(const struct th_response *r, long status, const char *code, const char *message)
{
    char type[256], rid[64], ctype[64];
    th_header(r, "x-amzn-ErrorType", type, sizeof(type));
    th_header(r, "x-amzn-RequestId", rid, sizeof(rid));
    th_header(r, "Content-Type", ctype, sizeof(ctype));
    cr_assert_eq(r->status, status, "status %ld, body %s", r->status, r->body);
    cr_assert(strncmp(type, code, strlen(code)) == 0 && type[strlen(code)] == ':', "x-amzn-ErrorType %s", type);
    cr_assert_eq(strlen(rid), 36, "x-amzn-RequestId %s", rid);
    cr_assert_str_eq(ctype, "application/json");
    if (message) {
        cr_assert_str_eq(th_message(r), message);
    }
}

Test(converse, answers_a_valid_request_with_a_converse_response)
{
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char rid[64];
    th_header(&r, "x-amzn-RequestId", rid, sizeof(rid));
    cr_assert_eq(strlen(rid), 36);
    const cJSON *msg = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message");
    cr_assert_str_eq(cJSON_GetObjectItem(msg, "role")->valuestring, "assistant");
    const char *text =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(msg, "content"), 0), "text")->valuestring;
    cr_assert(strstr(text, "Hello there") != NULL, "%s", text);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "end_turn");
    const cJSON *usage = cJSON_GetObjectItem(r.json, "usage");
    int in = cJSON_GetObjectItem(usage, "inputTokens")->valueint;
    int out = cJSON_GetObjectItem(usage, "outputTokens")->valueint;
    cr_assert_eq(in, 7 + 3, "Claude: 7 tokens of framing + ceil(11 chars / 3.8) (docs/tokens.md)");
    cr_assert_gt(out, 0);
    cr_assert_eq(cJSON_GetObjectItem(usage, "totalTokens")->valueint, in + out);
    /* Claude reports the cache fields as 0 without caching (token-accounting.md section 1). */
    cr_assert_eq(cJSON_GetObjectItem(usage, "cacheReadInputTokens")->valueint, 0);
    cr_assert_eq(cJSON_GetObjectItem(usage, "cacheWriteInputTokens")->valueint, 0);
    cr_assert_null(cJSON_GetObjectItem(usage, "cacheDetails"));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "metrics"), "latencyMs")));
    th_response_free(&r);
}

Test(converse, same_request_same_reply)
{
    struct th_response a = th_converse(s_mock, HAIKU, HELLO);
    struct th_response b = th_converse(s_mock, HAIKU, HELLO);
    /* All but metrics.latencyMs, the time each answer took (docs/streaming.md). */
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "metrics"), "latencyMs")));
    cJSON_DeleteItemFromObject(a.json, "metrics");
    cJSON_DeleteItemFromObject(b.json, "metrics");
    cr_assert(cJSON_Compare(a.json, b.json, true), "%s\n%s", a.body, b.body);
    th_response_free(&a);
    th_response_free(&b);
}

Test(converse, seed_makes_request_ids_reproducible)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.has_seed = true;
    cfg.seed = 42;
    char ids[2][64];
    for (int i = 0; i < 2; i++) {
        struct brk_mock *m = th_mock_start(&cfg);
        struct th_response r = th_converse(m, HAIKU, HELLO);
        th_header(&r, "x-amzn-RequestId", ids[i], sizeof(ids[i]));
        th_response_free(&r);
        brk_mock_stop(m);
    }
    cr_assert_str_eq(ids[0], ids[1]);
}

Test(converse, max_tokens_truncates_and_says_so)
{
    struct th_response r = th_converse(
        s_mock, HAIKU,
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}],\"inferenceConfig\":{\"maxTokens\":3}}");
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "max_tokens");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "outputTokens")->valueint, 3);
    th_response_free(&r);
}

Test(converse, stop_sequence_cuts_the_reply)
{
    struct th_response r = th_converse(s_mock, HAIKU,
                                       "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}],"
                                       "\"inferenceConfig\":{\"stopSequences\":[\"mock\"]}}");
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "stop_sequence");
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text")->valuestring, "This is a ");
    th_response_free(&r);
}

Test(converse, tool_choice_any_calls_the_tool_with_a_minimal_input)
{
    struct th_response r =
        th_converse(s_mock, HAIKU,
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Weather?\"}]}],"
                    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"inputSchema\":{\"json\":"
                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}}],"
                    "\"toolChoice\":{\"any\":{}}}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "tool_use");
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content");
    const cJSON *tu = cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "toolUse");
    cr_assert_str_eq(cJSON_GetObjectItem(tu, "name")->valuestring, "get_weather");
    cr_assert(strncmp(cJSON_GetObjectItem(tu, "toolUseId")->valuestring, "tooluse_", 8) == 0);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(tu, "input"), "city")->valuestring, "");
    th_response_free(&r);
}

Test(converse, tool_choice_auto_answers_with_text)
{
    struct th_response r = th_converse(
        s_mock, HAIKU,
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}],"
        "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}]}}");
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "end_turn");
    th_response_free(&r);
}

Test(converse, unknown_model_is_a_validation_exception)
{
    struct th_response r = th_converse(s_mock, "anthropic.claude-nonexistent-v9:0", HELLO);
    s_assert_bedrock_error(&r, 400, "ValidationException", "The provided model identifier is invalid.");
    th_response_free(&r);
}

Test(converse, profile_only_model_called_by_base_id_is_refused)
{
    struct th_response r = th_converse(s_mock, "anthropic.claude-3-7-sonnet-20250219-v1:0", HELLO);
    s_assert_bedrock_error(&r, 400, "ValidationException",
                           "Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand "
                           "throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference "
                           "profile that contains this model.");
    th_response_free(&r);
    r = th_converse(s_mock, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", HELLO);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    r = th_converse(
        s_mock, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
}

Test(converse, embedding_model_is_not_a_chat_model)
{
    struct th_response r = th_converse(s_mock, "amazon.titan-embed-text-v2:0", HELLO);
    s_assert_bedrock_error(&r, 400, "ValidationException", NULL);
    cr_assert(strstr(th_message(&r), "doesn't support the model") != NULL);
    th_response_free(&r);
}

Test(converse, max_tokens_above_the_model_limit_is_refused)
{
    struct th_response r = th_converse(
        s_mock, HAIKU,
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}],\"inferenceConfig\":{\"maxTokens\":4097}}");
    s_assert_bedrock_error(&r, 400, "ValidationException",
                           "The maximum tokens you requested exceed the model limit of 4096. Try again with a "
                           "maximum tokens value lower than 4096.");
    th_response_free(&r);
}

Test(converse, malformed_json_is_a_serialization_exception)
{
    struct th_response r = th_converse(s_mock, HAIKU, "{\"messages\":[");
    s_assert_bedrock_error(&r, 400, "SerializationException", NULL);
    th_response_free(&r);
    r = th_converse(s_mock, HAIKU, "[1,2]");
    s_assert_bedrock_error(&r, 400, "SerializationException", NULL);
    th_response_free(&r);
}

Test(converse, unknown_path_and_method_get_json_errors)
{
    struct th_response r = th_request(s_mock, "GET", "/model/" HAIKU "/converse", NULL, NULL);
    s_assert_bedrock_error(&r, 404, "UnknownOperationException", NULL);
    cr_assert_not_null(r.json);
    th_response_free(&r);
    r = th_request(s_mock, "PUT", "/nothing/here", "x", NULL);
    s_assert_bedrock_error(&r, 404, "UnknownOperationException", NULL);
    th_response_free(&r);
}

Test(converse, oversized_body_is_refused_and_server_keeps_serving)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.max_body_bytes = 1024;
    struct brk_mock *m = th_mock_start(&cfg);
    char big[4096];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct th_response r = th_converse(m, HAIKU, big);
    s_assert_bedrock_error(&r, 413, "RequestEntityTooLargeException", NULL);
    th_response_free(&r);
    r = th_converse(m, HAIKU, HELLO);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(converse, operations_not_simulated_yet_answer_in_bedrock_shape)
{
    struct th_response r = th_request(s_mock, "POST", "/guardrail-checks/invoke", "{}", NULL);
    s_assert_bedrock_error(&r, 400, "ValidationException", NULL);
    th_response_free(&r);
}
