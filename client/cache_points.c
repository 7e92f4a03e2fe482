/*
 * cache_points.c: pydantic-ai's cache-point placement and trimming over a Converse body
 * (include/bedrock/cache_points.h; rules in docs/cache-points.md, from spec client-facts.md
 * §1.5-1.6).
 *
 * The body is parsed once; user messages are rebuilt part by part (markers placed as they come),
 * merged, given the settings' cache points, then trimmed to BRK_CACHEPOINT_MAX. Every cache
 * point is followed by the address of its block (cJSON nodes move between arrays but are never
 * copied), so the report can say at the end where each one went. Pure; thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "bedrock/cache_points.h"
#include "client/client_priv.h"
#include "common/alloc.h"
#include "common/cachepoint.h"
#include "common/converse_walk.h"
#include "common/json.h"

/* More cache points than this in one request are refused: the limit is 4, so 64 is generous. */
#define CP_MAX_ENTRIES 64

/* pydantic-ai's messages (bedrock.py; the spec records their opening words). */
#define CP_MSG_FIRST "CachePoint cannot be the first content in a user message"
#define CP_MSG_TWICE "CachePoint cannot be preceded by another CachePoint"
#define CP_MSG_ONLY_DOCS "CachePoint cannot be placed when the user message contains only a document or video"
#define CP_MSG_TOO_MANY "Too many cache points: the system prompt and tool definitions already use %u"
#define CP_DOC_TEXT "See attached document(s)."

struct cp_entry {
    const cJSON *block;               /* the {"cachePoint": ...} block while it is in the request */
    const char *source;               /* "marker", "instructions", "tool_definitions", "messages", "request" */
    char from[BRK_WALK_LOCATION_LEN]; /* where the input had it; "" for one the settings added */
    char at[BRK_WALK_LOCATION_LEN];   /* where the final request has it; "" when dropped */
    char ttl[4];                      /* "" when the block has no ttl key */
    char dropped[160];                /* "" while kept */
};

struct cp_ctx {
    struct cp_entry entries[CP_MAX_ENTRIES];
    size_t n_entries;
    bool prompt_caching;
    bool tool_caching;
    struct brk_error *err;
};

static bool s_contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

bool brk_model_prompt_caching(const char *model_id)
{
    return s_contains(model_id, "anthropic.") || (s_contains(model_id, "amazon.") && s_contains(model_id, "nova"));
}

bool brk_model_tool_caching(const char *model_id)
{
    return s_contains(model_id, "anthropic.");
}

static bool s_is_cp(const cJSON *block)
{
    return cJSON_IsObject(block) && cJSON_GetObjectItemCaseSensitive(block, "cachePoint") != NULL;
}

static bool s_is_doc_or_video(const cJSON *block)
{
    return cJSON_GetObjectItemCaseSensitive(block, "document") || cJSON_GetObjectItemCaseSensitive(block, "video");
}

static struct cp_entry *s_entry_of(struct cp_ctx *ctx, const cJSON *block)
{
    for (size_t i = 0; i < ctx->n_entries; i++) {
        if (ctx->entries[i].block == block) {
            return &ctx->entries[i];
        }
    }
    return NULL;
}

/* Record a cache point; NULL (with err set) past CP_MAX_ENTRIES. */
static struct cp_entry *s_track(struct cp_ctx *ctx, const cJSON *block, const char *source, const char *from)
{
    if (ctx->n_entries == CP_MAX_ENTRIES) {
        brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "more than %d cache points in one request", CP_MAX_ENTRIES);
        return NULL;
    }
    struct cp_entry *e = &ctx->entries[ctx->n_entries++];
    memset(e, 0, sizeof(*e));
    e->block = block;
    e->source = source;
    snprintf(e->from, sizeof(e->from), "%s", from ? from : "");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(block, "cachePoint"), "ttl");
    snprintf(e->ttl, sizeof(e->ttl), "%s", cJSON_IsString(ttl) ? ttl->valuestring : "");
    return e;
}

/* Mark the cache point `block` dropped and free it (it is detached already). */
static void s_drop(struct cp_ctx *ctx, cJSON *block, const char *reason)
{
    struct cp_entry *e = s_entry_of(ctx, block);
    if (e) {
        snprintf(e->dropped, sizeof(e->dropped), "%s", reason);
        e->block = NULL;
    }
    cJSON_Delete(block);
}

