/*
 * guardrail.h (mock-private): a guardrail with a word policy, the one policy a mock can apply
 * deterministically. The word list comes from --guardrail-words FILE (one word or phrase per
 * line, '#' starts a comment) or the built-in list ("forbidden", "blockedword"); every
 * guardrail id and version uses the same list. A word matches case-insensitively at word
 * boundaries. Behaviour and sources: docs/operations.md.
 *
 * Ownership: the list is loaded once at start and read-only afterwards (thread-safe).
 */
#ifndef MOCK_GUARDRAIL_H
#define MOCK_GUARDRAIL_H

#include <stddef.h>

#include "bedrock/status.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* The blocked-input / blocked-output message: the console's default for a new guardrail. */
#define MOCK_GUARDRAIL_BLOCKED_MESSAGE "Sorry, the model cannot answer this question."

struct mock_guardrail;
struct mock_reply;

/* Load `path` (NULL: the built-in list). On failure writes a reason into err. */
enum brk_status mock_guardrail_load(const char *path, struct mock_guardrail **out, char *err, size_t err_len);
void mock_guardrail_destroy(struct mock_guardrail *g);

/* The first listed word in text[0..len), or NULL. */
const char *mock_guardrail_match(const struct mock_guardrail *g, const char *text, size_t len);

/* Apply a Converse/ConverseStream request's guardrailConfig to its reply: a listed word in
 * the input (or else in the reply) replaces the answer with the blocked message, sets
 * stopReason guardrail_intervened, and adds the trace when the request asks for one. */
void mock_guardrail_converse(const struct brk_mock *mock, const struct mock_request *req, struct mock_reply *reply);

#endif
