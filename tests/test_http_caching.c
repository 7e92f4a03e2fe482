/* HTTP tests: prompt caching (docs/prompt-caching.md): the cache-point rules, each both ways,
 * and the simulation of writes, reads, TTLs and accounts on the virtual clock. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/cachepoint.h"
#include "tests/support/harness.h"

#define SONNET_V2 "anthropic.claude-3-5-sonnet-20241022-v2:0"    /* caching, min 1024, 5m only */
#define SONNET_45 "us.anthropic.claude-sonnet-4-5-20250929-v1:0" /* caching, min 1024, 5m and 1h */
#define SONNET_37 "us.anthropic.claude-3-7-sonnet-20250219-v1:0" /* caching, reasoning, 5m only */
#define NOVA "amazon.nova-micro-v1:0"                            /* caching, no cache point in tools */
#define HAIKU_3 "anthropic.claude-3-haiku-20240307-v1:0"         /* no prompt caching */

#define CP "{\"cachePoint\":{\"type\":\"default\"}}"
#define CP_5M "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"5m\"}}"
#define CP_1H "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"1h\"}}"
#define TOOL                                                                          \
    "{\"toolSpec\":{\"name\":\"lookup_order\",\"description\":\"Look up an order.\"," \
    "\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}}}}"
#define USER_HI "{\"role\":\"user\",\"content\":[{\"text\":\"Reply with OK.\"}]}"

static struct brk_mock *s_mock;

static void s_start(bool reject_below_minimum)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    cfg.cache_reject_below_minimum = reject_below_minimum;
    s_mock = th_mock_start(&cfg);
}

static void s_setup(void)
{
    s_start(false);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(caching, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* printf into a fresh buffer (the caller frees it). */
__attribute__((format(printf, 1, 2))) static char *s_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = malloc((size_t)n + 1);
    cr_assert_not_null(out);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* About 12 tokens a sentence with the project's estimator; the salt keeps prefixes apart. */
static char *s_long(const char *salt, int sentences)
{
    size_t cap = (size_t)sentences * 64 + 64, len = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    len += (size_t)snprintf(out, cap, "[%s]", salt);
    for (int i = 0; i < sentences; i++) {
        len += (size_t)snprintf(out + len, cap - len, " Rule %d: answer politely and cite section %d.", i, i);
    }
    return out;
}

static struct th_response s_call(const char *model, char *body_owned)
{
    struct th_response r = th_converse(s_mock, model, body_owned);
    free(body_owned);
    return r;
}

static struct th_response s_call_as(const char *account, const char *model, char *body_owned)
{
    char enc[256], path[300], auth[300];
    th_encode_label(model, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse", enc);
    snprintf(auth, sizeof(auth),
             "Authorization: AWS4-HMAC-SHA256 Credential=%s/20260101/us-east-1/bedrock/aws4_request, "
             "SignedHeaders=host, Signature=00",
             account);
    const char *headers[] = {auth, NULL};
    struct th_response r = th_request(s_mock, "POST", path, body_owned, headers);
    free(body_owned);
    return r;
}

/* A usage field, or -1 when absent. */
static int s_usage(const struct th_response *r, const char *field)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "usage"), field);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static void s_assert_ok(const struct th_response *r)
{
    cr_assert_eq(r->status, 200, "status %ld: %s", r->status, r->body);
}

static void s_assert_error(const struct th_response *r, long status, const char *code, const char *message)
{
    char type[256];
    th_header(r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert_eq(r->status, status, "status %ld: %s", r->status, r->body);
    cr_assert(strncmp(type, code, strlen(code)) == 0, "x-amzn-ErrorType %s", type);
    cr_assert_str_eq(th_message(r), message);
}

/* The "cache" record of the newest journal entry (owned by the caller). */
static cJSON *s_last_cache_record(void)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    cJSON *cache = cJSON_DetachItemFromObject(cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1), "cache");
    th_response_free(&r);
    cr_assert_not_null(cache, "no cache record in the journal");
    return cache;
}

static const char *s_outcome(const cJSON *record, int i)
{
    return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(record, "points"), i), "outcome")->valuestring;
}