/* {"cachePoint": {"type": "default"[, "ttl": ttl]}}; NULL when memory runs out. */
static cJSON *s_new_cp(const char *ttl)
{
    cJSON *block = cJSON_CreateObject();
    cJSON *cp = cJSON_AddObjectToObject(block, "cachePoint");
    if (!cp || !cJSON_AddStringToObject(cp, "type", "default") || (ttl && !cJSON_AddStringToObject(cp, "ttl", ttl))) {
        cJSON_Delete(block);
        return NULL;
    }
    return block;
}

static const char *s_mode_ttl(enum brk_cache_mode mode)
{
    return mode == BRK_CACHE_TTL_5M ? "5m" : mode == BRK_CACHE_TTL_1H ? "1h" : NULL;
}

/* Index of the first block of the run of documents/videos that ends `content`, or its size. */
static int s_trailing_docs_start(const cJSON *content)
{
    int start = cJSON_GetArraySize(content);
    while (start > 0 && s_is_doc_or_video(cJSON_GetArrayItem(content, start - 1))) {
        start--;
    }
    return start;
}

/* Insert `item` before element `index` of `array` (the end when there is none). cJSON 1.7.15's
 * cJSON_InsertItemInArray does not insert, so the list is linked here. */
static void s_insert_at(cJSON *array, int index, cJSON *item)
{
    cJSON *after = cJSON_GetArrayItem(array, index);
    if (!after) {
        cJSON_AddItemToArray(array, item);
        return;
    }
    item->next = after;
    item->prev = after->prev; /* the head's prev is the last element */
    if (after == array->child) {
        array->child = item;
    } else {
        item->prev->next = item;
    }
    after->prev = item;
}

enum cp_insert { CP_INSERTED, CP_NOT_INSERTED, CP_ONLY_DOCS };

/* pydantic-ai's "insert before trailing documents/videos". On CP_INSERTED `cp` belongs to
 * `content`; otherwise the caller still owns it. A replaced cache point is dropped with `why`. */
static enum cp_insert s_insert_before_docs(struct cp_ctx *ctx, cJSON *content, cJSON *cp, bool replace, const char *why)
{
    int n = cJSON_GetArraySize(content);
    int start = s_trailing_docs_start(content);
    if (start == n) {
        cJSON_AddItemToArray(content, cp);
        return CP_INSERTED;
    }
    if (start == 0) {
        return CP_ONLY_DOCS;
    }
    if (!s_is_cp(cJSON_GetArrayItem(content, start - 1))) {
        s_insert_at(content, start, cp);
        return CP_INSERTED;
    }
    if (!replace) {
        return CP_NOT_INSERTED;
    }
    s_drop(ctx, cJSON_DetachItemFromArray(content, start - 1), why);
    s_insert_at(content, start - 1, cp);
    return CP_INSERTED;
}

/* The last user message of `built` with content, or NULL. */
static cJSON *s_last_user_content(cJSON *built)
{
    for (cJSON *m = built ? built->child ? built->child->prev : NULL : NULL; m;
         m = m == built->child ? NULL : m->prev) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0 && cJSON_GetArraySize(content) > 0) {
            return content;
        }
    }
    return NULL;
}

/* A marker that opens its part: it attaches to the previous user message. */
static enum brk_status s_leading_marker(struct cp_ctx *ctx, cJSON *built, cJSON *marker)
{
    cJSON *prev = s_last_user_content(built);
    if (!prev) {
        cJSON_Delete(marker);
        return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "%s", CP_MSG_FIRST);
    }
    const char *why = "replaced by a later marker (the later TTL wins)";
    int n = cJSON_GetArraySize(prev);
    if (s_is_cp(cJSON_GetArrayItem(prev, n - 1))) {
        s_drop(ctx, cJSON_DetachItemFromArray(prev, n - 1), why);
        cJSON_AddItemToArray(prev, marker);
    } else if (s_insert_before_docs(ctx, prev, marker, true, why) != CP_INSERTED) {
        s_drop(ctx, marker, "the previous user message holds only documents or videos");
    }
    return BRK_OK;
}

