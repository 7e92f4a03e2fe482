/*
 * test_oom.c: out-of-memory torture of common/ (curl's "torture" runs, STYLE.md lesson 5).
 *
 * Each case is one call of a fallible function of common/ that frees all it took. s_torture
 * runs it once to count its allocations (brk_alloc_count), then once for each n in 1..count
 * with the nth failing (brk_alloc_fail_at): every such run must report BRK_ERR_NOMEM (or NULL),
 * and free what it had taken, which `make test SANITIZE=1` (LeakSanitizer) and valgrind check.
 * cJSON allocates through the wrappers too (brk_alloc_hook_cjson in the suite's init), so the
 * trees these cases build count. OpenSSL's own allocations are not hooked.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "bedrock/eventstream.h"
#include "bedrock/sigv4.h"
#include "common/alloc.h"
#include "common/json.h"
#include "common/uri.h"
#include "tests/support/harness.h"

static void s_init(void)
{
    brk_alloc_hook_cjson();
}

static void s_fini(void)
{
    brk_alloc_fail_at(0);
}

TestSuite(oom, .init = s_init, .fini = s_fini);

/* Run `fn` with no failure, then with each of its allocations failing in turn. */
static void s_torture(const char *what, enum brk_status (*fn)(void))
{
    brk_alloc_fail_at(0);
    cr_assert_eq(fn(), BRK_OK, "%s fails with no allocation failing", what);
    long count = brk_alloc_count();
    cr_assert_gt(count, 0, "%s allocates nothing: no out-of-memory path to test", what);
    for (long n = 1; n <= count; n++) {
        brk_alloc_fail_at(n);
        enum brk_status rc = fn();
        brk_alloc_fail_at(0);
        cr_assert_eq(rc, BRK_ERR_NOMEM, "%s, allocation %ld of %ld failing: %s", what, n, count, brk_status_name(rc));
    }
}

/* ---- buf -------------------------------------------------------------------------------- */

static enum brk_status s_buf_appends(void)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    char chunk[100];
    memset(chunk, 'x', sizeof(chunk));
    enum brk_status rc = BRK_OK;
    for (int i = 0; i < 40 && rc == BRK_OK; i++) { /* 4000 bytes: several doublings from 64 */
        rc = brk_buf_append(&b, chunk, sizeof(chunk));
    }
    rc = rc == BRK_OK ? brk_buf_appendf(&b, "%0*d", 5000, 7) : rc;
    rc = rc == BRK_OK ? brk_buf_append_str(&b, "end") : rc;
    if (rc == BRK_OK && b.len != 9003) {
        rc = BRK_ERR_STATE;
    }
    brk_buf_clean_up(&b);
    return rc;
}

Test(oom, buf_append_appendf)
{
    s_torture("brk_buf_append/appendf", s_buf_appends);
}

static enum brk_status s_buf_detach_empty(void)
{
    struct brk_buf b;
    brk_buf_init(&b, 16);
    char *data = brk_buf_detach(&b, NULL); /* nothing appended: an allocated "" */
    enum brk_status rc = data ? BRK_OK : BRK_ERR_NOMEM;
    brk_free(data);
    return rc;
}

Test(oom, buf_detach)
{
    s_torture("brk_buf_detach", s_buf_detach_empty);
}

static enum brk_status s_buf_read_file(void)
{
    char path[1024];
    th_source_path("fixtures/models.json", path, sizeof(path));
    struct brk_buf b;
    brk_buf_init(&b, 1u << 24);
    enum brk_status rc = brk_buf_read_file(&b, path);
    brk_buf_clean_up(&b);
    return rc;
}

Test(oom, buf_read_file)
{
    s_torture("brk_buf_read_file", s_buf_read_file);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static cJSON *s_tree;

static enum brk_status s_json_print(void)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    enum brk_status rc = brk_json_print(s_tree, &b);
    rc = rc == BRK_OK ? brk_buf_append_json_str(&b, "a\"b\\c\n\x01", 7) : rc;
    brk_buf_clean_up(&b);
    return rc;
}

