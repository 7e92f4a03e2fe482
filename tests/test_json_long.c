/*
 * brk_json_parse_long (common/json_long.c): cJSON's parse with long plain string values copied
 * rather than read by cJSON. Every case is checked against cJSON_ParseWithLength of the same
 * text: the same refusals, and trees that print the same. The cases put long strings where the
 * scan could go wrong (keys, escapes, NULs, bytes below a space before a colon, text after the
 * root value, unclosed strings, more strings than are left out) and check the values that were
 * spliced back. The fuzz target json_long checks the same on any text.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_long.h"
#include "tests/support/harness.h"

TestSuite(json_long, .timeout = TH_SUITE_TIMEOUT_S);

/* Parse `text` both ways with the shortest left-out string `min`; both must refuse or both give
 * trees that print the same. Returns ours (the caller deletes it), or NULL. */
static cJSON *s_same(const char *text, size_t len, size_t min)
{
    cJSON *theirs = cJSON_ParseWithLength(text, len);
    cJSON *ours = brk_json_parse_long(text, len, min);
    cr_assert_eq(theirs == NULL, ours == NULL, "%.*s: cJSON %s, ours %s", (int)len, text, theirs ? "parsed" : "refused",
                 ours ? "parsed" : "refused");
    char *a = theirs ? cJSON_PrintUnformatted(theirs) : NULL;
    char *b = ours ? cJSON_PrintUnformatted(ours) : NULL;
    cr_assert((a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0), "%.*s:\n cJSON %s\n ours  %s", (int)len, text,
              a ? a : "(null)", b ? b : "(null)");
    free(a);
    free(b);
    cJSON_Delete(theirs);
    return ours;
}

static cJSON *s_same_str(const char *text, size_t min)
{
    return s_same(text, strlen(text), min);
}

static char *s_repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

Test(json_long, long_values_come_back_where_they_were)
{
    char *x = s_repeat('x', 5000), *y = s_repeat('y', 3000), text[9000];
    snprintf(text, sizeof(text), "{\"a\":[\"%s\",1,{\"b\":\"%s\"}],\"c\":\"short\"}", x, y);
    cJSON *t = s_same_str(text, 1024);
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "a"), 0)->valuestring, x);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "a"), 2), "b")->valuestring, y);
    cr_assert_str_eq(cJSON_GetObjectItem(t, "c")->valuestring, "short");
    cJSON_Delete(t);
    free(x);
    free(y);
}

Test(json_long, keys_escapes_and_nuls_parse_as_cjson_parses_them)
{
    const char *texts[] = {
        "{\"kkkkkkkkkkkk\": \"vvvvvvvvvvvv\", \"a\": [\"xxxxxxxxxx\", 1, \"y\"]}", /* a long key */
        "{\"a\": \"abc\\\"def\\\\ghi\\nzzzzzzzzzz\", \"b\": \"qqqqqqqqqq\"}",      /* escapes */
        "{\"kkkkkkkkkk\"\x01\x02 \t:\"vvvvvvvvvv\"}",                              /* below a space */
        "\"rrrrrrrrrrrrrrrr\"",                                                    /* the root */
        "{\"a\":\"\\\"\",\"b\":\"pppppppppppp\"}",                                 /* an escaped quote */
        "{\"a\":\"xxxxxxxxxx\",\"a\":\"yyyyyyyyyy\"}",                             /* a repeated key */
        "{\"a\":\"xxxxxxxxxx\"} \"yyyyyyyyyyyyyyy\" \"unclosed",                   /* after the root */
        "\"\":ax\"{xxxxxxxxx\",\"a\":\"yyyyyyyyyy\"}",                             /* a root string, a colon */
        "\xEF\xBB\xBF \"\":\"xxxxxxxxxxxx\"",                                      /* the same after a BOM */
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cJSON_Delete(s_same_str(texts[i], 4));
    }
    const char nul[] = "{\"a\":\"xxxxxxxx\0yyyyyyyy\"}"; /* cJSON keeps the bytes; C sees "xxxxxxxx" */
    cJSON *t = s_same(nul, sizeof(nul) - 1, 4);
    cr_assert_str_eq(cJSON_GetObjectItem(t, "a")->valuestring, "xxxxxxxx");
    cJSON_Delete(t);
}

Test(json_long, texts_cjson_refuses_are_refused)
{
    const char *texts[] = {
        "{\"a\":\"xxxxxxxxxxxxxxxxxxxx",       /* unclosed */
        "{\"a\":\"xxxxxxxxxxxxxxxxxxxx\\",     /* a backslash last */
        "{\"a\":\"xxxxxxxxxxxxxxxxxxxx\" x}",  /* a bad token after a long string */
        "{\"xxxxxxxxxxxxxxxxxxxx\" \"a\"}",    /* a long string where a colon belongs */
        "[\"xxxxxxxxxxxxxxxxxxxx\" \"yyyy\"]", /* two values without a comma */
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cr_expect_null(s_same_str(texts[i], 4), "%s", texts[i]);
    }
}

Test(json_long, past_the_limit_strings_parse_as_usual)
{
    char text[BRK_JSON_LONG_MAX * 2 * 16 + 16] = "[";
    for (int i = 0; i < BRK_JSON_LONG_MAX * 2; i++) {
        char item[16];
        snprintf(item, sizeof(item), "%s\"%c%c%c%c%c%c%c%c\"", i ? "," : "", 'A' + i % 26, 'a' + i % 26, 'A' + i % 26,
                 'a' + i % 26, '0' + i % 10, '0' + i % 10, 'z', 'Z');
        strcat(text, item);
    }
    strcat(text, "]");
    cJSON *t = s_same_str(text, 4);
    cr_assert_eq(cJSON_GetArraySize(t), BRK_JSON_LONG_MAX * 2);
    cr_assert_str_eq(cJSON_GetArrayItem(t, BRK_JSON_LONG_MAX * 2 - 1)->valuestring, "XxXx77zZ");
    cJSON_Delete(t);
}

Test(json_long, a_body_of_the_benchmark_parses_the_same)
{
    char path[4096];
    size_t len = 0;
    th_source_path("bench/fixtures/converse_100k.json", path, sizeof(path));
    char *body = th_read_file(path, &len);
    cr_assert_not_null(body, "%s", path);
    cJSON_Delete(s_same(body, len, 1024));
    free(body);
}
