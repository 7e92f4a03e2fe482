/* Unit tests for the prompt-cache modules that need no socket: the store, the plan of a
 * request's cache points, and the shared cache-point facts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/cachepoint.h"
#include "common/converse_walk.h"
#include "common/hash.h"
#include "common/json.h"
#include "mock/cache/store.h"
#include "mock/cache/plan.h"
#include "mock/cache/sim.h"
#include "mock/model/family.h"
#include "mock/pipeline/request.h"

#define TOOLS \
    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}"
#define CP "{\"cachePoint\":{\"type\":\"default\"}}"

static void s_hash(unsigned char out[MOCK_CACHE_HASH_LEN], unsigned char seed)
{
    memset(out, seed, MOCK_CACHE_HASH_LEN);
}

Test(cache_store, read_refreshes_the_ttl_and_peek_does_not)
{
    struct mock_cache *c = mock_cache_new(4);
    unsigned char h[MOCK_CACHE_HASH_LEN];
    s_hash(h, 1);
    struct mock_cache_key key = {.account = "a", .model = "m", .hash = h};
    uint64_t tokens = 0;
    cr_assert_not(mock_cache_read(c, &key, 0, &tokens));
    mock_cache_write(c, &key, 1500, 1000, 0);
    cr_assert(mock_cache_peek(c, &key, 999, &tokens));
    cr_assert_eq(tokens, 1500);
    cr_assert_not(mock_cache_peek(c, &key, 1000, NULL), "peek at expiry");
    mock_cache_write(c, &key, 1500, 1000, 0);
    cr_assert(mock_cache_read(c, &key, 900, NULL));
    cr_assert(mock_cache_peek(c, &key, 1899, NULL), "the read restarted the TTL");
    cr_assert_not(mock_cache_peek(c, &key, 1900, NULL));
    mock_cache_destroy(c);
}

Test(cache_store, keys_separate_accounts_models_and_prefixes)
{
    struct mock_cache *c = mock_cache_new(0);
    unsigned char h1[MOCK_CACHE_HASH_LEN], h2[MOCK_CACHE_HASH_LEN];
    s_hash(h1, 1);
    s_hash(h2, 2);
    struct mock_cache_key key = {.account = "a", .model = "m", .hash = h1};
    mock_cache_write(c, &key, 10, 1000, 0);
    struct mock_cache_key other_account = {.account = "b", .model = "m", .hash = h1};
    struct mock_cache_key other_model = {.account = "a", .model = "n", .hash = h1};
    struct mock_cache_key other_prefix = {.account = "a", .model = "m", .hash = h2};
    cr_assert(mock_cache_peek(c, &key, 1, NULL));
    cr_assert_not(mock_cache_peek(c, &other_account, 1, NULL));
    cr_assert_not(mock_cache_peek(c, &other_model, 1, NULL));
    cr_assert_not(mock_cache_peek(c, &other_prefix, 1, NULL));
    cJSON *json = mock_cache_to_json(c, 1);
    cr_assert_eq(cJSON_GetObjectItem(json, "max_entries")->valueint, MOCK_CACHE_DEFAULT_MAX_ENTRIES);
    cJSON_Delete(json);
    mock_cache_clear(c);
    cr_assert_not(mock_cache_peek(c, &key, 1, NULL));
    mock_cache_destroy(c);
}

Test(cache_store, full_store_replaces_expired_entries_first_then_the_least_recently_used)
{
    struct mock_cache *c = mock_cache_new(2);
    unsigned char h[3][MOCK_CACHE_HASH_LEN];
    struct mock_cache_key k[3];
    for (int i = 0; i < 3; i++) {
        s_hash(h[i], (unsigned char)(i + 1));
        k[i] = (struct mock_cache_key){.account = "a", .model = "m", .hash = h[i]};
    }
    mock_cache_write(c, &k[0], 1, 100, 0); /* expires at 100 */
    mock_cache_write(c, &k[1], 2, 10000, 0);
    mock_cache_write(c, &k[2], 3, 10000, 200); /* store full: the expired k0 goes */
    cr_assert(mock_cache_peek(c, &k[1], 201, NULL));
    cr_assert(mock_cache_peek(c, &k[2], 201, NULL));
    cr_assert(mock_cache_read(c, &k[1], 300, NULL)); /* k1 is now the most recently used */
    mock_cache_write(c, &k[0], 1, 10000, 400);       /* nothing expired: the LRU k2 goes */
    cr_assert(mock_cache_peek(c, &k[1], 401, NULL));
    cr_assert_not(mock_cache_peek(c, &k[2], 401, NULL));
    cJSON *json = mock_cache_to_json(c, 401);
    cr_assert_eq(cJSON_GetObjectItem(json, "count")->valueint, 2);
    cJSON_Delete(json);
    mock_cache_destroy(c);
}

