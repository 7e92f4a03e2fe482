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

/* Each of the ~90 models asks ~40 fields, most missing from the model and its family and found
 * in the ~35-member "defaults": cJSON_GetObjectItemCaseSensitive's strcmp per member passed was
 * 3.1 M of the 25 M instructions from exec to the first answer (docs/benchmarks.md, start-up),
 * so the lookups are brk_json_get's, compared in place. */
static const cJSON *s_field(const cJSON *model, const struct s_layers *l, const char *name)
{
    const cJSON *v = brk_json_get(model, name);
    v = v ? v : brk_json_get(l->family, name);
    return v ? v : brk_json_get(l->defaults, name);
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

/* "application_profiles": [{"id": "<ARN or id>", "model": "<foundation model id>"}] and
 * "resources": [{"id": "<ARN or imported id>", "model": ..., "prompt": ...}]. */
static bool s_parse_declarations(const cJSON *list, enum mock_model_kind kind, struct mock_catalog *cat)
{
    const cJSON *p = NULL;
    cJSON_ArrayForEach(p, list)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id"));
        const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "model"));
        const char *prompt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "prompt"));
        if (!id || !model || mock_catalog_declare(cat, kind, id, model, prompt) != BRK_OK) {
            return false;
        }
    }
    return true;
}

const char *mock_catalog_set_resource_models(struct mock_catalog *catalog, const cJSON *resource_models)
{
    const cJSON *v = NULL;
    cJSON_ArrayForEach(v, resource_models)
    {
        enum mock_model_kind kind;
        if (!mock_model_kind_from_name(v->string, &kind) || kind < MOCK_MODEL_APP_PROFILE ||
            (!cJSON_IsNull(v) && !cJSON_IsString(v)) ||
            mock_catalog_set_default(catalog, kind, cJSON_GetStringValue(v)) != BRK_OK) {
            return v->string ? v->string : "";
        }
    }
    return NULL;
}

