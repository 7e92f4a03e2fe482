/*
 * bench_client: libbedrock's speed next to boto3's, in the same run against the same mock.
 *
 *   client: sequential Converse calls/s   brk_converse one call after another over the client's
 *                                          one keep-alive connection; baseline: boto3's
 *                                          client.converse doing the same (bench/boto3_converse.py);
 *                                          the goal is a ratio of at least 10
 *   client: SigV4 signatures/s             brk_sigv4_sign of the same request (common/sigv4.c);
 *                                          baseline: botocore's SigV4Auth.add_auth
 *
 * The mock runs in this process (port 0, default settings). Without boto3 the baselines are "-".
 * BENCH_SECONDS (default 3) sets each measurement's length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/client.h"
#include "bedrock/mock.h"
#include "bedrock/sigv4.h"
#include "bench/bench.h"

#define BENCH_MODEL "anthropic.claude-3-haiku-20240307-v1:0"

static double s_seconds(void)
{
    const char *v = getenv("BENCH_SECONDS");
    double seconds = v ? strtod(v, NULL) : 0;
    return seconds > 0 ? seconds : 3.0;
}

static double s_converse_rate(const char *url, double seconds)
{
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.endpoint = url;
    cfg.region = "us-east-1";
    cfg.access_key_id = "AKIDBENCH";
    cfg.secret_access_key = "bench-secret";
    struct brk_client *client = NULL;
    struct brk_error err;
    if (brk_client_new(&cfg, &client, &err) != BRK_OK) {
        fprintf(stderr, "bench_client: %s\n", err.message);
        return 0;
    }
    const char *body = BENCH_SMALL_BODY;
    long n = 0;
    int64_t start = 0;
    for (int i = -20; start == 0 || brk_clock_monotonic_us() - start < (int64_t)(seconds * 1e6); i++) {
        struct brk_converse_response *resp = NULL;
        if (brk_converse(client, BENCH_MODEL, body, strlen(body), &resp, &err) != BRK_OK) {
            fprintf(stderr, "bench_client: %s\n", err.message);
            break;
        }
        brk_converse_response_destroy(resp);
        n += i > 0;
        start = i == 0 ? brk_clock_monotonic_us() : start; /* after 20 warm-up calls */
    }
    double rate = n / ((brk_clock_monotonic_us() - start) / 1e6);
    brk_client_destroy(client);
    return rate;
}

static double s_signing_rate(const char *host, double seconds)
{
    const struct brk_sigv4_header headers[] = {{"Content-Type", "application/json"}, {"Host", host}};
    struct brk_sigv4_params p = {.access_key_id = "AKIDBENCH",
                                 .secret_access_key = "bench-secret",
                                 .region = "us-east-1",
                                 .service = "bedrock",
                                 .normalize_path = true};
    long n = 0;
    int64_t start = brk_clock_monotonic_us();
    while (brk_clock_monotonic_us() - start < (int64_t)(seconds * 1e6)) {
        struct brk_sigv4_result res;
        brk_sigv4_result_init(&res);
        p.time_s = brk_clock_real_ms() / 1000;
        brk_sigv4_sign(&p, "POST", BENCH_CONVERSE_PATH, NULL, headers, 2, BENCH_SMALL_BODY, strlen(BENCH_SMALL_BODY),
                       &res);
        brk_sigv4_result_clean_up(&res);
        n++;
    }
    return n / ((brk_clock_monotonic_us() - start) / 1e6);
}

/* boto3's two rates from bench/boto3_converse.py; false when it cannot run. */
static bool s_boto3(const char *url, double seconds, double *converse, double *signing)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "python3 bench/boto3_converse.py %s %.1f 2>/dev/null", url, seconds);
    FILE *f = popen(cmd, "r");
    char line[128] = "";
    int got = f && fgets(line, sizeof(line), f) ? sscanf(line, "%lf %lf", converse, signing) : 0;
    if (f) {
        pclose(f);
    }
    return got == 2;
}

static void s_row(const char *name, double value, const char *unit, bool has_base, double base)
{
    if (has_base && base > 0) {
        printf("%s\t%.0f\t%s\t%.0f\t%.2f\n", name, value, unit, base, value / base);
    } else {
        printf("%s\t%.0f\t%s\t-\t-\n", name, value, unit);
    }
}

int main(void)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    struct brk_mock *mock = NULL;
    char why[256];
    if (brk_mock_start(&cfg, &mock, why, sizeof(why)) != BRK_OK) {
        fprintf(stderr, "bench_client: %s\n", why);
        return 1;
    }
    char url[80], host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%u", brk_mock_port(mock));
    snprintf(url, sizeof(url), "http://%s", host);
    double seconds = s_seconds(), boto_converse = 0, boto_signing = 0;
    double ours = s_converse_rate(url, seconds);
    double signing = s_signing_rate(host, seconds < 1 ? seconds : 1);
    bool has_boto = s_boto3(url, seconds, &boto_converse, &boto_signing);
    s_row("client: sequential Converse (vs boto3)", ours, "calls/s", has_boto, boto_converse);
    s_row("client: SigV4 signatures (vs botocore)", signing, "sig/s", has_boto, boto_signing);
    brk_mock_stop(mock);
    return ours > 0 ? 0 : 1;
}