/* Lookups go through an index on the first bytes of the hash: prefixes that share them (one
 * bucket) must still be told apart, and an evicted entry must leave the index with its slot. */
Test(cache_store, prefixes_sharing_an_index_bucket_stay_distinct_through_evictions)
{
    struct mock_cache *c = mock_cache_new(3);
    enum { N = 8 };
    unsigned char h[N][MOCK_CACHE_HASH_LEN];
    struct mock_cache_key k[N];
    for (int i = 0; i < N; i++) {
        memset(h[i], 0xAB, MOCK_CACHE_HASH_LEN); /* same first 8 bytes: same bucket */
        h[i][MOCK_CACHE_HASH_LEN - 1] = (unsigned char)i;
        k[i] = (struct mock_cache_key){.account = "a", .model = "m", .hash = h[i]};
    }
    for (int i = 0; i < N; i++) {
        mock_cache_write(c, &k[i], 100u + (uint64_t)i, 10000, i); /* each write evicts the LRU */
        uint64_t tokens = 0;
        cr_assert(mock_cache_peek(c, &k[i], i, &tokens), "entry %d just written", i);
        cr_assert_eq(tokens, 100u + (uint64_t)i);
    }
    for (int i = 0; i < N; i++) {
        bool kept = i >= N - 3; /* the three most recent */
        cr_assert_eq(mock_cache_peek(c, &k[i], N, NULL), kept, "entry %d kept=%d", i, kept);
    }
    struct mock_cache_key other = {.account = "b", .model = "m", .hash = h[N - 1]};
    cr_assert_not(mock_cache_peek(c, &other, N, NULL), "same prefix, other account");
    mock_cache_clear(c);
    cr_assert_not(mock_cache_peek(c, &k[N - 1], N, NULL), "cleared");
    mock_cache_write(c, &k[0], 7, 10000, N);
    cr_assert(mock_cache_peek(c, &k[0], N, NULL), "the index works again after a clear");
    mock_cache_destroy(c);
}

/* GET /_mock/cache shows a prefix as its hash's bytes in lowercase hex: 32 digits. */
Test(cache_store, the_listing_shows_the_prefix_hash_as_32_hex_digits)
{
    struct mock_cache *c = mock_cache_new(4);
    unsigned char h[2][MOCK_CACHE_HASH_LEN];
    brk_hash128("one prefix", 10, h[0]);
    brk_hash128("another prefix", 14, h[1]);
    for (int i = 0; i < 2; i++) {
        struct mock_cache_key key = {.account = "a", .model = "m", .hash = h[i]};
        mock_cache_write(c, &key, 100, 1000, i);
    }
    cJSON *list = mock_cache_to_json(c, 2);
    cJSON *entries = cJSON_GetObjectItemCaseSensitive(list, "entries");
    cr_assert_eq(cJSON_GetArraySize(entries), 2);
    for (int i = 0; i < 2; i++) {
        char want[2 * MOCK_CACHE_HASH_LEN + 1];
        for (int b = 0; b < MOCK_CACHE_HASH_LEN; b++) {
            snprintf(want + 2 * b, 3, "%02x", h[i][b]);
        }
        const char *got =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(entries, i), "prefix_hash"));
        cr_assert_not_null(got);
        cr_assert_eq(strlen(got), 32);
        cr_assert_str_eq(got, want, "entry %d (least recently used first)", i);
    }
    cr_assert_str_neq(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(entries, 0), "prefix_hash")),
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(entries, 1), "prefix_hash")));
    cJSON_Delete(list);
    mock_cache_destroy(c);
}

static void s_plan(const char *json, struct mock_cache_plan *plan)
{
    cJSON *req = cJSON_Parse(json);
    cr_assert_not_null(req);
    cr_assert_eq(mock_cache_plan_build(req, NULL, plan), BRK_OK);
    cJSON_Delete(req);
}

