/* Reading the store back: walking entries, full verification, checkpoint
 * checks and fork evidence. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/base/limits.h"
#include "ledger/store/store_int.h"

coop_err ledger_store_set_problem(ledger_store *store, coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(store->problem, sizeof store->problem, format, args);
  va_end(args);
  return err;
}

const char *ledger_store_problem(const ledger_store *store)
{
  return store->problem;
}

/* A stored payload of SQL NULL that no erasure covers: damage (a database
 * edited outside coop), refused by name rather than skipped, which would
 * silently drop its amounts. */
static coop_err payload_missing(ledger_store *store, const uint8_t *log_id, uint64_t index)
{
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(log_id, fingerprint);
  return ledger_store_set_problem(store, COOP_E_PAYLOAD_MISSING,
                       "entry %llu of log %s has no payload and no erasure by its author covers "
                       "it (the database was changed outside coop)",
                       (unsigned long long)index, fingerprint);
}

/* Whether a missing payload is an authorised erasure; loads the log's
 * erasures the first time one is met. */
static coop_err missing_is_erased(ledger_store *store, int64_t log_no, const uint8_t *log_id,
                                  const ledger_entry_header *header, store_erasures *erasures)
{
  if (!erasures->loaded) {
    coop_err err = store_erasures_load(store, log_no, log_id, erasures);
    if (err)
      return err;
  }
  return store_erasures_cover(erasures, header) ? COOP_OK
                                                : payload_missing(store, log_id, header->index);
}

/* Fills a stored entry from a row of the walk below. */
static coop_err row_entry(sqlite3_stmt *row, ledger_stored_entry *entry)
{
  const uint8_t *header_bytes = sqlite3_column_blob(row, 1);
  size_t header_size = (size_t)sqlite3_column_bytes(row, 1);
  memset(entry, 0, sizeof *entry);
  if (ledger_entry_header_decode(header_bytes, header_size, &entry->header) != COOP_OK)
    return COOP_E_TAMPERED;
  entry->header_bytes = header_bytes;
  entry->erased = sqlite3_column_type(row, 2) == SQLITE_NULL;
  entry->payload_bytes = (size_t)sqlite3_column_bytes(row, 2);
  entry->payload = entry->payload_bytes ? sqlite3_column_blob(row, 2) : (const uint8_t *)"";
  if (sqlite3_column_bytes(row, 3) != LEDGER_HASH_BYTES ||
      sqlite3_column_bytes(row, 4) != LEDGER_HASH_BYTES)
    return COOP_E_TAMPERED;
  entry->payload_hash = sqlite3_column_blob(row, 3);
  entry->leaf_hash = sqlite3_column_blob(row, 4);
  return COOP_OK;
}

