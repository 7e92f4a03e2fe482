/*
 * replay.c: --replay DIR. The cassettes are read once at start, in file-name order (the
 * recorder names files by time, so that is recorded order). A request matches a cassette of
 * the same operation and model whose request body is the same canonical JSON, the
 * --replay-ignore paths left out; identical requests take their cassettes in order, and the
 * last one answers again once all have been used. A miss is --replay-miss's: Bedrock's error
 * shape naming the nearest cassette and the first path that differs, or the simulation.
 *
 * Ownership: the replayer owns the cassettes until mock_replay_stop, which runs after the
 * transport has stopped, so a stream being replayed may borrow its events. Thread-safety: the
 * "used" marks are guarded by `lock`; everything else is read-only after start.
 */
#include "mock/replay/replay.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/log.h"
#include "mock/replay/cassette.h"
#include "mock/replay/record_priv.h"
#include "mock/replay/replay_priv.h"

struct mock_replayer {
    struct mock_replay_entry *entries;
    size_t n;
    pthread_mutex_t lock;
    char *ignore[BRK_MOCK_MAX_REPLAY_IGNORE];
    size_t n_ignore;
    bool miss_simulate;
    bool timing_none;
};

static void s_replayer_destroy(struct mock_replayer *r)
{
    if (!r) {
        return;
    }
    mock_replay_entries_free(r->entries, r->n);
    for (size_t i = 0; i < r->n_ignore; i++) {
        brk_free(r->ignore[i]);
    }
    pthread_mutex_destroy(&r->lock);
    brk_free(r);
}

static struct mock_replayer *s_replayer_new(const struct brk_mock_config *cfg, char *err, size_t err_len)
{
    struct mock_replayer *r = brk_calloc(1, sizeof(*r));
    if (!r) {
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    for (size_t i = 0; i < cfg->n_replay_ignore && i < BRK_MOCK_MAX_REPLAY_IGNORE; i++) {
        r->ignore[r->n_ignore++] = brk_strdup(cfg->replay_ignore[i]);
    }
    r->miss_simulate = cfg->replay_miss_simulate;
    r->timing_none = cfg->replay_timing_none;
    if (mock_replay_load(cfg->replay_dir, (const char *const *)r->ignore, r->n_ignore, &r->entries, &r->n, err,
                         err_len) != BRK_OK) {
        s_replayer_destroy(r);
        return NULL;
    }
    return r;
}

enum brk_status mock_replay_start(struct brk_mock *mock, char *err, size_t err_len)
{
    const struct brk_mock_config *cfg = &mock->cfg;
    if (cfg->record_dir && cfg->replay_dir) {
        snprintf(err, err_len, "--record and --replay cannot be used together");
        return BRK_ERR_CONFIG;
    }
    if (cfg->record_dir) {
        mkdir(cfg->record_dir, 0755); /* an existing directory is fine */
        mock->recorder = mock_recorder_new(cfg, err, err_len);
        return mock->recorder ? BRK_OK : BRK_ERR_CONFIG;
    }
    if (cfg->replay_dir) {
        mock->replayer = s_replayer_new(cfg, err, err_len);
        return mock->replayer ? BRK_OK : BRK_ERR_CONFIG;
    }
    return BRK_OK;
}

void mock_replay_stop(struct brk_mock *mock)
{
    mock_recorder_destroy(mock->recorder);
    mock->recorder = NULL;
    s_replayer_destroy(mock->replayer);
    mock->replayer = NULL;
}

/* The first unused cassette matching `key` (the last matching one once all are used). */
static const struct mock_replay_entry *s_find(struct mock_replayer *r, const char *op, const char *model,
                                              const char *key)
{
    struct mock_replay_entry *last = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n; i++) {
        struct mock_replay_entry *e = &r->entries[i];
        if (strcmp(e->op, op) != 0 || strcmp(e->model, model) != 0 || strcmp(e->key, key) != 0) {
            continue;
        }
        last = e;
        if (!e->used) {
            e->used = true;
            break;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return last;
}

/* The cassette closest to a missed request: same operation first, then same model, then the
 * fewest differing leaves. */
static void s_miss(struct mock_replayer *r, const struct mock_request *req, const char *key, struct mock_response *resp)
{
    const char *op = brk_op_name(req->route.op);
    const struct mock_replay_entry *best = NULL;
    size_t best_score = (size_t)-1;
    char where[512] = "", best_where[512] = "";
    for (size_t i = 0; i < r->n; i++) {
        const struct mock_replay_entry *e = &r->entries[i];
        if (strcmp(e->op, op) != 0) {
            continue;
        }
        size_t score = mock_cassette_diff(e->key, key, where, sizeof(where)) +
                       (strcmp(e->model, mock_route_resource(&req->route)) ? 1000000 : 0);
        if (score < best_score) {
            best_score = score;
            best = e;
            snprintf(best_where, sizeof(best_where), "%s",
                     strcmp(e->model, mock_route_resource(&req->route)) ? "the model" : where);
        }
    }
    mock_journal_extra_add(resp, "replay_miss", cJSON_CreateString(best ? best->file : ""));
    if (!best) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION,
                             "bedrock-mock --replay: no cassette matches this %s request for model %s, and none "
                             "was recorded for %s.",
                             op, mock_route_resource(&req->route), op);
        return;
    }
    mock_response_errorf(resp, BRK_AWS_VALIDATION,
                         "bedrock-mock --replay: no cassette matches this %s request for model %s. Nearest: %s, "
                         "which first differs at %s.",
                         op, mock_route_resource(&req->route), best->file, best_where);
}

bool mock_replay_answer(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_replayer *r = mock->replayer;
    if (!r || req->rule.reply) {
        return false; /* a rule's scripted reply comes first */
    }
    char *key = mock_cassette_canonical(req->body, req->body_len, (const char *const *)r->ignore, r->n_ignore);
    if (!key) {
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return true;
    }
    const struct mock_replay_entry *e = s_find(r, brk_op_name(req->route.op), mock_route_resource(&req->route), key);
    bool answered = true;
    if (e) {
        mock_replay_entry_answer(e, !r->timing_none, resp);
        mock_journal_extra_add(resp, "replayed", cJSON_CreateString(e->file));
    } else if (r->miss_simulate) {
        mock_journal_extra_add(resp, "replay_miss", cJSON_CreateString("simulated"));
        answered = false;
    } else {
        s_miss(r, req, key, resp);
    }
    brk_free(key);
    return answered;
}
