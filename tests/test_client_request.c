/*
 * Tests of the Converse request builder (client/request*.c, include/bedrock/request.h): the body
 * of a request using every block type against a hand-written golden body, each builder rule with
 * a passing and a refused case, the CountTokens and ConverseStream forms, the mock's verdict on
 * what the builder writes, and every out-of-memory path of a full build.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/request.h"
#include "common/alloc.h"
#include "common/json.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define S_MAX_BODY (1u << 20)

/* ---- helpers ---------------------------------------------------------------------------- */

/* The body of `kind`; fails the test when the builder refuses. Free with free(). */
static char *s_body(const struct brk_request *req, enum brk_request_kind kind)
{
    struct brk_buf out;
    struct brk_error err;
    brk_buf_init(&out, S_MAX_BODY);
    enum brk_status st = brk_request_to_json(req, kind, &out, &err);
    cr_assert_eq(st, BRK_OK, "to_json: %s: %s", brk_status_name(st), err.message);
    char *text = strdup(out.data);
    brk_buf_clean_up(&out);
    return text;
}

/* Assert to_json refuses with BRK_ERR_INVALID_ARG and `message`, and writes nothing. */
static void s_refused_at_json(const struct brk_request *req, enum brk_request_kind kind, const char *message)
{
    struct brk_buf out;
    struct brk_error err;
    brk_buf_init(&out, S_MAX_BODY);
    cr_assert_eq(brk_request_to_json(req, kind, &out, &err), BRK_ERR_INVALID_ARG);
    cr_assert_eq(err.status, BRK_ERR_INVALID_ARG);
    cr_assert_str_eq(err.message, message);
    cr_assert_eq(out.len, 0, "a refused request wrote: %s", out.data);
    brk_buf_clean_up(&out);
}

/* A request for HAIKU with one user message, ready for one more block. */
static struct brk_request *s_user(void)
{
    struct brk_request *req = brk_request_new(HAIKU);
    cr_assert_not_null(req);
    cr_assert_eq(brk_request_message(req, BRK_ROLE_USER), BRK_OK);
    return req;
}

/* Assert `st` is a refusal with `message`, that the request keeps it, and that to_json returns it. */
static void s_expect_refusal(struct brk_request *req, enum brk_status st, const char *message)
{
    cr_assert_eq(st, BRK_ERR_INVALID_ARG, "accepted; expected: %s", message);
    cr_assert_str_eq(brk_request_error(req)->message, message);
    s_refused_at_json(req, BRK_REQUEST_CONVERSE, message);
}

/* Assert the body of `req` equals `expected` (compact JSON). */
static void s_expect_body(const struct brk_request *req, const char *expected)
{
    char *body = s_body(req, BRK_REQUEST_CONVERSE);
    cr_assert_str_eq(body, expected);
    free(body);
}

/* ---- the full request ------------------------------------------------------------------------- */

static const char *const s_chunks[] = {"a", "b"};
static const char *const s_result_text[] = {"result text"};
static const char *const s_sunny[] = {"sunny"};
static const char *const s_cited[] = {"Paris is in France."};
static const char *const s_source_text[] = {"Paris, France"};

static void s_first_message(struct brk_request *req)
{
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_text(req, "Look at these.");
    brk_request_image_bytes(req, "png", "\x89PNG", 4);
    brk_request_image_s3(req, "jpeg", "s3://my-bucket/cat.jpg", "123456789012");
    brk_request_document_bytes(req, "pdf", "Report (2024)", "%PDF", 4);
    brk_request_document_text(req, "txt", "Notes", "plain notes");
    brk_request_citations_config(req, true); /* before the context: the model's order still holds */
    brk_request_document_context(req, "meeting");
    brk_request_document_content(req, "md", "Chunks", s_chunks, 2);
    brk_request_document_s3(req, NULL, "Spec", "s3://docs-bucket/spec.pdf", NULL);
    brk_request_video_s3(req, "mp4", "s3://media-bucket/clip.mp4", NULL);
    brk_request_video_bytes(req, "webm", "\x1a\x45\xdf\xa3", 4);
    brk_request_audio_bytes(req, "wav", "RIFF", 4);
    brk_request_search_result(req, "https://example.com", "Example", s_result_text, 1);
    brk_request_citations_config(req, true);
    brk_request_guard_text(req, "Is this allowed?", BRK_GUARD_QUERY | BRK_GUARD_GROUNDING_SOURCE);
    brk_request_guard_image(req, "jpeg", "\xff\xd8\xff", 3);
    brk_request_cache_point(req, "1h");
}

static void s_second_message(struct brk_request *req)
{
    static const struct brk_citation citations[] = {
        {"Notes", "notes.txt", s_source_text, 1, BRK_CITATION_LOCATION_DOCUMENT_CHAR, NULL, NULL, 0, 0, 13},
        {NULL, NULL, NULL, 0, BRK_CITATION_LOCATION_WEB, "https://example.com/paris", "example.com", -1, -1, -1},
        {"Search", NULL, NULL, 0, BRK_CITATION_LOCATION_SEARCH_RESULT, NULL, NULL, 1, 2, -1},
    };
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    brk_request_reasoning(req, "The user wants the weather.", "c2lnbmF0dXJl");
    brk_request_reasoning_redacted(req, "\x00\x01\x02", 3);
    brk_request_text(req, "Calling the tool.");
    brk_request_tool_use(req, "tooluse_1", "get_weather", "{\"city\": \"Paris\"}");
    brk_request_tool_use(req, "tooluse_2", "no-args_2", "{}");
    brk_request_citations_content(req, s_cited, 1, citations, 3);
}

static void s_third_message(struct brk_request *req)
{
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_tool_result(req, "tooluse_1", "success");
    brk_request_text(req, "18 C");
    brk_request_tool_result_json(req, "{\"temp\": 18, \"unit\": \"C\"}");
    brk_request_image_bytes(req, "gif", "\x89PNG\r\n", 6);
    brk_request_document_text(req, "csv", "Readings", "t,18");
    brk_request_video_s3(req, "mov", "s3://media-bucket/sky.mov", "210987654321");
    brk_request_search_result(req, "weather-db", "Paris today", s_sunny, 1);
    brk_request_tool_result(req, "tooluse_2", "error"); /* closes the first */
    brk_request_text(req, "timeout");
    brk_request_tool_result_end(req);
    brk_request_text(req, "Thanks.");
    brk_request_cache_point(req, NULL);
}

