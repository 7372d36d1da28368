/* The books as an accountant's journal (hledger, ledger) or as CSV, one
 * row per posting: what 'coop export' and the web app's downloads write.
 * The formats: docs/books.md. */
#ifndef COOP_NODE_EXPORT_H
#define COOP_NODE_EXPORT_H

#include <stdio.h>

#include "ledger/books/books_index.h"
#include "node/node.h"

enum node_export_format { NODE_EXPORT_HLEDGER = 0, NODE_EXPORT_LEDGER = 1, NODE_EXPORT_CSV = 2 };

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
void node_csv_field(FILE *out, const char *text);

/* Writes the books (limited by `query`; `period`, the text the user gave,
 * or NULL, goes into the journal's header) to `out`.  COOP_E_IO when `out`
 * fails; the books' errors otherwise. */
COOP_MUST_USE coop_err node_export(node *node, int format, const ledger_books_query *query,
                                   const char *period, FILE *out);

/* Writes the audit file of calendar year `year` (XAF 3.2, Auditfile
 * Financieel: node/xaf.c, docs/books.md) to `out`: its opening balance and
 * every transaction dated in the year.  The year's checks are
 * node_year_report_make's (node/year.h): COOP_E_BAD_INPUT with message
 * saying why for a year out of range, not begun or without books.
 * COOP_E_IO when `out` fails; message always says what failed. */
COOP_MUST_USE coop_err node_export_xaf(node *node, uint32_t year, FILE *out,
                                       char message[NODE_MESSAGE_BYTES]);

#endif
