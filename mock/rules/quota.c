/*
 * quota.c: token buckets per account and model (quota.h).
 *
 * Why buckets that refill continuously instead of fixed minute windows: Bedrock's limits
 * are "per minute" but behave as a rolling budget (a burst drains it and capacity returns
 * gradually), and a bucket gives the same answer for the same clock readings, which keeps
 * tests on the virtual clock exact.
 */
#include "mock/rules/quota.h"

#include <fnmatch.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "mock/ops/invoke.h"
#include "mock/model/family.h"
#include "mock/model/reply.h"
#include "common/converse_walk.h"
#include "mock/pipeline/stages.h"

#define S_MAX_OVERRIDES 256
#define S_MAX_BUCKETS 4096
#define S_MINUTE_MS 60000.0
#define S_DAY_MS 86400000.0

struct s_override {
    char model[256]; /* model id or glob */
    struct mock_quota limits;
    bool retry_after; /* send Retry-After / x-amz-retry-after with its throttles */
};

struct s_bucket {
    char account[128];
    const struct mock_model *model;
    double tpm, rpm, tpd; /* available now (may go below 0 after a reconciliation) */
    int64_t last_ms;
};

struct s_limits {
    struct mock_quota q;
    bool retry_after;
    bool overridden;
};

struct mock_quotas {
    pthread_mutex_t lock;
    struct s_override overrides[S_MAX_OVERRIDES];
    size_t n_overrides;
    struct s_override startup[S_MAX_OVERRIDES]; /* the --quota ones, restored by a reset */
    size_t n_startup;
    struct s_bucket *buckets; /* S_MAX_BUCKETS */
    size_t n_buckets;
};

struct mock_quotas *mock_quotas_new(void)
{
    struct mock_quotas *q = calloc(1, sizeof(*q));
    if (!q) {
        return NULL;
    }
    q->buckets = calloc(S_MAX_BUCKETS, sizeof(*q->buckets));
    if (!q->buckets) {
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

void mock_quotas_destroy(struct mock_quotas *quotas)
{
    if (!quotas) {
        return;
    }
    pthread_mutex_destroy(&quotas->lock);
    free(quotas->buckets);
    free(quotas);
}

/* ---- limits ------------------------------------------------------------------------- */

/* An exact override wins over a glob; among globs the first set wins. */
static struct s_limits s_limits_locked(const struct mock_quotas *quotas, const struct mock_model *m)
{
    struct s_limits l = {.q = m->quota};
    const struct s_override *glob = NULL;
    for (size_t i = 0; i < quotas->n_overrides; i++) {
        const struct s_override *o = &quotas->overrides[i];
        if (strcmp(o->model, m->id) == 0) {
            glob = o;
            break;
        }
        if (!glob && fnmatch(o->model, m->id, 0) == 0) {
            glob = o;
        }
    }
    if (glob) {
        l.q = glob->limits;
        l.retry_after = glob->retry_after;
        l.overridden = true;
    }
    return l;
}

static bool s_limited(const struct mock_quota *q)
{
    return q->tokens_per_minute || q->requests_per_minute || q->tokens_per_day;
}

static bool s_u64_member(const cJSON *o, const char *key, uint64_t *out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v && (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15 ||
              floor(v->valuedouble) != v->valuedouble)) {
        snprintf(err, err_len, "\"%s\" must be a whole number >= 0 (0 = unlimited).", key);
        return false;
    }
    *out = v ? (uint64_t)v->valuedouble : 0;
    return true;
}

static bool s_parse_override(const cJSON *o, struct s_override *out, char *err, size_t err_len)
{
    static const char *const keys[] = {"model",          "tokens_per_minute", "requests_per_minute",
                                       "tokens_per_day", "retry_after",       NULL};
    const cJSON *item = NULL;
    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(o)) {
        snprintf(err, err_len, "A quota must be an object.");
        return false;
    }
    cJSON_ArrayForEach(item, o)
    {
        size_t k = 0;
        while (keys[k] && strcmp(keys[k], item->string) != 0) {
            k++;
        }
        if (!keys[k]) {
            snprintf(err, err_len, "Unknown key \"%s\" in a quota.", item->string);
            return false;
        }
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(o, "model");
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(o, "retry_after");
    if ((model && (!cJSON_IsString(model) || !model->valuestring[0] || strlen(model->valuestring) >= 256)) ||
        (ra && !cJSON_IsBool(ra))) {
        snprintf(err, err_len, "\"model\" must be a model id or glob, \"retry_after\" true or false.");
        return false;
    }
    snprintf(out->model, sizeof(out->model), "%s", model ? model->valuestring : "*");
    out->retry_after = cJSON_IsTrue(ra);
    return s_u64_member(o, "tokens_per_minute", &out->limits.tokens_per_minute, err, err_len) &&
           s_u64_member(o, "requests_per_minute", &out->limits.requests_per_minute, err, err_len) &&
           s_u64_member(o, "tokens_per_day", &out->limits.tokens_per_day, err, err_len);
}

static void s_upsert(struct s_override *list, size_t *n, const struct s_override *o)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i].model, o->model) == 0) {
            list[i] = *o;
            return;
        }
    }
    list[(*n)++] = *o;
}

