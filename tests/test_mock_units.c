/* Unit tests for mock modules that need no socket: router, catalogue, journal, reply. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/rng.h"
#include "mock/model/catalog.h"
#include "mock/admin/journal.h"
#include "mock/admin/journal_body.h"
#include "mock/mock_priv.h"
#include "mock/model/reply.h"
#include "mock/pipeline/router.h"

/* The operation METHOD + url routes to; where it went in *to_out (may be NULL). */
static enum brk_op s_route_to(const char *method, const char *url, char *model_out, enum mock_route_to *to_out)
{
    struct mock_request req;
    mock_request_build(&req, method, url, NULL, NULL, 0);
    enum mock_route_to to = mock_route(&req);
    enum brk_op op = req.route.op;
    if (to_out) {
        *to_out = to;
    }
    cr_assert_eq(to == MOCK_ROUTE_OPERATION, op != BRK_OP_UNKNOWN, "%s %s: routed %d, op %d", method, url, to, op);
    if (model_out) {
        strcpy(model_out, req.route.label[BRK_OP_LABEL_MODEL_ID]);
    }
    mock_request_clean_up(&req);
    return op;
}

static enum brk_op s_route(const char *method, const char *url, char *model_out)
{
    return s_route_to(method, url, model_out, NULL);
}

Test(router, routes_every_operation_of_the_model)
{
    static const struct {
        const char *method, *url;
        enum brk_op op;
    } routes[] = {
        {"POST", "/model/m/converse-stream", BRK_OP_CONVERSE_STREAM},
        {"POST", "/model/m/invoke", BRK_OP_INVOKE_MODEL},
        {"POST", "/model/m/invoke-with-response-stream", BRK_OP_INVOKE_MODEL_STREAM},
        {"POST", "/model/m/invoke-with-bidirectional-stream", BRK_OP_INVOKE_MODEL_BIDI},
        {"POST", "/model/m/count-tokens", BRK_OP_COUNT_TOKENS},
        {"POST", "/guardrail/g1/version/1/apply", BRK_OP_APPLY_GUARDRAIL},
        {"POST", "/guardrail-checks/invoke", BRK_OP_INVOKE_GUARDRAIL_CHECKS},
        {"POST", "/async-invoke", BRK_OP_START_ASYNC_INVOKE},
        {"GET", "/async-invoke", BRK_OP_LIST_ASYNC_INVOKES},
        {"GET", "/async-invoke/arn%3Ax", BRK_OP_GET_ASYNC_INVOKE},
    };
    char model[2100];
    cr_assert_eq(s_route("POST", "/model/m.x/converse", model), BRK_OP_CONVERSE);
    cr_assert_str_eq(model, "m.x");
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        cr_assert_eq(s_route(routes[i].method, routes[i].url, NULL), routes[i].op, "%s", routes[i].url);
    }
}

Test(router, sends_the_admin_prefix_to_the_admin_api_and_nothing_else)
{
    const char *admin[] = {"/_mock", "/_mock/", "/_mock/health"};
    const char *other[] = {"/_mockery", "/x/_mock/health"};
    enum mock_route_to to;
    for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++) {
        cr_assert_eq(s_route_to("GET", admin[i], NULL, &to), BRK_OP_UNKNOWN, "%s: not a service operation", admin[i]);
        cr_assert_eq(to, MOCK_ROUTE_ADMIN, "%s", admin[i]);
    }
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        s_route_to("GET", other[i], NULL, &to);
        cr_assert_eq(to, MOCK_ROUTE_NOWHERE, "%s", other[i]);
    }
}

