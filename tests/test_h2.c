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
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "mock/mock_priv.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"

#define HAIKU_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define HAIKU_STREAM_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello over h2\"}]}]}"
#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/* Frame types and error codes of RFC 9113. */
enum { F_DATA = 0, F_HEADERS = 1, F_RST_STREAM = 3, F_SETTINGS = 4, F_PING = 6, F_GOAWAY = 7 };
enum { E_NO_ERROR = 0, E_PROTOCOL = 1, E_FRAME_SIZE = 6, E_REFUSED_STREAM = 7 };

TestSuite(h2, .timeout = TH_SUITE_TIMEOUT_S);

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
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "http_version")), "HTTP/2");
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
    cfg.clock_mode = BRK_CLOCK_VIRTUAL; /* latencyMs is the time taken: none on a virtual clock */
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
    unsigned char h[9] = {(unsigned char)(len >> 16),    (unsigned char)(len >> 8),    (unsigned char)len,
                          (unsigned char)type,           (unsigned char)flags,         (unsigned char)(stream >> 24),
                          (unsigned char)(stream >> 16), (unsigned char)(stream >> 8), (unsigned char)stream};
    s_send_all(fd, h, sizeof(h));
    if (payload && len) {
        s_send_all(fd, payload, len);
    }
}

/* Streams below this id are followed one by one (the tests open 1..201). */
#define S_MAX_ID 256

struct s_stream_seen {
    unsigned heads; /* HEADERS frames (the response head) */
    size_t data;    /* DATA payload bytes */
    unsigned ended; /* 0 while open; else 1 + how many streams had ended before (END_STREAM) */
    bool rst;
    unsigned rst_code;
};

/* What the server sent on one raw connection so far; s_wait adds to it frame by frame. */
struct s_peer {
    int fd;
    unsigned char buf[1 << 16];
    size_t have;
    bool settings, goaway, ping_ack, eof;
    unsigned goaway_code;
    unsigned ended, resets; /* streams ended cleanly, RST_STREAM frames: on all streams */
    struct s_stream_seen st[S_MAX_ID];
};

static unsigned s_u32(const unsigned char *p)
{
    return ((unsigned)p[0] << 24) | ((unsigned)p[1] << 16) | ((unsigned)p[2] << 8) | p[3];
}

/* Note one whole frame (header h, payload h + 9). */
static void s_note_frame(struct s_peer *p, const unsigned char *h, size_t len)
{
    unsigned id = s_u32(h + 5) & 0x7fffffffu;
    struct s_stream_seen *st = id < S_MAX_ID ? &p->st[id] : &p->st[0];
    const unsigned char *pl = h + 9;
    p->settings |= h[3] == F_SETTINGS;
    p->ping_ack |= h[3] == F_PING && (h[4] & 0x1);
    st->data += h[3] == F_DATA ? len : 0;
    st->heads += h[3] == F_HEADERS;
    if ((h[3] == F_HEADERS || h[3] == F_DATA) && (h[4] & 0x1)) {
        st->ended = ++p->ended;
    }
    if (h[3] == F_GOAWAY && len >= 8) {
        p->goaway = true;
        p->goaway_code = s_u32(pl + 4);
    }
    if (h[3] == F_RST_STREAM && len == 4) {
        p->resets++;
        st->rst = true;
        st->rst_code = s_u32(pl);
    }
}

/* Read one chunk (waiting until `deadline`) and note its whole frames; false when nothing came. */
static bool s_read_some(struct s_peer *p, int64_t deadline)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int r;
    do {
        int64_t left = deadline - brk_clock_monotonic_ms();
        r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
        return false;
    }
    ssize_t n = recv(p->fd, p->buf + p->have, sizeof(p->buf) - p->have, 0);
    if (n <= 0) {
        p->eof = true;
        return false;
    }
    p->have += (size_t)n;
    while (p->have >= 9) {
        size_t len = ((size_t)p->buf[0] << 16) | ((size_t)p->buf[1] << 8) | p->buf[2];
        if (p->have < 9 + len) {
            break;
        }
        s_note_frame(p, p->buf, len);
        memmove(p->buf, p->buf + 9 + len, p->have - 9 - len);
        p->have -= 9 + len;
    }
    return true;
}

