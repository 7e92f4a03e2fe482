/* InvokeModel and InvokeModelWithResponseStream for every native format of
 * mock/ops/invoke_formats.c that test_stream_ops.c does not cover: each family's answer shape,
 * token headers and stream chunks, a refusal in each family's own words, and the embedding
 * vectors (dimension, normalization, determinism). Facts: docs/operations.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/es_events.h"
#include "tests/support/harness.h"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    s_mock = th_mock_start(NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(invoke_families, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static struct th_response s_invoke(const char *model, const char *op, const char *body)
{
    char path[256];
    snprintf(path, sizeof(path), "/model/%s/%s", model, op);
    return th_request(s_mock, "POST", path, body, NULL);
}

/* A dotted path with array indices: "choices.0.message.content". */
static const cJSON *s_at(const cJSON *json, const char *path)
{
    char key[64];
    while (json && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, path);
        json = cJSON_IsArray(json) ? cJSON_GetArrayItem(json, atoi(key)) : cJSON_GetObjectItemCaseSensitive(json, key);
        path += n + (path[n] == '.');
    }
    return json;
}

static long s_header_long(const struct th_response *r, const char *name)
{
    char v[64];
    th_header(r, name, v, sizeof(v));
    return v[0] ? strtol(v, NULL, 10) : -1;
}

struct s_case {
    const char *model; /* percent-encoded */
    const char *body;
    const char *text;        /* path of the answer text */
    const char *stream_text; /* path of a stream chunk's text piece */
    const char *stop;        /* path of the stop reason */
    const char *stop_value;
    const char *said; /* what the echo must repeat; NULL: the text is cut short */
};

static const struct s_case s_cases[] = {
    {"cohere.command-text-v14", "{\"prompt\":\"Hi cohere\",\"max_tokens\":50}", "generations.0.text", "text",
     "generations.0.finish_reason", "COMPLETE", "Hi cohere"},
    {"cohere.command-r-v1%3A0",
     "{\"message\":\"Hi R\",\"preamble\":\"Be brief.\",\"chat_history\":[{\"role\":\"USER\",\"message\":\"one\"},"
     "{\"role\":\"CHATBOT\",\"message\":\"two\"}]}",
     "text", "text", "finish_reason", "COMPLETE", "Hi R"},
    {"mistral.mistral-7b-instruct-v0%3A2", "{\"prompt\":\"<s>[INST] Hi mistral [/INST]\",\"max_tokens\":3}",
     "outputs.0.text", "outputs.0.text", "outputs.0.stop_reason", "length", NULL},
    {"mistral.mistral-large-2407-v1%3A0", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi chat\"}]}",
     "choices.0.message.content", "choices.0.message.content", "choices.0.stop_reason", "stop", "Hi chat"},
    {"ai21.jamba-1-5-mini-v1%3A0",
     "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi jamba\"}]}",
     "choices.0.message.content", "choices.0.delta.content", "choices.0.finish_reason", "stop", "Hi jamba"},
    {"deepseek.v3.2",
     "{\"prompt\":\"<\xef\xbd\x9cUser\xef\xbd\x9c>Hi deepseek<\xef\xbd\x9c"
     "Assistant\xef\xbd\x9c>\"}",
     "choices.0.text", "choices.0.text", "choices.0.stop_reason", "stop", "Hi deepseek"},
    {"openai.gpt-oss-120b-1%3A0",
     "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi oss\"}]}],"
     "\"max_completion_tokens\":200}",
     "choices.0.message.content", "choices.0.delta.content", "choices.0.finish_reason", "stop", "Hi oss"},
#define S_CHAT_CASE(model, said)                                                                                    \
    {                                                                                                               \
        model,                                                                                                      \
            "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"" said \
            "\"}],\"max_tokens\":300}",                                                                             \
            "choices.0.message.content", "choices.0.delta.content", "choices.0.finish_reason", "stop", said         \
    }
    S_CHAT_CASE("qwen.qwen3-32b-v1%3A0", "Hi qwen"),
    S_CHAT_CASE("google.gemma-3-27b-it", "Hi gemma"),
    S_CHAT_CASE("minimax.minimax-m2", "Hi minimax"),
    S_CHAT_CASE("nvidia.nemotron-nano-12b-v2", "Hi nemotron"),
    S_CHAT_CASE("zai.glm-4.7-flash", "Hi glm"),
    S_CHAT_CASE("moonshot.kimi-k2-thinking", "Hi kimi"),
    S_CHAT_CASE("moonshotai.kimi-k2.5", "Hi kimi 2.5"),
    {"us.writer.palmyra-x5-v1%3A0",
     "{\"messages\":[{\"role\":\"user\",\"content\":{\"text\":\"Hi palmyra\"}}],\"max_tokens\":300}",
     "choices.0.message.content", "choices.0.delta.content", "choices.0.finish_reason", "stop", "Hi palmyra"},
    {"anthropic.claude-v2",
     "{\"prompt\":\"\\n\\nHuman: Hi claude\\n\\nAssistant:\",\"max_tokens_to_sample\":300,"
     "\"stop_sequences\":[\"said\"]}",
     "completion", "completion", "stop_reason", "stop_sequence", NULL},
};

