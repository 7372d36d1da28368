/* The rule sets a municipality has published on its log, read from the
 * store and decoded (ledger/offset/offset_codec.h): what the month close,
 * the audit and `coop rules` take the rule set in force from. */
#ifndef COOP_LEDGER_RULE_SETS_H
#define COOP_LEDGER_RULE_SETS_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/log/entry.h"
#include "ledger/offset/offset.h"
#include "ledger/store/store.h"

/* Collects the rule sets published on log `log_id` that the store holds, in
 * log order: for each, the decoded rule set in out[i], its entry index in
 * entry_index[i] and its leaf hash (its identity) in leaf_hash[i].  Any of
 * the three arrays may be NULL when not wanted; each has room for `max`.
 * *count is always written: the number collected.
 *
 * A rule set entry that cannot be read is an error, never skipped (skipping
 * one would silently change which rule set is in force): COOP_E_DECODE for a
 * sealed or erased payload or one that does not decode, COOP_E_VERSION and
 * COOP_E_TRAILING as ledger_offset_rule_set_decode().  More than `max` rule
 * sets: COOP_E_LIMIT.  On such an error, if *count < max, entry_index[*count]
 * (when given) is the index of the entry that failed.  Store errors
 * (COOP_E_TAMPERED, COOP_E_DB) are passed on.  An unknown log has no rule
 * sets.  Two rule sets with the same effective_from are returned as they are
 * (ledger_offset_select() refuses them). */
COOP_MUST_USE coop_err ledger_offset_rule_sets_from_log(ledger_store *store,
                                                        const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                        ledger_offset_rule_set *out,
                                                        uint64_t *entry_index,
                                                        uint8_t (*leaf_hash)[LEDGER_HASH_BYTES],
                                                        size_t max, size_t *count);

#endif
