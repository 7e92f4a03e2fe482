/* eventstream.c: AWS event-stream framing, encoder and incremental decoder (see eventstream.h). */
#include "bedrock/eventstream.h"

#include <string.h>
#include <zlib.h>

static uint32_t s_crc(const uint8_t *data, size_t len)
{
    /* zlib takes uInt lengths; messages are far below 4 GiB, but stay correct anyway. */
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, data, n);
        data += n;
        len -= n;
    }
    return (uint32_t)crc;
}

static uint32_t s_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void s_put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

static uint64_t s_get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Bytes of a value of `type` that follow the type byte, excluding variable data; 0 for bools,
 * SIZE_MAX for an unknown type. */
static size_t s_fixed_size(enum brk_es_type type)
{
    static const size_t sizes[] = {0, 0, 1, 2, 4, 8, 2, 2, 8, 16};
    return (unsigned)type < sizeof(sizes) / sizeof(sizes[0]) ? sizes[type] : SIZE_MAX;
}

struct brk_es_header brk_es_header_string(const char *name, const char *value)
{
    struct brk_es_header h;
    memset(&h, 0, sizeof(h));
    size_t n = strlen(name);
    size_t v = strlen(value);
    h.name = name;
    h.name_len = (uint8_t)(n > 255 ? 0 : n); /* 0 makes brk_es_encode refuse an over-long name */
    h.type = BRK_ES_STRING;
    h.v.bytes.data = (const uint8_t *)value;
    h.v.bytes.len = (uint16_t)(v > 65535 ? 65535 : v);
    return h;
}

bool brk_es_header_is(const struct brk_es_header *h, const char *name)
{
    size_t n = strlen(name);
    return h->name_len == n && memcmp(h->name, name, n) == 0;
}

static bool s_same_name(const struct brk_es_header *a, const struct brk_es_header *b)
{
    return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

static bool s_has_duplicate(const struct brk_es_header *headers, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (s_same_name(&headers[i], &headers[j])) {
                return true;
            }
        }
    }
    return false;
}

/* Encoded size of the headers, or 0 with *rc set when one is invalid. */
static size_t s_headers_size(const struct brk_es_header *headers, size_t n, enum brk_status *rc)
{
    size_t total = 0;
    *rc = BRK_OK;
    if (n > BRK_ES_MAX_HEADER_COUNT || s_has_duplicate(headers, n)) {
        *rc = BRK_ERR_INVALID_ARG;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct brk_es_header *h = &headers[i];
        size_t fixed = s_fixed_size(h->type);
        if (h->name_len == 0 || fixed == SIZE_MAX) {
            *rc = BRK_ERR_INVALID_ARG;
            return 0;
        }
        total += 2u + h->name_len + fixed;
        if (h->type == BRK_ES_BYTES || h->type == BRK_ES_STRING) {
            total += h->v.bytes.len;
        }
    }
    if (total > BRK_ES_MAX_HEADERS_LEN) {
        *rc = BRK_ERR_TOO_LARGE;
    }
    return total;
}

/* Append the header's bytes; stops at the first failure (the caller rolls back). */
static enum brk_status s_append_header(struct brk_buf *out, const struct brk_es_header *h)
{
    uint8_t fixed[16];
    size_t n = s_fixed_size(h->type);
    uint8_t lead = h->name_len, type = (uint8_t)h->type;
    switch (h->type) {
    case BRK_ES_BOOL_TRUE:
    case BRK_ES_BOOL_FALSE:
        break;
    case BRK_ES_BYTES:
    case BRK_ES_STRING:
        s_put_be(fixed, h->v.bytes.len, 2);
        break;
    case BRK_ES_UUID:
        memcpy(fixed, h->v.uuid, 16);
        break;
    default:
        s_put_be(fixed, (uint64_t)h->v.number, n);
        break;
    }
    enum brk_status rc = brk_buf_append(out, &lead, 1);
    rc = rc == BRK_OK ? brk_buf_append(out, h->name, h->name_len) : rc;
    rc = rc == BRK_OK ? brk_buf_append(out, &type, 1) : rc;
    rc = rc == BRK_OK ? brk_buf_append(out, fixed, n) : rc;
    if (rc == BRK_OK && (h->type == BRK_ES_BYTES || h->type == BRK_ES_STRING) && h->v.bytes.len) {
        rc = brk_buf_append(out, h->v.bytes.data, h->v.bytes.len);
    }
    return rc;
}

