/*
 * files.c: the scenario files named on a command line: a file as given, a folder walked
 * recursively for *.json (schema.json, the format's JSON Schema, skipped), each folder's entries
 * in name order so reports come in a stable order.
 *
 * Ownership: the path list belongs to the caller (scn_free_paths). Thread-safe.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "scenario/scenario.h"

#define S_MAX_DEPTH 32
#define S_MAX_FILES 100000

struct s_list {
    char **items;
    size_t n, cap;
};

static enum brk_status s_push(struct s_list *l, const char *path)
{
    if (l->n >= S_MAX_FILES) {
        return BRK_ERR_TOO_LARGE;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **items = brk_realloc(l->items, cap * sizeof(*items));
        if (!items) {
            return BRK_ERR_NOMEM;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n] = brk_strdup(path);
    return l->items[l->n++] ? BRK_OK : BRK_ERR_NOMEM;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool s_is_scenario_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0 && strcmp(name, "schema.json") != 0;
}

static enum brk_status s_walk(const char *dir, int depth, struct s_list *out, struct scn_diags *diags);

/* One folder entry: a sub-folder walked, a scenario file added. */
static enum brk_status s_entry(const char *dir, const char *name, int depth, struct s_list *out,
                               struct scn_diags *diags)
{
    char path[4096];
    struct stat st;
    size_t len = strlen(dir);
    snprintf(path, sizeof(path), "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name);
    if (name[0] == '.' || stat(path, &st) != 0) {
        return BRK_OK;
    }
    if (S_ISDIR(st.st_mode)) {
        return s_walk(path, depth + 1, out, diags);
    }
    return S_ISREG(st.st_mode) && s_is_scenario_name(name) ? s_push(out, path) : BRK_OK;
}

static enum brk_status s_walk(const char *dir, int depth, struct s_list *out, struct scn_diags *diags)
{
    if (depth > S_MAX_DEPTH) {
        scn_diags_add(diags, "%s: folders nested deeper than %d", dir, S_MAX_DEPTH);
        return BRK_ERR_TOO_LARGE;
    }
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        scn_diags_add(diags, "%s: cannot be read", dir);
        return BRK_ERR_IO;
    }
    enum brk_status rc = BRK_OK;
    for (int i = 0; i < n; i++) {
        if (rc == BRK_OK) {
            rc = s_entry(dir, names[i]->d_name, depth, out, diags);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

enum brk_status scn_collect_paths(char *const *args, size_t n_args, char ***paths_out, size_t *n_out,
                                  struct scn_diags *diags)
{
    struct s_list l = {0};
    enum brk_status rc = BRK_OK;
    for (size_t i = 0; i < n_args && rc == BRK_OK; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            scn_diags_add(diags, "%s: no such file or folder", args[i]);
            rc = BRK_ERR_NOT_FOUND;
        } else if (S_ISDIR(st.st_mode)) {
            size_t first = l.n;
            rc = s_walk(args[i], 0, &l, diags);
            qsort(l.items + first, l.n - first, sizeof(*l.items), s_cmp);
        } else {
            rc = s_push(&l, args[i]);
        }
    }
    if (rc != BRK_OK) {
        scn_free_paths(l.items, l.n);
        return rc;
    }
    *paths_out = l.items;
    *n_out = l.n;
    return BRK_OK;
}

void scn_free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        brk_free(paths[i]);
    }
    brk_free(paths);
}
