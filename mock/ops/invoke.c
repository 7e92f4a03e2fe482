/*
 * invoke.c: InvokeModel and InvokeModelWithResponseStream (see invoke.h).
 *
 * Both build the reply exactly like Converse (mock_converse_build_reply on the mapped body),
 * then print it in the model's native shape. The stream reuses the ConverseStream event
 * sequence and translates each event into the model's native stream chunks, each sent as a
 * `chunk` event {"bytes": base64(JSON)}; the last chunk carries
 * "amazon-bedrock-invocationMetrics". Shapes and sources: docs/operations.md.
 */
#include "mock/ops/invoke.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/json.h"
#include "common/rng.h"
#include "common/converse_walk.h"
#include "common/token_profile.h"
#include "mock/model/family.h"
#include "mock/model/reply.h"
#include "mock/ops/stream.h"
#include "mock/ops/ops.h"
#include "mock/validate/model_fields.h"

#define S_QUEUE 4

/* "anthropic.claude-3-haiku-20240307-v1:0" -> "claude-3-haiku-20240307", the name Claude
 * reports in its `model` field. */
static void s_model_name(const struct mock_model *m, char *out, size_t out_len)
{
    const char *dot = strchr(m->id, '.');
    snprintf(out, out_len, "%s", dot ? dot + 1 : m->id);
    char *v = strstr(out, "-v");
    while (v && strstr(v + 2, "-v")) {
        v = strstr(v + 2, "-v");
    }
    if (v && v[2] >= '0' && v[2] <= '9') {
        *v = '\0';
    }
}

/* "msg_bdrk_" + 24 characters, the shape of Bedrock's Claude message ids. */
static void s_message_id(struct brk_mock *mock, char out[34])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint64_t x = brk_rng_next(&mock->rng);
    memcpy(out, "msg_bdrk_", 9);
    for (int i = 0; i < 24; i++) {
        x = brk_mix64(x);
        out[9 + i] = alphabet[x % 62];
    }
    out[33] = '\0';
}

static char *s_tool_id(const char *tool_use_id)
{
    char out[64];
    const char *tail = tool_use_id && strncmp(tool_use_id, "tooluse_", 8) == 0 ? tool_use_id + 8 : tool_use_id;
    snprintf(out, sizeof(out), "toolu_bdrk_%s", tail ? tail : "");
    return strdup(out);
}

/* Embeddings are no conversation: count the texts with the one estimator, generate no text. */
static void s_embed_reply(const struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                          struct mock_response *resp)
{
    struct brk_token_profile profile;
    mock_model_token_profile(req->model.model, &profile);
    reply->input_tokens = brk_converse_input_tokens(req->json, &profile);
    snprintf(reply->stop_reason, sizeof(reply->stop_reason), "end_turn");
    resp->usage = (struct mock_usage_report){true, reply->input_tokens, 0, 0, 0};
    reply->latency_ms = mock_answer_latency_ms(mock, req, resp);
}

static const struct mock_native_format *s_prepare(struct brk_mock *mock, struct mock_request *req,
                                                  struct mock_reply *reply, struct mock_response *resp)
{
    const struct mock_native_format *f = NULL;
    cJSON *mapped = mock_invoke_map(req->model.model, req->body, req->body_len, resp, &f);
    if (!mapped) {
        return NULL;
    }
    /* From here the request reads like a Converse request: the reply, caching and the journal's
     * cache-point counts all see the mapped body. */
    mock_request_set_json(req, mapped);
    const cJSON *tool_config = brk_json_get(mapped, "toolConfig");
    if (f->map == MOCK_MAP_ANTHROPIC && !mock_validate_model_rules(req, tool_config, resp)) {
        return NULL; /* Claude's own validator: the texts and code of Converse */
    }
    if (f->map == MOCK_MAP_EMBED) {
        s_embed_reply(mock, req, reply, resp);
    } else {
        mock_converse_build_reply(mock, req, reply, resp);
    }
    return f;
}

static char *s_all_text(const struct mock_reply *reply)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 26);
    for (size_t i = 0; i < reply->n_blocks; i++) {
        if (reply->blocks[i].kind == MOCK_BLOCK_TEXT && reply->blocks[i].text) {
            brk_buf_append_str(&b, reply->blocks[i].text);
        }
    }
    return brk_buf_detach(&b, NULL);
}

