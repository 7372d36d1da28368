/* `coop verify`'s check of the audit tables (node/audit_index.h,
 * audit_index_check): each log's rows, statement texts and judged mark
 * against a fold of the log from scratch, the verdicts against the own
 * log's, the audiences and orphan rows against the logs.  Apart from
 * audit_index.c because it is the tables' second opinion, called only by
 * `coop verify` and the tests: it takes nothing from the rows on trust
 * (it folds every log itself and opens the verdicts without the
 * audiences table), and its only write is the update every reader does. */
#include "node/audit_index.h"
#include "node/audit_index_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"

static coop_err put_record(coop_buf *out, const ledger_month_record *record)
{
  coop_err err = coop_buf_append_u64le(out, record->index);
  if (!err)
    err = coop_buf_append(out, record->audience, LEDGER_AUDIENCE_ID_BYTES);
  if (!err)
    err = coop_buf_append(out, record->leaf, LEDGER_HASH_BYTES);
  uint64_t numbers[] = {record->date, record->period, record->type, record->memo_type,
                        (uint64_t)record->quantity, (uint64_t)record->revenue,
                        (uint64_t)record->costs, (uint64_t)record->allowance,
                        (uint64_t)record->spend};
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0] && !err; i++)
    err = coop_buf_append_u64le(out, numbers[i]);
  return err;
}

/* One part of a view in a fixed layout, so two views compare bytewise. */
static coop_err view_part(const log_view *view, int part, coop_buf *out)
{
  coop_buf_reset(out);
  coop_buf row;
  coop_buf_init(&row, COOP_PAYLOAD_BYTES_MAX * 4u);
  coop_err err = COOP_OK;
  if (part == 0) {
    err = index_put_text(out, view->name);
    if (!err)
      err = coop_buf_append_u32le(out, (uint32_t)view->role);
    for (size_t m = 0; m < view->member_count && !err; m++) {
      err = index_member_encode(&view->members[m], &row);
      if (!err)
        err = coop_buf_append(out, row.data, row.len);
    }
  }
  for (size_t i = 0; part == 1 && i < view->record_count && !err; i++)
    err = put_record(out, &view->records[i]);
  for (size_t i = 0; part == 2 && i < view->statement_count && !err; i++) {
    const log_statement *item = &view->statements[i];
    err = coop_buf_append_u64le(out, item->index);
    if (!err)
      err = coop_buf_append(out, item->audience, LEDGER_AUDIENCE_ID_BYTES);
    if (!err)
      err = coop_buf_append(out, item->leaf, LEDGER_HASH_BYTES);
    if (!err)
      err = coop_buf_append_u32le(out, item->period);
  }
  for (size_t i = 0; part == 3 && i < view->closed_count && !err; i++)
    err = coop_buf_append_u32le(out, view->closed[i]);
  if (part == 4 && !err)
    err = coop_buf_append(out, view->erased, view->erased_count * LEDGER_AUDIENCE_ID_BYTES);
  if (part == 5 && !err)
    err = coop_buf_append(out, view->unread, view->unread_count * LEDGER_AUDIENCE_ID_BYTES);
  coop_buf_release(&row);
  return err;
}

static const char *const part_names[] = {"members", "records", "statements", "closed months",
                                         "erasures", "unread audiences"};

/* COOP_E_BOOKS_MISMATCH: the tables' `what` of the view's log are not
 * what a fold of the log gives. */
static coop_err differ(ledger_store *store, const char *what, const log_view *view)
{
  char hex[2 * LEDGER_LOG_ID_BYTES + 1];
  for (size_t i = 0; i < 8; i++)
    snprintf(hex + 2 * i, 3, "%02x", view->log_id[i]);
  return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                                  "the audit tables' %s of '%s' (log %.16s...) differ from"
                                  " the log; run 'coop rebuild'",
                                  what, view->name, hex);
}

static coop_err compare_views(ledger_store *store, const log_view *fresh, const log_view *kept)
{
  coop_buf a, b;
  coop_buf_init(&a, SIZE_MAX / 2);
  coop_buf_init(&b, SIZE_MAX / 2);
  coop_err err = COOP_OK;
  for (int part = 0; part < 6 && !err; part++) {
    err = view_part(fresh, part, &a);
    if (!err)
      err = view_part(kept, part, &b);
    if (!err && (a.len != b.len || memcmp(a.data, b.data, a.len)))
      err = differ(store, part_names[part], fresh);
  }
  coop_buf_release(&a);
  coop_buf_release(&b);
  return err;
}

/* The audiences of the logs checked so far, for opening the verdicts
 * without the table that says the same. */
typedef struct audience_map {
  struct audience_log {
    uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
    uint8_t log_id[LEDGER_LOG_ID_BYTES];
  } *items;
  size_t count, capacity;
} audience_map;

