/* Unit tests for the small common modules: status, buf, aws_error, clock, rng, tokens, hash
 * (constant-time comparison included). */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "bedrock/aws_error.h"
#include "bedrock/buf.h"
#include "bedrock/error.h"
#include "common/cachepoint.h"
#include "bedrock/clock.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/rng.h"
#include "bedrock/status.h"
#include "common/tokens.h"

Test(status, every_code_has_text_and_out_of_range_is_safe)
{
    for (int i = 0; i < BRK_STATUS_COUNT; i++) {
        cr_assert_neq(strcmp(brk_status_str((enum brk_status)i), "unknown status"), 0);
    }
    cr_assert_str_eq(brk_status_str(BRK_ERR_PARSE), "malformed input");
    cr_assert_str_eq(brk_status_name(BRK_ERR_PARSE), "BRK_ERR_PARSE");
    cr_assert_str_eq(brk_status_str((enum brk_status)999), "unknown status");
}

Test(buf, appends_and_terminates)
{
    struct brk_buf b;
    brk_buf_init(&b, 100);
    cr_assert_eq(brk_buf_append_str(&b, "abc"), BRK_OK);
    cr_assert_eq(brk_buf_appendf(&b, "-%d", 42), BRK_OK);
    cr_assert_str_eq(b.data, "abc-42");
    cr_assert_eq(b.len, 6);
    brk_buf_clean_up(&b);
    brk_buf_clean_up(&b); /* twice is fine */
}

Test(buf, refuses_past_its_cap_and_keeps_contents)
{
    struct brk_buf b;
    brk_buf_init(&b, 8);
    cr_assert_eq(brk_buf_append_str(&b, "12345678"), BRK_OK);
    cr_assert_eq(brk_buf_append_str(&b, "9"), BRK_ERR_TOO_LARGE);
    cr_assert_eq(brk_buf_appendf(&b, "%s", "x"), BRK_ERR_TOO_LARGE);
    cr_assert_str_eq(b.data, "12345678");
    brk_buf_clean_up(&b);
}

Test(buf, json_string_escapes_controls)
{
    struct brk_buf b;
    brk_buf_init(&b, 100);
    brk_buf_append_json_str(&b, "a\"b\\c\n\x01", 7);
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
    brk_buf_clean_up(&b);
}

Test(buf, reads_a_file_up_to_its_cap)
{
    char path[] = "/tmp/brk-buf-read-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "0123456789", 10), 10);
    close(fd);
    struct brk_buf b;
    brk_buf_init(&b, 10);
    cr_assert_eq(brk_buf_read_file(&b, path), BRK_OK);
    cr_assert_str_eq(b.data, "0123456789");
    brk_buf_clean_up(&b);
    brk_buf_init(&b, 4); /* must fail: larger than the cap, keeps what fits */
    cr_assert_eq(brk_buf_read_file(&b, path), BRK_ERR_TOO_LARGE);
    cr_assert_str_eq(b.data, "0123");
    brk_buf_clean_up(&b);
    unlink(path);
    brk_buf_init(&b, 10); /* must fail: no such file */
    cr_assert_eq(brk_buf_read_file(&b, path), BRK_ERR_IO);
    cr_assert_null(b.data);
}

Test(clock, cond_deadline_is_ahead_normalised_and_waits_on_the_monotonic_clock)
{
    struct timespec now, d;
    clock_gettime(CLOCK_MONOTONIC, &now);
    brk_clock_cond_deadline(1999, &d);
    cr_assert_lt(d.tv_nsec, 1000000000L);
    cr_assert_geq((d.tv_sec - now.tv_sec) * 1000 + (d.tv_nsec - now.tv_nsec) / 1000000, 1999);
    pthread_cond_t cond;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    brk_clock_cond_init(&cond);
    pthread_mutex_lock(&lock);
    brk_clock_cond_deadline(-5, &d); /* must fail: past, so the wait times out at once (not EINVAL) */
    cr_assert_eq(pthread_cond_timedwait(&cond, &lock, &d), ETIMEDOUT);
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&cond);
}

