/*
 * The stream writer's in-stream faults (struct mock_stream_fault), driven without a socket:
 * the pipeline runs in-process, the fault is set on the response the way a rule sets it, and
 * the test pulls bytes through resp.stream_fn like mock/http/http1.c does.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/mock_priv.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/stages.h"

#define HAIKU_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
#define HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there, streaming world\"}]}]}"

struct s_run {
    struct brk_buf body;
    long last; /* the last stream_fn result: 0 = clean end, -1 = aborted */
    struct th_events *events;
};

/* Dispatch a ConverseStream request with `fault` to a mock started with `cfg` (NULL: defaults),
 * and drain the stream in small reads. */
static struct s_run s_run_cfg(const struct brk_mock_config *cfg, const struct mock_stream_fault *fault)
{
    struct brk_mock *mock = th_mock_start(cfg);
    struct mock_request req;
    struct mock_response resp;
    const char *headers[] = {TH_DEFAULT_AUTHORIZATION, NULL}; /* lenient auth */
    mock_request_build(&req, "POST", HAIKU_PATH, headers, HELLO, strlen(HELLO));
    mock_response_init(&resp);
    if (fault) {
        resp.fault.stream = *fault;
    }
    mock_dispatch(mock, &req, &resp);
    cr_assert_not_null(resp.stream_fn, "no stream opened: %d %s", resp.status, resp.body.data);
    struct s_run run = {.last = 0};
    brk_buf_init(&run.body, 1 << 20);
    char chunk[37]; /* an odd size, so frames straddle reads */
    uint64_t pos = 0;
    while ((run.last = resp.stream_fn(resp.stream_ctx, pos, chunk, sizeof(chunk))) > 0) {
        brk_buf_append(&run.body, chunk, (size_t)run.last);
        pos += (uint64_t)run.last;
    }
    run.events = calloc(1, sizeof(*run.events));
    th_events_decode(run.body.data, run.body.len, run.events);
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
    brk_mock_stop(mock);
    return run;
}

static struct s_run s_run_with(const struct mock_stream_fault *fault)
{
    return s_run_cfg(NULL, fault);
}

static void s_run_free(struct s_run *run)
{
    th_events_free(run->events);
    free(run->events);
    brk_buf_clean_up(&run->body);
}

Test(stream_faults, no_fault_is_a_complete_stream)
{
    struct s_run run = s_run_with(NULL);
    cr_assert_eq(run.last, 0);
    cr_assert_eq(run.events->end, BRK_OK);
    cr_assert_str_eq(run.events->ev[run.events->n - 1].type, "metadata");
    for (size_t i = 0; i < run.events->n; i++) {
        cr_assert_str_eq(run.events->ev[i].message_type, "event");
    }
    s_run_free(&run);
}

Test(stream_faults, exception_after_event_k_ends_the_stream_with_an_exception_frame)
{
    struct mock_stream_fault f = {0};
    f.exception_after_event = 2;
    f.exception = brk_aws_error_get(BRK_AWS_THROTTLING);
    snprintf(f.exception_message, sizeof(f.exception_message), "Too many tokens, please wait before trying again.");
    struct s_run run = s_run_with(&f);
    cr_assert_eq(run.last, 0, "the stream ends cleanly after the exception");
    cr_assert_eq(run.events->n, 3);
    cr_assert_str_eq(run.events->ev[0].type, "messageStart");
    const struct th_event *x = &run.events->ev[2];
    cr_assert_str_eq(x->message_type, "exception");
    cr_assert_str_eq(x->type, "throttlingException");
    cr_assert_str_eq(x->header_order, ":exception-type,:content-type,:message-type");
    cr_assert_str_eq(cJSON_GetObjectItem(x->payload, "message")->valuestring,
                     "Too many tokens, please wait before trying again.");
    cr_assert_null(cJSON_GetObjectItem(x->payload, "p"), "exceptions carry no padding");
    s_run_free(&run);
}

Test(stream_faults, exception_uses_the_tables_default_message_and_member)
{
    const enum brk_aws_error ids[] = {BRK_AWS_MODEL_STREAM_ERROR, BRK_AWS_VALIDATION, BRK_AWS_INTERNAL_SERVER,
                                      BRK_AWS_SERVICE_UNAVAILABLE};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        struct mock_stream_fault f = {.exception_after_event = 1, .exception = brk_aws_error_get(ids[i])};
        struct s_run run = s_run_with(&f);
        const struct th_event *x = &run.events->ev[run.events->n - 1];
        cr_assert_str_eq(x->type, f.exception->stream_member);
        cr_assert_str_eq(cJSON_GetObjectItem(x->payload, "message")->valuestring, f.exception->default_message);
        s_run_free(&run);
    }
}

Test(stream_faults, exception_after_the_last_event_still_arrives)
{
    struct mock_stream_fault f = {.exception_after_event = 999, .exception = brk_aws_error_get(BRK_AWS_THROTTLING)};
    struct s_run run = s_run_with(&f);
    cr_assert_str_eq(run.events->ev[run.events->n - 2].type, "metadata");
    cr_assert_str_eq(run.events->ev[run.events->n - 1].message_type, "exception");
    s_run_free(&run);
}

Test(stream_faults, cut_after_event_k_aborts_on_a_message_boundary)
{
    struct mock_stream_fault f = {.cut_after_event = 3};
    struct s_run run = s_run_with(&f);
    cr_assert_eq(run.last, -1, "the writer asks the server to drop the connection");
    cr_assert_eq(run.events->n, 3);
    cr_assert_eq(run.events->end, BRK_OK);
    cr_assert_eq(run.events->trailing, 0);
    s_run_free(&run);
}

Test(stream_faults, corrupt_crc_of_event_k_breaks_decoding_there)
{
    struct mock_stream_fault f = {.corrupt_crc_event = 2};
    struct s_run run = s_run_with(&f);
    cr_assert_eq(run.last, 0);
    cr_assert_eq(run.events->n, 1, "only the event before the corrupt one decodes");
    cr_assert_eq(run.events->end, BRK_ERR_CRC);
    s_run_free(&run);
}

Test(stream_faults, configured_stream_exception_applies_unless_a_rule_sets_one)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.stream_exception_after = 1;
    cfg.stream_exception = BRK_AWS_SERVICE_UNAVAILABLE;
    struct s_run run = s_run_cfg(&cfg, NULL);
    cr_assert_eq(run.events->n, 2);
    cr_assert_str_eq(run.events->ev[1].type, "serviceUnavailableException");
    cr_assert_str_eq(cJSON_GetObjectItem(run.events->ev[1].payload, "message")->valuestring,
                     "Bedrock is unable to process your request.");
    s_run_free(&run);
    struct mock_stream_fault own = {.exception_after_event = 3, .exception = brk_aws_error_get(BRK_AWS_THROTTLING)};
    run = s_run_cfg(&cfg, &own);
    cr_assert_eq(run.events->n, 4);
    cr_assert_str_eq(run.events->ev[3].type, "throttlingException", "the rule's fault wins");
    s_run_free(&run);
}
