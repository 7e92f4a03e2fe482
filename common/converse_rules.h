/*
 * converse_rules.h: Bedrock's Converse conversation rules that hold for every model, as texts
 * and predicates, shared by the mock (which answers with them) and the client's request builder
 * (which refuses with them before sending). One place for each text: docs/validation.md gives
 * the public source of each, and says which are unconfirmed.
 *
 * Texts with %d take the 0-based message and block numbers, as Bedrock's own texts count.
 * Thread-safe: constants and pure functions.
 */
#ifndef BEDROCK_COMMON_CONVERSE_RULES_H
#define BEDROCK_COMMON_CONVERSE_RULES_H

#include <stdbool.h>

#define BRK_MSG_FIRST_USER                                                                      \
    "A conversation must start with a user message. Try again with a conversation that starts " \
    "with a user message."
#define BRK_MSG_ALTERNATE                                                                         \
    "A conversation must alternate between user and assistant roles. Make sure the conversation " \
    "alternates between user and assistant roles and try again."
#define BRK_MSG_BLANK_TEXT                                                                    \
    "The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text " \
    "to the text field, and try again."
#define BRK_MSG_EMPTY_CONTENT                                                              \
    "The content field in the Message object at messages.%d is empty. Add a ContentBlock " \
    "object to the content field and try again."
#define BRK_MSG_NO_TOOL_CONFIG "The toolConfig field must be defined when using toolUse and toolResult content blocks."
#define BRK_MSG_ERROR_RESULT_EMPTY \
    "The content field at messages.%d.content.%d.toolResult cannot be empty when status value is error."
#define BRK_MSG_DOCUMENT_TEXT "A text block must be included when using documents."
/* %s: "image" or "document". */
#define BRK_MSG_MEDIA_ROLE                                                                         \
    "The %s field in the ContentBlock object at messages.%d.content.%d is only supported in user " \
    "messages. Remove it, or move it to a user message, and try again."
#define BRK_MSG_TOO_MANY_IMAGES \
    "The Message object at messages.%d has more than 20 images. Reduce the number of images and try again."
#define BRK_MSG_TOO_MANY_DOCUMENTS \
    "The Message object at messages.%d has more than 5 documents. Reduce the number of documents and try again."
#define BRK_MSG_DOCUMENT_NAME                                                                      \
    "The document file name can only contain alphanumeric characters, whitespace characters, "     \
    "hyphens, parentheses, and square brackets. The name can't contain more than one consecutive " \
    "whitespace character. Check that the file name conforms to these restrictions and retry your request."
#define BRK_MSG_SCHEMA_FORMAT                                                               \
    "The format of the value at toolConfig.tools.%d.toolSpec.inputSchema.json is invalid. " \
    "Provide a json object for the field and try again."
#define BRK_MSG_SCHEMA_TYPE \
    "The value at toolConfig.tools.%d.toolSpec.inputSchema.json.type must be one of the following: object."
/* %s: the tool name. */
#define BRK_MSG_TOOL_CHOICE                                                                         \
    "The tool %s in toolConfig.toolChoice.tool.name isn't defined in toolConfig.tools. Define the " \
    "tool, or choose a tool that is defined, and try again."
#define BRK_MSG_JSON_POINTER                                                                    \
    "The value at additionalModelResponseFieldPaths.%d is not a valid JSON Pointer. Provide a " \
    "JSON Pointer such as /stop_sequence and try again."

/* Limits of Message.content (the service model's documentation of the member). */
#define BRK_RULE_MAX_IMAGES 20
#define BRK_RULE_MAX_DOCUMENTS 5

/* Whether a text block is blank: empty, or only ASCII whitespace (" \t\n\v\f\r"). */
bool brk_rule_text_blank(const char *text);

/* Whether Bedrock refuses a text block as blank (BRK_MSG_BLANK_TEXT). A blank block is refused
 * unless it is whitespace (not empty) and the block right after it is a cachePoint: live
 * Bedrock accepted [text, document, {"text": "\n"}, cachePoint, text, cachePoint] on Claude
 * Sonnet 4.5 (pydantic-ai's recordings, model-families.md) and refuses "   " alone at content.0
 * (docs/validation.md). The whitespace block then carries the cache point, as pydantic-ai
 * uses it after a document, which a cachePoint may not follow directly. */
bool brk_rule_text_refused(const char *text, bool cache_point_follows);

/* Whether a document name passes Bedrock's rule (measured live): letters, digits, single ASCII
 * spaces, and -()[]_ . */
bool brk_rule_document_name_ok(const char *name);

/* Whether a response field path is a JSON Pointer as Bedrock takes it (RFC 6901): it starts
 * with '/', and every '~' is followed by '0' or '1'. */
bool brk_rule_json_pointer_ok(const char *path);

#endif
