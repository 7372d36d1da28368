/* Reading the books' derived tables: members, status, periods, records,
 * balances and the register. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books_index.h"
#include "ledger/books/books_sql.h"
#include "ledger/books/statement.h"
#include "ledger/store/store_sql.h"

static void copy_text(char *out, size_t out_bytes, const unsigned char *text)
{
  snprintf(out, out_bytes, "%s", text ? (const char *)text : "");
}

static void copy_blob(uint8_t *out, size_t out_bytes, sqlite3_stmt *row, int column)
{
  memset(out, 0, out_bytes);
  if (sqlite3_column_bytes(row, column) == (int)out_bytes)
    memcpy(out, sqlite3_column_blob(row, column), out_bytes);
}

#define MEMBER_COLUMNS \
  "member_id, audience_id, entry_index, name, municipality, client_ref, member_key"

static void member_from_row(sqlite3_stmt *row, ledger_member_row *member)
{
  memset(member, 0, sizeof *member);
  copy_text(member->member_id, sizeof member->member_id, sqlite3_column_text(row, 0));
  copy_blob(member->audience_id, sizeof member->audience_id, row, 1);
  member->entry_index = (uint64_t)sqlite3_column_int64(row, 2);
  copy_text(member->name, sizeof member->name, sqlite3_column_text(row, 3));
  copy_blob(member->municipality, sizeof member->municipality, row, 4);
  copy_text(member->client_ref, sizeof member->client_ref, sqlite3_column_text(row, 5));
  member->has_member_key = sqlite3_column_type(row, 6) != SQLITE_NULL;
  copy_blob(member->member_key, sizeof member->member_key, row, 6);
}

static coop_err one_member(sqlite3_stmt *select, ledger_member_row *row)
{
  int step = sqlite3_step(select);
  coop_err err = step == SQLITE_ROW    ? COOP_OK
                 : step == SQLITE_DONE ? COOP_E_NOT_FOUND
                                       : COOP_E_DB;
  if (!err)
    member_from_row(select, row);
  sqlite3_reset(select);
  return err;
}

coop_err ledger_books_member(ledger_store *store, const char *member_id, ledger_member_row *row)
{
  sqlite3_stmt *select =
      ledger_store_cached(store, "SELECT " MEMBER_COLUMNS " FROM books_members WHERE member_id = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  return one_member(select, row);
}

coop_err ledger_books_member_by_audience(ledger_store *store, const uint8_t *audience_id,
                                         ledger_member_row *row)
{
  sqlite3_stmt *select =
      ledger_store_cached(store, "SELECT " MEMBER_COLUMNS " FROM books_members WHERE audience_id = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, audience_id, LEDGER_AUDIENCE_ID_BYTES, SQLITE_TRANSIENT);
  return one_member(select, row);
}

/* One row of two integers of a query bound to (member id, month). */
static coop_err member_month_row(ledger_store *store, const char *sql, const char *member_id,
                                 uint32_t period, int64_t out[2])
{
  sqlite3_stmt *select = ledger_store_cached(store, sql);
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, period);
  int step = sqlite3_step(select);
  for (int i = 0; i < 2; i++)
    out[i] = step == SQLITE_ROW ? sqlite3_column_int64(select, i) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

/* The month her residence in `period` began: her latest move on or
 * before it, 0 for her enrolment's. */
static coop_err move_month(ledger_store *store, const char *member_id, uint32_t period,
                           uint32_t *from_period)
{
  int64_t row[2] = {0, 0}; /* read on an error too: 0, not garbage */
  coop_err err = member_month_row(store, "SELECT coalesce(max(from_period), 0), 0 FROM"
                                         " books_moves WHERE member_id = ?1 AND from_period <= ?2",
                                  member_id, period, row);
  *from_period = (uint32_t)row[0];
  return err;
}

coop_err ledger_books_member_at(ledger_store *store, const char *member_id, uint32_t period,
                                ledger_member_row *row, uint32_t *moved_from)
{
  coop_err err = ledger_books_member(store, member_id, row);
  sqlite3_stmt *select = err ? NULL : ledger_store_cached(
      store, "SELECT previous_audience_id, previous_municipality, previous_client_ref"
             " FROM books_moves WHERE member_id = ?1 AND from_period > ?2"
             " ORDER BY from_period LIMIT 1");
  if (err || !select)
    return err ? err : COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, period);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW) { /* she lived elsewhere then: that residence */
    copy_blob(row->audience_id, sizeof row->audience_id, select, 0);
    copy_blob(row->municipality, sizeof row->municipality, select, 1);
    copy_text(row->client_ref, sizeof row->client_ref, sqlite3_column_text(select, 2));
  }
  sqlite3_reset(select);
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    return COOP_E_DB;
  return moved_from ? move_month(store, member_id, period, moved_from) : COOP_OK;
}

