/*
 * rules.c: the rule engine (rules.h): the list, its counters, the pipeline stage and the
 * scripted reply.
 */
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "mock/admin/journal.h"
#include "mock/rules/rules_priv.h"
#include "common/converse_walk.h"
#include "mock/pipeline/stages.h"

/* A rules file or POST body is a handful of rules; the cap keeps a runaway script bounded. */
#define S_MAX_RULES 1024
#define S_MAX_FILE_BYTES (4u * 1024u * 1024u)

struct mock_rules {
    pthread_mutex_t lock;
    struct mock_rule *list[S_MAX_RULES]; /* evaluation order: priority desc, then order asc */
    size_t n;
    uint64_t next_order;
    cJSON *startup; /* array of the --rules rules, re-added by a reset */
};

struct mock_rules *mock_rules_new(void)
{
    struct mock_rules *rules = calloc(1, sizeof(*rules));
    if (!rules) {
        return NULL;
    }
    pthread_mutex_init(&rules->lock, NULL);
    rules->startup = cJSON_CreateArray();
    return rules;
}

/* Take a rule out of the list: freed now, or by the last request still matching against it. */
static void s_drop_locked(struct mock_rule *r)
{
    r->removed = true;
    if (r->refs == 0) {
        mock_rule_free(r);
    }
}

static void s_clear_locked(struct mock_rules *rules)
{
    for (size_t i = 0; i < rules->n; i++) {
        s_drop_locked(rules->list[i]);
    }
    rules->n = 0;
}

void mock_rules_destroy(struct mock_rules *rules)
{
    if (!rules) {
        return;
    }
    s_clear_locked(rules);
    cJSON_Delete(rules->startup);
    pthread_mutex_destroy(&rules->lock);
    free(rules);
}

/* ---- the list ----------------------------------------------------------------------- */

static struct mock_rule *s_find_locked(struct mock_rules *rules, const char *id, size_t *index)
{
    for (size_t i = 0; i < rules->n; i++) {
        if (strcmp(rules->list[i]->id, id) == 0) {
            if (index) {
                *index = i;
            }
            return rules->list[i];
        }
    }
    return NULL;
}

/* Insert keeping evaluation order: after every rule of higher or equal priority. */
static void s_insert_locked(struct mock_rules *rules, struct mock_rule *r)
{
    size_t at = rules->n;
    while (at > 0 && rules->list[at - 1]->priority < r->priority) {
        at--;
    }
    memmove(&rules->list[at + 1], &rules->list[at], (rules->n - at) * sizeof(rules->list[0]));
    rules->list[at] = r;
    rules->n++;
}

static cJSON *s_rule_json(const struct mock_rule *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddNumberToObject(o, "priority", r->priority);
    cJSON_AddNumberToObject(o, "matched", (double)r->matched);
    cJSON_AddNumberToObject(o, "fired", (double)r->fired);
    if (r->text_re) {
        cJSON_AddNumberToObject(o, "regexLimitHits", (double)r->regex_limit_hits);
    }
    cJSON_AddItemToObject(o, "rule", cJSON_Duplicate(r->source, 1));
    return o;
}

/* Give rules without an id one ("rule-N"), and refuse ids already taken. */
static bool s_assign_id_locked(struct mock_rules *rules, struct mock_rule *r, struct mock_rule **batch, size_t n_batch,
                               char *err, size_t err_len)
{
    if (!r->id[0]) {
        snprintf(r->id, sizeof(r->id), "rule-%llu", (unsigned long long)rules->next_order + n_batch + 1);
    }
    bool taken = s_find_locked(rules, r->id, NULL) != NULL;
    for (size_t i = 0; i < n_batch && !taken; i++) {
        taken = strcmp(batch[i]->id, r->id) == 0;
    }
    if (taken) {
        snprintf(err, err_len, "A rule with id \"%s\" exists already.", r->id);
    }
    return !taken;
}

static const cJSON *s_rule_array(const cJSON *json)
{
    const cJSON *inner = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "rules") : NULL;
    return inner && cJSON_IsArray(inner) && cJSON_GetArraySize(json) == 1 ? inner : json;
}

