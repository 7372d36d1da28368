/* Member receipts (node/receipt.h, ledger/books/receipt.h): the statement, its proof
 * in a (cosigned) coop checkpoint, and the municipality's verdict with its
 * proof, gathered from the logs this node holds. */
#include "node/receipt.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "node/audit.h"
#include "node/witness.h"

typedef struct month_search {
  uint32_t period;
  bool found;
  node_member_month month;
} month_search;

static coop_err find_month(void *context, const node_member_month *month)
{
  month_search *search = context;
  if (month->period == search->period && month->has_statement) {
    search->found = true;
    search->month = *month;
  }
  return COOP_OK;
}

/* Entry `index` of `log_id` with an inclusion proof in `checkpoint`. */
static coop_err entry_with_proof(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                 uint64_t index, const ledger_checkpoint *checkpoint,
                                 ledger_receipt_entry *out)
{
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = ledger_store_entry(self->store, log_id, index, out->header, out->payload,
                                    &out->payload_bytes, leaf);
  if (!err)
    err = ledger_store_inclusion_proof(self->store, log_id, index, checkpoint->size, &out->proof);
  if (!err)
    out->checkpoint = *checkpoint;
  return err;
}

/* A checkpoint of the coop log covering the statement: a witness's
 * cosigned one when this node holds that far, else the latest. */
static coop_err statement_checkpoint(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                     uint64_t index, ledger_receipt *receipt,
                                     ledger_checkpoint *checkpoint)
{
  uint64_t held = 0;
  coop_err err = ledger_store_size(self->store, coop_log, &held);
  ledger_cosignature cosignature;
  coop_err found = err ? err : node_cosignature_covering(self, coop_log, index, &cosignature);
  if (!found && cosignature.checkpoint.size <= held) {
    ledger_hash root;
    if (!ledger_store_root_at(self->store, coop_log, cosignature.checkpoint.size, root) &&
        !memcmp(root, cosignature.checkpoint.root, LEDGER_HASH_BYTES)) {
      *checkpoint = cosignature.checkpoint;
      receipt->has_cosignature = true;
      memcpy(receipt->witness, cosignature.witness, LEDGER_LOG_ID_BYTES);
      memcpy(receipt->cosignature, cosignature.signature, LEDGER_SIGNATURE_BYTES);
      return COOP_OK;
    }
  }
  if (found && found != COOP_E_NOT_FOUND)
    return found;
  return ledger_store_checkpoint_latest(self->store, coop_log, checkpoint);
}

coop_err node_receipt_build(node *self, const char *member_id, uint32_t period,
                            ledger_receipt *receipt, char message[NODE_MESSAGE_BYTES])
{
  memset(receipt, 0, sizeof *receipt);
  message[0] = 0;
  month_search search = {.period = period};
  coop_err err = node_member_months(self, member_id, find_month, &search);
  char period_text[8];
  ledger_period_format(period, period_text);
  if (!err && !search.found) {
    snprintf(message, NODE_MESSAGE_BYTES,
             "no statement for %s in %s readable on this node (is the month closed, and has "
             "this node synced with the coop?)",
             member_id ? member_id : "this member", period_text);
    return COOP_E_NOT_FOUND;
  }
  const node_member_month *month = &search.month;
  ledger_checkpoint checkpoint;
  if (!err)
    err = statement_checkpoint(self, month->coop_log, month->statement_index, receipt,
                               &checkpoint);
  if (!err)
    err = entry_with_proof(self, month->coop_log, month->statement_index, &checkpoint,
                           &receipt->statement);
  ledger_entry_header header;
  if (!err)
    err = ledger_entry_header_decode(receipt->statement.header, LEDGER_ENTRY_HEADER_BYTES,
                                     &header);
  if (!err)
    err = ledger_store_audience_key(self->store, &self->identity, month->coop_log,
                                    header.audience_id, receipt->audience_key);
  if (!err) {
    ledger_member_id(header.audience_id, receipt->member_label);
    ledger_period_format(period, receipt->period_label);
  }
  if (!err && month->found.status != NODE_AUDIT_PENDING) {
    ledger_checkpoint latest;
    err = ledger_store_checkpoint_latest(self->store, month->found.log_id, &latest);
    if (!err)
      err = entry_with_proof(self, month->found.log_id, month->found.index, &latest,
                             &receipt->verdict);
    receipt->has_verdict = !err;
  }
  if (err && !message[0])
    snprintf(message, NODE_MESSAGE_BYTES, "cannot build the receipt: %s", coop_err_message(err));
  if (err)
    sodium_memzero(receipt->audience_key, sizeof receipt->audience_key);
  return err;
}
