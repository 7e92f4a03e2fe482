/*
 * family.h (mock-private): which model family a catalogue model belongs to, and the token
 * profile (common/token_profile.h) its usage is counted with.
 *
 * The family is the catalogue's (fixtures/models.json, docs/models.md), so the per-family
 * conversation rules and the token counts key on one name. Pure and thread-safe.
 */
#ifndef MOCK_MODEL_FAMILY_H
#define MOCK_MODEL_FAMILY_H

#include "common/token_profile.h"
#include "mock/model/catalog.h"

/* "anthropic", "nova", "llama", ... or NULL when the model (or its id) names no known family. */
const char *mock_model_family(const struct mock_model *model);

/* The token profile of `model`; NULL model: the open-weight defaults. */
void mock_model_token_profile(const struct mock_model *model, struct brk_token_profile *out);

#endif
