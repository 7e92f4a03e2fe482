/*
 * request_blocks.c: messages, system blocks, and the content blocks that carry no media (text,
 * toolUse, toolResult, reasoning, cachePoint, guardContent, citationsContent).
 *
 * Every adder asks brk_rq_slot where its block goes (the current message, or the open
 * toolResult's content) and whether it may go there, then builds the block's tree in the
 * service model's member order and appends it with brk_rq_add. Conversation rules with
 * Bedrock's texts (docs/validation.md): the first message is the user's, roles alternate, text
 * is not blank, images and documents are in user messages, at most 20 images and 5 documents.
 */
#include <stdio.h>
#include <string.h>

#include "client/request_priv.h"
#include "common/base64.h"
#include "common/converse_rules.h"

static const char *const s_result_statuses[] = {"success", "error", NULL};
static const char *const s_guard_image_formats[] = {"png", "jpeg", NULL};
static const char *const s_tool_use_id_source = "[a-zA-Z0-9_.:-]+";
static const char *const s_tool_use_id_ere = "^[a-zA-Z0-9_.:-]+$";

/* ---- where a block goes ------------------------------------------------------------------- */

/* The per-message limits on images and documents, checked before the block is built. */
static enum brk_status s_check_media(struct brk_request *req, const char *block, const struct brk_rq_slot *slot)
{
    if (req->role != BRK_ROLE_USER) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_MEDIA_ROLE, block, slot->message, slot->block);
    }
    if (strcmp(block, "image") == 0 && req->n_images >= BRK_RULE_MAX_IMAGES) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_TOO_MANY_IMAGES, slot->message);
    }
    if (strcmp(block, "document") == 0 && req->n_documents >= BRK_RULE_MAX_DOCUMENTS) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_TOO_MANY_DOCUMENTS, slot->message);
    }
    return BRK_OK;
}

enum brk_status brk_rq_slot(struct brk_request *req, const char *fn, const char *block, unsigned kinds,
                            struct brk_rq_slot *slot)
{
    memset(slot, 0, sizeof(*slot));
    enum brk_status st = brk_rq_ready(req);
    if (st != BRK_OK) {
        return st;
    }
    if (!req->content) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG,
                           "%s: no message to add the %s block to: call brk_request_message first", fn, block);
    }
    slot->message = req->n_messages - 1;
    if (req->result) {
        if (!(kinds & BRK_RQ_IN_RESULT)) {
            return brk_rq_fail(req, BRK_ERR_INVALID_ARG,
                               "%s: a %s block cannot go inside a toolResult: call brk_request_tool_result_end first",
                               fn, block);
        }
        slot->array = req->result;
        slot->in_result = true;
        slot->block = req->n_blocks - 1;
        snprintf(slot->path, sizeof(slot->path), "messages.%d.member.content.%d.member.toolResult.content.%d.member",
                 req->n_messages, req->n_blocks, req->n_results + 1);
        return BRK_OK;
    }
    slot->array = req->content;
    slot->block = req->n_blocks;
    snprintf(slot->path, sizeof(slot->path), "messages.%d.member.content.%d.member", req->n_messages,
             req->n_blocks + 1);
    return kinds & BRK_RQ_USER_ONLY ? s_check_media(req, block, slot) : BRK_OK;
}

enum brk_status brk_rq_system_slot(struct brk_request *req, struct brk_rq_slot *slot)
{
    memset(slot, 0, sizeof(*slot));
    enum brk_status st = brk_rq_ready(req);
    if (st != BRK_OK) {
        return st;
    }
    slot->array = brk_rq_member(req, BRK_RQ_SYSTEM, true);
    if (!slot->array) {
        return brk_rq_nomem(req);
    }
    slot->system = true;
    slot->block = req->n_system;
    snprintf(slot->path, sizeof(slot->path), "system.%d.member", req->n_system + 1);
    return BRK_OK;
}

static void s_count(struct brk_request *req, const struct brk_rq_slot *slot, const char *kind)
{
    if (slot->system) {
        req->n_system++;
    } else if (slot->in_result) {
        req->n_results++;
    } else {
        req->n_blocks++;
        req->n_images += strcmp(kind, "image") == 0;
        req->n_documents += strcmp(kind, "document") == 0;
    }
}

enum brk_status brk_rq_add(struct brk_request *req, const struct brk_rq_slot *slot, const char *kind, cJSON *inner)
{
    cJSON *block = inner ? cJSON_CreateObject() : NULL;
    if (!block || !cJSON_AddItemToObject(block, kind, inner)) {
        cJSON_Delete(block);
        cJSON_Delete(inner);
        return brk_rq_nomem(req);
    }
    cJSON_AddItemToArray(slot->array, block);
    s_count(req, slot, kind);
    return BRK_OK;
}