coop_err ledger_store_entries(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              uint64_t from, ledger_entry_visitor visitor, void *context)
{
  int64_t log_no;
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  /* A walk may run while the visitor uses other statements, so it gets a
   * statement of its own rather than the shared cached one. */
  sqlite3_stmt *walk = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT entry_key - ?1 * " ENTRY_KEY_LOG_FACTOR ", header, payload,"
                         " payload_hash, leaf_hash FROM entries"
                         " WHERE entry_key >= ?1 * " ENTRY_KEY_LOG_FACTOR " + ?2"
                         " AND entry_key < (?1 + 1) * " ENTRY_KEY_LOG_FACTOR
                         " ORDER BY entry_key",
                         -1, &walk, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(walk, 1, log_no);
  sqlite3_bind_int64(walk, 2, from > INT64_MAX ? INT64_MAX : (int64_t)from);
  int step;
  store_erasures erasures = {0};
  while (!err && (step = sqlite3_step(walk)) == SQLITE_ROW) {
    ledger_stored_entry entry;
    err = row_entry(walk, &entry);
    if (!err && entry.erased)
      err = missing_is_erased(store, log_no, log_id, &entry.header, &erasures);
    if (!err)
      err = visitor(context, &entry);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(walk);
  store_erasures_free(&erasures);
  return err;
}

/* ledger_store_entry's answer for a row without its payload: COOP_E_ERASED
 * with header and leaf hash when an erasure covers it, else damage. */
static coop_err erased_entry(ledger_store *store, int64_t log_no, const uint8_t *log_id,
                             sqlite3_stmt *row, uint8_t *header_bytes, uint8_t *leaf_hash)
{
  ledger_entry_header header;
  if (sqlite3_column_bytes(row, 0) != LEDGER_ENTRY_HEADER_BYTES ||
      sqlite3_column_bytes(row, 3) != LEDGER_HASH_BYTES ||
      ledger_entry_header_decode(sqlite3_column_blob(row, 0), LEDGER_ENTRY_HEADER_BYTES, &header))
    return COOP_E_TAMPERED;
  store_erasures erasures = {0};
  coop_err err = missing_is_erased(store, log_no, log_id, &header, &erasures);
  store_erasures_free(&erasures);
  if (err)
    return err;
  memcpy(header_bytes, sqlite3_column_blob(row, 0), LEDGER_ENTRY_HEADER_BYTES);
  memcpy(leaf_hash, sqlite3_column_blob(row, 3), LEDGER_HASH_BYTES);
  return COOP_E_ERASED;
}

coop_err ledger_store_entry(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                            uint64_t index, uint8_t *header_bytes, uint8_t *payload,
                            size_t *payload_bytes, uint8_t *leaf_hash)
{
  int64_t log_no;
  coop_err err = store_log_no(store, log_id, 0, &log_no);
  if (err)
    return err;
  sqlite3_stmt *select = store_statement(store, STATEMENT_ENTRY_SELECT);
  sqlite3_bind_int64(select, 1, log_no);
  sqlite3_bind_int64(select, 2, index > INT64_MAX ? INT64_MAX : (int64_t)index);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW && sqlite3_column_type(select, 1) == SQLITE_NULL) {
    err = erased_entry(store, log_no, log_id, select, header_bytes, leaf_hash);
  } else if (step == SQLITE_ROW) {
    size_t header_size = (size_t)sqlite3_column_bytes(select, 0);
    size_t stored_payload = (size_t)sqlite3_column_bytes(select, 1);
    if (header_size != LEDGER_ENTRY_HEADER_BYTES || stored_payload > COOP_PAYLOAD_BYTES_MAX ||
        sqlite3_column_bytes(select, 3) != LEDGER_HASH_BYTES) {
      err = COOP_E_TAMPERED;
    } else {
      memcpy(header_bytes, sqlite3_column_blob(select, 0), LEDGER_ENTRY_HEADER_BYTES);
      if (stored_payload)
        memcpy(payload, sqlite3_column_blob(select, 1), stored_payload);
      *payload_bytes = stored_payload;
      memcpy(leaf_hash, sqlite3_column_blob(select, 3), LEDGER_HASH_BYTES);
    }
  } else {
    err = step == SQLITE_DONE ? COOP_E_NOT_FOUND : COOP_E_DB;
  }
  sqlite3_reset(select);
  return err;
}

coop_err store_check_entry_zero(const ledger_entry_header *header, const uint8_t *payload,
                                size_t payload_bytes, char *why, size_t why_bytes)
{
  ledger_identity_payload identity;
  if (header->kind != LEDGER_KIND_IDENTITY) {
    snprintf(why, why_bytes, "entry 0 must be the author's identity, found a %s entry",
             ledger_entry_kind_name(header->kind));
    return COOP_E_TAMPERED;
  }
  if (!ledger_entry_is_public(header)) {
    snprintf(why, why_bytes, "entry 0 (the author's identity) must be public, found it sealed");
    return COOP_E_TAMPERED;
  }
  coop_err err = ledger_identity_payload_decode(payload, payload_bytes, &identity);
  if (err == COOP_E_DECODE && payload_bytes >= 2 && !ledger_role_name(payload[1])) {
    snprintf(why, why_bytes, "entry 0 (the author's identity) names role %u, which does not "
             "exist", (unsigned)payload[1]);
    return COOP_E_TAMPERED;
  }
  if (err) {
    snprintf(why, why_bytes, "entry 0 (the author's identity) does not decode: %s",
             coop_err_message(err));
    return COOP_E_TAMPERED;
  }
  return COOP_OK;
}

