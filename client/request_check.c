/*
 * request_check.c: the service model's constraints on one value, refused with the text Bedrock's
 * validation layer (Coral) writes for them (docs/validation.md gives the forms and their public
 * sources; the mock writes the same texts).
 *
 * Form: "1 validation error detected: Value 'v' at 'path' failed to satisfy constraint: <rule>".
 * Values inside content blocks and of sensitive shapes are not shown ("Value at 'path' ..."),
 * as on the service; callers say which with `quote`. Lengths count UTF-16 code units (Java's
 * String.length()). Patterns are the model's, translated to anchored POSIX extended
 * expressions; messages quote the model's own text.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/request_priv.h"

#define S_PREFIX "1 validation error detected: Value %s%sat '%s' failed to satisfy constraint: "

const char *const brk_rq_tool_name_ere = "^[a-zA-Z0-9_-]+$";
const char *const brk_rq_tool_name_source = "[a-zA-Z0-9_-]+";
const char *const brk_rq_cache_ttls[] = {"5m", "1h", NULL};

/* Refuse with the Coral form. `shown` is the value as shown ("'abc'") or NULL. */
static enum brk_status s_violation(struct brk_request *req, const char *shown, const char *path, const char *rule)
{
    return brk_rq_fail(req, BRK_ERR_INVALID_ARG, S_PREFIX "%s", shown ? shown : "", shown ? " " : "", path, rule);
}

static enum brk_status s_string_violation(struct brk_request *req, const char *value, bool quote, const char *path,
                                          const char *rule)
{
    char shown[600];
    snprintf(shown, sizeof(shown), "'%s'", value);
    return s_violation(req, quote ? shown : NULL, path, rule);
}

enum brk_status brk_rq_arg(struct brk_request *req, const char *fn, const char *arg, const void *value)
{
    return value ? BRK_OK : brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: %s is NULL", fn, arg);
}

/* Length as Java's String.length(): UTF-16 code units (a 4-byte UTF-8 sequence is 2). */
long brk_rq_utf16_len(const char *s)
{
    long n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c & 0xC0) != 0x80) {
            n += *c >= 0xF0 ? 2 : 1;
        }
    }
    return n;
}

enum brk_status brk_rq_length(struct brk_request *req, const char *path, const char *value, bool quote, long min,
                              long max)
{
    long n = brk_rq_utf16_len(value);
    char rule[96];
    if (n < min) {
        snprintf(rule, sizeof(rule), "Member must have length greater than or equal to %ld", min);
    } else if (max >= 0 && n > max) {
        snprintf(rule, sizeof(rule), "Member must have length less than or equal to %ld", max);
    } else {
        return BRK_OK;
    }
    return s_string_violation(req, value, quote, path, rule);
}

enum brk_status brk_rq_enum(struct brk_request *req, const char *path, const char *value, bool quote,
                            const char *const *values)
{
    char rule[512];
    size_t o = (size_t)snprintf(rule, sizeof(rule), "Member must satisfy enum value set: [");
    for (size_t i = 0; values[i]; i++) {
        if (strcmp(values[i], value) == 0) {
            return BRK_OK;
        }
        o += (size_t)snprintf(rule + o, sizeof(rule) - o, "%s%s", i ? ", " : "", values[i]);
    }
    snprintf(rule + o, sizeof(rule) - o, "]");
    return s_string_violation(req, value, quote, path, rule);
}

/* Read the class of a one-class pattern "^[class]..." into `set`; returns what follows the ']',
 * or NULL when the pattern is not of that form. Knows ranges, single characters (a '-' last is
 * literal) and [:space:]. */
static const char *s_class(const char *ere, bool set[256])
{
    if (ere[0] != '^' || ere[1] != '[') {
        return NULL;
    }
    const char *p = ere + 2;
    while (*p && *p != ']') {
        if (strncmp(p, "[:space:]", 9) == 0) {
            for (const char *w = " \t\n\v\f\r"; *w; w++) {
                set[(unsigned char)*w] = true;
            }
            p += 9;
        } else if (p[1] == '-' && p[2] && p[2] != ']') {
            for (int c = (unsigned char)p[0]; c <= (unsigned char)p[2]; c++) {
                set[c] = true;
            }
            p += 3;
        } else {
            set[(unsigned char)*p++] = true;
        }
    }
    return *p == ']' ? p + 1 : NULL;
}

