/*
 * h2.c: HTTP/2 with prior knowledge on one connection (see h2.h). libnghttp2 does the framing,
 * HPACK, flow control and the protocol checks (pseudo-headers, content-length, frame sizes,
 * stream limits, floods); this file turns streams into mock requests and responses.
 */
#include "mock/http/h2.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "common/log.h"
#include "mock/mock_priv.h"
#include "mock/http/wire.h"
#include "mock/pipeline/stages.h"

#define S_MAX_STREAMS 100u
#define S_MAX_HEADER_BYTES (64u * 1024u)
#define S_STREAM_WINDOW (1u << 20) /* lets a large upload flow without a round trip per 64 KiB */
#define S_CONN_WINDOW (16 << 20)
#define S_CHUNK (16u * 1024u)     /* one DATA frame at the default SETTINGS_MAX_FRAME_SIZE */
#define S_FIFO_CAP (4u * S_CHUNK) /* what a producer may get ahead of the client */
#define S_BUDGET_SHARE 4u         /* one connection holds at most 1/4 of the memory budget */
#define S_OUT_CAP (2u * S_CHUNK)  /* frames gathered for one send(2) (s_send, s_flush) */

struct s_conn;

struct s_stream {
    struct s_conn *conn;
    int32_t id;
    struct mock_request req;
    struct brk_buf body;
    size_t header_bytes;
    struct mock_response resp;
    bool dispatched;       /* resp holds the pipeline's answer */
    bool submitted;        /* headers (or RST_STREAM) went to nghttp2 */
    bool closed;           /* nghttp2 closed the stream */
    bool refused;          /* the memory budget refused it: RST_STREAM REFUSED_STREAM went out */
    uint64_t charged;      /* bytes of the budget its request headers hold */
    bool fifo_charged;     /* its producer's fifo holds S_FIFO_CAP of the budget */
    uint64_t body_charged; /* bytes of the budget its request body holds */
    struct mock_wire_body *out;
    uint64_t out_sent; /* bytes of `out` handed to nghttp2 (the unthreaded path) */

    /* A producer thread (delay_ms, or a body whose reads may block). The fields below are
     * guarded by conn->lock. */
    bool threaded;
    pthread_t producer;
    bool go;       /* the delay is over: headers may go out */
    bool reset;    /* answer with RST_STREAM (close_before_reply) */
    bool deferred; /* nghttp2 waits for resume_data */
    char *fifo;
    size_t fifo_off, fifo_len;
    bool eof, broken;
    bool gone;     /* nobody reads any more: the producer stops */
    bool finished; /* the producer has returned */

    struct s_stream *next;
};

struct s_conn {
    struct brk_mock *mock;
    nghttp2_session *session;
    int fd, stop_fd, wake_fd;
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* producers wait on it for room, the delay, or the end */
    struct s_stream *streams; /* every stream not yet freed */
    int64_t last_io_ms;
    uint8_t *out; /* S_OUT_CAP bytes: frames nghttp2 wrote, not yet sent */
    size_t out_len;
    int64_t head_deadline_ms; /* the preface and first SETTINGS are due; 0 once they came */
    /* This connection's shares of the memory budget, each 1/S_BUDGET_SHARE of it: what its
     * requests hold (of the intake) and what its replies hold. */
    struct mock_budget in_share, out_share;
};

static void s_wake(struct s_conn *c)
{
    uint64_t one = 1;
    ssize_t w = write(c->wake_fd, &one, sizeof(one));
    (void)w;
}

/* ---- streams ------------------------------------------------------------------------- */

static struct s_stream *s_stream_new(struct s_conn *c, int32_t id)
{
    struct s_stream *st = calloc(1, sizeof(*st));
    if (!st) {
        return NULL;
    }
    st->conn = c;
    st->id = id;
    mock_request_init(&st->req);
    st->req.http2 = true;
    brk_buf_init(&st->body, c->mock->cfg.max_body_bytes);
    st->next = c->streams;
    c->streams = st;
    return st;
}

