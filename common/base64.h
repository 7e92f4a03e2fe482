/*
 * base64.h: base64 as RFC 4648 section 4 defines it (alphabet A-Z a-z 0-9 + /, '=' padding),
 * shared by the mock and the client.
 *
 * Why strict: Bedrock's blobs (image, document and video bytes, redacted reasoning) travel in
 * JSON as base64 text, and Smithy's JSON protocols write the standard padded form. The encoder
 * always writes that form; the decoder accepts only it (length a multiple of 4, padding only at
 * the end, no whitespace, unused bits zero), so a text it accepts has exactly one byte string.
 *
 * Ownership: the caller owns `out`; encode and decode append to it. On failure `out` keeps its
 * previous contents. Thread-safe for distinct buffers.
 */
#ifndef BEDROCK_COMMON_BASE64_H
#define BEDROCK_COMMON_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"
#include "bedrock/status.h"

/* Append the base64 text of `len` bytes at `data` (NULL allowed when len is 0).
 * BRK_ERR_TOO_LARGE past out's max_len, BRK_ERR_NOMEM on allocation failure. */
enum brk_status brk_base64_encode(const void *data, size_t len, struct brk_buf *out);

/* Append the bytes that `len` characters of base64 `text` encode. BRK_ERR_PARSE when the text
 * is not strict padded base64; BRK_ERR_TOO_LARGE / BRK_ERR_NOMEM from the buffer. */
enum brk_status brk_base64_decode(const char *text, size_t len, struct brk_buf *out);

/* Decode `len` characters of base64 `text` into `out` (room for len / 4 * 3 bytes; a padded
 * final group writes only the bytes it encodes), a piece at a time: only a `final` piece may
 * end in padding, so a long text decoded piece by piece (each a multiple of 4 characters) is
 * accepted or refused exactly as brk_base64_decode would. *out_len: the bytes written (0 on
 * failure). BRK_ERR_PARSE when the piece is not strict base64. For a reader that needs the
 * bytes only once (counting a document's tokens): no buffer grows. */
enum brk_status brk_base64_decode_span(const char *text, size_t len, bool final, void *out, size_t *out_len);

/* What brk_base64_decode_span would decode the piece to, counted instead of written (the same
 * rules, status and *out_len): the decoded bytes below 0x80 are added to *below_80 and those at
 * or above 0xC0 to *from_c0 (ASCII and UTF-8 lead bytes: what the token estimator counts of a
 * text, common/token_profile.h), nothing on failure. 16 or 32 characters a step, no output room:
 * counting a text document's tokens. */
enum brk_status brk_base64_decode_count(const char *text, size_t len, bool final, size_t *out_len, uint64_t *below_80,
                                        uint64_t *from_c0);

/* Length of the run of base64 alphabet characters (A-Z a-z 0-9 + /, no '=') at the start of
 * text[0..len): strspn with that alphabet, bounded, 16 or 32 characters a step. */
size_t brk_base64_alphabet_span(const char *text, size_t len);

/* brk_base64_alphabet_span and brk_base64_decode_count take 32 characters a step where the CPU
 * has AVX2 and 16 elsewhere; `narrow` true makes them take 16 everywhere (for tests, which
 * check both widths give the same answers). Process-wide; thread-safe. */
void brk_base64_set_narrow(bool narrow);

/* Length of the base64 text of `len` bytes, or 0 when it would overflow size_t (len > 0). */
size_t brk_base64_encoded_len(size_t len);

#endif
