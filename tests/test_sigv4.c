/*
 * test_sigv4.c: common/sigv4.c against the golden vectors in fixtures/sigv4/ (botocore's and
 * aws-c-auth's suites and the Bedrock worked examples), stage by stage: canonical request,
 * string to sign, signature, Authorization header. A failure names the first stage that
 * differs. Plus the rules each stage enforces, each with a case that must fail.
 *
 * What is not run, and why (also in docs/auth.md):
 *  - aws-c-auth's query-* files: presigned-URL (query) signing; Bedrock clients sign headers.
 *  - botocore skips normalize-path/get-space (its runner cannot parse a request line with a
 *    space) and three duplicate-key query cases; we run all four, since our parser takes the
 *    path up to " HTTP/" and our canonical query sorts by key then value. The same inputs
 *    exist in aws-c-auth's suite (get-space-normalized), which botocore does not skip.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/sigv4.h"
#include "tests/support/harness.h"

#define S_AKID "AKIDEXAMPLE"
#define S_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define S_TIME_S 1440938160 /* 2015-08-30T12:36:00Z, the suites' clock */

/* ---- a parsed raw request (.req / request.txt) ---------------------------------------- */

struct s_req {
    char *text; /* owned copy, cut into pieces below */
    char method[16];
    char path[1024];
    char query[1024];
    struct brk_sigv4_header headers[BRK_SIGV4_MAX_HEADERS];
    char *values[BRK_SIGV4_MAX_HEADERS]; /* owned, continuation lines joined */
    size_t n;
    const char *body;
};

static void s_req_free(struct s_req *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->values[i]);
    }
    free(r->text);
}

/* Request line "METHOD PATH HTTP/1.1" where PATH may hold spaces; then headers, where a line
 * starting with whitespace continues the previous value; a blank line starts the body. */
static void s_parse_request(const char *raw, struct s_req *r)
{
    memset(r, 0, sizeof(*r));
    r->text = strdup(raw);
    char *line = r->text, *next = strchr(line, '\n');
    cr_assert(next, "request line");
    *next++ = '\0';
    char *sp = strchr(line, ' '), *proto = strstr(line, " HTTP/");
    cr_assert(sp && proto && proto >= sp);
    snprintf(r->method, sizeof(r->method), "%.*s", (int)(sp - line), line);
    snprintf(r->path, sizeof(r->path), "%.*s", (int)(proto - sp - 1), sp + 1);
    char *q = strchr(r->path, '?');
    if (q) {
        snprintf(r->query, sizeof(r->query), "%s", q + 1);
        *q = '\0';
    }
    r->body = "";
    for (line = next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        if (!*line) {
            r->body = next ? next : "";
            break;
        }
        if (*line == ' ' || *line == '\t') {
            char *prev = r->values[r->n - 1], *joined = NULL;
            cr_assert(asprintf(&joined, "%s %s", prev, line) > 0);
            free(prev);
            r->values[r->n - 1] = joined;
            r->headers[r->n - 1].value = joined;
            continue;
        }
        char *colon = strchr(line, ':');
        cr_assert(colon, "header line: %s", line);
        *colon = '\0';
        r->values[r->n] = strdup(colon + 1);
        r->headers[r->n] = (struct brk_sigv4_header){line, r->values[r->n]};
        r->n++;
    }
}

/* ---- stage-by-stage comparison ----------------------------------------------------------- */

struct s_expect {
    const char *canonical_request;
    const char *string_to_sign;
    const char *signature;
    const char *authorization; /* NULL: not given by the suite */
};

static void s_check_stages(const char *name, const struct brk_sigv4_result *res, const struct s_expect *want)
{
    cr_assert_str_eq(res->canonical_request.data, want->canonical_request, "%s: stage 1 (canonical request) differs",
                     name);
    cr_assert_str_eq(res->string_to_sign.data, want->string_to_sign, "%s: stage 2 (string to sign) differs", name);
    cr_assert_str_eq(res->signature, want->signature, "%s: stage 4 (signature) differs", name);
    if (want->authorization) {
        cr_assert_str_eq(res->authorization.data, want->authorization, "%s: stage 5 (Authorization) differs", name);
    }
}

