/*
 * HTTP tests: the journal's bodies (GET /_mock/requests?bodies=1, docs/admin-api.md "Bodies"):
 * each field for Converse, ConverseStream (an in-stream exception from a rule), InvokeModel,
 * CountTokens, a refused request and a body that is not JSON; the byte budget and its flag;
 * since and limit; rules_fired; a kept request body is the request's own buffer, taken, not copied.
 * Every expected value comes from what the client sent and got.
 * Secrets are tested with real signing in test_http_auth.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/stages.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there, journal\"}]}]}"
#define ANTHROPIC_HELLO                                                                          \
    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":200,\"system\":\"Be brief.\"," \
    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from invoke\"}]}]}"
#define COUNT_HELLO                                                                                    \
    "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"count these " \
    "words\"}]}]}}}"

static struct brk_mock *s_mock;

static void s_start(size_t body_bytes)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    cfg.journal_body_bytes = body_bytes;
    s_mock = th_mock_start(&cfg);
}

static void s_setup(void)
{
    s_start(BRK_MOCK_DEFAULT_JOURNAL_BODY_BYTES);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(journal_bodies, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* POST `body` to HAIKU_PATH + `suffix`; the caller frees the response. */
static struct th_response s_post(const char *suffix, const char *body)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", HAIKU_PATH, suffix);
    return th_request(s_mock, "POST", path, body, NULL);
}

/* The newest entry, with bodies. */
static cJSON *s_last_entry(void)
{
    cJSON *list = th_journal(s_mock, "?bodies=1");
    int n = cJSON_GetArraySize(list);
    cr_assert(n > 0);
    cJSON *e = cJSON_DetachItemFromArray(list, n - 1);
    cJSON_Delete(list);
    return e;
}

static void s_assert_json_eq(const cJSON *got, const char *want_text)
{
    cJSON *want = cJSON_Parse(want_text);
    cr_assert_not_null(want);
    char *g = cJSON_PrintUnformatted(got);
    cr_assert(cJSON_Compare(got, want, true), "journal holds %s, expected %s", g, want_text);
    free(g);
    cJSON_Delete(want);
}

/* POST a rule to the mock (201 asserted). */
static void s_add_rule(const char *rule)
{
    struct th_response r = th_request(s_mock, "POST", "/_mock/rules", rule, NULL);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

/* The journal's event list is the stream the client received, message by message; returns the
 * number of messages. */
static size_t s_assert_events(const cJSON *events, const struct th_response *r)
{
    struct th_events *sent = calloc(1, sizeof(*sent));
    th_events_decode(r->body, r->body_len, sent);
    size_t n = sent->n;
    cr_assert(n > 0);
    cr_assert_eq((size_t)cJSON_GetArraySize(events), n, "%zu events sent", n);
    for (size_t i = 0; i < n; i++) {
        const cJSON *ev = cJSON_GetArrayItem(events, (int)i);
        bool exception = strcmp(sent->ev[i].message_type, "exception") == 0;
        cr_assert_str_eq(cJSON_GetObjectItem(ev, exception ? "exception" : "event")->valuestring, sent->ev[i].type);
        cr_assert_null(cJSON_GetObjectItem(ev, exception ? "event" : "exception"), "event %zu", i);
        cr_assert(cJSON_Compare(cJSON_GetObjectItem(ev, "payload"), sent->ev[i].payload, true), "event %zu", i);
    }
    th_events_free(sent);
    free(sent);
    return n;
}

/* The entry's bodies are what the client sent and got, and its status is the answer's. */
static void s_assert_exchange(const cJSON *e, const char *sent, const struct th_response *r)
{
    s_assert_json_eq(cJSON_GetObjectItem(e, "request_body"), sent);
    cr_assert_eq(cJSON_GetObjectItem(e, "response_status")->valueint, r->status);
    cr_assert_eq(cJSON_GetObjectItem(e, "status")->valueint, r->status);
    s_assert_json_eq(cJSON_GetObjectItem(e, "response_body"), r->body);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "body_dropped")));
}

