/*
 * hash.h: the digests both sides use: SHA-256 (SigV4 payload hashes, bearer-key account
 * names), a fast non-cryptographic 64-bit hash (seeds of the mock's deterministic replies), a
 * fast non-cryptographic streaming 128-bit hash (the mock's prompt-cache prefixes), and the
 * constant-time comparison of secrets.
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

#define BRK_HASH128_LEN 16

/* A streaming 128-bit hash, fed piece by piece, whose digest can be taken at any point without
 * disturbing the running state. Not for security; stable across runs and machines (words are
 * read little-endian). Four 64-bit lanes take 32-byte blocks; every 8-byte word enters two
 * lanes (once through a multiply-rotate, once added times a second constant), and the digest
 * folds the lanes, the pending tail (zero-padded) and the byte count through splitmix64's
 * finaliser twice, in two orders. The pieces' boundaries do not matter: only the bytes do.
 *
 * Why not SHA-256 (what the prompt-cache prefixes used before): a prefix key is compared
 * with other prefixes of the same local mock, where nobody gains by forging a collision, so it
 * needs no resistance against an adversary, only no accidental collisions among a store's
 * entries (10,000 by default: with 128 bits, odds of any two colliding below 2^-100). SHA-256 of a 20 KB prompt took
 * 12 us, about half a JSON parse of it, and every snapshot (one per content block) copied and
 * finished an OpenSSL context; this hash takes 1.3 us for the same bytes and a snapshot 17 ns
 * (measured on the project's 2-core VM, with SHA extensions). Plain struct: the caller owns it;
 * nothing is allocated, so nothing to free; not shared between threads without a lock. */
struct brk_hash128 {
    uint64_t lanes[4];
    uint64_t total_bytes;      /* everything added so far */
    unsigned char pending[32]; /* the tail not yet a full block */
    size_t n_pending;
};

void brk_hash128_init(struct brk_hash128 *h);

/* Add data[0..len) (data may be NULL when len is 0). */
void brk_hash128_update(struct brk_hash128 *h, const void *data, size_t len);

/* The digest of everything added so far; h is left as it was, so adding may go on. */
void brk_hash128_digest(const struct brk_hash128 *h, unsigned char out[BRK_HASH128_LEN]);

/* One-shot: the same digest as init, one update and digest. */
void brk_hash128(const void *data, size_t len, unsigned char out[BRK_HASH128_LEN]);

/* Whether a[0..a_len) and b[0..b_len) hold the same bytes, in time that depends only on the
 * lengths: for secrets (signatures, session tokens, API keys, the admin token), where an early
 * exit would tell an attacker how many leading bytes were right. Lengths are compared too, so
 * only whether they differ leaks (the length of a signature or key is no secret). A pointer may
 * be NULL when its length is 0. */
bool brk_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
