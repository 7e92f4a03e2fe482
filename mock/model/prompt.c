/* prompt.c: a prompt-management ARN on Converse (see prompt.h). */
#include "mock/model/prompt.h"

#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/json.h"

#define S_MAX_PROMPT_BYTES (1u << 24)

/* The fields a prompt resource does not take (bedrock-facts.md section 5). The text follows
 * Bedrock's pattern for a field a model does not take (model-families.md section 2.1):
 * inferred, no source records the text for prompts. */
static const char *const s_refused[] = {"additionalModelRequestFields", "inferenceConfig", "system", "toolConfig"};
#define S_MSG_REFUSED "This model doesn't support the %s field. Remove %s and try again."

/* `text` with each "{{name}}" of promptVariables replaced by its "text"; unknown names stay. */
static char *s_substitute(const char *text, const cJSON *variables)
{
    struct brk_buf out;
    brk_buf_init(&out, S_MAX_PROMPT_BYTES);
    const char *p = text;
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            brk_buf_append_str(&out, p);
            break;
        }
        brk_buf_append(&out, p, (size_t)(open - p));
        const cJSON *v = NULL;
        cJSON_ArrayForEach(v, variables)
        {
            if (strlen(v->string) == (size_t)(close - open - 2) &&
                memcmp(v->string, open + 2, strlen(v->string)) == 0) {
                break;
            }
        }
        const char *value = cJSON_GetStringValue(brk_json_get(v, "text"));
        brk_buf_append(&out, value ? value : open, value ? strlen(value) : (size_t)(close + 2 - open));
        p = close + 2;
    }
    return brk_buf_detach(&out, NULL);
}

/* The request body with the prompt's text first. */
static cJSON *s_with_prompt(const cJSON *json, const char *text)
{
    cJSON *out = cJSON_Duplicate(json, 1);
    cJSON *messages = cJSON_GetObjectItemCaseSensitive(out, "messages");
    if (!cJSON_IsArray(messages)) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "messages");
        messages = cJSON_AddArrayToObject(out, "messages");
    }
    cJSON *block = cJSON_CreateObject();
    cJSON_AddStringToObject(block, "text", text);
    cJSON *first = cJSON_GetArrayItem(messages, 0);
    const char *role = cJSON_GetStringValue(brk_json_get(first, "role"));
    cJSON *content = cJSON_GetObjectItemCaseSensitive(first, "content");
    if (role && strcmp(role, "user") == 0 && cJSON_IsArray(content)) {
        cJSON_InsertItemInArray(content, 0, block);
        return out;
    }
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "user");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(msg, "content"), block);
    cJSON_InsertItemInArray(messages, 0, msg);
    return out;
}

bool mock_prompt_apply(struct mock_catalog *catalog, struct mock_request *req, struct mock_response *resp)
{
    for (size_t i = 0; i < sizeof(s_refused) / sizeof(s_refused[0]); i++) {
        if (brk_json_get(req->json, s_refused[i])) {
            mock_response_errorf(resp, BRK_AWS_VALIDATION, S_MSG_REFUSED, s_refused[i], s_refused[i]);
            return false;
        }
    }
    char *stored = mock_catalog_prompt_text(catalog, req->model.resource);
    if (stored) {
        char *text = s_substitute(stored, brk_json_get(req->json, "promptVariables"));
        mock_request_set_json(req, s_with_prompt(req->json, text ? text : ""));
        free(text);
    }
    free(stored);
    return true;
}