static void s_stream_free(struct s_conn *c, struct s_stream *st)
{
    for (struct s_stream **pp = &c->streams; *pp; pp = &(*pp)->next) {
        if (*pp == st) {
            *pp = st->next;
            break;
        }
    }
    mock_request_clean_up(&st->req);
    brk_buf_clean_up(&st->body);
    if (st->dispatched) {
        mock_response_clean_up(&st->resp);
    }
    mock_wire_body_free(st->out);
    free(st->fifo);
    mock_budget_give(&c->in_share, st->charged + st->body_charged);
    mock_budget_give(&c->out_share, st->fifo_charged ? S_FIFO_CAP : 0);
    free(st);
}

static void s_drop_body(struct s_conn *c, struct s_stream *st)
{
    brk_buf_clean_up(&st->body);
    mock_budget_give(&c->in_share, st->body_charged);
    st->body_charged = 0;
}

/* The memory budget is spent: refuse this stream the HTTP/2 way (RFC 9113 section 8.7: not
 * processed, safe to retry) and free what it held; the connection and its other streams go on. */
static void s_refuse(struct s_conn *c, struct s_stream *st)
{
    if (st->refused || st->submitted) {
        return;
    }
    st->refused = true;
    st->submitted = true; /* never dispatched */
    s_drop_body(c, st);
    nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_REFUSED_STREAM);
}

/* ---- the request ---------------------------------------------------------------------- */

static void s_set_path(struct mock_request *req, const char *path, size_t len)
{
    size_t plen = strcspn(path, "?");
    free(req->url);
    req->url = strndup(path, plen); /* still percent-encoded, as the router and SigV4 want it */
    if (plen < len) {
        mock_request_add_query_string(req, path + plen + 1);
    }
}

static int s_on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    struct s_conn *c = user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
        return 0;
    }
    struct s_stream *st = s_stream_new(c, frame->hd.stream_id);
    if (!st) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets this stream only */
    }
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, st);
    return 0;
}

static int s_on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                       const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
    (void)flags;
    (void)user_data;
    struct s_stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (!st || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
        return 0; /* trailers carry nothing the pipeline reads */
    }
    st->header_bytes += namelen + valuelen + 32; /* RFC 9113 section 6.5.2's accounting */
    if (st->header_bytes > S_MAX_HEADER_BYTES) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    if (st->refused) {
        return 0;
    }
    if (!mock_budget_take(&st->conn->in_share, namelen + valuelen + 32)) {
        s_refuse(st->conn, st);
        return 0;
    }
    st->charged += namelen + valuelen + 32;
    /* nghttp2 hands over NUL-terminated names and values it has already validated. */
    const char *n = (const char *)name, *v = (const char *)value;
    if (strcmp(n, ":method") == 0) {
        free(st->req.method);
        st->req.method = strdup(v);
    } else if (strcmp(n, ":path") == 0) {
        s_set_path(&st->req, v, valuelen);
    } else if (strcmp(n, ":authority") == 0) {
        mock_request_add_header(&st->req, "host", v); /* HTTP/2's Host (RFC 9113 section 8.3.1) */
        /* Kept under its own name too: the JS SDK signs ":authority" over HTTP/2. */
        mock_request_add_header(&st->req, ":authority", v);
    } else if (n[0] != ':') {
        mock_request_add_header(&st->req, n, v);
    }
    return 0;
}

/* A body's content-length, when the client sent one (optional in HTTP/2; nghttp2 checks the
 * value and that the DATA add up to it) within --max-body-bytes, else 0: its first DATA gets a
 * buffer of that size at once (mock_budget_body_append). */
static uint64_t s_declared(const struct s_conn *c, const struct s_stream *st)
{
    const char *cl = st->body.cap ? NULL : mock_request_header(&st->req, "content-length");
    char *end = NULL;
    unsigned long long declared = cl ? strtoull(cl, &end, 10) : 0;
    return declared && !*end && declared <= c->mock->cfg.max_body_bytes ? declared : 0;
}

static int s_on_data(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                     void *user_data)
{
    (void)flags;
    struct s_conn *c = user_data;
    struct s_stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
    if (!st || st->req.body_too_large || st->refused) {
        return 0;
    }
    /* Past the size limit the rest is read and dropped, so the client still gets an answer;
     * past the memory budget the stream is refused. */
    enum mock_budget_append rc =
        mock_budget_body_append(&c->in_share, &st->body, &st->body_charged, s_declared(c, st), data, len);
    if (rc == MOCK_BUDGET_TOO_LARGE) {
        st->req.body_too_large = true;
        s_drop_body(c, st);
    } else if (rc == MOCK_BUDGET_REFUSED) {
        s_refuse(c, st);
    }
    return 0;
}

