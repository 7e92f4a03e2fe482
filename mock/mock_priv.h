/*
 * mock_priv.h (mock-private): the server object and the request/response pair that flows
 * through the pipeline.
 *
 * Pipeline (dispatch.c): route -> auth -> parse -> validate -> rules -> quota -> operation
 * -> journal. Each stage reads the request and either fills the response (an error or a
 * reply) and stops the pipeline, or passes. The HTTP glue (server.c) only collects the
 * request and sends the response, so every stage can be tested without a socket.
 */
#ifndef MOCK_PRIV_H
#define MOCK_PRIV_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bedrock/aws_error.h"
#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "bedrock/mock.h"
#include "common/rng.h"
#include "mock/model/catalog.h"

struct mock_journal;
struct mock_cache;
struct mock_rules;
struct mock_quotas;
struct mock_credentials;

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
     * (mock_request_cache_plan, cache_plan.c) and read again by the simulation. */
    struct mock_cache_plan *cache_plan;
    bool cache_plan_none;             /* the body has no cache point (also found once) */
};

/* Faults inside an event stream, set by a rule, honoured by the stream writers.
 * Event numbers count from 1; 0 means "not asked for". */
struct mock_stream_fault {
    unsigned exception_after_event;         /* send an exception event after event k */
    const struct brk_aws_error_info *exception; /* which one (its stream_member names the event) */
    char exception_message[512];            /* "" = the table's default message */
    unsigned cut_after_event;               /* close the connection after event k */
    unsigned corrupt_crc_event;             /* flip a bit of event k's message CRC */
};

/* A streaming body producer: write at most `max` bytes into buf at stream offset `pos`.
 * Return bytes written, 0 at the end, or -1 to abort the connection. */
typedef long (*mock_stream_fn)(void *ctx, uint64_t pos, char *buf, size_t max);

struct mock_response {
    int status;
    char content_type[96];
    struct brk_buf body;
    struct mock_header headers[16];
    size_t n_headers;
    const struct brk_aws_error_info *error; /* set for error responses */
    char error_message[1024];

    /* Streaming responses (ConverseStream, InvokeModelWithResponseStream). */
    mock_stream_fn stream_fn;
    void *stream_ctx;
    void (*stream_free)(void *ctx);

    /* Faults a rule may ask for. */
    uint64_t delay_ms;            /* wait before answering */
    bool close_before_reply;      /* drop the connection without answering */
    int64_t close_after_bytes;    /* >= 0: cut the body after this many bytes */

    /* In-stream faults a rule asked for (stream writers honour them). */
    struct mock_stream_fault stream_fault;

    /* Details the stages add to the journal entry (an object whose members are merged into
     * the entry); owned, moved into the journal when the request is recorded. */
    cJSON *journal_extra;
};

struct brk_mock {
    struct brk_mock_config cfg;
    char *host;
    char *models_path;
    struct MHD_Daemon *daemon;
    uint16_t port;
    struct mock_catalog *catalog;
    struct brk_clock *clock;
    struct brk_rng rng;
    struct mock_journal *journal;
    _Atomic uint64_t request_seq; /* requests seen since start; numbers journal entries */
    struct mock_cache *cache;     /* the simulated prompt cache (cache.h) */
    struct mock_guardrail *guardrail; /* word list of the simulated guardrails (guardrail.c) */

    /* Scripted replies and faults (rules.c), and quota buckets (quota.c). */
    struct mock_rules *rules;
    struct mock_quotas *quotas;
    char *admin_token;            /* owned copy of cfg.admin_token (safety.c), or NULL */
    struct mock_listener *listener; /* listener.c: the socket; HTTP/1.1 to MHD, HTTP/2 to h2.c */
    /* Authentication (auth.c): owned copies of the config strings and the loaded credentials. */
    char *credentials_path;
    char *auth_region;
    struct mock_credentials *credentials; /* NULL when no --credentials file */
};

