/*
 * family.c: the per-family Converse rules (see family.h). Texts and their sources are in
 * docs/validation.md; texts built from Bedrock's refusal patterns, where only the pattern is
 * recorded, are marked "inferred" there.
 */
#include "mock/validate/family.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "mock/model/catalog.h"
#include "mock/validate/structured.h"

/* Exact texts recorded on live Bedrock (model-families.md section 2.1). */
#define S_MSG_BLOCK_KIND                                                                           \
    "This model doesn't support the %s content block that you provided. Update the content block " \
    "and try again."
#define S_MSG_FIELD "This model doesn't support the %s field. Remove %s and try again."
#define S_MSG_SYSTEM                                                                                 \
    "This model doesn't support system messages. Try again without a system message or use a model " \
    "that supports system messages."
#define S_MSG_RESULT_ALONE \
    "messages.%d.content: Conversation blocks and tool result blocks cannot be provided in the same turn"
/* Claude's own validator on a strict tool where the model takes none: BerriAI/litellm#33193 and
 * #35688, lobehub/lobehub#19876 (live). N counts Claude's tools, not Converse's entries. */
#define S_MSG_CLAUDE_STRICT \
    "The model returned the following errors: tools.%d.custom.strict: Extra inputs are not permitted"
#define S_MSG_RESULT_S3                                                                                           \
    "The model returned the following errors: Malformed input request: #/messages/%d/content/%d: extraneous key " \
    "[toolResult] is not permitted, please reformat your input and try again."

bool mock_validation_fail(struct mock_response *resp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mock_response_verrorf(resp, BRK_AWS_VALIDATION, fmt, ap);
    va_end(ap);
    return false;
}

/* The pattern refusal for a field, quoting its path twice. */
static bool s_fail_field(struct mock_response *resp, const char *path)
{
    return mock_validation_fail(resp, S_MSG_FIELD, path, path);
}

static bool s_from_s3(const cJSON *media)
{
    return brk_json_get(brk_json_get(media, "source"), "s3Location") != NULL;
}

/* One image, document or video block (in a turn, or inside a toolResult when in_result). */
static bool s_check_media(const struct mock_model *m, const cJSON *block, bool in_result, struct mock_response *resp)
{
    const cJSON *image = brk_json_get(block, "image");
    const cJSON *document = brk_json_get(block, "document");
    const cJSON *video = brk_json_get(block, "video");
    unsigned allowed = in_result ? m->tool_result_media : MOCK_MEDIA_IMAGE | MOCK_MEDIA_DOCUMENT;
    if (video && !m->video) {
        return mock_validation_fail(resp, S_MSG_BLOCK_KIND, "video");
    }
    if (image && !m->s3_images && s_from_s3(image)) {
        return s_fail_field(resp, "s3Uri");
    }
    if (image && (!m->vision || !(allowed & MOCK_MEDIA_IMAGE))) {
        return mock_validation_fail(resp, S_MSG_BLOCK_KIND, "image");
    }
    if (document && (!m->documents || !(allowed & MOCK_MEDIA_DOCUMENT))) {
        return mock_validation_fail(resp, S_MSG_BLOCK_KIND, "document");
    }
    return true;
}

/* A document of a binary format (pdf, doc, docx, xls, xlsx): a named format that is not text. */
static bool s_binary_document(const cJSON *document)
{
    static const char *const text_formats[] = {"txt", "csv", "html", "md"};
    const char *format = cJSON_GetStringValue(brk_json_get(document, "format"));
    for (size_t i = 0; format && i < sizeof(text_formats) / sizeof(text_formats[0]); i++) {
        if (strcmp(format, text_formats[i]) == 0) {
            return false;
        }
    }
    return format != NULL;
}

/* Nova refuses a document or video from S3 inside a toolResult in its own validator's words
 * (live), and a binary document there (pydantic-ai; the same text inferred). */
static bool s_nova_result_s3(const struct mock_model *m, const cJSON *item)
{
    if (strcmp(m->family, "nova") != 0) {
        return false;
    }
    const cJSON *document = brk_json_get(item, "document");
    const cJSON *video = brk_json_get(item, "video");
    return (document && (s_from_s3(document) || s_binary_document(document))) || (video && s_from_s3(video));
}

