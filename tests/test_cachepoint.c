/* Unit tests for the Converse walk (common/converse_walk.c) and the cache-point scan and
 * placement check (common/cachepoint.c), in-process and without a mock: the client places and
 * trims cache points by these same functions, so each rule has a passing and a failing case
 * here, with Bedrock's exact message. Request bodies are written with ' for " (s_parse). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cachepoint.h"
#include "common/converse_walk.h"

#define CP "{'cachePoint':{'type':'default'}}"
#define CP_1H "{'cachePoint':{'type':'default','ttl':'1h'}}"
#define CP_5M "{'cachePoint':{'type':'default','ttl':'5m'}}"
#define TEXT(s) "{'text':'" s "'}"
#define DOC "{'document':{'format':'pdf','name':'d','source':{'bytes':'AAAA'}}}"
#define REASONING "{'reasoningContent':{'reasoningText':{'text':'thinking'}}}"
#define TOOL(n) "{'toolSpec':{'name':'" n "','inputSchema':{'json':{'type':'object'}}}}"
#define C ","
#define USER(blocks) "{'role':'user','content':[" blocks "]}"
#define ASSISTANT(blocks) "{'role':'assistant','content':[" blocks "]}"

/* What a model allows, as the mock's catalogue describes Claude Sonnet 4.5, Claude 3.5 Sonnet,
 * Nova and Llama (fixtures/models.json). */
static const struct brk_cachepoint_caps s_claude_1h = {.prompt_caching = true,
                                                       .cache_in_tools = true,
                                                       .ttl_1h = true,
                                                       .anthropic = true};
static const struct brk_cachepoint_caps s_claude_5m = {.prompt_caching = true,
                                                       .cache_in_tools = true,
                                                       .ttl_1h = false,
                                                       .anthropic = true};
static const struct brk_cachepoint_caps s_nova = {.prompt_caching = true};
static const struct brk_cachepoint_caps s_no_caching = {.prompt_caching = false};

/* Parse a body written with ' for ". */
static cJSON *s_parse(const char *text)
{
    char *copy = strdup(text);
    cr_assert_not_null(copy);
    for (char *c = copy; *c; c++) {
        *c = *c == '\'' ? '"' : *c;
    }
    cJSON *json = cJSON_Parse(copy);
    free(copy);
    cr_assert_not_null(json, "test body does not parse: %s", text);
    return json;
}

/* Scan and check a body; true when it breaks no rule. */
static bool s_check(const char *body, const struct brk_cachepoint_caps *caps, struct brk_cachepoint_violation *v)
{
    struct brk_cachepoint_list list;
    cJSON *json = s_parse(body);
    brk_cachepoint_scan(json, &list);
    bool ok = brk_cachepoint_check(&list, caps, v);
    cJSON_Delete(json);
    return ok;
}

/* The body passes for `caps` and fails for `bad_caps` (NULL: the same caps) with `rule`,
 * `error` and exactly `message`. */
static void s_expect_broken(const char *body, const struct brk_cachepoint_caps *caps, enum brk_cachepoint_rule rule,
                            enum brk_aws_error error, const char *message)
{
    struct brk_cachepoint_violation v;
    cr_assert_not(s_check(body, caps, &v), "expected %s: %s", brk_cachepoint_rule_name(rule), body);
    cr_assert_eq(v.rule, rule, "rule %s, expected %s", brk_cachepoint_rule_name(v.rule),
                 brk_cachepoint_rule_name(rule));
    cr_assert_eq(v.error, error);
    cr_assert_str_eq(v.message, message);
}

static void s_expect_ok(const char *body, const struct brk_cachepoint_caps *caps)
{
    struct brk_cachepoint_violation v;
    bool ok = s_check(body, caps, &v);
    cr_assert(ok, "expected no violation, got %s (%s): %s", brk_cachepoint_rule_name(v.rule), v.message, body);
    cr_assert_eq(v.rule, BRK_CACHEPOINT_RULE_NONE);
}

/* messages[m].content[b] of a parsed body. */
static const cJSON *s_content(const cJSON *json, int m, int b)
{
    const cJSON *message = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "messages"), m);
    return cJSON_GetArrayItem(cJSON_GetObjectItem(message, "content"), b);
}

