/*
 * request_media.c: image, document, video and audio blocks (bytes or S3 sources), search
 * results, and citationsContent blocks.
 *
 * Each media adder checks where the block may go, its format against the service model's enum,
 * a document's name, then builds its source; the tree follows the model's member order
 * (format, name, source, context, citations). Bytes are copied in as base64 text at the call.
 */
#include <stdio.h>
#include <string.h>

#include "client/request_priv.h"
#include "common/converse_rules.h"

static const char *const s_image_formats[] = {"png", "jpeg", "gif", "webp", NULL};
static const char *const s_document_formats[] = {"pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md", NULL};
static const char *const s_video_formats[] = {"mkv",  "mov", "mp4", "webm",     "flv",
                                              "mpeg", "mpg", "wmv", "three_gp", NULL};
static const char *const s_audio_formats[] = {"mp3", "opus",  "wav", "aac",  "flac", "mp4", "ogg",  "mkv",
                                              "mka", "x-aac", "m4a", "mpeg", "mpga", "pcm", "webm", NULL};
static const char *const s_document_order[] = {"format", "name", "source", "context", "citations", NULL};
static const char *const s_search_order[] = {"source", "title", "content", "citations", NULL};

/* S3Uri and AccountId of the service model. */
#define S_S3_URI_ERE "^s3://[a-z0-9][.a-z0-9-]{1,61}[a-z0-9](/.*)?$"
#define S_S3_URI_SOURCE "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?"
#define S_ACCOUNT_ERE "^[0-9]{12}$"
#define S_ACCOUNT_SOURCE "[0-9]{12}"

/* One media block being added. */
struct s_media {
    const char *fn;
    const char *kind; /* "image", "document", "video", "audio" */
    const char *const *formats;
    unsigned slot_kinds;
    struct brk_rq_slot slot;
    cJSON *block; /* {format[, name]}; source is added last */
};

static enum brk_status s_check_name(struct brk_request *req, const struct s_media *m, const char *name)
{
    char path[240];
    snprintf(path, sizeof(path), "%s.document.name", m->slot.path);
    enum brk_status st = brk_rq_arg(req, m->fn, "name", name);
    st = st == BRK_OK ? brk_rq_length(req, path, name, false, 1, 200) : st;
    if (st == BRK_OK && !brk_rule_document_name_ok(name)) {
        st = brk_rq_fail(req, BRK_ERR_INVALID_ARG, BRK_MSG_DOCUMENT_NAME);
    }
    return st;
}

/* Where the block goes, its format (NULL allowed for documents only) and a document's name. */
static enum brk_status s_begin(struct brk_request *req, struct s_media *m, const char *format, const char *name)
{
    enum brk_status st = brk_rq_slot(req, m->fn, m->kind, m->slot_kinds, &m->slot);
    bool document = strcmp(m->kind, "document") == 0;
    char path[240];
    snprintf(path, sizeof(path), "%s.%s.format", m->slot.path, m->kind);
    if (st == BRK_OK && (format || !document)) {
        st = brk_rq_arg(req, m->fn, "format", format);
        st = st == BRK_OK ? brk_rq_enum(req, path, format, false, m->formats) : st;
    }
    st = st == BRK_OK && document ? s_check_name(req, m, name) : st;
    if (st != BRK_OK) {
        return st;
    }
    m->block = cJSON_CreateObject();
    if (!m->block || (format && !cJSON_AddStringToObject(m->block, "format", format)) ||
        (document && !cJSON_AddStringToObject(m->block, "name", name))) {
        cJSON_Delete(m->block);
        return brk_rq_nomem(req);
    }
    return BRK_OK;
}

/* Add {<member>: value} as the block's source and append the block. Takes value and block. */
static enum brk_status s_finish(struct brk_request *req, struct s_media *m, const char *member, cJSON *value)
{
    cJSON *source = value ? cJSON_CreateObject() : NULL;
    if (!source || !cJSON_AddItemToObject(source, member, value)) {
        cJSON_Delete(source);
        cJSON_Delete(value);
        cJSON_Delete(m->block);
        return req->err.status != BRK_OK ? req->err.status : brk_rq_nomem(req);
    }
    if (!cJSON_AddItemToObject(m->block, "source", source)) {
        cJSON_Delete(source);
        cJSON_Delete(m->block);
        return brk_rq_nomem(req);
    }
    cJSON *block = m->block;
    enum brk_status st = brk_rq_add(req, &m->slot, m->kind, block);
    if (st == BRK_OK && strcmp(m->kind, "document") == 0) {
        req->last_doc = block;
    }
    return st;
}