static void s_configure(struct brk_request *req)
{
    brk_request_system_text(req, "You are terse.");
    brk_request_system_guard_text(req, "Policy text", BRK_GUARD_CONTENT);
    brk_request_system_guard_image(req, "png", "\x89PNG", 4);
    brk_request_system_cache_point(req, "1h");
    brk_request_tool_choice(req, BRK_TOOL_CHOICE_TOOL, "get_weather"); /* before its tool: checked at the end */
    brk_request_tool(req, "get_weather", "Weather of a city",
                     "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    brk_request_tool_strict(req, true);
    brk_request_tool(req, "no-args_2", NULL, "{}");
    brk_request_system_tool(req, "nova_grounding");
    brk_request_tools_cache_point(req, "1h");
    brk_request_temperature(req, 0.5); /* set out of the model's order on purpose */
    brk_request_max_tokens(req, 512);
    brk_request_stop_sequence(req, "END");
    brk_request_top_p(req, 0.9);
    brk_request_stop_sequence(req, "STOP");
    brk_request_guardrail(req, "abc123", "1", "enabled");
    brk_request_additional_fields(req,
                                  "{\"top_k\": 5, \"thinking\": {\"type\": \"enabled\", \"budget_tokens\": 1024}}");
    brk_request_prompt_variable(req, "city", "Paris");
    brk_request_response_field_path(req, "/stop_sequence");
    brk_request_response_field_path(req, "/amazon-bedrock-invocationMetrics");
    brk_request_metadata(req, "project", "demo run");
    brk_request_metadata(req, "team:id", "a-1");
    brk_request_performance_latency(req, "standard");
    brk_request_service_tier(req, "flex");
    brk_request_output_effort(req, "high"); /* before textFormat on purpose */
    brk_request_output_json_schema(req, "{\"type\":\"object\"}", "answer", "The answer");
}

/* The full request of the golden body; NULL when the build ran out of memory. */
static struct brk_request *s_full(void)
{
    struct brk_request *req = brk_request_new("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    if (!req) {
        return NULL;
    }
    s_configure(req);
    s_first_message(req);
    s_second_message(req);
    s_third_message(req);
    return req;
}

/* The golden body, compact, in the file's member order. */
static char *s_golden(void)
{
    char *text = th_read_source_file("fixtures/client/converse_every_block.json", NULL);
    cr_assert_not_null(text, "fixtures/client/converse_every_block.json is missing");
    cJSON *json = cJSON_Parse(text);
    cr_assert_not_null(json);
    cJSON_DeleteItemFromObjectCaseSensitive(json, "_comment");
    char *compact = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    free(text);
    return compact;
}

Test(request, the_full_request_is_the_hand_written_golden_body)
{
    struct brk_request *req = s_full();
    cr_assert_eq(brk_request_error(req)->status, BRK_OK, "%s", brk_request_error(req)->message);
    char *body = s_body(req, BRK_REQUEST_CONVERSE);
    char *golden = s_golden();
    cr_assert_str_eq(body, golden);
    cr_assert_str_eq(brk_request_model_id(req), "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    free(golden);
    free(body);
    brk_request_destroy(req);
}

Test(request, count_tokens_wraps_the_members_countTokens_carries)
{
    struct brk_request *req = s_full();
    char *body = s_body(req, BRK_REQUEST_COUNT_TOKENS);
    cJSON *json = cJSON_Parse(body);
    cJSON *converse = cJSON_GetObjectItem(cJSON_GetObjectItem(json, "input"), "converse");
    cr_assert_not_null(converse, "%s", body);
    cr_assert_eq(cJSON_GetArraySize(json), 1);
    cr_assert_eq(cJSON_GetArraySize(converse), 4, "%s", body);
    const char *kept[] = {"messages", "system", "toolConfig", "additionalModelRequestFields"};
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(cJSON_GetArrayItem(converse, i)->string, kept[i]);
    }
    char *converse_body = s_body(req, BRK_REQUEST_CONVERSE);
    cJSON *full = cJSON_Parse(converse_body);
    cr_assert(cJSON_Compare(cJSON_GetObjectItem(full, "messages"), cJSON_GetObjectItem(converse, "messages"), 1));
    cJSON_Delete(full);
    cJSON_Delete(json);
    free(converse_body);
    free(body);
    brk_request_destroy(req);
}

Test(request, an_unset_request_member_is_omitted)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "hi");
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}");
    char *count = s_body(req, BRK_REQUEST_COUNT_TOKENS);
    cr_assert_str_eq(count,
                     "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}}}");
    free(count);
    brk_request_destroy(req);
}

Test(request, to_json_appends_and_keeps_the_buffer_on_failure)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "hello there");
    struct brk_buf out;
    brk_buf_init(&out, 20);
    brk_buf_append_str(&out, "x");
    struct brk_error err;
    cr_assert_eq(brk_request_to_json(req, BRK_REQUEST_CONVERSE, &out, &err), BRK_ERR_TOO_LARGE);
    cr_assert_str_eq(out.data, "x");
    out.max_len = 1024;
    cr_assert_eq(brk_request_to_json(req, BRK_REQUEST_CONVERSE, &out, &err), BRK_OK);
    cr_assert(strncmp(out.data, "x{\"messages\"", 12) == 0, "%s", out.data);
    brk_buf_clean_up(&out);
    brk_request_destroy(req);
}

/* ---- ConverseStream's guardrail mode ------------------------------------------------------------ */

Test(request, stream_processing_mode_is_sent_with_converse_stream_only)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "hi");
    brk_request_guardrail_stream_mode(req, "async");
    cr_assert_eq(brk_request_guardrail(req, "abc123", "DRAFT", NULL), BRK_OK);
    char *body = s_body(req, BRK_REQUEST_CONVERSE_STREAM);
    cr_assert(strstr(body, "\"guardrailConfig\":{\"guardrailIdentifier\":\"abc123\",\"guardrailVersion\":\"DRAFT\","
                           "\"streamProcessingMode\":\"async\"}"),
              "%s", body);
    free(body);
    s_refused_at_json(req, BRK_REQUEST_CONVERSE,
                      "Parameter validation failed:\nUnknown parameter in guardrailConfig: \"streamProcessingMode\", "
                      "must be one of: guardrailIdentifier, guardrailVersion, trace");
    brk_request_destroy(req);
}

Test(request, an_unknown_stream_processing_mode_is_refused)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_guardrail_stream_mode(req, "later"),
                     "1 validation error detected: Value 'later' at 'guardrailConfig.streamProcessingMode' failed to "
                     "satisfy constraint: Member must satisfy enum value set: [sync, async]");
    brk_request_destroy(req);
}

/* ---- the mock's verdict ---------------------------------------------------------------------- */

static struct brk_mock *s_mock;

static void s_mock_setup(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.auth_mode = BRK_MOCK_AUTH_NONE;
    char models[1024];
    th_source_path("fixtures/client/every_block_models.json", models, sizeof(models));
    cfg.models_path = models;
    s_mock = th_mock_start(&cfg);
}

static void s_mock_teardown(void)
{
    brk_mock_stop(s_mock);
}

/* POST the builder's body of `kind` for `req` and return the answer's status (message in `msg`). */
static long s_send_to(const struct brk_request *req, const char *model_id, enum brk_request_kind kind, char *msg,
                      size_t msg_len)
{
    char *body = s_body(req, kind);
    char enc[512], path[600];
    th_encode_label(model_id, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/%s", enc,
             kind == BRK_REQUEST_COUNT_TOKENS ? "count-tokens"
             : kind == BRK_REQUEST_CONVERSE   ? "converse"
                                              : "converse-stream");
    struct th_response r = th_request(s_mock, "POST", path, body, NULL);
    snprintf(msg, msg_len, "%s", th_message(&r));
    long status = r.status;
    th_response_free(&r);
    free(body);
    return status;
}

static long s_send(const struct brk_request *req, enum brk_request_kind kind, char *msg, size_t msg_len)
{
    return s_send_to(req, brk_request_model_id(req), kind, msg, msg_len);
}

TestSuite(request_mock, .init = s_mock_setup, .fini = s_mock_teardown, .timeout = TH_SUITE_TIMEOUT_S);

