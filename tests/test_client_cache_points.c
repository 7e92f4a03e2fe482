/*
 * test_client_cache_points.c: pydantic-ai's cache-point placement and trimming
 * (include/bedrock/cache_points.h), table-driven from the JSON files of fixtures/cache-points: each file is
 * one worked example or test scenario of spec client-facts.md §1.5, §1.6 and §1.11 (its
 * "source" names the pydantic-ai test), with the input body, the settings, and the expected body
 * or the expected error. Every request produced also passes the shared cache-point check
 * (common/cachepoint.h) and, sent to the in-process mock, is answered 200 with the journal
 * counting the same cache points per section as the report.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/cache_points.h"
#include "common/alloc.h"
#include "common/cachepoint.h"
#include "tests/support/client_support.h"

#define CPT_MAX_CASES 128

static enum brk_cache_mode s_mode(const cJSON *settings, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(settings, key);
    if (cJSON_IsTrue(v)) {
        return BRK_CACHE_ON;
    }
    if (cJSON_IsString(v)) {
        return strcmp(v->valuestring, "1h") == 0 ? BRK_CACHE_TTL_1H : BRK_CACHE_TTL_5M;
    }
    return BRK_CACHE_OFF;
}

static void s_settings(const cJSON *c, struct brk_cache_settings *s)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(c, "settings");
    s->instructions = s_mode(j, "instructions");
    s->tool_definitions = s_mode(j, "tool_definitions");
    s->messages = s_mode(j, "messages");
    const cJSON *dyn = cJSON_GetObjectItemCaseSensitive(j, "dynamic_instructions");
    s->dynamic_instructions = cJSON_IsNumber(dyn) ? (size_t)dyn->valueint : 0;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fixture file names, sorted; returns how many (asserts at least one). */
static size_t s_case_names(char **names)
{
    char dir[1024];
    th_source_path("fixtures/cache-points", dir, sizeof(dir));
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s is missing", dir);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < CPT_MAX_CASES;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), s_cmp);
    cr_assert_gt(n, 30, "the cache-point fixtures are missing");
    return n;
}

static cJSON *s_load(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "fixtures/cache-points/%s", name);
    char *text = th_read_source_file(rel, NULL);
    cr_assert_not_null(text, "%s", rel);
    cJSON *c = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(c, "%s is not JSON", rel);
    return c;
}

/* Outcome of one case: the final body and report (NULL on error) and the status. */
struct cpt_run {
    enum brk_status status;
    struct brk_error err;
    cJSON *body;
    cJSON *report;
};

static void s_run(const cJSON *c, struct cpt_run *r)
{
    struct brk_cache_settings s;
    s_settings(c, &s);
    char *input = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "input"));
    struct brk_buf body, report;
    brk_buf_init(&body, 1 << 20);
    brk_buf_init(&report, 1 << 20);
    const char *model = cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring;
    r->status = brk_cache_points_apply(model, &s, input, strlen(input), &body, &report, &r->err);
    r->body = r->status == BRK_OK ? cJSON_Parse(body.data) : NULL;
    r->report = r->status == BRK_OK ? cJSON_Parse(report.data) : NULL;
    free(input);
    brk_buf_clean_up(&body);
    brk_buf_clean_up(&report);
}

static void s_run_clean_up(struct cpt_run *r)
{
    cJSON_Delete(r->body);
    cJSON_Delete(r->report);
}

/* Kept cache points of the report per section, as the mock's journal counts them. */
static void s_report_counts(const cJSON *report, struct brk_cachepoint_counts *out)
{
    memset(out, 0, sizeof(*out));
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "points"))
    {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(p, "at");
        if (!cJSON_IsString(at)) {
            continue;
        }
        out->system += strncmp(at->valuestring, "system", 6) == 0;
        out->tools += strncmp(at->valuestring, "toolConfig", 10) == 0;
        out->messages += strncmp(at->valuestring, "messages", 8) == 0;
        out->total++;
    }
}

