/* Backups of the store (ledger/store/store_backup.c): the copy is made
 * online, mode 0600, never over an existing file, and marked; restoring it
 * puts the old log back and every append is refused until the mark is
 * cleared; another node's backup and a file that is not a backup are
 * refused with nothing changed; a restored store takes the newer entries of
 * its own log from a peer's copy (ingest), after which it appends on that
 * one history. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/base/limits.h"
#include "ledger/books/schema.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "tests/support/tree.h"

typedef struct fixture {
  char dir[64];
  char path[128];   /* the node's database */
  char backup[128]; /* its backup */
  ledger_identity author, other;
  ledger_store *store;
} fixture;

static fixture fx;

/* Fresh keys per test: nothing here depends on their bytes. */
static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-backup-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  snprintf(fx.path, sizeof fx.path, "%s/coop.db", fx.dir);
  snprintf(fx.backup, sizeof fx.backup, "%s/backup.db", fx.dir);
  cr_assert_eq(ledger_identity_generate(&fx.author), COOP_OK);
  cr_assert_eq(ledger_identity_generate(&fx.other), COOP_OK);
  cr_assert_eq(ledger_store_open(fx.path, LEDGER_STORE_CREATE, &fx.store), COOP_OK);
}

static void teardown(void)
{
  ledger_store_close(fx.store);
  test_remove_tree(fx.dir);
}

static coop_err note(ledger_store *store, const ledger_identity *author, const char *text,
                     uint64_t now_ms)
{
  ledger_append_item item = {.kind = LEDGER_KIND_NOTE, .payload = (const uint8_t *)text,
                             .payload_bytes = strlen(text)};
  return ledger_store_append(store, author, &item, 1, now_ms, NULL);
}

static uint64_t size_of(ledger_store *store, const ledger_identity *author)
{
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(store, author->public_key, &size), COOP_OK);
  return size;
}

static void notes(ledger_store *store, const ledger_identity *author, int count)
{
  for (int i = 0; i < count; i++)
    cr_assert_eq(note(store, author, "note", 1000 + (uint64_t)i), COOP_OK);
}

TestSuite(store_backup, .init = setup, .fini = teardown);

Test(store_backup, copy_is_private_marked_and_never_overwrites)
{
  notes(fx.store, &fx.author, 3);
  ledger_store_backup_info info;
  cr_assert_eq(ledger_store_backup(fx.store, fx.backup, fx.author.public_key, 5000, &info),
               COOP_OK);
  struct stat facts;
  cr_assert_eq(stat(fx.backup, &facts), 0);
  cr_assert_eq(facts.st_mode & 0777, 0600);
  cr_assert_eq(info.made_ms, 5000);
  cr_assert_eq(info.log_size, 3);
  cr_assert_eq(memcmp(info.log_id, fx.author.public_key, 32), 0);
  /* The live database is not marked: it appends as before. */
  bool restored = true;
  cr_assert_eq(ledger_store_restored(fx.store, &restored, NULL), COOP_OK);
  cr_assert(!restored);
  cr_assert_eq(note(fx.store, &fx.author, "after", 6000), COOP_OK);
  /* A second backup to the same name leaves the first as it was. */
  off_t before = facts.st_size;
  cr_assert_eq(ledger_store_backup(fx.store, fx.backup, fx.author.public_key, 7000, NULL),
               COOP_E_EXISTS);
  cr_assert_eq(stat(fx.backup, &facts), 0);
  cr_assert_eq(facts.st_size, before);
  /* The copy itself is marked, with the size at the time. */
  ledger_store *copy = NULL;
  cr_assert_eq(ledger_store_open(fx.backup, LEDGER_STORE_OPEN_EXISTING, &copy), COOP_OK);
  cr_assert_eq(ledger_store_restored(copy, &restored, &info), COOP_OK);
  cr_assert(restored);
  cr_assert_eq(info.log_size, 3);
  cr_assert_eq(size_of(copy, &fx.author), 3);
  ledger_store_close(copy);
}

