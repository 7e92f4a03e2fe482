/* Unit tests for common/base64.c: RFC 4648 section 10 vectors, round trips, strictness, decoding in pieces. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/base64.h"
#include "common/rng.h"

/* RFC 4648 section 10 test vectors. */
static const struct {
    const char *plain;
    const char *encoded;
} s_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

Test(base64, encodes_the_rfc_4648_vectors)
{
    for (size_t i = 0; i < sizeof(s_vectors) / sizeof(s_vectors[0]); i++) {
        struct brk_buf out;
        brk_buf_init(&out, 64);
        cr_assert_eq(brk_base64_encode(s_vectors[i].plain, strlen(s_vectors[i].plain), &out), BRK_OK);
        cr_assert_str_eq(out.data, s_vectors[i].encoded);
        cr_assert_eq(out.len, brk_base64_encoded_len(strlen(s_vectors[i].plain)));
        brk_buf_clean_up(&out);
    }
}

Test(base64, decodes_the_rfc_4648_vectors)
{
    for (size_t i = 0; i < sizeof(s_vectors) / sizeof(s_vectors[0]); i++) {
        struct brk_buf out;
        brk_buf_init(&out, 64);
        const char *enc = s_vectors[i].encoded;
        cr_assert_eq(brk_base64_decode(enc, strlen(enc), &out), BRK_OK, "%s", enc);
        cr_assert_eq(out.len, strlen(s_vectors[i].plain));
        cr_assert_str_eq(out.data, s_vectors[i].plain);
        brk_buf_clean_up(&out);
    }
}

Test(base64, round_trips_every_byte_value_across_chunk_boundaries)
{
    unsigned char bytes[3000];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char)(i * 7 + i / 256);
    }
    for (size_t n = 0; n <= sizeof(bytes); n += n < 8 ? 1 : 331) {
        struct brk_buf enc, dec;
        brk_buf_init(&enc, 8192);
        brk_buf_init(&dec, 8192);
        cr_assert_eq(brk_base64_encode(bytes, n, &enc), BRK_OK);
        cr_assert_eq(enc.len, brk_base64_encoded_len(n));
        cr_assert_eq(brk_base64_decode(enc.data, enc.len, &dec), BRK_OK);
        cr_assert_eq(dec.len, n);
        cr_assert(n == 0 || memcmp(dec.data, bytes, n) == 0, "round trip of %zu bytes", n);
        brk_buf_clean_up(&enc);
        brk_buf_clean_up(&dec);
    }
}

Test(base64, appends_after_what_the_buffer_holds)
{
    struct brk_buf out;
    brk_buf_init(&out, 64);
    brk_buf_append_str(&out, "x=");
    cr_assert_eq(brk_base64_encode("foo", 3, &out), BRK_OK);
    cr_assert_str_eq(out.data, "x=Zm9v");
    brk_buf_clean_up(&out);
}

Test(base64, refuses_text_that_is_not_strict_padded_base64)
{
    static const char *const bad[] = {
        "Zg",       /* padding missing */
        "Zg=",      /* length not a multiple of 4 */
        "Z===",     /* three padding characters */
        "Zg==Zg==", /* padding before the end */
        "Zm9v\n",   /* whitespace */
        "Zm 9",     /* space */
        "Zm9-",     /* base64url alphabet */
        "Zh==",     /* unused bits set (canonical form is Zg==) */
        "Zm9=",     /* unused bits set (canonical form is Zm8=) */
        "=Zm9",     /* padding first */
        "Zm=v",     /* padding inside a group */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brk_buf out;
        brk_buf_init(&out, 64);
        brk_buf_append_str(&out, "keep");
        cr_assert_eq(brk_base64_decode(bad[i], strlen(bad[i]), &out), BRK_ERR_PARSE, "accepted '%s'", bad[i]);
        cr_assert_str_eq(out.data, "keep", "a refused text changed the buffer");
        brk_buf_clean_up(&out);
    }
}