Test(cache_plan, hash_ignores_key_order_and_other_cache_points_but_not_content)
{
    struct mock_cache_plan a, b, c, d;
    s_plan("{\"system\":[{\"text\":\"Be brief.\"}," CP "]," TOOLS "]}}", &a);
    s_plan("{\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"inputSchema\":{\"json\":{\"type\":\"object\"}},"
           "\"name\":\"t\"}}," CP "]},\"system\":[{\"text\":\"Be brief.\"}," CP "]}",
           &b);
    s_plan("{\"system\":[{\"text\":\"Be briefer.\"}," CP "]," TOOLS "]}}", &c);
    /* The same text moved from system into a user message is another prompt. */
    s_plan("{" TOOLS "]},\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Be brief.\"}," CP "]}]}", &d);
    cr_assert_eq(a.scan.counts.total, 1);
    cr_assert_eq(b.scan.counts.total, 2);
    cr_assert_eq(memcmp(a.points[0].hash, b.points[1].hash, MOCK_CACHE_HASH_LEN), 0);
    cr_assert_eq(a.scan.points[0].prefix_tokens, b.scan.points[1].prefix_tokens);
    cr_assert_neq(memcmp(a.points[0].hash, c.points[0].hash, MOCK_CACHE_HASH_LEN), 0);
    cr_assert_neq(memcmp(a.points[0].hash, d.points[0].hash, MOCK_CACHE_HASH_LEN), 0);
}

Test(cache_plan, records_the_scan_and_the_lookback)
{
    struct mock_cache_plan p;
    s_plan("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"one\"}]},"
           "{\"role\":\"assistant\",\"content\":[{\"reasoningContent\":{\"reasoningText\":{\"text\":\"hm\"}}},"
           "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"1h\"}}]},"
           "{\"role\":\"user\",\"content\":[{\"cachePoint\":{\"type\":\"default\"}},{\"text\":\"two\"}]}]}",
           &p);
    cr_assert_eq(p.scan.n_points, 2);
    const struct brk_cachepoint *a = &p.scan.points[0], *b = &p.scan.points[1];
    cr_assert_str_eq(a->location, "messages[1].content[1]");
    cr_assert_eq(a->anchor_index, 0);
    cr_assert(a->after_reasoning);
    cr_assert_not(a->first_in_list);
    cr_assert_eq(a->ttl, BRK_CACHEPOINT_TTL_1H);
    cr_assert_eq(p.points[0].n_lookback, 2);
    cr_assert_eq(p.points[0].lookback[0].tokens, a->prefix_tokens);
    cr_assert_eq(p.points[1].n_lookback, 2, "a cache point is no boundary");
    cr_assert(b->first_in_list);
    cr_assert_not(b->after_reasoning);
    cr_assert_eq(b->ttl, BRK_CACHEPOINT_TTL_5M);
}

Test(cachepoint, ttl_and_type_facts)
{
    cJSON *cp = cJSON_Parse("{\"type\":\"default\"}");
    cr_assert_eq(brk_cachepoint_ttl_of(cp), BRK_CACHEPOINT_TTL_5M);
    cr_assert(brk_cachepoint_type_valid(cp));
    cJSON_Delete(cp);
    cp = cJSON_Parse("{\"type\":\"ephemeral\",\"ttl\":\"2h\"}");
    cr_assert_eq(brk_cachepoint_ttl_of(cp), BRK_CACHEPOINT_TTL_INVALID);
    cr_assert_not(brk_cachepoint_type_valid(cp));
    cJSON_Delete(cp);
    cr_assert_eq(brk_cachepoint_ttl_ms(BRK_CACHEPOINT_TTL_1H), 3600000);
    cr_assert_eq(brk_cachepoint_ttl_ms(BRK_CACHEPOINT_TTL_5M), 300000);
    cr_assert_str_eq(brk_cachepoint_ttl_name(BRK_CACHEPOINT_TTL_1H), "1h");
}

