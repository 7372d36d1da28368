/* The logs this node holds, read as they are stored: their entries with the
 * payloads this node can read, checkpoints, proofs, verification, forks.
 * What `coop log`, `coop logs`, `coop checkpoint`, `coop proof`,
 * `coop verify` and `coop sync --forks` print; the CLI formats, this reads. */
#ifndef COOP_NODE_LOGS_H
#define COOP_NODE_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "node/node.h"

/* One entry as node_log_entries reads it.  `plain` is its payload when this
 * node can read it (public, or sealed to an audience it holds a key of), of
 * plain_bytes bytes; NULL when it is sealed to others or erased (then
 * plain_bytes is the stored payload's size).  `plain` lives until the next
 * entry. */
typedef coop_err (*node_log_entry_visitor)(void *context, const ledger_stored_entry *entry,
                                           const uint8_t *plain, size_t plain_bytes);

/* Every entry of `log_id` from index `from` on, oldest first, opened with
 * the node's key ring: a key granted by the log's author or, failing that,
 * by any log this node holds (a municipality's verdicts are sealed under
 * audiences a coop created).  COOP_E_NOT_FOUND when this node holds no
 * entry of that log.  On failure `message` says what (a visitor's error is
 * returned as it is, with a message naming its code). */
COOP_MUST_USE coop_err node_log_entries(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        uint64_t from, node_log_entry_visitor visitor,
                                        void *context, char message[NODE_MESSAGE_BYTES]);

#endif
