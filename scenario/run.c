/*
 * run.c: running one scenario (`bedrock-scenario run`): a fresh embedded mock (or the
 * --endpoint), a libbedrock client sharing the mock's virtual clock, each step in order, each
 * step's expectations, then the top-level expect over the whole journal.
 *
 * A step's journal: the newest journal seq is read after every step, so the next step's entries
 * are those with a greater seq (scn_journal_since). Retry delays come from the client's
 * on_attempt callback; the virtual time a step took is the shared clock's move.
 *
 * Ownership: the result belongs to the caller (scn_result_clean_up). Thread-safety: one thread
 * runs one scenario; scenarios run in parallel share nothing but the read-only tree.
 */
#include <stdio.h>
#include <string.h>

#include "bedrock/cache_points.h"
#include "common/alloc.h"
#include "common/json.h"
#include "scenario/scenario.h"

#define S_MAX_BODY_BYTES (32u << 20)

struct s_run {
    const struct scenario *sc;
    const struct scn_run_opts *opts;
    struct scn_mock mock;
    bool embedded;
    const char *url; /* the mock's, or the endpoint */
    struct brk_client *client;
    struct brk_cache_settings cache;
    bool has_cache;
    uint64_t journal_seq;
    cJSON *delays; /* the current call's retry delays (borrowed from its observation) */
};

uint64_t scn_seed(const struct scenario *sc, const struct scn_run_opts *opts)
{
    const cJSON *seed = brk_json_get(brk_json_get(sc->root, "mock"), "seed");
    if (seed) {
        return brk_json_count(seed, 1);
    }
    return opts && opts->has_seed ? opts->seed : 1;
}

/* ---- the client ---------------------------------------------------------------------------- */

static void s_on_attempt(const struct brk_retry_attempt *a, void *user)
{
    struct s_run *run = user;
    if (a->decision == BRK_RETRY_AGAIN && run->delays) {
        cJSON_AddItemToArray(run->delays, cJSON_CreateNumber((double)a->delay_ms));
    }
}

static enum brk_retry_mode s_retry_mode(const cJSON *retry)
{
    const cJSON *mode = brk_json_get(retry, "mode");
    if (!cJSON_IsString(mode)) {
        return BRK_RETRY_LEGACY;
    }
    return strcmp(mode->valuestring, "standard") == 0   ? BRK_RETRY_STANDARD
           : strcmp(mode->valuestring, "adaptive") == 0 ? BRK_RETRY_ADAPTIVE
                                                        : BRK_RETRY_LEGACY;
}

static enum brk_status s_client_new(struct s_run *run, char *err, size_t err_len)
{
    const cJSON *client = brk_json_get(run->sc->root, "client"), *retry = brk_json_get(client, "retry");
    const cJSON *region = brk_json_get(client, "region");
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.region = cJSON_IsString(region) ? region->valuestring : "us-east-1";
    cfg.endpoint = run->url;
    struct scn_auth auth;
    scn_auth_of(run->sc, &auth);
    if (run->embedded || brk_json_get(client, "auth")) {
        cfg.bearer_token = auth.api_key;
        cfg.access_key_id = auth.access_key_id;
        cfg.secret_access_key = auth.secret_access_key;
        cfg.session_token = auth.session_token;
    }
    cfg.clock = run->embedded ? run->mock.clock : NULL;
    cfg.ignore_environment = run->embedded; /* hermetic: the same scenario means the same on every machine */
    cfg.retry.mode = s_retry_mode(retry);
    cfg.retry.max_attempts = (unsigned)brk_json_count(brk_json_get(retry, "max_attempts"), 0);
    cfg.retry.seed = brk_json_count(brk_json_get(retry, "seed"), scn_seed(run->sc, run->opts));
    cfg.retry.on_attempt = s_on_attempt;
    cfg.retry.on_attempt_user = run;
    struct brk_error e;
    enum brk_status rc = brk_client_new(&cfg, &run->client, &e);
    if (rc != BRK_OK) {
        snprintf(err, err_len, "the client: %.900s", e.message);
    }
    run->has_cache = scn_cache_settings(client, &run->cache);
    return rc;
}

