/*
 * replay_priv.h (mock-private): one loaded cassette of --replay and how it answers
 * (replay.c matches, answer.c answers).
 *
 * Ownership: an entry owns its strings and its parsed cassette. A replayed stream borrows the
 * cassette's events, which live until mock_replay_stop (after the transport has stopped).
 */
#ifndef MOCK_REPLAY_PRIV_H
#define MOCK_REPLAY_PRIV_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/status.h"
#include "mock/pipeline/response.h"

struct mock_replay_entry {
    char *file;  /* the cassette's file name */
    char *op;    /* "Converse" */
    char *model; /* the model id as recorded ("" when the operation has none) */
    char *key;   /* canonical request body (cassette.h) */
    cJSON *doc;
    bool used; /* answered once already; guarded by the replayer's lock */
};

/* Take `doc` (a parsed cassette) and compute its match key; BRK_ERR_PARSE without a body. */
enum brk_status mock_replay_entry_init(struct mock_replay_entry *e, const char *file, cJSON *doc,
                                       const char *const *ignore, size_t n_ignore);
void mock_replay_entry_clean_up(struct mock_replay_entry *e);

/* Fill `resp` with the recorded answer: status, headers, body or a stream of the recorded
 * frames; `timing` keeps the recorded pauses. */
void mock_replay_entry_answer(const struct mock_replay_entry *e, bool timing, struct mock_response *resp);

/* Every *.json cassette of `dir`, sorted by file name (the recorder names files by time, so
 * that is recorded order). A file that is not a cassette stops the load, named in err. */
enum brk_status mock_replay_load(const char *dir, const char *const *ignore, size_t n_ignore,
                                 struct mock_replay_entry **out, size_t *n_out, char *err, size_t err_len);
void mock_replay_entries_free(struct mock_replay_entry *entries, size_t n);

#endif
