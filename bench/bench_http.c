/*
 * bench_http: the mock's speed over HTTP, each figure next to a baseline measured in the same
 * run (docs/benchmarks.md). The baseline is this program started as `bench_http --baseline`:
 * a libmicrohttpd server in the mock's own threading mode (a thread per connection) that reads
 * the body and answers every request with the same fixed Converse reply. So the ratio is the
 * cost of the mock's work (routing, JSON, validation, reply, journal), not of HTTP.
 *
 * Rows: Converse requests per second and p50/p99 latency (BENCH_CONNECTIONS keep-alive
 * connections for BENCH_SECONDS), start-up to first answered request, resident memory idle
 * and after the load. Environment: BRK_BIN_DIR (where bedrock-mock is), BENCH_SECONDS
 * (default 5), BENCH_CONNECTIONS (default 32). Loopback only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bedrock/clock.h"
#include "bench/bench.h"

#define S_REPLY                                                                                 \
    "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"This is a mock " \
    "response.\"}]}},\"stopReason\":\"end_turn\",\"metrics\":{\"latencyMs\":61},\"usage\":"     \
    "{\"inputTokens\":20,\"outputTokens\":7,\"totalTokens\":27}}"
#define S_MAX_SAMPLES (1u << 22)
#define S_STARTS 5

/* ---- the baseline server ------------------------------------------------------------ */

