/* reply.c: the deterministic default answer and its Converse JSON form (see reply.h). */
#include "mock/model/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/hash.h"
#include "common/rng.h"
#include "common/tokens.h"
#include "common/converse_walk.h"
#include "mock/model/family.h"
#include "mock/model/schema_example.h"
#include "mock/model/structured.h"

#define S_ECHO_MAX 200

void mock_reply_init(struct mock_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    snprintf(reply->stop_reason, sizeof(reply->stop_reason), "end_turn");
}

void mock_reply_clean_up(struct mock_reply *reply)
{
    for (size_t i = 0; i < reply->n_blocks; i++) {
        struct mock_reply_block *b = &reply->blocks[i];
        free(b->text);
        free(b->signature);
        free(b->tool_use_id);
        free(b->tool_name);
        cJSON_Delete(b->tool_input);
    }
    reply->n_blocks = 0;
    cJSON_Delete(reply->trace);
    reply->trace = NULL;
}

struct mock_reply_block *mock_reply_add(struct mock_reply *reply, enum mock_block_kind kind)
{
    if (reply->n_blocks >= MOCK_MAX_REPLY_BLOCKS) {
        return NULL;
    }
    struct mock_reply_block *b = &reply->blocks[reply->n_blocks++];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    return b;
}

/* ---- generation --------------------------------------------------------------------- */

/* A stable 64-bit digest of the request body, so ids derived from it repeat exactly. */
static uint64_t s_body_digest(const struct mock_request *req)
{
    return brk_hash64(req->body, req->body_len);
}

/* "tooluse_" + 22 characters, the shape of Bedrock's tool use ids. */
static void s_tool_use_id(uint64_t digest, char out[31])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    memcpy(out, "tooluse_", 8);
    uint64_t x = digest;
    for (int i = 0; i < 22; i++) {
        x = brk_mix64(x);
        out[8 + i] = alphabet[x % 62];
    }
    out[30] = '\0';
}

static const cJSON *s_find_tool(const cJSON *json, const char *name)
{
    const cJSON *tool = NULL;
    cJSON_ArrayForEach(tool, brk_json_get(brk_json_get(json, "toolConfig"), "tools"))
    {
        const cJSON *spec = brk_json_get(tool, "toolSpec");
        const char *n = cJSON_GetStringValue(brk_json_get(spec, "name"));
        if (spec && (!name || (n && strcmp(n, name) == 0))) {
            return spec;
        }
    }
    return NULL;
}

/* The tool the request forces (toolChoice any -> first tool; tool -> that one), or NULL. */
static const cJSON *s_forced_tool(const cJSON *json)
{
    const cJSON *choice = brk_json_get(brk_json_get(json, "toolConfig"), "toolChoice");
    if (brk_json_get(choice, "any")) {
        return s_find_tool(json, NULL);
    }
    const cJSON *tool = brk_json_get(choice, "tool");
    return tool ? s_find_tool(json, cJSON_GetStringValue(brk_json_get(tool, "name"))) : NULL;
}

void mock_reply_tool_use_id(const struct mock_request *req, const char *salt, char out[31])
{
    /* The request id is drawn from the mock's seeded random source (pipeline/dispatch.c): a
     * fresh id for every response, as Bedrock issues, and the same sequence under --seed. */
    s_tool_use_id(brk_hash64(req->request_id, strlen(req->request_id)) ^ brk_hash64(salt, strlen(salt)), out);
}

static void s_add_tool_use(const struct mock_request *req, struct mock_reply *reply, const cJSON *spec)
{
    struct mock_reply_block *b = mock_reply_add(reply, MOCK_BLOCK_TOOL_USE);
    char id[31];
    const char *name = cJSON_GetStringValue(brk_json_get(spec, "name"));
    mock_reply_tool_use_id(req, name ? name : "", id);
    b->tool_use_id = strdup(id);
    b->tool_name = strdup(cJSON_GetStringValue(brk_json_get(spec, "name")));
    b->tool_input = mock_schema_example(brk_json_get(brk_json_get(spec, "inputSchema"), "json"));
    snprintf(reply->stop_reason, sizeof(reply->stop_reason), "tool_use");
}

