/*
 * call.c: one call step: the body it sends (a full `request`, or the short form turned into a
 * Converse body), cache-point placement with the scenario's client.cache (brk_cache_points_apply,
 * the function libbedrock's own placement uses, so the body sent is the one the client would
 * send), the call through libbedrock, and what came back as JSON (a Converse response body, the
 * stream's event names).
 *
 * Ownership: every cJSON returned belongs to the caller. Thread-safety: a call uses the
 * scenario's client, which belongs to the scenario's thread.
 */
#include <stdio.h>
#include <string.h>

#include "bedrock/cache_points.h"
#include "common/alloc.h"
#include "common/json.h"
#include "scenario/scenario.h"

#define S_MAX_BODY_BYTES (32u << 20)

/* ---- the body ------------------------------------------------------------------------- */

static cJSON *s_cache_point(const cJSON *value)
{
    cJSON *cp = cJSON_CreateObject();
    cJSON *inner = cJSON_AddObjectToObject(cp, "cachePoint");
    cJSON_AddStringToObject(inner, "type", "default");
    if (cJSON_IsString(value)) {
        cJSON_AddStringToObject(inner, "ttl", value->valuestring);
    }
    return cp;
}

/* A string or an array of strings and cache markers, as content blocks. */
static cJSON *s_blocks(const cJSON *parts)
{
    cJSON *blocks = cJSON_CreateArray();
    if (cJSON_IsString(parts)) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "text", parts->valuestring);
        cJSON_AddItemToArray(blocks, b);
        return blocks;
    }
    for (const cJSON *p = parts ? parts->child : NULL; p; p = p->next) {
        if (cJSON_IsString(p)) {
            cJSON *b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "text", p->valuestring);
            cJSON_AddItemToArray(blocks, b);
        } else {
            cJSON_AddItemToArray(blocks, s_cache_point(brk_json_get(p, "cache_point")));
        }
    }
    return blocks;
}

static cJSON *s_tool(const cJSON *tool)
{
    const cJSON *marker = brk_json_get(tool, "cache_point");
    if (marker) {
        return s_cache_point(marker);
    }
    cJSON *t = cJSON_CreateObject();
    cJSON *spec = cJSON_AddObjectToObject(t, "toolSpec");
    cJSON_AddStringToObject(spec, "name", brk_json_get(tool, "name")->valuestring);
    const cJSON *desc = brk_json_get(tool, "description"), *schema = brk_json_get(tool, "input_schema");
    if (desc) {
        cJSON_AddStringToObject(spec, "description", desc->valuestring);
    }
    cJSON *input = cJSON_AddObjectToObject(spec, "inputSchema");
    cJSON_AddItemToObject(input, "json",
                          schema ? cJSON_Duplicate(schema, true)
                                 : cJSON_Parse("{\"type\":\"object\",\"properties\":{}}"));
    return t;
}

static cJSON *s_short_form(const cJSON *call)
{
    cJSON *body = cJSON_CreateObject();
    const cJSON *system = brk_json_get(call, "system"), *tools = brk_json_get(call, "tools");
    const cJSON *history = brk_json_get(call, "messages"), *user = brk_json_get(call, "user");
    cJSON *messages = cJSON_AddArrayToObject(body, "messages");
    for (const cJSON *m = history ? history->child : NULL; m; m = m->next) {
        cJSON_AddItemToArray(messages, cJSON_Duplicate(m, true));
    }
    if (user) {
        cJSON *msg = cJSON_CreateObject();
        cJSON_AddStringToObject(msg, "role", "user");
        cJSON_AddItemToObject(msg, "content", s_blocks(user));
        cJSON_AddItemToArray(messages, msg);
    }
    if (system) {
        cJSON_AddItemToObject(body, "system", s_blocks(system));
    }
    const cJSON *inference = brk_json_get(call, "inference_config"), *max = brk_json_get(call, "max_tokens");
    if (inference || max) {
        cJSON *ic = inference ? cJSON_Duplicate(inference, true) : cJSON_CreateObject();
        cJSON_DeleteItemFromObjectCaseSensitive(ic, max ? "maxTokens" : "");
        if (max) {
            cJSON_AddNumberToObject(ic, "maxTokens", max->valuedouble);
        }
        cJSON_AddItemToObject(body, "inferenceConfig", ic);
    }
    if (tools) {
        cJSON *tc = cJSON_AddObjectToObject(body, "toolConfig");
        cJSON *list = cJSON_AddArrayToObject(tc, "tools");
        for (const cJSON *t = tools->child; t; t = t->next) {
            cJSON_AddItemToArray(list, s_tool(t));
        }
    }
    return body;
}

