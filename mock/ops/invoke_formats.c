/*
 * invoke_formats.c: the native body formats of InvokeModel, one row each, and which model
 * speaks which (see invoke.h). Adding a family is adding rows here; docs/operations.md lists
 * them with their sources (the Bedrock user guide's model-parameters pages). Field lists
 * follow those pages; error texts follow Bedrock's validator (bedrock-facts.md section 11).
 */
#include <stddef.h>
#include <string.h>

#include "common/json.h"
#include "mock/ops/invoke.h"

#define S_STOPS(end, max, seq, tool) \
    {                                \
        end, max, seq, tool          \
    }

/* ---- Anthropic ---------------------------------------------------------------------- */

static const char *const s_anthropic_required[] = {"max_tokens", "anthropic_version", NULL};
static const char *const s_anthropic_allowed[] = {
    "anthropic_version", "anthropic_beta", "messages", "system", "max_tokens",
    "stop_sequences",    "temperature",    "top_p",    "top_k",  "tools",
    "tool_choice",       "thinking",       "metadata", NULL};

static const struct mock_native_format s_anthropic = {.name = "anthropic-messages",
                                                      .map = MOCK_MAP_ANTHROPIC,
                                                      .render = MOCK_RENDER_ANTHROPIC,
                                                      .req = {.required = s_anthropic_required,
                                                              .allowed = s_anthropic_allowed}};

/* Claude 2 and Instant text completions: model-parameters-anthropic-claude-text-completion. */
static const char *const s_claude_text_required[] = {"prompt", "max_tokens_to_sample", NULL};
static const char *const s_claude_text_allowed[] = {"prompt", "max_tokens_to_sample", "temperature",       "top_k",
                                                    "top_p",  "stop_sequences",       "anthropic_version", NULL};

static const struct mock_native_format s_claude_text = {
    .name = "anthropic-text-completions",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_claude_text_required,
            .allowed = s_claude_text_allowed,
            .prompt = "prompt",
            .turn_open = "\n\nHuman:",
            .turn_close = "\n\nAssistant:",
            .markers_required = true,
            .max_tokens = "max_tokens_to_sample",
            .stop = "stop_sequences"},
    .resp = {.body = "{\"type\":\"completion\",\"completion\":\"$text\",\"stop_reason\":\"$stop\",\"stop\":null}",
             .chunk = "{\"type\":\"completion\",\"completion\":\"$text\",\"stop_reason\":\"$stop\",\"stop\":null}",
             .stop_names = S_STOPS("stop_sequence", "max_tokens", "stop_sequence", "stop_sequence")}};

/* ---- Amazon ------------------------------------------------------------------------- */

static const char *const s_nova_required[] = {"messages", NULL};
static const struct mock_native_format s_nova = {.name = "nova-messages-v1",
                                                 .map = MOCK_MAP_NOVA,
                                                 .render = MOCK_RENDER_NOVA,
                                                 .req = {.required = s_nova_required}};

static const char *const s_titan_required[] = {"inputText", NULL};
static const struct mock_native_format s_titan = {
    .name = "titan-text",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_titan_required,
            .prompt = "inputText",
            .max_tokens = "textGenerationConfig.maxTokenCount",
            .stop = "textGenerationConfig.stopSequences"},
    .resp = {.body = "{\"inputTextTokenCount\":\"$in\",\"results\":[{\"tokenCount\":\"$out\",\"outputText\":\"$text\","
                     "\"completionReason\":\"$stop\"}]}",
             .chunk = "{\"outputText\":\"$text\",\"index\":0,\"inputTextTokenCount\":\"$in\","
                      "\"totalOutputTextTokenCount\":\"$out\",\"completionReason\":\"$stop\"}",
             .stop_names = S_STOPS("FINISH", "LENGTH", "STOP_CRITERIA_MET", "FINISH")}};

