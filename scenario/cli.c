/*
 * cli.c: the bedrock-scenario command line (docs/scenarios.md, "Subcommands"): run, exec,
 * serve, check and validate, each with --help. scn_cli is the whole program (main.c calls it),
 * so the tests drive it in-process as well as through the binary.
 *
 * Exit statuses: 0 all passed (skips included), 1 an expectation failed or a scenario could not
 * run, 2 a usage error or a file that does not load.
 *
 * Thread-safety: run --jobs N runs scenarios on N threads, each with its own mock and client;
 * the loaded scenarios are shared read-only and each thread writes only its own results.
 */
#include <curl/curl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/log.h"
#include "scenario/cli.h"
#include "scenario/scenario.h"

#define S_MAX_JOBS 64

static const char s_usage[] =
    "usage: bedrock-scenario COMMAND [OPTIONS] ...\n"
    "\n"
    "Declarative Bedrock scenarios, checked offline against an embedded bedrock-mock\n"
    "(docs/scenarios.md).\n"
    "\n"
    "commands:\n"
    "  run FILE|DIR...             run scenarios, each in a fresh embedded mock\n"
    "  exec FILE -- COMMAND...     run COMMAND against a mock set up by FILE, check its journal\n"
    "  serve FILE                  start a mock set up by FILE and print BEDROCK_MOCK_URL=...\n"
    "  check FILE --endpoint URL   check FILE's top-level expect against a running mock\n"
    "  validate FILE|DIR...        load files and report every mistake\n"
    "\n"
    "`bedrock-scenario COMMAND --help` explains each, with examples.\n";

static const char s_run_help[] =
    "usage: bedrock-scenario run [--tap] [--junit FILE] [--filter GLOB] [--jobs N] [--seed N]\n"
    "                            [--endpoint URL] FILE|DIR...\n"
    "\n"
    "Run each scenario (a DIR is walked for *.json, schema.json excluded) in a fresh embedded\n"
    "mock on a free port, with a virtual clock shared by the mock and the client.\n"
    "\n"
    "  --tap            TAP version 13 on stdout (one test point per step) instead of text\n"
    "  --junit FILE     also write JUnit XML to FILE\n"
    "  --filter GLOB    only scenarios whose name or path matches GLOB (fnmatch)\n"
    "  --jobs N         run N scenarios at once (default 1)\n"
    "  --seed N         seed of scenarios without mock.seed (default 1)\n"
    "  --endpoint URL   call URL (an external mock, real Bedrock) instead; mock-only\n"
    "                   expectations and mock actions are reported as skipped\n"
    "\n"
    "examples:\n"
    "  bedrock-scenario run scenarios/\n"
    "  bedrock-scenario run --jobs 2 --filter 'retries/*' --junit build/scenarios.xml scenarios/\n"
    "  bedrock-scenario run --tap scenarios/streaming/text-deltas.json\n";

static const char s_exec_help[] =
    "usage: bedrock-scenario exec FILE [--port N] -- COMMAND [ARG...]\n"
    "\n"
    "Start a mock with FILE's `mock` setup, run COMMAND with AWS_ENDPOINT_URL_BEDROCK_RUNTIME,\n"
    "BEDROCK_MOCK_URL, AWS_REGION, AWS_DEFAULT_REGION and credentials (AWS_ACCESS_KEY_ID,\n"
    "AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK for an API key) exported, then check\n"
    "FILE's top-level expect against what COMMAND sent. Exit non-zero when COMMAND failed or\n"
    "an expectation did.\n"
    "\n"
    "examples:\n"
    "  bedrock-scenario exec scenarios/exec/throttle-once.json -- python3 app.py\n"
    "  bedrock-scenario exec scenarios/exec/throttle-once.json -- sh -c 'curl --retry 2 ...'\n";

static const char s_serve_help[] =
    "usage: bedrock-scenario serve FILE [--port N] [--stdin-eof]\n"
    "\n"
    "Start a mock with FILE's `mock` setup, print one line BEDROCK_MOCK_URL=http://127.0.0.1:PORT,\n"
    "and serve until SIGINT or SIGTERM (with --stdin-eof, also until standard input closes).\n"
    "--port 0 (the default) picks a free port.\n"
    "\n"
    "example:\n"
    "  bedrock-scenario serve scenarios/exec/throttle-once.json --stdin-eof\n";

static const char s_check_help[] =
    "usage: bedrock-scenario check FILE --endpoint URL\n"
    "\n"
    "Check FILE's top-level expect against the journal of the mock at URL (bedrock-scenario\n"
    "serve, or bedrock-mock). Exit 0 when every expectation holds.\n"
    "\n"
    "example:\n"
    "  bedrock-scenario check scenarios/exec/throttle-once.json --endpoint http://127.0.0.1:8787\n";

