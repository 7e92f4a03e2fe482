/*
 * conversation.c: the validation stages. Rejects what Bedrock rejects, with Bedrock's words
 * (texts and sources in docs/validation.md).
 *
 *   mock_stage_schema    the Smithy/Coral layer (schema.c) over URI, header and body members;
 *                        runs before the model is resolved, as on the real service.
 *   mock_stage_validate  the Converse rules that need the model or the whole conversation.
 *   mock_check_pattern   one member against a model pattern, for operations the schema stage
 *                        does not walk (async invoke) or that check again by hand (guardrail).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/converse_rules.h"
#include "common/json.h"
#include "mock/ops/ops.h"
#include "mock/validate/family.h"
#include "mock/validate/model_fields.h"
#include "mock/validate/structured.h"
#include "mock/validate/schema.h"
#include "mock/pipeline/stages.h"

/* Messages (docs/validation.md gives the source of each; "unconfirmed" ones are marked there).
 * The model-independent ones are shared with the client's request builder
 * (common/converse_rules.h). */
#define S_MSG_MAX_TOKENS                                                                         \
    "The maximum tokens you requested exceed the model limit of %llu. Try again with a maximum " \
    "tokens value lower than %llu."
#define S_MSG_TOO_MANY_RESULTS                                                              \
    "The number of toolResult blocks at messages.%d.content exceeds the number of toolUse " \
    "blocks of previous turn."
#define S_MSG_UNKNOWN_RESULT_ID                                                                  \
    "The model returned the following errors: messages.%d.content.%d: unexpected `tool_use_id` " \
    "found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding "     \
    "`tool_use` block in the previous message."
#define S_MSG_NO_TOOLS "This model doesn't support tool use."
#define S_MSG_NO_STREAM_TOOLS "This model doesn't support tool use in streaming mode."
#define S_MSG_LATENCY                                                                             \
    "Latency-optimized inference isn't supported for this model. Try again with the latency set " \
    "to standard, or use a model that supports latency-optimized inference."

#define S_MSG_PATTERN                                                                                    \
    "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy " \
    "regular expression pattern: %s"

#define S_MSG_PAYLOAD_TOO_LONG                                                                   \
    "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have " \
    "length less than or equal to %llu"

/* Longest message the schema layer builds (a 2048-character id and a 1,500-character pattern
 * fit many times over); longer text is cut. */
#define S_MAX_MESSAGE (64u * 1024u)

/* Through the schema's matcher, so a hand check and the schema stage never disagree on a
 * pattern, and each pattern is compiled once. */
bool mock_check_pattern(struct mock_response *resp, const struct mock_pattern *pattern, const char *path,
                        const char *value)
{
    if (mock_pattern_match(pattern, value)) {
        return true;
    }
    mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_PATTERN, value, path, pattern->source);
    return false;
}

/* ---- schema stage --------------------------------------------------------------------- */

/* One object with every member by name: URI labels and headers as strings, body members as
 * references into req->json (nothing is copied). */
static cJSON *s_gather(const struct mock_shape *shape, const struct mock_request *req)
{
    cJSON *input = cJSON_CreateObject();
    for (size_t i = 0; input && i < shape->n_members; i++) {
        const struct mock_member *m = &shape->members[i];
        const char *text = NULL;
        if (m->location == MOCK_LOC_URI) {
            enum brk_op_label label = brk_op_label_parse(m->location_name, strlen(m->location_name));
            text = label < BRK_OP_LABEL_COUNT ? req->route.label[label] : NULL;
        } else if (m->location == MOCK_LOC_HEADER) {
            text = mock_request_header(req, m->location_name);
        } else if (req->json) {
            cJSON *item = cJSON_GetObjectItemCaseSensitive(req->json, m->name);
            if (item) {
                cJSON_AddItemReferenceToObject(input, m->name, item);
            }
        }
        if (text) {
            cJSON_AddStringToObject(input, m->name, text);
        }
    }
    return input;
}

/* InvokeModel's raw body is the blob member `body` (max 25,000,000 bytes in the model). It is
 * not JSON, so its length is checked here, after the other members. */
static bool s_check_payload(const struct mock_shape *shape, const struct mock_request *req, struct mock_response *resp)
{
    if (req->json) {
        return true;
    }
    for (size_t i = 0; i < shape->n_members; i++) {
        const struct mock_member *m = &shape->members[i];
        if (m->location == MOCK_LOC_BODY && m->shape->type == MOCK_SHAPE_BLOB && m->shape->has_max &&
            (double)req->body_len > m->shape->max) {
            return mock_validation_fail(resp, S_MSG_PAYLOAD_TOO_LONG, m->name, (unsigned long long)m->shape->max);
        }
    }
    return true;
}

