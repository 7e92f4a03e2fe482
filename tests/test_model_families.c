/*
 * The catalogue as model-families.md records it: every id of its section 1 resolves, every
 * model carries a documented family, application inference profiles resolve, and
 * GET|PUT /_mock/models show and declare them. Per-family rules are fixtures
 * (fixtures/requests/{valid,invalid}/, tests/test_validate_fixtures.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/model/catalog.h"
#include "tests/support/harness.h"

#define S_APP_ARN "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f"
#define S_SPEC "../shared/spec/model-families.md"

/* The families docs/models.md lists; part B (docs/tokens.md) keys its parameters on them. */
static const char *const s_families[] = {"anthropic", "nova", "titan",  "llama",   "mistral",  "cohere",
                                         "deepseek",  "qwen", "gemma",  "minimax", "nemotron", "palmyra",
                                         "glm",       "kimi", "openai", "jamba"};

static struct mock_catalog *s_catalog(void)
{
    struct mock_catalog *cat = NULL;
    char err[256];
    cr_assert_eq(mock_catalog_load_default(&cat, err, sizeof(err)), BRK_OK, "%s", err);
    return cat;
}

/* The ids of fixtures/model-ids.txt, one per line, '#' lines skipped; returns how many. */
static size_t s_fixture_ids(char ***out)
{
    char *text = th_read_source_file("fixtures/model-ids.txt", NULL);
    cr_assert_not_null(text);
    char **ids = calloc(256, sizeof(*ids));
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < 256; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != '#') {
            ids[n++] = strdup(line);
        }
    }
    free(text);
    *out = ids;
    return n;
}

static void s_free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ids[i]);
    }
    free(ids);
}

Test(model_families, every_recorded_id_resolves_with_its_profile)
{
    struct mock_catalog *cat = s_catalog();
    char **ids = NULL;
    size_t n = s_fixture_ids(&ids);
    cr_assert_eq(n, 110, "model-families.md section 1 records 110 ids");
    for (size_t i = 0; i < n; i++) {
        struct mock_model_ref ref;
        cr_assert_eq(mock_catalog_resolve(cat, ids[i], &ref), BRK_OK, "%s does not resolve", ids[i]);
        cr_assert(ref.kind == MOCK_MODEL_FOUNDATION || ref.profile[0], "%s", ids[i]);
    }
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, "eu.anthropic.claude-opus-5", &ref), BRK_ERR_NOT_FOUND,
                 "a geography the spec does not record is refused");
    s_free_ids(ids, n);
    mock_catalog_destroy(cat);
}

/* Section 1 of model-families.md, cut off at section 2, inside *spec (the caller frees it);
 * skips the test when the spec is not at hand (a user's clone has no shared/). */
static char *s_spec_section_1(char **spec)
{
    *spec = th_read_source_file(S_SPEC, NULL);
    if (!*spec) {
        cr_skip_test("%s is not at hand (a clone has no shared/)", S_SPEC);
    }
    char *start = strstr(*spec, "## 1.");
    char *end = start ? strstr(start, "## 2.") : NULL;
    cr_assert(start && end, "section 1 not found");
    *end = '\0';
    return start;
}

Test(model_families, the_id_list_is_the_specs_table)
{
    char *spec = NULL;
    char *start = s_spec_section_1(&spec);
    char **ids = NULL;
    size_t n = s_fixture_ids(&ids);
    size_t rows = 0;
    for (const char *p = start; (p = strstr(p, "\n| `")) != NULL; p += 4) {
        rows++;
    }
    cr_assert_eq(rows, n, "the spec's table has %zu rows, fixtures/model-ids.txt %zu", rows, n);
    for (size_t i = 0; i < n; i++) {
        char cell[256];
        snprintf(cell, sizeof(cell), "\n| `%s` |", ids[i]);
        cr_assert(strstr(start, cell) != NULL, "%s is not in the spec's table", ids[i]);
    }
    s_free_ids(ids, n);
    free(spec);
}

/* The spec's family names, as the catalogue spells them (Amazon is Nova or Titan). */
static bool s_family_matches(const char *spec_family, const char *family)
{
    static const char *const map[][2] = {
        {"Amazon", "nova"},        {"Amazon", "titan"},    {"Anthropic", "anthropic"}, {"Cohere", "cohere"},
        {"Meta Llama", "llama"},   {"Mistral", "mistral"}, {"DeepSeek", "deepseek"},   {"Qwen", "qwen"},
        {"Google Gemma", "gemma"}, {"MiniMax", "minimax"}, {"NVIDIA", "nemotron"},     {"Writer", "palmyra"},
        {"Z.AI", "glm"},           {"Moonshot", "kimi"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i][0], spec_family) == 0 && strcmp(map[i][1], family) == 0) {
            return true;
        }
    }
    return false;
}

