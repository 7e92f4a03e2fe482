/*
 * sim.c: the prompt-cache simulation (see sim.h, docs/prompt-caching.md).
 *
 * Bedrock's documented model: a cache point caches the prefix before it when that prefix
 * reaches the model's minimum; the longest prefix already cached (same account, same model,
 * unexpired) is read, and its TTL restarts; on Claude models that includes prefixes ending up
 * to MOCK_CACHE_LOOKBACK blocks before a cache point, so a conversation whose cache point
 * moves forward reads what the previous turn wrote. Every qualifying cache point beyond the
 * read writes the tokens from the point before it, under its own TTL. inputTokens is what is
 * left.
 */
#include <string.h>

#include "common/json.h"
#include "mock/cache/store.h"
#include "mock/cache/sim.h"

/* A record of at most BRK_CACHEPOINT_LIST_MAX points and as many nested ones is a few KB;
 * the cap only bounds the buffer. */
#define S_RECORD_MAX_BYTES (64u * 1024u)

/* ,"name": (a literal name, no escaping needed), without snprintf: it was most of the cost. */
static enum brk_status s_name(struct brk_buf *b, const char *name)
{
    enum brk_status rc = brk_buf_append(b, ",\"", 2);
    rc = rc == BRK_OK ? brk_buf_append_str(b, name) : rc;
    return rc == BRK_OK ? brk_buf_append(b, "\":", 2) : rc;
}

/* ,"name":"value" */
static enum brk_status s_member_str(struct brk_buf *b, const char *name, const char *value)
{
    enum brk_status rc = s_name(b, name);
    return rc == BRK_OK ? brk_buf_append_json_str(b, value, strlen(value)) : rc;
}

/* ,"name":N, printed by brk_json_print as a cJSON number would be. */
static enum brk_status s_member_number(struct brk_buf *b, const char *name, double value)
{
    cJSON number = {.type = cJSON_Number, .valuedouble = value};
    enum brk_status rc = s_name(b, name);
    return rc == BRK_OK ? brk_json_print(&number, b) : rc;
}

/* {"location", "prefix_tokens", "ttl", "outcome"[, "reason"]} for one cache point. */
static enum brk_status s_point(struct brk_buf *b, const struct brk_cachepoint *p, const char *outcome,
                               const char *reason)
{
    enum brk_status rc = brk_buf_append_str(b, "{\"location\":");
    rc = rc == BRK_OK ? brk_buf_append_json_str(b, p->location, strlen(p->location)) : rc;
    rc = rc == BRK_OK ? s_member_number(b, "prefix_tokens", (double)p->prefix_tokens) : rc;
    rc = rc == BRK_OK ? s_member_str(b, "ttl", brk_cachepoint_ttl_name(p->ttl)) : rc;
    rc = rc == BRK_OK ? s_member_str(b, "outcome", outcome) : rc;
    rc = rc == BRK_OK && reason ? s_member_str(b, "reason", reason) : rc;
    return rc == BRK_OK ? brk_buf_append_str(b, "}") : rc;
}

/* {"points": [every scanned point, the nested ones "ignored"], "count", then the tail. */
static enum brk_status s_record_text(struct brk_buf *b, const struct mock_cache_plan *plan,
                                     const struct mock_cache_record *r)
{
    enum brk_status rc = brk_buf_append_str(b, "{\"points\":[");
    for (size_t i = 0; i < plan->scan.n_points && rc == BRK_OK; i++) {
        rc = i ? brk_buf_append_str(b, ",") : rc;
        rc = rc == BRK_OK ? s_point(b, &plan->scan.points[i], r->outcomes[i], r->reasons[i]) : rc;
    }
    for (size_t i = 0; i < plan->n_nested && rc == BRK_OK; i++) {
        rc = i || plan->scan.n_points ? brk_buf_append_str(b, ",") : rc;
        rc = rc == BRK_OK ? brk_buf_append_str(b, "{\"location\":") : rc;
        rc = rc == BRK_OK ? brk_buf_append_json_str(b, plan->nested[i], strlen(plan->nested[i])) : rc;
        rc = rc == BRK_OK ? s_member_str(b, "outcome", "ignored") : rc;
        rc = rc == BRK_OK ? s_member_str(b, "reason", "inside_tool_result") : rc;
        rc = rc == BRK_OK ? brk_buf_append_str(b, "}") : rc;
    }
    rc = rc == BRK_OK ? brk_buf_append_str(b, "]") : rc;
    rc = rc == BRK_OK ? s_member_number(b, "count", plan->scan.counts.total) : rc;
    if (r->rejected_by) {
        rc = rc == BRK_OK ? s_member_str(b, "rejected_by", r->rejected_by) : rc;
    } else {
        rc = rc == BRK_OK ? s_member_number(b, "read_tokens", (double)r->read_tokens) : rc;
        rc = rc == BRK_OK ? s_member_number(b, "write_tokens", (double)r->write_tokens) : rc;
        rc = rc == BRK_OK ? s_member_number(b, "input_tokens", (double)r->input_tokens) : rc;
    }
    return rc == BRK_OK ? brk_buf_append_str(b, "}") : rc;
}

