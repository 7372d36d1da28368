#include "ledger/log/seal.h"

#include <string.h>

#include <sodium.h>

#include "ledger/base/box_seal.h"

_Static_assert(LEDGER_SEAL_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
_Static_assert(LEDGER_SEAL_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag");
_Static_assert(LEDGER_SEALED_KEY_BYTES == crypto_box_SEALBYTES + LEDGER_AUDIENCE_KEY_BYTES,
               "sealed key");

void ledger_audience_new(uint8_t id[LEDGER_AUDIENCE_ID_BYTES],
                         uint8_t key[LEDGER_AUDIENCE_KEY_BYTES])
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  do
    randombytes_buf(id, LEDGER_AUDIENCE_ID_BYTES);
  while (memcmp(id, zero, sizeof zero) == 0);
  crypto_aead_xchacha20poly1305_ietf_keygen(key);
}

void ledger_seal_payload(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                         const uint8_t header[LEDGER_ENTRY_HEADER_BYTES], const uint8_t *plain,
                         size_t plain_bytes, uint8_t *sealed)
{
  uint8_t nonce[LEDGER_SEAL_NONCE_BYTES];
  randombytes_buf(nonce, sizeof nonce);
  ledger_seal_payload_with_nonce(key, header, plain, plain_bytes, nonce, sealed);
}

void ledger_seal_payload_with_nonce(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                    const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                                    const uint8_t *plain, size_t plain_bytes,
                                    const uint8_t nonce[LEDGER_SEAL_NONCE_BYTES], uint8_t *sealed)
{
  memmove(sealed, nonce, LEDGER_SEAL_NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + LEDGER_SEAL_NONCE_BYTES, NULL, plain,
                                             plain_bytes, header, LEDGER_ENTRY_HEADER_BYTES,
                                             NULL, sealed, key);
}

coop_err ledger_open_payload(const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                             const uint8_t header[LEDGER_ENTRY_HEADER_BYTES], const uint8_t *sealed,
                             size_t sealed_bytes, uint8_t *plain, size_t *plain_bytes)
{
  *plain_bytes = 0;
  if (sealed_bytes < LEDGER_SEAL_OVERHEAD)
    return COOP_E_DECODE;
  unsigned long long opened = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plain, &opened, NULL, sealed + LEDGER_SEAL_NONCE_BYTES,
          sealed_bytes - LEDGER_SEAL_NONCE_BYTES, header, LEDGER_ENTRY_HEADER_BYTES, sealed,
          key) != 0) {
    sodium_memzero(plain, sealed_bytes - LEDGER_SEAL_OVERHEAD);
    return COOP_E_CRYPTO;
  }
  *plain_bytes = (size_t)opened;
  return COOP_OK;
}

/* An Ed25519 public key as X25519, for sealing to it and opening with it.
 * The conversion (libsodium 1.0.18 checks the point is in the main
 * subgroup: a scalar multiplication) was ~40 % of a month close and ~30 %
 * of an enrolment, every time for the same few keys (the node's own, a
 * handful of municipalities).  The keys are public, so the last few
 * conversions are kept per thread (the web app's thread has its own). */
