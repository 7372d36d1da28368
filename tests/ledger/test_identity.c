/* Tests for ledger/log/identity.c: Ed25519 identities, the key file (magic,
 * mode 0600, no overwrite, refusal of unsafe files) and fingerprints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "ledger/log/identity.h"

static char directory[64];

/* Removes the files the tests made (one level of subdirectory at most). */
static void remove_tree(const char *path)
{
  DIR *dir = opendir(path);
  if (dir) {
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
        continue;
      char child[512];
      snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
      struct stat status;
      if (lstat(child, &status) == 0 && S_ISDIR(status.st_mode))
        remove_tree(child);
      else
        unlink(child);
    }
    closedir(dir);
  }
  rmdir(path);
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  snprintf(directory, sizeof directory, "/tmp/coop-test-identity-XXXXXX");
  cr_assert_not_null(mkdtemp(directory), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
  if (directory[0])
    remove_tree(directory);
}

TestSuite(identity, .init = setup, .fini = teardown);

static void path_in_dir(char *out, size_t out_bytes, const char *name)
{
  int written = snprintf(out, out_bytes, "%s/%s", directory, name);
  cr_assert(written > 0 && (size_t)written < out_bytes);
}

/* Writes `count` bytes to a new file with `mode` (set explicitly, past the
 * umask). */
static void write_file(const char *path, const void *bytes, size_t count, mode_t mode)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
  cr_assert_eq(write(fd, bytes, count), (ssize_t)count);
  cr_assert_eq(close(fd), 0);
  cr_assert_eq(chmod(path, mode), 0);
}

static size_t read_file(const char *path, uint8_t *out, size_t room)
{
  int fd = open(path, O_RDONLY);
  cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
  ssize_t got = read(fd, out, room);
  cr_assert_geq(got, 0);
  close(fd);
  return (size_t)got;
}

static void seed_of(uint8_t seed[32], uint8_t first)
{
  for (unsigned i = 0; i < 32; i++)
    seed[i] = (uint8_t)(first + i);
}

/* A valid key file's 40 bytes for a given seed. */
static void key_file_bytes(uint8_t out[40], const uint8_t seed[32])
{
  memcpy(out, "COOPKEY1", 8);
  memcpy(out + 8, seed, 32);
}

/* A valid 0600 key file for the seed seed_of(first). */
static void write_key_file(const char *path, uint8_t first)
{
  uint8_t seed[32], bytes[40];
  seed_of(seed, first);
  key_file_bytes(bytes, seed);
  write_file(path, bytes, sizeof bytes, 0600);
}

/* Loads and expects `expected`; on failure no key may be held. */
static void expect_load(const char *path, coop_err expected)
{
  ledger_identity identity;
  memset(&identity, 0, sizeof identity);
  identity.secret_key = (uint8_t *)&identity; /* garbage: load must reset it */
  coop_err err = ledger_identity_load(path, &identity);
  cr_assert_eq(err, expected, "load %s: got %s, expected %s", path, coop_err_name(err),
               coop_err_name(expected));
  if (err != COOP_OK)
    cr_assert_null(identity.secret_key, "a failed load holds a key");
  ledger_identity_release(&identity);
}

Test(identity, from_seed_is_deterministic_and_matches_rfc8032)
{
  static const char seed_hex[] =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  static const char public_hex[] =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  uint8_t seed[32], expected[32];
  cr_assert_eq(sodium_hex2bin(seed, 32, seed_hex, 64, NULL, NULL, NULL), 0);
  cr_assert_eq(sodium_hex2bin(expected, 32, public_hex, 64, NULL, NULL, NULL), 0);

  ledger_identity first, second;
  cr_assert_eq(ledger_identity_from_seed(seed, &first), COOP_OK);
  cr_assert_eq(ledger_identity_from_seed(seed, &second), COOP_OK);
  cr_assert_arr_eq(first.public_key, expected, 32);
  cr_assert_arr_eq(second.public_key, expected, 32);
  cr_assert_not_null(first.secret_key);
  cr_assert_neq(first.secret_key, second.secret_key, "secret keys must not share memory");
  cr_assert_arr_eq(first.secret_key, second.secret_key, LEDGER_SECRET_KEY_BYTES);
  /* libsodium's layout: seed || public key. */
  cr_assert_arr_eq(first.secret_key, seed, 32);
  cr_assert_arr_eq(first.secret_key + 32, expected, 32);

  uint8_t other_seed[32];
  memcpy(other_seed, seed, 32);
  other_seed[31] ^= 1;
  ledger_identity other;
  cr_assert_eq(ledger_identity_from_seed(other_seed, &other), COOP_OK);
  cr_assert_neq(memcmp(other.public_key, first.public_key, 32), 0);

  ledger_identity_release(&first);
  ledger_identity_release(&second);
  ledger_identity_release(&other);
}

