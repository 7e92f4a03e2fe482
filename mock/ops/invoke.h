/*
 * invoke.h (mock-private): InvokeModel and InvokeModelWithResponseStream with the models'
 * native bodies (Anthropic Messages, Amazon Nova, Meta Llama, Amazon Titan Text).
 *
 * A native body is validated with the texts Bedrock uses, then mapped to the equivalent
 * Converse input (Anthropic cache_control becomes a cachePoint block after the marked block),
 * so the reply, usage, prompt caching and CountTokens all come from the same code as
 * Converse. The reply is printed back in the model's native response shape. Facts and
 * sources: docs/operations.md.
 */
#ifndef MOCK_INVOKE_H
#define MOCK_INVOKE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

enum mock_native { MOCK_NATIVE_ANTHROPIC, MOCK_NATIVE_NOVA, MOCK_NATIVE_LLAMA, MOCK_NATIVE_TITAN, MOCK_NATIVE_NONE };

/* Which native body format a model speaks (MOCK_NATIVE_NONE: not simulated). */
enum mock_native mock_native_kind(const struct mock_model *model);

/* Parse and validate a native body for `model`, and map it to a Converse input (caller
 * frees). On a Bedrock error fills `resp` and returns NULL. */
cJSON *mock_invoke_map(const struct mock_model *model, const char *body, size_t len, struct mock_response *resp);

#endif