#define X25519_CACHE_SLOTS 8
static coop_err public_to_x25519(uint8_t out[crypto_scalarmult_curve25519_BYTES],
                                 const uint8_t ed25519[LEDGER_PUBLIC_KEY_BYTES])
{
  static _Thread_local uint8_t from[X25519_CACHE_SLOTS][LEDGER_PUBLIC_KEY_BYTES];
  static _Thread_local uint8_t to[X25519_CACHE_SLOTS][crypto_scalarmult_curve25519_BYTES];
  static _Thread_local unsigned used, next;
  for (unsigned i = 0; i < used; i++)
    if (!memcmp(from[i], ed25519, LEDGER_PUBLIC_KEY_BYTES)) {
      memcpy(out, to[i], crypto_scalarmult_curve25519_BYTES);
      return COOP_OK;
    }
  if (crypto_sign_ed25519_pk_to_curve25519(out, ed25519) != 0)
    return COOP_E_CRYPTO;
  unsigned slot = next++ % X25519_CACHE_SLOTS;
  used = used < X25519_CACHE_SLOTS ? used + 1 : used;
  memcpy(from[slot], ed25519, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(to[slot], out, crypto_scalarmult_curve25519_BYTES);
  return COOP_OK;
}

coop_err ledger_key_grant_make(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                               const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                               const uint8_t reader[LEDGER_PUBLIC_KEY_BYTES],
                               ledger_key_grant *grant)
{
  return ledger_key_grant_make_ephemeral(audience_id, key, reader, NULL, grant);
}

coop_err ledger_key_grant_make_ephemeral(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                         const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                         const uint8_t reader[LEDGER_PUBLIC_KEY_BYTES],
                                         const coop_box_ephemeral *ephemeral,
                                         ledger_key_grant *grant)
{
  uint8_t reader_x25519[crypto_scalarmult_curve25519_BYTES];
  if (public_to_x25519(reader_x25519, reader) != COOP_OK)
    return COOP_E_CRYPTO;
  memcpy(grant->audience_id, audience_id, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(grant->reader, reader, LEDGER_PUBLIC_KEY_BYTES);
  if (ephemeral)
    return coop_box_seal_ephemeral(grant->sealed_key, key, LEDGER_AUDIENCE_KEY_BYTES,
                                   reader_x25519, ephemeral);
  if (crypto_box_seal(grant->sealed_key, key, LEDGER_AUDIENCE_KEY_BYTES, reader_x25519) != 0)
    return COOP_E_CRYPTO;
  return COOP_OK;
}

void ledger_key_grant_encode(const ledger_key_grant *grant, uint8_t out[LEDGER_KEY_GRANT_BYTES])
{
  out[0] = 1;
  memcpy(out + 1, grant->audience_id, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(out + 17, grant->reader, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(out + 49, grant->sealed_key, LEDGER_SEALED_KEY_BYTES);
}

coop_err ledger_key_grant_decode(const uint8_t *bytes, size_t bytes_count, ledger_key_grant *grant)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  memset(grant, 0, sizeof *grant);
  if (bytes_count >= 1 && bytes[0] != 1)
    return COOP_E_VERSION;
  if (bytes_count < LEDGER_KEY_GRANT_BYTES)
    return COOP_E_DECODE;
  if (bytes_count > LEDGER_KEY_GRANT_BYTES)
    return COOP_E_TRAILING;
  if (memcmp(bytes + 1, zero, sizeof zero) == 0)
    return COOP_E_DECODE;
  memcpy(grant->audience_id, bytes + 1, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(grant->reader, bytes + 17, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(grant->sealed_key, bytes + 49, LEDGER_SEALED_KEY_BYTES);
  return COOP_OK;
}

coop_err ledger_key_grant_open(const ledger_key_grant *grant, const ledger_identity *reader,
                               uint8_t key[LEDGER_AUDIENCE_KEY_BYTES])
{
  if (sodium_memcmp(grant->reader, reader->public_key, LEDGER_PUBLIC_KEY_BYTES) != 0)
    return COOP_E_NO_KEY;
  uint8_t public_x25519[crypto_scalarmult_curve25519_BYTES];
  uint8_t secret_x25519[crypto_scalarmult_curve25519_BYTES];
  coop_err err = COOP_OK;
  if (public_to_x25519(public_x25519, reader->public_key) != COOP_OK ||
      crypto_sign_ed25519_sk_to_curve25519(secret_x25519, reader->secret_key) != 0)
    err = COOP_E_CRYPTO;
  else if (crypto_box_seal_open(key, grant->sealed_key, LEDGER_SEALED_KEY_BYTES, public_x25519,
                                secret_x25519) != 0)
    err = COOP_E_CRYPTO;
  sodium_memzero(secret_x25519, sizeof secret_x25519);
  if (err)
    sodium_memzero(key, LEDGER_AUDIENCE_KEY_BYTES);
  return err;
}
