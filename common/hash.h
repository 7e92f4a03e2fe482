/*
 * hash.h: the digests both sides use: SHA-256 (SigV4 payload hashes, prompt-cache prefixes,
 * bearer-key account names), a fast non-cryptographic 64-bit hash (seeds of the mock's
 * deterministic replies), and the constant-time comparison of secrets.
 *
 * Why not OpenSSL's SHA256(): in OpenSSL 3 every call looks the algorithm up in the provider
 * store (EVP_MD_fetch), which cost more than hashing a small request body. brk_sha256 fetches
 * it once per process.
 *
 * Thread-safety: callable from any thread. No allocation survives a call.
 */
#ifndef BEDROCK_HASH_H
#define BEDROCK_HASH_H

#include <stdbool.h>
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

/* Whether a[0..a_len) and b[0..b_len) hold the same bytes, in time that depends only on the
 * lengths: for secrets (signatures, session tokens, API keys, the admin token), where an early
 * exit would tell an attacker how many leading bytes were right. Lengths are compared too, so
 * only whether they differ leaks (the length of a signature or key is no secret). A pointer may
 * be NULL when its length is 0. */
bool brk_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