Test(journal_bodies, converse_keeps_the_request_and_the_answer)
{
    struct th_response r = s_post("/converse", HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *e = s_last_entry();
    s_assert_exchange(e, HELLO, &r);
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, without_bodies_1_the_answer_is_unchanged)
{
    struct th_response r = s_post("/converse", HELLO);
    th_response_free(&r);
    const char *queries[] = {"", "?bodies=0"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *list = th_journal(s_mock, queries[i]);
        const cJSON *e = cJSON_GetArrayItem(list, 0);
        cr_assert_not_null(e);
        const char *absent[] = {"request_body", "response_status", "response_body", "body_dropped"};
        for (size_t k = 0; k < 4; k++) {
            cr_assert_null(cJSON_GetObjectItem(e, absent[k]), "%s%s has %s", "requests", queries[i], absent[k]);
        }
        cJSON_Delete(list);
    }
}

Test(journal_bodies, converse_stream_is_the_event_list_with_an_in_stream_exception_from_a_rule)
{
    s_add_rule("{\"id\":\"midstream\",\"match\":{\"operation\":\"ConverseStream\"},"
               "\"stream\":{\"exceptionAfterEvent\":2,\"exception\":\"throttlingException\"}}");
    struct th_response r = s_post("/converse-stream", HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *e = s_last_entry();
    s_assert_json_eq(cJSON_GetObjectItem(e, "request_body"), HELLO);
    s_assert_json_eq(cJSON_GetObjectItem(e, "rules_fired"), "[\"midstream\"]");
    const cJSON *events = cJSON_GetObjectItem(e, "response_body");
    size_t n = s_assert_events(events, &r);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "event")->valuestring, "messageStart");
    const cJSON *last = cJSON_GetArrayItem(events, (int)n - 1); /* the rule took effect */
    cr_assert_str_eq(cJSON_GetObjectItem(last, "exception")->valuestring, "throttlingException");
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, a_stream_over_http2_is_kept_the_same_way)
{
    struct th_response r = th_request_h2(s_mock, "POST", HAIKU_PATH "/converse-stream", HELLO, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *e = s_last_entry();
    cr_assert_str_eq(cJSON_GetObjectItem(e, "http_version")->valuestring, "HTTP/2");
    s_assert_events(cJSON_GetObjectItem(e, "response_body"), &r);
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, invoke_model_with_response_stream_is_its_chunk_events)
{
    struct th_response r = s_post("/invoke-with-response-stream", ANTHROPIC_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *e = s_last_entry();
    s_assert_json_eq(cJSON_GetObjectItem(e, "request_body"), ANTHROPIC_HELLO);
    s_assert_events(cJSON_GetObjectItem(e, "response_body"), &r);
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, a_message_with_a_bad_crc_is_undecodable_and_the_rest_still_decodes)
{
    s_add_rule("{\"id\":\"crc\",\"match\":{\"operation\":\"ConverseStream\"},\"stream\":{\"corruptCrcEvent\":2}}");
    struct th_response r = s_post("/converse-stream", HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *list = th_journal(s_mock, "?bodies=1&operation=ConverseStream");
    const cJSON *events = cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "response_body");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "event")->valuestring, "messageStart");
    const cJSON *bad = cJSON_GetArrayItem(events, 1);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(bad, "undecodable")), "%s", r.body);
    cr_assert_not_null(cJSON_GetObjectItem(bad, "offset"));
    int n = cJSON_GetArraySize(events);
    cr_assert(n > 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(events, n - 1), "event")->valuestring, "metadata");
    cJSON_Delete(list);
    th_response_free(&r);
}

