/*
 * HTTP tests: HTTP/2 with prior knowledge (h2c) and HTTP/1.1 on the mock's one port.
 *
 * Well-formed traffic goes through libcurl (CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE); hostile
 * traffic (garbage after the preface, oversized frames, too many streams, a connection that
 * stays silent) is written byte by byte on a raw socket, and every such case ends by checking
 * that the server still answers.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define HAIKU_STREAM_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello over h2\"}]}]}"
#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/* Frame types and error codes of RFC 9113. */
enum { F_DATA = 0, F_HEADERS = 1, F_RST_STREAM = 3, F_SETTINGS = 4, F_GOAWAY = 7 };
enum { E_NO_ERROR = 0, E_PROTOCOL = 1, E_FRAME_SIZE = 6, E_REFUSED_STREAM = 7 };

TestSuite(h2, .timeout = 60);

static struct brk_mock *s_start(unsigned max_conns, unsigned idle_s, size_t max_body)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    cfg.max_connections = max_conns ? max_conns : cfg.max_connections;
    cfg.idle_timeout_s = idle_s ? idle_s : cfg.idle_timeout_s;
    cfg.max_body_bytes = max_body ? max_body : cfg.max_body_bytes;
    return th_mock_start(&cfg);
}

static void s_assert_healthy_h2(struct brk_mock *m)
{
    struct th_response r = th_request_h2(m, "GET", "/_mock/health", NULL, NULL);
    cr_assert_eq(r.curl_code, 0, "curl code %d", r.curl_code);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.http_version, CURL_HTTP_VERSION_2_0);
    th_response_free(&r);
}

/* ---- well-formed requests through libcurl --------------------------------------------- */

Test(h2, converse_succeeds_over_h2c)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_eq(r.curl_code, 0);
    cr_assert_eq(r.http_version, CURL_HTTP_VERSION_2_0, "the transfer used HTTP/2");
    cr_assert_eq(r.status, 200, "%s", r.body);
    char rid[64], ctype[64], clen[32];
    th_header(&r, "x-amzn-RequestId", rid, sizeof(rid));
    th_header(&r, "content-type", ctype, sizeof(ctype));
    th_header(&r, "content-length", clen, sizeof(clen));
    cr_assert_eq(strlen(rid), 36);
    cr_assert_str_eq(ctype, "application/json");
    cr_assert_eq((size_t)atol(clen), r.body_len);
    cr_assert_not_null(strstr(r.headers, "x-amzn-requestid:"), "HTTP/2 header names are lower case");
    cJSON *stop = cJSON_GetObjectItem(r.json, "stopReason");
    cr_assert_str_eq(cJSON_GetStringValue(stop), "end_turn");
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, bedrock_errors_keep_their_shape_over_h2c)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct th_response r = th_request_h2(m, "POST", "/model/anthropic.no-such-model-v1%3A0/converse", HELLO, NULL);
    char type[256], rid[64];
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    th_header(&r, "x-amzn-RequestId", rid, sizeof(rid));
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(type, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/");
    cr_assert_eq(strlen(rid), 36);
    cr_assert_str_eq(th_message(&r), "The provided model identifier is invalid.");
    th_response_free(&r);
    r = th_request_h2(m, "GET", "/no/such/path", NULL, NULL);
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert_eq(r.status, 404);
    cr_assert(strncmp(type, "UnknownOperationException:", 26) == 0, "%s", type);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, admin_api_and_journal_over_h2c_with_query_arguments)
{
    struct brk_mock *m = s_start(0, 0, 0);
    s_assert_healthy_h2(m);
    const char *hdrs[] = {"amz-sdk-invocation-id: inv h2", "amz-sdk-request: attempt=1; max=3", NULL};
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, hdrs);
    th_response_free(&r);
    r = th_request_h2(m, "POST", "/model/nope/converse", HELLO, NULL);
    th_response_free(&r);
    /* The query is split off :path and decoded ('+' and %20 are spaces) as in HTTP/1.1. */
    r = th_request_h2(m, "GET", "/_mock/requests?operation=Converse&invocation_id=inv+h2", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON *list = cJSON_GetObjectItem(r.json, "requests");
    cr_assert_eq(cJSON_GetArraySize(list), 1, "%s", r.body);
    cJSON *e = cJSON_GetArrayItem(list, 0);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "http_version")), "HTTP/2");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "path")), HAIKU_PATH);
    cr_assert_eq(cJSON_GetObjectItem(e, "attempt")->valueint, 1);
    th_response_free(&r);
    r = th_request_h2(m, "DELETE", "/_mock/requests", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, large_body_is_read_whole_and_oversized_one_refused)
{
    struct brk_mock *m = s_start(0, 0, 4u << 20);
    size_t text_len = 3u << 20; /* past the 1 MiB stream window: flow control must move */
    char *body = malloc(text_len + 128);
    int head = sprintf(body, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"");
    for (size_t i = 0; i < text_len; i++) {
        body[head + i] = (i % 6 == 5) ? ' ' : 'a';
    }
    strcpy(body + head + text_len, "\"}]}]}");
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_gt(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "inputTokens")->valueint, 100000);
    th_response_free(&r);
    brk_mock_stop(m);

    m = s_start(0, 0, 1024); /* the case that must fail: past max_body_bytes */
    r = th_request_h2(m, "POST", HAIKU_PATH, body, NULL);
    char type[256];
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert_eq(r.status, 413, "%s", r.body);
    cr_assert(strncmp(type, "RequestEntityTooLargeException:", 31) == 0, "%s", type);
    th_response_free(&r);
    r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_eq(r.status, 200, "the server keeps serving");
    th_response_free(&r);
    free(body);
    brk_mock_stop(m);
}

