/* cachepoint.c: counting cache points (see cachepoint.h). */
#include "common/cachepoint.h"

#include <string.h>

#include "common/converse_walk.h"

static void s_count_visit(void *ctx, const struct brk_walk_visit *visit)
{
    struct brk_cachepoint_counts *out = ctx;
    if (!visit->cache_point) {
        return;
    }
    switch (visit->section) {
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

/* The walk visits exactly the positions Bedrock reads, in its order: counting on it keeps the
 * count and the placement rules from disagreeing about what is a cache point. */
void brk_cachepoint_count(const cJSON *request, struct brk_cachepoint_counts *out)
{
    memset(out, 0, sizeof(*out));
    brk_converse_walk_blocks(request, s_count_visit, out);
}

enum brk_cachepoint_ttl brk_cachepoint_ttl_of(const cJSON *cache_point)
{
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(cache_point, "ttl");
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
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cache_point, "type"));
    return type && strcmp(type, "default") == 0;
}