/* Titan Text Embeddings: model-parameters-titan-embed-text. */
static const char *const s_titan_embed_v1_allowed[] = {"inputText", NULL};
static const struct mock_native_format s_titan_embed_v1 = {
    .name = "titan-embed-text-v1",
    .map = MOCK_MAP_EMBED,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_titan_required, .allowed = s_titan_embed_v1_allowed, .prompt = "inputText"},
    .resp = {.body = "{\"embedding\":\"$vector\",\"inputTextTokenCount\":\"$in\"}"},
    .embed = {.dimension = 1536}};

static const unsigned s_titan_v2_dimensions[] = {1024, 512, 256, 0};
static const char *const s_titan_embed_v2_allowed[] = {"inputText", "dimensions", "normalize", "embeddingTypes", NULL};
static const struct mock_native_format s_titan_embed_v2 = {
    .name = "titan-embed-text-v2",
    .map = MOCK_MAP_EMBED,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_titan_required, .allowed = s_titan_embed_v2_allowed, .prompt = "inputText"},
    .resp = {.body = "{\"embedding\":\"$vector\",\"embeddingsByType\":{\"float\":\"$vector\"},"
                     "\"inputTextTokenCount\":\"$in\"}"},
    .embed = {.dimension = 1024, .dimensions = s_titan_v2_dimensions, .normalize = true}};

/* ---- Meta, Mistral, DeepSeek ---------------------------------------------------------- */

static const char *const s_prompt_required[] = {"prompt", NULL};
static const struct mock_native_format s_llama = {
    .name = "llama",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_prompt_required, .prompt = "prompt", .max_tokens = "max_gen_len"},
    .resp = {.body = "{\"generation\":\"$text\",\"prompt_token_count\":\"$in\",\"generation_token_count\":\"$out\","
                     "\"stop_reason\":\"$stop\"}",
             .chunk = "{\"generation\":\"$text\",\"prompt_token_count\":\"$in\",\"generation_token_count\":\"$out\","
                      "\"stop_reason\":\"$stop\"}",
             .stop_names = S_STOPS("stop", "length", "stop", "stop")}};

/* Mistral text completion: model-parameters-mistral-text-completion. */
static const char *const s_mistral_allowed[] = {"prompt", "max_tokens", "stop", "temperature", "top_p", "top_k", NULL};
static const struct mock_native_format s_mistral_text = {
    .name = "mistral-text-completion",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_prompt_required,
            .allowed = s_mistral_allowed,
            .prompt = "prompt",
            .turn_open = "[INST]",
            .turn_close = "[/INST]",
            .max_tokens = "max_tokens",
            .stop = "stop"},
    .resp = {.body = "{\"outputs\":[{\"text\":\"$text\",\"stop_reason\":\"$stop\"}]}",
             .chunk = "{\"outputs\":[{\"text\":\"$text\",\"stop_reason\":\"$stop\"}]}",
             .stop_names = S_STOPS("stop", "length", "stop", "tool_calls")}};

/* Mistral chat completion (Mistral Large 24.07 and later): model-parameters-mistral-chat-completion. */
static const char *const s_messages_required[] = {"messages", NULL};
static const char *const s_mistral_chat_allowed[] = {"messages",    "tools", "tool_choice", "max_tokens",
                                                     "temperature", "top_p", "stop",        NULL};
static const struct mock_native_format s_mistral_chat = {
    .name = "mistral-chat-completion",
    .map = MOCK_MAP_CHAT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_messages_required,
            .allowed = s_mistral_chat_allowed,
            .messages = "messages",
            .role_key = "role",
            .text_key = "content",
            .user_role = "user",
            .system_role = "system",
            .max_tokens = "max_tokens",
            .stop = "stop"},
    .resp = {.body = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"$text\"},"
                     "\"stop_reason\":\"$stop\"}]}",
             .chunk = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"$text\"},"
                      "\"stop_reason\":\"$stop\"}]}",
             .stop_names = S_STOPS("stop", "length", "stop", "tool_calls")}};