static const char s_validate_help[] =
    "usage: bedrock-scenario validate FILE|DIR...\n"
    "\n"
    "Load the files and report every mistake (file, JSON path, problem); run nothing.\n"
    "\n"
    "example:\n"
    "  bedrock-scenario validate scenarios/\n";

/* ---- loading several files --------------------------------------------------------------- */

struct s_set {
    struct scenario **items;
    size_t n;
};

static void s_set_clean_up(struct s_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        scn_destroy(set->items[i]);
    }
    brk_free(set->items);
}

/* Load every file the arguments name; mistakes go to errout. False when any file failed. */
static bool s_load_all(char *const *args, size_t n_args, struct s_set *set, FILE *errout)
{
    struct scn_diags d = {0};
    char **paths = NULL;
    size_t n = 0;
    bool ok = scn_collect_paths(args, n_args, &paths, &n, &d) == BRK_OK;
    set->items = ok && n ? brk_calloc(n, sizeof(*set->items)) : NULL;
    set->n = 0;
    for (size_t i = 0; set->items && i < n; i++) {
        struct scenario *sc = NULL;
        ok = scn_load_file(paths[i], &sc, &d) == BRK_OK && ok;
        if (sc) {
            set->items[set->n++] = sc;
        }
    }
    for (size_t i = 0; i < d.n; i++) {
        fprintf(errout, "%s\n", d.lines[i]);
    }
    if (d.dropped) {
        fprintf(errout, "… and %zu more mistakes\n", d.dropped);
    }
    scn_diags_clean_up(&d);
    scn_free_paths(paths, n);
    return ok && (n == 0 || set->items);
}

/* ---- run ------------------------------------------------------------------------------------ */

struct s_run_opts {
    bool tap;
    const char *junit;
    const char *filter;
    unsigned jobs;
    struct scn_run_opts run;
};

struct s_pool {
    struct scenario **todo;
    struct scn_result *results;
    size_t n;
    atomic_size_t next;
    const struct scn_run_opts *opts;
};

static void *s_worker(void *arg)
{
    struct s_pool *pool = arg;
    for (size_t i; (i = atomic_fetch_add(&pool->next, 1)) < pool->n;) {
        scn_run(pool->todo[i], pool->opts, &pool->results[i]);
    }
    return NULL;
}

static void s_run_all(struct s_pool *pool, unsigned jobs)
{
    pthread_t threads[S_MAX_JOBS];
    unsigned started = 0;
    for (unsigned j = 1; j < jobs && j < pool->n; j++) {
        started += pthread_create(&threads[started], NULL, s_worker, pool) == 0;
    }
    s_worker(pool);
    for (unsigned j = 0; j < started; j++) {
        pthread_join(threads[j], NULL);
    }
}

static size_t s_filter(const struct s_set *set, const char *glob, struct scenario **out)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (!glob || fnmatch(glob, set->items[i]->name, 0) == 0 || fnmatch(glob, set->items[i]->path, 0) == 0) {
            out[n++] = set->items[i];
        }
    }
    return n;
}

static int s_report(const struct s_run_opts *o, const struct scn_result *results, size_t n, FILE *out, FILE *errout)
{
    struct scn_summary sum;
    if (o->tap) {
        scn_report_tap(out, results, n, &sum);
    } else {
        scn_report_text(out, results, n, &sum);
    }
    fflush(out);
    if (o->junit && scn_report_junit(o->junit, results, n) != BRK_OK) {
        fprintf(errout, "bedrock-scenario: cannot write %s\n", o->junit);
        return 1;
    }
    return sum.failed ? 1 : 0;
}

static int s_run_loaded(const struct s_run_opts *o, const struct s_set *set, FILE *out, FILE *errout)
{
    struct s_pool pool = {.opts = &o->run};
    pool.todo = brk_calloc(set->n + 1, sizeof(*pool.todo));
    pool.results = brk_calloc(set->n + 1, sizeof(*pool.results));
    if (!pool.todo || !pool.results) {
        brk_free(pool.todo);
        brk_free(pool.results);
        fprintf(errout, "bedrock-scenario: out of memory\n");
        return 1;
    }
    pool.n = s_filter(set, o->filter, pool.todo);
    if (pool.n == 0) { /* a typo in --filter or an empty folder must not pass silently */
        fprintf(errout, "bedrock-scenario run: no scenario to run%s\n", o->filter ? " (--filter matched none)" : "");
        brk_free(pool.todo);
        brk_free(pool.results);
        return 1;
    }
    atomic_init(&pool.next, 0);
    s_run_all(&pool, o->jobs);
    int rc = s_report(o, pool.results, pool.n, out, errout);
    for (size_t i = 0; i < pool.n; i++) {
        scn_result_clean_up(&pool.results[i]);
    }
    brk_free(pool.todo);
    brk_free(pool.results);
    return rc;
}

