/*
 * invoke.h (mock-private): InvokeModel and InvokeModelWithResponseStream with the models'
 * native bodies, one row of a table per format (invoke_formats.c): Anthropic Messages and
 * Claude text completions, Amazon Nova, Meta Llama, Amazon Titan Text, Mistral (text and
 * chat), Cohere Command (text and R), AI21 Jamba, DeepSeek, OpenAI gpt-oss and the open-weight
 * chat models that take its shape (Qwen, Gemma, MiniMax, Nemotron, GLM, Kimi), Writer Palmyra,
 * and the embedding models (Titan Embeddings, Cohere Embed).
 *
 * A native body is validated with the texts Bedrock uses, then mapped to the equivalent
 * Converse input (Anthropic cache_control becomes a cachePoint block after the marked block),
 * so the reply, usage, prompt caching and CountTokens all come from the same code as
 * Converse. The reply is printed back in the model's native response shape: a code path for
 * Anthropic and Nova, a JSON template for the others. Facts and sources: docs/operations.md.
 * The table is constant data: thread-safe.
 */
#ifndef MOCK_INVOKE_H
#define MOCK_INVOKE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* How a body is read into a Converse input (invoke_map.c). */
enum mock_native_map {
    MOCK_MAP_ANTHROPIC, /* Anthropic Messages (code) */
    MOCK_MAP_NOVA,      /* Nova messages-v1 (code) */
    MOCK_MAP_PROMPT,    /* one prompt string, its last user turn between markers */
    MOCK_MAP_CHAT,      /* a list of {role, text} turns (chat completions, Cohere R) */
    MOCK_MAP_EMBED,     /* texts to embed */
};

/* How the answer is printed (invoke.c). */
enum mock_native_render {
    MOCK_RENDER_ANTHROPIC, /* code */
    MOCK_RENDER_NOVA,      /* code */
    MOCK_RENDER_TEMPLATE,  /* struct mock_native_response's templates */
};

/* The request fields a format takes; paths are dotted ("textGenerationConfig.maxTokenCount"). */
struct mock_native_request {
    const char *const *required; /* NULL-terminated; "#: required key [k] not found" */
    const char *const *allowed;  /* NULL-terminated top-level keys; NULL: any key */
    const char *prompt;          /* the prompt (MAP_PROMPT), or the last user turn (Cohere R "message") */
    const char *turn_open;       /* the last user turn sits between these markers; NULL: the whole prompt */
    const char *turn_close;
    bool markers_required; /* the prompt must start with turn_open and end with turn_close */
    const char *messages;  /* MAP_CHAT: the list of turns ("messages", "chat_history") */
    const char *role_key;  /* in a turn: "role" */
    const char *text_key;  /* in a turn: "content" (a string or [{"type":"text","text"}]), "message" */
    const char *user_role; /* "user", "USER"; any other role but system_role is the assistant */
    const char *system_role;
    const char *system; /* a top-level system prompt ("preamble") */
    const char *max_tokens;
    const char *stop;
};

/* Embedding models (MAP_EMBED). */
struct mock_native_embed {
    bool list;                     /* the texts are a list ("texts") rather than one string ("inputText") */
    unsigned dimension;            /* the default vector length */
    const unsigned *dimensions;    /* the accepted "dimensions" values, 0-terminated; NULL: fixed */
    bool normalize;                /* "normalize" accepted (default true): unit-length vectors */
    const char *const *input_type; /* accepted "input_type" values; NULL-terminated; NULL: no such field */
    unsigned max_texts;            /* 0: one text */
};

/* Templates: JSON whose "$..." strings are filled in (invoke.c, s_fill): $text, $in, $out,
 * $total, $stop, $id, $model, $created, $vector, $vectors, $texts. In a stream, $in is
 * set in the first chunk only, $out and $stop in the last only, null elsewhere. */
struct mock_native_response {
    const char *body;          /* the InvokeModel answer */
    const char *chunk;         /* a stream chunk carrying a text piece */
    const char *last_chunk;    /* the last stream chunk (it also gets the invocation metrics); NULL: `chunk` */
    const char *stop_names[4]; /* native names of end_turn, max_tokens, stop_sequence, tool_use */
};

struct mock_native_format {
    const char *name; /* as docs/operations.md lists it */
    enum mock_native_map map;
    enum mock_native_render render;
    struct mock_native_request req;
    struct mock_native_response resp;
    struct mock_native_embed embed;
};

/* The format `model` speaks for this body (some models take two, told apart by a key of the
 * body: Claude 2 takes Messages or text completions), or NULL when it is not simulated. */
const struct mock_native_format *mock_native_format(const struct mock_model *model, const cJSON *body);

/* Parse and validate a native body for `model`, and map it to a Converse input (caller
 * frees); *format_out (may be NULL) receives the format. On a Bedrock error fills `resp` and
 * returns NULL. */
cJSON *mock_invoke_map(const struct mock_model *model, const char *body, size_t len, struct mock_response *resp,
                       const struct mock_native_format **format_out);

/* The validator's name of a JSON value's type ("String", "Integer", "JSONArray", ...). */
const char *mock_native_type_name(const cJSON *v);

/* invoke_embed.c: check an embedding body's own fields (dimensions, normalize, input_type,
 * the number of texts); appends each problem in the validator's words to `out` and returns
 * how many there were. */
int mock_embed_problems(const struct mock_native_format *f, const cJSON *body, struct brk_buf *out);

/* invoke_embed.c: the vectors of a mapped embedding input (one per text: a list of lists),
 * deterministic from each text (a seeded hash), of the asked dimension, unit length when
 * normalized. `body` is the native body (dimensions, normalize). */
cJSON *mock_embed_vectors(const struct mock_native_format *f, const cJSON *mapped, const cJSON *body);

#endif
