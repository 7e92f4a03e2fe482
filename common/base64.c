/* base64.c: strict RFC 4648 base64 (see base64.h for the contract). */
#include "common/base64.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* Decoding tables, made by the compiler: S_DEC(k, c) is character c's six bits already moved to
 * where they go in a group of four characters (k = 0 for the first: bits 18-23), or S_BAD when
 * c is not base64. A group is then four loads and three ORs, and one test of the ORed words says
 * whether any character of a whole piece was bad. Counting a document's tokens decodes its
 * bytes; a table of values and a test a group was 8.7% of the server's CPU on the 100 KB
 * fixture (docs/benchmarks.md). */
#define S_BAD 0x80000000u
#define S_VALUE(c)                               \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'      \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 \
     : (c) == '+'               ? 62             \
     : (c) == '/'               ? 63             \
                                : -1)
#define S_DEC(k, c) (S_VALUE(c) < 0 ? S_BAD : (uint32_t)S_VALUE(c) << (18 - 6 * (k)))
#define S_DEC4(k, c) S_DEC(k, c), S_DEC(k, (c) + 1), S_DEC(k, (c) + 2), S_DEC(k, (c) + 3)
#define S_DEC16(k, c) S_DEC4(k, c), S_DEC4(k, (c) + 4), S_DEC4(k, (c) + 8), S_DEC4(k, (c) + 12)
#define S_DEC64(k, c) S_DEC16(k, c), S_DEC16(k, (c) + 16), S_DEC16(k, (c) + 32), S_DEC16(k, (c) + 48)
#define S_DEC256(k)                                                     \
    {                                                                   \
        S_DEC64(k, 0), S_DEC64(k, 64), S_DEC64(k, 128), S_DEC64(k, 192) \
    }

static const uint32_t s_dec[4][256] = {S_DEC256(0), S_DEC256(1), S_DEC256(2), S_DEC256(3)};

/* The alphabet check and the counting of a document's bytes (with a table load a character,
 * 10% of the server's CPU on the 100 KB fixture, docs/benchmarks.md) take W characters a step
 * with GCC's and clang's vector extensions. Written once (S_DEFINE_STEPS) and built twice:
 * sixteen bytes for every CPU (SSE2 on x86-64, NEON on arm64, plain code elsewhere), and on
 * x86-64 thirty-two where the CPU has AVX2 (twice as fast; without AVX2, GCC lowers a 32-byte
 * comparison to byte-by-byte code, so the wide build runs only where it is chosen). */
typedef unsigned char s_u16 __attribute__((vector_size(16)));
typedef signed char s_s16 __attribute__((vector_size(16)));

/* Lanes where lo <= c < lo + n, all ones: one add and one signed compare (an unsigned compare
 * is three SSE2 instructions). */
#define S_IN(V, SV, c, lo, n) (V)((SV)((c) + (unsigned char)(128 - (lo))) < (signed char)(-128 + (n)))

/* Each lane's six-bit value into v; ok: all ones in the lanes that are in the alphabet. The
 * offsets, mod 256, take 'A' to 0, 'a' to 26, '0' to 52, '+' to 62 and '/' to 63. */
#define S_VALUES(V, SV, c, v, ok)                                                                    \
    do {                                                                                             \
        V upper_ = S_IN(V, SV, c, 'A', 26), lower_ = S_IN(V, SV, c, 'a', 26);                        \
        V digit_ = S_IN(V, SV, c, '0', 10), plus_ = (V)((c) == '+'), slash_ = (V)((c) == '/');       \
        (ok) = upper_ | lower_ | digit_ | plus_ | slash_;                                            \
        (v) = (c) + ((upper_ & 191) | (lower_ & 185) | (digit_ & 4) | (plus_ & 19) | (slash_ & 16)); \
    } while (0)

/* Lane patterns for the counting, four lanes a group, the longest width's worth. A decoded
 * byte's top two bits are bits 5-4 of its group's first character, 3-2 of the second, 1-0 of
 * the third: masked with s_top they are 0 for a byte below 0x80, with s_both all set for one
 * from 0xC0. The fourth character holds none: it compares with 0xFF, which a masked 0 never is. */
