/* The Noise Protocol Framework (revision 34), for exactly one suite:
 * Curve25519, ChaCha20-Poly1305 and SHA-256, built only from libsodium.
 *
 * Peers talk `Noise_XX_25519_ChaChaPoly_SHA256`: each side proves it holds
 * the X25519 static key derived from its Ed25519 node identity, so a finished
 * handshake tells each side who the other is (see sync_noise_remote_static).
 * IK and XXpsk3 are here too because the test vectors cover them and the core
 * is driven by a pattern table; production code uses XX.
 *
 * Lifecycle (the caller allocates every struct, nothing is malloc'ed):
 *
 *   sync_noise_handshake_init()      once, with role, prologue and keys
 *   sync_noise_write_message() /     alternately, initiator first, until
 *   sync_noise_read_message()        sync_noise_handshake_is_complete()
 *   sync_noise_split()               into a sending and a receiving cipher
 *   sync_noise_handshake_release()   wipes the handshake's secrets
 *   sync_noise_encrypt() / _decrypt() transport messages
 *   sync_noise_cipher_release()      wipes a cipher's key
 *
 * The structs hold secret keys.  Their fields are private: use the
 * functions.  A caller that keeps them for long may put them in
 * sodium_malloc() memory; release always wipes them with sodium_memzero().
 *
 * A handshake whose write or read fails on a cryptographic check (a bad
 * tag, a low-order public key) is dead, as the Noise spec requires: its
 * secrets are wiped and every later call returns COOP_E_USAGE.  Failures
 * found before any state changes (a message too short or too long, an
 * output buffer too small, the wrong turn) leave the handshake untouched. */
#ifndef COOP_SYNC_NOISE_H
#define COOP_SYNC_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"

/* Noise's DHLEN for 25519, also the ChaChaPoly key and the pre-shared key. */
#define SYNC_NOISE_KEY_BYTES 32u
/* Noise's HASHLEN for SHA-256: the handshake hash and the chaining key. */
#define SYNC_NOISE_HASH_BYTES 32u
/* The Poly1305 tag that follows every encrypted payload. */
#define SYNC_NOISE_TAG_BYTES 16u
/* The Noise spec caps every message, handshake or transport, at 65535 bytes
 * so that a 16-bit length prefix can frame it.  Reading or writing anything
 * longer fails with COOP_E_LIMIT. */
#define SYNC_NOISE_MESSAGE_BYTES_MAX 65535u
/* The largest transport plaintext: one message less its tag. */
#define SYNC_NOISE_PLAINTEXT_BYTES_MAX \
  (SYNC_NOISE_MESSAGE_BYTES_MAX - SYNC_NOISE_TAG_BYTES)

_Static_assert(SYNC_NOISE_MESSAGE_BYTES_MAX <= UINT16_MAX,
               "a noise message length must fit a 16-bit frame prefix");

typedef enum sync_noise_pattern {
  SYNC_NOISE_PATTERN_XX = 0,      /* Noise_XX_25519_ChaChaPoly_SHA256 */
  SYNC_NOISE_PATTERN_IK = 1,      /* Noise_IK_25519_ChaChaPoly_SHA256 */
  SYNC_NOISE_PATTERN_XX_PSK3 = 2, /* Noise_XXpsk3_25519_ChaChaPoly_SHA256 */
} sync_noise_pattern;

typedef enum sync_noise_role {
  SYNC_NOISE_INITIATOR = 0,
  SYNC_NOISE_RESPONDER = 1,
} sync_noise_role;

/* Private: where a handshake is in its lifecycle.  Zero means "not
 * initialized", so a zeroed or released struct is refused. */
typedef enum sync_noise_phase {
  SYNC_NOISE_PHASE_UNINITIALIZED = 0,
  SYNC_NOISE_PHASE_IN_PROGRESS = 1,
  SYNC_NOISE_PHASE_COMPLETE = 2,
  SYNC_NOISE_PHASE_SPLIT = 3,
  SYNC_NOISE_PHASE_FAILED = 4,
} sync_noise_phase;

/* An X25519 key pair. */
typedef struct sync_noise_keypair {
  unsigned char public_key[SYNC_NOISE_KEY_BYTES];
  unsigned char secret_key[SYNC_NOISE_KEY_BYTES];
} sync_noise_keypair;

/* Noise's CipherState: a key and the next nonce.  A transport cipher comes
 * from sync_noise_split(); each nonce is used once and the counter never
 * wraps, so a key never encrypts two messages under one nonce. */
typedef struct sync_noise_cipher {
  unsigned char key[SYNC_NOISE_KEY_BYTES];
  uint64_t nonce;
  bool has_key;
} sync_noise_cipher;

