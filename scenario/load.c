/*
 * load.c: the strict scenario loader (docs/scenarios.md, "The format, field by field").
 *
 * Every member of every object is checked against a table of what may appear there, with its
 * type; each mistake becomes one line "FILE: JSON.PATH: problem" and checking goes on, so a
 * file's mistakes are all reported at once. The checks follow the document's shape: top level,
 * mock, client, steps (calls, mock actions), expectations, matchers. Rules and quota objects are
 * the mock's own formats: only their outer type is checked here, the mock checks the rest when
 * the runner posts them (and names the problem).
 *
 * Ownership: a loaded struct scenario owns its tree and strings (scn_destroy). Thread-safe: no
 * shared state.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "scenario/scenario.h"

#define S_MAX_FILE_BYTES (16u << 20) /* a scenario larger than 16 MiB is a mistake */
#define S_PATH_LEN 512

struct s_ctx {
    struct scn_diags *diags;
    const char *file;
    size_t errors;
};

/* A member the table allows: its name and its check (NULL: any value). */
typedef void (*s_check_fn)(struct s_ctx *c, const cJSON *v, const char *path);

struct s_member {
    const char *name;
    s_check_fn check;
    bool required;
};

static void s_err(struct s_ctx *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void s_err(struct s_ctx *c, const char *path, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    scn_diags_add(c->diags, "%s: %s: %s", c->file, path[0] ? path : "(top level)", msg);
    c->errors++;
}

static void s_got(struct s_ctx *c, const cJSON *v, const char *path, const char *expected)
{
    char brief[80];
    scn_json_brief(v, brief, sizeof(brief));
    s_err(c, path, "expected %s, got %s", expected, brief);
}

static void s_join(char *out, const char *path, const char *member)
{
    snprintf(out, S_PATH_LEN, "%s%s%s", path, path[0] ? "." : "", member);
}

static void s_index(char *out, const char *path, int i)
{
    snprintf(out, S_PATH_LEN, "%s[%d]", path, i);
}

/* ---- scalar checks ------------------------------------------------------------------ */

static void s_string(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsString(v)) {
        s_got(c, v, path, "a string");
    }
}

static void s_nonempty_string(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        s_got(c, v, path, "a non-empty string");
    }
}

static bool s_is_int(const cJSON *v, double min)
{
    return cJSON_IsNumber(v) && v->valuedouble >= min && v->valuedouble <= 9007199254740992.0 &&
           v->valuedouble == (double)(int64_t)v->valuedouble;
}

static void s_count(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!s_is_int(v, 0)) {
        s_got(c, v, path, "an integer >= 0");
    }
}

static void s_positive(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!s_is_int(v, 1)) {
        s_got(c, v, path, "an integer >= 1");
    }
}

static void s_true(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsTrue(v)) {
        s_got(c, v, path, "true");
    }
}

static void s_boolean(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsBool(v)) {
        s_got(c, v, path, "true or false");
    }
}

static void s_object(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsObject(v)) {
        s_got(c, v, path, "an object");
    }
}

/* One of a NULL-terminated list of words. */
static void s_word(struct s_ctx *c, const cJSON *v, const char *path, const char *const *words, const char *shown)
{
    for (size_t i = 0; cJSON_IsString(v) && words[i]; i++) {
        if (strcmp(v->valuestring, words[i]) == 0) {
            return;
        }
    }
    s_got(c, v, path, shown);
}

static void s_strings(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsArray(v)) {
        s_got(c, v, path, "an array of strings");
        return;
    }
    char p[S_PATH_LEN];
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        s_index(p, path, i);
        s_string(c, e, p);
    }
}

/* An array whose every element passes `check`. */
static void s_array_of(struct s_ctx *c, const cJSON *v, const char *path, s_check_fn check, const char *what)
{
    if (!cJSON_IsArray(v)) {
        s_got(c, v, path, what);
        return;
    }
    char p[S_PATH_LEN];
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        s_index(p, path, i);
        check(c, e, p);
    }
}

/* ---- objects by table ----------------------------------------------------------------- */

