/* json_long.c: cJSON's parse with long plain strings copied at memory speed (see json_long.h). */
#include "common/json_long.h"

#include <stdbool.h>
#include <string.h>

#include "common/alloc.h"

/* A string value left out of the copy: its content text[at, at + len), and its place among the
 * text's string values (0 for the first). */
struct s_long {
    size_t at, len, ordinal;
};

struct s_scan {
    struct s_long found[BRK_JSON_LONG_MAX];
    size_t n;
};

/* Index of the quote that closes the string opened at text[open], or len when it is not closed;
 * *plain: no backslash before it. Each byte is looked at a bounded number of times: the closing
 * quote found is kept while backslashes before it are skipped. */
static size_t s_string_end(const char *text, size_t len, size_t open, bool *plain)
{
    const char *quote = NULL;
    *plain = true;
    for (size_t p = open + 1; p < len;) {
        if (!quote || quote < text + p) {
            quote = memchr(text + p, '"', len - p);
        }
        if (!quote) {
            return len;
        }
        const char *slash = memchr(text + p, '\\', (size_t)(quote - (text + p)));
        if (!slash) {
            return (size_t)(quote - text);
        }
        *plain = false;
        p = (size_t)(slash - text) + 2; /* the escaped byte, whatever it is, is not a delimiter */
    }
    return len;
}

/* Whether the token ending before text[after] is a key: cJSON skips every byte up to a space
 * (buffer_skip_whitespace) and then wants ':' after a key. */
static bool s_is_key(const char *text, size_t len, size_t after)
{
    while (after < len && (unsigned char)text[after] <= 32) {
        after++;
    }
    return after < len && text[after] == ':';
}

/* Where the root value begins: cJSON skips a UTF-8 byte order mark, then every byte up to a
 * space. A root that is a string is a value whatever follows it (cJSON stops after the root),
 * so the key rule must not judge it: found by the fuzz target, `"":"x..."` parsed as "". */
static size_t s_root_at(const char *text, size_t len)
{
    size_t at = len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* cJSON looks from 5 bytes */
    while (at < len && (unsigned char)text[at] <= 32) {
        at++;
    }
    return at;
}

static void s_scan(const char *text, size_t len, size_t min, struct s_scan *scan)
{
    size_t ordinal = 0, root = s_root_at(text, len);
    scan->n = 0;
    for (size_t p = 0; p < len && scan->n < BRK_JSON_LONG_MAX;) {
        const char *q = memchr(text + p, '"', len - p);
        if (!q) {
            break;
        }
        size_t open = (size_t)(q - text);
        bool plain;
        size_t close = s_string_end(text, len, open, &plain);
        if (close >= len) {
            break; /* not closed: cJSON fails on it or stopped before it */
        }
        if (open == root || !s_is_key(text, len, close + 1)) {
            if (plain && close - open - 1 >= min) {
                scan->found[scan->n++] = (struct s_long){.at = open + 1, .len = close - open - 1, .ordinal = ordinal};
            }
            ordinal++;
        }
        p = close + 1;
    }
}

/* The text without the contents of the strings found (their quotes stay); NULL without memory. */
static char *s_copy_without(const char *text, size_t len, const struct s_scan *scan, size_t *out_len)
{
    char *copy = brk_malloc(len ? len : 1);
    size_t from = 0, n = 0;
    for (size_t i = 0; copy && i < scan->n; i++) {
        memcpy(copy + n, text + from, scan->found[i].at - from);
        n += scan->found[i].at - from;
        from = scan->found[i].at + scan->found[i].len;
    }
    if (copy) {
        memcpy(copy + n, text + from, len - from);
        n += len - from;
    }
    *out_len = n;
    return copy;
}

struct s_splice {
    const char *text;
    const struct s_scan *scan;
    size_t next;    /* the next entry of scan->found to give back */
    size_t ordinal; /* string values visited so far */
    bool ok;
};

/* Give each string value left out its content back, visiting the tree in document order (a
 * value's children follow it, an object's members and an array's elements in order). */
static void s_give_back(cJSON *item, struct s_splice *s)
{
    for (; item && s->ok && s->next < s->scan->n; item = item->next) {
        if (cJSON_IsString(item) && s->ordinal++ == s->scan->found[s->next].ordinal) {
            const struct s_long *l = &s->scan->found[s->next++];
            char *v = item->valuestring && item->valuestring[0] == '\0' ? cJSON_malloc(l->len + 1) : NULL;
            s->ok = v != NULL; /* not the empty string left: the scan and cJSON disagreed */
            if (v) {
                memcpy(v, s->text + l->at, l->len);
                v[l->len] = '\0';
                cJSON_free(item->valuestring);
                item->valuestring = v;
            }
        }
        s_give_back(item->child, s);
    }
}

cJSON *brk_json_parse_long(const char *text, size_t len, size_t min_string_bytes)
{
    struct s_scan scan;
    s_scan(text, len, min_string_bytes ? min_string_bytes : 1, &scan);
    if (scan.n == 0) {
        return cJSON_ParseWithLength(text, len);
    }
    size_t copy_len = 0;
    char *copy = s_copy_without(text, len, &scan, &copy_len);
    cJSON *tree = copy ? cJSON_ParseWithLength(copy, copy_len) : NULL;
    brk_free(copy);
    struct s_splice s = {.text = text, .scan = &scan, .ok = true};
    s_give_back(tree, &s);
    if (!tree || !s.ok) {
        cJSON_Delete(tree);
        return cJSON_ParseWithLength(text, len); /* cJSON's own answer, whatever it is */
    }
    return tree;
}