/* The native name of a Converse stop reason. */
static const char *s_stop_name(const struct mock_native_format *f, const char *stop_reason)
{
    static const char *const converse[] = {"end_turn", "max_tokens", "stop_sequence", "tool_use"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(stop_reason, converse[i]) == 0 && f->resp.stop_names[i]) {
            return f->resp.stop_names[i];
        }
    }
    return f->resp.stop_names[0] ? f->resp.stop_names[0] : stop_reason;
}

/* ---- InvokeModel -------------------------------------------------------------------- */

static cJSON *s_anthropic_content(const struct mock_reply_block *b)
{
    cJSON *o = cJSON_CreateObject();
    if (b->kind == MOCK_BLOCK_TEXT) {
        cJSON_AddStringToObject(o, "type", "text");
        cJSON_AddStringToObject(o, "text", b->text);
    } else if (b->kind == MOCK_BLOCK_TOOL_USE) {
        char *id = s_tool_id(b->tool_use_id);
        cJSON_AddStringToObject(o, "type", "tool_use");
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "name", b->tool_name);
        cJSON_AddItemToObject(o, "input", b->tool_input ? cJSON_Duplicate(b->tool_input, 1) : cJSON_CreateObject());
        free(id);
    } else {
        cJSON_AddStringToObject(o, "type", "thinking");
        cJSON_AddStringToObject(o, "thinking", b->text);
        cJSON_AddStringToObject(o, "signature", b->signature ? b->signature : "");
    }
    return o;
}

static cJSON *s_anthropic_usage(const struct mock_reply *reply, uint64_t output_tokens)
{
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "input_tokens", (double)reply->input_tokens);
    if (reply->cache.involved) {
        cJSON_AddNumberToObject(u, "cache_creation_input_tokens", (double)reply->cache.write_tokens);
        cJSON_AddNumberToObject(u, "cache_read_input_tokens", (double)reply->cache.read_tokens);
    }
    cJSON_AddNumberToObject(u, "output_tokens", (double)output_tokens);
    return u;
}

static cJSON *s_render_anthropic(struct brk_mock *mock, const struct mock_request *req, const struct mock_reply *r)
{
    char id[34], model[128];
    s_message_id(mock, id);
    s_model_name(req->model.model, model, sizeof(model));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "type", "message");
    cJSON_AddStringToObject(o, "role", "assistant");
    cJSON_AddStringToObject(o, "model", model);
    cJSON *content = cJSON_AddArrayToObject(o, "content");
    for (size_t i = 0; i < r->n_blocks; i++) {
        cJSON_AddItemToArray(content, s_anthropic_content(&r->blocks[i]));
    }
    cJSON_AddStringToObject(o, "stop_reason", r->stop_reason);
    cJSON_AddNullToObject(o, "stop_sequence");
    cJSON_AddItemToObject(o, "usage", s_anthropic_usage(r, r->output_tokens));
    return o;
}

static cJSON *s_render_nova(const struct mock_reply *r)
{
    cJSON *o = mock_reply_converse_json(r);
    cJSON_DeleteItemFromObject(o, "metrics");
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "inputTokens", (double)r->input_tokens);
    cJSON_AddNumberToObject(u, "outputTokens", (double)r->output_tokens);
    cJSON_AddNumberToObject(u, "totalTokens", (double)(r->input_tokens + r->output_tokens));
    cJSON_AddNumberToObject(u, "cacheReadInputTokenCount", (double)r->cache.read_tokens);
    cJSON_AddNumberToObject(u, "cacheWriteInputTokenCount", (double)r->cache.write_tokens);
    cJSON_ReplaceItemInObject(o, "usage", u);
    return o;
}

/* What a template's "$..." strings become; a negative count or NULL string prints null. */
struct s_fill {
    const char *text;
    double in, out;
    const char *stop;
    const char *id;
    const char *model;
    double created;
    const char *prompt;
    const cJSON *vectors; /* a list of vectors */
    const cJSON *texts;
};

