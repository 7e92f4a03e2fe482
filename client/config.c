/*
 * config.c: resolving a struct brk_client_config into the settings a client uses, in the
 * order the AWS SDKs use (botocore's session variables and credential chain; the table is in
 * docs/client.md):
 *
 *   region      config > AWS_REGION > AWS_DEFAULT_REGION > the profile's `region`
 *   auth        bearer token in config > AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key wins
 *               over SigV4, as botocore's bearer auth does) > keys in config >
 *               AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (skipped when the
 *               config names a profile, as botocore skips its env provider for an explicit
 *               profile) > the shared credentials file [NAME] > the config file [profile NAME]
 *   endpoint    config > AWS_ENDPOINT_URL_BEDROCK_RUNTIME > AWS_ENDPOINT_URL >
 *               https://bedrock-runtime.{region}.amazonaws.com
 *   retry mode  config > AWS_RETRY_MODE > the profile's `retry_mode` > legacy
 *   attempts    config's total > config's retries + 1 > AWS_MAX_ATTEMPTS > the profile's
 *               `max_attempts` > 5 (legacy) or 3 (standard, adaptive); docs/retries.md
 *   profile     config > AWS_PROFILE > "default"; files AWS_SHARED_CREDENTIALS_FILE
 *               (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config)
 *
 * With cfg->ignore_environment every "env" and "profile" source above is skipped: no variable
 * and no file is read, so the same config means the same client on every machine.
 *
 * Sources: /work/shared/spec/client-facts.md §4 (endpoint, bearer), §3.1 (retries), issues 14, 15. Reads the
 * environment and files, so not meant to race with setenv; otherwise thread-safe.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_priv.h"
#include "common/alloc.h"

struct s_profile {
    bool isolated; /* cfg->ignore_environment: no variable, no file */
    const char *name;
    char config_path[4096];
    char creds_path[4096];
};

static const char *s_env(const struct s_profile *p, const char *name)
{
    const char *v = p->isolated ? NULL : getenv(name);
    return v && *v ? v : NULL;
}

static enum brk_status s_dup(char **dst, const char *src)
{
    *dst = src ? brk_strdup(src) : NULL;
    return src && !*dst ? BRK_ERR_NOMEM : BRK_OK;
}

static void s_file_path(const struct s_profile *p, const char *env, const char *file, char *out, size_t out_len)
{
    const char *home = s_env(p, "HOME");
    if (s_env(p, env)) {
        snprintf(out, out_len, "%s", s_env(p, env));
    } else if (home) {
        snprintf(out, out_len, "%s/.aws/%s", home, file);
    } else {
        out[0] = '\0';
    }
}

static void s_profile_init(const struct brk_client_config *cfg, struct s_profile *p)
{
    p->isolated = cfg->ignore_environment;
    const char *env_profile = s_env(p, "AWS_PROFILE");
    p->name = cfg->profile ? cfg->profile : env_profile ? env_profile : "default";
    s_file_path(p, "AWS_CONFIG_FILE", "config", p->config_path, sizeof(p->config_path));
    s_file_path(p, "AWS_SHARED_CREDENTIALS_FILE", "credentials", p->creds_path, sizeof(p->creds_path));
}

/* `key` from the config file's profile section ("[profile NAME]", or "[default]" for the
 * default profile), then from the credentials file's "[NAME]". */
static enum brk_status s_profile_value(const struct s_profile *p, const char *key, char **out)
{
    char section[512];
    snprintf(section, sizeof(section), "profile %s", p->name);
    *out = NULL;
    enum brk_status rc = p->config_path[0] ? client_profile_get(p->config_path, section, key, out) : BRK_OK;
    if (rc == BRK_OK && !*out && strcmp(p->name, "default") == 0 && p->config_path[0]) {
        rc = client_profile_get(p->config_path, "default", key, out);
    }
    if (rc == BRK_OK && !*out && p->creds_path[0]) {
        rc = client_profile_get(p->creds_path, p->name, key, out);
    }
    return rc;
}

static void s_free_secret(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        brk_free(*s);
        *s = NULL;
    }
}

/* Keys of one file's section: both or none. */
static enum brk_status s_keys_from_file(const char *path, const char *section, struct client_settings *out)
{
    enum brk_status rc = client_profile_get(path, section, "aws_access_key_id", &out->access_key_id);
    rc = rc == BRK_OK ? client_profile_get(path, section, "aws_secret_access_key", &out->secret_access_key) : rc;
    rc = rc == BRK_OK ? client_profile_get(path, section, "aws_session_token", &out->session_token) : rc;
    if (rc != BRK_OK || !out->access_key_id || !out->secret_access_key) {
        s_free_secret(&out->access_key_id);
        s_free_secret(&out->secret_access_key);
        s_free_secret(&out->session_token);
    }
    return rc;
}