enum brk_status mock_quotas_set_json(struct mock_quotas *quotas, const cJSON *json, bool startup, char *err,
                                     size_t err_len)
{
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(json, "quotas");
    const cJSON *list = cJSON_IsArray(inner) ? inner : json;
    struct s_override parsed[S_MAX_OVERRIDES];
    size_t n = 0;
    if (cJSON_IsObject(list)) {
        if (!s_parse_override(list, &parsed[0], err, err_len)) {
            return BRK_ERR_PARSE;
        }
        n = 1;
    } else {
        const cJSON *item = NULL;
        cJSON_ArrayForEach(item, list)
        {
            if (n == S_MAX_OVERRIDES || !s_parse_override(item, &parsed[n], err, err_len)) {
                if (n == S_MAX_OVERRIDES) {
                    snprintf(err, err_len, "At most %d quotas can be set.", S_MAX_OVERRIDES);
                }
                return BRK_ERR_PARSE;
            }
            n++;
        }
    }
    pthread_mutex_lock(&quotas->lock);
    enum brk_status rc = quotas->n_overrides + n > S_MAX_OVERRIDES ? BRK_ERR_TOO_LARGE : BRK_OK;
    for (size_t i = 0; rc == BRK_OK && i < n; i++) {
        s_upsert(quotas->overrides, &quotas->n_overrides, &parsed[i]);
        if (startup) {
            s_upsert(quotas->startup, &quotas->n_startup, &parsed[i]);
        }
    }
    quotas->n_buckets = rc == BRK_OK ? 0 : quotas->n_buckets; /* new limits start with full buckets */
    pthread_mutex_unlock(&quotas->lock);
    if (rc != BRK_OK) {
        snprintf(err, err_len, "At most %d quotas can be set.", S_MAX_OVERRIDES);
    }
    return rc;
}

/* One "key=value" part of a --quota spec into the JSON object. */
static bool s_spec_part(cJSON *o, const char *part, char *err, size_t err_len)
{
    static const char *const names[][2] = {{"tpm=", "tokens_per_minute"},
                                           {"rpm=", "requests_per_minute"},
                                           {"tpd=", "tokens_per_day"}};
    if (strcmp(part, "retry-after") == 0) {
        cJSON_AddTrueToObject(o, "retry_after");
        return true;
    }
    if (strncmp(part, "model=", 6) == 0) {
        cJSON_AddStringToObject(o, "model", part + 6);
        return true;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *end = NULL;
        if (strncmp(part, names[i][0], 4) == 0) {
            unsigned long long v = strtoull(part + 4, &end, 10);
            if (part[4] >= '0' && part[4] <= '9' && end && !*end) {
                cJSON_AddNumberToObject(o, names[i][1], (double)v);
                return true;
            }
        }
    }
    snprintf(err, err_len, "--quota: \"%s\" is not tpm=N, rpm=N, tpd=N, model=ID or retry-after", part);
    return false;
}

