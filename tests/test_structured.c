/*
 * Structured output: the schema-to-example generator (mock/model/schema_example.c) checked
 * with the tests' own validator (tests/support/schema_check.c), its bounds, the reply to
 * outputConfig.textFormat and to Anthropic's output_config.format over Converse and
 * ConverseStream, the refusals (validate/structured.c), a rule's scripted reply winning, and Claude's
 * strict-tool rules (which models take them, closed object schemas, how tools are counted).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/error.h"
#include "bedrock/request.h"
#include "common/tokens.h"
#include "mock/model/schema_example.h"
#include "mock/validate/structured.h"
#include "tests/support/es_events.h"
#include "tests/support/harness.h"
#include "tests/support/schema_check.h"

#define SONNET45 "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define HAIKU3 "anthropic.claude-3-haiku-20240307-v1:0"
#define NOVA "amazon.nova-lite-v1:0"
#define QWEN "qwen.qwen3-32b-v1:0"
#define PERSON                                                                                                 \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1},"                     \
    "\"email\":{\"type\":\"string\",\"format\":\"email\"},\"born\":{\"type\":\"string\",\"format\":\"date\"}," \
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},\"minItems\":1}},"    \
    "\"required\":[\"name\",\"email\",\"born\",\"tags\"],\"additionalProperties\":false}"

/* ---- the generator, feature by feature ------------------------------------------------ */

struct s_case {
    const char *name;
    const char *schema;
    const char *wrong; /* an instance the schema refuses: proves the check is not vacuous */
};

