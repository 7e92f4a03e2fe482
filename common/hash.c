/* hash.c: SHA-256 through one EVP_MD fetched once, fast 64-bit and streaming 128-bit hashes,
 * and constant-time comparison (see hash.h). */
#include "common/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "common/rng.h"

static EVP_MD *s_sha256;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void s_fetch(void)
{
    s_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); /* lives until exit: one per process */
}

int brk_sha256(const void *data, size_t len, unsigned char out[BRK_SHA256_LEN])
{
    pthread_once(&s_once, s_fetch);
    unsigned int n = 0;
    if (!s_sha256 || EVP_Digest(data ? data : (const void *)"", len, out, &n, s_sha256, NULL) != 1) {
        memset(out, 0, BRK_SHA256_LEN);
        return -1;
    }
    return 0;
}

/* brk_mix64 (splitmix64's finaliser), here again so the loop below inlines it: the call per
 * eight bytes was half of hashing a 20 KB body. rng.c's is the reference; the hash tests pin
 * this one's values. */
static inline uint64_t s_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Eight bytes as a little-endian number, on every machine. */
static inline uint64_t s_load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
#else
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--) {
        w = (w << 8) | p[i];
    }
    return w;
#endif
}

uint64_t brk_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = s_mix(len);
    while (len >= 8) {
        h = s_mix(h ^ s_load_le64(p));
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = len; i > 0; i--) {
        tail = (tail << 8) | p[i - 1];
    }
    return s_mix(h ^ tail ^ ((uint64_t)len << 56));
}

/* The lanes' starting values: the first fractional hex digits of pi (any four distinct nonzero
 * words would do: a lane starting at zero would stay there while the words are zero). */
static const uint64_t s_lane_seeds[4] = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL, 0xA4093822299F31D0ULL,
                                         0x082EFA98EC4E6C89ULL};

static inline uint64_t s_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* 32-byte blocks, n of them. Each lane's own word goes through a multiply-rotate (a bijection of
 * the lane for a given word, so one word's change cannot cancel within its lane), and the word
 * before it (cyclically) is added times another odd constant: a change to any word moves two
 * lanes, and the four multiplies per block do not wait for each other. The lanes live in
 * locals: stored through the pointer, each block would reload them (the input bytes may alias). */
static void s_blocks128(uint64_t lanes[4], const unsigned char *p, size_t n)
{
    const uint64_t k1 = 0xBF58476D1CE4E5B9ULL, k2 = 0x94D049BB133111EBULL;
    uint64_t v0 = lanes[0], v1 = lanes[1], v2 = lanes[2], v3 = lanes[3];
    for (; n > 0; n--, p += 32) {
        uint64_t w0 = s_load_le64(p), w1 = s_load_le64(p + 8), w2 = s_load_le64(p + 16), w3 = s_load_le64(p + 24);
        v0 = s_rotl((v0 ^ w0) * k1, 29) + w3 * k2;
        v1 = s_rotl((v1 ^ w1) * k1, 29) + w0 * k2;
        v2 = s_rotl((v2 ^ w2) * k1, 29) + w1 * k2;
        v3 = s_rotl((v3 ^ w3) * k1, 29) + w2 * k2;
    }
    lanes[0] = v0;
    lanes[1] = v1;
    lanes[2] = v2;
    lanes[3] = v3;
}

void brk_hash128_init(struct brk_hash128 *h)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->lanes, s_lane_seeds, sizeof(h->lanes));
}

void brk_hash128_update(struct brk_hash128 *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len == 0) {
        return; /* data may be NULL: no memcpy from it */
    }
    h->total_bytes += len;
    if (h->n_pending) { /* finish the pending block first */
        size_t take = sizeof(h->pending) - h->n_pending;
        take = take < len ? take : len;
        memcpy(h->pending + h->n_pending, p, take);
        h->n_pending += take;
        p += take;
        len -= take;
        if (h->n_pending < sizeof(h->pending)) {
            return;
        }
        s_blocks128(h->lanes, h->pending, 1);
        h->n_pending = 0;
    }
    size_t whole = len / sizeof(h->pending);
    s_blocks128(h->lanes, p, whole);
    p += whole * sizeof(h->pending);
    len -= whole * sizeof(h->pending);
    if (len) {
        memcpy(h->pending, p, len);
        h->n_pending = len;
    }
}

static void s_store_le64(unsigned char *out, uint64_t x)
{
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(x >> (8 * i));
    }
}

void brk_hash128_digest(const struct brk_hash128 *h, unsigned char out[BRK_HASH128_LEN])
{
    uint64_t v[4] = {h->lanes[0], h->lanes[1], h->lanes[2], h->lanes[3]};
    if (h->n_pending) { /* the tail, zero-padded: the byte count below tells it from real zeros */
        unsigned char last[sizeof(h->pending)] = {0};
        memcpy(last, h->pending, h->n_pending);
        s_blocks128(v, last, 1);
    }
    uint64_t n = h->total_bytes;
    uint64_t lo = s_mix(v[0] ^ s_mix(v[1] ^ s_mix(v[2] ^ s_mix(v[3] ^ n))));
    uint64_t hi = s_mix(v[3] + s_mix(v[2] + s_mix(v[1] + s_mix(v[0] + ~n))));
    s_store_le64(out, lo);
    s_store_le64(out + 8, hi);
}

void brk_hash128(const void *data, size_t len, unsigned char out[BRK_HASH128_LEN])
{
    struct brk_hash128 h;
    brk_hash128_init(&h);
    brk_hash128_update(&h, data, len);
    brk_hash128_digest(&h, out);
}

bool brk_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    /* CRYPTO_memcmp over the common length: it reads every byte whatever it finds. */
    size_t n = a_len < b_len ? a_len : b_len;
    int diff = n ? CRYPTO_memcmp(a, b, n) : 0;
    return diff == 0 && a_len == b_len;
}
