/*
 * router.h (mock-private): from METHOD + path to an operation and its decoded labels, and
 * the percent-decoders the transports use for paths and query strings.
 */
#ifndef MOCK_PIPELINE_ROUTER_H
#define MOCK_PIPELINE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "mock/pipeline/request.h"

/* Where a request goes: a service operation (req->route.op), the admin API (/_mock/), or nowhere.
 * The admin API is not an operation of the service, so it is not in common/operation.h. */
enum mock_route_to {
    MOCK_ROUTE_NOWHERE,
    MOCK_ROUTE_OPERATION,
    MOCK_ROUTE_ADMIN,
};

/* Find the operation for METHOD + path (the templates of common/operation.h), and decode its
 * labels into req. req->route.op is BRK_OP_UNKNOWN unless the result is MOCK_ROUTE_OPERATION. */
enum mock_route_to mock_route(struct mock_request *req);

/* Percent-decode `in` into out (out_len bytes, NUL-terminated); false if malformed or too long. */
bool mock_percent_decode(const char *in, size_t in_len, char *out, size_t out_len);

/* Decode a query-string component ('+' is a space). */
bool mock_form_decode(const char *in, char *out, size_t out_len);

#endif
