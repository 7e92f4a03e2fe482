/*
 * sigv4.h: AWS Signature Version 4, header signing, as a pipeline of small pure functions.
 *
 * The stages follow AWS's own step names, each a separate function so that tests can check
 * every stage against golden files (fixtures/sigv4/) and a failure names the first stage that
 * differs:
 *
 *   1. canonical request  = METHOD \n canonical URI \n canonical query \n canonical headers \n
 *                           signed headers \n payload hash
 *   2. string to sign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n scope \n hex(SHA-256(canonical request))
 *   3. signing key        = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request"
 *   4. signature          = hex(HMAC(signing key, string to sign))
 *   5. Authorization      = "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=..."
 *
 * The mock verifies requests with these functions and the C client signs with them; only the
 * fixed vectors can catch a canonicalisation bug both would share, so keep them passing.
 *
 * Time is always an input (`time_s`, or a parsed X-Amz-Date); nothing here reads a clock,
 * the environment or a file. All functions are thread-safe (no shared state). Buffers are
 * caller-owned `struct brk_buf` that the functions append to; on failure their contents are
 * unspecified but still owned by the caller. Key material is wiped with OPENSSL_cleanse.
 */
#ifndef BEDROCK_SIGV4_H
#define BEDROCK_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define BRK_SIGV4_HEX_LEN 64  /* a SHA-256 or HMAC-SHA256 in lower-case hex */
#define BRK_SIGV4_DATE_LEN 16 /* "20150830T123600Z" */
#define BRK_SIGV4_MAX_HEADERS 128

/* A borrowed name/value pair: a request header, or a decoded query argument. */
struct brk_sigv4_header {
    const char *name;
    const char *value;
};

/* What stage 1 canonicalises. Everything is borrowed. */
struct brk_sigv4_request {
    const char *method;                         /* "POST" */
    const char *path;                           /* as on the wire (already percent-encoded), no query */
    const char *query;                          /* raw query without '?', or NULL; ignored when query_pairs set */
    const struct brk_sigv4_header *query_pairs; /* already-decoded query arguments, or NULL */
    size_t n_query_pairs;
    const struct brk_sigv4_header *headers; /* as received; names in any case, repeats allowed */
    size_t n_headers;
    const char *signed_headers; /* "content-type;host;x-amz-date" */
    const char *payload_hash;   /* BRK_SIGV4_HEX_LEN hex chars, or "UNSIGNED-PAYLOAD" */
    bool normalize_path;        /* remove "." ".." and empty segments (every service but S3) */
};

/* Canonical URI: normalise (when asked) then percent-encode every byte except A-Z a-z 0-9 - . _ ~
 * and '/'. Applied to a wire path, that is the "double encoding" of non-S3 services: Bedrock's
 * ':' travels as %3A and is signed as %253A. An empty path becomes "/". */
BRK_API enum brk_status brk_sigv4_canonical_uri(const char *path, bool normalize, struct brk_buf *out);

/* Percent-encode `len` bytes with the SigV4 unreserved set (A-Z a-z 0-9 - . _ ~), '/' kept when
 * keep_slash, upper-case hex: how SDKs encode a URI label (keep_slash false) or a query key or
 * value. Appends to out; BRK_ERR_INVALID_ARG for a NULL `in` or `out`. The project's one URI
 * encoder (common/uri.c) under its public name. */
BRK_API enum brk_status brk_sigv4_uri_encode(const char *in, size_t len, bool keep_slash, struct brk_buf *out);

/* Canonical query from a raw query string ("b=2&a=1"): each key and value percent-decoded, then
 * encoded with the unreserved set, sorted by key then value, joined with '&'. "" for NULL/"". */
BRK_API enum brk_status brk_sigv4_canonical_query(const char *query, struct brk_buf *out);

/* Canonical query from already-decoded pairs (what an HTTP server hands over). */
BRK_API enum brk_status brk_sigv4_canonical_query_pairs(const struct brk_sigv4_header *pairs, size_t n,
                                                        struct brk_buf *out);

/* The signed-headers list a signer would choose: every header name lower-cased, sorted, unique,
 * joined with ';', leaving out the hop-by-hop and proxy-added ones botocore does not sign
 * (connection, expect, keep-alive, proxy-*, te, trailer, transfer-encoding, upgrade,
 * user-agent, x-amzn-trace-id) and authorization. */
BRK_API enum brk_status brk_sigv4_signed_headers(const struct brk_sigv4_header *headers, size_t n, struct brk_buf *out);

/* Canonical headers for the names in `signed_headers`: "name:value\n" per name, value trimmed with
 * runs of whitespace collapsed to one space, repeated headers joined with ',' in arrival order.
 * BRK_ERR_NOT_FOUND when a listed name has no header (the name is written to missing[] when
 * missing_len > 0); BRK_ERR_PARSE when the list is empty or not sorted/unique lower-case. */
