/* Erasures proven ahead of their place in the log (docs/log-format.md
 * §Erasure, "Proven ahead").
 *
 * An entry may arrive without its payload only where an erasure by its
 * log's author covers it, and that erasure always comes later in the log
 * than what it erases: often many sync batches later.  A node that never
 * held the log would refuse the first batch.  So the sender proves the
 * erasure ahead: the erasure entry itself, a checkpoint its author signed
 * and the entry's inclusion proof in that checkpoint.  The receiver keeps a
 * proof that verifies in table erasure_proofs, where it covers exactly as
 * the entry will, until the entry itself is stored: then the two must be the
 * same entry, and the proof goes.
 *
 * A kept proof is checked again every time it is read, so a row edited in
 * the database covers nothing (and verify reports the payload it was meant
 * to excuse as missing). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/log/codec.h"
#include "ledger/store/store_int.h"

/* Created when the store opens, not by a migration: the store's migrations
 * are numbered together with those of the modules above it, so it has no
 * version of its own left to add a table with.  A database without the
 * table (written before it existed) simply holds no proofs. */
static const char proofs_table_sql[] =
    "CREATE TABLE IF NOT EXISTS erasure_proofs ("
    "  log_id BLOB NOT NULL,"
    "  idx INTEGER NOT NULL,"
    "  header BLOB NOT NULL,"
    "  payload BLOB NOT NULL,"
    "  proof BLOB NOT NULL,"
    "  checkpoint BLOB NOT NULL,"
    "  PRIMARY KEY (log_id, idx)) WITHOUT ROWID";

coop_err store_proofs_table(ledger_store *store)
{
  return ledger_store_exec(store, proofs_table_sql);
}

