/*
 * libbedrock's retry modes (docs/retries.md; client-facts.md §3) against the in-process mock,
 * in virtual time with a seeded random source: attempt counts and exact delays for rules that
 * throttle k times, what is and is not retried, the retry quota, the adaptive limiter (its
 * CUBIC calculator, rate clock and token bucket against botocore's formulas), and the routes
 * that set the mode and the attempt count.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_priv.h"
#include "bedrock/sigv4.h"
#include "common/rng.h"
#include "tests/support/client_support.h"

extern char **environ;

#define S_SEED 20260515u
#define S_MAX_ROWS 64
/* 2026-01-01T00:00:00Z: the virtual clock's start. */
#define S_EPOCH_MS 1767225600000LL

static struct brk_mock *s_mock;
static struct brk_clock *s_clock;
static struct brk_retry_attempt s_rows[S_MAX_ROWS];
static char s_codes[S_MAX_ROWS][96];
static size_t s_n_rows;

static void s_start(void)
{
    tc_env_reset();
    s_mock = th_mock_start(NULL);
    s_clock = brk_clock_new(BRK_CLOCK_VIRTUAL, S_EPOCH_MS);
    s_n_rows = 0;
}

static void s_stop(void)
{
    brk_clock_destroy(s_clock);
    brk_mock_stop(s_mock);
    s_clock = NULL;
    s_mock = NULL;
    tc_env_clean_up();
}

/* cr_skip_test ends the worker without the suite's fini: stop the mock's threads first. */
static void s_skip(const char *why)
{
    s_stop();
    cr_skip_test("%s", why);
}

TestSuite(client_retries, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

/* DELETE an admin path (rules, the journal). */
static void s_delete(const char *path)
{
    struct th_response r = th_request(s_mock, "DELETE", path, NULL, NULL);
    cr_assert_lt(r.status, 300, "DELETE %s: %ld", path, r.status);
    th_response_free(&r);
}

static void s_record(const struct brk_retry_attempt *a, void *user)
{
    (void)user;
    size_t i = s_n_rows++ % S_MAX_ROWS; /* long tests wrap; the exact ones stay far below */
    s_rows[i] = *a;
    snprintf(s_codes[i], sizeof(s_codes[0]), "%s", a->code);
    s_rows[i].code = s_codes[i];
}

/* A client on the virtual clock with a seeded jitter and the schedule recorder. */
static struct brk_client *s_client(enum brk_retry_mode mode, unsigned max_attempts)
{
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.clock = s_clock;
    cfg.retry =
        (struct brk_retry_config){.mode = mode, .max_attempts = max_attempts, .seed = S_SEED, .on_attempt = s_record};
    return tc_client_with(s_mock, &cfg);
}

static enum brk_status s_converse(struct brk_client *client, struct brk_error *err)
{
    struct brk_converse_response *resp = NULL;
    enum brk_status rc = brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, err);
    if (rc == BRK_OK) {
        struct brk_call_stats st;
        brk_client_last_call(client, &st);
        cr_assert_eq(resp->retry_attempts, st.attempts - 1);
        cr_assert_eq(resp->retry_delay_ms, st.retry_delay_ms);
    }
    brk_converse_response_destroy(resp);
    return rc;
}

/* Attempts the mock saw for the newest call: journal entries sharing its invocation id. */
static int s_journal_attempts(void)
{
    cJSON *last = tc_last_journal_entry(s_mock);
    cr_assert_not_null(last);
    char path[256];
    snprintf(path, sizeof(path), "/_mock/requests?invocation_id=%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(last, "invocation_id")));
    cJSON_Delete(last);
    struct th_response r = th_request(s_mock, "GET", path, NULL, NULL);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "requests"));
    th_response_free(&r);
    return n;
}

/* The backoff before retry after failed attempt a: r * 2^(a-1) s, capped at 20 s unless legacy. */
static int64_t s_expected_delay_ms(struct brk_rng *mirror, unsigned a, bool legacy)
{
    double scale = pow(2.0, (double)a - 1.0);
    scale = !legacy && scale > 20.0 ? 20.0 : scale;
    return llround(brk_rng_uniform(mirror) * scale * 1000.0);
}

