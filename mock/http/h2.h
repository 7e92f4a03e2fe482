/*
 * h2.h (mock-private): HTTP/2 (cleartext, prior knowledge) on one connection, with
 * libnghttp2.
 *
 * Each request stream becomes the same struct mock_request the HTTP/1.1 glue builds (method
 * from :method; path from :path, still percent-encoded, with the query split off and
 * decoded; :authority as the Host header; header names lower case as HTTP/2 sends them;
 * body capped at cfg.max_body_bytes) and goes through the same mock_dispatch. The response is
 * sent from the same struct mock_response through wire.c. Per-stream faults map onto the
 * stream, not the connection, because other requests share it: close_before_reply and a
 * cut or broken body reset the stream (RST_STREAM INTERNAL_ERROR); delay_ms delays only that
 * stream's answer.
 *
 * Threads: the connection's thread runs the HTTP/2 session and the pipeline. A response that
 * waits (delay_ms) or whose body may block (a paced event stream) gets a producer thread, so
 * other streams keep flowing; producers are joined before mock_h2_serve returns.
 *
 * Limits: 100 concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS; more are refused), 64 KiB
 * of request headers per stream (more resets the stream), a quarter of the memory budget
 * (budget.h) for the connection's requests and another for its replies (a stream past it is
 * reset with REFUSED_STREAM, a reply past it becomes a 503), and the connection closes after
 * cfg.idle_timeout_s without traffic while no stream is open, or when the preface and first
 * SETTINGS are not complete cfg.header_timeout_s after the accept.
 */
#ifndef MOCK_H2_H
#define MOCK_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brk_mock;

/* The HTTP/2 client connection preface (RFC 9113 section 3.4). */
#define MOCK_H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define MOCK_H2_PREFACE_LEN 24u

/* Serve HTTP/2 on `fd` until the client leaves, a protocol error, the idle timeout, or
 * `stop_fd` becomes readable (then GOAWAY). The preface and the client's first SETTINGS must
 * have arrived by `head_deadline_ms` (monotonic; cfg.header_timeout_s after the accept),
 * however slowly their bytes trickle in. Closes fd. */
void mock_h2_serve(struct brk_mock *mock, int fd, int stop_fd, int64_t head_deadline_ms);

#endif
