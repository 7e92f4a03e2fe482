/* credentials.c: the --credentials file (see credentials.h for the format and contract). */
#include "mock/auth/credentials.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/sigv4.h"

#define S_MAX_FILE_BYTES (1u << 20)

bool mock_credentials_parse_time(const char *text, int64_t *ms)
{
    int y, mo, d, h, mi, s, used = 0;
    if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 || used != 19) {
        return false;
    }
    const char *rest = text + used;
    if (*rest == '.') {
        rest += 1 + strspn(rest + 1, "0123456789");
    }
    if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return false;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    *ms = (int64_t)timegm(&tm) * 1000;
    return true;
}

static void s_wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void mock_credentials_destroy(struct mock_credentials *set)
{
    if (!set) {
        return;
    }
    for (size_t i = 0; i < set->n_creds; i++) {
        free(set->creds[i].access_key_id);
        s_wipe_free(set->creds[i].secret_access_key);
        s_wipe_free(set->creds[i].session_token);
        free(set->creds[i].account_id);
    }
    for (size_t i = 0; i < set->n_keys; i++) {
        s_wipe_free(set->keys[i].key);
        free(set->keys[i].account_id);
    }
    free(set->creds);
    free(set->keys);
    free(set);
}

/* Only the listed members may appear in an entry. */
static bool s_only_keys(const cJSON *o, const char *const *allowed, char *err, size_t err_len, const char *where)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) {
            ok = ok || strcmp(m->string, allowed[i]) == 0;
        }
        if (!ok) {
            snprintf(err, err_len, "credentials: unknown key \"%s\" in %s", m->string, where);
            return false;
        }
    }
    return true;
}

/* An optional (or required) non-empty string member, duplicated into *out. */
static bool s_string(const cJSON *o, const char *key, bool required, char **out, char *err, size_t err_len,
                     const char *where)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!m) {
        if (required) {
            snprintf(err, err_len, "credentials: %s needs \"%s\"", where, key);
        }
        return !required;
    }
    if (!cJSON_IsString(m) || !m->valuestring[0]) {
        snprintf(err, err_len, "credentials: \"%s\" in %s must be a non-empty string", key, where);
        return false;
    }
    *out = strdup(m->valuestring);
    return *out != NULL;
}

static bool s_expiration(const cJSON *o, int64_t *ms, char *err, size_t err_len, const char *where)
{
    char *text = NULL;
    if (!s_string(o, "expiration", false, &text, err, err_len, where)) {
        return false;
    }
    bool ok = !text || mock_credentials_parse_time(text, ms);
    if (!ok) {
        snprintf(err, err_len, "credentials: \"expiration\" in %s must look like 2030-01-01T00:00:00Z", where);
    }
    free(text);
    return ok;
}

static bool s_parse_cred(const cJSON *o, struct mock_credential *c, char *err, size_t err_len, size_t idx)
{
    static const char *const allowed[] = {"access_key_id", "secret_access_key", "session_token",
                                          "account_id",    "expiration",        NULL};
    char where[64];
    snprintf(where, sizeof(where), "credentials[%zu]", idx);
    if (!cJSON_IsObject(o)) {
        snprintf(err, err_len, "credentials: %s must be an object", where);
        return false;
    }
    return s_only_keys(o, allowed, err, err_len, where) &&
           s_string(o, "access_key_id", true, &c->access_key_id, err, err_len, where) &&
           s_string(o, "secret_access_key", true, &c->secret_access_key, err, err_len, where) &&
           s_string(o, "session_token", false, &c->session_token, err, err_len, where) &&
           s_string(o, "account_id", false, &c->account_id, err, err_len, where) &&
           s_expiration(o, &c->expires_ms, err, err_len, where);
}

static bool s_parse_key(const cJSON *o, struct mock_api_key *k, char *err, size_t err_len, size_t idx)
{
    static const char *const allowed[] = {"key", "account_id", "expiration", NULL};
    char where[64];
    snprintf(where, sizeof(where), "api_keys[%zu]", idx);
    if (!cJSON_IsObject(o)) {
        snprintf(err, err_len, "credentials: %s must be an object", where);
        return false;
    }
    return s_only_keys(o, allowed, err, err_len, where) && s_string(o, "key", true, &k->key, err, err_len, where) &&
           s_string(o, "account_id", false, &k->account_id, err, err_len, where) &&
           s_expiration(o, &k->expires_ms, err, err_len, where);
}

