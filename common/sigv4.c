/*
 * sigv4.c: AWS Signature Version 4 (see sigv4.h for the contract).
 *
 * Step names follow AWS's "Create a canonical request", "Create a string to sign",
 * "Calculate the signature" and "Add the signature to the request"; the golden vectors of
 * botocore and aws-c-auth (fixtures/sigv4/) check each stage.
 */
#include "bedrock/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/alloc.h"
#include "common/hash.h"
#include "common/uri.h"

/* No canonical piece of a request may exceed this; far above any real Bedrock request. */
#define S_MAX_PART (1u << 20)

static const char s_hex[] = "0123456789abcdef";

static void s_to_hex(const unsigned char *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = s_hex[in[i] >> 4];
        out[2 * i + 1] = s_hex[in[i] & 15];
    }
    out[2 * len] = '\0';
}

enum brk_status brk_sigv4_uri_encode(const char *in, size_t len, bool keep_slash, struct brk_buf *out)
{
    return brk_uri_encode(in, len, keep_slash, out);
}

/* Percent-decode one query key or value the lenient way (botocore's unquote), into a buffer
 * of its own: the text is used as a C string. A decoded piece is never longer than its
 * encoding; S_MAX_PART bounds it as every other canonical piece. */
static enum brk_status s_decode_dup(const char *in, size_t len, char **out)
{
    size_t n = 0;
    *out = brk_malloc(len + 1);
    if (!*out) {
        return BRK_ERR_NOMEM;
    }
    enum brk_status rc = brk_uri_decode_lenient(in, len, *out, len + 1, &n);
    return rc == BRK_OK && n > S_MAX_PART ? BRK_ERR_TOO_LARGE : rc;
}

/* ---- canonical URI -------------------------------------------------------------------- */

struct s_seg {
    const char *p;
    size_t len;
};

/* Remove "." and ".." and empty segments, as botocore's _normalize_url_path and aws-c-auth's
 * normalisation do; a trailing '/' survives. Writes the normalised path into out. */
static enum brk_status s_normalize(const char *path, struct brk_buf *out)
{
    size_t n_max = 1;
    for (const char *c = path; *c; c++) {
        n_max += *c == '/';
    }
    struct s_seg *segs = brk_calloc(n_max, sizeof(*segs));
    if (!segs) {
        return BRK_ERR_NOMEM;
    }
    size_t n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = p + strcspn(p, "/");
        size_t len = (size_t)(end - p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            n -= n > 0;
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            segs[n++] = (struct s_seg){p, len};
        }
        p = end;
    }
    enum brk_status rc = BRK_OK;
    for (size_t i = 0; i < n && rc == BRK_OK; i++) {
        rc = brk_buf_append(out, "/", 1);
        rc = rc == BRK_OK ? brk_buf_append(out, segs[i].p, segs[i].len) : rc;
    }
    size_t plen = strlen(path);
    bool trailing = plen > 0 && path[plen - 1] == '/';
    if (rc == BRK_OK && (n == 0 || trailing)) {
        rc = brk_buf_append(out, "/", 1);
    }
    brk_free(segs);
    return rc;
}

enum brk_status brk_sigv4_canonical_uri(const char *path, bool normalize, struct brk_buf *out)
{
    if (!path || !path[0]) {
        return brk_buf_append_str(out, "/");
    }
    if (!normalize) {
        return brk_uri_encode(path, strlen(path), true, out);
    }
    struct brk_buf norm;
    brk_buf_init(&norm, S_MAX_PART);
    enum brk_status rc = s_normalize(path, &norm);
    if (rc == BRK_OK) {
        rc = brk_uri_encode(norm.data, norm.len, true, out);
    }
    brk_buf_clean_up(&norm);
    return rc;
}

/* ---- canonical query ------------------------------------------------------------------ */

struct s_pair {
    char *key; /* encoded */
    char *value;
};

