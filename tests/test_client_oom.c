/*
 * Out of memory in libbedrock, curl's "torture" way: count the allocations of brk_client_new
 * plus one Converse and one ConverseStream with accumulation, then repeat them once for every
 * n with the nth allocation failing (brk_alloc_fail_at; cJSON routed through the same hook).
 * Each run whose armed allocation was reached must end with BRK_ERR_NOMEM (a cJSON parse that failed for memory is told apart from
 * a malformed answer by common/alloc.h's failure count), and nothing leaked (ASan and valgrind check the
 * worker's exit).
 *
 * The mock runs in a child process forked before the hooks are installed: in-process, its own
 * cJSON allocations would go through the armed hook too.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/alloc.h"
#include "tests/support/client_support.h"

static pid_t s_child;
static int s_hold[2];
static unsigned s_port;

/* Start a mock in a child; it runs until s_hold's write end closes. */
static void s_start(void)
{
    tc_env_reset();
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    cr_assert_eq(pipe(s_hold), 0);
    s_child = fork();
    cr_assert_geq(s_child, 0);
    if (s_child == 0) {
        close(ready[0]);
        close(s_hold[1]);
        struct brk_mock_config cfg;
        brk_mock_config_init(&cfg);
        cfg.port = 0;
        struct brk_mock *mock = NULL;
        char why[256];
        unsigned port = brk_mock_start(&cfg, &mock, why, sizeof(why)) == BRK_OK ? brk_mock_port(mock) : 0;
        ssize_t w = write(ready[1], &port, sizeof(port));
        char c;
        while (w > 0 && read(s_hold[0], &c, 1) > 0) {
        }
        brk_mock_stop(mock);
        _exit(0);
    }
    close(ready[1]);
    close(s_hold[0]);
    cr_assert_eq(read(ready[0], &s_port, sizeof(s_port)), (ssize_t)sizeof(s_port));
    close(ready[0]);
    cr_assert_neq(s_port, 0, "the mock child did not start");
    brk_alloc_hook_cjson();
}

static void s_stop(void)
{
    brk_alloc_fail_at(0);
    close(s_hold[1]);
    int status = 0;
    waitpid(s_child, &status, 0);
    tc_env_clean_up();
}

TestSuite(client_oom, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

/* One round: new client, Converse, ConverseStream accumulated. Returns the first failure. */
static enum brk_status s_round(void)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", s_port);
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.endpoint = url;
    struct brk_client *client = NULL;
    struct brk_converse_response *resp = NULL, *rebuilt = NULL;
    struct brk_stream_accumulator *acc = NULL;
    struct brk_error err;
    enum brk_status rc = brk_client_new(&cfg, &client, &err);
    rc = rc == BRK_OK ? brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err) : rc;
    rc = rc == BRK_OK ? brk_stream_accumulator_new(&acc) : rc;
    rc = rc == BRK_OK ? brk_converse_stream(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO),
                                            brk_stream_accumulator_on_event, acc, &err)
                      : rc;
    enum brk_status finish = acc ? brk_stream_accumulator_finish(acc, &rebuilt) : BRK_OK;
    rc = rc == BRK_OK ? finish : rc;
    if (rc == BRK_OK) {
        cr_assert_str_eq(rebuilt->message.blocks[0].text, resp->message.blocks[0].text);
    }
    cr_assert(rc == BRK_OK || err.status == rc || rc == BRK_ERR_NOMEM, "status %s, error %s: %s", brk_status_name(rc),
              brk_status_name(err.status), err.message);
    brk_converse_response_destroy(rebuilt);
    brk_stream_accumulator_destroy(acc);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
    return rc;
}

Test(client_oom, every_failed_allocation_ends_cleanly_without_leaks)
{
    brk_alloc_fail_at(0);
    cr_assert_eq(s_round(), BRK_OK, "the round works with memory");
    long count = brk_alloc_count();
    cr_assert_gt(count, 20, "the round allocates through the hooks (%ld)", count);
    long hit = 0;
    for (long n = 1; n <= count; n++) {
        long failures = brk_alloc_failures();
        brk_alloc_fail_at(n);
        enum brk_status rc = s_round();
        if (brk_alloc_failures() == failures) {
            /* How curl splits the stream decides how often buffers grow, so a run may make fewer
             * allocations than the counting run and never reach the armed one. */
            cr_assert_eq(rc, BRK_OK, "allocation %ld of %ld was not reached: %s", n, count, brk_status_name(rc));
            continue;
        }
        hit++;
        cr_assert_eq(rc, BRK_ERR_NOMEM, "allocation %ld of %ld: %s", n, count, brk_status_name(rc));
    }
    cr_assert_geq(hit, count * 9 / 10, "the armed allocation was reached in %ld of %ld runs", hit, count);
    brk_alloc_fail_at(0);
    cr_assert_eq(s_round(), BRK_OK, "and the library works again afterwards");
}