/* Noise's HandshakeState with its SymmetricState.  Fields are private. */
typedef struct sync_noise_handshake {
  sync_noise_pattern pattern;
  sync_noise_role role;
  sync_noise_phase phase;
  size_t message_index; /* the next message to write or read */
  sync_noise_cipher cipher;
  unsigned char chaining_key[SYNC_NOISE_HASH_BYTES];
  unsigned char hash[SYNC_NOISE_HASH_BYTES];
  sync_noise_keypair local_static;
  sync_noise_keypair local_ephemeral;
  unsigned char remote_static[SYNC_NOISE_KEY_BYTES];
  unsigned char remote_ephemeral[SYNC_NOISE_KEY_BYTES];
  unsigned char psk[SYNC_NOISE_KEY_BYTES];
  bool has_local_static;
  bool has_remote_static;
  bool has_remote_ephemeral;
  bool has_psk;
} sync_noise_handshake;

/* What a handshake starts from.  Pointers are borrowed for the duration of
 * sync_noise_handshake_init() only; the handshake keeps copies. */
typedef struct sync_noise_config {
  sync_noise_pattern pattern;
  sync_noise_role role;
  /* Bytes both sides must agree on, e.g. the protocol version and network
   * name; a mismatch makes the handshake fail.  May be NULL if 0 bytes. */
  const unsigned char *prologue;
  size_t prologue_bytes;
  /* Our static key pair; required by every pattern here.  In the node it
   * comes from sync_noise_keypair_from_ed25519(). */
  const sync_noise_keypair *local_static;
  /* The peer's static public key, known in advance.  Required for the IK
   * initiator, refused otherwise (XX learns it during the handshake). */
  const unsigned char *remote_static;
  /* The pre-shared key, SYNC_NOISE_KEY_BYTES; required for XXpsk3 only. */
  const unsigned char *psk;
  /* Tests and vectors only: the ephemeral secret key to use.  NULL (always,
   * in production) draws a fresh one with randombytes_buf(). */
  const unsigned char *fixed_ephemeral_secret;
} sync_noise_config;

/* The full protocol name, e.g. "Noise_XX_25519_ChaChaPoly_SHA256".  Never
 * NULL for a pattern in the enum. */
const char *sync_noise_pattern_name(sync_noise_pattern pattern);

/* Looks up a pattern by its full protocol name.  COOP_E_NOT_FOUND if this
 * implementation does not speak it; *pattern is then untouched. */
COOP_MUST_USE coop_err sync_noise_pattern_from_name(const char *protocol_name,
                                                    sync_noise_pattern *pattern);

/* Fills `keypair` from an X25519 secret key, computing the public key.
 * COOP_E_CRYPTO if libsodium cannot start. */
COOP_MUST_USE coop_err sync_noise_keypair_from_secret(
    sync_noise_keypair *keypair, const unsigned char secret_key[SYNC_NOISE_KEY_BYTES]);

/* Derives the X25519 static key pair from an Ed25519 identity key pair
 * (libsodium layout: 32-byte public key, 64-byte secret key = seed || public
 * key), so that proving the static key in a handshake proves the identity.
 * COOP_E_BAD_INPUT if the public key is not a valid point or does not belong
 * to the secret key.  On failure `keypair` is zeroed. */
COOP_MUST_USE coop_err sync_noise_keypair_from_ed25519(
    sync_noise_keypair *keypair, const unsigned char ed25519_public_key[32],
    const unsigned char ed25519_secret_key[64]);

/* The X25519 public key a peer with this Ed25519 identity must present as
 * its Noise static key.  COOP_E_BAD_INPUT if the key is not a valid point;
 * `x25519_public_key` is then zeroed. */
COOP_MUST_USE coop_err sync_noise_public_from_ed25519(
    unsigned char x25519_public_key[SYNC_NOISE_KEY_BYTES],
    const unsigned char ed25519_public_key[32]);

/* Wipes a key pair. */
void sync_noise_keypair_release(sync_noise_keypair *keypair);

/* Starts a handshake: Noise's Initialize() with the pre-messages mixed in.
 * COOP_E_BAD_INPUT if a key the pattern needs is missing or one it cannot
 * use is given, or the pattern or role is not in its enum; COOP_E_CRYPTO if
 * libsodium cannot start.  On failure `handshake` is zeroed. */
COOP_MUST_USE coop_err sync_noise_handshake_init(sync_noise_handshake *handshake,
                                                 const sync_noise_config *config);

/* Writes the next handshake message, carrying `payload` (encrypted once the
 * pattern has a key, in the clear before that), into `message`, which must
 * not overlap `payload`.
 * COOP_E_USAGE if it is the peer's turn, the handshake is over or dead;
 * COOP_E_LIMIT if the message would pass SYNC_NOISE_MESSAGE_BYTES_MAX or
 * `message_capacity`; COOP_E_CRYPTO if a Diffie-Hellman result is all zero
 * (the peer sent a low-order key), which kills the handshake.  On failure
 * *message_bytes is 0 and nothing readable is left in `message`. */
COOP_MUST_USE coop_err sync_noise_write_message(sync_noise_handshake *handshake,
                                                const unsigned char *payload,
                                                size_t payload_bytes,
                                                unsigned char *message,
                                                size_t message_capacity,
                                                size_t *message_bytes);

