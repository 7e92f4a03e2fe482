/* wire.c: one pull source for every kind of response body (see wire.h). */
#include "mock/http/wire.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct mock_wire_body {
    char *data; /* buffered body (owned) */
    size_t len; /* bytes of `data` to send */
    size_t pos;
    bool cut; /* abort once `len` bytes are out (close_after_bytes) */
    mock_stream_fn stream_fn;
    void *stream_ctx;
    void (*stream_free)(void *ctx);
    uint64_t stream_pos;
    struct mock_budget *budget; /* `charged` bytes of it are held for `data` */
    uint64_t charged;
};

struct mock_wire_body *mock_wire_body_take(struct mock_response *resp)
{
    struct mock_wire_body *b = calloc(1, sizeof(*b));
    if (!b) {
        return NULL;
    }
    if (resp->stream_fn) {
        b->stream_fn = resp->stream_fn;
        b->stream_ctx = resp->stream_ctx;
        b->stream_free = resp->stream_free;
        resp->stream_fn = NULL; /* the body owns the producer now */
        resp->stream_ctx = NULL;
        resp->stream_free = NULL;
        return b;
    }
    b->data = brk_buf_detach(&resp->body, &b->len);
    if (!b->data) {
        free(b);
        return NULL;
    }
    if (resp->fault.close_after_bytes >= 0) {
        b->cut = true;
        b->len = (uint64_t)resp->fault.close_after_bytes < b->len ? (size_t)resp->fault.close_after_bytes : b->len;
    }
    return b;
}

int64_t mock_wire_body_length(const struct mock_wire_body *body)
{
    return body->stream_fn || body->cut ? -1 : (int64_t)body->len;
}

const char *mock_wire_body_data(const struct mock_wire_body *body, size_t *len)
{
    if (body->stream_fn || body->cut) {
        return NULL;
    }
    *len = body->len;
    return body->data;
}

bool mock_wire_body_may_block(const struct mock_wire_body *body)
{
    return body->stream_fn != NULL;
}

long mock_wire_body_read(struct mock_wire_body *body, char *buf, size_t max)
{
    if (body->stream_fn) {
        long n = body->stream_fn(body->stream_ctx, body->stream_pos, buf, max);
        body->stream_pos += n > 0 ? (uint64_t)n : 0;
        return n < 0 ? -1 : n;
    }
    if (body->pos >= body->len) {
        return body->cut ? -1 : 0; /* a cut body never ends cleanly: the client sees it break */
    }
    size_t n = body->len - body->pos;
    n = n < max ? n : max;
    memcpy(buf, body->data + body->pos, n);
    body->pos += n;
    return (long)n;
}

struct mock_wire_body *mock_wire_body_take_within(struct mock_response *resp, struct mock_budget *budget)
{
    struct mock_wire_body *b = mock_wire_body_take(resp);
    if (!b || b->stream_fn) {
        return b;
    }
    if (mock_budget_take(budget, b->len)) {
        b->budget = budget;
        b->charged = b->len;
        return b;
    }
    mock_wire_body_free(b);
    mock_response_clean_up(resp);
    mock_response_init(resp);
    mock_response_error(resp, BRK_AWS_SERVICE_UNAVAILABLE, NULL);
    return mock_wire_body_take(resp);
}

void mock_wire_body_free(struct mock_wire_body *body)
{
    if (!body) {
        return;
    }
    if (body->budget) {
        mock_budget_give(body->budget, body->charged);
    }
    if (body->stream_free && body->stream_ctx) {
        body->stream_free(body->stream_ctx);
    }
    free(body->data);
    free(body);
}

bool mock_wire_h2_header_name(const char *name, char *out, size_t out_len)
{
    static const char *const skip[] = {"connection",        "keep-alive", "proxy-connection",
                                       "transfer-encoding", "upgrade",    "content-length"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (strcasecmp(name, skip[i]) == 0) {
            return false;
        }
    }
    size_t n = strlen(name);
    if (n == 0 || n >= out_len) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = (char)tolower((unsigned char)name[i]);
    }
    return true;
}
