/*
 * Hostile input against the live server over raw sockets: bodies that are cut, too large or
 * lie about their length, senders that stall, bytes that are not UTF-8 or not text, JSON built
 * to hurt a parser, floods of headers, huge paths, methods the API has no use for.
 * After EACH case the same server must still answer a valid Converse request correctly.
 * Limits are small here (4 KiB bodies, 1 s idle timeout, 16 connections) so they are reached.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "mock/model/catalog.h"
#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define CONVERSE_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}"
#define MAX_BODY 4096u

static struct brk_mock *s_mock;

static void s_setup(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.max_body_bytes = MAX_BODY;
    cfg.idle_timeout_s = 1;
    cfg.max_connections = 16;
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* raw-socket requests carry no Authorization (docs/auth.md) */
    s_mock = th_mock_start(&cfg);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(hostile, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* ---- raw socket helpers ------------------------------------------------------------ */

static int s_connect(void)
{
    return th_connect_raw(s_mock);
}

/* Send what the socket takes; a server that closes early makes later sends fail, which is fine. */
static void s_send(int fd, const void *data, size_t len)
{
    (void)th_send_all(fd, data, len);
}

/* Every case here expects the server to end the connection. */
static char *s_read_all(int fd, size_t *len_out)
{
    return th_read_until_close(fd, len_out);
}

/* Send raw bytes on a new connection, half-close, and return the HTTP status of the first
 * answer (0 when the server closed without one). */
static int s_raw(const void *data, size_t len, char **reply_out)
{
    int fd = s_connect();
    s_send(fd, data, len);
    shutdown(fd, SHUT_WR);
    char *reply = s_read_all(fd, NULL);
    close(fd);
    int status = 0;
    if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1) {
        status = 0;
    }
    if (reply_out) {
        *reply_out = reply;
    } else {
        free(reply);
    }
    return status;
}

static int s_raw_str(const char *text, char **reply_out)
{
    return s_raw(text, strlen(text), reply_out);
}

/* A POST to `path` with `body` of `len` bytes and a Content-Length of `claimed`. */
static int s_post(const char *path, const void *body, size_t len, size_t claimed, char **reply_out)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    brk_buf_appendf(&b,
                    "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Connection: close\r\nContent-Length: %zu\r\n\r\n",
                    path, claimed);
    brk_buf_append(&b, body, len);
    size_t n = 0;
    char *req = brk_buf_detach(&b, &n);
    int status = s_raw(req, n, reply_out);
    free(req);
    return status;
}

static int s_post_json(const char *body, char **reply_out)
{
    return s_post(CONVERSE_PATH, body, strlen(body), strlen(body), reply_out);
}

/* The invariant of this file: a valid Converse request still gets a correct answer. */
static void s_assert_alive(void)
{
    struct th_response r = th_converse(s_mock, HAIKU, HELLO);
    cr_assert_eq(r.curl_code, 0, "the server stopped answering (curl %d)", r.curl_code);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const cJSON *msg = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "output"), "message");
    cr_assert_str_eq(cJSON_GetObjectItem(msg, "role")->valuestring, "assistant");
    cr_assert_not_null(cJSON_GetObjectItem(r.json, "usage"));
    th_response_free(&r);
}

/* The x-amzn-ErrorType of a raw reply, up to its ':' ("" when absent). */
static void s_error_type(const char *reply, char *out, size_t out_len)
{
    const char *h = strcasestr(reply, "\r\nx-amzn-ErrorType: ");
    out[0] = '\0';
    if (h) {
        h += strlen("\r\nx-amzn-ErrorType: ");
        size_t n = strcspn(h, ":\r");
        snprintf(out, out_len, "%.*s", (int)(n < out_len ? n : out_len - 1), h);
    }
}

static void s_expect_error(int status, char *reply, int want_status, const char *want_type)
{
    char type[128];
    s_error_type(reply, type, sizeof(type));
    cr_expect_eq(status, want_status, "%s", reply);
    cr_expect_str_eq(type, want_type, "%s", reply);
    free(reply);
}

/* ---- bodies ------------------------------------------------------------------------- */