static void s_allowed_list(const struct s_member *table, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; table[i].name && used < out_len; i++) {
        int n = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", table[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Check `obj` against `table`: unknown members, missing required ones, each member's check. */
static bool s_members(struct s_ctx *c, const cJSON *obj, const char *path, const struct s_member *table)
{
    if (!cJSON_IsObject(obj)) {
        s_got(c, obj, path, "an object");
        return false;
    }
    char p[S_PATH_LEN];
    for (const cJSON *m = obj->child; m; m = m->next) {
        size_t i = 0;
        while (table[i].name && strcmp(table[i].name, m->string) != 0) {
            i++;
        }
        s_join(p, path, m->string);
        if (!table[i].name) {
            char allowed[400];
            s_allowed_list(table, allowed, sizeof(allowed));
            s_err(c, p, "unknown member (expected one of %s)", allowed);
        } else if (table[i].check) {
            table[i].check(c, m, p);
        }
    }
    for (size_t i = 0; table[i].name; i++) {
        if (table[i].required && !cJSON_GetObjectItemCaseSensitive(obj, table[i].name)) {
            s_join(p, path, table[i].name);
            s_err(c, p, "missing required member");
        }
    }
    return true;
}

/* ---- matchers and pointer maps -------------------------------------------------------- */

static void s_matcher(struct s_ctx *c, const cJSON *v, const char *path)
{
    char detail[256] = "";
    const char *problem = scn_matcher_problem(v, detail, sizeof(detail));
    if (problem) {
        s_err(c, path, "%s%s%s", problem, detail[0] ? ": " : "", detail);
    }
}

static void s_matchers(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_matcher, "an array of matchers");
}

static void s_pointer_map(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsObject(v)) {
        s_got(c, v, path, "an object of JSON Pointer -> matcher");
        return;
    }
    char p[S_PATH_LEN];
    for (const cJSON *m = v->child; m; m = m->next) {
        snprintf(p, sizeof(p), "%s[\"%s\"]", path, m->string);
        if (!scn_pointer_valid(m->string)) {
            s_err(c, p, "not a JSON Pointer (RFC 6901: \"\" or \"/a/0/b\", escapes ~0 and ~1)");
        }
        s_matcher(c, m, p);
    }
}

static void s_pointer_maps(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_pointer_map, "an array of objects (JSON Pointer -> matcher)");
}

static void s_status_list(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsArray(v)) {
        s_got(c, v, path, "an array of HTTP statuses");
        return;
    }
    char p[S_PATH_LEN];
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        s_index(p, path, i);
        if (!s_is_int(e, 0) || e->valuedouble > 999) {
            s_got(c, e, p, "an HTTP status");
        }
    }
}

/* ---- expectations ----------------------------------------------------------------------- */

static void s_cache_outcome(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"location", s_matcher, false}, {"outcome", s_matcher, false},
                                        {"ttl", s_matcher, false},      {"prefix_tokens", s_matcher, false},
                                        {"reason", s_matcher, false},   {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_cache_outcomes(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_cache_outcome, "an array of cache-point objects");
}

static void s_journal(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"requests", s_matcher, false},
                                        {"statuses", s_status_list, false},
                                        {"attempts_per_invocation", s_matchers, false},
                                        {"rules_fired", s_strings, false},
                                        {"cache", s_cache_outcomes, false},
                                        {"entries", s_pointer_maps, false},
                                        {"last", s_pointer_map, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_sent_point(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"at", s_matcher, false}, {"ttl", s_matcher, false}, {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_sent_points(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_sent_point, "an array of {\"at\", \"ttl\"} objects");
}

static void s_sent(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"cache_points", s_sent_points, false},
                                        {"body", s_pointer_map, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_usage(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"inputTokens", s_matcher, false},
                                        {"outputTokens", s_matcher, false},
                                        {"totalTokens", s_matcher, false},
                                        {"cacheReadInputTokens", s_matcher, false},
                                        {"cacheWriteInputTokens", s_matcher, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_error(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"type", s_matcher, false},
                                        {"message", s_matcher, false},
                                        {"status", s_matcher, false},
                                        {"kind", s_matcher, false},
                                        {NULL, NULL, false}};
    if (cJSON_IsString(v)) {
        return;
    }
    if (s_members(c, v, path, t) && !v->child) {
        s_err(c, path, "an empty error expectation (give type, message, status or kind)");
    }
}

static void s_events(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_strings(c, v, path);
}

static void s_call_expect(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"response", s_pointer_map, false},
                                        {"text", s_matcher, false},
                                        {"stop_reason", s_matcher, false},
                                        {"usage", s_usage, false},
                                        {"input_tokens", s_matcher, false},
                                        {"error", s_error, false},
                                        {"events", s_events, false},
                                        {"attempts", s_matcher, false},
                                        {"retry_delays_ms", s_matchers, false},
                                        {"retry_delay_total_ms", s_matcher, false},
                                        {"virtual_elapsed_ms", s_matcher, false},
                                        {"sent", s_sent, false},
                                        {"journal", s_journal, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_top_expect(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"journal", s_journal, false}, {"sent", s_sent, false}, {NULL, NULL, false}};
    s_members(c, v, path, t);
}

