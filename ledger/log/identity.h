/* A node's Ed25519 identity and its key file.
 *
 * The key file holds the 32-byte Ed25519 seed behind an 8-byte magic,
 * "COOPKEY1" (40 bytes in all).  It is created with mode 0600 and, as ssh
 * does, refused when group or others have any access to it or when it
 * belongs to another user than the one running (the effective uid). */
#ifndef COOP_LEDGER_IDENTITY_H
#define COOP_LEDGER_IDENTITY_H

#include <stdint.h>

#include "ledger/base/error.h"

#define LEDGER_PUBLIC_KEY_BYTES 32u
#define LEDGER_SECRET_KEY_BYTES 64u
#define LEDGER_KEY_FILE_MAGIC "COOPKEY1"
#define LEDGER_KEY_FILE_BYTES 40u
/* "1a2b-3c4d-5e6f-7081": the first 8 bytes of SHA-256(public key). */
#define LEDGER_FINGERPRINT_CHARS 19u

typedef struct ledger_identity {
  uint8_t public_key[LEDGER_PUBLIC_KEY_BYTES];
  uint8_t *secret_key; /* LEDGER_SECRET_KEY_BYTES in sodium_malloc memory, or NULL */
} ledger_identity;

/* A fresh random identity.  COOP_E_NOMEM.  Release with ledger_identity_release. */
COOP_MUST_USE coop_err ledger_identity_generate(ledger_identity *identity);

/* The identity with this 32-byte seed (tests and key files). */
COOP_MUST_USE coop_err ledger_identity_from_seed(const uint8_t seed[32], ledger_identity *identity);

/* Writes a new key file; never overwrites (COOP_E_EXISTS), mode 0600,
 * fsync'd.  COOP_E_IO with errno set on other failures. */
COOP_MUST_USE coop_err ledger_identity_save(const ledger_identity *identity, const char *path);

/* Reads a key file.  COOP_E_NOT_FOUND, COOP_E_PERMISSIONS (group/other have
 * access, another user owns it, or not a regular file), COOP_E_DECODE (wrong
 * size or magic), COOP_E_IO.  On failure *identity holds no key. */
COOP_MUST_USE coop_err ledger_identity_load(const char *path, ledger_identity *identity);

/* Wipes and frees the secret key. */
void ledger_identity_release(ledger_identity *identity);

/* Writes the short fingerprint of a public key and a NUL. */
void ledger_fingerprint(const uint8_t public_key[LEDGER_PUBLIC_KEY_BYTES],
                        char out[LEDGER_FINGERPRINT_CHARS + 1]);

#endif
