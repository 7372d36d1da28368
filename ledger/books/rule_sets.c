#include "ledger/books/rule_sets.h"

#include <string.h>

#include "ledger/offset/offset_codec.h"

typedef struct collection {
  ledger_offset_rule_set *out;
  uint64_t *entry_index;
  uint8_t (*leaf_hash)[LEDGER_HASH_BYTES];
  size_t max;
  size_t count;
} collection;

static coop_err collect_rule_set(void *context, const ledger_stored_entry *entry)
{
  collection *found = context;
  if (entry->header.kind != LEDGER_KIND_RULE_SET)
    return COOP_OK;
  if (entry->erased)
    return COOP_E_ERASED; /* never skipped: that would change the rule set in force */
  if (found->count < found->max && found->entry_index)
    found->entry_index[found->count] = entry->header.index;
  if (found->count == found->max)
    return COOP_E_LIMIT;
  /* Rule sets are public by definition: a sealed one, or one whose payload
   * was erased, cannot say which rules are in force. */
  if (!ledger_entry_is_public(&entry->header) || !entry->payload)
    return COOP_E_DECODE;
  ledger_offset_rule_set rule_set;
  coop_err err = ledger_offset_rule_set_decode(entry->payload, entry->payload_bytes, &rule_set);
  if (err != COOP_OK)
    return err;
  if (found->out)
    found->out[found->count] = rule_set;
  if (found->leaf_hash)
    memcpy(found->leaf_hash[found->count], entry->leaf_hash, LEDGER_HASH_BYTES);
  found->count++;
  return COOP_OK;
}

coop_err ledger_offset_rule_sets_from_log(ledger_store *store,
                                          const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                          ledger_offset_rule_set *out, uint64_t *entry_index,
                                          uint8_t (*leaf_hash)[LEDGER_HASH_BYTES], size_t max,
                                          size_t *count)
{
  collection found = {
      .out = out, .entry_index = entry_index, .leaf_hash = leaf_hash, .max = max, .count = 0};
  coop_err err = ledger_store_entries(store, log_id, 0, collect_rule_set, &found);
  *count = found.count;
  return err;
}
