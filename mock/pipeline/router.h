/*
 * router.h (mock-private): from METHOD + path to an operation and its decoded labels, and
 * the percent-decoders the transports use for paths and query strings.
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

/* Percent-decode `in` into out (out_len bytes, NUL-terminated); false if malformed or too long. */
bool mock_percent_decode(const char *in, size_t in_len, char *out, size_t out_len);

/* Decode a query-string component ('+' is a space). */
bool mock_form_decode(const char *in, char *out, size_t out_len);

#endif