Test(journal_bodies, invoke_model_keeps_the_native_body_not_the_mapped_one)
{
    struct th_response r = s_post("/invoke", ANTHROPIC_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *e = s_last_entry();
    s_assert_exchange(e, ANTHROPIC_HELLO, &r);
    cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "request_body"), "anthropic_version"));
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, count_tokens_keeps_both_bodies)
{
    struct th_response r = s_post("/count-tokens", COUNT_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_not_null(cJSON_GetObjectItem(r.json, "inputTokens"));
    cJSON *e = s_last_entry();
    s_assert_exchange(e, COUNT_HELLO, &r);
    cJSON_Delete(e);
    th_response_free(&r);
}

Test(journal_bodies, a_refused_request_keeps_its_400_body)
{
    const char *bad = "{\"messages\":[{\"role\":\"user\",\"content\":[]}]}";
    struct th_response r = s_post("/converse", bad);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cJSON *e = s_last_entry();
    s_assert_exchange(e, bad, &r);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "response_body"), "message")->valuestring,
                     th_message(&r));
    cr_assert_not_null(cJSON_GetObjectItem(e, "rejected_by_stage"));
    cJSON_Delete(e);
    th_response_free(&r);
}

/* A body that is not one JSON text comes back as {"base64": ...} of exactly the bytes sent. */
static void s_assert_base64_of(const char *sent)
{
    struct th_response r = s_post("/converse", sent); /* whatever the answer, the journal has the bytes */
    th_response_free(&r);
    cJSON *e = s_last_entry();
    const cJSON *b64 = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "request_body"), "base64");
    cr_assert(cJSON_IsString(b64), "request_body for %s", sent);
    struct brk_buf raw;
    brk_buf_init(&raw, 1 << 20);
    cr_assert_eq(brk_base64_decode(b64->valuestring, strlen(b64->valuestring), &raw), BRK_OK);
    cr_assert_eq(raw.len, strlen(sent));
    cr_assert_eq(memcmp(raw.data, sent, raw.len), 0);
    brk_buf_clean_up(&raw);
    cJSON_Delete(e);
}

Test(journal_bodies, a_body_that_is_not_json_is_base64)
{
    s_assert_base64_of("hello, not json \x01\x7f");
    s_assert_base64_of("{\"messages\":[]} trailing"); /* a JSON prefix is not the body */
    s_assert_base64_of("{\"messages\":");
}

Test(journal_bodies, json_with_surrounding_whitespace_is_json)
{
    struct th_response r = s_post("/converse", "  \n" HELLO "\r\n ");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cJSON *e = s_last_entry();
    s_assert_json_eq(cJSON_GetObjectItem(e, "request_body"), HELLO);
    cJSON_Delete(e);
}

Test(journal_bodies, an_empty_body_is_null)
{
    struct th_response r = th_request(s_mock, "GET", "/async-invoke", NULL, NULL);
    th_response_free(&r);
    cJSON *e = s_last_entry();
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "request_body")));
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "body_dropped")));
    cJSON_Delete(e);
}

/* ---- rules_fired ---------------------------------------------------------------------- */

Test(journal_bodies, rules_fired_names_the_rule_on_every_entry)
{
    s_add_rule("{\"id\":\"one-throttle\",\"match\":{\"operation\":\"Converse\"},"
               "\"error\":\"ThrottlingException\",\"times\":1}");
    struct th_response r = s_post("/converse", HELLO);
    cr_assert_eq(r.status, 429, "%s", r.body);
    th_response_free(&r);
    r = s_post("/converse", HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cJSON *list = th_journal(s_mock, ""); /* without bodies too */
    cr_assert_eq(cJSON_GetArraySize(list), 2);
    s_assert_json_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "rules_fired"), "[\"one-throttle\"]");
    s_assert_json_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "rules_fired"), "[]");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "rule")->valuestring, "one-throttle");
    cJSON_Delete(list);
}

/* ---- since and limit ------------------------------------------------------------------ */

/* The seq of each entry of `list`, as "3,4,5". */
static void s_seqs(const cJSON *list, char *out, size_t len)
{
    out[0] = '\0';
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, list)
    {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%d", used ? "," : "", cJSON_GetObjectItem(e, "seq")->valueint);
    }
}