/* ---- the walk ---- */

struct s_seen {
    char where[16][BRK_WALK_LOCATION_LEN];
    const char *role[16];
    uint64_t tokens[16];
    bool cache_point[16];
    size_t n;
};

static void s_record_visit(void *ctx, const struct brk_walk_visit *visit)
{
    struct s_seen *seen = ctx;
    cr_assert_lt(seen->n, 16);
    brk_walk_location(visit, seen->where[seen->n], sizeof(seen->where[0]));
    seen->role[seen->n] = visit->role;
    seen->tokens[seen->n] = visit->tokens;
    seen->cache_point[seen->n] = visit->cache_point != NULL;
    seen->n++;
}

/* The JSON's own member order (messages first here) does not matter: Bedrock's order does. */
#define WALKED                                                                                                       \
    "{'messages':[" USER(TEXT("hello there") C "{'toolResult':{'toolUseId':'a','content':[" CP "]}}") "," ASSISTANT( \
        TEXT("hi")) "],'system':[" TEXT("Be brief.") "," CP "],"                                                     \
                                                     "'toolConfig':{'tools':[" TOOL("lookup") "]}}"

Test(converse_walk, visits_tools_then_system_then_messages_with_locations)
{
    static const char *const want[] = {
        "toolConfig.tools[0]",   "system[0]", "system[1]", "messages[0].content[0]", "messages[0].content[1]",
        "messages[1].content[0]"};
    struct s_seen seen = {0};
    cJSON *json = s_parse(WALKED);
    brk_converse_walk(json, NULL, s_record_visit, &seen);
    cr_assert_eq(seen.n, 6, "the cache point inside toolResult is no block of its own");
    for (size_t i = 0; i < seen.n; i++) {
        cr_assert_str_eq(seen.where[i], want[i]);
    }
    cr_assert_null(seen.role[1], "system blocks have no role");
    cr_assert_str_eq(seen.role[3], "user");
    cr_assert_str_eq(seen.role[5], "assistant");
    cr_assert(seen.cache_point[2]);
    cr_assert_not(seen.cache_point[4], "a toolResult holding a cache point is content");
    cr_assert_eq(seen.tokens[2], 0, "a cache point weighs nothing");
    cr_assert_eq(seen.tokens[3], brk_converse_block_tokens(s_content(json, 0, 0), NULL));
    cr_assert_gt(seen.tokens[3], 0);
    uint64_t sum = 0;
    for (size_t i = 0; i < seen.n; i++) {
        sum += seen.tokens[i];
    }
    cr_assert_eq(brk_converse_input_tokens(json, NULL), sum);
    cJSON_Delete(json);
}

Test(converse_walk, the_walk_without_tokens_visits_the_same_blocks)
{
    struct s_seen with = {0}, without = {0};
    cJSON *json = s_parse(WALKED);
    brk_converse_walk(json, NULL, s_record_visit, &with);
    brk_converse_walk_blocks(json, s_record_visit, &without);
    cr_assert_eq(without.n, with.n);
    for (size_t i = 0; i < with.n; i++) {
        cr_assert_str_eq(without.where[i], with.where[i]);
        cr_assert_eq(without.tokens[i], 0);
    }
    cJSON_Delete(json);
}

Test(converse_walk, nothing_to_visit_in_null_or_non_object_input)
{
    struct s_seen seen = {0};
    cJSON *array = s_parse("[" TEXT("x") "]");
    brk_converse_walk(NULL, NULL, s_record_visit, &seen);
    brk_converse_walk(array, NULL, s_record_visit, &seen);
    cr_assert_eq(seen.n, 0);
    cr_assert_eq(brk_converse_input_tokens(NULL, NULL), 0);
    cJSON_Delete(array);
}

Test(converse_walk, last_user_message_is_found_from_the_end)
{
    cJSON *json = s_parse("{'messages':[" USER(TEXT("one")) "," USER(TEXT("two")) "," ASSISTANT(TEXT("x")) "]}");
    const cJSON *last = brk_converse_last_user_message(json);
    cr_assert_eq(last, cJSON_GetArrayItem(cJSON_GetObjectItem(json, "messages"), 1));
    cJSON_Delete(json);
    json = s_parse("{'messages':[" ASSISTANT(TEXT("x")) "]}");
    cr_assert_null(brk_converse_last_user_message(json));
    cJSON_Delete(json);
}

