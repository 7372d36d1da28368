#include "ledger/store/store.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/base/limits.h"
#include "ledger/log/seal.h"
#include "ledger/store/store_int.h"

/* The log store's own schema migrations, applied in order before those of
 * the modules built on it (ledger_store_open_schema); migration N brings
 * user_version from N to N + 1.  Never edit a migration that has shipped:
 * add one. */
static const char *const migrations[] = {
  /* 0 -> 1: the log store. */
  "CREATE TABLE logs ("
  "  log_no INTEGER PRIMARY KEY,"
  "  log_id BLOB NOT NULL UNIQUE CHECK (length(log_id) = 32));"
  /* entry_key = log_no * 2^48 + idx: a rowid table appended at its end is
   * the fastest shape SQLite has for rows of this size (measured 1.4x a
   * WITHOUT ROWID table keyed by (log_no, idx)). */
  "CREATE TABLE entries ("
  "  entry_key INTEGER PRIMARY KEY,"
  "  log_no INTEGER NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  header BLOB NOT NULL,"
  "  payload BLOB,"
  "  payload_hash BLOB NOT NULL,"
  "  leaf_hash BLOB NOT NULL,"
  "  nodes BLOB NOT NULL,"
  "  CHECK (idx >= 0 AND idx < 281474976710656 AND log_no >= 1 AND log_no < 32768"
  "         AND entry_key = log_no * 281474976710656 + idx));"
  "CREATE TABLE checkpoints ("
  "  log_no INTEGER NOT NULL REFERENCES logs (log_no),"
  "  size INTEGER NOT NULL CHECK (size >= 0),"
  "  checkpoint BLOB NOT NULL,"
  "  PRIMARY KEY (log_no, size)) WITHOUT ROWID;"
  "CREATE TABLE fork_evidence ("
  "  evidence_no INTEGER PRIMARY KEY,"
  "  log_no INTEGER NOT NULL REFERENCES logs (log_no),"
  "  first BLOB NOT NULL,"
  "  second BLOB NOT NULL,"
  "  found_ms INTEGER NOT NULL,"
  "  UNIQUE (first, second));"
  "CREATE TABLE key_grants ("
  "  audience_id BLOB NOT NULL,"
  "  reader BLOB NOT NULL,"
  "  log_no INTEGER NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  PRIMARY KEY (audience_id, reader, log_no, idx)) WITHOUT ROWID;",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(sizeof migrations / sizeof migrations[0] == LEDGER_STORE_LOG_SCHEMA_VERSION,
               "one migration per schema version");

/* Migration `version` (from version to version + 1): the store's own, then
 * those of the modules above. */
static const char *migration(const ledger_store_schema *above, int version)
{
  if (version < MIGRATION_COUNT)
    return migrations[version];
  return above->migrations[version - MIGRATION_COUNT];
}

static const char *const statement_sql[STATEMENT_COUNT] = {
  [STATEMENT_LOG_NO] = "SELECT log_no FROM logs WHERE log_id = ?1",
  [STATEMENT_LOG_INSERT] = "INSERT INTO logs (log_id) VALUES (?1)",
  /* ORDER BY ... LIMIT 1 is one b-tree seek; max() over a range scans it. */
  [STATEMENT_SIZE] = "SELECT entry_key - ?1 * " ENTRY_KEY_LOG_FACTOR " FROM entries"
                     " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR
                     " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                     " ORDER BY entry_key DESC LIMIT 1",
  [STATEMENT_ENTRY_INSERT] =
      "INSERT INTO entries (entry_key, log_no, idx, header, payload, payload_hash, leaf_hash,"
      " nodes) VALUES (?1 * " ENTRY_KEY_LOG_FACTOR " + ?2, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STATEMENT_ENTRY_SELECT] =
      "SELECT header, payload, payload_hash, leaf_hash, nodes FROM entries"
      " WHERE entry_key = ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2",
  [STATEMENT_ENTRIES_FROM] =
      "SELECT entry_key - ?1 * " ENTRY_KEY_LOG_FACTOR ", header, payload, payload_hash,"
      " leaf_hash, nodes FROM entries"
      " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2"
      " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR " ORDER BY entry_key",
  [STATEMENT_CHECKPOINT_INSERT] =
      "INSERT INTO checkpoints (log_no, size, checkpoint) VALUES (?1, ?2, ?3)",
  [STATEMENT_CHECKPOINT_LATEST] =
      "SELECT size, checkpoint FROM checkpoints WHERE log_no = ?1 ORDER BY size DESC LIMIT 1",
  [STATEMENT_CHECKPOINT_AT] =
      "SELECT size, checkpoint FROM checkpoints WHERE log_no = ?1 AND size = ?2",
  [STATEMENT_CHECKPOINTS_ALL] =
      "SELECT size, checkpoint FROM checkpoints WHERE log_no = ?1 ORDER BY size",
  [STATEMENT_FORK_INSERT] =
      "INSERT OR IGNORE INTO fork_evidence (log_no, first, second, found_ms)"
      " VALUES (?1, ?2, ?3, ?4)",
  [STATEMENT_FORKS_ALL] = "SELECT first, second, found_ms FROM fork_evidence ORDER BY evidence_no",
  [STATEMENT_GRANT_INSERT] =
      "INSERT OR IGNORE INTO key_grants (audience_id, reader, log_no, idx) VALUES (?1, ?2, ?3, ?4)",
  [STATEMENT_GRANT_SELECT] =
      "SELECT idx FROM key_grants WHERE audience_id = ?1 AND reader = ?2 AND log_no = ?3"
      " ORDER BY idx LIMIT 1",
  [STATEMENT_ENTRY_BY_LOG_NO] =
      "SELECT header, payload FROM entries WHERE entry_key = ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2",
  /* Every append asks (store_backup.c): prepared once, it costs a lookup. */
  [STATEMENT_BACKUP_MARKED] =
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'backup_marker'",
};

const char *ledger_store_error_message(const ledger_store *store)
{
  if (store->failure_code)
    return store->failure_message;
  return store->db ? sqlite3_errmsg(store->db) : "";
}

void store_note_failure(ledger_store *store)
{
  /* Inside a transaction the first failure is the cause; outside one the
   * latest is (a long-running daemon must not report an old failure). */
  if (!store->db || (store->failure_code && !sqlite3_get_autocommit(store->db)))
    return;
  int code = sqlite3_extended_errcode(store->db);
  if (code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE)
    return;
  store->failure_code = code;
  store->failure_errno = sqlite3_system_errno(store->db);
  snprintf(store->failure_message, sizeof store->failure_message, "%s",
           sqlite3_errmsg(store->db));
}

/* What a failed SQLite call means to the person who ran the command. */
static coop_err failure_meaning(int code, int system_errno)
{
  int primary = code & 0xff;
  int os_level = primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL;
  if (primary == SQLITE_FULL || (os_level && (system_errno == ENOSPC || system_errno == EDQUOT)))
    return COOP_E_DISK_FULL;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    return COOP_E_BUSY;
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    return COOP_E_TAMPERED;
  if (os_level)
    return COOP_E_IO;
  return COOP_E_DB;
}

coop_err ledger_store_failure(const ledger_store *store, coop_err err)
{
  if (err != COOP_E_DB || !store || !store->db)
    return err;
  if (store->failure_code)
    return failure_meaning(store->failure_code, store->failure_errno);
  return failure_meaning(sqlite3_extended_errcode(store->db), sqlite3_system_errno(store->db));
}

coop_err ledger_store_exec(ledger_store *store, const char *sql)
{
  if (!strncmp(sql, "BEGIN", 5))
    store->failure_code = 0; /* a new transaction: its own first failure */
  if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return COOP_OK;
  store_note_failure(store);
  return COOP_E_DB;
}

sqlite3 *ledger_store_db(ledger_store *store)
{
  return store->db;
}

sqlite3_stmt *store_statement(ledger_store *store, store_statement_id id)
{
  sqlite3_stmt *statement = store->statements[id];
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return statement;
}

sqlite3_stmt *ledger_store_cached(ledger_store *store, const char *sql)
{
  int slot = 0;
  for (; slot < STORE_CACHED_STATEMENTS_MAX && store->cached_sql[slot]; slot++) {
    if (store->cached_sql[slot] == sql) {
      sqlite3_reset(store->cached[slot]);
      sqlite3_clear_bindings(store->cached[slot]);
      return store->cached[slot];
    }
  }
  /* Every caller passes one of a fixed set of literals: running out of
   * slots is a programming error, not an operating one. */
  assert(slot < STORE_CACHED_STATEMENTS_MAX);
  if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &store->cached[slot],
                         NULL) != SQLITE_OK)
    return NULL;
  store->cached_sql[slot] = sql;
  return store->cached[slot];
}

