/*
 * catalog.h (mock-private): the model catalogue, loaded from JSON (fixtures/models.json is
 * compiled in as the default; --models replaces it). Each model carries its family and every
 * capability docs/models.md lists; a field a model does not set comes from its family's entry
 * in "families", then from "defaults".
 *
 * Ownership: mock_catalog_parse returns a catalogue that owns every string in it; free with
 * mock_catalog_destroy. After loading the models are read-only, so lookups are thread-safe;
 * the resources (application inference profiles, imported, custom and provisioned models,
 * prompts, Marketplace endpoints: declared in the file, by PUT /_mock/models, or resolved to
 * their kind's default model) are guarded by the catalogue's own mutex.
 */
#ifndef MOCK_CATALOG_H
#define MOCK_CATALOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/status.h"
#include "mock/model/model_id.h"

#define MOCK_MAX_PROFILES 8
#define MOCK_MAX_TTLS 2
#define MOCK_MAX_RESOURCES 256
#define MOCK_APP_PROFILE_ID_MAX 64
#define MOCK_MAX_REQUEST_FIELDS 16

/* Bit sets of the catalogue's list fields. */
enum mock_media {
    MOCK_MEDIA_IMAGE = 1u << 0,
    MOCK_MEDIA_DOCUMENT = 1u << 1,
    MOCK_MEDIA_VIDEO = 1u << 2,
};
enum mock_tool_choice {
    MOCK_CHOICE_AUTO = 1u << 0,
    MOCK_CHOICE_ANY = 1u << 1,
    MOCK_CHOICE_TOOL = 1u << 2,
};
/* How a family refuses an additionalModelRequestFields key it does not know
 * (validate/model_fields.c has the texts). */
enum mock_field_refusal {
    MOCK_FIELDS_UNCHECKED,         /* no source records the family's keys: nothing is refused */
    MOCK_FIELDS_MODEL_EXTRA,       /* the model's validator: "<key>: Extra inputs are not permitted" */
    MOCK_FIELDS_SCHEMA_EXTRANEOUS, /* Bedrock's schema: "#: extraneous key [<key>] is not permitted" */
};
enum mock_cache_field {
    MOCK_CACHE_SYSTEM = 1u << 0,
    MOCK_CACHE_MESSAGES = 1u << 1,
    MOCK_CACHE_TOOLS = 1u << 2,
};

struct mock_quota {
    uint64_t tokens_per_minute;   /* 0 = unlimited */
    uint64_t requests_per_minute; /* 0 = unlimited */
    uint64_t tokens_per_day;      /* 0 = unlimited */
};

struct mock_model {
    char *id;       /* foundation model id, "anthropic.claude-3-7-sonnet-20250219-v1:0" */
    char *name;     /* "Claude 3.7 Sonnet" */
    char *provider; /* "anthropic" */
    char *family;   /* "anthropic", "nova", "llama", ... (docs/models.md lists them); never NULL */
    bool converse;
    bool streaming;
    bool system_prompts;
    bool vision;
    bool documents;
    bool video;
    bool s3_images; /* false: an image from s3Location is refused (Claude) */
    bool tool_use;
    bool tool_use_streaming;
    bool reasoning;
    char *reasoning_shape;     /* additionalModelRequestFields form: "thinking_budget", ...; never NULL */
    bool strict_tools;         /* toolSpec.strict / native structured output */
    bool count_tokens;         /* CountTokens answers for the base id */
    uint64_t max_strict_tools; /* strict tools per request; 0 = no recorded limit */
    bool sampling_exclusive;   /* temperature and topP may not both be set */
    /* additionalModelRequestFields: the top-level keys the family accepts, and how it refuses
     * the others. */
    char *request_fields[MOCK_MAX_REQUEST_FIELDS];
    size_t n_request_fields;
    enum mock_field_refusal request_field_refusal;
    /* Conversation rules that differ by family (docs/validation.md, "Per-family rules"). */
    bool leading_assistant;     /* a conversation may start with an assistant turn */
    bool same_role_merge;       /* consecutive same-role turns are merged, not refused */
    bool tool_result_status;    /* toolResult.status is accepted */
    bool tool_result_alone;     /* a toolResult may share its user turn with no other block */
    unsigned tool_result_media; /* enum mock_media kinds allowed inside toolResult.content */
    unsigned tool_choice;       /* enum mock_tool_choice kinds accepted */
    unsigned cache_fields;      /* enum mock_cache_field: where cache points are honoured */
    bool prompt_caching;
    uint64_t cache_min_tokens;
    char *cache_ttls[MOCK_MAX_TTLS]; /* accepted cache TTLs ("5m", "1h"); NULL-padded */
    size_t n_cache_ttls;
    bool cache_in_tools;
    uint64_t max_output_tokens;
    bool on_demand;                    /* false: only reachable through an inference profile */
    char *profiles[MOCK_MAX_PROFILES]; /* geography prefixes: "us", "eu", "apac", "global" */
    size_t n_profiles;
    bool latency_optimized;
    uint64_t output_burndown;
    struct mock_quota quota;
};

/* A resource of the caller's account (an application inference profile, an imported, custom
 * or provisioned model, a prompt, a Marketplace endpoint) declared in the catalogue or by
 * PUT /_mock/models, and the model it answers as. */
