/* journal_body.c: bodies into the journal, masked and bounded, and out as JSON (journal_body.h). */
#include "mock/admin/journal_body.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "bedrock/eventstream.h"
#include "common/alloc.h"
#include "common/base64.h"
#include "mock/admin/admin.h"

/* ---- secrets ------------------------------------------------------------------------ */

static void s_secret_add(struct mock_journal_secrets *s, const char *value)
{
    size_t n = value ? strlen(value) : 0;
    if (n >= MOCK_JOURNAL_MIN_SECRET_BYTES && s->n < MOCK_JOURNAL_MAX_SECRETS) {
        s->value[s->n] = value;
        s->len[s->n++] = n;
    }
}

void mock_journal_secrets_of(const struct mock_request *req, const char *admin_token, struct mock_journal_secrets *out)
{
    memset(out, 0, sizeof(*out));
    const char *authorization = mock_request_header(req, "Authorization");
    s_secret_add(out, authorization);
    if (authorization && strncasecmp(authorization, "Bearer ", 7) == 0) {
        s_secret_add(out, authorization + 7 + strspn(authorization + 7, " "));
    }
    s_secret_add(out, mock_request_header(req, "X-Amz-Security-Token"));
    s_secret_add(out, mock_request_query(req, "X-Amz-Security-Token"));
    s_secret_add(out, mock_request_header(req, MOCK_ADMIN_TOKEN_HEADER));
    s_secret_add(out, admin_token);
}

/* A long secret (an Authorization header is about 170 bytes) is found reading only every
 * (n - 3)th position of the text: a match covers exactly one of those positions, and its four
 * bytes there are four bytes of the secret, so a position whose four bytes (hashed into a
 * bitmap of the secret's) are none of the secret's rules out the n - 3 starts around it.
 * glibc's memmem probes a hash of two bytes, which a 170-byte needle sets for most of its 256
 * values, and stepped tens of bytes at a time: 1.9% of the server's CPU on the 100 KB fixture
 * (docs/benchmarks.md). Shorter secrets, and texts under S_LONG_TEXT_BYTES (where building
 * the bitmap costs more than memmem's search: a small request's journal step), keep memmem. */
#define S_LONG_SECRET_BYTES 32
#define S_LONG_TEXT_BYTES 4096
#define S_QGRAM_BITS 12

struct s_needle {
    const unsigned char *p;
    size_t n;
    uint64_t seen[(1u << S_QGRAM_BITS) / 64]; /* the hashes of the secret's four-byte pieces */
};

static uint32_t s_qgram(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof(w));
    return (w * 2654435761u) >> (32 - S_QGRAM_BITS);
}

static void s_needle_init(struct s_needle *nd, const char *value, size_t n)
{
    nd->p = (const unsigned char *)value;
    nd->n = n;
    memset(nd->seen, 0, sizeof(nd->seen));
    for (size_t i = 0; i + 4 <= n; i++) {
        uint32_t h = s_qgram(nd->p + i);
        nd->seen[h / 64] |= 1ULL << (h % 64);
    }
}

/* The first start in [lo, hi] where the secret occurs in hay[0..len), or SIZE_MAX. */
static size_t s_verify(const struct s_needle *nd, const unsigned char *hay, size_t len, size_t lo, size_t hi)
{
    for (size_t s = lo; s <= hi && s + nd->n <= len; s++) {
        const unsigned char *c = memchr(hay + s, nd->p[0], hi - s + 1);
        if (!c) {
            return SIZE_MAX;
        }
        s = (size_t)(c - hay);
        if (s + nd->n <= len && memcmp(c, nd->p, nd->n) == 0) {
            return s;
        }
    }
    return SIZE_MAX;
}

/* The first start at or after `at` where the secret occurs in hay[0..len), or SIZE_MAX. The
 * probe at p stands for the starts p - (n - 4) .. p, so the probes' windows tile the text. */