static enum brk_status s_keys_from_profile(const struct s_profile *p, struct client_settings *out)
{
    enum brk_status rc = p->creds_path[0] ? s_keys_from_file(p->creds_path, p->name, out) : BRK_OK;
    char section[512];
    snprintf(section, sizeof(section), "profile %s", p->name);
    if (rc == BRK_OK && !out->access_key_id && p->config_path[0]) {
        rc = s_keys_from_file(p->config_path, section, out);
    }
    if (rc == BRK_OK && !out->access_key_id && p->config_path[0] && strcmp(p->name, "default") == 0) {
        rc = s_keys_from_file(p->config_path, "default", out);
    }
    return rc;
}

static enum brk_status s_resolve_auth(const struct brk_client_config *cfg, const struct s_profile *p,
                                      struct client_settings *out, struct brk_error *err)
{
    const char *bearer = cfg->bearer_token ? cfg->bearer_token : s_env(p, "AWS_BEARER_TOKEN_BEDROCK");
    if (bearer) {
        return s_dup(&out->bearer_token, bearer);
    }
    const char *id = cfg->access_key_id, *secret = cfg->secret_access_key, *token = cfg->session_token;
    if ((!id || !secret) && !cfg->profile) {
        id = s_env(p, "AWS_ACCESS_KEY_ID");
        secret = s_env(p, "AWS_SECRET_ACCESS_KEY");
        token = s_env(p, "AWS_SESSION_TOKEN");
    }
    if (id && secret) {
        enum brk_status rc = s_dup(&out->access_key_id, id);
        rc = rc == BRK_OK ? s_dup(&out->secret_access_key, secret) : rc;
        return rc == BRK_OK ? s_dup(&out->session_token, token) : rc;
    }
    enum brk_status rc = s_keys_from_profile(p, out);
    if (rc == BRK_OK && !out->access_key_id && p->isolated) {
        return brk_error_setf(err, BRK_ERR_CONFIG,
                              "no credentials: with ignore_environment set, give brk_client_config's "
                              "access_key_id and secret_access_key, or bearer_token");
    }
    if (rc == BRK_OK && !out->access_key_id) {
        return brk_error_setf(err, BRK_ERR_CONFIG,
                              "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
                              "AWS_SESSION_TOKEN for temporary ones), or AWS_BEARER_TOKEN_BEDROCK for an API key, or "
                              "add aws_access_key_id and aws_secret_access_key to profile '%s' in %s "
                              "(AWS_SHARED_CREDENTIALS_FILE) or %s (AWS_CONFIG_FILE; AWS_PROFILE picks the profile)",
                              p->name, p->creds_path[0] ? p->creds_path : "~/.aws/credentials",
                              p->config_path[0] ? p->config_path : "~/.aws/config");
    }
    return rc;
}