/* ---- the response --------------------------------------------------------------------- */

static ssize_t s_map_read(long n, uint32_t *data_flags)
{
    if (n < 0) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* RST_STREAM INTERNAL_ERROR: the cut */
    }
    if (n == 0) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return n;
}

/* Bytes from the producer's fifo; deferred (resumed by s_service) while it has none. */
static ssize_t s_read_fifo(struct s_stream *st, uint8_t *buf, size_t length, uint32_t *data_flags)
{
    struct s_conn *c = st->conn;
    ssize_t rv;
    pthread_mutex_lock(&c->lock);
    if (st->fifo_len) {
        size_t n = st->fifo_len < length ? st->fifo_len : length;
        memcpy(buf, st->fifo + st->fifo_off, n);
        st->fifo_off += n;
        st->fifo_len -= n;
        if (st->fifo_len == 0 && st->eof) {
            *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        }
        pthread_cond_broadcast(&c->cond);
        rv = (ssize_t)n;
    } else if (st->broken || st->eof) {
        rv = s_map_read(st->broken ? -1 : 0, data_flags);
    } else {
        st->deferred = true;
        rv = NGHTTP2_ERR_DEFERRED;
    }
    pthread_mutex_unlock(&c->lock);
    return rv;
}

static ssize_t s_read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                           uint32_t *data_flags, nghttp2_data_source *source, void *user_data)
{
    (void)session;
    (void)stream_id;
    (void)user_data;
    struct s_stream *st = source->ptr;
    if (st->threaded) {
        return s_read_fifo(st, buf, length, data_flags);
    }
    long n = mock_wire_body_read(st->out, (char *)buf, length);
    st->out_sent += n > 0 ? (uint64_t)n : 0;
    if (n > 0 && (int64_t)st->out_sent == mock_wire_body_length(st->out)) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF; /* END_STREAM on the last DATA, not an empty one after it */
    }
    return s_map_read(n, data_flags);
}

static void s_nv(nghttp2_nv *nv, const char *name, const char *value)
{
    *nv = (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name), strlen(value),
                       NGHTTP2_NV_FLAG_NONE};
}

/* HEADERS with :status, content-type, the pipeline's headers (lower case), content-length
 * when known and date, as libmicrohttpd sends them in HTTP/1.1; then the body's DATA. */
static void s_submit(struct s_conn *c, struct s_stream *st)
{
    enum { S_MAX_NV = 4 + sizeof(st->resp.headers) / sizeof(st->resp.headers[0]) };
    nghttp2_nv nva[S_MAX_NV];
    char names[sizeof(st->resp.headers) / sizeof(st->resp.headers[0])][128];
    char status[16], clen[32], date[64];
    size_t n = 0;
    snprintf(status, sizeof(status), "%d", st->resp.status);
    s_nv(&nva[n++], ":status", status);
    if (st->resp.content_type[0]) {
        s_nv(&nva[n++], "content-type", st->resp.content_type);
    }
    for (size_t i = 0; i < st->resp.n_headers; i++) {
        if (mock_wire_h2_header_name(st->resp.headers[i].name, names[i], sizeof(names[i]))) {
            s_nv(&nva[n++], names[i], st->resp.headers[i].value);
        }
    }
    int64_t len = mock_wire_body_length(st->out);
    if (len >= 0) {
        snprintf(clen, sizeof(clen), "%lld", (long long)len);
        s_nv(&nva[n++], "content-length", clen);
    }
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
    s_nv(&nva[n++], "date", date);
    nghttp2_data_provider prd = {.source.ptr = st, .read_callback = s_read_body};
    if (nghttp2_submit_response(c->session, st->id, nva, n, len == 0 ? NULL : &prd) != 0) {
        nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
    }
    st->submitted = true;
}

static void s_reset(struct s_conn *c, struct s_stream *st)
{
    nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
    st->submitted = true;
}

/* ---- producer threads ----------------------------------------------------------------- */

/* Wait (holding conn->lock) until `deadline_ms` or until the stream is gone. */
static void s_wait_delay(struct s_conn *c, struct s_stream *st, int64_t deadline_ms)
{
    while (!st->gone && brk_clock_monotonic_ms() < deadline_ms) {
        struct timespec ts;
        brk_clock_cond_deadline(deadline_ms - brk_clock_monotonic_ms(), &ts);
        pthread_cond_timedwait(&c->cond, &c->lock, &ts);
    }
}

