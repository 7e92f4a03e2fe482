/* tokens.c: the deterministic token estimator described in tokens.h. */
#include "common/tokens.h"

#include <stdbool.h>

enum s_class { S_SPACE, S_ALPHA, S_DIGIT, S_OTHER, S_UTF8 };

#define S_SP S_SPACE
#define S_AL S_ALPHA
#define S_DI S_DIGIT
#define S_OT S_OTHER
#define S_U8 S_UTF8
#define S_ROW16(c) c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c

/* The class of every byte, by table: the estimator looks at each byte of every prompt, and a
 * lookup is several times cheaper than the comparisons it replaces (bench/bench_pipeline). */
/* One row of sixteen bytes per line, kept by hand. */
/* clang-format off */
static const unsigned char s_class[256] = {
    /* 0x00 */ S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_SP, S_SP, S_SP, S_SP, S_SP, S_OT, S_OT,
    /* 0x10 */ S_ROW16(S_OT),
    /* 0x20 */ S_SP, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT,
    /* 0x30 */ S_DI, S_DI, S_DI, S_DI, S_DI, S_DI, S_DI, S_DI, S_DI, S_DI, S_OT, S_OT, S_OT, S_OT, S_OT, S_OT,
    /* 0x40 */ S_OT, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL,
    /* 0x50 */ S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_OT, S_OT, S_OT, S_OT, S_OT,
    /* 0x60 */ S_OT, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL,
    /* 0x70 */ S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_AL, S_OT, S_OT, S_OT, S_OT, S_OT,
    /* 0x80 */ S_ROW16(S_U8),
    /* 0x90 */ S_ROW16(S_U8),
    /* 0xA0 */ S_ROW16(S_U8),
    /* 0xB0 */ S_ROW16(S_U8),
    /* 0xC0 */ S_ROW16(S_U8),
    /* 0xD0 */ S_ROW16(S_U8),
    /* 0xE0 */ S_ROW16(S_U8),
    /* 0xF0 */ S_ROW16(S_U8),
};
/* clang-format on */

static enum s_class s_classify(unsigned char c)
{
    return (enum s_class)s_class[c];
}

/* Length of the UTF-8 sequence starting with `c` (1 for stray continuation bytes). */
static size_t s_utf8_len(unsigned char c)
{
    if (c >= 0xF0) {
        return 4;
    }
    if (c >= 0xE0) {
        return 3;
    }
    return c >= 0xC0 ? 2 : 1;
}

/* Tokens of one run, and the run's byte length through *run_len. */
static uint64_t s_run(const char *text, size_t len, size_t *run_len)
{
    unsigned char c = (unsigned char)text[0];
    enum s_class cls = s_classify(c);
    size_t n = 1;
    switch (cls) {
    case S_ALPHA:
    case S_DIGIT:
    case S_SPACE:
        while (n < len && s_classify((unsigned char)text[n]) == cls) {
            n++;
        }
        break;
    case S_UTF8:
        n = s_utf8_len(c);
        n = n > len ? len : n;
        break;
    case S_OTHER:
        break;
    }
    *run_len = n;
    switch (cls) {
    case S_SPACE:
        return 0;
    case S_ALPHA:
        return 1 + (n - 1) / 6;
    case S_DIGIT:
        return (n + 2) / 3;
    default:
        return 1;
    }
}

uint64_t brk_tokens_estimate(const char *text, size_t len)
{
    uint64_t total = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t run_len = 0;
        total += s_run(text + pos, len - pos, &run_len);
        pos += run_len;
    }
    return total;
}

uint64_t brk_tokens_estimate_str(const char *text)
{
    if (!text) {
        return 0;
    }
    size_t len = 0;
    while (text[len]) {
        len++;
    }
    return brk_tokens_estimate(text, len);
}

size_t brk_tokens_prefix_len(const char *text, size_t len, uint64_t max_tokens)
{
    uint64_t total = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t run_len = 0;
        uint64_t t = s_run(text + pos, len - pos, &run_len);
        if (total + t > max_tokens) {
            /* A long word that straddles the limit is cut inside: 6 letters per token. */
            unsigned char c = (unsigned char)text[pos];
            if (s_classify(c) == S_ALPHA && max_tokens > total) {
                pos += (size_t)(max_tokens - total) * 6;
            } else if (s_classify(c) == S_DIGIT && max_tokens > total) {
                pos += (size_t)(max_tokens - total) * 3;
            }
            break;
        }
        total += t;
        pos += run_len;
    }
    return pos;
}