/* ---- a call ----------------------------------------------------------------------------------- */

struct s_stream {
    cJSON *names;
    struct brk_stream_accumulator *acc;
    cJSON *raw; /* the messageStop and metadata payloads as received, merged */
};

/* Copy src's members into dst, replacing those of the same name. */
static void s_merge(cJSON *dst, const cJSON *src)
{
    for (const cJSON *m = dst && src ? src->child : NULL; m; m = m->next) {
        cJSON_DeleteItemFromObjectCaseSensitive(dst, m->string);
        cJSON_AddItemToObject(dst, m->string, cJSON_Duplicate(m, true));
    }
}

/* Keep the payload's members as sent: the accumulator's struct lacks some (usage.cacheDetails). */
static void s_keep_payload(const struct brk_stream_event *ev, cJSON *raw)
{
    cJSON *payload = ev->payload_json ? cJSON_ParseWithLength(ev->payload_json, ev->payload_len) : NULL;
    s_merge(raw, payload);
    cJSON_Delete(payload);
}

static int s_on_event(const struct brk_stream_event *ev, void *user)
{
    struct s_stream *s = user;
    cJSON_AddItemToArray(s->names, cJSON_CreateString(ev->event_type ? ev->event_type : "?"));
    if (ev->type == BRK_EVENT_METADATA || ev->type == BRK_EVENT_MESSAGE_STOP) {
        s_keep_payload(ev, s->raw);
    }
    return brk_stream_accumulator_on_event(ev, s->acc);
}

/* The stream's answer: the accumulator's message, with stopReason, usage, metrics, trace and
 * the rest exactly as the messageStop and metadata events carried them. */
static cJSON *s_stream_answer(const struct brk_converse_response *resp, const cJSON *raw)
{
    cJSON *out = scn_response_json(resp);
    s_merge(out, raw);
    return out;
}

static void s_stream_call(struct s_run *run, const char *model, const struct brk_buf *body, struct scn_observed *obs)
{
    struct s_stream s = {.names = cJSON_CreateArray(), .acc = NULL, .raw = cJSON_CreateObject()};
    obs->status = brk_stream_accumulator_new(&s.acc);
    if (obs->status == BRK_OK) {
        obs->status = brk_converse_stream(run->client, model, body->data, body->len, s_on_event, &s, &obs->err);
    }
    struct brk_converse_response *resp = NULL;
    if (obs->status == BRK_OK && brk_stream_accumulator_finish(s.acc, &resp) == BRK_OK) {
        obs->response = s_stream_answer(resp, s.raw);
    }
    brk_converse_response_destroy(resp);
    brk_stream_accumulator_destroy(s.acc);
    cJSON_Delete(s.raw);
    obs->events = s.names;
}

static void s_send(struct s_run *run, const char *op, const char *model, const struct brk_buf *body,
                   struct scn_observed *obs)
{
    if (strcmp(op, "converse_stream") == 0) {
        s_stream_call(run, model, body, obs);
    } else if (strcmp(op, "count_tokens") == 0) {
        uint64_t n = 0;
        obs->status = brk_count_tokens(run->client, model, body->data, body->len, &n, &obs->err);
        if (obs->status == BRK_OK) {
            obs->response = cJSON_CreateObject();
            cJSON_AddNumberToObject(obs->response, "inputTokens", (double)n);
        }
    } else {
        struct brk_converse_response *resp = NULL;
        obs->status = brk_converse(run->client, model, body->data, body->len, &resp, &obs->err);
        obs->response = resp && resp->raw_json ? cJSON_Parse(resp->raw_json) : NULL; /* as the service sent it */
        brk_converse_response_destroy(resp);
    }
    brk_client_last_call(run->client, &obs->stats);
}

