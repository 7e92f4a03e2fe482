/* models_load: a model catalogue (the --models file) parsed from hostile JSON, then queried;
 * and the same bytes as a request's modelId (mock/model/model_id.c), parsed and resolved
 * against the built-in catalogue: every ARN form, resource declarations and defaults. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "mock/model/catalog.h"
#include "mock/model/model_id.h"

/* A small catalogue with a default for every kind of resource, and a custom model's base. */
static const char s_small[] =
    "{\"models\":[{\"id\":\"amazon.nova-micro-v1:0\",\"profiles\":[\"us\"]},{\"id\":\"meta.llama3-8b-instruct-v1:0\"}],"
    "\"application_profile_model\":\"amazon.nova-micro-v1:0\","
    "\"resource_models\":{\"imported-model\":\"meta.llama3-8b-instruct-v1:0\",\"custom-model\":null,"
    "\"provisioned-model\":\"amazon.nova-micro-v1:0\",\"prompt\":\"amazon.nova-micro-v1:0\","
    "\"endpoint\":\"amazon.nova-micro-v1:0\"}}";

/* The input as a modelId: a path label is at most 2048 bytes and has no NUL. */
static void s_model_id(const uint8_t *data, size_t size)
{
    char id[2049];
    size_t n = size < sizeof(id) - 1 ? size : sizeof(id) - 1;
    memcpy(id, data, n);
    id[n] = '\0';
    struct mock_model_id parsed;
    struct mock_model_ref ref;
    if (mock_model_id_parse(id, &parsed) == BRK_OK && parsed.name.p + parsed.name.len > id + strlen(id)) {
        abort(); /* a view past the text */
    }
    struct mock_catalog *cat = NULL;
    char err[256];
    if (mock_catalog_parse(s_small, sizeof(s_small) - 1, &cat, err, sizeof(err)) != BRK_OK) {
        abort();
    }
    mock_catalog_resolve(cat, id, &ref);
    if (mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, id, "amazon.nova-micro-v1:0", id) == BRK_OK) {
        mock_catalog_resolve(cat, id, &ref);
        free(mock_catalog_prompt_text(cat, ref.resource));
    }
    mock_catalog_destroy(cat);
}

FUZZ_TARGET(models_load)
{
    struct mock_catalog *cat = NULL;
    char err[256];
    if (mock_catalog_parse((const char *)data, size, &cat, err, sizeof(err)) == BRK_OK) {
        struct mock_model_ref ref;
        for (size_t i = 0; i < cat->n_models; i++) {
            mock_catalog_resolve(cat, cat->models[i].id, &ref);
            mock_model_accepts_ttl(&cat->models[i], "1h");
        }
        mock_catalog_resolve(cat, "us.anthropic.claude-3-haiku-20240307-v1:0", &ref);
        mock_catalog_resolve(cat, "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT1234:1", &ref);
    }
    mock_catalog_destroy(cat);
    s_model_id(data, size);
    return 0;
}
