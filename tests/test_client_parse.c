/*
 * libbedrock's parsers without a network: Converse answers into typed structs (every content
 * block kind, unknown members ignored, malformed answers refused), AWS errors as botocore reads
 * them (client-facts.md §3.6), and the stream accumulator's refusals.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/client.h"

TestSuite(client_parse);

static struct brk_converse_response *s_parse_ok(const char *json)
{
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse_response_parse(json, strlen(json), &resp, &err), BRK_OK, "%s", err.message);
    return resp;
}

Test(client_parse, every_block_kind_usage_metrics_trace_and_performance_config)
{
    const char *json =
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
        "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"hmm\",\"signature\":\"sig==\"}}},"
        "{\"reasoningContent\":{\"redactedContent\":\"cmVkYWN0ZWQ=\"}},"
        "{\"text\":\"Hello\"},"
        "{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\",\"n\":2}}},"
        "{\"citationsContent\":{\"content\":[{\"text\":\"Paris \"},{\"text\":\"is big\"}],"
        "\"citations\":[{\"title\":\"doc\",\"location\":{\"documentChar\":{\"documentIndex\":0,\"start\":1,"
        "\"end\":5}}}]}},"
        "{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"AAAA\"}}},"
        "{\"document\":{\"format\":\"txt\",\"name\":\"d\",\"source\":{\"bytes\":\"AAAA\"}}},"
        "{\"futureBlock\":{\"x\":1}}]}},"
        "\"stopReason\":\"tool_use\",\"unknownTopLevel\":[1,2],"
        "\"usage\":{\"inputTokens\":13,\"outputTokens\":5,\"totalTokens\":1529,\"cacheReadInputTokens\":1504,"
        "\"cacheWriteInputTokens\":7,\"futureBillableTokens\":11},"
        "\"metrics\":{\"latencyMs\":321},\"trace\":{\"guardrail\":{\"x\":true}},"
        "\"performanceConfig\":{\"latency\":\"optimized\"},\"additionalModelResponseFields\":{\"a\":\"b\"}}";
    struct brk_converse_response *r = s_parse_ok(json);
    cr_assert_eq(r->message.n_blocks, 8);
    const struct brk_content_block *b = r->message.blocks;
    cr_assert_eq(b[0].type, BRK_BLOCK_REASONING);
    cr_assert_str_eq(b[0].text, "hmm");
    cr_assert_str_eq(b[0].signature, "sig==");
    cr_assert_eq(b[1].type, BRK_BLOCK_REASONING);
    cr_assert_null(b[1].text);
    cr_assert_str_eq(b[1].redacted_content, "cmVkYWN0ZWQ=");
    cr_assert_eq(b[2].type, BRK_BLOCK_TEXT);
    cr_assert_str_eq(b[2].text, "Hello");
    cr_assert_eq(b[3].type, BRK_BLOCK_TOOL_USE);
    cr_assert_str_eq(b[3].tool_use_id, "tooluse_1");
    cr_assert_str_eq(b[3].tool_name, "get_weather");
    cr_assert_str_eq(b[3].tool_input_json, "{\"city\":\"Paris\",\"n\":2}");
    cr_assert_eq(b[4].type, BRK_BLOCK_CITATIONS);
    cr_assert_str_eq(b[4].text, "Paris is big");
    cr_assert(strstr(b[4].citations_json, "\"documentChar\""));
    cr_assert_eq(b[5].type, BRK_BLOCK_IMAGE);
    cr_assert(strstr(b[5].raw_json, "\"png\""));
    cr_assert_eq(b[6].type, BRK_BLOCK_DOCUMENT);
    cr_assert_eq(b[7].type, BRK_BLOCK_OTHER);
    cr_assert_str_eq(b[7].raw_json, "{\"futureBlock\":{\"x\":1}}");
    cr_assert_str_eq(r->stop_reason, "tool_use");
    cr_assert_eq(r->usage.input_tokens, 13);
    cr_assert_eq(r->usage.output_tokens, 5);
    cr_assert_eq(r->usage.total_tokens, 1529);
    cr_assert_eq(r->usage.cache_read_input_tokens, 1504);
    cr_assert_eq(r->usage.cache_write_input_tokens, 7);
    cr_assert_eq(r->latency_ms, 321);
    cr_assert_str_eq(r->trace_json, "{\"guardrail\":{\"x\":true}}");
    cr_assert_str_eq(r->performance_config_json, "{\"latency\":\"optimized\"}");
    cr_assert_str_eq(r->additional_fields_json, "{\"a\":\"b\"}");
    brk_converse_response_destroy(r);
}

Test(client_parse, absent_optional_parts_are_null_or_zero)
{
    struct brk_converse_response *r =
        s_parse_ok("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"t\","
                   "\"name\":\"n\"}}]}},\"stopReason\":\"end_turn\"}");
    cr_assert_str_eq(r->message.blocks[0].tool_input_json, "{}");
    cr_assert_eq(r->usage.total_tokens, 0);
    cr_assert_eq(r->usage.cache_read_input_tokens, 0);
    cr_assert_null(r->trace_json);
    cr_assert_null(r->performance_config_json);
    brk_converse_response_destroy(r);
}

/* raw_json keeps what the struct has no field for, byte for byte. */
Test(client_parse, the_body_as_received_is_kept_in_raw_json)
{
    static const char body[] =
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hi\"}]}},\"stopReason\":\"end_turn\","
        "\"usage\":{\"inputTokens\":3,\"outputTokens\":1,\"totalTokens\":1844,\"cacheWriteInputTokens\":1840,"
        "\"cacheDetails\":[{\"ttl\":\"5m\",\"inputTokens\":1840}]},\"metrics\":{\"latencyMs\":9}}";
    struct brk_converse_response *r = s_parse_ok(body);
    cr_assert_eq(r->usage.cache_write_input_tokens, 1840);
    cr_assert_str_eq(r->raw_json, body);
    brk_converse_response_destroy(r);
}