enum brk_status brk_es_encode(struct brk_buf *out, const struct brk_es_header *headers, size_t n_headers,
                              const void *payload, size_t payload_len)
{
    enum brk_status rc = BRK_OK;
    size_t hlen = s_headers_size(headers, n_headers, &rc);
    if (rc != BRK_OK) {
        return rc;
    }
    if (payload_len > BRK_ES_MAX_PAYLOAD) {
        return BRK_ERR_TOO_LARGE;
    }
    size_t total = BRK_ES_OVERHEAD + hlen + payload_len;
    size_t old_len = out->len;
    uint8_t prelude[BRK_ES_PRELUDE_LEN], crc[4];
    s_put_be(prelude, total, 4);
    s_put_be(prelude + 4, hlen, 4);
    s_put_be(prelude + 8, s_crc(prelude, 8), 4);
    rc = brk_buf_append(out, prelude, sizeof(prelude));
    for (size_t i = 0; rc == BRK_OK && i < n_headers; i++) {
        rc = s_append_header(out, &headers[i]);
    }
    rc = rc == BRK_OK && payload_len ? brk_buf_append(out, payload, payload_len) : rc;
    if (rc == BRK_OK) {
        s_put_be(crc, s_crc((const uint8_t *)out->data + old_len, total - 4), 4);
        rc = brk_buf_append(out, crc, 4);
    }
    if (rc != BRK_OK && out->data) {
        out->len = old_len;
        out->data[old_len] = '\0';
    }
    return rc;
}

/* ---- decoding ----------------------------------------------------------------------- */

static enum brk_status s_parse_value(const uint8_t *p, size_t left, struct brk_es_header *h, size_t *used)
{
    size_t fixed = s_fixed_size(h->type);
    if (fixed == SIZE_MAX || fixed > left) {
        return BRK_ERR_PARSE;
    }
    *used = fixed;
    switch (h->type) {
    case BRK_ES_BOOL_TRUE:
    case BRK_ES_BOOL_FALSE:
        h->v.boolean = h->type == BRK_ES_BOOL_TRUE;
        return BRK_OK;
    case BRK_ES_BYTES:
    case BRK_ES_STRING:
        h->v.bytes.len = (uint16_t)s_get_be(p, 2);
        if (h->v.bytes.len > left - 2) {
            return BRK_ERR_PARSE;
        }
        h->v.bytes.data = p + 2;
        *used += h->v.bytes.len;
        return BRK_OK;
    case BRK_ES_UUID:
        memcpy(h->v.uuid, p, 16);
        return BRK_OK;
    default: {
        /* Sign-extend the big-endian value of `fixed` bytes. */
        uint64_t raw = s_get_be(p, fixed);
        unsigned shift = (unsigned)(64 - 8 * fixed);
        h->v.number = shift ? (int64_t)(raw << shift) >> shift : (int64_t)raw;
        return BRK_OK;
    }
    }
}

static enum brk_status s_parse_headers(const uint8_t *p, size_t len, struct brk_es_message *msg)
{
    size_t off = 0;
    msg->n_headers = 0;
    while (off < len) {
        if (msg->n_headers == BRK_ES_MAX_HEADER_COUNT) {
            return BRK_ERR_TOO_LARGE;
        }
        struct brk_es_header *h = &msg->headers[msg->n_headers];
        memset(h, 0, sizeof(*h));
        h->name_len = p[off];
        if (h->name_len == 0 || len - off < 2u + h->name_len) {
            return BRK_ERR_PARSE;
        }
        h->name = (const char *)p + off + 1;
        h->type = (enum brk_es_type)p[off + 1 + h->name_len];
        off += 2u + h->name_len;
        size_t used = 0;
        enum brk_status rc = s_parse_value(p + off, len - off, h, &used);
        if (rc != BRK_OK) {
            return rc;
        }
        off += used;
        for (size_t j = 0; j < msg->n_headers; j++) {
            if (s_same_name(h, &msg->headers[j])) {
                return BRK_ERR_PARSE; /* duplicate header name */
            }
        }
        msg->n_headers++;
    }
    return BRK_OK;
}

/* Check the prelude as soon as its 12 bytes are in, so a bad frame is refused before its
 * (possibly huge, possibly bogus) body is waited for. */
