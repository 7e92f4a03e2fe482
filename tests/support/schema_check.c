/* schema_check.c: the tests' JSON Schema validator (see schema_check.h). */
#include "tests/support/schema_check.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_DEPTH 64

struct s_ctx {
    const cJSON *root;
    char *why;
    size_t why_len;
};

static bool s_valid(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path, int depth);

static bool s_fail(struct s_ctx *c, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(c->why, c->why_len, "%s: ", path[0] ? path : "$");
    if (n >= 0 && (size_t)n < c->why_len) {
        vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return false;
}

static const cJSON *s_get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const cJSON *s_resolve(const cJSON *root, const char *ref)
{
    if (ref[0] != '#') {
        return NULL;
    }
    const cJSON *at = root;
    for (const char *p = ref + 1; at && *p == '/';) {
        char key[256];
        size_t n = 0;
        for (p++; *p && *p != '/' && n + 1 < sizeof(key); p++) {
            key[n++] = (*p == '~' && p[1] == '1') ? (p++, '/') : (*p == '~' && p[1] == '0') ? (p++, '~') : *p;
        }
        key[n] = '\0';
        at = cJSON_IsArray(at) ? cJSON_GetArrayItem(at, atoi(key)) : s_get(at, key);
    }
    return at;
}

/* ---- types, const, enum --------------------------------------------------------------- */

static bool s_is_type(const cJSON *v, const char *t)
{
    if (!strcmp(t, "integer")) {
        return cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble;
    }
    return (!strcmp(t, "number") && cJSON_IsNumber(v)) || (!strcmp(t, "string") && cJSON_IsString(v)) ||
           (!strcmp(t, "boolean") && cJSON_IsBool(v)) || (!strcmp(t, "null") && cJSON_IsNull(v)) ||
           (!strcmp(t, "object") && cJSON_IsObject(v)) || (!strcmp(t, "array") && cJSON_IsArray(v));
}

static bool s_check_type(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path)
{
    const cJSON *type = s_get(schema, "type");
    if (cJSON_IsString(type)) {
        return s_is_type(v, type->valuestring) || s_fail(c, path, "not of type %s", type->valuestring);
    }
    const cJSON *t = NULL;
    cJSON_ArrayForEach(t, type)
    {
        if (cJSON_IsString(t) && s_is_type(v, t->valuestring)) {
            return true;
        }
    }
    return !cJSON_IsArray(type) || s_fail(c, path, "of none of the listed types");
}

static bool s_check_const_enum(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path)
{
    const cJSON *k = s_get(schema, "const");
    if (k && !cJSON_Compare(k, v, true)) {
        return s_fail(c, path, "not the const value");
    }
    const cJSON *e = s_get(schema, "enum"), *x = NULL;
    cJSON_ArrayForEach(x, e)
    {
        if (cJSON_Compare(x, v, true)) {
            return true;
        }
    }
    return !e || s_fail(c, path, "not one of the enum values");
}

/* ---- combinators ---------------------------------------------------------------------- */

static bool s_check_combinators(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path, int d)
{
    char scratch[8];
    struct s_ctx quiet = {c->root, scratch, sizeof(scratch)};
    const cJSON *sub = NULL;
    cJSON_ArrayForEach(sub, s_get(schema, "allOf"))
    {
        if (!s_valid(c, sub, v, path, d + 1)) {
            return false;
        }
    }
    int any = 0, one = 0;
    cJSON_ArrayForEach(sub, s_get(schema, "anyOf"))
    {
        any += s_valid(&quiet, sub, v, path, d + 1);
    }
    cJSON_ArrayForEach(sub, s_get(schema, "oneOf"))
    {
        one += s_valid(&quiet, sub, v, path, d + 1);
    }
    if (s_get(schema, "anyOf") && any == 0) {
        return s_fail(c, path, "matches no anyOf branch");
    }
    if (s_get(schema, "oneOf") && one != 1) {
        return s_fail(c, path, "matches %d oneOf branches", one);
    }
    const cJSON *not = s_get(schema, "not");
    return !not || !s_valid(&quiet, not, v, path, d + 1) || s_fail(c, path, "matches the not schema");
}

/* ---- objects and arrays --------------------------------------------------------------- */

static bool s_check_object(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path, int d)
{
    const cJSON *props = s_get(schema, "properties"), *extra = s_get(schema, "additionalProperties");
    const cJSON *r = NULL;
    cJSON_ArrayForEach(r, s_get(schema, "required"))
    {
        if (cJSON_IsString(r) && !s_get(v, r->valuestring)) {
            return s_fail(c, path, "misses required member %s", r->valuestring);
        }
    }
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, v)
    {
        char sub[512];
        snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
        const cJSON *ps = s_get(props, m->string);
        if (!ps && cJSON_IsFalse(extra)) {
            return s_fail(c, path, "has member %s, not allowed", m->string);
        }
        if (!s_valid(c, ps ? ps : extra, m, sub, d + 1)) {
            return false;
        }
    }
    return true;
}

