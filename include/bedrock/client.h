/*
 * client.h: libbedrock, a C client for Amazon Bedrock Runtime's Converse, ConverseStream and
 * CountTokens operations (docs/client.md).
 *
 *     struct brk_client_config cfg;
 *     brk_client_config_init(&cfg);          // every field unset: resolved as the AWS SDKs do
 *     struct brk_client *client = NULL;
 *     struct brk_error err;
 *     if (brk_client_new(&cfg, &client, &err) != BRK_OK) { puts(err.message); ... }
 *     struct brk_converse_response *resp = NULL;
 *     if (brk_converse(client, model_id, body, strlen(body), &resp, &err) == BRK_OK) {
 *         puts(resp->message.blocks[0].text);
 *     }
 *     brk_converse_response_destroy(resp);
 *     brk_client_destroy(client);
 *
 * Request bodies are the JSON text of the operation's request (without modelId, which goes
 * into the path), e.g. {"messages":[{"role":"user","content":[{"text":"Hello"}]}]}.
 *
 * Ownership: the config's strings are borrowed by brk_client_new and copied; the caller may
 * free them afterwards. Each response object has one owner, the caller, who frees it with its
 * _destroy function. Stream events are borrowed: valid only during the callback.
 *
 * Thread-safety: a client holds one libcurl handle (one keep-alive connection) and must not be
 * used by two threads at once; distinct clients may be used concurrently from distinct threads.
 * brk_client_new calls curl_global_init and brk_client_destroy curl_global_cleanup (libcurl
 * counts them); a program that creates clients from several threads at once should call
 * curl_global_init itself first, as it is not thread-safe in older libcurls.
 *
 * Errors: every fallible function returns an enum brk_status and fills the optional
 * struct brk_error (include/bedrock/error.h): BRK_ERR_SERVICE for an AWS error (code, message,
 * request id, HTTP status), BRK_ERR_CONNECT, BRK_ERR_TIMEOUT, BRK_ERR_TRANSPORT (the connection
 * broke after it was made, a cut stream included), BRK_ERR_CRC (a corrupt event-stream frame),
 * BRK_ERR_BAD_RESPONSE, BRK_ERR_CONFIG, BRK_ERR_NOMEM, BRK_ERR_INVALID_ARG.
 *
 * Retries: every call retries as botocore's legacy (the default), standard or adaptive mode
 * does (docs/retries.md); the error returned is the last attempt's. brk_client_last_call
 * tells how many attempts a call made and how long it backed off.
 */
#ifndef BEDROCK_CLIENT_H
#define BEDROCK_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/clock.h"
#include "bedrock/error.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_CLIENT_VERSION "0.1.0"
/* botocore's defaults (botocore/config.py: connect_timeout and read_timeout, 60 s each). */
#define BRK_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 60000
#define BRK_CLIENT_DEFAULT_READ_TIMEOUT_MS 60000

/* botocore's retry modes (docs/retries.md; client-facts.md §3). DEFAULT resolves from
 * AWS_RETRY_MODE, then the profile's retry_mode, then "legacy" (botocore's default). */
enum brk_retry_mode { BRK_RETRY_DEFAULT = 0, BRK_RETRY_LEGACY, BRK_RETRY_STANDARD, BRK_RETRY_ADAPTIVE };

/* What the retry loop decided after one attempt. */
enum brk_retry_decision {
    BRK_RETRY_DONE_SUCCESS = 0,   /* a 2xx answer: the call ends */
    BRK_RETRY_DONE_NOT_RETRYABLE, /* the error is not retryable in this mode */
    BRK_RETRY_DONE_MAX_ATTEMPTS,  /* retryable, but the attempts are spent (MaxAttemptsReached) */
    BRK_RETRY_DONE_QUOTA,         /* retryable, but the retry quota is empty (RetryQuotaReached) */
    BRK_RETRY_AGAIN,              /* retried after delay_ms */
};

/* One attempt of a call, as the retry loop saw it: the schedule a test or --verbose reads. */
struct brk_retry_attempt {
    unsigned attempt; /* 1-based */
    unsigned max_attempts;
    int64_t send_ms;        /* the client clock when the attempt was sent */
    int64_t bucket_wait_ms; /* adaptive: time the token bucket held the attempt back */
    enum brk_status status; /* the attempt's outcome */
    int http_status;        /* 0 without an HTTP answer */
    const char *code;       /* the error code ("" when none); borrowed */
    bool throttling;        /* the error is a throttling error (standard detector) */
    enum brk_retry_decision decision;
    int64_t delay_ms;        /* the backoff slept before the next attempt; 0 when none */
    unsigned quota_capacity; /* standard/adaptive: the retry quota after this attempt */
    bool bucket_enabled;     /* adaptive: the rate limiter is on */
    double fill_rate;        /* adaptive: the token bucket's fill rate (tokens/s) after it */
    double measured_rate;    /* adaptive: the measured send rate (responses/s) */
};

