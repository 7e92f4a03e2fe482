/*
 * The request corpus as data: every fixtures/requests/valid/ file must pass validation and
 * every fixtures/requests/invalid/ file must fail with its expected status, error type and
 * message, sent over HTTP to a live mock. File format: docs/validation.md.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/operation.h"
#include "tests/support/harness.h"

static struct brk_mock *s_mock;

static void s_setup(void)
{
    s_mock = th_mock_start(NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(validate_fixtures, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static const char *s_str(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* The path of the fixture's operation; its labels are members named as in the template
 * ("modelId", "guardrailIdentifier", ...). */
static void s_path(const char *file, const cJSON *fx, struct brk_buf *out)
{
    struct brk_op_labels labels;
    for (int l = 0; l < BRK_OP_LABEL_COUNT; l++) {
        labels.value[l] = s_str(fx, brk_op_label_name((enum brk_op_label)l));
    }
    enum brk_op op = brk_op_parse(s_str(fx, "operation"));
    cr_assert_neq(op, BRK_OP_UNKNOWN, "%s: unknown operation %s", file, s_str(fx, "operation"));
    brk_buf_init(out, 8192);
    cr_assert_eq(brk_op_path(op, &labels, out), BRK_OK, "%s: a label of %s is missing", file, brk_op_name(op));
}

/* Send one fixture; returns the response (caller frees). */
static struct th_response s_send(const char *file, const cJSON *fx)
{
    struct brk_buf path;
    s_path(file, fx, &path);
    char *body = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(fx, "body"));
    char header_text[16][512];
    const char *headers[17] = {0};
    size_t n = 0;
    const cJSON *h = NULL;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(fx, "headers"))
    {
        cr_assert_lt(n, 16, "%s: too many headers", file);
        snprintf(header_text[n], sizeof(header_text[n]), "%s: %s", h->string, h->valuestring);
        headers[n] = header_text[n];
        n++;
    }
    const char *method = brk_op_info(brk_op_parse(s_str(fx, "operation")))->method;
    struct th_response r = th_request(s_mock, method, path.data, body, headers);
    free(body);
    brk_buf_clean_up(&path);
    return r;
}

typedef int (*s_check_fn)(const char *file, const cJSON *fx, const struct th_response *r);

static int s_run_dir(const char *dir, s_check_fn check)
{
    char dir_rel[512], abs[4096];
    snprintf(dir_rel, sizeof(dir_rel), "fixtures/requests/%s", dir);
    th_source_path(dir_rel, abs, sizeof(abs));
    DIR *d = opendir(abs);
    cr_assert_not_null(d, "cannot open %s", abs);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        char rel[512];
        snprintf(rel, sizeof(rel), "fixtures/requests/%s/%s", dir, e->d_name);
        char *text = th_read_source_file(rel, NULL);
        cJSON *fx = text ? cJSON_Parse(text) : NULL;
        cr_assert_not_null(fx, "%s: not JSON", rel);
        struct th_response r = s_send(rel, fx);
        count += check(rel, fx, &r);
        th_response_free(&r);
        cJSON_Delete(fx);
        free(text);
    }
    closedir(d);
    return count;
}

static int s_check_valid(const char *file, const cJSON *fx, const struct th_response *r)
{
    (void)fx;
    char type[256];
    th_header(r, "x-amzn-ErrorType", type, sizeof(type));
    /* Operations other modules implement may answer otherwise (or not be simulated yet), but
     * never with a rejection. */
    bool not_simulated = strncmp(th_message(r), "bedrock-mock does not simulate", 30) == 0;
    cr_expect(not_simulated ||
                  (strncmp(type, "ValidationException", 19) != 0 && strncmp(type, "SerializationException", 23) != 0),
              "%s: rejected with %s %s", file, type, r->body);
    if (strcmp(s_str(fx, "operation"), "Converse") == 0) {
        cr_expect_eq(r->status, 200, "%s: status %ld %s", file, r->status, r->body);
    }
    return 1;
}

static int s_check_invalid(const char *file, const cJSON *fx, const struct th_response *r)
{
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(fx, "expect");
    cr_assert_not_null(expect, "%s: no expect block", file);
    int status = cJSON_GetObjectItemCaseSensitive(expect, "status")->valueint;
    const char *code = s_str(expect, "code");
    char type[256];
    th_header(r, "x-amzn-ErrorType", type, sizeof(type));
    cr_expect_eq(r->status, status, "%s: status %ld, body %s", file, r->status, r->body);
    cr_expect(strncmp(type, code, strlen(code)) == 0 && type[strlen(code)] == ':', "%s: type %s", file, type);
    cr_expect_str_eq(th_message(r), s_str(expect, "message"), "%s", file);
    return 1;
}

Test(validate_fixtures, every_valid_request_is_accepted)
{
    cr_assert_geq(s_run_dir("valid", s_check_valid), 10);
}

Test(validate_fixtures, every_invalid_request_fails_with_bedrocks_error)
{
    cr_assert_geq(s_run_dir("invalid", s_check_invalid), 50);
}
