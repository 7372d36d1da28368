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

/* Members from a CSV whose first row names the columns name, client_ref,
 * municipality (its key or peer name) and optionally birth (YYYY-MM) and
 * status (n-approved, medical-limit, single-parent, separated by spaces or
 * '+'), enrolled as one batch (node_member_add_many): all or nothing, every
 * bad row reported through `say` with its line.  `enrolled` hears each new
 * member, in file order, once all are in. *bad_rows: how many were bad. */
struct node_member_request;
typedef void (*node_import_enrolled)(void *context, const char *member_id,
                                     const struct node_member_request *request);
COOP_MUST_USE coop_err node_import_members_csv(node *node, const char *name,
                                               const coop_buf *file, node_import_say say,
                                               void *context, node_import_enrolled enrolled,
                                               void *enrolled_context, size_t *bad_rows);

#endif