static size_t s_find_long(const struct s_needle *nd, const unsigned char *hay, size_t len, size_t at)
{
    size_t n = nd->n;
    if (len < n || at > len - n) {
        return SIZE_MAX;
    }
    for (size_t p = at + n - 4; p + 4 <= len; p += n - 3) {
        uint32_t h = s_qgram(hay + p);
        size_t s = nd->seen[h / 64] >> (h % 64) & 1 ? s_verify(nd, hay, len, p - (n - 4), p) : SIZE_MAX;
        if (s != SIZE_MAX) {
            return s;
        }
    }
    return SIZE_MAX;
}

static void s_mask_long(char *data, size_t len, size_t at, const char *value, size_t n)
{
    struct s_needle nd;
    s_needle_init(&nd, value, n);
    size_t s;
    while ((s = s_find_long(&nd, (const unsigned char *)data, len, at)) != SIZE_MAX) {
        memset(data + s, '*', n);
        at = s + n;
    }
}

void mock_journal_mask(char *data, size_t len, size_t from, const struct mock_journal_secrets *secrets)
{
    for (size_t k = 0; data && secrets && k < secrets->n; k++) {
        size_t n = secrets->len[k];
        size_t at = from >= n ? from - n + 1 : 0; /* the first start whose match ends at or after `from` */
        char *hit;
        if (n >= S_LONG_SECRET_BYTES && at < len && len - at >= S_LONG_TEXT_BYTES) {
            s_mask_long(data, len, at, secrets->value[k], n);
            continue;
        }
        while (at < len && (hit = memmem(data + at, len - at, secrets->value[k], n)) != NULL) {
            memset(hit, '*', n);
            at = (size_t)(hit - data) + n;
        }
    }
}

/* ---- capture ------------------------------------------------------------------------ */

/* Copy data[0..len) into `dst`, masked; false when it could not be allocated. */
static bool s_copy_masked(struct brk_buf *dst, const void *data, size_t len, size_t budget,
                          const struct mock_journal_secrets *secrets)
{
    brk_buf_init(dst, budget);
    if (!len) {
        return true;
    }
    if (brk_buf_append(dst, data, len) != BRK_OK) {
        return false;
    }
    mock_journal_mask(dst->data, dst->len, 0, secrets);
    return true;
}

/* The request body, taken from the request rather than copied (the journal is the last step
 * that reads it; mock_request_take_body) and masked in place. */
static void s_take_masked(struct brk_buf *dst, struct mock_request *req, size_t budget,
                          const struct mock_journal_secrets *secrets)
{
    size_t len = 0;
    brk_buf_init(dst, budget);
    dst->data = mock_request_take_body(req, &len);
    dst->len = len;
    dst->cap = len + 1; /* what the body is known to hold: its bytes and the NUL */
    mock_journal_mask(dst->data, dst->len, 0, secrets);
}

/* The raw request body (a body over --max-body-bytes was not read whole: none) and, unless the
 * answer is an event stream still to be produced, the response body. */
static void s_capture(size_t budget, struct mock_request *req, const struct mock_response *resp,
                      const struct mock_journal_secrets *secrets, struct mock_journal_entry *e)
{
    size_t req_len = req->body && !req->body_too_large ? req->body_len : 0;
    size_t resp_len = resp->stream_fn || !resp->body.data ? 0 : resp->body.len;
    e->response_stream = resp->stream_fn != NULL;
    brk_buf_init(&e->request_body, budget);
    brk_buf_init(&e->response_body, budget);
    if (budget == 0 || req_len > budget - resp_len || resp_len > budget) {
        e->body_dropped = true; /* more than the whole budget: kept nowhere */
        return;
    }
    if (!s_copy_masked(&e->response_body, resp->body.data, resp_len, budget, secrets)) {
        e->body_dropped = true;
        return;
    }
    if (req_len) {
        s_take_masked(&e->request_body, req, budget, secrets);
    }
}

/* ---- the stream tap ----------------------------------------------------------------- */