Test(aws_error, table_matches_service_model_statuses)
{
    cr_assert_eq(brk_aws_error_find("ThrottlingException")->http_status, 429);
    cr_assert_eq(brk_aws_error_find("ServiceQuotaExceededException")->http_status, 400);
    cr_assert_eq(brk_aws_error_find("ModelNotReadyException")->http_status, 429);
    cr_assert_eq(brk_aws_error_find("ModelStreamErrorException")->http_status, 424);
    cr_assert_eq(brk_aws_error_find("ServiceUnavailableException")->http_status, 503);
    cr_assert_eq(brk_aws_error_find("throttlingException")->id, BRK_AWS_THROTTLING);
    cr_assert_null(brk_aws_error_find("NoSuchException"));
    cr_assert_null(brk_aws_error_find("ModelNotReadyException")->stream_member);
}

Test(aws_error, type_header_has_code_and_namespace)
{
    char h[256];
    brk_aws_error_type_header(brk_aws_error_get(BRK_AWS_THROTTLING), h, sizeof(h));
    cr_assert_str_eq(h, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
}

Test(clock, virtual_moves_only_when_advanced)
{
    struct brk_clock *c = brk_clock_new(BRK_CLOCK_VIRTUAL, 1000);
    cr_assert_eq(brk_clock_now_ms(c), 1000);
    cr_assert_eq(brk_clock_advance(c, 300000), BRK_OK);
    cr_assert_eq(brk_clock_now_ms(c), 301000);
    cr_assert_eq(brk_clock_advance(c, -1), BRK_ERR_INVALID_ARG);
    brk_clock_destroy(c);
}

Test(clock, real_cannot_be_advanced)
{
    struct brk_clock *c = brk_clock_new(BRK_CLOCK_REAL, 0);
    cr_assert_eq(brk_clock_advance(c, 1), BRK_ERR_STATE);
    cr_assert_gt(brk_clock_now_ms(c), 1700000000000LL);
    brk_clock_destroy(c);
}

Test(clock, virtual_sleep_advances_exactly_and_at_once)
{
    struct brk_clock *c = brk_clock_new(BRK_CLOCK_VIRTUAL, 1000);
    /* 20 s of exponential backoff with jitter-free delays: virtual time adds them up exactly. */
    const int64_t waits_ms[] = {500, 1000, 2000, 4000, 8000, 4500, 0};
    int64_t sum = 0;
    for (size_t i = 0; i < sizeof(waits_ms) / sizeof(waits_ms[0]); i++) {
        cr_assert_eq(brk_clock_sleep_ms(c, waits_ms[i]), BRK_OK);
        sum += waits_ms[i];
        cr_assert_eq(brk_clock_now_ms(c), 1000 + sum);
    }
    cr_assert_eq(sum, 20000);
    cr_assert_eq(brk_clock_sleep_ms(c, -1), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_clock_now_ms(c), 21000, "a refused sleep moves nothing");
    brk_clock_destroy(c);
}

static volatile sig_atomic_t s_alarms;

static void s_on_alarm(int sig)
{
    (void)sig;
    s_alarms++;
}

Test(clock, real_sleep_lasts_at_least_the_time_asked_even_across_a_signal)
{
    struct brk_clock *c = brk_clock_new(BRK_CLOCK_REAL, 0);
    int64_t t0 = brk_clock_monotonic_us();
    cr_assert_eq(brk_clock_sleep_ms(c, 40), BRK_OK);
    cr_assert_geq(brk_clock_monotonic_us() - t0, 40 * 1000);
    t0 = brk_clock_monotonic_us();
    cr_assert_eq(brk_clock_sleep_ms(NULL, 20), BRK_OK, "no clock is the real clock");
    cr_assert_geq(brk_clock_monotonic_us() - t0, 20 * 1000);
    cr_assert_eq(brk_clock_sleep_ms(c, -5), BRK_ERR_INVALID_ARG);
    /* A signal 10 ms in (no SA_RESTART) interrupts the sleep; it must go on to its deadline. */
    struct sigaction sa = {.sa_handler = s_on_alarm};
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = {.it_value = {.tv_sec = 0, .tv_usec = 10000}};
    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    t0 = brk_clock_monotonic_us();
    brk_clock_sleep_real_ms(60);
    cr_assert_geq(brk_clock_monotonic_us() - t0, 60 * 1000);
    cr_assert_eq(s_alarms, 1, "the signal arrived");
    brk_clock_destroy(c);
}

Test(rng, same_seed_same_sequence_and_uuid_shape)
{
    struct brk_rng a, b;
    brk_rng_seed(&a, 7);
    brk_rng_seed(&b, 7);
    char ua[37], ub[37];
    brk_rng_uuid(&a, ua);
    brk_rng_uuid(&b, ub);
    cr_assert_str_eq(ua, ub);
    cr_assert_eq(strlen(ua), 36);
    cr_assert_eq(ua[14], '4');
    cr_assert(strchr("89ab", ua[19]) != NULL);
    brk_rng_seed(&b, 8);
    brk_rng_uuid(&b, ub);
    cr_assert_str_neq(ua, ub);
}

Test(tokens, follows_the_documented_rules)
{
    cr_assert_eq(brk_tokens_estimate_str(""), 0);
    cr_assert_eq(brk_tokens_estimate_str("Hello"), 1);
    cr_assert_eq(brk_tokens_estimate_str("international"), 3); /* 13 letters: 1 + 12/6 */
    cr_assert_eq(brk_tokens_estimate_str("Hello, world!"), 4);
    cr_assert_eq(brk_tokens_estimate_str("1234567"), 3);
    cr_assert_eq(brk_tokens_estimate_str("caf\xc3\xa9"), 2);
    cr_assert_eq(brk_tokens_estimate_str("The quick brown fox jumps over the lazy dog."), 10);
}

Test(tokens, prefix_cuts_at_token_boundary)
{
    const char *t = "one two three four";
    size_t n = brk_tokens_prefix_len(t, strlen(t), 2);
    cr_assert_eq(n, 8); /* "one two " */
    cr_assert_eq(brk_tokens_prefix_len(t, strlen(t), 100), strlen(t));
}

Test(cachepoint, counts_each_section_and_ignores_nested)
{
    cJSON *req = cJSON_Parse(
        "{\"system\":[{\"text\":\"s\"},{\"cachePoint\":{\"type\":\"default\"}}],"
        "\"toolConfig\":{\"tools\":[{\"cachePoint\":{\"type\":\"default\"}}]},"
        "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"},{\"cachePoint\":{\"type\":\"default\"}},"
        "{\"toolResult\":{\"toolUseId\":\"a\",\"content\":[{\"cachePoint\":{\"type\":\"default\"}}]}}]}]}");
    struct brk_cachepoint_counts c;
    brk_cachepoint_count(req, &c);
    cr_assert_eq(c.system, 1);
    cr_assert_eq(c.tools, 1);
    cr_assert_eq(c.messages, 1);
    cr_assert_eq(c.total, 3);
    brk_cachepoint_count(NULL, &c);
    cr_assert_eq(c.total, 0);
    cJSON_Delete(req);
}

Test(hash, sha256_matches_the_standard_vectors)
{
    unsigned char md[BRK_SHA256_LEN];
    char hex[2 * BRK_SHA256_LEN + 1];
    const char *in[] = {"", "abc"};
    const char *want[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"};
    for (int v = 0; v < 2; v++) {
        cr_assert_eq(brk_sha256(in[v], strlen(in[v]), md), 0);
        for (int i = 0; i < BRK_SHA256_LEN; i++) {
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        }
        cr_assert_str_eq(hex, want[v], "SHA-256(\"%s\")", in[v]);
    }
}

Test(hash, hash64_is_stable_and_sees_every_byte)
{
    /* Pinned values: replies derived from this hash must not change between runs or machines. */
    cr_assert_eq(brk_hash64("", 0), brk_hash64(NULL, 0));
    cr_assert_eq(brk_hash64("abc", 3), 0xee71c70a77e38fbfULL);
    cr_assert_eq(brk_hash64("The quick brown fox jumps over the lazy dog", 43), 0x296722622653019bULL);
    char buf[40];
    memset(buf, 'x', sizeof(buf));
    uint64_t base = brk_hash64(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] ^= 1;
        cr_assert_neq(brk_hash64(buf, sizeof(buf)), base, "byte %zu changed nothing", i);
        buf[i] ^= 1;
    }
    cr_assert_neq(brk_hash64(buf, 8), brk_hash64(buf, 9), "length counts");
    cr_assert_neq(brk_hash64("\0", 1), brk_hash64("", 0), "a NUL byte counts");
}

/* The definition hash64 keeps (docs: common/hash.h): brk_mix64 chained over the little-endian
 * 8-byte words, seeded with the length, the tail folded in with the length in the top byte.
 * Computed here from brk_mix64 byte by byte, for lengths around every word boundary and at an
 * unaligned start, so a faster loop cannot drift from it. */
static uint64_t s_hash64_reference(const unsigned char *p, size_t len)
{
    uint64_t h = brk_mix64(len);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--) {
            w = (w << 8) | p[i + (size_t)b];
        }
        h = brk_mix64(h ^ w);
    }
    uint64_t tail = 0;
    for (size_t b = len; b > i; b--) {
        tail = (tail << 8) | p[b - 1];
    }
    return brk_mix64(h ^ tail ^ ((uint64_t)(len - i) << 56));
}