/* One row of the spec's table: "| `id` | Family | form | on-demand status |". */
static void s_check_row(const struct mock_catalog *cat, char *row)
{
    char *cells[5] = {0};
    size_t n = 0;
    for (char *save = NULL, *c = strtok_r(row, "|", &save); c && n < 5; c = strtok_r(NULL, "|", &save)) {
        while (*c == ' ' || *c == '`') {
            c++;
        }
        for (char *e = c + strlen(c); e > c && (e[-1] == ' ' || e[-1] == '`'); e--) {
            e[-1] = '\0';
        }
        cells[n++] = c;
    }
    cr_assert_geq(n, 4, "a short row");
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, cells[0], &ref), BRK_OK, "%s", cells[0]);
    cr_assert(s_family_matches(cells[1], ref.model->family), "%s: spec %s, catalogue %s", cells[0], cells[1],
              ref.model->family);
    if (strstr(cells[3], "profile-only")) {
        cr_assert_not(ref.model->on_demand, "%s: the spec says profile-only", cells[0]);
    }
    if (strstr(cells[3], "base id served on-demand")) {
        cr_assert(ref.model->on_demand, "%s: the spec says served on-demand", cells[0]);
    }
}

Test(model_families, each_row_of_the_specs_table_has_its_family_and_on_demand_status)
{
    char *spec = NULL;
    char *start = s_spec_section_1(&spec);
    struct mock_catalog *cat = s_catalog();
    size_t rows = 0;
    for (char *p = strstr(start, "\n| `"); p; p = strstr(p, "\n| `")) {
        char *eol = strchr(p + 1, '\n');
        char row[1024];
        size_t len = eol ? (size_t)(eol - p - 1) : strlen(p + 1);
        cr_assert_lt(len, sizeof(row));
        memcpy(row, p + 1, len);
        row[len] = '\0';
        s_check_row(cat, row);
        rows++;
        p = eol ? eol : p + 1 + len;
    }
    cr_assert_eq(rows, 110);
    mock_catalog_destroy(cat);
    free(spec);
}

static bool s_known_family(const char *family)
{
    for (size_t i = 0; i < sizeof(s_families) / sizeof(s_families[0]); i++) {
        if (strcmp(s_families[i], family) == 0) {
            return true;
        }
    }
    return false;
}

Test(model_families, every_model_has_a_documented_family)
{
    struct mock_catalog *cat = s_catalog();
    char *doc = th_read_source_file("docs/models.md", NULL);
    cr_assert_not_null(doc);
    for (size_t i = 0; i < cat->n_models; i++) {
        const struct mock_model *m = &cat->models[i];
        cr_assert(s_known_family(m->family), "%s: family '%s'", m->id, m->family);
    }
    for (size_t i = 0; i < sizeof(s_families) / sizeof(s_families[0]); i++) {
        char cell[64];
        snprintf(cell, sizeof(cell), "| `%s` |", s_families[i]);
        cr_assert(strstr(doc, cell) != NULL, "docs/models.md does not list family %s", s_families[i]);
    }
    free(doc);
    mock_catalog_destroy(cat);
}

Test(model_families, family_fields_are_inherited_and_a_model_may_override_them)
{
    const char *json = "{\"defaults\":{\"leading_assistant\":false,\"tool_choice\":[\"auto\",\"any\",\"tool\"]},"
                       "\"families\":{\"f\":{\"leading_assistant\":true,\"tool_choice\":[\"auto\"]}},"
                       "\"models\":[{\"id\":\"a.one\",\"family\":\"f\"},"
                       "{\"id\":\"a.two\",\"family\":\"f\",\"leading_assistant\":false},{\"id\":\"a.three\"}]}";
    struct mock_catalog *cat = NULL;
    char err[128];
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    cr_assert(cat->models[0].leading_assistant);
    cr_assert_eq(cat->models[0].tool_choice, MOCK_CHOICE_AUTO);
    cr_assert_not(cat->models[1].leading_assistant);
    cr_assert_not(cat->models[2].leading_assistant);
    cr_assert_eq(cat->models[2].tool_choice, MOCK_CHOICE_AUTO | MOCK_CHOICE_ANY | MOCK_CHOICE_TOOL);
    cr_assert_str_eq(cat->models[2].family, "");
    mock_catalog_destroy(cat);
}

/* additionalModelRequestFields: the keys and the refusal style come from the family, and a
 * family no source covers refuses nothing (docs/validation.md, "Model fields and extended thinking"). */
