/*
 * request_priv.h (client-private): the inside of struct brk_request, shared by the request
 * builder's files.
 *
 *   request.c        life cycle, sticky errors, the body (brk_request_to_json) and the rules
 *                    over the whole request
 *   request_check.c  the service model's constraints (length, range, enum, pattern) with
 *                    Bedrock's message texts, and the paths they name
 *   request_blocks.c messages and the content blocks that are not media
 *   request_media.c  image, document, video, audio and search-result blocks
 *   request_config.c tools, tool choice and every configuration member
 *
 * The request is a set of cJSON trees, one per top-level member, built as the adders are
 * called; brk_request_to_json prints them in the service model's member order. Not thread-safe.
 */
#ifndef BEDROCK_CLIENT_REQUEST_PRIV_H
#define BEDROCK_CLIENT_REQUEST_PRIV_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/request.h"

/* Top-level body members, in ConverseRequest's member order (toolConfig is printed from
 * TOOLS and TOOL_CHOICE). */
enum brk_rq_member {
    BRK_RQ_MESSAGES,
    BRK_RQ_SYSTEM,
    BRK_RQ_INFERENCE,
    BRK_RQ_TOOLS,
    BRK_RQ_TOOL_CHOICE,
    BRK_RQ_GUARDRAIL,
    BRK_RQ_ADDITIONAL_FIELDS,
    BRK_RQ_PROMPT_VARIABLES,
    BRK_RQ_RESPONSE_PATHS,
    BRK_RQ_METADATA,
    BRK_RQ_PERFORMANCE,
    BRK_RQ_SERVICE_TIER,
    BRK_RQ_OUTPUT,
    BRK_RQ_MEMBER_COUNT
};

struct brk_request {
    char *model_id;
    struct brk_error err;               /* the first failure; status BRK_OK while none */
    cJSON *member[BRK_RQ_MEMBER_COUNT]; /* NULL while unset */
    cJSON *content;                     /* content array of the current message; NULL before one */
    cJSON *result;                      /* content array of the open toolResult, or NULL */
    cJSON *last_doc;                    /* last DocumentBlock or SearchResultBlock, for modifiers */
    cJSON *last_tool;                   /* last ToolSpecification, for brk_request_tool_strict */
    enum brk_role role;                 /* of the current message */
    int n_messages;                     /* counts kept so paths and limits cost no list walk */
    int n_blocks;                       /* in the current message */
    int n_results;                      /* in the open toolResult */
    int n_images, n_documents;          /* in the current message */
    int n_system, n_tools, n_stop, n_paths;
};

/* Where the block being added goes, and the paths its messages name. */
struct brk_rq_slot {
    cJSON *array;
    char path[160];     /* Coral path of the block: "messages.1.member.content.2.member" */
    int message, block; /* 0-based, for the conversation rules' "messages.N.content.M" */
    bool in_result;
    bool system;
};

/* Slot kinds for brk_rq_slot. */
#define BRK_RQ_IN_RESULT 1u /* allowed inside an open toolResult */
#define BRK_RQ_USER_ONLY 2u /* only in user messages (image, document) */

/* ---- request.c ------------------------------------------------------------------------ */

