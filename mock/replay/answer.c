/* answer.c: a cassette as a response, a recorded stream frame by frame (replay_priv.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock/replay/cassette.h"
#include "mock/replay/record_priv.h"
#include "mock/replay/replay_priv.h"

static char *s_string_dup(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return brk_strdup(cJSON_IsString(v) ? v->valuestring : "");
}

enum brk_status mock_replay_entry_init(struct mock_replay_entry *e, const char *file, cJSON *doc,
                                       const char *const *ignore, size_t n_ignore)
{
    memset(e, 0, sizeof(*e));
    struct brk_buf body;
    brk_buf_init(&body, MOCK_CASSETTE_MAX_BYTES);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(doc, "request");
    enum brk_status rc = mock_cassette_body_bytes(req, "body", &body);
    if (rc == BRK_OK) {
        e->key = mock_cassette_canonical(body.data ? body.data : "", body.len, ignore, n_ignore);
        e->file = brk_strdup(file);
        e->op = s_string_dup(doc, "operation");
        e->model = s_string_dup(doc, "model");
        e->doc = doc;
        rc = e->key && e->file && e->op && e->model ? BRK_OK : BRK_ERR_NOMEM;
    }
    brk_buf_clean_up(&body);
    if (rc != BRK_OK) {
        e->doc = NULL; /* the caller still owns it */
        mock_replay_entry_clean_up(e);
    }
    return rc;
}

void mock_replay_entry_clean_up(struct mock_replay_entry *e)
{
    brk_free(e->file);
    brk_free(e->op);
    brk_free(e->model);
    brk_free(e->key);
    cJSON_Delete(e->doc);
    memset(e, 0, sizeof(*e));
}

struct s_player {
    const cJSON *events; /* borrowed from the cassette */
    const cJSON *next;
    struct brk_buf frame;
    size_t frame_pos;
    int64_t start_us;
    bool timing;
};

/* A recorded time in milliseconds, clamped to a day: a cassette is outside input, and a number
 * like 1e43 must neither overflow the cast (found by fuzzing) nor stall a replay for ever. */
#define S_MAX_PAUSE_MS (24u * 60u * 60u * 1000u)
static uint64_t s_pause_ms(const cJSON *t)
{
    uint64_t ms = brk_json_count(t, 0);
    return ms > S_MAX_PAUSE_MS ? S_MAX_PAUSE_MS : ms;
}

static long s_play(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct s_player *p = ctx;
    if (p->frame_pos >= p->frame.len) {
        if (!p->next) {
            return 0;
        }
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p->next, "t_ms");
        int64_t due_us = p->start_us + (int64_t)s_pause_ms(t) * 1000;
        int64_t wait_ms = (due_us - brk_clock_monotonic_us()) / 1000;
        if (p->timing && wait_ms > 0) {
            brk_clock_sleep_real_ms(wait_ms); /* the recorded pause before this frame */
        }
        brk_buf_reset(&p->frame);
        p->frame_pos = 0;
        if (mock_cassette_event_encode(p->next, &p->frame) != BRK_OK) {
            return -1;
        }
        p->next = p->next->next;
    }
    size_t n = p->frame.len - p->frame_pos < max ? p->frame.len - p->frame_pos : max;
    memcpy(buf, p->frame.data + p->frame_pos, n);
    p->frame_pos += n;
    return (long)n;
}

static void s_player_free(void *ctx)
{
    struct s_player *p = ctx;
    brk_buf_clean_up(&p->frame);
    brk_free(p);
}

static void s_headers(const cJSON *headers, struct mock_response *resp)
{
    const cJSON *h = NULL;
    cJSON_ArrayForEach(h, headers)
    {
        if (!cJSON_IsString(h) || !h->string) {
            continue;
        }
        if (strcasecmp(h->string, "content-type") == 0) {
            snprintf(resp->content_type, sizeof(resp->content_type), "%s", h->valuestring);
        } else if (mock_record_header_passes(h->string)) {
            mock_response_add_header(resp, h->string, h->valuestring);
        }
        if (strcasecmp(h->string, "x-amzn-ErrorType") == 0) {
            char code[128];
            mock_cassette_error_code(h->valuestring, code, sizeof(code));
            resp->error = brk_aws_error_find(code);
        }
    }
}

void mock_replay_entry_answer(const struct mock_replay_entry *e, bool timing, struct mock_response *resp)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(e->doc, "response");
    resp->status = cJSON_GetObjectItemCaseSensitive(r, "status")->valueint;
    resp->content_type[0] = '\0';
    s_headers(cJSON_GetObjectItemCaseSensitive(r, "headers"), resp);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(r, "events");
    struct s_player *p = cJSON_IsArray(events) ? brk_calloc(1, sizeof(*p)) : NULL;
    if (p) {
        p->events = events;
        p->next = events->child;
        brk_buf_init(&p->frame, MOCK_CASSETTE_MAX_BYTES);
        p->start_us = brk_clock_monotonic_us();
        p->timing = timing;
        resp->stream_fn = s_play;
        resp->stream_ctx = p;
        resp->stream_free = s_player_free;
        return;
    }
    brk_buf_reset(&resp->body);
    if (mock_cassette_body_bytes(r, "body", &resp->body) != BRK_OK) {
        brk_buf_reset(&resp->body);
    }
    const cJSON *duration = cJSON_GetObjectItemCaseSensitive(r, "duration_ms");
    resp->fault.delay_ms = timing ? s_pause_ms(duration) : 0;
    if (resp->error) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "body");
        msg = cJSON_GetObjectItemCaseSensitive(msg, "message");
        snprintf(resp->error_message, sizeof(resp->error_message), "%s", cJSON_IsString(msg) ? msg->valuestring : "");
    }
}
