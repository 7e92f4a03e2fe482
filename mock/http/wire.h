/*
 * wire.h (mock-private): what both transports (http1.c for HTTP/1.1, h2.c for HTTP/2) do
 * with a struct mock_response, decided in one place.
 *
 * A response leaves the pipeline with a body that is buffered, buffered but cut after N bytes
 * (resp->fault.close_after_bytes), or streamed (resp->stream_fn). mock_wire_body_take moves that
 * body into one pull source, so each transport only copies bytes out of it and maps the three
 * outcomes (bytes, end, abort) onto its own framing: chunked transfer or Content-Length in
 * HTTP/1.1, DATA frames and RST_STREAM in HTTP/2. The faults that come before the body
 * (delay_ms, close_before_reply) stay in the response; mock_wire_delay_ms says how long to
 * wait.
 *
 * Thread-safety: a body is used by one thread at a time. mock_wire_body_read may block when
 * mock_wire_body_may_block says so (a streamed body paces its events by sleeping).
 */
#ifndef MOCK_WIRE_H
#define MOCK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock/http/budget.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

struct mock_wire_body;

/* Move the body out of `resp` (resp->body, the cut and the stream producer); resp keeps its
 * status and headers. NULL on allocation failure (resp then still owns its body). */
struct mock_wire_body *mock_wire_body_take(struct mock_response *resp);

/* mock_wire_body_take, with a buffered body's bytes taken from `budget` (budget.h) until
 * mock_wire_body_free. When the budget cannot hold them the reply is replaced by
 * 503 ServiceUnavailableException (resp is rebuilt as that error; the pipeline's journal entry
 * keeps the original status) and that small body, charged to nobody, is returned. */
struct mock_wire_body *mock_wire_body_take_within(struct mock_response *resp, struct mock_budget *budget);

/* Length in bytes when known before sending (a complete buffered body), else -1. */
int64_t mock_wire_body_length(const struct mock_wire_body *body);

/* The whole body when it is buffered and sent complete (neither streamed nor cut), so a
 * transport can hand it over in one piece (libmicrohttpd then writes headers and body with one
 * system call); NULL otherwise. The bytes stay owned by `body`. */
const char *mock_wire_body_data(const struct mock_wire_body *body, size_t *len);

/* True when reads may sleep (streamed bodies), so a multiplexing transport must not call
 * mock_wire_body_read on the thread that serves other requests. */
bool mock_wire_body_may_block(const struct mock_wire_body *body);

/* Copy up to `max` bytes into buf. Returns the count (> 0), 0 at the end, or -1 when the
 * transport must abort (a cut body, a broken stream). */
long mock_wire_body_read(struct mock_wire_body *body, char *buf, size_t max);

/* Free the body (and the stream producer's context). Accepts NULL. */
void mock_wire_body_free(struct mock_wire_body *body);

/* The response header name as HTTP/2 sends it (lower case, RFC 9113 section 8.2.1) into out;
 * false for headers HTTP/2 forbids (connection-specific ones, section 8.2.2) or that the
 * transport writes itself (content-length), which the caller then skips. */
bool mock_wire_h2_header_name(const char *name, char *out, size_t out_len);

#endif
