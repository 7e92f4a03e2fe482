/*
 * sigv4_roundtrip: whatever an AWS SDK can send, signed with common/sigv4.c the way the SDK signs
 * it, must pass the strict mock's auth stage (mock/auth/auth.c). A refusal means the verifier's view
 * of the request (what the HTTP glue hands the pipeline) and the signer's input disagree: an SDK
 * would then fail against the mock only. The refusal's reason goes to stderr, then abort().
 *
 * The input is text: what the SDK is asked to send, before any encoding:
 *
 *   flags             words: "h2" (HTTP/2), "token" (session credentials), "sha256" (sign
 *                     x-amz-content-sha256), "cl" (Content-Length signed, as the JS SDK's
 *                     contentLengthMiddleware does before signing), "get" (GET, no body)
 *   model id          raw; the SDK percent-encodes it into /model/{modelId}/...
 *   operation         the path's last segment, [a-z-]; empty: converse
 *   ?key=value        a query argument, raw (split at the first '='); repeatable
 *   Name: value       an extra header; repeatable
 *   (empty line)
 *   body              any bytes
 *
 * A NUL byte ends a field early (the fields are C strings, as on both sides); the body may hold any.
 * An input outside what an SDK can send is skipped (return 0), not refused; each constraint and
 * its reason is at the check that enforces it (s_rt_*_ok). The request is signed at the fixed time
 * and with the fixed credentials of fuzz/sigv4_auth.h, then rebuilt as the mock's HTTP glue
 * would build it (mock/http/http1.c for HTTP/1.1, mock/http/h2.c for HTTP/2) and run through the auth
 * stage of a strict mock (fuzz_sigv4_mock_start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/sigv4.h"
#include "fuzz/fuzz.h"
#include "fuzz/sigv4_auth.h"
#include "mock/pipeline/stages.h"

#define S_RT_HOST "localhost:8080" /* AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://localhost:8080 */
#define S_RT_MAX_HEADERS 16        /* extra headers; the SDK adds Host (or :authority) itself */
#define S_RT_MAX_QUERY 7           /* ListAsyncInvokes, the operation with most, has 7 query members */
#define S_RT_MAX_MODEL 2048        /* modelId's max length in the service model */
#define S_RT_MAX_QUERY_VALUE 2048  /* nextToken's max length in the service model */
#define S_RT_MAX_HEADER_VALUE 8500 /* X-Amzn-Bedrock-Request-Metadata's max length */

static struct brk_mock *s_rt_strict;

/* Stop the mock (the replay test calls it so valgrind sees no leak). */
void fuzz_sigv4_roundtrip_release(void);
void fuzz_sigv4_roundtrip_release(void)
{
    brk_mock_stop(s_rt_strict);
    s_rt_strict = NULL;
}

static struct brk_mock *s_rt_mock(void)
{
    if (!s_rt_strict) {
        s_rt_strict = fuzz_sigv4_mock_start(BRK_MOCK_AUTH_STRICT);
    }
    return s_rt_strict;
}

struct s_rt_request {
    char *text; /* a NUL-terminated copy of the input; the fields point into it */
    bool http2, token, sign_body, content_length, get;
    const char *model, *op;
    struct brk_sigv4_header headers[S_RT_MAX_HEADERS + 2]; /* as the SDK signs them */
    size_t n_headers;
    struct brk_sigv4_header query[S_RT_MAX_QUERY]; /* raw, before encoding */
    size_t n_query;
    const uint8_t *body;
    size_t body_len;
    char content_length_text[24];
    struct brk_buf path, qs; /* as on the wire: percent-encoded */
};

/* ---- the constraints ------------------------------------------------------------------ */

/* Model id: the service model's 1..2048 characters (botocore and the JS SDK check the length
 * before sending, not the pattern); any byte, since the label is percent-encoded. "." and ".."
 * are left out: encoded they stay dot segments, which HTTP clients (urllib3, Node's URL) remove
 * before sending, so the SDK signs a path it does not send. */
static bool s_rt_model_ok(const char *model)
{
    size_t n = strlen(model);
    return n >= 1 && n <= S_RT_MAX_MODEL && strcmp(model, ".") != 0 && strcmp(model, "..") != 0;
}

