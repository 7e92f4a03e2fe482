/*
 * HTTP tests: authentication modes (--auth none|lenient|strict), the credentials file, and
 * every failure with Bedrock's status, error type and message (docs/auth.md). Each rule is
 * tested both ways: a request that passes and one that must fail.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "bedrock/sigv4.h"
#include "mock/auth/credentials.h"
#include "tests/support/harness.h"

#define MODEL "anthropic.claude-3-haiku-20240307-v1:0"
#define MODEL_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}"
#define AKID "AKIDSTRICT"
#define SECRET "strict-secret/KEY+value"
#define TOKEN_AKID "ASIATEMP"
#define TOKEN_SECRET "temporary-secret"
#define TOKEN "FQoGZXIvYXdzEXAMPLE//session==token"
#define OLD_AKID "AKIDEXPIRED"
#define API_KEY "bedrock-api-key-listed-0123456789"
#define OLD_API_KEY "ABSKexpired-key"
#define NS_CORAL "http://internal.amazon.com/coral/com.amazon.coral.service/"

static const char s_credentials_json[] =
    "{\"credentials\":["
    "{\"access_key_id\":\"" AKID "\",\"secret_access_key\":\"" SECRET "\",\"account_id\":\"111122223333\"},"
    "{\"access_key_id\":\"" TOKEN_AKID "\",\"secret_access_key\":\"" TOKEN_SECRET "\",\"session_token\":\"" TOKEN
    "\",\"expiration\":\"2100-01-01T00:00:00Z\"},"
    "{\"access_key_id\":\"" OLD_AKID "\",\"secret_access_key\":\"s\",\"expiration\":\"2001-01-01T00:00:00Z\"}],"
    "\"api_keys\":[{\"key\":\"" API_KEY "\",\"account_id\":\"444455556666\"},"
    "{\"key\":\"" OLD_API_KEY "\",\"expiration\":\"2001-01-01T00:00:00Z\"}]}";

static struct brk_mock *s_mock;
static char s_dir[64];
static char s_cred_path[128];

static void s_write_credentials(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/brk-auth-XXXXXX");
    cr_assert(mkdtemp(s_dir));
    snprintf(s_cred_path, sizeof(s_cred_path), "%s/credentials.json", s_dir);
    FILE *f = fopen(s_cred_path, "w");
    cr_assert(f);
    fputs(s_credentials_json, f);
    fclose(f);
}

static void s_start(enum brk_mock_auth mode)
{
    s_write_credentials();
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = mode;
    cfg.credentials_path = s_cred_path;
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    s_mock = th_mock_start(&cfg);
}

static void s_strict(void)
{
    s_start(BRK_MOCK_AUTH_STRICT);
}

static void s_lenient(void)
{
    s_start(BRK_MOCK_AUTH_LENIENT);
}

static void s_none(void)
{
    s_start(BRK_MOCK_AUTH_NONE);
}

static void s_stop(void)
{
    brk_mock_stop(s_mock);
    unlink(s_cred_path);
    rmdir(s_dir);
}

TestSuite(auth_strict, .init = s_strict, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);
TestSuite(auth_lenient, .init = s_lenient, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);
TestSuite(auth_none, .init = s_none, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

/* ---- a signing client for the tests ----------------------------------------------------- */

struct s_sign {
    const char *akid, *secret, *token; /* token: signed and sent when set */
    const char *service;               /* default "bedrock" */
    int64_t offset_s;                  /* signing time relative to the mock clock */
    const char *send_body;             /* body on the wire when it differs from the signed one */
    const char *extra_header;          /* an extra header, signed */
    const char *query;                 /* a raw query string, signed and sent */
    const char *send_query;            /* query on the wire when it differs from the signed one */
};

static int64_t s_mock_now_s(void)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/clock", NULL, NULL);
    int64_t now = (int64_t)cJSON_GetObjectItem(r.json, "now_ms")->valuedouble / 1000;
    th_response_free(&r);
    return now;
}

