/*
 * Unit tests of the schema validator (mock/validate/schema.c) without a socket: patterns, message
 * forms, ordering, caps and limits. The request corpus over HTTP is test_validate_fixtures.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/mock_priv.h"
#include "mock/validate/schema.h"
#include "mock/pipeline/stages.h"

static const struct mock_shape *s_shape(const char *name)
{
    const struct mock_shape *s = mock_schema_find(name);
    cr_assert_not_null(s, "no shape %s", name);
    return s;
}

static bool s_match(const char *shape, const char *value)
{
    return mock_pattern_match(s_shape(shape)->pattern, value);
}

/* Validate JSON text against a shape; returns the outcome and copies the message. */
static enum mock_schema_outcome s_validate(const char *shape, const char *json, char *msg, size_t len)
{
    cJSON *input = cJSON_Parse(json);
    cr_assert_not_null(input, "bad test JSON %s", json);
    struct brk_buf b;
    brk_buf_init(&b, 64u * 1024u);
    enum mock_schema_outcome out = mock_schema_validate(s_shape(shape), input, &b);
    snprintf(msg, len, "%s", b.data ? b.data : "");
    brk_buf_clean_up(&b);
    cJSON_Delete(input);
    return out;
}

Test(validate, model_id_pattern_accepts_every_documented_form)
{
    const char *ok[] = {
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT1234:1",
        "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint",
        "my_model-1"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_expect(s_match("ConversationalModelId", ok[i]), "%s", ok[i]);
        cr_expect(s_match("InvokeModelIdentifier", ok[i]), "%s", ok[i]);
    }
    cr_expect_not(s_match("ConversationalModelId", "bad model id"));
    cr_expect_not(s_match("ConversationalModelId", "model/with/slash"));
    cr_expect_not(s_match("InvokeModelIdentifier", "a b"));
}

/* Answers of the long POSIX patterns are remembered (schema.c): a remembered answer must be the
 * right one for that exact value and pattern, whatever was asked in between. */
Test(validate, remembered_pattern_answers_stay_exact)
{
    char value[64];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) { /* more values than the memo has slots */
            bool good = i % 2 == 0;
            snprintf(value, sizeof(value), good ? "vendor.model-%d-v1:0" : "bad model %d", i);
            cr_assert_eq(s_match("ConversationalModelId", value), good, "%s (round %d)", value, round);
            cr_assert_eq(s_match("InvokeModelIdentifier", value), good, "%s (round %d)", value, round);
        }
    }
    cr_expect(s_match("GuardrailVersion", "DRAFT"));
    cr_expect_not(s_match("GuardrailVersion", "DRAFT "), "a value one byte longer is another value");
    char longer[400];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    cr_expect(s_match("ConversationalModelId", longer), "values too long to remember are still matched");
    longer[100] = ' ';
    cr_expect_not(s_match("ConversationalModelId", longer));
}

Test(validate, guardrail_patterns_are_full_matches)
{
    cr_expect(s_match("GuardrailIdentifier", ""));
    cr_expect(s_match("GuardrailIdentifier", "abc123"));
    cr_expect(s_match("GuardrailIdentifier", "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123"));
    cr_expect_not(s_match("GuardrailIdentifier", "ABC"));
    cr_expect_not(s_match("GuardrailIdentifier", "abc-123"));
    cr_expect(s_match("GuardrailVersion", "DRAFT"));
    cr_expect(s_match("GuardrailVersion", "99999999"));
    cr_expect_not(s_match("GuardrailVersion", "0"));
    cr_expect_not(s_match("GuardrailVersion", "123456789"));
    cr_expect_not(s_match("GuardrailVersion", "draft"));
}

Test(validate, simple_class_patterns_count_repetitions)
{
    cr_expect(s_match("ToolName", "get_weather-2"));
    cr_expect_not(s_match("ToolName", ""));
    cr_expect_not(s_match("ToolName", "get weather"));
    cr_expect(s_match("ToolUseId", "call.2:b_x-1"));
    cr_expect_not(s_match("ToolUseId", "call/2"));
    cr_expect(s_match("AccountId", "123456789012"));
    cr_expect_not(s_match("AccountId", "12345678901"));
    cr_expect_not(s_match("AccountId", "1234567890123"));
    cr_expect(s_match("S3Uri", "s3://my-bucket/key/part.png"));
    cr_expect_not(s_match("S3Uri", "https://my-bucket/key"));
    cr_expect(s_match("RequestMetadataValueString", ""));
    cr_expect(s_match("RequestMetadataKeyString", "team id:a-1"));
    cr_expect_not(s_match("RequestMetadataKeyString", "bad!key"));
}

