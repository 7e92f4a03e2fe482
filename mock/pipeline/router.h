/*
 * router.h (mock-private): from METHOD + path to an operation and its decoded labels. Paths
 * and query strings are decoded with common/uri.h.
 */
#ifndef MOCK_PIPELINE_ROUTER_H
#define MOCK_PIPELINE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "mock/pipeline/request.h"

/* ---- router (router.c) ---- */
/* Find the operation for METHOD + path, and decode its labels into req. Returns false when
 * the path names no operation (req->op = MOCK_OP_UNKNOWN). */
bool mock_route(struct mock_request *req);

#endif