/* ---- full verification ------------------------------------------------- */

typedef struct verify_walk {
  ledger_store *store;
  int64_t log_no;
  const uint8_t *log_id;
  store_erasures erasures; /* loaded at the first missing payload */
  ledger_verify_report *report;
  ledger_frontier frontier;
  uint64_t previous_timestamp_ms;
  sqlite3_stmt *checkpoints; /* all checkpoints by size, stepped alongside */
  int checkpoint_pending;    /* the statement holds an unchecked row */
} verify_walk;

static coop_err problem(verify_walk *walk, int at_index, uint64_t index, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static coop_err problem(verify_walk *walk, int at_index, uint64_t index, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(walk->report->what, sizeof walk->report->what, format, args);
  va_end(args);
  walk->report->has_index = at_index;
  walk->report->index = index;
  return COOP_E_TAMPERED;
}

static coop_err hash_mismatch(verify_walk *walk, uint64_t index, const char *what,
                              const uint8_t *expected, const uint8_t *found)
{
  char expected_hex[2 * LEDGER_HASH_BYTES + 1], found_hex[2 * LEDGER_HASH_BYTES + 1];
  ledger_hex_encode(expected, LEDGER_HASH_BYTES, expected_hex);
  ledger_hex_encode(found, LEDGER_HASH_BYTES, found_hex);
  return problem(walk, 1, index, "%s: expected %s, found %s", what, expected_hex, found_hex);
}

static coop_err check_header(verify_walk *walk, uint64_t index, const uint8_t *header_bytes,
                             size_t header_size, ledger_entry_header *header)
{
  coop_err err = ledger_entry_header_decode(header_bytes, header_size, header);
  if (err)
    return problem(walk, 1, index, "header does not decode: %s", coop_err_message(err));
  if (header->index != index)
    return problem(walk, 1, index, "header index: expected %llu, found %llu",
                   (unsigned long long)index, (unsigned long long)header->index);
  if (memcmp(header->log_id, walk->log_id, LEDGER_LOG_ID_BYTES) != 0)
    return problem(walk, 1, index, "header log id does not match the log");
  if (header->timestamp_ms < walk->previous_timestamp_ms)
    return problem(walk, 1, index, "timestamp goes backwards: %llu after %llu",
                   (unsigned long long)header->timestamp_ms,
                   (unsigned long long)walk->previous_timestamp_ms);
  walk->previous_timestamp_ms = header->timestamp_ms;
  return COOP_OK;
}

/* An erased entry: covered by an erasure, and never entry 0 (the identity
 * every reader needs) nor an erasure itself (what authorises the others). */
static coop_err check_erased(verify_walk *walk, uint64_t index, const ledger_entry_header *header)
{
  if (index == 0 || header->kind == LEDGER_KIND_ERASURE)
    return problem(walk, 1, index, "the payload is missing, and a %s entry is never erased",
                   index == 0 ? "log's first" : "erasure");
  if (!walk->erasures.loaded &&
      store_erasures_load(walk->store, walk->log_no, walk->log_id, &walk->erasures))
    return problem(walk, 1, index, "cannot read the log's erasure entries");
  store_erasure *by = store_erasures_cover(&walk->erasures, header);
  if (!by)
    return problem(walk, 1, index, "the payload is missing (%u bytes were signed) and no "
                   "erasure by the log's author covers it", (unsigned)header->payload_bytes);
  walk->report->entries_erased++;
  if (!by->covered_one)
    walk->report->erasures++;
  by->covered_one = true;
  return COOP_OK;
}

static coop_err check_payload(verify_walk *walk, uint64_t index, sqlite3_stmt *row,
                              const ledger_entry_header *header, const uint8_t *payload_hash)
{
  size_t payload_bytes = (size_t)sqlite3_column_bytes(row, 2);
  if (payload_bytes != header->payload_bytes)
    return problem(walk, 1, index, "payload length: expected %u, found %zu",
                   (unsigned)header->payload_bytes, payload_bytes);
  ledger_hash computed;
  ledger_payload_hash(sqlite3_column_blob(row, 2), payload_bytes, computed);
  if (sodium_memcmp(computed, payload_hash, LEDGER_HASH_BYTES) != 0)
    return hash_mismatch(walk, index, "payload hash", computed, payload_hash);
  if (index == 0) {
    char why[160];
    if (store_check_entry_zero(header, sqlite3_column_blob(row, 2), payload_bytes, why,
                               sizeof why))
      return problem(walk, 1, index, "%s", why);
  }
  return COOP_OK;
}

static coop_err check_leaf(verify_walk *walk, uint64_t index, sqlite3_stmt *row,
                           const uint8_t *header_bytes, const uint8_t *payload_hash,
                           const uint8_t *leaf_hash)
{
  ledger_hash leaf;
  ledger_leaf_hash(header_bytes, payload_hash, leaf);
  if (sodium_memcmp(leaf, leaf_hash, LEDGER_HASH_BYTES) != 0)
    return hash_mismatch(walk, index, "leaf hash", leaf, leaf_hash);
  ledger_hash completed[COOP_TREE_HEIGHT_MAX];
  unsigned completed_count = 0;
  if (ledger_frontier_append(&walk->frontier, leaf, completed, &completed_count))
    return problem(walk, 1, index, "log longer than the limit");
  size_t nodes_bytes = (size_t)sqlite3_column_bytes(row, 5);
  if (nodes_bytes != completed_count * LEDGER_HASH_BYTES)
    return problem(walk, 1, index, "tree nodes: expected %u hashes, found %zu bytes",
                   completed_count, nodes_bytes);
  const uint8_t *nodes = sqlite3_column_blob(row, 5);
  for (unsigned level = 0; level < completed_count; level++)
    if (sodium_memcmp(completed[level], nodes + level * LEDGER_HASH_BYTES, LEDGER_HASH_BYTES))
      return hash_mismatch(walk, index, "tree node", completed[level],
                           nodes + level * LEDGER_HASH_BYTES);
  return COOP_OK;
}

static coop_err check_hashes(verify_walk *walk, uint64_t index, sqlite3_stmt *row,
                             const uint8_t *header_bytes, const ledger_entry_header *header)
{
  if (sqlite3_column_bytes(row, 3) != LEDGER_HASH_BYTES ||
      sqlite3_column_bytes(row, 4) != LEDGER_HASH_BYTES)
    return problem(walk, 1, index, "stored hash has the wrong length");
  const uint8_t *payload_hash = sqlite3_column_blob(row, 3);
  const uint8_t *leaf_hash = sqlite3_column_blob(row, 4);
  /* A missing payload is an erasure only when a signed erasure covers it;
   * anything else is damage, and the books would silently lose amounts. */
  if (sqlite3_column_type(row, 2) == SQLITE_NULL) {
    coop_err err = check_erased(walk, index, header);
    if (err)
      return err;
  } else {
    coop_err err = check_payload(walk, index, row, header, payload_hash);
    if (err)
      return err;
  }
  return check_leaf(walk, index, row, header_bytes, payload_hash, leaf_hash);
}

static coop_err step_checkpoint(verify_walk *walk)
{
  int step = sqlite3_step(walk->checkpoints);
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    return problem(walk, 0, 0, "cannot read checkpoints: %s", sqlite3_errmsg(walk->store->db));
  walk->checkpoint_pending = step == SQLITE_ROW;
  return COOP_OK;
}

/* Checks every stored checkpoint whose size equals the tree walked so far. */
static coop_err check_checkpoints_at_size(verify_walk *walk)
{
  while (walk->checkpoint_pending &&
         (uint64_t)sqlite3_column_int64(walk->checkpoints, 0) <= walk->frontier.size) {
    uint64_t size = (uint64_t)sqlite3_column_int64(walk->checkpoints, 0);
    ledger_checkpoint checkpoint;
    if (ledger_checkpoint_decode(sqlite3_column_blob(walk->checkpoints, 1),
                                 (size_t)sqlite3_column_bytes(walk->checkpoints, 1), &checkpoint) ||
        checkpoint.size != size)
      return problem(walk, 0, 0, "checkpoint at size %llu does not decode",
                     (unsigned long long)size);
    if (size != walk->frontier.size)
      return problem(walk, 0, 0, "checkpoint at size %llu out of order", (unsigned long long)size);
    if (memcmp(checkpoint.log_id, walk->log_id, LEDGER_LOG_ID_BYTES) != 0)
      return problem(walk, 0, 0, "checkpoint at size %llu names another log",
                     (unsigned long long)size);
    if (ledger_checkpoint_verify(&checkpoint) != COOP_OK)
      return problem(walk, 0, 0, "checkpoint at size %llu: bad signature",
                     (unsigned long long)size);
    ledger_hash root;
    ledger_frontier_root(&walk->frontier, root);
    if (sodium_memcmp(root, checkpoint.root, LEDGER_HASH_BYTES) != 0) {
      char expected_hex[65], found_hex[65];
      ledger_hex_encode(root, 32, expected_hex);
      ledger_hex_encode(checkpoint.root, 32, found_hex);
      return problem(walk, 0, 0, "checkpoint at size %llu: root: expected %s, found %s",
                     (unsigned long long)size, expected_hex, found_hex);
    }
    walk->report->checkpoints_checked++;
    coop_err err = step_checkpoint(walk);
    if (err)
      return err;
  }
  return COOP_OK;
}

static coop_err verify_entries(verify_walk *walk, int64_t log_no)
{
  sqlite3_stmt *rows = store_statement(walk->store, STATEMENT_ENTRIES_FROM);
  sqlite3_bind_int64(rows, 1, log_no);
  sqlite3_bind_int64(rows, 2, 0);
  coop_err err = check_checkpoints_at_size(walk);
  uint64_t index = 0;
  int step = SQLITE_DONE;
  while (!err && (step = sqlite3_step(rows)) == SQLITE_ROW) {
    int64_t stored_index = sqlite3_column_int64(rows, 0);
    if (stored_index < 0 || (uint64_t)stored_index != index) {
      err = problem(walk, 1, index, "entry missing (next stored entry is %lld)",
                    (long long)stored_index);
      break;
    }
    ledger_entry_header header;
    const uint8_t *header_bytes = sqlite3_column_blob(rows, 1);
    err = check_header(walk, index, header_bytes, (size_t)sqlite3_column_bytes(rows, 1), &header);
    if (!err)
      err = check_hashes(walk, index, rows, header_bytes, &header);
    if (!err)
      err = check_checkpoints_at_size(walk);
    walk->report->entries_checked = ++index;
  }
  if (!err && step != SQLITE_DONE)
    err = problem(walk, 1, index, "cannot read entry: %s", sqlite3_errmsg(walk->store->db));
  sqlite3_reset(rows);
  return err;
}

coop_err ledger_store_verify(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                             ledger_verify_report *report)
{
  memset(report, 0, sizeof *report);
  verify_walk walk = {.store = store, .log_id = log_id, .report = report};
  ledger_frontier_init(&walk.frontier);
  int64_t log_no;
  /* A log the store never held is empty, and an empty log verifies; the
   * caller decides whether it expected entries (a node's own log starts with
   * its identity entry). */
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  walk.log_no = log_no;
  /* Read in one transaction so a concurrent append cannot tear the view. */
  if (ledger_store_exec(store, "BEGIN"))
    return COOP_E_DB;
  walk.checkpoints = store_statement(store, STATEMENT_CHECKPOINTS_ALL);
  sqlite3_bind_int64(walk.checkpoints, 1, log_no);
  err = step_checkpoint(&walk);
  if (!err)
    err = verify_entries(&walk, log_no);
  if (!err && walk.checkpoint_pending)
    err = problem(&walk, 0, 0, "checkpoint at size %lld is beyond the %llu stored entries",
                  (long long)sqlite3_column_int64(walk.checkpoints, 0),
                  (unsigned long long)walk.frontier.size);
  ledger_checkpoint latest;
  if (!err && walk.frontier.size > 0 &&
      (store_checkpoint_query(store, log_no, 1, 0, &latest) || latest.size != walk.frontier.size))
    err = problem(&walk, 0, 0, "entries up to %llu are not covered by a signed checkpoint",
                  (unsigned long long)walk.frontier.size);
  sqlite3_reset(walk.checkpoints);
  (void)ledger_store_exec(store, "COMMIT");
  store_erasures_free(&walk.erasures);
  return err;
}

/* ---- checkpoints from elsewhere, and fork evidence ---------------------- */

static coop_err record_fork(ledger_store *store, int64_t log_no, const ledger_checkpoint *first,
                            const ledger_checkpoint *second, uint64_t now_ms)
{
  uint8_t first_bytes[LEDGER_CHECKPOINT_BYTES], second_bytes[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(first, first_bytes);
  ledger_checkpoint_encode(second, second_bytes);
  sqlite3_stmt *insert = store_statement(store, STATEMENT_FORK_INSERT);
  sqlite3_bind_int64(insert, 1, log_no);
  sqlite3_bind_blob(insert, 2, first_bytes, sizeof first_bytes, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 3, second_bytes, sizeof second_bytes, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 4, (int64_t)now_ms);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

/* The stored checkpoint that contradicts `checkpoint`, if any: one of the
 * same size with another root, or (when the store holds that many entries)
 * the smallest stored checkpoint covering a tree whose prefix root differs. */
static coop_err find_contradiction(ledger_store *store, int64_t log_no,
                                   const ledger_checkpoint *checkpoint, ledger_checkpoint *other)
{
  coop_err err = store_checkpoint_query(store, log_no, 0, checkpoint->size, other);
  if (err == COOP_OK)
    return ledger_checkpoint_same_size_fork(other, checkpoint) ? COOP_E_FORK : COOP_OK;
  if (err != COOP_E_NOT_FOUND)
    return err;
  uint64_t stored = 0;
  err = store_size_by_no(store, log_no, &stored);
  if (err || checkpoint->size > stored)
    return err;
  ledger_hash root;
  store_node_context context = {store, log_no};
  err = ledger_merkle_root_at(store_node, &context, checkpoint->size, root);
  if (err)
    return err;
  if (sodium_memcmp(root, checkpoint->root, LEDGER_HASH_BYTES) == 0)
    return COOP_OK;
  /* Our entries are covered by our latest checkpoint, which commits to the
   * prefix whose root we just computed: that checkpoint is the other half. */
  err = store_checkpoint_query(store, log_no, 1, 0, other);
  return err ? err : COOP_E_FORK;
}

coop_err ledger_store_check_checkpoint(ledger_store *store, const ledger_checkpoint *checkpoint,
                                       uint64_t now_ms)
{
  coop_err err = ledger_checkpoint_verify(checkpoint);
  if (err)
    return err;
  int64_t log_no;
  err = store_held_log_no(store, checkpoint->log_id, &log_no);
  if (err || !log_no)
    return err;
  ledger_checkpoint other;
  err = find_contradiction(store, log_no, checkpoint, &other);
  if (err == COOP_E_FORK) {
    coop_err record_err = record_fork(store, log_no, &other, checkpoint, now_ms);
    if (record_err)
      return record_err;
  }
  return err;
}

coop_err ledger_store_forks(ledger_store *store, ledger_fork_visitor visitor, void *context)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT first, second, found_ms FROM fork_evidence ORDER BY evidence_no",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    ledger_fork_evidence evidence;
    if (ledger_checkpoint_decode(sqlite3_column_blob(select, 0),
                                 (size_t)sqlite3_column_bytes(select, 0), &evidence.first) ||
        ledger_checkpoint_decode(sqlite3_column_blob(select, 1),
                                 (size_t)sqlite3_column_bytes(select, 1), &evidence.second)) {
      err = COOP_E_TAMPERED;
      break;
    }
    evidence.found_ms = (uint64_t)sqlite3_column_int64(select, 2);
    err = visitor(context, &evidence);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_store_checkpoint_within(ledger_store *store,
                                        const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t above,
                                        uint64_t at_most, bool smallest,
                                        ledger_checkpoint *checkpoint)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db,
                         smallest ? "SELECT size, checkpoint FROM checkpoints JOIN logs USING"
                                    " (log_no) WHERE logs.log_id = ?1 AND size > ?2 AND"
                                    " size <= ?3 ORDER BY size LIMIT 1"
                                  : "SELECT size, checkpoint FROM checkpoints JOIN logs USING"
                                    " (log_no) WHERE logs.log_id = ?1 AND size > ?2 AND"
                                    " size <= ?3 ORDER BY size DESC LIMIT 1",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(select, 2, above > INT64_MAX ? INT64_MAX : (int64_t)above);
  sqlite3_bind_int64(select, 3, at_most > INT64_MAX ? INT64_MAX : (int64_t)at_most);
  coop_err err = COOP_E_NOT_FOUND;
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW)
    err = ledger_checkpoint_decode(sqlite3_column_blob(select, 1),
                                   (size_t)sqlite3_column_bytes(select, 1), checkpoint) ||
                  checkpoint->size != (uint64_t)sqlite3_column_int64(select, 0)
              ? COOP_E_TAMPERED
              : COOP_OK;
  else if (step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_store_fork_count(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                 uint64_t *count)
{
  *count = 0;
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT count(*) FROM fork_evidence JOIN logs USING (log_no)"
                         " WHERE logs.log_id = ?1",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  coop_err err = COOP_E_DB;
  if (sqlite3_step(select) == SQLITE_ROW) {
    *count = (uint64_t)sqlite3_column_int64(select, 0);
    err = COOP_OK;
  }
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_store_checkpoints(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                  uint64_t after_size, ledger_checkpoint_visitor visitor,
                                  void *context)
{
  int64_t log_no;
  coop_err err = store_held_log_no(store, log_id, &log_no);
  if (err || !log_no)
    return err;
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db,
                         "SELECT size, checkpoint FROM checkpoints WHERE log_no = ?1 AND size > ?2"
                         " ORDER BY size",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, log_no);
  sqlite3_bind_int64(select, 2, after_size > INT64_MAX ? INT64_MAX : (int64_t)after_size);
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    ledger_checkpoint checkpoint;
    if (ledger_checkpoint_decode(sqlite3_column_blob(select, 1),
                                 (size_t)sqlite3_column_bytes(select, 1), &checkpoint) ||
        checkpoint.size != (uint64_t)sqlite3_column_int64(select, 0)) {
      err = COOP_E_TAMPERED;
      break;
    }
    err = visitor(context, &checkpoint);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

typedef struct log_id_list {
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES];
  size_t count, capacity;
} log_id_list;

static coop_err add_log_id(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  log_id_list *list = context;
  coop_err err = coop_grow((void **)&list->ids, &list->capacity, list->count, sizeof *list->ids);
  if (err)
    return err;
  memcpy(list->ids[list->count++], log_id, LEDGER_LOG_ID_BYTES);
  return COOP_OK;
}

coop_err ledger_store_log_ids(ledger_store *store, uint8_t (**ids)[LEDGER_LOG_ID_BYTES],
                              size_t *count)
{
  log_id_list list = {0};
  coop_err err = ledger_store_logs(store, add_log_id, &list);
  if (err) {
    coop_free(list.ids);
    list.ids = NULL;
    list.count = 0;
  }
  *ids = list.ids;
  *count = list.count;
  return err;
}

coop_err ledger_store_logs(ledger_store *store, ledger_log_visitor visitor, void *context)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(store->db, "SELECT log_id FROM logs ORDER BY log_no", -1, &select,
                         NULL) != SQLITE_OK)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(select, 0) != LEDGER_LOG_ID_BYTES) {
      err = COOP_E_TAMPERED;
      break;
    }
    err = visitor(context, sqlite3_column_blob(select, 0));
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}
