/* The sync daemon and the one-shot sync (node/daemon.c): node.conf handed
 * to sync/net.h.  Both log one line per event to stderr:
 * "TIME coop[NAME]: event". */
#ifndef COOP_NODE_DAEMON_H
#define COOP_NODE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "node/node.h"

/* Runs the sync daemon in the foreground: listens on `listen` (NULL: the
 * configured address), keeps connections to every configured peer, pushes
 * new entries live; SIGHUP reloads peers from node.conf, SIGTERM/SIGINT stop
 * it cleanly.  COOP_E_IO when it cannot listen (message says why). */
COOP_MUST_USE coop_err node_run(node *node, const char *listen,
                                char message[NODE_MESSAGE_BYTES]);

/* One-shot sync with one configured peer (`peer_name`) or all of them
 * (NULL): connect, catch up both ways, disconnect.  COOP_OK only when every
 * peer synced and everything received verified; otherwise message names
 * the first peer that did not and why.  Per-peer counts go to stdout. */
COOP_MUST_USE coop_err node_sync(node *node, const char *peer_name, uint64_t timeout_ms,
                                 bool quiet, char message[NODE_MESSAGE_BYTES]);

#endif