Test(validate, valid_input_passes_with_an_empty_message)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_OK);
    cr_assert_str_eq(msg, "");
}

Test(validate, missing_required_member_reads_value_null)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest", "{\"messages\":[]}", msg, sizeof(msg)), MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg, "1 validation error detected: Value null at 'modelId' failed to satisfy constraint: "
                          "Member must not be null");
}

Test(validate, json_null_counts_as_absent)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"toolConfig\":null,\"system\":null}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_OK);
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":null}", msg, sizeof(msg)), MOCK_SCHEMA_VALIDATION);
}

Test(validate, sensitive_values_are_not_quoted)
{
    char msg[4096];
    /* ImageSource is sensitive: an empty blob is reported without its value. */
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":"
                            "\"png\",\"source\":{\"bytes\":\"\"}}}]}]}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg, "1 validation error detected: Value at 'messages.1.member.content.1.member.image.source."
                          "bytes' failed to satisfy constraint: Member must have length greater than or equal to 1");
}

Test(validate, map_values_report_their_constraints_on_the_map)
{
    char msg[4096];
    char json[1024];
    char big[300];
    memset(big, 'v', 257);
    big[257] = '\0';
    snprintf(json, sizeof(json), "{\"modelId\":\"m.x\",\"requestMetadata\":{\"k\":\"%s\"}}", big);
    cr_assert_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg,
                     "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Map "
                     "value must satisfy constraint: [Member must have length less than or equal to 256, Member must "
                     "satisfy regular expression pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}]");
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"requestMetadata\":{}}", msg, sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg, "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: "
                          "Member must have length greater than or equal to 1");
}

Test(validate, floats_print_like_java_and_bounds_like_the_model)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"inferenceConfig\":{\"topP\":1.25}}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert(strstr(msg, "Value '1.25' at 'inferenceConfig.topP'") != NULL, "%s", msg);
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"inferenceConfig\":{\"temperature\":-2}}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert(strstr(msg, "Value '-2.0' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must "
                          "have value greater than or equal to 0") != NULL,
              "%s", msg);
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"inferenceConfig\":{\"temperature\":1}}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_OK);
}

Test(validate, wrong_type_wins_over_constraint_violations)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"\",\"inferenceConfig\":{\"maxTokens\":false}}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_SERIALIZATION);
    cr_assert_str_eq(msg, "FALSE_VALUE can not be converted to an Integer");
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":"
                            "\"a\",\"strict\":\"yes\",\"inputSchema\":{\"json\":{}}}}]}}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_SERIALIZATION);
    cr_assert_str_eq(msg, "STRING_VALUE can not be converted to an Boolean");
}

Test(validate, documents_accept_any_json)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"additionalModelRequestFields\":[1,\"a\",{\"b\":[null,true]}]}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_OK);
}

#define S_IMAGE_FMT                                                                                      \
    "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":\"png\"," \
    "\"source\":{\"bytes\":\"%s\"}}}]}]}"

Test(validate, base64_follows_javas_basic_decoder)
{
    char msg[4096];
    const char *ok[] = {"QQ==", "QQ", "QUJD", "QUI=", "QUI"};
    const char *bad[] = {"Q", "QQ=", "Q===", "QU JD", "QUJD\n", "QQ==QQ==", "*A=="};
    char json[512];
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(json, sizeof(json), S_IMAGE_FMT, ok[i]);
        cr_expect_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), MOCK_SCHEMA_OK, "%s: %s", ok[i], msg);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(json, sizeof(json), S_IMAGE_FMT, bad[i]);
        cr_expect_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), MOCK_SCHEMA_SERIALIZATION, "%s", bad[i]);
    }
}

