/*
 * auth.c: the authentication stage. Three modes (docs/auth.md):
 *
 *   none     accept every request;
 *   lenient  (default) require a well-formed SigV4 or Bearer Authorization header and take the
 *            account from it, without checking the signature;
 *   strict   verify: credential scope, X-Amz-Date within 15 minutes of the mock clock, signed
 *            headers, session token, body hash and signature against --credentials; Bearer
 *            API keys must be listed and not expired.
 *
 * The account keeps one caller's state (cache, quotas, journal) apart from another's: the
 * credential's account_id when the file gives one, else the access key id, else for Bearer a
 * digest of the token. Secrets and tokens never reach the journal or the log: failure
 * messages that would quote a session token keep the full text in the response body only.
 * Every message text and status is sourced in docs/auth.md.
 */
#include "mock/auth/auth.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/hash.h"
#include "common/json.h"
#include "bedrock/sigv4.h"
#include "mock/auth/credentials.h"
#include "mock/pipeline/stages.h"

#define S_SIGNING_NAME "bedrock"
#define S_MAX_AUTH_HEADER 8192

/* Texts Bedrock's front end answers API-key failures with (docs/auth.md). */
#define S_MSG_KEY_INVALID "Authentication failed: Please make sure your API Key is valid."
#define S_MSG_KEY_FORMAT "Invalid API Key format: Must start with pre-defined prefix"

/* ---- set-up --------------------------------------------------------------------------- */

enum brk_status mock_auth_start(struct brk_mock *mock, char *err, size_t err_len)
{
    const struct brk_mock_config *cfg = &mock->cfg;
    const char *inline_json = cfg->credentials_json;
    mock->cfg.credentials_json = NULL; /* borrowed: not kept past the start */
    if (cfg->auth_mode == BRK_MOCK_AUTH_STRICT && !cfg->credentials_path && !inline_json) {
        snprintf(err, err_len, "--auth strict needs --credentials FILE (docs/auth.md)");
        return BRK_ERR_INVALID_ARG;
    }
    mock->credentials_path = cfg->credentials_path ? strdup(cfg->credentials_path) : NULL;
    mock->auth_region = cfg->auth_region ? strdup(cfg->auth_region) : NULL;
    mock->cfg.credentials_path = mock->credentials_path;
    mock->cfg.auth_region = mock->auth_region;
    if (mock->credentials_path) {
        return mock_credentials_load(mock->credentials_path, &mock->credentials, err, err_len);
    }
    if (inline_json) {
        return mock_credentials_parse(inline_json, strlen(inline_json), &mock->credentials, err, err_len);
    }
    return BRK_OK;
}

void mock_auth_stop(struct brk_mock *mock)
{
    mock_credentials_destroy(mock->credentials);
    mock->credentials = NULL;
    free(mock->credentials_path);
    free(mock->auth_region);
    mock->credentials_path = NULL;
    mock->auth_region = NULL;
}

/* ---- small helpers -------------------------------------------------------------------- */

static void s_outcome(struct mock_request *req, const char *outcome)
{
    snprintf(req->auth_outcome, sizeof(req->auth_outcome), "%s", outcome);
}

/* Replace the body with {"<key>": message}; the journal keeps resp->error_message. Bedrock's
 * front end answers some failures with a capitalised "Message" member (docs/auth.md). */
static void s_body(struct mock_response *resp, const char *key, const char *message)
{
    brk_buf_reset(&resp->body);
    brk_buf_appendf(&resp->body, "{\"%s\":", key);
    brk_buf_append_json_str(&resp->body, message, strlen(message));
    brk_buf_append_str(&resp->body, "}");
}

static bool s_fail(struct mock_request *req, struct mock_response *resp, enum brk_aws_error id, const char *outcome,
                   const char *message)
{
    mock_response_error(resp, id, message);
    s_outcome(req, outcome);
    return false;
}

