/*
 * report.c: the three reports of `bedrock-scenario run` (docs/scenarios.md, "run"): readable
 * text (each failed expectation with the step, expected and actual), TAP version 13 (one test
 * point per step, skips as "# SKIP", failures in a YAML block) and JUnit XML (one testsuite per
 * scenario, one testcase per step, <skipped/> and <failure>).
 *
 * Thread-safety: called once, after every scenario has run.
 */
#include <stdio.h>
#include <string.h>

#include "scenario/scenario.h"

static const char *s_word(enum scn_outcome o)
{
    return o == SCN_PASS ? "PASS" : o == SCN_FAIL ? "FAIL" : "SKIP";
}

static void s_count(const struct scn_result *r, struct scn_summary *sum)
{
    sum->passed += r->outcome == SCN_PASS;
    sum->failed += r->outcome == SCN_FAIL;
    sum->skipped += r->outcome == SCN_SKIP;
}

static void s_lines(FILE *out, const char *indent, const char *prefix, const struct scn_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        fprintf(out, "%s%s%s\n", indent, prefix, d->lines[i]);
    }
    if (d->dropped) {
        fprintf(out, "%s%s… and %zu more\n", indent, prefix, d->dropped);
    }
}

/* "(3 steps, 36 ms)", or for exec and check what they checked. */
static void s_pass_detail(FILE *out, const struct scn_result *r)
{
    if (r->summary[0]) {
        fprintf(out, " (%s, %lld ms)\n", r->summary, (long long)r->wall_ms);
    } else {
        fprintf(out, " (%zu step%s, %lld ms)\n", r->n_steps, r->n_steps == 1 ? "" : "s", (long long)r->wall_ms);
    }
}

void scn_report_text(FILE *out, const struct scn_result *results, size_t n, struct scn_summary *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (size_t i = 0; i < n; i++) {
        const struct scn_result *r = &results[i];
        s_count(r, sum);
        fprintf(out, "%s %s", s_word(r->outcome), r->sc->name);
        if (r->outcome == SCN_PASS) {
            s_pass_detail(out, r);
        } else {
            fprintf(out, " (%s)%s%s\n", r->sc->path, r->error ? ": " : "", r->error ? r->error : "");
        }
        for (size_t s = 0; s < r->n_steps; s++) {
            char prefix[600];
            snprintf(prefix, sizeof(prefix), "%s: ", r->steps[s].label);
            s_lines(out, "  ", prefix, &r->steps[s].failures);
            s_lines(out, "  ", prefix, &r->steps[s].notes);
        }
    }
    fprintf(out, "%zu scenario%s: %zu passed, %zu failed, %zu skipped\n", n, n == 1 ? "" : "s", sum->passed,
            sum->failed, sum->skipped);
}

/* ---- TAP -------------------------------------------------------------------------------- */

static void s_yaml_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', out);
        }
        fputc(*p == '\n' ? ' ' : *p, out);
    }
    fputc('"', out);
}

static void s_tap_step(FILE *out, size_t *k, const struct scn_result *r, const struct scn_step_result *s)
{
    ++*k;
    fprintf(out, "%s %zu - %s: %s", s->outcome == SCN_FAIL ? "not ok" : "ok", *k, r->sc->name, s->label);
    if (s->outcome == SCN_SKIP) {
        fprintf(out, " # SKIP %s", s->notes.n ? s->notes.lines[0] : "skipped");
    }
    fputc('\n', out);
    for (size_t i = s->outcome == SCN_SKIP ? 1 : 0; i < s->notes.n; i++) {
        fprintf(out, "# %s\n", s->notes.lines[i]);
    }
    if (s->outcome == SCN_FAIL) {
        fprintf(out, "  ---\n  file: ");
        s_yaml_quoted(out, r->sc->path);
        fprintf(out, "\n  failures:\n");
        for (size_t i = 0; i < s->failures.n; i++) {
            fprintf(out, "    - ");
            s_yaml_quoted(out, s->failures.lines[i]);
            fputc('\n', out);
        }
        fprintf(out, "  ...\n");
    }
}

