/* alloc.c: allocation wrappers with a fail-the-nth-allocation hook (see alloc.h). */
#include "common/alloc.h"

#include "common/json_arena.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool s_counting; /* set by the first brk_alloc_fail_at: tests only */
static atomic_long s_count;    /* allocations since the last arm */
static atomic_long s_fail_at;  /* 0: nothing armed */
static atomic_long s_failures; /* NULLs returned, armed or real */

/* True when this allocation is the armed one. Counting every call keeps the index stable
 * between a counting run and the failing runs of a torture test. Until a test arms the hook,
 * nothing is counted: two atomic additions on one shared counter per allocation were measurable
 * when 32 server threads allocate at once. */
static int s_should_fail(void)
{
    if (!atomic_load_explicit(&s_counting, memory_order_relaxed)) {
        return 0;
    }
    long n = atomic_fetch_add(&s_count, 1) + 1;
    long armed = atomic_load(&s_fail_at);
    return armed > 0 && n == armed;
}

/* Count a failed allocation (p NULL) so that callers can tell out-of-memory from bad input. */
static void *s_counted(void *p)
{
    if (p == NULL) {
        atomic_fetch_add(&s_failures, 1);
    }
    return p;
}

void *brk_malloc(size_t size)
{
    return s_counted(s_should_fail() ? NULL : malloc(size));
}

void *brk_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return s_counted(NULL);
    }
    return s_counted(s_should_fail() ? NULL : calloc(n, size));
}

void *brk_realloc(void *ptr, size_t size)
{
    return s_counted(s_should_fail() ? NULL : realloc(ptr, size));
}

char *brk_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = brk_malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *brk_strdup(const char *s)
{
    return brk_strndup(s, SIZE_MAX);
}

void brk_free(void *ptr)
{
    free(ptr);
}

void brk_alloc_fail_at(long n)
{
    atomic_store(&s_fail_at, n < 0 ? 0 : n);
    atomic_store(&s_count, 0);
    atomic_store(&s_counting, true);
}

long brk_alloc_failures(void)
{
    return atomic_load(&s_failures);
}

long brk_alloc_count(void)
{
    return atomic_load(&s_count);
}

void brk_alloc_hook_cjson(void)
{
    brk_json_arena_install(); /* its hooks allocate through the wrappers (json_arena.h) */
}
