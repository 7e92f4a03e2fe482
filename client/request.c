/*
 * request.c: the request's life cycle, its sticky error, and its body (request.h has the
 * contract; request_priv.h the layout).
 *
 * The rules over the whole request are checked here, at brk_request_to_json, because no single
 * adder sees them: a message left empty, a document without a text block in its message, an
 * error toolResult without content, toolUse without tools, a toolChoice naming no tool of the
 * request. Their texts are Bedrock's (docs/validation.md, where each source is given).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/request_priv.h"
#include "common/alloc.h"
#include "common/converse_rules.h"
#include "common/json.h"

/* botocore's own refusal (ParamValidationError) of a member ConverseRequest does not have. */
#define S_MSG_STREAM_MODE                                                                            \
    "Parameter validation failed:\nUnknown parameter in guardrailConfig: \"streamProcessingMode\", " \
    "must be one of: guardrailIdentifier, guardrailVersion, trace"
/* CountTokensRequest.modelId is a FoundationModelVersionIdentifier. */
#define S_COUNT_MODEL_ERE "^[a-zA-Z_.\\/0-9:-]+$"
#define S_COUNT_MODEL_SOURCE "[a-zA-Z_\\.\\-/0-9:]+"

/* Body member names, indexed by enum brk_rq_member. */
static const char *const s_member_names[BRK_RQ_MEMBER_COUNT] = {
    [BRK_RQ_MESSAGES] = "messages",
    [BRK_RQ_SYSTEM] = "system",
    [BRK_RQ_INFERENCE] = "inferenceConfig",
    [BRK_RQ_TOOLS] = "toolConfig",
    [BRK_RQ_TOOL_CHOICE] = "toolChoice",
    [BRK_RQ_GUARDRAIL] = "guardrailConfig",
    [BRK_RQ_ADDITIONAL_FIELDS] = "additionalModelRequestFields",
    [BRK_RQ_PROMPT_VARIABLES] = "promptVariables",
    [BRK_RQ_RESPONSE_PATHS] = "additionalModelResponseFieldPaths",
    [BRK_RQ_METADATA] = "requestMetadata",
    [BRK_RQ_PERFORMANCE] = "performanceConfig",
    [BRK_RQ_SERVICE_TIER] = "serviceTier",
    [BRK_RQ_OUTPUT] = "outputConfig",
};

/* ---- life cycle and errors --------------------------------------------------------------- */

struct brk_request *brk_request_new(const char *model_id)
{
    struct brk_request *req = brk_calloc(1, sizeof(*req));
    if (!req) {
        return NULL;
    }
    brk_error_clear(&req->err);
    req->model_id = brk_strdup(model_id ? model_id : "");
    if (!req->model_id) {
        brk_free(req);
        return NULL;
    }
    brk_rq_length(req, "modelId", req->model_id, true, 1, 2048);
    return req;
}

void brk_request_destroy(struct brk_request *req)
{
    if (!req) {
        return;
    }
    for (int i = 0; i < BRK_RQ_MEMBER_COUNT; i++) {
        cJSON_Delete(req->member[i]);
    }
    brk_free(req->model_id);
    brk_free(req);
}

const char *brk_request_model_id(const struct brk_request *req)
{
    return req ? req->model_id : NULL;
}

const struct brk_error *brk_request_error(const struct brk_request *req)
{
    return req ? &req->err : NULL;
}