/* Sign POST MODEL_PATH with body HELLO the way botocore does, then send it. */
static struct th_response s_send_signed(const struct s_sign *s)
{
    char host[64], date_h[64], token_h[512], auth_h[2048];
    snprintf(host, sizeof(host), "127.0.0.1:%u", brk_mock_port(s_mock));
    struct brk_sigv4_header h[3] = {{"Content-Type", "application/json"}, {"Host", host}};
    size_t n = 2;
    char extra_name[64] = "", extra_value[128] = "";
    if (s->extra_header) {
        sscanf(s->extra_header, "%63[^:]: %127[^\n]", extra_name, extra_value);
        h[n++] = (struct brk_sigv4_header){extra_name, extra_value};
    }
    struct brk_sigv4_params p = {.access_key_id = s->akid,
                                 .secret_access_key = s->secret,
                                 .session_token = s->token,
                                 .region = "us-east-1",
                                 .service = s->service ? s->service : "bedrock",
                                 .time_s = s_mock_now_s() + s->offset_s,
                                 .normalize_path = true};
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    cr_assert_eq(brk_sigv4_sign(&p, "POST", MODEL_PATH, s->query, h, n, HELLO, strlen(HELLO), &res), BRK_OK);
    snprintf(date_h, sizeof(date_h), "X-Amz-Date: %s", res.amz_date);
    snprintf(auth_h, sizeof(auth_h), "Authorization: %s", res.authorization.data);
    const char *headers[5] = {date_h, auth_h};
    size_t k = 2;
    if (s->token) {
        snprintf(token_h, sizeof(token_h), "X-Amz-Security-Token: %s", s->token);
        headers[k++] = token_h;
    }
    if (s->extra_header) {
        headers[k++] = s->extra_header;
    }
    headers[k] = NULL;
    const char *query = s->send_query ? s->send_query : s->query;
    char *url = malloc(strlen(MODEL_PATH) + (query ? strlen(query) + 1 : 0) + 1);
    sprintf(url, "%s%s%s", MODEL_PATH, query ? "?" : "", query ? query : "");
    struct th_response r = th_request(s_mock, "POST", url, s->send_body ? s->send_body : HELLO, headers);
    free(url);
    brk_sigv4_result_clean_up(&res);
    return r;
}

static struct th_response s_send_auth(const char *authorization)
{
    char auth_h[4096];
    snprintf(auth_h, sizeof(auth_h), "Authorization:%s%s", authorization[0] ? " " : "", authorization);
    const char *headers[] = {auth_h, NULL};
    return th_request(s_mock, "POST", MODEL_PATH, HELLO, headers);
}

static void s_assert_error(const struct th_response *r, long status, const char *code, const char *message)
{
    char type[256], want[256];
    th_header(r, "x-amzn-ErrorType", type, sizeof(type));
    snprintf(want, sizeof(want), "%s:%s", code, NS_CORAL);
    cr_assert_eq(r->status, status, "status %ld, body %s", r->status, r->body);
    cr_assert_str_eq(type, want);
    if (message) {
        cr_assert_str_eq(th_message(r), message);
    }
}

static cJSON *s_last_entry(void)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    int n = cJSON_GetArraySize(list);
    cr_assert(n > 0);
    cJSON *last = cJSON_Duplicate(cJSON_GetArrayItem(list, n - 1), 1);
    th_response_free(&r);
    return last;
}

static void s_assert_journal(const char *account, const char *auth)
{
    cJSON *e = s_last_entry();
    cr_assert_str_eq(cJSON_GetObjectItem(e, "account")->valuestring, account);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "auth")->valuestring, auth);
    cJSON_Delete(e);
}

/* ---- strict: SigV4 ---------------------------------------------------------------------- */

Test(auth_strict, a_correct_signature_passes_and_names_the_account)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal("111122223333", "sigv4");
}

Test(auth_strict, a_wrong_secret_gets_invalid_signature_with_the_canonical_request)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = "wrong"});
    s_assert_error(&r, 403, "InvalidSignatureException", NULL);
    const char *m = th_message(&r);
    const char *first = "The request signature we calculated does not match the signature you provided. Check your "
                        "AWS Secret Access Key and signing method. Consult the service documentation for details.";
    cr_assert(strncmp(m, first, strlen(first)) == 0, "%s", m);
    cr_assert(strstr(m, "\n\nThe Canonical String for this request should have been\n'POST\n"
                        "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n\n"
                        "content-type:application/json\n"),
              "%s", m);
    cr_assert(strstr(m, "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"), "%s", m);
    cr_assert_eq(m[strlen(m) - 1], '\n');
    th_response_free(&r);
    cJSON *e = s_last_entry();
    cr_assert_str_eq(cJSON_GetObjectItem(e, "error_message")->valuestring, first);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "auth")->valuestring, "invalid-signature");
    cJSON_Delete(e);
}