/* DeepSeek-R1: model-parameters-deepseek. */
static const char *const s_deepseek_allowed[] = {"prompt", "temperature", "top_p", "max_tokens", "stop", NULL};
static const struct mock_native_format s_deepseek = {
    .name = "deepseek",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_prompt_required,
            .allowed = s_deepseek_allowed,
            .prompt = "prompt",
            .turn_open = "<\xef\xbd\x9cUser\xef\xbd\x9c>",
            .turn_close = "<\xef\xbd\x9c"
                          "Assistant\xef\xbd\x9c>",
            .max_tokens = "max_tokens",
            .stop = "stop"},
    .resp = {.body = "{\"choices\":[{\"text\":\"$text\",\"stop_reason\":\"$stop\"}]}",
             .chunk = "{\"choices\":[{\"text\":\"$text\",\"stop_reason\":\"$stop\"}]}",
             .stop_names = S_STOPS("stop", "length", "stop", "stop")}};

/* ---- OpenAI gpt-oss, AI21 Jamba: chat completions -------------------------------------- */

/* model-parameters-openai (gpt-oss). */
static const char *const s_openai_allowed[] = {
    "messages", "max_completion_tokens", "max_tokens",       "temperature", "top_p", "stop", "stream",
    "tools",    "tool_choice",           "reasoning_effort", "model",       NULL};
#define S_CHAT_REQUEST(allowed_keys, max_key)                                                                      \
    {                                                                                                              \
        .required = s_messages_required, .allowed = allowed_keys, .messages = "messages", .role_key = "role",      \
        .text_key = "content", .user_role = "user", .system_role = "system", .max_tokens = max_key, .stop = "stop" \
    }
#define S_CHAT_USAGE "\"usage\":{\"prompt_tokens\":\"$in\",\"completion_tokens\":\"$out\",\"total_tokens\":\"$total\"}"

/* OpenAI's chat.completion answer and chat.completion.chunk stream pieces. */
#define S_CHAT_COMPLETION_RESPONSE                                                                              \
    {                                                                                                           \
        .body = "{\"id\":\"$id\",\"object\":\"chat.completion\",\"created\":\"$created\",\"model\":\"$model\"," \
                "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"$text\"},"         \
                "\"finish_reason\":\"$stop\"}]," S_CHAT_USAGE "}",                                              \
        .chunk = "{\"id\":\"$id\",\"object\":\"chat.completion.chunk\",\"created\":\"$created\","               \
                 "\"model\":\"$model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"$text\"},"            \
                 "\"finish_reason\":\"$stop\"}]}",                                                              \
        .stop_names = S_STOPS("stop", "length", "stop", "tool_calls")                                           \
    }

static const struct mock_native_format s_openai = {.name = "openai-chat-completions",
                                                   .map = MOCK_MAP_CHAT,
                                                   .render = MOCK_RENDER_TEMPLATE,
                                                   .req = S_CHAT_REQUEST(s_openai_allowed, "max_completion_tokens"),
                                                   .resp = S_CHAT_COMPLETION_RESPONSE};

/* The open-weight chat models (Qwen, Gemma, MiniMax, NVIDIA Nemotron, Z.AI GLM, Moonshot Kimi):
 * no model-parameters page records their InvokeModel body; Bedrock lists them under its OpenAI
 * Chat Completions API, so they take gpt-oss's shape (inferred, docs/operations.md). Their own
 * key lists are not recorded either, so no key is refused as extraneous: only a missing
 * `messages` is. */
static const struct mock_native_format s_openai_compatible = {.name = "openai-chat-completions-compatible",
                                                              .map = MOCK_MAP_CHAT,
                                                              .render = MOCK_RENDER_TEMPLATE,
                                                              .req = S_CHAT_REQUEST(NULL, "max_tokens"),
                                                              .resp = S_CHAT_COMPLETION_RESPONSE};

/* Writer Palmyra X4 and X5: model-parameters-palmyra-x4, -x5 (a turn's content may be
 * {"text": ...}); the answer is Writer's chat-completion shape (inferred). */
static const char *const s_palmyra_allowed[] = {"messages",          "temperature", "top_p", "max_tokens",
                                                "min_tokens",        "stop",        "seed",  "presence_penalty",
                                                "frequency_penalty", NULL};
