/*
 * invoke_map.c: native InvokeModel bodies -> the equivalent Converse input (see invoke.h).
 *
 * Bedrock validates native bodies against each model's JSON schema and reports every
 * violation as "#: <problem>" after "Malformed input request: " (texts in
 * docs/operations.md). The mapping keeps what affects the mock's reply and token count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/json.h"
#include "mock/ops/invoke.h"

#define S_MALFORMED_PREFIX "Malformed input request: "
#define S_MALFORMED_SUFFIX ", please reformat your input and try again."
#define S_MSG_CACHE_LIMIT "A maximum of 4 blocks with cache_control may be provided. Found %d."
#define S_MAX_CACHE_BLOCKS 4

enum mock_native mock_native_kind(const struct mock_model *model)
{
    if (!model || !model->id) {
        return MOCK_NATIVE_NONE;
    }
    if (strncmp(model->id, "anthropic.", 10) == 0) {
        return MOCK_NATIVE_ANTHROPIC;
    }
    if (strncmp(model->id, "amazon.nova-", 12) == 0) {
        return MOCK_NATIVE_NOVA;
    }
    if (strncmp(model->id, "meta.llama", 10) == 0) {
        return MOCK_NATIVE_LLAMA;
    }
    if (strncmp(model->id, "amazon.titan-text", 17) == 0) {
        return MOCK_NATIVE_TITAN;
    }
    return MOCK_NATIVE_NONE;
}

/* ---- the schema-style problems list ------------------------------------------------- */

struct s_problems {
    struct brk_buf text;
    int count;
};

/* One "#: <what> [<key>] <tail>" problem, the validator's wording. */
static void s_problem(struct s_problems *p, const char *what, const char *key, const char *tail)
{
    brk_buf_appendf(&p->text, "#: %s [%s] %s", what, key, tail);
    p->count++;
}

static void s_require(struct s_problems *p, const cJSON *body, const char *key)
{
    if (!brk_json_get(body, key)) {
        s_problem(p, "required key", key, "not found");
    }
}

static void s_no_extra_keys(struct s_problems *p, const cJSON *body, const char *const *allowed)
{
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, body)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++) {
            ok = strcmp(item->string, allowed[i]) == 0;
        }
        if (!ok) {
            s_problem(p, "extraneous key", item->string, "is not permitted");
        }
    }
}

/* Fill resp with the collected problems; false when there were any. */
static bool s_problems_report(struct s_problems *p, struct mock_response *resp)
{
    bool ok = p->count == 0;
    if (!ok) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MALFORMED_PREFIX "%s" S_MALFORMED_SUFFIX,
                             p->text.data ? p->text.data : "");
    }
    brk_buf_clean_up(&p->text);
    return ok;
}

/* ---- Anthropic Messages ------------------------------------------------------------- */

static void s_cache_point(cJSON *list, const cJSON *cache_control, int *marks)
{
    if (!cache_control) {
        return;
    }
    cJSON *block = cJSON_CreateObject();
    cJSON *cp = cJSON_AddObjectToObject(block, "cachePoint");
    cJSON_AddStringToObject(cp, "type", "default");
    const char *ttl = cJSON_GetStringValue(brk_json_get(cache_control, "ttl"));
    if (ttl) {
        cJSON_AddStringToObject(cp, "ttl", ttl);
    }
    cJSON_AddItemToArray(list, block);
    (*marks)++;
}

/* One Anthropic content block as a Converse block (NULL for types the mock ignores). */
static cJSON *s_anthropic_block(const cJSON *b)
{
    const char *type = cJSON_GetStringValue(brk_json_get(b, "type"));
    cJSON *o = cJSON_CreateObject();
    if (!type || strcmp(type, "text") == 0) {
        const char *text = cJSON_GetStringValue(brk_json_get(b, "text"));
        cJSON_AddStringToObject(o, "text", text ? text : "");
    } else if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0) {
        cJSON_AddObjectToObject(o, type[0] == 'i' ? "image" : "document");
    } else if (strcmp(type, "tool_use") == 0) {
        cJSON *tu = cJSON_AddObjectToObject(o, "toolUse");
        cJSON_AddItemToObject(tu, "toolUseId", cJSON_Duplicate(brk_json_get(b, "id"), 1));
        cJSON_AddItemToObject(tu, "name", cJSON_Duplicate(brk_json_get(b, "name"), 1));
        cJSON_AddItemToObject(tu, "input", cJSON_Duplicate(brk_json_get(b, "input"), 1));
    } else if (strcmp(type, "tool_result") == 0) {
        cJSON *tr = cJSON_AddObjectToObject(o, "toolResult");
        cJSON_AddItemToObject(tr, "toolUseId", cJSON_Duplicate(brk_json_get(b, "tool_use_id"), 1));
        const cJSON *content = brk_json_get(b, "content");
        cJSON *list = cJSON_AddArrayToObject(tr, "content");
        if (cJSON_IsString(content)) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "text", content->valuestring);
            cJSON_AddItemToArray(list, t);
        } else {
            const cJSON *part = NULL;
            cJSON_ArrayForEach(part, content)
            {
                cJSON_AddItemToArray(list, s_anthropic_block(part));
            }
        }
    } else if (strcmp(type, "thinking") == 0) {
        cJSON *rt = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "reasoningContent"), "reasoningText");
        cJSON_AddItemToObject(rt, "text", cJSON_Duplicate(brk_json_get(b, "thinking"), 1));
    } else {
        cJSON_AddItemToObject(o, "json", cJSON_Duplicate(b, 1)); /* counted by its JSON text */
    }
    return o;
}