Test(store_backup, restored_store_refuses_appends_until_cleared)
{
  notes(fx.store, &fx.author, 2);
  cr_assert_eq(ledger_store_backup(fx.store, fx.backup, fx.author.public_key, 5000, NULL), COOP_OK);
  notes(fx.store, &fx.author, 3);
  cr_assert_eq(size_of(fx.store, &fx.author), 5);
  ledger_store_backup_info info;
  cr_assert_eq(ledger_store_restore(fx.store, fx.backup, fx.author.public_key, &info), COOP_OK);
  cr_assert_eq(info.log_size, 2);
  cr_assert_eq(size_of(fx.store, &fx.author), 2);
  ledger_checkpoint latest;
  cr_assert_eq(ledger_store_checkpoint_latest(fx.store, fx.author.public_key, &latest), COOP_OK);
  cr_assert_eq(latest.size, 2);
  /* Refused, nothing written, the reason names the backup. */
  cr_assert_eq(note(fx.store, &fx.author, "fork", 9000), COOP_E_RESTORED);
  cr_assert_eq(size_of(fx.store, &fx.author), 2);
  cr_assert_not_null(strstr(ledger_store_error_message(fx.store), "own log size 2"));
  /* A second handle (another process) is refused too. */
  ledger_store *second = NULL;
  cr_assert_eq(ledger_store_open(fx.path, LEDGER_STORE_OPEN_EXISTING, &second), COOP_OK);
  cr_assert_eq(note(second, &fx.author, "fork", 9000), COOP_E_RESTORED);
  /* A backup of the restored database is marked anew (its own time and size). */
  char again[160];
  snprintf(again, sizeof again, "%s/again.db", fx.dir);
  cr_assert_eq(ledger_store_backup(fx.store, again, fx.author.public_key, 8000, &info), COOP_OK);
  cr_assert_eq(info.made_ms, 8000);
  cr_assert_eq(ledger_store_restore_clear(fx.store), COOP_OK);
  cr_assert_eq(note(second, &fx.author, "confirmed", 9000), COOP_OK);
  ledger_store_close(second);
  cr_assert_eq(size_of(fx.store, &fx.author), 3);
}

Test(store_backup, refuses_another_nodes_backup_and_plain_files)
{
  notes(fx.store, &fx.author, 2);
  ledger_store *other = NULL;
  char other_path[160], plain[160];
  snprintf(other_path, sizeof other_path, "%s/other.db", fx.dir);
  snprintf(plain, sizeof plain, "%s/plain.db", fx.dir);
  cr_assert_eq(ledger_store_open(other_path, LEDGER_STORE_CREATE, &other), COOP_OK);
  notes(other, &fx.other, 1);
  cr_assert_eq(ledger_store_backup(other, fx.backup, fx.other.public_key, 5000, NULL), COOP_OK);
  ledger_store_close(other);
  cr_assert_eq(ledger_store_restore(fx.store, fx.backup, fx.author.public_key, NULL),
               COOP_E_EXISTS_DIFFERENT);
  /* A database that is not a backup (no mark). */
  cr_assert_eq(ledger_store_restore(fx.store, other_path, fx.author.public_key, NULL),
               COOP_E_BAD_INPUT);
  FILE *junk = fopen(plain, "w");
  cr_assert_not_null(junk);
  fputs("not a database at all, but long enough to look like a file of some sort\n", junk);
  fclose(junk);
  cr_assert_neq(ledger_store_restore(fx.store, plain, fx.author.public_key, NULL), COOP_OK);
  /* A backup from a newer coop (a higher schema version). */
  char newer[160];
  snprintf(newer, sizeof newer, "%s/newer.db", fx.dir);
  cr_assert_eq(ledger_store_backup(fx.store, newer, fx.author.public_key, 5000, NULL), COOP_OK);
  sqlite3 *raw = NULL;
  cr_assert_eq(sqlite3_open(newer, &raw), SQLITE_OK);
  cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  cr_assert_eq(ledger_store_restore(fx.store, newer, fx.author.public_key, NULL), COOP_E_SCHEMA);
  cr_assert_eq(ledger_store_restore(fx.store, "/nonexistent/backup.db", fx.author.public_key,
                                    NULL),
               COOP_E_NOT_FOUND);
  /* Nothing changed. */
  cr_assert_eq(size_of(fx.store, &fx.author), 2);
  cr_assert_eq(note(fx.store, &fx.author, "still mine", 6000), COOP_OK);
}