Test(hostile, baseline_valid_request_over_a_raw_socket)
{
    char *reply = NULL;
    cr_assert_eq(s_post_json(HELLO, &reply), 200, "%s", reply);
    cr_assert(strstr(reply, "\"stopReason\"") != NULL, "%s", reply);
    free(reply);
    s_assert_alive();
}

Test(hostile, truncated_body_then_close)
{
    /* Content-Length promises 1000 bytes, 20 arrive, then the client goes away. */
    cr_expect_eq(s_post(CONVERSE_PATH, HELLO, 20, 1000, NULL), 0);
    s_assert_alive();
}

Test(hostile, oversized_body_is_413_request_entity_too_large)
{
    size_t n = 4 * MAX_BODY;
    char *big = malloc(n);
    memset(big, 'a', n);
    char *reply = NULL;
    int status = s_post(CONVERSE_PATH, big, n, n, &reply);
    free(big);
    s_expect_error(status, reply, 413, "RequestEntityTooLargeException");
    s_assert_alive();
}

Test(hostile, body_of_exactly_the_limit_is_read)
{
    /* MAX_BODY bytes of JSON: one long text, so the request is valid and at the limit. */
    char *body = malloc(MAX_BODY + 1);
    int pre = snprintf(body, MAX_BODY, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"");
    const char *post = "\"}]}]}";
    memset(body + pre, 'x', MAX_BODY - (size_t)pre - strlen(post));
    memcpy(body + MAX_BODY - strlen(post), post, strlen(post) + 1);
    char *reply = NULL;
    cr_expect_eq(s_post(CONVERSE_PATH, body, MAX_BODY, MAX_BODY, &reply), 200, "%s", reply);
    free(reply);
    free(body);
    s_assert_alive();
}

Test(hostile, content_length_larger_than_body_hits_the_idle_timeout)
{
    /* The client keeps the connection open but never sends the rest: after the 1 s idle
     * timeout the server closes it (s_read_all fails the test if it does not), without an
     * answer and without keeping a thread. */
    int fd = s_connect();
    const char *head = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"messages\"";
    s_send(fd, head, strlen(head));
    char *reply = s_read_all(fd, NULL);
    close(fd);
    cr_expect_str_eq(reply, "");
    free(reply);
    s_assert_alive();
}

Test(hostile, content_length_smaller_than_body)
{
    /* 5 bytes are the body ("{\"mes") and the rest is read as a next request, which is garbage. */
    char *reply = NULL;
    int status = s_post(CONVERSE_PATH, HELLO, strlen(HELLO), 5, &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    s_assert_alive();
}

Test(hostile, negative_and_non_numeric_content_length)
{
    char *reply = NULL;
    const char *neg = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}";
    int status = s_raw_str(neg, &reply);
    cr_expect_eq(status, 400, "%s", reply); /* libmicrohttpd: 400 Bad Request */
    free(reply);
    const char *huge =
        "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}";
    status = s_raw_str(huge, &reply);
    cr_expect_eq(status, 413, "%s", reply); /* libmicrohttpd: 413 Content Too Large */
    free(reply);
    s_assert_alive();
}

Test(hostile, slow_sender_stalling_in_the_headers_is_dropped)
{
    int fd = s_connect();
    const char *part = "POST " CONVERSE_PATH " HTTP/1.1\r\nHo";
    for (size_t i = 0; part[i]; i++) {
        s_send(fd, part + i, 1); /* one byte at a time, then silence */
    }
    char *reply = s_read_all(fd, NULL);
    close(fd);
    cr_expect_str_eq(reply, "");
    free(reply);
    s_assert_alive();
}

