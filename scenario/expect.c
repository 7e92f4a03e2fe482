/*
 * expect.c: checking expectations (docs/scenarios.md, "expect of a call", "Journal
 * expectations", "Top-level expect") against what a call produced and what the mock's journal
 * recorded. Each failed expectation adds one line to the step's result: where it is in the file
 * (expect.usage.inputTokens), what was expected and what came. Expectations that need the mock
 * when there is none are noted as skipped, never silently passed.
 *
 * Thread-safe: reads its inputs only.
 */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "scenario/scenario.h"

#define S_WHY_LEN 600

/* One matcher against one value: a failure line when it does not hold. */
static void s_check(struct scn_step_result *res, const char *where, const cJSON *matcher, const cJSON *actual)
{
    char why[S_WHY_LEN];
    if (!scn_match(matcher, actual, why, sizeof(why))) {
        scn_step_fail(res, "%s: %s", where, why);
    }
}

/* A number made into a temporary JSON value for a matcher. */
static void s_check_number(struct scn_step_result *res, const char *where, const cJSON *matcher, double value)
{
    cJSON *n = cJSON_CreateNumber(value);
    s_check(res, where, matcher, n);
    cJSON_Delete(n);
}

static void s_pointer_map(struct scn_step_result *res, const char *where, const cJSON *map, const cJSON *doc)
{
    char at[512];
    for (const cJSON *m = map ? map->child : NULL; m; m = m->next) {
        snprintf(at, sizeof(at), "%s[\"%s\"]", where, m->string);
        s_check(res, at, m, scn_pointer(doc, m->string));
    }
}

/* An array of matchers against an array of values: the lengths, then each element. */
static void s_each(struct scn_step_result *res, const char *where, const cJSON *matchers, const cJSON *values)
{
    int want = cJSON_GetArraySize(matchers), got = cJSON_GetArraySize(values);
    char brief[300], at[512];
    if (want != got) {
        scn_json_brief(values, brief, sizeof(brief));
        scn_step_fail(res, "%s: expected %d element%s, got %d: %s", where, want, want == 1 ? "" : "s", got, brief);
        return;
    }
    int i = 0;
    for (const cJSON *m = matchers->child; m; m = m->next, i++) {
        snprintf(at, sizeof(at), "%s[%d]", where, i);
        s_check(res, at, m, cJSON_GetArrayItem(values, i));
    }
}

/* ---- the journal ------------------------------------------------------------------------- */

/* Each entry's `name` member (entries without it skipped when `skip_missing`). */
static cJSON *s_column(const cJSON *entries, const char *name, const char *alt)
{
    cJSON *out = cJSON_CreateArray();
    for (const cJSON *e = entries ? entries->child : NULL; e; e = e->next) {
        const cJSON *v = brk_json_get(e, name);
        v = (!v || cJSON_IsNull(v)) && alt ? brk_json_get(e, alt) : v;
        if (v && !cJSON_IsNull(v)) {
            cJSON_AddItemToArray(out, cJSON_Duplicate(v, true));
        }
    }
    return out;
}

static cJSON *s_attempts_per_invocation(const cJSON *entries)
{
    cJSON *ids = cJSON_CreateArray(), *counts = cJSON_CreateArray();
    for (const cJSON *e = entries ? entries->child : NULL; e; e = e->next) {
        const cJSON *id = brk_json_get(e, "invocation_id");
        int slot = -1, i = 0;
        for (const cJSON *k = ids->child; cJSON_IsString(id) && k; k = k->next, i++) {
            slot = cJSON_IsString(k) && strcmp(k->valuestring, id->valuestring) == 0 ? i : slot;
        }
        if (slot < 0) {
            cJSON_AddItemToArray(ids, cJSON_IsString(id) ? cJSON_CreateString(id->valuestring) : cJSON_CreateNull());
            cJSON_AddItemToArray(counts, cJSON_CreateNumber(1));
        } else {
            cJSON *c = cJSON_GetArrayItem(counts, slot);
            cJSON_SetNumberValue(c, c->valuedouble + 1);
        }
    }
    cJSON_Delete(ids);
    return counts;
}

static const cJSON *s_last_cache_points(const cJSON *entries)
{
    const cJSON *found = NULL;
    for (const cJSON *e = entries ? entries->child : NULL; e; e = e->next) {
        const cJSON *points = brk_json_get(brk_json_get(e, "cache"), "points");
        found = points ? points : found;
    }
    return found;
}

/* An array of objects whose members are matchers against an array of objects: the lengths,
 * then each member of each. */