Test(oom, json_print)
{
    size_t len = 0;
    char *text = th_read_source_file("fixtures/models.json", &len);
    cr_assert_not_null(text);
    s_tree = cJSON_ParseWithLength(text, len); /* through the hooked allocator, before counting */
    free(text);
    cr_assert_not_null(s_tree);
    s_torture("brk_json_print", s_json_print);
    cJSON_Delete(s_tree);
}

/* ---- URI -------------------------------------------------------------------------------- */

static enum brk_status s_uri_encode(void)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 16);
    enum brk_status rc = BRK_OK;
    for (int i = 0; i < 20 && rc == BRK_OK; i++) {
        rc = brk_uri_encode_label("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x", 61, &b);
    }
    brk_buf_clean_up(&b);
    return rc;
}

Test(oom, uri_encode)
{
    s_torture("brk_uri_encode_label", s_uri_encode);
}

/* ---- event stream ----------------------------------------------------------------------- */

static enum brk_status s_es_encode_decode(void)
{
    struct brk_es_header h[3] = {
        brk_es_header_string(":event-type", "contentBlockDelta"),
        brk_es_header_string(":content-type", "application/json"),
        brk_es_header_string(":message-type", "event"),
    };
    const char *json = "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello, world\"}}";
    struct brk_buf frames;
    brk_buf_init(&frames, 1u << 20);
    enum brk_status rc = BRK_OK;
    for (int i = 0; i < 8 && rc == BRK_OK; i++) {
        rc = brk_es_encode(&frames, h, 3, json, strlen(json));
    }
    struct brk_es_decoder dec;
    brk_es_decoder_init(&dec);
    for (size_t off = 0; rc == BRK_OK && off < frames.len; off += 37) { /* odd chunks: the buffer grows */
        size_t n = frames.len - off < 37 ? frames.len - off : 37;
        rc = brk_es_decoder_feed(&dec, frames.data + off, n);
    }
    struct brk_es_message msg;
    int messages = 0;
    while (rc == BRK_OK && brk_es_decoder_next(&dec, &msg) == BRK_OK) {
        messages++;
    }
    if (rc == BRK_OK && messages != 8) {
        rc = BRK_ERR_STATE;
    }
    brk_es_decoder_clean_up(&dec);
    brk_buf_clean_up(&frames);
    return rc;
}

Test(oom, eventstream_encode_and_decode)
{
    s_torture("brk_es_encode + brk_es_decoder", s_es_encode_decode);
}

/* ---- SigV4 ------------------------------------------------------------------------------ */

static enum brk_status s_sigv4_sign(void)
{
    struct brk_sigv4_params p = {
        .access_key_id = "AKIDEXAMPLE",
        .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .session_token = "token",
        .region = "us-east-1",
        .service = "bedrock",
        .time_s = 1440938160,
        .normalize_path = true,
        .sign_body = true,
    };
    struct brk_sigv4_header headers[] = {
        {"Host", "bedrock-runtime.us-east-1.amazonaws.com"},
        {"Content-Type", "application/json"},
        {"X-Custom", "  a   b  "},
    };
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    const char *body = "{\"messages\":[]}";
    enum brk_status rc =
        brk_sigv4_sign(&p, "POST", "/model/a%3Ab/./converse", "b=2&a=%zz&c", headers, 3, body, strlen(body), &res);
    brk_sigv4_result_clean_up(&res);
    return rc;
}

Test(oom, sigv4_sign)
{
    s_torture("brk_sigv4_sign", s_sigv4_sign);
}

/* ---- clock ------------------------------------------------------------------------------ */

static enum brk_status s_clock_new(void)
{
    struct brk_clock *c = brk_clock_new(BRK_CLOCK_VIRTUAL, 5);
    enum brk_status rc = c ? BRK_OK : BRK_ERR_NOMEM;
    if (c && brk_clock_now_ms(c) != 5) {
        rc = BRK_ERR_STATE;
    }
    brk_clock_destroy(c);
    return rc;
}

Test(oom, clock_new)
{
    s_torture("brk_clock_new", s_clock_new);
}
