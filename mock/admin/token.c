/*
 * token.c: the admin API's token check (--admin-token, docs/hardening.md). The API can also
 * be removed (--no-admin, pipeline/dispatch.c); the warning for a non-loopback bind is mock.c's.
 */
#include <string.h>

#include "common/hash.h"
#include "mock/admin/admin.h"

#define S_MSG_ADMIN_TOKEN                                                                         \
    "The admin API needs the " MOCK_ADMIN_TOKEN_HEADER " header with the token bedrock-mock was " \
    "started with (--admin-token)."

bool mock_admin_authorized(const struct brk_mock *mock, const struct mock_request *req, struct mock_response *resp)
{
    const char *want = mock->cfg.admin_token;
    if (!want || !want[0]) {
        return true;
    }
    const char *got = mock_request_header(req, MOCK_ADMIN_TOKEN_HEADER);
    /* Compare in constant time: the token is a secret and the port may be reachable by others. */
    if (got && brk_ct_equal(got, strlen(got), want, strlen(want))) {
        return true;
    }
    mock_response_error(resp, BRK_AWS_ACCESS_DENIED, S_MSG_ADMIN_TOKEN);
    return false;
}