Test(identity, generate_gives_fresh_working_keys)
{
  ledger_identity first, second;
  cr_assert_eq(ledger_identity_generate(&first), COOP_OK);
  cr_assert_eq(ledger_identity_generate(&second), COOP_OK);
  cr_assert_neq(memcmp(first.public_key, second.public_key, 32), 0);
  /* The key pair is consistent: a signature verifies with the public half. */
  uint8_t signature[64];
  const uint8_t message[] = "hello";
  crypto_sign_detached(signature, NULL, message, sizeof message, first.secret_key);
  cr_assert_eq(crypto_sign_verify_detached(signature, message, sizeof message, first.public_key),
               0);
  cr_assert_neq(
      crypto_sign_verify_detached(signature, message, sizeof message, second.public_key), 0);
  ledger_identity_release(&first);
  ledger_identity_release(&second);
}

Test(identity, release_clears_and_is_idempotent)
{
  ledger_identity identity;
  cr_assert_eq(ledger_identity_generate(&identity), COOP_OK);
  ledger_identity_release(&identity);
  cr_assert_null(identity.secret_key);
  ledger_identity_release(&identity);
  cr_assert_null(identity.secret_key);
}

Test(identity, save_load_round_trip)
{
  char path[256];
  path_in_dir(path, sizeof path, "node.key");
  ledger_identity identity;
  cr_assert_eq(ledger_identity_generate(&identity), COOP_OK);
  cr_assert_eq(ledger_identity_save(&identity, path), COOP_OK);

  ledger_identity loaded;
  cr_assert_eq(ledger_identity_load(path, &loaded), COOP_OK);
  cr_assert_arr_eq(loaded.public_key, identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
  cr_assert_not_null(loaded.secret_key);
  cr_assert_arr_eq(loaded.secret_key, identity.secret_key, LEDGER_SECRET_KEY_BYTES);
  ledger_identity_release(&identity);
  ledger_identity_release(&loaded);
}

Test(identity, saved_file_is_0600_40_bytes_magic_then_seed)
{
  /* A permissive umask must not widen the file's mode. */
  umask(0);
  char path[256];
  path_in_dir(path, sizeof path, "node.key");
  uint8_t seed[32];
  seed_of(seed, 0x30);
  ledger_identity identity;
  cr_assert_eq(ledger_identity_from_seed(seed, &identity), COOP_OK);
  cr_assert_eq(ledger_identity_save(&identity, path), COOP_OK);

  struct stat status;
  cr_assert_eq(lstat(path, &status), 0);
  cr_assert(S_ISREG(status.st_mode));
  cr_assert_eq(status.st_mode & 07777, 0600, "mode %o", (unsigned)(status.st_mode & 07777));
  cr_assert_eq(status.st_size, 40);

  uint8_t contents[64], expected[40];
  cr_assert_eq(read_file(path, contents, sizeof contents), 40u);
  key_file_bytes(expected, seed);
  cr_assert_arr_eq(contents, "COOPKEY1", 8);
  cr_assert_arr_eq(contents, expected, 40);
  ledger_identity_release(&identity);
}

Test(identity, load_of_a_hand_written_key_file)
{
  char path[256];
  path_in_dir(path, sizeof path, "hand.key");
  uint8_t seed[32], bytes[40];
  seed_of(seed, 0x90);
  key_file_bytes(bytes, seed);
  write_file(path, bytes, sizeof bytes, 0600);
  ledger_identity expected, loaded;
  cr_assert_eq(ledger_identity_from_seed(seed, &expected), COOP_OK);
  cr_assert_eq(ledger_identity_load(path, &loaded), COOP_OK);
  cr_assert_arr_eq(loaded.public_key, expected.public_key, 32);
  cr_assert_arr_eq(loaded.secret_key, expected.secret_key, 64);
  ledger_identity_release(&expected);
  ledger_identity_release(&loaded);
}

Test(identity, save_refuses_to_overwrite)
{
  char path[256];
  path_in_dir(path, sizeof path, "node.key");
  uint8_t seed[32];
  seed_of(seed, 1);
  ledger_identity first, second;
  cr_assert_eq(ledger_identity_from_seed(seed, &first), COOP_OK);
  seed_of(seed, 2);
  cr_assert_eq(ledger_identity_from_seed(seed, &second), COOP_OK);

  cr_assert_eq(ledger_identity_save(&first, path), COOP_OK);
  cr_assert_eq(ledger_identity_save(&second, path), COOP_E_EXISTS);
  cr_assert_eq(ledger_identity_save(&first, path), COOP_E_EXISTS);

  /* The first key survives, unchanged. */
  ledger_identity loaded;
  cr_assert_eq(ledger_identity_load(path, &loaded), COOP_OK);
  cr_assert_arr_eq(loaded.public_key, first.public_key, 32);
  ledger_identity_release(&loaded);

  /* Nor is any other existing file overwritten. */
  char other[256];
  path_in_dir(other, sizeof other, "notes.txt");
  write_file(other, "keep me", 7, 0644);
  cr_assert_eq(ledger_identity_save(&first, other), COOP_E_EXISTS);
  uint8_t contents[16];
  cr_assert_eq(read_file(other, contents, sizeof contents), 7u);
  cr_assert_arr_eq(contents, "keep me", 7);

  ledger_identity_release(&first);
  ledger_identity_release(&second);
}

Test(identity, save_does_not_follow_a_symlink)
{
  char link_path[256], target[256];
  path_in_dir(link_path, sizeof link_path, "node.key");
  path_in_dir(target, sizeof target, "elsewhere.key");
  cr_assert_eq(symlink(target, link_path), 0);
  ledger_identity identity;
  cr_assert_eq(ledger_identity_generate(&identity), COOP_OK);
  coop_err err = ledger_identity_save(&identity, link_path);
  cr_assert_neq(err, COOP_OK);
  struct stat status;
  cr_assert_neq(lstat(target, &status), 0, "the key was written through the symlink");
  ledger_identity_release(&identity);
}

Test(identity, save_into_missing_directory_is_io_error)
{
  char path[256];
  path_in_dir(path, sizeof path, "missing/node.key");
  ledger_identity identity;
  cr_assert_eq(ledger_identity_generate(&identity), COOP_OK);
  cr_assert_eq(ledger_identity_save(&identity, path), COOP_E_IO);
  ledger_identity_release(&identity);
}

Test(identity, load_refuses_group_or_other_access)
{
  static const mode_t unsafe[] = {0640, 0604, 0644, 0660, 0606, 0666, 0610, 0601, 0620, 0602,
                                  0700 | 0040, 0777};
  uint8_t seed[32], bytes[40];
  seed_of(seed, 7);
  key_file_bytes(bytes, seed);
  for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
    char path[256], name[32];
    snprintf(name, sizeof name, "mode-%o.key", (unsigned)unsafe[i]);
    path_in_dir(path, sizeof path, name);
    write_file(path, bytes, sizeof bytes, unsafe[i]);
    expect_load(path, COOP_E_PERMISSIONS);
  }
}

