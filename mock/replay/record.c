/*
 * record.c: --record DIR --upstream URL. Each Bedrock Runtime request is forwarded with
 * libcurl (loaded at run time: curl_lib.h), re-signed with the mock process's own credentials
 * (the client signed for the mock's host, so its signature cannot be reused), and the answer
 * comes back as it arrives: a producer thread runs the transfer and hands bytes to the
 * connection's thread through a bounded queue, so an event stream reaches the client frame by
 * frame. The same thread decodes the frames with their times and writes the cassette when the
 * transfer ends.
 *
 * Ownership: an exchange belongs to the request's thread; the producer only touches it under
 * its mutex, and the request side joins the producer before freeing it.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/eventstream.h"
#include "bedrock/sigv4.h"
#include "common/alloc.h"
#include "common/log.h"
#include "mock/replay/cassette.h"
#include "mock/replay/record_priv.h"
#include "mock/pipeline/stages.h"
#include "mock/replay/replay.h"

#define S_QUEUE_BYTES (1024u * 1024u) /* bytes received but not yet sent to the client */
#define S_MAX_RESP_HEADERS 32

struct s_exchange {
    struct mock_recorder *rec;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    CURL *curl;
    struct curl_slist *send_headers;
    cJSON *doc; /* the cassette, request part filled before the transfer */
    char file[160];
    int64_t start_us;
    /* Filled by the producer, read under `lock`. */
    long status;
    struct mock_header headers[S_MAX_RESP_HEADERS];
    size_t n_headers;
    bool started, headers_done, streaming, done, failed, cancelled;
    char curl_error[CURL_ERROR_SIZE];
    struct brk_buf queue; /* streaming: bytes for the client */
    struct brk_buf whole; /* every byte, for the cassette (and the buffered answer) */
    struct brk_es_decoder decoder;
    cJSON *events;
};

static int64_t s_elapsed_ms(const struct s_exchange *x)
{
    return (brk_clock_monotonic_us() - x->start_us) / 1000;
}

static void s_add_header(struct s_exchange *x, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon || x->n_headers == S_MAX_RESP_HEADERS) {
        return;
    }
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
        end--;
    }
    x->headers[x->n_headers].name = brk_strndup(line, (size_t)(colon - line));
    x->headers[x->n_headers].value = brk_strndup(v, (size_t)(end - v));
    x->n_headers++;
}

static const char *s_header(const struct s_exchange *x, const char *name)
{
    for (size_t i = 0; i < x->n_headers; i++) {
        if (x->headers[i].name && strcasecmp(x->headers[i].name, name) == 0) {
            return x->headers[i].value;
        }
    }
    return NULL;
}

static void s_free_headers(struct s_exchange *x)
{
    for (size_t i = 0; i < x->n_headers; i++) {
        brk_free(x->headers[i].name);
        brk_free(x->headers[i].value);
    }
    x->n_headers = 0;
}

static size_t s_on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct s_exchange *x = ctx;
    size_t len = size * n;
    pthread_mutex_lock(&x->lock);
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        s_free_headers(x); /* a new status line: an interim 1xx answer's headers are dropped */
        const char *sp = memchr(data, ' ', len);
        x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
    } else if ((len == 2 && data[0] == '\r') || (len == 1 && data[0] == '\n')) {
        if (x->status >= 200) {
            const char *ct = s_header(x, "content-type");
            x->streaming = x->status == 200 && ct && strcasestr(ct, "vnd.amazon.eventstream");
            x->headers_done = true;
            pthread_cond_broadcast(&x->cond);
        }
    } else if (!x->headers_done) {
        s_add_header(x, data, len); /* trailers after the body are not kept: the headers are read by now */
    }
    pthread_mutex_unlock(&x->lock);
    return len;
}

/* Decode every complete frame received so far into the cassette's events, timed now. */
static void s_decode(struct s_exchange *x, const char *data, size_t len)
{
    if (brk_es_decoder_feed(&x->decoder, data, len) != BRK_OK) {
        return;
    }
    struct brk_es_message msg;
    while (brk_es_decoder_next(&x->decoder, &msg) == BRK_OK) {
        cJSON_AddItemToArray(x->events, mock_cassette_event(&msg, s_elapsed_ms(x)));
    }
}

