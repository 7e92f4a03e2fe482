/*
 * admin.c: the admin API under /_mock/ (docs/admin-api.md). Tests use it to read the journal,
 * reset state and move the virtual clock. Answers are JSON; errors use the same
 * {"message": ...} shape as the service.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "mock/cache/store.h"
#include "mock/admin/journal.h"
#include "mock/model/catalog.h"
#include "mock/mock_priv.h"
#include "mock/rules/rules.h"
#include "mock/admin/admin.h"

typedef void (*s_admin_fn)(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

struct s_admin_route {
    const char *method;
    const char *path;
    s_admin_fn fn;
};

static void s_health(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "version", BRK_MOCK_VERSION);
    cJSON_AddNumberToObject(o, "port", mock->port);
    cJSON_AddStringToObject(o, "clock", brk_clock_mode(mock->clock) == BRK_CLOCK_VIRTUAL ? "virtual" : "real");
    cJSON_AddNumberToObject(o, "requests", (double)mock_journal_total(mock->journal));
    mock_response_json(resp, 200, o);
    cJSON_Delete(o);
}

/* Query argument `name` as a whole decimal number in [min, max] into *out, which keeps its
 * default when the argument is absent. False with a 400 ValidationException in resp for
 * anything else (a sign, spaces, an empty value, too many digits). */
static bool s_query_number(const struct mock_request *req, const char *name, uint64_t min, uint64_t max, uint64_t *out,
                           struct mock_response *resp)
{
    const char *text = mock_request_query(req, name);
    if (!text) {
        return true;
    }
    uint64_t v = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(text[i] - '0');
        if (d > max || v > (max - d) / 10) {
            break; /* past max: no overflow, and refused below */
        }
        v = v * 10 + d;
    }
    if (i == 0 || text[i] || v < min) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "Query argument %s must be a whole number from %llu to %llu.",
                             name, (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

/* 2^53: seq numbers are JSON numbers, exact up to there. */
#define S_MAX_SEQ 9007199254740992ull
#define S_MAX_LIMIT 10000000ull

static void s_requests_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    struct mock_journal_filter filter = {
        .operation = mock_request_query(req, "operation"),
        .model_id = mock_request_query(req, "model"),
        .invocation_id = mock_request_query(req, "invocation_id"),
        .account = mock_request_query(req, "account"),
    };
    uint64_t bodies = 0, since = 0, limit = 0;
    if (!s_query_number(req, "bodies", 0, 1, &bodies, resp) ||
        !s_query_number(req, "since", 0, S_MAX_SEQ, &since, resp) ||
        !s_query_number(req, "limit", 1, S_MAX_LIMIT, &limit, resp)) {
        return;
    }
    filter.bodies = bodies == 1;
    filter.since_seq = since;
    filter.limit = (size_t)limit;
    cJSON *o = cJSON_CreateObject();
    cJSON *list = mock_journal_to_json(mock->journal, &filter);
    cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(list));
    cJSON_AddItemToObject(o, "requests", list);
    mock_response_json(resp, 200, o);
    cJSON_Delete(o);
}

static void s_ok(struct mock_response *resp)
{
    brk_buf_reset(&resp->body);
    brk_buf_append_str(&resp->body, "{\"ok\":true}");
}

static void s_requests_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    mock_journal_clear(mock->journal);
    s_ok(resp);
}

static void s_reset(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    mock_journal_clear(mock->journal);
    mock_cache_clear(mock->cache);
    mock_rules_quotas_reset(mock);
    s_ok(resp);
}

static void s_cache_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    cJSON *o = mock_cache_to_json(mock->cache, brk_clock_now_ms(mock->clock));
    mock_response_json(resp, 200, o);
    cJSON_Delete(o);
}

static void s_cache_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    mock_cache_clear(mock->cache);
    s_ok(resp);
}

static void s_models(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    cJSON *o = mock_catalog_to_json(mock->catalog);
    mock_response_json(resp, 200, o);
    cJSON_Delete(o);
}

/* One declaration of PUT /_mock/models; false with the reason in resp. */
static bool s_declare(struct brk_mock *mock, enum mock_model_kind kind, const cJSON *p, struct mock_response *resp)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id"));
    const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "model"));
    const char *prompt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "prompt"));
    enum brk_status rc =
        id && model ? mock_catalog_declare(mock->catalog, kind, id, model, prompt) : BRK_ERR_INVALID_ARG;
    if (rc == BRK_ERR_NOT_FOUND) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "No model %s in the catalogue.", model);
    } else if (rc == BRK_ERR_TOO_LARGE || rc == BRK_ERR_NOMEM) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "At most %d declarations.", MOCK_MAX_RESOURCES);
    } else if (rc != BRK_OK) {
        mock_response_error(resp, BRK_AWS_VALIDATION,
                            "Each declaration needs an \"id\" (a resource ARN, or an application profile's or "
                            "imported model's id) and a \"model\".");
    }
    return rc == BRK_OK;
}

