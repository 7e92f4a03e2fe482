/*
 * stream.c: the event-stream writer (see stream.h) and ConverseStream, which turns the same
 * struct mock_reply that Converse prints as one document into Bedrock's event sequence:
 *   messageStart {role}
 *   per block: contentBlockStart (tool use only), contentBlockDelta..., contentBlockStop
 *   messageStop {stopReason}
 *   metadata {usage, metrics, trace?}
 * Sources for the sequence and payload shapes: docs/streaming.md.
 */
#include "mock/ops/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/clock.h"
#include "bedrock/eventstream.h"
#include "common/rng.h"
#include "mock/model/reply.h"
#include "mock/ops/ops.h"

/* One frame never exceeds an event's JSON plus framing; 32 MiB is above the codec's limit. */
#define S_FRAME_MAX (32u * 1024u * 1024u)
#define S_MSG_TOOL_STREAMING "This model doesn't support tool use in streaming mode."

struct s_writer {
    struct mock_event_source src;
    struct mock_stream_fault fault;
    struct brk_buf frame; /* the frame being sent */
    size_t sent;          /* bytes of `frame` already handed to the server */
    unsigned events;      /* events produced so far */
    uint64_t pad_state;   /* drawn from mock->rng once, so --seed fixes every padding length */
    unsigned delay_ms;
    bool exception_sent;
    bool cut_pending; /* abort the connection once `frame` is out */
    bool done;
};

size_t mock_utf8_prefix(const char *text, size_t len, size_t chars)
{
    size_t i = 0;
    while (i < len && chars > 0) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80) {
            i++; /* continuation bytes stay with their code point */
        }
        chars--;
    }
    return i;
}

size_t mock_stream_chunk_chars(const struct brk_mock *mock)
{
    return mock->cfg.stream_chunk_chars ? mock->cfg.stream_chunk_chars : MOCK_STREAM_DEFAULT_CHUNK_CHARS;
}

static enum brk_status s_encode(struct brk_buf *out, const char *type_header, const char *type,
                                const char *message_type, const char *json)
{
    struct brk_es_header h[3] = {
        brk_es_header_string(type_header, type),
        brk_es_header_string(":content-type", "application/json"),
        brk_es_header_string(":message-type", message_type),
    };
    return brk_es_encode(out, h, 3, json, strlen(json));
}

/* Bedrock's "p" field: a prefix of the alphabet, 1..62 characters long. */
static void s_add_padding(struct s_writer *w, cJSON *payload)
{
    static const char alphabet[] = MOCK_STREAM_PADDING_ALPHABET;
    char pad[sizeof(alphabet)];
    size_t n = 1 + brk_mix64(w->pad_state + w->events) % (sizeof(alphabet) - 1);
    memcpy(pad, alphabet, n);
    pad[n] = '\0';
    cJSON_AddStringToObject(payload, "p", pad);
}

static bool s_frame_event(struct s_writer *w, struct mock_stream_event *ev)
{
    w->events++;
    if (w->delay_ms && w->events > 1) {
        brk_clock_sleep_real_ms(w->delay_ms); /* real time, as the SDK sees it; only this client waits */
    }
    s_add_padding(w, ev->payload);
    char *json = cJSON_PrintUnformatted(ev->payload);
    cJSON_Delete(ev->payload);
    ev->payload = NULL;
    bool ok = json && s_encode(&w->frame, ":event-type", ev->type, "event", json) == BRK_OK;
    free(json);
    if (ok && w->events == w->fault.corrupt_crc_event) {
        w->frame.data[w->frame.len - 1] ^= 0x01; /* the last byte of the message CRC */
    }
    w->cut_pending = w->events == w->fault.cut_after_event;
    return ok;
}

static bool s_frame_exception(struct s_writer *w)
{
    const struct brk_aws_error_info *e = w->fault.exception;
    if (!e || !e->stream_member) {
        e = brk_aws_error_get(BRK_AWS_INTERNAL_SERVER);
    }
    const char *msg = w->fault.exception_message[0] ? w->fault.exception_message : e->default_message;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "message", msg);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    bool ok = json && s_encode(&w->frame, ":exception-type", e->stream_member, "exception", json) == BRK_OK;
    free(json);
    w->exception_sent = true;
    w->done = true; /* Bedrock ends the stream after an exception */
    return ok;
}

/* Produce the next frame into w->frame; false when the stream is over (or broke). */
static bool s_produce(struct s_writer *w)
{
    brk_buf_reset(&w->frame);
    w->sent = 0;
    bool want_exception = w->fault.exception_after_event && !w->exception_sent;
    if (want_exception && w->events >= w->fault.exception_after_event) {
        return s_frame_exception(w);
    }
    struct mock_stream_event ev;
    memset(&ev, 0, sizeof(ev));
    if (w->src.next(w->src.ctx, &ev)) {
        return s_frame_event(w, &ev);
    }
    w->done = true;
    /* A source shorter than k still ends with the exception that was asked for. */
    return want_exception ? s_frame_exception(w) : false;
}