Test(router, decodes_arn_labels_and_rejects_unknown_paths)
{
    char model[2100];
    cr_assert_eq(s_route("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.a.b/converse",
                         model),
                 BRK_OP_CONVERSE);
    cr_assert_str_eq(model, "arn:aws:bedrock:us-east-1:1:inference-profile/us.a.b");
    cr_assert_eq(s_route("GET", "/model/m/converse", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model/m/chat", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model//converse", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model/bad%zz/converse", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model/nul%00/converse", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/a/b/c/d/e/f/g", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model/m/converse/", NULL), BRK_OP_UNKNOWN, "a trailing slash is another path");
    cr_assert_eq(s_route("POST", "//model/m/converse", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("POST", "/model/m", NULL), BRK_OP_UNKNOWN, "shorter than the template");
    cr_assert_eq(s_route("POST", "/model/a/b/converse", NULL), BRK_OP_UNKNOWN, "a label is one segment");
    cr_assert_eq(s_route("POST", "/model/m/conversex", NULL), BRK_OP_UNKNOWN);
    cr_assert_eq(s_route("GET", "/async-invoke/", NULL), BRK_OP_GET_ASYNC_INVOKE, "the schema judges an empty ARN");
}

static struct mock_catalog *s_default_catalog(void)
{
    struct mock_catalog *cat = NULL;
    char err[128];
    cr_assert_eq(mock_catalog_load_default(&cat, err, sizeof(err)), BRK_OK, "%s", err);
    return cat;
}

Test(catalog, resolves_ids_profiles_and_arns)
{
    struct mock_catalog *cat = s_default_catalog();
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, "anthropic.claude-3-haiku-20240307-v1:0", &ref), BRK_OK);
    cr_assert_eq(ref.kind, MOCK_MODEL_FOUNDATION);
    cr_assert_eq(mock_catalog_resolve(cat, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", &ref), BRK_OK);
    cr_assert_eq(ref.kind, MOCK_MODEL_PROFILE);
    cr_assert_str_eq(ref.profile, "us");
    cr_assert_eq(mock_catalog_resolve(cat, "global.anthropic.claude-sonnet-4-5-20250929-v1:0", &ref), BRK_OK);
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0", &ref),
                 BRK_OK);
    cr_assert_eq(mock_catalog_resolve(
                     cat, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0", &ref),
                 BRK_OK);
    cr_assert_eq(ref.kind, MOCK_MODEL_PROFILE);
    mock_catalog_destroy(cat);
}

Test(catalog, rejects_unknown_models_and_profiles)
{
    struct mock_catalog *cat = s_default_catalog();
    struct mock_model_ref ref;
    cr_assert_eq(mock_catalog_resolve(cat, "nope", &ref), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_resolve(cat, "xx.anthropic.claude-3-haiku-20240307-v1:0", &ref), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_resolve(cat, "global.anthropic.claude-3-haiku-20240307-v1:0", &ref), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws:bedrock:us-east-1::foundation-model/us.amazon.nova-micro-v1:0",
                                      &ref),
                 BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws:bedrock:us-east-1:1:prompt-router/x", &ref), BRK_ERR_NOT_FOUND);
    cr_assert_eq(mock_catalog_resolve(cat, "arn:aws", &ref), BRK_ERR_NOT_FOUND);
    mock_catalog_destroy(cat);
}

Test(catalog, covers_every_required_family_and_inherits_defaults)
{
    struct mock_catalog *cat = s_default_catalog();
    const char *families[] = {"anthropic.claude-3-",
                              "anthropic.claude-sonnet-4-",
                              "anthropic.claude-sonnet-4-5",
                              "anthropic.claude-opus-4-6",
                              "amazon.nova",
                              "meta.llama",
                              "mistral.",
                              "amazon.titan-text",
                              "cohere."};
    for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        bool found = false;
        for (size_t i = 0; i < cat->n_models; i++) {
            found = found || strncmp(cat->models[i].id, families[f], strlen(families[f])) == 0;
        }
        cr_assert(found, "no model of family %s", families[f]);
    }
    struct mock_model_ref ref;
    mock_catalog_resolve(cat, "amazon.nova-micro-v1:0", &ref);
    cr_assert_not(ref.model->cache_in_tools);
    cr_assert(ref.model->streaming); /* inherited from defaults */
    mock_catalog_destroy(cat);
}

/* A field comes from the model, else its family, else "defaults"; a name that only shares its
 * first letter with a member (streaming / strict_tools / s3_images) does not match it, and of
 * two members of one name the first counts, as in cJSON's own lookup. */
