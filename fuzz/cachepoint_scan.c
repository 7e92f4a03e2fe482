/* cachepoint_scan: the shared Converse walk, cache-point scan and placement check
 * (common/converse_walk.c, common/cachepoint.c) on any JSON, the code the client places cache
 * points by. Properties, checked on every input that cJSON parses (a failure aborts):
 *   - the scan and brk_cachepoint_count, two walkers, agree on the number of cache points, and
 *     the scan's tokens are at most brk_converse_input_tokens (equal for a valid body: a block
 *     that is both a cache point and text, which validation refuses, weighs its text there only);
 *   - a verdict names a rule, Bedrock's message and a point inside the list (or the request);
 *   - the check is monotone in the capabilities: what passes on a model that allows little
 *     (Nova: no tools, no 1h TTL, a minimum) passes on one that allows everything. */
#include <stdlib.h>
#include <string.h>

#include "common/cachepoint.h"
#include "common/converse_walk.h"
#include "fuzz/fuzz.h"

static void s_check_verdict(const struct brk_cachepoint_list *list, bool ok, const struct brk_cachepoint_violation *v)
{
    if (ok != (v->rule == BRK_CACHEPOINT_RULE_NONE) || (!ok && v->message[0] == '\0') || v->point > list->n_points ||
        (v->error != BRK_AWS_VALIDATION && v->error != BRK_AWS_ACCESS_DENIED)) {
        abort(); /* a verdict the mock could not answer with */
    }
}

static bool s_check(const struct brk_cachepoint_list *list, const struct brk_cachepoint_caps *caps)
{
    struct brk_cachepoint_violation v;
    bool ok = brk_cachepoint_check(list, caps, &v);
    s_check_verdict(list, ok, &v);
    return ok;
}

FUZZ_TARGET(cachepoint_scan)
{
    static const struct brk_cachepoint_caps strict = {.prompt_caching = true, .min_tokens = 1024};
    static const struct brk_cachepoint_caps lenient = {.prompt_caching = true,
                                                       .cache_in_tools = true,
                                                       .ttl_1h = true,
                                                       .anthropic = true};
    static const struct brk_cachepoint_caps none = {.prompt_caching = false};
    cJSON *json = cJSON_ParseWithLength((const char *)data, size);
    if (!json) {
        return 0;
    }
    struct brk_cachepoint_list list;
    struct brk_cachepoint_counts counts;
    brk_cachepoint_scan(json, &list);
    brk_cachepoint_count(json, &counts);
    size_t listed = list.counts.total < BRK_CACHEPOINT_LIST_MAX ? list.counts.total : BRK_CACHEPOINT_LIST_MAX;
    if (memcmp(&counts, &list.counts, sizeof(counts)) != 0 || list.n_points != listed ||
        list.total_tokens > brk_converse_input_tokens(json, NULL)) {
        abort(); /* the walkers disagree */
    }
    bool strict_ok = s_check(&list, &strict);
    if ((strict_ok && !s_check(&list, &lenient)) || (s_check(&list, &none) && list.counts.total != 0)) {
        abort(); /* the check is not monotone in the capabilities */
    }
    cJSON_Delete(json);
    return 0;
}
