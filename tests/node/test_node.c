/* The node home's files at rest (node/node.c): identity.key, node.conf and
 * coop.db with its -wal and -shm files are created 0600 whatever the umask,
 * node.conf keeps its mode when `coop peer` rewrites it, and a node whose
 * node.conf or home group or others can write, whose database they can
 * read, or whose files belong to another user is refused with a message
 * that names the file, its mode and the fix, changing nothing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/log/identity.h"
#include "node/books.h"
#include "node/node.h"
#include "tests/support/tree.h"

#define NOBODY 65534u /* a uid that is not ours, for the ownership tests */

typedef struct fixture {
  char dir[64];
  char home[96];
  node opened;
  int is_open;
} fixture;

static fixture fx;

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  setenv("COOP_NOW_MS", "1775000000000", 1);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-node-files-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  snprintf(fx.home, sizeof fx.home, "%s/home", fx.dir);
}

static void teardown(void)
{
  if (fx.is_open)
    node_close(&fx.opened);
  test_remove_tree(fx.dir);
  unsetenv("COOP_NOW_MS");
}

TestSuite(node_files, .init = setup, .fini = teardown);

/* The path of `file` in the node home, written to `out`. */
static const char *in_home(char out[160], const char *file)
{
  snprintf(out, 160, "%s/%s", fx.home, file);
  return out;
}

static unsigned mode_of(const char *file)
{
  char path[160];
  struct stat status;
  cr_assert_eq(stat(in_home(path, file), &status), 0, "stat %s: %s", path, strerror(errno));
  return (unsigned)(status.st_mode & 07777);
}

static void create_node(void)
{
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_create(fx.home, LEDGER_ROLE_COOP, "Coop Breda", node_now_ms(), &fx.opened,
                             message);
  cr_assert_eq(err, COOP_OK, "create: %s", message);
  fx.is_open = 1;
}

static void close_node(void)
{
  node_close(&fx.opened);
  fx.is_open = 0;
}

static void set_mode(const char *file, mode_t mode)
{
  char path[160];
  cr_assert_eq(chmod(in_home(path, file), mode), 0, "chmod %s: %s", path, strerror(errno));
}

/* node_open must refuse with COOP_E_PERMISSIONS and a message holding every
 * one of `needles` (up to three; NULL ends the list). */
static void expect_refused(const char *needle_1, const char *needle_2, const char *needle_3)
{
  const char *needles[] = {needle_1, needle_2, needle_3};
  node refused;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_open(fx.home, &refused, message);
  if (err == COOP_OK)
    node_close(&refused);
  cr_assert_eq(err, COOP_E_PERMISSIONS, "open gave %s: %s", coop_err_name(err), message);
  for (size_t i = 0; i < 3 && needles[i]; i++)
    cr_assert_not_null(strstr(message, needles[i]), "'%s' not in: %s", needles[i], message);
}

static void expect_opens(void)
{
  node opened;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_open(fx.home, &opened, message);
  cr_assert_eq(err, COOP_OK, "open: %s", message);
  node_close(&opened);
}

/* Adds a peer named "partner" with a fresh key: node.conf is rewritten. */
static void add_partner(void)
{
  ledger_identity other;
  cr_assert_eq(ledger_identity_generate(&other), COOP_OK);
  node_peer peer;
  memset(&peer, 0, sizeof peer);
  snprintf(peer.name, sizeof peer.name, "partner");
  memcpy(peer.key, other.public_key, sizeof peer.key);
  snprintf(peer.address, sizeof peer.address, "127.0.0.1:7421");
  peer.role = LEDGER_ROLE_PARTNER;
  ledger_identity_release(&other);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_peer_add(&fx.opened, &peer, message), COOP_OK, "%s", message);
}

/* An empty file in the node home with `mode`. */
static void make_file(const char *file, mode_t mode)
{
  char path[160];
  FILE *made = fopen(in_home(path, file), "w");
  cr_assert_not_null(made, "%s: %s", path, strerror(errno));
  fclose(made);
  set_mode(file, mode);
}

/* Under umask 000, open() and fopen() make 0666 files: every file of the
 * home, the database's -wal and -shm (there while it is open) included,
 * must still be 0600. */
Test(node_files, created_0600_under_umask_000)
{
  umask(0);
  create_node();
  static const char *const files[] = {"identity.key", "node.conf", "coop.db", "coop.db-wal",
                                      "coop.db-shm"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    cr_assert_eq(mode_of(files[i]), 0600, "%s has mode %04o", files[i], mode_of(files[i]));
  cr_assert_eq(mode_of("."), 0700);
}

/* SQLite makes the -wal and -shm files of later runs with the database's
 * mode, whatever the umask. */
Test(node_files, wal_and_shm_of_a_later_run_are_0600)
{
  create_node();
  close_node();
  umask(0);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_open(fx.home, &fx.opened, message), COOP_OK, "%s", message);
  fx.is_open = 1;
  cr_assert_eq(node_books_ready(&fx.opened, message), COOP_OK, "%s", message); /* writes */
  cr_assert_eq(mode_of("coop.db-wal"), 0600);
  cr_assert_eq(mode_of("coop.db-shm"), 0600);
}

Test(node_files, peer_add_and_remove_keep_node_conf_0600_under_umask_000)
{
  create_node();
  umask(0);
  add_partner();
  cr_assert_eq(mode_of("node.conf"), 0600);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_peer_remove(&fx.opened, "partner", message), COOP_OK, "%s", message);
  cr_assert_eq(mode_of("node.conf"), 0600);
}