Test(identity, load_accepts_owner_only_modes)
{
  static const mode_t safe[] = {0600, 0400, 0700};
  uint8_t seed[32], bytes[40];
  seed_of(seed, 9);
  key_file_bytes(bytes, seed);
  for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++) {
    char path[256], name[32];
    snprintf(name, sizeof name, "mode-%o.key", (unsigned)safe[i]);
    path_in_dir(path, sizeof path, name);
    write_file(path, bytes, sizeof bytes, safe[i]);
    expect_load(path, COOP_OK);
  }
}

/* A key file that another user owns is refused even with mode 0600: that
 * user could read it or put their own key in its place.  The owner is
 * compared with the effective uid, so root gets no exception.  Only root can
 * give a file away (chown), so other users skip this test. */
Test(identity, load_refuses_a_key_file_owned_by_another_user)
{
  if (geteuid() != 0)
    cr_skip_test("needs root to chown a key file to another user");
  char path[256];
  path_in_dir(path, sizeof path, "theirs.key");
  write_key_file(path, 11);
  expect_load(path, COOP_OK);
  cr_assert_eq(chown(path, 65534, 65534), 0, "chown: %s", strerror(errno)); /* nobody */
  expect_load(path, COOP_E_PERMISSIONS);
}

Test(identity, load_refuses_a_symlink)
{
  char target[256], link_path[256];
  path_in_dir(target, sizeof target, "real.key");
  path_in_dir(link_path, sizeof link_path, "link.key");
  ledger_identity identity;
  cr_assert_eq(ledger_identity_generate(&identity), COOP_OK);
  cr_assert_eq(ledger_identity_save(&identity, target), COOP_OK);
  ledger_identity_release(&identity);
  expect_load(target, COOP_OK);
  cr_assert_eq(symlink(target, link_path), 0);
  expect_load(link_path, COOP_E_PERMISSIONS);
}

