/*
 * test_scenario_run.c: `bedrock-scenario run` end to end, in-process (scenario/run.c and the
 * reports): every expectation kind passing and failing with its expected and actual values, a
 * minute of retry backoff on the shared virtual clock, mock actions, --jobs, --filter, --seed,
 * --endpoint (mock-only expectations and actions reported as skipped), TAP and JUnit output, and
 * the example scenarios of scenarios/ (with BRK_SOURCE_DIR); a run that ignores the environment
 * and profile files, the virtual clock's fixed epoch, and response pointers over the answer as
 * the service sent it (usage.cacheDetails).
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/cli.h"
#include "scenario/scenario.h"
#include "support/harness.h"
#include "support/scenario_cli.h"

/* Every expectation kind, each one right. */
static const char s_every_kind[] =
    "{\"name\":\"t/every-kind\",\"mock\":{\"rules\":[{\"id\":\"throttle\",\"match\":{\"operation\":\"Conv"
    "erse\",\"text\":\"retry me\"},\"error\":\"ThrottlingException\",\"times\":1}]},\"client\":{\"retry\""
    ":{\"mode\":\"standard\",\"max_attempts\":3},\"cache\":{\"instructions\":\"5m\"}},\"steps\":[{\"name\""
    ":\"converse\",\"converse\":{\"model\":\"us.anthropic.claude-3-7-sonnet-20250219-v1:0\",\"system\":\""
    "Be brief.\",\"user\":\"retry me\"},\"expect\":{\"response\":{\"/output/message/role\":\"assistant\"}"
    ",\"text\":{\"contains\":\"retry me\"},\"stop_reason\":\"end_turn\",\"usage\":{\"inputTokens\":{\"min"
    "\":1},\"cacheReadInputTokens\":0},\"attempts\":2,\"retry_delays_ms\":[{\"min\":0,\"max\":1000}],\"re"
    "try_delay_total_ms\":{\"max\":1000},\"virtual_elapsed_ms\":{\"max\":1000},\"sent\":{\"cache_points\""
    ":[{\"at\":\"system[1]\",\"ttl\":\"5m\"}],\"body\":{\"/messages/0/content/0/text\":\"retry me\"}},\"j"
    "ournal\":{\"requests\":2,\"statuses\":[429,200],\"attempts_per_invocation\":[2],\"rules_fired\":[\"t"
    "hrottle\"],\"cache\":[{\"location\":\"system[1]\",\"outcome\":\"below_minimum\"}],\"entries\":[{\"/s"
    "tatus\":429},{\"/status\":200}],\"last\":{\"/operation\":\"Converse\"}}}},{\"name\":\"stream\",\"con"
    "verse_stream\":{\"model\":\"anthropic.claude-3-haiku-20240307-v1:0\",\"user\":\"hello\"},\"expect\":"
    "{\"events\":[\"messageStart\",\"...\",\"messageStop\",\"metadata\"]}},{\"name\":\"count\",\"count_to"
    "kens\":{\"model\":\"anthropic.claude-3-haiku-20240307-v1:0\",\"user\":\"hello\"},\"expect\":{\"input"
    "_tokens\":{\"min\":1}}},{\"name\":\"error\",\"converse\":{\"model\":\"no.such-model-v1:0\",\"user\":"
    "\"x\"},\"expect\":{\"error\":{\"type\":\"ValidationException\",\"status\":400,\"kind\":\"service\",\""
    "message\":{\"regex\":\".\"}}}}]}";

