/* cachepoint.c: counting cache points (see cachepoint.h). */
#include "bedrock/cachepoint.h"

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