Test(validate, lengths_count_utf16_units_like_java)
{
    char msg[4096];
    /* 64 characters, each U+1F600 (two UTF-16 units): 128 units, over ToolName's max 64 -- and
     * outside its pattern; one 4-byte emoji is length 2. */
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"inferenceConfig\":{\"stopSequences\":[\"\xF0\x9F\x98\x80\"]}}", msg,
                            sizeof(msg)),
                 MOCK_SCHEMA_OK);
    cr_assert_eq(s_validate("ConverseRequest", "{\"modelId\":\"m.x\",\"additionalModelResponseFieldPaths\":[\"\"]}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert(strstr(msg, "Value '' at 'additionalModelResponseFieldPaths.1.member'") != NULL, "%s", msg);
}

/* A string of `units` UTF-16 units: `offset` ASCII bytes, then 4-byte, 2-byte and 3-byte
 * sequences, lone continuation bytes (no unit: the count is of the bytes that start one), and
 * ASCII to fill. */
static void s_units_string(char *out, size_t offset, size_t units)
{
    size_t n = 0, o = 0;
    for (; o < offset; o++, n++) {
        out[o] = 'a';
    }
    for (int i = 0; i < 5; i++) {
        memcpy(out + o,
               "\xF0\x9F\x98\x80"
               "\xC3\xA9"
               "\xE4\xB8\xAD"
               "\x80\x80",
               11);
        o += 11;
        n += 4; /* 2 + 1 + 1 + 0 */
    }
    for (; n < units; n++) {
        out[o++] = 'x';
    }
    out[o] = '\0';
}

Test(validate, utf16_lengths_count_each_kind_of_sequence)
{
    char msg[4096], text[600], json[1024];
    for (size_t offset = 0; offset < 9; offset++) {
        s_units_string(text, offset, 256); /* the bound of additionalModelResponseFieldPaths items */
        snprintf(json, sizeof(json), "{\"modelId\":\"m.x\",\"additionalModelResponseFieldPaths\":[\"%s\"]}", text);
        cr_expect_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), MOCK_SCHEMA_OK, "offset %zu: %s", offset,
                     msg);
        s_units_string(text, offset, 257);
        snprintf(json, sizeof(json), "{\"modelId\":\"m.x\",\"additionalModelResponseFieldPaths\":[\"%s\"]}", text);
        cr_expect_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), MOCK_SCHEMA_VALIDATION, "offset %zu",
                     offset);
        cr_expect(strstr(msg, "Member must have length less than or equal to 256") != NULL, "%s", msg);
    }
}

Test(validate, deep_and_large_inputs_are_walked_without_failure)
{
    /* A 900-level document (cJSON's parser limit is 1000) and 5,000 messages: the walk follows
     * the schema, so documents are not descended and lists are iterated, never recursed. */
    struct brk_buf b;
    brk_buf_init(&b, 8u << 20);
    brk_buf_append_str(&b, "{\"modelId\":\"m.x\",\"additionalModelRequestFields\":");
    for (int i = 0; i < 900; i++) {
        brk_buf_append_str(&b, "[");
    }
    for (int i = 0; i < 900; i++) {
        brk_buf_append_str(&b, "]");
    }
    brk_buf_append_str(&b, ",\"messages\":[");
    for (int i = 0; i < 5000; i++) {
        brk_buf_appendf(&b, "%s{\"role\":\"%s\",\"content\":[{\"text\":\"m%d\"}]}", i ? "," : "",
                        i % 2 ? "assistant" : "user", i);
    }
    brk_buf_append_str(&b, "]}");
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest", b.data, msg, sizeof(msg)), MOCK_SCHEMA_OK, "%s", msg);
    brk_buf_clean_up(&b);
}

Test(validate, a_message_longer_than_the_buffer_is_cut_not_overflowed)
{
    cJSON *input = cJSON_Parse("{\"modelId\":\"bad model id\"}");
    struct brk_buf b;
    brk_buf_init(&b, 256);
    cr_assert_eq(mock_schema_validate(s_shape("ConverseRequest"), input, &b), MOCK_SCHEMA_VALIDATION);
    cr_assert_leq(b.len, 256);
    brk_buf_clean_up(&b);
    cJSON_Delete(input);
}

