/* admin_body: hostile bodies for the admin API routes that read one; the first byte picks the route. */
#include "fuzz/fuzz.h"

static const char *const s_routes[] = {"/_mock/clock", "/_mock/reset", "/_mock/requests"};

FUZZ_TARGET(admin_body)
{
    if (size == 0) {
        return 0;
    }
    const char *path = s_routes[data[0] % (sizeof(s_routes) / sizeof(s_routes[0]))];
    fuzz_dispatch(data[0] & 0x80 ? "GET" : "POST", path, NULL, data + 1, size - 1);
    return 0;
}
