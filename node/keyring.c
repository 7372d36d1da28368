/* Audience keys (node/keyring.h). */
#include "node/keyring.h"

#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/log/seal.h"

struct node_key_slot {
  uint8_t grantor[LEDGER_LOG_ID_BYTES];
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  bool readable;
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

/* Room for one more key.  Not realloc: the old block is wiped and freed by
 * sodium, never handed back with keys in it. */
static coop_err reserve(node_key_ring *ring)
{
  if (ring->count < ring->capacity)
    return COOP_OK;
  size_t wanted = ring->capacity ? 2 * ring->capacity : 16;
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

coop_err node_key_ring_key(node_key_ring *ring, const uint8_t grantor[LEDGER_LOG_ID_BYTES],
                           const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES], const uint8_t **key)
{
  *key = NULL;
  if (ring->capacity) {
    size_t lookup_count = 2 * ring->capacity;
    for (size_t at = lookup_start(grantor, audience, lookup_count); ring->lookup[at];
         at = (at + 1) & (lookup_count - 1)) {
      const node_key_slot *slot = &ring->slots[ring->lookup[at] - 1];
      if (slot_is(slot, grantor, audience)) {
        *key = slot->readable ? slot->key : NULL;
        return COOP_OK;
      }
    }
  }
  coop_err err = reserve(ring);
  if (err)
    return err;
  node_key_slot *slot = &ring->slots[ring->count++];
  memcpy(slot->grantor, grantor, LEDGER_LOG_ID_BYTES);
  memcpy(slot->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  err = ledger_store_audience_key(ring->node->store, &ring->node->identity, grantor, audience,
                                  slot->key);
  slot->readable = err == COOP_OK;
  lookup_add(ring, ring->count - 1);
  if (err == COOP_E_NO_KEY || err == COOP_E_NOT_FOUND)
    err = COOP_OK;
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