static bool s_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (!text[0] || *end || text[0] == '-' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int s_usage_error(FILE *errout, const char *cmd, const char *what, const char *arg)
{
    fprintf(errout, "bedrock-scenario %s: %s%s%s\n(bedrock-scenario %s --help for the options)\n", cmd, what,
            arg ? " " : "", arg ? arg : "", cmd);
    return 2;
}

static int s_run_option(int opt, struct s_run_opts *o, FILE *out, FILE *errout)
{
    uint64_t v = 0;
    switch (opt) {
    case 't':
        o->tap = true;
        return 0;
    case 'J':
        o->junit = optarg;
        return 0;
    case 'f':
        o->filter = optarg;
        return 0;
    case 'e':
        o->run.endpoint = optarg;
        return 0;
    case 'j':
        if (!s_parse_u64(optarg, S_MAX_JOBS, &v) || v == 0) {
            return s_usage_error(errout, "run", "--jobs takes a number from 1 to 64, not", optarg);
        }
        o->jobs = (unsigned)v;
        return 0;
    case 's':
        if (!s_parse_u64(optarg, UINT64_MAX, &o->run.seed)) {
            return s_usage_error(errout, "run", "--seed takes a number, not", optarg);
        }
        o->run.has_seed = true;
        return 0;
    case 'h':
        fputs(s_run_help, out);
        return -1;
    default:
        return s_usage_error(errout, "run", "unknown option", NULL);
    }
}

static int s_cmd_run(int argc, char **argv, FILE *out, FILE *errout)
{
    static const struct option opts[] = {
        {"tap", no_argument, NULL, 't'},          {"junit", required_argument, NULL, 'J'},
        {"filter", required_argument, NULL, 'f'}, {"jobs", required_argument, NULL, 'j'},
        {"seed", required_argument, NULL, 's'},   {"endpoint", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    struct s_run_opts o = {.jobs = 1};
    int opt, rc;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if ((rc = s_run_option(opt, &o, out, errout)) != 0) {
            return rc < 0 ? 0 : rc;
        }
    }
    if (optind >= argc) {
        return s_usage_error(errout, "run", "name at least one FILE or DIR", NULL);
    }
    struct s_set set = {0};
    rc = s_load_all(argv + optind, (size_t)(argc - optind), &set, errout) ? s_run_loaded(&o, &set, out, errout) : 2;
    s_set_clean_up(&set);
    return rc;
}

/* ---- validate -------------------------------------------------------------------------------- */

static int s_cmd_validate(int argc, char **argv, FILE *out, FILE *errout)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(s_validate_help, out);
        return 0;
    }
    if (argc < 2) {
        return s_usage_error(errout, "validate", "name at least one FILE or DIR", NULL);
    }
    struct s_set set = {0};
    bool ok = s_load_all(argv + 1, (size_t)(argc - 1), &set, errout);
    if (ok) {
        fprintf(out, "%zu scenario%s valid\n", set.n, set.n == 1 ? "" : "s");
    }
    s_set_clean_up(&set);
    return ok ? 0 : 2;
}

/* ---- the entry point ---------------------------------------------------------------------------- */

int scn_cli(int argc, char **argv, FILE *out, FILE *errout)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **, FILE *, FILE *);
    } cmds[] = {{"run", s_cmd_run},
                {"validate", s_cmd_validate},
                {"exec", scn_cmd_exec},
                {"serve", scn_cmd_serve},
                {"check", scn_cmd_check}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(s_usage, argc < 2 ? errout : out);
        return argc < 2 ? 2 : 0;
    }
    brk_log_configure(BRK_LOG_ERROR, BRK_LOG_TEXT);
    optind = 0; /* getopt from scratch: scn_cli may run more than once in a process (tests) */
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            return cmds[i].fn(argc - 1, argv + 1, out, errout);
        }
    }
    fprintf(errout, "bedrock-scenario: unknown command '%s'\n\n%s", argv[1], s_usage);
    return 2;
}

const char *scn_help_text(const char *cmd)
{
    return strcmp(cmd, "exec") == 0    ? s_exec_help
           : strcmp(cmd, "serve") == 0 ? s_serve_help
           : strcmp(cmd, "check") == 0 ? s_check_help
                                       : s_usage;
}