Test(request_mock, the_full_request_is_accepted_by_converse_and_count_tokens)
{
    struct brk_request *req = s_full();
    char msg[1024];
    cr_assert_eq(s_send(req, BRK_REQUEST_CONVERSE, msg, sizeof(msg)), 200, "%s", msg);
    /* CountTokens takes the base id, never a profile (model-families.md section 5). */
    cr_assert_eq(s_send_to(req, "anthropic.claude-sonnet-4-5-20250929-v1:0", BRK_REQUEST_COUNT_TOKENS, msg,
                           sizeof(msg)),
                 200, "%s", msg);
    cr_assert_eq(s_send(req, BRK_REQUEST_CONVERSE_STREAM, msg, sizeof(msg)), 200, "%s", msg);
    brk_request_destroy(req);
}

/* ---- refusals: order and structure ----------------------------------------------------------------- */

#define VE "1 validation error detected: "

Test(request, a_model_id_must_have_1_to_2048_characters)
{
    struct brk_request *ok = brk_request_new("x");
    cr_assert_eq(brk_request_error(ok)->status, BRK_OK);
    brk_request_destroy(ok);
    struct brk_request *req = brk_request_new("");
    cr_assert_not_null(req);
    cr_assert_eq(brk_request_message(req, BRK_ROLE_USER), BRK_ERR_INVALID_ARG, "the error is sticky");
    s_refused_at_json(
        req, BRK_REQUEST_CONVERSE,
        VE "Value '' at 'modelId' failed to satisfy constraint: Member must have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, count_tokens_needs_a_foundation_model_version_identifier)
{
    struct brk_request *req = brk_request_new("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.m-1:0");
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_text(req, "hi");
    free(s_body(req, BRK_REQUEST_COUNT_TOKENS));
    brk_request_destroy(req);
    req = brk_request_new("my model");
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_text(req, "hi");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    s_refused_at_json(req, BRK_REQUEST_COUNT_TOKENS,
                      VE "Value 'my model' at 'modelId' failed to satisfy constraint: Member must satisfy regular "
                         "expression pattern: [a-zA-Z_\\.\\-/0-9:]+");
    brk_request_destroy(req);
}

Test(request, a_block_needs_a_message_first)
{
    struct brk_request *req = brk_request_new(HAIKU);
    s_expect_refusal(req, brk_request_text(req, "hi"),
                     "brk_request_text: no message to add the text block to: call brk_request_message first");
    brk_request_destroy(req);
    req = s_user();
    cr_assert_eq(brk_request_text(req, "hi"), BRK_OK);
    brk_request_destroy(req);
}

Test(request, the_request_needs_a_message_unless_the_model_is_a_prompt)
{
    struct brk_request *req = brk_request_new(HAIKU);
    brk_request_system_text(req, "sys");
    s_refused_at_json(req, BRK_REQUEST_CONVERSE, "the request has no messages: add one with brk_request_message");
    brk_request_destroy(req);
    req = brk_request_new("arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT1234:1");
    brk_request_prompt_variable(req, "city", "Paris");
    s_expect_body(req, "{\"promptVariables\":{\"city\":{\"text\":\"Paris\"}}}");
    brk_request_destroy(req);
}

Test(request, a_conversation_starts_with_the_user_and_alternates)
{
    struct brk_request *req = brk_request_new(HAIKU);
    s_expect_refusal(req, brk_request_message(req, BRK_ROLE_ASSISTANT),
                     "A conversation must start with a user message. Try again with a conversation that starts with a "
                     "user message.");
    brk_request_destroy(req);
    req = s_user();
    brk_request_text(req, "q");
    cr_assert_eq(brk_request_message(req, BRK_ROLE_ASSISTANT), BRK_OK);
    brk_request_text(req, "a");
    s_expect_refusal(req, brk_request_message(req, BRK_ROLE_ASSISTANT),
                     "A conversation must alternate between user and assistant roles. Make sure the conversation "
                     "alternates between user and assistant roles and try again.");
    brk_request_destroy(req);
    req = brk_request_new(HAIKU);
    s_expect_refusal(req, brk_request_message(req, (enum brk_role)7), "brk_request_message: unknown role 7");
    brk_request_destroy(req);
}

Test(request, a_message_needs_content)
{
    struct brk_request *req = s_user();
    s_refused_at_json(
        req, BRK_REQUEST_CONVERSE,
        "The content field in the Message object at messages.0 is empty. Add a ContentBlock object to the "
        "content field and try again.");
    brk_request_text(req, "now");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    brk_request_destroy(req);
}

Test(request, errors_are_sticky_and_later_calls_change_nothing)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_max_tokens(req, 0), BRK_ERR_INVALID_ARG);
    const char *first = VE "Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have "
                           "value greater than or equal to 1";
    cr_assert_eq(brk_request_text(req, "fine"), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_request_temperature(req, 7), BRK_ERR_INVALID_ARG);
    cr_assert_str_eq(brk_request_error(req)->message, first);
    s_refused_at_json(req, BRK_REQUEST_CONVERSE, first);
    brk_request_destroy(req);
}

Test(request, null_arguments_are_refused_by_name)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_text(req, NULL), "brk_request_text: text is NULL");
    brk_request_destroy(req);
    cr_assert_eq(brk_request_text(NULL, "x"), BRK_ERR_INVALID_ARG);
    cr_assert_null(brk_request_model_id(NULL));
    brk_request_destroy(NULL);
    struct brk_error err;
    cr_assert_eq(brk_request_to_json(NULL, BRK_REQUEST_CONVERSE, NULL, &err), BRK_ERR_INVALID_ARG);
    cr_assert_str_eq(err.message, "brk_request_to_json: req is NULL");
}

/* ---- refusals: text, media and documents -------------------------------------------------------------- */

Test(request, text_must_not_be_blank)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_text(req, " x "), BRK_OK);
    s_expect_refusal(req, brk_request_text(req, ""),
                     "The text field in the ContentBlock object at messages.0.content.1 is blank. Add text to the text "
                     "field, and try again.");
    brk_request_destroy(req);
    req = s_user();
    cr_assert_eq(brk_request_text(req, " x "), BRK_OK);
    cr_assert_eq(brk_request_text(req, " \t\n"), BRK_OK, "whitespace is judged once the next block is known");
    s_refused_at_json(req, BRK_REQUEST_CONVERSE,
                      "The text field in the ContentBlock object at messages.0.content.1 is blank. Add text to the "
                      "text field, and try again.");
    brk_request_destroy(req);
}

Test(request, whitespace_text_carrying_a_cache_point_is_not_blank)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_text(req, "read this"), BRK_OK);
    cr_assert_eq(brk_request_document_text(req, "txt", "notes", "some notes"), BRK_OK);
    cr_assert_eq(brk_request_text(req, "\n"), BRK_OK);
    cr_assert_eq(brk_request_cache_point(req, NULL), BRK_OK);
    cr_assert_eq(brk_request_text(req, "and answer"), BRK_OK);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"read this\"},{\"document\":"
                       "{\"format\":\"txt\",\"name\":\"notes\",\"source\":{\"text\":\"some notes\"}}},"
                       "{\"text\":\"\\n\"},{\"cachePoint\":{\"type\":\"default\"}},{\"text\":\"and answer\"}]}]}");
    brk_request_destroy(req);
}

Test(request, system_text_must_not_be_empty)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_system_text(req, "be brief"), BRK_OK);
    s_expect_refusal(req, brk_request_system_text(req, ""),
                     VE "Value at 'system.2.member.text' failed to satisfy constraint: Member must have length greater "
                        "than or equal to 1");
    brk_request_destroy(req);
}