static const struct s_case s_cases[] = {
    {"required members only",
     "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":"
     "\"integer\"}},\"required\":[\"b\"],\"additionalProperties\":false}",
     "{\"a\":\"x\"}"},
    {"types",
     "{\"type\":\"object\",\"required\":[\"s\",\"i\",\"n\",\"b\",\"z\"],\"properties\":{\"s\":{\"type\":"
     "\"string\"},\"i\":{\"type\":\"integer\"},\"n\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"},"
     "\"z\":{\"type\":\"null\"}}}",
     "{\"s\":1,\"i\":1,\"n\":1,\"b\":true,\"z\":null}"},
    {"type list skips null", "{\"type\":[\"null\",\"string\"],\"minLength\":2}", "\"a\""},
    {"enum", "{\"type\":\"string\",\"enum\":[\"red\",\"green\"]}", "\"blue\""},
    {"const", "{\"const\":{\"k\":[1,2]}}", "{\"k\":[1]}"},
    {"formats",
     "{\"type\":\"object\",\"required\":[\"t\",\"d\",\"e\",\"u\",\"id\",\"h\",\"ip\"],\"properties\":{"
     "\"t\":{\"type\":\"string\",\"format\":\"date-time\"},\"d\":{\"type\":\"string\",\"format\":\"date\"},"
     "\"e\":{\"type\":\"string\",\"format\":\"email\"},\"u\":{\"type\":\"string\",\"format\":\"uri\"},"
     "\"id\":{\"type\":\"string\",\"format\":\"uuid\"},\"h\":{\"type\":\"string\",\"format\":\"hostname\"},"
     "\"ip\":{\"type\":\"string\",\"format\":\"ipv4\"}}}",
     "{\"t\":\"x\",\"d\":\"x\",\"e\":\"x\",\"u\":\"x\",\"id\":\"x\",\"h\":\"x\",\"ip\":\"x\"}"},
    {"nested objects and arrays",
     "{\"type\":\"object\",\"required\":[\"rows\"],\"properties\":{\"rows\":{\"type\":"
     "\"array\",\"minItems\":3,\"items\":{\"type\":\"object\",\"required\":[\"x\"],"
     "\"properties\":{\"x\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":"
     "\"number\"}}}}}}}",
     "{\"rows\":[{\"x\":[1]}]}"},
    {"format within maxLength", "{\"type\":\"string\",\"format\":\"date\",\"maxLength\":10}", "\"2024-01-011\""},
    {"padded string", "{\"type\":\"string\",\"minLength\":5,\"maxLength\":5}", "\"abcd\""},
    {"pattern", "{\"type\":\"string\",\"pattern\":\"^[A-Z]{3}-\\\\d{4}(x|y)?$\"}", "\"AB-1234\""},
    {"pattern in class and group", "{\"type\":\"string\",\"pattern\":\"^(?:ab|cd)+[^a-z0-9][\\\\w.]{2,}$\"}",
     "\"abab\""},
    {"minimum", "{\"type\":\"integer\",\"minimum\":7}", "6"},
    {"maximum", "{\"type\":\"number\",\"maximum\":-2.5}", "0"},
    {"exclusive bounds", "{\"type\":\"number\",\"exclusiveMinimum\":1,\"exclusiveMaximum\":2}", "1"},
    {"exclusive integer", "{\"type\":\"integer\",\"exclusiveMinimum\":10}", "10"},
    {"multipleOf", "{\"type\":\"integer\",\"minimum\":5,\"multipleOf\":4}", "5"},
    {"anyOf first", "{\"anyOf\":[{\"type\":\"string\",\"minLength\":2},{\"type\":\"null\"}]}", "3"},
    {"oneOf first", "{\"oneOf\":[{\"type\":\"integer\",\"minimum\":3},{\"type\":\"string\"}]}", "true"},
    {"allOf merged",
     "{\"allOf\":[{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":"
     "\"integer\"}}},{\"type\":\"object\",\"required\":[\"b\"],\"properties\":{\"b\":{\"type\":"
     "\"boolean\"}}}]}",
     "{\"a\":1}"},
    {"$defs",
     "{\"type\":\"object\",\"required\":[\"p\"],\"properties\":{\"p\":{\"$ref\":\"#/$defs/Point\"}},"
     "\"$defs\":{\"Point\":{\"type\":\"object\",\"required\":[\"x\",\"y\"],\"properties\":{\"x\":{"
     "\"type\":\"number\"},\"y\":{\"type\":\"number\"}}}}}",
     "{\"p\":{\"x\":1}}"},
    {"definitions", "{\"$ref\":\"#/definitions/Colour\",\"definitions\":{\"Colour\":{\"enum\":[\"c1\",\"c2\"]}}}",
     "\"c3\""},
    {"prefixItems",
     "{\"type\":\"array\",\"minItems\":2,\"prefixItems\":[{\"type\":\"string\"},{\"type\":"
     "\"integer\"}]}",
     "[1,\"a\"]"},
    {"person", PERSON, "{\"name\":\"\",\"email\":\"x\",\"born\":\"x\",\"tags\":[]}"},
};

static cJSON *s_parse(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    cr_assert_not_null(v, "test data is not JSON: %s", text);
    return v;
}

Test(schema_example, every_feature_gives_an_instance_the_schema_accepts)
{
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        cJSON *schema = s_parse(s_cases[i].schema);
        cJSON *example = mock_schema_example(schema);
        char *text = cJSON_PrintUnformatted(example), why[512];
        cr_expect(th_schema_valid(schema, example, why, sizeof(why)), "%s: %s refused: %s", s_cases[i].name, text, why);
        free(text);
        cJSON_Delete(example);
        cJSON_Delete(schema);
    }
}

Test(schema_example, the_validator_refuses_each_wrong_instance)
{
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        cJSON *schema = s_parse(s_cases[i].schema);
        cJSON *wrong = s_parse(s_cases[i].wrong);
        char why[512];
        cr_expect(!th_schema_valid(schema, wrong, why, sizeof(why)), "%s: %s accepted", s_cases[i].name,
                  s_cases[i].wrong);
        cr_expect(why[0] != '\0', "%s: a refusal names its reason", s_cases[i].name);
        cJSON_Delete(wrong);
        cJSON_Delete(schema);
    }
}