static void s_advance(long long ms)
{
    char body[64];
    snprintf(body, sizeof(body), "{\"advance_ms\": %lld}", ms);
    struct th_response r = th_request(s_mock, "POST", "/_mock/clock", body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
}

/* A long system prompt with a cache point (ttl NULL: none), then one user question. */
static char *s_system_body(const char *text, const char *cache_point, const char *question)
{
    return s_fmt("{\"system\":[{\"text\":\"%s\"},%s],"
                 "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}]}]}",
                 text, cache_point, question);
}

/* ---- the count -------------------------------------------------------------------------- */

Test(caching, five_cache_points_across_sections_are_rejected)
{
    char *text = s_long("five", 10);
    struct th_response r = s_call(SONNET_V2, s_fmt("{\"toolConfig\":{\"tools\":[" TOOL "," CP "]},"
                                                   "\"system\":[{\"text\":\"%s\"}," CP ",{\"text\":\"more\"}," CP "],"
                                                   "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}," CP
                                                   ",{\"text\":\"b\"}," CP "]}]}",
                                                   text));
    s_assert_error(&r, 400, "ValidationException",
                   "The model returned the following errors: A maximum of 4 blocks with cache_control may be "
                   "provided. Found 5.");
    th_response_free(&r);
    cJSON *record = s_last_cache_record();
    cr_assert_str_eq(cJSON_GetObjectItem(record, "rejected_by")->valuestring, "too_many");
    cr_assert_str_eq(s_outcome(record, 4), "rejected");
    cJSON_Delete(record);
    free(text);
}

Test(caching, four_cache_points_are_accepted)
{
    char *text = s_long("four", 10);
    struct th_response r = s_call(SONNET_V2, s_fmt("{\"toolConfig\":{\"tools\":[" TOOL "," CP "]},"
                                                   "\"system\":[{\"text\":\"%s\"}," CP "],"
                                                   "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}," CP
                                                   ",{\"text\":\"b\"}," CP "]}]}",
                                                   text));
    s_assert_ok(&r);
    th_response_free(&r);
    free(text);
}

/* ---- placement ------------------------------------------------------------------------- */

Test(caching, cache_point_inside_a_tool_result_is_ignored_not_counted)
{
    /* Six nested points: were they counted, the request would break the limit of four. */
    struct th_response r = s_call(
        SONNET_V2,
        s_fmt("{\"toolConfig\":{\"tools\":[" TOOL "]},\"messages\":[" USER_HI ","
              "{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"lookup_order\","
              "\"input\":{\"id\":\"1\"}}}]},"
              "{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"t1\",\"content\":[{\"text\":\"ok\"},"
              "%s]}},{\"text\":\"and?\"}," CP "]}]}",
              CP "," CP "," CP "," CP "," CP "," CP));
    s_assert_ok(&r);
    th_response_free(&r);
    cJSON *record = s_last_cache_record();
    cr_assert_eq(cJSON_GetObjectItem(record, "count")->valueint, 1);
    const cJSON *nested = cJSON_GetArrayItem(cJSON_GetObjectItem(record, "points"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(nested, "outcome")->valuestring, "ignored");
    cr_assert_str_eq(cJSON_GetObjectItem(nested, "location")->valuestring,
                     "messages[2].content[0].toolResult.content[1]");
    cJSON_Delete(record);
}

#define REASONING "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"Thinking.\",\"signature\":\"sig\"}}}"

Test(caching, cache_point_right_after_reasoning_is_rejected)
{
    struct th_response r =
        s_call(SONNET_37, s_fmt("{\"messages\":[" USER_HI ",{\"role\":\"assistant\",\"content\":[" REASONING "," CP
                                "]}," USER_HI "]}"));
    s_assert_error(&r, 400, "ValidationException",
                   "Cache point cannot be inserted after reasoning block. Please remove the invalid cache point and "
                   "try again.");
    th_response_free(&r);
}

Test(caching, cache_point_after_text_that_follows_reasoning_is_accepted)
{
    struct th_response r =
        s_call(SONNET_37, s_fmt("{\"messages\":[" USER_HI ",{\"role\":\"assistant\",\"content\":[" REASONING
                                ",{\"text\":\"OK\"}," CP "]}," USER_HI "]}"));
    s_assert_ok(&r);
    th_response_free(&r);
}

#define DOC "{\"document\":{\"format\":\"txt\",\"name\":\"Doc\",\"source\":{\"bytes\":\"aGVsbG8=\"}}}"

/* Nothing before it, or only a document (which is not cacheable content on its own). */
Test(caching, cache_point_with_nothing_before_it_in_its_list_is_rejected)
{
    const char *shapes[] = {
        "{\"system\":[" CP ",{\"text\":\"Be brief.\"}],\"messages\":[" USER_HI "]}",
        "{\"messages\":[" USER_HI ",{\"role\":\"assistant\",\"content\":[{\"text\":\"OK\"}]},"
        "{\"role\":\"user\",\"content\":[" CP ",{\"text\":\"Again.\"}]}]}",
        "{\"toolConfig\":{\"tools\":[" CP "," TOOL "]},\"messages\":[" USER_HI "]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":[" DOC "," CP "]}]}",
    };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        struct th_response r = th_converse(s_mock, SONNET_V2, shapes[i]);
        s_assert_error(&r, 400, "ValidationException",
                       "There is nothing available to cache. Please remove the invalid cache point and try again.");
        th_response_free(&r);
    }
    struct th_response ok =
        th_converse(s_mock, SONNET_V2, "{\"system\":[{\"text\":\"Be brief.\"}," CP "],\"messages\":[" USER_HI "]}");
    s_assert_ok(&ok);
    th_response_free(&ok);
    ok = th_converse(s_mock, SONNET_V2,
                     "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Read this.\"}," DOC "," CP "]}]}");
    s_assert_ok(&ok);
    th_response_free(&ok);
}

