/*
 * File descriptors and --max-connections (mock/http/fd_limit.h, mock/http/http1.c): a
 * connection whose descriptor is FD_SETSIZE (1024) or more is served over HTTP/1.1 and HTTP/2
 * (libmicrohttpd polls with poll(2); with select(2) it refused such connections), the program's
 * raise of the soft RLIMIT_NOFILE goes up to the hard limit and never down, and a limit too low
 * for max_connections is described, and warned about when a mock starts; out of descriptors, a
 * connection waits in the accept queue and the log says why once; the head watchdog finds a
 * connection's watch by its socket, not its descriptor number.
 * Each test runs in its own Criterion worker, so the limits and descriptors it changes die with
 * it. Where the hard limit leaves no room (valgrind keeps the top of the range for itself), the
 * tests that need room skip.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "mock/http/deadline.h"
#include "mock/http/fd_limit.h"
#include "mock/http/listener.h"
#include "mock/mock_priv.h"
#include "tests/support/harness.h"

TestSuite(descriptors, .timeout = TH_SUITE_TIMEOUT_S);

/* Set the soft limit to `soft` (the hard one stays); false when the hard limit is lower. */
static bool s_set_soft(rlim_t soft)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < soft) {
        return false;
    }
    rl.rlim_cur = soft;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static rlim_t s_soft(void)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    return rl.rlim_cur;
}

#define S_HIGH_FD (FD_SETSIZE + 64)

Test(descriptors, a_connection_past_fd_setsize_is_served_over_both_protocols)
{
    if (!s_set_soft(S_HIGH_FD + 256)) {
        cr_skip_test("the hard RLIMIT_NOFILE is below %d", S_HIGH_FD + 256);
    }
    int *held = calloc(S_HIGH_FD, sizeof(int));
    int n = 0;
    cr_assert_not_null(held);
    for (int fd = open("/dev/null", O_RDONLY); fd >= 0 && fd < S_HIGH_FD; fd = open("/dev/null", O_RDONLY)) {
        held[n++] = fd; /* every descriptor below S_HIGH_FD is taken: the mock's new ones are above */
    }
    struct brk_mock *mock = th_mock_start(NULL); /* its listener, threads and pipes take some above */
    int probe = open("/dev/null", O_RDONLY);
    cr_assert_geq(probe, FD_SETSIZE, "the next descriptor is %d", probe);
    close(probe);
    struct th_response h1 = th_request(mock, "GET", "/_mock/health", NULL, NULL);
    struct th_response h2 = th_request_h2(mock, "GET", "/_mock/health", NULL, NULL);
    cr_expect_eq(h1.status, 200, "HTTP/1.1 on a descriptor past %d: %ld", FD_SETSIZE, h1.status);
    cr_expect_eq(h2.status, 200, "HTTP/2 on a descriptor past %d: %ld", FD_SETSIZE, h2.status);
    th_response_free(&h1);
    th_response_free(&h2);
    brk_mock_stop(mock);
    for (int i = 0; i < n; i++) {
        close(held[i]);
    }
    free(held);
}

Test(descriptors, the_raise_goes_up_to_the_hard_limit_and_never_down)
{
    if (!s_set_soft(256) || !s_set_soft(200)) {
        cr_skip_test("the soft RLIMIT_NOFILE cannot be set to 256");
    }
    cr_expect_eq(mock_fd_raise(256), 256);
    cr_expect_eq(s_soft(), 256);
    cr_expect_eq(mock_fd_raise(100), 256, "a raise never lowers the limit");
    cr_expect_eq(s_soft(), 256);
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY) {
        cr_expect_eq(mock_fd_raise(rl.rlim_max + 1000), rl.rlim_max, "the hard limit caps the raise");
        cr_expect_eq(s_soft(), rl.rlim_max);
    }
}

Test(descriptors, a_limit_below_the_need_is_described)
{
    if (!s_set_soft(256)) {
        cr_skip_test("the soft RLIMIT_NOFILE cannot be set to 256");
    }
    char why[384];
    cr_expect_eq(mock_fd_need(1000), 1000 * MOCK_FD_PER_CONNECTION + MOCK_FD_RESERVE);
    cr_assert(mock_fd_shortfall(1000, why, sizeof(why)));
    cr_expect(strstr(why, "--max-connections 1000 needs about 2064 file descriptors"), "%s", why);
    cr_expect(strstr(why, "may open 256 (ulimit -n;"), "%s", why);
    cr_expect(strstr(why, "about 96 connections can be open at once"), "%s", why);
    cr_expect_not(mock_fd_shortfall(96, why, sizeof(why)), "%s", why); /* 2 x 96 + 64 = 256 */
    cr_expect_str_empty(why);
}

