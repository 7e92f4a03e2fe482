/*
 * upstream.c: where --record sends a request and how it is signed: the upstream URL, the
 * region, and the credentials of the mock process's environment (SigV4 through
 * common/sigv4.c, or AWS_BEARER_TOKEN_BEDROCK, which takes precedence as in the AWS SDKs);
 * and the request half of the cassette, without any secret. See record_priv.h.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bedrock/sigv4.h"
#include "common/alloc.h"
#include "mock/replay/cassette.h"
#include "mock/replay/record_priv.h"

static char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? brk_strdup(v) : NULL;
}

/* The region: --upstream-region, AWS_REGION, AWS_DEFAULT_REGION, bedrock-runtime.REGION.amazonaws.com. */
static void s_region(struct mock_recorder *rec, const struct brk_mock_config *cfg)
{
    const char *r = cfg->upstream_region ? cfg->upstream_region : getenv("AWS_REGION");
    r = r && r[0] ? r : getenv("AWS_DEFAULT_REGION");
    const char *in_url = strstr(rec->host, "bedrock-runtime.");
    if (r && r[0]) {
        snprintf(rec->region, sizeof(rec->region), "%s", r);
    } else if (in_url) {
        in_url += strlen("bedrock-runtime.");
        snprintf(rec->region, sizeof(rec->region), "%.*s", (int)strcspn(in_url, ".:"), in_url);
    } else {
        snprintf(rec->region, sizeof(rec->region), "us-east-1");
    }
}

struct mock_recorder *mock_recorder_new(const struct brk_mock_config *cfg, char *err, size_t err_len)
{
    const char *url = cfg->upstream_url;
    const char *scheme_end = url ? strstr(url, "://") : NULL;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || !scheme_end) {
        snprintf(err, err_len, "--record needs --upstream URL (http:// or https://)");
        return NULL;
    }
    const struct mock_curl *curl = mock_curl_load(err, err_len);
    struct mock_recorder *rec = curl ? brk_calloc(1, sizeof(*rec)) : NULL;
    if (!rec) {
        return NULL;
    }
    rec->curl = curl;
    rec->dir = brk_strdup(cfg->record_dir);
    rec->upstream = brk_strdup(url);
    size_t n = strlen(rec->upstream);
    while (n && rec->upstream[n - 1] == '/') {
        rec->upstream[--n] = '\0';
    }
    const char *host = scheme_end + 3;
    snprintf(rec->host, sizeof(rec->host), "%.*s", (int)strcspn(host, "/?"), host);
    s_region(rec, cfg);
    rec->access_key_id = s_env("AWS_ACCESS_KEY_ID");
    rec->secret_access_key = s_env("AWS_SECRET_ACCESS_KEY");
    rec->session_token = s_env("AWS_SESSION_TOKEN");
    rec->bearer_token = s_env("AWS_BEARER_TOKEN_BEDROCK");
    if (!rec->bearer_token && !(rec->access_key_id && rec->secret_access_key)) {
        snprintf(err, err_len,
                 "--record signs with the environment's credentials: set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_BEARER_TOKEN_BEDROCK");
        mock_recorder_destroy(rec);
        return NULL;
    }
    return rec;
}

static void s_wipe(char *secret)
{
    if (secret) {
        OPENSSL_cleanse(secret, strlen(secret));
        brk_free(secret);
    }
}

void mock_recorder_destroy(struct mock_recorder *rec)
{
    if (!rec) {
        return;
    }
    brk_free(rec->dir);
    brk_free(rec->upstream);
    brk_free(rec->access_key_id);
    s_wipe(rec->secret_access_key);
    s_wipe(rec->session_token);
    s_wipe(rec->bearer_token);
    brk_free(rec);
}

bool mock_record_header_passes(const char *name)
{
    static const char *const skip[] = {"content-length", "transfer-encoding", "connection",   "keep-alive",
                                       "date",           "x-amzn-requestid",  "content-type", "server"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (strcasecmp(name, skip[i]) == 0) {
            return false;
        }
    }
    return !mock_cassette_header_secret(name);
}

/* The query as sent upstream: each decoded argument encoded again, in arrival order. */
static enum brk_status s_query(const struct mock_request *req, struct brk_buf *out)
{
    enum brk_status rc = BRK_OK;
    for (size_t i = 0; i < req->n_query && rc == BRK_OK; i++) {
        rc = i ? brk_buf_append_str(out, "&") : BRK_OK;
        rc = rc == BRK_OK ? brk_sigv4_uri_encode(req->query[i].name, strlen(req->query[i].name), false, out) : rc;
        rc = rc == BRK_OK ? brk_buf_append_str(out, "=") : rc;
        rc = rc == BRK_OK ? brk_sigv4_uri_encode(req->query[i].value, strlen(req->query[i].value), false, out) : rc;
    }
    return rc;
}

static struct curl_slist *s_line(const struct mock_recorder *rec, struct curl_slist *list, const char *name,
                                 const char *value)
{
    char line[8192];
    snprintf(line, sizeof(line), "%s: %s", name, value);
    return rec->curl->slist_append(list, line);
}

