/* One sync connection as a state machine without I/O (sans-I/O): bytes from
 * the socket go in (sync_session_receive), bytes for the socket come out
 * (session->wire_out), time comes in as numbers (sync_session_tick).  The
 * libuv layer (sync/net.h) moves the bytes; tests drive two sessions against
 * each other in memory.  The behaviour is docs/protocol.md §State machine.
 *
 * What a session needs from the node around it (the store, the identity, who
 * may connect, what other connections are doing) comes through sync_host. */
#ifndef COOP_SYNC_SESSION_H
#define COOP_SYNC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "sync/noise.h"
#include "sync/wire.h"

/* ---- Bounds per connection (each with its reason) -------------------------- */

/* Logs we are fetching from one peer at once (REQUEST sent, not yet caught
 * up).  A node rarely lags on more than a handful of logs. */
#define SYNC_REQUESTS_IN_FLIGHT_MAX 64u
/* Logs of the peer's we keep track of on one connection: those it announced
 * ahead of us, and those we asked it for (it keeps sending their new
 * entries).  More logs than this in a network would need a larger limit. */
#define SYNC_PEER_LOGS_MAX 4096u
/* Logs the peer may subscribe to on one connection (each REQUEST subscribes
 * it to that log's new entries): as many as a peer tracks of ours, since an
 * honest peer asks once for every log it lacks.  More is a flood. */
#define SYNC_SERVES_MAX SYNC_PEER_LOGS_MAX
/* ENTRIES are produced only while fewer bytes than this wait to be written
 * to the socket, so a slow reader slows only its own connection. */
#define SYNC_SEND_WATERMARK_BYTES (2u * 1024u * 1024u)
/* A peer that lets this many bytes pile up unread (PONGs to a PING flood,
 * say) is dropped: the transport enforces it where it queues writes
 * (sync/net.c write_out). */
#define SYNC_SEND_QUEUE_BYTES_MAX (16u * 1024u * 1024u)

/* Timers, in milliseconds. */
/* TCP accepted to handshake done: the handshake is 1.5 round trips, so
 * even a slow link needs well under a second; a stranger holding a pending
 * handshake (idle, or trickling bytes) is cut off soon. */
#define SYNC_HANDSHAKE_TIMEOUT_MS 5000u
#define SYNC_PING_AFTER_MS 30000u        /* silence before we PING */
#define SYNC_IDLE_TIMEOUT_MS 90000u      /* silence before we give up (BYE 4) */
#define SYNC_REQUEST_TIMEOUT_MS 60000u   /* a REQUEST without progress is dropped */

/* One line for a log file. */
#define SYNC_LINE_BYTES 512u

/* A peer on the allowlist, as the node configured it. */
typedef struct sync_peer {
  char name[65];
  uint8_t key[LEDGER_PUBLIC_KEY_BYTES];   /* Ed25519 node key = its log id */
  uint8_t noise_key[SYNC_NOISE_KEY_BYTES]; /* the X25519 key it must present */
  int role;                                /* ledger_role, 0 when unknown */
} sync_peer;

typedef struct sync_session sync_session;