static char *s_fixture(const char *rel)
{
    char *data = th_read_source_file(rel, NULL);
    cr_assert(data, "fixture %s is missing", rel);
    return data;
}

static char *s_fixture_fmt(const char *dir, const char *file)
{
    char rel[1024];
    snprintf(rel, sizeof(rel), "fixtures/sigv4/%s%s", dir, file);
    return s_fixture(rel);
}

/* ---- botocore's suite ------------------------------------------------------------------ */

/* Criterion runs each parameter in a fresh process image where pointers in a static
 * parameter array would dangle, so parameters are indices into these tables. */
struct s_case {
    const char *path; /* relative to fixtures/sigv4/ */
};

static const struct s_case s_botocore_cases[] = {
    {"get-header-key-duplicate/get-header-key-duplicate"},
    {"get-header-value-multiline/get-header-value-multiline"},
    {"get-header-value-order/get-header-value-order"},
    {"get-header-value-trim/get-header-value-trim"},
    {"get-unreserved/get-unreserved"},
    {"get-utf8/get-utf8"},
    {"get-vanilla-empty-query-key/get-vanilla-empty-query-key"},
    {"get-vanilla-query-order-encoded/get-vanilla-query-order-encoded"},
    {"get-vanilla-query-order-key-case/get-vanilla-query-order-key-case"},
    {"get-vanilla-query-order-key/get-vanilla-query-order-key"},
    {"get-vanilla-query-order-value/get-vanilla-query-order-value"},
    {"get-vanilla-query-unreserved/get-vanilla-query-unreserved"},
    {"get-vanilla-query/get-vanilla-query"},
    {"get-vanilla-utf8-query/get-vanilla-utf8-query"},
    {"get-vanilla-with-session-token/get-vanilla-with-session-token"},
    {"get-vanilla/get-vanilla"},
    {"normalize-path/get-relative-relative/get-relative-relative"},
    {"normalize-path/get-relative/get-relative"},
    {"normalize-path/get-slash-dot-slash/get-slash-dot-slash"},
    {"normalize-path/get-slash-pointless-dot/get-slash-pointless-dot"},
    {"normalize-path/get-slash/get-slash"},
    {"normalize-path/get-slashes/get-slashes"},
    {"normalize-path/get-space/get-space"},
    {"normalize-path/get-special-character/get-special-character"},
    {"post-header-key-case/post-header-key-case"},
    {"post-header-key-sort/post-header-key-sort"},
    {"post-header-value-case/post-header-value-case"},
    {"post-sts-token/post-sts-header-after/post-sts-header-after"},
    {"post-sts-token/post-sts-header-before/post-sts-header-before"},
    {"post-vanilla-empty-query-value/post-vanilla-empty-query-value"},
    {"post-vanilla-query/post-vanilla-query"},
    {"post-vanilla/post-vanilla"},
    {"post-x-www-form-urlencoded-parameters/post-x-www-form-urlencoded-parameters"},
    {"post-x-www-form-urlencoded/post-x-www-form-urlencoded"},
};

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void s_free_indices(struct criterion_test_params *p)
{
    cr_free(p->params);
}

/* Parameters live in Criterion's shared memory (cr_malloc) so every worker sees them. */
static struct criterion_test_params s_indices(size_t n)
{
    int *idx = cr_malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        idx[i] = (int)i;
    }
    return cr_make_param_array(int, idx, n, s_free_indices);
}

ParameterizedTestParameters(sigv4, botocore_suite)
{
    return s_indices(S_COUNT(s_botocore_cases));
}

/* botocore's runner takes the session token from the x-amz-security-token line of the .creq. */
static char *s_token_from_creq(const char *creq)
{
    const char *t = strstr(creq, "\nx-amz-security-token:");
    if (!t) {
        return NULL;
    }
    t += strlen("\nx-amz-security-token:");
    return strndup(t, strcspn(t, "\n"));
}