Test(catalog, a_field_comes_from_the_model_then_its_family_then_the_defaults)
{
    static const char json[] =
        "{\"defaults\":{\"streaming\":false,\"strict_tools\":true,\"s3_images\":false,\"max_output_tokens\":7,"
        "\"vision\":false,\"max_output_tokens\":9},"
        "\"families\":{\"fam\":{\"streaming\":true,\"vision\":true}},"
        "\"models\":[{\"id\":\"a.one-v1:0\",\"family\":\"fam\",\"vision\":false,\"s3_images\":true},"
        "{\"id\":\"a.two-v1:0\"}]}";
    struct mock_catalog *cat = NULL;
    char err[128] = "";
    cr_assert_eq(mock_catalog_parse(json, strlen(json), &cat, err, sizeof(err)), BRK_OK, "%s", err);
    const struct mock_model *one = mock_catalog_find(cat, "a.one-v1:0");
    const struct mock_model *two = mock_catalog_find(cat, "a.two-v1:0");
    cr_assert(one && two);
    cr_assert_not(one->vision);              /* the model's own, over its family's */
    cr_assert(one->streaming);               /* the family's, over the defaults' */
    cr_assert(one->s3_images);               /* the model's own, over the defaults' */
    cr_assert(one->strict_tools);            /* the defaults' */
    cr_assert_not(two->streaming);           /* no family: the defaults' */
    cr_assert_not(two->vision);              /* the family's value is not another family's */
    cr_assert_not(two->s3_images);           /* nor another model's */
    cr_assert_eq(two->max_output_tokens, 7); /* the first of two members of one name */
    mock_catalog_destroy(cat);
}

Test(catalog, reports_bad_catalogues)
{
    struct mock_catalog *cat = NULL;
    char err[128] = "";
    cr_assert_eq(mock_catalog_parse("{", 1, &cat, err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert_str_eq(err, "model catalogue is not valid JSON");
    cr_assert_eq(mock_catalog_parse("{\"models\":[{\"name\":1}]}", 24, &cat, err, sizeof(err)), BRK_ERR_PARSE);
    cr_assert_null(cat);
    cr_assert_eq(mock_catalog_load_file("/nonexistent/models.json", &cat, err, sizeof(err)), BRK_ERR_IO);
}

Test(journal, ring_keeps_the_newest_and_filters)
{
    struct mock_journal *j = mock_journal_new(2, 0);
    const char *ops[] = {"Converse", "ConverseStream", "Converse"};
    for (int i = 0; i < 3; i++) {
        struct mock_journal_entry e;
        memset(&e, 0, sizeof(e));
        strcpy(e.operation, ops[i]);
        e.extra = cJSON_CreateObject();
        mock_journal_add(j, &e, NULL);
    }
    cr_assert_eq(mock_journal_count(j), 2);
    cr_assert_eq(mock_journal_total(j), 3);
    struct mock_journal_filter f = {.operation = "Converse"};
    cJSON *list = mock_journal_to_json(j, &f);
    cr_assert_eq(cJSON_GetArraySize(list), 1);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "seq")->valueint, 3);
    cJSON_Delete(list);
    mock_journal_clear(j);
    cr_assert_eq(mock_journal_count(j), 0);
    mock_journal_destroy(j);
}

/* An entry whose response body is appended later, as a stream's tap does; `ref` receives it. */
static void s_add_bare(struct mock_journal *j, struct mock_journal_ref *ref)
{
    struct mock_journal_entry e;
    memset(&e, 0, sizeof(e));
    e.response_stream = true;
    mock_journal_add(j, &e, ref);
}

/* Whether entry i (oldest first) had its bodies dropped. */
static bool s_dropped(struct mock_journal *j, size_t i)
{
    struct mock_journal_filter f = {.bodies = true};
    cJSON *list = mock_journal_to_json(j, &f);
    const cJSON *e = cJSON_GetArrayItem(list, (int)i);
    cr_assert_not_null(e);
    bool dropped = cJSON_IsTrue(cJSON_GetObjectItem(e, "body_dropped"));
    cJSON_Delete(list);
    return dropped;
}

