/*
 * http1.c: the libmicrohttpd glue. Collects a request (method, path, headers, bounded body),
 * hands it to the pipeline (pipeline/dispatch.c), and sends what the pipeline produced: a
 * buffered body, a streamed one, or a fault (delay, dropped connection, body cut short).
 * Starts the listener (listener.c), which hands HTTP/1.1 connections here and HTTP/2 ones to
 * h2.c.
 *
 * Where libmicrohttpd falls short of what one hostile client must not be able to do (issue 22,
 * docs/hardening.md): every connection is watched by the request-head deadline (deadline.h);
 * the head's framing is checked before any body is read (RFC 9112: conflicting Content-Length,
 * Content-Length with Transfer-Encoding, Expect: 100-continue over the limit, too many query
 * arguments); bodies and buffered replies come out of the memory budget (budget.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bedrock/clock.h"
#include "common/log.h"
#include "mock/http/deadline.h"
#include "mock/http/fd_limit.h"
#include "mock/http/listener.h"
#include "mock/mock_priv.h"
#include "mock/http/wire.h"
#include "mock/http/http1.h"
#include "mock/pipeline/stages.h"

/* More query arguments than any Bedrock operation takes (ListAsyncInvokes has 7). Past it
 * libmicrohttpd would run out of its per-connection pool recording them and close the
 * connection without an answer; the request is refused in the AWS shape instead. */
#define S_MAX_QUERY_ARGS 64

struct s_conn {
    struct mock_request req; /* first: s_conn_new zeroes what follows it */
    struct brk_buf body;
    bool started;       /* the access handler has seen this request */
    bool too_many_args; /* the query was cut at S_MAX_QUERY_ARGS (s_uri_seen) */
    bool close_after;   /* answer, then close the connection */
    bool over_budget;   /* the memory budget refused the body (budget.h) */
    uint64_t charged;   /* bytes of the budget the body holds */
    uint64_t declared;  /* Content-Length, when within --max-body-bytes (s_head), else 0 */
};

/* What the request head says about its own framing (RFC 9112 section 6). */
struct s_framing {
    unsigned n_length;    /* Content-Length headers */
    bool length_conflict; /* two of them differ */
    char length[32];      /* the first one's value */
    bool transfer_encoding;
    bool expect_continue;
};

/* ---- collecting the request --------------------------------------------------------- */

/* One pass over the head's headers fills the request record and notes the framing. */
struct s_head_seen {
    struct mock_request *req;
    struct s_framing *framing;
};

static void s_note_framing(struct s_framing *f, const char *key, const char *value)
{
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        f->length_conflict |= f->n_length++ > 0 && strcmp(f->length, value) != 0;
        if (f->n_length == 1) {
            snprintf(f->length, sizeof(f->length), "%s", value);
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_EXPECT) == 0) {
        f->expect_continue = strcasecmp(value, "100-continue") == 0;
    }
}

static enum MHD_Result s_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct s_head_seen *seen = cls;
    mock_request_add_header(seen->req, key, value);
    s_note_framing(seen->framing, key, value ? value : "");
    return MHD_YES;
}

/* Query arguments arrive still encoded (see s_no_unescape); '+' means a space in a query. */
static enum MHD_Result s_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    mock_request_add_query_encoded(cls, key, value);
    return MHD_YES;
}

/* libmicrohttpd shows the request line before it records the query arguments; past
 * S_MAX_QUERY_ARGS the line is cut short in its buffer (which it parses in place right
 * after), so it records no more. The per-request state starts here. */
/* A request's record, ready for s_conn_start. Not calloc: the embedded request is about 10 KB,
 * and mock_request_init zeroes it anyway; zeroing it twice was a fifth of a small request's
 * instructions (callgrind). */
static struct s_conn *s_conn_new(void)
{
    struct s_conn *c = malloc(sizeof(*c));
    if (c) {
        mock_request_init(&c->req);
        memset(&c->body, 0, sizeof(*c) - offsetof(struct s_conn, body)); /* every field after req */
    }
    return c;
}

static void *s_uri_seen(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    (void)connection;
    struct s_conn *c = s_conn_new();
    const char *q = strchr(uri, '?');
    unsigned n = 0;
    for (const char *p = q; c && p && *p; p++) {
        if (*p == '&' && ++n == S_MAX_QUERY_ARGS) {
            *(char *)(uintptr_t)p = '\0'; /* libmicrohttpd's own buffer, writable: see above */
            c->too_many_args = true;
            break;
        }
    }
    return c;
}

