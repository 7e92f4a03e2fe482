/*
 * structured.h (mock-private): where a Converse request asks for structured output, and its
 * schema. Two fields ask for it (docs/operations.md, "Converse replies"):
 *   - outputConfig.textFormat {type: json_schema, structure: {jsonSchema: {schema: "<JSON text>"}}}
 *     (the service model's field, any model);
 *   - additionalModelRequestFields.output_config.format {type: json_schema, schema: {...}}
 *     (Anthropic's own field, which the Vercel AI SDK's Output.object sends to Claude; read
 *     for Anthropic models only, as Bedrock passes it to the model).
 * When both are present, outputConfig is the one answered. The validation stage
 * (validate/structured.c) refuses what Bedrock refuses; the reply (model/reply.c) answers the
 * schema with mock_schema_example.
 *
 * Ownership: mock_structured_find fills a caller-owned struct that may own the parsed schema;
 * free with mock_structured_clean_up. Thread-safety: reads the request only.
 */
#ifndef MOCK_STRUCTURED_H
#define MOCK_STRUCTURED_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "mock/model/catalog.h"

enum mock_structured_field {
    MOCK_STRUCTURED_NONE,          /* no structured output asked for */
    MOCK_STRUCTURED_OUTPUT_CONFIG, /* outputConfig.textFormat */
    MOCK_STRUCTURED_ANTHROPIC,     /* additionalModelRequestFields.output_config.format */
};

struct mock_structured {
    enum mock_structured_field field;
    const cJSON *schema; /* the schema (in the request, or `parsed`); NULL when malformed */
    cJSON *parsed;       /* owned: outputConfig's schema string, parsed */
    bool malformed;      /* the schema is not a JSON object (or its text is not JSON) */
};

/* Which field of `request` (a Converse body) asks for structured output from `model` (may be
 * NULL: the Anthropic field is then not read), and its schema. */
void mock_structured_find(const cJSON *request, const struct mock_model *model, struct mock_structured *out);

void mock_structured_clean_up(struct mock_structured *s);

#endif
