/*
 * admin_rules.c: start-up of the rule engine and the quotas, and their admin endpoints
 * (/_mock/rules, /_mock/rules/{id}, /_mock/quotas; docs/rules.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/uri.h"
#include "mock/rules/quota.h"
#include "mock/rules/rules.h"

#define S_RULE_PREFIX "/_mock/rules/"

enum brk_status mock_rules_quotas_start(struct brk_mock *mock, char *err, size_t err_len)
{
    mock->rules = mock_rules_new();
    mock->quotas = mock_quotas_new();
    if (!mock->rules || !mock->quotas) {
        snprintf(err, err_len, "out of memory");
        return BRK_ERR_NOMEM;
    }
    enum brk_status rc = BRK_OK;
    if (mock->cfg.rules_path) {
        rc = mock_rules_load_file(mock->rules, mock->cfg.rules_path, err, err_len);
    }
    for (size_t i = 0; rc == BRK_OK && i < mock->cfg.n_quota_specs && i < BRK_MOCK_MAX_QUOTA_SPECS; i++) {
        rc = mock_quotas_set_spec(mock->quotas, mock->cfg.quota_specs[i], err, err_len);
    }
    /* Both were read now; the caller's strings need not outlive the call. */
    mock->cfg.rules_path = NULL;
    memset(mock->cfg.quota_specs, 0, sizeof(mock->cfg.quota_specs));
    return rc;
}

void mock_rules_quotas_reset(struct brk_mock *mock)
{
    mock_rules_reset(mock->rules);
    mock_quotas_reset(mock->quotas);
}

static cJSON *s_body(const struct mock_request *req, struct mock_response *resp)
{
    cJSON *body = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    if (!body) {
        mock_response_error(resp, BRK_AWS_SERIALIZATION, NULL);
    }
    return body;
}

static void s_send(struct mock_response *resp, int status, cJSON *json)
{
    mock_response_json(resp, status, json);
    cJSON_Delete(json);
}

void mock_admin_rules_post(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    char err[768];
    cJSON *added = NULL;
    cJSON *body = s_body(req, resp);
    if (!body) {
        return;
    }
    if (mock_rules_add_json(mock->rules, body, false, &added, err, sizeof(err)) != BRK_OK) {
        mock_response_error(resp, BRK_AWS_VALIDATION, err);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "rules", added);
        s_send(resp, 201, o);
    }
    cJSON_Delete(body);
}

void mock_admin_rules_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    s_send(resp, 200, mock_rules_to_json(mock->rules, NULL));
}

void mock_admin_rules_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    mock_rules_clear(mock->rules);
    s_send(resp, 200, mock_rules_to_json(mock->rules, NULL));
}

/* The {id} of /_mock/rules/{id}, percent-decoded; NULL (and a 404) when malformed. */
static const char *s_rule_id(const struct mock_request *req, struct mock_response *resp, char *out, size_t out_len)
{
    const char *raw = req->url + strlen(S_RULE_PREFIX);
    if (!raw[0] || brk_uri_decode(raw, strlen(raw), out, out_len) != BRK_OK) {
        mock_response_error(resp, BRK_AWS_RESOURCE_NOT_FOUND, "No rule with that id.");
        return NULL;
    }
    return out;
}

void mock_admin_rule_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    char id[256];
    if (!s_rule_id(req, resp, id, sizeof(id))) {
        return;
    }
    cJSON *rule = mock_rules_to_json(mock->rules, id);
    if (rule) {
        s_send(resp, 200, rule);
    } else {
        mock_response_errorf(resp, BRK_AWS_RESOURCE_NOT_FOUND, "No rule with id \"%s\".", id);
    }
}

void mock_admin_rule_delete(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    char id[256];
    if (!s_rule_id(req, resp, id, sizeof(id))) {
        return;
    }
    if (mock_rules_delete(mock->rules, id)) {
        s_send(resp, 200, mock_rules_to_json(mock->rules, NULL));
    } else {
        mock_response_errorf(resp, BRK_AWS_RESOURCE_NOT_FOUND, "No rule with id \"%s\".", id);
    }
}

void mock_admin_quotas_get(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)req;
    s_send(resp, 200, mock_quotas_to_json(mock->quotas, mock->catalog, brk_clock_now_ms(mock->clock)));
}

void mock_admin_quotas_put(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    char err[512];
    cJSON *body = s_body(req, resp);
    if (!body) {
        return;
    }
    if (mock_quotas_set_json(mock->quotas, body, false, err, sizeof(err)) != BRK_OK) {
        mock_response_error(resp, BRK_AWS_VALIDATION, err);
    } else {
        mock_admin_quotas_get(mock, req, resp);
    }
    cJSON_Delete(body);
}
