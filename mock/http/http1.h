/*
 * http1.h (mock-private): the transport's start and stop. mock_http_start binds --host and
 * --port, starts the listener (listener.c: every connection, HTTP/1.1 to libmicrohttpd here,
 * h2c to h2.c) and records the bound port in mock->port; mock_http_stop stops accepting,
 * waits for the connections in flight and frees both. Called by mock.c only.
 */
#ifndef MOCK_HTTP_HTTP1_H
#define MOCK_HTTP_HTTP1_H

#include <stddef.h>

#include "bedrock/status.h"

struct brk_mock;

/* BRK_ERR_INVALID_ARG for a --host that is not an address, BRK_ERR_IO when the socket or the
 * daemon cannot start; `err` says which in words. */
enum brk_status mock_http_start(struct brk_mock *mock, char *err, size_t err_len);

/* Safe on a transport that never started or is stopped already. */
void mock_http_stop(struct brk_mock *mock);

#endif
