/* fuzz_support.c: see fuzz.h. */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "fuzz/sigv4_auth.h"
#include "mock/pipeline/response.h"
#include "mock/pipeline/stages.h"

static struct brk_mock *s_mock;

void fuzz_mock_config(struct brk_mock_config *cfg)
{
    brk_mock_config_init(cfg);
    cfg->port = 0;
    cfg->clock_mode = BRK_CLOCK_VIRTUAL;
    cfg->has_seed = true;
    cfg->seed = 1;
    cfg->journal_size = 64;
    cfg->journal_body_bytes = 1u << 20; /* small: the journal's bodies are evicted too */
    cfg->cache_max_entries = 64;        /* small: eviction is exercised, and scans stay cheap */
}

struct brk_mock *fuzz_mock_start(const struct brk_mock_config *cfg)
{
    struct brk_mock *mock = NULL;
    char err[256] = "";
    if (brk_mock_start(cfg, &mock, err, sizeof(err)) != BRK_OK) {
        abort(); /* nothing to fuzz without a mock */
    }
    return mock;
}

struct brk_mock *fuzz_mock(void)
{
    if (!s_mock) {
        struct brk_mock_config cfg;
        fuzz_mock_config(&cfg);
        s_mock = fuzz_mock_start(&cfg);
    }
    return s_mock;
}

void fuzz_mock_release(void)
{
    brk_mock_stop(s_mock);
    s_mock = NULL;
}

/* Read a streamed reply the way libmicrohttpd would, bounded so a stuck producer ends too. */
static void s_drain(struct mock_response *resp)
{
    char buf[16384];
    uint64_t pos = 0;
    for (int i = 0; resp->stream_fn && i < 4096; i++) {
        long n = resp->stream_fn(resp->stream_ctx, pos, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        pos += (uint64_t)n;
    }
}

void fuzz_dispatch(const char *method, const char *url, const char *const *headers, const uint8_t *body, size_t len)
{
    struct mock_request req;
    struct mock_response resp;
    mock_request_build(&req, method, url, headers, body, len);
    mock_response_init(&resp);
    mock_dispatch(fuzz_mock(), &req, &resp);
    s_drain(&resp);
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
}

/* The credentials file of the SigV4 targets' mocks; the expired entries ended in 2098. */
static const char s_credentials_json[] =
    "{\"credentials\":["
    "{\"access_key_id\":\"" FUZZ_SIGV4_AKID "\",\"secret_access_key\":\"" FUZZ_SIGV4_SECRET "\","
    "\"account_id\":\"111122223333\"},"
    "{\"access_key_id\":\"" FUZZ_SIGV4_TOKEN_AKID "\",\"secret_access_key\":\"" FUZZ_SIGV4_TOKEN_SECRET "\","
    "\"session_token\":\"" FUZZ_SIGV4_TOKEN "\"},"
    "{\"access_key_id\":\"" FUZZ_SIGV4_OLD_AKID "\",\"secret_access_key\":\"" FUZZ_SIGV4_SECRET "\","
    "\"expiration\":\"2098-01-01T00:00:00Z\"}],"
    "\"api_keys\":[{\"key\":\"" FUZZ_SIGV4_API_KEY "\",\"account_id\":\"444455556666\"},"
    "{\"key\":\"" FUZZ_SIGV4_API_KEY_OLD "\",\"expiration\":\"2098-01-01T00:00:00Z\"}]}";

struct brk_mock *fuzz_sigv4_mock_start(enum brk_mock_auth mode)
{
    char path[] = "/tmp/brk-fuzz-credentials-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || fputs(s_credentials_json, f) < 0 || fclose(f) != 0) {
        abort();
    }
    struct brk_mock_config cfg;
    fuzz_mock_config(&cfg);
    cfg.auth_mode = mode;
    cfg.credentials_path = path;
    cfg.auth_region = FUZZ_SIGV4_REGION;
    struct brk_mock *mock = fuzz_mock_start(&cfg);
    unlink(path);
    /* A virtual clock starts at the real time; move it to the fixed signing time. */
    if (brk_clock_advance(mock->clock, FUZZ_SIGV4_NOW_S * 1000 - brk_clock_now_ms(mock->clock)) != BRK_OK) {
        abort();
    }
    return mock;
}