/* Record the first failure (later ones are dropped) and return `status`. */
enum brk_status brk_rq_fail(struct brk_request *req, enum brk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* BRK_ERR_NOMEM, recorded. */
enum brk_status brk_rq_nomem(struct brk_request *req);

/* The status an adder must return at once: BRK_ERR_INVALID_ARG for a NULL request, the sticky
 * error, or BRK_OK to go on. */
enum brk_status brk_rq_ready(struct brk_request *req);

/* brk_rq_ready, then brk_rq_arg(req, fn, arg, value): the start of most adders. */
enum brk_status brk_rq_start(struct brk_request *req, const char *fn, const char *arg, const void *value);

/* Set member `name` of object `obj` to `value` (replacing one of that name), placed so the
 * members follow `order` (NULL-terminated names). Takes `value` in every case. */
enum brk_status brk_rq_put(struct brk_request *req, cJSON *obj, const char *name, cJSON *value,
                           const char *const *order);

/* The top-level member `m`, created as an object or array on first use; NULL on NOMEM. */
cJSON *brk_rq_member(struct brk_request *req, enum brk_rq_member m, bool array);

/* Parse JSON text the caller passed (copied into the request's tree). BRK_ERR_INVALID_ARG when
 * it is not JSON (or is NULL), naming `what`; BRK_ERR_NOMEM when parsing ran out of memory. */
enum brk_status brk_rq_parse(struct brk_request *req, const char *fn, const char *what, const char *text, cJSON **out);

/* ---- request_check.c -------------------------------------------------------------------- */

/* A required argument: BRK_ERR_INVALID_ARG naming the function and argument when NULL. */
enum brk_status brk_rq_arg(struct brk_request *req, const char *fn, const char *arg, const void *value);

/* Constraint checks with Coral's texts ("1 validation error detected: Value 'v' at 'path' failed
 * to satisfy constraint: ..."). `quote` says whether the value is shown. Lengths count UTF-16
 * code units; max < 0 means no maximum. */
enum brk_status brk_rq_length(struct brk_request *req, const char *path, const char *value, bool quote, long min,
                              long max);
enum brk_status brk_rq_enum(struct brk_request *req, const char *path, const char *value, bool quote,
                            const char *const *values);
/* `ere`: the model's pattern as an anchored POSIX extended expression; `source`: its text. */
enum brk_status brk_rq_pattern(struct brk_request *req, const char *path, const char *value, bool quote,
                               const char *ere, const char *source);
/* A number against [min, max] (float forms printed as Java's Double.toString). */
enum brk_status brk_rq_range(struct brk_request *req, const char *path, double value, bool integral, double min,
                             double max);
/* A blob of `len` bytes at least `min` long. */
enum brk_status brk_rq_blob_length(struct brk_request *req, const char *path, size_t len, size_t min);

/* Patterns of the service model used by more than one adder. */
extern const char *const brk_rq_tool_name_ere;
extern const char *const brk_rq_tool_name_source;
extern const char *const brk_rq_cache_ttls[];

/* A CachePointBlock object ({"type":"default"[,"ttl":ttl]}) after checking ttl at `path`;
 * NULL with the error recorded. */
cJSON *brk_rq_cache_point(struct brk_request *req, const char *path, const char *ttl, bool quote);

/* Length as Java's String.length(): UTF-16 code units. */
long brk_rq_utf16_len(const char *s);

/* Whether `value` fully matches the anchored POSIX extended expression `ere`. */
bool brk_rq_matches(const char *ere, const char *value);

/* ---- request_blocks.c -------------------------------------------------------------------- */

/* Check that a block of `kinds` (BRK_RQ_* bits) may be added now, and say where it goes. */
enum brk_status brk_rq_slot(struct brk_request *req, const char *fn, const char *block, unsigned kinds,
                            struct brk_rq_slot *slot);

/* The system list as a slot. */
enum brk_status brk_rq_system_slot(struct brk_request *req, struct brk_rq_slot *slot);

/* Append {"<kind>": inner} at the slot and count it. Takes `inner` in every case. */
enum brk_status brk_rq_add(struct brk_request *req, const struct brk_rq_slot *slot, const char *kind, cJSON *inner);

/* A base64 string item for `len` bytes; NULL with BRK_ERR_NOMEM (or TOO_LARGE) recorded. */
cJSON *brk_rq_blob(struct brk_request *req, const void *data, size_t len);

/* An array of {"text": t} objects; NULL with the error recorded. */
cJSON *brk_rq_text_items(struct brk_request *req, const char *fn, const char *const *texts, size_t n);

#endif
