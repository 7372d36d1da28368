/* What erasing a member needs from the books: her audiences, when she left,
 * and the amounts the books keep once her records are gone. */
#include <stdlib.h>
#include <string.h>

#include "ledger/books/books_index.h"
#include "ledger/books/books_sql.h"
#include "ledger/store/store_sql.h"

static int compare_audiences(const void *left, const void *right)
{
  return memcmp(left, right, LEDGER_AUDIENCE_ID_BYTES);
}

coop_err ledger_books_member_audiences(ledger_store *store, const char *member_id,
                                       uint8_t (*audiences)[LEDGER_AUDIENCE_ID_BYTES], size_t max,
                                       size_t *count)
{
  *count = 0;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT audience_id FROM books_members WHERE member_id = ?1"
             " UNION SELECT audience_id FROM books_moves WHERE member_id = ?1"
             " UNION SELECT previous_audience_id FROM books_moves WHERE member_id = ?1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(select, 0) != LEDGER_AUDIENCE_ID_BYTES)
      err = COOP_E_TAMPERED;
    else if (*count == max)
      err = COOP_E_LIMIT;
    else
      memcpy(audiences[(*count)++], sqlite3_column_blob(select, 0), LEDGER_AUDIENCE_ID_BYTES);
  }
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  qsort(audiences, *count, LEDGER_AUDIENCE_ID_BYTES, compare_audiences);
  return err;
}

coop_err ledger_books_member_left(ledger_store *store, const char *member_id, uint32_t *period)
{
  *period = 0;
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT min(from_period) FROM books_member_status"
             " WHERE member_id = ?1 AND field = 5 AND value = 1");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(select);
  if (step == SQLITE_ROW && sqlite3_column_type(select, 0) != SQLITE_NULL)
    *period = (uint32_t)sqlite3_column_int64(select, 0);
  sqlite3_reset(select);
  return step == SQLITE_ROW ? COOP_OK : COOP_E_DB;
}

coop_err ledger_books_member_day_totals(ledger_store *store, const char *member_id,
                                        ledger_day_total_visitor visitor, void *context)
{
  sqlite3_stmt *select = ledger_store_cached(
      /* Through her records' lists (neither records nor postings have a
       * member index), her year openings (type 13) left out. */
      store, "SELECT p.date, p.account_code, sum(p.amount_cents) FROM" BOOKS_HER_RECORDS
             " JOIN books_postings p ON p.entry_index = r.entry_index"
             " WHERE m.member_id = ?1 AND r.type <> 13 GROUP BY p.date, p.account_code"
             " HAVING sum(p.amount_cents) <> 0 ORDER BY p.date, p.account_code");
  if (!select)
    return COOP_E_DB;
  sqlite3_bind_text(select, 1, member_id, -1, SQLITE_TRANSIENT);
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW)
    err = visitor(context, (uint32_t)sqlite3_column_int64(select, 0),
                  (uint16_t)sqlite3_column_int64(select, 1), sqlite3_column_int64(select, 2));
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  return err;
}

coop_err ledger_books_erased_members(ledger_store *store, ledger_member_id_visitor visitor,
                                     void *context)
{
  sqlite3_stmt *select = ledger_store_cached(
      store, "SELECT DISTINCT member_id FROM books_records WHERE type = 12 ORDER BY member_id");
  if (!select)
    return COOP_E_DB;
  coop_err err = COOP_OK;
  int step;
  while (!err && (step = sqlite3_step(select)) == SQLITE_ROW)
    err = visitor(context, (const char *)sqlite3_column_text(select, 0));
  if (!err && step != SQLITE_DONE)
    err = COOP_E_DB;
  sqlite3_reset(select);
  return err;
}