Test(model_families, request_fields_and_their_refusal_come_from_the_family)
{
    struct mock_catalog *cat = s_catalog();
    const struct mock_model *claude = mock_catalog_find(cat, "anthropic.claude-sonnet-4-20250514-v1:0");
    const struct mock_model *nova = mock_catalog_find(cat, "amazon.nova-micro-v1:0");
    const struct mock_model *llama = mock_catalog_find(cat, "meta.llama3-8b-instruct-v1:0");
    const struct mock_model *qwen = mock_catalog_find(cat, "qwen.qwen3-32b-v1:0");
    cr_assert_eq(claude->request_field_refusal, MOCK_FIELDS_MODEL_EXTRA);
    cr_assert_str_eq(mock_field_refusal_name(claude->request_field_refusal), "model_extra");
    cr_assert_eq(claude->max_strict_tools, 20);
    cr_assert_eq(nova->request_field_refusal, MOCK_FIELDS_SCHEMA_EXTRANEOUS);
    cr_assert_str_eq(nova->request_fields[0], "inferenceConfig");
    cr_assert_eq(llama->request_field_refusal, MOCK_FIELDS_SCHEMA_EXTRANEOUS);
    cr_assert_eq(llama->n_request_fields, 0, "Llama takes no key (model-families.md 3.2)");
    cr_assert_eq(qwen->request_field_refusal, MOCK_FIELDS_UNCHECKED);
    cr_assert_null(mock_field_refusal_name(qwen->request_field_refusal));
    cr_assert(mock_catalog_find(cat, "anthropic.claude-sonnet-4-5-20250929-v1:0")->sampling_exclusive);
    cr_assert_not(claude->sampling_exclusive);
    mock_catalog_destroy(cat);
    /* An unknown refusal name leaves the keys unchecked rather than refusing everything. */
    const char *json = "{\"models\":[{\"id\":\"x.m\",\"request_fields\":[\"a\"],"
                       "\"request_field_refusal\":\"loud\"},{\"id\":\"x.n\","
                       "\"request_field_refusal\":\"schema_extraneous\"}]}";
    char err[256];
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    cr_assert_eq(mock_catalog_find(cat, "x.m")->request_field_refusal, MOCK_FIELDS_UNCHECKED);
    cr_assert_eq(mock_catalog_find(cat, "x.m")->n_request_fields, 1);
    cr_assert_eq(mock_catalog_find(cat, "x.n")->request_field_refusal, MOCK_FIELDS_SCHEMA_EXTRANEOUS);
    mock_catalog_destroy(cat);
}

Test(model_families, application_profiles_resolve_to_the_declared_or_default_model)
{
    struct mock_catalog *cat = s_catalog();
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, S_APP_ARN, &ref), BRK_OK);
    cr_assert_eq(ref.kind, MOCK_MODEL_APP_PROFILE);
    cr_assert_str_eq(ref.model->id, "amazon.nova-micro-v1:0", "the catalogue's default (the live recording's model)");
    cr_assert_eq(mock_catalog_declare_app_profile(cat, "mi1dadi0g15f", "anthropic.claude-3-haiku-20240307-v1:0"),
                 BRK_OK);
    cr_assert_eq(mock_catalog_resolve(cat, S_APP_ARN, &ref), BRK_OK);
    cr_assert_str_eq(ref.model->id, "anthropic.claude-3-haiku-20240307-v1:0");
    cr_assert_eq(mock_catalog_declare_app_profile(cat, "x", "no.such-model"), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_set_app_default(cat, "no.such-model"), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_set_app_default(cat, NULL), BRK_OK);
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws:bedrock:eu-west-1:1:application-inference-profile/other", &ref),
                 BRK_ERR_NOT_FOUND, "no default: an undeclared profile is unknown");
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws:bedrock:eu-west-1:1:application-inference-profile/", &ref),
                 BRK_ERR_NOT_FOUND);
    mock_catalog_destroy(cat);
}

Test(model_families, a_catalogue_with_a_bad_application_profile_is_refused)
{
    const char *json =
        "{\"models\":[{\"id\":\"a.one\"}],\"application_profiles\":[{\"id\":\"p\",\"model\":\"a.two\"}]}";
    struct mock_catalog *cat = NULL;
    char err[128];
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert_null(cat);
    json = "{\"models\":[{\"id\":\"a.one\"}],\"application_profiles\":[{\"id\":\"p\",\"model\":\"a.one\"}]}";
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    cr_assert_eq(cat->n_resources, 1);
    mock_catalog_destroy(cat);
}

/* ---- over HTTP -------------------------------------------------------------------------- */

static struct brk_mock *s_start(const char *app_model)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.auth_mode = BRK_MOCK_AUTH_NONE;
    cfg.application_profile_model = app_model;
    return th_mock_start(&cfg);
}

#define S_HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}"

