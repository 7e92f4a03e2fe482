/*
 * hash.h: SHA-256, the one digest both sides use (SigV4 payload hashes, the mock's reply
 * seeds and bearer-key account names).
 *
 * Why not OpenSSL's SHA256(): in OpenSSL 3 every call looks the algorithm up in the provider
 * store (EVP_MD_fetch), which cost more than hashing a small request body. brk_sha256 fetches
 * it once per process.
 *
 * Thread-safety: callable from any thread. No allocation survives a call.
 */
#ifndef BEDROCK_HASH_H
#define BEDROCK_HASH_H

#include <stddef.h>

#define BRK_SHA256_LEN 32

/* out receives the 32-byte digest of data[0..len) (data may be NULL when len is 0). Returns
 * 0, or -1 when OpenSSL could not hash (out of memory), with out zeroed. */
int brk_sha256(const void *data, size_t len, unsigned char out[BRK_SHA256_LEN]);

#endif