ParameterizedTest(int *i, sigv4, botocore_suite)
{
    const struct s_case *c = &s_botocore_cases[*i];
    char dir[512];
    snprintf(dir, sizeof(dir), "botocore-aws4_testsuite/%s", c->path);
    char *raw = s_fixture_fmt(dir, ".req"), *creq = s_fixture_fmt(dir, ".creq");
    char *sts = s_fixture_fmt(dir, ".sts"), *authz = s_fixture_fmt(dir, ".authz");
    char *token = s_token_from_creq(creq);
    struct s_req r;
    s_parse_request(raw, &r);
    struct brk_sigv4_params p = {.access_key_id = S_AKID,
                                 .secret_access_key = S_SECRET,
                                 .session_token = token,
                                 .region = "us-east-1",
                                 .service = "service",
                                 .time_s = S_TIME_S,
                                 .normalize_path = true};
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    enum brk_status rc = brk_sigv4_sign(&p, r.method, r.path, r.query, r.headers, r.n, r.body, strlen(r.body), &res);
    cr_assert_eq(rc, BRK_OK, "%s: %s", c->path, brk_status_str(rc));
    const char *sig = strstr(authz, "Signature=");
    cr_assert(sig);
    struct s_expect want = {creq, sts, sig + strlen("Signature="), authz};
    s_check_stages(c->path, &res, &want);
    brk_sigv4_result_clean_up(&res);
    s_req_free(&r);
    free(token);
    free(raw);
    free(creq);
    free(sts);
    free(authz);
}

/* ---- aws-c-auth's suite ---------------------------------------------------------------- */

static const struct s_case s_crt_cases[] = {
    {"get-header-key-duplicate"},
    {"get-header-value-multiline"},
    {"get-header-value-order"},
    {"get-header-value-trim"},
    {"get-relative-normalized"},
    {"get-relative-relative-normalized"},
    {"get-relative-relative-unnormalized"},
    {"get-relative-unnormalized"},
    {"get-slash-dot-slash-normalized"},
    {"get-slash-dot-slash-unnormalized"},
    {"get-slash-normalized"},
    {"get-slash-pointless-dot-normalized"},
    {"get-slash-pointless-dot-unnormalized"},
    {"get-slash-unnormalized"},
    {"get-slashes-normalized"},
    {"get-slashes-unnormalized"},
    {"get-space-normalized"},
    {"get-space-unnormalized"},
    {"get-unreserved"},
    {"get-utf8"},
    {"get-vanilla"},
    {"get-vanilla-empty-query-key"},
    {"get-vanilla-query"},
    {"get-vanilla-query-order-encoded"},
    {"get-vanilla-query-order-key-case"},
    {"get-vanilla-query-unreserved"},
    {"get-vanilla-utf8-query"},
    {"get-vanilla-with-session-token"},
    {"post-header-key-case"},
    {"post-header-key-sort"},
    {"post-header-value-case"},
    {"post-sts-header-after"},
    {"post-sts-header-before"},
    {"post-vanilla"},
    {"post-vanilla-empty-query-value"},
    {"post-vanilla-query"},
    {"post-x-www-form-urlencoded"},
    {"post-x-www-form-urlencoded-parameters"},
};

ParameterizedTestParameters(sigv4, aws_c_auth_suite)
{
    return s_indices(S_COUNT(s_crt_cases));
}

static const char *s_json_str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* The Authorization value from the "Authorization:" line of header-signed-request.txt. */
static char *s_authz_line(const char *signed_request)
{
    const char *a = strcasestr(signed_request, "\nAuthorization:");
    cr_assert(a);
    a += strlen("\nAuthorization:");
    while (*a == ' ')
        a++;
    return strndup(a, strcspn(a, "\n"));
}

