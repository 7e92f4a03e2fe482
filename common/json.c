/* json.c: JSON string literals, and compact output identical to cJSON_PrintUnformatted and its length (see json.h). */
#include "common/json.h"

#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* cJSON's test for "the %1.15g text reads back as the same double". */
static int s_same_double(double a, double b)
{
    double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= max * DBL_EPSILON;
}

/* Integers below 1e15 print the same under "%1.15g" as in plain decimal: write them directly
 * (json.h). */
size_t brk_json_integer_text(long long v, char text[32])
{
    char digits[24];
    size_t n = sizeof(digits);
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        digits[--n] = '-';
    }
    memcpy(text, digits + n, sizeof(digits) - n);
    text[sizeof(digits) - n] = '\0';
    return sizeof(digits) - n;
}

/* The text of a number as cJSON prints it, into text[32]; its length. */
static size_t s_number_text(double d, char text[32])
{
    if (isnan(d) || isinf(d)) {
        memcpy(text, "null", 5);
        return 4;
    }
    if (d == floor(d) && fabs(d) < 1e15 && !(d == 0 && signbit(d))) {
        return brk_json_integer_text((long long)d, text);
    }
    double back = 0;
    int n = snprintf(text, 32, "%1.15g", d);
    if (sscanf(text, "%lg", &back) != 1 || !s_same_double(back, d)) {
        n = snprintf(text, 32, "%1.17g", d);
    }
    return (size_t)n;
}

static enum brk_status s_number(double d, struct brk_buf *out)
{
    char text[32];
    size_t n = s_number_text(d, text);
    return brk_buf_append(out, text, n);
}

/* The escape of one byte, as cJSON writes it (so our output and cJSON's are byte-identical);
 * NULL for bytes that go out as they are. Inline: it sits in the printer's loop over every
 * byte, and with the measure as a second caller the compiler stopped inlining it there (1,700
 * more instructions to print a small answer, by callgrind). */
static inline const char *s_json_escape(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        if (c >= 0x20) {
            return NULL;
        }
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
}

/* Runs of bytes that need no escape are appended in one piece: most text has no escapes. */
enum brk_status brk_buf_append_json_str(struct brk_buf *buf, const char *data, size_t len)
{
    enum brk_status rc = brk_buf_append(buf, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len && rc == BRK_OK; i++) {
        char tmp[8];
        const char *esc = s_json_escape((unsigned char)data[i], tmp);
        if (!esc) {
            continue;
        }
        rc = brk_buf_append(buf, data + run, i - run);
        if (rc == BRK_OK) {
            rc = brk_buf_append_str(buf, esc);
        }
        run = i + 1;
    }
    if (rc == BRK_OK) {
        rc = brk_buf_append(buf, data + run, len - run);
    }
    return rc == BRK_OK ? brk_buf_append(buf, "\"", 1) : rc;
}

static enum brk_status s_string(const char *s, struct brk_buf *out)
{
    return brk_buf_append_json_str(out, s ? s : "", s ? strlen(s) : 0);
}

/* Arrays and objects: members separated by ",", object members as "key":value. */
static enum brk_status s_children(const cJSON *item, bool object, struct brk_buf *out)
{
    enum brk_status rc = brk_buf_append(out, object ? "{" : "[", 1);
    for (const cJSON *c = item->child; c && rc == BRK_OK; c = c->next) {
        if (c != item->child) {
            rc = brk_buf_append(out, ",", 1);
        }
        if (object && rc == BRK_OK) {
            rc = s_string(c->string, out);
            rc = rc == BRK_OK ? brk_buf_append(out, ":", 1) : rc;
        }
        rc = rc == BRK_OK ? brk_json_print(c, out) : rc;
    }
    return rc == BRK_OK ? brk_buf_append(out, object ? "}" : "]", 1) : rc;
}

enum brk_status brk_json_print(const cJSON *item, struct brk_buf *out)
{
    if (!item) {
        return BRK_ERR_INVALID_ARG;
    }
    switch (item->type & 0xFF) {
    case cJSON_NULL:
        return brk_buf_append(out, "null", 4);
    case cJSON_False:
        return brk_buf_append(out, "false", 5);
    case cJSON_True:
        return brk_buf_append(out, "true", 4);
    case cJSON_Number:
        return s_number(item->valuedouble, out);
    case cJSON_String:
        return s_string(item->valuestring, out); /* cJSON prints a NULL text as "" */
    case cJSON_Raw:
        return item->valuestring ? brk_buf_append_str(out, item->valuestring) : BRK_ERR_INVALID_ARG;
    case cJSON_Array:
        return s_children(item, false, out);
    case cJSON_Object:
        return s_children(item, true, out);
    default:
        return BRK_ERR_INVALID_ARG;
    }
}

