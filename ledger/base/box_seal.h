/* Sealed boxes (libsodium's crypto_box_seal) with ephemeral key pairs made
 * in bulk.
 *
 * crypto_box_seal makes a fresh X25519 key pair per box.  libsodium 1.0.18
 * on x86_64 computes its public key with the Montgomery ladder (~33 us
 * here, as long as the shared secret's multiplication), although the base
 * point is fixed.  These functions make the same key pairs through the
 * Edwards form instead, whose fixed-base multiplication uses precomputed
 * tables (crypto_scalarmult_ed25519_base, ~20 us), and map the points to
 * the Montgomery u coordinate, u = (1 + y) / (1 - y), with one field
 * inversion for a whole batch (Montgomery's trick).  The box is then built
 * exactly as crypto_box_seal builds it:
 *
 *   nonce  = BLAKE2b-192(ephemeral public key || recipient public key)
 *   sealed = ephemeral public key (32) || crypto_box_easy(message, nonce,
 *            recipient public key, ephemeral secret key)
 *
 * so crypto_box_seal_open opens it unchanged.  Each pair must seal one box
 * only, like crypto_box_seal's: reusing one would link two boxes. */
#ifndef COOP_LEDGER_BOX_SEAL_H
#define COOP_LEDGER_BOX_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"

#define COOP_BOX_KEY_BYTES 32u
/* The bytes a sealed box adds to its message: the ephemeral public key and
 * the MAC (crypto_box_SEALBYTES). */
#define COOP_BOX_SEAL_OVERHEAD 48u
/* Pairs made with one field inversion: 64 of them cost ~0.1 us each in
 * the inversion (one inversion is ~10 us), and the working state stays on
 * the stack (~5 KiB). */
#define COOP_BOX_EPHEMERALS_MAX 64u

/* An ephemeral X25519 key pair.  The secret key is any 32 random bytes, as
 * crypto_box_keypair draws it (X25519 clamps it when it is used); keep it
 * in secure memory (sodium_malloc) and wipe it after its one box. */
typedef struct coop_box_ephemeral {
  uint8_t secret_key[COOP_BOX_KEY_BYTES];
  uint8_t public_key[COOP_BOX_KEY_BYTES];
} coop_box_ephemeral;

/* Computes the public key of each of `count` pairs (at most
 * COOP_BOX_EPHEMERALS_MAX) from its secret key, which the caller has
 * filled with random bytes: crypto_scalarmult_base(public, secret), in
 * less time.  COOP_E_BAD_INPUT when count is too large; COOP_E_CRYPTO if
 * a secret key gives no point (it cannot for a clamped scalar: the check
 * is libsodium's).  On error no public key is written. */
COOP_MUST_USE coop_err coop_box_ephemerals_make(coop_box_ephemeral *pairs, size_t count);

/* Seals `message` (message_bytes) to the X25519 key `recipient` with
 * `ephemeral` into `sealed` (message_bytes + COOP_BOX_SEAL_OVERHEAD
 * bytes): the bytes crypto_box_seal would write had it drawn that pair.
 * COOP_E_CRYPTO when the recipient's key gives a weak shared secret
 * (libsodium refuses it). */
COOP_MUST_USE coop_err coop_box_seal_ephemeral(uint8_t *sealed, const uint8_t *message,
                                               size_t message_bytes,
                                               const uint8_t recipient[COOP_BOX_KEY_BYTES],
                                               const coop_box_ephemeral *ephemeral);

#endif
