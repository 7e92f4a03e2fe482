/*
 * Unit tests for the per-family token accounting (common/token_profile.c and its use by the
 * Converse walk): each rule of docs/tokens.md with a case where it applies and one where it
 * does not. Expected numbers are the rule's arithmetic on the spec's figures.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/converse_walk.h"
#include "common/json.h"
#include "common/rng.h"
#include "common/token_profile.h"
#include "tests/support/harness.h"

#define SONNET45 "anthropic.claude-sonnet-4-5-20250929-v1:0"
#define TOOL "{\"toolSpec\":{\"name\":\"t\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}"

static struct brk_token_profile s_profile(const char *model_id)
{
    struct brk_token_profile p;
    brk_token_profile_init(&p, brk_token_family_for_model_id(model_id), model_id);
    return p;
}

static uint64_t s_overhead(const char *model_id, const char *json)
{
    struct brk_token_profile p = s_profile(model_id);
    cJSON *input = cJSON_Parse(json);
    cr_assert_not_null(input);
    uint64_t n = brk_token_profile_overhead(&p, input);
    cJSON_Delete(input);
    return n;
}

Test(token_profile, family_comes_from_the_provider_prefix)
{
    cr_assert_str_eq(brk_token_family_for_model_id("us.anthropic.claude-sonnet-4-6"), "anthropic");
    cr_assert_str_eq(brk_token_family_for_model_id("amazon.nova-micro-v1:0"), "nova");
    cr_assert_str_eq(brk_token_family_for_model_id("amazon.titan-text-express-v1"), "titan");
    cr_assert_str_eq(brk_token_family_for_model_id("global.anthropic.claude-opus-4-6-v1"), "anthropic");
    cr_assert_str_eq(brk_token_family_for_model_id("moonshotai.kimi-k2.5"), "kimi");
    cr_assert_str_eq(brk_token_family_for_model_id(
                         "arn:aws:bedrock:us-east-1:1:inference-profile/us.meta.llama3-1-8b-instruct-v1:0"),
                     "llama");
    cr_assert_null(brk_token_family_for_model_id("ai21.jamba-1-5-large-v1:0"));
    cr_assert_null(brk_token_family_for_model_id("anthropic")); /* no dot: not a provider prefix */
    cr_assert_null(brk_token_family_for_model_id(NULL));
}

Test(token_profile, text_counts_characters_per_token_and_cjk_per_character)
{
    struct brk_token_profile claude = s_profile(SONNET45), nova = s_profile("amazon.nova-lite-v1:0");
    cr_assert_eq(brk_token_profile_text(&claude, "0123456789012345678901234567890123456", 37), 10); /* ceil(37/3.8) */
    cr_assert_eq(brk_token_profile_text(&claude, "01234567890123456789012345678901234567", 38), 10);
    cr_assert_eq(brk_token_profile_text(&claude, "012345678901234567890123456789012345678", 39), 11);
    cr_assert_eq(brk_token_profile_text(&nova, "012345678901234567890123456789012345678901", 42), 10); /* 4.2 */
    cr_assert_eq(brk_token_profile_text(&claude, "\xe4\xbd\xa0\xe5\xa5\xbd", 6), 2); /* two CJK characters */
    cr_assert_eq(brk_token_profile_text(&claude, "", 0), 0);
    /* No profile: the generic estimator of common/tokens.h. */
    cr_assert_eq(brk_token_profile_text(NULL, "Hello, world!", 13), 4);
}

