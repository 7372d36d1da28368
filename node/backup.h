/* Backing up a node's database and restoring it (node/backup.c), without
 * ever letting a restored node sign a second history of its own log.
 *
 * `coop backup FILE` copies coop.db online (ledger_store_backup); the key
 * file and node.conf are not in it: they are backed up once, apart, because
 * the key is the node's signature and must not travel with every copy of
 * the database (docs/user-guide.md, "Personal data").  `coop restore FILE`
 * puts a backup back; from then on every append is refused
 * (COOP_E_RESTORED) until `coop sync` with every peer has taken in whatever
 * the peers hold of this node's own log, or the operator confirms with
 * `coop restore --confirm` that no newer history exists anywhere. */
#ifndef COOP_NODE_BACKUP_H
#define COOP_NODE_BACKUP_H

#include <stdbool.h>

#include "node/node.h"

/* Writes a marked backup of the node's database to `path` (a new file, mode
 * 0600).  *info says when and the own log's size in it.  On failure
 * `message` names the file and the reason; no file is left behind. */
COOP_MUST_USE coop_err node_backup(node *node, const char *path, ledger_store_backup_info *info,
                                   char message[NODE_MESSAGE_BYTES]);

/* Erasure entries of the node's own log signed after a backup was made:
 * the members they erased are in the restored database again until the
 * entries come back from the peers (coop sync), which erases them again. */
#define NODE_RESTORE_ERASURES_MAX 16
typedef struct node_restore_lost {
  uint64_t count;                               /* how many */
  size_t shown;                                 /* the first ones, by index */
  uint64_t indexes[NODE_RESTORE_ERASURES_MAX];
  coop_err unchecked;                           /* the replaced log did not read */
} node_restore_lost;

/* Replaces the node's database with the backup at `path` (of this node:
 * another node's backup is refused, COOP_E_EXISTS_DIFFERENT).  Appends are
 * refused afterwards until node_restore_caught_up or node_restore_confirm.
 * *lost lists the erasures the database held that the backup does not. */
COOP_MUST_USE coop_err node_restore(node *node, const char *path, ledger_store_backup_info *info,
                                    node_restore_lost *lost, char message[NODE_MESSAGE_BYTES]);

/* Whether the database is a restored backup still waiting to catch up. */
COOP_MUST_USE coop_err node_restore_status(node *node, bool *restored,
                                           ledger_store_backup_info *info,
                                           char message[NODE_MESSAGE_BYTES]);

/* The operator's word that no newer history of this node's log exists (or
 * the node has caught up, node_sync's call): appends work again.
 * *was_restored says whether there was a mark to clear. */
COOP_MUST_USE coop_err node_restore_confirm(node *node, bool *was_restored,
                                            char message[NODE_MESSAGE_BYTES]);

/* The log `coop log import` must refuse: the node's own, since a node never
 * takes its own log from elsewhere - except a restored database waiting to
 * catch up, which takes back from a peer's bundle what it holds of it
 * (NULL: refuse none).  When the mark cannot be read, the own log. */
const uint8_t *node_import_refused_log(node *node);

#endif