/* Read frames until done(p, arg) holds, the server closes, or TH_DEADLINE_MS pass; returns
 * whether done holds. Never a fixed window: a fast machine returns at once, a slow one later. */
static bool s_wait(struct s_peer *p, bool (*done)(const struct s_peer *, unsigned), unsigned arg)
{
    int64_t deadline = brk_clock_monotonic_ms() + TH_DEADLINE_MS;
    while (!done(p, arg) && s_read_some(p, deadline)) {
    }
    return done(p, arg);
}

static bool s_has_settings(const struct s_peer *p, unsigned arg)
{
    (void)arg;
    return p->settings;
}

static bool s_has_ping_ack(const struct s_peer *p, unsigned arg)
{
    (void)arg;
    return p->ping_ack;
}

static bool s_has_closed(const struct s_peer *p, unsigned arg)
{
    (void)arg;
    return p->eof;
}

static bool s_has_refused(const struct s_peer *p, unsigned arg)
{
    (void)arg;
    return p->resets || p->goaway;
}

static bool s_has_ended(const struct s_peer *p, unsigned count)
{
    return p->ended >= count;
}

static bool s_has_head(const struct s_peer *p, unsigned id)
{
    return p->st[id].heads > 0;
}

static bool s_has_stream_ended(const struct s_peer *p, unsigned id)
{
    return p->st[id].ended > 0;
}

static bool s_has_finished(const struct s_peer *p, unsigned id)
{
    return p->st[id].rst || p->st[id].ended;
}

/* A raw connection to m (heap: the frame buffer is large); free with s_peer_close. */
static struct s_peer *s_peer_open(struct brk_mock *m)
{
    struct s_peer *p = calloc(1, sizeof(*p));
    cr_assert_not_null(p);
    p->fd = s_connect(m);
    return p;
}

static void s_peer_close(struct s_peer *p)
{
    close(p->fd);
    free(p);
}

#define ANY_ERROR 0xFFFFFFFFu

/* The server ends the connection: GOAWAY with `code` (ANY_ERROR: any code but NO_ERROR), then
 * EOF. Closes and frees p. */
static void s_expect_goaway(struct s_peer *p, unsigned code)
{
    cr_assert(s_wait(p, s_has_closed, 0), "the server closed the connection");
    cr_assert(p->goaway, "GOAWAY before closing");
    if (code == ANY_ERROR) {
        cr_assert_neq(p->goaway_code, E_NO_ERROR);
    } else {
        cr_assert_eq(p->goaway_code, code);
    }
    s_peer_close(p);
}

/* The connection is still open and served: a PING is answered (a positive marker, where a
 * quiet read window could only show that nothing happened yet). */
static void s_expect_open(struct s_peer *p)
{
    s_frame(p->fd, 8, F_PING, 0, 0, "pingpong");
    cr_assert(s_wait(p, s_has_ping_ack, 0), "the connection answers a PING (eof %d)", p->eof);
    cr_assert_not(p->goaway);
}

