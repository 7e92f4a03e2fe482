/*
 * schema.c: the generic validator over the shapes of schema_data.c.
 *
 * It reproduces the two layers in front of every Coral service (texts and sources in
 * docs/validation.md):
 *   1. deserialization: a JSON value of the wrong type fails the whole request with a
 *      SerializationException naming the token ("STRING_VALUE can not be converted to an
 *      Integer"); the first such value wins and nothing else is reported;
 *   2. constraint validation: every violation (required, length, range, pattern, enum, union)
 *      is collected in member order and reported as "N validation error(s) detected: ...; ...".
 * Paths use Coral's form: members joined with '.', list elements as "<list>.<i+1>.member".
 * The walk follows the schema, so its depth is bounded by the model; list and map sizes are
 * bounded by the body size limit. Nothing is allocated except the message buffer.
 */
#include "mock/validate/schema.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/json.h"

#define S_PATH_MAX 2048
#define S_MAX_DEPTH 64
#define S_MAX_REGEX 16

struct s_walk {
    /* The path is kept as segments and only rendered when a violation is reported, so a
     * valid request costs no formatting. Depth is bounded by the schema. */
    struct {
        const char *name; /* member or map key; NULL for a list element */
        int index;        /* list element number (from 1) */
    } seg[S_MAX_DEPTH];
    int depth;
    struct brk_buf *errors; /* "; "-joined violations */
    unsigned n_errors;
    bool serialization; /* a deserialization failure stops the walk */
    struct brk_buf *msg;
};

/* ---- patterns ----------------------------------------------------------------------- */

/* Compiled POSIX patterns (the schema's, and an operation's own such as InvocationArn in
 * async_invoke.c), added on first use and never moved or freed, so a pointer taken
 * under the lock stays valid (glibc's regexec is safe to call concurrently). Compiling each
 * pattern only when a request needs it keeps start-up and the first answer fast: compiling
 * them all took about 4 ms. */
static struct {
    const struct mock_pattern *pattern;
    regex_t re;
    bool ok;
} s_regex[S_MAX_REGEX];
static size_t s_n_regex;
static pthread_mutex_t s_regex_lock = PTHREAD_MUTEX_INITIALIZER;

/* The compiled form of `pattern` (shapes may share a pattern's text), or NULL when it does not
 * compile or the table is full. */
static const regex_t *s_compiled(const struct mock_pattern *pattern)
{
    const regex_t *re = NULL;
    pthread_mutex_lock(&s_regex_lock);
    size_t i = 0;
    while (i < s_n_regex && s_regex[i].pattern != pattern && strcmp(s_regex[i].pattern->source, pattern->source)) {
        i++;
    }
    if (i == s_n_regex && i < S_MAX_REGEX) {
        s_regex[i].pattern = pattern;
        s_regex[i].ok = regcomp(&s_regex[i].re, pattern->posix, REG_EXTENDED | REG_NOSUB) == 0;
        s_n_regex++;
    }
    if (i < s_n_regex && s_regex[i].ok) {
        re = &s_regex[i].re;
    }
    pthread_mutex_unlock(&s_regex_lock);
    return re;
}

static bool s_regex_match(const struct mock_pattern *pattern, const char *value)
{
    const regex_t *re = s_compiled(pattern);
    return !re || regexec(re, value, 0, NULL, 0) == 0; /* a pattern that cannot compile never rejects */
}

/* The POSIX patterns guard model ids and ARNs: glibc takes microseconds on the long model-id
 * alternation (a quarter of a small Converse request's time), and the same few values come
 * in request after request. A small direct-mapped memo of (pattern, value) -> answer answers
 * repeats without the regex engine. One per thread, so no lock: a shared one was locked twice
 * a request by every connection thread, and under load a thread preempted while holding it
 * stalled the others (docs/benchmarks.md). Each thread pays the regex once per value. */
#define S_MEMO_SLOTS 64
#define S_MEMO_VALUE_MAX 160

static _Thread_local struct {
    const struct mock_pattern *pattern;
    char value[S_MEMO_VALUE_MAX];
    bool match;
} s_memo[S_MEMO_SLOTS];

static size_t s_memo_slot(const struct mock_pattern *pattern, const char *value)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)pattern; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        h = (h ^ *c) * 1099511628211ull;
    }
    return (size_t)(h % S_MEMO_SLOTS);
}