ParameterizedTest(int *i, sigv4, aws_c_auth_suite)
{
    const struct s_case *c = &s_crt_cases[*i];
    char dir[512];
    snprintf(dir, sizeof(dir), "aws-c-auth-v4/%s/", c->path);
    char *ctx_text = s_fixture_fmt(dir, "context.json"), *raw = s_fixture_fmt(dir, "request.txt");
    char *creq = s_fixture_fmt(dir, "header-canonical-request.txt");
    char *sts = s_fixture_fmt(dir, "header-string-to-sign.txt"), *sig = s_fixture_fmt(dir, "header-signature.txt");
    char *sreq = s_fixture_fmt(dir, "header-signed-request.txt");
    char *authz = s_authz_line(sreq);
    cJSON *ctx = cJSON_Parse(ctx_text);
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
    int64_t t = 0;
    char date[32];
    snprintf(date, sizeof(date), "%s", s_json_str(ctx, "timestamp"));
    /* "2015-08-30T12:36:00Z" -> "20150830T123600Z" */
    char amz[17] = {date[0],  date[1],  date[2],  date[3],  date[5],  date[6],  date[8], date[9], 'T',
                    date[11], date[12], date[14], date[15], date[17], date[18], 'Z',     '\0'};
    cr_assert(brk_sigv4_parse_date(amz, &t));
    struct brk_sigv4_params p = {
        .access_key_id = s_json_str(creds, "access_key_id"),
        .secret_access_key = s_json_str(creds, "secret_access_key"),
        .session_token = s_json_str(creds, "token"),
        .region = s_json_str(ctx, "region"),
        .service = s_json_str(ctx, "service"),
        .time_s = t,
        .normalize_path = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "normalize")),
        .omit_session_token = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "omit_session_token")),
        .sign_body = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "sign_body")),
    };
    struct s_req r;
    s_parse_request(raw, &r);
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    enum brk_status rc = brk_sigv4_sign(&p, r.method, r.path, r.query, r.headers, r.n, r.body, strlen(r.body), &res);
    cr_assert_eq(rc, BRK_OK, "%s: %s", c->path, brk_status_str(rc));
    struct s_expect want = {creq, sts, sig, authz};
    s_check_stages(c->path, &res, &want);
    brk_sigv4_result_clean_up(&res);
    s_req_free(&r);
    cJSON_Delete(ctx);
    free(ctx_text);
    free(raw);
    free(creq);
    free(sts);
    free(sig);
    free(sreq);
    free(authz);
}

/* ---- the Bedrock worked examples ------------------------------------------------------- */

Test(sigv4, bedrock_worked_examples)
{
    char *text = s_fixture("fixtures/sigv4/bedrock-worked-examples.json");
    cJSON *doc = cJSON_Parse(text);
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(doc, "credentials");
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "cases"))
    {
        const char *url = s_json_str(c, "wire_url");
        const char *host = url + strlen("https://");
        const char *path = strchr(host, '/');
        char host_only[256];
        snprintf(host_only, sizeof(host_only), "%.*s", (int)(path - host), host);
        struct brk_sigv4_header h[] = {{"Content-Type", "application/json"},
                                       {"Host", host_only},
                                       {"User-Agent", "Boto3/1.43.11"}};
        struct brk_sigv4_params p = {.access_key_id = s_json_str(creds, "access_key_id"),
                                     .secret_access_key = s_json_str(creds, "secret_access_key"),
                                     .session_token = s_json_str(c, "session_token"),
                                     .region = s_json_str(c, "region"),
                                     .service = s_json_str(c, "service"),
                                     .time_s = S_TIME_S,
                                     .normalize_path = true};
        const char *body = s_json_str(c, "wire_body");
        struct brk_sigv4_result res;
        brk_sigv4_result_init(&res);
        cr_assert_eq(brk_sigv4_sign(&p, "POST", path, NULL, h, 3, body, strlen(body), &res), BRK_OK);
        const cJSON *wire = cJSON_GetObjectItemCaseSensitive(c, "wire_headers_at_send");
        struct s_expect want = {s_json_str(c, "canonical_request"), s_json_str(c, "string_to_sign"),
                                s_json_str(c, "signature"), s_json_str(wire, "Authorization")};
        s_check_stages(s_json_str(c, "name"), &res, &want);
        cr_assert_str_eq(res.payload_hash, s_json_str(c, "body_sha256"));
        brk_sigv4_result_clean_up(&res);
        n++;
    }
    cr_assert_eq(n, 4, "expected the four Bedrock cases");
    cJSON_Delete(doc);
    free(text);
}

