/* budget.c: the memory budget for what clients make the server hold (see budget.h). */
#include "mock/http/budget.h"

#include "common/alloc.h"

void mock_budget_init(struct mock_budget *b, uint64_t limit_bytes)
{
    b->parent = NULL;
    b->limit_bytes = limit_bytes;
    atomic_init(&b->used_bytes, 0);
    atomic_init(&b->peak_bytes, 0);
    atomic_init(&b->refused, 0);
}

void mock_budget_init_share(struct mock_budget *share, struct mock_budget *parent, uint64_t limit_bytes)
{
    mock_budget_init(share, limit_bytes);
    share->parent = parent;
}

static bool s_take_one(struct mock_budget *b, uint64_t bytes)
{
    uint64_t used = atomic_load(&b->used_bytes);
    do {
        if (bytes > b->limit_bytes || used > b->limit_bytes - bytes) {
            atomic_fetch_add(&b->refused, 1);
            return false;
        }
    } while (!atomic_compare_exchange_weak(&b->used_bytes, &used, used + bytes));
    uint64_t peak = atomic_load(&b->peak_bytes);
    while (used + bytes > peak && !atomic_compare_exchange_weak(&b->peak_bytes, &peak, used + bytes)) {
    }
    return true;
}

bool mock_budget_take(struct mock_budget *b, uint64_t bytes)
{
    if (!s_take_one(b, bytes)) {
        return false;
    }
    if (b->parent && !mock_budget_take(b->parent, bytes)) {
        atomic_fetch_sub(&b->used_bytes, bytes);
        return false;
    }
    return true;
}

void mock_budget_give(struct mock_budget *b, uint64_t bytes)
{
    for (; b; b = b->parent) {
        atomic_fetch_sub(&b->used_bytes, bytes);
    }
}

/* The capacity brk_buf_append will grow `buf` to for `need` bytes: it doubles from 64 and
 * keeps a byte for the NUL (common/buf.c). Predicted so the budget is taken before the
 * allocation, not after. */
static size_t s_grown_cap(const struct brk_buf *buf, size_t need)
{
    if (need + 1 <= buf->cap) {
        return buf->cap;
    }
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need + 1) {
        cap *= 2;
    }
    return cap;
}

enum mock_budget_append mock_budget_buf_append(struct mock_budget *b, struct brk_buf *buf, uint64_t *charged_bytes,
                                               const void *data, size_t len)
{
    if (len > buf->max_len - buf->len) {
        return MOCK_BUDGET_TOO_LARGE;
    }
    size_t cap = s_grown_cap(buf, buf->len + len);
    uint64_t more = cap > *charged_bytes ? cap - *charged_bytes : 0;
    if (more && !mock_budget_take(b, more)) {
        return MOCK_BUDGET_REFUSED;
    }
    *charged_bytes += more;
    return brk_buf_append(buf, data, len) == BRK_OK ? MOCK_BUDGET_OK : MOCK_BUDGET_TOO_LARGE;
}

/* Sets the capacity brk_buf_append then doubles from (common/buf.c keeps the `cap` it finds),
 * so one allocation holds a body of known length: a 100 KB body was reallocated and copied
 * eleven times on its way up from 64 bytes (docs/benchmarks.md). A brk_buf_reserve in
 * common/buf.c would keep these fields private to it. */
static enum mock_budget_append s_presize(struct mock_budget *b, struct brk_buf *buf, uint64_t *charged_bytes,
                                         uint64_t declared_bytes)
{
    if (declared_bytes > buf->max_len) {
        return MOCK_BUDGET_TOO_LARGE;
    }
    size_t len = declared_bytes < MOCK_BUDGET_FIRST_BODY_BYTES ? (size_t)declared_bytes : MOCK_BUDGET_FIRST_BODY_BYTES;
    if (len + 1 <= buf->cap) {
        return MOCK_BUDGET_OK;
    }
    size_t cap = len + 1; /* the NUL */
    uint64_t more = cap > *charged_bytes ? cap - *charged_bytes : 0;
    if (more && !mock_budget_take(b, more)) {
        return MOCK_BUDGET_REFUSED;
    }
    char *data = brk_realloc(buf->data, cap);
    if (!data) {
        mock_budget_give(b, more);
        return MOCK_BUDGET_TOO_LARGE;
    }
    data[buf->len] = '\0';
    buf->data = data;
    buf->cap = cap;
    *charged_bytes += more;
    return MOCK_BUDGET_OK;
}

enum mock_budget_append mock_budget_body_append(struct mock_budget *b, struct brk_buf *buf, uint64_t *charged_bytes,
                                                uint64_t declared_bytes, const void *data, size_t len)
{
    enum mock_budget_append rc = MOCK_BUDGET_OK;
    if (!buf->cap && declared_bytes) { /* the first piece of a body of known length */
        rc = s_presize(b, buf, charged_bytes, declared_bytes);
    }
    return rc == MOCK_BUDGET_OK ? mock_budget_buf_append(b, buf, charged_bytes, data, len) : rc;
}
