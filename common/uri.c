/* uri.c: percent-encoding and -decoding (see uri.h for the contract). */
#include "common/uri.h"

#define S_FORM 1u    /* '+' is a space */
#define S_LENIENT 2u /* keep malformed escapes, allow NUL */

static const char s_hex_upper[] = "0123456789ABCDEF";

static bool s_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

enum brk_status brk_uri_encode(const char *in, size_t len, bool keep_slash, struct brk_buf *out)
{
    if (!in || !out) {
        return BRK_ERR_INVALID_ARG;
    }
    /* Runs of bytes that need no escape go in one append: most labels are all unreserved. */
    enum brk_status rc = BRK_OK;
    size_t run = 0;
    for (size_t i = 0; i < len && rc == BRK_OK; i++) {
        unsigned char c = (unsigned char)in[i];
        if (s_unreserved(c) || (keep_slash && c == '/')) {
            continue;
        }
        char esc[3] = {'%', s_hex_upper[c >> 4], s_hex_upper[c & 15]};
        rc = brk_buf_append(out, in + run, i - run);
        rc = rc == BRK_OK ? brk_buf_append(out, esc, 3) : rc;
        run = i + 1;
    }
    return rc == BRK_OK ? brk_buf_append(out, in + run, len - run) : rc;
}

enum brk_status brk_uri_encode_label(const char *in, size_t len, struct brk_buf *out)
{
    return brk_uri_encode(in, len, false, out);
}

static int s_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The byte an escape at in[i] ('%' and two hex digits) stands for, or -1 when there is none. */
static int s_escape_at(const char *in, size_t in_len, size_t i)
{
    if (in_len - i < 3) {
        return -1;
    }
    int hi = s_hex_value(in[i + 1]);
    int lo = s_hex_value(in[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

static enum brk_status s_decode(const char *in, size_t in_len, unsigned flags, char *out, size_t out_size,
                                size_t *out_len)
{
    if (!in || !out || out_size == 0) {
        return BRK_ERR_INVALID_ARG;
    }
    size_t o = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (o + 1 >= out_size) {
            return BRK_ERR_TOO_LARGE;
        }
        char c = in[i];
        int esc = c == '%' ? s_escape_at(in, in_len, i) : -1;
        if (esc >= 0) {
            c = (char)esc;
            i += 2;
        } else if (c == '%' && !(flags & S_LENIENT)) {
            return BRK_ERR_PARSE;
        } else if (c == '+' && (flags & S_FORM)) {
            c = ' ';
        }
        if (c == '\0' && !(flags & S_LENIENT)) {
            return BRK_ERR_PARSE;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (out_len) {
        *out_len = o;
    }
    return BRK_OK;
}

enum brk_status brk_uri_decode(const char *in, size_t in_len, char *out, size_t out_size)
{
    return s_decode(in, in_len, 0, out, out_size, NULL);
}

enum brk_status brk_form_decode(const char *in, size_t in_len, char *out, size_t out_size)
{
    return s_decode(in, in_len, S_FORM, out, out_size, NULL);
}

enum brk_status brk_uri_decode_lenient(const char *in, size_t in_len, char *out, size_t out_size, size_t *out_len)
{
    return s_decode(in, in_len, S_LENIENT, out, out_size, out_len);
}
