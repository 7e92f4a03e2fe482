/* main.c: the bedrock-mock command line, a thin front end over mock.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "bedrock/mock.h"
#include "mock/http/fd_limit.h"
#include "mock/replay/verify.h"
#include "mock/replay/vcr.h"

static const char s_usage[] =
    "Usage: bedrock-mock [OPTIONS]\n"
    "\n"
    "A local Amazon Bedrock Runtime server for offline tests. Point an AWS SDK at it with\n"
    "  AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:8787\n"
    "\n"
    "Options:\n"
    "  --host ADDR            address to bind (default 127.0.0.1; IPv4 or IPv6 literal)\n"
    "                         any other than loopback logs a warning (docs/hardening.md)\n"
    "  --port N               port to listen on (default 8787; 0 picks a free port)\n"
    "  --port-file FILE       write the bound port to FILE once connections are accepted\n"
    "  --models FILE          model catalogue JSON (default: the built-in fixtures/models.json)\n"
    "  --application-profile-model ID\n"
    "                         model an undeclared application-inference-profile ARN resolves\n"
    "                         to (default: the catalogue's, amazon.nova-micro-v1:0)\n"
    "  --seed N               make request ids and random choices reproducible\n"
    "  --clock real|virtual   time source (default real); virtual time moves only through\n"
    "                         POST /_mock/clock {\"advance_ms\": N}\n"
    "  --journal-size N       requests kept for GET /_mock/requests (default 1000)\n"
    "  --journal-body-bytes N request and response bodies the journal keeps, all entries\n"
    "                         together (default 16777216); past it the oldest are dropped\n"
    "                         (\"body_dropped\": true); 0 keeps none. Read them with\n"
    "                         GET /_mock/requests?bodies=1\n"
    "  --max-body-bytes N     largest request body accepted (default 26214400)\n"
    "  --max-connections N    concurrent connections (default 256); ulimit -n is raised to fit them\n"
    "  --idle-timeout S       seconds before an idle connection is closed (default 30)\n"
    "  --header-timeout S     seconds a client has to send a whole request head, or HTTP/2's\n"
    "                         preface and SETTINGS, however it trickles in (default 10)\n"
    "  --memory-budget-bytes N  request bodies in flight and replies waiting for clients, all\n"
    "                         connections together (default 268435456); past it a request\n"
    "                         is refused (503 ServiceUnavailableException, HTTP/2 REFUSED_STREAM)\n"
    "  --stream-chunk-chars N characters per streamed text / tool-input delta (default 16)\n"
    "  --stream-delay-ms N    pause between stream events, in milliseconds (default 0)\n"
    "  --stream-exception TYPE@N  end every stream with exception TYPE (throttlingException,\n"
    "                         modelStreamErrorException, ...) after event N\n"
    "  --guardrail-words FILE words that make a guardrail intervene, one per line\n"
    "                         (default: a built-in list, docs/operations.md)\n"
    "  --auth none|lenient|strict\n"
    "                         authentication (default lenient: a well-formed SigV4 or Bearer\n"
    "                         Authorization header, not verified; strict verifies it)\n"
    "  --credentials FILE     credentials and API keys, JSON (docs/auth.md); needed by strict\n"
    "  --auth-region REGION   region the SigV4 credential scope must name (default: any)\n"
    "  --record DIR           forward every request to --upstream, re-signed with this process's\n"
    "                         AWS credentials, and write each exchange to a cassette in DIR\n"
    "  --upstream URL         where --record forwards, e.g. https://bedrock-runtime.us-east-1.amazonaws.com\n"
    "  --upstream-region R    signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the URL's)\n"
    "  --replay DIR           answer from the cassettes in DIR (docs/record-replay.md)\n"
    "  --replay-ignore PATH   body path left out of matching (inferenceConfig.temperature); repeatable\n"
    "  --replay-miss error|simulate\n"
    "                         an unmatched request gets an error naming the nearest cassette\n"
    "                         (default) or the normal simulation\n"
    "  --replay-timing recorded|none\n"
    "                         replay the recorded pauses (default) or answer at once\n"
    "  --log-format text|json log line format on stderr (default text)\n"
    "  --log-level LEVEL      debug, info, warn, error or off (default info)\n"
    "  --cache-max-entries N  prompt-cache entries kept, all accounts together (default 10000)\n"
    "  --cache-below-minimum skip|reject\n"
    "                         a cache point below the model's minimum caches nothing (skip,\n"
    "                         the documented default) or is a 400 \"nothing available to cache\"\n"
    "  --rules FILE           scripted replies and faults to load at start (docs/rules.md)\n"
    "  --quota SPEC           per-model quota, e.g. tpm=200000,rpm=50,tpd=0,model=ID,retry-after;\n"
    "                         without model= it applies to every model; repeatable\n"
    "  --admin-token TOKEN    /_mock/ answers only requests with the header\n"
    "                         x-mock-admin-token: TOKEN (403 otherwise)\n"
    "  --no-admin             remove the admin API: /_mock/ paths are unknown operations\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Commands (docs/record-replay.md):\n"
    "  bedrock-mock import-vcr FILE.yaml... --out DIR   VCR.py cassettes into cassettes\n"
    "  bedrock-mock verify-cassettes DIR [--models FILE] the simulation against recorded answers\n"
    "\n"
    "Admin API: GET /_mock/health, GET /_mock/requests (?bodies=1&since=SEQ&limit=N),\n"
    "DELETE /_mock/requests, POST /_mock/reset, GET|PUT /_mock/models, GET|POST /_mock/clock,\n"
    "GET|DELETE /_mock/cache, POST|GET|DELETE /_mock/rules[/ID], GET|PUT /_mock/quotas\n"
    "(docs/admin-api.md, docs/rules.md).\n";

enum {
    OPT_HOST = 1000,
    OPT_PORT,
    OPT_PORT_FILE,
    OPT_MODELS,
    OPT_SEED,
    OPT_CLOCK,
    OPT_JOURNAL,
    OPT_JOURNAL_BODY,
    OPT_MAX_BODY,
    OPT_MAX_CONN,
    OPT_IDLE,
    OPT_HEADER_TIMEOUT,
    OPT_MEMORY_BUDGET,
    OPT_LOG_FORMAT,
    OPT_LOG_LEVEL,
    OPT_CACHE_MAX,
    OPT_CACHE_BELOW_MIN,
    OPT_STREAM_CHUNK,
    OPT_STREAM_DELAY,
    OPT_GUARDRAIL_WORDS,
    OPT_STREAM_EXCEPTION,
    OPT_RULES,
    OPT_QUOTA,
    OPT_ADMIN_TOKEN,
    OPT_NO_ADMIN,
    OPT_AUTH,
    OPT_CREDENTIALS,
    OPT_AUTH_REGION,
    OPT_APP_PROFILE_MODEL,
    OPT_RECORD,
    OPT_UPSTREAM,
    OPT_UPSTREAM_REGION,
    OPT_REPLAY,
    OPT_REPLAY_IGNORE,
    OPT_REPLAY_MISS,
    OPT_REPLAY_TIMING
};

static const struct option s_options[] = {
    {"host", required_argument, NULL, OPT_HOST},
    {"port", required_argument, NULL, OPT_PORT},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"models", required_argument, NULL, OPT_MODELS},
    {"application-profile-model", required_argument, NULL, OPT_APP_PROFILE_MODEL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"journal-size", required_argument, NULL, OPT_JOURNAL},
    {"journal-body-bytes", required_argument, NULL, OPT_JOURNAL_BODY},
    {"max-body-bytes", required_argument, NULL, OPT_MAX_BODY},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT},
    {"memory-budget-bytes", required_argument, NULL, OPT_MEMORY_BUDGET},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"cache-max-entries", required_argument, NULL, OPT_CACHE_MAX},
    {"cache-below-minimum", required_argument, NULL, OPT_CACHE_BELOW_MIN},
    {"stream-chunk-chars", required_argument, NULL, OPT_STREAM_CHUNK},
    {"stream-delay-ms", required_argument, NULL, OPT_STREAM_DELAY},
    {"guardrail-words", required_argument, NULL, OPT_GUARDRAIL_WORDS},
    {"stream-exception", required_argument, NULL, OPT_STREAM_EXCEPTION},
    {"rules", required_argument, NULL, OPT_RULES},
    {"quota", required_argument, NULL, OPT_QUOTA},
    {"admin-token", required_argument, NULL, OPT_ADMIN_TOKEN},
    {"no-admin", no_argument, NULL, OPT_NO_ADMIN},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"credentials", required_argument, NULL, OPT_CREDENTIALS},
    {"auth-region", required_argument, NULL, OPT_AUTH_REGION},
    {"record", required_argument, NULL, OPT_RECORD},
    {"upstream", required_argument, NULL, OPT_UPSTREAM},
    {"upstream-region", required_argument, NULL, OPT_UPSTREAM_REGION},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"replay-ignore", required_argument, NULL, OPT_REPLAY_IGNORE},
    {"replay-miss", required_argument, NULL, OPT_REPLAY_MISS},
    {"replay-timing", required_argument, NULL, OPT_REPLAY_TIMING},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

struct s_cli {
    struct brk_mock_config cfg;
    const char *port_file;
    enum brk_log_level log_level;
    enum brk_log_format log_format;
};

__attribute__((format(printf, 1, 2))) static int s_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bedrock-mock: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'bedrock-mock --help'.\n");
    return 2;
}

/* Parse an unsigned decimal in [min, max]; false on anything else. */
static bool s_number(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (!text[0] || text[0] == '-') {
        return false;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int s_parse_numeric(struct s_cli *cli, int opt, const char *arg)
{
    uint64_t v = 0;
    switch (opt) {
    case OPT_PORT:
        if (!s_number(arg, 0, 65535, &v)) return s_fail("--port needs a number from 0 to 65535, not \"%s\"", arg);
        cli->cfg.port = (uint16_t)v;
        return 0;
    case OPT_SEED:
        if (!s_number(arg, 0, UINT64_MAX, &v)) return s_fail("--seed needs an unsigned number, not \"%s\"", arg);
        cli->cfg.seed = v;
        cli->cfg.has_seed = true;
        return 0;
    case OPT_CACHE_MAX:
        if (!s_number(arg, 1, 10000000, &v))
            return s_fail("--cache-max-entries needs a number from 1 to 10000000, not \"%s\"", arg);
        cli->cfg.cache_max_entries = (size_t)v;
        return 0;
    case OPT_STREAM_CHUNK:
        if (!s_number(arg, 1, 1000000, &v))
            return s_fail("--stream-chunk-chars needs a number from 1 to 1000000, not \"%s\"", arg);
        cli->cfg.stream_chunk_chars = (unsigned)v;
        return 0;
    case OPT_STREAM_DELAY:
        if (!s_number(arg, 0, 60000, &v))
            return s_fail("--stream-delay-ms needs milliseconds from 0 to 60000, not \"%s\"", arg);
        cli->cfg.stream_delay_ms = (unsigned)v;
        return 0;
    case OPT_MAX_CONN:
        if (!s_number(arg, 1, 65536, &v))
            return s_fail("--max-connections needs a number from 1 to 65536, not \"%s\"", arg);
        cli->cfg.max_connections = (unsigned)v;
        return 0;
    case OPT_HEADER_TIMEOUT:
        if (!s_number(arg, 1, 86400, &v))
            return s_fail("--header-timeout needs seconds from 1 to 86400, not \"%s\"", arg);
        cli->cfg.header_timeout_s = (unsigned)v;
        return 0;
    case OPT_MEMORY_BUDGET:
        if (!s_number(arg, 1u << 20, 1ULL << 40, &v))
            return s_fail("--memory-budget-bytes needs a number from 1048576 to 1099511627776, not \"%s\"", arg);
        cli->cfg.memory_budget_bytes = v;
        return 0;
    default:
        if (!s_number(arg, 1, 86400, &v))
            return s_fail("--idle-timeout needs seconds from 1 to 86400, not \"%s\"", arg);
        cli->cfg.idle_timeout_s = (unsigned)v;
        return 0;
    }
}

/* TYPE@N: a stream exception member (or its error code) and the event it follows. */
static int s_parse_stream_exception(struct s_cli *cli, const char *arg)
{
    char type[64];
    const char *at = strchr(arg, '@');
    uint64_t n = 0;
    size_t len = at ? (size_t)(at - arg) : 0;
    const struct brk_aws_error_info *e = NULL;
    if (at && len < sizeof(type)) {
        memcpy(type, arg, len);
        type[len] = '\0';
        e = brk_aws_error_find(type);
    }
    if (!e || !e->stream_member || !s_number(at + 1, 1, 1000000, &n)) {
        return s_fail("--stream-exception needs TYPE@N with a stream exception type and N >= 1, not \"%s\"", arg);
    }
    cli->cfg.stream_exception = e->id;
    cli->cfg.stream_exception_after = (unsigned)n;
    return 0;
}

/* --auth, --credentials, --auth-region (docs/auth.md). Returns -1 when `opt` is not one of them. */
static int s_parse_auth_option(struct s_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_AUTH:
        if (strcmp(arg, "none") == 0)
            cli->cfg.auth_mode = BRK_MOCK_AUTH_NONE;
        else if (strcmp(arg, "lenient") == 0)
            cli->cfg.auth_mode = BRK_MOCK_AUTH_LENIENT;
        else if (strcmp(arg, "strict") == 0)
            cli->cfg.auth_mode = BRK_MOCK_AUTH_STRICT;
        else
            return s_fail("--auth must be none, lenient or strict, not \"%s\"", arg);
        return 0;
    case OPT_CREDENTIALS:
        cli->cfg.credentials_path = arg;
        return 0;
    case OPT_AUTH_REGION:
        cli->cfg.auth_region = arg;
        return 0;
    default:
        return -1;
    }
}

/* --record, --upstream*, --replay* (docs/record-replay.md). Returns -1 when `opt` is not one of them. */
static int s_parse_replay_option(struct s_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_RECORD:
        cli->cfg.record_dir = arg;
        return 0;
    case OPT_UPSTREAM:
        cli->cfg.upstream_url = arg;
        return 0;
    case OPT_UPSTREAM_REGION:
        cli->cfg.upstream_region = arg;
        return 0;
    case OPT_REPLAY:
        cli->cfg.replay_dir = arg;
        return 0;
    case OPT_REPLAY_IGNORE:
        if (cli->cfg.n_replay_ignore == BRK_MOCK_MAX_REPLAY_IGNORE)
            return s_fail("at most %d --replay-ignore options", BRK_MOCK_MAX_REPLAY_IGNORE);
        cli->cfg.replay_ignore[cli->cfg.n_replay_ignore++] = arg;
        return 0;
    case OPT_REPLAY_MISS:
        if (strcmp(arg, "error") && strcmp(arg, "simulate"))
            return s_fail("--replay-miss must be error or simulate, not \"%s\"", arg);
        cli->cfg.replay_miss_simulate = arg[0] == 's';
        return 0;
    case OPT_REPLAY_TIMING:
        if (strcmp(arg, "recorded") && strcmp(arg, "none"))
            return s_fail("--replay-timing must be recorded or none, not \"%s\"", arg);
        cli->cfg.replay_timing_none = arg[0] == 'n';
        return 0;
    default:
        return -1;
    }
}