static const struct mock_shape *s_input_shapes[BRK_OP_COUNT];
static pthread_once_t s_input_shapes_once = PTHREAD_ONCE_INIT;

static void s_find_input_shapes(void)
{
    for (int op = 0; op < BRK_OP_COUNT; op++) {
        /* schema_data.c holds the input shapes the mock validates; others find nothing. */
        s_input_shapes[op] = mock_schema_find(brk_op_info((enum brk_op)op)->input_shape);
    }
}

bool mock_stage_schema(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    pthread_once(&s_input_shapes_once, s_find_input_shapes);
    const struct mock_shape *shape = brk_op_info(req->route.op) ? s_input_shapes[req->route.op] : NULL;
    if (!shape) {
        return true;
    }
    cJSON *input = s_gather(shape, req);
    struct brk_buf msg;
    brk_buf_init(&msg, S_MAX_MESSAGE);
    enum mock_schema_outcome out = mock_schema_validate(shape, input, &msg);
    if (out != MOCK_SCHEMA_OK) {
        enum brk_aws_error id = out == MOCK_SCHEMA_SERIALIZATION ? BRK_AWS_SERIALIZATION : BRK_AWS_VALIDATION;
        mock_response_error_text(resp, id, msg.data ? msg.data : "", msg.len);
    }
    brk_buf_clean_up(&msg);
    cJSON_Delete(input);
    return out == MOCK_SCHEMA_OK && s_check_payload(shape, req, resp);
}

/* ---- conversation rules --------------------------------------------------------------- */

/* The role rules. Both differ by family (docs/validation.md, "Per-family rules"): some models
 * take a leading assistant turn, some merge consecutive same-role turns instead of refusing. */
static bool s_check_roles(const struct mock_model *model, const cJSON *messages, struct mock_response *resp)
{
    bool leading_assistant = model && model->leading_assistant;
    bool merge = model && model->same_role_merge;
    const char *prev = NULL;
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, messages)
    {
        const char *role = cJSON_GetStringValue(brk_json_get(m, "role"));
        if (!role || strcmp(role, "system") == 0) {
            continue; /* system-role messages carry tool additions; they take no turn */
        }
        if (!prev && strcmp(role, "user") != 0 && !leading_assistant) {
            return mock_validation_fail(resp, BRK_MSG_FIRST_USER);
        }
        if (prev && strcmp(prev, role) == 0 && !merge) {
            return mock_validation_fail(resp, BRK_MSG_ALTERNATE);
        }
        prev = role;
    }
    return true;
}

struct s_counts {
    int image, document, tool_result;
};

/* The members of a content block the rules look at, found in one pass over its keys. */
struct s_block {
    const cJSON *text, *image, *document, *tool_result;
};

static struct s_block s_block_members(const cJSON *b)
{
    struct s_block m = {NULL, NULL, NULL, NULL};
    for (const cJSON *e = cJSON_IsObject(b) ? b->child : NULL; e; e = e->next) {
        const char *key = e->string;
        if (!key || cJSON_IsNull(e)) {
            continue;
        }
        if (key[0] == 't' && strcmp(key, "text") == 0) {
            m.text = e;
        } else if (key[0] == 'i' && strcmp(key, "image") == 0) {
            m.image = e;
        } else if (key[0] == 'd' && strcmp(key, "document") == 0) {
            m.document = e;
        } else if (key[0] == 't' && strcmp(key, "toolResult") == 0) {
            m.tool_result = e;
        }
    }
    return m;
}

static bool s_check_block(int n, int k, bool user, const cJSON *b, struct s_counts *c, struct mock_response *resp)
{
    struct s_block m = s_block_members(b);
    bool cache_point_next = b->next && brk_json_get(b->next, "cachePoint");
    if (cJSON_IsString(m.text) && brk_rule_text_refused(m.text->valuestring, cache_point_next)) {
        return mock_validation_fail(resp, BRK_MSG_BLANK_TEXT, n, k);
    }
    const char *media = m.document ? "document" : m.image ? "image" : NULL;
    if (media && !user) {
        return mock_validation_fail(resp, BRK_MSG_MEDIA_ROLE, media, n, k);
    }
    c->image += m.image != NULL;
    c->document += m.document != NULL;
    const char *name = cJSON_GetStringValue(brk_json_get(m.document, "name"));
    if (name && !brk_rule_document_name_ok(name)) {
        return mock_validation_fail(resp, BRK_MSG_DOCUMENT_NAME);
    }
    if (m.tool_result) {
        c->tool_result++;
        const char *status = cJSON_GetStringValue(brk_json_get(m.tool_result, "status"));
        if (status && strcmp(status, "error") == 0 && cJSON_GetArraySize(brk_json_get(m.tool_result, "content")) == 0) {
            return mock_validation_fail(resp, BRK_MSG_ERROR_RESULT_EMPTY, n, k);
        }
    }
    return true;
}

