/* The books' tables in the coop database: the schema migrations that create
 * them, run by the store after its own (ledger/store/store_sql.h).  The
 * tables are derived from the node's own log (ledger/books/books_index.h):
 * everything here can be dropped and rebuilt from the log. */
#include "ledger/books/schema.h"

#include "ledger/store/store_sql.h"

/* Migration i brings user_version from LEDGER_STORE_LOG_SCHEMA_VERSION + i
 * to + i + 1.  Never edit a migration that has shipped: add one. */
static const char *const migrations[] = {
  /* 1 -> 2: the books. */
  "CREATE TABLE books_state ("
  "  name TEXT PRIMARY KEY,"
  "  value ANY) WITHOUT ROWID;"
  "CREATE TABLE books_members ("
  "  member_id TEXT PRIMARY KEY,"
  "  audience_id BLOB NOT NULL UNIQUE,"
  "  entry_index INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  municipality BLOB NOT NULL,"
  "  client_ref TEXT NOT NULL,"
  "  member_key BLOB);"
  "CREATE TABLE books_member_status ("
  "  member_id TEXT NOT NULL,"
  "  field INTEGER NOT NULL,"
  "  from_period INTEGER NOT NULL,"
  "  value INTEGER NOT NULL,"
  "  entry_index INTEGER NOT NULL,"
  "  PRIMARY KEY (member_id, field, entry_index));"
  "CREATE TABLE books_records ("
  "  entry_index INTEGER PRIMARY KEY,"
  "  type INTEGER NOT NULL,"
  "  date INTEGER NOT NULL,"
  "  member_id TEXT,"
  "  ref TEXT NOT NULL,"
  "  note TEXT NOT NULL,"
  "  quantity INTEGER NOT NULL,"
  "  corrects INTEGER,"
  "  corrects_period INTEGER,"
  "  memo_type INTEGER NOT NULL,"
  "  corrected_by INTEGER);"
  "CREATE INDEX books_records_member ON books_records (member_id, date);"
  "CREATE UNIQUE INDEX books_records_ref ON books_records (ref) WHERE ref <> '';"
  "CREATE TABLE books_postings ("
  "  entry_index INTEGER NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  date INTEGER NOT NULL,"
  "  account TEXT NOT NULL,"
  "  account_code INTEGER NOT NULL,"
  "  member_id TEXT,"
  "  amount_cents INTEGER NOT NULL,"
  "  PRIMARY KEY (entry_index, position));"
  /* Covering indexes: balances are read from the index alone. */
  "CREATE INDEX books_postings_account ON books_postings (account, date, amount_cents);"
  "CREATE INDEX books_postings_member ON books_postings"
  "  (member_id, date, account, amount_cents);"
  "CREATE TABLE books_periods ("
  "  period INTEGER PRIMARY KEY,"
  "  entry_index INTEGER NOT NULL);"
  "CREATE TABLE books_statements ("
  "  member_id TEXT NOT NULL,"
  "  period INTEGER NOT NULL,"
  "  entry_index INTEGER NOT NULL,"
  "  payload BLOB NOT NULL,"
  "  PRIMARY KEY (member_id, period, entry_index));",
  /* 2 -> 3: a record attributed to an earlier month (record version 2);
   * every record before it counts in its date's month. */
  "ALTER TABLE books_records ADD COLUMN for_period INTEGER NOT NULL DEFAULT 0;",
  /* 3 -> 4: a member's moves to another municipality (member actions 4
   * and 5): from which month, her audience, municipality and client ref
   * from then on, and those before. */
  "CREATE TABLE books_moves ("
  "  member_id TEXT NOT NULL,"
  "  from_period INTEGER NOT NULL,"
  "  audience_id BLOB NOT NULL UNIQUE,"
  "  municipality BLOB NOT NULL,"
  "  client_ref TEXT NOT NULL,"
  "  previous_audience_id BLOB NOT NULL,"
  "  previous_municipality BLOB NOT NULL,"
  "  previous_client_ref TEXT NOT NULL,"
  "  entry_index INTEGER NOT NULL,"
  "  PRIMARY KEY (member_id, from_period));",
  /* 4 -> 5: faster bulk imports (issue 16).  Postings become a WITHOUT
   * ROWID table clustered on (entry_index, position): the primary key was a
   * separate index beside the rowid table, a third B-tree written for every
   * posting.  Their member index goes too (a fourth B-tree): a posting has
   * its record's member and date, so a member's postings are found through
   * the records' member index (books_records_member) and the key.  The rows are copied as they are (the books stay what a replay
   * gives: nothing needs rebuilding).  Members get an index on (municipality,
   * client ref): an enrolment checks the ref is free, which scanned every
   * member, quadratic in a batch enrolment. */
  "ALTER TABLE books_postings RENAME TO books_postings_v4;"
  "CREATE TABLE books_postings ("
  "  entry_index INTEGER NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  date INTEGER NOT NULL,"
  "  account TEXT NOT NULL,"
  "  account_code INTEGER NOT NULL,"
  "  member_id TEXT,"
  "  amount_cents INTEGER NOT NULL,"
  "  PRIMARY KEY (entry_index, position)) WITHOUT ROWID;"
  "INSERT INTO books_postings SELECT entry_index, position, date, account, account_code,"
  "  member_id, amount_cents FROM books_postings_v4 ORDER BY entry_index, position;"
  "DROP TABLE books_postings_v4;"
  "CREATE INDEX books_postings_account ON books_postings (account, date, amount_cents);"
  "CREATE INDEX books_members_client_ref ON books_members (municipality, client_ref);"
  /* A record's member index also covers what the checks of a new record
   * read from her month (hours so far, records from a month on): each
   * hours record of an import read every record of her month from the
   * table before. */
  "DROP INDEX books_records_member;"
  "CREATE INDEX books_records_member ON books_records"
  "  (member_id, date, type, memo_type, for_period, quantity);",
  /* 5 -> 6: fewer B-trees per record (issue 16, second round).  The
   * postings' account index (account, date, amount) goes: it was a B-tree
   * insert per posting, as many as the postings themselves.  What read it
   * (the balance of one account, the balances of whole months and years)
   * reads per-account month totals instead: one row per account, month
   * and whether it is a year's opening (year-close records, type 13, which
   * a period from 1 January leaves out), with the postings it sums.  A
   * month, not a day: most accounts are a member's own, so day rows would
   * be one for every three postings (docs/books.md); month rows are ~80
   * times fewer, and every balance coop asks for is of whole months (a
   * range that is not is read from the postings).  Computed from the rows
   * already there (nothing to rebuild). */
  "DROP INDEX books_postings_account;"
  "CREATE TABLE books_account_months ("
  "  account TEXT NOT NULL,"
  "  month INTEGER NOT NULL,"
  "  opening INTEGER NOT NULL,"
  /* SQLite's + turns an int64 overflow into a float: refused instead (the
   * write fails and its transaction with it; no float near money). */
  "  amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer'),"
  "  postings INTEGER NOT NULL,"
  "  PRIMARY KEY (account, month, opening)) WITHOUT ROWID;"
  "INSERT INTO books_account_months SELECT p.account, p.date / 100, r.type = 13,"
  "  sum(p.amount_cents), count(*) FROM books_postings p"
  "  JOIN books_records r ON r.entry_index = p.entry_index"
  "  GROUP BY p.account, p.date / 100, r.type = 13 ORDER BY 1, 2, 3;",
  /* 6 -> 7: no member index on the records (issue 16, imp5).  It was a
   * B-tree insert per record, ~8 % of an import's instructions.  A
   * member's records are found through one row per member and month of
   * their dates instead, listing their entry indexes in order as a JSON
   * array of integers (SQLite's json_each reads it; the list is derived,
   * never hashed or signed).  A bulk import writes one row per member and
   * month per flush, a single record appends to its row.  The lists are
   * made from the records already there (nothing to rebuild). */
  /* Each month in four parts by day (1 – 8, 9 – 16, 17 – 24, 25 – 31): an
   * append rewrites its row's text, which a busy member's whole month
   * would take past ~1,000 bytes, onto overflow pages. */
  "CREATE TABLE books_member_months ("
  "  member_id TEXT NOT NULL,"
  "  month INTEGER NOT NULL,"
  "  part INTEGER NOT NULL,"
  "  entries TEXT NOT NULL,"
  "  PRIMARY KEY (member_id, month, part)) WITHOUT ROWID;"
  "INSERT INTO books_member_months SELECT member_id, month, part,"
  "  '[' || group_concat(entry_index) || ']' FROM (SELECT member_id, date / 100 AS month,"
  "  (date % 100 - 1) / 8 AS part, entry_index FROM books_records"
  "  WHERE member_id IS NOT NULL ORDER BY member_id, month, part, entry_index)"
  "  GROUP BY member_id, month, part ORDER BY member_id, month, part;"
  "DROP INDEX books_records_member;",
};

_Static_assert(LEDGER_STORE_LOG_SCHEMA_VERSION + sizeof migrations / sizeof migrations[0] ==
                   LEDGER_STORE_SCHEMA_VERSION,
               "one migration per schema version");

static const ledger_store_schema books_schema = {
    .migrations = migrations,
    .count = (int)(sizeof migrations / sizeof migrations[0]),
};

coop_err ledger_store_open(const char *path, int flags, ledger_store **store)
{
  return ledger_store_open_schema(path, flags, &books_schema, store);
}
