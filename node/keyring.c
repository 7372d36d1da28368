/* Audience keys (node/keyring.h). */
#include "node/keyring.h"

#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/log/seal.h"
#include "node/node.h"

struct node_key_slot {
  uint8_t grantor[LEDGER_LOG_ID_BYTES];
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  bool readable;
  uint32_t epoch; /* the ring's epoch when it was looked up */
};

void node_key_ring_free(node_key_ring *ring)
{
  if (ring->slots)
    sodium_free(ring->slots); /* wipes */
  coop_free(ring->lookup);
  ring->slots = NULL;
  ring->lookup = NULL;
  ring->count = ring->capacity = 0;
}

void node_key_ring_recheck_missing(node_key_ring *ring)
{
  ring->epoch++;
}

node_key_ring *node_keys(node *self)
{
  /* Set here rather than at node_open: a node handle copied by value still
   * finds its own store. */
  self->keys.node = self;
  node_key_ring_recheck_missing(&self->keys);
  return &self->keys;
}

/* Audience ids are random: their first bytes spread well; the grantor's
 * mixes in for rings that hold several logs' keys. */
static size_t lookup_start(const uint8_t *grantor, const uint8_t *audience, size_t lookup_count)
{
  return (coop_get_u32le(audience) ^ coop_get_u32le(grantor)) & (lookup_count - 1);
}

static bool slot_is(const node_key_slot *slot, const uint8_t *grantor, const uint8_t *audience)
{
  return !memcmp(slot->audience, audience, LEDGER_AUDIENCE_ID_BYTES) &&
         !memcmp(slot->grantor, grantor, LEDGER_LOG_ID_BYTES);
}

static void lookup_add(node_key_ring *ring, size_t position)
{
  size_t lookup_count = 2 * ring->capacity;
  const node_key_slot *slot = &ring->slots[position];
  size_t at = lookup_start(slot->grantor, slot->audience, lookup_count);
  while (ring->lookup[at])
    at = (at + 1) & (lookup_count - 1);
  ring->lookup[at] = (uint32_t)(position + 1);
}

/* Room for `wanted` keys (a power of two, so the lookup's mask works).  Not
 * realloc: the old block is wiped and freed by sodium, never handed back
 * with keys in it. */
static coop_err regrow(node_key_ring *ring, size_t wanted)
{
  node_key_slot *grown = sodium_allocarray(wanted, sizeof *grown);
  uint32_t *lookup = coop_calloc(2 * wanted, sizeof *lookup);
  if (!grown || !lookup) {
    if (grown)
      sodium_free(grown);
    coop_free(lookup);
    return COOP_E_NOMEM;
  }
  size_t count = ring->count;
  if (ring->slots)
    memcpy(grown, ring->slots, count * sizeof *grown);
  node_key_ring_free(ring);
  ring->slots = grown;
  ring->lookup = lookup;
  ring->count = count;
  ring->capacity = wanted;
  for (size_t i = 0; i < count; i++)
    lookup_add(ring, i);
  return COOP_OK;
}

/* Room for one more key. */
static coop_err reserve(node_key_ring *ring)
{
  if (ring->count < ring->capacity)
    return COOP_OK;
  return regrow(ring, ring->capacity ? 2 * ring->capacity : 16);
}

coop_err node_key_ring_reserve(node_key_ring *ring, size_t more)
{
  if (more > UINT32_MAX / 4 - ring->count) /* the lookup holds slot + 1 in 32 bits */
    return COOP_E_LIMIT;
  size_t wanted = ring->capacity ? ring->capacity : 16;
  while (wanted < ring->count + more)
    wanted *= 2;
  return wanted == ring->capacity ? COOP_OK : regrow(ring, wanted);
}

/* Takes the slot after the last, just filled with an audience of this
 * node's own log and its key, into the ring. */
static void own_slot_taken(node_key_ring *ring)
{
  node_key_slot *slot = &ring->slots[ring->count];
  memcpy(slot->grantor, ring->node->identity.public_key, LEDGER_LOG_ID_BYTES);
  slot->readable = true;
  slot->epoch = ring->epoch;
  lookup_add(ring, ring->count++);
}

