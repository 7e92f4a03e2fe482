/*
 * router.c: map METHOD + path to an operation of the Bedrock Runtime service model.
 *
 * URIs from the model (service-2.json, "http" of each operation):
 *   POST /model/{modelId}/converse | converse-stream | invoke | invoke-with-response-stream
 *        | invoke-with-bidirectional-stream | count-tokens
 *   POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply
 *   POST /guardrail-checks/invoke
 *   POST /async-invoke, GET /async-invoke, GET /async-invoke/{invocationArn}
 * Labels arrive percent-encoded (botocore encodes everything but A-Za-z0-9-._~), so an
 * inference-profile ARN is a single segment with %3A and %2F in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/uri.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/router.h"

static const char *const s_op_names[] = {
#define MOCK_OP_NAME(id, name) name,
    MOCK_OP_LIST(MOCK_OP_NAME)
#undef MOCK_OP_NAME
};

const char *mock_op_name(enum mock_op op)
{
    return (int)op >= 0 && op < MOCK_OP_COUNT ? s_op_names[op] : "Unknown";
}

enum mock_op mock_op_parse(const char *name)
{
    for (int i = 0; i < MOCK_OP_COUNT; i++) {
        if (strcmp(s_op_names[i], name) == 0) {
            return (enum mock_op)i;
        }
    }
    return MOCK_OP_UNKNOWN;
}

struct s_model_route {
    const char *suffix;
    enum mock_op op;
};

static const struct s_model_route s_model_routes[] = {
    {"converse", MOCK_OP_CONVERSE},
    {"converse-stream", MOCK_OP_CONVERSE_STREAM},
    {"invoke", MOCK_OP_INVOKE_MODEL},
    {"invoke-with-response-stream", MOCK_OP_INVOKE_MODEL_STREAM},
    {"invoke-with-bidirectional-stream", MOCK_OP_INVOKE_MODEL_BIDI},
    {"count-tokens", MOCK_OP_COUNT_TOKENS},
};

/* Split "/a/b/c" into at most `max` segments (pointers into path, lengths in lens). */
static size_t s_segments(const char *path, const char **segs, size_t *lens, size_t max)
{
    size_t n = 0;
    const char *p = path;
    while (*p == '/' && n < max + 1) {
        const char *start = p + 1;
        const char *end = strchr(start, '/');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (n == max) {
            return max + 1; /* too many segments */
        }
        segs[n] = start;
        lens[n] = len;
        n++;
        p = start + len;
    }
    return n;
}

static bool s_seg_is(const char *seg, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(seg, word, len) == 0;
}

static bool s_route_model(struct mock_request *req, const char **segs, const size_t *lens, size_t n)
{
    if (n != 3 || !s_seg_is(segs[0], lens[0], "model") || strcmp(req->method, "POST") != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(s_model_routes) / sizeof(s_model_routes[0]); i++) {
        if (s_seg_is(segs[2], lens[2], s_model_routes[i].suffix)) {
            if (lens[1] == 0 || brk_uri_decode(segs[1], lens[1], req->model_id, sizeof(req->model_id)) != BRK_OK) {
                return false;
            }
            req->op = s_model_routes[i].op;
            return true;
        }
    }
    return false;
}

static bool s_route_other(struct mock_request *req, const char **segs, const size_t *lens, size_t n)
{
    bool post = strcmp(req->method, "POST") == 0;
    bool get = strcmp(req->method, "GET") == 0;
    if (post && n == 5 && s_seg_is(segs[0], lens[0], "guardrail") && s_seg_is(segs[2], lens[2], "version") &&
        s_seg_is(segs[4], lens[4], "apply")) {
        req->op = MOCK_OP_APPLY_GUARDRAIL;
        return brk_uri_decode(segs[1], lens[1], req->model_id, sizeof(req->model_id)) == BRK_OK &&
               brk_uri_decode(segs[3], lens[3], req->label2, sizeof(req->label2)) == BRK_OK;
    }
    if (post && n == 2 && s_seg_is(segs[0], lens[0], "guardrail-checks") && s_seg_is(segs[1], lens[1], "invoke")) {
        req->op = MOCK_OP_INVOKE_GUARDRAIL_CHECKS;
        return true;
    }
    if (n == 1 && s_seg_is(segs[0], lens[0], "async-invoke") && (post || get)) {
        req->op = post ? MOCK_OP_START_ASYNC_INVOKE : MOCK_OP_LIST_ASYNC_INVOKES;
        return true;
    }
    if (get && n == 2 && s_seg_is(segs[0], lens[0], "async-invoke")) {
        req->op = MOCK_OP_GET_ASYNC_INVOKE;
        return brk_uri_decode(segs[1], lens[1], req->label2, sizeof(req->label2)) == BRK_OK;
    }
    return false;
}

bool mock_route(struct mock_request *req)
{
    const char *segs[6];
    size_t lens[6];
    req->op = MOCK_OP_UNKNOWN;
    if (!req->url || !req->method) {
        return false;
    }
    if (strncmp(req->url, "/_mock/", 7) == 0 || strcmp(req->url, "/_mock") == 0) {
        req->op = MOCK_OP_ADMIN;
        return true;
    }
    size_t n = s_segments(req->url, segs, lens, 5);
    if (n > 5) {
        return false;
    }
    if (s_route_model(req, segs, lens, n) || s_route_other(req, segs, lens, n)) {
        return true;
    }
    req->op = MOCK_OP_UNKNOWN;
    return false;
}
