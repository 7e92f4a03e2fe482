/*
 * The fuzz targets of fuzz/ compiled into the normal suite: each test replays every seed and
 * regression input of fuzz/corpus/<target>/ through the target body, so a past crash stays
 * fixed even where no fuzzer is installed (and runs under ASan, UBSan and valgrind too).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock/journal.h"
#include "tests/support/harness.h"

#include "fuzz/fuzz_support.c"

#include "fuzz/admin_body.c"
#include "fuzz/eventstream_decode.c"
#include "fuzz/json_print.c"
#include "fuzz/models_load.c"
#include "fuzz/request_pipeline.c"
#include "fuzz/rules_load.c"

typedef int (*s_target_fn)(const uint8_t *data, size_t size);

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run `fn` on every file of fuzz/corpus/<name>/ in name order; returns how many ran. */
static size_t s_replay(const char *name, s_target_fn fn)
{
    char dir_rel[256], path[4096];
    snprintf(dir_rel, sizeof(dir_rel), "fuzz/corpus/%s", name);
    const char *src = getenv("BRK_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/%s", src && src[0] ? src : ".", dir_rel);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "no seed corpus at %s", path);
    char *names[1024];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
        if (e->d_name[0] != '.') {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), s_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char rel[1024];
        size_t len = 0;
        snprintf(rel, sizeof(rel), "%s/%s", dir_rel, names[i]);
        char *data = th_read_source_file(rel, &len);
        cr_assert_not_null(data, "cannot read %s", rel);
        cr_assert_eq(fn((const uint8_t *)data, len), 0, "%s", rel);
        free(data);
        free(names[i]);
    }
    return n;
}

static void s_fini(void)
{
    fuzz_mock_release();
}

TestSuite(fuzz_replay, .fini = s_fini, .timeout = TH_SUITE_TIMEOUT_S);

Test(fuzz_replay, request_pipeline)
{
    cr_assert_gt(s_replay("request_pipeline", fuzz_request_pipeline), 0);
    /* The shared mock still serves after every hostile input. */
    cr_assert_gt(mock_journal_total(fuzz_mock()->journal), 0);
}

Test(fuzz_replay, models_load)
{
    cr_assert_gt(s_replay("models_load", fuzz_models_load), 0);
}

Test(fuzz_replay, admin_body)
{
    cr_assert_gt(s_replay("admin_body", fuzz_admin_body), 0);
}

Test(fuzz_replay, eventstream_decode)
{
    cr_assert_gt(s_replay("eventstream_decode", fuzz_eventstream_decode), 0);
}

Test(fuzz_replay, rules_load)
{
    cr_assert_gt(s_replay("rules_load", fuzz_rules_load), 0);
}

Test(fuzz_replay, json_print)
{
    cr_assert_gt(s_replay("json_print", fuzz_json_print), 0);
}