/* Found by fuzz/sigv4_roundtrip: a query value past 1023 bytes (ListAsyncInvokes' nextToken goes
 * to 2048 characters, three times that encoded) was dropped before the signature check, so an
 * SDK's correctly signed request failed. A changed value must still fail. */
Test(auth_strict, a_long_query_value_is_signed_and_verified_in_full)
{
    struct brk_buf q;
    brk_buf_init(&q, 1u << 16);
    brk_buf_append_str(&q, "maxResults=10&nextToken=");
    for (int i = 0; i < 2048; i++) {
        brk_sigv4_uri_encode(i % 3 ? "x" : "/", 1, false, &q);
    }
    struct th_response r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .query = q.data});
    cr_assert_eq(r.status, 200, "body %s", r.body);
    th_response_free(&r);
    s_assert_journal("111122223333", "sigv4");
    char *changed = strdup(q.data);
    changed[strlen(changed) - 1] = 'y';
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .query = q.data, .send_query = changed});
    s_assert_error(&r, 403, "InvalidSignatureException", NULL);
    th_response_free(&r);
    free(changed);
    brk_buf_clean_up(&q);
}

Test(auth_strict, an_unknown_access_key_is_an_unrecognized_client)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = "AKIDNOBODY", .secret = SECRET});
    s_assert_error(&r, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    th_response_free(&r);
}

Test(auth_strict, a_body_changed_after_signing_fails)
{
    struct th_response r =
        s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .send_body = "{\"messages\":[]}"});
    s_assert_error(&r, 403, "InvalidSignatureException", NULL);
    th_response_free(&r);
}

Test(auth_strict, x_amz_date_must_be_within_15_minutes_of_the_mock_clock)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .offset_s = -14 * 60});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    int64_t now = s_mock_now_s();
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .offset_s = -16 * 60});
    char sig[17], edge[17], now_s[17], want[256];
    brk_sigv4_format_date(now - 16 * 60, sig);
    brk_sigv4_format_date(now - 15 * 60, edge);
    brk_sigv4_format_date(now, now_s);
    snprintf(want, sizeof(want), "Signature expired: %s is now earlier than %s (%s - 15 min.)", sig, edge, now_s);
    s_assert_error(&r, 403, "InvalidSignatureException", want);
    th_response_free(&r);
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .offset_s = 16 * 60});
    brk_sigv4_format_date(now + 16 * 60, sig);
    brk_sigv4_format_date(now + 15 * 60, edge);
    snprintf(want, sizeof(want), "Signature not yet current: %s is still later than %s (%s + 15 min.)", sig, edge,
             now_s);
    s_assert_error(&r, 403, "InvalidSignatureException", want);
    th_response_free(&r);
}

/* Regression: POST /_mock/clock may move the virtual clock 2^53 ms on, past the year 9999, and the
 * skew message then formatted the mock's time with strftime, which left it unterminated (a read
 * past the buffer). The dates are cut to 16 characters instead, and the message stays whole. */
Test(auth_strict, a_clock_past_the_year_9999_still_gives_a_whole_skew_message)
{
    int64_t before = s_mock_now_s();
    struct th_response a = th_request(s_mock, "POST", "/_mock/clock", "{\"advance_ms\": 9007199254740992}", NULL);
    cr_assert_eq(a.status, 200, "%s", a.body);
    th_response_free(&a);
    int64_t now = s_mock_now_s();
    struct th_response r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .offset_s = before - now});
    char sig[17], prefix[128];
    brk_sigv4_format_date(before, sig);
    snprintf(prefix, sizeof(prefix), "Signature expired: %s is now earlier than ", sig);
    s_assert_error(&r, 403, "InvalidSignatureException", NULL);
    const char *m = th_message(&r);
    cr_assert_eq(strncmp(m, prefix, strlen(prefix)), 0, "%s", m);
    cr_assert_eq(strlen(m), strlen(prefix) + 16 + 2 + 16 + strlen(" - 15 min.)"), "%s", m);
    th_response_free(&r);
}

