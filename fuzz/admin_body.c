/* admin_body: hostile bodies for the admin API routes; the first byte picks the route. Rules
 * posted here stay in the shared mock (at most 1024), so later inputs run against them. */
#include "fuzz/fuzz.h"

static const char *const s_routes[][2] = {
    {"POST", "/_mock/clock"},   {"POST", "/_mock/reset"}, {"GET", "/_mock/requests"},
    {"POST", "/_mock/rules"},   {"PUT", "/_mock/quotas"}, {"GET", "/_mock/rules"},
    {"DELETE", "/_mock/rules"}, {"GET", "/_mock/quotas"}, {"PUT", "/_mock/models"},
};

FUZZ_TARGET(admin_body)
{
    if (size == 0) {
        return 0;
    }
    const char *const *route = s_routes[data[0] % (sizeof(s_routes) / sizeof(s_routes[0]))];
    fuzz_dispatch(route[0], route[1], NULL, data + 1, size - 1);
    return 0;
}
