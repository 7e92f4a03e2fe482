/*
 * The event-stream codec against known frames, byte for byte, and round trips.
 *
 * Vectors:
 *  - S_BR_*: frames from the project's spec (bedrock-facts.md §9): Bedrock's header order,
 *    decoded by botocore 1.43's EventStreamBuffer.
 *  - S_BOTO_*: botocore's tests/unit/test_eventstream.py (github.com/boto/botocore),
 *    Copyright 2018 Amazon.com, Inc. or its affiliates. Licensed under the Apache License,
 *    Version 2.0 (http://aws.amazon.com/apache2.0/). Copied as data.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bedrock/eventstream.h"

/* bedrock-facts.md §9 */
#define S_BR_MESSAGE_START                                                                             \
    "000000760000005296d5fade0b3a6576656e742d7479706507000c6d65737361676553746172740d3a636f6e74656e74" \
    "2d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22" \
    "726f6c65223a22617373697374616e74227d6fa8c599"
#define S_BR_DELTA                                                                                     \
    "0000009400000057b4ab9aee0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f" \
    "6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576" \
    "656e747b22636f6e74656e74426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d7d" \
    "1f944657"
#define S_BR_THROTTLING                                                                                \
    "000000b0000000614f5086b30f3a657863657074696f6e2d747970650700137468726f74746c696e6745786365707469" \
    "6f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970" \
    "65070009657863657074696f6e7b226d657373616765223a22546f6f206d616e7920746f6b656e732c20706c65617365" \
    "2077616974206265666f726520747279696e6720616761696e2e227df70ae57f"

/* botocore tests/unit/test_eventstream.py (Apache-2.0, see above) */
#define S_BOTO_EMPTY "000000100000000005c248eb7d98c8ff"
#define S_BOTO_INT8 "000000170000000729860158046279746502ffc2f869dc"
#define S_BOTO_INT16 "0000001900000009710e923e0573686f727403ffffb27cb6cc"
#define S_BOTO_INT32 "0000001d0000000d83e3f0e707696e746567657204ffffffff8b8e12eb"
#define S_BOTO_INT64 "0000001e0000000e5d4adb8d046c6f6e6705ffffffffffffffff4bc232da"
#define S_BOTO_PAYLOAD_NO_HEADERS "0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936"
#define S_BOTO_ONE_STR_HEADER                                                                          \
    "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f" \
    "6f273a27626172277d8d9c08b1"
#define S_BOTO_ALL_TYPES                                                                                \
    "000000620000005203b5cb9c0130000131010132020201330300030134040000000401350500000000000000050136060" \
    "005627974657301370700047574663801380800000000000000080139093031323334353637383961626364656663353671"
#define S_BOTO_ERROR                                                                                   \
    "0000005200000042bf23637e0d3a6d6573736167652d747970650700056572726f720b3a6572726f722d636f64650700" \
    "04636f64650e3a6572726f722d6d6573736167650700076d6573736167656b6cea3d"
#define S_BOTO_CORRUPTED_HEADER_LENGTH                                                                 \
    "0000003dff00010207fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f" \
    "6f273a27626172277d8d9c08b1"
#define S_BOTO_CORRUPTED_HEADERS                                                                       \
    "0000003d0000002007fd83960c636f6e74656e742b747970650700106170706c69636174696f6e2f6a736f6e7b27666f" \
    "6f273a27626172277d8d9c08b1"
#define S_BOTO_CORRUPTED_LENGTH "0100001d00000000fd528c5a7b27666f6f273a27626172277dc3653936"
#define S_BOTO_CORRUPTED_PAYLOAD "0000001d00000000fd528c5a7b27666f6f273a27626172278dc3653936"
#define S_BOTO_DUPLICATE_HEADER "00000024000000144bb982d00474657374046173646604746573740461736466f3f47563"

/* Decode hex into a fresh allocation. */
static uint8_t *s_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    *len = n;
    return out;
}

static void s_assert_bytes(const struct brk_buf *b, const char *hex)
{
    size_t n = 0;
    uint8_t *want = s_unhex(hex, &n);
    cr_assert_eq(b->len, n, "length %zu, want %zu", b->len, n);
    cr_assert(memcmp(b->data, want, n) == 0, "bytes differ from the known frame");
    free(want);
}

/* Encode a Bedrock-style event (headers in Bedrock's order) into b. */
static enum brk_status s_encode_event(struct brk_buf *b, const char *kind, const char *type, const char *json)
{
    bool exception = strcmp(kind, "exception") == 0;
    struct brk_es_header h[3] = {
        brk_es_header_string(exception ? ":exception-type" : ":event-type", type),
        brk_es_header_string(":content-type", "application/json"),
        brk_es_header_string(":message-type", kind),
    };
    return brk_es_encode(b, h, 3, json, strlen(json));
}