Test(identity, load_refuses_a_directory)
{
  char path[256];
  path_in_dir(path, sizeof path, "dir.key");
  cr_assert_eq(mkdir(path, 0700), 0);
  expect_load(path, COOP_E_PERMISSIONS);
}

static void on_alarm(int signal_number)
{
  (void)signal_number;
}

/* A FIFO planted at the key path must be refused as "not a regular file"
 * (COOP_E_PERMISSIONS, identity.h) at once.  Regression: open() without
 * O_NONBLOCK used to block until a writer appeared, hanging the caller.  An
 * alarm interrupts a blocked open() after 2 s so that this test ends either
 * way (the load then fails with COOP_E_IO from EINTR). */
Test(identity, load_refuses_a_fifo_without_blocking)
{
  char path[256];
  path_in_dir(path, sizeof path, "fifo.key");
  cr_assert_eq(mkfifo(path, 0600), 0);

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; /* no SA_RESTART: the blocked open() fails with EINTR */
  cr_assert_eq(sigaction(SIGALRM, &action, NULL), 0);
  alarm(2);
  ledger_identity identity;
  memset(&identity, 0, sizeof identity);
  time_t started = time(NULL);
  coop_err err = ledger_identity_load(path, &identity);
  alarm(0);
  long waited = (long)(time(NULL) - started);
  ledger_identity_release(&identity);
  cr_assert_eq(err, COOP_E_PERMISSIONS,
               "load of a FIFO returned %s after blocking for %ld s (interrupted by an alarm)",
               coop_err_name(err), waited);
}

Test(identity, load_rejects_wrong_size)
{
  uint8_t seed[32], bytes[41];
  seed_of(seed, 3);
  key_file_bytes(bytes, seed);
  bytes[40] = '\n';
  static const size_t sizes[] = {0, 8, 39, 41};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char path[256], name[32];
    snprintf(name, sizeof name, "size-%zu.key", sizes[i]);
    path_in_dir(path, sizeof path, name);
    write_file(path, bytes, sizes[i], 0600);
    expect_load(path, COOP_E_DECODE);
  }
}

Test(identity, load_rejects_wrong_magic)
{
  static const char *const magics[] = {"COOPKEY2", "coopkey1", "COOPKEY\0", "\0\0\0\0\0\0\0\0",
                                       "OPENSSH1"};
  uint8_t seed[32], bytes[40];
  seed_of(seed, 4);
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
    key_file_bytes(bytes, seed);
    memcpy(bytes, magics[i], 8);
    char path[256], name[32];
    snprintf(name, sizeof name, "magic-%zu.key", i);
    path_in_dir(path, sizeof path, name);
    write_file(path, bytes, sizeof bytes, 0600);
    expect_load(path, COOP_E_DECODE);
  }
}

Test(identity, load_of_missing_file_is_not_found)
{
  char path[256];
  path_in_dir(path, sizeof path, "absent.key");
  expect_load(path, COOP_E_NOT_FOUND);
}

Test(identity, fingerprint_format)
{
  uint8_t seed[32];
  for (int round = 0; round < 50; round++) {
    seed_of(seed, (uint8_t)(round * 5));
    ledger_identity identity;
    cr_assert_eq(ledger_identity_from_seed(seed, &identity), COOP_OK);
    char out[LEDGER_FINGERPRINT_CHARS + 2];
    memset(out, 'Z', sizeof out);
    ledger_fingerprint(identity.public_key, out);
    cr_assert_eq(strlen(out), 19u, "'%s'", out);
    cr_assert_eq(out[LEDGER_FINGERPRINT_CHARS + 1], 'Z', "wrote past the NUL");
    for (int i = 0; i < 19; i++) {
      if (i == 4 || i == 9 || i == 14)
        cr_assert_eq(out[i], '-', "'%s'", out);
      else
        cr_assert((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'),
                  "'%s' position %d", out, i);
    }
    /* The first 8 bytes of SHA-256(public key), computed here. */
    uint8_t digest[32];
    crypto_hash_sha256(digest, identity.public_key, 32);
    char expected[20];
    snprintf(expected, sizeof expected, "%02x%02x-%02x%02x-%02x%02x-%02x%02x", digest[0],
             digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
    cr_assert_str_eq(out, expected);
    ledger_identity_release(&identity);
  }
}

Test(identity, fingerprint_known_answer)
{
  /* RFC 8032 test 1 public key; SHA-256 prefix computed with Python. */
  static const char public_hex[] =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  uint8_t public_key[32];
  cr_assert_eq(sodium_hex2bin(public_key, 32, public_hex, 64, NULL, NULL, NULL), 0);
  char out[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(public_key, out);
  cr_assert_str_eq(out, "21fe-31df-a154-a261");
}
