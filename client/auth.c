/*
 * auth.c: the authentication headers of one attempt.
 *
 * SigV4 as botocore signs bedrock-runtime (client-facts.md §4): signing name `bedrock`, the
 * signed headers content-type, host and x-amz-date (plus x-amz-security-token with temporary
 * credentials), the payload hash over the exact body and no x-amz-content-sha256 header; the
 * canonical URI is the already-encoded wire path encoded again (common/sigv4.c does that).
 * User-Agent, amz-sdk-invocation-id and amz-sdk-request go on the wire unsigned. Each attempt
 * is signed afresh with the time of the client's clock. A Bedrock API key is sent as
 * `Authorization: Bearer <key>` instead, with nothing signed.
 */
#include <stdio.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "client/client_priv.h"
#include "common/alloc.h"

static enum brk_status s_append(struct curl_slist **list, const char *name, const char *value)
{
    struct brk_buf line;
    brk_buf_init(&line, 64u << 10);
    enum brk_status rc = brk_buf_appendf(&line, "%s: %s", name, value);
    struct curl_slist *next = rc == BRK_OK ? curl_slist_append(*list, line.data) : NULL;
    if (line.data) {
        memset(line.data, 0, line.len); /* may hold a token */
    }
    brk_buf_clean_up(&line);
    if (rc == BRK_OK && next == NULL) {
        rc = BRK_ERR_NOMEM;
    }
    *list = next ? next : *list;
    return rc;
}

static enum brk_status s_sigv4(const struct brk_client *client, const char *path, const char *body, size_t body_len,
                               struct curl_slist **list)
{
    int64_t now_ms = client->clock ? brk_clock_now_ms(client->clock) : brk_clock_real_ms();
    struct brk_sigv4_params p = {
        .access_key_id = client->s.access_key_id,
        .secret_access_key = client->s.secret_access_key,
        .session_token = client->s.session_token,
        .region = client->s.region,
        .service = "bedrock",
        .time_s = now_ms / 1000,
        .normalize_path = true,
    };
    const struct brk_sigv4_header headers[] = {
        {"Content-Type", "application/json"},
        {"Host", client->host},
    };
    struct brk_sigv4_result res;
    brk_sigv4_result_init(&res);
    enum brk_status rc = brk_sigv4_sign(&p, "POST", path, NULL, headers, 2, body, body_len, &res);
    rc = rc == BRK_OK ? s_append(list, "X-Amz-Date", res.amz_date) : rc;
    if (rc == BRK_OK && client->s.session_token) {
        rc = s_append(list, "X-Amz-Security-Token", client->s.session_token);
    }
    rc = rc == BRK_OK ? s_append(list, "Authorization", res.authorization.data) : rc;
    brk_sigv4_result_clean_up(&res);
    return rc;
}

enum brk_status client_auth_headers(const struct brk_client *client, const char *path, const char *body,
                                    size_t body_len, struct curl_slist **list, struct brk_error *err)
{
    enum brk_status rc;
    if (client->s.bearer_token) {
        struct brk_buf v;
        brk_buf_init(&v, 64u << 10);
        rc = brk_buf_appendf(&v, "Bearer %s", client->s.bearer_token);
        rc = rc == BRK_OK ? s_append(list, "Authorization", v.data) : rc;
        if (v.data) {
            memset(v.data, 0, v.len);
        }
        brk_buf_clean_up(&v);
    } else {
        rc = s_sigv4(client, path, body, body_len, list);
    }
    if (rc != BRK_OK) {
        return brk_error_setf(err, rc == BRK_ERR_NOMEM ? rc : BRK_ERR_SIGV4, "signing the request failed: %s",
                              brk_status_str(rc));
    }
    return BRK_OK;
}
