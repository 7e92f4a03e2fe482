/* response.c: building replies and Bedrock-shaped errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "mock/mock_priv.h"
#include "mock/pipeline/response.h"

/* Replies are small JSON documents; 64 MiB is far above any legitimate one. */
#define S_MAX_REPLY_BYTES (64u * 1024u * 1024u)

void mock_response_init(struct mock_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    resp->fault.close_after_bytes = -1;
    brk_buf_init(&resp->body, S_MAX_REPLY_BYTES);
    snprintf(resp->content_type, sizeof(resp->content_type), "application/json");
}

void mock_response_clean_up(struct mock_response *resp)
{
    brk_buf_clean_up(&resp->body);
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->n_headers = 0;
    if (resp->stream_free && resp->stream_ctx) {
        resp->stream_free(resp->stream_ctx);
    }
    resp->stream_ctx = NULL;
    resp->stream_fn = NULL;
    cJSON_Delete(resp->journal_extra);
    resp->journal_extra = NULL;
}

void mock_response_add_header(struct mock_response *resp, const char *name, const char *value)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            free(resp->headers[i].value);
            resp->headers[i].value = strdup(value);
            return;
        }
    }
    if (resp->n_headers < sizeof(resp->headers) / sizeof(resp->headers[0])) {
        resp->headers[resp->n_headers].name = strdup(name);
        resp->headers[resp->n_headers].value = strdup(value);
        resp->n_headers++;
    }
}

void mock_response_error(struct mock_response *resp, enum brk_aws_error id, const char *message)
{
    const struct brk_aws_error_info *info = brk_aws_error_get(id);
    if (!info) {
        info = brk_aws_error_get(BRK_AWS_INTERNAL_SERVER);
    }
    resp->error = info;
    resp->status = info->http_status;
    snprintf(resp->error_message, sizeof(resp->error_message), "%s", message ? message : info->default_message);
    snprintf(resp->content_type, sizeof(resp->content_type), "application/json");
    char type[256];
    brk_aws_error_type_header(info, type, sizeof(type));
    mock_response_add_header(resp, "x-amzn-ErrorType", type);
    brk_buf_reset(&resp->body);
    brk_buf_append_str(&resp->body, "{\"message\":");
    brk_buf_append_json_str(&resp->body, resp->error_message, strlen(resp->error_message));
    brk_buf_append_str(&resp->body, "}");
}

void mock_response_verrorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    mock_response_error(resp, id, msg);
}

void mock_response_errorf(struct mock_response *resp, enum brk_aws_error id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mock_response_verrorf(resp, id, fmt, ap);
    va_end(ap);
}

void mock_response_error_text(struct mock_response *resp, enum brk_aws_error id, const char *text, size_t len)
{
    mock_response_error(resp, id, text);
    brk_buf_reset(&resp->body);
    brk_buf_append_str(&resp->body, "{\"message\":");
    brk_buf_append_json_str(&resp->body, text, len);
    brk_buf_append_str(&resp->body, "}");
}

void mock_response_json(struct mock_response *resp, int status, const cJSON *json)
{
    resp->status = status;
    brk_buf_reset(&resp->body);
    if (brk_json_print(json, &resp->body) != BRK_OK) {
        mock_response_error(resp, BRK_AWS_INTERNAL_SERVER, NULL);
    }
}

/* Stages record what they decided (matched rule, cache outcome, quota, protocol) under their
 * own member; a later call under the same name replaces the earlier one, so an entry never
 * shows two answers for one stage. */
void mock_journal_extra_add(struct mock_response *resp, const char *name, cJSON *item)
{
    if (!resp->journal_extra) {
        resp->journal_extra = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(resp->journal_extra, name);
    cJSON_AddItemToObject(resp->journal_extra, name, item);
}