cJSON *brk_rq_blob(struct brk_request *req, const void *data, size_t len)
{
    struct brk_buf text;
    brk_buf_init(&text, brk_base64_encoded_len(len) + 1);
    enum brk_status st = len && !brk_base64_encoded_len(len) ? BRK_ERR_TOO_LARGE : brk_base64_encode(data, len, &text);
    cJSON *item = st == BRK_OK ? cJSON_CreateString(text.data ? text.data : "") : NULL;
    brk_buf_clean_up(&text);
    if (!item) {
        brk_rq_fail(req, st == BRK_OK ? BRK_ERR_NOMEM : st, "encoding %zu bytes: %s", len,
                    brk_status_str(st == BRK_OK ? BRK_ERR_NOMEM : st));
    }
    return item;
}

cJSON *brk_rq_text_items(struct brk_request *req, const char *fn, const char *const *texts, size_t n)
{
    if (n && brk_rq_arg(req, fn, "texts", texts) != BRK_OK) {
        return NULL;
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *item = cJSON_CreateObject();
        if (!texts[i]) {
            cJSON_Delete(item);
            cJSON_Delete(arr);
            brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: texts[%zu] is NULL", fn, i);
            return NULL;
        }
        if (!item || !cJSON_AddStringToObject(item, "text", texts[i])) {
            cJSON_Delete(item);
            cJSON_Delete(arr);
            arr = NULL;
            break;
        }
        cJSON_AddItemToArray(arr, item);
    }
    if (!arr) {
        brk_rq_nomem(req);
    }
    return arr;
}

/* ---- messages ---------------------------------------------------------------------------- */

enum brk_status brk_request_message(struct brk_request *req, enum brk_role role)
{
    enum brk_status st = brk_rq_ready(req);
    if (st != BRK_OK) {
        return st;
    }
    if (role != BRK_ROLE_USER && role != BRK_ROLE_ASSISTANT) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "brk_request_message: unknown role %d", (int)role);
    }
    if (req->n_messages == 0 && role != BRK_ROLE_USER) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_FIRST_USER);
    }
    if (req->n_messages > 0 && role == req->role) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_ALTERNATE);
    }
    cJSON *messages = brk_rq_member(req, BRK_RQ_MESSAGES, true);
    cJSON *msg = messages ? cJSON_CreateObject() : NULL;
    cJSON *content = NULL;
    if (!msg || !cJSON_AddStringToObject(msg, "role", role == BRK_ROLE_USER ? "user" : "assistant") ||
        !(content = cJSON_AddArrayToObject(msg, "content"))) {
        cJSON_Delete(msg);
        return brk_rq_nomem(req);
    }
    cJSON_AddItemToArray(messages, msg);
    req->content = content;
    req->result = NULL;
    req->last_doc = NULL;
    req->role = role;
    req->n_messages++;
    req->n_blocks = req->n_images = req->n_documents = 0;
    return BRK_OK;
}

enum brk_status brk_request_text(struct brk_request *req, const char *text)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_text", "text", BRK_RQ_IN_RESULT, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, "brk_request_text", "text", text) : st;
    if (st != BRK_OK) {
        return st;
    }
    /* Empty text is refused now; whitespace-only text only when no cachePoint follows it,
     * which brk_request_to_json checks once the message is complete (common/converse_rules.h). */
    if (!slot.in_result && !text[0]) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_BLANK_TEXT, slot.message, slot.block);
    }
    return brk_rq_add(req, &slot, "text", cJSON_CreateString(text));
}

/* ---- tools in messages ------------------------------------------------------------------- */

static enum brk_status s_check_tool_use_id(struct brk_request *req, const char *path, const char *id)
{
    char p[240];
    snprintf(p, sizeof(p), "%s.toolUseId", path);
    enum brk_status st = brk_rq_length(req, p, id, false, 1, 64);
    return st == BRK_OK ? brk_rq_pattern(req, p, id, false, s_tool_use_id_ere, s_tool_use_id_source) : st;
}

enum brk_status brk_request_tool_use(struct brk_request *req, const char *tool_use_id, const char *name,
                                     const char *input_json)
{
    static const char fn[] = "brk_request_tool_use";
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, fn, "toolUse", 0, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, fn, "tool_use_id", tool_use_id) : st;
    st = st == BRK_OK ? brk_rq_arg(req, fn, "name", name) : st;
    char path[240];
    snprintf(path, sizeof(path), "%s.toolUse", slot.path);
    st = st == BRK_OK ? s_check_tool_use_id(req, path, tool_use_id) : st;
    size_t used = strlen(path);
    snprintf(path + used, sizeof(path) - used, ".name");
    st = st == BRK_OK ? brk_rq_length(req, path, name, false, 1, 64) : st;
    st = st == BRK_OK ? brk_rq_pattern(req, path, name, false, brk_rq_tool_name_ere, brk_rq_tool_name_source) : st;
    cJSON *input = NULL;
    st = st == BRK_OK ? brk_rq_parse(req, fn, "input_json", input_json, &input) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *use = cJSON_CreateObject();
    if (!use || !cJSON_AddStringToObject(use, "toolUseId", tool_use_id) ||
        !cJSON_AddStringToObject(use, "name", name) || !cJSON_AddItemToObject(use, "input", input)) {
        cJSON_Delete(use);
        cJSON_Delete(input); /* not yet linked into use when the last call failed */
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, &slot, "toolUse", use);
}