/* What a session needs from its owner.  Callbacks may be NULL where noted. */
typedef struct sync_host {
  void *context;
  ledger_store *store;
  const ledger_identity *identity;
  uint8_t network_id[SYNC_NETWORK_ID_BYTES];
  int role;         /* this node's ledger_role */
  const char *name; /* this node's display name */
  /* The allowlist: fills *peer and returns true when the X25519 key belongs
   * to a configured peer. */
  bool (*find_peer)(void *context, const uint8_t noise_key[SYNC_NOISE_KEY_BYTES],
                    sync_peer *peer);
  /* Whether this node stores and relays the log (its own, and those of the
   * authors its node.conf names); a log it does not is ignored wherever it
   * comes up: heads, requests, forks, and our own greeting.  The host says
   * so in its log (once per log).  NULL: every log. */
  bool (*accepts_log)(void *context, const sync_session *session,
                      const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
  /* One line per event (connected, refused, fork, ...).  May be NULL. */
  void (*log)(void *context, const sync_session *session, const char *line);
  /* Asks leave to REQUEST this log; false while another connection is
   * fetching it (so two peers do not send the same entries).  NULL: always. */
  bool (*claim_log)(void *context, const sync_session *session,
                    const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
  /* The request for this log ended (complete, dropped or the connection
   * closed): other connections may ask for it now.  May be NULL. */
  void (*release_log)(void *context, const sync_session *session,
                      const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
  /* New entries of some log were stored: tell the other peers.  May be NULL. */
  void (*log_grew)(void *context, const sync_session *session,
                   const ledger_checkpoint *latest);
  /* New fork evidence was stored: forward it to the other peers.  May be NULL. */
  void (*fork_found)(void *context, const sync_session *session,
                     const ledger_fork_evidence *evidence);
  /* Wall-clock milliseconds for stored timestamps (node_now_ms). */
  uint64_t (*now_ms)(void *context);
} sync_host;

typedef enum sync_session_state {
  SYNC_SESSION_HANDSHAKE = 1, /* Noise messages 1-3 */
  SYNC_SESSION_OPEN = 2,      /* transport: HELLO, HEADS, ... */
  SYNC_SESSION_CLOSED = 3,    /* BYE sent or received, or failed: close the socket
                                 once wire_out is written */
} sync_session_state;

/* A log of the peer's that we track on this connection. */
typedef struct sync_peer_log {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t peer_size;   /* the largest size the peer announced */
  bool asked;           /* we sent a REQUEST: its ENTRIES are welcome */
  bool active;          /* behind the peer and holding the claim */
  uint64_t progress_ms; /* when an active request last moved */
} sync_peer_log;

/* A log the peer asked for: we send entries up to `until`, and when the log
 * grows (sync_session_announce) `until` follows, so the peer stays current. */
typedef struct sync_serve_state {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t next_index;   /* the next entry to send */
  uint64_t until;        /* our size of the log as far as we have told the peer */
  uint32_t max_entries;  /* per batch, from the REQUEST */
} sync_serve_state;

struct sync_session {
  const sync_host *host;
  sync_session_state state;
  sync_noise_role noise_role;
  bool peer_known;  /* peer is filled (the initiator knows whom it dialed) */
  sync_peer peer;
  bool hello_received;
  sync_hello hello; /* the peer's */
  char label[160];  /* "peer NAME (fingerprint)" or the address, for log lines */

  sync_noise_handshake handshake;
  sync_noise_cipher send, receive;
  sync_frame_reader frames;
  sync_message_reader messages;

  coop_buf plain_out; /* encoded messages not yet sealed into frames */
  coop_buf wire_out;  /* frames for the socket: the owner writes and resets it */
  /* What the owner's socket still holds unwritten, set by the owner before
   * it hands in bytes: serving an incoming request counts it with wire_out
   * against SYNC_SEND_WATERMARK_BYTES, so a slow reader's every request
   * does not queue another watermark's worth behind the last. */
  size_t socket_queued;

  sync_peer_log *peer_logs; /* SYNC_PEER_LOGS_MAX, allocated on first use */
  size_t peer_log_count;
  size_t active_count;
  sync_serve_state *serves; /* SYNC_SERVES_MAX, allocated on the first REQUEST */
  size_t serve_count;
  ledger_ingest_entry *received_entries; /* SYNC_BATCH_ENTRIES_MAX, decoding ENTRIES */
  ledger_ingest_entry *sent_entries;     /* SYNC_BATCH_ENTRIES_MAX, building ENTRIES */
  coop_buf scratch;                      /* the entries of one outgoing batch */

  /* Timers and the settle barrier (sync_session_is_settled). */
  uint64_t started_ms, last_received_ms;
  uint64_t ping_nonce;
  bool ping_outstanding;
  uint64_t messages_sent;   /* non-PING/PONG messages sent */
  uint64_t ping_sent_after; /* messages_sent when the last PING went out */
  bool barrier_passed;      /* a PONG answered a PING sent after our last message */

  /* Counters for log lines and tests. */
  uint64_t entries_received, entries_sent, bytes_received;
  uint16_t bye_code_received;
  char problem[SYNC_LINE_BYTES]; /* why the session failed, when it did */
};

/* Starts a session.  An initiator knows whom it dialed (`dialed` non-NULL:
 * the responder must present that key) and writes Noise message 1 at once;
 * a responder (`dialed` NULL) waits.  `now_ms` is a monotonic clock.
 * COOP_E_NOMEM, COOP_E_CRYPTO; on failure nothing needs releasing. */
COOP_MUST_USE coop_err sync_session_init(sync_session *session, const sync_host *host,
                                         const sync_peer *dialed, const char *address,
                                         uint64_t now_ms);

/* Releases everything; tells the host the session's requests are over. */
void sync_session_release(sync_session *session);

/* Feeds bytes read from the socket.  Produces replies in wire_out.  A
 * non-OK return means the session failed: session->problem says why (log
 * it), the state is CLOSED and the socket should be closed once wire_out is
 * written (it may hold nothing, or a BYE). */
COOP_MUST_USE coop_err sync_session_receive(sync_session *session, const uint8_t *bytes,
                                            size_t count, uint64_t now_ms);

/* Produces more ENTRIES for the peer's requests while fewer than
 * SYNC_SEND_WATERMARK_BYTES are queued (`queued_bytes`: what the socket has
 * not yet taken, wire_out included).  Call after writes complete. */
COOP_MUST_USE coop_err sync_session_pump(sync_session *session, size_t queued_bytes,
                                         uint64_t now_ms);

/* Timers: the handshake deadline, PING after silence, BYE after long
 * silence, stale requests.  Call every few hundred milliseconds. */
COOP_MUST_USE coop_err sync_session_tick(sync_session *session, uint64_t now_ms);

/* Live mode: tells the peer about a new latest checkpoint (one HEADS). */
COOP_MUST_USE coop_err sync_session_announce(sync_session *session,
                                             const ledger_checkpoint *latest);

/* Forwards fork evidence to the peer (FORK). */
COOP_MUST_USE coop_err sync_session_forward_fork(sync_session *session,
                                                 const ledger_fork_evidence *evidence);

/* Asks for logs the peer announced earlier that we could not ask for then
 * (another connection had them); the host calls it after a release. */
COOP_MUST_USE coop_err sync_session_pull(sync_session *session, uint64_t now_ms);

/* One-shot sync: when the session is open and idle (nothing requested
 * either way), sends a PING; true once a PONG has answered a PING sent after
 * every other message we sent, with nothing outstanding either way.  The
 * peer answers a PING only after handling everything sent before it, so by
 * then it has asked for all it lacks (and we served it) and stored all we
 * sent (or dropped the connection). */
COOP_MUST_USE coop_err sync_session_settle(sync_session *session, bool *settled);

/* Sends BYE (code, reason) and moves to CLOSED.  Nothing after that. */
COOP_MUST_USE coop_err sync_session_close(sync_session *session, uint16_t code,
                                          const char *reason);

bool sync_session_is_open(const sync_session *session);
bool sync_session_is_closed(const sync_session *session);

#endif