/* Reads the peer's next handshake message and writes its payload to
 * `payload`, which must not overlap `message`.
 * COOP_E_USAGE if it is our turn to write, the handshake is over or dead;
 * COOP_E_LIMIT if the message is longer than SYNC_NOISE_MESSAGE_BYTES_MAX or
 * its payload longer than `payload_capacity`; COOP_E_DECODE if it is too
 * short for the pattern; these three leave the handshake untouched.
 * COOP_E_CRYPTO if a tag does not verify (tampering, a wrong prologue, a
 * wrong key) or a Diffie-Hellman result is all zero; that kills the
 * handshake.  On failure *payload_bytes is 0 and no plaintext is left in
 * `payload`. */
COOP_MUST_USE coop_err sync_noise_read_message(sync_noise_handshake *handshake,
                                               const unsigned char *message,
                                               size_t message_bytes,
                                               unsigned char *payload,
                                               size_t payload_capacity,
                                               size_t *payload_bytes);

/* True once every message of the pattern has been written or read, also
 * after sync_noise_split(); false for a dead handshake. */
bool sync_noise_handshake_is_complete(const sync_noise_handshake *handshake);

/* Noise's Split(): the cipher for messages we send and the one for messages
 * we receive.  Wipes the handshake's keys; its hash and the remote static
 * key stay readable.  COOP_E_USAGE unless the handshake is complete; the
 * ciphers are then zeroed. */
COOP_MUST_USE coop_err sync_noise_split(sync_noise_handshake *handshake,
                                        sync_noise_cipher *send,
                                        sync_noise_cipher *receive);

/* The handshake hash, identical on both sides of a finished handshake: bind
 * it into anything that must belong to this session (channel binding).
 * COOP_E_USAGE before the handshake is complete; `hash` is then zeroed. */
COOP_MUST_USE coop_err sync_noise_handshake_hash(const sync_noise_handshake *handshake,
                                                 unsigned char hash[SYNC_NOISE_HASH_BYTES]);

/* The peer's static public key, authenticated once the handshake is
 * complete: compare it with sync_noise_public_from_ed25519() of the identity
 * the peer claims.  COOP_E_USAGE before completion (a key received half way
 * is not yet proven); `public_key` is then zeroed. */
COOP_MUST_USE coop_err sync_noise_remote_static(const sync_noise_handshake *handshake,
                                                unsigned char public_key[SYNC_NOISE_KEY_BYTES]);

/* XX initiator only, after reading message 2: the responder's static key,
 * already proven (message 2 ends with es and a payload tag), so the
 * initiator can refuse an unexpected responder before sending message 3 and
 * its own identity.  COOP_E_USAGE otherwise; `public_key` is then zeroed. */
COOP_MUST_USE coop_err sync_noise_remote_static_early(const sync_noise_handshake *handshake,
                                                      unsigned char public_key[SYNC_NOISE_KEY_BYTES]);

/* Wipes the handshake; it may be initialized again. */
void sync_noise_handshake_release(sync_noise_handshake *handshake);

/* Encrypts one transport message: `plaintext_bytes` + SYNC_NOISE_TAG_BYTES
 * written to `ciphertext` (which must not overlap `plaintext`), and the nonce
 * advances.  COOP_E_USAGE if the cipher has no key; COOP_E_LIMIT if the
 * message would pass SYNC_NOISE_MESSAGE_BYTES_MAX or `ciphertext_capacity`,
 * or the nonces are used up (2^64 - 1 messages; start a new session).  On
 * failure *ciphertext_bytes is 0 and the nonce has not moved. */
COOP_MUST_USE coop_err sync_noise_encrypt(sync_noise_cipher *cipher,
                                          const unsigned char *plaintext,
                                          size_t plaintext_bytes,
                                          unsigned char *ciphertext,
                                          size_t ciphertext_capacity,
                                          size_t *ciphertext_bytes);

/* Decrypts the next transport message in order into `plaintext`, which
 * must not overlap `ciphertext`.  COOP_E_USAGE if the
 * cipher has no key; COOP_E_LIMIT if the message is longer than
 * SYNC_NOISE_MESSAGE_BYTES_MAX, its plaintext longer than
 * `plaintext_capacity`, or the nonces are used up; COOP_E_DECODE if it is
 * shorter than a tag; COOP_E_CRYPTO if the tag does not verify (tampered,
 * replayed, reordered or dropped messages).  The nonce advances only on
 * success.  On failure *plaintext_bytes is 0 and no plaintext is left in
 * `plaintext`. */
COOP_MUST_USE coop_err sync_noise_decrypt(sync_noise_cipher *cipher,
                                          const unsigned char *ciphertext,
                                          size_t ciphertext_bytes,
                                          unsigned char *plaintext,
                                          size_t plaintext_capacity,
                                          size_t *plaintext_bytes);

/* Wipes a cipher's key; it then refuses to encrypt or decrypt. */
void sync_noise_cipher_release(sync_noise_cipher *cipher);

#endif