static enum MHD_Result s_fixed(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    if (!*con_cls) {
        *con_cls = conn; /* first call: headers only */
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* read and drop the body */
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(S_REPLY), (void *)S_REPLY, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static int s_baseline_main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread starts: only sigwait sees them */
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                                            NULL, s_fixed, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                            MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    if (!d) {
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", info->port);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}

/* ---- a server process under test ---------------------------------------------------- */

struct s_server {
    pid_t pid;
    uint16_t port;
};

/* Start argv[] with stdout on a pipe and wait for its "listening on http://HOST:PORT" line. */
static int s_spawn(char *const argv[], struct s_server *srv)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    srv->pid = fork();
    if (srv->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    unsigned port = 0;
    bool ok = f && fgets(line, sizeof(line), f) && sscanf(line, "listening on http://127.0.0.1:%u", &port) == 1;
    if (f) {
        fclose(f);
    }
    srv->port = (uint16_t)port;
    return ok ? 0 : -1;
}

static void s_stop(struct s_server *srv)
{
    if (srv->pid > 0) {
        kill(srv->pid, SIGTERM);
        waitpid(srv->pid, NULL, 0);
    }
    srv->pid = 0;
}

static double s_rss_mib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return (double)kb / 1024.0;
}

/* ---- a minimal keep-alive HTTP/1.1 client ------------------------------------------- */

static int s_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send one request and read its whole answer; returns the HTTP status, or -1. */
static int s_roundtrip(int fd, const char *req, size_t req_len)
{
    if (send(fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len) {
        return -1;
    }
    char buf[16384];
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    /* The status is read before the body: reading the body reuses buf. */
    int status = 0;
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
        return -1;
    }
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t body_len = cl ? strtoul(cl + 17, NULL, 10) : 0;
    size_t got = have - (size_t)(end + 4 - buf);
    while (got < body_len) {
        ssize_t n = recv(fd, buf, sizeof(buf) < body_len - got ? sizeof(buf) : body_len - got, 0);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return status;
}

static size_t s_request(char *out, size_t out_len)
{
    return (size_t)snprintf(out, out_len,
                            "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            "Authorization: %s\r\nContent-Length: %zu\r\n\r\n%s",
                            BENCH_CONVERSE_PATH, BENCH_AUTHORIZATION, strlen(BENCH_SMALL_BODY), BENCH_SMALL_BODY);
}

/* ---- load ------------------------------------------------------------------------------ */

struct s_load {
    uint16_t port;
    int64_t until_us;
    uint32_t *samples; /* latencies in microseconds, shared, appended through `n` */
    _Atomic size_t n;
    _Atomic uint64_t errors;
};

static void *s_worker(void *arg)
{
    struct s_load *l = arg;
    char req[1024];
    size_t req_len = s_request(req, sizeof(req));
    int fd = s_connect(l->port);
    while (fd >= 0 && brk_clock_monotonic_us() < l->until_us) {
        int64_t t0 = brk_clock_monotonic_us();
        int status = s_roundtrip(fd, req, req_len);
        int64_t dt = brk_clock_monotonic_us() - t0;
        if (status != 200) {
            atomic_fetch_add(&l->errors, 1);
            close(fd);
            fd = s_connect(l->port);
            continue;
        }
        size_t i = atomic_fetch_add(&l->n, 1);
        if (i < S_MAX_SAMPLES) {
            l->samples[i] = (uint32_t)(dt > UINT32_MAX ? UINT32_MAX : dt);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

static int s_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

struct s_result {
    double rps, p50_us, p99_us;
    uint64_t errors;
};

static struct s_result s_run_load(uint16_t port, unsigned conns, unsigned seconds)
{
    struct s_load l = {.port = port, .samples = malloc(S_MAX_SAMPLES * sizeof(uint32_t))};
    pthread_t th[256];
    conns = conns > 256 ? 256 : conns;
    int64_t t0 = brk_clock_monotonic_us();
    l.until_us = t0 + (int64_t)seconds * 1000000;
    for (unsigned i = 0; i < conns; i++) {
        pthread_create(&th[i], NULL, s_worker, &l);
    }
    for (unsigned i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
    }
    double elapsed = (double)(brk_clock_monotonic_us() - t0) / 1e6;
    size_t n = atomic_load(&l.n);
    size_t kept = n < S_MAX_SAMPLES ? n : S_MAX_SAMPLES;
    qsort(l.samples, kept, sizeof(uint32_t), s_u32_cmp);
    struct s_result r = {.rps = (double)n / elapsed, .errors = atomic_load(&l.errors)};
    r.p50_us = kept ? l.samples[kept / 2] : 0;
    r.p99_us = kept ? l.samples[kept * 99 / 100] : 0;
    free(l.samples);
    return r;
}

/* ---- the figures ---------------------------------------------------------------------- */

/* Milliseconds from fork to the first answered Converse request; median of S_STARTS. */
static double s_startup_ms(char *const argv[])
{
    double ms[S_STARTS];
    char req[1024];
    size_t req_len = s_request(req, sizeof(req));
    for (int i = 0; i < S_STARTS; i++) {
        struct s_server srv = {0};
        int64_t t0 = brk_clock_monotonic_us();
        ms[i] = -1;
        if (s_spawn(argv, &srv) == 0) {
            int fd = s_connect(srv.port);
            if (fd >= 0 && s_roundtrip(fd, req, req_len) == 200) {
                ms[i] = (double)(brk_clock_monotonic_us() - t0) / 1000.0;
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        s_stop(&srv);
    }
    for (int i = 1; i < S_STARTS; i++) { /* insertion sort of five numbers */
        for (int j = i; j > 0 && ms[j] < ms[j - 1]; j--) {
            double t = ms[j];
            ms[j] = ms[j - 1];
            ms[j - 1] = t;
        }
    }
    return ms[S_STARTS / 2];
}

struct s_side {
    double startup_ms, rss_idle, rss_loaded;
    struct s_result load;
};

static int s_measure(char *const argv[], unsigned conns, unsigned seconds, struct s_side *out)
{
    out->startup_ms = s_startup_ms(argv);
    struct s_server srv = {0};
    if (s_spawn(argv, &srv) != 0) {
        fprintf(stderr, "bench_http: cannot start %s\n", argv[0]);
        return -1;
    }
    char req[1024];
    size_t req_len = s_request(req, sizeof(req));
    int fd = s_connect(srv.port);
    int status = fd >= 0 ? s_roundtrip(fd, req, req_len) : -1;
    if (fd >= 0) {
        close(fd);
    }
    usleep(200 * 1000);
    out->rss_idle = s_rss_mib(srv.pid);
    s_run_load(srv.port, conns, 1); /* warm-up */
    out->load = s_run_load(srv.port, conns, seconds);
    out->rss_loaded = s_rss_mib(srv.pid);
    s_stop(&srv);
    return status == 200 ? 0 : -1;
}

static void s_row(const char *name, double value, const char *unit, double base, int digits)
{
    printf("%s\t%.*f\t%s\t%.*f\t%.2f\n", name, digits, value, unit, digits, base, base > 0 ? value / base : 0.0);
}

static unsigned s_env(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? (unsigned)atoi(v) : dflt;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--baseline") == 0) {
        return s_baseline_main();
    }
    signal(SIGPIPE, SIG_IGN);
    const char *dir = getenv("BRK_BIN_DIR");
    char mock_bin[4096], self[4096];
    snprintf(mock_bin, sizeof(mock_bin), "%s/bedrock-mock", dir ? dir : "build/bin");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    char a_port[] = "--port", a_zero[] = "0", a_log[] = "--log-level", a_error[] = "error", a_base[] = "--baseline";
    char *mock_argv[] = {mock_bin, a_port, a_zero, a_log, a_error, NULL};
    char *base_argv[] = {self, a_base, NULL};
    unsigned conns = s_env("BENCH_CONNECTIONS", 32), seconds = s_env("BENCH_SECONDS", 5);
    struct s_side base = {0}, mock = {0};
    if (s_measure(base_argv, conns, seconds, &base) != 0 || s_measure(mock_argv, conns, seconds, &mock) != 0) {
        return 1;
    }
    char name[128];
    snprintf(name, sizeof(name), "converse throughput (%u conns, %us)", conns, seconds);
    s_row(name, mock.load.rps, "req/s", base.load.rps, 0);
    s_row("converse latency p50", mock.load.p50_us, "us", base.load.p50_us, 0);
    s_row("converse latency p99", mock.load.p99_us, "us", base.load.p99_us, 0);
    s_row("converse non-200 answers during load", (double)mock.load.errors, "count", (double)base.load.errors, 0);
    s_row("start-up to first answered request", mock.startup_ms, "ms", base.startup_ms, 1);
    s_row("resident memory idle", mock.rss_idle, "MiB", base.rss_idle, 1);
    s_row("resident memory after load", mock.rss_loaded, "MiB", base.rss_loaded, 1);
    return 0;
}