/* Append one read result to the fifo; false when the producer is done. Holds no lock. */
static bool s_push(struct s_conn *c, struct s_stream *st, const char *chunk, long n)
{
    pthread_mutex_lock(&c->lock);
    while (!st->gone && n > 0 && st->fifo_len + (size_t)n > S_FIFO_CAP) {
        pthread_cond_wait(&c->cond, &c->lock);
    }
    bool more = !st->gone && n > 0;
    if (more) {
        memmove(st->fifo, st->fifo + st->fifo_off, st->fifo_len);
        st->fifo_off = 0;
        memcpy(st->fifo + st->fifo_len, chunk, (size_t)n);
        st->fifo_len += (size_t)n;
    } else if (!st->gone) {
        st->eof = n == 0;
        st->broken = n < 0;
    }
    pthread_mutex_unlock(&c->lock);
    s_wake(c);
    return more;
}

static void *s_producer_main(void *arg)
{
    struct s_stream *st = arg;
    struct s_conn *c = st->conn;
    pthread_mutex_lock(&c->lock);
    s_wait_delay(c, st, brk_clock_monotonic_ms() + (int64_t)st->resp.fault.delay_ms);
    st->go = true;
    st->reset = st->resp.fault.close_before_reply;
    bool more = !st->gone && !st->reset;
    pthread_mutex_unlock(&c->lock);
    s_wake(c);
    char chunk[S_CHUNK];
    while (more) {
        more = s_push(c, st, chunk, mock_wire_body_read(st->out, chunk, sizeof(chunk)));
    }
    pthread_mutex_lock(&c->lock);
    st->finished = true;
    pthread_mutex_unlock(&c->lock);
    s_wake(c);
    return NULL;
}

static bool s_start_producer(struct s_stream *st)
{
    st->fifo = malloc(S_FIFO_CAP);
    st->threaded = st->fifo && pthread_create(&st->producer, NULL, s_producer_main, st) == 0;
    return st->threaded;
}

/* A producer's fifo comes out of the memory budget too; without room the stream is refused. */
static void s_start_threaded(struct s_conn *c, struct s_stream *st)
{
    if (!mock_budget_take(&c->out_share, S_FIFO_CAP)) {
        st->submitted = true;
        nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_REFUSED_STREAM);
        return;
    }
    st->fifo_charged = true;
    if (!s_start_producer(st)) {
        s_reset(c, st);
    }
}

/* ---- dispatch ------------------------------------------------------------------------- */

static void s_dispatch(struct s_conn *c, struct s_stream *st)
{
    if (!st->req.method || !st->req.url) {
        s_reset(c, st); /* CONNECT without :path: nothing the mock serves */
        return;
    }
    st->req.body = brk_buf_detach(&st->body, &st->req.body_len);
    mock_response_init(&st->resp);
    st->dispatched = true;
    mock_journal_extra_add(&st->resp, "http_version", cJSON_CreateString("HTTP/2"));
    mock_dispatch(c->mock, &st->req, &st->resp);
    if (st->resp.fault.close_before_reply && !st->resp.fault.delay_ms) {
        s_reset(c, st);
        return;
    }
    st->out = mock_wire_body_take_within(&st->resp, &c->out_share);
    if (!st->out) {
        s_reset(c, st);
    } else if (st->resp.fault.delay_ms || mock_wire_body_may_block(st->out)) {
        s_start_threaded(c, st);
    } else {
        s_submit(c, st);
    }
}

static int s_on_frame(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    struct s_conn *c = user_data;
    if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
        c->head_deadline_ms = 0; /* the preface is whole: from now on only the idle timeout */
    }
    bool request_end = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                       (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    struct s_stream *st = request_end ? nghttp2_session_get_stream_user_data(session, frame->hd.stream_id) : NULL;
    if (st && !st->dispatched && !st->submitted) {
        s_dispatch(c, st);
    }
    return 0;
}