static void s_open_h2(struct s_peer *p)
{
    s_send_all(p->fd, PREFACE, strlen(PREFACE));
    s_frame(p->fd, 0, F_SETTINGS, 0, 0, NULL);
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
static void s_send_post(struct s_peer *p, unsigned id, const char *path)
{
    unsigned char block[256];
    unsigned n = s_request_block(block, true, path);
    s_frame(p->fd, n, F_HEADERS, 0x4, id, block);
    s_frame(p->fd, (unsigned)strlen(HELLO), F_DATA, 0x1, id, HELLO);
}

/* Open stream `id` with a GET of /_mock/health, whole in one HEADERS frame. */
static void s_send_health(struct s_peer *p, unsigned id)
{
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/health");
    s_frame(p->fd, n, F_HEADERS, 0x4 | 0x1, id, block);
}

/* curl 7.88 (Debian 12) cannot reuse a prior-knowledge connection for a second stream
 * (curl/curl#10634, fixed in 8.0), so concurrent streams are written by hand here; the JS
 * interop suite multiplexes through Node's client too. */
Test(h2, concurrent_streams_share_one_connection)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    for (unsigned i = 0; i < 5; i++) {
        s_send_health(p, 1 + 2 * i); /* all sent before any answer */
    }
    cr_assert(s_wait(p, s_has_ended, 5), "every stream completed (%u of 5)", p->ended);
    for (unsigned i = 0; i < 5; i++) {
        cr_assert_eq(p->st[1 + 2 * i].heads, 1, "stream %u got one response head", 1 + 2 * i);
    }
    s_expect_open(p); /* the connection stays open for more */
    s_peer_close(p);
    brk_mock_stop(m);
}

/* Stream 1 is still held back (a delay, a paced body) when stream 3, a health check sent after
 * it on the same connection, has been answered whole. */
static void s_expect_overtaken(struct s_peer *p)
{
    s_send_health(p, 3);
    cr_assert(s_wait(p, s_has_stream_ended, 3), "the quick answer arrived");
    cr_assert_eq(p->st[1].ended, 0, "the quick answer did not wait for stream 1");
}

Test(h2, a_slow_stream_does_not_hold_up_its_neighbours)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    /* About 7 events 1 s apart: the paced stream needs some 6 s, far more than a health check
     * takes even under valgrind. The test does not wait for its end: it closes the connection. */
    cfg.stream_delay_ms = 1000;
    struct brk_mock *m = th_mock_start(&cfg);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    s_send_post(p, 1, HAIKU_STREAM_PATH);
    cr_assert(s_wait(p, s_has_head, 1), "the paced stream has started");
    s_expect_overtaken(p);
    s_peer_close(p);
    brk_mock_stop(m);
}

Test(h2, stop_ends_a_stream_in_flight)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw HTTP/2 frames carry no Authorization (docs/auth.md) */
    cfg.stream_delay_ms = 1000;         /* about 7 events 1 s apart: in flight for some 6 s */
    struct brk_mock *m = th_mock_start(&cfg);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    s_send_post(p, 1, HAIKU_STREAM_PATH);
    cr_assert(s_wait(p, s_has_head, 1), "the stream has started");
    brk_mock_stop(m); /* joins the producer thread mid-stream */
    cr_assert(s_wait(p, s_has_closed, 0), "the server closed the connection");
    cr_assert_eq(p->st[1].ended, 0, "stop cut the stream short instead of waiting for its end");
    cr_assert(p->goaway);
    cr_assert_eq(p->goaway_code, E_NO_ERROR);
    s_peer_close(p);
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

Test(h2, delay_holds_only_its_own_stream)
{
    /* 2 s: far longer than a health check takes even under valgrind, short enough to wait for. */
    struct brk_mock *m = s_start_with_rule("{\"id\":\"slow\",\"match\":{\"operation\":\"Converse\"},\"delayMs\":2000}");
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    int64_t t0 = brk_clock_monotonic_ms();
    s_send_post(p, 1, HAIKU_PATH);
    s_expect_overtaken(p);
    cr_assert(s_wait(p, s_has_stream_ended, 1), "the delayed answer arrives too");
    cr_assert_geq(brk_clock_monotonic_ms() - t0, 1990, "the answer was delayed");
    cr_assert_eq(p->resets, 0);
    s_peer_close(p);
    brk_mock_stop(m);
}

/* A fault a rule puts on stream 1: what must have gone out before its RST_STREAM. */
struct s_fault {
    const char *rule; /* POST /_mock/rules body */
    const char *path; /* what stream 1 asks for */
    unsigned heads;   /* response heads before the reset */
    long data;        /* DATA bytes before the reset; -1: some */
};

