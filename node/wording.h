/* The words people read: month names, the statement's lines, the
 * disregard's name.  Dutch first (members and officers read Dutch), English
 * on request.  Shared by every interface (cli/, web/) so a statement reads
 * the same in the terminal, the HTML page and the web app. */
#ifndef COOP_NODE_WORDING_H
#define COOP_NODE_WORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/books/statement.h"
#include "ledger/offset/offset.h"

/* "maart" / "March"; month 1..12 (anything else: "?"). */
const char *node_month_name(int month, bool english);

/* "maart 2026" / "March 2026" for YYYYMM. */
#define NODE_MONTH_TEXT_BYTES 24u
void node_month_text(uint32_t period, bool english, char out[NODE_MONTH_TEXT_BYTES]);

/* "inkomstenvrijlating (n)", ...; "geen" for none. */
const char *node_disregard_name(int kind, bool english);

/* The municipality's verdict on a month (a NODE_AUDIT_* status of
 * node/audit.h) in a few words: "akkoord", "nog niet gecontroleerd", ...;
 * "?" for an unknown status.  The member and the officer read these. */
const char *node_verdict_name(int status, bool english);

/* A member's status fact in words: "geboren in mei 1990", "inkomstenvrijlating
 * (n) goedgekeurd: ja", "vertrokken"; `field` a LEDGER_MEMBER_* of
 * ledger/books/books.h, `value` its value (a birth month YYYYMM, or 1/0). */
#define NODE_FACT_TEXT_BYTES 64u
void node_member_fact_text(uint8_t field, uint32_t value, bool english,
                           char out[NODE_FACT_TEXT_BYTES]);

/* An amount as people type it from an invoice, for `coop record` and the
 * web app's forms alike: ledger_money_parse (positive only), but a euro sign
 * or a thousands separator ("€ 12,50", "1.200,50") is named as such instead
 * of "not an amount" or "more than two decimals".  The message quotes the
 * text first ("'1.200,50': ..."), as the money parser does. */
coop_err node_amount_parse(const char *text, int64_t *cents, char *message, size_t bytes);

/* The mistakes people make most in the web app's forms.  The node says
 * them in English, in the CLI's words (precise: the text typed, the month,
 * the rule); a Dutch page leads with node_form_error_dutch's sentence and
 * puts those words beside. */
typedef enum node_form_error {
  NODE_FORM_AMOUNT,       /* not an amount coop can book (node_amount_parse) */
  NODE_FORM_DATE,         /* not a calendar day */
  NODE_FORM_MEMBER,       /* no member by that id, client ref or name (or several) */
  NODE_FORM_MONTH_CLOSED, /* a record dated in a closed month */
  NODE_FORM_BEFORE_BOOKS, /* a record dated before the books' first month */
  NODE_FORM_RECORD_KIND,  /* a kind of record that is not booked by hand */
  NODE_FORM_FACT_CLOSED,  /* a status fact reaching back into closed months */
  NODE_FORM_COUNT         /* none of these: no Dutch sentence ("") */
} node_form_error;

/* The Dutch sentence for a form mistake; "" for an unknown one. */
const char *node_form_error_dutch(node_form_error error);

/* What a field of a rule set (ledger_offset_rule_set) holds. */
typedef enum node_rule_field_kind {
  NODE_RULE_TEXT,    /* municipality, effective_from, regime, distribution, loss_rule */
  NODE_RULE_MONEY,   /* int64_t cents */
  NODE_RULE_PERCENT, /* int64_t basis points */
  NODE_RULE_COUNT,   /* int64_t years or months: `unit` */
} node_rule_field_kind;

/* One field of a rule set and what it means in Dutch: the one table that
 * 'coop rules show' (the few words beside each value) and the web page
 * /rules (a sentence per number, Dutch or English) both read, so the two
 * cannot explain a field differently. */
typedef struct node_rule_field {
  const char *name; /* the JSON field, as 'coop rules publish' takes it */
  node_rule_field_kind kind;
  size_t offset;    /* numbers: of the int64_t in ledger_offset_rule_set */
  const char *label; /* Dutch, a few words: "bijstandsnorm per maand" */
  const char *unit;  /* counts: "jaar", "maanden"; NULL otherwise */
  const char *dutch, *english; /* numbers: what it does, in a sentence; NULL for text */
} node_rule_field;

/* Every field, in the order 'coop rules show' prints them; *count of them. */
const node_rule_field *node_rule_fields(size_t *count);

/* A number field's value in `rules` (kind other than NODE_RULE_TEXT). */
int64_t node_rule_field_value(const ledger_offset_rule_set *rules, const node_rule_field *field);

/* One line of a statement's money table.  `indent` lines are a part of the
 * line above (the split of the profit, what was disregarded). */
typedef struct node_money_line {
  const char *label;
  int64_t cents;
  bool indent;
} node_money_line;

#define NODE_STATEMENT_LINES_MAX 16u

/* The statement's money lines, in reading order; returns how many. */
size_t node_statement_lines(const ledger_statement_payload *statement, bool english,
                            node_money_line lines[NODE_STATEMENT_LINES_MAX]);

#endif
