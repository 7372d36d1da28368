/* Noise (revision 34) for 25519, ChaChaPoly and SHA-256, from libsodium.
 *
 * The spec's objects map onto this file as follows: CipherState is
 * sync_noise_cipher (cipher_*), SymmetricState lives inside the handshake
 * (mix_hash, mix_key, mix_key_and_hash, encrypt_and_hash,
 * decrypt_and_hash), and HandshakeState is sync_noise_handshake, run from a
 * table of handshake patterns so that every pattern shares one engine. */
#include "sync/noise.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/buffer.h"

_Static_assert(SYNC_NOISE_KEY_BYTES == crypto_scalarmult_BYTES,
               "DHLEN is the X25519 key size");
_Static_assert(SYNC_NOISE_KEY_BYTES == crypto_scalarmult_SCALARBYTES,
               "X25519 secret and public keys have the same size");
_Static_assert(SYNC_NOISE_KEY_BYTES == crypto_aead_chacha20poly1305_ietf_KEYBYTES,
               "a Noise cipher key is a ChaChaPoly key");
_Static_assert(SYNC_NOISE_TAG_BYTES == crypto_aead_chacha20poly1305_ietf_ABYTES,
               "the Noise tag is the Poly1305 tag");
_Static_assert(SYNC_NOISE_HASH_BYTES == crypto_hash_sha256_BYTES,
               "HASHLEN is the SHA-256 output size");
_Static_assert(SYNC_NOISE_HASH_BYTES == crypto_auth_hmacsha256_BYTES,
               "HKDF outputs are HMAC-SHA256 outputs");
_Static_assert(SYNC_NOISE_HASH_BYTES == SYNC_NOISE_KEY_BYTES,
               "HKDF outputs are used whole as cipher keys");
_Static_assert(crypto_sign_ed25519_PUBLICKEYBYTES == 32, "Ed25519 public key size");
_Static_assert(crypto_sign_ed25519_SECRETKEYBYTES == 64, "Ed25519 secret key size");

/* ------------------------------------------------------------------------
 * Handshake patterns */

enum token {
  TOKEN_END = 0, /* zero, so unused table slots end a message */
  TOKEN_E,
  TOKEN_S,
  TOKEN_EE,
  TOKEN_ES,
  TOKEN_SE,
  TOKEN_SS,
  TOKEN_PSK,
};

/* The longest pattern here (XX) has three messages; the longest message
 * (IK's first, XX's second) has four tokens, plus one slot for TOKEN_END. */
#define PATTERN_MESSAGES_MAX 3u
#define MESSAGE_TOKENS_MAX 5u

struct pattern_definition {
  const char *protocol_name;
  bool initiator_static_premessage; /* "-> s" before "..." */
  bool responder_static_premessage; /* "<- s" before "..." */
  size_t message_count;
  enum token messages[PATTERN_MESSAGES_MAX][MESSAGE_TOKENS_MAX];
};

/* Written as in sections 7.5 and 9.4 of the spec; message 0 goes from the
 * initiator, and the direction alternates from there. */
static const struct pattern_definition patterns[] = {
  [SYNC_NOISE_PATTERN_XX] = {
    .protocol_name = "Noise_XX_25519_ChaChaPoly_SHA256",
    .message_count = 3,
    .messages = {
      {TOKEN_E},
      {TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES},
      {TOKEN_S, TOKEN_SE},
    },
  },
  [SYNC_NOISE_PATTERN_IK] = {
    .protocol_name = "Noise_IK_25519_ChaChaPoly_SHA256",
    .responder_static_premessage = true,
    .message_count = 2,
    .messages = {
      {TOKEN_E, TOKEN_ES, TOKEN_S, TOKEN_SS},
      {TOKEN_E, TOKEN_EE, TOKEN_SE},
    },
  },
  [SYNC_NOISE_PATTERN_XX_PSK3] = {
    .protocol_name = "Noise_XXpsk3_25519_ChaChaPoly_SHA256",
    .message_count = 3,
    .messages = {
      {TOKEN_E},
      {TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES},
      {TOKEN_S, TOKEN_SE, TOKEN_PSK},
    },
  },
};

#define PATTERN_COUNT (sizeof patterns / sizeof patterns[0])

static bool pattern_is_known(sync_noise_pattern pattern)
{
  return (size_t)pattern < PATTERN_COUNT;
}

static const struct pattern_definition *pattern_of(const sync_noise_handshake *handshake)
{
  assert(pattern_is_known(handshake->pattern));
  return &patterns[handshake->pattern];
}

/* Number of tokens in a message, stopping at TOKEN_END. */
static size_t message_token_count(const enum token *tokens)
{
  size_t count = 0;
  while (count < MESSAGE_TOKENS_MAX && tokens[count] != TOKEN_END)
    count++;
  assert(count < MESSAGE_TOKENS_MAX);
  return count;
}

static bool message_has_token(const enum token *tokens, enum token wanted)
{
  size_t count = message_token_count(tokens);
  for (size_t i = 0; i < count; i++) {
    if (tokens[i] == wanted)
      return true;
  }
  return false;
}

