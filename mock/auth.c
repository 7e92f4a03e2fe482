/*
 * auth.c: the authentication stage. Reads who is calling from the Authorization header:
 * the access key id of a SigV4 credential, or a digest of a bearer token, becomes the
 * account that keeps this caller's state (cache, quotas) apart from others'.
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "mock/stages.h"

#define S_SIGV4_PREFIX "AWS4-HMAC-SHA256 "

/* Copy the access key id out of "... Credential=AKID/date/region/service/aws4_request". */
static bool s_access_key_id(const char *auth, char *out, size_t out_len)
{
    const char *cred = strstr(auth, "Credential=");
    if (!cred) {
        return false;
    }
    cred += strlen("Credential=");
    size_t n = strcspn(cred, "/, ");
    if (n == 0 || n >= out_len || cred[n] != '/') {
        return false;
    }
    memcpy(out, cred, n);
    out[n] = '\0';
    return true;
}

/* Bearer tokens are secrets: the account is a digest, never the token itself. */
static void s_bearer_account(const char *token, char *out, size_t out_len)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, strlen(token), md);
    snprintf(out, out_len, "bearer-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4], md[5]);
}

bool mock_stage_auth(struct brk_mock *mock, struct mock_request *req, struct mock_response *resp)
{
    (void)mock;
    (void)resp;
    const char *auth = mock_request_header(req, "Authorization");
    if (!auth) {
        snprintf(req->auth_outcome, sizeof(req->auth_outcome), "unsigned");
        return true;
    }
    if (strncmp(auth, S_SIGV4_PREFIX, strlen(S_SIGV4_PREFIX)) == 0 &&
        s_access_key_id(auth, req->account, sizeof(req->account))) {
        snprintf(req->auth_outcome, sizeof(req->auth_outcome), "sigv4-unverified");
    } else if (strncmp(auth, "Bearer ", 7) == 0) {
        s_bearer_account(auth + 7, req->account, sizeof(req->account));
        snprintf(req->auth_outcome, sizeof(req->auth_outcome), "bearer-unverified");
    } else {
        snprintf(req->auth_outcome, sizeof(req->auth_outcome), "unrecognised");
    }
    return true;
}
