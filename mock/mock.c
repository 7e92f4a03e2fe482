/*
 * mock.c: the public lifecycle of include/bedrock/mock.h: the config defaults, start (every
 * module in order, the transport last) and stop (the transport first), and the warning for a
 * server reachable from other hosts (docs/hardening.md).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "mock/admin/journal.h"
#include "mock/auth/auth.h"
#include "mock/cache/store.h"
#include "mock/http/http1.h"
#include "mock/mock_priv.h"
#include "mock/model/catalog.h"
#include "mock/replay/replay.h"
#include "mock/ops/guardrail.h"
#include "mock/rules/quota.h"
#include "mock/rules/rules.h"

void brk_mock_config_init(struct brk_mock_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->port = BRK_MOCK_DEFAULT_PORT;
    cfg->journal_size = 1000;
    cfg->journal_body_bytes = BRK_MOCK_DEFAULT_JOURNAL_BODY_BYTES;
    cfg->max_body_bytes = 25u * 1024u * 1024u;
    cfg->max_connections = 256;
    cfg->idle_timeout_s = 30;
    cfg->header_timeout_s = 10;
    cfg->memory_budget_bytes = MOCK_DEFAULT_MEMORY_BUDGET;
    cfg->clock_mode = BRK_CLOCK_REAL;
    cfg->cache_max_entries = MOCK_CACHE_DEFAULT_MAX_ENTRIES;
}

static enum brk_status s_load_catalog(struct brk_mock *mock, char *err, size_t err_len)
{
    enum brk_status rc = mock->cfg.models_path
                             ? mock_catalog_load_file(mock->cfg.models_path, &mock->catalog, err, err_len)
                             : mock_catalog_load_default(&mock->catalog, err, err_len);
    const char *app_model = mock->cfg.application_profile_model;
    if (rc == BRK_OK && app_model && mock_catalog_set_app_default(mock->catalog, app_model) != BRK_OK) {
        snprintf(err, err_len, "--application-profile-model %s: no such model in the catalogue", app_model);
        rc = BRK_ERR_CONFIG;
    }
    return rc;
}

bool mock_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!host || strcmp(host, "localhost") == 0) {
        return true; /* NULL is the default, 127.0.0.1 */
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

void mock_exposure_warning(const struct brk_mock_config *cfg, char *out, size_t out_len)
{
    out[0] = '\0';
    if (mock_host_is_loopback(cfg->host)) {
        return;
    }
    /* With --auth strict callers must sign with listed credentials; only an open admin API is
     * then worth a warning. Without it anyone who can reach the port can call the mock. */
    if (cfg->auth_mode == BRK_MOCK_AUTH_STRICT) {
        if (!cfg->no_admin && !cfg->admin_token) {
            snprintf(out, out_len,
                     "listening on %s, which is not a loopback address: its admin API (/_mock/) is open to "
                     "anyone who can reach this port; use --admin-token or --no-admin.",
                     cfg->host);
        }
        return;
    }
    const char *admin = cfg->no_admin      ? ""
                        : cfg->admin_token ? " Its admin API needs the x-mock-admin-token header."
                                           : " Its admin API (/_mock/) is open too: use --admin-token or --no-admin.";
    snprintf(out, out_len,
             "listening on %s, which is not a loopback address: anyone who can reach this port can call the "
             "mock without credentials (use --auth strict).%s Bind to 127.0.0.1 unless you mean it.",
             cfg->host, admin);
}

enum brk_status brk_mock_start(const struct brk_mock_config *cfg, struct brk_mock **out, char *err, size_t err_len)
{
    *out = NULL;
    struct brk_mock *mock = calloc(1, sizeof(*mock));
    if (!mock) {
        return BRK_ERR_NOMEM;
    }
    mock->cfg = *cfg;
    mock->host = strdup(cfg->host ? cfg->host : "127.0.0.1");
    mock->cfg.host = mock->host;
    mock->models_path = cfg->models_path ? strdup(cfg->models_path) : NULL;
    mock->cfg.models_path = mock->models_path;
    mock->admin_token = cfg->admin_token ? strdup(cfg->admin_token) : NULL;
    mock->cfg.admin_token = mock->admin_token;
    if (cfg->has_seed) {
        brk_rng_seed(&mock->rng, cfg->seed);
    } else {
        brk_rng_seed_os(&mock->rng);
    }
    /* 0 (a config zeroed by hand rather than by brk_mock_config_init) means the default. */
    mock->cfg.header_timeout_s = cfg->header_timeout_s ? cfg->header_timeout_s : 10;
    mock_budget_init(&mock->budget, cfg->memory_budget_bytes ? cfg->memory_budget_bytes : MOCK_DEFAULT_MEMORY_BUDGET);
    mock_budget_init_share(&mock->intake, &mock->budget, mock->budget.limit_bytes / 4 * 3);
    mock->owns_clock = cfg->clock == NULL;
    mock->clock = cfg->clock ? cfg->clock : brk_clock_new(cfg->clock_mode, 0);
    mock->journal = mock_journal_new(cfg->journal_size, cfg->journal_body_bytes);
    mock->cache = mock_cache_new(cfg->cache_max_entries);
    enum brk_status rc =
        mock->clock && mock->journal && mock->cache ? s_load_catalog(mock, err, err_len) : BRK_ERR_NOMEM;
    if (rc == BRK_OK) {
        rc = mock_guardrail_load(cfg->guardrail_words_path, &mock->guardrail, err, err_len);
    }
    if (rc == BRK_OK) {
        rc = mock_rules_quotas_start(mock, err, err_len);
    }
    if (rc == BRK_OK) {
        rc = mock_auth_start(mock, err, err_len); /* auth.c: --auth, --credentials */
    }
    if (rc == BRK_OK) {
        rc = mock_replay_start(mock, err, err_len); /* replay/: --record, --replay */
    }
    if (rc == BRK_OK) {
        rc = mock_http_start(mock, err, err_len);
    }
    char warning[512];
    mock_exposure_warning(&mock->cfg, warning, sizeof(warning));
    if (rc == BRK_OK && warning[0]) {
        brk_log_warn("%s", warning);
    }
    if (rc != BRK_OK) {
        brk_mock_stop(mock);
        return rc;
    }
    *out = mock;
    return BRK_OK;
}

uint16_t brk_mock_port(const struct brk_mock *mock)
{
    return mock->port;
}

void brk_mock_stop(struct brk_mock *mock)
{
    if (!mock) {
        return;
    }
    mock_http_stop(mock); /* first: no request may run while the rest is freed */
    mock_catalog_destroy(mock->catalog);
    mock_journal_destroy(mock->journal);
    mock_cache_destroy(mock->cache);
    mock_rules_destroy(mock->rules);
    mock_quotas_destroy(mock->quotas);
    if (mock->owns_clock) {
        brk_clock_destroy(mock->clock);
    }
    mock_guardrail_destroy(mock->guardrail);
    mock_auth_stop(mock);
    mock_replay_stop(mock);
    free(mock->host);
    free(mock->models_path);
    free(mock->admin_token);
    free(mock);
}
