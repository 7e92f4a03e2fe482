/*
 * eventstream.h: the AWS event-stream binary framing (application/vnd.amazon.eventstream),
 * used by ConverseStream and InvokeModelWithResponseStream. Encoder for the mock, incremental
 * decoder for tests and the C client.
 *
 * A message (all integers big-endian):
 *   total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32
 * prelude_crc is the CRC-32 (zlib/IEEE) of the first 8 bytes; message_crc the CRC-32 of every
 * byte before it. A header is name_len u8 (>= 1) | name | type u8 | value, with the ten value
 * types of enum brk_es_type. Limits (Smithy's amazon-eventstream spec): payload <= 24 MiB,
 * encoded headers <= 128 KiB; duplicate header names are an error. Facts and sources:
 * docs/streaming.md.
 *
 * Ownership: a decoded message points into the decoder's (or the caller's) buffer and is
 * valid until the next call on that decoder. Header names and string values are NOT
 * NUL-terminated; use brk_es_header_is / brk_es_message_string. Not thread-safe per decoder.
 */
#ifndef BEDROCK_EVENTSTREAM_H
#define BEDROCK_EVENTSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/buf.h"
#include "bedrock/export.h"
#include "bedrock/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRK_ES_PRELUDE_LEN 12u
#define BRK_ES_OVERHEAD 16u            /* prelude + message CRC: the size of an empty message */
#define BRK_ES_MAX_PAYLOAD 25165824u   /* 24 MiB */
#define BRK_ES_MAX_HEADERS_LEN 131072u /* 128 KiB of encoded headers */
#define BRK_ES_MAX_MESSAGE (BRK_ES_OVERHEAD + BRK_ES_MAX_HEADERS_LEN + BRK_ES_MAX_PAYLOAD)
/* Headers per message this implementation holds. The spec sets no count; 128 KiB of headers
 * could mean 43,000 one-letter ones, so a bound keeps the duplicate check cheap. */
#define BRK_ES_MAX_HEADER_COUNT 128u

enum brk_es_type {
    BRK_ES_BOOL_TRUE = 0,
    BRK_ES_BOOL_FALSE = 1,
    BRK_ES_BYTE = 2,      /* int8 */
    BRK_ES_SHORT = 3,     /* int16 */
    BRK_ES_INT = 4,       /* int32 */
    BRK_ES_LONG = 5,      /* int64 */
    BRK_ES_BYTES = 6,     /* u16 length + bytes */
    BRK_ES_STRING = 7,    /* u16 length + UTF-8 */
    BRK_ES_TIMESTAMP = 8, /* int64 milliseconds since the epoch */
    BRK_ES_UUID = 9,      /* 16 bytes */
};

struct brk_es_header {
    const char *name; /* name_len bytes, not NUL-terminated when decoded */
    uint8_t name_len;
    enum brk_es_type type;
    union {
        bool boolean;   /* BOOL_TRUE / BOOL_FALSE (also implied by the type) */
        int64_t number; /* BYTE, SHORT, INT, LONG, TIMESTAMP */
        struct {
            const uint8_t *data;
            uint16_t len;
        } bytes; /* BYTES, STRING */
        uint8_t uuid[16];
    } v;
};

struct brk_es_message {
    uint32_t total_length;
    uint32_t headers_length;
    uint32_t prelude_crc;
    uint32_t message_crc;
    struct brk_es_header headers[BRK_ES_MAX_HEADER_COUNT];
    size_t n_headers;
    const uint8_t *payload;
    size_t payload_len;
};

/* A string header (name and value NUL-terminated C strings, borrowed). */
BRK_API struct brk_es_header brk_es_header_string(const char *name, const char *value);

/* Append one encoded message to `out`. BRK_ERR_INVALID_ARG for a bad header (empty or
 * > 255-byte name, unknown type, duplicate name, value > 65535 bytes), BRK_ERR_TOO_LARGE past
 * the limits or the buffer's cap; `out` is unchanged on failure. */
BRK_API enum brk_status brk_es_encode(struct brk_buf *out, const struct brk_es_header *headers, size_t n_headers,
                                      const void *payload, size_t payload_len);

/* Parse the message at the start of `data`. BRK_ERR_INCOMPLETE when `len` does not yet hold
 * all of it (and the prelude, once present, is sound); BRK_ERR_CRC on a checksum mismatch;
 * BRK_ERR_TOO_LARGE past the limits; BRK_ERR_PARSE for malformed lengths or headers
 * (a duplicate header name included). On BRK_OK *consumed is the message's length. */
BRK_API enum brk_status brk_es_parse(const void *data, size_t len, struct brk_es_message *msg, size_t *consumed);

/* Whether header `h` is named `name`. */
BRK_API bool brk_es_header_is(const struct brk_es_header *h, const char *name);

/* The header named `name`, or NULL. */
BRK_API const struct brk_es_header *brk_es_message_header(const struct brk_es_message *msg, const char *name);

/* Copy the string (or bytes) header `name` into out as a C string; false when absent, not a
 * string/bytes header, or longer than out_len - 1. */
BRK_API bool brk_es_message_string(const struct brk_es_message *msg, const char *name, char *out, size_t out_len);

/* The incremental decoder: feed bytes as they arrive, take messages out. */
struct brk_es_decoder {
    struct brk_buf buf;
    size_t start;          /* first byte not yet handed out */
    size_t handed;         /* length of the message handed out last (dropped on the next call) */
    enum brk_status error; /* sticky: a framing error ends the stream */
};

BRK_API void brk_es_decoder_init(struct brk_es_decoder *dec);

/* Add bytes. BRK_ERR_TOO_LARGE when more than one maximal message would be pending, or the
 * sticky error of a broken stream. */
BRK_API enum brk_status brk_es_decoder_feed(struct brk_es_decoder *dec, const void *data, size_t len);

/* The next complete message: BRK_OK (msg filled), BRK_ERR_INCOMPLETE (feed more), or the
 * error that broke the stream (returned again on every later call). */
BRK_API enum brk_status brk_es_decoder_next(struct brk_es_decoder *dec, struct brk_es_message *msg);

/* Bytes fed but not yet returned as messages (a partial message at the end of a stream). */
BRK_API size_t brk_es_decoder_pending(const struct brk_es_decoder *dec);

/* Free the buffer. Accepts NULL. */
BRK_API void brk_es_decoder_clean_up(struct brk_es_decoder *dec);

#ifdef __cplusplus
}
#endif

#endif
