/* clock.c: real and virtual clocks (see clock.h). */
#include "bedrock/clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "common/alloc.h"

struct brk_clock {
    enum brk_clock_mode mode;
    _Atomic int64_t virtual_ms;
};

static int64_t s_read_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t brk_clock_real_ms(void)
{
    return s_read_ms(CLOCK_REALTIME);
}

int64_t brk_clock_monotonic_ms(void)
{
    return s_read_ms(CLOCK_MONOTONIC);
}

int64_t brk_clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void brk_clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

void brk_clock_cond_deadline(int64_t ms, struct timespec *out)
{
    ms = ms < 0 ? 0 : ms; /* a deadline already past is now: a negative tv_nsec would be EINVAL */
    clock_gettime(CLOCK_MONOTONIC, out);
    out->tv_sec += (time_t)(ms / 1000);
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}

struct brk_clock *brk_clock_new(enum brk_clock_mode mode, int64_t start_ms)
{
    struct brk_clock *clock = brk_calloc(1, sizeof(*clock));
    if (!clock) {
        return NULL;
    }
    clock->mode = mode;
    atomic_store(&clock->virtual_ms, start_ms ? start_ms : brk_clock_real_ms());
    return clock;
}

void brk_clock_destroy(struct brk_clock *clock)
{
    brk_free(clock);
}

int64_t brk_clock_now_ms(const struct brk_clock *clock)
{
    if (!clock || clock->mode == BRK_CLOCK_REAL) {
        return brk_clock_real_ms();
    }
    return atomic_load(&((struct brk_clock *)clock)->virtual_ms);
}

enum brk_status brk_clock_advance(struct brk_clock *clock, int64_t delta_ms)
{
    if (!clock || clock->mode != BRK_CLOCK_VIRTUAL) {
        return BRK_ERR_STATE;
    }
    if (delta_ms < 0) {
        return BRK_ERR_INVALID_ARG;
    }
    /* Saturate rather than wrap: many large advances must not send the clock back in time. */
    int64_t cur = atomic_load(&clock->virtual_ms);
    int64_t next;
    do {
        next = cur > INT64_MAX - delta_ms ? INT64_MAX : cur + delta_ms;
    } while (!atomic_compare_exchange_weak(&clock->virtual_ms, &cur, next));
    return BRK_OK;
}

enum brk_clock_mode brk_clock_mode(const struct brk_clock *clock)
{
    return clock ? clock->mode : BRK_CLOCK_REAL;
}

void brk_clock_sleep_real_ms(int64_t ms)
{
    if (ms <= 0) {
        return;
    }
    struct timespec deadline;
    brk_clock_cond_deadline(ms, &deadline);
    /* An absolute deadline: a sleep restarted after a signal does not start over. */
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR) {
    }
}

enum brk_status brk_clock_sleep_ms(struct brk_clock *clock, int64_t ms)
{
    if (ms < 0) {
        return BRK_ERR_INVALID_ARG;
    }
    if (clock && clock->mode == BRK_CLOCK_VIRTUAL) {
        return brk_clock_advance(clock, ms);
    }
    brk_clock_sleep_real_ms(ms);
    return BRK_OK;
}