Test(hostile, chunked_body_without_terminating_chunk)
{
    const char *req = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\n{\"mes\r\nfffffff\r\nabc";
    cr_expect_eq(s_raw_str(req, NULL), 0);
    s_assert_alive();
}

/* ---- HTTP/1.1 framing (RFC 9112 section 6) ------------------------------------------- */

/* Send `text` without closing our side and read until the server closes; the number of
 * answers ("HTTP/1.1 NNN" status lines other than 100 Continue) is returned, the reply kept. */
static int s_answers_until_close(const char *text, char **reply_out)
{
    int fd = s_connect();
    s_send(fd, text, strlen(text));
    char *reply = s_read_all(fd, NULL);
    close(fd);
    int n = 0;
    for (const char *p = reply; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++) {
        n += strncmp(p, "HTTP/1.1 100", 12) != 0;
    }
    *reply_out = reply;
    return n;
}

#define HELLO_LEN_TEXT "59" /* strlen(HELLO); its chunk size is 3b */

Test(hostile, conflicting_content_lengths_are_refused)
{
    cr_assert_eq(strlen(HELLO), 59);
    char *reply = NULL;
    int status = s_raw_str("POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: " HELLO_LEN_TEXT
                           "\r\nContent-Length: 5\r\n\r\n" HELLO,
                           &reply);
    cr_expect(strstr(reply, "conflicting Content-Length") != NULL, "%s", reply);
    s_expect_error(status, reply, 400, "SerializationException");
    /* The same length twice is one length (RFC 9110 section 8.6): answered. */
    cr_expect_eq(s_raw_str("POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: " HELLO_LEN_TEXT
                           "\r\nContent-Length: " HELLO_LEN_TEXT "\r\n\r\n" HELLO,
                           NULL),
                 200);
    s_assert_alive();
}

Test(hostile, content_length_with_transfer_encoding_is_answered_then_closed)
{
    /* Two requests in a row: a kept-alive connection answers both, a closed one only the first. */
    const char *both = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n3b\r\n" HELLO "\r\n0\r\n\r\n"
                       "GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n";
    char *reply = NULL;
    cr_expect_eq(s_answers_until_close(both, &reply), 1, "%s", reply);
    cr_expect_eq(strncmp(reply, "HTTP/1.1 200", 12), 0, "%s", reply);
    cr_expect(strcasestr(reply, "\r\nConnection: close\r\n") != NULL, "%s", reply);
    free(reply);
    const char *chunked = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n3b\r\n" HELLO "\r\n0\r\n\r\n"
                          "GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    cr_expect_eq(s_answers_until_close(chunked, &reply), 2, "chunked alone keeps the connection: %s", reply);
    free(reply);
    s_assert_alive();
}

Test(hostile, expect_continue_with_a_length_over_the_limit_is_413_not_100)
{
    char *reply = NULL;
    cr_expect_eq(s_answers_until_close("POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\n"
                                       "Content-Length: 1000000000000\r\nExpect: 100-continue\r\n\r\n",
                                       &reply),
                 1, "%s", reply);
    cr_expect(strstr(reply, "100 Continue") == NULL, "%s", reply);
    s_expect_error(strncmp(reply, "HTTP/1.1 413", 12) == 0 ? 413 : 0, reply, 413, "RequestEntityTooLargeException");
    /* Within the limit the client is told to go on, and its body is read. */
    int fd = s_connect();
    const char *head = "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       "Content-Length: " HELLO_LEN_TEXT "\r\nExpect: 100-continue\r\n\r\n";
    s_send(fd, head, strlen(head));
    char cont[64] = "";
    cr_assert_gt(recv(fd, cont, sizeof(cont) - 1, 0), 0);
    cr_expect(strstr(cont, "100 Continue") != NULL, "%s", cont);
    s_send(fd, HELLO, strlen(HELLO));
    reply = s_read_all(fd, NULL);
    close(fd);
    cr_expect(strstr(reply, "HTTP/1.1 200") != NULL, "%s", reply);
    free(reply);
    s_assert_alive();
}

static char *s_query_request(unsigned n_args)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    brk_buf_append_str(&b, "GET /_mock/health?");
    for (unsigned i = 0; i < n_args; i++) {
        brk_buf_appendf(&b, "%sa%u=b", i ? "&" : "", i);
    }
    brk_buf_append_str(&b, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return brk_buf_detach(&b, NULL);
}

Test(hostile, too_many_query_arguments_get_an_aws_error_not_silence)
{
    char *req = s_query_request(2000);
    char *reply = NULL;
    int status = s_raw_str(req, &reply);
    free(req);
    cr_expect(strstr(reply, "more than 64 query arguments") != NULL, "%s", reply);
    s_expect_error(status, reply, 400, "SerializationException");
    req = s_query_request(64);
    cr_expect_eq(s_raw_str(req, NULL), 200, "64 arguments are within the limit");
    free(req);
    s_assert_alive();
}

/* ---- bytes and JSON ----------------------------------------------------------------- */

Test(hostile, not_json_and_not_an_object)
{
    char *reply = NULL;
    int status = s_post_json("not json", &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    status = s_post_json("[1,2,3]", &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    status = s_post_json("", &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    s_assert_alive();
}

Test(hostile, invalid_utf8_in_text)
{
    const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"\xff\xfe\xc3(\xed\xa0\x80\"}]}]}";
    char *reply = NULL;
    int status = s_post_json(body, &reply);
    cr_expect(status == 200 || status == 400, "%d %s", status, reply);
    free(reply);
    s_assert_alive();
}

Test(hostile, nul_bytes_in_the_body)
{
    const char body[] = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\0b\"}]}]}";
    char *reply = NULL;
    int status = s_post(CONVERSE_PATH, body, sizeof(body) - 1, sizeof(body) - 1, &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    const char lead[] = "\0{}";
    status = s_post(CONVERSE_PATH, lead, 3, 3, &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    s_assert_alive();
}

Test(hostile, deep_json_nesting)
{
    /* 4000 levels: far past cJSON's nesting limit of 1000, inside the 4 KiB body limit. */
    char *body = malloc(MAX_BODY + 1);
    memset(body, '[', 2000);
    memset(body + 2000, ']', 2000);
    body[4000] = '\0';
    char *reply = NULL;
    int status = s_post_json(body, &reply);
    s_expect_error(status, reply, 400, "SerializationException");
    /* Nesting inside a valid request: 500 levels of objects in a tool input. */
    struct brk_buf b;
    brk_buf_init(&b, MAX_BODY);
    brk_buf_append_str(
        &b, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"additionalModelRequestFields\":");
    for (int i = 0; i < 500; i++) {
        brk_buf_append_str(&b, "{\"a\":");
    }
    brk_buf_append_str(&b, "1");
    for (int i = 0; i < 500; i++) {
        brk_buf_append_str(&b, "}");
    }
    brk_buf_append_str(&b, "}");
    status = s_post_json(b.data, &reply);
    cr_expect(status == 200 || status == 400, "%d %s", status, reply);
    free(reply);
    brk_buf_clean_up(&b);
    free(body);
    s_assert_alive();
}

/* Under make test SANITIZE=1 this is also the regression test for the validator's casts of
 * 1e999 (inf) and 1e308 to long long (mock/validate/schema.c s_to_ll): undefined behaviour before. */
Test(hostile, huge_numbers)
{
    char *reply = NULL;
    int status = s_post_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],"
                             "\"inferenceConfig\":{\"maxTokens\":1e999}}",
                             &reply);
    s_expect_error(status, reply, 400, "ValidationException");
    status = s_post_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],"
                         "\"inferenceConfig\":{\"maxTokens\":-1e308,\"temperature\":1e308,\"topP\":-0}}",
                         &reply);
    cr_expect(status == 200 || status == 400, "%d %s", status, reply);
    free(reply);
    status = s_post_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],"
                         "\"inferenceConfig\":{\"maxTokens\":123456789012345678901234567890}}",
                         &reply);
    s_expect_error(status, reply, 400, "ValidationException");
    /* InvokeModel bodies skip the schema's integer check: found by fuzz-smoke (UBSan, a double
     * beyond uint64_t cast in mock/model/reply.c); the count now saturates. */
    const char *invoke = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1e66,"
                         "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    status = s_post("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", invoke, strlen(invoke), strlen(invoke),
                    &reply);
    cr_expect_eq(status, 200, "%s", reply);
    free(reply);
    s_assert_alive();
}