enum brk_status mock_quotas_set_spec(struct mock_quotas *quotas, const char *spec, char *err, size_t err_len)
{
    cJSON *o = cJSON_CreateObject();
    enum brk_status rc = BRK_ERR_PARSE;
    char part[512];
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, ",");
        if (n >= sizeof(part)) {
            snprintf(err, err_len, "--quota: a part is longer than %zu characters", sizeof(part) - 1);
            goto out;
        }
        memcpy(part, p, n);
        part[n] = '\0';
        if (!s_spec_part(o, part, err, err_len)) {
            goto out;
        }
        p += n + (p[n] == ',');
    }
    rc = mock_quotas_set_json(quotas, o, true, err, err_len);
out:
    cJSON_Delete(o);
    return rc;
}

void mock_quotas_reset(struct mock_quotas *quotas)
{
    pthread_mutex_lock(&quotas->lock);
    memcpy(quotas->overrides, quotas->startup, quotas->n_startup * sizeof(quotas->startup[0]));
    quotas->n_overrides = quotas->n_startup;
    quotas->n_buckets = 0;
    pthread_mutex_unlock(&quotas->lock);
}

/* ---- buckets ------------------------------------------------------------------------ */

static double s_refilled(double level, uint64_t capacity, double window_ms, int64_t elapsed_ms)
{
    if (!capacity) {
        return 0;
    }
    double v = level + (double)elapsed_ms * (double)capacity / window_ms;
    return v > (double)capacity ? (double)capacity : v;
}

static void s_refill(struct s_bucket *b, const struct mock_quota *q, int64_t now_ms)
{
    int64_t elapsed = now_ms > b->last_ms ? now_ms - b->last_ms : 0;
    b->tpm = s_refilled(b->tpm, q->tokens_per_minute, S_MINUTE_MS, elapsed);
    b->rpm = s_refilled(b->rpm, q->requests_per_minute, S_MINUTE_MS, elapsed);
    b->tpd = s_refilled(b->tpd, q->tokens_per_day, S_DAY_MS, elapsed);
    b->last_ms = now_ms > b->last_ms ? now_ms : b->last_ms;
}

/* The bucket of account+model, created full; refilled to now_ms. */
static struct s_bucket *s_bucket_locked(struct mock_quotas *quotas, const char *account, const struct mock_model *m,
                                        const struct mock_quota *q, int64_t now_ms)
{
    struct s_bucket *b = NULL;
    for (size_t i = 0; i < quotas->n_buckets && !b; i++) {
        struct s_bucket *c = &quotas->buckets[i];
        b = c->model == m && strcmp(c->account, account) == 0 ? c : NULL;
    }
    if (!b) {
        if (quotas->n_buckets == S_MAX_BUCKETS) {
            /* Thousands of accounts x models is not a test; start over rather than grow. */
            brk_log_warn("quota: %d buckets in use, refilling all", S_MAX_BUCKETS);
            quotas->n_buckets = 0;
        }
        b = &quotas->buckets[quotas->n_buckets++];
        memset(b, 0, sizeof(*b));
        snprintf(b->account, sizeof(b->account), "%s", account);
        b->model = m;
        b->tpm = (double)q->tokens_per_minute;
        b->rpm = (double)q->requests_per_minute;
        b->tpd = (double)q->tokens_per_day;
        b->last_ms = now_ms;
    }
    s_refill(b, q, now_ms);
    return b;
}

/* ---- the stage ---------------------------------------------------------------------- */

/* Tokens a request reserves: its input plus its output limit. InvokeModel's native body is
 * mapped the way the operation maps it; a body that cannot be mapped reserves nothing (the
 * operation answers its error). Returns 0 when nothing is to be reserved. */