/* A region goes into a host name and the signing scope: letters, digits and '-' only. */
static bool s_region_valid(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-') {
        return false;
    }
    return strspn(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

static enum brk_status s_resolve_region(const struct brk_client_config *cfg, const struct s_profile *p,
                                        struct client_settings *out, struct brk_error *err)
{
    const char *r = cfg->region              ? cfg->region
                    : s_env(p, "AWS_REGION") ? s_env(p, "AWS_REGION")
                                             : s_env(p, "AWS_DEFAULT_REGION");
    enum brk_status rc = r ? s_dup(&out->region, r) : s_profile_value(p, "region", &out->region);
    if (rc != BRK_OK) {
        return rc;
    }
    if (!out->region && p->isolated) {
        return brk_error_setf(err, BRK_ERR_CONFIG,
                              "no region: with ignore_environment set, give brk_client_config.region");
    }
    if (!out->region) {
        return brk_error_setf(err, BRK_ERR_CONFIG,
                              "no region: set AWS_REGION (or AWS_DEFAULT_REGION), add region to profile '%s' in %s "
                              "(AWS_CONFIG_FILE; AWS_PROFILE picks the profile), or set brk_client_config.region",
                              p->name, p->config_path[0] ? p->config_path : "~/.aws/config");
    }
    if (!s_region_valid(out->region)) {
        return brk_error_setf(err, BRK_ERR_CONFIG, "invalid region '%.64s': letters, digits and '-' only", out->region);
    }
    return BRK_OK;
}

static enum brk_status s_resolve_endpoint(const struct brk_client_config *cfg, const struct s_profile *p,
                                          struct client_settings *out, struct brk_error *err)
{
    const char *e = cfg->endpoint ? cfg->endpoint : s_env(p, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
    e = e ? e : s_env(p, "AWS_ENDPOINT_URL");
    char dflt[128];
    if (!e) {
        snprintf(dflt, sizeof(dflt), "https://bedrock-runtime.%s.amazonaws.com", out->region);
        e = dflt;
    }
    if (strncmp(e, "http://", 7) != 0 && strncmp(e, "https://", 8) != 0) {
        return brk_error_setf(err, BRK_ERR_CONFIG, "endpoint '%.256s' is not an http:// or https:// URL", e);
    }
    size_t n = strlen(e);
    while (n > 8 && e[n - 1] == '/') {
        n--;
    }
    out->endpoint = brk_strndup(e, n);
    return out->endpoint ? BRK_OK : BRK_ERR_NOMEM;
}

/* A total attempt count from AWS_MAX_ATTEMPTS or the profile: a whole number >= 1. */
static bool s_parse_attempts(const char *text, unsigned *out)
{
    char *end = NULL;
    unsigned long v = text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (v < 1 || v > CLIENT_MAX_ATTEMPTS_LIMIT || *end != '\0') {
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* retry_mode: config > AWS_RETRY_MODE > the profile's retry_mode > legacy. */
static enum brk_status s_resolve_retry_mode(const struct brk_client_config *cfg, const struct s_profile *p,
                                            struct client_settings *out, struct brk_error *err)
{
    out->retry_mode = cfg->retry.mode != BRK_RETRY_DEFAULT ? cfg->retry.mode : BRK_RETRY_LEGACY;
    if (cfg->retry.mode != BRK_RETRY_DEFAULT) {
        return cfg->retry.mode <= BRK_RETRY_ADAPTIVE
                   ? BRK_OK
                   : brk_error_setf(err, BRK_ERR_CONFIG, "retry mode %d is not a brk_retry_mode", (int)cfg->retry.mode);
    }
    char *from_profile = NULL;
    const char *v = s_env(p, "AWS_RETRY_MODE");
    enum brk_status rc = v ? BRK_OK : s_profile_value(p, "retry_mode", &from_profile);
    v = v ? v : from_profile;
    if (rc == BRK_OK && v && !client_retry_mode_parse(v, &out->retry_mode)) {
        rc = brk_error_setf(err, BRK_ERR_CONFIG, "invalid retry mode '%.64s' (%s): use legacy, standard or adaptive", v,
                            from_profile ? "the profile's retry_mode" : "AWS_RETRY_MODE");
    }
    brk_free(from_profile);
    return rc;
}

/* Total attempts: retry.max_attempts > retry.max_retries + 1 > AWS_MAX_ATTEMPTS > the profile's
 * max_attempts > the mode's default (docs/retries.md's table of routes). */
static enum brk_status s_resolve_max_attempts(const struct brk_client_config *cfg, const struct s_profile *p,
                                              struct client_settings *out, struct brk_error *err)
{
    unsigned dflt = out->retry_mode == BRK_RETRY_LEGACY ? CLIENT_RETRY_LEGACY_DEFAULT_ATTEMPTS
                                                        : CLIENT_RETRY_STANDARD_DEFAULT_ATTEMPTS;
    out->max_attempts = cfg->retry.max_attempts  ? cfg->retry.max_attempts
                        : cfg->retry.max_retries ? cfg->retry.max_retries + 1
                                                 : dflt;
    if (cfg->retry.max_attempts || cfg->retry.max_retries) {
        return out->max_attempts <= CLIENT_MAX_ATTEMPTS_LIMIT
                   ? BRK_OK
                   : brk_error_setf(err, BRK_ERR_CONFIG, "max attempts %u is over %u", out->max_attempts,
                                    CLIENT_MAX_ATTEMPTS_LIMIT);
    }
    char *from_profile = NULL;
    const char *v = s_env(p, "AWS_MAX_ATTEMPTS");
    enum brk_status rc = v ? BRK_OK : s_profile_value(p, "max_attempts", &from_profile);
    v = v ? v : from_profile;
    if (rc == BRK_OK && v && !s_parse_attempts(v, &out->max_attempts)) {
        rc =
            brk_error_setf(err, BRK_ERR_CONFIG, "invalid max attempts '%.64s' (%s): a whole number from 1 to %u", v,
                           from_profile ? "the profile's max_attempts" : "AWS_MAX_ATTEMPTS", CLIENT_MAX_ATTEMPTS_LIMIT);
    }
    brk_free(from_profile);
    return rc;
}

enum brk_status client_settings_resolve(const struct brk_client_config *cfg, struct client_settings *out,
                                        struct brk_error *err)
{
    memset(out, 0, sizeof(*out));
    struct s_profile p;
    s_profile_init(cfg, &p);
    enum brk_status rc = s_resolve_region(cfg, &p, out, err);
    rc = rc == BRK_OK ? s_resolve_auth(cfg, &p, out, err) : rc;
    rc = rc == BRK_OK ? s_resolve_endpoint(cfg, &p, out, err) : rc;
    rc = rc == BRK_OK ? s_resolve_retry_mode(cfg, &p, out, err) : rc;
    rc = rc == BRK_OK ? s_resolve_max_attempts(cfg, &p, out, err) : rc;
    if (rc == BRK_ERR_NOMEM) {
        brk_error_setf(err, rc, "out of memory while resolving the client configuration");
    }
    if (rc != BRK_OK) {
        client_settings_clean_up(out);
    }
    return rc;
}

void client_settings_clean_up(struct client_settings *s)
{
    brk_free(s->region);
    brk_free(s->endpoint);
    s_free_secret(&s->access_key_id);
    s_free_secret(&s->secret_access_key);
    s_free_secret(&s->session_token);
    s_free_secret(&s->bearer_token);
    memset(s, 0, sizeof(*s));
}

void brk_client_config_init(struct brk_client_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}