static bool s_memo_match(const struct mock_pattern *pattern, const char *value)
{
    if (strlen(value) >= S_MEMO_VALUE_MAX) {
        return s_regex_match(pattern, value);
    }
    size_t slot = s_memo_slot(pattern, value);
    if (s_memo[slot].pattern == pattern && strcmp(s_memo[slot].value, value) == 0) {
        return s_memo[slot].match;
    }
    bool match = s_regex_match(pattern, value);
    s_memo[slot].pattern = pattern;
    strcpy(s_memo[slot].value, value);
    s_memo[slot].match = match;
    return match;
}

bool mock_pattern_match(const struct mock_pattern *pattern, const char *value)
{
    if (!pattern) {
        return true;
    }
    if (!pattern->posix) {
        long n = 0;
        for (const unsigned char *c = (const unsigned char *)value; *c; c++, n++) {
            if (!(pattern->bits[*c >> 5] & (1u << (*c & 31)))) {
                return false;
            }
        }
        return n >= pattern->min_rep && (pattern->max_rep < 0 || n <= pattern->max_rep);
    }
    return s_memo_match(pattern, value);
}

const struct mock_shape *mock_schema_find(const char *name)
{
    for (size_t i = 0; i < mock_schema_n_shapes; i++) {
        if (strcmp(mock_schema_shapes[i]->name, name) == 0) {
            return mock_schema_shapes[i];
        }
    }
    return NULL;
}

const struct mock_pattern *mock_schema_pattern(const char *name)
{
    const struct mock_shape *shape = mock_schema_find(name);
    return shape ? shape->pattern : NULL;
}

/* ---- messages ----------------------------------------------------------------------- */

/* UTF-16 code units of s[0..len): one per byte that does not continue a sequence, two for a
 * four-byte lead. */
static size_t s_utf16_units(const unsigned char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            n += s[i] >= 0xF0 ? 2 : 1;
        }
    }
    return n;
}

/* Length as Java's String.length(): UTF-16 code units. Eight bytes without a top bit set are
 * eight ASCII characters, eight units: a prompt's text is checked a word at a time (its length
 * limits made this a third of the schema stage on a long conversation, docs/benchmarks.md). */
static size_t s_utf16_len(const char *s)
{
    const unsigned char *c = (const unsigned char *)s;
    size_t len = strlen(s), n = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, c + i, sizeof(w));
        n += w & 0x8080808080808080ull ? s_utf16_units(c + i, 8) : 8;
    }
    return n + s_utf16_units(c + i, len - i);
}

/* A JSON number as Java's (long) narrowing gives it: saturated at the ends, NaN as 0. A plain
 * C cast of 1e999 (inf) or 1e308 is undefined behaviour (found by tests/test_hostile.c under
 * -fsanitize=float-cast-overflow). */
static long long s_to_ll(double d)
{
    if (d != d) {
        return 0;
    }
    if (d >= 9223372036854775807.0) {
        return LLONG_MAX;
    }
    return d <= -9223372036854775808.0 ? LLONG_MIN : (long long)d;
}

/* A bound as the model states it: "1", "0.5". */
static void s_fmt_bound(char *out, size_t len, double v)
{
    if (v == (double)s_to_ll(v)) {
        snprintf(out, len, "%lld", s_to_ll(v));
    } else {
        snprintf(out, len, "%g", v);
    }
}

/* A number as Coral prints it: integers plainly, floats as Java's Double.toString ("99.0"). */
static void s_fmt_number(char *out, size_t len, const cJSON *v, bool integral)
{
    double d = v->valuedouble;
    if (integral) {
        snprintf(out, len, "%lld", s_to_ll(d));
    } else if (d > -1e7 && d < 1e7 && d == (double)s_to_ll(d)) {
        snprintf(out, len, "%.1f", d);
    } else {
        snprintf(out, len, "%.17g", d);
        for (int p = 1; p <= 17; p++) { /* shortest text that reads back the same */
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "%.*g", p, d);
            if (strtod(tmp, NULL) == d) {
                snprintf(out, len, "%s", tmp);
                break;
            }
        }
    }
}

