/* deadline.c: the HTTP/1.1 request-head deadline (see deadline.h). */
#include "mock/http/deadline.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "common/log.h"

#define S_WAKE_ID 0u /* epoll data of the eventfd; watches count from 1 */

struct mock_deadline_watch {
    uint64_t id;         /* epoll data: an event for a watch freed meanwhile finds nothing */
    int fd;              /* our own duplicate of the connection's socket */
    int64_t deadline_ms; /* 0: no head under way */
    bool armed;          /* waiting for the first byte of the next head */
    bool claimed;        /* libmicrohttpd started serving it (mock_deadlines_find) */
    bool registered;     /* fd is in the epoll set (s_between_heads) */
    struct mock_deadline_watch *next;
};

struct mock_deadlines {
    int64_t timeout_ms;
    int ep, wake_fd;
    pthread_t thread;
    bool started;         /* `thread` runs */
    pthread_mutex_t lock; /* guards everything below */
    bool stopping;
    uint64_t next_id;
    struct mock_deadline_watch *watches;
};

static void s_wake(struct mock_deadlines *d)
{
    uint64_t one = 1;
    ssize_t w = write(d->wake_fd, &one, sizeof(one));
    (void)w;
}

/* Milliseconds until the nearest deadline, or -1 when none is running. */
static int s_timeout_locked(struct mock_deadlines *d, int64_t now)
{
    int64_t first = -1;
    for (struct mock_deadline_watch *w = d->watches; w; w = w->next) {
        if (w->deadline_ms && (first < 0 || w->deadline_ms < first)) {
            first = w->deadline_ms;
        }
    }
    if (first < 0) {
        return -1;
    }
    return first <= now ? 0 : (int)(first - now < 1000000 ? first - now : 1000000);
}

/* The first byte of a kept-alive connection's next head arrived: its deadline starts. */
static void s_head_began_locked(struct mock_deadlines *d, uint64_t id, int64_t now)
{
    for (struct mock_deadline_watch *w = d->watches; w; w = w->next) {
        if (w->id == id && w->armed) {
            w->armed = false;
            w->deadline_ms = now + d->timeout_ms;
        }
    }
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
        epoll_ctl(d->ep, EPOLL_CTL_DEL, w->fd, NULL);
        close(w->fd);
        free(w);
    }
}

static void *s_main(void *arg)
{
    struct mock_deadlines *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        int timeout = s_timeout_locked(d, brk_clock_monotonic_ms());
        pthread_mutex_unlock(&d->lock);
        struct epoll_event ev[16];
        int n = epoll_wait(d->ep, ev, 16, timeout);
        pthread_mutex_lock(&d->lock);
        int64_t now = brk_clock_monotonic_ms();
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u64 == S_WAKE_ID) {
                uint64_t v;
                ssize_t r = read(d->wake_fd, &v, sizeof(v));
                (void)r;
            } else {
                s_head_began_locked(d, ev[i].data.u64, now);
            }
        }
        s_expire_locked(d, now);
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
    d->next_id = S_WAKE_ID + 1;
    pthread_mutex_init(&d->lock, NULL);
    d->ep = epoll_create1(EPOLL_CLOEXEC);
    d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake = {.events = EPOLLIN, .data.u64 = S_WAKE_ID};
    d->started = d->ep >= 0 && d->wake_fd >= 0 && epoll_ctl(d->ep, EPOLL_CTL_ADD, d->wake_fd, &wake) == 0 &&
                 pthread_create(&d->thread, NULL, s_main, d) == 0;
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
        pthread_mutex_unlock(&d->lock);
        s_wake(d);
        pthread_join(d->thread, NULL);
    }
    while (d->watches) {
        struct mock_deadline_watch *w = d->watches;
        d->watches = w->next;
        close(w->fd);
        free(w);
    }
    if (d->ep >= 0) {
        close(d->ep);
    }
    if (d->wake_fd >= 0) {
        close(d->wake_fd);
    }
    pthread_mutex_destroy(&d->lock);
    free(d);
}

struct mock_deadline_watch *mock_deadlines_watch(struct mock_deadlines *d, int fd, int64_t deadline_ms)
{
    struct mock_deadline_watch *w = calloc(1, sizeof(*w));
    if (!w) {
        return NULL;
    }
    w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (w->fd < 0) {
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&d->lock);
    w->id = d->next_id++;
    w->deadline_ms = deadline_ms > 0 ? deadline_ms : 1;
    w->next = d->watches;
    d->watches = w;
    pthread_mutex_unlock(&d->lock);
    s_wake(d); /* the watchdog may be sleeping without a deadline */
    return w;
}

struct mock_deadline_watch *mock_deadlines_find(struct mock_deadlines *d, int fd)
{
    /* By socket identity, not descriptor number: our duplicate keeps a closed connection's
     * socket alive, so a reused number names a different inode. */
    struct mock_deadline_watch *found = NULL;
    struct stat want;
    if (fstat(fd, &want) != 0) {
        return NULL;
    }
    pthread_mutex_lock(&d->lock);
    for (struct mock_deadline_watch *w = d->watches; w && !found; w = w->next) {
        struct stat st;
        found = fstat(w->fd, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev ? w : NULL;
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

/* No head under way; when `armed`, the first byte of the next one (or the peer's close)
 * starts its deadline: one shot, and bytes already there (a pipelined request) fire at once.
 * A registration stays in the epoll set from its first arming until the watch goes: an event
 * that fired left it disabled, and one that fires while the watch is not armed (the head
 * began and ended before the watchdog looked) is ignored. So ending a head costs no system
 * call, arming the next is one MOD, and the lock is not held around either: these two were a
 * tenth of the server's CPU under load (docs/benchmarks.md). Only the connection's own thread
 * arms and disarms its watch. */
static void s_between_heads(struct mock_deadlines *d, struct mock_deadline_watch *w, bool armed)
{
    if (!w) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    w->deadline_ms = 0;
    w->armed = armed;
    bool registered = w->registered;
    w->registered = registered || armed;
    pthread_mutex_unlock(&d->lock);
    if (!armed) {
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.u64 = w->id};
    int op = registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(d->ep, op, w->fd, &ev) != 0 && (errno == EEXIST || errno == ENOENT)) {
        epoll_ctl(d->ep, op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &ev);
    }
}

void mock_deadlines_head_done(struct mock_deadlines *d, struct mock_deadline_watch *w)
{
    s_between_heads(d, w, false);
}

void mock_deadlines_next_head(struct mock_deadlines *d, struct mock_deadline_watch *w)
{
    s_between_heads(d, w, true);
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
    epoll_ctl(d->ep, EPOLL_CTL_DEL, w->fd, NULL);
    pthread_mutex_unlock(&d->lock);
    close(w->fd);
    free(w);
}