Test(hash, hash64_is_the_mix64_chain_over_little_endian_words)
{
    unsigned char buf[200];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 131 + 7);
    }
    for (size_t start = 0; start < 3; start++) {
        for (size_t len = 0; len + start <= sizeof(buf); len++) {
            cr_assert_eq(brk_hash64(buf + start, len), s_hash64_reference(buf + start, len), "start %zu, %zu bytes",
                         start, len);
        }
    }
    cr_assert_neq(brk_hash64(buf, 16), s_hash64_reference(buf + 1, 16), "different bytes, different hash");
}

static void s_hex128(const unsigned char md[BRK_HASH128_LEN], char hex[2 * BRK_HASH128_LEN + 1])
{
    for (int i = 0; i < BRK_HASH128_LEN; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
}

/* The definition hash128 keeps (common/hash.h), computed here the slow way: the whole input
 * zero-padded to 32-byte blocks, four lanes from pi's digits, the same per-word step, and the
 * two finishing chains over brk_mix64 with the byte count. */
static void s_hash128_reference(const unsigned char *p, size_t len, unsigned char out[BRK_HASH128_LEN])
{
    const uint64_t k1 = 0xBF58476D1CE4E5B9ULL, k2 = 0x94D049BB133111EBULL;
    uint64_t v[4] = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL, 0xA4093822299F31D0ULL, 0x082EFA98EC4E6C89ULL};
    for (size_t at = 0; at < len; at += 32) {
        uint64_t w[4] = {0, 0, 0, 0}, x[4];
        for (size_t b = 0; b < 32 && at + b < len; b++) {
            w[b / 8] |= (uint64_t)p[at + b] << (8 * (b % 8));
        }
        for (int i = 0; i < 4; i++) {
            uint64_t m = (v[i] ^ w[i]) * k1;
            x[i] = ((m << 29) | (m >> 35)) + w[(i + 3) % 4] * k2;
        }
        memcpy(v, x, sizeof(v));
    }
    uint64_t n = len;
    uint64_t lo = brk_mix64(v[0] ^ brk_mix64(v[1] ^ brk_mix64(v[2] ^ brk_mix64(v[3] ^ n))));
    uint64_t hi = brk_mix64(v[3] + brk_mix64(v[2] + brk_mix64(v[1] + brk_mix64(v[0] + ~n))));
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(lo >> (8 * i));
        out[8 + i] = (unsigned char)(hi >> (8 * i));
    }
}

