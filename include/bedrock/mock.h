/*
 * mock.h: embed bedrock-mock, the local Amazon Bedrock Runtime server, in a process.
 *
 * The standalone `bedrock-mock` binary is a thin getopt front end over this API, and the
 * tests and the scenario runner start the same server in-process on a free port.
 *
 *     struct brk_mock_config cfg;
 *     brk_mock_config_init(&cfg);
 *     cfg.port = 0;                       // pick a free port
 *     struct brk_mock *mock = NULL;
 *     char err[256];
 *     if (brk_mock_start(&cfg, &mock, err, sizeof(err)) != BRK_OK) { ... }
 *     printf("%u\n", brk_mock_port(mock));
 *     brk_mock_stop(mock);
 *
 * Ownership: the config is copied by brk_mock_start (strings too), so the caller may free
 * it afterwards. The server runs on libmicrohttpd's own threads; brk_mock_stop blocks until
 * they have finished and frees everything.
 *
 * cJSON: the mock parses request bodies into a per-thread arena, and to do so it installs
 * cJSON's allocation hooks (cJSON_InitHooks, process-wide) the first time it parses one,
 * replacing any the process had set. Everything else cJSON allocates stays plain malloc and
 * free, so the process's own cJSON use (freeing cJSON_Print's output with free() included) is
 * unaffected. A process that needs cJSON hooks of its own should run bedrock-mock as a separate
 * process instead of embedding it.
 */
#ifndef BEDROCK_MOCK_H
#define BEDROCK_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/aws_error.h"
#include "bedrock/clock.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_MOCK_DEFAULT_PORT 8787
#define BRK_MOCK_DEFAULT_JOURNAL_BODY_BYTES 16777216u /* 16 MiB */
#define BRK_MOCK_VERSION "0.1.0"
#define BRK_MOCK_MAX_QUOTA_SPECS 16
#define BRK_MOCK_MAX_REPLAY_IGNORE 16

/* How requests are authenticated (docs/auth.md). */
enum brk_mock_auth {
    BRK_MOCK_AUTH_LENIENT = 0, /* default: a well-formed SigV4 or Bearer Authorization header, not verified */
    BRK_MOCK_AUTH_NONE,        /* accept anything, even no Authorization header */
    BRK_MOCK_AUTH_STRICT,      /* verify SigV4 signatures and API keys against the credentials file */
};

struct brk_mock_config {
    const char *host;        /* address to bind; default "127.0.0.1" */
    uint16_t port;           /* default BRK_MOCK_DEFAULT_PORT; 0 picks a free port */
    const char *models_path; /* model catalogue JSON; NULL uses the built-in one */
    /* Model an undeclared application-inference-profile ARN resolves to; NULL keeps the
     * catalogue's "application_profile_model" (docs/models.md). */
    const char *application_profile_model;
    bool has_seed; /* when true, request ids and random choices follow `seed` */
    uint64_t seed;
    enum brk_clock_mode clock_mode; /* real (default) or virtual (moved by POST /_mock/clock) */
    /* A clock to share (borrowed: it must outlive the mock), e.g. one virtual clock for the mock
     * and an embedded client, so the client's retry backoff moves the mock's time (quota refill,
     * cache TTLs); clock_mode is then ignored. NULL (the default): the mock makes its own. */
    struct brk_clock *clock;
    size_t journal_size;             /* requests kept in the journal ring; default 1000 */
    size_t journal_body_bytes;       /* request and response bodies the journal keeps, all entries
                                      * together, oldest dropped first; default
                                      * BRK_MOCK_DEFAULT_JOURNAL_BODY_BYTES, 0 = keep none */
    size_t max_body_bytes;           /* largest request body accepted; default 26214400 (25 MiB) */
    unsigned max_connections;        /* concurrent connections; default 256 */
    unsigned idle_timeout_s;         /* per-connection idle timeout; default 30 */
    unsigned header_timeout_s;       /* a request head (HTTP/2: the preface and SETTINGS) must be complete
                                * this long after it began; default 10, 0 too (docs/hardening.md) */
    uint64_t memory_budget_bytes;    /* request bodies in flight and replies held for clients, all
                                   * connections together; default 268435456 (256 MiB), 0 too */
    unsigned threads;                /* worker threads; default 4 */
    size_t cache_max_entries;        /* prompt-cache entries kept (docs/prompt-caching.md); default 10000 */
    bool cache_reject_below_minimum; /* a cache point below the model's minimum is a 400, not a no-op */