static void s_call_step(struct s_run *run, const cJSON *step, const char *op, struct scn_step_result *res)
{
    const cJSON *call = brk_json_get(step, op);
    const char *model = brk_json_get(call, "model")->valuestring;
    struct scn_observed obs;
    memset(&obs, 0, sizeof(obs));
    brk_error_clear(&obs.err);
    obs.delays_ms = cJSON_CreateArray();
    run->delays = obs.delays_ms;
    cJSON *body = scn_call_body(call);
    struct brk_buf text;
    brk_buf_init(&text, S_MAX_BODY_BYTES);
    obs.status = scn_call_text(op, model, body, run->has_cache ? &run->cache : NULL, &text, &obs.err);
    cJSON_Delete(body);
    int64_t t0 = run->embedded ? brk_clock_now_ms(run->mock.clock) : 0;
    if (obs.status == BRK_OK) {
        obs.sent_body = cJSON_ParseWithLength(text.data, text.len);
        s_send(run, op, model, &text, &obs);
    }
    obs.have_virtual_clock = run->embedded && brk_clock_mode(run->mock.clock) == BRK_CLOCK_VIRTUAL;
    obs.elapsed_ms = run->embedded ? brk_clock_now_ms(run->mock.clock) - t0 : 0;
    char err[512] = "";
    if (run->embedded &&
        !(obs.journal = scn_journal_since(run->url, run->journal_seq, &run->journal_seq, err, sizeof(err)))) {
        scn_step_fail(res, "%s", err);
    }
    scn_expect_call(brk_json_get(step, "expect"), &obs, res);
    run->delays = NULL;
    brk_buf_clean_up(&text);
    scn_observed_clean_up(&obs);
}

/* ---- mock actions ------------------------------------------------------------------------------ */

static enum brk_status s_remove_rules(struct s_run *run, const cJSON *ids, char *err, size_t err_len)
{
    if (cJSON_IsString(ids)) {
        return scn_mock_action(run->url, "DELETE", "/_mock/rules", NULL, err, err_len);
    }
    enum brk_status rc = BRK_OK;
    char path[512];
    for (const cJSON *id = ids->child; id && rc == BRK_OK; id = id->next) {
        snprintf(path, sizeof(path), "/_mock/rules/%s", id->valuestring);
        rc = scn_mock_action(run->url, "DELETE", path, NULL, err, err_len);
    }
    return rc;
}

static enum brk_status s_action(struct s_run *run, const cJSON *step, const char *action, char *err, size_t err_len)
{
    const cJSON *v = brk_json_get(step, action);
    if (strcmp(action, "advance_clock_ms") == 0) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddNumberToObject(doc, "advance_ms", v->valuedouble);
        enum brk_status rc = scn_mock_action(run->url, "POST", "/_mock/clock", doc, err, err_len);
        cJSON_Delete(doc);
        return rc;
    }
    if (strcmp(action, "add_rules") == 0) {
        return scn_mock_action(run->url, "POST", "/_mock/rules", v, err, err_len);
    }
    if (strcmp(action, "remove_rules") == 0) {
        return s_remove_rules(run, v, err, err_len);
    }
    if (strcmp(action, "set_quotas") == 0) {
        return scn_mock_action(run->url, "PUT", "/_mock/quotas", v, err, err_len);
    }
    if (strcmp(action, "clear_cache") == 0) {
        return scn_mock_action(run->url, "DELETE", "/_mock/cache", NULL, err, err_len);
    }
    enum brk_status rc = scn_mock_action(run->url, "POST", "/_mock/reset", NULL, err, err_len);
    run->journal_seq = 0; /* an emptied journal numbers its entries from 1 again */
    return rc == BRK_OK ? scn_mock_setup(run->sc, run->url, err, err_len) : rc;
}

