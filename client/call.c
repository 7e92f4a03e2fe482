/*
 * call.c: one operation call, made of attempts.
 *
 * client_call_run makes the attempts of a call: a loop around client_attempt that asks the
 * client's retry state (retry.c, docs/retries.md) after each attempt whether to go on, sleeps
 * the backoff on the client's clock (a virtual clock advances itself), and in adaptive mode
 * holds each send until the token bucket gives a token. What botocore does per
 * attempt and per call (client-facts.md §3.1, §4), and so what the loop must keep:
 *   - amz-sdk-invocation-id: one random UUID v4 per call, the same on every attempt;
 *   - amz-sdk-request: "attempt=1" on the first attempt, "ttl=T; attempt=N; max=M" on retries,
 *     ttl (the server's Date + the read timeout) only once an answer carried a Date;
 *   - each attempt signed afresh (a new X-Amz-Date), the body unchanged.
 * The modelId is percent-encoded into the path as a URI label (only A-Z a-z 0-9 - . _ ~ kept,
 * so ':' travels as %3A and '/' as %2F), then the path is signed as sent.
 */
#include <math.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "client/client_priv.h"
#include "common/alloc.h"

/* Largest modelId the service model allows (ConverseRequest.modelId, max 2048). */
#define CALL_MAX_MODEL_ID 2048

static bool s_uuid4(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1) {
        return false;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return true;
}

void client_call_init(struct client_call *call, const char *operation, const char *action, const char *model_id,
                      const char *body, size_t body_len)
{
    memset(call, 0, sizeof(*call));
    call->operation = operation;
    call->action = action;
    call->model_id = model_id;
    call->body = body ? body : ""; /* never NULL: curl would read a NULL POSTFIELDS from stdin */
    call->body_len = body ? body_len : 0;
    call->max_attempts = 1;
    brk_buf_init(&call->resp_body, CLIENT_MAX_BODY_BYTES);
}

void client_call_clean_up(struct client_call *call)
{
    brk_buf_clean_up(&call->resp_body);
}

/* "/model/{encoded id}/{action}" after the endpoint's own path. */
static enum brk_status s_path(const struct brk_client *client, const struct client_call *call, struct brk_buf *url,
                              size_t *path_at)
{
    const char *authority = strstr(client->s.endpoint, "://") + 3;
    const char *slash = strchr(authority, '/');
    enum brk_status rc = brk_buf_append_str(url, client->s.endpoint);
    *path_at = slash ? (size_t)(slash - client->s.endpoint) : url->len;
    rc = rc == BRK_OK ? brk_buf_append_str(url, "/model/") : rc;
    rc = rc == BRK_OK ? brk_sigv4_uri_encode(call->model_id, strlen(call->model_id), false, url) : rc;
    return rc == BRK_OK ? brk_buf_appendf(url, "/%s", call->action) : rc;
}

static enum brk_status s_headers(const struct brk_client *client, const struct client_call *call,
                                 struct curl_slist **list)
{
    char sdk_request[96];
    if (call->attempt <= 1) {
        snprintf(sdk_request, sizeof(sdk_request), "amz-sdk-request: attempt=%u", call->attempt);
    } else if (call->ttl[0]) {
        snprintf(sdk_request, sizeof(sdk_request), "amz-sdk-request: ttl=%s; attempt=%u; max=%u", call->ttl,
                 call->attempt, call->max_attempts);
    } else {
        snprintf(sdk_request, sizeof(sdk_request), "amz-sdk-request: attempt=%u; max=%u", call->attempt,
                 call->max_attempts);
    }
    char host[1024], invocation[80];
    snprintf(host, sizeof(host), "Host: %s", client->host);
    snprintf(invocation, sizeof(invocation), "amz-sdk-invocation-id: %s", call->invocation_id);
    const char *lines[] = {"Content-Type: application/json", host, invocation, sdk_request, "Expect:", "Accept:"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct curl_slist *next = curl_slist_append(*list, lines[i]);
        if (next == NULL) {
            return BRK_ERR_NOMEM;
        }
        *list = next;
    }
    return BRK_OK;
}

/* A finished exchange: 2xx is the caller's; anything else is an AWS error. */
static enum brk_status s_classify(const struct client_call *call, struct brk_error *err)
{
    if (call->http_status / 100 == 2) {
        return BRK_OK;
    }
    brk_aws_error_parse(call->http_status, call->error_type, call->request_id, call->resp_body.data,
                        call->resp_body.len, err);
    return BRK_ERR_SERVICE;
}