Test(model_families_http, an_application_profile_answers_as_its_model, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start("anthropic.claude-3-haiku-20240307-v1:0");
    struct th_response r = th_converse(mock, S_APP_ARN, S_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    /* Claude takes a leading assistant turn, Nova Micro does not: the default decides. */
    const char *leading = "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"text\":\"a\"}]},"
                          "{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}";
    r = th_converse(mock, S_APP_ARN, leading);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    r = th_request(mock, "PUT", "/_mock/models",
                   "{\"application_profiles\":[{\"id\":\"" S_APP_ARN "\",\"model\":\"amazon.nova-micro-v1:0\"}]}",
                   NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    r = th_converse(mock, S_APP_ARN, leading);
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "A conversation must start with a user message. Try again with a conversation "
                                     "that starts with a user message.");
    th_response_free(&r);
    brk_mock_stop(mock);
}

static bool s_first_block_is_reasoning(const struct th_response *r)
{
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "output"), "message"), "content");
    return cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "reasoningContent") != NULL;
}

/* DeepSeek R1 takes no reasoning field and answers with its reasoning (model-families.md 3.2,
 * live us.deepseek.r1-v1:0); a model without reasoning answers with text only. */
Test(model_families_http, deepseek_r1_answers_with_its_reasoning, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start(NULL);
    struct th_response r = th_converse(mock, "us.deepseek.r1-v1:0", S_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(s_first_block_is_reasoning(&r), "%s", r.body);
    th_response_free(&r);
    r = th_converse(mock, "meta.llama3-8b-instruct-v1:0", S_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_not(s_first_block_is_reasoning(&r), "%s", r.body);
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(model_families_http, put_models_refuses_unknown_models_and_bad_bodies, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start(NULL);
    struct th_response r = th_request(mock, "PUT", "/_mock/models",
                                      "{\"application_profiles\":[{\"id\":\"p1\",\"model\":\"no.such\"}]}", NULL);
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_message(&r), "No model no.such in the catalogue.");
    th_response_free(&r);
    r = th_request(mock, "PUT", "/_mock/models", "[1]", NULL);
    cr_assert_eq(r.status, 400);
    th_response_free(&r);
    r = th_request(mock, "PUT", "/_mock/models", "{\"application_profile_model\":\"no.such\"}", NULL);
    cr_assert_eq(r.status, 400);
    th_response_free(&r);
    r = th_request(mock, "PUT", "/_mock/models", "{\"application_profile_model\":\"anthropic.claude-v2\"}", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const cJSON *apps = cJSON_GetObjectItem(r.json, "application_profiles");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(apps, "default_model")), "anthropic.claude-v2");
    th_response_free(&r);
    brk_mock_stop(mock);
}

Test(model_families_http, an_unknown_default_model_stops_the_start, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.application_profile_model = "no.such-model";
    struct brk_mock *mock = NULL;
    char err[256] = "";
    cr_assert_neq(brk_mock_start(&cfg, &mock, err, sizeof(err)), BRK_OK);
    cr_assert(strstr(err, "--application-profile-model") != NULL, "%s", err);
}

Test(model_families_http, get_models_lists_every_model_with_each_capability, .timeout = TH_SUITE_TIMEOUT_S)
{
    struct brk_mock *mock = s_start(NULL);
    struct mock_catalog *cat = s_catalog();
    struct th_response r = th_request(mock, "GET", "/_mock/models", NULL, NULL);
    cr_assert_eq(r.status, 200);
    const cJSON *models = cJSON_GetObjectItem(r.json, "models");
    cr_assert_eq((size_t)cJSON_GetArraySize(models), cat->n_models);
    static const char *const keys[] = {"family",
                                       "on_demand",
                                       "profiles",
                                       "vision",
                                       "documents",
                                       "video",
                                       "tool_use",
                                       "tool_use_streaming",
                                       "tool_choice",
                                       "system_prompts",
                                       "prompt_caching",
                                       "cache_min_tokens",
                                       "cache_ttls",
                                       "cache_fields",
                                       "leading_assistant",
                                       "same_role_turns",
                                       "tool_result_status",
                                       "tool_result_alone",
                                       "tool_result_media",
                                       "strict_tools",
                                       "reasoning_shape",
                                       "request_fields",
                                       "request_field_refusal",
                                       "sampling_exclusive",
                                       "max_strict_tools",
                                       "count_tokens",
                                       "max_output_tokens"};
    const cJSON *m = NULL;
    cJSON_ArrayForEach(m, models)
    {
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            cr_assert_not_null(cJSON_GetObjectItem(m, keys[k]), "%s lacks %s",
                               cJSON_GetStringValue(cJSON_GetObjectItem(m, "id")), keys[k]);
        }
    }
    cr_assert(strstr(r.body, "\"global.anthropic.claude-opus-5\"") != NULL);
    th_response_free(&r);
    mock_catalog_destroy(cat);
    brk_mock_stop(mock);
}