/* Operation: a fixed lower-case name in the SDK's own path template. */
static bool s_rt_op_ok(const char *op)
{
    size_t n = strlen(op);
    return n <= 40 && strspn(op, "abcdefghijklmnopqrstuvwxyz-") == n;
}

/* Header names: HTTP tokens (RFC 9110 section 5.6.2), which SDKs and HTTP stacks refuse
 * otherwise. Not the ones the signer or the HTTP stack owns (the signer replaces Authorization,
 * X-Amz-*; the stack sets Host, Content-Length and the hop-by-hop ones), nor a repeat: SDK headers
 * are a map (botocore's HTTPHeaders as set by the serializer, the JS SDK's record). */
static bool s_rt_name_ok(const struct s_rt_request *r, const char *name)
{
    static const char *const owned[] = {"authorization",
                                        "x-amz-date",
                                        "x-amz-security-token",
                                        "x-amz-content-sha256",
                                        "host",
                                        "content-length",
                                        "transfer-encoding",
                                        "connection",
                                        "keep-alive",
                                        "te",
                                        "trailer",
                                        "upgrade",
                                        "expect"};
    static const char tchar[] = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t n = strlen(name);
    if (n == 0 || n > 64 || strspn(name, tchar) != n || strncasecmp(name, "proxy-", 6) == 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        if (strcasecmp(name, owned[i]) == 0) {
            return false;
        }
    }
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcasecmp(name, r->headers[i].name) == 0) {
            return false;
        }
    }
    return true;
}

/* Header values: at most 8500 bytes (the longest header member of the service model); visible
 * ASCII, space, tab and obs-text (RFC 9110 section 5.5): control characters are refused by
 * http.client and Node. Left out from obs-text: 0x85 and 0xA0, which Python's str.split() and
 * JavaScript's /\s/ treat as whitespace when the SDKs collapse a value for signing, so the SDKs
 * themselves sign such a value differently from the SigV4 rule (spaces and tabs only). Over HTTP/2 no
 * leading or trailing space or tab (RFC 9113 section 8.2.1; nghttp2 refuses the field). */
static bool s_rt_value_ok(const struct s_rt_request *r, const char *value)
{
    size_t n = strlen(value);
    if (n > S_RT_MAX_HEADER_VALUE) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f || *p == 0x85 || *p == 0xa0) {
            return false;
        }
    }
    bool edge_space = n > 0 && (strchr(" \t", value[0]) || strchr(" \t", value[n - 1]));
    return !(r->http2 && edge_space);
}

/* Query arguments: a non-empty key of at most 255 bytes (the service model's keys are fixed
 * names) and a value of at most 2048 (nextToken); any byte, since both are percent-encoded. */
static bool s_rt_query_ok(const char *key, const char *value)
{
    return key[0] && strlen(key) <= 255 && strlen(value) <= S_RT_MAX_QUERY_VALUE;
}

/* ---- the input ------------------------------------------------------------------------ */

static char *s_rt_line(char **pos, char *end)
{
    char *start = *pos;
    char *nl = memchr(start, '\n', (size_t)(end - start));
    *pos = nl ? nl + 1 : end;
    if (nl) {
        *nl = '\0';
    }
    return start;
}

