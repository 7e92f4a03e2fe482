/*
 * client.c: creating and destroying a client (include/bedrock/client.h).
 *
 * brk_client_new resolves the configuration (config.c), derives the Host header from the
 * endpoint (the authority without a default port, what botocore signs) and opens the curl
 * handle the client keeps for all its calls.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "client/client_priv.h"
#include "common/alloc.h"

/* "host[:port]" of the endpoint, the port dropped when it is the scheme's default. */
static char *s_host(const char *endpoint)
{
    bool https = strncmp(endpoint, "https://", 8) == 0;
    const char *a = endpoint + (https ? 8 : 7);
    size_t n = strcspn(a, "/?#");
    const char *at = memchr(a, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - a);
        a = at + 1;
    }
    const char *dflt = https ? ":443" : ":80";
    size_t dl = strlen(dflt);
    if (n > dl && memcmp(a + n - dl, dflt, dl) == 0) {
        n -= dl;
    }
    return brk_strndup(a, n);
}

static char *s_user_agent(const char *suffix)
{
    struct brk_buf b;
    brk_buf_init(&b, 4096);
    enum brk_status rc = brk_buf_append_str(&b, "libbedrock/" BRK_CLIENT_VERSION);
    if (rc == BRK_OK && suffix && suffix[0]) {
        rc = brk_buf_appendf(&b, " %s", suffix);
    }
    char *ua = rc == BRK_OK ? brk_strndup(b.data, b.len) : NULL;
    brk_buf_clean_up(&b);
    return ua;
}

enum brk_status brk_client_new(const struct brk_client_config *cfg, struct brk_client **out, struct brk_error *err)
{
    brk_error_clear(err);
    if (out == NULL || cfg == NULL) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "brk_client_new needs a config and an out pointer");
    }
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return brk_error_setf(err, BRK_ERR_NOMEM, "curl_global_init failed");
    }
    struct brk_client *c = brk_calloc(1, sizeof(*c));
    if (c == NULL) {
        curl_global_cleanup();
        return brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    }
    enum brk_status rc = client_settings_resolve(cfg, &c->s, err);
    if (rc != BRK_OK) {
        brk_client_destroy(c);
        return rc;
    }
    c->connect_timeout_ms =
        cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : BRK_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
    c->read_timeout_ms = cfg->read_timeout_ms > 0 ? cfg->read_timeout_ms : BRK_CLIENT_DEFAULT_READ_TIMEOUT_MS;
    c->clock = cfg->clock;
    c->retry = cfg->retry;
    client_retry_init(&c->retry_state, c->s.retry_mode, c->s.max_attempts, cfg->retry.seed,
                      (double)brk_clock_now_ms(c->clock) / 1000.0);
    c->host = s_host(c->s.endpoint);
    c->user_agent = s_user_agent(cfg->user_agent_suffix);
    if (!c->host || !c->user_agent) {
        brk_client_destroy(c);
        return brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    }
    rc = client_transport_init(c, err);
    if (rc != BRK_OK) {
        brk_client_destroy(c);
        return rc;
    }
    *out = c;
    return BRK_OK;
}

void brk_client_destroy(struct brk_client *client)
{
    if (client == NULL) {
        return;
    }
    if (client->curl) {
        curl_easy_cleanup(client->curl);
    }
    client_settings_clean_up(&client->s);
    brk_free(client->host);
    brk_free(client->user_agent);
    OPENSSL_cleanse(client, sizeof(*client));
    brk_free(client);
    curl_global_cleanup(); /* balances the brk_client_new that made it (libcurl counts) */
}

const char *brk_client_region(const struct brk_client *client)
{
    return client->s.region;
}

const char *brk_client_endpoint(const struct brk_client *client)
{
    return client->s.endpoint;
}

enum brk_auth_kind brk_client_auth(const struct brk_client *client)
{
    return client->s.bearer_token ? BRK_AUTH_BEARER : BRK_AUTH_SIGV4;
}

const char *brk_client_access_key_id(const struct brk_client *client)
{
    return client->s.access_key_id ? client->s.access_key_id : "";
}

enum brk_retry_mode brk_client_retry_mode(const struct brk_client *client)
{
    return client->retry_state.mode;
}

unsigned brk_client_max_attempts(const struct brk_client *client)
{
    return client->retry_state.max_attempts;
}

void brk_client_last_call(const struct brk_client *client, struct brk_call_stats *out)
{
    *out = client->retry_state.last;
}

const char *brk_retry_mode_name(enum brk_retry_mode mode)
{
    switch (mode) {
    case BRK_RETRY_LEGACY:
        return "legacy";
    case BRK_RETRY_STANDARD:
        return "standard";
    case BRK_RETRY_ADAPTIVE:
        return "adaptive";
    default:
        return "default";
    }
}

const char *brk_retry_decision_name(enum brk_retry_decision decision)
{
    switch (decision) {
    case BRK_RETRY_DONE_SUCCESS:
        return "success";
    case BRK_RETRY_DONE_NOT_RETRYABLE:
        return "not retryable";
    case BRK_RETRY_DONE_MAX_ATTEMPTS:
        return "max attempts reached";
    case BRK_RETRY_DONE_QUOTA:
        return "retry quota reached";
    default:
        return "retry";
    }
}
