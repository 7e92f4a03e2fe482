/*
 * response_json.c: a struct brk_converse_response written back as the Converse body it stands
 * for (the inverse of brk_converse_response_parse, for the members the struct keeps): what
 * bedrock-converse --json prints and what bedrock-scenario's expectations address by JSON
 * Pointer. Member names and nesting from the service model (ConverseResponse, ContentBlock,
 * ReasoningContentBlock, CitationsContentBlock, TokenUsage, ConverseMetrics).
 *
 * Thread-safe: reads the response only.
 */
#include "common/alloc.h"
#include "common/json.h"

#include "bedrock/client.h"

/* [{"text": text}], the content of a citations block. */
static cJSON *s_text_array(const char *text)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON *block = cJSON_CreateObject();
    cJSON_AddStringToObject(block, "text", text);
    cJSON_AddItemToArray(arr, block);
    return arr;
}

static void s_reasoning(cJSON *o, const struct brk_content_block *b)
{
    cJSON *inner = cJSON_AddObjectToObject(o, "reasoningContent");
    if (b->redacted_content) {
        cJSON_AddStringToObject(inner, "redactedContent", b->redacted_content);
        return;
    }
    cJSON *rt = cJSON_AddObjectToObject(inner, "reasoningText");
    cJSON_AddStringToObject(rt, "text", b->text ? b->text : "");
    if (b->signature) {
        cJSON_AddStringToObject(rt, "signature", b->signature);
    }
}

static cJSON *s_block_json(const struct brk_content_block *b)
{
    cJSON *o = cJSON_CreateObject(), *inner;
    switch (b->type) {
    case BRK_BLOCK_TEXT:
        cJSON_AddStringToObject(o, "text", b->text ? b->text : "");
        break;
    case BRK_BLOCK_TOOL_USE:
        inner = cJSON_AddObjectToObject(o, "toolUse");
        cJSON_AddStringToObject(inner, "toolUseId", b->tool_use_id ? b->tool_use_id : "");
        cJSON_AddStringToObject(inner, "name", b->tool_name ? b->tool_name : "");
        cJSON_AddItemToObject(inner, "input", cJSON_Parse(b->tool_input_json ? b->tool_input_json : "{}"));
        break;
    case BRK_BLOCK_REASONING:
        s_reasoning(o, b);
        break;
    case BRK_BLOCK_CITATIONS:
        inner = cJSON_AddObjectToObject(o, "citationsContent");
        cJSON_AddItemToObject(inner, "content", s_text_array(b->text ? b->text : ""));
        cJSON_AddItemToObject(inner, "citations", cJSON_Parse(b->citations_json ? b->citations_json : "[]"));
        break;
    default:
        cJSON_Delete(o);
        return cJSON_Parse(b->raw_json ? b->raw_json : "{}");
    }
    return o;
}

static void s_add_raw(cJSON *obj, const char *name, const char *json)
{
    if (json) {
        cJSON_AddItemToObject(obj, name, cJSON_Parse(json));
    }
}

static cJSON *s_response_json(const struct brk_converse_response *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *msg = cJSON_AddObjectToObject(cJSON_AddObjectToObject(root, "output"), "message");
    cJSON_AddStringToObject(msg, "role", r->message.role ? r->message.role : "assistant");
    cJSON *content = cJSON_AddArrayToObject(msg, "content");
    for (size_t i = 0; i < r->message.n_blocks; i++) {
        cJSON_AddItemToArray(content, s_block_json(&r->message.blocks[i]));
    }
    cJSON_AddStringToObject(root, "stopReason", r->stop_reason ? r->stop_reason : "");
    cJSON *u = cJSON_AddObjectToObject(root, "usage");
    cJSON_AddNumberToObject(u, "inputTokens", (double)r->usage.input_tokens);
    cJSON_AddNumberToObject(u, "outputTokens", (double)r->usage.output_tokens);
    cJSON_AddNumberToObject(u, "totalTokens", (double)r->usage.total_tokens);
    cJSON_AddNumberToObject(u, "cacheReadInputTokens", (double)r->usage.cache_read_input_tokens);
    cJSON_AddNumberToObject(u, "cacheWriteInputTokens", (double)r->usage.cache_write_input_tokens);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(root, "metrics"), "latencyMs", (double)r->latency_ms);
    s_add_raw(root, "trace", r->trace_json);
    s_add_raw(root, "performanceConfig", r->performance_config_json);
    s_add_raw(root, "additionalModelResponseFields", r->additional_fields_json);
    return root;
}

enum brk_status brk_converse_response_to_json(const struct brk_converse_response *resp, struct brk_buf *out)
{
    if (!resp || !out) {
        return BRK_ERR_INVALID_ARG;
    }
    cJSON *root = s_response_json(resp);
    enum brk_status rc = root ? brk_json_print(root, out) : BRK_ERR_NOMEM;
    cJSON_Delete(root);
    return rc;
}
