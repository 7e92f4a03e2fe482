/*
 * test_scenario_exec.c: the commands that let any program be the client: `exec` with a shell
 * script using curl and with a Python script using boto3 (skipped when either is absent), the
 * environment it exports, a failing command and failing journal expectations; `serve` (the
 * binary, BRK_SCENARIO_BIN) with `check` against it, ended by standard input's end and by SIGTERM.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario/cli.h"
#include "scenario/scenario.h"
#include "support/harness.h"
#include "support/scenario_cli.h"

static char s_path[64];

static void s_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void s_fini(void)
{
    if (s_path[0]) {
        unlink(s_path);
    }
}

TestSuite(scenario_exec, .init = s_init, .fini = s_fini, .timeout = TH_SUITE_TIMEOUT_S);

/* The first Converse is throttled; a client that retries gets the answer on its second attempt. */
static const char s_throttle_once[] =
    "{\"name\": \"exec/throttle-once\","
    " \"mock\": {\"rules\": [{\"id\": \"first\", \"match\": {\"operation\": \"Converse\"}, \"error\": "
    "\"ThrottlingException\", \"times\": 1}]},"
    " \"client\": {\"region\": \"eu-west-3\", \"auth\": {\"api_key\": \"bedrock-api-key-EXAMPLE\"},"
    "            \"retry\": {\"mode\": \"standard\", \"max_attempts\": 3}},"
    " \"expect\": {\"journal\": {\"statuses\": [429, 200], \"rules_fired\": [\"first\"],"
    "                           \"last\": {\"/operation\": \"Converse\", \"/status\": 200}}}}";

static const char *s_scenario(const char *text)
{
    snprintf(s_path, sizeof(s_path), "/tmp/scn-exec-XXXXXX");
    int fd = mkstemp(s_path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return s_path;
}

static bool s_have(const char *check)
{
    return system(check) == 0;
}

/* curl retries a 429 (--retry); --retry-delay 1 keeps it to one second. */
#define S_CURL_APP                                                                                 \
    "curl -s --retry 2 --retry-delay 1 -H \"authorization: Bearer $AWS_BEARER_TOKEN_BEDROCK\" "    \
    "\"$AWS_ENDPOINT_URL_BEDROCK_RUNTIME/model/anthropic.claude-3-haiku-20240307-v1:0/converse\" " \
    "-d '{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}' >/dev/null"

Test(scenario_exec, a_shell_script_using_curl_passes_the_journal_expectations)
{
    if (!s_have("command -v curl >/dev/null 2>&1")) {
        cr_skip_test("no curl");
    }
    const char *file = s_scenario(s_throttle_once);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "exec", file, "--", "sh", "-c", S_CURL_APP, NULL};
    cr_assert_eq(th_scenario_cli(&out, 7, argv), 0, "%s", out);
    cr_assert(strstr(out, "PASS exec/throttle-once (journal checks: 3, command exit 0, "), "what was checked: %s", out);
    cr_assert_null(strstr(out, "steps"), "an exec scenario has no steps: %s", out);
    free(out);
}

Test(scenario_exec, a_command_that_does_not_retry_fails_the_expectations)
{
    const char *file = s_scenario(s_throttle_once);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario",
                          "exec",
                          file,
                          "--",
                          "sh",
                          "-c",
                          "curl -s -o /dev/null -H 'authorization: Bearer k' "
                          "\"$AWS_ENDPOINT_URL_BEDROCK_RUNTIME/model/anthropic.claude-3-haiku-20240307-v1:0/converse\" "
                          "-d '{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}'",
                          NULL};
    if (!s_have("command -v curl >/dev/null 2>&1")) {
        cr_skip_test("no curl");
    }
    cr_assert_eq(th_scenario_cli(&out, 7, argv), 1, "%s", out);
    cr_assert(strstr(out, "expect: expect.journal.statuses: expected [429,200], got [429]"), "%s", out);
    cr_assert(strstr(out, "expect: expect.journal.last[\"/status\"]: expected 200, got 429"), "%s", out);
    free(out);
}

Test(scenario_exec, the_command_gets_the_endpoint_region_and_credentials_and_its_status_counts)
{
    const char *file = s_scenario(s_throttle_once);
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario",
                          "exec",
                          file,
                          "--",
                          "sh",
                          "-c",
                          "test \"$AWS_ENDPOINT_URL_BEDROCK_RUNTIME\" = \"$BEDROCK_MOCK_URL\" &&"
                          " case \"$BEDROCK_MOCK_URL\" in http://127.0.0.1:*) ;; *) exit 9;; esac &&"
                          " test \"$AWS_REGION\" = eu-west-3 && test \"$AWS_DEFAULT_REGION\" = eu-west-3 &&"
                          " test \"$AWS_BEARER_TOKEN_BEDROCK\" = bedrock-api-key-EXAMPLE &&"
                          " test -n \"$AWS_ACCESS_KEY_ID\" && test -n \"$AWS_SECRET_ACCESS_KEY\" &&"
                          " test \"$AWS_RETRY_MODE\" = standard && test \"$AWS_MAX_ATTEMPTS\" = 3 && exit 3",
                          NULL};
    cr_assert_eq(th_scenario_cli(&out, 7, argv), 1, "%s", out);
    cr_assert(strstr(out, "command: the command exited with status 3"), "every variable was set: %s", out);
    cr_assert(strstr(out, "expect.journal.statuses: expected [429,200], got []"), "%s", out);
    free(out);
    const char *bad[] = {"bedrock-scenario", "exec", file, NULL};
    cr_assert_eq(th_scenario_cli(&out, 3, bad), 2, "no command");
    free(out);
}