static cJSON *s_count_or_null(double v)
{
    return v >= 0 ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *s_string_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The value of placeholder `name`, or NULL when it is no placeholder (kept as written). */
static cJSON *s_placeholder(const char *name, const struct s_fill *v)
{
    static const char *const names[] = {"$text",  "$in",      "$out",    "$total",  "$stop",    "$id",
                                        "$model", "$created", "$prompt", "$vector", "$vectors", "$texts"};
    size_t i = 0;
    while (i < sizeof(names) / sizeof(names[0]) && strcmp(name, names[i]) != 0) {
        i++;
    }
    switch (i) {
    case 0:
        return cJSON_CreateString(v->text ? v->text : "");
    case 1:
        return s_count_or_null(v->in);
    case 2:
        return s_count_or_null(v->out);
    case 3:
        return s_count_or_null(v->in >= 0 && v->out >= 0 ? v->in + v->out : -1);
    case 4:
        return s_string_or_null(v->stop);
    case 5:
        return s_string_or_null(v->id);
    case 6:
        return s_string_or_null(v->model);
    case 7:
        return cJSON_CreateNumber(v->created);
    case 8:
        return s_string_or_null(v->prompt);
    case 9:
        return v->vectors ? cJSON_Duplicate(cJSON_GetArrayItem(v->vectors, 0), 1) : cJSON_CreateArray();
    case 10:
        return v->vectors ? cJSON_Duplicate(v->vectors, 1) : cJSON_CreateArray();
    case 11:
        return v->texts ? cJSON_Duplicate(v->texts, 1) : cJSON_CreateArray();
    default:
        return NULL;
    }
}

static void s_fill_tree(cJSON *node, const struct s_fill *v)
{
    cJSON *child = node ? node->child : NULL;
    while (child) {
        cJSON *next = child->next;
        cJSON *value =
            cJSON_IsString(child) && child->valuestring[0] == '$' ? s_placeholder(child->valuestring, v) : NULL;
        if (value && cJSON_IsObject(node)) {
            cJSON_ReplaceItemInObjectCaseSensitive(node, child->string, value);
        } else if (value) {
            cJSON_ReplaceItemViaPointer(node, child, value);
        } else {
            s_fill_tree(child, v);
        }
        child = next;
    }
}

/* A template (constant JSON: tests/test_invoke_families.c answers with every one) filled in. */
static cJSON *s_render_template(const char *tmpl, const struct s_fill *v)
{
    cJSON *doc = cJSON_Parse(tmpl);
    s_fill_tree(doc, v);
    return doc ? doc : cJSON_CreateObject();
}

/* The fill of an InvokeModel answer: the whole text, every count. */
static void s_fill_reply(struct brk_mock *mock, const struct mock_request *req, const struct mock_native_format *f,
                         const struct mock_reply *r, struct s_fill *v)
{
    memset(v, 0, sizeof(*v));
    v->text = NULL; /* set by the caller, who owns it */
    v->in = (double)r->input_tokens;
    v->out = (double)r->output_tokens;
    v->stop = s_stop_name(f, r->stop_reason);
    v->created = (double)(brk_clock_now_ms(mock->clock) / 1000);
    v->model = req->model.model->id;
}

static void s_header_number(struct mock_response *resp, const char *name, uint64_t v)
{
    char text[32];
    snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
    mock_response_add_header(resp, name, text);
}

/* Token counts in headers, as Bedrock sends them on InvokeModel. */
static void s_usage_headers(struct mock_response *resp, const struct mock_reply *r)
{
    s_header_number(resp, "X-Amzn-Bedrock-Invocation-Latency", r->latency_ms);
    s_header_number(resp, "X-Amzn-Bedrock-Output-Token-Count", r->output_tokens);
    s_header_number(resp, "X-Amzn-Bedrock-Input-Token-Count", r->input_tokens);
    if (r->cache.involved) {
        s_header_number(resp, "X-Amzn-Bedrock-Cache-Read-Input-Token-Count", r->cache.read_tokens);
        s_header_number(resp, "X-Amzn-Bedrock-Cache-Write-Input-Token-Count", r->cache.write_tokens);
    }
}

/* The template answer: the reply's text, or the vectors of an embedding model. */
static cJSON *s_render_filled(struct brk_mock *mock, const struct mock_request *req, const struct mock_native_format *f,
                              const struct mock_reply *r)
{
    struct s_fill v;
    char id[37];
    s_fill_reply(mock, req, f, r, &v);
    brk_rng_uuid(&mock->rng, id);
    v.id = id;
    char *text = s_all_text(r);
    v.text = text;
    const cJSON *turn = cJSON_GetArrayItem(brk_json_get(req->json, "messages"), 0);
    v.prompt = cJSON_GetStringValue(brk_json_get(cJSON_GetArrayItem(brk_json_get(turn, "content"), 0), "text"));
    cJSON *native = f->map == MOCK_MAP_EMBED ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
    cJSON *vectors = native ? mock_embed_vectors(f, req->json, native) : NULL;
    v.vectors = vectors;
    v.texts = brk_json_get(native, f->req.prompt);
    if (f->map == MOCK_MAP_EMBED) {
        v.out = -1;
    }
    cJSON *doc = s_render_template(f->resp.body, &v);
    cJSON_Delete(vectors);
    cJSON_Delete(native);
    free(text);
    return doc;
}

void mock_op_invoke_model(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_reply reply;
    mock_reply_init(&reply);
    const struct mock_native_format *f = s_prepare(mock, req, &reply, resp);
    if (f) {
        cJSON *doc = f->render == MOCK_RENDER_ANTHROPIC ? s_render_anthropic(mock, req, &reply)
                     : f->render == MOCK_RENDER_NOVA    ? s_render_nova(&reply)
                                                        : s_render_filled(mock, req, f, &reply);
        mock_response_json(resp, 200, doc);
        s_usage_headers(resp, &reply);
        cJSON_Delete(doc);
    }
    mock_reply_clean_up(&reply);
}

/* ---- InvokeModelWithResponseStream -------------------------------------------------- */

struct s_native {
    struct mock_event_source inner; /* the ConverseStream sequence of the reply */
    const struct mock_native_format *format;
    double created;
    cJSON *queue[S_QUEUE]; /* native chunks waiting to be sent */
    size_t head, n;
    bool started[MOCK_MAX_REPLY_BLOCKS];
    bool first_text_sent;
    char stop_reason[40];
    char model[128];
    char id[40];
    struct mock_reply usage; /* counts only (no blocks), for message_start */
};

static void s_push(struct s_native *s, cJSON *chunk)
{
    if (s->n < S_QUEUE) {
        s->queue[(s->head + s->n++) % S_QUEUE] = chunk;
    } else {
        cJSON_Delete(chunk);
    }
}

static cJSON *s_typed(const char *type)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    return o;
}