/* Messages alternate, initiator first. */
static bool role_writes_message(sync_noise_role role, size_t message_index)
{
  return (message_index % 2 == 0) == (role == SYNC_NOISE_INITIATOR);
}

/* A psk pattern mixes every ephemeral into the key too (spec section 9.2),
 * so the table need not say it separately. */
static bool pattern_has_psk(const struct pattern_definition *pattern)
{
  for (size_t i = 0; i < pattern->message_count; i++) {
    if (message_has_token(pattern->messages[i], TOKEN_PSK))
      return true;
  }
  return false;
}

static bool role_has_static_premessage(const struct pattern_definition *pattern,
                                       sync_noise_role role)
{
  return role == SYNC_NOISE_INITIATOR ? pattern->initiator_static_premessage
                                      : pattern->responder_static_premessage;
}

/* Does `role` need its own static key: to send it or because the peer
 * already knows it? */
static bool role_needs_static(const struct pattern_definition *pattern, sync_noise_role role)
{
  if (role_has_static_premessage(pattern, role))
    return true;
  for (size_t i = 0; i < pattern->message_count; i++) {
    if (role_writes_message(role, i) && message_has_token(pattern->messages[i], TOKEN_S))
      return true;
  }
  return false;
}

/* Bytes a message adds around its payload: ephemeral keys, static keys with
 * their tags, and the payload's tag.  It replays only whether the cipher
 * will have a key, so lengths can be checked before any state changes. */
static size_t message_overhead_bytes(const struct pattern_definition *pattern,
                                     size_t message_index, bool has_key)
{
  const enum token *tokens = pattern->messages[message_index];
  size_t count = message_token_count(tokens);
  bool psk_mode = pattern_has_psk(pattern);
  size_t bytes = 0;
  for (size_t i = 0; i < count; i++) {
    if (tokens[i] == TOKEN_E) {
      bytes += SYNC_NOISE_KEY_BYTES;
      if (psk_mode)
        has_key = true;
    } else if (tokens[i] == TOKEN_S) {
      bytes += SYNC_NOISE_KEY_BYTES + (has_key ? SYNC_NOISE_TAG_BYTES : 0);
    } else {
      /* Every DH token and psk calls MixKey. */
      has_key = true;
    }
  }
  return bytes + (has_key ? SYNC_NOISE_TAG_BYTES : 0);
}

const char *sync_noise_pattern_name(sync_noise_pattern pattern)
{
  if (!pattern_is_known(pattern))
    return "unknown";
  return patterns[pattern].protocol_name;
}

coop_err sync_noise_pattern_from_name(const char *protocol_name, sync_noise_pattern *pattern)
{
  for (size_t i = 0; i < PATTERN_COUNT; i++) {
    if (strcmp(protocol_name, patterns[i].protocol_name) == 0) {
      *pattern = (sync_noise_pattern)i;
      return COOP_OK;
    }
  }
  return COOP_E_NOT_FOUND;
}

/* ------------------------------------------------------------------------
 * Hash functions: SHA-256, HMAC-SHA256 and Noise's HKDF */

/* libsodium's functions want a valid pointer even for zero bytes. */
static const unsigned char no_bytes[1];

static const unsigned char *bytes_or_empty(const unsigned char *bytes)
{
  return bytes ? bytes : no_bytes;
}

/* HMAC-SHA256(key, first || second).  The streaming API takes keys of any
 * length, unlike crypto_auth_hmacsha256(), as Noise's HMAC-HASH requires. */
static void hmac_sha256(unsigned char out[SYNC_NOISE_HASH_BYTES], const unsigned char *key,
                        size_t key_bytes, const unsigned char *first, size_t first_bytes,
                        const unsigned char *second, size_t second_bytes)
{
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key, key_bytes);
  crypto_auth_hmacsha256_update(&state, bytes_or_empty(first), first_bytes);
  crypto_auth_hmacsha256_update(&state, bytes_or_empty(second), second_bytes);
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

/* Noise's HKDF(chaining_key, input_key_material, 2 or 3): `third` may be
 * NULL for two outputs.  Outputs may alias the chaining key, which is read
 * only before the first output is written. */
static void hkdf(const unsigned char chaining_key[SYNC_NOISE_HASH_BYTES],
                 const unsigned char *input, size_t input_bytes,
                 unsigned char first[SYNC_NOISE_HASH_BYTES],
                 unsigned char second[SYNC_NOISE_HASH_BYTES],
                 unsigned char third[SYNC_NOISE_HASH_BYTES])
{
  static const unsigned char counter[3] = {0x01, 0x02, 0x03};
  unsigned char temporary_key[SYNC_NOISE_HASH_BYTES];
  unsigned char output[3][SYNC_NOISE_HASH_BYTES];

  hmac_sha256(temporary_key, chaining_key, SYNC_NOISE_HASH_BYTES, input, input_bytes, NULL, 0);
  hmac_sha256(output[0], temporary_key, sizeof temporary_key, &counter[0], 1, NULL, 0);
  hmac_sha256(output[1], temporary_key, sizeof temporary_key, output[0], SYNC_NOISE_HASH_BYTES,
              &counter[1], 1);
  memcpy(first, output[0], SYNC_NOISE_HASH_BYTES);
  memcpy(second, output[1], SYNC_NOISE_HASH_BYTES);
  if (third) {
    hmac_sha256(output[2], temporary_key, sizeof temporary_key, output[1],
                SYNC_NOISE_HASH_BYTES, &counter[2], 1);
    memcpy(third, output[2], SYNC_NOISE_HASH_BYTES);
  }
  sodium_memzero(temporary_key, sizeof temporary_key);
  sodium_memzero(output, sizeof output);
}