static const char s_boto3_app[] =
    "import boto3\n"
    "from botocore.config import Config\n"
    "c = boto3.client('bedrock-runtime', config=Config(retries={'mode': 'standard', 'total_max_attempts': 3}))\n"
    "r = c.converse(modelId='anthropic.claude-3-haiku-20240307-v1:0',\n"
    "               messages=[{'role': 'user', 'content': [{'text': 'Hi'}]}])\n"
    "assert r['ResponseMetadata']['RetryAttempts'] == 1, r['ResponseMetadata']\n";

Test(scenario_exec, a_python_script_using_boto3_passes_the_journal_expectations)
{
    /* Under valgrind (its preload is in LD_PRELOAD) python would be traced too, 50x slower; the
     * C side of exec is the same as in the curl tests, which valgrind does run. */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) {
        cr_skip_test("boto3 does not run under valgrind (make test runs it)");
    }
    if (!s_have("python3 -c 'import boto3' >/dev/null 2>&1")) {
        cr_skip_test("no python3 with boto3");
    }
    const char *file =
        s_scenario("{\"name\": \"exec/boto3\","
                   " \"mock\": {\"rules\": [{\"id\": \"first\", \"error\": \"ThrottlingException\", "
                   "\"times\": 1}]},"
                   " \"expect\": {\"journal\": {\"statuses\": [429, 200], \"attempts_per_invocation\": [2],"
                   "   \"last\": {\"/account\": \"AKIDEXAMPLE\", \"/auth\": {\"regex\": \"^sigv4\"}}}}}");
    char *out = NULL;
    const char *argv[] = {"bedrock-scenario", "exec", file, "--", "python3", "-c", s_boto3_app, NULL};
    cr_assert_eq(th_scenario_cli(&out, 7, argv), 0, "%s", out);
    cr_assert(strstr(out, "PASS exec/boto3"), "%s", out);
    free(out);
}

/* ---- serve and check ------------------------------------------------------------------------- */

struct s_server {
    pid_t pid;
    int stdin_fd;
    char url[128];
};

/* Start `bedrock-scenario serve FILE --stdin-eof` and read its one line. */
static void s_serve(const char *file, struct s_server *s)
{
    const char *bin = getenv("BRK_SCENARIO_BIN");
    if (!bin) {
        cr_skip_test("BRK_SCENARIO_BIN is not set (run through make test-unit)");
    }
    int in[2], out[2];
    cr_assert(pipe(in) == 0 && pipe(out) == 0);
    s->pid = fork();
    cr_assert(s->pid >= 0);
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(bin, bin, "serve", file, "--port", "0", "--stdin-eof", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    FILE *f = fdopen(out[0], "r");
    char line[256] = "";
    cr_assert_not_null(fgets(line, sizeof(line), f), "serve printed its line");
    fclose(f);
    cr_assert_eq(strncmp(line, "BEDROCK_MOCK_URL=http://127.0.0.1:", 34), 0, "%s", line);
    line[strcspn(line, "\n")] = '\0';
    snprintf(s->url, sizeof(s->url), "%.100s", line + 17);
}

/* Wait for the server to exit (TH_DEADLINE_MS at most); its exit status. */
static int s_wait(pid_t pid)
{
    int status = 0;
    for (int64_t start = brk_clock_monotonic_ms(); brk_clock_monotonic_ms() - start < TH_DEADLINE_MS;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        brk_clock_sleep_real_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    cr_assert_fail("serve did not stop");
    return -1;
}

Test(scenario_exec, serve_then_check_sees_what_a_client_sent_and_stdin_eof_stops_it)
{
    const char *file =
        s_scenario("{\"name\": \"exec/served\", \"mock\": {\"auth\": {\"mode\": \"none\"},"
                   " \"rules\": [{\"id\": \"one\", \"error\": \"ThrottlingException\", \"times\": 1}]},"
                   " \"expect\": {\"journal\": {\"statuses\": [429, 200], \"rules_fired\": [\"one\"]}}}");
    struct s_server s;
    s_serve(file, &s);
    char *out = NULL;
    const char *check[] = {"bedrock-scenario", "check", file, "--endpoint", s.url, NULL};
    cr_assert_eq(th_scenario_cli(&out, 5, check), 1, "nothing sent yet: %s", out);
    cr_assert(strstr(out, "expect.journal.statuses: expected [429,200], got []"), "%s", out);
    free(out);
    char url[256];
    snprintf(url, sizeof(url), "%s/model/anthropic.claude-3-haiku-20240307-v1%%3A0/converse", s.url);
    for (int i = 0; i < 2; i++) {
        struct scn_http_answer a;
        scn_http("POST", url, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}", &a);
        cr_assert_eq(a.status, i == 0 ? 429 : 200, "%s", a.body.data ? a.body.data : a.error);
        scn_http_answer_clean_up(&a);
    }
    cr_assert_eq(th_scenario_cli(&out, 5, check), 0, "%s", out);
    cr_assert(strstr(out, "PASS exec/served (journal checks: 2, "), "what was checked: %s", out);
    free(out);
    close(s.stdin_fd);
    cr_assert_eq(s_wait(s.pid), 0, "serve ends when its standard input does");
}

Test(scenario_exec, serve_stops_on_sigterm)
{
    const char *file = s_scenario(s_throttle_once);
    struct s_server s;
    s_serve(file, &s);
    kill(s.pid, SIGTERM);
    cr_assert_eq(s_wait(s.pid), 0, "a clean stop");
    close(s.stdin_fd);
}