Test(hash, hash128_is_stable_and_matches_its_definition)
{
    /* Pinned values: prefix keys shown by GET /_mock/cache must not change between runs or
     * machines. */
    unsigned char md[BRK_HASH128_LEN], ref[BRK_HASH128_LEN];
    char hex[2 * BRK_HASH128_LEN + 1];
    brk_hash128(NULL, 0, md);
    s_hex128(md, hex);
    cr_assert_str_eq(hex, "1cb346d18464f522f0dbcd87be1654f0");
    brk_hash128("abc", 3, md);
    s_hex128(md, hex);
    cr_assert_str_eq(hex, "b20935d1412753e6e97a5f4fab9fc635");
    brk_hash128("The quick brown fox jumps over the lazy dog", 43, md);
    s_hex128(md, hex);
    cr_assert_str_eq(hex, "70c99cd509a367ca78654df89d5aa09c");
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 131 + 7);
    }
    for (size_t start = 0; start < 3; start++) {
        for (size_t len = 0; len + start <= sizeof(buf); len++) {
            brk_hash128(buf + start, len, md);
            s_hash128_reference(buf + start, len, ref);
            cr_assert_eq(memcmp(md, ref, sizeof(md)), 0, "start %zu, %zu bytes", start, len);
        }
    }
    s_hash128_reference(buf + 1, 64, ref);
    brk_hash128(buf, 64, md);
    cr_assert_neq(memcmp(md, ref, sizeof(md)), 0, "different bytes, different hash");
}