/* ------------------------------------------------------------------------
 * CipherState */

static void cipher_initialize(sync_noise_cipher *cipher,
                              const unsigned char key[SYNC_NOISE_KEY_BYTES])
{
  memcpy(cipher->key, key, SYNC_NOISE_KEY_BYTES);
  cipher->nonce = 0;
  cipher->has_key = true;
}

/* ChaChaPoly's nonce: 32 zero bits, then the counter in little-endian. */
static void nonce_encode(unsigned char out[crypto_aead_chacha20poly1305_ietf_NPUBBYTES],
                         uint64_t nonce)
{
  _Static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12,
                 "ChaChaPoly nonce is 4 zero bytes and a 64-bit counter");
  memset(out, 0, 4);
  coop_put_u64le(out + 4, nonce);
}

/* EncryptWithAd(): writes plaintext_bytes + tag to `ciphertext`.  Nonce
 * 2^64 - 1 is reserved by the spec, so the counter stops one short of it
 * and can never wrap into a reused nonce. */
static coop_err cipher_encrypt_with_ad(sync_noise_cipher *cipher, const unsigned char *ad,
                                       size_t ad_bytes, const unsigned char *plaintext,
                                       size_t plaintext_bytes, unsigned char *ciphertext)
{
  unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  unsigned long long written = 0;

  assert(cipher->has_key);
  if (cipher->nonce == UINT64_MAX)
    return COOP_E_LIMIT;
  nonce_encode(nonce, cipher->nonce);
  if (crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext, &written, bytes_or_empty(plaintext),
                                                plaintext_bytes, bytes_or_empty(ad), ad_bytes,
                                                NULL, nonce, cipher->key) != 0)
    return COOP_E_CRYPTO;
  assert(written == plaintext_bytes + SYNC_NOISE_TAG_BYTES);
  cipher->nonce++;
  return COOP_OK;
}

/* DecryptWithAd(): the nonce advances only if the tag verifies, so a forged
 * message does not desynchronize an honest stream. */
static coop_err cipher_decrypt_with_ad(sync_noise_cipher *cipher, const unsigned char *ad,
                                       size_t ad_bytes, const unsigned char *ciphertext,
                                       size_t ciphertext_bytes, unsigned char *plaintext)
{
  unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  unsigned long long written = 0;

  assert(cipher->has_key);
  assert(ciphertext_bytes >= SYNC_NOISE_TAG_BYTES);
  if (cipher->nonce == UINT64_MAX)
    return COOP_E_LIMIT;
  nonce_encode(nonce, cipher->nonce);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(plaintext, &written, NULL, ciphertext,
                                                ciphertext_bytes, bytes_or_empty(ad), ad_bytes,
                                                nonce, cipher->key) != 0)
    return COOP_E_CRYPTO;
  assert(written == ciphertext_bytes - SYNC_NOISE_TAG_BYTES);
  cipher->nonce++;
  return COOP_OK;
}

/* ------------------------------------------------------------------------
 * SymmetricState */

/* InitializeSymmetric(): a name up to HASHLEN bytes is used as it is,
 * zero-padded; a longer one ("Noise_XXpsk3_...") is hashed. */
static void symmetric_initialize(sync_noise_handshake *handshake, const char *protocol_name)
{
  size_t name_bytes = strlen(protocol_name);
  memset(handshake->hash, 0, sizeof handshake->hash);
  if (name_bytes <= sizeof handshake->hash)
    memcpy(handshake->hash, protocol_name, name_bytes);
  else
    crypto_hash_sha256(handshake->hash, (const unsigned char *)protocol_name, name_bytes);
  memcpy(handshake->chaining_key, handshake->hash, sizeof handshake->chaining_key);
  handshake->cipher.has_key = false;
}

/* MixHash(): hash = SHA-256(hash || data). */
static void mix_hash(sync_noise_handshake *handshake, const unsigned char *data, size_t data_bytes)
{
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, handshake->hash, sizeof handshake->hash);
  crypto_hash_sha256_update(&state, bytes_or_empty(data), data_bytes);
  crypto_hash_sha256_final(&state, handshake->hash);
}

/* MixKey(): a new chaining key and a new cipher key from `input`. */
static void mix_key(sync_noise_handshake *handshake, const unsigned char *input,
                    size_t input_bytes)
{
  unsigned char key[SYNC_NOISE_HASH_BYTES];
  hkdf(handshake->chaining_key, input, input_bytes, handshake->chaining_key, key, NULL);
  cipher_initialize(&handshake->cipher, key);
  sodium_memzero(key, sizeof key);
}

/* MixKeyAndHash(): used for the pre-shared key, which must reach both the
 * key and the transcript. */
