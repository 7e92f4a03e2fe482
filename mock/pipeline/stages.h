/*
 * stages.h (mock-private): the pipeline stages that live in their own modules.
 *
 * Each returns true to let the request go on, or fills `resp` with Bedrock's error and
 * returns false. They may record details for the journal with mock_journal_extra_add.
 */
#ifndef MOCK_STAGES_H
#define MOCK_STAGES_H

#include <stdbool.h>

#include "mock/mock_priv.h"

/* auth.c: who is calling (req->account) and whether they may. */
bool mock_stage_auth(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate.c: the Smithy/Coral constraint layer (types, required, lengths, ranges, patterns,
 * enums, unions) over URI, header and body members; runs before the model is resolved. */
bool mock_stage_schema(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate.c: reject what Bedrock rejects, with Bedrock's words. */
bool mock_stage_validate(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate.c: the rule Bedrock checks after the cache points: a document needs a text block
 * in the same message. */
bool mock_stage_validate_documents(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* cache_rules.c: the cache-point rules (count, placement, TTLs, models without caching). */
bool mock_stage_cache_points(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

#endif
