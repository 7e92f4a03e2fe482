/*
 * schema_example.h (mock-private): one JSON value that satisfies a JSON Schema, built from the
 * schema alone. The forced-tool reply uses it for a toolUse input and the structured-output
 * reply (outputConfig.textFormat, Anthropic's output_config.format) for its JSON text, so
 * both answer a schema the same way (docs/operations.md, "Converse replies").
 *
 * What it honours: $ref to "#", "#/$defs/..." and "#/definitions/..." (any JSON pointer into
 * the root); const, then the first enum value, then anyOf/oneOf's first branch, allOf's
 * branches merged, then default; type (a list picks its first non-null type; without a type,
 * properties/required mean an object and items an array); an object's required members (and
 * nothing else); an array's minItems copies of items (or prefixItems in order); a string's
 * format (date-time, date, time, email, hostname, ipv4, ipv6, uri, uuid, duration, ...), else
 * an example of its pattern when the pattern is simple enough (literals, classes, \d \w \s, .,
 * groups, alternation takes its first branch, quantifiers take their minimum), then
 * minLength/maxLength; numbers inside minimum/maximum and their exclusive forms, on multipleOf;
 * integers whole. Unsatisfiable schemas get a best effort, never an error.
 *
 * Bounds (the schema is outside input): nesting MOCK_EXAMPLE_MAX_DEPTH ($ref hops count), at
 * most MOCK_EXAMPLE_MAX_NODES values and MOCK_EXAMPLE_MAX_STRING_BYTES of string text in all,
 * MOCK_EXAMPLE_MAX_ITEMS items per array; past a bound the example holds null, empty strings
 * or fewer items instead. So the printed example stays well under a megabyte.
 *
 * Ownership: returns a new tree the caller frees with cJSON_Delete; NULL only when out of
 * memory. Thread-safety: reads the schema only.
 */
#ifndef MOCK_SCHEMA_EXAMPLE_H
#define MOCK_SCHEMA_EXAMPLE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define MOCK_EXAMPLE_MAX_DEPTH 32
#define MOCK_EXAMPLE_MAX_NODES 4096
#define MOCK_EXAMPLE_MAX_STRING_BYTES (64 * 1024)
#define MOCK_EXAMPLE_MAX_ITEMS 64
/* Longest example generated from one pattern; a longer one is not attempted. */
#define MOCK_EXAMPLE_MAX_PATTERN_BYTES 1024

/* An instance of `schema` (any JSON; a non-object schema gives null). */
cJSON *mock_schema_example(const cJSON *schema);

/* The example of `pattern` (ECMA-262 syntax) written to out (at most `out_len - 1` bytes,
 * NUL-terminated); false when the pattern uses what the generator does not follow (look-arounds,
 * back-references, \u escapes, unbalanced groups) or its example would not fit. */
bool mock_pattern_example(const char *pattern, char *out, size_t out_len);

#endif
