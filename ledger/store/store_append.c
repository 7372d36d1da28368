/* Appending to the node's own log: one transaction, one checkpoint. */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/limits.h"
#include "ledger/log/seal.h"
#include "ledger/store/store_int.h"

/* State of the own log at the start of a transaction: size, frontier and last
 * timestamp, reusing the cache when nobody else appended meanwhile. */
static coop_err load_tail(ledger_store *store, int64_t log_no)
{
  uint64_t size = 0;
  coop_err err = store_size_by_no(store, log_no, &size);
  if (err)
    return err;
  if (store->frontier_valid && store->frontier_log_no == log_no && store->frontier.size == size)
    return COOP_OK;
  store->frontier_valid = 0;
  err = store_load_frontier(store, log_no, size, &store->frontier);
  if (err)
    return err;
  store->last_timestamp_ms = 0;
  if (size > 0) {
    sqlite3_stmt *select = store_statement(store, STATEMENT_ENTRY_SELECT);
    sqlite3_bind_int64(select, 1, log_no);
    sqlite3_bind_int64(select, 2, (int64_t)(size - 1));
    ledger_entry_header header;
    if (sqlite3_step(select) != SQLITE_ROW ||
        ledger_entry_header_decode(sqlite3_column_blob(select, 0),
                                   (size_t)sqlite3_column_bytes(select, 0), &header) != COOP_OK)
      err = COOP_E_TAMPERED;
    else
      store->last_timestamp_ms = header.timestamp_ms;
    sqlite3_reset(select);
  }
  store->frontier_valid = err == COOP_OK;
  store->frontier_log_no = log_no;
  return err;
}

/* An erasure appended to the own log takes effect in the same transaction:
 * with store NULL it is only decoded (checked). */
static coop_err apply_own_erasure(ledger_store *store, const ledger_append_item *item)
{
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  if (!erasure)
    return COOP_E_NOMEM;
  coop_err err = ledger_erasure_decode(item->payload, item->payload_bytes, erasure)
                     ? COOP_E_BAD_INPUT
                     : COOP_OK;
  if (!err && store)
    err = store_erasure_apply(store, erasure);
  coop_free(erasure);
  return err;
}

static coop_err item_check(const ledger_append_item *item)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  if (item->kind == 0)
    return COOP_E_BAD_INPUT;
  int sealed = item->audience_id && memcmp(item->audience_id, zero, sizeof zero) != 0;
  if (sealed && !item->audience_key)
    return COOP_E_NO_KEY;
  size_t stored_bytes = item->payload_bytes + (sealed ? LEDGER_SEAL_OVERHEAD : 0);
  if (item->payload_bytes > COOP_PAYLOAD_BYTES_MAX || stored_bytes > COOP_PAYLOAD_BYTES_MAX)
    return COOP_E_LIMIT;
  if (item->kind == LEDGER_KIND_KEY_GRANT) {
    ledger_key_grant grant;
    if (sealed || ledger_key_grant_decode(item->payload, item->payload_bytes, &grant))
      return COOP_E_BAD_INPUT;
  }
  if (item->kind == LEDGER_KIND_ERASURE)
    return sealed ? COOP_E_BAD_INPUT : apply_own_erasure(NULL, item);
  return COOP_OK;
}

