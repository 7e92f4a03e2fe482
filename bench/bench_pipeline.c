/*
 * bench_pipeline: one 20 KB Converse request through the whole pipeline in-process (route,
 * auth, JSON, model, validation, cache points, reply, journal), without sockets. Rows:
 *   - the request without cache points; baseline: parsing and freeing the same body with
 *     cJSON, the least any JSON server must do with it;
 *   - the same request with cache points after the system prompt, the tools and the last
 *     message (a cache hit after the first call); baseline: the same cJSON parse;
 *   - the same again with the prompt-cache store full (MOCK_CACHE_DEFAULT_MAX_ENTRIES entries
 *     of other accounts); baseline: the second row. Shows what a full store costs a lookup;
 *   - the 20 KB request without cache points on a mock whose journal keeps no bodies
 *     (--journal-body-bytes 0); baseline: the 20 KB row, whose journal keeps them (the
 *     default 16 MiB, filled by the warm-up). Shows what keeping bodies costs in the steady
 *     state; the first 16 MiB also pay for touching fresh pages once.
 * With --stages it prints instead one row per pipeline step (route, each stage, the operation,
 * the journal) for the 20 KB request, then for the same with cache points, then for the 100 KB
 * fixture: microseconds per request spent in that step; baseline: the whole request; the ratio
 * is the step's share; the last column is the step's cost in cJSON parses of the body.
 * Then the bodies of bench/fixtures/ (BENCH_FIXTURE_DIR; rows left out when missing), each
 * against its cJSON parse: what bench_http's realistic rows cost without sockets.
 * Each row carries its goal (docs/benchmarks.md) as a sixth column.
 * Environment: BENCH_ITERATIONS (default 2000), BENCH_CPU_TIME=1 (time by this thread's CPU
 * time instead of the wall clock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/buf.h"
#include "bench/bench.h"
#include "common/json_arena.h"
#include "mock/cache/store.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/stages.h"

#define S_PATH BENCH_CONVERSE_PATH
#define S_CACHE_PATH "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
#define S_CACHE_POINT ",{\"cachePoint\":{\"type\":\"default\"}}"

/* Wall-clock microseconds, or with BENCH_CPU_TIME=1 this thread's CPU time: on a machine
 * shared with other work the CPU time leaves out the moments the benchmark was not running. */
static bool s_cpu_time(void)
{
    static int cpu = -1;
    if (cpu < 0) {
        const char *v = getenv("BENCH_CPU_TIME");
        cpu = v && strcmp(v, "1") == 0;
    }
    return cpu;
}

