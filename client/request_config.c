/*
 * request_config.c: the request's configuration members: inferenceConfig, guardrailConfig,
 * performanceConfig, requestMetadata, additionalModelRequestFields,
 * additionalModelResponseFieldPaths, promptVariables, serviceTier and outputConfig.
 *
 * Each setter checks its value against the service model's constraints (ranges, lengths, enums,
 * patterns) with Coral's texts, and places it in the model's member order whatever the order of
 * the calls. pydantic-ai's bedrock_guardrail_config, bedrock_performance_configuration,
 * bedrock_request_metadata, bedrock_additional_model_response_fields_paths,
 * bedrock_prompt_variables and bedrock_service_tier map to these members (client-facts.md §1.10).
 */
#include <stdio.h>
#include <string.h>

#include "client/request_priv.h"
#include "common/converse_rules.h"

/* GuardrailIdentifier and GuardrailVersion of the service model. */
#define S_GUARDRAIL_ID_ERE "^(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))$"
#define S_GUARDRAIL_ID_SOURCE "(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))"
#define S_GUARDRAIL_VERSION_ERE "^(|([1-9][0-9]{0,7})|(DRAFT))$"
#define S_GUARDRAIL_VERSION_SOURCE "(|([1-9][0-9]{0,7})|(DRAFT))"
/* RequestMetadata keys and values: Java's \s is [ \t\n\x0B\f\r], which [:space:] is in the C locale. */
#define S_METADATA_KEY_ERE "^[a-zA-Z0-9[:space:]:_@$#=/+,.-]{1,256}$"
#define S_METADATA_KEY_SOURCE "[a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}"
#define S_METADATA_VALUE_ERE "^[a-zA-Z0-9[:space:]:_@$#=/+,.-]{0,256}$"
#define S_METADATA_VALUE_SOURCE "[a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}"
#define S_MAX_METADATA 16
#define S_MAX_STOP_SEQUENCES 2500
#define S_MAX_RESPONSE_PATHS 10

static const char *const s_inference_order[] = {"maxTokens", "temperature", "topP", "stopSequences", NULL};
static const char *const s_guardrail_order[] = {"guardrailIdentifier", "guardrailVersion", "trace",
                                                "streamProcessingMode", NULL};
static const char *const s_output_order[] = {"textFormat", "effort", NULL};
static const char *const s_traces[] = {"enabled", "disabled", "enabled_full", NULL};
static const char *const s_stream_modes[] = {"sync", "async", NULL};
static const char *const s_latencies[] = {"standard", "optimized", NULL};
static const char *const s_tiers[] = {"priority", "default", "flex", "reserved", NULL};

/* Set a member of the top-level object `m`. Takes value. */
static enum brk_status s_put(struct brk_request *req, enum brk_rq_member m, const char *name, cJSON *value,
                             const char *const *order)
{
    cJSON *obj = brk_rq_member(req, m, false);
    if (!obj) {
        cJSON_Delete(value);
        return brk_rq_nomem(req);
    }
    return brk_rq_put(req, obj, name, value, order);
}

/* The refusal of adding `adding` to a list that holds `max` already, showing the list it would become as
 * Java's List.toString, as Coral does; a list too long for the message ends with "...". */
static enum brk_status s_list_full(struct brk_request *req, const char *path, const cJSON *list, int max,
                                   const char *adding)
{
    char shown[600];
    size_t o = 0, room = sizeof(shown) - 8; /* kept for "...]'" */
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, list)
    {
        if (o < room) {
            o += (size_t)snprintf(shown + o, room - o, "%s%s", o ? ", " : "'[", e->valuestring);
        }
    }
    if (o < room) {
        o += (size_t)snprintf(shown + o, room - o, ", %s", adding);
    }
    snprintf(shown + (o < room ? o : room - 1), sizeof(shown) - (o < room ? o : room - 1), "%s]'",
             o < room ? "" : "...");
    return brk_rq_fail(req, BRK_ERR_INVALID_ARG,
                       "1 validation error detected: Value %s at '%s' failed to satisfy constraint: Member must have "
                       "length less than or equal to %d",
                       shown, path, max);
}

/* ---- inferenceConfig ---------------------------------------------------------------------- */

enum brk_status brk_request_max_tokens(struct brk_request *req, int max_tokens)
{
    enum brk_status st = brk_rq_ready(req);
    st = st == BRK_OK ? brk_rq_range(req, "inferenceConfig.maxTokens", max_tokens, true, 1, 2147483647.0) : st;
    return st == BRK_OK ? s_put(req, BRK_RQ_INFERENCE, "maxTokens", cJSON_CreateNumber(max_tokens), s_inference_order)
                        : st;
}

