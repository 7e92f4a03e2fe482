/*
 * harness.h: test-only helpers. Start an in-process mock on a free port and call it over
 * real HTTP with libcurl, so every HTTP test goes through the same wire path as an SDK.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bedrock/mock.h"

/* How long a test waits for something it expects before it fails. Generous on purpose: CI
 * machines are slow and loaded, and valgrind makes everything 20-50x slower. Every wait ends
 * as soon as its condition holds, so a normal machine never waits this long; no test asserts
 * on what happens within a fixed window. Suite timeouts (Criterion's .timeout) stay above it. */
#define TH_DEADLINE_MS 30000

/* Criterion's per-suite .timeout for every suite that talks to a mock: a hang guard only, well
 * above TH_DEADLINE_MS so a missed condition fails with its own message first, and above what
 * the slowest test takes under valgrind on a loaded machine (about 7 s on 2 shared cores). */
#define TH_SUITE_TIMEOUT_S 120

struct th_response {
    long status;
    char *body; /* NUL-terminated */
    size_t body_len;
    char *headers;     /* raw header block, NUL-terminated */
    cJSON *json;       /* parsed body, or NULL */
    int curl_code;     /* CURLE_* of the transfer */
    long http_version; /* CURL_HTTP_VERSION_* the transfer used (1.1, 2) */
};

/* Start a mock with `cfg` (NULL: defaults) on a free port; aborts the test on failure. */
struct brk_mock *th_mock_start(const struct brk_mock_config *cfg);

/* Base URL "http://127.0.0.1:PORT" of a running mock (static buffer per call site is fine). */
void th_base_url(struct brk_mock *mock, char *out, size_t out_len);

/* The Authorization header th_request adds when the caller passes none: a well-formed (unverified)
 * SigV4 header, so the default --auth lenient mode lets the request through with account
 * TH_DEFAULT_ACCOUNT. Pass "Authorization:" (empty) to send no Authorization header at all.
 * In-process tests that call mock_dispatch add TH_DEFAULT_AUTHORIZATION_VALUE themselves. */
#define TH_DEFAULT_ACCOUNT "AKIDHARNESS"
#define TH_DEFAULT_AUTHORIZATION_VALUE                                                             \
    "AWS4-HMAC-SHA256 Credential=" TH_DEFAULT_ACCOUNT "/20260101/us-east-1/bedrock/aws4_request, " \
    "SignedHeaders=content-type;host;x-amz-date, Signature=00"
#define TH_DEFAULT_AUTHORIZATION "Authorization: " TH_DEFAULT_AUTHORIZATION_VALUE

/* Send METHOD path with body (may be NULL) and extra headers ("Name: value", NULL-terminated
 * list, may be NULL). Content-Type defaults to application/json for bodies; Authorization to
 * TH_DEFAULT_AUTHORIZATION. */
struct th_response th_request(struct brk_mock *mock, const char *method, const char *path, const char *body,
                              const char *const *headers);

/* th_request over cleartext HTTP/2 with prior knowledge (h2c), as Node's http2 client and the
 * AWS SDK for JavaScript v3 talk to an http:// endpoint. */
struct th_response th_request_h2(struct brk_mock *mock, const char *method, const char *path, const char *body,
                                 const char *const *headers);

/* Call cond(arg) every 5 ms until it holds (true) or `within_ms` pass (false); for a state a
 * thread of the mock reaches a moment after the test acted. */
bool th_wait_until(bool (*cond)(void *arg), void *arg, int64_t within_ms);

/* GET /_mock/health (over h2c when `h2`) until it answers 200, or TH_DEADLINE_MS pass; for what
 * holds a moment after the client acted (threads of closed connections free their slots). */
bool th_served_soon(struct brk_mock *mock, bool h2);

/* The same within `within_ms` instead of TH_DEADLINE_MS: a test that claims an attack did not
 * stall the mock gives it a deadline well short of how long the attack would hold it. */
bool th_served_within(struct brk_mock *mock, bool h2, int64_t within_ms);

/* A raw TCP connection to the mock (for bytes no client library would send), with send and
 * receive timeouts of TH_DEADLINE_MS as a hang guard; asserts that it connected. */
int th_connect_raw(struct brk_mock *mock);

/* The two halves of th_connect_raw, for a test that makes the socket before it changes the
 * process (uses up its descriptors) and connects after: a TCP socket (asserted), and its
 * connection to the mock with the same timeouts. */
int th_socket(void);
void th_connect_fd(int fd, struct brk_mock *mock);

/* What a stream Criterion redirected (cr_get_redirected_stderr, ..._stdout) holds, up to 16 KiB,
 * NUL-terminated, in a static buffer; flush the stream first. */
const char *th_redirected_text(FILE *f);

/* Send all of `data`; false when the peer stopped taking it (closed early, which some tests
 * expect). */
bool th_send_all(int fd, const void *data, size_t len);

/* Read until the peer closes; fails the test when TH_DEADLINE_MS pass first (a socket from
 * th_connect_raw). Returns what arrived, NUL-terminated, owned by the caller. */
char *th_read_until_close(int fd, size_t *len_out);

/* Whether this process runs under valgrind (its preload library is in LD_PRELOAD). */
bool th_under_valgrind(void);

/* Resident memory of this process (VmRSS of /proc/self/status) in KiB; the in-process mock's
 * included. -1 where it means nothing (no /proc, ASan's quarantine, valgrind): callers then
 * skip their memory check and keep the others. */
long th_rss_kib(void);

/* POST a JSON body to /model/{model}/converse (model is percent-encoded for the path). */
struct th_response th_converse(struct brk_mock *mock, const char *model, const char *body);

/* GET /_mock/requests`query` ("" or "?bodies=1&since=3"), asserting a 200: the "requests" list,
 * owned by the caller (cJSON_Delete). */
cJSON *th_journal(struct brk_mock *mock, const char *query);

/* Value of a response header (case-insensitive), copied into out; empty when absent. */
void th_header(const struct th_response *resp, const char *name, char *out, size_t out_len);

/* Message of a Bedrock error body ({"message": ...}, or {"Message": ...} as Bedrock's front end
 * writes some auth failures), or "" */
const char *th_message(const struct th_response *resp);

void th_response_free(struct th_response *resp);

/* Percent-encode a URI label with brk_uri_encode_label (common/uri.h); the test fails when the
 * encoded label does not fit out_len bytes. */
void th_encode_label(const char *in, char *out, size_t out_len);

/* Read a whole file (at most 256 MiB); NULL when missing. Free with free(). */
char *th_read_file(const char *path, size_t *len);

/* Path of `relpath` under the source tree (BRK_SOURCE_DIR or "."), for tests that list a folder. */
void th_source_path(const char *relpath, char *out, size_t out_len);

/* Remove a temporary directory and everything under it (files, sub-directories); the test
 * fails when something is left. */
void th_remove_tree(const char *path);

/* Read a file under the source tree (BRK_SOURCE_DIR or "."); NULL when missing. */
char *th_read_source_file(const char *relpath, size_t *len);

/* The parsed service model (fixtures/service-model/bedrock-runtime/2023-09-30/service-2.json, the
 * vendored copy), or NULL when it is missing or not JSON. Free with cJSON_Delete. */
cJSON *th_service_model(void);

#endif
