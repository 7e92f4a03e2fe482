/* base64_decode: the strict base64 decoder (common/base64.c) on any text. The first byte picks
 * a piece size (4 to 64 characters); the rest is the text. Properties: a text brk_base64_decode
 * accepts is exactly the encoder's text of the bytes it gives (strict: one text per byte
 * string); decoding the text a piece at a time with brk_base64_decode_span (only the final
 * piece may be padded) accepts and refuses the same texts and gives the same bytes; nothing is
 * read or written out of bounds (ASan), so the four-byte stores stay within each piece's room.
 * brk_base64_decode_count (at both step widths) accepts and refuses the same texts, with the
 * same byte count and the decoded bytes below 0x80 and from 0xC0. And brk_base64_alphabet_span
 * of the text (at both widths) is strspn of its NUL-terminated copy with the alphabet, up to
 * the first NUL (the schema stage's check of a blob). */
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "fuzz/fuzz.h"

/* Piece by piece into out (room for len / 4 * 3); whether every piece was accepted. */
static bool s_b64_pieces(const char *text, size_t len, size_t piece, unsigned char *out, size_t *out_len)
{
    *out_len = 0;
    if (len % 4 != 0) {
        return false;
    }
    for (size_t at = 0; at < len; at += piece) {
        size_t n = len - at < piece ? len - at : piece, got = 0;
        if (brk_base64_decode_span(text + at, n, at + n == len, out + *out_len, &got) != BRK_OK) {
            return false;
        }
        *out_len += got;
    }
    return true;
}

static void s_check_alphabet_span(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        abort();
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    size_t want = strspn(copy, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    for (int narrow = 0; narrow < 2; narrow++) {
        brk_base64_set_narrow(narrow);
        if (brk_base64_alphabet_span(text, len) != want) {
            abort(); /* the schema stage would measure another run than strspn */
        }
    }
    brk_base64_set_narrow(false);
    free(copy);
}

/* The counts brk_base64_decode_count gives, against the bytes decoding gave (ok: accepted). */
static void s_check_count(const char *text, size_t len, bool ok, const unsigned char *bytes, size_t n)
{
    uint64_t below = 0, from = 0, want_below = 0, want_from = 0;
    size_t counted = 0;
    for (size_t i = 0; ok && i < n; i++) {
        want_below += bytes[i] < 0x80;
        want_from += bytes[i] >= 0xC0;
    }
    for (int narrow = 0; narrow < 2; narrow++) { /* 32 characters a step (AVX2), and 16 */
        brk_base64_set_narrow(narrow);
        below = from = 0;
        bool count_ok = brk_base64_decode_count(text, len, true, &counted, &below, &from) == BRK_OK;
        if (count_ok != ok || counted != (ok ? n : 0) || below != want_below || from != want_from) {
            abort(); /* counting and decoding disagree */
        }
    }
    brk_base64_set_narrow(false);
}

FUZZ_TARGET(base64_decode)
{
    if (size == 0) {
        return 0;
    }
    size_t piece = 4 * (1 + (size_t)(data[0] % 16));
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct brk_buf whole, again;
    brk_buf_init(&whole, len + 16);
    brk_buf_init(&again, len + 16);
    bool ok = brk_base64_decode(text, len, &whole) == BRK_OK;
    unsigned char *bytes = malloc(len / 4 * 3 + 1);
    size_t n = 0;
    if (!bytes) {
        abort();
    }
    bool pieces_ok = s_b64_pieces(text, len, piece, bytes, &n);
    if (ok != pieces_ok || (ok && (n != whole.len || (n && memcmp(bytes, whole.data, n) != 0)))) {
        abort(); /* whole and pieces disagree */
    }
    if (ok && (brk_base64_encode(whole.data, whole.len, &again) != BRK_OK || again.len != len ||
               (len && memcmp(again.data, text, len) != 0))) {
        abort(); /* an accepted text that is not the encoder's own */
    }
    s_check_count(text, len, ok, bytes, n);
    s_check_alphabet_span(text, len);
    free(bytes);
    brk_buf_clean_up(&whole);
    brk_buf_clean_up(&again);
    return 0;
}
