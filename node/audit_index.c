/* The municipality's audit tables (node/audit_index.h): their schema, a
 * log's rows written and read back, catching up, the own log's verdicts and
 * the lookups.  The full re-audit's two threads are in audit_index_threads.c,
 * `coop verify`'s check in audit_index_check.c (node/audit_index_int.h). */
#include "node/audit_index.h"
#include "node/audit_index_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/store/store_sql.h"

/* ---- The schema: its own version, dropped and made again on a change ------------------- */

const char *const index_table_names[] = {
    "audit_logs",    "audit_members", "audit_audiences", "audit_records", "audit_statements",
    "audit_closed",  "audit_erased",  "audit_unread",    "audit_verdicts", "audit_state",
};
#define TABLE_COUNT (sizeof index_table_names / sizeof index_table_names[0])

static const char create_sql[] =
    "CREATE TABLE audit_state (name TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;"
    /* log_no names the log in every other table: an integer of a byte or
     * two in each key where the 32-byte id was (version 3). */
    "CREATE TABLE audit_logs ("
    "  log_no INTEGER PRIMARY KEY,"
    "  log_id BLOB NOT NULL UNIQUE,"
    "  indexed_size INTEGER NOT NULL,"
    "  judged_size INTEGER NOT NULL,"
    "  ours INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  role INTEGER NOT NULL);"
    /* A member's enrolment, details, residences and facts: one encoded row
     * (index_member_encode), rewritten whole when the log grows. */
    "CREATE TABLE audit_members ("
    "  log_no INTEGER NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  member BLOB NOT NULL,"
    "  PRIMARY KEY (log_no, position)) WITHOUT ROWID;"
    /* Which coop log an audience is of: opens the own log's verdicts. */
    "CREATE TABLE audit_audiences ("
    "  audience BLOB NOT NULL,"
    "  log_no INTEGER NOT NULL,"
    "  PRIMARY KEY (audience, log_no)) WITHOUT ROWID;"
    "CREATE TABLE audit_records ("
    "  log_no INTEGER NOT NULL,"
    "  entry_index INTEGER NOT NULL,"
    "  audience BLOB NOT NULL,"
    "  leaf BLOB NOT NULL,"
    "  date INTEGER NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  type INTEGER NOT NULL,"
    "  memo_type INTEGER NOT NULL,"
    "  quantity INTEGER NOT NULL,"
    "  revenue INTEGER NOT NULL,"
    "  costs INTEGER NOT NULL,"
    "  allowance INTEGER NOT NULL,"
    "  spend INTEGER NOT NULL,"
    /* Keyed by month: a month's records are one range, with no second
     * index to keep up on every insert (readers sort them by index). */
    "  PRIMARY KEY (log_no, period, entry_index)) WITHOUT ROWID;"
    "CREATE TABLE audit_statements ("
    "  log_no INTEGER NOT NULL,"
    "  entry_index INTEGER NOT NULL,"
    "  audience BLOB NOT NULL,"
    "  leaf BLOB NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  payload BLOB NOT NULL,"
    "  PRIMARY KEY (log_no, entry_index)) WITHOUT ROWID;"
    "CREATE TABLE audit_closed ("
    "  log_no INTEGER NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  PRIMARY KEY (log_no, position)) WITHOUT ROWID;"
    "CREATE TABLE audit_erased ("
    "  log_no INTEGER NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  audience BLOB NOT NULL,"
    "  PRIMARY KEY (log_no, position)) WITHOUT ROWID;"
    "CREATE TABLE audit_unread ("
    "  log_no INTEGER NOT NULL,"
    "  audience BLOB NOT NULL,"
    "  PRIMARY KEY (log_no, audience)) WITHOUT ROWID;"
    /* The own log's verdicts, their plaintext payload as signed. */
    "CREATE TABLE audit_verdicts ("
    "  coop_log BLOB NOT NULL,"
    "  statement_index INTEGER NOT NULL,"
    "  verdict_index INTEGER NOT NULL,"
    "  dispute INTEGER NOT NULL,"
    "  payload BLOB NOT NULL,"
    "  PRIMARY KEY (coop_log, statement_index, verdict_index)) WITHOUT ROWID;";

/* The number of log ?1 in the tables, for the queries that name it by id. */
#define LOG_NO "(SELECT log_no FROM audit_logs WHERE log_id = ?1)"

static coop_err step_done(sqlite3_stmt *statement)
{
  int step = sqlite3_step(statement);
  sqlite3_reset(statement);
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err index_damaged(ledger_store *store, const char *what)
{
  return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                                  "the audit tables are damaged (%s); run 'coop rebuild'", what);
}