/* Fed in pieces of every size, the digest is the one-shot digest of the same bytes, and taking
 * a digest midway changes nothing that follows. */
Test(hash, hash128_streams_and_snapshots_without_disturbing_the_state)
{
    unsigned char buf[257], whole[BRK_HASH128_LEN], md[BRK_HASH128_LEN], mid[BRK_HASH128_LEN];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 7 + 1);
    }
    brk_hash128(buf, sizeof(buf), whole);
    for (size_t piece = 1; piece <= 70; piece++) {
        struct brk_hash128 h;
        brk_hash128_init(&h);
        for (size_t at = 0; at < sizeof(buf); at += piece) {
            size_t take = sizeof(buf) - at < piece ? sizeof(buf) - at : piece;
            brk_hash128_update(&h, buf + at, take);
            brk_hash128_update(&h, NULL, 0);
            brk_hash128_digest(&h, mid);
            unsigned char prefix[BRK_HASH128_LEN];
            brk_hash128(buf, at + take, prefix);
            cr_assert_eq(memcmp(mid, prefix, sizeof(mid)), 0, "pieces of %zu: snapshot at %zu", piece, at + take);
        }
        brk_hash128_digest(&h, md);
        cr_assert_eq(memcmp(md, whole, sizeof(md)), 0, "pieces of %zu bytes", piece);
    }
    struct brk_hash128 h;
    brk_hash128_init(&h);
    brk_hash128_update(&h, buf, 100);
    brk_hash128_digest(&h, mid);
    brk_hash128_update(&h, buf + 100, 1);
    brk_hash128_digest(&h, md);
    cr_assert_neq(memcmp(md, mid, sizeof(md)), 0, "one byte more, another digest");
}

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every changed byte, every length and a NUL count; many distinct short inputs (the shape of
 * prompt prefixes: a shared head, a differing tail) give distinct digests, and distinct halves. */
