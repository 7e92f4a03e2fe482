/* HTTP tests of quota throttling on the virtual clock: filling, refilling, reconciling. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/harness.h"

#define HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define SONNET37 "anthropic.claude-3-7-sonnet-20250219-v1:0"
/* On Claude "Hello there" is 10 input tokens (7 of framing + ceil(11 chars / 3.8), docs/tokens.md),
 * so each request reserves 10 + 100 = 110 tokens. */
#define HELLO_100                                                                   \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there\"}]}]," \
    "\"inferenceConfig\":{\"maxTokens\":100}}"
#define HELLO_DEFAULT "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there\"}]}]}"
/* Replies that use 50 input and 10 output tokens, so the settled use is 50 + 10 x burndown. */
#define USAGE_RULE "{\"reply\":{\"usage\":{\"inputTokens\":50,\"outputTokens\":10}}}"

static struct brk_mock *s_mock;

static struct brk_mock *s_start(const char *quota_spec, const char *models_path)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.clock_mode = BRK_CLOCK_VIRTUAL;
    if (quota_spec) {
        cfg.quota_specs[cfg.n_quota_specs++] = quota_spec;
    }
    cfg.models_path = models_path;
    return th_mock_start(&cfg);
}

static void s_setup(void)
{
    s_mock = s_start(NULL, NULL);
}

static void s_teardown(void)
{
    brk_mock_stop(s_mock);
}

TestSuite(quota, .init = s_setup, .fini = s_teardown, .timeout = TH_SUITE_TIMEOUT_S);

static long s_admin(const char *method, const char *path, const char *body)
{
    struct th_response r = th_request(s_mock, method, path, body, NULL);
    long status = r.status;
    th_response_free(&r);
    return status;
}

static void s_put(const char *json)
{
    cr_assert_eq(s_admin("PUT", "/_mock/quotas", json), 200, "PUT /_mock/quotas %s", json);
}

static void s_advance(long ms)
{
    char body[64];
    snprintf(body, sizeof(body), "{\"advance_ms\":%ld}", ms);
    cr_assert_eq(s_admin("POST", "/_mock/clock", body), 200);
}

/* Converse on `model`; returns the status and copies the error message into msg. */
static long s_call(const char *model, const char *body, const char *const *headers, char *msg, size_t msg_len)
{
    char enc[512], path[640];
    th_encode_label(model, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/model/%s/converse", enc);
    struct th_response r = th_request(s_mock, "POST", path, body, headers);
    long status = r.status;
    if (msg) {
        snprintf(msg, msg_len, "%s", th_message(&r));
    }
    th_response_free(&r);
    return status;
}

static long s_hello(void)
{
    return s_call(HAIKU, HELLO_100, NULL, NULL, 0);
}

/* tokens_per_minute_available (or another field) of the first bucket. */
static long s_bucket(const char *field)
{
    struct th_response r = th_request(s_mock, "GET", "/_mock/quotas", NULL, NULL);
    const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "buckets"), 0);
    cr_assert_not_null(b, "no bucket: %s", r.body);
    long v = (long)cJSON_GetObjectItem(b, field)->valuedouble;
    th_response_free(&r);
    return v;
}

Test(quota, tokens_per_minute_fills_reconciles_and_refills)
{
    char msg[256];
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_minute\":250}");
    cr_assert_eq(s_admin("POST", "/_mock/rules", USAGE_RULE), 201);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 190, "250 - 110 reserved + 50 given back");
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 70);
    cr_assert_eq(s_call(HAIKU, HELLO_100, NULL, msg, sizeof(msg)), 429, "70 < 110");
    cr_assert_str_eq(msg, "Too many tokens, please wait before trying again.");
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 70, "a refused request costs nothing");
    s_advance(12000); /* 12 s of 250/min = 50 tokens */
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 120);
    cr_assert_eq(s_hello(), 200);
    s_advance(60000);
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 250, "never above the quota");
}

Test(quota, output_tokens_burn_down_at_the_catalogue_rate)
{
    s_put("{\"model\":\"" SONNET37 "\",\"tokens_per_minute\":1000}");
    cr_assert_eq(s_admin("POST", "/_mock/rules", USAGE_RULE), 201);
    cr_assert_eq(s_call("us." SONNET37, HELLO_100, NULL, NULL, 0), 200);
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 900, "50 in + 10 out x 5");
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    const cJSON *q = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "requests"), 0), "quota");
    cr_assert_eq(cJSON_GetObjectItem(q, "reserved")->valueint, 110);
    cr_assert_eq(cJSON_GetObjectItem(q, "used")->valueint, 100);
    th_response_free(&r);
}

