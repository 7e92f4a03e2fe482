/*
 * hash.h: the digests both sides use: SHA-256 (SigV4 payload hashes, prompt-cache prefixes,
 * bearer-key account names) and a fast non-cryptographic 64-bit hash (seeds of the mock's
 * deterministic replies).
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
#include <stdint.h>

#define BRK_SHA256_LEN 32

/* out receives the 32-byte digest of data[0..len) (data may be NULL when len is 0). Returns
 * 0, or -1 when OpenSSL could not hash (out of memory), with out zeroed. */
int brk_sha256(const void *data, size_t len, unsigned char out[BRK_SHA256_LEN]);

/* A stable 64-bit hash of data[0..len) (data may be NULL when len is 0): splitmix64 over
 * 8-byte words. Not for security; the same bytes give the same value on every run and
 * machine (words are read little-endian). Why not SHA-256 here: the mock's first SHA-256 call
 * initialises OpenSSL's providers (about 8 ms), and a plain Converse request needs no
 * cryptography at all. */
uint64_t brk_hash64(const void *data, size_t len);

#endif
