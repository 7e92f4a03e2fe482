/*
 * rules_priv.h (mock-private, rules only): one parsed rule, shared by the parser
 * (rules_parse.c) and the engine (rules.c). Field names follow the JSON keys of docs/rules.md.
 */
#ifndef MOCK_RULES_PRIV_H
#define MOCK_RULES_PRIV_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mock/rules/rules.h"

#define MOCK_RULE_MAX_HEADERS 8

struct mock_rule_header {
    char *name;
    char *value; /* a glob ("*" = present with any value) */
};

struct mock_rule {
    char id[64];
    int priority;   /* higher first */
    uint64_t order; /* position of addition; ties in priority go by it */
    bool startup;   /* from --rules; restored by a reset */
    cJSON *source;  /* the rule as given, shown by GET */

    /* Matchers: every one given must hold. */
    bool any_op;
    bool ops[BRK_OP_COUNT];
    char *model_glob;
    char *account;
    struct mock_rule_header headers[MOCK_RULE_MAX_HEADERS];
    size_t n_headers;
    char *text;                          /* substring of the last user message's text */
    pcre2_code *text_re;                 /* PCRE2 pattern over the same text (docs/rules.md); NULL = none */
    pcre2_match_context *text_re_limits; /* its match, depth and heap limits */
    char *tool_result;                   /* the last user message carries a toolResult for this tool */
    uint64_t nth;                        /* only the n-th request meeting the other matchers */
    int attempt;                         /* amz-sdk-request attempt number; 0 = any */

    /* Modifiers. */
    uint64_t times;     /* fire at most this often; 0 = no limit */
    uint64_t after;     /* let this many matches pass first */
    double probability; /* chance to fire once eligible (seeded rng); 1 = always */

    /* Actions. */
    const struct brk_aws_error_info *error;
    char *message;           /* NULL = the table's default */
    cJSON *reply;            /* scripted reply */
    struct mock_fault fault; /* close_after_bytes -1 = no cut */
    int64_t retry_after_ms;  /* -1 = send no Retry-After / x-amz-retry-after */
    struct mock_rule_header resp_headers[MOCK_RULE_MAX_HEADERS];
    size_t n_resp_headers;

    /* Counters (engine mutex). */
    uint64_t matched;          /* requests that met the matchers */
    uint64_t fired;            /* times the actions ran */
    uint64_t regex_limit_hits; /* textRegex gave up at its match limit (counted as no match) */

    /* Lifetime (engine mutex): requests match against a snapshot of the list outside the
     * lock, so a rule deleted meanwhile is only freed when the last of them lets go. */
    unsigned refs;
    bool removed;
};

/* The outcome of matching textRegex against a text. */
enum mock_rule_regex { MOCK_RULE_REGEX_NO, MOCK_RULE_REGEX_YES, MOCK_RULE_REGEX_LIMIT };

/* Run the rule's textRegex over `text` within its limits; thread-safe (the compiled pattern
 * and its match context are only read). */
enum mock_rule_regex mock_rule_regex_match(const struct mock_rule *rule, const char *text);

/* Parse one rule object. On failure returns NULL and writes the reason into err. */
struct mock_rule *mock_rule_parse(const cJSON *json, char *err, size_t err_len);

void mock_rule_free(struct mock_rule *rule);

#endif
