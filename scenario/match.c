/*
 * match.c: JSON Pointers (RFC 6901), matchers (docs/scenarios.md, "Matchers"), and the small
 * lists every report is made of (diagnostics, step results).
 *
 * A matcher is a plain JSON value (equality) or an object holding one kind: equals, min/max,
 * regex (PCRE2, compiled per use: scenarios are small and this keeps the tree the only state),
 * contains, exists, one_of. A mismatch is described as "expected X, got Y" with both values as
 * compact JSON, cut to a readable length.
 *
 * Thread-safe: no shared state.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"
#include "scenario/scenario.h"

#define S_BRIEF_LEN 200

/* ---- diagnostics and results ---------------------------------------------------------- */

static void s_vadd(struct scn_diags *d, const char *fmt, va_list ap)
{
    if (d->n >= SCN_MAX_DIAGS) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **lines = brk_realloc(d->lines, cap * sizeof(*lines));
        if (!lines) {
            d->dropped++;
            return;
        }
        d->lines = lines;
        d->cap = cap;
    }
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    d->lines[d->n] = brk_strdup(line);
    d->n += d->lines[d->n] != NULL;
}

void scn_diags_add(struct scn_diags *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vadd(d, fmt, ap);
    va_end(ap);
}

void scn_diags_clean_up(struct scn_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        brk_free(d->lines[i]);
    }
    brk_free(d->lines);
    memset(d, 0, sizeof(*d));
}

void scn_step_fail(struct scn_step_result *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vadd(&s->failures, fmt, ap);
    va_end(ap);
    s->outcome = SCN_FAIL;
}

void scn_step_note(struct scn_step_result *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vadd(&s->notes, fmt, ap);
    va_end(ap);
}

struct scn_step_result *scn_result_add_step(struct scn_result *r, const char *label)
{
    struct scn_step_result *steps = brk_realloc(r->steps, (r->n_steps + 1) * sizeof(*steps));
    if (!steps) {
        return NULL;
    }
    r->steps = steps;
    struct scn_step_result *s = &steps[r->n_steps];
    memset(s, 0, sizeof(*s));
    s->label = brk_strdup(label);
    if (!s->label) {
        return NULL;
    }
    r->n_steps++;
    return s;
}

void scn_result_clean_up(struct scn_result *r)
{
    for (size_t i = 0; i < r->n_steps; i++) {
        brk_free(r->steps[i].label);
        scn_diags_clean_up(&r->steps[i].failures);
        scn_diags_clean_up(&r->steps[i].notes);
    }
    brk_free(r->steps);
    brk_free(r->error);
    memset(r, 0, sizeof(*r));
}

/* ---- JSON Pointer --------------------------------------------------------------------- */

bool scn_pointer_valid(const char *pointer)
{
    if (pointer[0] && pointer[0] != '/') {
        return false;
    }
    for (const char *p = pointer; *p; p++) {
        if (*p == '~' && p[1] != '0' && p[1] != '1') {
            return false;
        }
    }
    return true;
}

/* The next reference token of `*p` unescaped into tok; false when it does not fit. */
static bool s_token(const char **p, char *tok, size_t tok_len)
{
    size_t n = 0;
    const char *s = *p + 1; /* past '/' */
    for (; *s && *s != '/'; s++) {
        char ch = *s;
        if (ch == '~') {
            ch = *++s == '1' ? '/' : '~';
        }
        if (n + 1 >= tok_len) {
            return false;
        }
        tok[n++] = ch;
    }
    tok[n] = '\0';
    *p = s;
    return true;
}

static const cJSON *s_array_index(const cJSON *arr, const char *tok)
{
    if (!tok[0] || (tok[0] == '0' && tok[1]) || strspn(tok, "0123456789") != strlen(tok) || strlen(tok) > 9) {
        return NULL;
    }
    return cJSON_GetArrayItem(arr, atoi(tok));
}

const cJSON *scn_pointer(const cJSON *root, const char *pointer)
{
    const cJSON *cur = root;
    char tok[512];
    for (const char *p = pointer; cur && *p;) {
        if (*p != '/' || !s_token(&p, tok, sizeof(tok))) {
            return NULL;
        }
        if (cJSON_IsArray(cur)) {
            cur = s_array_index(cur, tok);
        } else {
            cur = cJSON_IsObject(cur) ? brk_json_get(cur, tok) : NULL;
        }
    }
    return cur;
}

/* ---- matchers ------------------------------------------------------------------------- */

void scn_json_brief(const cJSON *item, char *out, size_t out_len)
{
    if (!item) {
        snprintf(out, out_len, "nothing");
        return;
    }
    struct brk_buf b;
    brk_buf_init(&b, 64 * 1024);
    if (brk_json_print(item, &b) != BRK_OK || !b.data) {
        snprintf(out, out_len, "(a value too large to show)");
    } else if (b.len < out_len) {
        snprintf(out, out_len, "%s", b.data);
    } else {
        snprintf(out, out_len, "%.*s…", (int)(out_len > 4 ? out_len - 4 : 0), b.data);
    }
    brk_buf_clean_up(&b);
}

static bool s_is_kind(const cJSON *m, const char *kind)
{
    return cJSON_IsObject(m) && m->child && strcmp(m->child->string, kind) == 0;
}

static bool s_regex_compile(const char *re, pcre2_code **out, char *detail, size_t detail_len)
{
    int code = 0;
    PCRE2_SIZE off = 0;
    *out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
    if (!*out && detail_len) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(detail, detail_len, "%s at offset %zu", (const char *)msg, (size_t)off);
    }
    return *out != NULL;
}

