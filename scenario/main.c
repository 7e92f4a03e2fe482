/*
 * main.c: bedrock-scenario's entry point; the program is scn_cli (cli.c), which the tests also
 * call in-process. libcurl is initialised here, once, before any thread (run --jobs) exists.
 */
#include <curl/curl.h>
#include <stdio.h>

#include "scenario/cli.h"

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = scn_cli(argc, argv, stdout, stderr);
    curl_global_cleanup();
    return rc;
}
