/* request.c: the request record the HTTP glue fills and the pipeline reads. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "common/converse_walk.h"
#include "common/json_arena.h"
#include "common/uri.h"
#include "mock/model/family.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

void mock_request_init(struct mock_request *req)
{
    memset(req, 0, sizeof(*req));
    req->route.op = BRK_OP_UNKNOWN;
    snprintf(req->account, sizeof(req->account), "anonymous");
    snprintf(req->auth_outcome, sizeof(req->auth_outcome), "none");
}

void mock_request_clean_up(struct mock_request *req)
{
    free(req->method);
    free(req->url);
    for (size_t i = 0; i < req->n_query; i++) {
        free(req->query[i].name);
        free(req->query[i].value);
    }
    free(req->body);
    for (size_t i = 0; i < req->n_headers; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    brk_json_arena_delete(req->json, req->json_arena);
    cJSON_Delete(req->rule.reply);
    free(req->cache_plan);
    memset(req, 0, sizeof(*req));
}

const char *mock_route_resource(const struct mock_route *route)
{
    const char *model = route->label[BRK_OP_LABEL_MODEL_ID];
    return model[0] ? model : route->label[BRK_OP_LABEL_GUARDRAIL_ID];
}

void mock_request_set_json(struct mock_request *req, cJSON *json)
{
    cJSON_Delete(req->json);
    req->json = json;
    free(req->cache_plan);
    req->cache_plan = NULL;
    req->cache_plan_none = false;
    req->input_tokens_known = false;
}

uint64_t mock_request_input_tokens(const struct mock_request *req)
{
    if (!req->input_tokens_known) {
        struct brk_token_profile profile;
        mock_model_token_profile(req->model.model, &profile);
        struct mock_request *memo = (struct mock_request *)req; /* see request.h */
        memo->input_tokens = brk_converse_input_tokens(req->json, &profile);
        memo->input_tokens_known = true;
    }
    return req->input_tokens;
}

char *mock_request_take_body(struct mock_request *req, size_t *len_out)
{
    char *body = req->body;
    *len_out = body ? req->body_len : 0;
    req->body = NULL;
    req->body_len = 0;
    return body;
}

enum brk_status mock_request_add_header(struct mock_request *req, const char *name, const char *value)
{
    if (req->n_headers >= MOCK_MAX_HEADERS) {
        req->headers_truncated = true;
        return BRK_ERR_TOO_LARGE;
    }
    req->headers[req->n_headers].name = strdup(name);
    req->headers[req->n_headers].value = strdup(value ? value : "");
    req->n_headers++;
    return BRK_OK;
}

const char *mock_request_header(const struct mock_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value;
        }
    }
    return NULL;
}

void mock_request_add_query(struct mock_request *req, const char *name, const char *value)
{
    if (req->n_query < sizeof(req->query) / sizeof(req->query[0])) {
        req->query[req->n_query].name = strdup(name);
        req->query[req->n_query].value = strdup(value ? value : "");
        req->n_query++;
    }
}

void mock_request_add_query_encoded(struct mock_request *req, const char *key, const char *value)
{
    /* Decoding never grows text, so buffers of the encoded length hold any argument: a fixed
     * size would drop a long one (a 2048-character nextToken) and fail the SigV4 check. */
    value = value ? value : "";
    char *k = malloc(strlen(key) + 1), *v = malloc(strlen(value) + 1);
    if (k && v && brk_form_decode(key, strlen(key), k, strlen(key) + 1) == BRK_OK &&
        brk_form_decode(value, strlen(value), v, strlen(value) + 1) == BRK_OK) {
        mock_request_add_query(req, k, v);
    }
    free(k);
    free(v);
}

void mock_request_add_query_string(struct mock_request *req, const char *qs)
{
    while (*qs) {
        size_t len = strcspn(qs, "&");
        char *part = len > 0 ? strndup(qs, len) : NULL;
        if (part) {
            char *eq = strchr(part, '=');
            if (eq) {
                *eq = '\0';
            }
            mock_request_add_query_encoded(req, part, eq ? eq + 1 : "");
            free(part);
        }
        qs += len + (qs[len] == '&');
    }
}

const char *mock_request_query(const struct mock_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_query; i++) {
        if (strcmp(req->query[i].name, name) == 0) {
            return req->query[i].value;
        }
    }
    return NULL;
}

void mock_request_build(struct mock_request *req, const char *method, const char *url, const char *const *headers,
                        const void *body, size_t len)
{
    mock_request_init(req);
    req->method = strdup(method);
    req->url = strdup(url);
    for (size_t i = 0; headers && headers[i]; i++) {
        const char *colon = strchr(headers[i], ':');
        char name[128];
        size_t n = colon ? (size_t)(colon - headers[i]) : 0;
        if (n && n < sizeof(name)) {
            memcpy(name, headers[i], n);
            name[n] = '\0';
            mock_request_add_header(req, name, colon + 1 + strspn(colon + 1, " "));
        }
    }
    req->body = malloc(len + 1);
    if (req->body) {
        if (len) {
            memcpy(req->body, body, len);
        }
        req->body[len] = '\0';
        req->body_len = len;
    }
}
