/* ConverseStream over HTTP: the event sequence, agreement with Converse, chunking, errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define SONNET4 "us.anthropic.claude-sonnet-4-20250514-v1:0"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there, streaming world\"}]}]}"
#define TOOLS                                                                                       \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Weather?\"}]}],"                    \
    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"inputSchema\":{\"json\":" \
    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"minLength\":30}},"        \
    "\"required\":[\"city\"]}}}}],\"toolChoice\":{\"any\":{}}}}"

static struct th_response s_stream(struct brk_mock *mock, const char *model, const char *body)
{
    char enc[2048], path[2200];
    th_encode_label(model, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse-stream", enc);
    return th_request(mock, "POST", path, body, NULL);
}

static struct th_events *s_decode(const struct th_response *r)
{
    struct th_events *e = calloc(1, sizeof(*e));
    th_events_decode(r->body, r->body_len, e);
    return e;
}

static void s_free(struct th_events *e)
{
    th_events_free(e);
    free(e);
}

static const char *s_converse_text(const struct th_response *r, int index, const char *key)
{
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "output"), "message"), "content");
    return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(content, index), key));
}

/* One suite-wide timeout: per-test .timeout values trip a 48-byte leak inside Criterion 2.4.1
 * under ASan with --jobs 2 (seen intermittently in make test SANITIZE=1). */
TestSuite(stream, .timeout = TH_SUITE_TIMEOUT_S);

Test(stream, sends_bedrocks_event_sequence_with_framing_and_padding)
{
    struct brk_mock *mock = th_mock_start(NULL);
    struct th_response r = s_stream(mock, HAIKU, HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char ctype[96], te[64];
    th_header(&r, "Content-Type", ctype, sizeof(ctype));
    th_header(&r, "Transfer-Encoding", te, sizeof(te));
    cr_assert_str_eq(ctype, "application/vnd.amazon.eventstream");
    cr_assert_str_eq(te, "chunked");
    struct th_events *e = s_decode(&r);
    cr_assert_eq(e->end, BRK_OK);
    cr_assert_geq(e->n, 5);
    cr_assert_str_eq(e->ev[0].type, "messageStart");
    cr_assert_str_eq(cJSON_GetObjectItem(e->ev[0].payload, "role")->valuestring, "assistant");
    for (size_t i = 1; i < e->n - 3; i++) {
        cr_assert_str_eq(e->ev[i].type, "contentBlockDelta", "event %zu", i);
    }
    cr_assert_str_eq(e->ev[e->n - 3].type, "contentBlockStop");
    cr_assert_str_eq(e->ev[e->n - 2].type, "messageStop");
    cr_assert_str_eq(e->ev[e->n - 1].type, "metadata");
    for (size_t i = 0; i < e->n; i++) {
        cr_assert_str_eq(e->ev[i].message_type, "event");
        cr_assert_str_eq(e->ev[i].header_order, ":event-type,:content-type,:message-type");
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(e->ev[i].payload, "p"));
        cr_assert(p && p[0], "event %zu has no padding", i);
        cr_assert(strncmp("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", p, strlen(p)) == 0);
    }
    s_free(e);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(stream, deltas_and_usage_agree_with_converse)
{
    struct brk_mock *mock = th_mock_start(NULL);
    struct th_response whole = th_converse(mock, HAIKU, HELLO);
    struct th_response r = s_stream(mock, HAIKU, HELLO);
    struct th_events *e = s_decode(&r);
    char *text = th_events_join(e, 0, NULL, "text");
    cr_assert_str_eq(text, s_converse_text(&whole, 0, "text"));
    const cJSON *meta = e->ev[e->n - 1].payload;
    char *a = cJSON_PrintUnformatted(cJSON_GetObjectItem(meta, "usage"));
    char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(whole.json, "usage"));
    cr_assert_str_eq(a, b);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(meta, "metrics"), "latencyMs")));
    cr_assert_str_eq(cJSON_GetObjectItem(e->ev[e->n - 2].payload, "stopReason")->valuestring,
                     cJSON_GetObjectItem(whole.json, "stopReason")->valuestring);
    free(a);
    free(b);
    free(text);
    s_free(e);
    th_response_free(&r);
    th_response_free(&whole);
    brk_mock_stop(mock);
}