static enum brk_status s_bytes(struct brk_request *req, struct s_media *m, const void *data, size_t len)
{
    char path[240];
    snprintf(path, sizeof(path), "%s.%s.source.bytes", m->slot.path, m->kind);
    enum brk_status st = brk_rq_blob_length(req, path, len, 1);
    st = st == BRK_OK ? brk_rq_arg(req, m->fn, "data", data) : st;
    if (st != BRK_OK) {
        cJSON_Delete(m->block);
        return st;
    }
    return s_finish(req, m, "bytes", brk_rq_blob(req, data, len));
}

static cJSON *s_s3_location(struct brk_request *req, struct s_media *m, const char *uri, const char *owner)
{
    char path[240];
    snprintf(path, sizeof(path), "%s.%s.source.s3Location.uri", m->slot.path, m->kind);
    enum brk_status st = brk_rq_arg(req, m->fn, "uri", uri);
    st = st == BRK_OK ? brk_rq_length(req, path, uri, false, 1, 1024) : st;
    st = st == BRK_OK ? brk_rq_pattern(req, path, uri, false, S_S3_URI_ERE, S_S3_URI_SOURCE) : st;
    snprintf(path, sizeof(path), "%s.%s.source.s3Location.bucketOwner", m->slot.path, m->kind);
    st = st == BRK_OK && owner ? brk_rq_pattern(req, path, owner, false, S_ACCOUNT_ERE, S_ACCOUNT_SOURCE) : st;
    if (st != BRK_OK) {
        return NULL;
    }
    cJSON *loc = cJSON_CreateObject();
    if (!loc || !cJSON_AddStringToObject(loc, "uri", uri) ||
        (owner && !cJSON_AddStringToObject(loc, "bucketOwner", owner))) {
        cJSON_Delete(loc);
        brk_rq_nomem(req);
        return NULL;
    }
    return loc;
}

static enum brk_status s_s3(struct brk_request *req, struct s_media *m, const char *uri, const char *owner)
{
    return s_finish(req, m, "s3Location", s_s3_location(req, m, uri, owner));
}

/* ---- images, video, audio ---------------------------------------------------------------- */

#define S_MEDIA(fn_, kind_, formats_, slot_kinds_)   \
    {                                                \
        fn_, kind_, formats_, slot_kinds_, {0}, NULL \
    }

enum brk_status brk_request_image_bytes(struct brk_request *req, const char *format, const void *data, size_t len)
{
    struct s_media m =
        S_MEDIA("brk_request_image_bytes", "image", s_image_formats, BRK_RQ_IN_RESULT | BRK_RQ_USER_ONLY);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_bytes(req, &m, data, len) : st;
}

enum brk_status brk_request_image_s3(struct brk_request *req, const char *format, const char *uri,
                                     const char *bucket_owner)
{
    struct s_media m = S_MEDIA("brk_request_image_s3", "image", s_image_formats, BRK_RQ_IN_RESULT | BRK_RQ_USER_ONLY);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_s3(req, &m, uri, bucket_owner) : st;
}

enum brk_status brk_request_video_bytes(struct brk_request *req, const char *format, const void *data, size_t len)
{
    struct s_media m = S_MEDIA("brk_request_video_bytes", "video", s_video_formats, BRK_RQ_IN_RESULT);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_bytes(req, &m, data, len) : st;
}

enum brk_status brk_request_video_s3(struct brk_request *req, const char *format, const char *uri,
                                     const char *bucket_owner)
{
    struct s_media m = S_MEDIA("brk_request_video_s3", "video", s_video_formats, BRK_RQ_IN_RESULT);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_s3(req, &m, uri, bucket_owner) : st;
}

enum brk_status brk_request_audio_bytes(struct brk_request *req, const char *format, const void *data, size_t len)
{
    struct s_media m = S_MEDIA("brk_request_audio_bytes", "audio", s_audio_formats, 0);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_bytes(req, &m, data, len) : st;
}

enum brk_status brk_request_audio_s3(struct brk_request *req, const char *format, const char *uri,
                                     const char *bucket_owner)
{
    struct s_media m = S_MEDIA("brk_request_audio_s3", "audio", s_audio_formats, 0);
    enum brk_status st = s_begin(req, &m, format, NULL);
    return st == BRK_OK ? s_s3(req, &m, uri, bucket_owner) : st;
}

/* ---- documents ----------------------------------------------------------------------------- */

