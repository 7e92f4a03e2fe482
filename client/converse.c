/*
 * converse.c: the three operations (Converse, ConverseStream, CountTokens) on top of one call
 * (call.c). Paths from the service model: POST /model/{modelId}/converse, /converse-stream and
 * /count-tokens.
 */
#include <string.h>

#include "client/client_priv.h"
#include "common/json.h"

/* The largest body the client's cache-point placement writes. */
#define CONVERSE_MAX_PLACED_BYTES (64u << 20)

/* Init `call` (a stream's when `stream` is set) and run it; the caller cleans the call up
 * whatever the result. With client cache settings (brk_client_set_cache) the body sent is the
 * placed one, held in `placed` (the caller's; cleaned up by it after the call). */
static enum brk_status s_run(struct brk_client *client, struct client_call *call, const char *operation,
                             const char *action, const char *model_id, const char *body, size_t body_len,
                             struct client_stream *stream, struct brk_buf *placed, struct brk_error *err)
{
    brk_buf_init(placed, CONVERSE_MAX_PLACED_BYTES);
    enum brk_status rc =
        client_cache_place(client, model_id, strcmp(action, "count-tokens") == 0, body, body_len, placed, err);
    client_call_init(call, operation, action, model_id, placed->data ? placed->data : body,
                     placed->data ? placed->len : body_len);
    call->stream = stream;
    if (stream) {
        stream->request_id = call->request_id;
    }
    if (client == NULL) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "%s needs a client", call->operation);
    }
    return rc == BRK_OK ? client_call_run(client, call, err) : rc;
}

enum brk_status brk_converse(struct brk_client *client, const char *model_id, const char *body_json, size_t body_len,
                             struct brk_converse_response **out, struct brk_error *err)
{
    brk_error_clear(err);
    if (out == NULL) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "brk_converse needs an out pointer");
    }
    *out = NULL;
    struct client_call call;
    struct brk_buf placed;
    enum brk_status rc =
        s_run(client, &call, "Converse", "converse", model_id, body_json, body_len, NULL, &placed, err);
    if (rc == BRK_OK) {
        rc = brk_converse_response_parse(call.resp_body.data, call.resp_body.len, out, err);
    }
    if (rc == BRK_OK) {
        memcpy((*out)->request_id, call.request_id, sizeof((*out)->request_id));
        (*out)->retry_attempts = client->retry_state.last.attempts - 1;
        (*out)->retry_delay_ms = client->retry_state.last.retry_delay_ms;
    }
    client_call_clean_up(&call);
    brk_buf_clean_up(&placed);
    return rc;
}

static enum brk_status s_input_tokens(const struct client_call *call, uint64_t *input_tokens, struct brk_error *err)
{
    cJSON *root = NULL;
    const char *text = call->resp_body.data ? call->resp_body.data : "";
    enum brk_status rc = client_json_parse(text, call->resp_body.len, &root);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "inputTokens");
    if (rc == BRK_ERR_NOMEM) {
        brk_error_setf(err, rc, "out of memory while parsing the answer");
    } else if (!cJSON_IsNumber(n) || n->valuedouble < 0) {
        rc = brk_error_setf(err, BRK_ERR_BAD_RESPONSE, "the CountTokens answer has no inputTokens count");
    } else {
        *input_tokens = brk_json_count(n, 0);
    }
    cJSON_Delete(root);
    return rc;
}

enum brk_status brk_count_tokens(struct brk_client *client, const char *model_id, const char *body_json,
                                 size_t body_len, uint64_t *input_tokens, struct brk_error *err)
{
    brk_error_clear(err);
    if (input_tokens == NULL) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "brk_count_tokens needs an out pointer");
    }
    struct client_call call;
    struct brk_buf placed;
    enum brk_status rc =
        s_run(client, &call, "CountTokens", "count-tokens", model_id, body_json, body_len, NULL, &placed, err);
    rc = rc == BRK_OK ? s_input_tokens(&call, input_tokens, err) : rc;
    client_call_clean_up(&call);
    brk_buf_clean_up(&placed);
    return rc;
}

enum brk_status brk_converse_stream(struct brk_client *client, const char *model_id, const char *body_json,
                                    size_t body_len, brk_stream_event_fn on_event, void *user, struct brk_error *err)
{
    struct brk_error local;
    err = err ? err : &local;
    brk_error_clear(err);
    struct client_call call;
    struct client_stream stream;
    struct brk_buf placed;
    client_stream_init(&stream, on_event, user, err);
    enum brk_status rc =
        s_run(client, &call, "ConverseStream", "converse-stream", model_id, body_json, body_len, &stream, &placed, err);
    rc = rc == BRK_OK ? client_stream_finish(&stream) : rc;
    client_stream_clean_up(&stream);
    client_call_clean_up(&call);
    brk_buf_clean_up(&placed);
    return rc;
}