static enum brk_status s_check_prelude(const uint8_t *p, struct brk_es_message *msg)
{
    msg->total_length = s_get_u32(p);
    msg->headers_length = s_get_u32(p + 4);
    msg->prelude_crc = s_get_u32(p + 8);
    if (s_crc(p, 8) != msg->prelude_crc) {
        return BRK_ERR_CRC;
    }
    if (msg->total_length < BRK_ES_OVERHEAD || msg->headers_length > msg->total_length - BRK_ES_OVERHEAD) {
        return BRK_ERR_PARSE;
    }
    if (msg->headers_length > BRK_ES_MAX_HEADERS_LEN ||
        msg->total_length - BRK_ES_OVERHEAD - msg->headers_length > BRK_ES_MAX_PAYLOAD) {
        return BRK_ERR_TOO_LARGE;
    }
    return BRK_OK;
}

enum brk_status brk_es_parse(const void *data, size_t len, struct brk_es_message *msg, size_t *consumed)
{
    const uint8_t *p = data;
    *consumed = 0;
    if (len < BRK_ES_PRELUDE_LEN) {
        return BRK_ERR_INCOMPLETE;
    }
    enum brk_status rc = s_check_prelude(p, msg);
    if (rc != BRK_OK) {
        return rc;
    }
    if (len < msg->total_length) {
        return BRK_ERR_INCOMPLETE;
    }
    size_t total = msg->total_length;
    msg->message_crc = s_get_u32(p + total - 4);
    if (s_crc(p, total - 4) != msg->message_crc) {
        return BRK_ERR_CRC;
    }
    rc = s_parse_headers(p + BRK_ES_PRELUDE_LEN, msg->headers_length, msg);
    if (rc != BRK_OK) {
        return rc;
    }
    msg->payload = p + BRK_ES_PRELUDE_LEN + msg->headers_length;
    msg->payload_len = total - BRK_ES_OVERHEAD - msg->headers_length;
    *consumed = total;
    return BRK_OK;
}

const struct brk_es_header *brk_es_message_header(const struct brk_es_message *msg, const char *name)
{
    for (size_t i = 0; i < msg->n_headers; i++) {
        if (brk_es_header_is(&msg->headers[i], name)) {
            return &msg->headers[i];
        }
    }
    return NULL;
}

bool brk_es_message_string(const struct brk_es_message *msg, const char *name, char *out, size_t out_len)
{
    const struct brk_es_header *h = brk_es_message_header(msg, name);
    if (!h || (h->type != BRK_ES_STRING && h->type != BRK_ES_BYTES) || h->v.bytes.len >= out_len) {
        return false;
    }
    if (h->v.bytes.len) {
        memcpy(out, h->v.bytes.data, h->v.bytes.len);
    }
    out[h->v.bytes.len] = '\0';
    return true;
}

/* ---- incremental decoder ------------------------------------------------------------ */

void brk_es_decoder_init(struct brk_es_decoder *dec)
{
    memset(dec, 0, sizeof(*dec));
    /* One maximal message pending plus one maximal feed. */
    brk_buf_init(&dec->buf, 2 * (size_t)BRK_ES_MAX_MESSAGE);
    dec->error = BRK_OK;
}

/* Drop what was handed out, and move the pending bytes to the front. */
static void s_compact(struct brk_es_decoder *dec)
{
    dec->start += dec->handed;
    dec->handed = 0;
    if (dec->start == 0) {
        return;
    }
    size_t left = dec->buf.len - dec->start;
    if (left) {
        memmove(dec->buf.data, dec->buf.data + dec->start, left);
    }
    dec->buf.len = left;
    dec->buf.data[left] = '\0';
    dec->start = 0;
}

enum brk_status brk_es_decoder_feed(struct brk_es_decoder *dec, const void *data, size_t len)
{
    if (dec->error != BRK_OK) {
        return dec->error;
    }
    s_compact(dec);
    return brk_buf_append(&dec->buf, data, len);
}

enum brk_status brk_es_decoder_next(struct brk_es_decoder *dec, struct brk_es_message *msg)
{
    if (dec->error != BRK_OK) {
        return dec->error;
    }
    dec->start += dec->handed;
    dec->handed = 0;
    size_t consumed = 0;
    const char *at = dec->buf.data ? dec->buf.data + dec->start : "";
    enum brk_status rc = brk_es_parse(at, dec->buf.len - dec->start, msg, &consumed);
    if (rc == BRK_OK) {
        dec->handed = consumed;
    } else if (rc != BRK_ERR_INCOMPLETE) {
        dec->error = rc;
    }
    return rc;
}

size_t brk_es_decoder_pending(const struct brk_es_decoder *dec)
{
    return dec->buf.len - dec->start - dec->handed;
}

void brk_es_decoder_clean_up(struct brk_es_decoder *dec)
{
    if (!dec) {
        return;
    }
    brk_buf_clean_up(&dec->buf);
    dec->start = dec->handed = 0;
}
