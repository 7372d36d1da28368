/* The coop database: the store's log tables (ledger/store/store.h) and the
 * books' derived tables (ledger/books/books_index.h), one schema with one
 * version number.  The books own their tables' definitions
 * (ledger/books/schema.c) and hand them to the store through
 * ledger_store_open_schema (ledger/store/store_sql.h). */
#ifndef COOP_LEDGER_SCHEMA_H
#define COOP_LEDGER_SCHEMA_H

#include "ledger/base/error.h"
#include "ledger/store/store.h"

/* Version 1: the log store; 2: the books; 3: a record's for_period;
 * 4: members' moves (books_moves); 5: WITHOUT ROWID postings and the
 * members' client ref index, a covering member index of records (faster
 * imports and enrolments); 6: per-account month totals
 * (books_account_months) instead of the postings' account index;
 * 7: each member's records listed per month of their dates
 * (books_member_months) instead of the records' member index. */
#define LEDGER_STORE_SCHEMA_VERSION 7

/* Opens (or creates) the database at `path`, applies migrations up to
 * LEDGER_STORE_SCHEMA_VERSION.  COOP_E_NOT_FOUND, COOP_E_EXISTS,
 * COOP_E_SCHEMA (written by a newer coop), COOP_E_DB. */
COOP_MUST_USE coop_err ledger_store_open(const char *path, int flags, ledger_store **store);

#endif
