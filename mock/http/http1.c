/*
 * http1.c: the libmicrohttpd glue. Collects a request (method, path, headers, bounded body),
 * hands it to the pipeline (pipeline/dispatch.c), and sends what the pipeline produced: a
 * buffered body, a streamed one, or a fault (delay, dropped connection, body cut short).
 * Starts the listener (listener.c), which hands HTTP/1.1 connections here and HTTP/2 ones to
 * h2.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/clock.h"
#include "common/log.h"
#include "mock/http/listener.h"
#include "mock/mock_priv.h"
#include "mock/http/wire.h"
#include "mock/http/http1.h"
#include "mock/pipeline/stages.h"

struct s_conn {
    struct mock_request req;
    struct brk_buf body;
};

/* ---- collecting the request --------------------------------------------------------- */

static enum MHD_Result s_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    mock_request_add_header(cls, key, value);
    return MHD_YES;
}

/* Query arguments arrive still encoded (see s_no_unescape); '+' means a space in a query. */
static enum MHD_Result s_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    mock_request_add_query_encoded(cls, key, value);
    return MHD_YES;
}

static struct s_conn *s_conn_new(struct brk_mock *mock, struct MHD_Connection *connection, const char *url,
                                 const char *method)
{
    struct s_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    mock_request_init(&c->req);
    c->req.method = strdup(method);
    c->req.url = strdup(url);
    brk_buf_init(&c->body, mock->cfg.max_body_bytes);
    MHD_get_connection_values(connection, MHD_HEADER_KIND, s_collect_header, &c->req);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, s_collect_arg, &c->req);
    return c;
}

static void s_conn_free(struct s_conn *c)
{
    if (!c) {
        return;
    }
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
static struct MHD_Response *s_build_body(struct mock_response *resp)
{
    struct mock_wire_body *body = mock_wire_body_take(resp);
    if (!body) {
        return NULL;
    }
    size_t whole_len = 0;
    const char *whole = mock_wire_body_data(body, &whole_len);
    if (whole) { /* one piece: libmicrohttpd sends headers and body together */
        struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
            whole_len, (void *)whole, s_body_free, body);
        if (!r) {
            mock_wire_body_free(body);
        }
        return r;
    }
    int64_t len = mock_wire_body_length(body);
    struct MHD_Response *r = MHD_create_response_from_callback(len >= 0 ? (uint64_t)len : MHD_SIZE_UNKNOWN,
                                                               16 * 1024, s_body_reader, body, s_body_free);
    if (!r) {
        mock_wire_body_free(body);
    }
    return r;
}

static enum MHD_Result s_send(struct MHD_Connection *connection, struct mock_response *resp)
{
    if (resp->fault.delay_ms) {
        /* Real time even under --clock virtual: the SDK's read timeout runs on the real clock.
         * Thread-per-connection: only this client waits. */
        brk_clock_sleep_real_ms((int64_t)resp->fault.delay_ms);
    }
    if (resp->fault.close_before_reply) {
        return MHD_NO; /* libmicrohttpd closes the connection without an answer */
    }
    struct MHD_Response *r = s_build_body(resp);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->n_headers; i++) {
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    }
    enum MHD_Result ret = MHD_queue_response(connection, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- the access handler ------------------------------------------------------------- */

static enum MHD_Result s_access(void *cls, struct MHD_Connection *connection, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    struct brk_mock *mock = cls;
    struct s_conn *c = *con_cls;
    if (!c) {
        c = s_conn_new(mock, connection, url, method);
        *con_cls = c;
        return c ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        /* Past the limit the rest is read and dropped, so the client still gets an answer. */
        if (!c->req.body_too_large && brk_buf_append(&c->body, upload_data, *upload_data_size) != BRK_OK) {
            c->req.body_too_large = true;
            brk_buf_clean_up(&c->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    c->req.body = brk_buf_detach(&c->body, &c->req.body_len);
    struct mock_response resp;
    mock_response_init(&resp);
    mock_journal_extra_add(&resp, "http_version", cJSON_CreateString(version)); /* journal: the protocol */
    mock_dispatch(mock, &c->req, &resp);
    enum MHD_Result ret = s_send(connection, &resp);
    mock_response_clean_up(&resp);
    return ret;
}

static void s_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    s_conn_free(*con_cls);
    *con_cls = NULL;
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
static void s_http1_add(void *ctx, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    struct brk_mock *mock = ctx;
    if (MHD_add_connection(mock->daemon, fd, addr, addrlen) != MHD_YES) {
        brk_log_debug("libmicrohttpd refused a connection (%s)", strerror(errno)); /* it closed fd */
    }
}

static unsigned s_http1_count(void *ctx)
{
    struct brk_mock *mock = ctx;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(mock->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

enum brk_status mock_http_start(struct brk_mock *mock, char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (s_bind_address(mock->host, mock->cfg.port, &ss, &v6) != BRK_OK) {
        snprintf(err, err_len, "--host must be an IPv4 or IPv6 address (got \"%s\")", mock->host);
        return BRK_ERR_INVALID_ARG;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    mock->daemon = MHD_start_daemon(flags, 0, NULL, NULL, s_access, mock,
                                    MHD_OPTION_NOTIFY_COMPLETED, s_completed, mock,
                                    MHD_OPTION_CONNECTION_LIMIT, mock->cfg.max_connections,
                                    MHD_OPTION_CONNECTION_TIMEOUT, mock->cfg.idle_timeout_s,
                                    MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL,
                                    MHD_OPTION_UNESCAPE_CALLBACK, s_no_unescape, NULL,
                                    MHD_OPTION_END);
    if (!mock->daemon) {
        snprintf(err, err_len, "cannot start libmicrohttpd (%s)", errno ? strerror(errno) : "options refused");
        return BRK_ERR_IO;
    }
    struct mock_listener_ops ops = {.http1 = s_http1_add, .http1_count = s_http1_count, .ctx = mock};
    char why[128] = "";
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    enum brk_status rc = mock_listener_start(mock, (struct sockaddr *)&ss, len, &ops, &mock->listener,
                                             &mock->port, why, sizeof(why));
    if (rc != BRK_OK) {
        snprintf(err, err_len, "cannot listen on %s:%u (%s)", mock->host, mock->cfg.port, why);
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
}
