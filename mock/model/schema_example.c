/*
 * schema_example.c: one JSON value that satisfies a JSON Schema (see schema_example.h). Each
 * call owns a struct s_gen that counts what it made against the bounds, so a hostile schema
 * (deep $ref cycles, huge minItems or minLength, big const values copied many times) costs at
 * most the budget. Thread-safe: no state outside the call.
 */
#include "mock/model/schema_example.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/json.h"

struct s_gen {
    const cJSON *root;   /* where "#..." references start */
    size_t nodes;        /* values made so far (MOCK_EXAMPLE_MAX_NODES) */
    size_t string_bytes; /* string text made so far (MOCK_EXAMPLE_MAX_STRING_BYTES) */
};

static cJSON *s_value(struct s_gen *g, const cJSON *schema, int depth);

/* ---- references and copies ---------------------------------------------------------- */

static const cJSON *s_pointer_step(const cJSON *at, const char *key)
{
    if (!cJSON_IsArray(at)) {
        return brk_json_get(at, key);
    }
    size_t i = 0;
    for (const char *k = key; *k; k++) {
        if (*k < '0' || *k > '9' || i > 1000000) {
            return NULL;
        }
        i = i * 10 + (size_t)(*k - '0');
    }
    return key[0] ? cJSON_GetArrayItem(at, (int)i) : NULL;
}

/* The target of a local reference ("#", "#/$defs/Name", any JSON pointer); NULL otherwise. */
static const cJSON *s_resolve(const cJSON *root, const char *ref)
{
    if (ref[0] != '#') {
        return NULL; /* remote references are not followed */
    }
    const cJSON *at = root;
    const char *p = ref + 1;
    while (at && *p == '/') {
        char key[256];
        size_t n = 0;
        for (p++; *p && *p != '/'; p++) {
            char c = *p;
            if (c == '~' && (p[1] == '0' || p[1] == '1')) {
                c = *++p == '0' ? '~' : '/';
            }
            if (n + 1 >= sizeof(key)) {
                return NULL;
            }
            key[n++] = c;
        }
        key[n] = '\0';
        at = s_pointer_step(at, key);
    }
    return *p == '\0' ? at : NULL;
}

/* Charge the values and string text of `item` to the budget; false (nothing charged) when
 * they do not fit. Stops walking as soon as the budget is spent. */
static bool s_charge(struct s_gen *g, const cJSON *item)
{
    size_t nodes = g->nodes + 1;
    size_t bytes = g->string_bytes + (cJSON_IsString(item) ? strlen(item->valuestring) : 0);
    const cJSON *resume[MOCK_EXAMPLE_MAX_DEPTH]; /* where to go on once a child list is done */
    int top = 0;
    const cJSON *at = item->child;
    while (nodes <= MOCK_EXAMPLE_MAX_NODES && bytes <= MOCK_EXAMPLE_MAX_STRING_BYTES && (at || top > 0)) {
        if (!at) {
            at = resume[--top];
            continue;
        }
        nodes++;
        bytes += cJSON_IsString(at) ? strlen(at->valuestring) : 0;
        if (at->child && top == MOCK_EXAMPLE_MAX_DEPTH) {
            return false;
        }
        if (at->child) {
            resume[top++] = at->next;
        }
        at = at->child ? at->child : at->next;
    }
    if (nodes > MOCK_EXAMPLE_MAX_NODES || bytes > MOCK_EXAMPLE_MAX_STRING_BYTES) {
        return false;
    }
    g->nodes = nodes;
    g->string_bytes = bytes;
    return true;
}

static cJSON *s_copy(struct s_gen *g, const cJSON *item)
{
    return s_charge(g, item) ? cJSON_Duplicate(item, 1) : cJSON_CreateNull();
}

/* ---- strings -------------------------------------------------------------------------- */