static int s_pair_cmp(const void *a, const void *b)
{
    const struct s_pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static char *s_encode_dup(const char *in, size_t len)
{
    struct brk_buf b;
    brk_buf_init(&b, S_MAX_PART);
    if (brk_uri_encode(in, len, false, &b) != BRK_OK) {
        brk_buf_clean_up(&b);
        return NULL;
    }
    return brk_buf_detach(&b, NULL);
}

static enum brk_status s_write_pairs(struct s_pair *pairs, size_t n, struct brk_buf *out)
{
    qsort(pairs, n, sizeof(*pairs), s_pair_cmp);
    enum brk_status rc = BRK_OK;
    for (size_t i = 0; i < n && rc == BRK_OK; i++) {
        rc = brk_buf_appendf(out, "%s%s=%s", i ? "&" : "", pairs[i].key, pairs[i].value);
    }
    return rc;
}

static void s_free_pairs(struct s_pair *pairs, size_t n)
{
    for (size_t i = 0; pairs && i < n; i++) {
        brk_free(pairs[i].key);
        brk_free(pairs[i].value);
    }
    brk_free(pairs);
}

enum brk_status brk_sigv4_canonical_query_pairs(const struct brk_sigv4_header *in, size_t n, struct brk_buf *out)
{
    if (n == 0) {
        return BRK_OK;
    }
    enum brk_status rc = BRK_ERR_NOMEM;
    struct s_pair *pairs = brk_calloc(n, sizeof(*pairs));
    if (!pairs) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        const char *v = in[i].value ? in[i].value : "";
        pairs[i].key = s_encode_dup(in[i].name, strlen(in[i].name));
        pairs[i].value = s_encode_dup(v, strlen(v));
        if (!pairs[i].key || !pairs[i].value) {
            goto out;
        }
    }
    rc = s_write_pairs(pairs, n, out);
out:
    s_free_pairs(pairs, n);
    return rc;
}

/* Split "k=v&k2" into decoded pairs, then reuse the pair path. */
enum brk_status brk_sigv4_canonical_query(const char *query, struct brk_buf *out)
{
    if (!query || !query[0]) {
        return BRK_OK;
    }
    size_t n = 1;
    for (const char *c = query; *c; c++) {
        n += *c == '&';
    }
    enum brk_status rc = BRK_ERR_NOMEM;
    struct brk_sigv4_header *pairs = brk_calloc(n, sizeof(*pairs));
    char **texts = brk_calloc(2 * n, sizeof(*texts)); /* key, value, key, value... owned */
    size_t used = 0;
    if (!pairs || !texts) {
        goto out;
    }
    rc = BRK_OK;
    for (const char *p = query; rc == BRK_OK && *p;) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            size_t klen = strcspn(p, "=&");
            const char *v = p[klen] == '=' ? p + klen + 1 : p + klen;
            size_t vlen = len - (size_t)(v - p);
            rc = s_decode_dup(p, klen, &texts[2 * used]);
            rc = rc == BRK_OK ? s_decode_dup(v, vlen, &texts[2 * used + 1]) : rc;
            pairs[used] = (struct brk_sigv4_header){texts[2 * used], texts[2 * used + 1]};
            used++;
        }
        p += len + (p[len] == '&');
    }
    if (rc == BRK_OK) {
        rc = brk_sigv4_canonical_query_pairs(pairs, used, out);
    }
out:
    for (size_t i = 0; texts && i < 2 * used; i++) {
        brk_free(texts[i]);
    }
    brk_free(texts);
    brk_free(pairs);
    return rc;
}

/* ---- canonical headers ---------------------------------------------------------------- */

