/*
 * clock.h: the one source of time for cache TTLs, quota refill, SigV4 skew and latency.
 *
 * A real clock reads CLOCK_REALTIME. A virtual clock starts at the real time of its
 * creation (or a given epoch) and moves only when brk_clock_advance (or brk_clock_sleep_ms)
 * is called, so tests expire a 5-minute cache entry, refill a 60-second quota or run a
 * client's retry backoff without waiting.
 * Thread-safe: reads and advances are atomic.
 */
#ifndef BEDROCK_CLOCK_H
#define BEDROCK_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bedrock/status.h"

enum brk_clock_mode { BRK_CLOCK_REAL = 0, BRK_CLOCK_VIRTUAL };

struct brk_clock;

/* Create a clock. For BRK_CLOCK_VIRTUAL, `start_ms` is the initial time in milliseconds
 * since the Unix epoch; 0 means "the real time now". Free with brk_clock_destroy. */
struct brk_clock *brk_clock_new(enum brk_clock_mode mode, int64_t start_ms);

/* Free a clock; accepts NULL. */
void brk_clock_destroy(struct brk_clock *clock);

/* Milliseconds since the Unix epoch. */
int64_t brk_clock_now_ms(const struct brk_clock *clock);

/* Move a virtual clock forward by `delta_ms` (>= 0). BRK_ERR_STATE on a real clock,
 * BRK_ERR_INVALID_ARG for a negative delta. */
enum brk_status brk_clock_advance(struct brk_clock *clock, int64_t delta_ms);

enum brk_clock_mode brk_clock_mode(const struct brk_clock *clock);

/* Wait `ms` milliseconds of this clock's time. A real clock (or NULL) sleeps, as
 * brk_clock_sleep_real_ms does. A virtual clock advances itself by `ms` and returns at once:
 * whoever waits on a virtual clock (a client's retry backoff) is the one who moves it, so a
 * test of 20 s of backoff takes milliseconds and every time read afterwards is exactly `ms`
 * later, as if the wait had been real. Waits of several threads on one virtual clock add up.
 * BRK_ERR_INVALID_ARG for a negative `ms` (nothing happens); 0 returns at once. */
enum brk_status brk_clock_sleep_ms(struct brk_clock *clock, int64_t ms);

/* Sleep `ms` milliseconds of real time, whatever clock is in use: on the monotonic clock until
 * a deadline, restarting after signals, so neither a signal nor a wall-clock step cuts or
 * stretches it. For waits that a peer measures in real time: the mock's scripted delays
 * (docs/rules.md, delayMs) test an SDK's read timeout, which runs on the real clock even when
 * the mock's own clock is virtual. `ms` <= 0 returns at once. */
void brk_clock_sleep_real_ms(int64_t ms);

/* Real wall-clock milliseconds since the epoch, for code that must not be virtualised
 * (log timestamps). */
int64_t brk_clock_real_ms(void);

/* Monotonic milliseconds, for measuring durations. */
int64_t brk_clock_monotonic_ms(void);

/* Monotonic microseconds, for measuring short durations. */
int64_t brk_clock_monotonic_us(void);

/* Timed waits on the monotonic clock, so a wall-clock step neither stretches nor cuts them:
 * brk_clock_cond_init makes `cond` measure its timeouts on CLOCK_MONOTONIC, and
 * brk_clock_cond_deadline gives the absolute time `ms` from now for pthread_cond_timedwait
 * on such a condition variable (a negative `ms` is now). */
void brk_clock_cond_init(pthread_cond_t *cond);
void brk_clock_cond_deadline(int64_t ms, struct timespec *out);

#endif