Test(auth_strict, the_credential_scope_must_name_bedrock)
{
    struct th_response r =
        s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .service = "bedrock-runtime"});
    s_assert_error(&r, 403, "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'. ");
    th_response_free(&r);
}

Test(auth_strict, the_scope_date_must_match_x_amz_date)
{
    char date_h[64], auth[512];
    char now_s[17];
    brk_sigv4_format_date(s_mock_now_s(), now_s);
    snprintf(date_h, sizeof(date_h), "X-Amz-Date: %s", now_s);
    snprintf(auth, sizeof(auth),
             "Authorization: AWS4-HMAC-SHA256 Credential=" AKID "/19991231/us-east-1/bedrock/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=00");
    const char *headers[] = {date_h, auth, NULL};
    struct th_response r = th_request(s_mock, "POST", MODEL_PATH, HELLO, headers);
    char want[256];
    snprintf(want, sizeof(want),
             "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
             "'19991231' != '%.8s', from '%s'.",
             now_s, now_s);
    s_assert_error(&r, 403, "InvalidSignatureException", want);
    th_response_free(&r);
}

Test(auth_strict, host_must_be_signed_and_signed_headers_must_exist)
{
    char date_h[64], now_s[17];
    brk_sigv4_format_date(s_mock_now_s(), now_s);
    snprintf(date_h, sizeof(date_h), "X-Amz-Date: %s", now_s);
    char auth[512];
    snprintf(auth, sizeof(auth),
             "Authorization: AWS4-HMAC-SHA256 Credential=" AKID "/%.8s/us-east-1/bedrock/aws4_request, "
             "SignedHeaders=content-type;x-amz-date, Signature=00",
             now_s);
    const char *headers[] = {date_h, auth, NULL};
    struct th_response r = th_request(s_mock, "POST", MODEL_PATH, HELLO, headers);
    s_assert_error(&r, 400, "IncompleteSignatureException",
                   "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    th_response_free(&r);
    snprintf(auth, sizeof(auth),
             "Authorization: AWS4-HMAC-SHA256 Credential=" AKID "/%.8s/us-east-1/bedrock/aws4_request, "
             "SignedHeaders=host;x-amz-date;x-trace, Signature=00",
             now_s);
    r = th_request(s_mock, "POST", MODEL_PATH, HELLO, headers);
    s_assert_error(&r, 400, "IncompleteSignatureException",
                   "'x-trace' is named as a SignedHeader, but it does not exist in the HTTP request.");
    th_response_free(&r);
    /* An extra signed header that is present passes. */
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .extra_header = "X-Trace: abc"});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
}

Test(auth_strict, a_session_token_is_required_when_the_credential_has_one)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = TOKEN});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal(TOKEN_AKID, "sigv4");
    r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET});
    s_assert_error(&r, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    th_response_free(&r);
    r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = "another-token"});
    s_assert_error(&r, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    th_response_free(&r);
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = SECRET, .token = TOKEN});
    s_assert_error(&r, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    th_response_free(&r);
}

Test(auth_strict, an_expired_credential_gets_expired_token)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = OLD_AKID, .secret = "s"});
    s_assert_error(&r, 403, "ExpiredTokenException", "The security token included in the request is expired");
    th_response_free(&r);
    s_assert_journal("anonymous", "expired-token");
}

Test(auth_strict, a_credential_expires_when_the_mock_clock_passes_its_expiration)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = TOKEN});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    char body[64];
    int64_t to_2100 = (int64_t)4102444800 - s_mock_now_s() + 60;
    snprintf(body, sizeof(body), "{\"advance_ms\":%lld}", (long long)to_2100 * 1000);
    r = th_request(s_mock, "POST", "/_mock/clock", body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = TOKEN});
    s_assert_error(&r, 403, "ExpiredTokenException", "The security token included in the request is expired");
    th_response_free(&r);
}

