/*
 * operation.h: the operations of the Bedrock Runtime service, as one table: name, HTTP method,
 * path template and traits. The mock routes requests with it (mock/pipeline/router.c) and
 * decides which stages apply by its traits; the client and the scenario runner build request
 * paths with brk_op_path, so both ends read the same row.
 *
 * Source: the service model, bedrock-runtime/2023-09-30/service-2.json: each operation's
 * "http" (method, requestUri) and "input" shape; traits are derived from the shapes (see
 * BRK_OPT_*), except BRK_OPT_QUOTA, a Bedrock quota fact (docs/rules.md#quotas).
 * tests/test_operation.c checks the table against that model when it is available.
 *
 * Thread-safety: the table is constant; every function is pure and callable from any thread.
 */
#ifndef BEDROCK_OPERATION_H
#define BEDROCK_OPERATION_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "bedrock/status.h"

/* Traits: which operations a piece of code applies to is decided by these, never by a list
 * of operations written out in that code. */
enum brk_op_trait {
    BRK_OPT_JSON_BODY = 1u << 0,      /* the input travels as a JSON document (no payload blob) */
    BRK_OPT_MODEL = 1u << 1,          /* the path names a model: the {modelId} label */
    BRK_OPT_CONVERSE_SHAPE = 1u << 2, /* the body is a Converse request (messages, system, tools) */
    BRK_OPT_QUOTA = 1u << 3,          /* a model invocation that counts against the token quotas */
    BRK_OPT_STREAM = 1u << 4,         /* the response is an event stream */
};

/* X(id, name, method, path template, input shape, traits), in the service model's terms. */
#define BRK_OP_LIST(X)                                                                                                 \
    X(BRK_OP_CONVERSE, "Converse", "POST", "/model/{modelId}/converse", "ConverseRequest",                             \
      BRK_OPT_JSON_BODY | BRK_OPT_MODEL | BRK_OPT_CONVERSE_SHAPE | BRK_OPT_QUOTA)                                      \
    X(BRK_OP_CONVERSE_STREAM, "ConverseStream", "POST", "/model/{modelId}/converse-stream", "ConverseStreamRequest",   \
      BRK_OPT_JSON_BODY | BRK_OPT_MODEL | BRK_OPT_CONVERSE_SHAPE | BRK_OPT_QUOTA | BRK_OPT_STREAM)                     \
    X(BRK_OP_INVOKE_MODEL, "InvokeModel", "POST", "/model/{modelId}/invoke", "InvokeModelRequest",                     \
      BRK_OPT_MODEL | BRK_OPT_QUOTA)                                                                                   \
    X(BRK_OP_INVOKE_MODEL_STREAM, "InvokeModelWithResponseStream", "POST",                                             \
      "/model/{modelId}/invoke-with-response-stream", "InvokeModelWithResponseStreamRequest",                          \
      BRK_OPT_MODEL | BRK_OPT_QUOTA | BRK_OPT_STREAM)                                                                  \
    X(BRK_OP_INVOKE_MODEL_BIDI, "InvokeModelWithBidirectionalStream", "POST",                                          \
      "/model/{modelId}/invoke-with-bidirectional-stream", "InvokeModelWithBidirectionalStreamRequest",                \
      BRK_OPT_MODEL | BRK_OPT_STREAM)                                                                                  \
    X(BRK_OP_COUNT_TOKENS, "CountTokens", "POST", "/model/{modelId}/count-tokens", "CountTokensRequest",               \
      BRK_OPT_JSON_BODY | BRK_OPT_MODEL)                                                                               \
    X(BRK_OP_APPLY_GUARDRAIL, "ApplyGuardrail", "POST",                                                                \
      "/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply", "ApplyGuardrailRequest", BRK_OPT_JSON_BODY) \
    X(BRK_OP_INVOKE_GUARDRAIL_CHECKS, "InvokeGuardrailChecks", "POST", "/guardrail-checks/invoke",                     \
      "InvokeGuardrailChecksRequest", BRK_OPT_JSON_BODY)                                                               \
    X(BRK_OP_START_ASYNC_INVOKE, "StartAsyncInvoke", "POST", "/async-invoke", "StartAsyncInvokeRequest",               \
      BRK_OPT_JSON_BODY)                                                                                               \
    X(BRK_OP_GET_ASYNC_INVOKE, "GetAsyncInvoke", "GET", "/async-invoke/{invocationArn}", "GetAsyncInvokeRequest", 0)   \
    X(BRK_OP_LIST_ASYNC_INVOKES, "ListAsyncInvokes", "GET", "/async-invoke", "ListAsyncInvokesRequest", 0)

enum brk_op {
    BRK_OP_UNKNOWN = -1, /* a name or a path that names no operation */
#define BRK_OP_ENUM(id, name, method, path, input, traits) id,
    BRK_OP_LIST(BRK_OP_ENUM)
#undef BRK_OP_ENUM
        BRK_OP_COUNT
};

/* One row of the table. Every string is static. */
struct brk_op_info {
    const char *name;        /* "Converse" */
    const char *method;      /* "POST" */
    const char *path;        /* "/model/{modelId}/converse": the model's requestUri */
    const char *input_shape; /* "ConverseRequest" */
    unsigned traits;         /* enum brk_op_trait bits */
};

/* The row of `op`, or NULL for BRK_OP_UNKNOWN and anything out of range. */
const struct brk_op_info *brk_op_info(enum brk_op op);

/* "Converse"; "Unknown" for BRK_OP_UNKNOWN and anything out of range. */
const char *brk_op_name(enum brk_op op);

/* The operation named `name` (exact, case-sensitive, as in the service model), or
 * BRK_OP_UNKNOWN (also for NULL). */
enum brk_op brk_op_parse(const char *name);

/* Whether `op` has every trait in `traits` (false for BRK_OP_UNKNOWN). */
bool brk_op_has(enum brk_op op, unsigned traits);

/* The path labels of the service's templates. */
enum brk_op_label {
    BRK_OP_LABEL_MODEL_ID,          /* {modelId}: a model id, inference-profile id or ARN */
    BRK_OP_LABEL_GUARDRAIL_ID,      /* {guardrailIdentifier} */
    BRK_OP_LABEL_GUARDRAIL_VERSION, /* {guardrailVersion} */
    BRK_OP_LABEL_INVOCATION_ARN,    /* {invocationArn} */
    BRK_OP_LABEL_COUNT
};

/* "modelId" (the name inside the template's braces); NULL out of range. */
const char *brk_op_label_name(enum brk_op_label label);

/* The label named by `name[0..len)` ("modelId"), or BRK_OP_LABEL_COUNT when it names none. */
enum brk_op_label brk_op_label_parse(const char *name, size_t len);

/* Label values for brk_op_path, indexed by enum brk_op_label, unencoded; a label the
 * operation's template does not use is ignored. */
struct brk_op_labels {
    const char *value[BRK_OP_LABEL_COUNT];
};

/* Append the path a client sends for `op` to `out`: the template with each label
 * percent-encoded the way botocore encodes a (non-greedy) URI label (brk_uri_encode_label:
 * every byte but A-Z a-z 0-9 - . _ ~ as %XX), so an ARN is one segment ("arn%3Aaws%3A...%2Fx";
 * client-facts.md §4). BRK_ERR_INVALID_ARG for BRK_OP_UNKNOWN or a label the template
 * needs that is NULL or empty (botocore refuses those before sending); BRK_ERR_TOO_LARGE when
 * `out` is full. On failure `out` may hold part of the path. */
enum brk_status brk_op_path(enum brk_op op, const struct brk_op_labels *labels, struct brk_buf *out);

#endif
