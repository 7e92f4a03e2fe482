/*
 * request_pipeline: a request with a hostile JSON body through the whole pipeline (route, auth,
 * body, model, validate, operation, journal). The first byte picks the operation; 'p' takes the
 * path from the input up to the first newline instead, so the router is fuzzed too.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"

#define S_MODEL "/model/anthropic.claude-3-haiku-20240307-v1%3A0/"

static const char *const s_paths[] = {S_MODEL "converse", S_MODEL "converse-stream", S_MODEL "count-tokens",
                                      S_MODEL "invoke", "/guardrail/g1/version/1/apply"};
static const char *const s_headers[] = {"Content-Type: application/json",
                                        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/"
                                        "bedrock/aws4_request, SignedHeaders=host, Signature=00",
                                        NULL};

FUZZ_TARGET(request_pipeline)
{
    char path[4096] = S_MODEL "converse";
    const uint8_t *nl = size > 1 && data[0] == 'p' ? memchr(data + 1, '\n', size - 1) : NULL;
    if (nl && (size_t)(nl - data) < sizeof(path)) {
        memcpy(path, data + 1, (size_t)(nl - data) - 1);
        path[nl - data - 1] = '\0';
        size -= (size_t)(nl - data) + 1;
        data = nl + 1;
    } else if (size > 0) {
        snprintf(path, sizeof(path), "%s", s_paths[data[0] % (sizeof(s_paths) / sizeof(s_paths[0]))]);
        data++;
        size--;
    }
    fuzz_dispatch("POST", path, s_headers, data, size);
    return 0;
}
