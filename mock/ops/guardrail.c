/* guardrail.c: the word-list guardrail, ApplyGuardrail, and guardrailConfig on Converse. */
#include "mock/ops/guardrail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"
#include "mock/ops/ops.h"
#include "mock/model/reply.h"
#include "mock/validate/schema.h"

#define S_MAX_WORDS 1000
#define S_MAX_WORD_LEN 200
#define S_TEXT_UNIT_CHARS 1000 /* a guardrail text unit is up to 1,000 characters */
#define S_MSG_SOURCE                                                                                 \
    "1 validation error detected: Value '%s' at 'source' failed to satisfy constraint: Member must " \
    "satisfy enum value set: [INPUT, OUTPUT]"
#define S_MSG_CONTENT_NULL \
    "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null"

struct mock_guardrail {
    char *words[S_MAX_WORDS];
    size_t n;
};

static const char *const s_builtin[] = {"forbidden", "blockedword"};

static void s_add_word(struct mock_guardrail *g, const char *line)
{
    size_t len = strlen(line);
    while (len && isspace((unsigned char)line[len - 1])) {
        len--;
    }
    while (len && isspace((unsigned char)*line)) {
        line++;
        len--;
    }
    if (len && line[0] != '#' && len <= S_MAX_WORD_LEN && g->n < S_MAX_WORDS) {
        g->words[g->n++] = strndup(line, len);
    }
}

enum brk_status mock_guardrail_load(const char *path, struct mock_guardrail **out, char *err, size_t err_len)
{
    *out = NULL;
    struct mock_guardrail *g = calloc(1, sizeof(*g));
    if (!g) {
        return BRK_ERR_NOMEM;
    }
    if (!path) {
        for (size_t i = 0; i < sizeof(s_builtin) / sizeof(s_builtin[0]); i++) {
            s_add_word(g, s_builtin[i]);
        }
        *out = g;
        return BRK_OK;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "cannot read --guardrail-words %s", path);
        free(g);
        return BRK_ERR_IO;
    }
    char line[S_MAX_WORD_LEN + 64];
    while (fgets(line, sizeof(line), f)) {
        s_add_word(g, line);
    }
    fclose(f);
    *out = g;
    return BRK_OK;
}

void mock_guardrail_destroy(struct mock_guardrail *g)
{
    if (!g) {
        return;
    }
    for (size_t i = 0; i < g->n; i++) {
        free(g->words[i]);
    }
    free(g);
}

static bool s_word_char(char c)
{
    return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

const char *mock_guardrail_match(const struct mock_guardrail *g, const char *text, size_t len)
{
    for (size_t w = 0; g && w < g->n; w++) {
        size_t wl = strlen(g->words[w]);
        for (size_t i = 0; wl && i + wl <= len; i++) {
            bool starts = i == 0 || !s_word_char(text[i - 1]);
            bool ends = i + wl == len || !s_word_char(text[i + wl]);
            if (starts && ends && strncasecmp(text + i, g->words[w], wl) == 0) {
                return g->words[w];
            }
        }
    }
    return NULL;
}

/* ---- assessments -------------------------------------------------------------------- */

static cJSON *s_usage(size_t chars)
{
    static const char *const units[] = {"topicPolicyUnits",
                                        "contentPolicyUnits",
                                        "wordPolicyUnits",
                                        "sensitiveInformationPolicyUnits",
                                        "sensitiveInformationPolicyFreeUnits",
                                        "contextualGroundingPolicyUnits"};
    cJSON *u = cJSON_CreateObject();
    double n = (double)((chars + S_TEXT_UNIT_CHARS - 1) / S_TEXT_UNIT_CHARS);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        cJSON_AddNumberToObject(u, units[i], strcmp(units[i], "wordPolicyUnits") == 0 ? n : 0);
    }
    return u;
}

static cJSON *s_coverage(size_t chars)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *t = cJSON_AddObjectToObject(c, "textCharacters");
    cJSON_AddNumberToObject(t, "guarded", (double)chars);
    cJSON_AddNumberToObject(t, "total", (double)chars);
    return c;
}

/* One GuardrailAssessment: the word policy finding (if any) and the invocation metrics. */
static cJSON *s_assessment(const char *word, size_t chars)
{
    cJSON *a = cJSON_CreateObject();
    if (word) {
        cJSON *wp = cJSON_AddObjectToObject(a, "wordPolicy");
        cJSON *hit = cJSON_CreateObject();
        cJSON_AddStringToObject(hit, "match", word);
        cJSON_AddStringToObject(hit, "action", "BLOCKED");
        cJSON_AddTrueToObject(hit, "detected");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(wp, "customWords"), hit);
        cJSON_AddArrayToObject(wp, "managedWordLists");
    }
    cJSON *m = cJSON_AddObjectToObject(a, "invocationMetrics");
    cJSON_AddNumberToObject(m, "guardrailProcessingLatency", 10);
    cJSON_AddItemToObject(m, "usage", s_usage(chars));
    cJSON_AddItemToObject(m, "guardrailCoverage", s_coverage(chars));
    return a;
}

/* ---- ApplyGuardrail ----------------------------------------------------------------- */