static coop_err index_key_grant(ledger_store *store, int64_t log_no, uint64_t index,
                                const uint8_t *payload, size_t payload_bytes)
{
  ledger_key_grant grant;
  coop_err err = ledger_key_grant_decode(payload, payload_bytes, &grant);
  if (err)
    return err;
  sqlite3_stmt *insert = store_statement(store, STATEMENT_GRANT_INSERT);
  sqlite3_bind_blob(insert, 1, grant.audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 2, grant.reader, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 3, log_no);
  sqlite3_bind_int64(insert, 4, (int64_t)index);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

static coop_err insert_entry(ledger_store *store, int64_t log_no, const uint8_t *header_bytes,
                             const ledger_entry_header *header, const uint8_t *payload)
{
  ledger_hash payload_hash, leaf_hash;
  ledger_hash completed[COOP_TREE_HEIGHT_MAX];
  unsigned completed_count = 0;
  ledger_payload_hash(payload, header->payload_bytes, payload_hash);
  ledger_leaf_hash(header_bytes, payload_hash, leaf_hash);
  coop_err err = ledger_frontier_append(&store->frontier, leaf_hash, completed, &completed_count);
  if (err)
    return err;
  /* An empty payload is given as "": NULL would mark it erased. */
  return store_insert_entry_row(store, log_no, header_bytes, header,
                                payload ? payload : (const uint8_t *)"", payload_hash, leaf_hash,
                                completed, completed_count);
}

coop_err store_insert_entry_row(ledger_store *store, int64_t log_no, const uint8_t *header_bytes,
                                const ledger_entry_header *header, const uint8_t *payload,
                                const ledger_hash payload_hash, const ledger_hash leaf,
                                const ledger_hash *completed, unsigned completed_count)
{
  sqlite3_stmt *insert = store_statement(store, STATEMENT_ENTRY_INSERT);
  sqlite3_bind_int64(insert, 1, log_no);
  sqlite3_bind_int64(insert, 2, (int64_t)header->index);
  sqlite3_bind_blob(insert, 3, header_bytes, LEDGER_ENTRY_HEADER_BYTES, SQLITE_STATIC);
  if (payload)
    sqlite3_bind_blob(insert, 4, payload, (int)header->payload_bytes, SQLITE_STATIC);
  else
    sqlite3_bind_null(insert, 4);
  sqlite3_bind_blob(insert, 5, payload_hash, LEDGER_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob(insert, 6, leaf, LEDGER_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob(insert, 7, completed, (int)(completed_count * LEDGER_HASH_BYTES),
                    SQLITE_STATIC);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

static coop_err append_one(ledger_store *store, int64_t log_no, const uint8_t *log_id,
                           const ledger_append_item *item, uint64_t timestamp_ms)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  int sealed = item->audience_id && memcmp(item->audience_id, zero, sizeof zero) != 0;
  ledger_entry_header header = {
    .format_version = LEDGER_ENTRY_FORMAT_VERSION,
    .kind = item->kind,
    .payload_bytes = (uint32_t)(item->payload_bytes + (sealed ? LEDGER_SEAL_OVERHEAD : 0)),
    .index = store->frontier.size,
    .timestamp_ms = timestamp_ms,
  };
  memcpy(header.log_id, log_id, LEDGER_LOG_ID_BYTES);
  if (sealed)
    memcpy(header.audience_id, item->audience_id, LEDGER_AUDIENCE_ID_BYTES);
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES];
  ledger_entry_header_encode(&header, header_bytes);
  const uint8_t *payload = item->payload;
  if (sealed) {
    if (store->nonce_pool_used == 0 || store->nonce_pool_used >= sizeof store->nonce_pool) {
      randombytes_buf(store->nonce_pool, sizeof store->nonce_pool);
      store->nonce_pool_used = 0;
    }
    const uint8_t *nonce = store->nonce_pool + store->nonce_pool_used;
    ledger_seal_payload_with_nonce(item->audience_key, header_bytes, item->payload,
                                   item->payload_bytes, nonce, store->scratch);
    /* Wipe the used nonce from the pool so it can never be handed out twice. */
    sodium_memzero(store->nonce_pool + store->nonce_pool_used, LEDGER_SEAL_NONCE_BYTES);
    store->nonce_pool_used += LEDGER_SEAL_NONCE_BYTES;
    payload = store->scratch;
  }
  coop_err err = insert_entry(store, log_no, header_bytes, &header, payload);
  if (!err && item->kind == LEDGER_KIND_KEY_GRANT)
    err = index_key_grant(store, log_no, header.index, payload, header.payload_bytes);
  if (!err && item->kind == LEDGER_KIND_ERASURE)
    err = apply_own_erasure(store, item);
  return err;
}

/* Signs the tree as it now stands.  Refuses to sign a size that is already
 * signed: a second signature at one size could only be a fork. */
static coop_err sign_checkpoint(ledger_store *store, int64_t log_no, const ledger_identity *author,
                                uint64_t timestamp_ms, ledger_checkpoint *checkpoint)
{
  ledger_checkpoint latest;
  coop_err err = store_checkpoint_query(store, log_no, 1, 0, &latest);
  if (err == COOP_OK && latest.size >= store->frontier.size)
    return COOP_E_FORK;
  if (err && err != COOP_E_NOT_FOUND)
    return err;
  memset(checkpoint, 0, sizeof *checkpoint);
  memcpy(checkpoint->log_id, author->public_key, LEDGER_LOG_ID_BYTES);
  checkpoint->size = store->frontier.size;
  ledger_frontier_root(&store->frontier, checkpoint->root);
  checkpoint->timestamp_ms = timestamp_ms;
  ledger_checkpoint_sign(checkpoint, author->secret_key);
  return store_insert_checkpoint(store, log_no, checkpoint);
}

static coop_err append_batch(ledger_store *store, const ledger_identity *author,
                             const ledger_append_item *items, size_t count, uint64_t now_ms,
                             ledger_checkpoint *checkpoint)
{
  int64_t log_no;
  coop_err err = store_log_no(store, author->public_key, 1, &log_no);
  if (!err)
    err = load_tail(store, log_no);
  /* Here, inside the write lock, so a restore by another process cannot
   * slip in between the check and the append. */
  if (!err)
    err = store_check_not_restored(store);
  if (err)
    return err;
  if (store->frontier.size + count > COOP_LOG_ENTRIES_MAX)
    return COOP_E_LIMIT;
  uint64_t timestamp_ms = now_ms > store->last_timestamp_ms ? now_ms : store->last_timestamp_ms;
  for (size_t i = 0; i < count && !err; i++)
    err = append_one(store, log_no, author->public_key, &items[i], timestamp_ms);
  if (!err)
    err = sign_checkpoint(store, log_no, author, timestamp_ms, checkpoint);
  if (!err)
    store->last_timestamp_ms = timestamp_ms;
  return err;
}

coop_err ledger_store_append(ledger_store *store, const ledger_identity *author,
                             const ledger_append_item *items, size_t count, uint64_t now_ms,
                             ledger_checkpoint *checkpoint)
{
  ledger_checkpoint signed_checkpoint;
  if (count == 0)
    return COOP_E_BAD_INPUT;
  if (count > COOP_BATCH_ENTRIES_MAX)
    return COOP_E_LIMIT;
  size_t batch_bytes = 0;
  for (size_t i = 0; i < count; i++) {
    coop_err err = item_check(&items[i]);
    if (err)
      return err;
    static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
    int sealed = items[i].audience_id && memcmp(items[i].audience_id, zero, sizeof zero);
    batch_bytes += LEDGER_ENTRY_HEADER_BYTES + items[i].payload_bytes +
                   (sealed ? LEDGER_SEAL_OVERHEAD : 0);
  }
  if (count > 1 && batch_bytes > COOP_BATCH_BYTES_MAX)
    return COOP_E_LIMIT;
  /* IMMEDIATE takes the write lock now, so the size read below cannot change
   * under us when another process (the daemon, a second CLI) appends too.
   * Inside the caller's transaction the caller commits or rolls back. */
  int own_transaction = sqlite3_get_autocommit(store->db);
  coop_err err = own_transaction ? ledger_store_begin(store) : COOP_OK;
  if (err)
    return err;
  err = append_batch(store, author, items, count, now_ms, &signed_checkpoint);
  if (!err && own_transaction)
    err = ledger_store_commit(store);
  if (err) {
    if (own_transaction)
      ledger_store_rollback(store);
    else
      store_note_failure(store);
    store->frontier_valid = 0;
    return ledger_store_failure(store, err);
  }
  if (checkpoint)
    *checkpoint = signed_checkpoint;
  return COOP_OK;
}

coop_err ledger_store_audience_key(ledger_store *store, const ledger_identity *reader,
                                   const uint8_t grantor_log_id[LEDGER_LOG_ID_BYTES],
                                   const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                   uint8_t key[32])
{
  int64_t log_no = 0, index = -1;
  coop_err found = store_log_no(store, grantor_log_id, 0, &log_no);
  if (found)
    return found == COOP_E_NOT_FOUND ? COOP_E_NO_KEY : found;
  sqlite3_stmt *select = store_statement(store, STATEMENT_GRANT_SELECT);
  sqlite3_bind_blob(select, 1, audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(select, 2, reader->public_key, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 3, log_no);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW)
    index = sqlite3_column_int64(select, 0);
  sqlite3_reset(select);
  if (step == SQLITE_DONE)
    return COOP_E_NO_KEY;
  if (step != SQLITE_ROW)
    return COOP_E_DB;
  sqlite3_stmt *entry = store_statement(store, STATEMENT_ENTRY_BY_LOG_NO);
  sqlite3_bind_int64(entry, 1, log_no);
  sqlite3_bind_int64(entry, 2, index);
  coop_err err = COOP_E_TAMPERED;
  ledger_key_grant grant;
  if (sqlite3_step(entry) == SQLITE_ROW &&
      ledger_key_grant_decode(sqlite3_column_blob(entry, 1),
                              (size_t)sqlite3_column_bytes(entry, 1), &grant) == COOP_OK)
    err = ledger_key_grant_open(&grant, reader, key);
  sqlite3_reset(entry);
  return err;
}

coop_err ledger_store_audience_readers(ledger_store *store,
                                      const uint8_t grantor_log_id[LEDGER_LOG_ID_BYTES],
                                      const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                      ledger_reader_visitor visitor, void *context)
{
  int64_t log_no = 0;
  coop_err err = store_held_log_no(store, grantor_log_id, &log_no);
  if (err || !log_no)
    return err;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT reader, idx FROM key_grants WHERE audience_id = ?1 AND log_no = ?2"
             " ORDER BY idx");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, log_no);
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(select, 0) != LEDGER_PUBLIC_KEY_BYTES) {
      err = COOP_E_TAMPERED;
      break;
    }
    uint8_t reader[LEDGER_PUBLIC_KEY_BYTES];
    memcpy(reader, sqlite3_column_blob(select, 0), sizeof reader);
    err = visitor(context, reader, (uint64_t)sqlite3_column_int64(select, 1));
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  return err;
}