/* ---- calls ---------------------------------------------------------------------------- */

static void s_cache_point_value(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const ttls[] = {"5m", "1h", NULL};
    if (!cJSON_IsTrue(v)) {
        s_word(c, v, path, ttls, "true, \"5m\" or \"1h\"");
    }
}

static void s_marker(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"cache_point", s_cache_point_value, true}, {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_text_part(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsString(v)) {
        s_marker(c, v, path);
    }
}

static void s_text_parts(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsString(v)) {
        s_array_of(c, v, path, s_text_part, "a string or an array of strings and cache markers");
    }
}

static void s_tool(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"name", s_nonempty_string, true},
                                        {"description", s_string, false},
                                        {"input_schema", s_object, false},
                                        {NULL, NULL, false}};
    if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "cache_point")) {
        s_marker(c, v, path);
    } else {
        s_members(c, v, path, t);
    }
}

static void s_tools(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_tool, "an array of tools and cache markers");
}

static void s_objects(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_object, "an array of objects");
}

static void s_call(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {
        {"model", s_nonempty_string, true}, {"request", s_object, false},          {"system", s_text_parts, false},
        {"messages", s_objects, false},     {"user", s_text_parts, false},         {"tools", s_tools, false},
        {"max_tokens", s_positive, false},  {"inference_config", s_object, false}, {NULL, NULL, false}};
    if (!s_members(c, v, path, t) || !cJSON_GetObjectItemCaseSensitive(v, "request")) {
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        if (strcmp(m->string, "model") != 0 && strcmp(m->string, "request") != 0) {
            char p[S_PATH_LEN];
            s_join(p, path, m->string);
            s_err(c, p, "not allowed with \"request\" (the full form): use one form or the other");
        }
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(v, "request");
    if (cJSON_IsObject(req) && cJSON_GetObjectItemCaseSensitive(req, "modelId")) {
        char p[S_PATH_LEN];
        s_join(p, path, "request.modelId");
        s_err(c, p, "the model goes in \"model\" (it travels in the path, not the body)");
    }
}

/* ---- mock actions ---------------------------------------------------------------------- */

static void s_rule_list(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!cJSON_IsObject(v)) {
        s_array_of(c, v, path, s_object, "a rule object or an array of them");
    }
}

static void s_quota(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"model", s_nonempty_string, false},     {"tokens_per_minute", s_count, false},
                                        {"requests_per_minute", s_count, false}, {"tokens_per_day", s_count, false},
                                        {"retry_after", s_boolean, false},       {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_quotas(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_quota, "an array of quota objects");
}

static void s_remove_rules(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (cJSON_IsString(v) && strcmp(v->valuestring, "*") == 0) {
        return;
    }
    if (!cJSON_IsArray(v)) {
        s_got(c, v, path, "\"*\" or an array of rule ids");
        return;
    }
    s_strings(c, v, path);
}

static const struct s_member s_step_table[] = {
    {"name", s_string, false},          {"converse", s_call, false},
    {"converse_stream", s_call, false}, {"count_tokens", s_call, false},
    {"expect", s_call_expect, false},   {"advance_clock_ms", s_count, false},
    {"add_rules", s_rule_list, false},  {"remove_rules", s_remove_rules, false},
    {"set_quotas", s_quotas, false},    {"clear_cache", s_true, false},
    {"reset", s_true, false},           {NULL, NULL, false}};

const char *scn_step_action(const cJSON *step, int *n)
{
    const char *found = NULL;
    *n = 0;
    for (size_t i = 1; s_step_table[i].name; i++) {
        if (strcmp(s_step_table[i].name, "expect") != 0 &&
            cJSON_GetObjectItemCaseSensitive(step, s_step_table[i].name)) {
            found = found ? found : s_step_table[i].name;
            (*n)++;
        }
    }
    return found;
}

bool scn_action_is_call(const char *action)
{
    return action && (strcmp(action, "converse") == 0 || strcmp(action, "converse_stream") == 0 ||
                      strcmp(action, "count_tokens") == 0);
}

