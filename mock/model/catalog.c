/* catalog.c: load and query the model catalogue (see catalog.h). */
#include "common/json.h"
#include "mock/model/catalog.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"

#define S_MAX_CATALOG_BYTES (16u * 1024u * 1024u)

static char *s_strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Where a model's fields come from: the model, then its family's entry, then the defaults. */
struct s_layers {
    const cJSON *family;
    const cJSON *defaults;
};

static const cJSON *s_field(const cJSON *model, const struct s_layers *l, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, name);
    v = v ? v : cJSON_GetObjectItemCaseSensitive(l->family, name);
    return v ? v : cJSON_GetObjectItemCaseSensitive(l->defaults, name);
}

static bool s_bool(const cJSON *model, const struct s_layers *l, const char *name)
{
    return cJSON_IsTrue(s_field(model, l, name));
}

/* A list of names as a bit set: bit i for names[i]; unknown names are ignored. */
static unsigned s_mask(const cJSON *arr, const char *const *names, size_t n_names)
{
    unsigned mask = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, arr)
    {
        for (size_t i = 0; i < n_names && cJSON_IsString(item); i++) {
            mask |= strcmp(item->valuestring, names[i]) == 0 ? 1u << i : 0u;
        }
    }
    return mask;
}

static const char *const s_media_names[] = {"image", "document", "video"};
static const char *const s_choice_names[] = {"auto", "any", "tool"};
static const char *const s_cache_names[] = {"system", "messages", "tools"};
/* "request_field_refusal" values, in enum mock_field_refusal order after UNCHECKED. */
static const char *const s_refusal_names[] = {"model_extra", "schema_extraneous"};

const char *mock_field_refusal_name(enum mock_field_refusal refusal)
{
    return refusal == MOCK_FIELDS_UNCHECKED ? NULL : s_refusal_names[refusal - MOCK_FIELDS_MODEL_EXTRA];
}

static enum mock_field_refusal s_refusal(const cJSON *v)
{
    for (size_t i = 0; i < 2 && cJSON_IsString(v); i++) {
        if (strcmp(v->valuestring, s_refusal_names[i]) == 0) {
            return (enum mock_field_refusal)(MOCK_FIELDS_MODEL_EXTRA + i);
        }
    }
    return MOCK_FIELDS_UNCHECKED;
}

static char *s_strdup_or(const cJSON *v, const char *dflt)
{
    const char *s = cJSON_GetStringValue(v);
    return strdup(s && s[0] ? s : dflt);
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
    free(m->family);
    free(m->reasoning_shape);
    for (size_t i = 0; i < m->n_cache_ttls; i++) {
        free(m->cache_ttls[i]);
    }
    for (size_t i = 0; i < m->n_profiles; i++) {
        free(m->profiles[i]);
    }
    for (size_t i = 0; i < m->n_request_fields; i++) {
        free(m->request_fields[i]);
    }
}

/* The boolean fields, by name: one table, so loading and the field list never disagree. */
#define S_BOOL(name)                             \
    {                                            \
#name, offsetof(struct mock_model, name) \
    }
static const struct {
    const char *name;
    size_t offset;
} s_bool_fields[] = {
    S_BOOL(converse),           S_BOOL(streaming),
    S_BOOL(system_prompts),     S_BOOL(vision),
    S_BOOL(documents),          S_BOOL(video),
    S_BOOL(s3_images),          S_BOOL(tool_use),
    S_BOOL(tool_use_streaming), S_BOOL(reasoning),
    S_BOOL(strict_tools),       S_BOOL(count_tokens),
    S_BOOL(prompt_caching),     S_BOOL(cache_in_tools),
    S_BOOL(on_demand),          S_BOOL(latency_optimized),
    S_BOOL(leading_assistant),  S_BOOL(tool_result_status),
    S_BOOL(tool_result_alone),  S_BOOL(sampling_exclusive),
};
#undef S_BOOL

/* The fields that are not booleans and differ by family (docs/models.md). */
static void s_parse_family_rules(const cJSON *j, const struct s_layers *l, struct mock_model *m)
{
    for (size_t i = 0; i < sizeof(s_bool_fields) / sizeof(s_bool_fields[0]); i++) {
        *(bool *)((char *)m + s_bool_fields[i].offset) = s_bool(j, l, s_bool_fields[i].name);
    }
    const char *turns = cJSON_GetStringValue(s_field(j, l, "same_role_turns"));
    m->same_role_merge = turns && strcmp(turns, "merge") == 0;
    m->tool_result_media = s_mask(s_field(j, l, "tool_result_media"), s_media_names, 3);
    m->tool_choice = s_mask(s_field(j, l, "tool_choice"), s_choice_names, 3);
    m->cache_fields = s_mask(s_field(j, l, "cache_fields"), s_cache_names, 3);
    m->reasoning_shape = s_strdup_or(s_field(j, l, "reasoning_shape"), "none");
    m->max_strict_tools = brk_json_count(s_field(j, l, "max_strict_tools"), 0);
    m->request_field_refusal = s_refusal(s_field(j, l, "request_field_refusal"));
    m->n_request_fields = s_strings(s_field(j, l, "request_fields"), m->request_fields, MOCK_MAX_REQUEST_FIELDS);
}

