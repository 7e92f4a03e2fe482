/* verify.c: verify-cassettes, the simulation against recorded verdicts (verify.h). */
#include "mock/replay/verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock/pipeline/stages.h"
#include "mock/replay/cassette.h"
#include "mock/replay/replay_priv.h"

struct s_verdict {
    int status;
    char type[128]; /* error code, "" when accepted */
    char message[1024];
    long input_tokens; /* usage.inputTokens of an accepted Converse, -1 when unknown */
};

struct s_tally {
    size_t agree, mismatches, differences;
    double *errors; /* relative input-token errors, one per compared Converse */
    size_t n_errors;
    double worst;
    char worst_file[256];
};

static long s_input_tokens(const char *body)
{
    cJSON *json = body ? cJSON_Parse(body) : NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "usage"), "inputTokens");
    long n = cJSON_IsNumber(t) ? (long)brk_json_count(t, 0) : -1; /* clamped: 1e43 casts to nothing */
    cJSON_Delete(json);
    return n;
}

static void s_message_of(const char *body, char *out, size_t out_len)
{
    cJSON *json = body ? cJSON_Parse(body) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(json, "message");
    m = m ? m : cJSON_GetObjectItemCaseSensitive(json, "Message");
    snprintf(out, out_len, "%s", cJSON_IsString(m) ? m->valuestring : "");
    cJSON_Delete(json);
}

/* What the recording says: its status, error type (x-amzn-ErrorType up to ':') and message. */
static void s_recorded(const struct mock_replay_entry *e, struct s_verdict *v)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(e->doc, "response");
    v->status = cJSON_GetObjectItemCaseSensitive(r, "status")->valueint;
    const char *type = mock_cassette_header(cJSON_GetObjectItemCaseSensitive(r, "headers"), "x-amzn-ErrorType");
    mock_cassette_error_code(type ? type : "", v->type, sizeof(v->type));
    struct brk_buf body;
    brk_buf_init(&body, MOCK_CASSETTE_MAX_BYTES);
    bool has_body = mock_cassette_body_bytes(r, "body", &body) == BRK_OK;
    s_message_of(has_body ? body.data : NULL, v->message, sizeof(v->message));
    v->input_tokens = has_body && v->status < 300 ? s_input_tokens(body.data) : -1;
    brk_buf_clean_up(&body);
}

#define S_MAX_SENT_HEADERS 48

/* What the simulation says about the recorded request, sent through the pipeline. */
static void s_simulated(struct brk_mock *mock, const struct mock_replay_entry *e, struct s_verdict *v)
{
    const cJSON *rq = cJSON_GetObjectItemCaseSensitive(e->doc, "request");
    char *lines[S_MAX_SENT_HEADERS + 1] = {0};
    size_t n = 0;
    const cJSON *h = NULL;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(rq, "headers"))
    {
        if (h->string && cJSON_IsString(h) && n < S_MAX_SENT_HEADERS) {
            size_t len = strlen(h->string) + strlen(h->valuestring) + 3;
            lines[n] = brk_malloc(len);
            if (lines[n]) {
                snprintf(lines[n++], len, "%s: %s", h->string, h->valuestring);
            }
        }
    }
    struct brk_buf body;
    brk_buf_init(&body, MOCK_CASSETTE_MAX_BYTES);
    mock_cassette_body_bytes(rq, "body", &body);
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(rq, "method");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(rq, "path");
    struct mock_request req;
    struct mock_response resp;
    mock_request_build(&req, cJSON_IsString(method) ? method->valuestring : "POST",
                       cJSON_IsString(path) ? path->valuestring : "/", (const char *const *)lines, body.data, body.len);
    mock_response_init(&resp);
    mock_dispatch(mock, &req, &resp);
    v->status = resp.status;
    snprintf(v->type, sizeof(v->type), "%s", resp.error ? resp.error->code : "");
    snprintf(v->message, sizeof(v->message), "%s", resp.error ? resp.error_message : "");
    v->input_tokens = !resp.error && !resp.stream_fn ? s_input_tokens(resp.body.data) : -1;
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
    brk_buf_clean_up(&body);
    for (size_t i = 0; i < n; i++) {
        brk_free(lines[i]);
    }
}