Test(caching, nova_rejects_a_cache_point_in_tools)
{
    struct th_response r =
        th_converse(s_mock, NOVA, "{\"toolConfig\":{\"tools\":[" TOOL "," CP "]},\"messages\":[" USER_HI "]}");
    s_assert_error(&r, 400, "ValidationException",
                   "Malformed input request: #/toolConfig/tools/1: extraneous key [cachePoint] is not permitted, "
                   "please reformat your input and try again.");
    th_response_free(&r);
}

Test(caching, nova_accepts_system_cache_points_and_claude_accepts_tool_ones)
{
    struct th_response r = th_converse(s_mock, NOVA,
                                       "{\"toolConfig\":{\"tools\":[" TOOL "]},"
                                       "\"system\":[{\"text\":\"Be brief.\"}," CP "],"
                                       "\"messages\":[" USER_HI "]}");
    s_assert_ok(&r);
    th_response_free(&r);
    r = th_converse(s_mock, SONNET_V2, "{\"toolConfig\":{\"tools\":[" TOOL "," CP "]},\"messages\":[" USER_HI "]}");
    s_assert_ok(&r);
    th_response_free(&r);
}

/* ---- TTLs -------------------------------------------------------------------------------- */

Test(caching, ttl_1h_only_on_models_that_offer_it)
{
    const char *body = "{\"system\":[{\"text\":\"Be brief.\"}," CP_1H "],\"messages\":[" USER_HI "]}";
    struct th_response r = th_converse(s_mock, SONNET_45, body);
    s_assert_ok(&r);
    th_response_free(&r);
    r = th_converse(s_mock, SONNET_V2, body);
    s_assert_error(&r, 400, "ValidationException",
                   "The model returned the following errors: system.0.cache_control.ttl: Extra inputs are not "
                   "permitted");
    th_response_free(&r);
    r = th_converse(s_mock, NOVA, body);
    s_assert_error(&r, 400, "ValidationException",
                   "Extended TTL prompt caching is only supported for Anthropic models");
    th_response_free(&r);
}

Test(caching, ttl_1h_after_a_5m_cache_point_is_rejected)
{
    /* The system point has no ttl, so it is 5m; the message point after it asks for 1h. */
    struct th_response r =
        th_converse(s_mock, SONNET_45,
                    "{\"system\":[{\"text\":\"Be brief.\"}," CP "],\"messages\":["
                    "{\"role\":\"user\",\"content\":[{\"text\":\"a\"}," CP_1H ",{\"text\":\"b\"}]}]}");
    s_assert_error(&r, 400, "ValidationException",
                   "The model returned the following errors: messages.0.content.0.cache_control.ttl: a ttl='1h' "
                   "cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are "
                   "processed in the following order: `tools`, `system`, `messages`.");
    th_response_free(&r);
}

Test(caching, ttl_1h_before_5m_is_accepted)
{
    struct th_response r = th_converse(s_mock, SONNET_45,
                                       "{\"toolConfig\":{\"tools\":[" TOOL "," CP_1H "]},"
                                       "\"system\":[{\"text\":\"Be brief.\"}," CP_1H "],"
                                       "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}," CP_5M "]}]}");
    s_assert_ok(&r);
    th_response_free(&r);
}

