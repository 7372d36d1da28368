/* A node: its home directory, identity, configuration and store.
 *
 * A node home holds three files:
 *   identity.key  Ed25519 seed, mode 0600 (ledger/log/identity.h)
 *   node.conf     INI: [node] role, name, network, listen, witness, http,
 *                 http_cert, http_key; [peer NAME]
 *   coop.db       the SQLite store (ledger/store/store.h)
 * The directory is created with mode 0700; node_open refuses it, and each
 * file, when group or others can write it (read, for the key and the
 * database) or another user owns it. */
#ifndef COOP_NODE_NODE_H
#define COOP_NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/base/limits.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "node/keyring.h"

#define NODE_KEY_FILE "identity.key"
#define NODE_CONFIG_FILE "node.conf"
#define NODE_DATABASE_FILE "coop.db"
#define NODE_MESSAGE_BYTES 512u
/* Peers per node: a coop talks to its municipalities and a partner or two,
 * but a large municipality names every coop its residents work in and a
 * partner every node it relays for (docs/performance.md, "The whole
 * country"): the table is on the heap and grows; this bounds node.conf. */
#define NODE_PEERS_MAX 1024u
#define NODE_PEER_NAME_BYTES_MAX 64u
#define NODE_ADDRESS_BYTES_MAX 255u
#define NODE_DEFAULT_NETWORK "coop"
#define NODE_DEFAULT_LISTEN "127.0.0.1:7420"
#define NODE_DEFAULT_HTTP "127.0.0.1:8420"
#define NODE_PATH_BYTES_MAX 1023u
/* Books are kept seven years (art. 52 AWR); personal data no longer. */
#define NODE_DEFAULT_RETENTION_YEARS 7

/* A peer from node.conf: [peer NAME] with key, address and role. */
typedef struct node_peer {
  char name[NODE_PEER_NAME_BYTES_MAX + 1];
  uint8_t key[32]; /* its node key (Ed25519 public key, its log id) */
  char address[NODE_ADDRESS_BYTES_MAX + 1]; /* HOST:PORT */
  int role;
} node_peer;

typedef struct node {
  char *home;
  int role; /* ledger_role */
  char name[COOP_NAME_BYTES_MAX + 1];
  char network[NODE_PEER_NAME_BYTES_MAX + 1]; /* network name; only peers on it connect */
  uint8_t network_id[32];                     /* SHA-256("coop-network-v1\0" || name) */
  char listen[NODE_ADDRESS_BYTES_MAX + 1];
  int witness; /* [node] witness = yes|no: cosign coop checkpoints (default: municipality, partner) */
  /* [node] http = HOST:PORT serves the web app (web/web.h); "" when not
   * set.  http_cert and http_key: PEM files for TLS, required for any
   * address other than loopback. */
  char http[NODE_ADDRESS_BYTES_MAX + 1];
  char http_cert[NODE_PATH_BYTES_MAX + 1];
  char http_key[NODE_PATH_BYTES_MAX + 1];
  /* [node] retention_years: a member's data is kept this many years after
   * the end of the year she left (coop retention), default 7. */
  int retention_years;
  node_peer *peers; /* on the heap: node_close frees it */
  size_t peer_count;
  size_t peer_capacity;
  ledger_identity identity;
  ledger_store *store;
  /* The audience keys opened so far, kept for the node's life (opening a
   * key grant costs an X25519 operation): the one ring every reader and
   * writer of sealed entries uses, through node_keys.  Wiped by node_close
   * and after an erasure. */
  node_key_ring keys;
  /* A node that serves pages (web/) sets cache_reads: the reading side of
   * the audit (report, disputes, a member's months) then keeps what it
   * read in read_cache until a log changes (node/audit.c). */
  bool cache_reads;
  struct auditor *read_cache;
  /* The daemon sets audit_incremental: node_audit_run then remembers the
   * size at which each coop log was completely judged (audit_marks) and
   * skips a log that has not grown since (node/audit.c). */
  bool audit_incremental;
  struct audit_marks *audit_marks;
  /* The own log as the last month close read it, kept so that the next
   * close reads only the entries appended since (node/statements.c);
   * NULL until a close commits.  Freed by node_close and by every erasure
   * (it holds members' details and figures). */
  struct books_close_view *close_view;
} node;