static void s_tokens(struct s_tally *t, const char *file, const struct s_verdict *rec, const struct s_verdict *sim,
                     FILE *out)
{
    if (rec->input_tokens <= 0 || sim->input_tokens < 0) {
        return;
    }
    double rel = fabs((double)sim->input_tokens - (double)rec->input_tokens) / (double)rec->input_tokens;
    double *grown = brk_realloc(t->errors, (t->n_errors + 1) * sizeof(*grown));
    if (!grown) {
        return;
    }
    t->errors = grown;
    t->errors[t->n_errors++] = rel;
    if (rel >= t->worst) {
        t->worst = rel;
        snprintf(t->worst_file, sizeof(t->worst_file), "%s", file);
    }
    fprintf(out, "tokens     %s: recorded %ld input tokens, mock %ld (%+.1f%%)\n", file, rec->input_tokens,
            sim->input_tokens,
            100.0 * ((double)sim->input_tokens - (double)rec->input_tokens) / (double)rec->input_tokens);
}

/* Compare one cassette's two verdicts and print what differs. */
static void s_compare(struct s_tally *t, const char *file, const struct s_verdict *rec, const struct s_verdict *sim,
                      FILE *out)
{
    bool rec_ok = rec->status < 300, sim_ok = sim->status < 300;
    if (rec_ok != sim_ok) {
        t->mismatches++;
        fprintf(out, "MISMATCH   %s: recorded %d %s, mock %d %s%s%s\n", file, rec->status,
                rec_ok ? "(accepted)" : rec->type, sim->status, sim_ok ? "(accepted)" : sim->type, sim_ok ? "" : ": ",
                sim_ok ? "" : sim->message);
    } else if (!rec_ok && (strcmp(rec->type, sim->type) != 0 || strcmp(rec->message, sim->message) != 0)) {
        t->differences++;
        fprintf(out, "DIFFERENT  %s: recorded %s \"%s\", mock %s \"%s\"\n", file, rec->type, rec->message, sim->type,
                sim->message);
    } else {
        t->agree++;
    }
    if (rec_ok && sim_ok) {
        s_tokens(t, file, rec, sim, out);
    }
}

static int s_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void s_summary(struct s_tally *t, size_t n, FILE *out)
{
    fprintf(out, "summary: %zu cassettes: %zu agree, %zu verdict mismatches, %zu error differences\n", n, t->agree,
            t->mismatches, t->differences);
    if (!t->n_errors) {
        fprintf(out, "input tokens: no accepted Converse call with recorded usage\n");
        return;
    }
    qsort(t->errors, t->n_errors, sizeof(*t->errors), s_by_value);
    double median = t->n_errors % 2 ? t->errors[t->n_errors / 2]
                                    : (t->errors[t->n_errors / 2 - 1] + t->errors[t->n_errors / 2]) / 2;
    fprintf(out, "input tokens on %zu Converse calls: median relative error %.1f%%, worst %.1f%% (%s)\n", t->n_errors,
            100.0 * median, 100.0 * t->worst, t->worst_file);
}

static struct brk_mock *s_start(const char *models, FILE *errs)
{
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    cfg.port = 0;
    cfg.auth_mode = BRK_MOCK_AUTH_NONE; /* recordings carry no credentials */
    cfg.no_admin = true;
    cfg.has_seed = true;
    cfg.models_path = models;
    struct brk_mock *mock = NULL;
    char err[512] = "";
    if (brk_mock_start(&cfg, &mock, err, sizeof(err)) != BRK_OK) {
        fprintf(errs, "verify-cassettes: %s\n", err);
        return NULL;
    }
    return mock;
}

int mock_verify_main(int argc, char **argv, FILE *out, FILE *errs)
{
    const char *dir = NULL, *models = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--models") == 0 && i + 1 < argc) {
            models = argv[++i];
        } else if (!dir && argv[i][0] != '-') {
            dir = argv[i];
        } else {
            dir = NULL;
            break;
        }
    }
    struct mock_replay_entry *entries = NULL;
    size_t n = 0;
    char err[512] = "";
    if (!dir) {
        fprintf(errs, "Usage: bedrock-mock verify-cassettes DIR [--models FILE]\n");
        return 2;
    }
    if (mock_replay_load(dir, NULL, 0, &entries, &n, err, sizeof(err)) != BRK_OK) {
        fprintf(errs, "verify-cassettes: %s\n", err);
        return 2;
    }
    struct brk_mock *mock = s_start(models, errs);
    struct s_tally t = {0};
    for (size_t i = 0; mock && i < n; i++) {
        struct s_verdict rec, sim;
        s_recorded(&entries[i], &rec);
        s_simulated(mock, &entries[i], &sim);
        s_compare(&t, entries[i].file, &rec, &sim, out);
    }
    if (mock) {
        s_summary(&t, n, out);
    }
    brk_mock_stop(mock);
    mock_replay_entries_free(entries, n);
    brk_free(t.errors);
    return !mock ? 2 : t.mismatches ? 1 : 0;
}
