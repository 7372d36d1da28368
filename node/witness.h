/* Witnessing (node/witness.c): cosigning the checkpoints of the coop logs
 * this node holds, and checking other witnesses' cosignatures against our
 * own copies, so a coop that shows two histories is caught. */
#ifndef COOP_NODE_WITNESS_H
#define COOP_NODE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/log/checkpoint.h"
#include "node/node.h"

typedef struct node_witness_summary {
  size_t cosigned;      /* coop checkpoints cosigned by this run */
  size_t checked;       /* other witnesses' cosignatures checked against our logs */
  size_t forks;         /* new fork evidence found through cosignatures */
} node_witness_summary;

/* As a witness (node->witness): cosigns the latest checkpoint of every coop
 * log held, after checking it is consistent with the last one this node
 * cosigned (the entries in between are held and verified, and the root at
 * the old size is the old root); an inconsistent one is stored as fork
 * evidence and not cosigned.  Every node: checks the checkpoints other
 * witnesses cosigned against its own copies of those logs, so a coop that
 * shows one history to a witness and another to this node is caught. */
#define NODE_WITNESS_LOGS_TRACKED 1024u
/* How far a long-running caller (the daemon) has read each log, so each run
 * reads only what is new.  Zero-initialise; NULL reads everything. */
typedef struct node_witness_progress {
  size_t count;
  struct {
    uint8_t log_id[LEDGER_LOG_ID_BYTES];
    uint64_t scanned;
  } logs[NODE_WITNESS_LOGS_TRACKED];
} node_witness_progress;

COOP_MUST_USE coop_err node_witness_run(node *node, node_witness_progress *progress,
                                        node_witness_summary *summary,
                                        char message[NODE_MESSAGE_BYTES]);

/* The latest cosignature held for `log_id` whose checkpoint has a size
 * above `index` (so it covers that entry).  COOP_E_NOT_FOUND when none. */
COOP_MUST_USE coop_err node_cosignature_covering(node *node,
                                                 const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                 uint64_t index, ledger_cosignature *found);

#endif