Test(request, an_image_format_must_be_one_of_the_models)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_image_bytes(req, "webp", "x", 1), BRK_OK);
    s_expect_refusal(req, brk_request_image_bytes(req, "bmp", "x", 1),
                     VE
                     "Value at 'messages.1.member.content.2.member.image.format' failed to satisfy constraint: Member "
                     "must satisfy enum value set: [png, jpeg, gif, webp]");
    brk_request_destroy(req);
}

Test(request, image_bytes_must_not_be_empty)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_image_bytes(req, "png", "", 0),
                     VE
                     "Value at 'messages.1.member.content.1.member.image.source.bytes' failed to satisfy constraint: "
                     "Member must have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, an_s3_location_needs_an_s3_uri_and_a_12_digit_owner)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_image_s3(req, "png", "s3://ab.c-d/k/e y.png", "000000000000"), BRK_OK);
    s_expect_refusal(req, brk_request_image_s3(req, "png", "https://ab/k.png", NULL),
                     VE "Value at 'messages.1.member.content.2.member.image.source.s3Location.uri' failed to satisfy "
                        "constraint: Member must satisfy regular expression pattern: "
                        "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_video_s3(req, "mp4", "s3://bucket/v.mp4", "12345"),
                     VE "Value at 'messages.1.member.content.1.member.video.source.s3Location.bucketOwner' failed to "
                        "satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}");
    brk_request_destroy(req);
}

Test(request, images_and_documents_go_in_user_messages_only)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    cr_assert_eq(brk_request_video_bytes(req, "mp4", "v", 1), BRK_OK, "video has no such rule");
    s_expect_refusal(req, brk_request_image_bytes(req, "png", "x", 1),
                     "The image field in the ContentBlock object at messages.1.content.1 is only supported in user "
                     "messages. Remove it, or move it to a user message, and try again.");
    brk_request_destroy(req);
}

Test(request, a_message_holds_at_most_20_images_and_5_documents)
{
    struct brk_request *req = s_user();
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(brk_request_image_bytes(req, "png", "x", 1), BRK_OK);
    }
    s_expect_refusal(req, brk_request_image_bytes(req, "png", "x", 1),
                     "The Message object at messages.0 has more than 20 images. Reduce the number of images and try "
                     "again.");
    brk_request_destroy(req);
    req = s_user();
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(brk_request_document_text(req, "txt", "Doc", "d"), BRK_OK);
    }
    s_expect_refusal(req, brk_request_document_text(req, "txt", "Doc", "d"),
                     "The Message object at messages.0 has more than 5 documents. Reduce the number of documents and "
                     "try again.");
    brk_request_destroy(req);
}

Test(request, a_document_format_must_be_one_of_the_models)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_document_text(req, "md", "Doc", "d"), BRK_OK);
    s_expect_refusal(req, brk_request_document_text(req, "rtf", "Doc", "d"),
                     VE "Value at 'messages.1.member.content.2.member.document.format' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [pdf, csv, doc, docx, xls, xlsx, html, txt, md]");
    brk_request_destroy(req);
}

Test(request, a_document_name_follows_bedrocks_rule)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_document_text(req, NULL, "Q3 report (final) [v2]_x-y", "d"), BRK_OK);
    s_expect_refusal(req, brk_request_document_text(req, NULL, "report.pdf", "d"),
                     "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, "
                     "parentheses, and square brackets. The name can't contain more than one consecutive whitespace "
                     "character. Check that the file name conforms to these restrictions and retry your request.");
    brk_request_destroy(req);
    req = s_user();
    cr_assert_eq(brk_request_document_text(req, NULL, "two  spaces", "d"), BRK_ERR_INVALID_ARG);
    brk_request_destroy(req);
    char long_name[202];
    memset(long_name, 'a', 201);
    long_name[201] = '\0';
    req = s_user();
    s_expect_refusal(req, brk_request_document_bytes(req, "pdf", long_name, "x", 1),
                     VE "Value at 'messages.1.member.content.1.member.document.name' failed to satisfy constraint: "
                        "Member must have length less than or equal to 200");
    brk_request_destroy(req);
}

Test(request, a_document_needs_a_text_block_in_its_message)
{
    struct brk_request *req = s_user();
    brk_request_document_s3(req, "pdf", "Spec", "s3://bucket/spec.pdf", NULL);
    s_refused_at_json(req, BRK_REQUEST_CONVERSE, "A text block must be included when using documents.");
    brk_request_text(req, "Summarise");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    brk_request_destroy(req);
}

Test(request, document_modifiers_need_a_document)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_document_context(req, "ctx"),
                     "brk_request_document_context: no document in the current message");
    brk_request_destroy(req);
    req = s_user();
    brk_request_search_result(req, "src", "title", s_sunny, 1);
    cr_assert_eq(brk_request_citations_config(req, false), BRK_OK);
    s_expect_refusal(req, brk_request_document_context(req, "ctx"),
                     "brk_request_document_context: no document in the current message");
    brk_request_destroy(req);
}

Test(request, video_and_audio_formats_must_be_the_models)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_video_bytes(req, "three_gp", "v", 1), BRK_OK);
    cr_assert_eq(brk_request_audio_s3(req, "x-aac", "s3://bucket/a.aac", NULL), BRK_OK);
    s_expect_refusal(req, brk_request_audio_bytes(req, "midi", "a", 1),
                     VE
                     "Value at 'messages.1.member.content.3.member.audio.format' failed to satisfy constraint: "
                     "Member must satisfy enum value set: [mp3, opus, wav, aac, flac, mp4, ogg, mkv, mka, x-aac, m4a, "
                     "mpeg, mpga, pcm, webm]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_video_s3(req, "avi", "s3://bucket/v.avi", NULL),
                     VE "Value at 'messages.1.member.content.1.member.video.format' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [mkv, mov, mp4, webm, flv, mpeg, mpg, wmv, three_gp]");
    brk_request_destroy(req);
}

Test(request, a_cache_point_ttl_is_5m_or_1h)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "x");
    cr_assert_eq(brk_request_cache_point(req, "5m"), BRK_OK);
    s_expect_refusal(req, brk_request_cache_point(req, "10m"),
                     VE "Value at 'messages.1.member.content.3.member.cachePoint.ttl' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [5m, 1h]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_system_cache_point(req, "1d"),
                     VE "Value at 'system.1.member.cachePoint.ttl' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [5m, 1h]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_tools_cache_point(req, "2h"),
                     VE "Value '2h' at 'toolConfig.tools.1.member.cachePoint.ttl' failed to satisfy constraint: Member "
                        "must satisfy enum value set: [5m, 1h]");
    brk_request_destroy(req);
}

Test(request, guard_content_takes_known_qualifiers_and_png_or_jpeg)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_guard_text(req, "g", 0), BRK_OK);
    s_expect_body(req,
                  "{\"messages\":[{\"role\":\"user\",\"content\":[{\"guardContent\":{\"text\":{\"text\":\"g\"}}}]}]}");
    s_expect_refusal(req, brk_request_guard_text(req, "g", 8), "brk_request_guard_text: unknown qualifier bits 0x8");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_guard_image(req, "gif", "x", 1),
                     VE "Value at 'messages.1.member.content.1.member.guardContent.image.format' failed to satisfy "
                        "constraint: Member must satisfy enum value set: [png, jpeg]");
    brk_request_destroy(req);
}

