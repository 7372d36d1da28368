/* Internals shared by the store's source files (SQLite's btreeInt.h habit).
 * Only ledger/store/store*.c include this; the modules built on the store
 * use ledger/store/store_sql.h. */
#ifndef COOP_LEDGER_STORE_INT_H
#define COOP_LEDGER_STORE_INT_H

#include <sqlite3.h>

#include "ledger/log/erasure.h"
#include "ledger/store/store_sql.h"

/* Entries of log number L at index I live at rowid L * 2^48 + I (as SQL text
 * for the statements).  At most 32767 logs per database. */
#define ENTRY_KEY_LOG_FACTOR "281474976710656"
#define STORE_LOG_NO_MAX 32767

/* Room for the prepared statements of modules built on the store. */
#define STORE_CACHED_STATEMENTS_MAX 48

typedef enum store_statement_id {
  STATEMENT_LOG_NO,
  STATEMENT_LOG_INSERT,
  STATEMENT_SIZE,
  STATEMENT_ENTRY_INSERT,
  STATEMENT_ENTRY_SELECT,
  STATEMENT_ENTRIES_FROM,
  STATEMENT_CHECKPOINT_INSERT,
  STATEMENT_CHECKPOINT_LATEST,
  STATEMENT_CHECKPOINT_AT,
  STATEMENT_CHECKPOINTS_ALL,
  STATEMENT_FORK_INSERT,
  STATEMENT_FORKS_ALL,
  STATEMENT_GRANT_INSERT,
  STATEMENT_GRANT_SELECT,
  STATEMENT_ENTRY_BY_LOG_NO,
  STATEMENT_BACKUP_MARKED,
  STATEMENT_COUNT
} store_statement_id;

struct ledger_store {
  sqlite3 *db;
  sqlite3_stmt *statements[STATEMENT_COUNT];
  uint8_t *scratch; /* COOP_PAYLOAD_BYTES_MAX bytes for sealing payloads */
  /* The own log's frontier as of the last append, reused by the next one
   * when the log has not grown in between (another process may append). */
  int frontier_valid;
  int64_t frontier_log_no;
  ledger_frontier frontier;
  uint64_t last_timestamp_ms;
  size_t cache_bytes; /* the page cache's size as last set (ledger_store_cache) */
  /* Random nonces drawn 128 at a time: one getrandom() call per 128 sealed
   * entries instead of one each (measured 2.2x faster sealing). */
  uint8_t nonce_pool[128 * 24];
  unsigned nonce_pool_used;
  /* Statements of other ledger modules, prepared once (see ledger_store_cached). */
  const char *cached_sql[STORE_CACHED_STATEMENTS_MAX];
  sqlite3_stmt *cached[STORE_CACHED_STATEMENTS_MAX];
  /* The first SQLite failure since the transaction began, kept so that the
   * ROLLBACK that follows it cannot overwrite the real cause ("disk full"
   * reported as "cannot rollback - no transaction is active"). */
  int failure_code;
  int failure_errno;
  char failure_message[160];
  /* What the last read that failed with COOP_E_PAYLOAD_MISSING or
   * COOP_E_BOOKS_MISMATCH found, naming the entry (ledger_store_problem). */
  char problem[LEDGER_STORE_PROBLEM_BYTES];
  /* The node's own log (ledger_store_set_owner): its erasure entries that
   * name another log authorise missing payloads in this node's copy. */
  int owner_known;
  uint8_t owner_log_id[LEDGER_LOG_ID_BYTES];
  /* Erased entries let through while a caller ingests batches in one
   * transaction (ledger_store_erased_check_defer), checked at its end. */
  bool deferring_erased;
  struct store_deferred_erased *deferred;
  size_t deferred_count, deferred_capacity;
};

typedef struct store_node_context {
  ledger_store *store;
  int64_t log_no;
} store_node_context;

/* A prepared statement, reset and with bindings cleared. */
sqlite3_stmt *store_statement(ledger_store *store, store_statement_id id);
/* Remembers the database's current error as the failure to report, unless
 * one is already remembered. */