static enum brk_status s_unit_float(struct brk_request *req, const char *name, double value)
{
    char path[64];
    snprintf(path, sizeof(path), "inferenceConfig.%s", name);
    enum brk_status st = brk_rq_ready(req);
    st = st == BRK_OK ? brk_rq_range(req, path, value, false, 0, 1) : st;
    return st == BRK_OK ? s_put(req, BRK_RQ_INFERENCE, name, cJSON_CreateNumber(value), s_inference_order) : st;
}

enum brk_status brk_request_temperature(struct brk_request *req, double temperature)
{
    return s_unit_float(req, "temperature", temperature);
}

enum brk_status brk_request_top_p(struct brk_request *req, double top_p)
{
    return s_unit_float(req, "topP", top_p);
}

/* The list member `name` of the top-level object `m`, created on first use. */
static cJSON *s_list(struct brk_request *req, enum brk_rq_member m, const char *name, const char *const *order)
{
    cJSON *obj = brk_rq_member(req, m, false);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (obj && !list && brk_rq_put(req, obj, name, cJSON_CreateArray(), order) == BRK_OK) {
        list = cJSON_GetObjectItemCaseSensitive(obj, name);
    }
    if (!list) {
        brk_rq_nomem(req);
    }
    return list;
}

/* Append `value` to `list` (NULL: out of memory) and count it in *n, unless the list holds `max`
 * already; `path` names the list in the refusal. */
static enum brk_status s_list_append(struct brk_request *req, const char *path, cJSON *list, int *n, int max,
                                     const char *value)
{
    if (!list) {
        return brk_rq_nomem(req);
    }
    if (*n >= max) {
        return s_list_full(req, path, list, max, value);
    }
    cJSON *item = cJSON_CreateString(value);
    if (!item) {
        return brk_rq_nomem(req);
    }
    cJSON_AddItemToArray(list, item);
    (*n)++;
    return BRK_OK;
}

enum brk_status brk_request_stop_sequence(struct brk_request *req, const char *sequence)
{
    enum brk_status st = brk_rq_start(req, "brk_request_stop_sequence", "sequence", sequence);
    if (st != BRK_OK) {
        return st;
    }
    char path[80];
    snprintf(path, sizeof(path), "inferenceConfig.stopSequences.%d.member", req->n_stop + 1);
    st = brk_rq_length(req, path, sequence, true, 1, -1);
    if (st != BRK_OK) {
        return st;
    }
    cJSON *list = s_list(req, BRK_RQ_INFERENCE, "stopSequences", s_inference_order);
    return s_list_append(req, "inferenceConfig.stopSequences", list, &req->n_stop, S_MAX_STOP_SEQUENCES, sequence);
}

/* ---- guardrailConfig, performanceConfig, serviceTier ------------------------------------------ */

/* Set or (value NULL) remove one string member of a top-level object. */
static enum brk_status s_put_string(struct brk_request *req, enum brk_rq_member m, const char *name, const char *value,
                                    const char *const *order)
{
    if (!value) {
        cJSON_DeleteItemFromObjectCaseSensitive(req->member[m], name);
        return BRK_OK;
    }
    return s_put(req, m, name, cJSON_CreateString(value), order);
}

enum brk_status brk_request_guardrail(struct brk_request *req, const char *identifier, const char *version,
                                      const char *trace)
{
    enum brk_status st = brk_rq_ready(req);
    if (st == BRK_OK && identifier) {
        st = brk_rq_length(req, "guardrailConfig.guardrailIdentifier", identifier, true, 0, 2048);
        st = st == BRK_OK ? brk_rq_pattern(req, "guardrailConfig.guardrailIdentifier", identifier, true,
                                           S_GUARDRAIL_ID_ERE, S_GUARDRAIL_ID_SOURCE)
                          : st;
    }
    if (st == BRK_OK && version) {
        st = brk_rq_pattern(req, "guardrailConfig.guardrailVersion", version, true, S_GUARDRAIL_VERSION_ERE,
                            S_GUARDRAIL_VERSION_SOURCE);
    }
    st = st == BRK_OK && trace ? brk_rq_enum(req, "guardrailConfig.trace", trace, true, s_traces) : st;
    if (st == BRK_OK && !brk_rq_member(req, BRK_RQ_GUARDRAIL, false)) {
        st = brk_rq_nomem(req);
    }
    st = st == BRK_OK ? s_put_string(req, BRK_RQ_GUARDRAIL, "guardrailIdentifier", identifier, s_guardrail_order) : st;
    st = st == BRK_OK ? s_put_string(req, BRK_RQ_GUARDRAIL, "guardrailVersion", version, s_guardrail_order) : st;
    return st == BRK_OK ? s_put_string(req, BRK_RQ_GUARDRAIL, "trace", trace, s_guardrail_order) : st;
}