/* ---- the scan ---- */

Test(cachepoint_scan, records_where_each_point_is_and_what_comes_before_it)
{
    cJSON *json = s_parse("{'system':[" TEXT("Be brief.") "," CP_1H "],'messages':[" USER(DOC "," CP) "," ASSISTANT(
        REASONING "," CP) "," USER(TEXT("look") C DOC C CP) "]}");
    struct brk_cachepoint_list list;
    brk_cachepoint_scan(json, &list);
    cr_assert_eq(list.n_points, 4);
    cr_assert_eq(list.counts.total, 4);
    cr_assert_eq(list.total_tokens, brk_converse_input_tokens(json, NULL));
    const struct brk_cachepoint *sys = &list.points[0], *doc = &list.points[1], *rsn = &list.points[2],
                                *after_doc = &list.points[3];
    cr_assert_eq(sys->section, BRK_WALK_SYSTEM);
    cr_assert_eq(sys->message_index, -1);
    cr_assert_eq(sys->block_index, 1);
    cr_assert_eq(sys->anchor_index, 0);
    cr_assert_str_eq(sys->location, "system[1]");
    cr_assert_eq(sys->ttl, BRK_CACHEPOINT_TTL_1H);
    cr_assert_eq(sys->prefix_tokens,
                 brk_converse_block_tokens(cJSON_GetArrayItem(cJSON_GetObjectItem(json, "system"), 0), NULL));
    cr_assert_not(sys->first_in_list);
    cr_assert(doc->first_in_list, "a document alone is nothing cacheable");
    cr_assert(doc->after_document_or_video);
    cr_assert_eq(doc->ttl, BRK_CACHEPOINT_TTL_5M);
    cr_assert_str_eq(doc->location, "messages[0].content[1]");
    cr_assert(rsn->after_reasoning);
    cr_assert_not(rsn->first_in_list);
    cr_assert_eq(rsn->message_index, 1);
    cr_assert_not(after_doc->first_in_list, "text came before the document");
    cr_assert(after_doc->after_document_or_video);
    cr_assert_not(after_doc->after_reasoning);
    cr_assert_eq(after_doc->anchor_index, 1);
    cr_assert_gt(after_doc->prefix_tokens, rsn->prefix_tokens);
    cr_assert_eq(after_doc->cache_point, cJSON_GetObjectItem(s_content(json, 2, 2), "cachePoint"));
    cJSON_Delete(json);
}

Test(cachepoint_scan, lists_the_first_points_and_counts_them_all)
{
    char body[4096] = "{'messages':[{'role':'user','content':[";
    size_t n = BRK_CACHEPOINT_LIST_MAX + 3;
    for (size_t i = 0; i < n; i++) {
        strcat(body, i ? "," TEXT("x") "," CP : TEXT("x") "," CP);
    }
    strcat(body, "]}]}");
    cJSON *json = s_parse(body);
    struct brk_cachepoint_list list;
    brk_cachepoint_scan(json, &list);
    cr_assert_eq(list.n_points, BRK_CACHEPOINT_LIST_MAX);
    cr_assert_eq(list.counts.total, n);
    cr_assert_eq(list.counts.messages, n, "by section too, past the listed ones");
    cr_assert_eq(list.counts.system + list.counts.tools, 0);
    cr_assert_eq(list.points[BRK_CACHEPOINT_LIST_MAX - 1].block_index, 2 * BRK_CACHEPOINT_LIST_MAX - 1);
    cJSON_Delete(json);
}

Test(cachepoint_scan, no_cache_point_gives_an_empty_list_that_passes)
{
    cJSON *json = s_parse("{'messages':[" USER(TEXT("hi")) "]}");
    struct brk_cachepoint_list list;
    struct brk_cachepoint_violation v;
    brk_cachepoint_scan(json, &list);
    cr_assert_eq(list.counts.total, 0);
    cr_assert_eq(list.total_tokens, brk_converse_input_tokens(json, NULL));
    cr_assert(brk_cachepoint_check(&list, &s_no_caching, &v), "no cache point: nothing to refuse");
    cJSON_Delete(json);
}

