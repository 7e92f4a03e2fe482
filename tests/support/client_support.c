/* client_support.c: see client_support.h. */
#include "tests/support/client_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_home[64];

static const char *const s_vars[] = {
    "AWS_REGION",        "AWS_DEFAULT_REGION",
    "AWS_PROFILE",       "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ENDPOINT_URL",  "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_CONFIG_FILE",   "AWS_SHARED_CREDENTIALS_FILE",
};

const char *tc_env_reset(void)
{
    for (size_t i = 0; i < sizeof(s_vars) / sizeof(s_vars[0]); i++) {
        unsetenv(s_vars[i]);
    }
    snprintf(s_home, sizeof(s_home), "/tmp/brk-client-XXXXXX");
    cr_assert(mkdtemp(s_home));
    setenv("HOME", s_home, 1);
    return s_home;
}

static void s_remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

void tc_env_clean_up(void)
{
    if (s_home[0]) {
        s_remove_tree(s_home);
        s_home[0] = '\0';
    }
}

const char *tc_write_home_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", s_home, name);
    for (char *slash = strchr(path + strlen(s_home) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

struct brk_client *tc_client_with(struct brk_mock *mock, struct brk_client_config *cfg)
{
    char url[128];
    th_base_url(mock, url, sizeof(url));
    if (cfg->endpoint == NULL) {
        cfg->endpoint = url;
    }
    struct brk_client *client = NULL;
    struct brk_error err;
    enum brk_status rc = brk_client_new(cfg, &client, &err);
    cr_assert_eq(rc, BRK_OK, "brk_client_new: %s", err.message);
    return client;
}

void tc_config_init(struct brk_client_config *cfg)
{
    brk_client_config_init(cfg);
    cfg->region = "us-east-1";
    cfg->access_key_id = TC_AKID;
    cfg->secret_access_key = TC_SECRET;
    cfg->retry.max_attempts = 1; /* one attempt per call: the retry tests (test_client_retries.c) set theirs */
}

struct brk_client *tc_client(struct brk_mock *mock)
{
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    return tc_client_with(mock, &cfg);
}

void tc_rule(struct brk_mock *mock, const char *rule_json)
{
    struct th_response r = th_request(mock, "POST", "/_mock/rules", rule_json, NULL);
    cr_assert_eq(r.status, 201, "rule refused: %s", r.body);
    th_response_free(&r);
}

cJSON *tc_last_journal_entry(struct brk_mock *mock)
{
    struct th_response r = th_request(mock, "GET", "/_mock/requests", NULL, NULL);
    cJSON *all = cJSON_GetObjectItem(r.json, "requests");
    int n = cJSON_GetArraySize(all);
    cJSON *last = n > 0 ? cJSON_DetachItemFromArray(all, n - 1) : NULL;
    th_response_free(&r);
    return last;
}
