/* fd_limit.c: the descriptor limit against cfg.max_connections (see fd_limit.h). */
#include "mock/http/fd_limit.h"

#include <stdbool.h>
#include <stdio.h>

rlim_t mock_fd_need(unsigned max_connections)
{
    return (rlim_t)max_connections * MOCK_FD_PER_CONNECTION + MOCK_FD_RESERVE;
}

rlim_t mock_fd_raise(rlim_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return 0;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t want = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max : need;
        struct rlimit raised = {.rlim_cur = want, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            rl.rlim_cur = want;
        }
    }
    return rl.rlim_cur;
}

bool mock_fd_shortfall(unsigned max_connections, char *out, size_t out_len)
{
    struct rlimit rl;
    rlim_t need = mock_fd_need(max_connections);
    out[0] = '\0';
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) {
        return false;
    }
    char hard[32] = "unlimited";
    if (rl.rlim_max != RLIM_INFINITY) {
        snprintf(hard, sizeof(hard), "%llu", (unsigned long long)rl.rlim_max);
    }
    unsigned long long room = rl.rlim_cur > MOCK_FD_RESERVE
                                  ? (unsigned long long)(rl.rlim_cur - MOCK_FD_RESERVE) / MOCK_FD_PER_CONNECTION
                                  : 0;
    snprintf(out, out_len,
             "--max-connections %u needs about %llu file descriptors, but this process may open %llu (ulimit -n; "
             "hard limit %s): about %llu connections can be open at once. Raise the limit (ulimit -n %llu) or lower "
             "--max-connections",
             max_connections, (unsigned long long)need, (unsigned long long)rl.rlim_cur, hard, room,
             (unsigned long long)need);
    return true;
}