Test(quota, without_max_tokens_the_model_maximum_is_reserved)
{
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_minute\":4000}");
    char msg[256];
    cr_assert_eq(s_call(HAIKU, HELLO_DEFAULT, NULL, msg, sizeof(msg)), 429, "2 + 4096 > 4000");
    cr_assert_str_eq(msg, "Too many tokens, please wait before trying again.");
    struct th_response r = th_request(s_mock, "GET", "/_mock/requests", NULL, NULL);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "requests"), 0);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "rejected_by_stage")), "quota");
    th_response_free(&r);
    cr_assert_eq(s_hello(), 200);
}

Test(quota, requests_per_minute_refill_one_at_a_time)
{
    char msg[256];
    s_put("{\"model\":\"" HAIKU "\",\"requests_per_minute\":2}");
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_call(HAIKU, HELLO_100, NULL, msg, sizeof(msg)), 429);
    cr_assert_str_eq(msg, "Too many requests, please wait before trying again.");
    s_advance(30000);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_hello(), 429);
}

Test(quota, tokens_per_day_has_its_own_message)
{
    char msg[256];
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_day\":150}");
    cr_assert_eq(s_admin("POST", "/_mock/rules", USAGE_RULE), 201);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_call(HAIKU, HELLO_100, NULL, msg, sizeof(msg)), 429, "90 < 102");
    cr_assert_str_eq(msg, "Too many tokens per day, please wait before trying again.");
    s_advance(60000);
    cr_assert_eq(s_hello(), 429, "a minute returns a day's quota only by 1/1440");
}

Test(quota, retry_after_only_when_the_quota_asks)
{
    s_put("[{\"model\":\"" HAIKU "\",\"requests_per_minute\":1,\"retry_after\":true},"
          "{\"model\":\"amazon.nova-*\",\"requests_per_minute\":1}]");
    cr_assert_eq(s_hello(), 200);
    struct th_response r = th_converse(s_mock, HAIKU, HELLO_100);
    char v[64];
    cr_assert_eq(r.status, 429);
    th_header(&r, "Retry-After", v, sizeof(v));
    cr_assert_str_eq(v, "60");
    th_header(&r, "x-amz-retry-after", v, sizeof(v));
    cr_assert_str_eq(v, "60000");
    th_response_free(&r);
    cr_assert_eq(s_call("amazon.nova-lite-v1:0", HELLO_100, NULL, NULL, 0), 200);
    r = th_converse(s_mock, "amazon.nova-lite-v1:0", HELLO_100);
    cr_assert_eq(r.status, 429);
    th_header(&r, "Retry-After", v, sizeof(v));
    cr_assert_str_eq(v, "");
    th_response_free(&r);
}

Test(quota, accounts_have_separate_buckets)
{
    const char *a[] = {"Authorization: AWS4-HMAC-SHA256 Credential=AKIDA/20250101/us-east-1/bedrock/aws4_request, "
                       "SignedHeaders=host, Signature=00",
                       NULL};
    const char *b[] = {"Authorization: AWS4-HMAC-SHA256 Credential=AKIDB/20250101/us-east-1/bedrock/aws4_request, "
                       "SignedHeaders=host, Signature=00",
                       NULL};
    s_put("{\"requests_per_minute\":1}");
    cr_assert_eq(s_call(HAIKU, HELLO_100, a, NULL, 0), 200);
    cr_assert_eq(s_call(HAIKU, HELLO_100, a, NULL, 0), 429);
    cr_assert_eq(s_call(HAIKU, HELLO_100, b, NULL, 0), 200);
    cr_assert_eq(s_call("amazon.nova-lite-v1:0", HELLO_100, a, NULL, 0), 200, "and models too");
}

Test(quota, get_shows_limits_and_bad_puts_are_refused)
{
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_minute\":1000,\"requests_per_minute\":5}");
    struct th_response r = th_request(s_mock, "GET", "/_mock/quotas", NULL, NULL);
    const cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "quotas"), 0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "quotas")), 1, "%s", r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(q, "model")->valuestring, HAIKU);
    cr_assert_eq(cJSON_GetObjectItem(q, "tokens_per_minute")->valueint, 1000);
    cr_assert_eq(cJSON_GetObjectItem(q, "requests_per_minute")->valueint, 5);
    cr_assert_str_eq(cJSON_GetObjectItem(q, "source")->valuestring, "override");
    th_response_free(&r);
    const char *bad[] = {"{\"tokens_per_minute\":-1}", "{\"tpm\":5}", "{\"model\":7}", "[1]", "nope"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(s_admin("PUT", "/_mock/quotas", bad[i]), 400, "%s", bad[i]);
    }
}

Test(quota, flags_survive_a_reset_and_api_overrides_do_not)
{
    brk_mock_stop(s_mock);
    s_mock = s_start("rpm=1,model=" HAIKU, NULL);
    s_put("{\"model\":\"" HAIKU "\",\"requests_per_minute\":5}");
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_admin("POST", "/_mock/reset", ""), 200);
    cr_assert_eq(s_hello(), 200, "buckets start full again");
    cr_assert_eq(s_hello(), 429, "and the --quota flag's limit is back");
}