Test(cache_plan, a_new_body_forgets_the_plan_of_the_old_one)
{
    struct mock_request req;
    mock_request_init(&req);
    mock_request_set_json(&req, cJSON_Parse("{\"system\":[{\"text\":\"s\"}," CP "]}"));
    const struct mock_cache_plan *plan = mock_request_cache_plan(&req);
    cr_assert_eq(plan->scan.counts.total, 1);
    cr_assert_eq(mock_request_cache_plan(&req), plan, "one walk per body");
    mock_request_set_json(&req, cJSON_Parse("{\"system\":[{\"text\":\"s\"}]}"));
    cr_assert_eq(mock_request_cache_plan(&req)->scan.counts.total, 0, "the old body's plan is gone");
    mock_request_set_json(&req, cJSON_Parse("{\"system\":[{\"text\":\"s\"}," CP "," CP "]}"));
    cr_assert_eq(mock_request_cache_plan(&req)->scan.counts.total, 2, "nor is 'no cache points' remembered");
    mock_request_clean_up(&req);
}

static void s_piece(struct brk_buf *b, const char *piece)
{
    brk_buf_append(b, piece, strlen(piece) + 1); /* each piece with its NUL, as plan.h says */
}

/* The prefix hash is brk_hash128 of the canonical form plan.h defines, written out here piece
 * by piece: the section mark, objects with keys sorted (one of 40 members, listed in reverse,
 * more than fit the sort's stack array), arrays in order, scalars as a tag and a value, and a
 * string longer than any batching. */
Test(cache_plan, hash_is_hash128_of_the_canonical_form)
{
    struct brk_buf json, want;
    brk_buf_init(&json, 1u << 20);
    brk_buf_init(&want, 1u << 20);
    char long_text[5001], key[8];
    memset(long_text, 'a', 5000);
    long_text[5000] = '\0';
    brk_buf_appendf(&json,
                    "{\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\",\"description\":\"%s\","
                    "\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{",
                    long_text);
    for (int k = 39; k >= 0; k--) {
        brk_buf_appendf(&json, "%s\"k%02d\":{\"type\":\"string\"}", k == 39 ? "" : ",", k);
    }
    brk_buf_append_str(&json, "},\"n\":[1,true,null,2.5]}}}}," CP "]}}");
    const char *head[] = {"tools",       "{", "toolSpec", "{", "description", "s", long_text,
                          "inputSchema", "{", "json",     "{", "n",           "[", "n1",
                          "t",           "z", "n2.5",     "]", "properties",  "{"};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
        s_piece(&want, head[i]);
    }
    for (int k = 0; k < 40; k++) {
        snprintf(key, sizeof(key), "k%02d", k);
        const char *member[] = {key, "{", "type", "s", "string", "}"};
        for (size_t i = 0; i < sizeof(member) / sizeof(member[0]); i++) {
            s_piece(&want, member[i]);
        }
    }
    const char *tail[] = {"}", "type", "s", "object", "}", "}", "name", "s", "t", "}", "}"};
    for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++) {
        s_piece(&want, tail[i]);
    }
    unsigned char md[MOCK_CACHE_HASH_LEN];
    brk_hash128(want.data, want.len, md);
    struct mock_cache_plan p;
    s_plan(json.data, &p);
    cr_assert_eq(p.scan.n_points, 1);
    cr_assert_eq(memcmp(p.points[0].hash, md, MOCK_CACHE_HASH_LEN), 0);
    /* One byte more of the text is another prefix. */
    brk_hash128(want.data, want.len - 1, md);
    cr_assert_neq(memcmp(p.points[0].hash, md, MOCK_CACHE_HASH_LEN), 0);
    brk_buf_clean_up(&json);
    brk_buf_clean_up(&want);
}

/* Numbers hash as "n" and what "%.17g" prints, whichever way the plan writes them (integers
 * below 1e17 by hand, the rest through snprintf): the pieces are built here with snprintf. */
