/*
 * schema_pattern.c: an example string for a JSON Schema "pattern" (see schema_example.h,
 * mock_pattern_example). A recursive descent over the ECMA-262 syntax that emits, for each
 * construct, the first thing it accepts: a literal itself, '.' and \w an 'a', \d a '0', a class
 * its first member (a negated class the first of "a0A -_" outside it), a group its first
 * alternative, a quantifier its minimum count. Recursion follows group nesting only, bounded by
 * S_MAX_GROUPS; the example is bounded by its buffer. Thread-safe: no state outside the call.
 */
#include <stdint.h>
#include <string.h>

#include "bedrock/buf.h"
#include "mock/model/schema_example.h"

#define S_MAX_GROUPS 32
#define S_MAX_COUNT 100000u

struct s_re {
    const char *p;      /* next pattern character */
    struct brk_buf out; /* the example so far */
    int groups;         /* open groups */
    bool ok;            /* false once the pattern leaves what is followed */
};

static void s_alternation(struct s_re *r);

static void s_emit(struct s_re *r, const char *text, size_t len)
{
    if (len && brk_buf_append(&r->out, text, len) != BRK_OK) {
        r->ok = false;
    }
}

static void s_truncate(struct s_re *r, size_t mark)
{
    r->out.len = mark;
    if (r->out.data) {
        r->out.data[mark] = '\0';
    }
}

/* Whether `c` belongs to the class escape \k (d, D, w, W, s, S) or is the escaped character. */
static bool s_in_escape(char k, int c)
{
    bool digit = c >= '0' && c <= '9';
    bool word = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    switch (k) {
    case 'd':
        return digit;
    case 'D':
        return !digit;
    case 'w':
        return word;
    case 'W':
        return !word;
    case 's':
        return space;
    case 'S':
        return !space;
    case 't':
        return c == '\t';
    case 'n':
        return c == '\n';
    case 'r':
        return c == '\r';
    case 'f':
        return c == '\f';
    case 'v':
        return c == '\v';
    default:
        return c == k;
    }
}

/* Escapes the generator cannot follow: back-references, \u, \x, \c, \k, \p. */
static bool s_escape_followed(char k)
{
    return k && !(k >= '1' && k <= '9') && !strchr("uxckpP0", k);
}

/* One member of a class: a character, an escape or a range; adds it to `set`. */
static void s_class_item(struct s_re *r, bool set[128], int *first)
{
    int lo = (unsigned char)*r->p;
    if (lo == '\\') {
        char k = *++r->p;
        if (!s_escape_followed(k)) {
            r->ok = false;
            return;
        }
        r->p++;
        for (int c = 9; c < 127; c++) {
            if (s_in_escape(k, c)) {
                set[c] = true;
                *first = *first < 0 ? c : *first;
            }
        }
        return;
    }
    int hi = lo;
    r->p++;
    if (r->p[0] == '-' && r->p[1] && r->p[1] != ']' && r->p[1] != '\\') {
        hi = (unsigned char)r->p[1];
        r->p += 2;
    }
    if (lo >= 128 || hi >= 128 || hi < lo) {
        r->ok = false; /* non-ASCII members: not followed */
        return;
    }
    for (int c = lo; c <= hi; c++) {
        set[c] = true;
    }
    *first = *first < 0 ? lo : *first;
}

static void s_class(struct s_re *r)
{
    bool set[128] = {false};
    int first = -1;
    bool negate = *++r->p == '^';
    r->p += negate;
    while (r->ok && *r->p && *r->p != ']') {
        s_class_item(r, set, &first);
    }
    if (!r->ok || *r->p != ']') {
        r->ok = false;
        return;
    }
    r->p++;
    char pick = 0;
    for (const char *c = "a0A -_"; negate && *c && !pick; c++) {
        pick = set[(unsigned char)*c] ? 0 : *c;
    }
    pick = negate ? pick : (char)first;
    if (pick <= 0) {
        r->ok = false; /* an empty class, or a negated one that refuses every candidate */
        return;
    }
    s_emit(r, &pick, 1);
}

static void s_group(struct s_re *r)
{
    r->p++;
    if (r->p[0] == '?') {
        const char *close = r->p[1] == '<' ? strchr(r->p, '>') : NULL;
        bool named = close && r->p[2] != '=' && r->p[2] != '!';
        if (r->p[1] != ':' && !named) {
            r->ok = false; /* look-arounds */
            return;
        }
        r->p = named ? close + 1 : r->p + 2;
    }
    if (++r->groups > S_MAX_GROUPS) {
        r->ok = false;
        return;
    }
    s_alternation(r);
    r->groups--;
    if (*r->p != ')') {
        r->ok = false;
        return;
    }
    r->p++;
}

