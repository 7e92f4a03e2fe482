/*
 * fd_limit.h (mock-private): file descriptors for cfg.max_connections.
 *
 * Every open connection holds two descriptors: its socket, and while its first bytes are
 * awaited an epoll instance (listener.c), then on HTTP/1.1 the head watchdog's duplicate of the
 * socket (deadline.c), on HTTP/2 the connection's wake-up eventfd (h2.c). The rest of the mock
 * needs a few more: the listening socket and its stop eventfd, libmicrohttpd's inter-thread
 * channel, record and log files.
 * Most Linux systems start a process with a soft RLIMIT_NOFILE of 1024, so without a raise
 * `--max-connections 2000` would see accept(2) fail with EMFILE past about a thousand open
 * connections, and the client only a connection that never answers.
 *
 * Who changes the limit: the program (mock/main.c raises the soft limit, never above the hard
 * one, as redis does for maxclients). A library does not change its host process's limits, so
 * brk_mock_start only warns when the limit it finds cannot hold cfg.max_connections.
 * Thread-safety: call at start-up, before connection threads exist.
 */
#ifndef MOCK_HTTP_FD_LIMIT_H
#define MOCK_HTTP_FD_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

/* Descriptors an open connection holds (see above; measured: 1,100 idle connections held
 * 2,064 descriptors of a 2,064 limit, the rest waiting in the accept queue). */
#define MOCK_FD_PER_CONNECTION 2
/* Descriptors kept for everything but the connections. */
#define MOCK_FD_RESERVE 64

/* What `max_connections` open connections need: MOCK_FD_PER_CONNECTION each, plus
 * MOCK_FD_RESERVE. */
rlim_t mock_fd_need(unsigned max_connections);

/* Raise the soft RLIMIT_NOFILE to `need`, or to the hard limit when that is lower; a soft limit
 * already at `need` or above is left alone (never lowered). The soft limit afterwards, or 0 when
 * it cannot be read. */
rlim_t mock_fd_raise(rlim_t need);

/* When the soft limit is below mock_fd_need(max_connections), write into out (a sentence for a
 * warning: what is needed, what the limit is, what happens, how to raise it) and return true;
 * otherwise leave out empty and return false. */
bool mock_fd_shortfall(unsigned max_connections, char *out, size_t out_len);

#endif
