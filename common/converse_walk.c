/* converse_walk.c: the Converse walk and its token accounting (see converse_walk.h). */
#include "common/converse_walk.h"

#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/image_size.h"
#include "common/json.h"
#include "common/tokens.h"

/* How much of an image is decoded to find its size: a JPEG's frame header may follow a large
 * EXIF segment. Beyond this the image counts as of unknown size. */
#define S_IMAGE_HEADER_MAX_BYTES (256u * 1024u)
/* How much of a document is decoded to count its pages or text. */
#define S_DOCUMENT_MAX_BYTES (32u * 1024u * 1024u)

/* How a block is counted: under which profile (NULL: the generic estimator), and whether it
 * sits inside a toolResult (where Bedrock bills a PDF as its text only, token-accounting.md 2.5). */
struct s_count {
    const struct brk_token_profile *profile;
    bool in_tool_result;
};

static uint64_t s_text(const struct s_count *c, const char *text)
{
    return text ? brk_token_profile_text(c->profile, text, strlen(text)) : 0;
}

/* Whether the profile counts a text by its ASCII and UTF-8 lead bytes (brk_token_profile_count),
 * which a reader can sum piece by piece; the generic estimator reads runs across the text. */
static bool s_counts_bytes(const struct s_count *c)
{
    return c->profile && c->profile->chars_per_token_x10;
}

/* brk_json_measure's view of a string: its ASCII and lead bytes, and how many bytes it has. */
struct s_json_counts {
    uint64_t ascii, other, string_bytes;
};

static void s_count_string(void *ctx, const char *s, size_t len)
{
    struct s_json_counts *k = ctx;
    brk_token_profile_count(s, len, &k->ascii, &k->other);
    k->string_bytes += len;
}

/* A JSON value's tokens: a string by its text, anything else by its unformatted JSON text. When
 * the profile counts bytes, that text is measured rather than printed (brk_json_measure, the
 * same text as cJSON's): printing a tool result's JSON was a quarter of counting the 100 KB
 * fixture (docs/benchmarks.md). */
static uint64_t s_json_tokens(const struct s_count *c, const cJSON *json)
{
    if (!json) {
        return 0;
    }
    if (cJSON_IsString(json)) {
        return s_text(c, json->valuestring);
    }
    struct s_json_counts k = {0, 0, 0};
    struct brk_json_measure m = {.len = 0, .on_string = s_count_string, .ctx = &k};
    if (s_counts_bytes(c) && brk_json_measure(json, &m)) { /* every byte outside the strings is ASCII */
        return brk_token_profile_counted(c->profile, m.len - k.string_bytes + k.ascii, k.other);
    }
    char *text = cJSON_PrintUnformatted(json);
    uint64_t n = s_text(c, text);
    cJSON_free(text); /* printed by cJSON's allocator, so freed by it */
    return n;
}

/* The first `max_bytes` (about) of a base64 blob, decoded into `out`; false when it is not base64. */
static bool s_decode_prefix(const char *b64, size_t max_bytes, struct brk_buf *out)
{
    size_t len = strlen(b64);
    size_t want = max_bytes / 3 * 4;
    brk_buf_init(out, max_bytes);
    return brk_base64_decode(b64, len < want ? len : want, out) == BRK_OK;
}

static uint64_t s_image_tokens(const struct s_count *c, const cJSON *image)
{
    if (!c->profile) {
        return BRK_WALK_IMAGE_TOKENS;
    }
    const char *b64 = cJSON_GetStringValue(brk_json_get(brk_json_get(image, "source"), "bytes"));
    struct brk_image_size size = {0};
    if (b64) {
        struct brk_buf raw;
        if (s_decode_prefix(b64, S_IMAGE_HEADER_MAX_BYTES, &raw)) {
            brk_image_size_read((const uint8_t *)raw.data, raw.len, &size);
        }
        brk_buf_clean_up(&raw);
    }
    return brk_token_profile_image(c->profile, size.width_px, size.height_px);
}