/* The same with each expectation wrong, and two steps whose call fails or succeeds unexpectedly. */
static const char s_every_kind_broken[] =
    "{\"name\":\"t/every-kind-broken\",\"mock\":{\"rules\":[{\"id\":\"throttle\",\"match\":{\"operation\""
    ":\"Converse\",\"text\":\"retry me\"},\"error\":\"ThrottlingException\",\"times\":1}]},\"client\":{\""
    "retry\":{\"mode\":\"standard\",\"max_attempts\":3},\"cache\":{\"instructions\":\"5m\"}},\"steps\":[{"
    "\"name\":\"converse\",\"converse\":{\"model\":\"us.anthropic.claude-3-7-sonnet-20250219-v1:0\",\"sys"
    "tem\":\"Be brief.\",\"user\":\"retry me\"},\"expect\":{\"response\":{\"/output/message/role\":\"user"
    "\"},\"text\":{\"contains\":\"nope\"},\"stop_reason\":\"max_tokens\",\"usage\":{\"cacheReadInputToken"
    "s\":5},\"attempts\":1,\"retry_delays_ms\":[{\"min\":0},{\"min\":0}],\"retry_delay_total_ms\":{\"min\""
    ":5000000},\"virtual_elapsed_ms\":{\"min\":5000000},\"sent\":{\"cache_points\":[{\"at\":\"system[1]\""
    ",\"ttl\":\"1h\"}],\"body\":{\"/messages/0/content/0/text\":\"other\"}},\"journal\":{\"requests\":3,\""
    "statuses\":[200],\"attempts_per_invocation\":[3],\"rules_fired\":[\"other\"],\"cache\":[{\"location\""
    ":\"system[1]\",\"outcome\":\"write\"}],\"entries\":[{\"/status\":500},{\"/status\":200}],\"last\":{\""
    "/operation\":\"ConverseStream\"}}}},{\"name\":\"stream\",\"converse_stream\":{\"model\":\"anthropic."
    "claude-3-haiku-20240307-v1:0\",\"user\":\"hello\"},\"expect\":{\"events\":[\"contentBlockStop\",\".."
    ".\"]}},{\"name\":\"count\",\"count_tokens\":{\"model\":\"anthropic.claude-3-haiku-20240307-v1:0\",\""
    "user\":\"hello\"},\"expect\":{\"input_tokens\":0}},{\"name\":\"error\",\"converse\":{\"model\":\"no."
    "such-model-v1:0\",\"user\":\"x\"},\"expect\":{\"error\":\"ThrottlingException\"}},{\"name\":\"unexpe"
    "cted failure\",\"converse\":{\"model\":\"no.such-model-v1:0\",\"user\":\"x\"}},{\"name\":\"unexpecte"
    "d success\",\"converse\":{\"model\":\"anthropic.claude-3-haiku-20240307-v1:0\",\"user\":\"x\"},\"exp"
    "ect\":{\"error\":\"ValidationException\"}}]}";

static char s_dir[64];

static void s_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before --jobs creates clients on several threads */
}

