/* The other operations over HTTP: InvokeModel (+ stream), CountTokens, ApplyGuardrail,
 * guardrailConfig on Converse, and the async-invoke operations. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "mock/ops/invoke.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define HAIKU_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0"
#define ANTHROPIC_HELLO                                                                          \
    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":200,\"system\":\"Be brief.\"," \
    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from invoke\"}]}]}"
#define CONVERSE_HELLO                        \
    "{\"system\":[{\"text\":\"Be brief.\"}]," \
    "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello from invoke\"}]}]}"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    s_mock = th_mock_start(NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(ops, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static struct th_response s_post(const char *path, const char *body)
{
    return th_request(s_mock, "POST", path, body, NULL);
}

static long s_header_long(const struct th_response *r, const char *name)
{
    char v[64];
    th_header(r, name, v, sizeof(v));
    return v[0] ? strtol(v, NULL, 10) : -1;
}

Test(ops, invoke_model_anthropic_agrees_with_converse)
{
    struct th_response conv = th_converse(s_mock, HAIKU, CONVERSE_HELLO);
    struct th_response r = s_post(HAIKU_PATH "/invoke", ANTHROPIC_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "type")->valuestring, "message");
    cr_assert(strncmp(cJSON_GetObjectItem(r.json, "id")->valuestring, "msg_bdrk_", 9) == 0);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "model")->valuestring, "claude-3-haiku-20240307");
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "content"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(c0, "type")->valuestring, "text");
    const cJSON *cc = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(conv.json, "output"), "message"), "content"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(c0, "text")->valuestring, cJSON_GetObjectItem(cc, "text")->valuestring);
    const cJSON *u = cJSON_GetObjectItem(r.json, "usage");
    const cJSON *cu = cJSON_GetObjectItem(conv.json, "usage");
    int in = cJSON_GetObjectItem(u, "input_tokens")->valueint;
    int out = cJSON_GetObjectItem(u, "output_tokens")->valueint;
    cr_assert_eq(in, cJSON_GetObjectItem(cu, "inputTokens")->valueint);
    cr_assert_eq(out, cJSON_GetObjectItem(cu, "outputTokens")->valueint);
    cr_assert_eq(s_header_long(&r, "X-Amzn-Bedrock-Input-Token-Count"), in);
    cr_assert_eq(s_header_long(&r, "X-Amzn-Bedrock-Output-Token-Count"), out);
    cr_assert_geq(s_header_long(&r, "X-Amzn-Bedrock-Invocation-Latency"), 0);
    th_response_free(&r);
    th_response_free(&conv);
}

Test(ops, invoke_model_refuses_a_malformed_anthropic_body_with_bedrocks_words)
{
    struct th_response r = s_post(HAIKU_PATH "/invoke", "{\"messages\":[],\"inferenceConfig\":{}}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r),
                     "Malformed input request: #: required key [max_tokens] not found#: required key "
                     "[anthropic_version] not found#: extraneous key [inferenceConfig] is not permitted, please "
                     "reformat your input and try again.");
    th_response_free(&r);
    r = s_post(HAIKU_PATH "/invoke", "not json");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "Malformed input request, please reformat your input and try again.");
    th_response_free(&r);
}

static char *s_cache_body(int marks)
{
    static char body[4096];
    char blocks[2048] = "";
    for (int i = 0; i < marks; i++) {
        strcat(blocks, i ? "," : "");
        strcat(blocks, "{\"type\":\"text\",\"text\":\"part\",\"cache_control\":{\"type\":\"ephemeral\"}}");
    }
    snprintf(body, sizeof(body),
             "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":50,"
             "\"messages\":[{\"role\":\"user\",\"content\":[%s]}]}",
             blocks);
    return body;
}

Test(ops, invoke_model_counts_cache_control_blocks)
{
    struct th_response r = s_post(HAIKU_PATH "/invoke", s_cache_body(4));
    cr_assert_eq(r.status, 200, "four cache_control blocks are allowed: %s", r.body);
    th_response_free(&r);
    r = s_post(HAIKU_PATH "/invoke", s_cache_body(5));
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "A maximum of 4 blocks with cache_control may be provided. Found 5.");
    th_response_free(&r);
}

Test(ops, invoke_model_speaks_nova_llama_and_titan)
{
    struct th_response r = s_post(
        "/model/amazon.nova-lite-v1%3A0/invoke",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi nova\"}]}],\"inferenceConfig\":{\"max_new_tokens\":4}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "max_tokens");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "outputTokens")->valueint, 4);
    th_response_free(&r);
    r = s_post("/model/meta.llama3-8b-instruct-v1%3A0/invoke", "{\"prompt\":\"Hi llama\",\"max_gen_len\":64}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(cJSON_GetObjectItem(r.json, "generation")->valuestring, "Hi llama"));
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stop_reason")->valuestring, "stop");
    th_response_free(&r);
    r = s_post("/model/amazon.titan-text-express-v1/invoke", "{\"inputText\":\"Hi titan\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "results"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(res, "completionReason")->valuestring, "FINISH");
    th_response_free(&r);
    r = s_post("/model/amazon.titan-text-express-v1/invoke", "{\"prompt\":\"wrong key\"}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "Malformed input request: #: required key [inputText] not found, please "
                                     "reformat your input and try again.");
    th_response_free(&r);
}

Test(ops, invoke_stream_sends_anthropic_events_in_chunks)
{
    struct th_response r = s_post(HAIKU_PATH "/invoke-with-response-stream", ANTHROPIC_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char ct[96];
    th_header(&r, "X-Amzn-Bedrock-Content-Type", ct, sizeof(ct));
    cr_assert_str_eq(ct, "application/json");
    cJSON *c[64];
    size_t n = th_invoke_chunks(r.body, r.body_len, c, 64);
    const char *first[] = {"message_start", "content_block_start", "content_block_delta"};
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(cJSON_GetObjectItem(c[i], "type")->valuestring, first[i]);
    }
    cr_assert_str_eq(cJSON_GetObjectItem(c[n - 3], "type")->valuestring, "content_block_stop");
    cr_assert_str_eq(cJSON_GetObjectItem(c[n - 2], "type")->valuestring, "message_delta");
    cr_assert_str_eq(cJSON_GetObjectItem(c[n - 1], "type")->valuestring, "message_stop");
    const cJSON *metrics = cJSON_GetObjectItem(c[n - 1], "amazon-bedrock-invocationMetrics");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(metrics, "inputTokenCount")));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(metrics, "outputTokenCount")));
    for (size_t i = 0; i < n; i++) {
        cJSON_Delete(c[i]);
    }
    th_response_free(&r);
}

Test(ops, invoke_stream_errors_before_the_stream_are_json)
{
    struct th_response r = s_post(HAIKU_PATH "/invoke-with-response-stream", s_cache_body(5));
    char ctype[96];
    th_header(&r, "Content-Type", ctype, sizeof(ctype));
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(ctype, "application/json");
    th_response_free(&r);
}

Test(ops, count_tokens_equals_converse_input_for_both_input_forms)
{
    struct th_response conv = th_converse(s_mock, HAIKU, CONVERSE_HELLO);
    int want = cJSON_GetObjectItem(cJSON_GetObjectItem(conv.json, "usage"), "inputTokens")->valueint;
    char body[2048];
    snprintf(body, sizeof(body), "{\"input\":{\"converse\":%s}}", CONVERSE_HELLO);
    struct th_response r = s_post(HAIKU_PATH "/count-tokens", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "inputTokens")->valueint, want);
    th_response_free(&r);
    struct brk_buf b64;
    brk_buf_init(&b64, sizeof(body));
    cr_assert_eq(brk_base64_encode(ANTHROPIC_HELLO, strlen(ANTHROPIC_HELLO), &b64), BRK_OK);
    snprintf(body, sizeof(body), "{\"input\":{\"invokeModel\":{\"body\":\"%s\"}}}", b64.data);
    brk_buf_clean_up(&b64);
    r = s_post(HAIKU_PATH "/count-tokens", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "inputTokens")->valueint, want);
    th_response_free(&r);
    r = s_post(HAIKU_PATH "/count-tokens", "{}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "1 validation error detected: Value null at 'input' failed to satisfy "
                                     "constraint: Member must not be null");
    th_response_free(&r);
    th_response_free(&conv);
}

Test(ops, apply_guardrail_intervenes_on_a_listed_word_only)
{
    const char *path = "/guardrail/gr1abc/version/DRAFT/apply";
    struct th_response r =
        s_post(path, "{\"source\":\"INPUT\",\"content\":[{\"text\":{\"text\":\"this is Forbidden.\"}}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "action")->valuestring, "GUARDRAIL_INTERVENED");
    const cJSON *word = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "assessments"), 0),
                                                "wordPolicy"),
                            "customWords"),
        0);
    cr_assert_str_eq(cJSON_GetObjectItem(word, "match")->valuestring, "forbidden");
    cr_assert_str_eq(cJSON_GetObjectItem(word, "action")->valuestring, "BLOCKED");
    th_response_free(&r);
    r = s_post(path, "{\"source\":\"OUTPUT\",\"content\":[{\"text\":{\"text\":\"unforbiddenness is fine\"}}]}");
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "action")->valuestring, "NONE", "whole words only");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "outputs")), 0);
    th_response_free(&r);
    r = s_post("/guardrail/gr1abc/version/v2/apply", "{\"source\":\"INPUT\",\"content\":[]}");
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(th_message(&r), "at 'guardrailVersion' failed to satisfy constraint"), "%s", th_message(&r));
    th_response_free(&r);
    r = s_post(path, "{\"source\":\"BOTH\",\"content\":[]}");
    cr_assert_eq(r.status, 400);
    th_response_free(&r);
}

Test(ops, guardrail_config_on_converse_blocks_and_traces)
{
    const char *blocked = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"the forbidden topic\"}]}],"
                          "\"guardrailConfig\":{\"guardrailIdentifier\":\"gr1\",\"guardrailVersion\":\"1\","
                          "\"trace\":\"enabled\"}}";
    struct th_response r = th_converse(s_mock, HAIKU, blocked);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "guardrail_intervened");
    const cJSON *assess =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "trace"), "guardrail"),
                                                "inputAssessment"),
                            "gr1");
    cr_assert_not_null(cJSON_GetObjectItem(assess, "wordPolicy"), "%s", r.body);
    th_response_free(&r);
    const char *fine = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a fine topic\"}]}],"
                       "\"guardrailConfig\":{\"guardrailIdentifier\":\"gr1\",\"guardrailVersion\":\"1\"}}";
    r = th_converse(s_mock, HAIKU, fine);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "end_turn");
    cr_assert_null(cJSON_GetObjectItem(r.json, "trace"), "no trace unless asked for");
    th_response_free(&r);
}

Test(ops, guardrail_words_file_replaces_the_builtin_list)
{
    char path[] = "/tmp/brk-words-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("# test list\nPineapple Pizza\n", f);
    fclose(f);
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.guardrail_words_path = path;
    struct brk_mock *m = th_mock_start(&cfg);
    struct th_response r =
        th_request(m, "POST", "/guardrail/g/version/1/apply",
                   "{\"source\":\"INPUT\",\"content\":[{\"text\":{\"text\":\"I like pineapple pizza\"}},"
                   "{\"text\":{\"text\":\"forbidden\"}}]}",
                   NULL);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "action")->valuestring, "GUARDRAIL_INTERVENED");
    th_response_free(&r);
    r = th_request(m, "POST", "/guardrail/g/version/1/apply",
                   "{\"source\":\"INPUT\",\"content\":[{\"text\":{\"text\":\"forbidden\"}}]}", NULL);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "action")->valuestring, "NONE", "the built-in list is replaced");
    th_response_free(&r);
    brk_mock_stop(m);
    unlink(path);
    cfg.guardrail_words_path = "/nonexistent/words.txt";
    struct brk_mock *bad = NULL;
    char err[256];
    cr_assert_neq(brk_mock_start(&cfg, &bad, err, sizeof(err)), BRK_OK);
    cr_assert(strstr(err, "--guardrail-words"), "%s", err);
}

Test(ops, async_invoke_answers_like_an_account_without_s3)
{
    struct th_response r =
        s_post("/async-invoke", "{\"modelId\":\"amazon.nova-reel-v1:0\",\"modelInput\":{},"
                                "\"outputDataConfig\":{\"s3OutputDataConfig\":{\"s3Uri\":\"s3://my-bucket/out\"}}}");
    cr_assert_eq(r.status, 403, "%s", r.body);
    cr_assert(strstr(th_message(&r), "s3://my-bucket/out"));
    th_response_free(&r);
    r = s_post("/async-invoke", "{\"modelId\":\"m\",\"modelInput\":{}}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "1 validation error detected: Value null at 'outputDataConfig' failed to "
                                     "satisfy constraint: Member must not be null");
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/async-invoke", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "asyncInvokeSummaries")), 0);
    th_response_free(&r);
    r = th_request(s_mock, "GET",
                   "/async-invoke/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aasync-invoke%2Fabcdefghijkl", NULL,
                   NULL);
    cr_assert_eq(r.status, 400);
    th_response_free(&r);
}