Test(hash, hash128_sees_every_byte_and_length)
{
    unsigned char buf[100], base[BRK_HASH128_LEN], md[BRK_HASH128_LEN];
    memset(buf, 'x', sizeof(buf));
    brk_hash128(buf, sizeof(buf), base);
    for (size_t i = 0; i < sizeof(buf); i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (unsigned char)(1u << bit);
            brk_hash128(buf, sizeof(buf), md);
            cr_assert_neq(memcmp(md, base, 8), 0, "byte %zu bit %d: low half", i, bit);
            cr_assert_neq(memcmp(md + 8, base + 8, 8), 0, "byte %zu bit %d: high half", i, bit);
            buf[i] ^= (unsigned char)(1u << bit);
        }
    }
    unsigned char shorter[BRK_HASH128_LEN], nul[BRK_HASH128_LEN], empty[BRK_HASH128_LEN];
    brk_hash128(buf, 31, shorter);
    brk_hash128(buf, 32, md);
    cr_assert_neq(memcmp(md, shorter, sizeof(md)), 0, "length counts");
    brk_hash128("\0", 1, nul);
    brk_hash128("", 0, empty);
    cr_assert_neq(memcmp(nul, empty, sizeof(nul)), 0, "a NUL byte counts, zero padding aside");
    enum { N = 20000 };
    uint64_t *lo = calloc(N, sizeof(*lo)), *hi = calloc(N, sizeof(*hi));
    cr_assert(lo && hi);
    for (int i = 0; i < N; i++) {
        char text[64];
        int len = snprintf(text, sizeof(text), "system prompt, shared head of the prefix %d", i);
        brk_hash128(text, (size_t)len, md);
        memcpy(&lo[i], md, 8);
        memcpy(&hi[i], md + 8, 8);
    }
    qsort(lo, N, sizeof(*lo), s_cmp_u64);
    qsort(hi, N, sizeof(*hi), s_cmp_u64);
    for (int i = 1; i < N; i++) {
        cr_assert_neq(lo[i], lo[i - 1], "two inputs share a low half");
        cr_assert_neq(hi[i], hi[i - 1], "two inputs share a high half");
    }
    free(lo);
    free(hi);
}

Test(hash, ct_equal_is_true_only_for_the_same_bytes_and_length)
{
    cr_assert(brk_ct_equal("secret", 6, "secret", 6));
    cr_assert(brk_ct_equal(NULL, 0, "", 0));
    cr_assert(brk_ct_equal("a\0b", 3, "a\0b", 3), "bytes, not C strings");
    cr_assert_not(brk_ct_equal("a\0b", 3, "a\0c", 3), "bytes past a NUL count");
    cr_assert_not(brk_ct_equal("secret", 6, "Secret", 6), "the first byte");
    cr_assert_not(brk_ct_equal("secret", 6, "secreT", 6), "the last byte");
    cr_assert_not(brk_ct_equal("secret", 6, "secret!", 7), "a longer text with the same prefix");
    cr_assert_not(brk_ct_equal("secret", 6, "secre", 5), "a prefix");
    cr_assert_not(brk_ct_equal("", 0, "x", 1));
    char a[300], b[300];
    memset(a, 'k', sizeof(a));
    memcpy(b, a, sizeof(b));
    for (size_t i = 0; i < sizeof(a); i++) {
        b[i] ^= 0x80;
        cr_assert_not(brk_ct_equal(a, sizeof(a), b, sizeof(b)), "byte %zu differs", i);
        b[i] ^= 0x80;
    }
    cr_assert(brk_ct_equal(a, sizeof(a), b, sizeof(b)));
}

Test(error, setf_records_status_and_message_and_clear_resets)
{
    struct brk_error err;
    cr_assert_eq(brk_error_setf(&err, BRK_ERR_CONFIG, "no region: set %s", "AWS_REGION"), BRK_ERR_CONFIG);
    cr_assert_eq(err.status, BRK_ERR_CONFIG);
    cr_assert_str_eq(err.message, "no region: set AWS_REGION");
    cr_assert_null(err.aws);
    brk_error_clear(&err);
    cr_assert_eq(err.status, BRK_OK);
    cr_assert_str_eq(err.message, "");
    cr_assert_eq(brk_error_setf(NULL, BRK_ERR_TIMEOUT, "x"), BRK_ERR_TIMEOUT);
}
