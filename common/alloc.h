/*
 * alloc.h: the allocation wrappers every allocation in common/ and client/ goes through.
 *
 * Why: an out-of-memory path that no test reaches is a path that leaks or crashes. With every
 * allocation behind these wrappers, a test can make exactly the nth allocation from now fail
 * (curl's "torture" runs) and check that each error path returns BRK_ERR_NOMEM and frees what
 * it had taken: count the allocations of one successful call with brk_alloc_count, then repeat
 * the call once for each n in 1..count with brk_alloc_fail_at(n).
 *
 * The wrappers behave exactly as malloc, calloc, realloc, strdup, strndup and free do when no
 * failure is armed. brk_calloc also fails (returns NULL) when n * size overflows.
 * Thread-safe: the counter and the armed index are atomics, shared by the whole process, so
 * torture tests run one call at a time.
 */
#ifndef BEDROCK_COMMON_ALLOC_H
#define BEDROCK_COMMON_ALLOC_H

#include <stddef.h>

void *brk_malloc(size_t size);
void *brk_calloc(size_t n, size_t size);
void *brk_realloc(void *ptr, size_t size);
char *brk_strdup(const char *s);
char *brk_strndup(const char *s, size_t n);
void brk_free(void *ptr);

/* Test hook: make the nth allocation from now fail (1 = the next one); only that one fails.
 * 0 disarms. Also resets the count that brk_alloc_count returns. */
void brk_alloc_fail_at(long n);

/* Allocations made through the wrappers since the last brk_alloc_fail_at call; nothing is
 * counted before the first such call (the count costs shared atomics on every allocation). */
long brk_alloc_count(void);

/* Allocations through the wrappers that returned NULL since the process started, armed or real.
 * Why: a parser that gives NULL both for bad input and for no memory (cJSON_Parse) can be told
 * apart by comparing this count before and after the call. Process-wide, so another thread's
 * failure in between can make a bad input look like no memory; never the other way round. */
long brk_alloc_failures(void);

/* Route cJSON's allocations through the wrappers as well (cJSON_InitHooks), so a torture run
 * reaches the error paths of JSON parsing and building too. Process-wide and idempotent: the
 * hooks are common/json_arena.h's, which the mock installs anyway, and which hand every
 * allocation outside an arena parse to brk_malloc and brk_free. */
void brk_alloc_hook_cjson(void);

#endif