/* A marker after content of its own part. */
static enum brk_status s_inner_marker(struct cp_ctx *ctx, cJSON *content, cJSON *marker)
{
    if (s_is_cp(cJSON_GetArrayItem(content, cJSON_GetArraySize(content) - 1))) {
        cJSON_Delete(marker);
        return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "%s", CP_MSG_TWICE);
    }
    enum cp_insert r = s_insert_before_docs(ctx, content, marker, false, NULL);
    if (r == CP_ONLY_DOCS) {
        cJSON_Delete(marker);
        return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "%s", CP_MSG_ONLY_DOCS);
    }
    if (r == CP_NOT_INSERTED) {
        s_drop(ctx, marker, "a cache point already sits before the trailing documents (no two in a row)");
    }
    return BRK_OK;
}

/* Take one marker block (detached from the input, at `from`). */
static enum brk_status s_marker(struct cp_ctx *ctx, cJSON *built, cJSON *content, cJSON *marker, const char *from)
{
    cJSON *cp = cJSON_GetObjectItemCaseSensitive(marker, "cachePoint");
    if (cJSON_IsObject(cp) && !cJSON_GetObjectItemCaseSensitive(cp, "ttl") &&
        !cJSON_AddStringToObject(cp, "ttl", "5m")) { /* a CachePoint marker always has a TTL */
        cJSON_Delete(marker);
        return brk_error_setf(ctx->err, BRK_ERR_NOMEM, "out of memory");
    }
    if (!s_track(ctx, marker, "marker", from)) {
        cJSON_Delete(marker);
        return BRK_ERR_INVALID_ARG;
    }
    if (!ctx->prompt_caching) {
        s_drop(ctx, marker, "the model has no prompt caching");
        return BRK_OK;
    }
    if (cJSON_GetArraySize(content) == 0) {
        return s_leading_marker(ctx, built, marker);
    }
    return s_inner_marker(ctx, content, marker);
}

/* A part with a document and no text gets pydantic-ai's text first (AWS wants one). */
static void s_doc_text(cJSON *content)
{
    bool doc = false, text = false;
    const cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        doc = doc || cJSON_GetObjectItemCaseSensitive(b, "document");
        text = text || cJSON_GetObjectItemCaseSensitive(b, "text");
    }
    cJSON *t = doc && !text ? cJSON_CreateObject() : NULL;
    if (t && cJSON_AddStringToObject(t, "text", CP_DOC_TEXT)) {
        s_insert_at(content, 0, t);
    } else {
        cJSON_Delete(t); /* out of memory: sent without it, which Bedrock refuses with its own message */
    }
}

/* Rebuild user message `msg` (input index `mi`) as a part; appends it to `built` unless empty. */
static enum brk_status s_user_part(struct cp_ctx *ctx, cJSON *built, cJSON *msg, int mi)
{
    cJSON *in = cJSON_DetachItemFromObjectCaseSensitive(msg, "content");
    cJSON *content = cJSON_AddArrayToObject(msg, "content");
    enum brk_status st = content ? BRK_OK : brk_error_setf(ctx->err, BRK_ERR_NOMEM, "out of memory");
    for (int bi = 0; st == BRK_OK && in && in->child; bi++) {
        cJSON *block = cJSON_DetachItemViaPointer(in, in->child);
        if (!s_is_cp(block)) {
            cJSON_AddItemToArray(content, block);
            continue;
        }
        char from[BRK_WALK_LOCATION_LEN];
        snprintf(from, sizeof(from), "messages[%d].content[%d]", mi, bi);
        st = s_marker(ctx, built, content, block, from);
    }
    cJSON_Delete(in);
    if (st != BRK_OK || cJSON_GetArraySize(content) == 0) {
        cJSON_Delete(msg); /* a part left empty (only a marker) emits no message */
        return st;
    }
    s_doc_text(content);
    cJSON_AddItemToArray(built, msg);
    return BRK_OK;
}

/* Walk visitor: track the cache points the request already holds outside user content. */
static void s_track_existing(void *arg, const struct brk_walk_visit *v)
{
    struct cp_ctx *ctx = arg;
    if (!v->cache_point || (v->role && strcmp(v->role, "user") == 0)) {
        return;
    }
    char at[BRK_WALK_LOCATION_LEN];
    brk_walk_location(v, at, sizeof(at));
    s_track(ctx, v->block, "request", at);
}

