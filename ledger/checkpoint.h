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

#include "ledger/entry.h"
#include "ledger/error.h"

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

#endif