/* Throttle k times, then answer: the attempts, the outcome and every delay, exactly. */
static void s_throttle_k(enum brk_retry_mode mode, unsigned max_attempts, unsigned k)
{
    s_n_rows = 0;
    s_delete("/_mock/rules");
    struct brk_client *client = s_client(mode, max_attempts);
    char rule[128];
    snprintf(rule, sizeof(rule), "{\"error\":\"ThrottlingException\",\"times\":%u}", k);
    if (k > 0) {
        tc_rule(s_mock, rule);
    }
    int64_t t0 = brk_clock_now_ms(s_clock);
    struct brk_error err;
    enum brk_status rc = s_converse(client, &err);
    unsigned expect = k + 1 < max_attempts ? k + 1 : max_attempts;
    cr_assert_eq(rc, k < max_attempts ? BRK_OK : BRK_ERR_SERVICE, "k=%u: %s", k, err.message);
    if (rc != BRK_OK) {
        cr_assert_str_eq(err.code, "ThrottlingException");
    }
    struct brk_call_stats st;
    brk_client_last_call(client, &st);
    cr_assert_eq(st.attempts, expect, "k=%u: %u attempts", k, st.attempts);
    cr_assert_eq(s_n_rows, expect);
    cr_assert_eq(s_journal_attempts(), (int)expect, "k=%u", k);
    cr_assert_eq(st.max_attempts_reached, k >= max_attempts);
    struct brk_rng mirror;
    brk_rng_seed(&mirror, S_SEED);
    int64_t total = 0;
    for (unsigned a = 1; a < expect; a++) {
        int64_t want = s_expected_delay_ms(&mirror, a, mode == BRK_RETRY_LEGACY);
        cr_assert_eq(s_rows[a - 1].delay_ms, want, "k=%u a=%u: %lld ms, want %lld", k, a,
                     (long long)s_rows[a - 1].delay_ms, (long long)want);
        cr_assert_eq(s_rows[a - 1].decision, BRK_RETRY_AGAIN);
        cr_assert_eq(s_rows[a].send_ms - s_rows[a - 1].send_ms, want + s_rows[a].bucket_wait_ms);
        total += want;
    }
    cr_assert_eq(st.retry_delay_ms, total);
    cr_assert_eq(brk_clock_now_ms(s_clock) - t0, total + (int64_t)st.bucket_wait_ms, "virtual time = the delays");
    brk_client_destroy(client);
}

Test(client_retries, legacy_retries_a_throttle_up_to_five_attempts_with_uncapped_jitter)
{
    for (unsigned k = 0; k <= 6; k++) {
        s_throttle_k(BRK_RETRY_LEGACY, 5, k);
    }
    cr_assert_eq(s_rows[4].decision, BRK_RETRY_DONE_MAX_ATTEMPTS);
}

Test(client_retries, standard_retries_a_throttle_up_to_three_attempts)
{
    for (unsigned k = 0; k <= 4; k++) {
        s_throttle_k(BRK_RETRY_STANDARD, 3, k);
    }
    cr_assert_eq(s_rows[2].decision, BRK_RETRY_DONE_MAX_ATTEMPTS);
    cr_assert_eq(s_rows[2].quota_capacity, 500 - 2 * 5, "two retries took 5 each, nothing refunded");
}

Test(client_retries, standard_caps_the_backoff_at_twenty_seconds_and_legacy_does_not)
{
    s_throttle_k(BRK_RETRY_STANDARD, 8, 7); /* a = 6 and 7: 2^5, 2^6 > 20 */
    s_throttle_k(BRK_RETRY_LEGACY, 8, 7);
}

Test(client_retries, adaptive_retries_like_standard_and_turns_its_limiter_on_at_the_first_throttle)
{
    for (unsigned k = 0; k <= 4; k++) {
        s_throttle_k(BRK_RETRY_ADAPTIVE, 3, k);
        cr_assert_eq(s_rows[0].bucket_enabled, k > 0, "k=%u", k);
        cr_assert_eq(s_rows[0].bucket_wait_ms, 0, "the first send never waits");
    }
}

