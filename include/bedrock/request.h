/*
 * request.h: the typed builder of a Converse request (and of its CountTokens form).
 *
 * A struct brk_request holds everything one Converse call sends: the model id (which travels in
 * the URL path, not the body), system blocks, messages with every content-block type of the
 * service model (bedrock-runtime 2023-09-30: ConverseRequest and all it references), tools and
 * tool choice, inference, guardrail and performance configuration, request metadata, additional
 * model request fields and response field paths, prompt variables, service tier and output
 * configuration. brk_request_to_json writes the body botocore would send for it: the service
 * model's member names and nesting, blobs base64-encoded, unset members omitted, members in the
 * order of the service model. docs/client-request.md maps every call to the member it writes.
 *
 * Building: brk_request_message starts a message; the block adders append to the current one.
 * brk_request_tool_result opens a toolResult block: until brk_request_tool_result_end (or the
 * next brk_request_tool_result or brk_request_message) the adders that the model allows inside
 * a toolResult (text, json, image, document, video, searchResult) append to its content.
 * brk_request_document_context and brk_request_citations_config change the last document (or
 * search result) added; brk_request_tool_strict the last tool.
 *
 * Refusals: a request the service model forbids is refused by the builder, before any network,
 * with BRK_ERR_INVALID_ARG and a sentence: at the call that adds the bad thing when the rule is
 * local (an unknown format, a tool name that breaks its pattern, a maxTokens below 1, a block
 * before any message), or at brk_request_to_json for rules over the whole request (no message,
 * a document without a text block in its message, toolUse without tools). Where Bedrock has a
 * text for the same rule (the mock's, docs/validation.md), the builder uses it, so the sentence
 * reads as the service's would ("1 validation error detected: Value '0' at
 * 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than
 * or equal to 1"). Rules that depend on the model (media kinds, tool use support, maximum
 * tokens, cache TTLs) are the service's to check and are not checked here.
 *
 * Errors are sticky: the first failure (refusal or BRK_ERR_NOMEM) is kept in the request; every
 * later adder does nothing and returns that status, and brk_request_to_json returns it with its
 * message. So a sequence of adders may be checked once, at the end. A refused request cannot
 * be repaired: build a new one.
 *
 * Ownership: the caller owns the request (brk_request_new / brk_request_destroy); the request
 * owns everything in it. Every string, byte array and JSON text passed in is copied (bytes are
 * encoded at the call), so the caller may free its arguments as soon as a call returns.
 * Strings are NUL-terminated UTF-8. Thread-safety: none; a request is used by one thread at a
 * time. brk_request_to_json only reads the request, so a built request may be serialised by
 * several threads at once.
 */
#ifndef BEDROCK_REQUEST_H
#define BEDROCK_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "bedrock/error.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct brk_request;

/* Message.role */
enum brk_role { BRK_ROLE_USER, BRK_ROLE_ASSISTANT };

/* Which body brk_request_to_json writes. */
enum brk_request_kind {
    BRK_REQUEST_CONVERSE,        /* ConverseRequest */
    BRK_REQUEST_CONVERSE_STREAM, /* ConverseStreamRequest: the same, plus guardrail streamProcessingMode */
    BRK_REQUEST_COUNT_TOKENS,    /* CountTokensRequest: {"input":{"converse":{...}}} */
};

/* ToolChoice */
enum brk_tool_choice { BRK_TOOL_CHOICE_AUTO, BRK_TOOL_CHOICE_ANY, BRK_TOOL_CHOICE_TOOL };

/* GuardrailConverseTextBlock.qualifiers, as bits (0: none sent). */
enum brk_guard_qualifier {
    BRK_GUARD_GROUNDING_SOURCE = 1 << 0, /* "grounding_source" */
    BRK_GUARD_QUERY = 1 << 1,            /* "query" */
    BRK_GUARD_CONTENT = 1 << 2,          /* "guard_content" */
};