/* The resources and their defaults, after the models are in place. */
static enum brk_status s_parse_resources(const cJSON *root, struct mock_catalog *cat, char *err, size_t err_len)
{
    const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(root, "application_profile_model");
    if (cJSON_IsString(dflt) && mock_catalog_set_app_default(cat, dflt->valuestring) != BRK_OK) {
        snprintf(err, err_len, "application_profile_model names no model of the catalogue");
        return BRK_ERR_PARSE;
    }
    if (mock_catalog_set_resource_models(cat, cJSON_GetObjectItemCaseSensitive(root, "resource_models"))) {
        snprintf(err, err_len, "resource_models maps a kind of docs/models.md to a model of the catalogue or null");
        return BRK_ERR_PARSE;
    }
    if (!s_parse_declarations(cJSON_GetObjectItemCaseSensitive(root, "application_profiles"), MOCK_MODEL_APP_PROFILE,
                              cat) ||
        !s_parse_declarations(cJSON_GetObjectItemCaseSensitive(root, "resources"), MOCK_MODEL_IMPORTED, cat)) {
        snprintf(err, err_len,
                 "every application profile or resource needs an \"id\" and the \"model\" of a catalogue entry");
        return BRK_ERR_PARSE;
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
    pthread_mutex_init(&cat->lock, NULL);
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
    rc = s_parse_resources(root, cat, err, err_len);
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
    for (size_t i = 0; i < catalog->n_resources; i++) {
        free(catalog->resources[i].prompt);
    }
    pthread_mutex_destroy(&catalog->lock);
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

/* A foundation model id or an inference-profile id (or the ARN of either). */
static enum brk_status s_resolve_model(const struct mock_catalog *catalog, const struct mock_model_id *id,
                                       struct mock_model_ref *out)
{
    const char *name = id->name.p; /* runs to the end of the modelId for these kinds */
    const struct mock_model *m = mock_catalog_find(catalog, name);
    if (m) {
        out->model = m;
        out->kind = MOCK_MODEL_FOUNDATION;
        return id->arn && id->kind == MOCK_MODEL_PROFILE ? BRK_ERR_NOT_FOUND : BRK_OK;
    }
    const char *dot = strchr(name, '.');
    if (!dot || (id->arn && id->kind == MOCK_MODEL_FOUNDATION)) {
        return BRK_ERR_NOT_FOUND;
    }
    m = mock_catalog_find(catalog, dot + 1);
    size_t geo_len = (size_t)(dot - name);
    if (!m || geo_len >= sizeof(out->profile) || !s_has_profile(m, name, geo_len)) {
        return BRK_ERR_NOT_FOUND;
    }
    out->model = m;
    out->kind = MOCK_MODEL_PROFILE;
    memcpy(out->profile, name, geo_len);
    out->profile[geo_len] = '\0';
    return BRK_OK;
}

static struct mock_resource *s_find_resource(struct mock_catalog *catalog, enum mock_model_kind kind, const char *id)
{
    for (size_t i = 0; i < catalog->n_resources; i++) {
        if (catalog->resources[i].kind == kind && strcmp(catalog->resources[i].id, id) == 0) {
            return &catalog->resources[i];
        }
    }
    return NULL;
}

/* A custom-model ARN names its base model without the version ("amazon.nova-micro-v1"): the
 * catalogue's model of that id, or the first whose id is the base and a ":" suffix. */
static const struct mock_model *s_find_base(const struct mock_catalog *catalog, struct mock_span base)
{
    for (size_t i = 0; base.len && i < catalog->n_models; i++) {
        const char *id = catalog->models[i].id;
        if (strncmp(id, base.p, base.len) == 0 && (id[base.len] == '\0' || id[base.len] == ':')) {
            return &catalog->models[i];
        }
    }
    return NULL;
}

/* A resource of the caller's account: its declared model, else (a custom model) the base model
 * its ARN names, else its kind's default. */
static enum brk_status s_resolve_resource(const struct mock_catalog *catalog, const struct mock_model_id *id,
                                          struct mock_model_ref *out)
{
    out->kind = id->kind;
    if (id->name.len >= sizeof(out->resource)) {
        return BRK_ERR_NOT_FOUND;
    }
    memcpy(out->resource, id->name.p, id->name.len);
    out->resource[id->name.len] = '\0';
    /* The lock guards the table, not the models: they are read-only for the catalogue's life. */
    struct mock_catalog *cat = (struct mock_catalog *)catalog;
    pthread_mutex_lock(&cat->lock);
    const struct mock_resource *r = s_find_resource(cat, id->kind, out->resource);
    const struct mock_model *base = r ? NULL : s_find_base(catalog, id->base);
    out->model = r ? r->model : base ? base : cat->defaults[id->kind];
    pthread_mutex_unlock(&cat->lock);
    /* An undeclared application profile without a default has always been an invalid id. */
    out->missing = !out->model && id->kind != MOCK_MODEL_APP_PROFILE;
    return out->model ? BRK_OK : BRK_ERR_NOT_FOUND;
}

enum brk_status mock_catalog_resolve(const struct mock_catalog *catalog, const char *model_id,
                                     struct mock_model_ref *out)
{
    memset(out, 0, sizeof(*out));
    struct mock_model_id id;
    if (mock_model_id_parse(model_id, &id) != BRK_OK) {
        return BRK_ERR_NOT_FOUND;
    }
    if (id.kind >= MOCK_MODEL_APP_PROFILE) {
        return s_resolve_resource(catalog, &id, out);
    }
    enum brk_status rc = s_resolve_model(catalog, &id, out);
    if (rc != BRK_OK && !id.arn && mock_model_id_is_imported_shape(model_id)) {
        id.kind = MOCK_MODEL_IMPORTED; /* a bare imported-model id */
        memset(out, 0, sizeof(*out));
        return s_resolve_resource(catalog, &id, out);
    }
    return rc;
}

/* The kind and key of a declaration: an ARN's own, or `kind` and the id as given. */
static bool s_declaration_key(enum mock_model_kind kind, const char *id, enum mock_model_kind *kind_out,
                              char key[MOCK_APP_PROFILE_ID_MAX])
{
    struct mock_model_id parsed;
    if (mock_model_id_parse(id, &parsed) != BRK_OK) {
        return false;
    }
    if (parsed.arn) {
        kind = parsed.kind;
    } else if (kind == MOCK_MODEL_APP_PROFILE && strrchr(id, '/')) {
        parsed.name.p = strrchr(id, '/') + 1; /* "application-inference-profile/ID": the id */
        parsed.name.len = strlen(parsed.name.p);
    }
    if (kind < MOCK_MODEL_APP_PROFILE || parsed.name.len == 0 || parsed.name.len >= MOCK_APP_PROFILE_ID_MAX) {
        return false;
    }
    memcpy(key, parsed.name.p, parsed.name.len);
    key[parsed.name.len] = '\0';
    *kind_out = kind;
    return true;
}

/* Point `r` at its model and prompt; false when out of memory (then `r` is unchanged). */
static bool s_set_resource(struct mock_resource *r, const struct mock_model *m, const char *prompt)
{
    char *copy = prompt ? strdup(prompt) : NULL;
    if (prompt && !copy) {
        return false;
    }
    free(r->prompt);
    r->prompt = copy;
    r->model = m;
    return true;
}

enum brk_status mock_catalog_declare(struct mock_catalog *catalog, enum mock_model_kind kind, const char *id,
                                     const char *model_id, const char *prompt)
{
    char key[MOCK_APP_PROFILE_ID_MAX];
    const struct mock_model *m = mock_catalog_find(catalog, model_id);
    if (!m) {
        return BRK_ERR_NOT_FOUND;
    }
    if (!s_declaration_key(kind, id, &kind, key)) {
        return BRK_ERR_INVALID_ARG;
    }
    enum brk_status rc = BRK_ERR_TOO_LARGE;
    pthread_mutex_lock(&catalog->lock);
    struct mock_resource *r = s_find_resource(catalog, kind, key);
    if (!r && catalog->n_resources < MOCK_MAX_RESOURCES) {
        r = &catalog->resources[catalog->n_resources];
        memset(r, 0, sizeof(*r));
        r->kind = kind;
        memcpy(r->id, key, strlen(key) + 1);
        if (s_set_resource(r, m, prompt)) {
            catalog->n_resources++;
            rc = BRK_OK;
        } else {
            rc = BRK_ERR_NOMEM;
        }
    } else if (r) {
        rc = s_set_resource(r, m, prompt) ? BRK_OK : BRK_ERR_NOMEM;
    }
    pthread_mutex_unlock(&catalog->lock);
    return rc;
}

enum brk_status mock_catalog_declare_app_profile(struct mock_catalog *catalog, const char *id, const char *model_id)
{
    return mock_catalog_declare(catalog, MOCK_MODEL_APP_PROFILE, id, model_id, NULL);
}

enum brk_status mock_catalog_set_default(struct mock_catalog *catalog, enum mock_model_kind kind, const char *model_id)
{
    const struct mock_model *m = model_id ? mock_catalog_find(catalog, model_id) : NULL;
    if ((model_id && !m) || kind >= MOCK_MODEL_KIND_COUNT) {
        return BRK_ERR_NOT_FOUND;
    }
    pthread_mutex_lock(&catalog->lock);
    catalog->defaults[kind] = m;
    pthread_mutex_unlock(&catalog->lock);
    return BRK_OK;
}

enum brk_status mock_catalog_set_app_default(struct mock_catalog *catalog, const char *model_id)
{
    return mock_catalog_set_default(catalog, MOCK_MODEL_APP_PROFILE, model_id);
}

char *mock_catalog_prompt_text(struct mock_catalog *catalog, const char *id)
{
    pthread_mutex_lock(&catalog->lock);
    const struct mock_resource *r = s_find_resource(catalog, MOCK_MODEL_PROMPT, id);
    char *text = r && r->prompt ? strdup(r->prompt) : NULL;
    pthread_mutex_unlock(&catalog->lock);
    return text;
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
