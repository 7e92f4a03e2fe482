/*
 * request.h (mock-private): the request record that flows through the pipeline, and the
 * operation list it is routed to.
 *
 * Ownership: the transport (mock/http/) or a caller without a socket (mock_request_build)
 * initialises the record, fills method, url, query, headers and body, and cleans it up after
 * mock_dispatch; the pipeline fills the fields below "Filled by the pipeline" and frees what
 * it allocated there in mock_request_clean_up. One request belongs to one thread at a time.
 */
#ifndef MOCK_PIPELINE_REQUEST_H
#define MOCK_PIPELINE_REQUEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/status.h"
#include "mock/model/catalog.h"

struct mock_cache_plan;

/* Every operation path of the Bedrock Runtime service model, plus the admin API. */
#define MOCK_OP_LIST(X)                                                        \
    X(MOCK_OP_CONVERSE, "Converse")                                            \
    X(MOCK_OP_CONVERSE_STREAM, "ConverseStream")                               \
    X(MOCK_OP_INVOKE_MODEL, "InvokeModel")                                     \
    X(MOCK_OP_INVOKE_MODEL_STREAM, "InvokeModelWithResponseStream")            \
    X(MOCK_OP_INVOKE_MODEL_BIDI, "InvokeModelWithBidirectionalStream")         \
    X(MOCK_OP_COUNT_TOKENS, "CountTokens")                                     \
    X(MOCK_OP_APPLY_GUARDRAIL, "ApplyGuardrail")                               \
    X(MOCK_OP_INVOKE_GUARDRAIL_CHECKS, "InvokeGuardrailChecks")                \
    X(MOCK_OP_START_ASYNC_INVOKE, "StartAsyncInvoke")                          \
    X(MOCK_OP_GET_ASYNC_INVOKE, "GetAsyncInvoke")                              \
    X(MOCK_OP_LIST_ASYNC_INVOKES, "ListAsyncInvokes")                          \
    X(MOCK_OP_ADMIN, "Admin")                                                  \
    X(MOCK_OP_UNKNOWN, "Unknown")

enum mock_op {
#define MOCK_OP_ENUM(id, name) id,
    MOCK_OP_LIST(MOCK_OP_ENUM)
#undef MOCK_OP_ENUM
    MOCK_OP_COUNT
};

const char *mock_op_name(enum mock_op op);

/* Parse an operation name ("Converse"); MOCK_OP_UNKNOWN when it names none. */
enum mock_op mock_op_parse(const char *name);

#define MOCK_MAX_HEADERS 64
#define MOCK_MAX_LABEL 2048

struct mock_header {
    char *name;  /* as received */
    char *value;
};

struct mock_request {
    char *method;
    char *url;                        /* path as received, percent-encoded, without query */
    struct mock_header query[16];     /* decoded query arguments */
    size_t n_query;
    struct mock_header headers[MOCK_MAX_HEADERS];
    size_t n_headers;
    bool headers_truncated;           /* more than MOCK_MAX_HEADERS arrived */
    char *body;                       /* NUL-terminated copy of the body */
    size_t body_len;
    bool body_too_large;

    /* Filled by the pipeline. */
    enum mock_op op;
    char model_id[MOCK_MAX_LABEL + 1]; /* decoded {modelId} (or {guardrailIdentifier}) */
    char label2[MOCK_MAX_LABEL + 1];   /* decoded {guardrailVersion} / {invocationArn} */
    struct mock_model_ref model;
    cJSON *json;                      /* parsed body of JSON operations */
    char account[128];                /* access key id, or "anonymous" */
    char auth_outcome[64];            /* "none", "unsigned", "sigv4", "bearer", or a failure code */
    char request_id[37];
    int64_t start_ms;                 /* mock clock */
    cJSON *reply_override;            /* owned; a rule's scripted reply (rules.c applies it) */

    /* Quota bookkeeping (quota.c): tokens reserved at the start, and what the reply used. */
    uint64_t quota_reserved;
    uint64_t quota_used;
    bool quota_used_known;

    /* h2.c: the request came over HTTP/2, where Host is the :authority pseudo-header. */
    bool http2;

    /* Owned; the cache-point plan of a Converse body, built once by the cache-points stage
     * (mock_request_cache_plan, mock/cache/plan.c) and read again by the simulation. */
    struct mock_cache_plan *cache_plan;
    bool cache_plan_none;             /* the body has no cache point (also found once) */
};

/* ---- request helpers (request.c) ---- */
void mock_request_init(struct mock_request *req);
void mock_request_clean_up(struct mock_request *req);
enum brk_status mock_request_add_header(struct mock_request *req, const char *name, const char *value);

/* Initialise `req` and fill it as a transport would: method, url (percent-encoded path), headers
 * as "Name: value" strings (NULL-terminated list, may be NULL; lines without a colon are
 * skipped), and a NUL-terminated copy of body[0..len) (body may be NULL when len is 0). For
 * callers that feed mock_dispatch without a socket: benchmarks, fuzz targets, tests. Free with
 * mock_request_clean_up. */
void mock_request_build(struct mock_request *req, const char *method, const char *url, const char *const *headers,
                        const void *body, size_t len);

/* Header value by case-insensitive name, or NULL. */
const char *mock_request_header(const struct mock_request *req, const char *name);

/* Add a decoded query argument (ignored past the 16th). */
void mock_request_add_query(struct mock_request *req, const char *name, const char *value);

/* Add one argument as it arrives, still encoded: key and value decoded with brk_form_decode
 * (any length; an undecodable one is skipped). */
void mock_request_add_query_encoded(struct mock_request *req, const char *key, const char *value);

/* Add every argument of a raw query string ("a=1&b=x%20y", no '?'), each key and value decoded
 * with brk_form_decode as libmicrohttpd hands them to http/http1.c; undecodable ones are skipped. */
void mock_request_add_query_string(struct mock_request *req, const char *qs);

/* Query argument value by exact name, or NULL. */
const char *mock_request_query(const struct mock_request *req, const char *name);

#endif
