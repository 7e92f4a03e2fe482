/*
 * cassette.h (mock-private): the cassette format of record and replay (docs/record-replay.md),
 * one JSON file per exchange:
 *
 *   {"version": 1, "operation": "Converse", "model": "...",
 *    "request": {"method", "path", "headers": {name: value}, "body": JSON | "body_text": "..."},
 *    "response": {"status", "headers", "duration_ms", "body" | "body_text",
 *                 "events": [{"t_ms", "headers": {":event-type": ...}, "payload": JSON}]}}
 *
 * A body (or event payload) that parses as JSON is kept as JSON; when printing it again would
 * not give the received bytes, the bytes are kept too ("body_text", "payload_text"), so a
 * replay is byte for byte; bytes with a NUL are kept as base64 ("body_base64"). Secret headers never enter a cassette (mock_cassette_header_secret).
 *
 * Ownership: every cJSON returned belongs to the caller. Thread-safety: pure functions.
 */
#ifndef MOCK_REPLAY_CASSETTE_H
#define MOCK_REPLAY_CASSETTE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"
#include "bedrock/eventstream.h"
#include "bedrock/status.h"

#define MOCK_CASSETTE_VERSION 1
#define MOCK_CASSETTE_MAX_BYTES (64u * 1024u * 1024u) /* largest cassette file read or body kept */
#define MOCK_CASSETTE_MAX_IGNORE 16

/* Whether a header must never be written to a cassette: credentials, tokens, API keys, cookies. */
bool mock_cassette_header_secret(const char *name);

/* Whether a request header belongs in a cassette (and is forwarded upstream): not a secret,
 * not the client's signature (x-amz-date, x-amz-content-sha256: the recorder signs again),
 * not Host, framing or hop-by-hop. */
bool mock_cassette_request_header_kept(const char *name);

/* The error code of an x-amzn-ErrorType value ("ValidationException:http://..." gives
 * "ValidationException"). */
void mock_cassette_error_code(const char *type_header, char *out, size_t out_len);

/* The string member of a headers object whose name is `name` in any case, or NULL. */
const char *mock_cassette_header(const cJSON *headers, const char *name);

/* Add `data` to `obj` as "<prefix>" (JSON) and/or "<prefix>_text" (the bytes), see above. */
void mock_cassette_add_body(cJSON *obj, const char *prefix, const char *data, size_t len);

/* The bytes of a body stored by mock_cassette_add_body into out. BRK_ERR_PARSE when absent. */
enum brk_status mock_cassette_body_bytes(const cJSON *obj, const char *prefix, struct brk_buf *out);

/* One decoded event-stream message as a readable event {"t_ms", "headers", "payload"}. */
cJSON *mock_cassette_event(const struct brk_es_message *msg, int64_t t_ms);

/* Encode a cassette event back into its event-stream message, appended to out. */
enum brk_status mock_cassette_event_encode(const cJSON *event, struct brk_buf *out);

/* Write `doc` to DIR/NAME atomically (a temporary file, then rename). */
enum brk_status mock_cassette_write(const char *dir, const char *name, const cJSON *doc);

/* Read and parse one cassette; NULL (reason in err) when unreadable or not a cassette. */
cJSON *mock_cassette_parse(const char *text, size_t len, char *err, size_t err_len);

/* The match key of a request body: canonical JSON (object members sorted, printed compactly)
 * with the dotted paths in `ignore` removed; a body that is not JSON is its own text. */
char *mock_cassette_canonical(const char *body, size_t len, const char *const *ignore, size_t n_ignore);

/* The first JSON path at which two canonical bodies differ ("messages[0].content[0].text",
 * "" for the root), and how many leaves differ; out gets "(none)" when they are equal. */
size_t mock_cassette_diff(const char *a, const char *b, char *out, size_t out_len);

#endif