static int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void s_fini(void)
{
    if (s_dir[0]) {
        nftw(s_dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    }
}

TestSuite(scenario_run, .init = s_init, .fini = s_fini, .timeout = TH_SUITE_TIMEOUT_S);

/* ---- helpers ------------------------------------------------------------------------------- */

/* A fresh folder for this test's files. */
static const char *s_tmpdir(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/scn-test-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
    return s_dir;
}

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void s_run_one(const char *text, struct scenario **sc, struct scn_result *r, const struct scn_run_opts *o)
{
    struct scn_diags d = {0};
    cr_assert_eq(scn_load_text("t.json", text, strlen(text), sc, &d), BRK_OK, "%s", d.n ? d.lines[0] : "");
    struct scn_run_opts none = {0};
    scn_run(*sc, o ? o : &none, r);
}

/* Whether any failure line of any step contains `text`. */
static bool s_failed_with(const struct scn_result *r, const char *text)
{
    for (size_t s = 0; s < r->n_steps; s++) {
        for (size_t i = 0; i < r->steps[s].failures.n; i++) {
            if (strstr(r->steps[s].failures.lines[i], text)) {
                return true;
            }
        }
    }
    return false;
}

static size_t s_failures(const struct scn_result *r)
{
    size_t n = 0;
    for (size_t s = 0; s < r->n_steps; s++) {
        n += r->steps[s].failures.n;
    }
    return n;
}

/* Every failure line, to the test's log. */
static void s_log_failures(const struct scn_result *r)
{
    for (size_t s = 0; s < r->n_steps; s++) {
        for (size_t i = 0; i < r->steps[s].failures.n; i++) {
            cr_log_error("%s: %s", r->steps[s].label, r->steps[s].failures.lines[i]);
        }
    }
}

/* Run `text` and require it to pass with `n_steps` steps, logging every failure otherwise. */
static void s_expect_pass(const char *text, size_t n_steps)
{
    struct scenario *sc = NULL;
    struct scn_result r;
    s_run_one(text, &sc, &r, NULL);
    s_log_failures(&r);
    cr_expect_eq(r.n_steps, n_steps);
    cr_expect_eq(r.outcome, SCN_PASS, "%zu failures%s%s", s_failures(&r), r.error ? ": " : "", r.error ? r.error : "");
    scn_result_clean_up(&r);
    scn_destroy(sc);
}

/* ---- every expectation kind -------------------------------------------------------------------- */

Test(scenario_run, every_expectation_kind_holds_on_a_scenario_that_is_right)
{
    s_expect_pass(s_every_kind, 4);
}

Test(scenario_run, every_expectation_kind_fails_with_the_expected_and_the_actual_value)
{
    struct scenario *sc = NULL;
    struct scn_result r;
    s_run_one(s_every_kind_broken, &sc, &r, NULL);
    const char *want[] = {
        "expect.response[\"/output/message/role\"]: expected \"user\", got \"assistant\"",
        "expect.text: expected containing \"nope\", got \"This is a mock response. You said: retry me\"",
        "expect.stop_reason: expected \"max_tokens\", got \"end_turn\"",
        "expect.usage.cacheReadInputTokens: expected 5, got 0",
        "expect.attempts: expected 1, got 2",
        "expect.retry_delays_ms: expected 2 elements, got 1: [",
        "expect.retry_delay_total_ms: expected at least 5000000, got ",
        "expect.virtual_elapsed_ms: expected at least 5000000, got ",
        "expect.sent.cache_points[0].ttl: expected \"1h\", got \"5m\"",
        "expect.sent.body[\"/messages/0/content/0/text\"]: expected \"other\", got \"retry me\"",
        "expect.journal.requests: expected 3, got 2",
        "expect.journal.statuses: expected [200], got [429,200]",
        "expect.journal.attempts_per_invocation[0]: expected 3, got 2",
        "expect.journal.rules_fired: expected [\"other\"], got [\"throttle\"]",
        "expect.journal.cache[0].outcome: expected \"write\", got \"below_minimum\"",
        "expect.journal.entries[0][\"/status\"]: expected 500, got 429",
        "expect.journal.last[\"/operation\"]: expected \"ConverseStream\", got \"Converse\"",
        "expect.events: expected [\"contentBlockStop\",\"...\"], got [\"messageStart\",",
        "expect.input_tokens: expected 0, got ",
        "expect.error.type: expected \"ThrottlingException\", got \"ValidationException\"",
        "the call failed: {\"type\":\"ValidationException\",\"message\":\"The provided model identifier is invalid.\"",
        "expect.error: expected the call to fail with \"ValidationException\", but it succeeded",
    };
    cr_assert_eq(r.outcome, SCN_FAIL);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        cr_expect(s_failed_with(&r, want[i]), "no failure reads \"%s\"", want[i]);
    }
    cr_assert_eq(s_failures(&r), sizeof(want) / sizeof(want[0]), "one failure per broken expectation");
    scn_result_clean_up(&r);
    scn_destroy(sc);
}

/* ---- hermetic run ------------------------------------------------------------------------------ */

/* No retry settings, SigV4 keys from the mock's credential list: under `run` the environment's
 * attempts, mode, profile and API key must change nothing. */
static const char s_hermetic[] =
    "{\"name\": \"t/hermetic\", \"mock\": {\"auth\": {\"mode\": \"strict\", \"credentials\":"
    "  [{\"access_key_id\": \"AKIDSCN\", \"secret_access_key\": \"scn-secret\"}]},"
    "  \"rules\": [{\"id\": \"throttle\", \"match\": {\"operation\": \"Converse\"},"
    "   \"error\": \"ThrottlingException\", \"times\": 4}]},"
    " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"hi\"},"
    "  \"expect\": {\"attempts\": 5, \"journal\": {\"last\": {\"/account\": {\"exists\": true}}}}}]}";

