/* es_events.c: see es_events.h. */
#include "tests/support/es_events.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/eventstream.h"
#include "common/base64.h"

static void s_record(const struct brk_es_message *m, struct th_event *e)
{
    memset(e, 0, sizeof(*e));
    brk_es_message_string(m, ":message-type", e->message_type, sizeof(e->message_type));
    if (!brk_es_message_string(m, ":event-type", e->type, sizeof(e->type))) {
        brk_es_message_string(m, ":exception-type", e->type, sizeof(e->type));
    }
    for (size_t i = 0; i < m->n_headers; i++) {
        size_t used = strlen(e->header_order);
        snprintf(e->header_order + used, sizeof(e->header_order) - used, "%s%.*s", i ? "," : "",
                 (int)m->headers[i].name_len, m->headers[i].name);
    }
    e->payload = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);
}

void th_events_decode(const char *body, size_t len, struct th_events *out)
{
    memset(out, 0, sizeof(*out));
    struct brk_es_decoder dec;
    brk_es_decoder_init(&dec);
    struct brk_es_message *m = calloc(1, sizeof(*m));
    out->end = brk_es_decoder_feed(&dec, body, len);
    while (out->end == BRK_OK && out->n < TH_MAX_EVENTS) {
        out->end = brk_es_decoder_next(&dec, m);
        if (out->end == BRK_OK) {
            s_record(m, &out->ev[out->n++]);
        }
    }
    out->trailing = brk_es_decoder_pending(&dec);
    if (out->end == BRK_ERR_INCOMPLETE && out->trailing == 0) {
        out->end = BRK_OK;
    }
    free(m);
    brk_es_decoder_clean_up(&dec);
}

char *th_events_join(const struct th_events *evs, int index, const char *member, const char *field)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 24);
    for (size_t i = 0; i < evs->n; i++) {
        const cJSON *p = evs->ev[i].payload;
        if (strcmp(evs->ev[i].type, "contentBlockDelta") != 0 ||
            cJSON_GetObjectItem(p, "contentBlockIndex")->valueint != index) {
            continue;
        }
        const cJSON *d = cJSON_GetObjectItem(p, "delta");
        if (member) {
            d = cJSON_GetObjectItem(d, member);
        }
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(d, field));
        if (s) {
            brk_buf_append_str(&b, s);
        }
    }
    return brk_buf_detach(&b, NULL);
}

void th_events_free(struct th_events *evs)
{
    for (size_t i = 0; i < evs->n; i++) {
        cJSON_Delete(evs->ev[i].payload);
    }
    evs->n = 0;
}

size_t th_invoke_chunks(const char *body, size_t len, cJSON **out, size_t max)
{
    struct th_events *e = calloc(1, sizeof(*e));
    th_events_decode(body, len, e);
    cr_assert_eq(e->end, BRK_OK);
    size_t n = 0;
    for (size_t i = 0; i < e->n && n < max; i++) {
        cr_assert_str_eq(e->ev[i].type, "chunk");
        const char *b64 = cJSON_GetObjectItem(e->ev[i].payload, "bytes")->valuestring;
        struct brk_buf raw;
        brk_buf_init(&raw, 1u << 20);
        cr_assert_eq(brk_base64_decode(b64, strlen(b64), &raw), BRK_OK);
        out[n++] = cJSON_ParseWithLength(raw.data, raw.len);
        brk_buf_clean_up(&raw);
    }
    th_events_free(e);
    free(e);
    return n;
}
