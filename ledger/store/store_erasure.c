/* Erasure in the store: which missing payloads are authorised, and removing
 * the payloads an erasure names (docs/log-format.md §Erasure).
 *
 * A payload of log L may be missing only when an erasure entry covers it:
 * one in L itself (its author's, valid on every node), or one in this node's
 * own log naming L (this node's retention of its copies, valid here only).
 * Erasures are rare, so they are found by scanning the logs' headers for
 * kind 26 when a missing payload is first met, never kept as a table. */
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/store/store_int.h"

/* kind 26 little-endian at header offset 2 (SQL substr counts from 1). */
#define ERASURE_KIND_SQL "substr(header, 3, 2) = x'1a00'"

void ledger_store_set_owner(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  memcpy(store->owner_log_id, log_id, LEDGER_LOG_ID_BYTES);
  store->owner_known = 1;
}

void store_erasures_free(store_erasures *erasures)
{
  coop_free(erasures->items);
  memset(erasures, 0, sizeof *erasures);
}

coop_err store_erasures_add(store_erasures *erasures, const ledger_erasure *erasure,
                            int64_t by_log_no, uint64_t by_index)
{
  if (erasures->count == erasures->capacity) {
    size_t capacity = erasures->capacity ? erasures->capacity * 2 : 4;
    store_erasure *items = coop_realloc(erasures->items, capacity * sizeof *items);
    if (!items)
      return COOP_E_NOMEM;
    erasures->items = items;
    erasures->capacity = capacity;
  }
  store_erasure *item = &erasures->items[erasures->count++];
  item->erasure = *erasure;
  item->by_log_no = by_log_no;
  item->by_index = by_index;
  item->covered_one = false;
  return COOP_OK;
}

/* The erasure entries of every log, found without reading the log: a
 * partial index holds only kind-26 entries (~nothing: a few per log over
 * years), and scan_log below names the same condition, so SQLite searches
 * it.  Without it every scan read the whole log (0.18 s for a million
 * entries), and sync scans once per 1 MiB batch that carries an erased
 * entry, on both sides.  Created when the store opens, not by a migration
 * (see store_proofs_table): the first open after an upgrade builds it
 * once (~0.5 s for a million entries); later opens find it and write
 * nothing. */
static const char erasure_index_sql[] =
    "CREATE INDEX IF NOT EXISTS entries_erasures ON entries (entry_key) WHERE " ERASURE_KIND_SQL;

coop_err store_erasure_index(ledger_store *store)
{
  return ledger_store_exec(store, erasure_index_sql);
}

/* The erasure entries of log `by_log_no` that name `target`.  One that does
 * not decode covers nothing (verify reports it as a payload problem). */
