/*
 * verify.h (mock-private): `bedrock-mock verify-cassettes DIR`: every recorded request sent
 * through the simulating mock's pipeline (no socket, replay off), its verdict compared with
 * the recorded one (docs/fidelity.md explains the report).
 *
 * Reported: requests the recording accepted and the mock refused, and the reverse (verdict
 * mismatches: the exit status is 1 when there is any); refusals on both sides whose error type
 * or message differ; for each Converse both accepted, the mock's input-token count next to
 * the recorded usage.inputTokens, with the median and worst relative error.
 *
 * Ownership: the caller owns every argument. Thread-safety: none needed (a command).
 */
#ifndef MOCK_REPLAY_VERIFY_H
#define MOCK_REPLAY_VERIFY_H

#include <stdio.h>

/* The verify-cassettes command: argv holds DIR and optionally --models FILE. Returns the exit
 * status: 0 when every verdict agrees, 1 on a mismatch, 2 on a usage or load error. */
int mock_verify_main(int argc, char **argv, FILE *out, FILE *errs);

#endif
