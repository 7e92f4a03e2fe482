/*
 * family.h (mock-private): the Converse rules that differ by model family (docs/validation.md,
 * "Per-family rules"). Each model's catalogue entry (model/catalog.h) says which apply: media
 * kinds, system prompts, toolResult status and company, media inside a toolResult, toolChoice
 * kinds, strict tools. The role rules (leading assistant turn, consecutive same-role turns) sit
 * with the other role rules in validate/conversation.c.
 *
 * Thread-safety: reads the request and the read-only model only.
 */
#ifndef MOCK_VALIDATE_FAMILY_H
#define MOCK_VALIDATE_FAMILY_H

#include <stdbool.h>

#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Fill resp with a ValidationException of the formatted text; returns false, so a rule can
 * `return mock_validation_fail(...)`. Shared by every conversation rule. */
bool mock_validation_fail(struct mock_response *resp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first per-family rule the request breaks fills `resp` with Bedrock's text (false);
 * true when every rule holds or the model is unknown. `tool_config` may be NULL. */
bool mock_validate_family(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp);

#endif
