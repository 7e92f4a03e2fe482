/* base64.c: strict RFC 4648 base64 (see base64.h for the contract). */
#include "common/base64.h"

#include <stdbool.h>
#include <stdint.h>

/* Output is produced (and input decoded) in chunks of this many characters (a multiple of 4 and
 * of 3 input bytes' worth), so a large blob costs a few appends, not one per character. */
#define S_CHUNK 1024

static const char s_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t brk_base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    return groups > SIZE_MAX / 4 ? 0 : groups * 4;
}

/* Undo a partial append, so a failed call leaves the buffer as it was. */
static enum brk_status s_rollback(struct brk_buf *out, size_t len, enum brk_status status)
{
    if (out->data) {
        out->len = len;
        out->data[len] = '\0';
    }
    return status;
}

/* Encode one group of 1..3 bytes into 4 characters. */
static void s_encode_group(const unsigned char *in, size_t n, char *o)
{
    uint32_t v = (uint32_t)in[0] << 16 | (n > 1 ? (uint32_t)in[1] << 8 : 0) | (n > 2 ? in[2] : 0);
    o[0] = s_alphabet[v >> 18 & 63];
    o[1] = s_alphabet[v >> 12 & 63];
    o[2] = n > 1 ? s_alphabet[v >> 6 & 63] : '=';
    o[3] = n > 2 ? s_alphabet[v & 63] : '=';
}

enum brk_status brk_base64_encode(const void *data, size_t len, struct brk_buf *out)
{
    const unsigned char *in = data;
    size_t start = out->len;
    if (len && brk_base64_encoded_len(len) == 0) {
        return BRK_ERR_TOO_LARGE;
    }
    char chunk[S_CHUNK];
    size_t used = 0;
    for (size_t i = 0; i < len; i += 3) {
        s_encode_group(in + i, len - i < 3 ? len - i : 3, chunk + used);
        used += 4;
        if (used == S_CHUNK || i + 3 >= len) {
            enum brk_status st = brk_buf_append(out, chunk, used);
            if (st != BRK_OK) {
                return s_rollback(out, start, st);
            }
            used = 0;
        }
    }
    return len ? BRK_OK : brk_buf_append(out, "", 0);
}

/* Each base64 character's value plus one; 0 for every other byte. A table, because decoding
 * a document's bytes to count its tokens compared each character against three ranges, and
 * that was nearly half of counting a 100 KB request (docs/benchmarks.md). */
static const unsigned char s_values[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64};

/* Value of a base64 character, or -1. */
static int s_value(unsigned char c)
{
    return (int)s_values[c] - 1;
}

/* Decode the last group of a text, which may carry padding, into 1..3 bytes; returns the byte
 * count, or -1 when the group is invalid. */
static int s_decode_last(const unsigned char *g, unsigned char *o)
{
    int pad = (g[3] == '=') + (g[2] == '=' && g[3] == '=');
    uint32_t v = 0;
    for (int k = 0; k < 4 - pad; k++) {
        int x = s_value(g[k]);
        if (x < 0) {
            return -1;
        }
        v = v << 6 | (uint32_t)x;
    }
    v <<= 6 * pad;
    if ((pad == 1 && (v & 0xFF)) || (pad == 2 && (v & 0xFFFF))) {
        return -1; /* unused bits set: not the canonical text of any byte string */
    }
    for (int k = 0; k < 3 - pad; k++) { /* only the bytes it encodes: out may end there */
        o[k] = (unsigned char)(v >> (16 - 8 * k));
    }
    return 3 - pad;
}

/* Groups without padding ('=' has no value, so one is refused here). Each table entry is the
 * value plus one, so a character's entry minus one has bits above the low six only when it is
 * not base64: one test for the four, and one subtraction for the four offsets (a sum, since
 * an entry of 64 reaches into the next field before it). */
static bool s_decode_groups(const unsigned char *g, size_t groups, unsigned char *o)
{
    for (size_t i = 0; i < groups; i++, g += 4, o += 3) {
        uint32_t a = s_values[g[0]], b = s_values[g[1]], c = s_values[g[2]], d = s_values[g[3]];
        if (((a - 1) | (b - 1) | (c - 1) | (d - 1)) & ~63u) {
            return false;
        }
        uint32_t w = (a << 18) + (b << 12) + (c << 6) + d - (1u << 18 | 1u << 12 | 1u << 6 | 1u);
        o[0] = (unsigned char)(w >> 16);
        o[1] = (unsigned char)(w >> 8);
        o[2] = (unsigned char)w;
    }
    return true;
}

enum brk_status brk_base64_decode_span(const char *text, size_t len, bool final, void *out, size_t *out_len)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t groups = len / 4 - (final && len > 0);
    *out_len = 0;
    if (len % 4 != 0 || !s_decode_groups(t, groups, out)) {
        return BRK_ERR_PARSE;
    }
    int last = final && len > 0 ? s_decode_last(t + groups * 4, (unsigned char *)out + groups * 3) : 0;
    if (last < 0) {
        return BRK_ERR_PARSE;
    }
    *out_len = groups * 3 + (size_t)last;
    return BRK_OK;
}

enum brk_status brk_base64_decode(const char *text, size_t len, struct brk_buf *out)
{
    size_t start = out->len;
    if (len % 4 != 0) {
        return BRK_ERR_PARSE;
    }
    unsigned char chunk[S_CHUNK / 4 * 3];
    for (size_t i = 0; i < len; i += S_CHUNK) {
        size_t n = len - i < S_CHUNK ? len - i : S_CHUNK, used = 0;
        enum brk_status st = brk_base64_decode_span(text + i, n, i + n == len, chunk, &used);
        st = st == BRK_OK ? brk_buf_append(out, chunk, used) : st;
        if (st != BRK_OK) {
            return s_rollback(out, start, st);
        }
    }
    return len ? BRK_OK : brk_buf_append(out, "", 0);
}
