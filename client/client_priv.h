/*
 * client_priv.h: what the modules of libbedrock share and the public header does not show.
 *
 * One call (brk_converse, ...) is a struct client_call: the operation, the path, the body and
 * what came back. client_call_run makes the call's attempts; client_attempt is one signed HTTP
 * exchange, the unit a retry loop repeats (each attempt is signed afresh, the invocation id
 * stays, amz-sdk-request counts). Not thread-safe: a call uses its client's one curl handle.
 */
#ifndef BEDROCK_CLIENT_PRIV_H
#define BEDROCK_CLIENT_PRIV_H

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "bedrock/cache_points.h"
#include "bedrock/client.h"
#include "bedrock/eventstream.h"
#include "client/retry.h"

/* Largest non-streamed response body kept (Converse answers are far smaller). */
#define CLIENT_MAX_BODY_BYTES (64u << 20)

/* The settings brk_client_new resolved (docs/client.md's table); all owned. */
struct client_settings {
    char *region;
    char *endpoint; /* without a trailing '/' */
    char *access_key_id;
    char *secret_access_key;
    char *session_token;            /* NULL when none */
    char *bearer_token;             /* NULL for SigV4 */
    enum brk_retry_mode retry_mode; /* never DEFAULT (docs/retries.md's routes) */
    unsigned max_attempts;          /* total */
};

struct brk_client {
    struct client_settings s;
    char *host; /* the Host header: the endpoint's authority without a default port */
    char *user_agent;
    long connect_timeout_ms;
    long read_timeout_ms;
    struct brk_clock *clock;         /* borrowed; NULL = real time */
    struct brk_retry_config retry;   /* the caller's: seed and schedule callback */
    struct client_retry retry_state; /* quota and adaptive limiter, per client as botocore's */
    CURL *curl;
    struct brk_cache_settings cache; /* brk_client_set_cache; applied when cache_set */
    bool cache_set;
};

/* Decoding state of one ConverseStream answer (stream.c). */
struct client_stream {
    struct brk_es_decoder dec;
    brk_stream_event_fn on_event;
    void *user;
    size_t events;          /* events delivered */
    bool stopped;           /* the callback asked to stop */
    bool failed;            /* err holds why the stream ended early */
    struct brk_error *err;  /* where a stream error goes (never NULL) */
    const char *request_id; /* the answer's x-amzn-RequestId, for in-stream exceptions */
};

struct client_call {
    const char *operation; /* "Converse" */
    const char *action;    /* last path segment: "converse" */
    const char *model_id;
    const char *body;
    size_t body_len;
    char invocation_id[37];
    unsigned attempt; /* 1-based */
    unsigned max_attempts;
    /* The answer of the last attempt. */
    long http_status;
    struct brk_buf resp_body; /* non-streamed bodies and error bodies */
    char request_id[96];
    char error_type[256];
    char date[64];                /* the answer's Date header, or "" */
    char ttl[20];                 /* amz-sdk-request's ttl from the last answer with a Date, or "" */
    struct client_stream *stream; /* set for ConverseStream */
    /* The read timeout's watch (transport.c). */
    long read_timeout_ms;
    int64_t idle_since_ms;
    curl_off_t dl_seen, ul_seen;
    bool timed_out;
};

/* ---- config.c / profile.c -------------------------------------------------------------- */

enum brk_status client_settings_resolve(const struct brk_client_config *cfg, struct client_settings *out,
                                        struct brk_error *err);
void client_settings_clean_up(struct client_settings *s);

/* The value of `key` in section `section` ("default", "profile dev") of the INI file at path,
 * copied into a new string (*out NULL when the file, section or key is absent). BRK_ERR_NOMEM. */
enum brk_status client_profile_get(const char *path, const char *section, const char *key, char **out);

/* ---- call.c ------------------------------------------------------------------------------ */

void client_call_init(struct client_call *call, const char *operation, const char *action, const char *model_id,
                      const char *body, size_t body_len);
void client_call_clean_up(struct client_call *call);

/* Run the call (its attempts); on BRK_OK the 2xx answer is in call->resp_body (or went to the
 * stream's callback). Service errors are parsed into err. */
enum brk_status client_call_run(struct brk_client *client, struct client_call *call, struct brk_error *err);

/* One attempt: sign, send, receive, classify. */
enum brk_status client_attempt(struct brk_client *client, struct client_call *call, struct brk_error *err);

/* ---- auth.c ------------------------------------------------------------------------------ */

/* Append the authentication headers of one attempt (X-Amz-Date, X-Amz-Security-Token and
 * Authorization, or Authorization: Bearer) for POST `path` with `body` to *list. */
enum brk_status client_auth_headers(const struct brk_client *client, const char *path, const char *body,
                                    size_t body_len, struct curl_slist **list, struct brk_error *err);

/* ---- transport.c ------------------------------------------------------------------------- */

enum brk_status client_transport_init(struct brk_client *client, struct brk_error *err);
/* Send POST url with the headers and body; the answer goes into call. */
enum brk_status client_transport_perform(struct brk_client *client, struct client_call *call, const char *url,
                                         struct curl_slist *headers, struct brk_error *err);

/* ---- stream.c ---------------------------------------------------------------------------- */

void client_stream_init(struct client_stream *s, brk_stream_event_fn on_event, void *user, struct brk_error *err);
void client_stream_clean_up(struct client_stream *s);
/* Feed bytes of the event stream; dispatches every complete message. Returns false when the
 * stream must end (stopped or failed). */
bool client_stream_feed(struct client_stream *s, const void *data, size_t len);
/* After the transfer ended cleanly: a partial message left over is an error. */
enum brk_status client_stream_finish(struct client_stream *s);

/* ---- response.c -------------------------------------------------------------------------- */

/* Allocate an empty response. */
struct brk_converse_response *client_response_new(void);
/* Free the contents of one block. */
void client_block_clean_up(struct brk_content_block *b);
/* Append a zeroed block to msg; NULL on NOMEM. */
struct brk_content_block *client_message_add_block(struct brk_message *msg);
/* Usage from a TokenUsage object (absent fields 0). */
void client_usage_parse(const cJSON *usage, struct brk_usage *out);
/* Parse JSON text: BRK_OK, BRK_ERR_PARSE, or BRK_ERR_NOMEM when an allocation failed (cJSON
 * returns NULL for both; common/alloc.h's failure count tells them apart). */
enum brk_status client_json_parse(const char *text, size_t len, cJSON **out);
/* A compact JSON copy of `item` (NULL item gives NULL and BRK_OK). */
enum brk_status client_json_dup(const cJSON *item, char **out);

/* The client's cache settings (brk_client_set_cache) applied to an operation's body: `placed`
 * gets the body to send (for CountTokens, {"input":{"converse":...}} with its converse placed).
 * Returns BRK_OK with `placed` empty when the client has no cache settings (cache_points.c). */
enum brk_status client_cache_place(const struct brk_client *client, const char *model_id, bool count_tokens,
                                   const char *body, size_t body_len, struct brk_buf *placed, struct brk_error *err);

#endif