Test(cache_plan, numbers_hash_as_their_17_digit_form)
{
    const char *numbers[] = {"0",
                             "-0",
                             "7",
                             "-7",
                             "42",
                             "2.5",
                             "-0.125",
                             "1e16",
                             "1e17",
                             "-1e17",
                             "99999999999999999",
                             "123456789012345678",
                             "1e-7",
                             "1e300",
                             "9007199254740993",
                             "-9999999999999999"};
    size_t n = sizeof(numbers) / sizeof(numbers[0]);
    struct brk_buf json, want;
    brk_buf_init(&json, 1u << 16);
    brk_buf_init(&want, 1u << 16);
    brk_buf_append_str(&json, "{\"system\":[{\"n\":[");
    const char *head[] = {"system", "{", "n", "["};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
        s_piece(&want, head[i]);
    }
    for (size_t i = 0; i < n; i++) {
        char piece[40];
        brk_buf_appendf(&json, "%s%s", i ? "," : "", numbers[i]);
        snprintf(piece, sizeof(piece), "n%.17g", strtod(numbers[i], NULL));
        s_piece(&want, piece);
    }
    brk_buf_append_str(&json, "]}," CP "]}");
    s_piece(&want, "]");
    s_piece(&want, "}");
    unsigned char md[MOCK_CACHE_HASH_LEN];
    brk_hash128(want.data, want.len, md);
    struct mock_cache_plan p;
    s_plan(json.data, &p);
    cr_assert_eq(memcmp(p.points[0].hash, md, MOCK_CACHE_HASH_LEN), 0);
    struct mock_cache_plan zero, minus_zero;
    s_plan("{\"system\":[{\"n\":0}," CP "]}", &zero);
    s_plan("{\"system\":[{\"n\":-0}," CP "]}", &minus_zero);
    cr_assert_neq(memcmp(zero.points[0].hash, minus_zero.points[0].hash, MOCK_CACHE_HASH_LEN), 0, "-0 prints as -0");
    brk_buf_clean_up(&json);
    brk_buf_clean_up(&want);
}

/* Where one token ends is part of the prefix: the same characters split another way, or a
 * string where a number was, are another prompt; the same members in another order are not. */
Test(cache_plan, token_boundaries_and_types_count_key_order_does_not)
{
    struct mock_cache_plan a, b, c, d, e, f;
    s_plan("{\"system\":[{\"text\":\"ab\"},{\"text\":\"c\"}," CP "]}", &a);
    s_plan("{\"system\":[{\"text\":\"a\"},{\"text\":\"bc\"}," CP "]}", &b);
    cr_assert_neq(memcmp(a.points[0].hash, b.points[0].hash, MOCK_CACHE_HASH_LEN), 0, "\"ab\"+\"c\" != \"a\"+\"bc\"");
    s_plan("{\"system\":[{\"k\":1}," CP "]}", &c);
    s_plan("{\"system\":[{\"k\":\"1\"}," CP "]}", &d);
    cr_assert_neq(memcmp(c.points[0].hash, d.points[0].hash, MOCK_CACHE_HASH_LEN), 0, "a number is no string");
    /* 20 members (more than the sort's stack array) and 3, each in two orders. */
    struct brk_buf x, y;
    brk_buf_init(&x, 1u << 16);
    brk_buf_init(&y, 1u << 16);
    brk_buf_append_str(&x, "{\"system\":[{\"a\":{\"z\":1,\"m\":[2],\"b\":true},");
    brk_buf_append_str(&y, "{\"system\":[{\"a\":{\"b\":true,\"z\":1,\"m\":[2]},");
    for (int k = 0; k < 20; k++) {
        brk_buf_appendf(&x, "%s\"k%02d\":%d", k ? "," : "", k, k);
        brk_buf_appendf(&y, "%s\"k%02d\":%d", k ? "," : "", 19 - k, 19 - k);
    }
    brk_buf_append_str(&x, "}," CP "]}");
    brk_buf_append_str(&y, "}," CP "]}");
    s_plan(x.data, &e);
    s_plan(y.data, &f);
    cr_assert_eq(memcmp(e.points[0].hash, f.points[0].hash, MOCK_CACHE_HASH_LEN), 0, "key order does not count");
    brk_buf_clean_up(&x);
    brk_buf_clean_up(&y);
}

/* The record as a cJSON tree, the way it was built before it was written as text: the
 * reference for the bytes. */
