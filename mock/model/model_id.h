/*
 * model_id.h (mock-private): what kind of resource a request's modelId names, read from its
 * form alone (no catalogue): a foundation model or inference profile id, or the ARN of a
 * foundation model, an inference profile, an application inference profile, an imported,
 * custom or provisioned model, a prompt (prompt management) or a SageMaker endpoint
 * (Marketplace). The forms are the alternatives of the service model's ConversationalModelId
 * and InvokeModelIdentifier patterns (bedrock-facts.md section 5); docs/models.md lists them.
 *
 * The modelId is outside input (a percent-decoded path label): the parser only reads it,
 * never writes past it, and fills views into it. Pure and thread-safe; fuzzed by
 * fuzz/models_load.c.
 */
#ifndef MOCK_MODEL_ID_H
#define MOCK_MODEL_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/status.h"

/* How a request's modelId resolves. The kinds from MOCK_MODEL_APP_PROFILE on name a resource
 * of the caller's account: the catalogue maps each to a model (declared, or the kind's default). */
enum mock_model_kind {
    MOCK_MODEL_FOUNDATION,  /* "anthropic.claude-..." or a foundation-model ARN */
    MOCK_MODEL_PROFILE,     /* "us.anthropic.claude-..." or an inference-profile ARN */
    MOCK_MODEL_APP_PROFILE, /* an application-inference-profile ARN */
    MOCK_MODEL_IMPORTED,    /* an imported-model ARN, or its bare 12-character id */
    MOCK_MODEL_CUSTOM,      /* a custom-model or custom-model-deployment ARN */
    MOCK_MODEL_PROVISIONED, /* a provisioned-model ARN */
    MOCK_MODEL_PROMPT,      /* a prompt ARN (prompt management), with or without :VERSION */
    MOCK_MODEL_ENDPOINT,    /* a SageMaker endpoint ARN (Bedrock Marketplace) */
    MOCK_MODEL_KIND_COUNT
};

/* A view into the parsed text (not NUL-terminated). */
struct mock_span {
    const char *p;
    size_t len;
};

struct mock_model_id {
    enum mock_model_kind kind;
    bool arn;
    struct mock_span name;    /* the model or profile id, or the resource id (the ARN's last segment) */
    struct mock_span base;    /* custom-model ARN: the base model it names ("amazon.nova-micro-v1"); else empty */
    struct mock_span version; /* prompt ARN: the version after ':'; else empty */
};

/* Parse `model_id`. A text without "arn:" is a foundation model or profile id (the catalogue
 * tells which, or whether it is an imported model's bare id). BRK_ERR_INVALID_ARG: an ARN of
 * no form above (another service, resource type or partition, or an empty resource id). */
enum brk_status mock_model_id_parse(const char *model_id, struct mock_model_id *out);

/* The kind's name in ARNs and in the catalogue ("imported-model", "prompt", "endpoint", ...). */
const char *mock_model_kind_name(enum mock_model_kind kind);

/* The kind named `name` (mock_model_kind_name's inverse); false when none is. */
bool mock_model_kind_from_name(const char *name, enum mock_model_kind *out);

/* Whether `s` is an imported model's bare id: 12 characters of [a-z0-9] (the ARN pattern's id). */
bool mock_model_id_is_imported_shape(const char *s);

#endif