void store_note_failure(ledger_store *store);
coop_err store_log_no(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES], int create,
                      int64_t *log_no);
coop_err store_held_log_no(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           int64_t *log_no);
coop_err store_size_by_no(ledger_store *store, int64_t log_no, uint64_t *size);
coop_err store_node(void *context, unsigned level, uint64_t position, ledger_hash out);
coop_err store_load_frontier(ledger_store *store, int64_t log_no, uint64_t size,
                             ledger_frontier *frontier);
coop_err store_checkpoint_query(ledger_store *store, int64_t log_no, int latest, uint64_t size,
                                ledger_checkpoint *checkpoint);
/* Entry 0 of every log is its author's identity: kind identity, public, a
 * payload that decodes with a valid role (the header's log id, which is the
 * author's key, is checked with every header).  COOP_OK, or
 * COOP_E_TAMPERED with the reason in why. */
coop_err store_check_entry_zero(const ledger_entry_header *header, const uint8_t *payload,
                                size_t payload_bytes, char *why, size_t why_bytes);
coop_err store_insert_checkpoint(ledger_store *store, int64_t log_no,
                                 const ledger_checkpoint *checkpoint);
/* Stores one entry's row, the same for an append and an ingest: `payload`
 * NULL stores SQL NULL, which marks an erased payload; `completed` are the
 * tree nodes its leaf completed (ledger_frontier_append).  COOP_E_DB when
 * the row is not stored (sqlite3_errmsg says why). */
coop_err store_insert_entry_row(ledger_store *store, int64_t log_no, const uint8_t *header_bytes,
                                const ledger_entry_header *header, const uint8_t *payload,
                                const ledger_hash payload_hash, const ledger_hash leaf,
                                const ledger_hash *completed, unsigned completed_count);

/* The erasures that authorise missing payloads of one log on this node
 * (ledger/store/store_erasure.c). */
typedef struct store_erasure {
  ledger_erasure erasure;
  int64_t by_log_no;
  uint64_t by_index;
  bool covered_one; /* verify: it covers a missing payload (counted once) */
} store_erasure;

typedef struct store_erasures {
  int loaded;
  store_erasure *items;
  size_t count, capacity;
} store_erasures;

coop_err store_erasures_load(ledger_store *store, int64_t log_no,
                             const uint8_t log_id[LEDGER_LOG_ID_BYTES], store_erasures *out);
coop_err store_erasures_add(store_erasures *erasures, const ledger_erasure *erasure,
                            int64_t by_log_no, uint64_t by_index);
/* The erasure that covers this entry, or NULL. */
store_erasure *store_erasures_cover(const store_erasures *erasures,
                                    const ledger_entry_header *header);
void store_erasures_free(store_erasures *erasures);

/* Erasures proven ahead (ledger/store/store_proof.c): the table, created
 * when the store opens; the kept proofs of a log that still verify, added
 * to `out` as erasures by the log's author (log_no); and, once entries
 * [0, size) of the log are stored, each kept proof below `size` checked
 * against the entry stored there (COOP_E_FORK with `problem` when they
 * differ) and dropped. */
coop_err store_proofs_table(ledger_store *store);
/* The partial index of erasure entries (store_erasure.c), created at open. */
coop_err store_erasure_index(ledger_store *store);
coop_err store_proofs_load(ledger_store *store, int64_t log_no,
                           const uint8_t log_id[LEDGER_LOG_ID_BYTES], store_erasures *out);
coop_err store_proofs_settle(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                             uint64_t size, char *problem);
/* Removes the payloads the erasure names from this node's copy of its
 * target log, and the target's key-grant index rows for its audiences. */
coop_err store_erasure_apply(ledger_store *store, const ledger_erasure *erasure);

/* COOP_E_RESTORED (with the problem set) when the database is a restored
 * backup that has not caught up (store_backup.c); COOP_OK otherwise. */
coop_err store_check_not_restored(ledger_store *store);
#endif