static coop_err say(char *problem, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static coop_err say(char *problem, coop_err err, const char *format, ...)
{
  if (problem) {
    va_list args;
    va_start(args, format);
    vsnprintf(problem, 256, format, args);
    va_end(args);
  }
  return err;
}

/* Everything a proof must satisfy on its own: the author's signature, an
 * erasure entry of that log at that index naming that log, and its leaf
 * under the signed root.  Fills *erasure and leaf. */
static coop_err proof_check(const ledger_erasure_proof *proof, ledger_erasure *erasure,
                            ledger_hash leaf, char *problem)
{
  unsigned long long index = (unsigned long long)proof->index;
  if (ledger_checkpoint_verify(&proof->checkpoint))
    return say(problem, COOP_E_BAD_SIGNATURE, "the checkpoint proving erasure entry %llu has a "
               "bad signature", index);
  if (proof->index >= proof->checkpoint.size)
    return say(problem, COOP_E_RANGE, "erasure entry %llu is not within its checkpoint (size "
               "%llu)", index, (unsigned long long)proof->checkpoint.size);
  ledger_entry_header header;
  if (ledger_entry_header_decode(proof->header, LEDGER_ENTRY_HEADER_BYTES, &header) ||
      header.index != proof->index ||
      memcmp(header.log_id, proof->checkpoint.log_id, LEDGER_LOG_ID_BYTES) ||
      header.kind != LEDGER_KIND_ERASURE || !ledger_entry_is_public(&header))
    return say(problem, COOP_E_DECODE, "entry %llu sent as a proven erasure is not an erasure "
               "entry of that log", index);
  ledger_hash payload_hash;
  ledger_payload_hash(proof->payload, header.payload_bytes, payload_hash);
  ledger_leaf_hash(proof->header, payload_hash, leaf);
  if (ledger_merkle_verify_inclusion(leaf, proof->index, proof->checkpoint.size, &proof->proof,
                                     proof->checkpoint.root))
    return say(problem, COOP_E_BAD_PROOF, "erasure entry %llu is not under the signed root of "
               "size %llu (its inclusion proof fails)", index,
               (unsigned long long)proof->checkpoint.size);
  if (ledger_erasure_decode(proof->payload, header.payload_bytes, erasure) ||
      memcmp(erasure->target_log_id, proof->checkpoint.log_id, LEDGER_LOG_ID_BYTES))
    return say(problem, COOP_E_DECODE, "erasure entry %llu does not erase entries of its own "
               "log", index);
  return COOP_OK;
}

/* The proof as kept: header, payload, proof hashes, checkpoint. */
static void bind_proof(sqlite3_stmt *insert, const ledger_erasure_proof *proof,
                       uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES])
{
  ledger_checkpoint_encode(&proof->checkpoint, checkpoint);
  uint32_t payload_bytes = coop_get_u32le(proof->header + 4);
  sqlite3_bind_blob(insert, 1, proof->checkpoint.log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 2, (int64_t)proof->index);
  sqlite3_bind_blob(insert, 3, proof->header, LEDGER_ENTRY_HEADER_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob(insert, 4, proof->payload, (int)payload_bytes, SQLITE_STATIC);
  sqlite3_bind_blob(insert, 5, proof->proof.hashes, (int)(proof->proof.count * LEDGER_HASH_BYTES),
                    SQLITE_STATIC);
  sqlite3_bind_blob(insert, 6, checkpoint, LEDGER_CHECKPOINT_BYTES, SQLITE_STATIC);
}

/* An entry this store already holds where the proof says the erasure is:
 * the same leaf needs no proof; another leaf means the author signed two
 * histories. */
static coop_err against_held(ledger_store *store, const ledger_erasure_proof *proof,
                             const ledger_hash leaf, bool *held, char *problem)
{
  uint8_t stored[LEDGER_HASH_BYTES];
  coop_err err = ledger_store_leaf_hash(store, proof->checkpoint.log_id, proof->index, stored);
  *held = err == COOP_OK;
  if (err == COOP_E_NOT_FOUND)
    return COOP_OK;
  if (err)
    return say(problem, err, "cannot read entry %llu", (unsigned long long)proof->index);
  if (memcmp(stored, leaf, LEDGER_HASH_BYTES))
    return say(problem, COOP_E_FORK, "erasure entry %llu differs from the entry held at that "
               "index, both signed by the log's author: the log forked",
               (unsigned long long)proof->index);
  return COOP_OK;
}

coop_err ledger_store_keep_erasure_proof(ledger_store *store, const ledger_erasure_proof *proof,
                                         uint64_t now_ms, char problem[256])
{
  problem[0] = 0;
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  if (!erasure)
    return say(problem, COOP_E_NOMEM, "out of memory");
  ledger_hash leaf;
  coop_err err = proof_check(proof, erasure, leaf, problem);
  coop_free(erasure);
  if (err)
    return err;
  err = ledger_store_check_checkpoint(store, &proof->checkpoint, now_ms);
  if (err == COOP_E_FORK)
    return say(problem, err, "the checkpoint proving erasure entry %llu contradicts one already "
               "held: the log forked (evidence kept)", (unsigned long long)proof->index);
  if (err)
    return say(problem, err, "cannot check the checkpoint: %s", coop_err_message(err));
  bool held = false;
  err = against_held(store, proof, leaf, &held, problem);
  if (err || held)
    return err;
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT OR IGNORE INTO erasure_proofs (log_id, idx, header, payload, proof,"
             " checkpoint) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert)
    return say(problem, COOP_E_DB, "cannot keep the proof: %s", sqlite3_errmsg(store->db));
  uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES];
  bind_proof(insert, proof, checkpoint);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  if (step != SQLITE_DONE) {
    store_note_failure(store);
    return say(problem, COOP_E_DB, "cannot keep the proof: %s", sqlite3_errmsg(store->db));
  }
  return COOP_OK;
}

/* ---- Reading kept proofs ---------------------------------------------------- */

/* A kept proof that verified, its erasure and its leaf hash. */
typedef coop_err (*kept_visitor)(void *context, const ledger_erasure_proof *proof,
                                 const ledger_erasure *erasure, const ledger_hash leaf);

/* One row as a proof; false when it does not even have the shape of one. */
static bool row_proof(sqlite3_stmt *row, ledger_erasure_proof *proof)
{
  int proof_bytes = sqlite3_column_bytes(row, 3);
  proof->index = (uint64_t)sqlite3_column_int64(row, 0);
  proof->header = sqlite3_column_blob(row, 1);
  proof->payload = sqlite3_column_blob(row, 2);
  if (sqlite3_column_bytes(row, 1) != LEDGER_ENTRY_HEADER_BYTES || !proof->payload ||
      (uint32_t)sqlite3_column_bytes(row, 2) != coop_get_u32le(proof->header + 4) ||
      proof_bytes % LEDGER_HASH_BYTES ||
      proof_bytes / LEDGER_HASH_BYTES > COOP_PROOF_HASHES_MAX)
    return false;
  proof->proof.count = (unsigned)(proof_bytes / LEDGER_HASH_BYTES);
  if (proof_bytes)
    memcpy(proof->proof.hashes, sqlite3_column_blob(row, 3), (size_t)proof_bytes);
  return ledger_checkpoint_decode(sqlite3_column_blob(row, 4),
                                  (size_t)sqlite3_column_bytes(row, 4),
                                  &proof->checkpoint) == COOP_OK;
}

/* Visits the kept proofs of one log with from <= idx < until that still
 * verify, in index order. */
static coop_err each_kept(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                          uint64_t from, uint64_t until, kept_visitor visit, void *context)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT idx, header, payload, proof, checkpoint FROM erasure_proofs"
             " WHERE log_id = ?1 AND idx >= ?2 AND idx < ?3 ORDER BY idx");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(select, 2, (int64_t)from);
  sqlite3_bind_int64(select, 3, until > INT64_MAX ? INT64_MAX : (int64_t)until);
  ledger_erasure_proof *proof = coop_malloc(sizeof *proof);
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  coop_err err = proof && erasure ? COOP_OK : COOP_E_NOMEM;
  int step = SQLITE_DONE;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    ledger_hash leaf;
    if (row_proof(select, proof) &&
        !memcmp(proof->checkpoint.log_id, log_id, LEDGER_LOG_ID_BYTES) &&
        proof_check(proof, erasure, leaf, NULL) == COOP_OK)
      err = visit(context, proof, erasure, leaf);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  coop_free(proof);
  coop_free(erasure);
  return err;
}