Test(h2, http1_and_h2c_share_the_port)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct th_response r1 = th_request(m, "POST", HAIKU_PATH, HELLO, NULL);
    struct th_response r2 = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_eq(r1.status, 200);
    cr_assert_eq(r1.http_version, CURL_HTTP_VERSION_1_1);
    cr_assert_eq(r2.status, 200);
    cr_assert_eq(r2.http_version, CURL_HTTP_VERSION_2_0);
    cJSON *o1 = cJSON_GetObjectItem(r1.json, "output"), *o2 = cJSON_GetObjectItem(r2.json, "output");
    cr_assert(cJSON_Compare(o1, o2, true), "the same request gets the same reply on both protocols");
    th_response_free(&r1);
    th_response_free(&r2);
    r1 = th_request(m, "GET", "/_mock/requests", NULL, NULL);
    cJSON *list = cJSON_GetObjectItem(r1.json, "requests");
    cr_assert_eq(cJSON_GetArraySize(list), 2);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "http_version")),
                     "HTTP/1.1");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "http_version")),
                     "HTTP/2");
    th_response_free(&r1);
    brk_mock_stop(m);
}

Test(h2, oversized_header_list_resets_the_stream_only)
{
    struct brk_mock *m = s_start(0, 0, 0);
    enum { PARTS = 8, PART_LEN = 10000 }; /* 80 KB of headers, past the 64 KiB limit */
    static char lines[PARTS][PART_LEN + 16];
    const char *hdrs[PARTS + 1];
    for (int i = 0; i < PARTS; i++) {
        int n = sprintf(lines[i], "x-big-%d: ", i);
        memset(lines[i] + n, 'a' + i, PART_LEN);
        lines[i][n + PART_LEN] = '\0';
        hdrs[i] = lines[i];
    }
    hdrs[PARTS] = NULL;
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, hdrs);
    cr_assert_neq(r.curl_code, 0, "the stream was reset (status %ld)", r.status);
    th_response_free(&r);
    r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, hdrs + PARTS - 2); /* 20 KB: fine */
    cr_assert_eq(r.status, 200, "curl %d", r.curl_code);
    th_response_free(&r);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

/* ---- event streams ------------------------------------------------------------------- */

/* The same seeded mock gives the same bytes; so HTTP/1.1 and HTTP/2 must carry the same stream. */
static struct th_response s_seeded_stream(bool h2, unsigned delay_ms, unsigned exception_after)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    cfg.has_seed = true;
    cfg.seed = 11;
    cfg.stream_delay_ms = delay_ms;
    cfg.stream_exception_after = exception_after;
    cfg.stream_exception = exception_after ? BRK_AWS_THROTTLING : cfg.stream_exception;
    struct brk_mock *m = th_mock_start(&cfg);
    struct th_response r = (h2 ? th_request_h2 : th_request)(m, "POST", HAIKU_STREAM_PATH, HELLO, NULL);
    brk_mock_stop(m);
    return r;
}