Test(scenario_run, run_ignores_the_environment_and_profile_files)
{
    char cfg_path[128];
    snprintf(cfg_path, sizeof(cfg_path), "%s/config", s_tmpdir());
    s_write(cfg_path, "[profile dev]\nretry_mode = standard\nmax_attempts = 2\n");
    setenv("AWS_CONFIG_FILE", cfg_path, 1);
    setenv("AWS_PROFILE", "dev", 1);
    setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-from-the-shell", 1);
    s_expect_pass(s_hermetic, 1);
    unsetenv("AWS_PROFILE");
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_RETRY_MODE", "adaptive", 1);
    s_expect_pass(s_hermetic, 1);
}

/* run's virtual clock starts at a fixed epoch (2030-01-01T00:00:00Z) unless mock.clock.start
 * says otherwise; the journal's time_ms is the mock's clock. */
static const char s_epoch[] =
    "{\"name\": \"t/epoch\", \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\","
    " \"user\": \"hi\"}, \"expect\": {\"journal\": {\"last\": {\"/time_ms\": 1893456000000}}}}]}";
static const char s_epoch_pinned[] =
    "{\"name\": \"t/epoch-pinned\", \"mock\": {\"clock\": {\"mode\": \"virtual\", \"start\": "
    "\"2031-06-01T12:00:00Z\"}}, \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\","
    " \"user\": \"hi\"}, \"expect\": {\"journal\": {\"last\": {\"/time_ms\": 1938081600000}}}}]}";

Test(scenario_run, the_virtual_clock_starts_at_a_fixed_epoch_unless_the_scenario_pins_it)
{
    s_expect_pass(s_epoch, 1);
    s_expect_pass(s_epoch_pinned, 1);
}

/* ---- the answer as the service sent it ------------------------------------------------------------ */

/* A ~1,600-token system prompt with a cache point, written by a Converse then read by a
 * ConverseStream: `response` pointers reach usage.cacheDetails, which libbedrock's struct lacks. */
static char *s_cache_details_scenario(void)
{
    static const char head[] =
        "{\"name\": \"t/cache-details\", \"steps\": [{\"converse\": %s, \"expect\": {\"response\": {"
        "\"/usage/cacheDetails/0/ttl\": \"5m\", \"/usage/cacheDetails/0/inputTokens\": {\"min\": 1024},"
        " \"/usage/cacheWriteInputTokens\": {\"min\": 1024}}}}, {\"converse_stream\": %s, \"expect\": {"
        "\"response\": {\"/usage/cacheDetails\": [], \"/usage/cacheReadInputTokens\": {\"min\": 1024}}}}]}";
    char call[12000];
    int n = snprintf(call, sizeof(call), "{\"model\": \"anthropic.claude-3-5-sonnet-20241022-v2:0\", \"system\": [\"");
    for (int i = 0; i < 200; i++) {
        n += snprintf(call + n, sizeof(call) - (size_t)n, "Northwind sells tents, bags and boots. ");
    }
    snprintf(call + n, sizeof(call) - (size_t)n, "\", {\"cache_point\": true}], \"user\": \"Tents?\"}");
    size_t len = sizeof(head) + 2 * strlen(call);
    char *text = malloc(len);
    cr_assert_not_null(text);
    snprintf(text, len, head, call, call);
    return text;
}

Test(scenario_run, response_pointers_read_the_answer_as_the_service_sent_it)
{
    char *text = s_cache_details_scenario();
    s_expect_pass(text, 2);
    free(text);
}

/* ---- virtual time ---------------------------------------------------------------------------------- */

/* One request a minute: the second call is throttled until the bucket refills, which only the
 * client's backoff on the shared virtual clock can make happen. */
