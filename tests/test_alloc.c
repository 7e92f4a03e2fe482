/* Unit tests for common/alloc.c: the wrappers and the fail-the-nth hook. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"

Test(alloc, wrappers_allocate_and_copy_when_nothing_is_armed)
{
    brk_alloc_fail_at(0);
    char *s = brk_strdup("bedrock");
    char *t = brk_strndup("bedrock", 3);
    int *z = brk_calloc(4, sizeof(int));
    cr_assert_str_eq(s, "bedrock");
    cr_assert_str_eq(t, "bed");
    cr_assert_eq(z[0] | z[1] | z[2] | z[3], 0);
    z = brk_realloc(z, 64 * sizeof(int));
    cr_assert_not_null(z);
    cr_assert_eq(brk_alloc_count(), 4);
    brk_free(s);
    brk_free(t);
    brk_free(z);
}

Test(alloc, the_armed_allocation_fails_and_only_that_one)
{
    brk_alloc_fail_at(2);
    void *a = brk_malloc(8);
    void *b = brk_malloc(8);
    void *c = brk_malloc(8);
    cr_assert_not_null(a);
    cr_assert_null(b);
    cr_assert_not_null(c);
    brk_free(a);
    brk_free(c);
    brk_alloc_fail_at(1);
    cr_assert_null(brk_strdup("x"));
    brk_alloc_fail_at(0);
}

Test(alloc, calloc_refuses_an_overflowing_size)
{
    brk_alloc_fail_at(0);
    cr_assert_null(brk_calloc(SIZE_MAX / 2, 4));
}