typedef void (*brk_retry_attempt_fn)(const struct brk_retry_attempt *attempt, void *user);

struct brk_retry_config {
    enum brk_retry_mode mode;
    unsigned max_attempts;           /* TOTAL attempts (botocore's total_max_attempts); 0 = not set */
    unsigned max_retries;            /* botocore's retries={'max_attempts': N}: N retries, N + 1 attempts; used
                            * when max_attempts is 0 (then AWS_MAX_ATTEMPTS, the profile, the default) */
    uint64_t seed;                   /* the jitter's random source; 0 = seeded from the OS */
    brk_retry_attempt_fn on_attempt; /* optional: called after every attempt, on the calling thread */
    void *on_attempt_user;
};

/* What the last call of a client did (botocore's ResponseMetadata.RetryAttempts & co). */
struct brk_call_stats {
    unsigned attempts;      /* 1 + RetryAttempts */
    int64_t retry_delay_ms; /* backoff slept, in total */
    int64_t bucket_wait_ms; /* adaptive: time the token bucket held attempts back, in total */
    bool max_attempts_reached;
    bool retry_quota_reached;
};

/* Every field is optional: NULL (or 0) means "resolve as the AWS SDKs do" (docs/client.md). */
struct brk_client_config {
    const char *region;        /* else AWS_REGION, AWS_DEFAULT_REGION, the profile's region */
    const char *endpoint;      /* else AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL,
                                    * https://bedrock-runtime.{region}.amazonaws.com */
    const char *profile;       /* else AWS_PROFILE, else "default" */
    const char *access_key_id; /* with secret_access_key: SigV4 credentials given in code */
    const char *secret_access_key;
    const char *session_token;
    const char *bearer_token;      /* a Bedrock API key; else AWS_BEARER_TOKEN_BEDROCK. Wins over SigV4 */
    long connect_timeout_ms;       /* 0 = BRK_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS */
    long read_timeout_ms;          /* no byte for this long ends the call; 0 = the default; checked ~1/s */
    const char *user_agent_suffix; /* appended to "libbedrock/VERSION" */
    struct brk_clock *clock;       /* signing time; borrowed, must outlive the client; NULL = real time */
    struct brk_retry_config retry; /* retry mode, attempts, jitter seed, schedule callback */
    bool ignore_environment;       /* true: read no environment variable and no config or credentials
                                    * file; what is unset takes botocore's defaults (legacy, 5 attempts;
                                    * the endpoint from the region), and the region and credentials must
                                    * be given here. For hermetic tests (bedrock-scenario run) */
};

/* Fill `cfg` with "everything unset". */
BRK_API void brk_client_config_init(struct brk_client_config *cfg);

struct brk_client;

enum brk_auth_kind { BRK_AUTH_SIGV4 = 0, BRK_AUTH_BEARER };

/* Resolve the configuration and create a client. BRK_ERR_CONFIG with a message naming the
 * variables to set when no region or no credentials are found; BRK_ERR_NOMEM. *out is NULL
 * on failure. */
BRK_API enum brk_status brk_client_new(const struct brk_client_config *cfg, struct brk_client **out,
                                       struct brk_error *err);

/* Close the connection and free the client (secrets wiped). Accepts NULL. */
BRK_API void brk_client_destroy(struct brk_client *client);

/* What the configuration resolved to (borrowed from the client). */
BRK_API const char *brk_client_region(const struct brk_client *client);
BRK_API const char *brk_client_endpoint(const struct brk_client *client);
BRK_API enum brk_auth_kind brk_client_auth(const struct brk_client *client);
BRK_API const char *brk_client_access_key_id(const struct brk_client *client);      /* "" with a bearer token */
BRK_API enum brk_retry_mode brk_client_retry_mode(const struct brk_client *client); /* never DEFAULT */
BRK_API unsigned brk_client_max_attempts(const struct brk_client *client);          /* total attempts */
BRK_API const char *brk_retry_mode_name(enum brk_retry_mode mode);                  /* "standard" */
BRK_API const char *brk_retry_decision_name(enum brk_retry_decision decision);      /* "retry", ... */

