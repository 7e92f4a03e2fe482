/*
 * credentials.h (mock-private): the credentials file of `--credentials FILE`.
 *
 * Format (JSON, documented field by field in docs/auth.md):
 *
 *   {
 *     "credentials": [
 *       {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "...",
 *        "session_token": "...",            optional; requests must then carry it
 *        "account_id": "123456789012",      optional; the journal's account (default: the key id)
 *        "expiration": "2030-01-01T00:00:00Z"}  optional; after it: ExpiredTokenException
 *     ],
 *     "api_keys": [
 *       {"key": "bedrock-api-key-...", "account_id": "...", "expiration": "..."}   (Bearer tokens)
 *     ]
 *   }
 *
 * Unknown keys are refused, so a typo fails at start-up rather than silently weakening a check.
 * Ownership: the set owns every string; secrets and tokens are wiped (OPENSSL_cleanse) when the
 * set is destroyed. Read-only after loading, so lookups are thread-safe.
 */
#ifndef MOCK_CREDENTIALS_H
#define MOCK_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/status.h"

struct mock_credential {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when the credential has none */
    char *account_id;    /* NULL: the access key id is the account */
    int64_t expires_ms;  /* 0: never */
};

struct mock_api_key {
    char *key;
    char *account_id;   /* NULL: a digest of the key is the account */
    int64_t expires_ms; /* 0: never */
};

struct mock_credentials {
    struct mock_credential *creds;
    size_t n_creds;
    struct mock_api_key *keys;
    size_t n_keys;
};

/* Parse the JSON text. On failure returns a status other than BRK_OK, writes the reason
 * (never a secret) into err and leaves *out NULL. */
enum brk_status mock_credentials_parse(const char *json, size_t len, struct mock_credentials **out, char *err,
                                       size_t err_len);

/* Read and parse a file (at most 1 MiB). */
enum brk_status mock_credentials_load(const char *path, struct mock_credentials **out, char *err, size_t err_len);

/* The credential with this access key id, or NULL. Accepts a NULL set. */
const struct mock_credential *mock_credentials_find(const struct mock_credentials *set, const char *access_key_id);

/* The API key equal to `token`, compared in constant time against every listed key; NULL when
 * none matches. Accepts a NULL set. */
const struct mock_api_key *mock_credentials_find_key(const struct mock_credentials *set, const char *token);

/* Wipe and free. Accepts NULL. */
void mock_credentials_destroy(struct mock_credentials *set);

/* Parse "2030-01-01T00:00:00Z" (also with fractional seconds or "+00:00") into ms since the
 * epoch; false when malformed. */
bool mock_credentials_parse_time(const char *text, int64_t *ms);

#endif