/* Consecutive user messages become one (pydantic-ai's step 2). */
static void s_merge_users(cJSON *built)
{
    cJSON *prev = NULL;
    for (cJSON *m = built->child; m;) {
        cJSON *next = m->next;
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        bool user = cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0;
        if (user && prev) {
            cJSON *dst = cJSON_GetObjectItemCaseSensitive(prev, "content");
            cJSON *src = cJSON_GetObjectItemCaseSensitive(m, "content");
            while (src && src->child) {
                cJSON_AddItemToArray(dst, cJSON_DetachItemViaPointer(src, src->child));
            }
            cJSON_Delete(cJSON_DetachItemViaPointer(built, m));
        } else {
            prev = user ? m : NULL;
        }
        m = next;
    }
}

/* Rebuild `messages`: parts placed one by one, then merged. */
static enum brk_status s_messages(struct cp_ctx *ctx, cJSON *root)
{
    cJSON *in = cJSON_DetachItemFromObjectCaseSensitive(root, "messages");
    cJSON *built = cJSON_CreateArray();
    if (!built || !cJSON_AddItemToObject(root, "messages", built)) {
        cJSON_Delete(in);
        cJSON_Delete(built);
        return brk_error_setf(ctx->err, BRK_ERR_NOMEM, "out of memory");
    }
    enum brk_status st = BRK_OK;
    for (int mi = 0; st == BRK_OK && in && in->child; mi++) {
        cJSON *msg = cJSON_DetachItemViaPointer(in, in->child);
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(msg, "role");
        if (!cJSON_IsString(role)) {
            /* The service model requires a role (ConversationRole); without one nothing says
             * whether the message's cache points are markers, so refuse before placing. */
            cJSON_Delete(msg);
            st = brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG,
                                "messages.%d has no role: each message needs "
                                "\"role\": \"user\" or \"assistant\"",
                                mi);
        } else if (strcmp(role->valuestring, "user") == 0) {
            st = s_user_part(ctx, built, msg, mi);
        } else {
            cJSON_AddItemToArray(built, msg);
        }
    }
    cJSON_Delete(in);
    s_merge_users(built);
    return st;
}

/* Add a settings cache point to `list` at `index` (-1: the end). */
static enum brk_status s_add_setting(struct cp_ctx *ctx, cJSON *list, int index, enum brk_cache_mode mode,
                                     const char *source)
{
    cJSON *cp = s_new_cp(s_mode_ttl(mode));
    if (!cp) {
        return brk_error_setf(ctx->err, BRK_ERR_NOMEM, "out of memory");
    }
    if (!s_track(ctx, cp, source, NULL)) {
        cJSON_Delete(cp);
        return BRK_ERR_INVALID_ARG;
    }
    if (index < 0) {
        cJSON_AddItemToArray(list, cp);
    } else {
        s_insert_at(list, index, cp);
    }
    return BRK_OK;
}

/* A setting that is on but places nothing: reported, with why. */
static enum brk_status s_not_placed(struct cp_ctx *ctx, const char *source, const char *why)
{
    struct cp_entry *e = s_track(ctx, NULL, source, NULL);
    if (!e) {
        return BRK_ERR_INVALID_ARG;
    }
    snprintf(e->dropped, sizeof(e->dropped), "%s", why);
    return BRK_OK;
}

/* bedrock_cache_instructions: after the system prompt, or after its last static part. */
static enum brk_status s_cache_instructions(struct cp_ctx *ctx, cJSON *root, const struct brk_cache_settings *s)
{
    cJSON *system = cJSON_GetObjectItemCaseSensitive(root, "system");
    int n = cJSON_GetArraySize(system);
    if (s->instructions == BRK_CACHE_OFF) {
        return BRK_OK;
    }
    if (!ctx->prompt_caching || n == 0) {
        return s_not_placed(ctx, "instructions", n ? "the model has no prompt caching" : "there is no system prompt");
    }
    if (s->dynamic_instructions == 0) {
        return s_add_setting(ctx, system, -1, s->instructions, "instructions");
    }
    int index = s->dynamic_instructions >= (size_t)n ? 0 : n - (int)s->dynamic_instructions;
    return index > 0 ? s_add_setting(ctx, system, index, s->instructions, "instructions")
                     : s_not_placed(ctx, "instructions", "every system block is a dynamic instruction");
}

