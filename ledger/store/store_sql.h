/* The store as the modules built on it see it (the books' derived tables,
 * ledger/books/books_index.h): the SQLite connection, the cache of their
 * prepared statements, and the hook through which they add their own tables
 * to the schema.  Everything else about the store stays private
 * (ledger/store/store_int.h).
 *
 * The schema is one sequence of migrations, one per user_version: the
 * store's own first (its log tables: version 0 -> 1), then those of the
 * modules above, in the order they give them.  The numbering is on disk:
 * never edit, reorder or remove a migration that has shipped; add one. */
#ifndef COOP_LEDGER_STORE_SQL_H
#define COOP_LEDGER_STORE_SQL_H

#include <sqlite3.h>

#include "ledger/base/error.h"
#include "ledger/store/store.h"

/* The versions the store's own migrations bring a database to. */
#define LEDGER_STORE_LOG_SCHEMA_VERSION 1

/* The migrations of the tables of the modules built on the store:
 * migrations[i] brings user_version from LEDGER_STORE_LOG_SCHEMA_VERSION + i
 * to LEDGER_STORE_LOG_SCHEMA_VERSION + i + 1.  Each is run with
 * sqlite3_exec in its own IMMEDIATE transaction with the version change. */
typedef struct ledger_store_schema {
  const char *const *migrations;
  int count;
} ledger_store_schema;

/* Opens (or creates) the database at `path` and applies the migrations it
 * lacks: the store's own, then `above`'s (NULL: none), up to
 * LEDGER_STORE_LOG_SCHEMA_VERSION + above->count.  COOP_E_NOT_FOUND,
 * COOP_E_EXISTS, COOP_E_SCHEMA (a higher version: written by a newer coop),
 * COOP_E_DB. */
COOP_MUST_USE coop_err ledger_store_open_schema(const char *path, int flags,
                                                const ledger_store_schema *above,
                                                ledger_store **store);

/* The store's connection, for reading and writing the tables of the
 * modules built on it, inside the store's transactions (ledger_store_begin
 * and ledger_store_commit, or ledger_store_exec). */
sqlite3 *ledger_store_db(ledger_store *store);

/* Runs `sql` (no results).  A statement starting with BEGIN starts a new
 * transaction, whose first failure ledger_store_failure reports.  COOP_OK
 * or COOP_E_DB. */
coop_err ledger_store_exec(ledger_store *store, const char *sql);

/* A statement prepared once per store and reused, reset and unbound.  `sql`
 * must be a string literal: the cache is keyed by its address.  NULL (with
 * the database error available) when it does not prepare. */
sqlite3_stmt *ledger_store_cached(ledger_store *store, const char *sql);

/* Writes the problem a read found (see ledger_store_problem); returns err. */
coop_err ledger_store_set_problem(ledger_store *store, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
