/*
 * exec.c: the commands that let any program be the client (docs/scenarios.md): `exec` starts
 * the scenario's mock, runs a command with the endpoint, region and credentials in its
 * environment, then checks the top-level expect against the journal; `serve` starts the mock and
 * waits for a signal (or standard input's end); `check` checks the top-level expect against a
 * running mock. exec = serve + the command + check.
 *
 * The command runs with execvpe and an environment built before fork, so the child calls no
 * allocator between fork and exec (the mock's threads may hold its locks).
 *
 * Thread-safety: serve blocks SIGINT and SIGTERM in every thread (the mask is set before the
 * mock's threads start) and takes them with sigwait.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/json.h"
#include "scenario/cli.h"
#include "scenario/scenario.h"

extern char **environ;

#define S_MAX_ENV 4096

static struct scenario *s_load_one(const char *path, FILE *errout)
{
    struct scn_diags d = {0};
    struct scenario *sc = NULL;
    scn_load_file(path, &sc, &d);
    for (size_t i = 0; i < d.n; i++) {
        fprintf(errout, "%s\n", d.lines[i]);
    }
    scn_diags_clean_up(&d);
    return sc;
}

static int s_usage_error(FILE *errout, const char *cmd, const char *what)
{
    fprintf(errout, "bedrock-scenario %s: %s\n(bedrock-scenario %s --help for the options)\n", cmd, what, cmd);
    return 2;
}

static bool s_port(const char *text, uint16_t *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    *out = (uint16_t)v;
    return text[0] && !*end && v >= 0 && v <= 65535;
}

/* The top-level expect against the journal at url, as a step of `r`. */
/* Check the top-level expect against the journal at `url`; r->summary says how many checks. */
static void s_check_top(const struct scenario *sc, const char *url, struct scn_result *r)
{
    struct scn_step_result *res = scn_result_add_step(r, "expect");
    const cJSON *expect = brk_json_get(sc->root, "expect");
    int checks = cJSON_GetArraySize(brk_json_get(expect, "journal")) + cJSON_GetArraySize(brk_json_get(expect, "sent"));
    snprintf(r->summary, sizeof(r->summary), "journal checks: %d", checks);
    if (!res) {
        return;
    }
    if (!expect) {
        res->outcome = SCN_SKIP;
        scn_step_note(res, "expect: skipped: the scenario has no top-level expect");
        return;
    }
    char err[512] = "";
    uint64_t seq = 0;
    cJSON *all = scn_journal_since(url, 0, &seq, err, sizeof(err));
    if (!all) {
        scn_step_fail(res, "%s", err);
        return;
    }
    scn_expect_top(expect, all, res);
    cJSON_Delete(all);
}

static int s_finish(struct scn_result *r, FILE *out)
{
    struct scn_summary sum;
    r->outcome = SCN_PASS;
    for (size_t i = 0; i < r->n_steps; i++) {
        r->outcome = r->steps[i].outcome == SCN_FAIL ? SCN_FAIL : r->outcome;
    }
    scn_report_text(out, r, 1, &sum);
    fflush(out);
    int rc = r->outcome == SCN_FAIL ? 1 : 0;
    scn_result_clean_up(r);
    return rc;
}

/* ---- exec ------------------------------------------------------------------------------------ */

struct s_env {
    char *vars[S_MAX_ENV];
    size_t n;
    char *owned[16];
    size_t n_owned;
};

static void s_env_set(struct s_env *e, const char *name, const char *value)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < e->n; i++) {
        if (strncmp(e->vars[i], name, len) == 0 && e->vars[i][len] == '=') {
            e->vars[i] = e->vars[--e->n]; /* drop the inherited value */
            break;
        }
    }
    if (!value || e->n_owned >= sizeof(e->owned) / sizeof(e->owned[0]) || e->n + 1 >= S_MAX_ENV) {
        return;
    }
    char *var = brk_malloc(len + strlen(value) + 2);
    if (var) {
        sprintf(var, "%s=%s", name, value);
        e->owned[e->n_owned++] = var;
        e->vars[e->n++] = var;
    }
}