Test(client_retries, the_defaults_are_botocores_legacy_with_five_attempts_and_standard_three)
{
    struct brk_client *legacy = s_client(BRK_RETRY_DEFAULT, 0);
    cr_assert_eq(brk_client_retry_mode(legacy), BRK_RETRY_LEGACY);
    cr_assert_eq(brk_client_max_attempts(legacy), 5);
    struct brk_client *standard = s_client(BRK_RETRY_STANDARD, 0);
    cr_assert_eq(brk_client_max_attempts(standard), 3);
    struct brk_client *adaptive = s_client(BRK_RETRY_ADAPTIVE, 0);
    cr_assert_eq(brk_client_max_attempts(adaptive), 3);
    cr_assert_str_eq(brk_retry_mode_name(brk_client_retry_mode(adaptive)), "adaptive");
    brk_client_destroy(legacy);
    brk_client_destroy(standard);
    brk_client_destroy(adaptive);
}

/* One call against a rule that always answers `error`: the attempts it took. */
static unsigned s_attempts_against(enum brk_retry_mode mode, const char *error)
{
    s_n_rows = 0;
    s_delete("/_mock/rules");
    char rule[128];
    snprintf(rule, sizeof(rule), "{\"error\":\"%s\"}", error);
    tc_rule(s_mock, rule);
    struct brk_client *client = s_client(mode, 4);
    struct brk_error err;
    cr_assert_eq(s_converse(client, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, error);
    struct brk_call_stats st;
    brk_client_last_call(client, &st);
    cr_assert_eq(s_journal_attempts(), (int)st.attempts);
    brk_client_destroy(client);
    return st.attempts;
}

Test(client_retries, validation_and_access_denied_are_never_retried_in_any_mode)
{
    const char *never[] = {"ValidationException", "AccessDeniedException",     "ModelTimeoutException",
                           "ModelErrorException", "ResourceNotFoundException", "ServiceQuotaExceededException"};
    for (int m = BRK_RETRY_LEGACY; m <= BRK_RETRY_ADAPTIVE; m++) {
        for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
            cr_assert_eq(s_attempts_against((enum brk_retry_mode)m, never[i]), 1, "%s", never[i]);
            cr_assert_eq(s_rows[0].decision, BRK_RETRY_DONE_NOT_RETRYABLE);
        }
    }
}

Test(client_retries, server_errors_and_model_not_ready_are_retried_in_every_mode)
{
    const char *always[] = {"InternalServerException", "ServiceUnavailableException", "ModelNotReadyException",
                            "ThrottlingException"};
    for (int m = BRK_RETRY_LEGACY; m <= BRK_RETRY_ADAPTIVE; m++) {
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
            cr_assert_eq(s_attempts_against((enum brk_retry_mode)m, always[i]), 4, "%s", always[i]);
            cr_assert_eq(s_rows[3].decision, BRK_RETRY_DONE_MAX_ATTEMPTS);
        }
    }
}