static struct s_conn *s_conn_start(struct brk_mock *mock, struct s_conn *c, struct MHD_Connection *connection,
                                   const char *url, const char *method, struct s_framing *framing)
{
    c = c ? c : s_conn_new(); /* fresh either way: its request is initialised */
    if (!c) {
        return NULL;
    }
    c->started = true;
    c->req.method = strdup(method);
    c->req.url = strdup(url);
    brk_buf_init(&c->body, mock->cfg.max_body_bytes);
    struct s_head_seen seen = {.req = &c->req, .framing = framing};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, s_collect_header, &seen);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, s_collect_arg, &c->req);
    return c;
}

static void s_conn_free(struct brk_mock *mock, struct s_conn *c)
{
    if (!c) {
        return;
    }
    mock_budget_give(&mock->intake, c->charged);
    mock_request_clean_up(&c->req);
    brk_buf_clean_up(&c->body);
    free(c);
}

/* ---- sending the response ----------------------------------------------------------- */

/* libmicrohttpd pulls every body through the one source of wire.c. */
static ssize_t s_body_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos; /* libmicrohttpd reads sequentially; the body keeps its own position */
    long n = mock_wire_body_read(cls, buf, max);
    if (n < 0) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void s_body_free(void *cls)
{
    mock_wire_body_free(cls);
}

/* A body of unknown length (streamed, or cut short) goes out with chunked transfer, so a cut
 * shows as a broken chunk; a complete one gets a Content-Length. */
static struct MHD_Response *s_build_body(struct brk_mock *mock, struct mock_response *resp)
{
    struct mock_wire_body *body = mock_wire_body_take_within(resp, &mock->budget);
    if (!body) {
        return NULL;
    }
    size_t whole_len = 0;
    const char *whole = mock_wire_body_data(body, &whole_len);
    if (whole) { /* one piece: libmicrohttpd sends headers and body together */
        struct MHD_Response *r =
            MHD_create_response_from_buffer_with_free_callback_cls(whole_len, (void *)whole, s_body_free, body);
        if (!r) {
            mock_wire_body_free(body);
        }
        return r;
    }
    int64_t len = mock_wire_body_length(body);
    struct MHD_Response *r = MHD_create_response_from_callback(len >= 0 ? (uint64_t)len : MHD_SIZE_UNKNOWN, 16 * 1024,
                                                               s_body_reader, body, s_body_free);
    if (!r) {
        mock_wire_body_free(body);
    }
    return r;
}

static enum MHD_Result s_send(struct brk_mock *mock, struct MHD_Connection *connection, struct mock_response *resp,
                              bool close_after)
{
    if (resp->fault.delay_ms) {
        /* Real time even under --clock virtual: the SDK's read timeout runs on the real clock.
         * Thread-per-connection: only this client waits. */
        brk_clock_sleep_real_ms((int64_t)resp->fault.delay_ms);
    }
    if (resp->fault.close_before_reply) {
        return MHD_NO; /* libmicrohttpd closes the connection without an answer */
    }
    struct MHD_Response *r = s_build_body(mock, resp);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->n_headers; i++) {
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    }
    if (close_after) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close"); /* libmicrohttpd then closes */
    }
    enum MHD_Result ret = MHD_queue_response(connection, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- the access handler ------------------------------------------------------------- */

/* The first call of the access handler means libmicrohttpd has the whole request head. */
static void s_head_done(struct brk_mock *mock, struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info && info->socket_context) {
        mock_deadlines_head_done(mock->deadlines, info->socket_context);
    }
}

/* Answer with an AWS error without running the pipeline (the request could not be read as
 * one), then close the connection. */
static enum MHD_Result s_refuse(struct brk_mock *mock, struct MHD_Connection *connection, enum brk_aws_error id,
                                const char *message)
{
    struct mock_response resp;
    mock_response_init(&resp);
    mock_response_error(&resp, id, message);
    enum MHD_Result ret = s_send(mock, connection, &resp, true);
    mock_response_clean_up(&resp);
    return ret;
}

