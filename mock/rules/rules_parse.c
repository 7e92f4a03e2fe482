/*
 * rules_parse.c: JSON -> struct mock_rule, strictly. Unknown keys, wrong types and unknown
 * error codes are refused with a reason, so a typo in a rule fails loudly instead of
 * silently never matching (docs/rules.md lists every key).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/rules/rules_priv.h"

#define S_MAX_DELAY_MS (10u * 60u * 1000u)

static const char *const s_rule_keys[] = {
    "id",    "match",   "priority",         "times",           "after",  "probability", "error",   "message",
    "reply", "delayMs", "closeBeforeReply", "closeAfterBytes", "stream", "retryAfter",  "headers", NULL};
static const char *const s_match_keys[] = {"operation", "modelId",    "account", "headers", "text",
                                           "textRegex", "toolResult", "nth",     "attempt", NULL};
static const char *const s_reply_keys[] = {"text", "toolUse", "stopReason", "usage", NULL};
static const char *const s_tool_keys[] = {"name", "input", "toolUseId", NULL};
static const char *const s_usage_keys[] = {"inputTokens", "outputTokens", NULL};
static const char *const s_stream_keys[] = {"exceptionAfterEvent", "exception",       "message",
                                            "cutAfterEvent",       "corruptCrcEvent", NULL};
/* StopReason enum of the service model (service-2.json). */
static const char *const s_stop_reasons[] = {"end_turn",
                                             "tool_use",
                                             "max_tokens",
                                             "stop_sequence",
                                             "guardrail_intervened",
                                             "content_filtered",
                                             "malformed_model_output",
                                             "malformed_tool_use",
                                             "model_context_window_exceeded",
                                             NULL};

__attribute__((format(printf, 3, 4))) static bool s_fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return false;
}

static bool s_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static bool s_keys_ok(const cJSON *obj, const char *const *allowed, const char *where, char *err, size_t err_len)
{
    if (!cJSON_IsObject(obj)) {
        return s_fail(err, err_len, "%s must be an object.", where);
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, obj)
    {
        if (!s_in(item->string, allowed)) {
            return s_fail(err, err_len, "Unknown key \"%s\" in %s.", item->string, where);
        }
    }
    return true;
}

/* An optional non-negative integer member; false (with err) when present but not one. */
static bool s_uint(const cJSON *obj, const char *key, uint64_t max, uint64_t *out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return true;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max ||
        floor(v->valuedouble) != v->valuedouble) {
        return s_fail(err, err_len, "\"%s\" must be an integer from 0 to %llu.", key, (unsigned long long)max);
    }
    *out = (uint64_t)v->valuedouble;
    return true;
}

/* An optional string member, duplicated into *out. */
static bool s_str(const cJSON *obj, const char *key, char **out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return true;
    }
    if (!cJSON_IsString(v)) {
        return s_fail(err, err_len, "\"%s\" must be a string.", key);
    }
    *out = strdup(v->valuestring);
    return true;
}

static bool s_bool(const cJSON *obj, const char *key, bool *out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return true;
    }
    if (!cJSON_IsBool(v)) {
        return s_fail(err, err_len, "\"%s\" must be true or false.", key);
    }
    *out = cJSON_IsTrue(v);
    return true;
}

static bool s_one_op(struct mock_rule *r, const cJSON *v, char *err, size_t err_len)
{
    enum brk_op op = cJSON_IsString(v) ? brk_op_parse(v->valuestring) : BRK_OP_UNKNOWN;
    if (op == BRK_OP_UNKNOWN) {
        return s_fail(err, err_len, "\"operation\" must name a Bedrock Runtime operation (\"Converse\", ...).");
    }
    r->ops[op] = true;
    return true;
}

static bool s_parse_ops(struct mock_rule *r, const cJSON *match, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(match, "operation");
    r->any_op = v == NULL;
    if (!v || !cJSON_IsArray(v)) {
        return !v || s_one_op(r, v, err, err_len);
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, v)
    {
        if (!s_one_op(r, item, err, err_len)) {
            return false;
        }
    }
    return true;
}

static bool s_parse_headers(struct mock_rule_header *out, size_t *n, const cJSON *obj, const char *where, char *err,
                            size_t err_len)
{
    if (!obj) {
        return true;
    }
    if (!cJSON_IsObject(obj) || cJSON_GetArraySize(obj) > MOCK_RULE_MAX_HEADERS) {
        return s_fail(err, err_len, "%s must be an object of at most %d string values.", where, MOCK_RULE_MAX_HEADERS);
    }
    const cJSON *h = NULL;
    cJSON_ArrayForEach(h, obj)
    {
        if (!cJSON_IsString(h)) {
            return s_fail(err, err_len, "%s: the value of \"%s\" must be a string.", where, h->string);
        }
        out[*n].name = strdup(h->string);
        out[*n].value = strdup(h->valuestring);
        (*n)++;
    }
    return true;
}