/* Stream 1 meets the fault: it is reset (INTERNAL_ERROR) after what `f` says went out, and
 * never ends cleanly; then stream 3 on the same connection still gets its answer. Returns the
 * mock, which still holds the rule, for the case's own checks. */
static struct brk_mock *s_fault_resets_the_stream_only(const struct s_fault *f)
{
    struct brk_mock *m = s_start_with_rule(f->rule);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    s_send_post(p, 1, f->path);
    cr_assert(s_wait(p, s_has_finished, 1), "stream 1 came to an end");
    cr_assert(p->st[1].rst, "stream 1 was reset");
    cr_assert_eq(p->st[1].rst_code, 2 /* INTERNAL_ERROR */);
    cr_assert_eq(p->st[1].heads, f->heads);
    if (f->data < 0) {
        cr_assert_gt(p->st[1].data, 0, "what came before the fault went out");
    } else {
        cr_assert_eq(p->st[1].data, (size_t)f->data);
    }
    cr_assert_eq(p->st[1].ended, 0, "the stream never ends cleanly");
    s_send_health(p, 3);
    cr_assert(s_wait(p, s_has_stream_ended, 3), "the connection still serves stream 3");
    cr_assert_not(p->goaway);
    s_peer_close(p);
    return m;
}

Test(h2, close_before_reply_resets_the_stream)
{
    struct brk_mock *m = s_fault_resets_the_stream_only(&(struct s_fault){
        .rule = "{\"id\":\"drop\",\"match\":{\"operation\":\"Converse\"},\"closeBeforeReply\":true,\"times\":1}",
        .path = HAIKU_PATH,
        .heads = 0,
        .data = 0});
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_eq(r.status, 200, "the rule fired once (times: 1)");
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, close_after_bytes_cuts_the_body_then_resets)
{
    struct brk_mock *m = s_fault_resets_the_stream_only(
        &(struct s_fault){.rule = "{\"id\":\"cut\",\"match\":{\"operation\":\"Converse\"},\"closeAfterBytes\":20}",
                          .path = HAIKU_PATH,
                          .heads = 1,
                          .data = 20});
    struct th_response r = th_request_h2(m, "POST", HAIKU_PATH, HELLO, NULL);
    cr_assert_neq(r.curl_code, 0, "curl reports the broken stream");
    th_response_free(&r);
    brk_mock_stop(m);
}

Test(h2, stream_cut_after_event_resets_the_stream)
{
    struct brk_mock *m = s_fault_resets_the_stream_only(&(struct s_fault){
        .rule = "{\"id\":\"cut\",\"match\":{\"operation\":\"ConverseStream\"},\"stream\":{\"cutAfterEvent\":2}}",
        .path = HAIKU_STREAM_PATH,
        .heads = 1,
        .data = -1});
    brk_mock_stop(m);
}

Test(h2, garbage_after_the_preface_ends_that_connection_only)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_send_all(p->fd, PREFACE, strlen(PREFACE));
    const char junk[] = "GET / HTTP/1.1\r\nHost: not-a-frame\r\n\r\n";
    s_send_all(p->fd, junk, sizeof(junk) - 1);
    s_expect_goaway(p, ANY_ERROR);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, oversized_frame_is_a_frame_size_error)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    s_frame(p->fd, 0xFFFFFF, F_HEADERS, 0x4, 1, NULL); /* 16 MiB announced; the default maximum is 16 KiB */
    s_expect_goaway(p, E_FRAME_SIZE);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, streams_past_the_limit_are_refused)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    /* :method POST, :path /, :scheme http from HPACK's static table, :authority "x" literally;
     * no END_STREAM, so every stream stays open waiting for a body. */
    const unsigned char block[] = {0x83, 0x84, 0x86, 0x01, 0x01, 'x'};
    for (unsigned i = 0; i < 101; i++) {
        s_frame(p->fd, sizeof(block), F_HEADERS, 0x4, 1 + 2 * i, block);
    }
    cr_assert(s_wait(p, s_has_refused, 0), "the 101st stream is refused");
    if (p->resets) {
        cr_assert_eq(p->resets, 1, "only the 101st");
        cr_assert(p->st[201].rst);
        cr_assert_eq(p->st[201].rst_code, E_REFUSED_STREAM);
    }
    s_peer_close(p);
    s_assert_healthy_h2(m);
    brk_mock_stop(m);
}

