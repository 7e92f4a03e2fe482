/*
 * reply.h (mock-private): the model's answer, independent of how it is sent.
 *
 * The generator fills a mock_reply deterministically from the request; Converse prints it as
 * one JSON document, ConverseStream as a sequence of events. Rules may replace the generated
 * content (scripted text, a tool call, a stop reason). Ownership: a reply owns its strings
 * and JSON; free with mock_reply_clean_up.
 */
#ifndef MOCK_REPLY_H
#define MOCK_REPLY_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

#define MOCK_MAX_REPLY_BLOCKS 8

enum mock_block_kind { MOCK_BLOCK_TEXT, MOCK_BLOCK_TOOL_USE, MOCK_BLOCK_REASONING };

struct mock_reply_block {
    enum mock_block_kind kind;
    char *text;        /* text, or reasoning text */
    char *signature;   /* reasoning signature */
    char *tool_use_id; /* tool use */
    char *tool_name;
    cJSON *tool_input; /* owned */
};

struct mock_cache_usage {
    uint64_t read_tokens;
    uint64_t write_tokens;
    uint64_t write_1h_tokens; /* part of write_tokens with ttl 1h */
    uint64_t write_5m_tokens; /* part of write_tokens with ttl 5m */
    bool involved;            /* caching took part: report the cache fields and cacheDetails */
    bool always;              /* the family reports the two cache fields even without caching
                                 * (Claude, token-accounting.md section 1) */
};

struct mock_reply {
    struct mock_reply_block blocks[MOCK_MAX_REPLY_BLOCKS];
    size_t n_blocks;
    char stop_reason[40];
    uint64_t input_tokens; /* tokens neither read from nor written to the cache */
    uint64_t output_tokens;
    struct mock_cache_usage cache;
    uint64_t latency_ms; /* metrics.latencyMs, set once the answer is built (ops/converse.c) */
    uint64_t max_tokens; /* the request's effective maxTokens */
    cJSON *trace;        /* owned; ConverseTrace ({"guardrail":...}) or NULL (guardrail.c) */
};

void mock_reply_init(struct mock_reply *reply);
void mock_reply_clean_up(struct mock_reply *reply);

/* Append a block; returns NULL when the reply is full. */
struct mock_reply_block *mock_reply_add(struct mock_reply *reply, enum mock_block_kind kind);

/* Fill `reply` with the deterministic default answer to a Converse request:
 * a toolUse block when toolChoice is any/tool (its input built from the tool's schema by
 * mock_schema_example), else JSON text satisfying the schema of structured output
 * (model/structured.h), else an echo of the last user text;
 * reasoning first when the request enables it; maxTokens and stopSequences honoured; usage
 * counted with the one estimator. */
void mock_reply_generate(const struct brk_mock *mock, const struct mock_request *req, struct mock_reply *reply);

/* The output budget of a Converse input (a Converse body, or an InvokeModel body mapped to
 * one): inferenceConfig.maxTokens when it is a number >= 1 (saturated at 2^53), else the
 * model's max_output_tokens, else 4096. The reply and the quota reservation both use it. */
uint64_t mock_reply_max_tokens(const cJSON *input, const struct mock_model *model);

/* A toolUseId, "tooluse_" + 22 characters like Bedrock's: fresh for every request (derived from
 * its request id, which comes from the seeded random source) and `salt` (the tool's name). */
void mock_reply_tool_use_id(const struct mock_request *req, const char *salt, char out[31]);

/* Recount output tokens and apply maxTokens/stopSequences after content was replaced. */
void mock_reply_finish(struct mock_reply *reply, const cJSON *request_json);

/* The TokenUsage object ({"inputTokens":..,"outputTokens":..,"totalTokens":..,cache...}). */
cJSON *mock_reply_usage_json(const struct mock_reply *reply);

/* The whole ConverseResponse document. */
cJSON *mock_reply_converse_json(const struct mock_reply *reply);

#endif
