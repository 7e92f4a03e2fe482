/*
 * How an HTTP/1.1 request body is collected (mock/http/http1.c, budget.c): a body whose
 * Content-Length is known is held in one buffer of that size (plus the NUL), taken from the
 * memory budget before the first byte is stored; a declared length past
 * MOCK_BUDGET_FIRST_BODY_BYTES (256 KiB) reserves that much first and grows by doubling as bytes
 * arrive, so a client that declares much and sends little holds little. The budget is watched through the mock's own counters (mock/mock_priv.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "mock/mock_priv.h"
#include "tests/support/harness.h"

#define CONVERSE_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define S_MIB ((size_t)1 << 20)
#define S_FIRST MOCK_BUDGET_FIRST_BODY_BYTES

TestSuite(http1_intake, .timeout = TH_SUITE_TIMEOUT_S);

static struct brk_mock *s_start(uint64_t budget_bytes)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw-socket requests carry no Authorization */
    if (budget_bytes) {
        cfg.memory_budget_bytes = budget_bytes;
    }
    return th_mock_start(&cfg);
}

static void s_send(int fd, const void *data, size_t len)
{
    cr_assert(th_send_all(fd, data, len), "send: %s", strerror(errno));
}

/* Sends the head of a POST declaring `declared` bytes (the server closes after answering). */
static void s_send_head(int fd, size_t declared)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Connection: close\r\nContent-Length: %zu\r\n\r\n",
                     CONVERSE_PATH, declared);
    s_send(fd, head, (size_t)n);
}

/* A valid Converse body of exactly `len` bytes (one long text). */
static char *s_body(size_t len)
{
    const char *pre = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"";
    const char *post = "\"}]}]}";
    cr_assert_gt(len, strlen(pre) + strlen(post));
    char *body = malloc(len + 1);
    cr_assert_not_null(body);
    memcpy(body, pre, strlen(pre));
    memset(body + strlen(pre), 'x', len - strlen(pre) - strlen(post));
    memcpy(body + len - strlen(post), post, strlen(post) + 1);
    return body;
}

/* The status of the first answer on `fd`, read until the server closes (0: none). */
static int s_status(int fd, char **reply_out)
{
    char *reply = th_read_until_close(fd, NULL);
    int status = 0;
    if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1) {
        status = 0;
    }
    *reply_out = reply;
    return status;
}

/* Waits (up to TH_DEADLINE_MS) until the request intake holds `bytes`; returns what it holds. */
static uint64_t s_wait_intake(struct brk_mock *m, uint64_t bytes)
{
    int64_t deadline = brk_clock_monotonic_ms() + TH_DEADLINE_MS;
    while (atomic_load(&m->intake.used_bytes) != bytes && brk_clock_monotonic_ms() < deadline) {
        usleep(2 * 1000);
    }
    return atomic_load(&m->intake.used_bytes);
}

/* Declares `len` bytes, sends `first` of them, checks what the intake holds, sends the rest. */
static int s_post_in_two(struct brk_mock *m, size_t len, size_t first, uint64_t held_bytes, char **reply_out)
{
    char *body = s_body(len);
    int fd = th_connect_raw(m);
    s_send_head(fd, len);
    s_send(fd, body, first);
    uint64_t held = s_wait_intake(m, held_bytes);
    cr_expect_eq(held, held_bytes, "a body of %zu bytes with %zu sent holds %llu bytes of the budget, not %llu", len,
                 first, (unsigned long long)held, (unsigned long long)held_bytes);
    s_send(fd, body + first, len - first);
    int status = s_status(fd, reply_out);
    close(fd);
    free(body);
    return status;
}

