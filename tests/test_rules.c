/* HTTP tests of the rule engine: every matcher, action and modifier (docs/rules.md). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "common/tokens.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define NOVA "amazon.nova-lite-v1:0"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there\"}]}]}"
#define WEATHER "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"What is the weather in Paris?\"}]}]}"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.has_seed = true;
    cfg.seed = 42;
    s_mock = th_mock_start(&cfg);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(rules, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static void s_add_rule(const char *json)
{
    struct th_response r = th_request(s_mock, "POST", "/_mock/rules", json, NULL);
    cr_assert_eq(r.status, 201, "POST /_mock/rules %s -> %ld %s", json, r.status, r.body);
    th_response_free(&r);
}

/* Status of a Converse call on `model` with `body` and extra headers. */
static long s_call(const char *model, const char *body, const char *const *headers)
{
    char enc[512], path[640];
    th_encode_label(model, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse", enc);
    struct th_response r = th_request(s_mock, "POST", path, body, headers);
    long status = r.status;
    th_response_free(&r);
    return status;
}

static long s_hello(void)
{
    return s_call(HAIKU, HELLO, NULL);
}

/* The rule `id` as GET /_mock/rules/{id} shows it; caller frees. */
static cJSON *s_rule(const char *id)
{
    char path[128];
    snprintf(path, sizeof(path), "/_mock/rules/%s", id);
    struct th_response r = th_request(s_mock, "GET", path, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *o = cJSON_Duplicate(r.json, 1);
    th_response_free(&r);
    return o;
}

static int s_count(const char *id, const char *field)
{
    cJSON *o = s_rule(id);
    int n = cJSON_GetObjectItem(o, field)->valueint;
    cJSON_Delete(o);
    return n;
}

/* ---- the minimal fault and the error action ----------------------------------------- */

Test(rules, minimal_fault_throttles_twice_then_lets_requests_through)
{
    s_add_rule("{\"id\":\"t\",\"match\":{\"operation\":\"Converse\"},\"error\":\"ThrottlingException\",\"times\":2}");
    for (int i = 0; i < 2; i++) {
        struct th_response r = th_converse(s_mock, HAIKU, HELLO);
        char type[256];
        th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
        cr_assert_eq(r.status, 429);
        cr_assert_str_eq(type, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
        cr_assert_str_eq(th_message(&r), "Too many requests, please wait before trying again.");
        th_header(&r, "Retry-After", type, sizeof(type));
        cr_assert_str_eq(type, "", "no Retry-After unless asked");
        th_response_free(&r);
    }
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_count("t", "matched"), 3);
    cr_assert_eq(s_count("t", "fired"), 2);
    struct th_response j = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    const cJSON *list = cJSON_GetObjectItem(j.json, "requests");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "rule")->valuestring, "t");
    cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 2), "rule"));
    th_response_free(&j);
}

Test(rules, error_uses_the_table_status_and_a_given_message)
{
    s_add_rule("{\"match\":{\"text\":\"one\"},\"error\":\"ServiceUnavailableException\"}");
    s_add_rule("{\"match\":{\"text\":\"two\"},\"error\":\"ValidationException\",\"message\":\"Custom words.\"}");
    s_add_rule("{\"match\":{\"text\":\"three\"},\"error\":\"ModelNotReadyException\"}");
    const char *bodies[] = {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"one\"}]}]}",
                            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"two\"}]}]}",
                            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"three\"}]}]}"};
    const long statuses[] = {503, 400, 429};
    const char *messages[] = {"Bedrock is unable to process your request.", "Custom words.", NULL};
    for (int i = 0; i < 3; i++) {
        struct th_response r = th_converse(s_mock, HAIKU, bodies[i]);
        cr_assert_eq(r.status, statuses[i], "%d: %ld", i, r.status);
        if (messages[i]) {
            cr_assert_str_eq(th_message(&r), messages[i]);
        }
        th_response_free(&r);
    }
}

