/* deadline.c: the HTTP/1.1 request-head deadline (see deadline.h). */
#include "mock/http/deadline.h"

#include <fcntl.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received (glibc's lacks it) */
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "common/log.h"

#define S_LOOK_MS 100 /* how often armed watches are looked at: at most this much early */

struct mock_deadline_watch {
    int fd;               /* our own duplicate of the connection's socket */
    int64_t deadline_ms;  /* 0: no head under way */
    bool armed;           /* waiting for the first byte of the next head */
    bool claimed;         /* libmicrohttpd started serving it (mock_deadlines_find) */
    uint64_t armed_bytes; /* bytes the socket had received when it was armed */
    dev_t dev;            /* the socket's identity (fstat when watched), for mock_deadlines_find */
    ino_t ino;
    int64_t quiet_ms; /* no byte of the next head had arrived by then (arming or a look) */
    struct mock_deadline_watch *next;
};

struct mock_deadlines {
    int64_t timeout_ms;
    pthread_t thread;
    bool started;         /* `thread` runs */
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* the watchdog sleeps on it */
    bool stopping;
    bool looking; /* the watchdog wakes within S_LOOK_MS: arming need not wake it */
    struct mock_deadline_watch *watches;
};

/* Bytes TCP has received on `fd` since it was accepted, read or not; 0 when unknown. */
static uint64_t s_bytes_received(int fd)
{
    struct tcp_info info;
    socklen_t len = sizeof(info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received)) {
        return 0;
    }
    return info.tcpi_bytes_received;
}

/* Armed watches whose socket received a byte since it was armed: their head began after the
 * last moment it was seen quiet, and the deadline counts from then. A byte counts whether or
 * not libmicrohttpd has read it yet (epoll, tried first, reports only unread bytes, and the
 * connection's thread reads each one at once). True when some watch is still armed. */
static bool s_look_locked(struct mock_deadlines *d, int64_t now)
{
    bool armed = false;
    for (struct mock_deadline_watch *w = d->watches; w; w = w->next) {
        if (!w->armed) {
            continue;
        }
        if (s_bytes_received(w->fd) != w->armed_bytes) {
            w->armed = false;
            w->deadline_ms = w->quiet_ms + d->timeout_ms;
        } else {
            w->quiet_ms = now;
            armed = true;
        }
    }
    return armed;
}

/* Milliseconds until the nearest deadline, or -1 when none is running. */
static int64_t s_timeout_locked(struct mock_deadlines *d, int64_t now)
{
    int64_t first = -1;
    for (struct mock_deadline_watch *w = d->watches; w; w = w->next) {
        if (w->deadline_ms && (first < 0 || w->deadline_ms < first)) {
            first = w->deadline_ms;
        }
    }
    return first < 0 ? -1 : (first <= now ? 0 : first - now);
}

/* Shut late connections down. A watch libmicrohttpd never claimed (it refused the
 * connection after accepting the hand-over) would never be unwatched: it goes now. */