static size_t s_on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct s_exchange *x = ctx;
    size_t len = size * n;
    pthread_mutex_lock(&x->lock);
    if (x->streaming) {
        s_decode(x, data, len);
        while (!x->cancelled && x->queue.len + len > S_QUEUE_BYTES) {
            pthread_cond_wait(&x->cond, &x->lock); /* the client reads slower than upstream sends */
        }
        if (!x->cancelled && brk_buf_append(&x->queue, data, len) != BRK_OK) {
            x->cancelled = true;
        }
        pthread_cond_broadcast(&x->cond);
    } else if (brk_buf_append(&x->whole, data, len) != BRK_OK) {
        x->cancelled = true; /* past MOCK_CASSETTE_MAX_BYTES: give up rather than grow */
    }
    bool stop = x->cancelled;
    pthread_mutex_unlock(&x->lock);
    return stop ? 0 : len;
}

/* The response half of the cassette; called by the producer once the transfer has ended. */
static void s_finish_cassette(struct s_exchange *x)
{
    cJSON *resp = cJSON_AddObjectToObject(x->doc, "response");
    cJSON_AddNumberToObject(resp, "status", (double)x->status);
    cJSON_AddNumberToObject(resp, "duration_ms", (double)s_elapsed_ms(x));
    cJSON *headers = cJSON_AddObjectToObject(resp, "headers");
    for (size_t i = 0; i < x->n_headers; i++) {
        if (!mock_cassette_header_secret(x->headers[i].name)) {
            cJSON_AddItemToObject(headers, x->headers[i].name, cJSON_CreateString(x->headers[i].value));
        }
    }
    if (x->streaming) {
        cJSON_AddItemToObject(resp, "events", x->events);
        x->events = NULL;
    } else {
        mock_cassette_add_body(resp, "body", x->whole.data ? x->whole.data : "", x->whole.len);
    }
    if (mock_cassette_write(x->rec->dir, x->file, x->doc) != BRK_OK) {
        brk_log_error("--record: cannot write %s/%s", x->rec->dir, x->file);
    }
}

static void *s_produce(void *ctx)
{
    struct s_exchange *x = ctx;
    CURLcode rc = x->rec->curl->easy_perform(x->curl);
    pthread_mutex_lock(&x->lock);
    x->failed = rc != CURLE_OK;
    bool complete = !x->failed && x->headers_done;
    pthread_mutex_unlock(&x->lock);
    if (complete) {
        s_finish_cassette(x); /* only the producer touches the cassette */
    } else {
        brk_log_warn("--record: upstream transfer failed: %s", x->curl_error[0] ? x->curl_error : "?");
    }
    pthread_mutex_lock(&x->lock);
    x->done = true;
    x->headers_done = true;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    return NULL;
}

static void s_exchange_free(void *ctx)
{
    struct s_exchange *x = ctx;
    pthread_mutex_lock(&x->lock);
    x->cancelled = true;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    if (x->started) {
        pthread_join(x->thread, NULL);
    }
    if (x->curl) {
        x->rec->curl->easy_cleanup(x->curl);
    }
    if (x->send_headers) {
        x->rec->curl->slist_free_all(x->send_headers);
    }
    s_free_headers(x);
    brk_buf_clean_up(&x->queue);
    brk_buf_clean_up(&x->whole);
    brk_es_decoder_clean_up(&x->decoder);
    cJSON_Delete(x->events);
    cJSON_Delete(x->doc);
    pthread_mutex_destroy(&x->lock);
    pthread_cond_destroy(&x->cond);
    brk_free(x);
}

/* The client's pull: bytes as they arrive, 0 at a clean end, -1 when upstream broke off. */
static long s_stream_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct s_exchange *x = ctx;
    pthread_mutex_lock(&x->lock);
    while (x->queue.len == 0 && !x->done) {
        pthread_cond_wait(&x->cond, &x->lock);
    }
    long n = 0;
    if (x->queue.len) {
        size_t take = x->queue.len < max ? x->queue.len : max;
        memcpy(buf, x->queue.data, take);
        memmove(x->queue.data, x->queue.data + take, x->queue.len - take);
        x->queue.len -= take;
        n = (long)take;
        pthread_cond_broadcast(&x->cond);
    } else if (x->failed) {
        n = -1;
    }
    pthread_mutex_unlock(&x->lock);
    return n;
}

