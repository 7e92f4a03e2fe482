/*
 * test_uri.c: common/uri.c, the one URI codec. Encoding with the RFC 3986 unreserved set
 * (botocore's label encoding, SigV4's set), strict decoding of paths and forms, and the lenient
 * decoding of SigV4 canonicalisation; every rule has a case that passes and one that fails.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "common/uri.h"

static void s_assert_label(const char *in, const char *want)
{
    struct brk_buf b;
    brk_buf_init(&b, 1024);
    cr_assert_eq(brk_uri_encode_label(in, strlen(in), &b), BRK_OK);
    cr_assert_str_eq(b.data ? b.data : "", want, "label \"%s\"", in);
    brk_buf_clean_up(&b);
}

Test(uri, labels_keep_the_unreserved_set_and_escape_the_rest_in_upper_case)
{
    s_assert_label("AZaz09-._~", "AZaz09-._~");
    s_assert_label("a b", "a%20b");
    /* RFC 3986 gen-delims and sub-delims are all escaped in a label. */
    s_assert_label(":/?#[]@", "%3A%2F%3F%23%5B%5D%40");
    s_assert_label("!$&'()*+,;=", "%21%24%26%27%28%29%2A%2B%2C%3B%3D");
    s_assert_label("%", "%25");
    s_assert_label("", "");
    /* An inference-profile ARN stays one path segment (bedrock-facts: botocore encodes labels). */
    s_assert_label("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x",
                   "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x");
}

Test(uri, utf8_is_escaped_byte_by_byte)
{
    s_assert_label("\xc3\xa9", "%C3%A9"); /* é */
    s_assert_label("\xe2\x82\xac"
                   "1",
                   "%E2%82%AC1"); /* €1 */
}

Test(uri, keep_slash_keeps_only_the_slash)
{
    struct brk_buf b;
    brk_buf_init(&b, 64);
    cr_assert_eq(brk_uri_encode("/a b/c:d", 8, true, &b), BRK_OK);
    cr_assert_str_eq(b.data, "/a%20b/c%3Ad");
    brk_buf_clean_up(&b);
}

Test(uri, encoding_refuses_null_and_respects_the_buffer_cap)
{
    struct brk_buf b;
    brk_buf_init(&b, 5);
    cr_assert_eq(brk_uri_encode_label(NULL, 0, &b), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_uri_encode_label("x", 1, NULL), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_uri_encode_label("ab", 2, &b), BRK_OK);
    cr_assert_eq(brk_uri_encode_label(":", 1, &b), BRK_OK); /* 2 + 3 = 5 bytes: fits exactly */
    cr_assert_eq(brk_uri_encode_label("c", 1, &b), BRK_ERR_TOO_LARGE);
    brk_buf_clean_up(&b);
}

Test(uri, the_public_sigv4_encoder_is_the_same_codec)
{
    struct brk_buf a, b;
    brk_buf_init(&a, 256);
    brk_buf_init(&b, 256);
    const char *in = "model/arn:x y~é";
    for (int keep = 0; keep < 2; keep++) {
        brk_buf_reset(&a);
        brk_buf_reset(&b);
        cr_assert_eq(brk_sigv4_uri_encode(in, strlen(in), keep, &a), BRK_OK);
        cr_assert_eq(brk_uri_encode(in, strlen(in), keep, &b), BRK_OK);
        cr_assert_str_eq(a.data, b.data);
    }
    cr_assert_eq(brk_sigv4_uri_encode(NULL, 0, false, &a), BRK_ERR_INVALID_ARG);
    brk_buf_clean_up(&a);
    brk_buf_clean_up(&b);
}

Test(uri, every_byte_but_nul_survives_encode_then_decode)
{
    char raw[255];
    for (int i = 0; i < 255; i++) {
        raw[i] = (char)(i + 1);
    }
    struct brk_buf enc;
    brk_buf_init(&enc, 4096);
    cr_assert_eq(brk_uri_encode_label(raw, sizeof(raw), &enc), BRK_OK);
    char dec[256], form[256];
    cr_assert_eq(brk_uri_decode(enc.data, enc.len, dec, sizeof(dec)), BRK_OK);
    cr_assert_eq(memcmp(dec, raw, sizeof(raw)), 0);
    cr_assert_eq(dec[255], '\0');
    /* An encoded '+' is %2B, so form decoding gives the same bytes back. */
    cr_assert_eq(brk_form_decode(enc.data, enc.len, form, sizeof(form)), BRK_OK);
    cr_assert_eq(memcmp(form, raw, sizeof(raw)), 0);
    brk_buf_clean_up(&enc);
}