Test(schema_example, keeps_the_minimal_answer_of_the_forced_tool_reply)
{
    cJSON *schema = s_parse(
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"minLength\":2},"
        "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]},\"n\":{\"type\":\"integer\",\"minimum\":3},"
        "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":1},\"opt\":{\"type\":\"string\"}},"
        "\"required\":[\"city\",\"unit\",\"n\",\"tags\"]}");
    cJSON *inst = mock_schema_example(schema);
    char *text = cJSON_PrintUnformatted(inst);
    cr_assert_str_eq(text, "{\"city\":\"aa\",\"unit\":\"c\",\"n\":3,\"tags\":[false]}");
    cr_assert_null(cJSON_GetObjectItem(inst, "opt"), "optional members are left out");
    free(text);
    cJSON_Delete(inst);
    cJSON_Delete(schema);
}

/* ---- bounds --------------------------------------------------------------------------- */

static size_t s_printed_len(const char *schema_text)
{
    cJSON *schema = s_parse(schema_text);
    cJSON *example = mock_schema_example(schema);
    cr_assert_not_null(example);
    char *text = cJSON_PrintUnformatted(example);
    size_t n = strlen(text);
    free(text);
    cJSON_Delete(example);
    cJSON_Delete(schema);
    return n;
}

Test(schema_example, stays_bounded_on_hostile_schemas)
{
    /* A reference to itself, forever: depth-bounded. */
    size_t n = s_printed_len("{\"type\":\"object\",\"required\":[\"a\",\"b\"],\"properties\":{\"a\":{\"$ref\":\"#\"},"
                             "\"b\":{\"$ref\":\"#\"}}}");
    cr_assert_lt(n, 1024 * 1024, "self reference: %zu bytes", n);
    /* 64 items of 64 items of ...: node-bounded. */
    n = s_printed_len("{\"type\":\"array\",\"minItems\":1000000,\"items\":{\"$ref\":\"#\"}}");
    cr_assert_lt(n, 64 * 1024, "wide and deep arrays: %zu bytes", n);
    /* A billion characters asked for: string-bounded. */
    n = s_printed_len("{\"type\":\"array\",\"minItems\":50,\"items\":{\"type\":\"string\",\"minLength\":1e9}}");
    cr_assert_leq(n, MOCK_EXAMPLE_MAX_STRING_BYTES + 1024, "long strings: %zu bytes", n);
    /* A big const copied into every item: charged to the budget. */
    char big[12000] = "{\"type\":\"array\",\"minItems\":64,\"items\":{\"const\":[";
    for (int i = 0; i < 2000; i++) {
        strcat(big, i ? ",1" : "1");
    }
    strcat(big, "]}}");
    n = s_printed_len(big);
    cr_assert_lt(n, MOCK_EXAMPLE_MAX_NODES * 4, "copied consts: %zu bytes", n);
}

Test(schema_example, an_unbounded_case_would_have_been_larger)
{
    /* The failing neighbour of the bounds above: a small minItems is honoured in full. */
    size_t n = s_printed_len("{\"type\":\"array\",\"minItems\":10,\"items\":{\"type\":\"string\",\"minLength\":100}}");
    cr_assert_eq(n, 10 * 102 + 9 + 2, "ten strings of 100 characters: %zu bytes", n);
}

Test(schema_example, patterns_it_cannot_follow_fall_back_to_length_rules)
{
    const char *unfollowed[] = {"(?=a)b", "(a)\\1", "\\u0041", "a{2", "[z-a]", "(ab", "ab)", "*a"};
    char out[64];
    for (size_t i = 0; i < sizeof(unfollowed) / sizeof(unfollowed[0]); i++) {
        bool ok = mock_pattern_example(unfollowed[i], out, sizeof(out));
        cr_expect(!ok || !strcmp(unfollowed[i], "a{2"), "%s gave %s", unfollowed[i], out);
    }
    cr_assert(mock_pattern_example("a{2", out, sizeof(out)), "a brace that is no quantifier is a literal");
    cr_assert_str_eq(out, "a{2");
    cr_assert(!mock_pattern_example("a{100000}", out, sizeof(out)), "an example longer than the buffer");
    cJSON *schema = s_parse("{\"type\":\"string\",\"pattern\":\"(?=x)\",\"minLength\":3}");
    cJSON *example = mock_schema_example(schema);
    cr_assert_str_eq(cJSON_GetStringValue(example), "aaa");
    cJSON_Delete(example);
    cJSON_Delete(schema);
}

