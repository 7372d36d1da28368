/* The books' derived tables (see books_index.h). */
#include "ledger/books_index.h"

#include <string.h>

#include <sodium.h>

#include "ledger/alloc.h"
#include "ledger/hex.h"
#include "ledger/seal.h"
#include "ledger/statement.h"
#include "ledger/store_int.h"

#define STEP_DONE(statement) (sqlite3_step(statement) == SQLITE_DONE ? COOP_OK : COOP_E_DB)

static void bind_text(sqlite3_stmt *statement, int column, const char *text)
{
  sqlite3_bind_text(statement, column, text, -1, SQLITE_TRANSIENT);
}

/* ---- state -------------------------------------------------------------- */

static coop_err state_get_int(ledger_store *store, const char *name, int64_t *value)
{
  sqlite3_stmt *select = store_cached(store, "SELECT value FROM books_state WHERE name = ?1");
  if (!select)
    return COOP_E_DB;
  bind_text(select, 1, name);
  int step = sqlite3_step(select);
  *value = step == SQLITE_ROW ? sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW || step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

static coop_err state_set(ledger_store *store, const char *name, int64_t number,
                          const uint8_t *blob, size_t blob_bytes)
{
  sqlite3_stmt *upsert =
      store_cached(store, "INSERT OR REPLACE INTO books_state (name, value) VALUES (?1, ?2)");
  if (!upsert)
    return COOP_E_DB;
  bind_text(upsert, 1, name);
  if (blob)
    sqlite3_bind_blob(upsert, 2, blob, (int)blob_bytes, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64(upsert, 2, number);
  coop_err err = STEP_DONE(upsert);
  sqlite3_reset(upsert);
  return err;
}

coop_err ledger_books_indexed_size(ledger_store *store, uint64_t *size)
{
  int64_t value = 0;
  coop_err err = state_get_int(store, "indexed_size", &value);
  *size = (uint64_t)value;
  return err;
}

coop_err ledger_books_set_indexed_size(ledger_store *store, uint64_t size)
{
  return state_set(store, "indexed_size", (int64_t)size, NULL, 0);
}

coop_err ledger_books_audience(ledger_store *store, uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  sqlite3_stmt *select =
      store_cached(store, "SELECT value FROM books_state WHERE name = 'books_audience'");
  if (!select)
    return COOP_E_DB;
  int step = sqlite3_step(select);
  coop_err err = COOP_E_NOT_FOUND;
  if (step == SQLITE_ROW && sqlite3_column_bytes(select, 0) == LEDGER_AUDIENCE_ID_BYTES) {
    memcpy(audience_id, sqlite3_column_blob(select, 0), LEDGER_AUDIENCE_ID_BYTES);
    err = COOP_OK;
  } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
    err = COOP_E_DB;
  }
  sqlite3_reset(select);
  return err;
}

/* ---- applying entries ---------------------------------------------------- */

static coop_err apply_books(ledger_store *store, const uint8_t *plain, size_t plain_bytes)
{
  if (plain_bytes != LEDGER_BOOKS_PAYLOAD_BYTES || plain[0] != 1 ||
      coop_get_u16le(plain + 17) != LEDGER_CHART_VERSION)
    return COOP_E_TAMPERED;
  uint8_t existing[LEDGER_AUDIENCE_ID_BYTES];
  /* The first declaration stands; a later one would re-key the books. */
  if (ledger_books_audience(store, existing) == COOP_OK)
    return COOP_OK;
  return state_set(store, "books_audience", 0, plain + 1, LEDGER_AUDIENCE_ID_BYTES);
}

static coop_err apply_period_close(ledger_store *store, uint64_t index, const uint8_t *plain,
                                   size_t plain_bytes)
{
  if (plain_bytes != LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES || plain[0] != 1 ||
      !ledger_period_valid(coop_get_u32le(plain + 1)))
    return COOP_E_TAMPERED;
  sqlite3_stmt *insert = store_cached(
      store, "INSERT OR IGNORE INTO books_periods (period, entry_index) VALUES (?1, ?2)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_int64(insert, 1, coop_get_u32le(plain + 1));
  sqlite3_bind_int64(insert, 2, (int64_t)index);
  coop_err err = STEP_DONE(insert);
  sqlite3_reset(insert);
  return err;
}

static coop_err insert_member(ledger_store *store, const ledger_entry_header *header,
                              const ledger_member_payload *member)
{
  static const uint8_t no_key[LEDGER_PUBLIC_KEY_BYTES];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  ledger_member_id(header->audience_id, member_id);
  sqlite3_stmt *insert = store_cached(
      store, "INSERT INTO books_members (member_id, audience_id, entry_index, name,"
             " municipality, client_ref, member_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert)
    return COOP_E_DB;
  bind_text(insert, 1, member_id);
  sqlite3_bind_blob(insert, 2, header->audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 3, (int64_t)header->index);
  bind_text(insert, 4, member->name);
  sqlite3_bind_blob(insert, 5, member->municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  bind_text(insert, 6, member->client_ref);
  if (memcmp(member->member_key, no_key, sizeof no_key))
    sqlite3_bind_blob(insert, 7, member->member_key, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  /* A second enrolment under one audience (or a clashing member id) cannot
   * come from coop itself: treat it as tampering. */
  return step == SQLITE_DONE ? COOP_OK : step == SQLITE_CONSTRAINT ? COOP_E_TAMPERED : COOP_E_DB;
}

static coop_err insert_member_status(ledger_store *store, const ledger_entry_header *header,
                                     const ledger_member_payload *member)
{
  ledger_member_row row;
  coop_err err = ledger_books_member_by_audience(store, header->audience_id, &row);
  if (err)
    return err == COOP_E_NOT_FOUND ? COOP_E_TAMPERED : err;
  sqlite3_stmt *insert = store_cached(
      store, "INSERT INTO books_member_status (member_id, field, from_period, value, entry_index)"
             " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert)
    return COOP_E_DB;
  bind_text(insert, 1, row.member_id);
  sqlite3_bind_int(insert, 2, member->field);
  sqlite3_bind_int64(insert, 3, member->from_period);
  sqlite3_bind_int64(insert, 4, member->value);
  sqlite3_bind_int64(insert, 5, (int64_t)header->index);
  err = STEP_DONE(insert);
  sqlite3_reset(insert);
  return err;
}

static coop_err apply_member(ledger_store *store, const ledger_entry_header *header,
                             const uint8_t *plain, size_t plain_bytes)
{
  ledger_member_payload member;
  if (ledger_entry_is_public(header) ||
      ledger_member_decode(plain, plain_bytes, &member) != COOP_OK)
    return COOP_E_TAMPERED;
  if (member.action == LEDGER_MEMBER_ENROL)
    return insert_member(store, header, &member);
  return insert_member_status(store, header, &member);
}

static void member_id_text(const uint8_t member[LEDGER_MEMBER_ID_BYTES],
                           char out[LEDGER_MEMBER_ID_CHARS + 1])
{
  static const uint8_t zero[LEDGER_MEMBER_ID_BYTES];
  if (!memcmp(member, zero, sizeof zero)) {
    out[0] = 0;
    return;
  }
  uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
  memcpy(padded, member, LEDGER_MEMBER_ID_BYTES);
  ledger_member_id(padded, out);
}

static coop_err insert_record_row(ledger_store *store, uint64_t index, const ledger_record *record,
                                  const char *member_id)
{
  sqlite3_stmt *insert = store_cached(
      store, "INSERT INTO books_records (entry_index, type, date, member_id, ref, note, quantity,"
             " corrects, corrects_period, memo_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
             " ?9, ?10)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_int64(insert, 1, (int64_t)index);
  sqlite3_bind_int(insert, 2, record->type);
  sqlite3_bind_int64(insert, 3, record->date);
  if (member_id[0])
    bind_text(insert, 4, member_id);
  bind_text(insert, 5, record->ref);
  bind_text(insert, 6, record->note);
  sqlite3_bind_int64(insert, 7, record->quantity);
  if (record->corrects) {
    sqlite3_bind_int64(insert, 8, (int64_t)record->corrects - 1);
    sqlite3_bind_int64(insert, 9, record->corrects_period);
  }
  sqlite3_bind_int(insert, 10, record->memo_type);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : step == SQLITE_CONSTRAINT ? COOP_E_TAMPERED : COOP_E_DB;
}

static coop_err insert_postings(ledger_store *store, uint64_t index, const ledger_record *record,
                                const char *member_id)
{
  sqlite3_stmt *insert = store_cached(
      store, "INSERT INTO books_postings (entry_index, position, date, account, account_code,"
             " member_id, amount_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  for (unsigned i = 0; i < record->posting_count && !err; i++) {
    char account[LEDGER_ACCOUNT_NAME_BYTES];
    err = ledger_account_name(record->postings[i].account, member_id, account);
    if (err)
      break;
    sqlite3_reset(insert);
    sqlite3_bind_int64(insert, 1, (int64_t)index);
    sqlite3_bind_int(insert, 2, (int)i);
    sqlite3_bind_int64(insert, 3, record->date);
    bind_text(insert, 4, account);
    sqlite3_bind_int(insert, 5, record->postings[i].account);
    if (member_id[0])
      bind_text(insert, 6, member_id);
    else
      sqlite3_bind_null(insert, 6);
    sqlite3_bind_int64(insert, 7, record->postings[i].amount_cents);
    err = STEP_DONE(insert);
  }
  sqlite3_reset(insert);
  return err;
}

static coop_err mark_corrected(ledger_store *store, uint64_t index, const ledger_record *record)
{
  sqlite3_stmt *update = store_cached(
      store, "UPDATE books_records SET corrected_by = ?1 WHERE entry_index = ?2"
             " AND corrected_by IS NULL");
  if (!update)
    return COOP_E_DB;
  sqlite3_bind_int64(update, 1, (int64_t)index);
  sqlite3_bind_int64(update, 2, (int64_t)record->corrects - 1);
  coop_err err = STEP_DONE(update);
  /* A correction of a record that is not there, or already corrected, was
   * refused when it was made: finding one here means tampering. */
  if (!err && sqlite3_changes(store->db) != 1)
    err = COOP_E_TAMPERED;
  sqlite3_reset(update);
  return err;
}

static coop_err apply_record(ledger_store *store, const ledger_entry_header *header,
                             const uint8_t *plain, size_t plain_bytes)
{
  ledger_record record;
  if (ledger_entry_is_public(header) || ledger_record_decode(plain, plain_bytes, &record))
    return COOP_E_TAMPERED;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  member_id_text(record.member, member_id);
  coop_err err = insert_record_row(store, header->index, &record, member_id);
  if (!err)
    err = insert_postings(store, header->index, &record, member_id);
  if (!err && record.corrects)
    err = mark_corrected(store, header->index, &record);
  return err;
}

static coop_err apply_statement(ledger_store *store, const ledger_entry_header *header,
                                const uint8_t *plain, size_t plain_bytes)
{
  ledger_statement_payload *statement = coop_malloc(sizeof *statement);
  if (!statement)
    return COOP_E_NOMEM;
  coop_err err = ledger_entry_is_public(header) ||
                         ledger_statement_decode(plain, plain_bytes, statement)
                     ? COOP_E_TAMPERED
                     : COOP_OK;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  if (!err)
    member_id_text(statement->member, member_id);
  sqlite3_stmt *insert = err ? NULL : store_cached(store,
      "INSERT INTO books_statements (member_id, period, entry_index, payload)"
      " VALUES (?1, ?2, ?3, ?4)");
  if (!err && !insert)
    err = COOP_E_DB;
  if (!err) {
    bind_text(insert, 1, member_id);
    sqlite3_bind_int64(insert, 2, statement->period);
    sqlite3_bind_int64(insert, 3, (int64_t)header->index);
    sqlite3_bind_blob(insert, 4, plain, (int)plain_bytes, SQLITE_TRANSIENT);
    err = STEP_DONE(insert);
    sqlite3_reset(insert);
  }
  coop_free(statement);
  return err;
}

coop_err ledger_books_apply(ledger_store *store, const ledger_entry_header *header,
                            const uint8_t *plain, size_t plain_bytes)
{
  switch (header->kind) {
  case LEDGER_KIND_BOOKS: return apply_books(store, plain, plain_bytes);
  case LEDGER_KIND_PERIOD_CLOSE: return apply_period_close(store, header->index, plain, plain_bytes);
  case LEDGER_KIND_MEMBER: return apply_member(store, header, plain, plain_bytes);
  case LEDGER_KIND_TRANSACTION: return apply_record(store, header, plain, plain_bytes);
  case LEDGER_KIND_STATEMENT: return apply_statement(store, header, plain, plain_bytes);
  default: return COOP_OK;
  }
}

/* ---- catching up and rebuilding ----------------------------------------- */

#define KEY_CACHE_SLOTS 1024

typedef struct catch_up {
  ledger_store *store;
  const ledger_identity *owner;
  uint8_t *plain;      /* COOP_PAYLOAD_BYTES_MAX */
  uint8_t *keys;       /* KEY_CACHE_SLOTS * 32, sodium memory */
  uint8_t ids[KEY_CACHE_SLOTS][LEDGER_AUDIENCE_ID_BYTES];
  unsigned cached;
  uint64_t next_index;
} catch_up;

static coop_err cached_key(catch_up *state, const uint8_t *audience_id, const uint8_t **key)
{
  for (unsigned i = 0; i < state->cached; i++)
    if (!memcmp(state->ids[i], audience_id, LEDGER_AUDIENCE_ID_BYTES)) {
      *key = state->keys + 32 * i;
      return COOP_OK;
    }
  /* A full cache recycles its last slot: catch-up of one member's run of
   * entries still hits, and memory stays bounded. */
  unsigned slot = state->cached < KEY_CACHE_SLOTS ? state->cached++ : KEY_CACHE_SLOTS - 1;
  coop_err err = ledger_store_audience_key(state->store, state->owner, state->owner->public_key,
                                           audience_id, state->keys + 32 * slot);
  if (err) {
    state->cached = slot;
    return err;
  }
  memcpy(state->ids[slot], audience_id, LEDGER_AUDIENCE_ID_BYTES);
  *key = state->keys + 32 * slot;
  return COOP_OK;
}

static coop_err catch_up_entry(void *context, const ledger_stored_entry *entry)
{
  catch_up *state = context;
  state->next_index = entry->header.index + 1;
  uint16_t kind = entry->header.kind;
  if (kind != LEDGER_KIND_BOOKS && kind != LEDGER_KIND_PERIOD_CLOSE &&
      kind != LEDGER_KIND_MEMBER && kind != LEDGER_KIND_TRANSACTION &&
      kind != LEDGER_KIND_STATEMENT)
    return COOP_OK;
  if (!entry->payload)
    return COOP_OK; /* erased: the member's data is gone on purpose */
  if (ledger_entry_is_public(&entry->header))
    return ledger_books_apply(state->store, &entry->header, entry->payload, entry->payload_bytes);
  const uint8_t *key = NULL;
  coop_err err = cached_key(state, entry->header.audience_id, &key);
  size_t plain_bytes = 0;
  if (!err)
    err = ledger_open_payload(key, entry->header_bytes, entry->payload, entry->payload_bytes,
                              state->plain, &plain_bytes);
  if (err == COOP_E_CRYPTO)
    err = COOP_E_TAMPERED;
  if (!err)
    err = ledger_books_apply(state->store, &entry->header, state->plain, plain_bytes);
  return err;
}

static coop_err catch_up_from(ledger_store *store, const ledger_identity *owner, uint64_t from)
{
  catch_up state = {.store = store, .owner = owner, .next_index = from};
  state.plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  state.keys = sodium_malloc(KEY_CACHE_SLOTS * 32);
  coop_err err = state.plain && state.keys ? COOP_OK : COOP_E_NOMEM;
  if (!err)
    err = ledger_store_entries(store, owner->public_key, from, catch_up_entry, &state);
  if (!err && state.next_index != from)
    err = ledger_books_set_indexed_size(store, state.next_index);
  coop_free(state.plain);
  if (state.keys)
    sodium_free(state.keys);
  return err;
}

coop_err ledger_books_catch_up(ledger_store *store, const ledger_identity *owner)
{
  uint64_t indexed = 0, size = 0;
  coop_err err = ledger_books_indexed_size(store, &indexed);
  if (!err)
    err = ledger_store_size(store, owner->public_key, &size);
  if (err || indexed >= size)
    return err;
  return catch_up_from(store, owner, indexed);
}

coop_err ledger_books_rebuild(ledger_store *store, const ledger_identity *owner)
{
  coop_err err = ledger_store_set_cache(store, LEDGER_STORE_CACHE_BOOKS_BYTES);
  if (!err)
    err = ledger_store_begin(store);
  if (err)
    return err;
  err = store_exec(store, "DELETE FROM books_state; DELETE FROM books_members;"
                          " DELETE FROM books_member_status; DELETE FROM books_records;"
                          " DELETE FROM books_postings; DELETE FROM books_periods;"
                          " DELETE FROM books_statements;");
  if (!err)
    err = catch_up_from(store, owner, 0);
  if (!err)
    err = ledger_store_commit(store);
  if (err)
    ledger_store_rollback(store);
  return err;
}
