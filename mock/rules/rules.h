/*
 * rules.h (mock-private): one rule engine for scripted replies and fault injection
 * (docs/rules.md).
 *
 * A rule is JSON: {"id", "match": {...}, actions ("error", "reply", "delayMs", ...), modifiers
 * ("times", "after", "probability", "priority")}. The pipeline stage evaluates the rules in
 * priority order (higher first, then the order they were added); the first rule whose
 * matchers hold and whose modifiers let it fire is applied, and only that one.
 *
 * Thread-safety: one mutex guards the rule list and every counter, and a request's whole
 * evaluation runs under it, so `times` and `after` are exact however many clients call at
 * once. Ownership: the engine copies the JSON it is given; returned JSON belongs to the caller.
 */
#ifndef MOCK_RULES_H
#define MOCK_RULES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/status.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

struct mock_rules;
struct mock_reply;

/* A new, empty engine (NULL on allocation failure). Free with mock_rules_destroy. */
struct mock_rules *mock_rules_new(void);
void mock_rules_destroy(struct mock_rules *rules);

/* Add rules from `json`: one rule object, an array of them, or {"rules": [...]}. All or
 * nothing: on an invalid rule nothing is added, BRK_ERR_PARSE is returned and err says
 * which rule and why. When `added` is not NULL it receives a new array of the added rules
 * (as mock_rules_to_json shows them). `startup` rules come back after mock_rules_reset. */
enum brk_status mock_rules_add_json(struct mock_rules *rules, const cJSON *json, bool startup, cJSON **added, char *err,
                                    size_t err_len);

/* Read and add a rules file (same formats as mock_rules_add_json), as startup rules. */
enum brk_status mock_rules_load_file(struct mock_rules *rules, const char *path, char *err, size_t err_len);

/* {"rules": [{"id", "priority", "matched", "fired", "rule": <as given>}, ...]} in evaluation
 * order; with `id` non-NULL only that rule (NULL when there is none). */
cJSON *mock_rules_to_json(struct mock_rules *rules, const char *id);

/* Remove one rule; false when there is none with that id. */
bool mock_rules_delete(struct mock_rules *rules, const char *id);

/* Remove every rule. */
void mock_rules_clear(struct mock_rules *rules);

/* Back to the state at start: only the startup (--rules) rules, with zero counters. */
void mock_rules_reset(struct mock_rules *rules);

/* The pipeline stage (declared in pipeline/stages.h) applies the first rule that fires: an
 * error fills `resp` and returns false; faults are set on `resp` (resp->fault) and a scripted
 * reply on req->rule, and the request goes on (true). The rule's id goes to the journal
 * entry ("rule"). */

/* Replace the generated content of `reply` by req->rule.reply (text, toolUse,
 * stopReason, usage), then recount it. No-op without an override. */
void mock_rules_apply_reply(const struct mock_request *req, struct mock_reply *reply);

/* Create mock->rules and mock->quotas from the config (--rules file, --quota specs); called
 * by brk_mock_start. On failure writes the reason into err. */
enum brk_status mock_rules_quotas_start(struct brk_mock *mock, char *err, size_t err_len);

/* Admin endpoints (rules_admin.c; rows in admin.c, documented in docs/rules.md). */
void mock_admin_rules_post(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_rules_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_rules_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_rule_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_rule_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_quotas_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);
void mock_admin_quotas_put(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* POST /_mock/reset's part: rules back to the --rules file, quotas to the --quota flags. */
void mock_rules_quotas_reset(struct brk_mock *mock);

#endif
