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

#endif
