/*
 * request.h (mock-private): the request record that flows through the pipeline.
 *
 * Ownership: the transport (mock/http/) or a caller without a socket (mock_request_build)
 * initialises the record, fills the transport input (method, url, query, headers, body), and
 * cleans it up after mock_dispatch; the pipeline fills the rest and mock_request_clean_up
 * frees what it allocated there. One request belongs to one thread at a time.
 */
#ifndef MOCK_PIPELINE_REQUEST_H
#define MOCK_PIPELINE_REQUEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/status.h"
#include "common/operation.h"
#include "mock/model/catalog.h"

struct brk_json_arena; /* common/json_arena.h */

struct mock_cache_plan;

/* What the rules stage (rules/rules.c) decided for a request it let through, for the step
 * that builds the answer (mock_rules_apply_reply); the fired rule's faults go on the response
 * instead (resp->fault), which the transport reads. */
struct mock_rule_match {
    cJSON *reply; /* owned; the scripted reply, NULL: generate the answer */
};

/* A quota reservation (rules/quota.c): made by the quota stage, settled by dispatch. */
struct mock_quota_ticket {
    uint64_t reserved_tokens;
};

#define MOCK_MAX_HEADERS 64
#define MOCK_MAX_LABEL 2048

struct mock_header {
    char *name; /* as received */
    char *value;
};

/* Where the router sent a request, and the path's labels, decoded. */
struct mock_route {
    enum brk_op op; /* BRK_OP_UNKNOWN until routed (common/operation.h) */
    /* Indexed by enum brk_op_label ({modelId}, {guardrailIdentifier}, ...); "" when the
     * operation's template has no such label. */
    char label[BRK_OP_LABEL_COUNT][MOCK_MAX_LABEL + 1];
};

/* The fields in the order of their lifetimes: each group is written by the step named and
 * only read after it. */
struct mock_request {
    /* Transport input: filled before mock_dispatch (http/, or mock_request_build). */
    char *method;
    char *url;                    /* path as received, percent-encoded, without query */
    struct mock_header query[16]; /* decoded query arguments */
    size_t n_query;
    struct mock_header headers[MOCK_MAX_HEADERS];
    size_t n_headers;
    bool headers_truncated; /* more than MOCK_MAX_HEADERS arrived */
    char *body;             /* NUL-terminated copy of the body; the journal takes it (NULL after) */
    size_t body_len;
    bool body_too_large;
    bool http2; /* came over HTTP/2, where Host is the :authority pseudo-header */

    /* Routing output (pipeline/router.c). */
    struct mock_route route;

    /* Pipeline facts: request_id and start_ms (dispatch), account and auth_outcome (the auth
     * stage), json (the body stage; InvokeModel's mapped body via mock_request_set_json),
     * model (the model stage). */
    char request_id[37];
    int64_t start_ms;      /* mock clock */
    char account[128];     /* access key id, or "anonymous" */
    char auth_outcome[64]; /* "none", "unsigned", "sigv4", "bearer", or a failure code */
    cJSON *json;           /* owned; parsed body of JSON operations */
    /* The arena `json` was parsed into (common/json_arena.h), or NULL: this thread's, so the
     * request is parsed, dispatched and cleaned up on one thread (the HTTP glue does). */
    struct brk_json_arena *json_arena;
    struct mock_model_ref model;

    /* Stage decisions for a later step (docs/architecture.md, "What each step hands on"). */
    struct mock_rule_match rule;    /* the rules stage's, for the answer */
    struct mock_quota_ticket quota; /* the quota stage's, settled by dispatch with resp->usage */

    /* Owned; the cache-point plan of `json`, built once by the cache-points stage
     * (mock_request_cache_plan, mock/cache/plan.c) and read again by the simulation; a memo
     * of `json`, so only mock_request_set_json may replace `json` once it is parsed. */
    struct mock_cache_plan *cache_plan;
    bool cache_plan_none; /* the body has no cache point (also found once) */

    /* The input tokens of `json` under its model's profile, counted once (the walk reads
     * every byte of the prompt) and kept for the cache plan, the quota and the usage: a memo
     * of `json`, reset by mock_request_set_json. Read through mock_request_input_tokens. */
    uint64_t input_tokens;
    bool input_tokens_known;
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

/* What the journal's "model_id" and a rule's "modelId" matcher see: the {modelId} label, or
 * for ApplyGuardrail the {guardrailIdentifier}; "" when the path names neither. */
const char *mock_route_resource(const struct mock_route *route);

/* Replace the parsed body by `json` (owned from now on; the old one is freed) and forget
 * what was derived from the old one (the cache-point plan). For InvokeModel, whose native
 * body is mapped to a Converse request that every later step (reply, prompt cache, guardrail,
 * journal) reads. */
void mock_request_set_json(struct mock_request *req, cJSON *json);

/* brk_converse_input_tokens of req->json under req's model's token profile, counted on the
 * first call (or taken from the cache plan's walk) and remembered in `req`: the one field a
 * reader of a const request may fill, as the request is never a const object. */
uint64_t mock_request_input_tokens(const struct mock_request *req);

/* Hand req's body (NUL-terminated, *len_out bytes before the NUL; allocated with malloc, so
 * brk_free frees it) to the caller, leaving req without one (body NULL, body_len 0). For the
 * journal (admin/journal_body.c), the last step of mock_dispatch that reads the body: keeping
 * it there instead of a copy saves a body-sized allocation and memcpy per request. */
char *mock_request_take_body(struct mock_request *req, size_t *len_out);

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