static const char *s_format_example(const char *format)
{
    static const char *const table[][2] = {
        {"date-time", "2024-01-01T00:00:00Z"},
        {"date", "2024-01-01"},
        {"time", "00:00:00Z"},
        {"duration", "P1D"},
        {"email", "user@example.com"},
        {"idn-email", "user@example.com"},
        {"hostname", "example.com"},
        {"idn-hostname", "example.com"},
        {"ipv4", "192.0.2.1"},
        {"ipv6", "2001:db8::1"},
        {"uri", "https://example.com/"},
        {"uri-reference", "https://example.com/"},
        {"iri", "https://example.com/"},
        {"iri-reference", "https://example.com/"},
        {"uri-template", "https://example.com/{id}"},
        {"uuid", "00000000-0000-4000-8000-000000000000"},
        {"json-pointer", "/example"},
        {"relative-json-pointer", "0"},
        {"regex", ".*"},
    };
    for (size_t i = 0; format && i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(format, table[i][0]) == 0) {
            return table[i][1];
        }
    }
    return NULL;
}

/* Bytes of the first `chars` characters of UTF-8 `text` (all of it when shorter); the
 * character count goes to *count. */
static size_t s_utf8_prefix(const char *text, size_t chars, size_t *count)
{
    size_t i = 0, n = 0;
    while (text[i] && n < chars) {
        i++;
        while (((unsigned char)text[i] & 0xC0) == 0x80) {
            i++;
        }
        n++;
    }
    *count = n;
    return i;
}

/* `base` cut to maxLength characters or padded with 'a' to minLength, within the budget. */
static cJSON *s_sized_string(struct s_gen *g, const char *base, uint64_t min_chars, uint64_t max_chars)
{
    size_t have = 0;
    size_t keep = s_utf8_prefix(base, max_chars > SIZE_MAX ? SIZE_MAX : (size_t)max_chars, &have);
    size_t room = MOCK_EXAMPLE_MAX_STRING_BYTES - g->string_bytes;
    size_t pad = min_chars > have ? (size_t)(min_chars - have < room ? min_chars - have : room) : 0;
    keep = keep < room - pad ? keep : room - pad;
    while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80) {
        keep--; /* never cut a character in two */
    }
    char *text = cJSON_malloc(keep + pad + 1);
    if (!text) {
        return NULL;
    }
    memcpy(text, base, keep);
    memset(text + keep, 'a', pad);
    text[keep + pad] = '\0';
    g->string_bytes += keep + pad;
    cJSON *s = cJSON_CreateString(text);
    cJSON_free(text);
    return s;
}

static cJSON *s_string(struct s_gen *g, const cJSON *schema)
{
    char example[MOCK_EXAMPLE_MAX_PATTERN_BYTES + 1];
    const char *base = s_format_example(cJSON_GetStringValue(brk_json_get(schema, "format")));
    const char *pattern = cJSON_GetStringValue(brk_json_get(schema, "pattern"));
    if (!base && pattern && mock_pattern_example(pattern, example, sizeof(example))) {
        base = example;
    }
    uint64_t min_chars = brk_json_count(brk_json_get(schema, "minLength"), 0);
    uint64_t max_chars = brk_json_count(brk_json_get(schema, "maxLength"), UINT64_MAX);
    return s_sized_string(g, base ? base : "", min_chars, max_chars);
}

/* ---- numbers -------------------------------------------------------------------------- */

/* The lower (or upper) bound and whether it is exclusive: "minimum" with draft 4's boolean
 * "exclusiveMinimum", or a numeric "exclusiveMinimum" (draft 6+) when it is the tighter one. */
static double s_bound(const cJSON *schema, bool lower, bool *exclusive)
{
    const cJSON *in = brk_json_get(schema, lower ? "minimum" : "maximum");
    const cJSON *ex = brk_json_get(schema, lower ? "exclusiveMinimum" : "exclusiveMaximum");
    double v = lower ? -INFINITY : INFINITY;
    *exclusive = false;
    if (cJSON_IsNumber(in) && isfinite(in->valuedouble)) {
        v = in->valuedouble;
        *exclusive = cJSON_IsTrue(ex);
    }
    if (cJSON_IsNumber(ex) && isfinite(ex->valuedouble) && (lower ? ex->valuedouble >= v : ex->valuedouble <= v)) {
        v = ex->valuedouble;
        *exclusive = true;
    }
    return v;
}

