/*
 * libbedrock's ConverseStream against the in-process mock: events as they arrive, the
 * accumulator against Converse's answer to the same request (the mock is deterministic), and
 * the ways a stream ends early, each with its own status: an exception event (BRK_ERR_SERVICE),
 * a cut connection (BRK_ERR_TRANSPORT), a corrupt frame (BRK_ERR_CRC), the caller stopping.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/client_support.h"

#define TOOLS                                                                                       \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Weather?\"}]}],"                    \
    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"inputSchema\":{\"json\":" \
    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"minLength\":30}},"        \
    "\"required\":[\"city\"]}}}}],\"toolChoice\":{\"any\":{}}}}"
#define THINK                                                                 \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Think\"}]}]," \
    "\"additionalModelRequestFields\":{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}}"

static struct brk_mock *s_mock;

static void s_start(void)
{
    tc_env_reset();
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.stream_chunk_chars = 5; /* many deltas per block */
    s_mock = th_mock_start(&cfg);
}

static void s_stop(void)
{
    brk_mock_stop(s_mock);
    tc_env_clean_up();
}

TestSuite(client_stream, .init = s_start, .fini = s_stop, .timeout = TH_SUITE_TIMEOUT_S);

/* What a test's callback saw. */
struct s_seen {
    size_t n;
    enum brk_event_type types[4096];
    size_t stop_after; /* stop the stream after this many events (0: never) */
    struct brk_stream_accumulator *acc;
};

static int s_on_event(const struct brk_stream_event *ev, void *user)
{
    struct s_seen *seen = user;
    cr_assert(ev->payload_json && ev->payload_len > 0);
    if (seen->n < sizeof(seen->types) / sizeof(seen->types[0])) {
        seen->types[seen->n] = ev->type;
    }
    seen->n++;
    if (seen->acc) {
        cr_assert_eq(brk_stream_accumulator_add(seen->acc, ev), BRK_OK);
    }
    return seen->stop_after && seen->n >= seen->stop_after;
}

static void s_assert_same_str(const char *a, const char *b, const char *what)
{
    if (a == NULL || b == NULL) {
        cr_assert(a == b, "%s: %s vs %s", what, a ? a : "(null)", b ? b : "(null)");
    } else {
        cr_assert_str_eq(a, b, "%s", what);
    }
}

static void s_assert_same_response(const struct brk_converse_response *a, const struct brk_converse_response *b)
{
    s_assert_same_str(a->message.role, b->message.role, "role");
    cr_assert_eq(a->message.n_blocks, b->message.n_blocks);
    for (size_t i = 0; i < a->message.n_blocks; i++) {
        const struct brk_content_block *x = &a->message.blocks[i], *y = &b->message.blocks[i];
        cr_assert_eq(x->type, y->type, "block %zu", i);
        s_assert_same_str(x->text, y->text, "text");
        /* Bedrock issues a fresh toolUseId for every response (the mock too): same shape, not
         * the same id. */
        cr_assert_eq(x->tool_use_id == NULL, y->tool_use_id == NULL, "toolUseId");
        cr_assert(!x->tool_use_id || (strlen(x->tool_use_id) == 30 && strlen(y->tool_use_id) == 30 &&
                                      strcmp(x->tool_use_id, y->tool_use_id) != 0),
                  "toolUseId: %s vs %s", x->tool_use_id, y->tool_use_id);
        s_assert_same_str(x->tool_name, y->tool_name, "tool name");
        s_assert_same_str(x->tool_input_json, y->tool_input_json, "tool input");
        s_assert_same_str(x->signature, y->signature, "signature");
        s_assert_same_str(x->redacted_content, y->redacted_content, "redacted");
        s_assert_same_str(x->citations_json, y->citations_json, "citations");
    }
    s_assert_same_str(a->stop_reason, b->stop_reason, "stop reason");
    cr_assert_eq(memcmp(&a->usage, &b->usage, sizeof(a->usage)), 0, "usage");
    s_assert_same_str(a->trace_json, b->trace_json, "trace");
    cr_assert_neq(a->request_id[0], '\0', "the request id of the answer");
}

