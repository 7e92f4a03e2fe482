/* harness.c: see harness.h. */
#include "tests/support/harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "common/uri.h"

struct brk_mock *th_mock_start(const struct brk_mock_config *cfg)
{
    struct brk_mock_config c;
    if (cfg) {
        c = *cfg;
    } else {
        brk_mock_config_init(&c);
    }
    c.port = 0;
    struct brk_mock *mock = NULL;
    char err[256] = "";
    enum brk_status rc = brk_mock_start(&c, &mock, err, sizeof(err));
    cr_assert_eq(rc, BRK_OK, "mock failed to start: %s", err);
    return mock;
}

void th_base_url(struct brk_mock *mock, char *out, size_t out_len)
{
    snprintf(out, out_len, "http://127.0.0.1:%u", brk_mock_port(mock));
}

static size_t s_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct brk_buf *b = userp;
    return brk_buf_append(b, data, size * nmemb) == BRK_OK ? size * nmemb : 0;
}

/* version: a CURL_HTTP_VERSION_*, or 0 for curl's default (HTTP/1.1 for http://). */
static struct th_response s_request(struct brk_mock *mock, long version, const char *method, const char *path,
                                    const char *body, const char *const *headers)
{
    struct th_response r = {0};
    struct brk_buf b, h;
    brk_buf_init(&b, 64u << 20);
    brk_buf_init(&h, 1u << 20);
    char url[4096];
    th_base_url(mock, url, sizeof(url));
    strncat(url, path, sizeof(url) - strlen(url) - 1);
    CURL *curl = curl_easy_init();
    struct curl_slist *list = NULL;
    bool has_ct = false, has_auth = false;
    for (size_t i = 0; headers && headers[i]; i++) {
        list = curl_slist_append(list, headers[i]);
        has_ct = has_ct || strncasecmp(headers[i], "content-type:", 13) == 0;
        has_auth = has_auth || strncasecmp(headers[i], "authorization:", 14) == 0;
    }
    if (body && !has_ct) {
        list = curl_slist_append(list, "Content-Type: application/json");
    }
    if (!has_auth) {
        list = curl_slist_append(list, TH_DEFAULT_AUTHORIZATION);
    }
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TH_DEADLINE_MS * 2); /* a hang guard, never a verdict */
    if (version) {
        curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, version);
    }
    r.curl_code = (int)curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &r.http_version);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    r.body = brk_buf_detach(&b, &r.body_len);
    r.headers = brk_buf_detach(&h, NULL);
    r.json = cJSON_ParseWithLength(r.body, r.body_len);
    return r;
}

struct th_response th_request(struct brk_mock *mock, const char *method, const char *path, const char *body,
                              const char *const *headers)
{
    return s_request(mock, 0, method, path, body, headers);
}

struct th_response th_request_h2(struct brk_mock *mock, const char *method, const char *path, const char *body,
                                 const char *const *headers)
{
    return s_request(mock, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE, method, path, body, headers);
}

bool th_served_soon(struct brk_mock *mock, bool h2)
{
    return th_served_within(mock, h2, TH_DEADLINE_MS);
}

bool th_wait_until(bool (*cond)(void *arg), void *arg, int64_t within_ms)
{
    int64_t deadline = brk_clock_monotonic_ms() + within_ms;
    while (!cond(arg)) {
        if (brk_clock_monotonic_ms() > deadline) {
            return cond(arg);
        }
        usleep(5 * 1000);
    }
    return true;
}

bool th_served_within(struct brk_mock *mock, bool h2, int64_t within_ms)
{
    int64_t deadline = brk_clock_monotonic_ms() + within_ms;
    for (;;) {
        struct th_response r = (h2 ? th_request_h2 : th_request)(mock, "GET", "/_mock/health", NULL, NULL);
        bool served = r.status == 200;
        th_response_free(&r);
        if (served || brk_clock_monotonic_ms() > deadline) {
            return served;
        }
        usleep(20 * 1000);
    }
}

bool th_under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload");
}

