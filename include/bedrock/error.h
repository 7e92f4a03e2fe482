/*
 * error.h: what went wrong in a libbedrock call, beyond its status.
 *
 * Every fallible client call returns an enum brk_status and, when the caller passes a
 * struct brk_error, fills it: the status again, the HTTP status when an answer came, the AWS
 * error as botocore reads it (code, message, request id, and its row in the one error table
 * when the code is known), or a sentence about a local failure (a refused request, a
 * connection that failed, a malformed answer). The struct is caller-owned and fixed-size, so
 * filling it never allocates and it can be reused; texts are truncated to fit.
 */
#ifndef BEDROCK_ERROR_H
#define BEDROCK_ERROR_H

#include "bedrock/aws_error.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct brk_error {
    enum brk_status status;               /* the call's return value */
    int http_status;                      /* 0 when no HTTP answer was read */
    const struct brk_aws_error_info *aws; /* the table row of `code`; NULL when unknown or none */
    char code[96];                        /* "ThrottlingException" as the service sent it, or "" */
    char message[1024];                   /* the service's message, or what failed locally */
    char request_id[96];                  /* x-amzn-RequestId, or "" */
};

/* Reset to BRK_OK with empty texts. Accepts NULL. */
BRK_API void brk_error_clear(struct brk_error *err);

/* Record a local failure: status, and a printf-formatted message. Accepts a NULL err (then it
 * only returns). Returns `status`, so callers can write `return brk_error_setf(err, ...)`. */
BRK_API enum brk_status brk_error_setf(struct brk_error *err, enum brk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
