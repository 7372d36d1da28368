/* Records from a spreadsheet export (CSV), all or nothing: every bad row is
 * reported with its line number and nothing is written when one is bad.
 * The CLI's 'coop import' and the web app's upload are this one function,
 * with the same messages.  The columns and rules: 'coop import --help' and
 * docs/books.md. */
#ifndef COOP_NODE_IMPORT_H
#define COOP_NODE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "ledger/base/buffer.h"
#include "node/node.h"

/* At most 256 MiB and 2,000,000 rows per file. */
#define NODE_IMPORT_FILE_BYTES_MAX (256u * 1024u * 1024u)
#define NODE_IMPORT_ROWS_MAX 2000000u

/* One error line: "NAME:LINE: what" for a row (line > 0), or about the
 * whole file (line 0). */
typedef void (*node_import_say)(void *context, unsigned long line, const char *text);

typedef struct node_import_result {
  size_t imported; /* rows recorded */
  size_t existed;  /* rows already there (the same ref and content) */
  size_t bad_rows;
} node_import_result;

/* Imports `file` (named `name` in messages).  COOP_OK when every row was
 * recorded (or already there); otherwise nothing was, and `say` heard why. */
COOP_MUST_USE coop_err node_import_csv(node *node, const char *name, const coop_buf *file,
                                       bool future, node_import_say say, void *context,
                                       node_import_result *result);

#endif