Test(rules, refuses_unknown_error_types_and_keys_with_a_reason)
{
    const char *bad[] = {
        "{\"error\":\"NoSuchException\"}",
        "{\"match\":{\"opration\":\"Converse\"},\"error\":\"ThrottlingException\"}",
        "{\"match\":{\"operation\":\"Conversing\"},\"error\":\"ThrottlingException\"}",
        "{\"match\":{\"textRegex\":\"([\"},\"error\":\"ThrottlingException\"}",
        "{\"match\":{\"textRegex\":\"\\\\<word\"},\"error\":\"ThrottlingException\"}",
        "{\"reply\":{\"stopReason\":\"done\"}}",
        "{\"match\":{\"operation\":\"Converse\"}}",
        "{\"probability\":2,\"error\":\"ThrottlingException\"}",
        "{\"times\":-1,\"error\":\"ThrottlingException\"}",
        "{\"stream\":{\"exceptionAfterEvent\":2,\"exception\":\"accessDeniedException\"}}",
        "[{\"id\":\"a\",\"error\":\"ThrottlingException\"},{\"id\":\"a\",\"error\":\"ThrottlingException\"}]",
        "not json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct th_response r = th_request(s_mock, "POST", "/_mock/rules", bad[i], NULL);
        cr_assert_eq(r.status, 400, "%s accepted: %s", bad[i], r.body);
        cr_assert(strlen(th_message(&r)) > 0);
        th_response_free(&r);
    }
    struct th_response r = th_request(s_mock, "GET", "/_mock/rules", NULL, NULL);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "rules")), 0, "all or nothing: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 200);
}

/* ---- matchers ----------------------------------------------------------------------- */

Test(rules, operation_matcher_ignores_other_operations)
{
    s_add_rule(
        "{\"match\":{\"operation\":[\"CountTokens\",\"ConverseStream\"]},\"error\":\"InternalServerException\"}");
    cr_assert_eq(s_hello(), 200);
    char enc[256], path[320];
    th_encode_label(HAIKU, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/count-tokens", enc);
    struct th_response r = th_request(s_mock, "POST", path, "{\"input\":{\"converse\":" HELLO "}}", NULL);
    cr_assert_eq(r.status, 500, "%s", r.body);
    th_response_free(&r);
}

Test(rules, model_matcher_takes_exact_ids_and_globs)
{
    s_add_rule("{\"match\":{\"modelId\":\"amazon.nova-*\"},\"error\":\"ModelTimeoutException\"}");
    s_add_rule("{\"match\":{\"modelId\":\"" HAIKU "\"},\"error\":\"ModelErrorException\"}");
    cr_assert_eq(s_call(NOVA, HELLO, NULL), 408);
    cr_assert_eq(s_call(HAIKU, HELLO, NULL), 424);
    cr_assert_eq(s_call("anthropic.claude-3-5-haiku-20241022-v1:0", HELLO, NULL), 200);
}

Test(rules, account_matcher_tells_callers_apart)
{
    s_add_rule("{\"match\":{\"account\":\"AKIDTHROTTLED\"},\"error\":\"ThrottlingException\"}");
    const char *throttled[] = {"Authorization: AWS4-HMAC-SHA256 Credential=AKIDTHROTTLED/20250101/us-east-1/bedrock/"
                               "aws4_request, SignedHeaders=host, Signature=00",
                               NULL};
    const char *other[] = {"Authorization: AWS4-HMAC-SHA256 Credential=AKIDOTHER/20250101/us-east-1/bedrock/"
                           "aws4_request, SignedHeaders=host, Signature=00",
                           NULL};
    cr_assert_eq(s_call(HAIKU, HELLO, throttled), 429);
    cr_assert_eq(s_call(HAIKU, HELLO, other), 200);
}

Test(rules, header_matcher_needs_the_header_and_a_matching_value)
{
    s_add_rule("{\"match\":{\"headers\":{\"X-Tenant\":\"blue-*\"}},\"error\":\"AccessDeniedException\"}");
    const char *blue[] = {"x-tenant: blue-7", NULL};
    const char *red[] = {"x-tenant: red-7", NULL};
    cr_assert_eq(s_call(HAIKU, HELLO, blue), 403);
    cr_assert_eq(s_call(HAIKU, HELLO, red), 200);
    cr_assert_eq(s_call(HAIKU, HELLO, NULL), 200);
}

Test(rules, text_matchers_look_at_the_last_user_message)
{
    s_add_rule("{\"match\":{\"text\":\"weather\"},\"error\":\"ModelTimeoutException\"}");
    s_add_rule("{\"match\":{\"textRegex\":\"^Hel+o [a-z]+$\"},\"error\":\"ModelErrorException\"}");
    cr_assert_eq(s_call(HAIKU, WEATHER, NULL), 408);
    cr_assert_eq(s_call(HAIKU, HELLO, NULL), 424);
    const char *earlier = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"weather?\"}]},"
                          "{\"role\":\"assistant\",\"content\":[{\"text\":\"Sunny.\"}]},"
                          "{\"role\":\"user\",\"content\":[{\"text\":\"Thanks!\"}]}]}";
    cr_assert_eq(s_call(HAIKU, earlier, NULL), 200, "only the last user message counts");
}

static const char *s_tool_turn(const char *tool)
{
    static char body[1024];
    snprintf(body, sizeof(body),
             "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Weather?\"}]},"
             "{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"%s\","
             "\"input\":{}}}]},"
             "{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"tooluse_1\","
             "\"content\":[{\"text\":\"18C\"}]}}]}],"
             "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"%s\",\"inputSchema\":{\"json\":"
             "{\"type\":\"object\"}}}}]}}",
             tool, tool);
    return body;
}

Test(rules, tool_result_matcher_maps_the_tool_use_id_to_its_tool)
{
    s_add_rule("{\"match\":{\"toolResult\":\"get_weather\"},\"reply\":{\"text\":\"It is 18C in Paris.\"}}");
    struct th_response r = th_converse(s_mock, HAIKU, s_tool_turn("get_weather"));
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "It is 18C in Paris.") != NULL, "%s", r.body);
    th_response_free(&r);
    r = th_converse(s_mock, HAIKU, s_tool_turn("get_time"));
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "It is 18C") == NULL, "another tool's result must not match: %s", r.body);
    th_response_free(&r);
}