Test(invoke_families, every_family_answers_in_its_own_shape)
{
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        const struct s_case *c = &s_cases[i];
        struct th_response r = s_invoke(c->model, "invoke", c->body);
        cr_assert_eq(r.status, 200, "%s: %s", c->model, r.body);
        const char *text = cJSON_GetStringValue(s_at(r.json, c->text));
        cr_assert(text && text[0], "%s: no text at %s in %s", c->model, c->text, r.body);
        cr_assert(!c->said || strstr(text, c->said), "%s: %s", c->model, text);
        cr_assert(!strstr(text, "[INST]") && !strstr(text, "Human:"), "%s: markers echoed: %s", c->model, text);
        cr_assert_str_eq(cJSON_GetStringValue(s_at(r.json, c->stop)), c->stop_value, "%s", c->model);
        cr_assert_gt(s_header_long(&r, "X-Amzn-Bedrock-Input-Token-Count"), 0, "%s", c->model);
        cr_assert_gt(s_header_long(&r, "X-Amzn-Bedrock-Output-Token-Count"), 0, "%s", c->model);
        th_response_free(&r);
    }
}

Test(invoke_families, chat_usage_agrees_with_the_token_headers)
{
    struct th_response r = s_invoke(s_cases[4].model, "invoke", s_cases[4].body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    long in = s_header_long(&r, "X-Amzn-Bedrock-Input-Token-Count");
    long out = s_header_long(&r, "X-Amzn-Bedrock-Output-Token-Count");
    cr_assert_eq((long)cJSON_GetNumberValue(s_at(r.json, "usage.prompt_tokens")), in);
    cr_assert_eq((long)cJSON_GetNumberValue(s_at(r.json, "usage.completion_tokens")), out);
    cr_assert_eq((long)cJSON_GetNumberValue(s_at(r.json, "usage.total_tokens")), in + out);
    th_response_free(&r);
}

/* The stream's text pieces join into the InvokeModel text; the last chunk carries the stop
 * reason and the invocation metrics. */
Test(invoke_families, every_family_streams_native_chunks)
{
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        const struct s_case *c = &s_cases[i];
        struct th_response whole = s_invoke(c->model, "invoke", c->body);
        struct th_response r = s_invoke(c->model, "invoke-with-response-stream", c->body);
        cr_assert_eq(r.status, 200, "%s: %s", c->model, r.body);
        cJSON *chunks[128];
        size_t n = th_invoke_chunks(r.body, r.body_len, chunks, 128);
        cr_assert_gt(n, 1, "%s", c->model);
        char joined[4096] = "";
        for (size_t k = 0; k + 1 < n; k++) {
            const char *piece = cJSON_GetStringValue(s_at(chunks[k], c->stream_text));
            cr_assert_not_null(piece, "%s: chunk %zu has no %s", c->model, k, c->stream_text);
            strncat(joined, piece, sizeof(joined) - strlen(joined) - 1);
        }
        cr_assert_str_eq(joined, cJSON_GetStringValue(s_at(whole.json, c->text)), "%s", c->model);
        const cJSON *metrics = cJSON_GetObjectItem(chunks[n - 1], "amazon-bedrock-invocationMetrics");
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(metrics, "outputTokenCount")), "%s", c->model);
        char *last = cJSON_PrintUnformatted(chunks[n - 1]);
        cr_assert(strstr(last, c->stop_value), "%s: %s", c->model, last);
        free(last);
        for (size_t k = 0; k < n; k++) {
            cJSON_Delete(chunks[k]);
        }
        th_response_free(&r);
        th_response_free(&whole);
    }
}