Test(auth_strict, malformed_sigv4_headers_are_incomplete_signatures)
{
    struct th_response r = s_send_auth("AWS4-HMAC-SHA256 Credential=" AKID "/20260101/us-east-1/bedrock/aws4_request");
    s_assert_error(&r, 400, "IncompleteSignatureException",
                   "Authorization header requires 'Signature' parameter. Authorization header requires "
                   "'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or "
                   "a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=" AKID
                   "/20260101/us-east-1/bedrock/aws4_request");
    th_response_free(&r);
    r = s_send_auth("AWS4-HMAC-SHA256 Credential " AKID "/x, SignedHeaders=host, Signature=00");
    s_assert_error(&r, 400, "IncompleteSignatureException",
                   "'Credential " AKID "/x' not a valid key=value pair (missing equal-sign) in Authorization header: "
                   "'AWS4-HMAC-SHA256 Credential " AKID "/x, SignedHeaders=host, Signature=00'.");
    th_response_free(&r);
}

Test(auth_strict, the_journal_and_responses_never_hold_the_secret_or_the_token)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = TOKEN});
    cr_assert_eq(r.status, 200);
    th_response_free(&r);
    /* A mismatch: the client's answer quotes the token (AWS does); the journal must not. */
    r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = "wrong", .token = TOKEN});
    cr_assert_eq(r.status, 403);
    cr_assert(strstr(r.body, "x-amz-security-token:"), "%s", r.body);
    th_response_free(&r);
    r = s_send_auth("Bearer " API_KEY);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    r = s_send_auth("Bearer bedrock-api-key-unlisted-secret");
    cr_assert_eq(r.status, 403);
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "requests")), 4);
    const char *secrets[] = {TOKEN_SECRET, TOKEN, "FQoGZXIvYXdzEXAMPLE", API_KEY, "unlisted-secret", SECRET};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        cr_assert_null(strstr(r.body, secrets[i]), "the journal holds %s", secrets[i]);
    }
    th_response_free(&r);
}

/* GET /_mock/requests?bodies=1 (docs/admin-api.md, "Bodies"): the mismatch answer quotes the
 * session token and a client may write its API key into a prompt (which the mock's answer
 * echoes); the journal keeps both bodies with every secret masked. */
Test(auth_strict, journal_bodies_never_hold_the_secret_the_token_or_the_api_key)
{
    struct th_response r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = "wrong", .token = TOKEN});
    cr_assert_eq(r.status, 403);
    cr_assert(strstr(r.body, TOKEN), "the client's answer quotes the token: %s", r.body);
    th_response_free(&r);
    const char *bearer[] = {"Authorization: Bearer " API_KEY, NULL};
    const char *leaky = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"key " API_KEY "\"}]}]}";
    r = th_request(s_mock, "POST", MODEL_PATH, leaky, bearer);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, API_KEY), "the mock echoes the prompt: %s", r.body);
    th_response_free(&r);
    /* A refusal that quotes the bad value: the entry's error_message is masked too. */
    r = th_request(s_mock, "POST", MODEL_PATH, "{\"messages\":[{\"role\":\"" API_KEY "\",\"content\":[]}]}", bearer);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, API_KEY), "the answer quotes the value: %s", r.body);
    th_response_free(&r);
    r = th_request(s_mock, "GET", "/_mock/requests?bodies=1", NULL, NULL);
    cr_assert_eq(r.status, 200);
    const cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    cr_assert_eq(cJSON_GetArraySize(list), 3);
    cr_assert(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 2), "error_message")->valuestring, "***"));
    const char *secrets[] = {TOKEN_SECRET, TOKEN, "FQoGZXIvYXdzEXAMPLE", API_KEY, "listed-0123456789", SECRET};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        cr_assert_null(strstr(r.body, secrets[i]), "the journal holds %s", secrets[i]);
    }
    /* The bodies are there, masked in place. */
    const char *quoted = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "response_body"), "message"));
    cr_assert(quoted && strstr(quoted, "x-amz-security-token:***"), "%s", quoted ? quoted : r.body);
    char *sent = cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "request_body"));
    cr_assert(strstr(sent, "\"key ***"), "%s", sent);
    free(sent);
    th_response_free(&r);
}

/* ---- strict: Bearer API keys ------------------------------------------------------------ */

Test(auth_strict, a_listed_api_key_passes_with_its_account)
{
    struct th_response r = s_send_auth("Bearer " API_KEY);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal("444455556666", "bearer");
}

