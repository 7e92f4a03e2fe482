/*
 * safety.c: the mock's safe defaults (docs/hardening.md). It binds to loopback unless told
 * otherwise and says so loudly when told otherwise; its admin API can require a token or be
 * removed. Nothing here, nor anywhere in the request path, opens a file named by a request.
 */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "mock/mock_priv.h"

#define S_MSG_ADMIN_TOKEN                                                                        \
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
    size_t n = strlen(want);
    if (got && strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0) {
        return true;
    }
    mock_response_error(resp, BRK_AWS_ACCESS_DENIED, S_MSG_ADMIN_TOKEN);
    return false;
}

bool mock_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!host || strcmp(host, "localhost") == 0) {
        return true; /* NULL is the default, 127.0.0.1 */
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

void mock_exposure_warning(const struct brk_mock_config *cfg, char *out, size_t out_len)
{
    out[0] = '\0';
    if (mock_host_is_loopback(cfg->host)) {
        return;
    }
    /* With --auth strict callers must sign with listed credentials; only an open admin API is
     * then worth a warning. Without it anyone who can reach the port can call the mock. */
    if (cfg->auth_mode == BRK_MOCK_AUTH_STRICT) {
        if (!cfg->no_admin && !cfg->admin_token) {
            snprintf(out, out_len,
                     "listening on %s, which is not a loopback address: its admin API (/_mock/) is open to "
                     "anyone who can reach this port; use --admin-token or --no-admin.",
                     cfg->host);
        }
        return;
    }
    const char *admin = cfg->no_admin ? ""
                        : cfg->admin_token ? " Its admin API needs the x-mock-admin-token header."
                                           : " Its admin API (/_mock/) is open too: use --admin-token or --no-admin.";
    snprintf(out, out_len,
             "listening on %s, which is not a loopback address: anyone who can reach this port can call the "
             "mock without credentials (use --auth strict).%s Bind to 127.0.0.1 unless you mean it.",
             cfg->host, admin);
}