#define S_MALFORMED(problems) "Malformed input request: " problems ", please reformat your input and try again."

static const struct {
    const char *model;
    const char *body;
    const char *message;
} s_refusals[] = {
    {"cohere.command-text-v14", "{\"message\":\"x\"}",
     S_MALFORMED("#: required key [prompt] not found#: extraneous key [message] is not permitted")},
    {"cohere.command-r-plus-v1%3A0", "{\"prompt\":\"x\"}",
     S_MALFORMED("#: required key [message] not found#: extraneous key [prompt] is not permitted")},
    {"mistral.mixtral-8x7b-instruct-v0%3A1", "{\"prompt\":5}",
     S_MALFORMED("#/prompt: expected type: String, found: Integer")},
    {"mistral.mistral-large-2407-v1%3A0", "{\"messages\":[],\"top_k\":5}",
     S_MALFORMED("#: extraneous key [top_k] is not permitted")},
    {"ai21.jamba-1-5-large-v1%3A0", "{\"prompt\":\"x\"}",
     S_MALFORMED("#: required key [messages] not found#: extraneous key [prompt] is not permitted")},
    {"deepseek.v3.2", "{\"prompt\":\"x\",\"max_gen_len\":5}",
     S_MALFORMED("#: extraneous key [max_gen_len] is not permitted")},
    {"openai.gpt-oss-120b-1%3A0", "{}", S_MALFORMED("#: required key [messages] not found")},
    {"qwen.qwen3-32b-v1%3A0", "{\"prompt\":\"x\"}", S_MALFORMED("#: required key [messages] not found")},
    {"moonshotai.kimi-k2.5", "{\"inputText\":\"x\"}", S_MALFORMED("#: required key [messages] not found")},
    {"us.writer.palmyra-x4-v1%3A0", "{\"messages\":[],\"top_k\":5}",
     S_MALFORMED("#: extraneous key [top_k] is not permitted")},
    {"anthropic.claude-instant-v1", "{\"prompt\":\"\\n\\nHuman: x\\n\\nAssistant:\"}",
     S_MALFORMED("#: required key [max_tokens_to_sample] not found")},
    {"anthropic.claude-v2%3A1", "{\"prompt\":\"x\\n\\nAssistant:\",\"max_tokens_to_sample\":5}",
     "prompt must start with \"\n\nHuman:\" turn after an optional system prompt"},
    {"anthropic.claude-v2", "{\"prompt\":\"\\n\\nHuman: x\",\"max_tokens_to_sample\":5}",
     "Invalid prompt: prompt must end with \"\n\nAssistant:\" turn"},
    {"amazon.titan-embed-text-v2%3A0", "{\"inputText\":\"x\",\"dimensions\":100,\"normalize\":\"yes\"}",
     S_MALFORMED("#/dimensions: 100 is not a valid enum value#/normalize: expected type: Boolean, found: String")},
    {"amazon.titan-embed-text-v1", "{\"inputText\":\"x\",\"dimensions\":256}",
     S_MALFORMED("#: extraneous key [dimensions] is not permitted")},
    {"cohere.embed-english-v3", "{\"texts\":\"x\"}",
     S_MALFORMED("#: required key [input_type] not found#/texts: expected type: JSONArray, found: String")},
    {"cohere.embed-multilingual-v3", "{\"texts\":[],\"input_type\":\"search\"}",
     S_MALFORMED("#/input_type: \"search\" is not a valid enum value")},
};