/* One enum-valued string member of a top-level object, shown in messages at `path`. */
static enum brk_status s_enum_member(struct brk_request *req, const char *fn, enum brk_rq_member m, const char *name,
                                     const char *path, const char *value, const char *const *values,
                                     const char *const *order)
{
    enum brk_status st = brk_rq_start(req, fn, name, value);
    st = st == BRK_OK ? brk_rq_enum(req, path, value, true, values) : st;
    return st == BRK_OK ? s_put(req, m, name, cJSON_CreateString(value), order) : st;
}

enum brk_status brk_request_guardrail_stream_mode(struct brk_request *req, const char *mode)
{
    return s_enum_member(req, "brk_request_guardrail_stream_mode", BRK_RQ_GUARDRAIL, "streamProcessingMode",
                         "guardrailConfig.streamProcessingMode", mode, s_stream_modes, s_guardrail_order);
}

enum brk_status brk_request_performance_latency(struct brk_request *req, const char *latency)
{
    static const char *const order[] = {"latency", NULL};
    return s_enum_member(req, "brk_request_performance_latency", BRK_RQ_PERFORMANCE, "latency",
                         "performanceConfig.latency", latency, s_latencies, order);
}

enum brk_status brk_request_service_tier(struct brk_request *req, const char *type)
{
    static const char *const order[] = {"type", NULL};
    return s_enum_member(req, "brk_request_service_tier", BRK_RQ_SERVICE_TIER, "type", "serviceTier.type", type,
                         s_tiers, order);
}

/* ---- requestMetadata and promptVariables --------------------------------------------------------- */

/* Coral's map-entry form: "Value at 'requestMetadata' failed to satisfy constraint: Map keys must
 * satisfy constraint: [<each broken rule>]" (docs/validation.md). */
static enum brk_status s_map_entry(struct brk_request *req, const char *what, const char *s, long min, const char *ere,
                                   const char *source)
{
    long n = brk_rq_utf16_len(s);
    size_t o = 0;
    char faults[700];
    faults[0] = '\0';
    if (n < min) {
        o += (size_t)snprintf(faults, sizeof(faults), "Member must have length greater than or equal to %ld", min);
    }
    if (n > 256 && o < sizeof(faults)) {
        o += (size_t)snprintf(faults + o, sizeof(faults) - o, "%sMember must have length less than or equal to 256",
                              o ? ", " : "");
    }
    if (!brk_rq_matches(ere, s) && o < sizeof(faults)) {
        snprintf(faults + o, sizeof(faults) - o, "%sMember must satisfy regular expression pattern: %s", o ? ", " : "",
                 source);
    }
    if (!faults[0]) {
        return BRK_OK;
    }
    return brk_rq_fail(req, BRK_ERR_INVALID_ARG,
                       "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: %s must "
                       "satisfy constraint: [%s]",
                       what, faults);
}

/* Set key -> value in the top-level map `m` (replacing the key). Takes value. */
static enum brk_status s_map_put(struct brk_request *req, enum brk_rq_member m, const char *key, cJSON *value)
{
    cJSON *map = brk_rq_member(req, m, false);
    if (!map || !value) {
        cJSON_Delete(value);
        return brk_rq_nomem(req);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(map, key);
    if (!cJSON_AddItemToObject(map, key, value)) {
        cJSON_Delete(value);
        return brk_rq_nomem(req);
    }
    return BRK_OK;
}

enum brk_status brk_request_metadata(struct brk_request *req, const char *key, const char *value)
{
    enum brk_status st = brk_rq_start(req, "brk_request_metadata", "key", key);
    st = st == BRK_OK ? brk_rq_arg(req, "brk_request_metadata", "value", value) : st;
    st = st == BRK_OK ? s_map_entry(req, "Map keys", key, 1, S_METADATA_KEY_ERE, S_METADATA_KEY_SOURCE) : st;
    st = st == BRK_OK ? s_map_entry(req, "Map value", value, 0, S_METADATA_VALUE_ERE, S_METADATA_VALUE_SOURCE) : st;
    if (st != BRK_OK) {
        return st;
    }
    const cJSON *map = req->member[BRK_RQ_METADATA];
    if (!cJSON_HasObjectItem(map, key) && cJSON_GetArraySize(map) >= S_MAX_METADATA) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG,
                           "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: "
                           "Member must have length less than or equal to %d",
                           S_MAX_METADATA);
    }
    return s_map_put(req, BRK_RQ_METADATA, key, cJSON_CreateString(value));
}

