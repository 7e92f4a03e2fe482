/*
 * model_fields.c: additionalModelRequestFields per family and Claude's extended-thinking rules
 * (see model_fields.h). Every text and its source is in docs/validation.md, "Model fields and
 * extended thinking"; the texts assembled from a recorded pattern are marked "inferred" there.
 * Claude's own validator speaks through Bedrock's wrapper, "The model returned the following
 * errors: ...", so those rules run after Bedrock's own checks.
 */
#include "mock/validate/model_fields.h"

#include <stdio.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/alloc.h"
#include "common/json.h"
#include "mock/model/catalog.h"
#include "mock/validate/family.h"

#define S_MODEL_SAYS "The model returned the following errors: "
#define S_MSG_EXTRA S_MODEL_SAYS "%s: Extra inputs are not permitted"
#define S_MSG_EXTRANEOUS "#: extraneous key [%s] is not permitted"
#define S_MSG_MALFORMED_END ", please reformat your input and try again."
#define S_MSG_NO_THINKING S_MODEL_SAYS "'%.*s' does not support thinking."
#define S_MSG_ADAPTIVE_ONLY                                                                                   \
    S_MODEL_SAYS "\"thinking.type.enabled\" is not supported for this model. Use \"thinking.type.adaptive\" " \
                 "and \"output_config.effort\" to control thinking behavior."
#define S_MSG_BUDGET_MISSING S_MODEL_SAYS "thinking.enabled.budget_tokens: Field required"
#define S_MSG_BUDGET_MIN S_MODEL_SAYS "thinking.enabled.budget_tokens: Input should be greater than or equal to %d"
#define S_MSG_BUDGET_MAX                                                                                         \
    S_MODEL_SAYS "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation " \
                 "at https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking"                     \
                 "#max-tokens-and-context-window-size"
#define S_MSG_TEMPERATURE S_MODEL_SAYS "temperature may only be set to 1 when thinking is enabled."
#define S_MSG_TEMPERATURE_ADAPTIVE \
    S_MODEL_SAYS "temperature may only be set to 1 when thinking is enabled or in adaptive mode."
#define S_MSG_TOP_P                                                                                                \
    S_MODEL_SAYS "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled or in adaptive " \
                 "mode. Please consult our documentation at "                                                      \
                 "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"                             \
                 "#important-considerations-when-using-extended-thinking"
#define S_MSG_TOP_K                                                                                     \
    S_MODEL_SAYS "`top_k` must be unset when thinking is enabled. Please consult our documentation at " \
                 "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"                  \
                 "#important-considerations-when-using-extended-thinking"
#define S_MSG_FORCED_TOOL S_MODEL_SAYS "Thinking may not be enabled when tool_choice forces tool use."
#define S_MSG_THINKING_FIRST                                                                                        \
    S_MODEL_SAYS "messages.%d.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%s`. When "    \
                 "`thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding " \
                 "the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking "     \
                 "blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our "   \
                 "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
#define S_MSG_SAMPLING \
    S_MODEL_SAYS "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
#define S_MSG_STRICT_MAX \
    S_MODEL_SAYS "Too many strict tools (%d). The maximum number of strict tools supported is %llu."

/* Claude's thinking limits (Anthropic's extended-thinking documentation, and the texts above). */
#define S_THINKING_MIN_BUDGET 1024
#define S_THINKING_MIN_TOP_P 0.95
#define S_EXTRANEOUS_TEXT_MAX 4096

enum s_thinking {
    S_THINKING_OFF,
    S_THINKING_ENABLED,
    S_THINKING_ADAPTIVE,
};

static bool s_accepts(const struct mock_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_request_fields; i++) {
        if (strcmp(m->request_fields[i], key) == 0) {
            return true;
        }
    }
    return false;
}

/* Bedrock's JSON-schema validator names every extraneous key, one after the other. */
static bool s_fail_extraneous(const struct mock_model *m, const cJSON *extra, struct mock_response *resp)
{
    struct brk_buf text;
    brk_buf_init(&text, S_EXTRANEOUS_TEXT_MAX);
    brk_buf_append_str(&text, "Malformed input request: ");
    const cJSON *field = NULL;
    cJSON_ArrayForEach(field, extra)
    {
        if (!s_accepts(m, field->string)) {
            brk_buf_appendf(&text, S_MSG_EXTRANEOUS, field->string);
        }
    }
    brk_buf_append_str(&text, S_MSG_MALFORMED_END);
    char *msg = brk_buf_detach(&text, NULL);
    mock_validation_fail(resp, "%s", msg ? msg : "Malformed input request" S_MSG_MALFORMED_END);
    brk_free(msg);
    return false;
}