Test(h2, split_preface_is_still_recognised)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_send_all(p->fd, PREFACE, 9); /* "PRI * HTT": could still be either protocol */
    usleep(100 * 1000);            /* likely read apart; the test holds either way */
    s_send_all(p->fd, PREFACE + 9, strlen(PREFACE) - 9);
    s_frame(p->fd, 0, F_SETTINGS, 0, 0, NULL);
    cr_assert(s_wait(p, s_has_settings, 0), "served as HTTP/2 (eof %d)", p->eof);
    s_send_health(p, 1);
    cr_assert(s_wait(p, s_has_stream_ended, 1), "and answered");
    s_peer_close(p);
    brk_mock_stop(m);
}

Test(h2, silent_connection_is_closed_after_the_idle_timeout)
{
    struct brk_mock *m = s_start(0, 1, 0);
    int64_t t0 = brk_clock_monotonic_ms();
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    cr_assert(s_wait(p, s_has_settings, 0));
    s_expect_goaway(p, E_NO_ERROR);
    /* A lower bound only: a slow machine closes later, never sooner. */
    cr_assert_geq(brk_clock_monotonic_ms() - t0, 990, "not closed before the 1 s idle timeout");
    brk_mock_stop(m);
}

Test(h2, connections_past_max_connections_are_closed)
{
    struct brk_mock *m = s_start(1, 0, 0);
    struct s_peer *a = s_peer_open(m);
    s_open_h2(a);
    cr_assert(s_wait(a, s_has_settings, 0), "the first connection is served");
    struct s_peer *b = s_peer_open(m);
    ssize_t sent = send(b->fd, PREFACE, strlen(PREFACE), MSG_NOSIGNAL); /* may fail: the server may have closed */
    (void)sent;
    cr_assert(s_wait(b, s_has_closed, 0), "the second is closed");
    cr_assert_not(b->settings, "without being served");
    s_peer_close(b);
    s_peer_close(a);
    cr_assert(th_served_soon(m, true),
              "once the first one is gone a new one is served (its thread ends a moment after)");
    brk_mock_stop(m);
}

Test(h2, stop_sends_goaway_to_open_connections)
{
    struct brk_mock *m = s_start(0, 0, 0);
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    cr_assert(s_wait(p, s_has_settings, 0));
    brk_mock_stop(m); /* returns although the client still holds the connection */
    s_expect_goaway(p, E_NO_ERROR);
}

/* ---- the memory budget (issue 22) ------------------------------------------------------
 * One connection used to hold 100 x --max-body-bytes of unfinished uploads, or 100 buffered
 * replies to a client that announced a window of 0. Now everything the server holds for
 * clients comes out of --memory-budget-bytes, one connection holds at most a quarter of it,
 * and a stream past it is refused (RST_STREAM REFUSED_STREAM, or a 503 reply). The resident
 * memory checks allow the budget plus S_RSS_SLACK_KIB for everything else the process does
 * meanwhile (thread stacks, libcurl, allocator slack); without the budget each attack below
 * adds several times that. */
#define S_BUDGET_BYTES (8u << 20)
#define S_RSS_SLACK_KIB (16L * 1024)

TestSuite(h2_budget, .timeout = TH_SUITE_TIMEOUT_S);

static struct brk_mock *s_start_budget(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_NONE;
    cfg.max_body_bytes = 4u << 20;
    cfg.memory_budget_bytes = S_BUDGET_BYTES;
    return th_mock_start(&cfg);
}