/* Creates a node home in `home` and opens it: directory, key file, config,
 * database, and the log's first entry (the node's identity: role and name)
 * with its checkpoint.  Refuses to touch an existing node (COOP_E_EXISTS).
 * On failure `message` says what and where, and whatever was created is
 * removed again. */
COOP_MUST_USE coop_err node_create(const char *home, int role, const char *name, uint64_t now_ms,
                                   node *out, char message[NODE_MESSAGE_BYTES]);

/* Opens an existing node home.  On failure `message` names the file and the
 * problem (missing node, bad config line, ...).  COOP_E_PERMISSIONS for a
 * home, key file, node.conf or database (-wal, -shm) that is not safe: its
 * mode and the chmod are in the message. */
COOP_MUST_USE coop_err node_open(const char *home, node *out, char message[NODE_MESSAGE_BYTES]);

void node_close(node *node);

/* The node's key ring (node->keys) for one operation: audiences that had no
 * key are asked again (node_key_ring_recheck_missing), since a grant may
 * have arrived since the last operation. */
node_key_ring *node_keys(node *node);

/* Reads node.conf again and takes its peers (the rest of [node] stays as it
 * was opened).  On a bad file the node is unchanged and `message` says
 * which line is wrong. */
COOP_MUST_USE coop_err node_reload_config(node *node, char message[NODE_MESSAGE_BYTES]);

/* Adds a peer and rewrites node.conf (atomically: a temporary file renamed
 * over it).  COOP_E_EXISTS for a name or key already configured,
 * COOP_E_BAD_INPUT for a bad name, key or address, COOP_E_LIMIT when full. */
COOP_MUST_USE coop_err node_peer_add(node *node, const node_peer *peer,
                                     char message[NODE_MESSAGE_BYTES]);
/* Removes the peer with this name (or key in hex) and rewrites node.conf.
 * COOP_E_NOT_FOUND. */
COOP_MUST_USE coop_err node_peer_remove(node *node, const char *name_or_key,
                                        char message[NODE_MESSAGE_BYTES]);
/* Checks "HOST:PORT": a host and a port 1..65535.  0 when valid. */
int node_address_check(const char *address);

/* The role (ledger_role) a log this node holds declares in its first entry;
 * 0 when the node does not hold that log (node/witness.c).  With `name`,
 * also the name it declares ("" when not held). */
int node_log_role(node *node, const uint8_t log_id[32]);
int node_log_identity(node *node, const uint8_t log_id[32], char name[COOP_NAME_BYTES_MAX + 1]);

/* How people see another node (or this one): its name with its fingerprint
 * beside it, "Gemeente Breda (2951-e01d-42a0-3c0f)".  The name is the one
 * its own log declares when this node holds it, else its peer name in
 * node.conf; the fingerprint alone when neither is known. */
#define NODE_PARTY_TEXT_BYTES (COOP_NAME_BYTES_MAX + LEDGER_FINGERPRINT_CHARS + 4)
void node_party_text(node *node, const uint8_t key[32], char out[NODE_PARTY_TEXT_BYTES]);

/* Is `text` a note: 1 to COOP_NOTE_BYTES_MAX bytes of UTF-8, newlines and
 * tabs allowed?  COOP_E_LIMIT or COOP_E_BAD_INPUT, message saying why. */
COOP_MUST_USE coop_err node_note_check(const char *text, char message[NODE_MESSAGE_BYTES]);

/* Appends a public note (node_note_check first: nothing is written for a
 * text that is not one) and signs a checkpoint; *size is the new log size. */
COOP_MUST_USE coop_err node_note_append(node *node, const char *text, uint64_t *size,
                                        char message[NODE_MESSAGE_BYTES]);

/* Milliseconds since the Unix epoch.  COOP_NOW_MS in the environment
 * overrides the clock, for reproducible tests and demos. */
uint64_t node_now_ms(void);

/* Joins home and a file name into a malloc'd path, or NULL. */
char *node_path(const char *home, const char *file);

#endif
