/* A member's receipt: everything needed to prove, offline and without any
 * database, that a coop signed a statement for a member-month, that a
 * witness cosigned the coop's log at that point, and that the member's
 * municipality acknowledged exactly those figures.
 *
 * The binary parts (entry headers, sealed payloads, proofs, checkpoints,
 * signatures) are what is checked; the file format around them (JSON, in
 * cli/cmd_receipt.c) only carries them.  docs/log-format.md §Receipts. */
#ifndef COOP_LEDGER_RECEIPT_H
#define COOP_LEDGER_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/statement.h"

/* One entry with its inclusion proof in a signed checkpoint of its log. */
typedef struct ledger_receipt_entry {
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payload[COOP_PAYLOAD_BYTES_MAX]; /* as stored: sealed */
  size_t payload_bytes;
  ledger_proof proof;
  ledger_checkpoint checkpoint;
} ledger_receipt_entry;

typedef struct ledger_receipt {
  uint8_t audience_key[32]; /* opens the member's entries: the statement and the verdict */
  ledger_receipt_entry statement;
  bool has_cosignature;     /* a witness's signature over statement.checkpoint */
  uint8_t witness[LEDGER_LOG_ID_BYTES];
  uint8_t cosignature[LEDGER_SIGNATURE_BYTES];
  bool has_verdict;
  ledger_receipt_entry verdict; /* acknowledgement or dispute, in the municipality's log */
} ledger_receipt;

/* What a verified receipt proves. */
typedef struct ledger_receipt_facts {
  ledger_statement_payload statement; /* decrypted */
  uint64_t statement_index;
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  bool cosigned;
  bool acknowledged, disputed;
  ledger_verdict verdict;
  uint8_t municipality_log[LEDGER_LOG_ID_BYTES];
  uint64_t verdict_index;
} ledger_receipt_facts;

/* Checks everything: each checkpoint's signature, each entry's leaf hash
 * and inclusion proof against its checkpoint, that the key opens both
 * payloads (with their headers as associated data), that the statement
 * decodes and belongs to the audience, that the cosignature verifies, and
 * that the verdict is the municipality's (the statement's rule-set log),
 * names this statement (index and leaf hash) and these figures (hash).
 * COOP_OK with *facts filled, or an error with `problem` saying exactly what
 * failed. */
COOP_MUST_USE coop_err ledger_receipt_verify(const ledger_receipt *receipt,
                                             ledger_receipt_facts *facts, char problem[256]);

#endif