Test(hostile, duplicate_keys)
{
    char *reply = NULL;
    int status = s_post_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],"
                             "\"messages\":\"second\",\"inferenceConfig\":{\"maxTokens\":10,\"maxTokens\":1e9}}",
                             &reply);
    cr_expect(status == 200 || status == 400, "%d %s", status, reply);
    free(reply);
    s_assert_alive();
}

/* ---- headers, paths, methods, connections ------------------------------------------- */

static char *s_with_headers(size_t n_headers, size_t value_len)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    brk_buf_append_str(&b, "POST " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    for (size_t i = 0; i < n_headers; i++) {
        brk_buf_appendf(&b, "X-Hostile-%zu: %0*d\r\n", i, (int)value_len, 7);
    }
    brk_buf_appendf(&b, "Connection: close\r\nContent-Length: %zu\r\n\r\n%s", strlen(HELLO), HELLO);
    return brk_buf_detach(&b, NULL);
}

Test(hostile, more_headers_than_the_request_record_keeps)
{
    /* 100 short headers fit libmicrohttpd's buffer; the mock keeps the first 64 and answers. */
    char *req = s_with_headers(100, 1);
    char *reply = NULL;
    cr_expect_eq(s_raw_str(req, &reply), 200, "%s", reply);
    free(reply);
    free(req);
    s_assert_alive();
}

