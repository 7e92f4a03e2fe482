/*
 * json.h: JSON helpers shared by the mock and the client: member lookup, string literals and
 * compact output.
 *
 * brk_json_print writes a cJSON tree compactly into a bounded buffer, byte for byte as
 * cJSON_PrintUnformatted (cJSON 1.7.x) would, so switching between them changes no answer.
 * Why our own: cJSON prints every number with sprintf("%1.15g") and reads it back with sscanf
 * to check the precision; for the integers that make up nearly all of Bedrock's numbers
 * (token counts, latencies) that was a fifth of a small Converse request's time. Integers
 * take a direct path here; other numbers follow cJSON's own rule.
 *
 * Ownership: the caller owns `out`; the tree is only read. Thread-safe for distinct buffers;
 * brk_json_get, brk_json_repeats and brk_json_count only read.
 */
#ifndef BEDROCK_JSON_H
#define BEDROCK_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/status.h"

/* Member of `obj` by exact, case-sensitive name (the first when a key repeats); NULL when there
 * is none, or when `obj` is NULL or not an object, or `name` is NULL. What
 * cJSON_GetObjectItemCaseSensitive answers for a parsed tree, but inline and without a call:
 * the validators look up every member of every block (a union's 14 members against a block's
 * single key, many of them starting "t" like "text"), so a miss usually ends at the first or
 * second byte, and a hit compares a short key in place. strcmp calls were 5-8% of a 20 KB
 * request (docs/benchmarks.md). */
static inline const cJSON *brk_json_get(const cJSON *obj, const char *name)
{
    if (!obj || !name || (obj->type & 0xFF) != cJSON_Object) { /* cJSON_IsObject, without the call */
        return NULL;
    }
    for (const cJSON *e = obj->child; e; e = e->next) {
        const char *a = e->string, *b = name;
        if (!a) {
            continue;
        }
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b) {
            return e;
        }
    }
    return NULL;
}

/* Whether `obj` holds more than one member named `name`. A parsed tree keeps every copy of a
 * repeated key and brk_json_get answers the first; RFC 8259 §4 leaves which one counts to the
 * reader, so code that rewrites a member checks first that the reader has no choice to make. */
bool brk_json_repeats(const cJSON *obj, const char *name);

/* Append `len` bytes of `data` as a JSON string literal, quotes included, escaped exactly as
 * cJSON escapes (so brk_json_print and cJSON_PrintUnformatted agree byte for byte). Errors of
 * the buffer (BRK_ERR_TOO_LARGE, BRK_ERR_NOMEM); out then holds a partial literal. */
enum brk_status brk_buf_append_json_str(struct brk_buf *buf, const char *data, size_t len);

/* Append the compact text of `item` to out. BRK_ERR_INVALID_ARG for a tree cJSON cannot
 * print either (an invalid item, a raw item without text); BRK_ERR_TOO_LARGE / BRK_ERR_NOMEM
 * from the buffer. On failure out holds a partial text the caller should discard. */
enum brk_status brk_json_print(const cJSON *item, struct brk_buf *out);

/* What brk_json_print(item) would append, measured without writing it: `len` grows by the
 * text's length, and `on_string` (may be NULL) sees the raw bytes of every string, values and
 * keys alike (len bytes, up to the NUL), the only bytes of the text that can be other than
 * ASCII (escapes and everything else are ASCII). For counting a value's tokens by its printed
 * text (common/converse_walk.c) without printing a tool result's JSON. False for a tree
 * brk_json_print would refuse, and for a raw item (measure none: print instead). */
struct brk_json_measure {
    uint64_t len;
    void (*on_string)(void *ctx, const char *s, size_t len);
    void *ctx;
};
bool brk_json_measure(const cJSON *item, struct brk_json_measure *m);

/* A count read from JSON: `dflt` when `item` is absent or not a number, else its value clamped
 * to [0, 2^53] and truncated, so the conversion is defined for any number a body or file
 * holds (casting 1e300 or 1e66 to an integer type is undefined; both were found by fuzzing). */
uint64_t brk_json_count(const cJSON *item, uint64_t dflt);

/* `v` in plain decimal ("-12", "0"), NUL-terminated, into text[32]; the length without the NUL.
 * What cJSON prints for an integer below 1e15, without sprintf; also the prompt-cache hash's
 * spelling of an integer (mock/cache/plan.c). */
size_t brk_json_integer_text(long long v, char text[32]);

#endif
