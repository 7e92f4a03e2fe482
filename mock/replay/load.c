/* load.c: the cassettes of a directory, in file-name order (replay_priv.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/log.h"
#include "mock/replay/cassette.h"
#include "mock/replay/replay_priv.h"

static int s_by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names of `dir`, sorted. */
static char **s_list(const char *dir, size_t *n_out, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "cannot open the cassette directory %s", dir);
        return NULL;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            char **grown = brk_realloc(names, (n + 1) * sizeof(*names));
            if (!grown) {
                break;
            }
            names = grown;
            names[n++] = brk_strdup(e->d_name);
        }
    }
    closedir(d);
    if (n) {
        qsort(names, n, sizeof(*names), s_by_name);
    }
    *n_out = n;
    return names ? names : brk_calloc(1, sizeof(*names));
}

static enum brk_status s_load_one(struct mock_replay_entry *e, const char *dir, const char *name,
                                  const char *const *ignore, size_t n_ignore, char *err, size_t err_len)
{
    char path[4096], why[256] = "unreadable";
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct brk_buf text;
    brk_buf_init(&text, MOCK_CASSETTE_MAX_BYTES);
    cJSON *doc =
        brk_buf_read_file(&text, path) == BRK_OK ? mock_cassette_parse(text.data, text.len, why, sizeof(why)) : NULL;
    brk_buf_clean_up(&text);
    if (!doc || mock_replay_entry_init(e, name, doc, ignore, n_ignore) != BRK_OK) {
        snprintf(err, err_len, "%s: %s", path, why);
        cJSON_Delete(doc);
        return BRK_ERR_PARSE;
    }
    return BRK_OK;
}

enum brk_status mock_replay_load(const char *dir, const char *const *ignore, size_t n_ignore,
                                 struct mock_replay_entry **out, size_t *n_out, char *err, size_t err_len)
{
    size_t n = 0, loaded = 0;
    char **names = s_list(dir, &n, err, err_len);
    if (!names) {
        return BRK_ERR_IO;
    }
    struct mock_replay_entry *entries = brk_calloc(n ? n : 1, sizeof(*entries));
    enum brk_status rc = entries ? BRK_OK : BRK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        rc = rc == BRK_OK ? s_load_one(&entries[loaded], dir, names[i], ignore, n_ignore, err, err_len) : rc;
        loaded += rc == BRK_OK;
        brk_free(names[i]);
    }
    brk_free(names);
    if (rc != BRK_OK) {
        mock_replay_entries_free(entries, loaded);
        return rc;
    }
    brk_log_info("%zu cassettes from %s", loaded, dir);
    *out = entries;
    *n_out = loaded;
    return BRK_OK;
}

void mock_replay_entries_free(struct mock_replay_entry *entries, size_t n)
{
    for (size_t i = 0; entries && i < n; i++) {
        mock_replay_entry_clean_up(&entries[i]);
    }
    brk_free(entries);
}