static const char s_backoff[] =
    "{\"name\": \"t/backoff\", \"mock\": {\"quotas\": [{\"model\": \"*\", \"requests_per_minute\": 1}]},"
    " \"client\": {\"retry\": {\"mode\": \"legacy\", \"max_attempts\": 10}},"
    " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"one\"}},"
    "  {\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"two\"},"
    "   \"expect\": {\"attempts\": {\"min\": 2}, \"virtual_elapsed_ms\": {\"min\": 60000},"
    "                \"retry_delay_total_ms\": {\"min\": 60000}, \"journal\": {\"last\": {\"/status\": 200}}}},"
    "  {\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"three\"},"
    "   \"expect\": {\"virtual_elapsed_ms\": {\"max\": 1000}}}]}";

Test(scenario_run, a_minute_of_backoff_runs_on_the_shared_virtual_clock_and_refills_the_quota)
{
    struct scenario *sc = NULL;
    struct scn_result r;
    s_run_one(s_backoff, &sc, &r, NULL);
    cr_assert_eq(r.outcome, SCN_FAIL, "the third call comes right after a refill used up: it waits again");
    cr_assert_eq(r.steps[1].outcome, SCN_PASS, "%s", r.steps[1].failures.n ? r.steps[1].failures.lines[0] : "");
    cr_assert(s_failed_with(&r, "expect.virtual_elapsed_ms: expected at most 1000, got "),
              "the next call's backoff is read on the virtual clock too");
    scn_result_clean_up(&r);
    scn_destroy(sc);
}

/* ---- mock actions ----------------------------------------------------------------------------------- */

static const char s_actions[] =
    "{\"name\": \"t/actions\", \"mock\": {\"rules\": [{\"id\": \"r\", \"error\": \"ServiceUnavailableException\"}]},"
    " \"client\": {\"retry\": {\"mode\": \"standard\", \"max_attempts\": 1}},"
    " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"a\"},"
    "   \"expect\": {\"error\": {\"status\": 503}}},"
    "  {\"remove_rules\": [\"r\"]},"
    "  {\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"b\"}},"
    "  {\"add_rules\": {\"id\": \"q\", \"error\": \"ThrottlingException\"}},"
    "  {\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"c\"},"
    "   \"expect\": {\"error\": \"ThrottlingException\", \"journal\": {\"rules_fired\": [\"q\"]}}},"
    "  {\"reset\": true},"
    "  {\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"d\"},"
    "   \"expect\": {\"error\": {\"status\": 503}, \"journal\": {\"rules_fired\": [\"r\"]}}},"
    "  {\"set_quotas\": [{\"model\": \"*\", \"requests_per_minute\": 1}]}, {\"remove_rules\": \"*\"},"
    "  {\"advance_clock_ms\": 60000}, {\"clear_cache\": true},"
    "  {\"remove_rules\": [\"no-such-rule\"]}],"
    " \"expect\": {\"journal\": {\"requests\": 1}}}";

Test(scenario_run, mock_actions_change_the_mock_between_steps)
{
    struct scenario *sc = NULL;
    struct scn_result r;
    s_run_one(s_actions, &sc, &r, NULL);
    cr_assert_eq(r.n_steps, 13, "12 steps and the top-level expect");
    for (size_t s = 0; s < 11; s++) {
        cr_expect_eq(r.steps[s].outcome, SCN_PASS, "%s: %s", r.steps[s].label,
                     r.steps[s].failures.n ? r.steps[s].failures.lines[0] : "");
    }
    cr_assert_eq(r.steps[11].outcome, SCN_FAIL, "removing a rule that is not there fails its step");
    cr_assert(s_failed_with(&r, "remove_rules: DELETE /_mock/rules/no-such-rule: the mock answered"));
    cr_assert_eq(r.steps[12].outcome, SCN_PASS, "reset emptied the journal: one request since");
    scn_result_clean_up(&r);
    scn_destroy(sc);
}

/* ---- the command line: reports, --jobs, --filter, --endpoint --------------------------------------- */

static const char s_ok_a[] =
    "{\"name\": \"area/a\", \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\","
    " \"user\": \"a\"}, \"expect\": {\"stop_reason\": \"end_turn\", \"journal\": {\"requests\": 1}}},"
    " {\"advance_clock_ms\": 10}]}";
