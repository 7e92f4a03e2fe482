/* json_long: differential check of common/json_long.c. The first byte picks the shortest string
 * left out of cJSON's copy (1 to 64 bytes, so short inputs reach the splice); the rest is any
 * text. brk_json_parse_long must give what cJSON_ParseWithLength gives: NULL for the same texts,
 * and otherwise a tree that prints the same (every node, key and string). A difference aborts. */
#include <stdlib.h>
#include <string.h>

#include "common/json_long.h"
#include "fuzz/fuzz.h"

FUZZ_TARGET(json_long)
{
    if (size == 0) {
        return 0;
    }
    size_t min = 1 + data[0] % 64;
    const char *text = (const char *)data + 1;
    cJSON *theirs = cJSON_ParseWithLength(text, size - 1);
    cJSON *ours = brk_json_parse_long(text, size - 1, min);
    if ((theirs == NULL) != (ours == NULL)) {
        abort(); /* one parsed what the other refused */
    }
    char *a = theirs ? cJSON_PrintUnformatted(theirs) : NULL;
    char *b = ours ? cJSON_PrintUnformatted(ours) : NULL;
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
        abort(); /* the trees differ */
    }
    free(a);
    free(b);
    cJSON_Delete(theirs);
    cJSON_Delete(ours);
    return 0;
}