/* Parse a hex frame; the message points into the bytes, kept in s_frame until the next call. */
static uint8_t *s_frame;

static void s_free_frame(void)
{
    free(s_frame);
    s_frame = NULL;
}

static void s_parse_hex(const char *hex, struct brk_es_message *msg, enum brk_status want)
{
    s_free_frame();
    size_t n = 0, used = 0;
    uint8_t *data = s_unhex(hex, &n);
    enum brk_status rc = brk_es_parse(data, n, msg, &used);
    cr_assert_eq(rc, want, "parse gave %s, want %s", brk_status_name(rc), brk_status_name(want));
    if (rc == BRK_OK) {
        cr_assert_eq(used, n);
    }
    s_frame = data;
}

TestSuite(eventstream, .fini = s_free_frame);

Test(eventstream, encodes_the_bedrock_frames_byte_for_byte)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    cr_assert_eq(s_encode_event(&b, "event", "messageStart", "{\"role\":\"assistant\"}"), BRK_OK);
    s_assert_bytes(&b, S_BR_MESSAGE_START);
    brk_buf_reset(&b);
    cr_assert_eq(s_encode_event(&b, "event", "contentBlockDelta",
                                "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"),
                 BRK_OK);
    s_assert_bytes(&b, S_BR_DELTA);
    brk_buf_reset(&b);
    cr_assert_eq(s_encode_event(&b, "exception", "throttlingException",
                                "{\"message\":\"Too many tokens, please wait before trying again.\"}"),
                 BRK_OK);
    s_assert_bytes(&b, S_BR_THROTTLING);
    brk_buf_clean_up(&b);
}

/* Frames §9 gives only as lengths and CRCs. */
static void s_assert_lengths_and_crcs(const char *type, const char *json, uint32_t total, uint32_t hlen,
                                      uint32_t prelude_crc, uint32_t msg_crc)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    cr_assert_eq(s_encode_event(&b, "event", type, json), BRK_OK);
    struct brk_es_message *m = calloc(1, sizeof(*m));
    size_t used = 0;
    cr_assert_eq(brk_es_parse(b.data, b.len, m, &used), BRK_OK);
    cr_assert_eq(m->total_length, total);
    cr_assert_eq(m->headers_length, hlen);
    cr_assert_eq(m->prelude_crc, prelude_crc, "prelude crc %08x", m->prelude_crc);
    cr_assert_eq(m->message_crc, msg_crc, "message crc %08x", m->message_crc);
    free(m);
    brk_buf_clean_up(&b);
}

Test(eventstream, message_stop_and_metadata_match_the_known_crcs)
{
    s_assert_lengths_and_crcs("messageStop", "{\"stopReason\":\"end_turn\"}", 122, 81, 0xca2c4665, 0x5fbf09fc);
    s_assert_lengths_and_crcs("metadata",
                              "{\"usage\":{\"inputTokens\":10,\"outputTokens\":2,\"totalTokens\":12},"
                              "\"metrics\":{\"latencyMs\":100}}",
                              184, 78, 0xd4f1f02b, 0x6cb9ba72);
}

Test(eventstream, decodes_the_bedrock_frames)
{
    struct brk_es_message *m = calloc(1, sizeof(*m));
    char v[128];
    s_parse_hex(S_BR_THROTTLING, m, BRK_OK);
    cr_assert_eq(m->n_headers, 3);
    cr_assert(brk_es_header_is(&m->headers[0], ":exception-type"));
    cr_assert(brk_es_message_string(m, ":message-type", v, sizeof(v)));
    cr_assert_str_eq(v, "exception");
    cr_assert(brk_es_message_string(m, ":exception-type", v, sizeof(v)));
    cr_assert_str_eq(v, "throttlingException");
    cr_assert_eq(m->payload_len, strlen("{\"message\":\"Too many tokens, please wait before trying again.\"}"));
    cr_assert_eq(m->prelude_crc, 0x4f5086b3);
    cr_assert_eq(m->message_crc, 0xf70ae57f);
    free(m);
}

