/* image_size: the image header reader (common/image_size.c) on any bytes. Properties: it never
 * reads past `size` (ASan), and a success names a format and a non-zero size, a failure
 * leaves the result zeroed. */
#include <stdlib.h>

#include "common/image_size.h"
#include "fuzz/fuzz.h"

FUZZ_TARGET(image_size)
{
    struct brk_image_size s;
    bool ok = brk_image_size_read(data, size, &s);
    if (ok != (s.format != BRK_IMAGE_UNKNOWN) || ok != (s.width_px != 0) || ok != (s.height_px != 0)) {
        abort();
    }
    return 0;
}
