/*
 * admin.h (mock-private): the /_mock/ admin API (docs/admin-api.md) and its token check.
 */
#ifndef MOCK_ADMIN_ADMIN_H
#define MOCK_ADMIN_ADMIN_H

#include <stdbool.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* ---- admin API (admin.c) ---- */
void mock_admin_handle(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* The admin token check (admin/safety.c, docs/hardening.md). */
#define MOCK_ADMIN_TOKEN_HEADER "x-mock-admin-token"

/* Whether an admin request may go on: true when no --admin-token is set or the request's
 * x-mock-admin-token header matches it (constant-time compare); otherwise fills resp with a
 * 403 AccessDeniedException and returns false. */
bool mock_admin_authorized(const struct brk_mock *mock, const struct mock_request *req, struct mock_response *resp);

#endif
