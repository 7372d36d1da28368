/* Taking in another node's log entries: verify everything, then store all or
 * nothing.  The same path serves bundle files and (later) network sync. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/limits.h"
#include "ledger/log/seal.h"
#include "ledger/store/store_int.h"

typedef struct ingest {
  ledger_store *store;
  const ledger_checkpoint *checkpoint;
  int64_t log_no;
  uint64_t stored_size;
  ledger_frontier frontier;
  uint64_t previous_timestamp_ms;
  uint64_t now_ms;
  char *problem;
} ingest;

static coop_err fail(ingest *state, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static coop_err fail(ingest *state, coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(state->problem, 256, format, args);
  va_end(args);
  return err;
}

static coop_err stored_leaf(ingest *state, uint64_t index, ledger_hash leaf)
{
  store_node_context context = {state->store, state->log_no};
  return store_node(&context, 0, index, leaf);
}

static coop_err previous_timestamp(ingest *state)
{
  state->previous_timestamp_ms = 0;
  if (state->frontier.size == 0)
    return COOP_OK;
  sqlite3_stmt *select = store_statement(state->store, STATEMENT_ENTRY_SELECT);
  sqlite3_bind_int64(select, 1, state->log_no);
  sqlite3_bind_int64(select, 2, (int64_t)(state->frontier.size - 1));
  ledger_entry_header header;
  coop_err err = COOP_E_TAMPERED;
  if (sqlite3_step(select) == SQLITE_ROW &&
      ledger_entry_header_decode(sqlite3_column_blob(select, 0),
                                 (size_t)sqlite3_column_bytes(select, 0), &header) == COOP_OK) {
    state->previous_timestamp_ms = header.timestamp_ms;
    err = COOP_OK;
  }
  sqlite3_reset(select);
  return err;
}

static coop_err check_header(ingest *state, uint64_t index, const uint8_t *header_bytes,
                             ledger_entry_header *header)
{
  coop_err err = ledger_entry_header_decode(header_bytes, LEDGER_ENTRY_HEADER_BYTES, header);
  if (err)
    return fail(state, COOP_E_DECODE, "entry %llu: header does not decode: %s",
                (unsigned long long)index, coop_err_message(err));
  if (header->index != index)
    return fail(state, COOP_E_DECODE, "entry %llu: header says index %llu",
                (unsigned long long)index, (unsigned long long)header->index);
  if (memcmp(header->log_id, state->checkpoint->log_id, LEDGER_LOG_ID_BYTES))
    return fail(state, COOP_E_DECODE, "entry %llu: header names another log",
                (unsigned long long)index);
  if (header->timestamp_ms < state->previous_timestamp_ms)
    return fail(state, COOP_E_DECODE, "entry %llu: timestamp goes backwards",
                (unsigned long long)index);
  state->previous_timestamp_ms = header->timestamp_ms;
  return COOP_OK;
}

/* A log that does not start with its author's identity is refused before
 * anything is stored or relayed: every reader takes the role from there. */
static coop_err check_entry_zero(ingest *state, const ledger_entry_header *header,
                                 const uint8_t *payload)
{
  char why[160];
  if (store_check_entry_zero(header, payload ? payload : (const uint8_t *)"",
                             payload ? header->payload_bytes : 0, why, sizeof why))
    return fail(state, COOP_E_DECODE, "%s", why);
  return COOP_OK;
}