static void s_objects(struct scn_step_result *res, const char *where, const cJSON *want, const cJSON *got)
{
    int n_want = cJSON_GetArraySize(want), n_got = cJSON_GetArraySize(got);
    char brief[400], at[512];
    if (n_want != n_got) {
        scn_json_brief(got, brief, sizeof(brief));
        scn_step_fail(res, "%s: expected %d cache point%s, got %d: %s", where, n_want, n_want == 1 ? "" : "s", n_got,
                      brief);
        return;
    }
    int i = 0;
    for (const cJSON *w = want->child; w; w = w->next, i++) {
        const cJSON *p = cJSON_GetArrayItem(got, i);
        for (const cJSON *m = w->child; m; m = m->next) {
            snprintf(at, sizeof(at), "%s[%d].%s", where, i, m->string);
            s_check(res, at, m, brk_json_get(p, m->string));
        }
    }
}

static void s_journal_lists(const cJSON *jexp, const cJSON *entries, const char *where, struct scn_step_result *res)
{
    char at[512];
    static const char *const lists[][3] = {{"statuses", "status", NULL}, {"rules_fired", "rule", "rule_id"}};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const cJSON *want = brk_json_get(jexp, lists[i][0]);
        if (want) {
            cJSON *got = s_column(entries, lists[i][1], lists[i][2]);
            snprintf(at, sizeof(at), "%s.%s", where, lists[i][0]);
            s_check(res, at, want, got);
            cJSON_Delete(got);
        }
    }
    const cJSON *apm = brk_json_get(jexp, "attempts_per_invocation");
    if (apm) {
        cJSON *got = s_attempts_per_invocation(entries);
        snprintf(at, sizeof(at), "%s.attempts_per_invocation", where);
        s_each(res, at, apm, got);
        cJSON_Delete(got);
    }
}

void scn_expect_journal(const cJSON *jexp, const cJSON *entries, const char *where, struct scn_step_result *res)
{
    char at[512];
    const cJSON *requests = brk_json_get(jexp, "requests");
    if (requests) {
        snprintf(at, sizeof(at), "%s.requests", where);
        s_check_number(res, at, requests, cJSON_GetArraySize(entries));
    }
    s_journal_lists(jexp, entries, where, res);
    const cJSON *cache = brk_json_get(jexp, "cache");
    if (cache) {
        snprintf(at, sizeof(at), "%s.cache", where);
        s_objects(res, at, cache, s_last_cache_points(entries));
    }
    const cJSON *list = brk_json_get(jexp, "entries");
    if (list) {
        int want = cJSON_GetArraySize(list), got = cJSON_GetArraySize(entries), i = 0;
        snprintf(at, sizeof(at), "%s.entries", where);
        if (want != got) {
            scn_step_fail(res, "%s: expected %d entr%s, got %d", at, want, want == 1 ? "y" : "ies", got);
        }
        for (const cJSON *m = list->child; m && want == got; m = m->next, i++) {
            snprintf(at, sizeof(at), "%s.entries[%d]", where, i);
            s_pointer_map(res, at, m, cJSON_GetArrayItem(entries, i));
        }
    }
    const cJSON *last = brk_json_get(jexp, "last");
    if (last) {
        snprintf(at, sizeof(at), "%s.last", where);
        s_pointer_map(res, at, last, cJSON_GetArrayItem(entries, cJSON_GetArraySize(entries) - 1));
    }
}

/* ---- what was sent -------------------------------------------------------------------------- */

static void s_add_point(cJSON *out, const cJSON *block, const char *at)
{
    const cJSON *cp = brk_json_get(block, "cachePoint");
    if (!cp) {
        return;
    }
    const cJSON *ttl = brk_json_get(cp, "ttl");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "at", at);
    cJSON_AddItemToObject(p, "ttl", cJSON_IsString(ttl) ? cJSON_CreateString(ttl->valuestring) : cJSON_CreateNull());
    cJSON_AddItemToArray(out, p);
}

/* Every cache point of a Converse body (CountTokens' wrapped one too), in the order
 * toolConfig.tools, system, messages, with the journal's location names. */
static cJSON *s_sent_points(const cJSON *body)
{
    const cJSON *inner = brk_json_get(brk_json_get(body, "input"), "converse");
    body = inner ? inner : body;
    cJSON *out = cJSON_CreateArray();
    char at[128];
    int i = 0;
    for (const cJSON *t = brk_json_get(brk_json_get(body, "toolConfig"), "tools"), *b = t ? t->child : NULL; b;
         b = b->next, i++) {
        snprintf(at, sizeof(at), "toolConfig.tools[%d]", i);
        s_add_point(out, b, at);
    }
    i = 0;
    for (const cJSON *s = brk_json_get(body, "system"), *b = s ? s->child : NULL; b; b = b->next, i++) {
        snprintf(at, sizeof(at), "system[%d]", i);
        s_add_point(out, b, at);
    }
    i = 0;
    for (const cJSON *m = brk_json_get(body, "messages"), *msg = m ? m->child : NULL; msg; msg = msg->next, i++) {
        int j = 0;
        for (const cJSON *c = brk_json_get(msg, "content"), *b = c ? c->child : NULL; b; b = b->next, j++) {
            snprintf(at, sizeof(at), "messages[%d].content[%d]", i, j);
            s_add_point(out, b, at);
        }
    }
    return out;
}