/* The caps the mock gives the model (its catalogue agrees with pydantic-ai's profile on these). */
static void s_caps(const char *model, struct brk_cachepoint_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    caps->prompt_caching = brk_model_prompt_caching(model);
    caps->cache_in_tools = brk_model_tool_caching(model);
    caps->anthropic = brk_model_tool_caching(model);
    caps->ttl_1h = strstr(model, "haiku-4-5") != NULL;
}

/* The report's dropped cache points, in order, against the fixture's "dropped" reasons (each a
 * prefix); a case without drops expects none. */
static void s_check_dropped(const char *name, const cJSON *c, const cJSON *report)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "dropped");
    int n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "points"))
    {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(p, "dropped");
        if (!cJSON_IsString(why)) {
            cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "at")), "%s: a point neither kept nor dropped",
                      name);
            continue;
        }
        const cJSON *w = cJSON_GetArrayItem(want, n++);
        cr_expect(cJSON_IsString(w) && strncmp(why->valuestring, w->valuestring, strlen(w->valuestring)) == 0,
                  "%s: dropped #%d: %s", name, n, why->valuestring);
    }
    cr_expect_eq(n, cJSON_GetArraySize(want), "%s: %d dropped, expected %d", name, n, cJSON_GetArraySize(want));
}

static void s_check_case(const char *name, const cJSON *c)
{
    struct cpt_run r = {0};
    s_run(c, &r);
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(c, "error");
    if (cJSON_IsString(error)) {
        cr_expect_eq(r.status, BRK_ERR_INVALID_ARG, "%s: expected an error", name);
        cr_expect_eq(strncmp(r.err.message, error->valuestring, strlen(error->valuestring)), 0, "%s: '%s'", name,
                     r.err.message);
        s_run_clean_up(&r);
        return;
    }
    cr_assert_eq(r.status, BRK_OK, "%s: %s", name, r.err.message);
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    char *got = cJSON_PrintUnformatted(r.body);
    cr_expect(cJSON_Compare(r.body, expect, true), "%s: got %s", name, got);
    free(got);
    s_check_dropped(name, c, r.report);
    struct brk_cachepoint_counts journal, report;
    brk_cachepoint_count(r.body, &journal);
    s_report_counts(r.report, &report);
    cr_expect_eq(report.total, journal.total, "%s: the report keeps %u, the request has %u", name, report.total,
                 journal.total);
    struct brk_cachepoint_list list;
    brk_cachepoint_scan(r.body, &list);
    struct brk_cachepoint_caps caps;
    s_caps(cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring, &caps);
    struct brk_cachepoint_violation v;
    cr_expect(brk_cachepoint_check(&list, &caps, &v), "%s: the shared check refuses it: %s", name, v.message);
    s_run_clean_up(&r);
}

TestSuite(client_cache_points, .timeout = TH_SUITE_TIMEOUT_S);

Test(client_cache_points, every_fixture_gives_the_expected_request_or_error)
{
    char *names[CPT_MAX_CASES];
    size_t n = s_case_names(names);
    for (size_t i = 0; i < n; i++) {
        cJSON *c = s_load(names[i]);
        s_check_case(names[i], c);
        cJSON_Delete(c);
        free(names[i]);
    }
}

/* Send `body` to the mock; returns the status and fills *entry with the journal's entry. */
static enum brk_status s_send(struct brk_mock *mock, struct brk_client *client, const char *model, const cJSON *body,
                              cJSON **entry, struct brk_error *err)
{
    char *text = cJSON_PrintUnformatted(body);
    struct brk_converse_response *resp = NULL;
    enum brk_status st = brk_converse(client, model, text, strlen(text), &resp, err);
    brk_converse_response_destroy(resp);
    free(text);
    *entry = tc_last_journal_entry(mock);
    return st;
}