static const struct mock_native_format s_palmyra = {.name = "writer-palmyra",
                                                    .map = MOCK_MAP_CHAT,
                                                    .render = MOCK_RENDER_TEMPLATE,
                                                    .req = S_CHAT_REQUEST(s_palmyra_allowed, "max_tokens"),
                                                    .resp = S_CHAT_COMPLETION_RESPONSE};

/* model-parameters-jamba. */
static const char *const s_jamba_allowed[] = {
    "messages",        "max_tokens",        "temperature",      "top_p",     "stop", "n", "tools",
    "response_format", "frequency_penalty", "presence_penalty", "documents", NULL};
static const struct mock_native_format s_jamba = {
    .name = "ai21-jamba",
    .map = MOCK_MAP_CHAT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = S_CHAT_REQUEST(s_jamba_allowed, "max_tokens"),
    .resp = {.body =
                 "{\"id\":\"$id\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"$text\","
                 "\"tool_calls\":null},\"finish_reason\":\"$stop\"}]," S_CHAT_USAGE "}",
             .chunk = "{\"id\":\"$id\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"$text\"},"
                      "\"finish_reason\":\"$stop\"}]}",
             .last_chunk = "{\"id\":\"$id\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
                           "\"finish_reason\":\"$stop\"}]," S_CHAT_USAGE "}",
             .stop_names = S_STOPS("stop", "length", "stop", "tool_calls")}};

/* ---- Cohere ------------------------------------------------------------------------- */

/* Command and Command Light: model-parameters-cohere-command. */
static const char *const s_cohere_text_allowed[] = {
    "prompt", "temperature",     "p",          "k",        "max_tokens", "stop_sequences", "return_likelihoods",
    "stream", "num_generations", "logit_bias", "truncate", NULL};
static const struct mock_native_format s_cohere_text = {
    .name = "cohere-command",
    .map = MOCK_MAP_PROMPT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_prompt_required,
            .allowed = s_cohere_text_allowed,
            .prompt = "prompt",
            .max_tokens = "max_tokens",
            .stop = "stop_sequences"},
    .resp = {.body = "{\"generations\":[{\"finish_reason\":\"$stop\",\"id\":\"$id\",\"text\":\"$text\",\"index\":0}],"
                     "\"id\":\"$id\",\"prompt\":\"$prompt\"}",
             .chunk = "{\"text\":\"$text\",\"is_finished\":false,\"index\":0}",
             .last_chunk = "{\"is_finished\":true,\"finish_reason\":\"$stop\",\"index\":0}",
             .stop_names = S_STOPS("COMPLETE", "MAX_TOKENS", "COMPLETE", "COMPLETE")}};

/* Command R and R+: model-parameters-cohere-command-r-plus. */
static const char *const s_message_required[] = {"message", NULL};
static const char *const s_cohere_chat_allowed[] = {"message",
                                                    "chat_history",
                                                    "documents",
                                                    "search_queries_only",
                                                    "preamble",
                                                    "max_tokens",
                                                    "temperature",
                                                    "p",
                                                    "k",
                                                    "prompt_truncation",
                                                    "frequency_penalty",
                                                    "presence_penalty",
                                                    "seed",
                                                    "return_prompt",
                                                    "tools",
                                                    "tool_results",
                                                    "stop_sequences",
                                                    "raw_prompting",
                                                    NULL};
static const struct mock_native_format s_cohere_chat = {
    .name = "cohere-command-r",
    .map = MOCK_MAP_CHAT,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_message_required,
            .allowed = s_cohere_chat_allowed,
            .prompt = "message",
            .messages = "chat_history",
            .role_key = "role",
            .text_key = "message",
            .user_role = "USER",
            .system_role = "SYSTEM",
            .system = "preamble",
            .max_tokens = "max_tokens",
            .stop = "stop_sequences"},
    .resp = {.body = "{\"response_id\":\"$id\",\"text\":\"$text\",\"generation_id\":\"$id\",\"chat_history\":[],"
                     "\"finish_reason\":\"$stop\"}",
             .chunk = "{\"is_finished\":false,\"event_type\":\"text-generation\",\"text\":\"$text\"}",
             .last_chunk = "{\"is_finished\":true,\"event_type\":\"stream-end\",\"finish_reason\":\"$stop\","
                           "\"response\":{\"response_id\":\"$id\",\"generation_id\":\"$id\","
                           "\"finish_reason\":\"$stop\"}}",
             .stop_names = S_STOPS("COMPLETE", "MAX_TOKENS", "COMPLETE", "COMPLETE")}};