Test(base64, respects_the_buffer_cap_and_keeps_the_previous_contents)
{
    struct brk_buf out;
    brk_buf_init(&out, 6);
    brk_buf_append_str(&out, "ab");
    cr_assert_eq(brk_base64_encode("foobar", 6, &out), BRK_ERR_TOO_LARGE);
    cr_assert_str_eq(out.data, "ab");
    cr_assert_eq(brk_base64_encode("foo", 3, &out), BRK_OK);
    cr_assert_str_eq(out.data, "abZm9v");
    brk_buf_reset(&out);
    cr_assert_eq(brk_base64_decode("Zm9vYmFyZm9v", 12, &out), BRK_ERR_TOO_LARGE);
    cr_assert_eq(out.len, 0);
    brk_buf_clean_up(&out);
}

Test(base64, encoded_length_reports_overflow)
{
    cr_assert_eq(brk_base64_encoded_len(0), 0);
    cr_assert_eq(brk_base64_encoded_len(4), 8);
    cr_assert_eq(brk_base64_encoded_len((size_t)-1), 0);
}

/* Every byte value at every position of an unpadded group, first or last: one of the 64
 * characters decodes to its index's bits, anything else is refused. */
Test(base64, each_position_takes_exactly_the_alphabet)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int pos = 0; pos < 4; pos++) {
        for (int byte = 0; byte < 256; byte++) {
            char text[9] = "QUJDQUJD"; /* "ABCABC"; the group under test is the first, then the last */
            const char *hit = byte ? strchr(alphabet, byte) : NULL;
            for (int group = 0; group < 2; group++) {
                memcpy(text, "QUJDQUJD", 8);
                text[group * 4 + pos] = (char)byte;
                struct brk_buf out;
                brk_buf_init(&out, 64);
                enum brk_status st = brk_base64_decode(text, 8, &out);
                if (!hit) {
                    cr_assert_neq(st, BRK_OK, "byte %d at %d of group %d", byte, pos, group);
                } else {
                    unsigned v = (unsigned)(hit - alphabet), bits = 0;
                    const char *g = text + group * 4;
                    for (int k = 0; k < 4; k++) {
                        bits = bits << 6 | (unsigned)(strchr(alphabet, g[k]) - alphabet);
                    }
                    cr_assert_eq(st, BRK_OK, "byte %d (%u) at %d of group %d", byte, v, pos, group);
                    cr_assert_eq(out.len, 6);
                    const unsigned char *o = (const unsigned char *)out.data + group * 3;
                    cr_assert_eq((unsigned)o[0] << 16 | (unsigned)o[1] << 8 | o[2], bits);
                }
                brk_buf_clean_up(&out);
            }
        }
    }
}

/* brk_base64_decode_span: pieces of any multiple of 4 give the bytes of the whole; padding
 * ends only the final piece (a non-final "Zg==" would otherwise end the text early). */
Test(base64, decodes_a_piece_at_a_time_as_the_whole_and_pads_only_the_final_piece)
{
    unsigned char bytes[1000], got[1000];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char)(i * 13 + 5);
    }
    struct brk_buf enc;
    brk_buf_init(&enc, 4096);
    cr_assert_eq(brk_base64_encode(bytes, sizeof(bytes), &enc), BRK_OK);
    static const size_t pieces[] = {4, 8, 12, 1024, 1336};
    for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
        size_t total = 0;
        for (size_t at = 0; at < enc.len; at += pieces[p]) {
            size_t n = enc.len - at < pieces[p] ? enc.len - at : pieces[p], used = 0;
            cr_assert_eq(brk_base64_decode_span(enc.data + at, n, at + n == enc.len, got + total, &used), BRK_OK);
            total += used;
        }
        cr_assert_eq(total, sizeof(bytes), "pieces of %zu", pieces[p]);
        cr_assert(memcmp(got, bytes, total) == 0, "pieces of %zu", pieces[p]);
    }
    size_t used = 9;
    cr_assert_eq(brk_base64_decode_span("Zg==", 4, false, got, &used), BRK_ERR_PARSE);
    cr_assert_eq(used, 0);
    cr_assert_eq(brk_base64_decode_span("Zg==", 4, true, got, &used), BRK_OK);
    cr_assert(used == 1 && got[0] == 'f');
    cr_assert_eq(brk_base64_decode_span("Zm9vYmFy!", 9, true, got, &used), BRK_ERR_PARSE, "not whole groups");
    brk_buf_clean_up(&enc);
}