coop_err ledger_books_member_records_from(ledger_store *store, const char *member_id,
                                          uint32_t period, uint64_t *count, uint64_t *first)
{
  int64_t row[2] = {0, 0}; /* read on an error too: 0, not garbage */
  coop_err err = member_month_row(
      /* A record counts in its date's month or an earlier one: her months
       * from ?2 on hold every record counting from it. */
      store, "SELECT count(*), coalesce(min(r.entry_index), 0) FROM" BOOKS_HER_RECORDS
             " WHERE m.member_id = ?1 AND m.month >= ?2 AND r.type <> 11 AND"
             " (CASE WHEN r.for_period <> 0 THEN r.for_period ELSE r.date / 100 END) >= ?2",
      member_id, period, row);
  *count = (uint64_t)row[0];
  *first = (uint64_t)row[1];
  return err;
}

coop_err ledger_books_last_move(ledger_store *store, const char *member_id, uint32_t *from_period)
{
  return move_month(store, member_id, UINT32_MAX, from_period);
}

/* Hands every row of `select` to the visitor. */
static coop_err visit_rows(sqlite3_stmt *select, ledger_member_visitor visitor, void *context)
{
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    ledger_member_row row;
    member_from_row(select, &row);
    err = visitor(context, &row);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  return err;
}

/* Hands every row of `select` to the visitor; finalizes it. */
static coop_err visit_members(sqlite3_stmt *select, ledger_member_visitor visitor, void *context)
{
  coop_err err = visit_rows(select, visitor, context);
  sqlite3_finalize(select);
  return err;
}

coop_err ledger_books_members(ledger_store *store, ledger_member_visitor visitor, void *context)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(ledger_store_db(store),
                         "SELECT " MEMBER_COLUMNS " FROM books_members ORDER BY entry_index", -1,
                         &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  return visit_members(select, visitor, context);
}

coop_err ledger_books_members_by_client_ref(ledger_store *store,
                                            const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES],
                                            const char *client_ref, ledger_member_visitor visitor,
                                            void *context)
{
  /* Cached: every enrolment checks its ref, and preparing the statement
   * again was 9 of its 12 us.  So the visitor may not walk client refs
   * itself (it would reset this walk); reading other tables is fine. */
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT " MEMBER_COLUMNS " FROM books_members WHERE municipality = ?1"
             " AND client_ref = ?2 ORDER BY entry_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_blob(select, 1, municipality, LEDGER_PUBLIC_KEY_BYTES, SQLITE_STATIC);
  sqlite3_bind_text(select, 2, client_ref, -1, SQLITE_STATIC);
  coop_err err = visit_rows(select, visitor, context);
  sqlite3_reset(select);
  sqlite3_clear_bindings(select); /* the caller's memory, bound static */
  return err;
}