static coop_err scan_log(ledger_store *store, int64_t by_log_no,
                         const uint8_t target[LEDGER_LOG_ID_BYTES], store_erasures *out)
{
  sqlite3_stmt *scan = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT entry_key - ?1 * " ENTRY_KEY_LOG_FACTOR ", payload FROM entries"
                         " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR
                         " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                         " AND " ERASURE_KIND_SQL " AND payload IS NOT NULL",
                         -1, &scan, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(scan, 1, by_log_no);
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  coop_err err = erasure ? COOP_OK : COOP_E_NOMEM;
  int step = SQLITE_DONE;
  while (!err && (step = sqlite3_step(scan)) == SQLITE_ROW) {
    if (ledger_erasure_decode(sqlite3_column_blob(scan, 1),
                              (size_t)sqlite3_column_bytes(scan, 1), erasure) == COOP_OK &&
        memcmp(erasure->target_log_id, target, LEDGER_LOG_ID_BYTES) == 0)
      err = store_erasures_add(out, erasure, by_log_no, (uint64_t)sqlite3_column_int64(scan, 0));
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  coop_free(erasure);
  sqlite3_finalize(scan);
  return err;
}

coop_err store_erasures_load(ledger_store *store, int64_t log_no,
                             const uint8_t log_id[LEDGER_LOG_ID_BYTES], store_erasures *out)
{
  memset(out, 0, sizeof *out);
  coop_err err = scan_log(store, log_no, log_id, out);
  if (!err)
    err = store_proofs_load(store, log_no, log_id, out);
  if (!err && store->owner_known && memcmp(store->owner_log_id, log_id, LEDGER_LOG_ID_BYTES)) {
    int64_t owner_no;
    err = store_held_log_no(store, store->owner_log_id, &owner_no);
    if (!err && owner_no)
      err = scan_log(store, owner_no, log_id, out);
  }
  if (err)
    store_erasures_free(out);
  else
    out->loaded = 1;
  return err;
}

store_erasure *store_erasures_cover(const store_erasures *erasures,
                                    const ledger_entry_header *header)
{
  for (size_t i = 0; i < erasures->count; i++)
    if (ledger_erasure_covers(&erasures->items[i].erasure, header))
      return &erasures->items[i];
  return NULL;
}

static coop_err run_bound(ledger_store *store, const char *sql, int64_t log_no,
                          const void *blob, int blob_bytes, int64_t number)
{
  sqlite3_stmt *statement = NULL;
  if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(statement, 1, log_no);
  if (blob)
    sqlite3_bind_blob(statement, 2, blob, blob_bytes, SQLITE_STATIC);
  else
    sqlite3_bind_int64(statement, 2, number);
  int step = sqlite3_step(statement);
  sqlite3_finalize(statement);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err store_erasure_apply(ledger_store *store, const ledger_erasure *erasure)
{
  int64_t log_no;
  coop_err err = store_held_log_no(store, erasure->target_log_id, &log_no);
  if (err || !log_no)
    return err;
  /* Overwrite freed bytes, so the payloads are gone from the file and not
   * only unlinked from the b-tree (the WAL is checkpointed by the caller). */
  err = ledger_store_exec(store, "PRAGMA secure_delete = ON");
  for (unsigned i = 0; i < erasure->audience_count && !err; i++) {
    err = run_bound(store,
                    "UPDATE entries SET payload = NULL"
                    " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR
                    " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                    " AND substr(header, 57, 16) = ?2 AND payload IS NOT NULL",
                    log_no, erasure->audiences[i], LEDGER_AUDIENCE_ID_BYTES, 0);
    if (!err)
      err = run_bound(store, "DELETE FROM key_grants WHERE log_no = ?1 AND audience_id = ?2",
                      log_no, erasure->audiences[i], LEDGER_AUDIENCE_ID_BYTES, 0);
  }
  for (unsigned i = 0; i < erasure->grant_count && !err; i++)
    err = run_bound(store,
                    "UPDATE entries SET payload = NULL"
                    " WHERE entry_key = ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2"
                    " AND substr(header, 3, 2) = x'0300'",
                    log_no, NULL, 0, (int64_t)erasure->grants[i]);
  return err;
}

/* A statement over one log's rows with ?1 bound to its number, and the
 * audience as ?2; *select stays NULL when the store does not hold the log. */
static coop_err audience_query(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                               const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                               const char *sql, sqlite3_stmt **select)
{
  *select = NULL;
  int64_t log_no;
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  if (sqlite3_prepare_v2(store->db, sql, -1, select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(*select, 1, log_no);
  sqlite3_bind_blob(*select, 2, audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_STATIC);
  return COOP_OK;
}

coop_err ledger_store_erasure_entries(ledger_store *store,
                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t from,
                                      uint64_t *indexes, size_t max, size_t *shown,
                                      uint64_t *count)
{
  *shown = 0;
  *count = 0;
  int64_t log_no;
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT entry_key - ?1 * " ENTRY_KEY_LOG_FACTOR " FROM entries"
                         " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2"
                         " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                         " AND " ERASURE_KIND_SQL " ORDER BY entry_key",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, log_no);
  sqlite3_bind_int64(select, 2, (int64_t)from);
  int step;
  while ((step = sqlite3_step(select)) == SQLITE_ROW) {
    if (*shown < max)
      indexes[(*shown)++] = (uint64_t)sqlite3_column_int64(select, 0);
    (*count)++;
  }
  sqlite3_finalize(select);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err ledger_store_audience_grants(ledger_store *store,
                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                      const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                      uint64_t *indexes, size_t max, size_t *count)
{
  *count = 0;
  sqlite3_stmt *select;
  coop_err err = audience_query(store, log_id, audience_id,
                                "SELECT idx FROM key_grants WHERE log_no = ?1 AND audience_id = ?2"
                                " ORDER BY idx", &select);
  int step = SQLITE_DONE;
  while (!err && select && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (*count == max)
      err = COOP_E_LIMIT;
    else
      indexes[(*count)++] = (uint64_t)sqlite3_column_int64(select, 0);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_store_audience_payloads(ledger_store *store,
                                        const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                        uint64_t *count)
{
  *count = 0;
  sqlite3_stmt *select;
  coop_err err = audience_query(store, log_id, audience_id,
                                "SELECT count(*) FROM entries"
                                " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR
                                " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                                " AND substr(header, 57, 16) = ?2 AND payload IS NOT NULL",
                                &select);
  if (!err && select && sqlite3_step(select) == SQLITE_ROW)
    *count = (uint64_t)sqlite3_column_int64(select, 0);
  else if (!err && select)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_store_wal_truncate(ledger_store *store)
{
  return ledger_store_exec(store, "PRAGMA wal_checkpoint(TRUNCATE)");
}
