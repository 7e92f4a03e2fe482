/*
 * sigv4_seeds: writes the seed corpus of the sigv4_auth fuzz target (input format in
 * fuzz/sigv4_auth.c). Signed seeds are signed with common/sigv4.c for the target's fixed
 * credentials and time (fuzz/sigv4_auth.h), so strict mode accepts them (the replay test
 * checks that every signed_* seed does, and every bad_* one does not); the vector_* seeds are the
 * signed requests (.sreq) of fixtures/sigv4/botocore-aws4_testsuite. Not built by the Makefile
 * (every fuzz/NAME.c is a target); run by hand after a change to the format or the credentials:
 *
 *   make && cc -std=c11 -D_GNU_SOURCE -Iinclude -I. -o build/sigv4_seeds fuzz/tools/sigv4_seeds.c \
 *       build/lib/libbedrock-common.a $(pkg-config --libs openssl) && build/sigv4_seeds fuzz/corpus/sigv4_auth
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/sigv4.h"
#include "fuzz/sigv4_auth.h"

#define S_CONVERSE "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define S_BODY "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hello\"}]}]}"
#define S_HOST "127.0.0.1:8080"

static const char *s_dir;

static void s_write(const char *name, const char *text, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

/* How to sign one request, and what to change on the wire afterwards. */
struct s_seed {
    const char *name;
    const char *method, *path, *query, *body;
    const char *akid, *secret, *token, *service, *region;
    int64_t offset_s; /* signing time relative to FUZZ_SIGV4_NOW_S */
    bool http2, no_host, sign_body;
    const char *extra;       /* one more signed header, "Name: value" */
    const char *wire_body;   /* body sent instead of the signed one */
    const char *wire_date;   /* X-Amz-Date sent instead of the signed one */
    const char *wire_extra;  /* an unsigned header added after signing */
    const char *auth_suffix; /* appended to the Authorization value */
    bool drop_signature;     /* cut ", Signature=..." */
};

static void s_signed(const struct s_seed *s)
{
    struct brk_sigv4_header h[3];
    size_t n = 0;
    char ename[64] = "", evalue[256] = "";
    h[n++] = (struct brk_sigv4_header){"Content-Type", "application/json"};
    if (!s->no_host) {
        h[n++] = (struct brk_sigv4_header){"Host", S_HOST};
    }
    if (s->extra) {
        sscanf(s->extra, "%63[^:]: %255[^\n]", ename, evalue);
        h[n++] = (struct brk_sigv4_header){ename, evalue};
    }
    const char *body = s->body ? s->body : S_BODY;
    struct brk_sigv4_params p = {.access_key_id = s->akid ? s->akid : FUZZ_SIGV4_AKID,
                                 .secret_access_key = s->secret ? s->secret : FUZZ_SIGV4_SECRET,
                                 .session_token = s->token,
                                 .region = s->region ? s->region : FUZZ_SIGV4_REGION,
                                 .service = s->service ? s->service : "bedrock",
                                 .time_s = FUZZ_SIGV4_NOW_S + s->offset_s,
                                 .normalize_path = true,
                                 .sign_body = s->sign_body};
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    const char *path = s->path ? s->path : S_CONVERSE;
    if (brk_sigv4_sign(&p, s->method ? s->method : "POST", path, s->query, h, n, body, strlen(body), &res) != BRK_OK) {
        fprintf(stderr, "cannot sign %s\n", s->name);
        exit(1);
    }
    char auth[2048];
    snprintf(auth, sizeof(auth), "%s%s", res.authorization.data, s->auth_suffix ? s->auth_suffix : "");
    if (s->drop_signature) {
        *strstr(auth, ", Signature=") = '\0';
    }
    struct brk_buf out;
    brk_buf_init(&out, 1u << 16);
    brk_buf_appendf(&out, "%s%s\n%s\n%s\n%s\n%s\n%s\n", s->method ? s->method : "POST", s->http2 ? " h2" : "", auth,
                    s->wire_date ? s->wire_date : res.amz_date, s->no_host ? "" : S_HOST, path,
                    s->query ? s->query : "");
    brk_buf_appendf(&out, "Content-Type: application/json\n");
    if (s->extra) {
        brk_buf_appendf(&out, "%s\n", s->extra);
    }
    if (s->token) {
        brk_buf_appendf(&out, "X-Amz-Security-Token: %s\n", s->token);
    }
    if (s->sign_body) {
        brk_buf_appendf(&out, "x-amz-content-sha256: %s\n", res.payload_hash);
    }
    if (s->wire_extra) {
        brk_buf_appendf(&out, "%s\n", s->wire_extra);
    }
    brk_buf_appendf(&out, "\n%s", s->wire_body ? s->wire_body : body);
    s_write(s->name, out.data, out.len);
    brk_buf_clean_up(&out);
    brk_sigv4_result_clean_up(&res);
}

