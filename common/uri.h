/*
 * uri.h: the one URI codec of the project: percent-encoding of path labels and SigV4 pieces,
 * percent-decoding of paths, and decoding of query strings and forms ('+' is a space).
 *
 * Why one: the mock decodes the labels it routes on, the SigV4 code decodes a raw query to
 * canonicalise it, and the client encodes a model ARN into /model/{modelId}/converse. If each
 * kept its own copy, a model id the client encodes one way could be decoded another way by
 * the mock, and only an SDK would notice.
 *
 * The unreserved set is RFC 3986's, which is also SigV4's and botocore's for URI labels:
 * A-Z a-z 0-9 - . _ ~. Everything else is written %XX with upper-case hex, byte by byte, so
 * UTF-8 text is encoded one byte at a time (é is %C3%A9). Decoding accepts either case.
 *
 * Ownership: callers own every buffer; encoders append to a struct brk_buf, decoders write into
 * a caller array and allocate nothing. Pure functions; thread-safe.
 */
#ifndef BEDROCK_COMMON_URI_H
#define BEDROCK_COMMON_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "bedrock/buf.h"
#include "bedrock/status.h"

/* Percent-encode `len` bytes of `in` (every byte but the unreserved set), keeping '/' when
 * keep_slash (a canonical URI path). Appends to out. BRK_ERR_INVALID_ARG for a NULL `in` or
 * out; BRK_ERR_TOO_LARGE / BRK_ERR_NOMEM from the buffer (which then holds a partial text). */
enum brk_status brk_uri_encode(const char *in, size_t len, bool keep_slash, struct brk_buf *out);

/* Encode one path label ({modelId}, {guardrailIdentifier}): '/' is encoded too, as botocore
 * does, so an inference-profile ARN stays one segment ("arn%3Aaws%3Abedrock...%2Fid"). */
enum brk_status brk_uri_encode_label(const char *in, size_t len, struct brk_buf *out);

/* Percent-decode `in_len` bytes of a path or path label into out (out_size bytes, NUL-terminated
 * on success). Strict: BRK_ERR_PARSE for a '%' not followed by two hex digits (malformed or cut
 * short) and for an escape that decodes to a NUL byte (the result is used as a C string, so
 * "a%00b" would silently become "a"); BRK_ERR_TOO_LARGE when the result and its NUL do not fit;
 * BRK_ERR_INVALID_ARG for NULL pointers or out_size 0. out's contents are unspecified on failure.
 * A decoded text is never longer than its encoding, so out_size = in_len + 1 always fits. */
enum brk_status brk_uri_decode(const char *in, size_t in_len, char *out, size_t out_size);

/* brk_uri_decode for a query-string or form component (application/x-www-form-urlencoded):
 * a literal '+' is a space, "%2B" is a '+'. */
enum brk_status brk_form_decode(const char *in, size_t in_len, char *out, size_t out_size);

/* The lenient decoding of SigV4 canonicalisation (botocore's unquote): a '%' not followed by
 * two hex digits is kept as it is, and every escape is decoded, NUL included; '+' stays '+'.
 * Writes the decoded length to *out_len (when not NULL); errors as brk_uri_decode, without
 * BRK_ERR_PARSE. */
enum brk_status brk_uri_decode_lenient(const char *in, size_t in_len, char *out, size_t out_size, size_t *out_len);

#endif