static void mix_key_and_hash(sync_noise_handshake *handshake, const unsigned char *input,
                             size_t input_bytes)
{
  unsigned char hash_input[SYNC_NOISE_HASH_BYTES];
  unsigned char key[SYNC_NOISE_HASH_BYTES];
  hkdf(handshake->chaining_key, input, input_bytes, handshake->chaining_key, hash_input, key);
  mix_hash(handshake, hash_input, sizeof hash_input);
  cipher_initialize(&handshake->cipher, key);
  sodium_memzero(hash_input, sizeof hash_input);
  sodium_memzero(key, sizeof key);
}

/* EncryptAndHash(): the hash is the associated data, so every ciphertext
 * also authenticates the whole transcript so far (prologue included).
 * Before the first MixKey there is no key and data goes in the clear. */
static coop_err encrypt_and_hash(sync_noise_handshake *handshake, const unsigned char *plaintext,
                                 size_t plaintext_bytes, unsigned char *out, size_t *written)
{
  *written = plaintext_bytes;
  if (handshake->cipher.has_key) {
    coop_err err = cipher_encrypt_with_ad(&handshake->cipher, handshake->hash,
                                          sizeof handshake->hash, plaintext, plaintext_bytes, out);
    if (err != COOP_OK)
      return err;
    *written += SYNC_NOISE_TAG_BYTES;
  } else if (plaintext_bytes > 0) {
    memcpy(out, plaintext, plaintext_bytes);
  }
  mix_hash(handshake, out, *written);
  return COOP_OK;
}

/* DecryptAndHash(): decrypts with the hash before the ciphertext is mixed
 * in, mirroring encrypt_and_hash(). */
static coop_err decrypt_and_hash(sync_noise_handshake *handshake, const unsigned char *ciphertext,
                                 size_t ciphertext_bytes, unsigned char *out)
{
  if (handshake->cipher.has_key) {
    coop_err err = cipher_decrypt_with_ad(&handshake->cipher, handshake->hash,
                                          sizeof handshake->hash, ciphertext, ciphertext_bytes,
                                          out);
    if (err != COOP_OK)
      return err;
  } else if (ciphertext_bytes > 0) {
    memcpy(out, ciphertext, ciphertext_bytes);
  }
  mix_hash(handshake, ciphertext, ciphertext_bytes);
  return COOP_OK;
}

/* ------------------------------------------------------------------------
 * HandshakeState: tokens */

/* The ephemeral key always enters the transcript; in psk patterns it also
 * enters the key, so that a psk handshake never encrypts under a key that
 * lacks fresh randomness (spec section 9.2). */
static void mix_ephemeral(sync_noise_handshake *handshake, const unsigned char *public_key)
{
  mix_hash(handshake, public_key, SYNC_NOISE_KEY_BYTES);
  if (pattern_has_psk(pattern_of(handshake)))
    mix_key(handshake, public_key, SYNC_NOISE_KEY_BYTES);
}

/* Picks our secret key and the peer's public key for a DH token.  "es" is
 * the initiator's ephemeral with the responder's static, whichever side
 * computes it; "se" the other way round. */
static void dh_operands(const sync_noise_handshake *handshake, enum token token,
                        const unsigned char **secret_key, const unsigned char **public_key)
{
  bool initiator = handshake->role == SYNC_NOISE_INITIATOR;
  bool local_ephemeral = false;
  bool remote_ephemeral = false;

  switch (token) {
  case TOKEN_EE:
    local_ephemeral = true;
    remote_ephemeral = true;
    break;
  case TOKEN_ES:
    local_ephemeral = initiator;
    remote_ephemeral = !initiator;
    break;
  case TOKEN_SE:
    local_ephemeral = !initiator;
    remote_ephemeral = initiator;
    break;
  default:
    assert(token == TOKEN_SS);
    break;
  }
  *secret_key = local_ephemeral ? handshake->local_ephemeral.secret_key
                                : handshake->local_static.secret_key;
  *public_key = remote_ephemeral ? handshake->remote_ephemeral : handshake->remote_static;
  /* The pattern table guarantees the peer's key arrived before it is used. */
  assert(remote_ephemeral ? handshake->has_remote_ephemeral : handshake->has_remote_static);
  assert(local_ephemeral || handshake->has_local_static);
}

/* MixKey(DH(...)).  libsodium returns -1 when the shared secret is all
 * zero, which happens only for a low-order public key: a peer who sends
 * one would force a known key, so the handshake stops. */
static coop_err mix_dh(sync_noise_handshake *handshake, enum token token)
{
  const unsigned char *secret_key = NULL;
  const unsigned char *public_key = NULL;
  unsigned char shared[crypto_scalarmult_BYTES];

  dh_operands(handshake, token, &secret_key, &public_key);
  if (crypto_scalarmult(shared, secret_key, public_key) != 0) {
    sodium_memzero(shared, sizeof shared);
    return COOP_E_CRYPTO;
  }
  mix_key(handshake, shared, sizeof shared);
  sodium_memzero(shared, sizeof shared);
  return COOP_OK;
}

