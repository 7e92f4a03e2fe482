/* cachepoint.c: counting, scanning and checking cache points (see cachepoint.h). */
#include "common/cachepoint.h"

#include <stdio.h>
#include <string.h>

#include "common/converse_walk.h"
#include "common/json.h"

static void s_count_in(struct brk_cachepoint_counts *out, enum brk_walk_section section)
{
    switch (section) {
    case BRK_WALK_TOOLS:
        out->tools++;
        break;
    case BRK_WALK_SYSTEM:
        out->system++;
        break;
    case BRK_WALK_MESSAGES:
        out->messages++;
        break;
    }
    out->total++;
}

static void s_count_visit(void *ctx, const struct brk_walk_visit *visit)
{
    if (visit->cache_point) {
        s_count_in(ctx, visit->section);
    }
}

/* The walk visits exactly the positions Bedrock reads, in its order: counting on it keeps the
 * count and the placement rules from disagreeing about what is a cache point. */
void brk_cachepoint_count(const cJSON *request, struct brk_cachepoint_counts *out)
{
    memset(out, 0, sizeof(*out));
    brk_converse_walk_blocks(request, s_count_visit, out);
}

enum brk_cachepoint_ttl brk_cachepoint_ttl_of(const cJSON *cache_point)
{
    const cJSON *ttl = brk_json_get(cache_point, "ttl");
    if (!ttl) {
        return BRK_CACHEPOINT_TTL_5M;
    }
    const char *s = cJSON_GetStringValue(ttl);
    if (s && strcmp(s, "5m") == 0) {
        return BRK_CACHEPOINT_TTL_5M;
    }
    if (s && strcmp(s, "1h") == 0) {
        return BRK_CACHEPOINT_TTL_1H;
    }
    return BRK_CACHEPOINT_TTL_INVALID;
}

const char *brk_cachepoint_ttl_name(enum brk_cachepoint_ttl ttl)
{
    switch (ttl) {
    case BRK_CACHEPOINT_TTL_5M:
        return "5m";
    case BRK_CACHEPOINT_TTL_1H:
        return "1h";
    default:
        return "invalid";
    }
}

int64_t brk_cachepoint_ttl_ms(enum brk_cachepoint_ttl ttl)
{
    switch (ttl) {
    case BRK_CACHEPOINT_TTL_5M:
        return BRK_CACHEPOINT_TTL_5M_MS;
    case BRK_CACHEPOINT_TTL_1H:
        return BRK_CACHEPOINT_TTL_1H_MS;
    default:
        return 0;
    }
}

bool brk_cachepoint_type_valid(const cJSON *cache_point)
{
    const char *type = cJSON_GetStringValue(brk_json_get(cache_point, "type"));
    return type && strcmp(type, "default") == 0;
}

/* ---- The scan ---- */

static bool s_document_or_video(const cJSON *block)
{
    return brk_json_get(block, "document") || brk_json_get(block, "video");
}

void brk_cachepoint_scanner_init(struct brk_cachepoint_scanner *scanner, struct brk_cachepoint_list *out)
{
    memset(out, 0, sizeof(*out));
    memset(scanner, 0, sizeof(*scanner));
    scanner->list = out;
}

static void s_record(struct brk_cachepoint_scanner *sc, const struct brk_walk_visit *v, struct brk_cachepoint *p)
{
    memset(p, 0, sizeof(*p));
    p->section = v->section;
    p->message_index = v->message_index;
    p->block_index = v->block_index;
    p->anchor_index = sc->content_before - 1;
    brk_walk_location(v, p->location, sizeof(p->location));
    p->cache_point = v->cache_point;
    p->ttl = brk_cachepoint_ttl_of(v->cache_point);
    p->prefix_tokens = sc->list->total_tokens;
    p->first_in_list = sc->cacheable_before == 0;
    p->after_reasoning = sc->previous && brk_json_get(sc->previous, "reasoningContent");
    p->after_document_or_video = sc->previous && s_document_or_video(sc->previous);
}