static bool s_has_refused_stream(const struct s_peer *p, unsigned arg)
{
    (void)arg;
    for (unsigned id = 1; id < S_MAX_ID; id++) {
        if (p->st[id].rst && p->st[id].rst_code == E_REFUSED_STREAM) {
            return true;
        }
    }
    return false;
}

static void s_assert_rss_within_budget(long baseline_kib)
{
    long now_kib = th_rss_kib();
    if (baseline_kib < 0 || now_kib < 0) {
        return; /* no /proc: the other assertions still hold */
    }
    cr_assert_leq(now_kib - baseline_kib, (long)(S_BUDGET_BYTES / 1024) + S_RSS_SLACK_KIB,
                  "resident memory grew by %ld KiB during the attack, past the %u MiB budget and slack",
                  now_kib - baseline_kib, S_BUDGET_BYTES >> 20);
}

/* Waits (up to TH_DEADLINE_MS) until `b` holds nothing. */
static bool s_budget_drains(struct mock_budget *b)
{
    int64_t deadline = brk_clock_monotonic_ms() + TH_DEADLINE_MS;
    while (atomic_load(&b->used_bytes) != 0 && brk_clock_monotonic_ms() < deadline) {
        usleep(2 * 1000);
    }
    return atomic_load(&b->used_bytes) == 0;
}

Test(h2_budget, unfinished_uploads_on_many_streams_are_refused_past_the_budget)
{
    struct brk_mock *m = s_start_budget();
    cr_assert(th_served_soon(m, true));
    long baseline = th_rss_kib();
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    static char chunk[16 * 1024];
    memset(chunk, 'a', sizeof(chunk));
    unsigned char block[256];
    unsigned n = s_request_block(block, true, HAIKU_PATH);
    /* 48 streams, each 1008 KiB of body (inside the 1 MiB stream window) and never finished:
     * 47 MiB that the old server kept, against a 2 MiB share now. */
    for (unsigned i = 0; i < 48; i++) {
        unsigned id = 1 + 2 * i;
        s_frame(p->fd, n, F_HEADERS, 0x4, id, block);
        for (unsigned k = 0; k < 63; k++) {
            s_frame(p->fd, sizeof(chunk), F_DATA, 0, id, chunk);
        }
    }
    cr_assert(s_wait(p, s_has_refused_stream, 0), "no stream was refused (goaway %d, eof %d)", p->goaway, p->eof);
    s_expect_open(p); /* the connection itself goes on */
    cr_assert(th_served_soon(m, true), "a normal HTTP/2 client was not served during the attack");
    struct th_response r = th_converse(m, "anthropic.claude-3-haiku-20240307-v1:0", HELLO);
    cr_assert_eq(r.status, 200, "a normal HTTP/1.1 Converse: %ld %s", r.status, r.body);
    th_response_free(&r);
    s_assert_rss_within_budget(baseline);
    s_peer_close(p);
    /* Everything the attack held is given back once its connection is gone. */
    cr_assert(s_budget_drains(&m->budget), "the budget still counts bytes nobody holds");
    brk_mock_stop(m);
}

/* The intake's bytes, once they reach at least `min_bytes` or TH_DEADLINE_MS pass. */
static uint64_t s_intake_reaches(struct brk_mock *m, uint64_t min_bytes)
{
    int64_t deadline = brk_clock_monotonic_ms() + TH_DEADLINE_MS;
    while (atomic_load(&m->intake.used_bytes) < min_bytes && brk_clock_monotonic_ms() < deadline) {
        usleep(2 * 1000);
    }
    return atomic_load(&m->intake.used_bytes);
}

/* A stream that sends content-length gets its body's buffer whole when the first DATA come
 * (mock/http/budget.h); without it the buffer grows by doubling from 64 bytes. */