static coop_err map_view(audience_map *map, const log_view *view)
{
  coop_err err = COOP_OK;
  for (size_t m = 0; m < view->member_count && !err; m++)
    for (size_t r = 0; r < view->members[m].residence_count && !err; r++) {
      err = coop_grow((void **)&map->items, &map->capacity, map->count, sizeof *map->items);
      if (!err) {
        memcpy(map->items[map->count].audience, view->members[m].residences[r].audience,
               LEDGER_AUDIENCE_ID_BYTES);
        memcpy(map->items[map->count++].log_id, view->log_id, LEDGER_LOG_ID_BYTES);
      }
    }
  return err;
}

static coop_err grantors_from_map(void *context, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                  uint8_t (**logs)[LEDGER_LOG_ID_BYTES], size_t *count)
{
  audience_map *map = context;
  size_t capacity = 0;
  coop_err err = COOP_OK;
  for (size_t i = 0; i < map->count && !err; i++) {
    if (memcmp(map->items[i].audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      continue;
    bool seen = false;
    for (size_t j = 0; j < *count; j++)
      seen |= !memcmp((*logs)[j], map->items[i].log_id, LEDGER_LOG_ID_BYTES);
    if (seen)
      continue;
    err = coop_grow((void **)logs, &capacity, *count, LEDGER_LOG_ID_BYTES);
    if (!err)
      memcpy((*logs)[(*count)++], map->items[i].log_id, LEDGER_LOG_ID_BYTES);
  }
  return err;
}

static int audience_log_order(const void *a, const void *b)
{
  return memcmp(a, b, sizeof(struct audience_log));
}

/* A verdict found by the fold from scratch, checked against the table's
 * row in the same order (coop log, statement, verdict index). */
typedef struct verdict_rows {
  coop_buf expected; /* every row, in the fold's order; sorted afterwards */
  size_t count;
} verdict_rows;

#define VERDICT_ROW_BYTES (LEDGER_LOG_ID_BYTES + 8 + 8 + 1 + LEDGER_HASH_BYTES)

static coop_err verdict_row(uint8_t row[VERDICT_ROW_BYTES], const uint8_t coop_log[32],
                            uint64_t statement_index, uint64_t index, bool dispute,
                            const uint8_t *plain, size_t plain_bytes)
{
  /* Big-endian numbers: the bytes sort as the table's key does. */
  memcpy(row, coop_log, LEDGER_LOG_ID_BYTES);
  for (int b = 0; b < 8; b++) {
    row[LEDGER_LOG_ID_BYTES + b] = (uint8_t)(statement_index >> (56 - 8 * b));
    row[LEDGER_LOG_ID_BYTES + 8 + b] = (uint8_t)(index >> (56 - 8 * b));
  }
  row[LEDGER_LOG_ID_BYTES + 16] = dispute;
  crypto_generichash(row + LEDGER_LOG_ID_BYTES + 17, LEDGER_HASH_BYTES, plain, plain_bytes, NULL,
                     0);
  return COOP_OK;
}

static coop_err verdict_expected(void *context, const ledger_verdict *verdict, bool dispute,
                                 uint64_t index, const uint8_t *plain, size_t plain_bytes)
{
  verdict_rows *rows = context;
  uint8_t row[VERDICT_ROW_BYTES];
  (void)verdict_row(row, verdict->coop_log, verdict->statement_index, index, dispute, plain,
                    plain_bytes);
  rows->count++;
  return coop_buf_append(&rows->expected, row, sizeof row);
}

static int verdict_row_order(const void *a, const void *b)
{
  return memcmp(a, b, VERDICT_ROW_BYTES);
}

static coop_err compare_verdicts(node *self, node_key_ring *ring, audience_map *map)
{
  ledger_store *store = self->store;
  int64_t own_indexed = 0;
  coop_err err = index_state_get(store, "own_size", &own_indexed);
  verdict_rows rows = {.count = 0};
  coop_buf_init(&rows.expected, SIZE_MAX / 2);
  verdict_walk walk = {.ring = ring, .grantors = grantors_from_map, .grantors_context = map,
                       .sink = verdict_expected, .sink_context = &rows,
                       .to = (uint64_t)own_indexed};
  if (!err && own_indexed > 0)
    err = index_walk_verdicts(self, &walk, 0);
  if (!err && rows.count)
    qsort(rows.expected.data, rows.count, VERDICT_ROW_BYTES, verdict_row_order);
  sqlite3_stmt *select = err ? NULL : ledger_store_cached(
      store, "SELECT coop_log, statement_index, verdict_index, dispute, payload"
             " FROM audit_verdicts ORDER BY coop_log, statement_index, verdict_index");
  if (!err && !select)
    err = COOP_E_DB;
  size_t seen = 0;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    uint8_t row[VERDICT_ROW_BYTES], coop_log[LEDGER_LOG_ID_BYTES];
    if (!index_blob_copy(select, 0, coop_log, sizeof coop_log) || seen >= rows.count)
      err = index_damaged(store, "a verdict no verdict entry gives");
    if (!err)
      (void)verdict_row(row, coop_log, (uint64_t)sqlite3_column_int64(select, 1),
                        (uint64_t)sqlite3_column_int64(select, 2),
                        sqlite3_column_int(select, 3) != 0, sqlite3_column_blob(select, 4),
                        (size_t)sqlite3_column_bytes(select, 4));
    if (!err && memcmp(row, rows.expected.data + seen * VERDICT_ROW_BYTES, sizeof row))
      err = index_damaged(store, "a verdict differs from the own log's");
    seen++;
  }
  if (select)
    sqlite3_reset(select);
  if (!err && seen != rows.count)
    err = index_damaged(store, "a verdict of the own log is missing");
  coop_buf_release(&rows.expected);
  return err;
}

/* Every statement of ours before the judged mark has a verdict, and the
 * mark counts them right. */
static coop_err check_mark(node *self, const log_view *fresh, const audit_index_log *state)
{
  if (!state->judged_size)
    return COOP_OK;
  if (state->judged_size > state->indexed_size)
    return index_damaged(self->store, "a judged mark past the indexed size");
  uint64_t *judged = NULL;
  size_t judged_count = 0, ours = 0;
  coop_err err = audit_index_judged(self, fresh->log_id, &judged, &judged_count);
  for (size_t i = 0; i < fresh->statement_count && !err; i++) {
    const log_statement *item = &fresh->statements[i];
    const log_member *who = log_view_member(fresh, item->audience);
    const log_residence *residence = who ? log_view_residence_of(who, item->audience) : NULL;
    if (item->index >= state->judged_size || !residence ||
        memcmp(residence->municipality, self->identity.public_key, LEDGER_PUBLIC_KEY_BYTES))
      continue;
    ours++;
    bool found = false;
    for (size_t j = 0; j < judged_count && !found; j++)
      found = judged[j] == item->index;
    if (!found)
      err = index_damaged(self->store, "a judged mark over a statement without a verdict");
  }
  if (!err && ours != state->ours)
    err = index_damaged(self->store, "a judged mark's count");
  coop_free(judged);
  return err;
}

/* The statements' plaintext kept, `stored`, is what the fold opened in the
 * log, `opened` (the views compared equal: the same statements). */
static coop_err compare_texts(node *self, const log_view *fresh, const log_view *kept,
                              const audit_index_texts *opened)
{
  audit_index_texts stored;
  index_texts_init(&stored);
  uint64_t *indexes = coop_calloc(kept->statement_count + 1, sizeof *indexes);
  coop_err err = indexes ? COOP_OK : COOP_E_NOMEM;
  for (size_t i = 0; i < kept->statement_count && !err; i++)
    indexes[i] = kept->statements[i].index;
  if (!err)
    err = audit_index_texts_load(self, kept->log_id, indexes, kept->statement_count, &stored);
  if (!err && (opened->count != stored.count || opened->bytes.len != stored.bytes.len ||
               (opened->count && (memcmp(opened->items, stored.items,
                                         opened->count * sizeof *opened->items) ||
                                  memcmp(opened->bytes.data, stored.bytes.data,
                                         opened->bytes.len)))))
    err = differ(self->store, "statement texts", fresh);
  audit_index_texts_free(&stored);
  coop_free(indexes);
  return err;
}

static coop_err check_log(node *self, node_key_ring *ring, const uint8_t log_id[32],
                          audience_map *map)
{
  log_view kept, fresh;
  audit_index_log state;
  coop_err err = index_read_view(self->store, log_id, READ_STATEMENTS | READ_RECORDS, NULL, 0,
                                 &kept, &state);
  if (err)
    return err;
  uint64_t size = 0;
  err = ledger_store_size(self->store, log_id, &size);
  if (!err && state.indexed_size > size)
    err = index_damaged(self->store, "a log's indexed size is past its end");
  memset(&fresh, 0, sizeof fresh);
  memcpy(fresh.log_id, log_id, LEDGER_LOG_ID_BYTES);
  bool reread = false;
  audit_index_texts opened;
  index_texts_init(&opened);
  if (!err)
    err = index_extend_with_texts(ring, &fresh, 0, state.indexed_size, &opened, &reread);
  if (!err)
    err = compare_views(self->store, &fresh, &kept);
  if (!err)
    err = compare_texts(self, &fresh, &kept, &opened);
  audit_index_texts_free(&opened);
  if (!err)
    err = map_view(map, &fresh);
  if (!err)
    err = check_mark(self, &fresh, &state);
  log_view_free(&fresh);
  log_view_free(&kept);
  return err;
}

/* The audiences table says what the checked views' residences say. */
static coop_err compare_audiences(ledger_store *store, audience_map *map)
{
  if (map->count)
    qsort(map->items, map->count, sizeof *map->items, audience_log_order);
  size_t kept = 0;
  for (size_t i = 0; i < map->count; i++)
    if (!kept || audience_log_order(&map->items[i], &map->items[kept - 1]))
      map->items[kept++] = map->items[i];
  map->count = kept;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT a.audience, l.log_id FROM audit_audiences AS a"
             " LEFT JOIN audit_logs AS l USING (log_no) ORDER BY a.audience, l.log_id");
  if (!select)
    return COOP_E_DB;
  size_t seen = 0;
  coop_err err = COOP_OK;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    struct audience_log row;
    if (seen >= map->count || !index_blob_copy(select, 0, row.audience, sizeof row.audience) ||
        !index_blob_copy(select, 1, row.log_id, sizeof row.log_id) ||
        audience_log_order(&row, &map->items[seen]))
      err = index_damaged(store, "an audience's log");
    seen++;
  }
  sqlite3_reset(select);
  return !err && seen != map->count ? index_damaged(store, "an audience is missing") : err;
}