/* The defaults: "application_profile_model": ID and "resource_models": {"<kind>": ID | null}. */
static bool s_models_put_defaults(struct brk_mock *mock, const cJSON *body, struct mock_response *resp)
{
    const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(body, "application_profile_model");
    if (dflt && (!cJSON_IsString(dflt) || mock_catalog_set_app_default(mock->catalog, dflt->valuestring) != BRK_OK)) {
        mock_response_error(resp, BRK_AWS_VALIDATION, "application_profile_model names no model of the catalogue.");
        return false;
    }
    const char *bad =
        mock_catalog_set_resource_models(mock->catalog, cJSON_GetObjectItemCaseSensitive(body, "resource_models"));
    if (bad) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION,
                             "resource_models.%s names no kind of docs/models.md or no model of the catalogue.", bad);
        return false;
    }
    return true;
}

/* PUT /_mock/models {"application_profile_model": ID, "application_profiles": [{"id", "model"}],
 * "resource_models": {...}, "resources": [{"id", "model", "prompt"}]} (docs/admin-api.md). */
static void s_models_put(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    cJSON *body = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    bool ok = cJSON_IsObject(body);
    if (!ok) {
        mock_response_error(resp, BRK_AWS_VALIDATION, "Body must be a JSON object (docs/admin-api.md).");
    }
    ok = ok && s_models_put_defaults(mock, body, resp);
    static const struct {
        const char *key;
        enum mock_model_kind kind;
    } lists[] = {{"application_profiles", MOCK_MODEL_APP_PROFILE}, {"resources", MOCK_MODEL_IMPORTED}};
    for (size_t i = 0; ok && i < 2; i++) {
        const cJSON *p = NULL;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(body, lists[i].key))
        {
            if (!(ok = s_declare(mock, lists[i].kind, p, resp))) {
                break;
            }
        }
    }
    if (ok) {
        s_models(mock, req, resp);
    }
    cJSON_Delete(body);
}

static void s_clock_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mode", brk_clock_mode(mock->clock) == BRK_CLOCK_VIRTUAL ? "virtual" : "real");
    cJSON_AddNumberToObject(o, "now_ms", (double)brk_clock_now_ms(mock->clock));
    mock_response_json(resp, 200, o);
    cJSON_Delete(o);
}

/* 2^53: the largest integer a JSON number carries exactly (about 285,000 years). */
#define S_MAX_ADVANCE_MS 9007199254740992.0

static void s_clock_post(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    cJSON *body = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(body, "advance_ms");
    if (brk_clock_mode(mock->clock) != BRK_CLOCK_VIRTUAL) {
        mock_response_error(resp, BRK_AWS_VALIDATION, "The clock is real; start bedrock-mock with --clock virtual.");
    } else if (!cJSON_IsNumber(adv) || !(adv->valuedouble >= 0 && adv->valuedouble <= S_MAX_ADVANCE_MS)) {
        /* The upper bound keeps the cast to int64_t defined (found by fuzz/admin_body.c). */
        mock_response_error(resp, BRK_AWS_VALIDATION,
                            "Body must be {\"advance_ms\": N} with 0 <= N <= 9007199254740992.");
    } else {
        brk_clock_advance(mock->clock, (int64_t)adv->valuedouble);
        s_clock_get(mock, req, resp);
    }
    cJSON_Delete(body);
}

static const struct s_admin_route s_routes[] = {
    {"GET", "/_mock/health", s_health},
    {"GET", "/_mock/requests", s_requests_get},
    {"DELETE", "/_mock/requests", s_requests_delete},
    {"POST", "/_mock/reset", s_reset},
    {"GET", "/_mock/models", s_models},
    {"PUT", "/_mock/models", s_models_put},
    {"GET", "/_mock/clock", s_clock_get},
    {"POST", "/_mock/clock", s_clock_post},
    {"GET", "/_mock/cache", s_cache_get},
    {"DELETE", "/_mock/cache", s_cache_delete},
    {"POST", "/_mock/rules", mock_admin_rules_post},
    {"GET", "/_mock/rules", mock_admin_rules_get},
    {"DELETE", "/_mock/rules", mock_admin_rules_delete},
    {"GET", "/_mock/rules/*", mock_admin_rule_get},
    {"DELETE", "/_mock/rules/*", mock_admin_rule_delete},
    {"GET", "/_mock/quotas", mock_admin_quotas_get},
    {"PUT", "/_mock/quotas", mock_admin_quotas_put},
};

/* A route path ending in a slash and a star matches one non-empty trailing segment. */
static bool s_path_matches(const char *route, const char *url)
{
    size_t n = strlen(route);
    if (n >= 2 && strcmp(route + n - 2, "/*") == 0) {
        return strncmp(url, route, n - 1) == 0 && url[n - 1] && !strchr(url + n - 1, '/');
    }
    return strcmp(url, route) == 0;
}

void mock_admin_handle(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    bool path_known = false;
    for (size_t i = 0; i < sizeof(s_routes) / sizeof(s_routes[0]); i++) {
        if (!s_path_matches(s_routes[i].path, req->url)) {
            continue;
        }
        path_known = true;
        if (strcmp(req->method, s_routes[i].method) == 0) {
            s_routes[i].fn(mock, req, resp);
            return;
        }
    }
    if (path_known) {
        mock_response_errorf(resp, BRK_AWS_VALIDATION, "Method %s is not allowed on %s.", req->method, req->url);
        resp->status = 405;
    } else {
        mock_response_errorf(resp, BRK_AWS_UNKNOWN_OPERATION, "No admin endpoint at %s.", req->url);
    }
}