static bool s_bounds_only(const cJSON *m)
{
    for (const cJSON *k = m->child; k; k = k->next) {
        if ((strcmp(k->string, "min") != 0 && strcmp(k->string, "max") != 0) || !cJSON_IsNumber(k)) {
            return false;
        }
    }
    return m->child != NULL;
}

const char *scn_matcher_problem(const cJSON *m, char *detail, size_t detail_len)
{
    if (!cJSON_IsObject(m)) {
        return NULL; /* a plain value: equality */
    }
    if (brk_json_get(m, "min") || brk_json_get(m, "max")) {
        return s_bounds_only(m) ? NULL : "a range matcher holds only numeric \"min\" and/or \"max\"";
    }
    if (!m->child || m->child->next) {
        return "an object matcher holds exactly one of equals, min/max, regex, contains, exists, one_of (to "
               "compare with an object, use {\"equals\": {...}})";
    }
    const cJSON *v = m->child;
    if (s_is_kind(m, "equals") || s_is_kind(m, "contains")) {
        return NULL;
    }
    if (s_is_kind(m, "exists")) {
        return cJSON_IsBool(v) ? NULL : "\"exists\" takes true or false";
    }
    if (s_is_kind(m, "one_of")) {
        return cJSON_IsArray(v) ? NULL : "\"one_of\" takes an array";
    }
    if (!s_is_kind(m, "regex")) {
        return "unknown matcher (expected one of equals, min, max, regex, contains, exists, one_of; to compare "
               "with an object, use {\"equals\": {...}})";
    }
    pcre2_code *code = NULL;
    if (!cJSON_IsString(v)) {
        return "\"regex\" takes a string";
    }
    if (!s_regex_compile(v->valuestring, &code, detail, detail_len)) {
        return "the regular expression does not compile";
    }
    pcre2_code_free(code);
    return NULL;
}

static bool s_regex_matches(const char *re, const char *text)
{
    pcre2_code *code = NULL;
    if (!s_regex_compile(re, &code, NULL, 0)) {
        return false;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    int rc = md ? pcre2_match(code, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return rc >= 0;
}

static bool s_contains(const cJSON *needle, const cJSON *actual)
{
    if (cJSON_IsString(actual)) {
        return cJSON_IsString(needle) && strstr(actual->valuestring, needle->valuestring) != NULL;
    }
    for (const cJSON *e = cJSON_IsArray(actual) ? actual->child : NULL; e; e = e->next) {
        if (cJSON_Compare(e, needle, true)) {
            return true;
        }
    }
    return false;
}

static bool s_range(const cJSON *m, const cJSON *actual)
{
    const cJSON *lo = brk_json_get(m, "min"), *hi = brk_json_get(m, "max");
    if (!cJSON_IsNumber(actual)) {
        return false;
    }
    return (!lo || actual->valuedouble >= lo->valuedouble) && (!hi || actual->valuedouble <= hi->valuedouble);
}

static bool s_equal(const cJSON *want, const cJSON *actual)
{
    return actual && cJSON_Compare(want, actual, true);
}

static bool s_holds(const cJSON *m, const cJSON *actual)
{
    if (!cJSON_IsObject(m)) {
        return s_equal(m, actual);
    }
    if (brk_json_get(m, "min") || brk_json_get(m, "max")) {
        return s_range(m, actual);
    }
    const cJSON *v = m->child;
    if (s_is_kind(m, "equals")) {
        return s_equal(v, actual);
    }
    if (s_is_kind(m, "regex")) {
        return cJSON_IsString(actual) && s_regex_matches(v->valuestring, actual->valuestring);
    }
    if (s_is_kind(m, "contains")) {
        return s_contains(v, actual);
    }
    if (s_is_kind(m, "exists")) {
        return cJSON_IsTrue(v) == (actual != NULL);
    }
    for (const cJSON *e = cJSON_IsArray(v) ? v->child : NULL; e; e = e->next) {
        if (s_equal(e, actual)) {
            return true;
        }
    }
    return false;
}

/* What the matcher asks for, in words. */
static void s_describe(const cJSON *m, char *out, size_t out_len)
{
    char brief[S_BRIEF_LEN];
    const cJSON *lo = brk_json_get(m, "min"), *hi = brk_json_get(m, "max");
    const cJSON *v = cJSON_IsObject(m) ? m->child : m;
    if (lo && hi) {
        snprintf(out, out_len, "between %.15g and %.15g", lo->valuedouble, hi->valuedouble);
    } else if (lo || hi) {
        snprintf(out, out_len, "%s %.15g", lo ? "at least" : "at most", lo ? lo->valuedouble : hi->valuedouble);
    } else if (s_is_kind(m, "regex")) {
        snprintf(out, out_len, "a string matching /%s/", v->valuestring);
    } else if (s_is_kind(m, "exists")) {
        snprintf(out, out_len, "%s", cJSON_IsTrue(v) ? "a value" : "nothing");
    } else {
        scn_json_brief(v, brief, sizeof(brief));
        snprintf(out, out_len, "%s%s",
                 s_is_kind(m, "contains") ? "containing "
                 : s_is_kind(m, "one_of") ? "one of "
                                          : "",
                 brief);
    }
}

bool scn_match(const cJSON *matcher, const cJSON *actual, char *why, size_t why_len)
{
    if (s_holds(matcher, actual)) {
        return true;
    }
    char want[S_BRIEF_LEN + 32], got[S_BRIEF_LEN];
    s_describe(matcher, want, sizeof(want));
    scn_json_brief(actual, got, sizeof(got));
    snprintf(why, why_len, "expected %s, got %s", want, got);
    return false;
}