/* The attempts and retry delay of the client's last call (zeroed before the first). */
BRK_API void brk_client_last_call(const struct brk_client *client, struct brk_call_stats *out);

/* ---- responses --------------------------------------------------------------------------- */

enum brk_block_type {
    BRK_BLOCK_TEXT = 0,
    BRK_BLOCK_TOOL_USE,
    BRK_BLOCK_REASONING,
    BRK_BLOCK_CITATIONS,
    BRK_BLOCK_IMAGE,
    BRK_BLOCK_DOCUMENT,
    BRK_BLOCK_OTHER, /* a member this version does not know; see raw_json */
};

/* One content block. Strings are NUL-terminated and owned by the response; NULL when absent. */
struct brk_content_block {
    enum brk_block_type type;
    char *text;             /* TEXT; REASONING's reasoningText.text; CITATIONS: its content texts joined */
    char *tool_use_id;      /* TOOL_USE */
    char *tool_name;        /* TOOL_USE */
    char *tool_input_json;  /* TOOL_USE: the input as compact JSON ("{}" when empty) */
    char *signature;        /* REASONING */
    char *redacted_content; /* REASONING: redactedContent, base64 as on the wire */
    char *citations_json;   /* CITATIONS: the array of citations, compact JSON */
    char *raw_json;         /* IMAGE, DOCUMENT, OTHER: the block as received, compact JSON */
};

struct brk_message {
    char *role; /* "assistant" */
    struct brk_content_block *blocks;
    size_t n_blocks;
};

/* TokenUsage; absent fields are 0. */
struct brk_usage {
    uint64_t input_tokens;
    uint64_t output_tokens;
    uint64_t total_tokens;
    uint64_t cache_read_input_tokens;
    uint64_t cache_write_input_tokens;
};

/* Converse's answer, or what a stream accumulator rebuilt. Owned by the caller. */
struct brk_converse_response {
    struct brk_message message;
    char *stop_reason; /* "end_turn", "tool_use", ... */
    struct brk_usage usage;
    int64_t latency_ms;            /* metrics.latencyMs */
    char *trace_json;              /* trace as compact JSON, or NULL */
    char *performance_config_json; /* performanceConfig, or NULL */
    char *additional_fields_json;  /* additionalModelResponseFields, or NULL */
    char request_id[96];           /* x-amzn-RequestId */
    unsigned retry_attempts;       /* botocore's ResponseMetadata.RetryAttempts: attempts - 1 */
    int64_t retry_delay_ms;        /* the backoff slept before the answer, in total */
    char *raw_json;                /* the answer's body as received (NUL-terminated), every member the struct
                                    * lacks included (usage.cacheDetails, ...); NULL for a stream's rebuilt answer */
};

/* Free a response. Accepts NULL. */
BRK_API void brk_converse_response_destroy(struct brk_converse_response *resp);

/* Parse the JSON body of a Converse answer (unknown fields ignored; the text kept in raw_json). BRK_ERR_BAD_RESPONSE
 * (message in err) when it is not a Converse answer; BRK_ERR_NOMEM. */
BRK_API enum brk_status brk_converse_response_parse(const char *json, size_t len, struct brk_converse_response **out,
                                                    struct brk_error *err);

/* Append the response written back as the Converse body it stands for, compact JSON
 * ({"output":{"message":{"role","content":[...]}},"stopReason","usage",{...},"metrics",...}), to
 * `out` (include/bedrock/buf.h; its max_len bounds it): what bedrock-converse --json prints.
 * BRK_ERR_INVALID_ARG for NULLs; BRK_ERR_TOO_LARGE / BRK_ERR_NOMEM from the buffer (out then
 * holds a partial text). */
struct brk_buf;
BRK_API enum brk_status brk_converse_response_to_json(const struct brk_converse_response *resp, struct brk_buf *out);

/* ---- operations ------------------------------------------------------------------------- */

/* POST /model/{model_id}/converse. model_id may be an id, an inference profile or an ARN; it is
 * percent-encoded into the path. On BRK_OK *out holds the answer. */
BRK_API enum brk_status brk_converse(struct brk_client *client, const char *model_id, const char *body_json,
                                     size_t body_len, struct brk_converse_response **out, struct brk_error *err);

/* POST /model/{model_id}/count-tokens with a CountTokens body
 * ({"input":{"converse":{"messages":[...]}}}); *input_tokens receives inputTokens. */