Test(eventstream, decodes_botocore_positive_cases)
{
    struct brk_es_message *m = calloc(1, sizeof(*m));
    s_parse_hex(S_BOTO_EMPTY, m, BRK_OK);
    cr_assert_eq(m->n_headers, 0);
    cr_assert_eq(m->payload_len, 0);
    cr_assert_eq(m->message_crc, 0x7d98c8ff);
    const char *ints[] = {S_BOTO_INT8, S_BOTO_INT16, S_BOTO_INT32, S_BOTO_INT64};
    const enum brk_es_type types[] = {BRK_ES_BYTE, BRK_ES_SHORT, BRK_ES_INT, BRK_ES_LONG};
    for (int i = 0; i < 4; i++) {
        s_parse_hex(ints[i], m, BRK_OK);
        cr_assert_eq(m->n_headers, 1);
        cr_assert_eq(m->headers[0].type, types[i]);
        cr_assert_eq(m->headers[0].v.number, -1, "value of type %d", types[i]);
    }
    s_parse_hex(S_BOTO_PAYLOAD_NO_HEADERS, m, BRK_OK);
    cr_assert_eq(m->payload_len, 13);
    cr_assert(memcmp(m->payload, "{'foo':'bar'}", 13) == 0);
    char v[64];
    s_parse_hex(S_BOTO_ONE_STR_HEADER, m, BRK_OK);
    cr_assert(brk_es_message_string(m, "content-type", v, sizeof(v)));
    cr_assert_str_eq(v, "application/json");
    s_parse_hex(S_BOTO_ERROR, m, BRK_OK);
    cr_assert(brk_es_message_string(m, ":error-message", v, sizeof(v)));
    cr_assert_str_eq(v, "message");
    free(m);
}

Test(eventstream, decodes_and_encodes_all_ten_header_types)
{
    struct brk_es_message *m = calloc(1, sizeof(*m));
    s_parse_hex(S_BOTO_ALL_TYPES, m, BRK_OK);
    cr_assert_eq(m->n_headers, 10);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(m->headers[i].type, (enum brk_es_type)i);
        cr_assert_eq(m->headers[i].name_len, 1);
        cr_assert_eq(m->headers[i].name[0], '0' + i);
    }
    cr_assert(m->headers[0].v.boolean);
    cr_assert_not(m->headers[1].v.boolean);
    cr_assert_eq(m->headers[2].v.number, 2);
    cr_assert_eq(m->headers[3].v.number, 3);
    cr_assert_eq(m->headers[4].v.number, 4);
    cr_assert_eq(m->headers[5].v.number, 5);
    cr_assert(m->headers[6].v.bytes.len == 5 && memcmp(m->headers[6].v.bytes.data, "bytes", 5) == 0);
    cr_assert(m->headers[7].v.bytes.len == 4 && memcmp(m->headers[7].v.bytes.data, "utf8", 4) == 0);
    cr_assert_eq(m->headers[8].v.number, 8);
    cr_assert(memcmp(m->headers[9].v.uuid, "0123456789abcdef", 16) == 0);
    /* Re-encoding the decoded headers reproduces the frame exactly. */
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    cr_assert_eq(brk_es_encode(&b, m->headers, m->n_headers, NULL, 0), BRK_OK);
    s_assert_bytes(&b, S_BOTO_ALL_TYPES);
    brk_buf_clean_up(&b);
    free(m);
}

Test(eventstream, refuses_botocore_negative_cases)
{
    struct brk_es_message *m = calloc(1, sizeof(*m));
    /* Prelude CRC is checked first (as botocore does), so a corrupted length is a CRC error. */
    s_parse_hex(S_BOTO_CORRUPTED_LENGTH, m, BRK_ERR_CRC);
    s_parse_hex(S_BOTO_CORRUPTED_HEADER_LENGTH, m, BRK_ERR_CRC);
    s_parse_hex(S_BOTO_CORRUPTED_PAYLOAD, m, BRK_ERR_CRC);
    s_parse_hex(S_BOTO_CORRUPTED_HEADERS, m, BRK_ERR_CRC);
    s_parse_hex(S_BOTO_DUPLICATE_HEADER, m, BRK_ERR_PARSE);
    free(m);
}

/* A prelude with a sound CRC but lengths past the limits is refused before the body comes. */
static void s_assert_prelude(uint32_t total, uint32_t hlen, enum brk_status want)
{
    uint8_t p[12] = {(uint8_t)(total >> 24), (uint8_t)(total >> 16), (uint8_t)(total >> 8), (uint8_t)total,
                     (uint8_t)(hlen >> 24),  (uint8_t)(hlen >> 16),  (uint8_t)(hlen >> 8),  (uint8_t)hlen};
    uLong crc = crc32(0, p, 8);
    p[8] = (uint8_t)(crc >> 24);
    p[9] = (uint8_t)(crc >> 16);
    p[10] = (uint8_t)(crc >> 8);
    p[11] = (uint8_t)crc;
    struct brk_es_message *m = calloc(1, sizeof(*m));
    size_t used = 0;
    cr_assert_eq(brk_es_parse(p, sizeof(p), m, &used), want, "total %u headers %u", total, hlen);
    free(m);
}

