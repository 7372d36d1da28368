/* Test support: changing a node's database behind coop's back, as someone
 * with access to the file could.  Header-only, for the node tests. */
#ifndef COOP_TESTS_SUPPORT_TAMPER_H
#define COOP_TESTS_SUPPORT_TAMPER_H

#include <stdio.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

/* Runs `sql` on the database of the node home `home`; returns the rows it
 * changed, so that a test can insist its tampering did something. */
static inline int test_tamper(const char *home, const char *sql)
{
  char path[512];
  snprintf(path, sizeof path, "%s/coop.db", home);
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
  char *error = NULL;
  int before = sqlite3_total_changes(db);
  cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &error), SQLITE_OK, "%s: %s", sql, error);
  int changed = sqlite3_total_changes(db) - before;
  sqlite3_close(db);
  return changed;
}

/* The edit the municipality's audit caught: +EUR 50,000 revenue on one
 * member, -EUR 50,000 on another, so the books still balance: their
 * postings and their month totals.  Returns the postings changed (2 when both members have one revenue posting). */
static inline int test_tamper_move_revenue(const char *home, const char *richer,
                                           const char *poorer)
{
  char sql[512];
  snprintf(sql, sizeof sql,
           "UPDATE books_postings SET amount_cents = amount_cents - 5000000"
           " WHERE member_id = '%s' AND account LIKE 'income:%%';"
           "UPDATE books_postings SET amount_cents = amount_cents + 5000000"
           " WHERE member_id = '%s' AND account LIKE 'income:%%'",
           richer, poorer);
  int changed = test_tamper(home, sql);
  /* And their accounts' month totals (books schema 6), which the balances
   * of an account and of whole months read: an edit that shows. */
  snprintf(sql, sizeof sql,
           "UPDATE books_account_months SET amount_cents = amount_cents - 5000000"
           " WHERE account LIKE 'income:members:%s:%%';"
           "UPDATE books_account_months SET amount_cents = amount_cents + 5000000"
           " WHERE account LIKE 'income:members:%s:%%'",
           richer, poorer);
  cr_assert_eq(test_tamper(home, sql), 2, "one month total of each member's revenue");
  return changed;
}

#endif
