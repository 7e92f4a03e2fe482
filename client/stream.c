/*
 * stream.c: decoding a ConverseStream answer as it arrives.
 *
 * Bytes go through common/eventstream.c's incremental decoder (prelude and message CRCs
 * checked, limits enforced); each complete message becomes a struct brk_stream_event handed to
 * the caller's callback. `:message-type` `event` is an event named by `:event-type` (payload
 * without the union wrapper, plus Bedrock's "p" padding, ignored); `exception` ends the stream
 * with the AWS error named by `:exception-type` (message from the payload); `error` with
 * `:error-code` / `:error-message` (client-facts.md §3.6, §4.1; docs/streaming.md).
 * Event shapes: the service model's ConverseStreamOutput union.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "client/client_priv.h"
#include "common/json.h"
#include "common/alloc.h"

/* Large: one per stream, not on the stack. */
struct s_scratch {
    struct brk_es_message msg;
};

void client_stream_init(struct client_stream *s, brk_stream_event_fn on_event, void *user, struct brk_error *err)
{
    memset(s, 0, sizeof(*s));
    brk_es_decoder_init(&s->dec);
    s->on_event = on_event;
    s->user = user;
    s->err = err;
}

void client_stream_clean_up(struct client_stream *s)
{
    brk_es_decoder_clean_up(&s->dec);
}

static bool s_fail(struct client_stream *s, enum brk_status status, const char *what)
{
    brk_error_setf(s->err, status, "event %zu of the stream: %s", s->events + 1, what);
    s->failed = true;
    return false;
}

static int s_index(const cJSON *obj)
{
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(obj, "contentBlockIndex");
    uint64_t v = brk_json_count(i, UINT64_MAX);
    return v == UINT64_MAX ? -1 : v > INT_MAX ? INT_MAX : (int)v;
}

static void s_set_delta(struct brk_stream_event *ev, enum brk_delta_type type, const char *text)
{
    ev->delta_type = text ? type : BRK_DELTA_NONE;
    ev->delta = text;
    ev->delta_len = text ? strlen(text) : 0;
}

/* The delta member of a contentBlockDelta; a citation is printed into *json (freed by the caller). */
static enum brk_status s_delta(const cJSON *delta, struct brk_stream_event *ev, char **json)
{
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(delta, "text")) && cJSON_IsString(v)) {
        s_set_delta(ev, BRK_DELTA_TEXT, v->valuestring);
    } else if ((v = cJSON_GetObjectItemCaseSensitive(delta, "toolUse"))) {
        s_set_delta(ev, BRK_DELTA_TOOL_USE_INPUT, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "input")));
    } else if ((v = cJSON_GetObjectItemCaseSensitive(delta, "reasoningContent"))) {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "text"));
        const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "signature"));
        const char *red = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "redactedContent"));
        enum brk_delta_type type = t     ? BRK_DELTA_REASONING_TEXT
                                   : sig ? BRK_DELTA_REASONING_SIGNATURE
                                         : BRK_DELTA_REASONING_REDACTED;
        s_set_delta(ev, type, t ? t : sig ? sig : red);
    } else if ((v = cJSON_GetObjectItemCaseSensitive(delta, "citation"))) {
        enum brk_status rc = client_json_dup(v, json);
        if (rc != BRK_OK) {
            return rc;
        }
        s_set_delta(ev, BRK_DELTA_CITATION, *json);
    }
    return BRK_OK;
}

static const char *const s_event_names[] = {
    [BRK_EVENT_MESSAGE_START] = "messageStart",
    [BRK_EVENT_CONTENT_BLOCK_START] = "contentBlockStart",
    [BRK_EVENT_CONTENT_BLOCK_DELTA] = "contentBlockDelta",
    [BRK_EVENT_CONTENT_BLOCK_STOP] = "contentBlockStop",
    [BRK_EVENT_MESSAGE_STOP] = "messageStop",
    [BRK_EVENT_METADATA] = "metadata",
};

static enum brk_event_type s_event_type(const char *name)
{
    for (int i = 0; i < BRK_EVENT_UNKNOWN; i++) {
        if (strcmp(name, s_event_names[i]) == 0) {
            return (enum brk_event_type)i;
        }
    }
    return BRK_EVENT_UNKNOWN;
}

/* Fill ev from the payload; *json receives text the event points to (freed by the caller). */
static enum brk_status s_fill(const cJSON *p, struct brk_stream_event *ev, struct brk_usage *usage, char **json)
{
    const cJSON *tu;
    ev->content_block_index = s_index(p);
    switch (ev->type) {
    case BRK_EVENT_MESSAGE_START:
        ev->role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "role"));
        return BRK_OK;
    case BRK_EVENT_CONTENT_BLOCK_START:
        tu = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "start"), "toolUse");
        ev->tool_use_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "toolUseId"));
        ev->tool_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "name"));
        return BRK_OK;
    case BRK_EVENT_CONTENT_BLOCK_DELTA:
        return s_delta(cJSON_GetObjectItemCaseSensitive(p, "delta"), ev, json);
    case BRK_EVENT_MESSAGE_STOP:
        ev->stop_reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "stopReason"));
        return BRK_OK;
    case BRK_EVENT_METADATA:
        client_usage_parse(cJSON_GetObjectItemCaseSensitive(p, "usage"), usage);
        ev->usage = usage;
        ev->latency_ms = (int64_t)brk_json_count(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "metrics"), "latencyMs"), 0);
        enum brk_status rc = client_json_dup(cJSON_GetObjectItemCaseSensitive(p, "trace"), json);
        ev->trace_json = *json;
        return rc;
    default:
        return BRK_OK;
    }
}

