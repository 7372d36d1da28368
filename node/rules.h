/* A municipality's offset rule sets: publishing one, and trying one on a
 * month's residents before it is published (the officer's simulator). */
#ifndef COOP_NODE_RULES_H
#define COOP_NODE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/offset/offset.h"
#include "node/audit.h"
#include "node/node.h"

/* The rule sets published on `log_id` (ledger_offset_rule_sets_from_log:
 * its errors, and on a decode error entry_index[*count] names the entry),
 * at most `max`; entry_index and leaf_hash may be NULL. */
COOP_MUST_USE coop_err node_rule_sets(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                      ledger_offset_rule_set *rule_sets, uint64_t *entry_index,
                                      uint8_t (*leaf_hash)[LEDGER_HASH_BYTES], size_t max,
                                      size_t *count);

/* Publishes `rule_set` (municipality nodes only, else COOP_E_USAGE): the
 * payload checks (message names the field), one with the same
 * effective_from already published is refused naming its entry, then the
 * entry and its checkpoint in one transaction.  *index: its entry. */
COOP_MUST_USE coop_err node_rule_set_publish(node *node, const ledger_offset_rule_set *rule_set,
                                             uint64_t *index, char message[NODE_MESSAGE_BYTES]);

/* One resident's month: what her statement says and what the same inputs
 * and carried state give with the rule set tried. */
typedef struct node_rule_effect {
  const node_audit_row *row;     /* names, coop, status; row->figures: now */
  ledger_offset_statement tried; /* with the rule set tried */
  coop_err err;                  /* the engine's answer when it refused */
} node_rule_effect;

typedef coop_err (*node_rule_effect_visitor)(void *context, const node_rule_effect *effect);

/* For every resident with a statement in `period`: her figures now and
 * with `rule_set` in force for that month (its effective_from moved to the
 * month for the try).  Writes nothing. */
COOP_MUST_USE coop_err node_rule_set_effect(node *node, const ledger_offset_rule_set *rule_set,
                                            uint32_t period, node_rule_effect_visitor visitor,
                                            void *context, char message[NODE_MESSAGE_BYTES]);

#endif