enum brk_status brk_rq_fail(struct brk_request *req, enum brk_status status, const char *fmt, ...)
{
    if (req->err.status != BRK_OK) {
        return status;
    }
    char text[sizeof(req->err.message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    brk_error_setf(&req->err, status, "%s", text);
    return status;
}

enum brk_status brk_rq_nomem(struct brk_request *req)
{
    return brk_rq_fail(req, BRK_ERR_NOMEM, "out of memory while building the request");
}

enum brk_status brk_rq_ready(struct brk_request *req)
{
    return req ? req->err.status : BRK_ERR_INVALID_ARG;
}

enum brk_status brk_rq_start(struct brk_request *req, const char *fn, const char *arg, const void *value)
{
    enum brk_status st = brk_rq_ready(req);
    return st == BRK_OK ? brk_rq_arg(req, fn, arg, value) : st;
}

/* ---- tree helpers ---------------------------------------------------------------------- */

static int s_rank(const char *const *order, const char *name)
{
    int i = 0;
    while (order[i] && strcmp(order[i], name) != 0) {
        i++;
    }
    return i;
}

enum brk_status brk_rq_put(struct brk_request *req, cJSON *obj, const char *name, cJSON *value,
                           const char *const *order)
{
    if (!value) {
        return brk_rq_nomem(req);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (!cJSON_AddItemToObject(obj, name, value)) {
        cJSON_Delete(value);
        return brk_rq_nomem(req);
    }
    /* It went to the end: move the members that belong after it behind it, in their order.
     * Relinking allocates nothing (cJSON_InsertItemInArray is not used: the distribution's
     * cJSON 1.7.15 refuses to insert in the middle of a list). */
    int rank = s_rank(order, name);
    cJSON *e = obj->child;
    while (e && e != value) {
        cJSON *next = e->next;
        if (s_rank(order, e->string) > rank) {
            cJSON_AddItemToArray(obj, cJSON_DetachItemViaPointer(obj, e));
        }
        e = next;
    }
    return BRK_OK;
}

cJSON *brk_rq_member(struct brk_request *req, enum brk_rq_member m, bool array)
{
    if (!req->member[m]) {
        req->member[m] = array ? cJSON_CreateArray() : cJSON_CreateObject();
    }
    return req->member[m];
}

enum brk_status brk_rq_parse(struct brk_request *req, const char *fn, const char *what, const char *text, cJSON **out)
{
    enum brk_status st = brk_rq_arg(req, fn, what, text);
    if (st != BRK_OK) {
        return st;
    }
    *out = cJSON_Parse(text);
    if (*out) {
        return BRK_OK;
    }
    /* cJSON answers NULL both for bad text and for a failed allocation. Text that parses on a
     * second try was good: the first failure was memory (out-of-memory tests reach this). */
    cJSON *again = cJSON_Parse(text);
    if (again) {
        cJSON_Delete(again);
        return brk_rq_nomem(req);
    }
    return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: %s is not valid JSON", fn, what);
}

/* ---- rules over the whole request ------------------------------------------------------- */

static enum brk_status s_refuse(struct brk_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum brk_status s_refuse(struct brk_error *err, const char *fmt, ...)
{
    if (err) {
        char text[sizeof(err->message)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        brk_error_setf(err, BRK_ERR_INVALID_ARG, "%s", text);
    }
    return BRK_ERR_INVALID_ARG;
}

/* The rules of one content block; n, k count from 0 as Bedrock's texts do. */
static enum brk_status s_check_block(const struct brk_request *req, const cJSON *block, int n, int k,
                                     struct brk_error *err)
{
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
    bool cache_point_next = block->next && cJSON_HasObjectItem(block->next, "cachePoint");
    if (cJSON_IsString(text) && brk_rule_text_refused(text->valuestring, cache_point_next)) {
        return s_refuse(err, BRK_MSG_BLANK_TEXT, n, k);
    }
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(block, "toolResult");
    if ((result || cJSON_GetObjectItemCaseSensitive(block, "toolUse")) && !req->member[BRK_RQ_TOOLS]) {
        return s_refuse(err, BRK_MSG_NO_TOOL_CONFIG);
    }
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(result, "status"));
    if (status && strcmp(status, "error") == 0 &&
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result, "content")) == 0) {
        return s_refuse(err, BRK_MSG_ERROR_RESULT_EMPTY, n, k);
    }
    return BRK_OK;
}

static enum brk_status s_check_messages(const struct brk_request *req, struct brk_error *err)
{
    int n = 0;
    const cJSON *msg = NULL;
    cJSON_ArrayForEach(msg, req->member[BRK_RQ_MESSAGES])
    {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
        if (cJSON_GetArraySize(content) == 0) {
            return s_refuse(err, BRK_MSG_EMPTY_CONTENT, n);
        }
        bool document = false, text = false;
        int k = 0;
        const cJSON *block = NULL;
        cJSON_ArrayForEach(block, content)
        {
            document |= cJSON_HasObjectItem(block, "document");
            text |= cJSON_HasObjectItem(block, "text");
            if (s_check_block(req, block, n, k++, err) != BRK_OK) {
                return BRK_ERR_INVALID_ARG;
            }
        }
        if (document && !text) {
            return s_refuse(err, BRK_MSG_DOCUMENT_TEXT);
        }
        n++;
    }
    return BRK_OK;
}

/* Whether a toolSpec or systemTool of the request is called `name`. */
static bool s_tool_defined(const struct brk_request *req, const char *name)
{
    const cJSON *tool = NULL;
    cJSON_ArrayForEach(tool, req->member[BRK_RQ_TOOLS])
    {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(tool, "toolSpec");
        spec = spec ? spec : cJSON_GetObjectItemCaseSensitive(tool, "systemTool");
        const char *defined = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "name"));
        if (defined && strcmp(defined, name) == 0) {
            return true;
        }
    }
    return false;
}

static enum brk_status s_check_tools(const struct brk_request *req, struct brk_error *err)
{
    const cJSON *choice = req->member[BRK_RQ_TOOL_CHOICE];
    if (!choice) {
        return BRK_OK;
    }
    if (!req->member[BRK_RQ_TOOLS]) {
        return s_refuse(err, "1 validation error detected: Value null at 'toolConfig.tools' failed to satisfy "
                             "constraint: Member must not be null");
    }
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(choice, "tool");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tool, "name"));
    if (name && !s_tool_defined(req, name)) {
        return s_refuse(err, BRK_MSG_TOOL_CHOICE, name);
    }
    return BRK_OK;
}

