/*
 * journal_bodies: the journal's bodies (mock/admin/journal_body.c, docs/admin-api.md "Bodies").
 * The first byte picks what the rest is:
 *   0  the query string of GET /_mock/requests (bodies, since, limit and the filters);
 *   1  a Converse body sent with a bearer token and a session token, then read back with
 *      bodies=1: neither token may appear in the answer (unless the input escapes one in JSON,
 *      which the raw-byte masking cannot see: such inputs skip the check);
 *   2  the raw bytes of a journal entry's bodies, decoded as GET /_mock/requests?bodies=1 does:
 *      as JSON or base64, and (the second byte's low bit) as an event stream, hostile framing
 *      and CRCs included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "mock/admin/journal_body.h"
#include "mock/pipeline/stages.h"

#define S_JB_TOKEN "bedrock-api-key-fuzz-journal-0123"
#define S_JB_SESSION "FQoGZXIvYXdzEJfuzzSessionToken=="

/* Dispatch GET /_mock/requests?`query` on the shared mock; the answer, owned by the caller. */
static char *s_jb_read(const char *query)
{
    struct mock_request req;
    struct mock_response resp;
    mock_request_build(&req, "GET", "/_mock/requests", NULL, NULL, 0);
    mock_request_add_query_string(&req, query);
    mock_response_init(&resp);
    mock_dispatch(fuzz_mock(), &req, &resp);
    char *body = resp.body.data ? strdup(resp.body.data) : NULL;
    mock_response_clean_up(&resp);
    mock_request_clean_up(&req);
    return body;
}

static void s_jb_query(const uint8_t *data, size_t size)
{
    char *query = strndup((const char *)data, size); /* up to a NUL, as a query string ends */
    if (query) {
        free(s_jb_read(query));
        free(query);
    }
}

static void s_jb_secrets(const uint8_t *data, size_t size)
{
    static const char *const headers[] = {"Authorization: Bearer " S_JB_TOKEN, "X-Amz-Security-Token: " S_JB_SESSION,
                                          NULL};
    fuzz_dispatch("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", headers, data, size);
    char query[64];
    uint64_t total = mock_journal_total(fuzz_mock()->journal); /* the entry just added is the newest */
    snprintf(query, sizeof(query), "bodies=1&since=%llu", (unsigned long long)(total ? total - 1 : 0));
    char *answer = s_jb_read(query);
    if (answer && !memchr(data, '\\', size) && (strstr(answer, S_JB_TOKEN) || strstr(answer, S_JB_SESSION))) {
        abort(); /* a secret reached the journal's bodies */
    }
    free(answer);
}

static void s_jb_decode(const uint8_t *data, size_t size)
{
    struct mock_journal_entry e;
    memset(&e, 0, sizeof(e));
    e.response_stream = size > 0 && (data[0] & 1);
    const uint8_t *body = size > 0 ? data + 1 : data;
    size_t len = size > 0 ? size - 1 : 0;
    brk_buf_init(&e.request_body, len + 1);
    brk_buf_init(&e.response_body, len + 1);
    if (len && (brk_buf_append(&e.request_body, body, len) != BRK_OK ||
                brk_buf_append(&e.response_body, body, len) != BRK_OK)) {
        abort();
    }
    cJSON *o = cJSON_CreateObject();
    mock_journal_bodies_to_json(&e, o);
    char *text = cJSON_PrintUnformatted(o);
    if (!text || !cJSON_GetObjectItem(o, "request_body") || !cJSON_GetObjectItem(o, "response_body")) {
        abort(); /* every body decodes to something */
    }
    free(text);
    cJSON_Delete(o);
    brk_buf_clean_up(&e.request_body);
    brk_buf_clean_up(&e.response_body);
}

FUZZ_TARGET(journal_bodies)
{
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 3) {
    case 0:
        s_jb_query(data + 1, size - 1);
        break;
    case 1:
        s_jb_secrets(data + 1, size - 1);
        break;
    default:
        s_jb_decode(data + 1, size - 1);
        break;
    }
    return 0;
}