/* Sign (or carry the bearer token) and build the header list curl sends. */
static enum brk_status s_sign(const struct mock_recorder *rec, const struct mock_request *req, const char *query,
                              struct curl_slist **out)
{
    struct brk_sigv4_header h[BRK_SIGV4_MAX_HEADERS];
    size_t n = 0;
    h[n++] = (struct brk_sigv4_header){"Host", rec->host};
    for (size_t i = 0; i < req->n_headers && n < BRK_SIGV4_MAX_HEADERS; i++) {
        if (mock_cassette_request_header_kept(req->headers[i].name)) {
            h[n++] = (struct brk_sigv4_header){req->headers[i].name, req->headers[i].value};
        }
    }
    struct curl_slist *list = rec->curl->slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    for (size_t i = 0; i < n; i++) {
        list = s_line(rec, list, h[i].name, h[i].value);
    }
    if (rec->bearer_token) {
        char bearer[4096];
        snprintf(bearer, sizeof(bearer), "Bearer %s", rec->bearer_token);
        *out = s_line(rec, list, "Authorization", bearer);
        OPENSSL_cleanse(bearer, sizeof(bearer));
        return BRK_OK;
    }
    struct brk_sigv4_params p = {.access_key_id = rec->access_key_id,
                                 .secret_access_key = rec->secret_access_key,
                                 .session_token = rec->session_token,
                                 .region = rec->region,
                                 .service = "bedrock",
                                 .time_s = (int64_t)time(NULL),
                                 .normalize_path = true};
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    enum brk_status rc =
        brk_sigv4_sign(&p, req->method, req->url, query[0] ? query : NULL, h, n, req->body, req->body_len, &res);
    if (rc == BRK_OK) {
        list = s_line(rec, list, "X-Amz-Date", res.amz_date);
        list = rec->session_token ? s_line(rec, list, "X-Amz-Security-Token", rec->session_token) : list;
        list = s_line(rec, list, "Authorization", res.authorization.data);
    }
    brk_sigv4_result_clean_up(&res);
    *out = list;
    return rc;
}

/* The request half of the cassette: no secret header, the body as JSON. */
static cJSON *s_cassette(const struct mock_request *req)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "version", MOCK_CASSETTE_VERSION);
    cJSON_AddStringToObject(doc, "operation", brk_op_name(req->route.op));
    cJSON_AddStringToObject(doc, "model", mock_route_resource(&req->route));
    cJSON *r = cJSON_AddObjectToObject(doc, "request");
    cJSON_AddStringToObject(r, "method", req->method);
    cJSON_AddStringToObject(r, "path", req->url);
    cJSON *query = cJSON_AddObjectToObject(r, "query");
    for (size_t i = 0; i < req->n_query; i++) {
        cJSON_AddItemToObject(query, req->query[i].name, cJSON_CreateString(req->query[i].value));
    }
    cJSON *headers = cJSON_AddObjectToObject(r, "headers");
    for (size_t i = 0; i < req->n_headers; i++) {
        if (mock_cassette_request_header_kept(req->headers[i].name)) {
            cJSON_AddItemToObject(headers, req->headers[i].name, cJSON_CreateString(req->headers[i].value));
        }
    }
    mock_cassette_add_body(r, "body", req->body ? req->body : "", req->body_len);
    return doc;
}

enum brk_status mock_record_prepare(struct mock_recorder *rec, const struct mock_request *req, char *file,
                                    size_t file_len, CURL **curl, struct curl_slist **headers, cJSON **doc)
{
    struct brk_buf query, url;
    brk_buf_init(&query, 65536);
    brk_buf_init(&url, 65536);
    enum brk_status rc = s_query(req, &query);
    rc = rc == BRK_OK ? brk_buf_appendf(&url, "%s%s%s%s", rec->upstream, req->url, query.len ? "?" : "",
                                        query.len ? query.data : "")
                      : rc;
    rc = rc == BRK_OK ? s_sign(rec, req, query.len ? query.data : "", headers) : rc;
    *curl = rc == BRK_OK ? rec->curl->easy_init() : NULL;
    if (*curl) {
        rec->curl->easy_setopt(*curl, CURLOPT_URL, url.data);
        rec->curl->easy_setopt(*curl, CURLOPT_CUSTOMREQUEST, req->method);
        rec->curl->easy_setopt(*curl, CURLOPT_HTTPHEADER, *headers);
        rec->curl->easy_setopt(*curl, CURLOPT_NOSIGNAL, 1L);
        rec->curl->easy_setopt(*curl, CURLOPT_CONNECTTIMEOUT, 30L);
        if (req->body_len || strcmp(req->method, "POST") == 0) {
            rec->curl->easy_setopt(*curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
            rec->curl->easy_setopt(*curl, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
        }
        *doc = s_cassette(req);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        snprintf(file, file_len, "%013lld-%06lu-%s.json", ms, (unsigned long)++rec->seq, brk_op_name(req->route.op));
    }
    brk_buf_clean_up(&query);
    brk_buf_clean_up(&url);
    return *curl ? BRK_OK : (rc == BRK_OK ? BRK_ERR_NOMEM : rc);
}
