/*
 * structured.h (mock-private): the limits of structured output (docs/validation.md,
 * "Structured output"): which models take it, a schema that is not a JSON object, and the
 * schema keywords Claude refuses under it. The field and schema come from
 * model/structured.h; the texts and their sources are in validate/structured.c.
 *
 * Thread-safety: reads the request and the read-only model only.
 */
#ifndef MOCK_VALIDATE_STRUCTURED_H
#define MOCK_VALIDATE_STRUCTURED_H

#include <stdbool.h>

#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Longest schema nesting the keyword scan follows; deeper parts are not checked. */
#define MOCK_STRUCTURED_SCAN_DEPTH 64

/* The first limit the request's structured output breaks fills `resp` with Bedrock's text
 * (false); true when none is asked for, every limit holds, or the model is unknown. */
bool mock_validate_structured(const struct mock_request *req, struct mock_response *resp);

#endif
