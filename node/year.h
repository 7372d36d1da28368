/* The coop's annual accounts (jaarrekening) for one calendar year, computed
 * from the books: the balance sheet at the year's end and the profit and
 * loss of the year per account of the chart, every member's subledger
 * totals and development budget (ontwikkelbudget), what each municipality
 * was due and was paid, and the checks that it all reconciles.  What
 * 'coop report year' prints and 'coop export -O xaf' (node/xaf.c) writes
 * from; an interface only formats it.
 *
 * Amounts are int64 cents.  The chart lines and accounts keep the books'
 * sign (debit > 0, credit < 0, as 'coop bal'); the member, budget and
 * municipality figures are amounts as people say them (positive: revenue
 * earned, budget the coop holds for her, money owed to a municipality). */
#ifndef COOP_NODE_YEAR_H
#define COOP_NODE_YEAR_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "node/node.h"

/* Room for every code of the chart (ledger_chart has 12). */
#define NODE_YEAR_CHART_MAX 16u

/* The years a report or audit file can be asked for: what a date of the
 * books can hold (ledger_period_valid). */
#define NODE_YEAR_MIN 1900u
#define NODE_YEAR_MAX 9999u

/* One code of the chart, summed over every member's account of it. */
typedef struct node_year_line {
  const ledger_account_definition *account;
  int64_t opening_cents; /* balance at the end of the year before */
  int64_t year_cents;    /* postings dated in the year */
  int64_t closing_cents; /* balance at the end of the year: opening + year */
} node_year_line;

/* One account as 'coop bal' names it, with its balance in the year and at
 * the year's end (as the books' own SQL sums them: the independent side of
 * the checks). */
typedef struct node_year_account {
  char name[LEDGER_ACCOUNT_NAME_BYTES];
  uint16_t code;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* "" for the coop's own accounts */
  int64_t year_cents, closing_cents;
} node_year_account;

typedef struct node_year_member {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  char municipality[NODE_PARTY_TEXT_BYTES]; /* at the year's end (or when she left) */
  uint32_t left_from; /* YYYYMM from which she left, when on or before the year's end; 0 */
  /* Erased (coop member erase): only her amounts remain, no name, client
   * ref or statements, so her splits are not compared. */
  bool erased;
  /* The year's subledger, positive as people say them. */
  int64_t revenue_cents, costs_cents, allowance_cents, profit_split_cents;
  /* Her development budget: opening + added - spent = closing. */
  int64_t budget_opening_cents, budget_added_cents, budget_spent_cents, budget_closing_cents;
  int64_t due_closing_cents; /* her part owed to municipalities at the year's end */
  /* The year's profit splits as her statements say them (the one in force
   * for each closed month of the year) and as booked (profit-split
   * records dated in the year). */
  unsigned statement_months;
  int64_t stated_coop_cents, stated_municipality_cents, stated_budget_cents;
  int64_t booked_coop_cents, booked_municipality_cents, booked_budget_cents;
} node_year_member;

/* What a municipality was owed: every posting on a member's
 * municipality account counts for the municipality she belonged to that
 * month.  opening + due - paid = closing. */
typedef struct node_year_municipality {
  uint8_t key[LEDGER_PUBLIC_KEY_BYTES];
  char text[NODE_PARTY_TEXT_BYTES]; /* "Gemeente Breda (2951-e01d-42a0-3c0f)" */
  int64_t opening_cents, due_cents, paid_cents, closing_cents;
} node_year_municipality;

typedef struct node_year_report {
  uint32_t year;
  uint32_t last_closed; /* YYYYMM, 0 while none is */
  bool running;         /* the year has not ended yet (node_now_ms) */
  bool closed;          /* coop period close YYYY: its result is in equity, the year final */
  uint64_t close_entry; /* the year-close entry of this year; 0 while open */
  size_t line_count;
  node_year_line lines[NODE_YEAR_CHART_MAX];
  /* The postings dated in the year: how many, and their debits and credits
   * (both positive; equal, as every transaction balances). */
  uint64_t year_posting_count;
  int64_t year_debit_cents, year_credit_cents;
  int64_t prior_result_cents; /* profit and loss of the years before (debit > 0: a loss) */
  int64_t year_result_cents;  /* profit and loss of the year (debit > 0: a loss) */
  node_year_account *accounts;
  size_t account_count;
  node_year_member *members;
  size_t member_count;
  node_year_municipality *municipalities;
  size_t municipality_count;
  /* The checks. */
  bool balanced;          /* assets, liabilities, equity and results sum to zero */
  bool accounts_agree;    /* the chart lines equal the books' own balances */
  bool splits_reconcile;  /* every member's stated splits equal the booked ones */
  bool budgets_reconcile; /* the members' budgets sum to the budget accounts */
  bool municipalities_reconcile; /* what municipalities are owed sums to their accounts */
} node_year_report;

/* Computes the accounts of `year`.  Refused (COOP_E_BAD_INPUT, message
 * saying why) for a year outside NODE_YEAR_MIN..NODE_YEAR_MAX, a year that
 * has not begun, and a year before the books' first record ("no books").
 * On success release the report with node_year_report_release; on failure
 * it holds nothing to release. */
COOP_MUST_USE coop_err node_year_report_make(node *node, uint32_t year, node_year_report *report,
                                             char message[NODE_MESSAGE_BYTES]);
void node_year_report_release(node_year_report *report);

/* All four checks hold. */
bool node_year_reconciles(const node_year_report *report);

/* What the annual accounts call a code of the chart, summed over members:
 * "Ontwikkelbudgetten" / "Development budgets".  NULL for an unknown code. */
const char *node_account_label(uint16_t code, bool english);

/* The chart code and member of an account name ("liabilities:members:
 * m-3f9a2c:development-budget" -> 2100, "m-3f9a2c").  COOP_E_UNKNOWN_ACCOUNT. */
COOP_MUST_USE coop_err node_account_code(const char *name, uint16_t *code,
                                         char member_id[LEDGER_MEMBER_ID_CHARS + 1]);

#endif