/* One `event` message: parse, hand to the callback. */
static bool s_event(struct client_stream *s, const struct brk_es_message *msg, const char *name)
{
    char *payload = brk_strndup(msg->payload_len ? (const char *)msg->payload : "", msg->payload_len);
    if (payload == NULL) {
        return s_fail(s, BRK_ERR_NOMEM, "out of memory");
    }
    cJSON *p = NULL;
    enum brk_status parsed = client_json_parse(payload, msg->payload_len, &p);
    struct brk_usage usage = {0};
    struct brk_stream_event ev = {.type = s_event_type(name),
                                  .event_type = name,
                                  .content_block_index = -1,
                                  .payload_json = payload,
                                  .payload_len = msg->payload_len,
                                  .request_id = s->request_id ? s->request_id : ""};
    char *json = NULL;
    bool go_on = true;
    if (parsed == BRK_ERR_NOMEM) {
        go_on = s_fail(s, BRK_ERR_NOMEM, "out of memory");
    } else if (!cJSON_IsObject(p)) {
        go_on = s_fail(s, BRK_ERR_BAD_RESPONSE, "the payload is not a JSON object");
    } else if (s_fill(p, &ev, &usage, &json) != BRK_OK) {
        go_on = s_fail(s, BRK_ERR_NOMEM, "out of memory");
    } else {
        s->events++;
        s->stopped = s->on_event && s->on_event(&ev, s->user) != 0;
        go_on = !s->stopped;
    }
    brk_free(json);
    cJSON_Delete(p);
    brk_free(payload);
    return go_on;
}

/* An `exception` or `error` message: the stream ends with it. */
static bool s_exception(struct client_stream *s, const struct brk_es_message *msg, bool is_error)
{
    char code[96] = "", message[1024] = "";
    if (is_error) {
        brk_es_message_string(msg, ":error-code", code, sizeof(code));
        brk_es_message_string(msg, ":error-message", message, sizeof(message));
        brk_error_setf(s->err, BRK_ERR_SERVICE, "%s", message);
        snprintf(s->err->code, sizeof(s->err->code), "%s", code);
        s->err->aws = brk_aws_error_find(code);
        s->err->http_status = 200;
    } else {
        brk_es_message_string(msg, ":exception-type", code, sizeof(code));
        brk_aws_error_parse(200, code, NULL, (const char *)msg->payload, msg->payload_len, s->err);
    }
    snprintf(s->err->request_id, sizeof(s->err->request_id), "%s", s->request_id ? s->request_id : "");
    s->failed = true;
    return false;
}

static bool s_message(struct client_stream *s, const struct brk_es_message *msg)
{
    char mtype[32] = "", name[128] = "";
    brk_es_message_string(msg, ":message-type", mtype, sizeof(mtype));
    if (strcmp(mtype, "exception") == 0 || strcmp(mtype, "error") == 0) {
        return s_exception(s, msg, mtype[0] == 'e' && mtype[1] == 'r');
    }
    if (strcmp(mtype, "event") != 0 || !brk_es_message_string(msg, ":event-type", name, sizeof(name))) {
        return s_fail(s, BRK_ERR_BAD_RESPONSE, "a message without :message-type event and an :event-type");
    }
    return s_event(s, msg, name);
}

bool client_stream_feed(struct client_stream *s, const void *data, size_t len)
{
    static _Thread_local struct s_scratch scratch; /* brk_es_message is large (128 headers) */
    if (s->stopped || s->failed) {
        return false;
    }
    enum brk_status rc = brk_es_decoder_feed(&s->dec, data, len);
    while (rc == BRK_OK) {
        rc = brk_es_decoder_next(&s->dec, &scratch.msg);
        if (rc == BRK_OK && !s_message(s, &scratch.msg)) {
            return false;
        }
    }
    if (rc == BRK_ERR_INCOMPLETE) {
        return true;
    }
    if (rc == BRK_ERR_CRC) {
        return s_fail(s, BRK_ERR_CRC, "checksum mismatch: the frame is corrupt");
    }
    return s_fail(s, rc == BRK_ERR_NOMEM ? rc : BRK_ERR_BAD_RESPONSE, brk_status_str(rc));
}

enum brk_status client_stream_finish(struct client_stream *s)
{
    if (s->failed) {
        return s->err->status;
    }
    if (!s->stopped && brk_es_decoder_pending(&s->dec) > 0) {
        brk_error_setf(s->err, BRK_ERR_BAD_RESPONSE, "the event stream ended inside a message (%zu bytes pending)",
                       brk_es_decoder_pending(&s->dec));
        return BRK_ERR_BAD_RESPONSE;
    }
    return BRK_OK;
}
