/* uri_codec: properties of common/uri.c, the codec that decodes every path label and query
 * argument the mock receives and encodes every label the client sends.
 *  - any input: the strict, form and lenient decoders return without reading or writing out of
 *    bounds, and a result never grows (a decoded text is at most as long as its encoding);
 *  - where strict decoding succeeds, lenient decoding gives the same bytes;
 *  - round trip: the input encoded as a label, then decoded (strictly, and as a form), is the
 *    input again, for any bytes but NUL (a NUL-free text is what the decoders can return).
 * A broken property aborts. */
#include <stdlib.h>
#include <string.h>

#include "common/uri.h"
#include "fuzz/fuzz.h"

static void s_check_decoders(const char *in, size_t len, char *a, char *b)
{
    size_t n = 0;
    enum brk_status strict = brk_uri_decode(in, len, a, len + 1);
    if (brk_uri_decode_lenient(in, len, b, len + 1, &n) != BRK_OK || n > len) {
        abort(); /* lenient decoding never fails when the output has room for the input */
    }
    if (strict == BRK_OK && (strlen(a) != n || memcmp(a, b, n) != 0)) {
        abort();
    }
    if (brk_form_decode(in, len, a, len + 1) == BRK_OK && strlen(a) > len) {
        abort();
    }
}

static void s_check_round_trip(const char *in, size_t len, char *a)
{
    size_t clean = strnlen(in, len); /* the NUL-free prefix */
    struct brk_buf enc;
    brk_buf_init(&enc, 3 * clean + 1);
    if (brk_uri_encode_label(in, clean, &enc) != BRK_OK) {
        abort();
    }
    const char *text = enc.data ? enc.data : "";
    if (brk_uri_decode(text, enc.len, a, clean + 1) != BRK_OK || memcmp(a, in, clean) != 0 || a[clean]) {
        abort();
    }
    if (brk_form_decode(text, enc.len, a, clean + 1) != BRK_OK || memcmp(a, in, clean) != 0) {
        abort();
    }
    brk_buf_clean_up(&enc);
}

FUZZ_TARGET(uri_codec)
{
    const char *in = (const char *)data;
    char *a = malloc(size + 1), *b = malloc(size + 1);
    if (a && b) {
        s_check_decoders(in, size, a, b);
        s_check_round_trip(in, size, a);
    }
    free(a);
    free(b);
    return 0;
}
