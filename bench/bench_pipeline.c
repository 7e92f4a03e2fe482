/*
 * bench_pipeline: one 20 KB Converse request through the whole pipeline in-process (route,
 * auth, JSON, model, validation, reply, journal), without sockets. Baseline: parsing and
 * freeing the same body with cJSON, the least any JSON server must do with it.
 * Environment: BENCH_ITERATIONS (default 2000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "mock/mock_priv.h"

#define S_PATH "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"

/* A realistic 20 KB request: a system prompt, a tool, and a multi-turn conversation. */
static char *s_body_20k(size_t *len)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    brk_buf_append_str(&b, "{\"system\":[{\"text\":\"You are a careful assistant. Answer briefly.\"}],"
                           "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":"
                           "\"Weather for a city\",\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":"
                           "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}}]},"
                           "\"inferenceConfig\":{\"maxTokens\":512,\"temperature\":0.2},\"messages\":[");
    for (int turn = 0; b.len < 20000; turn++) {
        brk_buf_appendf(&b, "%s{\"role\":\"%s\",\"content\":[{\"text\":\"", turn ? "," : "",
                        turn % 2 ? "assistant" : "user");
        for (int i = 0; i < 12; i++) {
            brk_buf_append_str(&b, "The quick brown fox jumps over the lazy dog. ");
        }
        brk_buf_append_str(&b, "\"}]}");
        if (turn % 2 == 1 && b.len >= 19000) {
            break; /* end on an assistant turn, then the last user turn */
        }
    }
    brk_buf_append_str(&b, ",{\"role\":\"user\",\"content\":[{\"text\":\"And the weather?\"}]}]}");
    return brk_buf_detach(&b, len);
}

static double s_dispatch_us(struct brk_mock *mock, const char *body, size_t len, unsigned n)
{
    int64_t t0 = brk_clock_monotonic_us();
    for (unsigned i = 0; i < n; i++) {
        struct mock_request req;
        struct mock_response resp;
        mock_request_init(&req);
        mock_response_init(&resp);
        req.method = strdup("POST");
        req.url = strdup(S_PATH);
        mock_request_add_header(&req, "Content-Type", "application/json");
        req.body = malloc(len + 1);
        memcpy(req.body, body, len + 1);
        req.body_len = len;
        mock_dispatch(mock, &req, &resp);
        if (resp.status != 200) {
            fprintf(stderr, "bench_pipeline: status %d: %s\n", resp.status, resp.body.data);
            exit(1);
        }
        mock_response_clean_up(&resp);
        mock_request_clean_up(&req);
    }
    return (double)(brk_clock_monotonic_us() - t0) / n;
}

static double s_parse_us(const char *body, size_t len, unsigned n)
{
    int64_t t0 = brk_clock_monotonic_us();
    for (unsigned i = 0; i < n; i++) {
        cJSON_Delete(cJSON_ParseWithLength(body, len));
    }
    return (double)(brk_clock_monotonic_us() - t0) / n;
}

int main(void)
{
    const char *it = getenv("BENCH_ITERATIONS");
    unsigned n = it && atoi(it) > 0 ? (unsigned)atoi(it) : 2000;
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    struct brk_mock *mock = NULL;
    char err[256];
    if (brk_mock_start(&cfg, &mock, err, sizeof(err)) != BRK_OK) {
        fprintf(stderr, "bench_pipeline: %s\n", err);
        return 1;
    }
    size_t len = 0;
    char *body = s_body_20k(&len);
    s_dispatch_us(mock, body, len, n / 10 + 1); /* warm-up */
    double pipe = s_dispatch_us(mock, body, len, n);
    double parse = s_parse_us(body, len, n);
    char name[128];
    snprintf(name, sizeof(name), "pipeline, %zu-byte Converse request", len);
    printf("%s\t%.1f\tus\t%.1f\t%.2f\n", name, pipe, parse, pipe / parse);
    free(body);
    brk_mock_stop(mock);
    return 0;
}