static void s_expire_locked(struct mock_deadlines *d, int64_t now)
{
    for (struct mock_deadline_watch **pp = &d->watches; *pp;) {
        struct mock_deadline_watch *w = *pp;
        if (!w->deadline_ms || w->deadline_ms > now) {
            pp = &w->next;
            continue;
        }
        w->deadline_ms = 0;
        brk_log_debug("closing a connection whose request head was not complete in %lld ms", (long long)d->timeout_ms);
        shutdown(w->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes the connection */
        if (w->claimed) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        close(w->fd);
        free(w);
    }
}

/* The watchdog sleeps until the nearest deadline, and while a watch is armed at most
 * S_LOOK_MS. It is never woken per request: under load that wake (an epoll event for every
 * head that began) was 7% of the server's CPU. */
static void *s_main(void *arg)
{
    struct mock_deadlines *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        int64_t now = brk_clock_monotonic_ms();
        d->looking = s_look_locked(d, now);
        s_expire_locked(d, now);
        int64_t wait_ms = s_timeout_locked(d, now);
        if (d->looking && (wait_ms < 0 || wait_ms > S_LOOK_MS)) {
            wait_ms = S_LOOK_MS;
        }
        if (wait_ms < 0) {
            pthread_cond_wait(&d->cond, &d->lock);
        } else {
            struct timespec until;
            brk_clock_cond_deadline(wait_ms, &until);
            pthread_cond_timedwait(&d->cond, &d->lock, &until);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct mock_deadlines *mock_deadlines_new(unsigned header_timeout_s)
{
    struct mock_deadlines *d = calloc(1, sizeof(*d));
    if (!d) {
        return NULL;
    }
    d->timeout_ms = (int64_t)header_timeout_s * 1000;
    pthread_mutex_init(&d->lock, NULL);
    brk_clock_cond_init(&d->cond);
    d->started = pthread_create(&d->thread, NULL, s_main, d) == 0;
    if (!d->started) {
        mock_deadlines_destroy(d);
        return NULL;
    }
    return d;
}

void mock_deadlines_destroy(struct mock_deadlines *d)
{
    if (!d) {
        return;
    }
    if (d->started) {
        pthread_mutex_lock(&d->lock);
        d->stopping = true;
        pthread_cond_signal(&d->cond);
        pthread_mutex_unlock(&d->lock);
        pthread_join(d->thread, NULL);
    }
    while (d->watches) {
        struct mock_deadline_watch *w = d->watches;
        d->watches = w->next;
        close(w->fd);
        free(w);
    }
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

struct mock_deadline_watch *mock_deadlines_watch(struct mock_deadlines *d, int fd, int64_t deadline_ms)
{
    struct mock_deadline_watch *w = calloc(1, sizeof(*w));
    if (!w) {
        return NULL;
    }
    struct stat st;
    w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (w->fd < 0 || fstat(w->fd, &st) != 0) {
        if (w->fd >= 0) {
            close(w->fd);
        }
        free(w);
        return NULL;
    }
    w->dev = st.st_dev;
    w->ino = st.st_ino;
    pthread_mutex_lock(&d->lock);
    w->deadline_ms = deadline_ms > 0 ? deadline_ms : 1;
    w->next = d->watches;
    d->watches = w;
    pthread_cond_signal(&d->cond); /* the watchdog may be sleeping without a deadline */
    pthread_mutex_unlock(&d->lock);
    return w;
}

struct mock_deadline_watch *mock_deadlines_find(struct mock_deadlines *d, int fd)
{
    /* By socket identity, not descriptor number: our duplicate keeps a closed connection's
     * socket alive, so a reused number names a different inode. The watches' identities were
     * taken when they were made: one fstat here, none under the lock (it was one a watch, a
     * connection's worth of system calls under the lock every connection thread takes). */
    struct mock_deadline_watch *found = NULL;
    struct stat want;
    if (fstat(fd, &want) != 0) {
        return NULL;
    }
    pthread_mutex_lock(&d->lock);
    for (struct mock_deadline_watch *w = d->watches; w && !found; w = w->next) {
        found = w->ino == want.st_ino && w->dev == want.st_dev ? w : NULL;
    }
    if (found) {
        found->claimed = true;
    }
    pthread_mutex_unlock(&d->lock);
    return found;
}

unsigned mock_deadlines_count(struct mock_deadlines *d)
{
    unsigned n = 0;
    pthread_mutex_lock(&d->lock);
    for (struct mock_deadline_watch *w = d->watches; w; w = w->next) {
        n++;
    }
    pthread_mutex_unlock(&d->lock);
    return n;
}

void mock_deadlines_head_done(struct mock_deadlines *d, struct mock_deadline_watch *w)
{
    if (!w) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    w->deadline_ms = 0;
    w->armed = false;
    pthread_mutex_unlock(&d->lock);
}

/* The byte count is read here, on the connection's thread and outside the lock: every byte
 * of the request just served has arrived, so any byte past it belongs to the next head. */
void mock_deadlines_next_head(struct mock_deadlines *d, struct mock_deadline_watch *w)
{
    if (!w) {
        return;
    }
    uint64_t bytes = s_bytes_received(w->fd);
    int64_t now = brk_clock_monotonic_ms();
    pthread_mutex_lock(&d->lock);
    w->deadline_ms = 0;
    w->armed = true;
    w->armed_bytes = bytes;
    w->quiet_ms = now;
    if (!d->looking) {
        d->looking = true;
        pthread_cond_signal(&d->cond); /* it slept without looking: from now on it looks */
    }
    pthread_mutex_unlock(&d->lock);
}

void mock_deadlines_unwatch(struct mock_deadlines *d, struct mock_deadline_watch *w)
{
    if (!w) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    for (struct mock_deadline_watch **pp = &d->watches; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    pthread_mutex_unlock(&d->lock);
    close(w->fd);
    free(w);
}