Test(h2, converse_stream_carries_the_same_bytes_as_http1)
{
    struct th_response r1 = s_seeded_stream(false, 0, 0);
    struct th_response r2 = s_seeded_stream(true, 5, 0); /* paced: the producer thread defers DATA */
    cr_assert_eq(r2.status, 200);
    cr_assert_eq(r2.http_version, CURL_HTTP_VERSION_2_0);
    char ctype[96];
    th_header(&r2, "content-type", ctype, sizeof(ctype));
    cr_assert_str_eq(ctype, "application/vnd.amazon.eventstream");
    cr_assert_eq(r1.body_len, r2.body_len);
    cr_assert(memcmp(r1.body, r2.body, r1.body_len) == 0);
    struct th_events *e = calloc(1, sizeof(*e));
    th_events_decode(r2.body, r2.body_len, e);
    cr_assert_eq(e->end, BRK_OK);
    cr_assert_str_eq(e->ev[0].type, "messageStart");
    cr_assert_str_eq(e->ev[e->n - 1].type, "metadata");
    th_events_free(e);
    free(e);
    th_response_free(&r1);
    th_response_free(&r2);
}

Test(h2, in_stream_exception_arrives_over_h2c)
{
    struct th_response r = s_seeded_stream(true, 0, 2);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.curl_code, 0, "the stream ends cleanly after the exception event");
    struct th_events *e = calloc(1, sizeof(*e));
    th_events_decode(r.body, r.body_len, e);
    cr_assert_eq(e->n, 3);
    cr_assert_str_eq(e->ev[2].message_type, "exception");
    cr_assert_str_eq(e->ev[2].type, "throttlingException");
    th_events_free(e);
    free(e);
    th_response_free(&r);
}

/* ---- hostile bytes on a raw socket ------------------------------------------------------ */

static int s_connect(struct brk_mock *m)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(brk_mock_port(m))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void s_send_all(int fd, const void *data, size_t len)
{
    cr_assert_eq(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void s_frame(int fd, unsigned len, int type, int flags, unsigned stream, const void *payload)
{
    unsigned char h[9] = {(unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
                          (unsigned char)type, (unsigned char)flags, (unsigned char)(stream >> 24),
                          (unsigned char)(stream >> 16), (unsigned char)(stream >> 8), (unsigned char)stream};
    s_send_all(fd, h, sizeof(h));
    if (payload && len) {
        s_send_all(fd, payload, len);
    }
}

struct s_seen {
    bool settings, goaway, rst, eof;
    unsigned goaway_code, rst_code, rst_stream;
    unsigned responses;     /* HEADERS frames (response heads) */
    unsigned ended;         /* frames that ended a stream (END_STREAM) */
    unsigned last_stream;   /* stream of the last response head */
    unsigned first_ended;   /* stream of the first END_STREAM */
    size_t data_bytes;      /* DATA payload bytes on all streams */
};

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read frames for up to `ms` (or until EOF) and note what the server sent. */
static struct s_seen s_read_frames(int fd, int ms)
{
    struct s_seen seen = {0};
    unsigned char buf[1 << 16];
    size_t have = 0;
    int64_t deadline = s_now_ms() + ms;
    while (!seen.eof && s_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(deadline - s_now_ms())) <= 0) {
            break;
        }
        ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);
        if (n <= 0) {
            seen.eof = true;
            break;
        }
        have += (size_t)n;
        while (have >= 9) {
            size_t len = ((size_t)buf[0] << 16) | ((size_t)buf[1] << 8) | buf[2];
            if (have < 9 + len) {
                break;
            }
            unsigned stream = ((unsigned)(buf[5] & 0x7f) << 24) | ((unsigned)buf[6] << 16) | ((unsigned)buf[7] << 8) |
                              buf[8];
            const unsigned char *pl = buf + 9;
            seen.settings |= buf[3] == F_SETTINGS;
            seen.data_bytes += buf[3] == F_DATA ? len : 0;
            if (buf[3] == F_HEADERS) {
                seen.responses++;
                seen.last_stream = stream;
            }
            if ((buf[3] == F_HEADERS || buf[3] == F_DATA) && (buf[4] & 0x1)) {
                seen.first_ended = seen.ended++ ? seen.first_ended : stream;
            }
            if (buf[3] == F_GOAWAY && len >= 8) {
                seen.goaway = true;
                seen.goaway_code = ((unsigned)pl[4] << 24) | ((unsigned)pl[5] << 16) | ((unsigned)pl[6] << 8) | pl[7];
            }
            if (buf[3] == F_RST_STREAM && len == 4) {
                seen.rst = true;
                seen.rst_stream = stream;
                seen.rst_code = ((unsigned)pl[0] << 24) | ((unsigned)pl[1] << 16) | ((unsigned)pl[2] << 8) | pl[3];
            }
            memmove(buf, buf + 9 + len, have - 9 - len);
            have -= 9 + len;
        }
    }
    return seen;
}

