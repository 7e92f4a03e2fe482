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

cJSON *mock_cache_point_json(const struct brk_cachepoint *p, const char *outcome, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "location", p->location);
    cJSON_AddNumberToObject(o, "prefix_tokens", (double)p->prefix_tokens);
    cJSON_AddStringToObject(o, "ttl", brk_cachepoint_ttl_name(p->ttl));
    cJSON_AddStringToObject(o, "outcome", outcome);
    if (reason) {
        cJSON_AddStringToObject(o, "reason", reason);
    }
    return o;
}

cJSON *mock_cache_record_new(const struct mock_cache_plan *plan, const char *outcome)
{
    cJSON *record = cJSON_CreateObject();
    cJSON *points = cJSON_AddArrayToObject(record, "points");
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        cJSON_AddItemToArray(points, mock_cache_point_json(&plan->scan.points[i], outcome, NULL));
    }
    for (size_t i = 0; i < plan->n_nested; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "location", plan->nested[i]);
        cJSON_AddStringToObject(o, "outcome", "ignored");
        cJSON_AddStringToObject(o, "reason", "inside_tool_result");
        cJSON_AddItemToArray(points, o);
    }
    cJSON_AddNumberToObject(record, "count", plan->scan.total_points);
    return record;
}

void mock_cache_record_journal(struct mock_response *resp, cJSON *record)
{
    struct brk_buf text;
    brk_buf_init(&text, S_RECORD_MAX_BYTES);
    cJSON *raw = brk_json_print(record, &text) == BRK_OK ? cJSON_CreateRaw(text.data) : NULL;
    brk_buf_clean_up(&text);
    if (raw) {
        cJSON_Delete(record);
    }
    mock_journal_extra_add(resp, "cache", raw ? raw : record);
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
                        struct mock_reply *reply, cJSON *points, int64_t now_ms)
{
    const struct mock_model *m = req->model.model;
    uint64_t cached = reply->cache.read_tokens;
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        const struct brk_cachepoint *p = &plan->scan.points[i];
        const char *outcome = !s_qualifies(m, p) ? "below_minimum" : p->prefix_tokens <= cached ? "read" : "write";
        cJSON_ReplaceItemInArray(points, (int)i, mock_cache_point_json(p, outcome, NULL));
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
    if (!plan || plan->scan.total_points == 0) {
        return;
    }
    int64_t now_ms = brk_clock_now_ms(mock->clock);
    cJSON *record = mock_cache_record_new(plan, "below_minimum");
    cJSON *points = cJSON_GetObjectItemCaseSensitive(record, "points");
    reply->cache.involved = true;
    reply->cache.read_tokens = s_read(mock, req, plan, now_ms);
    uint64_t cached = s_write(mock, req, plan, reply, points, now_ms);
    reply->input_tokens = reply->input_tokens > cached ? reply->input_tokens - cached : 0;
    cJSON_AddNumberToObject(record, "read_tokens", (double)reply->cache.read_tokens);
    cJSON_AddNumberToObject(record, "write_tokens", (double)reply->cache.write_tokens);
    cJSON_AddNumberToObject(record, "input_tokens", (double)reply->input_tokens);
    mock_cache_record_journal(resp, record);
}
