/*
 * client_response: hostile answers through libbedrock's parsers. The first byte picks the
 * parser: 0 a Converse answer (brk_converse_response_parse), 1 an error answer
 * (brk_aws_error_parse; the next byte is an HTTP status offset, then a header line up to '\n',
 * then the body), anything else a ConverseStream body fed in chunks whose size the second byte
 * picks (client/stream.c's decoder and event parsing, into the stream accumulator). Whatever
 * the input, nothing may crash or leak, and an accepted answer must be a consistent struct.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client_priv.h"
#include "fuzz/fuzz.h"

static void s_cr_check(const struct brk_converse_response *r)
{
    for (size_t i = 0; i < r->message.n_blocks; i++) {
        const struct brk_content_block *b = &r->message.blocks[i];
        if ((b->type == BRK_BLOCK_TOOL_USE && !b->tool_input_json) || (b->type == BRK_BLOCK_CITATIONS && !b->text)) {
            abort(); /* a block kind without the member it promises */
        }
    }
}

static void s_cr_converse(const uint8_t *data, size_t size)
{
    struct brk_converse_response *r = NULL;
    struct brk_error err;
    if (brk_converse_response_parse((const char *)data, size, &r, &err) == BRK_OK) {
        s_cr_check(r);
    }
    brk_converse_response_destroy(r);
}

static void s_cr_error(const uint8_t *data, size_t size)
{
    long status = size ? 400 + data[0] : 400;
    const uint8_t *rest = size ? data + 1 : data;
    size_t left = size ? size - 1 : 0;
    const uint8_t *nl = memchr(rest, '\n', left);
    size_t hlen = nl ? (size_t)(nl - rest) : 0;
    char *header = strndup((const char *)rest, hlen);
    struct brk_error err;
    brk_aws_error_parse(status, header, "req", (const char *)rest + (nl ? hlen + 1 : 0), nl ? left - hlen - 1 : left,
                        &err);
    if (err.status != BRK_ERR_SERVICE || !memchr(err.code, '\0', sizeof(err.code))) {
        abort();
    }
    free(header);
}

static void s_cr_stream(const uint8_t *data, size_t size)
{
    struct brk_stream_accumulator *acc = NULL;
    if (brk_stream_accumulator_new(&acc) != BRK_OK) {
        return;
    }
    struct brk_error err;
    brk_error_clear(&err);
    struct client_stream s;
    client_stream_init(&s, brk_stream_accumulator_on_event, acc, &err);
    size_t chunk = size ? (size_t)data[0] % 97 + 1 : 1;
    bool go_on = true;
    for (size_t off = size ? 1 : 0; off < size && go_on; off += chunk) {
        go_on = client_stream_feed(&s, data + off, size - off < chunk ? size - off : chunk);
    }
    struct brk_converse_response *r = NULL;
    if (go_on && client_stream_finish(&s) == BRK_OK && brk_stream_accumulator_finish(acc, &r) == BRK_OK) {
        s_cr_check(r);
    }
    brk_converse_response_destroy(r);
    client_stream_clean_up(&s);
    brk_stream_accumulator_destroy(acc);
}

FUZZ_TARGET(client_response)
{
    if (size == 0) {
        return 0;
    }
    if (data[0] == 0) {
        s_cr_converse(data + 1, size - 1);
    } else if (data[0] == 1) {
        s_cr_error(data + 1, size - 1);
    } else {
        s_cr_stream(data + 1, size - 1);
    }
    return 0;
}