/* Append one violation. `shown` is the quoted value ("'abc'", "null") or NULL to omit it. */
static void s_violation(struct s_walk *w, const char *shown, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Render the path in Coral's form: "messages.1.member.content.2.member.text". */
static void s_render_path(const struct s_walk *w, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < w->depth && i < S_MAX_DEPTH && o < len; i++) {
        if (w->seg[i].name) {
            o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "." : "", w->seg[i].name);
        } else {
            o += (size_t)snprintf(out + o, len - o, ".%d.member", w->seg[i].index);
        }
    }
}

static void s_violation(struct s_walk *w, const char *shown, const char *fmt, ...)
{
    if (w->n_errors >= MOCK_SCHEMA_MAX_ERRORS) {
        return;
    }
    if (w->n_errors++) {
        brk_buf_append_str(w->errors, "; ");
    }
    char path[S_PATH_MAX];
    s_render_path(w, path, sizeof(path));
    brk_buf_appendf(w->errors, "Value %s%sat '%s' failed to satisfy constraint: ", shown ? shown : "", shown ? " " : "",
                    path);
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    brk_buf_append_str(w->errors, text);
}

static const char *s_token(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return "STRING_VALUE";
    }
    if (cJSON_IsNumber(v)) {
        return "NUMBER_VALUE";
    }
    return cJSON_IsTrue(v) ? "TRUE_VALUE" : "FALSE_VALUE";
}

static const char *s_java_type(enum mock_shape_type t)
{
    switch (t) {
    case MOCK_SHAPE_STRING:
        return "a String";
    case MOCK_SHAPE_INTEGER:
        return "an Integer";
    case MOCK_SHAPE_LONG:
        return "a Long";
    case MOCK_SHAPE_FLOAT:
        return "a Float";
    case MOCK_SHAPE_DOUBLE:
        return "a Double";
    case MOCK_SHAPE_BOOLEAN:
        return "an Boolean"; /* sic: Coral's own article */
    case MOCK_SHAPE_BLOB:
        return "a ByteBuffer";
    case MOCK_SHAPE_LIST:
        return "a List";
    case MOCK_SHAPE_MAP:
        return "a Map";
    case MOCK_SHAPE_TIMESTAMP:
        return "a Date";
    default:
        return "a Structure";
    }
}

/* The deserializer's answer to a value of the wrong JSON type; stops the walk. */
static void s_wrong_type(struct s_walk *w, const struct mock_shape *shape, const cJSON *v)
{
    if (w->serialization) {
        return;
    }
    w->serialization = true;
    brk_buf_reset(w->msg);
    if (cJSON_IsArray(v)) {
        brk_buf_append_str(w->msg, "Start of list found where not expected");
    } else if (cJSON_IsObject(v)) {
        brk_buf_append_str(w->msg, "Start of structure or map found where not expected.");
    } else {
        brk_buf_appendf(w->msg, "%s can not be converted to %s", s_token(v), s_java_type(shape->type));
    }
}

/* ---- the walk ----------------------------------------------------------------------- */

static void s_walk_value(struct s_walk *w, const struct mock_shape *shape, const cJSON *v, bool sensitive);

static void s_path_push(struct s_walk *w, const char *name, int index)
{
    if (w->depth < S_MAX_DEPTH) {
        w->seg[w->depth].name = name;
        w->seg[w->depth].index = index;
    }
    w->depth++;
}

static void s_path_pop(struct s_walk *w)
{
    w->depth--;
}