Test(client_retries, a_closed_connection_is_retried_and_the_next_attempt_answers)
{
    tc_rule(s_mock, "{\"closeBeforeReply\":true,\"times\":2}");
    struct brk_client *client = s_client(BRK_RETRY_STANDARD, 3);
    struct brk_error err;
    cr_assert_eq(s_converse(client, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(s_n_rows, 3);
    cr_assert_eq(s_rows[0].status, BRK_ERR_TRANSPORT);
    cr_assert_eq(s_rows[2].quota_capacity, 495, "a 2xx after retries refunds the last 5 taken, not all 10");
    cr_assert_eq(s_rows[1].quota_capacity, 490);
    brk_client_destroy(client);
}

Test(client_retries, a_throttled_stream_is_retried_before_it_opens_but_not_inside)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\",\"times\":1}");
    struct brk_client *client = s_client(BRK_RETRY_STANDARD, 3);
    struct brk_stream_accumulator *acc = NULL;
    cr_assert_eq(brk_stream_accumulator_new(&acc), BRK_OK);
    struct brk_error err;
    cr_assert_eq(brk_converse_stream(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), brk_stream_accumulator_on_event, acc,
                                     &err),
                 BRK_OK, "%s", err.message);
    cr_assert_eq(s_n_rows, 2);
    tc_rule(s_mock, "{\"stream\":{\"exceptionAfterEvent\":2,\"exception\":\"throttlingException\"},\"times\":1}");
    s_n_rows = 0;
    cr_assert_eq(brk_converse_stream(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), brk_stream_accumulator_on_event, acc,
                                     &err),
                 BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "throttlingException");
    cr_assert_eq(s_n_rows, 1, "an exception inside an open stream is the caller's");
    cr_assert_eq(s_rows[0].decision, BRK_RETRY_DONE_NOT_RETRYABLE);
    brk_stream_accumulator_destroy(acc);
    brk_client_destroy(client);
}

Test(client_retries, the_retry_quota_runs_dry_then_refills_with_successes)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\",\"times\":100}");
    struct brk_client *client = s_client(BRK_RETRY_STANDARD, 3);
    struct brk_error err;
    for (int call = 0; call < 33; call++) { /* 33 calls x 3 attempts = 99 throttles, 66 retries of 5 */
        cr_assert_eq(s_converse(client, &err), BRK_ERR_SERVICE);
    }
    cr_assert_eq(client->retry_state.quota, 500 - 66 * 5);
    /* Attempt 100 throttles, attempt 101 answers; then 500 - 66*5 - 5 + 5. */
    cr_assert_eq(s_converse(client, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(client->retry_state.quota, 500 - 66 * 5);
    /* Drain it: a rule without a limit, then calls until the quota refuses a retry. */
    tc_rule(s_mock, "{\"id\":\"storm\",\"error\":\"ThrottlingException\"}");
    unsigned calls = 0;
    struct brk_call_stats st = {0};
    while (!st.retry_quota_reached && calls++ < 100) {
        cr_assert_eq(s_converse(client, &err), BRK_ERR_SERVICE);
        brk_client_last_call(client, &st);
    }
    cr_assert(st.retry_quota_reached);
    cr_assert_eq(client->retry_state.quota, 0);
    cr_assert_eq(st.attempts, 1, "170 / 10 = 17 calls of 2 retries each, then none");
    cr_assert_eq(calls, 18);
    s_delete("/_mock/rules/storm");
    cr_assert_eq(s_converse(client, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(client->retry_state.quota, 1, "a success without retries refunds 1");
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\",\"times\":1}");
    cr_assert_eq(s_converse(client, &err), BRK_ERR_SERVICE, "1 in the quota cannot pay a retry of 5");
    brk_client_last_call(client, &st);
    cr_assert(st.retry_quota_reached);
    brk_client_destroy(client);
}

Test(client_retries, legacy_has_no_quota_and_retries_every_call_to_the_limit)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\"}");
    struct brk_client *client = s_client(BRK_RETRY_LEGACY, 2);
    struct brk_error err;
    for (int call = 0; call < 120; call++) {
        cr_assert_eq(s_converse(client, &err), BRK_ERR_SERVICE);
        struct brk_call_stats st;
        brk_client_last_call(client, &st);
        cr_assert_eq(st.attempts, 2);
    }
    brk_client_destroy(client);
}

/* ---- the adaptive limiter's parts against botocore's formulas (client-facts.md §3.5) ---- */

#define S_EPS 1e-9
/* cr_assert_float_eq evaluates its operands twice; a call that changes state is read once. */
#define S_NEAR(call, want, ...)                        \
    do {                                               \
        double got_ = (call);                          \
        cr_assert_float_eq(got_, (want), __VA_ARGS__); \
    } while (0)

