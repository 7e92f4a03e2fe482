/*
 * catalog.h (mock-private): the model catalogue, loaded from JSON (fixtures/models.json is
 * compiled in as the default; --models replaces it).
 *
 * Ownership: brk_catalog_load returns a catalogue that owns every string in it; free with
 * mock_catalog_destroy. After loading it is read-only, so lookups are thread-safe.
 */
#ifndef MOCK_CATALOG_H
#define MOCK_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/status.h"

#define MOCK_MAX_PROFILES 8
#define MOCK_MAX_TTLS 2

struct mock_quota {
    uint64_t tokens_per_minute;   /* 0 = unlimited */
    uint64_t requests_per_minute; /* 0 = unlimited */
    uint64_t tokens_per_day;      /* 0 = unlimited */
};

struct mock_model {
    char *id;       /* foundation model id, "anthropic.claude-3-7-sonnet-20250219-v1:0" */
    char *name;     /* "Claude 3.7 Sonnet" */
    char *provider; /* "anthropic" */
    bool converse;
    bool streaming;
    bool system_prompts;
    bool vision;
    bool documents;
    bool tool_use;
    bool tool_use_streaming;
    bool reasoning;
    bool prompt_caching;
    uint64_t cache_min_tokens;
    char *cache_ttls[MOCK_MAX_TTLS]; /* accepted cache TTLs ("5m", "1h"); NULL-padded */
    size_t n_cache_ttls;
    bool cache_in_tools;
    uint64_t max_output_tokens;
    bool on_demand; /* false: only reachable through an inference profile */
    char *profiles[MOCK_MAX_PROFILES]; /* geography prefixes: "us", "eu", "apac", "global" */
    size_t n_profiles;
    bool latency_optimized;
    uint64_t output_burndown;
    struct mock_quota quota;
};

struct mock_catalog {
    struct mock_model *models;
    size_t n_models;
};

/* How a request's modelId was resolved. */
enum mock_model_kind {
    MOCK_MODEL_FOUNDATION,     /* "anthropic.claude-..." or a foundation-model ARN */
    MOCK_MODEL_PROFILE,        /* "us.anthropic.claude-..." or an inference-profile ARN */
};

struct mock_model_ref {
    const struct mock_model *model;
    enum mock_model_kind kind;
    char profile[16]; /* geography prefix when kind == MOCK_MODEL_PROFILE */
};

/* Parse a catalogue from JSON text. On failure writes a reason into err. */
enum brk_status mock_catalog_parse(const char *json, size_t len, struct mock_catalog **out, char *err,
                                   size_t err_len);

/* Load a catalogue file. */
enum brk_status mock_catalog_load_file(const char *path, struct mock_catalog **out, char *err,
                                       size_t err_len);

void mock_catalog_destroy(struct mock_catalog *catalog);

/* Resolve a request modelId (already percent-decoded): a foundation model id, an
 * inference-profile id ("us.<id>"), or the ARN of either. BRK_ERR_NOT_FOUND when the
 * catalogue has no such model or the model has no such profile. */
enum brk_status mock_catalog_resolve(const struct mock_catalog *catalog, const char *model_id,
                                     struct mock_model_ref *out);

/* Whether the model accepts the given cache TTL ("5m", "1h"). */
bool mock_model_accepts_ttl(const struct mock_model *model, const char *ttl);

#endif
