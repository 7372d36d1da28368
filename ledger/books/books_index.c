/* The books' derived tables (see books_index.h). */
#include "ledger/books/books_index.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/books_sql.h"
#include "ledger/books/statement.h"
#include "ledger/log/seal.h"
#include "ledger/log/erasure.h"
#include "ledger/store/store_sql.h"

#define STEP_DONE(statement) (sqlite3_step(statement) == SQLITE_DONE ? COOP_OK : COOP_E_DB)

static void bind_text(sqlite3_stmt *statement, int column, const char *text)
{
  sqlite3_bind_text(statement, column, text, -1, SQLITE_TRANSIENT);
}

/* ---- state -------------------------------------------------------------- */

static coop_err state_get_int(ledger_store *store, const char *name, int64_t *value)
{
  sqlite3_stmt *select = ledger_store_cached(store, "SELECT value FROM books_state WHERE name = ?1");
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
      ledger_store_cached(store, "INSERT OR REPLACE INTO books_state (name, value) VALUES (?1, ?2)");
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
      ledger_store_cached(store, "SELECT value FROM books_state WHERE name = 'books_audience'");
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
  ledger_books_payload books;
  if (ledger_books_decode(plain, plain_bytes, &books))
    return COOP_E_TAMPERED;
  uint8_t existing[LEDGER_AUDIENCE_ID_BYTES];
  /* The first declaration stands; a later one would re-key the books. */
  if (ledger_books_audience(store, existing) == COOP_OK)
    return COOP_OK;
  return state_set(store, "books_audience", 0, books.audience_id, LEDGER_AUDIENCE_ID_BYTES);
}

static coop_err apply_period_close(ledger_store *store, uint64_t index, const uint8_t *plain,
                                   size_t plain_bytes)
{
  uint32_t period = 0;
  if (ledger_period_close_decode(plain, plain_bytes, &period))
    return COOP_E_TAMPERED;
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT OR IGNORE INTO books_periods (period, entry_index) VALUES (?1, ?2)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_int64(insert, 1, period);
  sqlite3_bind_int64(insert, 2, (int64_t)index);
  coop_err err = STEP_DONE(insert);
  sqlite3_reset(insert);
  return err;
}

/* Years close in order (node/year_close.c): the latest closed year and
 * the entry that closed it. */
static coop_err apply_year_close(ledger_store *store, uint64_t index, const uint8_t *plain,
                                 size_t plain_bytes)
{
  uint32_t year = 0;
  if (ledger_year_close_decode(plain, plain_bytes, &year))
    return COOP_E_TAMPERED;
  int64_t closed = 0;
  char name[32];
  snprintf(name, sizeof name, "year_close:%u", (unsigned)year);
  coop_err err = state_get_int(store, "closed_year", &closed);
  if (err || closed >= (int64_t)year)
    return err;
  err = state_set(store, "closed_year", year, NULL, 0);
  return err ? err : state_set(store, name, (int64_t)index, NULL, 0);
}

coop_err ledger_books_closed_year(ledger_store *store, uint32_t *year)
{
  int64_t value = 0;
  coop_err err = state_get_int(store, "closed_year", &value);
  *year = err ? 0 : (uint32_t)value;
  return err;
}

coop_err ledger_books_year_close_entry(ledger_store *store, uint32_t year, uint64_t *entry_index)
{
  int64_t value = 0;
  char name[32];
  snprintf(name, sizeof name, "year_close:%u", (unsigned)year);
  coop_err err = state_get_int(store, name, &value);
  *entry_index = err ? 0 : (uint64_t)value;
  return err;
}

/* The first declaration stands, as for the books audience: a second one
 * could move the first month past records already made. */
static coop_err apply_period_open(ledger_store *store, const uint8_t *plain, size_t plain_bytes)
{
  uint32_t period = 0;
  if (ledger_period_open_decode(plain, plain_bytes, &period))
    return COOP_E_TAMPERED;
  int64_t first = 0;
  coop_err err = state_get_int(store, "first_month", &first);
  if (err || first)
    return err;
  return state_set(store, "first_month", period, NULL, 0);
}

