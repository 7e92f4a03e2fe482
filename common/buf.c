/* buf.c: bounded growable buffer (see buf.h for the contract). */
#include "bedrock/buf.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"

void brk_buf_init(struct brk_buf *buf, size_t max_len)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max_len = max_len;
}

/* Grow to hold `need` bytes plus the NUL, doubling to keep appends amortised O(1). */
static enum brk_status s_reserve(struct brk_buf *buf, size_t need)
{
    if (need > buf->max_len) {
        return BRK_ERR_TOO_LARGE;
    }
    if (need + 1 <= buf->cap) {
        return BRK_OK;
    }
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need + 1) {
        cap *= 2;
    }
    char *data = brk_realloc(buf->data, cap);
    if (!data) {
        return BRK_ERR_NOMEM;
    }
    buf->data = data;
    buf->cap = cap;
    return BRK_OK;
}

enum brk_status brk_buf_append(struct brk_buf *buf, const void *data, size_t len)
{
    if (len > buf->max_len - buf->len) {
        return BRK_ERR_TOO_LARGE;
    }
    enum brk_status rc = s_reserve(buf, buf->len + len);
    if (rc != BRK_OK) {
        return rc;
    }
    if (len) {
        memcpy(buf->data + buf->len, data, len);
    }
    buf->len += len;
    buf->data[buf->len] = '\0';
    return BRK_OK;
}

enum brk_status brk_buf_append_str(struct brk_buf *buf, const char *str)
{
    return brk_buf_append(buf, str, strlen(str));
}

enum brk_status brk_buf_appendf(struct brk_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return BRK_ERR_INVALID_ARG;
    }
    if ((size_t)n > buf->max_len - buf->len) {
        return BRK_ERR_TOO_LARGE;
    }
    enum brk_status rc = s_reserve(buf, buf->len + (size_t)n);
    if (rc != BRK_OK) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return BRK_OK;
}

/* Configuration files (catalogue, rules, credentials) and test fixtures are read whole; the
 * cap bounds the memory a huge or endless file (a FIFO, /dev/zero) can take. */
enum brk_status brk_buf_read_file(struct brk_buf *buf, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return BRK_ERR_IO;
    }
    enum brk_status rc = BRK_OK;
    char chunk[65536];
    size_t n;
    while (rc == BRK_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        size_t room = buf->max_len - buf->len;
        rc = brk_buf_append(buf, chunk, n < room ? n : room);
        rc = rc == BRK_OK && n > room ? BRK_ERR_TOO_LARGE : rc;
    }
    fclose(f);
    return rc;
}

void brk_buf_reset(struct brk_buf *buf)
{
    buf->len = 0;
    if (buf->data) {
        buf->data[0] = '\0';
    }
}

char *brk_buf_detach(struct brk_buf *buf, size_t *len_out)
{
    char *data = buf->data ? buf->data : brk_calloc(1, 1);
    if (len_out) {
        *len_out = buf->data ? buf->len : 0;
    }
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return data;
}

void brk_buf_clean_up(struct brk_buf *buf)
{
    if (!buf) {
        return;
    }
    brk_free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}