/* The journal's and the request body's sizes. Returns -1 when `opt` is not one of them. */
static int s_parse_size_option(struct s_cli *cli, int opt, const char *arg)
{
    uint64_t v = 0;
    switch (opt) {
    case OPT_JOURNAL:
        if (!s_number(arg, 1, 10000000, &v))
            return s_fail("--journal-size needs a number from 1 to 10000000, not \"%s\"", arg);
        cli->cfg.journal_size = (size_t)v;
        return 0;
    case OPT_JOURNAL_BODY:
        if (!s_number(arg, 0, 1ULL << 40, &v))
            return s_fail("--journal-body-bytes needs a number from 0 to 1099511627776, not \"%s\"", arg);
        cli->cfg.journal_body_bytes = (size_t)v;
        return 0;
    case OPT_MAX_BODY:
        if (!s_number(arg, 1024, 1ULL << 32, &v))
            return s_fail("--max-body-bytes needs a number from 1024 to 4294967296, not \"%s\"", arg);
        cli->cfg.max_body_bytes = (size_t)v;
        return 0;
    default:
        return -1;
    }
}

/* The options that pick one of a few words: clock, cache minimum, log format and level. */
static int s_parse_word_option(struct s_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_CLOCK:
        if (strcmp(arg, "real") && strcmp(arg, "virtual"))
            return s_fail("--clock must be real or virtual, not \"%s\"", arg);
        cli->cfg.clock_mode = arg[0] == 'v' ? BRK_CLOCK_VIRTUAL : BRK_CLOCK_REAL;
        return 0;
    case OPT_CACHE_BELOW_MIN:
        if (strcmp(arg, "skip") && strcmp(arg, "reject"))
            return s_fail("--cache-below-minimum must be skip or reject, not \"%s\"", arg);
        cli->cfg.cache_reject_below_minimum = arg[0] == 'r';
        return 0;
    case OPT_LOG_FORMAT:
        return brk_log_parse_format(arg, &cli->log_format)
                   ? 0
                   : s_fail("--log-format must be text or json, not \"%s\"", arg);
    case OPT_LOG_LEVEL:
        return brk_log_parse_level(arg, &cli->log_level)
                   ? 0
                   : s_fail("--log-level must be debug, info, warn, error or off, not \"%s\"", arg);
    default:
        return -1;
    }
}

