/* json_print: differential check of common/json.c. Any JSON that cJSON parses must print the
 * same through brk_json_print as through cJSON_PrintUnformatted (json.h promises byte-identical
 * output, because the mock's answers switched printers), and brk_json_measure must give that
 * text's length (the token count of a tool result's JSON rests on it). */
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "fuzz/fuzz.h"

FUZZ_TARGET(json_print)
{
    cJSON *json = cJSON_ParseWithLength((const char *)data, size);
    if (!json) {
        return 0;
    }
    char *theirs = cJSON_PrintUnformatted(json);
    struct brk_buf ours;
    brk_buf_init(&ours, 1u << 26);
    enum brk_status rc = brk_json_print(json, &ours);
    if ((theirs != NULL) != (rc == BRK_OK) || (theirs && strcmp(theirs, ours.data) != 0)) {
        abort(); /* the two printers disagree: a bug in json.c */
    }
    struct brk_json_measure m = {.len = 0, .on_string = NULL, .ctx = NULL};
    if (theirs && (!brk_json_measure(json, &m) || m.len != strlen(theirs))) {
        abort(); /* the measure is not the printed length */
    }
    free(theirs);
    brk_buf_clean_up(&ours);
    cJSON_Delete(json);
    return 0;
}
