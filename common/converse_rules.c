/* converse_rules.c: the predicates of Bedrock's model-independent Converse rules (see
 * converse_rules.h). */
#include "common/converse_rules.h"

#include <string.h>

bool brk_rule_text_blank(const char *text)
{
    for (; *text; text++) {
        if (!strchr(" \t\n\v\f\r", *text)) {
            return false;
        }
    }
    return true;
}

bool brk_rule_text_refused(const char *text, bool cache_point_follows)
{
    return brk_rule_text_blank(text) && !(text[0] && cache_point_follows);
}

bool brk_rule_document_name_ok(const char *name)
{
    bool prev_space = false;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        bool space = *c == ' ';
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || space ||
                  strchr("-()[]_", *c) != NULL;
        if (!ok || (space && prev_space)) {
            return false;
        }
        prev_space = space;
    }
    return true;
}

bool brk_rule_json_pointer_ok(const char *path)
{
    if (path[0] != '/') {
        return false;
    }
    for (; *path; path++) {
        if (*path == '~' && path[1] != '0' && path[1] != '1') {
            return false;
        }
    }
    return true;
}
