/*
 * auth.h (mock-private): set-up and tear-down of the authentication stage (auth.c).
 * The stage itself is mock_stage_auth in pipeline/stages.h.
 */
#ifndef MOCK_AUTH_H
#define MOCK_AUTH_H

#include <stddef.h>

#include "bedrock/status.h"

struct brk_mock;

/* Copy the auth settings of mock->cfg and load the credentials file. On failure returns a
 * status other than BRK_OK with a readable reason (never a secret) in err. */
enum brk_status mock_auth_start(struct brk_mock *mock, char *err, size_t err_len);

/* Free what mock_auth_start made (secrets are wiped). Safe to call after a failed start. */
void mock_auth_stop(struct brk_mock *mock);

/* The skew AWS allows between X-Amz-Date and its clock. */
#define MOCK_AUTH_MAX_SKEW_S (15 * 60)

#endif