static cJSON *s_record_tree(const struct mock_cache_plan *plan, const struct mock_cache_record *r)
{
    cJSON *record = cJSON_CreateObject(), *points = cJSON_AddArrayToObject(record, "points");
    for (size_t i = 0; i < plan->scan.n_points; i++) {
        const struct brk_cachepoint *p = &plan->scan.points[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "location", p->location);
        cJSON_AddNumberToObject(o, "prefix_tokens", (double)p->prefix_tokens);
        cJSON_AddStringToObject(o, "ttl", brk_cachepoint_ttl_name(p->ttl));
        cJSON_AddStringToObject(o, "outcome", r->outcomes[i]);
        if (r->reasons[i]) {
            cJSON_AddStringToObject(o, "reason", r->reasons[i]);
        }
        cJSON_AddItemToArray(points, o);
    }
    for (size_t i = 0; i < plan->n_nested; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "location", plan->nested[i]);
        cJSON_AddStringToObject(o, "outcome", "ignored");
        cJSON_AddStringToObject(o, "reason", "inside_tool_result");
        cJSON_AddItemToArray(points, o);
    }
    cJSON_AddNumberToObject(record, "count", plan->scan.counts.total);
    if (r->rejected_by) {
        cJSON_AddStringToObject(record, "rejected_by", r->rejected_by);
    } else {
        cJSON_AddNumberToObject(record, "read_tokens", (double)r->read_tokens);
        cJSON_AddNumberToObject(record, "write_tokens", (double)r->write_tokens);
        cJSON_AddNumberToObject(record, "input_tokens", (double)r->input_tokens);
    }
    return record;
}

static char *s_print(const cJSON *json)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    cr_assert_eq(brk_json_print(json, &b), BRK_OK);
    return brk_buf_detach(&b, NULL);
}

/* The journal's answer shows the record's text byte for byte as the tree of the same members
 * printed (both record shapes, a reason, a nested point, large counts); another record shows
 * other bytes. */
Test(cache_record, the_journal_shows_the_bytes_the_tree_printed)
{
    struct mock_cache_plan p;
    s_plan("{\"system\":[{\"text\":\"s\"}," CP "],\"messages\":[{\"role\":\"user\",\"content\":"
           "[{\"toolResult\":{\"toolUseId\":\"t\",\"content\":[{\"text\":\"q\"}," CP "]}},"
           "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"1h\"}}]}]}",
           &p);
    cr_assert_eq(p.scan.n_points, 2);
    cr_assert_eq(p.n_nested, 1);
    struct mock_cache_record records[] = {
        {.outcomes = {"read", "write"}, .read_tokens = 1831, .write_tokens = 9007199254740993u, .input_tokens = 0},
        {.outcomes = {"not_simulated", "rejected"},
         .reasons = {NULL, "ttl_not_in_enum"},
         .rejected_by = "ttl_not_in_enum"},
    };
    char *first = NULL;
    for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        struct mock_response resp;
        mock_response_init(&resp);
        mock_cache_record_journal(&resp, &p, &records[i]);
        cJSON *kept = cJSON_GetObjectItemCaseSensitive(resp.journal_extra, "cache");
        cr_assert(cJSON_IsRaw(kept), "one node, not a tree");
        cJSON *want_tree = cJSON_CreateObject();
        cJSON_AddItemToObject(want_tree, "cache", s_record_tree(&p, &records[i]));
        char *got = s_print(resp.journal_extra), *want = s_print(want_tree);
        cr_assert_str_eq(got, want, "record %zu", i);
        cr_assert_not_null(strstr(got, "\"inside_tool_result\""), "the nested point is in it");
        if (first) {
            cr_assert_str_neq(got, first, "another record, other bytes");
            free(got);
        } else {
            first = got;
        }
        free(want);
        cJSON_Delete(want_tree);
        mock_response_clean_up(&resp);
    }
    free(first);
}

/* The plan's walk counts every block, and so does the search that finds no cache point (each
 * block a visit late): either leaves the request's input tokens behind, the same number a count
 * of its own gives, and forgotten with the body. */
Test(cache_plan, the_plan_walk_leaves_the_input_tokens_a_count_gives)
{
    const char *bodies[] = {"{\"system\":[{\"text\":\"Be brief and exact.\"}," CP "]," TOOLS "," CP "]},"
                            "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"How tall is it?\"}," CP "]}]}",
                            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"A longer question, "
                            "without any cache point at all.\"}]}]}",
                            "{\"system\":[{\"text\":\"Be brief.\"},{\"text\":\"And exact.\"}]," TOOLS "]},"
                            "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"},{\"text\":\"there\"}]},"
                            "{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello.\"}]}]}"};
    struct brk_token_profile profile;
    mock_model_token_profile(NULL, &profile);
    struct mock_request req;
    mock_request_init(&req);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        mock_request_set_json(&req, cJSON_Parse(bodies[i]));
        cr_assert_not(req.input_tokens_known, "a new body forgets the old count");
        uint64_t want = brk_converse_input_tokens(req.json, &profile);
        cr_assert_gt(want, 0);
        mock_request_cache_plan(&req);
        cr_assert(req.input_tokens_known,
                  "body %zu: the plan's walk, or the search that found no cache point, "
                  "counted the tokens",
                  i);
        cr_assert_eq(mock_request_input_tokens(&req), want, "body %zu", i);
        cr_assert(req.input_tokens_known);
    }
    mock_request_clean_up(&req);
}

