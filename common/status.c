/* status.c: texts for enum brk_status, generated from the one list in status.h. */
#include "bedrock/status.h"

#include <stddef.h>

static const char *const s_texts[] = {
#define BRK_STATUS_TEXT(code, text) text,
    BRK_STATUS_LIST(BRK_STATUS_TEXT)
#undef BRK_STATUS_TEXT
};

static const char *const s_names[] = {
#define BRK_STATUS_NAME(code, text) #code,
    BRK_STATUS_LIST(BRK_STATUS_NAME)
#undef BRK_STATUS_NAME
};

const char *brk_status_str(enum brk_status status)
{
    if ((int)status < 0 || status >= BRK_STATUS_COUNT) {
        return "unknown status";
    }
    return s_texts[status];
}

const char *brk_status_name(enum brk_status status)
{
    if ((int)status < 0 || status >= BRK_STATUS_COUNT) {
        return "BRK_UNKNOWN";
    }
    return s_names[status];
}