/* PDF pages: "/Type /Page" (or "/Type/Page") not followed by "s"; at least one. */
static uint64_t s_pdf_pages(const char *pdf, size_t len)
{
    uint64_t pages = 0;
    for (size_t i = 0; i + 10 < len; i++) {
        if (memcmp(pdf + i, "/Type", 5) != 0) {
            continue;
        }
        size_t j = i + 5;
        j += j < len && pdf[j] == ' ';
        if (j + 5 <= len && memcmp(pdf + j, "/Page", 5) == 0 && (j + 5 == len || pdf[j + 5] != 's')) {
            pages++;
        }
    }
    return pages ? pages : 1;
}

static bool s_format_is(const cJSON *doc, const char *const *formats, size_t n)
{
    const char *f = cJSON_GetStringValue(brk_json_get(doc, "format"));
    for (size_t i = 0; f && i < n; i++) {
        if (strcmp(f, formats[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The prefix of a document's base64 that is decoded (about S_DOCUMENT_MAX_BYTES), counted
 * without writing it (brk_base64_decode_count): its bytes, their ASCII and lead bytes. False
 * when it is not base64 (as s_decode_prefix would find). No buffer the size of the document. */
static bool s_decode_counting(const char *b64, uint64_t *bytes, uint64_t *ascii, uint64_t *other)
{
    size_t len = strlen(b64), want = S_DOCUMENT_MAX_BYTES / 3 * 4, got = 0;
    if (brk_base64_decode_count(b64, len < want ? len : want, true, &got, ascii, other) != BRK_OK) {
        return false;
    }
    *bytes = got;
    return true;
}

/* Document bytes under a profile: a PDF by its pages (text, plus a page image outside a
 * toolResult), a text format by its text, anything else at about 4 bytes per token. Only a
 * PDF (whose page markers can straddle pieces) or text under the generic estimator (whose runs
 * can) is decoded whole: decoding the 100 KB fixture's documents into buffers was most of
 * counting them (docs/benchmarks.md). */
static uint64_t s_document_bytes_tokens(const struct s_count *c, const cJSON *doc, const char *b64)
{
    static const char *const text_formats[] = {"txt", "md", "csv", "html"};
    static const char *const pdf[] = {"pdf"};
    bool is_pdf = s_format_is(doc, pdf, 1);
    bool is_text = !is_pdf && s_format_is(doc, text_formats, sizeof(text_formats) / sizeof(text_formats[0]));
    uint64_t bytes = 0, ascii = 0, other = 0;
    if (!is_pdf && (!is_text || s_counts_bytes(c))) {
        if (!s_decode_counting(b64, &bytes, &ascii, &other)) {
            return (uint64_t)strlen(b64) * 3 / 4 / 4;
        }
        return is_text ? brk_token_profile_counted(c->profile, ascii, other) : bytes / 4;
    }
    struct brk_buf raw;
    uint64_t n = (uint64_t)strlen(b64) * 3 / 4 / 4;
    if (!s_decode_prefix(b64, S_DOCUMENT_MAX_BYTES, &raw)) {
        brk_buf_clean_up(&raw);
        return n;
    }
    n = is_pdf ? s_pdf_pages(raw.data, raw.len) *
                     (c->profile->pdf_page_text + (c->in_tool_result ? 0 : c->profile->pdf_page_image))
               : brk_token_profile_text(c->profile, raw.data, raw.len);
    brk_buf_clean_up(&raw);
    return n;
}

static uint64_t s_document_tokens(const struct s_count *c, const cJSON *doc)
{
    const cJSON *source = brk_json_get(doc, "source");
    uint64_t n = s_json_tokens(c, brk_json_get(doc, "name"));
    const cJSON *bytes = brk_json_get(source, "bytes");
    if (cJSON_IsString(bytes) && c->profile) {
        n += s_document_bytes_tokens(c, doc, bytes->valuestring);
    } else if (cJSON_IsString(bytes)) {
        /* Decoded size is 3/4 of the base64 text; about 4 bytes of extracted text per token. */
        n += (uint64_t)strlen(bytes->valuestring) * 3 / 4 / 4;
    }
    n += s_json_tokens(c, brk_json_get(source, "text"));
    const cJSON *chunk = NULL;
    cJSON_ArrayForEach(chunk, brk_json_get(source, "content"))
    {
        n += s_json_tokens(c, brk_json_get(chunk, "text"));
    }
    return n;
}

static uint64_t s_block_tokens(const struct s_count *c, const cJSON *block);

static uint64_t s_tool_result_tokens(const struct s_count *c, const cJSON *result)
{
    struct s_count inner = {.profile = c->profile, .in_tool_result = true};
    uint64_t n = c->profile ? c->profile->tool_result_block : 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, brk_json_get(result, "content"))
    {
        n += s_block_tokens(&inner, item);
    }
    return n;
}

static uint64_t s_tool_spec_tokens(const struct s_count *c, const cJSON *spec)
{
    if (c->profile) {
        return s_json_tokens(c, spec); /* 2.3: the toolSpec's JSON length / 3.7-3.8 */
    }
    const cJSON *schema = brk_json_get(brk_json_get(spec, "inputSchema"), "json");
    return s_json_tokens(c, brk_json_get(spec, "name")) + s_json_tokens(c, brk_json_get(spec, "description")) +
           s_json_tokens(c, schema);
}

/* Kinds billed by what they are rather than their text. */
static bool s_media_tokens(const struct s_count *c, const cJSON *block, uint64_t *out)
{
    const cJSON *v = NULL;
    if ((v = brk_json_get(block, "image"))) {
        *out = s_image_tokens(c, v);
    } else if ((v = brk_json_get(block, "video"))) {
        *out = c->profile ? c->profile->video_tokens : BRK_WALK_IMAGE_TOKENS;
    } else if ((v = brk_json_get(block, "document"))) {
        *out = s_document_tokens(c, v);
    } else {
        return false;
    }
    return true;
}

static uint64_t s_block_tokens(const struct s_count *c, const cJSON *block)
{
    const cJSON *v = NULL;
    uint64_t n = 0;
    if ((v = brk_json_get(block, "text")) && cJSON_IsString(v)) {
        return s_text(c, v->valuestring);
    }
    if ((v = brk_json_get(block, "json"))) {
        return s_json_tokens(c, v);
    }
    if (brk_json_get(block, "cachePoint")) {
        return 0;
    }
    if (s_media_tokens(c, block, &n)) {
        return n;
    }
    if ((v = brk_json_get(block, "toolUse"))) {
        return (c->profile ? c->profile->tool_use_block : 0) + s_json_tokens(c, brk_json_get(v, "name")) +
               s_json_tokens(c, brk_json_get(v, "input"));
    }
    if ((v = brk_json_get(block, "toolResult"))) {
        return s_tool_result_tokens(c, v);
    }
    if ((v = brk_json_get(block, "toolSpec"))) {
        return s_tool_spec_tokens(c, v);
    }
    if ((v = brk_json_get(block, "reasoningContent"))) {
        bool free_history = c->profile && c->profile->history_reasoning_free;
        return free_history ? 0 : s_json_tokens(c, brk_json_get(brk_json_get(v, "reasoningText"), "text"));
    }
    if ((v = brk_json_get(block, "guardContent"))) {
        return s_json_tokens(c, brk_json_get(brk_json_get(v, "text"), "text"));
    }
    return s_json_tokens(c, block);
}

uint64_t brk_converse_block_tokens(const cJSON *block, const struct brk_token_profile *profile)
{
    struct s_count c = {.profile = profile};
    return s_block_tokens(&c, block);
}

/* One walk's visitor: `fn`, or `until` when the walk may end early (brk_converse_walk_until). */
struct s_walk_opts {
    bool count;
    const struct brk_token_profile *profile;
    brk_walk_fn fn;
    brk_walk_until_fn until;
    void *ctx;
};

/* Whether the walk ends here. */
static bool s_visit(struct brk_walk_visit *visit, const cJSON *block, const struct s_walk_opts *opts)
{
    visit->block = block;
    visit->cache_point = brk_json_get(block, "cachePoint");
    visit->tokens = opts->count ? brk_converse_block_tokens(block, opts->profile) : 0;
    if (opts->until) {
        return opts->until(opts->ctx, visit);
    }
    opts->fn(opts->ctx, visit);
    return false;
}

/* The blocks of one list (tools, system, a message's content); whether the walk ended in it. */
static bool s_walk_list(const cJSON *list, struct brk_walk_visit *visit, const struct s_walk_opts *opts)
{
    const cJSON *block = NULL;
    int i = 0;
    cJSON_ArrayForEach(block, list)
    {
        visit->block_index = i++;
        if (s_visit(visit, block, opts)) {
            return true;
        }
    }
    return false;
}

static bool s_walk(const cJSON *input, const struct s_walk_opts *opts)
{
    struct brk_walk_visit visit;
    memset(&visit, 0, sizeof(visit));
    visit.message_index = -1;
    visit.section = BRK_WALK_TOOLS;
    if (s_walk_list(brk_json_get(brk_json_get(input, "toolConfig"), "tools"), &visit, opts)) {
        return true;
    }
    visit.section = BRK_WALK_SYSTEM;
    if (s_walk_list(brk_json_get(input, "system"), &visit, opts)) {
        return true;
    }
    visit.section = BRK_WALK_MESSAGES;
    int m = 0;
    const cJSON *message = NULL;
    cJSON_ArrayForEach(message, brk_json_get(input, "messages"))
    {
        visit.message_index = m++;
        visit.role = cJSON_GetStringValue(brk_json_get(message, "role"));
        if (s_walk_list(brk_json_get(message, "content"), &visit, opts)) {
            return true;
        }
    }
    return false;
}

void brk_converse_walk(const cJSON *input, const struct brk_token_profile *profile, brk_walk_fn fn, void *ctx)
{
    struct s_walk_opts opts = {.count = true, .profile = profile, .fn = fn, .ctx = ctx};
    s_walk(input, &opts);
}

void brk_converse_walk_blocks(const cJSON *input, brk_walk_fn fn, void *ctx)
{
    struct s_walk_opts opts = {.count = false, .fn = fn, .ctx = ctx};
    s_walk(input, &opts);
}

bool brk_converse_walk_until(const cJSON *input, brk_walk_until_fn fn, void *ctx)
{
    struct s_walk_opts opts = {.count = false, .until = fn, .ctx = ctx};
    return s_walk(input, &opts);
}

void brk_walk_location(const struct brk_walk_visit *visit, char *out, size_t out_len)
{
    switch (visit->section) {
    case BRK_WALK_TOOLS:
        snprintf(out, out_len, "toolConfig.tools[%d]", visit->block_index);
        break;
    case BRK_WALK_SYSTEM:
        snprintf(out, out_len, "system[%d]", visit->block_index);
        break;
    case BRK_WALK_MESSAGES:
        snprintf(out, out_len, "messages[%d].content[%d]", visit->message_index, visit->block_index);
        break;
    }
}

static void s_sum(void *ctx, const struct brk_walk_visit *visit)
{
    *(uint64_t *)ctx += visit->tokens;
}

uint64_t brk_converse_input_tokens(const cJSON *input, const struct brk_token_profile *profile)
{
    uint64_t total = brk_token_profile_overhead(profile, input);
    brk_converse_walk(input, profile, s_sum, &total);
    return total;
}

/* Both the reply generator (what to echo) and the rule matchers (text, toolResult) look at the
 * caller's latest turn; scanning from the end finds it without walking the history. */
const cJSON *brk_converse_last_user_message(const cJSON *input)
{
    const cJSON *msgs = brk_json_get(input, "messages");
    for (int i = cJSON_GetArraySize(msgs) - 1; i >= 0; i--) {
        const cJSON *m = cJSON_GetArrayItem(msgs, i);
        const char *role = cJSON_GetStringValue(brk_json_get(m, "role"));
        if (role && strcmp(role, "user") == 0) {
            return m;
        }
    }
    return NULL;
}