static enum brk_status s_parse_model(const cJSON *j, const cJSON *root, struct mock_model *m, char *err, size_t err_len)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        snprintf(err, err_len, "every model needs a non-empty string \"id\"");
        return BRK_ERR_PARSE;
    }
    struct s_layers l = {NULL, cJSON_GetObjectItemCaseSensitive(root, "defaults")};
    m->id = strdup(id->valuestring);
    m->family = s_strdup_or(s_field(j, &l, "family"), "");
    l.family = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "families"), m->family);
    m->name = s_strdup_or_null(cJSON_GetStringValue(s_field(j, &l, "name")));
    m->provider = s_strdup_or_null(cJSON_GetStringValue(s_field(j, &l, "provider")));
    m->cache_min_tokens = brk_json_count(s_field(j, &l, "cache_min_tokens"), 0);
    m->max_output_tokens = brk_json_count(s_field(j, &l, "max_output_tokens"), 0);
    m->output_burndown = brk_json_count(s_field(j, &l, "output_burndown"), 1);
    m->n_cache_ttls = s_strings(s_field(j, &l, "cache_ttls"), m->cache_ttls, MOCK_MAX_TTLS);
    m->n_profiles = s_strings(s_field(j, &l, "profiles"), m->profiles, MOCK_MAX_PROFILES);
    const cJSON *quota = s_field(j, &l, "quota");
    m->quota.tokens_per_minute = s_u64(quota, "tokens_per_minute");
    m->quota.requests_per_minute = s_u64(quota, "requests_per_minute");
    m->quota.tokens_per_day = s_u64(quota, "tokens_per_day");
    s_parse_family_rules(j, &l, m);
    return BRK_OK;
}

/* "application_profiles": [{"id": "<ARN or id>", "model": "<foundation model id>"}] and the
 * default "application_profile_model", after the models are in place. */
static enum brk_status s_parse_app_profiles(const cJSON *root, struct mock_catalog *cat, char *err, size_t err_len)
{
    const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(root, "application_profile_model");
    if (cJSON_IsString(dflt) && mock_catalog_set_app_default(cat, dflt->valuestring) != BRK_OK) {
        snprintf(err, err_len, "application_profile_model names no model of the catalogue");
        return BRK_ERR_PARSE;
    }
    const cJSON *p = NULL;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "application_profiles"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id"));
        const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "model"));
        if (!id || !model || mock_catalog_declare_app_profile(cat, id, model) != BRK_OK) {
            snprintf(err, err_len, "every application profile needs an \"id\" and the \"model\" of a catalogue entry");
            return BRK_ERR_PARSE;
        }
    }
    return BRK_OK;
}

enum brk_status mock_catalog_parse(const char *json, size_t len, struct mock_catalog **out, char *err, size_t err_len)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        snprintf(err, err_len, "model catalogue is not valid JSON");
        return BRK_ERR_PARSE;
    }
    enum brk_status rc = BRK_ERR_PARSE;
    struct mock_catalog *cat = calloc(1, sizeof(*cat));
    pthread_mutex_init(&cat->app_lock, NULL);
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!cJSON_IsArray(models) || cJSON_GetArraySize(models) == 0) {
        snprintf(err, err_len, "model catalogue needs a non-empty \"models\" array");
        goto out;
    }
    cat->models = calloc((size_t)cJSON_GetArraySize(models), sizeof(*cat->models));
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, models)
    {
        rc = s_parse_model(item, root, &cat->models[cat->n_models], err, err_len);
        if (rc != BRK_OK) {
            goto out;
        }
        cat->n_models++;
    }
    rc = s_parse_app_profiles(root, cat, err, err_len);
out:
    cJSON_Delete(root);
    if (rc != BRK_OK) {
        mock_catalog_destroy(cat);
    } else {
        *out = cat;
    }
    return rc;
}

/* scripts/embed.sh's copy of fixtures/models.json (build/gen/models_json.c). */
extern const unsigned char brk_default_models_json[];
extern const size_t brk_default_models_json_len;

enum brk_status mock_catalog_load_default(struct mock_catalog **out, char *err, size_t err_len)
{
    return mock_catalog_parse((const char *)brk_default_models_json, brk_default_models_json_len, out, err, err_len);
}