static void s_rt_flags(struct s_rt_request *r, char *flags)
{
    char *save = NULL;
    for (char *w = strtok_r(flags, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        r->http2 |= strcmp(w, "h2") == 0;
        r->token |= strcmp(w, "token") == 0;
        r->sign_body |= strcmp(w, "sha256") == 0;
        r->content_length |= strcmp(w, "cl") == 0;
        r->get |= strcmp(w, "get") == 0;
    }
}

/* One "?key=value" or "Name: value" line; false when an SDK could not send it. */
static bool s_rt_field(struct s_rt_request *r, char *line)
{
    if (line[0] == '?') {
        char *eq = strchr(line + 1, '=');
        if (eq) {
            *eq = '\0';
        }
        const char *value = eq ? eq + 1 : "";
        if (r->n_query == S_RT_MAX_QUERY || !s_rt_query_ok(line + 1, value)) {
            return false;
        }
        r->query[r->n_query++] = (struct brk_sigv4_header){line + 1, value};
        return true;
    }
    char *colon = strchr(line, ':');
    if (!colon || r->n_headers == S_RT_MAX_HEADERS) {
        return false;
    }
    *colon = '\0';
    const char *value = colon + 1 + strspn(colon + 1, " ");
    if (!s_rt_name_ok(r, line) || !s_rt_value_ok(r, value)) {
        return false;
    }
    r->headers[r->n_headers++] = (struct brk_sigv4_header){line, value};
    return true;
}

/* Parse the input into r; false when it describes a request no SDK sends. */
static bool s_rt_parse(struct s_rt_request *r, const uint8_t *data, size_t size)
{
    memset(r, 0, sizeof(*r));
    brk_buf_init(&r->path, 1u << 16);
    brk_buf_init(&r->qs, 1u << 16);
    r->text = malloc(size + 1);
    memcpy(r->text, data, size);
    r->text[size] = '\0';
    char *pos = r->text, *end = r->text + size;
    s_rt_flags(r, s_rt_line(&pos, end));
    r->model = s_rt_line(&pos, end);
    r->op = s_rt_line(&pos, end);
    if (!s_rt_model_ok(r->model) || !s_rt_op_ok(r->op)) {
        return false;
    }
    while (pos < end) {
        char *line = s_rt_line(&pos, end);
        if (!line[0]) {
            break; /* the body follows */
        }
        if (!s_rt_field(r, line)) {
            return false;
        }
    }
    r->body = r->get ? NULL : data + (pos - r->text);
    r->body_len = r->get ? 0 : size - (size_t)(pos - r->text);
    return true;
}

static void s_rt_clean_up(struct s_rt_request *r)
{
    brk_buf_clean_up(&r->path);
    brk_buf_clean_up(&r->qs);
    free(r->text);
}

/* ---- the SDK's side ------------------------------------------------------------------- */

/* The wire path and query as botocore and the JS SDK build them: the label and every query key
 * and value percent-encoded with the unreserved set ('/' and ':' too), keys in input order. */
static void s_rt_encode(struct s_rt_request *r)
{
    brk_buf_append_str(&r->path, "/model/");
    brk_sigv4_uri_encode(r->model, strlen(r->model), false, &r->path);
    brk_buf_appendf(&r->path, "/%s", r->op[0] ? r->op : "converse");
    for (size_t i = 0; i < r->n_query; i++) {
        brk_buf_append_str(&r->qs, i ? "&" : "");
        brk_sigv4_uri_encode(r->query[i].name, strlen(r->query[i].name), false, &r->qs);
        brk_buf_append_str(&r->qs, "=");
        brk_sigv4_uri_encode(r->query[i].value, strlen(r->query[i].value), false, &r->qs);
    }
}

/* Sign as the SDK does: its headers plus Host over HTTP/1.1, or ":authority" (and no Host) over
 * HTTP/2 as the JS SDK's hostHeaderMiddleware sets them, and Content-Length when asked. */
static void s_rt_sign(struct s_rt_request *r, struct brk_sigv4_result *res)
{
    r->headers[r->n_headers++] = (struct brk_sigv4_header){r->http2 ? ":authority" : "Host", S_RT_HOST};
    if (r->content_length) {
        snprintf(r->content_length_text, sizeof(r->content_length_text), "%zu", r->body_len);
        r->headers[r->n_headers++] = (struct brk_sigv4_header){"Content-Length", r->content_length_text};
    }
    struct brk_sigv4_params p = {.access_key_id = r->token ? FUZZ_SIGV4_TOKEN_AKID : FUZZ_SIGV4_AKID,
                                 .secret_access_key = r->token ? FUZZ_SIGV4_TOKEN_SECRET : FUZZ_SIGV4_SECRET,
                                 .session_token = r->token ? FUZZ_SIGV4_TOKEN : NULL,
                                 .region = FUZZ_SIGV4_REGION,
                                 .service = "bedrock",
                                 .time_s = FUZZ_SIGV4_NOW_S,
                                 .normalize_path = true,
                                 .sign_body = r->sign_body};
    enum brk_status rc = brk_sigv4_sign(&p, r->get ? "GET" : "POST", r->path.data, r->qs.data, r->headers, r->n_headers,
                                        r->body, r->body_len, res);
    if (rc != BRK_OK) {
        fprintf(stderr, "sigv4_roundtrip: brk_sigv4_sign failed on an SDK request: %s\n", brk_status_str(rc));
        abort();
    }
}

/* ---- the mock's side ------------------------------------------------------------------ */

/* A header as the HTTP glue hands it over: leading and trailing spaces and tabs dropped (RFC
 * 9110 section 5.5: not part of the value; libmicrohttpd drops them), the name in lower case
 * over HTTP/2 (RFC 9113 section 8.2.1). */
static void s_rt_add_header(struct mock_request *req, bool http2, const char *name, const char *value)
{
    char lower[128];
    snprintf(lower, sizeof(lower), "%s", name);
    for (char *c = lower; http2 && *c; c++) {
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    }
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t')) {
        len--;
    }
    size_t lead = strspn(value, " \t");
    char *trimmed = strndup(value + lead, len > lead ? len - lead : 0);
    mock_request_add_header(req, lower, trimmed);
    free(trimmed);
}