/* Rows of a log the index does not know: nothing reads them, but they are
 * not what a fold gives either. */
static coop_err check_orphans(ledger_store *store)
{
  coop_err err = COOP_OK;
  for (size_t i = 1; i < PER_LOG_TABLES && !err; i++) {
    if (!strcmp(index_table_names[i], "audit_audiences"))
      continue; /* compared as a whole */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM %s WHERE log_no NOT IN (SELECT log_no FROM audit_logs)",
             index_table_names[i]);
    sqlite3_stmt *count = NULL;
    if (sqlite3_prepare_v2(ledger_store_db(store), sql, -1, &count, NULL) != SQLITE_OK ||
        sqlite3_step(count) != SQLITE_ROW)
      err = COOP_E_DB;
    else if (sqlite3_column_int64(count, 0))
      err = index_damaged(store, index_table_names[i]);
    sqlite3_finalize(count);
  }
  return err;
}

static coop_err check_all(node *self, node_key_ring *ring)
{
  ledger_store *store = self->store;
  bool present = false;
  if (!index_tables_present(store, &present))
    return COOP_E_DB;
  int64_t version = 0;
  coop_err err = present ? index_state_get(store, "version", &version) : COOP_OK;
  if (!present || err || version != AUDIT_INDEX_VERSION)
    return err; /* none yet, or made again at the next use */
  uint8_t(*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0, capacity = 0;
  sqlite3_stmt *logs = ledger_store_cached(store, "SELECT log_id FROM audit_logs ORDER BY log_id");
  if (!logs)
    return COOP_E_DB;
  while (!err && sqlite3_step(logs) == SQLITE_ROW) {
    err = coop_grow((void **)&ids, &capacity, count, LEDGER_LOG_ID_BYTES);
    if (!err && !index_blob_copy(logs, 0, ids[count], LEDGER_LOG_ID_BYTES))
      err = index_damaged(store, "a log id");
    if (!err)
      count++;
  }
  sqlite3_reset(logs);
  audience_map map = {0};
  for (size_t i = 0; i < count && !err; i++)
    err = check_log(self, ring, ids[i], &map);
  if (!err)
    err = compare_verdicts(self, ring, &map);
  if (!err)
    err = compare_audiences(store, &map);
  if (!err)
    err = check_orphans(store);
  coop_free(map.items);
  coop_free(ids);
  return err;
}

coop_err audit_index_check(node *self)
{
  node_key_ring *ring = node_keys(self);
  /* First what any reader does: catch up (an erasure received since the
   * last audit changes how the logs read, and is not damage). */
  coop_err err = COOP_OK;
  bool present = false;
  if (!index_tables_present(self->store, &present))
    err = COOP_E_DB;
  if (!err && present)
    err = audit_index_update(self, ring);
  if (err && err != COOP_E_BOOKS_MISMATCH && err != COOP_E_PAYLOAD_MISSING && err != COOP_E_BUSY)
    err = ledger_store_set_problem(self->store, COOP_E_BOOKS_MISMATCH,
                                   "the audit tables cannot take in the logs (%s);"
                                   " run 'coop rebuild'",
                                   coop_err_message(err));
  /* One read transaction: the logs and the tables seen at the same moment. */
  if (!err)
    err = ledger_store_exec(self->store, "BEGIN");
  if (!err) {
    err = check_all(self, ring);
    (void)ledger_store_exec(self->store, "COMMIT");
  }
  return err;
}