Test(request, a_citation_location_must_be_known)
{
    struct brk_citation bad = {0};
    bad.location = (enum brk_citation_location)42;
    struct brk_citation none = {0};
    none.index = none.start = none.end = -1;
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    cr_assert_eq(brk_request_citations_content(req, s_cited, 1, &none, 1), BRK_OK);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q\"}]},{\"role\":\"assistant\","
                       "\"content\":[{\"citationsContent\":{\"content\":[{\"text\":\"Paris is in France.\"}],"
                       "\"citations\":[{}]}}]}]}");
    s_expect_refusal(req, brk_request_citations_content(req, s_cited, 1, &bad, 1),
                     "brk_request_citations_content: unknown citation location 42");
    brk_request_destroy(req);
}

Test(request, reasoning_is_text_with_an_optional_signature_or_redacted_bytes)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    cr_assert_eq(brk_request_reasoning(req, "think", NULL), BRK_OK);
    cr_assert_eq(brk_request_reasoning_redacted(req, NULL, 0), BRK_OK);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q\"}]},{\"role\":\"assistant\","
                       "\"content\":[{\"reasoningContent\":{\"reasoningText\":{\"text\":\"think\"}}},"
                       "{\"reasoningContent\":{\"redactedContent\":\"\"}}]}]}");
    s_expect_refusal(req, brk_request_reasoning(req, NULL, "sig"), "brk_request_reasoning: text is NULL");
    brk_request_destroy(req);
}

/* ---- refusals: tool use in messages ---------------------------------------------------------------------- */

/* A request with one tool and a user turn, ready for an assistant turn. */
static struct brk_request *s_with_tool(void)
{
    struct brk_request *req = s_user();
    brk_request_tool(req, "t", NULL, "{\"type\":\"object\"}");
    brk_request_text(req, "q");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    return req;
}

Test(request, a_tool_use_id_is_1_to_64_of_its_pattern)
{
    struct brk_request *req = s_with_tool();
    cr_assert_eq(brk_request_tool_use(req, "tooluse_a.b:c-d", "t", "{}"), BRK_OK);
    s_expect_refusal(req, brk_request_tool_use(req, "tool use", "t", "{}"),
                     VE "Value at 'messages.2.member.content.2.member.toolUse.toolUseId' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.:-]+");
    brk_request_destroy(req);
    req = s_with_tool();
    s_expect_refusal(req, brk_request_tool_use(req, "", "t", "{}"),
                     VE "Value at 'messages.2.member.content.1.member.toolUse.toolUseId' failed to satisfy constraint: "
                        "Member must have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, a_tool_use_names_a_valid_tool_with_json_input)
{
    struct brk_request *req = s_with_tool();
    cr_assert_eq(brk_request_tool_use(req, "id1", "t", "[1, \"any JSON\"]"), BRK_OK);
    s_expect_refusal(req, brk_request_tool_use(req, "id2", "t.x", "{}"),
                     VE "Value at 'messages.2.member.content.2.member.toolUse.name' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
    brk_request_destroy(req);
    req = s_with_tool();
    s_expect_refusal(req, brk_request_tool_use(req, "id1", "t", "{\"a\":"),
                     "brk_request_tool_use: input_json is not valid JSON");
    brk_request_destroy(req);
}

Test(request, tool_use_and_tool_result_need_tools)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    brk_request_tool_use(req, "id1", "t", "{}");
    s_refused_at_json(req, BRK_REQUEST_CONVERSE,
                      "The toolConfig field must be defined when using toolUse and toolResult content blocks.");
    brk_request_tool(req, "t", NULL, "{}");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    brk_request_destroy(req);
}

Test(request, a_tool_result_status_is_success_or_error)
{
    struct brk_request *req = s_with_tool();
    brk_request_tool_use(req, "id1", "t", "{}");
    brk_request_message(req, BRK_ROLE_USER);
    cr_assert_eq(brk_request_tool_result(req, "id1", NULL), BRK_OK);
    s_expect_refusal(req, brk_request_tool_result(req, "id1", "failed"),
                     VE "Value at 'messages.3.member.content.2.member.toolResult.status' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [success, error]");
    brk_request_destroy(req);
}

Test(request, an_error_tool_result_needs_content)
{
    struct brk_request *req = s_with_tool();
    brk_request_tool_use(req, "id1", "t", "{}");
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_tool_result(req, "id1", "error");
    s_refused_at_json(
        req, BRK_REQUEST_CONVERSE,
        "The content field at messages.2.content.0.toolResult cannot be empty when status value is error.");
    brk_request_tool_result_json(req, "{\"error\":\"boom\"}");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    brk_request_destroy(req);
}

Test(request, a_tool_result_holds_only_the_items_the_model_allows)
{
    struct brk_request *req = s_with_tool();
    brk_request_tool_use(req, "id1", "t", "{}");
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_tool_result(req, "id1", NULL);
    cr_assert_eq(brk_request_text(req, " "), BRK_OK, "a result's text item has no blank rule");
    s_expect_refusal(req, brk_request_cache_point(req, NULL),
                     "brk_request_cache_point: a cachePoint block cannot go inside a toolResult: call "
                     "brk_request_tool_result_end first");
    brk_request_destroy(req);
}

Test(request, tool_result_json_and_end_need_an_open_result)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_tool_result_json(req, "{}"),
                     "brk_request_tool_result_json: no open toolResult: call brk_request_tool_result first");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_tool_result_end(req), "brk_request_tool_result_end: no open toolResult");
    brk_request_destroy(req);
    req = s_with_tool();
    brk_request_tool_use(req, "id1", "t", "{}");
    brk_request_message(req, BRK_ROLE_USER);
    brk_request_tool_result(req, "id1", NULL);
    cr_assert_eq(brk_request_tool_result_json(req, "42"), BRK_OK);
    cr_assert_eq(brk_request_tool_result_end(req), BRK_OK);
    cr_assert_eq(brk_request_text(req, "after"), BRK_OK);
    char *body = s_body(req, BRK_REQUEST_CONVERSE);
    cr_assert(strstr(body, "{\"toolResult\":{\"toolUseId\":\"id1\",\"content\":[{\"json\":42}]}},{\"text\":\"after\"}"),
              "%s", body);
    free(body);
    brk_request_destroy(req);
}

/* ---- refusals: tools ------------------------------------------------------------------------------------- */

Test(request, a_tool_name_is_1_to_64_of_its_pattern)
{
    char name65[66];
    memset(name65, 'n', 65);
    name65[65] = '\0';
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_tool(req, name65 + 1, NULL, "{}"), BRK_OK, "64 characters");
    s_expect_refusal(req, brk_request_tool(req, name65, NULL, "{}"),
                     VE
                     "Value 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' at "
                     "'toolConfig.tools.2.member.toolSpec.name' failed to satisfy constraint: Member must have length "
                     "less than or equal to 64");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_tool(req, " so100 _sim", NULL, "{}"),
                     VE
                     "Value ' so100 _sim' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: "
                     "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
    brk_request_destroy(req);
}

Test(request, a_tool_description_is_not_empty)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_tool(req, "a", "does a", "{}"), BRK_OK);
    s_expect_refusal(req, brk_request_tool(req, "b", "", "{}"),
                     VE "Value '' at 'toolConfig.tools.2.member.toolSpec.description' failed to satisfy constraint: "
                        "Member must have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, a_tool_input_schema_is_a_json_object_of_type_object)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_tool(req, "a", NULL, "{\"type\":\"object\",\"properties\":{}}"), BRK_OK);
    s_expect_refusal(req, brk_request_tool(req, "b", NULL, "[]"),
                     "The format of the value at toolConfig.tools.1.toolSpec.inputSchema.json is invalid. Provide a "
                     "json object for the field and try again.");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_tool(req, "b", NULL, "{\"type\":\"string\"}"),
                     "The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be one of the following: "
                     "object.");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_tool(req, "b", NULL, "{type: object}"),
                     "brk_request_tool: input_schema_json is not valid JSON");
    brk_request_destroy(req);
}

