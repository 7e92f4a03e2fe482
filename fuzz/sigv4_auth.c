/*
 * sigv4_auth: hostile Authorization headers through the auth stage (mock/auth/auth.c) in lenient and
 * strict mode, and the SigV4 functions of common/sigv4.c that read outside text.
 *
 * The input is text, one field a line, then the body after an empty line:
 *
 *   METHOD            "POST"; " h2" after it marks an HTTP/2 request (no Host needed)
 *   Authorization     the header's value; empty: no header
 *   X-Amz-Date        empty: no header
 *   Host              empty: no header
 *   path              as on the wire, percent-encoded
 *   query             raw, without '?'; decoded as the HTTP glue decodes it
 *   Name: value       any further headers, one a line (X-Amz-Security-Token, Date, ...)
 *   (empty line)
 *   body              any bytes, signed through x-amz-content-sha256 and the payload hash
 *
 * Two private mocks share one credentials file and a virtual clock fixed at FUZZ_SIGV4_NOW_S, so a seed
 * signed for that time (fuzz/tools/sigv4_seeds.c) passes strict mode and the fuzzer mutates
 * from a request that reaches the signature comparison. Checked on every input: strict mode
 * accepts nothing lenient refuses; a refusal is an error response, an acceptance names an
 * account; no secret, session token or API key of the file reaches the journal's fields unless
 * the input itself holds it; a date that parses formats back to the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "fuzz/fuzz.h"
#include "fuzz/sigv4_auth.h"
#include "mock/pipeline/stages.h"

#define S_MAX_EXTRA 32

static const char *const s_secrets[] = {FUZZ_SIGV4_SECRET, FUZZ_SIGV4_TOKEN_SECRET, FUZZ_SIGV4_TOKEN,
                                        FUZZ_SIGV4_API_KEY, FUZZ_SIGV4_API_KEY_OLD};

static struct brk_mock *s_lenient, *s_strict;

/* ---- the two mocks -------------------------------------------------------------------- */

static void s_init(void)
{
    s_lenient = fuzz_sigv4_mock_start(BRK_MOCK_AUTH_LENIENT);
    s_strict = fuzz_sigv4_mock_start(BRK_MOCK_AUTH_STRICT);
}

/* Stop both mocks (the replay test calls it so valgrind sees no leak). */
void fuzz_sigv4_auth_release(void);
void fuzz_sigv4_auth_release(void)
{
    brk_mock_stop(s_lenient);
    brk_mock_stop(s_strict);
    s_lenient = s_strict = NULL;
}

/* ---- the input ------------------------------------------------------------------------ */

struct s_input {
    char *text; /* a NUL-terminated copy of the input; the fields point into it */
    size_t pos, size;
    const char *method, *auth, *date, *host, *path, *query;
    const char *headers[S_MAX_EXTRA + 4]; /* "Name: value", NULL-terminated */
    char *fixed[3];                       /* owned: Authorization, X-Amz-Date and Host lines */
    bool http2;
};

static const char *s_line(struct s_input *in)
{
    char *start = in->text + in->pos;
    char *nl = memchr(start, '\n', in->size - in->pos);
    if (!nl) {
        in->pos = in->size;
        return start;
    }
    *nl = '\0';
    in->pos = (size_t)(nl - in->text) + 1;
    return start;
}

static char *s_header_line(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *line = malloc(n);
    snprintf(line, n, "%s: %s", name, value);
    return line;
}

static void s_parse(struct s_input *in, const uint8_t *data, size_t size)
{
    memset(in, 0, sizeof(*in));
    in->text = malloc(size + 1);
    memcpy(in->text, data, size);
    in->text[size] = '\0';
    in->size = size;
    char *method = (char *)s_line(in);
    size_t mlen = strlen(method);
    in->http2 = mlen >= 3 && strcmp(method + mlen - 3, " h2") == 0;
    if (in->http2) {
        method[mlen - 3] = '\0';
    }
    in->method = method[0] ? method : "POST";
    in->auth = s_line(in);
    in->date = s_line(in);
    in->host = s_line(in);
    in->path = s_line(in);
    in->query = s_line(in);
    size_t n = 0;
    const char *value[3] = {in->auth, in->date, in->host};
    static const char *const name[3] = {"Authorization", "X-Amz-Date", "Host"};
    for (int i = 0; i < 3; i++) {
        if (value[i][0]) {
            in->headers[n++] = in->fixed[i] = s_header_line(name[i], value[i]);
        }
    }
    while (in->pos < in->size) {
        const char *line = s_line(in);
        if (!line[0]) {
            break; /* the body follows */
        }
        if (n < S_MAX_EXTRA + 3) {
            in->headers[n++] = line;
        }
    }
}

