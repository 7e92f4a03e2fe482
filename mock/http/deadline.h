/*
 * deadline.h (mock-private): the request-head deadline for HTTP/1.1 connections, which
 * libmicrohttpd does not have (its only timer is the idle timeout, which every byte resets,
 * so a client sending one header byte a second holds its slot for ever: slowloris).
 *
 * Each connection libmicrohttpd serves is watched from the moment it is handed over. A
 * request head (request line and headers) must be complete cfg.header_timeout_s after it
 * began: for the first request, after the accept; for each later request on a kept-alive
 * connection, after its first byte arrived (a connection idle between requests is the idle
 * timeout's business). When the head is late, the watchdog shuts the socket down
 * (shutdown(2) on its own duplicate of the descriptor, so a descriptor number that was
 * closed and reused can never be hit); libmicrohttpd then sees the end of the stream and
 * closes the connection, which frees the slot.
 *
 * How a later head's first byte is seen: when a request is over (mock_deadlines_next_head)
 * the watch notes how many bytes TCP has received on the socket (TCP_INFO), and the watchdog
 * looks every 100 ms whether that count grew, read by libmicrohttpd or not. A head that began
 * between two looks counts from the earlier, so none ever has more than the timeout after its
 * first byte, and one may have up to 100 ms less. (Waking for an epoll event per head cost 7%
 * of the server's CPU under load, and epoll missed bytes the connection's thread had already
 * read.)
 *
 * Threads: one watchdog thread sleeps until the nearest deadline, and while a watch waits for
 * its next head at most 100 ms. Every function is safe from any thread; a watch is used by
 * one connection at a time (libmicrohttpd's thread for it).
 */
#ifndef MOCK_HTTP_DEADLINE_H
#define MOCK_HTTP_DEADLINE_H

#include <stdint.h>

struct mock_deadlines;
struct mock_deadline_watch;

/* Start the watchdog; NULL when out of memory or threads. `header_timeout_s` > 0. */
struct mock_deadlines *mock_deadlines_new(unsigned header_timeout_s);

/* Stop the watchdog and free every watch still registered. Accepts NULL. */
void mock_deadlines_destroy(struct mock_deadlines *d);

/* Watch `fd` (the descriptor is duplicated, not taken); its first head is due at
 * `deadline_ms` (monotonic). NULL when out of resources (the connection is then unwatched). */
struct mock_deadline_watch *mock_deadlines_watch(struct mock_deadlines *d, int fd, int64_t deadline_ms);

/* The watch registered for `fd`, or NULL. */
struct mock_deadline_watch *mock_deadlines_find(struct mock_deadlines *d, int fd);

/* Connections watched now: handed to libmicrohttpd and not yet closed. Exact where
 * libmicrohttpd's own count lags (it counts a handed-over connection a moment later). */
unsigned mock_deadlines_count(struct mock_deadlines *d);

/* The head of the current request is complete: no deadline until the next one begins. */
void mock_deadlines_head_done(struct mock_deadlines *d, struct mock_deadline_watch *w);

/* The request is over: the next head's deadline starts with its first byte. */
void mock_deadlines_next_head(struct mock_deadlines *d, struct mock_deadline_watch *w);

/* The connection is closing: forget it and free the watch. Accepts NULL. */
void mock_deadlines_unwatch(struct mock_deadlines *d, struct mock_deadline_watch *w);

#endif