Test(token_profile, claude_tool_prompt_by_model_and_tool_choice)
{
    uint64_t bare = s_overhead(SONNET45, "{\"messages\":[]}");
    cr_assert_eq(bare, 7, "framing");
    cr_assert_eq(s_overhead(SONNET45, "{\"toolConfig\":{\"tools\":[" TOOL "]}}") - bare, 496);
    cr_assert_eq(s_overhead(SONNET45, "{\"toolConfig\":{\"tools\":[" TOOL "],\"toolChoice\":{\"any\":{}}}}") - bare,
                 588);
    cr_assert_eq(s_overhead(SONNET45,
                            "{\"toolConfig\":{\"tools\":[" TOOL "],\"toolChoice\":{\"tool\":{\"name\":\"t\"}}}}") -
                     bare,
                 588);
    cr_assert_eq(s_overhead("anthropic.claude-opus-4-1-20250805-v1:0", "{\"toolConfig\":{\"tools\":[" TOOL "]}}") -
                     bare,
                 313);
    cr_assert_eq(s_overhead("anthropic.claude-3-5-haiku-20241022-v1:0",
                            "{\"toolConfig\":{\"tools\":[" TOOL "],\"toolChoice\":{\"any\":{}}}}") -
                     bare,
                 355);
    /* Not added without a tool: no toolConfig, or tools holding only a cache point. */
    cr_assert_eq(s_overhead(SONNET45, "{\"toolConfig\":{\"tools\":[{\"cachePoint\":{\"type\":\"default\"}}]}}"), bare);
    /* Nova: one preamble whatever the choice. */
    cr_assert_eq(s_overhead("amazon.nova-micro-v1:0", "{\"toolConfig\":{\"tools\":[" TOOL "]}}"), 350);
}

Test(token_profile, thinking_and_structured_output_surcharges)
{
    cr_assert_eq(s_overhead(SONNET45, "{\"additionalModelRequestFields\":{\"thinking\":{\"type\":\"enabled\"}}}"),
                 7 + 28);
    cr_assert_eq(s_overhead(SONNET45, "{\"additionalModelRequestFields\":{\"thinking\":{\"type\":\"adaptive\"}}}"), 7);
    cr_assert_eq(s_overhead(SONNET45, "{\"outputConfig\":{\"textFormat\":{\"type\":\"json_schema\"}}}"), 7 + 190);
    cr_assert_eq(s_overhead("amazon.nova-micro-v1:0", "{\"outputConfig\":{\"textFormat\":{\"type\":\"json_schema\"}}}"),
                 0);
}

Test(token_profile, messages_and_system_blocks_add_their_framing)
{
    const char *two = "{\"system\":[{\"text\":\"a\"},{\"cachePoint\":{\"type\":\"default\"}}],"
                      "\"messages\":[{\"role\":\"user\"},{\"role\":\"assistant\"},{\"role\":\"user\"}]}";
    cr_assert_eq(s_overhead(SONNET45, two), 7 + 2 * 5 + 1, "two extra messages, one system text block");
    cr_assert_eq(s_overhead(SONNET45, "{\"messages\":[{\"role\":\"user\"}]}"), 7);
    struct brk_token_profile p = s_profile(SONNET45);
    cr_assert_eq(brk_token_profile_overhead(NULL, NULL), 0);
    cr_assert_eq(brk_token_profile_overhead(&p, NULL), 0);
}