/* bedrock_cache_tool_definitions: the last element of tools, tool-caching models only. */
static enum brk_status s_cache_tools(struct cp_ctx *ctx, cJSON *root, const struct brk_cache_settings *s)
{
    cJSON *tools = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "toolConfig"), "tools");
    if (s->tool_definitions == BRK_CACHE_OFF) {
        return BRK_OK;
    }
    if (!ctx->tool_caching || cJSON_GetArraySize(tools) == 0) {
        return s_not_placed(ctx, "tool_definitions",
                            ctx->tool_caching ? "there are no tools" : "the model has no tool-definition caching");
    }
    return s_add_setting(ctx, tools, -1, s->tool_definitions, "tool_definitions");
}

/* bedrock_cache_messages: the end of the last user message, before trailing documents/videos. */
static enum brk_status s_cache_messages(struct cp_ctx *ctx, cJSON *root, const struct brk_cache_settings *s)
{
    cJSON *user = (cJSON *)brk_converse_last_user_message(root);
    cJSON *content = cJSON_GetObjectItemCaseSensitive(user, "content");
    int n = cJSON_GetArraySize(content);
    if (s->messages == BRK_CACHE_OFF) {
        return BRK_OK;
    }
    if (!ctx->prompt_caching || n == 0 || s_is_cp(cJSON_GetArrayItem(content, n - 1))) {
        return s_not_placed(ctx, "messages",
                            !ctx->prompt_caching ? "the model has no prompt caching"
                            : n == 0             ? "there is no user message with content"
                                                 : "the last user message already ends with a cache point");
    }
    cJSON *cp = s_new_cp(s_mode_ttl(s->messages));
    if (!cp) {
        return brk_error_setf(ctx->err, BRK_ERR_NOMEM, "out of memory");
    }
    if (!s_track(ctx, cp, "messages", NULL)) {
        cJSON_Delete(cp);
        return BRK_ERR_INVALID_ARG;
    }
    if (s_insert_before_docs(ctx, content, cp, false, NULL) != CP_INSERTED) {
        s_drop(ctx, cp, "a cache point already sits before the trailing documents (or only documents/videos)");
    }
    return BRK_OK;
}

/* Count the cache points of a list (system or tools). */
static unsigned s_count_cps(const cJSON *list)
{
    unsigned n = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        n += s_is_cp(b);
    }
    return n;
}

/* _limit_cache_points: keep system and tool cache points, then the newest message ones. */
static enum brk_status s_limit(struct cp_ctx *ctx, cJSON *root)
{
    unsigned used =
        s_count_cps(cJSON_GetObjectItemCaseSensitive(root, "system")) +
        s_count_cps(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "toolConfig"), "tools"));
    if (used > BRK_CACHEPOINT_MAX) {
        return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, CP_MSG_TOO_MANY, used);
    }
    unsigned budget = BRK_CACHEPOINT_MAX - used;
    cJSON *messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    for (cJSON *m = messages->child ? messages->child->prev : NULL; m; m = m == messages->child ? NULL : m->prev) {
        cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        for (cJSON *b = cJSON_IsArray(content) && content->child ? content->child->prev : NULL; b;) {
            cJSON *prev = b == content->child ? NULL : b->prev;
            if (s_is_cp(b) && budget > 0) {
                budget--;
            } else if (s_is_cp(b)) {
                s_drop(ctx, cJSON_DetachItemViaPointer(content, b),
                       "trimmed to 4: system and tool cache points stay, the newest message ones win");
            }
            b = prev;
        }
    }
    return BRK_OK;
}

/* Walk visitor: the final location of every tracked cache point. */
static void s_locate(void *arg, const struct brk_walk_visit *v)
{
    struct cp_ctx *ctx = arg;
    struct cp_entry *e = v->cache_point ? s_entry_of(ctx, v->block) : NULL;
    if (e) {
        brk_walk_location(v, e->at, sizeof(e->at));
    }
}

/* Add `key`: a string, or null for NULL or "". An item cJSON could not attach is freed (out of
 * memory; the caller's failure count catches it). */