coop_err index_state_get(ledger_store *store, const char *name, int64_t *value)
{
  sqlite3_stmt *select =
      ledger_store_cached(store, "SELECT value FROM audit_state WHERE name = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, name, -1, SQLITE_STATIC);
  int step = sqlite3_step(select);
  *value = step == SQLITE_ROW ? sqlite3_column_int64(select, 0) : 0;
  /* Reset at once: a statement left stepping keeps its read snapshot. */
  sqlite3_reset(select);
  return step == SQLITE_ROW || step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

static coop_err state_set(ledger_store *store, const char *name, int64_t value)
{
  sqlite3_stmt *upsert = ledger_store_cached(
      store, "INSERT OR REPLACE INTO audit_state (name, value) VALUES (?1, ?2)");
  if (!upsert)
    return COOP_E_DB;
  sqlite3_bind_text(upsert, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(upsert, 2, value);
  return step_done(upsert);
}

static coop_err drop_tables(ledger_store *store)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < TABLE_COUNT && !err; i++) {
    char sql[64];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS main.%s", index_table_names[i]);
    err = ledger_store_exec(store, sql);
  }
  return err;
}

/* Are the tables there (at any version)?  False when that cannot be read. */
bool index_tables_present(ledger_store *store, bool *present)
{
  sqlite3_stmt *exists = ledger_store_cached(
      store, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'audit_state'");
  *present = false;
  if (!exists)
    return false;
  int step = sqlite3_step(exists);
  *present = step == SQLITE_ROW && sqlite3_column_int(exists, 0) > 0;
  sqlite3_reset(exists);
  return step == SQLITE_ROW;
}

/* The tables at AUDIT_INDEX_VERSION: made when missing, dropped and made
 * again (empty) at another version or when `again`. */
static coop_err schema_ready(ledger_store *store, bool again)
{
  bool present = false;
  if (!index_tables_present(store, &present))
    return COOP_E_DB;
  int64_t version = 0;
  if (present && !again) {
    coop_err err = index_state_get(store, "version", &version);
    if (err || version == AUDIT_INDEX_VERSION)
      return err;
  }
  coop_err err = drop_tables(store);
  if (!err)
    err = ledger_store_exec(store, create_sql);
  if (!err)
    err = state_set(store, "version", AUDIT_INDEX_VERSION);
  return err;
}

/* ---- A member as one row -------------------------------------------------------------- */

coop_err index_put_text(coop_buf *out, const char *text)
{
  size_t length = strlen(text);
  coop_err err = coop_buf_append_u8(out, (uint8_t)length);
  return err ? err : coop_buf_append(out, text, length);
}

static coop_err put_residence(coop_buf *out, const log_residence *residence)
{
  coop_err err = coop_buf_append(out, residence->audience, LEDGER_AUDIENCE_ID_BYTES);
  if (!err)
    err = coop_buf_append_u32le(out, residence->from_period);
  if (!err)
    err = coop_buf_append_u64le(out, residence->index);
  if (!err)
    err = coop_buf_append(out, residence->municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (!err)
    err = coop_buf_append_u32le(out, (uint32_t)residence->fact_count);
  for (size_t f = 0; f < residence->fact_count && !err; f++) {
    const ledger_member_fact *fact = &residence->facts[f];
    err = coop_buf_append_u8(out, fact->field);
    if (!err)
      err = coop_buf_append_u32le(out, fact->from_period);
    if (!err)
      err = coop_buf_append_u32le(out, fact->value);
    if (!err)
      err = coop_buf_append_u64le(out, fact->index);
  }
  return err;
}

/* Everything log_view knows of her but her records and statements (their
 * own tables), in a fixed little-endian layout. */
coop_err index_member_encode(const log_member *who, coop_buf *out)
{
  coop_buf_reset(out);
  coop_err err = coop_buf_append_u64le(out, who->enrolled_at);
  if (!err)
    err = coop_buf_append(out, who->audience, LEDGER_AUDIENCE_ID_BYTES);
  if (!err)
    err = coop_buf_append(out, who->municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (!err)
    err = coop_buf_append(out, who->member_key, LEDGER_PUBLIC_KEY_BYTES);
  if (!err)
    err = index_put_text(out, who->name);
  if (!err)
    err = index_put_text(out, who->client_ref);
  if (!err)
    err = coop_buf_append_u32le(out, (uint32_t)who->detail_count);
  for (size_t d = 0; d < who->detail_count && !err; d++) {
    const log_member_details *details = &who->details[d];
    err = coop_buf_append_u64le(out, details->index);
    if (!err)
      err = coop_buf_append(out, details->audience, LEDGER_AUDIENCE_ID_BYTES);
    if (!err)
      err = index_put_text(out, details->name);
    if (!err)
      err = index_put_text(out, details->client_ref);
    if (!err)
      err = coop_buf_append(out, details->member_key, LEDGER_PUBLIC_KEY_BYTES);
  }
  if (!err)
    err = coop_buf_append_u32le(out, (uint32_t)who->residence_count);
  for (size_t r = 0; r < who->residence_count && !err; r++)
    err = put_residence(out, &who->residences[r]);
  return err;
}

typedef struct reader {
  const uint8_t *at;
  size_t left;
  bool bad;
} reader;

static const uint8_t *take(reader *in, size_t count)
{
  if (in->bad || in->left < count) {
    in->bad = true;
    return NULL;
  }
  const uint8_t *at = in->at;
  in->at += count;
  in->left -= count;
  return at;
}

static void take_bytes(reader *in, void *out, size_t count)
{
  const uint8_t *at = take(in, count);
  if (at)
    memcpy(out, at, count);
}

static uint32_t take_u32(reader *in)
{
  const uint8_t *at = take(in, 4);
  return at ? coop_get_u32le(at) : 0;
}

static uint64_t take_u64(reader *in)
{
  const uint8_t *at = take(in, 8);
  return at ? coop_get_u64le(at) : 0;
}

static void take_text(reader *in, char *out, size_t room)
{
  const uint8_t *length = take(in, 1);
  if (length && *length >= room)
    in->bad = true;
  const uint8_t *text = length ? take(in, *length) : NULL;
  if (text)
    memcpy(out, text, *length);
}

/* A count of items of at least `item_bytes` each that the rest can hold. */
static size_t take_count(reader *in, size_t item_bytes)
{
  size_t count = take_u32(in);
  if (count > in->left / item_bytes)
    in->bad = true;
  return in->bad ? 0 : count;
}

static int fact_order(const void *a, const void *b)
{
  const ledger_member_fact *x = a, *y = b;
  return x->index < y->index ? -1 : x->index > y->index;
}

static coop_err take_residence(reader *in, log_member *who, log_residence *residence)
{
  take_bytes(in, residence->audience, LEDGER_AUDIENCE_ID_BYTES);
  residence->from_period = take_u32(in);
  residence->index = take_u64(in);
  take_bytes(in, residence->municipality, LEDGER_PUBLIC_KEY_BYTES);
  size_t facts = take_count(in, 17);
  residence->facts = coop_calloc(facts + 1, sizeof *residence->facts);
  if (!residence->facts)
    return COOP_E_NOMEM;
  for (size_t f = 0; f < facts; f++) {
    ledger_member_fact *fact = &residence->facts[residence->fact_count++];
    const uint8_t *field = take(in, 1);
    fact->field = field ? *field : 0;
    fact->from_period = take_u32(in);
    fact->value = take_u32(in);
    fact->index = take_u64(in);
  }
  residence->fact_capacity = facts + 1;
  coop_err err = COOP_OK;
  while (!err && who->fact_capacity < who->fact_count + residence->fact_count + 1)
    err = coop_grow((void **)&who->facts, &who->fact_capacity, who->fact_capacity,
                    sizeof *who->facts);
  if (err)
    return err;
  memcpy(who->facts + who->fact_count, residence->facts, residence->fact_count * sizeof *who->facts);
  who->fact_count += residence->fact_count;
  return COOP_OK;
}

/* The inverse of index_member_encode.  Her facts across residences are in log
 * order, as the fold adds them. */
static coop_err member_decode(const uint8_t *bytes, size_t count, log_member *who)
{
  reader in = {bytes, count, false};
  memset(who, 0, sizeof *who);
  who->enrolled_at = take_u64(&in);
  take_bytes(&in, who->audience, LEDGER_AUDIENCE_ID_BYTES);
  take_bytes(&in, who->municipality, LEDGER_PUBLIC_KEY_BYTES);
  take_bytes(&in, who->member_key, LEDGER_PUBLIC_KEY_BYTES);
  take_text(&in, who->name, sizeof who->name);
  take_text(&in, who->client_ref, sizeof who->client_ref);
  ledger_member_id(who->audience, who->member_id);
  size_t details = take_count(&in, 8 + LEDGER_AUDIENCE_ID_BYTES + 2 + LEDGER_PUBLIC_KEY_BYTES);
  who->details = coop_calloc(details + 1, sizeof *who->details);
  if (!who->details)
    return COOP_E_NOMEM;
  who->detail_capacity = details + 1;
  for (size_t d = 0; d < details; d++) {
    log_member_details *item = &who->details[who->detail_count++];
    item->index = take_u64(&in);
    take_bytes(&in, item->audience, LEDGER_AUDIENCE_ID_BYTES);
    take_text(&in, item->name, sizeof item->name);
    take_text(&in, item->client_ref, sizeof item->client_ref);
    take_bytes(&in, item->member_key, LEDGER_PUBLIC_KEY_BYTES);
  }
  size_t residences = take_count(&in, LEDGER_AUDIENCE_ID_BYTES + 16 + LEDGER_PUBLIC_KEY_BYTES);
  who->residences = coop_calloc(residences + 1, sizeof *who->residences);
  if (!who->residences)
    return COOP_E_NOMEM;
  who->residence_capacity = residences + 1;
  coop_err err = COOP_OK;
  for (size_t r = 0; r < residences && !err; r++)
    err = take_residence(&in, who, &who->residences[who->residence_count++]);
  if (!err && who->fact_count)
    qsort(who->facts, who->fact_count, sizeof *who->facts, fact_order);
  if (!err && (in.bad || in.left || !residences))
    err = COOP_E_TAMPERED;
  return err;
}

/* ---- Statements' plaintext ----------------------------------------------------------- */

void index_texts_init(audit_index_texts *texts)
{
  memset(texts, 0, sizeof *texts);
  coop_buf_init(&texts->bytes, SIZE_MAX / 2);
}

static coop_err texts_push(audit_index_texts *texts, uint64_t index, const uint8_t *text,
                           size_t text_bytes)
{
  coop_err err = coop_grow((void **)&texts->items, &texts->capacity, texts->count,
                           sizeof *texts->items);
  if (!err)
    err = coop_buf_append(&texts->bytes, text, text_bytes);
  if (!err)
    texts->items[texts->count++] = (struct audit_index_text_item){index, texts->bytes.len};
  return err;
}

void audit_index_texts_free(audit_index_texts *texts)
{
  if (texts->bytes.capacity)
    sodium_memzero(texts->bytes.data, texts->bytes.capacity);
  coop_buf_release(&texts->bytes);
  coop_free(texts->items);
  texts->items = NULL;
  texts->count = texts->capacity = 0;
}

bool audit_index_text(const audit_index_texts *texts, uint64_t index, const uint8_t **text,
                      size_t *text_bytes)
{
  size_t low = 0, high = texts->count;
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (texts->items[middle].index < index)
      low = middle + 1;
    else
      high = middle;
  }
  if (low == texts->count || texts->items[low].index != index)
    return false;
  size_t start = low ? texts->items[low - 1].end : 0;
  *text = texts->bytes.data + start;
  *text_bytes = texts->items[low].end - start;
  return true;
}

coop_err audit_index_texts_load(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                const uint64_t *wanted, size_t count, audit_index_texts *texts)
{
  index_texts_init(texts);
  if (!count)
    return COOP_OK;
  sqlite3_stmt *select = ledger_store_cached(
      self->store, "SELECT entry_index, payload FROM audit_statements"
                   " WHERE log_no = " LOG_NO " AND entry_index BETWEEN ?2 AND ?3 ORDER BY entry_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(select, 2, (int64_t)wanted[0]);
  sqlite3_bind_int64(select, 3, (int64_t)wanted[count - 1]);
  /* Both in index order: one pass over the rows of the range. */
  coop_err err = COOP_OK;
  size_t next = 0;
  while (!err && next < count && sqlite3_step(select) == SQLITE_ROW) {
    uint64_t index = (uint64_t)sqlite3_column_int64(select, 0);
    while (next < count && wanted[next] < index)
      next++;
    if (next < count && wanted[next] == index)
      err = texts_push(texts, index, sqlite3_column_blob(select, 1),
                       (size_t)sqlite3_column_bytes(select, 1));
  }
  sqlite3_reset(select);
  if (err)
    audit_index_texts_free(texts);
  return err;
}

/* The judge needs whole statements; the fold keeps of one only its
 * period, so it hands each statement it opens to the texts on the way. */
static coop_err text_take(void *context, const log_statement *item, const uint8_t *plain,
                          size_t plain_bytes)
{
  return texts_push(context, item->index, plain, plain_bytes);
}

/* Folds entries [from, size) into `view`, the plaintext of its new
 * statements into `texts`. */
coop_err index_extend_with_texts(node_key_ring *ring, log_view *view, uint64_t from,
                                 uint64_t size, audit_index_texts *texts, bool *reread)
{
  view->on_statement = text_take;
  view->on_statement_context = texts;
  coop_err err = log_view_extend(ring, view, from, size, reread);
  view->on_statement = NULL;
  view->on_statement_context = NULL;
  return err;
}

/* ---- Writing a log's rows ------------------------------------------------------------- */

static coop_err delete_log_rows(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                bool all)
{
  static const char *const skeleton[] = {
      "DELETE FROM audit_closed WHERE log_no = " LOG_NO,
      "DELETE FROM audit_erased WHERE log_no = " LOG_NO,
      "DELETE FROM audit_unread WHERE log_no = " LOG_NO,
      "DELETE FROM audit_members WHERE log_no = " LOG_NO,
      "DELETE FROM audit_audiences WHERE log_no = " LOG_NO,
      "DELETE FROM audit_records WHERE log_no = " LOG_NO,
      "DELETE FROM audit_statements WHERE log_no = " LOG_NO,
  };
  /* The small lists are rewritten whole; members (a changed one is
   * replaced), their audiences, records and statements (new ones are
   * added) stay unless `all`. */
  size_t count = all ? 7 : 3;
  for (size_t i = 0; i < count; i++) {
    sqlite3_stmt *statement = ledger_store_cached(store, skeleton[i]);
    if (!statement)
      return COOP_E_DB;
    sqlite3_bind_blob(statement, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
    if (step_done(statement))
      return COOP_E_DB;
  }
  return COOP_OK;
}

static void member_digest(const coop_buf *row, uint8_t digest[16])
{
  crypto_generichash(digest, 16, row->data, row->len, NULL, 0);
}

static coop_err digests_of(const log_view *view, member_digests *digests)
{
  digests->count = 0;
  digests->items = coop_calloc(view->member_count + 1, sizeof *digests->items);
  if (!digests->items)
    return COOP_E_NOMEM;
  coop_buf row;
  coop_buf_init(&row, COOP_PAYLOAD_BYTES_MAX * 4u);
  coop_err err = COOP_OK;
  for (size_t m = 0; m < view->member_count && !err; m++) {
    err = index_member_encode(&view->members[m], &row);
    if (!err)
      member_digest(&row, digests->items[digests->count++]);
  }
  coop_buf_release(&row);
  return err;
}

/* The members the new entries enrolled or changed (all of them when
 * `before` is empty), with their residences' audiences. */
static coop_err write_members(ledger_store *store, const log_view *view, int64_t log_no,
                              const member_digests *before)
{
  sqlite3_stmt *member = ledger_store_cached(
      store, "INSERT OR REPLACE INTO audit_members (log_no, position, member)"
             " VALUES (?1, ?2, ?3)");
  sqlite3_stmt *audience = ledger_store_cached(
      store, "INSERT OR IGNORE INTO audit_audiences (audience, log_no) VALUES (?1, ?2)");
  if (!member || !audience)
    return COOP_E_DB;
  coop_buf row;
  coop_buf_init(&row, COOP_PAYLOAD_BYTES_MAX * 4u);
  coop_err err = COOP_OK;
  for (size_t m = 0; m < view->member_count && !err; m++) {
    const log_member *who = &view->members[m];
    err = index_member_encode(who, &row);
    if (err)
      break;
    uint8_t digest[16];
    member_digest(&row, digest);
    if (m < before->count && !memcmp(digest, before->items[m], sizeof digest))
      continue; /* as she was */
    sqlite3_bind_int64(member, 1, log_no);
    sqlite3_bind_int64(member, 2, (int64_t)m);
    sqlite3_bind_blob(member, 3, row.data, (int)row.len, SQLITE_STATIC);
    err = step_done(member);
    for (size_t r = 0; r < who->residence_count && !err; r++) {
      sqlite3_bind_blob(audience, 1, who->residences[r].audience, LEDGER_AUDIENCE_ID_BYTES,
                        SQLITE_STATIC);
      sqlite3_bind_int64(audience, 2, log_no);
      err = step_done(audience);
    }
  }
  sqlite3_clear_bindings(member);
  coop_buf_release(&row);
  return err;
}

/* The columns a record's and a statement's row begin with: which log,
 * which entry, whose audience, its leaf hash. */
static void bind_entry(sqlite3_stmt *insert, int64_t log_no, uint64_t index, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                       const uint8_t leaf[LEDGER_HASH_BYTES])
{
  sqlite3_bind_int64(insert, 1, log_no);
  sqlite3_bind_int64(insert, 2, (int64_t)index);
  sqlite3_bind_blob(insert, 3, audience, LEDGER_AUDIENCE_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob(insert, 4, leaf, LEDGER_HASH_BYTES, SQLITE_STATIC);
}

static coop_err write_records(ledger_store *store, const log_view *view, int64_t log_no)
{
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO audit_records (log_no, entry_index, audience, leaf, date, period, type,"
             " memo_type, quantity, revenue, costs, allowance, spend)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  for (size_t i = 0; i < view->record_count && !err; i++) {
    const ledger_month_record *record = &view->records[i];
    bind_entry(insert, log_no, record->index, record->audience, record->leaf);
    sqlite3_bind_int64(insert, 5, record->date);
    sqlite3_bind_int64(insert, 6, record->period);
    sqlite3_bind_int(insert, 7, record->type);
    sqlite3_bind_int(insert, 8, record->memo_type);
    sqlite3_bind_int64(insert, 9, record->quantity);
    sqlite3_bind_int64(insert, 10, record->revenue);
    sqlite3_bind_int64(insert, 11, record->costs);
    sqlite3_bind_int64(insert, 12, record->allowance);
    sqlite3_bind_int64(insert, 13, record->spend);
    err = step_done(insert);
  }
  sqlite3_clear_bindings(insert);
  return err;
}

/* The view's statements with their plaintext, texts i of statement i. */
static coop_err write_statements(ledger_store *store, const log_view *view, int64_t log_no,
                                 const audit_index_texts *texts)
{
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO audit_statements (log_no, entry_index, audience, leaf, period, payload)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  for (size_t i = 0; i < view->statement_count && !err; i++) {
    const log_statement *item = &view->statements[i];
    const uint8_t *text = NULL;
    size_t text_bytes = 0;
    if (!audit_index_text(texts, item->index, &text, &text_bytes))
      return COOP_E_TAMPERED; /* the fold read it, the walk did not: a changed log */
    bind_entry(insert, log_no, item->index, item->audience, item->leaf);
    sqlite3_bind_int64(insert, 5, item->period);
    sqlite3_bind_blob(insert, 6, text, (int)text_bytes, SQLITE_STATIC);
    err = step_done(insert);
  }
  sqlite3_clear_bindings(insert);
  return err;
}

/* Closed months, erased and unread audiences: small lists, rewritten whole. */
static coop_err write_lists(ledger_store *store, const log_view *view, int64_t log_no)
{
  sqlite3_stmt *closed = ledger_store_cached(
      store, "INSERT INTO audit_closed (log_no, position, period) VALUES (?1, ?2, ?3)");
  sqlite3_stmt *erased = ledger_store_cached(
      store, "INSERT INTO audit_erased (log_no, position, audience) VALUES (?1, ?2, ?3)");
  sqlite3_stmt *unread = ledger_store_cached(
      store, "INSERT INTO audit_unread (log_no, audience) VALUES (?1, ?2)");
  if (!closed || !erased || !unread)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  for (size_t i = 0; i < view->closed_count && !err; i++) {
    sqlite3_bind_int64(closed, 1, log_no);
    sqlite3_bind_int64(closed, 2, (int64_t)i);
    sqlite3_bind_int64(closed, 3, view->closed[i]);
    err = step_done(closed);
  }
  for (size_t i = 0; i < view->erased_count && !err; i++) {
    sqlite3_bind_int64(erased, 1, log_no);
    sqlite3_bind_int64(erased, 2, (int64_t)i);
    sqlite3_bind_blob(erased, 3, view->erased[i], LEDGER_AUDIENCE_ID_BYTES, SQLITE_STATIC);
    err = step_done(erased);
  }
  for (size_t i = 0; i < view->unread_count && !err; i++) {
    sqlite3_bind_int64(unread, 1, log_no);
    sqlite3_bind_blob(unread, 2, view->unread[i], LEDGER_AUDIENCE_ID_BYTES, SQLITE_STATIC);
    err = step_done(unread);
  }
  return err;
}

static coop_err write_log_row(ledger_store *store, const log_view *view, uint64_t size,
                              bool fresh, int64_t *log_no)
{
  sqlite3_stmt *upsert = ledger_store_cached(
      store, "INSERT INTO audit_logs (log_id, indexed_size, judged_size, ours, name, role)"
             " VALUES (?1, ?2, 0, 0, ?3, ?4) ON CONFLICT (log_id) DO UPDATE SET"
             " indexed_size = excluded.indexed_size, name = excluded.name, role = excluded.role,"
             " judged_size = CASE WHEN ?5 THEN 0 ELSE judged_size END,"
             " ours = CASE WHEN ?5 THEN 0 ELSE ours END RETURNING log_no");
  if (!upsert)
    return COOP_E_DB;
  sqlite3_bind_blob(upsert, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(upsert, 2, (int64_t)size);
  sqlite3_bind_text(upsert, 3, view->name, -1, SQLITE_STATIC);
  sqlite3_bind_int(upsert, 4, view->role);
  sqlite3_bind_int(upsert, 5, fresh);
  /* Step to its end: the row is written when the statement is done. */
  int step = sqlite3_step(upsert);
  if (step == SQLITE_ROW)
    *log_no = sqlite3_column_int64(upsert, 0);
  bool done = step == SQLITE_ROW && sqlite3_step(upsert) == SQLITE_DONE;
  sqlite3_reset(upsert);
  sqlite3_clear_bindings(upsert);
  return done ? COOP_OK : COOP_E_DB;
}

/* The rows of `view`, which holds the skeleton of entries [0, size) and
 * the records and statements not written yet (all of them when `fresh`),
 * the statements' plaintext in `texts`, and `before` the members' rows
 * as the tables held them; `known`: the tables had a row of the log. */
coop_err index_write_log(ledger_store *store, const log_view *view,
                         const audit_index_texts *texts, const member_digests *before,
                         uint64_t size, bool fresh, bool known)
{
  static const member_digests none = {NULL, 0};
  int64_t log_no = 0;
  /* A log new to the tables has no rows to delete (and deleting them would
   * scan audit_audiences, keyed by audience). */
  coop_err err = known ? delete_log_rows(store, view->log_id, fresh) : COOP_OK;
  /* The log's row first: a new log gets its number there. */
  if (!err)
    err = write_log_row(store, view, size, fresh, &log_no);
  if (!err)
    err = write_members(store, view, log_no, fresh ? &none : before);
  if (!err)
    err = write_records(store, view, log_no);
  if (!err)
    err = write_statements(store, view, log_no, texts);
  if (!err)
    err = write_lists(store, view, log_no);
  return err;
}

/* ---- Reading a log's rows into a view ------------------------------------------------- */

bool index_blob_copy(sqlite3_stmt *row, int column, void *out, size_t bytes)
{
  if (sqlite3_column_type(row, column) != SQLITE_BLOB ||
      (size_t)sqlite3_column_bytes(row, column) != bytes)
    return false;
  memcpy(out, sqlite3_column_blob(row, column), bytes);
  return true;
}

static coop_err read_log_row(ledger_store *store, log_view *view, audit_index_log *state)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT indexed_size, judged_size, ours, name, role FROM audit_logs WHERE log_id = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  int step = sqlite3_step(select);
  coop_err err = step == SQLITE_ROW ? COOP_OK : step == SQLITE_DONE ? COOP_E_NOT_FOUND : COOP_E_DB;
  if (!err) {
    state->indexed_size = (uint64_t)sqlite3_column_int64(select, 0);
    state->judged_size = (uint64_t)sqlite3_column_int64(select, 1);
    state->ours = (uint64_t)sqlite3_column_int64(select, 2);
    const unsigned char *name = sqlite3_column_text(select, 3);
    if (!name || strlen((const char *)name) > COOP_NAME_BYTES_MAX)
      err = index_damaged(store, "a log's name");
    else
      memcpy(view->name, name, strlen((const char *)name) + 1);
    view->role = sqlite3_column_int(select, 4);
  }
  sqlite3_reset(select);
  return err;
}

static coop_err read_members(ledger_store *store, log_view *view)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT member FROM audit_members WHERE log_no = " LOG_NO " ORDER BY position");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    err = coop_grow((void **)&view->members, &view->member_capacity, view->member_count,
                    sizeof *view->members);
    if (err)
      break;
    log_member *who = &view->members[view->member_count++];
    err = member_decode(sqlite3_column_blob(select, 0), (size_t)sqlite3_column_bytes(select, 0),
                        who);
    if (err == COOP_E_TAMPERED)
      err = index_damaged(store, "a member's row");
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  return err;
}

static coop_err read_lists(ledger_store *store, log_view *view)
{
  sqlite3_stmt *closed = ledger_store_cached(
      store, "SELECT period FROM audit_closed WHERE log_no = " LOG_NO " ORDER BY position");
  sqlite3_stmt *erased = ledger_store_cached(
      store, "SELECT audience FROM audit_erased WHERE log_no = " LOG_NO " ORDER BY position");
  sqlite3_stmt *unread = ledger_store_cached(
      store, "SELECT audience FROM audit_unread WHERE log_no = " LOG_NO " ORDER BY audience");
  if (!closed || !erased || !unread)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  sqlite3_bind_blob(closed, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  while (!err && sqlite3_step(closed) == SQLITE_ROW) {
    err = coop_grow((void **)&view->closed, &view->closed_capacity, view->closed_count,
                    sizeof *view->closed);
    if (!err)
      view->closed[view->closed_count++] = (uint32_t)sqlite3_column_int64(closed, 0);
  }
  sqlite3_reset(closed);
  sqlite3_stmt *lists[2] = {erased, unread};
  uint8_t(**items[2])[LEDGER_AUDIENCE_ID_BYTES] = {&view->erased, &view->unread};
  size_t *counts[2] = {&view->erased_count, &view->unread_count};
  size_t *capacities[2] = {&view->erased_capacity, &view->unread_capacity};
  for (int l = 0; l < 2 && !err; l++) {
    sqlite3_bind_blob(lists[l], 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
    while (!err && sqlite3_step(lists[l]) == SQLITE_ROW) {
      err = coop_grow((void **)items[l], capacities[l], *counts[l], LEDGER_AUDIENCE_ID_BYTES);
      if (!err && !index_blob_copy(lists[l], 0, (*items[l])[*counts[l]], LEDGER_AUDIENCE_ID_BYTES))
        err = index_damaged(store, "an audience");
      if (!err)
        (*counts[l])++;
    }
    sqlite3_reset(lists[l]);
  }
  return err;
}

static coop_err read_statements(ledger_store *store, log_view *view)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT entry_index, audience, leaf, period FROM audit_statements"
             " WHERE log_no = " LOG_NO " ORDER BY entry_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  coop_err err = COOP_OK;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    err = coop_grow((void **)&view->statements, &view->statement_capacity, view->statement_count,
                    sizeof *view->statements);
    if (err)
      break;
    log_statement *item = &view->statements[view->statement_count];
    item->index = (uint64_t)sqlite3_column_int64(select, 0);
    item->period = (uint32_t)sqlite3_column_int64(select, 3);
    if (!index_blob_copy(select, 1, item->audience, LEDGER_AUDIENCE_ID_BYTES) ||
        !index_blob_copy(select, 2, item->leaf, LEDGER_HASH_BYTES))
      err = index_damaged(store, "a statement's row");
    else
      view->statement_count++;
  }
  sqlite3_reset(select);
  return err;
}

static coop_err read_record(ledger_store *store, sqlite3_stmt *row, log_view *view)
{
  coop_err err = coop_grow((void **)&view->records, &view->record_capacity, view->record_count,
                           sizeof *view->records);
  if (err)
    return err;
  ledger_month_record *record = &view->records[view->record_count];
  record->index = (uint64_t)sqlite3_column_int64(row, 0);
  record->date = (uint32_t)sqlite3_column_int64(row, 3);
  record->period = (uint32_t)sqlite3_column_int64(row, 4);
  record->type = (uint8_t)sqlite3_column_int(row, 5);
  record->memo_type = (uint8_t)sqlite3_column_int(row, 6);
  record->quantity = sqlite3_column_int64(row, 7);
  record->revenue = sqlite3_column_int64(row, 8);
  record->costs = sqlite3_column_int64(row, 9);
  record->allowance = sqlite3_column_int64(row, 10);
  record->spend = sqlite3_column_int64(row, 11);
  if (!index_blob_copy(row, 1, record->audience, LEDGER_AUDIENCE_ID_BYTES) ||
      !index_blob_copy(row, 2, record->leaf, LEDGER_HASH_BYTES))
    return index_damaged(store, "a record's row");
  view->record_count++;
  return COOP_OK;
}

static int record_order(const void *a, const void *b)
{
  const ledger_month_record *x = a, *y = b;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int period_order(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The records of periods[0..count) (NULL: all), in log order. */
static coop_err read_records(ledger_store *store, log_view *view, const uint32_t *periods,
                             size_t count)
{
  sqlite3_stmt *all = ledger_store_cached(
      store, "SELECT entry_index, audience, leaf, date, period, type, memo_type, quantity,"
             " revenue, costs, allowance, spend FROM audit_records WHERE log_no = " LOG_NO);
  sqlite3_stmt *month = ledger_store_cached(
      store, "SELECT entry_index, audience, leaf, date, period, type, memo_type, quantity,"
             " revenue, costs, allowance, spend FROM audit_records"
             " WHERE log_no = " LOG_NO " AND period = ?2");
  if (!all || !month)
    return COOP_E_DB;
  /* Each month once (a caller passes one per statement): sorted, unique. */
  uint32_t *months = periods ? coop_calloc(count + 1, sizeof *months) : NULL;
  if (periods && !months)
    return COOP_E_NOMEM;
  if (count)
    memcpy(months, periods, count * sizeof *months);
  if (count > 1)
    qsort(months, count, sizeof *months, period_order);
  coop_err err = COOP_OK;
  for (size_t p = 0; p < (periods ? count : 1) && !err; p++) {
    if (periods && p && months[p] == months[p - 1])
      continue;
    sqlite3_stmt *select = periods ? month : all;
    sqlite3_bind_blob(select, 1, view->log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
    if (periods)
      sqlite3_bind_int64(select, 2, months[p]);
    while (!err && sqlite3_step(select) == SQLITE_ROW)
      err = read_record(store, select, view);
    sqlite3_reset(select);
  }
  coop_free(months);
  if (!err && view->record_count)
    qsort(view->records, view->record_count, sizeof *view->records, record_order);
  return err;
}

/* Every record of the view is a member's (a row of nobody is damage). */
static coop_err records_of_members(ledger_store *store, const log_view *view)
{
  for (size_t i = 0; i < view->record_count; i++)
    if (!log_view_member(view, view->records[i].audience))
      return index_damaged(store, "a record of nobody");
  return COOP_OK;
}

coop_err index_read_view(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                         int what, const uint32_t *periods, size_t count, log_view *view,
                         audit_index_log *state)
{
  memset(view, 0, sizeof *view);
  memcpy(view->log_id, log_id, LEDGER_LOG_ID_BYTES);
  audit_index_log own_state;
  coop_err err = read_log_row(store, view, state ? state : &own_state);
  if (!err)
    err = read_members(store, view);
  if (!err)
    err = read_lists(store, view);
  if (!err)
    err = log_view_reindex(view); /* the audiences, so statements find their member */
  if (!err && (what & READ_STATEMENTS))
    err = read_statements(store, view);
  if (!err && (what & READ_RECORDS))
    err = read_records(store, view, periods, count);
  if (!err)
    err = records_of_members(store, view);
  for (size_t i = 0; !err && i < view->statement_count; i++)
    if (!log_view_member(view, view->statements[i].audience))
      err = index_damaged(store, "a statement of nobody");
  if (!err)
    err = log_view_reindex(view);
  if (err)
    log_view_free(view);
  return err;
}

coop_err audit_index_view(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                          const uint32_t *periods, size_t count, log_view *view)
{
  return index_read_view(self->store, log_id, READ_STATEMENTS | READ_RECORDS, periods, count,
                         view, NULL);
}

coop_err audit_index_add_records(node *self, log_view *view, const uint32_t *periods,
                                 size_t count)
{
  coop_err err = read_records(self->store, view, periods, count);
  if (!err)
    err = records_of_members(self->store, view);
  if (!err)
    err = log_view_reindex(view);
  return err;
}

coop_err audit_index_skeleton(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              log_view *view)
{
  return index_read_view(self->store, log_id, READ_SKELETON, NULL, 0, view, NULL);
}

/* ---- Catching up ---------------------------------------------------------------------- */

/* The memory a kept log holds, near enough to bound them all. */
size_t index_kept_bytes(const log_view *view, const audit_index_texts *texts)
{
  return texts->bytes.len + texts->count * sizeof *texts->items +
         view->record_count * (sizeof *view->records + sizeof(size_t)) +
         view->statement_count * (sizeof *view->statements + sizeof(size_t)) +
         view->member_count * sizeof *view->members;
}

/* Hands a log read from 0 (its whole view, as the tables now hold it) to
 * `kept` when there is room; true when taken (the caller no longer owns
 * `view` and `texts`). */
bool index_kept_take(audit_index_kept *kept, log_view *view, audit_index_texts *texts,
                     uint64_t size)
{
  size_t bytes = index_kept_bytes(view, texts);
  if (!kept || bytes > kept->bytes_max - kept->bytes ||
      coop_grow((void **)&kept->logs, &kept->capacity, kept->count, sizeof *kept->logs))
    return false;
  kept->logs[kept->count++] = (audit_index_kept_log){*view, *texts, size};
  kept->bytes += bytes;
  return true;
}

audit_index_kept_log *audit_index_kept_find(audit_index_kept *kept,
                                            const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  for (size_t i = 0; i < kept->count; i++)
    if (!memcmp(kept->logs[i].view.log_id, log_id, LEDGER_LOG_ID_BYTES))
      return &kept->logs[i];
  return NULL;
}

void audit_index_kept_free(audit_index_kept *kept)
{
  for (size_t i = 0; i < kept->count; i++) {
    log_view_free(&kept->logs[i].view);
    audit_index_texts_free(&kept->logs[i].texts);
  }
  coop_free(kept->logs);
  kept->logs = NULL;
  kept->count = kept->capacity = kept->bytes = 0;
}

/* Reads `log_id` from where the tables end to `size`; a log read from 0
 * goes to `kept` (NULL: none) when there is room. */
static coop_err log_catch_up(node *self, node_key_ring *ring,
                             const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size,
                             audit_index_kept *kept)
{
  ledger_store *store = self->store;
  log_view view;
  audit_index_log state = {0};
  coop_err err = index_read_view(store, log_id, READ_SKELETON, NULL, 0, &view, &state);
  bool known = err != COOP_E_NOT_FOUND;
  if (err == COOP_E_NOT_FOUND) {
    memset(&view, 0, sizeof view);
    memcpy(view.log_id, log_id, LEDGER_LOG_ID_BYTES);
    err = COOP_OK;
  }
  if (err)
    return err;
  if (state.indexed_size > size) {
    log_view_free(&view);
    return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                                    "the audit tables say a log has %llu entries, it holds %llu;"
                                    " run 'coop rebuild'",
                                    (unsigned long long)state.indexed_size,
                                    (unsigned long long)size);
  }
  bool fresh = state.indexed_size == 0, reread = false;
  member_digests before = {NULL, 0};
  if (state.indexed_size < size)
    err = digests_of(&view, &before);
  audit_index_texts texts;
  index_texts_init(&texts);
  if (!err && state.indexed_size < size)
    err = index_extend_with_texts(ring, &view, state.indexed_size, size, &texts, &reread);
  if (!err && reread) {
    /* An erasure or a late key: what was read before reads otherwise. */
    log_view_free(&view);
    memcpy(view.log_id, log_id, LEDGER_LOG_ID_BYTES);
    audit_index_texts_free(&texts);
    index_texts_init(&texts);
    fresh = true;
    err = index_extend_with_texts(ring, &view, 0, size, &texts, &reread);
  }
  if (!err && state.indexed_size < size)
    err = index_write_log(store, &view, &texts, &before, size, fresh, known);
  coop_free(before.items);
  if (!err && fresh && state.indexed_size < size && index_kept_take(kept, &view, &texts, size))
    return COOP_OK;
  audit_index_texts_free(&texts);
  log_view_free(&view);
  return err;
}

/* ---- The own log's verdicts, and bringing the tables up to date ----------------------- */

/* One verdict of the own log: opened with the key of the coop log its
 * audience is of, and kept when it names that log (as audit.c's
 * scan_verdict keeps it for that coop log). */
static coop_err walk_verdict(void *context, const ledger_stored_entry *entry)
{
  verdict_walk *walk = context;
  uint16_t kind = entry->header.kind;
  if (entry->header.index >= walk->to)
    return COOP_E_LIMIT;
  if (kind == LEDGER_KIND_ERASURE)
    walk->erasure = true;
  if (entry->erased || (kind != LEDGER_KIND_ACKNOWLEDGEMENT && kind != LEDGER_KIND_DISPUTE))
    return COOP_OK;
  uint8_t(*logs)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0;
  coop_err err = walk->grantors(walk->grantors_context, entry->header.audience_id, &logs, &count);
  for (size_t i = 0; i < count && !err; i++) {
    size_t plain_bytes = 0;
    bool opened = false;
    err = node_key_ring_open(walk->ring, logs[i], entry, walk->plain, &plain_bytes, &opened);
    if (err == COOP_E_TAMPERED) {
      err = COOP_OK; /* not sealed under this coop's key */
      continue;
    }
    ledger_verdict verdict;
    bool dispute = kind == LEDGER_KIND_DISPUTE;
    if (err || !opened ||
        ledger_verdict_decode(walk->plain, plain_bytes, dispute, &verdict) ||
        memcmp(verdict.coop_log, logs[i], LEDGER_LOG_ID_BYTES))
      continue;
    err = walk->sink(walk->sink_context, &verdict, dispute, entry->header.index, walk->plain,
                     plain_bytes);
  }
  coop_free(logs);
  return err;
}

coop_err index_walk_verdicts(node *self, verdict_walk *walk, uint64_t from)
{
  walk->plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  if (!walk->plain)
    return COOP_E_NOMEM;
  coop_err err = ledger_store_entries(self->store, self->identity.public_key, from, walk_verdict,
                                      walk);
  if (err == COOP_E_LIMIT)
    err = COOP_OK;
  sodium_memzero(walk->plain, COOP_PAYLOAD_BYTES_MAX);
  coop_free(walk->plain);
  return err;
}

static coop_err grantors_from_table(void *context, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                    uint8_t (**logs)[LEDGER_LOG_ID_BYTES], size_t *count)
{
  ledger_store *store = context;
  sqlite3_stmt *select =
      ledger_store_cached(store, "SELECT l.log_id FROM audit_audiences AS a"
                                 " JOIN audit_logs AS l USING (log_no) WHERE a.audience = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, audience, LEDGER_AUDIENCE_ID_BYTES, SQLITE_STATIC);
  size_t capacity = 0;
  coop_err err = COOP_OK;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    err = coop_grow((void **)logs, &capacity, *count, LEDGER_LOG_ID_BYTES);
    if (!err && !index_blob_copy(select, 0, (*logs)[*count], LEDGER_LOG_ID_BYTES))
      err = index_damaged(store, "an audience's log");
    if (!err)
      (*count)++;
  }
  sqlite3_reset(select);
  return err;
}

static coop_err verdict_to_table(void *context, const ledger_verdict *verdict, bool dispute,
                                 uint64_t index, const uint8_t *plain, size_t plain_bytes)
{
  ledger_store *store = context;
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO audit_verdicts (coop_log, statement_index, verdict_index, dispute,"
             " payload) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_blob(insert, 1, verdict->coop_log, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 2, (int64_t)verdict->statement_index);
  sqlite3_bind_int64(insert, 3, (int64_t)index);
  sqlite3_bind_int(insert, 4, dispute);
  sqlite3_bind_blob(insert, 5, plain, (int)plain_bytes, SQLITE_STATIC);
  coop_err err = step_done(insert);
  sqlite3_clear_bindings(insert);
  return err;
}

static coop_err wipe_rows(ledger_store *store)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i + 1 < TABLE_COUNT && !err; i++) { /* all but audit_state */
    char sql[64];
    snprintf(sql, sizeof sql, "DELETE FROM %s", index_table_names[i]);
    err = ledger_store_exec(store, sql);
  }
  return err ? err : state_set(store, "own_size", 0);
}

/* An erasure in the own log (following a coop's, or the retention of our
 * copies) removes payloads of entries already read: start over. */
typedef struct erasure_search {
  uint64_t to;
  bool found;
} erasure_search;

static coop_err find_erasure(void *context, const ledger_stored_entry *entry)
{
  erasure_search *search = context;
  if (entry->header.index >= search->to)
    return COOP_E_LIMIT;
  search->found = entry->header.kind == LEDGER_KIND_ERASURE;
  return search->found ? COOP_E_LIMIT : COOP_OK;
}

static coop_err own_erasures(node *self, uint64_t from, uint64_t size, bool *any)
{
  erasure_search search = {.to = size, .found = false};
  coop_err err = ledger_store_entries(self->store, self->identity.public_key, from, find_erasure,
                                      &search);
  *any = search.found;
  return err == COOP_E_LIMIT ? COOP_OK : err;
}

/* Do the tables hold no log (new, rebuilt, or started over)? */
static coop_err tables_empty(ledger_store *store, bool *empty)
{
  sqlite3_stmt *select =
      ledger_store_cached(store, "SELECT NOT EXISTS (SELECT 1 FROM audit_logs)");
  if (!select)
    return COOP_E_DB;
  int step = sqlite3_step(select);
  *empty = step == SQLITE_ROW && sqlite3_column_int(select, 0);
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

static coop_err update_all(node *self, node_key_ring *ring, uint64_t *entries,
                           audit_index_kept *kept)
{
  ledger_store *store = self->store;
  int64_t own_indexed = 0;
  uint64_t own_size = 0;
  bool erasure = false;
  coop_err err = index_state_get(store, "own_size", &own_indexed);
  if (!err)
    err = ledger_store_size(store, self->identity.public_key, &own_size);
  if (!err && (uint64_t)own_indexed > own_size)
    err = ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                                   "the audit tables are ahead of this node's own log;"
                                   " run 'coop rebuild'");
  if (!err)
    err = own_erasures(self, (uint64_t)own_indexed, own_size, &erasure);
  if (!err && erasure) {
    err = wipe_rows(store);
    own_indexed = 0;
  }
  uint8_t(*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0;
  if (!err)
    err = ledger_store_log_ids(store, &ids, &count);
  bool empty = false, piped = false;
  /* Tables that hold no log (new, rebuilt, started over) read every log
   * from 0: worth a writer thread from two logs on (the own log is one). */
  if (!err && count > 2 && audit_index_threads_on())
    err = tables_empty(store, &empty);
  if (!err && empty) {
    err = ledger_store_commit(store);
    if (!err)
      err = index_all_from_zero(self, ring, ids, count, kept, entries, &piped);
    coop_err begun = ledger_store_begin(store);
    err = err ? err : begun;
  }
  for (size_t i = 0; i < count && !err && !piped; i++) {
    uint64_t size = 0;
    if (!memcmp(ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      continue;
    err = ledger_store_size(store, ids[i], &size);
    if (!err)
      err = log_catch_up(self, ring, ids[i], size, kept);
    /* One transaction per log: a log's rows fit the page cache and are
     * written once at the commit, where one transaction over every log
     * spills them to the WAL midway.  Each commit leaves the tables whole
     * (a log's rows with its indexed size). */
    if (!err)
      err = ledger_store_commit(store);
    if (!err)
      err = ledger_store_begin(store);
    if (entries)
      *entries += size;
  }
  coop_free(ids);
  verdict_walk walk = {.ring = ring, .grantors = grantors_from_table, .grantors_context = store,
                       .sink = verdict_to_table, .sink_context = store, .to = own_size};
  if (!err && (uint64_t)own_indexed < own_size)
    err = index_walk_verdicts(self, &walk, (uint64_t)own_indexed);
  if (!err)
    err = state_set(store, "own_size", (int64_t)own_size);
  return err;
}

/* Brings the tables up to date in write transactions (update_all commits
 * after each log and begins the next). */
static coop_err in_transaction(node *self, bool again, node_key_ring *ring, uint64_t *entries,
                               audit_index_kept *kept)
{
  coop_err err = ledger_store_begin(self->store);
  if (err)
    return err;
  err = schema_ready(self->store, again);
  if (!err)
    err = update_all(self, ring, entries, kept);
  if (!err)
    err = ledger_store_commit(self->store);
  else
    ledger_store_rollback(self->store);
  return err;
}

/* Are the tables at this version and every log at its indexed size? Then
 * a reader needs no write transaction (the web app's report, every page). */
static bool up_to_date(node *self)
{
  ledger_store *store = self->store;
  bool present = false;
  int64_t version = 0, own_indexed = -1;
  uint64_t own_size = 0;
  if (!index_tables_present(store, &present) || !present ||
      index_state_get(store, "version", &version) || version != AUDIT_INDEX_VERSION ||
      index_state_get(store, "own_size", &own_indexed) ||
      ledger_store_size(store, self->identity.public_key, &own_size) ||
      (uint64_t)own_indexed != own_size)
    return false;
  uint8_t(*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0;
  bool current = !ledger_store_log_ids(store, &ids, &count);
  for (size_t i = 0; i < count && current; i++) {
    uint64_t size = 0;
    audit_index_log state;
    if (!memcmp(ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      continue;
    current = !ledger_store_size(store, ids[i], &size) &&
              !audit_index_log_state(self, ids[i], &state) && state.indexed_size == size;
  }
  coop_free(ids);
  return current;
}

coop_err audit_index_update(node *self, node_key_ring *ring)
{
  if (up_to_date(self))
    return COOP_OK;
  return in_transaction(self, false, ring, NULL, NULL);
}

coop_err audit_index_update_keeping(node *self, node_key_ring *ring, audit_index_kept *kept)
{
  if (up_to_date(self))
    return COOP_OK;
  coop_err err = in_transaction(self, false, ring, NULL, kept);
  if (err)
    audit_index_kept_free(kept);
  return err;
}

coop_err audit_index_own_verdicts_in(ledger_store *store, uint64_t from,
                                     const audit_index_verdict_row *rows, size_t count)
{
  int64_t own_indexed = 0;
  coop_err err = index_state_get(store, "own_size", &own_indexed);
  if (err || (uint64_t)own_indexed != from)
    return err;
  for (size_t i = 0; i < count && !err; i++) {
    ledger_verdict verdict;
    memcpy(verdict.coop_log, rows[i].coop_log, LEDGER_LOG_ID_BYTES);
    verdict.statement_index = rows[i].statement_index;
    err = verdict_to_table(store, &verdict, rows[i].dispute, from + i, rows[i].payload,
                           rows[i].payload_bytes);
  }
  return err ? err : state_set(store, "own_size", (int64_t)(from + count));
}

coop_err audit_index_own_verdicts(node *self, uint64_t from, const audit_index_verdict_row *rows,
                                  size_t count)
{
  return audit_index_own_verdicts_in(self->store, from, rows, count);
}

coop_err audit_index_rebuild(node *self, uint64_t *entries)
{
  uint64_t read = 0;
  coop_err err = in_transaction(self, true, node_keys(self), &read, NULL);
  if (entries)
    *entries = read;
  return err;
}

/* ---- Lookups -------------------------------------------------------------------------- */

coop_err audit_index_log_state(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                               audit_index_log *state)
{
  log_view view;
  memset(&view, 0, sizeof view);
  memcpy(view.log_id, log_id, LEDGER_LOG_ID_BYTES);
  memset(state, 0, sizeof *state);
  coop_err err = read_log_row(self->store, &view, state);
  return err == COOP_E_NOT_FOUND ? COOP_OK : err;
}

coop_err audit_index_mark_judged(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                 uint64_t size, uint64_t ours)
{
  sqlite3_stmt *update = ledger_store_cached(
      self->store, "UPDATE audit_logs SET judged_size = ?2, ours = ?3 WHERE log_id = ?1");
  if (!update)
    return COOP_E_DB;
  sqlite3_bind_blob(update, 1, log_id, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(update, 2, (int64_t)size);
  sqlite3_bind_int64(update, 3, (int64_t)ours);
  coop_err err = step_done(update);
  sqlite3_clear_bindings(update);
  return err;
}

coop_err audit_index_judged(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                            uint64_t **indexes, size_t *count)
{
  *indexes = NULL;
  *count = 0;
  sqlite3_stmt *select = ledger_store_cached(
      self->store, "SELECT DISTINCT statement_index FROM audit_verdicts WHERE coop_log = ?1"
                   " ORDER BY statement_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, coop_log, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  size_t capacity = 0;
  coop_err err = COOP_OK;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    err = coop_grow((void **)indexes, &capacity, *count, sizeof **indexes);
    if (!err)
      (*indexes)[(*count)++] = (uint64_t)sqlite3_column_int64(select, 0);
  }
  sqlite3_reset(select);
  return err;
}

coop_err audit_index_verdicts(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                              uint64_t statement_index, audit_index_verdict_visitor visitor,
                              void *context)
{
  sqlite3_stmt *select = ledger_store_cached(
      self->store, "SELECT verdict_index, dispute, payload FROM audit_verdicts"
                   " WHERE coop_log = ?1 AND statement_index = ?2 ORDER BY verdict_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, coop_log, LEDGER_LOG_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(select, 2, (int64_t)statement_index);
  coop_err err = COOP_OK;
  while (!err && sqlite3_step(select) == SQLITE_ROW) {
    bool dispute = sqlite3_column_int(select, 1) != 0;
    ledger_verdict verdict;
    if (ledger_verdict_decode(sqlite3_column_blob(select, 2),
                              (size_t)sqlite3_column_bytes(select, 2), dispute, &verdict) ||
        memcmp(verdict.coop_log, coop_log, LEDGER_LOG_ID_BYTES) ||
        verdict.statement_index != statement_index)
      err = index_damaged(self->store, "a verdict's row");
    else
      err = visitor(context, &verdict, dispute, (uint64_t)sqlite3_column_int64(select, 0));
  }
  sqlite3_reset(select);
  return err;
}