static int s_parse_option(struct s_cli *cli, int opt, const char *arg)
{
    /* Each group answers -1 for an option that is not its own; the first that knows it wins. */
    static int (*const groups[])(struct s_cli *, int, const char *) = {s_parse_auth_option, s_parse_replay_option,
                                                                       s_parse_word_option, s_parse_size_option};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        int rc = groups[i](cli, opt, arg);
        if (rc >= 0) {
            return rc;
        }
    }
    switch (opt) {
    case OPT_HOST:
        cli->cfg.host = arg;
        return 0;
    case OPT_PORT_FILE:
        cli->port_file = arg;
        return 0;
    case OPT_MODELS:
        cli->cfg.models_path = arg;
        return 0;
    case OPT_APP_PROFILE_MODEL:
        cli->cfg.application_profile_model = arg;
        return 0;
    case OPT_GUARDRAIL_WORDS:
        cli->cfg.guardrail_words_path = arg;
        return 0;
    case OPT_STREAM_EXCEPTION:
        return s_parse_stream_exception(cli, arg);
    case OPT_RULES:
        cli->cfg.rules_path = arg;
        return 0;
    case OPT_QUOTA:
        if (cli->cfg.n_quota_specs == BRK_MOCK_MAX_QUOTA_SPECS)
            return s_fail("at most %d --quota options", BRK_MOCK_MAX_QUOTA_SPECS);
        cli->cfg.quota_specs[cli->cfg.n_quota_specs++] = arg;
        return 0;
    case OPT_ADMIN_TOKEN:
        if (!arg[0]) return s_fail("--admin-token needs a non-empty token");
        cli->cfg.admin_token = arg;
        return 0;
    case OPT_NO_ADMIN:
        cli->cfg.no_admin = true;
        return 0;
    default:
        return s_parse_numeric(cli, opt, arg);
    }
}