const struct brk_cachepoint *brk_cachepoint_scanner_visit(struct brk_cachepoint_scanner *sc,
                                                          const struct brk_walk_visit *v)
{
    struct brk_cachepoint_list *list = sc->list;
    struct brk_cachepoint *recorded = NULL;
    if (v->block_index == 0) { /* a new list: the rules look only within a point's own list */
        sc->content_before = 0;
        sc->cacheable_before = 0;
        sc->previous = NULL;
    }
    if (v->cache_point) {
        s_count_in(&list->counts, v->section);
        if (list->n_points < BRK_CACHEPOINT_LIST_MAX) {
            recorded = &list->points[list->n_points++];
            s_record(sc, v, recorded);
        }
    } else {
        list->total_tokens += v->tokens;
        sc->content_before++;
        /* Documents and videos are not cacheable content of their own (docs/prompt-caching.md). */
        sc->cacheable_before += !s_document_or_video(v->block);
    }
    sc->previous = v->block;
    return recorded;
}

static void s_scan_visit(void *ctx, const struct brk_walk_visit *visit)
{
    brk_cachepoint_scanner_visit(ctx, visit);
}

void brk_cachepoint_scan(const cJSON *converse_input, struct brk_cachepoint_list *out)
{
    struct brk_cachepoint_scanner scanner;
    brk_cachepoint_scanner_init(&scanner, out);
    brk_converse_walk(converse_input, NULL, s_scan_visit, &scanner);
}

/* ---- The check ---- */

static const char *const s_rule_names[] = {"none",
#define S_RULE_NAME(name, str) str,
                                           BRK_CACHEPOINT_RULES(S_RULE_NAME)
#undef S_RULE_NAME
};

const char *brk_cachepoint_rule_name(enum brk_cachepoint_rule rule)
{
    size_t i = (size_t)rule;
    return i < sizeof(s_rule_names) / sizeof(s_rule_names[0]) ? s_rule_names[i] : "unknown";
}

/* Coral's 1-based path of the point's CachePointBlock member: "system.2.member.cachePoint.type". */
static void s_member_path(const struct brk_cachepoint *p, const char *member, char *out, size_t out_len)
{
    if (p->section == BRK_WALK_MESSAGES) {
        snprintf(out, out_len, "messages.%d.member.content.%d.member.cachePoint.%s", p->message_index + 1,
                 p->block_index + 1, member);
    } else {
        snprintf(out, out_len, "%s.%d.member.cachePoint.%s",
                 p->section == BRK_WALK_TOOLS ? "toolConfig.tools" : "system", p->block_index + 1, member);
    }
}

/* Anthropic's 0-based path of the block it hangs the point on: "messages.3.content.0". */
static void s_anthropic_path(const struct brk_cachepoint *p, char *out, size_t out_len)
{
    if (p->section == BRK_WALK_MESSAGES) {
        snprintf(out, out_len, "messages.%d.content.%d", p->message_index, p->anchor_index);
    } else {
        snprintf(out, out_len, "%s.%d", p->section == BRK_WALK_TOOLS ? "tools" : "system", p->anchor_index);
    }
}

/* Record the broken rule; the message is formatted by the caller into out->message. */
static bool s_broken(struct brk_cachepoint_violation *out, enum brk_cachepoint_rule rule)
{
    out->rule = rule;
    return true;
}

static bool s_member_invalid(const struct brk_cachepoint *p, struct brk_cachepoint_violation *v)
{
    const cJSON *type = brk_json_get(p->cache_point, "type");
    char path[128];
    if (!type || cJSON_IsNull(type)) {
        s_member_path(p, "type", path, sizeof(path));
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_NO_TYPE, path);
        return s_broken(v, BRK_CACHEPOINT_RULE_TYPE_MISSING);
    }
    if (!brk_cachepoint_type_valid(p->cache_point)) {
        s_member_path(p, "type", path, sizeof(path));
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_BAD_TYPE, path);
        return s_broken(v, BRK_CACHEPOINT_RULE_TYPE_NOT_DEFAULT);
    }
    if (p->ttl == BRK_CACHEPOINT_TTL_INVALID) {
        s_member_path(p, "ttl", path, sizeof(path));
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_BAD_TTL, path);
        return s_broken(v, BRK_CACHEPOINT_RULE_TTL_NOT_IN_ENUM);
    }
    return false;
}