static bool s_parse_lists(const cJSON *root, struct mock_credentials *set, char *err, size_t err_len)
{
    static const char *const allowed[] = {"credentials", "api_keys", NULL};
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(root, "credentials");
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "api_keys");
    if (!s_only_keys(root, allowed, err, err_len, "the top level")) {
        return false;
    }
    if ((creds && !cJSON_IsArray(creds)) || (keys && !cJSON_IsArray(keys))) {
        snprintf(err, err_len, "credentials: \"credentials\" and \"api_keys\" must be arrays");
        return false;
    }
    size_t nc = (size_t)cJSON_GetArraySize(creds), nk = (size_t)cJSON_GetArraySize(keys);
    set->creds = calloc(nc ? nc : 1, sizeof(*set->creds));
    set->keys = calloc(nk ? nk : 1, sizeof(*set->keys));
    if (!set->creds || !set->keys) {
        snprintf(err, err_len, "credentials: out of memory");
        return false;
    }
    for (size_t i = 0; i < nc; i++, set->n_creds++) {
        if (!s_parse_cred(cJSON_GetArrayItem(creds, (int)i), &set->creds[i], err, err_len, i)) {
            set->n_creds++; /* so destroy frees what was filled */
            return false;
        }
    }
    for (size_t i = 0; i < nk; i++, set->n_keys++) {
        if (!s_parse_key(cJSON_GetArrayItem(keys, (int)i), &set->keys[i], err, err_len, i)) {
            set->n_keys++;
            return false;
        }
    }
    return true;
}

enum brk_status mock_credentials_parse(const char *json, size_t len, struct mock_credentials **out, char *err,
                                       size_t err_len)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(root)) {
        snprintf(err, err_len, "credentials: not a JSON object");
        cJSON_Delete(root);
        return BRK_ERR_PARSE;
    }
    struct mock_credentials *set = calloc(1, sizeof(*set));
    bool ok = set && s_parse_lists(root, set, err, err_len);
    /* cJSON's copies of the secrets are wiped before they go back to the allocator. */
    const cJSON *list, *entry, *m;
    cJSON_ArrayForEach(list, root)
    {
        cJSON_ArrayForEach(entry, list)
        {
            cJSON_ArrayForEach(m, entry)
            {
                if (cJSON_IsString(m)) {
                    OPENSSL_cleanse(m->valuestring, strlen(m->valuestring));
                }
            }
        }
    }
    cJSON_Delete(root);
    if (!ok) {
        mock_credentials_destroy(set);
        return set ? BRK_ERR_PARSE : BRK_ERR_NOMEM;
    }
    *out = set;
    return BRK_OK;
}

enum brk_status mock_credentials_load(const char *path, struct mock_credentials **out, char *err, size_t err_len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "cannot open credentials file %s", path);
        return BRK_ERR_IO;
    }
    char *data = malloc(S_MAX_FILE_BYTES + 1);
    size_t len = data ? fread(data, 1, S_MAX_FILE_BYTES + 1, f) : 0;
    fclose(f);
    enum brk_status rc = BRK_ERR_NOMEM;
    if (data && len > S_MAX_FILE_BYTES) {
        snprintf(err, err_len, "credentials file %s is larger than 1 MiB", path);
        rc = BRK_ERR_TOO_LARGE;
    } else if (data) {
        rc = mock_credentials_parse(data, len, out, err, err_len);
    }
    if (data) {
        OPENSSL_cleanse(data, len);
    }
    free(data);
    return rc;
}

const struct mock_credential *mock_credentials_find(const struct mock_credentials *set, const char *access_key_id)
{
    for (size_t i = 0; set && access_key_id && i < set->n_creds; i++) {
        if (strcmp(set->creds[i].access_key_id, access_key_id) == 0) {
            return &set->creds[i];
        }
    }
    return NULL;
}

/* Every listed key is compared, so the time taken does not tell which one (or whether) matched. */
const struct mock_api_key *mock_credentials_find_key(const struct mock_credentials *set, const char *token)
{
    const struct mock_api_key *found = NULL;
    for (size_t i = 0; set && token && i < set->n_keys; i++) {
        if (brk_sigv4_equal(set->keys[i].key, token) && !found) {
            found = &set->keys[i];
        }
    }
    return found;
}