Test(token_profile, images_by_family_formula)
{
    struct brk_token_profile sonnet = s_profile(SONNET45), opus47 = s_profile("us.anthropic.claude-opus-4-7");
    struct brk_token_profile nova = s_profile("amazon.nova-pro-v1:0"), nova2 = s_profile("us.amazon.nova-2-lite-v1:0");
    struct brk_token_profile pixtral = s_profile("mistral.pixtral-large-2502-v1:0");
    cr_assert_eq(brk_token_profile_image(&sonnet, 597, 566), 451); /* ceil(597*566/750) */
    cr_assert_eq(brk_token_profile_image(&sonnet, 400, 301), 161);
    cr_assert_eq(brk_token_profile_image(&sonnet, 4000, 3000), 1600, "resized, then at most ~1,600");
    cr_assert_eq(brk_token_profile_image(&sonnet, 0, 0), 1600, "unknown size");
    cr_assert_eq(brk_token_profile_image(&opus47, 1000, 1000), 36 * 36);
    cr_assert_eq(brk_token_profile_image(&opus47, 8000, 8000), 4784, "capped");
    cr_assert_eq(brk_token_profile_image(&nova, 540, 360), 1800);
    cr_assert_eq(brk_token_profile_image(&nova, 3008, 2000), 1800);
    cr_assert_eq(brk_token_profile_image(&nova, 900, 900), 1300);
    cr_assert_eq(brk_token_profile_image(&nova, 1300, 1300), 2600);
    cr_assert_eq(brk_token_profile_image(&nova, 900, 450), 800);
    cr_assert_eq(brk_token_profile_image(&nova, 1800, 900), 2400);
    cr_assert_eq(brk_token_profile_image(&nova2, 597, 566), 451, "Nova 2: w*h/750, not the v1 table");
    cr_assert_eq(brk_token_profile_image(&pixtral, 597, 566), 38 * 36 + 36);
    cr_assert_eq(brk_token_profile_image(NULL, 597, 566), BRK_WALK_IMAGE_TOKENS);
}

static uint64_t s_block(const char *model_id, const char *json)
{
    struct brk_token_profile p = s_profile(model_id);
    cJSON *block = cJSON_Parse(json);
    cr_assert_not_null(block, "%s", json);
    uint64_t n = brk_converse_block_tokens(block, &p);
    cJSON_Delete(block);
    return n;
}

/* A block {"document":{"format":..,"name":"d","source":{"bytes":<base64 of text>}}}. */
static char *s_document(const char *format, const char *content)
{
    struct brk_buf b64, out;
    brk_buf_init(&b64, 1 << 20);
    brk_buf_init(&out, 1 << 20);
    cr_assert_eq(brk_base64_encode(content, strlen(content), &b64), BRK_OK);
    brk_buf_appendf(&out, "{\"document\":{\"format\":\"%s\",\"name\":\"d\",\"source\":{\"bytes\":\"%s\"}}}", format,
                    b64.data);
    brk_buf_clean_up(&b64);
    return brk_buf_detach(&out, NULL);
}

#define PDF_2_PAGES "%PDF-1.4 << /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page >> %%EOF"

Test(token_profile, pdf_pages_cost_an_image_outside_tool_results_only)
{
    char *doc = s_document("pdf", PDF_2_PAGES);
    char result[4096];
    snprintf(result, sizeof(result), "{\"toolResult\":{\"toolUseId\":\"x\",\"content\":[%s]}}", doc);
    uint64_t name = 1;
    cr_assert_eq(s_block(SONNET45, doc), name + 2 * (70 + 1550), "2 pages: text and a page image each");
    cr_assert_eq(s_block(SONNET45, result), 20 + name + 2 * 70, "inside a toolResult: text only");
    cr_assert_eq(s_block("anthropic.claude-3-7-sonnet-20250219-v1:0", doc), name + 2 * 70, "3.7 Sonnet: text only");
    cr_assert_eq(s_block("amazon.nova-pro-v1:0", doc), name + 2 * (70 + 2560));
    free(doc);
}

Test(token_profile, text_documents_count_their_text)
{
    char *doc = s_document("txt", "0123456789012345678901234567890123456789012"); /* 43 chars */
    cr_assert_eq(s_block(SONNET45, doc), 1 + 12, "name + ceil(43 / 3.8)");
    free(doc);
    doc = s_document("docx", "0123456789012345678901234567890123456789012");
    cr_assert_eq(s_block(SONNET45, doc), 1 + 43 / 4, "binary formats: about 4 bytes per token");
    free(doc);
}