static int64_t s_now_us(void)
{
    if (!s_cpu_time()) {
        return brk_clock_monotonic_us();
    }
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A realistic 20 KB request: a system prompt, a tool, and a multi-turn conversation. */
static char *s_body_20k(bool cache_points, size_t *len)
{
    const char *cp = cache_points ? S_CACHE_POINT : "";
    struct brk_buf b;
    brk_buf_init(&b, 1u << 20);
    brk_buf_appendf(&b,
                    "{\"system\":[{\"text\":\"You are a careful assistant. Answer briefly.\"}%s],"
                    "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":"
                    "\"Weather for a city\",\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":"
                    "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}}%s]},"
                    "\"inferenceConfig\":{\"maxTokens\":512,\"temperature\":0.2},\"messages\":[",
                    cp, cp);
    for (int turn = 0; turn < 34; turn++) { /* ends on an assistant turn; about 20 KB in all */
        brk_buf_appendf(&b, "%s{\"role\":\"%s\",\"content\":[{\"text\":\"", turn ? "," : "",
                        turn % 2 ? "assistant" : "user");
        for (int i = 0; i < 12; i++) {
            brk_buf_append_str(&b, "The quick brown fox jumps over the lazy dog. ");
        }
        brk_buf_append_str(&b, "\"}]}");
    }
    brk_buf_appendf(&b, ",{\"role\":\"user\",\"content\":[{\"text\":\"And the weather?\"}%s]}]}", cp);
    return brk_buf_detach(&b, len);
}

static double s_dispatch_timed_us(struct brk_mock *mock, const char *path, const char *body, size_t len, unsigned n,
                                  struct mock_pipeline_times *times)
{
    int64_t t0 = s_now_us();
    for (unsigned i = 0; i < n; i++) {
        struct mock_request req;
        struct mock_response resp;
        const char *headers[] = {"Content-Type: application/json", "Authorization: " BENCH_AUTHORIZATION, NULL};
        mock_request_build(&req, "POST", path, headers, body, len);
        mock_response_init(&resp);
        mock_dispatch_timed(mock, &req, &resp, times);
        if (resp.status != 200) {
            fprintf(stderr, "bench_pipeline: status %d: %s\n", resp.status, resp.body.data);
            exit(1);
        }
        mock_response_clean_up(&resp);
        mock_request_clean_up(&req);
    }
    return (double)(s_now_us() - t0) / n;
}

static double s_dispatch_us(struct brk_mock *mock, const char *path, const char *body, size_t len, unsigned n)
{
    return s_dispatch_timed_us(mock, path, body, len, n, NULL);
}

/* The baseline: cJSON with its default allocator, as any JSON server would use it, not the
 * mock's arena hooks (common/json_arena.h), which are put back afterwards. */
static double s_parse_us(const char *body, size_t len, unsigned n)
{
    cJSON_InitHooks(NULL);
    int64_t t0 = s_now_us();
    for (unsigned i = 0; i < n; i++) {
        cJSON_Delete(cJSON_ParseWithLength(body, len));
    }
    int64_t t1 = s_now_us();
    brk_json_arena_install();
    return (double)(t1 - t0) / n;
}

/* Fill the prompt-cache store with entries of other accounts, so every lookup scans a full store. */
static void s_fill_cache(struct brk_mock *mock)
{
    unsigned char hash[MOCK_CACHE_HASH_LEN] = {0};
    int64_t now = brk_clock_now_ms(mock->clock);
    for (unsigned i = 0; i < MOCK_CACHE_DEFAULT_MAX_ENTRIES; i++) {
        char account[32];
        snprintf(account, sizeof(account), "AKIDFILL%u", i);
        memcpy(hash, &i, sizeof(i));
        struct mock_cache_key key = {account, "anthropic.claude-sonnet-4-5-20250929-v1:0", hash};
        mock_cache_write(mock->cache, &key, 2048, 3600000, now);
    }
}

/* The 20 KB request on a mock whose journal keeps no bodies. */
static double s_no_bodies_us(const struct brk_mock_config *cfg, const char *body, size_t len, unsigned n)
{
    struct brk_mock_config c = *cfg;
    c.journal_body_bytes = 0;
    struct brk_mock *mock = NULL;
    char err[256];
    if (brk_mock_start(&c, &mock, err, sizeof(err)) != BRK_OK) {
        fprintf(stderr, "bench_pipeline: %s\n", err);
        exit(1);
    }
    s_dispatch_us(mock, S_PATH, body, len, n / 10 + 1); /* warm-up */
    double us = s_dispatch_us(mock, S_PATH, body, len, n);
    brk_mock_stop(mock);
    return us;
}

static void s_row(const char *what, double value, double base, const char *goal)
{
    printf("pipeline: %s\t%.1f\tus\t%.1f\t%.2f\t%s\n", what, value, base, value / base, goal);
}

/* The realistic bodies bench_http sends, through the pipeline against their cJSON parse. */
static void s_fixture_rows(struct brk_mock *mock, unsigned n)
{
    static const char *const files[] = {"converse_10k.json", "converse_100k.json"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len = 0;
        char *body = bench_read_fixture(files[i], &len);
        if (!body) {
            continue;
        }
        unsigned k = i ? n / 8 + 1 : n;
        /* Warm up until the journal's bodies fill their budget, as for the 20 KB row: the steady state. */
        s_dispatch_us(mock, S_PATH, body, len, (unsigned)(mock->cfg.journal_body_bytes / len) + k / 10 + 1);
        double us = s_dispatch_us(mock, S_PATH, body, len, k);
        char what[64];
        snprintf(what, sizeof(what), "%s (%zu KB)", files[i], (len + 512) / 1024);
        s_row(what, us, s_parse_us(body, len, k), "-");
        free(body);
    }
}

/* --stages: where one request spends its time, each step against the whole request and, in
 * the last column, against the cJSON parse of the body. */
static void s_stage_rows(struct brk_mock *mock, const char *what, const char *path, const char *body, size_t len,
                         unsigned n)
{
    struct mock_pipeline_times times;
    s_dispatch_us(mock, path, body, len, n / 10 + 1); /* with cache points: writes the cache, then hits */
    memset(&times, 0, sizeof(times));
    times.cpu_time = s_cpu_time(); /* the same clock as the whole request's */
    double whole = s_dispatch_timed_us(mock, path, body, len, n, &times);
    double parse = s_parse_us(body, len, n);
    for (size_t i = 0; i < times.n; i++) {
        char name[96], of_parse[32];
        double us = (double)times.ns[i] / 1000.0 / n;
        snprintf(name, sizeof(name), "%s: stage %s", what, times.name[i] ? times.name[i] : "?");
        snprintf(of_parse, sizeof(of_parse), "%.2f of parse", us / parse);
        s_row(name, us, whole, of_parse);
    }
}

int main(int argc, char **argv)
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
    size_t len = 0, clen = 0;
    char *body = s_body_20k(false, &len);
    char *cbody = s_body_20k(true, &clen);
    if (argc > 1 && strcmp(argv[1], "--stages") == 0) {
        s_stage_rows(mock, "20 KB", S_PATH, body, len, n);
        s_stage_rows(mock, "+ 3 cache points", S_CACHE_PATH, cbody, clen, n);
        size_t flen = 0;
        char *fixture = bench_read_fixture("converse_100k.json", &flen);
        if (fixture) {
            s_stage_rows(mock, "100 KB fixture", S_PATH, fixture, flen, n / 8 + 1);
        }
        free(fixture);
        free(body);
        free(cbody);
        brk_mock_stop(mock);
        return 0;
    }
    size_t slen = strlen(BENCH_SMALL_BODY);
    s_dispatch_us(mock, S_PATH, BENCH_SMALL_BODY, slen, n / 10 + 1); /* warm-up */
    double small = s_dispatch_us(mock, S_PATH, BENCH_SMALL_BODY, slen, n * 4);
    double small_parse = s_parse_us(BENCH_SMALL_BODY, slen, n * 4);
    /* Warm up until the journal's bodies fill their budget: the steady state, in which each new
     * body reuses an evicted one's memory instead of touching fresh pages. */
    s_dispatch_us(mock, S_PATH, body, len, (unsigned)(cfg.journal_body_bytes / len) + n / 10 + 1);
    double plain = s_dispatch_us(mock, S_PATH, body, len, n);
    double parse = s_parse_us(body, len, n);
    double no_bodies = s_no_bodies_us(&cfg, body, len, n);
    s_dispatch_us(mock, S_CACHE_PATH, cbody, clen, n / 10 + 1); /* writes the cache, then hits */
    double cached = s_dispatch_us(mock, S_CACHE_PATH, cbody, clen, n);
    s_fill_cache(mock);
    s_dispatch_us(mock, S_CACHE_PATH, cbody, clen, 1); /* the fill evicted this request's entries */
    double full = s_dispatch_us(mock, S_CACHE_PATH, cbody, clen, n);
    char what[64];
    snprintf(what, sizeof(what), "%zu B Converse", slen);
    s_row(what, small, small_parse, "-");
    snprintf(what, sizeof(what), "%zu KB Converse", (len + 512) / 1024);
    s_row(what, plain, parse, "<=1.5");
    s_row("same + 3 cache points (hits)", cached, parse, "<=1.8");
    s_row("same, cache store full", full, cached, "<=1.1");
    s_row("20 KB, journal keeps no bodies", no_bodies, plain, "-");
    s_fixture_rows(mock, n);
    free(body);
    free(cbody);
    brk_mock_stop(mock);
    return 0;
}
