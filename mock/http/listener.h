/*
 * listener.h (mock-private): the mock's listening socket, shared by HTTP/1.1 and HTTP/2.
 *
 * One acceptor thread accepts every connection and starts a connection thread for it. That
 * thread peeks at the first bytes (MSG_PEEK, so nothing is consumed), waiting on an
 * edge-triggered epoll set for new bytes or the peer's close (EPOLLRDHUP), never on a timer,
 * for at most cfg.header_timeout_s from the accept; a client that closes before its bytes
 * decide releases its slot at once. When they are the HTTP/2 connection preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
 * RFC 9113 section 3.4: cleartext HTTP/2 with prior knowledge, which Node's http2 client and
 * so the AWS SDK for JavaScript v3 send to an http:// endpoint), it serves the connection
 * itself with h2.c; otherwise it hands the socket to the HTTP/1.1 server (libmicrohttpd)
 * through ops->http1 and ends.
 *
 * Limits: at most cfg.max_connections connections live at once (the listener's own plus
 * ops->http1_count); past it a new connection waits up to 100 ms for a slot (connections a
 * client has just closed take a moment to be noticed), then is closed, as libmicrohttpd does.
 * Out of descriptors (EMFILE) or memory, accept fails: the acceptor logs a warning once, backs
 * off 50 ms at a time and leaves the connection in the kernel's accept queue until a
 * descriptor frees (fd_limit.h says how many --max-connections needs).
 *
 * Ownership and threads: the listener owns the listening socket and its threads.
 * mock_listener_stop closes the socket, tells every HTTP/2 connection to end (GOAWAY), and
 * joins every thread it started before returning; the HTTP/1.1 server is stopped after it.
 */
#ifndef MOCK_LISTENER_H
#define MOCK_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bedrock/status.h"

struct brk_mock;
struct mock_listener;

struct mock_listener_ops {
    /* Serve `fd` as HTTP/1.1; its first request head must be complete by `head_deadline_ms`
     * (monotonic). Takes the socket (closes it on failure). */
    void (*http1)(void *ctx, int fd, const struct sockaddr *addr, socklen_t addrlen, int64_t head_deadline_ms);
    /* Connections the HTTP/1.1 server has open now. */
    unsigned (*http1_count)(void *ctx);
    void *ctx;
};

/* Bind and listen on `addr`, start the acceptor. *port_out is the bound port. On failure
 * returns BRK_ERR_IO (or BRK_ERR_NOMEM) with a reason in err. */
enum brk_status mock_listener_start(struct brk_mock *mock, const struct sockaddr *addr, socklen_t addrlen,
                                    const struct mock_listener_ops *ops, struct mock_listener **out, uint16_t *port_out,
                                    char *err, size_t err_len);

/* Stop accepting, end every connection the listener serves, join its threads, free it.
 * Accepts NULL. */
void mock_listener_stop(struct mock_listener *listener);

/* Whether the acceptor's last accept failed for want of descriptors or memory (for tests;
 * any thread). */
bool mock_listener_starved(const struct mock_listener *listener);

#endif