Test(client_retries, cubic_drops_to_beta_times_the_rate_and_climbs_back_through_w_max_at_k)
{
    struct client_cubic c;
    client_cubic_init(&c, 0.0);
    cr_assert_float_eq(client_cubic_success(&c, 0.0), 0.0, S_EPS, "w_max 0, k 0 at the start");
    cr_assert_float_eq(client_cubic_success(&c, 2.0), 0.4 * 8.0, S_EPS);
    S_NEAR(client_cubic_error(&c, 10.0, 5.0), 7.0, S_EPS, "rate x beta 0.7");
    double k = cbrt(10.0 * (1.0 - 0.7) / 0.4);
    cr_assert_float_eq(c.k, k, S_EPS);
    cr_assert_float_eq(client_cubic_success(&c, 5.0), 10.0 - 0.4 * 7.5, S_EPS, "C(0-k)^3 + w_max = 7");
    cr_assert_float_eq(client_cubic_success(&c, 5.0 + k), 10.0, S_EPS, "back at w_max after k seconds");
    cr_assert_float_eq(client_cubic_success(&c, 8.0), 0.4 * pow(3.0 - k, 3.0) + 10.0, S_EPS);
}

Test(client_retries, the_rate_clock_counts_per_half_second_and_smooths_by_0_8)
{
    struct client_rate_clock r;
    client_rate_clock_init(&r, 100.3);
    cr_assert_float_eq(r.last_bucket_s, 100.0, S_EPS, "starts at the whole second");
    S_NEAR(client_rate_clock_record(&r, 100.3), 0.0, S_EPS, "same window: still 0");
    S_NEAR(client_rate_clock_record(&r, 100.6), 0.8 * (2 / 0.5), S_EPS);
    S_NEAR(client_rate_clock_record(&r, 101.2), 0.8 * (1 / 0.5) + 0.2 * 3.2, S_EPS);
    S_NEAR(client_rate_clock_record(&r, 101.4), 2.24, S_EPS, "same window again");
}

Test(client_retries, the_token_bucket_starts_empty_at_one_per_second_and_floors_at_half)
{
    struct client_token_bucket b;
    client_token_bucket_init(&b, 0.0);
    S_NEAR(client_token_bucket_try_acquire(&b, 0.0), 1.0, S_EPS, "empty: wait 1 s at 1/s");
    S_NEAR(client_token_bucket_try_acquire(&b, 1.0), 0.0, S_EPS);
    client_token_bucket_set_rate(&b, 0.2, 1.0);
    cr_assert_float_eq(b.fill_rate, 0.5, S_EPS, "minimum fill rate 0.5");
    cr_assert_float_eq(b.max_capacity, 1.0, S_EPS, "minimum capacity 1");
    S_NEAR(client_token_bucket_try_acquire(&b, 1.0), 2.0, S_EPS);
    S_NEAR(client_token_bucket_try_acquire(&b, 3.0), 0.0, S_EPS);
    client_token_bucket_set_rate(&b, 4.0, 3.0);
    cr_assert_float_eq(b.max_capacity, 4.0, S_EPS);
    for (int i = 0; i < 4; i++) {
        S_NEAR(client_token_bucket_try_acquire(&b, 4.0), 0.0, S_EPS, "4 tokens after 1 s at 4/s");
    }
    S_NEAR(client_token_bucket_try_acquire(&b, 4.0), 0.25, S_EPS);
    client_token_bucket_set_rate(&b, 2.0, 10.0);
    cr_assert_float_eq(b.current, 2.0, S_EPS, "refilled at the old rate, then cut to the new capacity");
}

/* One call per attempt (max_attempts 1) so that each row is one limiter update. */
static void s_adaptive_calls(struct brk_client *client, int n, enum brk_status want)
{
    struct brk_error err;
    for (int i = 0; i < n; i++) {
        cr_assert_eq(s_converse(client, &err), want, "%s", err.message);
    }
}