static coop_err index_grant(ingest *state, uint64_t index, const uint8_t *payload,
                            size_t payload_bytes)
{
  ledger_key_grant grant;
  /* A malformed grant is the author's problem, signed into its log: it is
   * kept (the log must stay complete) but indexes nothing. */
  if (ledger_key_grant_decode(payload, payload_bytes, &grant) != COOP_OK)
    return COOP_OK;
  sqlite3_stmt *insert = store_statement(state->store, STATEMENT_GRANT_INSERT);
  sqlite3_bind_blob(insert, 1, grant.audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 2, grant.reader, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 3, state->log_no);
  sqlite3_bind_int64(insert, 4, (int64_t)index);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

static coop_err insert_row(ingest *state, const uint8_t *header_bytes,
                           const ledger_entry_header *header, const uint8_t *payload,
                           const ledger_hash payload_hash, const ledger_hash leaf)
{
  ledger_hash completed[COOP_TREE_HEIGHT_MAX];
  unsigned completed_count = 0;
  coop_err err = ledger_frontier_append(&state->frontier, leaf, completed, &completed_count);
  if (err)
    return fail(state, err, "the log is longer than the limit");
  /* A NULL payload (erased) is checked in check_erasures. */
  if (store_insert_entry_row(state->store, state->log_no, header_bytes, header, payload,
                             payload_hash, leaf, completed, completed_count))
    return fail(state, COOP_E_DB, "cannot store entry %llu: %s",
                (unsigned long long)header->index, sqlite3_errmsg(state->store->db));
  if (payload && header->kind == LEDGER_KIND_KEY_GRANT && ledger_entry_is_public(header))
    return index_grant(state, header->index, payload, header->payload_bytes);
  return COOP_OK;
}

/* Phase 4b: an erasure entry proven ahead (store_proof.c) has arrived in
 * its place: it must be the one proven, and the proof has done its work. */
static coop_err settle_proofs(ingest *state, uint64_t size)
{
  coop_err err = store_proofs_settle(state->store, state->checkpoint->log_id, size,
                                     state->problem);
  if (err && !state->problem[0])
    return fail(state, err, "cannot settle the erasures proven ahead");
  return err;
}

/* Phase 5: the author's erasures in the new entries take effect in this
 * copy (a node that received an erasure never serves those payloads again),
 * and every entry that came without its payload must be covered by one. */
static coop_err apply_erasures(ingest *state, uint64_t first_index,
                               const ledger_ingest_entry *entries, size_t count)
{
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  if (!erasure)
    return fail(state, COOP_E_NOMEM, "out of memory");
  coop_err err = COOP_OK;
  for (size_t i = 0; i < count && !err; i++) {
    ledger_entry_header header;
    if (!entries[i].payload ||
        ledger_entry_header_decode(entries[i].header, LEDGER_ENTRY_HEADER_BYTES, &header) ||
        header.kind != LEDGER_KIND_ERASURE || !ledger_entry_is_public(&header) ||
        ledger_erasure_decode(entries[i].payload, header.payload_bytes, erasure) ||
        memcmp(erasure->target_log_id, state->checkpoint->log_id, LEDGER_LOG_ID_BYTES))
      continue;
    err = store_erasure_apply(state->store, erasure);
    if (err)
      fail(state, err, "cannot apply the erasure at entry %llu",
           (unsigned long long)(first_index + i));
  }
  coop_free(erasure);
  return err;
}

typedef struct store_deferred_erased {
  int64_t log_no;
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  ledger_entry_header header;
} store_deferred_erased;

/* An entry without its payload stands only where an erasure by the log's
 * own author covers it; an erasure itself is never erased. */
static bool erased_by_author(const store_erasures *erasures, const ledger_entry_header *header,
                             int64_t log_no)
{
  const store_erasure *by = store_erasures_cover(erasures, header);
  return by && by->by_log_no == log_no && header->kind != LEDGER_KIND_ERASURE;
}

static coop_err defer_erased(ingest *state, const ledger_entry_header *header)
{
  ledger_store *store = state->store;
  if (store->deferred_count == store->deferred_capacity) {
    size_t capacity = store->deferred_capacity ? 2 * store->deferred_capacity : 64;
    store_deferred_erased *grown = coop_realloc(store->deferred, capacity * sizeof *grown);
    if (!grown)
      return fail(state, COOP_E_NOMEM, "out of memory");
    store->deferred = grown;
    store->deferred_capacity = capacity;
  }
  store_deferred_erased *item = &store->deferred[store->deferred_count++];
  item->log_no = state->log_no;
  memcpy(item->log_id, state->checkpoint->log_id, LEDGER_LOG_ID_BYTES);
  item->header = *header;
  return COOP_OK;
}

static coop_err check_erased(ingest *state, uint64_t first_index,
                             const ledger_ingest_entry *entries, size_t count)
{
  store_erasures erasures = {0};
  coop_err err = COOP_OK;
  for (size_t i = 0; i < count && !err; i++) {
    if (entries[i].payload || first_index + i < state->stored_size)
      continue;
    ledger_entry_header header;
    err = ledger_entry_header_decode(entries[i].header, LEDGER_ENTRY_HEADER_BYTES, &header);
    if (!err && !erasures.loaded)
      err = store_erasures_load(state->store, state->log_no, state->checkpoint->log_id,
                                &erasures);
    if (err || erased_by_author(&erasures, &header, state->log_no))
      continue;
    if (state->store->deferring_erased && header.kind != LEDGER_KIND_ERASURE)
      err = defer_erased(state, &header);
    else
      err = fail(state, COOP_E_PAYLOAD_MISSING, "entry %llu came without its payload and no "
                 "erasure by the log's author covers it", (unsigned long long)header.index);
  }
  store_erasures_free(&erasures);
  return err;
}

void ledger_store_erased_check_defer(ledger_store *store)
{
  store->deferring_erased = true;
  store->deferred_count = 0;
}

coop_err ledger_store_erased_check_end(ledger_store *store, char problem[256])
{
  coop_err err = COOP_OK;
  store_erasures erasures = {0};
  int64_t loaded_for = 0;
  for (size_t i = 0; i < store->deferred_count && !err; i++) {
    const store_deferred_erased *item = &store->deferred[i];
    if (loaded_for != item->log_no) {
      store_erasures_free(&erasures);
      err = store_erasures_load(store, item->log_no, item->log_id, &erasures);
      loaded_for = item->log_no;
    }
    if (!err && !erased_by_author(&erasures, &item->header, item->log_no)) {
      snprintf(problem, 256, "entry %llu came without its payload and no erasure by the log's "
               "author covers it", (unsigned long long)item->header.index);
      err = COOP_E_PAYLOAD_MISSING;
    }
  }
  store_erasures_free(&erasures);
  coop_free(store->deferred);
  store->deferred = NULL;
  store->deferred_count = store->deferred_capacity = 0;
  store->deferring_erased = false;
  return err;
}

static coop_err store_checkpoint_if_new(ingest *state)
{
  ledger_checkpoint existing;
  coop_err err =
      store_checkpoint_query(state->store, state->log_no, 0, state->checkpoint->size, &existing);
  if (err == COOP_OK)
    return COOP_OK; /* same size and (checked before) same root */
  if (err != COOP_E_NOT_FOUND)
    return err;
  return store_insert_checkpoint(state->store, state->log_no, state->checkpoint);
}

/* Phase 1: every header checked and every leaf computed, nothing written. */
static coop_err compute_leaves(ingest *state, uint64_t first_index,
                               const ledger_ingest_entry *entries, size_t count,
                               ledger_hash *leaves, ledger_hash *payload_hashes)
{
  for (size_t i = 0; i < count; i++) {
    ledger_entry_header header;
    coop_err err = check_header(state, first_index + i, entries[i].header, &header);
    if (!err && first_index + i == 0)
      err = check_entry_zero(state, &header, entries[i].payload);
    if (err)
      return err;
    if (entries[i].payload)
      ledger_payload_hash(entries[i].payload, header.payload_bytes, payload_hashes[i]);
    else if (entries[i].payload_hash && first_index + i > 0)
      memcpy(payload_hashes[i], entries[i].payload_hash, LEDGER_HASH_BYTES);
    else
      return fail(state, COOP_E_DECODE, "entry %llu came without its payload",
                  (unsigned long long)(first_index + i));
    ledger_leaf_hash(entries[i].header, payload_hashes[i], leaves[i]);
  }
  return COOP_OK;
}

/* Phase 2: the stored prefix extended by the leaves must give the signed root. */
static coop_err check_root(ingest *state, uint64_t first_index, const ledger_hash *leaves,
                           size_t count)
{
  for (size_t i = 0; i < count; i++) {
    ledger_hash completed[COOP_TREE_HEIGHT_MAX];
    unsigned completed_count = 0;
    if (ledger_frontier_append(&state->frontier, leaves[i], completed, &completed_count))
      return fail(state, COOP_E_LIMIT, "the log is longer than the limit");
  }
  ledger_hash root;
  ledger_frontier_root(&state->frontier, root);
  if (sodium_memcmp(root, state->checkpoint->root, LEDGER_HASH_BYTES))
    return fail(state, COOP_E_BAD_PROOF, "entries %llu..%llu do not match the signed checkpoint "
                "at size %llu (damaged or forged on the way)", (unsigned long long)first_index,
                (unsigned long long)(first_index + count - (count ? 1 : 0)),
                (unsigned long long)(first_index + count));
  return COOP_OK;
}

/* Phase 3: authentic entries the store already holds must be the ones it
 * holds; if not, the author signed two histories. */
static coop_err check_held(ingest *state, uint64_t first_index, const ledger_hash *leaves,
                           size_t count, ledger_fork_evidence *fork)
{
  for (size_t i = 0; i < count && first_index + i < state->stored_size; i++) {
    ledger_hash stored;
    coop_err err = stored_leaf(state, first_index + i, stored);
    if (err)
      return fail(state, err, "cannot read stored entry %llu",
                  (unsigned long long)(first_index + i));
    if (!memcmp(stored, leaves[i], LEDGER_HASH_BYTES))
      continue;
    ledger_fork_evidence evidence = {.second = *state->checkpoint, .found_ms = state->now_ms};
    err = store_checkpoint_query(state->store, state->log_no, 1, 0, &evidence.first);
    if (!err)
      err = ledger_store_record_fork(state->store, &evidence);
    if (!err && fork)
      *fork = evidence;
    return fail(state, err ? err : COOP_E_FORK,
                "entry %llu differs from the one already held, under a valid signature: the "
                "log forked (evidence kept)", (unsigned long long)(first_index + i));
  }
  return COOP_OK;
}

/* Phase 4: the new entries, with the tree nodes they complete. */
static coop_err store_new(ingest *state, uint64_t first_index,
                          const ledger_ingest_entry *entries, size_t count,
                          const ledger_hash *leaves, const ledger_hash *payload_hashes)
{
  uint64_t start = first_index > state->stored_size ? first_index : state->stored_size;
  coop_err err = store_load_frontier(state->store, state->log_no, start, &state->frontier);
  if (err)
    return fail(state, err, "cannot read the stored log");
  for (uint64_t index = start; index < first_index + count && !err; index++) {
    size_t i = (size_t)(index - first_index);
    ledger_entry_header header;
    err = ledger_entry_header_decode(entries[i].header, LEDGER_ENTRY_HEADER_BYTES, &header);
    if (!err)
      err = insert_row(state, entries[i].header, &header, entries[i].payload,
                       payload_hashes[i], leaves[i]);
  }
  return err;
}

static coop_err ingest_entries(ingest *state, uint64_t first_index,
                               const ledger_ingest_entry *entries, size_t count,
                               ledger_fork_evidence *fork)
{
  coop_err err = store_size_by_no(state->store, state->log_no, &state->stored_size);
  if (!err && first_index > state->stored_size)
    return fail(state, COOP_E_RANGE,
                "entries start at %llu but this node holds only %llu of that log: "
                "export from %llu", (unsigned long long)first_index,
                (unsigned long long)state->stored_size, (unsigned long long)state->stored_size);
  if (!err)
    err = store_load_frontier(state->store, state->log_no, first_index, &state->frontier);
  if (!err)
    err = previous_timestamp(state);
  if (err)
    return state->problem[0] ? err : fail(state, err, "cannot read the stored log");
  ledger_hash *hashes = count ? coop_malloc(count * 2 * sizeof *hashes) : NULL;
  if (count && !hashes)
    return fail(state, COOP_E_NOMEM, "out of memory for %zu entries", count);
  ledger_hash *leaves = hashes, *payload_hashes = hashes ? hashes + count : NULL;
  err = compute_leaves(state, first_index, entries, count, leaves, payload_hashes);
  if (!err)
    err = check_root(state, first_index, leaves, count);
  if (!err)
    err = check_held(state, first_index, leaves, count, fork);
  if (!err)
    err = store_new(state, first_index, entries, count, leaves, payload_hashes);
  if (!err)
    err = settle_proofs(state, first_index + count);
  if (!err)
    err = apply_erasures(state, first_index, entries, count);
  if (!err)
    err = check_erased(state, first_index, entries, count);
  coop_free(hashes);
  return err ? err : store_checkpoint_if_new(state);
}

coop_err ledger_store_record_fork(ledger_store *store, const ledger_fork_evidence *evidence)
{
  if (ledger_checkpoint_verify(&evidence->first) || ledger_checkpoint_verify(&evidence->second) ||
      memcmp(evidence->first.log_id, evidence->second.log_id, LEDGER_LOG_ID_BYTES))
    return COOP_E_BAD_SIGNATURE;
  int64_t log_no;
  coop_err err = store_log_no(store, evidence->first.log_id, 1, &log_no);
  if (err)
    return err;
  uint8_t first[LEDGER_CHECKPOINT_BYTES], second[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(&evidence->first, first);
  ledger_checkpoint_encode(&evidence->second, second);
  sqlite3_stmt *insert = store_statement(store, STATEMENT_FORK_INSERT);
  sqlite3_bind_int64(insert, 1, log_no);
  sqlite3_bind_blob(insert, 2, first, sizeof first, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 3, second, sizeof second, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 4, (int64_t)evidence->found_ms);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err ledger_store_ingest(ledger_store *store, const ledger_checkpoint *checkpoint,
                             uint64_t first_index, const ledger_ingest_entry *entries,
                             size_t count, uint64_t now_ms, uint64_t *added,
                             ledger_fork_evidence *fork, char problem[256])
{
  ingest state = {.store = store, .checkpoint = checkpoint, .problem = problem,
                  .now_ms = now_ms};
  problem[0] = 0;
  *added = 0;
  if (checkpoint->size != first_index + count || count > COOP_BATCH_ENTRIES_MAX * 100u)
    return fail(&state, COOP_E_RANGE, "the checkpoint (size %llu) does not cover entries "
                "%llu..%llu exactly", (unsigned long long)checkpoint->size,
                (unsigned long long)first_index, (unsigned long long)(first_index + count));
  /* The signature first: unsigned data is not even looked at. */
  if (ledger_checkpoint_verify(checkpoint))
    return fail(&state, COOP_E_BAD_SIGNATURE, "the checkpoint at size %llu has a bad signature",
                (unsigned long long)checkpoint->size);
  coop_err err = ledger_store_check_checkpoint(store, checkpoint, now_ms);
  if (err == COOP_E_FORK)
    return fail(&state, err, "the checkpoint at size %llu contradicts one already held: the log "
                "forked (evidence kept; see fork evidence)", (unsigned long long)checkpoint->size);
  if (err)
    return fail(&state, err, "cannot check the checkpoint: %s", coop_err_message(err));
  int own_transaction = sqlite3_get_autocommit(store->db);
  if (own_transaction && ledger_store_exec(store, "BEGIN IMMEDIATE"))
    return fail(&state, COOP_E_DB, "cannot start a transaction: %s", sqlite3_errmsg(store->db));
  uint64_t before = 0;
  err = store_log_no(store, checkpoint->log_id, 1, &state.log_no);
  if (!err)
    err = store_size_by_no(store, state.log_no, &before);
  if (!err)
    err = ingest_entries(&state, first_index, entries, count, fork);
  if (!err && own_transaction)
    err = ledger_store_exec(store, "COMMIT");
  if (err) {
    if (own_transaction)
      (void)ledger_store_exec(store, "ROLLBACK");
    store->frontier_valid = 0;
    if (!problem[0])
      fail(&state, err, "%s", coop_err_message(err));
    return err;
  }
  *added = first_index + count > before ? first_index + count - before : 0;
  return COOP_OK;
}