static unsigned s_journal_count(const cJSON *entry, const char *section)
{
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(entry, "cache_points");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(cp, section);
    cr_assert(cJSON_IsNumber(n), "the journal has no cache_points.%s", section);
    return (unsigned)n->valueint;
}

/* One placed case through the mock: answered, and the journal agrees with the report. */
static void s_round_trip(struct brk_mock *mock, struct brk_client *client, const char *name, const cJSON *c)
{
    struct cpt_run r = {0};
    s_run(c, &r);
    cr_assert_eq(r.status, BRK_OK, "%s: %s", name, r.err.message);
    cJSON *entry = NULL;
    struct brk_error err;
    const char *model = cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring;
    cr_expect_eq(s_send(mock, client, model, r.body, &entry, &err), BRK_OK, "%s: the mock refused it: %s", name,
                 err.message);
    struct brk_cachepoint_counts report;
    s_report_counts(r.report, &report);
    cr_expect_eq(s_journal_count(entry, "system"), report.system, "%s: system", name);
    cr_expect_eq(s_journal_count(entry, "tools"), report.tools, "%s: tools", name);
    cr_expect_eq(s_journal_count(entry, "messages"), report.messages, "%s: messages", name);
    cJSON_Delete(entry);
    s_run_clean_up(&r);
}

Test(client_cache_points, every_placed_request_passes_the_mock_and_its_journal_agrees)
{
    tc_env_reset();
    struct brk_mock *mock = th_mock_start(NULL);
    struct brk_client *client = tc_client(mock);
    char *names[CPT_MAX_CASES];
    size_t n = s_case_names(names), sent = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *c = s_load(names[i]);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "mock"))) {
            s_round_trip(mock, client, names[i], c);
            sent++;
        }
        cJSON_Delete(c);
        free(names[i]);
    }
    cr_expect_gt(sent, 25);
    brk_client_destroy(client);
    brk_mock_stop(mock);
    tc_env_clean_up();
}

/* The failing side: the same input sent as written (five cache points) is refused by the mock. */
Test(client_cache_points, the_unplaced_input_is_refused_by_the_mock)
{
    tc_env_reset();
    struct brk_mock *mock = th_mock_start(NULL);
    struct brk_client *client = tc_client(mock);
    cJSON *c = s_load("limit_filters_excess.json");
    cJSON *entry = NULL;
    struct brk_error err;
    const char *model = cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring;
    cr_expect_eq(s_send(mock, client, model, cJSON_GetObjectItemCaseSensitive(c, "input"), &entry, &err),
                 BRK_ERR_SERVICE);
    cr_expect_eq(err.http_status, 400);
    cr_expect(strstr(err.message, "A maximum of 4 blocks with cache_control") != NULL, "%s", err.message);
    cJSON_Delete(entry);
    cJSON_Delete(c);
    brk_client_destroy(client);
    brk_mock_stop(mock);
    tc_env_clean_up();
}

Test(client_cache_points, model_capabilities_follow_pydantic_ai_profiles)
{
    cr_expect(brk_model_prompt_caching("us.anthropic.claude-haiku-4-5-20251001-v1:0"));
    cr_expect(brk_model_tool_caching("anthropic.claude-3-haiku-20240307-v1:0"));
    cr_expect(brk_model_prompt_caching("us.amazon.nova-pro-v1:0"));
    cr_expect_not(brk_model_tool_caching("us.amazon.nova-pro-v1:0"));
    cr_expect_not(brk_model_prompt_caching("amazon.titan-text-express-v1"));
    cr_expect_not(brk_model_prompt_caching("meta.llama3-8b-instruct-v1:0"));
    cr_expect_not(brk_model_prompt_caching(NULL));
}

/* A member the placement reads or rewrites, given twice, is refused with its name: the service
 * may read the copy the placement did not touch. The same body without the repeat, and a body
 * repeating a member the placement never reads, are placed. */