Test(caching, type_other_than_default_is_rejected)
{
    struct th_response r =
        th_converse(s_mock, SONNET_V2,
                    "{\"system\":[{\"text\":\"Be brief.\"},{\"cachePoint\":{\"type\":\"ephemeral\"}}],"
                    "\"messages\":[" USER_HI "]}");
    s_assert_error(&r, 400, "ValidationException",
                   "1 validation error detected: Value at 'system.2.member.cachePoint.type' failed to satisfy "
                   "constraint: Member must satisfy enum value set: [default]");
    th_response_free(&r);
    r = th_converse(s_mock, SONNET_V2,
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"},"
                    "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"2h\"}}]}]}");
    s_assert_error(&r, 400, "ValidationException",
                   "1 validation error detected: Value at 'messages.1.member.content.2.member.cachePoint.ttl' failed "
                   "to satisfy constraint: Member must satisfy enum value set: [5m, 1h]");
    th_response_free(&r);
    r = th_converse(s_mock, SONNET_V2,
                    "{\"system\":[{\"text\":\"Be brief.\"},{\"cachePoint\":{\"type\":\"default\"}}],"
                    "\"messages\":[" USER_HI "]}");
    s_assert_ok(&r);
    th_response_free(&r);
}

/* ---- models without prompt caching ------------------------------------------------------- */

Test(caching, model_without_prompt_caching_refuses_cache_points)
{
    struct th_response r =
        th_converse(s_mock, HAIKU_3, "{\"system\":[{\"text\":\"Be brief.\"}," CP "],\"messages\":[" USER_HI "]}");
    s_assert_error(&r, 403, "AccessDeniedException",
                   "You invoked an unsupported model or your request did not allow prompt caching.");
    th_response_free(&r);
    cJSON *record = s_last_cache_record();
    cr_assert_str_eq(s_outcome(record, 0), "no_caching_model");
    cJSON_Delete(record);
    r = th_converse(s_mock, HAIKU_3, "{\"system\":[{\"text\":\"Be brief.\"}],\"messages\":[" USER_HI "]}");
    s_assert_ok(&r);
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), 0, "Claude sends the cache fields as 0 (tokens.md)");
    th_response_free(&r);
}

/* ---- the minimum ------------------------------------------------------------------------- */

Test(caching, below_the_minimum_caches_nothing_and_says_why)
{
    struct th_response r = s_call(SONNET_V2, s_system_body("Be brief.", CP, "Hi"));
    s_assert_ok(&r);
    cr_assert_eq(s_usage(&r, "cacheWriteInputTokens"), 0);
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), 0);
    cr_assert_eq(s_usage(&r, "totalTokens"), s_usage(&r, "inputTokens") + s_usage(&r, "outputTokens"));
    th_response_free(&r);
    cJSON *record = s_last_cache_record();
    cr_assert_str_eq(s_outcome(record, 0), "below_minimum");
    cJSON_Delete(record);
}

Test(caching, below_the_minimum_is_a_400_when_asked)
{
    brk_mock_stop(s_mock);
    s_start(true);
    struct th_response r = s_call(SONNET_V2, s_system_body("Be brief.", CP, "Hi"));
    s_assert_error(&r, 400, "ValidationException",
                   "There is nothing available to cache. Please remove the invalid cache point and try again.");
    th_response_free(&r);
    char *text = s_long("strict", 120);
    r = s_call(SONNET_V2, s_system_body(text, CP, "Hi"));
    s_assert_ok(&r);
    cr_assert_gt(s_usage(&r, "cacheWriteInputTokens"), 1024);
    th_response_free(&r);
    free(text);
}

/* ---- the simulation ---------------------------------------------------------------------- */