Test(request, strict_applies_to_the_last_tool)
{
    struct brk_request *req = s_user();
    s_expect_refusal(req, brk_request_tool_strict(req, true), "brk_request_tool_strict: no tool added yet");
    brk_request_destroy(req);
    req = s_user();
    brk_request_text(req, "q");
    brk_request_tool(req, "a", NULL, "{}");
    cr_assert_eq(brk_request_tool_strict(req, false), BRK_OK);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q\"}]}],\"toolConfig\":{\"tools\":"
                       "[{\"toolSpec\":{\"name\":\"a\",\"inputSchema\":{\"json\":{}},\"strict\":false}}]}}");
    brk_request_destroy(req);
}

Test(request, a_system_tool_name_follows_the_tool_name_pattern)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_system_tool(req, "nova_grounding"), BRK_OK);
    s_expect_refusal(req, brk_request_system_tool(req, "web search"),
                     VE "Value 'web search' at 'toolConfig.tools.2.member.systemTool.name' failed to satisfy "
                        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
    brk_request_destroy(req);
}

Test(request, tool_choice_is_auto_any_or_a_defined_tool)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_tool(req, "a", NULL, "{}");
    cr_assert_eq(brk_request_tool_choice(req, BRK_TOOL_CHOICE_ANY, NULL), BRK_OK);
    char *body = s_body(req, BRK_REQUEST_CONVERSE);
    cr_assert(strstr(body, "\"toolChoice\":{\"any\":{}}"), "%s", body);
    free(body);
    cr_assert_eq(brk_request_tool_choice(req, BRK_TOOL_CHOICE_AUTO, NULL), BRK_OK);
    body = s_body(req, BRK_REQUEST_CONVERSE);
    cr_assert(strstr(body, "\"toolChoice\":{\"auto\":{}}"), "%s", body);
    free(body);
    cr_assert_eq(brk_request_tool_choice(req, BRK_TOOL_CHOICE_TOOL, "b"), BRK_OK);
    s_refused_at_json(
        req, BRK_REQUEST_CONVERSE,
        "The tool b in toolConfig.toolChoice.tool.name isn't defined in toolConfig.tools. Define the tool, "
        "or choose a tool that is defined, and try again.");
    s_expect_refusal(req, brk_request_tool_choice(req, BRK_TOOL_CHOICE_TOOL, "b!"),
                     VE "Value 'b!' at 'toolConfig.toolChoice.tool.name' failed to satisfy constraint: Member must "
                        "satisfy regular expression pattern: [a-zA-Z0-9_-]+");
    brk_request_destroy(req);
}

Test(request, tool_choice_needs_tools)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_tool_choice(req, BRK_TOOL_CHOICE_AUTO, NULL);
    s_refused_at_json(req, BRK_REQUEST_CONVERSE,
                      VE "Value null at 'toolConfig.tools' failed to satisfy constraint: Member must not be null");
    brk_request_tool(req, "a", NULL, "{}");
    free(s_body(req, BRK_REQUEST_CONVERSE));
    s_expect_refusal(req, brk_request_tool_choice(req, (enum brk_tool_choice)9, NULL),
                     "brk_request_tool_choice: unknown choice 9");
    brk_request_destroy(req);
}

/* ---- refusals: configuration ----------------------------------------------------------------------------- */

Test(request, max_tokens_is_at_least_1)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_max_tokens(req, 1), BRK_OK);
    s_expect_refusal(req, brk_request_max_tokens(req, -5),
                     VE
                     "Value '-5' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value "
                     "greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, temperature_and_top_p_are_within_0_and_1)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_temperature(req, 0), BRK_OK);
    cr_assert_eq(brk_request_temperature(req, 1), BRK_OK);
    cr_assert_eq(brk_request_top_p(req, 0.25), BRK_OK);
    s_expect_refusal(req, brk_request_temperature(req, 32424),
                     VE "Value '32424.0' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must "
                        "have value less than or equal to 1");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_top_p(req, -0.5),
                     VE "Value '-0.5' at 'inferenceConfig.topP' failed to satisfy constraint: Member must have value "
                        "greater than or equal to 0");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_top_p(req, 0.0 / 0.0),
                     "inferenceConfig.topP: NaN is not a number JSON can carry");
    brk_request_destroy(req);
}

Test(request, a_later_inference_value_replaces_the_earlier_one)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    brk_request_top_p(req, 0.5);
    brk_request_max_tokens(req, 10);
    brk_request_max_tokens(req, 20);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q\"}]}],"
                       "\"inferenceConfig\":{\"maxTokens\":20,\"topP\":0.5}}");
    brk_request_destroy(req);
}

Test(request, stop_sequences_are_non_empty_and_at_most_2500)
{
    struct brk_request *req = s_user();
    for (int i = 0; i < 2500; i++) {
        cr_assert_eq(brk_request_stop_sequence(req, "s"), BRK_OK);
    }
    cr_assert_eq(brk_request_stop_sequence(req, "s"), BRK_ERR_INVALID_ARG);
    const char *msg = brk_request_error(req)->message;
    cr_assert(strncmp(msg, VE "Value '[s, s, s, ", 40) == 0, "%s", msg);
    cr_assert(
        strstr(msg, ", s...]' at 'inferenceConfig.stopSequences' failed to satisfy constraint: Member must have length "
                    "less than or equal to 2500"),
        "%s", msg);
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_stop_sequence(req, ""),
                     VE
                     "Value '' at 'inferenceConfig.stopSequences.1.member' failed to satisfy constraint: Member must "
                     "have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, a_guardrail_identifier_and_version_follow_their_patterns)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_guardrail(req, "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123", "12345678",
                                       "enabled_full"),
                 BRK_OK);
    cr_assert_eq(brk_request_guardrail(req, "abc", "DRAFT", "disabled"), BRK_OK);
    s_expect_refusal(req, brk_request_guardrail(req, "My_Guardrail", "1", NULL),
                     VE "Value 'My_Guardrail' at 'guardrailConfig.guardrailIdentifier' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: (|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:"
                        "[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_guardrail(req, "abc", "0", NULL),
                     VE "Value '0' at 'guardrailConfig.guardrailVersion' failed to satisfy constraint: Member must "
                        "satisfy regular expression pattern: (|([1-9][0-9]{0,7})|(DRAFT))");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_guardrail(req, "abc", "1", "on"),
                     VE "Value 'on' at 'guardrailConfig.trace' failed to satisfy constraint: Member must satisfy enum "
                        "value set: [enabled, disabled, enabled_full]");
    brk_request_destroy(req);
}

Test(request, performance_latency_and_service_tier_are_enums)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_performance_latency(req, "optimized"), BRK_OK);
    cr_assert_eq(brk_request_service_tier(req, "priority"), BRK_OK);
    s_expect_refusal(req, brk_request_performance_latency(req, "fast"),
                     VE "Value 'fast' at 'performanceConfig.latency' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [standard, optimized]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_service_tier(req, "gold"),
                     VE
                     "Value 'gold' at 'serviceTier.type' failed to satisfy constraint: Member must satisfy enum value "
                     "set: [priority, default, flex, reserved]");
    brk_request_destroy(req);
}