static coop_err insert_member(ledger_store *store, const ledger_entry_header *header,
                              const ledger_member_payload *member)
{
  static const uint8_t no_key[LEDGER_PUBLIC_KEY_BYTES];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  ledger_member_id(header->audience_id, member_id);
  sqlite3_stmt *insert = ledger_store_cached(
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

/* The member whose audience (now, or before a move) `audience_id` is. */
static coop_err member_of_audience(ledger_store *store, const uint8_t *audience_id,
                                   ledger_member_row *row)
{
  coop_err err = ledger_books_member_by_audience(store, audience_id, row);
  if (err != COOP_E_NOT_FOUND)
    return err;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT member_id FROM books_moves WHERE previous_audience_id = ?1 LIMIT 1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  char member_id[LEDGER_MEMBER_ID_CHARS + 1] = "";
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW)
    snprintf(member_id, sizeof member_id, "%s", (const char *)sqlite3_column_text(select, 0));
  sqlite3_reset(select);
  if (step != SQLITE_ROW)
    return step == SQLITE_DONE ? COOP_E_NOT_FOUND : COOP_E_DB;
  return ledger_books_member(store, member_id, row);
}

/* A move in (member action 5): her residence from its month on, the one
 * before kept in books_moves.  It must follow her current audience and
 * keep her member id (the new audience's first bytes). */
static coop_err apply_move_in(ledger_store *store, const ledger_entry_header *header,
                              const ledger_member_payload *member)
{
  static const uint8_t no_key[LEDGER_PUBLIC_KEY_BYTES];
  ledger_member_row row;
  coop_err err = ledger_books_member_by_audience(store, member->other_audience, &row);
  if (err)
    return err == COOP_E_NOT_FOUND ? COOP_E_TAMPERED : err;
  if (memcmp(row.audience_id, header->audience_id, LEDGER_MEMBER_ID_BYTES))
    return COOP_E_TAMPERED;
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO books_moves (member_id, from_period, audience_id, municipality,"
             " client_ref, previous_audience_id, previous_municipality, previous_client_ref,"
             " entry_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert)
    return COOP_E_DB;
  bind_text(insert, 1, row.member_id);
  sqlite3_bind_int64(insert, 2, member->from_period);
  sqlite3_bind_blob(insert, 3, header->audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 4, member->municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  bind_text(insert, 5, member->client_ref);
  sqlite3_bind_blob(insert, 6, row.audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert, 7, row.municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  bind_text(insert, 8, row.client_ref);
  sqlite3_bind_int64(insert, 9, (int64_t)header->index);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  if (step != SQLITE_DONE)
    return step == SQLITE_CONSTRAINT ? COOP_E_TAMPERED : COOP_E_DB;
  sqlite3_stmt *update = ledger_store_cached(
      store, "UPDATE books_members SET audience_id = ?2, name = ?3, municipality = ?4,"
             " client_ref = ?5, member_key = ?6 WHERE member_id = ?1");
  if (!update)
    return COOP_E_DB;
  bind_text(update, 1, row.member_id);
  sqlite3_bind_blob(update, 2, header->audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  bind_text(update, 3, member->name);
  sqlite3_bind_blob(update, 4, member->municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  bind_text(update, 5, member->client_ref);
  if (memcmp(member->member_key, no_key, sizeof no_key))
    sqlite3_bind_blob(update, 6, member->member_key, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  err = STEP_DONE(update);
  sqlite3_reset(update);
  return err;
}

static coop_err insert_member_status(ledger_store *store, const ledger_entry_header *header,
                                     const ledger_member_payload *member)
{
  ledger_member_row row;
  coop_err err = member_of_audience(store, header->audience_id, &row);
  if (err)
    return err == COOP_E_NOT_FOUND ? COOP_E_TAMPERED : err;
  sqlite3_stmt *insert = ledger_store_cached(
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

/* New details of an enrolled member; the municipality is hers for good. */
static coop_err update_member(ledger_store *store, const ledger_entry_header *header,
                              const ledger_member_payload *member)
{
  static const uint8_t no_key[LEDGER_PUBLIC_KEY_BYTES];
  sqlite3_stmt *update = ledger_store_cached(
      store, "UPDATE books_members SET name = ?2, client_ref = ?3, member_key = ?4"
             " WHERE audience_id = ?1 AND municipality = ?5");
  if (!update)
    return COOP_E_DB;
  sqlite3_bind_blob(update, 1, header->audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  bind_text(update, 2, member->name);
  bind_text(update, 3, member->client_ref);
  if (memcmp(member->member_key, no_key, sizeof no_key))
    sqlite3_bind_blob(update, 4, member->member_key, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob(update, 5, member->municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_TRANSIENT);
  int step = sqlite3_step(update);
  sqlite3_reset(update);
  if (step != SQLITE_DONE)
    return COOP_E_DB;
  /* Details of nobody, or another municipality: coop never writes that. */
  return sqlite3_changes(ledger_store_db(store)) == 1 ? COOP_OK : COOP_E_TAMPERED;
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
  if (member.action == LEDGER_MEMBER_DETAILS)
    return update_member(store, header, &member);
  if (member.action == LEDGER_MEMBER_MOVE_IN)
    return apply_move_in(store, header, &member);
  if (member.action == LEDGER_MEMBER_MOVE_OUT) /* what counts is the move in */
    return member_of_audience(store, header->audience_id, &(ledger_member_row){0}) ==
                   COOP_E_NOT_FOUND
               ? COOP_E_TAMPERED
               : COOP_OK;
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
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO books_records (entry_index, type, date, member_id, ref, note, quantity,"
             " corrects, corrects_period, memo_type, for_period) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
             " ?7, ?8, ?9, ?10, ?11)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_int64(insert, 1, (int64_t)index);
  sqlite3_bind_int(insert, 2, record->type);
  sqlite3_bind_int64(insert, 3, record->date);
  /* Static, as in insert_posting: the texts outlive the step. */
  if (member_id[0])
    sqlite3_bind_text(insert, 4, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 5, record->ref, -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 6, record->note, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 7, record->quantity);
  if (record->corrects) {
    sqlite3_bind_int64(insert, 8, (int64_t)record->corrects - 1);
    sqlite3_bind_int64(insert, 9, record->corrects_period);
  }
  sqlite3_bind_int(insert, 10, record->memo_type);
  sqlite3_bind_int64(insert, 11, record->for_period);
  int step = sqlite3_step(insert);
  sqlite3_reset(insert);
  return step == SQLITE_DONE ? COOP_OK : step == SQLITE_CONSTRAINT ? COOP_E_TAMPERED : COOP_E_DB;
}

/* A list's key beside the member: the month of the records' dates and its
 * part by day (1 – 8, 9 – 16, 17 – 24, 25 – 31), as month * 4 + part.
 * Parts keep a busy member's row short: each append rewrites the row's
 * text, and a text past ~1,000 bytes moves to overflow pages. */
static uint32_t month_part_of(uint32_t date)
{
  return date / 100 * 4 + (date % 100 - 1) / 8;
}

/* Appends `entries`, a JSON array of entry indexes ("[7,9]", ascending and
 * after every entry already listed), to her list of records dated in
 * `month_part` (books_member_months); the first makes the row.  The texts
 * are joined, not parsed: a list is only ever appended to in entry order. */
static coop_err add_to_member_month(ledger_store *store, const char *member_id,
                                    uint32_t month_part, const char *entries,
                                    size_t entries_bytes)
{
  sqlite3_stmt *upsert = ledger_store_cached(
      store, "INSERT INTO books_member_months (member_id, month, part, entries)"
             " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id, month, part) DO UPDATE SET"
             " entries = substr(entries, 1, length(entries) - 1) || ',' ||"
             " substr(excluded.entries, 2)");
  if (!upsert)
    return COOP_E_DB;
  /* Static: both texts outlive the step. */
  sqlite3_bind_text(upsert, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(upsert, 2, month_part / 4);
  sqlite3_bind_int(upsert, 3, (int)(month_part % 4));
  sqlite3_bind_text(upsert, 4, entries, (int)entries_bytes, SQLITE_STATIC);
  coop_err err = STEP_DONE(upsert);
  sqlite3_reset(upsert);
  return err;
}

/* Writes `number` in decimal at `out` (room for 20 digits); returns the
 * digits written.  The lists' numbers, without printf's parsing of a format
 * for each of an import's records. */
static size_t decimal_of(uint64_t number, char *out)
{
  char digits[20];
  size_t count = 0;
  do {
    digits[count++] = (char)('0' + number % 10);
    number /= 10;
  } while (number);
  for (size_t i = 0; i < count; i++)
    out[i] = digits[count - 1 - i];
  return count;
}

/* One record of hers into her month's list (the record-at-a-time path:
 * catch-up, rebuild, verify's replay). */
static coop_err list_record(ledger_store *store, uint64_t index, const ledger_record *record,
                            const char *member_id)
{
  if (!member_id[0])
    return COOP_OK;
  char entries[24] = "[";
  size_t length = 1 + decimal_of(index, entries + 1);
  entries[length++] = ']';
  return add_to_member_month(store, member_id, month_part_of(record->date), entries, length);
}

/* One row of books_postings, as a record's posting gives it. */
typedef struct posting_row {
  uint64_t entry_index;
  int64_t amount_cents;
  uint32_t date;
  uint16_t account_code;
  uint8_t position;
  uint8_t opening; /* a year-close record's (type 13): a year's opening balance */
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* "" for the coop's own */
  char account[LEDGER_ACCOUNT_NAME_BYTES];
} posting_row;

static coop_err posting_row_of(uint64_t index, const ledger_record *record, unsigned position,
                               const char *member_id, posting_row *row)
{
  row->entry_index = index;
  row->amount_cents = record->postings[position].amount_cents;
  row->date = record->date;
  row->account_code = record->postings[position].account;
  row->position = (uint8_t)position;
  row->opening = record->type == LEDGER_RECORD_YEAR_CLOSE;
  size_t length = strnlen(member_id, LEDGER_MEMBER_ID_CHARS);
  memcpy(row->member_id, member_id, length);
  row->member_id[length] = 0;
  return ledger_account_name(row->account_code, member_id, row->account);
}

static coop_err insert_posting(ledger_store *store, const posting_row *row)
{
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO books_postings (entry_index, position, date, account, account_code,"
             " member_id, amount_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert)
    return COOP_E_DB;
  sqlite3_bind_int64(insert, 1, (int64_t)row->entry_index);
  sqlite3_bind_int(insert, 2, row->position);
  sqlite3_bind_int64(insert, 3, row->date);
  /* Static: the row outlives the step, and the next use of the statement
   * clears its bindings (ledger_store_cached); saves a copy of each text. */
  sqlite3_bind_text(insert, 4, row->account, -1, SQLITE_STATIC);
  sqlite3_bind_int(insert, 5, row->account_code);
  if (row->member_id[0])
    sqlite3_bind_text(insert, 6, row->member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 7, row->amount_cents);
  coop_err err = STEP_DONE(insert);
  sqlite3_reset(insert);
  return err;
}

/* Adds `postings` postings summing `amount_cents` to an account's month
 * total (books_account_months; the row is made by the first). */
static coop_err add_to_month(ledger_store *store, const posting_row *row, int64_t amount_cents,
                             int64_t postings)
{
  sqlite3_stmt *upsert = ledger_store_cached(
      store, "INSERT INTO books_account_months (account, month, opening, amount_cents, postings)"
             " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account, month, opening) DO UPDATE SET"
             " amount_cents = amount_cents + excluded.amount_cents,"
             " postings = postings + excluded.postings");
  if (!upsert)
    return COOP_E_DB;
  sqlite3_bind_text(upsert, 1, row->account, -1, SQLITE_STATIC);
  sqlite3_bind_int64(upsert, 2, row->date / 100);
  sqlite3_bind_int(upsert, 3, row->opening);
  sqlite3_bind_int64(upsert, 4, amount_cents);
  sqlite3_bind_int64(upsert, 5, postings);
  coop_err err = STEP_DONE(upsert);
  sqlite3_reset(upsert);
  return err;
}

static coop_err insert_postings(ledger_store *store, uint64_t index, const ledger_record *record,
                                const char *member_id)
{
  coop_err err = COOP_OK;
  for (unsigned i = 0; i < record->posting_count && !err; i++) {
    posting_row row;
    err = posting_row_of(index, record, i, member_id, &row);
    if (!err)
      err = insert_posting(store, &row);
    if (!err)
      err = add_to_month(store, &row, row.amount_cents, 1);
  }
  return err;
}

static coop_err mark_corrected(ledger_store *store, uint64_t index, const ledger_record *record)
{
  sqlite3_stmt *update = ledger_store_cached(
      store, "UPDATE books_records SET corrected_by = ?1 WHERE entry_index = ?2"
             " AND corrected_by IS NULL");
  if (!update)
    return COOP_E_DB;
  sqlite3_bind_int64(update, 1, (int64_t)index);
  sqlite3_bind_int64(update, 2, (int64_t)record->corrects - 1);
  coop_err err = STEP_DONE(update);
  /* A correction of a record that is not there, or already corrected, was
   * refused when it was made: finding one here means tampering. */
  if (!err && sqlite3_changes(ledger_store_db(store)) != 1)
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
    err = list_record(store, header->index, &record, member_id);
  if (!err)
    err = insert_postings(store, header->index, &record, member_id);
  if (!err && record.corrects)
    err = mark_corrected(store, header->index, &record);
  return err;
}

static coop_err insert_statement_row(ledger_store *store, const char *member_id, uint32_t period,
                                     uint64_t index, const uint8_t *plain, size_t plain_bytes)
{
  sqlite3_stmt *insert = ledger_store_cached(
      store, "INSERT INTO books_statements (member_id, period, entry_index, payload)"
             " VALUES (?1, ?2, ?3, ?4)");
  if (!insert)
    return COOP_E_DB;
  /* Static: the texts and the payload outlive the step. */
  sqlite3_bind_text(insert, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 2, period);
  sqlite3_bind_int64(insert, 3, (int64_t)index);
  sqlite3_bind_blob(insert, 4, plain, (int)plain_bytes, SQLITE_STATIC);
  coop_err err = STEP_DONE(insert);
  sqlite3_reset(insert);
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
  if (!err)
    err = insert_statement_row(store, member_id, statement->period, header->index, plain,
                               plain_bytes);
  coop_free(statement);
  return err;
}

/* An erased member leaves the books: every row of hers goes, except the
 * erased-member records that keep her amounts (they come after the erasure
 * in the log, so a replay, which never sees her erased entries, ends with
 * the same rows) and the year-close records of her accounts (sealed to the
 * books audience, not erased). */
static coop_err forget_member(ledger_store *store, const char *member_id)
{
  static const char *const forget[] = {
    /* Her postings leave the month totals (an erased-member record adds
     * her amounts back); a total left with no posting goes, as a replay,
     * which never sees them, has no row for it. */
    "UPDATE books_account_months AS m SET amount_cents = m.amount_cents - gone.amount_cents,"
    " postings = m.postings - gone.postings FROM (SELECT p.account AS account,"
    " p.date / 100 AS month, sum(p.amount_cents) AS amount_cents, count(*) AS postings"
    " FROM" BOOKS_HER_RECORDS " JOIN books_postings p ON p.entry_index = r.entry_index"
    " WHERE m.member_id = ?1 AND r.type NOT IN (12, 13) GROUP BY 1, 2) AS gone"
    " WHERE m.account = gone.account AND m.month = gone.month AND m.opening = 0",
    "DELETE FROM books_account_months WHERE postings = 0",
    "DELETE FROM books_postings WHERE member_id = ?1 AND entry_index IN"
    " (SELECT r.entry_index FROM" BOOKS_HER_RECORDS
    " WHERE m.member_id = ?1 AND r.type NOT IN (12, 13))",
    "DELETE FROM books_records WHERE entry_index IN (SELECT r.entry_index FROM" BOOKS_HER_RECORDS
    " WHERE m.member_id = ?1 AND r.type NOT IN (12, 13))",
    /* Her lists keep the records left (a replay lists only those); a month
     * left with none goes, as a replay has no row for it. */
    "UPDATE books_member_months SET entries = coalesce((SELECT '[' || group_concat(r.entry_index)"
    " || ']' FROM json_each(books_member_months.entries) e"
    " JOIN books_records r ON r.entry_index = e.value), '') WHERE member_id = ?1",
    "DELETE FROM books_member_months WHERE member_id = ?1 AND entries = ''",
    "DELETE FROM books_member_status WHERE member_id = ?1",
    "DELETE FROM books_statements WHERE member_id = ?1",
    "DELETE FROM books_moves WHERE member_id = ?1",
    "DELETE FROM books_members WHERE member_id = ?1",
  };
  coop_err err = COOP_OK;
  for (size_t i = 0; i < sizeof forget / sizeof forget[0] && !err; i++) {
    sqlite3_stmt *statement = ledger_store_cached(store, forget[i]);
    if (!statement)
      return COOP_E_DB;
    bind_text(statement, 1, member_id);
    err = STEP_DONE(statement);
    sqlite3_reset(statement);
  }
  return err;
}

static coop_err apply_erasure(ledger_store *store, const uint8_t *plain, size_t plain_bytes)
{
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  if (!erasure)
    return COOP_E_NOMEM;
  coop_err err = ledger_erasure_decode(plain, plain_bytes, erasure) ? COOP_E_TAMPERED : COOP_OK;
  for (unsigned i = 0; !err && i < erasure->audience_count; i++) {
    ledger_member_row row;
    err = member_of_audience(store, erasure->audiences[i], &row);
    if (err == COOP_E_NOT_FOUND)
      err = COOP_OK; /* already gone (an earlier audience of hers), or a replay */
    else if (!err)
      err = forget_member(store, row.member_id);
  }
  coop_free(erasure);
  return err;
}

coop_err ledger_books_apply(ledger_store *store, const ledger_entry_header *header,
                            const uint8_t *plain, size_t plain_bytes)
{
  switch (header->kind) {
  case LEDGER_KIND_BOOKS: return apply_books(store, plain, plain_bytes);
  case LEDGER_KIND_PERIOD_CLOSE: return apply_period_close(store, header->index, plain, plain_bytes);
  case LEDGER_KIND_PERIOD_OPEN: return apply_period_open(store, plain, plain_bytes);
  case LEDGER_KIND_YEAR_CLOSE: return apply_year_close(store, header->index, plain, plain_bytes);
  case LEDGER_KIND_MEMBER: return apply_member(store, header, plain, plain_bytes);
  case LEDGER_KIND_TRANSACTION: return apply_record(store, header, plain, plain_bytes);
  case LEDGER_KIND_STATEMENT: return apply_statement(store, header, plain, plain_bytes);
  case LEDGER_KIND_ERASURE: return apply_erasure(store, plain, plain_bytes);
  default: return COOP_OK;
  }
}

/* ---- records held for a bulk insert -------------------------------------- */

/* A held record: its entry index and where its payload is in `payloads`. */
typedef struct held_record {
  uint64_t entry_index;
  size_t offset;
  uint32_t length;
  uint32_t ref_offset; /* in `refs`, +1; 0: no ref */
  uint16_t kind;       /* LEDGER_KIND_TRANSACTION or _STATEMENT */
  uint32_t period;     /* a statement's month */
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* a statement's member */
} held_record;

/* A held record of a member's, in her month's list (books_member_months). */
typedef struct listed_record {
  uint64_t entry_index;
  uint32_t next; /* the list's next record in `listed`, + 1; 0: the last */
} listed_record;

/* One member-month's records of a flush, chained in entry order. */
typedef struct member_month_list {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  uint32_t month_part; /* of the records' dates: month_part_of */
  uint32_t first, last; /* in `listed` */
} member_month_list;

struct ledger_books_bulk {
  held_record held[LEDGER_BOOKS_BULK_RECORDS_MAX];
  listed_record listed[LEDGER_BOOKS_BULK_RECORDS_MAX];
  member_month_list lists[LEDGER_BOOKS_BULK_RECORDS_MAX];
  size_t listed_count, list_count;
  /* list position + 1 per slot, open addressing on member and month */
  uint32_t list_slots[2 * LEDGER_BOOKS_BULK_RECORDS_MAX];
  coop_buf list_text; /* one member-month's new entries, "[7,9]" */
  size_t count;
  coop_buf payloads;
  coop_buf refs; /* the held records' refs, each NUL-terminated */
  /* held position + 1 per slot, open addressing on the ref's hash; twice
   * the records, so a probe ends soon */
  uint32_t ref_slots[2 * LEDGER_BOOKS_BULK_RECORDS_MAX];
  /* each taken slot's ref hash: a probe passes other refs without reading
   * them (a lookup of a new ref was a strcmp per probe, and a cache miss) */
  uint32_t ref_hashes[2 * LEDGER_BOOKS_BULK_RECORDS_MAX];
  size_t held_postings;  /* postings of the held records */
  posting_row *postings; /* the flush's rows, in entry order */
  struct month_total *month_totals; /* month_total_slots, for add_months_of */
  size_t month_total_slots;
  size_t posting_capacity;
};

_Static_assert((2 * LEDGER_BOOKS_BULK_RECORDS_MAX & (2 * LEDGER_BOOKS_BULK_RECORDS_MAX - 1)) == 0,
               "the ref table's size is a power of two");

coop_err ledger_books_bulk_new(ledger_books_bulk **bulk)
{
  *bulk = coop_calloc(1, sizeof **bulk);
  if (!*bulk)
    return COOP_E_NOMEM;
  coop_buf_init(&(*bulk)->payloads, (size_t)LEDGER_BOOKS_BULK_RECORDS_MAX * COOP_PAYLOAD_BYTES_MAX);
  coop_buf_init(&(*bulk)->refs, (size_t)LEDGER_BOOKS_BULK_RECORDS_MAX * (LEDGER_REF_BYTES_MAX + 1));
  /* Every held record in one member-month: 20 digits and a comma each. */
  coop_buf_init(&(*bulk)->list_text, (size_t)LEDGER_BOOKS_BULK_RECORDS_MAX * 21 + 2);
  return COOP_OK;
}

void ledger_books_bulk_free(ledger_books_bulk *bulk)
{
  if (!bulk)
    return;
  coop_buf_release(&bulk->payloads);
  coop_buf_release(&bulk->refs);
  coop_buf_release(&bulk->list_text);
  coop_free(bulk->postings);
  coop_free(bulk->month_totals);
  coop_free(bulk);
}

bool ledger_books_bulk_full(const ledger_books_bulk *bulk)
{
  return bulk->count == LEDGER_BOOKS_BULK_RECORDS_MAX;
}

static uint32_t ref_hash(const char *ref)
{
  uint32_t hash = 2166136261u; /* FNV-1a */
  for (; *ref; ref++)
    hash = (hash ^ (uint8_t)*ref) * 16777619u;
  return hash;
}

/* The slot holding `ref` (whose hash is `hash`), or the empty one where it
 * would go. */
static size_t ref_slot(const ledger_books_bulk *bulk, const char *ref, uint32_t hash)
{
  size_t mask = 2 * LEDGER_BOOKS_BULK_RECORDS_MAX - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint32_t held = bulk->ref_slots[slot];
    if (!held || (bulk->ref_hashes[slot] == hash &&
                  !strcmp((const char *)bulk->refs.data + bulk->held[held - 1].ref_offset - 1,
                          ref)))
      return slot;
  }
}

bool ledger_books_bulk_has_ref(const ledger_books_bulk *bulk, const char *ref)
{
  return ref[0] && bulk->ref_slots[ref_slot(bulk, ref, ref_hash(ref))] != 0;
}

coop_err ledger_books_bulk_add(ledger_books_bulk *bulk, const ledger_entry_header *header,
                               const uint8_t *plain, size_t plain_bytes)
{
  ledger_record record;
  if (header->kind != LEDGER_KIND_TRANSACTION || ledger_entry_is_public(header) ||
      ledger_record_decode(plain, plain_bytes, &record))
    return COOP_E_TAMPERED;
  return ledger_books_bulk_add_record(bulk, header, plain, plain_bytes, &record);
}

coop_err ledger_books_bulk_add_record(ledger_books_bulk *bulk, const ledger_entry_header *header,
                                      const uint8_t *plain, size_t plain_bytes,
                                      const ledger_record *record)
{
  if (header->kind != LEDGER_KIND_TRANSACTION || ledger_entry_is_public(header))
    return COOP_E_TAMPERED;
  if (ledger_books_bulk_full(bulk))
    return COOP_E_LIMIT;
  if (ledger_books_bulk_has_ref(bulk, record->ref))
    return COOP_E_TAMPERED; /* the unique index would refuse it, as a replay would */
  held_record *held = &bulk->held[bulk->count];
  *held = (held_record){.entry_index = header->index, .offset = bulk->payloads.len,
                        .length = (uint32_t)plain_bytes, .kind = LEDGER_KIND_TRANSACTION};
  coop_err err = coop_buf_append(&bulk->payloads, plain, plain_bytes);
  if (!err && record->ref[0]) {
    held->ref_offset = (uint32_t)bulk->refs.len + 1;
    err = coop_buf_append(&bulk->refs, record->ref, strlen(record->ref) + 1);
    uint32_t hash = ref_hash(record->ref);
    size_t slot = ref_slot(bulk, record->ref, hash);
    if (!err) {
      bulk->ref_slots[slot] = (uint32_t)bulk->count + 1;
      bulk->ref_hashes[slot] = hash;
    }
  }
  if (!err) {
    bulk->count++;
    bulk->held_postings += record->posting_count;
  }
  return err;
}

coop_err ledger_books_bulk_add_statement(ledger_books_bulk *bulk,
                                         const ledger_entry_header *header,
                                         const uint8_t *plain, size_t plain_bytes)
{
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period = 0;
  if (header->kind != LEDGER_KIND_STATEMENT || ledger_entry_is_public(header) ||
      ledger_statement_peek(plain, plain_bytes, member, &period))
    return COOP_E_TAMPERED;
  if (ledger_books_bulk_full(bulk))
    return COOP_E_LIMIT;
  held_record *held = &bulk->held[bulk->count];
  *held = (held_record){.entry_index = header->index, .offset = bulk->payloads.len,
                        .length = (uint32_t)plain_bytes, .kind = LEDGER_KIND_STATEMENT,
                        .period = period};
  member_id_text(member, held->member_id);
  coop_err err = coop_buf_append(&bulk->payloads, plain, plain_bytes);
  if (!err)
    bulk->count++;
  return err;
}

/* Held statements in the table's key order (member, month, entry). */
static int statement_compare(const void *a, const void *b)
{
  const held_record *x = *(const held_record *const *)a, *y = *(const held_record *const *)b;
  int by_member = strcmp(x->member_id, y->member_id);
  if (by_member)
    return by_member;
  if (x->period != y->period)
    return x->period < y->period ? -1 : 1;
  return x->entry_index < y->entry_index ? -1 : x->entry_index > y->entry_index;
}

/* The held statements' rows, sorted: each page of the table written once. */
static coop_err insert_held_statements(ledger_store *store, ledger_books_bulk *bulk)
{
  const held_record **sorted = coop_malloc((bulk->count ? bulk->count : 1) * sizeof *sorted);
  if (!sorted)
    return COOP_E_NOMEM;
  size_t count = 0;
  for (size_t i = 0; i < bulk->count; i++)
    if (bulk->held[i].kind == LEDGER_KIND_STATEMENT)
      sorted[count++] = &bulk->held[i];
  qsort(sorted, count, sizeof *sorted, statement_compare);
  coop_err err = COOP_OK;
  for (size_t i = 0; i < count && !err; i++)
    err = insert_statement_row(store, sorted[i]->member_id, sorted[i]->period,
                               sorted[i]->entry_index, bulk->payloads.data + sorted[i]->offset,
                               sorted[i]->length);
  coop_free(sorted);
  return err;
}

/* Postings in the order of the month totals' key (account, month,
 * opening): each total is then one upsert a flush. */
static int month_compare(const void *a, const void *b)
{
  const posting_row *x = a, *y = b;
  int by_account = strcmp(x->account, y->account);
  if (by_account)
    return by_account;
  if (x->date / 100 != y->date / 100)
    return x->date / 100 < y->date / 100 ? -1 : 1;
  return (int)x->opening - (int)y->opening;
}

/* One account's month total of a flush.  The rows were sorted by account
 * name to add them up, ~16 strcmp calls and as many 130-byte moves a
 * posting; now each row finds its total in a hash table (its account
 * name's 64-bit hash, then the name itself: one strcmp a posting), and
 * only the ~1,500 totals are sorted. */
typedef struct month_total {
  uint64_t account_hash;
  uint32_t month_opening; /* month * 2 + opening */
  const posting_row *first; /* the total's first row; NULL: a free slot */
  int64_t amount_cents;
  int64_t postings;
} month_total;

static uint64_t account_hash(const char *account)
{
  uint64_t hash = UINT64_C(14695981039346656037); /* FNV-1a, 64 bits */
  for (; *account; account++)
    hash = (hash ^ (uint8_t)*account) * UINT64_C(1099511628211);
  return hash;
}

/* Adds `row` to its total in `table` (`mask` + 1 slots, a power of two,
 * more than there are rows); counts new totals. */
static void month_total_add(month_total *table, size_t mask, const posting_row *row,
                            size_t *totals)
{
  uint64_t hash = account_hash(row->account);
  uint32_t month_opening = row->date / 100 * 2 + row->opening;
  size_t slot = (size_t)hash & mask;
  for (;; slot = (slot + 1) & mask) {
    month_total *total = &table[slot];
    if (!total->first) {
      *total = (month_total){.account_hash = hash, .month_opening = month_opening,
                             .first = row};
      ++*totals;
    } else if (total->account_hash != hash || total->month_opening != month_opening ||
               strcmp(total->first->account, row->account)) {
      continue; /* another account or month (or a name sharing the hash) */
    }
    total->amount_cents += row->amount_cents;
    total->postings++;
    return;
  }
}

static int month_total_compare(const void *a, const void *b)
{
  const month_total *x = a, *y = b;
  return month_compare(x->first, y->first);
}

/* The held postings' month totals, one upsert per account and month, in
 * the key order of books_account_months.  `table` has room for `slots`
 * totals, a power of two above `count`. */
static coop_err add_months_of(ledger_store *store, const posting_row *rows, size_t count,
                              month_total *table, size_t slots)
{
  if (!count)
    return COOP_OK; /* rows may be NULL then, which qsort may not be given */
  assert(slots > count && (slots & (slots - 1)) == 0);
  memset(table, 0, slots * sizeof *table);
  size_t totals = 0;
  for (size_t i = 0; i < count; i++)
    month_total_add(table, slots - 1, &rows[i], &totals);
  size_t packed = 0;
  for (size_t slot = 0; slot < slots; slot++)
    if (table[slot].first)
      table[packed++] = table[slot]; /* packed <= slot: nothing unread is overwritten */
  assert(packed == totals);
  qsort(table, packed, sizeof *table, month_total_compare);
  coop_err err = COOP_OK;
  for (size_t i = 0; i < packed && !err; i++)
    err = add_to_month(store, table[i].first, table[i].amount_cents, table[i].postings);
  return err;
}

static coop_err hold_postings(ledger_books_bulk *bulk, size_t *count, uint64_t index,
                              const ledger_record *record, const char *member_id)
{
  assert(*count + record->posting_count <= bulk->posting_capacity);
  coop_err err = COOP_OK;
  for (unsigned i = 0; i < record->posting_count && !err; i++)
    err = posting_row_of(index, record, i, member_id, &bulk->postings[(*count)++]);
  return err;
}

/* Chains a held record into its member-month's list (made by the first). */
static void list_held_record(ledger_books_bulk *bulk, const char *member_id,
                             uint32_t month_part, uint64_t entry_index)
{
  uint32_t hash = 2166136261u ^ month_part; /* FNV-1a */
  for (const char *c = member_id; *c; c++)
    hash = (hash ^ (uint8_t)*c) * 16777619u;
  size_t mask = 2 * LEDGER_BOOKS_BULK_RECORDS_MAX - 1, slot = hash & mask;
  member_month_list *list = NULL;
  for (; bulk->list_slots[slot]; slot = (slot + 1) & mask) {
    list = &bulk->lists[bulk->list_slots[slot] - 1];
    if (list->month_part == month_part && !strcmp(list->member_id, member_id))
      break;
    list = NULL;
  }
  uint32_t position = (uint32_t)bulk->listed_count++;
  bulk->listed[position] = (listed_record){.entry_index = entry_index};
  if (list) {
    bulk->listed[list->last].next = position + 1;
    list->last = position;
    return;
  }
  assert(bulk->list_count < LEDGER_BOOKS_BULK_RECORDS_MAX);
  list = &bulk->lists[bulk->list_count++];
  memcpy(list->member_id, member_id, sizeof list->member_id);
  list->month_part = month_part;
  list->first = list->last = position;
  bulk->list_slots[slot] = (uint32_t)bulk->list_count;
}

static int list_compare(const void *a, const void *b)
{
  const member_month_list *left = a, *right = b;
  int order = strcmp(left->member_id, right->member_id);
  if (order)
    return order;
  return (left->month_part > right->month_part) - (left->month_part < right->month_part);
}

/* The flush's member-month lists into books_member_months, in its key
 * order: one upsert per member-month (a few hundred a flush) where the
 * member index took a B-tree insert per record.  The records were chained
 * in entry order, the order of the lists. */
static coop_err list_held_records(ledger_store *store, ledger_books_bulk *bulk)
{
  qsort(bulk->lists, bulk->list_count, sizeof *bulk->lists, list_compare);
  coop_err err = COOP_OK;
  for (size_t i = 0; i < bulk->list_count && !err; i++) {
    const member_month_list *list = &bulk->lists[i];
    coop_buf_reset(&bulk->list_text);
    char number[22] = "[";
    for (uint32_t at = list->first + 1; at && !err; at = bulk->listed[at - 1].next) {
      size_t length = 1 + decimal_of(bulk->listed[at - 1].entry_index, number + 1);
      err = coop_buf_append(&bulk->list_text, number, length);
      number[0] = ',';
    }
    if (!err)
      err = coop_buf_append(&bulk->list_text, "]", 1);
    if (!err)
      err = add_to_member_month(store, list->member_id, list->month_part,
                                (const char *)bulk->list_text.data, bulk->list_text.len);
  }
  return err;
}

/* The record rows in entry order (the table's key), as apply_record writes
 * them; their postings gathered for sorting, their members' for listing. */
static coop_err insert_held_records(ledger_store *store, ledger_books_bulk *bulk,
                                    size_t *posting_count)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < bulk->count && !err; i++) {
    const held_record *held = &bulk->held[i];
    if (held->kind != LEDGER_KIND_TRANSACTION)
      continue;
    ledger_record record;
    if (ledger_record_decode(bulk->payloads.data + held->offset, held->length, &record))
      return COOP_E_TAMPERED;
    char member_id[LEDGER_MEMBER_ID_CHARS + 1];
    member_id_text(record.member, member_id);
    err = insert_record_row(store, held->entry_index, &record, member_id);
    if (!err)
      err = hold_postings(bulk, posting_count, held->entry_index, &record, member_id);
    if (!err && record.corrects)
      err = mark_corrected(store, held->entry_index, &record);
    if (!err && member_id[0])
      list_held_record(bulk, member_id, month_part_of(record.date), held->entry_index);
  }
  return err ? err : list_held_records(store, bulk);
}

coop_err ledger_books_bulk_flush(ledger_store *store, ledger_books_bulk *bulk)
{
  size_t posting_count = 0;
  coop_err err = COOP_OK;
  if (bulk->held_postings > bulk->posting_capacity) {
    coop_free(bulk->postings);
    coop_free(bulk->month_totals);
    size_t slots = 2;
    while (slots <= bulk->held_postings)
      slots *= 2;
    bulk->postings = coop_malloc(bulk->held_postings * sizeof *bulk->postings);
    bulk->month_totals = coop_malloc(slots * sizeof *bulk->month_totals);
    bool have = bulk->postings && bulk->month_totals;
    bulk->posting_capacity = have ? bulk->held_postings : 0;
    bulk->month_total_slots = have ? slots : 0;
    err = have ? COOP_OK : COOP_E_NOMEM;
  }
  if (!err)
    err = insert_held_records(store, bulk, &posting_count);
  /* In entry order, the table's key: each page is written once. */
  for (size_t i = 0; i < posting_count && !err; i++)
    err = insert_posting(store, &bulk->postings[i]);
  if (!err)
    err = add_months_of(store, bulk->postings, posting_count, bulk->month_totals,
                        bulk->month_total_slots);
  if (!err)
    err = insert_held_statements(store, bulk);
  bulk->count = 0;
  bulk->held_postings = 0;
  coop_buf_reset(&bulk->payloads);
  coop_buf_reset(&bulk->refs);
  memset(bulk->ref_slots, 0, sizeof bulk->ref_slots);
  memset(bulk->list_slots, 0, sizeof bulk->list_slots);
  bulk->listed_count = bulk->list_count = 0;
  return err;
}

static coop_err books_check_position(ledger_store *store, uint64_t indexed, uint64_t size,
                                     int look_past_indexed);

/* ---- catching up and rebuilding ----------------------------------------- */

typedef struct catch_up {
  ledger_store *store;
  const ledger_identity *owner;
  const ledger_books_keys *keys; /* the node's key ring */
  uint8_t *plain;                /* COOP_PAYLOAD_BYTES_MAX */
  uint64_t next_index;
  uint64_t until; /* entries from here on are left alone (UINT64_MAX: all) */
  int reached_until;
} catch_up;

static coop_err catch_up_entry(void *context, const ledger_stored_entry *entry)
{
  catch_up *state = context;
  if (entry->header.index >= state->until) {
    state->reached_until = 1;
    return COOP_E_RANGE; /* stops the walk; not an error (catch_up_from) */
  }
  state->next_index = entry->header.index + 1;
  uint16_t kind = entry->header.kind;
  if (entry->erased)
    return COOP_OK; /* an erased member's entry: its amounts are in erased-member records */
  if (kind != LEDGER_KIND_BOOKS && kind != LEDGER_KIND_PERIOD_CLOSE &&
      kind != LEDGER_KIND_PERIOD_OPEN && kind != LEDGER_KIND_MEMBER && kind != LEDGER_KIND_TRANSACTION &&
      kind != LEDGER_KIND_STATEMENT && kind != LEDGER_KIND_ERASURE &&
      kind != LEDGER_KIND_YEAR_CLOSE)
    return COOP_OK;
  if (ledger_entry_is_public(&entry->header))
    return ledger_books_apply(state->store, &entry->header, entry->payload, entry->payload_bytes);
  const uint8_t *key = NULL;
  coop_err err = state->keys->key(state->keys->context, entry->header.audience_id, &key);
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

/* Applies entries [from, until) of the owner's log (until: UINT64_MAX for
 * all) and records how far it got. */
static coop_err catch_up_from(ledger_store *store, const ledger_identity *owner,
                              const ledger_books_keys *keys, uint64_t from, uint64_t until)
{
  catch_up state = {.store = store, .owner = owner, .keys = keys, .next_index = from,
                    .until = until};
  state.plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  coop_err err = state.plain ? COOP_OK : COOP_E_NOMEM;
  if (!err)
    err = ledger_store_entries(store, owner->public_key, from, catch_up_entry, &state);
  if (err == COOP_E_RANGE && state.reached_until)
    err = COOP_OK;
  if (!err && state.next_index != from)
    err = ledger_books_set_indexed_size(store, state.next_index);
  coop_free(state.plain);
  return err;
}

coop_err ledger_books_catch_up(ledger_store *store, const ledger_identity *owner,
                               const ledger_books_keys *keys)
{
  uint64_t indexed = 0, size = 0;
  coop_err err = ledger_books_indexed_size(store, &indexed);
  if (!err)
    err = ledger_store_size(store, owner->public_key, &size);
  if (!err)
    err = books_check_position(store, indexed, size, indexed < size);
  if (err || indexed >= size)
    return err;
  return catch_up_from(store, owner, keys, indexed, UINT64_MAX);
}

coop_err ledger_books_rebuild(ledger_store *store, const ledger_identity *owner,
                              const ledger_books_keys *keys)
{
  coop_err err = ledger_store_set_cache(store, LEDGER_STORE_CACHE_BOOKS_BYTES);
  if (!err)
    err = ledger_store_begin(store);
  if (err)
    return err;
  err = ledger_store_exec(store, "DELETE FROM books_state; DELETE FROM books_members;"
                          " DELETE FROM books_member_status; DELETE FROM books_records;"
                          " DELETE FROM books_postings; DELETE FROM books_periods;"
                          " DELETE FROM books_statements; DELETE FROM books_moves;"
                          " DELETE FROM books_account_months; DELETE FROM books_member_months;");
  if (!err)
    err = catch_up_from(store, owner, keys, 0, UINT64_MAX);
  if (!err)
    err = ledger_store_commit(store);
  if (err)
    ledger_store_rollback(store);
  return err;
}

/* ---- checking the derived tables against the log ------------------------ */

/* The derived tables can be edited behind coop's back (a balanced edit of
 * books_postings moves money between members and still balances), and the
 * reports and the month's statements read them.  So `coop verify` and the
 * month close replay the log into fresh TEMP tables of the same names with
 * the same code as `coop rebuild` (SQLite resolves an unqualified name to
 * the temp schema first, so the apply functions write there untouched) and
 * compare them row by row with the stored ones, in key order. */

typedef struct derived_table {
  const char *name;
  const char *select_stored;
  const char *select_replayed;
  int key_columns;        /* the first columns of the select: the row's key */
  const char *context[2]; /* columns that place the row for a reader */
} derived_table;

#define DERIVED_TABLE(name, order, keys, context_1, context_2)                                \
  {name, "SELECT * FROM main." name " ORDER BY " order,                                      \
   "SELECT * FROM temp." name " ORDER BY " order, keys, {context_1, context_2}}

/* books_state first: a wrong counter explains every difference after it. */
static const derived_table derived_tables[] = {
    DERIVED_TABLE("books_state", "name", 1, NULL, NULL),
    DERIVED_TABLE("books_members", "member_id", 1, NULL, NULL),
    DERIVED_TABLE("books_member_status", "member_id, field, entry_index", 3, NULL, NULL),
    DERIVED_TABLE("books_records", "entry_index", 1, "member_id", "ref"),
    DERIVED_TABLE("books_postings", "entry_index, position", 2, "member_id", "account"),
    DERIVED_TABLE("books_periods", "period", 1, NULL, NULL),
    DERIVED_TABLE("books_statements", "member_id, period, entry_index", 3, NULL, NULL),
    DERIVED_TABLE("books_moves", "member_id, from_period", 2, NULL, NULL),
    DERIVED_TABLE("books_account_months", "account, month, opening", 3, NULL, NULL),
    DERIVED_TABLE("books_member_months", "member_id, month, part", 3, NULL, NULL),
};
#define DERIVED_TABLE_COUNT (sizeof derived_tables / sizeof derived_tables[0])

/* Are the books ahead of the log, or do they hold rows past their own
 * "indexed up to" counter?  Either way catch-up would apply entries twice
 * or not at all; only a rebuild can say what the books should be. */
static coop_err books_check_position(ledger_store *store, uint64_t indexed, uint64_t size,
                                     int look_past_indexed)
{
  if (indexed > size)
    return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                         "the books say they describe %llu entries of this node's log, but it "
                         "holds only %llu", (unsigned long long)indexed,
                         (unsigned long long)size);
  if (!look_past_indexed)
    return COOP_OK;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT max(m) FROM (SELECT max(entry_index) AS m FROM main.books_records"
             " UNION ALL SELECT max(entry_index) FROM main.books_postings"
             " UNION ALL SELECT max(entry_index) FROM main.books_members"
             " UNION ALL SELECT max(entry_index) FROM main.books_member_status"
             " UNION ALL SELECT max(entry_index) FROM main.books_periods"
             " UNION ALL SELECT max(entry_index) FROM main.books_statements"
             " UNION ALL SELECT max(entry_index) FROM main.books_moves)");
  if (!select)
    return COOP_E_DB;
  int step = sqlite3_step(select);
  int past = step == SQLITE_ROW && sqlite3_column_type(select, 0) != SQLITE_NULL &&
             sqlite3_column_int64(select, 0) >= (int64_t)indexed;
  int64_t highest = past ? sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  if (step != SQLITE_ROW)
    return COOP_E_DB;
  if (past)
    return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                         "the books already hold entry %lld, but their 'indexed up to' counter "
                         "says %llu", (long long)highest, (unsigned long long)indexed);
  return COOP_OK;
}

/* Temp copies of the books' tables and indexes, from the stored schema
 * itself so that they cannot drift from it. */
static coop_err create_replay_tables(ledger_store *store)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(ledger_store_db(store),
                         "SELECT type, replace(replace(replace(sql, 'CREATE TABLE ',"
                         " 'CREATE TEMP TABLE '), 'CREATE INDEX ', 'CREATE INDEX temp.'),"
                         " 'CREATE UNIQUE INDEX ', 'CREATE UNIQUE INDEX temp.')"
                         " FROM main.sqlite_schema WHERE name GLOB 'books_*' AND sql IS NOT NULL"
                         " ORDER BY type DESC, name",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  /* Statements cannot be run while the schema table is read: copy first. */
  coop_buf script;
  coop_buf_init(&script, 1u << 20);
  size_t tables = 0;
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    tables += !strcmp((const char *)sqlite3_column_text(select, 0), "table");
    err = coop_buf_append(&script, sqlite3_column_text(select, 1),
                          (size_t)sqlite3_column_bytes(select, 1));
    if (!err)
      err = coop_buf_append(&script, ";", 1);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  /* A books table this check does not compare would pass unchecked. */
  if (!err && tables != DERIVED_TABLE_COUNT)
    err = ledger_store_set_problem(store, COOP_E_SCHEMA, "the database has %zu books tables, verify knows %zu",
                        tables, (size_t)DERIVED_TABLE_COUNT);
  if (!err)
    err = ledger_store_exec(store, (const char *)script.data);
  coop_buf_release(&script);
  return err;
}

/* Dropping them sends every statement back to the stored tables; a failure
 * here would leave the books reading the replay, so it is checked. */
static coop_err drop_replay_tables(ledger_store *store)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < DERIVED_TABLE_COUNT; i++) {
    char sql[96];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", derived_tables[i].name);
    if (ledger_store_exec(store, sql))
      err = COOP_E_DB;
  }
  return err;
}

/* SQLite's order: NULL, numbers, text, blobs; text and blobs bytewise (the
 * BINARY collation the ORDER BY used). */
static int type_rank(int type)
{
  return type == SQLITE_NULL ? 0 : type == SQLITE_INTEGER || type == SQLITE_FLOAT ? 1
                                 : type == SQLITE_TEXT ? 2 : 3;
}

static int compare_column(sqlite3_stmt *left, sqlite3_stmt *right, int column)
{
  int left_type = sqlite3_column_type(left, column), right_type = sqlite3_column_type(right, column);
  if (type_rank(left_type) != type_rank(right_type))
    return type_rank(left_type) < type_rank(right_type) ? -1 : 1;
  if (left_type == SQLITE_NULL)
    return 0;
  if (left_type == SQLITE_INTEGER && right_type == SQLITE_INTEGER) {
    int64_t a = sqlite3_column_int64(left, column), b = sqlite3_column_int64(right, column);
    return a < b ? -1 : a > b;
  }
  if (type_rank(left_type) == 1) {
    double a = sqlite3_column_double(left, column), b = sqlite3_column_double(right, column);
    return a < b ? -1 : a > b;
  }
  const void *a = sqlite3_column_blob(left, column), *b = sqlite3_column_blob(right, column);
  int a_bytes = sqlite3_column_bytes(left, column), b_bytes = sqlite3_column_bytes(right, column);
  int common = a_bytes < b_bytes ? a_bytes : b_bytes;
  int order = common ? memcmp(a, b, (size_t)common) : 0;
  return order ? order : (a_bytes > b_bytes) - (a_bytes < b_bytes);
}

/* One value for a message: integers as they are, text quoted, blobs as
 * (at most 16 bytes of) hex. */
static void format_value(sqlite3_stmt *row, int column, char *out, size_t out_bytes)
{
  int type = sqlite3_column_type(row, column);
  if (type == SQLITE_NULL) {
    snprintf(out, out_bytes, "NULL");
  } else if (type == SQLITE_INTEGER) {
    snprintf(out, out_bytes, "%lld", (long long)sqlite3_column_int64(row, column));
  } else if (type == SQLITE_TEXT) {
    snprintf(out, out_bytes, "'%.60s'", (const char *)sqlite3_column_text(row, column));
  } else {
    char hex[2 * 16 + 1];
    int bytes = sqlite3_column_bytes(row, column);
    ledger_hex_encode(sqlite3_column_blob(row, column), bytes < 16 ? (size_t)bytes : 16, hex);
    snprintf(out, out_bytes, "x'%s%s' (%d bytes)", hex, bytes > 16 ? "..." : "", bytes);
  }
}

/* "books_postings, entry_index 7, position 1 (member_id 'm-1', account '...')" */
static void describe_row(const derived_table *table, sqlite3_stmt *row, char *out,
                         size_t out_bytes)
{
  size_t used = (size_t)snprintf(out, out_bytes, "table %s, row", table->name);
  int columns = sqlite3_column_count(row);
  for (int column = 0; column < table->key_columns && used < out_bytes; column++) {
    char value[96];
    format_value(row, column, value, sizeof value);
    used += (size_t)snprintf(out + used, out_bytes - used, "%s %s %s", column ? "," : "",
                             sqlite3_column_name(row, column), value);
  }
  for (int i = 0; i < 2 && table->context[i] && used < out_bytes; i++)
    for (int column = table->key_columns; column < columns; column++)
      if (!strcmp(sqlite3_column_name(row, column), table->context[i])) {
        char value[96];
        format_value(row, column, value, sizeof value);
        used += (size_t)snprintf(out + used, out_bytes - used, "%s%s %s", i ? ", " : " (",
                                 table->context[i], value);
      }
  if (table->context[0] && used < out_bytes)
    snprintf(out + used, out_bytes - used, ")");
}

/* The first difference between a replayed row and a stored one with the
 * same key, or between rows present on one side only. */
static coop_err report_difference(ledger_store *store, const derived_table *table,
                                  sqlite3_stmt *expected, sqlite3_stmt *found)
{
  char row[256];
  describe_row(table, expected ? expected : found, row, sizeof row);
  if (!found)
    return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH, "%s: expected from the log, not found",
                         row);
  if (!expected)
    return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH, "%s: found, but the log does not give it",
                         row);
  int column = 0;
  while (column < sqlite3_column_count(expected) && !compare_column(expected, found, column))
    column++;
  char expected_value[96], found_value[96];
  format_value(expected, column, expected_value, sizeof expected_value);
  format_value(found, column, found_value, sizeof found_value);
  return ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH, "%s: %s expected %s, found %s", row,
                       sqlite3_column_name(expected, column), expected_value, found_value);
}

static int rows_equal(sqlite3_stmt *expected, sqlite3_stmt *found)
{
  int columns = sqlite3_column_count(expected);
  for (int column = 0; column < columns; column++)
    if (compare_column(expected, found, column))
      return 0;
  return 1;
}

static int compare_keys(sqlite3_stmt *expected, sqlite3_stmt *found, int key_columns)
{
  for (int column = 0; column < key_columns; column++) {
    int order = compare_column(expected, found, column);
    if (order)
      return order;
  }
  return 0;
}

/* Walks the replayed and the stored table side by side in key order. */
static coop_err compare_table(ledger_store *store, const derived_table *table)
{
  sqlite3 *db = ledger_store_db(store);
  sqlite3_stmt *expected = NULL, *found = NULL;
  coop_err err = COOP_OK;
  if (sqlite3_prepare_v2(db, table->select_replayed, -1, &expected, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, table->select_stored, -1, &found, NULL) != SQLITE_OK)
    err = COOP_E_DB;
  int expected_step = err ? SQLITE_DONE : sqlite3_step(expected);
  int found_step = err ? SQLITE_DONE : sqlite3_step(found);
  while (!err && (expected_step == SQLITE_ROW || found_step == SQLITE_ROW)) {
    int has_expected = expected_step == SQLITE_ROW, has_found = found_step == SQLITE_ROW;
    int order = !has_expected ? 1 : !has_found ? -1
                                               : compare_keys(expected, found, table->key_columns);
    if (order || !rows_equal(expected, found)) {
      err = report_difference(store, table, order <= 0 ? expected : NULL,
                              order >= 0 ? found : NULL);
      break;
    }
    expected_step = sqlite3_step(expected);
    found_step = sqlite3_step(found);
  }
  if (!err && (expected_step != SQLITE_DONE || found_step != SQLITE_DONE))
    err = COOP_E_DB;
  sqlite3_finalize(found);
  sqlite3_finalize(expected);
  return err;
}

static coop_err replay_and_compare(ledger_store *store, const ledger_identity *owner,
                                   const ledger_books_keys *keys, uint64_t indexed)
{
  coop_err err = create_replay_tables(store);
  if (!err)
    err = catch_up_from(store, owner, keys, 0, indexed);
  if (err == COOP_E_TAMPERED || err == COOP_E_NO_KEY)
    err = ledger_store_set_problem(store, COOP_E_BOOKS_MISMATCH,
                        "the log cannot be replayed into books (%s); run 'coop verify' on its "
                        "entries", coop_err_message(err));
  for (size_t i = 0; i < DERIVED_TABLE_COUNT && !err; i++)
    err = compare_table(store, &derived_tables[i]);
  coop_err dropped = drop_replay_tables(store);
  return err ? err : dropped;
}

coop_err ledger_books_check(ledger_store *store, const ledger_identity *owner,
                            const ledger_books_keys *keys)
{
  /* The replay writes the temp tables and indexes as a rebuild writes the
   * stored ones: give both schemas the books' cache (measured at 1M
   * records: the default 2 MiB of the temp schema makes it ~2x slower). */
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA temp.cache_size = -%u",
           LEDGER_STORE_CACHE_BOOKS_BYTES / 1024u);
  if (ledger_store_set_cache(store, LEDGER_STORE_CACHE_BOOKS_BYTES) || ledger_store_exec(store, pragma))
    return COOP_E_DB;
  int own_transaction = sqlite3_get_autocommit(ledger_store_db(store));
  /* One read transaction: the log and the books seen at the same moment. */
  if (own_transaction && ledger_store_exec(store, "BEGIN"))
    return COOP_E_DB;
  uint64_t indexed = 0, size = 0;
  coop_err err = ledger_books_indexed_size(store, &indexed);
  if (!err)
    err = ledger_store_size(store, owner->public_key, &size);
  if (!err)
    err = books_check_position(store, indexed, size, 1);
  if (!err)
    err = replay_and_compare(store, owner, keys, indexed);
  if (own_transaction)
    (void)ledger_store_exec(store, err ? "ROLLBACK" : "COMMIT");
  return err;
}