BRK_API enum brk_status brk_count_tokens(struct brk_client *client, const char *model_id, const char *body_json,
                                         size_t body_len, uint64_t *input_tokens, struct brk_error *err);

/* ---- ConverseStream --------------------------------------------------------------------- */

enum brk_event_type {
    BRK_EVENT_MESSAGE_START = 0,
    BRK_EVENT_CONTENT_BLOCK_START,
    BRK_EVENT_CONTENT_BLOCK_DELTA,
    BRK_EVENT_CONTENT_BLOCK_STOP,
    BRK_EVENT_MESSAGE_STOP,
    BRK_EVENT_METADATA,
    BRK_EVENT_UNKNOWN, /* an event this version does not know (payload_json has it) */
};

enum brk_delta_type {
    BRK_DELTA_NONE = 0,
    BRK_DELTA_TEXT,
    BRK_DELTA_TOOL_USE_INPUT, /* a piece of the tool input's JSON text */
    BRK_DELTA_REASONING_TEXT,
    BRK_DELTA_REASONING_SIGNATURE,
    BRK_DELTA_REASONING_REDACTED, /* base64 */
    BRK_DELTA_CITATION,           /* one citation, compact JSON */
};

/* One decoded event. Everything is borrowed and valid only during the callback. */
struct brk_stream_event {
    enum brk_event_type type;
    const char *event_type;  /* ":event-type" as sent ("contentBlockDelta") */
    int content_block_index; /* block events; -1 otherwise */
    const char *role;        /* MESSAGE_START */
    const char *tool_use_id; /* CONTENT_BLOCK_START of a tool use, else NULL */
    const char *tool_name;
    enum brk_delta_type delta_type; /* CONTENT_BLOCK_DELTA */
    const char *delta;              /* the delta's text (NUL-terminated) */
    size_t delta_len;
    const char *stop_reason;       /* MESSAGE_STOP */
    const struct brk_usage *usage; /* METADATA */
    int64_t latency_ms;            /* METADATA */
    const char *trace_json;        /* METADATA with a trace, else NULL */
    const char *payload_json;      /* the event's JSON payload as received */
    size_t payload_len;
    const char *request_id; /* the answer's x-amzn-RequestId ("" when none) */
};

/* Called once per event; return 0 to go on, non-zero to stop the stream (the call then
 * returns BRK_OK and closes the connection). */
typedef int (*brk_stream_event_fn)(const struct brk_stream_event *event, void *user);

/* POST /model/{model_id}/converse-stream, decoding the event stream as it arrives (both CRCs
 * checked). An exception event ends the stream with BRK_ERR_SERVICE (err->code is the member
 * name, e.g. "throttlingException"; err->aws its table row); a corrupt frame with BRK_ERR_CRC;
 * a connection closed mid-stream with BRK_ERR_TRANSPORT. Events delivered before an error
 * stay delivered. */
BRK_API enum brk_status brk_converse_stream(struct brk_client *client, const char *model_id, const char *body_json,
                                            size_t body_len, brk_stream_event_fn on_event, void *user,
                                            struct brk_error *err);

/* Rebuilds the final answer from the events: the same struct Converse gives. */
struct brk_stream_accumulator;

BRK_API enum brk_status brk_stream_accumulator_new(struct brk_stream_accumulator **out);

/* Fold one event in. BRK_ERR_NOMEM; BRK_ERR_BAD_RESPONSE for an event out of place (a delta
 * for a block index far past the last, a delta of another kind than its block). */
BRK_API enum brk_status brk_stream_accumulator_add(struct brk_stream_accumulator *acc,
                                                   const struct brk_stream_event *event);

/* A brk_stream_event_fn that feeds `user` (a struct brk_stream_accumulator *); it stops the
 * stream when adding fails (brk_stream_accumulator_finish then returns that failure). */
BRK_API int brk_stream_accumulator_on_event(const struct brk_stream_event *event, void *user);

/* Hand over the rebuilt response (the caller owns it); the accumulator is then empty. Returns
 * the first failure of an earlier add, if any. */
BRK_API enum brk_status brk_stream_accumulator_finish(struct brk_stream_accumulator *acc,
                                                      struct brk_converse_response **out);

/* Accepts NULL. */
BRK_API void brk_stream_accumulator_destroy(struct brk_stream_accumulator *acc);

#ifdef __cplusplus
}
#endif

#endif
