/*
 * cli.h: the bedrock-scenario command line (cli.c: run, validate and dispatch; exec.c: exec,
 * serve and check). Each command takes its argv (argv[0] is the command's name) and the streams
 * to write to, and returns the exit status (docs/scenarios.md, "Subcommands").
 *
 * Thread-safety: one command at a time per process (getopt's state is global).
 */
#ifndef BEDROCK_SCENARIO_CLI_H
#define BEDROCK_SCENARIO_CLI_H

#include <stdio.h>

/* The whole program: argv[1] names the command. */
int scn_cli(int argc, char **argv, FILE *out, FILE *errout);

int scn_cmd_exec(int argc, char **argv, FILE *out, FILE *errout);
int scn_cmd_serve(int argc, char **argv, FILE *out, FILE *errout);
int scn_cmd_check(int argc, char **argv, FILE *out, FILE *errout);

/* The --help text of "exec", "serve" or "check" (the general usage for anything else). */
const char *scn_help_text(const char *cmd);

#endif