cJSON *scn_call_body(const cJSON *call)
{
    const cJSON *request = brk_json_get(call, "request");
    return request ? cJSON_Duplicate(request, true) : s_short_form(call);
}

/* ---- cache placement ----------------------------------------------------------------------- */

static enum brk_cache_mode s_cache_mode(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return strcmp(v->valuestring, "1h") == 0 ? BRK_CACHE_TTL_1H : BRK_CACHE_TTL_5M;
    }
    return cJSON_IsTrue(v) ? BRK_CACHE_ON : BRK_CACHE_OFF;
}

bool scn_cache_settings(const cJSON *client, struct brk_cache_settings *out)
{
    const cJSON *cache = brk_json_get(client, "cache");
    memset(out, 0, sizeof(*out));
    if (!cache) {
        return false;
    }
    out->instructions = s_cache_mode(brk_json_get(cache, "instructions"));
    out->tool_definitions = s_cache_mode(brk_json_get(cache, "tool_definitions"));
    out->messages = s_cache_mode(brk_json_get(cache, "messages"));
    out->dynamic_instructions = (size_t)brk_json_count(brk_json_get(cache, "dynamic_instructions"), 0);
    return true;
}

/* The text of the body to send: `body` printed, placed and trimmed when `settings` is given,
 * and wrapped for CountTokens. */
enum brk_status scn_call_text(const char *op, const char *model, const cJSON *body,
                              const struct brk_cache_settings *settings, struct brk_buf *out, struct brk_error *err)
{
    struct brk_buf printed;
    brk_buf_init(&printed, S_MAX_BODY_BYTES);
    enum brk_status rc = brk_json_print(body, &printed);
    bool wrap = strcmp(op, "count_tokens") == 0 && !brk_json_get(body, "input");
    if (rc == BRK_OK && wrap) {
        rc = brk_buf_append_str(out, "{\"input\":{\"converse\":");
    }
    if (rc == BRK_OK && settings && !brk_json_get(body, "input")) {
        rc = brk_cache_points_apply(model, settings, printed.data, printed.len, out, NULL, err);
    } else if (rc == BRK_OK) {
        rc = brk_buf_append(out, printed.data, printed.len);
    }
    if (rc == BRK_OK && wrap) {
        rc = brk_buf_append_str(out, "}}");
    }
    if (rc != BRK_OK && err && !err->message[0]) {
        brk_error_setf(err, rc, "the request body: %s", brk_status_str(rc));
    }
    brk_buf_clean_up(&printed);
    return rc;
}

/* ---- the answer as JSON ------------------------------------------------------------------ */

cJSON *scn_response_json(const struct brk_converse_response *r)
{
    struct brk_buf b;
    brk_buf_init(&b, S_MAX_BODY_BYTES);
    cJSON *out = brk_converse_response_to_json(r, &b) == BRK_OK ? cJSON_ParseWithLength(b.data, b.len) : NULL;
    brk_buf_clean_up(&b);
    return out;
}

/* ---- auth --------------------------------------------------------------------------------- */

#define S_DUMMY_KEY_ID "AKIDEXAMPLE"
#define S_DUMMY_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static const char *s_str(const cJSON *obj, const char *name)
{
    const cJSON *v = brk_json_get(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void scn_auth_of(const struct scenario *sc, struct scn_auth *out)
{
    memset(out, 0, sizeof(*out));
    const cJSON *auth = brk_json_get(brk_json_get(sc->root, "client"), "auth");
    const cJSON *mock_auth = brk_json_get(brk_json_get(sc->root, "mock"), "auth");
    const cJSON *cred = cJSON_GetArrayItem(brk_json_get(mock_auth, "credentials"), 0);
    const cJSON *key = cJSON_GetArrayItem(brk_json_get(mock_auth, "api_keys"), 0);
    if (!auth && cred) {
        auth = cred;
    }
    if (auth) {
        out->api_key = s_str(auth, "api_key");
        out->access_key_id = s_str(auth, "access_key_id");
        out->secret_access_key = s_str(auth, "secret_access_key");
        out->session_token = s_str(auth, "session_token");
    } else if (key) {
        out->api_key = s_str(key, "key");
    }
    if (!out->access_key_id) {
        out->access_key_id = S_DUMMY_KEY_ID;
        out->secret_access_key = S_DUMMY_SECRET;
    }
}
