/*
 * accumulator.c: rebuilding Converse's answer from ConverseStream's events.
 *
 * Text, tool-input JSON, reasoning text, signatures and redacted content arrive in pieces per
 * content block (contentBlockIndex); contentBlockStart opens a tool-use block with its id and
 * name; messageStop gives the stop reason; metadata the usage, metrics and trace. At the end
 * the tool input is parsed and printed compactly, as Converse's parser prints it, so a stream
 * and a Converse call of the same request give equal structs (tests/test_client_stream.c).
 */
#include <stdio.h>
#include <string.h>

#include "client/client_priv.h"
#include "common/alloc.h"
#include "common/json.h"

/* Blocks past the highest one seen by more than this are refused (a hostile index). */
#define ACC_MAX_INDEX_GAP 64

/* The pieces of one block while it streams. */
struct s_pending {
    struct brk_buf text;  /* text, reasoning text, or citation-block text */
    struct brk_buf input; /* tool-use input JSON text */
    struct brk_buf signature;
    struct brk_buf redacted;
    cJSON *citations; /* array of citation objects, or NULL */
};

struct brk_stream_accumulator {
    struct brk_converse_response *resp;
    struct s_pending *pending; /* one per block of resp->message */
    enum brk_status failed;    /* first failure of an add */
};

enum brk_status brk_stream_accumulator_new(struct brk_stream_accumulator **out)
{
    *out = brk_calloc(1, sizeof(**out));
    if (*out == NULL) {
        return BRK_ERR_NOMEM;
    }
    (*out)->resp = client_response_new();
    if ((*out)->resp == NULL) {
        brk_free(*out);
        *out = NULL;
        return BRK_ERR_NOMEM;
    }
    return BRK_OK;
}

static void s_pending_clean_up(struct s_pending *p)
{
    brk_buf_clean_up(&p->text);
    brk_buf_clean_up(&p->input);
    brk_buf_clean_up(&p->signature);
    brk_buf_clean_up(&p->redacted);
    cJSON_Delete(p->citations);
    memset(p, 0, sizeof(*p));
}

static void s_pending_free(struct brk_stream_accumulator *acc)
{
    size_t n = acc->resp ? acc->resp->message.n_blocks : 0;
    for (size_t i = 0; acc->pending && i < n; i++) {
        s_pending_clean_up(&acc->pending[i]);
    }
    brk_free(acc->pending);
    acc->pending = NULL;
}

void brk_stream_accumulator_destroy(struct brk_stream_accumulator *acc)
{
    if (acc == NULL) {
        return;
    }
    s_pending_free(acc);
    brk_converse_response_destroy(acc->resp);
    brk_free(acc);
}

/* The block at `index`, created (with those before it) when new. */
static enum brk_status s_block(struct brk_stream_accumulator *acc, int index, struct brk_content_block **b,
                               struct s_pending **p)
{
    struct brk_message *m = &acc->resp->message;
    if (index < 0 || (size_t)index > m->n_blocks + ACC_MAX_INDEX_GAP) {
        return BRK_ERR_BAD_RESPONSE;
    }
    while (m->n_blocks <= (size_t)index) {
        struct s_pending *grown = brk_realloc(acc->pending, (m->n_blocks + 1) * sizeof(*grown));
        if (grown == NULL) {
            return BRK_ERR_NOMEM;
        }
        acc->pending = grown;
        memset(&grown[m->n_blocks], 0, sizeof(*grown));
        size_t i = m->n_blocks;
        brk_buf_init(&grown[i].text, CLIENT_MAX_BODY_BYTES);
        brk_buf_init(&grown[i].input, CLIENT_MAX_BODY_BYTES);
        brk_buf_init(&grown[i].signature, CLIENT_MAX_BODY_BYTES);
        brk_buf_init(&grown[i].redacted, CLIENT_MAX_BODY_BYTES);
        if (client_message_add_block(m) == NULL) {
            return BRK_ERR_NOMEM;
        }
    }
    *b = &m->blocks[index];
    *p = &acc->pending[index];
    return BRK_OK;
}

static enum brk_status s_citation(struct s_pending *p, const struct brk_stream_event *ev)
{
    if (p->citations == NULL && (p->citations = cJSON_CreateArray()) == NULL) {
        return BRK_ERR_NOMEM;
    }
    cJSON *c = NULL;
    enum brk_status rc = client_json_parse(ev->delta, ev->delta_len, &c);
    if (rc != BRK_OK) {
        return rc == BRK_ERR_NOMEM ? rc : BRK_ERR_BAD_RESPONSE;
    }
    return cJSON_AddItemToArray(p->citations, c) ? BRK_OK : BRK_ERR_NOMEM;
}

static enum brk_status s_delta(struct brk_stream_accumulator *acc, const struct brk_stream_event *ev)
{
    struct brk_content_block *b;
    struct s_pending *p;
    enum brk_status rc = s_block(acc, ev->content_block_index, &b, &p);
    if (rc != BRK_OK) {
        return rc;
    }
    switch (ev->delta_type) {
    case BRK_DELTA_TEXT:
        b->type = p->citations ? BRK_BLOCK_CITATIONS : BRK_BLOCK_TEXT;
        return brk_buf_append(&p->text, ev->delta, ev->delta_len);
    case BRK_DELTA_TOOL_USE_INPUT:
        b->type = BRK_BLOCK_TOOL_USE;
        return brk_buf_append(&p->input, ev->delta, ev->delta_len);
    case BRK_DELTA_REASONING_TEXT:
        b->type = BRK_BLOCK_REASONING;
        return brk_buf_append(&p->text, ev->delta, ev->delta_len);
    case BRK_DELTA_REASONING_SIGNATURE:
        b->type = BRK_BLOCK_REASONING;
        return brk_buf_append(&p->signature, ev->delta, ev->delta_len);
    case BRK_DELTA_REASONING_REDACTED:
        b->type = BRK_BLOCK_REASONING;
        return brk_buf_append(&p->redacted, ev->delta, ev->delta_len);
    case BRK_DELTA_CITATION:
        b->type = BRK_BLOCK_CITATIONS;
        return s_citation(p, ev);
    default:
        return BRK_OK;
    }
}