Test(descriptors, a_mock_started_with_too_few_descriptors_warns, .init = cr_redirect_stderr)
{
    if (!s_set_soft(256)) {
        cr_skip_test("the soft RLIMIT_NOFILE cannot be set to 256");
    }
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.max_connections = 96; /* 256 needed: no warning */
    brk_mock_stop(th_mock_start(&cfg));
    cfg.max_connections = 1000;
    brk_mock_stop(th_mock_start(&cfg));
    fflush(stderr);
    const char *err = th_redirected_text(cr_get_redirected_stderr());
    cr_expect(strstr(err, "--max-connections 1000 needs about 2064 file descriptors"), "%s", err);
    cr_expect_null(strstr(err, "--max-connections 96 "), "%s", err);
}

static bool s_starved(void *mock)
{
    return mock_listener_starved(((struct brk_mock *)mock)->listener);
}

Test(descriptors, out_of_descriptors_a_connection_waits_and_the_log_says_why, .init = cr_redirect_stderr)
{
    if (th_under_valgrind()) {
        /* valgrind enforces the descriptor limit itself: it closes what accept returned past the
         * limit and reports EMFILE, so the waiting connection is gone rather than queued. */
        cr_skip_test("valgrind closes a connection accepted past the descriptor limit");
    }
    struct brk_mock *mock = th_mock_start(NULL);
    int client = th_socket(); /* before the descriptors run out; connected after */
    if (!s_set_soft(256)) {
        brk_mock_stop(mock);
        cr_skip_test("the soft RLIMIT_NOFILE cannot be set to 256");
    }
    int held[256], n = 0;
    for (int fd = open("/dev/null", O_RDONLY); fd >= 0 && n < 256; fd = open("/dev/null", O_RDONLY)) {
        held[n++] = fd;
    }
    cr_assert_lt(n, 256, "the limit of 256 descriptors did not hold");
    th_connect_fd(client, mock); /* the kernel completes it; the mock's accept fails with EMFILE */
    const char req[] = "GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    cr_assert(th_send_all(client, req, sizeof(req) - 1));
    cr_assert(th_wait_until(s_starved, mock, TH_DEADLINE_MS), "the acceptor never found itself out of descriptors");
    for (int i = 0; i < n; i++) {
        close(held[i]);
    }
    size_t len = 0;
    char *resp = th_read_until_close(client, &len);
    cr_expect(resp && strncmp(resp, "HTTP/1.1 200", 12) == 0, "the waiting connection was not served: %s",
              resp ? resp : "(nothing)");
    cr_expect_not(s_starved(mock), "an accept succeeded since");
    free(resp);
    close(client);
    brk_mock_stop(mock);
    fflush(stderr);
    const char *err = th_redirected_text(cr_get_redirected_stderr());
    const char *first = strstr(err, "cannot accept a connection (Too many open files)");
    cr_expect(first, "%s", err);
    cr_expect(first && !strstr(first + 1, "cannot accept a connection"), "warned more than once: %s", err);
}

/* The head watchdog finds a connection's watch by socket identity, not descriptor number
 * (mock/http/deadline.c): another descriptor of the same socket finds it; a new socket on the
 * number of a closed one does not. */
Test(descriptors, a_watch_is_found_by_its_socket_not_its_number)
{
    struct mock_deadlines *d = mock_deadlines_new(10);
    cr_assert_not_null(d);
    int a = th_socket(), other = th_socket();
    struct mock_deadline_watch *w = mock_deadlines_watch(d, a, brk_clock_monotonic_ms() + 10000);
    cr_assert_not_null(w);
    int same = dup(a);
    cr_expect_eq(mock_deadlines_find(d, a), w);
    cr_expect_eq(mock_deadlines_find(d, same), w, "another descriptor of the same socket");
    cr_expect_null(mock_deadlines_find(d, other), "a different socket");
    int number = a;
    close(a);
    int reused = th_socket(); /* the lowest free number: the one just closed */
    cr_expect_eq(reused, number);
    cr_expect_null(mock_deadlines_find(d, reused), "a new socket on a reused number");
    cr_expect_eq(mock_deadlines_count(d), 1);
    mock_deadlines_unwatch(d, w);
    cr_expect_eq(mock_deadlines_count(d), 0);
    close(same);
    close(other);
    close(reused);
    mock_deadlines_destroy(d);
}
