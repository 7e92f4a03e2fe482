/*
 * retry.c: botocore's legacy, standard and adaptive retry modes (client/retry.h; every
 * constant and rule from /work/shared/spec/client-facts.md §3; docs/retries.md).
 *
 * The decision after an attempt follows botocore's order: the attempt limit, then
 * retryability, then (standard, adaptive) the retry quota; the delay is full jitter,
 * r * 2^(a-1) (legacy, uncapped) or r * min(2^(a-1), 20) s (standard, adaptive). The adaptive
 * limiter is updated after every attempt, success or not, before the retry decision.
 */
#include "client/retry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- CUBIC, rate clock, token bucket (adaptive.py, bucket.py) -------------------------- */

static double s_cubic_zero_point(const struct client_cubic *c)
{
    return cbrt(c->w_max * (1.0 - CLIENT_CUBIC_BETA) / CLIENT_CUBIC_SCALE);
}

void client_cubic_init(struct client_cubic *c, double now_s)
{
    c->w_max = 0.0;
    c->last_fail_s = now_s;
    c->k = s_cubic_zero_point(c);
}

double client_cubic_success(const struct client_cubic *c, double now_s)
{
    double dt = now_s - c->last_fail_s - c->k;
    return CLIENT_CUBIC_SCALE * dt * dt * dt + c->w_max;
}

double client_cubic_error(struct client_cubic *c, double rate, double now_s)
{
    c->w_max = rate;
    c->k = s_cubic_zero_point(c);
    c->last_fail_s = now_s;
    return rate * CLIENT_CUBIC_BETA;
}

void client_rate_clock_init(struct client_rate_clock *r, double now_s)
{
    r->last_bucket_s = floor(now_s);
    r->measured = 0.0;
    r->count = 0;
}

double client_rate_clock_record(struct client_rate_clock *r, double now_s)
{
    double bucket = floor(now_s * CLIENT_RATE_BUCKETS_PER_S) / CLIENT_RATE_BUCKETS_PER_S;
    r->count++;
    if (bucket > r->last_bucket_s) {
        double current = (double)r->count / (bucket - r->last_bucket_s);
        r->measured = current * CLIENT_RATE_SMOOTHING + r->measured * (1.0 - CLIENT_RATE_SMOOTHING);
        r->count = 0;
        r->last_bucket_s = bucket;
    }
    return r->measured;
}

static void s_bucket_refill(struct client_token_bucket *b, double now_s)
{
    double filled = b->current + (now_s - b->last_s) * b->fill_rate;
    b->current = filled < b->max_capacity ? filled : b->max_capacity;
    b->last_s = now_s;
}

void client_token_bucket_init(struct client_token_bucket *b, double now_s)
{
    /* TokenBucket(max_rate=1): the setter's first refill only records the time. */
    b->fill_rate = 1.0;
    b->max_capacity = 1.0;
    b->current = 0.0;
    b->last_s = now_s;
}

void client_token_bucket_set_rate(struct client_token_bucket *b, double rate, double now_s)
{
    s_bucket_refill(b, now_s); /* what accrued at the old rate */
    b->fill_rate = rate > CLIENT_BUCKET_MIN_FILL_RATE ? rate : CLIENT_BUCKET_MIN_FILL_RATE;
    b->max_capacity = rate >= 1.0 ? rate : CLIENT_BUCKET_MIN_CAPACITY;
    b->current = b->current < b->max_capacity ? b->current : b->max_capacity;
}

double client_token_bucket_try_acquire(struct client_token_bucket *b, double now_s)
{
    s_bucket_refill(b, now_s);
    if (b->current >= 1.0) {
        b->current -= 1.0;
        return 0.0;
    }
    return (1.0 - b->current) / b->fill_rate;
}

/* ---- classification (client-facts.md §3.2, §3.3, §3.6) -------------------------------- */