static void s_assert_seqs(const char *query, const char *want)
{
    char got[256];
    cJSON *list = th_journal(s_mock, query);
    s_seqs(list, got, sizeof(got));
    cr_assert_str_eq(got, want, "GET /_mock/requests%s", query);
    cJSON_Delete(list);
}

Test(journal_bodies, since_and_limit_page_through_the_journal_oldest_first)
{
    for (int i = 0; i < 5; i++) {
        struct th_response r = s_post(i % 2 ? "/count-tokens" : "/converse", i % 2 ? COUNT_HELLO : HELLO);
        cr_assert_eq(r.status, 200, "%s", r.body);
        th_response_free(&r);
    }
    s_assert_seqs("", "1,2,3,4,5");
    s_assert_seqs("?since=2", "3,4,5");
    s_assert_seqs("?since=2&limit=2", "3,4");
    s_assert_seqs("?since=4&limit=2", "5");
    s_assert_seqs("?since=5", "");
    s_assert_seqs("?since=9007199254740992", "");
    s_assert_seqs("?limit=1", "1");
    s_assert_seqs("?operation=Converse&since=1", "3,5");
    s_assert_seqs("?operation=Converse&since=1&limit=1&bodies=1", "3");
}

Test(journal_bodies, bad_query_numbers_are_a_400)
{
    const char *bad[] = {"?bodies=2", "?bodies=yes",
                         "?since=-1", "?since=abc",
                         "?since=",   "?since=1x",
                         "?limit=0",  "?limit=99999999999999999999999",
                         "?limit=+3", "?since=9007199254740993"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/_mock/requests%s", bad[i]);
        struct th_response r = th_request(s_mock, "GET", path, NULL, NULL);
        cr_assert_eq(r.status, 400, "%s: %ld %s", bad[i], r.status, r.body);
        cr_assert(strstr(th_message(&r), "must be a whole number"), "%s", r.body);
        th_response_free(&r);
    }
}

/* ---- the byte budget ------------------------------------------------------------------ */

TestSuite(journal_budget, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* Send Converse requests of growing size; per exchange, the bytes the journal would keep. */
static void s_fill(size_t n, size_t *bytes)
{
    for (size_t i = 0; i < n; i++) {
        char body[2048];
        int len = snprintf(body, sizeof(body), "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%0*d\"}]}]}",
                           (int)(100 + 150 * i), (int)i);
        struct th_response r = s_post("/converse", body);
        cr_assert_eq(r.status, 200, "%s", r.body);
        bytes[i] = (size_t)len + r.body_len;
        th_response_free(&r);
    }
}

Test(journal_budget, the_oldest_bodies_are_dropped_first_and_flagged)
{
    size_t budget = 3000, bytes[8];
    s_start(budget);
    s_fill(8, bytes);
    /* Eviction is oldest first, so what stays is the longest run of newest entries that fits. */
    size_t kept = 0, sum = 0;
    while (kept < 8 && sum + bytes[7 - kept] <= budget) {
        sum += bytes[7 - kept++];
    }
    cr_assert(kept >= 1 && kept < 8, "the test needs some kept and some dropped (%zu kept)", kept);
    cJSON *list = th_journal(s_mock, "?bodies=1");
    cr_assert_eq(cJSON_GetArraySize(list), 8);
    for (int i = 0; i < 8; i++) {
        const cJSON *e = cJSON_GetArrayItem(list, i);
        bool dropped = i < 8 - (int)kept;
        cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_dropped")), dropped, "entry %d", i);
        cr_assert_eq(cJSON_IsNull(cJSON_GetObjectItem(e, "request_body")), dropped, "entry %d", i);
        cr_assert_eq(cJSON_IsNull(cJSON_GetObjectItem(e, "response_body")), dropped, "entry %d", i);
        cr_assert_eq(cJSON_GetObjectItem(e, "response_status")->valueint, 200); /* kept either way */
    }
    cJSON_Delete(list);
}

/* One request whose bodies need the room of forty earlier ones: they are all evicted by that
 * one add, more than the journal frees after its lock (the rest is freed at once); either way
 * the bodies are dropped and flagged, and nothing leaks or is freed twice (ASan, valgrind). */
Test(journal_budget, one_large_body_evicts_many_small_ones)
{
    s_start(20000);
    for (int i = 0; i < 40; i++) {
        struct th_response r = s_post("/converse", HELLO);
        cr_assert_eq(r.status, 200, "%s", r.body);
        th_response_free(&r);
    }
    char body[12000];
    snprintf(body, sizeof(body), "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"%0*d\"}]}]}", 11000, 7);
    struct th_response r = s_post("/converse", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cJSON *list = th_journal(s_mock, "?bodies=1");
    int n = cJSON_GetArraySize(list), kept = 0;
    cr_assert_eq(n, 41);
    for (int i = 0; i < n; i++) {
        kept += !cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "body_dropped"));
    }
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 40), "body_dropped")));
    cr_assert_lt(kept, 41 - 16, "more than the graveyard's 16 should have gone (%d kept)", kept);
    cJSON_Delete(list);
}