coop_err ledger_store_audience_create(ledger_store *store, const ledger_identity *author,
                                      const uint8_t (*readers)[32], size_t reader_count,
                                      uint64_t now_ms,
                                      uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  return ledger_store_audience_create_prefixed(store, author, readers, reader_count, now_ms, NULL,
                                               audience_id);
}

coop_err ledger_store_audience_grants_make(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                           const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES],
                                           const uint8_t (*readers)[32], size_t reader_count,
                                           uint8_t (*payloads)[LEDGER_KEY_GRANT_BYTES])
{
  return ledger_store_audience_grants_make_ephemeral(audience_id, key, readers, reader_count, NULL,
                                                     payloads);
}

/* NULL ephemerals: crypto_box_seal draws each grant's pair. */
coop_err ledger_store_audience_grants_make_ephemeral(
    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
    const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES], const uint8_t (*readers)[32],
    size_t reader_count, const coop_box_ephemeral *ephemerals,
    uint8_t (*payloads)[LEDGER_KEY_GRANT_BYTES])
{
  if (reader_count == 0 || reader_count > COOP_AUDIENCE_READERS_MAX)
    return COOP_E_BAD_INPUT;
  for (size_t i = 0; i < reader_count; i++) {
    ledger_key_grant grant;
    coop_err err = ledger_key_grant_make_ephemeral(audience_id, key, readers[i],
                                                   ephemerals ? &ephemerals[i] : NULL, &grant);
    if (err)
      return err;
    ledger_key_grant_encode(&grant, payloads[i]);
  }
  return COOP_OK;
}