/* ---- the reply over HTTP -------------------------------------------------------------- */

static struct brk_mock *s_mock;

static void s_setup(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.stream_chunk_chars = 7;
    s_mock = th_mock_start(&cfg);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(structured, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

/* A Converse body asking for `schema` through outputConfig (the schema as a JSON string). */
static char *s_output_config_body(const char *schema, const char *extra)
{
    cJSON *body = s_parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Extract the person.\"}]}]}");
    cJSON *json_schema = cJSON_CreateObject();
    cJSON_AddStringToObject(json_schema, "name", "person");
    cJSON_AddStringToObject(json_schema, "schema", schema);
    cJSON *format = cJSON_AddObjectToObject(cJSON_AddObjectToObject(body, "outputConfig"), "textFormat");
    cJSON_AddStringToObject(format, "type", "json_schema");
    cJSON_AddItemToObject(cJSON_AddObjectToObject(format, "structure"), "jsonSchema", json_schema);
    if (extra) {
        cJSON *more = s_parse(extra), *m = NULL;
        cJSON_ArrayForEach(m, more)
        {
            cJSON_AddItemToObject(body, m->string, cJSON_Duplicate(m, 1));
        }
        cJSON_Delete(more);
    }
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return text;
}

/* What the Vercel AI SDK's Output.object sends to Claude: the schema as an object. */
static char *s_anthropic_body(const char *schema)
{
    char *text = malloc(strlen(schema) + 512);
    sprintf(text,
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Extract the person.\"}]}],"
            "\"additionalModelRequestFields\":{\"output_config\":{\"format\":{\"type\":\"json_schema\","
            "\"schema\":%s}}}}",
            schema);
    return text;
}

static const char *s_text(const struct th_response *r)
{
    const cJSON *content =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "output"), "message"), "content");
    return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text"));
}

static void s_assert_valid_reply(const struct th_response *r, const char *schema_text)
{
    cr_assert_eq(r->status, 200, "%s", r->body);
    const char *text = s_text(r);
    cr_assert_not_null(text, "a text block: %s", r->body);
    cJSON *value = cJSON_Parse(text), *schema = s_parse(schema_text);
    cr_assert_not_null(value, "the text is JSON: %s", text);
    char why[512];
    cr_assert(th_schema_valid(schema, value, why, sizeof(why)), "%s: %s", text, why);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r->json, "stopReason")), "end_turn");
    const cJSON *usage = cJSON_GetObjectItem(r->json, "usage");
    cr_assert_eq((uint64_t)cJSON_GetObjectItem(usage, "outputTokens")->valuedouble, brk_tokens_estimate_str(text),
                 "output tokens count the JSON text");
    cJSON_Delete(value);
    cJSON_Delete(schema);
}

/* Converse `body` (freed here) on `model`; the reply must be JSON satisfying `schema`. */
static void s_expect_json_reply(const char *model, char *body, const char *schema)
{
    struct th_response r = th_converse(s_mock, model, body);
    s_assert_valid_reply(&r, schema);
    th_response_free(&r);
    free(body);
}

Test(structured, output_config_gets_json_text_that_satisfies_the_schema)
{
    s_expect_json_reply(SONNET45, s_output_config_body(PERSON, NULL), PERSON);
}