/* The echo text: what the caller said last, so tests can predict (and stop-sequence) it. */
static char *s_echo_text(const cJSON *json)
{
    const cJSON *msg = brk_converse_last_user_message(json);
    const char *said = NULL;
    bool tool_result = false;
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, brk_json_get(msg, "content"))
    {
        const char *t = cJSON_GetStringValue(brk_json_get(block, "text"));
        said = t && t[0] ? t : said;
        tool_result = tool_result || brk_json_get(block, "toolResult");
    }
    struct brk_buf out;
    brk_buf_init(&out, 4096);
    brk_buf_append_str(&out, tool_result ? "Thanks, I received the tool result." : "This is a mock response.");
    if (said) {
        size_t n = strlen(said);
        brk_buf_append_str(&out, " You said: ");
        brk_buf_append(&out, said, n > S_ECHO_MAX ? S_ECHO_MAX : n);
    }
    return brk_buf_detach(&out, NULL);
}

/* With structured output (model/structured.h), the answer is JSON text that satisfies the
 * schema, printed compactly as Claude writes it; NULL without (or with a malformed) schema. */
static char *s_structured_text(const struct mock_request *req)
{
    struct mock_structured so;
    mock_structured_find(req->json, req->model.model, &so);
    cJSON *example = so.schema ? mock_schema_example(so.schema) : NULL;
    char *text = example ? cJSON_PrintUnformatted(example) : NULL;
    cJSON_Delete(example);
    mock_structured_clean_up(&so);
    return text;
}

static bool s_reasoning_requested(const struct mock_request *req)
{
    const cJSON *extra = brk_json_get(req->json, "additionalModelRequestFields");
    const cJSON *thinking = brk_json_get(extra, "thinking");
    const char *type = cJSON_GetStringValue(brk_json_get(thinking, "type"));
    const cJSON *nova = brk_json_get(brk_json_get(extra, "reasoningConfig"), "type");
    const struct mock_model *m = req->model.model;
    bool on = (type && strcmp(type, "enabled") == 0) ||
              (cJSON_GetStringValue(nova) && strcmp(nova->valuestring, "enabled") == 0) ||
              (m && strcmp(m->reasoning_shape, "response_only") == 0); /* DeepSeek R1 always reasons */
    return on && m && m->reasoning;
}

uint64_t mock_reply_max_tokens(const cJSON *input, const struct mock_model *model)
{
    const cJSON *mt = brk_json_get(brk_json_get(input, "inferenceConfig"), "maxTokens");
    if (cJSON_IsNumber(mt) && mt->valuedouble >= 1) {
        /* InvokeModel bodies reach here without the schema's integer check: brk_json_count
         * saturates (fuzz/corpus/request_pipeline/regression_invoke_huge_max_tokens). */
        return brk_json_count(mt, 0);
    }
    return model && model->max_output_tokens ? model->max_output_tokens : 4096;
}

void mock_reply_generate(const struct brk_mock *mock, const struct mock_request *req, struct mock_reply *reply)
{
    (void)mock;
    /* The body's digest only seeds a reasoning signature: hashed when one is made. */
    reply->max_tokens = mock_reply_max_tokens(req->json, req->model.model);
    struct brk_token_profile profile;
    mock_model_token_profile(req->model.model, &profile);
    reply->input_tokens = mock_request_input_tokens(req); /* counted once per request */
    reply->cache.always = profile.cache_fields_always;
    if (s_reasoning_requested(req)) {
        struct mock_reply_block *r = mock_reply_add(reply, MOCK_BLOCK_REASONING);
        r->text = strdup("Let me think about this request step by step.");
        char sig[31];
        s_tool_use_id(s_body_digest(req) ^ 0x5151, sig);
        r->signature = strdup(sig + 8);
    }
    const cJSON *tool = s_forced_tool(req->json);
    if (tool) {
        s_add_tool_use(req, reply, tool);
    } else {
        struct mock_reply_block *t = mock_reply_add(reply, MOCK_BLOCK_TEXT);
        t->text = s_structured_text(req);
        t->text = t->text ? t->text : s_echo_text(req->json);
    }
    mock_reply_finish(reply, req->json);
}

/* Cut text at the first stop sequence; true when one was found. */
static bool s_apply_stop_sequences(char *text, const cJSON *request_json)
{
    const cJSON *seq = NULL;
    char *cut = NULL;
    cJSON_ArrayForEach(seq, brk_json_get(brk_json_get(request_json, "inferenceConfig"), "stopSequences"))
    {
        const char *s = cJSON_GetStringValue(seq);
        char *hit = s && s[0] ? strstr(text, s) : NULL;
        if (hit && (!cut || hit < cut)) {
            cut = hit;
        }
    }
    if (cut) {
        *cut = '\0';
    }
    return cut != NULL;
}