enum brk_status brk_request_tool_result(struct brk_request *req, const char *tool_use_id, const char *status)
{
    static const char fn[] = "brk_request_tool_result";
    if (brk_rq_ready(req) == BRK_OK) {
        req->result = NULL; /* a new result closes the open one */
    }
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, fn, "toolResult", 0, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, fn, "tool_use_id", tool_use_id) : st;
    char path[240];
    snprintf(path, sizeof(path), "%s.toolResult", slot.path);
    st = st == BRK_OK ? s_check_tool_use_id(req, path, tool_use_id) : st;
    size_t used = strlen(path);
    snprintf(path + used, sizeof(path) - used, ".status");
    st = st == BRK_OK && status ? brk_rq_enum(req, path, status, false, s_result_statuses) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *result = cJSON_CreateObject();
    cJSON *content = NULL;
    if (!result || !cJSON_AddStringToObject(result, "toolUseId", tool_use_id) ||
        !(content = cJSON_AddArrayToObject(result, "content")) ||
        (status && !cJSON_AddStringToObject(result, "status", status))) {
        cJSON_Delete(result);
        return brk_rq_nomem(req);
    }
    st = brk_rq_add(req, &slot, "toolResult", result);
    if (st == BRK_OK) {
        req->result = content;
        req->n_results = 0;
    }
    return st;
}

enum brk_status brk_request_tool_result_json(struct brk_request *req, const char *json)
{
    static const char fn[] = "brk_request_tool_result_json";
    enum brk_status st = brk_rq_ready(req);
    if (st == BRK_OK && !req->result) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: no open toolResult: call brk_request_tool_result first", fn);
    }
    struct brk_rq_slot slot;
    st = st == BRK_OK ? brk_rq_slot(req, fn, "json", BRK_RQ_IN_RESULT, &slot) : st;
    cJSON *value = NULL;
    st = st == BRK_OK ? brk_rq_parse(req, fn, "json", json, &value) : st;
    return st == BRK_OK ? brk_rq_add(req, &slot, "json", value) : st;
}

enum brk_status brk_request_tool_result_end(struct brk_request *req)
{
    enum brk_status st = brk_rq_ready(req);
    if (st == BRK_OK && !req->result) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "brk_request_tool_result_end: no open toolResult");
    }
    if (st == BRK_OK) {
        req->result = NULL;
    }
    return st;
}

/* ---- reasoning and cache points ------------------------------------------------------------ */

enum brk_status brk_request_reasoning(struct brk_request *req, const char *text, const char *signature)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_reasoning", "reasoningContent", 0, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, "brk_request_reasoning", "text", text) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *reasoning = cJSON_CreateObject();
    cJSON *rt = reasoning ? cJSON_AddObjectToObject(reasoning, "reasoningText") : NULL;
    if (!rt || !cJSON_AddStringToObject(rt, "text", text) ||
        (signature && !cJSON_AddStringToObject(rt, "signature", signature))) {
        cJSON_Delete(reasoning);
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, &slot, "reasoningContent", reasoning);
}

enum brk_status brk_request_reasoning_redacted(struct brk_request *req, const void *data, size_t len)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_reasoning_redacted", "reasoningContent", 0, &slot);
    st = st == BRK_OK && len ? brk_rq_arg(req, "brk_request_reasoning_redacted", "data", data) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *blob = brk_rq_blob(req, data, len);
    cJSON *reasoning = blob ? cJSON_CreateObject() : NULL;
    if (!reasoning || !cJSON_AddItemToObject(reasoning, "redactedContent", blob)) {
        cJSON_Delete(reasoning);
        cJSON_Delete(blob);
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, &slot, "reasoningContent", reasoning);
}

/* A cachePoint in a message or in system (values in both are not shown in messages). */
static enum brk_status s_cache_point(struct brk_request *req, const struct brk_rq_slot *slot, const char *ttl)
{
    cJSON *cp = brk_rq_cache_point(req, slot->path, ttl, false);
    return cp ? brk_rq_add(req, slot, "cachePoint", cp) : req->err.status;
}

