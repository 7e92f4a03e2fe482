/*
 * bench_validate: cost of validating a typical Converse request (about 20 KB, multi-turn,
 * five tools): the schema stage plus the conversation rules, on an already parsed body.
 * Baseline in the same run: cJSON parsing the same body. Output protocol: bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/buf.h"
#include "mock/model/catalog.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/stages.h"

#define S_MODEL "anthropic.claude-3-5-sonnet-20241022-v2:0"
#define S_ROUNDS 5

static void s_tool(struct brk_buf *b, int i)
{
    brk_buf_appendf(b,
                    "%s{\"toolSpec\":{\"name\":\"tool_%d\",\"description\":\"Looks up record kind %d in the "
                    "inventory and returns its fields.\",\"inputSchema\":{\"json\":{\"type\":\"object\","
                    "\"properties\":{\"id\":{\"type\":\"string\",\"description\":\"record id\"},\"limit\":"
                    "{\"type\":\"integer\",\"minimum\":1,\"maximum\":100},\"fields\":{\"type\":\"array\",\"items\":"
                    "{\"type\":\"string\"}}},\"required\":[\"id\"]}}}}",
                    i ? "," : "", i, i);
}

/* A user question, an assistant tool call, the tool's answer, an assistant reply: repeated
 * until the body reaches about 20 KB. */
static char *s_build_request(size_t *len)
{
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    brk_buf_append_str(&b, "{\"system\":[{\"text\":\"You are an inventory assistant. Answer briefly.\"}],"
                           "\"inferenceConfig\":{\"maxTokens\":2048,\"temperature\":0.2},\"toolConfig\":{\"tools\":[");
    for (int i = 0; i < 5; i++) {
        s_tool(&b, i);
    }
    brk_buf_append_str(&b, "],\"toolChoice\":{\"auto\":{}}},\"messages\":[");
    int turn = 0;
    while (b.len < 19000) {
        brk_buf_appendf(&b,
                        "%s{\"role\":\"user\",\"content\":[{\"text\":\"Question %d: what is the stock level of "
                        "item %d in the north warehouse, and when was it last counted by the night shift?\"}]},"
                        "{\"role\":\"assistant\",\"content\":[{\"text\":\"Let me look that up.\"},{\"toolUse\":"
                        "{\"toolUseId\":\"tooluse_%d\",\"name\":\"tool_%d\",\"input\":{\"id\":\"item-%d\"}}}]},"
                        "{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"tooluse_%d\",\"content\":"
                        "[{\"json\":{\"id\":\"item-%d\",\"stock\":%d,\"counted\":\"2025-01-%02d\"}}],\"status\":"
                        "\"success\"}}]},{\"role\":\"assistant\",\"content\":[{\"text\":\"Item %d has %d units; it "
                        "was last counted on 2025-01-%02d.\"}]}",
                        turn ? "," : "", turn, turn, turn, turn % 5, turn, turn, turn, turn * 7, turn % 28 + 1, turn,
                        turn * 7, turn % 28 + 1);
        turn++;
    }
    brk_buf_append_str(&b, ",{\"role\":\"user\",\"content\":[{\"text\":\"Thanks. Summarise.\"}]}]}");
    return brk_buf_detach(&b, len);
}

static double s_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the cost on one core, not the wait for one */
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double s_best(double a, double b)
{
    return a < b ? a : b;
}

static double s_time_parse(const char *body, size_t len, int iters)
{
    double best = 1e30;
    for (int r = 0; r < S_ROUNDS; r++) {
        double t0 = s_now_us();
        for (int i = 0; i < iters; i++) {
            cJSON_Delete(cJSON_ParseWithLength(body, len));
        }
        best = s_best(best, (s_now_us() - t0) / iters);
    }
    return best;
}

static double s_time_validate(struct mock_request *req, int iters)
{
    double best = 1e30;
    for (int r = 0; r < S_ROUNDS; r++) {
        double t0 = s_now_us();
        for (int i = 0; i < iters; i++) {
            struct mock_response resp;
            mock_response_init(&resp);
            if (!mock_stage_schema(NULL, req, &resp) || !mock_stage_validate(NULL, req, &resp)) {
                fprintf(stderr, "bench_validate: request rejected: %s\n", resp.error_message);
                exit(1);
            }
            mock_response_clean_up(&resp);
        }
        best = s_best(best, (s_now_us() - t0) / iters);
    }
    return best;
}

int main(void)
{
    size_t len = 0;
    char *body = s_build_request(&len);
    struct mock_catalog *catalog = NULL;
    char err[256];
    if (mock_catalog_load_default(&catalog, err, sizeof(err)) != BRK_OK) {
        fprintf(stderr, "bench_validate: catalogue: %s\n", err);
        return 1;
    }
    struct mock_request req;
    mock_request_init(&req);
    req.route.op = BRK_OP_CONVERSE;
    snprintf(req.route.label[BRK_OP_LABEL_MODEL_ID], MOCK_MAX_LABEL + 1, "%s", S_MODEL);
    mock_catalog_resolve(catalog, S_MODEL, &req.model);
    req.json = cJSON_ParseWithLength(body, len);
    int iters = 2000;
    double parse_us = s_time_parse(body, len, iters);
    double validate_us = s_time_validate(&req, iters);
    printf("validation: %zu KB Converse, 5 tools\t%.2f\tus\t%.2f\t%.2f\n", len / 1024, validate_us, parse_us,
           validate_us / parse_us);
    mock_request_clean_up(&req);
    mock_catalog_destroy(catalog);
    free(body);
    return 0;
}