/* Blocks of a system prompt or message content (a string or a list of blocks). */
static cJSON *s_anthropic_blocks(const cJSON *content, int *marks)
{
    cJSON *list = cJSON_CreateArray();
    if (cJSON_IsString(content)) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "text", content->valuestring);
        cJSON_AddItemToArray(list, t);
        return list;
    }
    const cJSON *b = NULL;
    cJSON_ArrayForEach(b, content)
    {
        cJSON_AddItemToArray(list, s_anthropic_block(b));
        s_cache_point(list, brk_json_get(b, "cache_control"), marks);
    }
    return list;
}

static void s_anthropic_tools(const cJSON *body, cJSON *out, int *marks)
{
    const cJSON *tools = brk_json_get(body, "tools");
    if (!cJSON_IsArray(tools)) {
        return;
    }
    cJSON *config = cJSON_AddObjectToObject(out, "toolConfig");
    cJSON *list = cJSON_AddArrayToObject(config, "tools");
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, tools)
    {
        cJSON *entry = cJSON_CreateObject();
        cJSON *spec = cJSON_AddObjectToObject(entry, "toolSpec");
        cJSON_AddItemToObject(spec, "name", cJSON_Duplicate(brk_json_get(t, "name"), 1));
        if (brk_json_get(t, "description")) {
            cJSON_AddItemToObject(spec, "description", cJSON_Duplicate(brk_json_get(t, "description"), 1));
        }
        cJSON_AddItemToObject(cJSON_AddObjectToObject(spec, "inputSchema"), "json",
                              cJSON_Duplicate(brk_json_get(t, "input_schema"), 1));
        cJSON_AddItemToArray(list, entry);
        s_cache_point(list, brk_json_get(t, "cache_control"), marks);
    }
    const char *choice = cJSON_GetStringValue(brk_json_get(brk_json_get(body, "tool_choice"), "type"));
    if (choice && strcmp(choice, "any") == 0) {
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(config, "toolChoice"), "any");
    } else if (choice && strcmp(choice, "tool") == 0) {
        cJSON *tool = cJSON_AddObjectToObject(cJSON_AddObjectToObject(config, "toolChoice"), "tool");
        cJSON_AddItemToObject(tool, "name",
                              cJSON_Duplicate(brk_json_get(brk_json_get(body, "tool_choice"), "name"), 1));
    }
}

static void s_inference(cJSON *out, const cJSON *max_tokens, const cJSON *stops)
{
    cJSON *inf = cJSON_AddObjectToObject(out, "inferenceConfig");
    if (cJSON_IsNumber(max_tokens)) {
        cJSON_AddNumberToObject(inf, "maxTokens", max_tokens->valuedouble);
    }
    if (cJSON_IsArray(stops)) {
        cJSON_AddItemToObject(inf, "stopSequences", cJSON_Duplicate(stops, 1));
    }
}