Test(journal, a_secret_split_across_two_appends_is_masked)
{
    const char *secret = "secret-value-1234";
    struct mock_journal_secrets secrets = {.value = {secret}, .len = {strlen(secret)}, .n = 1};
    char text[64];
    snprintf(text, sizeof(text), "..%s..%s", secret, secret);
    mock_journal_mask(text, strlen(text), 0, &secrets);
    cr_assert_str_eq(text, "..*****************..*****************");
    /* The same bytes as two appends: the second must find the match that straddles them. */
    snprintf(text, sizeof(text), "..%s..", secret);
    mock_journal_mask(text, 5, 0, &secrets); /* the first piece alone holds no whole secret */
    cr_assert_eq(strncmp(text + 2, secret, strlen(secret)), 0, "%s", text);
    mock_journal_mask(text, strlen(text), 5, &secrets);
    cr_assert_str_eq(text, "..*****************..");
    /* A value shorter than the minimum is never searched. */
    struct mock_request req;
    const char *headers[] = {"Authorization: Bearer short", "x-amz-security-token: token-12345678", NULL};
    mock_request_build(&req, "POST", "/x", headers, "", 0);
    mock_journal_secrets_of(&req, NULL, &secrets);
    cr_assert_eq(secrets.n, 2); /* "Bearer short" and the token; "short" alone is too short */
    snprintf(text, sizeof(text), "short token-12345678");
    mock_journal_mask(text, strlen(text), 0, &secrets);
    cr_assert_str_eq(text, "short **************");
    mock_request_clean_up(&req);
}

/* The masking rule written out with memmem, as it was before long secrets got their own search. */
static void s_reference_mask(char *data, size_t len, size_t from, const char *secret, size_t n)
{
    size_t at = from >= n ? from - n + 1 : 0;
    char *hit;
    while (at < len && (hit = memmem(data + at, len - at, secret, n)) != NULL) {
        memset(hit, '*', n);
        at = (size_t)(hit - data) + n;
    }
}

/* Long secrets (32 bytes and more: an Authorization header) in long texts (4 KB and more) are
 * found by probing every (n - 3)th position: random texts over an alphabet of 3 letters (every
 * probe a candidate) or 26 (most probes ruled out) with the secret planted at random places
 * (overlapping, at either end, twice in a row, cut short by the text's end) and near misses (one
 * byte changed), any `from`, against the memmem rule: the same bytes masked. */
Test(journal, long_secrets_are_masked_as_memmem_finds_them)
{
    struct brk_rng rng;
    brk_rng_seed(&rng, 1738);
    unsigned masked = 0, missed_near = 0;
    static char text[6200], want[6200];
    for (int round = 0; round < 1500; round++) {
        char secret[200];
        unsigned letters = brk_rng_next(&rng) % 2 ? 3 : 26;
        size_t n = 32 + (size_t)(brk_rng_next(&rng) % 160);
        size_t len = brk_rng_next(&rng) % 4 ? 4096 + (size_t)(brk_rng_next(&rng) % 2000) : brk_rng_next(&rng) % 4096;
        for (size_t i = 0; i < n; i++) {
            secret[i] = (char)('a' + brk_rng_next(&rng) % letters);
        }
        for (size_t i = 0; i < len; i++) {
            text[i] = (char)('a' + brk_rng_next(&rng) % letters);
        }
        for (unsigned k = (unsigned)(brk_rng_next(&rng) % 4); k > 0 && len; k--) {
            size_t at = brk_rng_next(&rng) % 3 == 0 ? len - (len < n ? len : n) : brk_rng_next(&rng) % len;
            size_t m = len - at < n ? len - at : n;
            memcpy(text + at, secret, m);
            if (brk_rng_next(&rng) % 3 == 0) {
                text[at + brk_rng_next(&rng) % m] = 'z' + 1; /* a near miss */
            }
        }
        size_t from = brk_rng_next(&rng) % 2 ? 0 : (size_t)(brk_rng_next(&rng) % (len + 1));
        memcpy(want, text, len);
        s_reference_mask(want, len, from, secret, n);
        struct mock_journal_secrets secrets = {.value = {secret}, .len = {n}, .n = 1};
        mock_journal_mask(text, len, from, &secrets);
        cr_assert(memcmp(text, want, len) == 0, "round %d: secret of %zu in %zu bytes from %zu", round, n, len, from);
        masked += memchr(want, '*', len) != NULL;
        missed_near += memchr(want, 'z' + 1, len) != NULL;
    }
    cr_assert(masked > 300 && missed_near > 150, "masked in %u rounds, near misses in %u", masked, missed_near);
}

