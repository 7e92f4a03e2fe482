/* vcr.c: VCR.py cassettes into record/replay cassettes (vcr.h). */
#include "mock/replay/vcr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/alloc.h"
#include "common/base64.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/router.h"
#include "mock/replay/cassette.h"

#define S_BINARY_TAG "tag:yaml.org,2002:binary"

static yaml_node_t *s_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
            return yaml_document_get_node(doc, p->value);
        }
    }
    return NULL;
}

/* A scalar's bytes; a `!!binary` one decoded from base64 (its line breaks dropped first). A
 * VCR body may also be a mapping {string: ...}. False when there is no scalar. */
static bool s_bytes(yaml_document_t *doc, yaml_node_t *node, struct brk_buf *out)
{
    if (node && node->type == YAML_MAPPING_NODE) {
        node = s_get(doc, node, "string");
    }
    if (!node || node->type != YAML_SCALAR_NODE) {
        return false;
    }
    const char *v = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    if (!node->tag || strcmp((const char *)node->tag, S_BINARY_TAG) != 0) {
        return brk_buf_append(out, v, len) == BRK_OK;
    }
    struct brk_buf clean;
    brk_buf_init(&clean, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (!isspace((unsigned char)v[i])) {
            brk_buf_append(&clean, v + i, 1);
        }
    }
    bool ok = brk_base64_decode(clean.data ? clean.data : "", clean.len, out) == BRK_OK;
    brk_buf_clean_up(&clean);
    return ok;
}

static bool s_not_secret(const char *name)
{
    return !mock_cassette_header_secret(name);
}

/* Headers {Name: [value, ...]} (or {Name: value}) as {Name: first value}, those `keep` refuses left out. */
static cJSON *s_headers(yaml_document_t *doc, yaml_node_t *map, bool (*keep)(const char *name))
{
    cJSON *out = cJSON_CreateObject();
    if (!map || map->type != YAML_MAPPING_NODE) {
        return out;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (v && v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.top > v->data.sequence.items.start) {
            v = yaml_document_get_node(doc, *v->data.sequence.items.start);
        }
        struct brk_buf value;
        brk_buf_init(&value, 65536);
        if (k && k->type == YAML_SCALAR_NODE && keep((const char *)k->data.scalar.value) && s_bytes(doc, v, &value)) {
            cJSON_AddItemToObject(out, (const char *)k->data.scalar.value,
                                  cJSON_CreateString(value.data ? value.data : ""));
        }
        brk_buf_clean_up(&value);
    }
    return out;
}

/* An event-stream body as cassette events (a VCR cassette keeps no timing: t_ms 0). */
static cJSON *s_events(const struct brk_buf *body)
{
    cJSON *events = cJSON_CreateArray();
    size_t pos = 0, used = 0;
    struct brk_es_message *msg = brk_malloc(sizeof(*msg));
    while (msg && pos < body->len && brk_es_parse(body->data + pos, body->len - pos, msg, &used) == BRK_OK) {
        cJSON_AddItemToArray(events, mock_cassette_event(msg, 0));
        pos += used;
    }
    brk_free(msg);
    return events;
}

/* The response half: status, headers, and the body as JSON or as decoded events. */
static bool s_response(yaml_document_t *doc, yaml_node_t *node, cJSON *cassette)
{
    yaml_node_t *code = s_get(doc, s_get(doc, node, "status"), "code");
    long status = code && code->type == YAML_SCALAR_NODE ? strtol((const char *)code->data.scalar.value, NULL, 10) : 0;
    if (status < 100 || status > 599) {
        return false;
    }
    cJSON *resp = cJSON_AddObjectToObject(cassette, "response");
    cJSON_AddNumberToObject(resp, "status", (double)status);
    cJSON *headers = s_headers(doc, s_get(doc, node, "headers"), s_not_secret);
    cJSON_AddItemToObject(resp, "headers", headers);
    struct brk_buf body;
    brk_buf_init(&body, MOCK_CASSETTE_MAX_BYTES);
    s_bytes(doc, s_get(doc, node, "body"), &body);
    const char *type = mock_cassette_header(headers, "content-type");
    if (type && strstr(type, "vnd.amazon.eventstream")) {
        cJSON_AddItemToObject(resp, "events", s_events(&body));
    } else {
        mock_cassette_add_body(resp, "body", body.data ? body.data : "", body.len);
    }
    brk_buf_clean_up(&body);
    return true;
}

