/*
 * fuzz.h: shared by the libFuzzer targets in fuzz/ and by tests/test_fuzz_replay.c.
 *
 * A target is written once with FUZZ_TARGET(name) { ... }. Built for libFuzzer (make fuzz,
 * which defines BRK_FUZZ_ENTRY) it is also the LLVMFuzzerTestOneInput entry point; built into
 * the Criterion suite it is the plain function fuzz_<name>, which the replay test calls on
 * every file of fuzz/corpus/<name>/, so the normal suite exercises each target without a fuzzer.
 *
 * Targets run in one process, one input after another: they must free all they allocate.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "mock/mock_priv.h"

#ifdef BRK_FUZZ_ENTRY
#define FUZZ_TARGET(name)                                         \
    int fuzz_##name(const uint8_t *data, size_t size);            \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)  \
    {                                                             \
        return fuzz_##name(data, size);                           \
    }                                                             \
    int fuzz_##name(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name)                              \
    int fuzz_##name(const uint8_t *data, size_t size); \
    int fuzz_##name(const uint8_t *data, size_t size)
#endif

/* The one mock every target of this process shares: started on first use (loopback, port 0,
 * virtual clock, fixed seed, small journal and prompt cache) and never sent a byte over its socket; targets
 * feed requests straight into the pipeline. It is a real brk_mock_start, so every stage's
 * state is set up exactly as in the server. */
struct brk_mock *fuzz_mock(void);

/* The shared mock's configuration, for a target that starts a mock of its own with a few
 * settings changed (fuzz_mock_start aborts when it cannot start: nothing to fuzz then). */
void fuzz_mock_config(struct brk_mock_config *cfg);
struct brk_mock *fuzz_mock_start(const struct brk_mock_config *cfg);

/* A private mock of the SigV4 targets (sigv4_auth, sigv4_roundtrip): auth `mode`, region
 * FUZZ_SIGV4_REGION, the fixed credentials file of fuzz/sigv4_auth.h (read at start, then
 * deleted) and its virtual clock moved to FUZZ_SIGV4_NOW_S. The caller stops it. */
struct brk_mock *fuzz_sigv4_mock_start(enum brk_mock_auth mode);

/* Stop the shared mock (the replay test calls it so valgrind sees no leak). */
void fuzz_mock_release(void);

/* Run one request through mock_dispatch, as mock/http/http1.c would after reading it: METHOD, path,
 * "Name: value" headers (NULL-terminated list, may be NULL) and a body of `len` bytes that
 * may hold anything, NULs included. A streamed reply is drained to its end. */
void fuzz_dispatch(const char *method, const char *url, const char *const *headers, const uint8_t *body, size_t len);

#endif
