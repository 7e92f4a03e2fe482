/*
 * response.c: Converse answers parsed into struct brk_converse_response.
 *
 * Shapes from the service model (ConverseResponse, ContentBlock, ReasoningContentBlock,
 * CitationsContentBlock, TokenUsage, ConverseMetrics; shared/spec bedrock-runtime
 * service-2.json). Unknown members are ignored; a content block of an unknown kind is kept as
 * BRK_BLOCK_OTHER with its JSON. Allocation goes through common/alloc.h (cJSON too, once the
 * hooks are installed), so every out-of-memory path is reachable by the torture test.
 */
#include <string.h>

#include "client/client_priv.h"
#include "common/alloc.h"
#include "common/json.h"

struct brk_converse_response *client_response_new(void)
{
    return brk_calloc(1, sizeof(struct brk_converse_response));
}

void client_block_clean_up(struct brk_content_block *b)
{
    brk_free(b->text);
    brk_free(b->tool_use_id);
    brk_free(b->tool_name);
    brk_free(b->tool_input_json);
    brk_free(b->signature);
    brk_free(b->redacted_content);
    brk_free(b->citations_json);
    brk_free(b->raw_json);
    memset(b, 0, sizeof(*b));
}

void brk_converse_response_destroy(struct brk_converse_response *resp)
{
    if (resp == NULL) {
        return;
    }
    for (size_t i = 0; i < resp->message.n_blocks; i++) {
        client_block_clean_up(&resp->message.blocks[i]);
    }
    brk_free(resp->message.blocks);
    brk_free(resp->message.role);
    brk_free(resp->stop_reason);
    brk_free(resp->trace_json);
    brk_free(resp->performance_config_json);
    brk_free(resp->additional_fields_json);
    brk_free(resp->raw_json);
    brk_free(resp);
}

struct brk_content_block *client_message_add_block(struct brk_message *msg)
{
    struct brk_content_block *blocks = brk_realloc(msg->blocks, (msg->n_blocks + 1) * sizeof(*blocks));
    if (blocks == NULL) {
        return NULL;
    }
    msg->blocks = blocks;
    memset(&blocks[msg->n_blocks], 0, sizeof(*blocks));
    return &blocks[msg->n_blocks++];
}

void client_usage_parse(const cJSON *usage, struct brk_usage *out)
{
    out->input_tokens = brk_json_count(cJSON_GetObjectItemCaseSensitive(usage, "inputTokens"), 0);
    out->output_tokens = brk_json_count(cJSON_GetObjectItemCaseSensitive(usage, "outputTokens"), 0);
    out->total_tokens = brk_json_count(cJSON_GetObjectItemCaseSensitive(usage, "totalTokens"), 0);
    out->cache_read_input_tokens = brk_json_count(cJSON_GetObjectItemCaseSensitive(usage, "cacheReadInputTokens"), 0);
    out->cache_write_input_tokens = brk_json_count(cJSON_GetObjectItemCaseSensitive(usage, "cacheWriteInputTokens"), 0);
}

enum brk_status client_json_parse(const char *text, size_t len, cJSON **out)
{
    long failures = brk_alloc_failures();
    *out = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (*out != NULL) {
        return BRK_OK;
    }
    return brk_alloc_failures() != failures ? BRK_ERR_NOMEM : BRK_ERR_PARSE;
}

enum brk_status client_json_dup(const cJSON *item, char **out)
{
    *out = NULL;
    if (item == NULL) {
        return BRK_OK;
    }
    struct brk_buf b;
    brk_buf_init(&b, CLIENT_MAX_BODY_BYTES);
    enum brk_status rc = brk_json_print(item, &b);
    if (rc == BRK_OK) {
        *out = brk_strndup(b.data ? b.data : "", b.len);
        rc = *out ? BRK_OK : BRK_ERR_NOMEM;
    }
    brk_buf_clean_up(&b);
    return rc;
}

/* A copy of the string member `name` of obj (NULL when absent or not a string). */
static enum brk_status s_str(const cJSON *obj, const char *name, char **out)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
    *out = v ? brk_strdup(v) : NULL;
    return v && !*out ? BRK_ERR_NOMEM : BRK_OK;
}

static enum brk_status s_tool_use(const cJSON *tu, struct brk_content_block *b)
{
    b->type = BRK_BLOCK_TOOL_USE;
    enum brk_status rc = s_str(tu, "toolUseId", &b->tool_use_id);
    rc = rc == BRK_OK ? s_str(tu, "name", &b->tool_name) : rc;
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(tu, "input");
    if (rc == BRK_OK && input) {
        rc = client_json_dup(input, &b->tool_input_json);
    } else if (rc == BRK_OK) {
        b->tool_input_json = brk_strdup("{}");
        rc = b->tool_input_json ? BRK_OK : BRK_ERR_NOMEM;
    }
    return rc;
}

