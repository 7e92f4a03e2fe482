/*
 * request_tools.c: toolConfig: tool specifications, system tools, cache points in the tools
 * list, and the tool choice.
 *
 * Constraints of the service model (ToolName: 1..64 of [a-zA-Z0-9_-]; a description non-empty)
 * with Coral's texts, and Bedrock's own rules on the input schema (a JSON object whose "type",
 * when present, is "object"; docs/validation.md). Whether the choice names a tool of the request
 * is checked at brk_request_to_json, since tools may be added after the choice.
 */
#include <stdio.h>
#include <string.h>

#include "client/request_priv.h"
#include "common/converse_rules.h"

static const char *const s_spec_order[] = {"name", "description", "inputSchema", "strict", NULL};

static enum brk_status s_check_name(struct brk_request *req, const char *path, const char *name)
{
    enum brk_status st = brk_rq_length(req, path, name, true, 1, 64);
    return st == BRK_OK ? brk_rq_pattern(req, path, name, true, brk_rq_tool_name_ere, brk_rq_tool_name_source) : st;
}

/* The start of an adder of a tools-list entry `kind` ("toolSpec", "systemTool") named `name`. */
static enum brk_status s_start_tool(struct brk_request *req, const char *fn, const char *kind, const char *name)
{
    enum brk_status st = brk_rq_start(req, fn, "name", name);
    if (st != BRK_OK) {
        return st;
    }
    char path[96];
    snprintf(path, sizeof(path), "toolConfig.tools.%d.member.%s.name", req->n_tools + 1, kind);
    return s_check_name(req, path, name);
}

/* Parse the input schema and apply Bedrock's rules to it; *out owns the tree on success. */
static enum brk_status s_schema(struct brk_request *req, const char *schema_json, cJSON **out)
{
    enum brk_status st = brk_rq_parse(req, "brk_request_tool", "input_schema_json", schema_json, out);
    if (st != BRK_OK) {
        return st;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(*out, "type");
    if (!cJSON_IsObject(*out)) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_SCHEMA_FORMAT, req->n_tools);
    } else if (type && !(cJSON_IsString(type) && strcmp(type->valuestring, "object") == 0)) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_SCHEMA_TYPE, req->n_tools);
    }
    if (st != BRK_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return st;
}

/* Append {kind: inner} to the tools list. Takes inner. */
static enum brk_status s_add_tool(struct brk_request *req, const char *kind, cJSON *inner)
{
    cJSON *tools = brk_rq_member(req, BRK_RQ_TOOLS, true);
    cJSON *entry = tools && inner ? cJSON_CreateObject() : NULL;
    if (!entry || !cJSON_AddItemToObject(entry, kind, inner)) {
        cJSON_Delete(entry);
        cJSON_Delete(inner);
        return req->err.status != BRK_OK ? req->err.status : brk_rq_nomem(req);
    }
    cJSON_AddItemToArray(tools, entry);
    req->n_tools++;
    return BRK_OK;
}

/* The toolSpec tree: name, description, inputSchema.json. Takes schema. */
static cJSON *s_spec(const char *name, const char *description, cJSON *schema)
{
    cJSON *spec = cJSON_CreateObject();
    cJSON *input = spec && cJSON_AddStringToObject(spec, "name", name) &&
                           (!description || cJSON_AddStringToObject(spec, "description", description))
                       ? cJSON_AddObjectToObject(spec, "inputSchema")
                       : NULL;
    if (!input || !cJSON_AddItemToObject(input, "json", schema)) {
        cJSON_Delete(spec);
        cJSON_Delete(schema);
        return NULL;
    }
    return spec;
}

enum brk_status brk_request_tool(struct brk_request *req, const char *name, const char *description,
                                 const char *input_schema_json)
{
    enum brk_status st = s_start_tool(req, "brk_request_tool", "toolSpec", name);
    if (st == BRK_OK && description) {
        char path[96];
        snprintf(path, sizeof(path), "toolConfig.tools.%d.member.toolSpec.description", req->n_tools + 1);
        st = brk_rq_length(req, path, description, true, 1, -1);
    }
    cJSON *schema = NULL;
    st = st == BRK_OK ? s_schema(req, input_schema_json, &schema) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *spec = s_spec(name, description, schema);
    st = s_add_tool(req, "toolSpec", spec);
    req->last_tool = st == BRK_OK ? spec : NULL;
    return st;
}

enum brk_status brk_request_tool_strict(struct brk_request *req, bool strict)
{
    enum brk_status st = brk_rq_ready(req);
    if (st == BRK_OK && !req->last_tool) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "brk_request_tool_strict: no tool added yet");
    }
    return st == BRK_OK ? brk_rq_put(req, req->last_tool, "strict", cJSON_CreateBool(strict), s_spec_order) : st;
}

enum brk_status brk_request_system_tool(struct brk_request *req, const char *name)
{
    enum brk_status st = s_start_tool(req, "brk_request_system_tool", "systemTool", name);
    cJSON *tool = st == BRK_OK ? cJSON_CreateObject() : NULL;
    if (st == BRK_OK && (!tool || !cJSON_AddStringToObject(tool, "name", name))) {
        cJSON_Delete(tool);
        return brk_rq_nomem(req);
    }
    return st == BRK_OK ? s_add_tool(req, "systemTool", tool) : st;
}

enum brk_status brk_request_tools_cache_point(struct brk_request *req, const char *ttl)
{
    enum brk_status st = brk_rq_ready(req);
    if (st != BRK_OK) {
        return st;
    }
    char path[64];
    snprintf(path, sizeof(path), "toolConfig.tools.%d.member", req->n_tools + 1);
    cJSON *cp = brk_rq_cache_point(req, path, ttl, true);
    return cp ? s_add_tool(req, "cachePoint", cp) : req->err.status;
}

enum brk_status brk_request_tool_choice(struct brk_request *req, enum brk_tool_choice choice, const char *name)
{
    static const char *const kinds[] = {"auto", "any", "tool"};
    enum brk_status st = brk_rq_ready(req);
    if (st == BRK_OK && (unsigned)choice > BRK_TOOL_CHOICE_TOOL) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, "brk_request_tool_choice: unknown choice %d", (int)choice);
    }
    if (st == BRK_OK && choice == BRK_TOOL_CHOICE_TOOL) {
        st = brk_rq_arg(req, "brk_request_tool_choice", "name", name);
        st = st == BRK_OK ? s_check_name(req, "toolConfig.toolChoice.tool.name", name) : st;
    }
    if (st != BRK_OK) {
        return st;
    }
    cJSON *value = cJSON_CreateObject();
    cJSON *kind = value ? cJSON_AddObjectToObject(value, kinds[choice]) : NULL;
    if (!kind || (choice == BRK_TOOL_CHOICE_TOOL && !cJSON_AddStringToObject(kind, "name", name))) {
        cJSON_Delete(value);
        return brk_rq_nomem(req);
    }
    cJSON_Delete(req->member[BRK_RQ_TOOL_CHOICE]);
    req->member[BRK_RQ_TOOL_CHOICE] = value;
    return BRK_OK;
}
