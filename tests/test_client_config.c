/*
 * Configuration resolution (docs/client.md's table) with a temporary HOME and environment:
 * each source of region, credentials, API key and endpoint, in both directions of every
 * precedence, and the BRK_ERR_CONFIG messages that name what to set. Criterion runs each test
 * in a worker process of its own, so the setenv calls stay there.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/client_support.h"

static void s_init(void)
{
    tc_env_reset();
}

TestSuite(client_config, .init = s_init, .fini = tc_env_clean_up, .timeout = TH_SUITE_TIMEOUT_S);

static struct brk_client *s_new(const struct brk_client_config *cfg)
{
    struct brk_client *client = NULL;
    struct brk_error err;
    cr_assert_eq(brk_client_new(cfg, &client, &err), BRK_OK, "%s", err.message);
    return client;
}

static struct brk_client *s_new_default(void)
{
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    return s_new(&cfg);
}

static void s_env_keys(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
}

static struct brk_error s_new_fails(const struct brk_client_config *cfg)
{
    struct brk_client *client = (void *)1;
    struct brk_error err;
    cr_assert_eq(brk_client_new(cfg, &client, &err), BRK_ERR_CONFIG);
    cr_assert_null(client);
    cr_assert_eq(err.status, BRK_ERR_CONFIG);
    return err;
}

Test(client_config, region_from_aws_region_before_aws_default_region)
{
    s_env_keys();
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    struct brk_client *c = s_new_default();
    cr_assert_str_eq(brk_client_region(c), "eu-west-1");
    cr_assert_str_eq(brk_client_endpoint(c), "https://bedrock-runtime.eu-west-1.amazonaws.com");
    brk_client_destroy(c);
    setenv("AWS_REGION", "us-west-2", 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_region(c), "us-west-2");
    brk_client_destroy(c);
}

Test(client_config, region_in_code_wins_over_the_environment)
{
    s_env_keys();
    setenv("AWS_REGION", "us-west-2", 1);
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.region = "ap-south-1";
    struct brk_client *c = s_new(&cfg);
    cr_assert_str_eq(brk_client_region(c), "ap-south-1");
    brk_client_destroy(c);
}

Test(client_config, region_from_the_profile_in_the_config_file)
{
    s_env_keys();
    tc_write_home_file(".aws/config", "[default]\nregion = eu-central-1\n\n[profile dev]\n"
                                      "# a comment\nregion=ca-central-1\ns3 =\n  region = wrong-1\n");
    struct brk_client *c = s_new_default();
    cr_assert_str_eq(brk_client_region(c), "eu-central-1");
    brk_client_destroy(c);
    setenv("AWS_PROFILE", "dev", 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_region(c), "ca-central-1", "the nested s3 region is not the profile's");
    brk_client_destroy(c);
    setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_region(c), "sa-east-1", "the environment wins over the profile");
    brk_client_destroy(c);
}

Test(client_config, aws_config_file_moves_the_config_file)
{
    s_env_keys();
    const char *path = tc_write_home_file("elsewhere/cfg", "[profile x]\nregion = us-east-2\n");
    setenv("AWS_CONFIG_FILE", path, 1);
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.profile = "x";
    cfg.access_key_id = "AKIDCODE";
    cfg.secret_access_key = "code-secret";
    struct brk_client *c = s_new(&cfg);
    cr_assert_str_eq(brk_client_region(c), "us-east-2");
    brk_client_destroy(c);
}

Test(client_config, no_region_names_the_variables_to_set)
{
    s_env_keys();
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    struct brk_error err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "AWS_REGION"), "%s", err.message);
    cr_assert(strstr(err.message, "AWS_DEFAULT_REGION"), "%s", err.message);
    cr_assert(strstr(err.message, "AWS_CONFIG_FILE"), "%s", err.message);
}

Test(client_config, an_invalid_region_is_refused)
{
    s_env_keys();
    setenv("AWS_REGION", "us-east-1.evil.example/", 1);
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    struct brk_error err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "invalid region"), "%s", err.message);
}

Test(client_config, credentials_from_the_environment)
{
    setenv("AWS_REGION", "us-east-1", 1);
    s_env_keys();
    struct brk_client *c = s_new_default();
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_SIGV4);
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDENV");
    brk_client_destroy(c);
}

Test(client_config, credentials_from_the_shared_credentials_file_and_aws_profile)
{
    setenv("AWS_REGION", "us-east-1", 1);
    tc_write_home_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s1\n"
                                           "[dev]\r\naws_access_key_id=AKIDDEV\r\naws_secret_access_key=s2\r\n");
    struct brk_client *c = s_new_default();
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDFILE");
    brk_client_destroy(c);
    setenv("AWS_PROFILE", "dev", 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDDEV");
    brk_client_destroy(c);
    s_env_keys();
    c = s_new_default();
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDENV", "the environment wins over the file");
    brk_client_destroy(c);
}

Test(client_config, a_profile_named_in_code_skips_the_environment_keys)
{
    setenv("AWS_REGION", "us-east-1", 1);
    s_env_keys();
    tc_write_home_file(".aws/credentials", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\n");
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.profile = "dev";
    struct brk_client *c = s_new(&cfg);
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDDEV");
    brk_client_destroy(c);
}

Test(client_config, credentials_from_the_config_file_and_a_moved_credentials_file)
{
    setenv("AWS_REGION", "us-east-1", 1);
    tc_write_home_file(".aws/config", "[profile cfg]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s3\n");
    setenv("AWS_PROFILE", "cfg", 1);
    struct brk_client *c = s_new_default();
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDCONFIG");
    brk_client_destroy(c);
    const char *path = tc_write_home_file("other/creds", "[cfg]\naws_access_key_id = AKIDMOVED\n"
                                                         "aws_secret_access_key = s4\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_access_key_id(c), "AKIDMOVED", "the credentials file comes before the config file");
    brk_client_destroy(c);
}

Test(client_config, a_key_without_its_secret_is_no_credential)
{
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDALONE", 1);
    tc_write_home_file(".aws/credentials", "[default]\naws_access_key_id = AKIDHALF\n");
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    struct brk_error err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "AWS_ACCESS_KEY_ID"), "%s", err.message);
    cr_assert(strstr(err.message, "AWS_SECRET_ACCESS_KEY"), "%s", err.message);
    cr_assert(strstr(err.message, "AWS_BEARER_TOKEN_BEDROCK"), "%s", err.message);
    cr_assert(strstr(err.message, "'default'"), "%s", err.message);
}

Test(client_config, a_bearer_key_needs_no_sigv4_keys_and_wins_over_them)
{
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-x", 1);
    struct brk_client *c = s_new_default();
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_BEARER);
    cr_assert_str_eq(brk_client_access_key_id(c), "");
    brk_client_destroy(c);
    s_env_keys();
    c = s_new_default();
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_BEARER);
    brk_client_destroy(c);
    unsetenv("AWS_BEARER_TOKEN_BEDROCK");
    c = s_new_default();
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_SIGV4);
    brk_client_destroy(c);
}

Test(client_config, endpoint_precedence)
{
    setenv("AWS_REGION", "us-east-1", 1);
    s_env_keys();
    setenv("AWS_ENDPOINT_URL", "http://general.example:1234/", 1);
    struct brk_client *c = s_new_default();
    cr_assert_str_eq(brk_client_endpoint(c), "http://general.example:1234", "trailing '/' dropped");
    brk_client_destroy(c);
    setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://runtime.example:8787", 1);
    c = s_new_default();
    cr_assert_str_eq(brk_client_endpoint(c), "http://runtime.example:8787");
    brk_client_destroy(c);
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.endpoint = "https://code.example";
    c = s_new(&cfg);
    cr_assert_str_eq(brk_client_endpoint(c), "https://code.example");
    brk_client_destroy(c);
    cfg.endpoint = "ftp://code.example";
    struct brk_error err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "ftp://code.example"), "%s", err.message);
}

/* The resolved keys are the ones on the wire: the mock's journal names the account. */
Test(client_config, environment_credentials_and_endpoint_reach_the_mock)
{
    struct brk_mock *mock = th_mock_start(NULL);
    char url[128];
    th_base_url(mock, url, sizeof(url));
    setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url, 1);
    setenv("AWS_DEFAULT_REGION", "us-east-1", 1);
    s_env_keys();
    struct brk_client *c = s_new_default();
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(c, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    cJSON *entry = tc_last_journal_entry(mock);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "account")->valuestring, "AKIDENV");
    cJSON_Delete(entry);
    brk_converse_response_destroy(resp);
    brk_client_destroy(c);
    brk_mock_stop(mock);
}