void mock_cache_record_journal(struct mock_response *resp, const struct mock_cache_plan *plan,
                               const struct mock_cache_record *record)
{
    struct brk_buf text;
    brk_buf_init(&text, S_RECORD_MAX_BYTES);
    cJSON *raw = s_record_text(&text, plan, record) == BRK_OK ? cJSON_CreateRaw(text.data) : NULL;
    brk_buf_clean_up(&text);
    if (raw) {
        mock_journal_extra_add(resp, "cache", raw);
    }
}

static bool s_qualifies(const struct mock_model *m, const struct brk_cachepoint *p)
{
    return p->prefix_tokens >= m->cache_min_tokens;
}

struct s_hit {
    bool found;
    unsigned char hash[MOCK_CACHE_HASH_LEN];
    uint64_t tokens;
};

static void s_consider(struct brk_mock *mock, struct mock_cache_key key, const unsigned char *hash, int64_t now_ms,
                       struct s_hit *best)
{
    uint64_t tokens = 0;
    key.hash = hash;
    if (mock_cache_peek(mock->cache, &key, now_ms, &tokens) && (!best->found || tokens > best->tokens)) {
        best->found = true;
        best->tokens = tokens;
        memcpy(best->hash, hash, MOCK_CACHE_HASH_LEN);
    }
}

/* Read the longest cached prefix that a qualifying point reaches: its own prefix, and on
 * Claude models the prefixes at the boundaries before it too. Returns the tokens read. */
static uint64_t s_read(struct brk_mock *mock, const struct mock_request *req, const struct mock_cache_plan *plan,
                       int64_t now_ms)
{
    const struct mock_model *m = req->model.model;
    bool lookback = m->provider && strcmp(m->provider, "anthropic") == 0;
    struct mock_cache_key key = {.account = req->account, .model = m->id};
    struct s_hit best = {0};
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        const struct mock_cache_plan_point *h = &plan->points[i];
        if (!s_qualifies(m, &plan->scan.points[i])) {
            continue;
        }
        s_consider(mock, key, h->hash, now_ms, &best);
        for (size_t j = 0; lookback && j < h->n_lookback; j++) {
            s_consider(mock, key, h->lookback[j].hash, now_ms, &best);
        }
    }
    key.hash = best.hash;
    uint64_t tokens = 0;
    return best.found && mock_cache_read(mock->cache, &key, now_ms, &tokens) ? tokens : 0;
}

/* Write every qualifying point beyond what was read, each segment under the TTL of the point
 * that ends it; returns the tokens now cached (read + written). */
static uint64_t s_write(struct brk_mock *mock, const struct mock_request *req, const struct mock_cache_plan *plan,
                        struct mock_reply *reply, struct mock_cache_record *record, int64_t now_ms)
{
    const struct mock_model *m = req->model.model;
    uint64_t cached = reply->cache.read_tokens;
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        const struct brk_cachepoint *p = &plan->scan.points[i];
        const char *outcome = !s_qualifies(m, p) ? "below_minimum" : p->prefix_tokens <= cached ? "read" : "write";
        record->outcomes[i] = outcome;
        if (strcmp(outcome, "write") != 0) {
            continue;
        }
        uint64_t segment = p->prefix_tokens - cached;
        if (p->ttl == BRK_CACHEPOINT_TTL_1H) {
            reply->cache.write_1h_tokens += segment;
        } else {
            reply->cache.write_5m_tokens += segment;
        }
        reply->cache.write_tokens += segment;
        cached = p->prefix_tokens;
        struct mock_cache_key key = {.account = req->account, .model = m->id, .hash = plan->points[i].hash};
        mock_cache_write(mock->cache, &key, p->prefix_tokens, brk_cachepoint_ttl_ms(p->ttl), now_ms);
    }
    return cached;
}

void mock_cache_simulate(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                         struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    const struct mock_cache_plan *plan = m && m->prompt_caching ? mock_request_cache_plan(req) : NULL;
    if (!plan || plan->scan.counts.total == 0) {
        return;
    }
    int64_t now_ms = brk_clock_now_ms(mock->clock);
    struct mock_cache_record record = {0}; /* s_write gives every scanned point its outcome */
    reply->cache.involved = true;
    reply->cache.read_tokens = s_read(mock, req, plan, now_ms);
    uint64_t cached = s_write(mock, req, plan, reply, &record, now_ms);
    reply->input_tokens = reply->input_tokens > cached ? reply->input_tokens - cached : 0;
    record.read_tokens = reply->cache.read_tokens;
    record.write_tokens = reply->cache.write_tokens;
    record.input_tokens = reply->input_tokens;
    mock_cache_record_journal(resp, plan, &record);
}
