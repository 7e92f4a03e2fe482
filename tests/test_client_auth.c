/*
 * Interop: libbedrock's requests pass bedrock-mock in --auth strict, which verifies SigV4 with
 * the same common/sigv4.c and checks API keys against its credentials file (docs/auth.md).
 * Each way is tested passing and failing: SigV4 (a model id with ':', an ARN, a session token),
 * a bearer key, a wrong secret, an unlisted key, and a signing clock 20 minutes off.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/client_support.h"

#define TOKEN_AKID "ASIACLIENT"
#define TOKEN_SECRET "temporary-client-secret"
#define TOKEN "FQoGZXIvYXdzEXAMPLE//client==token"
#define API_KEY "bedrock-api-key-client-0123456789"

static struct brk_mock *s_mock;

static void s_start(void)
{
    tc_env_reset();
    const char *path =
        tc_write_home_file("mock-credentials.json",
                           "{\"credentials\":[{\"access_key_id\":\"" TC_AKID "\",\"secret_access_key\":\"" TC_SECRET
                           "\",\"account_id\":\"111122223333\"},{\"access_key_id\":\"" TOKEN_AKID
                           "\",\"secret_access_key\":\"" TOKEN_SECRET "\",\"session_token\":\"" TOKEN
                           "\"}],\"api_keys\":[{\"key\":\"" API_KEY "\",\"account_id\":\"444455556666\"}]}");
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
    cfg.credentials_path = path;
    cfg.auth_region = "us-east-1";
    s_mock = th_mock_start(&cfg);
}

static void s_stop(void)
{
    brk_mock_stop(s_mock);
    tc_env_clean_up();
}

TestSuite(client_auth, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

static enum brk_status s_converse(struct brk_client_config *cfg, const char *model, struct brk_error *err)
{
    struct brk_client *client = tc_client_with(s_mock, cfg);
    struct brk_converse_response *resp = NULL;
    enum brk_status rc = brk_converse(client, model, TC_HELLO, strlen(TC_HELLO), &resp, err);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
    return rc;
}

static void s_sigv4(struct brk_client_config *cfg, const char *akid, const char *secret)
{
    brk_client_config_init(cfg);
    cfg->region = "us-east-1";
    cfg->access_key_id = akid;
    cfg->secret_access_key = secret;
}

static void s_assert_journal(const char *auth, const char *account)
{
    cJSON *entry = tc_last_journal_entry(s_mock);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "auth")->valuestring, auth);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "account")->valuestring, account);
    cJSON_Delete(entry);
}

Test(client_auth, sigv4_requests_verify_in_strict_mode)
{
    struct brk_client_config cfg;
    s_sigv4(&cfg, TC_AKID, TC_SECRET);
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_OK, "%s", err.message);
    s_assert_journal("sigv4", "111122223333");
    cr_assert_eq(s_converse(&cfg, TC_SONNET4, &err), BRK_OK, "%s", err.message);
    s_assert_journal("sigv4", "111122223333");
}

Test(client_auth, an_arn_model_id_is_signed_as_sent)
{
    struct brk_client_config cfg;
    s_sigv4(&cfg, TC_AKID, TC_SECRET);
    struct brk_error err;
    /* Any application inference profile resolves (docs/models.md), so the call succeeds once the
     * signature over the double-encoded ARN path has verified. */
    cr_assert_eq(s_converse(&cfg, "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123xyz",
                            &err),
                 BRK_OK, "%s: %s", err.code, err.message);
    s_assert_journal("sigv4", "111122223333");
}

Test(client_auth, a_session_token_is_sent_and_signed)
{
    struct brk_client_config cfg;
    s_sigv4(&cfg, TOKEN_AKID, TOKEN_SECRET);
    cfg.session_token = TOKEN;
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_OK, "%s", err.message);
    s_assert_journal("sigv4", TOKEN_AKID);
    cfg.session_token = NULL;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "UnrecognizedClientException");
}

Test(client_auth, a_wrong_secret_fails_with_invalid_signature)
{
    struct brk_client_config cfg;
    s_sigv4(&cfg, TC_AKID, "not-the-secret");
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "InvalidSignatureException");
    cr_assert_eq(err.http_status, 403);
    cr_assert_eq(err.aws, brk_aws_error_get(BRK_AWS_INVALID_SIGNATURE));
    cr_assert(strncmp(err.message, err.aws->default_message, strlen(err.aws->default_message)) == 0, "%s", err.message);
    cr_assert_neq(err.request_id[0], '\0');
}

Test(client_auth, a_listed_bearer_key_passes_and_an_unlisted_one_is_denied)
{
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.region = "us-east-1";
    cfg.bearer_token = API_KEY;
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_OK, "%s", err.message);
    s_assert_journal("bearer", "444455556666");
    cfg.bearer_token = "bedrock-api-key-unlisted";
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "AccessDeniedException");
    cr_assert_eq(err.http_status, 403);
    cr_assert_str_eq(err.message, "Authentication failed: Please make sure your API Key is valid.");
}

Test(client_auth, the_bearer_key_from_the_environment_wins_over_sigv4_keys)
{
    setenv("AWS_BEARER_TOKEN_BEDROCK", API_KEY, 1);
    struct brk_client_config cfg;
    s_sigv4(&cfg, TC_AKID, "not-the-secret");
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_OK, "%s", err.message);
    s_assert_journal("bearer", "444455556666");
}

Test(client_auth, the_signing_time_comes_from_the_injected_clock)
{
    struct brk_clock *clock = brk_clock_new(BRK_CLOCK_VIRTUAL, 0);
    struct brk_client_config cfg;
    s_sigv4(&cfg, TC_AKID, TC_SECRET);
    cfg.clock = clock;
    struct brk_error err;
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(brk_clock_advance(clock, 20 * 60 * 1000), BRK_OK);
    cr_assert_eq(s_converse(&cfg, TC_HAIKU, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "InvalidSignatureException");
    cr_assert(strstr(err.message, "Signature not yet current"), "%s", err.message);
    brk_clock_destroy(clock);
}