static enum brk_status s_start(struct brk_stream_accumulator *acc, const struct brk_stream_event *ev)
{
    struct brk_content_block *b;
    struct s_pending *p;
    enum brk_status rc = s_block(acc, ev->content_block_index, &b, &p);
    if (rc != BRK_OK || !ev->tool_use_id) {
        return rc;
    }
    b->type = BRK_BLOCK_TOOL_USE;
    brk_free(b->tool_use_id);
    brk_free(b->tool_name);
    b->tool_use_id = brk_strdup(ev->tool_use_id);
    b->tool_name = ev->tool_name ? brk_strdup(ev->tool_name) : NULL;
    return b->tool_use_id && (b->tool_name || !ev->tool_name) ? BRK_OK : BRK_ERR_NOMEM;
}

static enum brk_status s_replace(char **dst, const char *src)
{
    brk_free(*dst);
    *dst = src ? brk_strdup(src) : NULL;
    return src && !*dst ? BRK_ERR_NOMEM : BRK_OK;
}

static enum brk_status s_metadata(struct brk_stream_accumulator *acc, const struct brk_stream_event *ev)
{
    if (ev->usage) {
        acc->resp->usage = *ev->usage;
    }
    acc->resp->latency_ms = ev->latency_ms;
    return ev->trace_json ? s_replace(&acc->resp->trace_json, ev->trace_json) : BRK_OK;
}

enum brk_status brk_stream_accumulator_add(struct brk_stream_accumulator *acc, const struct brk_stream_event *ev)
{
    if (acc->failed != BRK_OK) {
        return acc->failed;
    }
    enum brk_status rc = BRK_OK;
    if (ev->request_id) {
        snprintf(acc->resp->request_id, sizeof(acc->resp->request_id), "%s", ev->request_id);
    }
    switch (ev->type) {
    case BRK_EVENT_MESSAGE_START:
        rc = s_replace(&acc->resp->message.role, ev->role);
        break;
    case BRK_EVENT_CONTENT_BLOCK_START:
        rc = s_start(acc, ev);
        break;
    case BRK_EVENT_CONTENT_BLOCK_DELTA:
        rc = s_delta(acc, ev);
        break;
    case BRK_EVENT_MESSAGE_STOP:
        rc = s_replace(&acc->resp->stop_reason, ev->stop_reason);
        break;
    case BRK_EVENT_METADATA:
        rc = s_metadata(acc, ev);
        break;
    default:
        break; /* contentBlockStop and unknown events add nothing */
    }
    acc->failed = rc;
    return rc;
}

int brk_stream_accumulator_on_event(const struct brk_stream_event *event, void *user)
{
    return brk_stream_accumulator_add(user, event) != BRK_OK;
}

/* A pending buffer as an owned string; NULL when nothing arrived. */
static enum brk_status s_take(struct brk_buf *buf, char **out)
{
    if (buf->data == NULL) {
        return BRK_OK;
    }
    *out = brk_strndup(buf->data, buf->len);
    return *out ? BRK_OK : BRK_ERR_NOMEM;
}

/* Tool input as Converse's parser gives it: compact JSON, "{}" when nothing came. */
static enum brk_status s_tool_input(struct s_pending *p, struct brk_content_block *b)
{
    cJSON *input = NULL;
    bool empty = p->input.len == 0;
    enum brk_status rc = client_json_parse(empty ? "{}" : p->input.data, empty ? 2 : p->input.len, &input);
    if (rc == BRK_ERR_NOMEM) {
        return rc;
    }
    if (input == NULL) {
        return s_take(&p->input, &b->tool_input_json); /* kept as it came, so nothing is lost */
    }
    rc = client_json_dup(input, &b->tool_input_json);
    cJSON_Delete(input);
    return rc;
}

static enum brk_status s_finish_block(struct s_pending *p, struct brk_content_block *b)
{
    enum brk_status rc = s_take(&p->text, &b->text);
    if (rc == BRK_OK && b->type == BRK_BLOCK_TOOL_USE) {
        rc = s_tool_input(p, b);
    }
    rc = rc == BRK_OK ? s_take(&p->signature, &b->signature) : rc;
    rc = rc == BRK_OK ? s_take(&p->redacted, &b->redacted_content) : rc;
    if (rc == BRK_OK && b->type == BRK_BLOCK_CITATIONS) {
        rc = p->citations ? client_json_dup(p->citations, &b->citations_json) : BRK_OK;
        if (rc == BRK_OK && b->text == NULL) {
            b->text = brk_strdup("");
            rc = b->text ? BRK_OK : BRK_ERR_NOMEM;
        }
    }
    return rc;
}

enum brk_status brk_stream_accumulator_finish(struct brk_stream_accumulator *acc, struct brk_converse_response **out)
{
    *out = NULL;
    enum brk_status rc = acc->failed;
    for (size_t i = 0; rc == BRK_OK && i < acc->resp->message.n_blocks; i++) {
        rc = s_finish_block(&acc->pending[i], &acc->resp->message.blocks[i]);
    }
    s_pending_free(acc);
    if (rc == BRK_OK) {
        struct brk_converse_response *fresh = client_response_new();
        if (fresh == NULL) {
            rc = BRK_ERR_NOMEM;
        } else {
            *out = acc->resp;
            acc->resp = fresh;
        }
    }
    acc->failed = rc;
    return rc;
}