/* Seeds written as they are: API keys and hand-made malformed headers. */
static void s_literal(const char *name, const char *auth, const char *date)
{
    char text[16384];
    int n = snprintf(text, sizeof(text), "POST\n%s\n%s\n%s\n%s\n\nContent-Type: application/json\n\n%s", auth, date,
                     S_HOST, S_CONVERSE, S_BODY);
    s_write(name, text, (size_t)n);
}

/* A botocore vector's signed request (.sreq) in the target's format. */
static void s_vector(const char *suite, const char *name)
{
    char path[1024], line[4096], method[16] = "", target[2048] = "", auth[1024] = "", date[64] = "", host[256] = "";
    snprintf(path, sizeof(path), "%s/%s/%s.sreq", suite, name, name);
    FILE *f = fopen(path, "rb");
    if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "%15s %2047[^\n]", method, target) != 2) {
        if (f) {
            fclose(f);
        }
        return;
    }
    char *http = strstr(target, " HTTP/");
    if (http) {
        *http = '\0';
    }
    char *q = strchr(target, '?');
    if (q) {
        *q++ = '\0';
    }
    struct brk_buf others;
    brk_buf_init(&others, 1u << 16);
    while (fgets(line, sizeof(line), f) && line[0] != '\n' && line[0] != '\r') {
        line[strcspn(line, "\r\n")] = '\0';
        const char *v = strchr(line, ':');
        v = v ? v + 1 + strspn(v + 1, " ") : "";
        if (strncasecmp(line, "Authorization:", 14) == 0) {
            snprintf(auth, sizeof(auth), "%s", v);
        } else if (strncasecmp(line, "X-Amz-Date:", 11) == 0) {
            snprintf(date, sizeof(date), "%s", v);
        } else if (strncasecmp(line, "Host:", 5) == 0) {
            snprintf(host, sizeof(host), "%s", v);
        } else {
            brk_buf_appendf(&others, "%s\n", line);
        }
    }
    struct brk_buf out;
    brk_buf_init(&out, 1u << 16);
    brk_buf_appendf(&out, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n", method, auth, date, host, target, q ? q : "",
                    others.data ? others.data : "");
    size_t got;
    while ((got = fread(line, 1, sizeof(line), f)) > 0) {
        brk_buf_append(&out, line, got);
    }
    fclose(f);
    char seed[300];
    snprintf(seed, sizeof(seed), "vector_%s", name);
    s_write(seed, out.data, out.len);
    brk_buf_clean_up(&out);
    brk_buf_clean_up(&others);
}

