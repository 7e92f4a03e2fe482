/*
 * status.h: the one status enum every fallible bedrock-harness function returns.
 *
 * Codes and their texts come from one X-macro list, so a code and its message cannot
 * drift apart. Functions return `enum brk_status`; results travel through out-params.
 * Thread-safe: brk_status_str only reads a constant table.
 */
#ifndef BEDROCK_STATUS_H
#define BEDROCK_STATUS_H

#include "bedrock/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_STATUS_LIST(X)                                           \
    X(BRK_OK, "success")                                             \
    X(BRK_ERR_NOMEM, "out of memory")                                \
    X(BRK_ERR_INVALID_ARG, "invalid argument")                       \
    X(BRK_ERR_TOO_LARGE, "input exceeds a configured limit")         \
    X(BRK_ERR_PARSE, "malformed input")                              \
    X(BRK_ERR_IO, "input/output error")                              \
    X(BRK_ERR_NOT_FOUND, "not found")                                \
    X(BRK_ERR_CRC, "checksum mismatch")                              \
    X(BRK_ERR_SIGV4, "signature error")                              \
    X(BRK_ERR_TRANSPORT, "transport error")                          \
    X(BRK_ERR_HTTP_STATUS, "unexpected HTTP status")                 \
    X(BRK_ERR_INCOMPLETE, "more input needed")                       \
    X(BRK_ERR_STATE, "operation not valid in the current state")     \
    X(BRK_ERR_CONNECT, "could not connect to the endpoint")          \
    X(BRK_ERR_TIMEOUT, "the request timed out")                      \
    X(BRK_ERR_BAD_RESPONSE, "the service sent a malformed response") \
    X(BRK_ERR_SERVICE, "the service answered with an error")         \
    X(BRK_ERR_CONFIG, "configuration error")

enum brk_status {
#define BRK_STATUS_ENUM(code, text) code,
    BRK_STATUS_LIST(BRK_STATUS_ENUM)
#undef BRK_STATUS_ENUM
        BRK_STATUS_COUNT
};

/* Human-readable text for `status`; never NULL ("unknown status" for out-of-range values). */
BRK_API const char *brk_status_str(enum brk_status status);

/* The enum's identifier as a string ("BRK_ERR_PARSE"); never NULL. */
BRK_API const char *brk_status_name(enum brk_status status);

#ifdef __cplusplus
}
#endif

#endif
