/* converse_walk.c: the Converse walk and its token accounting (see converse_walk.h). */
#include "common/converse_walk.h"

#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/tokens.h"

static uint64_t s_json_tokens(const cJSON *json)
{
    if (!json) {
        return 0;
    }
    if (cJSON_IsString(json)) {
        return brk_tokens_estimate_str(json->valuestring);
    }
    char *text = cJSON_PrintUnformatted(json);
    uint64_t n = brk_tokens_estimate_str(text);
    cJSON_free(text); /* printed by cJSON's allocator, so freed by it */
    return n;
}

static uint64_t s_document_tokens(const cJSON *doc)
{
    const cJSON *source = brk_json_get(doc, "source");
    uint64_t n = s_json_tokens(brk_json_get(doc, "name"));
    const cJSON *bytes = brk_json_get(source, "bytes");
    if (cJSON_IsString(bytes)) {
        /* Decoded size is 3/4 of the base64 text; about 4 bytes of extracted text per token. */
        n += (uint64_t)strlen(bytes->valuestring) * 3 / 4 / 4;
    }
    n += s_json_tokens(brk_json_get(source, "text"));
    const cJSON *chunk = NULL;
    cJSON_ArrayForEach(chunk, brk_json_get(source, "content"))
    {
        n += s_json_tokens(brk_json_get(chunk, "text"));
    }
    return n;
}

static uint64_t s_tool_result_tokens(const cJSON *result)
{
    uint64_t n = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, brk_json_get(result, "content"))
    {
        n += brk_converse_block_tokens(item);
    }
    return n;
}

uint64_t brk_converse_block_tokens(const cJSON *block)
{
    const cJSON *v = NULL;
    if ((v = brk_json_get(block, "text")) && cJSON_IsString(v)) {
        return brk_tokens_estimate_str(v->valuestring);
    }
    if ((v = brk_json_get(block, "json"))) {
        return s_json_tokens(v);
    }
    if (brk_json_get(block, "cachePoint")) {
        return 0;
    }
    if (brk_json_get(block, "image") || brk_json_get(block, "video")) {
        return BRK_WALK_IMAGE_TOKENS;
    }
    if ((v = brk_json_get(block, "document"))) {
        return s_document_tokens(v);
    }
    if ((v = brk_json_get(block, "toolUse"))) {
        return s_json_tokens(brk_json_get(v, "name")) + s_json_tokens(brk_json_get(v, "input"));
    }
    if ((v = brk_json_get(block, "toolResult"))) {
        return s_tool_result_tokens(v);
    }
    if ((v = brk_json_get(block, "toolSpec"))) {
        const cJSON *schema = brk_json_get(brk_json_get(v, "inputSchema"), "json");
        return s_json_tokens(brk_json_get(v, "name")) + s_json_tokens(brk_json_get(v, "description")) +
               s_json_tokens(schema);
    }
    if ((v = brk_json_get(block, "reasoningContent"))) {
        return s_json_tokens(brk_json_get(brk_json_get(v, "reasoningText"), "text"));
    }
    if ((v = brk_json_get(block, "guardContent"))) {
        return s_json_tokens(brk_json_get(brk_json_get(v, "text"), "text"));
    }
    return s_json_tokens(block);
}

static void s_visit(brk_walk_fn fn, void *ctx, struct brk_walk_visit *visit, const cJSON *block, bool count)
{
    visit->block = block;
    visit->cache_point = brk_json_get(block, "cachePoint");
    visit->tokens = count ? brk_converse_block_tokens(block) : 0;
    fn(ctx, visit);
}

static void s_walk(const cJSON *input, brk_walk_fn fn, void *ctx, bool count)
{
    struct brk_walk_visit visit;
    const cJSON *block = NULL;
    int i = 0;
    memset(&visit, 0, sizeof(visit));
    visit.message_index = -1;
    visit.section = BRK_WALK_TOOLS;
    cJSON_ArrayForEach(block, brk_json_get(brk_json_get(input, "toolConfig"), "tools"))
    {
        visit.block_index = i++;
        s_visit(fn, ctx, &visit, block, count);
    }
    visit.section = BRK_WALK_SYSTEM;
    i = 0;
    cJSON_ArrayForEach(block, brk_json_get(input, "system"))
    {
        visit.block_index = i++;
        s_visit(fn, ctx, &visit, block, count);
    }
    visit.section = BRK_WALK_MESSAGES;
    int m = 0;
    const cJSON *message = NULL;
    cJSON_ArrayForEach(message, brk_json_get(input, "messages"))
    {
        visit.message_index = m++;
        visit.role = cJSON_GetStringValue(brk_json_get(message, "role"));
        i = 0;
        cJSON_ArrayForEach(block, brk_json_get(message, "content"))
        {
            visit.block_index = i++;
            s_visit(fn, ctx, &visit, block, count);
        }
    }
}

void brk_converse_walk(const cJSON *input, brk_walk_fn fn, void *ctx)
{
    s_walk(input, fn, ctx, true);
}

void brk_converse_walk_blocks(const cJSON *input, brk_walk_fn fn, void *ctx)
{
    s_walk(input, fn, ctx, false);
}

void brk_walk_location(const struct brk_walk_visit *visit, char *out, size_t out_len)
{
    switch (visit->section) {
    case BRK_WALK_TOOLS:
        snprintf(out, out_len, "toolConfig.tools[%d]", visit->block_index);
        break;
    case BRK_WALK_SYSTEM:
        snprintf(out, out_len, "system[%d]", visit->block_index);
        break;
    case BRK_WALK_MESSAGES:
        snprintf(out, out_len, "messages[%d].content[%d]", visit->message_index, visit->block_index);
        break;
    }
}

static void s_sum(void *ctx, const struct brk_walk_visit *visit)
{
    *(uint64_t *)ctx += visit->tokens;
}

uint64_t brk_converse_input_tokens(const cJSON *input)
{
    uint64_t total = 0;
    brk_converse_walk(input, s_sum, &total);
    return total;
}

/* Both the reply generator (what to echo) and the rule matchers (text, toolResult) look at the
 * caller's latest turn; scanning from the end finds it without walking the history. */
const cJSON *brk_converse_last_user_message(const cJSON *input)
{
    const cJSON *msgs = brk_json_get(input, "messages");
    for (int i = cJSON_GetArraySize(msgs) - 1; i >= 0; i--) {
        const cJSON *m = cJSON_GetArrayItem(msgs, i);
        const char *role = cJSON_GetStringValue(brk_json_get(m, "role"));
        if (role && strcmp(role, "user") == 0) {
            return m;
        }
    }
    return NULL;
}