static bool s_validate_apply(const struct mock_request *req, struct mock_response *resp)
{
    const char *source = cJSON_GetStringValue(brk_json_get(req->json, "source"));
    if (!mock_check_pattern(resp, mock_schema_pattern("GuardrailIdentifier"), "guardrailIdentifier",
                            req->route.label[BRK_OP_LABEL_GUARDRAIL_ID]) ||
        !mock_check_pattern(resp, mock_schema_pattern("GuardrailVersion"), "guardrailVersion",
                            req->route.label[BRK_OP_LABEL_GUARDRAIL_VERSION])) {
        return false;
    }
    if (!source || (strcmp(source, "INPUT") != 0 && strcmp(source, "OUTPUT") != 0)) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_SOURCE, source ? source : "null");
    } else if (!cJSON_IsArray(brk_json_get(req->json, "content"))) {
        mock_response_error(resp, BRK_AWS_VALIDATION, S_MSG_CONTENT_NULL);
    } else {
        return true;
    }
    return false;
}

void mock_op_apply_guardrail(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    if (!s_validate_apply(req, resp)) {
        return;
    }
    const char *word = NULL;
    size_t chars = 0;
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, brk_json_get(req->json, "content"))
    {
        const char *t = cJSON_GetStringValue(brk_json_get(brk_json_get(block, "text"), "text"));
        if (t) {
            chars += strlen(t);
            word = word ? word : mock_guardrail_match(mock->guardrail, t, strlen(t));
        }
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "usage", s_usage(chars));
    cJSON_AddStringToObject(out, "action", word ? "GUARDRAIL_INTERVENED" : "NONE");
    if (word) {
        cJSON_AddStringToObject(out, "actionReason", "Guardrail blocked.");
    }
    cJSON *outputs = cJSON_AddArrayToObject(out, "outputs");
    if (word) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "text", MOCK_GUARDRAIL_BLOCKED_MESSAGE);
        cJSON_AddItemToArray(outputs, o);
    }
    cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "assessments"), s_assessment(word, chars));
    cJSON_AddItemToObject(out, "guardrailCoverage", s_coverage(chars));
    mock_response_json(resp, 200, out);
    cJSON_Delete(out);
}

/* ---- guardrailConfig on Converse ---------------------------------------------------- */

struct s_scan {
    const struct mock_guardrail *g;
    const char *word;
    size_t chars;
};

static void s_scan_text(struct s_scan *s, const char *t)
{
    if (t) {
        s->chars += strlen(t);
        s->word = s->word ? s->word : mock_guardrail_match(s->g, t, strlen(t));
    }
}

/* Text the guardrail sees in the input: system prompts, and user text and guardContent. */
static void s_scan_input(struct s_scan *s, const cJSON *json)
{
    const cJSON *b = NULL, *m = NULL;
    cJSON_ArrayForEach(b, brk_json_get(json, "system"))
    {
        s_scan_text(s, cJSON_GetStringValue(brk_json_get(b, "text")));
    }
    cJSON_ArrayForEach(m, brk_json_get(json, "messages"))
    {
        cJSON_ArrayForEach(b, brk_json_get(m, "content"))
        {
            s_scan_text(s, cJSON_GetStringValue(brk_json_get(b, "text")));
            const cJSON *guarded = brk_json_get(brk_json_get(b, "guardContent"), "text");
            s_scan_text(s, cJSON_GetStringValue(brk_json_get(guarded, "text")));
        }
    }
}

static void s_block_reply(struct mock_reply *reply)
{
    mock_reply_clean_up(reply);
    struct mock_reply_block *b = mock_reply_add(reply, MOCK_BLOCK_TEXT);
    b->text = strdup(MOCK_GUARDRAIL_BLOCKED_MESSAGE);
    snprintf(reply->stop_reason, sizeof(reply->stop_reason), "guardrail_intervened");
}

void mock_guardrail_converse(const struct brk_mock *mock, const struct mock_request *req, struct mock_reply *reply)
{
    const cJSON *config = brk_json_get(req->json, "guardrailConfig");
    if (!cJSON_IsObject(config)) {
        return;
    }
    const char *id = cJSON_GetStringValue(brk_json_get(config, "guardrailIdentifier"));
    const char *trace = cJSON_GetStringValue(brk_json_get(config, "trace"));
    struct s_scan in = {mock->guardrail, NULL, 0};
    struct s_scan out = {mock->guardrail, NULL, 0};
    s_scan_input(&in, req->json);
    for (size_t i = 0; !in.word && i < reply->n_blocks; i++) {
        if (reply->blocks[i].kind == MOCK_BLOCK_TEXT) {
            s_scan_text(&out, reply->blocks[i].text);
        }
    }
    if (in.word) {
        s_block_reply(reply);
        /* The model never ran: nothing was generated or read from a cache. */
        reply->output_tokens = 0;
        reply->input_tokens = 0;
        memset(&reply->cache, 0, sizeof(reply->cache));
    } else if (out.word) {
        s_block_reply(reply);
    }
    if (!trace || strcmp(trace, "disabled") == 0) {
        return;
    }
    cJSON *t = cJSON_CreateObject();
    cJSON *g = cJSON_AddObjectToObject(t, "guardrail");
    cJSON_AddItemToObject(cJSON_AddObjectToObject(g, "inputAssessment"), id ? id : "", s_assessment(in.word, in.chars));
    if (!in.word) {
        cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(g, "outputAssessments"), id ? id : "");
        cJSON_AddItemToArray(list, s_assessment(out.word, out.chars));
    }
    if (in.word || out.word) {
        cJSON_AddStringToObject(g, "actionReason", "Guardrail blocked.");
    }
    cJSON_Delete(reply->trace);
    reply->trace = t;
}
