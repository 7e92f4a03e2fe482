/*
 * listener.c: the listening socket, the acceptor thread, and the protocol sniff that sends
 * each connection to HTTP/1.1 (libmicrohttpd) or HTTP/2 (h2.c). See listener.h.
 */
#include "mock/http/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "common/log.h"
#include "mock/http/h2.h"
#include "mock/mock_priv.h"

struct s_conn {
    struct mock_listener *listener;
    int fd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int64_t accepted_ms; /* monotonic */
    pthread_t thread;
    bool done; /* the thread has finished (guarded by listener->lock) */
    struct s_conn *next;
};

struct mock_listener {
    struct brk_mock *mock;
    struct mock_listener_ops ops;
    int fd;
    int stop_fd;  /* eventfd: readable for good once stopping starts */
    bool starved; /* the last accept failed for want of descriptors or memory (written by the acceptor) */
    pthread_t acceptor;
    bool acceptor_started;
    pthread_mutex_t lock;
    pthread_cond_t slot_freed; /* a connection thread ended */
    struct s_conn *conns;      /* connection threads not yet joined */
    unsigned live;             /* connections this listener serves (sniffing or HTTP/2) */
};

enum s_proto { S_CLOSE, S_HTTP1, S_H2, S_UNDECIDED };

/* A watch on one sniffing connection: an epoll set holding the stop fd and the socket,
 * edge-triggered, so a wait ends only when NEW bytes arrive, the peer closes (EPOLLRDHUP),
 * stopping starts or the deadline passes; bytes already peeked at do not wake it again. */
static int s_sniff_watch(int fd, int stop_fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event stop = {.events = EPOLLIN, .data.fd = stop_fd};
    struct epoll_event sock = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (ep >= 0 &&
        (epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &stop) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &sock) != 0)) {
        close(ep);
        ep = -1;
    }
    return ep;
}

enum s_news { S_NEWS, S_PEER_DONE, S_GIVE_UP };

/* Wait for news on the socket: new bytes, the peer closing its side (what it sent is all
 * there will be), or giving up (stopping, the deadline). */
static enum s_news s_sniff_wait(int ep, int fd, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - brk_clock_monotonic_ms();
        if (left <= 0) {
            return S_GIVE_UP;
        }
        struct epoll_event ev[2];
        int n = epoll_wait(ep, ev, 2, left > 1000000 ? 1000000 : (int)left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        enum s_news news = n < 0 ? S_GIVE_UP : S_NEWS;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.fd != fd) {
                return S_GIVE_UP;
            }
            if (ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                news = S_PEER_DONE;
            }
        }
        if (n != 0) {
            return news;
        }
    }
}

/* What the bytes received so far say (n > 0). */
static enum s_proto s_classify(const char *buf, size_t n)
{
    if (memcmp(buf, MOCK_H2_PREFACE, n) != 0) {
        return S_HTTP1;
    }
    return n == MOCK_H2_PREFACE_LEN ? S_H2 : S_UNDECIDED;
}

/* Which protocol the client speaks: HTTP/2 sends the 24-byte preface first; anything that
 * differs from it in the bytes received so far is HTTP/1.1. Nothing is consumed (MSG_PEEK),
 * so the server that takes the socket reads every byte. Bounded by `deadline_ms`; a client
 * that closes its side before its bytes decide is dropped at once. */
static enum s_proto s_sniff(int fd, int stop_fd, int64_t deadline_ms)
{
    int ep = s_sniff_watch(fd, stop_fd);
    enum s_proto proto = S_CLOSE;
    for (bool last = false; ep >= 0;) {
        char buf[MOCK_H2_PREFACE_LEN];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            break; /* the client left before saying anything */
        }
        proto = n > 0 ? s_classify(buf, (size_t)n) : S_UNDECIDED;
        if (proto != S_UNDECIDED || last) {
            break;
        }
        enum s_news news = s_sniff_wait(ep, fd, deadline_ms);
        if (news == S_GIVE_UP) {
            break;
        }
        last = news == S_PEER_DONE; /* one last look at what it sent before closing */
    }
    if (ep >= 0) {
        close(ep);
    }
    return proto == S_UNDECIDED ? S_CLOSE : proto;
}

