/*
 * scenario_cli.h: test-only helper for bedrock-scenario's command line, run in-process.
 */
#ifndef TESTS_SCENARIO_CLI_H
#define TESTS_SCENARIO_CLI_H

/* Run scn_cli with `args` (copied, as getopt permutes them; argc < 16). Standard output goes into
 * *out (NUL-terminated, the caller frees it), standard error to the test's stderr; returns the
 * exit status. */
int th_scenario_cli(char **out, int argc, const char **args);

#endif