static coop_err migrate(ledger_store *store, const ledger_store_schema *above)
{
  int count = MIGRATION_COUNT + (above ? above->count : 0);
  sqlite3_stmt *statement = NULL;
  if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &statement, NULL) != SQLITE_OK)
    return COOP_E_DB;
  int version = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1;
  sqlite3_finalize(statement);
  if (version < 0)
    return COOP_E_DB;
  if (version > count)
    return COOP_E_SCHEMA;
  for (; version < count; version++) {
    char set_version[64];
    snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", version + 1);
    coop_err err = ledger_store_exec(store, "BEGIN IMMEDIATE");
    if (!err)
      err = ledger_store_exec(store, migration(above, version));
    if (!err)
      err = ledger_store_exec(store, set_version);
    if (!err)
      err = ledger_store_exec(store, "COMMIT");
    if (err) {
      (void)ledger_store_exec(store, "ROLLBACK");
      return err;
    }
  }
  return COOP_OK;
}

/* LEDGER_STORE_BUSY_TIMEOUT_MS, or COOP_BUSY_TIMEOUT_MS from the environment
 * (1 ms to 10 min) so tests can see the busy error without waiting. */
static int busy_timeout_ms(void)
{
  const char *text = getenv("COOP_BUSY_TIMEOUT_MS");
  char *end = NULL;
  long value = text ? strtol(text, &end, 10) : 0;
  if (!text || end == text || *end || value < 1 || value > 600000)
    return LEDGER_STORE_BUSY_TIMEOUT_MS;
  return (int)value;
}