/* The documented policy, slot by slot, as a reference: a new entry takes the first slot (in
 * slot order) that is free or expired, else the least recently used one. */
struct s_ref_slot {
    int key; /* -1: free */
    int64_t ttl_ms, expires_ms;
    uint64_t last_used;
};

static void s_ref_write(struct s_ref_slot *slots, size_t n, int key, int64_t ttl_ms, int64_t now_ms, uint64_t tick)
{
    struct s_ref_slot *e = NULL;
    for (size_t i = 0; i < n && !e; i++) {
        e = slots[i].key == key ? &slots[i] : NULL;
    }
    for (size_t i = 0; i < n && !e; i++) {
        e = slots[i].key < 0 || slots[i].expires_ms <= now_ms ? &slots[i] : NULL;
    }
    for (size_t i = 0; i < n && !e; i++) {
        struct s_ref_slot *lru = &slots[0];
        for (size_t j = 1; j < n; j++) {
            lru = slots[j].last_used < lru->last_used ? &slots[j] : lru;
        }
        e = lru;
    }
    *e = (struct s_ref_slot){key, ttl_ms, now_ms + ttl_ms, tick};
}

/* A long random run of writes and reads with mixed TTLs on a small store: after every step each
 * key is cached exactly when the reference says so, including after a clear. */
Test(cache_store, evictions_follow_the_policy_over_a_long_run)
{
    enum { SLOTS = 8, KEYS = 20 };
    struct mock_cache *c = mock_cache_new(SLOTS);
    struct s_ref_slot ref[SLOTS];
    unsigned char h[KEYS][MOCK_CACHE_HASH_LEN];
    struct mock_cache_key k[KEYS];
    for (int i = 0; i < KEYS; i++) {
        s_hash(h[i], (unsigned char)(i + 1));
        k[i] = (struct mock_cache_key){.account = "a", .model = "m", .hash = h[i]};
    }
    for (int i = 0; i < SLOTS; i++) {
        ref[i] = (struct s_ref_slot){-1, 0, 0, 0};
    }
    uint64_t tick = 0, x = 12345;
    int64_t now = 0;
    for (int step = 0; step < 3000; step++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int key = (int)((x >> 33) % KEYS);
        now += (int64_t)((x >> 20) % 40);
        if (step == 1500) {
            mock_cache_clear(c);
            for (int i = 0; i < SLOTS; i++) {
                ref[i] = (struct s_ref_slot){-1, 0, 0, 0};
            }
        } else if ((x >> 10) % 3 == 0) {
            bool hit = mock_cache_read(c, &k[key], now, NULL), want = false;
            for (int i = 0; i < SLOTS; i++) {
                if (ref[i].key == key && ref[i].expires_ms > now) {
                    want = true;
                    ref[i].expires_ms = now + ref[i].ttl_ms; /* a hit restarts its TTL */
                    ref[i].last_used = ++tick;
                }
            }
            cr_assert_eq(hit, want, "step %d, read of key %d", step, key);
        } else {
            int64_t ttl = (x >> 40) % 2 ? 300 : 60;
            mock_cache_write(c, &k[key], 1, ttl, now);
            s_ref_write(ref, SLOTS, key, ttl, now, ++tick);
        }
        for (int q = 0; q < KEYS; q++) {
            bool want = false;
            for (int i = 0; i < SLOTS; i++) {
                want = want || (ref[i].key == q && ref[i].expires_ms > now);
            }
            cr_assert_eq(mock_cache_peek(c, &k[q], now, NULL), want, "step %d, key %d", step, q);
        }
    }
    mock_cache_destroy(c);
}