/* The TTL rules: 1h only where the model offers it, and never after a 5m point. */
static bool s_ttl_rejected(const struct brk_cachepoint_caps *caps, const struct brk_cachepoint *p, bool seen_5m,
                           struct brk_cachepoint_violation *v)
{
    char path[64];
    if (p->ttl != BRK_CACHEPOINT_TTL_1H) {
        return false;
    }
    s_anthropic_path(p, path, sizeof(path));
    if (!caps->ttl_1h) {
        if (caps->anthropic) {
            snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TTL_EXTRA, path);
        } else {
            snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_TTL_NOT_ANTHROPIC);
        }
        return s_broken(v, BRK_CACHEPOINT_RULE_TTL_1H_NOT_OFFERED);
    }
    if (seen_5m) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TTL_ORDER, path);
        return s_broken(v, BRK_CACHEPOINT_RULE_TTL_1H_AFTER_5M);
    }
    return false;
}

static bool s_placement_rejected(const struct brk_cachepoint_caps *caps, const struct brk_cachepoint *p, bool seen_5m,
                                 struct brk_cachepoint_violation *v)
{
    if (p->section == BRK_WALK_TOOLS && !caps->cache_in_tools) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_NOT_IN_TOOLS, p->block_index);
        return s_broken(v, BRK_CACHEPOINT_RULE_NOT_IN_TOOLS);
    }
    if (p->first_in_list) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
        return s_broken(v, BRK_CACHEPOINT_RULE_NOTHING_BEFORE);
    }
    if (p->after_reasoning) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_AFTER_REASONING);
        return s_broken(v, BRK_CACHEPOINT_RULE_AFTER_REASONING);
    }
    if (s_ttl_rejected(caps, p, seen_5m, v)) {
        return true;
    }
    if (p->prefix_tokens < caps->min_tokens) {
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_NOTHING_TO_CACHE);
        return s_broken(v, BRK_CACHEPOINT_RULE_BELOW_MINIMUM);
    }
    return false;
}

/* The rules that concern the request as a whole, not one point. */
static bool s_request_rejected(const struct brk_cachepoint_list *list, const struct brk_cachepoint_caps *caps,
                               struct brk_cachepoint_violation *v)
{
    v->point = list->n_points;
    if (!caps->prompt_caching) {
        v->error = BRK_AWS_ACCESS_DENIED;
        snprintf(v->message, sizeof(v->message), "%s", BRK_CACHEPOINT_MSG_UNSUPPORTED_MODEL);
        return s_broken(v, BRK_CACHEPOINT_RULE_NO_CACHING_MODEL);
    }
    if (list->counts.total > BRK_CACHEPOINT_MAX) {
        snprintf(v->message, sizeof(v->message), BRK_CACHEPOINT_MSG_TOO_MANY, list->counts.total);
        return s_broken(v, BRK_CACHEPOINT_RULE_TOO_MANY);
    }
    return false;
}

bool brk_cachepoint_check(const struct brk_cachepoint_list *list, const struct brk_cachepoint_caps *caps,
                          struct brk_cachepoint_violation *out)
{
    memset(out, 0, sizeof(*out));
    out->error = BRK_AWS_VALIDATION;
    if (list->counts.total == 0) {
        return true;
    }
    for (out->point = 0; out->point < list->n_points; out->point++) {
        if (s_member_invalid(&list->points[out->point], out)) {
            return false;
        }
    }
    if (s_request_rejected(list, caps, out)) {
        return false;
    }
    bool seen_5m = false;
    for (out->point = 0; out->point < list->n_points; out->point++) {
        const struct brk_cachepoint *p = &list->points[out->point];
        if (s_placement_rejected(caps, p, seen_5m, out)) {
            return false;
        }
        seen_5m = seen_5m || p->ttl == BRK_CACHEPOINT_TTL_5M;
    }
    out->point = 0;
    return true;
}