static void s_env_build(const struct scenario *sc, const char *url, struct s_env *e)
{
    e->n = e->n_owned = 0;
    for (char **v = environ; *v && e->n + 1 < S_MAX_ENV - 16; v++) {
        e->vars[e->n++] = *v;
    }
    const cJSON *client = brk_json_get(sc->root, "client"), *region = brk_json_get(client, "region");
    const cJSON *retry = brk_json_get(client, "retry");
    const cJSON *mode = brk_json_get(retry, "mode"), *max = brk_json_get(retry, "max_attempts");
    const char *r = cJSON_IsString(region) ? region->valuestring : "us-east-1";
    struct scn_auth auth;
    scn_auth_of(sc, &auth);
    char attempts[32];
    snprintf(attempts, sizeof(attempts), "%llu", (unsigned long long)brk_json_count(max, 0));
    s_env_set(e, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url);
    s_env_set(e, "BEDROCK_MOCK_URL", url);
    s_env_set(e, "AWS_REGION", r);
    s_env_set(e, "AWS_DEFAULT_REGION", r);
    s_env_set(e, "AWS_ACCESS_KEY_ID", auth.access_key_id);
    s_env_set(e, "AWS_SECRET_ACCESS_KEY", auth.secret_access_key);
    s_env_set(e, "AWS_SESSION_TOKEN", auth.session_token);
    s_env_set(e, "AWS_BEARER_TOKEN_BEDROCK", auth.api_key);
    if (cJSON_IsString(mode)) {
        s_env_set(e, "AWS_RETRY_MODE", mode->valuestring);
    }
    if (max) {
        s_env_set(e, "AWS_MAX_ATTEMPTS", attempts);
    }
    e->vars[e->n] = NULL;
}

static void s_env_clean_up(struct s_env *e)
{
    for (size_t i = 0; i < e->n_owned; i++) {
        brk_free(e->owned[i]);
    }
}

