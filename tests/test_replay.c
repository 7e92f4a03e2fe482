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

#include "support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define CONVERSE_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define STREAM_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}"
#define HELLO_WARM                                                                                                 \
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
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(replay, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static struct brk_mock *s_upstream(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
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
