/* Receipts (node/receipt.c): what a member takes away to prove her
 * statement and its verdict without a node (ledger/books/receipt.h verifies),
 * and its file (node/receipt_file.c). */
#ifndef COOP_NODE_RECEIPT_H
#define COOP_NODE_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/books/receipt.h"
#include "node/node.h"

/* Builds a member's receipt for a month (ledger/books/receipt.h) from what this
 * node holds: the statement (the latest for that member and month), its
 * inclusion proof in a cosigned coop checkpoint when there is one (else the
 * coop's latest), and the municipality's verdict with its proof. */
COOP_MUST_USE coop_err node_receipt_build(node *node, const char *member_id, uint32_t period,
                                          ledger_receipt *receipt,
                                          char message[NODE_MESSAGE_BYTES]);

/* ---- The file ------------------------------------------------------------------
 *
 * JSON with 2-space indentation, keys in the documented order, lower-case
 * hex, a final newline: exactly one text per receipt (docs/log-format.md
 * §Receipts).  Written and read here rather than in ledger/, whose rooms
 * need no JSON library. */

/* The canonical text of `receipt`, NUL-terminated, in *text (free() it).
 * COOP_E_NOMEM, else COOP_OK. */
COOP_MUST_USE coop_err node_receipt_write_json(const ledger_receipt *receipt, char **text);

/* Parses a receipt file into *receipt, refusing anything that is not
 * exactly the canonical text of what it parsed (rule 'canonical': another
 * key order, upper-case hex, other spacing, unknown fields).  On error
 * `problem` names the field or the rule; *receipt is then zeroed.  Needs no
 * node: `coop receipt verify` runs offline. */
COOP_MUST_USE coop_err node_receipt_read_json(const char *text, size_t length,
                                              ledger_receipt *receipt, char problem[256]);

#endif
