/*
 * vcr.h (mock-private): `bedrock-mock import-vcr FILE.yaml... --out DIR`: VCR.py cassettes
 * (the YAML that vcrpy, pydantic-ai and LangChain write) into record/replay cassettes
 * (cassette.h), one file per Bedrock Runtime interaction. Interactions with any other host or
 * path are skipped and counted. YAML is read with libyaml; `!!binary` scalars (request bodies,
 * event-stream response bodies) are decoded from base64.
 *
 * Ownership: the caller owns every argument. Thread-safety: none needed (a command).
 */
#ifndef MOCK_REPLAY_VCR_H
#define MOCK_REPLAY_VCR_H

#include <stddef.h>
#include <stdio.h>

#include "bedrock/status.h"

struct mock_vcr_counts {
    size_t imported;
    size_t skipped; /* not Bedrock Runtime */
};

/* Convert one VCR YAML text; `stem` prefixes the cassette names (stem-0001-Converse.json).
 * With out_dir NULL nothing is written (the fuzz target). BRK_ERR_PARSE (reason in err) when
 * the text is not a VCR cassette. */
enum brk_status mock_vcr_convert(const char *yaml, size_t len, const char *stem, const char *out_dir,
                                 struct mock_vcr_counts *counts, char *err, size_t err_len);

/* The import-vcr command: argv holds FILE.yaml... and --out DIR. Returns the exit status. */
int mock_vcr_main(int argc, char **argv, FILE *out, FILE *errs);

#endif