static uint64_t s_reservation(const struct mock_request *req)
{
    const struct mock_model *m = req->model.model;
    struct brk_token_profile profile;
    mock_model_token_profile(m, &profile);
    if (brk_op_has(req->route.op, BRK_OPT_CONVERSE_SHAPE)) {
        return mock_request_input_tokens(req) + mock_reply_max_tokens(req->json, m);
    }
    struct mock_response scratch;
    mock_response_init(&scratch);
    const struct mock_native_format *f = NULL;
    cJSON *mapped = mock_invoke_map(m, req->body, req->body_len, &scratch, &f);
    uint64_t out = mapped && f->map != MOCK_MAP_EMBED ? mock_reply_max_tokens(mapped, m) : 0; /* embeddings: none */
    uint64_t cost = mapped ? brk_converse_input_tokens(mapped, &profile) + out : 0;
    cJSON_Delete(mapped);
    mock_response_clean_up(&scratch);
    return cost;
}

struct s_verdict {
    const char *limit; /* which limit refused, NULL = admitted */
    const char *message;
    double wait_ms; /* until the bucket holds enough again */
};

/* Check every limit before taking from any, so a refused request costs nothing. */
static struct s_verdict s_take_locked(struct s_bucket *b, const struct mock_quota *q, uint64_t cost)
{
    struct s_verdict v = {0};
    double need = (double)cost;
    if (q->requests_per_minute && b->rpm < 1) {
        v = (struct s_verdict){"requests_per_minute", MOCK_QUOTA_MSG_REQUESTS,
                               (1 - b->rpm) * S_MINUTE_MS / (double)q->requests_per_minute};
    } else if (q->tokens_per_minute && b->tpm < need) {
        v = (struct s_verdict){"tokens_per_minute", MOCK_QUOTA_MSG_TOKENS,
                               (need - b->tpm) * S_MINUTE_MS / (double)q->tokens_per_minute};
    } else if (q->tokens_per_day && b->tpd < need) {
        v = (struct s_verdict){"tokens_per_day", MOCK_QUOTA_MSG_TOKENS_DAY,
                               (need - b->tpd) * S_DAY_MS / (double)q->tokens_per_day};
    }
    if (!v.limit) {
        b->rpm -= q->requests_per_minute ? 1 : 0;
        b->tpm -= q->tokens_per_minute ? need : 0;
        b->tpd -= q->tokens_per_day ? need : 0;
    }
    return v;
}

static void s_throttle(struct mock_response *resp, const struct s_verdict *v, bool retry_after)
{
    mock_response_error(resp, BRK_AWS_THROTTLING, v->message);
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "throttled", v->limit);
    mock_journal_extra_add(resp, "quota", detail);
    if (retry_after) {
        char value[32];
        double ms = ceil(v->wait_ms);
        snprintf(value, sizeof(value), "%.0f", ceil(ms / 1000.0));
        mock_response_add_header(resp, "Retry-After", value);
        snprintf(value, sizeof(value), "%.0f", ms);
        mock_response_add_header(resp, "x-amz-retry-after", value);
    }
}

bool mock_stage_quota(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!mock->quotas || !brk_op_has(req->route.op, BRK_OPT_QUOTA) || !req->model.model) {
        return true;
    }
    struct mock_quotas *quotas = mock->quotas;
    pthread_mutex_lock(&quotas->lock);
    struct s_limits l = s_limits_locked(quotas, req->model.model);
    pthread_mutex_unlock(&quotas->lock);
    uint64_t cost = s_limited(&l.q) ? s_reservation(req) : 0;
    if (!cost) {
        return true;
    }
    int64_t now = brk_clock_now_ms(mock->clock);
    pthread_mutex_lock(&quotas->lock);
    l = s_limits_locked(quotas, req->model.model);
    struct s_verdict v = {0};
    if (s_limited(&l.q)) {
        v = s_take_locked(s_bucket_locked(quotas, req->account, req->model.model, &l.q, now), &l.q, cost);
        req->quota.reserved_tokens = v.limit ? 0 : cost;
    }
    pthread_mutex_unlock(&quotas->lock);
    if (v.limit) {
        s_throttle(resp, &v, l.retry_after);
        return false;
    }
    return true;
}

/* Tokens the answer counts against the quota. Cache reads are reserved but released at
 * settlement; cache writes count as input. */
