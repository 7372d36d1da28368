/* Test support: how many erasure proofs a store keeps (proven ahead, until
 * the entry they erase is stored: ledger/store/store_proof.c).  Header-only,
 * for the ledger and sync tests of erasures travelling between stores. */
#ifndef COOP_TESTS_SUPPORT_ERASURE_PROOFS_H
#define COOP_TESTS_SUPPORT_ERASURE_PROOFS_H

#include <stdint.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "ledger/store/store_sql.h"

/* The rows of erasure_proofs in `store`: 0 once every kept proof is settled. */
static inline int64_t kept_proofs(ledger_store *store)
{
  sqlite3_stmt *count = NULL;
  cr_assert_eq(sqlite3_prepare_v2(ledger_store_db(store), "SELECT count(*) FROM erasure_proofs",
                                  -1, &count, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_step(count), SQLITE_ROW);
  int64_t rows = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  return rows;
}

#endif
