/* Safe defaults (mock/admin/safety.c, docs/hardening.md): admin token, --no-admin, loopback warning. */
#include <criterion/criterion.h>
#include <string.h>

#include "mock/mock_priv.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}"

static struct brk_mock *s_start(const char *token, bool no_admin)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.admin_token = token;
    cfg.no_admin = no_admin;
    return th_mock_start(&cfg);
}

TestSuite(safety, .timeout = TH_SUITE_TIMEOUT_S);

Test(safety, admin_token_guards_every_admin_route)
{
    char token[] = "s3cret-token";
    struct brk_mock *m = s_start(token, false);
    memset(token, 'x', sizeof(token) - 1); /* the mock keeps its own copy */
    struct th_response none = th_request(m, "GET", "/_mock/health", NULL, NULL);
    cr_expect_eq(none.status, 403, "%s", none.body);
    char type[128];
    th_header(&none, "x-amzn-ErrorType", type, sizeof(type));
    cr_expect(strncmp(type, "AccessDeniedException", 21) == 0, "%s", type);
    cr_expect(strstr(th_message(&none), "x-mock-admin-token") != NULL, "%s", none.body);
    const char *wrong[] = {"x-mock-admin-token: s3cret-toke", NULL};
    struct th_response bad = th_request(m, "POST", "/_mock/reset", NULL, wrong);
    cr_expect_eq(bad.status, 403, "%s", bad.body);
    const char *right[] = {"x-mock-admin-token: s3cret-token", NULL};
    struct th_response ok = th_request(m, "GET", "/_mock/health", NULL, right);
    cr_expect_eq(ok.status, 200, "%s", ok.body);
    /* The service API itself is not behind the admin token. */
    struct th_response c = th_converse(m, HAIKU, HELLO);
    cr_expect_eq(c.status, 200, "%s", c.body);
    th_response_free(&none);
    th_response_free(&bad);
    th_response_free(&ok);
    th_response_free(&c);
    brk_mock_stop(m);
}

Test(safety, no_admin_removes_the_admin_api)
{
    struct brk_mock *m = s_start(NULL, true);
    const char *paths[] = {"/_mock/health", "/_mock/requests", "/_mock", "/_mock/clock"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct th_response r = th_request(m, "GET", paths[i], NULL, NULL);
        cr_expect_eq(r.status, 404, "%s: %s", paths[i], r.body);
        char type[128];
        th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
        cr_expect(strncmp(type, "UnknownOperationException", 25) == 0, "%s", type);
        th_response_free(&r);
    }
    struct th_response c = th_converse(m, HAIKU, HELLO);
    cr_expect_eq(c.status, 200, "%s", c.body);
    th_response_free(&c);
    brk_mock_stop(m);
}

Test(safety, admin_api_is_open_by_default)
{
    struct brk_mock *m = s_start(NULL, false);
    struct th_response r = th_request(m, "GET", "/_mock/health", NULL, NULL);
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(safety, loopback_addresses)
{
    cr_expect(mock_host_is_loopback(NULL));
    cr_expect(mock_host_is_loopback("127.0.0.1"));
    cr_expect(mock_host_is_loopback("127.1.2.3"));
    cr_expect(mock_host_is_loopback("localhost"));
    cr_expect(mock_host_is_loopback("::1"));
    cr_expect_not(mock_host_is_loopback("0.0.0.0"));
    cr_expect_not(mock_host_is_loopback("::"));
    cr_expect_not(mock_host_is_loopback("192.168.1.10"));
    cr_expect_not(mock_host_is_loopback("128.0.0.1"));
    cr_expect_not(mock_host_is_loopback("::ffff:10.0.0.1"));
    cr_expect_not(mock_host_is_loopback("example.com"));
}

Test(safety, warning_for_any_non_loopback_address)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    char w[512];
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect_str_eq(w, "", "the default binds to loopback and says nothing");
    cfg.host = "0.0.0.0";
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect(strstr(w, "not a loopback address") != NULL, "%s", w);
    cr_expect(strstr(w, "--admin-token or --no-admin") != NULL, "%s", w);
    cfg.admin_token = "t";
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect(strstr(w, "needs the x-mock-admin-token header") != NULL, "%s", w);
    cfg.no_admin = true;
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect(strstr(w, "not a loopback address") != NULL && strstr(w, "admin") == NULL, "%s", w);
}

Test(safety, strict_auth_silences_the_warning_unless_the_admin_api_is_open)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    char w[512];
    cfg.host = "0.0.0.0";
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect(strstr(w, "admin API (/_mock/) is open") != NULL, "%s", w);
    cr_expect(strstr(w, "without credentials") == NULL, "%s", w);
    cfg.admin_token = "t";
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect_str_eq(w, "");
    cfg.admin_token = NULL;
    cfg.no_admin = true;
    mock_exposure_warning(&cfg, w, sizeof(w));
    cr_expect_str_eq(w, "");
}