/* Limits that bound one match, whatever the pattern and text (a nested quantifier with a
 * back-reference backtracks exponentially): PCRE2's count of internal match calls (its
 * default is 10,000,000; this is a few milliseconds of CPU), backtracking depth, and heap in
 * KiB. A match that reaches one is no match, counted in the rule's "regexLimitHits". */
#define S_REGEX_MATCH_LIMIT 1000000u
#define S_REGEX_DEPTH_LIMIT 10000u
#define S_REGEX_HEAP_LIMIT_KIB 8192u
#define S_REGEX_MAX_PATTERN 4096u

/* PCRE2 options giving POSIX ERE's whole-string semantics (REG_EXTENDED without
 * REG_NEWLINE): "." matches a newline and "$" only the very end. UTF-8 aware; invalid
 * UTF-8 in the text cannot match a character but does not fail the match. */
#define S_REGEX_OPTIONS (PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

static bool s_parse_regex(struct mock_rule *r, const cJSON *match, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(match, "textRegex");
    if (!v) {
        return true;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) > S_REGEX_MAX_PATTERN) {
        return s_fail(err, err_len, "\"textRegex\" must be a string of at most %u bytes.", S_REGEX_MAX_PATTERN);
    }
    /* glibc's word boundaries; PCRE2 would read them as a literal < and > without a word. */
    for (const char *p = v->valuestring; *p; p++) {
        if (p[0] == '\\' && (p[1] == '<' || p[1] == '>')) {
            return s_fail(err, err_len, "\"textRegex\": \\< and \\> are not supported; use \\b for a word boundary.");
        }
        p += p[0] == '\\' && p[1];
    }
    int code = 0;
    PCRE2_SIZE at = 0;
    r->text_re = pcre2_compile((PCRE2_SPTR)v->valuestring, PCRE2_ZERO_TERMINATED, S_REGEX_OPTIONS, &code, &at, NULL);
    if (!r->text_re) {
        PCRE2_UCHAR why[160];
        pcre2_get_error_message(code, why, sizeof(why));
        return s_fail(err, err_len, "\"textRegex\" is not a valid regular expression: %s at offset %zu.",
                      (const char *)why, (size_t)at);
    }
    r->text_re_limits = pcre2_match_context_create(NULL);
    if (!r->text_re_limits) {
        return s_fail(err, err_len, "out of memory compiling \"textRegex\".");
    }
    pcre2_set_match_limit(r->text_re_limits, S_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(r->text_re_limits, S_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(r->text_re_limits, S_REGEX_HEAP_LIMIT_KIB);
    return true;
}

enum mock_rule_regex mock_rule_regex_match(const struct mock_rule *rule, const char *text)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md) {
        return MOCK_RULE_REGEX_LIMIT; /* out of memory: as good as a limit */
    }
    int rc = pcre2_match(rule->text_re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, rule->text_re_limits);
    pcre2_match_data_free(md);
    if (rc >= 0) {
        return MOCK_RULE_REGEX_YES;
    }
    return rc == PCRE2_ERROR_NOMATCH ? MOCK_RULE_REGEX_NO : MOCK_RULE_REGEX_LIMIT;
}

static bool s_parse_match(struct mock_rule *r, const cJSON *match, char *err, size_t err_len)
{
    uint64_t attempt = 0;
    if (!match) {
        r->any_op = true;
        return true;
    }
    return s_keys_ok(match, s_match_keys, "\"match\"", err, err_len) && s_parse_ops(r, match, err, err_len) &&
           s_str(match, "modelId", &r->model_glob, err, err_len) &&
           s_str(match, "account", &r->account, err, err_len) &&
           s_parse_headers(r->headers, &r->n_headers, cJSON_GetObjectItemCaseSensitive(match, "headers"),
                           "\"match.headers\"", err, err_len) &&
           s_str(match, "text", &r->text, err, err_len) && s_parse_regex(r, match, err, err_len) &&
           s_str(match, "toolResult", &r->tool_result, err, err_len) &&
           s_uint(match, "nth", UINT32_MAX, &r->nth, err, err_len) &&
           s_uint(match, "attempt", 1000, &attempt, err, err_len) && ((r->attempt = (int)attempt), true);
}