Test(invoke_families, every_family_refuses_a_wrong_body_in_its_own_words)
{
    for (size_t i = 0; i < sizeof(s_refusals) / sizeof(s_refusals[0]); i++) {
        struct th_response r = s_invoke(s_refusals[i].model, "invoke", s_refusals[i].body);
        cr_assert_eq(r.status, 400, "%s: %s", s_refusals[i].model, r.body);
        cr_assert_str_eq(th_message(&r), s_refusals[i].message, "%s", s_refusals[i].model);
        th_response_free(&r);
    }
}

Test(invoke_families, cohere_embed_takes_at_most_96_texts)
{
    char body[2048] = "{\"input_type\":\"clustering\",\"texts\":[\"t\"";
    for (int i = 1; i < 97; i++) {
        strcat(body, ",\"t\"");
    }
    strcat(body, "]}");
    struct th_response r = s_invoke("cohere.embed-english-v3", "invoke", body);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert_str_eq(th_message(&r), S_MALFORMED("#/texts: expected maximum item count: 96, found: 97"));
    th_response_free(&r);
    body[strlen(body) - 6] = '\0'; /* drop the last ,"t" */
    strcat(body, "]}");
    r = s_invoke("cohere.embed-english-v3", "invoke", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "embeddings")), 96);
    th_response_free(&r);
}

static double s_norm(const cJSON *v)
{
    double sum = 0;
    const cJSON *x = NULL;
    cJSON_ArrayForEach(x, v)
    {
        sum += x->valuedouble * x->valuedouble;
    }
    return sqrt(sum);
}

static cJSON *s_embedding(const char *model, const char *body, const char *path)
{
    struct th_response r = s_invoke(model, "invoke", body);
    cr_assert_eq(r.status, 200, "%s: %s", model, r.body);
    cr_assert_eq(s_header_long(&r, "X-Amzn-Bedrock-Output-Token-Count"), 0);
    cr_assert_gt(s_header_long(&r, "X-Amzn-Bedrock-Input-Token-Count"), 0);
    cJSON *v = cJSON_Duplicate(s_at(r.json, path), 1);
    th_response_free(&r);
    return v;
}

Test(invoke_families, titan_embeddings_have_the_asked_dimension_and_norm)
{
    cJSON *a =
        s_embedding("amazon.titan-embed-text-v2%3A0", "{\"inputText\":\"hello\",\"dimensions\":256}", "embedding");
    cJSON *b = s_embedding("amazon.titan-embed-text-v2%3A0", "{\"inputText\":\"hello\",\"dimensions\":256}",
                           "embeddingsByType.float");
    cJSON *c =
        s_embedding("amazon.titan-embed-text-v2%3A0", "{\"inputText\":\"other\",\"dimensions\":256}", "embedding");
    cJSON *raw =
        s_embedding("amazon.titan-embed-text-v2%3A0", "{\"inputText\":\"hello\",\"normalize\":false}", "embedding");
    cJSON *v1 = s_embedding("amazon.titan-embed-text-v1", "{\"inputText\":\"hello\"}", "embedding");
    cr_assert_eq(cJSON_GetArraySize(a), 256);
    cr_assert(fabs(s_norm(a) - 1.0) < 1e-3, "norm %f", s_norm(a));
    cr_assert(cJSON_Compare(a, b, true), "the same text embeds the same");
    cr_assert_not(cJSON_Compare(a, c, true), "another text embeds differently");
    cr_assert_eq(cJSON_GetArraySize(raw), 1024, "the default dimension");
    cr_assert(fabs(s_norm(raw) - 1.0) > 0.5, "normalize false keeps the raw length: %f", s_norm(raw));
    cr_assert_eq(cJSON_GetArraySize(v1), 1536);
    cJSON *all[] = {a, b, c, raw, v1};
    for (size_t i = 0; i < 5; i++) {
        cJSON_Delete(all[i]);
    }
}