Test(token_profile, tool_specs_count_their_json_and_tool_rounds_their_wrappers)
{
    const char *spec = "{\"toolSpec\":{\"name\":\"get_weather\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}";
    /* {"name":"get_weather","inputSchema":{"json":{"type":"object"}}} is 64 characters. */
    cr_assert_eq(s_block(SONNET45, spec), 17);
    cr_assert_eq(s_block(SONNET45, "{\"toolUse\":{\"toolUseId\":\"x\",\"name\":\"t\",\"input\":{}}}"), 25 + 1 + 1);
    cr_assert_eq(s_block("meta.llama3-8b-instruct-v1:0",
                         "{\"toolUse\":{\"toolUseId\":\"x\",\"name\":\"t\",\"input\":{}}}"),
                 5 + 1 + 1);
}

Test(token_profile, earlier_reasoning_is_free_on_claude_and_deepseek_only)
{
    const char *r =
        "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"0123456789012345678901234567890123456789\"}}}";
    cr_assert_eq(s_block(SONNET45, r), 0);
    cr_assert_eq(s_block("deepseek.r1-v1:0", r), 0);
    cr_assert_eq(s_block("meta.llama3-8b-instruct-v1:0", r), 10, "ceil(40 / 4.2)");
}

Test(token_profile, input_tokens_are_overhead_plus_blocks)
{
    struct brk_token_profile p = s_profile(SONNET45);
    cJSON *input = cJSON_Parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, world!\"}]}]}");
    cr_assert_eq(brk_converse_input_tokens(input, &p), 7 + 4, "CountTokens 'Hello, world!' = 11 (spec 2.1)");
    cr_assert_eq(brk_converse_input_tokens(input, NULL), 4, "no profile: the generic estimate, no framing");
    cJSON_Delete(input);
}

