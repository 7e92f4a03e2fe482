/*
 * test_scenario.c: bedrock-scenario's loader and matchers (scenario/load.c, scenario/match.c):
 * every kind of loader mistake is reported with the file and the JSON path, all mistakes at
 * once; every matcher holds and fails with its "expected …, got …" message; JSON Pointers.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "scenario/scenario.h"

#define S_FILE "t/scenario.json"

/* Load `text`; the diagnostics joined by newlines into `out`. */
static enum brk_status s_load(const char *text, char *out, size_t out_len)
{
    struct scn_diags d = {0};
    struct scenario *sc = NULL;
    enum brk_status rc = scn_load_text(S_FILE, text, strlen(text), &sc, &d);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d.n && used < out_len; i++) {
        used += (size_t)snprintf(out + used, out_len - used, "%s\n", d.lines[i]);
    }
    cr_assert((rc == BRK_OK) == (sc != NULL) && (rc == BRK_OK) == (d.n == 0), "status, scenario and diagnostics agree");
    scn_destroy(sc);
    scn_diags_clean_up(&d);
    return rc;
}

static void s_expect_mistake(const char *text, const char *line)
{
    char diags[8192];
    cr_assert_neq(s_load(text, diags, sizeof(diags)), BRK_OK, "loaded: %s", text);
    cr_assert(strstr(diags, line), "no \"%s\" in:\n%s", line, diags);
}

#define S_CALL "{\"model\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"user\": \"Hi\"}"

Test(scenario_load, a_complete_scenario_loads)
{
    char diags[4096];
    const char *text =
        "{\"name\": \"a/b\", \"description\": \"d\", \"tags\": [\"x\"],"
        " \"mock\": {\"clock\": {\"mode\": \"virtual\", \"start\": \"2030-01-01T00:00:00Z\"}, \"seed\": 3,"
        "  \"rules\": [{\"error\": \"ThrottlingException\"}], \"quotas\": [{\"model\": \"*\", "
        "\"tokens_per_minute\": 10}],"
        "  \"auth\": {\"mode\": \"strict\", \"api_keys\": [{\"key\": \"k\"}]}, \"cache\": {\"below_minimum\": "
        "\"reject\"}},"
        " \"client\": {\"region\": \"eu-west-1\", \"auth\": {\"api_key\": \"k\"}, \"retry\": {\"mode\": "
        "\"adaptive\", \"max_attempts\": 4},"
        "  \"cache\": {\"instructions\": \"1h\", \"messages\": true}},"
        " \"steps\": [{\"name\": \"n\", \"converse\": " S_CALL ", \"expect\": {\"usage\": {\"inputTokens\": "
        "{\"min\": 1}},"
        "   \"journal\": {\"statuses\": [200], \"last\": {\"/status\": 200}}}},"
        "  {\"advance_clock_ms\": 1000}, {\"remove_rules\": \"*\"}, {\"reset\": true}],"
        " \"expect\": {\"journal\": {\"requests\": {\"min\": 1}}}}";
    cr_assert_eq(s_load(text, diags, sizeof(diags)), BRK_OK, "%s", diags);
}

Test(scenario_load, an_unknown_member_is_named_with_its_path_and_the_allowed_ones)
{
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"converse\": " S_CALL
                     ", \"expect\": {\"usage\": {\"cacheReadInputTokenz\": 1}}}]}",
                     S_FILE
                     ": steps[0].expect.usage.cacheReadInputTokenz: unknown member (expected one of inputTokens, "
                     "outputTokens, totalTokens, cacheReadInputTokens, cacheWriteInputTokens)");
}

Test(scenario_load, a_wrong_type_names_what_was_expected_and_what_came)
{
    s_expect_mistake("{\"name\": \"x\", \"mock\": {\"clock\": 42}, \"steps\": []}",
                     S_FILE ": mock.clock: expected \"virtual\", \"real\" or an object, got 42");
    s_expect_mistake("{\"name\": \"x\", \"client\": {\"retry\": {\"max_attempts\": 0}}, \"steps\": []}",
                     S_FILE ": client.retry.max_attempts: expected an integer >= 1, got 0");
}

Test(scenario_load, a_missing_required_member_is_named)
{
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"converse\": " S_CALL "}, {\"converse\": {\"user\": \"Hi\"}}]}",
                     S_FILE ": steps[1].converse.model: missing required member");
    s_expect_mistake("{\"steps\": []}", S_FILE ": name: missing required member");
}

Test(scenario_load, every_mistake_is_reported_not_only_the_first)
{
    char diags[8192];
    const char *text = "{\"name\": 1, \"bogus\": true, \"mock\": {\"seed\": -1},"
                       " \"steps\": [{\"converse\": {\"model\": \"m\", \"max_tokens\": \"ten\"}}]}";
    cr_assert_neq(s_load(text, diags, sizeof(diags)), BRK_OK);
    const char *want[] = {S_FILE ": name: expected a non-empty string, got 1", S_FILE ": bogus: unknown member",
                          S_FILE ": mock.seed: expected an integer >= 0, got -1",
                          S_FILE ": steps[0].converse.max_tokens: expected an integer >= 1, got \"ten\""};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        cr_assert(strstr(diags, want[i]), "no \"%s\" in:\n%s", want[i], diags);
    }
}

Test(scenario_load, json_that_does_not_parse_gives_the_line_and_column)
{
    s_expect_mistake("{\"name\": \"x\",\n  \"steps\": [,]}", S_FILE ": (top level): not valid JSON (line 2, column");
}

