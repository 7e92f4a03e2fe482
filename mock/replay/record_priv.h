/*
 * record_priv.h (mock-private): the upstream side of --record, shared by record.c (the
 * transfer) and upstream.c (where to send, with which credentials, and the cassette's request
 * half).
 *
 * Ownership: mock_recorder_new copies the config and the environment's credentials and
 * loads libcurl (curl_lib.h); mock_recorder_destroy wipes and frees them. Thread-safety: read-only after creation, but
 * for `seq` (atomic).
 */
#ifndef MOCK_REPLAY_RECORD_PRIV_H
#define MOCK_REPLAY_RECORD_PRIV_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "bedrock/mock.h"
#include "bedrock/status.h"
#include "mock/pipeline/request.h"
#include "mock/replay/curl_lib.h"

struct mock_recorder {
    const struct mock_curl *curl; /* libcurl, loaded by mock_recorder_new */
    char *dir;
    char *upstream; /* without a trailing '/' */
    char host[256]; /* Host header of the upstream: host[:port] as in the URL */
    char region[64];
    char *access_key_id, *secret_access_key, *session_token; /* from the environment, or NULL */
    char *bearer_token;                                      /* AWS_BEARER_TOKEN_BEDROCK, or NULL */
    _Atomic unsigned long seq;                               /* exchanges recorded: names files */
};

/* Read cfg->record_dir, upstream_url, upstream_region and the environment; load libcurl.
 * NULL (reason in err) when there are no credentials, the URL is not http(s) or libcurl
 * cannot be loaded. */
struct mock_recorder *mock_recorder_new(const struct brk_mock_config *cfg, char *err, size_t err_len);
void mock_recorder_destroy(struct mock_recorder *rec);

/* Whether a response header of upstream's is passed to the client (framing headers are the
 * transport's own, the request id the mock's). */
bool mock_record_header_passes(const char *name);

/* A curl handle for `req` towards the upstream, signed; its header list; the cassette with its
 * request half and its file name (unique in the directory, ordered by time). */
enum brk_status mock_record_prepare(struct mock_recorder *rec, const struct mock_request *req, char *file,
                                    size_t file_len, CURL **curl, struct curl_slist **headers, cJSON **doc);

#endif