/* Bearer tokens are secrets: the account is a digest, never the token itself. */
static void s_bearer_account(const char *token, char *out, size_t out_len)
{
    unsigned char md[BRK_SHA256_LEN];
    brk_sha256(token, strlen(token), md);
    snprintf(out, out_len, "bearer-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4], md[5]);
}

static bool s_expired(const struct brk_mock *mock, int64_t expires_ms)
{
    return expires_ms != 0 && brk_clock_now_ms(mock->clock) >= expires_ms;
}

/* ---- parsing the SigV4 Authorization header ------------------------------------------- */

struct s_sigv4 {
    char akid[128];
    char date8[16];
    char region[64];
    char service[64];
    char terminator[64];
    char signed_headers[1024];
    char signature[128];
    bool has_credential, has_signed_headers, has_signature, credential_ok;
};

/* "AKID/YYYYMMDD/REGION/SERVICE/aws4_request": exactly five non-empty fields, each fitting its
 * buffer; false otherwise (the credential is then mal-formed). */
static bool s_split_credential(const char *v, size_t vlen, struct s_sigv4 *a)
{
    char *field[5] = {a->akid, a->date8, a->region, a->service, a->terminator};
    const size_t cap[5] = {sizeof(a->akid), sizeof(a->date8), sizeof(a->region), sizeof(a->service),
                           sizeof(a->terminator)};
    size_t f = 0, start = 0;
    for (size_t i = 0; i <= vlen; i++) {
        if (i < vlen && v[i] != '/') {
            continue;
        }
        size_t n = i - start;
        if (f == 5 || n == 0 || n >= cap[f]) {
            return false;
        }
        memcpy(field[f], v + start, n);
        field[f++][n] = '\0';
        start = i + 1;
    }
    return f == 5;
}

/* Copy "key=value" into the matching field. false: not a key=value pair. */
static bool s_sigv4_param(struct s_sigv4 *a, const char *p, size_t len)
{
    const char *eq = memchr(p, '=', len);
    if (!eq) {
        return false;
    }
    size_t klen = (size_t)(eq - p), vlen = len - klen - 1;
    const char *v = eq + 1;
    if (klen == 10 && strncmp(p, "Credential", 10) == 0) {
        a->has_credential = true;
        a->credential_ok = s_split_credential(v, vlen, a);
    } else if (klen == 13 && strncmp(p, "SignedHeaders", 13) == 0) {
        snprintf(a->signed_headers, sizeof(a->signed_headers), "%.*s", (int)vlen, v);
        a->has_signed_headers = true;
    } else if (klen == 9 && strncmp(p, "Signature", 9) == 0) {
        snprintf(a->signature, sizeof(a->signature), "%.*s", (int)vlen, v);
        a->has_signature = true;
    }
    return true;
}

/* The "requires" sentences of AWS's IncompleteSignatureException, then "Authorization=<header>";
 * "" when nothing is missing. */
static void s_missing_params(const struct s_sigv4 *a, bool need_date, const char *header, char *msg, size_t msg_len)
{
    static const char req[] = "Authorization header requires";
    int n = 0;
    msg[0] = '\0';
    if (!a->has_credential) {
        n += snprintf(msg + n, msg_len - (size_t)n, "%s 'Credential' parameter. ", req);
    }
    if (!a->has_signature) {
        n += snprintf(msg + n, msg_len - (size_t)n, "%s 'Signature' parameter. ", req);
    }
    if (!a->has_signed_headers) {
        n += snprintf(msg + n, msg_len - (size_t)n, "%s 'SignedHeaders' parameter. ", req);
    }
    if (need_date) {
        n += snprintf(msg + n, msg_len - (size_t)n, "%s existence of either a 'X-Amz-Date' or a 'Date' header. ", req);
    }
    if (n > 0) {
        snprintf(msg + n, msg_len - (size_t)n, "Authorization=%s", header);
    }
}

/* Parse "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...". On a malformed
 * header, writes AWS's IncompleteSignatureException text into msg and returns false. */
static bool s_parse_sigv4(const char *header, bool need_date, struct s_sigv4 *a, char *msg, size_t msg_len)
{
    memset(a, 0, sizeof(*a));
    const char *p = header + strlen(BRK_SIGV4_ALGORITHM);
    while (*p) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        if (len > 0 && !s_sigv4_param(a, p, len)) {
            snprintf(msg, msg_len,
                     "'%.*s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", (int)len,
                     p, header);
            return false;
        }
        p += len;
        p += strcspn(p, ",");
    }
    s_missing_params(a, need_date, header, msg, msg_len);
    if (msg[0]) {
        return false;
    }
    if (!a->credential_ok) {
        snprintf(msg, msg_len,
                 "The Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        return false;
    }
    return true;
}

/* ---- strict checks -------------------------------------------------------------------- */

/* X-Amz-Date, or the Date header in RFC 1123 form; false when neither parses. */
static bool s_request_time(const struct mock_request *req, char *amz_date, int64_t *t)
{
    const char *x = mock_request_header(req, "X-Amz-Date");
    if (x) {
        snprintf(amz_date, BRK_SIGV4_DATE_LEN + 1, "%s", x);
        return brk_sigv4_parse_date(x, t);
    }
    const char *d = mock_request_header(req, "Date");
    struct tm tm = {0};
    const char *end = d ? strptime(d, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    if (!end || *end) {
        return false;
    }
    *t = (int64_t)timegm(&tm);
    brk_sigv4_format_date(*t, amz_date);
    return true;
}

/* Every scope mistake is reported, each sentence ending ". " as AWS words them. */
static bool s_check_scope(const struct brk_mock *mock, const struct s_sigv4 *a, const char *amz_date, char *msg,
                          size_t msg_len)
{
    int n = 0;
    msg[0] = '\0';
    if (mock->auth_region && strcmp(a->region, mock->auth_region) != 0) {
        n += snprintf(msg + n, msg_len - (size_t)n, "Credential should be scoped to a valid region, not '%s'. ",
                      a->region);
    }
    if (strcmp(a->service, S_SIGNING_NAME) != 0) {
        n += snprintf(msg + n, msg_len - (size_t)n, "Credential should be scoped to correct service: '%s'. ",
                      S_SIGNING_NAME);
    }
    if (strcmp(a->terminator, "aws4_request") != 0) {
        n += snprintf(msg + n, msg_len - (size_t)n,
                      "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", a->terminator);
    }
    if (strncmp(a->date8, amz_date, 8) != 0 || strlen(a->date8) != 8) {
        snprintf(msg + n, msg_len - (size_t)n,
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                 "'%s' != '%.8s', from '%s'.",
                 a->date8, amz_date, amz_date);
    }
    return msg[0] == '\0';
}

static bool s_check_skew(const struct brk_mock *mock, const char *amz_date, int64_t t, char *msg, size_t msg_len)
{
    int64_t now = brk_clock_now_ms(mock->clock) / 1000;
    char now_s[BRK_SIGV4_DATE_LEN + 1], edge[BRK_SIGV4_DATE_LEN + 1];
    brk_sigv4_format_date(now, now_s);
    if (t < now - MOCK_AUTH_MAX_SKEW_S) {
        brk_sigv4_format_date(now - MOCK_AUTH_MAX_SKEW_S, edge);
        snprintf(msg, msg_len, "Signature expired: %s is now earlier than %s (%s - 15 min.)", amz_date, edge, now_s);
        return false;
    }
    if (t > now + MOCK_AUTH_MAX_SKEW_S) {
        brk_sigv4_format_date(now + MOCK_AUTH_MAX_SKEW_S, edge);
        snprintf(msg, msg_len, "Signature not yet current: %s is still later than %s (%s + 15 min.)", amz_date, edge,
                 now_s);
        return false;
    }
    return true;
}

/* The request's headers and query as sigv4 pairs (borrowed). */
static size_t s_pairs(const struct mock_request *req, struct brk_sigv4_header *h, struct brk_sigv4_header *q)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        h[i] = (struct brk_sigv4_header){req->headers[i].name, req->headers[i].value};
    }
    for (size_t i = 0; i < req->n_query; i++) {
        q[i] = (struct brk_sigv4_header){req->query[i].name, req->query[i].value};
    }
    return req->n_headers;
}

