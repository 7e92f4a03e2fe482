/* Model identifiers beyond foundation ids and inference profiles (docs/models.md, "Resources"):
 * imported, custom and provisioned models, prompt-management ARNs, Marketplace endpoints; how
 * each parses (mock/model/model_id.c), resolves (declared, base model, kind default, 404), and
 * which operations take it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/model/catalog.h"
#include "mock/model/model_id.h"
#include "tests/support/harness.h"

#define ACCOUNT "arn:aws:bedrock:us-east-1:123456789012:"
#define IMPORTED ACCOUNT "imported-model/abcdefghijkl"
#define PROVISIONED ACCOUNT "provisioned-model/p1234567890a"
#define CUSTOM ACCOUNT "custom-model/anthropic.claude-3-haiku-20240307-v1/c1234567890a"
#define DEPLOYMENT ACCOUNT "custom-model-deployment/d1234567890a"
#define PROMPT ACCOUNT "prompt/PROMPT1234"
#define ENDPOINT "arn:aws:sagemaker:us-west-2:123456789012:endpoint/my-marketplace-endpoint"
#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"

static bool s_span(struct mock_span s, const char *text)
{
    return s.len == strlen(text) && (s.len == 0 || memcmp(s.p, text, s.len) == 0);
}

Test(model_ids, every_arn_form_parses_to_its_kind_and_parts)
{
    static const struct {
        const char *id;
        enum mock_model_kind kind;
        const char *name, *base, *version;
    } cases[] = {
        {"amazon.nova-micro-v1:0", MOCK_MODEL_FOUNDATION, "amazon.nova-micro-v1:0", "", ""},
        {"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0", MOCK_MODEL_FOUNDATION,
         "amazon.nova-micro-v1:0", "", ""},
        {ACCOUNT "inference-profile/us.amazon.nova-lite-v1:0", MOCK_MODEL_PROFILE, "us.amazon.nova-lite-v1:0", "", ""},
        {ACCOUNT "application-inference-profile/mi1dadi0g15f", MOCK_MODEL_APP_PROFILE, "mi1dadi0g15f", "", ""},
        {IMPORTED, MOCK_MODEL_IMPORTED, "abcdefghijkl", "", ""},
        {PROVISIONED, MOCK_MODEL_PROVISIONED, "p1234567890a", "", ""},
        {CUSTOM, MOCK_MODEL_CUSTOM, "c1234567890a", "anthropic.claude-3-haiku-20240307-v1", ""},
        {DEPLOYMENT, MOCK_MODEL_CUSTOM, "d1234567890a", "", ""},
        {PROMPT ":12", MOCK_MODEL_PROMPT, "PROMPT1234", "", "12"},
        {PROMPT, MOCK_MODEL_PROMPT, "PROMPT1234", "", ""},
        {ENDPOINT, MOCK_MODEL_ENDPOINT, "my-marketplace-endpoint", "", ""},
        {"arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:provisioned-model/x", MOCK_MODEL_PROVISIONED, "x", "", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mock_model_id id;
        cr_assert_eq(mock_model_id_parse(cases[i].id, &id), BRK_OK, "%s", cases[i].id);
        cr_assert_eq(id.kind, cases[i].kind, "%s", cases[i].id);
        cr_assert(s_span(id.name, cases[i].name), "%s: name %.*s", cases[i].id, (int)id.name.len, id.name.p);
        cr_assert(s_span(id.base, cases[i].base), "%s", cases[i].id);
        cr_assert(s_span(id.version, cases[i].version), "%s", cases[i].id);
    }
}

Test(model_ids, malformed_or_foreign_arns_do_not_parse)
{
    static const char *const bad[] = {
        "",
        "arn:aws",
        "arn:aws:bedrock:us-east-1:123456789012",
        "arn:aws:bedrock:us-east-1:123456789012:imported-model",
        "arn:aws:bedrock:us-east-1:123456789012:imported-model/",
        "arn:aws:bedrock:us-east-1:123456789012:prompt/:1",
        "arn:aws:bedrock:us-east-1:123456789012:prompt-router/x",
        "arn:aws:bedrock:us-east-1:123456789012:guardrail/x",
        "arn:aws:s3:us-east-1:123456789012:endpoint/x",
        "arn:aws:sagemaker:us-east-1:123456789012:model/x",
        "arn:gcp:bedrock:us-east-1:123456789012:imported-model/abcdefghijkl",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mock_model_id id;
        cr_assert_eq(mock_model_id_parse(bad[i], &id), BRK_ERR_INVALID_ARG, "'%s' parsed", bad[i]);
    }
}

static struct mock_catalog *s_catalog(void)
{
    struct mock_catalog *cat = NULL;
    char err[256];
    cr_assert_eq(mock_catalog_load_default(&cat, err, sizeof(err)), BRK_OK, "%s", err);
    return cat;
}

static const char *s_resolved(struct mock_catalog *cat, const char *id, enum mock_model_kind kind)
{
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, id, &ref), BRK_OK, "%s", id);
    cr_assert_eq(ref.kind, kind, "%s", id);
    return ref.model->id;
}

Test(model_ids, each_kind_resolves_to_its_default_its_base_or_its_declaration)
{
    struct mock_catalog *cat = s_catalog();
    cr_assert_str_eq(s_resolved(cat, IMPORTED, MOCK_MODEL_IMPORTED), "meta.llama3-8b-instruct-v1:0");
    cr_assert_str_eq(s_resolved(cat, "abcdefghijkl", MOCK_MODEL_IMPORTED), "meta.llama3-8b-instruct-v1:0");
    cr_assert_str_eq(s_resolved(cat, PROVISIONED, MOCK_MODEL_PROVISIONED), "amazon.nova-micro-v1:0");
    cr_assert_str_eq(s_resolved(cat, CUSTOM, MOCK_MODEL_CUSTOM), HAIKU, "the base model the ARN names");
    cr_assert_str_eq(s_resolved(cat, DEPLOYMENT, MOCK_MODEL_CUSTOM), "amazon.nova-micro-v1:0");
    cr_assert_str_eq(s_resolved(cat, PROMPT ":1", MOCK_MODEL_PROMPT), "amazon.nova-micro-v1:0");
    cr_assert_str_eq(s_resolved(cat, ENDPOINT, MOCK_MODEL_ENDPOINT), "amazon.nova-micro-v1:0");
    cr_assert_eq(mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, "abcdefghijkl", HAIKU, NULL), BRK_OK);
    cr_assert_eq(mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, ENDPOINT, "mistral.mistral-7b-instruct-v0:2", NULL),
                 BRK_OK, "an ARN declares its own kind");
    cr_assert_str_eq(s_resolved(cat, IMPORTED, MOCK_MODEL_IMPORTED), HAIKU, "the bare id declares the ARN too");
    cr_assert_str_eq(s_resolved(cat, ENDPOINT, MOCK_MODEL_ENDPOINT), "mistral.mistral-7b-instruct-v0:2");
    cr_assert_str_eq(s_resolved(cat, PROVISIONED, MOCK_MODEL_PROVISIONED), "amazon.nova-micro-v1:0",
                     "a declaration of one kind leaves the others");
    mock_catalog_destroy(cat);
}

Test(model_ids, a_kind_without_default_is_a_missing_resource)
{
    struct mock_catalog *cat = s_catalog();
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_set_default(cat, MOCK_MODEL_PROVISIONED, NULL), BRK_OK);
    cr_assert_eq(mock_catalog_resolve(cat, PROVISIONED, &ref), BRK_ERR_NOT_FOUND);
    cr_assert(ref.missing);
    cr_assert_str_eq(ref.resource, "p1234567890a");
    cr_assert_eq(mock_catalog_set_app_default(cat, NULL), BRK_OK);
    cr_assert_eq(mock_catalog_resolve(cat, ACCOUNT "application-inference-profile/x", &ref), BRK_ERR_NOT_FOUND);
    cr_assert_not(ref.missing, "an application profile without default stays an invalid id");
    cr_assert_eq(mock_catalog_resolve(cat, "abcdefghijk", &ref), BRK_ERR_NOT_FOUND, "11 characters: no imported id");
    cr_assert_not(ref.missing);
    mock_catalog_destroy(cat);
}

Test(model_ids, declarations_are_checked)
{
    struct mock_catalog *cat = s_catalog();
    cr_assert_eq(mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, IMPORTED, "no.such-model", NULL), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, "arn:aws:bedrock:us-east-1::foundation-model/x", HAIKU,
                                      NULL),
                 BRK_ERR_INVALID_ARG);
    cr_assert_eq(mock_catalog_declare(cat, MOCK_MODEL_FOUNDATION, "x", HAIKU, NULL), BRK_ERR_INVALID_ARG);
    cr_assert_eq(mock_catalog_set_default(cat, MOCK_MODEL_ENDPOINT, "no.such-model"), BRK_ERR_NOT_FOUND);
    char id[32];
    enum brk_status rc = BRK_OK;
    for (int i = 0; i <= MOCK_MAX_RESOURCES && rc == BRK_OK; i++) {
        snprintf(id, sizeof(id), "id%d", i);
        rc = mock_catalog_declare(cat, MOCK_MODEL_IMPORTED, id, HAIKU, NULL);
    }
    cr_assert_eq(rc, BRK_ERR_TOO_LARGE);
    cr_assert_eq(cat->n_resources, MOCK_MAX_RESOURCES);
    mock_catalog_destroy(cat);
}

Test(model_ids, the_catalogue_file_declares_resources_and_defaults)
{
    const char *json = "{\"models\":[{\"id\":\"a.one\"},{\"id\":\"a.two\"}],"
                       "\"resource_models\":{\"endpoint\":\"a.two\",\"prompt\":null},"
                       "\"resources\":[{\"id\":\"" PROMPT "\",\"model\":\"a.one\",\"prompt\":\"Hi {{x}}\"}]}";
    struct mock_catalog *cat = NULL;
    char err[256];
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    cr_assert_str_eq(s_resolved(cat, PROMPT ":4", MOCK_MODEL_PROMPT), "a.one");
    cr_assert_str_eq(s_resolved(cat, ENDPOINT, MOCK_MODEL_ENDPOINT), "a.two");
    char *text = mock_catalog_prompt_text(cat, "PROMPT1234");
    cr_assert_str_eq(text, "Hi {{x}}");
    free(text);
    cr_assert_null(mock_catalog_prompt_text(cat, "other"));
    mock_catalog_destroy(cat);
    const char *bad[] = {"{\"models\":[{\"id\":\"a.one\"}],\"resource_models\":{\"nope\":\"a.one\"}}",
                         "{\"models\":[{\"id\":\"a.one\"}],\"resource_models\":{\"endpoint\":\"a.two\"}}",
                         "{\"models\":[{\"id\":\"a.one\"}],\"resources\":[{\"id\":\"" IMPORTED "\"}]}"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(mock_catalog_parse(bad[i], strlen(bad[i]), &cat, err, sizeof(err)), BRK_ERR_PARSE, "%s", bad[i]);
        cr_assert_null(cat);
    }
}

/* ---- over HTTP ---------------------------------------------------------------------------- */