Test(caching, long_system_prompt_writes_then_reads_the_same_tokens)
{
    char *text = s_long("system", 120);
    struct th_response a = s_call(SONNET_V2, s_system_body(text, CP, "What is rule 3?"));
    s_assert_ok(&a);
    int written = s_usage(&a, "cacheWriteInputTokens");
    cr_assert_gt(written, 1024);
    cr_assert_eq(s_usage(&a, "cacheReadInputTokens"), 0);
    const cJSON *details = cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "usage"), "cacheDetails");
    cr_assert_eq(cJSON_GetArraySize(details), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(details, 0), "ttl")->valuestring, "5m");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(details, 0), "inputTokens")->valueint, written);
    struct th_response b = s_call(SONNET_V2, s_system_body(text, CP, "And rule 4?"));
    s_assert_ok(&b);
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), written);
    cr_assert_eq(s_usage(&b, "cacheWriteInputTokens"), 0);
    int total = s_usage(&b, "totalTokens");
    cr_assert_eq(total, s_usage(&b, "inputTokens") + s_usage(&b, "outputTokens") + written);
    th_response_free(&a);
    th_response_free(&b);
    free(text);
}

Test(caching, admin_lists_and_clears_the_cache_and_reset_clears_it_too)
{
    char *text = s_long("admin", 120);
    struct th_response r = s_call(SONNET_V2, s_system_body(text, CP, "Hi"));
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/cache", NULL, NULL);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "count")->valueint, 1);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "entries"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "account")->valuestring, TH_DEFAULT_ACCOUNT);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "model")->valuestring, SONNET_V2);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "ttl")->valuestring, "5m");
    cr_assert_eq(cJSON_GetObjectItem(e, "expires_in_ms")->valueint, 300000);
    cr_assert_gt(cJSON_GetObjectItem(e, "prefix_tokens")->valueint, 1024);
    th_response_free(&r);
    r = th_request(s_mock, "DELETE", "/_mock/cache", NULL, NULL);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/cache", NULL, NULL);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "count")->valueint, 0);
    th_response_free(&r);
    r = s_call(SONNET_V2, s_system_body(text, CP, "Hi"));
    cr_assert_gt(s_usage(&r, "cacheWriteInputTokens"), 0, "the cleared entry was read");
    th_response_free(&r);
    r = th_request(s_mock, "POST", "/_mock/reset", "", NULL);
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/cache", NULL, NULL);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "count")->valueint, 0);
    th_response_free(&r);
    free(text);
}

Test(caching, entry_expires_after_five_minutes_and_a_read_restarts_its_ttl)
{
    char *text = s_long("expiry", 120);
    struct th_response r = s_call(SONNET_V2, s_system_body(text, CP, "q1"));
    int written = s_usage(&r, "cacheWriteInputTokens");
    th_response_free(&r);
    s_advance(299999);
    r = s_call(SONNET_V2, s_system_body(text, CP, "q2"));
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), written, "read within 5 minutes");
    th_response_free(&r);
    s_advance(299999); /* 10 minutes after the write, but under 5 after the read */
    r = s_call(SONNET_V2, s_system_body(text, CP, "q3"));
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), written, "the read restarted the TTL");
    th_response_free(&r);
    s_advance(300000);
    r = s_call(SONNET_V2, s_system_body(text, CP, "q4"));
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), 0, "expired after 5 minutes");
    cr_assert_eq(s_usage(&r, "cacheWriteInputTokens"), written);
    th_response_free(&r);
    free(text);
}

Test(caching, ttl_1h_entry_survives_an_hour_less_a_millisecond)
{
    char *text = s_long("hour", 120);
    struct th_response r = s_call(SONNET_45, s_system_body(text, CP_1H, "q1"));
    s_assert_ok(&r);
    int written = s_usage(&r, "cacheWriteInputTokens");
    const cJSON *details = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "cacheDetails");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(details, 0), "ttl")->valuestring, "1h");
    th_response_free(&r);
    s_advance(3599999);
    r = s_call(SONNET_45, s_system_body(text, CP_1H, "q2"));
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), written);
    th_response_free(&r);
    s_advance(3600000);
    r = s_call(SONNET_45, s_system_body(text, CP_1H, "q3"));
    cr_assert_eq(s_usage(&r, "cacheReadInputTokens"), 0);
    cr_assert_eq(s_usage(&r, "cacheWriteInputTokens"), written);
    th_response_free(&r);
    free(text);
}

