/*
 * json_long.h: cJSON's parse, with long plain strings copied at memory speed.
 *
 * Why: cJSON reads a string twice a byte at a time (once to find its end and size it, once to
 * copy it, unescaping). A Converse request with documents carries tens of kilobytes of base64
 * in a few strings, and on the 100 KB fixture those two loops were about a third of the
 * server's CPU (docs/benchmarks.md).
 *
 * How: a scan finds the string tokens (a quote outside a string opens one; a backslash escapes
 * the byte after it, as cJSON reads them), and tells keys (the next byte above a space is ':')
 * from values. Each value of at least `min_string_bytes` with no backslash has its content left
 * out of a copy of the text, cJSON parses the copy (so every string of it is short or escaped),
 * and the tree's string values, visited in document order, get the left-out contents back,
 * copied with memcpy into memory from cJSON_malloc (the hooks in force: an arena's while
 * brk_json_arena_parse runs). cJSON reads such a string byte for byte, so the tree is the one
 * cJSON_ParseWithLength(text, len) gives: the same nodes, keys, strings (embedded NULs
 * included) and numbers, and NULL for the same texts. Whenever the copy does not parse, or a
 * value that was left out does not come back empty, the text is parsed by cJSON as it is.
 *
 * Ownership: the tree is the caller's (cJSON_Delete, or brk_json_arena_delete for an arena's).
 * Thread-safe: no state of its own. Bounded: at most BRK_JSON_LONG_MAX strings are left out
 * (the rest parse as usual), and the copy is at most `len` bytes, freed before returning.
 */
#ifndef BEDROCK_JSON_LONG_H
#define BEDROCK_JSON_LONG_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define BRK_JSON_LONG_MAX 64

/* cJSON_ParseWithLength(text, len), with string values of at least `min_string_bytes` (> 0)
 * and no backslash copied as described above. */
cJSON *brk_json_parse_long(const char *text, size_t len, size_t min_string_bytes);

#endif
