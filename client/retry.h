/*
 * retry.h: botocore's retry modes for libbedrock (docs/retries.md; every constant from
 * /work/shared/spec/client-facts.md §3, botocore's retryhandler.py, retries/standard.py,
 * quota.py, adaptive.py, bucket.py, throttling.py).
 *
 * A struct client_retry lives in its client: the retry quota and the adaptive rate limiter are
 * per client, as botocore's are. Times are seconds on the client's clock (virtual in tests),
 * as botocore's are on time.time(). The CUBIC calculator, the rate clock and the token bucket
 * are pure state machines over the time they are given, so the tests check them against
 * botocore's formulas directly. Not thread-safe: a client is used by one thread at a time.
 */
#ifndef BEDROCK_CLIENT_RETRY_H
#define BEDROCK_CLIENT_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "bedrock/client.h"
#include "common/rng.h"

/* client-facts.md §3.2, §3.3 */
#define CLIENT_RETRY_LEGACY_DEFAULT_ATTEMPTS 5u
#define CLIENT_RETRY_STANDARD_DEFAULT_ATTEMPTS 3u
/* Ours, not botocore's: bounds a typo (AWS_MAX_ATTEMPTS=1000000000) to something that ends. */
#define CLIENT_MAX_ATTEMPTS_LIMIT 1000u
#define CLIENT_RETRY_MAX_BACKOFF_S 20.0
#define CLIENT_RETRY_QUOTA_CAPACITY 500u
#define CLIENT_RETRY_QUOTA_COST 5u
#define CLIENT_RETRY_QUOTA_TIMEOUT_COST 10u
#define CLIENT_RETRY_QUOTA_NO_RETRY_REFUND 1u
/* client-facts.md §3.5 */
#define CLIENT_CUBIC_SCALE 0.4
#define CLIENT_CUBIC_BETA 0.7
#define CLIENT_RATE_SMOOTHING 0.8
#define CLIENT_RATE_BUCKETS_PER_S 2.0
#define CLIENT_BUCKET_MIN_FILL_RATE 0.5
#define CLIENT_BUCKET_MIN_CAPACITY 1.0

/* CubicCalculator. */
struct client_cubic {
    double w_max;
    double k;
    double last_fail_s;
};
void client_cubic_init(struct client_cubic *c, double now_s);
double client_cubic_success(const struct client_cubic *c, double now_s);
double client_cubic_error(struct client_cubic *c, double rate, double now_s);

/* RateClocker: the measured send rate, per half-second window, smoothed. */
struct client_rate_clock {
    double last_bucket_s;
    double measured;
    unsigned count;
};
void client_rate_clock_init(struct client_rate_clock *r, double now_s);
double client_rate_clock_record(struct client_rate_clock *r, double now_s);

/* TokenBucket (created with max_rate 1). */
struct client_token_bucket {
    double fill_rate;
    double max_capacity;
    double current;
    double last_s;
};
void client_token_bucket_init(struct client_token_bucket *b, double now_s);
void client_token_bucket_set_rate(struct client_token_bucket *b, double rate, double now_s);
/* Take one token if there is one (returns 0); else the seconds to wait before trying again. */
double client_token_bucket_try_acquire(struct client_token_bucket *b, double now_s);

struct client_retry {
    enum brk_retry_mode mode; /* never DEFAULT */
    unsigned max_attempts;    /* total */
    struct brk_rng rng;
    unsigned quota; /* retry quota capacity (standard, adaptive) */
    /* adaptive */
    bool enabled;
    struct client_cubic cubic;
    struct client_rate_clock clocker;
    struct client_token_bucket bucket;
    struct brk_call_stats last;
};

/* What one attempt came to, for the decision. */
struct client_attempt_outcome {
    enum brk_status status;
    int http_status;
    const char *code;
    bool stream_open; /* a 2xx answer had begun: in-stream failures are never retried */
};

void client_retry_init(struct client_retry *r, enum brk_retry_mode mode, unsigned max_attempts, uint64_t seed,
                       double now_s);

/* Legacy's and standard's classifiers (client-facts.md §3.2, §3.3). */
bool client_retry_legacy_retryable(const struct client_attempt_outcome *o);
bool client_retry_standard_retryable(const struct client_attempt_outcome *o);
bool client_retry_is_throttling(const char *code);

/* Before each send (adaptive): the seconds to wait for a token, 0 when one was taken. */
double client_retry_before_send(struct client_retry *r, double now_s);

/* After attempt `a` (1-based) of a call in which `acquired` (in/out) is the quota amount last
 * taken (0: no retry yet): the decision, the delay in ms and the schedule row's state. */
enum brk_retry_decision client_retry_after(struct client_retry *r, unsigned a, const struct client_attempt_outcome *o,
                                           double now_s, unsigned *acquired, int64_t *delay_ms,
                                           struct brk_retry_attempt *row);

/* amz-sdk-request's ttl after an answer with a Date header (botocore's endpoint._calculate_ttl:
 * the local time at receipt + the read timeout + the estimated skew, server Date - local time,
 * which comes to Date + read timeout), as YYYYMMDDTHHMMSSZ into out[20]. false (out untouched)
 * when `date` is not an IMF-fixdate ("Mon, 07 Dec 2026 08:12:19 GMT"). */
bool client_retry_ttl(const char *date, long read_timeout_ms, char out[20]);

/* Parse a retry mode name ("legacy", "standard", "adaptive", case as botocore: exact). */
bool client_retry_mode_parse(const char *text, enum brk_retry_mode *out);

#endif