coop_err ledger_store_audience_create_prefixed(ledger_store *store, const ledger_identity *author,
                                               const uint8_t (*readers)[32], size_t reader_count,
                                               uint64_t now_ms, const uint8_t prefix[3],
                                               uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  if (reader_count == 0 || reader_count > COOP_AUDIENCE_READERS_MAX)
    return COOP_E_BAD_INPUT;
  uint8_t *key = sodium_malloc(LEDGER_AUDIENCE_KEY_BYTES);
  if (!key)
    return COOP_E_NOMEM;
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES];
  ledger_audience_new(id, key);
  if (prefix)
    memcpy(id, prefix, 3); /* the other 13 bytes stay random */
  uint8_t payloads[COOP_AUDIENCE_READERS_MAX][LEDGER_KEY_GRANT_BYTES];
  ledger_append_item items[COOP_AUDIENCE_READERS_MAX];
  coop_err err = ledger_store_audience_grants_make(id, key, readers, reader_count, payloads);
  sodium_free(key);
  for (size_t i = 0; i < reader_count; i++)
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_KEY_GRANT,
                                    .payload = payloads[i],
                                    .payload_bytes = LEDGER_KEY_GRANT_BYTES};
  if (!err)
    err = ledger_store_append(store, author, items, reader_count, now_ms, NULL);
  if (!err)
    memcpy(audience_id, id, LEDGER_AUDIENCE_ID_BYTES);
  return err;
}

coop_err ledger_store_begin(ledger_store *store)
{
  return ledger_store_exec(store, "BEGIN IMMEDIATE");
}

coop_err ledger_store_commit(ledger_store *store)
{
  return ledger_store_exec(store, "COMMIT");
}

void ledger_store_rollback(ledger_store *store)
{
  /* Whatever made the caller give up is the failure to report, not the
   * outcome of the ROLLBACK (which fails when SQLite already rolled back). */
  store_note_failure(store);
  (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
  /* The cached frontier may describe appends that were just undone. */
  store->frontier_valid = 0;
}