/* The tokens that look the same from both sides. */
static coop_err process_shared_token(sync_noise_handshake *handshake, enum token token)
{
  if (token == TOKEN_PSK) {
    assert(handshake->has_psk);
    mix_key_and_hash(handshake, handshake->psk, sizeof handshake->psk);
    return COOP_OK;
  }
  return mix_dh(handshake, token);
}

static coop_err write_token(sync_noise_handshake *handshake, enum token token,
                            unsigned char *message, size_t *offset)
{
  size_t written = 0;
  coop_err err = COOP_OK;

  switch (token) {
  case TOKEN_E:
    memcpy(message + *offset, handshake->local_ephemeral.public_key, SYNC_NOISE_KEY_BYTES);
    *offset += SYNC_NOISE_KEY_BYTES;
    mix_ephemeral(handshake, handshake->local_ephemeral.public_key);
    return COOP_OK;
  case TOKEN_S:
    assert(handshake->has_local_static);
    err = encrypt_and_hash(handshake, handshake->local_static.public_key, SYNC_NOISE_KEY_BYTES,
                           message + *offset, &written);
    *offset += written;
    return err;
  default:
    return process_shared_token(handshake, token);
  }
}

/* Reads one token at *offset; the caller has checked the message is long
 * enough for every token. */
static coop_err read_token(sync_noise_handshake *handshake, enum token token,
                           const unsigned char *message, size_t *offset)
{
  size_t bytes = SYNC_NOISE_KEY_BYTES;
  coop_err err = COOP_OK;

  switch (token) {
  case TOKEN_E:
    memcpy(handshake->remote_ephemeral, message + *offset, bytes);
    handshake->has_remote_ephemeral = true;
    *offset += bytes;
    mix_ephemeral(handshake, handshake->remote_ephemeral);
    return COOP_OK;
  case TOKEN_S:
    if (handshake->cipher.has_key)
      bytes += SYNC_NOISE_TAG_BYTES;
    err = decrypt_and_hash(handshake, message + *offset, bytes, handshake->remote_static);
    if (err != COOP_OK)
      return err;
    handshake->has_remote_static = true;
    *offset += bytes;
    return COOP_OK;
  default:
    return process_shared_token(handshake, token);
  }
}

/* ------------------------------------------------------------------------
 * HandshakeState: messages */

/* Checks that the handshake is running and that it is our turn to write
 * (or, with `writing` false, to read). */
static coop_err check_turn(const sync_noise_handshake *handshake, bool writing)
{
  if (handshake->phase != SYNC_NOISE_PHASE_IN_PROGRESS)
    return COOP_E_USAGE;
  assert(handshake->message_index < pattern_of(handshake)->message_count);
  if (role_writes_message(handshake->role, handshake->message_index) != writing)
    return COOP_E_USAGE;
  return COOP_OK;
}

/* After a failed DH or tag the spec deletes the handshake: nothing of it
 * may be used again, so its secrets go now. */
static void fail_handshake(sync_noise_handshake *handshake)
{
  sodium_memzero(handshake, sizeof *handshake);
  handshake->phase = SYNC_NOISE_PHASE_FAILED;
}

static void advance_message(sync_noise_handshake *handshake)
{
  handshake->message_index++;
  if (handshake->message_index == pattern_of(handshake)->message_count)
    handshake->phase = SYNC_NOISE_PHASE_COMPLETE;
}

static coop_err write_tokens_and_payload(sync_noise_handshake *handshake,
                                         const unsigned char *payload, size_t payload_bytes,
                                         unsigned char *message, size_t *offset)
{
  const enum token *tokens = pattern_of(handshake)->messages[handshake->message_index];
  size_t count = message_token_count(tokens);
  size_t written = 0;

  for (size_t i = 0; i < count; i++) {
    coop_err err = write_token(handshake, tokens[i], message, offset);
    if (err != COOP_OK)
      return err;
  }
  coop_err err = encrypt_and_hash(handshake, payload, payload_bytes, message + *offset, &written);
  *offset += written;
  return err;
}

coop_err sync_noise_write_message(sync_noise_handshake *handshake, const unsigned char *payload,
                                  size_t payload_bytes, unsigned char *message,
                                  size_t message_capacity, size_t *message_bytes)
{
  assert(payload != NULL || payload_bytes == 0);
  *message_bytes = 0;
  coop_err err = check_turn(handshake, true);
  if (err != COOP_OK)
    return err;
  size_t overhead = message_overhead_bytes(pattern_of(handshake), handshake->message_index,
                                           handshake->cipher.has_key);
  assert(overhead < SYNC_NOISE_MESSAGE_BYTES_MAX);
  if (payload_bytes > SYNC_NOISE_MESSAGE_BYTES_MAX - overhead)
    return COOP_E_LIMIT;
  size_t total = overhead + payload_bytes;
  if (total > message_capacity)
    return COOP_E_LIMIT;

  size_t offset = 0;
  err = write_tokens_and_payload(handshake, payload, payload_bytes, message, &offset);
  if (err != COOP_OK) {
    fail_handshake(handshake);
    sodium_memzero(message, total);
    return err;
  }
  assert(offset == total);
  advance_message(handshake);
  *message_bytes = total;
  return COOP_OK;
}

