/*
 * README.md's complete C example, compiled into this binary by the Makefile (its main
 * renamed client_example_main), run against an in-process mock through the environment the
 * page tells the reader to set. Keeps the documented program and the library in step.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/client_support.h"

int client_example_main(void);

static void s_init(void)
{
    tc_env_reset();
    cr_redirect_stdout();
    cr_redirect_stderr();
}

TestSuite(client_docs, .init = s_init, .fini = tc_env_clean_up, .timeout = TH_SUITE_TIMEOUT_S);

Test(client_docs, the_example_runs_against_the_mock)
{
    struct brk_mock *mock = th_mock_start(NULL);
    char url[128];
    th_base_url(mock, url, sizeof(url));
    setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    cr_assert_eq(client_example_main(), 0);
    fflush(stdout);
    const char *out = th_redirected_text(cr_get_redirected_stdout());
    cr_assert(strstr(out, "Converse: "), "%s", out);
    cr_assert(strstr(out, "stop reason end_turn"), "%s", out);
    cr_assert(strstr(out, "rebuilt: 1 block(s), stop reason end_turn"), "%s", out);
    brk_mock_stop(mock);
}

Test(client_docs, the_example_reports_a_missing_region)
{
    cr_assert_eq(client_example_main(), 1);
    fflush(stderr);
    const char *out = th_redirected_text(cr_get_redirected_stderr());
    cr_assert(strstr(out, "configuration: BRK_ERR_CONFIG"), "%s", out);
    cr_assert(strstr(out, "AWS_REGION"), "%s", out);
}