coop_err ledger_books_member_status(ledger_store *store, const char *member_id, uint32_t period,
                                    ledger_member_status *status)
{
  /* The facts in log order; which one is in force is the one derivation's
   * (ledger_member_status_at), as for the municipality. */
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT field, from_period, value, entry_index FROM books_member_status WHERE member_id = ?1"
             " AND from_period <= ?2 ORDER BY entry_index");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, period);
  ledger_member_fact *facts = NULL;
  size_t count = 0, capacity = 0;
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (count == capacity) {
      capacity = capacity ? 2 * capacity : 16;
      ledger_member_fact *grown = coop_realloc(facts, capacity * sizeof *facts);
      if (!grown) {
        err = COOP_E_NOMEM;
        break;
      }
      facts = grown;
    }
    facts[count++] = (ledger_member_fact){(uint8_t)sqlite3_column_int(select, 0),
                                          (uint32_t)sqlite3_column_int64(select, 1),
                                          (uint32_t)sqlite3_column_int64(select, 2),
                                          (uint64_t)sqlite3_column_int64(select, 3)};
  }
  sqlite3_reset(select);
  ledger_member_status_at(facts, count, period, UINT64_MAX, status);
  coop_free(facts);
  if (err)
    return err;
  return step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err ledger_books_period_closed(ledger_store *store, uint32_t period, int *closed)
{
  sqlite3_stmt *select = ledger_store_cached(store, "SELECT 1 FROM books_periods WHERE period = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, period);
  int step = sqlite3_step(select);
  *closed = step == SQLITE_ROW;
  sqlite3_reset(select);
  return step == SQLITE_ROW || step == SQLITE_DONE ? COOP_OK : COOP_E_DB;
}

coop_err ledger_books_last_closed(ledger_store *store, uint32_t *period)
{
  sqlite3_stmt *select = ledger_store_cached(store, "SELECT max(period) FROM books_periods");
  if (!select)
    return COOP_E_DB;
  int step = sqlite3_step(select);
  *period = step == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

coop_err ledger_books_first_month(ledger_store *store, uint32_t *period)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT coalesce((SELECT value FROM books_state WHERE name = 'first_month'),"
             " (SELECT min(period) FROM books_periods), 0)");
  if (!select)
    return COOP_E_DB;
  int step = sqlite3_step(select);
  *period = step == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

coop_err ledger_books_account_balance(ledger_store *store, const char *account, int64_t *balance)
{
  /* sum() of integers is exact (total() would be a float). */
  /* From the month totals: one row a month, not one a posting. */
  sqlite3_stmt *select = ledger_store_cached(store, "SELECT coalesce(sum(amount_cents), 0)"
                                             " FROM books_account_months WHERE account = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, account, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(select);
  *balance = step == SQLITE_ROW ? sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

#define RECORD_COLUMNS                                                                    \
  "r.entry_index, r.type, r.date, r.member_id, r.ref, r.note, r.quantity, r.corrects,"    \
  " r.corrects_period, r.memo_type, r.corrected_by, r.for_period"

/* Fills a record from a books_records row and its postings. */
static coop_err record_from_row(ledger_store *store, sqlite3_stmt *row, ledger_record *record,
                                uint64_t *index, uint64_t *corrected_by)
{
  memset(record, 0, sizeof *record);
  *index = (uint64_t)sqlite3_column_int64(row, 0);
  record->type = (uint8_t)sqlite3_column_int(row, 1);
  record->date = (uint32_t)sqlite3_column_int64(row, 2);
  const unsigned char *member = sqlite3_column_text(row, 3);
  if (member && strlen((const char *)member) == LEDGER_MEMBER_ID_CHARS)
    for (unsigned i = 0; i < LEDGER_MEMBER_ID_BYTES; i++) {
      unsigned value = 0;
      sscanf((const char *)member + 2 + 2 * i, "%2x", &value);
      record->member[i] = (uint8_t)value;
    }
  copy_text(record->ref, sizeof record->ref, sqlite3_column_text(row, 4));
  copy_text(record->note, sizeof record->note, sqlite3_column_text(row, 5));
  record->quantity = sqlite3_column_int64(row, 6);
  if (sqlite3_column_type(row, 7) != SQLITE_NULL)
    record->corrects = (uint64_t)sqlite3_column_int64(row, 7) + 1;
  record->corrects_period = (uint32_t)sqlite3_column_int64(row, 8);
  record->memo_type = (uint8_t)sqlite3_column_int(row, 9);
  *corrected_by = sqlite3_column_type(row, 10) == SQLITE_NULL
                      ? 0
                      : (uint64_t)sqlite3_column_int64(row, 10) + 1;
  record->for_period = (uint32_t)sqlite3_column_int64(row, 11);
  sqlite3_stmt *postings = ledger_store_cached(
      store, "SELECT account_code, amount_cents FROM books_postings WHERE entry_index = ?1"
             " ORDER BY position");
  if (!postings)
    return COOP_E_DB;
  sqlite3_bind_int64(postings, 1, (int64_t)*index);
  while (sqlite3_step(postings) == SQLITE_ROW && record->posting_count < LEDGER_POSTINGS_MAX) {
    ledger_posting *posting = &record->postings[record->posting_count++];
    posting->account = (uint16_t)sqlite3_column_int(postings, 0);
    posting->amount_cents = sqlite3_column_int64(postings, 1);
  }
  sqlite3_reset(postings);
  return COOP_OK;
}

static coop_err one_record(ledger_store *store, sqlite3_stmt *select, ledger_record *record,
                           uint64_t *index, uint64_t *corrected_by)
{
  int step = sqlite3_step(select);
  coop_err err = step == SQLITE_ROW    ? COOP_OK
                 : step == SQLITE_DONE ? COOP_E_NOT_FOUND
                                       : COOP_E_DB;
  /* Copy the row out before the postings query reuses the connection. */
  if (!err)
    err = record_from_row(store, select, record, index, corrected_by);
  sqlite3_reset(select);
  return err;
}

coop_err ledger_books_record_by_ref(ledger_store *store, const char *ref, ledger_record *record,
                                    uint64_t *index)
{
  /* The ref index alone first (it covers the entry index): an import asks
   * once per row, and almost every answer is "not there", which this
   * finds without opening the table (~half the instructions of the
   * whole-row query). */
  sqlite3_stmt *find = ledger_store_cached(
      /* "ref <> ''" lets SQLite use the partial unique index on refs. */
      store, "SELECT entry_index FROM books_records WHERE ref = ?1 AND ref <> ''");
  if (!find)
    return COOP_E_DB;
  sqlite3_bind_text(find, 1, ref, -1, SQLITE_STATIC); /* `ref` outlives the step */
  int step = sqlite3_step(find);
  uint64_t found = step == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(find, 0) : 0;
  sqlite3_reset(find);
  if (step != SQLITE_ROW)
    return step == SQLITE_DONE ? COOP_E_NOT_FOUND : COOP_E_DB;
  uint64_t corrected_by = 0;
  coop_err err = ledger_books_record_at(store, found, record, &corrected_by);
  if (!err)
    *index = found;
  return err == COOP_E_NOT_FOUND ? COOP_E_DB : err; /* the index and the table disagree */
}

coop_err ledger_books_record_at(ledger_store *store, uint64_t index, ledger_record *record,
                                uint64_t *corrected_by)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT " RECORD_COLUMNS " FROM books_records r WHERE r.entry_index = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, (int64_t)index);
  uint64_t found = 0;
  return one_record(store, select, record, &found, corrected_by);
}

/* Binds ?1 member (or NULL), ?2 date_from, ?3 date_to. */
static void bind_query(sqlite3_stmt *statement, const ledger_books_query *query)
{
  if (query->member_id)
    sqlite3_bind_text(statement, 1, query->member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(statement, 2, query->date_from);
  sqlite3_bind_int64(statement, 3, query->date_to ? query->date_to : 99999999);
}

/* A year close is dated on the first day of the next year and is that
 * year's opening, not one of its movements: a period that begins on its
 * date leaves it out (its balances come out as the period's own), a
 * balance up to a date keeps it. */
#define NOT_OPENING                                                                      \
  " AND (date <> ?2 OR entry_index NOT IN"                                               \
  " (SELECT entry_index FROM books_records WHERE type = 13 AND date = ?2))"
/* The same where the record (r) is at hand: its type says it. */
#define NOT_OPENING_OF_RECORD " AND (r.type <> 13 OR r.date <> ?2)"

/* Whole months [*month_from, *month_to] when the query's dates cover
 * exactly those: from the 1st of a month (or a day past any month's last,
 * 32 or more, as "the day after 31 December" is written) up to its 31st (a
 * month's dates all fall on or before it) or an open end. */
static bool whole_months(const ledger_books_query *query, uint32_t *month_from,
                         uint32_t *month_to)
{
  uint32_t from = query->date_from, to = query->date_to ? query->date_to : 99999999;
  uint32_t from_day = from % 100;
  if (from && from_day != 1 && from_day <= 31)
    return false;
  if (to != 99999999 && to % 100 < 31)
    return false;
  *month_from = from / 100;
  if (from_day > 31) /* the next month; December's is the next year's January */
    *month_from = *month_from % 100 == 12 ? (*month_from / 100 + 1) * 100 + 1 : *month_from + 1;
  *month_to = to / 100;
  return true;
}

/* Hands every (account, sum) row of `select` to the visitor; finalizes it. */
static coop_err visit_balances(sqlite3_stmt *select, ledger_balance_visitor visitor,
                               void *context)
{
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW)
    err = visitor(context, (const char *)sqlite3_column_text(select, 0),
                  sqlite3_column_int64(select, 1));
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

/* Sums per account of whole months from the month totals; a period that
 * begins on 1 January leaves out that month's opening rows. */
static coop_err month_balances(ledger_store *store, uint32_t month_from, uint32_t month_to,
                               uint32_t date_from, ledger_balance_visitor visitor, void *context)
{
  sqlite3_stmt *select = NULL;
  if (sqlite3_prepare_v2(ledger_store_db(store),
                         "SELECT account, sum(amount_cents) FROM books_account_months"
                         " WHERE month BETWEEN ?1 AND ?2 AND NOT (opening AND month * 100 + 1 = ?3)"
                         " GROUP BY account ORDER BY account",
                         -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  sqlite3_bind_int64(select, 1, month_from);
  sqlite3_bind_int64(select, 2, month_to);
  sqlite3_bind_int64(select, 3, date_from);
  return visit_balances(select, visitor, context);
}

coop_err ledger_books_balances(ledger_store *store, const ledger_books_query *query,
                               ledger_balance_visitor visitor, void *context)
{
  uint32_t month_from = 0, month_to = 0;
  if (!query->member_id && whole_months(query, &month_from, &month_to))
    return month_balances(store, month_from, month_to, query->date_from, visitor, context);
  sqlite3_stmt *select = NULL;
  /* Two statements rather than "?1 IS NULL OR member_id = ?1", which would
   * keep SQLite from reading her lists.  A member's postings are found
   * through her records' lists (books_member_months) and the postings' key,
   * so neither records nor postings need a member index. */
  const char *sql = query->member_id
                        ? "SELECT p.account, sum(p.amount_cents) FROM" BOOKS_HER_RECORDS
                          " JOIN books_postings p ON p.entry_index = r.entry_index"
                          " WHERE m.member_id = ?1 AND m.month BETWEEN ?2 / 100 AND ?3 / 100"
                          " AND r.date BETWEEN ?2 AND ?3"
                          NOT_OPENING_OF_RECORD " GROUP BY p.account ORDER BY p.account"
                        : "SELECT account, sum(amount_cents) FROM books_postings"
                          " WHERE date BETWEEN ?2 AND ?3" NOT_OPENING
                          " GROUP BY account ORDER BY account";
  if (sqlite3_prepare_v2(ledger_store_db(store), sql, -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  bind_query(select, query);
  return visit_balances(select, visitor, context);
}

coop_err ledger_books_register(ledger_store *store, const ledger_books_query *query,
                               ledger_register_visitor visitor, void *context)
{
  sqlite3_stmt *select = NULL;
  /* Postings, plus one row per memo record (which has no postings). */
#define REGISTER_COLUMNS                                                                    \
  "SELECT r.entry_index, r.date, r.type, coalesce(r.member_id, ''), r.ref, r.note,"        \
  " p.account, coalesce(p.amount_cents, 0), r.quantity, r.for_period FROM"
#define REGISTER_POSTINGS " LEFT JOIN books_postings p ON p.entry_index = r.entry_index"
  const char *sql = query->member_id
                        ? REGISTER_COLUMNS BOOKS_HER_RECORDS REGISTER_POSTINGS
                          " WHERE m.member_id = ?1 AND m.month BETWEEN ?2 / 100 AND ?3 / 100"
                          " AND r.date BETWEEN ?2 AND ?3" NOT_OPENING_OF_RECORD
                          " ORDER BY r.date, r.entry_index, p.position"
                        : REGISTER_COLUMNS " books_records r" REGISTER_POSTINGS
                          " WHERE r.date BETWEEN ?2 AND ?3" NOT_OPENING_OF_RECORD
                          " ORDER BY r.date, r.entry_index, p.position";
#undef REGISTER_POSTINGS
#undef REGISTER_COLUMNS
  if (sqlite3_prepare_v2(ledger_store_db(store), sql, -1, &select, NULL) != SQLITE_OK)
    return COOP_E_DB;
  bind_query(select, query);
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    ledger_register_row row = {
        .entry_index = (uint64_t)sqlite3_column_int64(select, 0),
        .date = (uint32_t)sqlite3_column_int64(select, 1),
        .type = (uint8_t)sqlite3_column_int(select, 2),
        .member_id = (const char *)sqlite3_column_text(select, 3),
        .ref = (const char *)sqlite3_column_text(select, 4),
        .note = (const char *)sqlite3_column_text(select, 5),
        .account = (const char *)sqlite3_column_text(select, 6),
        .amount_cents = sqlite3_column_int64(select, 7),
        .quantity = sqlite3_column_int64(select, 8),
        .for_period = (uint32_t)sqlite3_column_int64(select, 9),
    };
    err = visitor(context, &row);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_finalize(select);
  return err;
}

/* One number about a member's records counting in [date_from, date_to]
 * (`select` binds ?1 member, ?2 from, ?3 to, and ?4 on: `extra`). */
static coop_err member_records_number(sqlite3_stmt *select, const char *member_id,
                                      uint32_t date_from, uint32_t date_to, const int *extra,
                                      int extra_count, int64_t *number)
{
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, date_from);
  sqlite3_bind_int64(select, 3, date_to);
  for (int i = 0; i < extra_count; i++)
    sqlite3_bind_int(select, 4 + i, extra[i]);
  int step = sqlite3_step(select);
  *number = step == SQLITE_ROW ? sqlite3_column_int64(select, 0) : 0;
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

/* "m.month >= ?2 / 100" changes nothing (a record counts in its date's
 * month or an earlier one: ledger_record_check) but skips her earlier
 * months' lists: without it each hours record of an import would read all
 * of her records, quadratic in them. */
#define COUNTING_IN_RANGE                                                                   \
  BOOKS_HER_RECORDS " WHERE m.member_id = ?1 AND m.month >= ?2 / 100 AND"                  \
  " (CASE WHEN r.for_period <> 0 THEN r.for_period * 100 + 1 ELSE r.date END)"             \
  " BETWEEN ?2 AND ?3"

coop_err ledger_books_memo_total(ledger_store *store, const char *member_id, uint8_t type,
                                 uint32_t date_from, uint32_t date_to, int64_t *total)
{
  const int memo[] = {type};
  return member_records_number(
      ledger_store_cached(store, "SELECT coalesce(sum(r.quantity), 0) FROM" COUNTING_IN_RANGE
                                 " AND (r.type = ?4 OR (r.type = 9 AND r.memo_type = ?4))"),
      member_id, date_from, date_to, memo, 1, total);
}

coop_err ledger_books_month_record_count(ledger_store *store, const char *member_id,
                                        uint32_t month, int64_t *count)
{
  const int not_cited[] = {LEDGER_RECORD_PROFIT_SPLIT, LEDGER_RECORD_ERASED_MEMBER,
                           LEDGER_RECORD_YEAR_CLOSE};
  return member_records_number(
      ledger_store_cached(store, "SELECT count(*) FROM" COUNTING_IN_RANGE
                                 " AND r.type NOT IN (?4, ?5, ?6)"),
      member_id, month * 100 + 1, month * 100 + 31, not_cited, 3, count);
}

coop_err ledger_books_statement(ledger_store *store, const char *member_id, uint32_t period,
                                int before, ledger_statement_payload *statement,
                                uint64_t *entry_index)
{
  sqlite3_stmt *select =
      before ? ledger_store_cached(store, "SELECT entry_index, payload FROM books_statements"
                                   " WHERE member_id = ?1 AND period < ?2"
                                   " ORDER BY period DESC, entry_index DESC LIMIT 1")
             : ledger_store_cached(store, "SELECT entry_index, payload FROM books_statements"
                                   " WHERE member_id = ?1 AND period = ?2"
                                   " ORDER BY entry_index DESC LIMIT 1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, period);
  int step = sqlite3_step(select);
  coop_err err = step == SQLITE_ROW    ? COOP_OK
                 : step == SQLITE_DONE ? COOP_E_NOT_FOUND
                                       : COOP_E_DB;
  if (!err) {
    *entry_index = (uint64_t)sqlite3_column_int64(select, 0);
    if (ledger_statement_decode(sqlite3_column_blob(select, 1),
                                (size_t)sqlite3_column_bytes(select, 1), statement))
      err = COOP_E_TAMPERED;
  }
  sqlite3_reset(select);
  return err;
}

coop_err ledger_books_statement_span(ledger_store *store, const char *member_id,
                                     uint32_t from_period, uint32_t to_period, uint32_t *first,
                                     uint32_t *last)
{
  *first = *last = 0;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT min(period), max(period) FROM books_statements WHERE member_id = ?1"
             " AND period BETWEEN ?2 AND ?3");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select, 2, from_period);
  sqlite3_bind_int64(select, 3, to_period);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW) {
    *first = (uint32_t)sqlite3_column_int64(select, 0);
    *last = (uint32_t)sqlite3_column_int64(select, 1);
  }
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}