static void s_add_str(cJSON *obj, const char *key, const char *value)
{
    cJSON *item = value && value[0] ? cJSON_CreateString(value) : cJSON_CreateNull();
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
    }
}

/* The report (include/bedrock/cache_points.h gives its shape). */
static cJSON *s_report(const struct cp_ctx *ctx, const char *model_id)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "model", model_id);
    cJSON_AddBoolToObject(r, "prompt_caching", ctx->prompt_caching);
    cJSON_AddBoolToObject(r, "tool_caching", ctx->tool_caching);
    cJSON *points = cJSON_AddArrayToObject(r, "points");
    for (size_t i = 0; i < ctx->n_entries; i++) {
        const struct cp_entry *e = &ctx->entries[i];
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "source", e->source);
        s_add_str(p, "from", e->from);
        s_add_str(p, "ttl", e->ttl);
        s_add_str(p, "at", e->dropped[0] ? NULL : e->at);
        s_add_str(p, "dropped", e->dropped);
        if (!cJSON_AddItemToArray(points, p)) {
            cJSON_Delete(p);
        }
    }
    return r;
}

/* Print `json` into `out` (when both are given). */
static enum brk_status s_emit(const cJSON *json, struct brk_buf *out, struct brk_error *err)
{
    if (!out) {
        return BRK_OK;
    }
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    enum brk_status st = text ? brk_buf_append_str(out, text) : BRK_ERR_NOMEM;
    cJSON_free(text);
    return st == BRK_OK ? BRK_OK : brk_error_setf(err, st, "cannot write the cache-point result");
}

/* Placement, settings and trimming on a parsed body. */
/* The first of `names` (NULL-terminated) that `obj` holds more than once, or NULL. */
static const char *s_repeated(const cJSON *obj, const char *const *names)
{
    for (; *names; names++) {
        if (brk_json_repeats(obj, *names)) {
            return *names;
        }
    }
    return NULL;
}

/* Refuse a body in which a member the placement reads or rewrites appears twice. JSON leaves
 * the meaning of a repeated name to the reader (RFC 8259 §4): the placement would act on the
 * first copy (and rebuilding a member moves it after the others), while the service may read
 * another, so the cache points would silently land where nothing reads them. Found by the
 * cache_points fuzz target: a message with two "content" arrays. */
static enum brk_status s_check_unique(struct cp_ctx *ctx, const cJSON *root)
{
    static const char *const top[] = {"messages", "system", "toolConfig", NULL};
    static const char *const config[] = {"tools", NULL};
    static const char *const message[] = {"role", "content", NULL};
    static const char *const why = "which copy the service reads is not defined, so cache points cannot be placed";
    const char *name = s_repeated(root, top);
    if (!name) {
        name = s_repeated(brk_json_get(root, "toolConfig"), config);
    }
    if (name) {
        return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "the request has \"%s\" more than once: %s", name, why);
    }
    int mi = 0;
    for (const cJSON *m = brk_json_get(root, "messages")->child; m; m = m->next, mi++) {
        if ((name = s_repeated(m, message)) != NULL) {
            return brk_error_setf(ctx->err, BRK_ERR_INVALID_ARG, "messages.%d has \"%s\" more than once: %s", mi, name,
                                  why);
        }
    }
    return BRK_OK;
}

static enum brk_status s_apply(struct cp_ctx *ctx, cJSON *root, const struct brk_cache_settings *s)
{
    enum brk_status st = s_check_unique(ctx, root);
    if (st != BRK_OK) {
        return st;
    }
    brk_converse_walk_blocks(root, s_track_existing, ctx);
    st = s_messages(ctx, root);
    if (st == BRK_OK) {
        st = s_cache_instructions(ctx, root, s);
    }
    if (st == BRK_OK) {
        st = s_cache_messages(ctx, root, s);
    }
    if (st == BRK_OK) {
        st = s_cache_tools(ctx, root, s);
    }
    if (st == BRK_OK) {
        st = s_limit(ctx, root);
    }
    if (st == BRK_OK) {
        brk_converse_walk_blocks(root, s_locate, ctx);
    }
    return st;
}