/* ---- the rules, each with a case that must fail ---------------------------------------- */

static char *s_uri(const char *path, bool normalize)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 16);
    cr_assert_eq(brk_sigv4_canonical_uri(path, normalize, &b), BRK_OK);
    brk_buf_append(&b, "", 0);
    return brk_buf_detach(&b, NULL);
}

Test(sigv4, canonical_uri_double_encodes_the_wire_path)
{
    char *u = s_uri("/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", true);
    cr_assert_str_eq(u, "/model/us.anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
    free(u);
    u = s_uri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fx/converse", true);
    cr_assert_str_eq(u, "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Aapplication-inference-profile%252Fx/"
                        "converse");
    free(u);
    /* Must differ: a single-encoded path is what a client that forgets the rule signs. */
    u = s_uri("/model/a%3A0/converse", true);
    cr_assert_str_neq(u, "/model/a%3A0/converse");
    free(u);
    u = s_uri("", true);
    cr_assert_str_eq(u, "/");
    free(u);
}

Test(sigv4, canonical_headers_report_missing_and_unsorted_lists)
{
    struct brk_sigv4_header h[] = {{"Host", "h"}, {"X-Amz-Date", " 20150830T123600Z "}};
    struct brk_buf b;
    brk_buf_init(&b, 4096);
    cr_assert_eq(brk_sigv4_canonical_headers(h, 2, "host;x-amz-date", &b, NULL, 0), BRK_OK);
    cr_assert_str_eq(b.data, "host:h\nx-amz-date:20150830T123600Z\n");
    brk_buf_reset(&b);
    char missing[64] = "";
    cr_assert_eq(brk_sigv4_canonical_headers(h, 2, "content-type;host", &b, missing, sizeof(missing)),
                 BRK_ERR_NOT_FOUND);
    cr_assert_str_eq(missing, "content-type");
    brk_buf_reset(&b);
    cr_assert_eq(brk_sigv4_canonical_headers(h, 2, "x-amz-date;host", &b, NULL, 0), BRK_ERR_PARSE);
    cr_assert_eq(brk_sigv4_canonical_headers(h, 2, "Host", &b, NULL, 0), BRK_ERR_PARSE);
    cr_assert_eq(brk_sigv4_canonical_headers(h, 2, "", &b, NULL, 0), BRK_ERR_PARSE);
    brk_buf_clean_up(&b);
}

Test(sigv4, signed_headers_leave_out_what_botocore_does_not_sign)
{
    struct brk_sigv4_header h[] = {{"User-Agent", "x"},        {"Host", "h"},
                                   {"Content-Type", "a"},      {"Authorization", "x"},
                                   {"Expect", "100-continue"}, {"host", "h"}};
    struct brk_buf b;
    brk_buf_init(&b, 4096);
    cr_assert_eq(brk_sigv4_signed_headers(h, 6, &b), BRK_OK);
    cr_assert_str_eq(b.data, "content-type;host");
    brk_buf_clean_up(&b);
}

Test(sigv4, dates_parse_strictly_and_round_trip)
{
    int64_t t = 0;
    cr_assert(brk_sigv4_parse_date("20150830T123600Z", &t));
    cr_assert_eq(t, S_TIME_S);
    char out[BRK_SIGV4_DATE_LEN + 1];
    brk_sigv4_format_date(t, out);
    cr_assert_str_eq(out, "20150830T123600Z");
    cr_assert_not(brk_sigv4_parse_date("2015-08-30T12:36:00Z", &t));
    cr_assert_not(brk_sigv4_parse_date("20150830T123600", &t));
    cr_assert_not(brk_sigv4_parse_date("20151330T123600Z", &t));
    cr_assert_not(brk_sigv4_parse_date("2015083xT123600Z", &t));
}

Test(sigv4, impossible_days_are_malformed)
{
    int64_t t = 0;
    cr_assert(brk_sigv4_parse_date("20160229T000000Z", &t)); /* leap years */
    cr_assert(brk_sigv4_parse_date("20000229T000000Z", &t));
    cr_assert(brk_sigv4_parse_date("20150131T235959Z", &t));
    cr_assert(brk_sigv4_parse_date("20151231T235960Z", &t)); /* a leap second */
    cr_assert_not(brk_sigv4_parse_date("20150229T000000Z", &t));
    cr_assert_not(brk_sigv4_parse_date("21000229T000000Z", &t));
    cr_assert_not(brk_sigv4_parse_date("20150231T000000Z", &t)); /* timegm would make it March 3rd */
    cr_assert_not(brk_sigv4_parse_date("20150431T000000Z", &t));
    cr_assert_not(brk_sigv4_parse_date("20150100T000000Z", &t));
}

/* Regression (fuzz/corpus/sigv4_auth): strftime left the text unterminated for a year past 9999
 * (a virtual clock advanced by 2^53 ms), and wrote years before 1000 with three digits. */
Test(sigv4, formatted_dates_are_always_terminated_and_round_trip)
{
    char out[BRK_SIGV4_DATE_LEN + 8];
    memset(out, 'X', sizeof(out));
    brk_sigv4_format_date((int64_t)9007199254740LL, out);
    cr_assert_eq(strlen(out), BRK_SIGV4_DATE_LEN, "%s", out);
    cr_assert_str_eq(out, "2873961012T08590");
    int64_t t = 0;
    cr_assert(brk_sigv4_parse_date("09990101T000000Z", &t));
    brk_sigv4_format_date(t, out);
    cr_assert_str_eq(out, "09990101T000000Z");
    cr_assert(brk_sigv4_parse_date("99991231T235959Z", &t));
    brk_sigv4_format_date(t, out);
    cr_assert_str_eq(out, "99991231T235959Z");
}

Test(sigv4, equal_is_exact)
{
    cr_assert(brk_sigv4_equal("abc", "abc"));
    cr_assert_not(brk_sigv4_equal("abc", "abd"));
    cr_assert_not(brk_sigv4_equal("abc", "abcd"));
    cr_assert_not(brk_sigv4_equal("", "a"));
}

Test(sigv4, a_changed_body_or_secret_changes_the_signature)
{
    struct brk_sigv4_header h[] = {{"Host", "example.amazonaws.com"}};
    struct brk_sigv4_params p = {.access_key_id = S_AKID,
                                 .secret_access_key = S_SECRET,
                                 .region = "us-east-1",
                                 .service = "bedrock",
                                 .time_s = S_TIME_S,
                                 .normalize_path = true};
    struct brk_sigv4_result a, b, c;
    brk_sigv4_result_init(&a);
    brk_sigv4_result_init(&b);
    brk_sigv4_result_init(&c);
    cr_assert_eq(brk_sigv4_sign(&p, "POST", "/", NULL, h, 1, "{}", 2, &a), BRK_OK);
    cr_assert_eq(brk_sigv4_sign(&p, "POST", "/", NULL, h, 1, "{ }", 3, &b), BRK_OK);
    p.secret_access_key = "another-secret";
    cr_assert_eq(brk_sigv4_sign(&p, "POST", "/", NULL, h, 1, "{}", 2, &c), BRK_OK);
    cr_assert_str_neq(a.signature, b.signature);
    cr_assert_str_neq(a.signature, c.signature);
    cr_assert_str_eq(a.canonical_request.data + a.canonical_request.len - 64,
                     "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    brk_sigv4_result_clean_up(&a);
    brk_sigv4_result_clean_up(&b);
    brk_sigv4_result_clean_up(&c);
}

Test(sigv4, sign_rejects_missing_parameters)
{
    struct brk_sigv4_params p = {.access_key_id = S_AKID, .region = "us-east-1", .service = "bedrock"};
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    cr_assert_eq(brk_sigv4_sign(&p, "POST", "/", NULL, NULL, 0, NULL, 0, &res), BRK_ERR_INVALID_ARG);
    brk_sigv4_result_clean_up(&res);
}
