/* error.c: filling struct brk_error (see include/bedrock/error.h). */
#include "bedrock/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void brk_error_clear(struct brk_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
        err->status = BRK_OK;
    }
}

enum brk_status brk_error_setf(struct brk_error *err, enum brk_status status, const char *fmt, ...)
{
    if (err == NULL) {
        return status;
    }
    brk_error_clear(err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return status;
}
