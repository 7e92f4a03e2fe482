/* Unit tests for common/image_size.c: each format's header read from bytes built here the way
 * the format's specification lays them out, and truncated or hostile headers refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/image_size.h"

static size_t s_png(uint8_t *out, uint32_t w, uint32_t h)
{
    static const uint8_t head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    memcpy(out, head, 16);
    const uint8_t dims[8] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h};
    memcpy(out + 16, dims, 8);
    memcpy(out + 24,
           "\x08\x02\x00\x00\x00"
           "\x00\x00\x00\x00",
           9); /* depth, colour, ..., CRC */
    return 33;
}

static size_t s_gif(uint8_t *out, uint16_t w, uint16_t h)
{
    memcpy(out, "GIF89a", 6);
    const uint8_t dims[7] = {w & 0xff, w >> 8, h & 0xff, h >> 8, 0x80, 0, 0};
    memcpy(out + 6, dims, 7);
    return 13;
}

/* SOI, APP0 JFIF, an APP1 of `app1_len` bytes (EXIF stand-in), DQT, SOF<sof>, SOS. */
static size_t s_jpeg(uint8_t *out, uint16_t w, uint16_t h, uint8_t sof, size_t app1_len)
{
    size_t n = 0;
    static const uint8_t app0[20] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    memcpy(out, app0, 20);
    n = 20;
    out[n++] = 0xFF;
    out[n++] = 0xE1;
    out[n++] = (uint8_t)((app1_len + 2) >> 8);
    out[n++] = (uint8_t)(app1_len + 2);
    memset(out + n, 'x', app1_len);
    n += app1_len;
    static const uint8_t dqt[5] = {0xFF, 0xDB, 0, 3, 0};
    memcpy(out + n, dqt, 5);
    n += 5;
    const uint8_t frame[13] = {0xFF, sof, 0, 11, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0};
    memcpy(out + n, frame, 13);
    n += 13;
    static const uint8_t sos[4] = {0xFF, 0xDA, 0, 8};
    memcpy(out + n, sos, 4);
    return n + 4;
}

static size_t s_webp(uint8_t *out, const char *chunk, const uint8_t *payload, size_t payload_len)
{
    memcpy(out, "RIFF\x00\x00\x00\x00WEBP", 12);
    memcpy(out + 12, chunk, 4);
    out[16] = (uint8_t)payload_len;
    memset(out + 17, 0, 3);
    memcpy(out + 20, payload, payload_len);
    return 20 + payload_len;
}

static void s_assert_size(const uint8_t *data, size_t len, enum brk_image_format format, uint32_t w, uint32_t h)
{
    struct brk_image_size s;
    cr_assert(brk_image_size_read(data, len, &s));
    cr_assert_eq(s.format, format);
    cr_assert_eq(s.width_px, w);
    cr_assert_eq(s.height_px, h);
}

static void s_assert_refused(const uint8_t *data, size_t len)
{
    struct brk_image_size s = {.width_px = 7};
    cr_assert_not(brk_image_size_read(data, len, &s));
    cr_assert_eq(s.width_px, 0);
    cr_assert_eq(s.format, BRK_IMAGE_UNKNOWN);
}

Test(image_size, png_reads_ihdr_and_refuses_truncation)
{
    uint8_t buf[64];
    size_t n = s_png(buf, 400, 301);
    s_assert_size(buf, n, BRK_IMAGE_PNG, 400, 301);
    s_assert_refused(buf, 23); /* IHDR cut inside the height */
    buf[12] = 'X';             /* first chunk is not IHDR */
    s_assert_refused(buf, n);
}

Test(image_size, gif_reads_the_logical_screen)
{
    uint8_t buf[32];
    size_t n = s_gif(buf, 33, 17);
    s_assert_size(buf, n, BRK_IMAGE_GIF, 33, 17);
    s_assert_refused(buf, 9);
    memcpy(buf, "GIF90a", 6);
    s_assert_refused(buf, n);
}

Test(image_size, jpeg_skips_segments_to_the_frame_header)
{
    static uint8_t buf[70000];
    size_t n = s_jpeg(buf, 597, 566, 0xC0, 100);
    s_assert_size(buf, n, BRK_IMAGE_JPEG, 597, 566);
    n = s_jpeg(buf, 3008, 2000, 0xC2, 65000); /* progressive, behind a large EXIF segment */
    s_assert_size(buf, n, BRK_IMAGE_JPEG, 3008, 2000);
    s_assert_refused(buf, 65000);     /* cut inside the EXIF segment */
    n = s_jpeg(buf, 10, 10, 0xC4, 0); /* DHT in the SOF range carries no size: scan reached first */
    s_assert_refused(buf, n);
}

Test(image_size, jpeg_refuses_hostile_lengths)
{
    uint8_t buf[64];
    size_t n = s_jpeg(buf, 64, 48, 0xC0, 0);
    buf[22] = 0;
    buf[23] = 1; /* APP1 length 1 (< 2): would loop forever or step backwards */
    s_assert_refused(buf, n);
    n = s_jpeg(buf, 64, 48, 0xC0, 0);
    buf[20] = 0x00; /* not a marker where one must be */
    s_assert_refused(buf, n);
}

Test(image_size, webp_reads_vp8_vp8l_and_vp8x)
{
    uint8_t buf[64];
    const uint8_t vp8[10] = {0x9d, 0x01, 0x2a, 0, 0, 0, 0, 0, 0, 0};
    uint8_t lossy[18] = {0, 0, 0};
    memcpy(lossy + 3, vp8, 3);
    lossy[6] = 300 & 0xff;
    lossy[7] = 300 >> 8;
    lossy[8] = 200;
    lossy[9] = 0;
    s_assert_size(buf, s_webp(buf, "VP8 ", lossy, sizeof(lossy)), BRK_IMAGE_WEBP, 300, 200);
    lossy[3] = 0x9e; /* wrong start code */
    s_assert_refused(buf, s_webp(buf, "VP8 ", lossy, sizeof(lossy)));
    /* VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1 (20x10) */
    uint32_t bits = (20 - 1) | (uint32_t)(10 - 1) << 14;
    uint8_t lossless[10] = {0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >> 24};
    s_assert_size(buf, s_webp(buf, "VP8L", lossless, sizeof(lossless)), BRK_IMAGE_WEBP, 20, 10);
    /* VP8X: flags (4 bytes), then 24-bit width-1 and height-1 (5000x3000) */
    uint8_t ext[10] = {0, 0, 0, 0, (5000 - 1) & 0xff, (5000 - 1) >> 8, 0, (3000 - 1) & 0xff, (3000 - 1) >> 8, 0};
    s_assert_size(buf, s_webp(buf, "VP8X", ext, sizeof(ext)), BRK_IMAGE_WEBP, 5000, 3000);
    s_assert_refused(buf, 29);
}

Test(image_size, refuses_unknown_empty_and_zero_sized)
{
    uint8_t buf[64];
    s_assert_refused(NULL, 10);
    s_assert_refused((const uint8_t *)"", 0);
    s_assert_refused((const uint8_t *)"BM6\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", 14); /* BMP */
    s_assert_refused(buf, s_png(buf, 0, 10));
    s_assert_refused(buf, s_gif(buf, 10, 0));
}
