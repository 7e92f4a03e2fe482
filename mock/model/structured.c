/* structured.c: the structured-output field of a Converse request and its schema (see structured.h). */
#include "mock/model/structured.h"

#include <string.h>

#include "common/json.h"

static bool s_is(const cJSON *item, const char *text)
{
    return cJSON_IsString(item) && strcmp(item->valuestring, text) == 0;
}

/* outputConfig.textFormat: the schema travels as JSON text (the service model's String). */
static bool s_output_config(const cJSON *request, struct mock_structured *out)
{
    const cJSON *format = brk_json_get(brk_json_get(request, "outputConfig"), "textFormat");
    if (!format) {
        return false;
    }
    out->field = MOCK_STRUCTURED_OUTPUT_CONFIG;
    const cJSON *def = brk_json_get(brk_json_get(format, "structure"), "jsonSchema");
    const char *text = cJSON_GetStringValue(brk_json_get(def, "schema"));
    out->parsed = text ? cJSON_Parse(text) : NULL;
    out->schema = cJSON_IsObject(out->parsed) ? out->parsed : NULL;
    out->malformed = out->schema == NULL;
    return true;
}

/* Anthropic's output_config.format: the schema is a JSON object in the request. */
static bool s_anthropic(const cJSON *request, const struct mock_model *model, struct mock_structured *out)
{
    const cJSON *extra = brk_json_get(request, "additionalModelRequestFields");
    const cJSON *format = brk_json_get(brk_json_get(extra, "output_config"), "format");
    if (!format || !model || strcmp(model->family, "anthropic") != 0) {
        return false;
    }
    const cJSON *schema = brk_json_get(format, "schema");
    out->field = MOCK_STRUCTURED_ANTHROPIC;
    out->schema = s_is(brk_json_get(format, "type"), "json_schema") && cJSON_IsObject(schema) ? schema : NULL;
    out->malformed = out->schema == NULL;
    return true;
}

void mock_structured_find(const cJSON *request, const struct mock_model *model, struct mock_structured *out)
{
    memset(out, 0, sizeof(*out));
    if (!s_output_config(request, out)) {
        (void)s_anthropic(request, model, out);
    }
}

void mock_structured_clean_up(struct mock_structured *s)
{
    cJSON_Delete(s->parsed);
    memset(s, 0, sizeof(*s));
}