/* Wraps an event-stream producer: every byte it hands the transport is appended to the entry. */
struct s_tap {
    mock_stream_fn fn;
    void *ctx;
    void (*free_fn)(void *ctx);
    struct mock_journal *journal;
    struct mock_journal_ref ref;
    uint64_t taken; /* stream bytes appended so far */
    bool stopped;   /* the entry is gone or dropped, or the producer skipped ahead */
    struct mock_journal_secrets secrets;
    char *secret_text; /* owned copies of the secrets, back to back */
    size_t secret_bytes;
};

static long s_tap_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    struct s_tap *t = ctx;
    long n = t->fn(t->ctx, pos, buf, max);
    if (n <= 0 || t->stopped) {
        return n;
    }
    uint64_t end = pos + (uint64_t)n;
    if (pos > t->taken) {
        t->stopped = true; /* a gap: what follows would not be the stream as sent */
    } else if (end > t->taken) {
        size_t skip = (size_t)(t->taken - pos); /* a re-read: append only what is new */
        t->stopped = !mock_journal_append_response(t->journal, &t->ref, buf + skip, (size_t)n - skip, &t->secrets);
        t->taken = end;
    }
    return n;
}

static void s_tap_free(void *ctx)
{
    struct s_tap *t = ctx;
    if (t->free_fn && t->ctx) {
        t->free_fn(t->ctx);
    }
    memset(t->secret_text, 0, t->secret_bytes); /* no copy of a secret outlives the stream */
    brk_free(t->secret_text);
    brk_free(t);
}

/* A tap holding its own copies of `secrets` (the request is gone before the stream ends). */
static struct s_tap *s_tap_new(const struct mock_journal_secrets *secrets)
{
    size_t total = 1;
    for (size_t i = 0; i < secrets->n; i++) {
        total += secrets->len[i];
    }
    struct s_tap *t = brk_calloc(1, sizeof(*t));
    char *text = t ? brk_malloc(total) : NULL;
    if (!text) {
        brk_free(t);
        return NULL;
    }
    t->secret_text = text;
    t->secret_bytes = total;
    for (size_t i = 0; i < secrets->n; i++) {
        memcpy(text, secrets->value[i], secrets->len[i]);
        t->secrets.value[i] = text;
        t->secrets.len[i] = secrets->len[i];
        text += secrets->len[i];
    }
    t->secrets.n = secrets->n;
    return t;
}

static void s_tap_attach(struct s_tap *t, struct mock_journal *journal, const struct mock_journal_ref *ref,
                         struct mock_response *resp)
{
    t->fn = resp->stream_fn;
    t->ctx = resp->stream_ctx;
    t->free_fn = resp->stream_free;
    t->journal = journal;
    t->ref = *ref;
    resp->stream_fn = s_tap_read;
    resp->stream_ctx = t;
    resp->stream_free = s_tap_free;
}

void mock_journal_record(struct mock_journal *journal, struct mock_journal_entry *entry, struct mock_request *req,
                         struct mock_response *resp, const char *admin_token)
{
    struct mock_journal_secrets secrets;
    mock_journal_secrets_of(req, admin_token, &secrets);
    size_t budget = mock_journal_body_budget(journal);
    /* The fields that may quote what the client sent: an error message quotes a bad value. */
    mock_journal_mask(entry->error_message, strlen(entry->error_message), 0, &secrets);
    mock_journal_mask(entry->path, strlen(entry->path), 0, &secrets);
    mock_journal_mask(entry->model_id, strlen(entry->model_id), 0, &secrets);
    s_capture(budget, req, resp, &secrets, entry);
    struct s_tap *tap = NULL;
    if (resp->stream_fn && !entry->body_dropped) {
        tap = s_tap_new(&secrets);
        entry->body_dropped = tap == NULL; /* out of memory: the stream cannot be kept */
    }
    struct mock_journal_ref ref;
    mock_journal_add(journal, entry, &ref);
    if (tap) {
        s_tap_attach(tap, journal, &ref, resp);
    }
}

/* ---- out, as JSON --------------------------------------------------------------------- */

/* One JSON text (surrounding whitespace allowed), or NULL: a NUL byte or trailing bytes make
 * it something else, which cJSON alone would accept as a prefix. */