static void s_step(struct s_ctx *c, const cJSON *v, const char *path)
{
    if (!s_members(c, v, path, s_step_table)) {
        return;
    }
    int n = 0;
    const char *action = scn_step_action(v, &n);
    if (n == 0) {
        s_err(c, path,
              "a step needs an action (converse, converse_stream, count_tokens, advance_clock_ms, "
              "add_rules, remove_rules, set_quotas, clear_cache, reset)");
    } else if (n > 1) {
        s_err(c, path, "a step holds exactly one action, this one has %d", n);
    } else if (!scn_action_is_call(action) && cJSON_GetObjectItemCaseSensitive(v, "expect")) {
        char p[S_PATH_LEN];
        s_join(p, path, "expect");
        s_err(c, p, "a mock action (%s) takes no expect", action);
    }
}

static void s_steps(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_step, "an array of steps");
}

/* ---- mock and client -------------------------------------------------------------------- */

static void s_clock(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const modes[] = {"virtual", "real", NULL};
    static const struct s_member t[] = {{"mode", NULL, true}, {"start", s_string, false}, {NULL, NULL, false}};
    if (!cJSON_IsObject(v)) {
        s_word(c, v, path, modes, "\"virtual\", \"real\" or an object");
        return;
    }
    s_members(c, v, path, t);
    char p[S_PATH_LEN];
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(v, "mode");
    if (mode) {
        s_join(p, path, "mode");
        s_word(c, mode, p, modes, "\"virtual\" or \"real\"");
    }
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(v, "start");
    struct tm tm;
    if (cJSON_IsString(start)) {
        const char *end = strptime(start->valuestring, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (!end || *end) {
            s_join(p, path, "start");
            s_got(c, start, p, "a UTC time \"YYYY-MM-DDTHH:MM:SSZ\"");
        }
    }
}

static void s_app_profile(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"id", s_nonempty_string, true},
                                        {"model", s_nonempty_string, true},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_app_profiles(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_app_profile, "an array of {\"id\", \"model\"}");
}

static void s_models(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"catalogue", s_nonempty_string, false},
                                        {"application_profile_model", s_nonempty_string, false},
                                        {"application_profiles", s_app_profiles, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_credential(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"access_key_id", s_nonempty_string, true},
                                        {"secret_access_key", s_nonempty_string, true},
                                        {"session_token", s_string, false},
                                        {"account_id", s_string, false},
                                        {"expiration", s_string, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_api_key(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"key", s_nonempty_string, true},
                                        {"account_id", s_string, false},
                                        {"expiration", s_string, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_credentials(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_credential, "an array of credentials");
}

static void s_api_keys(struct s_ctx *c, const cJSON *v, const char *path)
{
    s_array_of(c, v, path, s_api_key, "an array of API keys");
}

static void s_auth_mode(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const modes[] = {"lenient", "none", "strict", NULL};
    s_word(c, v, path, modes, "\"lenient\", \"none\" or \"strict\"");
}

static void s_mock_auth(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"mode", s_auth_mode, false},
                                        {"region", s_nonempty_string, false},
                                        {"credentials", s_credentials, false},
                                        {"api_keys", s_api_keys, false},
                                        {NULL, NULL, false}};
    if (!s_members(c, v, path, t)) {
        return;
    }
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(v, "mode");
    if (cJSON_IsString(mode) && strcmp(mode->valuestring, "strict") == 0 &&
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "credentials")) +
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "api_keys")) ==
            0) {
        s_err(c, path, "mode \"strict\" needs at least one of credentials and api_keys");
    }
}

static void s_below_minimum(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const words[] = {"skip", "reject", NULL};
    s_word(c, v, path, words, "\"skip\" or \"reject\"");
}

