/* Confidential payloads: audience keys, payload encryption and key grants.
 *
 * A member-scoped payload is sealed with XChaCha20-Poly1305 under its
 * audience's key: sealed = nonce (24 random bytes) || ciphertext || tag (16).
 * The associated data is the entry's full 72-byte header, which binds log id,
 * index, kind, timestamp, audience id and length.
 *
 * A key grant (payload of a LEDGER_KIND_KEY_GRANT entry, itself public) gives
 * one reader one audience key:
 *   version u8 (1) | audience_id 16 | reader 32 (Ed25519 public key) |
 *   sealed_key 80 (crypto_box_seal of the 32-byte key to the reader's X25519
 *   key, derived from its Ed25519 key) */
#ifndef COOP_LEDGER_SEAL_H
#define COOP_LEDGER_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/box_seal.h"
#include "ledger/base/error.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"

#define LEDGER_AUDIENCE_KEY_BYTES 32u
#define LEDGER_SEAL_NONCE_BYTES 24u
#define LEDGER_SEAL_TAG_BYTES 16u
#define LEDGER_SEAL_OVERHEAD (LEDGER_SEAL_NONCE_BYTES + LEDGER_SEAL_TAG_BYTES)
#define LEDGER_SEALED_KEY_BYTES 80u
#define LEDGER_KEY_GRANT_BYTES (1u + LEDGER_AUDIENCE_ID_BYTES + 32u + LEDGER_SEALED_KEY_BYTES)

/* A new audience: a random nonzero id and a random key (key written into the
 * caller's memory, which should be sodium_malloc'd). */
void ledger_audience_new(uint8_t id[LEDGER_AUDIENCE_ID_BYTES],
                         uint8_t key[LEDGER_AUDIENCE_KEY_BYTES]);

/* Seals `plain` (plain_bytes) into `sealed` (plain_bytes + LEDGER_SEAL_OVERHEAD
 * bytes) with the encoded header as associated data. */
void ledger_seal_payload(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                         const uint8_t header[LEDGER_ENTRY_HEADER_BYTES], const uint8_t *plain,
                         size_t plain_bytes, uint8_t *sealed);

/* The same with a caller-supplied random nonce (LEDGER_SEAL_NONCE_BYTES from
 * randombytes_buf), so a batch can draw all its nonces with one system call.
 * A nonce must never be used twice with one key: only pass fresh randomness. */
void ledger_seal_payload_with_nonce(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                    const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                                    const uint8_t *plain, size_t plain_bytes,
                                    const uint8_t nonce[LEDGER_SEAL_NONCE_BYTES], uint8_t *sealed);

/* Opens a sealed payload into `plain` (room for sealed_bytes - overhead);
 * the plaintext length goes to *plain_bytes.  COOP_E_DECODE if too short,
 * COOP_E_CRYPTO if the key, header or bytes are wrong (plain is zeroed). */
COOP_MUST_USE coop_err ledger_open_payload(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                           const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                                           const uint8_t *sealed, size_t sealed_bytes,
                                           uint8_t *plain, size_t *plain_bytes);

typedef struct ledger_key_grant {
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t reader[LEDGER_PUBLIC_KEY_BYTES];
  uint8_t sealed_key[LEDGER_SEALED_KEY_BYTES];
} ledger_key_grant;

/* Seals `key` to `reader` (an Ed25519 public key).  COOP_E_CRYPTO when the
 * reader's key is not a valid Ed25519 point. */
COOP_MUST_USE coop_err ledger_key_grant_make(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                             const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                             const uint8_t reader[LEDGER_PUBLIC_KEY_BYTES],
                                             ledger_key_grant *grant);

/* The same with an ephemeral key pair made ahead (ledger/base/box_seal.h:
 * many made at once cost less than crypto_box_seal drawing each); the
 * grant's bytes are those crypto_box_seal would write with that pair, and
 * open the same way.  Use each pair for one grant only; NULL: drawn by
 * crypto_box_seal, as ledger_key_grant_make. */
COOP_MUST_USE coop_err ledger_key_grant_make_ephemeral(
    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
    const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES], const uint8_t reader[LEDGER_PUBLIC_KEY_BYTES],
    const coop_box_ephemeral *ephemeral, ledger_key_grant *grant);

void ledger_key_grant_encode(const ledger_key_grant *grant, uint8_t out[LEDGER_KEY_GRANT_BYTES]);

/* COOP_E_DECODE, COOP_E_VERSION, COOP_E_TRAILING; a zero audience id is
 * COOP_E_DECODE (zero means public). */
COOP_MUST_USE coop_err ledger_key_grant_decode(const uint8_t *bytes, size_t bytes_count,
                                               ledger_key_grant *grant);

/* Opens a grant addressed to `reader`.  COOP_E_NO_KEY when the grant names
 * another reader, COOP_E_CRYPTO when it does not open. */
COOP_MUST_USE coop_err ledger_key_grant_open(const ledger_key_grant *grant,
                                             const ledger_identity *reader,
                                             uint8_t key[LEDGER_AUDIENCE_KEY_BYTES]);

#endif
