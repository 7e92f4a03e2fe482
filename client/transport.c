/*
 * transport.c: the client's one libcurl easy handle, reused by every call so the connection
 * stays open between calls (keep-alive), and the mapping of transfer failures to statuses.
 *
 *   could not resolve / connect / TLS handshake   BRK_ERR_CONNECT  (botocore EndpointConnectionError)
 *   no byte for read_timeout, or connect timeout  BRK_ERR_TIMEOUT  (ReadTimeoutError, ConnectTimeoutError)
 *   connection closed or reset after it was made  BRK_ERR_TRANSPORT (ConnectionClosedError)
 *
 * The read timeout is botocore's socket-inactivity timeout: once the request is sent, no byte
 * for that long ends the call. curl's low-speed limit cannot do it (it averages the upload in),
 * so the progress callback watches the byte counts; curl calls it at least about once a second
 * while idle, which is the timeout's resolution.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "bedrock/clock.h"
#include "client/client_priv.h"

static size_t s_on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct client_call *call = userp;
    size_t len = size * nmemb;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A new status line (after a 100 Continue, say): forget the previous headers. */
        const char *sp = memchr(data, ' ', len);
        call->http_status = sp ? strtol(sp + 1, NULL, 10) : 0;
        call->request_id[0] = call->error_type[0] = call->date[0] = '\0';
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (colon == NULL) {
        return len;
    }
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
        end--;
    }
    char *dst = NULL;
    size_t cap = 0;
    if (name_len == 16 && strncasecmp(data, "x-amzn-RequestId", 16) == 0) {
        dst = call->request_id, cap = sizeof(call->request_id);
    } else if (name_len == 16 && strncasecmp(data, "x-amzn-ErrorType", 16) == 0) {
        dst = call->error_type, cap = sizeof(call->error_type);
    } else if (name_len == 4 && strncasecmp(data, "Date", 4) == 0) {
        dst = call->date, cap = sizeof(call->date);
    }
    if (dst) {
        size_t n = (size_t)(end - v) < cap - 1 ? (size_t)(end - v) : cap - 1;
        memcpy(dst, v, n);
        dst[n] = '\0';
    }
    return len;
}

static int s_on_progress(void *userp, curl_off_t dl_total, curl_off_t dl_now, curl_off_t ul_total, curl_off_t ul_now)
{
    (void)dl_total;
    struct client_call *call = userp;
    int64_t now = brk_clock_monotonic_ms();
    if (ul_now < ul_total) {
        return 0; /* still connecting or sending: the connect timeout and the send own this time */
    }
    if (dl_now != call->dl_seen || ul_now != call->ul_seen || call->idle_since_ms == 0) {
        call->dl_seen = dl_now;
        call->ul_seen = ul_now;
        call->idle_since_ms = now;
        return 0;
    }
    call->timed_out = now - call->idle_since_ms >= call->read_timeout_ms;
    return call->timed_out;
}

static size_t s_on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct client_call *call = userp;
    size_t len = size * nmemb;
    if (call->stream && call->http_status / 100 == 2) {
        return client_stream_feed(call->stream, data, len) ? len : 0;
    }
    return brk_buf_append(&call->resp_body, data, len) == BRK_OK ? len : 0;
}

enum brk_status client_transport_init(struct brk_client *client, struct brk_error *err)
{
    client->curl = curl_easy_init();
    if (client->curl == NULL) {
        return brk_error_setf(err, BRK_ERR_NOMEM, "curl_easy_init failed");
    }
    CURL *c = client->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, client->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, s_on_progress);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, client->user_agent);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    return BRK_OK;
}

/* A transfer failure as one of the statuses of the table above. */
static enum brk_status s_curl_status(CURL *c, CURLcode code, const char *url, struct brk_error *err)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return brk_error_setf(err, BRK_ERR_CONNECT, "could not connect to the endpoint URL \"%.512s\": %s", url,
                              curl_easy_strerror(code));
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connect_us = 0;
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect_us);
        return brk_error_setf(err, BRK_ERR_TIMEOUT, "%s timed out on endpoint URL \"%.512s\"",
                              connect_us == 0 ? "connecting" : "reading the response", url);
    }
    default:
        return brk_error_setf(err, BRK_ERR_TRANSPORT, "connection to \"%.512s\" failed: %s", url,
                              curl_easy_strerror(code));
    }
}

enum brk_status client_transport_perform(struct brk_client *client, struct client_call *call, const char *url,
                                         struct curl_slist *headers, struct brk_error *err)
{
    CURL *c = client->curl;
    call->http_status = 0;
    call->request_id[0] = call->error_type[0] = call->date[0] = '\0';
    brk_buf_reset(&call->resp_body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, call);
    call->read_timeout_ms = client->read_timeout_ms;
    call->idle_since_ms = 0;
    call->timed_out = false;
    CURLcode code = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    if (code == CURLE_OK) {
        return BRK_OK;
    }
    if (code == CURLE_ABORTED_BY_CALLBACK && call->timed_out) {
        return brk_error_setf(err, BRK_ERR_TIMEOUT, "read timed out on endpoint URL \"%.512s\": no byte for %ld ms",
                              url, call->read_timeout_ms);
    }
    if (code == CURLE_WRITE_ERROR && call->stream && (call->stream->stopped || call->stream->failed)) {
        return call->stream->stopped ? BRK_OK : call->stream->err->status; /* we ended it */
    }
    if (code == CURLE_WRITE_ERROR && call->resp_body.len >= call->resp_body.max_len) {
        return brk_error_setf(err, BRK_ERR_BAD_RESPONSE, "the response body exceeds %zu bytes",
                              call->resp_body.max_len);
    }
    if (code == CURLE_WRITE_ERROR || code == CURLE_OUT_OF_MEMORY) {
        return brk_error_setf(err, BRK_ERR_NOMEM, "out of memory while reading the response");
    }
    if (call->stream && call->stream->events > 0) {
        return brk_error_setf(err, BRK_ERR_TRANSPORT,
                              "the event stream was cut: the connection closed after %zu events (%zu bytes of a "
                              "partial message pending): %s",
                              call->stream->events, brk_es_decoder_pending(&call->stream->dec),
                              curl_easy_strerror(code));
    }
    return s_curl_status(c, code, url, err);
}