Test(stream, tool_use_has_a_start_and_partial_json_input)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.stream_chunk_chars = 7;
    struct brk_mock *mock = th_mock_start(&cfg);
    struct th_response whole = th_converse(mock, HAIKU, TOOLS);
    struct th_response r = s_stream(mock, HAIKU, TOOLS);
    struct th_events *e = s_decode(&r);
    cr_assert_str_eq(e->ev[1].type, "contentBlockStart");
    const cJSON *tu = cJSON_GetObjectItem(cJSON_GetObjectItem(e->ev[1].payload, "start"), "toolUse");
    cr_assert_str_eq(cJSON_GetObjectItem(tu, "name")->valuestring, "get_weather");
    cr_assert(strncmp(cJSON_GetObjectItem(tu, "toolUseId")->valuestring, "tooluse_", 8) == 0);
    cr_assert_eq(cJSON_GetObjectItem(e->ev[1].payload, "contentBlockIndex")->valueint, 0);
    char *input = th_events_join(e, 0, "toolUse", "input");
    cJSON *parsed = cJSON_Parse(input);
    cr_assert_not_null(parsed, "input deltas do not join to JSON: %s", input);
    cr_assert_eq(strlen(cJSON_GetObjectItem(parsed, "city")->valuestring), 30);
    cr_assert_gt(e->n, 8, "a 41-byte input in 7-character pieces takes several deltas");
    cr_assert_str_eq(cJSON_GetObjectItem(e->ev[e->n - 2].payload, "stopReason")->valuestring, "tool_use");
    cJSON_Delete(parsed);
    free(input);
    s_free(e);
    th_response_free(&r);
    th_response_free(&whole);
    brk_mock_stop(mock);
}

Test(stream, reasoning_streams_text_then_signature_before_the_answer)
{
    struct brk_mock *mock = th_mock_start(NULL);
    const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Think\"}]}],"
                       "\"additionalModelRequestFields\":{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}}";
    struct th_response whole = th_converse(mock, SONNET4, body);
    struct th_response r = s_stream(mock, SONNET4, body);
    struct th_events *e = s_decode(&r);
    char *thought = th_events_join(e, 0, "reasoningContent", "text");
    char *sig = th_events_join(e, 0, "reasoningContent", "signature");
    char *answer = th_events_join(e, 1, NULL, "text");
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(whole.json, "output"), "message"), "content");
    const cJSON *rt =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "reasoningContent"), "reasoningText");
    cr_assert_str_eq(thought, cJSON_GetObjectItem(rt, "text")->valuestring);
    cr_assert_str_eq(sig, cJSON_GetObjectItem(rt, "signature")->valuestring);
    cr_assert_str_eq(answer, s_converse_text(&whole, 1, "text"));
    /* The signature delta comes last in its block, right before contentBlockStop. */
    size_t stop0 = 0;
    while (stop0 < e->n && strcmp(e->ev[stop0].type, "contentBlockStop") != 0) {
        stop0++;
    }
    const cJSON *last = cJSON_GetObjectItem(cJSON_GetObjectItem(e->ev[stop0 - 1].payload, "delta"), "reasoningContent");
    cr_assert_not_null(cJSON_GetObjectItem(last, "signature"));
    free(thought);
    free(sig);
    free(answer);
    s_free(e);
    th_response_free(&r);
    th_response_free(&whole);
    brk_mock_stop(mock);
}

