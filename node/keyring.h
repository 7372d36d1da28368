/* Audience keys this node can use to open sealed entries of any log: the
 * coop's own (it holds its audiences' keys) and others' (keys granted to
 * this node).  Kept in sodium's guarded memory and wiped when freed:
 * ledger/base/alloc.h forbids secrets in ordinary heap blocks. */
#ifndef COOP_NODE_KEYRING_H
#define COOP_NODE_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/log/entry.h"
#include "ledger/store/store.h"

struct node;
typedef struct node_key_slot node_key_slot;

typedef struct node_key_ring {
  struct node *node;
  node_key_slot *slots; /* sodium_allocarray */
  size_t count, capacity;
  uint32_t *lookup; /* (grantor, audience) -> slot + 1, open addressing, 2 x capacity */
  /* Audiences found without a key are asked again once the epoch moved on
   * (node_key_ring_recheck_missing): a grant may have arrived since. */
  uint32_t epoch;
} node_key_ring;

/* An empty ring for `self`'s keys: node_key_ring ring = NODE_KEY_RING(self).
 * The node's own ring (node_keys, node/node.h) is the one to use; a ring of
 * one's own is for a reader whose lifetime is its own (the audit's). */
#define NODE_KEY_RING(self) ((node_key_ring){.node = (self)})

/* Wipes and frees every key; the ring can be used again. */
void node_key_ring_free(node_key_ring *ring);

/* Forgets which audiences had no key, so that the next lookup of each asks
 * the store again (grants arrive with their grantor's log, by sync or
 * another process).  Keys found stay. */
void node_key_ring_recheck_missing(node_key_ring *ring);

/* The key of `audience` granted by `grantor` (the log's author), or NULL
 * when this node holds none.  Looked up once per (grantor, audience).  The
 * key stays valid until the next lookup in the ring (which may grow it) or
 * its free: copy it, or look every key up first and then again, to hold
 * several at once. */
COOP_MUST_USE coop_err node_key_ring_key(node_key_ring *ring,
                                         const uint8_t grantor[LEDGER_LOG_ID_BYTES],
                                         const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                         const uint8_t **key);

/* Room for `more` keys beyond those held, in one allocation: a batch that
 * adds many keys (an enrolment of many members) reserves first, so the
 * ring is not regrown (copied into new secure memory) as it goes.
 * COOP_E_NOMEM, COOP_E_LIMIT; the ring is unchanged on failure. */
COOP_MUST_USE coop_err node_key_ring_reserve(node_key_ring *ring, size_t more);

/* A new audience of this node's own log: draws its id (written to
 * `audience`) and its key straight into a slot of the ring, so the key is
 * never in ordinary memory and need not be read back from its grant.  The
 * caller grants it (appends the key grants) in the same transaction; if
 * that transaction rolls back, node_key_ring_forget_from wipes the key.
 * *key is valid as node_key_ring_key's.  COOP_E_NOMEM. */
COOP_MUST_USE coop_err node_key_ring_new_audience(node_key_ring *ring,
                                                  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                                  const uint8_t **key);

/* The same for a new audience whose id and key were drawn elsewhere (in
 * secure memory: a batch enrolment's, node/audiences.h): the key is copied
 * into the ring.  COOP_E_NOMEM. */
COOP_MUST_USE coop_err node_key_ring_add(node_key_ring *ring,
                                         const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                         const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES]);

/* Wipes and forgets every key taken into the ring since it held `count`
 * (ring->count then): a transaction that rolled back takes the keys of the
 * audiences it made with it.  Keys looked up meanwhile go too; the ring
 * looks them up again when asked. */
void node_key_ring_forget_from(node_key_ring *ring, size_t count);

/* Opens a sealed entry of `grantor`'s log into `plain` (COOP_PAYLOAD_BYTES_MAX
 * bytes); *opened is false when this node holds no key for its audience or
 * the payload was erased.  COOP_E_TAMPERED when the key does not open it. */
COOP_MUST_USE coop_err node_key_ring_open(node_key_ring *ring,
                                          const uint8_t grantor[LEDGER_LOG_ID_BYTES],
                                          const ledger_stored_entry *entry, uint8_t *plain,
                                          size_t *plain_bytes, bool *opened);

#endif