void scn_report_tap(FILE *out, const struct scn_result *results, size_t n, struct scn_summary *sum)
{
    size_t points = 0, k = 0;
    memset(sum, 0, sizeof(*sum));
    for (size_t i = 0; i < n; i++) {
        points += results[i].n_steps + (results[i].error != NULL);
    }
    fprintf(out, "TAP version 13\n1..%zu\n", points);
    for (size_t i = 0; i < n; i++) {
        const struct scn_result *r = &results[i];
        s_count(r, sum);
        if (r->error) {
            k++;
            if (r->outcome == SCN_SKIP) {
                fprintf(out, "ok %zu - %s # SKIP %s\n", k, r->sc->name, r->error);
            } else {
                fprintf(out, "not ok %zu - %s\n  ---\n  message: ", k, r->sc->name);
                s_yaml_quoted(out, r->error);
                fprintf(out, "\n  ...\n");
            }
        }
        for (size_t s = 0; s < r->n_steps; s++) {
            s_tap_step(out, &k, r, &r->steps[s]);
        }
    }
    fprintf(out, "# %zu scenarios: %zu passed, %zu failed, %zu skipped\n", n, sum->passed, sum->failed, sum->skipped);
}

/* ---- JUnit XML ----------------------------------------------------------------------------- */

static void s_xml(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t') {
                fputc('?', out); /* not allowed in XML 1.0 */
            } else {
                fputc(*p, out);
            }
        }
    }
}

static void s_junit_case(FILE *out, const struct scn_result *r, const struct scn_step_result *s)
{
    fputs("    <testcase classname=\"", out);
    s_xml(out, r->sc->name);
    fputs("\" name=\"", out);
    s_xml(out, s->label);
    fputs("\">\n", out);
    if (s->outcome == SCN_FAIL) {
        fputs("      <failure message=\"", out);
        s_xml(out, s->failures.n ? s->failures.lines[0] : "failed");
        fputs("\">", out);
        for (size_t i = 0; i < s->failures.n; i++) {
            s_xml(out, s->failures.lines[i]);
            fputc('\n', out);
        }
        fputs("</failure>\n", out);
    } else if (s->outcome == SCN_SKIP) {
        fputs("      <skipped message=\"", out);
        s_xml(out, s->notes.n ? s->notes.lines[0] : "skipped");
        fputs("\"/>\n", out);
    }
    if (s->notes.n && s->outcome != SCN_SKIP) {
        fputs("      <system-out>", out);
        for (size_t i = 0; i < s->notes.n; i++) {
            s_xml(out, s->notes.lines[i]);
            fputc('\n', out);
        }
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

static void s_junit_suite(FILE *out, const struct scn_result *r)
{
    size_t failures = r->error && r->outcome == SCN_FAIL, skipped = r->error && r->outcome == SCN_SKIP;
    for (size_t s = 0; s < r->n_steps; s++) {
        failures += r->steps[s].outcome == SCN_FAIL;
        skipped += r->steps[s].outcome == SCN_SKIP;
    }
    fputs("  <testsuite name=\"", out);
    s_xml(out, r->sc->name);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\" file=\"",
            r->n_steps + (r->error != NULL), failures, skipped, (double)r->wall_ms / 1000.0);
    s_xml(out, r->sc->path);
    fputs("\">\n", out);
    if (r->error) {
        char label[] = "setup";
        struct scn_step_result pseudo = {.label = label, .outcome = r->outcome};
        char *line = r->error;
        struct scn_diags one = {.lines = &line, .n = 1, .cap = 1, .dropped = 0};
        if (r->outcome == SCN_SKIP) {
            pseudo.notes = one;
        } else {
            pseudo.failures = one;
        }
        s_junit_case(out, r, &pseudo);
    }
    for (size_t s = 0; s < r->n_steps; s++) {
        s_junit_case(out, r, &r->steps[s]);
    }
    fputs("  </testsuite>\n", out);
}

enum brk_status scn_report_junit(const char *path, const struct scn_result *results, size_t n)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        return BRK_ERR_IO;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bedrock-scenario\">\n", out);
    for (size_t i = 0; i < n; i++) {
        s_junit_suite(out, &results[i]);
    }
    fputs("</testsuites>\n", out);
    return fclose(out) == 0 ? BRK_OK : BRK_ERR_IO;
}