Test(client_retries, the_adaptive_rate_falls_under_sustained_throttling_and_recovers_after)
{
    struct brk_client *client = s_client(BRK_RETRY_ADAPTIVE, 1);
    s_adaptive_calls(client, 6, BRK_OK); /* a measured rate to start from */
    tc_rule(s_mock, "{\"id\":\"storm\",\"error\":\"ThrottlingException\"}");
    size_t first = s_n_rows;
    s_adaptive_calls(client, 12, BRK_ERR_SERVICE);
    double prev_fill = 0.0;
    for (size_t i = first; i < s_n_rows; i++) {
        const struct brk_retry_attempt *a = &s_rows[i];
        double use = i == first ? a->measured_rate : fmin(a->measured_rate, prev_fill);
        double want = fmax(0.5, fmin(use * 0.7, 2.0 * a->measured_rate)); /* cubic.error, then the caps */
        cr_assert_float_eq(a->fill_rate, want, 1e-9, "row %zu: %f, want %f", i, a->fill_rate, want);
        cr_assert(a->bucket_enabled);
        prev_fill = a->fill_rate;
    }
    cr_assert_float_eq(prev_fill, 0.5, 1e-9, "sustained throttling ends at the floor");
    cr_assert_geq(s_rows[s_n_rows - 1].bucket_wait_ms, 1000, "the limiter holds sends back");
    s_delete("/_mock/rules/storm");
    const struct client_cubic *cubic = &client->retry_state.cubic;
    first = s_n_rows;
    s_adaptive_calls(client, 30, BRK_OK);
    for (size_t i = first; i < s_n_rows; i++) {
        const struct brk_retry_attempt *a = &s_rows[i];
        double t = (double)a->send_ms / 1000.0;
        double cubic_rate = 0.4 * pow(t - cubic->last_fail_s - cubic->k, 3.0) + cubic->w_max;
        double want = fmax(0.5, fmin(cubic_rate, 2.0 * a->measured_rate));
        cr_assert_float_eq(a->fill_rate, want, 1e-6, "row %zu: %f, want %f", i, a->fill_rate, want);
    }
    cr_assert_gt(s_rows[s_n_rows - 1].fill_rate, 2.0, "recovered: %f", s_rows[s_n_rows - 1].fill_rate);
    cr_assert_lt(s_rows[s_n_rows - 1].bucket_wait_ms, s_rows[first].bucket_wait_ms);
    brk_client_destroy(client);
}

/* ---- the routes to the mode and the attempt count (docs/retries.md) -------------------- */

static struct brk_client *s_env_client(struct brk_client_config *cfg, struct brk_error *err)
{
    static char url[128];
    th_base_url(s_mock, url, sizeof(url));
    cfg->endpoint = url;
    struct brk_client *client = NULL;
    brk_client_new(cfg, &client, err);
    return client;
}

