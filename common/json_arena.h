/*
 * json_arena.h: parsing JSON text into a per-thread arena instead of one malloc per node.
 *
 * Why: cJSON allocates every node, key and string of a tree with its own malloc, and frees
 * each again. A 20 KB Converse request is about a thousand of them: malloc and free were a
 * fifth of the mock's time per request, and under load glibc spent another tenth of the
 * server's CPU consolidating the freed nodes (malloc_consolidate) at the next large allocation
 * (docs/benchmarks.md). A parse here carves the tree out of a few large blocks owned by the
 * calling thread, reused from one request to the next.
 *
 * How: cJSON's allocation hooks (process-wide, cJSON_InitHooks) are replaced, once, by two
 * functions that behave exactly like brk_malloc and brk_free (common/alloc.h) except in two
 * cases: while brk_json_arena_parse runs on a thread, that thread's allocations come from its
 * arena; and a free of an address inside the calling thread's arena does nothing. Every other
 * pointer is an ordinary malloc'd one, so a program that frees cJSON_Print's output with free()
 * keeps working. What the hooks change for others: cJSON no longer uses realloc when printing
 * (it does so only with its default hooks). A program's own cJSON_InitHooks, called later,
 * replaces these: a parse notices (no allocation reached the arena) and hands out an ordinary
 * tree; but a tree parsed into an arena before must not be deleted under someone else's hooks.
 *
 * Lifetime: the tree belongs to the caller until brk_json_arena_delete. Each tree holds a
 * reference on its thread's arena; the arena is rewound (its blocks kept, up to a limit) at the
 * next parse on that thread once no tree of it is alive, and freed when the thread has ended
 * and its last tree is deleted. The tree may be changed (items added, replaced, deleted: added
 * items are ordinary allocations) by the thread that parsed it.
 *
 * Thread contract: parse, change and delete a tree on the same thread. brk_json_arena_delete on
 * another thread cannot free the tree's ordinary allocations safely, so it frees none of them
 * (they leak) and only drops the reference; nothing in the project does that.
 *
 * Memory: an arena takes blocks from 64 KiB, doubling, up to BRK_JSON_ARENA_MAX_BYTES a thread;
 * past that a parse continues with ordinary allocations. It keeps at most
 * BRK_JSON_ARENA_KEEP_BYTES between parses.
 */
#ifndef BEDROCK_JSON_ARENA_H
#define BEDROCK_JSON_ARENA_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define BRK_JSON_ARENA_MAX_BYTES (8u << 20)
#define BRK_JSON_ARENA_KEEP_BYTES (1u << 20)

struct brk_json_arena;

/* Install the hooks (thread-safe; brk_json_arena_parse does it once too). Calling it again
 * reinstates them after a cJSON_InitHooks of someone else's, e.g. a benchmark that measures
 * cJSON with its default allocator; no tree of an arena may be deleted in between. */
void brk_json_arena_install(void);

/* cJSON_ParseWithLength of text[0..len) into the calling thread's arena (from 4 KiB through
 * brk_json_parse_long, json_long.h: the same tree, long plain strings copied with memcpy). *arena receives the
 * reference the tree holds (NULL when the arena was not used: then the tree is an ordinary one
 * and brk_json_arena_delete treats it so). Returns NULL, with *arena NULL, when the text is not
 * JSON or memory ran out. */
cJSON *brk_json_arena_parse(const char *text, size_t len, struct brk_json_arena **arena);

/* Delete `tree` (may be NULL) and drop the reference `arena` (may be NULL). The tree may have
 * been replaced meanwhile by an ordinary one: it is deleted the same way. */
void brk_json_arena_delete(cJSON *tree, struct brk_json_arena *arena);

#endif
