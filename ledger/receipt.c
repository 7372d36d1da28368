#include "ledger/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/alloc.h"
#include "ledger/identity.h"
#include "ledger/seal.h"

static coop_err fail(char problem[256], coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static coop_err fail(char problem[256], coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(problem, 256, format, args);
  va_end(args);
  return err;
}

/* The entry's header decodes and names its checkpoint's log, the checkpoint
 * is signed, and the entry is in it.  Writes the leaf hash. */
static coop_err check_entry(const ledger_receipt_entry *entry, const char *what,
                            ledger_entry_header *header, uint8_t leaf[LEDGER_HASH_BYTES],
                            char problem[256])
{
  if (ledger_entry_header_decode(entry->header, LEDGER_ENTRY_HEADER_BYTES, header))
    return fail(problem, COOP_E_DECODE, "%s: the entry header does not decode", what);
  if (header->payload_bytes != entry->payload_bytes)
    return fail(problem, COOP_E_DECODE, "%s: the payload has %zu bytes, the header says %u", what,
                entry->payload_bytes, (unsigned)header->payload_bytes);
  if (memcmp(header->log_id, entry->checkpoint.log_id, LEDGER_LOG_ID_BYTES))
    return fail(problem, COOP_E_BAD_PROOF, "%s: the checkpoint is of another log than the entry",
                what);
  if (ledger_checkpoint_verify(&entry->checkpoint))
    return fail(problem, COOP_E_BAD_SIGNATURE,
                "%s: the checkpoint's signature does not verify (not signed by the log's key)",
                what);
  uint8_t payload_hash[LEDGER_HASH_BYTES];
  ledger_payload_hash(entry->payload, entry->payload_bytes, payload_hash);
  ledger_leaf_hash(entry->header, payload_hash, leaf);
  if (header->index >= entry->checkpoint.size ||
      ledger_merkle_verify_inclusion(leaf, header->index, entry->checkpoint.size, &entry->proof,
                                     entry->checkpoint.root))
    return fail(problem, COOP_E_BAD_PROOF,
                "%s: entry %llu is not in the signed log of size %llu (the inclusion proof does "
                "not lead to the signed root)",
                what, (unsigned long long)header->index,
                (unsigned long long)entry->checkpoint.size);
  return COOP_OK;
}

static coop_err open_entry(const ledger_receipt *receipt, const ledger_receipt_entry *entry,
                           const char *what, uint8_t *plain, size_t *plain_bytes,
                           char problem[256])
{
  if (ledger_open_payload(receipt->audience_key, entry->header, entry->payload,
                          entry->payload_bytes, plain, plain_bytes))
    return fail(problem, COOP_E_CRYPTO, "%s: the receipt's key does not open the payload", what);
  return COOP_OK;
}

static coop_err check_verdict(const ledger_receipt *receipt, ledger_receipt_facts *facts,
                              const uint8_t statement_leaf[LEDGER_HASH_BYTES], uint8_t *plain,
                              char problem[256])
{
  ledger_entry_header header;
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = check_entry(&receipt->verdict, "verdict", &header, leaf, problem);
  if (err)
    return err;
  bool dispute = header.kind == LEDGER_KIND_DISPUTE;
  if (!dispute && header.kind != LEDGER_KIND_ACKNOWLEDGEMENT)
    return fail(problem, COOP_E_DECODE, "verdict: entry kind %u is not an acknowledgement",
                (unsigned)header.kind);
  size_t plain_bytes = 0;
  err = open_entry(receipt, &receipt->verdict, "verdict", plain, &plain_bytes, problem);
  if (err)
    return err;
  if (ledger_verdict_decode(plain, plain_bytes, dispute, &facts->verdict))
    return fail(problem, COOP_E_DECODE, "verdict: the payload does not decode");
  const ledger_statement_payload *statement = &facts->statement;
  if (memcmp(header.log_id, statement->rule_set_log, LEDGER_LOG_ID_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: signed by another log than the municipality whose rules the statement "
                "uses");
  uint8_t figures_hash[LEDGER_HASH_BYTES];
  ledger_statement_figures_hash(statement, figures_hash);
  if (memcmp(facts->verdict.coop_log, facts->coop_log, LEDGER_LOG_ID_BYTES) ||
      facts->verdict.statement_index != facts->statement_index ||
      memcmp(facts->verdict.statement_leaf_hash, statement_leaf, LEDGER_HASH_BYTES))
    return fail(problem, COOP_E_BAD_INPUT, "verdict: it is about another statement");
  if (memcmp(facts->verdict.figures_hash, figures_hash, LEDGER_HASH_BYTES))
    return fail(problem, COOP_E_BAD_INPUT, "verdict: it is about other figures");
  memcpy(facts->municipality_log, header.log_id, LEDGER_LOG_ID_BYTES);
  facts->verdict_index = header.index;
  facts->acknowledged = !dispute;
  facts->disputed = dispute;
  return COOP_OK;
}

coop_err ledger_receipt_verify(const ledger_receipt *receipt, ledger_receipt_facts *facts,
                               char problem[256])
{
  memset(facts, 0, sizeof *facts);
  problem[0] = 0;
  ledger_entry_header header;
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = check_entry(&receipt->statement, "statement", &header, leaf, problem);
  if (err)
    return err;
  if (header.kind != LEDGER_KIND_STATEMENT)
    return fail(problem, COOP_E_DECODE, "statement: entry kind %u is not a statement",
                (unsigned)header.kind);
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  if (!plain)
    return fail(problem, COOP_E_NOMEM, "out of memory");
  size_t plain_bytes = 0;
  err = open_entry(receipt, &receipt->statement, "statement", plain, &plain_bytes, problem);
  if (!err && ledger_statement_decode(plain, plain_bytes, &facts->statement))
    err = fail(problem, COOP_E_DECODE, "statement: the payload does not decode");
  if (!err && memcmp(facts->statement.member, header.audience_id, LEDGER_MEMBER_ID_BYTES))
    err = fail(problem, COOP_E_BAD_INPUT, "statement: not sealed to its member's audience");
  if (!err) {
    memcpy(facts->coop_log, header.log_id, LEDGER_LOG_ID_BYTES);
    facts->statement_index = header.index;
  }
  if (!err && receipt->has_cosignature) {
    ledger_cosignature cosignature = {.checkpoint = receipt->statement.checkpoint};
    memcpy(cosignature.witness, receipt->witness, LEDGER_LOG_ID_BYTES);
    memcpy(cosignature.signature, receipt->cosignature, LEDGER_SIGNATURE_BYTES);
    if (ledger_cosignature_verify(&cosignature))
      err = fail(problem, COOP_E_BAD_SIGNATURE,
                 "cosignature: the witness's signature over the coop checkpoint does not verify");
    facts->cosigned = !err;
  }
  if (!err && receipt->has_verdict)
    err = check_verdict(receipt, facts, leaf, plain, problem);
  sodium_memzero(plain, COOP_PAYLOAD_BYTES_MAX);
  coop_free(plain);
  return err;
}