void scn_expect_sent(const cJSON *sexp, const cJSON *body, const char *where, struct scn_step_result *res)
{
    char at[512];
    if (!body) {
        scn_step_note(res, "%s: skipped: the body sent is not known (the journal keeps no request bodies)", where);
        return;
    }
    const cJSON *points = brk_json_get(sexp, "cache_points");
    if (points) {
        cJSON *got = s_sent_points(body);
        snprintf(at, sizeof(at), "%s.cache_points", where);
        s_objects(res, at, points, got);
        cJSON_Delete(got);
    }
    snprintf(at, sizeof(at), "%s.body", where);
    s_pointer_map(res, at, brk_json_get(sexp, "body"), body);
}

/* ---- a call ----------------------------------------------------------------------------- */

/* The failure's kind: "service", "transport", ... (BRK_ERR_SERVICE -> "service"). */
static void s_kind(enum brk_status status, char *out, size_t out_len)
{
    const char *name = brk_status_name(status);
    name += strncmp(name, "BRK_ERR_", 8) == 0 ? 8 : strncmp(name, "BRK_", 4) == 0 ? 4 : 0;
    size_t i = 0;
    for (; name[i] && i + 1 < out_len; i++) {
        out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
    }
    out[i] = '\0';
}

static cJSON *s_error_json(const struct scn_observed *obs)
{
    char kind[40];
    s_kind(obs->status, kind, sizeof(kind));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", obs->err.code);
    cJSON_AddStringToObject(o, "message", obs->err.message);
    cJSON_AddNumberToObject(o, "status", obs->err.http_status);
    cJSON_AddStringToObject(o, "kind", kind);
    return o;
}

static void s_error(const cJSON *want, const struct scn_observed *obs, struct scn_step_result *res)
{
    cJSON *got = s_error_json(obs);
    char brief[600], at[128];
    scn_json_brief(got, brief, sizeof(brief));
    if (obs->status == BRK_OK && want) {
        scn_json_brief(want, brief, sizeof(brief));
        scn_step_fail(res, "expect.error: expected the call to fail with %s, but it succeeded", brief);
    } else if (obs->status != BRK_OK && !want) {
        scn_step_fail(res, "the call failed: %s (to expect a failure, add expect.error)", brief);
    } else if (cJSON_IsString(want)) {
        s_check(res, "expect.error.type", want, brk_json_get(got, "type"));
    } else {
        for (const cJSON *m = want ? want->child : NULL; m; m = m->next) {
            snprintf(at, sizeof(at), "expect.error.%s", m->string);
            s_check(res, at, m, brk_json_get(got, m->string));
        }
    }
    cJSON_Delete(got);
}

/* Whether names[i..] matches pattern[j..], where "..." stands for any run of names. */
static bool s_events_match(const cJSON *pattern, const cJSON *names)
{
    if (!pattern) {
        return names == NULL;
    }
    if (cJSON_IsString(pattern) && strcmp(pattern->valuestring, "...") == 0) {
        for (const cJSON *n = names;; n = n->next) {
            if (s_events_match(pattern->next, n)) {
                return true;
            }
            if (!n) {
                return false;
            }
        }
    }
    return names && cJSON_IsString(names) && strcmp(pattern->valuestring, names->valuestring) == 0 &&
           s_events_match(pattern->next, names->next);
}

static void s_events(const cJSON *want, const struct scn_observed *obs, struct scn_step_result *res)
{
    if (!obs->events) {
        scn_step_fail(res, "expect.events: expected stream events, but the step was not a converse_stream");
    } else if (!s_events_match(want->child, obs->events->child)) {
        char w[400], g[600];
        scn_json_brief(want, w, sizeof(w));
        scn_json_brief(obs->events, g, sizeof(g));
        scn_step_fail(res, "expect.events: expected %s, got %s", w, g);
    }
}

static cJSON *s_text(const cJSON *response)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    const cJSON *content = scn_pointer(response, "/output/message/content");
    for (const cJSON *c = content ? content->child : NULL; c; c = c->next) {
        const cJSON *t = brk_json_get(c, "text");
        if (cJSON_IsString(t)) {
            brk_buf_append_str(&b, t->valuestring);
        }
    }
    cJSON *out = response ? cJSON_CreateString(b.data ? b.data : "") : NULL;
    brk_buf_clean_up(&b);
    return out;
}

