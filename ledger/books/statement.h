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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/books/books.h"
#include "ledger/offset/offset.h"

/* The records one statement may cite: a member-month with more is refused
 * (and fits the payload limit with room to spare: 40 bytes each). */
#define LEDGER_STATEMENT_SOURCES_MAX 1000u

typedef struct ledger_statement_source {
  uint64_t index;
  uint8_t leaf_hash[LEDGER_HASH_BYTES];
} ledger_statement_source;

/* Version 2 names the member: her name and client ref in force when the
 * statement was made, and her own key when she has a node, so a receipt
 * cannot be handed to another member unnoticed.  Version 1 statements (no
 * names) still decode, with `version` 1 and these fields empty. */
#define LEDGER_STATEMENT_VERSION 2

typedef struct ledger_statement_payload {
  uint8_t version; /* as decoded; 1 encodes as version 1, anything else as the current */
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
  /* Version 2 on: who the member is. */
  char member_name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  bool has_member_key;
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES];
} ledger_statement_payload;

/* Encoding checks the split (C + M + B = max(P, 0) after losses) and the
 * ranges first; decoding checks the same after. */
COOP_MUST_USE coop_err ledger_statement_encode(const ledger_statement_payload *statement,
                                               coop_buf *out);
COOP_MUST_USE coop_err ledger_statement_decode(const uint8_t *bytes, size_t count,
                                               ledger_statement_payload *statement);

/* The member and period of an encoded statement without decoding the rest
 * (a statement is large; lists need only these).  Checks the version.
 * COOP_E_VERSION, COOP_E_DECODE. */
COOP_MUST_USE coop_err ledger_statement_peek(const uint8_t *bytes, size_t count,
                                             uint8_t member[LEDGER_MEMBER_ID_BYTES],
                                             uint32_t *period);

/* Hash of the figures alone (SHA-256 over their canonical encoding): what an
 * acknowledgement cites, so it is bound to exactly these numbers. */
void ledger_statement_figures_hash(const ledger_statement_payload *statement,
                                   uint8_t out[LEDGER_HASH_BYTES]);

/* ---- Verdicts: acknowledgements (kind 20) and disputes (kind 21) ----------------
 *
 * A municipality's verdict on one statement, appended to its own log and
 * sealed to the member's audience (so the coop and the member read it).  It
 * names the statement by (coop log, index, leaf hash) and binds the figures
 * it judged by their hash.  A dispute adds why, which fields differ, and the
 * municipality's own inputs and figures.  Layout in docs/log-format.md. */

typedef enum ledger_dispute_reason {
  LEDGER_DISPUTE_FIGURES = 1,          /* recomputed inputs or figures differ */
  LEDGER_DISPUTE_UNKNOWN_RULE_SET = 2, /* cites a rule set this municipality never published */
  LEDGER_DISPUTE_RULE_SET_NOT_IN_FORCE = 3, /* a published rule set, not the one in force */
  LEDGER_DISPUTE_UNSEEN_SOURCE = 4,    /* cites an entry the municipality cannot see, or not
                                          this member's record of this month */
  LEDGER_DISPUTE_MISSING_RECORD = 5,   /* a record of the member's month is not cited */
  LEDGER_DISPUTE_WRONG_MEMBER = 6,     /* names another member than the one it is sealed to */
  LEDGER_DISPUTE_REASON_MAX = 6,
} ledger_dispute_reason;

const char *ledger_dispute_reason_name(uint8_t reason); /* "figures", ...; "unknown" */

/* Fields a dispute can name as differing, one bit each: the month's inputs,
 * then every figure, then the carried state.  Names: ledger_verdict_field_name. */
enum {
  LEDGER_FIELD_REVENUE, LEDGER_FIELD_COSTS, LEDGER_FIELD_VOLUNTEER_ALLOWANCE,
  LEDGER_FIELD_OTHER_INCOME, LEDGER_FIELD_HOURS, LEDGER_FIELD_AGE, LEDGER_FIELD_N_APPROVED,
  LEDGER_FIELD_MEDICAL_LIMIT, LEDGER_FIELD_SINGLE_PARENT,
  LEDGER_FIELD_PROFIT, LEDGER_FIELD_COOP_SHARE, LEDGER_FIELD_NET_INCOME,
  LEDGER_FIELD_DISREGARD, LEDGER_FIELD_DISREGARD_KIND, LEDGER_FIELD_VOLUNTEER_DISREGARDED,
  LEDGER_FIELD_VOLUNTEER_COUNTED, LEDGER_FIELD_COUNTED_INCOME, LEDGER_FIELD_OFFSET,
  LEDGER_FIELD_BENEFIT, LEDGER_FIELD_ABOVE_NORM, LEDGER_FIELD_TO_MUNICIPALITY,
  LEDGER_FIELD_TO_BUDGET, LEDGER_FIELD_N_USED, LEDGER_FIELD_R_USED, LEDGER_FIELD_A34_USED,
  LEDGER_FIELD_K_YTD, LEDGER_FIELD_LOSS_CARRIED, LEDGER_FIELD_STATE_AFTER,
  LEDGER_FIELD_COUNT
};

/* "revenue", "coop_share", ... (the offset JSON's names); NULL past the end. */
const char *ledger_verdict_field_name(unsigned field);

typedef struct ledger_verdict {
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period; /* YYYYMM */
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  uint64_t statement_index;
  uint8_t statement_leaf_hash[LEDGER_HASH_BYTES];
  uint8_t figures_hash[LEDGER_HASH_BYTES]; /* ledger_statement_figures_hash of the statement */
  /* Disputes only. */
  uint8_t reason;          /* ledger_dispute_reason */
  uint64_t detail_index;   /* the coop-log entry the reason is about, when there is one */
  uint32_t differing;      /* bits of LEDGER_FIELD_* */
  ledger_offset_month month;        /* the municipality's inputs */
  ledger_offset_statement figures;  /* the municipality's figures */
} ledger_verdict;

/* `dispute` selects the layout: kind 21 (true) or kind 20.  Encoding
 * refuses a dispute reason outside 1..LEDGER_DISPUTE_REASON_MAX. */
COOP_MUST_USE coop_err ledger_verdict_encode(const ledger_verdict *verdict, bool dispute,
                                             coop_buf *out);
COOP_MUST_USE coop_err ledger_verdict_decode(const uint8_t *bytes, size_t count, bool dispute,
                                             ledger_verdict *verdict);

/* Do two carried states say the same (as their encoded bytes would)? */
bool ledger_statement_same_state(const ledger_offset_state *a, const ledger_offset_state *b);

/* Which fields of (inputs, figures, state) differ between a statement and a
 * recomputation: a LEDGER_FIELD_* bit mask, 0 when they agree. */
uint32_t ledger_statement_differences(const ledger_statement_payload *statement,
                                      const ledger_offset_month *month,
                                      const ledger_offset_statement *figures,
                                      const ledger_offset_state *state_after);

/* Corrections can make a month's total negative; the engine takes amounts
 * >= 0, so a negative revenue moves into costs and vice versa (profit is
 * unchanged), and negative allowance, outside income or hours count as zero.
 * Both the coop's close and the municipality's audit apply it. */
void ledger_statement_normalise_inputs(ledger_offset_month *inputs);

/* Age in whole years on the 1st of `period` (YYYYMM) for a member born in
 * `birth_period`.  Only the birth month is known, so in that month the
 * birthday is taken not to have passed yet. */
int64_t ledger_statement_age_on_first(uint32_t birth_period, uint32_t period);

#endif
