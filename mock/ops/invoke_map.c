/*
 * invoke_map.c: native InvokeModel bodies -> the equivalent Converse input (see invoke.h).
 *
 * Bedrock validates native bodies against each model's JSON schema and reports every
 * violation as "#: <problem>" after "Malformed input request: " (texts in
 * docs/operations.md). The mapping keeps what affects the mock's reply and token count.
 */
#include <math.h>
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

static void s_require(struct s_problems *p, const cJSON *body, const char *const *keys)
{
    for (size_t i = 0; keys && keys[i]; i++) {
        if (!brk_json_get(body, keys[i])) {
            s_problem(p, "required key", keys[i], "not found");
        }
    }
}

static void s_no_extra_keys(struct s_problems *p, const cJSON *body, const char *const *allowed)
{
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, body)
    {
        bool ok = allowed == NULL;
        for (size_t i = 0; allowed && allowed[i] && !ok; i++) {
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

/* Sampling and thinking go where Converse has them, so Claude's rules on them (thinking, the
 * temperature/top_p exclusivity) run on the mapped body with Converse's code. */
static void s_anthropic_sampling(const cJSON *body, cJSON *out)
{
    static const char *const moves[][3] = {
        {"temperature", "inferenceConfig", "temperature"},
        {"top_p", "inferenceConfig", "topP"},
        {"top_k", "additionalModelRequestFields", "top_k"},
        {"thinking", "additionalModelRequestFields", "thinking"},
    };
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        const cJSON *v = brk_json_get(body, moves[i][0]);
        if (!v) {
            continue;
        }
        cJSON *to = cJSON_GetObjectItemCaseSensitive(out, moves[i][1]);
        to = to ? to : cJSON_AddObjectToObject(out, moves[i][1]);
        cJSON_AddItemToObject(to, moves[i][2], cJSON_Duplicate(v, 1));
    }
}

static cJSON *s_map_anthropic(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp)
{
    (void)f;
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
    s_anthropic_sampling(body, out);
    if (marks > S_MAX_CACHE_BLOCKS) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_CACHE_LIMIT, marks);
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ---- Nova --------------------------------------------------------------------------- */

static cJSON *s_map_nova(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp)
{
    (void)f;
    (void)resp;
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

/* ---- prompt, chat and embedding formats: driven by the format's field names ---------- */

/* A dotted path ("textGenerationConfig.maxTokenCount") in `body`; NULL path or miss: NULL. */
static const cJSON *s_path(const cJSON *body, const char *path)
{
    char key[64];
    if (!path) {
        return NULL;
    }
    while (path && body) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key)) {
            return NULL;
        }
        memcpy(key, path, n);
        key[n] = '\0';
        body = brk_json_get(body, key);
        path = dot ? dot + 1 : NULL;
    }
    return path ? NULL : body;
}

static cJSON *s_text_block(const char *text, size_t len)
{
    cJSON *block = cJSON_CreateObject();
    char *copy = strndup(text ? text : "", text ? len : 0);
    cJSON_AddStringToObject(block, "text", copy ? copy : "");
    free(copy);
    return block;
}

static void s_add_turn(cJSON *messages, const char *role, cJSON *block)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", role);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(msg, "content"), block);
    cJSON_AddItemToArray(messages, msg);
}

/* The last user turn of a prompt: the text after the last turn_open, up to turn_close. */
static cJSON *s_prompt_turn(const struct mock_native_request *r, const char *prompt)
{
    const char *from = prompt;
    for (const char *hit = r->turn_open ? strstr(prompt, r->turn_open) : NULL; hit;
         hit = strstr(hit + 1, r->turn_open)) {
        from = hit + strlen(r->turn_open);
    }
    const char *to = r->turn_close && from != prompt ? strstr(from, r->turn_close) : NULL;
    size_t n = to ? (size_t)(to - from) : strlen(from);
    while (n && (*from == ' ' || *from == '\n')) {
        from++, n--;
    }
    while (n && (from[n - 1] == ' ' || from[n - 1] == '\n')) {
        n--;
    }
    return s_text_block(from, n);
}

static bool s_ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Claude text completions refuse a prompt without its turn markers. Texts seen on the wire
 * (docs/operations.md): the start rule as spring-projects/spring-ai#404 (2024) quotes it, the
 * end rule as aws-samples/aws-genai-llm-chatbot#52 (2023) does. */
static bool s_markers_ok(const struct mock_native_request *r, const char *prompt, struct mock_response *resp)
{
    if (!r->markers_required) {
        return true;
    }
    if (strncmp(prompt, r->turn_open, strlen(r->turn_open)) != 0) {
        mock_response_error(resp, BRK_AWS_VALIDATION,
                            "prompt must start with \"\n\nHuman:\" turn after an optional system prompt");
        return false;
    }
    if (!s_ends_with(prompt, r->turn_close)) {
        mock_response_error(resp, BRK_AWS_VALIDATION, "Invalid prompt: prompt must end with \"\n\nAssistant:\" turn");
        return false;
    }
    return true;
}