static void s_mock_cache(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"max_entries", s_positive, false},
                                        {"below_minimum", s_below_minimum, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_mock_stream(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"chunk_chars", s_positive, false}, {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_mock(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"clock", s_clock, false},           {"seed", s_count, false},
                                        {"models", s_models, false},         {"rules", s_objects, false},
                                        {"quotas", s_quotas, false},         {"auth", s_mock_auth, false},
                                        {"cache", s_mock_cache, false},      {"stream", s_mock_stream, false},
                                        {"journal_size", s_positive, false}, {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_client_auth(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member keys[] = {{"access_key_id", s_nonempty_string, true},
                                           {"secret_access_key", s_nonempty_string, true},
                                           {"session_token", s_string, false},
                                           {NULL, NULL, false}};
    static const struct s_member key[] = {{"api_key", s_nonempty_string, true}, {NULL, NULL, false}};
    if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "api_key")) {
        s_members(c, v, path, key);
    } else {
        s_members(c, v, path, keys);
    }
}

static void s_retry_mode(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const modes[] = {"legacy", "standard", "adaptive", NULL};
    s_word(c, v, path, modes, "\"legacy\", \"standard\" or \"adaptive\"");
}

static void s_retry(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"mode", s_retry_mode, false},
                                        {"max_attempts", s_positive, false},
                                        {"seed", s_count, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_cache_mode(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const char *const ttls[] = {"5m", "1h", NULL};
    if (!cJSON_IsBool(v)) {
        s_word(c, v, path, ttls, "true, false, \"5m\" or \"1h\"");
    }
}

static void s_client_cache(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"instructions", s_cache_mode, false},
                                        {"tool_definitions", s_cache_mode, false},
                                        {"messages", s_cache_mode, false},
                                        {"dynamic_instructions", s_count, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_client(struct s_ctx *c, const cJSON *v, const char *path)
{
    static const struct s_member t[] = {{"region", s_nonempty_string, false},
                                        {"auth", s_client_auth, false},
                                        {"retry", s_retry, false},
                                        {"cache", s_client_cache, false},
                                        {NULL, NULL, false}};
    s_members(c, v, path, t);
}

static void s_top(struct s_ctx *c, const cJSON *root)
{
    static const struct s_member t[] = {{"name", s_nonempty_string, true}, {"description", s_string, false},
                                        {"tags", s_strings, false},        {"mock", s_mock, false},
                                        {"client", s_client, false},       {"steps", s_steps, false},
                                        {"expect", s_top_expect, false},   {NULL, NULL, false}};
    if (s_members(c, root, "", t) && !cJSON_GetObjectItemCaseSensitive(root, "steps") &&
        !cJSON_GetObjectItemCaseSensitive(root, "expect")) {
        s_err(c, "", "a scenario needs \"steps\" (for run) or \"expect\" (for exec and check), or both");
    }
}

/* ---- loading ---------------------------------------------------------------------------- */

static char *s_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return brk_strdup(".");
    }
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = brk_malloc(len + 1);
    if (dir) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

/* Where a parse failed, as line:column. */
static void s_parse_error(struct s_ctx *c, const char *text, size_t len, const char *at)
{
    size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
    unsigned line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        line += text[i] == '\n';
        col = text[i] == '\n' ? 1 : col + 1;
    }
    s_err(c, "", "not valid JSON (line %u, column %u)", line, col);
}

enum brk_status scn_load_text(const char *path, const char *text, size_t len, struct scenario **out,
                              struct scn_diags *diags)
{
    *out = NULL;
    struct s_ctx c = {.diags = diags, .file = path, .errors = 0};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        s_parse_error(&c, text, len, cJSON_GetErrorPtr());
        return BRK_ERR_PARSE;
    }
    s_top(&c, root);
    if (c.errors) {
        cJSON_Delete(root);
        return BRK_ERR_PARSE;
    }
    struct scenario *sc = brk_calloc(1, sizeof(*sc));
    if (sc) {
        sc->root = root;
        sc->path = brk_strdup(path);
        sc->dir = s_dirname(path);
        sc->name = cJSON_GetObjectItemCaseSensitive(root, "name")->valuestring;
    }
    if (!sc || !sc->path || !sc->dir) {
        if (sc) {
            sc->root = root;
        } else {
            cJSON_Delete(root);
        }
        scn_destroy(sc);
        scn_diags_add(diags, "%s: out of memory", path);
        return BRK_ERR_NOMEM;
    }
    *out = sc;
    return BRK_OK;
}

enum brk_status scn_load_file(const char *path, struct scenario **out, struct scn_diags *diags)
{
    *out = NULL;
    struct brk_buf buf;
    brk_buf_init(&buf, S_MAX_FILE_BYTES);
    enum brk_status rc = brk_buf_read_file(&buf, path);
    if (rc == BRK_OK) {
        rc = scn_load_text(path, buf.data ? buf.data : "", buf.len, out, diags);
    } else {
        scn_diags_add(diags, "%s: %s", path, rc == BRK_ERR_TOO_LARGE ? "larger than 16 MiB" : "cannot be read");
    }
    brk_buf_clean_up(&buf);
    return rc;
}

void scn_destroy(struct scenario *sc)
{
    if (!sc) {
        return;
    }
    cJSON_Delete(sc->root);
    brk_free(sc->path);
    brk_free(sc->dir);
    brk_free(sc);
}
