/* fuzz_support.c: see fuzz.h. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

static struct brk_mock *s_mock;

void fuzz_mock_config(struct brk_mock_config *cfg)
{
    brk_mock_config_init(cfg);
    cfg->port = 0;
    cfg->clock_mode = BRK_CLOCK_VIRTUAL;
    cfg->has_seed = true;
    cfg->seed = 1;
    cfg->journal_size = 64;
    cfg->cache_max_entries = 64; /* small: eviction is exercised, and scans stay cheap */
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

void fuzz_dispatch(const char *method, const char *url, const char *const *headers, const uint8_t *body,
                   size_t len)
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