/* {"amazon-bedrock-invocationMetrics": ...} from a metadata event's usage and metrics. */
static void s_add_metrics(cJSON *chunk, const cJSON *meta)
{
    const cJSON *u = brk_json_get(meta, "usage");
    double latency = cJSON_GetNumberValue(brk_json_get(brk_json_get(meta, "metrics"), "latencyMs"));
    cJSON *m = cJSON_AddObjectToObject(chunk, "amazon-bedrock-invocationMetrics");
    cJSON_AddNumberToObject(m, "inputTokenCount", cJSON_GetNumberValue(brk_json_get(u, "inputTokens")));
    cJSON_AddNumberToObject(m, "outputTokenCount", cJSON_GetNumberValue(brk_json_get(u, "outputTokens")));
    cJSON_AddNumberToObject(m, "invocationLatency", latency);
    cJSON_AddNumberToObject(m, "firstByteLatency", (double)((long long)latency / 2));
    if (brk_json_get(u, "cacheReadInputTokens")) {
        cJSON_AddNumberToObject(m, "cacheReadInputTokenCount",
                                cJSON_GetNumberValue(brk_json_get(u, "cacheReadInputTokens")));
        cJSON_AddNumberToObject(m, "cacheWriteInputTokenCount",
                                cJSON_GetNumberValue(brk_json_get(u, "cacheWriteInputTokens")));
    }
}

static void s_anthropic_start_block(struct s_native *s, int index, const char *type)
{
    if (index < 0 || index >= MOCK_MAX_REPLY_BLOCKS || s->started[index]) {
        return;
    }
    s->started[index] = true;
    cJSON *c = s_typed("content_block_start");
    cJSON_AddNumberToObject(c, "index", index);
    cJSON *block = cJSON_AddObjectToObject(c, "content_block");
    cJSON_AddStringToObject(block, "type", type);
    cJSON_AddStringToObject(block, type, "");
    if (strcmp(type, "thinking") == 0) {
        cJSON_AddStringToObject(block, "signature", "");
    }
    s_push(s, c);
}

