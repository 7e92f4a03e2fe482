/* Unit tests for common/json_arena.c: trees parsed into a thread's arena, the hooks behind them,
 * rewinding, the memory limit, foreign hooks and threads. ASan and valgrind check that nothing
 * leaks and no arena address reaches free(). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "common/json_arena.h"

#define S_TEXT "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"},{\"n\":42.5}]}],\"ok\":true}"

/* The same text parsed the ordinary way, printed: what an arena tree must print too. */
static char *s_plain_print(const char *text)
{
    cJSON *plain = cJSON_Parse(text);
    char *out = cJSON_PrintUnformatted(plain);
    cJSON_Delete(plain);
    return out;
}

Test(json_arena, a_tree_parsed_into_the_arena_is_the_same_tree)
{
    struct brk_json_arena *arena = NULL;
    cJSON *tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &arena);
    cr_assert_not_null(tree);
    cr_assert_not_null(arena, "the parse did not use the arena");
    char *got = cJSON_PrintUnformatted(tree), *want = s_plain_print(S_TEXT);
    cr_assert_str_eq(got, want);
    free(got); /* printed output is an ordinary allocation: plain free() works */
    free(want);
    brk_json_arena_delete(tree, arena);
}

Test(json_arena, text_that_is_not_json_gives_null_and_no_reference)
{
    struct brk_json_arena *arena = (struct brk_json_arena *)1;
    cr_assert_null(brk_json_arena_parse("{\"a\":", 5, &arena));
    cr_assert_null(arena);
}

/* Items added to an arena tree are ordinary allocations; deleting the tree frees them (a leak
 * would fail the run under ASan and valgrind) and skips the arena's nodes (freeing one would
 * crash). */
Test(json_arena, items_added_to_an_arena_tree_are_freed_with_it)
{
    struct brk_json_arena *arena = NULL;
    cJSON *tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &arena);
    cJSON_AddStringToObject(tree, "added", "a string of its own");
    cJSON_DeleteItemFromObject(tree, "ok"); /* an arena node deleted alone */
    cJSON_ReplaceItemInObject(tree, "messages", cJSON_CreateArray());
    cr_assert_not_null(cJSON_GetObjectItem(tree, "added"));
    cr_assert_null(cJSON_GetObjectItem(tree, "ok"));
    brk_json_arena_delete(tree, arena);
}

/* Once no tree is alive, the next parse reuses the same memory; while one is alive it is not
 * touched. */
Test(json_arena, the_arena_is_rewound_only_when_no_tree_is_alive)
{
    struct brk_json_arena *a1 = NULL, *a2 = NULL, *a3 = NULL;
    cJSON *first = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &a1);
    cJSON *second = brk_json_arena_parse("{\"other\":[1,2,3]}", 17, &a2);
    cr_assert_neq(first, second, "a live tree's memory was reused");
    char *got = cJSON_PrintUnformatted(first), *want = s_plain_print(S_TEXT);
    cr_assert_str_eq(got, want, "the first tree changed under the second parse");
    free(got);
    free(want);
    brk_json_arena_delete(second, a2);
    brk_json_arena_delete(first, a1);
    cJSON *third = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &a3);
    cr_assert_eq(third, first, "the rewound arena should give the first address again");
    brk_json_arena_delete(third, a3);
}

/* A tree bigger than the arena's limit: the parse goes on with ordinary allocations. */
Test(json_arena, a_tree_past_the_limit_continues_with_ordinary_allocations)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    brk_buf_append_str(&b, "[");
    for (unsigned i = 0; i < 200000; i++) { /* 200,000 nodes of 64 bytes and more: past 8 MiB */
        brk_buf_appendf(&b, "%s\"item %u\"", i ? "," : "", i);
    }
    brk_buf_append_str(&b, "]");
    struct brk_json_arena *arena = NULL;
    cJSON *tree = brk_json_arena_parse(b.data, b.len, &arena);
    cr_assert_not_null(tree);
    cr_assert_eq(cJSON_GetArraySize(tree), 200000);
    cr_assert_str_eq(cJSON_GetArrayItem(tree, 199999)->valuestring, "item 199999");
    brk_json_arena_delete(tree, arena);
    brk_buf_clean_up(&b);
}

/* Someone else's hooks: the parse notices and hands out an ordinary tree. */
Test(json_arena, under_foreign_hooks_the_tree_is_ordinary)
{
    brk_json_arena_install();
    cJSON_InitHooks(NULL); /* after ours, as a program's own would come */
    struct brk_json_arena *arena = (struct brk_json_arena *)1;
    cJSON *tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &arena);
    cr_assert_not_null(tree);
    cr_assert_null(arena, "the arena was used under cJSON's default hooks");
    brk_json_arena_delete(tree, arena);
    brk_json_arena_install();
    tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &arena);
    cr_assert_not_null(arena, "reinstalled hooks should use the arena again");
    brk_json_arena_delete(tree, arena);
}

struct s_parsed {
    cJSON *tree;
    struct brk_json_arena *arena;
};

static void *s_parse_main(void *arg)
{
    struct s_parsed *p = arg;
    p->tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &p->arena);
    return NULL;
}

/* A tree outlives the thread that parsed it: the arena outlives the thread too, until the tree
 * is deleted (here, on another thread: its arena nodes are left alone, then the arena freed). */
Test(json_arena, a_tree_outliving_its_thread_keeps_the_arena_until_deleted)
{
    struct s_parsed p = {0};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, s_parse_main, &p), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);
    cr_assert_not_null(p.arena);
    char *got = cJSON_PrintUnformatted(p.tree), *want = s_plain_print(S_TEXT);
    cr_assert_str_eq(got, want, "the tree did not survive its thread");
    free(got);
    free(want);
    brk_json_arena_delete(p.tree, p.arena);
}

static void *s_parse_and_delete_main(void *arg)
{
    (void)arg;
    struct brk_json_arena *arena = NULL;
    cJSON *tree = brk_json_arena_parse(S_TEXT, strlen(S_TEXT), &arena);
    bool ok = tree && arena;
    brk_json_arena_delete(tree, arena);
    return ok ? arg : NULL;
}

/* Threads that parse and end: each thread's arena goes with it (leak checkers see the rest). */
Test(json_arena, each_thread_has_its_own_arena_freed_at_its_end)
{
    pthread_t t[4];
    int token;
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(pthread_create(&t[i], NULL, s_parse_and_delete_main, &token), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ok = NULL;
        cr_assert_eq(pthread_join(t[i], &ok), 0);
        cr_assert_eq(ok, &token, "thread %d did not parse into its arena", i);
    }
}
