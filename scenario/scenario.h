/*
 * scenario.h: bedrock-scenario's internals (docs/scenarios.md): the loaded scenario, the strict
 * loader's diagnostics, matchers, the embedded mock and its admin API, one scenario's run and
 * its results, and the reports.
 *
 * Layers: scenario/ sees the public API (include/bedrock/) and common/ only, never mock/ or
 * client/ internals (scripts/check-layers.sh). A scenario is a validated cJSON tree: the loader
 * checks every member once, so the runner reads the tree without re-checking types.
 *
 * Ownership: each _new/_load returns an object the caller frees with its _destroy / _clean_up.
 * Thread-safety: a loaded scenario is read-only and may be run by several threads at once; every
 * other object belongs to one thread (run --jobs gives each scenario its own mock and client).
 */
#ifndef BEDROCK_SCENARIO_H
#define BEDROCK_SCENARIO_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bedrock/buf.h"
#include "bedrock/client.h"
#include "bedrock/clock.h"
#include "bedrock/mock.h"
#include "bedrock/status.h"

/* ---- diagnostics: a bounded list of lines ----------------------------------------------- */

#define SCN_MAX_DIAGS 200 /* a file with more mistakes reports the first 200 and a count */

struct scn_diags {
    char **lines;
    size_t n;
    size_t cap;
    size_t dropped; /* lines past SCN_MAX_DIAGS */
};

