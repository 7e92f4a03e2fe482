/*
 * libbedrock against the in-process mock over HTTP: Converse, CountTokens, the request it
 * sends (path encoding, botocore's headers), every error the mock can send, and the transport
 * failures (connect, timeout, a connection closed mid-answer), each distinct.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client_priv.h"
#include "tests/support/client_support.h"

static struct brk_mock *s_mock;

static void s_start(void)
{
    tc_env_reset();
    s_mock = th_mock_start(NULL);
}

static void s_stop(void)
{
    brk_mock_stop(s_mock);
    tc_env_clean_up();
}

TestSuite(client_converse, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

static const char *s_json_text(const cJSON *root, int block)
{
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "output"), "message"), "content");
    return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(content, block), "text"));
}

static uint64_t s_usage(const cJSON *root, const char *name)
{
    return (uint64_t)cJSON_GetObjectItem(cJSON_GetObjectItem(root, "usage"), name)->valuedouble;
}

Test(client_converse, returns_the_answer_the_mock_gives_over_plain_http)
{
    struct th_response plain = th_converse(s_mock, TC_HAIKU, TC_HELLO);
    cr_assert_eq(plain.status, 200);
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    cr_assert_str_eq(resp->message.role, "assistant");
    cr_assert_eq(resp->message.n_blocks, 1);
    cr_assert_eq(resp->message.blocks[0].type, BRK_BLOCK_TEXT);
    cr_assert_str_eq(resp->message.blocks[0].text, s_json_text(plain.json, 0));
    cr_assert_str_eq(resp->stop_reason, cJSON_GetObjectItem(plain.json, "stopReason")->valuestring);
    cr_assert_eq(resp->usage.input_tokens, s_usage(plain.json, "inputTokens"));
    cr_assert_eq(resp->usage.output_tokens, s_usage(plain.json, "outputTokens"));
    cr_assert_eq(resp->usage.total_tokens, s_usage(plain.json, "totalTokens"));
    cr_assert_gt(resp->usage.total_tokens, 0);
    cJSON *entry = tc_last_journal_entry(s_mock);
    cr_assert_str_eq(resp->request_id, cJSON_GetObjectItem(entry, "request_id")->valuestring);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "account")->valuestring, TC_AKID);
    cJSON_Delete(entry);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
    th_response_free(&plain);
}

/* New connections the client's curl handle opened for its last call. */
static long s_new_connections(struct brk_client *client)
{
    long n = -1;
    cr_assert_eq(curl_easy_getinfo(client->curl, CURLINFO_NUM_CONNECTS, &n), CURLE_OK);
    return n;
}

Test(client_converse, calls_reuse_one_keep_alive_connection)
{
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    brk_converse_response_destroy(resp);
    cr_assert_eq(s_new_connections(client), 1, "the first call connects");
    for (int i = 0; i < 3; i++) {
        uint64_t n = 0;
        cr_assert_eq(brk_count_tokens(client, TC_HAIKU, "{\"input\":{\"converse\":" TC_HELLO "}}",
                                      strlen("{\"input\":{\"converse\":" TC_HELLO "}}"), &n, &err),
                     BRK_OK, "%s", err.message);
        cr_assert_eq(s_new_connections(client), 0, "call %d reused the connection", i + 2);
    }
    /* A service error leaves the connection usable too. */
    tc_rule(s_mock, "{\"error\":\"ValidationException\",\"times\":1}");
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_SERVICE);
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    brk_converse_response_destroy(resp);
    cr_assert_eq(s_new_connections(client), 0);
    brk_client_destroy(client);
}

