/* Online backups of the database, restoring one, and the mark that keeps a
 * restored database from signing a second history.
 *
 * A backup is a copy made with SQLite's backup API while other processes
 * read and write, plus one table only a copy has, `backup_marker`: when the
 * backup was made, whose log and how long it was.  The table is not one of
 * the schema's migrations on purpose: a live database never has it, and the
 * copy keeps the schema version of its source, so restoring is a copy of
 * pages and nothing else.  While a database holds the table (it is a
 * restored backup) every append is refused: the node's own log may have
 * grown after the backup, and signing again from the backup's size would
 * be a fork.  The mark is dropped once the node has caught up from its
 * peers, or when the operator confirms (ledger_store_restore_clear). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger/store/store_int.h"

/* How long to wait for pages another process holds locked, per step. */
#define BACKUP_RETRY_MS 50
#define BACKUP_RETRIES_MAX 1200 /* 60 s, then COOP_E_BUSY */

static const char marker_create_sql[] =
    "CREATE TABLE backup_marker ("
    "  made_ms INTEGER NOT NULL,"
    "  log_id BLOB NOT NULL CHECK (length(log_id) = 32),"
    "  log_size INTEGER NOT NULL)";

static const char own_size_sql[] =
    "SELECT coalesce(max(e.idx) + 1, 0) FROM entries e JOIN logs l USING (log_no)"
    " WHERE l.log_id = ?1";

/* Copies every page of `from` into `to` (both "main"), waiting out other
 * processes' locks.  SQLITE_OK or the SQLite code. */
static int copy_pages(sqlite3 *to, sqlite3 *from)
{
  sqlite3_backup *backup = sqlite3_backup_init(to, "main", from, "main");
  if (!backup)
    return sqlite3_errcode(to);
  int step = SQLITE_OK;
  for (int tries = 0; tries < BACKUP_RETRIES_MAX; tries++) {
    step = sqlite3_backup_step(backup, -1);
    if (step != SQLITE_BUSY && step != SQLITE_LOCKED)
      break;
    sqlite3_sleep(BACKUP_RETRY_MS);
  }
  int finish = sqlite3_backup_finish(backup);
  if (step != SQLITE_DONE)
    return step == SQLITE_OK ? SQLITE_ERROR : step;
  return finish;
}

static coop_err sqlite_meaning(int code)
{
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return COOP_E_BUSY;
  if (code == SQLITE_FULL)
    return COOP_E_DISK_FULL;
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
    return COOP_E_TAMPERED;
  return COOP_E_DB;
}

/* The size of a log as a database holds it (0 when it holds none). */
static coop_err log_size_in(sqlite3 *db, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                            uint64_t *size)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(db, own_size_sql, -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  coop_err err = sqlite3_step(select) == SQLITE_ROW ? COOP_OK : COOP_E_DB;
  if (!err)
    *size = (uint64_t)sqlite3_column_int64(select, 0);
  sqlite3_finalize(select);
  return err;
}

static int user_version(sqlite3 *db)
{
  sqlite3_stmt *select = NULL;
  int version = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &select, NULL) == SQLITE_OK &&
      sqlite3_step(select) == SQLITE_ROW)
    version = sqlite3_column_int(select, 0);
  sqlite3_finalize(select);
  return version;
}

/* The mark in a database: COOP_OK and *marked (with *info) or not. */
static coop_err marker_read(sqlite3 *db, bool *marked, ledger_store_backup_info *info)
{
  *marked = false;
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                         " AND name = 'backup_marker'",
                         -1, &select, NULL) != SQLITE_OK)
    return sqlite_meaning(sqlite3_errcode(db));
  int step = sqlite3_step(select);
  bool present = step == SQLITE_ROW && sqlite3_column_int(select, 0) > 0;
  sqlite3_finalize(select);
  if (step != SQLITE_ROW)
    return sqlite_meaning(step);
  if (!present)
    return COOP_OK;
  if (sqlite3_prepare_v2(db, "SELECT made_ms, log_id, log_size FROM backup_marker", -1, &select,
                         NULL) != SQLITE_OK)
    return COOP_E_DB;
  coop_err err = COOP_E_TAMPERED; /* a mark without its row was not made by coop */
  if (sqlite3_step(select) == SQLITE_ROW && sqlite3_column_bytes(select, 1) == LEDGER_LOG_ID_BYTES) {
    info->made_ms = (uint64_t)sqlite3_column_int64(select, 0);
    memcpy(info->log_id, sqlite3_column_blob(select, 1), LEDGER_LOG_ID_BYTES);
    info->log_size = (uint64_t)sqlite3_column_int64(select, 2);
    *marked = true;
    err = COOP_OK;
  }
  sqlite3_finalize(select);
  return err;
}