    /* Streams (docs/streaming.md). */
    unsigned stream_chunk_chars; /* characters per text / tool-input delta; 0 = default 16 */
    unsigned stream_delay_ms;    /* pause between stream events; default 0 */
    /* Every stream ends with this exception after event N (N = 0: off) unless a rule sets a
     * fault of its own (--stream-exception TYPE@N). */
    unsigned stream_exception_after;
    enum brk_aws_error stream_exception;
    /* Guardrails (docs/operations.md): file of blocked words, one per line; NULL = built-in list. */
    const char *guardrail_words_path;

    /* Rules and quotas (docs/rules.md); both are read by brk_mock_start only. */
    const char *rules_path;                            /* --rules FILE: scripted replies and faults; NULL = none */
    const char *quota_specs[BRK_MOCK_MAX_QUOTA_SPECS]; /* --quota "tpm=N,rpm=N,tpd=N,model=ID,retry-after" */
    size_t n_quota_specs;
    /* Hardening (docs/hardening.md). */
    const char *admin_token; /* when set, /_mock/ answers only requests whose x-mock-admin-token
                                * header equals it (403 AccessDeniedException otherwise); NULL = open */
    bool no_admin;           /* true: no admin API at all; /_mock/ paths are unknown operations */
    /* Authentication (docs/auth.md). */
    enum brk_mock_auth auth_mode; /* default BRK_MOCK_AUTH_LENIENT */
    const char *credentials_path; /* --credentials FILE (JSON); NULL = none */
    /* The same document given inline (borrowed: read by brk_mock_start only, never kept); used
     * when credentials_path is NULL. bedrock-scenario passes a scenario's mock.auth lists so. */
    const char *credentials_json;
    const char *auth_region; /* region the credential scope must name in strict mode; NULL = any */
    /* Record and replay (docs/record-replay.md). */
    const char *record_dir;      /* --record DIR: forward to upstream_url, write a cassette per exchange */
    const char *upstream_url;    /* --upstream URL, "https://bedrock-runtime.us-east-1.amazonaws.com" */
    const char *upstream_region; /* --upstream-region; NULL: AWS_REGION, AWS_DEFAULT_REGION, the URL's */
    const char *replay_dir;      /* --replay DIR: answer from the cassettes in DIR */
    const char *replay_ignore[BRK_MOCK_MAX_REPLAY_IGNORE]; /* --replay-ignore PATH: body paths not matched */
    size_t n_replay_ignore;
    bool replay_miss_simulate; /* --replay-miss simulate (default error) */
    bool replay_timing_none;   /* --replay-timing none (default recorded) */
};

struct brk_mock;

/* Fill `cfg` with the documented defaults. */
BRK_API void brk_mock_config_init(struct brk_mock_config *cfg);

/* Start a server. On failure returns a status other than BRK_OK, writes a readable reason
 * into err (when err_len > 0) and leaves *out NULL. */
BRK_API enum brk_status brk_mock_start(const struct brk_mock_config *cfg, struct brk_mock **out, char *err,
                                       size_t err_len);

/* The port the server is bound to (the real one when 0 was asked). */
BRK_API uint16_t brk_mock_port(const struct brk_mock *mock);

/* Stop serving, join the threads, and free the server. Accepts NULL. */
BRK_API void brk_mock_stop(struct brk_mock *mock);

#ifdef __cplusplus
}
#endif

#endif
