/*
 * Tests of the Converse request builder (client/request*.c, include/bedrock/request.h): the body
 * of a request using every block type against a hand-written golden body, each builder rule with
 * a passing and a refused case, the CountTokens and ConverseStream forms, the mock's verdict on
 * what the builder writes, and every out-of-memory path of a full build.
 */
#include <criterion/criterion.h>
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
    brk_request_cache_point(req, "5m");
}

static void s_configure(struct brk_request *req)
{
    brk_request_system_text(req, "You are terse.");
    brk_request_system_guard_text(req, "Policy text", BRK_GUARD_CONTENT);
    brk_request_system_guard_image(req, "png", "\x89PNG", 4);
    brk_request_system_cache_point(req, NULL);
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
    brk_request_additional_fields(req, "{\"top_k\": 5, \"thinking\": {\"type\": \"enabled\", \"budget_tokens\": 1024}}");
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
    struct brk_request *req = brk_request_new("anthropic.claude-3-5-sonnet-20241022-v2:0");
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
    cr_assert_str_eq(brk_request_model_id(req), "anthropic.claude-3-5-sonnet-20241022-v2:0");
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
    cr_assert_str_eq(count, "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}}}");
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