typedef struct cover_context {
  int64_t log_no;
  store_erasures *out;
} cover_context;

static coop_err add_kept(void *context, const ledger_erasure_proof *proof,
                         const ledger_erasure *erasure, const ledger_hash leaf)
{
  (void)leaf;
  cover_context *cover = context;
  return store_erasures_add(cover->out, erasure, cover->log_no, proof->index);
}

coop_err store_proofs_load(ledger_store *store, int64_t log_no,
                           const uint8_t log_id[LEDGER_LOG_ID_BYTES], store_erasures *out)
{
  cover_context cover = {.log_no = log_no, .out = out};
  return each_kept(store, log_id, 0, UINT64_MAX, add_kept, &cover);
}

/* ---- Settling: the erasure entry itself arrived ------------------------------ */

typedef struct settle_context {
  ledger_store *store;
  char *problem;
} settle_context;

static coop_err settle_one(void *context, const ledger_erasure_proof *proof,
                           const ledger_erasure *erasure, const ledger_hash leaf)
{
  (void)erasure;
  settle_context *settle = context;
  bool held = false;
  return against_held(settle->store, proof, leaf, &held, settle->problem);
}

coop_err store_proofs_settle(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                             uint64_t size, char *problem)
{
  settle_context settle = {.store = store, .problem = problem};
  coop_err err = each_kept(store, log_id, 0, size, settle_one, &settle);
  if (err)
    return err;
  sqlite3_stmt *drop = ledger_store_cached(
      store, "DELETE FROM erasure_proofs WHERE log_id = ?1 AND idx < ?2");
  if (!drop)
    return COOP_E_DB;
  sqlite3_bind_blob(drop, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(drop, 2, (int64_t)size);
  int step = sqlite3_step(drop);
  sqlite3_reset(drop);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

/* ---- Sending: the proofs a batch needs --------------------------------------- */

typedef struct prove_context {
  ledger_erasure_proof_visitor visit;
  void *context;
} prove_context;

static coop_err pass_kept(void *context, const ledger_erasure_proof *proof,
                          const ledger_erasure *erasure, const ledger_hash leaf)
{
  (void)erasure;
  (void)leaf;
  prove_context *prove = context;
  return prove->visit(prove->context, proof);
}

/* The proof of erasure entry `index`, which this store holds, under its
 * latest checkpoint. */
static coop_err prove_held(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           uint64_t index, ledger_erasure_proof_visitor visit, void *context)
{
  ledger_erasure_proof *proof = coop_malloc(sizeof *proof);
  uint8_t *bytes = coop_malloc(LEDGER_ENTRY_HEADER_BYTES + COOP_PAYLOAD_BYTES_MAX);
  coop_err err = proof && bytes ? COOP_OK : COOP_E_NOMEM;
  size_t payload_bytes = 0;
  uint8_t leaf[LEDGER_HASH_BYTES];
  if (!err)
    err = ledger_store_entry(store, log_id, index, bytes, bytes + LEDGER_ENTRY_HEADER_BYTES,
                             &payload_bytes, leaf);
  if (!err)
    err = ledger_store_checkpoint_latest(store, log_id, &proof->checkpoint);
  if (!err)
    err = ledger_store_inclusion_proof(store, log_id, index, proof->checkpoint.size,
                                       &proof->proof);
  if (!err) {
    proof->index = index;
    proof->header = bytes;
    proof->payload = bytes + LEDGER_ENTRY_HEADER_BYTES;
    err = visit(context, proof);
  }
  coop_free(bytes);
  coop_free(proof);
  return err;
}

/* Which erasures the receiver of entries [first, end) lacks: by the log's
 * author, covering an entry sent without its payload, at or after `end`. */
static void needed(int64_t log_no, const store_erasures *erasures,
                   const ledger_ingest_entry *entries, size_t count, uint64_t end, bool *need)
{
  for (size_t i = 0; i < count; i++) {
    ledger_entry_header header;
    if (entries[i].payload ||
        ledger_entry_header_decode(entries[i].header, LEDGER_ENTRY_HEADER_BYTES, &header))
      continue;
    const store_erasure *by = store_erasures_cover(erasures, &header);
    if (by && by->by_log_no == log_no && by->by_index >= end)
      need[by - erasures->items] = true;
  }
}

coop_err ledger_store_erasure_proofs(ledger_store *store,
                                     const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                     uint64_t first_index, const ledger_ingest_entry *entries,
                                     size_t count, ledger_erasure_proof_visitor visit,
                                     void *context)
{
  bool any_erased = false;
  for (size_t i = 0; i < count; i++)
    any_erased |= !entries[i].payload;
  int64_t log_no = 0;
  coop_err err = any_erased ? store_held_log_no(store, log_id, &log_no) : COOP_OK;
  if (err || !log_no)
    return err;
  store_erasures erasures;
  err = store_erasures_load(store, log_no, log_id, &erasures);
  if (err)
    return err;
  bool *need = erasures.count ? coop_calloc(erasures.count, sizeof *need) : NULL;
  if (erasures.count && !need)
    err = COOP_E_NOMEM;
  if (!err)
    needed(log_no, &erasures, entries, count, first_index + count, need);
  uint64_t held = 0;
  if (!err)
    err = store_size_by_no(store, log_no, &held);
  prove_context prove = {.visit = visit, .context = context};
  for (size_t i = 0; i < erasures.count && !err; i++) {
    uint64_t index = erasures.items[i].by_index;
    if (!need[i])
      continue;
    /* Held: proven under the latest checkpoint.  Not held yet (this node
     * is itself catching up): the proof it was given travels on. */
    err = index < held ? prove_held(store, log_id, index, visit, context)
                       : each_kept(store, log_id, index, index + 1, pass_kept, &prove);
  }
  coop_free(need);
  store_erasures_free(&erasures);
  return err;
}
