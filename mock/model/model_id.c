/* model_id.c: the kind of resource a modelId names (see model_id.h). */
#include "mock/model/model_id.h"

#include <string.h>

/* The ARN resource types, by kind, as they appear before the '/' (custom-model-deployment
 * is a second spelling of MOCK_MODEL_CUSTOM, handled below). */
static const char *const s_kind_names[MOCK_MODEL_KIND_COUNT] = {
    [MOCK_MODEL_FOUNDATION] = "foundation-model",
    [MOCK_MODEL_PROFILE] = "inference-profile",
    [MOCK_MODEL_APP_PROFILE] = "application-inference-profile",
    [MOCK_MODEL_IMPORTED] = "imported-model",
    [MOCK_MODEL_CUSTOM] = "custom-model",
    [MOCK_MODEL_PROVISIONED] = "provisioned-model",
    [MOCK_MODEL_PROMPT] = "prompt",
    [MOCK_MODEL_ENDPOINT] = "endpoint",
};

const char *mock_model_kind_name(enum mock_model_kind kind)
{
    return kind < MOCK_MODEL_KIND_COUNT ? s_kind_names[kind] : "";
}

bool mock_model_kind_from_name(const char *name, enum mock_model_kind *out)
{
    for (int k = 0; name && k < MOCK_MODEL_KIND_COUNT; k++) {
        if (strcmp(name, s_kind_names[k]) == 0) {
            *out = (enum mock_model_kind)k;
            return true;
        }
    }
    return false;
}

bool mock_model_id_is_imported_shape(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789");
    return n == 12 && s[n] == '\0';
}

static bool s_span_is(struct mock_span s, const char *text)
{
    return s.len == strlen(text) && memcmp(s.p, text, s.len) == 0;
}

/* "arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/REST" into its fields; false when not five colons
 * and a '/' follow, or the partition is not aws or aws-*. */
static bool s_split_arn(const char *arn, struct mock_span *service, struct mock_span *type, const char **rest)
{
    const char *field[5];
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        p = strchr(p, ':');
        if (!p) {
            return false;
        }
        field[i] = ++p;
    }
    const char *slash = strchr(field[4], '/');
    bool partition_ok = strncmp(field[0], "aws:", 4) == 0 || strncmp(field[0], "aws-", 4) == 0;
    if (!slash || !partition_ok) {
        return false;
    }
    *service = (struct mock_span){field[1], (size_t)(field[2] - field[1] - 1)};
    *type = (struct mock_span){field[4], (size_t)(slash - field[4])};
    *rest = slash + 1;
    return true;
}

/* The resource type's kind for `service`; false for any other type or service. */
static bool s_kind_of(struct mock_span service, struct mock_span type, enum mock_model_kind *kind)
{
    if (s_span_is(service, "sagemaker")) {
        *kind = MOCK_MODEL_ENDPOINT;
        return s_span_is(type, "endpoint");
    }
    if (!s_span_is(service, "bedrock")) {
        return false;
    }
    if (s_span_is(type, "custom-model-deployment")) {
        *kind = MOCK_MODEL_CUSTOM;
        return true;
    }
    for (int k = 0; k < MOCK_MODEL_ENDPOINT; k++) {
        if (s_span_is(type, s_kind_names[k])) {
            *kind = (enum mock_model_kind)k;
            return true;
        }
    }
    return false;
}

/* The resource part after "TYPE/": a custom model's "BASE/ID", a prompt's "ID:VERSION". */
static void s_split_rest(const char *rest, struct mock_model_id *out)
{
    const char *slash = out->kind == MOCK_MODEL_CUSTOM ? strrchr(rest, '/') : NULL;
    const char *colon = out->kind == MOCK_MODEL_PROMPT ? strchr(rest, ':') : NULL;
    out->name = (struct mock_span){rest, strlen(rest)};
    if (slash) {
        out->base = (struct mock_span){rest, (size_t)(slash - rest)};
        out->name = (struct mock_span){slash + 1, strlen(slash + 1)};
    }
    if (colon) {
        out->name.len = (size_t)(colon - rest);
        out->version = (struct mock_span){colon + 1, strlen(colon + 1)};
    }
}

enum brk_status mock_model_id_parse(const char *model_id, struct mock_model_id *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = MOCK_MODEL_FOUNDATION;
    if (strncmp(model_id, "arn:", 4) != 0) {
        out->name = (struct mock_span){model_id, strlen(model_id)};
        return out->name.len ? BRK_OK : BRK_ERR_INVALID_ARG;
    }
    struct mock_span service, type;
    const char *rest = NULL;
    out->arn = true;
    if (!s_split_arn(model_id, &service, &type, &rest) || !s_kind_of(service, type, &out->kind)) {
        return BRK_ERR_INVALID_ARG;
    }
    s_split_rest(rest, out);
    return out->name.len ? BRK_OK : BRK_ERR_INVALID_ARG;
}