Test(token_profile, cache_fields_are_always_sent_by_claude_only)
{
    struct brk_token_profile claude = s_profile(SONNET45), nova = s_profile("amazon.nova-lite-v1:0");
    cr_assert(claude.cache_fields_always);
    cr_assert_not(nova.cache_fields_always);
    struct brk_mock *mock = th_mock_start(NULL);
    struct th_response r = th_converse(mock, "amazon.nova-lite-v1:0",
                                       "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    const cJSON *usage = cJSON_GetObjectItem(r.json, "usage");
    cr_assert_null(cJSON_GetObjectItem(usage, "cacheReadInputTokens"), "Nova: only when caching took part");
    cr_assert_null(cJSON_GetObjectItem(usage, "cacheWriteInputTokens"));
    th_response_free(&r);
    brk_mock_stop(mock);
}

/* The counter reads eight bytes a step: every byte value, at every offset and across the
 * 255-step lane flush, counts as the rule says (ASCII bytes, and UTF-8 lead bytes 0xC0 up;
 * continuation bytes 0x80-0xBF nothing). Expected: the rule applied to counts the test makes. */
Test(token_profile, text_counts_every_byte_value_at_every_offset)
{
    struct brk_token_profile p = s_profile(SONNET45);
    size_t len = 8 * 255 * 2 + 13; /* two lane flushes and a tail */
    char *text = malloc(len);
    cr_assert_not_null(text);
    for (size_t i = 0; i < len; i++) {
        text[i] = (char)(unsigned char)((i * 37 + i / 256) & 0xFF);
    }
    for (size_t start = 0; start < 9; start++) {
        for (size_t n = 0; n + start <= len; n += n < 40 ? 1 : 997) {
            uint64_t ascii = 0, lead = 0;
            for (size_t i = start; i < start + n; i++) {
                ascii += (unsigned char)text[i] < 0x80;
                lead += (unsigned char)text[i] >= 0xC0;
            }
            uint64_t want = (ascii * 10 + p.chars_per_token_x10 - 1) / p.chars_per_token_x10 + lead;
            cr_assert_eq(brk_token_profile_text(&p, text + start, n), want, "start %zu, %zu bytes", start, n);
        }
    }
    /* Continuation bytes alone count nothing; a lead byte alone counts one. */
    cr_assert_eq(brk_token_profile_text(&p, "\x80\x81\xbf\x80\x81\xbf\x80\x81\xbf", 9), 0);
    cr_assert_eq(brk_token_profile_text(&p, "\x80\x81\xbf\xc0\x81\xbf\x80\x81\xbf", 9), 1);
    free(text);
}

/* Tokens of `value` in a {"json": value} block under `p`, against the rule: its unformatted JSON
 * text (cJSON's own printing) counted as text. */
static void s_assert_json_counts_as_printed(const struct brk_token_profile *p, cJSON *value)
{
    cJSON *block = cJSON_CreateObject();
    cJSON_AddItemToObject(block, "json", value);
    char *printed = cJSON_PrintUnformatted(value);
    cr_assert_not_null(printed);
    uint64_t want = brk_token_profile_text(p, printed, strlen(printed));
    cr_assert_eq(brk_converse_block_tokens(block, p), want, "%s", printed);
    cJSON_free(printed);
    cJSON_Delete(block);
}

/* A JSON value (a tool result's, a tool use's input, a tool spec) is counted without being
 * printed when the profile counts bytes; it must count exactly as its printed text: quotes,
 * escapes (\n and \u0001 alike), keys, commas, numbers as cJSON prints them, UTF-8. */
Test(token_profile, json_values_count_exactly_as_their_printed_text)
{
    static const char *const docs[] = {
        "{}",
        "[]",
        "[{}]",
        "{\"a\":[]}",
        "0",
        "-0",
        "1e300",
        "0.1",
        "-1.5e-7",
        "123456789012345678901",
        "3.141592653589793",
        "true",
        "null",
        "[false,true,null,1,2.5]",
        "\"\"",
        "{\"k\\\"ey\\n\":\"tab\\there \\\\ slash\\/ \\u0001\\u001f\\b\\f\\r\",\"n\":{\"deep\":[1,[2,[3]]]}}",
        "{\"caf\\u00e9\":\"\\u65e5\\u672c\\u8a9e \\ud83d\\ude00 emoji\",\"\\u00ff\":[\"\\u0080\"]}",
        "{\"rows\":[{\"id\":1,\"name\":\"alpha beta gamma delta\"},{\"id\":2,\"name\":\"\\\"quoted\\\" text\"}]}",
    };
    static const char *const models[] = {SONNET45, "amazon.nova-pro-v1:0", "meta.llama3-8b-instruct-v1:0"};
    for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
        struct brk_token_profile p = s_profile(models[m]);
        cr_assert(p.chars_per_token_x10 > 0, "%s counts bytes", models[m]);
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
            cJSON *value = cJSON_Parse(docs[i]);
            cr_assert_not_null(value, "%s", docs[i]);
            if (cJSON_IsString(value)) { /* a bare string counts as its text: wrap it to test the quoting */
                cJSON *list = cJSON_CreateArray();
                cJSON_AddItemToArray(list, value);
                value = list;
            }
            s_assert_json_counts_as_printed(&p, value);
        }
    }
}

/* Every byte value 1-255 at every offset of an eight-byte word, in a value and in a key: the
 * escape scan steps eight bytes at a time and must see each escaped byte wherever it falls. */
Test(token_profile, json_strings_count_every_byte_value_at_every_offset)
{
    struct brk_token_profile p = s_profile(SONNET45);
    for (unsigned value = 1; value < 256; value++) {
        for (size_t at = 0; at < 9; at++) {
            char text[32];
            memset(text, 'a', sizeof(text));
            text[at] = (char)value;
            text[at + 9] = (char)value;
            text[20 + at % 3] = '\0';
            cJSON *obj = cJSON_CreateObject();
            cJSON_AddStringToObject(obj, text, text);
            s_assert_json_counts_as_printed(&p, obj);
        }
    }
}

/* The rule the exact count keeps: an escaped byte costs what it prints as ("\n" two characters,
 * "\u0001" six), not what it is; 36 newlines cost more than 36 letters. */