Test(journal, appends_land_in_their_entry_and_not_after_a_clear)
{
    struct mock_journal *j = mock_journal_new(4, 1024);
    struct mock_journal_ref ref, old;
    s_add_bare(j, &ref);
    cr_assert(mock_journal_append_response(j, &ref, "ab", 2, NULL));
    old = ref;
    mock_journal_clear(j);
    s_add_bare(j, &ref); /* seq 1 again, a new epoch */
    cr_assert_eq(ref.seq, old.seq);
    cr_assert_not(mock_journal_append_response(j, &old, "zz", 2, NULL));
    cr_assert(mock_journal_append_response(j, &ref, "cd", 2, NULL));
    struct mock_journal_ref gone = {.epoch = ref.epoch, .seq = 99};
    cr_assert_not(mock_journal_append_response(j, &gone, "x", 1, NULL));
    mock_journal_destroy(j);
}

Test(journal, a_growing_stream_evicts_older_bodies_then_itself)
{
    struct mock_journal *j = mock_journal_new(4, 10);
    struct mock_journal_ref first, second;
    s_add_bare(j, &first);
    s_add_bare(j, &second);
    cr_assert(mock_journal_append_response(j, &first, "123456", 6, NULL));
    cr_assert(mock_journal_append_response(j, &second, "1234", 4, NULL)); /* exactly the budget */
    cr_assert_not(s_dropped(j, 0));
    cr_assert(mock_journal_append_response(j, &second, "5", 1, NULL)); /* the older one goes */
    cr_assert(s_dropped(j, 0));
    cr_assert_not(s_dropped(j, 1));
    cr_assert_not(mock_journal_append_response(j, &first, "1", 1, NULL));       /* dropped stays dropped */
    cr_assert_not(mock_journal_append_response(j, &second, "678901", 6, NULL)); /* past the budget */
    cr_assert(s_dropped(j, 1));
    mock_journal_destroy(j);
}

Test(journal, parses_sdk_request_header)
{
    int a, m;
    mock_journal_parse_sdk_request("attempt=2; max=3", &a, &m);
    cr_assert_eq(a, 2);
    cr_assert_eq(m, 3);
    mock_journal_parse_sdk_request("attempt=1", &a, &m);
    cr_assert_eq(a, 1);
    cr_assert_eq(m, 0);
    mock_journal_parse_sdk_request(NULL, &a, &m);
    cr_assert_eq(a, 0);
}

Test(router, keeps_each_label_in_its_own_field)
{
    struct mock_request req;
    mock_request_build(&req, "POST", "/guardrail/gr-1/version/DRAFT/apply", NULL, NULL, 0);
    cr_assert_eq(mock_route(&req), MOCK_ROUTE_OPERATION);
    cr_assert_str_eq(req.route.label[BRK_OP_LABEL_GUARDRAIL_ID], "gr-1");
    cr_assert_str_eq(req.route.label[BRK_OP_LABEL_GUARDRAIL_VERSION], "DRAFT");
    cr_assert_str_eq(req.route.label[BRK_OP_LABEL_MODEL_ID], "", "a guardrail is not a model");
    cr_assert_str_eq(mock_route_resource(&req.route), "gr-1", "the journal's model_id names the guardrail");
    mock_request_clean_up(&req);
    mock_request_build(&req, "POST", "/model/m.x/count-tokens", NULL, NULL, 0);
    cr_assert_eq(mock_route(&req), MOCK_ROUTE_OPERATION);
    cr_assert_str_eq(mock_route_resource(&req.route), "m.x");
    mock_request_clean_up(&req);
    mock_request_build(&req, "GET", "/async-invoke", NULL, NULL, 0);
    cr_assert_eq(mock_route(&req), MOCK_ROUTE_OPERATION);
    cr_assert_str_eq(mock_route_resource(&req.route), "", "ListAsyncInvokes names no resource");
    mock_request_clean_up(&req);
}
