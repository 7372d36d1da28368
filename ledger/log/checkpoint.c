#include "ledger/log/checkpoint.h"

#include <string.h>

#include <sodium.h>

#include "ledger/base/buffer.h"
#include "ledger/base/limits.h"

_Static_assert(sizeof LEDGER_CHECKPOINT_DOMAIN == 19, "domain string plus its NUL is 19 bytes");
_Static_assert(LEDGER_CHECKPOINT_SIGNED_BYTES == 19 + 32 + 8 + 32 + 8, "signed layout");
_Static_assert(LEDGER_CHECKPOINT_BYTES == 2 + 32 + 8 + 32 + 8 + 64, "encoded layout");

void ledger_checkpoint_signed_bytes(const ledger_checkpoint *checkpoint,
                                    uint8_t out[LEDGER_CHECKPOINT_SIGNED_BYTES])
{
  /* sizeof includes the terminating NUL, which is part of the domain tag. */
  memcpy(out, LEDGER_CHECKPOINT_DOMAIN, sizeof LEDGER_CHECKPOINT_DOMAIN);
  uint8_t *cursor = out + sizeof LEDGER_CHECKPOINT_DOMAIN;
  memcpy(cursor, checkpoint->log_id, LEDGER_LOG_ID_BYTES);
  cursor += LEDGER_LOG_ID_BYTES;
  coop_put_u64le(cursor, checkpoint->size);
  cursor += 8;
  memcpy(cursor, checkpoint->root, LEDGER_HASH_BYTES);
  cursor += LEDGER_HASH_BYTES;
  coop_put_u64le(cursor, checkpoint->timestamp_ms);
}

void ledger_checkpoint_sign(ledger_checkpoint *checkpoint, const uint8_t *secret_key)
{
  uint8_t message[LEDGER_CHECKPOINT_SIGNED_BYTES];
  ledger_checkpoint_signed_bytes(checkpoint, message);
  crypto_sign_detached(checkpoint->signature, NULL, message, sizeof message, secret_key);
}

coop_err ledger_checkpoint_verify(const ledger_checkpoint *checkpoint)
{
  uint8_t message[LEDGER_CHECKPOINT_SIGNED_BYTES];
  ledger_checkpoint_signed_bytes(checkpoint, message);
  if (crypto_sign_verify_detached(checkpoint->signature, message, sizeof message,
                                  checkpoint->log_id) != 0)
    return COOP_E_BAD_SIGNATURE;
  return COOP_OK;
}

void ledger_checkpoint_encode(const ledger_checkpoint *checkpoint,
                              uint8_t out[LEDGER_CHECKPOINT_BYTES])
{
  coop_put_u16le(out, LEDGER_CHECKPOINT_FORMAT_VERSION);
  memcpy(out + 2, checkpoint->log_id, LEDGER_LOG_ID_BYTES);
  coop_put_u64le(out + 34, checkpoint->size);
  memcpy(out + 42, checkpoint->root, LEDGER_HASH_BYTES);
  coop_put_u64le(out + 74, checkpoint->timestamp_ms);
  memcpy(out + 82, checkpoint->signature, LEDGER_SIGNATURE_BYTES);
}

coop_err ledger_checkpoint_decode(const uint8_t *bytes, size_t bytes_count,
                                  ledger_checkpoint *checkpoint)
{
  memset(checkpoint, 0, sizeof *checkpoint);
  if (bytes_count >= 2 && coop_get_u16le(bytes) != LEDGER_CHECKPOINT_FORMAT_VERSION)
    return COOP_E_VERSION;
  if (bytes_count < LEDGER_CHECKPOINT_BYTES)
    return COOP_E_DECODE;
  if (bytes_count > LEDGER_CHECKPOINT_BYTES)
    return COOP_E_TRAILING;
  ledger_checkpoint decoded;
  memcpy(decoded.log_id, bytes + 2, LEDGER_LOG_ID_BYTES);
  decoded.size = coop_get_u64le(bytes + 34);
  memcpy(decoded.root, bytes + 42, LEDGER_HASH_BYTES);
  decoded.timestamp_ms = coop_get_u64le(bytes + 74);
  memcpy(decoded.signature, bytes + 82, LEDGER_SIGNATURE_BYTES);
  if (decoded.size > COOP_LOG_ENTRIES_MAX)
    return COOP_E_LIMIT;
  *checkpoint = decoded;
  return COOP_OK;
}

int ledger_checkpoint_same_size_fork(const ledger_checkpoint *first,
                                     const ledger_checkpoint *second)
{
  return memcmp(first->log_id, second->log_id, LEDGER_LOG_ID_BYTES) == 0 &&
         first->size == second->size &&
         memcmp(first->root, second->root, LEDGER_HASH_BYTES) != 0;
}

/* ---- Cosignatures ------------------------------------------------------------------ */

static void cosignature_message(const ledger_checkpoint *checkpoint,
                                uint8_t out[LEDGER_COSIGNATURE_MESSAGE_BYTES])
{
  memcpy(out, LEDGER_COSIGNATURE_DOMAIN, sizeof LEDGER_COSIGNATURE_DOMAIN); /* with its NUL */
  ledger_checkpoint_signed_bytes(checkpoint, out + sizeof LEDGER_COSIGNATURE_DOMAIN);
}

void ledger_cosign(const ledger_checkpoint *checkpoint, const uint8_t *witness_public,
                   const uint8_t *witness_secret, ledger_cosignature *out)
{
  uint8_t message[LEDGER_COSIGNATURE_MESSAGE_BYTES];
  cosignature_message(checkpoint, message);
  out->checkpoint = *checkpoint;
  memcpy(out->witness, witness_public, LEDGER_LOG_ID_BYTES);
  crypto_sign_detached(out->signature, NULL, message, sizeof message, witness_secret);
}

coop_err ledger_cosignature_verify(const ledger_cosignature *cosignature)
{
  uint8_t message[LEDGER_COSIGNATURE_MESSAGE_BYTES];
  cosignature_message(&cosignature->checkpoint, message);
  if (ledger_checkpoint_verify(&cosignature->checkpoint) ||
      crypto_sign_verify_detached(cosignature->signature, message, sizeof message,
                                  cosignature->witness) != 0)
    return COOP_E_BAD_SIGNATURE;
  return COOP_OK;
}

void ledger_cosignature_encode(const ledger_cosignature *cosignature,
                               uint8_t out[LEDGER_COSIGNATURE_PAYLOAD_BYTES])
{
  out[0] = 1;
  ledger_checkpoint_encode(&cosignature->checkpoint, out + 1);
  memcpy(out + 1 + LEDGER_CHECKPOINT_BYTES, cosignature->signature, LEDGER_SIGNATURE_BYTES);
}

coop_err ledger_cosignature_decode(const uint8_t *bytes, size_t count,
                                   const uint8_t witness[LEDGER_LOG_ID_BYTES],
                                   ledger_cosignature *out)
{
  memset(out, 0, sizeof *out);
  if (count != LEDGER_COSIGNATURE_PAYLOAD_BYTES)
    return COOP_E_DECODE;
  if (bytes[0] != 1)
    return COOP_E_VERSION;
  coop_err err = ledger_checkpoint_decode(bytes + 1, LEDGER_CHECKPOINT_BYTES, &out->checkpoint);
  if (err) {
    memset(out, 0, sizeof *out);
    return err;
  }
  memcpy(out->witness, witness, LEDGER_LOG_ID_BYTES);
  memcpy(out->signature, bytes + 1 + LEDGER_CHECKPOINT_BYTES, LEDGER_SIGNATURE_BYTES);
  return COOP_OK;
}