static void s_answer(const cJSON *expect, const struct scn_observed *obs, struct scn_step_result *res)
{
    static const char *const usage[] = {"inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokens",
                                        "cacheWriteInputTokens"};
    char at[128], ptr[64];
    s_pointer_map(res, "expect.response", brk_json_get(expect, "response"), obs->response);
    const cJSON *m = brk_json_get(expect, "text");
    if (m) {
        cJSON *text = s_text(obs->response);
        s_check(res, "expect.text", m, text);
        cJSON_Delete(text);
    }
    if ((m = brk_json_get(expect, "stop_reason"))) {
        s_check(res, "expect.stop_reason", m, scn_pointer(obs->response, "/stopReason"));
    }
    if ((m = brk_json_get(expect, "input_tokens"))) {
        s_check(res, "expect.input_tokens", m, scn_pointer(obs->response, "/inputTokens"));
    }
    const cJSON *u = brk_json_get(expect, "usage");
    for (size_t i = 0; u && i < sizeof(usage) / sizeof(usage[0]); i++) {
        if ((m = brk_json_get(u, usage[i]))) {
            snprintf(at, sizeof(at), "expect.usage.%s", usage[i]);
            snprintf(ptr, sizeof(ptr), "/usage/%s", usage[i]);
            s_check(res, at, m, scn_pointer(obs->response, ptr));
        }
    }
    if ((m = brk_json_get(expect, "events"))) {
        s_events(m, obs, res);
    }
}

static void s_retries(const cJSON *expect, const struct scn_observed *obs, struct scn_step_result *res)
{
    const cJSON *m;
    if ((m = brk_json_get(expect, "attempts"))) {
        s_check_number(res, "expect.attempts", m, obs->stats.attempts);
    }
    if ((m = brk_json_get(expect, "retry_delays_ms"))) {
        s_each(res, "expect.retry_delays_ms", m, obs->delays_ms);
    }
    if ((m = brk_json_get(expect, "retry_delay_total_ms"))) {
        s_check_number(res, "expect.retry_delay_total_ms", m, (double)obs->stats.retry_delay_ms);
    }
    if ((m = brk_json_get(expect, "virtual_elapsed_ms")) && !obs->have_virtual_clock) {
        scn_step_note(res, "expect.virtual_elapsed_ms: skipped: needs the embedded mock's virtual clock");
    } else if (m) {
        s_check_number(res, "expect.virtual_elapsed_ms", m, (double)obs->elapsed_ms);
    }
}

/* The body the mock received (the last entry's request_body) when the journal keeps bodies,
 * else what the client sent. */
static const cJSON *s_body_sent(const struct scn_observed *obs)
{
    const cJSON *last = cJSON_GetArrayItem(obs->journal, cJSON_GetArraySize(obs->journal) - 1);
    const cJSON *body = brk_json_get(last, "request_body");
    return cJSON_IsObject(body) ? body : obs->sent_body;
}

void scn_expect_call(const cJSON *expect, const struct scn_observed *obs, struct scn_step_result *res)
{
    s_error(brk_json_get(expect, "error"), obs, res);
    s_answer(expect, obs, res);
    s_retries(expect, obs, res);
    const cJSON *sent = brk_json_get(expect, "sent");
    if (sent) {
        scn_expect_sent(sent, s_body_sent(obs), "expect.sent", res);
    }
    const cJSON *journal = brk_json_get(expect, "journal");
    if (journal && !obs->journal) {
        scn_step_note(res, "expect.journal: skipped: only the mock keeps a journal");
    } else if (journal) {
        scn_expect_journal(journal, obs->journal, "expect.journal", res);
    }
}

void scn_expect_top(const cJSON *expect, const cJSON *entries, struct scn_step_result *res)
{
    const cJSON *journal = brk_json_get(expect, "journal"), *sent = brk_json_get(expect, "sent");
    if (journal) {
        scn_expect_journal(journal, entries, "expect.journal", res);
    }
    if (sent) {
        const cJSON *last = cJSON_GetArrayItem(entries, cJSON_GetArraySize(entries) - 1);
        const cJSON *body = brk_json_get(last, "request_body");
        scn_expect_sent(sent, cJSON_IsObject(body) ? body : NULL, "expect.sent", res);
    }
}

void scn_observed_clean_up(struct scn_observed *o)
{
    cJSON_Delete(o->response);
    cJSON_Delete(o->events);
    cJSON_Delete(o->sent_body);
    cJSON_Delete(o->journal);
    cJSON_Delete(o->delays_ms);
    memset(o, 0, sizeof(*o));
}