void scn_diags_add(struct scn_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scn_diags_clean_up(struct scn_diags *d);

/* ---- the scenario --------------------------------------------------------------------- */

struct scenario {
    char *path;       /* the file, as given */
    char *dir;        /* its folder, for mock.models.catalogue */
    cJSON *root;      /* the validated document */
    const char *name; /* borrowed from root */
};

/* Load and validate `len` bytes of `text` read from `path`: every mistake is added to `diags`
 * as "PATH: JSON.PATH: problem". BRK_OK and *out set only when there was none. */
enum brk_status scn_load_text(const char *path, const char *text, size_t len, struct scenario **out,
                              struct scn_diags *diags);
enum brk_status scn_load_file(const char *path, struct scenario **out, struct scn_diags *diags);
void scn_destroy(struct scenario *sc);

/* A validated step's action member ("converse", "advance_clock_ms", ...); *n receives how many
 * action members the step has (1 once validated). */
const char *scn_step_action(const cJSON *step, int *n);
/* Whether an action is a call (converse, converse_stream, count_tokens), not a mock action. */
bool scn_action_is_call(const char *action);

/* Every *.json under each argument (a file is taken as it is; schema.json is skipped in
 * folders), sorted by path within a folder. Errors (an unreadable path) go to diags. */
enum brk_status scn_collect_paths(char *const *args, size_t n_args, char ***paths_out, size_t *n_out,
                                  struct scn_diags *diags);
void scn_free_paths(char **paths, size_t n);

/* ---- matchers and pointers (match.c) ------------------------------------------------- */

/* RFC 6901; NULL when the pointer names nothing. "" is the root. */
const cJSON *scn_pointer(const cJSON *root, const char *pointer);
/* True when `pointer` is "" or starts with '/' and its escapes are ~0 / ~1 only. */
bool scn_pointer_valid(const char *pointer);

/* Whether `actual` (NULL: absent) satisfies `matcher`; on a mismatch `why` gets
 * "expected …, got …". */
bool scn_match(const cJSON *matcher, const cJSON *actual, char *why, size_t why_len);
/* Load-time check of a matcher: NULL when fine, else a static description of the problem
 * (the regex's own message goes to `detail`). */
const char *scn_matcher_problem(const cJSON *matcher, char *detail, size_t detail_len);
/* `item` as compact JSON, cut to fit `out` (with "…"); "nothing" for NULL. */
void scn_json_brief(const cJSON *item, char *out, size_t out_len);

/* ---- the mock and its admin API (mock.c) ------------------------------------------------ */

struct scn_http_answer {
    long status; /* 0 when the request failed */
    struct brk_buf body;
    char error[256];
};

/* METHOD url with an optional JSON body; the answer body is bounded (64 MiB). */
void scn_http(const char *method, const char *url, const char *body, struct scn_http_answer *out);
void scn_http_answer_clean_up(struct scn_http_answer *a);

struct scn_mock {
    struct brk_mock *mock;
    struct brk_clock *clock; /* shared with the client; owned here */
    char url[80];            /* http://127.0.0.1:PORT */
};

/* `run`'s virtual clock starts here unless mock.clock.start says otherwise: a fixed epoch, so
 * time-dependent waits (adaptive mode's CUBIC) are the same in every run. 2030-01-01T00:00:00Z. */
#define SCN_RUN_CLOCK_START_MS INT64_C(1893456000000)

/* Start a mock with the scenario's `mock` setup on `port` (0: free), its clock owned by `m`.
 * A virtual clock starts at mock.clock.start, else at `default_start_ms` (0: the real time,
 * as exec and serve need: the programs they run sign SigV4 with the real time). Problems go to
 * `err`. */
enum brk_status scn_mock_start(const struct scenario *sc, uint64_t seed, uint16_t port, int64_t default_start_ms,
                               struct scn_mock *m, char *err, size_t err_len);
/* Post rules, quotas and application profiles (start and after a reset). */
enum brk_status scn_mock_setup(const struct scenario *sc, const char *url, char *err, size_t err_len);
void scn_mock_stop(struct scn_mock *m);
/* One admin call (METHOD url+path, `item` as the body); a non-2xx answer is an error carrying
 * the mock's message. */
enum brk_status scn_mock_action(const char *url, const char *method, const char *path, const cJSON *item, char *err,
                                size_t err_len);

/* The journal entries with seq > since (the whole journal for 0), as a new array (NULL on
 * failure, with err). *max_seq receives the newest seq seen (or `since`). */
cJSON *scn_journal_since(const char *url, uint64_t since, uint64_t *max_seq, char *err, size_t err_len);

/* ---- results -------------------------------------------------------------------------- */

enum scn_outcome { SCN_PASS = 0, SCN_FAIL, SCN_SKIP };

struct scn_step_result {
    char *label; /* steps[2] "name" */
    enum scn_outcome outcome;
    struct scn_diags failures; /* "expect.attempts: expected 2, got 3" */
    struct scn_diags notes;    /* skipped expectations with the reason; the skip reason of a step */
};

struct scn_result {
    const struct scenario *sc;
    enum scn_outcome outcome;
    char *error; /* a scenario that could not run (the mock would not start) */
    struct scn_step_result *steps;
    size_t n_steps;
    int64_t wall_ms;
    char summary[96]; /* exec/check: what was checked ("journal checks: 3, command exit 0"), shown
                       * instead of the step count; "" for run */
};

struct scn_step_result *scn_result_add_step(struct scn_result *r, const char *label);
void scn_result_clean_up(struct scn_result *r);
void scn_step_fail(struct scn_step_result *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scn_step_note(struct scn_step_result *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- expectations (expect.c) ------------------------------------------------------------ */

/* What one call produced. */
struct scn_observed {
    enum brk_status status;
    struct brk_error err;
    cJSON *response;  /* Converse-shaped answer, {"inputTokens": N}, or NULL */
    cJSON *events;    /* stream: array of event names; NULL otherwise */
    cJSON *sent_body; /* the body the client sent */
    cJSON *journal;   /* the step's journal entries; NULL without a mock */
    struct brk_call_stats stats;
    cJSON *delays_ms; /* the backoff before each retry */
    bool have_virtual_clock;
    int64_t elapsed_ms; /* the shared virtual clock's move during the step */
};

void scn_observed_clean_up(struct scn_observed *o);

/* Check a call's `expect` (may be NULL) against what it produced. */
void scn_expect_call(const cJSON *expect, const struct scn_observed *obs, struct scn_step_result *res);
/* Check a journal expectation against entries (an array); `where` prefixes messages. */
void scn_expect_journal(const cJSON *jexp, const cJSON *entries, const char *where, struct scn_step_result *res);
/* Check a `sent` expectation against a body (NULL: not known, reported as a note). */
void scn_expect_sent(const cJSON *sexp, const cJSON *body, const char *where, struct scn_step_result *res);
/* The top-level `expect` over a whole journal. */
void scn_expect_top(const cJSON *expect, const cJSON *entries, struct scn_step_result *res);

/* ---- running (run.c, call.c) ------------------------------------------------------------ */

struct scn_run_opts {
    const char *endpoint; /* NULL: an embedded mock per scenario */
    bool has_seed;
    uint64_t seed;
};

/* The scenario's seed: mock.seed, else opts, else 1. */
uint64_t scn_seed(const struct scenario *sc, const struct scn_run_opts *opts);

void scn_run(const struct scenario *sc, const struct scn_run_opts *opts, struct scn_result *out);

/* The body a call step sends before cache placement (short form or `request`). */
cJSON *scn_call_body(const cJSON *call);
struct brk_cache_settings;
/* client.cache as settings; false when the scenario has none. */
bool scn_cache_settings(const cJSON *client, struct brk_cache_settings *out);
/* The text sent for `op` ("converse", "converse_stream", "count_tokens"): placed and trimmed
 * with `settings` when given, wrapped as {"input":{"converse":...}} for CountTokens. */
enum brk_status scn_call_text(const char *op, const char *model, const cJSON *body,
                              const struct brk_cache_settings *settings, struct brk_buf *out, struct brk_error *err);
/* A response as the Converse body it was read from. */
cJSON *scn_response_json(const struct brk_converse_response *r);

/* The client auth a scenario implies (client.auth, else mock.auth's first credential or key,
 * else the dummy pair); fields borrowed from the tree or static. */
struct scn_auth {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
    const char *api_key;
};
void scn_auth_of(const struct scenario *sc, struct scn_auth *out);

/* ---- reports (report.c) ----------------------------------------------------------------- */

struct scn_summary {
    size_t passed, failed, skipped;
};

void scn_report_text(FILE *out, const struct scn_result *results, size_t n, struct scn_summary *sum);
void scn_report_tap(FILE *out, const struct scn_result *results, size_t n, struct scn_summary *sum);
/* JUnit XML; BRK_ERR_IO when the file cannot be written. */
enum brk_status scn_report_junit(const char *path, const struct scn_result *results, size_t n);

#endif
