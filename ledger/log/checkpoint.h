/* Checkpoints: a log author's Ed25519 signature over (log id, size, root,
 * timestamp).  Byte-exact in docs/log-format.md.
 *
 * Signed message (99 bytes):
 *   "coop-checkpoint-v1" 0x00   19 bytes, domain separation
 *   log_id                      32
 *   size                         8  u64 little-endian
 *   root                        32
 *   timestamp_ms                 8  u64 little-endian
 *
 * Encoded checkpoint (146 bytes), for storage, files and the wire:
 *   format_version u16 (1) | log_id 32 | size u64 | root 32 | timestamp_ms u64 |
 *   signature 64 */
#ifndef COOP_LEDGER_CHECKPOINT_H
#define COOP_LEDGER_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/log/entry.h"

#define LEDGER_CHECKPOINT_FORMAT_VERSION 1u
#define LEDGER_CHECKPOINT_DOMAIN "coop-checkpoint-v1"
#define LEDGER_CHECKPOINT_SIGNED_BYTES 99u
#define LEDGER_CHECKPOINT_BYTES 146u
#define LEDGER_SIGNATURE_BYTES 64u

typedef struct ledger_checkpoint {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t size;
  uint8_t root[LEDGER_HASH_BYTES];
  uint64_t timestamp_ms;
  uint8_t signature[LEDGER_SIGNATURE_BYTES];
} ledger_checkpoint;

/* The exact bytes the signature covers. */
void ledger_checkpoint_signed_bytes(const ledger_checkpoint *checkpoint,
                                    uint8_t out[LEDGER_CHECKPOINT_SIGNED_BYTES]);

/* Signs log_id/size/root/timestamp_ms into checkpoint->signature with the
 * 64-byte libsodium Ed25519 secret key.  The log id must be the key's public
 * half (asserted by the caller's store). */
void ledger_checkpoint_sign(ledger_checkpoint *checkpoint, const uint8_t *secret_key);

/* COOP_OK when the signature is valid for checkpoint->log_id, else
 * COOP_E_BAD_SIGNATURE. */
COOP_MUST_USE coop_err ledger_checkpoint_verify(const ledger_checkpoint *checkpoint);

void ledger_checkpoint_encode(const ledger_checkpoint *checkpoint,
                              uint8_t out[LEDGER_CHECKPOINT_BYTES]);

/* Decodes exactly LEDGER_CHECKPOINT_BYTES.  COOP_E_DECODE (short),
 * COOP_E_TRAILING, COOP_E_VERSION, COOP_E_LIMIT (size past the log limit).
 * Does not check the signature.  On failure the output is zeroed. */
COOP_MUST_USE coop_err ledger_checkpoint_decode(const uint8_t *bytes, size_t bytes_count,
                                                ledger_checkpoint *checkpoint);

/* Two validly signed checkpoints of one log "cannot both be true" when they
 * have the same size and different roots.  (Different sizes need a
 * consistency proof to decide; see ledger_store.)  Returns 1 for a fork. */
int ledger_checkpoint_same_size_fork(const ledger_checkpoint *first,
                                     const ledger_checkpoint *second);

/* ---- Cosignatures ----------------------------------------------------------------
 *
 * A witness (a municipality, a partner) that has checked a checkpoint is
 * consistent with the last one it cosigned for that log signs it too, with
 * its own key, over "coop-cosignature-v1" 0x00 || the 99 signed bytes.  The
 * cosignature travels as a public entry of the witness's log (kind 22:
 * version 1 | checkpoint 146 | signature 64) and inside member receipts. */
#define LEDGER_COSIGNATURE_DOMAIN "coop-cosignature-v1"
#define LEDGER_COSIGNATURE_MESSAGE_BYTES (sizeof LEDGER_COSIGNATURE_DOMAIN + LEDGER_CHECKPOINT_SIGNED_BYTES)
#define LEDGER_COSIGNATURE_PAYLOAD_BYTES (1u + LEDGER_CHECKPOINT_BYTES + LEDGER_SIGNATURE_BYTES)

typedef struct ledger_cosignature {
  ledger_checkpoint checkpoint; /* the cosigned one (of another log) */
  uint8_t witness[LEDGER_LOG_ID_BYTES];
  uint8_t signature[LEDGER_SIGNATURE_BYTES];
} ledger_cosignature;

/* Signs `checkpoint` as witness `witness_public` (secret key: libsodium's
 * 64 bytes). */
void ledger_cosign(const ledger_checkpoint *checkpoint, const uint8_t *witness_public,
                   const uint8_t *witness_secret, ledger_cosignature *out);

/* COOP_OK when both the checkpoint's own signature and the witness's verify;
 * else COOP_E_BAD_SIGNATURE. */
COOP_MUST_USE coop_err ledger_cosignature_verify(const ledger_cosignature *cosignature);

/* The kind-22 payload (the witness is the entry's author, not encoded). */
void ledger_cosignature_encode(const ledger_cosignature *cosignature,
                               uint8_t out[LEDGER_COSIGNATURE_PAYLOAD_BYTES]);
COOP_MUST_USE coop_err ledger_cosignature_decode(const uint8_t *bytes, size_t count,
                                                 const uint8_t witness[LEDGER_LOG_ID_BYTES],
                                                 ledger_cosignature *out);

#endif