void mock_reply_finish(struct mock_reply *reply, const cJSON *request_json)
{
    uint64_t used = 0;
    for (size_t i = 0; i < reply->n_blocks; i++) {
        struct mock_reply_block *b = &reply->blocks[i];
        if (b->kind == MOCK_BLOCK_TOOL_USE) {
            char *in = cJSON_PrintUnformatted(b->tool_input);
            used += brk_tokens_estimate_str(b->tool_name) + brk_tokens_estimate_str(in);
            free(in);
            continue;
        }
        if (b->kind == MOCK_BLOCK_TEXT && s_apply_stop_sequences(b->text, request_json)) {
            snprintf(reply->stop_reason, sizeof(reply->stop_reason), "stop_sequence");
        }
        uint64_t t = brk_tokens_estimate_str(b->text);
        if (reply->max_tokens && used + t > reply->max_tokens) {
            size_t keep = brk_tokens_prefix_len(b->text, strlen(b->text), reply->max_tokens - used);
            b->text[keep] = '\0';
            t = brk_tokens_estimate_str(b->text);
            snprintf(reply->stop_reason, sizeof(reply->stop_reason), "max_tokens");
        }
        used += t;
    }
    reply->output_tokens = used;
}

/* ---- serialisation ------------------------------------------------------------------ */

cJSON *mock_reply_usage_json(const struct mock_reply *reply)
{
    cJSON *u = cJSON_CreateObject();
    const struct mock_cache_usage *c = &reply->cache;
    uint64_t total = reply->input_tokens + reply->output_tokens + c->read_tokens + c->write_tokens;
    cJSON_AddNumberToObject(u, "inputTokens", (double)reply->input_tokens);
    cJSON_AddNumberToObject(u, "outputTokens", (double)reply->output_tokens);
    cJSON_AddNumberToObject(u, "totalTokens", (double)total);
    if (c->involved || c->always) {
        cJSON_AddNumberToObject(u, "cacheReadInputTokens", (double)c->read_tokens);
        cJSON_AddNumberToObject(u, "cacheWriteInputTokens", (double)c->write_tokens);
    }
    if (c->involved) {
        cJSON *details = cJSON_AddArrayToObject(u, "cacheDetails");
        const char *ttls[] = {"1h", "5m"};
        const uint64_t amounts[] = {c->write_1h_tokens, c->write_5m_tokens};
        for (int i = 0; i < 2; i++) {
            if (amounts[i]) {
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "ttl", ttls[i]);
                cJSON_AddNumberToObject(d, "inputTokens", (double)amounts[i]);
                cJSON_AddItemToArray(details, d);
            }
        }
    }
    return u;
}

static cJSON *s_block_json(const struct mock_reply_block *b)
{
    cJSON *o = cJSON_CreateObject();
    if (b->kind == MOCK_BLOCK_TEXT) {
        cJSON_AddStringToObject(o, "text", b->text);
    } else if (b->kind == MOCK_BLOCK_TOOL_USE) {
        cJSON *tu = cJSON_AddObjectToObject(o, "toolUse");
        cJSON_AddStringToObject(tu, "toolUseId", b->tool_use_id);
        cJSON_AddStringToObject(tu, "name", b->tool_name);
        cJSON_AddItemToObject(tu, "input", b->tool_input ? cJSON_Duplicate(b->tool_input, 1) : cJSON_CreateObject());
    } else {
        cJSON *rc = cJSON_AddObjectToObject(o, "reasoningContent");
        cJSON *rt = cJSON_AddObjectToObject(rc, "reasoningText");
        cJSON_AddStringToObject(rt, "text", b->text);
        if (b->signature) {
            cJSON_AddStringToObject(rt, "signature", b->signature);
        }
    }
    return o;
}

cJSON *mock_reply_converse_json(const struct mock_reply *reply)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *output = cJSON_AddObjectToObject(root, "output");
    cJSON *message = cJSON_AddObjectToObject(output, "message");
    cJSON_AddStringToObject(message, "role", "assistant");
    cJSON *content = cJSON_AddArrayToObject(message, "content");
    for (size_t i = 0; i < reply->n_blocks; i++) {
        cJSON_AddItemToArray(content, s_block_json(&reply->blocks[i]));
    }
    cJSON_AddStringToObject(root, "stopReason", reply->stop_reason);
    cJSON *metrics = cJSON_AddObjectToObject(root, "metrics");
    cJSON_AddNumberToObject(metrics, "latencyMs", (double)reply->latency_ms);
    cJSON_AddItemToObject(root, "usage", mock_reply_usage_json(reply));
    if (reply->trace) {
        cJSON_AddItemToObject(root, "trace", cJSON_Duplicate(reply->trace, 1));
    }
    return root;
}