/* Headers botocore never signs (auth.py SIGNED_HEADERS_BLACKLIST and the hop-by-hop set). */
static bool s_unsigned_header(const char *name)
{
    static const char *const skip[] = {"authorization",
                                       "connection",
                                       "expect",
                                       "keep-alive",
                                       "proxy-authenticate",
                                       "proxy-authorization",
                                       "te",
                                       "trailer",
                                       "transfer-encoding",
                                       "upgrade",
                                       "user-agent",
                                       "x-amzn-trace-id"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (strcasecmp(name, skip[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int s_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *s_lower_dup(const char *s)
{
    char *d = brk_strdup(s);
    for (char *c = d; c && *c; c++) {
        *c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
    }
    return d;
}

enum brk_status brk_sigv4_signed_headers(const struct brk_sigv4_header *headers, size_t n, struct brk_buf *out)
{
    if (n > BRK_SIGV4_MAX_HEADERS) {
        return BRK_ERR_TOO_LARGE;
    }
    char *names[BRK_SIGV4_MAX_HEADERS];
    size_t k = 0;
    enum brk_status rc = BRK_OK;
    for (size_t i = 0; i < n; i++) {
        if (!s_unsigned_header(headers[i].name)) {
            names[k] = s_lower_dup(headers[i].name);
            if (!names[k]) {
                rc = BRK_ERR_NOMEM;
                break;
            }
            k++;
        }
    }
    if (rc == BRK_OK) {
        qsort(names, k, sizeof(names[0]), s_str_cmp);
    }
    bool first = true;
    for (size_t i = 0; i < k && rc == BRK_OK; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0) {
            continue;
        }
        rc = brk_buf_appendf(out, "%s%s", first ? "" : ";", names[i]);
        first = false;
    }
    for (size_t i = 0; i < k; i++) {
        brk_free(names[i]);
    }
    return rc;
}

static bool s_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim and collapse runs of whitespace to one space (AWS: "Trimall"). */
static enum brk_status s_append_trimmed(struct brk_buf *out, const char *v)
{
    bool pending = false, wrote = false;
    enum brk_status rc = BRK_OK;
    for (const char *c = v; *c && rc == BRK_OK; c++) {
        if (s_space(*c)) {
            pending = wrote;
            continue;
        }
        if (pending) {
            rc = brk_buf_append(out, " ", 1);
            pending = false;
        }
        rc = rc == BRK_OK ? brk_buf_append(out, c, 1) : rc;
        wrote = true;
    }
    return rc;
}

/* One "name:v1,v2\n" line; BRK_ERR_NOT_FOUND when no header has that name. */
static enum brk_status s_header_line(const struct brk_sigv4_header *headers, size_t n, const char *name,
                                     size_t name_len, struct brk_buf *out)
{
    enum brk_status rc = brk_buf_append(out, name, name_len);
    rc = rc == BRK_OK ? brk_buf_append(out, ":", 1) : rc;
    bool found = false;
    for (size_t i = 0; i < n && rc == BRK_OK; i++) {
        if (strlen(headers[i].name) != name_len || strncasecmp(headers[i].name, name, name_len) != 0) {
            continue;
        }
        if (found) {
            rc = brk_buf_append(out, ",", 1);
        }
        rc = rc == BRK_OK ? s_append_trimmed(out, headers[i].value ? headers[i].value : "") : rc;
        found = true;
    }
    rc = rc == BRK_OK ? brk_buf_append(out, "\n", 1) : rc;
    return rc == BRK_OK && !found ? BRK_ERR_NOT_FOUND : rc;
}

static bool s_valid_name(const char *name, size_t len, const char *prev, size_t prev_len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (name[i] >= 'A' && name[i] <= 'Z') {
            return false;
        }
    }
    if (!prev) {
        return true;
    }
    size_t m = len < prev_len ? len : prev_len;
    int c = memcmp(prev, name, m);
    return c < 0 || (c == 0 && prev_len < len);
}

enum brk_status brk_sigv4_canonical_headers(const struct brk_sigv4_header *headers, size_t n,
                                            const char *signed_headers, struct brk_buf *out, char *missing,
                                            size_t missing_len)
{
    if (!signed_headers || !signed_headers[0]) {
        return BRK_ERR_PARSE;
    }
    const char *prev = NULL;
    size_t prev_len = 0;
    for (const char *p = signed_headers;;) {
        size_t len = strcspn(p, ";");
        if (!s_valid_name(p, len, prev, prev_len)) {
            return BRK_ERR_PARSE;
        }
        enum brk_status rc = s_header_line(headers, n, p, len, out);
        if (rc == BRK_ERR_NOT_FOUND && missing_len > 0) {
            snprintf(missing, missing_len, "%.*s", (int)len, p);
        }
        if (rc != BRK_OK) {
            return rc;
        }
        prev = p;
        prev_len = len;
        if (!p[len]) {
            return BRK_OK;
        }
        p += len + 1;
    }
}

/* ---- hashes, request, string to sign, key, signature ---------------------------------- */

void brk_sigv4_payload_hash(const void *data, size_t len, char *out)
{
    unsigned char md[BRK_SHA256_LEN];
    brk_sha256(data, len, md);
    s_to_hex(md, sizeof(md), out);
}

enum brk_status brk_sigv4_canonical_request(const struct brk_sigv4_request *req, struct brk_buf *out)
{
    enum brk_status rc = brk_buf_appendf(out, "%s\n", req->method);
    rc = rc == BRK_OK ? brk_sigv4_canonical_uri(req->path, req->normalize_path, out) : rc;
    rc = rc == BRK_OK ? brk_buf_append(out, "\n", 1) : rc;
    if (rc == BRK_OK) {
        rc = req->query_pairs ? brk_sigv4_canonical_query_pairs(req->query_pairs, req->n_query_pairs, out)
                              : brk_sigv4_canonical_query(req->query, out);
    }
    rc = rc == BRK_OK ? brk_buf_append(out, "\n", 1) : rc;
    rc = rc == BRK_OK ? brk_sigv4_canonical_headers(req->headers, req->n_headers, req->signed_headers, out, NULL, 0)
                      : rc;
    rc = rc == BRK_OK ? brk_buf_appendf(out, "\n%s\n%s", req->signed_headers, req->payload_hash) : rc;
    return rc;
}

enum brk_status brk_sigv4_scope(const char *amz_date, const char *region, const char *service, char *out,
                                size_t out_len)
{
    if (!amz_date || strlen(amz_date) < 8 || !region || !service) {
        return BRK_ERR_INVALID_ARG;
    }
    int n = snprintf(out, out_len, "%.8s/%s/%s/aws4_request", amz_date, region, service);
    return n > 0 && (size_t)n < out_len ? BRK_OK : BRK_ERR_TOO_LARGE;
}

enum brk_status brk_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request,
                                         size_t canonical_len, struct brk_buf *out)
{
    char hash[BRK_SIGV4_HEX_LEN + 1];
    brk_sigv4_payload_hash(canonical_request, canonical_len, hash);
    return brk_buf_appendf(out, "%s\n%s\n%s\n%s", BRK_SIGV4_ALGORITHM, amz_date, scope, hash);
}

static bool s_hmac(const unsigned char *key, size_t key_len, const void *data, size_t len, unsigned char out[32])
{
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) != NULL && out_len == 32;
}

/* kSecret = "AWS4"+secret; kDate = HMAC(kSecret, date); kRegion; kService; kSigning = HMAC(.., "aws4_request").
 * Every intermediate key is wiped before returning. */
enum brk_status brk_sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
                                      unsigned char key[32])
{
    enum brk_status rc = BRK_ERR_SIGV4;
    size_t slen = secret ? strlen(secret) : 0;
    unsigned char *k_secret = brk_malloc(slen + 4);
    unsigned char k_date[32], k_region[32], k_service[32];
    if (!k_secret || !date8 || !region || !service) {
        rc = k_secret ? BRK_ERR_INVALID_ARG : BRK_ERR_NOMEM;
        goto out;
    }
    memcpy(k_secret, "AWS4", 4);
    if (slen) {
        memcpy(k_secret + 4, secret, slen);
    }
    if (s_hmac(k_secret, slen + 4, date8, 8, k_date) && s_hmac(k_date, 32, region, strlen(region), k_region) &&
        s_hmac(k_region, 32, service, strlen(service), k_service) && s_hmac(k_service, 32, "aws4_request", 12, key)) {
        rc = BRK_OK;
    }
out:
    if (k_secret) {
        OPENSSL_cleanse(k_secret, slen + 4);
    }
    brk_free(k_secret);
    OPENSSL_cleanse(k_date, sizeof(k_date));
    OPENSSL_cleanse(k_region, sizeof(k_region));
    OPENSSL_cleanse(k_service, sizeof(k_service));
    return rc;
}

