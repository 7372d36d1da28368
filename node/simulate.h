/* "What if I earn € X next month?": the member's next month computed with
 * her municipality's rule sets and the counters her latest statement
 * carries (months of disregard used, allowance this year), exactly as the
 * month close would, without writing anything.  Indicative: the real month
 * has its own records, age and status. */
#ifndef COOP_NODE_SIMULATE_H
#define COOP_NODE_SIMULATE_H

#include <stdint.h>

#include "ledger/offset/offset.h"
#include "node/node.h"

typedef struct node_what_if {
  uint32_t period;                 /* YYYYMM: the month after her latest statement */
  ledger_offset_month inputs;      /* what was computed with */
  ledger_offset_statement figures; /* and what came out */
} node_what_if;

/* Member `member_id` (NULL: this node's own member) earning `revenue_cents`
 * with `costs_cents` of costs in the month after her latest statement.
 * COOP_E_NOT_FOUND without a statement to start from; the engine's errors
 * otherwise (message says what). */
COOP_MUST_USE coop_err node_what_if_next_month(node *node, const char *member_id,
                                               int64_t revenue_cents, int64_t costs_cents,
                                               node_what_if *out,
                                               char message[NODE_MESSAGE_BYTES]);

#endif