/* CitationLocation: which member a citation's location sets. */
enum brk_citation_location {
    BRK_CITATION_LOCATION_NONE,
    BRK_CITATION_LOCATION_WEB,            /* web: url, domain */
    BRK_CITATION_LOCATION_DOCUMENT_CHAR,  /* documentChar: documentIndex, start, end */
    BRK_CITATION_LOCATION_DOCUMENT_PAGE,  /* documentPage */
    BRK_CITATION_LOCATION_DOCUMENT_CHUNK, /* documentChunk */
    BRK_CITATION_LOCATION_SEARCH_RESULT,  /* searchResultLocation: searchResultIndex, start, end */
};

/* One Citation of a citationsContent block. NULL strings and negative numbers are omitted. */
struct brk_citation {
    const char *title;
    const char *source;
    const char *const *source_texts; /* sourceContent[].text */
    size_t n_source_texts;
    enum brk_citation_location location;
    const char *url, *domain; /* web */
    long index, start, end;   /* documentIndex or searchResultIndex, start, end */
};

/* ---- the request ---------------------------------------------------------------------- */

/* A new, empty request for `model_id` (a model id, inference profile or ARN; copied). NULL only
 * when memory runs out. An id that breaks the service model's length (1..2048) is recorded as
 * the request's error (see brk_request_error). */
BRK_API struct brk_request *brk_request_new(const char *model_id);

/* Free the request and everything it holds. Accepts NULL. */
BRK_API void brk_request_destroy(struct brk_request *req);

/* The model id given to brk_request_new; the client puts it (percent-encoded) in the path. */
BRK_API const char *brk_request_model_id(const struct brk_request *req);

/* The first failure recorded in the request (status BRK_OK while there is none). Valid until
 * the request is destroyed. */
BRK_API const struct brk_error *brk_request_error(const struct brk_request *req);

/* Write the JSON body of `kind` for the request, appending to `out` (its max_len bounds the
 * text). BRK_ERR_INVALID_ARG with err's message when the request was refused at an adder or
 * breaks a rule over the whole request; BRK_ERR_TOO_LARGE / BRK_ERR_NOMEM from the buffer. On
 * failure `out` keeps its previous contents. CountTokens carries only messages, system,
 * toolConfig and additionalModelRequestFields (CountTokensInput.converse): the other members are
 * left out, so the same request can be counted and then sent. `err` may be NULL. */
BRK_API enum brk_status brk_request_to_json(const struct brk_request *req, enum brk_request_kind kind,
                                            struct brk_buf *out, struct brk_error *err);

/* ---- system blocks (SystemContentBlock) ------------------------------------------------- */

BRK_API enum brk_status brk_request_system_text(struct brk_request *req, const char *text);
/* qualifiers: enum brk_guard_qualifier bits. */
BRK_API enum brk_status brk_request_system_guard_text(struct brk_request *req, const char *text, unsigned qualifiers);
/* format: "png" or "jpeg". */
BRK_API enum brk_status brk_request_system_guard_image(struct brk_request *req, const char *format, const void *data,
                                                       size_t len);
/* ttl: NULL (the service's default, 5 minutes), "5m" or "1h". */
BRK_API enum brk_status brk_request_system_cache_point(struct brk_request *req, const char *ttl);

/* ---- messages and their content blocks (ContentBlock) ---------------------------------- */

/* Start a new message. The first must be from the user and roles must alternate. */
BRK_API enum brk_status brk_request_message(struct brk_request *req, enum brk_role role);

/* A text block; blank text (empty or only whitespace) is refused as Bedrock refuses it. Inside
 * an open toolResult: a text result item. */
BRK_API enum brk_status brk_request_text(struct brk_request *req, const char *text);

/* Images (user messages only): format "png", "jpeg", "gif" or "webp"; bytes (at least 1, copied
 * and base64-encoded) or an S3 object ("s3://bucket/key"; bucket_owner: 12-digit account or
 * NULL). At most 20 per message. */
BRK_API enum brk_status brk_request_image_bytes(struct brk_request *req, const char *format, const void *data,
                                                size_t len);
BRK_API enum brk_status brk_request_image_s3(struct brk_request *req, const char *format, const char *uri,
                                             const char *bucket_owner);

