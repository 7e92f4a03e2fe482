/*
 * Record and replay (docs/record-replay.md). The upstream is a second in-process mock in
 * --auth strict mode, so a recording that succeeds proves the recorder re-signed each request
 * with its own environment's credentials; replays then run with no upstream at all and must
 * give the recorded bytes back.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "mock/replay/curl_lib.h"
#include "support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define CONVERSE_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define STREAM_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}"
#define HELLO_WARM \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}],\"inferenceConfig\":{\"temperature\":0.9}}"
#define OTHER "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Goodbye\"}]}]}"
#define BAD_MODEL_PATH "/model/no.such-model-v1%3A0/converse"
#define AKID "ASIARECORDER"
#define SECRET "recorder-secret/KEY+value"
#define TOKEN "FQoGZXIvYXdzEXAMPLE//recorder-session==token"
#define CLIENT_TOKEN "client-session-token-must-not-be-recorded"
#define CLIENT_KEY "client-api-key-must-not-be-recorded"

static char s_dir[64];
static char s_cred_path[128];
static char s_cassettes[128];
static unsigned s_upstream_delay_ms; /* --stream-delay-ms of the upstream */

static void s_setup(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/brk-replay-XXXXXX");
    cr_assert(mkdtemp(s_dir));
    snprintf(s_cred_path, sizeof(s_cred_path), "%s/credentials.json", s_dir);
    snprintf(s_cassettes, sizeof(s_cassettes), "%s/cassettes", s_dir);
    FILE *f = fopen(s_cred_path, "w");
    cr_assert(f);
    fputs("{\"credentials\":[{\"access_key_id\":\"" AKID "\",\"secret_access_key\":\"" SECRET
          "\",\"session_token\":\"" TOKEN "\"}]}",
          f);
    fclose(f);
    setenv("AWS_ACCESS_KEY_ID", AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
    setenv("AWS_SESSION_TOKEN", TOKEN, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    unsetenv("AWS_BEARER_TOKEN_BEDROCK");
}

static void s_teardown(void)
{
    th_remove_tree(s_dir);
}

TestSuite(replay, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* Upstream rules: "Goodbye" is throttled (an error the replaying mock would never give by
 * itself), and the first "Hello" gets a scripted answer, so two identical requests differ. */
static const char s_upstream_rules[] =
    "[{\"match\":{\"text\":\"Goodbye\"},\"error\":\"ThrottlingException\",\"message\":\"Slow down, recorder.\"},"
    "{\"match\":{\"text\":\"Hello\",\"nth\":1},\"reply\":{\"text\":\"The first answer.\"}}]";

static void s_write(const char *name, const char *text, char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

static struct brk_mock *s_upstream(void)
{
    char rules[160];
    s_write("upstream-rules.json", s_upstream_rules, rules, sizeof(rules));
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.rules_path = rules;
    cfg.stream_delay_ms = s_upstream_delay_ms;
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    cfg.credentials_path = s_cred_path;
    cfg.has_seed = true;
    cfg.seed = 7;
    return th_mock_start(&cfg);
}

static struct brk_mock *s_recorder(struct brk_mock *upstream)
{
    char url[128];
    th_base_url(upstream, url, sizeof(url));
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.record_dir = s_cassettes;
    cfg.upstream_url = url;
    return th_mock_start(&cfg);
}

static struct brk_mock *s_replayer(bool simulate, const char *ignore)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.replay_dir = s_cassettes;
    cfg.replay_timing_none = true;
    cfg.replay_miss_simulate = simulate;
    if (ignore) {
        cfg.replay_ignore[cfg.n_replay_ignore++] = ignore;
    }
    return th_mock_start(&cfg);
}

/* Record one Converse of HELLO (and anything else the caller sends) through the proxy. */
static void s_record(const char *path, const char *body, const char *const *headers, struct th_response *out)
{
    struct brk_mock *upstream = s_upstream();
    struct brk_mock *rec = s_recorder(upstream);
    *out = th_request(rec, "POST", path, body, headers);
    brk_mock_stop(rec);
    brk_mock_stop(upstream);
}

static void s_assert_same(const struct th_response *a, const struct th_response *b)
{
    cr_assert_eq(a->status, b->status, "%ld vs %ld: %s", a->status, b->status, b->body);
    cr_assert_eq(a->body_len, b->body_len, "%s\nvs\n%s", a->body, b->body);
    cr_assert(memcmp(a->body, b->body, a->body_len) == 0, "%s\nvs\n%s", a->body, b->body);
    char ta[128], tb[128];
    th_header(a, "content-type", ta, sizeof(ta));
    th_header(b, "content-type", tb, sizeof(tb));
    cr_assert_str_eq(ta, tb);
    th_header(a, "x-amzn-ErrorType", ta, sizeof(ta));
    th_header(b, "x-amzn-ErrorType", tb, sizeof(tb));
    cr_assert_str_eq(ta, tb);
}

/* Record `path`+`body`, then replay it with no upstream: the same bytes come back. */
static void s_round_trip(const char *path, const char *body, long want_status)
{
    struct th_response recorded;
    s_record(path, body, NULL, &recorded);
    cr_assert_eq(recorded.status, want_status, "%ld: %s", recorded.status, recorded.body);
    struct brk_mock *rep = s_replayer(false, NULL);
    struct th_response replayed = th_request(rep, "POST", path, body, NULL);
    s_assert_same(&recorded, &replayed);
    th_response_free(&replayed);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

Test(replay, a_converse_recorded_through_a_strict_upstream_replays_byte_for_byte)
{
    s_round_trip(CONVERSE_PATH, HELLO, 200);
}

Test(replay, a_converse_stream_replays_frame_for_frame)
{
    s_round_trip(STREAM_PATH, HELLO, 200);
}

Test(replay, an_error_answer_replays_with_its_status_and_type)
{
    s_round_trip(BAD_MODEL_PATH, HELLO, 400);
}

Test(replay, an_upstream_error_the_mock_would_not_give_is_replayed_from_its_cassette)
{
    struct th_response recorded;
    s_record(CONVERSE_PATH, OTHER, NULL, &recorded);
    cr_assert_eq(recorded.status, 429, "%s", recorded.body);
    struct brk_mock *rep = s_replayer(false, NULL);
    struct th_response replayed = th_request(rep, "POST", CONVERSE_PATH, OTHER, NULL);
    s_assert_same(&recorded, &replayed);
    cr_assert_str_eq(th_message(&replayed), "Slow down, recorder.");
    th_response_free(&replayed);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

/* Every cassette file of the directory, one after the other. */
static char *s_all_cassettes(size_t *n_files)
{
    DIR *d = opendir(s_cassettes);
    cr_assert(d, "no cassette directory");
    size_t cap = 1 << 20, len = 0;
    char *all = calloc(1, cap);
    struct dirent *e;
    *n_files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", s_cassettes, e->d_name);
        size_t n = 0;
        char *text = th_read_file(path, &n);
        cr_assert(text && len + n < cap);
        memcpy(all + len, text, n);
        len += n;
        free(text);
        (*n_files)++;
    }
    closedir(d);
    return all;
}

Test(replay, secrets_never_reach_a_cassette)
{
    const char *headers[] = {TH_DEFAULT_AUTHORIZATION, "X-Amz-Security-Token: " CLIENT_TOKEN, "x-api-key: " CLIENT_KEY,
                             "x-custom-trace: kept", NULL};
    struct th_response recorded;
    s_record(STREAM_PATH, HELLO, headers, &recorded);
    cr_assert_eq(recorded.status, 200, "%s", recorded.body);
    size_t files = 0;
    char *all = s_all_cassettes(&files);
    cr_assert_eq(files, 1);
    cr_assert(strstr(all, "x-custom-trace"), "an ordinary header is kept: %s", all);
    const char *secrets[] = {CLIENT_TOKEN, CLIENT_KEY, "Signature=", SECRET, TOKEN, "AWS4-HMAC-SHA256"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        cr_assert_null(strstr(all, secrets[i]), "%s is in a cassette", secrets[i]);
    }
    free(all);
    th_response_free(&recorded);
}

Test(replay, a_recorder_with_wrong_credentials_is_refused_by_the_strict_upstream)
{
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
    struct th_response recorded;
    s_record(CONVERSE_PATH, HELLO, NULL, &recorded);
    cr_assert_eq(recorded.status, 403, "%s", recorded.body);
    char type[128];
    th_header(&recorded, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert(strstr(type, "InvalidSignatureException"), "%s", type);
    th_response_free(&recorded);
}

Test(replay, a_recorder_without_credentials_does_not_start)
{
    unsetenv("AWS_ACCESS_KEY_ID");
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.record_dir = s_cassettes;
    cfg.upstream_url = "http://127.0.0.1:9";
    struct brk_mock *m = NULL;
    char err[256] = "";
    cr_assert_neq(brk_mock_start(&cfg, &m, err, sizeof(err)), BRK_OK);
    cr_assert(strstr(err, "AWS_ACCESS_KEY_ID"), "%s", err);
}

/* bedrock-mock does not link libcurl (start-up cost, docs/benchmarks.md): --record loads it by
 * name. The real library resolves every entry point; a missing one is a reason, not a crash. */
Test(replay, libcurl_is_loaded_by_name_with_every_entry_point_record_mode_calls)
{
    struct mock_curl c = {0};
    char err[256] = "";
    cr_assert(mock_curl_open(MOCK_CURL_SONAME, &c, err, sizeof(err)), "%s", err);
    cr_assert(c.global_init && c.easy_init && c.easy_setopt && c.easy_perform && c.easy_cleanup && c.slist_append &&
              c.slist_free_all);
    struct curl_slist *list = c.slist_append(NULL, "Expect:");
    cr_assert_str_eq(list->data, "Expect:");
    c.slist_free_all(list);
    char err2[256] = "";
    cr_assert_not_null(mock_curl_load(err2, sizeof(err2)), "%s", err2);
}

Test(replay, a_missing_libcurl_is_reported_by_name)
{
    struct mock_curl c = {0};
    char err[256] = "";
    cr_assert_not(mock_curl_open("libcurl-brk-missing.so.4", &c, err, sizeof(err)));
    cr_assert(strstr(err, "--record needs libcurl (libcurl-brk-missing.so.4)"), "%s", err);
    cr_assert_null(c.easy_init);
    cr_assert_not(mock_curl_open("libz.so.1", &c, err, sizeof(err)), "zlib is no libcurl");
    cr_assert(strstr(err, "libz.so.1 has no curl_global_init"), "%s", err);
}

/* The journal of a replaying mock: the entry of its last request. */
static cJSON *s_last_journal_entry(struct brk_mock *m, struct th_response *holder)
{
    const char *admin[] = {"Authorization:", NULL};
    *holder = th_request(m, "GET", "/_mock/requests", NULL, admin);
    const cJSON *list = cJSON_GetObjectItem(holder->json, "requests");
    cr_assert(cJSON_GetArraySize(list) > 0, "%s", holder->body);
    return cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
}

Test(replay, identical_requests_get_their_answers_in_recorded_order_and_the_journal_names_the_cassette)
{
    struct brk_mock *upstream = s_upstream();
    struct brk_mock *rec = s_recorder(upstream);
    struct th_response first = th_converse(rec, HAIKU, HELLO);
    struct th_response second = th_converse(rec, HAIKU, HELLO);
    brk_mock_stop(rec);
    brk_mock_stop(upstream);
    cr_assert(strstr(first.body, "The first answer."), "%s", first.body);
    cr_assert_null(strstr(second.body, "The first answer."), "%s", second.body);
    struct brk_mock *rep = s_replayer(false, NULL);
    struct th_response a = th_converse(rep, HAIKU, HELLO);
    struct th_response b = th_converse(rep, HAIKU, HELLO);
    struct th_response c = th_converse(rep, HAIKU, HELLO);
    s_assert_same(&first, &a);
    s_assert_same(&second, &b);
    s_assert_same(&second, &c); /* once all are used, the last answers again */
    struct th_response journal;
    const cJSON *entry = s_last_journal_entry(rep, &journal);
    const cJSON *replayed = cJSON_GetObjectItem(entry, "replayed");
    cr_assert(cJSON_IsString(replayed) && strstr(replayed->valuestring, "-Converse.json"), "%s", journal.body);
    th_response_free(&journal);
    th_response_free(&first);
    th_response_free(&second);
    th_response_free(&a);
    th_response_free(&b);
    th_response_free(&c);
    brk_mock_stop(rep);
}

/* Record one Converse of `body`, then start a replaying mock on the cassette. */
static struct brk_mock *s_record_converse_then_replay(const char *body, bool simulate, const char *ignore,
                                                      struct th_response *recorded)
{
    s_record(CONVERSE_PATH, body, NULL, recorded);
    cr_assert_lt(recorded->status, 500, "%s", recorded->body);
    return s_replayer(simulate, ignore);
}

Test(replay, a_miss_is_an_error_naming_the_nearest_cassette_and_the_first_difference)
{
    struct th_response recorded;
    struct brk_mock *rep = s_record_converse_then_replay(HELLO_WARM, false, NULL, &recorded);
    struct th_response r = th_converse(rep, HAIKU, HELLO);
    cr_assert_eq(r.status, 400, "%s", r.body);
    char type[128];
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert(strstr(type, "ValidationException"), "%s", type);
    cr_assert(strstr(th_message(&r), "-Converse.json"), "%s", r.body);
    cr_assert(strstr(th_message(&r), "first differs at inferenceConfig"), "%s", r.body);
    th_response_free(&r);
    r = th_converse(rep, HAIKU, HELLO_WARM); /* the recorded request itself still matches */
    s_assert_same(&recorded, &r);
    th_response_free(&r);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

Test(replay, a_miss_with_simulate_gets_the_normal_simulation)
{
    struct th_response recorded;
    struct brk_mock *rep = s_record_converse_then_replay(HELLO, true, NULL, &recorded);
    struct th_response r = th_converse(rep, HAIKU, OTHER);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "Goodbye"), "the simulation echoes the prompt: %s", r.body);
    struct th_response journal;
    const cJSON *entry = s_last_journal_entry(rep, &journal);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(entry, "replay_miss")), "%s", journal.body);
    th_response_free(&journal);
    th_response_free(&r);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

Test(replay, an_ignored_path_does_not_take_part_in_matching)
{
    struct th_response recorded;
    struct brk_mock *rep = s_record_converse_then_replay(HELLO_WARM, false, "inferenceConfig.temperature", &recorded);
    const char *cooler = "{\"inferenceConfig\":{\"temperature\":0.1},"
                         "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}";
    struct th_response r = th_converse(rep, HAIKU, cooler);
    s_assert_same(&recorded, &r); /* member order and the ignored temperature do not matter */
    th_response_free(&r);
    brk_mock_stop(rep);
    rep = s_replayer(false, "inferenceConfig.maxTokens");
    r = th_converse(rep, HAIKU, cooler);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(th_message(&r), "inferenceConfig.temperature"), "%s", r.body);
    th_response_free(&r);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

Test(replay, rules_fire_before_a_cassette_answers)
{
    struct th_response recorded;
    s_record(CONVERSE_PATH, HELLO, NULL, &recorded);
    char rules[160];
    s_write("replay-rules.json", "[{\"match\":{\"text\":\"Hello\"},\"reply\":{\"text\":\"Scripted.\"}}]", rules,
            sizeof(rules));
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.replay_dir = s_cassettes;
    cfg.rules_path = rules;
    cfg.stream_delay_ms = s_upstream_delay_ms;
    struct brk_mock *rep = th_mock_start(&cfg);
    struct th_response r = th_converse(rep, HAIKU, HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "Scripted."), "%s", r.body);
    cr_assert_null(strstr(r.body, "The first answer."), "%s", r.body);
    th_response_free(&r);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}

/* The t_ms of the last event of the only cassette in the directory. */
static long s_last_event_ms(void)
{
    size_t n = 0;
    char *all = s_all_cassettes(&n);
    cr_assert_eq(n, 1);
    cJSON *doc = cJSON_Parse(all);
    free(all);
    const cJSON *events = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "response"), "events");
    cr_assert(cJSON_GetArraySize(events) > 2);
    long first = (long)cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "t_ms")->valuedouble;
    long last =
        (long)cJSON_GetObjectItem(cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1), "t_ms")->valuedouble;
    cJSON_Delete(doc);
    cr_assert_gt(last, first, "the upstream's pauses are in the times: %ld, %ld", first, last);
    return last;
}

Test(replay, recorded_timing_keeps_the_pauses_between_frames)
{
    s_upstream_delay_ms = 40;
    struct th_response recorded;
    s_record(STREAM_PATH, HELLO, NULL, &recorded);
    cr_assert_eq(recorded.status, 200, "%s", recorded.body);
    long last_ms = s_last_event_ms();
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.replay_dir = s_cassettes; /* --replay-timing recorded, the default */
    struct brk_mock *rep = th_mock_start(&cfg);
    int64_t started_us = brk_clock_monotonic_us();
    struct th_response r = th_request(rep, "POST", STREAM_PATH, HELLO, NULL);
    int64_t took_ms = (brk_clock_monotonic_us() - started_us) / 1000;
    s_assert_same(&recorded, &r);
    cr_assert_geq(took_ms, last_ms, "the replay took %lld ms, the recording %ld", (long long)took_ms, last_ms);
    th_response_free(&r);
    th_response_free(&recorded);
    brk_mock_stop(rep);
}