Test(http1_intake, a_declared_body_is_held_in_one_buffer_of_its_length)
{
    struct brk_mock *m = s_start(0);
    char *reply = NULL;
    /* Doubling from 64 bytes would hold 1024 after the first 1000 bytes, 131072 at the end. */
    int status = s_post_in_two(m, 100000, 1000, 100001, &reply);
    cr_expect_eq(status, 200, "%s", reply);
    free(reply);
    cr_expect_eq(s_wait_intake(m, 0), 0, "the body's bytes were not given back");
    brk_mock_stop(m);
}

Test(http1_intake, a_large_declared_body_reserves_the_first_piece_then_doubles)
{
    struct brk_mock *m = s_start(0);
    char *reply = NULL;
    int status = s_post_in_two(m, 3 * S_MIB, 1000, S_FIRST + 1, &reply);
    cr_expect_eq(status, 200, "%s", reply);
    free(reply);
    cr_expect_eq(s_wait_intake(m, 0), 0, "the body's bytes were not given back");
    /* Past the first reservation it grows by doubling, as a body of unknown length does. */
    char *body = s_body(3 * S_MIB);
    int fd = th_connect_raw(m);
    s_send_head(fd, 3 * S_MIB);
    s_send(fd, body, S_FIRST + 10);
    cr_expect_eq(s_wait_intake(m, 2 * (S_FIRST + 1)), 2 * (S_FIRST + 1));
    close(fd); /* shorter than declared: the client leaves, and its reservation is given back */
    cr_expect_eq(s_wait_intake(m, 0), 0, "an unfinished body kept its reservation");
    free(body);
    brk_mock_stop(m);
}

Test(http1_intake, a_client_that_declares_much_and_sends_little_holds_only_the_first_reservation)
{
    struct brk_mock *m = s_start(0);
    int fd = th_connect_raw(m);
    s_send_head(fd, 20 * S_MIB); /* under the 25 MiB --max-body-bytes */
    s_send(fd, "{", 1);
    cr_expect_eq(s_wait_intake(m, S_FIRST + 1), S_FIRST + 1);
    close(fd);
    cr_expect_eq(s_wait_intake(m, 0), 0, "an unfinished body kept its reservation");
    brk_mock_stop(m);
}

Test(http1_intake, bytes_past_the_declared_length_stay_out_of_the_body)
{
    /* libmicrohttpd frames the body by its Content-Length: what follows is the next request,
     * which this client's "Connection: close" lets the server ignore. Were it appended, the
     * body would not be JSON. */
    struct brk_mock *m = s_start(0);
    char *body = s_body(4000);
    int fd = th_connect_raw(m);
    s_send_head(fd, 4000);
    s_send(fd, body, 4000);
    s_send(fd, "zzzzzzzzzzzzzzzzzzzz", 20);
    char *reply = NULL;
    int status = s_status(fd, &reply);
    close(fd);
    cr_expect_eq(status, 200, "%s", reply);
    free(reply);
    free(body);
    cr_expect_eq(s_wait_intake(m, 0), 0, "the body's bytes were not given back");
    brk_mock_stop(m);
}

/* A 256 KiB budget gives request bodies three quarters: 196608 bytes. */
Test(http1_intake, a_declared_body_the_budget_cannot_hold_is_refused_at_the_first_reservation)
{
    struct brk_mock *m = s_start(256 * 1024);
    char *reply = NULL;
    /* 150000 bytes fit as they are (doubling to 262144 would not have). */
    int status = s_post_in_two(m, 150000, 100, 150001, &reply);
    cr_expect_eq(status, 200, "%s", reply);
    free(reply);
    /* 200000 do not: nothing is held, the body is read and dropped, and the answer is the 503
     * a budget refusal always gets. */
    status = s_post_in_two(m, 200000, 100, 0, &reply);
    cr_expect_eq(status, 503, "%s", reply);
    cr_expect(strstr(reply, "ServiceUnavailableException") != NULL, "%s", reply);
    free(reply);
    cr_expect_geq(atomic_load(&m->intake.refused), 1);
    cr_expect_eq(s_wait_intake(m, 0), 0);
    brk_mock_stop(m);
}