/* The keys of additionalModelRequestFields the model's family does not take. */
static bool s_check_keys(const struct mock_model *m, const cJSON *extra, struct mock_response *resp)
{
    if (m->request_field_refusal == MOCK_FIELDS_UNCHECKED || !cJSON_IsObject(extra)) {
        return true;
    }
    const cJSON *field = NULL;
    cJSON_ArrayForEach(field, extra)
    {
        if (s_accepts(m, field->string)) {
            continue;
        }
        if (m->request_field_refusal == MOCK_FIELDS_SCHEMA_EXTRANEOUS) {
            return s_fail_extraneous(m, extra, resp);
        }
        return mock_validation_fail(resp, S_MSG_EXTRA, field->string);
    }
    return true;
}

static enum s_thinking s_thinking_mode(const cJSON *thinking)
{
    const char *type = cJSON_GetStringValue(brk_json_get(thinking, "type"));
    if (type && strcmp(type, "enabled") == 0) {
        return S_THINKING_ENABLED;
    }
    return type && strcmp(type, "adaptive") == 0 ? S_THINKING_ADAPTIVE : S_THINKING_OFF;
}

/* Claude's own name for the model: the id without "anthropic." and its "-vN[:M]" version. */
static int s_claude_name_len(const char *id)
{
    const char *v = strrchr(id, '-');
    size_t n = v && v[1] == 'v' && v[2] >= '0' && v[2] <= '9' ? (size_t)(v - id) : strlen(id);
    return (int)n;
}

static bool s_no_thinking(const struct mock_model *m, struct mock_response *resp)
{
    const char *name = strncmp(m->id, "anthropic.", 10) == 0 ? m->id + 10 : m->id;
    return mock_validation_fail(resp, S_MSG_NO_THINKING, s_claude_name_len(name), name);
}

/* Whether the model takes this thinking shape at all, and the budget of the enabled shape. */
static bool s_check_thinking_shape(const struct mock_model *m, const cJSON *thinking, enum s_thinking mode,
                                   double max_tokens, struct mock_response *resp)
{
    if (!m->reasoning) {
        return s_no_thinking(m, resp);
    }
    if (mode == S_THINKING_ENABLED && strcmp(m->reasoning_shape, "thinking_adaptive_only") == 0) {
        return mock_validation_fail(resp, S_MSG_ADAPTIVE_ONLY);
    }
    if (mode != S_THINKING_ENABLED) {
        return true;
    }
    const cJSON *budget = brk_json_get(thinking, "budget_tokens");
    if (!budget) {
        return mock_validation_fail(resp, S_MSG_BUDGET_MISSING);
    }
    if (cJSON_IsNumber(budget) && budget->valuedouble < S_THINKING_MIN_BUDGET) {
        return mock_validation_fail(resp, S_MSG_BUDGET_MIN, S_THINKING_MIN_BUDGET);
    }
    if (cJSON_IsNumber(budget) && max_tokens <= budget->valuedouble) {
        return mock_validation_fail(resp, S_MSG_BUDGET_MAX);
    }
    return true;
}

static bool s_forces_tool(const cJSON *tool_config)
{
    const cJSON *choice = brk_json_get(tool_config, "toolChoice");
    return brk_json_get(choice, "any") || brk_json_get(choice, "tool");
}

