/*
 * bedrock-converse, the command-line client, run as a program (BRK_CONVERSE_BIN, set by the
 * Makefile) against an in-process mock: its output agrees with the mock's answer, and its exit
 * status says what happened (0 success, 1 service error, 2 usage, 3 configuration).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/client_support.h"

static struct brk_mock *s_mock;
static const char *s_home;

static void s_start(void)
{
    s_home = tc_env_reset();
    setenv("AWS_ACCESS_KEY_ID", TC_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TC_SECRET, 1);
    s_mock = th_mock_start(NULL);
}

static void s_stop(void)
{
    brk_mock_stop(s_mock);
    tc_env_clean_up();
}

TestSuite(client_cli, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

struct s_run {
    int status;
    char *out, *err;
};

/* Run bedrock-converse with `args` (already quoted for sh) against the mock unless `no_endpoint`. */
static struct s_run s_cli(const char *args, bool no_endpoint)
{
    const char *bin = getenv("BRK_CONVERSE_BIN");
    cr_assert_not_null(bin, "BRK_CONVERSE_BIN is not set (run through make test-unit)");
    char url[128], cmd[4096], out_path[256], err_path[256];
    th_base_url(s_mock, url, sizeof(url));
    snprintf(out_path, sizeof(out_path), "%s/cli.out", s_home);
    snprintf(err_path, sizeof(err_path), "%s/cli.err", s_home);
    snprintf(cmd, sizeof(cmd), "'%s' %s%s %s >'%s' 2>'%s' </dev/null", bin, no_endpoint ? "" : "--endpoint ",
             no_endpoint ? "" : url, args, out_path, err_path);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc), "%s did not exit", cmd);
    struct s_run r = {.status = WEXITSTATUS(rc)};
    r.out = th_read_file(out_path, NULL);
    r.err = th_read_file(err_path, NULL);
    cr_assert(r.out && r.err);
    return r;
}

static void s_free(struct s_run *r)
{
    free(r->out);
    free(r->err);
}

static char *s_mock_text(const char *prompt)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}]}]}", prompt);
    struct th_response r = th_converse(s_mock, TC_HAIKU, body);
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content");
    char *text = strdup(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text")->valuestring);
    th_response_free(&r);
    return text;
}

Test(client_cli, prints_the_answer_and_exits_0)
{
    char *want = s_mock_text("Hello from the CLI");
    struct s_run r = s_cli("--region us-east-1 --model " TC_HAIKU " --prompt 'Hello from the CLI'", false);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s vs %s", r.out, want);
    s_free(&r);
    r = s_cli("--region us-east-1 --model " TC_HAIKU " --prompt 'Hello from the CLI' --stream -v", false);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, want, strlen(want)) == 0, "streamed: %s vs %s", r.out, want);
    cr_assert(strstr(r.err, "stop reason: end_turn"), "%s", r.err);
    cr_assert(strstr(r.err, "auth SigV4, key " TC_AKID), "%s", r.err);
    s_free(&r);
    free(want);
}

Test(client_cli, json_prints_converses_shape)
{
    char *want = s_mock_text("json please");
    struct s_run r = s_cli("--region us-east-1 -m " TC_HAIKU " -p 'json please' --json --max-tokens 100", false);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cJSON *json = cJSON_Parse(r.out);
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(json, "output"), "message"), "content");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text")->valuestring, want);
    cr_assert_str_eq(cJSON_GetObjectItem(json, "stopReason")->valuestring, "end_turn");
    cr_assert_gt(cJSON_GetObjectItem(cJSON_GetObjectItem(json, "usage"), "totalTokens")->valuedouble, 0);
    cJSON_Delete(json);
    s_free(&r);
    free(want);
}

Test(client_cli, a_tool_call_is_printed_with_its_input)
{
    tc_rule(s_mock, "{\"reply\":{\"toolUse\":{\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}}}");
    const char *schema = tc_write_home_file("schema.json", "{\"type\":\"object\",\"properties\":{\"city\":"
                                                           "{\"type\":\"string\"}},\"required\":[\"city\"]}");
    char args[1024];
    snprintf(args, sizeof(args), "--region us-east-1 -m %s -p weather --tool 'get_weather=%s'", TC_HAIKU, schema);
    struct s_run r = s_cli(args, false);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "[tool use get_weather (tooluse_"), "%s", r.out);
    cr_assert(strstr(r.out, "{\"city\":\"Paris\"}"), "%s", r.out);
    s_free(&r);
    r = s_cli("--region us-east-1 -m " TC_HAIKU " -p weather --tool 'get_weather=/nonexistent.json'", false);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "/nonexistent.json"), "%s", r.err);
    s_free(&r);
}

