/* A member's receipt: everything needed to prove, offline and without any
 * database, that a coop signed a statement for a member-month, that a
 * witness cosigned the coop's log at that point, and that the member's
 * municipality acknowledged exactly those figures.
 *
 * The binary parts (entry headers, sealed payloads, proofs, checkpoints,
 * signatures) are what is checked; the file format around them (JSON, in
 * node/receipt.h) only carries them.  docs/log-format.md §Receipts. */
#ifndef COOP_LEDGER_RECEIPT_H
#define COOP_LEDGER_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/limits.h"
#include "ledger/books/statement.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/merkle.h"

/* One entry with its inclusion proof in a signed checkpoint of its log. */
typedef struct ledger_receipt_entry {
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payload[COOP_PAYLOAD_BYTES_MAX]; /* as stored: sealed */
  size_t payload_bytes;
  ledger_proof proof;
  ledger_checkpoint checkpoint;
} ledger_receipt_entry;

typedef struct ledger_receipt {
  /* The file's descriptive labels: verification refuses them unless they say
   * what the decrypted statement says. */
  char member_label[LEDGER_MEMBER_ID_CHARS + 1]; /* "m-3f9a2c" */
  char period_label[8];                          /* "2026-03" */
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

/* Checks every rule of docs/log-format.md §Receipts that needs no outside
 * knowledge: each checkpoint's signature, each entry's leaf hash and
 * inclusion proof against its checkpoint, that the key opens both payloads
 * (with their headers as associated data), that the statement is in its one
 * canonical encoding with every figure in range and belongs to the audience
 * and to a coop that is not its own municipality, that the labels say what
 * it says, that the cosignature verifies, and that the verdict is the
 * municipality's (the statement's rule-set log) and names exactly this
 * statement, member, month, audience and figures.  Whose keys these are is
 * not its business: see ledger_receipt_judge.  COOP_OK with *facts filled,
 * or an error with `problem` saying what failed and naming the rule, as
 * "... (rule 'non-negative')". */
COOP_MUST_USE coop_err ledger_receipt_verify(const ledger_receipt *receipt,
                                             ledger_receipt_facts *facts, char problem[256]);

/* ---- Trust ---------------------------------------------------------------------
 *
 * A verified receipt is internally consistent; it proves something about a
 * real coop and municipality only when the verifier has their keys from
 * elsewhere: the municipality's letter or website, or the peers of a node
 * it runs.  An anchor is one such key, or just its fingerprint. */

#define LEDGER_RECEIPT_ANCHOR_NAME_BYTES 64u

typedef struct ledger_receipt_anchor {
  bool has_key; /* false: only the fingerprint was given */
  uint8_t key[LEDGER_LOG_ID_BYTES];
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  char name[LEDGER_RECEIPT_ANCHOR_NAME_BYTES + 1]; /* "" when the verifier gave no name */
} ledger_receipt_anchor;

/* KEY (64 lower- or upper-case hex digits) or FINGERPRINT ("1a2b-3c4d-5e6f-7081"),
 * with `name` (may be NULL).  COOP_E_BAD_INPUT when it is neither. */
COOP_MUST_USE coop_err ledger_receipt_anchor_parse(const char *text, const char *name,
                                                   ledger_receipt_anchor *anchor);

/* The first anchor of `anchors` that is `key` (or its fingerprint), or NULL. */
const ledger_receipt_anchor *ledger_receipt_anchor_find(const ledger_receipt_anchor *anchors,
                                                        size_t count,
                                                        const uint8_t key[LEDGER_LOG_ID_BYTES]);

typedef struct ledger_receipt_anchors {
  const ledger_receipt_anchor *municipalities; /* one must be the receipt's municipality */
  size_t municipality_count;
  const ledger_receipt_anchor *coops; /* keys known by name; required when coop_required */
  size_t coop_count;
  bool coop_required;
  const ledger_receipt_anchor *witnesses; /* whose cosignatures count */
  size_t witness_count;
} ledger_receipt_anchors;

typedef struct ledger_receipt_trust {
  const ledger_receipt_anchor *municipality; /* the matching anchor; NULL when none */
  const ledger_receipt_anchor *coop;         /* the matching anchor; NULL when none */
  bool witness_counted; /* the cosignature is by a trusted witness that is not the coop */
  const ledger_receipt_anchor *witness; /* the anchor that names it; NULL when only the
                                           anchored municipality vouches for it */
} ledger_receipt_trust;

/* Which of a verified receipt's keys the verifier's anchors tie to a real
 * party.  A cosignature counts when its witness is one of `witnesses` or the
 * anchored municipality, and never when it is the coop's own.
 * COOP_OK: the municipality is anchored (and the coop, when required).
 * COOP_E_NOT_FOUND: no municipality anchors were given (nothing to compare).
 * COOP_E_BAD_INPUT: anchors were given and the receipt's key is not one of
 * them; `problem` names both fingerprints and the rule. */
COOP_MUST_USE coop_err ledger_receipt_judge(const ledger_receipt *receipt,
                                            const ledger_receipt_facts *facts,
                                            const ledger_receipt_anchors *anchors,
                                            ledger_receipt_trust *trust, char problem[256]);

#endif