/* A mode the owner chose that node_open accepts (readable by the group) is
 * kept by the rewrite, not widened to the umask nor narrowed. */
Test(node_files, peer_add_keeps_a_chosen_mode)
{
  create_node();
  set_mode("node.conf", 0640);
  umask(0);
  add_partner();
  cr_assert_eq(mode_of("node.conf"), 0640);
}

/* A stale node.conf.new (a crash, or planted) with a wide mode is not
 * reused: the rewritten node.conf is still 0600. */
Test(node_files, peer_add_does_not_reuse_a_stale_temporary_file)
{
  create_node();
  make_file("node.conf.new", 0666);
  add_partner();
  cr_assert_eq(mode_of("node.conf"), 0600);
}

Test(node_files, node_conf_writable_by_group_or_others_is_refused)
{
  create_node();
  close_node();
  static const mode_t unsafe[] = {0666, 0620, 0602, 0660, 0622};
  for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
    set_mode("node.conf", unsafe[i]);
    char mode_text[16];
    snprintf(mode_text, sizeof mode_text, "mode %04o", (unsigned)unsafe[i]);
    expect_refused("/node.conf'", mode_text, "run 'chmod 600 ");
  }
  /* Reading it is no danger: its keys and addresses are not secrets. */
  set_mode("node.conf", 0644);
  expect_opens();
  set_mode("node.conf", 0600);
  expect_opens();
}

/* The daemon re-reads node.conf on SIGHUP: the same check, and a refused
 * file changes none of the peers. */
Test(node_files, reload_refuses_a_writable_node_conf)
{
  create_node();
  add_partner();
  set_mode("node.conf", 0666);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_reload_config(&fx.opened, message), COOP_E_PERMISSIONS, "%s", message);
  cr_assert_not_null(strstr(message, "mode 0666"), "%s", message);
  cr_assert_eq(fx.opened.peer_count, 1);
}

Test(node_files, database_readable_by_group_or_others_is_refused)
{
  create_node();
  close_node();
  static const mode_t unsafe[] = {0644, 0640, 0604, 0660, 0606, 0610};
  for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
    set_mode("coop.db", unsafe[i]);
    char mode_text[16];
    snprintf(mode_text, sizeof mode_text, "mode %04o", (unsigned)unsafe[i]);
    expect_refused("database '", "/coop.db'", mode_text);
  }
  set_mode("coop.db", 0600);
  expect_opens();
}

/* A -wal or -shm file left readable (a crash under an older version, or a
 * copy) holds the same data: refused before SQLite opens it. */
Test(node_files, readable_wal_or_shm_is_refused)
{
  create_node();
  close_node();
  static const char *const files[] = {"coop.db-wal", "coop.db-shm"};
  for (size_t i = 0; i < 2; i++) {
    make_file(files[i], 0644);
    char path[160], needle[32];
    snprintf(needle, sizeof needle, "/%s' has mode 0644", files[i]);
    expect_refused(needle, "run 'chmod 600 ", NULL);
    cr_assert_eq(unlink(in_home(path, files[i])), 0);
  }
  expect_opens();
}

/* Only root can give a file away, so other users skip this.  As root it
 * matters most: the owner is compared with the effective uid, so root does
 * not use files that another user owns (and can still change). */
Test(node_files, files_owned_by_another_user_are_refused)
{
  if (geteuid() != 0)
    cr_skip_test("needs root to chown files to another user");
  create_node();
  close_node();
  static const char *const files[] = {"identity.key", "node.conf", "coop.db"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[160], needle[64];
    cr_assert_eq(chown(in_home(path, files[i]), NOBODY, NOBODY), 0, "%s", strerror(errno));
    snprintf(needle, sizeof needle, "/%s' belongs to uid %u", files[i], NOBODY);
    expect_refused(needle, "run coop as the user who owns the node", NULL);
    cr_assert_eq(chown(path, 0, 0), 0);
    expect_opens();
  }
  cr_assert_eq(chown(fx.home, NOBODY, NOBODY), 0, "%s", strerror(errno));
  expect_refused("node home '", "' belongs to uid 65534", NULL);
}

/* Whoever can write the node home can rename another node.conf over ours,
 * however safe the file itself is. */
Test(node_files, home_writable_by_group_or_others_is_refused)
{
  create_node();
  close_node();
  static const mode_t unsafe[] = {0777, 0770, 0707, 01777};
  for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
    set_mode(".", unsafe[i]);
    char needle[32];
    snprintf(needle, sizeof needle, "' has mode %04o", (unsigned)unsafe[i]);
    expect_refused("node home '", needle, "run 'chmod 700 ");
  }
  set_mode(".", 0755);
  expect_opens();
}

/* coop init --dir into an existing directory that others can write: refused
 * before any file is made (every later command would refuse it anyway). */
Test(node_files, create_refuses_a_home_others_can_write)
{
  cr_assert_eq(mkdir(fx.home, 0700), 0);
  cr_assert_eq(chmod(fx.home, 0777), 0);
  node created;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_create(fx.home, LEDGER_ROLE_COOP, "Coop Breda", node_now_ms(), &created,
                             message);
  cr_assert_eq(err, COOP_E_PERMISSIONS, "create gave %s: %s", coop_err_name(err), message);
  cr_assert_not_null(strstr(message, "has mode 0777"), "%s", message);
  char path[160];
  cr_assert_neq(access(in_home(path, "identity.key"), F_OK), 0, "a key was written");
}