Test(token_profile, json_escapes_count_as_printed_not_as_the_byte)
{
    struct brk_token_profile p = s_profile(SONNET45);
    uint64_t letters = s_block(SONNET45, "{\"json\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}");
    uint64_t newlines = s_block(SONNET45, "{\"json\":[\"\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n"
                                          "\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\"]}");
    uint64_t controls = s_block(SONNET45, "{\"json\":[\"\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001"
                                          "\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001"
                                          "\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001"
                                          "\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\"]}");
    cr_assert_eq(letters, brk_token_profile_text(&p, "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]", 40));
    cr_assert_gt(newlines, letters);
    cr_assert_gt(controls, newlines);
}

/* Text documents are counted from their base64 without being decoded (brk_base64_decode_count,
 * 16 or 32 characters a step): a long document counts as its whole text; a bad character or
 * early padding far into it makes the document undecodable (about 4 bytes of the base64's 3/4
 * per token), as a whole decode would. */
Test(token_profile, a_document_decoded_in_pieces_counts_as_its_whole_text)
{
    struct brk_token_profile p = s_profile(SONNET45);
    size_t len = 20000;
    char *content = malloc(len + 1);
    cr_assert_not_null(content);
    for (size_t i = 0; i < len; i++) {
        content[i] = i % 7 == 3 ? ' ' : (char)('a' + i % 26);
    }
    memcpy(content + 5000, "\xe6\x97\xa5\xe6\x9c\xac", 6); /* two three-byte characters */
    content[len] = '\0';
    char *doc = s_document("txt", content);
    cr_assert_eq(s_block(SONNET45, doc), 1 + brk_token_profile_text(&p, content, len), "name + the text");
    char *bytes = strstr(doc, "\"bytes\":\"") + 9;
    size_t b64_len = strcspn(bytes, "\"");
    bytes[4096 * 3 + 1] = '!'; /* far past the first steps */
    cr_assert_eq(s_block(SONNET45, doc), 1 + b64_len * 3 / 4 / 4, "undecodable: the estimate");
    bytes[4096 * 3 + 1] = '=';
    cr_assert_eq(s_block(SONNET45, doc), 1 + b64_len * 3 / 4 / 4, "padding before the end");
    free(doc);
    doc = s_document("docx", content);
    cr_assert_eq(s_block(SONNET45, doc), 1 + len / 4, "binary formats: the decoded bytes / 4");
    free(doc);
    free(content);
}

/* brk_token_profile_count against the rule written out byte by byte: ASCII below 0x80, a lead
 * byte from 0xC0. Random texts of every length up to 200 at every alignment, mostly ASCII runs
 * (the 32-byte fast path) with other bytes sprinkled in (the masked steps), each both ways. */
Test(token_profile, count_matches_the_byte_by_byte_rule)
{
    struct brk_rng rng;
    brk_rng_seed(&rng, 21);
    char text[256];
    unsigned fast = 0, slow = 0;
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)(brk_rng_next(&rng) % 201), at = (size_t)(brk_rng_next(&rng) % 8);
        unsigned other_per_256 = (unsigned)(brk_rng_next(&rng) % 3) * 4; /* none, a few, more */
        uint64_t want_ascii = 0, want_other = 0, ascii = 0, other = 0;
        for (size_t i = 0; i < len; i++) {
            uint64_t r = brk_rng_next(&rng);
            unsigned char c =
                (r & 255) < other_per_256 ? (unsigned char)(0x80 | (r >> 8)) : (unsigned char)(r >> 8 & 0x7F);
            text[at + i] = (char)c;
            want_ascii += c < 0x80;
            want_other += c >= 0xC0;
        }
        brk_token_profile_count(text + at, len, &ascii, &other);
        cr_assert_eq(ascii, want_ascii, "length %zu at %zu", len, at);
        cr_assert_eq(other, want_other, "length %zu at %zu", len, at);
        fast += want_ascii == len && len >= 32;
        slow += want_ascii < len && len >= 32;
    }
    cr_assert(fast > 100 && slow > 100, "both paths taken: %u all-ASCII, %u mixed", fast, slow);
}