static bool s_check_content(const cJSON *messages, struct mock_response *resp)
{
    int n = 0;
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, messages)
    {
        const cJSON *content = brk_json_get(m, "content");
        const char *role = cJSON_GetStringValue(brk_json_get(m, "role"));
        bool user = role && strcmp(role, "user") == 0;
        if (cJSON_GetArraySize(content) == 0) {
            return mock_validation_fail(resp, BRK_MSG_EMPTY_CONTENT, n);
        }
        struct s_counts c = {0, 0, 0};
        int k = 0;
        const cJSON *b = NULL;
        cJSON_ArrayForEach(b, content)
        {
            if (!s_check_block(n, k++, user, b, &c, resp)) {
                return false;
            }
        }
        if (c.image > BRK_RULE_MAX_IMAGES) {
            return mock_validation_fail(resp, BRK_MSG_TOO_MANY_IMAGES, n);
        }
        if (c.document > BRK_RULE_MAX_DOCUMENTS) {
            return mock_validation_fail(resp, BRK_MSG_TOO_MANY_DOCUMENTS, n);
        }
        n++;
    }
    return true;
}

static bool s_has_tool_use_id(const cJSON *message, const char *id)
{
    const cJSON *b = NULL;
    cJSON_ArrayForEach(b, brk_json_get(message, "content"))
    {
        const char *use_id = cJSON_GetStringValue(brk_json_get(brk_json_get(b, "toolUse"), "toolUseId"));
        if (use_id && strcmp(use_id, id) == 0) {
            return true;
        }
    }
    return false;
}

struct s_tally {
    int uses, results;
};

/* toolUse and toolResult blocks of one message, in one pass over its blocks' keys. */
static struct s_tally s_tally_tools(const cJSON *message)
{
    struct s_tally t = {0, 0};
    const cJSON *b = NULL;
    cJSON_ArrayForEach(b, brk_json_get(message, "content"))
    {
        for (const cJSON *e = cJSON_IsObject(b) ? b->child : NULL; e; e = e->next) {
            if (e->string && e->string[0] == 't' && e->string[1] == 'o' && !cJSON_IsNull(e)) {
                t.uses += strcmp(e->string, "toolUse") == 0;
                t.results += strcmp(e->string, "toolResult") == 0;
            }
        }
    }
    return t;
}

/* toolResult blocks answer the toolUse blocks of the turn right before them. */
static bool s_check_tool_pairing(const cJSON *messages, bool has_tool_config, struct mock_response *resp)
{
    const cJSON *prev = NULL;
    struct s_tally prev_tally = {0, 0};
    int n = 0;
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, messages)
    {
        struct s_tally t = s_tally_tools(m);
        if (!has_tool_config && (t.results || t.uses)) {
            return mock_validation_fail(resp, BRK_MSG_NO_TOOL_CONFIG);
        }
        if (t.results > prev_tally.uses) {
            return mock_validation_fail(resp, S_MSG_TOO_MANY_RESULTS, n);
        }
        int k = 0;
        const cJSON *b = NULL;
        const cJSON *answers = t.results ? brk_json_get(m, "content") : NULL;
        cJSON_ArrayForEach(b, answers)
        {
            const char *id = cJSON_GetStringValue(brk_json_get(brk_json_get(b, "toolResult"), "toolUseId"));
            if (id && !s_has_tool_use_id(prev, id)) {
                return mock_validation_fail(resp, S_MSG_UNKNOWN_RESULT_ID, n, k, id);
            }
            k++;
        }
        prev = m;
        prev_tally = t;
        n++;
    }
    return true;
}