static enum brk_status s_check_kind(const struct brk_request *req, enum brk_request_kind kind, struct brk_error *err)
{
    if (kind == BRK_REQUEST_CONVERSE && cJSON_HasObjectItem(req->member[BRK_RQ_GUARDRAIL], "streamProcessingMode")) {
        return s_refuse(err, S_MSG_STREAM_MODE);
    }
    if (kind == BRK_REQUEST_COUNT_TOKENS &&
        (strlen(req->model_id) > 256 || !brk_rq_matches(S_COUNT_MODEL_ERE, req->model_id))) {
        return s_refuse(err,
                        "1 validation error detected: Value '%s' at 'modelId' failed to satisfy constraint: "
                        "%s",
                        req->model_id,
                        strlen(req->model_id) > 256
                            ? "Member must have length less than or equal to 256"
                            : "Member must satisfy regular expression pattern: " S_COUNT_MODEL_SOURCE);
    }
    return BRK_OK;
}

static enum brk_status s_check(const struct brk_request *req, enum brk_request_kind kind, struct brk_error *err)
{
    if (req->err.status != BRK_OK) {
        if (err) {
            *err = req->err;
        }
        return req->err.status;
    }
    if ((unsigned)kind > BRK_REQUEST_COUNT_TOKENS) {
        return s_refuse(err, "brk_request_to_json: unknown request kind %d", (int)kind);
    }
    /* A prompt from Prompt management brings its own messages. */
    if (!req->member[BRK_RQ_MESSAGES] && !strstr(req->model_id, ":prompt/")) {
        return s_refuse(err, "the request has no messages: add one with brk_request_message");
    }
    enum brk_status st = s_check_kind(req, kind, err);
    st = st == BRK_OK ? s_check_messages(req, err) : st;
    return st == BRK_OK ? s_check_tools(req, err) : st;
}

/* ---- printing ----------------------------------------------------------------------------- */

static enum brk_status s_print_member(struct brk_buf *out, bool *first, const char *name, const cJSON *item)
{
    enum brk_status st = brk_buf_append_str(out, *first ? "" : ",");
    *first = false;
    st = st == BRK_OK ? brk_buf_append_json_str(out, name, strlen(name)) : st;
    st = st == BRK_OK ? brk_buf_append_str(out, ":") : st;
    return st == BRK_OK ? brk_json_print(item, out) : st;
}

static enum brk_status s_print_tool_config(const struct brk_request *req, struct brk_buf *out, bool *first)
{
    enum brk_status st = brk_buf_append_str(out, *first ? "\"toolConfig\":{" : ",\"toolConfig\":{");
    *first = false;
    bool inner = true;
    st = st == BRK_OK ? s_print_member(out, &inner, "tools", req->member[BRK_RQ_TOOLS]) : st;
    if (st == BRK_OK && req->member[BRK_RQ_TOOL_CHOICE]) {
        st = s_print_member(out, &inner, "toolChoice", req->member[BRK_RQ_TOOL_CHOICE]);
    }
    return st == BRK_OK ? brk_buf_append_str(out, "}") : st;
}

/* The members of ConverseRequest's body, or of ConverseTokensRequest for CountTokens. */
static enum brk_status s_print_body(const struct brk_request *req, enum brk_request_kind kind, struct brk_buf *out)
{
    bool first = true;
    enum brk_status st = BRK_OK;
    for (int m = 0; m < BRK_RQ_MEMBER_COUNT && st == BRK_OK; m++) {
        bool counted = m == BRK_RQ_MESSAGES || m == BRK_RQ_SYSTEM || m == BRK_RQ_TOOLS || m == BRK_RQ_ADDITIONAL_FIELDS;
        if (!req->member[m] || m == BRK_RQ_TOOL_CHOICE || (kind == BRK_REQUEST_COUNT_TOKENS && !counted)) {
            continue;
        }
        st = m == BRK_RQ_TOOLS ? s_print_tool_config(req, out, &first)
                               : s_print_member(out, &first, s_member_names[m], req->member[m]);
    }
    return st;
}

enum brk_status brk_request_to_json(const struct brk_request *req, enum brk_request_kind kind, struct brk_buf *out,
                                    struct brk_error *err)
{
    brk_error_clear(err);
    if (!req || !out) {
        return s_refuse(err, "brk_request_to_json: %s is NULL", req ? "out" : "req");
    }
    enum brk_status st = s_check(req, kind, err);
    if (st != BRK_OK) {
        return st;
    }
    size_t start = out->len;
    bool count = kind == BRK_REQUEST_COUNT_TOKENS;
    st = brk_buf_append_str(out, count ? "{\"input\":{\"converse\":{" : "{");
    st = st == BRK_OK ? s_print_body(req, kind, out) : st;
    st = st == BRK_OK ? brk_buf_append_str(out, count ? "}}}" : "}") : st;
    if (st != BRK_OK) {
        if (out->data) {
            out->len = start;
            out->data[start] = '\0';
        }
        brk_error_setf(err, st, "brk_request_to_json: %s", brk_status_str(st));
    }
    return st;
}
