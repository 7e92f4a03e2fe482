/*
 * budget.h (mock-private): one memory budget for everything the server holds on behalf of
 * clients (cfg.memory_budget_bytes, --memory-budget-bytes): request bodies in flight over
 * HTTP/1.1 and HTTP/2, HTTP/2 request headers, buffered replies waiting for their client
 * (both protocols) and the HTTP/2 queues of streamed replies. Without it one HTTP/2
 * connection could make the server hold 100 bodies of --max-body-bytes, or 100 copies of a
 * large reply a client never reads (issue 22).
 *
 * Whoever allocates for a client takes the bytes first and gives them back when it frees
 * them; a take that would pass the limit fails and the caller refuses that one request
 * (HTTP/2: RST_STREAM REFUSED_STREAM; HTTP/1.1 and replies: 503 ServiceUnavailableException),
 * so everyone else keeps being served.
 *
 * Thread-safety: every function is safe from any thread (atomics; no lock).
 */
#ifndef MOCK_HTTP_BUDGET_H
#define MOCK_HTTP_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"

/* 256 MiB: ten bodies of the default --max-body-bytes at once, far above what a test suite's
 * traffic holds, far below a CI machine's memory. */
#define MOCK_DEFAULT_MEMORY_BUDGET (256ull * 1024u * 1024u)

struct mock_budget {
    struct mock_budget *parent; /* a share of it: takes come out of both (NULL: the whole) */
    uint64_t limit_bytes;
    _Atomic uint64_t used_bytes;
    _Atomic uint64_t peak_bytes;
    _Atomic uint64_t refused; /* takes that failed */
};

void mock_budget_init(struct mock_budget *b, uint64_t limit_bytes);

/* A share of `parent` that holds at most `limit_bytes` of it (one HTTP/2 connection's, so a
 * single connection cannot spend the whole budget). Give back everything before dropping it. */
void mock_budget_init_share(struct mock_budget *share, struct mock_budget *parent, uint64_t limit_bytes);

/* Reserve `bytes`; false (nothing reserved) when that would pass the limit. */
bool mock_budget_take(struct mock_budget *b, uint64_t bytes);

/* Give back bytes taken before. */
void mock_budget_give(struct mock_budget *b, uint64_t bytes);

enum mock_budget_append { MOCK_BUDGET_OK, MOCK_BUDGET_TOO_LARGE, MOCK_BUDGET_REFUSED };

/* brk_buf_append with the buffer's growth taken from the budget before it happens;
 * *charged_bytes is what the buffer holds of the budget (give it back when freeing the data).
 * TOO_LARGE: past buf->max_len (or out of memory); REFUSED: the budget is spent. The buffer
 * is unchanged on failure. */
enum mock_budget_append mock_budget_buf_append(struct mock_budget *b, struct brk_buf *buf, uint64_t *charged_bytes,
                                               const void *data, size_t len);

/* The most a body of declared length reserves before its bytes arrive; larger bodies grow from
 * it by doubling as their bytes come. A client that declares a large body and sends one byte
 * holds this much: at the defaults (256 connections, 3/4 of a 256 MiB budget for requests)
 * every HTTP/1.1 connection doing so holds 64 MiB, a third of the requests' share, so they
 * alone cannot spend it (at 1 MiB they could); HTTP/2's 100 streams a connection multiply it
 * (docs/hardening.md). 256 KiB holds most Bedrock bodies in one piece. */
#define MOCK_BUDGET_FIRST_BODY_BYTES ((size_t)256 * 1024)

/* mock_budget_buf_append for a piece of a request body declared as `declared_bytes` long
 * (Content-Length; 0 when unknown): the first piece makes room at once for the whole body, up
 * to MOCK_BUDGET_FIRST_BODY_BYTES, taken from the budget first; later pieces grow it by
 * doubling as usual. Results and *charged_bytes as for mock_budget_buf_append; the buffer is
 * unchanged on failure. */
enum mock_budget_append mock_budget_body_append(struct mock_budget *b, struct brk_buf *buf, uint64_t *charged_bytes,
                                                uint64_t declared_bytes, const void *data, size_t len);

#endif
