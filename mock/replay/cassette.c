/* cassette.c: the cassette format of record and replay (see cassette.h). */
#include "mock/replay/cassette.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/base64.h"
#include "common/json.h"

/* Exact names, then fragments: any header that names a token, a secret or a key is kept out. */
bool mock_cassette_header_secret(const char *name)
{
    static const char *const exact[] = {"authorization", "proxy-authorization", "cookie", "set-cookie",
                                        "x-amz-security-token"};
    static const char *const fragments[] = {"token", "secret", "password", "api-key", "apikey", "credential"};
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (strcasecmp(name, exact[i]) == 0) {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(fragments) / sizeof(fragments[0]); i++) {
        if (strcasestr(name, fragments[i])) {
            return true;
        }
    }
    return false;
}

bool mock_cassette_request_header_kept(const char *name)
{
    static const char *const skip[] = {
        "host",   "x-amz-date", "x-amz-content-sha256", "content-length", "transfer-encoding",
        "expect", "connection", "keep-alive",           "upgrade",        "http2-settings",
        "te"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (strcasecmp(name, skip[i]) == 0) {
            return false;
        }
    }
    return name[0] != ':' && !mock_cassette_header_secret(name);
}

void mock_cassette_error_code(const char *type_header, char *out, size_t out_len)
{
    snprintf(out, out_len, "%.*s", (int)strcspn(type_header, ":"), type_header);
}

const char *mock_cassette_header(const cJSON *headers, const char *name)
{
    const cJSON *h = NULL;
    cJSON_ArrayForEach(h, headers)
    {
        if (h->string && cJSON_IsString(h) && strcasecmp(h->string, name) == 0) {
            return h->valuestring;
        }
    }
    return NULL;
}

void mock_cassette_add_body(cJSON *obj, const char *prefix, const char *data, size_t len)
{
    char text_name[64];
    snprintf(text_name, sizeof(text_name), "%s_text", prefix);
    if (memchr(data, '\0', len)) { /* bytes a JSON string cannot hold as they are */
        char b64_name[64];
        snprintf(b64_name, sizeof(b64_name), "%s_base64", prefix);
        struct brk_buf b64;
        brk_buf_init(&b64, MOCK_CASSETTE_MAX_BYTES * 2);
        brk_base64_encode(data, len, &b64);
        cJSON_AddItemToObject(obj, b64_name, cJSON_CreateString(b64.data ? b64.data : ""));
        brk_buf_clean_up(&b64);
        return;
    }
    cJSON *json = len ? cJSON_ParseWithLength(data, len) : NULL;
    if (!json) {
        cJSON_AddItemToObject(obj, text_name, cJSON_CreateString(len ? data : ""));
        return;
    }
    char *again = cJSON_PrintUnformatted(json);
    bool same = again && strlen(again) == len && memcmp(again, data, len) == 0;
    cJSON_free(again);
    cJSON_AddItemToObject(obj, prefix, json);
    if (!same) {
        char *copy = brk_strndup(data, len);
        cJSON_AddItemToObject(obj, text_name, cJSON_CreateString(copy ? copy : ""));
        brk_free(copy);
    }
}

enum brk_status mock_cassette_body_bytes(const cJSON *obj, const char *prefix, struct brk_buf *out)
{
    char text_name[64];
    snprintf(text_name, sizeof(text_name), "%s_text", prefix);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, text_name);
    char b64_name[64];
    snprintf(b64_name, sizeof(b64_name), "%s_base64", prefix);
    const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(obj, b64_name);
    if (cJSON_IsString(b64)) {
        return brk_base64_decode(b64->valuestring, strlen(b64->valuestring), out);
    }
    if (cJSON_IsString(text)) {
        return brk_buf_append_str(out, text->valuestring);
    }
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(obj, prefix);
    return json ? brk_json_print(json, out) : BRK_ERR_PARSE;
}

cJSON *mock_cassette_event(const struct brk_es_message *msg, int64_t t_ms)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "t_ms", (double)t_ms);
    cJSON *headers = cJSON_AddObjectToObject(ev, "headers");
    for (size_t i = 0; i < msg->n_headers; i++) {
        const struct brk_es_header *h = &msg->headers[i];
        char name[256], value[1024];
        if (h->type != BRK_ES_STRING || h->v.bytes.len >= sizeof(value)) {
            continue; /* Bedrock's stream headers are strings; nothing else is kept */
        }
        memcpy(name, h->name, h->name_len);
        name[h->name_len] = '\0';
        memcpy(value, h->v.bytes.data, h->v.bytes.len);
        value[h->v.bytes.len] = '\0';
        cJSON_AddItemToObject(headers, name, cJSON_CreateString(value));
    }
    char *payload = brk_malloc(msg->payload_len + 1); /* all of it: a payload may hold a NUL */
    if (payload) {
        memcpy(payload, msg->payload, msg->payload_len);
        payload[msg->payload_len] = '\0';
        mock_cassette_add_body(ev, "payload", payload, msg->payload_len);
    }
    brk_free(payload);
    return ev;
}

enum brk_status mock_cassette_event_encode(const cJSON *event, struct brk_buf *out)
{
    struct brk_es_header h[BRK_ES_MAX_HEADER_COUNT];
    size_t n = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(event, "headers"))
    {
        if (cJSON_IsString(item) && item->string && n < BRK_ES_MAX_HEADER_COUNT) {
            h[n++] = brk_es_header_string(item->string, item->valuestring);
        }
    }
    struct brk_buf payload;
    brk_buf_init(&payload, MOCK_CASSETTE_MAX_BYTES);
    enum brk_status rc = mock_cassette_body_bytes(event, "payload", &payload);
    if (rc == BRK_OK) {
        rc = brk_es_encode(out, h, n, payload.data ? payload.data : "", payload.len);
    }
    brk_buf_clean_up(&payload);
    return rc;
}

enum brk_status mock_cassette_write(const char *dir, const char *name, const cJSON *doc)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    char *text = cJSON_Print(doc);
    FILE *f = text ? fopen(tmp, "w") : NULL;
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0; /* a reader never sees half a cassette */
    cJSON_free(text);
    return ok ? BRK_OK : BRK_ERR_IO;
}

cJSON *mock_cassette_parse(const char *text, size_t len, char *err, size_t err_len)
{
    cJSON *doc = cJSON_ParseWithLength(text, len);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(doc, "operation");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(doc, "request");
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(doc, "response");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(resp, "status");
    if (!cJSON_IsObject(doc) || !cJSON_IsNumber(version) || version->valueint != MOCK_CASSETTE_VERSION ||
        !cJSON_IsString(op) || !cJSON_IsObject(req) || !cJSON_IsObject(resp) || !cJSON_IsNumber(status) ||
        status->valuedouble < 100 || status->valuedouble > 599) {
        snprintf(err, err_len, "not a version-%d cassette (needs version, operation, request, response.status)",
                 MOCK_CASSETTE_VERSION);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}
