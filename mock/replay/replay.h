/*
 * replay.h (mock-private): record and replay (docs/record-replay.md).
 *
 * Record (--record DIR --upstream URL): the stage mock_stage_record (pipeline/stages.h) sends a Bedrock Runtime request to
 * the upstream with libcurl, re-signed with the mock process's own credentials, streams the
 * answer back as it arrives and writes the exchange to a cassette in DIR.
 * Replay (--replay DIR): mock_replay_answer answers a request that passed every stage (rules
 * included) from the cassette that matches it, or says it has none.
 *
 * Ownership: mock_replay_start creates both halves from brk_mock's config (strings copied);
 * mock_replay_stop frees them. Thread-safety: both entry points are called from any transport
 * thread; each half guards its own state.
 */
#ifndef MOCK_REPLAY_H
#define MOCK_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/status.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

/* Load the cassettes (--replay) and prepare the upstream (--record). */
enum brk_status mock_replay_start(struct brk_mock *mock, char *err, size_t err_len);
void mock_replay_stop(struct brk_mock *mock);

/* With --replay: answer `req` from its cassette and return true; a miss answers the error of
 * --replay-miss error (true) or lets the simulation answer (false). False without --replay and
 * when a rule scripted the reply (rules fire first). */
bool mock_replay_answer(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp);

#endif