Test(caching, mixed_ttls_report_1h_before_5m)
{
    char *tools_text = s_long("tools", 100), *question = s_long("question", 100);
    struct th_response r = s_call(SONNET_45, s_fmt("{\"system\":[{\"text\":\"%s\"}," CP_1H
                                                   "],\"messages\":[{\"role\":\"user\",\"content\":"
                                                   "[{\"text\":\"%s\"}," CP_5M "]}]}",
                                                   tools_text, question));
    s_assert_ok(&r);
    const cJSON *details = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "cacheDetails");
    cr_assert_eq(cJSON_GetArraySize(details), 2);
    const cJSON *first = cJSON_GetArrayItem(details, 0), *second = cJSON_GetArrayItem(details, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(first, "ttl")->valuestring, "1h");
    cr_assert_str_eq(cJSON_GetObjectItem(second, "ttl")->valuestring, "5m");
    int sum = cJSON_GetObjectItem(first, "inputTokens")->valueint;
    sum += cJSON_GetObjectItem(second, "inputTokens")->valueint;
    cr_assert_eq(sum, s_usage(&r, "cacheWriteInputTokens"));
    th_response_free(&r);
    free(tools_text);
    free(question);
}

Test(caching, accounts_do_not_share_the_cache)
{
    char *text = s_long("accounts", 120);
    struct th_response a = s_call_as("AKIDWORKERA", SONNET_V2, s_system_body(text, CP, "q"));
    int written = s_usage(&a, "cacheWriteInputTokens");
    cr_assert_gt(written, 0);
    struct th_response b = s_call_as("AKIDWORKERB", SONNET_V2, s_system_body(text, CP, "q"));
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), 0, "account B read account A's entry");
    cr_assert_eq(s_usage(&b, "cacheWriteInputTokens"), written);
    struct th_response a2 = s_call_as("AKIDWORKERA", SONNET_V2, s_system_body(text, CP, "q"));
    cr_assert_eq(s_usage(&a2, "cacheReadInputTokens"), written);
    th_response_free(&a);
    th_response_free(&b);
    th_response_free(&a2);
    free(text);
}

Test(caching, models_do_not_share_the_cache)
{
    char *text = s_long("models", 120);
    struct th_response a = s_call(SONNET_V2, s_system_body(text, CP, "q"));
    struct th_response b = s_call(SONNET_45, s_system_body(text, CP, "q"));
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), 0);
    cr_assert_eq(s_usage(&b, "cacheWriteInputTokens"), s_usage(&a, "cacheWriteInputTokens"));
    th_response_free(&a);
    th_response_free(&b);
    free(text);
}

/* ---- the pydantic-ai seed examples (shared/spec/client-facts.md §1.5-1.6) as raw requests -- */

Test(caching, seed_cache_messages_first_call_writes_then_a_new_question_reads_the_prefix)
{
    /* bedrock_cache_messages=True: a cache point (no ttl) ends the last user message. */
    char *text = s_long("conversation", 120);
    struct th_response a =
        s_call(SONNET_V2,
               s_fmt("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}," CP "]}],\"system\":[]}",
                     text));
    s_assert_ok(&a);
    int written = s_usage(&a, "cacheWriteInputTokens");
    cr_assert_gt(written, 1024);
    /* Next turn: the history comes back without its cache point, the new question gets one. */
    struct th_response b = s_call(SONNET_V2, s_fmt("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}]},"
                                                   "{\"role\":\"assistant\",\"content\":[{\"text\":\"Noted.\"}]},"
                                                   "{\"role\":\"user\",\"content\":[{\"text\":\"Which rule is 7?\"}," CP
                                                   "]}],\"system\":[]}",
                                                   text));
    s_assert_ok(&b);
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), written);
    cr_assert_gt(s_usage(&b, "cacheWriteInputTokens"), 0, "the new turn is written too");
    th_response_free(&a);
    th_response_free(&b);
    free(text);
}

