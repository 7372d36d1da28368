/* The sync daemon's network side: libuv TCP around sync_session.  Listens,
 * dials the configured peers (reconnecting with jittered exponential
 * backoff), ticks the sessions' timers, pushes new heads to every connected
 * peer when a log grows (also when another process, the CLI, appended), and
 * forwards fork evidence.  One thread, one loop.
 *
 * Two modes: the daemon (`coop node run`) runs until SIGTERM/SIGINT and
 * reloads its peers on SIGHUP; one-shot (`coop sync`) dials the chosen
 * peers, stops when every session has settled (sync_session_settle) or the
 * timeout passes, and says per peer whether it worked. */
#ifndef COOP_SYNC_NET_H
#define COOP_SYNC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/error.h"
#include "sync/session.h"

/* Connections at once, inbound and outbound.  A partner relaying for a
 * network of coops has tens; more waiting to handshake is an attack. */
#define SYNC_CONNECTIONS_MAX 128u
/* Reconnect backoff: 1 s doubling to 5 min, each wait jittered by +-25%. */
#define SYNC_BACKOFF_FIRST_MS 1000u
#define SYNC_BACKOFF_MAX_MS 300000u
/* How often timers run and the store is checked for new entries (from
 * this process or another one): well inside the 1 s push promise. */
#define SYNC_TICK_MS 100u
#define SYNC_ADDRESS_BYTES_MAX 255u

typedef struct sync_net_peer {
  sync_peer peer;
  char address[SYNC_ADDRESS_BYTES_MAX + 1]; /* HOST:PORT, or "" (it dials us) */
} sync_net_peer;

/* A peer's outcome in one-shot mode. */
typedef struct sync_net_outcome {
  char name[65];
  bool ok;
  uint64_t entries_received, entries_sent;
  char problem[SYNC_LINE_BYTES]; /* when not ok */
} sync_net_outcome;

typedef struct sync_net_options {
  ledger_store *store;
  const ledger_identity *identity;
  uint8_t network_id[SYNC_NETWORK_ID_BYTES];
  int role;
  const char *name;
  const char *listen; /* HOST:PORT to accept on, or NULL */
  const sync_net_peer *peers;
  size_t peer_count;
  /* One-shot: dial these peers (all of `peers` with an address), settle,
   * stop.  outcomes[i] belongs to peers[i]. */
  bool oneshot;
  uint64_t timeout_ms;
  sync_net_outcome *outcomes;
  /* Daemon: on SIGHUP, the new peer list (the callee owns the array until
   * the next call).  NULL: SIGHUP is logged and ignored. */
  coop_err (*reload)(void *context, const sync_net_peer **peers, size_t *count,
                     char message[SYNC_LINE_BYTES]);
  void *context;
  /* Called every tick (SYNC_TICK_MS) with whether some log grew since the
   * last one (entries received, or appended by this or another process):
   * the node audits and witnesses here.  May be NULL. */
  void (*tick)(void *context, bool logs_grew);
  /* One line per event; the caller adds the time and writes it out. */
  void (*log)(void *context, const char *line);
  uint64_t (*now_ms)(void *context); /* wall clock for stored timestamps */
} sync_net_options;

/* Runs until stopped (daemon: SIGTERM or SIGINT, after closing every
 * connection with BYE; one-shot: every peer done or the timeout).
 * COOP_E_IO when the listen address cannot be bound (message says why);
 * in one-shot mode COOP_E_IO too when some peer did not sync (outcomes say
 * which and why).  Everything stored was stored whole: an interrupted
 * transfer resumes at the next connection. */
COOP_MUST_USE coop_err sync_net_run(const sync_net_options *options,
                                    char message[SYNC_LINE_BYTES]);

/* Splits "HOST:PORT" (IPv6 as "[::1]:7420").  0 when valid. */
int sync_net_split_address(const char *address, char host[SYNC_ADDRESS_BYTES_MAX + 1],
                           char port[8]);

#endif