static int s_on_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data)
{
    (void)error_code;
    struct s_conn *c = user_data;
    struct s_stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
    if (!st) {
        return 0;
    }
    st->closed = true;
    if (!st->threaded) {
        s_stream_free(c, st);
        return 0;
    }
    pthread_mutex_lock(&c->lock);
    st->gone = true; /* the producer stops; s_service joins it */
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* nghttp2 hands over one frame at a time; each went out in its own send(2) and, with
 * TCP_NODELAY, its own segment, so an answer's HEADERS and DATA woke the client twice. They
 * are gathered here and s_flush sends them together. */
static ssize_t s_send(nghttp2_session *session, const uint8_t *data, size_t length, int flags, void *user_data)
{
    (void)session;
    (void)flags;
    struct s_conn *c = user_data;
    size_t room = S_OUT_CAP - c->out_len;
    if (room == 0) {
        return NGHTTP2_ERR_WOULDBLOCK; /* s_flush makes room; poll waits for POLLOUT meanwhile */
    }
    size_t n = length < room ? length : room;
    memcpy(c->out + c->out_len, data, n);
    c->out_len += n;
    return (ssize_t)n;
}

/* Send what s_send gathered; false when the connection broke. What the socket does not take
 * now waits for POLLOUT. */
static bool s_flush(struct s_conn *c)
{
    size_t off = 0;
    while (off < c->out_len) {
        ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                return false;
            }
            break;
        }
        off += (size_t)n;
        c->last_io_ms = brk_clock_monotonic_ms();
    }
    memmove(c->out, c->out + off, c->out_len - off);
    c->out_len -= off;
    return true;
}

/* nghttp2's queued frames, then the socket; false when the connection is over. */
static bool s_send_all(struct s_conn *c)
{
    return nghttp2_session_send(c->session) == 0 && s_flush(c);
}

/* ---- the connection loop -------------------------------------------------------------- */

/* After a producer moved: send headers whose delay ended, resume streams that have data,
 * and join producers of closed streams. */
static void s_service(struct s_conn *c)
{
    struct s_stream *reap = NULL;
    pthread_mutex_lock(&c->lock);
    for (struct s_stream *st = c->streams; st; st = st->next) {
        if (!st->threaded || st->closed) {
            continue;
        }
        if (st->go && !st->submitted) {
            st->reset ? s_reset(c, st) : s_submit(c, st);
        }
        if (st->deferred && (st->fifo_len || st->eof || st->broken)) {
            st->deferred = false;
            nghttp2_session_resume_data(c->session, st->id);
        }
    }
    for (struct s_stream *st = c->streams; st; st = st->next) {
        if (st->closed && st->finished) {
            reap = st;
            break; /* one per wake is enough: each producer wakes the loop when it finishes */
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (reap) {
        pthread_join(reap->producer, NULL);
        s_stream_free(c, reap);
        s_wake(c); /* look for another */
    }
}

static bool s_delay_pending(struct s_conn *c)
{
    bool pending = false;
    pthread_mutex_lock(&c->lock);
    for (struct s_stream *st = c->streams; st && !pending; st = st->next) {
        pending = st->threaded && !st->go;
    }
    pthread_mutex_unlock(&c->lock);
    return pending;
}

/* Read what the client sent and feed nghttp2; false when the connection is over. */
static bool s_recv(struct s_conn *c)
{
    uint8_t buf[S_CHUNK];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
    if (n == 0) {
        return false;
    }
    c->last_io_ms = brk_clock_monotonic_ms();
    ssize_t rv = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
    if (rv < 0) {
        brk_log_debug("h2: closing connection: %s", nghttp2_strerror((int)rv));
        s_send_all(c); /* the GOAWAY nghttp2 queued, best effort */
        return false;
    }
    return true;
}

/* Milliseconds poll may wait, or -1: the idle timeout runs while no answer is delayed, and
 * the head deadline until the preface and first SETTINGS are in, whatever the traffic. */
static int s_poll_timeout(struct s_conn *c)
{
    unsigned idle_s = c->mock->cfg.idle_timeout_s;
    int64_t end = -1;
    if (idle_s && !s_delay_pending(c)) {
        end = c->last_io_ms + (int64_t)idle_s * 1000;
    }
    if (c->head_deadline_ms && (end < 0 || c->head_deadline_ms < end)) {
        end = c->head_deadline_ms;
    }
    if (end < 0) {
        return -1;
    }
    int64_t left = end - brk_clock_monotonic_ms();
    return left < 0 ? 0 : (int)(left < 1000000 ? left : 1000000);
}

static void s_loop(struct s_conn *c)
{
    for (;;) {
        /* After a GOAWAY has gone out nghttp2 wants neither: the connection is over. */
        if (!s_send_all(c) ||
            (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session) && c->out_len == 0)) {
            break;
        }
        int timeout = s_poll_timeout(c);
        bool writing = c->out_len || nghttp2_session_want_write(c->session);
        struct pollfd p[3] = {
            {.fd = c->fd, .events = (short)(POLLIN | (writing ? POLLOUT : 0))},
            {.fd = c->stop_fd, .events = POLLIN},
            {.fd = c->wake_fd, .events = POLLIN},
        };
        int r = poll(p, 3, timeout);
        if (r < 0 && errno != EINTR) {
            break;
        }
        bool head_late = c->head_deadline_ms && brk_clock_monotonic_ms() >= c->head_deadline_ms;
        if (p[1].revents || head_late || (r == 0 && timeout >= 0 && s_poll_timeout(c) == 0)) {
            /* GOAWAY: stop, idle, or a preface that trickles in too slowly */
            nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
            s_send_all(c);
            break;
        }
        if (p[2].revents) {
            uint64_t v;
            ssize_t rd = read(c->wake_fd, &v, sizeof(v));
            (void)rd;
            s_service(c);
        }
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !s_recv(c)) {
            break;
        }
    }
}