Test(eventstream, enforces_the_size_limits_on_decode)
{
    s_assert_prelude(16 + 131072, 131072, BRK_ERR_INCOMPLETE); /* exactly the header limit */
    s_assert_prelude(16 + 131073, 131073, BRK_ERR_TOO_LARGE);
    s_assert_prelude(16 + 25165824, 0, BRK_ERR_INCOMPLETE); /* exactly the payload limit */
    s_assert_prelude(16 + 25165825, 0, BRK_ERR_TOO_LARGE);
    s_assert_prelude(15, 0, BRK_ERR_PARSE); /* shorter than a message */
    s_assert_prelude(20, 5, BRK_ERR_PARSE); /* headers past the end */
}

Test(eventstream, enforces_the_size_limits_on_encode)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    char *big = calloc(1, BRK_ES_MAX_PAYLOAD + 1);
    cr_assert_eq(brk_es_encode(&b, NULL, 0, big, BRK_ES_MAX_PAYLOAD), BRK_OK);
    brk_buf_reset(&b);
    cr_assert_eq(brk_es_encode(&b, NULL, 0, big, BRK_ES_MAX_PAYLOAD + 1), BRK_ERR_TOO_LARGE);
    cr_assert_eq(b.len, 0);
    /* Three 60000-byte string headers make 180 KiB of headers: over the 128 KiB limit. */
    memset(big, 'x', 60000);
    struct brk_es_header h[3];
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        h[i] = brk_es_header_string(names[i], "");
        h[i].v.bytes.data = (const uint8_t *)big;
        h[i].v.bytes.len = 60000;
    }
    cr_assert_eq(brk_es_encode(&b, h, 2, NULL, 0), BRK_OK);
    brk_buf_reset(&b);
    cr_assert_eq(brk_es_encode(&b, h, 3, NULL, 0), BRK_ERR_TOO_LARGE);
    free(big);
    brk_buf_clean_up(&b);
}

Test(eventstream, encoder_refuses_bad_headers_and_leaves_the_buffer_alone)
{
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    brk_buf_append_str(&b, "keep");
    struct brk_es_header dup[2] = {brk_es_header_string("x", "1"), brk_es_header_string("x", "2")};
    cr_assert_eq(brk_es_encode(&b, dup, 2, NULL, 0), BRK_ERR_INVALID_ARG);
    struct brk_es_header empty = brk_es_header_string("", "v");
    cr_assert_eq(brk_es_encode(&b, &empty, 1, NULL, 0), BRK_ERR_INVALID_ARG);
    struct brk_es_header bad = brk_es_header_string("t", "v");
    bad.type = (enum brk_es_type)10;
    cr_assert_eq(brk_es_encode(&b, &bad, 1, NULL, 0), BRK_ERR_INVALID_ARG);
    cr_assert_str_eq(b.data, "keep");
    /* A buffer cap reached mid-message rolls back too. */
    struct brk_buf small;
    brk_buf_init(&small, 20);
    cr_assert_eq(brk_es_encode(&small, NULL, 0, "0123456789", 10), BRK_ERR_TOO_LARGE);
    cr_assert_eq(small.len, 0);
    brk_buf_clean_up(&small);
    brk_buf_clean_up(&b);
}

Test(eventstream, decoder_takes_bytes_one_at_a_time)
{
    struct brk_buf all;
    brk_buf_init(&all, 1 << 20);
    s_encode_event(&all, "event", "messageStart", "{\"role\":\"assistant\"}");
    s_encode_event(&all, "event", "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}");
    s_encode_event(&all, "exception", "throttlingException", "{\"message\":\"x\"}");
    struct brk_es_decoder dec;
    brk_es_decoder_init(&dec);
    struct brk_es_message *m = calloc(1, sizeof(*m));
    const char *want[] = {"messageStart", "contentBlockDelta", "throttlingException"};
    int got = 0;
    for (size_t i = 0; i < all.len; i++) {
        cr_assert_eq(brk_es_decoder_feed(&dec, all.data + i, 1), BRK_OK);
        enum brk_status rc;
        while ((rc = brk_es_decoder_next(&dec, m)) == BRK_OK) {
            char t[64] = "";
            cr_assert(brk_es_message_string(m, ":event-type", t, sizeof(t)) ||
                      brk_es_message_string(m, ":exception-type", t, sizeof(t)));
            cr_assert_str_eq(t, want[got]);
            got++;
        }
        cr_assert_eq(rc, BRK_ERR_INCOMPLETE);
    }
    cr_assert_eq(got, 3);
    cr_assert_eq(brk_es_decoder_pending(&dec), 0);
    brk_es_decoder_clean_up(&dec);
    brk_buf_clean_up(&all);
    free(m);
}