static coop_err read_tokens_and_payload(sync_noise_handshake *handshake,
                                        const unsigned char *message, size_t message_bytes,
                                        unsigned char *payload)
{
  const enum token *tokens = pattern_of(handshake)->messages[handshake->message_index];
  size_t count = message_token_count(tokens);
  size_t offset = 0;

  for (size_t i = 0; i < count; i++) {
    coop_err err = read_token(handshake, tokens[i], message, &offset);
    if (err != COOP_OK)
      return err;
  }
  return decrypt_and_hash(handshake, message + offset, message_bytes - offset, payload);
}

coop_err sync_noise_read_message(sync_noise_handshake *handshake, const unsigned char *message,
                                 size_t message_bytes, unsigned char *payload,
                                 size_t payload_capacity, size_t *payload_bytes)
{
  assert(message != NULL || message_bytes == 0);
  *payload_bytes = 0;
  coop_err err = check_turn(handshake, false);
  if (err != COOP_OK)
    return err;
  if (message_bytes > SYNC_NOISE_MESSAGE_BYTES_MAX)
    return COOP_E_LIMIT;
  size_t overhead = message_overhead_bytes(pattern_of(handshake), handshake->message_index,
                                           handshake->cipher.has_key);
  if (message_bytes < overhead)
    return COOP_E_DECODE;
  size_t plaintext_bytes = message_bytes - overhead;
  if (plaintext_bytes > payload_capacity)
    return COOP_E_LIMIT;

  err = read_tokens_and_payload(handshake, message, message_bytes, payload);
  if (err != COOP_OK) {
    fail_handshake(handshake);
    if (plaintext_bytes > 0)
      sodium_memzero(payload, plaintext_bytes);
    return err;
  }
  advance_message(handshake);
  *payload_bytes = plaintext_bytes;
  return COOP_OK;
}

/* ------------------------------------------------------------------------
 * HandshakeState: lifecycle */

/* X25519 public key of `secret_key`; fails only for a secret that clamps
 * to zero, which cannot happen, so any failure is libsodium's. */
static coop_err public_from_secret(unsigned char public_key[SYNC_NOISE_KEY_BYTES],
                                   const unsigned char secret_key[SYNC_NOISE_KEY_BYTES])
{
  if (crypto_scalarmult_base(public_key, secret_key) != 0)
    return COOP_E_CRYPTO;
  return COOP_OK;
}

/* A key pair whose halves do not match would only show up as a failed
 * handshake on the peer's side, far from the mistake, so check here. */
static bool keypair_is_consistent(const sync_noise_keypair *keypair)
{
  unsigned char public_key[SYNC_NOISE_KEY_BYTES];
  if (public_from_secret(public_key, keypair->secret_key) != COOP_OK)
    return false;
  return sodium_memcmp(public_key, keypair->public_key, sizeof public_key) == 0;
}

/* Each key must be given exactly when the pattern and role use it:
 * a key given but unused would look checked while it is not. */
static coop_err check_config(const sync_noise_config *config)
{
  if (!pattern_is_known(config->pattern))
    return COOP_E_BAD_INPUT;
  if (config->role != SYNC_NOISE_INITIATOR && config->role != SYNC_NOISE_RESPONDER)
    return COOP_E_BAD_INPUT;
  const struct pattern_definition *pattern = &patterns[config->pattern];
  sync_noise_role peer = config->role == SYNC_NOISE_INITIATOR ? SYNC_NOISE_RESPONDER
                                                              : SYNC_NOISE_INITIATOR;
  if (config->prologue == NULL && config->prologue_bytes > 0)
    return COOP_E_BAD_INPUT;
  if ((config->local_static != NULL) != role_needs_static(pattern, config->role))
    return COOP_E_BAD_INPUT;
  if (config->local_static != NULL && !keypair_is_consistent(config->local_static))
    return COOP_E_BAD_INPUT;
  if ((config->remote_static != NULL) != role_has_static_premessage(pattern, peer))
    return COOP_E_BAD_INPUT;
  if ((config->psk != NULL) != pattern_has_psk(pattern))
    return COOP_E_BAD_INPUT;
  return COOP_OK;
}

static coop_err load_keys(sync_noise_handshake *handshake, const sync_noise_config *config)
{
  if (config->local_static) {
    handshake->local_static = *config->local_static;
    handshake->has_local_static = true;
  }
  if (config->remote_static) {
    memcpy(handshake->remote_static, config->remote_static, SYNC_NOISE_KEY_BYTES);
    handshake->has_remote_static = true;
  }
  if (config->psk) {
    memcpy(handshake->psk, config->psk, SYNC_NOISE_KEY_BYTES);
    handshake->has_psk = true;
  }
  /* The spec generates the ephemeral at the "e" token; drawing it now is
   * equivalent and keeps writing free of randomness. */
  if (config->fixed_ephemeral_secret)
    memcpy(handshake->local_ephemeral.secret_key, config->fixed_ephemeral_secret,
           SYNC_NOISE_KEY_BYTES);
  else
    randombytes_buf(handshake->local_ephemeral.secret_key, SYNC_NOISE_KEY_BYTES);
  return public_from_secret(handshake->local_ephemeral.public_key,
                            handshake->local_ephemeral.secret_key);
}