static struct brk_mock *s_mock;

static void s_setup(void)
{
    s_mock = th_mock_start(NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(model_ids_http, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

#define S_HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi there\"}]}]}"
#define S_LLAMA "{\"prompt\":\"hi llama\",\"max_gen_len\":100}"

static struct th_response s_op(const char *model_id, const char *op, const char *body)
{
    char enc[512], path[600];
    th_encode_label(model_id, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/%s", enc, op);
    return th_request(s_mock, "POST", path, body, NULL);
}

static void s_expect(struct th_response r, int status, const char *message)
{
    cr_assert_eq(r.status, status, "%s", r.body);
    if (message) {
        cr_assert_str_eq(th_message(&r), message);
    }
    th_response_free(&r);
}

static void s_put_models(const char *body)
{
    s_expect(th_request(s_mock, "PUT", "/_mock/models", body, NULL), 200, NULL);
}

#define S_UNSUPPORTED \
    "This action doesn't support the model that you provided. Try again with a supported text or chat model."

Test(model_ids_http, imported_models_answer_invoke_model_but_not_converse)
{
    s_expect(s_op(IMPORTED, "invoke", S_LLAMA), 200, NULL);
    s_expect(s_op("abcdefghijkl", "invoke-with-response-stream", S_LLAMA), 200, NULL);
    s_expect(s_op(IMPORTED, "converse", S_HELLO), 400, S_UNSUPPORTED);
    s_expect(s_op("abcdefghijkl", "converse-stream", S_HELLO), 400, S_UNSUPPORTED);
    s_expect(s_op(IMPORTED, "count-tokens", "{\"input\":{\"invokeModel\":{\"body\":\"e30=\"}}}"), 400,
             "The provided model doesn't support counting tokens.");
}

Test(model_ids_http, provisioned_custom_and_endpoint_arns_answer_as_their_model)
{
    s_expect(s_op(PROVISIONED, "converse", S_HELLO), 200, NULL);
    s_expect(s_op(ENDPOINT, "converse-stream", S_HELLO), 200, NULL);
    s_expect(s_op(DEPLOYMENT, "converse", S_HELLO), 200, NULL);
    struct th_response r = s_op(CUSTOM, "invoke",
                                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":50,"
                                "\"messages\":[{\"role\":\"user\",\"content\":\"hi custom\"}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "type")), "message", "Claude's native answer");
    th_response_free(&r);
    /* The endpoint declared as Claude takes a leading assistant turn; Nova Micro (the default) refuses it. */
    const char *leading = "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"text\":\"a\"}]},"
                          "{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}";
    s_expect(s_op(ENDPOINT, "converse", leading), 400, NULL);
    s_put_models("{\"resources\":[{\"id\":\"" ENDPOINT "\",\"model\":\"" HAIKU "\"}]}");
    s_expect(s_op(ENDPOINT, "converse", leading), 200, NULL);
}

Test(model_ids_http, a_resource_without_declaration_or_default_is_not_found)
{
    s_put_models("{\"resource_models\":{\"provisioned-model\":null}}");
    struct th_response r = s_op(PROVISIONED, "converse", S_HELLO);
    char type[128];
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert(strncmp(type, "ResourceNotFoundException", 25) == 0, "%s", type);
    s_expect(r, 404, "Could not resolve the foundation model from the provided model identifier.");
    s_expect(s_op(ENDPOINT, "converse", S_HELLO), 200, NULL);
    r = th_request(s_mock, "PUT", "/_mock/models", "{\"resource_models\":{\"router\":null}}", NULL);
    s_expect(r, 400, "resource_models.router names no kind of docs/models.md or no model of the catalogue.");
}

Test(model_ids_http, a_prompt_arn_substitutes_its_variables)
{
    s_put_models("{\"resources\":[{\"id\":\"" PROMPT "\",\"model\":\"" HAIKU "\","
                 "\"prompt\":\"Tell me about {{topic}} in {{words}} words.\"}]}");
    struct th_response r = s_op(PROMPT ":2", "converse",
                                "{\"promptVariables\":{\"topic\":{\"text\":\"otters\"},\"words\":{\"text\":\"ten\"}}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    char *text = cJSON_PrintUnformatted(r.json);
    cr_assert(strstr(text, "You said: Tell me about otters in ten words."), "%s", text);
    free(text);
    th_response_free(&r);
    /* The request's own messages follow the prompt; an undeclared prompt has only those. */
    r = s_op(ACCOUNT "prompt/OTHER12345", "converse", S_HELLO);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "You said: hi there"), "%s", r.body);
    th_response_free(&r);
}

Test(model_ids_http, a_prompt_arn_refuses_the_fields_the_prompt_sets)
{
    static const char *const fields[] = {
        "\"system\":[{\"text\":\"x\"}]",
        "\"inferenceConfig\":{\"maxTokens\":5}",
        "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{}}}}]}",
        "\"additionalModelRequestFields\":{\"top_k\":5}",
    };
    static const char *const names[] = {"system", "inferenceConfig", "toolConfig", "additionalModelRequestFields"};
    for (size_t i = 0; i < 4; i++) {
        char body[512], message[256];
        snprintf(body, sizeof(body), "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}],%s}",
                 fields[i]);
        snprintf(message, sizeof(message), "This model doesn't support the %s field. Remove %s and try again.",
                 names[i], names[i]);
        s_expect(s_op(PROMPT, "converse", body), 400, message);
        s_expect(s_op(HAIKU, "converse", body), 200, NULL); /* Claude takes each of them on its own id */
    }
}