/* Makes the copy one self-contained file (no -wal beside it) and marks it. */
static coop_err mark_copy(sqlite3 *copy, const ledger_store_backup_info *info)
{
  sqlite3_stmt *insert = NULL;
  /* A backup of a restored database carries the old mark: this one replaces it. */
  if (sqlite3_exec(copy, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(copy, "DROP TABLE IF EXISTS backup_marker", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(copy, marker_create_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(copy, "INSERT INTO backup_marker VALUES (?1, ?2, ?3)", -1, &insert,
                         NULL) != SQLITE_OK)
    return sqlite_meaning(sqlite3_errcode(copy));
  sqlite3_bind_int64(insert, 1, (int64_t)info->made_ms);
  sqlite3_bind_blob(insert, 2, info->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 3, (int64_t)info->log_size);
  int step = sqlite3_step(insert);
  sqlite3_finalize(insert);
  return step == SQLITE_DONE ? COOP_OK : sqlite_meaning(step);
}

/* Creates `path` empty with mode 0600: the copy holds the same personal
 * data as the database, so nobody else may read it, from its first byte. */
static coop_err create_private(const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno == EEXIST ? COOP_E_EXISTS : COOP_E_IO;
  return close(fd) == 0 ? COOP_OK : COOP_E_IO;
}

coop_err ledger_store_backup(ledger_store *store, const char *path,
                             const uint8_t own_log_id[LEDGER_LOG_ID_BYTES], uint64_t now_ms,
                             ledger_store_backup_info *info)
{
  coop_err err = create_private(path);
  if (err)
    return err;
  sqlite3 *copy = NULL;
  ledger_store_backup_info made = {.made_ms = now_ms};
  memcpy(made.log_id, own_log_id, LEDGER_LOG_ID_BYTES);
  if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    err = COOP_E_IO;
    goto out;
  }
  sqlite3_busy_timeout(copy, LEDGER_STORE_BUSY_TIMEOUT_MS);
  int code = copy_pages(copy, store->db);
  if (code != SQLITE_OK) {
    err = sqlite_meaning(code);
    goto out;
  }
  /* The size as the copy holds it: the source may have grown meanwhile. */
  err = log_size_in(copy, own_log_id, &made.log_size);
  if (!err)
    err = mark_copy(copy, &made);
out:
  if (copy && sqlite3_close(copy) != SQLITE_OK && !err)
    err = COOP_E_IO;
  if (err)
    (void)unlink(path);
  else if (info)
    *info = made;
  return err;
}

coop_err ledger_store_restore(ledger_store *store, const char *path,
                              const uint8_t own_log_id[LEDGER_LOG_ID_BYTES],
                              ledger_store_backup_info *info)
{
  sqlite3 *copy = NULL;
  if (access(path, R_OK) != 0)
    return errno == ENOENT ? COOP_E_NOT_FOUND : COOP_E_IO;
  coop_err err = COOP_OK;
  if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    err = COOP_E_IO;
    goto out;
  }
  bool marked = false;
  ledger_store_backup_info found;
  err = marker_read(copy, &marked, &found);
  if (!err && !marked)
    err = COOP_E_BAD_INPUT; /* not a backup made by coop backup */
  if (!err && memcmp(found.log_id, own_log_id, LEDGER_LOG_ID_BYTES))
    err = COOP_E_EXISTS_DIFFERENT; /* another node's backup */
  /* Written by a newer coop: this one could not open the result.  An older
   * schema is fine: the next open migrates it. */
  if (!err && user_version(copy) > user_version(store->db))
    err = COOP_E_SCHEMA;
  if (err)
    goto out;
  int code = copy_pages(store->db, copy);
  if (code != SQLITE_OK)
    err = sqlite_meaning(code);
  /* Whatever this connection cached describes the database before. */
  store->frontier_valid = 0;
  if (!err && info)
    *info = found;
out:
  sqlite3_close(copy);
  return err;
}

coop_err ledger_store_restored(ledger_store *store, bool *restored,
                               ledger_store_backup_info *info)
{
  ledger_store_backup_info found;
  coop_err err = marker_read(store->db, restored, &found);
  if (!err && *restored && info)
    *info = found;
  return err;
}

coop_err ledger_store_restore_clear(ledger_store *store)
{
  return ledger_store_exec(store, "DROP TABLE IF EXISTS backup_marker");
}

coop_err store_check_not_restored(ledger_store *store)
{
  /* The common case, no mark, with the statement prepared at open. */
  sqlite3_stmt *marked = store_statement(store, STATEMENT_BACKUP_MARKED);
  int step = sqlite3_step(marked);
  bool present = step == SQLITE_ROW && sqlite3_column_int(marked, 0) > 0;
  sqlite3_reset(marked);
  if (step != SQLITE_ROW)
    return COOP_E_DB;
  if (!present)
    return COOP_OK;
  bool restored = false;
  ledger_store_backup_info info;
  coop_err err = marker_read(store->db, &restored, &info);
  if (err || !restored)
    return err;
  char when[32] = "?";
  time_t seconds = (time_t)(info.made_ms / 1000);
  struct tm utc;
  if (gmtime_r(&seconds, &utc))
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  /* Remembered as the failure too (SQLITE_READONLY is what it amounts to),
   * so every caller that reports ledger_store_error_message beside the
   * error's message names the backup without knowing about backups. */
  store->failure_code = SQLITE_READONLY;
  store->failure_errno = 0;
  snprintf(store->failure_message, sizeof store->failure_message,
           "backup made %s, own log size %llu then", when, (unsigned long long)info.log_size);
  return ledger_store_set_problem(store, COOP_E_RESTORED, "%s: %s",
                                  coop_err_message(COOP_E_RESTORED), store->failure_message);
}
