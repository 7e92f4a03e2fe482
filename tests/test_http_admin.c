/* HTTP tests: the admin API and the request journal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/harness.h"

/* Claude 3.5 Haiku: HELLO carries cache points, which a model without prompt caching refuses. */
#define HAIKU_PATH "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
#define HELLO                                                                                                         \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"},{\"cachePoint\":{\"type\":\"default\"}}]}]," \
    "\"system\":[{\"text\":\"Be brief\"},{\"cachePoint\":{\"type\":\"default\"}}]}"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    s_mock = th_mock_start(&cfg);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(admin, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

Test(admin, health_reports_ok)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/health", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "status")->valuestring, "ok");
    cr_assert_str_eq(cJSON_GetObjectItem(r.json, "clock")->valuestring, "virtual");
    th_response_free(&r);
}

Test(admin, journal_records_sdk_headers_accounts_and_cache_points)
{
    const char *h1[] = {
        "amz-sdk-invocation-id: inv-1", "amz-sdk-request: attempt=2; max=3",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDWORKER1/20260101/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=host, Signature=00",
        NULL};
    struct th_response r = th_request(s_mock, "POST", HAIKU_PATH, HELLO, h1);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    const char *h2[] = {"amz-sdk-invocation-id: inv-2", NULL};
    r = th_request(s_mock, "POST", "/model/nope/converse", HELLO, h2);
    th_response_free(&r);

    cJSON *all = th_journal(s_mock, "");
    cr_assert_eq(cJSON_GetArraySize(all), 2);
    cJSON_Delete(all);
    cJSON *one = th_journal(s_mock, "?invocation_id=inv-1");
    cr_assert_eq(cJSON_GetArraySize(one), 1);
    const cJSON *e = cJSON_GetArrayItem(one, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "operation")->valuestring, "Converse");
    cr_assert_str_eq(cJSON_GetObjectItem(e, "model_id")->valuestring, "anthropic.claude-3-5-haiku-20241022-v1:0");
    cr_assert_str_eq(cJSON_GetObjectItem(e, "account")->valuestring, "AKIDWORKER1");
    cr_assert_eq(cJSON_GetObjectItem(e, "attempt")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(e, "max_attempts")->valueint, 3);
    cr_assert_eq(cJSON_GetObjectItem(e, "status")->valueint, 200);
    const cJSON *cp = cJSON_GetObjectItem(e, "cache_points");
    cr_assert_eq(cJSON_GetObjectItem(cp, "system")->valueint, 1);
    cr_assert_eq(cJSON_GetObjectItem(cp, "messages")->valueint, 1);
    cr_assert_eq(cJSON_GetObjectItem(cp, "total")->valueint, 2);
    cJSON_Delete(one);
    cJSON *failed = th_journal(s_mock, "?invocation_id=inv-2");
    const cJSON *f = cJSON_GetArrayItem(failed, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(f, "error_code")->valuestring, "ValidationException");
    cr_assert_str_eq(cJSON_GetObjectItem(f, "account")->valuestring, TH_DEFAULT_ACCOUNT);
    cJSON_Delete(failed);
    cJSON *by_model = th_journal(s_mock, "?model=nope&operation=Converse");
    cr_assert_eq(cJSON_GetArraySize(by_model), 1);
    cJSON_Delete(by_model);
}

/* The journal entry of the request sent with invocation id `inv`: its "rejected_by_stage", or
 * NULL when it has none. */
static char *s_rejected_by(const char *path, const char *body, const char *inv)
{
    char header[128], query[160];
    snprintf(header, sizeof(header), "amz-sdk-invocation-id: %s", inv);
    const char *headers[] = {header, NULL};
    struct th_response r = th_request(s_mock, "POST", path, body, headers);
    th_response_free(&r);
    snprintf(query, sizeof(query), "?invocation_id=%s", inv);
    cJSON *list = th_journal(s_mock, query);
    cr_assert_eq(cJSON_GetArraySize(list), 1, "%s", inv);
    const char *stage = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "rejected_by_stage"));
    char *copy = stage ? strdup(stage) : NULL;
    cJSON_Delete(list);
    return copy;
}

Test(admin, journal_names_the_stage_that_refused_a_request)
{
    char *stage = s_rejected_by(HAIKU_PATH, HELLO, "passes");
    cr_assert_null(stage, "a request every stage let through names none, got %s", stage);
    stage = s_rejected_by(HAIKU_PATH, "{not json", "bad-json");
    cr_assert_str_eq(stage, "body");
    free(stage);
    stage = s_rejected_by("/model/nope/converse", HELLO, "bad-model");
    cr_assert_str_eq(stage, "model");
    free(stage);
    /* Claude takes a leading assistant turn (docs/validation.md), not two user turns in a row. */
    stage = s_rejected_by(HAIKU_PATH,
                          "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]},"
                          "{\"role\":\"user\",\"content\":[{\"text\":\"b\"}]}]}",
                          "user-twice");
    cr_assert_str_eq(stage, "conversation");
    free(stage);
    struct th_response r = th_request(s_mock, "POST", "/_mock/rules", "{\"error\":\"ThrottlingException\"}", NULL);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    stage = s_rejected_by(HAIKU_PATH, HELLO, "ruled");
    cr_assert_str_eq(stage, "rules");
    free(stage);
}

Test(admin, delete_requests_and_reset_clear_the_journal)
{
    struct th_response r = th_request(s_mock, "POST", HAIKU_PATH, HELLO, NULL);
    th_response_free(&r);
    r = th_request(s_mock, "DELETE", "/_mock/requests", NULL, NULL);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    cJSON *list = th_journal(s_mock, "");
    cr_assert_eq(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
    r = th_request(s_mock, "POST", HAIKU_PATH, HELLO, NULL);
    th_response_free(&r);
    r = th_request(s_mock, "POST", "/_mock/reset", "", NULL);
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    list = th_journal(s_mock, "");
    cr_assert_eq(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
}

Test(admin, virtual_clock_moves_on_request_only)
{
    struct th_response a = th_request(s_mock, "GET", "/_mock/clock", NULL, NULL);
    double t0 = cJSON_GetObjectItem(a.json, "now_ms")->valuedouble;
    struct th_response b = th_request(s_mock, "POST", "/_mock/clock", "{\"advance_ms\": 300000}", NULL);
    cr_assert_eq(b.status, 200, "%s", b.body);
    cr_assert_eq(cJSON_GetObjectItem(b.json, "now_ms")->valuedouble, t0 + 300000);
    struct th_response c = th_request(s_mock, "POST", "/_mock/clock", "{\"advance_ms\": -5}", NULL);
    cr_assert_eq(c.status, 400);
    th_response_free(&a);
    th_response_free(&b);
    th_response_free(&c);
}

Test(admin, real_clock_refuses_to_move)
{
    struct brk_mock *m = th_mock_start(NULL);
    struct th_response r = th_request(m, "POST", "/_mock/clock", "{\"advance_ms\": 1}", NULL);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(th_message(&r), "--clock virtual") != NULL);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(admin, unknown_admin_paths_and_methods)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/nothing", NULL, NULL);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);
    r = th_request(s_mock, "PUT", "/_mock/health", "", NULL);
    cr_assert_eq(r.status, 405);
    th_response_free(&r);
}

Test(admin, models_lists_the_catalogue_with_profiles)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/models", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_geq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "models")), 30);
    cr_assert(strstr(r.body, "us.anthropic.claude-3-7-sonnet-20250219-v1:0") != NULL);
    th_response_free(&r);
}