enum brk_status brk_request_prompt_variable(struct brk_request *req, const char *name, const char *text)
{
    enum brk_status st = brk_rq_start(req, "brk_request_prompt_variable", "name", name);
    st = st == BRK_OK ? brk_rq_arg(req, "brk_request_prompt_variable", "text", text) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *value = cJSON_CreateObject();
    if (value && !cJSON_AddStringToObject(value, "text", text)) {
        cJSON_Delete(value);
        value = NULL;
    }
    return s_map_put(req, BRK_RQ_PROMPT_VARIABLES, name, value);
}

/* ---- additional fields and response field paths -------------------------------------------------- */

enum brk_status brk_request_additional_fields(struct brk_request *req, const char *json_object)
{
    static const char fn[] = "brk_request_additional_fields";
    enum brk_status st = brk_rq_ready(req);
    cJSON *fields = NULL;
    st = st == BRK_OK ? brk_rq_parse(req, fn, "json_object", json_object, &fields) : st;
    if (st == BRK_OK && !cJSON_IsObject(fields)) {
        cJSON_Delete(fields);
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: additionalModelRequestFields must be a JSON object", fn);
    }
    if (st == BRK_OK) {
        cJSON_Delete(req->member[BRK_RQ_ADDITIONAL_FIELDS]);
        req->member[BRK_RQ_ADDITIONAL_FIELDS] = fields;
    }
    return st;
}

enum brk_status brk_request_response_field_path(struct brk_request *req, const char *path)
{
    enum brk_status st = brk_rq_start(req, "brk_request_response_field_path", "path", path);
    if (st != BRK_OK) {
        return st;
    }
    char where[80];
    snprintf(where, sizeof(where), "additionalModelResponseFieldPaths.%d.member", req->n_paths + 1);
    st = brk_rq_length(req, where, path, true, 1, 256);
    if (st == BRK_OK && !brk_rule_json_pointer_ok(path)) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_JSON_POINTER, req->n_paths);
    }
    if (st != BRK_OK) {
        return st;
    }
    return s_list_append(req, "additionalModelResponseFieldPaths", brk_rq_member(req, BRK_RQ_RESPONSE_PATHS, true),
                         &req->n_paths, S_MAX_RESPONSE_PATHS, path);
}

/* ---- outputConfig ----------------------------------------------------------------------------- */

/* {"type":"json_schema","structure":{"jsonSchema":{"schema","name","description"}}} */
static cJSON *s_text_format(const char *schema_json, const char *name, const char *description)
{
    cJSON *format = cJSON_CreateObject();
    cJSON *structure = format && cJSON_AddStringToObject(format, "type", "json_schema")
                           ? cJSON_AddObjectToObject(format, "structure")
                           : NULL;
    cJSON *js = structure ? cJSON_AddObjectToObject(structure, "jsonSchema") : NULL;
    bool ok = js && cJSON_AddStringToObject(js, "schema", schema_json) &&
              (!name || cJSON_AddStringToObject(js, "name", name)) &&
              (!description || cJSON_AddStringToObject(js, "description", description));
    if (!ok) {
        cJSON_Delete(format);
        return NULL;
    }
    return format;
}

enum brk_status brk_request_output_json_schema(struct brk_request *req, const char *schema_json, const char *name,
                                               const char *description)
{
    static const char fn[] = "brk_request_output_json_schema";
    enum brk_status st = brk_rq_ready(req);
    cJSON *parsed = NULL; /* the schema travels as text; parsing it only checks it is JSON */
    st = st == BRK_OK ? brk_rq_parse(req, fn, "schema_json", schema_json, &parsed) : st;
    cJSON_Delete(parsed);
    return st == BRK_OK
               ? s_put(req, BRK_RQ_OUTPUT, "textFormat", s_text_format(schema_json, name, description), s_output_order)
               : st;
}

enum brk_status brk_request_output_effort(struct brk_request *req, const char *effort)
{
    enum brk_status st = brk_rq_start(req, "brk_request_output_effort", "effort", effort);
    st = st == BRK_OK ? brk_rq_length(req, "outputConfig.effort", effort, true, 0, 16) : st;
    return st == BRK_OK ? s_put(req, BRK_RQ_OUTPUT, "effort", cJSON_CreateString(effort), s_output_order) : st;
}