Test(stream, chunk_size_is_configurable_and_respects_utf8)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.stream_chunk_chars = 3;
    struct brk_mock *mock = th_mock_start(&cfg);
    struct th_response r =
        s_stream(mock, HAIKU,
                 "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}]}]}");
    struct th_events *e = s_decode(&r);
    size_t deltas = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->ev[i].type, "contentBlockDelta") == 0) {
            const char *t = cJSON_GetObjectItem(cJSON_GetObjectItem(e->ev[i].payload, "delta"), "text")->valuestring;
            cr_assert_not_null(cJSON_GetObjectItem(e->ev[i].payload, "delta"),
                               "delta is valid JSON (UTF-8 kept whole)");
            cr_assert_leq(strlen(t), 6, "at most 3 characters: %s", t);
            deltas++;
        }
    }
    char *text = th_events_join(e, 0, NULL, "text");
    cr_assert(strstr(text, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9") != NULL, "%s", text);
    cr_assert_eq(deltas, (strlen(text) - 4 + 2) / 3, "%zu deltas for %s", deltas, text);
    free(text);
    s_free(e);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(stream, same_seed_same_bytes)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.has_seed = true;
    cfg.seed = 7;
    cfg.clock_mode = BRK_CLOCK_VIRTUAL; /* latencyMs is the time taken: the same only on a virtual clock */
    struct th_response r[2];
    for (int i = 0; i < 2; i++) {
        struct brk_mock *mock = th_mock_start(&cfg);
        r[i] = s_stream(mock, HAIKU, HELLO);
        brk_mock_stop(mock);
    }
    cr_assert_eq(r[0].body_len, r[1].body_len);
    cr_assert(memcmp(r[0].body, r[1].body, r[0].body_len) == 0);
    th_response_free(&r[0]);
    th_response_free(&r[1]);
}

Test(stream, errors_before_the_stream_opens_are_json)
{
    struct brk_mock *mock = th_mock_start(NULL);
    struct th_response r = s_stream(mock, "anthropic.claude-nonexistent-v9:0", HELLO);
    char ctype[96], type[256];
    th_header(&r, "Content-Type", ctype, sizeof(ctype));
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(ctype, "application/json");
    cr_assert(strncmp(type, "ValidationException:", 20) == 0);
    cr_assert_str_eq(th_message(&r), "The provided model identifier is invalid.");
    th_response_free(&r);
    /* A model that calls tools, but not while streaming. */
    const char *llama = "meta.llama3-1-8b-instruct-v1:0";
    const char *tools = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}],"
                        "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{}}}}]}}";
    r = s_stream(mock, llama, tools);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert_str_eq(th_message(&r), "This model doesn't support tool use in streaming mode.");
    th_response_free(&r);
    r = th_converse(mock, llama, tools);
    cr_assert_eq(r.status, 200, "Converse with tools is fine for the same model: %s", r.body);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(stream, is_journaled_as_converse_stream)
{
    struct brk_mock *mock = th_mock_start(NULL);
    struct th_response r = s_stream(mock, HAIKU, HELLO);
    th_response_free(&r);
    r = th_request(mock, "GET", "/_mock/requests?operation=ConverseStream", NULL, NULL);
    const cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    cr_assert_eq(cJSON_GetArraySize(list), 1, "%s", r.body);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "status")->valueint, 200);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(stream, metadata_reports_prompt_cache_writes_then_reads)
{
    struct brk_mock *mock = th_mock_start(NULL);
    struct brk_buf body;
    brk_buf_init(&body, 1 << 20);
    brk_buf_append_str(&body, "{\"system\":[{\"text\":\"");
    for (int i = 0; i < 3000; i++) {
        brk_buf_append_str(&body, "word ");
    }
    brk_buf_append_str(&body, "\"},{\"cachePoint\":{\"type\":\"default\"}}],"
                              "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}");
    const char *keys[] = {"cacheWriteInputTokens", "cacheReadInputTokens"};
    for (int i = 0; i < 2; i++) {
        struct th_response r = s_stream(mock, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", body.data);
        struct th_events *e = s_decode(&r);
        const cJSON *usage = cJSON_GetObjectItem(e->ev[e->n - 1].payload, "usage");
        cr_assert_gt(cJSON_GetObjectItem(usage, keys[i])->valueint, 0, "stream %d: no %s", i, keys[i]);
        cr_assert_eq(cJSON_GetObjectItem(usage, keys[1 - i])->valueint, 0);
        s_free(e);
        th_response_free(&r);
    }
    brk_buf_clean_up(&body);
    brk_mock_stop(mock);
}
