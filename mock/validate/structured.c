/*
 * structured.c: the limits of structured output (see structured.h). Every refusal is a 400
 * ValidationException. Sources (docs/validation.md, "Structured output"):
 *   - which models: the catalogue's strict_tools, pydantic-ai's allowlist shared by strict
 *     tools and native output (model-families.md §2.2, §3);
 *   - Claude without it: "output_config.format: Extra inputs are not permitted" wrapped as a
 *     model error, recorded for additionalModelRequestFields.output_config.format on Claude
 *     Opus 4.7 (BerriAI/litellm#27846, 3p); for outputConfig.textFormat inferred (Bedrock hands
 *     it to Claude as output_config.format: the keyword errors below name that path for
 *     Converse requests);
 *   - other models without it: accepted (no source records a refusal; BerriAI/litellm#27846
 *     reports outputConfig working on Nova, which is not on the allowlist);
 *   - keywords: model-families.md §2.2 (numbers: minimum, maximum, exclusiveMinimum,
 *     exclusiveMaximum, multipleOf; arrays: maxItems, minItems above 1; minLength/maxLength
 *     accepted, ✔live Sonnet 4.5). Texts recorded: "For 'number' type, properties maximum,
 *     minimum are not supported" (BerriAI/litellm#29168, Sonnet 4.6), the same for 'integer'
 *     (gaiin-platform/amplify-genai-backend#383), "For 'array' type, property 'maxItems' is not
 *     supported" (vercel/ai#17197 and its live fixture, Sonnet 4.5; vectorize-io/hindsight#2500).
 *     One keyword reads "property 'X'", several "properties a, b" in alphabetical order; the
 *     other keywords' texts follow that form (inferred). Checked on Claude only: no source
 *     says what other families refuse;
 *   - strict tools on Claude: every object schema of the input schema, recursively, needs
 *     "additionalProperties": false, else "tools.N.custom: For 'object' type,
 *     'additionalProperties' must be explicitly set to false" (strands-agents/harness-sdk#2210,
 *     live); for a nested object the path Claude prints is not recorded (inferred: the same);
 *   - strict tools on Claude refuse the same keywords as structured output, under the path
 *     "tools.N.custom" ("tools.1.custom: For 'array' type, property 'maxItems' is not
 *     supported", BerriAI/litellm#39115, live on Sonnet 4.6; strict without maxItems and
 *     maxItems without strict both pass).
 */
#include "mock/validate/structured.h"

#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "mock/model/catalog.h"
#include "mock/model/structured.h"
#include "mock/validate/family.h"

#define S_MSG_MODEL "The model returned the following errors: "
#define S_MSG_EXTRA S_MSG_MODEL "output_config.format: Extra inputs are not permitted"
#define S_MSG_SCHEMA_TEXT                                                                                 \
    "The format of the value at outputConfig.textFormat.structure.jsonSchema.schema is invalid. Provide " \
    "a json object for the field and try again."
#define S_MSG_ANTHROPIC_SCHEMA S_MSG_MODEL "output_config.format.schema: Input should be a valid dictionary"
/* The path names the schema: "output_config.format.schema" or a strict tool's "tools.N.custom". */
#define S_MSG_KEYWORD S_MSG_MODEL "%s: For '%s' type, property '%s' is not supported"
#define S_MSG_KEYWORDS S_MSG_MODEL "%s: For '%s' type, properties %s are not supported"
#define S_PATH_FORMAT "output_config.format.schema"
#define S_MSG_OPEN_OBJECT \
    S_MSG_MODEL "tools.%d.custom: For 'object' type, 'additionalProperties' must be explicitly set to false"

/* In alphabetical order, as Bedrock lists them. */
static const char *const s_number_keys[] = {"exclusiveMaximum", "exclusiveMinimum", "maximum", "minimum", "multipleOf"};
static const char *const s_array_keys[] = {"maxItems", "minItems"};

/* Members holding one subschema, lists of subschemas, and maps of name -> subschema. */
static const char *const s_one[] = {"additionalProperties", "not", "contains", "additionalItems", "items"};
static const char *const s_many[] = {"anyOf",      "oneOf", "allOf",       "prefixItems",      "items",
                                     "properties", "$defs", "definitions", "patternProperties"};

/* The first type `schema` names (a string or a list) that is one of `names`; NULL for none. */
static const char *s_type_in(const cJSON *schema, const char *const *names, size_t n_names)
{
    const cJSON *type = brk_json_get(schema, "type");
    const cJSON *t = cJSON_IsArray(type) ? type->child : type;
    for (; t; t = cJSON_IsArray(type) ? t->next : NULL) {
        const char *name = cJSON_GetStringValue(t);
        for (size_t i = 0; name && i < n_names; i++) {
            if (strcmp(name, names[i]) == 0) {
                return names[i];
            }
        }
    }
    return NULL;
}