static int s_parse(struct s_cli *cli, int argc, char **argv)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "hV", s_options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(s_usage, stdout);
            return -1;
        }
        if (opt == 'V') {
            printf("bedrock-mock %s\n", BRK_MOCK_VERSION);
            return -1;
        }
        if (opt == '?') {
            fprintf(stderr, "Try 'bedrock-mock --help'.\n");
            return 2;
        }
        int rc = s_parse_option(cli, opt, optarg);
        if (rc) {
            return rc;
        }
    }
    if (optind < argc) {
        return s_fail("unexpected argument \"%s\"", argv[optind]);
    }
    return 0;
}

static bool s_write_port_file(const char *path, uint16_t port)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        return false;
    }
    fprintf(f, "%u\n", port);
    bool ok = fclose(f) == 0 && rename(tmp, path) == 0; /* readers never see a half-written file */
    return ok;
}

/* glibc gives the top of a heap back to the kernel once 128 KiB of it are free, so a server
 * whose requests each allocate and free a 100 KB body touched fresh pages (page faults, an
 * mprotect to grow the heap again) for every request: 4% of its CPU at 100 KB bodies. Kept
 * free memory is bounded (at most S_TRIM_BYTES a heap, 8 of them a core); allocations of
 * S_MMAP_BYTES and more still get their own mapping and go back at once. Setting either turns
 * glibc's own adjustment of the two off, which is why both are set. The process only: an
 * embedding program's allocator is its own business (include/bedrock/mock.h).
 * Why 4 MiB and not 1: after a load of 100 KB bodies, the journal's evictions free the last
 * chunks near each heap's top, and with 1 MiB each such free gave 1-2 MiB back to the kernel
 * (madvise, 0.3-0.7 ms on a VM) inside a request: ten of them made the p99 of sequential calls
 * (docs/benchmarks.md). The price: up to 4 MiB kept per heap, 57-70 MiB resident after
 * `make bench`'s loads instead of 47-50. */