static bool s_absent(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

static void s_length(struct s_walk *w, const struct mock_shape *shape, const char *shown, double n)
{
    char b[32];
    if (shape->has_min && n < shape->min) {
        s_fmt_bound(b, sizeof(b), shape->min);
        s_violation(w, shown, "Member must have length greater than or equal to %s", b);
    }
    if (shape->has_max && n > shape->max) {
        s_fmt_bound(b, sizeof(b), shape->max);
        s_violation(w, shown, "Member must have length less than or equal to %s", b);
    }
}

static void s_walk_string(struct s_walk *w, const struct mock_shape *shape, const cJSON *v, bool sensitive)
{
    const char *s = v->valuestring;
    double len = shape->has_min || shape->has_max ? (double)s_utf16_len(s) : 0;
    bool bad_len = (shape->has_min && len < shape->min) || (shape->has_max && len > shape->max);
    bool bad_pattern = shape->pattern && !mock_pattern_match(shape->pattern, s);
    bool bad_enum = shape->n_enum > 0;
    for (size_t i = 0; i < shape->n_enum && bad_enum; i++) {
        bad_enum = strcmp(shape->enum_values[i], s) != 0;
    }
    if (!bad_len && !bad_pattern && !bad_enum) {
        return; /* the common case: nothing to format */
    }
    char shown[4200];
    snprintf(shown, sizeof(shown), "'%s'", s);
    const char *show = sensitive ? NULL : shown;
    s_length(w, shape, show, len);
    if (bad_pattern) {
        s_violation(w, show, "Member must satisfy regular expression pattern: %s", shape->pattern->source);
    }
    if (bad_enum) {
        char set[512];
        size_t o = 0;
        for (size_t i = 0; i < shape->n_enum && o < sizeof(set); i++) {
            o += (size_t)snprintf(set + o, sizeof(set) - o, "%s%s", i ? ", " : "", shape->enum_values[i]);
        }
        s_violation(w, show, "Member must satisfy enum value set: [%s]", set);
    }
}

static void s_walk_number(struct s_walk *w, const struct mock_shape *shape, const cJSON *v, bool sensitive)
{
    bool integral = shape->type == MOCK_SHAPE_INTEGER || shape->type == MOCK_SHAPE_LONG;
    double value = integral ? (double)s_to_ll(v->valuedouble) : v->valuedouble;
    if (!(shape->has_min && value < shape->min) && !(shape->has_max && value > shape->max)) {
        return;
    }
    char num[64], shown[80], b[32];
    s_fmt_number(num, sizeof(num), v, integral);
    snprintf(shown, sizeof(shown), "'%s'", num);
    const char *show = sensitive ? NULL : shown;
    double d = integral ? (double)s_to_ll(v->valuedouble) : v->valuedouble;
    if (shape->has_min && d < shape->min) {
        s_fmt_bound(b, sizeof(b), shape->min);
        s_violation(w, show, "Member must have value greater than or equal to %s", b);
    }
    if (shape->has_max && d > shape->max) {
        s_fmt_bound(b, sizeof(b), shape->max);
        s_violation(w, show, "Member must have value less than or equal to %s", b);
    }
}

/* Decoded length of base64 text (Java's basic decoder: padding optional), or -1 if invalid:
 * a run of the alphabet, then at most two '=' and nothing after them. The run is measured
 * eight characters a step (brk_base64_alphabet_span); a test of three ranges per character,
 * then strspn, were most of the schema stage on a request with documents (docs/benchmarks.md). */
static long s_b64_len(const char *s)
{
    size_t n = brk_base64_alphabet_span(s, strlen(s)), pad = 0;
    while (s[n + pad] == '=') {
        pad++;
    }
    if (s[n + pad] != '\0' || pad > 2 || n % 4 == 1 || (pad && (n + pad) % 4 != 0)) {
        return -1;
    }
    return (long)(n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));
}

static void s_walk_blob(struct s_walk *w, const struct mock_shape *shape, const cJSON *v)
{
    long n = s_b64_len(v->valuestring);
    if (n < 0) {
        if (!w->serialization) {
            w->serialization = true;
            brk_buf_reset(w->msg);
            brk_buf_append_str(w->msg, "Base64 encoded blob is invalid");
        }
        return;
    }
    s_length(w, shape, NULL, (double)n);
}

/* One bit per first byte (mod 64) of obj's keys. */
static uint64_t s_key_initials(const cJSON *obj)
{
    uint64_t bits = 0;
    for (const cJSON *e = obj->child; e; e = e->next) {
        bits |= e->string ? 1ull << ((unsigned char)e->string[0] & 63) : 0;
    }
    return bits;
}

/* A member whose name's first byte no key has is absent without a scan, and an absent member
 * that is not required is passed over without naming it in the path: a union's 14 members
 * looked up against a block's one key, each a scan of the object, were most of the schema
 * stage on a long conversation (docs/benchmarks.md). Members are still checked in the
 * shape's order, so the violations and their order are the same. */