static cJSON *s_map_anthropic(const cJSON *body, struct mock_response *resp)
{
    static const char *const allowed[] = {"anthropic_version", "anthropic_beta", "messages", "system", "max_tokens",
                                          "stop_sequences",    "temperature",    "top_p",    "top_k",  "tools",
                                          "tool_choice",       "thinking",       "metadata", NULL};
    struct s_problems p = {.count = 0};
    brk_buf_init(&p.text, 4096);
    s_require(&p, body, "max_tokens");
    s_require(&p, body, "anthropic_version");
    s_no_extra_keys(&p, body, allowed);
    if (!s_problems_report(&p, resp)) {
        return NULL;
    }
    int marks = 0;
    cJSON *out = cJSON_CreateObject();
    s_anthropic_tools(body, out, &marks);
    if (brk_json_get(body, "system")) {
        cJSON_AddItemToObject(out, "system", s_anthropic_blocks(brk_json_get(body, "system"), &marks));
    }
    cJSON *msgs = cJSON_AddArrayToObject(out, "messages");
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, brk_json_get(body, "messages"))
    {
        cJSON *msg = cJSON_CreateObject();
        cJSON_AddItemToObject(msg, "role", cJSON_Duplicate(brk_json_get(m, "role"), 1));
        cJSON_AddItemToObject(msg, "content", s_anthropic_blocks(brk_json_get(m, "content"), &marks));
        cJSON_AddItemToArray(msgs, msg);
    }
    s_inference(out, brk_json_get(body, "max_tokens"), brk_json_get(body, "stop_sequences"));
    if (brk_json_get(body, "thinking")) {
        cJSON_AddItemToObject(cJSON_AddObjectToObject(out, "additionalModelRequestFields"), "thinking",
                              cJSON_Duplicate(brk_json_get(body, "thinking"), 1));
    }
    if (marks > S_MAX_CACHE_BLOCKS) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_CACHE_LIMIT, marks);
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ---- Nova, Llama, Titan ------------------------------------------------------------- */

static cJSON *s_map_nova(const cJSON *body, struct mock_response *resp)
{
    struct s_problems p = {.count = 0};
    brk_buf_init(&p.text, 4096);
    s_require(&p, body, "messages");
    if (!s_problems_report(&p, resp)) {
        return NULL;
    }
    /* Nova's messages-v1 body is Converse's shape, except for the inference parameter names. */
    cJSON *out = cJSON_CreateObject();
    const char *keys[] = {"system", "messages", "toolConfig"};
    for (size_t i = 0; i < 3; i++) {
        if (brk_json_get(body, keys[i])) {
            cJSON_AddItemToObject(out, keys[i], cJSON_Duplicate(brk_json_get(body, keys[i]), 1));
        }
    }
    const cJSON *inf = brk_json_get(body, "inferenceConfig");
    const cJSON *max_tokens = brk_json_get(inf, "max_new_tokens");
    s_inference(out, max_tokens ? max_tokens : brk_json_get(inf, "maxTokens"), brk_json_get(inf, "stopSequences"));
    return out;
}

static cJSON *s_single_prompt(const char *prompt, const cJSON *max_tokens, const cJSON *stops)
{
    cJSON *out = cJSON_CreateObject();
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "user");
    cJSON *text = cJSON_CreateObject();
    cJSON_AddStringToObject(text, "text", prompt);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(msg, "content"), text);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "messages"), msg);
    s_inference(out, max_tokens, stops);
    return out;
}

static cJSON *s_map_prompt(const cJSON *body, const char *prompt_key, const cJSON *max_tokens, const cJSON *stops,
                           struct mock_response *resp)
{
    struct s_problems p = {.count = 0};
    brk_buf_init(&p.text, 4096);
    s_require(&p, body, prompt_key);
    if (!s_problems_report(&p, resp)) {
        return NULL;
    }
    const char *prompt = cJSON_GetStringValue(brk_json_get(body, prompt_key));
    return s_single_prompt(prompt ? prompt : "", max_tokens, stops);
}

cJSON *mock_invoke_map(const struct mock_model *model, const char *body, size_t len, struct mock_response *resp)
{
    enum mock_native kind = mock_native_kind(model);
    if (kind == MOCK_NATIVE_NONE) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "bedrock-mock does not simulate the native body of %s yet.",
                             model ? model->id : "this model");
        return NULL;
    }
    cJSON *json = cJSON_ParseWithLength(body ? body : "", len);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        mock_response_error(resp, BRK_AWS_VALIDATION, "Malformed input request" S_MALFORMED_SUFFIX);
        return NULL;
    }
    cJSON *out = NULL;
    const cJSON *gen = brk_json_get(json, "textGenerationConfig");
    switch (kind) {
    case MOCK_NATIVE_ANTHROPIC:
        out = s_map_anthropic(json, resp);
        break;
    case MOCK_NATIVE_NOVA:
        out = s_map_nova(json, resp);
        break;
    case MOCK_NATIVE_LLAMA:
        out = s_map_prompt(json, "prompt", brk_json_get(json, "max_gen_len"), NULL, resp);
        break;
    default:
        out = s_map_prompt(json, "inputText", brk_json_get(gen, "maxTokenCount"), brk_json_get(gen, "stopSequences"),
                           resp);
        break;
    }
    cJSON_Delete(json);
    return out;
}