Test(client_retries, the_environment_and_the_profile_choose_the_mode_and_total_attempts)
{
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.retry.max_attempts = 0;
    struct brk_error err;
    tc_write_home_file(".aws/config", "[default]\nretry_mode = adaptive\nmax_attempts = 7\n");
    struct brk_client *c = s_env_client(&cfg, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(brk_client_retry_mode(c), BRK_RETRY_ADAPTIVE);
    cr_assert_eq(brk_client_max_attempts(c), 7, "the profile counts attempts");
    brk_client_destroy(c);
    setenv("AWS_RETRY_MODE", "standard", 1);
    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    c = s_env_client(&cfg, &err);
    cr_assert_eq(brk_client_retry_mode(c), BRK_RETRY_STANDARD, "the environment wins over the profile");
    cr_assert_eq(brk_client_max_attempts(c), 2, "AWS_MAX_ATTEMPTS counts attempts");
    brk_client_destroy(c);
    cfg.retry.mode = BRK_RETRY_LEGACY;
    cfg.retry.max_retries = 4;
    c = s_env_client(&cfg, &err);
    cr_assert_eq(brk_client_retry_mode(c), BRK_RETRY_LEGACY, "code wins");
    cr_assert_eq(brk_client_max_attempts(c), 5, "retries={'max_attempts': 4} is 4 retries");
    brk_client_destroy(c);
    cfg.retry.max_attempts = 9;
    c = s_env_client(&cfg, &err);
    cr_assert_eq(brk_client_max_attempts(c), 9, "total_max_attempts wins over max_attempts");
    brk_client_destroy(c);
}

Test(client_retries, a_bad_mode_or_attempt_count_is_a_config_error_naming_its_source)
{
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.retry.max_attempts = 0;
    struct brk_error err;
    setenv("AWS_RETRY_MODE", "Standard", 1);
    cr_assert_null(s_env_client(&cfg, &err));
    cr_assert_eq(err.status, BRK_ERR_CONFIG);
    cr_assert(strstr(err.message, "AWS_RETRY_MODE"), "%s", err.message);
    unsetenv("AWS_RETRY_MODE");
    const char *bad[] = {"0", "three", "3x", "-1", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("AWS_MAX_ATTEMPTS", bad[i], 1);
        struct brk_client *c = s_env_client(&cfg, &err);
        if (bad[i][0] == '\0') { /* an empty variable is unset, as elsewhere in the client */
            cr_assert_not_null(c, "%s", err.message);
            cr_assert_eq(brk_client_max_attempts(c), 5);
            brk_client_destroy(c);
            continue;
        }
        cr_assert_null(c, "'%s'", bad[i]);
        cr_assert(strstr(err.message, "AWS_MAX_ATTEMPTS"), "%s", err.message);
    }
    unsetenv("AWS_MAX_ATTEMPTS");
    tc_write_home_file(".aws/config", "[default]\nretry_mode = fast\n");
    cr_assert_null(s_env_client(&cfg, &err));
    cr_assert(strstr(err.message, "retry_mode"), "%s", err.message);
}

/* ---- parity with boto3 (tests/interop/retry_parity.py) ---------------------------------- */

#define S_PARITY_CALLS 8 /* k = 0..7 at most: argv has room for them */

/* Attempts per call in the journal, in the order the calls began (grouped by invocation id). */
static size_t s_journal_calls(int counts[S_PARITY_CALLS])
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests?operation=Converse", NULL, NULL);
    const char *ids[S_PARITY_CALLS];
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(r.json, "requests"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(e, "invocation_id"));
        size_t i = 0;
        while (i < n && strcmp(ids[i], id) != 0) {
            i++;
        }
        if (i == n) {
            cr_assert_lt(n, S_PARITY_CALLS);
            ids[n] = id;
            counts[n++] = 0;
        }
        counts[i]++;
    }
    th_response_free(&r);
    return n;
}

