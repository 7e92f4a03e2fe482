/*
 * bench.h: the request every benchmark sends, defined once so bench_http (over HTTP) and
 * bench_pipeline (in-process) measure the same thing, and the reader of the realistic bodies
 * of bench/fixtures/ both send.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#include "bedrock/buf.h"

/* Converse on a model every catalogue has. */
#define BENCH_CONVERSE_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"

/* A small Converse body: one user turn, a system prompt, an output limit. */
#define BENCH_SMALL_BODY                                                                         \
    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Summarise the benchmark in one " \
    "line.\"}]}],\"system\":[{\"text\":\"Be brief.\"}],\"inferenceConfig\":{\"maxTokens\":256}}"

/* What an SDK sends; the mock's default (lenient) auth mode reads the account from it without
 * verifying the signature, and refuses a request without one. */
#define BENCH_AUTHORIZATION                                                           \
    "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/bedrock/aws4_request, " \
    "SignedHeaders=content-type;host;x-amz-date, Signature=00"

/* The fixture `name` under BENCH_FIXTURE_DIR (bench/run.sh sets it; default bench/fixtures),
 * NUL-terminated, its length in *len; the caller frees it. NULL when missing or empty. */
static inline char *bench_read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("BENCH_FIXTURE_DIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "bench/fixtures", name);
    struct brk_buf b;
    brk_buf_init(&b, 16u << 20);
    if (brk_buf_read_file(&b, path) != BRK_OK || b.len == 0) {
        brk_buf_clean_up(&b);
        return NULL;
    }
    return brk_buf_detach(&b, len);
}

#endif