Test(invoke_families, cohere_embed_returns_one_vector_per_text)
{
    struct th_response r =
        s_invoke("cohere.embed-english-v3", "invoke", "{\"texts\":[\"one\",\"two\"],\"input_type\":\"search_query\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    const cJSON *e = cJSON_GetObjectItem(r.json, "embeddings");
    cr_assert_eq(cJSON_GetArraySize(e), 2);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetArrayItem(e, 0)), 1024);
    cr_assert_not(cJSON_Compare(cJSON_GetArrayItem(e, 0), cJSON_GetArrayItem(e, 1), true));
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "response_type")), "embeddings_floats");
    cr_assert_str_eq(cJSON_GetStringValue(s_at(r.json, "texts.1")), "two");
    cr_assert_eq(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "id"))), 36);
    th_response_free(&r);
}

Test(invoke_families, embedding_models_do_not_stream)
{
    struct th_response r =
        s_invoke("amazon.titan-embed-text-v2%3A0", "invoke-with-response-stream", "{\"inputText\":\"hello\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert_str_eq(th_message(&r), "The model is unsupported for streaming.");
    th_response_free(&r);
    r = s_invoke("cohere.command-text-v14", "invoke-with-response-stream", "{\"prompt\":\"hello\"}");
    cr_assert_eq(r.status, 200, "a text model streams: %s", r.body);
    th_response_free(&r);
}

Test(invoke_families, claude_2_takes_the_messages_api_too)
{
    struct th_response r = s_invoke("anthropic.claude-v2", "invoke",
                                    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,"
                                    "\"messages\":[{\"role\":\"user\",\"content\":\"Hi messages\"}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "type")), "message");
    cr_assert(strstr(cJSON_GetStringValue(s_at(r.json, "content.0.text")), "Hi messages"));
    th_response_free(&r);
}

/* Claude's extended-thinking rules on a native Anthropic body: the texts of Converse. */
static const struct {
    const char *fields;  /* spliced into a Messages body after "max_tokens":4000 */
    const char *message; /* NULL: accepted */
} s_thinking_cases[] = {
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":500}",
     "The model returned the following errors: thinking.enabled.budget_tokens: Input should be greater than or "
     "equal to 1024"},
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":4000}",
     "The model returned the following errors: `max_tokens` must be greater than `thinking.budget_tokens`. Please "
     "consult our documentation at https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking"
     "#max-tokens-and-context-window-size"},
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"temperature\":0.5",
     "The model returned the following errors: temperature may only be set to 1 when thinking is enabled."},
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"tool_choice\":{\"type\":\"any\"},"
     "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]",
     "The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use."},
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}", NULL},
    {",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"temperature\":1", NULL},
    {",\"temperature\":0.5", NULL},
};

Test(invoke_families, anthropic_bodies_follow_claudes_thinking_rules)
{
    const char *ops[] = {"invoke", "invoke-with-response-stream"};
    for (size_t i = 0; i < sizeof(s_thinking_cases) / sizeof(s_thinking_cases[0]); i++) {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":4000%s,"
                 "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                 s_thinking_cases[i].fields);
        for (size_t k = 0; k < 2; k++) {
            struct th_response r = s_invoke("us.anthropic.claude-3-7-sonnet-20250219-v1%3A0", ops[k], body);
            if (s_thinking_cases[i].message) {
                cr_assert_eq(r.status, 400, "%s %s: %s", ops[k], body, r.body);
                cr_assert_str_eq(th_message(&r), s_thinking_cases[i].message, "%s", body);
            } else {
                cr_assert_eq(r.status, 200, "%s %s: %s", ops[k], body, r.body);
            }
            th_response_free(&r);
        }
    }
}

Test(invoke_families, a_model_without_thinking_refuses_it_on_invoke_too)
{
    struct th_response r = s_invoke("anthropic.claude-3-haiku-20240307-v1%3A0", "invoke",
                                    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":4000,"
                                    "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
                                    "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert_str_eq(th_message(&r), "The model returned the following errors: 'claude-3-haiku-20240307' does not "
                                     "support thinking.");
    th_response_free(&r);
}