Test(client_converse, sends_botocores_invocation_id_attempt_and_a_library_user_agent)
{
    tc_rule(s_mock, "{\"match\":{\"headers\":{\"user-agent\":\"boto*\"}},\"reply\":{\"text\":\"boto\"}}");
    tc_rule(s_mock, "{\"match\":{\"headers\":{\"user-agent\":\"libbedrock/" BRK_CLIENT_VERSION
                    " tests/1\"}},\"reply\":{\"text\":\"libbedrock\"}}");
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.user_agent_suffix = "tests/1";
    struct brk_client *client = tc_client_with(s_mock, &cfg);
    struct brk_converse_response *resp = NULL;
    char ids[2][64];
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, NULL), BRK_OK);
        cr_assert_str_eq(resp->message.blocks[0].text, "libbedrock", "the user agent rule fired, not boto's");
        brk_converse_response_destroy(resp);
        cJSON *entry = tc_last_journal_entry(s_mock);
        const char *id = cJSON_GetObjectItem(entry, "invocation_id")->valuestring;
        cr_assert_eq(strlen(id), 36, "a UUID: %s", id);
        cr_assert_eq(id[14], '4', "version 4: %s", id);
        snprintf(ids[i], sizeof(ids[i]), "%s", id);
        cr_assert_str_eq(cJSON_GetObjectItem(entry, "sdk_request")->valuestring, "attempt=1");
        cr_assert_eq(cJSON_GetObjectItem(entry, "attempt")->valueint, 1);
        cJSON_Delete(entry);
    }
    cr_assert_str_neq(ids[0], ids[1], "each call has its own invocation id");
    brk_client_destroy(client);
}

Test(client_converse, percent_encodes_model_ids_and_arns_into_the_path)
{
    struct brk_client *client = tc_client(s_mock);
    const char *arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123xyz";
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    brk_converse(client, arn, TC_HELLO, strlen(TC_HELLO), &resp, &err);
    brk_converse_response_destroy(resp);
    cJSON *entry = tc_last_journal_entry(s_mock);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "path")->valuestring,
                     "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123xyz"
                     "/converse");
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "model_id")->valuestring, arn);
    cJSON_Delete(entry);
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    entry = tc_last_journal_entry(s_mock);
    cr_assert_str_eq(cJSON_GetObjectItem(entry, "path")->valuestring,
                     "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    cJSON_Delete(entry);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
}

Test(client_converse, refuses_a_missing_or_oversized_model_id_before_any_request_and_sends_no_body_as_empty)
{
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, "", TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_INVALID_ARG);
    char big[2100];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(brk_converse(client, big, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_INVALID_ARG);
    cr_assert_null(resp);
    cr_assert_null(tc_last_journal_entry(s_mock), "nothing was sent");
    /* No body is an empty one: the service refuses it (and nothing is read from stdin). */
    cr_assert_eq(brk_converse(client, TC_HAIKU, NULL, 0, &resp, &err), BRK_ERR_SERVICE);
    cr_assert_eq(err.http_status, 400, "%d %s", err.http_status, err.code);
    brk_client_destroy(client);
}