coop_err node_key_ring_new_audience(node_key_ring *ring,
                                    uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                    const uint8_t **key)
{
  *key = NULL;
  coop_err err = reserve(ring);
  if (err)
    return err;
  /* Drawn in place: the key is never in ordinary memory.  A random 16-byte
   * id does not meet one the ring holds already. */
  node_key_slot *slot = &ring->slots[ring->count];
  ledger_audience_new(slot->audience, slot->key);
  own_slot_taken(ring);
  memcpy(audience, slot->audience, LEDGER_AUDIENCE_ID_BYTES);
  *key = slot->key;
  return COOP_OK;
}

coop_err node_key_ring_add(node_key_ring *ring, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                           const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES])
{
  coop_err err = reserve(ring);
  if (err)
    return err;
  node_key_slot *slot = &ring->slots[ring->count];
  memcpy(slot->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(slot->key, key, LEDGER_AUDIENCE_KEY_BYTES);
  own_slot_taken(ring);
  return COOP_OK;
}

void node_key_ring_forget_from(node_key_ring *ring, size_t count)
{
  if (count >= ring->count)
    return;
  sodium_memzero(&ring->slots[count], (ring->count - count) * sizeof *ring->slots);
  ring->count = count;
  memset(ring->lookup, 0, 2 * ring->capacity * sizeof *ring->lookup);
  for (size_t i = 0; i < count; i++)
    lookup_add(ring, i);
}

/* Asks the store for the slot's key (its grant opened with this node's
 * identity); no grant is not an error, the slot then holds none. */
static coop_err slot_fill(node_key_ring *ring, node_key_slot *slot)
{
  coop_err err = ledger_store_audience_key(ring->node->store, &ring->node->identity,
                                           slot->grantor, slot->audience, slot->key);
  slot->readable = err == COOP_OK;
  slot->epoch = ring->epoch;
  if (!slot->readable)
    sodium_memzero(slot->key, sizeof slot->key);
  return err == COOP_E_NO_KEY || err == COOP_E_NOT_FOUND ? COOP_OK : err;
}

static node_key_slot *slot_find(node_key_ring *ring, const uint8_t *grantor,
                                const uint8_t *audience)
{
  if (!ring->capacity)
    return NULL;
  size_t lookup_count = 2 * ring->capacity;
  for (size_t at = lookup_start(grantor, audience, lookup_count); ring->lookup[at];
       at = (at + 1) & (lookup_count - 1)) {
    node_key_slot *slot = &ring->slots[ring->lookup[at] - 1];
    if (slot_is(slot, grantor, audience))
      return slot;
  }
  return NULL;
}

coop_err node_key_ring_key(node_key_ring *ring, const uint8_t grantor[LEDGER_LOG_ID_BYTES],
                           const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES], const uint8_t **key)
{
  *key = NULL;
  coop_err err = COOP_OK;
  node_key_slot *slot = slot_find(ring, grantor, audience);
  if (slot && !slot->readable && slot->epoch != ring->epoch)
    err = slot_fill(ring, slot);
  if (!slot) {
    if ((err = reserve(ring)))
      return err;
    slot = &ring->slots[ring->count++];
    memcpy(slot->grantor, grantor, LEDGER_LOG_ID_BYTES);
    memcpy(slot->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
    lookup_add(ring, ring->count - 1);
    err = slot_fill(ring, slot);
  }
  *key = slot->readable ? slot->key : NULL;
  return err;
}

coop_err node_key_ring_open(node_key_ring *ring, const uint8_t grantor[LEDGER_LOG_ID_BYTES],
                            const ledger_stored_entry *entry, uint8_t *plain, size_t *plain_bytes,
                            bool *opened)
{
  *opened = false;
  const uint8_t *key = NULL;
  if (!entry->payload)
    return COOP_OK; /* erased */
  coop_err err = node_key_ring_key(ring, grantor, entry->header.audience_id, &key);
  if (err || !key)
    return err;
  err = ledger_open_payload(key, entry->header_bytes, entry->payload, entry->payload_bytes, plain,
                            plain_bytes);
  if (err)
    return COOP_E_TAMPERED; /* a key that opens its audience but not this entry */
  *opened = true;
  return COOP_OK;
}