static const char s_bad_b[] =
    "{\"name\": \"area/b\", \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\","
    " \"user\": \"b & <c>\"}, \"expect\": {\"stop_reason\": \"max_tokens\"}}]}";
static const char s_exec_only[] = "{\"name\": \"other/exec-only\", \"expect\": {\"journal\": {\"requests\": 1}}}";

static void s_fixture_dir(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/sub", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/a.json", dir);
    s_write(path, s_ok_a);
    snprintf(path, sizeof(path), "%s/sub/b.json", dir);
    s_write(path, s_bad_b);
    snprintf(path, sizeof(path), "%s/c.json", dir);
    s_write(path, s_exec_only);
    snprintf(path, sizeof(path), "%s/schema.json", dir);
    s_write(path, "{\"not\": \"a scenario\"}");
}

Test(scenario_run, text_report_names_each_failure_and_the_exit_status_says_so)
{
    const char *dir = s_tmpdir();
    s_fixture_dir(dir);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 3, argv), 1);
    cr_assert(strstr(out, "PASS area/a (2 steps, "), "%s", out);
    cr_assert(strstr(out, "FAIL area/b ("), "%s", out);
    cr_assert(strstr(out, "  steps[0] \"converse\": expect.stop_reason: expected \"max_tokens\", got \"end_turn\""),
              "%s", out);
    cr_assert(strstr(out, "SKIP other/exec-only"), "%s", out);
    cr_assert(strstr(out, "3 scenarios: 1 passed, 1 failed, 1 skipped"), "schema.json is not a scenario: %s", out);
    cr_assert(strstr(out, "area/a") < strstr(out, "other/exec-only") &&
                  strstr(out, "other/exec-only") < strstr(out, "area/b"),
              "file order (a.json, c.json, sub/b.json): %s", out);
    free(out);
}

Test(scenario_run, jobs_run_scenarios_in_parallel_and_report_in_file_order)
{
    const char *dir = s_tmpdir();
    char path[256];
    for (int i = 0; i < 6; i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "{\"name\": \"p/%d\", \"mock\": {\"rules\": [{\"error\": \"ThrottlingException\", \"times\": 1}]},"
                 " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"x\"},"
                 " \"expect\": {\"attempts\": 2, \"journal\": {\"statuses\": [429, 200]}}}]}",
                 i);
        snprintf(path, sizeof(path), "%s/s%d.json", dir, i);
        s_write(path, text);
    }
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--jobs", "3", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv), 0, "%s", out);
    cr_assert(strstr(out, "6 scenarios: 6 passed, 0 failed, 0 skipped"), "each has its own mock state: %s", out);
    const char *prev = out;
    for (int i = 0; i < 6; i++) {
        char name[32];
        snprintf(name, sizeof(name), "PASS p/%d ", i);
        const char *at = strstr(out, name);
        cr_assert(at && at >= prev, "p/%d in order: %s", i, out);
        prev = at;
    }
    free(out);
}

Test(scenario_run, filter_keeps_the_scenarios_whose_name_or_path_matches)
{
    const char *dir = s_tmpdir();
    s_fixture_dir(dir);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--filter", "area/a", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv), 0, "%s", out);
    cr_assert(strstr(out, "1 scenario: 1 passed") && !strstr(out, "area/b"), "%s", out);
    free(out);
    const char *argv2[] = {"bedrock-scenario", "run", "--filter", "*/sub/*", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv2), 1, "%s", out);
    cr_assert(strstr(out, "FAIL area/b") && !strstr(out, "area/a"), "%s", out);
    free(out);
    const char *argv3[] = {"bedrock-scenario", "run", "--filter", "no/such-*", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv3), 1, "a filter that matches nothing is a failure");
    free(out);
}

/* Check TAP version 13's shape: the plan, then test points numbered 1..N, a YAML block after
 * each failure. */
