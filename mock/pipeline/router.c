/*
 * router.c: map METHOD + path to an operation of the Bedrock Runtime service model, by
 * walking each path template of common/operation.h alongside the path:
 *   POST /model/{modelId}/converse | converse-stream | invoke | invoke-with-response-stream
 *        | invoke-with-bidirectional-stream | count-tokens
 *   POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply
 *   POST /guardrail-checks/invoke
 *   POST /async-invoke, GET /async-invoke, GET /async-invoke/{invocationArn}
 * Labels arrive percent-encoded (botocore encodes everything but A-Za-z0-9-._~), so an
 * inference-profile ARN is a single segment with %3A and %2F in it.
 */
#include <string.h>

#include "common/uri.h"
#include "mock/pipeline/router.h"

/* A label of the path: which one, and where its encoded text is. */
struct s_label {
    enum brk_op_label label;
    const char *text;
    size_t len;
};

/* Walk `op`'s template and the path side by side: literal characters must be equal, and a
 * "{label}" takes one whole path segment (up to the next '/'). Fills labels; returns how many,
 * or -1 when the path does not match. */
static int s_walk(const char *tmpl, const char *path, struct s_label *labels)
{
    int n = 0;
    while (*tmpl) {
        if (*tmpl == '{') {
            const char *close = strchr(tmpl, '}');
            size_t len = strcspn(path, "/");
            labels[n++] = (struct s_label){brk_op_label_parse(tmpl + 1, (size_t)(close - tmpl - 1)), path, len};
            tmpl = close + 1;
            path += len;
        } else if (*tmpl++ != *path++) {
            return -1; /* also when the path ends first: its NUL differs from the template's char */
        }
    }
    return *path ? -1 : n;
}

/* Whether the request matches `op`: method and path first, and only then are the labels
 * decoded, so a path that matches no operation leaves none behind. An empty {modelId} routes
 * nowhere (there is no model to name); other empty labels reach the schema stage, which
 * answers their length constraint. */
static bool s_match(struct mock_request *req, enum brk_op op)
{
    const struct brk_op_info *info = brk_op_info(op);
    struct s_label labels[BRK_OP_LABEL_COUNT];
    int n = strcmp(req->method, info->method) == 0 ? s_walk(info->path, req->url, labels) : -1;
    for (int i = 0; i < n; i++) {
        enum brk_op_label l = labels[i].label;
        if (l == BRK_OP_LABEL_COUNT || (labels[i].len == 0 && l == BRK_OP_LABEL_MODEL_ID) ||
            brk_uri_decode(labels[i].text, labels[i].len, req->route.label[l], MOCK_MAX_LABEL + 1) != BRK_OK) {
            return false;
        }
    }
    return n >= 0;
}

enum mock_route_to mock_route(struct mock_request *req)
{
    req->route.op = BRK_OP_UNKNOWN;
    if (!req->url || !req->method) {
        return MOCK_ROUTE_NOWHERE;
    }
    if (strncmp(req->url, "/_mock/", 7) == 0 || strcmp(req->url, "/_mock") == 0) {
        return MOCK_ROUTE_ADMIN;
    }
    for (int op = 0; op < BRK_OP_COUNT; op++) {
        if (s_match(req, (enum brk_op)op)) {
            req->route.op = (enum brk_op)op;
            return MOCK_ROUTE_OPERATION;
        }
    }
    return MOCK_ROUTE_NOWHERE;
}