enum brk_status client_attempt(struct brk_client *client, struct client_call *call, struct brk_error *err)
{
    struct brk_buf url;
    brk_buf_init(&url, 8192);
    struct curl_slist *headers = NULL;
    size_t path_at = 0;
    enum brk_status rc = s_path(client, call, &url, &path_at);
    if (rc != BRK_OK) {
        brk_error_setf(err, rc, "building the request URL failed: %s", brk_status_str(rc));
        goto out;
    }
    rc = s_headers(client, call, &headers);
    if (rc != BRK_OK) {
        brk_error_setf(err, rc, "out of memory building the request headers");
        goto out;
    }
    rc = client_auth_headers(client, url.data + path_at, call->body, call->body_len, &headers, err);
    rc = rc == BRK_OK ? client_transport_perform(client, call, url.data, headers, err) : rc;
    rc = rc == BRK_OK ? s_classify(call, err) : rc;
out:
    curl_slist_free_all(headers);
    brk_buf_clean_up(&url);
    return rc;
}

static double s_now_s(const struct brk_client *client)
{
    return (double)brk_clock_now_ms(client->clock) / 1000.0;
}

/* Adaptive mode: hold the attempt until the token bucket gives a token (bucket.py's acquire). */
static int64_t s_wait_for_token(struct brk_client *client)
{
    int64_t waited_ms = 0;
    double wait_s;
    while ((wait_s = client_retry_before_send(&client->retry_state, s_now_s(client))) > 0.0) {
        int64_t ms = (int64_t)ceil(wait_s * 1000.0); /* never short of the token: no busy loop */
        brk_clock_sleep_ms(client->clock, ms);
        waited_ms += ms;
    }
    return waited_ms;
}

/* After one attempt: the retry decision, the call's stats and the schedule row. */
static enum brk_retry_decision s_after_attempt(struct brk_client *client, struct client_call *call, enum brk_status rc,
                                               const struct brk_error *err, struct brk_retry_attempt *row,
                                               unsigned *acquired)
{
    struct client_attempt_outcome o = {
        .status = rc,
        .http_status = (int)call->http_status,
        .code = rc == BRK_ERR_SERVICE ? err->code : "",
        /* A stream's 2xx answer has begun: what fails inside it is never retried (§3.1). */
        .stream_open = call->stream != NULL && call->http_status / 100 == 2,
    };
    row->status = rc;
    row->http_status = o.http_status;
    row->code = o.code;
    int64_t delay_ms = 0;
    enum brk_retry_decision d =
        client_retry_after(&client->retry_state, call->attempt, &o, s_now_s(client), acquired, &delay_ms, row);
    struct brk_call_stats *st = &client->retry_state.last;
    st->attempts = call->attempt;
    st->retry_delay_ms += delay_ms;
    st->max_attempts_reached = d == BRK_RETRY_DONE_MAX_ATTEMPTS;
    st->retry_quota_reached = d == BRK_RETRY_DONE_QUOTA;
    if (client->retry.on_attempt) {
        client->retry.on_attempt(row, client->retry.on_attempt_user);
    }
    return d;
}

enum brk_status client_call_run(struct brk_client *client, struct client_call *call, struct brk_error *err)
{
    memset(&client->retry_state.last, 0, sizeof(client->retry_state.last));
    if (!call->model_id || !call->model_id[0] || strlen(call->model_id) > CALL_MAX_MODEL_ID) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "%s needs a model id of 1 to %d characters", call->operation,
                              CALL_MAX_MODEL_ID);
    }
    if (!s_uuid4(call->invocation_id)) {
        return brk_error_setf(err, BRK_ERR_IO, "no random bytes for amz-sdk-invocation-id");
    }
    call->max_attempts = client->retry_state.max_attempts;
    unsigned acquired = 0; /* the retry quota last taken in this call (botocore's retry_quota_capacity) */
    for (call->attempt = 1;; call->attempt++) {
        struct brk_retry_attempt row = {.attempt = call->attempt, .max_attempts = call->max_attempts};
        row.bucket_wait_ms = s_wait_for_token(client);
        client->retry_state.last.bucket_wait_ms += row.bucket_wait_ms;
        row.send_ms = brk_clock_now_ms(client->clock);
        brk_error_clear(err);
        enum brk_status rc = client_attempt(client, call, err);
        if (call->date[0]) { /* botocore keeps the last ttl when an answer has no (valid) Date */
            client_retry_ttl(call->date, client->read_timeout_ms, call->ttl);
        }
        if (s_after_attempt(client, call, rc, err, &row, &acquired) != BRK_RETRY_AGAIN) {
            return rc;
        }
        brk_clock_sleep_ms(client->clock, row.delay_ms);
    }
}
