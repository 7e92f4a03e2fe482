/* catalog.c: load and query the model catalogue (see catalog.h). */
#include "common/json.h"
#include "mock/model/catalog.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"

#define S_MAX_CATALOG_BYTES (16u * 1024u * 1024u)

static char *s_strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A field of the model, or of the defaults object when the model does not set it. */
static const cJSON *s_field(const cJSON *model, const cJSON *defaults, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, name);
    return v ? v : cJSON_GetObjectItemCaseSensitive(defaults, name);
}

static bool s_bool(const cJSON *model, const cJSON *defaults, const char *name)
{
    return cJSON_IsTrue(s_field(model, defaults, name));
}

static uint64_t s_u64(const cJSON *obj, const char *name)
{
    return brk_json_count(cJSON_GetObjectItemCaseSensitive(obj, name), 0);
}

static size_t s_strings(const cJSON *arr, char **out, size_t max)
{
    size_t n = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, arr)
    {
        if (n < max && cJSON_IsString(item)) {
            out[n++] = strdup(item->valuestring);
        }
    }
    return n;
}

static void s_model_free(struct mock_model *m)
{
    free(m->id);
    free(m->name);
    free(m->provider);
    for (size_t i = 0; i < m->n_cache_ttls; i++) {
        free(m->cache_ttls[i]);
    }
    for (size_t i = 0; i < m->n_profiles; i++) {
        free(m->profiles[i]);
    }
}

static enum brk_status s_parse_model(const cJSON *j, const cJSON *defaults, struct mock_model *m,
                                     char *err, size_t err_len)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        snprintf(err, err_len, "every model needs a non-empty string \"id\"");
        return BRK_ERR_PARSE;
    }
    m->id = strdup(id->valuestring);
    m->name = s_strdup_or_null(cJSON_GetStringValue(s_field(j, defaults, "name")));
    m->provider = s_strdup_or_null(cJSON_GetStringValue(s_field(j, defaults, "provider")));
    m->converse = s_bool(j, defaults, "converse");
    m->streaming = s_bool(j, defaults, "streaming");
    m->system_prompts = s_bool(j, defaults, "system_prompts");
    m->vision = s_bool(j, defaults, "vision");
    m->documents = s_bool(j, defaults, "documents");
    m->tool_use = s_bool(j, defaults, "tool_use");
    m->tool_use_streaming = s_bool(j, defaults, "tool_use_streaming");
    m->reasoning = s_bool(j, defaults, "reasoning");
    m->prompt_caching = s_bool(j, defaults, "prompt_caching");
    m->cache_in_tools = s_bool(j, defaults, "cache_in_tools");
    m->on_demand = s_bool(j, defaults, "on_demand");
    m->latency_optimized = s_bool(j, defaults, "latency_optimized");
    m->cache_min_tokens = brk_json_count(s_field(j, defaults, "cache_min_tokens"), 0);
    m->max_output_tokens = brk_json_count(s_field(j, defaults, "max_output_tokens"), 0);
    m->output_burndown = brk_json_count(s_field(j, defaults, "output_burndown"), 1);
    m->n_cache_ttls = s_strings(s_field(j, defaults, "cache_ttls"), m->cache_ttls, MOCK_MAX_TTLS);
    m->n_profiles = s_strings(s_field(j, defaults, "profiles"), m->profiles, MOCK_MAX_PROFILES);
    const cJSON *quota = s_field(j, defaults, "quota");
    m->quota.tokens_per_minute = s_u64(quota, "tokens_per_minute");
    m->quota.requests_per_minute = s_u64(quota, "requests_per_minute");
    m->quota.tokens_per_day = s_u64(quota, "tokens_per_day");
    return BRK_OK;
}

enum brk_status mock_catalog_parse(const char *json, size_t len, struct mock_catalog **out, char *err,
                                   size_t err_len)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        snprintf(err, err_len, "model catalogue is not valid JSON");
        return BRK_ERR_PARSE;
    }
    enum brk_status rc = BRK_ERR_PARSE;
    struct mock_catalog *cat = calloc(1, sizeof(*cat));
    const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!cJSON_IsArray(models) || cJSON_GetArraySize(models) == 0) {
        snprintf(err, err_len, "model catalogue needs a non-empty \"models\" array");
        goto out;
    }
    cat->models = calloc((size_t)cJSON_GetArraySize(models), sizeof(*cat->models));
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, models)
    {
        rc = s_parse_model(item, defaults, &cat->models[cat->n_models], err, err_len);
        if (rc != BRK_OK) {
            goto out;
        }
        cat->n_models++;
    }
    rc = BRK_OK;
