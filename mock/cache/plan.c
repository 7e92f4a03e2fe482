/* plan.c: find and hash the cache points of a Converse request (see plan.h). */
#include "mock/cache/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/json.h"
#include "mock/mock_priv.h"
#include "mock/model/family.h"
#include "mock/pipeline/response.h"

struct s_walk {
    struct mock_cache_plan *plan;
    struct brk_cachepoint_scanner scanner; /* the shared scan, fed by the same walk */
    struct brk_hash128 hash;               /* the canonical form so far */
    bool failed;                           /* out of memory sorting a large object */
    /* The last MOCK_CACHE_LOOKBACK boundaries, a ring; `boundaries` counts every one seen. */
    struct mock_cache_prefix ring[MOCK_CACHE_LOOKBACK];
    size_t boundaries;
};

static void s_update_str(struct s_walk *w, const char *s)
{
    /* the NUL separates tokens, so "ab"+"c" != "a"+"bc" */
    brk_hash128_update(&w->hash, s, strlen(s) + 1);
}

static int s_by_key(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Members sorted by key, small objects (nearly all of a prompt's) without a heap allocation.
 * The insertion sort keeps members with the same key (a JSON object may repeat one) in
 * document order; qsort, kept for large objects, promises no order for those, as before. */
#define S_SMALL_OBJECT 16

static void s_sort_members(const cJSON **items, size_t n)
{
    if (n > S_SMALL_OBJECT) {
        qsort(items, n, sizeof(*items), s_by_key);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        const cJSON *item = items[i];
        size_t j = i;
        for (; j > 0 && s_by_key(&items[j - 1], &item) > 0; j--) {
            items[j] = items[j - 1];
        }
        items[j] = item;
    }
}

static void s_canon(struct s_walk *w, const cJSON *json);

static void s_canon_object(struct s_walk *w, const cJSON *json)
{
    const cJSON *small[S_SMALL_OBJECT], **items = small;
    size_t n = (size_t)cJSON_GetArraySize(json), i = 0;
    if (n > S_SMALL_OBJECT && !(items = calloc(n, sizeof(*items)))) {
        w->failed = true;
        return;
    }
    for (const cJSON *c = json->child; c && i < n; c = c->next) {
        items[i++] = c;
    }
    s_sort_members(items, n);
    s_update_str(w, "{");
    for (i = 0; i < n; i++) {
        s_update_str(w, items[i]->string ? items[i]->string : "");
        s_canon(w, items[i]);
    }
    s_update_str(w, "}");
    if (items != small) {
        free(items);
    }
}

/* "n" and the number as "%.17g" prints it. Integers below 1e17 (where %.17g prints every digit,
 * no exponent) are written out by hand: snprintf was most of the cost of a number. */
static void s_canon_number(struct s_walk *w, double v)
{
    char num[40];
    if (v > -1e17 && v < 1e17 && v == (double)(int64_t)v && !(v == 0 && signbit(v))) {
        num[0] = 'n';
        size_t len = brk_json_integer_text((long long)v, num + 1);
        brk_hash128_update(&w->hash, num, len + 2); /* "n", the digits and the NUL, as s_update_str */
        return;
    }
    snprintf(num, sizeof(num), "n%.17g", v);
    s_update_str(w, num);
}

/* Canonical form: objects with keys sorted, arrays in order, scalars as a type tag and their value. */
static void s_canon(struct s_walk *w, const cJSON *json)
{
    if (cJSON_IsObject(json)) {
        s_canon_object(w, json);
    } else if (cJSON_IsArray(json)) {
        s_update_str(w, "[");
        for (const cJSON *c = json->child; c; c = c->next) {
            s_canon(w, c);
        }
        s_update_str(w, "]");
    } else if (cJSON_IsString(json)) { /* scalars without printing JSON (no allocation per value) */
        s_update_str(w, "s");
        s_update_str(w, json->valuestring);
    } else if (cJSON_IsNumber(json)) {
        s_canon_number(w, json->valuedouble);
    } else {
        s_update_str(w, cJSON_IsTrue(json) ? "t" : cJSON_IsFalse(json) ? "f" : "z");
    }
}

static const char *s_section_name(enum brk_walk_section section)
{
    return section == BRK_WALK_TOOLS ? "tools" : section == BRK_WALK_SYSTEM ? "system" : "messages";
}

/* A new list starts (its first block): mark it in the hash, so moving a block across a section
 * or message boundary changes the prefix. */
static void s_enter_list(struct s_walk *w, const struct brk_walk_visit *v)
{
    if (v->block_index != 0) {
        return;
    }
    s_update_str(w, s_section_name(v->section));
    if (v->section == BRK_WALK_MESSAGES) {
        s_update_str(w, v->role ? v->role : "");
    }
}

/* The digest of everything hashed so far, leaving the running state untouched. */
static void s_snapshot(struct s_walk *w, unsigned char out[MOCK_CACHE_HASH_LEN])
{
    brk_hash128_digest(&w->hash, out);
}

static void s_push_boundary(struct s_walk *w)
{
    struct mock_cache_prefix *b = &w->ring[w->boundaries % MOCK_CACHE_LOOKBACK];
    s_snapshot(w, b->hash);
    b->tokens = w->plan->scan.total_tokens;
    w->boundaries++;
}

/* The hashes of the point the scan just recorded (the same index in plan->points). */
static void s_hash_point(struct s_walk *w, const struct brk_cachepoint *recorded)
{
    struct mock_cache_plan_point *p = &w->plan->points[recorded - w->plan->scan.points];
    size_t n = w->boundaries < MOCK_CACHE_LOOKBACK ? w->boundaries : MOCK_CACHE_LOOKBACK;
    s_snapshot(w, p->hash);
    for (size_t i = 0; i < n; i++) {
        p->lookback[i] = w->ring[(w->boundaries - 1 - i) % MOCK_CACHE_LOOKBACK];
    }
    p->n_lookback = n;
}

static void s_note_nested(struct s_walk *w, const struct brk_walk_visit *v)
{
    const cJSON *item = NULL;
    int i = 0;
    cJSON_ArrayForEach(item, brk_json_get(brk_json_get(v->block, "toolResult"), "content"))
    {
        if (brk_json_get(item, "cachePoint") && w->plan->n_nested < BRK_CACHEPOINT_LIST_MAX) {
            char location[BRK_WALK_LOCATION_LEN];
            brk_walk_location(v, location, sizeof(location));
            snprintf(w->plan->nested[w->plan->n_nested++], sizeof(w->plan->nested[0]), "%s.toolResult.content[%d]",
                     location, i);
        }
        i++;
    }
}

static void s_visit(void *ctx, const struct brk_walk_visit *v)
{
    struct s_walk *w = ctx;
    s_enter_list(w, v);
    const struct brk_cachepoint *recorded = brk_cachepoint_scanner_visit(&w->scanner, v);
    if (v->cache_point) {
        if (recorded) {
            s_hash_point(w, recorded);
        }
        return;
    }
    s_canon(w, v->block);
    s_note_nested(w, v);
    s_push_boundary(w);
}

/* Whether this block is, or (nested in a toolResult's content) holds, a cache point: the
 * walk stops at the first, so a request with one after its first tool or system block pays for
 * no walk of its conversation here. */
static bool s_find_any(void *ctx, const struct brk_walk_visit *v)
{
    (void)ctx;
    const cJSON *item = NULL;
    if (v->cache_point) {
        return true;
    }
    cJSON_ArrayForEach(item, brk_json_get(brk_json_get(v->block, "toolResult"), "content"))
    {
        if (brk_json_get(item, "cachePoint")) {
            return true;
        }
    }
    return false;
}

/* Most requests carry no cache point: finding that out without hashing the whole prompt keeps
 * them cheap (the walk without tokens visits each block once). */
static bool s_has_cache_points(const cJSON *request)
{
    return brk_converse_walk_until(request, s_find_any, NULL);
}

/* The tokens of the blocks before the first cache point, each counted one visit late: a block
 * followed by a cache point (where one usually sits) is never counted here, since the hashing
 * walk counts everything again. */
struct s_count_until {
    const struct brk_token_profile *profile;
    const cJSON *pending; /* the last block visited, not counted yet */
    uint64_t tokens;
};

static void s_count_pending(struct s_count_until *c)
{
    c->tokens += c->pending ? brk_converse_block_tokens(c->pending, c->profile) : 0;
    c->pending = NULL;
}

static bool s_count_until_point(void *ctx, const struct brk_walk_visit *v)
{
    struct s_count_until *c = ctx;
    if (s_find_any(NULL, v)) {
        return true;
    }
    s_count_pending(c);
    c->pending = v->block;
    return false;
}

/* Whether req's body has a cache point. While its tokens are not counted yet, the same pass
 * counts them, so a request without a cache point (most) walks its blocks once for both
 * questions (the usage asks for the count next, mock_request_input_tokens); one with a cache
 * point stops at it, and the hashing walk counts. */
static bool s_request_has_cache_points(struct mock_request *req, const struct brk_token_profile *profile)
{
    struct s_count_until count = {.profile = profile, .pending = NULL, .tokens = 0};
    if (req->input_tokens_known) {
        return s_has_cache_points(req->json);
    }
    if (brk_converse_walk_until(req->json, s_count_until_point, &count)) {
        return true;
    }
    s_count_pending(&count);
    req->input_tokens = brk_token_profile_overhead(profile, req->json) + count.tokens;
    req->input_tokens_known = true;
    return false;
}

/* The hashing walk itself, on a zeroed plan of a request known to have cache points. */
static enum brk_status s_build(const cJSON *request, const struct brk_token_profile *profile,
                               struct mock_cache_plan *plan)
{
    struct s_walk w = {.plan = plan};
    brk_hash128_init(&w.hash);
    brk_cachepoint_scanner_init(&w.scanner, &plan->scan);
    brk_converse_walk(request, profile, s_visit, &w);
    return w.failed ? BRK_ERR_NOMEM : BRK_OK;
}

enum brk_status mock_cache_plan_build(const cJSON *request, const struct brk_token_profile *profile,
                                      struct mock_cache_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    return s_has_cache_points(request) ? s_build(request, profile, plan) : BRK_OK;
}

const struct mock_cache_plan *mock_request_cache_plan(struct mock_request *req)
{
    static const struct mock_cache_plan empty; /* most requests: nothing to allocate or hash */
    if (req->cache_plan) {
        return req->cache_plan;
    }
    if (req->cache_plan_none) {
        return &empty;
    }
    /* The rules stage and the simulation both ask: look for cache points once per request. */
    struct brk_token_profile profile;
    mock_model_token_profile(req->model.model, &profile);
    if (!s_request_has_cache_points(req, &profile)) {
        req->cache_plan_none = true;
        return &empty;
    }
    struct mock_cache_plan *plan = calloc(1, sizeof(*plan));
    if (!plan || s_build(req->json, &profile, plan) != BRK_OK) {
        free(plan);
        return NULL;
    }
    req->cache_plan = plan;
    if (!req->input_tokens_known) { /* the walk counted every block: the usage needs no other */
        req->input_tokens = brk_token_profile_overhead(&profile, req->json) + plan->scan.total_tokens;
        req->input_tokens_known = true;
    }
    return plan;
}