static bool s_tool_defined(const cJSON *tools, const char *name)
{
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, tools)
    {
        const char *defined = cJSON_GetStringValue(brk_json_get(brk_json_get(t, "toolSpec"), "name"));
        if (defined && strcmp(defined, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool s_check_tools(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp)
{
    const struct mock_model *model = req->model.model;
    if (!tool_config) {
        return true;
    }
    if (model && !model->tool_use) {
        return mock_validation_fail(resp, S_MSG_NO_TOOLS);
    }
    if (model && brk_op_has(req->route.op, BRK_OPT_STREAM) && !model->tool_use_streaming) {
        return mock_validation_fail(resp, S_MSG_NO_STREAM_TOOLS);
    }
    const cJSON *tools = brk_json_get(tool_config, "tools");
    int i = 0;
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, tools)
    {
        const cJSON *schema = brk_json_get(brk_json_get(brk_json_get(t, "toolSpec"), "inputSchema"), "json");
        if (schema && !cJSON_IsObject(schema)) {
            return mock_validation_fail(resp, BRK_MSG_SCHEMA_FORMAT, i);
        }
        const cJSON *type = brk_json_get(schema, "type");
        if (type && !(cJSON_IsString(type) && strcmp(type->valuestring, "object") == 0)) {
            return mock_validation_fail(resp, BRK_MSG_SCHEMA_TYPE, i);
        }
        i++;
    }
    const cJSON *tool_choice = brk_json_get(brk_json_get(tool_config, "toolChoice"), "tool");
    const char *choice = cJSON_GetStringValue(brk_json_get(tool_choice, "name"));
    if (choice && !s_tool_defined(tools, choice)) {
        return mock_validation_fail(resp, BRK_MSG_TOOL_CHOICE, choice);
    }
    return true;
}

static bool s_check_max_tokens(const struct mock_request *req, struct mock_response *resp)
{
    const cJSON *max = brk_json_get(brk_json_get(req->json, "inferenceConfig"), "maxTokens");
    const struct mock_model *m = req->model.model;
    if (!cJSON_IsNumber(max) || !m || !m->max_output_tokens || max->valuedouble <= (double)m->max_output_tokens) {
        return true;
    }
    unsigned long long limit = (unsigned long long)m->max_output_tokens;
    return mock_validation_fail(resp, S_MSG_MAX_TOKENS, limit, limit);
}

static bool s_check_settings(const struct mock_request *req, struct mock_response *resp)
{
    const char *latency = cJSON_GetStringValue(brk_json_get(brk_json_get(req->json, "performanceConfig"), "latency"));
    const struct mock_model *m = req->model.model;
    if (latency && strcmp(latency, "optimized") == 0 && m && !m->latency_optimized) {
        return mock_validation_fail(resp, S_MSG_LATENCY);
    }
    int i = 0;
    const cJSON *path = NULL;
    cJSON_ArrayForEach(path, brk_json_get(req->json, "additionalModelResponseFieldPaths"))
    {
        if (cJSON_IsString(path) && !brk_rule_json_pointer_ok(path->valuestring)) {
            return mock_validation_fail(resp, BRK_MSG_JSON_POINTER, i);
        }
        i++;
    }
    return true;
}

/* Runs after the cache-point rules: for a message holding only a document and a cache point,
 * Bedrock answers "There is nothing available to cache" (anomalyco/opencode#29728). */
bool mock_stage_validate_documents(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (!brk_op_has(req->route.op, BRK_OPT_CONVERSE_SHAPE)) {
        return true;
    }
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, brk_json_get(req->json, "messages"))
    {
        bool document = false, text = false;
        const cJSON *b = NULL;
        cJSON_ArrayForEach(b, brk_json_get(m, "content"))
        {
            struct s_block k = s_block_members(b);
            document = document || k.document;
            text = text || cJSON_IsString(k.text);
        }
        if (document && !text) {
            return mock_validation_fail(resp, BRK_MSG_DOCUMENT_TEXT);
        }
    }
    return true;
}

bool mock_stage_validate(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    if (!brk_op_has(req->route.op, BRK_OPT_CONVERSE_SHAPE)) {
        return true;
    }
    const cJSON *messages = brk_json_get(req->json, "messages");
    const cJSON *tool_config = brk_json_get(req->json, "toolConfig");
    tool_config = cJSON_IsObject(tool_config) ? tool_config : NULL;
    return s_check_roles(req->model.model, messages, resp) && s_check_content(messages, resp) &&
           s_check_tool_pairing(messages, tool_config != NULL, resp) && s_check_tools(req, tool_config, resp) &&
           mock_validate_family(req, tool_config, resp) && mock_validate_structured(req, resp) &&
           s_check_max_tokens(req, resp) && s_check_settings(req, resp) &&
           mock_validate_model_fields(req, tool_config, resp);
}