Test(request, metadata_keys_and_values_follow_their_patterns)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_metadata(req, "a b:_@$#=/+,-.", ""), BRK_OK);
    s_expect_refusal(req, brk_request_metadata(req, "caf\xc3\xa9", "x"),
                     VE "Value at 'requestMetadata' failed to satisfy constraint: Map keys must satisfy constraint: "
                        "[Member must satisfy regular expression pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_metadata(req, "k", "a;b"),
                     VE "Value at 'requestMetadata' failed to satisfy constraint: Map value must satisfy constraint: "
                        "[Member must satisfy regular expression pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}]");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_metadata(req, "", "v"),
                     VE "Value at 'requestMetadata' failed to satisfy constraint: Map keys must satisfy constraint: "
                        "[Member must have length greater than or equal to 1, Member must satisfy regular expression "
                        "pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}]");
    brk_request_destroy(req);
}

Test(request, metadata_holds_at_most_16_keys_and_a_repeated_key_replaces)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    char key[8];
    for (int i = 0; i < 16; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        cr_assert_eq(brk_request_metadata(req, key, "v"), BRK_OK);
    }
    cr_assert_eq(brk_request_metadata(req, "k3", "w"), BRK_OK, "replacing a key adds none");
    char *body = s_body(req, BRK_REQUEST_CONVERSE);
    cr_assert(strstr(body, "\"k3\":\"w\""), "%s", body);
    cr_assert_null(strstr(body, "\"k3\":\"v\""), "%s", body);
    free(body);
    s_expect_refusal(req, brk_request_metadata(req, "k16", "v"),
                     VE "Value at 'requestMetadata' failed to satisfy constraint: Member must have length less than or "
                        "equal to 16");
    brk_request_destroy(req);
}

Test(request, additional_fields_are_a_json_object)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    cr_assert_eq(brk_request_additional_fields(req, "{\"top_k\":1}"), BRK_OK);
    cr_assert_eq(brk_request_additional_fields(req, "{\"top_k\":2}"), BRK_OK);
    s_expect_body(req, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q\"}]}],"
                       "\"additionalModelRequestFields\":{\"top_k\":2}}");
    s_expect_refusal(req, brk_request_additional_fields(req, "[1]"),
                     "brk_request_additional_fields: additionalModelRequestFields must be a JSON object");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_additional_fields(req, "{"),
                     "brk_request_additional_fields: json_object is not valid JSON");
    brk_request_destroy(req);
}

Test(request, response_field_paths_are_json_pointers_at_most_10)
{
    struct brk_request *req = s_user();
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(brk_request_response_field_path(req, "/a~0b~1c"), BRK_OK);
    }
    cr_assert_eq(brk_request_response_field_path(req, "/x"), BRK_ERR_INVALID_ARG);
    cr_assert_str_eq(brk_request_error(req)->message,
                     VE "Value '[/a~0b~1c, /a~0b~1c, /a~0b~1c, /a~0b~1c, /a~0b~1c, /a~0b~1c, /a~0b~1c, /a~0b~1c, "
                        "/a~0b~1c, /a~0b~1c, /x]' at 'additionalModelResponseFieldPaths' failed to satisfy constraint: "
                        "Member must have length less than or equal to 10");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_response_field_path(req, "stop_sequence"),
                     "The value at additionalModelResponseFieldPaths.0 is not a valid JSON Pointer. Provide a JSON "
                     "Pointer such as /stop_sequence and try again.");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_response_field_path(req, ""),
                     VE "Value '' at 'additionalModelResponseFieldPaths.1.member' failed to satisfy constraint: Member "
                        "must have length greater than or equal to 1");
    brk_request_destroy(req);
}

Test(request, output_schema_is_json_and_effort_at_most_16_characters)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_output_json_schema(req, "{}", NULL, NULL), BRK_OK);
    cr_assert_eq(brk_request_output_effort(req, "0123456789abcdef"), BRK_OK);
    s_expect_refusal(req, brk_request_output_effort(req, "0123456789abcdefg"),
                     VE "Value '0123456789abcdefg' at 'outputConfig.effort' failed to satisfy constraint: Member must "
                        "have length less than or equal to 16");
    brk_request_destroy(req);
    req = s_user();
    s_expect_refusal(req, brk_request_output_json_schema(req, "{x}", "n", NULL),
                     "brk_request_output_json_schema: schema_json is not valid JSON");
    brk_request_destroy(req);
}

Test(request, a_prompt_variable_needs_a_name_and_text)
{
    struct brk_request *req = s_user();
    cr_assert_eq(brk_request_prompt_variable(req, "a", ""), BRK_OK);
    s_expect_refusal(req, brk_request_prompt_variable(req, "b", NULL), "brk_request_prompt_variable: text is NULL");
    brk_request_destroy(req);
}

/* ---- out of memory -------------------------------------------------------------------------------------------- */

/* Build the full request and its three bodies; the first failure's status. */
static enum brk_status s_full_build(void)
{
    struct brk_request *req = s_full();
    if (!req) {
        return BRK_ERR_NOMEM;
    }
    enum brk_status st = brk_request_error(req)->status;
    for (int kind = BRK_REQUEST_CONVERSE; st == BRK_OK && kind <= BRK_REQUEST_COUNT_TOKENS; kind++) {
        struct brk_buf out;
        brk_buf_init(&out, S_MAX_BODY);
        st =
            brk_request_to_json(req, kind == BRK_REQUEST_CONVERSE_STREAM ? BRK_REQUEST_COUNT_TOKENS : kind, &out, NULL);
        brk_buf_clean_up(&out);
    }
    brk_request_destroy(req);
    return st;
}

Test(request, every_allocation_failure_of_a_full_build_is_reported_and_frees_everything)
{
    brk_alloc_hook_cjson();
    brk_alloc_fail_at(0);
    cr_assert_eq(s_full_build(), BRK_OK);
    long count = brk_alloc_count();
    cr_assert_gt(count, 100, "the build allocates through the wrappers (%ld)", count);
    for (long n = 1; n <= count; n++) {
        brk_alloc_fail_at(n);
        enum brk_status st = s_full_build();
        cr_assert_eq(st, BRK_ERR_NOMEM, "allocation %ld of %ld: %s", n, count, brk_status_name(st));
    }
    brk_alloc_fail_at(0);
}

