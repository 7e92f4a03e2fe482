/*
 * bench.h: the request every benchmark sends, defined once so bench_http (over HTTP) and
 * bench_pipeline (in-process) measure the same thing.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

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

#endif