Test(caching, seed_instructions_tools_and_messages_write_then_read)
{
    /* All three settings plus markers, after pydantic-ai trimmed them to four points. */
    char *instructions = s_long("instructions", 60), *chunk1 = s_long("chunk1", 60), *chunk2 = s_long("chunk2", 60);
    char *body = s_fmt("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}," CP_5M
                       ",{\"text\":\"%s\"}," CP "]}],\"system\":[{\"text\":\"%s\"}," CP "],\"inferenceConfig\":{},"
                       "\"toolConfig\":{\"tools\":[" TOOL "," CP "]}}",
                       chunk1, chunk2, instructions);
    char *again = strdup(body);
    struct th_response a = s_call(SONNET_V2, body);
    s_assert_ok(&a);
    int written = s_usage(&a, "cacheWriteInputTokens");
    cr_assert_gt(written, 2048);
    cr_assert_eq(s_usage(&a, "cacheReadInputTokens"), 0);
    cJSON *record = s_last_cache_record();
    cr_assert_str_eq(s_outcome(record, 0), "below_minimum"); /* the tool point: one short tool */
    cr_assert_str_eq(s_outcome(record, 3), "write");
    cJSON_Delete(record);
    struct th_response b = s_call(SONNET_V2, again);
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), written);
    cr_assert_eq(s_usage(&b, "cacheWriteInputTokens"), 0);
    cr_assert_eq(s_usage(&b, "inputTokens"), s_usage(&a, "inputTokens"));
    th_response_free(&a);
    th_response_free(&b);
    free(instructions);
    free(chunk1);
    free(chunk2);
}

#define MARKERS                                                                                           \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%s\"}," CP_5M ",{\"text\":\"%s\"}," CP_5M \
    ",{\"text\":\"%s\"}]}],\"system\":[]}"

Test(caching, seed_explicit_markers_cache_up_to_the_last_marker)
{
    /* ['First chunk', CP, 'Second chunk', CP, 'Question'] -> text, CP, text, CP, text. */
    char *first = s_long("first", 100), *second = s_long("second", 100);
    struct th_response a = s_call(SONNET_V2, s_fmt(MARKERS, first, second, "Question one?"));
    s_assert_ok(&a);
    int written = s_usage(&a, "cacheWriteInputTokens");
    cJSON *record = s_last_cache_record();
    cr_assert_str_eq(s_outcome(record, 0), "write");
    cr_assert_str_eq(s_outcome(record, 1), "write");
    const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(record, "points"), 1);
    cr_assert_eq(cJSON_GetObjectItem(last, "prefix_tokens")->valueint, written);
    cJSON_Delete(record);
    struct th_response b = s_call(SONNET_V2, s_fmt(MARKERS, first, second, "Question two?"));
    cr_assert_eq(s_usage(&b, "cacheReadInputTokens"), written);
    cr_assert_eq(s_usage(&b, "cacheWriteInputTokens"), 0);
    th_response_free(&a);
    th_response_free(&b);
    free(first);
    free(second);
}

Test(caching, seed_five_cache_points_are_rejected_when_not_trimmed)
{
    char *body =
        s_fmt("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"1\"}," CP_5M ",{\"text\":\"2\"}," CP_5M
              ",{\"text\":\"3\"}," CP_5M ",{\"text\":\"4\"}," CP_5M ",{\"text\":\"5\"}," CP_5M "]}]}");
    struct th_response r = s_call(SONNET_V2, body);
    s_assert_error(&r, 400, "ValidationException",
                   "The model returned the following errors: A maximum of 4 blocks with cache_control may be "
                   "provided. Found 5.");
    th_response_free(&r);
}

/* The journal's counts come from the cache-points stage's scan (no walk of their own): past the
 * BRK_CACHEPOINT_LIST_MAX points the scan lists, each section still counts every one. */
Test(caching, journal_counts_every_cache_point_by_section_past_the_listed_ones)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 16);
    brk_buf_append_str(&b, "{\"toolConfig\":{\"tools\":[" TOOL "," CP "," CP "]},\"system\":[{\"text\":\"s\"}");
    for (int i = 0; i < 3; i++) {
        brk_buf_append_str(&b, "," CP);
    }
    brk_buf_append_str(&b, "],\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}");
    for (int i = 0; i < BRK_CACHEPOINT_LIST_MAX; i++) {
        brk_buf_append_str(&b, ",{\"text\":\"b\"}," CP);
    }
    brk_buf_append_str(&b, "]}]}");
    struct th_response r = s_call(SONNET_V2, strdup(b.data));
    brk_buf_clean_up(&b);
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    const cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    const cJSON *cp = cJSON_GetObjectItem(cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1), "cache_points");
    cr_assert_eq(cJSON_GetObjectItem(cp, "tools")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(cp, "system")->valueint, 3);
    cr_assert_eq(cJSON_GetObjectItem(cp, "messages")->valueint, BRK_CACHEPOINT_LIST_MAX);
    cr_assert_eq(cJSON_GetObjectItem(cp, "total")->valueint, BRK_CACHEPOINT_LIST_MAX + 5);
    th_response_free(&r);
}
