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

#include <dirent.h>
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

static int s_by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names of `dir`, sorted. */
static char **s_list(const char *dir, size_t *n_out, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "--replay: cannot open the directory %s", dir);
        return NULL;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            char **grown = brk_realloc(names, (n + 1) * sizeof(*names));
            if (!grown) {
                break;
            }
            names = grown;
            names[n++] = brk_strdup(e->d_name);
        }
    }
    closedir(d);
    if (n) {
        qsort(names, n, sizeof(*names), s_by_name);
    }
    *n_out = n;
    return names ? names : brk_calloc(1, sizeof(*names));
}

static enum brk_status s_load_one(struct mock_replayer *r, const char *dir, const char *name, char *err,
                                  size_t err_len)
{
    char path[4096], why[256] = "unreadable";
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct brk_buf text;
    brk_buf_init(&text, MOCK_CASSETTE_MAX_BYTES);
    cJSON *doc = brk_buf_read_file(&text, path) == BRK_OK ? mock_cassette_parse(text.data, text.len, why, sizeof(why))
                                                           : NULL;
    brk_buf_clean_up(&text);
    struct mock_replay_entry *e = &r->entries[r->n];
    if (!doc || mock_replay_entry_init(e, name, doc, (const char *const *)r->ignore, r->n_ignore) != BRK_OK) {
        snprintf(err, err_len, "--replay: %s: %s", path, why);
        cJSON_Delete(doc);
        return BRK_ERR_PARSE;
    }
    r->n++;
    return BRK_OK;
}

static enum brk_status s_load(struct mock_replayer *r, const char *dir, char *err, size_t err_len)
{
    size_t n = 0;
    char **names = s_list(dir, &n, err, err_len);
    if (!names) {
        return BRK_ERR_IO;
    }
    r->entries = brk_calloc(n ? n : 1, sizeof(*r->entries));
    enum brk_status rc = r->entries ? BRK_OK : BRK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        rc = rc == BRK_OK ? s_load_one(r, dir, names[i], err, err_len) : rc;
        brk_free(names[i]);
    }
    brk_free(names);
    if (rc == BRK_OK) {
        brk_log_info("--replay: %zu cassettes from %s", r->n, dir);
    }
    return rc;
}

static void s_replayer_destroy(struct mock_replayer *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        mock_replay_entry_clean_up(&r->entries[i]);
    }
    for (size_t i = 0; i < r->n_ignore; i++) {
        brk_free(r->ignore[i]);
    }
    brk_free(r->entries);
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
    if (s_load(r, cfg->replay_dir, err, err_len) != BRK_OK) {
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
        curl_global_init(CURL_GLOBAL_DEFAULT);
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
    const char *op = mock_op_name(req->op);
    const struct mock_replay_entry *best = NULL;
    size_t best_score = (size_t)-1;
    char where[512] = "", best_where[512] = "";
    for (size_t i = 0; i < r->n; i++) {
        const struct mock_replay_entry *e = &r->entries[i];
        if (strcmp(e->op, op) != 0) {
            continue;
        }
        size_t score = mock_cassette_diff(e->key, key, where, sizeof(where)) + (strcmp(e->model, req->model_id) ? 1000000 : 0);
        if (score < best_score) {
            best_score = score;
            best = e;
            snprintf(best_where, sizeof(best_where), "%s", strcmp(e->model, req->model_id) ? "the model" : where);
        }
    }
    mock_journal_extra_add(resp, "replay_miss", cJSON_CreateString(best ? best->file : ""));
    if (!best) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION,
                             "bedrock-mock --replay: no cassette matches this %s request for model %s, and none "
                             "was recorded for %s.", op, req->model_id, op);
        return;
    }
    mock_response_errorf(resp, BRK_AWS_VALIDATION,
                         "bedrock-mock --replay: no cassette matches this %s request for model %s. Nearest: %s, "
                         "which first differs at %s.", op, req->model_id, best->file, best_where);
}

bool mock_replay_answer(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_replayer *r = mock->replayer;
    if (!r || req->reply_override) {
        return false; /* a rule's scripted reply comes first */
    }
    char *key = mock_cassette_canonical(req->body, req->body_len, (const char *const *)r->ignore, r->n_ignore);
    if (!key) {
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
        return true;
    }
    const struct mock_replay_entry *e = s_find(r, mock_op_name(req->op), req->model_id, key);
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