/* Match a one-class pattern ("^[a-z0-9_-]+$", "^[0-9]{12}$", "^[...]{0,256}$") with a table, as
 * the mock does: no regcomp for the patterns nearly every request checks. *handled is false
 * when the pattern has another form. */
static bool s_simple_match(const char *ere, const char *value, bool *handled)
{
    bool set[256] = {false};
    const char *q = s_class(ere, set);
    long min = 0, max = -1;
    char *end = NULL;
    if (q && q[0] == '{') {
        min = max = strtol(q + 1, &end, 10);
        max = *end == ',' ? strtol(end + 1, &end, 10) : max;
    }
    *handled = q && (strcmp(q, "+$") == 0 || strcmp(q, "*$") == 0 || (end && strcmp(end, "}$") == 0));
    if (!*handled) {
        return false;
    }
    min = q[0] == '+' ? 1 : min;
    long n = 0;
    for (const unsigned char *c = (const unsigned char *)value; *c; c++, n++) {
        if (!set[*c]) {
            return false;
        }
    }
    return n >= min && (max < 0 || n <= max);
}

bool brk_rq_matches(const char *ere, const char *value)
{
    bool handled = false;
    bool match = s_simple_match(ere, value, &handled);
    if (handled) {
        return match;
    }
    regex_t re;
    if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) != 0) {
        return true; /* a pattern that cannot compile never refuses (the service has the last word) */
    }
    match = regexec(&re, value, 0, NULL, 0) == 0;
    regfree(&re);
    return match;
}

enum brk_status brk_rq_pattern(struct brk_request *req, const char *path, const char *value, bool quote,
                               const char *ere, const char *source)
{
    if (brk_rq_matches(ere, value)) {
        return BRK_OK;
    }
    char rule[1200];
    snprintf(rule, sizeof(rule), "Member must satisfy regular expression pattern: %s", source);
    return s_string_violation(req, value, quote, path, rule);
}

/* A float as Java's Double.toString prints it: "1.0", "1.5", "-0.25". */
static void s_java_double(char *out, size_t len, double d)
{
    if (d > -1e7 && d < 1e7 && d == (double)(long long)d) {
        snprintf(out, len, "%.1f", d);
        return;
    }
    for (int p = 1; p <= 17; p++) { /* the shortest text that reads back the same */
        snprintf(out, len, "%.*g", p, d);
        if (strtod(out, NULL) == d) {
            return;
        }
    }
}

enum brk_status brk_rq_range(struct brk_request *req, const char *path, double value, bool integral, double min,
                             double max)
{
    if (isnan(value)) {
        return brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: NaN is not a number JSON can carry", path);
    }
    if (value >= min && value <= max) {
        return BRK_OK;
    }
    char shown[80], rule[96];
    if (integral) {
        snprintf(shown, sizeof(shown), "'%.0f'", value);
    } else {
        char num[64];
        s_java_double(num, sizeof(num), value);
        snprintf(shown, sizeof(shown), "'%s'", num);
    }
    snprintf(rule, sizeof(rule), "Member must have value %s %.0f",
             value < min ? "greater than or equal to" : "less than or equal to", value < min ? min : max);
    return s_violation(req, shown, path, rule);
}

enum brk_status brk_rq_blob_length(struct brk_request *req, const char *path, size_t len, size_t min)
{
    if (len >= min) {
        return BRK_OK;
    }
    char rule[96];
    snprintf(rule, sizeof(rule), "Member must have length greater than or equal to %zu", min);
    return s_violation(req, NULL, path, rule);
}

cJSON *brk_rq_cache_point(struct brk_request *req, const char *path, const char *ttl, bool quote)
{
    char ttl_path[200];
    snprintf(ttl_path, sizeof(ttl_path), "%s.cachePoint.ttl", path);
    if (ttl && brk_rq_enum(req, ttl_path, ttl, quote, brk_rq_cache_ttls) != BRK_OK) {
        return NULL;
    }
    cJSON *cp = cJSON_CreateObject();
    if (!cp || !cJSON_AddStringToObject(cp, "type", "default") || (ttl && !cJSON_AddStringToObject(cp, "ttl", ttl))) {
        cJSON_Delete(cp);
        brk_rq_nomem(req);
        return NULL;
    }
    return cp;
}