static void s_action_step(struct s_run *run, const cJSON *step, const char *action, struct scn_step_result *res)
{
    if (!run->embedded) {
        res->outcome = SCN_SKIP;
        scn_step_note(res, "%s: skipped: a mock action needs the embedded mock (not run with --endpoint)", action);
        return;
    }
    char err[1024] = "";
    if (s_action(run, step, action, err, sizeof(err)) != BRK_OK) {
        scn_step_fail(res, "%s: %s", action, err);
    }
}

/* ---- the scenario ----------------------------------------------------------------------------- */

static void s_label(const cJSON *step, int i, const char *action, char *out, size_t out_len)
{
    const cJSON *name = brk_json_get(step, "name");
    snprintf(out, out_len, "steps[%d] \"%s\"", i, cJSON_IsString(name) ? name->valuestring : action);
}

static void s_steps(struct s_run *run, struct scn_result *out)
{
    const cJSON *steps = brk_json_get(run->sc->root, "steps");
    int i = 0;
    for (const cJSON *step = steps ? steps->child : NULL; step; step = step->next, i++) {
        int n = 0;
        const char *action = scn_step_action(step, &n);
        char label[512];
        s_label(step, i, action, label, sizeof(label));
        struct scn_step_result *res = scn_result_add_step(out, label);
        if (!res) {
            out->outcome = SCN_FAIL;
            return;
        }
        if (scn_action_is_call(action)) {
            s_call_step(run, step, action, res);
        } else {
            s_action_step(run, step, action, res);
        }
    }
}

static void s_top(struct s_run *run, struct scn_result *out)
{
    const cJSON *expect = brk_json_get(run->sc->root, "expect");
    struct scn_step_result *res = expect ? scn_result_add_step(out, "expect") : NULL;
    if (!res) {
        return;
    }
    if (!run->embedded) {
        res->outcome = SCN_SKIP;
        scn_step_note(res, "expect: skipped: the top-level expect reads the mock's journal (not with --endpoint)");
        return;
    }
    char err[512] = "";
    uint64_t seq = 0;
    cJSON *all = scn_journal_since(run->url, 0, &seq, err, sizeof(err));
    if (!all) {
        scn_step_fail(res, "%s", err);
        return;
    }
    scn_expect_top(expect, all, res);
    cJSON_Delete(all);
}

static enum scn_outcome s_outcome(const struct scn_result *r)
{
    size_t skipped = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        if (r->steps[i].outcome == SCN_FAIL) {
            return SCN_FAIL;
        }
        skipped += r->steps[i].outcome == SCN_SKIP;
    }
    return r->error ? SCN_FAIL : skipped == r->n_steps ? SCN_SKIP : SCN_PASS;
}

void scn_run(const struct scenario *sc, const struct scn_run_opts *opts, struct scn_result *out)
{
    memset(out, 0, sizeof(*out));
    out->sc = sc;
    int64_t t0 = brk_clock_monotonic_ms();
    if (!brk_json_get(sc->root, "steps")) {
        out->outcome = SCN_SKIP;
        out->error = brk_strdup("no steps: an exec/check scenario (bedrock-scenario exec or check)");
        return;
    }
    struct s_run run = {.sc = sc, .opts = opts, .embedded = !opts->endpoint, .url = opts->endpoint};
    char err[1024] = "";
    enum brk_status rc = BRK_OK;
    if (run.embedded) {
        rc = scn_mock_start(sc, scn_seed(sc, opts), 0, SCN_RUN_CLOCK_START_MS, &run.mock, err, sizeof(err));
        run.url = run.mock.url;
    }
    if (rc == BRK_OK) {
        rc = s_client_new(&run, err, sizeof(err));
    }
    if (rc == BRK_OK) {
        s_steps(&run, out);
        s_top(&run, out);
    } else {
        out->error = brk_strdup(err);
    }
    brk_client_destroy(run.client);
    if (run.embedded) {
        scn_mock_stop(&run.mock);
    }
    out->outcome = s_outcome(out);
    out->wall_ms = brk_clock_monotonic_ms() - t0;
}