/* Print the body and the report; on failure `request_out` is put back as it was. */
static enum brk_status s_emit_both(const cJSON *root, const cJSON *report, struct brk_buf *request_out,
                                   struct brk_buf *report_out, struct brk_error *err)
{
    size_t before = request_out ? request_out->len : 0;
    enum brk_status st = s_emit(root, request_out, err);
    if (st == BRK_OK) {
        st = s_emit(report, report_out, err);
    }
    if (st != BRK_OK && request_out && request_out->data) {
        request_out->len = before;
        request_out->data[before] = '\0';
    }
    return st;
}

enum brk_status brk_cache_points_apply(const char *model_id, const struct brk_cache_settings *settings,
                                       const char *request_json, size_t len, struct brk_buf *request_out,
                                       struct brk_buf *report_out, struct brk_error *err)
{
    static const struct brk_cache_settings none = {0};
    if (!model_id || !request_json) {
        return brk_error_setf(err, BRK_ERR_INVALID_ARG, "a model id and a request body are required");
    }
    /* cJSON reports no memory as a NULL like any other failure: a failed allocation anywhere in
     * the run (common/alloc.h counts them) makes the whole run BRK_ERR_NOMEM. */
    long failures = brk_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(request_json, len);
    struct cp_ctx *ctx = root ? brk_calloc(1, sizeof(*ctx)) : NULL;
    enum brk_status st = BRK_OK;
    if (!cJSON_IsObject(root) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "messages")) || !ctx) {
        st = brk_alloc_failures() != failures
                 ? brk_error_setf(err, BRK_ERR_NOMEM, "out of memory")
                 : brk_error_setf(err, BRK_ERR_INVALID_ARG, "the request is not a JSON object with a messages array");
    } else {
        ctx->prompt_caching = brk_model_prompt_caching(model_id);
        ctx->tool_caching = brk_model_tool_caching(model_id);
        ctx->err = err;
        st = s_apply(ctx, root, settings ? settings : &none);
    }
    cJSON *report = st == BRK_OK ? s_report(ctx, model_id) : NULL;
    if (st == BRK_OK && brk_alloc_failures() != failures) {
        st = brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    }
    if (st == BRK_OK) {
        st = s_emit_both(root, report, request_out, report_out, err);
    }
    cJSON_Delete(report);
    cJSON_Delete(root);
    brk_free(ctx);
    return st;
}

void brk_client_set_cache(struct brk_client *client, const struct brk_cache_settings *settings)
{
    if (client) {
        client->cache_set = settings != NULL;
        memset(&client->cache, 0, sizeof(client->cache));
        if (settings) {
            client->cache = *settings;
        }
    }
}

/* CountTokens: place the cache points of input.converse and wrap the result again. */
static enum brk_status s_place_count_tokens(const struct brk_client *client, const char *model_id, const char *body,
                                            size_t body_len, struct brk_buf *placed, struct brk_error *err)
{
    cJSON *root = cJSON_ParseWithLength(body, body_len);
    cJSON *input = cJSON_GetObjectItemCaseSensitive(root, "input");
    char *converse = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(input, "converse"));
    struct brk_buf inner;
    brk_buf_init(&inner, placed->max_len);
    enum brk_status st =
        converse ? brk_cache_points_apply(model_id, &client->cache, converse, strlen(converse), &inner, NULL, err)
                 : brk_error_setf(err, BRK_ERR_INVALID_ARG, "the CountTokens body has no input.converse");
    cJSON *placed_json = st == BRK_OK ? cJSON_Parse(inner.data) : NULL;
    if (st == BRK_OK && (!placed_json || !cJSON_ReplaceItemInObjectCaseSensitive(input, "converse", placed_json))) {
        cJSON_Delete(placed_json);
        st = brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    }
    if (st == BRK_OK) {
        st = s_emit(root, placed, err);
    }
    brk_buf_clean_up(&inner);
    cJSON_free(converse);
    cJSON_Delete(root);
    return st;
}

enum brk_status client_cache_place(const struct brk_client *client, const char *model_id, bool count_tokens,
                                   const char *body, size_t body_len, struct brk_buf *placed, struct brk_error *err)
{
    if (!client || !client->cache_set || !body) {
        return BRK_OK;
    }
    if (count_tokens) {
        return s_place_count_tokens(client, model_id, body, body_len, placed, err);
    }
    return brk_cache_points_apply(model_id, &client->cache, body, body_len, placed, NULL, err);
}
