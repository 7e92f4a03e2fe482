/* cachepoint.c: counting cache points (see cachepoint.h). */
#include "common/cachepoint.h"

#include <string.h>

static unsigned s_count_in(const cJSON *blocks)
{
    unsigned n = 0;
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, blocks)
    {
        if (cJSON_IsObject(block) && cJSON_GetObjectItemCaseSensitive(block, "cachePoint")) {
            n++;
        }
    }
    return n;
}

void brk_cachepoint_count(const cJSON *request, struct brk_cachepoint_counts *out)
{
    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(request)) {
        return;
    }
    out->system = s_count_in(cJSON_GetObjectItemCaseSensitive(request, "system"));
    const cJSON *tool_config = cJSON_GetObjectItemCaseSensitive(request, "toolConfig");
    out->tools = s_count_in(cJSON_GetObjectItemCaseSensitive(tool_config, "tools"));
    const cJSON *message = NULL;
    cJSON_ArrayForEach(message, cJSON_GetObjectItemCaseSensitive(request, "messages"))
    {
        out->messages += s_count_in(cJSON_GetObjectItemCaseSensitive(message, "content"));
    }
    out->total = out->system + out->tools + out->messages;
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