Test(request, every_call_refuses_a_null_request)
{
    static const char *const texts[] = {"t"};
    const enum brk_status st[] = {
        brk_request_system_text(NULL, "t"),
        brk_request_system_guard_text(NULL, "t", 0),
        brk_request_system_guard_image(NULL, "png", "x", 1),
        brk_request_system_cache_point(NULL, NULL),
        brk_request_message(NULL, BRK_ROLE_USER),
        brk_request_text(NULL, "t"),
        brk_request_image_bytes(NULL, "png", "x", 1),
        brk_request_image_s3(NULL, "png", "s3://bucket/k", NULL),
        brk_request_document_bytes(NULL, "pdf", "n", "x", 1),
        brk_request_document_s3(NULL, "pdf", "n", "s3://bucket/k", NULL),
        brk_request_document_text(NULL, "txt", "n", "t"),
        brk_request_document_content(NULL, "txt", "n", texts, 1),
        brk_request_document_context(NULL, "c"),
        brk_request_citations_config(NULL, true),
        brk_request_video_bytes(NULL, "mp4", "x", 1),
        brk_request_video_s3(NULL, "mp4", "s3://bucket/k", NULL),
        brk_request_audio_bytes(NULL, "wav", "x", 1),
        brk_request_audio_s3(NULL, "wav", "s3://bucket/k", NULL),
        brk_request_search_result(NULL, "s", "t", texts, 1),
        brk_request_tool_use(NULL, "id", "n", "{}"),
        brk_request_tool_result(NULL, "id", NULL),
        brk_request_tool_result_json(NULL, "{}"),
        brk_request_tool_result_end(NULL),
        brk_request_reasoning(NULL, "t", NULL),
        brk_request_reasoning_redacted(NULL, "x", 1),
        brk_request_cache_point(NULL, NULL),
        brk_request_guard_text(NULL, "t", 0),
        brk_request_guard_image(NULL, "png", "x", 1),
        brk_request_citations_content(NULL, texts, 1, NULL, 0),
        brk_request_tool(NULL, "n", "d", "{}"),
        brk_request_tool_strict(NULL, true),
        brk_request_system_tool(NULL, "n"),
        brk_request_tools_cache_point(NULL, NULL),
        brk_request_tool_choice(NULL, BRK_TOOL_CHOICE_AUTO, NULL),
        brk_request_max_tokens(NULL, 1),
        brk_request_temperature(NULL, 0.5),
        brk_request_top_p(NULL, 0.5),
        brk_request_stop_sequence(NULL, "s"),
        brk_request_guardrail(NULL, "abc", "1", NULL),
        brk_request_guardrail_stream_mode(NULL, "sync"),
        brk_request_performance_latency(NULL, "standard"),
        brk_request_metadata(NULL, "k", "v"),
        brk_request_additional_fields(NULL, "{}"),
        brk_request_response_field_path(NULL, "/a"),
        brk_request_prompt_variable(NULL, "n", "t"),
        brk_request_service_tier(NULL, "default"),
        brk_request_output_json_schema(NULL, "{}", NULL, NULL),
        brk_request_output_effort(NULL, "high"),
    };
    for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
        cr_assert_eq(st[i], BRK_ERR_INVALID_ARG, "call %zu", i);
    }
    cr_assert_null(brk_request_error(NULL));
}

Test(request, to_json_refuses_an_unknown_kind)
{
    struct brk_request *req = s_user();
    brk_request_text(req, "q");
    s_refused_at_json(req, (enum brk_request_kind)5, "brk_request_to_json: unknown request kind 5");
    free(s_body(req, BRK_REQUEST_CONVERSE_STREAM));
    brk_request_destroy(req);
}

/* ---- the builder refuses in the mock's words ---------------------------------------------------------------- */

#define USER_HI "{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}"

/* One refusal: the builder's calls, and the body the same mistake makes when written by hand. */
struct s_same_words {
    void (*build)(struct brk_request *req);
    const char *body;
};

static void s_w_max_tokens(struct brk_request *req)
{
    brk_request_max_tokens(req, 0);
}

static void s_w_temperature(struct brk_request *req)
{
    brk_request_temperature(req, 32424);
}

static void s_w_tool_name(struct brk_request *req)
{
    brk_request_tool(req, " so100 _sim", NULL, "{}");
}

static void s_w_image_format(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_image_bytes(req, "bmp", "x", 1);
}

static void s_w_cache_ttl(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_cache_point(req, "10m");
}

static void s_w_blank(struct brk_request *req)
{
    brk_request_text(req, " ");
}

static void s_w_document_name(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_document_text(req, "txt", "a.txt", "d");
}

static void s_w_alternate(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_message(req, BRK_ROLE_USER);
}

static void s_w_stop(struct brk_request *req)
{
    brk_request_stop_sequence(req, "");
}

static void s_w_guardrail(struct brk_request *req)
{
    brk_request_guardrail(req, "My_Guardrail", "1", NULL);
}

static void s_w_schema(struct brk_request *req)
{
    brk_request_tool(req, "t", NULL, "{\"type\":\"string\"}");
}

static void s_w_choice(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_tool(req, "t", NULL, "{}");
    brk_request_tool_choice(req, BRK_TOOL_CHOICE_TOOL, "u");
}

static void s_w_pointer(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_response_field_path(req, "stop");
}

static void s_w_no_tools(struct brk_request *req)
{
    brk_request_text(req, "hi");
    brk_request_message(req, BRK_ROLE_ASSISTANT);
    brk_request_tool_use(req, "id1", "t", "{}");
}

static const struct s_same_words s_same_words[] = {
    {s_w_max_tokens, "{\"messages\":[" USER_HI "],\"inferenceConfig\":{\"maxTokens\":0}}"},
    {s_w_temperature, "{\"messages\":[" USER_HI "],\"inferenceConfig\":{\"temperature\":32424}}"},
    {s_w_tool_name, "{\"messages\":[" USER_HI "],\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\" so100 _sim\","
                    "\"inputSchema\":{\"json\":{}}}}]}}"},
    {s_w_image_format, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"},{\"image\":{\"format\":"
                       "\"bmp\",\"source\":{\"bytes\":\"eA==\"}}}]}]}"},
    {s_w_cache_ttl, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"},{\"cachePoint\":{\"type\":"
                    "\"default\",\"ttl\":\"10m\"}}]}]}"},
    {s_w_blank, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\" \"}]}]}"},
    {s_w_document_name, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"},{\"document\":{\"format\":"
                        "\"txt\",\"name\":\"a.txt\",\"source\":{\"text\":\"d\"}}}]}]}"},
    {s_w_alternate, "{\"messages\":[" USER_HI "," USER_HI "]}"},
    {s_w_stop, "{\"messages\":[" USER_HI "],\"inferenceConfig\":{\"stopSequences\":[\"\"]}}"},
    {s_w_guardrail, "{\"messages\":[" USER_HI "],\"guardrailConfig\":{\"guardrailIdentifier\":\"My_Guardrail\","
                    "\"guardrailVersion\":\"1\"}}"},
    {s_w_schema, "{\"messages\":[" USER_HI "],\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\","
                 "\"inputSchema\":{\"json\":{\"type\":\"string\"}}}}]}}"},
    {s_w_choice, "{\"messages\":[" USER_HI "],\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\","
                 "\"inputSchema\":{\"json\":{}}}}],\"toolChoice\":{\"tool\":{\"name\":\"u\"}}}}"},
    {s_w_pointer, "{\"messages\":[" USER_HI "],\"additionalModelResponseFieldPaths\":[\"stop\"]}"},
    {s_w_no_tools, "{\"messages\":[" USER_HI ",{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":"
                   "\"id1\",\"name\":\"t\",\"input\":{}}}]}]}"},
};

Test(request_mock, the_builder_refuses_with_the_mocks_message_for_the_same_mistake)
{
    for (size_t i = 0; i < sizeof(s_same_words) / sizeof(s_same_words[0]); i++) {
        struct brk_request *req = s_user();
        s_same_words[i].build(req);
        struct brk_buf out;
        struct brk_error err;
        brk_buf_init(&out, S_MAX_BODY);
        cr_assert_eq(brk_request_to_json(req, BRK_REQUEST_CONVERSE, &out, &err), BRK_ERR_INVALID_ARG, "case %zu", i);
        struct th_response r = th_converse(s_mock, HAIKU, s_same_words[i].body);
        cr_assert_eq(r.status, 400, "case %zu: the mock answered %ld", i, r.status);
        cr_assert_str_eq(err.message, th_message(&r), "case %zu", i);
        th_response_free(&r);
        brk_buf_clean_up(&out);
        brk_request_destroy(req);
    }
}