Test(client_parse, a_malformed_answer_is_a_bad_response)
{
    const char *bad[] = {"",
                         "not json",
                         "[1,2]",
                         "{}",
                         "{\"output\":{}}",
                         "{\"output\":{\"message\":{\"content\":{}}}}",
                         "{\"output\":{\"message\":{\"content\":[1]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brk_converse_response *resp = (void *)1;
        struct brk_error err;
        cr_assert_eq(brk_converse_response_parse(bad[i], strlen(bad[i]), &resp, &err), BRK_ERR_BAD_RESPONSE, "%s",
                     bad[i]);
        cr_assert_null(resp);
        cr_assert_eq(err.status, BRK_ERR_BAD_RESPONSE);
    }
}

Test(client_parse, error_code_comes_from_the_header_first_trimmed_at_colon_and_hash)
{
    struct brk_error err;
    brk_aws_error_parse(429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", "rid-1",
                        "{\"message\":\"slow down\",\"__type\":\"x#Other\"}", 47, &err);
    cr_assert_eq(err.status, BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "ThrottlingException");
    cr_assert_eq(err.aws, brk_aws_error_get(BRK_AWS_THROTTLING));
    cr_assert_eq(err.http_status, 429);
    cr_assert_str_eq(err.message, "slow down");
    cr_assert_str_eq(err.request_id, "rid-1");
    brk_aws_error_parse(400, "aws.protocoltests#ValidationException:extra", NULL, NULL, 0, &err);
    cr_assert_str_eq(err.code, "ValidationException");
    cr_assert_str_eq(err.message, "");
}

Test(client_parse, without_the_header_code_then_type_then_the_status)
{
    struct brk_error err;
    const char *b1 = "{\"code\":\"ConflictException\",\"__type\":\"ns#ValidationException\",\"Message\":\"big M\"}";
    brk_aws_error_parse(400, "", NULL, b1, strlen(b1), &err);
    cr_assert_str_eq(err.code, "ConflictException");
    cr_assert_str_eq(err.message, "big M", "Message when there is no message");
    const char *b2 = "{\"Code\":\"ConflictException\"}";
    brk_aws_error_parse(400, NULL, NULL, b2, strlen(b2), &err);
    cr_assert_str_eq(err.code, "ConflictException");
    const char *b3 = "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"message\":\"m\"}";
    brk_aws_error_parse(400, NULL, NULL, b3, strlen(b3), &err);
    cr_assert_str_eq(err.code, "SerializationException");
    cr_assert_eq(err.aws, brk_aws_error_get(BRK_AWS_SERIALIZATION));
    brk_aws_error_parse(502, NULL, "r", "<html>bad gateway</html>", 24, &err);
    cr_assert_str_eq(err.code, "502");
    cr_assert_null(err.aws);
    cr_assert_str_eq(err.request_id, "r");
}