static void *s_conn_main(void *arg)
{
    struct s_conn *c = arg;
    struct mock_listener *l = c->listener;
    /* The head deadline runs from the accept: sniffing counts toward it. */
    int64_t head_deadline_ms = c->accepted_ms + (int64_t)l->mock->cfg.header_timeout_s * 1000;
    switch (s_sniff(c->fd, l->stop_fd, head_deadline_ms)) {
    case S_H2:
        mock_h2_serve(l->mock, c->fd, l->stop_fd, head_deadline_ms);
        break;
    case S_HTTP1:
        l->ops.http1(l->ops.ctx, c->fd, (const struct sockaddr *)&c->addr, c->addrlen, head_deadline_ms);
        break;
    case S_CLOSE:
    case S_UNDECIDED:
        close(c->fd);
        break;
    }
    pthread_mutex_lock(&l->lock);
    c->done = true;
    l->live--;
    pthread_cond_signal(&l->slot_freed);
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* Join the connection threads that have finished (called by the acceptor only). */
static void s_reap(struct mock_listener *l)
{
    pthread_mutex_lock(&l->lock);
    struct s_conn *done = NULL;
    for (struct s_conn **pp = &l->conns; *pp;) {
        struct s_conn *c = *pp;
        if (c->done) {
            *pp = c->next;
            c->next = done;
            done = c;
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&l->lock);
    while (done) {
        struct s_conn *next = done->next;
        pthread_join(done->thread, NULL);
        free(done);
        done = next;
    }
}

/* Count the new connection in, or refuse it when cfg.max_connections are open. At the limit
 * it waits up to S_ADMIT_WAIT_MS for a slot: a client that has just closed connections (the
 * connection threads see the close a moment later) is not refused for that moment. */
#define S_ADMIT_WAIT_MS 100

static bool s_admit(struct mock_listener *l)
{
    pthread_mutex_lock(&l->lock);
    bool ok = false;
    for (int waited = 0;; waited += 5) {
        unsigned http1 = l->ops.http1_count ? l->ops.http1_count(l->ops.ctx) : 0;
        ok = l->live + http1 < l->mock->cfg.max_connections;
        if (ok || waited >= S_ADMIT_WAIT_MS) {
            break;
        }
        struct timespec ts;
        brk_clock_cond_deadline(5, &ts);
        pthread_cond_timedwait(&l->slot_freed, &l->lock, &ts);
    }
    l->live += ok ? 1 : 0;
    pthread_mutex_unlock(&l->lock);
    return ok;
}

static void s_start_conn(struct mock_listener *l, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
    struct s_conn *c = calloc(1, sizeof(*c));
    if (c) {
        *c = (struct s_conn){
            .listener = l, .fd = fd, .addr = *ss, .addrlen = len, .accepted_ms = brk_clock_monotonic_ms()};
        pthread_mutex_lock(&l->lock);
        bool started = pthread_create(&c->thread, NULL, s_conn_main, c) == 0;
        if (started) {
            c->next = l->conns;
            l->conns = c;
        }
        pthread_mutex_unlock(&l->lock);
        if (started) {
            return;
        }
        free(c);
    }
    brk_log_warn("cannot start a connection thread; connection closed");
    close(fd);
    pthread_mutex_lock(&l->lock);
    l->live--;
    pthread_mutex_unlock(&l->lock);
}

/* Out of descriptors or memory: say so once until an accept succeeds again. Clients see only a
 * connection that never answers (the kernel completed it and it waits in the accept queue), so
 * the log is where the reason shows. */
static void s_starved(struct mock_listener *l, int err)
{
    if (!__atomic_load_n(&l->starved, __ATOMIC_RELAXED)) {
        __atomic_store_n(&l->starved, true, __ATOMIC_RELAXED);
        brk_log_warn("cannot accept a connection (%s); new connections wait until one closes%s", strerror(err),
                     err == EMFILE ? ": raise the limit (ulimit -n) or lower --max-connections" : "");
    }
}

static void *s_accept_main(void *arg)
{
    struct mock_listener *l = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = l->stop_fd, .events = POLLIN}, {.fd = l->fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            break;
        }
        if (p[0].revents) {
            break;
        }
        if (!p[1].revents) {
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                s_starved(l, errno);
                poll(p, 1, 50); /* out of descriptors: back off instead of spinning */
            }
            continue;
        }
        __atomic_store_n(&l->starved, false, __ATOMIC_RELAXED);
        s_reap(l);
        if (!s_admit(l)) {
            close(fd);
            continue;
        }
        s_start_conn(l, fd, &ss, len);
    }
    return NULL;
}

static enum brk_status s_bind(struct mock_listener *l, const struct sockaddr *addr, socklen_t addrlen,
                              uint16_t *port_out)
{
    l->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0) {
        return BRK_ERR_IO;
    }
    int on = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (addr->sa_family == AF_INET6) {
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (bind(l->fd, addr, addrlen) != 0 || listen(l->fd, SOMAXCONN) != 0) {
        return BRK_ERR_IO;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(l->fd, (struct sockaddr *)&ss, &len) != 0) {
        return BRK_ERR_IO;
    }
    *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return BRK_OK;
}

enum brk_status mock_listener_start(struct brk_mock *mock, const struct sockaddr *addr, socklen_t addrlen,
                                    const struct mock_listener_ops *ops, struct mock_listener **out, uint16_t *port_out,
                                    char *err, size_t err_len)
{
    *out = NULL;
    struct mock_listener *l = calloc(1, sizeof(*l));
    if (!l) {
        return BRK_ERR_NOMEM;
    }
    l->mock = mock;
    l->ops = *ops;
    l->fd = -1;
    pthread_mutex_init(&l->lock, NULL);
    brk_clock_cond_init(&l->slot_freed);
    l->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    enum brk_status rc = l->stop_fd >= 0 ? s_bind(l, addr, addrlen, port_out) : BRK_ERR_IO;
    if (rc == BRK_OK) {
        l->acceptor_started = pthread_create(&l->acceptor, NULL, s_accept_main, l) == 0;
        rc = l->acceptor_started ? BRK_OK : BRK_ERR_NOMEM;
    }
    if (rc != BRK_OK) {
        snprintf(err, err_len, "%s", strerror(errno ? errno : EIO));
        mock_listener_stop(l);
        return rc;
    }
    *out = l;
    return BRK_OK;
}

void mock_listener_stop(struct mock_listener *l)
{
    if (!l) {
        return;
    }
    if (l->stop_fd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(l->stop_fd, &one, sizeof(one)); /* every poller sees it; never read */
        (void)w;
    }
    if (l->acceptor_started) {
        pthread_join(l->acceptor, NULL);
    }
    if (l->fd >= 0) {
        close(l->fd);
    }
    /* The acceptor is gone, so the list only shrinks in this thread now. */
    while (l->conns) {
        struct s_conn *c = l->conns;
        l->conns = c->next;
        pthread_join(c->thread, NULL);
        free(c);
    }
    if (l->stop_fd >= 0) {
        close(l->stop_fd);
    }
    pthread_cond_destroy(&l->slot_freed);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

bool mock_listener_starved(const struct mock_listener *listener)
{
    return listener && __atomic_load_n(&listener->starved, __ATOMIC_RELAXED);
}