/* ---- the check: every rule fails once and passes once ---- */

Test(cachepoint_check, type_is_required)
{
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_NO_TYPE, "system.2.member.cachePoint.type");
    s_expect_broken("{'system':[" TEXT("s") ",{'cachePoint':{}}]}", &s_claude_1h, BRK_CACHEPOINT_RULE_TYPE_MISSING,
                    BRK_AWS_VALIDATION, msg);
    s_expect_broken("{'system':[" TEXT("s") ",{'cachePoint':{'type':null}}]}", &s_claude_1h,
                    BRK_CACHEPOINT_RULE_TYPE_MISSING, BRK_AWS_VALIDATION, msg);
    s_expect_ok("{'system':[" TEXT("s") "," CP "]}", &s_claude_1h);
}

Test(cachepoint_check, type_must_be_default)
{
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_BAD_TYPE, "messages.2.member.content.3.member.cachePoint.type");
    s_expect_broken("{'messages':[" USER(TEXT("a")) "," USER(TEXT("b") C TEXT("c") C
                                                             "{'cachePoint':{'type':'ephemeral'}}") "]}",
                    &s_claude_1h, BRK_CACHEPOINT_RULE_TYPE_NOT_DEFAULT, BRK_AWS_VALIDATION, msg);
    s_expect_ok("{'messages':[" USER(TEXT("a")) "," USER(TEXT("b") C TEXT("c") C CP) "]}", &s_claude_1h);
}

Test(cachepoint_check, ttl_must_be_5m_or_1h)
{
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_BAD_TTL, "toolConfig.tools.2.member.cachePoint.ttl");
    s_expect_broken("{'toolConfig':{'tools':[" TOOL("t") ",{'cachePoint':{'type':'default','ttl':'2h'}}]}}",
                    &s_claude_1h, BRK_CACHEPOINT_RULE_TTL_NOT_IN_ENUM, BRK_AWS_VALIDATION, msg);
    s_expect_ok("{'toolConfig':{'tools':[" TOOL("t") "," CP_1H "]}}", &s_claude_1h);
    s_expect_ok("{'toolConfig':{'tools':[" TOOL("t") "," CP_5M "]}}", &s_claude_1h);
}

Test(cachepoint_check, a_model_without_prompt_caching_refuses_every_point_but_members_come_first)
{
    const char *body = "{'system':[" TEXT("s") "," CP "]}";
    struct brk_cachepoint_violation v;
    s_expect_broken(body, &s_no_caching, BRK_CACHEPOINT_RULE_NO_CACHING_MODEL, BRK_AWS_ACCESS_DENIED,
                    BRK_CACHEPOINT_MSG_UNSUPPORTED_MODEL);
    cr_assert_not(s_check(body, &s_no_caching, &v));
    cr_assert_eq(v.point, 1, "the rule concerns the request: point == n_points");
    s_expect_ok(body, &s_nova);
    cr_assert_not(s_check("{'system':[" TEXT("s") ",{'cachePoint':{'type':'x'}}]}", &s_no_caching, &v));
    cr_assert_eq(v.rule, BRK_CACHEPOINT_RULE_TYPE_NOT_DEFAULT, "input validation comes before the model");
}

Test(cachepoint_check, at_most_four_points_across_the_three_lists)
{
    const char *four = "{'toolConfig':{'tools':[" TOOL("t") "," CP "]},'system':[" TEXT(
        "s") "," CP "],"
             "'messages':[" USER(TEXT("a") C CP C TEXT("b") C CP) "]}";
    const char *five = "{'toolConfig':{'tools':[" TOOL("t") "," CP "]},'system':[" TEXT(
        "s") "," CP "],"
             "'messages':[" USER(TEXT("a") C CP C TEXT("b") C CP C TEXT("c") C CP) "]}";
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_TOO_MANY, 5u);
    s_expect_ok(four, &s_claude_1h);
    s_expect_broken(five, &s_claude_1h, BRK_CACHEPOINT_RULE_TOO_MANY, BRK_AWS_VALIDATION, msg);
    /* The count comes before any placement rule: Nova's tools rule would break too. */
    s_expect_broken(five, &s_nova, BRK_CACHEPOINT_RULE_TOO_MANY, BRK_AWS_VALIDATION, msg);
}