static bool s_parse_modifiers(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(json, "probability");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(json, "priority");
    r->probability = 1.0;
    if (p && (!cJSON_IsNumber(p) || p->valuedouble < 0 || p->valuedouble > 1)) {
        return s_fail(err, err_len, "\"probability\" must be a number from 0 to 1.");
    }
    r->probability = p ? p->valuedouble : 1.0;
    if (prio && (!cJSON_IsNumber(prio) || fabs(prio->valuedouble) > 1e6)) {
        return s_fail(err, err_len, "\"priority\" must be a number from -1000000 to 1000000.");
    }
    r->priority = prio ? (int)prio->valuedouble : 0;
    return s_uint(json, "times", UINT32_MAX, &r->times, err, err_len) &&
           s_uint(json, "after", UINT32_MAX, &r->after, err, err_len);
}

static bool s_parse_error(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (e) {
        r->error = cJSON_IsString(e) ? brk_aws_error_find(e->valuestring) : NULL;
        if (!r->error) {
            return s_fail(err, err_len,
                          "\"error\" must name a Bedrock error type (\"ThrottlingException\", ...); "
                          "docs/errors.md lists them.");
        }
    }
    if (!s_str(json, "message", &r->message, err, err_len)) {
        return false;
    }
    if (r->message && !r->error) {
        return s_fail(err, err_len, "\"message\" needs \"error\".");
    }
    return true;
}

static bool s_parse_tool_use(const cJSON *tu, char *err, size_t err_len)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(tu, "name");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(tu, "input");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(tu, "toolUseId");
    if (!s_keys_ok(tu, s_tool_keys, "\"reply.toolUse\"", err, err_len)) {
        return false;
    }
    if (!cJSON_IsString(name) || !name->valuestring[0]) {
        return s_fail(err, err_len, "\"reply.toolUse.name\" must be a non-empty string.");
    }
    if (input && !cJSON_IsObject(input)) {
        return s_fail(err, err_len, "\"reply.toolUse.input\" must be an object.");
    }
    return !id || cJSON_IsString(id) || s_fail(err, err_len, "\"reply.toolUse.toolUseId\" must be a string.");
}

static bool s_parse_reply(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    const cJSON *reply = cJSON_GetObjectItemCaseSensitive(json, "reply");
    if (!reply) {
        return true;
    }
    if (!s_keys_ok(reply, s_reply_keys, "\"reply\"", err, err_len)) {
        return false;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(reply, "text");
    const cJSON *tu = cJSON_GetObjectItemCaseSensitive(reply, "toolUse");
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(reply, "stopReason");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(reply, "usage");
    uint64_t unused = 0;
    if (text && !cJSON_IsString(text)) {
        return s_fail(err, err_len, "\"reply.text\" must be a string.");
    }
    if (tu && !s_parse_tool_use(tu, err, err_len)) {
        return false;
    }
    if (stop && (!cJSON_IsString(stop) || !s_in(stop->valuestring, s_stop_reasons))) {
        return s_fail(err, err_len,
                      "\"reply.stopReason\" must be a StopReason of the service model (\"end_turn\", "
                      "\"tool_use\", \"max_tokens\", ...).");
    }
    if (usage && (!s_keys_ok(usage, s_usage_keys, "\"reply.usage\"", err, err_len) ||
                  !s_uint(usage, "inputTokens", UINT32_MAX, &unused, err, err_len) ||
                  !s_uint(usage, "outputTokens", UINT32_MAX, &unused, err, err_len))) {
        return false;
    }
    r->reply = cJSON_Duplicate(reply, 1);
    return true;
}

static bool s_stream_exception(struct mock_rule *r, const cJSON *stream, char *err, size_t err_len)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(stream, "exception");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(stream, "message");
    if (e) {
        r->fault.stream.exception = cJSON_IsString(e) ? brk_aws_error_find(e->valuestring) : NULL;
        if (!r->fault.stream.exception || !r->fault.stream.exception->stream_member) {
            return s_fail(err, err_len,
                          "\"stream.exception\" must name an error that can arrive in a stream "
                          "(throttlingException, modelStreamErrorException, validationException, "
                          "internalServerException, serviceUnavailableException, "
                          "modelTimeoutException).");
        }
    }
    if (m && !cJSON_IsString(m)) {
        return s_fail(err, err_len, "\"stream.message\" must be a string.");
    }
    if (m) {
        snprintf(r->fault.stream.exception_message, sizeof(r->fault.stream.exception_message), "%s", m->valuestring);
    }
    if (r->fault.stream.exception_after_event && !r->fault.stream.exception) {
        r->fault.stream.exception = brk_aws_error_get(BRK_AWS_MODEL_STREAM_ERROR);
    }
    return true;
}