static void s_anthropic_delta(struct s_native *s, const cJSON *p)
{
    int index = (int)cJSON_GetNumberValue(brk_json_get(p, "contentBlockIndex"));
    const cJSON *d = brk_json_get(p, "delta");
    const cJSON *rc = brk_json_get(d, "reasoningContent");
    cJSON *c = s_typed("content_block_delta");
    cJSON_AddNumberToObject(c, "index", index);
    cJSON *delta = cJSON_AddObjectToObject(c, "delta");
    if (brk_json_get(d, "text")) {
        s_anthropic_start_block(s, index, "text");
        cJSON_AddStringToObject(delta, "type", "text_delta");
        cJSON_AddItemToObject(delta, "text", cJSON_Duplicate(brk_json_get(d, "text"), 1));
    } else if (brk_json_get(d, "toolUse")) {
        cJSON_AddStringToObject(delta, "type", "input_json_delta");
        cJSON_AddItemToObject(delta, "partial_json",
                              cJSON_Duplicate(brk_json_get(brk_json_get(d, "toolUse"), "input"), 1));
    } else if (brk_json_get(rc, "text")) {
        s_anthropic_start_block(s, index, "thinking");
        cJSON_AddStringToObject(delta, "type", "thinking_delta");
        cJSON_AddItemToObject(delta, "thinking", cJSON_Duplicate(brk_json_get(rc, "text"), 1));
    } else {
        cJSON_AddStringToObject(delta, "type", "signature_delta");
        cJSON_AddItemToObject(delta, "signature", cJSON_Duplicate(brk_json_get(rc, "signature"), 1));
    }
    s_push(s, c);
}

static void s_anthropic_event(struct s_native *s, const char *type, const cJSON *p)
{
    cJSON *c = NULL;
    if (strcmp(type, "messageStart") == 0) {
        c = s_typed("message_start");
        cJSON *m = cJSON_AddObjectToObject(c, "message");
        cJSON_AddStringToObject(m, "id", s->id);
        cJSON_AddStringToObject(m, "type", "message");
        cJSON_AddStringToObject(m, "role", "assistant");
        cJSON_AddStringToObject(m, "model", s->model);
        cJSON_AddArrayToObject(m, "content");
        cJSON_AddNullToObject(m, "stop_reason");
        cJSON_AddNullToObject(m, "stop_sequence");
        cJSON_AddItemToObject(m, "usage", s_anthropic_usage(&s->usage, 1));
    } else if (strcmp(type, "contentBlockStart") == 0) {
        int index = (int)cJSON_GetNumberValue(brk_json_get(p, "contentBlockIndex"));
        const cJSON *tu = brk_json_get(brk_json_get(p, "start"), "toolUse");
        char *id = s_tool_id(cJSON_GetStringValue(brk_json_get(tu, "toolUseId")));
        c = s_typed("content_block_start");
        cJSON_AddNumberToObject(c, "index", index);
        cJSON *block = cJSON_AddObjectToObject(c, "content_block");
        cJSON_AddStringToObject(block, "type", "tool_use");
        cJSON_AddStringToObject(block, "id", id);
        cJSON_AddItemToObject(block, "name", cJSON_Duplicate(brk_json_get(tu, "name"), 1));
        cJSON_AddObjectToObject(block, "input");
        free(id);
        if (index >= 0 && index < MOCK_MAX_REPLY_BLOCKS) {
            s->started[index] = true;
        }
    } else if (strcmp(type, "contentBlockDelta") == 0) {
        s_anthropic_delta(s, p);
    } else if (strcmp(type, "contentBlockStop") == 0) {
        c = s_typed("content_block_stop");
        cJSON_AddNumberToObject(c, "index", cJSON_GetNumberValue(brk_json_get(p, "contentBlockIndex")));
    } else if (strcmp(type, "messageStop") == 0) {
        snprintf(s->stop_reason, sizeof(s->stop_reason), "%s", cJSON_GetStringValue(brk_json_get(p, "stopReason")));
    } else if (strcmp(type, "metadata") == 0) {
        c = s_typed("message_delta");
        cJSON *d = cJSON_AddObjectToObject(c, "delta");
        cJSON_AddStringToObject(d, "stop_reason", s->stop_reason);
        cJSON_AddNullToObject(d, "stop_sequence");
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(c, "usage"), "output_tokens",
                                cJSON_GetNumberValue(brk_json_get(brk_json_get(p, "usage"), "outputTokens")));
        s_push(s, c);
        c = s_typed("message_stop");
        s_add_metrics(c, p);
    }
    if (c) {
        s_push(s, c);
    }
}

/* Nova streams Converse's events, each wrapped as {"<eventName>": payload}. */
static void s_nova_event(struct s_native *s, const char *type, const cJSON *p)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *inner = cJSON_Duplicate(p, 1);
    cJSON_DeleteItemFromObject(inner, "p");
    cJSON_AddItemToObject(c, type, inner);
    if (strcmp(type, "metadata") == 0) {
        s_add_metrics(c, p);
    }
    s_push(s, c);
}

/* Template formats stream text pieces; the first carries the input count, the last the
 * output count, the stop reason and the invocation metrics. */