static void s_walk_members(struct s_walk *w, const struct mock_shape *shape, const cJSON *obj, bool sensitive)
{
    unsigned set = 0;
    uint64_t initials = s_key_initials(obj);
    for (size_t i = 0; i < shape->n_members && !w->serialization; i++) {
        const struct mock_member *m = &shape->members[i];
        bool may_be = initials & (1ull << ((unsigned char)m->name[0] & 63));
        const cJSON *item = may_be ? brk_json_get(obj, m->name) : NULL;
        if (!item && !m->required) {
            continue;
        }
        s_path_push(w, m->name, 0);
        if (s_absent(item)) {
            if (m->required) {
                s_violation(w, "null", "Member must not be null");
            }
        } else {
            set++;
            s_walk_value(w, m->shape, item, sensitive);
        }
        s_path_pop(w);
    }
    /* Two members set is an error; so is an empty object. A union holding only a member the
     * model does not know is ignored like any unknown member (a cachePoint inside a toolResult
     * was accepted live; docs/prompt-caching.md). */
    if (shape->type == MOCK_SHAPE_UNION && (set > 1 || !obj->child) && !w->serialization) {
        s_violation(w, NULL, "Member must have exactly one member set");
    }
}

/* A list of strings as Java's List.toString() prints it, quoted: "'[a, b]'"; cut when long. */
static void s_list_text(const cJSON *arr, char *out, size_t len)
{
    size_t o = (size_t)snprintf(out, len, "'[");
    for (const cJSON *e = arr->child; e && o < len; e = e->next) {
        o += (size_t)snprintf(out + o, len - o, "%s%s", e == arr->child ? "" : ", ",
                              cJSON_IsString(e) ? e->valuestring : "null");
    }
    if (o < len) {
        snprintf(out + o, len - o, "]'");
    }
}

static void s_walk_list(struct s_walk *w, const struct mock_shape *shape, const cJSON *arr, bool sensitive)
{
    double n = (double)cJSON_GetArraySize(arr);
    if ((shape->has_min && n < shape->min) || (shape->has_max && n > shape->max)) {
        /* Coral quotes a list of strings (continuedev/continue#2296) and omits other lists. */
        char shown[4096];
        bool quote = !sensitive && !shape->member->sensitive && shape->member->type == MOCK_SHAPE_STRING;
        if (quote) {
            s_list_text(arr, shown, sizeof(shown));
        }
        s_length(w, shape, quote ? shown : NULL, n);
    }
    int i = 0;
    for (const cJSON *e = arr->child; e && !w->serialization; e = e->next, i++) {
        s_path_push(w, NULL, i + 1);
        if (cJSON_IsNull(e)) {
            s_violation(w, "null", "Member must not be null");
        } else {
            s_walk_value(w, shape->member, e, sensitive);
        }
        s_path_pop(w);
    }
}

/* The constraints a map key or a string map value breaks, as Coral lists them inside
 * "Map keys must satisfy constraint: [...]"; empty when it breaks none. */
static void s_map_entry_faults(const struct mock_shape *shape, const char *s, char *out, size_t len)
{
    size_t o = 0, n = s_utf16_len(s);
    char b[32];
    out[0] = '\0';
    if (shape->has_min && (double)n < shape->min) {
        s_fmt_bound(b, sizeof(b), shape->min);
        o += (size_t)snprintf(out + o, len - o, "Member must have length greater than or equal to %s", b);
    }
    if (o < len && shape->has_max && (double)n > shape->max) {
        s_fmt_bound(b, sizeof(b), shape->max);
        o += (size_t)snprintf(out + o, len - o, "%sMember must have length less than or equal to %s", o ? ", " : "", b);
    }
    if (o < len && shape->pattern && !mock_pattern_match(shape->pattern, s)) {
        snprintf(out + o, len - o, "%sMember must satisfy regular expression pattern: %s", o ? ", " : "",
                 shape->pattern->source);
    }
}

static void s_walk_map(struct s_walk *w, const struct mock_shape *shape, const cJSON *obj, bool sensitive)
{
    s_length(w, shape, NULL, (double)cJSON_GetArraySize(obj));
    char faults[1024];
    for (const cJSON *e = obj->child; e && !w->serialization; e = e->next) {
        s_map_entry_faults(shape->key, e->string, faults, sizeof(faults));
        if (faults[0]) {
            s_violation(w, NULL, "Map keys must satisfy constraint: [%s]", faults);
        }
        if (cJSON_IsNull(e)) {
            continue;
        }
        if (shape->value->type == MOCK_SHAPE_STRING && cJSON_IsString(e)) {
            s_map_entry_faults(shape->value, e->valuestring, faults, sizeof(faults));
            if (faults[0]) {
                s_violation(w, NULL, "Map value must satisfy constraint: [%s]", faults);
            }
            continue;
        }
        s_path_push(w, e->string, 0);
        s_walk_value(w, shape->value, e, sensitive);
        s_path_pop(w);
    }
}