Test(eventstream, decoder_error_is_sticky_and_partial_tail_is_reported)
{
    struct brk_buf all;
    brk_buf_init(&all, 1 << 20);
    s_encode_event(&all, "event", "messageStart", "{\"role\":\"assistant\"}");
    size_t first = all.len;
    s_encode_event(&all, "event", "messageStop", "{\"stopReason\":\"end_turn\"}");
    all.data[all.len - 1] ^= 1; /* corrupt the second message's CRC */
    struct brk_es_decoder dec;
    brk_es_decoder_init(&dec);
    struct brk_es_message *m = calloc(1, sizeof(*m));
    cr_assert_eq(brk_es_decoder_feed(&dec, all.data, all.len - 5), BRK_OK);
    cr_assert_eq(brk_es_decoder_next(&dec, m), BRK_OK);
    cr_assert_eq(brk_es_decoder_next(&dec, m), BRK_ERR_INCOMPLETE);
    cr_assert_eq(brk_es_decoder_pending(&dec), all.len - 5 - first);
    cr_assert_eq(brk_es_decoder_feed(&dec, all.data + all.len - 5, 5), BRK_OK);
    cr_assert_eq(brk_es_decoder_next(&dec, m), BRK_ERR_CRC);
    cr_assert_eq(brk_es_decoder_next(&dec, m), BRK_ERR_CRC);
    cr_assert_eq(brk_es_decoder_feed(&dec, "x", 1), BRK_ERR_CRC);
    brk_es_decoder_clean_up(&dec);
    brk_es_decoder_clean_up(NULL);
    brk_buf_clean_up(&all);
    free(m);
}

Test(eventstream, round_trips_every_header_type_with_a_payload)
{
    struct brk_es_header h[10];
    memset(h, 0, sizeof(h));
    const char *names[] = {"t", "f", "i8", "i16", "i32", "i64", "bin", "str", "ts", "id"};
    const int64_t nums[] = {0, 0, -128, -32768, -2147483647 - 1, INT64_MIN, 0, 0, 1732550400123, 0};
    for (int i = 0; i < 10; i++) {
        h[i].name = names[i];
        h[i].name_len = (uint8_t)strlen(names[i]);
        h[i].type = (enum brk_es_type)i;
        h[i].v.number = nums[i];
    }
    h[6].v.bytes.data = (const uint8_t *)"\x00\x01\x02";
    h[6].v.bytes.len = 3;
    h[7].v.bytes.data = (const uint8_t *)"h\xc3\xa9llo";
    h[7].v.bytes.len = 6;
    memcpy(h[9].v.uuid, "\xde\xad\xbe\xef\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 16);
    struct brk_buf b;
    brk_buf_init(&b, 1 << 20);
    cr_assert_eq(brk_es_encode(&b, h, 10, "payload", 7), BRK_OK);
    struct brk_es_message *m = calloc(1, sizeof(*m));
    size_t used = 0;
    cr_assert_eq(brk_es_parse(b.data, b.len, m, &used), BRK_OK);
    cr_assert_eq(used, b.len);
    cr_assert_eq(m->n_headers, 10);
    for (int i = 2; i < 6; i++) {
        cr_assert_eq(m->headers[i].v.number, nums[i], "header %s", names[i]);
    }
    cr_assert_eq(m->headers[8].v.number, 1732550400123);
    cr_assert(m->headers[0].v.boolean && !m->headers[1].v.boolean);
    cr_assert(memcmp(m->headers[6].v.bytes.data, "\x00\x01\x02", 3) == 0);
    cr_assert(memcmp(m->headers[9].v.uuid, h[9].v.uuid, 16) == 0);
    cr_assert(m->payload_len == 7 && memcmp(m->payload, "payload", 7) == 0);
    char s[8];
    cr_assert(brk_es_message_string(m, "str", s, sizeof(s)));
    cr_assert_str_eq(s, "h\xc3\xa9llo");
    cr_assert_not(brk_es_message_string(m, "str", s, 6), "too small a buffer is refused");
    cr_assert_not(brk_es_message_string(m, "i8", s, sizeof(s)), "not a string header");
    cr_assert_null(brk_es_message_header(m, "absent"));
    brk_buf_clean_up(&b);
    free(m);
}
