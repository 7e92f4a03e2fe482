/*
 * router.c: map METHOD + path to an operation of the Bedrock Runtime service model, by
 * matching the path templates of common/operation.h segment by segment:
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

#include "mock/mock_priv.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/router.h"

static int s_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool mock_percent_decode(const char *in, size_t in_len, char *out, size_t out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (o + 1 >= out_len) {
            return false;
        }
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in_len) {
                return false;
            }
            int hi = s_hex(in[i + 1]);
            int lo = s_hex(in[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            return false;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

bool mock_form_decode(const char *in, char *out, size_t out_len)
{
    /* Sized from the input, not a fixed array: an SDK sends query values of any length it is given
     * (ListAsyncInvokes' nextToken is up to 2048 characters, three times that encoded), and a
     * dropped argument fails the SigV4 check. The HTTP layer bounds the URL. */
    size_t n = strlen(in);
    char *tmp = malloc(n + 1);
    if (!tmp) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        tmp[i] = in[i] == '+' ? ' ' : in[i];
    }
    bool ok = mock_percent_decode(tmp, n, out, out_len);
    free(tmp);
    return ok;
}

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

/* Decode one "{label}" segment of `tmpl` into req->route. An empty {modelId} routes nowhere
 * (there is no model to name); other empty labels reach the schema stage, which answers
 * their length constraint. */
static bool s_match_label(struct mock_request *req, const char *tmpl, size_t tmpl_len, const char *seg,
                          size_t len)
{
    enum brk_op_label label = brk_op_label_parse(tmpl + 1, tmpl_len - 2);
    if (label == BRK_OP_LABEL_COUNT || (len == 0 && label == BRK_OP_LABEL_MODEL_ID)) {
        return false;
    }
    return mock_percent_decode(seg, len, req->route.label[label], sizeof(req->route.label[label]));
}

static bool s_is_label(const char *tseg, size_t tlen)
{
    return tlen > 2 && tseg[0] == '{';
}

/* Whether the path's segments match `op`'s template: method and literal segments first, and
 * only then are the labels decoded, so a path that matches no operation leaves none behind. */
static bool s_match(struct mock_request *req, enum brk_op op, const char **segs, const size_t *lens, size_t n)
{
    const struct brk_op_info *info = brk_op_info(op);
    const char *tsegs[MOCK_MAX_SEGMENTS];
    size_t tlens[MOCK_MAX_SEGMENTS];
    if (strcmp(req->method, info->method) != 0 || s_segments(info->path, tsegs, tlens, MOCK_MAX_SEGMENTS) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s_is_label(tsegs[i], tlens[i]) && (lens[i] != tlens[i] || strncmp(segs[i], tsegs[i], lens[i]) != 0)) {
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (s_is_label(tsegs[i], tlens[i]) && !s_match_label(req, tsegs[i], tlens[i], segs[i], lens[i])) {
            return false;
        }
    }
    return true;
}

enum mock_route_to mock_route(struct mock_request *req)
{
    const char *segs[MOCK_MAX_SEGMENTS];
    size_t lens[MOCK_MAX_SEGMENTS];
    req->route.op = BRK_OP_UNKNOWN;
    if (!req->url || !req->method) {
        return MOCK_ROUTE_NOWHERE;
    }
    if (strncmp(req->url, "/_mock/", 7) == 0 || strcmp(req->url, "/_mock") == 0) {
        return MOCK_ROUTE_ADMIN;
    }
    size_t n = s_segments(req->url, segs, lens, MOCK_MAX_SEGMENTS);
    for (int op = 0; n <= MOCK_MAX_SEGMENTS && op < BRK_OP_COUNT; op++) {
        if (s_match(req, (enum brk_op)op, segs, lens, n)) {
            req->route.op = (enum brk_op)op;
            return MOCK_ROUTE_OPERATION;
        }
    }
    return MOCK_ROUTE_NOWHERE;
}