Test(client_cache_points, a_repeated_member_the_placement_reads_is_refused)
{
#define TC_MSG "{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}"
    static const struct {
        const char *body, *names;
    } bad[] = {
        {"{\"messages\":[" TC_MSG "],\"messages\":[" TC_MSG "]}", "the request has \"messages\" more than once"},
        {"{\"system\":[{\"text\":\"a\"}],\"messages\":[" TC_MSG "],\"system\":[]}", "\"system\""},
        {"{\"toolConfig\":{},\"messages\":[" TC_MSG "],\"toolConfig\":{}}", "\"toolConfig\""},
        {"{\"toolConfig\":{\"tools\":[],\"tools\":[]},\"messages\":[" TC_MSG "]}", "\"tools\""},
        {"{\"messages\":[" TC_MSG ",{\"role\":\"user\",\"role\":\"assistant\",\"content\":[]}]}",
         "messages.1 has \"role\" more than once"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"},{\"cachePoint\":{\"type\":\"default\"}}],"
         "\"content\":[{\"text\":\"b\"}]}]}",
         "messages.0 has \"content\" more than once"},
    };
    struct brk_buf out;
    brk_buf_init(&out, 4096);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brk_error err;
        brk_error_clear(&err);
        cr_expect_eq(brk_cache_points_apply(TC_HAIKU, NULL, bad[i].body, strlen(bad[i].body), &out, NULL, &err),
                     BRK_ERR_INVALID_ARG, "%s", bad[i].body);
        cr_expect(strstr(err.message, bad[i].names) != NULL, "%s: %s", bad[i].body, err.message);
    }
    cr_expect_eq(out.len, 0);
    const char *ok[] = {"{\"messages\":[" TC_MSG "]}",
                        "{\"messages\":[" TC_MSG "],\"inferenceConfig\":{},\"inferenceConfig\":{}}",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\",\"text\":\"b\"}]}]}"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct brk_error err;
        brk_buf_reset(&out);
        cr_expect_eq(brk_cache_points_apply(TC_HAIKU, NULL, ok[i], strlen(ok[i]), &out, NULL, &err), BRK_OK, "%s",
                     ok[i]);
        cr_expect_gt(out.len, 0, "%s", ok[i]);
    }
    brk_buf_clean_up(&out);
#undef TC_MSG
}

Test(client_cache_points, a_body_without_messages_is_refused)
{
    struct brk_error err;
    struct brk_buf out;
    brk_buf_init(&out, 1024);
    const char *bad[] = {"[]", "{\"system\":[]}", "not json"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(brk_cache_points_apply(TC_HAIKU, NULL, bad[i], strlen(bad[i]), &out, NULL, &err),
                     BRK_ERR_INVALID_ARG, "%s", bad[i]);
    }
    cr_expect_eq(out.len, 0);
    const char *ok = TC_HELLO;
    cr_expect_eq(brk_cache_points_apply(TC_HAIKU, NULL, ok, strlen(ok), &out, NULL, &err), BRK_OK);
    cr_expect_gt(out.len, 0);
    brk_buf_clean_up(&out);
}

/* Out of memory at every allocation of a placement with every kind of move (a leading marker
 * replacing a cache point before a document, settings, trimming): BRK_ERR_NOMEM, nothing
 * written, no leak (ASan and valgrind runs check that). */
