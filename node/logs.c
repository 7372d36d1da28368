/* The logs this node holds, as stored (node/logs.h). */
#include "node/logs.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/log/seal.h"
#include "node/backup.h"

typedef struct entry_reader {
  node_key_ring *ring;
  const uint8_t *log_id;
  uint8_t (*grantors)[LEDGER_LOG_ID_BYTES]; /* every log held, to find a grant in */
  size_t grantor_count;
  uint8_t *plain; /* COOP_PAYLOAD_BYTES_MAX */
  node_log_entry_visitor visitor;
  void *context;
} entry_reader;

/* The key of a sealed entry's audience, or NULL: usually granted by the
 * log's own author; verdicts in a municipality's log are sealed under
 * audiences a coop created.  A grant that does not open counts as none. */
static const uint8_t *audience_key(entry_reader *reader, const uint8_t *audience_id)
{
  const uint8_t *key = NULL;
  if (node_key_ring_key(reader->ring, reader->log_id, audience_id, &key))
    key = NULL;
  for (size_t i = 0; !key && i < reader->grantor_count; i++)
    if (node_key_ring_key(reader->ring, reader->grantors[i], audience_id, &key))
      key = NULL;
  return key;
}

static coop_err read_entry(void *context, const ledger_stored_entry *entry)
{
  entry_reader *reader = context;
  size_t plain_bytes = entry->payload_bytes;
  const uint8_t *plain = NULL, *key = NULL;
  if (entry->erased)
    plain = NULL;
  else if (ledger_entry_is_public(&entry->header))
    plain = entry->payload;
  else if ((key = audience_key(reader, entry->header.audience_id)) &&
           ledger_open_payload(key, entry->header_bytes, entry->payload, entry->payload_bytes,
                               reader->plain, &plain_bytes) == COOP_OK)
    plain = reader->plain;
  else
    plain_bytes = entry->payload_bytes; /* a key that does not open it: unreadable here */
  return reader->visitor(reader->context, entry, plain, plain_bytes);
}

coop_err node_log_entries(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t from,
                          node_log_entry_visitor visitor, void *context,
                          char message[NODE_MESSAGE_BYTES])
{
  entry_reader reader = {.ring = node_keys(self), .log_id = log_id, .visitor = visitor,
                         .context = context};
  reader.plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  coop_err err = reader.plain ? COOP_OK : COOP_E_NOMEM;
  uint64_t size = 0;
  if (!err)
    err = ledger_store_log_ids(self->store, &reader.grantors, &reader.grantor_count);
  if (!err)
    err = ledger_store_size(self->store, log_id, &size);
  if (!err && !size)
    err = COOP_E_NOT_FOUND;
  else if (!err)
    err = ledger_store_entries(self->store, log_id, from, read_entry, &reader);
  coop_free(reader.plain);
  coop_free(reader.grantors);
  if (err == COOP_E_NOT_FOUND) {
    char party[NODE_PARTY_TEXT_BYTES];
    node_party_text(self, log_id, party);
    snprintf(message, NODE_MESSAGE_BYTES,
             "this node holds no entries of the log of %s (see 'coop logs'; 'coop sync' "
             "brings it from a peer that holds it)", party);
  }
  else if (err == COOP_E_TAMPERED)
    snprintf(message, NODE_MESSAGE_BYTES, "a stored entry does not decode; run 'coop verify'");
  else if (err == COOP_E_PAYLOAD_MISSING)
    snprintf(message, NODE_MESSAGE_BYTES, "cannot list the log: %s",
             ledger_store_problem(self->store));
  else if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "cannot list the log: %s", coop_err_message(err));
  return err;
}

coop_err node_log_entry(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t index,
                        uint8_t header[LEDGER_ENTRY_HEADER_BYTES], uint8_t *payload,
                        size_t *payload_bytes, uint8_t leaf_hash[LEDGER_HASH_BYTES])
{
  return ledger_store_entry(self->store, log_id, index, header, payload, payload_bytes,
                            leaf_hash);
}

coop_err node_log_size(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t *size)
{
  return ledger_store_size(self->store, log_id, size);
}

coop_err node_logs(node *self, ledger_log_visitor visitor, void *context)
{
  return ledger_store_logs(self->store, visitor, context);
}

coop_err node_checkpoint_latest(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                ledger_checkpoint *checkpoint)
{
  return ledger_store_checkpoint_latest(self->store, log_id, checkpoint);
}

coop_err node_checkpoint_at(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size,
                            ledger_checkpoint *checkpoint)
{
  return ledger_store_checkpoint_at(self->store, log_id, size, checkpoint);
}

coop_err node_inclusion_proof(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              uint64_t index, uint64_t size, ledger_proof *proof)
{
  return ledger_store_inclusion_proof(self->store, log_id, index, size, proof);
}

coop_err node_consistency_proof(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                uint64_t old_size, uint64_t new_size, ledger_proof *proof)
{
  return ledger_store_consistency_proof(self->store, log_id, old_size, new_size, proof);
}

coop_err node_log_verify(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                         ledger_verify_report *report)
{
  coop_err err = ledger_store_verify(self->store, log_id, report);
  bool own = !memcmp(log_id, self->identity.public_key, LEDGER_LOG_ID_BYTES);
  if (!err && own && report->entries_checked == 0) {
    err = COOP_E_TAMPERED;
    snprintf(report->what, sizeof report->what,
             "the log is empty: entry 0 (this node's identity) is missing");
  }
  return err;
}

coop_err node_forks(node *self, ledger_fork_visitor visitor, void *context)
{
  return ledger_store_forks(self->store, visitor, context);
}

coop_err node_store_failure(node *self, coop_err err)
{
  return ledger_store_failure(self->store, err);
}

const char *node_store_error_message(node *self)
{
  return ledger_store_error_message(self->store);
}

const char *node_store_problem(node *self)
{
  return ledger_store_problem(self->store);
}

coop_err node_log_export(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t from,
                         FILE *out, uint64_t *entries_written)
{
  return ledger_bundle_export(self->store, log_id, from, out, entries_written);
}

coop_err node_log_import(node *self, FILE *in, ledger_bundle_result *result, char problem[256])
{
  return ledger_bundle_import(self->store, in, node_import_refused_log(self), node_now_ms(),
                              result, problem);
}
