/*
 * quota.h (mock-private): Bedrock's per-model quotas as token buckets on the mock clock
 * (docs/rules.md#quotas; facts in ../shared/spec/bedrock-facts.md §12).
 *
 * Buckets are kept per account and foundation model: tokens per minute (TPM), and optionally
 * requests per minute (RPM) and tokens per day (TPD). A Converse/ConverseStream request
 * reserves its input tokens plus maxTokens (or the model's max_output_tokens) when it starts;
 * when it ends the reservation is replaced by what it really used: input tokens + cache
 * writes + output tokens x the model's output_burndown. Buckets refill continuously
 * (capacity per window), so a virtual clock moved by POST /_mock/clock refills them.
 *
 * Limits come from the catalogue's "quota" object, overridden per model (or glob, "*") by
 * --quota flags and PUT /_mock/quotas. Thread-safety: one mutex guards limits and buckets.
 */
#ifndef MOCK_QUOTA_H
#define MOCK_QUOTA_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/status.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

struct mock_quotas;

/* Thrown with 429 ThrottlingException; texts seen from real Bedrock (docs/rules.md). */
#define MOCK_QUOTA_MSG_TOKENS "Too many tokens, please wait before trying again."
#define MOCK_QUOTA_MSG_REQUESTS "Too many requests, please wait before trying again."
#define MOCK_QUOTA_MSG_TOKENS_DAY "Too many tokens per day, please wait before trying again."

struct mock_quotas *mock_quotas_new(void);
void mock_quotas_destroy(struct mock_quotas *quotas);

/* Set limit overrides from JSON: {"model": ID-or-glob (default "*"), "tokens_per_minute": N,
 * "requests_per_minute": N, "tokens_per_day": N, "retry_after": bool}, an array of them, or
 * {"quotas": [...]}. An override replaces the model's limits (omitted = 0 = unlimited) and
 * refills every bucket. All or nothing; BRK_ERR_PARSE with a reason in err. `startup`
 * overrides come back after mock_quotas_reset. */
enum brk_status mock_quotas_set_json(struct mock_quotas *quotas, const cJSON *json, bool startup, char *err,
                                     size_t err_len);

/* Set one override from a --quota spec: "tpm=N,rpm=N,tpd=N,model=ID,retry-after" (any order,
 * every part optional). */
enum brk_status mock_quotas_set_spec(struct mock_quotas *quotas, const char *spec, char *err, size_t err_len);

/* Forget buckets and runtime overrides: back to the catalogue plus --quota flags. */
void mock_quotas_reset(struct mock_quotas *quotas);

/* {"quotas": [effective limits of every model that has one], "overrides": [...],
 *  "buckets": [{"account", "model", "tokens_per_minute_available", ...}]} at `now_ms`. */
cJSON *mock_quotas_to_json(struct mock_quotas *quotas, const struct mock_catalog *catalog, int64_t now_ms);

/* The pipeline stage mock_stage_quota (pipeline/stages.h) reserves (req->quota), or answers
 * 429 ThrottlingException. */

/* After the operation (called by dispatch): replace req->quota's reservation by what the
 * answer used, resp->usage (input + cache writes + output x the model's output_burndown), or
 * refund it when no reply was built or the answer is an error. Records {"reserved", "used"}
 * in the journal. No-op for a request that reserved nothing. */
void mock_quota_settle(struct brk_mock *mock, const struct mock_request *req, struct mock_response *resp);

#endif
