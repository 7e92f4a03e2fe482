/*
 * image_size.h: the pixel dimensions of a PNG, JPEG, GIF or WebP image, read from its header.
 *
 * Why: Bedrock charges an image by its size (Claude: width x height / 750; Nova: a table by
 * aspect ratio; docs/tokens.md), and the request carries only the bytes. No image is decoded:
 * the reader looks at the signature and the one header field that holds the size (PNG IHDR,
 * GIF logical screen, the JPEG SOFn segment, WebP VP8/VP8L/VP8X), so it is cheap and bounded.
 *
 * Contracts: reads at most `len` bytes of `data` and never past them; a truncated, unknown or
 * hostile header (zero size, a JPEG segment running past the end) yields false and leaves *out
 * zeroed. Pure and thread-safe; allocates nothing.
 */
#ifndef BEDROCK_COMMON_IMAGE_SIZE_H
#define BEDROCK_COMMON_IMAGE_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum brk_image_format { BRK_IMAGE_UNKNOWN = 0, BRK_IMAGE_PNG, BRK_IMAGE_JPEG, BRK_IMAGE_GIF, BRK_IMAGE_WEBP };

struct brk_image_size {
    enum brk_image_format format;
    uint32_t width_px;
    uint32_t height_px;
};

/* The format and dimensions of the image whose first `len` bytes are `data`; true when both
 * were found and are non-zero. */
bool brk_image_size_read(const uint8_t *data, size_t len, struct brk_image_size *out);

#endif