/* Documents (user messages only; at most 5 per message; a message with one needs a text
 * block). format: "pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md", or NULL to
 * omit it. name: 1..200 characters of letters, digits, single spaces, '-', '(', ')', '[', ']'
 * and '_' (Bedrock's rule). Sources: bytes, an S3 object, inline text, or content blocks. */
BRK_API enum brk_status brk_request_document_bytes(struct brk_request *req, const char *format, const char *name,
                                                   const void *data, size_t len);
BRK_API enum brk_status brk_request_document_s3(struct brk_request *req, const char *format, const char *name,
                                                const char *uri, const char *bucket_owner);
BRK_API enum brk_status brk_request_document_text(struct brk_request *req, const char *format, const char *name,
                                                  const char *text);
BRK_API enum brk_status brk_request_document_content(struct brk_request *req, const char *format, const char *name,
                                                     const char *const *texts, size_t n_texts);
/* DocumentBlock.context of the last document added. */
BRK_API enum brk_status brk_request_document_context(struct brk_request *req, const char *context);
/* citations.enabled of the last document or search result added. */
BRK_API enum brk_status brk_request_citations_config(struct brk_request *req, bool enabled);

/* Video: format "mkv", "mov", "mp4", "webm", "flv", "mpeg", "mpg", "wmv", "three_gp". */
BRK_API enum brk_status brk_request_video_bytes(struct brk_request *req, const char *format, const void *data,
                                                size_t len);
BRK_API enum brk_status brk_request_video_s3(struct brk_request *req, const char *format, const char *uri,
                                             const char *bucket_owner);

/* Audio: format "mp3", "opus", "wav", "aac", "flac", "mp4", "ogg", "mkv", "mka", "x-aac", "m4a",
 * "mpeg", "mpga", "pcm", "webm". */
BRK_API enum brk_status brk_request_audio_bytes(struct brk_request *req, const char *format, const void *data,
                                                size_t len);
BRK_API enum brk_status brk_request_audio_s3(struct brk_request *req, const char *format, const char *uri,
                                             const char *bucket_owner);

/* A searchResult block: source, title and its text items. */
BRK_API enum brk_status brk_request_search_result(struct brk_request *req, const char *source, const char *title,
                                                  const char *const *texts, size_t n_texts);

/* A toolUse block: id (1..64 of [a-zA-Z0-9_.:-]), tool name, and input as JSON text (parsed). */
BRK_API enum brk_status brk_request_tool_use(struct brk_request *req, const char *tool_use_id, const char *name,
                                             const char *input_json);

/* Open a toolResult block; status: NULL (omitted), "success" or "error" (an error result needs
 * content). Then text, json, image, document, video and search-result items go into it. */
BRK_API enum brk_status brk_request_tool_result(struct brk_request *req, const char *tool_use_id, const char *status);
/* A json item of the open toolResult (JSON text, parsed). */
BRK_API enum brk_status brk_request_tool_result_json(struct brk_request *req, const char *json);
/* Close the open toolResult: later blocks go into the message again. */
BRK_API enum brk_status brk_request_tool_result_end(struct brk_request *req);

/* reasoningContent: the model's reasoning text with its signature (NULL to omit), as returned. */
BRK_API enum brk_status brk_request_reasoning(struct brk_request *req, const char *text, const char *signature);
/* reasoningContent.redactedContent: opaque bytes as returned (copied, base64-encoded). */
BRK_API enum brk_status brk_request_reasoning_redacted(struct brk_request *req, const void *data, size_t len);

/* A cachePoint block; ttl: NULL, "5m" or "1h". */
BRK_API enum brk_status brk_request_cache_point(struct brk_request *req, const char *ttl);

/* guardContent blocks (text with enum brk_guard_qualifier bits; image "png"/"jpeg" bytes). */
BRK_API enum brk_status brk_request_guard_text(struct brk_request *req, const char *text, unsigned qualifiers);
BRK_API enum brk_status brk_request_guard_image(struct brk_request *req, const char *format, const void *data,
                                                size_t len);

/* A citationsContent block (as a model returned it): generated text items and citations. */
BRK_API enum brk_status brk_request_citations_content(struct brk_request *req, const char *const *texts, size_t n_texts,
                                                      const struct brk_citation *citations, size_t n_citations);