Test(hostile, thousands_of_headers)
{
    char *req = s_with_headers(5000, 8);
    int status = s_raw_str(req, NULL);
    /* libmicrohttpd answers 431 and closes; a client still sending may see a reset instead. */
    cr_expect(status == 0 || status == 431, "status %d", status);
    free(req);
    s_assert_alive();
}

Test(hostile, one_enormous_header)
{
    char *req = s_with_headers(1, 1u << 20);
    int status = s_raw_str(req, NULL);
    /* libmicrohttpd answers 431 and closes; a client still sending may see a reset instead. */
    cr_expect(status == 0 || status == 431, "status %d", status);
    free(req);
    s_assert_alive();
}

Test(hostile, very_long_paths)
{
    /* A model id longer than any label the router keeps: not an operation. */
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    brk_buf_append_str(&b, "/model/");
    for (int i = 0; i < 3000; i++) {
        brk_buf_append_str(&b, "a");
    }
    brk_buf_append_str(&b, "/converse");
    char *reply = NULL;
    int status = s_post(b.data, HELLO, strlen(HELLO), strlen(HELLO), &reply);
    s_expect_error(status, reply, 404, "UnknownOperationException");
    /* 200 KB of path: past libmicrohttpd's buffer, refused before the mock sees it. */
    brk_buf_reset(&b);
    brk_buf_append_str(&b, "/model/");
    for (int i = 0; i < 200000; i++) {
        brk_buf_append_str(&b, "%41");
    }
    status = s_post(b.data, HELLO, strlen(HELLO), strlen(HELLO), NULL);
    cr_expect(status == 0 || status == 414, "status %d", status); /* 414 URI Too Long, or a reset */
    brk_buf_clean_up(&b);
    s_assert_alive();
}

Test(hostile, path_traversal_opens_no_file)
{
    const char *paths[] = {"/../../../../etc/passwd", "/model/..%2F..%2F..%2Fetc%2Fpasswd/converse",
                           "/_mock/../../etc/passwd", "/_mock/%2e%2e/%2e%2e/etc/passwd"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char req[512];
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", paths[i]);
        char *reply = NULL;
        int status = s_raw_str(req, &reply);
        cr_expect(status == 400 || status == 404, "%s -> %d", paths[i], status);
        cr_expect(strstr(reply, "root:") == NULL, "%s leaked a file", paths[i]);
        free(reply);
    }
    s_assert_alive();
}

Test(hostile, methods_other_than_post)
{
    const char *methods[] = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        char req[512];
        snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                 methods[i], CONVERSE_PATH, strlen(HELLO), HELLO);
        char *reply = NULL;
        int status = s_raw_str(req, &reply);
        s_expect_error(status, reply, 404, "UnknownOperationException");
    }
    char *reply = NULL;
    int status = s_raw_str("HEAD " CONVERSE_PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &reply);
    cr_expect_eq(status, 404, "%s", reply);
    free(reply);
    s_assert_alive();
}