static void s_escape(struct s_re *r)
{
    char k = *++r->p;
    if (!s_escape_followed(k)) {
        r->ok = false;
        return;
    }
    r->p++;
    if (k == 'b' || k == 'B') {
        return; /* word boundaries match between characters */
    }
    static const char letters[] = "tnrfv", controls[] = "\t\n\r\f\v";
    const char *at = strchr(letters, k);
    if (at) {
        s_emit(r, &controls[at - letters], 1);
        return;
    }
    for (int c = 32; c < 127; c++) {
        if (s_in_escape(k, c)) {
            char ch = (char)c;
            s_emit(r, &ch, 1);
            return;
        }
    }
    r->ok = false;
}

static void s_atom(struct s_re *r)
{
    unsigned char c = (unsigned char)*r->p;
    if (c == '^' || c == '$') {
        r->p++;
    } else if (c == '.') {
        s_emit(r, "a", 1);
        r->p++;
    } else if (c == '[') {
        s_class(r);
    } else if (c == '(') {
        s_group(r);
    } else if (c == '\\') {
        s_escape(r);
    } else if (c == '*' || c == '+' || c == '?' || (c >= 0x80 && c < 0xC0)) {
        r->ok = false; /* nothing to repeat, or a stray UTF-8 continuation byte */
    } else {
        size_t n = 1; /* a literal: a whole UTF-8 character, so a quantifier repeats all of it */
        while (c >= 0xC0 && ((unsigned char)r->p[n] & 0xC0) == 0x80) {
            n++;
        }
        s_emit(r, r->p, n);
        r->p += n;
    }
}

static bool s_digits(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v > S_MAX_COUNT ? v : v * 10 + (unsigned)(*s - '0');
        s++;
    }
    bool any = s != *p;
    *p = s;
    *out = v;
    return any;
}

/* {n}, {n,} or {n,m}: true with the minimum; false (nothing consumed) for a literal brace. */
static bool s_braces(struct s_re *r, unsigned *min)
{
    const char *s = r->p + 1;
    unsigned max = 0;
    if (!s_digits(&s, min)) {
        return false;
    }
    if (*s == ',') {
        s++;
        (void)s_digits(&s, &max);
    }
    if (*s != '}') {
        return false;
    }
    r->p = s + 1;
    return true;
}

/* Apply the quantifier after the atom that began at `mark`, if any. */
static void s_quantify(struct s_re *r, size_t mark)
{
    char c = *r->p;
    unsigned n = 1;
    if (c == '*' || c == '?' || c == '+') {
        n = c == '+';
        r->p++;
    } else if (c != '{' || !s_braces(r, &n)) {
        return;
    }
    r->p += *r->p == '?'; /* lazy: same minimum */
    size_t len = r->out.len - mark;
    if (n == 0) {
        s_truncate(r, mark);
        return;
    }
    if (len && (n > S_MAX_COUNT || len * (n - 1) > r->out.max_len)) {
        r->ok = false;
        return;
    }
    char atom[MOCK_EXAMPLE_MAX_PATTERN_BYTES];
    if (len > sizeof(atom)) {
        r->ok = false;
        return;
    }
    memcpy(atom, r->out.data + mark, len);
    for (unsigned i = 1; r->ok && i < n; i++) {
        s_emit(r, atom, len);
    }
}

static void s_sequence(struct s_re *r)
{
    while (r->ok && *r->p && *r->p != '|' && *r->p != ')') {
        size_t mark = r->out.len;
        s_atom(r);
        if (r->ok) {
            s_quantify(r, mark);
        }
    }
}

/* The first alternative is the example; the others are parsed (to find where the group ends)
 * and dropped. */
static void s_alternation(struct s_re *r)
{
    s_sequence(r);
    while (r->ok && *r->p == '|') {
        size_t mark = r->out.len;
        r->p++;
        s_sequence(r);
        s_truncate(r, mark);
    }
}

bool mock_pattern_example(const char *pattern, char *out, size_t out_len)
{
    if (!pattern || !out || out_len == 0) {
        return false;
    }
    struct s_re r = {.p = pattern, .ok = true};
    size_t max = out_len - 1 < MOCK_EXAMPLE_MAX_PATTERN_BYTES ? out_len - 1 : MOCK_EXAMPLE_MAX_PATTERN_BYTES;
    brk_buf_init(&r.out, max);
    s_alternation(&r);
    bool ok = r.ok && *r.p == '\0';
    if (ok) {
        memcpy(out, r.out.data ? r.out.data : "", r.out.len);
        out[r.out.len] = '\0';
    }
    brk_buf_clean_up(&r.out);
    return ok;
}