static bool s_fits(double v, double lo, bool lo_ex, double hi, bool hi_ex)
{
    return (lo_ex ? v > lo : v >= lo) && (hi_ex ? v < hi : v <= hi);
}

/* A value strictly inside (lo, hi) next to `edge`, whole when `integer`. */
static double s_inside(double edge, double other, bool up, bool integer)
{
    if (integer) {
        return up ? floor(edge) + 1 : ceil(edge) - 1;
    }
    return isfinite(other) ? (edge + other) / 2 : up ? edge + 1 : edge - 1;
}

static cJSON *s_number(const cJSON *schema, bool integer)
{
    bool lo_ex, hi_ex;
    double lo = s_bound(schema, true, &lo_ex), hi = s_bound(schema, false, &hi_ex);
    double v = 0;
    if (!s_fits(v, lo, lo_ex, INFINITY, false)) {
        v = lo_ex ? s_inside(lo, hi, true, integer) : lo;
    } else if (!s_fits(v, -INFINITY, false, hi, hi_ex)) {
        v = hi_ex ? s_inside(hi, lo, false, integer) : hi;
    }
    v = integer && s_fits(ceil(v), lo, lo_ex, hi, hi_ex) ? ceil(v) : integer ? floor(v) : v;
    const cJSON *m = brk_json_get(schema, "multipleOf");
    if (cJSON_IsNumber(m) && isfinite(m->valuedouble) && m->valuedouble > 0) {
        double up = ceil(v / m->valuedouble) * m->valuedouble;
        v = s_fits(up, lo, lo_ex, hi, hi_ex) ? up : floor(v / m->valuedouble) * m->valuedouble;
    }
    return cJSON_CreateNumber(isfinite(v) ? v : 0);
}

/* ---- objects and arrays --------------------------------------------------------------- */

/* The required members, each from its property's schema (or additionalProperties). */
static cJSON *s_object(struct s_gen *g, const cJSON *schema, int depth)
{
    cJSON *obj = cJSON_CreateObject();
    const cJSON *props = brk_json_get(schema, "properties");
    const cJSON *extra = brk_json_get(schema, "additionalProperties");
    const cJSON *name = NULL;
    cJSON_ArrayForEach(name, brk_json_get(schema, "required"))
    {
        if (!obj || g->nodes >= MOCK_EXAMPLE_MAX_NODES) {
            break;
        }
        if (cJSON_IsString(name) && !brk_json_get(obj, name->valuestring)) {
            const cJSON *sub = brk_json_get(props, name->valuestring);
            cJSON_AddItemToObject(obj, name->valuestring, s_value(g, sub ? sub : extra, depth + 1));
        }
    }
    return obj;
}

/* minItems items: prefixItems (or draft 4's list of items) in order, then items. */
static cJSON *s_array(struct s_gen *g, const cJSON *schema, int depth)
{
    cJSON *arr = cJSON_CreateArray();
    uint64_t n = brk_json_count(brk_json_get(schema, "minItems"), 0);
    const cJSON *items = brk_json_get(schema, "items");
    const cJSON *prefix = brk_json_get(schema, "prefixItems");
    if (cJSON_IsArray(items)) {
        prefix = items;
        items = brk_json_get(schema, "additionalItems");
    }
    const cJSON *p = cJSON_IsArray(prefix) ? prefix->child : NULL;
    for (uint64_t i = 0; arr && i < n && i < MOCK_EXAMPLE_MAX_ITEMS && g->nodes < MOCK_EXAMPLE_MAX_NODES; i++) {
        cJSON_AddItemToArray(arr, s_value(g, p ? p : items, depth + 1));
        p = p ? p->next : NULL;
    }
    return arr;
}