/* Pre-message keys enter the hash initiator's first, then responder's. */
static void mix_premessages(sync_noise_handshake *handshake)
{
  const struct pattern_definition *pattern = pattern_of(handshake);
  bool initiator = handshake->role == SYNC_NOISE_INITIATOR;
  if (pattern->initiator_static_premessage)
    mix_hash(handshake, initiator ? handshake->local_static.public_key : handshake->remote_static,
             SYNC_NOISE_KEY_BYTES);
  if (pattern->responder_static_premessage)
    mix_hash(handshake, initiator ? handshake->remote_static : handshake->local_static.public_key,
             SYNC_NOISE_KEY_BYTES);
}

coop_err sync_noise_handshake_init(sync_noise_handshake *handshake, const sync_noise_config *config)
{
  sodium_memzero(handshake, sizeof *handshake);
  /* randombytes and the optimized primitives need libsodium started;
   * sodium_init() is idempotent. */
  if (sodium_init() < 0)
    return COOP_E_CRYPTO;
  coop_err err = check_config(config);
  if (err != COOP_OK)
    return err;

  handshake->pattern = config->pattern;
  handshake->role = config->role;
  err = load_keys(handshake, config);
  if (err != COOP_OK)
    goto out;
  symmetric_initialize(handshake, pattern_of(handshake)->protocol_name);
  mix_hash(handshake, config->prologue, config->prologue_bytes);
  mix_premessages(handshake);
  handshake->phase = SYNC_NOISE_PHASE_IN_PROGRESS;
out:
  if (err != COOP_OK)
    sodium_memzero(handshake, sizeof *handshake);
  return err;
}

bool sync_noise_handshake_is_complete(const sync_noise_handshake *handshake)
{
  return handshake->phase == SYNC_NOISE_PHASE_COMPLETE ||
         handshake->phase == SYNC_NOISE_PHASE_SPLIT;
}

coop_err sync_noise_split(sync_noise_handshake *handshake, sync_noise_cipher *send,
                          sync_noise_cipher *receive)
{
  unsigned char first[SYNC_NOISE_KEY_BYTES];
  unsigned char second[SYNC_NOISE_KEY_BYTES];

  sodium_memzero(send, sizeof *send);
  sodium_memzero(receive, sizeof *receive);
  if (handshake->phase != SYNC_NOISE_PHASE_COMPLETE)
    return COOP_E_USAGE;
  /* The first key carries initiator-to-responder traffic. */
  hkdf(handshake->chaining_key, NULL, 0, first, second, NULL);
  bool initiator = handshake->role == SYNC_NOISE_INITIATOR;
  cipher_initialize(send, initiator ? first : second);
  cipher_initialize(receive, initiator ? second : first);
  sodium_memzero(first, sizeof first);
  sodium_memzero(second, sizeof second);

  /* Only the hash and the peer's identity are of use from here on. */
  sodium_memzero(&handshake->cipher, sizeof handshake->cipher);
  sodium_memzero(handshake->chaining_key, sizeof handshake->chaining_key);
  sodium_memzero(&handshake->local_static, sizeof handshake->local_static);
  sodium_memzero(&handshake->local_ephemeral, sizeof handshake->local_ephemeral);
  sodium_memzero(handshake->psk, sizeof handshake->psk);
  handshake->has_local_static = false;
  handshake->has_psk = false;
  handshake->phase = SYNC_NOISE_PHASE_SPLIT;
  return COOP_OK;
}

coop_err sync_noise_handshake_hash(const sync_noise_handshake *handshake,
                                   unsigned char hash[SYNC_NOISE_HASH_BYTES])
{
  if (!sync_noise_handshake_is_complete(handshake)) {
    sodium_memzero(hash, SYNC_NOISE_HASH_BYTES);
    return COOP_E_USAGE;
  }
  memcpy(hash, handshake->hash, SYNC_NOISE_HASH_BYTES);
  return COOP_OK;
}

coop_err sync_noise_remote_static(const sync_noise_handshake *handshake,
                                  unsigned char public_key[SYNC_NOISE_KEY_BYTES])
{
  if (!sync_noise_handshake_is_complete(handshake) || !handshake->has_remote_static) {
    sodium_memzero(public_key, SYNC_NOISE_KEY_BYTES);
    return COOP_E_USAGE;
  }
  memcpy(public_key, handshake->remote_static, SYNC_NOISE_KEY_BYTES);
  return COOP_OK;
}

coop_err sync_noise_remote_static_early(const sync_noise_handshake *handshake,
                                        unsigned char public_key[SYNC_NOISE_KEY_BYTES])
{
  /* In XX the responder's key arrives in message 2 followed by es and a
   * payload tag under a key that mixes es: reading message 2 successfully
   * proves the responder holds the key's secret. */
  if (handshake->phase == SYNC_NOISE_PHASE_FAILED || !handshake->has_remote_static ||
      handshake->pattern != SYNC_NOISE_PATTERN_XX || handshake->role != SYNC_NOISE_INITIATOR ||
      handshake->message_index < 2) {
    sodium_memzero(public_key, SYNC_NOISE_KEY_BYTES);
    return COOP_E_USAGE;
  }
  memcpy(public_key, handshake->remote_static, SYNC_NOISE_KEY_BYTES);
  return COOP_OK;
}