static bool s_check_array(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path, int d)
{
    int n = cJSON_GetArraySize(v);
    const cJSON *min = s_get(schema, "minItems"), *max = s_get(schema, "maxItems");
    if ((cJSON_IsNumber(min) && n < min->valuedouble) || (cJSON_IsNumber(max) && n > max->valuedouble)) {
        return s_fail(c, path, "has %d items, outside minItems/maxItems", n);
    }
    const cJSON *items = s_get(schema, "items"), *prefix = s_get(schema, "prefixItems");
    prefix = cJSON_IsArray(items) ? items : prefix;
    items = cJSON_IsArray(items) ? s_get(schema, "additionalItems") : items;
    for (int i = 0; i < n; i++) {
        char sub[512];
        snprintf(sub, sizeof(sub), "%s[%d]", path, i);
        const cJSON *p = i < cJSON_GetArraySize(prefix) ? cJSON_GetArrayItem(prefix, i) : items;
        for (int j = 0; cJSON_IsTrue(s_get(schema, "uniqueItems")) && j < i; j++) {
            if (cJSON_Compare(cJSON_GetArrayItem(v, i), cJSON_GetArrayItem(v, j), true)) {
                return s_fail(c, sub, "repeats item %d (uniqueItems)", j);
            }
        }
        if (!s_valid(c, p, cJSON_GetArrayItem(v, i), sub, d + 1)) {
            return false;
        }
    }
    return true;
}

/* ---- strings -------------------------------------------------------------------------- */

/* ECMA shorthands to POSIX extended syntax, enough for the tests' patterns. */
static void s_posix(const char *ecma, char *out, size_t len)
{
    size_t o = 0;
    bool in_class = false;
    for (const char *p = ecma; *p && o + 16 < len; p++) {
        const char *rep = NULL;
        if (p[0] == '\\' && p[1]) {
            char k = *++p;
            rep = k == 'd'   ? (in_class ? "0-9" : "[0-9]")
                  : k == 'w' ? (in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]")
                  : k == 's' ? (in_class ? "[:space:]" : "[[:space:]]")
                             : NULL;
            if (rep) {
                o += (size_t)snprintf(out + o, len - o, "%s", rep);
            } else {
                o += (size_t)snprintf(out + o, len - o, "\\%c", k);
            }
            continue;
        }
        if (p[0] == '(' && p[1] == '?' && p[2] == ':') {
            out[o++] = '(';
            p += 2;
            continue;
        }
        in_class = *p == '[' ? true : *p == ']' ? false : in_class;
        out[o++] = *p;
    }
    out[o] = '\0';
}