Test(scenario_load, steps_need_exactly_one_action_and_mock_actions_take_no_expect)
{
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"name\": \"none\"}]}",
                     S_FILE ": steps[0]: a step needs an action");
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"reset\": true, \"advance_clock_ms\": 5}]}",
                     S_FILE ": steps[0]: a step holds exactly one action, this one has 2");
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"reset\": true, \"expect\": {}}]}",
                     S_FILE ": steps[0].expect: a mock action (reset) takes no expect");
}

Test(scenario_load, matchers_pointers_and_forms_are_checked)
{
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"converse\": " S_CALL
                     ", \"expect\": {\"text\": {\"regex\": \"(\"}}}]}",
                     S_FILE ": steps[0].expect.text: the regular expression does not compile: ");
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"converse\": " S_CALL
                     ", \"expect\": {\"response\": {\"usage\": 1}}}]}",
                     S_FILE ": steps[0].expect.response[\"usage\"]: not a JSON Pointer");
    s_expect_mistake("{\"name\": \"x\", \"steps\": [{\"converse\": " S_CALL
                     ", \"expect\": {\"stop_reason\": {\"is\": \"x\"}}}]}",
                     S_FILE ": steps[0].expect.stop_reason: unknown matcher");
    s_expect_mistake(
        "{\"name\": \"x\", \"steps\": [{\"converse\": {\"model\": \"m\", \"request\": {}, \"user\": \"u\"}}]}",
        S_FILE ": steps[0].converse.user: not allowed with \"request\"");
    s_expect_mistake("{\"name\": \"x\"}", S_FILE ": (top level): a scenario needs \"steps\"");
    s_expect_mistake("{\"name\": \"x\", \"mock\": {\"auth\": {\"mode\": \"strict\"}}, \"steps\": []}",
                     S_FILE ": mock.auth: mode \"strict\" needs at least one of credentials and api_keys");
}

/* ---- matchers ----------------------------------------------------------------------------- */

/* Match `matcher_json` against `actual_json` (NULL: absent); the message into why. */
static bool s_match(const char *matcher_json, const char *actual_json, char *why, size_t why_len)
{
    cJSON *m = cJSON_Parse(matcher_json), *a = actual_json ? cJSON_Parse(actual_json) : NULL;
    cr_assert_not_null(m);
    char detail[128];
    cr_assert_null(scn_matcher_problem(m, detail, sizeof(detail)), "%s is a valid matcher", matcher_json);
    why[0] = '\0';
    bool ok = scn_match(m, a, why, why_len);
    cJSON_Delete(m);
    cJSON_Delete(a);
    return ok;
}

static void s_holds(const char *matcher, const char *actual)
{
    char why[512];
    cr_assert(s_match(matcher, actual, why, sizeof(why)), "%s against %s: %s", matcher, actual ? actual : "nothing",
              why);
}

static void s_fails(const char *matcher, const char *actual, const char *message)
{
    char why[512];
    cr_assert_not(s_match(matcher, actual, why, sizeof(why)), "%s held against %s", matcher, actual);
    cr_assert_str_eq(why, message);
}

Test(scenario_match, equality)
{
    s_holds("3", "3.0");
    s_holds("[1, \"a\"]", "[1, \"a\"]");
    s_holds("{\"equals\": {\"a\": 1}}", "{\"a\": 1}");
    s_fails("3", "4", "expected 3, got 4");
    s_fails("\"end_turn\"", NULL, "expected \"end_turn\", got nothing");
    s_fails("{\"equals\": {\"a\": 1}}", "{\"a\": 2}", "expected {\"a\":1}, got {\"a\":2}");
}

Test(scenario_match, ranges)
{
    s_holds("{\"min\": 0, \"max\": 1000}", "1000");
    s_holds("{\"min\": 5}", "7");
    s_fails("{\"min\": 0, \"max\": 1000}", "1500", "expected between 0 and 1000, got 1500");
    s_fails("{\"max\": 2}", "3", "expected at most 2, got 3");
    s_fails("{\"min\": 2}", "\"2\"", "expected at least 2, got \"2\"");
}

Test(scenario_match, regex_contains_exists_one_of)
{
    s_holds("{\"regex\": \"^This is\"}", "\"This is a mock\"");
    s_fails("{\"regex\": \"^x\"}", "\"abc\"", "expected a string matching /^x/, got \"abc\"");
    s_holds("{\"contains\": \"mock\"}", "\"a mock answer\"");
    s_holds("{\"contains\": 2}", "[1, 2]");
    s_fails("{\"contains\": \"z\"}", "\"abc\"", "expected containing \"z\", got \"abc\"");
    s_holds("{\"exists\": false}", NULL);
    s_fails("{\"exists\": true}", NULL, "expected a value, got nothing");
    s_holds("{\"one_of\": [\"end_turn\", \"max_tokens\"]}", "\"max_tokens\"");
    s_fails("{\"one_of\": [1, 2]}", "3", "expected one of [1,2], got 3");
}

Test(scenario_match, json_pointers)
{
    cJSON *doc = cJSON_Parse("{\"a/b\": {\"m~n\": [10, 20]}, \"\": 5}");
    const cJSON *v = scn_pointer(doc, "/a~1b/m~0n/1");
    cr_assert(v && cJSON_IsNumber(v) && v->valuedouble == 20);
    cr_assert_eq(scn_pointer(doc, ""), doc);
    cr_assert_null(scn_pointer(doc, "/a~1b/m~0n/01"), "a leading zero is no index");
    cr_assert_null(scn_pointer(doc, "/a~1b/m~0n/2"));
    cr_assert_null(scn_pointer(doc, "/missing"));
    cr_assert(scn_pointer_valid("/a~0~1") && !scn_pointer_valid("a") && !scn_pointer_valid("/~2"));
    cJSON_Delete(doc);
}
