/*
 * catalog_json.c: the catalogue as GET /_mock/models shows it (docs/admin-api.md): every model
 * with its family, profiles and every capability the catalogue holds, and the application
 * inference profiles. Reads the catalogue; takes its app-profile lock for the profile table.
 */
#include <stdio.h>

#include "mock/model/catalog.h"

#include <cjson/cJSON.h>

static void s_add_mask(cJSON *o, const char *name, unsigned mask, const char *const *names, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(o, name);
    for (size_t i = 0; i < n; i++) {
        if (mask & (1u << i)) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
        }
    }
}

static void s_add_profiles(cJSON *o, const struct mock_model *m)
{
    cJSON *geos = cJSON_AddArrayToObject(o, "profiles");
    cJSON *ids = cJSON_AddArrayToObject(o, "inference_profiles");
    for (size_t i = 0; i < m->n_profiles; i++) {
        char id[512];
        snprintf(id, sizeof(id), "%s.%s", m->profiles[i], m->id);
        cJSON_AddItemToArray(geos, cJSON_CreateString(m->profiles[i]));
        cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    }
}

static void s_add_caching(cJSON *o, const struct mock_model *m)
{
    static const char *const fields[] = {"system", "messages", "tools"};
    cJSON_AddBoolToObject(o, "prompt_caching", m->prompt_caching);
    cJSON_AddNumberToObject(o, "cache_min_tokens", (double)m->cache_min_tokens);
    cJSON *ttls = cJSON_AddArrayToObject(o, "cache_ttls");
    for (size_t i = 0; i < m->n_cache_ttls; i++) {
        cJSON_AddItemToArray(ttls, cJSON_CreateString(m->cache_ttls[i]));
    }
    cJSON_AddBoolToObject(o, "cache_in_tools", m->cache_in_tools);
    s_add_mask(o, "cache_fields", m->cache_fields, fields, 3);
}

static void s_add_rules(cJSON *o, const struct mock_model *m)
{
    static const char *const media[] = {"image", "document", "video"};
    static const char *const choices[] = {"auto", "any", "tool"};
    cJSON_AddBoolToObject(o, "leading_assistant", m->leading_assistant);
    cJSON_AddStringToObject(o, "same_role_turns", m->same_role_merge ? "merge" : "refuse");
    cJSON_AddBoolToObject(o, "tool_result_status", m->tool_result_status);
    cJSON_AddBoolToObject(o, "tool_result_alone", m->tool_result_alone);
    s_add_mask(o, "tool_result_media", m->tool_result_media, media, 3);
    s_add_mask(o, "tool_choice", m->tool_choice, choices, 3);
    cJSON_AddNumberToObject(o, "max_strict_tools", (double)m->max_strict_tools);
    cJSON_AddBoolToObject(o, "sampling_exclusive", m->sampling_exclusive);
    const char *refusal = mock_field_refusal_name(m->request_field_refusal);
    cJSON_AddItemToObject(o, "request_field_refusal", refusal ? cJSON_CreateString(refusal) : cJSON_CreateNull());
    cJSON *keys = cJSON_AddArrayToObject(o, "request_fields");
    for (size_t i = 0; i < m->n_request_fields; i++) {
        cJSON_AddItemToArray(keys, cJSON_CreateString(m->request_fields[i]));
    }
}

cJSON *mock_model_to_json(const struct mock_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "name", m->name ? m->name : "");
    cJSON_AddStringToObject(o, "provider", m->provider ? m->provider : "");
    cJSON_AddStringToObject(o, "family", m->family);
    cJSON_AddBoolToObject(o, "converse", m->converse);
    cJSON_AddBoolToObject(o, "streaming", m->streaming);
    cJSON_AddBoolToObject(o, "on_demand", m->on_demand);
    s_add_profiles(o, m);
    cJSON_AddBoolToObject(o, "system_prompts", m->system_prompts);
    cJSON_AddBoolToObject(o, "vision", m->vision);
    cJSON_AddBoolToObject(o, "documents", m->documents);
    cJSON_AddBoolToObject(o, "video", m->video);
    cJSON_AddBoolToObject(o, "s3_images", m->s3_images);
    cJSON_AddBoolToObject(o, "tool_use", m->tool_use);
    cJSON_AddBoolToObject(o, "tool_use_streaming", m->tool_use_streaming);
    cJSON_AddBoolToObject(o, "strict_tools", m->strict_tools);
    cJSON_AddBoolToObject(o, "reasoning", m->reasoning);
    cJSON_AddStringToObject(o, "reasoning_shape", m->reasoning_shape);
    cJSON_AddBoolToObject(o, "count_tokens", m->count_tokens);
    s_add_caching(o, m);
    s_add_rules(o, m);
    cJSON_AddNumberToObject(o, "max_output_tokens", (double)m->max_output_tokens);
    cJSON_AddBoolToObject(o, "latency_optimized", m->latency_optimized);
    cJSON_AddNumberToObject(o, "output_burndown", (double)m->output_burndown);
    return o;
}

/* The declarations of one kind and its default: {"default_model", "declared": [{"id", "model"[, "prompt"]}]}. */
static cJSON *s_resources_json(struct mock_catalog *catalog, enum mock_model_kind kind)
{
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&catalog->lock);
    const struct mock_model *dflt = catalog->defaults[kind];
    cJSON_AddStringToObject(o, "default_model", dflt ? dflt->id : "");
    cJSON *list = cJSON_AddArrayToObject(o, "declared");
    for (size_t i = 0; i < catalog->n_resources; i++) {
        const struct mock_resource *r = &catalog->resources[i];
        if (r->kind != kind) {
            continue;
        }
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "id", r->id);
        cJSON_AddStringToObject(p, "model", r->model->id);
        if (r->prompt) {
            cJSON_AddStringToObject(p, "prompt", r->prompt);
        }
        cJSON_AddItemToArray(list, p);
    }
    pthread_mutex_unlock(&catalog->lock);
    return o;
}

cJSON *mock_catalog_to_json(struct mock_catalog *catalog)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)catalog->n_models);
    cJSON *list = cJSON_AddArrayToObject(o, "models");
    for (size_t i = 0; i < catalog->n_models; i++) {
        cJSON_AddItemToArray(list, mock_model_to_json(&catalog->models[i]));
    }
    cJSON_AddItemToObject(o, "application_profiles", s_resources_json(catalog, MOCK_MODEL_APP_PROFILE));
    cJSON *resources = cJSON_AddObjectToObject(o, "resources");
    for (int k = MOCK_MODEL_IMPORTED; k < MOCK_MODEL_KIND_COUNT; k++) {
        cJSON_AddItemToObject(resources, mock_model_kind_name((enum mock_model_kind)k),
                              s_resources_json(catalog, (enum mock_model_kind)k));
    }
    return o;
}