Test(journal_budget, a_body_larger_than_the_whole_budget_is_not_kept)
{
    size_t bytes[2];
    s_start(600);
    s_fill(2, bytes); /* the first fits, the second alone does not */
    cr_assert(bytes[0] <= 600 && bytes[1] > 600, "%zu %zu", bytes[0], bytes[1]);
    cJSON *list = th_journal(s_mock, "?bodies=1");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "body_dropped")));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "body_dropped")));
    cJSON_Delete(list);
}

Test(journal_budget, a_stream_past_the_budget_drops_its_own_bodies)
{
    s_start(600);
    struct th_response r = s_post("/converse-stream", HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(r.body_len > 600, "%zu", r.body_len);
    th_response_free(&r);
    cJSON *e = s_last_entry();
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_dropped")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "request_body")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "response_body")));
    cJSON_Delete(e);
}

Test(journal_budget, zero_keeps_no_bodies)
{
    size_t bytes[1];
    s_start(0);
    s_fill(1, bytes);
    cJSON *e = s_last_entry();
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_dropped")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "request_body")));
    cr_assert_eq(cJSON_GetObjectItem(e, "response_status")->valueint, 200);
    cJSON_Delete(e);
}

/* Dispatch HELLO in process (no socket), as a transport does; true when the request still holds
 * its body afterwards, which must then be what was sent. */
static bool s_dispatch_keeps_body(void)
{
    struct mock_request req;
    struct mock_response resp;
    const char *headers[] = {TH_DEFAULT_AUTHORIZATION, NULL};
    mock_request_build(&req, "POST", HAIKU_PATH "/converse", headers, HELLO, strlen(HELLO));
    mock_response_init(&resp);
    mock_dispatch(s_mock, &req, &resp);
    cr_assert_eq(resp.status, 200, "%s", resp.body.data);
    bool kept = req.body != NULL;
    cr_assert(!kept || (req.body_len == strlen(HELLO) && memcmp(req.body, HELLO, req.body_len) == 0));
    cr_assert(kept || req.body_len == 0);
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
    return kept;
}

Test(journal_budget, the_journal_takes_the_body_it_keeps_and_leaves_the_one_it_drops)
{
    s_start(BRK_MOCK_DEFAULT_JOURNAL_BODY_BYTES);
    cr_assert_not(s_dispatch_keeps_body(), "the journal copied the body instead of taking it");
    cJSON *e = s_last_entry();
    s_assert_json_eq(cJSON_GetObjectItem(e, "request_body"), HELLO); /* the same bytes, now the journal's */
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "body_dropped")));
    cJSON_Delete(e);
    brk_mock_stop(s_mock);
    s_start(0);
    cr_assert(s_dispatch_keeps_body(), "a journal that keeps no bodies took one");
    e = s_last_entry();
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_dropped")));
    cJSON_Delete(e);
}