Test(validate, unions_refuse_two_members_and_ignore_unknown_ones)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\","
                            "\"toolResult\":{\"toolUseId\":\"t\",\"content\":[]}}]}]}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg, "1 validation error detected: Value at 'messages.1.member.content.1.member' failed to "
                          "satisfy constraint: Member must have exactly one member set");
    cr_assert_eq(
        s_validate("ConverseRequest",
                   "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"},"
                   "{\"toolResult\":{\"toolUseId\":\"t\",\"content\":[{\"cachePoint\":{\"type\":\"default\"}}]}}]}]}",
                   msg, sizeof(msg)),
        MOCK_SCHEMA_OK, "%s", msg);
}

Test(validate, values_inside_content_blocks_are_not_quoted_but_roles_are)
{
    char msg[4096];
    cr_assert_eq(s_validate("ConverseRequest",
                            "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"bot\",\"content\":[{\"cachePoint\":"
                            "{\"type\":\"x\"}}]}]}",
                            msg, sizeof(msg)),
                 MOCK_SCHEMA_VALIDATION);
    cr_assert_str_eq(msg, "2 validation errors detected: Value 'bot' at 'messages.1.member.role' failed to satisfy "
                          "constraint: Member must satisfy enum value set: [user, assistant, system]; Value at "
                          "'messages.1.member.content.1.member.cachePoint.type' failed to satisfy constraint: Member "
                          "must satisfy enum value set: [default]");
}

Test(validate, invoke_model_body_is_bounded_by_the_models_length)
{
    struct mock_request req;
    mock_request_init(&req);
    req.route.op = BRK_OP_INVOKE_MODEL;
    snprintf(req.route.label[BRK_OP_LABEL_MODEL_ID], MOCK_MAX_LABEL + 1, "anthropic.claude-3-haiku-20240307-v1:0");
    struct mock_response resp;
    mock_response_init(&resp);
    req.body_len = 25000000; /* the length is all the check reads */
    cr_assert(mock_stage_schema(NULL, &req, &resp));
    req.body_len = 25000001;
    cr_assert_not(mock_stage_schema(NULL, &req, &resp));
    cr_assert_eq(resp.status, 400);
    cr_assert_str_eq(resp.error_message, "1 validation error detected: Value at 'body' failed to satisfy constraint: "
                                         "Member must have length less than or equal to 25000000");
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
}

/* A blob is Java's basic base64 (padding optional): the alphabet, then at most two '=' with
 * nothing after them, the padded length a multiple of 4, and never one character past a group.
 * Anything else is "Base64 encoded blob is invalid" (SerializationException). */
Test(validate, blobs_are_base64_with_optional_padding)
{
    static const struct {
        const char *bytes;
        enum mock_schema_outcome want;
    } cases[] = {
        {"QUJD", MOCK_SCHEMA_OK},
        {"QUI=", MOCK_SCHEMA_OK},
        {"QUI", MOCK_SCHEMA_OK},
        {"QQ==", MOCK_SCHEMA_OK},
        {"QQ", MOCK_SCHEMA_OK},
        {"ab+/ab+/", MOCK_SCHEMA_OK},
        {"Q", MOCK_SCHEMA_SERIALIZATION},
        {"QUJDQ", MOCK_SCHEMA_SERIALIZATION},
        {"QQ=", MOCK_SCHEMA_SERIALIZATION},
        {"QQ===", MOCK_SCHEMA_SERIALIZATION},
        {"====", MOCK_SCHEMA_SERIALIZATION},
        {"QQ=A", MOCK_SCHEMA_SERIALIZATION},
        {"QUJ!", MOCK_SCHEMA_SERIALIZATION},
        {"QU D", MOCK_SCHEMA_SERIALIZATION},
        {"QUJD\\n", MOCK_SCHEMA_SERIALIZATION},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json[512], msg[4096];
        snprintf(json, sizeof(json),
                 "{\"modelId\":\"m.x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":"
                 "\"png\",\"source\":{\"bytes\":\"%s\"}}}]}]}",
                 cases[i].bytes);
        cr_assert_eq(s_validate("ConverseRequest", json, msg, sizeof(msg)), cases[i].want, "%s: %s", cases[i].bytes,
                     msg);
        if (cases[i].want == MOCK_SCHEMA_SERIALIZATION) {
            cr_assert_str_eq(msg, "Base64 encoded blob is invalid", "%s", cases[i].bytes);
        }
    }
}