static cJSON *s_map_prompt(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp)
{
    const char *prompt = cJSON_GetStringValue(s_path(body, f->req.prompt));
    if (!s_markers_ok(&f->req, prompt ? prompt : "", resp)) {
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    s_add_turn(cJSON_AddArrayToObject(out, "messages"), "user", s_prompt_turn(&f->req, prompt ? prompt : ""));
    s_inference(out, s_path(body, f->req.max_tokens), s_path(body, f->req.stop));
    return out;
}

/* A turn's text: a string, the text parts of [{"type":"text","text":...}], or Writer
 * Palmyra's {"text":...}. */
static cJSON *s_chat_text(const cJSON *content)
{
    if (cJSON_IsObject(content)) {
        content = brk_json_get(content, "text");
    }
    if (cJSON_IsString(content)) {
        return s_text_block(content->valuestring, strlen(content->valuestring));
    }
    struct brk_buf b;
    brk_buf_init(&b, 1u << 26);
    const cJSON *part = NULL;
    cJSON_ArrayForEach(part, content)
    {
        const char *t = cJSON_GetStringValue(brk_json_get(part, "text"));
        brk_buf_append_str(&b, t ? t : "");
    }
    cJSON *block = s_text_block(b.data ? b.data : "", b.len);
    brk_buf_clean_up(&b);
    return block;
}

static cJSON *s_map_chat(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp)
{
    (void)resp;
    const struct mock_native_request *r = &f->req;
    cJSON *out = cJSON_CreateObject();
    cJSON *system = cJSON_CreateArray();
    cJSON *messages = cJSON_AddArrayToObject(out, "messages");
    if (cJSON_GetStringValue(s_path(body, r->system))) {
        cJSON_AddItemToArray(system, s_chat_text(s_path(body, r->system)));
    }
    const cJSON *turn = NULL;
    cJSON_ArrayForEach(turn, s_path(body, r->messages))
    {
        const char *role = cJSON_GetStringValue(brk_json_get(turn, r->role_key));
        cJSON *text = s_chat_text(brk_json_get(turn, r->text_key));
        if (role && strcmp(role, r->system_role) == 0) {
            cJSON_AddItemToArray(system, text);
        } else {
            s_add_turn(messages, role && strcmp(role, r->user_role) == 0 ? "user" : "assistant", text);
        }
    }
    if (r->prompt) { /* Cohere R: the new user turn is its own field */
        s_add_turn(messages, "user", s_chat_text(s_path(body, r->prompt)));
    }
    cJSON_AddItemToObject(out, "system", system);
    s_inference(out, s_path(body, r->max_tokens), s_path(body, r->stop));
    return out;
}

/* The texts to embed as one user turn, so the one token estimator counts them. */
static cJSON *s_map_embed(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp)
{
    (void)resp;
    cJSON *out = cJSON_CreateObject();
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "user");
    cJSON *content = cJSON_AddArrayToObject(msg, "content");
    const cJSON *texts = s_path(body, f->req.prompt);
    const cJSON *t = NULL;
    const cJSON *list = cJSON_IsArray(texts) ? texts : NULL;
    if (cJSON_IsString(texts)) {
        cJSON_AddItemToArray(content, s_text_block(texts->valuestring, strlen(texts->valuestring)));
    }
    cJSON_ArrayForEach(t, list)
    {
        const char *s = cJSON_GetStringValue(t);
        cJSON_AddItemToArray(content, s_text_block(s ? s : "", s ? strlen(s) : 0));
    }
    cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "messages"), msg);
    return out;
}

typedef cJSON *(*s_map_fn)(const struct mock_native_format *f, const cJSON *body, struct mock_response *resp);

static const s_map_fn s_maps[] = {
    [MOCK_MAP_ANTHROPIC] = s_map_anthropic, [MOCK_MAP_NOVA] = s_map_nova,   [MOCK_MAP_PROMPT] = s_map_prompt,
    [MOCK_MAP_CHAT] = s_map_chat,           [MOCK_MAP_EMBED] = s_map_embed,
};

/* The prompt (or the texts) must have its documented type: the validator's "expected type". */
static void s_check_prompt_type(struct s_problems *p, const struct mock_native_format *f, const cJSON *body)
{
    const cJSON *v = s_path(body, f->req.prompt);
    bool list = f->map == MOCK_MAP_EMBED && f->embed.list;
    if (!v || (list ? cJSON_IsArray(v) : cJSON_IsString(v))) {
        return;
    }
    brk_buf_appendf(&p->text, "#/%s: expected type: %s, found: %s", f->req.prompt, list ? "JSONArray" : "String",
                    mock_native_type_name(v));
    p->count++;
}

const char *mock_native_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return "String";
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble; /* no cast to an integer type: 1e300 would overflow it */
        return d == floor(d) && fabs(d) < 9.2e18 ? "Integer" : "BigDecimal";
    }
    if (cJSON_IsBool(v)) {
        return "Boolean";
    }
    return cJSON_IsArray(v) ? "JSONArray" : cJSON_IsObject(v) ? "JSONObject" : "Null";
}

cJSON *mock_invoke_map(const struct mock_model *model, const char *body, size_t len, struct mock_response *resp,
                       const struct mock_native_format **format_out)
{
    cJSON *json = cJSON_ParseWithLength(body ? body : "", len);
    const struct mock_native_format *f = mock_native_format(model, json);
    if (format_out) {
        *format_out = f;
    }
    if (!f) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "bedrock-mock does not simulate the native body of %s yet.",
                             model ? model->id : "this model");
        cJSON_Delete(json);
        return NULL;
    }
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        mock_response_error(resp, BRK_AWS_VALIDATION, "Malformed input request" S_MALFORMED_SUFFIX);
        return NULL;
    }
    struct s_problems p = {.count = 0};
    brk_buf_init(&p.text, 4096);
    s_require(&p, json, f->req.required);
    s_no_extra_keys(&p, json, f->req.allowed);
    s_check_prompt_type(&p, f, json);
    if (f->map == MOCK_MAP_EMBED) {
        p.count += mock_embed_problems(f, json, &p.text);
    }
    cJSON *out = s_problems_report(&p, resp) ? s_maps[f->map](f, json, resp) : NULL;
    cJSON_Delete(json);
    return out;
}