enum brk_status mock_catalog_load_file(const char *path, struct mock_catalog **out, char *err, size_t err_len)
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
    pthread_mutex_destroy(&catalog->app_lock);
    free(catalog);
}

const struct mock_model *mock_catalog_find(const struct mock_catalog *catalog, const char *id)
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

/* The ARN's last segment, or the whole text when it is no application-profile ARN. Bedrock's
 * profile ids are 12 lowercase alphanumerics; any non-empty id up to the cap is taken. */
static bool s_app_profile_id(const char *id, char *out)
{
    const char *slash = strrchr(id, '/');
    const char *p = slash ? slash + 1 : id;
    size_t n = strlen(p);
    if (n == 0 || n >= MOCK_APP_PROFILE_ID_MAX) {
        return false;
    }
    memcpy(out, p, n + 1);
    return true;
}

static struct mock_app_profile *s_app_find(struct mock_catalog *catalog, const char *id)
{
    for (size_t i = 0; i < catalog->n_app_profiles; i++) {
        if (strcmp(catalog->app_profiles[i].id, id) == 0) {
            return &catalog->app_profiles[i];
        }
    }
    return NULL;
}

static enum brk_status s_resolve_app_profile(const struct mock_catalog *catalog, const char *arn_id,
                                             struct mock_model_ref *out)
{
    char id[MOCK_APP_PROFILE_ID_MAX];
    if (!s_app_profile_id(arn_id, id)) {
        return BRK_ERR_NOT_FOUND;
    }
    /* The lock guards the table, not the models: they are read-only for the catalogue's life. */
    struct mock_catalog *cat = (struct mock_catalog *)catalog;
    pthread_mutex_lock(&cat->app_lock);
    const struct mock_app_profile *p = s_app_find(cat, id);
    out->model = p ? p->model : cat->app_default;
    pthread_mutex_unlock(&cat->app_lock);
    out->kind = MOCK_MODEL_APP_PROFILE;
    return out->model ? BRK_OK : BRK_ERR_NOT_FOUND;
}

enum brk_status mock_catalog_resolve(const struct mock_catalog *catalog, const char *model_id,
                                     struct mock_model_ref *out)
{
    memset(out, 0, sizeof(*out));
    char resource[64] = "";
    const char *id = s_strip_arn(model_id, resource, sizeof(resource));
    if (id && strcmp(resource, "application-inference-profile") == 0) {
        return s_resolve_app_profile(catalog, id, out);
    }
    if (!id ||
        (resource[0] && strcmp(resource, "foundation-model") != 0 && strcmp(resource, "inference-profile") != 0)) {
        return BRK_ERR_NOT_FOUND;
    }
    const struct mock_model *m = mock_catalog_find(catalog, id);
    if (m) {
        out->model = m;
        out->kind = MOCK_MODEL_FOUNDATION;
        return strcmp(resource, "inference-profile") == 0 ? BRK_ERR_NOT_FOUND : BRK_OK;
    }
    const char *dot = strchr(id, '.');
    if (!dot || strcmp(resource, "foundation-model") == 0) {
        return BRK_ERR_NOT_FOUND;
    }
    m = mock_catalog_find(catalog, dot + 1);
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

enum brk_status mock_catalog_declare_app_profile(struct mock_catalog *catalog, const char *id, const char *model_id)
{
    char key[MOCK_APP_PROFILE_ID_MAX];
    const struct mock_model *m = mock_catalog_find(catalog, model_id);
    if (!m) {
        return BRK_ERR_NOT_FOUND;
    }
    if (!s_app_profile_id(id, key)) {
        return BRK_ERR_INVALID_ARG;
    }
    enum brk_status rc = BRK_OK;
    pthread_mutex_lock(&catalog->app_lock);
    struct mock_app_profile *p = s_app_find(catalog, key);
    if (!p && catalog->n_app_profiles < MOCK_MAX_APP_PROFILES) {
        p = &catalog->app_profiles[catalog->n_app_profiles++];
        memcpy(p->id, key, strlen(key) + 1);
    }
    if (p) {
        p->model = m;
    } else {
        rc = BRK_ERR_TOO_LARGE;
    }
    pthread_mutex_unlock(&catalog->app_lock);
    return rc;
}

enum brk_status mock_catalog_set_app_default(struct mock_catalog *catalog, const char *model_id)
{
    const struct mock_model *m = model_id ? mock_catalog_find(catalog, model_id) : NULL;
    if (model_id && !m) {
        return BRK_ERR_NOT_FOUND;
    }
    pthread_mutex_lock(&catalog->app_lock);
    catalog->app_default = m;
    pthread_mutex_unlock(&catalog->app_lock);
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