#define ANY_ERROR 0xFFFFFFFFu

/* The server ends the connection: GOAWAY with `code` (ANY_ERROR: any code but NO_ERROR), then EOF. */
static void s_expect_goaway(int fd, unsigned code)
{
    struct s_seen seen = s_read_frames(fd, 10000);
    cr_assert(seen.goaway, "GOAWAY before closing");
    if (code == ANY_ERROR) {
        cr_assert_neq(seen.goaway_code, E_NO_ERROR);
    } else {
        cr_assert_eq(seen.goaway_code, code);
    }
    cr_assert(seen.eof, "the server closed the connection");
    close(fd);
}

static void s_open_h2(int fd)
{
    s_send_all(fd, PREFACE, strlen(PREFACE));
    s_frame(fd, 0, F_SETTINGS, 0, 0, NULL);
}

/* A request header block: :method (static index 2 GET, 3 POST), :scheme http, :path and
 * :authority "x" as literals without indexing (RFC 7541 section 6.2.2), and for a POST
 * content-type application/json (static index 31). Returns its length. */
static unsigned s_request_block(unsigned char *out, bool post, const char *path)
{
    size_t n = 0, plen = strlen(path);
    out[n++] = post ? 0x83 : 0x82;
    out[n++] = 0x86;
    out[n++] = 0x04;
    out[n++] = (unsigned char)plen;
    memcpy(out + n, path, plen);
    n += plen;
    out[n++] = 0x01;
    out[n++] = 1;
    out[n++] = 'x';
    if (post) {
        out[n++] = 0x0f;
        out[n++] = 31 - 15;
        out[n++] = 16;
        memcpy(out + n, "application/json", 16);
        n += 16;
    }
    return (unsigned)n;
}

/* Open stream `id` with a POST of HELLO to `path` (headers, then the body with END_STREAM). */
static void s_send_post(int fd, unsigned id, const char *path)
{
    unsigned char block[256];
    unsigned n = s_request_block(block, true, path);
    s_frame(fd, n, F_HEADERS, 0x4, id, block);
    s_frame(fd, (unsigned)strlen(HELLO), F_DATA, 0x1, id, HELLO);
}

/* curl 7.88 (Debian 12) cannot reuse a prior-knowledge connection for a second stream
 * (curl/curl#10634, fixed in 8.0), so concurrent streams are written by hand here; the JS
 * interop suite multiplexes through Node's client too. */
Test(h2, concurrent_streams_share_one_connection)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_open_h2(fd);
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/health");
    for (unsigned i = 0; i < 5; i++) {
        s_frame(fd, n, F_HEADERS, 0x4 | 0x1, 1 + 2 * i, block); /* all sent before any answer */
    }
    struct s_seen seen = s_read_frames(fd, 1500);
    cr_assert_eq(seen.responses, 5);
    cr_assert_eq(seen.ended, 5, "every stream completed");
    cr_assert_not(seen.goaway);
    cr_assert_not(seen.eof, "the connection stays open for more");
    close(fd);
    brk_mock_stop(m);
}

Test(h2, a_slow_stream_does_not_hold_up_its_neighbours)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    cfg.stream_delay_ms = 100; /* several hundred ms for the whole event stream */
    struct brk_mock *m = th_mock_start(&cfg);
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_STREAM_PATH);
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/health");
    s_frame(fd, n, F_HEADERS, 0x4 | 0x1, 3, block);
    struct s_seen seen = s_read_frames(fd, 10000);
    cr_assert_eq(seen.ended, 2, "both streams completed");
    cr_assert_eq(seen.first_ended, 3, "the quick answer overtook the paced stream");
    close(fd);
    brk_mock_stop(m);
}