BRK_API enum brk_status brk_sigv4_canonical_headers(const struct brk_sigv4_header *headers, size_t n,
                                                    const char *signed_headers, struct brk_buf *out, char *missing,
                                                    size_t missing_len);

/* Lower-case hex SHA-256 of `len` bytes (the payload hash); out holds BRK_SIGV4_HEX_LEN + 1. */
BRK_API void brk_sigv4_payload_hash(const void *data, size_t len, char *out);

/* Stage 1: the canonical request. Errors of the parts above pass through. */
BRK_API enum brk_status brk_sigv4_canonical_request(const struct brk_sigv4_request *req, struct brk_buf *out);

/* "YYYYMMDD/region/service/aws4_request" into out (at most out_len bytes incl. NUL). */
BRK_API enum brk_status brk_sigv4_scope(const char *amz_date, const char *region, const char *service, char *out,
                                        size_t out_len);

/* Stage 2: the string to sign. */
BRK_API enum brk_status brk_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request,
                                                 size_t canonical_len, struct brk_buf *out);

/* Stage 3: the 32-byte signing key. `date8` is "YYYYMMDD". The caller wipes `key` with
 * OPENSSL_cleanse when done (brk_sigv4_signature does not keep it). */
BRK_API enum brk_status brk_sigv4_signing_key(const char *secret, const char *date8, const char *region,
                                              const char *service, unsigned char key[32]);

/* Stage 4: the hex signature of `string_to_sign` (out holds BRK_SIGV4_HEX_LEN + 1). */
BRK_API enum brk_status brk_sigv4_signature(const unsigned char key[32], const char *string_to_sign, size_t sts_len,
                                            char *out);

/* Stage 5: the Authorization header value. */
BRK_API enum brk_status brk_sigv4_authorization(const char *access_key_id, const char *scope,
                                                const char *signed_headers, const char *signature, struct brk_buf *out);

/* X-Amz-Date text for `time_s` seconds since the epoch (UTC); out holds BRK_SIGV4_DATE_LEN + 1 and is
 * always terminated (a year past 9999 is cut to that length; years before 1000 get leading zeros). */
BRK_API void brk_sigv4_format_date(int64_t time_s, char *out);

/* Parse an X-Amz-Date ("20150830T123600Z"), strictly; false when malformed, including an impossible
 * day (20150231). Second 60 (a leap second) is accepted and counts as the next minute's first. */
BRK_API bool brk_sigv4_parse_date(const char *amz_date, int64_t *time_s);

/* Constant-time equality of two NUL-terminated strings (CRYPTO_memcmp over the common length;
 * lengths are compared too, leaking only whether they differ). The project's one constant-time
 * comparison (common/hash.c) for C strings. */
BRK_API bool brk_sigv4_equal(const char *a, const char *b);

/* ---- one-call signing (the client side) -------------------------------------------------- */

struct brk_sigv4_params {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL when none */
    const char *region;        /* "us-east-1" */
    const char *service;       /* signing name: "bedrock" for bedrock-runtime */
    int64_t time_s;            /* the signing time, seconds since the epoch */
    bool normalize_path;       /* true for every service but S3 */
    bool omit_session_token;   /* add X-Amz-Security-Token after signing (not signed) */
    bool sign_body;            /* add and sign x-amz-content-sha256 */
};

/* Everything a signer produces; every stage is kept so tests can compare them one by one.
 * Initialise with brk_sigv4_result_init, free with brk_sigv4_result_clean_up. */
struct brk_sigv4_result {
    struct brk_buf canonical_request;
    struct brk_buf string_to_sign;
    struct brk_buf signed_headers;
    struct brk_buf authorization;
    char signature[BRK_SIGV4_HEX_LEN + 1];
    char amz_date[BRK_SIGV4_DATE_LEN + 1];
    char payload_hash[BRK_SIGV4_HEX_LEN + 1];
};

BRK_API void brk_sigv4_result_init(struct brk_sigv4_result *res);
BRK_API void brk_sigv4_result_clean_up(struct brk_sigv4_result *res);

/* Sign a request. The headers (at most BRK_SIGV4_MAX_HEADERS, `Host` among them) are those that
 * will be on the wire; like botocore, any Authorization, X-Amz-Date (and X-Amz-Security-Token
 * when a token is given, x-amz-content-sha256 when sign_body) already present are replaced by
 * the signer's own. The caller puts X-Amz-Date (res->amz_date), the token and the
 * Authorization header (res->authorization) on the wire. */
BRK_API enum brk_status brk_sigv4_sign(const struct brk_sigv4_params *p, const char *method, const char *path,
                                       const char *query, const struct brk_sigv4_header *headers, size_t n_headers,
                                       const void *body, size_t body_len, struct brk_sigv4_result *res);

#ifdef __cplusplus
}
#endif

#endif