Test(rules, nth_matcher_fires_on_that_request_only)
{
    s_add_rule("{\"id\":\"third\",\"match\":{\"nth\":3},\"error\":\"InternalServerException\"}");
    const long want[] = {200, 200, 500, 200, 200};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(s_hello(), want[i], "request %d", i + 1);
    }
    cr_assert_eq(s_count("third", "matched"), 5);
    cr_assert_eq(s_count("third", "fired"), 1);
}

Test(rules, attempt_matcher_reads_amz_sdk_request)
{
    s_add_rule("{\"match\":{\"attempt\":1},\"error\":\"ThrottlingException\"}");
    const char *first[] = {"amz-sdk-invocation-id: 1b6b1d4c-0000-4000-8000-000000000001", "amz-sdk-request: attempt=1",
                           NULL};
    const char *second[] = {"amz-sdk-invocation-id: 1b6b1d4c-0000-4000-8000-000000000001",
                            "amz-sdk-request: ttl=20250101T000000Z; attempt=2; max=3", NULL};
    cr_assert_eq(s_call(HAIKU, HELLO, first), 429);
    cr_assert_eq(s_call(HAIKU, HELLO, second), 200);
    cr_assert_eq(s_call(HAIKU, HELLO, NULL), 200, "no header: no attempt number");
}

/* ---- modifiers ---------------------------------------------------------------------- */

Test(rules, after_skips_matches_and_times_limits_firing)
{
    s_add_rule("{\"id\":\"r\",\"after\":2,\"times\":2,\"error\":\"ServiceUnavailableException\"}");
    const long want[] = {200, 200, 503, 503, 200, 200};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(s_hello(), want[i], "request %d", i + 1);
    }
}

