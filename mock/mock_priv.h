/*
 * mock_priv.h (mock-private): the server object, struct brk_mock, and the start-up helpers of
 * mock.c.
 *
 * The layers (docs/architecture.md): http/ turns bytes into a struct mock_request
 * (pipeline/request.h) and sends the struct mock_response (pipeline/response.h) that
 * mock_dispatch (pipeline/stages.h) produced; the stages (auth/, validate/, cache/, rules/)
 * and the operations (ops/) only see the pair; model/ answers, admin/ serves /_mock/.
 *
 * Ownership: brk_mock_start (mock.c) creates the object and every member; brk_mock_stop frees
 * them. Members are shared by the transport threads: each module guards its own state.
 */
#ifndef MOCK_PRIV_H
#define MOCK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/clock.h"
#include "bedrock/mock.h"
#include "common/rng.h"
#include "mock/http/budget.h"

struct mock_catalog;
struct mock_journal;
struct mock_cache;
struct mock_rules;
struct mock_quotas;
struct mock_credentials;
struct mock_guardrail;
struct mock_listener;
struct mock_recorder;
struct mock_replayer;
struct mock_deadlines;
struct MHD_Daemon;

struct brk_mock {
    struct brk_mock_config cfg;
    char *host;
    char *models_path;
    struct MHD_Daemon *daemon;
    uint16_t port;
    struct mock_catalog *catalog;
    struct brk_clock *clock;
    bool owns_clock; /* false when brk_mock_config.clock lent it */
    struct brk_rng rng;
    struct mock_journal *journal;
    _Atomic uint64_t request_seq;     /* requests seen since start; numbers journal entries */
    struct mock_cache *cache;         /* the simulated prompt cache (cache/store.h) */
    struct mock_guardrail *guardrail; /* word list of the simulated guardrails (ops/guardrail.c) */

    /* Scripted replies and faults (rules/rules.c), and quota buckets (rules/quota.c). */
    struct mock_rules *rules;
    struct mock_quotas *quotas;
    char *admin_token;                /* owned copy of cfg.admin_token (mock.c), or NULL */
    struct mock_listener *listener;   /* http/listener.c: the socket; HTTP/1.1 to MHD, HTTP/2 to h2.c */
    struct mock_deadlines *deadlines; /* http/deadline.c: HTTP/1.1 request-head deadlines */
    struct mock_budget budget;        /* http/budget.h: memory held for clients, all connections */
    struct mock_budget intake;        /* its share for request bodies and headers (3/4): replies keep room */
    /* Authentication (auth/auth.c): owned copies of the config strings and the loaded credentials. */
    char *credentials_path;
    char *auth_region;
    struct mock_credentials *credentials; /* NULL when no --credentials file */
    /* Record and replay (replay/replay.h); NULL when off. */
    struct mock_recorder *recorder;
    struct mock_replayer *replayer;
};

/* ---- start-up checks (mock.c, docs/hardening.md) ---- */
/* Whether `host` (a --host value) is a loopback address: 127.0.0.0/8, ::1, or "localhost". */
bool mock_host_is_loopback(const char *host);

/* The warning to print for a server bound to `host` (empty when there is nothing to say):
 * any non-loopback address is reachable by others, and so is its admin API. */
void mock_exposure_warning(const struct brk_mock_config *cfg, char *out, size_t out_len);

#endif