static enum MHD_Result s_answer(struct brk_mock *mock, struct MHD_Connection *connection, struct s_conn *c,
                                const char *version)
{
    if (c->over_budget) {
        return s_refuse(mock, connection, BRK_AWS_SERVICE_UNAVAILABLE, NULL);
    }
    c->req.body = brk_buf_detach(&c->body, &c->req.body_len);
    struct mock_response resp;
    mock_response_init(&resp);
    mock_journal_extra_add(&resp, "http_version", cJSON_CreateString(version)); /* journal: the protocol */
    mock_dispatch(mock, &c->req, &resp);
    enum MHD_Result ret = s_send(mock, connection, &resp, c->close_after);
    mock_response_clean_up(&resp);
    return ret;
}

/* The first call, with the whole head: refuse what RFC 9112 says cannot be read. A body
 * declared larger than the limit with "Expect: 100-continue" is answered 413 at once instead
 * of 100 Continue (the pipeline's answer for a body too large, journaled as usual). */
static enum MHD_Result s_head(struct brk_mock *mock, struct MHD_Connection *connection, struct s_conn *c,
                              const char *version, const struct s_framing *f)
{
    if (c->too_many_args) {
        return s_refuse(mock, connection, BRK_AWS_SERIALIZATION, "The request has more than 64 query arguments.");
    }
    if (f->length_conflict) {
        return s_refuse(mock, connection, BRK_AWS_SERIALIZATION, "The request has conflicting Content-Length headers.");
    }
    /* Both: Transfer-Encoding wins, and the connection must close after the answer
     * (RFC 9112 section 6.3), since a proxy may have read the body the other way. */
    c->close_after = f->n_length && f->transfer_encoding;
    char *end = NULL;
    unsigned long long declared = f->n_length ? strtoull(f->length, &end, 10) : 0;
    c->declared = f->n_length && !f->transfer_encoding && declared <= mock->cfg.max_body_bytes ? declared : 0;
    if (f->expect_continue && f->n_length && declared > mock->cfg.max_body_bytes) {
        c->req.body_too_large = true;
        c->close_after = true;
        return s_answer(mock, connection, c, version);
    }
    return MHD_YES;
}

/* Past the size limit or the memory budget the rest is read and dropped, so the client still
 * gets an answer (413, or 503 ServiceUnavailableException). */
static void s_take_upload(struct brk_mock *mock, struct s_conn *c, const char *data, size_t len)
{
    if (c->req.body_too_large || c->over_budget) {
        return;
    }
    enum mock_budget_append rc = mock_budget_body_append(&mock->intake, &c->body, &c->charged, c->declared, data, len);
    if (rc != MOCK_BUDGET_OK) {
        c->req.body_too_large = rc == MOCK_BUDGET_TOO_LARGE;
        c->over_budget = rc == MOCK_BUDGET_REFUSED;
        brk_buf_clean_up(&c->body);
        mock_budget_give(&mock->intake, c->charged);
        c->charged = 0;
    }
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct brk_mock *mock = cls;
    struct s_conn *c = *con_cls;
    if (!c || !c->started) {
        s_head_done(mock, connection);
        struct s_framing f = {0};
        c = s_conn_start(mock, c, connection, url, method, &f);
        *con_cls = c;
        return c ? s_head(mock, connection, c, version, &f) : MHD_NO;
    }
    if (*upload_data_size) {
        s_take_upload(mock, c, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return s_answer(mock, connection, c, version);
}

static void s_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    struct brk_mock *mock = cls;
    (void)toe;
    s_conn_free(mock, *con_cls);
    *con_cls = NULL;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info && info->socket_context) {
        mock_deadlines_next_head(mock->deadlines, info->socket_context);
    }
}

/* Each connection's head-deadline watch (deadline.h), registered by s_http1_add before the
 * socket reached libmicrohttpd, rides in its socket context. */
static void s_notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode toe)
{
    struct brk_mock *mock = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? mock_deadlines_find(mock->deadlines, info->connect_fd) : NULL;
    } else {
        mock_deadlines_unwatch(mock->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

/* Keep the path percent-encoded: an ARN's %2F must not split the {modelId} segment, and
 * SigV4 signs the encoded form. Labels are decoded by the router instead. */
static size_t s_no_unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    brk_log_debug("libmicrohttpd: %s", msg);
}

/* ---- start and stop ------------------------------------------------------------------ */

static enum brk_status s_bind_address(const char *host, uint16_t port, struct sockaddr_storage *ss, bool *v6)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        *v6 = false;
        return BRK_OK;
    }
    if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *v6 = true;
        return BRK_OK;
    }
    return BRK_ERR_INVALID_ARG;
}