/* ---- Catching up from a peer's copy of the own log ---------------------------------- */

typedef struct batch {
  uint8_t headers[16][LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payloads[16][64];
  ledger_ingest_entry entries[16];
  size_t count;
} batch;

static coop_err collect(void *context, const ledger_stored_entry *entry)
{
  batch *b = context;
  cr_assert_lt(b->count, 16);
  cr_assert_leq(entry->payload_bytes, 64);
  memcpy(b->headers[b->count], entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  memcpy(b->payloads[b->count], entry->payload, entry->payload_bytes);
  b->entries[b->count] = (ledger_ingest_entry){.header = b->headers[b->count],
                                                .payload = b->payloads[b->count]};
  b->count++;
  return COOP_OK;
}

/* Entry 0 of a real log: the author's identity (ledger_store_verify checks it). */
static void identity_entry(ledger_store *store, const ledger_identity *author)
{
  ledger_identity_payload identity = {.role = LEDGER_ROLE_COOP};
  snprintf(identity.name, sizeof identity.name, "Breda Werkt");
  uint8_t payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  ledger_append_item item = {.kind = LEDGER_KIND_IDENTITY, .payload = payload};
  cr_assert_eq(ledger_identity_payload_encode(&identity, payload, &item.payload_bytes), COOP_OK);
  cr_assert_eq(ledger_store_append(store, author, &item, 1, 900, NULL), COOP_OK);
}

Test(store_backup, catches_up_from_a_peer_then_appends_one_history)
{
  identity_entry(fx.store, &fx.author);
  notes(fx.store, &fx.author, 1);
  cr_assert_eq(ledger_store_backup(fx.store, fx.backup, fx.author.public_key, 5000, NULL), COOP_OK);
  notes(fx.store, &fx.author, 3);
  ledger_checkpoint newer;
  cr_assert_eq(ledger_store_checkpoint_latest(fx.store, fx.author.public_key, &newer), COOP_OK);
  /* The entries after the backup, as a peer holding them would send them. */
  batch sent = {0};
  cr_assert_eq(ledger_store_entries(fx.store, fx.author.public_key, 2, collect, &sent), COOP_OK);
  cr_assert_eq(sent.count, 3);
  cr_assert_eq(ledger_store_restore(fx.store, fx.backup, fx.author.public_key, NULL), COOP_OK);
  uint64_t added = 0;
  char problem[256] = "";
  cr_assert_eq(ledger_store_ingest(fx.store, &newer, 2, sent.entries, sent.count, 9000, &added,
                                   NULL, problem),
               COOP_OK, "%s", problem);
  cr_assert_eq(added, 3);
  cr_assert_eq(size_of(fx.store, &fx.author), 5);
  /* Caught up: the mark cleared, the next append continues that history. */
  cr_assert_eq(ledger_store_restore_clear(fx.store), COOP_OK);
  cr_assert_eq(note(fx.store, &fx.author, "sixth", 9500), COOP_OK);
  ledger_checkpoint latest;
  cr_assert_eq(ledger_store_checkpoint_latest(fx.store, fx.author.public_key, &latest), COOP_OK);
  cr_assert_eq(latest.size, 6);
  ledger_proof proof;
  cr_assert_eq(ledger_store_consistency_proof(fx.store, fx.author.public_key, 5, 6, &proof),
               COOP_OK);
  cr_assert_eq(ledger_merkle_verify_consistency(5, 6, newer.root, latest.root, &proof), COOP_OK);
  uint64_t forks = 1;
  cr_assert_eq(ledger_store_fork_count(fx.store, fx.author.public_key, &forks), COOP_OK);
  cr_assert_eq(forks, 0);
  ledger_verify_report report;
  cr_assert_eq(ledger_store_verify(fx.store, fx.author.public_key, &report), COOP_OK, "%s",
               report.what);
}