long th_rss_kib(void)
{
#ifdef __SANITIZE_ADDRESS__
    return -1; /* ASan's quarantine keeps freed memory resident on purpose */
#endif
    if (th_under_valgrind()) {
        return -1; /* under valgrind the process's resident memory is valgrind's */
    }
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

void th_encode_label(const char *in, char *out, size_t out_len)
{
    struct brk_buf enc;
    brk_buf_init(&enc, out_len - 1);
    enum brk_status rc = brk_uri_encode_label(in, strlen(in), &enc);
    cr_assert_eq(rc, BRK_OK, "label \"%s\" does not fit %zu bytes encoded: %s", in, out_len, brk_status_str(rc));
    snprintf(out, out_len, "%s", enc.data ? enc.data : "");
    brk_buf_clean_up(&enc);
}

struct th_response th_converse(struct brk_mock *mock, const char *model, const char *body)
{
    char enc[2048], path[2200];
    th_encode_label(model, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse", enc);
    return th_request(mock, "POST", path, body, NULL);
}

cJSON *th_journal(struct brk_mock *mock, const char *query)
{
    char path[512];
    snprintf(path, sizeof(path), "/_mock/requests%s", query);
    struct th_response r = th_request(mock, "GET", path, NULL, NULL);
    cr_assert_eq(r.status, 200, "GET %s: %s", path, r.body);
    cJSON *list = cJSON_DetachItemFromObject(r.json, "requests");
    th_response_free(&r);
    cr_assert_not_null(list);
    return list;
}

void th_header(const struct th_response *resp, const char *name, char *out, size_t out_len)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *line = resp->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') {
                v++;
            }
            size_t vlen = len - (size_t)(v - line);
            snprintf(out, out_len, "%.*s", (int)vlen, v);
        }
        line = end ? end + 2 : line + len;
    }
}

const char *th_message(const struct th_response *resp)
{
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp->json, "message"));
    if (!m) {
        m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp->json, "Message"));
    }
    return m ? m : "";
}

void th_response_free(struct th_response *resp)
{
    free(resp->body);
    free(resp->headers);
    cJSON_Delete(resp->json);
    memset(resp, 0, sizeof(*resp));
}

static const char *s_source_dir(void)
{
    const char *d = getenv("BRK_SOURCE_DIR");
    return d && d[0] ? d : ".";
}

char *th_read_file(const char *path, size_t *len)
{
    struct brk_buf b;
    brk_buf_init(&b, 256u << 20);
    if (brk_buf_read_file(&b, path) == BRK_ERR_IO) {
        return NULL;
    }
    return brk_buf_detach(&b, len);
}

void th_source_path(const char *relpath, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/%s", s_source_dir(), relpath);
}

char *th_read_source_file(const char *relpath, size_t *len)
{
    char path[4096];
    th_source_path(relpath, path, sizeof(path));
    return th_read_file(path, len);
}

static int s_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void th_remove_tree(const char *path)
{
    cr_assert_eq(nftw(path, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0, "cannot remove %s", path);
}

cJSON *th_service_model(void)
{
    size_t len = 0;
    char *text = th_read_source_file("fixtures/service-model/bedrock-runtime/2023-09-30/service-2.json", &len);
    cJSON *model = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    return model;
}

int th_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    return fd;
}

int th_connect_raw(struct brk_mock *mock)
{
    int fd = th_socket();
    th_connect_fd(fd, mock);
    return fd;
}

void th_connect_fd(int fd, struct brk_mock *mock)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(brk_mock_port(mock))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect: %s", strerror(errno));
    struct timeval tv = {.tv_sec = TH_DEADLINE_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

const char *th_redirected_text(FILE *f)
{
    static char out[16384];
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    return out;
}

bool th_send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

char *th_read_until_close(int fd, size_t *len_out)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    char chunk[4096];
    ssize_t n;
    while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0) {
        brk_buf_append(&b, chunk, (size_t)n);
    }
    bool timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    cr_assert_not(timed_out, "the server never closed the connection");
    return brk_buf_detach(&b, len_out);
}