Test(client_parse, the_accumulator_refuses_a_block_index_far_past_the_last)
{
    struct brk_stream_accumulator *acc = NULL;
    cr_assert_eq(brk_stream_accumulator_new(&acc), BRK_OK);
    struct brk_stream_event ok = {.type = BRK_EVENT_CONTENT_BLOCK_DELTA,
                                  .content_block_index = 0,
                                  .delta_type = BRK_DELTA_TEXT,
                                  .delta = "hi",
                                  .delta_len = 2};
    cr_assert_eq(brk_stream_accumulator_add(acc, &ok), BRK_OK);
    struct brk_stream_event far = ok;
    far.content_block_index = 1000000;
    cr_assert_eq(brk_stream_accumulator_add(acc, &far), BRK_ERR_BAD_RESPONSE);
    struct brk_converse_response *r = NULL;
    cr_assert_eq(brk_stream_accumulator_finish(acc, &r), BRK_ERR_BAD_RESPONSE, "the failure is kept");
    cr_assert_null(r);
    brk_stream_accumulator_destroy(acc);
}

Test(client_parse, the_accumulator_joins_citations_and_their_text)
{
    struct brk_stream_accumulator *acc = NULL;
    cr_assert_eq(brk_stream_accumulator_new(&acc), BRK_OK);
    const char *cit = "{\"title\":\"doc\",\"location\":{\"documentPage\":{\"start\":1,\"end\":2}}}";
    struct brk_stream_event evs[] = {
        {.type = BRK_EVENT_MESSAGE_START, .role = "assistant", .content_block_index = -1},
        {.type = BRK_EVENT_CONTENT_BLOCK_DELTA, .delta_type = BRK_DELTA_TEXT, .delta = "Paris ", .delta_len = 6},
        {.type = BRK_EVENT_CONTENT_BLOCK_DELTA,
         .delta_type = BRK_DELTA_CITATION,
         .delta = cit,
         .delta_len = strlen(cit)},
        {.type = BRK_EVENT_CONTENT_BLOCK_DELTA, .delta_type = BRK_DELTA_TEXT, .delta = "is big", .delta_len = 6},
        {.type = BRK_EVENT_MESSAGE_STOP, .stop_reason = "end_turn", .content_block_index = -1},
    };
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        cr_assert_eq(brk_stream_accumulator_add(acc, &evs[i]), BRK_OK);
    }
    struct brk_converse_response *r = NULL;
    cr_assert_eq(brk_stream_accumulator_finish(acc, &r), BRK_OK);
    cr_assert_eq(r->message.n_blocks, 1);
    cr_assert_eq(r->message.blocks[0].type, BRK_BLOCK_CITATIONS);
    cr_assert_str_eq(r->message.blocks[0].text, "Paris is big");
    char want[256];
    snprintf(want, sizeof(want), "[%s]", cit);
    cr_assert_str_eq(r->message.blocks[0].citations_json, want);
    cr_assert_str_eq(r->stop_reason, "end_turn");
    brk_converse_response_destroy(r);
    brk_stream_accumulator_destroy(acc);
}

Test(client_parse, a_response_writes_back_as_the_converse_body_it_was_read_from)
{
    const char *json =
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
        "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"hmm\",\"signature\":\"sig==\"}}},"
        "{\"text\":\"Hello\"},"
        "{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}},"
        "{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"AAAA\"}}}]}},"
        "\"stopReason\":\"tool_use\","
        "\"usage\":{\"inputTokens\":13,\"outputTokens\":5,\"totalTokens\":18,\"cacheReadInputTokens\":0,"
        "\"cacheWriteInputTokens\":0},"
        "\"metrics\":{\"latencyMs\":321},\"trace\":{\"guardrail\":{\"x\":true}}}";
    struct brk_converse_response *r = s_parse_ok(json);
    struct brk_buf out;
    brk_buf_init(&out, 1 << 16);
    cr_assert_eq(brk_converse_response_to_json(r, &out), BRK_OK);
    cr_assert_str_eq(out.data, json, "the same members, in the service model's order");
    struct brk_buf tiny;
    brk_buf_init(&tiny, 16);
    cr_assert_eq(brk_converse_response_to_json(r, &tiny), BRK_ERR_TOO_LARGE);
    cr_assert_eq(brk_converse_response_to_json(NULL, &out), BRK_ERR_INVALID_ARG);
    brk_buf_clean_up(&tiny);
    brk_buf_clean_up(&out);
    brk_converse_response_destroy(r);
}