static uint64_t s_used(const struct mock_request *req, const struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    uint64_t burndown = m && m->output_burndown ? m->output_burndown : 1;
    const struct mock_usage_report *u = &resp->usage;
    return u->known && !resp->error ? u->input_tokens + u->cache_write_tokens + u->output_tokens * burndown : 0;
}

void mock_quota_settle(struct brk_mock *mock, const struct mock_request *req, struct mock_response *resp)
{
    uint64_t reserved = req->quota.reserved_tokens;
    if (!reserved || !mock->quotas) {
        return;
    }
    struct mock_quotas *quotas = mock->quotas;
    uint64_t used = s_used(req, resp);
    double delta = (double)used - (double)reserved;
    int64_t now = brk_clock_now_ms(mock->clock);
    pthread_mutex_lock(&quotas->lock);
    struct s_limits l = s_limits_locked(quotas, req->model.model);
    if (s_limited(&l.q)) {
        struct s_bucket *b = s_bucket_locked(quotas, req->account, req->model.model, &l.q, now);
        b->tpm = l.q.tokens_per_minute ? fmin(b->tpm - delta, (double)l.q.tokens_per_minute) : 0;
        b->tpd = l.q.tokens_per_day ? fmin(b->tpd - delta, (double)l.q.tokens_per_day) : 0;
    }
    pthread_mutex_unlock(&quotas->lock);
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddNumberToObject(detail, "reserved", (double)reserved);
    cJSON_AddNumberToObject(detail, "used", (double)used);
    mock_journal_extra_add(resp, "quota", detail);
}

/* ---- JSON view ---------------------------------------------------------------------- */

static cJSON *s_limits_json(const char *model, const struct mock_quota *q, bool retry_after)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddNumberToObject(o, "tokens_per_minute", (double)q->tokens_per_minute);
    cJSON_AddNumberToObject(o, "requests_per_minute", (double)q->requests_per_minute);
    cJSON_AddNumberToObject(o, "tokens_per_day", (double)q->tokens_per_day);
    cJSON_AddBoolToObject(o, "retry_after", retry_after);
    return o;
}

static cJSON *s_bucket_json(const struct s_bucket *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "account", b->account);
    cJSON_AddStringToObject(o, "model", b->model->id);
    cJSON_AddNumberToObject(o, "tokens_per_minute_available", floor(b->tpm));
    cJSON_AddNumberToObject(o, "requests_per_minute_available", floor(b->rpm));
    cJSON_AddNumberToObject(o, "tokens_per_day_available", floor(b->tpd));
    return o;
}

cJSON *mock_quotas_to_json(struct mock_quotas *quotas, const struct mock_catalog *catalog, int64_t now_ms)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *limits = cJSON_AddArrayToObject(root, "quotas");
    cJSON *overrides = cJSON_AddArrayToObject(root, "overrides");
    cJSON *buckets = cJSON_AddArrayToObject(root, "buckets");
    pthread_mutex_lock(&quotas->lock);
    for (size_t i = 0; i < catalog->n_models; i++) {
        struct s_limits l = s_limits_locked(quotas, &catalog->models[i]);
        if (s_limited(&l.q)) {
            cJSON *o = s_limits_json(catalog->models[i].id, &l.q, l.retry_after);
            cJSON_AddStringToObject(o, "source", l.overridden ? "override" : "catalogue");
            cJSON_AddItemToArray(limits, o);
        }
    }
    for (size_t i = 0; i < quotas->n_overrides; i++) {
        const struct s_override *o = &quotas->overrides[i];
        cJSON_AddItemToArray(overrides, s_limits_json(o->model, &o->limits, o->retry_after));
    }
    for (size_t i = 0; i < quotas->n_buckets; i++) {
        struct s_bucket *b = &quotas->buckets[i];
        struct s_limits l = s_limits_locked(quotas, b->model);
        s_refill(b, &l.q, now_ms);
        cJSON_AddItemToArray(buckets, s_bucket_json(b));
    }
    pthread_mutex_unlock(&quotas->lock);
    return root;
}
