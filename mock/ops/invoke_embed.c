/*
 * invoke_embed.c: the embedding models' own fields and their vectors (see invoke.h).
 *
 * A vector is a pure function of the text and the dimension: each component comes from a
 * 64-bit hash of the text (common/hash.h) stirred by brk_mix64, mapped to [-1, 1). The same
 * text always embeds the same, across runs and without --seed, as a real model does; unit
 * length when the model normalizes. Field rules: the Bedrock user guide's Titan Embeddings
 * and Cohere Embed parameter pages; the problem texts are the validator's wording
 * (invoke_map.c), inferred for these fields. Pure and thread-safe.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/hash.h"
#include "common/json.h"
#include "common/rng.h"
#include "mock/ops/invoke.h"

static bool s_dimension_ok(const struct mock_native_format *f, double d)
{
    for (size_t i = 0; f->embed.dimensions && f->embed.dimensions[i]; i++) {
        if (d == (double)f->embed.dimensions[i]) {
            return true;
        }
    }
    return false;
}

static int s_enum_problem(struct brk_buf *out, const char *key, const cJSON *v)
{
    char *text = cJSON_PrintUnformatted(v);
    brk_buf_appendf(out, "#/%s: %s is not a valid enum value", key, text ? text : "null");
    cJSON_free(text);
    return 1;
}

static bool s_in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++) {
        if (strcmp(list[i], s) == 0) {
            return true;
        }
    }
    return false;
}

int mock_embed_problems(const struct mock_native_format *f, const cJSON *body, struct brk_buf *out)
{
    int n = 0;
    const cJSON *dims = brk_json_get(body, "dimensions");
    if (dims && f->embed.dimensions && (!cJSON_IsNumber(dims) || !s_dimension_ok(f, dims->valuedouble))) {
        n += s_enum_problem(out, "dimensions", dims);
    }
    const cJSON *norm = brk_json_get(body, "normalize");
    if (norm && f->embed.normalize && !cJSON_IsBool(norm)) {
        brk_buf_appendf(out, "#/normalize: expected type: Boolean, found: %s", mock_native_type_name(norm));
        n++;
    }
    const cJSON *type = brk_json_get(body, "input_type");
    if (type && f->embed.input_type && !s_in_list(f->embed.input_type, cJSON_GetStringValue(type))) {
        n += s_enum_problem(out, "input_type", type);
    }
    const cJSON *texts = brk_json_get(body, f->req.prompt);
    int count = cJSON_IsArray(texts) ? cJSON_GetArraySize(texts) : 0;
    if (f->embed.max_texts && count > (int)f->embed.max_texts) {
        brk_buf_appendf(out, "#/%s: expected maximum item count: %u, found: %d", f->req.prompt, f->embed.max_texts,
                        count);
        n++;
    }
    return n;
}

/* One text's vector of `dim` components in [-1, 1), scaled to unit length when asked. */
static cJSON *s_vector(const char *text, unsigned dim, bool unit)
{
    double v[4096];
    uint64_t x = brk_hash64(text, strlen(text)) ^ (uint64_t)dim;
    double norm = 0;
    for (unsigned i = 0; i < dim; i++) {
        x = brk_mix64(x + i);
        v[i] = (double)(x >> 11) / (double)(1ULL << 52) - 1.0;
        norm += v[i] * v[i];
    }
    double scale = unit && norm > 0 ? 1.0 / sqrt(norm) : 1.0;
    cJSON *arr = cJSON_CreateArray();
    for (unsigned i = 0; i < dim; i++) {
        /* Six decimals, like the models' float32 output printed as JSON. */
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(round(v[i] * scale * 1e6) / 1e6));
    }
    return arr;
}

cJSON *mock_embed_vectors(const struct mock_native_format *f, const cJSON *mapped, const cJSON *body)
{
    const cJSON *dims = brk_json_get(body, "dimensions");
    unsigned dim =
        cJSON_IsNumber(dims) && s_dimension_ok(f, dims->valuedouble) ? (unsigned)dims->valuedouble : f->embed.dimension;
    if (dim > 4096) {
        dim = 4096;
    }
    bool unit = f->embed.normalize && !cJSON_IsFalse(brk_json_get(body, "normalize"));
    cJSON *out = cJSON_CreateArray();
    const cJSON *msg = cJSON_GetArrayItem(brk_json_get(mapped, "messages"), 0);
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, brk_json_get(msg, "content"))
    {
        const char *text = cJSON_GetStringValue(brk_json_get(block, "text"));
        cJSON_AddItemToArray(out, s_vector(text ? text : "", dim, unit));
    }
    return out;
}