/* Signed headers: host among them, each present in the request. IncompleteSignature texts.
 * Over HTTP/2 there is no Host header (RFC 9113 section 8.3.1: :authority replaces it) and the
 * JS SDK signs without one, which real Bedrock accepts; so host is required on HTTP/1.1 only. */
static bool s_check_signed_headers(const struct mock_request *req, const struct s_sigv4 *a, char *msg, size_t msg_len)
{
    bool host = false;
    for (const char *p = a->signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        host = host || (len == 4 && strncmp(p, "host", 4) == 0);
        p += len + (p[len] == ';');
    }
    if (!host && !req->http2) {
        snprintf(msg, msg_len, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        return false;
    }
    for (const char *p = a->signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)len, p);
        if (!mock_request_header(req, name)) {
            snprintf(msg, msg_len, "'%s' is named as a SignedHeader, but it does not exist in the HTTP request.", name);
            return false;
        }
        p += len + (p[len] == ';');
    }
    return true;
}

/* The payload hash to sign: SHA-256 of the body as received; a declared x-amz-content-sha256
 * must agree with it (UNSIGNED-PAYLOAD is taken as declared). */
static bool s_payload_hash(const struct mock_request *req, char *hash, char *msg, size_t msg_len)
{
    brk_sigv4_payload_hash(req->body, req->body_len, hash);
    const char *declared = mock_request_header(req, "x-amz-content-sha256");
    if (!declared) {
        return true;
    }
    if (strcmp(declared, "UNSIGNED-PAYLOAD") == 0) {
        snprintf(hash, BRK_SIGV4_HEX_LEN + 1, "%s", declared);
        return true;
    }
    if (strcasecmp(declared, hash) != 0) {
        snprintf(msg, msg_len, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        return false;
    }
    return true;
}

struct s_verify {
    struct brk_buf creq;
    struct brk_buf sts;
    char signature[BRK_SIGV4_HEX_LEN + 1];
};

/* Recompute the signature the client should have sent. */
static enum brk_status s_compute(const struct mock_request *req, const struct s_sigv4 *a,
                                 const struct mock_credential *cred, const char *amz_date, const char *hash,
                                 struct s_verify *v)
{
    struct brk_sigv4_header h[MOCK_MAX_HEADERS], q[16];
    size_t n = s_pairs(req, h, q);
    struct brk_sigv4_request r = {.method = req->method,
                                  .path = req->url,
                                  .query_pairs = q,
                                  .n_query_pairs = req->n_query,
                                  .headers = h,
                                  .n_headers = n,
                                  .signed_headers = a->signed_headers,
                                  .payload_hash = hash,
                                  .normalize_path = true};
    char scope[256];
    unsigned char key[32];
    enum brk_status rc = brk_sigv4_canonical_request(&r, &v->creq);
    rc = rc == BRK_OK ? brk_sigv4_scope(a->date8, a->region, a->service, scope, sizeof(scope)) : rc;
    rc = rc == BRK_OK ? brk_sigv4_string_to_sign(amz_date, scope, v->creq.data, v->creq.len, &v->sts) : rc;
    rc = rc == BRK_OK ? brk_sigv4_signing_key(cred->secret_access_key, a->date8, a->region, a->service, key) : rc;
    rc = rc == BRK_OK ? brk_sigv4_signature(key, v->sts.data, v->sts.len, v->signature) : rc;
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

/* The mismatch answer quotes the canonical request and string to sign, as AWS does; those may
 * hold the session token, so the full text goes to the client only and the journal keeps the
 * first sentences (resp->error_message). */
static bool s_mismatch(struct mock_request *req, struct mock_response *resp, const struct s_verify *v)
{
    s_fail(req, resp, BRK_AWS_INVALID_SIGNATURE, "invalid-signature", NULL);
    struct brk_buf m;
    brk_buf_init(&m, 4u << 20);
    brk_buf_appendf(&m,
                    "%s\n\nThe Canonical String for this request should have been\n'%s'\n\n"
                    "The String-to-Sign should have been\n'%s'\n",
                    resp->error->default_message, v->creq.data, v->sts.data);
    s_body(resp, "message", m.data ? m.data : resp->error->default_message);
    brk_buf_clean_up(&m);
    return false;
}

/* Which credential signed, and whether its token matches (UnrecognizedClient / ExpiredToken). */
static const struct mock_credential *s_credential(struct brk_mock *mock, struct mock_request *req,
                                                  struct mock_response *resp, const struct s_sigv4 *a)
{
    const struct mock_credential *cred = mock_credentials_find(mock->credentials, a->akid);
    const char *token = mock_request_header(req, "X-Amz-Security-Token");
    bool token_ok = cred && (cred->session_token ? token && brk_sigv4_equal(cred->session_token, token) : !token);
    if (!token_ok) {
        s_fail(req, resp, BRK_AWS_UNRECOGNIZED_CLIENT, "unrecognized-client", NULL);
        return NULL;
    }
    if (s_expired(mock, cred->expires_ms)) {
        s_fail(req, resp, BRK_AWS_EXPIRED_TOKEN, "expired-token", NULL);
        return NULL;
    }
    return cred;
}

static bool s_verify_sigv4(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp,
                           const struct s_sigv4 *a)
{
    char msg[2048], amz_date[BRK_SIGV4_DATE_LEN + 1], hash[BRK_SIGV4_HEX_LEN + 1];
    int64_t t = 0;
    if (!s_request_time(req, amz_date, &t)) {
        snprintf(msg, sizeof(msg),
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                 "header. Authorization=%s",
                 mock_request_header(req, "Authorization"));
        return s_fail(req, resp, BRK_AWS_INCOMPLETE_SIGNATURE, "incomplete-signature", msg);
    }
    if (!s_check_scope(mock, a, amz_date, msg, sizeof(msg))) {
        return s_fail(req, resp, BRK_AWS_INVALID_SIGNATURE, "credential-scope", msg);
    }
    if (!s_check_skew(mock, amz_date, t, msg, sizeof(msg))) {
        return s_fail(req, resp, BRK_AWS_INVALID_SIGNATURE, "signature-expired", msg);
    }
    if (!s_check_signed_headers(req, a, msg, sizeof(msg))) {
        return s_fail(req, resp, BRK_AWS_INCOMPLETE_SIGNATURE, "incomplete-signature", msg);
    }
    const struct mock_credential *cred = s_credential(mock, req, resp, a);
    if (!cred) {
        return false;
    }
    if (!s_payload_hash(req, hash, msg, sizeof(msg))) {
        return s_fail(req, resp, BRK_AWS_INVALID_SIGNATURE, "payload-hash", msg);
    }
    struct s_verify v;
    brk_buf_init(&v.creq, 4u << 20);
    brk_buf_init(&v.sts, 4096);
    enum brk_status rc = s_compute(req, a, cred, amz_date, hash, &v);
    bool ok = rc == BRK_OK && brk_sigv4_equal(v.signature, a->signature);
    if (!ok) {
        s_mismatch(req, resp, &v);
    } else {
        snprintf(req->account, sizeof(req->account), "%s", cred->account_id ? cred->account_id : cred->access_key_id);
        s_outcome(req, "sigv4");
    }
    brk_buf_clean_up(&v.creq);
    brk_buf_clean_up(&v.sts);
    return ok;
}

/* ---- the schemes ---------------------------------------------------------------------- */

static bool s_sigv4(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp, const char *auth)
{
    bool strict = mock->cfg.auth_mode == BRK_MOCK_AUTH_STRICT;
    bool need_date = strict && !mock_request_header(req, "X-Amz-Date") && !mock_request_header(req, "Date");
    struct s_sigv4 a;
    char msg[2 * S_MAX_AUTH_HEADER];
    if (!s_parse_sigv4(auth, need_date, &a, msg, sizeof(msg))) {
        return s_fail(req, resp, BRK_AWS_INCOMPLETE_SIGNATURE, "incomplete-signature", msg);
    }
    if (strict) {
        return s_verify_sigv4(mock, req, resp, &a);
    }
    const struct mock_credential *cred = mock_credentials_find(mock->credentials, a.akid);
    if (cred && s_expired(mock, cred->expires_ms)) {
        return s_fail(req, resp, BRK_AWS_EXPIRED_TOKEN, "expired-token", NULL);
    }
    snprintf(req->account, sizeof(req->account), "%s", cred && cred->account_id ? cred->account_id : a.akid);
    s_outcome(req, "sigv4-unverified");
    return true;
}

/* Bedrock API keys: short-term keys start "bedrock-api-key-", long-term ones "ABSK". */
static bool s_bearer(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp, const char *token)
{
    bool strict = mock->cfg.auth_mode == BRK_MOCK_AUTH_STRICT;
    const struct mock_api_key *key = mock_credentials_find_key(mock->credentials, token);
    bool known_prefix = strncmp(token, "bedrock-api-key-", 16) == 0 || strncmp(token, "ABSK", 4) == 0;
    const char *fail = NULL, *outcome = NULL;
    if (key && s_expired(mock, key->expires_ms)) {
        fail = S_MSG_KEY_INVALID, outcome = "expired-api-key";
    } else if (!key && strict) {
        fail = known_prefix ? S_MSG_KEY_INVALID : S_MSG_KEY_FORMAT, outcome = "invalid-api-key";
    }
    if (fail) {
        s_fail(req, resp, BRK_AWS_AUTH_ACCESS_DENIED, outcome, fail);
        s_body(resp, "Message", fail);
        return false;
    }
    if (key && key->account_id) {
        snprintf(req->account, sizeof(req->account), "%s", key->account_id);
    } else {
        s_bearer_account(token, req->account, sizeof(req->account));
    }
    s_outcome(req, key ? "bearer" : "bearer-unverified");
    return true;
}

bool mock_stage_auth(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    const char *auth = mock_request_header(req, "Authorization");
    if (mock->cfg.auth_mode == BRK_MOCK_AUTH_NONE) {
        s_outcome(req, "none");
        return true;
    }
    if (!auth || !auth[0]) {
        s_fail(req, resp, BRK_AWS_AUTH_ACCESS_DENIED, "missing", NULL);
        s_body(resp, "Message", resp->error->default_message);
        return false;
    }
    if (strlen(auth) > S_MAX_AUTH_HEADER) {
        return s_fail(req, resp, BRK_AWS_INCOMPLETE_SIGNATURE, "incomplete-signature",
                      "Authorization header is too long.");
    }
    size_t alg = strlen(BRK_SIGV4_ALGORITHM);
    if (strncmp(auth, BRK_SIGV4_ALGORITHM, alg) == 0 && (auth[alg] == ' ' || auth[alg] == '\0')) {
        return s_sigv4(mock, req, resp, auth);
    }
    if (strncasecmp(auth, "Bearer ", 7) == 0 && auth[7 + strspn(auth + 7, " ")]) {
        return s_bearer(mock, req, resp, auth + 7 + strspn(auth + 7, " "));
    }
    char msg[2 * S_MAX_AUTH_HEADER];
    snprintf(msg, sizeof(msg),
             "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
             "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=%s",
             auth);
    return s_fail(req, resp, BRK_AWS_INCOMPLETE_SIGNATURE, "incomplete-signature", msg);
}
