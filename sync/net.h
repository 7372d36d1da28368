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

#include "ledger/base/error.h"
#include "sync/session.h"

/* Authenticated connections at once (the handshake done, the peer on the
 * allowlist), inbound and outbound: one per peer, so as many as a node may
 * name (node/node.h NODE_PEERS_MAX); a large municipality or a partner
 * relaying for a region has hundreds.  One more gets BYE 5.  Connections still in their
 * handshake do not count here: they have their own budget, below, so
 * strangers can never take the places of peers. */
#define SYNC_CONNECTIONS_MAX 1024u
/* Inbound connections still in their handshake, in all and per remote
 * address.  Anyone who can reach the port can open them, so when a budget
 * is full the new connection is taken and a pending one dropped to make
 * room: the one that got least far (no handshake message yet before one
 * that sent message 1), oldest first, from the same address when that
 * address is at its budget, else from the address holding the most.  An
 * honest initiator sends message 1 at once and finishes in one round trip,
 * so idle or trickling sockets, however many, are dropped before it; and a
 * flood from one address never takes more than its share from others.
 * The per-address budget is at least the listen backlog, so connections
 * accepted in one go never push each other out before their first bytes
 * are read. */
#define SYNC_LISTEN_BACKLOG 64u
#define SYNC_HANDSHAKES_PER_ADDRESS_MAX 64u
#define SYNC_HANDSHAKES_MAX 256u
_Static_assert(SYNC_LISTEN_BACKLOG <= SYNC_HANDSHAKES_PER_ADDRESS_MAX,
               "one accept burst must fit an address's handshake budget");
_Static_assert(SYNC_HANDSHAKES_PER_ADDRESS_MAX <= SYNC_HANDSHAKES_MAX,
               "an address's budget is part of the whole");
/* Reconnect backoff: 1 s doubling to 5 min (3 s for two minutes after a
 * healthy connection ended, below), each wait jittered by +-25%,
 * after any failed or ended connection.  It starts again at 1 s only when
 * the connection that ended had been open this long (a healthy one), so a
 * peer that completes the handshake and then closes is not redialed in a
 * tight loop either. */
#define SYNC_BACKOFF_FIRST_MS 1000u
#define SYNC_BACKOFF_MAX_MS 300000u
#define SYNC_BACKOFF_RESET_AFTER_MS 60000u
/* After a healthy connection ended the wait grows to at most this, for
 * this long: a peer restarting (a relay's daemon restarted mid-month) is
 * back in seconds rather than on the 16 or 32 s step of the doubling; a
 * peer gone for good is dialed about 40 more times before the waits grow
 * again. */
#define SYNC_RESTART_BACKOFF_MAX_MS 3000u
#define SYNC_RESTART_WINDOW_MS 120000u
/* `coop sync` (one-shot) dials a peer once, but a connection cut before the
 * handshake ended (a flooded peer dropped it to make room) is tried again
 * this many times, 250 ms and then 500 ms later. */
#define SYNC_ONESHOT_HANDSHAKE_RETRIES 2u
/* Two connections to one peer opened by different sides within this long
 * of each other are a simultaneous dial (the smaller initiator key wins on
 * both ends); otherwise the newer replaces the older, which its initiator
 * evidently found dead. */
#define SYNC_SIMULTANEOUS_DIAL_MS SYNC_HANDSHAKE_TIMEOUT_MS
/* How often timers run and the store is checked for new entries (from
 * this process or another one): well inside the 1 s push promise. */
#define SYNC_TICK_MS 100u
#define SYNC_ADDRESS_BYTES_MAX 255u
/* Logs of authors node.conf does not name that the daemon mentions in its
 * log, once each; past that, once in all: a misconfiguration shows a few,
 * and a peer making logs by the thousand must not fill the log file. */
#define SYNC_STRANGERS_LOGGED_MAX 64u

typedef struct sync_net_peer {
  sync_peer peer;
  char address[SYNC_ADDRESS_BYTES_MAX + 1]; /* HOST:PORT, or "" (it dials us) */
} sync_net_peer;

/* A peer's outcome in one-shot mode. */
typedef struct sync_net_outcome {
  char name[65];
  bool ok;
  bool not_dialed; /* no address: it dials us; neither ok nor a failure */
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
  /* The authors whose logs this node stores and relays besides its own:
   * every peer node.conf names, with an address or without.  NULL: those
   * of `peers` (the daemon, whose peers are all of node.conf and follow
   * SIGHUP).  One-shot with --peer dials one peer but keeps the others'
   * logs. */
  const uint8_t (*authors)[LEDGER_LOG_ID_BYTES];
  size_t author_count;
  /* One-shot: dial these peers (all of `peers` with an address; those
   * without one are marked not_dialed), settle, stop.  outcomes[i] belongs
   * to peers[i]. */
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