static void s_assert_tap(const char *tap, size_t want_points, size_t want_failed, size_t want_skipped)
{
    size_t plan = 0, n = 0, failed = 0, skipped = 0;
    cr_assert_eq(strncmp(tap, "TAP version 13\n1..", 18), 0, "%s", tap);
    cr_assert_eq(sscanf(tap + 18, "%zu", &plan), 1);
    for (const char *line = tap; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        size_t num = 0;
        if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0) {
            bool bad = line[0] == 'n';
            cr_assert_eq(sscanf(line + (bad ? 7 : 3), "%zu", &num), 1);
            cr_assert_eq(num, ++n, "test points are numbered in order: %s", tap);
            failed += bad;
            skipped += strstr(line, " # SKIP ") && strstr(line, " # SKIP ") < strchr(line, '\n');
            cr_assert(!bad || strncmp(strchr(line, '\n') + 1, "  ---\n", 6) == 0, "a YAML block follows: %s", tap);
        }
    }
    cr_assert_eq(plan, n, "the plan counts the points: %s", tap);
    cr_assert_eq(n, want_points, "%s", tap);
    cr_assert_eq(failed, want_failed, "%s", tap);
    cr_assert_eq(skipped, want_skipped, "%s", tap);
}

Test(scenario_run, tap_output_is_well_formed)
{
    const char *dir = s_tmpdir();
    s_fixture_dir(dir);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--tap", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 4, argv), 1);
    s_assert_tap(out, 4, 1, 1);
    cr_assert(strstr(out, "    - \"expect.stop_reason: expected \\\"max_tokens\\\", got \\\"end_turn\\\"\""), "%s",
              out);
    free(out);
}

static char *s_read(const char *path)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    cr_assert_eq(brk_buf_read_file(&b, path), BRK_OK, "%s", path);
    return brk_buf_detach(&b, NULL);
}

static size_t s_count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

Test(scenario_run, junit_output_is_well_formed)
{
    const char *dir = s_tmpdir();
    s_fixture_dir(dir);
    char junit[256];
    snprintf(junit, sizeof(junit), "%s/out.xml", dir);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--junit", junit, dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv), 1);
    free(out);
    char *xml = s_read(junit);
    cr_assert_eq(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50), 0, "%s", xml);
    cr_assert_eq(s_count(xml, "<testsuite "), 3, "%s", xml);
    cr_assert_eq(s_count(xml, "</testsuite>"), 3, "%s", xml);
    cr_assert_eq(s_count(xml, "<testcase "), 4, "%s", xml);
    cr_assert_eq(s_count(xml, "</testcase>"), 4, "%s", xml);
    cr_assert_eq(s_count(xml, "<failure "), 1, "%s", xml);
    cr_assert_eq(s_count(xml, "<skipped "), 1, "%s", xml);
    cr_assert(strstr(xml, "name=\"area/b\" tests=\"1\" failures=\"1\""), "%s", xml);
    cr_assert(strstr(xml, "expected &quot;max_tokens&quot;, got &quot;end_turn&quot;"), "escaped: %s", xml);
    cr_assert_null(strstr(xml, "<c>"), "the text is escaped: %s", xml);
    cr_assert(strstr(xml, "</testsuites>\n"), "%s", xml);
    free(xml);
}

Test(scenario_run, endpoint_runs_the_calls_and_reports_mock_only_expectations_as_skipped)
{
    struct brk_mock *mock = th_mock_start(NULL);
    char url[64];
    th_base_url(mock, url, sizeof(url));
    const char *dir = s_tmpdir();
    s_fixture_dir(dir);
    char path[256];
    snprintf(path, sizeof(path), "%s/a.json", dir);
    char *out = NULL;
    /* Against an endpoint the credentials come from the environment, as libbedrock resolves them. */
    setenv("AWS_ACCESS_KEY_ID", "AKIDENDPOINT", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "dummy", 1);
    const char *argv[] = {"bedrock-scenario", "run", "--tap", "--endpoint", url, path, NULL};
    cr_assert_eq(th_scenario_cli(&out, 6, argv), 0, "%s", out);
    s_assert_tap(out, 2, 0, 1);
    cr_assert(strstr(out,
                     "ok 1 - area/a: steps[0] \"converse\"\n# expect.journal: skipped: only the mock keeps a journal"),
              "%s", out);
    cr_assert(strstr(out, "ok 2 - area/a: steps[1] \"advance_clock_ms\" # SKIP advance_clock_ms: skipped: a mock "
                          "action needs the embedded mock"),
              "%s", out);
    free(out);
    struct th_response r = th_request(mock, "GET", "/_mock/requests", NULL, NULL);
    cr_assert_eq(cJSON_GetObjectItem(r.json, "count")->valueint, 1, "the call went to the endpoint");
    cJSON_Delete(r.json);
    free(r.body);
    free(r.headers);
    brk_mock_stop(mock);
}

