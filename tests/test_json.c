/* Unit tests for common/json.c: brk_json_print must write what cJSON_PrintUnformatted writes,
 * byte for byte (json.h), and fail where cJSON fails; brk_json_measure must give that text's
 * length and every string's bytes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/rng.h"
#include "support/harness.h"

static void s_add_string_bytes(void *ctx, const char *s, size_t len)
{
    cr_assert_eq(strlen(s), len);
    *(size_t *)ctx += len;
}

/* The bytes of every string (values and keys) of `item`, the test's own walk. */
static size_t s_string_bytes(const cJSON *item)
{
    size_t n = cJSON_IsString(item) && item->valuestring ? strlen(item->valuestring) : 0;
    for (const cJSON *c = item->child; c; c = c->next) {
        n += (cJSON_IsObject(item) && c->string ? strlen(c->string) : 0) + s_string_bytes(c);
    }
    return n;
}

/* Print with both printers and require identical text; measure it and require its length. */
static void s_same_as_cjson(const cJSON *item, const char *what)
{
    char *theirs = cJSON_PrintUnformatted(item);
    cr_assert_not_null(theirs, "cJSON cannot print %s", what);
    size_t strings = 0;
    struct brk_json_measure m = {.len = 0, .on_string = s_add_string_bytes, .ctx = &strings};
    cr_assert(brk_json_measure(item, &m), "%s", what);
    cr_assert_eq(m.len, strlen(theirs), "measure of %s", what);
    cr_assert_eq(strings, s_string_bytes(item), "string bytes of %s", what);
    struct brk_buf ours;
    brk_buf_init(&ours, 1u << 24);
    cr_assert_eq(brk_json_print(item, &ours), BRK_OK, "%s", what);
    cr_assert_str_eq(ours.data, theirs, "%s", what);
    brk_buf_clean_up(&ours);
    free(theirs);
}

Test(json, numbers_print_as_cjson_prints_them)
{
    const double values[] = {0,
                             1,
                             -1,
                             69,
                             2147483647.0,
                             2147483648.0,
                             -2147483649.0,
                             1764100000000.0,
                             999999999999999.0,
                             1e15,
                             1e16,
                             123456789012345678.0,
                             9007199254740993.0,
                             0.1,
                             0.2,
                             1.0 / 3,
                             -2.5,
                             1e-7,
                             5e-324,
                             1.7976931348623157e308,
                             1e300,
                             -0.0,
                             NAN,
                             INFINITY,
                             -INFINITY};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        cJSON *n = cJSON_CreateNumber(values[i]);
        char what[64];
        snprintf(what, sizeof(what), "number %.17g", values[i]);
        s_same_as_cjson(n, what);
        cJSON_Delete(n);
    }
}

Test(json, strings_escape_as_cjson_escapes_them)
{
    const char *texts[] = {"",
                           "plain",
                           "quote \" backslash \\ slash /",
                           "\b\f\n\r\t",
                           "\x01\x1f\x7f",
                           "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
                           "\xff\xfe invalid UTF-8 passes through"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, texts[i], texts[i]); /* as a key and as a value */
        s_same_as_cjson(o, texts[i]);
        cJSON_Delete(o);
    }
}

/* Long strings, where brk_json_measure takes sixteen bytes a step: texts of every length up to
 * 80 of plain ASCII and UTF-8 bytes, with none, one or a few bytes cJSON escapes (controls,
 * '"', '\\', 0x7f which it does not) at random places, step boundaries included: the measure is
 * the length of cJSON's text, and a text with an escape measures longer than one without. */