static bool s_check_tool_result(const struct mock_model *m, const cJSON *result, int n, int k,
                                struct mock_response *resp)
{
    if (!m->tool_result_status && brk_json_get(result, "status")) {
        return s_fail_field(resp, "status");
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, brk_json_get(result, "content"))
    {
        if (s_nova_result_s3(m, item)) {
            return mock_validation_fail(resp, S_MSG_RESULT_S3, n, k);
        }
        if (!s_check_media(m, item, true, resp)) {
            return false;
        }
    }
    return true;
}

/* The blocks of one message; `others` counts the blocks that are neither toolResult nor cachePoint. */
static bool s_check_message(const struct mock_model *m, const cJSON *message, int n, struct mock_response *resp)
{
    int k = 0, results = 0, others = 0;
    const cJSON *b = NULL;
    cJSON_ArrayForEach(b, brk_json_get(message, "content"))
    {
        const cJSON *result = brk_json_get(b, "toolResult");
        if (result && !s_check_tool_result(m, result, n, k, resp)) {
            return false;
        }
        if (!result && !s_check_media(m, b, false, resp)) {
            return false;
        }
        results += result != NULL;
        others += !result && !brk_json_get(b, "cachePoint");
        k++;
    }
    if (m->tool_result_alone && results && others) {
        return mock_validation_fail(resp, S_MSG_RESULT_ALONE, n);
    }
    return true;
}

/* A strict tool: refused where the model takes none; on Claude, its schema must be closed. */
static bool s_check_strict(const struct mock_model *m, const cJSON *spec, int i, int n, struct mock_response *resp)
{
    bool claude = strcmp(m->family, "anthropic") == 0;
    if (!m->strict_tools && claude) {
        return mock_validation_fail(resp, S_MSG_CLAUDE_STRICT, n);
    }
    if (!m->strict_tools) {
        char path[96];
        snprintf(path, sizeof(path), "toolConfig.tools.%d.toolSpec.strict", i);
        return s_fail_field(resp, path);
    }
    return !claude || mock_validate_strict_schema(brk_json_get(brk_json_get(spec, "inputSchema"), "json"), n, resp);
}

static bool s_check_tool_config(const struct mock_model *m, const cJSON *tool_config, struct mock_response *resp)
{
    static const char *const kinds[] = {"auto", "any", "tool"};
    const cJSON *choice = brk_json_get(tool_config, "toolChoice");
    for (unsigned i = 0; choice && i < 3; i++) {
        if (brk_json_get(choice, kinds[i]) && !(m->tool_choice & (1u << i))) {
            char path[64];
            snprintf(path, sizeof(path), "toolConfig.toolChoice.%s", kinds[i]);
            return s_fail_field(resp, path);
        }
    }
    /* i indexes Converse's toolConfig.tools (Bedrock's own texts); n indexes Claude's tools list,
     * where a cachePoint entry is no tool but the previous tool's cache_control (inferred). */
    int i = 0;
    int n = 0;
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, brk_json_get(tool_config, "tools"))
    {
        const cJSON *spec = brk_json_get(t, "toolSpec");
        if (cJSON_IsTrue(brk_json_get(spec, "strict")) && !s_check_strict(m, spec, i, n, resp)) {
            return false;
        }
        n += brk_json_get(t, "cachePoint") == NULL;
        i++;
    }
    return true;
}

bool mock_validate_family(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    if (!m) {
        return true;
    }
    if (!m->system_prompts && cJSON_GetArraySize(brk_json_get(req->json, "system")) > 0) {
        return mock_validation_fail(resp, S_MSG_SYSTEM);
    }
    int n = 0;
    const cJSON *message = NULL;
    cJSON_ArrayForEach(message, brk_json_get(req->json, "messages"))
    {
        if (!s_check_message(m, message, n++, resp)) {
            return false;
        }
    }
    return !tool_config || s_check_tool_config(m, tool_config, resp);
}