out:
    cJSON_Delete(root);
    if (rc != BRK_OK) {
        mock_catalog_destroy(cat);
    } else {
        *out = cat;
    }
    return rc;
}

enum brk_status mock_catalog_load_file(const char *path, struct mock_catalog **out, char *err,
                                       size_t err_len)
{
    struct brk_buf data;
    brk_buf_init(&data, S_MAX_CATALOG_BYTES);
    enum brk_status rc = brk_buf_read_file(&data, path);
    if (rc == BRK_ERR_IO) {
        snprintf(err, err_len, "cannot open model catalogue %s", path);
    } else if (rc != BRK_ERR_NOMEM) {
        /* A larger file is parsed up to the cap, where it fails as cut-off JSON. */
        rc = mock_catalog_parse(data.data ? data.data : "", data.len, out, err, err_len);
    }
    brk_buf_clean_up(&data);
    return rc;
}

void mock_catalog_destroy(struct mock_catalog *catalog)
{
    if (!catalog) {
        return;
    }
    for (size_t i = 0; i < catalog->n_models; i++) {
        s_model_free(&catalog->models[i]);
    }
    free(catalog->models);
    free(catalog);
}

static const struct mock_model *s_find(const struct mock_catalog *catalog, const char *id)
{
    for (size_t i = 0; i < catalog->n_models; i++) {
        if (strcmp(catalog->models[i].id, id) == 0) {
            return &catalog->models[i];
        }
    }
    return NULL;
}

static bool s_has_profile(const struct mock_model *m, const char *geo, size_t geo_len)
{
    for (size_t i = 0; i < m->n_profiles; i++) {
        if (strlen(m->profiles[i]) == geo_len && strncmp(m->profiles[i], geo, geo_len) == 0) {
            return true;
        }
    }
    return false;
}

/* Strip "arn:aws[-x]:bedrock:<region>:<account>:<resource>/" and report the resource type. */
static const char *s_strip_arn(const char *id, char *resource, size_t resource_len)
{
    if (strncmp(id, "arn:aws", 7) != 0) {
        return id;
    }
    const char *p = id;
    for (int colons = 0; colons < 5; colons++) {
        p = strchr(p, ':');
        if (!p) {
            return NULL;
        }
        p++;
    }
    const char *slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) >= resource_len) {
        return NULL;
    }
    memcpy(resource, p, (size_t)(slash - p));
    resource[slash - p] = '\0';
    return slash + 1;
}

enum brk_status mock_catalog_resolve(const struct mock_catalog *catalog, const char *model_id,
                                     struct mock_model_ref *out)
{
    memset(out, 0, sizeof(*out));
    char resource[64] = "";
    const char *id = s_strip_arn(model_id, resource, sizeof(resource));
    if (!id || (resource[0] && strcmp(resource, "foundation-model") != 0 &&
                strcmp(resource, "inference-profile") != 0)) {
        return BRK_ERR_NOT_FOUND;
    }
    const struct mock_model *m = s_find(catalog, id);
    if (m) {
        out->model = m;
        out->kind = MOCK_MODEL_FOUNDATION;
        return strcmp(resource, "inference-profile") == 0 ? BRK_ERR_NOT_FOUND : BRK_OK;
    }
    const char *dot = strchr(id, '.');
    if (!dot || strcmp(resource, "foundation-model") == 0) {
        return BRK_ERR_NOT_FOUND;
    }
    m = s_find(catalog, dot + 1);
    size_t geo_len = (size_t)(dot - id);
    if (!m || geo_len >= sizeof(out->profile) || !s_has_profile(m, id, geo_len)) {
        return BRK_ERR_NOT_FOUND;
    }
    out->model = m;
    out->kind = MOCK_MODEL_PROFILE;
    memcpy(out->profile, id, geo_len);
    out->profile[geo_len] = '\0';
    return BRK_OK;
}

bool mock_model_accepts_ttl(const struct mock_model *model, const char *ttl)
{
    for (size_t i = 0; i < model->n_cache_ttls; i++) {
        if (strcmp(model->cache_ttls[i], ttl) == 0) {
            return true;
        }
    }
    return false;
}