/* ---- response helpers (response.c) ---- */
void mock_response_init(struct mock_response *resp);
void mock_response_clean_up(struct mock_response *resp);
void mock_response_add_header(struct mock_response *resp, const char *name, const char *value);

/* Turn `resp` into a Bedrock error: status of the error shape, x-amzn-ErrorType, and body
 * {"message":"..."}; `message` NULL uses the table's default message. */
void mock_response_error(struct mock_response *resp, enum brk_aws_error id, const char *message);

/* printf-style variant of mock_response_error. */
void mock_response_errorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a va_list, for helpers that fail with their own printf-style signature. */
void mock_response_verrorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Like mock_response_error, for a message longer than error_message (Coral quotes whole
 * values and patterns): the body carries all `len` bytes, error_message a cut copy. */
void mock_response_error_text(struct mock_response *resp, enum brk_aws_error id, const char *text, size_t len);

/* A 200 JSON reply; takes ownership of nothing: `json` is printed into the body. */
void mock_response_json(struct mock_response *resp, int status, const cJSON *json);

/* Add member `name` to resp->journal_extra (created on first use), replacing one of the same
 * name; takes ownership of `item`. The one way stages record details for the journal. */
void mock_journal_extra_add(struct mock_response *resp, const char *name, cJSON *item);

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

/* Add one argument as it arrives, still encoded: key and value decoded with mock_form_decode
 * (any length; an undecodable one is skipped). */
void mock_request_add_query_encoded(struct mock_request *req, const char *key, const char *value);

/* Add every argument of a raw query string ("a=1&b=x%20y", no '?'), each key and value decoded
 * with mock_form_decode as libmicrohttpd hands them to server.c; undecodable ones are skipped. */
void mock_request_add_query_string(struct mock_request *req, const char *qs);

/* Query argument value by exact name, or NULL. */
const char *mock_request_query(const struct mock_request *req, const char *name);

/* ---- router (router.c) ---- */
/* Find the operation for METHOD + path, and decode its labels into req. Returns false when
 * the path names no operation (req->op = MOCK_OP_UNKNOWN). */
bool mock_route(struct mock_request *req);

/* Percent-decode `in` into out (out_len bytes, NUL-terminated); false if malformed or too long. */
bool mock_percent_decode(const char *in, size_t in_len, char *out, size_t out_len);

/* Decode a query-string component ('+' is a space). */
bool mock_form_decode(const char *in, char *out, size_t out_len);

/* ---- the pipeline (dispatch.c) ---- */
void mock_dispatch(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* ---- operations ---- */
/* Build the model's answer to a Converse/ConverseStream request: the deterministic reply,
 * then every stage that shapes it (scripted replies, prompt caching). Returns false when it
 * filled `resp` with an error instead. Both operations call this, so they always agree. */
struct mock_reply;
bool mock_converse_build_reply(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                               struct mock_response *resp);
void mock_op_converse(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_op_not_implemented(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* ---- admin API (admin.c) ---- */
void mock_admin_handle(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* ---- safe defaults (safety.c, docs/hardening.md) ---- */
#define MOCK_ADMIN_TOKEN_HEADER "x-mock-admin-token"

/* Whether an admin request may go on: true when no --admin-token is set or the request's
 * x-mock-admin-token header matches it (constant-time compare); otherwise fills resp with a
 * 403 AccessDeniedException and returns false. */
bool mock_admin_authorized(const struct brk_mock *mock, const struct mock_request *req, struct mock_response *resp);

/* Whether `host` (a --host value) is a loopback address: 127.0.0.0/8, ::1, or "localhost". */
bool mock_host_is_loopback(const char *host);

/* The warning to print for a server bound to `host` (empty when there is nothing to say):
 * any non-loopback address is reachable by others, and so is its admin API. */
void mock_exposure_warning(const struct brk_mock_config *cfg, char *out, size_t out_len);

#endif
