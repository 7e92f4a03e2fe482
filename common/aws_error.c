/* aws_error.c: lookups into the error table of aws_error.h, and reading an error answer as botocore does. */
#include "bedrock/aws_error.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bedrock/error.h"

static const struct brk_aws_error_info s_errors[] = {
#define BRK_AWS_ERROR_ROW(id, code, status, ns, member, msg) {BRK_AWS_##id, code, status, ns, member, msg},
    BRK_AWS_ERROR_LIST(BRK_AWS_ERROR_ROW)
#undef BRK_AWS_ERROR_ROW
};

const struct brk_aws_error_info *brk_aws_error_get(enum brk_aws_error id)
{
    if ((int)id < 0 || id >= BRK_AWS_ERROR_COUNT) {
        return NULL;
    }
    return &s_errors[id];
}

const struct brk_aws_error_info *brk_aws_error_find(const char *name)
{
    if (!name) {
        return NULL;
    }
    for (size_t i = 0; i < BRK_AWS_ERROR_COUNT; i++) {
        const struct brk_aws_error_info *e = &s_errors[i];
        if (strcmp(e->code, name) == 0 || (e->stream_member && strcmp(e->stream_member, name) == 0)) {
            return e;
        }
    }
    return NULL;
}

int brk_aws_error_type_header(const struct brk_aws_error_info *info, char *out, int out_len)
{
    int n = snprintf(out, (size_t)out_len, "%s:%s", info->code, info->error_namespace);
    return n < out_len ? n : out_len - 1;
}

bool brk_aws_error_is_server_fault(const struct brk_aws_error_info *info)
{
    return info->http_status >= 500;
}

/* Copy [s, s+n) into out, keeping the part before the first ':' and after the last '#'. */
static void s_trim_code(const char *s, size_t n, char *out, size_t out_len)
{
    const char *colon = memchr(s, ':', n);
    n = colon ? (size_t)(colon - s) : n;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == '#') {
            s += i;
            n -= i;
            break;
        }
    }
    snprintf(out, out_len, "%.*s", (int)(n < (size_t)INT_MAX ? n : (size_t)INT_MAX), s);
}

static const char *s_body_string(const cJSON *body, const char *a, const char *b)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, a));
    return v ? v : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, b));
}

void brk_aws_error_parse(long http_status, const char *error_type, const char *request_id, const char *body,
                         size_t body_len, struct brk_error *err)
{
    if (err == NULL) {
        return;
    }
    brk_error_clear(err);
    err->status = BRK_ERR_SERVICE;
    err->http_status = (int)http_status;
    cJSON *json = body && body_len ? cJSON_ParseWithLength(body, body_len) : NULL;
    const char *code = s_body_string(json, "code", "Code");
    code = code ? code : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "__type"));
    if (error_type && error_type[0]) {
        s_trim_code(error_type, strlen(error_type), err->code, sizeof(err->code));
    } else if (code) {
        s_trim_code(code, strlen(code), err->code, sizeof(err->code));
    } else {
        snprintf(err->code, sizeof(err->code), "%ld", http_status);
    }
    const char *message = s_body_string(json, "message", "Message");
    snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
    snprintf(err->request_id, sizeof(err->request_id), "%s", request_id ? request_id : "");
    err->aws = brk_aws_error_find(err->code);
    cJSON_Delete(json);
}
