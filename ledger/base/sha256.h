/* SHA-256, the one hash of the signed formats, in one place.
 *
 * OpenSSL's libcrypto when it can (it uses the CPU's SHA extensions:
 * measured 2.3x faster than libsodium's portable code on 65-byte tree nodes
 * and 4x on 4 KiB payloads, docs/performance.md), libsodium otherwise (if
 * libcrypto cannot allocate).  Both compute the same function: the RFC 6962
 * known answers (tests/ledger/test_merkle.c) pin it. */
#ifndef COOP_LEDGER_SHA256_H
#define COOP_LEDGER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define COOP_SHA256_BYTES 32u

/* SHA-256 of `count` bytes (data may be NULL when count is 0). */
void coop_sha256(uint8_t out[COOP_SHA256_BYTES], const uint8_t *data, size_t count);

/* SHA-256 of the concatenation of up to three parts (a part may be empty):
 * the leaf and node hashes of the tree. */
void coop_sha256_parts(uint8_t out[COOP_SHA256_BYTES], const uint8_t *a, size_t a_count,
                       const uint8_t *b, size_t b_count, const uint8_t *c, size_t c_count);

#endif
