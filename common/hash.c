/* hash.c: SHA-256 through one EVP_MD fetched once, a fast 64-bit hash, and constant-time
 * comparison (see hash.h). */
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

bool brk_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    /* CRYPTO_memcmp over the common length: it reads every byte whatever it finds. */
    size_t n = a_len < b_len ? a_len : b_len;
    int diff = n ? CRYPTO_memcmp(a, b, n) : 0;
    return diff == 0 && a_len == b_len;
}