static bool s_type_ok(const struct mock_shape *shape, const cJSON *v)
{
    switch (shape->type) {
    case MOCK_SHAPE_STRUCTURE:
    case MOCK_SHAPE_UNION:
    case MOCK_SHAPE_MAP:
        return cJSON_IsObject(v);
    case MOCK_SHAPE_LIST:
        return cJSON_IsArray(v);
    case MOCK_SHAPE_STRING:
    case MOCK_SHAPE_BLOB:
        return cJSON_IsString(v);
    case MOCK_SHAPE_BOOLEAN:
        return cJSON_IsBool(v);
    case MOCK_SHAPE_TIMESTAMP:
        return cJSON_IsNumber(v) || cJSON_IsString(v);
    case MOCK_SHAPE_DOCUMENT:
        return true;
    default:
        return cJSON_IsNumber(v);
    }
}

/* Shapes whose values Bedrock does not quote although the model does not mark them sensitive:
 * live reports show "Value at 'messages.1.member.content.2.member.image.format'" and "Value at
 * 'system.2.member.cachePoint.type'" while Message.role and ToolSpecification.name are quoted
 * (docs/validation.md). */
static bool s_hides_values(const struct mock_shape *shape)
{
    return shape->type == MOCK_SHAPE_UNION && (shape->name[0] == 'C' || shape->name[0] == 'S') &&
           (strcmp(shape->name, "ContentBlock") == 0 || strcmp(shape->name, "SystemContentBlock") == 0);
}

static void s_walk_value(struct s_walk *w, const struct mock_shape *shape, const cJSON *v, bool sensitive)
{
    sensitive = sensitive || shape->sensitive || s_hides_values(shape);
    if (!s_type_ok(shape, v)) {
        s_wrong_type(w, shape, v);
        return;
    }
    switch (shape->type) {
    case MOCK_SHAPE_STRUCTURE:
    case MOCK_SHAPE_UNION:
        s_walk_members(w, shape, v, sensitive);
        break;
    case MOCK_SHAPE_LIST:
        s_walk_list(w, shape, v, sensitive);
        break;
    case MOCK_SHAPE_MAP:
        s_walk_map(w, shape, v, sensitive);
        break;
    case MOCK_SHAPE_STRING:
        s_walk_string(w, shape, v, sensitive);
        break;
    case MOCK_SHAPE_BLOB:
        s_walk_blob(w, shape, v);
        break;
    case MOCK_SHAPE_INTEGER:
    case MOCK_SHAPE_LONG:
    case MOCK_SHAPE_FLOAT:
    case MOCK_SHAPE_DOUBLE:
        s_walk_number(w, shape, v, sensitive);
        break;
    default:
        break;
    }
}

enum mock_schema_outcome mock_schema_validate(const struct mock_shape *shape, const cJSON *input, struct brk_buf *msg)
{
    struct brk_buf errors;
    brk_buf_init(&errors, msg->max_len);
    struct s_walk w;
    memset(&w, 0, sizeof(w));
    w.errors = &errors;
    w.msg = msg;
    brk_buf_reset(msg);
    s_walk_value(&w, shape, input, false);
    enum mock_schema_outcome out = MOCK_SCHEMA_OK;
    if (w.serialization) {
        out = MOCK_SCHEMA_SERIALIZATION;
    } else if (w.n_errors) {
        brk_buf_appendf(msg, "%u validation error%s detected: ", w.n_errors, w.n_errors == 1 ? "" : "s");
        size_t room = msg->max_len > msg->len ? msg->max_len - msg->len : 0;
        brk_buf_append(msg, errors.data, errors.len < room ? errors.len : room); /* cut, never dropped */
        out = MOCK_SCHEMA_VALIDATION;
    }
    brk_buf_clean_up(&errors);
    return out;
}