/* Stream `body`, accumulate, and compare with Converse's answer to the same request. */
static struct brk_converse_response *s_stream_equals_converse(const char *model, const char *body, struct s_seen *seen)
{
    struct brk_client *client = tc_client(s_mock);
    struct brk_converse_response *whole = NULL, *rebuilt = NULL;
    struct brk_error err;
    cr_assert_eq(brk_converse(client, model, body, strlen(body), &whole, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(brk_stream_accumulator_new(&seen->acc), BRK_OK);
    cr_assert_eq(brk_converse_stream(client, model, body, strlen(body), s_on_event, seen, &err), BRK_OK, "%s",
                 err.message);
    cr_assert_eq(brk_stream_accumulator_finish(seen->acc, &rebuilt), BRK_OK);
    s_assert_same_response(rebuilt, whole);
    cr_assert_gt(rebuilt->latency_ms, -1);
    brk_stream_accumulator_destroy(seen->acc);
    brk_converse_response_destroy(whole);
    brk_client_destroy(client);
    return rebuilt;
}

Test(client_stream, text_events_arrive_in_order_and_rebuild_converses_answer)
{
    static struct s_seen seen;
    struct brk_converse_response *r = s_stream_equals_converse(TC_HAIKU, TC_HELLO, &seen);
    cr_assert_gt(seen.n, 5);
    cr_assert_eq(seen.types[0], BRK_EVENT_MESSAGE_START);
    cr_assert_eq(seen.types[1], BRK_EVENT_CONTENT_BLOCK_DELTA);
    cr_assert_eq(seen.types[seen.n - 3], BRK_EVENT_CONTENT_BLOCK_STOP);
    cr_assert_eq(seen.types[seen.n - 2], BRK_EVENT_MESSAGE_STOP);
    cr_assert_eq(seen.types[seen.n - 1], BRK_EVENT_METADATA);
    cr_assert_eq(r->message.blocks[0].type, BRK_BLOCK_TEXT);
    cr_assert_gt(r->usage.output_tokens, 0);
    brk_converse_response_destroy(r);
}

Test(client_stream, tool_use_input_json_is_rebuilt_from_its_pieces)
{
    static struct s_seen seen;
    struct brk_converse_response *r = s_stream_equals_converse(TC_HAIKU, TOOLS, &seen);
    cr_assert_eq(seen.types[1], BRK_EVENT_CONTENT_BLOCK_START);
    const struct brk_content_block *b = &r->message.blocks[r->message.n_blocks - 1];
    cr_assert_eq(b->type, BRK_BLOCK_TOOL_USE);
    cr_assert_str_eq(b->tool_name, "get_weather");
    cr_assert(strncmp(b->tool_use_id, "tooluse_", 8) == 0);
    cJSON *input = cJSON_Parse(b->tool_input_json);
    cr_assert_eq(strlen(cJSON_GetObjectItem(input, "city")->valuestring), 30);
    cJSON_Delete(input);
    cr_assert_str_eq(r->stop_reason, "tool_use");
    brk_converse_response_destroy(r);
}

Test(client_stream, reasoning_text_and_signature_are_rebuilt)
{
    static struct s_seen seen;
    struct brk_converse_response *r = s_stream_equals_converse(TC_SONNET4, THINK, &seen);
    cr_assert_geq(r->message.n_blocks, 2);
    cr_assert_eq(r->message.blocks[0].type, BRK_BLOCK_REASONING);
    cr_assert(r->message.blocks[0].text && r->message.blocks[0].text[0]);
    cr_assert(r->message.blocks[0].signature && r->message.blocks[0].signature[0]);
    cr_assert_eq(r->message.blocks[1].type, BRK_BLOCK_TEXT);
    brk_converse_response_destroy(r);
}

static enum brk_status s_stream_with_rule(const char *rule, struct s_seen *seen, struct brk_error *err)
{
    if (rule) {
        tc_rule(s_mock, rule);
    }
    struct brk_client *client = tc_client(s_mock);
    enum brk_status rc = brk_converse_stream(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), s_on_event, seen, err);
    /* Whatever ended the stream, the client's next call works. */
    struct brk_converse_response *resp = NULL;
    struct th_response d = th_request(s_mock, "DELETE", "/_mock/rules", NULL, NULL);
    th_response_free(&d);
    cr_assert_eq(brk_converse(client, TC_HAIKU, TC_HELLO, strlen(TC_HELLO), &resp, NULL), BRK_OK);
    brk_converse_response_destroy(resp);
    brk_client_destroy(client);
    return rc;
}

Test(client_stream, an_exception_event_ends_the_stream_with_that_error)
{
    static struct s_seen seen;
    struct brk_error err;
    enum brk_status rc =
        s_stream_with_rule("{\"stream\":{\"exceptionAfterEvent\":2,\"exception\":\"throttlingException\"}}", &seen,
                           &err);
    cr_assert_eq(rc, BRK_ERR_SERVICE, "%s", err.message);
    cr_assert_eq(seen.n, 2, "the two events before it were delivered");
    cr_assert_str_eq(err.code, "throttlingException");
    cr_assert_eq(err.aws, brk_aws_error_get(BRK_AWS_THROTTLING));
    cr_assert_str_eq(err.message, brk_aws_error_get(BRK_AWS_THROTTLING)->default_message);
    cr_assert_eq(err.http_status, 200);
    cr_assert_neq(err.request_id[0], '\0');
}

Test(client_stream, a_model_stream_error_with_its_own_message)
{
    static struct s_seen seen;
    struct brk_error err;
    enum brk_status rc =
        s_stream_with_rule("{\"stream\":{\"exceptionAfterEvent\":1,\"message\":\"model broke\"}}", &seen, &err);
    cr_assert_eq(rc, BRK_ERR_SERVICE);
    cr_assert_str_eq(err.code, "modelStreamErrorException");
    cr_assert_eq(err.aws, brk_aws_error_get(BRK_AWS_MODEL_STREAM_ERROR));
    cr_assert_str_eq(err.message, "model broke");
}

Test(client_stream, a_cut_connection_is_a_transport_error_after_the_events_before_it)
{
    static struct s_seen seen;
    struct brk_error err;
    enum brk_status rc = s_stream_with_rule("{\"stream\":{\"cutAfterEvent\":3}}", &seen, &err);
    cr_assert_eq(rc, BRK_ERR_TRANSPORT, "%s: %s", brk_status_name(rc), err.message);
    cr_assert_eq(seen.n, 3);
    cr_assert(strstr(err.message, "cut"), "%s", err.message);
}

Test(client_stream, a_corrupt_crc_is_a_checksum_error_and_its_event_is_not_delivered)
{
    static struct s_seen seen;
    struct brk_error err;
    enum brk_status rc = s_stream_with_rule("{\"stream\":{\"corruptCrcEvent\":2}}", &seen, &err);
    cr_assert_eq(rc, BRK_ERR_CRC, "%s: %s", brk_status_name(rc), err.message);
    cr_assert_eq(seen.n, 1);
}

Test(client_stream, the_callback_can_stop_the_stream)
{
    static struct s_seen seen = {.stop_after = 2};
    struct brk_error err;
    cr_assert_eq(s_stream_with_rule(NULL, &seen, &err), BRK_OK, "%s", err.message);
    cr_assert_eq(seen.n, 2);
}

Test(client_stream, an_error_before_the_stream_opens_is_a_json_service_error)
{
    static struct s_seen seen;
    struct brk_error err;
    enum brk_status rc = s_stream_with_rule("{\"match\":{\"operation\":\"ConverseStream\"},\"error\":"
                                            "\"ServiceUnavailableException\"}",
                                            &seen, &err);
    cr_assert_eq(rc, BRK_ERR_SERVICE);
    cr_assert_eq(seen.n, 0);
    cr_assert_eq(err.http_status, 503);
    cr_assert_str_eq(err.code, "ServiceUnavailableException");
    cr_assert_str_eq(err.message, brk_aws_error_get(BRK_AWS_SERVICE_UNAVAILABLE)->default_message);
}