/* The request as mock/http/http1.c (HTTP/1.1) or mock/http/h2.c (HTTP/2) builds it from the wire. */
static void s_rt_received(const struct s_rt_request *r, const struct brk_sigv4_result *res, struct mock_request *req)
{
    mock_request_build(req, r->get ? "GET" : "POST", r->path.data, NULL, r->body, r->body_len);
    req->http2 = r->http2;
    mock_request_add_query_string(req, r->qs.data ? r->qs.data : "");
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcmp(r->headers[i].name, ":authority") == 0) {
            mock_request_add_header(req, "host", S_RT_HOST); /* h2.c keeps :authority under both names */
        }
        s_rt_add_header(req, r->http2, r->headers[i].name, r->headers[i].value);
    }
    s_rt_add_header(req, r->http2, "X-Amz-Date", res->amz_date);
    if (r->token) {
        s_rt_add_header(req, r->http2, "X-Amz-Security-Token", FUZZ_SIGV4_TOKEN);
    }
    if (r->sign_body) {
        s_rt_add_header(req, r->http2, "X-Amz-Content-SHA256", res->payload_hash);
    }
    if (!r->content_length && !r->get) {
        char len[24];
        snprintf(len, sizeof(len), "%zu", r->body_len);
        s_rt_add_header(req, r->http2, "Content-Length", len); /* set by the HTTP stack, after signing */
    }
    s_rt_add_header(req, r->http2, "Authorization", res->authorization.data);
}

static void s_rt_check(struct mock_request *req, const struct brk_sigv4_result *res)
{
    struct mock_response resp;
    mock_response_init(&resp);
    if (!mock_stage_auth(s_rt_mock(), req, &resp)) {
        fprintf(stderr,
                "sigv4_roundtrip: strict mode refused an SDK-signed request: %s: %s\n"
                "signer's canonical request:\n%s\n---\nmock's answer:\n%s\n",
                req->auth_outcome, resp.error_message, res->canonical_request.data,
                resp.body.data ? resp.body.data : "");
        abort();
    }
    mock_response_clean_up(&resp);
}

/* Encode, sign and receive a parsed request; the caller cleans up res and req. */
static void s_rt_prepare(struct s_rt_request *r, struct brk_sigv4_result *res, struct mock_request *req)
{
    brk_sigv4_result_init(res);
    s_rt_encode(r);
    s_rt_sign(r, res);
    s_rt_received(r, res, req);
}

FUZZ_TARGET(sigv4_roundtrip)
{
    struct s_rt_request r;
    if (s_rt_parse(&r, data, size)) {
        struct brk_sigv4_result res;
        struct mock_request req;
        s_rt_prepare(&r, &res, &req);
        s_rt_check(&req, &res);
        mock_request_clean_up(&req);
        brk_sigv4_result_clean_up(&res);
    }
    s_rt_clean_up(&r);
    return 0;
}