#define S_X8(a, b, c, d) a, b, c, d, a, b, c, d, a, b, c, d, a, b, c, d, a, b, c, d, a, b, c, d, a, b, c, d, a, b, c, d
static const unsigned char s_top[32] = {S_X8(0x20, 0x08, 0x02, 0)};
static const unsigned char s_top_is[32] = {S_X8(0, 0, 0, 0xFF)};
static const unsigned char s_both[32] = {S_X8(0x30, 0x0C, 0x03, 0)};
static const unsigned char s_both_is[32] = {S_X8(0x30, 0x0C, 0x03, 0xFF)};
#undef S_X8

/* Whether every bit of the w bytes at p is set. */
static inline bool s_all_set(const void *p, size_t w)
{
    uint64_t all = UINT64_MAX, x;
    for (size_t i = 0; i < w; i += sizeof(x)) {
        memcpy(&x, (const unsigned char *)p + i, sizeof(x));
        all &= x;
    }
    return all == UINT64_MAX;
}

static inline uint64_t s_lane_sum(const unsigned char *lanes, size_t w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w; i++) {
        n += lanes[i];
    }
    return n;
}

/* span: how many whole steps from p are all alphabet (as characters). count: the classes of
 * the bytes of `steps` steps of whole groups, in byte lanes (at most 255 steps before one could
 * wrap); false when a character is not in the alphabet ('=' included). */
#define S_DEFINE_STEPS(V, SV, W, ATTR, span, count)                                                     \
    ATTR static size_t span(const unsigned char *p, size_t len)                                         \
    {                                                                                                   \
        size_t n = 0;                                                                                   \
        for (V c, v, ok; n + (W) <= len; n += (W)) {                                                    \
            memcpy(&c, p + n, (W));                                                                     \
            S_VALUES(V, SV, c, v, ok);                                                                  \
            (void)v;                                                                                    \
            if (!s_all_set(&ok, (W))) {                                                                 \
                break;                                                                                  \
            }                                                                                           \
        }                                                                                               \
        return n;                                                                                       \
    }                                                                                                   \
    ATTR static bool count(const unsigned char *t, size_t steps, uint64_t *below_80, uint64_t *from_c0) \
    {                                                                                                   \
        V top, top_is, both, both_is, all, c, v, ok;                                                    \
        memcpy(&top, s_top, (W));                                                                       \
        memcpy(&top_is, s_top_is, (W));                                                                 \
        memcpy(&both, s_both, (W));                                                                     \
        memcpy(&both_is, s_both_is, (W));                                                               \
        memset(&all, 0xFF, (W));                                                                        \
        for (size_t i = 0; i < steps;) {                                                                \
            V below = {0}, from = {0};                                                                  \
            for (size_t end = steps - i > 255 ? i + 255 : steps; i < end; i++) {                        \
                memcpy(&c, t + (W)*i, (W));                                                             \
                S_VALUES(V, SV, c, v, ok);                                                              \
                all &= ok;                                                                              \
                below -= (V)((v & top) == top_is); /* a lane of all ones adds one */                    \
                from -= (V)((v & both) == both_is);                                                     \
            }                                                                                           \
            *below_80 += s_lane_sum((const unsigned char *)&below, (W));                                \
            *from_c0 += s_lane_sum((const unsigned char *)&from, (W));                                  \
        }                                                                                               \
        return s_all_set(&all, (W));                                                                    \
    }

S_DEFINE_STEPS(s_u16, s_s16, 16, , s_span16, s_count16)

#if defined(__x86_64__) && defined(__GNUC__)
#define S_WIDE 1
typedef unsigned char s_u32 __attribute__((vector_size(32)));
typedef signed char s_s32 __attribute__((vector_size(32)));
S_DEFINE_STEPS(s_u32, s_s32, 32, __attribute__((target("avx2"))), s_span32, s_count32)
#endif

static atomic_bool s_narrow; /* brk_base64_set_narrow */

void brk_base64_set_narrow(bool narrow)
{
    atomic_store(&s_narrow, narrow);
}

/* The width of a step: 32 where the CPU has AVX2 (and the tests did not ask for 16). */
static size_t s_step_bytes(void)
{
#ifdef S_WIDE
    return !atomic_load_explicit(&s_narrow, memory_order_relaxed) && __builtin_cpu_supports("avx2") ? 32 : 16;
#else
    return 16;
#endif
}