/* One interaction as a cassette, or NULL when it is not a Bedrock Runtime call. */
static cJSON *s_interaction(yaml_document_t *doc, yaml_node_t *inter)
{
    yaml_node_t *rq = s_get(doc, inter, "request");
    yaml_node_t *uri = s_get(doc, rq, "uri");
    yaml_node_t *method = s_get(doc, rq, "method");
    const char *u = uri && uri->type == YAML_SCALAR_NODE ? (const char *)uri->data.scalar.value : "";
    const char *host = strstr(u, "://");
    const char *path = host ? strchr(host + 3, '/') : NULL;
    if (!path || !strstr(host, "bedrock-runtime") || (size_t)(path - host) > 256 || !method ||
        method->type != YAML_SCALAR_NODE) {
        return NULL;
    }
    char *clean_path = brk_strndup(path, strcspn(path, "?#"));
    struct brk_buf body;
    brk_buf_init(&body, MOCK_CASSETTE_MAX_BYTES);
    s_bytes(doc, s_get(doc, rq, "body"), &body);
    struct mock_request req;
    mock_request_build(&req, (const char *)method->data.scalar.value, clean_path ? clean_path : "/", NULL, body.data,
                       body.len);
    cJSON *c = NULL;
    if (mock_route(&req) == MOCK_ROUTE_OPERATION) {
        c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "version", MOCK_CASSETTE_VERSION);
        cJSON_AddStringToObject(c, "operation", brk_op_name(req.route.op));
        cJSON_AddStringToObject(c, "model", mock_route_resource(&req.route));
        cJSON *r = cJSON_AddObjectToObject(c, "request");
        cJSON_AddStringToObject(r, "method", req.method);
        cJSON_AddStringToObject(r, "path", req.url);
        cJSON_AddItemToObject(r, "headers",
                              s_headers(doc, s_get(doc, rq, "headers"), mock_cassette_request_header_kept));
        mock_cassette_add_body(r, "body", body.data ? body.data : "", body.len);
    }
    mock_request_clean_up(&req);
    brk_buf_clean_up(&body);
    brk_free(clean_path);
    if (c && !s_response(doc, s_get(doc, inter, "response"), c)) {
        cJSON_Delete(c);
        c = NULL;
    }
    return c;
}

static enum brk_status s_convert_doc(yaml_document_t *doc, const char *stem, const char *out_dir,
                                     struct mock_vcr_counts *counts, char *err, size_t err_len)
{
    yaml_node_t *list = s_get(doc, yaml_document_get_root_node(doc), "interactions");
    if (!list || list->type != YAML_SEQUENCE_NODE) {
        snprintf(err, err_len, "not a VCR cassette: no \"interactions\" list");
        return BRK_ERR_PARSE;
    }
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
        cJSON *c = s_interaction(doc, yaml_document_get_node(doc, *it));
        if (!c) {
            counts->skipped++;
            continue;
        }
        char name[512];
        counts->imported++;
        snprintf(name, sizeof(name), "%s-%04zu-%s.json", stem, counts->imported,
                 cJSON_GetObjectItem(c, "operation")->valuestring);
        enum brk_status rc = out_dir ? mock_cassette_write(out_dir, name, c) : BRK_OK;
        cJSON_Delete(c);
        if (rc != BRK_OK) {
            snprintf(err, err_len, "cannot write %s/%s", out_dir, name);
            return rc;
        }
    }
    return BRK_OK;
}

enum brk_status mock_vcr_convert(const char *yaml, size_t len, const char *stem, const char *out_dir,
                                 struct mock_vcr_counts *counts, char *err, size_t err_len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        return BRK_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    enum brk_status rc = BRK_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, err_len, "YAML error at line %zu: %s", parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "?");
        yaml_parser_delete(&parser);
        return BRK_ERR_PARSE;
    }
    rc = s_convert_doc(&doc, stem, out_dir, counts, err, err_len);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* The file name without its folder and .yaml / .yml ending. */
static void s_stem(const char *path, char *out, size_t out_len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) {
        n -= 5;
    } else if (n > 4 && strcmp(base + n - 4, ".yml") == 0) {
        n -= 4;
    }
    snprintf(out, out_len, "%.*s", (int)n, base);
}

static int s_import_file(const char *path, const char *out_dir, FILE *out, FILE *errs)
{
    struct brk_buf text;
    brk_buf_init(&text, MOCK_CASSETTE_MAX_BYTES);
    char stem[256], err[512] = "";
    s_stem(path, stem, sizeof(stem));
    struct mock_vcr_counts counts = {0};
    enum brk_status rc = brk_buf_read_file(&text, path);
    if (rc == BRK_OK) {
        rc = mock_vcr_convert(text.data ? text.data : "", text.len, stem, out_dir, &counts, err, sizeof(err));
    } else {
        snprintf(err, sizeof(err), "cannot read the file (%s)", brk_status_str(rc));
    }
    brk_buf_clean_up(&text);
    if (rc != BRK_OK) {
        fprintf(errs, "import-vcr: %s: %s\n", path, err);
        return 1;
    }
    fprintf(out, "%s: %zu interactions imported, %zu skipped (not Bedrock Runtime)\n", path, counts.imported,
            counts.skipped);
    return 0;
}

int mock_vcr_main(int argc, char **argv, FILE *out, FILE *errs)
{
    const char *out_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_dir = argv[i + 1];
        }
    }
    if (!out_dir || argc < 4) {
        fprintf(errs, "Usage: bedrock-mock import-vcr FILE.yaml... --out DIR\n");
        return 2;
    }
    mkdir(out_dir, 0755); /* an existing directory is fine */
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0) {
            i++;
            continue;
        }
        rc |= s_import_file(argv[i], out_dir, out, errs);
    }
    return rc;
}