Test(rules, probability_zero_never_fires_and_one_always_does)
{
    s_add_rule("{\"id\":\"never\",\"probability\":0,\"error\":\"InternalServerException\"}");
    s_add_rule("{\"id\":\"always\",\"probability\":1,\"error\":\"ServiceUnavailableException\"}");
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(s_hello(), 503);
    }
    cr_assert_eq(s_count("never", "matched"), 5);
    cr_assert_eq(s_count("never", "fired"), 0);
}

/* Outcome pattern of 30 requests against a probability 0.5 rule on a mock seeded `seed`. */
static void s_pattern(uint64_t seed, char out[31])
{
    brk_mock_stop(s_mock);
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.has_seed = true;
    cfg.seed = seed;
    s_mock = th_mock_start(&cfg);
    s_add_rule("{\"probability\":0.5,\"error\":\"InternalServerException\"}");
    for (int i = 0; i < 30; i++) {
        out[i] = s_hello() == 500 ? 'x' : '.';
    }
    out[30] = '\0';
}

Test(rules, probability_follows_the_seed)
{
    char a[31], b[31], c[31];
    s_pattern(7, a);
    s_pattern(7, b);
    s_pattern(8, c);
    cr_assert_str_eq(a, b, "same seed, same outcomes");
    cr_assert(strchr(a, 'x') && strchr(a, '.'), "0.5 should both fire and pass in 30 tries: %s", a);
    cr_assert_str_neq(a, c, "another seed, other outcomes");
}

Test(rules, priority_beats_order_and_order_breaks_ties)
{
    s_add_rule("{\"id\":\"low\",\"error\":\"InternalServerException\"}");
    s_add_rule("{\"id\":\"high\",\"priority\":10,\"times\":1,\"error\":\"ServiceUnavailableException\"}");
    s_add_rule("{\"id\":\"low2\",\"error\":\"ModelErrorException\"}");
    cr_assert_eq(s_hello(), 503);
    cr_assert_eq(s_hello(), 500);
    cr_assert_eq(s_count("low2", "matched"), 2, "every matching rule counts the request");
    cr_assert_eq(s_count("low2", "fired"), 0, "but only the first eligible one fires");
}

/* ---- reply actions ------------------------------------------------------------------ */

Test(rules, reply_text_replaces_the_answer_and_recounts_usage)
{
    s_add_rule("{\"reply\":{\"text\":\"Scripted answer.\"}}");
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_eq(r.status, 200);
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content");
    cr_assert_eq(cJSON_GetArraySize(content), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text")->valuestring, "Scripted answer.");
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "end_turn");
    const cJSON *usage = cJSON_GetObjectItem(r.json, "usage");
    cr_assert_eq(cJSON_GetObjectItem(usage, "outputTokens")->valueint,
                 (int)brk_tokens_estimate_str("Scripted answer."));
    th_response_free(&r);
}

Test(rules, reply_tool_use_carries_name_input_and_a_tool_use_id)
{
    s_add_rule("{\"match\":{\"text\":\"weather\"},\"reply\":{\"text\":\"Let me check.\",\"toolUse\":{\"name\":"
               "\"get_weather\",\"input\":{\"city\":\"Paris\"}}}}");
    struct th_response r = th_converse(s_mock, HAIKU, WEATHER);
    cr_assert_eq(r.status, 200);
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content");
    cr_assert_eq(cJSON_GetArraySize(content), 2);
    const cJSON *tu = cJSON_GetObjectItem(cJSON_GetArrayItem(content, 1), "toolUse");
    cr_assert_str_eq(cJSON_GetObjectItem(tu, "name")->valuestring, "get_weather");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(tu, "input"), "city")->valuestring, "Paris");
    const char *id = cJSON_GetObjectItem(tu, "toolUseId")->valuestring;
    cr_assert(strncmp(id, "tooluse_", 8) == 0 && strlen(id) == 30, "%s", id);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "tool_use");
    th_response_free(&r);
}