/* brk_base64_decode works in chunks of 1024 characters: a bad character, or padding, at either
 * side of a chunk boundary is refused like anywhere else, and leaves the buffer as it was. */
Test(base64, refuses_a_bad_character_or_padding_on_either_side_of_a_chunk_boundary)
{
    unsigned char bytes[1800];
    memset(bytes, 'x', sizeof(bytes));
    struct brk_buf enc;
    brk_buf_init(&enc, 4096);
    cr_assert_eq(brk_base64_encode(bytes, sizeof(bytes), &enc), BRK_OK);
    for (size_t at = 1018; at < 1030; at++) {
        for (int pad = 0; pad < 2; pad++) {
            char saved = enc.data[at];
            enc.data[at] = pad ? '=' : '!';
            struct brk_buf out;
            brk_buf_init(&out, 4096);
            brk_buf_append_str(&out, "keep");
            cr_assert_eq(brk_base64_decode(enc.data, enc.len, &out), BRK_ERR_PARSE, "'%c' at %zu", enc.data[at], at);
            cr_assert_str_eq(out.data, "keep");
            brk_buf_clean_up(&out);
            enc.data[at] = saved;
        }
    }
    brk_buf_clean_up(&enc);
}

/* The rule written out plainly, one character at a time (RFC 4648 section 4, strict): whole
 * groups, at most two '=' and only at the end of the final group, unused bits zero. Returns
 * the byte count, or -1. */
static long s_reference_decode(const char *t, size_t len, bool final, unsigned char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len % 4 != 0) {
        return -1;
    }
    long n = 0;
    for (size_t g = 0; g < len; g += 4) {
        bool last = final && g + 4 == len;
        int pad = last ? (t[g + 3] == '=') + (t[g + 3] == '=' && t[g + 2] == '=') : 0;
        unsigned bits = 0;
        for (int k = 0; k < 4; k++) {
            const char *hit = k < 4 - pad && t[g + k] ? strchr(alphabet, t[g + k]) : NULL;
            if (k < 4 - pad && !hit) {
                return -1;
            }
            bits = bits << 6 | (hit ? (unsigned)(hit - alphabet) : 0);
        }
        if ((pad == 1 && (bits & 0xFF)) || (pad == 2 && (bits & 0xFFFF))) {
            return -1;
        }
        for (int k = 0; k < 3 - pad; k++) {
            out[n++] = (unsigned char)(bits >> (16 - 8 * k));
        }
    }
    return n;
}

/* brk_base64_decode_span (four table loads a group, a four-byte store for all but a piece's
 * last group, one test for the piece) against the plain rule: 20,000 random texts of every
 * length up to 64 characters (some cut short of a whole group), valid encodings of random bytes (every padding case) and the
 * same with one character replaced by any byte ('=' and NUL included), final or not. The
 * output room is exactly len / 4 * 3: a canary after it must survive. */
