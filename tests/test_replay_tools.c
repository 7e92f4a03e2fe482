/*
 * import-vcr and verify-cassettes (docs/record-replay.md, docs/fidelity.md): a VCR.py cassette
 * of our own (fixtures/vcr/) imported, replayed, and checked against the simulation, with
 * planted mismatches both ways.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock/replay/cassette.h"
#include "mock/replay/vcr.h"
#include "mock/replay/verify.h"
#include "support/es_events.h"
#include "support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define FIXTURE "fixtures/vcr/bedrock_converse.yaml"
/* The request body of the fixture's first and third interactions, as the fixture writes it. */
#define FIXTURE_QUESTION                                                                                     \
    "{\"messages\": [{\"role\": \"user\", \"content\": [{\"text\": \"What is the capital of France?\"}]}], " \
    "\"inferenceConfig\": {\"maxTokens\": 100}}"

static char s_dir[64];

static void s_setup(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/brk-vcr-XXXXXX");
    cr_assert(mkdtemp(s_dir));
}

static void s_teardown(void)
{
    th_remove_tree(s_dir);
}

TestSuite(replay_tools, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* Run a command's main with its output captured; returns the exit status. */
static int s_run(int (*main_fn)(int, char **, FILE *, FILE *), char **argv, int argc, char **out)
{
    size_t len = 0;
    FILE *f = open_memstream(out, &len);
    cr_assert(f);
    int rc = main_fn(argc, argv, f, f);
    fclose(f);
    return rc;
}

static void s_import(char **report)
{
    char fixture[512];
    th_source_path(FIXTURE, fixture, sizeof(fixture));
    char cmd[] = "import-vcr", out[] = "--out";
    char *argv[] = {cmd, fixture, out, s_dir, NULL};
    cr_assert_eq(s_run(mock_vcr_main, argv, 4, report), 0, "%s", *report);
}

Test(replay_tools, import_vcr_converts_bedrock_interactions_and_counts_the_rest)
{
    char *report = NULL;
    s_import(&report);
    cr_assert(strstr(report, "3 interactions imported, 1 skipped"), "%s", report);
    free(report);
    char path[256];
    snprintf(path, sizeof(path), "%s/bedrock_converse-0002-ConverseStream.json", s_dir);
    size_t len = 0;
    char *text = th_read_file(path, &len);
    cr_assert(text, "no %s", path);
    cr_assert(strstr(text, "\"contentBlockDelta\""), "the !!binary stream is decoded into events: %s", text);
    const char *secrets[] = {"Signature=", "vcr-session-token", "ABSKQmVkcm9ja0FQSUtleS1", "ASIAVCREXAMPLE"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        cr_assert_null(strstr(text, secrets[i]), "%s reached a cassette", secrets[i]);
    }
    free(text);
}

Test(replay_tools, an_imported_cassette_replays_its_answer_and_its_stream)
{
    char *report = NULL;
    s_import(&report);
    free(report);
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.replay_dir = s_dir;
    cfg.replay_timing_none = true;
    struct brk_mock *m = th_mock_start(&cfg);
    struct th_response r = th_converse(m, HAIKU, FIXTURE_QUESTION);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "\"The capital of France is Paris.\""), "%s", r.body);
    th_response_free(&r);
    r = th_request(m, "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream", FIXTURE_QUESTION,
                   NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    struct th_events evs;
    th_events_decode(r.body, r.body_len, &evs);
    cr_assert_eq(evs.end, BRK_OK);
    char *text = th_events_join(&evs, 0, NULL, "text");
    cr_assert_str_eq(text, "Paris is the capital of France.");
    free(text);
    th_events_free(&evs);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(replay_tools, import_vcr_refuses_what_is_not_a_vcr_cassette)
{
    struct mock_vcr_counts counts = {0};
    char err[256] = "";
    const char *not_vcr = "version: 1\nrecords: []\n";
    cr_assert_eq(mock_vcr_convert(not_vcr, strlen(not_vcr), "x", NULL, &counts, err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert(strstr(err, "interactions"), "%s", err);
    const char *broken = "interactions:\n- request: [\n";
    cr_assert_eq(mock_vcr_convert(broken, strlen(broken), "x", NULL, &counts, err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert(strstr(err, "YAML error"), "%s", err);
    cr_assert_eq(counts.imported, 0);
}

static char *s_verify(int want_rc)
{
    char cmd[] = "verify-cassettes";
    char *argv[] = {cmd, s_dir, NULL};
    char *report = NULL;
    int rc = s_run(mock_verify_main, argv, 2, &report);
    cr_assert_eq(rc, want_rc, "exit %d: %s", rc, report);
    return report;
}

/* Rewrite one imported cassette's recorded status and error type. */
static void s_plant(const char *file, int status, const char *error_type)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", s_dir, file);
    size_t len = 0;
    char *text = th_read_file(path, &len);
    cr_assert(text, "no %s", path);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cJSON *resp = cJSON_GetObjectItem(doc, "response");
    cJSON_ReplaceItemInObject(resp, "status", cJSON_CreateNumber(status));
    cJSON *headers = cJSON_GetObjectItem(resp, "headers");
    cJSON_DeleteItemFromObject(headers, "x-amzn-ErrorType");
    if (error_type) {
        cJSON_AddStringToObject(headers, "x-amzn-ErrorType", error_type);
    }
    cr_assert_eq(mock_cassette_write(s_dir, file, doc), BRK_OK);
    cJSON_Delete(doc);
}

Test(replay_tools, verify_cassettes_agrees_with_the_fixture_and_reports_input_tokens)
{
    char *report = NULL;
    s_import(&report);
    free(report);
    report = s_verify(0);
    cr_assert(strstr(report, "3 agree, 0 verdict mismatches, 0 error differences"), "%s", report);
    cr_assert(strstr(report, "input tokens on 1 Converse calls: median relative error"), "%s", report);
    free(report);
}

/* Import the fixture, plant a recorded verdict in one cassette, and expect `line` in the report. */
static void s_plant_and_verify(const char *file, int status, const char *error_type, int want_rc, const char *line)
{
    char *report = NULL;
    s_import(&report);
    free(report);
    s_plant(file, status, error_type);
    report = s_verify(want_rc);
    cr_assert(strstr(report, line), "no \"%s\" in:\n%s", line, report);
    free(report);
}

Test(replay_tools, verify_cassettes_finds_a_refusal_the_mock_does_not_make)
{
    s_plant_and_verify("bedrock_converse-0001-Converse.json", 400,
                       "ValidationException:http://internal.amazon.com/coral/", 1,
                       "MISMATCH   bedrock_converse-0001-Converse.json: recorded 400 ValidationException, mock 200");
}

Test(replay_tools, verify_cassettes_finds_an_acceptance_the_mock_refuses)
{
    s_plant_and_verify("bedrock_converse-0003-Converse.json", 200, NULL, 1,
                       "MISMATCH   bedrock_converse-0003-Converse.json: recorded 200 (accepted), mock 400");
}

Test(replay_tools, verify_cassettes_reports_a_different_error_type_without_failing)
{
    s_plant_and_verify("bedrock_converse-0003-Converse.json", 400, "SerializationException", 0,
                       "DIFFERENT  bedrock_converse-0003-Converse.json: recorded SerializationException");
}

Test(replay_tools, a_cassette_body_keeps_json_text_and_binary_bytes_exactly)
{
    const char *const bodies[] = {"{\"a\":1}", "{ \"a\" : 1.50 }", "not json", "bin\0ary\xff"};
    const size_t lens[] = {7, 14, 8, 8};
    for (size_t i = 0; i < 4; i++) {
        cJSON *obj = cJSON_CreateObject();
        mock_cassette_add_body(obj, "body", bodies[i], lens[i]);
        struct brk_buf out;
        brk_buf_init(&out, 1024);
        cr_assert_eq(mock_cassette_body_bytes(obj, "body", &out), BRK_OK);
        cr_assert_eq(out.len, lens[i], "body %zu", i);
        cr_assert(memcmp(out.data, bodies[i], lens[i]) == 0, "body %zu", i);
        cr_assert_eq(cJSON_IsObject(cJSON_GetObjectItem(obj, "body")), i < 2, "JSON is kept readable: %zu", i);
        brk_buf_clean_up(&out);
        cJSON_Delete(obj);
    }
}
