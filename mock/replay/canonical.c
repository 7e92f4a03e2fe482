/* canonical.c: the match key of a request body and the first difference between two
 * (cassette.h: mock_cassette_canonical, mock_cassette_diff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "mock/replay/cassette.h"

#define S_MAX_DEPTH 64 /* deeper bodies are compared as printed, not member by member */

static int s_by_key(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Sort every object's members by name, at any depth; member order carries no meaning in JSON. */
static void s_sort(cJSON *node, int depth)
{
    if (!node || depth > S_MAX_DEPTH || !(cJSON_IsObject(node) || cJSON_IsArray(node))) {
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(node);
    cJSON **items = n ? brk_calloc(n, sizeof(*items)) : NULL;
    size_t i = 0;
    for (cJSON *c = node->child; c && items; c = c->next) {
        items[i++] = c;
        s_sort(c, depth + 1);
    }
    if (items && cJSON_IsObject(node)) {
        qsort(items, n, sizeof(*items), s_by_key);
        for (i = 0; i < n; i++) {
            items[i]->prev = i ? items[i - 1] : items[n - 1]; /* cJSON: the head's prev is the tail */
            items[i]->next = i + 1 < n ? items[i + 1] : NULL;
        }
        node->child = items[0];
    }
    brk_free(items);
}

/* Remove the member at dotted `path` ("a.b", "a[0].b", "messages.content" for every element). */
static void s_remove(cJSON *node, const char *path)
{
    if (!node || !*path) {
        return;
    }
    size_t len = strcspn(path, ".");
    const char *rest = path[len] ? path + len + 1 : "";
    char seg[256];
    if (len >= sizeof(seg)) {
        return;
    }
    memcpy(seg, path, len);
    seg[len] = '\0';
    char *end = NULL;
    long index = strtol(seg, &end, 10);
    bool numeric = len && *end == '\0';
    if (cJSON_IsArray(node) && numeric) {
        cJSON *item = cJSON_GetArrayItem(node, (int)index);
        *rest ? s_remove(item, rest) : cJSON_DeleteItemFromArray(node, (int)index);
    } else if (cJSON_IsArray(node)) {
        for (cJSON *c = node->child; c; c = c->next) {
            s_remove(c, path);
        }
    } else if (cJSON_IsObject(node)) {
        cJSON *item = cJSON_GetObjectItemCaseSensitive(node, seg);
        *rest ? s_remove(item, rest) : cJSON_DeleteItemFromObjectCaseSensitive(node, seg);
    }
}

char *mock_cassette_canonical(const char *body, size_t len, const char *const *ignore, size_t n_ignore)
{
    cJSON *json = len ? cJSON_ParseWithLength(body, len) : NULL;
    if (!json) {
        return brk_strndup(body ? body : "", len);
    }
    for (size_t i = 0; i < n_ignore; i++) {
        char path[512];
        size_t j = 0;
        for (const char *p = ignore[i]; *p && j + 1 < sizeof(path); p++) {
            if (*p != ']') {
                path[j++] = *p == '[' ? '.' : *p; /* a[0].b is a.0.b */
            }
        }
        path[j] = '\0';
        s_remove(json, path);
    }
    s_sort(json, 0);
    char *printed = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    char *out = printed ? brk_strdup(printed) : NULL;
    cJSON_free(printed);
    return out;
}

struct s_diff {
    size_t count;
    char first[512];
};

static void s_note(struct s_diff *d, const char *path)
{
    if (d->count++ == 0) {
        snprintf(d->first, sizeof(d->first), "%s", path[0] ? path : "(the whole body)");
    }
}

static void s_walk(const cJSON *a, const cJSON *b, const char *path, int depth, struct s_diff *d);

static void s_walk_children(const cJSON *a, const cJSON *b, const char *path, int depth, struct s_diff *d)
{
    char sub[512];
    if (cJSON_IsArray(a)) {
        int n = cJSON_GetArraySize(a) > cJSON_GetArraySize(b) ? cJSON_GetArraySize(a) : cJSON_GetArraySize(b);
        for (int i = 0; i < n; i++) {
            snprintf(sub, sizeof(sub), "%s[%d]", path, i);
            s_walk(cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i), sub, depth + 1, d);
        }
        return;
    }
    for (const cJSON *c = a->child; c; c = c->next) { /* members of a, then those only b has */
        snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", c->string);
        s_walk(c, cJSON_GetObjectItemCaseSensitive(b, c->string), sub, depth + 1, d);
    }
    for (const cJSON *c = b->child; c; c = c->next) {
        if (!cJSON_GetObjectItemCaseSensitive(a, c->string)) {
            snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", c->string);
            s_note(d, sub);
        }
    }
}

static void s_walk(const cJSON *a, const cJSON *b, const char *path, int depth, struct s_diff *d)
{
    bool same_container =
        a && b && ((cJSON_IsObject(a) && cJSON_IsObject(b)) || (cJSON_IsArray(a) && cJSON_IsArray(b)));
    if (same_container && depth < S_MAX_DEPTH) {
        s_walk_children(a, b, path, depth, d);
    } else if (!a || !b || !cJSON_Compare(a, b, true)) {
        s_note(d, path);
    }
}

size_t mock_cassette_diff(const char *a, const char *b, char *out, size_t out_len)
{
    struct s_diff d = {0};
    cJSON *ja = cJSON_Parse(a);
    cJSON *jb = cJSON_Parse(b);
    if (ja && jb) {
        s_walk(ja, jb, "", 0, &d);
    } else if (strcmp(a, b) != 0) {
        s_note(&d, "");
    }
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    snprintf(out, out_len, "%s", d.count ? d.first : "(none)");
    return d.count;
}
