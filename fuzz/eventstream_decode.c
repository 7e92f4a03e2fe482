/*
 * eventstream_decode: hostile bytes through the incremental event-stream decoder, fed in
 * chunks whose size the first byte picks. Every message it accepts must survive a round trip:
 * encoding its headers and payload again and parsing the result gives the same message.
 */
#include <stdlib.h>
#include <string.h>

#include "bedrock/eventstream.h"
#include "fuzz/fuzz.h"

static void s_round_trip(const struct brk_es_message *msg)
{
    struct brk_buf out;
    brk_buf_init(&out, BRK_ES_MAX_MESSAGE);
    static struct brk_es_message again; /* large: keep it off the stack */
    size_t used = 0;
    if (brk_es_encode(&out, msg->headers, msg->n_headers, msg->payload, msg->payload_len) != BRK_OK ||
        brk_es_parse(out.data, out.len, &again, &used) != BRK_OK || used != out.len ||
        again.n_headers != msg->n_headers || again.payload_len != msg->payload_len ||
        (msg->payload_len && memcmp(again.payload, msg->payload, msg->payload_len) != 0)) {
        abort(); /* a message the decoder accepts must be one the encoder can write */
    }
    brk_buf_clean_up(&out);
}

FUZZ_TARGET(eventstream_decode)
{
    static struct brk_es_message msg;
    struct brk_es_decoder dec;
    brk_es_decoder_init(&dec);
    size_t chunk = size ? (size_t)data[0] % 64 + 1 : 1;
    for (size_t off = size ? 1 : 0; off < size; off += chunk) {
        if (brk_es_decoder_feed(&dec, data + off, size - off < chunk ? size - off : chunk) != BRK_OK) {
            break;
        }
        while (brk_es_decoder_next(&dec, &msg) == BRK_OK) {
            char type[64];
            brk_es_message_string(&msg, ":event-type", type, sizeof(type));
            s_round_trip(&msg);
        }
    }
    brk_es_decoder_clean_up(&dec);
    return 0;
}