Test(base64, decode_span_agrees_with_the_plain_rule_on_random_texts)
{
    struct brk_rng rng;
    brk_rng_seed(&rng, 4648);
    unsigned ok = 0, refused = 0;
    for (int round = 0; round < 20000; round++) {
        unsigned char bytes[48], want[64], got[64 + 4];
        size_t n = (size_t)(brk_rng_next(&rng) % sizeof(bytes));
        for (size_t i = 0; i < n; i++) {
            bytes[i] = (unsigned char)brk_rng_next(&rng);
        }
        struct brk_buf enc;
        brk_buf_init(&enc, 256);
        cr_assert_eq(brk_base64_encode(bytes, n, &enc), BRK_OK);
        if (enc.len && brk_rng_next(&rng) % 2) {
            enc.data[brk_rng_next(&rng) % enc.len] = (char)(brk_rng_next(&rng) % 4 ? brk_rng_next(&rng) : '=');
        }
        bool final = brk_rng_next(&rng) % 4 != 0;
        size_t cut = (size_t)(brk_rng_next(&rng) % 8), len = enc.len - (cut < 4 && cut <= enc.len ? cut : 0);
        size_t room = len / 4 * 3, used = 99;
        memset(got, 0xA5, sizeof(got));
        long ref = s_reference_decode(enc.data ? enc.data : "", len, final, want);
        enum brk_status st = brk_base64_decode_span(enc.data ? enc.data : "", len, final, got, &used);
        cr_assert_eq(st == BRK_OK, ref >= 0, "round %d: %zu characters, final %d", round, len, final);
        cr_assert_eq(used, ref >= 0 ? (size_t)ref : 0, "round %d", round);
        cr_assert(ref < 0 || memcmp(got, want, used) == 0, "round %d", round);
        for (size_t i = room; i < sizeof(got); i++) {
            cr_assert_eq(got[i], 0xA5, "round %d: byte %zu written past the room of %zu", round, i, room);
        }
        ok += ref >= 0 && len > 8;
        refused += ref < 0;
        brk_buf_clean_up(&enc);
    }
    cr_assert(ok > 1000 && refused > 1000, "both kinds seen: %u decoded, %u refused", ok, refused);
}

/* brk_base64_alphabet_span (16 or 32 characters a step, both checked) against strspn with the alphabet, which
 * it replaces in the schema stage: texts of every length up to 128 made of the alphabet, with
 * one character at a random place replaced by any byte ('=' and NUL included) or none; the
 * length passed may stop before the text's end, and nothing past it may count. */
Test(base64, alphabet_span_is_strspn_of_the_alphabet_within_the_length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct brk_rng rng;
    brk_rng_seed(&rng, 2045);
    unsigned stopped_early = 0;
    for (int round = 0; round < 20000; round++) {
        char text[136];
        size_t n = (size_t)(brk_rng_next(&rng) % 129);
        for (size_t i = 0; i < n; i++) {
            text[i] = alphabet[brk_rng_next(&rng) % 64];
        }
        memset(text + n, 'A', sizeof(text) - n); /* past the length: alphabet that must not count */
        if (n && brk_rng_next(&rng) % 4) {
            text[brk_rng_next(&rng) % n] = (char)(brk_rng_next(&rng) % 3 ? brk_rng_next(&rng) : '=');
        }
        char copy[136];
        memcpy(copy, text, n);
        copy[n] = '\0';
        size_t want = strspn(copy, alphabet);
        for (int narrow = 0; narrow < 2; narrow++) { /* 32 characters a step where the CPU has AVX2, and 16 */
            brk_base64_set_narrow(narrow);
            cr_assert_eq(brk_base64_alphabet_span(text, n), want, "round %d: %zu characters, narrow %d", round, n,
                         narrow);
        }
        brk_base64_set_narrow(false);
        stopped_early += want < n;
    }
    cr_assert_gt(stopped_early, 5000, "texts with a character outside the alphabet: %u", stopped_early);
    cr_assert_eq(brk_base64_alphabet_span("", 0), 0);
}

/* One random text for the counting test: a valid encoding of random bytes (ASCII, lead and
 * continuation bytes all common), up to 3,200 bytes so the
 * 255-step lane counts wrap over (an eighth of them 3,100 or more); half of the time one
 * character replaced by any byte ('=' and NUL included), at a random place or within the
 * first 16 (inside the first step). */
static void s_random_text(struct brk_rng *rng, struct brk_buf *enc)
{
    unsigned char bytes[3200];
    size_t n = brk_rng_next(rng) % 8 ? (size_t)(brk_rng_next(rng) % 64) : 3100 + (size_t)(brk_rng_next(rng) % 100);
    for (size_t i = 0; i < n; i++) {
        bytes[i] = (unsigned char)brk_rng_next(rng);
    }
    cr_assert_eq(brk_base64_encode(bytes, n, enc), BRK_OK);
    if (enc->len && brk_rng_next(rng) % 2) {
        size_t at = brk_rng_next(rng) % (brk_rng_next(rng) % 2 ? enc->len : (enc->len < 16 ? enc->len : 16));
        enc->data[at] = (char)(brk_rng_next(rng) % 4 ? brk_rng_next(rng) : '=');
    }
}