Test(client_cli, count_tokens_prints_the_mocks_count)
{
    const char *body = "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":"
                       "\"count these words\"}]}]}}}";
    struct th_response want =
        th_request(s_mock, "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/count-tokens", body, NULL);
    struct s_run r = s_cli("--region us-east-1 -m " TC_HAIKU " -p 'count these words' --count-tokens", false);
    cr_assert_eq(r.status, 0, "%s", r.err);
    unsigned long long n = (unsigned long long)cJSON_GetObjectItem(want.json, "inputTokens")->valuedouble;
    cr_assert_eq(strtoull(r.out, NULL, 10), n);
    s_free(&r);
    th_response_free(&want);
}

Test(client_cli, a_service_error_exits_1_with_botocores_sentence)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\"}");
    struct s_run r = s_cli("--region us-east-1 --max-attempts 1 -m " TC_HAIKU " -p hi", false);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "An error occurred (ThrottlingException) when calling the Converse operation: "
                            "Too many requests, please wait before trying again."),
              "%s", r.err);
    cr_assert_str_eq(r.out, "");
    s_free(&r);
}

Test(client_cli, retries_as_told_and_prints_the_schedule_with_verbose)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\",\"times\":4}");
    struct s_run r =
        s_cli("--region us-east-1 --retry-mode standard --max-attempts 2 --retry-seed 7 -v -m " TC_HAIKU " -p hi",
              false);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "retry mode standard, 2 attempts at most"), "%s", r.err);
    cr_assert(strstr(r.err, "attempt 1/2 at +0 ms: BRK_ERR_SERVICE ThrottlingException, HTTP 429; retry in "), "%s",
              r.err);
    cr_assert(strstr(r.err, "; max attempts reached; quota 495"), "%s", r.err);
    cr_assert(strstr(r.err, "when calling the Converse operation (reached max retries: 1): Too many"), "%s", r.err);
    s_free(&r);
    r = s_cli("--region us-east-1 --retry-mode legacy --max-attempts 4 -v -m " TC_HAIKU " -p hi", false);
    cr_assert_eq(r.status, 0, "2 throttles left of 4, then the answer: %s", r.err);
    cr_assert(strstr(r.err, "success after 3 attempts (RetryAttempts 2)"), "%s", r.err);
    s_free(&r);
    r = s_cli("--region us-east-1 --retry-mode fast -m " TC_HAIKU " -p hi", false);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "--retry-mode needs legacy, standard or adaptive"), "%s", r.err);
    s_free(&r);
    r = s_cli("--region us-east-1 --max-attempts 0 -m " TC_HAIKU " -p hi", false);
    cr_assert_eq(r.status, 2);
    s_free(&r);
}

Test(client_cli, usage_and_configuration_errors)
{
    struct s_run r = s_cli("--help", false);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "AWS_BEARER_TOKEN_BEDROCK") && strstr(r.out, "--count-tokens"), "%s", r.out);
    s_free(&r);
    r = s_cli("-p hi", false);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "--model is required"), "%s", r.err);
    s_free(&r);
    r = s_cli("-m x --max-tokens lots", false);
    cr_assert_eq(r.status, 2);
    s_free(&r);
    r = s_cli("-m " TC_HAIKU " -p hi", false);
    cr_assert_eq(r.status, 3, "no region: %s", r.err);
    cr_assert(strstr(r.err, "AWS_REGION"), "%s", r.err);
    s_free(&r);
}

/* --explain-cache: the placed request and the report, on the cache-point fixture of
 * client-facts §1.6 (instructions + tools + three markers: the oldest marker is trimmed). */
Test(client_cli, explain_cache_prints_the_placed_request_and_the_report)
{
    char body[1024], args[1400];
    th_source_path("fixtures/cache-points/limit_all_settings.json", body, sizeof(body));
    char *fixture = th_read_file(body, NULL);
    cJSON *c = cJSON_Parse(fixture);
    free(fixture);
    cr_assert_not_null(c);
    char *input = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "input"));
    const char *path = tc_write_home_file("body.json", input);
    free(input);
    snprintf(args, sizeof(args), "-m %s --body '%s' --cache-instructions --cache-tools --explain-cache",
             cJSON_GetObjectItem(c, "model")->valuestring, path);
    struct s_run r = s_cli(args, true);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cJSON *out = cJSON_Parse(r.out);
    cr_assert_not_null(out, "%s", r.out);
    cr_expect(cJSON_Compare(cJSON_GetObjectItem(out, "request"), cJSON_GetObjectItem(c, "expect"), true), "%s", r.out);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "report"), "points"), 0);
    cr_expect(strstr(cJSON_GetObjectItem(first, "dropped")->valuestring, "trimmed to 4"), "%s", r.out);
    cJSON_Delete(out);
    cJSON_Delete(c);
    s_free(&r);
    r = s_cli("-m " TC_HAIKU " --cache-messages=2h --explain-cache", true);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "5m or 1h"), "%s", r.err);
    s_free(&r);
}
