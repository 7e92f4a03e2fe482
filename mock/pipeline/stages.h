/*
 * stages.h (mock-private): the pipeline (pipeline/dispatch.c) and every stage it runs.
 *
 * The one rule: every stage's prototype is here, whichever module defines it, so this header
 * lists the pipeline in order. A stage returns true to let the request go on, or fills `resp`
 * with Bedrock's error and returns false. It may record details for the journal with
 * mock_journal_extra_add (pipeline/response.h).
 */
#ifndef MOCK_PIPELINE_STAGES_H
#define MOCK_PIPELINE_STAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Run one request through the pipeline: route, then the stages below in order, then the
 * operation (ops/ops.h), then the journal. Fills `resp`; never fails. */
void mock_dispatch(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* Every stage has this signature (the two that live in dispatch.c, body and model, too). */
typedef bool (*mock_stage_fn)(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

#define MOCK_PIPELINE_MAX_STEPS 16

/* Time spent in each step of the pipeline, summed over the calls of mock_dispatch_timed that
 * got this struct (bench/bench_pipeline.c --stages). Steps: "route", the stages in order,
 * "operation" (with the quota settlement), "journal"; a step a request did not reach gets
 * nothing. Zero it before the first call. */
struct mock_pipeline_times {
    size_t n;                                  /* steps named so far */
    const char *name[MOCK_PIPELINE_MAX_STEPS]; /* static strings */
    uint64_t ns[MOCK_PIPELINE_MAX_STEPS];
    bool cpu_time; /* time by the thread's CPU time instead of the monotonic clock */
};

/* mock_dispatch, charging each step's time to `times` (NULL: untimed, as mock_dispatch). */
void mock_dispatch_timed(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp,
                         struct mock_pipeline_times *times);

/* auth/auth.c: who is calling (req->account) and whether they may. */
bool mock_stage_auth(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* replay/record.c: with --record, forward the request upstream, re-signed, and answer with
 * upstream's answer; the pipeline stops here (false) and the real service judges the request.
 * Without --record it passes. */
bool mock_stage_record(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate/conversation.c: the Smithy/Coral constraint layer (types, required, lengths,
 * ranges, patterns, enums, unions) over URI, header and body members; runs before the model
 * is resolved. */
bool mock_stage_schema(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate/conversation.c: the conversation rules Bedrock checks once the model is known. */
bool mock_stage_validate(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* cache/placement.c: the cache-point rules (count, placement, TTLs, models without caching). */
bool mock_stage_cache_points(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* validate/conversation.c: the rule Bedrock checks after the cache points: a document needs a
 * text block in the same message. */
bool mock_stage_validate_documents(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* rules/rules.c: the first matching rule's fault or error ends the request here; a scripted
 * reply is kept for the operation. */
bool mock_stage_rules(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

/* rules/quota.c: reserve the request's tokens against its account+model quota, or throttle. */
bool mock_stage_quota(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

#endif
