/* Private to ledger/books: SQL the books' readers and writers share. */
#ifndef COOP_LEDGER_BOOKS_SQL_H
#define COOP_LEDGER_BOOKS_SQL_H

/* A member's records, `r`, from her lists (books_member_months `m`, one row
 * per month of the records' dates, schema 7): the records have no member
 * index.  A query adds "m.member_id = ..." and, where it can, bounds
 * m.month (YYYYMM of the record's date), so that only her months are read;
 * each listed entry is then one rowid lookup of books_records. */
#define BOOKS_HER_RECORDS                                                                   \
  " books_member_months m, json_each(m.entries) e"                                         \
  " JOIN books_records r ON r.entry_index = e.value"

#endif