static cJSON *s_parse_exact(const char *data, size_t len)
{
    if (memchr(data, '\0', len)) {
        return NULL;
    }
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(data, len, &end, false);
    if (json && end) {
        size_t at = (size_t)(end - data);
        while (at < len && strchr(" \t\r\n", data[at])) {
            at++;
        }
        if (at < len) {
            cJSON_Delete(json);
            json = NULL;
        }
    }
    return json;
}

/* Bytes as JSON: null when empty, the document when they are one JSON text, otherwise
 * {"base64": "..."}. */
static cJSON *s_bytes_json(const void *data, size_t len)
{
    if (!data || !len) {
        return cJSON_CreateNull();
    }
    cJSON *json = s_parse_exact(data, len);
    if (json) {
        return json;
    }
    struct brk_buf b64;
    brk_buf_init(&b64, SIZE_MAX);
    json = cJSON_CreateObject();
    if (brk_base64_encode(data, len, &b64) == BRK_OK && b64.data) {
        cJSON_AddStringToObject(json, "base64", b64.data);
    }
    brk_buf_clean_up(&b64);
    return json;
}

/* {"event": TYPE, "payload": ...}, {"exception": TYPE, ...} or {"error": CODE, ...}. */
static cJSON *s_message_json(const struct brk_es_message *m)
{
    char kind[32] = "", type[256] = "";
    if (!brk_es_message_string(m, ":message-type", kind, sizeof(kind))) {
        kind[0] = '\0';
    }
    bool exception = strcmp(kind, "exception") == 0, error = strcmp(kind, "error") == 0;
    const char *header = exception ? ":exception-type" : error ? ":error-code" : ":event-type";
    if (!brk_es_message_string(m, header, type, sizeof(type))) {
        type[0] = '\0';
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, exception ? "exception" : error ? "error" : "event", type);
    cJSON_AddItemToObject(o, "payload", s_bytes_json(m->payload, m->payload_len));
    return o;
}

/* The length a message's prelude declares (big-endian), to step over one that fails its CRC. */
static size_t s_declared_len(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
}

/* The event stream as sent, one element per message; a message that does not decode becomes
 * {"undecodable": REASON, "offset": N}, stepped over when its length can be trusted. */
static cJSON *s_stream_json(const struct brk_buf *b)
{
    cJSON *list = cJSON_CreateArray();
    struct brk_es_message msg;
    size_t off = 0;
    while (b->data && off < b->len) {
        size_t used = 0;
        enum brk_status rc = brk_es_parse(b->data + off, b->len - off, &msg, &used);
        if (rc == BRK_OK) {
            cJSON_AddItemToArray(list, s_message_json(&msg));
            off += used;
            continue;
        }
        cJSON *bad = cJSON_CreateObject();
        cJSON_AddStringToObject(bad, "undecodable", brk_status_str(rc));
        cJSON_AddNumberToObject(bad, "offset", (double)off);
        cJSON_AddItemToArray(list, bad);
        size_t declared = b->len - off >= 4 ? s_declared_len((const unsigned char *)b->data + off) : 0;
        if (rc != BRK_ERR_CRC || declared < BRK_ES_OVERHEAD || declared > b->len - off) {
            break;
        }
        off += declared;
    }
    return list;
}

void mock_journal_bodies_to_json(const struct mock_journal_entry *entry, cJSON *o)
{
    const struct brk_buf *resp = &entry->response_body;
    cJSON_AddItemToObject(o, "request_body", s_bytes_json(entry->request_body.data, entry->request_body.len));
    cJSON_AddNumberToObject(o, "response_status", entry->status);
    if (entry->response_stream && !entry->body_dropped) {
        cJSON_AddItemToObject(o, "response_body", s_stream_json(resp));
    } else {
        cJSON_AddItemToObject(o, "response_body", s_bytes_json(resp->data, resp->len));
    }
    cJSON_AddBoolToObject(o, "body_dropped", entry->body_dropped);
}
