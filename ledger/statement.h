/* Monthly statements (verrekening) in the log: the payload of a
 * LEDGER_KIND_STATEMENT entry, sealed to the member's audience.
 *
 * A statement carries everything needed to recompute it elsewhere: the
 * member, the month, the identity of the rule set used (the municipality's
 * log id, entry index and leaf hash), the month's inputs, every figure, the
 * engine's carried state after the month, and the identities (index and leaf
 * hash) of the records it summed.  Layout in docs/log-format.md §Statements. */
#ifndef COOP_LEDGER_STATEMENT_H
#define COOP_LEDGER_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/books.h"
#include "ledger/buffer.h"
#include "ledger/offset.h"

/* The records one statement may cite: a member-month with more is refused
 * (and fits the payload limit with room to spare: 40 bytes each). */
#define LEDGER_STATEMENT_SOURCES_MAX 1000u

typedef struct ledger_statement_source {
  uint64_t index;
  uint8_t leaf_hash[LEDGER_HASH_BYTES];
} ledger_statement_source;

typedef struct ledger_statement_payload {
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period; /* YYYYMM */
  uint8_t rule_set_log[LEDGER_LOG_ID_BYTES];
  uint64_t rule_set_index;
  uint8_t rule_set_leaf_hash[LEDGER_HASH_BYTES];
  uint64_t corrects; /* index + 1 of the statement this one replaces; 0: none */
  ledger_offset_month month;
  ledger_offset_statement figures;
  ledger_offset_state state_after;
  uint16_t source_count;
  ledger_statement_source sources[LEDGER_STATEMENT_SOURCES_MAX];
} ledger_statement_payload;

/* Encoding checks the split (C + M + B = max(P, 0) after losses) and the
 * ranges first; decoding checks the same after. */
COOP_MUST_USE coop_err ledger_statement_encode(const ledger_statement_payload *statement,
                                               coop_buf *out);
COOP_MUST_USE coop_err ledger_statement_decode(const uint8_t *bytes, size_t count,
                                               ledger_statement_payload *statement);

/* Hash of the figures alone (SHA-256 over their canonical encoding): what an
 * acknowledgement cites, so it is bound to exactly these numbers. */
void ledger_statement_figures_hash(const ledger_statement_payload *statement,
                                   uint8_t out[LEDGER_HASH_BYTES]);

#endif
