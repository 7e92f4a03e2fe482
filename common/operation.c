/* operation.c: the operation table (operation.h) and the paths built from it. */
#include "common/operation.h"

#include <string.h>

#include "common/uri.h"

static const struct brk_op_info s_ops[] = {
#define BRK_OP_ROW(id, name, method, path, input, traits) {name, method, path, input, traits},
    BRK_OP_LIST(BRK_OP_ROW)
#undef BRK_OP_ROW
};

/* Template label names, indexed by enum brk_op_label. */
static const char *const s_labels[BRK_OP_LABEL_COUNT] = {"modelId", "guardrailIdentifier", "guardrailVersion",
                                                         "invocationArn"};

const struct brk_op_info *brk_op_info(enum brk_op op)
{
    return (int)op >= 0 && op < BRK_OP_COUNT ? &s_ops[op] : NULL;
}

const char *brk_op_name(enum brk_op op)
{
    const struct brk_op_info *info = brk_op_info(op);
    return info ? info->name : "Unknown";
}

enum brk_op brk_op_parse(const char *name)
{
    for (int i = 0; name && i < BRK_OP_COUNT; i++) {
        if (strcmp(s_ops[i].name, name) == 0) {
            return (enum brk_op)i;
        }
    }
    return BRK_OP_UNKNOWN;
}

bool brk_op_has(enum brk_op op, unsigned traits)
{
    const struct brk_op_info *info = brk_op_info(op);
    return info && (info->traits & traits) == traits;
}

const char *brk_op_label_name(enum brk_op_label label)
{
    return (int)label >= 0 && label < BRK_OP_LABEL_COUNT ? s_labels[label] : NULL;
}

enum brk_op_label brk_op_label_parse(const char *name, size_t len)
{
    for (int i = 0; i < BRK_OP_LABEL_COUNT; i++) {
        if (strlen(s_labels[i]) == len && strncmp(s_labels[i], name, len) == 0) {
            return (enum brk_op_label)i;
        }
    }
    return BRK_OP_LABEL_COUNT;
}

/* Append the label `{name}` names, encoded; p points after '{', *end receives the '}'. */
static enum brk_status s_append_label(const char *p, const char **end, const struct brk_op_labels *labels,
                                      struct brk_buf *out)
{
    const char *close = strchr(p, '}');
    enum brk_op_label label = brk_op_label_parse(p, (size_t)(close - p));
    const char *value = label < BRK_OP_LABEL_COUNT && labels ? labels->value[label] : NULL;
    *end = close;
    if (!value || !value[0]) {
        return BRK_ERR_INVALID_ARG;
    }
    return brk_uri_encode_label(value, strlen(value), out);
}

enum brk_status brk_op_path(enum brk_op op, const struct brk_op_labels *labels, struct brk_buf *out)
{
    const struct brk_op_info *info = brk_op_info(op);
    if (!info || !out) {
        return BRK_ERR_INVALID_ARG;
    }
    enum brk_status rc = BRK_OK;
    for (const char *p = info->path; *p && rc == BRK_OK; p++) {
        if (*p == '{') {
            rc = s_append_label(p + 1, &p, labels, out);
        } else {
            size_t n = strcspn(p, "{");
            rc = brk_buf_append(out, p, n);
            p += n - 1;
        }
    }
    return rc;
}
