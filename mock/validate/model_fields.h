/*
 * model_fields.h (mock-private): the rules on what a Converse request asks of the model itself
 * (docs/validation.md, "Model fields and extended thinking"): the keys of
 * additionalModelRequestFields each family accepts, Claude's extended-thinking constraints
 * (budget, maxTokens, sampling, forced tools, which models think and in which shape), Claude's
 * temperature/topP exclusivity, and the strict-tool limit. Each model's catalogue entry
 * (model/catalog.h) says which apply.
 *
 * Thread-safety: reads the request and the read-only model only.
 */
#ifndef MOCK_VALIDATE_MODEL_FIELDS_H
#define MOCK_VALIDATE_MODEL_FIELDS_H

#include <stdbool.h>

#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* The first rule the request breaks fills `resp` with Bedrock's words (false); true when every
 * rule holds or the model is unknown. `tool_config` may be NULL. */
bool mock_validate_model_fields(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp);

/* The rules of the model's own validator only (Claude's extended thinking, its temperature/topP
 * exclusivity), which InvokeModel applies to a native Anthropic body once it is mapped to a
 * Converse input (mock/ops/invoke.c): the same texts through the same code. */
bool mock_validate_model_rules(const struct mock_request *req, const cJSON *tool_config, struct mock_response *resp);

#endif