/* allOf: each branch's example, objects merged (the first to give a member wins). */
static cJSON *s_all_of(struct s_gen *g, const cJSON *all, int depth)
{
    cJSON *out = NULL;
    const cJSON *part = NULL;
    cJSON_ArrayForEach(part, all)
    {
        cJSON *v = s_value(g, part, depth + 1);
        if (!out) {
            out = v;
            continue;
        }
        while (cJSON_IsObject(out) && cJSON_IsObject(v) && v->child) {
            cJSON *m = cJSON_DetachItemViaPointer(v, v->child);
            if (brk_json_get(out, m->string) || !cJSON_AddItemToObject(out, m->string, m)) {
                cJSON_Delete(m);
            }
        }
        cJSON_Delete(v);
    }
    return out ? out : cJSON_CreateNull();
}

/* ---- dispatch ------------------------------------------------------------------------- */

/* The type to build: a list's first non-null type; without "type", what the keywords imply. */
static const char *s_type(const cJSON *schema)
{
    const cJSON *type = brk_json_get(schema, "type");
    if (cJSON_IsString(type)) {
        return type->valuestring;
    }
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, (cJSON_IsArray(type) ? type : NULL))
    {
        if (cJSON_IsString(t) && strcmp(t->valuestring, "null") != 0) {
            return t->valuestring;
        }
    }
    if (cJSON_IsArray(type)) {
        return "null";
    }
    if (brk_json_get(schema, "properties") || brk_json_get(schema, "required")) {
        return "object";
    }
    return brk_json_get(schema, "items") || brk_json_get(schema, "prefixItems") ? "array" : NULL;
}

static cJSON *s_typed(struct s_gen *g, const cJSON *schema, int depth)
{
    const char *t = s_type(schema);
    if (!t) {
        return cJSON_CreateNull();
    }
    if (strcmp(t, "object") == 0) {
        return s_object(g, schema, depth);
    }
    if (strcmp(t, "array") == 0) {
        return s_array(g, schema, depth);
    }
    if (strcmp(t, "string") == 0) {
        return s_string(g, schema);
    }
    if (strcmp(t, "integer") == 0 || strcmp(t, "number") == 0) {
        return s_number(schema, t[0] == 'i');
    }
    return strcmp(t, "boolean") == 0 ? cJSON_CreateFalse() : cJSON_CreateNull();
}

static const cJSON *s_first_branch(const cJSON *schema)
{
    const cJSON *any = brk_json_get(schema, "anyOf");
    const cJSON *one = brk_json_get(schema, "oneOf");
    const cJSON *list = cJSON_IsArray(any) && any->child ? any : one;
    return cJSON_IsArray(list) ? list->child : NULL;
}

static cJSON *s_value(struct s_gen *g, const cJSON *schema, int depth)
{
    if (g->nodes >= MOCK_EXAMPLE_MAX_NODES) {
        return cJSON_CreateNull(); /* the loops that call here stop at this bound too */
    }
    g->nodes++; /* every value counts, the nulls past the depth bound too */
    if (!cJSON_IsObject(schema) || depth > MOCK_EXAMPLE_MAX_DEPTH) {
        return cJSON_CreateNull();
    }
    const cJSON *v = brk_json_get(schema, "$ref");
    if (cJSON_IsString(v)) {
        return s_value(g, s_resolve(g->root, v->valuestring), depth + 1);
    }
    if ((v = brk_json_get(schema, "const"))) {
        return s_copy(g, v);
    }
    if ((v = brk_json_get(schema, "enum")) && cJSON_IsArray(v) && v->child) {
        return s_copy(g, v->child);
    }
    if ((v = s_first_branch(schema))) {
        return s_value(g, v, depth + 1);
    }
    if ((v = brk_json_get(schema, "allOf")) && cJSON_IsArray(v) && v->child) {
        return s_all_of(g, v, depth);
    }
    if ((v = brk_json_get(schema, "default"))) {
        return s_copy(g, v);
    }
    return s_typed(g, schema, depth);
}

cJSON *mock_schema_example(const cJSON *schema)
{
    struct s_gen g = {.root = schema, .nodes = 0, .string_bytes = 0};
    return s_value(&g, schema, 0);
}
