/*
 * rules_reply.c: a rule's scripted reply replaces the generated content of a Converse or
 * ConverseStream answer (mock_converse_build_reply calls it, so both operations agree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/model/reply.h"
#include "mock/rules/rules.h"

static char *s_tool_use_id(const struct mock_request *req, const char *name)
{
    char id[31];
    mock_reply_tool_use_id(req, name, id);
    return strdup(id);
}

static void s_add_tool_use(const struct mock_request *req, struct mock_reply *reply, const cJSON *tu)
{
    struct mock_reply_block *b = mock_reply_add(reply, MOCK_BLOCK_TOOL_USE);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "name"));
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tu, "toolUseId"));
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(tu, "input");
    if (!b || !name) {
        return;
    }
    b->tool_name = strdup(name);
    b->tool_use_id = id ? strdup(id) : s_tool_use_id(req, name);
    b->tool_input = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
}

/* Replace the content blocks (reasoning is kept: a scripted answer still "thought"). */
static void s_replace_content(const struct mock_request *req, struct mock_reply *reply, const cJSON *text,
                              const cJSON *tu)
{
    struct mock_reply reasoning;
    mock_reply_init(&reasoning);
    for (size_t i = 0; i < reply->n_blocks; i++) {
        if (reply->blocks[i].kind == MOCK_BLOCK_REASONING) {
            reasoning.blocks[reasoning.n_blocks++] = reply->blocks[i];
            memset(&reply->blocks[i], 0, sizeof(reply->blocks[i]));
            reply->blocks[i].kind = MOCK_BLOCK_TEXT;
        }
    }
    mock_reply_clean_up(reply);
    memcpy(reply->blocks, reasoning.blocks, sizeof(reasoning.blocks));
    reply->n_blocks = reasoning.n_blocks;
    if (text) {
        struct mock_reply_block *b = mock_reply_add(reply, MOCK_BLOCK_TEXT);
        if (b) {
            b->text = strdup(text->valuestring);
        }
    }
    if (tu) {
        s_add_tool_use(req, reply, tu);
    }
    snprintf(reply->stop_reason, sizeof(reply->stop_reason), "%s", tu ? "tool_use" : "end_turn");
}

void mock_rules_apply_reply(const struct mock_request *req, struct mock_reply *reply)
{
    const cJSON *o = req->rule.reply;
    if (!o) {
        return;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
    const cJSON *tu = cJSON_GetObjectItemCaseSensitive(o, "toolUse");
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(o, "stopReason");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
    if (text || tu) {
        s_replace_content(req, reply, text, tu);
        mock_reply_finish(reply, req->json);
    }
    /* Explicit values win over what the content implies or the counts say. */
    if (cJSON_IsString(stop)) {
        snprintf(reply->stop_reason, sizeof(reply->stop_reason), "%s", stop->valuestring);
    }
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(usage, "inputTokens");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(usage, "outputTokens");
    if (cJSON_IsNumber(in)) {
        reply->input_tokens = (uint64_t)in->valuedouble;
    }
    if (cJSON_IsNumber(out)) {
        reply->output_tokens = (uint64_t)out->valuedouble;
    }
}