Test(h2, stop_ends_a_stream_in_flight)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    /* About 7 events 1 s apart: the stream is still in flight after the 3 s read window even
     * on a slow machine or under valgrind, and its headers have surely arrived by then. */
    cfg.stream_delay_ms = 1000;
    struct brk_mock *m = th_mock_start(&cfg);
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_STREAM_PATH);
    struct s_seen seen = s_read_frames(fd, 3000);
    cr_assert_geq(seen.responses, 1, "the stream has started");
    cr_assert_eq(seen.ended, 0);
    brk_mock_stop(m); /* joins the producer thread mid-stream */
    s_expect_goaway(fd, E_NO_ERROR);
}

/* ---- faults a rule asks for: they act on the stream, the connection lives on ----------- */

static struct brk_mock *s_start_with_rule(const char *rule)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct th_response r = th_request(m, "POST", "/_mock/rules", rule, NULL);
    cr_assert(r.status == 200 || r.status == 201, "rule refused: %ld %s", r.status, r.body);
    th_response_free(&r);
    return m;
}

/* After a fault on stream 1, stream 3 on the same connection still gets its answer. */
static void s_assert_connection_still_serves(int fd)
{
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/health");
    s_frame(fd, n, F_HEADERS, 0x4 | 0x1, 3, block);
    struct s_seen seen = s_read_frames(fd, 2000);
    cr_assert_eq(seen.ended, 1);
    cr_assert_eq(seen.first_ended, 3);
    cr_assert_not(seen.goaway);
}

Test(h2, delay_holds_only_its_own_stream)
{
    struct brk_mock *m = s_start_with_rule("{\"id\":\"slow\",\"match\":{\"operation\":\"Converse\"},\"delayMs\":400}");
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_PATH);
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/health");
    s_frame(fd, n, F_HEADERS, 0x4 | 0x1, 3, block);
    struct s_seen seen = s_read_frames(fd, 5000);
    cr_assert_eq(seen.ended, 2, "the delayed answer arrives too");
    cr_assert_eq(seen.first_ended, 3, "the quick answer did not wait for the delay");
    cr_assert_not(seen.rst);
    close(fd);
    brk_mock_stop(m);
}

Test(h2, close_before_reply_resets_the_stream)
{
    struct brk_mock *m = s_start_with_rule("{\"id\":\"drop\",\"match\":{\"operation\":\"Converse\"},"
                                           "\"closeBeforeReply\":true,\"times\":1}");
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_PATH);
    struct s_seen seen = s_read_frames(fd, 1000);
    cr_assert(seen.rst);
    cr_assert_eq(seen.rst_stream, 1);
    cr_assert_eq(seen.rst_code, 2 /* INTERNAL_ERROR */);
    cr_assert_eq(seen.responses, 0, "no answer at all");
    s_assert_connection_still_serves(fd);
    close(fd);
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_eq(r.status, 200, "the rule fired once (times: 1)");
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, close_after_bytes_cuts_the_body_then_resets)
{
    struct brk_mock *m = s_start_with_rule("{\"id\":\"cut\",\"match\":{\"operation\":\"Converse\"},"
                                           "\"closeAfterBytes\":20}");
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_PATH);
    struct s_seen seen = s_read_frames(fd, 1000);
    cr_assert_eq(seen.responses, 1, "the headers went out");
    cr_assert_eq(seen.data_bytes, 20);
    cr_assert_eq(seen.ended, 0, "the body never ends cleanly");
    cr_assert(seen.rst);
    cr_assert_eq(seen.rst_code, 2 /* INTERNAL_ERROR */);
    s_assert_connection_still_serves(fd);
    close(fd);
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_neq(r.curl_code, 0, "curl reports the broken stream");
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, stream_cut_after_event_resets_the_stream)
{
    struct brk_mock *m = s_start_with_rule("{\"id\":\"cut\",\"match\":{\"operation\":\"ConverseStream\"},"
                                           "\"stream\":{\"cutAfterEvent\":2}}");
    int fd = s_connect(m);
    s_open_h2(fd);
    s_send_post(fd, 1, HAIKU_STREAM_PATH);
    struct s_seen seen = s_read_frames(fd, 1000);
    cr_assert_eq(seen.responses, 1, "the headers went out");
    cr_assert_gt(seen.data_bytes, 0, "the events before the cut went out");
    cr_assert_eq(seen.ended, 0, "the stream never ends cleanly");
    cr_assert(seen.rst);
    cr_assert_eq(seen.rst_code, 2 /* INTERNAL_ERROR */);
    s_assert_connection_still_serves(fd);
    close(fd);
    brk_mock_stop(m);
}

