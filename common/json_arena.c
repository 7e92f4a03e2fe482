/* json_arena.c: per-thread arenas for parsed JSON trees, behind cJSON's hooks (see json_arena.h). */
#include "common/json_arena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/json_long.h"

#define S_FIRST_BLOCK_BYTES (64u << 10)
#define S_ALIGN ((size_t)16) /* what malloc promises: cJSON keeps doubles and pointers */

/* A block's bytes follow its header; the header's size keeps them aligned as malloc's are. */
struct s_block {
    struct s_block *next;
    size_t size; /* bytes after the header */
    size_t used;
    size_t pad;
};
_Static_assert(sizeof(struct s_block) % 16 == 0, "block data must stay 16-byte aligned");

struct brk_json_arena {
    atomic_uint refs;       /* one for its thread while the thread lives, one per live tree */
    struct s_block *blocks; /* newest first */
    size_t total;           /* bytes in blocks */
    size_t hooked;          /* hook allocations during the current parse */
    bool parsing;           /* this thread's allocations come from here */
};

/* The calling thread's arena; the key's destructor drops the thread's reference at exit. */
static _Thread_local struct brk_json_arena *s_mine;
static pthread_key_t s_key;
static bool s_key_ok;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static unsigned char *s_data(struct s_block *b)
{
    return (unsigned char *)(b + 1);
}

/* Whether p points into one of a's blocks (addresses compared as integers: they belong to
 * different objects). */
static bool s_owns(const struct brk_json_arena *a, const void *p)
{
    uintptr_t at = (uintptr_t)p;
    for (struct s_block *b = a->blocks; b; b = b->next) {
        uintptr_t start = (uintptr_t)s_data(b);
        if (at >= start && at - start < b->size) {
            return true;
        }
    }
    return false;
}

/* A new newest block for at least `need` bytes, doubling; NULL past the arena's limit. */
static struct s_block *s_grow(struct brk_json_arena *a, size_t need)
{
    size_t size = a->blocks ? a->blocks->size * 2 : S_FIRST_BLOCK_BYTES;
    if (a->total + size > BRK_JSON_ARENA_MAX_BYTES) {
        size = BRK_JSON_ARENA_MAX_BYTES - a->total;
    }
    if (size < need) {
        return NULL;
    }
    struct s_block *b = brk_malloc(sizeof(*b) + size);
    if (!b) {
        return NULL;
    }
    *b = (struct s_block){.next = a->blocks, .size = size};
    a->blocks = b;
    a->total += size;
    return b;
}

static void *s_carve(struct brk_json_arena *a, size_t size)
{
    size_t need = (size + S_ALIGN - 1) & ~(S_ALIGN - 1);
    struct s_block *b = a->blocks;
    if (need < size || need > BRK_JSON_ARENA_MAX_BYTES) {
        return NULL;
    }
    if (!b || b->size - b->used < need) {
        b = s_grow(a, need);
    }
    if (!b) {
        return NULL;
    }
    void *p = s_data(b) + b->used;
    b->used += need;
    return p;
}

static void *s_hook_malloc(size_t size)
{
    struct brk_json_arena *a = s_mine;
    if (a && a->parsing) {
        a->hooked++;
        void *p = s_carve(a, size);
        if (p) {
            return p;
        }
    }
    return brk_malloc(size); /* not parsing, or the arena is full: an ordinary allocation */
}

static void s_hook_free(void *p)
{
    struct brk_json_arena *a = s_mine;
    if (p && a && s_owns(a, p)) {
        return; /* the arena's: the rewind at the next parse takes it back */
    }
    brk_free(p);
}

static void s_free_blocks(struct s_block *b)
{
    while (b) {
        struct s_block *next = b->next;
        brk_free(b);
        b = next;
    }
}

static void s_release(struct brk_json_arena *a)
{
    if (atomic_fetch_sub(&a->refs, 1) == 1) {
        s_free_blocks(a->blocks);
        brk_free(a);
    }
}

/* Thread exit: the thread's reference goes; a tree still alive elsewhere keeps the arena. */
static void s_thread_end(void *arena)
{
    s_mine = NULL;
    s_release(arena);
}

static void s_hooks_in(void)
{
    cJSON_Hooks hooks = {.malloc_fn = s_hook_malloc, .free_fn = s_hook_free};
    cJSON_InitHooks(&hooks);
}

static void s_install_once(void)
{
    s_key_ok = pthread_key_create(&s_key, s_thread_end) == 0;
    s_hooks_in();
}

void brk_json_arena_install(void)
{
    if (pthread_once(&s_once, s_install_once) == 0) {
        s_hooks_in(); /* again: after a cJSON_InitHooks of someone else's (a benchmark's baseline) */
    }
}

static struct brk_json_arena *s_this_thread(void)
{
    if (s_mine || !s_key_ok) {
        return s_mine;
    }
    struct brk_json_arena *a = brk_calloc(1, sizeof(*a));
    if (a) {
        atomic_init(&a->refs, 1);
        if (pthread_setspecific(s_key, a) != 0) {
            brk_free(a);
            return NULL;
        }
    }
    s_mine = a;
    return a;
}

/* No tree of the arena is alive: keep its largest block within the keep limit, empty, so the
 * next tree of the same size fits in one block; give the others back. */
static void s_rewind(struct brk_json_arena *a)
{
    struct s_block *keep = NULL;
    for (struct s_block *b = a->blocks; b; b = b->next) {
        if (b->size <= BRK_JSON_ARENA_KEEP_BYTES && (!keep || b->size > keep->size)) {
            keep = b;
        }
    }
    for (struct s_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        if (b != keep) {
            brk_free(b);
        }
    }
    a->blocks = keep;
    a->total = keep ? keep->size : 0;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
}

/* Texts from 4 KiB have their string values of 256 bytes and more without escapes (a document's
 * base64, a tool result, a long turn) copied with memcpy rather than read twice a byte at a time
 * by cJSON (json_long.h; the same tree). Below 4 KiB, little is left to gain (docs/benchmarks.md:
 * a 16 KiB and 1 KiB first cut left the 10 KB fixture, 7.6 KB of strings from 256 bytes, as it
 * was). */
#define S_LONG_BODY_BYTES (4u << 10)
#define S_LONG_STRING_BYTES 256

cJSON *brk_json_arena_parse(const char *text, size_t len, struct brk_json_arena **arena)
{
    *arena = NULL;
    pthread_once(&s_once, s_install_once); /* not brk_json_arena_install: no global write per parse */
    struct brk_json_arena *a = s_this_thread();
    if (!a) {
        return cJSON_ParseWithLength(text, len);
    }
    if (atomic_load(&a->refs) == 1) {
        s_rewind(a);
    }
    a->parsing = true;
    a->hooked = 0;
    cJSON *tree = len >= S_LONG_BODY_BYTES ? brk_json_parse_long(text, len, S_LONG_STRING_BYTES)
                                           : cJSON_ParseWithLength(text, len);
    a->parsing = false;
    /* No allocation reached the hooks: someone else's hooks are installed, the tree is ordinary. */
    if (tree && a->hooked) {
        atomic_fetch_add(&a->refs, 1);
        *arena = a;
    }
    return tree;
}

void brk_json_arena_delete(cJSON *tree, struct brk_json_arena *arena)
{
    if (!arena || arena == s_mine) {
        cJSON_Delete(tree); /* the arena's nodes are skipped by the hook, the others freed */
    }
    if (arena) {
        s_release(arena);
    }
}