/* Parse every rule of `list` into batch (all or nothing). */
static size_t s_parse_batch_locked(struct mock_rules *rules, const cJSON *list, struct mock_rule **batch, char *err,
                                   size_t err_len)
{
    size_t n = 0;
    char why[512] = "";
    const cJSON *item = NULL;
    bool ok = true;
    cJSON_ArrayForEach(item, list)
    {
        if (rules->n + n >= S_MAX_RULES) {
            snprintf(err, err_len, "At most %d rules can be active.", S_MAX_RULES);
            ok = false;
            break;
        }
        struct mock_rule *r = mock_rule_parse(item, why, sizeof(why));
        if (!r || !s_assign_id_locked(rules, r, batch, n, why, sizeof(why))) {
            snprintf(err, err_len, "Rule %zu: %s", n + 1, why);
            mock_rule_free(r);
            ok = false;
            break;
        }
        batch[n++] = r;
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++) {
            mock_rule_free(batch[i]);
        }
        return SIZE_MAX;
    }
    return n;
}

enum brk_status mock_rules_add_json(struct mock_rules *rules, const cJSON *json, bool startup, cJSON **added, char *err,
                                    size_t err_len)
{
    const cJSON *list = s_rule_array(json);
    if (!cJSON_IsArray(list) && !cJSON_IsObject(list)) {
        snprintf(err, err_len, "Rules must be a rule object, an array of rules, or {\"rules\": [...]}.");
        return BRK_ERR_PARSE;
    }
    cJSON *one = NULL;
    if (cJSON_IsObject(list)) {
        one = cJSON_CreateArray();
        cJSON_AddItemToArray(one, cJSON_Duplicate(list, 1));
        list = one;
    }
    struct mock_rule **batch = calloc(S_MAX_RULES, sizeof(*batch));
    pthread_mutex_lock(&rules->lock);
    size_t n = batch ? s_parse_batch_locked(rules, list, batch, err, err_len) : SIZE_MAX;
    cJSON *out = n == SIZE_MAX ? NULL : cJSON_CreateArray();
    for (size_t i = 0; out && i < n; i++) {
        batch[i]->order = ++rules->next_order;
        batch[i]->startup = startup;
        s_insert_locked(rules, batch[i]);
        cJSON_AddItemToArray(out, s_rule_json(batch[i]));
        if (startup) {
            cJSON_AddItemToArray(rules->startup, cJSON_Duplicate(batch[i]->source, 1));
        }
    }
    pthread_mutex_unlock(&rules->lock);
    free(batch);
    cJSON_Delete(one);
    if (added) {
        *added = out;
    } else {
        cJSON_Delete(out);
    }
    return out ? BRK_OK : BRK_ERR_PARSE;
}

enum brk_status mock_rules_load_file(struct mock_rules *rules, const char *path, char *err, size_t err_len)
{
    struct brk_buf text;
    brk_buf_init(&text, S_MAX_FILE_BYTES);
    enum brk_status rc = brk_buf_read_file(&text, path);
    cJSON *json = NULL;
    char why[512] = "";
    if (rc == BRK_ERR_IO) {
        snprintf(err, err_len, "cannot open --rules file %s", path);
        goto out;
    }
    if (rc != BRK_OK) {
        snprintf(err, err_len, "--rules file %s is larger than %u bytes", path, S_MAX_FILE_BYTES);
        rc = BRK_ERR_PARSE;
        goto out;
    }
    rc = BRK_ERR_PARSE;
    json = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
    if (!json) {
        snprintf(err, err_len, "--rules file %s is not valid JSON", path);
        goto out;
    }
    rc = mock_rules_add_json(rules, json, true, NULL, why, sizeof(why));
    if (rc != BRK_OK) {
        snprintf(err, err_len, "--rules file %s: %s", path, why);
    }
out:
    cJSON_Delete(json);
    brk_buf_clean_up(&text);
    return rc;
}

cJSON *mock_rules_to_json(struct mock_rules *rules, const char *id)
{
    cJSON *out = NULL;
    pthread_mutex_lock(&rules->lock);
    if (id) {
        struct mock_rule *r = s_find_locked(rules, id, NULL);
        out = r ? s_rule_json(r) : NULL;
    } else {
        out = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(out, "rules");
        for (size_t i = 0; i < rules->n; i++) {
            cJSON_AddItemToArray(list, s_rule_json(rules->list[i]));
        }
    }
    pthread_mutex_unlock(&rules->lock);
    return out;
}

bool mock_rules_delete(struct mock_rules *rules, const char *id)
{
    size_t at = 0;
    pthread_mutex_lock(&rules->lock);
    struct mock_rule *r = s_find_locked(rules, id, &at);
    if (r) {
        s_drop_locked(r);
        memmove(&rules->list[at], &rules->list[at + 1], (rules->n - at - 1) * sizeof(rules->list[0]));
        rules->n--;
    }
    pthread_mutex_unlock(&rules->lock);
    return r != NULL;
}