Test(cachepoint_check, tools_take_a_point_only_where_the_model_allows_it)
{
    const char *body = "{'toolConfig':{'tools':[" TOOL("a") "," CP "]}}";
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_NOT_IN_TOOLS, 1);
    s_expect_broken(body, &s_nova, BRK_CACHEPOINT_RULE_NOT_IN_TOOLS, BRK_AWS_VALIDATION, msg);
    s_expect_ok(body, &s_claude_5m);
    s_expect_ok("{'system':[" TEXT("s") "," CP "]}", &s_nova);
}

Test(cachepoint_check, a_point_needs_cacheable_content_before_it_in_its_own_list)
{
    s_expect_broken("{'messages':[" USER(CP C TEXT("after")) "]}", &s_claude_1h, BRK_CACHEPOINT_RULE_NOTHING_BEFORE,
                    BRK_AWS_VALIDATION, BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
    s_expect_broken("{'messages':[" USER(DOC C CP) "]}", &s_claude_1h, BRK_CACHEPOINT_RULE_NOTHING_BEFORE,
                    BRK_AWS_VALIDATION, BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
    /* Content in an earlier list does not count: system text before a message's leading point. */
    s_expect_broken("{'system':[" TEXT("s") "],'messages':[" USER(CP C TEXT("x")) "]}", &s_claude_1h,
                    BRK_CACHEPOINT_RULE_NOTHING_BEFORE, BRK_AWS_VALIDATION, BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
    s_expect_ok("{'messages':[" USER(TEXT("x") C DOC C CP) "]}", &s_claude_1h);
    s_expect_ok("{'messages':[" USER(TEXT("x") C CP) "]}", &s_claude_1h);
}

Test(cachepoint_check, no_point_right_after_reasoning)
{
    s_expect_broken("{'messages':[" USER(TEXT("q")) "," ASSISTANT(REASONING C CP) "]}", &s_claude_1h,
                    BRK_CACHEPOINT_RULE_AFTER_REASONING, BRK_AWS_VALIDATION, BRK_CACHEPOINT_MSG_AFTER_REASONING);
    s_expect_ok("{'messages':[" USER(TEXT("q")) "," ASSISTANT(REASONING C TEXT("a") C CP) "]}", &s_claude_1h);
}

Test(cachepoint_check, ttl_1h_only_where_the_model_offers_it)
{
    const char *body = "{'system':[" TEXT("s") "," CP_1H "]}";
    char msg[512];
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_TTL_EXTRA, "system.0");
    s_expect_broken(body, &s_claude_5m, BRK_CACHEPOINT_RULE_TTL_1H_NOT_OFFERED, BRK_AWS_VALIDATION, msg);
    s_expect_broken(body, &s_nova, BRK_CACHEPOINT_RULE_TTL_1H_NOT_OFFERED, BRK_AWS_VALIDATION,
                    BRK_CACHEPOINT_MSG_TTL_NOT_ANTHROPIC);
    s_expect_ok(body, &s_claude_1h);
    s_expect_ok("{'system':[" TEXT("s") "," CP_5M "]}", &s_claude_5m);
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_TTL_EXTRA, "tools.1");
    s_expect_broken("{'toolConfig':{'tools':[" TOOL("a") "," TOOL("b") "," CP_1H "]}}", &s_claude_5m,
                    BRK_CACHEPOINT_RULE_TTL_1H_NOT_OFFERED, BRK_AWS_VALIDATION, msg);
}

Test(cachepoint_check, a_1h_point_never_follows_a_5m_one_in_processing_order)
{
    char msg[512];
    /* The path names the block Anthropic hangs the point on: the content before it, cache
     * points not counted. */
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_TTL_ORDER, "messages.1.content.1");
    s_expect_broken("{'system':[" TEXT("s") "," CP_1H "],'messages':[" USER(TEXT("q")) "," USER(
                        TEXT("a") C CP C TEXT("b") C CP_1H) "]}",
                    &s_claude_1h, BRK_CACHEPOINT_RULE_TTL_1H_AFTER_5M, BRK_AWS_VALIDATION, msg);
    snprintf(msg, sizeof(msg), BRK_CACHEPOINT_MSG_TTL_ORDER, "system.0");
    s_expect_broken("{'toolConfig':{'tools':[" TOOL("t") "," CP_5M "]},'system':[" TEXT("s") "," CP_1H "]}",
                    &s_claude_1h, BRK_CACHEPOINT_RULE_TTL_1H_AFTER_5M, BRK_AWS_VALIDATION, msg);
    s_expect_ok("{'toolConfig':{'tools':[" TOOL("t") "," CP_1H "]},'system':[" TEXT("s") "," CP "]}", &s_claude_1h);
}

