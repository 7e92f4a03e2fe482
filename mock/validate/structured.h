/*
 * structured.h (mock-private): the limits of structured output (docs/validation.md,
 * "Structured output"): which models take it, a schema that is not a JSON object, and the
 * schema keywords Claude refuses under it; and the open object schemas Claude refuses in a
 * strict tool's input schema. The field and schema come from
 * model/structured.h; the texts and their sources are in validate/structured.c.
 *
 * Thread-safety: reads the request and the read-only model only.
 */
#ifndef MOCK_VALIDATE_STRUCTURED_H
#define MOCK_VALIDATE_STRUCTURED_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Longest schema nesting the keyword scan follows; deeper parts are not checked. */
#define MOCK_STRUCTURED_SCAN_DEPTH 64

/* The first limit the request's structured output breaks fills `resp` with Bedrock's text
 * (false); true when none is asked for, every limit holds, or the model is unknown. */
bool mock_validate_structured(const struct mock_request *req, struct mock_response *resp);

/* Claude's rules for a strict tool's input schema: every object schema in it, at any depth,
 * says "additionalProperties": false, and no schema uses a keyword structured output refuses.
 * Otherwise fills `resp` with Claude's text naming the tool's index `tool` in Claude's tools
 * list (false). */
bool mock_validate_strict_schema(const cJSON *schema, int tool, struct mock_response *resp);

#endif