Test(scenario_run, seed_makes_the_jitter_repeat_and_changes_it)
{
    const char *text = "{\"name\": \"t/seed\", \"mock\": {\"rules\": [{\"error\": \"ThrottlingException\"}]},"
                       " \"client\": {\"retry\": {\"mode\": \"standard\", \"max_attempts\": 4}},"
                       " \"steps\": [{\"converse\": {\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": "
                       "\"x\"}, \"expect\": {\"error\": \"ThrottlingException\", \"retry_delays_ms\": [0, 0, 0]}}]}";
    char lines[3][512];
    uint64_t seeds[3] = {7, 7, 8};
    for (int i = 0; i < 3; i++) {
        struct scenario *sc = NULL;
        struct scn_result r;
        struct scn_run_opts o = {.has_seed = true, .seed = seeds[i]};
        s_run_one(text, &sc, &r, &o);
        cr_assert_eq(r.steps[0].failures.n, 3, "no delay is 0");
        snprintf(lines[i], sizeof(lines[i]), "%s %s %s", r.steps[0].failures.lines[0], r.steps[0].failures.lines[1],
                 r.steps[0].failures.lines[2]);
        scn_result_clean_up(&r);
        scn_destroy(sc);
    }
    cr_assert_str_eq(lines[0], lines[1], "one seed, one schedule");
    cr_assert_str_neq(lines[0], lines[2], "another seed, another schedule");
}

Test(scenario_run, usage_errors_and_help)
{
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--jobs", "0", "x.json", NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, argv), 2);
    free(out);
    const char *argv2[] = {"bedrock-scenario", "frobnicate", NULL};
    cr_assert_eq(th_scenario_cli(&out, 2, argv2), 2);
    free(out);
    const char *cmds[] = {"run", "exec", "serve", "check", "validate"};
    for (size_t i = 0; i < 5; i++) {
        const char *argv3[] = {"bedrock-scenario", cmds[i], "--help", NULL};
        cr_assert_eq(th_scenario_cli(&out, 3, argv3), 0, "%s --help", cmds[i]);
        cr_assert(strstr(out, "usage: bedrock-scenario ") && strstr(out, "example"), "%s --help: %s", cmds[i], out);
        free(out);
    }
    const char *argv4[] = {"bedrock-scenario", "run", "/nonexistent/dir", NULL};
    cr_assert_eq(th_scenario_cli(&out, 3, argv4), 2, "a path that does not exist is a usage error");
    free(out);
}

Test(scenario_run, validate_reports_every_mistake_of_every_file)
{
    const char *dir = s_tmpdir();
    char path[256];
    snprintf(path, sizeof(path), "%s/ok.json", dir);
    s_write(path, s_ok_a);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "validate", dir, NULL};
    cr_assert_eq(th_scenario_cli(&out, 3, argv), 0);
    cr_assert(strstr(out, "1 scenario valid"), "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    s_write(path, "{\"name\": \"x\", \"stepz\": [], \"steps\": [{}]}");
    cr_assert_eq(th_scenario_cli(&out, 3, argv), 2);
    free(out);
}

/* ---- the example scenarios ----------------------------------------------------------------------- */

Test(scenario_run, the_example_scenarios_pass)
{
    const char *src = getenv("BRK_SOURCE_DIR");
    if (!src) {
        cr_skip_test("BRK_SOURCE_DIR is not set (run through make test-unit)");
    }
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/scenarios", src);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "run", "--jobs", "2", dir, NULL};
    int rc = th_scenario_cli(&out, 5, argv);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, " 0 failed"), "%s", out);
    free(out);
}