static void s_template_event(struct s_native *s, const char *type, const cJSON *p)
{
    const struct mock_native_format *f = s->format;
    const char *text = cJSON_GetStringValue(brk_json_get(brk_json_get(p, "delta"), "text"));
    bool meta = strcmp(type, "metadata") == 0;
    if (strcmp(type, "messageStop") == 0) {
        snprintf(s->stop_reason, sizeof(s->stop_reason), "%s", cJSON_GetStringValue(brk_json_get(p, "stopReason")));
    }
    if (!text && !meta) {
        return;
    }
    struct s_fill v = {
        .text = text ? text : "", .in = -1, .out = -1, .id = s->id, .model = s->model, .created = s->created};
    v.in = s->first_text_sent ? -1 : (double)s->usage.input_tokens;
    s->first_text_sent = true;
    if (meta) {
        v.out = cJSON_GetNumberValue(brk_json_get(brk_json_get(p, "usage"), "outputTokens"));
        v.stop = s_stop_name(f, s->stop_reason);
    }
    cJSON *c = s_render_template(meta && f->resp.last_chunk ? f->resp.last_chunk : f->resp.chunk, &v);
    if (meta) {
        s_add_metrics(c, p);
    }
    s_push(s, c);
}

static bool s_native_next(void *ctx, struct mock_stream_event *ev)
{
    struct s_native *s = ctx;
    while (s->n == 0) {
        struct mock_stream_event in;
        memset(&in, 0, sizeof(in));
        if (!s->inner.next(s->inner.ctx, &in)) {
            return false;
        }
        if (s->format->render == MOCK_RENDER_ANTHROPIC) {
            s_anthropic_event(s, in.type, in.payload);
        } else if (s->format->render == MOCK_RENDER_NOVA) {
            s_nova_event(s, in.type, in.payload);
        } else {
            s_template_event(s, in.type, in.payload);
        }
        cJSON_Delete(in.payload);
    }
    cJSON *chunk = s->queue[s->head];
    s->head = (s->head + 1) % S_QUEUE;
    s->n--;
    char *json = cJSON_PrintUnformatted(chunk);
    cJSON_Delete(chunk);
    struct brk_buf b64;
    brk_buf_init(&b64, SIZE_MAX);
    if (json) {
        brk_base64_encode(json, strlen(json), &b64); /* only NOMEM can fail: then "" as before */
    }
    snprintf(ev->type, sizeof(ev->type), "chunk");
    ev->payload = cJSON_CreateObject();
    cJSON_AddStringToObject(ev->payload, "bytes", b64.data ? b64.data : "");
    free(json);
    brk_buf_clean_up(&b64);
    return true;
}

static void s_native_free(void *ctx)
{
    struct s_native *s = ctx;
    if (!s) {
        return;
    }
    if (s->inner.free_fn) {
        s->inner.free_fn(s->inner.ctx);
    }
    for (size_t i = 0; i < s->n; i++) {
        cJSON_Delete(s->queue[(s->head + i) % S_QUEUE]);
    }
    free(s);
}

/* Embedding models have no stream (catalogue: "streaming": false); the text is inferred:
 * bedrock-facts.md records none. */
#define S_MSG_NO_STREAM "The model is unsupported for streaming."

void mock_op_invoke_model_stream(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!req->model.model->streaming) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_NO_STREAM);
        return;
    }
    struct mock_reply reply;
    mock_reply_init(&reply);
    struct s_native *s = calloc(1, sizeof(*s));
    if (!s || !(s->format = s_prepare(mock, req, &reply, resp))) {
        free(s);
        mock_reply_clean_up(&reply);
        return;
    }
    s->usage.input_tokens = reply.input_tokens;
    s->usage.cache = reply.cache;
    s->created = (double)(brk_clock_now_ms(mock->clock) / 1000);
    s_model_name(req->model.model, s->model, sizeof(s->model));
    if (s->format->render == MOCK_RENDER_ANTHROPIC) {
        s_message_id(mock, s->id);
    } else {
        brk_rng_uuid(&mock->rng, s->id);
        snprintf(s->model, sizeof(s->model), "%s", req->model.model->id);
    }
    if (!mock_converse_source(&reply, mock_stream_chunk_chars(mock), &s->inner)) {
        free(s);
        mock_reply_clean_up(&reply);
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return;
    }
    mock_stream_open(mock, resp, (struct mock_event_source){s_native_next, s, s_native_free});
    mock_response_add_header(resp, "X-Amzn-Bedrock-Content-Type", "application/json");
}