/* ---- measuring what brk_json_print would write --------------------------------------- */

/* Sixteen bytes a step with GCC's and clang's vector extensions (SSE2 on x86-64, NEON on
 * arm64): measuring a tool result's strings, eight bytes a step, was 1.7% of the server's CPU
 * on the 100 KB fixture (docs/benchmarks.md). */
typedef unsigned char s_v16 __attribute__((vector_size(16)));

/* Whether any of the sixteen bytes at `p` is one cJSON escapes (below 0x20, '"' or '\\'). */
static inline bool s_has_escape16(const char *p)
{
    s_v16 c;
    memcpy(&c, p, sizeof(c));
    s_v16 esc = (s_v16)(c < 0x20) | (s_v16)(c == '"') | (s_v16)(c == '\\');
    uint64_t w[2];
    memcpy(w, &esc, sizeof(w));
    return (w[0] | w[1]) != 0;
}

/* The bytes brk_buf_append_json_str writes for data[0..len): the quotes, each byte, and each
 * escape's extra bytes. Sixteen bytes a step past runs with no byte to escape (nearly all); a
 * run with one is taken a byte at a time. */
static uint64_t s_string_len(const char *data, size_t len)
{
    uint64_t n = 2 + len;
    size_t i = 0;
    while (i < len) {
        size_t end = len - i >= 16 ? i + 16 : len;
        if (end - i == 16 && !s_has_escape16(data + i)) {
            i = end;
            continue;
        }
        for (; i < end; i++) {
            char tmp[8];
            const char *esc = s_json_escape((unsigned char)data[i], tmp);
            n += esc ? strlen(esc) - 1 : 0;
        }
    }
    return n;
}

/* A string (NULL: "", as cJSON prints it). */
static void s_measure_string(const char *s, struct brk_json_measure *m)
{
    size_t len = s ? strlen(s) : 0;
    m->len += s_string_len(s, len);
    if (m->on_string) {
        m->on_string(m->ctx, s ? s : "", len);
    }
}

static bool s_measure_children(const cJSON *item, bool object, struct brk_json_measure *m)
{
    m->len += 2;
    for (const cJSON *c = item->child; c; c = c->next) {
        m->len += (c != item->child) + object; /* the "," before it, the ":" after its key */
        if (object) {
            s_measure_string(c->string, m);
        }
        if (!brk_json_measure(c, m)) {
            return false;
        }
    }
    return true;
}

bool brk_json_measure(const cJSON *item, struct brk_json_measure *m)
{
    char text[32];
    switch (item ? item->type & 0xFF : cJSON_Invalid) {
    case cJSON_NULL:
    case cJSON_True:
        m->len += 4;
        return true;
    case cJSON_False:
        m->len += 5;
        return true;
    case cJSON_Number:
        m->len += s_number_text(item->valuedouble, text);
        return true;
    case cJSON_String:
        s_measure_string(item->valuestring, m);
        return true;
    case cJSON_Array:
    case cJSON_Object:
        return s_measure_children(item, (item->type & 0xFF) == cJSON_Object, m);
    default:
        return false; /* a raw item's text is not a string's: print it instead */
    }
}

bool brk_json_repeats(const cJSON *obj, const char *name)
{
    const cJSON *first = brk_json_get(obj, name);
    for (const cJSON *e = first ? first->next : NULL; e; e = e->next) {
        if (e->string && strcmp(e->string, name) == 0) {
            return true;
        }
    }
    return false;
}

uint64_t brk_json_count(const cJSON *item, uint64_t dflt)
{
    if (!cJSON_IsNumber(item)) {
        return dflt;
    }
    if (!(item->valuedouble > 0)) {
        return 0; /* negative, zero (and NaN, which JSON cannot carry anyway) */
    }
    return item->valuedouble < 9007199254740992.0 ? (uint64_t)item->valuedouble : 9007199254740992u;
}