/* brk_base64_decode_count (16 or 32 characters a step, both checked, nothing written) against the plain rule
 * and a byte-by-byte count of what it decodes: the same acceptance, byte count and classes; the
 * counters grow only on success. */
Test(base64, decode_count_counts_what_the_plain_rule_decodes)
{
    struct brk_rng rng;
    brk_rng_seed(&rng, 4649);
    unsigned ok = 0, refused = 0, long_ok = 0;
    static unsigned char want[3200];
    for (int round = 0; round < 6000; round++) {
        struct brk_buf enc;
        brk_buf_init(&enc, 8192);
        s_random_text(&rng, &enc);
        bool final = brk_rng_next(&rng) % 4 != 0;
        size_t len = enc.len, used = 99;
        long ref = s_reference_decode(enc.data ? enc.data : "", len, final, want);
        uint64_t below = 7, from = 9, want_below = 7, want_from = 9;
        for (long i = 0; i < ref; i++) {
            want_below += want[i] < 0x80;
            want_from += want[i] >= 0xC0;
        }
        for (int narrow = 0; narrow < 2; narrow++) { /* 32 characters a step where the CPU has AVX2, and 16 */
            brk_base64_set_narrow(narrow);
            below = 7, from = 9;
            enum brk_status st = brk_base64_decode_count(enc.data ? enc.data : "", len, final, &used, &below, &from);
            cr_assert_eq(st == BRK_OK, ref >= 0, "round %d: %zu characters, final %d, narrow %d", round, len, final,
                         narrow);
            cr_assert_eq(used, ref >= 0 ? (size_t)ref : 0, "round %d, narrow %d", round, narrow);
            cr_assert_eq(below, want_below, "round %d, narrow %d", round, narrow);
            cr_assert_eq(from, want_from, "round %d, narrow %d", round, narrow);
        }
        brk_base64_set_narrow(false);
        ok += ref >= 0;
        refused += ref < 0;
        long_ok += ref > 255 * 12;
        brk_buf_clean_up(&enc);
    }
    cr_assert(ok > 1000 && refused > 1000 && long_ok > 50, "%u counted (%u long), %u refused", ok, long_ok, refused);
}

/* The counting refuses what decoding refuses, wherever the bad character sits, at both widths:
 * '!' at every place of a 96-character text (three to six steps), '=' at every place but the last two (where
 * it can be the final group's padding). */
Test(base64, decode_count_refuses_a_bad_character_anywhere)
{
    unsigned char bytes[72];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char)(i * 37 + 200);
    }
    struct brk_buf enc;
    brk_buf_init(&enc, 256);
    cr_assert_eq(brk_base64_encode(bytes, sizeof(bytes), &enc), BRK_OK);
    size_t used = 0;
    uint64_t below = 0, from = 0;
    cr_assert_eq(brk_base64_decode_count(enc.data, enc.len, true, &used, &below, &from), BRK_OK);
    cr_assert_eq(used, sizeof(bytes));
    for (size_t at = 0; at < enc.len; at++) {
        char saved = enc.data[at];
        for (int bad = 0; bad < (at + 2 < enc.len ? 2 : 1); bad++) {
            enc.data[at] = bad ? '=' : '!';
            for (int narrow = 0; narrow < 2; narrow++) {
                brk_base64_set_narrow(narrow);
                uint64_t b2 = 0, f2 = 0;
                cr_assert_eq(brk_base64_decode_count(enc.data, enc.len, true, &used, &b2, &f2), BRK_ERR_PARSE,
                             "at %zu, narrow %d", at, narrow);
                cr_assert(used == 0 && b2 == 0 && f2 == 0, "at %zu: nothing counted", at);
            }
            brk_base64_set_narrow(false);
        }
        enc.data[at] = saved;
    }
    brk_buf_clean_up(&enc);
}