Test(structured, without_it_the_same_question_gets_the_echo)
{
    struct th_response r =
        th_converse(s_mock, SONNET45, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Extract it.\"}]}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_null(cJSON_Parse(s_text(&r)), "plain text, not JSON: %s", s_text(&r));
    th_response_free(&r);
}

Test(structured, anthropic_output_config_format_as_the_ai_sdk_sends_it)
{
    s_expect_json_reply(SONNET45, s_anthropic_body(PERSON), PERSON);
}

Test(structured, a_non_claude_model_with_structured_output_answers_too)
{
    const char *schema = "{\"type\":\"object\",\"required\":[\"score\"],\"properties\":{\"score\":{\"type\":"
                         "\"number\",\"minimum\":0.5,\"maximum\":1}}}";
    s_expect_json_reply(QWEN, s_output_config_body(schema, NULL), schema);
}

Test(structured, stream_deltas_concatenate_to_the_converse_text)
{
    char *body = s_output_config_body(PERSON, NULL);
    struct th_response whole = th_converse(s_mock, SONNET45, body);
    char enc[256], path[320];
    th_encode_label(SONNET45, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse-stream", enc);
    struct th_response r = th_request(s_mock, "POST", path, body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    struct th_events *e = calloc(1, sizeof(*e));
    th_events_decode(r.body, r.body_len, e);
    size_t deltas = 0;
    for (size_t i = 0; i < e->n; i++) {
        deltas += strcmp(e->ev[i].type, "contentBlockDelta") == 0;
    }
    char *joined = th_events_join(e, 0, NULL, "text");
    cr_assert_str_eq(joined, s_text(&whole));
    cr_assert_gt(deltas, 1, "the JSON arrives in several deltas");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e->ev[e->n - 2].payload, "stopReason")), "end_turn");
    char *a = cJSON_PrintUnformatted(cJSON_GetObjectItem(e->ev[e->n - 1].payload, "usage"));
    char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(whole.json, "usage"));
    cr_assert_str_eq(a, b, "usage agrees with Converse");
    free(a);
    free(b);
    free(joined);
    th_events_free(e);
    free(e);
    th_response_free(&r);
    th_response_free(&whole);
    free(body);
}

Test(structured, max_tokens_cuts_the_json_and_says_so)
{
    char *body = s_output_config_body(PERSON, "{\"inferenceConfig\":{\"maxTokens\":3}}");
    struct th_response r = th_converse(s_mock, SONNET45, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "stopReason")), "max_tokens");
    cr_assert_null(cJSON_Parse(s_text(&r)), "cut JSON does not parse, as on Bedrock: %s", s_text(&r));
    th_response_free(&r);
    free(body);
}