/* Claude's name for the kind of a Converse content block. */
static const char *s_claude_block_type(const cJSON *block)
{
    static const char *const names[][2] = {
        {"text", "text"},   {"toolUse", "tool_use"},  {"toolResult", "tool_result"},
        {"image", "image"}, {"document", "document"}, {"reasoningContent", "thinking"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (brk_json_get(block, names[i][0])) {
            return names[i][1];
        }
    }
    return block && block->child && block->child->string ? block->child->string : "unknown";
}

/* With thinking enabled, in a tool round (the last turn answers tool uses) the assistant turn
 * that made the calls must start with its thinking block. */
static bool s_check_thinking_first(const cJSON *messages, struct mock_response *resp)
{
    int n = cJSON_GetArraySize(messages);
    const cJSON *last = cJSON_GetArrayItem(messages, n - 1);
    const cJSON *asked = cJSON_GetArrayItem(messages, n - 2);
    const char *role = cJSON_GetStringValue(brk_json_get(asked, "role"));
    bool answers_tools = false;
    const cJSON *b = NULL;
    cJSON_ArrayForEach(b, brk_json_get(last, "content"))
    {
        answers_tools = answers_tools || brk_json_get(b, "toolResult");
    }
    if (!answers_tools || !role || strcmp(role, "assistant") != 0) {
        return true;
    }
    const cJSON *first = cJSON_GetArrayItem(brk_json_get(asked, "content"), 0);
    if (!first || brk_json_get(first, "reasoningContent")) {
        return true;
    }
    return mock_validation_fail(resp, S_MSG_THINKING_FIRST, n - 2, s_claude_block_type(first));
}

/* Extended thinking on Claude: the shape, sampling left to the model, no forced tool. */
static bool s_check_thinking(const struct mock_request *req, const cJSON *thinking, const cJSON *tool_config,
                             struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    enum s_thinking mode = s_thinking_mode(thinking);
    if (mode == S_THINKING_OFF) {
        return true;
    }
    const cJSON *config = brk_json_get(req->json, "inferenceConfig");
    const cJSON *max = brk_json_get(config, "maxTokens");
    double max_tokens = cJSON_IsNumber(max) ? max->valuedouble : (double)m->max_output_tokens;
    if (!s_check_thinking_shape(m, thinking, mode, max_tokens, resp)) {
        return false;
    }
    const cJSON *temperature = brk_json_get(config, "temperature");
    if (cJSON_IsNumber(temperature) && temperature->valuedouble != 1.0) {
        return mock_validation_fail(resp, mode == S_THINKING_ENABLED ? S_MSG_TEMPERATURE : S_MSG_TEMPERATURE_ADAPTIVE);
    }
    const cJSON *top_p = brk_json_get(config, "topP");
    if (cJSON_IsNumber(top_p) && top_p->valuedouble < S_THINKING_MIN_TOP_P) {
        return mock_validation_fail(resp, S_MSG_TOP_P);
    }
    if (mode == S_THINKING_ENABLED && brk_json_get(brk_json_get(req->json, "additionalModelRequestFields"), "top_k")) {
        return mock_validation_fail(resp, S_MSG_TOP_K);
    }
    if (s_forces_tool(tool_config)) {
        return mock_validation_fail(resp, S_MSG_FORCED_TOOL);
    }
    return mode != S_THINKING_ENABLED || s_check_thinking_first(brk_json_get(req->json, "messages"), resp);
}

static bool s_check_sampling(const struct mock_model *m, const cJSON *request, struct mock_response *resp)
{
    const cJSON *config = brk_json_get(request, "inferenceConfig");
    if (m->sampling_exclusive && brk_json_get(config, "temperature") && brk_json_get(config, "topP")) {
        return mock_validation_fail(resp, S_MSG_SAMPLING);
    }
    return true;
}

static bool s_check_strict_count(const struct mock_model *m, const cJSON *tool_config, struct mock_response *resp)
{
    int strict = 0;
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, brk_json_get(tool_config, "tools"))
    {
        strict += cJSON_IsTrue(brk_json_get(brk_json_get(t, "toolSpec"), "strict"));
    }
    if (m->max_strict_tools && (uint64_t)strict > m->max_strict_tools) {
        return mock_validation_fail(resp, S_MSG_STRICT_MAX, strict, (unsigned long long)m->max_strict_tools);
    }
    return true;
}

bool mock_validate_model_fields(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    if (!m) {
        return true;
    }
    const cJSON *extra = brk_json_get(req->json, "additionalModelRequestFields");
    if (!s_check_keys(m, extra, resp) || !s_check_strict_count(m, tool_config, resp)) {
        return false;
    }
    return mock_validate_model_rules(req, tool_config, resp);
}

bool mock_validate_model_rules(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    if (!m) {
        return true;
    }
    /* The thinking rules are Claude's: they apply where the family takes a "thinking" key. */
    const cJSON *extra = brk_json_get(req->json, "additionalModelRequestFields");
    const cJSON *thinking = cJSON_IsObject(extra) && s_accepts(m, "thinking") ? brk_json_get(extra, "thinking") : NULL;
    return s_check_thinking(req, thinking, tool_config, resp) && s_check_sampling(m, req->json, resp);
}