/* Run argv (a NULL-terminated list, found on PATH) with its output discarded; its exit status, or -1. */
static int s_spawn(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void s_parity(enum brk_retry_mode mode, unsigned k_max)
{
    char url[128], ks[S_PARITY_CALLS][8];
    th_base_url(s_mock, url, sizeof(url));
    char py[] = "python3", script[] = "tests/interop/retry_parity.py", mode_name[16];
    snprintf(mode_name, sizeof(mode_name), "%s", brk_retry_mode_name(mode));
    char *argv[5 + S_PARITY_CALLS] = {py, script, url, mode_name};
    for (unsigned k = 0; k <= k_max; k++) {
        snprintf(ks[k], sizeof(ks[k]), "%u", k);
        argv[4 + k] = ks[k];
    }
    s_delete("/_mock/requests");
    cr_assert_eq(s_spawn(argv), 0, "tests/interop/retry_parity.py failed");
    int boto[S_PARITY_CALLS], ours[S_PARITY_CALLS];
    cr_assert_eq(s_journal_calls(boto), k_max + 1);
    s_delete("/_mock/requests");
    for (unsigned k = 0; k <= k_max; k++) {
        s_delete("/_mock/rules");
        char rule[128];
        snprintf(rule, sizeof(rule), "{\"error\":\"ThrottlingException\",\"times\":%u}", k);
        if (k > 0) {
            tc_rule(s_mock, rule);
        }
        struct brk_client *client = s_client(mode, 0); /* the mode's default attempts, as boto3's */
        struct brk_error err;
        s_converse(client, &err);
        brk_client_destroy(client);
    }
    cr_assert_eq(s_journal_calls(ours), k_max + 1);
    for (unsigned k = 0; k <= k_max; k++) {
        cr_assert_eq(ours[k], boto[k], "%s, k=%u: libbedrock %d attempts, boto3 %d", brk_retry_mode_name(mode), k,
                     ours[k], boto[k]);
    }
}

static bool s_have_boto3(void)
{
    char py[] = "python3", flag[] = "-c",
         code[] = "import boto3; from botocore.loaders import Loader; "
                  "Loader().load_service_model('bedrock-runtime', 'service-2')";
    char *argv[] = {py, flag, code, NULL};
    return s_spawn(argv) == 0;
}

Test(client_retries, boto3_makes_the_same_attempts_in_each_mode)
{
    /* Under valgrind (its preload is in LD_PRELOAD) python would be traced too, 50x slower: the
     * memory of this test's C side is the same as the throttle tests', which valgrind does run. */
    if (th_under_valgrind()) {
        s_skip("boto3 parity does not run under valgrind (make test runs it)");
    }
    if (!s_have_boto3()) {
        s_skip("boto3 with bedrock-runtime is not importable (pip install boto3)");
    }
    s_parity(BRK_RETRY_LEGACY, 6);
    s_parity(BRK_RETRY_STANDARD, 4);
    s_parity(BRK_RETRY_ADAPTIVE, 4);
}

/* ---- amz-sdk-request on retries (client-facts.md §3.1) ---------------------------------- */

Test(client_retries, the_ttl_is_the_servers_date_plus_the_read_timeout)
{
    char out[20] = "untouched";
    cr_assert(client_retry_ttl("Mon, 07 Dec 2026 08:12:19 GMT", 60000, out));
    cr_assert_str_eq(out, "20261207T081319Z");
    cr_assert(client_retry_ttl("Thu, 31 Dec 2026 23:59:30 GMT", 45500, out));
    cr_assert_str_eq(out, "20270101T000015Z", "45.5 s truncated to whole seconds, across the year");
    strcpy(out, "untouched");
    cr_assert_not(client_retry_ttl("Mon, 07 Dec 2026 08:12:19", 60000, out));
    cr_assert_not(client_retry_ttl("Mon, 07 Dec 2026 08:12:19 GMT junk", 60000, out));
    cr_assert_not(client_retry_ttl("", 60000, out));
    cr_assert_str_eq(out, "untouched");
}

Test(client_retries, retries_carry_ttl_attempt_and_max_as_botocore_sends_them)
{
    tc_rule(s_mock, "{\"error\":\"ThrottlingException\",\"times\":2}");
    struct brk_client *client = s_client(BRK_RETRY_STANDARD, 3);
    struct brk_error err;
    cr_assert_eq(s_converse(client, &err), BRK_OK, "%s", err.message);
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests?operation=Converse", NULL, NULL);
    const cJSON *entries = cJSON_GetObjectItem(r.json, "requests");
    cr_assert_eq(cJSON_GetArraySize(entries), 3);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 0), "sdk_request")),
                     "attempt=1");
    for (int i = 1; i < 3; i++) {
        const cJSON *e = cJSON_GetArrayItem(entries, i);
        const char *sdk = cJSON_GetStringValue(cJSON_GetObjectItem(e, "sdk_request"));
        char ttl[20], want[64];
        cr_assert_eq(sscanf(sdk, "ttl=%16[0-9TZ];", ttl), 1, "%s", sdk);
        snprintf(want, sizeof(want), "ttl=%s; attempt=%d; max=3", ttl, i + 1);
        cr_assert_str_eq(sdk, want);
        /* The previous answer's Date (the mock's clock, whole seconds) + 60 s. */
        int64_t prev_s =
            (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(entries, i - 1), "time_ms")->valuedouble / 1000;
        int64_t ttl_s = 0;
        cr_assert(brk_sigv4_parse_date(ttl, &ttl_s));
        cr_assert(ttl_s >= prev_s + 60 && ttl_s <= prev_s + 61, "%s vs %lld", ttl, (long long)prev_s);
    }
    th_response_free(&r);
    brk_client_destroy(client);
}
