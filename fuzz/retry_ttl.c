/* retry_ttl: client/retry.c's client_retry_ttl, which reads the Date header of every answer
 * the client receives (any bytes a server sends) to build amz-sdk-request's ttl.
 *  - any input: returns without reading past the text or writing past out[20];
 *  - on success the output is exactly YYYYMMDDTHHMMSSZ (16 characters, digits, 'T', 'Z').
 * A broken property aborts. */
#include <stdlib.h>
#include <string.h>

#include "client/retry.h"
#include "fuzz/fuzz.h"

FUZZ_TARGET(retry_ttl)
{
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    char out[20];
    if (client_retry_ttl(text, 60000, out)) {
        if (strlen(out) != 16 || out[8] != 'T' || out[15] != 'Z') {
            abort();
        }
        for (int i = 0; i < 15; i++) {
            if (i != 8 && (out[i] < '0' || out[i] > '9')) {
                abort();
            }
        }
    }
    free(text);
    return 0;
}
