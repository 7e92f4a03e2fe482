/* hash.c: SHA-256 through one EVP_MD fetched once (see hash.h). */
#include "bedrock/hash.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

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
