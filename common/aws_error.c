/* aws_error.c: lookups into the error table of aws_error.h. */
#include "bedrock/aws_error.h"

#include <stdio.h>
#include <string.h>

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