static bool s_pattern_matches(const char *pattern, const char *text)
{
    char posix[2048];
    s_posix(pattern, posix, sizeof(posix));
    regex_t re;
    if (regcomp(&re, posix, REG_EXTENDED | REG_NOSUB) != 0) {
        return false;
    }
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static bool s_format_ok(const char *format, const char *s)
{
    static const char *const table[][2] = {
        {"date-time", "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"},
        {"date", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        {"time", "^[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"},
        {"email", "^[^@ ]+@[^@ ]+\\.[^@ ]+$"},
        {"hostname", "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"},
        {"ipv4", "^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$"},
        {"ipv6", "^[0-9A-Fa-f:]+$"},
        {"uri", "^[A-Za-z][A-Za-z0-9+.-]*:[^ ]*$"},
        {"uuid", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (!strcmp(format, table[i][0])) {
            return s_pattern_matches(table[i][1], s);
        }
    }
    return true; /* formats the validator does not know are annotations */
}

static size_t s_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static bool s_check_string(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path)
{
    size_t n = s_chars(v->valuestring);
    const cJSON *min = s_get(schema, "minLength"), *max = s_get(schema, "maxLength");
    if ((cJSON_IsNumber(min) && n < min->valuedouble) || (cJSON_IsNumber(max) && n > max->valuedouble)) {
        return s_fail(c, path, "\"%s\" has %zu characters, outside minLength/maxLength", v->valuestring, n);
    }
    const char *pattern = cJSON_GetStringValue(s_get(schema, "pattern"));
    if (pattern && !s_pattern_matches(pattern, v->valuestring)) {
        return s_fail(c, path, "\"%s\" does not match %s", v->valuestring, pattern);
    }
    const char *format = cJSON_GetStringValue(s_get(schema, "format"));
    return !format || s_format_ok(format, v->valuestring) ||
           s_fail(c, path, "\"%s\" is not a %s", v->valuestring, format);
}

/* ---- numbers -------------------------------------------------------------------------- */

static bool s_check_number(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path)
{
    double x = v->valuedouble;
    const cJSON *min = s_get(schema, "minimum"), *max = s_get(schema, "maximum");
    const cJSON *xmin = s_get(schema, "exclusiveMinimum"), *xmax = s_get(schema, "exclusiveMaximum");
    const cJSON *mult = s_get(schema, "multipleOf");
    bool ok = !(cJSON_IsNumber(min) && (x < min->valuedouble || (cJSON_IsTrue(xmin) && x <= min->valuedouble))) &&
              !(cJSON_IsNumber(max) && (x > max->valuedouble || (cJSON_IsTrue(xmax) && x >= max->valuedouble))) &&
              !(cJSON_IsNumber(xmin) && x <= xmin->valuedouble) && !(cJSON_IsNumber(xmax) && x >= xmax->valuedouble);
    if (!ok) {
        return s_fail(c, path, "%g is outside the bounds", x);
    }
    double q = cJSON_IsNumber(mult) && mult->valuedouble > 0 ? x / mult->valuedouble : 0;
    return fabs(q - round(q)) < 1e-9 || s_fail(c, path, "%g is not a multiple of %g", x, mult->valuedouble);
}

/* ---- dispatch ------------------------------------------------------------------------- */

static bool s_valid(struct s_ctx *c, const cJSON *schema, const cJSON *v, const char *path, int depth)
{
    if (cJSON_IsFalse(schema)) {
        return s_fail(c, path, "the schema is false");
    }
    if (!cJSON_IsObject(schema)) {
        return true;
    }
    if (depth > S_MAX_DEPTH) {
        return s_fail(c, path, "nested too deep for the test validator");
    }
    const cJSON *ref = s_get(schema, "$ref");
    if (cJSON_IsString(ref)) {
        const cJSON *target = s_resolve(c->root, ref->valuestring);
        return target ? s_valid(c, target, v, path, depth + 1) : s_fail(c, path, "unresolved %s", ref->valuestring);
    }
    if (!s_check_type(c, schema, v, path) || !s_check_const_enum(c, schema, v, path) ||
        !s_check_combinators(c, schema, v, path, depth)) {
        return false;
    }
    if (cJSON_IsObject(v)) {
        return s_check_object(c, schema, v, path, depth);
    }
    if (cJSON_IsArray(v)) {
        return s_check_array(c, schema, v, path, depth);
    }
    if (cJSON_IsString(v)) {
        return s_check_string(c, schema, v, path);
    }
    return !cJSON_IsNumber(v) || s_check_number(c, schema, v, path);
}

bool th_schema_valid(const cJSON *schema, const cJSON *instance, char *why, size_t why_len)
{
    struct s_ctx c = {schema, why, why_len};
    if (why_len) {
        why[0] = '\0';
    }
    return s_valid(&c, schema, instance, "", 0);
}