void sync_noise_handshake_release(sync_noise_handshake *handshake)
{
  sodium_memzero(handshake, sizeof *handshake);
}

/* ------------------------------------------------------------------------
 * Key pairs */

coop_err sync_noise_keypair_from_secret(sync_noise_keypair *keypair,
                                        const unsigned char secret_key[SYNC_NOISE_KEY_BYTES])
{
  if (sodium_init() < 0)
    return COOP_E_CRYPTO;
  memcpy(keypair->secret_key, secret_key, SYNC_NOISE_KEY_BYTES);
  coop_err err = public_from_secret(keypair->public_key, keypair->secret_key);
  if (err != COOP_OK)
    sodium_memzero(keypair, sizeof *keypair);
  return err;
}

coop_err sync_noise_keypair_from_ed25519(sync_noise_keypair *keypair,
                                         const unsigned char ed25519_public_key[32],
                                         const unsigned char ed25519_secret_key[64])
{
  coop_err err = COOP_E_BAD_INPUT;

  sodium_memzero(keypair, sizeof *keypair);
  if (sodium_init() < 0)
    return COOP_E_CRYPTO;
  /* libsodium's Ed25519 secret key carries its public key in the second
   * half; a mismatch means the caller paired the wrong files. */
  if (sodium_memcmp(ed25519_secret_key + 32, ed25519_public_key, 32) != 0)
    goto out;
  if (crypto_sign_ed25519_pk_to_curve25519(keypair->public_key, ed25519_public_key) != 0)
    goto out;
  if (crypto_sign_ed25519_sk_to_curve25519(keypair->secret_key, ed25519_secret_key) != 0)
    goto out;
  /* The seed might still not belong to the public key it carries. */
  if (!keypair_is_consistent(keypair))
    goto out;
  err = COOP_OK;
out:
  if (err != COOP_OK)
    sodium_memzero(keypair, sizeof *keypair);
  return err;
}

coop_err sync_noise_public_from_ed25519(unsigned char x25519_public_key[SYNC_NOISE_KEY_BYTES],
                                        const unsigned char ed25519_public_key[32])
{
  if (sodium_init() < 0)
    return COOP_E_CRYPTO;
  if (crypto_sign_ed25519_pk_to_curve25519(x25519_public_key, ed25519_public_key) != 0) {
    sodium_memzero(x25519_public_key, SYNC_NOISE_KEY_BYTES);
    return COOP_E_BAD_INPUT;
  }
  return COOP_OK;
}

void sync_noise_keypair_release(sync_noise_keypair *keypair)
{
  sodium_memzero(keypair, sizeof *keypair);
}

/* ------------------------------------------------------------------------
 * Transport */

coop_err sync_noise_encrypt(sync_noise_cipher *cipher, const unsigned char *plaintext,
                            size_t plaintext_bytes, unsigned char *ciphertext,
                            size_t ciphertext_capacity, size_t *ciphertext_bytes)
{
  assert(plaintext != NULL || plaintext_bytes == 0);
  *ciphertext_bytes = 0;
  if (!cipher->has_key)
    return COOP_E_USAGE;
  if (plaintext_bytes > SYNC_NOISE_PLAINTEXT_BYTES_MAX)
    return COOP_E_LIMIT;
  size_t total = plaintext_bytes + SYNC_NOISE_TAG_BYTES;
  if (total > ciphertext_capacity)
    return COOP_E_LIMIT;
  coop_err err = cipher_encrypt_with_ad(cipher, NULL, 0, plaintext, plaintext_bytes, ciphertext);
  if (err != COOP_OK)
    return err;
  *ciphertext_bytes = total;
  return COOP_OK;
}

coop_err sync_noise_decrypt(sync_noise_cipher *cipher, const unsigned char *ciphertext,
                            size_t ciphertext_bytes, unsigned char *plaintext,
                            size_t plaintext_capacity, size_t *plaintext_bytes)
{
  *plaintext_bytes = 0;
  if (!cipher->has_key)
    return COOP_E_USAGE;
  if (ciphertext_bytes > SYNC_NOISE_MESSAGE_BYTES_MAX)
    return COOP_E_LIMIT;
  if (ciphertext_bytes < SYNC_NOISE_TAG_BYTES)
    return COOP_E_DECODE;
  size_t total = ciphertext_bytes - SYNC_NOISE_TAG_BYTES;
  if (total > plaintext_capacity)
    return COOP_E_LIMIT;
  coop_err err = cipher_decrypt_with_ad(cipher, NULL, 0, ciphertext, ciphertext_bytes, plaintext);
  if (err != COOP_OK) {
    if (total > 0)
      sodium_memzero(plaintext, total);
    return err;
  }
  *plaintext_bytes = total;
  return COOP_OK;
}

void sync_noise_cipher_release(sync_noise_cipher *cipher)
{
  sodium_memzero(cipher, sizeof *cipher);
}