/* Run the command; its exit status (128 + N for a signal, 127 when it could not start). */
static int s_spawn(char **cmd, struct s_env *env, FILE *out)
{
    fflush(out);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        execvpe(cmd[0], cmd, env->vars);
        static const char msg[] = "bedrock-scenario exec: cannot run the command\n";
        ssize_t ignored = write(2, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(127);
    }
    if (pid < 0) {
        return 127;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int s_exec_run(const struct scenario *sc, uint16_t port, char **cmd, FILE *out, FILE *errout)
{
    int64_t t0 = brk_clock_monotonic_ms();
    struct scn_mock m;
    char err[1024] = "";
    if (scn_mock_start(sc, scn_seed(sc, NULL), port, 0, &m, err, sizeof(err)) != BRK_OK) {
        fprintf(errout, "bedrock-scenario exec: the mock did not start: %s\n", err);
        return 1;
    }
    struct s_env *env = brk_calloc(1, sizeof(*env));
    if (!env) {
        scn_mock_stop(&m);
        return 1;
    }
    s_env_build(sc, m.url, env);
    int status = s_spawn(cmd, env, out);
    s_env_clean_up(env);
    brk_free(env);
    struct scn_result r = {.sc = sc};
    struct scn_step_result *res = scn_result_add_step(&r, "command");
    if (res && status != 0) {
        scn_step_fail(res, "the command exited with status %d", status);
    } else if (res) {
        scn_step_note(res, "the command exited with status 0");
    }
    s_check_top(sc, m.url, &r);
    size_t n = strlen(r.summary);
    snprintf(r.summary + n, sizeof(r.summary) - n, ", command exit %d", status);
    r.wall_ms = brk_clock_monotonic_ms() - t0;
    scn_mock_stop(&m);
    return s_finish(&r, out);
}

/* exec's arguments: FILE, --port N anywhere before the command, then "--" and the command. */
static int s_exec_args(int argc, char **argv, FILE *out, FILE *errout, uint16_t *port, int *file, int *cmd)
{
    *file = *cmd = -1;
    for (int i = 1; i < argc && *cmd < 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(scn_help_text("exec"), out);
            return 0;
        }
        if (strcmp(a, "--port") == 0) {
            if (++i >= argc || !s_port(argv[i], port)) {
                return s_usage_error(errout, "exec", "--port takes 0 to 65535");
            }
        } else if (strcmp(a, "--") == 0) {
            *cmd = i + 1;
        } else if (a[0] == '-') {
            return s_usage_error(errout, "exec", "unknown option (the command goes after \"--\")");
        } else if (*file < 0) {
            *file = i;
        } else {
            *cmd = i;
        }
    }
    if (*file < 0 || *cmd < 0 || *cmd >= argc) {
        return s_usage_error(errout, "exec", "expected FILE -- COMMAND [ARG...]");
    }
    return -1;
}

int scn_cmd_exec(int argc, char **argv, FILE *out, FILE *errout)
{
    uint16_t port = 0;
    int file = -1, cmd = -1;
    int rc = s_exec_args(argc, argv, out, errout, &port, &file, &cmd);
    if (rc >= 0) {
        return rc;
    }
    struct scenario *sc = s_load_one(argv[file], errout);
    if (!sc) {
        return 2;
    }
    rc = s_exec_run(sc, port, argv + cmd, out, errout);
    scn_destroy(sc);
    return rc;
}

/* ---- serve ----------------------------------------------------------------------------------- */

static void *s_stdin_watch(void *arg)
{
    char buf[256];
    (void)arg;
    while (read(0, buf, sizeof(buf)) > 0) {
    }
    kill(getpid(), SIGTERM);
    return NULL;
}

static int s_serve(const struct scenario *sc, uint16_t port, bool stdin_eof, FILE *out, FILE *errout)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old); /* before the mock's threads start: they inherit it */
    struct scn_mock m;
    char err[1024] = "";
    int rc = 0;
    if (scn_mock_start(sc, scn_seed(sc, NULL), port, 0, &m, err, sizeof(err)) != BRK_OK) {
        fprintf(errout, "bedrock-scenario serve: the mock did not start: %s\n", err);
        rc = 1;
    } else {
        fprintf(out, "BEDROCK_MOCK_URL=%s\n", m.url);
        fflush(out);
        pthread_t watcher;
        bool watching = stdin_eof && pthread_create(&watcher, NULL, s_stdin_watch, NULL) == 0;
        int sig = 0;
        sigwait(&set, &sig);
        if (watching) { /* a signal came first: stop the watcher in its read (a cancellation point) */
            pthread_cancel(watcher);
            pthread_join(watcher, NULL);
        }
        scn_mock_stop(&m);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int scn_cmd_serve(int argc, char **argv, FILE *out, FILE *errout)
{
    static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                         {"stdin-eof", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    uint16_t port = 0;
    bool stdin_eof = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(scn_help_text("serve"), out);
            return 0;
        }
        if (opt == 'i') {
            stdin_eof = true;
        } else if (opt != 'p' || !s_port(optarg, &port)) {
            return s_usage_error(errout, "serve", opt == 'p' ? "--port takes 0 to 65535" : "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return s_usage_error(errout, "serve", "expected one FILE");
    }
    struct scenario *sc = s_load_one(argv[optind], errout);
    int rc = sc ? s_serve(sc, port, stdin_eof, out, errout) : 2;
    scn_destroy(sc);
    return rc;
}

/* ---- check ----------------------------------------------------------------------------------- */

int scn_cmd_check(int argc, char **argv, FILE *out, FILE *errout)
{
    static const struct option opts[] = {{"endpoint", required_argument, NULL, 'e'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *endpoint = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(scn_help_text("check"), out);
            return 0;
        }
        if (opt != 'e') {
            return s_usage_error(errout, "check", "unknown option");
        }
        endpoint = optarg;
    }
    if (optind + 1 != argc || !endpoint) {
        return s_usage_error(errout, "check", "expected FILE --endpoint URL");
    }
    struct scenario *sc = s_load_one(argv[optind], errout);
    if (!sc) {
        return 2;
    }
    int64_t t0 = brk_clock_monotonic_ms();
    struct scn_result r = {.sc = sc};
    char url[512];
    snprintf(url, sizeof(url), "%s", endpoint);
    size_t len = strlen(url);
    url[len && url[len - 1] == '/' ? len - 1 : len] = '\0';
    s_check_top(sc, url, &r);
    r.wall_ms = brk_clock_monotonic_ms() - t0;
    int rc = s_finish(&r, out);
    scn_destroy(sc);
    return rc;
}