Test(auth_strict, unlisted_and_expired_api_keys_are_refused)
{
    struct th_response r = s_send_auth("Bearer bedrock-api-key-not-listed");
    s_assert_error(&r, 403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid.");
    cr_assert(strstr(r.body, "\"Message\":"), "%s", r.body);
    th_response_free(&r);
    r = s_send_auth("Bearer sk-ant-not-a-bedrock-key");
    s_assert_error(&r, 403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix");
    th_response_free(&r);
    r = s_send_auth("Bearer " OLD_API_KEY);
    s_assert_error(&r, 403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid.");
    th_response_free(&r);
    s_assert_journal("anonymous", "expired-api-key");
}

Test(auth_strict, strict_mode_needs_a_credentials_file)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    struct brk_mock *m = NULL;
    char err[256] = "";
    cr_assert_neq(brk_mock_start(&cfg, &m, err, sizeof(err)), BRK_OK);
    cr_assert_null(m);
    cr_assert(strstr(err, "--credentials"), "%s", err);
}

/* ---- lenient and none ------------------------------------------------------------------- */

Test(auth_lenient, a_missing_authorization_header_is_refused_as_bedrock_does)
{
    struct th_response r = s_send_auth("");
    s_assert_error(&r, 403, "AccessDeniedException", "Authorization header is missing");
    cr_assert_str_eq(r.body, "{\"Message\":\"Authorization header is missing\"}");
    th_response_free(&r);
    s_assert_journal("anonymous", "missing");
}

Test(auth_lenient, any_well_formed_sigv4_passes_unverified_with_its_access_key_as_account)
{
    struct th_response r = s_send_auth("AWS4-HMAC-SHA256 Credential=AKIDWORKER7/20260101/us-east-1/bedrock/"
                                       "aws4_request, SignedHeaders=host, Signature=00");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal("AKIDWORKER7", "sigv4-unverified");
    /* A known credential maps to its account_id, an expired one is refused. */
    r = s_send_signed(&(struct s_sign){.akid = AKID, .secret = "not checked"});
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal("111122223333", "sigv4-unverified");
    r = s_send_signed(&(struct s_sign){.akid = OLD_AKID, .secret = "s"});
    s_assert_error(&r, 403, "ExpiredTokenException", "The security token included in the request is expired");
    th_response_free(&r);
}

Test(auth_lenient, malformed_headers_and_other_schemes_are_refused)
{
    struct th_response r = s_send_auth("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock/aws4_request, "
                                       "SignedHeaders=host");
    s_assert_error(&r, 400, "IncompleteSignatureException",
                   "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
                   "Credential=AKID/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host");
    th_response_free(&r);
    r = s_send_auth("AWS4-HMAC-SHA256 Credential=AKID/us-east-1, SignedHeaders=host, Signature=00");
    s_assert_error(&r, 400, "IncompleteSignatureException", NULL);
    th_response_free(&r);
    r = s_send_auth("Basic dXNlcjpwYXNz");
    s_assert_error(&r, 400, "IncompleteSignatureException", NULL);
    th_response_free(&r);
}

Test(auth_lenient, any_bearer_token_passes_but_expired_listed_keys_do_not)
{
    struct th_response r = s_send_auth("Bearer anything-at-all");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cJSON *e = s_last_entry();
    cr_assert(strncmp(cJSON_GetObjectItem(e, "account")->valuestring, "bearer-", 7) == 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "auth")->valuestring, "bearer-unverified");
    cJSON_Delete(e);
    r = s_send_auth("Bearer " OLD_API_KEY);
    s_assert_error(&r, 403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid.");
    th_response_free(&r);
}

Test(auth_none, everything_passes_even_without_a_header)
{
    struct th_response r = s_send_auth("");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    s_assert_journal("anonymous", "none");
    r = s_send_auth("Basic whatever");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
}

/* ---- the credentials file --------------------------------------------------------------- */

static enum brk_status s_parse(const char *json, char *err, size_t err_len)
{
    struct mock_credentials *set = NULL;
    enum brk_status rc = mock_credentials_parse(json, strlen(json), &set, err, err_len);
    cr_assert_eq(rc == BRK_OK, set != NULL);
    mock_credentials_destroy(set);
    return rc;
}

Test(credentials, the_documented_format_parses)
{
    char err[256] = "";
    cr_assert_eq(s_parse(s_credentials_json, err, sizeof(err)), BRK_OK, "%s", err);
    cr_assert_eq(s_parse("{}", err, sizeof(err)), BRK_OK, "%s", err);
}

Test(credentials, mistakes_are_refused_without_quoting_secrets)
{
    char err[256] = "";
    cr_assert_neq(s_parse("{\"credentials\":[{\"access_key_id\":\"A\",\"secret_access_key\":\"TOPSECRET\","
                          "\"sesion_token\":\"x\"}]}",
                          err, sizeof(err)),
                  BRK_OK);
    cr_assert(strstr(err, "sesion_token"), "%s", err);
    cr_assert_null(strstr(err, "TOPSECRET"));
    cr_assert_neq(s_parse("{\"credentials\":[{\"access_key_id\":\"A\"}]}", err, sizeof(err)), BRK_OK);
    cr_assert(strstr(err, "secret_access_key"), "%s", err);
    cr_assert_neq(s_parse("{\"api_keys\":[{\"key\":\"k\",\"expiration\":\"tomorrow\"}]}", err, sizeof(err)), BRK_OK);
    cr_assert_neq(s_parse("{\"api_keys\":{}}", err, sizeof(err)), BRK_OK);
    cr_assert_neq(s_parse("{\"keys\":[]}", err, sizeof(err)), BRK_OK);
    cr_assert_neq(s_parse("[", err, sizeof(err)), BRK_OK);
    cr_assert_neq(s_parse("{\"credentials\":[{\"access_key_id\":\"\",\"secret_access_key\":\"s\"}]}", err, sizeof(err)),
                  BRK_OK);
}

Test(credentials, expirations_parse_as_utc)
{
    int64_t ms = 0;
    cr_assert(mock_credentials_parse_time("2001-01-01T00:00:00Z", &ms));
    cr_assert_eq(ms, 978307200000LL);
    cr_assert(mock_credentials_parse_time("2001-01-01T00:00:00.123Z", &ms));
    cr_assert(mock_credentials_parse_time("2001-01-01T00:00:00+00:00", &ms));
    cr_assert_not(mock_credentials_parse_time("2001-01-01 00:00:00", &ms));
    cr_assert_not(mock_credentials_parse_time("2001-13-01T00:00:00Z", &ms));
    cr_assert_not(mock_credentials_parse_time("2001-01-01T00:00:00+02:00", &ms));
}

Test(credentials, api_keys_match_exactly)
{
    struct mock_credentials *set = NULL;
    char err[256];
    cr_assert_eq(mock_credentials_parse(s_credentials_json, strlen(s_credentials_json), &set, err, sizeof(err)),
                 BRK_OK);
    cr_assert_not_null(mock_credentials_find_key(set, API_KEY));
    cr_assert_null(mock_credentials_find_key(set, API_KEY "x"));
    cr_assert_null(mock_credentials_find_key(set, "bedrock-api-key-listed"));
    cr_assert_not_null(mock_credentials_find(set, AKID));
    cr_assert_null(mock_credentials_find(set, "AKIDSTRIC"));
    mock_credentials_destroy(set);
}

/* ---- the log ---------------------------------------------------------------------------- */

Test(auth_strict, the_debug_log_never_holds_the_secret_or_the_token)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/stderr.log", s_dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    dup2(fileno(f), 2);
    brk_log_configure(BRK_LOG_DEBUG, BRK_LOG_TEXT);
    struct th_response r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = TOKEN_SECRET, .token = TOKEN});
    th_response_free(&r);
    r = s_send_signed(&(struct s_sign){.akid = TOKEN_AKID, .secret = "wrong", .token = TOKEN});
    th_response_free(&r);
    r = s_send_auth("Bearer " API_KEY);
    th_response_free(&r);
    r = s_send_auth("Bearer bedrock-api-key-unlisted-secret");
    th_response_free(&r);
    brk_log_configure(BRK_LOG_INFO, BRK_LOG_TEXT);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(f);
    size_t len = 0;
    FILE *in = fopen(path, "r");
    char text[65536];
    len = fread(text, 1, sizeof(text) - 1, in);
    fclose(in);
    unlink(path);
    text[len] = '\0';
    cr_assert(strstr(text, "InvalidSignatureException"), "the debug log recorded nothing: %s", text);
    const char *secrets[] = {TOKEN_SECRET, TOKEN, API_KEY, "unlisted-secret"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        cr_assert_null(strstr(text, secrets[i]), "the log holds %s", secrets[i]);
    }
}