static bool s_in(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(code, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const s_legacy_throttling[] = {"Throttling", "ThrottlingException", "ThrottledException",
                                                  "RequestThrottledException",
                                                  "ProvisionedThroughputExceededException"};
static const char *const s_throttling[] = {"Throttling",
                                           "ThrottlingException",
                                           "ThrottledException",
                                           "RequestThrottledException",
                                           "TooManyRequestsException",
                                           "ProvisionedThroughputExceededException",
                                           "TransactionInProgressException",
                                           "RequestLimitExceeded",
                                           "BandwidthLimitExceeded",
                                           "LimitExceededException",
                                           "RequestThrottled",
                                           "SlowDown",
                                           "PriorRequestNotComplete",
                                           "EC2ThrottledException"};
static const char *const s_transient_codes[] = {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"};
/* bedrock-runtime's error shapes with the `retryable` trait (service-2.json): throttling false. */
static const char *const s_modeled_retryable[] = {"ModelNotReadyException"};

static bool s_connection_error(const struct client_attempt_outcome *o)
{
    return !o->stream_open &&
           (o->status == BRK_ERR_CONNECT || o->status == BRK_ERR_TIMEOUT || o->status == BRK_ERR_TRANSPORT);
}

bool client_retry_is_throttling(const char *code)
{
    return s_in(code, s_throttling, S_COUNT(s_throttling));
}

bool client_retry_legacy_retryable(const struct client_attempt_outcome *o)
{
    if (o->stream_open) {
        return false;
    }
    if (s_connection_error(o)) {
        return true;
    }
    int st = o->status == BRK_ERR_SERVICE ? o->http_status : 0;
    if (st == 500 || st == 502 || st == 503 || st == 504 || st == 509 || st == 429) {
        return true;
    }
    return st == 400 && s_in(o->code, s_legacy_throttling, S_COUNT(s_legacy_throttling));
}

bool client_retry_standard_retryable(const struct client_attempt_outcome *o)
{
    if (o->stream_open) {
        return false;
    }
    if (s_connection_error(o)) {
        return true;
    }
    if (o->status != BRK_ERR_SERVICE) {
        return false;
    }
    int st = o->http_status;
    return st == 500 || st == 502 || st == 503 || st == 504 || s_in(o->code, s_transient_codes, 3) ||
           client_retry_is_throttling(o->code) || s_in(o->code, s_modeled_retryable, S_COUNT(s_modeled_retryable));
}

/* ---- the per-client state and the decision ---------------------------------------------- */

void client_retry_init(struct client_retry *r, enum brk_retry_mode mode, unsigned max_attempts, uint64_t seed,
                       double now_s)
{
    memset(r, 0, sizeof(*r));
    r->mode = mode;
    r->max_attempts = max_attempts;
    if (seed) {
        brk_rng_seed(&r->rng, seed);
    } else {
        brk_rng_seed_os(&r->rng);
    }
    r->quota = CLIENT_RETRY_QUOTA_CAPACITY;
    client_cubic_init(&r->cubic, now_s);
    client_rate_clock_init(&r->clocker, now_s);
    client_token_bucket_init(&r->bucket, now_s);
}

bool client_retry_mode_parse(const char *text, enum brk_retry_mode *out)
{
    static const char *const names[] = {"legacy", "standard", "adaptive"};
    for (size_t i = 0; text && i < S_COUNT(names); i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = (enum brk_retry_mode)(BRK_RETRY_LEGACY + (int)i);
            return true;
        }
    }
    return false;
}

double client_retry_before_send(struct client_retry *r, double now_s)
{
    if (r->mode != BRK_RETRY_ADAPTIVE || !r->enabled) {
        return 0.0;
    }
    return client_token_bucket_try_acquire(&r->bucket, now_s);
}

/* ClientRateLimiter.on_receiving_response. */
static void s_adaptive_update(struct client_retry *r, bool throttled, double now_s)
{
    double measured = client_rate_clock_record(&r->clocker, now_s);
    double rate;
    if (!throttled) {
        rate = client_cubic_success(&r->cubic, now_s);
    } else {
        double use = !r->enabled ? measured : measured < r->bucket.fill_rate ? measured : r->bucket.fill_rate;
        rate = client_cubic_error(&r->cubic, use, now_s);
        r->enabled = true;
    }
    client_token_bucket_set_rate(&r->bucket, rate < 2.0 * measured ? rate : 2.0 * measured, now_s);
}

static int64_t s_delay_ms(struct client_retry *r, unsigned a)
{
    double scale = ldexp(1.0, (int)(a < 64 ? a - 1 : 63));
    if (r->mode != BRK_RETRY_LEGACY && scale > CLIENT_RETRY_MAX_BACKOFF_S) {
        scale = CLIENT_RETRY_MAX_BACKOFF_S;
    }
    return llround(brk_rng_uniform(&r->rng) * scale * 1000.0);
}

/* Standard's quota: take before a retry; on a final 2xx give back 1 or the last amount taken. */
static bool s_quota_take(struct client_retry *r, const struct client_attempt_outcome *o, unsigned *acquired)
{
    unsigned cost = o->status == BRK_ERR_TIMEOUT ? CLIENT_RETRY_QUOTA_TIMEOUT_COST : CLIENT_RETRY_QUOTA_COST;
    if (cost > r->quota) {
        return false;
    }
    r->quota -= cost;
    *acquired = cost;
    return true;
}

static void s_quota_release(struct client_retry *r, const struct client_attempt_outcome *o, unsigned acquired)
{
    if (o->status != BRK_OK || o->http_status / 100 != 2) {
        return;
    }
    unsigned refund = acquired ? acquired : CLIENT_RETRY_QUOTA_NO_RETRY_REFUND;
    r->quota = r->quota + refund > CLIENT_RETRY_QUOTA_CAPACITY ? CLIENT_RETRY_QUOTA_CAPACITY : r->quota + refund;
}

static enum brk_retry_decision s_decide(struct client_retry *r, unsigned a, const struct client_attempt_outcome *o,
                                        unsigned *acquired)
{
    bool legacy = r->mode == BRK_RETRY_LEGACY;
    if (o->status == BRK_OK) {
        return BRK_RETRY_DONE_SUCCESS;
    }
    bool retryable = legacy ? client_retry_legacy_retryable(o) : client_retry_standard_retryable(o);
    if (!retryable) {
        return BRK_RETRY_DONE_NOT_RETRYABLE;
    }
    if (a >= r->max_attempts) {
        return BRK_RETRY_DONE_MAX_ATTEMPTS;
    }
    return legacy || s_quota_take(r, o, acquired) ? BRK_RETRY_AGAIN : BRK_RETRY_DONE_QUOTA;
}

enum brk_retry_decision client_retry_after(struct client_retry *r, unsigned a, const struct client_attempt_outcome *o,
                                           double now_s, unsigned *acquired, int64_t *delay_ms,
                                           struct brk_retry_attempt *row)
{
    row->throttling = o->status == BRK_ERR_SERVICE && client_retry_is_throttling(o->code);
    if (r->mode == BRK_RETRY_ADAPTIVE) {
        s_adaptive_update(r, row->throttling, now_s);
    }
    enum brk_retry_decision d = s_decide(r, a, o, acquired);
    *delay_ms = d == BRK_RETRY_AGAIN ? s_delay_ms(r, a) : 0;
    if (d != BRK_RETRY_AGAIN && r->mode != BRK_RETRY_LEGACY) {
        s_quota_release(r, o, *acquired);
    }
    row->decision = d;
    row->delay_ms = *delay_ms;
    row->quota_capacity = r->mode == BRK_RETRY_LEGACY ? 0 : r->quota;
    row->bucket_enabled = r->enabled;
    row->fill_rate = r->mode == BRK_RETRY_ADAPTIVE ? r->bucket.fill_rate : 0.0;
    row->measured_rate = r->mode == BRK_RETRY_ADAPTIVE ? r->clocker.measured : 0.0;
    return d;
}

bool client_retry_ttl(const char *date, long read_timeout_ms, char out[20])
{
    struct tm tm = {0};
    const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0' || tm.tm_year < 70 || tm.tm_year > 8000) {
        return false;
    }
    time_t ttl = timegm(&tm) + (time_t)(read_timeout_ms / 1000);
    struct tm utc;
    if (gmtime_r(&ttl, &utc) == NULL) {
        return false;
    }
    return strftime(out, 20, "%Y%m%dT%H%M%SZ", &utc) == 16;
}
