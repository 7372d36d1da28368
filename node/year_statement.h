/* A member's year (jaaropgave): her twelve months and their totals, built
 * from the statements in force (the latest reissue of each month) as this
 * node reads them - a coop node its own log, a municipality its residents'
 * months, a member's own node hers.  And the municipality's year overview:
 * the audit report of every month of a year in one table.
 *
 * The figures are the statements' own: a year's total is the sum of the
 * monthly statements in force, nothing is computed again (the engine ran
 * when each month closed, and the municipality judged that).  Every
 * interface (cli/, web/) prints from these structs. */
#ifndef COOP_NODE_YEAR_STATEMENT_H
#define COOP_NODE_YEAR_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/books/statement.h"
#include "node/audit.h"
#include "node/node.h"

#define NODE_YEAR_MONTHS 12
/* Replaced statements kept per month with their verdicts: more reissues of
 * one month than a correction, a late fact and a dispute make is rare, and
 * `reissues` still counts them all. */
#define NODE_YEAR_REPLACED_MAX 4

/* What a month of the year is, for her. */
typedef enum node_year_state {
  NODE_YEAR_STATED = 1, /* closed, a statement in force */
  NODE_YEAR_OPEN = 2,   /* the coop has not closed the month yet */
  NODE_YEAR_LEFT = 3,   /* closed, no statement: she had left the coop */
  NODE_YEAR_NONE = 4,   /* closed (or before the coop's books began), no statement
                           readable here: not enrolled yet, or another
                           municipality's month (she moved) */
} node_year_state;

/* "stated", "open", "left", "none". */
const char *node_year_state_name(int state);

typedef struct node_year_month {
  uint32_t period; /* YYYYMM */
  int state;       /* node_year_state */
  /* NODE_YEAR_STATED only: */
  uint64_t statement_index;
  uint64_t replaces;         /* index + 1 of the statement it replaced; 0: the first */
  size_t reissues;           /* how many statements of the month it replaced in all */
  /* The statements it replaced, newest first (the first
   * NODE_YEAR_REPLACED_MAX of them), each with the municipality's verdict
   * on it: why a month was reissued is often a dispute. */
  struct node_year_replaced {
    uint64_t index;
    int status; /* node_audit_status: PENDING, ACKNOWLEDGED or DISPUTED */
  } replaced[NODE_YEAR_REPLACED_MAX];
  ledger_offset_month inputs;
  ledger_offset_statement figures;
  uint8_t rule_set_log[LEDGER_LOG_ID_BYTES];
  uint64_t rule_set_index;
  node_verdict_found verdict;
  size_t records_after_statement; /* recorded later: a reissue is due */
  /* Any month with her entries: */
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES]; /* of her residence that month */
  int64_t budget_spent_cents; /* spent from her development budget in the month */
} node_year_month;

/* Sums over the months with a statement in force, in the statements'
 * names (revenue is what the monthly statement calls earned). */
typedef struct node_year_totals {
  int64_t revenue_cents, costs_cents, profit_cents, coop_share_cents;
  int64_t disregard_cents, volunteer_allowance_cents, volunteer_disregarded_cents;
  int64_t other_income_cents, counted_income_cents, offset_cents, benefit_cents;
  int64_t to_municipality_cents, to_budget_cents;
  int64_t budget_spent_cents; /* in every closed month, with a statement or not */
  /* Months each disregard applied in (index: ledger_offset_disregard_kind). */
  int disregard_months[LEDGER_OFFSET_DISREGARD_34A + 1];
} node_year_totals;

/* A rule set used in the year, and the months it was used for. */
typedef struct node_year_rule_set {
  uint8_t log[LEDGER_LOG_ID_BYTES];
  uint64_t index;
  uint32_t first_period, last_period;
} node_year_rule_set;

typedef struct node_year_statement {
  uint32_t year;
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char coop_name[COOP_NAME_BYTES_MAX + 1];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];                /* her latest in the year */
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];  /* her latest in the year */
  node_year_month months[NODE_YEAR_MONTHS];
  node_year_totals totals;
  /* Her development budget (ontwikkelbudget): what the statements in force
   * gave her less what she spent, before the year and at its end (as far as
   * the year is closed: an open month's spending counts when it closes). */
  int64_t budget_start_cents, budget_end_cents;
  size_t stated_count, open_count;
  node_year_rule_set rule_sets[NODE_YEAR_MONTHS];
  size_t rule_set_count;
} node_year_statement;

/* Builds the year `year` of `member_id` (NULL on a member's own node: the
 * member whose key this node holds) into `out`.  Errors, with `message`
 * saying what and where: COOP_E_RANGE for a year in the future,
 * COOP_E_NOT_FOUND for a member this node cannot read or who has no
 * statement or income in the year (naming the months it has).  Open months
 * are no error: they are NODE_YEAR_OPEN (the caller decides whether a final
 * statement may have them).  `out` is zeroed on failure. */
COOP_MUST_USE coop_err node_year_statement_build(node *node, const char *member_id,
                                                 uint32_t year, node_year_statement *out,
                                                 char message[NODE_MESSAGE_BYTES]);

/* "2026-06, 2026-07" (at most 12 months): the open months, for messages. */
#define NODE_YEAR_OPEN_TEXT_BYTES 112u
void node_year_open_text(const node_year_statement *year, char out[NODE_YEAR_OPEN_TEXT_BYTES]);

/* ---- The municipality's year overview ------------------------------------------------------ */

/* One resident's month in the overview: the monthly report's row (its
 * `statement` NULL: that lives during the visit only) and its month. */
typedef struct node_audit_year_row {
  uint32_t period;
  node_audit_row month;
  /* The municipality's figures: on a disputed month its own, never the
   * coop's it disputes; else the statement's. */
  ledger_offset_statement figures;
} node_audit_year_row;

typedef struct node_audit_year {
  uint32_t year;
  node_audit_year_row *rows; /* by coop, resident (member id), month */
  size_t row_count, row_capacity;
  size_t resident_count;
} node_audit_year;

/* Every resident's month of `year` (municipality nodes only: COOP_E_USAGE
 * otherwise), judged from what arrived: a month a coop has not closed is
 * "open", one it has not sent is absent.  Free with node_audit_year_free. */
COOP_MUST_USE coop_err node_audit_year_build(node *node, uint32_t year, node_audit_year *out,
                                             char message[NODE_MESSAGE_BYTES]);
void node_audit_year_free(node_audit_year *year);

/* Are two rows the same resident (same coop log, same member)? */
bool node_audit_year_same_resident(const node_audit_year_row *a, const node_audit_year_row *b);

/* Adds a row's money figures to `total` (counted income, offset, benefit,
 * to the municipality) - the overview's totals, per resident and in all. */
void node_audit_year_add(ledger_offset_statement *total, const node_audit_year_row *row);

#endif