Test(rules, reply_stop_reason_and_usage_override_the_counts)
{
    s_add_rule("{\"reply\":{\"stopReason\":\"max_tokens\",\"usage\":{\"inputTokens\":1000,\"outputTokens\":7}}}");
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "Hello there") != NULL, "generated text kept: %s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "stopReason")->valuestring, "max_tokens");
    const cJSON *usage = cJSON_GetObjectItem(r.json, "usage");
    cr_assert_eq(cJSON_GetObjectItem(usage, "inputTokens")->valueint, 1000);
    cr_assert_eq(cJSON_GetObjectItem(usage, "outputTokens")->valueint, 7);
    cr_assert_eq(cJSON_GetObjectItem(usage, "totalTokens")->valueint, 1007);
    th_response_free(&r);
}

/* ---- fault actions ------------------------------------------------------------------ */

Test(rules, delay_holds_the_answer_back)
{
    s_add_rule("{\"delayMs\":300,\"times\":1}");
    int64_t t0 = brk_clock_monotonic_ms();
    cr_assert_eq(s_hello(), 200);
    cr_assert_geq(brk_clock_monotonic_ms() - t0, 290, "the answer came before the delay");
}

Test(rules, close_before_reply_and_after_bytes_cut_the_connection)
{
    s_add_rule("{\"match\":{\"nth\":1},\"closeBeforeReply\":true}");
    s_add_rule("{\"match\":{\"nth\":2},\"closeAfterBytes\":10}");
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_neq(r.curl_code, 0, "closed before the reply, got %ld %s", r.status, r.body);
    cr_assert_eq(r.body_len, 0);
    th_response_free(&r);
    r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_neq(r.curl_code, 0, "body should be cut: %s", r.body);
    cr_assert_leq(r.body_len, 10);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 200, "the server keeps serving");
}

Test(rules, retry_after_and_headers_are_sent_only_when_asked)
{
    s_add_rule("{\"times\":1,\"error\":\"ThrottlingException\",\"retryAfter\":2,\"headers\":{\"x-extra\":\"yes\"}}");
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    char v[64];
    th_header(&r, "Retry-After", v, sizeof(v));
    cr_assert_str_eq(v, "2");
    th_header(&r, "x-amz-retry-after", v, sizeof(v));
    cr_assert_str_eq(v, "2000");
    th_header(&r, "x-extra", v, sizeof(v));
    cr_assert_str_eq(v, "yes");
    th_response_free(&r);
    r = th_converse(s_mock, HAIKU, HELLO);
    th_header(&r, "Retry-After", v, sizeof(v));
    cr_assert_str_eq(v, "");
    th_response_free(&r);
}

/* ---- through ConverseStream -------------------------------------------------------- */

/* Decoded events of a ConverseStream call on Haiku; caller frees with th_events_free + free. */
static struct th_events *s_stream(const char *body)
{
    char enc[256], path[320];
    th_encode_label("anthropic.claude-3-haiku-20240307-v1:0", enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse-stream", enc);
    struct th_response r = th_request(s_mock, "POST", path, body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    struct th_events *evs = calloc(1, sizeof(*evs));
    th_events_decode(r.body, r.body_len, evs);
    th_response_free(&r);
    return evs;
}

Test(rules, stream_exception_rule_ends_a_converse_stream_with_that_exception)
{
    s_add_rule("{\"match\":{\"operation\":\"ConverseStream\"},\"stream\":{\"exceptionAfterEvent\":2,"
               "\"exception\":\"throttlingException\",\"message\":\"Too many tokens, please wait before trying "
               "again.\"}}");
    cr_assert_eq(s_hello(), 200, "Converse is not matched");
    struct th_events *evs = s_stream(HELLO);
    cr_assert_eq(evs->n, 3);
    cr_assert_str_eq(evs->ev[2].message_type, "exception");
    cr_assert_str_eq(evs->ev[2].type, "throttlingException");
    cr_assert_str_eq(cJSON_GetObjectItem(evs->ev[2].payload, "message")->valuestring,
                     "Too many tokens, please wait before trying again.");
    th_events_free(evs);
    free(evs);
}

Test(rules, scripted_reply_streams_like_it_answers)
{
    s_add_rule("{\"reply\":{\"text\":\"Scripted, streamed and whole.\"}}");
    struct th_events *evs = s_stream(HELLO);
    char *text = th_events_join(evs, 0, NULL, "text");
    cr_assert_str_eq(text, "Scripted, streamed and whole.");
    cr_assert_str_eq(evs->ev[evs->n - 1].type, "metadata");
    free(text);
    th_events_free(evs);
    free(evs);
}

/* ---- the admin API ------------------------------------------------------------------ */

Test(rules, admin_lists_gets_and_deletes_rules)
{
    s_add_rule("[{\"id\":\"a\",\"error\":\"ThrottlingException\"},{\"error\":\"InternalServerException\"}]");
    struct th_response r = th_request(s_mock, "GET", "/_mock/rules", NULL, NULL);
    const cJSON *list = cJSON_GetObjectItem(r.json, "rules");
    cr_assert_eq(cJSON_GetArraySize(list), 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "id")->valuestring, "rule-2");
    th_response_free(&r);
    r = th_request(s_mock, "DELETE", "/_mock/rules/a", NULL, NULL);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 500);
    r = th_request(s_mock, "GET", "/_mock/rules/a", NULL, NULL);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);
    r = th_request(s_mock, "DELETE", "/_mock/rules/a", NULL, NULL);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);
    r = th_request(s_mock, "DELETE", "/_mock/rules", NULL, NULL);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 200);
}

