#include "ledger/log/identity.h"
#include "ledger/base/buffer.h"
#include "ledger/base/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

_Static_assert(sizeof LEDGER_KEY_FILE_MAGIC - 1 + 32 == LEDGER_KEY_FILE_BYTES, "key file layout");

coop_err ledger_identity_from_seed(const uint8_t seed[32], ledger_identity *identity)
{
  identity->secret_key = sodium_malloc(LEDGER_SECRET_KEY_BYTES);
  if (!identity->secret_key)
    return COOP_E_NOMEM;
  crypto_sign_seed_keypair(identity->public_key, identity->secret_key, seed);
  return COOP_OK;
}

coop_err ledger_identity_generate(ledger_identity *identity)
{
  uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  coop_err err = ledger_identity_from_seed(seed, identity);
  sodium_memzero(seed, sizeof seed);
  return err;
}

void ledger_identity_release(ledger_identity *identity)
{
  if (identity->secret_key)
    sodium_free(identity->secret_key);
  identity->secret_key = NULL;
}

coop_err ledger_identity_save(const ledger_identity *identity, const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno == EEXIST ? COOP_E_EXISTS : COOP_E_IO;
  uint8_t contents[LEDGER_KEY_FILE_BYTES];
  memcpy(contents, LEDGER_KEY_FILE_MAGIC, 8);
  /* libsodium's secret key is seed || public key: store only the seed. */
  memcpy(contents + 8, identity->secret_key, 32);
  coop_err err = coop_write_all(fd, contents, sizeof contents);
  sodium_memzero(contents, sizeof contents);
  if (!err && fsync(fd) != 0)
    err = COOP_E_IO;
  if (close(fd) != 0 && !err)
    err = COOP_E_IO;
  if (err)
    unlink(path);
  return err;
}

static coop_err read_key_file(int fd, uint8_t contents[LEDGER_KEY_FILE_BYTES])
{
  struct stat status;
  if (fstat(fd, &status) != 0)
    return COOP_E_IO;
  /* Owned by whoever runs coop, as ssh wants: a key another user owns could
   * be read or replaced by them.  geteuid(), so root is no exception: root
   * must run coop as the node's owner rather than use that user's key. */
  if (!S_ISREG(status.st_mode) || (status.st_mode & 077) || status.st_uid != geteuid())
    return COOP_E_PERMISSIONS;
  if (status.st_size != LEDGER_KEY_FILE_BYTES)
    return COOP_E_DECODE;
  size_t have = 0;
  while (have < LEDGER_KEY_FILE_BYTES) {
    ssize_t got = read(fd, contents + have, LEDGER_KEY_FILE_BYTES - have);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return COOP_E_IO;
    have += (size_t)got;
  }
  if (memcmp(contents, LEDGER_KEY_FILE_MAGIC, 8) != 0)
    return COOP_E_DECODE;
  return COOP_OK;
}

coop_err ledger_identity_load(const char *path, ledger_identity *identity)
{
  identity->secret_key = NULL;
  /* O_NONBLOCK: opening a FIFO planted in place of the key must not hang;
   * read_key_file refuses anything but a regular file. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return errno == ENOENT ? COOP_E_NOT_FOUND : errno == ELOOP ? COOP_E_PERMISSIONS : COOP_E_IO;
  uint8_t contents[LEDGER_KEY_FILE_BYTES];
  coop_err err = read_key_file(fd, contents);
  close(fd);
  if (!err)
    err = ledger_identity_from_seed(contents + 8, identity);
  sodium_memzero(contents, sizeof contents);
  return err;
}

void ledger_fingerprint(const uint8_t public_key[LEDGER_PUBLIC_KEY_BYTES],
                        char out[LEDGER_FINGERPRINT_CHARS + 1])
{
  uint8_t digest[COOP_SHA256_BYTES];
  coop_sha256(digest, public_key, LEDGER_PUBLIC_KEY_BYTES);
  snprintf(out, LEDGER_FINGERPRINT_CHARS + 1, "%02x%02x-%02x%02x-%02x%02x-%02x%02x",
           digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
}
