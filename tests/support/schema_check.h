/*
 * schema_check.h: a small JSON Schema validator written for the tests, independent of the
 * mock's example generator (mock/model/schema_example.c), so a test can say "the reply
 * validates against its schema" without trusting the code under test.
 *
 * Follows: local $ref (JSON pointers into the root), type (a name or a list), const, enum,
 * anyOf, oneOf (exactly one), allOf, not, properties, required, additionalProperties (false or a
 * schema), items (a schema or draft 4's list), prefixItems, minItems, maxItems, uniqueItems,
 * minLength/maxLength (in characters), pattern (ECMA's \d \w \s and (?: translated to POSIX
 * extended syntax; unanchored, as JSON Schema says), format (date-time, date, time, email,
 * hostname, ipv4, ipv6, uri, uuid), minimum, maximum, exclusiveMinimum/Maximum (both drafts),
 * multipleOf. Unknown keywords are ignored, as the specification says.
 *
 * Thread-safety: no shared state. Not for production use: bounded by depth 64, no remote $ref.
 */
#ifndef TESTS_SCHEMA_CHECK_H
#define TESTS_SCHEMA_CHECK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* True when `instance` satisfies `schema`; otherwise false with the first reason (a JSON path
 * and what failed) in why. */
bool th_schema_valid(const cJSON *schema, const cJSON *instance, char *why, size_t why_len);

#endif