/* ignore_environment: every variable and both files are set, and none is read. */
static void s_env_everything(void)
{
    setenv("AWS_REGION", "eu-west-3", 1);
    setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-env", 1);
    s_env_keys();
    setenv("AWS_ENDPOINT_URL", "http://env.example:1234", 1);
    setenv("AWS_RETRY_MODE", "adaptive", 1);
    setenv("AWS_MAX_ATTEMPTS", "9", 1);
    setenv("AWS_PROFILE", "dev", 1);
    tc_write_home_file(".aws/config", "[profile dev]\nregion = ap-south-1\nretry_mode = standard\nmax_attempts = 7\n");
    tc_write_home_file(".aws/credentials", "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
}

Test(client_config, ignore_environment_reads_no_variable_and_no_file)
{
    s_env_everything();
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.retry.max_attempts = 0; /* unset, as the environment's must then win */
    struct brk_client *c = s_new(&cfg);
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_BEARER, "without the flag the environment's API key wins");
    cr_assert_eq(brk_client_max_attempts(c), 9);
    brk_client_destroy(c);
    cfg.ignore_environment = true;
    c = s_new(&cfg);
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_SIGV4);
    cr_assert_str_eq(brk_client_access_key_id(c), TC_AKID);
    cr_assert_eq(brk_client_retry_mode(c), BRK_RETRY_LEGACY, "botocore's default mode");
    cr_assert_eq(brk_client_max_attempts(c), 5, "legacy's default attempts");
    cr_assert_str_eq(brk_client_endpoint(c), "https://bedrock-runtime.us-east-1.amazonaws.com");
    brk_client_destroy(c);
    cfg.retry.mode = BRK_RETRY_STANDARD;
    c = s_new(&cfg);
    cr_assert_eq(brk_client_max_attempts(c), 3, "standard's default attempts");
    brk_client_destroy(c);
}

Test(client_config, ignore_environment_needs_region_and_credentials_in_code)
{
    s_env_everything();
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.ignore_environment = true;
    struct brk_error err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "ignore_environment"), "%s", err.message);
    cr_assert(strstr(err.message, "region"), "%s", err.message);
    cfg.region = "us-east-1";
    err = s_new_fails(&cfg);
    cr_assert(strstr(err.message, "no credentials"), "%s", err.message);
    cfg.bearer_token = "bedrock-api-key-code";
    struct brk_client *c = s_new(&cfg);
    cr_assert_eq(brk_client_auth(c), BRK_AUTH_BEARER);
    brk_client_destroy(c);
}
