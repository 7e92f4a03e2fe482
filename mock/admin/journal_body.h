/*
 * journal_body.h (mock-private): what the journal keeps of a request's and a response's bodies
 * (docs/admin-api.md, "Bodies"), so a test can assert on what any client sent and got.
 *
 * Cheap on the request path: a request is recorded by taking its raw body from the request (the
 * journal is the last step that reads it: mock_request_take_body; no copy), copying the
 * response's (within the journal's byte budget, journal.h) and, for an event-stream answer, by
 * a tap on the stream's producer that appends each chunk as it is sent. Nothing is parsed then: GET
 * /_mock/requests?bodies=1 decodes the bytes (JSON, base64, event-stream messages) under the
 * journal's lock.
 *
 * Secrets never enter the journal: no header is kept, and every occurrence of a secret the
 * request carries (the Authorization value and its bearer token, x-amz-security-token,
 * x-mock-admin-token, the X-Amz-Security-Token query argument, the mock's --admin-token) is
 * overwritten with '*' in both bodies, and in the entry's error message, path and model id,
 * before they are stored. Values shorter than
 * MOCK_JOURNAL_MIN_SECRET_BYTES are not searched (they would mask ordinary text).
 *
 * Thread-safety: as journal.h; a tap runs on its connection's thread only.
 */
#ifndef MOCK_ADMIN_JOURNAL_BODY_H
#define MOCK_ADMIN_JOURNAL_BODY_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "mock/admin/journal.h"
#include "mock/pipeline/request.h"
#include "mock/pipeline/response.h"

#define MOCK_JOURNAL_MAX_SECRETS 8
#define MOCK_JOURNAL_MIN_SECRET_BYTES 8

/* Secret values to mask, each value[i] of len[i] bytes (not NUL-terminated); borrowed. */
struct mock_journal_secrets {
    const char *value[MOCK_JOURNAL_MAX_SECRETS];
    size_t len[MOCK_JOURNAL_MAX_SECRETS];
    size_t n;
};

/* The secrets `req` carries, and `admin_token` (may be NULL); they point into req and
 * admin_token and live as long as those. */
void mock_journal_secrets_of(const struct mock_request *req, const char *admin_token, struct mock_journal_secrets *out);

/* Overwrite with '*' every occurrence of a secret in data[0..len) that ends at or after byte
 * `from` (0: all of them; an append passes its old length, so a secret split across two
 * appends is found too). `secrets` may be NULL. */
void mock_journal_mask(char *data, size_t len, size_t from, const struct mock_journal_secrets *secrets);

/* Record one answered request: mask secrets in its fields, move req's body and copy resp's into
 * `entry` (masked, within the budget; req->body is NULL afterwards when it was kept), add the entry (mock_journal_add), and for an event-stream
 * answer wrap resp's producer so that the bytes it sends are appended to the entry as they go. */
void mock_journal_record(struct mock_journal *journal, struct mock_journal_entry *entry, struct mock_request *req,
                         struct mock_response *resp, const char *admin_token);

/* Add request_body, response_status, response_body and body_dropped to `o` (journal.c calls
 * this under the lock for GET /_mock/requests?bodies=1). */
void mock_journal_bodies_to_json(const struct mock_journal_entry *entry, cJSON *o);

#endif