Test(cachepoint_check, below_the_minimum_only_when_asked)
{
    const char *body = "{'system':[" TEXT("Be brief.") "," CP "]}";
    cJSON *json = s_parse(body);
    struct brk_cachepoint_list list;
    brk_cachepoint_scan(json, &list);
    uint64_t prefix = list.points[0].prefix_tokens;
    cJSON_Delete(json);
    cr_assert_gt(prefix, 0);
    struct brk_cachepoint_caps caps = s_claude_1h;
    caps.min_tokens = prefix + 1;
    s_expect_broken(body, &caps, BRK_CACHEPOINT_RULE_BELOW_MINIMUM, BRK_AWS_VALIDATION,
                    BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
    caps.min_tokens = prefix;
    s_expect_ok(body, &caps);
    caps.min_tokens = 0;
    s_expect_ok(body, &caps);
}

Test(cachepoint_check, the_first_point_in_processing_order_decides)
{
    struct brk_cachepoint_violation v;
    /* Two broken placement rules: system's point leads its list, the message's follows
     * reasoning. System is processed first, whatever the JSON's member order. */
    cr_assert_not(s_check("{'messages':[" USER(TEXT("q")) "," ASSISTANT(REASONING C CP) "],'system':[" CP
                                                                                        "," TEXT("s") "]}",
                          &s_claude_1h, &v));
    cr_assert_eq(v.rule, BRK_CACHEPOINT_RULE_NOTHING_BEFORE, "system comes before messages");
    cr_assert_eq(v.point, 0);
}

Test(cachepoint_check, every_rule_has_its_journal_name)
{
    cr_assert_str_eq(brk_cachepoint_rule_name(BRK_CACHEPOINT_RULE_NONE), "none");
    cr_assert_str_eq(brk_cachepoint_rule_name(BRK_CACHEPOINT_RULE_TOO_MANY), "too_many");
    cr_assert_str_eq(brk_cachepoint_rule_name(BRK_CACHEPOINT_RULE_BELOW_MINIMUM), "below_minimum");
    cr_assert_str_eq(brk_cachepoint_rule_name((enum brk_cachepoint_rule)1000), "unknown");
    /* The journal tells rules apart by name: each is its own. */
    static const enum brk_cachepoint_rule rules[] = {
#define S_RULE(name, str) BRK_CACHEPOINT_RULE_##name,
        BRK_CACHEPOINT_RULES(S_RULE)
#undef S_RULE
    };
    size_t n = sizeof(rules) / sizeof(rules[0]);
    cr_assert_eq(n, 11);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_neq(brk_cachepoint_rule_name(rules[i]), "unknown");
        for (size_t j = 0; j < i; j++) {
            cr_assert_str_neq(brk_cachepoint_rule_name(rules[i]), brk_cachepoint_rule_name(rules[j]));
        }
    }
}

Test(cachepoint_scan, counts_by_section_as_the_count_does)
{
    cJSON *json =
        s_parse("{'toolConfig':{'tools':[" CP "]},'system':[" TEXT("s") "," CP "," CP "],"
                                                                        "'messages':[" USER(TEXT("a") "," CP) "]}");
    struct brk_cachepoint_list list;
    struct brk_cachepoint_counts counts;
    brk_cachepoint_scan(json, &list);
    brk_cachepoint_count(json, &counts);
    cr_assert_eq(list.counts.tools, 1);
    cr_assert_eq(list.counts.system, 2);
    cr_assert_eq(list.counts.messages, 1);
    cr_assert_eq(list.counts.total, 4);
    cr_assert_eq(memcmp(&list.counts, &counts, sizeof(counts)), 0);
    cJSON_Delete(json);
}
