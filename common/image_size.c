/*
 * image_size.c: image dimensions from PNG, JPEG, GIF and WebP headers (see image_size.h).
 * Layouts: PNG (ISO/IEC 15948, IHDR first), GIF89a/87a (logical screen descriptor), JPEG
 * (ITU T.81 markers, SOF0-SOF15 except DHT/JPG/DAC), WebP (RIFF container, Google's
 * "WebP Container Specification": VP8, VP8L and VP8X chunks).
 */
#include "common/image_size.h"

#include <string.h>

static uint32_t s_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t s_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t s_le16(const uint8_t *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t s_le24(const uint8_t *p)
{
    return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool s_png(const uint8_t *d, size_t len, struct brk_image_size *out)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 24 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0) {
        return false;
    }
    out->width_px = s_be32(d + 16);
    out->height_px = s_be32(d + 20);
    return true;
}

static bool s_gif(const uint8_t *d, size_t len, struct brk_image_size *out)
{
    if (len < 10 || (memcmp(d, "GIF87a", 6) != 0 && memcmp(d, "GIF89a", 6) != 0)) {
        return false;
    }
    out->width_px = s_le16(d + 6);
    out->height_px = s_le16(d + 8);
    return true;
}

/* SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
static bool s_is_sof(uint8_t marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

static bool s_jpeg(const uint8_t *d, size_t len, struct brk_image_size *out)
{
    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8) {
        return false;
    }
    size_t pos = 2;
    while (pos + 4 <= len) {
        if (d[pos] != 0xFF) {
            return false;
        }
        uint8_t marker = d[pos + 1];
        if (marker == 0xFF) { /* fill byte */
            pos++;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += 2; /* markers without a length */
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) {
            return false; /* end of image or scan data before any frame header */
        }
        size_t seg = s_be16(d + pos + 2);
        if (seg < 2) {
            return false;
        }
        if (s_is_sof(marker)) {
            if (pos + 9 > len || seg < 7) {
                return false;
            }
            out->height_px = s_be16(d + pos + 5);
            out->width_px = s_be16(d + pos + 7);
            return true;
        }
        pos += 2 + seg;
    }
    return false;
}

static bool s_webp(const uint8_t *d, size_t len, struct brk_image_size *out)
{
    if (len < 30 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0) {
        return false;
    }
    const uint8_t *c = d + 12; /* first chunk header; its payload starts at c + 8 */
    if (memcmp(c, "VP8 ", 4) == 0) {
        /* frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height */
        if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a) {
            return false;
        }
        out->width_px = s_le16(c + 14) & 0x3fff;
        out->height_px = s_le16(c + 16) & 0x3fff;
        return true;
    }
    if (memcmp(c, "VP8L", 4) == 0) {
        if (c[8] != 0x2f) {
            return false;
        }
        uint32_t bits = (uint32_t)c[9] | (uint32_t)c[10] << 8 | (uint32_t)c[11] << 16 | (uint32_t)c[12] << 24;
        out->width_px = (bits & 0x3fff) + 1;
        out->height_px = ((bits >> 14) & 0x3fff) + 1;
        return true;
    }
    if (memcmp(c, "VP8X", 4) == 0) {
        out->width_px = s_le24(c + 12) + 1;
        out->height_px = s_le24(c + 15) + 1;
        return true;
    }
    return false;
}

bool brk_image_size_read(const uint8_t *data, size_t len, struct brk_image_size *out)
{
    static const struct {
        enum brk_image_format format;
        bool (*read)(const uint8_t *, size_t, struct brk_image_size *);
    } readers[] = {{BRK_IMAGE_PNG, s_png}, {BRK_IMAGE_JPEG, s_jpeg}, {BRK_IMAGE_GIF, s_gif}, {BRK_IMAGE_WEBP, s_webp}};
    memset(out, 0, sizeof(*out));
    if (!data) {
        return false;
    }
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        struct brk_image_size s = {.format = readers[i].format};
        if (readers[i].read(data, len, &s)) {
            if (s.width_px == 0 || s.height_px == 0) {
                return false;
            }
            *out = s;
            return true;
        }
    }
    return false;
}