static coop_err configure(ledger_store *store)
{
  /* First, before any statement that can meet another process's lock
   * (switching to WAL, reading the schema version): commands run side by
   * side wait for each other rather than fail. */
  if (sqlite3_busy_timeout(store->db, busy_timeout_ms()) != SQLITE_OK)
    return COOP_E_DB;
  /* 8 KiB pages hold more of these ~450-byte rows per page: 1.1x faster bulk
   * appends than 4 KiB.  Only takes effect on a new, empty database. */
  if (ledger_store_exec(store, "PRAGMA page_size = 8192"))
    return COOP_E_DB;
  /* WAL: readers never block the writer; FULL: a committed append survives
   * power loss, which is the promise made to the people whose money it is. */
  coop_err err = ledger_store_exec(store, "PRAGMA journal_mode = WAL");
  if (!err)
    err = ledger_store_exec(store, "PRAGMA synchronous = FULL");
  if (!err)
    err = ledger_store_exec(store, "PRAGMA foreign_keys = ON");
  /* 8 MiB of page cache by default: enough for appending, ingesting and
   * serving a log (the sync daemon stays small however large the log);
   * the books ask for more (ledger_store_set_cache). */
  if (!err)
    err = ledger_store_set_cache(store, LEDGER_STORE_CACHE_DEFAULT_BYTES);
  return err;
}

static coop_err prepare_all(ledger_store *store)
{
  for (int i = 0; i < STATEMENT_COUNT; i++)
    if (sqlite3_prepare_v3(store->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &store->statements[i], NULL) != SQLITE_OK)
      return COOP_E_DB;
  return COOP_OK;
}

