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

/* What a request did with its cache points, for its journal record. */
struct mock_cache_record {
    const char *outcomes[BRK_CACHEPOINT_LIST_MAX];    /* one per scanned point, parallel to plan->scan.points */
    const char *reasons[BRK_CACHEPOINT_LIST_MAX];     /* NULL: no "reason" */
    const char *rejected_by;                          /* a rejection's rule; NULL: the simulation's record */
    uint64_t read_tokens, write_tokens, input_tokens; /* the simulation's (without rejected_by) */
};

/* Add the "cache" record to the journal entry: {"points": [{"location", "prefix_tokens",
 * "ttl", "outcome"[, "reason"]} for every scanned point, {"location", "outcome": "ignored",
 * "reason": "inside_tool_result"} for every nested one], "count", then "rejected_by", or
 * "read_tokens", "write_tokens" and "input_tokens"}.
 *
 * Written straight as compact JSON text (numbers through brk_json_print, strings escaped as
 * cJSON does) and handed to the journal as one raw node, which its answer prints as it is.
 * Why not a cJSON tree: the journal keeps its entries long after the request, and a record kept
 * as a tree was some 40 small allocations per entry, interleaved with every later request's;
 * that made each later request's parse and walks about 20% slower, and building, printing and
 * freeing the tree cost more than the text (docs/benchmarks.md). Out of memory: no record. */
void mock_cache_record_journal(struct mock_response *resp, const struct mock_cache_plan *plan,
                               const struct mock_cache_record *record);

#endif