typedef enum brk_status (*s_decode_fn)(const char *in, size_t in_len, char *out, size_t out_size);

static void s_assert_decoded(s_decode_fn decode, const char *in, size_t in_len, const char *want)
{
    char out[64];
    cr_assert_eq(decode(in, in_len, out, sizeof(out)), BRK_OK, "\"%.*s\"", (int)in_len, in);
    cr_assert_str_eq(out, want, "\"%.*s\"", (int)in_len, in);
}

Test(uri, decoding_takes_both_hex_cases_and_stops_at_in_len)
{
    s_assert_decoded(brk_uri_decode, "a%3a%3Ab", 8, "a::b");
    s_assert_decoded(brk_uri_decode, "abc%41", 3, "abc");
    s_assert_decoded(brk_uri_decode, "%C3%A9", 6, "\xc3\xa9");
    s_assert_decoded(brk_uri_decode, "", 0, "");
}

Test(uri, strict_decoding_refuses_malformed_truncated_and_nul_escapes)
{
    char out[32];
    cr_assert_eq(brk_uri_decode("a%zzb", 5, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode("a%g0", 4, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode("ab%4", 4, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode("ab%", 3, out, sizeof(out)), BRK_ERR_PARSE);
    /* The escape is complete in the text but cut by in_len. */
    cr_assert_eq(brk_uri_decode("a%41", 3, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode("a%00b", 5, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode("a\0b", 3, out, sizeof(out)), BRK_ERR_PARSE);
    cr_assert_eq(brk_uri_decode(NULL, 0, out, sizeof(out)), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_uri_decode("a", 1, out, 0), BRK_ERR_INVALID_ARG);
}

Test(uri, decoding_refuses_a_result_that_does_not_fit)
{
    char out[4];
    cr_assert_eq(brk_uri_decode("abc", 3, out, sizeof(out)), BRK_OK); /* three bytes and the NUL */
    cr_assert_str_eq(out, "abc");
    cr_assert_eq(brk_uri_decode("abcd", 4, out, sizeof(out)), BRK_ERR_TOO_LARGE);
    cr_assert_eq(brk_uri_decode("%41%42%43", 9, out, sizeof(out)), BRK_OK); /* nine bytes decode to three */
    cr_assert_str_eq(out, "ABC");
    cr_assert_eq(brk_form_decode("a+b+c", 5, out, sizeof(out)), BRK_ERR_TOO_LARGE);
}

Test(uri, plus_is_a_space_only_in_forms)
{
    char out[32];
    s_assert_decoded(brk_form_decode, "a+b%2Bc%20d", 11, "a b+c d");
    s_assert_decoded(brk_uri_decode, "a+b", 3, "a+b");
    cr_assert_eq(brk_form_decode("a+%", 3, out, sizeof(out)), BRK_ERR_PARSE);
}

Test(uri, lenient_decoding_keeps_malformed_escapes_and_decodes_nul)
{
    char out[32];
    size_t n = 0;
    cr_assert_eq(brk_uri_decode_lenient("a%zz%4", 6, out, sizeof(out), &n), BRK_OK);
    cr_assert_str_eq(out, "a%zz%4");
    cr_assert_eq(n, 6);
    cr_assert_eq(brk_uri_decode_lenient("a%00b+", 6, out, sizeof(out), &n), BRK_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(memcmp(out, "a\0b+", 5), 0);
    cr_assert_eq(brk_uri_decode_lenient("abcd", 4, out, 4, &n), BRK_ERR_TOO_LARGE);
    cr_assert_eq(brk_uri_decode_lenient("abc", 3, out, 4, NULL), BRK_OK);
}