static coop_err open_database(const char *path, int flags, const ledger_store_schema *above,
                              ledger_store *store)
{
  struct stat facts;
  bool existing = stat(path, &facts) == 0; /* no fopen: its fclose drops this process's locks */
  if ((flags & LEDGER_STORE_CREATE) && existing)
    return COOP_E_EXISTS;
  if (!(flags & LEDGER_STORE_CREATE) && !existing)
    return COOP_E_NOT_FOUND;
  int open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                   ((flags & LEDGER_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path, &store->db, open_flags, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_extended_result_codes(store->db, 1);
  coop_err err = configure(store);
  if (!err)
    err = migrate(store, above);
  if (!err)
    err = store_proofs_table(store);
  if (!err)
    err = store_erasure_index(store);
  if (!err)
    err = prepare_all(store);
  return err;
}

/* SQLite keeps process-wide memory statistics behind a mutex it takes on
 * every allocation (~23 times per imported record); coop never reads them.
 * Off: 3.5 % fewer instructions for an 8,000-record import (callgrind,
 * 598.9 M -> 577.8 M).  sqlite3_config works only before
 * SQLite initialises, so it is asked once, before the first open; if
 * something else initialised SQLite first, the statistics simply stay on. */
static void configure_sqlite(void)
{
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

coop_err ledger_store_open_schema(const char *path, int flags, const ledger_store_schema *above,
                                  ledger_store **out)
{
  static pthread_once_t configured = PTHREAD_ONCE_INIT;
  pthread_once(&configured, configure_sqlite);
  *out = NULL;
  ledger_store *store = coop_calloc(1, sizeof *store);
  if (!store)
    return COOP_E_NOMEM;
  store->scratch = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  coop_err err = store->scratch ? open_database(path, flags, above, store) : COOP_E_NOMEM;
  if (err) {
    /* A file that is not a database, or a damaged one, is tampering as far
     * as the user is concerned: say so rather than "database error". */
    err = ledger_store_failure(store, err);
    ledger_store_close(store);
    return err;
  }
  *out = store;
  return COOP_OK;
}

void ledger_store_close(ledger_store *store)
{
  if (!store)
    return;
  for (int i = 0; i < STATEMENT_COUNT; i++)
    sqlite3_finalize(store->statements[i]);
  for (int i = 0; i < STORE_CACHED_STATEMENTS_MAX; i++)
    sqlite3_finalize(store->cached[i]);
  if (store->db)
    sqlite3_close(store->db);
  coop_free(store->scratch);
  coop_free(store->deferred);
  coop_free(store);
}

coop_err store_log_no(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                      int create, int64_t *log_no)
{
  sqlite3_stmt *select = store_statement(store, STATEMENT_LOG_NO);
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW) {
    *log_no = sqlite3_column_int64(select, 0);
    sqlite3_reset(select);
    return COOP_OK;
  }
  sqlite3_reset(select);
  if (step != SQLITE_DONE)
    return COOP_E_DB;
  if (!create)
    return COOP_E_NOT_FOUND;
  sqlite3_stmt *insert = store_statement(store, STATEMENT_LOG_INSERT);
  sqlite3_bind_blob(insert, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  step = sqlite3_step(insert);
  sqlite3_reset(insert);
  if (step != SQLITE_DONE)
    return COOP_E_DB;
  *log_no = sqlite3_last_insert_rowid(store->db);
  /* Inside the caller's transaction, so a refused log is rolled back. */
  return *log_no <= STORE_LOG_NO_MAX ? COOP_OK : COOP_E_LIMIT;
}

/* Most readers treat a log the store never held as empty: its number, or 0
 * (log numbers are rowids from 1) with no error when there is none. */
coop_err store_held_log_no(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           int64_t *log_no)
{
  coop_err err = store_log_no(store, log_id, 0, log_no);
  if (err == COOP_E_NOT_FOUND) {
    *log_no = 0;
    return COOP_OK;
  }
  return err;
}

coop_err store_size_by_no(ledger_store *store, int64_t log_no, uint64_t *size)
{
  sqlite3_stmt *select = store_statement(store, STATEMENT_SIZE);
  sqlite3_bind_int64(select, 1, log_no);
  int step = sqlite3_step(select);
  coop_err err = COOP_OK;
  if (step == SQLITE_DONE)
    *size = 0;
  else if (step != SQLITE_ROW)
    err = COOP_E_DB;
  else
    *size = (uint64_t)sqlite3_column_int64(select, 0) + 1;
  sqlite3_reset(select);
  return err;
}

coop_err ledger_store_size(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           uint64_t *size)
{
  *size = 0;
  int64_t log_no;
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  return store_size_by_no(store, log_no, size);
}

/* Perfect node (level, position) of a log: level 0 is the leaf hash; level L
 * is stored with the last leaf it covers, at offset (L - 1) * 32 of `nodes`. */
coop_err store_node(void *context, unsigned level, uint64_t position, ledger_hash out)
{
  store_node_context *node_context = context;
  uint64_t last_leaf = ((position + 1) << level) - 1;
  sqlite3_stmt *select = store_statement(node_context->store, STATEMENT_ENTRY_SELECT);
  sqlite3_bind_int64(select, 1, node_context->log_no);
  sqlite3_bind_int64(select, 2, (int64_t)last_leaf);
  int step = sqlite3_step(select);
  coop_err err = COOP_OK;
  if (step == SQLITE_DONE) {
    err = COOP_E_NOT_FOUND;
  } else if (step != SQLITE_ROW) {
    err = COOP_E_DB;
  } else if (level == 0) {
    if (sqlite3_column_bytes(select, 3) != LEDGER_HASH_BYTES)
      err = COOP_E_TAMPERED;
    else
      memcpy(out, sqlite3_column_blob(select, 3), LEDGER_HASH_BYTES);
  } else {
    const uint8_t *nodes = sqlite3_column_blob(select, 4);
    size_t nodes_bytes = (size_t)sqlite3_column_bytes(select, 4);
    if (nodes_bytes < (size_t)level * LEDGER_HASH_BYTES)
      err = COOP_E_TAMPERED;
    else
      memcpy(out, nodes + (size_t)(level - 1) * LEDGER_HASH_BYTES, LEDGER_HASH_BYTES);
  }
  sqlite3_reset(select);
  return err;
}

/* Rebuilds the compact frontier of the first `size` entries from stored nodes. */
coop_err store_load_frontier(ledger_store *store, int64_t log_no, uint64_t size,
                             ledger_frontier *frontier)
{
  ledger_frontier_init(frontier);
  store_node_context context = {store, log_no};
  uint64_t start = 0;
  for (int level = (int)COOP_TREE_HEIGHT_MAX; level >= 0; level--) {
    if (!((size >> level) & 1u))
      continue;
    coop_err err = store_node(&context, (unsigned)level, start >> level,
                              frontier->level_hash[level]);
    if (err)
      return err;
    start += UINT64_C(1) << level;
  }
  frontier->size = size;
  return COOP_OK;
}

static coop_err read_checkpoint_row(sqlite3_stmt *select, ledger_checkpoint *checkpoint)
{
  int64_t size = sqlite3_column_int64(select, 0);
  coop_err err = ledger_checkpoint_decode(sqlite3_column_blob(select, 1),
                                          (size_t)sqlite3_column_bytes(select, 1), checkpoint);
  if (err || (uint64_t)size != checkpoint->size)
    return COOP_E_TAMPERED;
  return COOP_OK;
}

coop_err store_checkpoint_query(ledger_store *store, int64_t log_no, int latest, uint64_t size,
                                ledger_checkpoint *checkpoint)
{
  sqlite3_stmt *select =
      store_statement(store, latest ? STATEMENT_CHECKPOINT_LATEST : STATEMENT_CHECKPOINT_AT);
  sqlite3_bind_int64(select, 1, log_no);
  if (!latest)
    sqlite3_bind_int64(select, 2, (int64_t)size);
  int step = sqlite3_step(select);
  coop_err err = step == SQLITE_ROW    ? read_checkpoint_row(select, checkpoint)
                 : step == SQLITE_DONE ? COOP_E_NOT_FOUND
                                       : COOP_E_DB;
  sqlite3_reset(select);
  return err;
}

coop_err ledger_store_checkpoint_latest(ledger_store *store,
                                        const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        ledger_checkpoint *checkpoint)
{
  int64_t log_no;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  return err ? err : store_checkpoint_query(store, log_no, 1, 0, checkpoint);
}

coop_err ledger_store_checkpoint_at(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                    uint64_t size, ledger_checkpoint *checkpoint)
{
  int64_t log_no;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  return err ? err : store_checkpoint_query(store, log_no, 0, size, checkpoint);
}

coop_err store_insert_checkpoint(ledger_store *store, int64_t log_no,
                                 const ledger_checkpoint *checkpoint)
{
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(checkpoint, encoded);
  sqlite3_stmt *insert = store_statement(store, STATEMENT_CHECKPOINT_INSERT);
  sqlite3_bind_int64(insert, 1, log_no);
  sqlite3_bind_int64(insert, 2, (int64_t)checkpoint->size);
  sqlite3_bind_blob(insert, 3, encoded, sizeof encoded, SQLITE_TRANSIENT);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err ledger_store_root_at(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              uint64_t size, ledger_hash root)
{
  int64_t log_no;
  uint64_t stored = 0;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (!err)
    err = store_size_by_no(store, log_no, &stored);
  if (!err && size > stored)
    err = COOP_E_RANGE;
  if (err)
    return err;
  store_node_context context = {store, log_no};
  return ledger_merkle_root_at(store_node, &context, size, root);
}

coop_err ledger_store_inclusion_proof(ledger_store *store,
                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t index,
                                      uint64_t size, ledger_proof *proof)
{
  int64_t log_no;
  uint64_t stored = 0;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (!err)
    err = store_size_by_no(store, log_no, &stored);
  if (!err && (size > stored || index >= size))
    err = COOP_E_RANGE;
  if (err)
    return err;
  store_node_context context = {store, log_no};
  return ledger_merkle_inclusion_proof(store_node, &context, index, size, proof);
}

coop_err ledger_store_consistency_proof(ledger_store *store,
                                        const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        uint64_t old_size, uint64_t new_size, ledger_proof *proof)
{
  int64_t log_no;
  uint64_t stored = 0;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (!err)
    err = store_size_by_no(store, log_no, &stored);
  if (!err && (new_size > stored || old_size == 0 || old_size > new_size))
    err = COOP_E_RANGE;
  if (err)
    return err;
  store_node_context context = {store, log_no};
  return ledger_merkle_consistency_proof(store_node, &context, old_size, new_size, proof);
}

coop_err ledger_store_leaf_hash(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                uint64_t index, uint8_t leaf_hash[LEDGER_HASH_BYTES])
{
  int64_t log_no;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (err)
    return err;
  store_node_context context = {store, log_no};
  return store_node(&context, 0, index, leaf_hash);
}

coop_err ledger_store_leaf_hashes(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                  uint64_t from, size_t count,
                                  uint8_t (*leaf_hashes)[LEDGER_HASH_BYTES])
{
  int64_t log_no;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (err)
    return err;
  /* One walk over the range, not a lookup per entry: the leaf column
   * alone (the payload before it is stepped over in the page). */
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT leaf_hash FROM entries WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR
             " + ?2 AND entry_key < ?1 * " ENTRY_KEY_LOG_FACTOR " + ?3 ORDER BY entry_key");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, log_no);
  sqlite3_bind_int64(select, 2, (int64_t)from);
  sqlite3_bind_int64(select, 3, (int64_t)(from + count));
  size_t found = 0;
  int step = SQLITE_DONE;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(select, 0) != LEDGER_HASH_BYTES)
      err = COOP_E_TAMPERED;
    else
      memcpy(leaf_hashes[found++], sqlite3_column_blob(select, 0), LEDGER_HASH_BYTES);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  return err ? err : found == count ? COOP_OK : COOP_E_NOT_FOUND;
}

coop_err ledger_store_set_cache(ledger_store *store, size_t bytes)
{
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%zu", bytes / 1024u);
  coop_err err = ledger_store_exec(store, pragma);
  if (!err)
    store->cache_bytes = bytes;
  return err;
}

size_t ledger_store_cache(const ledger_store *store)
{
  return store->cache_bytes;
}