static void s_input_clean_up(struct s_input *in)
{
    for (int i = 0; i < 3; i++) {
        free(in->fixed[i]);
    }
    free(in->text);
}

/* ---- the checks ----------------------------------------------------------------------- */

/* Run the auth stage once; abort on a broken contract. */
static bool s_auth(struct brk_mock *mock, struct mock_request *req, const uint8_t *data, size_t size)
{
    struct mock_response resp;
    mock_response_init(&resp);
    req->account[0] = req->auth_outcome[0] = '\0';
    bool ok = mock_stage_auth(mock, req, &resp);
    if (ok ? !req->account[0] : !resp.error || resp.status < 400 || !req->auth_outcome[0]) {
        abort();
    }
    for (size_t i = 0; i < sizeof(s_secrets) / sizeof(s_secrets[0]); i++) {
        const char *s = s_secrets[i];
        if (!memmem(data, size, s, strlen(s)) &&
            (strstr(resp.error_message, s) || strstr(req->account, s) || strstr(req->auth_outcome, s))) {
            abort(); /* a secret the caller did not send reached the journal */
        }
    }
    mock_response_clean_up(&resp);
    return ok;
}

/* The public functions of sigv4.h that read outside text, on the same fields. */
static void s_sigv4_functions(const struct s_input *in, const struct mock_request *req)
{
    int64_t t = 0;
    if (brk_sigv4_parse_date(in->date, &t)) {
        char again[BRK_SIGV4_DATE_LEN + 1];
        brk_sigv4_format_date(t, again);
        if (strcmp(again, in->date) != 0 && strcmp(in->date + 13, "60Z") != 0) {
            abort(); /* only a leap second may come back as the next minute */
        }
    }
    struct brk_sigv4_header h[MOCK_MAX_HEADERS];
    for (size_t i = 0; i < req->n_headers; i++) {
        h[i] = (struct brk_sigv4_header){req->headers[i].name, req->headers[i].value};
    }
    struct brk_buf a, b;
    brk_buf_init(&a, 1u << 20);
    brk_buf_init(&b, 1u << 20);
    char missing[256], scope[256];
    brk_sigv4_canonical_uri(in->path, true, &a);
    brk_sigv4_canonical_uri(in->path, false, &b);
    brk_buf_reset(&a);
    brk_sigv4_canonical_query(in->query, &a);
    brk_buf_reset(&a);
    brk_buf_reset(&b);
    if (brk_sigv4_signed_headers(h, req->n_headers, &a) == BRK_OK && a.data) {
        brk_sigv4_canonical_headers(h, req->n_headers, a.data, &b, missing, sizeof(missing));
    }
    brk_buf_reset(&b);
    brk_sigv4_canonical_headers(h, req->n_headers, in->auth, &b, missing, sizeof(missing));
    brk_sigv4_scope(in->date, in->host, "bedrock", scope, sizeof(scope));
    brk_buf_clean_up(&a);
    brk_buf_clean_up(&b);
}

/* One input through both modes and the sigv4 functions; what each mode answered. */
static void s_run(const uint8_t *data, size_t size, bool *lenient, bool *strict)
{
    if (!s_strict) {
        s_init();
    }
    struct s_input in;
    s_parse(&in, data, size);
    struct mock_request req;
    mock_request_build(&req, in.method, in.path, in.headers, data + in.pos, size - in.pos);
    req.http2 = in.http2;
    mock_request_add_query_string(&req, in.query);
    *lenient = s_auth(s_lenient, &req, data, size);
    *strict = s_auth(s_strict, &req, data, size);
    if (*strict && !*lenient) {
        abort(); /* strict mode accepts a subset of what lenient mode accepts */
    }
    s_sigv4_functions(&in, &req);
    mock_request_clean_up(&req);
    s_input_clean_up(&in);
}

FUZZ_TARGET(sigv4_auth)
{
    bool lenient, strict;
    s_run(data, size, &lenient, &strict);
    return 0;
}