void mock_rules_clear(struct mock_rules *rules)
{
    pthread_mutex_lock(&rules->lock);
    s_clear_locked(rules);
    pthread_mutex_unlock(&rules->lock);
}

void mock_rules_reset(struct mock_rules *rules)
{
    char err[512];
    pthread_mutex_lock(&rules->lock);
    s_clear_locked(rules);
    rules->next_order = 0;
    cJSON *startup = rules->startup;
    rules->startup = cJSON_CreateArray();
    pthread_mutex_unlock(&rules->lock);
    /* They were valid when loaded, so re-adding them cannot fail. */
    if (mock_rules_add_json(rules, startup, true, NULL, err, sizeof(err)) != BRK_OK) {
        brk_log_warn("reset could not restore the --rules rules: %s", err);
    }
    cJSON_Delete(startup);
}

/* ---- matching ----------------------------------------------------------------------- */

/* The text of the last user message (its text blocks joined by newlines), and whether that
 * message carries a toolResult for `tool` (toolUseIds map back to names through the
 * assistant's earlier toolUse blocks). */
static char *s_last_user_text(const cJSON *json)
{
    struct brk_buf out;
    brk_buf_init(&out, 1u << 20);
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(brk_converse_last_user_message(json), "content"))
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, "text"));
        if (t) {
            brk_buf_append_str(&out, out.len ? "\n" : "");
            brk_buf_append_str(&out, t);
        }
    }
    char *text = brk_buf_detach(&out, NULL);
    return text ? text : strdup("");
}

/* Name of the tool the assistant called with `tool_use_id`, or NULL. */
static const char *s_tool_name_of(const cJSON *json, const char *tool_use_id)
{
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(json, "messages"))
    {
        const cJSON *block = NULL;
        cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(m, "content"))
        {
            const cJSON *tu = cJSON_GetObjectItemCaseSensitive(block, "toolUse");
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "toolUseId"));
            if (id && strcmp(id, tool_use_id) == 0) {
                return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "name"));
            }
        }
    }
    return NULL;
}

static bool s_has_tool_result(const cJSON *json, const char *tool)
{
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(brk_converse_last_user_message(json), "content"))
    {
        const cJSON *tr = cJSON_GetObjectItemCaseSensitive(block, "toolResult");
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "toolUseId"));
        const char *name = id ? s_tool_name_of(json, id) : NULL;
        if (name && strcmp(name, tool) == 0) {
            return true;
        }
    }
    return false;
}

static bool s_headers_match(const struct mock_rule *r, const struct mock_request *req)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *v = mock_request_header(req, r->headers[i].name);
        if (!v || fnmatch(r->headers[i].value, v, 0) != 0) {
            return false;
        }
    }
    return true;
}

static enum mock_rule_regex s_text_matches(const struct mock_rule *r, const struct mock_request *req)
{
    if (!r->text && !r->text_re) {
        return MOCK_RULE_REGEX_YES;
    }
    char *text = s_last_user_text(req->json);
    enum mock_rule_regex ok = r->text && !strstr(text, r->text) ? MOCK_RULE_REGEX_NO : MOCK_RULE_REGEX_YES;
    if (ok == MOCK_RULE_REGEX_YES && r->text_re) {
        ok = mock_rule_regex_match(r, text);
    }
    free(text);
    return ok;
}

/* Every matcher except `nth`, which depends on the counter. Reads only what a rule never
 * changes after parsing, so it runs without the engine lock. */
static enum mock_rule_regex s_matches(const struct mock_rule *r, const struct mock_request *req)
{
    if (!r->any_op && (!brk_op_info(req->route.op) || !r->ops[req->route.op])) {
        return MOCK_RULE_REGEX_NO;
    }
    if ((r->model_glob && fnmatch(r->model_glob, mock_route_resource(&req->route), 0) != 0) ||
        (r->account && strcmp(r->account, req->account) != 0) || !s_headers_match(r, req)) {
        return MOCK_RULE_REGEX_NO;
    }
    if (r->attempt) {
        int attempt = 0, max = 0;
        mock_journal_parse_sdk_request(mock_request_header(req, "amz-sdk-request"), &attempt, &max);
        if (attempt != r->attempt) {
            return MOCK_RULE_REGEX_NO;
        }
    }
    if (r->tool_result && !s_has_tool_result(req->json, r->tool_result)) {
        return MOCK_RULE_REGEX_NO;
    }
    return s_text_matches(r, req);
}