static size_t s_span_steps(const unsigned char *p, size_t len)
{
#ifdef S_WIDE
    if (s_step_bytes() == 32) {
        return s_span32(p, len);
    }
#endif
    return s_span16(p, len);
}

size_t brk_base64_alphabet_span(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    /* Whole steps first: the step that finds a character outside the alphabet leaves the rest
     * to the loop below. */
    size_t n = s_span_steps(p, len);
    while (n < len && s_dec[0][p[n]] != S_BAD) {
        n++;
    }
    return n;
}

/* Value of a base64 character, or -1. */
static int s_value(unsigned char c)
{
    uint32_t v = s_dec[3][c];
    return v == S_BAD ? -1 : (int)v;
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

/* Three bytes at o, from a group's 24 bits. */
static void s_put3(unsigned char *o, uint32_t w)
{
    o[0] = (unsigned char)(w >> 16);
    o[1] = (unsigned char)(w >> 8);
    o[2] = (unsigned char)w;
}

/* The same and one byte more, in one store: for every group but a piece's last, whose fourth
 * byte the next group overwrites. */
static void s_put4(unsigned char *o, uint32_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t bytes = __builtin_bswap32(w << 8);
    memcpy(o, &bytes, sizeof(bytes));
#else
    s_put3(o, w);
#endif
}

/* A group's 24 bits, S_BAD set when a character is not base64. */
static uint32_t s_group(const unsigned char *g)
{
    return s_dec[0][g[0]] | s_dec[1][g[1]] | s_dec[2][g[2]] | s_dec[3][g[3]];
}

/* Groups without padding ('=' is S_BAD, so one is refused here). A bad character only sets
 * S_BAD in `bad`, tested once at the end: a refused piece writes bytes into `o` (within its
 * room) that the caller does not count. */
static bool s_decode_groups(const unsigned char *g, size_t groups, unsigned char *o)
{
    if (groups == 0) {
        return true;
    }
    uint32_t bad = 0, w = 0;
    for (size_t i = 1; i < groups; i++, g += 4, o += 3) {
        w = s_group(g);
        bad |= w;
        s_put4(o, w);
    }
    w = s_group(g);
    s_put3(o, w);
    return !((bad | w) & S_BAD);
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

/* The classes brk_base64_decode_count counts, of one byte. */
static void s_classify(unsigned b, uint64_t *below_80, uint64_t *from_c0)
{
    *below_80 += b < 0x80;
    *from_c0 += b >= 0xC0;
}

/* The classes of `groups` whole groups from t, a step at a time; *done: the groups it took. */
static bool s_count_steps(const unsigned char *t, size_t groups, size_t *done, uint64_t *below_80, uint64_t *from_c0)
{
    size_t per_step = s_step_bytes() / 4;
    *done = groups / per_step * per_step;
#ifdef S_WIDE
    if (per_step == 8) {
        return s_count32(t, groups / 8, below_80, from_c0);
    }
#endif
    return s_count16(t, groups / 4, below_80, from_c0);
}

enum brk_status brk_base64_decode_count(const char *text, size_t len, bool final, size_t *out_len, uint64_t *below_80,
                                        uint64_t *from_c0)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t groups = len / 4 - (final && len > 0), done = 0;
    uint64_t below = 0, from = 0;
    uint32_t bad = 0;
    *out_len = 0;
    if (len % 4 != 0 || !s_count_steps(t, groups, &done, &below, &from)) {
        return BRK_ERR_PARSE;
    }
    for (size_t g = done; g < groups; g++) {
        uint32_t w = s_group(t + 4 * g);
        bad |= w;
        for (int k = 16; k >= 0; k -= 8) {
            s_classify(w >> k & 0xFF, &below, &from);
        }
    }
    unsigned char last[3];
    int n_last = final && len > 0 ? s_decode_last(t + groups * 4, last) : 0;
    if ((bad & S_BAD) || n_last < 0) {
        return BRK_ERR_PARSE;
    }
    for (int k = 0; k < n_last; k++) {
        s_classify(last[k], &below, &from);
    }
    *out_len = groups * 3 + (size_t)n_last;
    *below_80 += below;
    *from_c0 += from;
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