#define S_DOCUMENT(fn_) S_MEDIA(fn_, "document", s_document_formats, BRK_RQ_IN_RESULT | BRK_RQ_USER_ONLY)

enum brk_status brk_request_document_bytes(struct brk_request *req, const char *format, const char *name,
                                           const void *data, size_t len)
{
    struct s_media m = S_DOCUMENT("brk_request_document_bytes");
    enum brk_status st = s_begin(req, &m, format, name);
    return st == BRK_OK ? s_bytes(req, &m, data, len) : st;
}

enum brk_status brk_request_document_s3(struct brk_request *req, const char *format, const char *name, const char *uri,
                                        const char *bucket_owner)
{
    struct s_media m = S_DOCUMENT("brk_request_document_s3");
    enum brk_status st = s_begin(req, &m, format, name);
    return st == BRK_OK ? s_s3(req, &m, uri, bucket_owner) : st;
}

enum brk_status brk_request_document_text(struct brk_request *req, const char *format, const char *name,
                                          const char *text)
{
    struct s_media m = S_DOCUMENT("brk_request_document_text");
    enum brk_status st = s_begin(req, &m, format, name);
    if (st == BRK_OK && brk_rq_arg(req, m.fn, "text", text) != BRK_OK) {
        cJSON_Delete(m.block);
        return req->err.status;
    }
    return st == BRK_OK ? s_finish(req, &m, "text", cJSON_CreateString(text)) : st;
}

enum brk_status brk_request_document_content(struct brk_request *req, const char *format, const char *name,
                                             const char *const *texts, size_t n_texts)
{
    struct s_media m = S_DOCUMENT("brk_request_document_content");
    enum brk_status st = s_begin(req, &m, format, name);
    return st == BRK_OK ? s_finish(req, &m, "content", brk_rq_text_items(req, m.fn, texts, n_texts)) : st;
}

/* The last document or search result of the request, or a refusal naming `fn`. */
static cJSON *s_last_doc(struct brk_request *req, const char *fn, bool document_only)
{
    if (brk_rq_ready(req) != BRK_OK) {
        return NULL;
    }
    if (!req->last_doc || (document_only && !cJSON_HasObjectItem(req->last_doc, "name"))) {
        brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: no %s in the current message", fn,
                    document_only ? "document" : "document or search result");
        return NULL;
    }
    return req->last_doc;
}

enum brk_status brk_request_document_context(struct brk_request *req, const char *context)
{
    cJSON *doc = s_last_doc(req, "brk_request_document_context", true);
    if (!doc) {
        return brk_rq_ready(req);
    }
    enum brk_status st = brk_rq_arg(req, "brk_request_document_context", "context", context);
    return st == BRK_OK ? brk_rq_put(req, doc, "context", cJSON_CreateString(context), s_document_order) : st;
}

enum brk_status brk_request_citations_config(struct brk_request *req, bool enabled)
{
    cJSON *doc = s_last_doc(req, "brk_request_citations_config", false);
    if (!doc) {
        return brk_rq_ready(req);
    }
    cJSON *config = cJSON_CreateObject();
    if (config && !cJSON_AddBoolToObject(config, "enabled", enabled)) {
        cJSON_Delete(config);
        config = NULL;
    }
    bool document = cJSON_HasObjectItem(doc, "name");
    return brk_rq_put(req, doc, "citations", config, document ? s_document_order : s_search_order);
}

/* ---- search results ------------------------------------------------------------------------ */

enum brk_status brk_request_search_result(struct brk_request *req, const char *source, const char *title,
                                          const char *const *texts, size_t n_texts)
{
    static const char fn[] = "brk_request_search_result";
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, fn, "searchResult", BRK_RQ_IN_RESULT, &slot);
    st = st == BRK_OK ? brk_rq_arg(req, fn, "source", source) : st;
    st = st == BRK_OK ? brk_rq_arg(req, fn, "title", title) : st;
    cJSON *content = st == BRK_OK ? brk_rq_text_items(req, fn, texts, n_texts) : NULL;
    if (!content) {
        return req ? req->err.status : BRK_ERR_INVALID_ARG;
    }
    cJSON *result = cJSON_CreateObject();
    if (!result || !cJSON_AddStringToObject(result, "source", source) ||
        !cJSON_AddStringToObject(result, "title", title) || !cJSON_AddItemToObject(result, "content", content)) {
        cJSON_Delete(result);
        cJSON_Delete(content);
        return brk_rq_nomem(req);
    }
    st = brk_rq_add(req, &slot, "searchResult", result);
    if (st == BRK_OK) {
        req->last_doc = result;
    }
    return st;
}
