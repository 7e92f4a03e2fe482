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

#include "mock/admin/journal.h"
#include "tests/support/harness.h"

#include "fuzz/fuzz_support.c"

#include "fuzz/admin_body.c"
#include "fuzz/base64_decode.c"
#include "fuzz/cache_points.c"
#include "fuzz/cachepoint_scan.c"
#include "fuzz/cassette_load.c"
#include "fuzz/client_response.c"
#include "fuzz/eventstream_decode.c"
#include "fuzz/image_size.c"
#include "fuzz/journal_bodies.c"
#include "fuzz/json_long.c"
#include "fuzz/json_print.c"
#include "fuzz/models_load.c"
#include "fuzz/request_pipeline.c"
#include "fuzz/retry_ttl.c"
#include "fuzz/rules_load.c"
#include "fuzz/scenario_load.c"
#include "fuzz/sigv4_auth.c"
#include "fuzz/sigv4_roundtrip.c"
#include "fuzz/uri_codec.c"
#include "fuzz/vcr_import.c"

typedef int (*s_target_fn)(const uint8_t *data, size_t size);

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file names of fuzz/corpus/<name>/ in name order (at most 1024; free each); returns how many. */
static size_t s_corpus(const char *name, char **names)
{
    char rel[512], path[4096];
    snprintf(rel, sizeof(rel), "fuzz/corpus/%s", name);
    th_source_path(rel, path, sizeof(path));
    DIR *d = opendir(path);
    cr_assert_not_null(d, "no seed corpus at %s", path);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 1024) {
        if (e->d_name[0] != '.') {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), s_name_cmp);
    return n;
}

static char *s_seed(const char *name, const char *file, size_t *len)
{
    char rel[1024];
    snprintf(rel, sizeof(rel), "fuzz/corpus/%s/%s", name, file);
    char *data = th_read_source_file(rel, len);
    cr_assert_not_null(data, "cannot read %s", rel);
    return data;
}

/* Run `fn` on every file of fuzz/corpus/<name>/ in name order; returns how many ran. */
static size_t s_replay(const char *name, s_target_fn fn)
{
    char *names[1024];
    size_t n = s_corpus(name, names);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *data = s_seed(name, names[i], &len);
        cr_assert_eq(fn((const uint8_t *)data, len), 0, "%s/%s", name, names[i]);
        free(data);
        free(names[i]);
    }
    return n;
}

static void s_fini(void)
{
    fuzz_mock_release();
    fuzz_sigv4_auth_release();
    fuzz_sigv4_roundtrip_release();
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

Test(fuzz_replay, journal_bodies)
{
    cr_assert_gt(s_replay("journal_bodies", fuzz_journal_bodies), 0);
}

Test(fuzz_replay, eventstream_decode)
{
    cr_assert_gt(s_replay("eventstream_decode", fuzz_eventstream_decode), 0);
}

Test(fuzz_replay, cassette_load)
{
    cr_assert_gt(s_replay("cassette_load", fuzz_cassette_load), 0);
}

Test(fuzz_replay, vcr_import)
{
    cr_assert_gt(s_replay("vcr_import", fuzz_vcr_import), 0);
}

Test(fuzz_replay, rules_load)
{
    cr_assert_gt(s_replay("rules_load", fuzz_rules_load), 0);
}

Test(fuzz_replay, scenario_load)
{
    cr_assert_gt(s_replay("scenario_load", fuzz_scenario_load), 0);
}

Test(fuzz_replay, cachepoint_scan)
{
    cr_assert_gt(s_replay("cachepoint_scan", fuzz_cachepoint_scan), 0);
}

Test(fuzz_replay, cache_points)
{
    cr_assert_gt(s_replay("cache_points", fuzz_cache_points), 0);
}

Test(fuzz_replay, client_response)
{
    cr_assert_gt(s_replay("client_response", fuzz_client_response), 0);
}

Test(fuzz_replay, retry_ttl)
{
    cr_assert_gt(s_replay("retry_ttl", fuzz_retry_ttl), 0);
}

Test(fuzz_replay, base64_decode)
{
    cr_assert_gt(s_replay("base64_decode", fuzz_base64_decode), 0);
}

Test(fuzz_replay, image_size)
{
    cr_assert_gt(s_replay("image_size", fuzz_image_size), 0);
}

Test(fuzz_replay, json_long)
{
    cr_assert_gt(s_replay("json_long", fuzz_json_long), 0);
}

Test(fuzz_replay, json_print)
{
    cr_assert_gt(s_replay("json_print", fuzz_json_print), 0);
}

Test(fuzz_replay, sigv4_auth)
{
    cr_assert_gt(s_replay("sigv4_auth", fuzz_sigv4_auth), 0);
}

Test(fuzz_replay, sigv4_roundtrip)
{
    cr_assert_gt(s_replay("sigv4_roundtrip", fuzz_sigv4_roundtrip), 0);
}

Test(fuzz_replay, uri_codec)
{
    cr_assert_gt(s_replay("uri_codec", fuzz_uri_codec), 0);
}

/* Every seed is a request an SDK can send (none is skipped as out of bounds), and the property is
 * not vacuous: the same signed request with one body byte fewer (an empty one: one more) is refused. */
Test(fuzz_replay, sigv4_roundtrip_seeds_are_sdk_requests_and_tampering_fails)
{
    char *names[1024];
    size_t n = s_corpus("sigv4_roundtrip", names);
    cr_assert_gt(n, 5);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *data = s_seed("sigv4_roundtrip", names[i], &len);
        struct s_rt_request r;
        cr_expect(s_rt_parse(&r, (const uint8_t *)data, len), "%s is skipped as no SDK request", names[i]);
        if (!r.get) {
            struct brk_sigv4_result res;
            struct mock_request req;
            struct mock_response resp;
            s_rt_prepare(&r, &res, &req);
            req.body_len = req.body_len > 0 ? req.body_len - 1 : 1; /* an empty body gets its NUL */
            mock_response_init(&resp);
            cr_expect_not(mock_stage_auth(s_rt_mock(), &req, &resp), "%s: changed body accepted", names[i]);
            mock_response_clean_up(&resp);
            mock_request_clean_up(&req);
            brk_sigv4_result_clean_up(&res);
        }
        s_rt_clean_up(&r);
        free(data);
        free(names[i]);
    }
}

/* The seeds say by name what strict mode must do with them: signed_* and bearer_* pass (so the
 * fuzzer starts from requests that reach the signature comparison), bad_* are refused; lenient
 * mode accepts every signed_* one too. */
Test(fuzz_replay, sigv4_auth_seeds_pass_or_fail_strict_mode_as_named)
{
    char *names[1024];
    size_t n = s_corpus("sigv4_auth", names), good = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *data = s_seed("sigv4_auth", names[i], &len);
        bool lenient = false, strict = false;
        s_run((const uint8_t *)data, len, &lenient, &strict);
        if (strncmp(names[i], "signed_", 7) == 0 || strncmp(names[i], "bearer_", 7) == 0) {
            cr_expect(strict && lenient, "%s: strict %d lenient %d", names[i], strict, lenient);
            good++;
        } else if (strncmp(names[i], "bad_", 4) == 0) {
            cr_expect_not(strict, "%s passed strict mode", names[i]);
            bad++;
        }
        free(data);
        free(names[i]);
    }
    cr_assert_gt(good, 5);
    cr_assert_gt(bad, 5);
}
