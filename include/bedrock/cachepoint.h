/*
 * cachepoint.h: facts about Converse cache points shared by the mock (which enforces and
 * simulates them) and the client (which places and trims them).
 *
 * A cache point is a standalone block {"cachePoint":{"type":"default"[,"ttl":"5m"|"1h"]}}
 * in `system`, `toolConfig.tools` or a message's `content`; Bedrock accepts at most
 * BRK_CACHEPOINT_MAX of them per request, counted across all three (docs/prompt-caching.md).
 * Pure functions; thread-safe.
 */
#ifndef BEDROCK_CACHEPOINT_H
#define BEDROCK_CACHEPOINT_H

#include <cjson/cJSON.h>

#define BRK_CACHEPOINT_MAX 4

struct brk_cachepoint_counts {
    unsigned system;
    unsigned tools;
    unsigned messages;
    unsigned total;
};

/* Count the cachePoint blocks of a Converse request body (NULL or non-object counts zero).
 * Only blocks at the positions Bedrock reads are counted; one nested in a toolResult is
 * not a cache point. */
void brk_cachepoint_count(const cJSON *request, struct brk_cachepoint_counts *out);

#endif