/* Embed English and Multilingual v3: model-parameters-embed. */
static const char *const s_cohere_embed_required[] = {"texts", "input_type", NULL};
static const char *const s_cohere_embed_allowed[] = {"texts", "input_type", "truncate", "embedding_types", NULL};
static const char *const s_cohere_input_types[] = {"search_document", "search_query", "classification", "clustering",
                                                   NULL};
static const struct mock_native_format s_cohere_embed = {
    .name = "cohere-embed",
    .map = MOCK_MAP_EMBED,
    .render = MOCK_RENDER_TEMPLATE,
    .req = {.required = s_cohere_embed_required, .allowed = s_cohere_embed_allowed, .prompt = "texts"},
    .resp = {.body = "{\"embeddings\":\"$vectors\",\"id\":\"$id\",\"response_type\":\"embeddings_floats\","
                     "\"texts\":\"$texts\"}"},
    .embed = {.list = true, .dimension = 1024, .input_type = s_cohere_input_types, .max_texts = 96}};

/* ---- which model speaks which ------------------------------------------------------- */

/* The first row whose prefix starts the model id wins; `alt` is used instead when the body
 * has `alt_key` (a model that takes two formats). */
static const struct {
    const char *prefix;
    const struct mock_native_format *format;
    const char *alt_key;
    const struct mock_native_format *alt;
} s_rows[] = {
    {"anthropic.claude-v2", &s_claude_text, "messages", &s_anthropic},
    {"anthropic.claude-instant", &s_claude_text, "messages", &s_anthropic},
    {"anthropic.", &s_anthropic, NULL, NULL},
    {"amazon.nova-", &s_nova, NULL, NULL},
    {"amazon.titan-text", &s_titan, NULL, NULL},
    {"amazon.titan-tg1", &s_titan, NULL, NULL},
    {"amazon.titan-embed-text-v1", &s_titan_embed_v1, NULL, NULL},
    {"amazon.titan-embed-text-v2", &s_titan_embed_v2, NULL, NULL},
    {"meta.llama", &s_llama, NULL, NULL},
    {"mistral.", &s_mistral_text, "messages", &s_mistral_chat},
    {"deepseek.", &s_deepseek, "messages", &s_openai},
    {"openai.gpt-oss", &s_openai, NULL, NULL},
    {"ai21.jamba", &s_jamba, NULL, NULL},
    {"cohere.command-r", &s_cohere_chat, NULL, NULL},
    {"cohere.command", &s_cohere_text, NULL, NULL},
    {"cohere.embed", &s_cohere_embed, NULL, NULL},
    {"qwen.", &s_openai_compatible, NULL, NULL},
    {"google.gemma", &s_openai_compatible, NULL, NULL},
    {"minimax.", &s_openai_compatible, NULL, NULL},
    {"nvidia.nemotron", &s_openai_compatible, NULL, NULL},
    {"zai.glm", &s_openai_compatible, NULL, NULL},
    {"moonshot.kimi", &s_openai_compatible, NULL, NULL},
    {"moonshotai.kimi", &s_openai_compatible, NULL, NULL},
    {"writer.palmyra", &s_palmyra, NULL, NULL},
};

const struct mock_native_format *mock_native_format(const struct mock_model *model, const cJSON *body)
{
    if (!model || !model->id) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(s_rows) / sizeof(s_rows[0]); i++) {
        if (strncmp(model->id, s_rows[i].prefix, strlen(s_rows[i].prefix)) == 0) {
            bool alt = s_rows[i].alt_key && brk_json_get(body, s_rows[i].alt_key);
            return alt ? s_rows[i].alt : s_rows[i].format;
        }
    }
    return NULL;
}