struct mock_resource {
    enum mock_model_kind kind;
    char id[MOCK_APP_PROFILE_ID_MAX]; /* the ARN's last segment, "mi1dadi0g15f" (a prompt: without :VERSION) */
    const struct mock_model *model;
    char *prompt; /* owned; a prompt's text, "{{name}}" for each variable; NULL for other kinds */
};

struct mock_catalog {
    struct mock_model *models;
    size_t n_models;
    /* Resources: any id of a kind resolves, to its declared model or to the kind's default
     * (defaults[MOCK_MODEL_APP_PROFILE] is --application-profile-model); a NULL default refuses
     * undeclared ones. Guarded by `lock`. */
    pthread_mutex_t lock;
    struct mock_resource resources[MOCK_MAX_RESOURCES];
    size_t n_resources;
    const struct mock_model *defaults[MOCK_MODEL_KIND_COUNT];
};

struct mock_model_ref {
    const struct mock_model *model;
    enum mock_model_kind kind;
    char profile[16];                       /* geography prefix when kind == MOCK_MODEL_PROFILE */
    char resource[MOCK_APP_PROFILE_ID_MAX]; /* the resource id of the kinds from MOCK_MODEL_APP_PROFILE on */
    bool missing; /* not found: a resource of a kind without declaration or default (404), not a bad id */
};

/* Parse a catalogue from JSON text. On failure writes a reason into err. */
enum brk_status mock_catalog_parse(const char *json, size_t len, struct mock_catalog **out, char *err, size_t err_len);

/* Parse the built-in catalogue (fixtures/models.json, compiled in). */
enum brk_status mock_catalog_load_default(struct mock_catalog **out, char *err, size_t err_len);

/* Load a catalogue file. */
enum brk_status mock_catalog_load_file(const char *path, struct mock_catalog **out, char *err, size_t err_len);

void mock_catalog_destroy(struct mock_catalog *catalog);

/* Resolve a request modelId (already percent-decoded): a foundation model id, an
 * inference-profile id ("us.<id>"), the ARN of either, or a resource (model_id.h's kinds,
 * and an imported model's bare id). BRK_ERR_NOT_FOUND when the catalogue has no such model,
 * the model has no such profile, or the resource resolves to no model (then out->missing). */
enum brk_status mock_catalog_resolve(const struct mock_catalog *catalog, const char *model_id,
                                     struct mock_model_ref *out);

/* The model of a foundation-model id, or NULL. */
const struct mock_model *mock_catalog_find(const struct mock_catalog *catalog, const char *id);

/* Declare (or redeclare) resource `id` as answering as foundation model `model_id`, with a
 * prompt's text (`prompt`, may be NULL; copied). `id` is the resource's ARN (its kind is the
 * ARN's), or a bare id of `kind` (an imported model's id, an application profile's id).
 * BRK_ERR_NOT_FOUND: no such model; BRK_ERR_INVALID_ARG: bad id, or the ARN of a foundation
 * model or inference profile; BRK_ERR_TOO_LARGE: MOCK_MAX_RESOURCES already declared.
 * Thread-safe. */
enum brk_status mock_catalog_declare(struct mock_catalog *catalog, enum mock_model_kind kind, const char *id,
                                     const char *model_id, const char *prompt);

/* mock_catalog_declare for an application profile (an ARN or its id). */
enum brk_status mock_catalog_declare_app_profile(struct mock_catalog *catalog, const char *id, const char *model_id);

/* The model undeclared resources of `kind` resolve to; NULL model_id refuses them.
 * BRK_ERR_NOT_FOUND: no such model. Thread-safe. */
enum brk_status mock_catalog_set_default(struct mock_catalog *catalog, enum mock_model_kind kind, const char *model_id);

/* mock_catalog_set_default for application profiles. */
enum brk_status mock_catalog_set_app_default(struct mock_catalog *catalog, const char *model_id);

/* A copy of the text of prompt `id` (caller frees), or NULL when none was declared. */
char *mock_catalog_prompt_text(struct mock_catalog *catalog, const char *id);

/* Apply "resource_models": {"<kind name>": "<model id>" | null, ...}, each kind's default
 * (names: mock_model_kind_name, from "application-inference-profile" on); returns the first
 * member it refused (no such kind or model), NULL when all were applied. Thread-safe. */
struct cJSON;
const char *mock_catalog_set_resource_models(struct mock_catalog *catalog, const struct cJSON *resource_models);

/* catalog_json.c: one model, and the whole catalogue with its application profiles, as
 * GET /_mock/models shows them (docs/admin-api.md). The caller owns the result. */
struct cJSON *mock_model_to_json(const struct mock_model *model);
struct cJSON *mock_catalog_to_json(struct mock_catalog *catalog);

/* The catalogue's name of a refusal style ("model_extra", "schema_extraneous"); NULL for
 * MOCK_FIELDS_UNCHECKED. */
const char *mock_field_refusal_name(enum mock_field_refusal refusal);

/* Whether the model accepts the given cache TTL ("5m", "1h"). */
bool mock_model_accepts_ttl(const struct mock_model *model, const char *ttl);

#endif