/* Decide with the modifiers whether the rule fires at match number `position`. */
static bool s_fires_locked(struct brk_mock *mock, struct mock_rule *r, uint64_t position)
{
    if ((r->nth && position != r->nth) || position <= r->after || (r->times && r->fired >= r->times)) {
        return false;
    }
    if (r->probability < 1.0 && brk_rng_uniform(&mock->rng) >= r->probability) {
        return false;
    }
    r->fired++;
    return true;
}

/* ---- actions ------------------------------------------------------------------------ */

static void s_apply_headers(const struct mock_rule *r, struct mock_response *resp)
{
    char value[32];
    if (r->retry_after_ms >= 0) {
        /* Retry-After is whole seconds (RFC 9110); x-amz-retry-after is milliseconds. */
        snprintf(value, sizeof(value), "%lld", (long long)(r->retry_after_ms / 1000));
        mock_response_add_header(resp, "Retry-After", value);
        snprintf(value, sizeof(value), "%lld", (long long)r->retry_after_ms);
        mock_response_add_header(resp, "x-amz-retry-after", value);
    }
    for (size_t i = 0; i < r->n_resp_headers; i++) {
        mock_response_add_header(resp, r->resp_headers[i].name, r->resp_headers[i].value);
    }
}

/* Apply the fired rule; false when it answered with an error. */
static bool s_apply(const struct mock_rule *r, struct mock_request *req, struct mock_response *resp)
{
    mock_journal_extra_add(resp, "rule", cJSON_CreateString(r->id));
    resp->fault = r->fault;
    if (r->reply) {
        cJSON_Delete(req->rule.reply);
        req->rule.reply = cJSON_Duplicate(r->reply, 1);
    }
    if (r->error) {
        mock_response_error(resp, r->error->id, r->message);
    }
    s_apply_headers(r, resp);
    return r->error == NULL;
}

/* The rules in evaluation order, each held (refs) so that none is freed while a request
 * matches against it without the lock. */
static size_t s_snapshot(struct mock_rules *rules, struct mock_rule **out)
{
    pthread_mutex_lock(&rules->lock);
    size_t n = rules->n;
    for (size_t i = 0; i < n; i++) {
        out[i] = rules->list[i];
        out[i]->refs++;
    }
    pthread_mutex_unlock(&rules->lock);
    return n;
}

static void s_release(struct mock_rules *rules, struct mock_rule **snap, size_t n)
{
    pthread_mutex_lock(&rules->lock);
    for (size_t i = 0; i < n; i++) {
        if (--snap[i]->refs == 0 && snap[i]->removed) {
            mock_rule_free(snap[i]);
        }
    }
    pthread_mutex_unlock(&rules->lock);
}

bool mock_stage_rules(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    bool go_on = true;
    if (!mock->rules) {
        return true;
    }
    /* Matchers (a textRegex among them) run outside the lock, so one slow match holds up no
     * other request and no GET /_mock/rules; only the counters and the decision to fire take it. */
    struct mock_rule *snap[S_MAX_RULES];
    enum mock_rule_regex outcome[S_MAX_RULES];
    size_t n = s_snapshot(mock->rules, snap);
    if (n == 0) {
        return true; /* no rule: the two other lockings would only count nothing */
    }
    for (size_t i = 0; i < n; i++) {
        outcome[i] = s_matches(snap[i], req);
    }
    const struct mock_rule *fired = NULL;
    pthread_mutex_lock(&mock->rules->lock);
    /* Every rule whose matchers hold counts the request, so "nth" and "after" mean the n-th
     * matching request whatever other rules did with it; only the first eligible one fires. */
    for (size_t i = 0; i < n; i++) {
        struct mock_rule *r = snap[i];
        r->regex_limit_hits += outcome[i] == MOCK_RULE_REGEX_LIMIT;
        if (outcome[i] != MOCK_RULE_REGEX_YES || r->removed) {
            continue;
        }
        uint64_t position = ++r->matched;
        if (!fired && s_fires_locked(mock, r, position)) {
            fired = r;
            go_on = s_apply(r, req, resp);
        }
    }
    pthread_mutex_unlock(&mock->rules->lock);
    s_release(mock->rules, snap, n);
    return go_on;
}