/* Write `text` to a new temporary file whose name goes to path[22]. */
static void s_temp_file(char path[22], const char *text)
{
    snprintf(path, 22, "/tmp/brk-rules-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

Test(rules, rules_file_loads_at_start_and_reset_restores_it)
{
    char path[22];
    s_temp_file(path, "{\"rules\":[{\"id\":\"file\",\"times\":1,\"error\":\"ThrottlingException\"}]}");
    brk_mock_stop(s_mock);
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.rules_path = path;
    s_mock = th_mock_start(&cfg);
    cr_assert_eq(s_hello(), 429);
    cr_assert_eq(s_hello(), 200);
    s_add_rule("{\"id\":\"api\",\"error\":\"InternalServerException\"}");
    struct th_response r = th_request(s_mock, "POST", "/_mock/reset", "", NULL);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 429, "the file's rule is back, with its counter at zero");
    cr_assert_eq(s_hello(), 200, "and the API's rule is gone");
    unlink(path);
}

Test(rules, a_bad_rules_file_stops_the_start_with_a_reason)
{
    char path[22];
    s_temp_file(path, "{\"match\":{\"model\":\"x\"},\"error\":\"ThrottlingException\"}");
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.rules_path = path;
    struct brk_mock *m = NULL;
    char err[512] = "";
    cr_assert_neq(brk_mock_start(&cfg, &m, err, sizeof(err)), BRK_OK);
    cr_assert_null(m);
    cr_assert(strstr(err, "Unknown key \"model\"") != NULL, "%s", err);
    unlink(path);
}

/* ---- concurrency -------------------------------------------------------------------- */

static void *s_client(void *arg)
{
    long *status = arg;
    *status = s_hello();
    return NULL;
}

Test(rules, times_three_fires_exactly_three_times_with_32_clients)
{
    s_add_rule("{\"id\":\"c\",\"times\":3,\"error\":\"ThrottlingException\"}");
    struct th_response warm = th_request(s_mock, "GET", "/_mock/health", NULL, NULL); /* curl global init */
    th_response_free(&warm);
    pthread_t threads[32];
    long statuses[32];
    for (int i = 0; i < 32; i++) {
        pthread_create(&threads[i], NULL, s_client, &statuses[i]);
    }
    int throttled = 0, ok = 0;
    for (int i = 0; i < 32; i++) {
        pthread_join(threads[i], NULL);
        throttled += statuses[i] == 429;
        ok += statuses[i] == 200;
    }
    cr_assert_eq(throttled, 3);
    cr_assert_eq(ok, 29);
    cr_assert_eq(s_count("c", "matched"), 32);
    cr_assert_eq(s_count("c", "fired"), 3);
}
