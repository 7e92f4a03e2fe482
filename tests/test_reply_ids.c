/* Two facts of every answer that real Bedrock varies: a fresh toolUseId per response (still
 * reproducible under --seed), and metrics.latencyMs as the time the mock took plus a rule's
 * delay (docs/streaming.md). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define FORCED_TOOL                                                                                  \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"weather?\"}]}],"                     \
    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"inputSchema\":{\"json\":{" \
    "\"type\":\"object\"}}}}],\"toolChoice\":{\"any\":{}}}}"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}"

static struct brk_mock *s_start(bool seeded, uint64_t seed, enum brk_clock_mode clock)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.has_seed = seeded;
    cfg.seed = seed;
    cfg.clock_mode = clock;
    return th_mock_start(&cfg);
}

/* The toolUseIds of three identical forced-tool requests. */
static void s_tool_ids(struct brk_mock *mock, char ids[3][64])
{
    for (int i = 0; i < 3; i++) {
        struct th_response r = th_converse(mock, HAIKU, FORCED_TOOL);
        cr_assert_eq(r.status, 200, "%s", r.body);
        const cJSON *block = cJSON_GetArrayItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message"), "content"), 0);
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(block, "toolUse"), "toolUseId"));
        cr_assert(id && strncmp(id, "tooluse_", 8) == 0 && strlen(id) == 30, "%s", r.body);
        snprintf(ids[i], 64, "%s", id);
        th_response_free(&r);
    }
}

Test(reply_ids, every_response_has_a_fresh_tool_use_id, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start(false, 0, BRK_CLOCK_REAL);
    char ids[3][64];
    s_tool_ids(mock, ids);
    cr_assert_str_neq(ids[0], ids[1]);
    cr_assert_str_neq(ids[1], ids[2]);
    cr_assert_str_neq(ids[0], ids[2]);
    brk_mock_stop(mock);
}

Test(reply_ids, the_same_seed_reproduces_the_tool_use_ids, .timeout = TH_SUITE_TIMEOUT_S)
{
    char first[3][64], second[3][64], other[3][64];
    struct brk_mock *mock = s_start(true, 42, BRK_CLOCK_REAL);
    s_tool_ids(mock, first);
    brk_mock_stop(mock);
    mock = s_start(true, 42, BRK_CLOCK_REAL);
    s_tool_ids(mock, second);
    brk_mock_stop(mock);
    mock = s_start(true, 43, BRK_CLOCK_REAL);
    s_tool_ids(mock, other);
    brk_mock_stop(mock);
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(first[i], second[i], "run 2, response %d", i);
        cr_assert_str_neq(first[i], other[i], "another seed, response %d", i);
    }
}

static long s_latency(struct brk_mock *mock)
{
    struct th_response r = th_converse(mock, HAIKU, HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    long ms = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "metrics"), "latencyMs"));
    th_response_free(&r);
    return ms;
}

/* Under the virtual clock no time passes while the mock answers: latencyMs is the rule's delay
 * and nothing else, exactly. */
Test(reply_ids, latency_is_the_time_taken_plus_a_rules_delay, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start(false, 0, BRK_CLOCK_VIRTUAL);
    cr_assert_eq(s_latency(mock), 0, "no constant: nothing took time");
    struct th_response r = th_request(mock, "POST", "/_mock/rules", "{\"delayMs\":25,\"times\":1}", NULL);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(s_latency(mock), 25, "the rule's delay");
    r = th_request(mock, "POST", "/model/meta.llama3-8b-instruct-v1%3A0/invoke", "{\"prompt\":\"hi\"}", NULL);
    char header[32];
    th_header(&r, "X-Amzn-Bedrock-Invocation-Latency", header, sizeof(header));
    cr_assert_str_eq(header, "0", "InvokeModel's header says the same");
    th_response_free(&r);
    r = th_request(mock, "POST", "/_mock/rules", "{\"delayMs\":7,\"times\":1}", NULL);
    th_response_free(&r);
    r = th_request(mock, "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", "{\"inputText\":\"hi\"}", NULL);
    th_header(&r, "X-Amzn-Bedrock-Invocation-Latency", header, sizeof(header));
    cr_assert_str_eq(header, "7", "an embedding's too");
    th_response_free(&r);
    brk_mock_stop(mock);
}