Test(structured, a_scripted_reply_still_wins)
{
    struct th_response rule =
        th_request(s_mock, "POST", "/_mock/rules",
                   "{\"match\":{\"text\":\"Extract\"},\"reply\":{\"text\":\"{\\\"scripted\\\":1}\"}}", NULL);
    cr_assert_eq(rule.status, 201, "%s", rule.body);
    char *body = s_output_config_body(PERSON, NULL);
    struct th_response r = th_converse(s_mock, SONNET45, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(s_text(&r), "{\"scripted\":1}");
    th_response_free(&r);
    th_response_free(&rule);
    free(body);
}

/* ---- refusals ------------------------------------------------------------------------- */

static void s_assert_refused(const char *model, const char *body, const char *message)
{
    struct th_response r = th_converse(s_mock, model, body);
    cr_assert_eq(r.status, 400, "%s -> %ld %s", model, r.status, r.body);
    char type[96];
    th_header(&r, "x-amzn-ErrorType", type, sizeof(type));
    cr_assert(strncmp(type, "ValidationException", 19) == 0, "%s", type);
    cr_assert_str_eq(th_message(&r), message);
    th_response_free(&r);
}

static void s_assert_accepted(const char *model, const char *body)
{
    struct th_response r = th_converse(s_mock, model, body);
    cr_assert_eq(r.status, 200, "%s -> %ld %s", model, r.status, r.body);
    th_response_free(&r);
}

Test(structured, models_without_structured_output_refuse_it)
{
    char *body = s_output_config_body(PERSON, NULL);
    char *anthropic = s_anthropic_body(PERSON);
    s_assert_refused(HAIKU3, body,
                     "The model returned the following errors: output_config.format: Extra inputs are not permitted");
    s_assert_refused(HAIKU3, anthropic,
                     "The model returned the following errors: output_config.format: Extra inputs are not permitted");
    s_assert_accepted(SONNET45, body);
    s_assert_accepted(SONNET45, anthropic);
    free(anthropic);
    free(body);
}

Test(structured, other_families_are_not_refused_and_get_json)
{
    /* No source records a refusal outside Claude; litellm#27846 reports Nova answering it. */
    s_expect_json_reply(NOVA, s_output_config_body(PERSON, NULL), PERSON);
    /* Claude's own field is a key Nova's schema does not take (docs/validation.md, "Model fields"). */
    char *anthropic = s_anthropic_body(PERSON);
    s_assert_refused(NOVA, anthropic,
                     "Malformed input request: #: extraneous key [output_config] is not permitted, please reformat "
                     "your input and try again.");
    free(anthropic);
}

Test(structured, a_schema_that_is_not_a_json_object_is_refused)
{
    char *bad = s_output_config_body("[1,2", NULL), *good = s_output_config_body("{}", NULL);
    s_assert_refused(SONNET45, bad,
                     "The format of the value at outputConfig.textFormat.structure.jsonSchema.schema is invalid. "
                     "Provide a json object for the field and try again.");
    s_assert_accepted(SONNET45, good);
    free(bad);
    free(good);
}

static void s_keyword_case(const char *schema, const char *message)
{
    char *body = s_output_config_body(schema, NULL), *anthropic = s_anthropic_body(schema);
    if (message) {
        s_assert_refused(SONNET45, body, message);
        s_assert_refused(SONNET45, anthropic, message);
    } else {
        s_assert_accepted(SONNET45, body);
        s_assert_accepted(SONNET45, anthropic);
    }
    free(body);
    free(anthropic);
}

#define S_PREFIX "The model returned the following errors: output_config.format.schema: "

Test(structured, claude_refuses_the_keywords_bedrock_refuses)
{
    s_keyword_case("{\"type\":\"object\",\"properties\":{\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}}}",
                   S_PREFIX "For 'number' type, properties maximum, minimum are not supported");
    s_keyword_case("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":[\"integer\",\"null\"],\"minimum\":1}}}",
                   S_PREFIX "For 'integer' type, property 'minimum' is not supported");
    s_keyword_case("{\"$defs\":{\"L\":{\"type\":\"array\",\"maxItems\":3}},\"type\":\"object\"}",
                   S_PREFIX "For 'array' type, property 'maxItems' is not supported");
    s_keyword_case("{\"type\":\"array\",\"items\":{\"type\":\"number\",\"multipleOf\":2,\"exclusiveMinimum\":0}}",
                   S_PREFIX "For 'number' type, properties exclusiveMinimum, multipleOf are not supported");
    s_keyword_case("{\"anyOf\":[{\"type\":\"array\",\"minItems\":2}]}",
                   S_PREFIX "For 'array' type, property 'minItems' is not supported");
}

Test(structured, claude_accepts_their_neighbours)
{
    s_keyword_case("{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"string\",\"minLength\":2,"
                   "\"maxLength\":9}}",
                   NULL);
    s_keyword_case("{\"type\":\"object\",\"properties\":{\"minimum\":{\"type\":\"string\"}}}", NULL);
    /* Other families: no source says what they refuse, so nothing is. */
    char *body = s_output_config_body("{\"type\":\"number\",\"maximum\":3}", NULL);
    s_assert_accepted(QWEN, body);
    free(body);
}

/* ---- usage ---------------------------------------------------------------------------- */

static double s_input_tokens(const char *body)
{
    struct th_response r = th_converse(s_mock, SONNET45, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    double n = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "usage"), "inputTokens")->valuedouble;
    th_response_free(&r);
    return n;
}

Test(structured, both_fields_cost_claude_the_same_input_overhead)
{
    char *output_config = s_output_config_body(PERSON, NULL), *anthropic = s_anthropic_body(PERSON);
    double plain =
        s_input_tokens("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Extract the person.\"}]}]}");
    double a = s_input_tokens(output_config), b = s_input_tokens(anthropic);
    cr_assert_eq(a, b, "outputConfig %g, output_config.format %g", a, b);
    cr_assert_gt(a, plain + 150, "structured output adds Claude's overhead (token-accounting.md §2.1): %g vs %g", a,
                 plain);
    free(output_config);
    free(anthropic);
}

/* ---- the client's request builder ----------------------------------------------------- */

Test(structured, libbedrocks_output_json_schema_reaches_the_reply)
{
    struct brk_request *req = brk_request_new(SONNET45);
    cr_assert_eq(brk_request_message(req, BRK_ROLE_USER), BRK_OK);
    cr_assert_eq(brk_request_text(req, "Extract the person."), BRK_OK);
    cr_assert_eq(brk_request_output_json_schema(req, PERSON, "person", NULL), BRK_OK);
    struct brk_buf body;
    struct brk_error err;
    brk_buf_init(&body, 1 << 20);
    cr_assert_eq(brk_request_to_json(req, BRK_REQUEST_CONVERSE, &body, &err), BRK_OK, "%s", err.message);
    s_expect_json_reply(SONNET45, brk_buf_detach(&body, NULL), PERSON);
    brk_request_destroy(req);
}

/* ---- strict tools on Claude (validate/family.c, validate/structured.c) ----------------- */

#define S_OPEN_OBJECT                                                                                              \
    "The model returned the following errors: tools.%d.custom: For 'object' type, 'additionalProperties' must be " \
    "explicitly set to false"
#define S_STRICT_EXTRA "The model returned the following errors: tools.%d.custom.strict: Extra inputs are not permitted"
#define S_CLOSED_TOOL "{\"toolSpec\":{\"name\":\"plain\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}"

/* A Converse body whose toolConfig.tools is `tools` (a JSON list's inside). */
static char *s_tools_body(const char *tools)
{
    const char *head =
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Plan it.\"}]}],\"toolConfig\":{\"tools\":[";
    char *text = malloc(strlen(head) + strlen(tools) + 8);
    sprintf(text, "%s%s]}}", head, tools);
    return text;
}

/* One strict tool named "t" with input schema `schema`. */
static char *s_strict_tool(const char *schema)
{
    char *text = malloc(strlen(schema) + 96);
    sprintf(text, "{\"toolSpec\":{\"name\":\"t\",\"strict\":true,\"inputSchema\":{\"json\":%s}}}", schema);
    return text;
}

enum s_verdict {
    S_ACCEPTED,
    S_OPEN,  /* the closed-object text */
    S_EXTRA, /* the strict field refused */
};

/* `tools` sent to `model`: accepted, or refused with the `verdict` text naming Claude's tool `n`. */
static void s_tools_case(const char *model, const char *tools, enum s_verdict verdict, int n)
{
    char *body = s_tools_body(tools), message[256];
    if (verdict == S_ACCEPTED) {
        s_assert_accepted(model, body);
    } else {
        if (verdict == S_OPEN) {
            snprintf(message, sizeof(message), S_OPEN_OBJECT, n);
        } else {
            snprintf(message, sizeof(message), S_STRICT_EXTRA, n);
        }
        s_assert_refused(model, body, message);
    }
    free(body);
}

/* A closed root whose property "a" is the schema that follows (close with "}}"). */
#define S_ROOT "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":"

/* Each pair: a schema with one open object somewhere, and the same schema closed. */
static const char *const s_open_closed[][2] = {
    {"{\"type\":\"object\"}", "{\"type\":\"object\",\"additionalProperties\":false}"},
    {"{\"type\":\"object\",\"additionalProperties\":true}", "{\"type\":\"object\",\"additionalProperties\":false}"},
    {"{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"k\":{\"type\":\"string\"}}}"},
    {"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"object\"}}}",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"object\","
     "\"additionalProperties\":false}}}"},
    {S_ROOT "{\"type\":\"array\",\"items\":{\"type\":[\"object\",\"null\"]}}}}",
     S_ROOT "{\"type\":\"array\",\"items\":{\"type\":[\"object\",\"null\"],\"additionalProperties\":false}}}}"},
    {S_ROOT "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\"}]}}}",
     S_ROOT "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\",\"additionalProperties\":false}]}}}"},
    {"{\"type\":\"object\",\"additionalProperties\":false,\"$defs\":{\"p\":{\"type\":\"object\"}}}",
     "{\"type\":\"object\",\"additionalProperties\":false,\"$defs\":{\"p\":{\"type\":\"object\","
     "\"additionalProperties\":false}}}"},
};

Test(structured, a_strict_tool_on_claude_needs_every_object_closed)
{
    for (size_t i = 0; i < sizeof(s_open_closed) / sizeof(s_open_closed[0]); i++) {
        char *open = s_strict_tool(s_open_closed[i][0]), *closed = s_strict_tool(s_open_closed[i][1]);
        s_tools_case(SONNET45, open, S_OPEN, 0);
        s_tools_case(SONNET45, closed, S_ACCEPTED, 0);
        free(open);
        free(closed);
    }
}

Test(structured, only_strict_tools_on_claude_need_closed_objects)
{
    char *open = s_strict_tool("{\"type\":\"object\"}");
    s_tools_case(SONNET45, "{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}",
                 S_ACCEPTED, 0);
    s_tools_case("minimax.minimax-m2", open, S_ACCEPTED, 0); /* no source says what other families refuse */
    free(open);
}

Test(structured, claude_counts_its_tools_without_cache_points)
{
    char *open = s_strict_tool("{\"type\":\"object\"}"), tools[512];
    snprintf(tools, sizeof(tools), "%s,{\"cachePoint\":{\"type\":\"default\"}},%s", S_CLOSED_TOOL, open);
    s_tools_case(SONNET45, tools, S_OPEN, 1);
    s_tools_case("us.anthropic.claude-sonnet-5", tools, S_EXTRA, 1);
    /* Bedrock's own pattern, on a family without strict tools, names the Converse entry. */
    char *body = s_tools_body(tools);
    s_assert_refused("us.amazon.nova-micro-v1:0", body,
                     "This model doesn't support the toolConfig.tools.2.toolSpec.strict field. Remove "
                     "toolConfig.tools.2.toolSpec.strict and try again.");
    free(body);
    free(open);
}

Test(structured, claude_models_with_and_without_strict_tools)
{
    char *closed = s_strict_tool("{\"type\":\"object\",\"additionalProperties\":false}");
    const char *refuse[] = {"us.anthropic.claude-sonnet-5", "us.anthropic.claude-opus-4-7",
                            "us.anthropic.claude-opus-4-8", "us.anthropic.claude-opus-4-1-20250805-v1:0"};
    const char *accept[] = {"us.anthropic.claude-opus-5", "global.anthropic.claude-fable-5",
                            "eu.anthropic.claude-sonnet-4-6", SONNET45};
    for (size_t i = 0; i < 4; i++) {
        s_tools_case(refuse[i], closed, S_EXTRA, 0);
        s_tools_case(accept[i], closed, S_ACCEPTED, 0);
    }
    free(closed);
}

Test(structured, the_closed_object_walk_stops_at_its_depth_limit)
{
    /* An open object just inside MOCK_STRUCTURED_SCAN_DEPTH is found; one below it is not walked.
     * The root is depth 0, its property "a" depth 1, each array one more. */
    char *deep[2];
    for (int k = 0; k < 2; k++) {
        int arrays = MOCK_STRUCTURED_SCAN_DEPTH - 1 + k;
        struct brk_buf b;
        brk_buf_init(&b, 64 * 1024);
        brk_buf_append_str(&b, S_ROOT);
        for (int i = 0; i < arrays; i++) {
            brk_buf_append_str(&b, "{\"type\":\"array\",\"items\":");
        }
        brk_buf_append_str(&b, "{\"type\":\"object\"}");
        for (int i = 0; i < arrays; i++) {
            brk_buf_append_str(&b, "}");
        }
        brk_buf_append_str(&b, "}}");
        cr_assert_not_null(b.data);
        deep[k] = s_strict_tool(b.data);
        brk_buf_clean_up(&b);
    }
    s_tools_case(SONNET45, deep[0], S_OPEN, 0);
    s_tools_case(SONNET45, deep[1], S_ACCEPTED, 0);
    free(deep[0]);
    free(deep[1]);
}