Test(json, long_strings_measure_as_cjson_prints_them)
{
    static const char special[] = {'\n', '"', '\\', '\x01', '\x1f', '\t', '\x7f'};
    struct brk_rng rng;
    brk_rng_seed(&rng, 404);
    unsigned escaped = 0;
    for (int round = 0; round < 3000; round++) {
        char text[96];
        size_t len = 1 + (size_t)(brk_rng_next(&rng) % 80);
        for (size_t i = 0; i < len; i++) {
            uint64_t r = brk_rng_next(&rng);
            text[i] = r % 16 == 0 ? (char)(0xC3 + r % 2) : (char)(' ' + r % 90);
            text[i] = text[i] == '"' || text[i] == '\\' ? 'q' : text[i];
        }
        text[len] = '\0';
        cJSON *plain = cJSON_CreateString(text);
        size_t marks = (size_t)(brk_rng_next(&rng) % 4);
        for (size_t k = 0; k < marks; k++) {
            text[brk_rng_next(&rng) % len] = special[brk_rng_next(&rng) % sizeof(special)];
        }
        cJSON *marked = cJSON_CreateString(text);
        s_same_as_cjson(marked, "a long string");
        struct brk_json_measure a = {.len = 0, .on_string = NULL, .ctx = NULL}, b = a;
        cr_assert(brk_json_measure(plain, &a) && brk_json_measure(marked, &b));
        bool has_escape = strpbrk(text, "\n\"\\\x01\x1f\t") != NULL;
        cr_assert_eq(b.len > a.len, has_escape, "round %d: %zu vs %zu", round, b.len, a.len);
        escaped += has_escape;
        cJSON_Delete(plain);
        cJSON_Delete(marked);
    }
    cr_assert_gt(escaped, 1000, "texts with an escape: %u", escaped);
}

Test(json, every_fixture_request_prints_as_cjson_prints_it)
{
    const char *dirs[] = {"fixtures/requests/valid", "fixtures/requests/invalid"};
    size_t n = 0;
    for (size_t d = 0; d < 2; d++) {
        char abs[4096];
        th_source_path(dirs[d], abs, sizeof(abs));
        DIR *dir = opendir(abs);
        cr_assert_not_null(dir, "%s", abs);
        for (struct dirent *e = readdir(dir); e; e = readdir(dir)) {
            char rel[1024];
            snprintf(rel, sizeof(rel), "%s/%s", dirs[d], e->d_name);
            size_t len = 0;
            char *text = strstr(e->d_name, ".json") ? th_read_source_file(rel, &len) : NULL;
            cJSON *json = text ? cJSON_ParseWithLength(text, len) : NULL;
            if (json) {
                s_same_as_cjson(json, rel);
                n++;
            }
            cJSON_Delete(json);
            free(text);
        }
        closedir(dir);
    }
    cr_assert_gt(n, 10, "only %zu fixture requests parsed", n);
}

Test(json, fails_where_cjson_fails_and_respects_the_buffer_cap)
{
    cJSON raw = {.type = cJSON_Raw, .valuestring = NULL};
    struct brk_buf b;
    brk_buf_init(&b, 16);
    cr_assert_eq(brk_json_print(&raw, &b), BRK_ERR_INVALID_ARG);
    cr_assert_null(cJSON_PrintUnformatted(&raw));
    cJSON invalid = {.type = cJSON_Invalid};
    cr_assert_eq(brk_json_print(&invalid, &b), BRK_ERR_INVALID_ARG);
    cr_assert_eq(brk_json_print(NULL, &b), BRK_ERR_INVALID_ARG);
    struct brk_json_measure m = {.len = 0, .on_string = NULL, .ctx = NULL};
    cr_assert_not(brk_json_measure(&raw, &m));
    cr_assert_not(brk_json_measure(&invalid, &m));
    cr_assert_not(brk_json_measure(NULL, &m));
    brk_buf_reset(&b);
    cJSON *big = cJSON_CreateString("more than sixteen bytes of text");
    cr_assert_eq(brk_json_print(big, &b), BRK_ERR_TOO_LARGE);
    cJSON_Delete(big);
    cJSON *empty = cJSON_Parse("{\"a\":[],\"b\":{},\"c\":[null,true,false]}");
    brk_buf_clean_up(&b);
    brk_buf_init(&b, 1024);
    cr_assert_eq(brk_json_print(empty, &b), BRK_OK);
    cr_assert_str_eq(b.data, "{\"a\":[],\"b\":{},\"c\":[null,true,false]}");
    cJSON_Delete(empty);
    brk_buf_clean_up(&b);
}

