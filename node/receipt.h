/* Receipts (node/receipt.c): what a member takes away to prove her
 * statement and its verdict without a node (ledger/books/receipt.h verifies). */
#ifndef COOP_NODE_RECEIPT_H
#define COOP_NODE_RECEIPT_H

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

#endif