Test(client_cache_points, every_failed_allocation_ends_cleanly)
{
    brk_alloc_hook_cjson();
    cJSON *c = s_load("cache_write_and_read.json");
    char *input = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "input"));
    struct brk_cache_settings s;
    s_settings(c, &s);
    const char *model = cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring;
    struct brk_buf body, report;
    struct brk_error err;
    brk_buf_init(&body, 1 << 20);
    brk_buf_init(&report, 1 << 20);
    brk_alloc_fail_at(0);
    cr_assert_eq(brk_cache_points_apply(model, &s, input, strlen(input), &body, &report, &err), BRK_OK);
    long count = brk_alloc_count();
    cr_assert_gt(count, 20, "the placement allocates through the hooks (%ld)", count);
    for (long n = 1; n <= count; n++) {
        brk_buf_clean_up(&body);
        brk_buf_clean_up(&report);
        brk_alloc_fail_at(n);
        enum brk_status st = brk_cache_points_apply(model, &s, input, strlen(input), &body, &report, &err);
        brk_alloc_fail_at(0);
        cr_assert_eq(st, BRK_ERR_NOMEM, "allocation %ld of %ld: %s", n, count, brk_status_name(st));
        cr_assert_eq(body.len, 0, "allocation %ld: a body was written", n);
    }
    brk_buf_clean_up(&body);
    brk_buf_clean_up(&report);
    cJSON_free(input);
    cJSON_Delete(c);
}

/* Client-wide settings: Converse, ConverseStream and CountTokens send the placed body; a marker
 * that cannot be placed fails the call before the network; NULL sends the body as given. */
Test(client_cache_points, client_settings_place_every_operation)
{
    tc_env_reset();
    struct brk_mock *mock = th_mock_start(NULL);
    struct brk_client *client = tc_client(mock);
    cJSON *c = s_load("cache_write_and_read.json");
    struct brk_cache_settings s;
    s_settings(c, &s);
    brk_client_set_cache(client, &s);
    const char *model = cJSON_GetObjectItemCaseSensitive(c, "model")->valuestring;
    cJSON *entry = NULL;
    struct brk_error err;
    cr_assert_eq(s_send(mock, client, model, cJSON_GetObjectItemCaseSensitive(c, "input"), &entry, &err), BRK_OK, "%s",
                 err.message);
    cr_expect_eq(s_journal_count(entry, "system") + s_journal_count(entry, "tools"), 2);
    cr_expect_eq(s_journal_count(entry, "messages"), 2, "the oldest marker was trimmed");
    cJSON_Delete(entry);
    char *body = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "input"));
    char wrapped[8192];
    snprintf(wrapped, sizeof(wrapped), "{\"input\":{\"converse\":%s}}", body);
    uint64_t tokens = 0;
    /* CountTokens answers the base ids of the models that count (docs/models.md): Haiku 4.5 does
     * not, Sonnet 4 does, and it caches too. */
    const char *base = "anthropic.claude-sonnet-4-20250514-v1:0";
    cr_expect_eq(brk_count_tokens(client, base, wrapped, strlen(wrapped), &tokens, &err), BRK_OK, "%s", err.message);
    cr_expect_gt(tokens, 0);
    const char *bad = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"cachePoint\":{\"type\":\"default\"}},"
                      "{\"text\":\"first\"}]}]}";
    struct brk_converse_response *resp = NULL;
    cr_expect_eq(brk_converse(client, model, bad, strlen(bad), &resp, &err), BRK_ERR_INVALID_ARG);
    cr_expect(strstr(err.message, "CachePoint cannot be the first content") != NULL, "%s", err.message);
    cr_expect_eq(err.http_status, 0, "refused before the network");
    cJSON *five = s_load("limit_filters_excess.json");
    cr_expect_eq(s_send(mock, client, model, cJSON_GetObjectItemCaseSensitive(five, "input"), &entry, &err), BRK_OK,
                 "five markers are trimmed: %s", err.message);
    cJSON_Delete(entry);
    brk_client_set_cache(client, NULL);
    cr_expect_eq(s_send(mock, client, model, cJSON_GetObjectItemCaseSensitive(five, "input"), &entry, &err),
                 BRK_ERR_SERVICE, "five cache points as given are refused");
    cJSON_Delete(entry);
    cJSON_Delete(five);
    cJSON_free(body);
    cJSON_Delete(c);
    brk_client_destroy(client);
    brk_mock_stop(mock);
    tc_env_clean_up();
}