Test(json, counts_clamp_to_the_exact_integer_range)
{
    const char *text = "[-5, 0, 1.9, 4096, 9007199254740992, 1e66, 1e300, \"12\", null]";
    cJSON *a = cJSON_Parse(text);
    const uint64_t want[] = {0, 0, 1, 4096, 9007199254740992u, 9007199254740992u, 9007199254740992u, 7, 7};
    int i = 0;
    const cJSON *v = NULL;
    cJSON_ArrayForEach(v, a)
    {
        cr_assert_eq(brk_json_count(v, 7), want[i], "element %d", i);
        i++;
    }
    cr_assert_eq(brk_json_count(NULL, 3), 3);
    cJSON_Delete(a);
}

Test(json, get_finds_a_member_by_exact_name)
{
    cJSON *obj = cJSON_Parse("{\"text\":\"a\",\"Text\":\"b\",\"t\":1,\"\":2,\"text2\":3}");
    cr_assert_not_null(obj);
    cr_assert_str_eq(cJSON_GetStringValue(brk_json_get(obj, "text")), "a");
    cr_assert_str_eq(cJSON_GetStringValue(brk_json_get(obj, "Text")), "b");
    cr_assert_eq(cJSON_GetNumberValue(brk_json_get(obj, "")), 2);
    cr_assert_null(brk_json_get(obj, "TEXT"));   /* case-sensitive */
    cr_assert_null(brk_json_get(obj, "tex"));    /* no prefix match */
    cr_assert_null(brk_json_get(obj, "text22")); /* nor a longer name */
    /* Every member is found where cJSON finds it. */
    for (const cJSON *m = obj->child; m; m = m->next) {
        cr_assert_eq(brk_json_get(obj, m->string), cJSON_GetObjectItemCaseSensitive(obj, m->string), "%s", m->string);
    }
    cJSON_Delete(obj);
}

Test(json, get_takes_the_first_of_repeated_keys)
{
    cJSON *obj = cJSON_Parse("{\"k\":1,\"k\":2}");
    cr_assert_not_null(obj);
    cr_assert_eq(cJSON_GetNumberValue(brk_json_get(obj, "k")), 1);
    cJSON_Delete(obj);
}

Test(json, repeats_tells_a_repeated_key_from_a_single_one)
{
    cJSON *obj = cJSON_Parse("{\"k\":1,\"kk\":2,\"j\":3,\"k\":4}");
    cJSON *arr = cJSON_Parse("[{\"k\":1},{\"k\":2}]");
    cr_assert_not_null(obj);
    cr_assert_not_null(arr);
    cr_expect(brk_json_repeats(obj, "k"));
    cr_expect_not(brk_json_repeats(obj, "kk")); /* a longer name is another name */
    cr_expect_not(brk_json_repeats(obj, "j"));
    cr_expect_not(brk_json_repeats(obj, "x"));
    cr_expect_not(brk_json_repeats(arr, "k")); /* an array's elements are not members */
    cr_expect_not(brk_json_repeats(NULL, "k"));
    cJSON_Delete(obj);
    cJSON_Delete(arr);
}

Test(json, get_answers_null_for_anything_but_an_object)
{
    cJSON *arr = cJSON_Parse("[{\"k\":1}]");
    cJSON *str = cJSON_CreateString("k");
    cJSON *obj = cJSON_Parse("{\"k\":1}");
    cr_assert_null(brk_json_get(arr, "k"));
    cr_assert_null(brk_json_get(str, "k"));
    cr_assert_null(brk_json_get(NULL, "k"));
    cr_assert_null(brk_json_get(obj, NULL));
    cr_assert_not_null(brk_json_get(obj, "k"));
    cJSON_Delete(arr);
    cJSON_Delete(str);
    cJSON_Delete(obj);
}