Test(hostile, garbage_instead_of_http)
{
    const unsigned char tls_hello[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x00};
    int status = s_raw(tls_hello, sizeof(tls_hello), NULL);
    cr_expect_eq(status, 0, "libmicrohttpd closes without an answer, got %d", status);
    status = s_raw_str("\r\n\r\n\r\n", NULL);
    cr_expect(status == 0 || status == 400, "status %d", status);
    status = s_raw_str("POST " CONVERSE_PATH " HTTP/9.9\r\n\r\n", NULL);
    cr_expect_eq(status, 505, "status %d", status);
    s_assert_alive();
}

Test(hostile, connection_flood_past_the_limit)
{
    /* 40 idle connections against a limit of 16: the extra ones are refused or closed, and
     * once they are gone the server takes requests again. */
    int fds[40];
    for (size_t i = 0; i < 40; i++) {
        fds[i] = s_connect();
    }
    for (size_t i = 0; i < 40; i++) {
        close(fds[i]);
    }
    /* Their threads see the close a moment later (much later under valgrind): wait for that. */
    cr_assert(th_served_soon(s_mock, false), "the server takes requests again");
    s_assert_alive();
}

/* ---- regressions found by fuzz/ ------------------------------------------------------ */

Test(hostile, clock_advance_beyond_int64_is_refused)
{
    /* fuzz/corpus/admin_body/clock_huge: 1e300 was cast to int64_t (undefined behaviour). */
    struct th_response a = th_request(s_mock, "GET", "/_mock/clock", NULL, NULL);
    double t0 = cJSON_GetObjectItem(a.json, "now_ms")->valuedouble;
    struct th_response b = th_request(s_mock, "POST", "/_mock/clock", "{\"advance_ms\": 1e300}", NULL);
    cr_expect_eq(b.status, 400, "%s", b.body);
    cr_expect(strstr(th_message(&b), "9007199254740992") != NULL, "%s", b.body);
    struct th_response c = th_request(s_mock, "POST", "/_mock/clock", "{\"advance_ms\": 1000000000000000}", NULL);
    cr_expect_eq(c.status, 200, "%s", c.body);
    cr_expect_eq(cJSON_GetObjectItem(c.json, "now_ms")->valuedouble, t0 + 1e15);
    th_response_free(&a);
    th_response_free(&b);
    th_response_free(&c);
    s_assert_alive();
}

Test(hostile_units, virtual_clock_saturates_instead_of_wrapping)
{
    struct brk_clock *clock = brk_clock_new(BRK_CLOCK_VIRTUAL, 1000);
    cr_assert_eq(brk_clock_advance(clock, INT64_MAX - 10), BRK_OK);
    cr_assert_eq(brk_clock_advance(clock, INT64_MAX), BRK_OK);
    cr_expect_eq(brk_clock_now_ms(clock), INT64_MAX);
    cr_expect_eq(brk_clock_advance(clock, -1), BRK_ERR_INVALID_ARG);
    brk_clock_destroy(clock);
}

Test(hostile_units, catalogue_counts_are_clamped)
{
    /* fuzz/corpus/models_load/regression_huge_and_negative_counts: casts of 1e300 and -5. */
    const char *json =
        "{\"models\":[{\"id\":\"a.b\",\"max_output_tokens\":1e300,\"cache_min_tokens\":-5,"
        "\"output_burndown\":\"x\",\"quota\":{\"tokens_per_minute\":1e300,\"requests_per_minute\":-1}}]}";
    struct mock_catalog *cat = NULL;
    char err[256] = "";
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    const struct mock_model *m = &cat->models[0];
    cr_expect_eq(m->max_output_tokens, 9007199254740992u);
    cr_expect_eq(m->cache_min_tokens, 0);
    cr_expect_eq(m->output_burndown, 1, "a non-number keeps the default");
    cr_expect_eq(m->quota.tokens_per_minute, 9007199254740992u);
    cr_expect_eq(m->quota.requests_per_minute, 0);
    mock_catalog_destroy(cat);
}
