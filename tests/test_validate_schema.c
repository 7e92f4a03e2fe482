/*
 * Schema completeness: walks the official service model (fixtures/service-model/bedrock-runtime/
 * 2023-09-30/service-2.json, vendored: fixtures/service-model/ORIGIN.md) from the inputs of every
 * validated operation and fails if mock/validate/schema_data.c misses or differs in any shape,
 * member, required flag, location, enum value, length/range constraint, pattern or sensitivity.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mock/validate/schema.h"
#include "tests/support/harness.h"

static const char *const s_roots[] = {"Converse",       "ConverseStream", "CountTokens",
                                      "ApplyGuardrail", "InvokeModel",    "InvokeModelWithResponseStream"};

static enum mock_shape_type s_expected_type(const cJSON *def)
{
    static const struct {
        const char *name;
        enum mock_shape_type type;
    } map[] = {{"list", MOCK_SHAPE_LIST},          {"map", MOCK_SHAPE_MAP},         {"string", MOCK_SHAPE_STRING},
               {"integer", MOCK_SHAPE_INTEGER},    {"long", MOCK_SHAPE_LONG},       {"float", MOCK_SHAPE_FLOAT},
               {"double", MOCK_SHAPE_DOUBLE},      {"boolean", MOCK_SHAPE_BOOLEAN}, {"blob", MOCK_SHAPE_BLOB},
               {"timestamp", MOCK_SHAPE_TIMESTAMP}};
    const char *t = cJSON_GetObjectItem(def, "type")->valuestring;
    if (strcmp(t, "structure") == 0) {
        if (cJSON_IsTrue(cJSON_GetObjectItem(def, "document"))) {
            return MOCK_SHAPE_DOCUMENT;
        }
        return cJSON_IsTrue(cJSON_GetObjectItem(def, "union")) ? MOCK_SHAPE_UNION : MOCK_SHAPE_STRUCTURE;
    }
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].name, t) == 0) {
            return map[i].type;
        }
    }
    cr_assert_fail("unknown shape type %s", t);
    return MOCK_SHAPE_DOCUMENT;
}

static void s_check_constraints(const char *name, const cJSON *def, const struct mock_shape *s)
{
    const cJSON *min = cJSON_GetObjectItem(def, "min"), *max = cJSON_GetObjectItem(def, "max");
    cr_expect_eq(s->has_min, min != NULL, "%s: min presence", name);
    cr_expect_eq(s->has_max, max != NULL, "%s: max presence", name);
    if (min) {
        cr_expect_eq(s->min, min->valuedouble, "%s: min %g != %g", name, s->min, min->valuedouble);
    }
    if (max) {
        cr_expect_eq(s->max, max->valuedouble, "%s: max %g != %g", name, s->max, max->valuedouble);
    }
    cr_expect_eq(s->sensitive, cJSON_IsTrue(cJSON_GetObjectItem(def, "sensitive")), "%s: sensitive", name);
    const cJSON *pattern = cJSON_GetObjectItem(def, "pattern");
    cr_expect_eq(s->pattern != NULL, pattern != NULL, "%s: pattern presence", name);
    if (pattern && s->pattern) {
        cr_expect_str_eq(s->pattern->source, pattern->valuestring, "%s: pattern", name);
    }
    const cJSON *values = cJSON_GetObjectItem(def, "enum");
    cr_expect_eq(s->n_enum, (size_t)cJSON_GetArraySize(values), "%s: enum size", name);
    for (size_t i = 0; values && i < s->n_enum && i < (size_t)cJSON_GetArraySize(values); i++) {
        cr_expect_str_eq(s->enum_values[i], cJSON_GetArrayItem(values, (int)i)->valuestring, "%s: enum %zu", name, i);
    }
}

static bool s_is_required(const cJSON *def, const char *member)
{
    const cJSON *r = NULL;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(def, "required"))
    {
        if (strcmp(r->valuestring, member) == 0) {
            return true;
        }
    }
    return false;
}

static void s_check_members(const char *name, const cJSON *def, const struct mock_shape *s)
{
    const cJSON *members = cJSON_GetObjectItem(def, "members");
    cr_expect_eq(s->n_members, (size_t)cJSON_GetArraySize(members), "%s: member count", name);
    size_t i = 0;
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, members)
    {
        if (i >= s->n_members) {
            break;
        }
        const struct mock_member *mm = &s->members[i++];
        cr_expect_str_eq(mm->name, m->string, "%s: member %zu", name, i);
        cr_expect_str_eq(mm->shape->name, cJSON_GetObjectItem(m, "shape")->valuestring, "%s.%s: shape", name,
                         m->string);
        cr_expect_eq(mm->required, s_is_required(def, m->string), "%s.%s: required", name, m->string);
        const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(m, "location"));
        enum mock_location want = !loc                         ? MOCK_LOC_BODY
                                  : strcmp(loc, "header") == 0 ? MOCK_LOC_HEADER
                                  : strcmp(loc, "uri") == 0    ? MOCK_LOC_URI
                                                               : MOCK_LOC_QUERY;
        cr_expect_eq(mm->location, want, "%s.%s: location", name, m->string);
        const char *ln = cJSON_GetStringValue(cJSON_GetObjectItem(m, "locationName"));
        cr_expect_str_eq(mm->location_name ? mm->location_name : "", ln ? ln : "", "%s.%s: locationName", name,
                         m->string);
    }
}

static const char *s_ref(const cJSON *def, const char *field)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(def, field), "shape")->valuestring;
}

static void s_check_shape(const char *name, const cJSON *def, const struct mock_shape *s)
{
    cr_expect_eq(s->type, s_expected_type(def), "%s: type", name);
    s_check_constraints(name, def, s);
    if (s->type == MOCK_SHAPE_STRUCTURE || s->type == MOCK_SHAPE_UNION) {
        s_check_members(name, def, s);
    } else if (s->type == MOCK_SHAPE_LIST) {
        cr_expect_str_eq(s->member->name, s_ref(def, "member"), "%s: list member", name);
    } else if (s->type == MOCK_SHAPE_MAP) {
        cr_expect_str_eq(s->key->name, s_ref(def, "key"), "%s: map key", name);
        cr_expect_str_eq(s->value->name, s_ref(def, "value"), "%s: map value", name);
    }
}

/* Breadth-first over every shape reachable from the roots, checking each against the schema. */
static size_t s_walk(const cJSON *model)
{
    const cJSON *shapes = cJSON_GetObjectItem(model, "shapes");
    const cJSON *ops = cJSON_GetObjectItem(model, "operations");
    cJSON *queue = cJSON_CreateArray(), *seen = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof(s_roots) / sizeof(s_roots[0]); i++) {
        cJSON_AddItemToArray(queue, cJSON_CreateString(s_ref(cJSON_GetObjectItem(ops, s_roots[i]), "input")));
    }
    size_t checked = 0;
    for (int q = 0; q < cJSON_GetArraySize(queue); q++) {
        const char *name = cJSON_GetArrayItem(queue, q)->valuestring;
        if (cJSON_GetObjectItem(seen, name)) {
            continue;
        }
        cJSON_AddTrueToObject(seen, name);
        const cJSON *def = cJSON_GetObjectItem(shapes, name);
        const struct mock_shape *s = mock_schema_find(name);
        cr_expect_not_null(s, "schema misses shape %s", name);
        if (!s) {
            continue;
        }
        s_check_shape(name, def, s);
        checked++;
        const cJSON *m = NULL;
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(def, "members"))
        {
            cJSON_AddItemToArray(queue, cJSON_CreateString(cJSON_GetObjectItem(m, "shape")->valuestring));
        }
        const char *refs[] = {"member", "key", "value"};
        for (size_t r = 0; r < 3; r++) {
            if (cJSON_GetObjectItem(def, refs[r])) {
                cJSON_AddItemToArray(queue, cJSON_CreateString(s_ref(def, refs[r])));
            }
        }
    }
    cJSON_Delete(queue);
    cJSON_Delete(seen);
    return checked;
}

Test(validate_schema, covers_every_input_shape_of_the_official_model)
{
    cJSON *model = th_service_model();
    cr_assert_not_null(model, "fixtures/service-model/.../service-2.json is missing or not JSON");
    size_t checked = s_walk(model);
    cr_expect_eq(checked, mock_schema_n_shapes, "schema has %zu shapes, the model's inputs reach %zu",
                 mock_schema_n_shapes, checked);
    cJSON_Delete(model);
}