Test(h2, garbage_after_the_preface_ends_that_connection_only)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_send_all(fd, PREFACE, strlen(PREFACE));
    const char junk[] = "GET / HTTP/1.1\r\nHost: not-a-frame\r\n\r\n";
    s_send_all(fd, junk, sizeof(junk) - 1);
    s_expect_goaway(fd, ANY_ERROR);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, oversized_frame_is_a_frame_size_error)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_open_h2(fd);
    s_frame(fd, 0xFFFFFF, F_HEADERS, 0x4, 1, NULL); /* 16 MiB announced; the default maximum is 16 KiB */
    s_expect_goaway(fd, E_FRAME_SIZE);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, streams_past_the_limit_are_refused)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_open_h2(fd);
    /* :method POST, :path /, :scheme http from HPACK's static table, :authority "x" literally;
     * no END_STREAM, so every stream stays open waiting for a body. */
    const unsigned char block[] = {0x83, 0x84, 0x86, 0x01, 0x01, 'x'};
    for (unsigned i = 0; i < 101; i++) {
        s_frame(fd, sizeof(block), F_HEADERS, 0x4, 1 + 2 * i, block);
    }
    struct s_seen seen = s_read_frames(fd, 1500);
    cr_assert(seen.rst || seen.goaway, "the 101st stream is refused");
    if (seen.rst) {
        cr_assert_eq(seen.rst_code, E_REFUSED_STREAM);
        cr_assert_eq(seen.rst_stream, 201);
    }
    close(fd);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, split_preface_is_still_recognised)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_send_all(fd, PREFACE, 9); /* "PRI * HTT": could still be either protocol */
    usleep(100 * 1000);
    s_send_all(fd, PREFACE + 9, strlen(PREFACE) - 9);
    s_frame(fd, 0, F_SETTINGS, 0, 0, NULL);
    struct s_seen seen = s_read_frames(fd, 1000);
    cr_assert(seen.settings, "served as HTTP/2");
    cr_assert_not(seen.eof);
    close(fd);
    brk_mock_stop(m);
}

Test(h2, silent_connection_is_closed_after_the_idle_timeout)
{
    struct brk_mock *m = s_start(0, 1, 0);
    int fd = s_connect(m);
    s_open_h2(fd);
    struct s_seen seen = s_read_frames(fd, 500);
    cr_assert(seen.settings);
    cr_assert_not(seen.eof, "still open well within the timeout");
    s_expect_goaway(fd, E_NO_ERROR);
    brk_mock_stop(m);
}

Test(h2, connections_past_max_connections_are_closed)
{
    struct brk_mock *m = s_start(1, 0, 0);
    int a = s_connect(m);
    s_open_h2(a);
    cr_assert(s_read_frames(a, 1000).settings, "the first connection is served");
    int b = s_connect(m);
    ssize_t sent = send(b, PREFACE, strlen(PREFACE), MSG_NOSIGNAL); /* may fail: the server may have closed */
    (void)sent;
    struct s_seen seen = s_read_frames(b, 5000);
    cr_assert_not(seen.settings, "the second is not");
    cr_assert(seen.eof);
    close(b);
    close(a);
    /* Once the first one is gone a new one is served (its thread ends a moment after). */
    bool served = false;
    for (int i = 0; i < 50 && !served; i++) {
        struct th_response r = th_request_h2(m, "GET", "/_mock/health", NULL, NULL);
        served = r.status == 200;
        th_response_free(&r);
        if (!served) {
            usleep(50 * 1000);
        }
    }
    cr_assert(served);
    brk_mock_stop(m);
}

Test(h2, stop_sends_goaway_to_open_connections)
{
    struct brk_mock *m = s_start(0, 0, 0);
    int fd = s_connect(m);
    s_open_h2(fd);
    cr_assert(s_read_frames(fd, 1000).settings);
    brk_mock_stop(m); /* returns although the client still holds the connection */
    s_expect_goaway(fd, E_NO_ERROR);
}
