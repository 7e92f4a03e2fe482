/*
 * buf.h: a growable byte buffer with a hard cap.
 *
 * Every buffer fed by outside input has a maximum, so a hostile peer cannot exhaust memory
 * (curl's dynbuf "toobig" idea). The data is always NUL-terminated, so text can be used
 * as a C string; the NUL is not counted in `len`.
 *
 * Ownership: the caller owns the struct; brk_buf_clean_up frees the data and accepts a
 * buffer that was never written or already cleaned. Not thread-safe.
 */
#ifndef BEDROCK_BUF_H
#define BEDROCK_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "bedrock/status.h"

struct brk_buf {
    char *data;     /* NULL until the first append; NUL-terminated afterwards */
    size_t len;     /* bytes used, excluding the terminating NUL */
    size_t cap;     /* bytes allocated */
    size_t max_len; /* appends that would exceed this fail with BRK_ERR_TOO_LARGE */
};

/* Prepare an empty buffer that may hold at most `max_len` bytes. Allocates nothing. */
void brk_buf_init(struct brk_buf *buf, size_t max_len);

/* Append `len` bytes. BRK_ERR_TOO_LARGE past max_len, BRK_ERR_NOMEM on allocation failure;
 * on failure the buffer keeps its previous contents. */
enum brk_status brk_buf_append(struct brk_buf *buf, const void *data, size_t len);

/* Append a NUL-terminated string. */
enum brk_status brk_buf_append_str(struct brk_buf *buf, const char *str);

/* Append printf-formatted text. */
enum brk_status brk_buf_appendf(struct brk_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append the contents of the file at `path`, at most up to max_len. BRK_ERR_IO when it cannot
 * be opened; BRK_ERR_TOO_LARGE when it holds more (the buffer then holds the part that fits);
 * BRK_ERR_NOMEM on allocation failure. A read error ends the data early, as end of file would:
 * callers parse what they got and reject it there. */
enum brk_status brk_buf_read_file(struct brk_buf *buf, const char *path);

/* Forget the contents but keep the allocation. */
void brk_buf_reset(struct brk_buf *buf);

/* Hand the data to the caller (free with free(); brk_free inside the project, since common/
 * allocates through common/alloc.h, whose wrappers are malloc's); the buffer becomes empty.
 * Returns an empty allocated string when nothing was appended, or NULL on NOMEM. */
char *brk_buf_detach(struct brk_buf *buf, size_t *len_out);

/* Free the data. Accepts NULL and cleaned buffers. */
void brk_buf_clean_up(struct brk_buf *buf);

#endif