/* ---- tools (toolConfig) ------------------------------------------------------------------ */

/* A toolSpec: name (1..64 of [a-zA-Z0-9_-]), description (NULL to omit; else non-empty) and the
 * input JSON schema as text: a JSON object whose "type", when present, is "object". */
BRK_API enum brk_status brk_request_tool(struct brk_request *req, const char *name, const char *description,
                                         const char *input_schema_json);
/* toolSpec.strict of the last tool added. */
BRK_API enum brk_status brk_request_tool_strict(struct brk_request *req, bool strict);
/* A systemTool entry (a tool the service provides), by name. */
BRK_API enum brk_status brk_request_system_tool(struct brk_request *req, const char *name);
/* A cachePoint entry in the tools list; ttl: NULL, "5m" or "1h". */
BRK_API enum brk_status brk_request_tools_cache_point(struct brk_request *req, const char *ttl);
/* toolChoice; `name` only for BRK_TOOL_CHOICE_TOOL (a tool of the request, checked at to_json). */
BRK_API enum brk_status brk_request_tool_choice(struct brk_request *req, enum brk_tool_choice choice, const char *name);

/* ---- configuration ------------------------------------------------------------------------ */

/* inferenceConfig: maxTokens >= 1; temperature and topP in [0, 1]; stop sequences non-empty,
 * at most 2500 (each call appends one). */
BRK_API enum brk_status brk_request_max_tokens(struct brk_request *req, int max_tokens);
BRK_API enum brk_status brk_request_temperature(struct brk_request *req, double temperature);
BRK_API enum brk_status brk_request_top_p(struct brk_request *req, double top_p);
BRK_API enum brk_status brk_request_stop_sequence(struct brk_request *req, const char *sequence);

/* guardrailConfig (pydantic-ai's bedrock_guardrail_config): identifier (id or ARN) and version
 * ("DRAFT" or a number), each NULL to omit; trace NULL, "enabled", "disabled" or "enabled_full". */
BRK_API enum brk_status brk_request_guardrail(struct brk_request *req, const char *identifier, const char *version,
                                              const char *trace);
/* guardrailConfig.streamProcessingMode: "sync" or "async". ConverseStream only: a Converse body
 * with it is refused at to_json, as botocore refuses the unknown parameter. */
BRK_API enum brk_status brk_request_guardrail_stream_mode(struct brk_request *req, const char *mode);

/* performanceConfig.latency (pydantic-ai's bedrock_performance_configuration): "standard" or
 * "optimized". */
BRK_API enum brk_status brk_request_performance_latency(struct brk_request *req, const char *latency);

/* requestMetadata: one entry per call (a repeated key replaces its value); at most 16. */
BRK_API enum brk_status brk_request_metadata(struct brk_request *req, const char *key, const char *value);

/* additionalModelRequestFields: a JSON object as text (parsed; replaces an earlier one). */
BRK_API enum brk_status brk_request_additional_fields(struct brk_request *req, const char *json_object);

/* additionalModelResponseFieldPaths: one JSON Pointer per call ("/stop_sequence"); at most 10. */
BRK_API enum brk_status brk_request_response_field_path(struct brk_request *req, const char *path);

/* promptVariables: name -> {"text": value} (a repeated name replaces its value). */
BRK_API enum brk_status brk_request_prompt_variable(struct brk_request *req, const char *name, const char *text);

/* serviceTier.type: "priority", "default", "flex" or "reserved". */
BRK_API enum brk_status brk_request_service_tier(struct brk_request *req, const char *type);

/* outputConfig.textFormat: a json_schema structure (schema as JSON text, sent as a string;
 * name and description NULL to omit). */
BRK_API enum brk_status brk_request_output_json_schema(struct brk_request *req, const char *schema_json,
                                                       const char *name, const char *description);
/* outputConfig.effort (at most 16 characters). */
BRK_API enum brk_status brk_request_output_effort(struct brk_request *req, const char *effort);

#ifdef __cplusplus
}
#endif

#endif
