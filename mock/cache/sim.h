/*
 * sim.h (mock-private): the prompt-cache simulation and its journal record
 * (docs/prompt-caching.md).
 *
 * The rules are a pipeline stage (mock_stage_cache_points in pipeline/stages.h, placement.c); the
 * simulation runs inside mock_converse_build_reply, so Converse and ConverseStream share it.
 * Both record, under "cache" in the journal entry, every cache point with its location,
 * cumulative prefix tokens, TTL and outcome: "read", "write", "below_minimum", "rejected",
 * "no_caching_model", "not_simulated" (the request was rejected because of another point) or
 * "ignored" (a cache point nested in toolResult content, which Bedrock does not treat as one).
 */
#ifndef MOCK_PROMPT_CACHE_H
#define MOCK_PROMPT_CACHE_H

#include <cjson/cJSON.h>

#include "mock/cache/plan.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"
#include "mock/model/reply.h"

/* Fill reply->cache and reply->input_tokens for the request's cache points: read the longest
 * cached prefix, write the rest up to the last cache point that reaches the model's minimum,
 * and record the outcome in the journal. Does nothing for a request without cache points. */
void mock_cache_simulate(struct brk_mock *mock, struct mock_request *req, struct mock_reply *reply,
                         struct mock_response *resp);

/* {"location", "prefix_tokens", "ttl", "outcome"[, "reason"]} for one cache point. */
cJSON *mock_cache_point_json(const struct brk_cachepoint *p, const char *outcome, const char *reason);

/* {"points": [... every cache point with `outcome`, the nested ones "ignored"]}. */
cJSON *mock_cache_record_new(const struct mock_cache_plan *plan, const char *outcome);

/* Hand a finished record to the journal under "cache", as one raw node holding its compact
 * JSON text (the journal prints it byte for byte as it would print the tree). Takes ownership
 * of `record`. Why: the journal keeps its entries long after the request, and a record kept
 * as a tree was some 40 small allocations per entry, interleaved with every later request's;
 * that made each later request's JSON parse and walks about 20% slower (docs/benchmarks.md).
 * When printing fails (out of memory) the tree is kept instead. */
void mock_cache_record_journal(struct mock_response *resp, cJSON *record);

#endif