static enum brk_status s_reasoning(const cJSON *rc_json, struct brk_content_block *b)
{
    b->type = BRK_BLOCK_REASONING;
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(rc_json, "reasoningText");
    enum brk_status rc = s_str(rt, "text", &b->text);
    rc = rc == BRK_OK ? s_str(rt, "signature", &b->signature) : rc;
    return rc == BRK_OK ? s_str(rc_json, "redactedContent", &b->redacted_content) : rc;
}

/* citationsContent: the generated texts joined, the citations kept as JSON. */
static enum brk_status s_citations(const cJSON *cc, struct brk_content_block *b)
{
    b->type = BRK_BLOCK_CITATIONS;
    struct brk_buf text;
    brk_buf_init(&text, CLIENT_MAX_BODY_BYTES);
    enum brk_status rc = brk_buf_append(&text, "", 0);
    const cJSON *part;
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(cc, "content"))
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "text"));
        rc = rc == BRK_OK && t ? brk_buf_append_str(&text, t) : rc;
    }
    if (rc == BRK_OK) {
        b->text = brk_strndup(text.data, text.len);
        rc = b->text ? BRK_OK : BRK_ERR_NOMEM;
    }
    brk_buf_clean_up(&text);
    return rc == BRK_OK ? client_json_dup(cJSON_GetObjectItemCaseSensitive(cc, "citations"), &b->citations_json) : rc;
}

static enum brk_status s_block(const cJSON *item, struct brk_content_block *b)
{
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "text")) && cJSON_IsString(v)) {
        b->type = BRK_BLOCK_TEXT;
        return s_str(item, "text", &b->text);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "toolUse"))) {
        return s_tool_use(v, b);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "reasoningContent"))) {
        return s_reasoning(v, b);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "citationsContent"))) {
        return s_citations(v, b);
    }
    b->type = cJSON_GetObjectItemCaseSensitive(item, "image")      ? BRK_BLOCK_IMAGE
              : cJSON_GetObjectItemCaseSensitive(item, "document") ? BRK_BLOCK_DOCUMENT
                                                                   : BRK_BLOCK_OTHER;
    return client_json_dup(item, &b->raw_json);
}

static enum brk_status s_message(const cJSON *msg, struct brk_message *out, struct brk_error *err)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    if (!cJSON_IsObject(msg) || !cJSON_IsArray(content)) {
        return brk_error_setf(err, BRK_ERR_BAD_RESPONSE, "the answer has no output.message.content array");
    }
    enum brk_status rc = s_str(msg, "role", &out->role);
    const cJSON *item;
    cJSON_ArrayForEach(item, content)
    {
        struct brk_content_block *b = rc == BRK_OK ? client_message_add_block(out) : NULL;
        rc = b ? s_block(item, b) : rc == BRK_OK ? BRK_ERR_NOMEM : rc;
    }
    return rc == BRK_ERR_NOMEM ? brk_error_setf(err, rc, "out of memory while parsing the answer") : rc;
}

static enum brk_status s_response(const cJSON *root, struct brk_converse_response *resp, struct brk_error *err)
{
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "output"), "message");
    enum brk_status rc = s_message(msg, &resp->message, err);
    if (rc != BRK_OK) {
        return rc;
    }
    rc = s_str(root, "stopReason", &resp->stop_reason);
    client_usage_parse(cJSON_GetObjectItemCaseSensitive(root, "usage"), &resp->usage);
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    resp->latency_ms = (int64_t)brk_json_count(cJSON_GetObjectItemCaseSensitive(metrics, "latencyMs"), 0);
    rc = rc == BRK_OK ? client_json_dup(cJSON_GetObjectItemCaseSensitive(root, "trace"), &resp->trace_json) : rc;
    rc = rc == BRK_OK ? client_json_dup(cJSON_GetObjectItemCaseSensitive(root, "performanceConfig"),
                                        &resp->performance_config_json)
                      : rc;
    rc = rc == BRK_OK ? client_json_dup(cJSON_GetObjectItemCaseSensitive(root, "additionalModelResponseFields"),
                                        &resp->additional_fields_json)
                      : rc;
    return rc == BRK_OK ? BRK_OK : brk_error_setf(err, rc, "out of memory while parsing the answer");
}

enum brk_status brk_converse_response_parse(const char *json, size_t len, struct brk_converse_response **out,
                                            struct brk_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    if (client_json_parse(json, len, &root) == BRK_ERR_NOMEM) {
        return brk_error_setf(err, BRK_ERR_NOMEM, "out of memory while parsing the answer");
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return brk_error_setf(err, BRK_ERR_BAD_RESPONSE, "the answer is not a JSON object (%zu bytes)", len);
    }
    struct brk_converse_response *resp = client_response_new();
    enum brk_status rc = resp ? s_response(root, resp, err) : brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    cJSON_Delete(root);
    if (rc == BRK_OK && !(resp->raw_json = brk_strndup(json, len))) {
        rc = brk_error_setf(err, BRK_ERR_NOMEM, "out of memory while parsing the answer");
    }
    if (rc != BRK_OK) {
        brk_converse_response_destroy(resp);
        return rc;
    }
    *out = resp;
    return BRK_OK;
}