enum brk_status brk_request_cache_point(struct brk_request *req, const char *ttl)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_cache_point", "cachePoint", 0, &slot);
    return st == BRK_OK ? s_cache_point(req, &slot, ttl) : st;
}

enum brk_status brk_request_system_cache_point(struct brk_request *req, const char *ttl)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_system_slot(req, &slot);
    return st == BRK_OK ? s_cache_point(req, &slot, ttl) : st;
}

/* ---- system text --------------------------------------------------------------------------- */

enum brk_status brk_request_system_text(struct brk_request *req, const char *text)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_system_slot(req, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, "brk_request_system_text", "text", text) : st;
    char path[200];
    snprintf(path, sizeof(path), "%s.text", slot.path);
    st = st == BRK_OK ? brk_rq_length(req, path, text, false, 1, -1) : st; /* NonEmptyString */
    return st == BRK_OK ? brk_rq_add(req, &slot, "text", cJSON_CreateString(text)) : st;
}

/* ---- guard content --------------------------------------------------------------------------- */

static const char *const s_qualifiers[] = {"grounding_source", "query", "guard_content"};

static bool s_add_qualifiers(cJSON *gt, unsigned qualifiers)
{
    cJSON *q = cJSON_AddArrayToObject(gt, "qualifiers");
    for (unsigned i = 0; q && i < 3; i++) {
        cJSON *s = qualifiers & (1u << i) ? cJSON_CreateString(s_qualifiers[i]) : NULL;
        if (qualifiers & (1u << i) && !(s && cJSON_AddItemToArray(q, s))) {
            return false;
        }
    }
    return q != NULL;
}

static enum brk_status s_guard_text(struct brk_request *req, const struct brk_rq_slot *slot, const char *fn,
                                    const char *text, unsigned qualifiers)
{
    enum brk_status st = brk_rq_arg(req, fn, "text", text);
    if (st == BRK_OK && qualifiers >= 1u << 3) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: unknown qualifier bits 0x%x", fn, qualifiers);
    }
    if (st != BRK_OK) {
        return st;
    }
    cJSON *guard = cJSON_CreateObject();
    cJSON *gt = guard ? cJSON_AddObjectToObject(guard, "text") : NULL;
    bool ok = gt && cJSON_AddStringToObject(gt, "text", text) && (!qualifiers || s_add_qualifiers(gt, qualifiers));
    if (!ok) {
        cJSON_Delete(guard);
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, slot, "guardContent", guard);
}

static enum brk_status s_guard_image(struct brk_request *req, const struct brk_rq_slot *slot, const char *fn,
                                     const char *format, const void *data, size_t len)
{
    char path[240];
    snprintf(path, sizeof(path), "%s.guardContent.image.format", slot->path);
    enum brk_status st = brk_rq_arg(req, fn, "format", format);
    st = st == BRK_OK ? brk_rq_enum(req, path, format, false, s_guard_image_formats) : st;
    snprintf(path, sizeof(path), "%s.guardContent.image.source.bytes", slot->path);
    st = st == BRK_OK ? brk_rq_blob_length(req, path, len, 1) : st;
    st = st == BRK_OK ? brk_rq_arg(req, fn, "data", data) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *blob = brk_rq_blob(req, data, len);
    cJSON *guard = blob ? cJSON_CreateObject() : NULL;
    cJSON *img = guard ? cJSON_AddObjectToObject(guard, "image") : NULL;
    cJSON *src = img && cJSON_AddStringToObject(img, "format", format) ? cJSON_AddObjectToObject(img, "source") : NULL;
    if (!src || !cJSON_AddItemToObject(src, "bytes", blob)) {
        cJSON_Delete(guard);
        cJSON_Delete(blob);
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, slot, "guardContent", guard);
}

enum brk_status brk_request_guard_text(struct brk_request *req, const char *text, unsigned qualifiers)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_guard_text", "guardContent", 0, &slot);
    return st == BRK_OK ? s_guard_text(req, &slot, "brk_request_guard_text", text, qualifiers) : st;
}

enum brk_status brk_request_guard_image(struct brk_request *req, const char *format, const void *data, size_t len)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, "brk_request_guard_image", "guardContent", 0, &slot);
    return st == BRK_OK ? s_guard_image(req, &slot, "brk_request_guard_image", format, data, len) : st;
}

enum brk_status brk_request_system_guard_text(struct brk_request *req, const char *text, unsigned qualifiers)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_system_slot(req, &slot);
    return st == BRK_OK ? s_guard_text(req, &slot, "brk_request_system_guard_text", text, qualifiers) : st;
}

enum brk_status brk_request_system_guard_image(struct brk_request *req, const char *format, const void *data,
                                               size_t len)
{
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_system_slot(req, &slot);
    return st == BRK_OK ? s_guard_image(req, &slot, "brk_request_system_guard_image", format, data, len) : st;
}