static bool s_parse_stream(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    const cJSON *stream = cJSON_GetObjectItemCaseSensitive(json, "stream");
    uint64_t exc = 0, cut = 0, crc = 0;
    if (!stream) {
        return true;
    }
    if (!s_keys_ok(stream, s_stream_keys, "\"stream\"", err, err_len) ||
        !s_uint(stream, "exceptionAfterEvent", 100000, &exc, err, err_len) ||
        !s_uint(stream, "cutAfterEvent", 100000, &cut, err, err_len) ||
        !s_uint(stream, "corruptCrcEvent", 100000, &crc, err, err_len)) {
        return false;
    }
    r->fault.stream.exception_after_event = (unsigned)exc;
    r->fault.stream.cut_after_event = (unsigned)cut;
    r->fault.stream.corrupt_crc_event = (unsigned)crc;
    if (!exc && !cut && !crc) {
        return s_fail(err, err_len,
                      "\"stream\" needs exceptionAfterEvent, cutAfterEvent or corruptCrcEvent "
                      "(events count from 1).");
    }
    return s_stream_exception(r, stream, err, err_len);
}

static bool s_parse_faults(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    uint64_t cut = 0, retry_after_s = 0;
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(json, "retryAfter");
    if (!s_uint(json, "delayMs", S_MAX_DELAY_MS, &r->fault.delay_ms, err, err_len) ||
        !s_bool(json, "closeBeforeReply", &r->fault.close_before_reply, err, err_len) ||
        !s_uint(json, "closeAfterBytes", UINT32_MAX, &cut, err, err_len) ||
        !s_uint(json, "retryAfter", 3600, &retry_after_s, err, err_len) ||
        !s_parse_headers(r->resp_headers, &r->n_resp_headers, cJSON_GetObjectItemCaseSensitive(json, "headers"),
                         "\"headers\"", err, err_len)) {
        return false;
    }
    r->fault.close_after_bytes = cJSON_GetObjectItemCaseSensitive(json, "closeAfterBytes") ? (int64_t)cut : -1;
    r->retry_after_ms = ra ? (int64_t)retry_after_s * 1000 : -1;
    return s_parse_stream(r, json, err, err_len);
}

static bool s_has_action(const struct mock_rule *r)
{
    const struct mock_fault *f = &r->fault;
    return r->error || r->reply || f->delay_ms || f->close_before_reply || f->close_after_bytes >= 0 ||
           f->stream.exception_after_event || f->stream.cut_after_event || f->stream.corrupt_crc_event ||
           r->n_resp_headers || r->retry_after_ms >= 0;
}

static bool s_parse_id(struct mock_rule *r, const cJSON *json, char *err, size_t err_len)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
    if (!id) {
        return true;
    }
    if (!cJSON_IsString(id) || !id->valuestring[0] || strlen(id->valuestring) >= sizeof(r->id) ||
        strchr(id->valuestring, '/')) {
        return s_fail(err, err_len, "\"id\" must be a non-empty string of at most %zu characters without '/'.",
                      sizeof(r->id) - 1);
    }
    snprintf(r->id, sizeof(r->id), "%s", id->valuestring);
    return true;
}

struct mock_rule *mock_rule_parse(const cJSON *json, char *err, size_t err_len)
{
    struct mock_rule *r = calloc(1, sizeof(*r));
    if (!r) {
        s_fail(err, err_len, "Out of memory.");
        return NULL;
    }
    r->fault.close_after_bytes = -1;
    r->retry_after_ms = -1;
    bool ok = s_keys_ok(json, s_rule_keys, "a rule", err, err_len) && s_parse_id(r, json, err, err_len) &&
              s_parse_match(r, cJSON_GetObjectItemCaseSensitive(json, "match"), err, err_len) &&
              s_parse_modifiers(r, json, err, err_len) && s_parse_error(r, json, err, err_len) &&
              s_parse_reply(r, json, err, err_len) && s_parse_faults(r, json, err, err_len);
    if (ok && !s_has_action(r)) {
        ok = s_fail(err, err_len,
                    "A rule needs an action: error, reply, delayMs, closeBeforeReply, "
                    "closeAfterBytes, stream, retryAfter or headers.");
    }
    if (!ok) {
        mock_rule_free(r);
        return NULL;
    }
    r->source = cJSON_Duplicate(json, 1);
    return r;
}

static void s_free_headers(struct mock_rule_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
}

void mock_rule_free(struct mock_rule *rule)
{
    if (!rule) {
        return;
    }
    free(rule->model_glob);
    free(rule->account);
    s_free_headers(rule->headers, rule->n_headers);
    free(rule->text);
    pcre2_code_free(rule->text_re);
    pcre2_match_context_free(rule->text_re_limits);
    free(rule->tool_result);
    free(rule->message);
    cJSON_Delete(rule->reply);
    s_free_headers(rule->resp_headers, rule->n_resp_headers);
    cJSON_Delete(rule->source);
    free(rule);
}