/* The mock's listener (listener.c) accepts every connection and hands HTTP/1.1 ones to
 * libmicrohttpd, which then runs without a listening socket of its own. */
static void s_http1_add(void *ctx, int fd, const struct sockaddr *addr, socklen_t addrlen, int64_t head_deadline_ms)
{
    struct brk_mock *mock = ctx;
    struct mock_deadline_watch *w = mock_deadlines_watch(mock->deadlines, fd, head_deadline_ms);
    if (MHD_add_connection(mock->daemon, fd, addr, addrlen) != MHD_YES) {
        brk_log_debug("libmicrohttpd refused a connection (%s)", strerror(errno)); /* it closed fd */
        mock_deadlines_unwatch(mock->deadlines, w);
    }
}

/* Every HTTP/1.1 connection is watched from before the hand-over until libmicrohttpd closes it. */
static unsigned s_http1_count(void *ctx)
{
    struct brk_mock *mock = ctx;
    return mock_deadlines_count(mock->deadlines);
}

enum brk_status mock_http_start(struct brk_mock *mock, char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (s_bind_address(mock->host, mock->cfg.port, &ss, &v6) != BRK_OK) {
        snprintf(err, err_len, "--host must be an IPv4 or IPv6 address (got \"%s\")", mock->host);
        return BRK_ERR_INVALID_ARG;
    }
    mock->deadlines = mock_deadlines_new(mock->cfg.header_timeout_s);
    if (!mock->deadlines) {
        snprintf(err, err_len, "cannot start the request-head watchdog");
        return BRK_ERR_NOMEM;
    }
    /* MHD_USE_POLL: each connection thread waits in poll(2), not select(2), which cannot take a
     * descriptor of FD_SETSIZE (1024) or more; with select libmicrohttpd refused every connection
     * past about the thousandth (tests/test_descriptors.c). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    mock->daemon = MHD_start_daemon(flags, 0, NULL, NULL, s_access, mock, MHD_OPTION_NOTIFY_COMPLETED, s_completed,
                                    mock, MHD_OPTION_NOTIFY_CONNECTION, s_notify_connection, mock,
                                    MHD_OPTION_URI_LOG_CALLBACK, s_uri_seen, mock,
                                    /* The listener enforces max_connections; libmicrohttpd counts a
                                     * handed-over connection a moment late, so its own limit sits
                                     * above ours and never refuses what the listener admitted. */
                                    MHD_OPTION_CONNECTION_LIMIT, mock->cfg.max_connections * 2 + 16,
                                    MHD_OPTION_CONNECTION_TIMEOUT, mock->cfg.idle_timeout_s, MHD_OPTION_EXTERNAL_LOGGER,
                                    s_mhd_log, NULL, MHD_OPTION_UNESCAPE_CALLBACK, s_no_unescape, NULL, MHD_OPTION_END);
    if (!mock->daemon) {
        snprintf(err, err_len, "cannot start libmicrohttpd (%s)", errno ? strerror(errno) : "options refused");
        return BRK_ERR_IO;
    }
    struct mock_listener_ops ops = {.http1 = s_http1_add, .http1_count = s_http1_count, .ctx = mock};
    char why[128] = "";
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    enum brk_status rc =
        mock_listener_start(mock, (struct sockaddr *)&ss, len, &ops, &mock->listener, &mock->port, why, sizeof(why));
    if (rc != BRK_OK) {
        snprintf(err, err_len, "cannot listen on %s:%u (%s)", mock->host, mock->cfg.port, why);
    }
    char fds[384];
    if (rc == BRK_OK && mock_fd_shortfall(mock->cfg.max_connections, fds, sizeof(fds))) {
        brk_log_warn("%s", fds); /* the program raised what it could (fd_limit.h) */
    }
    return rc;
}

void mock_http_stop(struct brk_mock *mock)
{
    mock_listener_stop(mock->listener); /* first: it hands connections to the daemon */
    mock->listener = NULL;
    if (mock->daemon) {
        MHD_stop_daemon(mock->daemon);
        mock->daemon = NULL;
    }
    mock_deadlines_destroy(mock->deadlines); /* last: libmicrohttpd's callbacks use it */
    mock->deadlines = NULL;
}
