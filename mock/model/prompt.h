/*
 * prompt.h (mock-private): Converse and ConverseStream on a prompt-management ARN
 * (arn:aws:bedrock:REGION:ACCOUNT:prompt/ID[:VERSION]).
 *
 * The stored prompt is the text declared for the prompt's id (catalogue "resources" or
 * PUT /_mock/models, docs/models.md), each "{{name}}" replaced by promptVariables.name.text.
 * Bedrock refuses additionalModelRequestFields, inferenceConfig, system and toolConfig with a
 * prompt (bedrock-facts.md section 5; the message text is inferred). Runs on the request's
 * thread; the catalogue is read under its lock.
 */
#ifndef MOCK_MODEL_PROMPT_H
#define MOCK_MODEL_PROMPT_H

#include <stdbool.h>

#include "mock/model/catalog.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Check the request's fields against the prompt rules and put the prompt's text, variables
 * substituted, at the start of the conversation (into the first turn when it is the user's,
 * else as a user turn of its own) through mock_request_set_json. False: `resp` holds the
 * refusal. */
bool mock_prompt_apply(struct mock_catalog *catalog, struct mock_request *req, struct mock_response *resp);

#endif
