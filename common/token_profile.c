/*
 * token_profile.c: per-family token accounting (see token_profile.h). Every number is from
 * /work/shared/spec/token-accounting.md (section in brackets); docs/tokens.md lists them.
 */
#include "common/token_profile.h"

#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/tokens.h"

/* Per-family defaults. framing/tool numbers are derived from the live single data points of
 * section 4 (request total minus text at the family's characters per token). */
struct s_family {
    const char *name;
    unsigned cpt_x10;
    uint64_t framing, per_message, per_system, tools_auto, tools_any;
    enum brk_image_rule image;
    uint64_t pdf_page_image;
};

static const struct s_family s_families[] = {
    /* [2.1] framing 7, system +1; [5] 3.8 chars/token; [2.2] preamble by model below */
    {"anthropic", 38, 7, 5, 1, 346, 313, BRK_IMAGE_RULE_AREA_750, 1550},
    /* [3] framing 0-1, 4.2 chars/token, tool preamble +413 with a 271-char tool => ~350 */
    {"nova", 42, 0, 3, 0, 350, 350, BRK_IMAGE_RULE_NOVA_V1, 2560},
    /* [4] Llama 4 Maverick: 66-char prompt + 130-char tool = 149 */
    {"llama", 42, 10, 3, 1, 92, 92, BRK_IMAGE_RULE_PATCH_16, 0},
    /* [4] Mistral Large 3: 78 chars = 21; Pixtral 66 chars + 130-char tool = 64 */
    {"mistral", 42, 2, 3, 1, 15, 15, BRK_IMAGE_RULE_PATCH_16, 0},
    /* [4] Qwen3 32B: 30 chars = 15, 78 chars = 30 */
    {"qwen", 42, 9, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] Gemma 3 27B: 78 chars = 27 */
    {"gemma", 42, 8, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] Nemotron Nano 12B: 78 chars = 33 */
    {"nemotron", 42, 14, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] MiniMax M2: 78 chars = 40 */
    {"minimax", 42, 21, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] GLM 4.7 Flash: 26 + 26 chars = 21 */
    {"glm", 42, 7, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] Kimi K2: 50 + 48 chars + 242-char tool = 92 */
    {"kimi", 42, 10, 3, 1, 10, 10, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] Palmyra X4: 5 messages (59 chars) + 134-char tool = 88 */
    {"palmyra", 42, 10, 3, 1, 20, 20, BRK_IMAGE_RULE_AREA_750, 0},
    /* [4] DeepSeek R1: 26 chars = 12; [5] 3.3 chars/token */
    {"deepseek", 33, 4, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    /* No live data: open-weight defaults ([5] 4.2 chars/token). */
    {"titan", 42, 5, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    {"cohere", 42, 5, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    {"openai", 42, 5, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
    {"", 42, 5, 3, 1, 50, 50, BRK_IMAGE_RULE_AREA_750, 0},
};

/* [2.2] Claude's tool-use system prompt: Anthropic's current table [D4], older rows [D4-old, D6].
 * First match wins, so longer names precede their prefixes. */
static const struct {
    const char *model;
    uint64_t auto_tokens, any_tokens;
} s_claude_tools[] = {
    {"opus-5", 286, 406},
    {"fable-5", 354, 474} /* not listed: Sonnet 5's row */,
    {"opus-4-8", 290, 410},
    {"opus-4-7", 675, 804},
    {"opus-4-6", 497, 589},
    {"sonnet-4-6", 497, 589},
    {"opus-4-5", 496, 588},
    {"sonnet-4-5", 496, 588},
    {"haiku-4-5", 496, 588},
    {"sonnet-5", 354, 474},
    {"opus-4-1", 313, 315},
    {"opus-4-2", 313, 315},
    {"sonnet-4-2", 313, 315},
    {"3-5-haiku", 264, 355},
    {"3-5-sonnet-20240620", 294, 261},
    {"3-opus", 530, 281},
    {"3-sonnet", 159, 235},
    {"3-haiku", 264, 340},
};

/* [2.4] Models that count images in 28-px patches; [2.1] models without the thinking surcharge;
 * [2.5] models that bill a user-turn PDF page as an image (Sonnet 4.5 live; 3.7 and v2 did not). */
static const char *const s_claude_patch_28[] = {"opus-4-7", "opus-4-8", "opus-5", "sonnet-5", "fable", "mythos"};
static const char *const s_claude_text_pdf[] = {"claude-3", "claude-v2", "claude-instant"};

static bool s_contains_any(const char *id, const char *const *list, size_t n)
{
    for (size_t i = 0; id && i < n; i++) {
        if (strstr(id, list[i])) {
            return true;
        }
    }
    return false;
}

static void s_init_anthropic(struct brk_token_profile *p, const char *id)
{
    for (size_t i = 0; id && i < sizeof(s_claude_tools) / sizeof(s_claude_tools[0]); i++) {
        if (strstr(id, s_claude_tools[i].model)) {
            p->tool_preamble_auto = s_claude_tools[i].auto_tokens;
            p->tool_preamble_any = s_claude_tools[i].any_tokens;
            break;
        }
    }
    if (s_contains_any(id, s_claude_patch_28, sizeof(s_claude_patch_28) / sizeof(s_claude_patch_28[0]))) {
        p->image_rule = BRK_IMAGE_RULE_PATCH_28;
    }
    if (s_contains_any(id, s_claude_text_pdf, sizeof(s_claude_text_pdf) / sizeof(s_claude_text_pdf[0]))) {
        p->pdf_page_image = 0;
    }
    p->tool_use_block = 25; /* [2.1] a toolUse + toolResult round costs 60-80 */
    p->tool_result_block = 20;
    p->thinking_enabled = 28;   /* [2.1] thinking enabled; adaptive adds nothing */
    p->structured_output = 190; /* [2.1] native structured output, small schema */
    p->history_reasoning_free = true;
    p->cache_fields_always = true; /* [1] Claude sends the cache fields as 0 */
}

void brk_token_profile_init(struct brk_token_profile *p, const char *family, const char *model_id)
{
    size_t n = sizeof(s_families) / sizeof(s_families[0]);
    const struct s_family *f = &s_families[n - 1];
    for (size_t i = 0; family && i < n; i++) {
        if (strcmp(family, s_families[i].name) == 0) {
            f = &s_families[i];
            break;
        }
    }
    memset(p, 0, sizeof(*p));
    snprintf(p->family, sizeof(p->family), "%s", f->name);
    p->chars_per_token_x10 = f->cpt_x10;
    p->framing = f->framing;
    p->per_extra_message = f->per_message;
    p->per_system_block = f->per_system;
    p->tool_preamble_auto = f->tools_auto;
    p->tool_preamble_any = f->tools_any;
    p->tool_use_block = 5;
    p->tool_result_block = 5;
    p->image_rule = f->image;
    p->image_flat_tokens = 1600; /* unknown size: about 1.15 MP at w*h/750 [2.4] */
    p->pdf_page_image = f->pdf_page_image;
    p->pdf_page_text = 70;                                        /* [2.5] a 1-page PDF inside a toolResult: about 70 */
    p->video_tokens = 1700;                                       /* [3] Nova 2 Lite: 1,620-1,850 per MP4 */
    p->history_reasoning_free = strcmp(f->name, "deepseek") == 0; /* [4] DeepSeek R1 */
    if (strcmp(f->name, "anthropic") == 0) {
        s_init_anthropic(p, model_id);
    } else if (strcmp(f->name, "nova") == 0 && model_id && strstr(model_id, "nova-2")) {
        p->tool_preamble_auto = p->tool_preamble_any = 850; /* [3] Nova 2 Lite: ~900 with one tool */
        p->image_rule = BRK_IMAGE_RULE_AREA_750;            /* [3] live growth matches w*h/750 */
    }
}

/* An id's provider prefix to the catalogue's family names (docs/models.md), for code that has
 * no catalogue: the client. The mock reads a model's family from its catalogue entry. */
static const struct {
    const char *prefix;
    const char *family;
} s_prefixes[] = {
    {"anthropic.", "anthropic"},
    {"amazon.nova", "nova"},
    {"amazon.titan", "titan"},
    {"meta.", "llama"},
    {"mistral.", "mistral"},
    {"cohere.", "cohere"},
    {"deepseek.", "deepseek"},
    {"qwen.", "qwen"},
    {"google.", "gemma"},
    {"minimax.", "minimax"},
    {"nvidia.", "nemotron"},
    {"writer.", "palmyra"},
    {"zai.", "glm"},
    {"moonshot", "kimi"},
    {"openai.", "openai"},
};

static const char *s_strip_geo(const char *id)
{
    static const char *const geos[] = {"us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global."};
    for (size_t i = 0; i < sizeof(geos) / sizeof(geos[0]); i++) {
        size_t n = strlen(geos[i]);
        if (strncmp(id, geos[i], n) == 0) {
            return id + n;
        }
    }
    return id;
}

const char *brk_token_family_for_model_id(const char *model_id)
{
    if (!model_id) {
        return NULL;
    }
    const char *slash = strrchr(model_id, '/'); /* an ARN: the id follows the last '/' */
    const char *id = s_strip_geo(slash && strncmp(model_id, "arn:", 4) == 0 ? slash + 1 : model_id);
    for (size_t i = 0; i < sizeof(s_prefixes) / sizeof(s_prefixes[0]); i++) {
        if (strncmp(id, s_prefixes[i].prefix, strlen(s_prefixes[i].prefix)) == 0) {
            return s_prefixes[i].family;
        }
    }
    return NULL;
}

/* The sum of the eight byte lanes of `lanes`. */
static uint64_t s_lane_sum(uint64_t lanes)
{
    const uint64_t even = 0x00FF00FF00FF00FFULL;
    uint64_t pairs = (lanes & even) + ((lanes >> 8) & even); /* four 16-bit lanes */
    return (pairs * 0x0001000100010001ULL) >> 48;
}

/* Bytes below 0x80 (ASCII) and UTF-8 lead bytes (0xC0 and up; continuation bytes 0x80-0xBF
 * are not counted) of text[0..len). Eight bytes a step: a byte is ASCII when its top bit is
 * clear, a lead byte when its top two bits are set, so a mask turns each byte into a 0 or 1
 * lane, and the lanes add up (at most 255 steps before a lane could overflow). Byte by byte
 * this was a fifth of a 20 KB request's time (docs/benchmarks.md). */
static void s_count_lanes(const char *text, size_t len, uint64_t *ascii, uint64_t *other)
{
    const uint64_t high = 0x8080808080808080ULL;
    size_t i = 0;
    while (i + 8 <= len) {
        uint64_t lanes_ascii = 0, lanes_other = 0;
        for (unsigned step = 0; step < 255 && i + 8 <= len; step++, i += 8) {
            uint64_t w;
            memcpy(&w, text + i, sizeof(w));
            lanes_ascii += (~w & high) >> 7;
            lanes_other += (w & (w << 1) & high) >> 7; /* bit 6 of each byte moved onto its bit 7 */
        }
        *ascii += s_lane_sum(lanes_ascii);
        *other += s_lane_sum(lanes_other);
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        *ascii += c < 0x80;
        *other += c >= 0xC0;
    }
}

/* Most prompts are ASCII: 32 bytes without a top bit set are 32 ASCII bytes and no lead byte,
 * found with one test instead of four masked steps (a block with any other byte takes those
 * steps). About four times faster on English text; the same sums (tests/test_token_profile.c
 * checks them against a byte-by-byte count). */
void brk_token_profile_count(const char *text, size_t len, uint64_t *ascii, uint64_t *other)
{
    const uint64_t high = 0x8080808080808080ULL;
    size_t i = 0;
    uint64_t plain = 0;
    for (; i + 32 <= len; i += 32) {
        uint64_t w[4];
        memcpy(w, text + i, sizeof(w));
        if (((w[0] | w[1] | w[2] | w[3]) & high) == 0) {
            plain += 32;
        } else {
            s_count_lanes(text + i, 32, ascii, other);
        }
    }
    *ascii += plain;
    s_count_lanes(text + i, len - i, ascii, other);
}

uint64_t brk_token_profile_text(const struct brk_token_profile *p, const char *text, size_t len)
{
    if (!p || p->chars_per_token_x10 == 0) {
        return brk_tokens_estimate(text, len);
    }
    uint64_t ascii = 0, other = 0;
    brk_token_profile_count(text, len, &ascii, &other);
    return brk_token_profile_counted(p, ascii, other);
}

uint64_t brk_token_profile_counted(const struct brk_token_profile *p, uint64_t ascii, uint64_t other)
{
    /* [5] ceil(chars / chars-per-token) for ASCII; about one token per other code point (CJK). */
    return (ascii * 10 + p->chars_per_token_x10 - 1) / p->chars_per_token_x10 + other;
}

static uint64_t s_ceil_div(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* [2.4] Claude 3.x-4.6: long edge at most 1,568 px, then at most about 1,600 tokens. */
static uint64_t s_area_750(uint64_t w, uint64_t h)
{
    if (w > 1568 || h > 1568) {
        uint64_t longest = w > h ? w : h;
        w = w * 1568 / longest;
        h = h * 1568 / longest;
    }
    uint64_t t = s_ceil_div(w * h, 750);
    return t > 1600 ? 1600 : t;
}

/* [2.4] Opus 4.7+, Sonnet 5+: long edge at most 2,576 px, ceil(w/28) * ceil(h/28), cap 4,784. */
static uint64_t s_patch_28(uint64_t w, uint64_t h)
{
    if (w > 2576 || h > 2576) {
        uint64_t longest = w > h ? w : h;
        w = w * 2576 / longest;
        h = h * 2576 / longest;
    }
    uint64_t t = s_ceil_div(w ? w : 1, 28) * s_ceil_div(h ? h : 1, 28);
    return t > 4784 ? 4784 : t;
}

/* [3] Nova v1 rescales to the nearest aspect-ratio bucket: 1:1 -> 1,300 (up to 900 px) or
 * 2,600; 3:2 -> 1,800 (540x360 and 3008x2000 both ~1,825 live); 2:1 -> 800 (900 px) or 2,400;
 * longer ratios scale as their bucket's area at about 675 px per token. */
static uint64_t s_nova_v1(uint64_t w, uint64_t h)
{
    uint64_t longest = w > h ? w : h, shortest = w > h ? h : w;
    uint64_t ratio_x10 = longest * 10 / shortest; /* 10 = 1:1, 15 = 3:2, 20 = 2:1 */
    bool small = longest <= 900;
    if (ratio_x10 < 13) {
        return small ? 1300 : 2600;
    }
    if (ratio_x10 < 18) {
        return 1800;
    }
    if (ratio_x10 < 25) {
        return small ? 800 : 2400;
    }
    uint64_t r = (ratio_x10 + 5) / 10;
    return (r > 9 ? 9 : r) * 900 * 900 / 675;
}

/* [4] Pixtral and Llama 4: a 597x566 image cost about 1,450, which 16-px patches plus one
 * token per row give (long edge at most 1,024 px). */
static uint64_t s_patch_16(uint64_t w, uint64_t h)
{
    if (w > 1024 || h > 1024) {
        uint64_t longest = w > h ? w : h;
        w = w * 1024 / longest;
        h = h * 1024 / longest;
    }
    uint64_t rows = s_ceil_div(h ? h : 1, 16);
    return s_ceil_div(w ? w : 1, 16) * rows + rows;
}

uint64_t brk_token_profile_image(const struct brk_token_profile *p, uint32_t width_px, uint32_t height_px)
{
    uint64_t flat = p ? p->image_flat_tokens : 1600;
    if (!p || width_px == 0 || height_px == 0) {
        return flat;
    }
    switch (p->image_rule) {
    case BRK_IMAGE_RULE_AREA_750:
        return s_area_750(width_px, height_px);
    case BRK_IMAGE_RULE_PATCH_28:
        return s_patch_28(width_px, height_px);
    case BRK_IMAGE_RULE_NOVA_V1:
        return s_nova_v1(width_px, height_px);
    case BRK_IMAGE_RULE_PATCH_16:
        return s_patch_16(width_px, height_px);
    case BRK_IMAGE_RULE_FLAT:
        break;
    }
    return flat;
}

static bool s_is(const cJSON *json, const char *value)
{
    const char *s = cJSON_GetStringValue(json);
    return s && strcmp(s, value) == 0;
}

/* [2.2] added once when toolConfig.tools holds a tool; `any` and `tool` cost more on Claude. */
static uint64_t s_tool_preamble(const struct brk_token_profile *p, const cJSON *config)
{
    const cJSON *tool = NULL;
    bool any_tool = false;
    cJSON_ArrayForEach(tool, brk_json_get(config, "tools"))
    {
        any_tool = any_tool || !brk_json_get(tool, "cachePoint");
    }
    if (!any_tool) {
        return 0;
    }
    const cJSON *choice = brk_json_get(config, "toolChoice");
    bool forced = brk_json_get(choice, "any") || brk_json_get(choice, "tool");
    return forced ? p->tool_preamble_any : p->tool_preamble_auto;
}

uint64_t brk_token_profile_overhead(const struct brk_token_profile *p, const cJSON *input)
{
    if (!p || !cJSON_IsObject(input)) {
        return 0;
    }
    uint64_t n = p->framing;
    int messages = cJSON_GetArraySize(brk_json_get(input, "messages"));
    n += messages > 1 ? (uint64_t)(messages - 1) * p->per_extra_message : 0;
    const cJSON *block = NULL;
    cJSON_ArrayForEach(block, brk_json_get(input, "system"))
    {
        n += brk_json_get(block, "cachePoint") ? 0 : p->per_system_block;
    }
    n += s_tool_preamble(p, brk_json_get(input, "toolConfig"));
    const cJSON *extra = brk_json_get(input, "additionalModelRequestFields");
    if (s_is(brk_json_get(brk_json_get(extra, "thinking"), "type"), "enabled")) {
        n += p->thinking_enabled;
    }
    /* Claude's own output_config.format is the same feature as outputConfig.textFormat (the
     * overhead of Claude's is not measured: docs/tokens.md). */
    const cJSON *format = brk_json_get(brk_json_get(input, "outputConfig"), "textFormat");
    const cJSON *claude_format = brk_json_get(brk_json_get(extra, "output_config"), "format");
    if (s_is(brk_json_get(format, "type"), "json_schema") || s_is(brk_json_get(claude_format, "type"), "json_schema")) {
        n += p->structured_output;
    }
    return n;
}