Test(quota, a_bad_quota_flag_stops_the_start)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.quota_specs[cfg.n_quota_specs++] = "tpm=ten";
    struct brk_mock *m = NULL;
    char err[512] = "";
    cr_assert_neq(brk_mock_start(&cfg, &m, err, sizeof(err)), BRK_OK);
    cr_assert(strstr(err, "tpm=ten") != NULL, "%s", err);
}

Test(quota, catalogue_quotas_apply_without_any_flag)
{
    size_t len = 0;
    char *text = th_read_source_file("fixtures/models.json", &len);
    cr_assert_not_null(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cJSON *quota = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "defaults"), "quota");
    cJSON_ReplaceItemInObject(quota, "requests_per_minute", cJSON_CreateNumber(1));
    char path[] = "/tmp/brk-models-XXXXXX";
    int fd = mkstemp(path);
    char *out = cJSON_Print(doc);
    cr_assert_eq(write(fd, out, strlen(out)), (ssize_t)strlen(out));
    close(fd);
    free(out);
    cJSON_Delete(doc);
    brk_mock_stop(s_mock);
    s_mock = s_start(NULL, path);
    cr_assert_eq(s_hello(), 200);
    cr_assert_eq(s_hello(), 429);
    struct th_response r = th_request(s_mock, "GET", "/_mock/quotas", NULL, NULL);
    cr_assert(strstr(r.body, "\"source\":\"catalogue\"") != NULL, "%s", r.body);
    th_response_free(&r);
    unlink(path);
}

static void *s_client(void *arg)
{
    long *status = arg;
    *status = s_hello();
    return NULL;
}

Test(quota, buckets_stay_exact_with_32_clients)
{
    s_put("{\"model\":\"" HAIKU "\",\"requests_per_minute\":5}");
    cr_assert_eq(s_admin("GET", "/_mock/health", NULL), 200); /* curl global init before threads */
    pthread_t threads[32];
    long statuses[32];
    for (int i = 0; i < 32; i++) {
        pthread_create(&threads[i], NULL, s_client, &statuses[i]);
    }
    int ok = 0, throttled = 0;
    for (int i = 0; i < 32; i++) {
        pthread_join(threads[i], NULL);
        ok += statuses[i] == 200;
        throttled += statuses[i] == 429;
    }
    cr_assert_eq(ok, 5);
    cr_assert_eq(throttled, 27);
}

/* InvokeModel's path for HAIKU, its model id encoded as botocore encodes it. */
static void s_invoke_path(char *path, size_t len)
{
    char enc[256];
    th_encode_label(HAIKU, enc, sizeof(enc));
    snprintf(path, len, "/model/%s/invoke", enc);
}

Test(quota, invoke_model_reserves_from_its_native_body)
{
    char msg[256];
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_minute\":250}");
    cr_assert_eq(s_admin("POST", "/_mock/rules", USAGE_RULE), 201);
    char path[320];
    s_invoke_path(path, sizeof(path));
    const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    struct th_response r = th_request(s_mock, "POST", path, body, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(s_bucket("tokens_per_minute_available"), 190, "the same 102 reserved and 60 used as Converse");
    cr_assert_eq(s_hello(), 200, "Converse and InvokeModel share the model's bucket");
    cr_assert_eq(s_hello(), 200);
    r = th_request(s_mock, "POST", path, body, NULL);
    cr_assert_eq(r.status, 429, "%s", r.body);
    snprintf(msg, sizeof(msg), "%s", th_message(&r));
    cr_assert_str_eq(msg, "Too many tokens, please wait before trying again.");
    th_response_free(&r);
    r = th_request(s_mock, "POST", path, "{\"max_tokens\":\"many\"}", NULL);
    cr_assert_eq(r.status, 400, "an unmappable body reserves nothing and gets its own error: %s", r.body);
    th_response_free(&r);
}

/* A native body's max_tokens skips the schema's integer check: a value beyond any integer type
 * must reserve a saturated budget (and be throttled), not cast out of range (UBSan under
 * make test SANITIZE=1; the same bug in the reply was found by fuzz-smoke). */
Test(quota, an_absurd_native_max_tokens_is_throttled_not_miscast)
{
    s_put("{\"model\":\"" HAIKU "\",\"tokens_per_minute\":250}");
    char path[320];
    s_invoke_path(path, sizeof(path));
    const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1e66,"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    struct th_response r = th_request(s_mock, "POST", path, body, NULL);
    cr_assert_eq(r.status, 429, "2^53 tokens cannot fit a 250-token bucket: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(s_hello(), 200, "the bucket was not charged for the refused request");
}