Test(h2_budget, a_declared_body_is_held_in_one_buffer_of_its_length)
{
    struct brk_mock *m = s_start_budget();
    struct s_peer *p = s_peer_open(m);
    s_open_h2(p);
    static char body[100000];
    memset(body, ' ', sizeof(body));
    memcpy(body, HELLO, strlen(HELLO)); /* JSON, then spaces */
    unsigned char block[256];
    unsigned n = s_request_block(block, true, HAIKU_PATH);
    const unsigned char length[] = {0x0f, 28 - 15, 6, '1', '0', '0', '0', '0', '0'}; /* content-length: 100000 */
    memcpy(block + n, length, sizeof(length));
    s_frame(p->fd, n + (unsigned)sizeof(length), F_HEADERS, 0x4, 1, block);
    s_frame(p->fd, 1000, F_DATA, 0, 1, body);
    /* Headers hold under 300 bytes; doubling would hold 1024 for the body. */
    uint64_t held = s_intake_reaches(m, 100001);
    cr_expect_geq(held, 100001, "a declared body of 100000 bytes holds only %llu bytes", (unsigned long long)held);
    cr_expect_lt(held, 100001 + 1024, "%llu", (unsigned long long)held);
    for (size_t at = 1000; at < sizeof(body); at += 16000) {
        size_t len = sizeof(body) - at < 16000 ? sizeof(body) - at : 16000;
        s_frame(p->fd, (unsigned)len, F_DATA, at + len == sizeof(body) ? 0x1 : 0, 1, body + at);
    }
    cr_assert(s_wait(p, s_has_stream_ended, 1), "no answer (rst %d, goaway %d)", p->st[1].rst, p->goaway);
    s_peer_close(p);
    cr_assert(s_budget_drains(&m->intake), "the stream's bytes were not given back");
    brk_mock_stop(m);
}

/* ---- slow cases: make test-hostile ----------------------------------------------------- */

/* Set by `make test-hostile`: these fill a journal of 1000 requests or push tens of MiB, too
 * slow for every run under valgrind. */
static void s_slow_only(void)
{
    if (!getenv("BRK_HOSTILE_SLOW")) {
        cr_skip_test("slow: run with make test-hostile");
    }
}

TestSuite(h2_slow, .timeout = TH_SUITE_TIMEOUT_S);

static bool s_has_heads(const struct s_peer *p, unsigned count)
{
    unsigned n = 0;
    for (unsigned id = 1; id < S_MAX_ID; id++) {
        n += p->st[id].heads > 0;
    }
    return n >= count;
}

Test(h2_slow, replies_held_for_a_client_with_a_zero_window_stay_inside_the_budget)
{
    s_slow_only();
    struct brk_mock *m = s_start_budget();
    for (int i = 0; i < 1000; i++) { /* a full journal: GET /_mock/requests is ~0.5 MB */
        struct th_response r = th_converse(m, "anthropic.claude-3-haiku-20240307-v1:0", HELLO);
        cr_assert_eq(r.status, 200);
        th_response_free(&r);
    }
    long baseline = th_rss_kib();
    struct s_peer *p = s_peer_open(m);
    s_send_all(p->fd, PREFACE, strlen(PREFACE));
    static const unsigned char zero_window[6] = {0, 4, 0, 0, 0, 0}; /* SETTINGS_INITIAL_WINDOW_SIZE = 0 */
    s_frame(p->fd, sizeof(zero_window), F_SETTINGS, 0, 0, zero_window);
    unsigned char block[64];
    unsigned n = s_request_block(block, false, "/_mock/requests");
    for (unsigned i = 0; i < 100; i++) {
        s_frame(p->fd, n, F_HEADERS, 0x4 | 0x1, 1 + 2 * i, block);
    }
    /* Response heads need no window: once all 100 are in, every reply has been built. */
    cr_assert(s_wait(p, s_has_heads, 100), "every stream was answered (goaway %d, eof %d)", p->goaway, p->eof);
    cr_assert(th_served_soon(m, true), "a normal HTTP/2 client was not served during the attack");
    cr_assert(th_served_soon(m, false), "a normal HTTP/1.1 client was not served during the attack");
    s_assert_rss_within_budget(baseline);
    s_peer_close(p);
    brk_mock_stop(m);
}