enum brk_status brk_sigv4_signature(const unsigned char key[32], const char *string_to_sign, size_t sts_len, char *out)
{
    unsigned char mac[32];
    if (!s_hmac(key, 32, string_to_sign, sts_len, mac)) {
        return BRK_ERR_SIGV4;
    }
    s_to_hex(mac, sizeof(mac), out);
    return BRK_OK;
}

enum brk_status brk_sigv4_authorization(const char *access_key_id, const char *scope, const char *signed_headers,
                                        const char *signature, struct brk_buf *out)
{
    return brk_buf_appendf(out, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", BRK_SIGV4_ALGORITHM,
                           access_key_id, scope, signed_headers, signature);
}

/* ---- dates and comparison ------------------------------------------------------------- */

/* snprintf rather than strftime: strftime leaves `out` undefined (possibly unterminated) when the
 * text does not fit, as for a year past 9999 on an advanced virtual clock, and writes years
 * before 1000 with fewer than four digits. Such years are cut to 16 characters here. */
void brk_sigv4_format_date(int64_t time_s, char *out)
{
    time_t t = (time_t)time_s;
    struct tm tm = {.tm_mday = 1, .tm_year = 70};
    if (!gmtime_r(&t, &tm)) {
        tm = (struct tm){.tm_mday = 1, .tm_year = 70};
    }
    char text[96];
    int n = snprintf(text, sizeof(text), "%04lld%02d%02dT%02d%02d%02dZ", (long long)tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    size_t len = n < 0 ? 0 : (size_t)n < BRK_SIGV4_DATE_LEN ? (size_t)n : BRK_SIGV4_DATE_LEN;
    memcpy(out, text, len);
    out[len] = '\0';
}

/* Days in month `mon` (0-11) of `year`, Gregorian. */
static int s_month_days(int year, int mon)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[mon] + (mon == 1 && leap);
}

