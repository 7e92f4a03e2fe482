/*
 * aws_error.h: the one table of Bedrock Runtime error types.
 *
 * Each row is a fact about the real service: the error code the SDKs read, the HTTP status
 * of its shape in the service model, the namespace in the `x-amzn-ErrorType` header, the
 * member name it has when it arrives as an event-stream exception (NULL when it cannot),
 * and the default message the mock sends when a rule or test names only the type.
 * Sources for every row are in docs/errors.md.
 *
 * The mock uses the table to send errors, the client to classify them, and tests to
 * assert on them; there is no second copy of any of these facts.
 */
#ifndef BEDROCK_AWS_ERROR_H
#define BEDROCK_AWS_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_NS_BEDROCK "http://internal.amazon.com/coral/com.amazon.bedrock/"
#define BRK_NS_CORAL "http://internal.amazon.com/coral/com.amazon.coral.service/"

/* X(id, code, http_status, namespace, stream_member, default_message) */
#define BRK_AWS_ERROR_LIST(X)                                                                                     \
    X(VALIDATION, "ValidationException", 400, BRK_NS_BEDROCK, "validationException",                              \
      "The provided request is not valid.")                                                                       \
    X(ACCESS_DENIED, "AccessDeniedException", 403, BRK_NS_BEDROCK, NULL,                                          \
      "You don't have access to the model with the specified model ID.")                                          \
    X(RESOURCE_NOT_FOUND, "ResourceNotFoundException", 404, BRK_NS_BEDROCK, NULL,                                 \
      "Could not resolve the foundation model from the provided model identifier.")                               \
    X(MODEL_TIMEOUT, "ModelTimeoutException", 408, BRK_NS_BEDROCK, "modelTimeoutException",                       \
      "Model has timed out in processing the request. Try your request again.")                                   \
    X(MODEL_ERROR, "ModelErrorException", 424, BRK_NS_BEDROCK, NULL,                                              \
      "The system encountered an unexpected error during processing. Try your request again.")                    \
    X(MODEL_STREAM_ERROR, "ModelStreamErrorException", 424, BRK_NS_BEDROCK, "modelStreamErrorException",          \
      "The system encountered an unexpected error during processing. Try your request again.")                    \
    X(THROTTLING, "ThrottlingException", 429, BRK_NS_BEDROCK, "throttlingException",                              \
      "Too many requests, please wait before trying again.")                                                      \
    X(MODEL_NOT_READY, "ModelNotReadyException", 429, BRK_NS_BEDROCK, NULL,                                       \
      "Model is not ready to serve inference requests. The AWS SDK will automatically retry "                     \
      "the operation up to 5 times. For information about configuring automatic retries, see "                    \
      "Retry behavior in the AWS SDKs and Tools reference guide.")                                                \
    X(INTERNAL_SERVER, "InternalServerException", 500, BRK_NS_BEDROCK, "internalServerException",                 \
      "The system encountered an unexpected error during processing. Try your request again.")                    \
    X(SERVICE_UNAVAILABLE, "ServiceUnavailableException", 503, BRK_NS_BEDROCK, "serviceUnavailableException",     \
      "Bedrock is unable to process your request.")                                                               \
    X(SERVICE_QUOTA_EXCEEDED, "ServiceQuotaExceededException", 400, BRK_NS_BEDROCK, NULL,                         \
      "Your request exceeds the service quota for your account. You can view your quotas at "                     \
      "https://docs.aws.amazon.com/servicequotas/latest/userguide/gs-request-quota.html. You "                    \
      "can resubmit your request later.")                                                                         \
    X(CONFLICT, "ConflictException", 400, BRK_NS_BEDROCK, NULL,                                                   \
      "The request could not be completed due to a conflict.")                                                    \
    X(SERIALIZATION, "SerializationException", 400, BRK_NS_CORAL, NULL, "Unable to parse request body.")          \
    X(UNKNOWN_OPERATION, "UnknownOperationException", 404, BRK_NS_CORAL, NULL,                                    \
      "The requested operation is not recognized by the service.")                                                \
    X(UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeException", 415, BRK_NS_CORAL, NULL,                           \
      "The request Content-Type is not supported.")                                                               \
    X(REQUEST_TOO_LARGE, "RequestEntityTooLargeException", 413, BRK_NS_CORAL, NULL, "Request body is too large.") \
    X(MISSING_AUTH_TOKEN, "MissingAuthenticationTokenException", 403, BRK_NS_CORAL, NULL,                         \
      "Missing Authentication Token")                                                                             \
    X(AUTH_ACCESS_DENIED, "AccessDeniedException", 403, BRK_NS_CORAL, NULL, "Authorization header is missing")    \
    X(UNRECOGNIZED_CLIENT, "UnrecognizedClientException", 403, BRK_NS_CORAL, NULL,                                \
      "The security token included in the request is invalid.")                                                   \
    X(INVALID_SIGNATURE, "InvalidSignatureException", 403, BRK_NS_CORAL, NULL,                                    \
      "The request signature we calculated does not match the signature you provided. Check "                     \
      "your AWS Secret Access Key and signing method. Consult the service documentation for "                     \
      "details.")                                                                                                 \
    X(EXPIRED_TOKEN, "ExpiredTokenException", 403, BRK_NS_CORAL, NULL,                                            \
      "The security token included in the request is expired")                                                    \
    X(INCOMPLETE_SIGNATURE, "IncompleteSignatureException", 400, BRK_NS_CORAL, NULL,                              \
      "Authorization header requires 'Credential' parameter.")

enum brk_aws_error {
#define BRK_AWS_ERROR_ENUM(id, code, status, ns, member, msg) BRK_AWS_##id,
    BRK_AWS_ERROR_LIST(BRK_AWS_ERROR_ENUM)
#undef BRK_AWS_ERROR_ENUM
        BRK_AWS_ERROR_COUNT
};

struct brk_aws_error_info {
    enum brk_aws_error id;
    const char *code;            /* "ThrottlingException" */
    int http_status;             /* 429 */
    const char *error_namespace; /* appended to the code in x-amzn-ErrorType */
    const char *stream_member;   /* "throttlingException", or NULL when not a stream event */
    const char *default_message;
};

/* The row for `id`; NULL when out of range. */
BRK_API const struct brk_aws_error_info *brk_aws_error_get(enum brk_aws_error id);

/* Look a row up by code ("ThrottlingException") or stream member ("throttlingException").
 * Returns NULL when no row matches. */
BRK_API const struct brk_aws_error_info *brk_aws_error_find(const char *name);

/* Write the x-amzn-ErrorType header value ("ThrottlingException:http://...") into out.
 * Returns the length written (truncated to out_len - 1). */
BRK_API int brk_aws_error_type_header(const struct brk_aws_error_info *info, char *out, int out_len);

/* Whether the SDKs treat the error as a server fault (5xx). */
BRK_API bool brk_aws_error_is_server_fault(const struct brk_aws_error_info *info);

struct brk_error;

/* Fill `err` (include/bedrock/error.h) from an error answer, as botocore's rest-json parser
 * reads it (client-facts.md §3.6): the code from `error_type` (the x-amzn-ErrorType header; the
 * text before the first ':' and after the last '#'), else the body's `code` or `Code`, else its
 * `__type` (trimmed the same way), else the HTTP status as a number; the message from the body's
 * `message`, else `Message`; the request id as given (x-amzn-RequestId). err->aws is the table
 * row of the code (brk_aws_error_find), err->status BRK_ERR_SERVICE. Any argument but err may be
 * NULL; a body that is not JSON only loses what it would have told. For an event-stream
 * exception pass its :exception-type as error_type and its payload as the body. */
BRK_API void brk_aws_error_parse(long http_status, const char *error_type, const char *request_id, const char *body,
                                 size_t body_len, struct brk_error *err);

#ifdef __cplusplus
}
#endif

#endif
