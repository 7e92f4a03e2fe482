/*
 * test_mock_lent.c: what brk_mock_config lends the mock (include/bedrock/mock.h): a clock shared
 * with its owner (both see every move, and the mock never frees it) and credentials given inline
 * (credentials_json) instead of a file; and scenarios that use both (strict auth from mock.auth).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/clock.h"
#include "bedrock/mock.h"
#include "scenario/scenario.h"
#include "support/harness.h"

TestSuite(mock_lent, .timeout = TH_SUITE_TIMEOUT_S);

static int64_t s_mock_now(struct brk_mock *mock)
{
    struct th_response r = th_request(mock, "GET", "/_mock/clock", NULL, NULL);
    cr_assert_eq(r.status, 200);
    int64_t now = (int64_t)cJSON_GetObjectItem(r.json, "now_ms")->valuedouble;
    th_response_free(&r);
    return now;
}

Test(mock_lent, a_lent_clock_is_shared_both_ways_and_outlives_the_mock)
{
    struct brk_clock *clock = brk_clock_new(BRK_CLOCK_VIRTUAL, 1893456000000); /* 2030-01-01 */
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock = clock;
    cfg.clock_mode = BRK_CLOCK_REAL; /* ignored: the lent clock decides */
    struct brk_mock *mock = th_mock_start(&cfg);
    cr_assert_eq(s_mock_now(mock), 1893456000000);
    brk_clock_sleep_ms(clock, 60000); /* what a client's backoff does */
    cr_assert_eq(s_mock_now(mock), 1893456060000, "the mock sees its owner's move");
    struct th_response r = th_request(mock, "POST", "/_mock/clock", "{\"advance_ms\": 5000}", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(brk_clock_now_ms(clock), 1893456065000, "the owner sees the mock's move");
    brk_mock_stop(mock);
    cr_assert_eq(brk_clock_now_ms(clock), 1893456065000, "the clock is the owner's to free");
    brk_clock_destroy(clock);
}

Test(mock_lent, without_a_lent_clock_the_mock_makes_its_own)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    struct brk_mock *mock = th_mock_start(&cfg);
    int64_t before = s_mock_now(mock);
    struct th_response r = th_request(mock, "POST", "/_mock/clock", "{\"advance_ms\": 1000}", NULL);
    th_response_free(&r);
    cr_assert_eq(s_mock_now(mock), before + 1000);
    brk_mock_stop(mock);
}

#define S_KEY "bedrock-api-key-inline-0123456789"

Test(mock_lent, inline_credentials_verify_like_a_credentials_file)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    char *json = strdup("{\"api_keys\": [{\"key\": \"" S_KEY "\", \"account_id\": \"444455556666\"}]}");
    cfg.credentials_json = json;
    struct brk_mock *mock = th_mock_start(&cfg);
    memset(json, 'x', strlen(json)); /* borrowed: read at start only */
    free(json);
    const char *listed[] = {"Authorization: Bearer " S_KEY, NULL};
    const char *unlisted[] = {"Authorization: Bearer bedrock-api-key-other-0123456789", NULL};
    const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}";
    const char *path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
    struct th_response r = th_request(mock, "POST", path, body, listed);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    r = th_request(mock, "POST", path, body, unlisted);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(mock_lent, strict_auth_without_credentials_does_not_start_and_bad_inline_json_is_named)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    struct brk_mock *mock = NULL;
    char err[256] = "";
    cr_assert_neq(brk_mock_start(&cfg, &mock, err, sizeof(err)), BRK_OK);
    cr_assert_null(mock);
    cr_assert(strstr(err, "--auth strict needs --credentials"), "%s", err);
    cfg.credentials_json = "{\"api_keys\": [{\"kee\": \"x\"}]}";
    cr_assert_neq(brk_mock_start(&cfg, &mock, err, sizeof(err)), BRK_OK);
    cr_assert_null(mock);
    cr_assert(err[0], "a reason is given");
}

/* A scenario's mock.auth reaches the mock inline, and its client signs with the first key. */
Test(mock_lent, a_scenario_with_strict_auth_calls_with_its_listed_key_and_fails_with_another)
{
    const char *text =
        "{\"name\": \"auth/strict\", \"mock\": {\"auth\": {\"mode\": \"strict\", \"api_keys\": [{\"key\": \"" S_KEY
        "\"}]}},"
        " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"Hi\"},"
        "  \"expect\": {\"journal\": {\"last\": {\"/auth\": \"bearer\"}}}}]}";
    const char *wrong =
        "{\"name\": \"auth/wrong\", \"mock\": {\"auth\": {\"mode\": \"strict\", \"api_keys\": [{\"key\": \"" S_KEY
        "\"}]}}, \"client\": {\"auth\": {\"api_key\": \"bedrock-api-key-other-0123456789\"}},"
        " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"Hi\"},"
        "  \"expect\": {\"error\": {\"type\": \"AccessDeniedException\", \"status\": 403}}}]}";
    const char *texts[] = {text, wrong};
    for (int i = 0; i < 2; i++) {
        struct scn_diags d = {0};
        struct scenario *sc = NULL;
        cr_assert_eq(scn_load_text("t.json", texts[i], strlen(texts[i]), &sc, &d), BRK_OK);
        struct scn_run_opts o = {0};
        struct scn_result r;
        scn_run(sc, &o, &r);
        cr_assert_eq(r.outcome, SCN_PASS, "%s: %s", sc->name,
                     r.error                 ? r.error
                     : r.steps[0].failures.n ? r.steps[0].failures.lines[0]
                                             : "");
        scn_result_clean_up(&r);
        scn_destroy(sc);
    }
}