bool brk_sigv4_parse_date(const char *s, int64_t *time_s)
{
    if (!s || strlen(s) != BRK_SIGV4_DATE_LEN || s[8] != 'T' || s[15] != 'Z') {
        return false;
    }
    int v[15];
    for (int i = 0; i < 15; i++) {
        if (i == 8) continue;
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v[i] = s[i] - '0';
    }
    struct tm tm = {0};
    tm.tm_year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3] - 1900;
    tm.tm_mon = v[4] * 10 + v[5] - 1;
    tm.tm_mday = v[6] * 10 + v[7];
    tm.tm_hour = v[9] * 10 + v[10];
    tm.tm_min = v[11] * 10 + v[12];
    tm.tm_sec = v[13] * 10 + v[14];
    /* An impossible day (20150231) is malformed, not the 3rd of March as timegm would make it. */
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > s_month_days(tm.tm_year + 1900, tm.tm_mon) ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
        return false;
    }
    *time_s = (int64_t)timegm(&tm);
    return true;
}

bool brk_sigv4_equal(const char *a, const char *b)
{
    return brk_ct_equal(a, strlen(a), b, strlen(b));
}

/* ---- one-call signing ----------------------------------------------------------------- */

void brk_sigv4_result_init(struct brk_sigv4_result *res)
{
    memset(res, 0, sizeof(*res));
    brk_buf_init(&res->canonical_request, S_MAX_PART);
    brk_buf_init(&res->string_to_sign, S_MAX_PART);
    brk_buf_init(&res->signed_headers, S_MAX_PART);
    brk_buf_init(&res->authorization, S_MAX_PART);
}