static long s_writer_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos; /* the server reads sequentially; the writer keeps its own position */
    struct s_writer *w = ctx;
    while (w->sent == w->frame.len) {
        if (w->cut_pending) {
            return -1;
        }
        if (w->done) {
            return 0;
        }
        if (!s_produce(w)) {
            return w->done ? 0 : -1; /* the end, or an event that could not be framed */
        }
    }
    size_t n = w->frame.len - w->sent;
    n = n < max ? n : max;
    memcpy(buf, w->frame.data + w->sent, n);
    w->sent += n;
    return (long)n;
}

static void s_writer_free(void *ctx)
{
    struct s_writer *w = ctx;
    if (!w) {
        return;
    }
    if (w->src.free_fn) {
        w->src.free_fn(w->src.ctx);
    }
    brk_buf_clean_up(&w->frame);
    free(w);
}

void mock_stream_open(struct brk_mock *mock, struct mock_response *resp, struct mock_event_source src)
{
    struct s_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        if (src.free_fn) {
            src.free_fn(src.ctx);
        }
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return;
    }
    w->src = src;
    w->fault = resp->fault.stream;
    if (!w->fault.exception_after_event && mock->cfg.stream_exception_after) {
        w->fault.exception_after_event = mock->cfg.stream_exception_after;
        w->fault.exception = brk_aws_error_get(mock->cfg.stream_exception);
    }
    w->pad_state = brk_rng_next(&mock->rng);
    w->delay_ms = mock->cfg.stream_delay_ms;
    brk_buf_init(&w->frame, S_FRAME_MAX);
    resp->status = 200;
    snprintf(resp->content_type, sizeof(resp->content_type), MOCK_STREAM_CONTENT_TYPE);
    brk_buf_reset(&resp->body);
    resp->stream_fn = s_writer_read;
    resp->stream_ctx = w;
    resp->stream_free = s_writer_free;
}

/* ---- ConverseStream ----------------------------------------------------------------- */

enum s_phase {
    S_MESSAGE_START,
    S_BLOCK_START,
    S_BLOCK_DELTA,
    S_SIGNATURE,
    S_BLOCK_STOP,
    S_MESSAGE_STOP,
    S_METADATA,
    S_DONE
};

struct s_converse {
    struct mock_reply reply;
    size_t chunk; /* characters per delta */
    size_t block; /* current content block */
    enum s_phase phase;
    size_t offset;    /* bytes of the current block's text already sent */
    char *tool_input; /* the current tool-use block's input, printed */
};

static void s_converse_free(void *ctx)
{
    struct s_converse *c = ctx;
    if (!c) {
        return;
    }
    mock_reply_clean_up(&c->reply);
    free(c->tool_input);
    free(c);
}

static cJSON *s_indexed(size_t index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "contentBlockIndex", (double)index);
    return o;
}

static const char *s_block_text(struct s_converse *c, const struct mock_reply_block *b)
{
    if (b->kind != MOCK_BLOCK_TOOL_USE) {
        return b->text ? b->text : "";
    }
    if (!c->tool_input) {
        c->tool_input = b->tool_input ? cJSON_PrintUnformatted(b->tool_input) : strdup("{}");
    }
    return c->tool_input ? c->tool_input : "";
}

/* One delta of the current block: the next chunk of its text or tool input. */
static void s_delta(struct s_converse *c, struct mock_stream_event *ev)
{
    const struct mock_reply_block *b = &c->reply.blocks[c->block];
    const char *text = s_block_text(c, b);
    size_t len = strlen(text);
    size_t n = mock_utf8_prefix(text + c->offset, len - c->offset, c->chunk);
    char *piece = strndup(text + c->offset, n);
    c->offset += n;
    cJSON *delta = cJSON_CreateObject();
    if (b->kind == MOCK_BLOCK_TEXT) {
        cJSON_AddStringToObject(delta, "text", piece);
    } else if (b->kind == MOCK_BLOCK_TOOL_USE) {
        cJSON_AddStringToObject(cJSON_AddObjectToObject(delta, "toolUse"), "input", piece);
    } else {
        cJSON_AddStringToObject(cJSON_AddObjectToObject(delta, "reasoningContent"), "text", piece);
    }
    free(piece);
    snprintf(ev->type, sizeof(ev->type), "contentBlockDelta");
    ev->payload = s_indexed(c->block);
    cJSON_AddItemToObject(ev->payload, "delta", delta);
    if (c->offset >= len) {
        bool signed_reasoning = b->kind == MOCK_BLOCK_REASONING && b->signature;
        c->phase = signed_reasoning ? S_SIGNATURE : S_BLOCK_STOP;
    }
}