Test(client_converse, count_tokens_returns_the_mocks_count)
{
    const char *body = "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":"
                       "\"How many tokens is this sentence?\"}]}]}}}";
    struct th_response plain =
        th_request(s_mock, "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/count-tokens", body, NULL);
    cr_assert_eq(plain.status, 200, "%s", plain.body);
    struct brk_client *client = tc_client(s_mock);
    uint64_t n = 0;
    struct brk_error err;
    cr_assert_eq(brk_count_tokens(client, TC_HAIKU, body, strlen(body), &n, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(n, (uint64_t)cJSON_GetObjectItem(plain.json, "inputTokens")->valuedouble);
    cr_assert_gt(n, 0);
    /* A Converse body is not a CountTokens body: the service's ValidationException. */
    cr_assert_eq(brk_count_tokens(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &n, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "ValidationException");
    cr_assert_eq(err.http_status, 400);
    brk_client_destroy(client);
    th_response_free(&plain);
}

/* Every row of the error table that a rule can name: status, code, message, request id. */
Test(client_converse, every_error_the_mock_sends_is_parsed_as_botocore_does)
{
    struct brk_client *client = tc_client(s_mock);
    size_t tested = 0;
    for (int id = 0; id < BRK_AWS_ERROR_COUNT; id++) {
        const struct brk_aws_error_info *row = brk_aws_error_get((enum brk_aws_error)id);
        if (brk_aws_error_find(row->code) != row) {
            continue; /* a second row with the same code (the auth stage's AccessDeniedException) */
        }
        struct th_response d = th_request(s_mock, "DELETE", "/_mock/rules", NULL, NULL);
        th_response_free(&d);
        char rule[256];
        snprintf(rule, sizeof(rule), "{\"error\":\"%s\"}", row->code);
        tc_rule(s_mock, rule);
        struct brk_converse_response *resp = NULL;
        struct brk_error err;
        cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_SERVICE, "%s",
                     row->code);
        cr_assert_null(resp);
        cr_assert_eq(err.status, BRK_ERR_SERVICE);
        cr_assert_str_eq(err.code, row->code);
        cr_assert_eq(err.aws, row);
        cr_assert_eq(err.http_status, row->http_status, "%s", row->code);
        cr_assert_str_eq(err.message, row->default_message, "%s", row->code);
        cJSON *entry = tc_last_journal_entry(s_mock);
        cr_assert_str_eq(err.request_id, cJSON_GetObjectItem(entry, "request_id")->valuestring);
        cJSON_Delete(entry);
        tested++;
    }
    cr_assert_geq(tested, BRK_AWS_ERROR_COUNT - 1);
    /* And the same client answers normally once the rules are gone. */
    struct th_response d = th_request(s_mock, "DELETE", "/_mock/rules", NULL, NULL);
    th_response_free(&d);
    struct brk_converse_response *resp = NULL;
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, NULL), BRK_OK);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
}

Test(client_converse, a_rules_message_replaces_the_default_one)
{
    tc_rule(s_mock, "{\"error\":\"ValidationException\",\"message\":\"Input is too long for requested model.\"}");
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_SERVICE);
    cr_assert_str_eq(err.message, "Input is too long for requested model.");
    brk_client_destroy(client);
}

/* A port nothing listens on: bind one, note it, close it. */
static unsigned s_dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

Test(client_converse, a_refused_connection_is_a_connect_error)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", s_dead_port());
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.endpoint = url;
    struct brk_client *client = tc_client_with(s_mock, &cfg);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_CONNECT);
    cr_assert(strstr(err.message, url), "%s", err.message);
    cr_assert_eq(err.http_status, 0);
    brk_client_destroy(client);
}

static enum brk_status s_call_with_read_timeout(long read_timeout_ms, struct brk_error *err)
{
    struct brk_client_config cfg;
    tc_config_init(&cfg);
    cfg.read_timeout_ms = read_timeout_ms;
    struct brk_client *client = tc_client_with(s_mock, &cfg);
    struct brk_converse_response *resp = NULL;
    enum brk_status rc = brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, err);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
    return rc;
}

Test(client_converse, a_silent_server_past_the_read_timeout_is_a_timeout)
{
    tc_rule(s_mock, "{\"delayMs\":4000}");
    struct brk_error err;
    cr_assert_eq(s_call_with_read_timeout(1000, &err), BRK_ERR_TIMEOUT, "%s", err.message);
    cr_assert(strstr(err.message, "timed out"), "%s", err.message);
}

Test(client_converse, a_delay_within_the_read_timeout_is_waited_for)
{
    tc_rule(s_mock, "{\"delayMs\":300}");
    struct brk_error err;
    cr_assert_eq(s_call_with_read_timeout(TH_DEADLINE_MS, &err), BRK_OK, "%s", err.message);
}

Test(client_converse, a_connection_closed_before_or_during_the_answer_is_a_transport_error)
{
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *resp = NULL;
    struct brk_error err;
    tc_rule(s_mock, "{\"closeBeforeReply\":true,\"times\":1}");
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_TRANSPORT, "%s",
                 err.message);
    tc_rule(s_mock, "{\"closeAfterBytes\":20,\"times\":1}");
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_ERR_TRANSPORT, "%s",
                 err.message);
    cr_assert_null(resp);
    /* The client opens a new connection for the next call. */
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(s_new_connections(client), 1);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
}