/* The refused keywords of `schema` itself, joined ", " into names; how many. */
static int s_refused(const cJSON *schema, const char *type, char *names, size_t len)
{
    bool array = strcmp(type, "array") == 0;
    const char *const *keys = array ? s_array_keys : s_number_keys;
    size_t n_keys = array ? 2 : 5;
    int n = 0;
    names[0] = '\0';
    for (size_t i = 0; i < n_keys; i++) {
        const cJSON *v = brk_json_get(schema, keys[i]);
        if (v && (strcmp(keys[i], "minItems") != 0 || brk_json_count(v, 0) > 1)) {
            size_t used = strlen(names);
            snprintf(names + used, len - used, "%s%s", n ? ", " : "", keys[i]);
            n++;
        }
    }
    return n;
}

/* Depth first, the schema before its subschemas, stopping at the first schema `visit` refuses
 * (false): the keyword scan and the strict-tool object rule both walk this way. */
static bool s_walk(const cJSON *schema, int depth, bool (*visit)(const cJSON *, void *), void *ctx)
{
    if (!cJSON_IsObject(schema) || depth > MOCK_STRUCTURED_SCAN_DEPTH) {
        return true;
    }
    if (!visit(schema, ctx)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(s_one) / sizeof(s_one[0]); i++) {
        if (!s_walk(brk_json_get(schema, s_one[i]), depth + 1, visit, ctx)) {
            return false;
        }
    }
    for (size_t i = 0; i < sizeof(s_many) / sizeof(s_many[0]); i++) {
        const cJSON *sub = NULL;
        const cJSON *list = brk_json_get(schema, s_many[i]);
        cJSON_ArrayForEach(sub, ((cJSON_IsArray(list) || strcmp(s_many[i], "items") != 0) ? list : NULL))
        {
            if (!s_walk(sub, depth + 1, visit, ctx)) {
                return false;
            }
        }
    }
    return true;
}

/* Where a keyword refusal goes and the path its text names. */
struct s_keyword_scan {
    struct mock_response *resp;
    const char *path;
};

/* The first refused keyword answers. */
static bool s_visit_keywords(const cJSON *schema, void *ctx)
{
    static const char *const checked[] = {"number", "integer", "array"};
    const struct s_keyword_scan *scan = ctx;
    const char *type = s_type_in(schema, checked, 3);
    char names[96];
    int n = type ? s_refused(schema, type, names, sizeof(names)) : 0;
    if (n) {
        return mock_validation_fail(scan->resp, n == 1 ? S_MSG_KEYWORD : S_MSG_KEYWORDS, scan->path, type, names);
    }
    return true;
}

static bool s_scan_keywords(const cJSON *schema, const char *path, struct mock_response *resp)
{
    struct s_keyword_scan scan = {resp, path};
    return s_walk(schema, 0, s_visit_keywords, &scan);
}

/* An object schema must say "additionalProperties": false; absent, true or a schema is refused. */
static bool s_visit_closed(const cJSON *schema, void *ctx)
{
    static const char *const object[] = {"object"};
    (void)ctx;
    return !s_type_in(schema, object, 1) || cJSON_IsFalse(brk_json_get(schema, "additionalProperties"));
}

/* A strict tool's schema is compiled into the same constrained-decoding grammar as structured
 * output, so the same keywords are refused, under the tool's path (BerriAI/litellm#39115: only
 * strict + maxItems fails, measured on Sonnet 4.6, Haiku 4.5, Opus 4.6). Which check answers
 * first when a schema breaks both is not recorded (inferred: the open object). */
bool mock_validate_strict_schema(const cJSON *schema, int tool, struct mock_response *resp)
{
    if (!s_walk(schema, 0, s_visit_closed, NULL)) {
        return mock_validation_fail(resp, S_MSG_OPEN_OBJECT, tool);
    }
    char path[48];
    snprintf(path, sizeof(path), "tools.%d.custom", tool);
    return s_scan_keywords(schema, path, resp);
}

static bool s_check(const struct mock_model *m, const struct mock_structured *so, struct mock_response *resp)
{
    bool claude = strcmp(m->family, "anthropic") == 0;
    if (claude && !m->strict_tools) {
        return mock_validation_fail(resp, S_MSG_EXTRA);
    }
    if (so->malformed) {
        return mock_validation_fail(resp, so->field == MOCK_STRUCTURED_ANTHROPIC ? S_MSG_ANTHROPIC_SCHEMA
                                                                                 : S_MSG_SCHEMA_TEXT);
    }
    return !claude || s_scan_keywords(so->schema, S_PATH_FORMAT, resp);
}

bool mock_validate_structured(const struct mock_request *req, struct mock_response *resp)
{
    const struct mock_model *m = req->model.model;
    if (!m) {
        return true;
    }
    struct mock_structured so;
    mock_structured_find(req->json, m, &so);
    bool ok = so.field == MOCK_STRUCTURED_NONE || s_check(m, &so, resp);
    mock_structured_clean_up(&so);
    return ok;
}