static void s_block_start(struct s_converse *c, struct mock_stream_event *ev)
{
    const struct mock_reply_block *b = &c->reply.blocks[c->block];
    snprintf(ev->type, sizeof(ev->type), "contentBlockStart");
    ev->payload = cJSON_CreateObject();
    cJSON *tu = cJSON_AddObjectToObject(cJSON_AddObjectToObject(ev->payload, "start"), "toolUse");
    cJSON_AddStringToObject(tu, "toolUseId", b->tool_use_id ? b->tool_use_id : "");
    cJSON_AddStringToObject(tu, "name", b->tool_name ? b->tool_name : "");
    cJSON_AddNumberToObject(ev->payload, "contentBlockIndex", (double)c->block);
    c->phase = S_BLOCK_DELTA;
}

static void s_next_block(struct s_converse *c)
{
    free(c->tool_input);
    c->tool_input = NULL;
    c->offset = 0;
    c->block++;
    if (c->block >= c->reply.n_blocks) {
        c->phase = S_MESSAGE_STOP;
        return;
    }
    c->phase = c->reply.blocks[c->block].kind == MOCK_BLOCK_TOOL_USE ? S_BLOCK_START : S_BLOCK_DELTA;
}

static void s_tail_event(struct s_converse *c, struct mock_stream_event *ev)
{
    ev->payload = cJSON_CreateObject();
    if (c->phase == S_MESSAGE_STOP) {
        snprintf(ev->type, sizeof(ev->type), "messageStop");
        cJSON_AddStringToObject(ev->payload, "stopReason", c->reply.stop_reason);
        c->phase = S_METADATA;
        return;
    }
    snprintf(ev->type, sizeof(ev->type), "metadata");
    cJSON_AddItemToObject(ev->payload, "usage", mock_reply_usage_json(&c->reply));
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(ev->payload, "metrics"), "latencyMs", (double)c->reply.latency_ms);
    if (c->reply.trace) {
        cJSON_AddItemToObject(ev->payload, "trace", cJSON_Duplicate(c->reply.trace, 1));
    }
    c->phase = S_DONE;
}

static bool s_converse_next(void *ctx, struct mock_stream_event *ev)
{
    struct s_converse *c = ctx;
    switch (c->phase) {
    case S_MESSAGE_START:
        snprintf(ev->type, sizeof(ev->type), "messageStart");
        ev->payload = cJSON_CreateObject();
        cJSON_AddStringToObject(ev->payload, "role", "assistant");
        c->block = (size_t)-1;
        s_next_block(c);
        return true;
    case S_BLOCK_START:
        s_block_start(c, ev);
        return true;
    case S_BLOCK_DELTA:
        s_delta(c, ev);
        return true;
    case S_SIGNATURE:
        snprintf(ev->type, sizeof(ev->type), "contentBlockDelta");
        ev->payload = s_indexed(c->block);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(ev->payload, "delta"),
                                                        "reasoningContent"),
                                "signature", c->reply.blocks[c->block].signature);
        c->phase = S_BLOCK_STOP;
        return true;
    case S_BLOCK_STOP:
        snprintf(ev->type, sizeof(ev->type), "contentBlockStop");
        ev->payload = s_indexed(c->block);
        s_next_block(c);
        return true;
    case S_MESSAGE_STOP:
    case S_METADATA:
        s_tail_event(c, ev);
        return true;
    default:
        return false;
    }
}

bool mock_converse_source(struct mock_reply *reply, size_t chunk_chars, struct mock_event_source *out)
{
    struct s_converse *c = calloc(1, sizeof(*c));
    if (!c) {
        return false;
    }
    c->reply = *reply; /* the source owns the blocks and trace now */
    mock_reply_init(reply);
    c->chunk = chunk_chars ? chunk_chars : MOCK_STREAM_DEFAULT_CHUNK_CHARS;
    c->phase = S_MESSAGE_START;
    *out = (struct mock_event_source){s_converse_next, c, s_converse_free};
    return true;
}

void mock_op_converse_stream(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    if (m && !m->tool_use_streaming && cJSON_GetObjectItemCaseSensitive(req->json, "toolConfig")) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_TOOL_STREAMING);
        return;
    }
    struct mock_reply reply;
    struct mock_event_source src;
    mock_reply_init(&reply);
    mock_converse_build_reply(mock, req, &reply, resp);
    if (!mock_converse_source(&reply, mock_stream_chunk_chars(mock), &src)) {
        mock_reply_clean_up(&reply);
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return;
    }
    mock_stream_open(mock, resp, src);
}