static void s_vectors(const char *suite)
{
    DIR *d = opendir(suite);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] != '.' && strcmp(e->d_name, "LICENSE") && strcmp(e->d_name, "NOTICE")) {
            s_vector(suite, e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
}

static const struct s_seed s_seeds[] = {
    /* accepted by strict mode */
    {.name = "signed_converse"},
    {.name = "signed_converse_stream_h2",
     .path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
     .http2 = true,
     .no_host = true},
    {.name = "signed_session_token",
     .akid = FUZZ_SIGV4_TOKEN_AKID,
     .secret = FUZZ_SIGV4_TOKEN_SECRET,
     .token = FUZZ_SIGV4_TOKEN},
    {.name = "signed_body_sha256", .sign_body = true},
    {.name = "signed_query",
     .method = "GET",
     .path = "/async-invoke",
     .query = "maxResults=2&sortOrder=Descending",
     .body = ""},
    {.name = "signed_profile_arn",
     .path = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A111122223333%3Aapplication-inference-profile%2Fabc/converse"},
    {.name = "signed_extra_header", .extra = "X-Trace:   a   b  "},
    {.name = "signed_skew_14min", .offset_s = -14 * 60},
    /* refused by strict mode */
    {.name = "bad_missing_signature", .drop_signature = true},
    {.name = "bad_scope_service", .service = "s3"},
    {.name = "bad_scope_region", .region = "eu-west-1"},
    {.name = "bad_date_expired", .offset_s = -16 * 60},
    {.name = "bad_date_not_yet_current", .offset_s = 16 * 60},
    {.name = "bad_date_scope_mismatch", .wire_date = "20990102T000000Z"},
    {.name = "bad_date_feb31", .wire_date = "20990231T000000Z"},
    {.name = "bad_date_header_instead", .wire_date = "", .wire_extra = "Date: Thu, 01 Jan 2099 00:00:00 GMT"},
    {.name = "bad_duplicate_params", .auth_suffix = ", Signature=00, Credential=AKIDFUZZ/20990101/x/y/z"},
    {.name = "bad_expired_credential", .akid = FUZZ_SIGV4_OLD_AKID},
    {.name = "bad_token_missing", .akid = FUZZ_SIGV4_TOKEN_AKID, .secret = FUZZ_SIGV4_TOKEN_SECRET},
    {.name = "bad_wrong_secret", .secret = "wrong"},
    {.name = "bad_body_changed", .wire_body = "{\"messages\":[]}"},
    {.name = "bad_host_not_signed", .no_host = true},
    {.name = "bad_content_sha256_mismatch", .wire_extra = "x-amz-content-sha256: 00"},
    {.name = "bad_unknown_akid", .akid = "AKIDNOBODY"},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s fuzz/corpus/sigv4_auth\n", argv[0]);
        return 2;
    }
    s_dir = argv[1];
    for (size_t i = 0; i < sizeof(s_seeds) / sizeof(s_seeds[0]); i++) {
        s_signed(&s_seeds[i]);
    }
    s_literal("bearer_api_key", "Bearer " FUZZ_SIGV4_API_KEY, "");
    s_literal("bad_bearer_expired", "Bearer " FUZZ_SIGV4_API_KEY_OLD, "");
    s_literal("bad_bearer_unknown", "Bearer bedrock-api-key-bm90LWxpc3RlZA==", "");
    s_literal("bad_bearer_format", "Bearer sk-not-a-bedrock-key", "");
    s_literal("bad_no_equal_sign", "AWS4-HMAC-SHA256 Credential AKIDFUZZ/20990101", "20990101T000000Z");
    s_literal("bad_credential_short",
              "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20990101/us-east-1/bedrock, "
              "SignedHeaders=host, Signature=00",
              "20990101T000000Z");
    s_literal("bad_other_scheme", "Basic dXNlcjpwYXNz", "");
    char huge[9100] = "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20990101/us-east-1/bedrock/aws4_request, SignedHeaders=";
    size_t len = strlen(huge);
    memset(huge + len, 'a', sizeof(huge) - len - 1);
    huge[sizeof(huge) - 1] = '\0';
    s_literal("bad_huge_header", huge, "20990101T000000Z");
    s_vectors("fixtures/sigv4/botocore-aws4_testsuite");
    return 0;
}
