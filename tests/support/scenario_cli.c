/*
 * scenario_cli.c: run bedrock-scenario's command line in-process for the scenario tests
 * (scenario_cli.h).
 */
#include "tests/support/scenario_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/cli.h"

int th_scenario_cli(char **out, int argc, const char **args)
{
    size_t len = 0, elen = 0;
    char *err = NULL, *argv[16];
    cr_assert(argc < 16);
    for (int i = 0; i < argc; i++) {
        argv[i] = strdup(args[i]);
    }
    argv[argc] = NULL;
    FILE *o = open_memstream(out, &len), *e = open_memstream(&err, &elen);
    int rc = scn_cli(argc, argv, o, e);
    fclose(o);
    fclose(e);
    fprintf(stderr, "%s", err ? err : "");
    free(err);
    for (int i = 0; i < argc; i++) {
        free(argv[i]);
    }
    return rc;
}