/* Hand the answer to `resp`: headers now, then either the stream or the whole body. */
static void s_answer(struct s_exchange *x, struct mock_response *resp)
{
    resp->status = (int)x->status;
    for (size_t i = 0; i < x->n_headers; i++) {
        const char *name = x->headers[i].name;
        if (strcasecmp(name, "content-type") == 0) {
            snprintf(resp->content_type, sizeof(resp->content_type), "%s", x->headers[i].value);
        } else if (mock_record_header_passes(name)) {
            mock_response_add_header(resp, name, x->headers[i].value);
        }
    }
    const char *type = s_header(x, "x-amzn-ErrorType");
    if (type) {
        char code[128];
        mock_cassette_error_code(type, code, sizeof(code));
        resp->error = brk_aws_error_find(code);
    }
}

/* Wait for upstream's headers, then answer: a stream is handed over, a body is waited for. */
static void s_wait(struct s_exchange *x, struct mock_response *resp)
{
    pthread_mutex_lock(&x->lock);
    while (!x->headers_done) {
        pthread_cond_wait(&x->cond, &x->lock);
    }
    bool stream = x->streaming && !(x->done && x->failed && x->queue.len == 0);
    while (!stream && !x->done) {
        pthread_cond_wait(&x->cond, &x->lock);
    }
    bool failed = x->done && x->failed && x->status < 200;
    pthread_mutex_unlock(&x->lock);
    if (failed) {
        mock_response_errorf(resp, BRK_AWS_SERVICE_UNAVAILABLE,
                             "bedrock-mock --record: the upstream did not answer: %s",
                             x->curl_error[0] ? x->curl_error : "transfer failed");
    } else {
        s_answer(x, resp);
        mock_journal_extra_add(resp, "recorded", cJSON_CreateString(x->file));
    }
    if (stream && !failed) {
        resp->stream_fn = s_stream_read;
        resp->stream_ctx = x;
        resp->stream_free = s_exchange_free;
        return;
    }
    if (!failed) {
        brk_buf_reset(&resp->body);
        brk_buf_append(&resp->body, x->whole.data ? x->whole.data : "", x->whole.len);
    }
    s_exchange_free(x);
}

/* Forward `req` and fill `resp` with upstream's answer (or the mock's error when there is none). */
static void s_forward(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct s_exchange *x = brk_calloc(1, sizeof(*x));
    if (!x) {
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return;
    }
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->cond, NULL);
    brk_buf_init(&x->queue, S_QUEUE_BYTES + CURL_MAX_WRITE_SIZE);
    brk_buf_init(&x->whole, MOCK_CASSETTE_MAX_BYTES);
    brk_es_decoder_init(&x->decoder);
    x->events = cJSON_CreateArray();
    x->start_us = brk_clock_monotonic_us();
    x->rec = mock->recorder;
    if (mock_record_prepare(mock->recorder, req, x->file, sizeof(x->file), &x->curl, &x->send_headers, &x->doc) !=
        BRK_OK) {
        s_exchange_free(x);
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, "bedrock-mock --record: cannot sign the upstream request.");
        return;
    }
    x->rec->curl->easy_setopt(x->curl, CURLOPT_HEADERFUNCTION, s_on_header);
    x->rec->curl->easy_setopt(x->curl, CURLOPT_HEADERDATA, x);
    x->rec->curl->easy_setopt(x->curl, CURLOPT_WRITEFUNCTION, s_on_body);
    x->rec->curl->easy_setopt(x->curl, CURLOPT_WRITEDATA, x);
    x->rec->curl->easy_setopt(x->curl, CURLOPT_ERRORBUFFER, x->curl_error);
    x->started = pthread_create(&x->thread, NULL, s_produce, x) == 0;
    if (!x->started) {
        s_exchange_free(x);
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return;
    }
    s_wait(x, resp);
}

bool mock_stage_record(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!mock->recorder) {
        return true;
    }
    s_forward(mock, req, resp);
    return false; /* upstream has answered: no stage of the mock's judges this request */
}