/* ---- setup and teardown --------------------------------------------------------------- */

static nghttp2_session *s_session_new(struct s_conn *c)
{
    nghttp2_session_callbacks *cbs = NULL;
    nghttp2_session *session = NULL;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        return NULL;
    }
    nghttp2_session_callbacks_set_send_callback(cbs, s_send);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, s_on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, s_on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, s_on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, s_on_frame);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, s_on_close);
    int rv = nghttp2_session_server_new(&session, cbs, c);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) {
        return NULL;
    }
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, S_MAX_STREAMS},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, S_STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, S_MAX_HEADER_BYTES},
    };
    if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
        nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, S_CONN_WINDOW) != 0) {
        nghttp2_session_del(session);
        return NULL;
    }
    return session;
}

/* Stop every producer, join them, free every stream. */
static void s_end_streams(struct s_conn *c)
{
    pthread_mutex_lock(&c->lock);
    for (struct s_stream *st = c->streams; st; st = st->next) {
        st->gone = true;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    while (c->streams) {
        struct s_stream *st = c->streams;
        if (st->threaded) {
            pthread_join(st->producer, NULL);
        }
        s_stream_free(c, st);
    }
}

void mock_h2_serve(struct brk_mock *mock, int fd, int stop_fd, int64_t head_deadline_ms)
{
    struct s_conn c = {.mock = mock,
                       .fd = fd,
                       .stop_fd = stop_fd,
                       .last_io_ms = brk_clock_monotonic_ms(),
                       .head_deadline_ms = head_deadline_ms > 0 ? head_deadline_ms : 1};
    brk_clock_cond_init(&c.cond);
    pthread_mutex_init(&c.lock, NULL);
    mock_budget_init_share(&c.in_share, &mock->intake, mock->budget.limit_bytes / S_BUDGET_SHARE);
    mock_budget_init_share(&c.out_share, &mock->budget, mock->budget.limit_bytes / S_BUDGET_SHARE);
    /* Without TCP_NODELAY an answer's DATA frame waited, under Nagle's algorithm, for the ACK of
     * its HEADERS frame, which a client delays up to 40 ms: sequential calls took 44 ms each
     * (docs/benchmarks.md). s_flush sends what nghttp2_session_send gathered at once, so
     * nothing gains from the kernel holding it. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* best effort */
    c.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    c.out = malloc(S_OUT_CAP);
    c.session = c.wake_fd >= 0 && c.out ? s_session_new(&c) : NULL;
    if (c.session) {
        s_loop(&c);
    }
    s_end_streams(&c);
    nghttp2_session_del(c.session); /* calls no callbacks; the streams are already freed */
    if (c.wake_fd >= 0) {
        close(c.wake_fd);
    }
    free(c.out);
    pthread_cond_destroy(&c.cond);
    pthread_mutex_destroy(&c.lock);
    close(fd);
}