void brk_sigv4_result_clean_up(struct brk_sigv4_result *res)
{
    if (!res) {
        return;
    }
    brk_buf_clean_up(&res->canonical_request);
    brk_buf_clean_up(&res->string_to_sign);
    brk_buf_clean_up(&res->signed_headers);
    brk_buf_clean_up(&res->authorization);
}

/* The headers the signer canonicalises: the caller's, minus those it replaces, plus its own. */
static size_t s_sign_headers(const struct brk_sigv4_params *p, const struct brk_sigv4_header *in, size_t n,
                             const struct brk_sigv4_result *res, struct brk_sigv4_header *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = in[i].name;
        bool replaced = strcasecmp(name, "authorization") == 0 || strcasecmp(name, "x-amz-date") == 0 ||
                        (p->session_token && strcasecmp(name, "x-amz-security-token") == 0) ||
                        (p->sign_body && strcasecmp(name, "x-amz-content-sha256") == 0);
        if (!replaced) {
            out[k++] = in[i];
        }
    }
    out[k++] = (struct brk_sigv4_header){"x-amz-date", res->amz_date};
    if (p->session_token && !p->omit_session_token) {
        out[k++] = (struct brk_sigv4_header){"x-amz-security-token", p->session_token};
    }
    if (p->sign_body) {
        out[k++] = (struct brk_sigv4_header){"x-amz-content-sha256", res->payload_hash};
    }
    return k;
}

enum brk_status brk_sigv4_sign(const struct brk_sigv4_params *p, const char *method, const char *path,
                               const char *query, const struct brk_sigv4_header *headers, size_t n_headers,
                               const void *body, size_t body_len, struct brk_sigv4_result *res)
{
    if (!p || !p->access_key_id || !p->secret_access_key || !p->region || !p->service || !method ||
        n_headers > BRK_SIGV4_MAX_HEADERS) {
        return BRK_ERR_INVALID_ARG;
    }
    struct brk_sigv4_header all[BRK_SIGV4_MAX_HEADERS + 3];
    unsigned char key[32];
    char scope[256];
    brk_sigv4_format_date(p->time_s, res->amz_date);
    brk_sigv4_payload_hash(body, body_len, res->payload_hash);
    size_t n = s_sign_headers(p, headers, n_headers, res, all);
    enum brk_status rc = brk_sigv4_signed_headers(all, n, &res->signed_headers);
    struct brk_sigv4_request req = {.method = method,
                                    .path = path,
                                    .query = query,
                                    .headers = all,
                                    .n_headers = n,
                                    .signed_headers = res->signed_headers.data,
                                    .payload_hash = res->payload_hash,
                                    .normalize_path = p->normalize_path};
    rc = rc == BRK_OK ? brk_sigv4_canonical_request(&req, &res->canonical_request) : rc;
    rc = rc == BRK_OK ? brk_sigv4_scope(res->amz_date, p->region, p->service, scope, sizeof(scope)) : rc;
    rc = rc == BRK_OK ? brk_sigv4_string_to_sign(res->amz_date, scope, res->canonical_request.data,
                                                 res->canonical_request.len, &res->string_to_sign)
                      : rc;
    rc = rc == BRK_OK ? brk_sigv4_signing_key(p->secret_access_key, res->amz_date, p->region, p->service, key) : rc;
    rc =
        rc == BRK_OK ? brk_sigv4_signature(key, res->string_to_sign.data, res->string_to_sign.len, res->signature) : rc;
    OPENSSL_cleanse(key, sizeof(key));
    rc = rc == BRK_OK ? brk_sigv4_authorization(p->access_key_id, scope, res->signed_headers.data, res->signature,
                                                &res->authorization)
                      : rc;
    return rc;
}
