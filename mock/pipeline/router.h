/*
 * router.h (mock-private): from METHOD + path to an operation and its decoded labels. Paths
 * and query strings are decoded with common/uri.h.
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

#endif