#define S_TRIM_BYTES (4 * 1024 * 1024)
#define S_MMAP_BYTES (4 * 1024 * 1024)
static void s_tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, S_TRIM_BYTES);
    mallopt(M_MMAP_THRESHOLD, S_MMAP_BYTES);
}

int main(int argc, char **argv)
{
    s_tune_malloc();
    if (argc > 1 && strcmp(argv[1], "import-vcr") == 0) {
        return mock_vcr_main(argc - 1, argv + 1, stdout, stderr);
    }
    if (argc > 1 && strcmp(argv[1], "verify-cassettes") == 0) {
        return mock_verify_main(argc - 1, argv + 1, stdout, stderr);
    }
    struct s_cli cli = {.log_level = BRK_LOG_INFO, .log_format = BRK_LOG_TEXT};
    brk_mock_config_init(&cli.cfg);
    int rc = s_parse(&cli, argc, argv);
    if (rc) {
        return rc < 0 ? 0 : rc;
    }
    brk_log_configure(cli.log_level, cli.log_format);

    /* Block the stop signals before any thread starts, so only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Room for --max-connections descriptors; the library only warns (mock/http/fd_limit.h). */
    mock_fd_raise(mock_fd_need(cli.cfg.max_connections));
    struct brk_mock *mock = NULL;
    char err[512] = "";
    if (brk_mock_start(&cli.cfg, &mock, err, sizeof(err)) != BRK_OK) {
        fprintf(stderr, "bedrock-mock: %s\n", err);
        return 1;
    }
    const char *host = cli.cfg.host;
    bool v6 = strchr(host, ':') != NULL;
    printf("listening on http://%s%s%s:%u\n", v6 ? "[" : "", host, v6 ? "]" : "", brk_mock_port(mock));
    fflush(stdout);
    if (cli.port_file && !s_write_port_file(cli.port_file, brk_mock_port(mock))) {
        fprintf(stderr, "bedrock-mock: cannot write --port-file %s: %s\n", cli.port_file, strerror(errno));
        brk_mock_stop(mock);
        return 1;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    brk_log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    brk_mock_stop(mock);
    return 0;
}
