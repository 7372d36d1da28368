/* One member's month: the one derivation of the offset engine's inputs.
 *
 * The coop's month close, the municipality's audit and the member's own
 * view all compute a member's month from the same signed records with these
 * functions, so the two sides agree by construction, not by keeping three
 * copies of one computation in step.  Pure: no SQL, no I/O, no keys - the
 * callers read and open the entries; this only adds them up. */
#ifndef COOP_LEDGER_MEMBER_MONTH_H
#define COOP_LEDGER_MEMBER_MONTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/log/entry.h"
#include "ledger/offset/offset.h"

/* More rule-set versions than a municipality publishes in decades (two a
 * year by law): what the close and the audit read of one municipality. */
#define LEDGER_MONTH_RULE_SETS_MAX 256u

/* A record reduced to what a member's month uses. */
typedef struct ledger_month_record {
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES]; /* whose: the member's audience */
  uint64_t index;                             /* in the coop's log */
  uint8_t leaf[LEDGER_HASH_BYTES];
  uint32_t date;   /* YYYYMMDD: when it was booked */
  uint32_t period; /* YYYYMM: the month it counts in (ledger_record_month) */
  uint8_t type, memo_type;
  int64_t quantity;                  /* memo: cents or hundredths of hours */
  int64_t revenue, costs, allowance; /* member postings on 4000, 5000, 5010 */
  int64_t spend;                     /* postings on the development budget (2100) */
} ledger_month_record;

/* Fills `out` from a decoded record (its audience, index and leaf are the
 * entry's, set by the caller). */
void ledger_month_record_from(const ledger_record *record, ledger_month_record *out);

/* Does `record` count in the member's month `period` (YYYYMM) as seen by a
 * statement at log index `statement_index` (UINT64_MAX: one not written
 * yet)?  Of the month (dated in it, or attributed to it from a later
 * date), written before the statement, and not a profit split (what a
 * statement produced, not what it sums). */
bool ledger_month_counts(const ledger_month_record *record, uint32_t period,
                         uint64_t statement_index);

/* A month's totals, in the engine's signs: revenue positive. */
typedef struct ledger_month_sums {
  int64_t revenue_cents, costs_cents, allowance_cents;
  int64_t other_income_cents, hours_hundredths;
  int64_t budget_spent_cents; /* development budget spent (the member view) */
  size_t record_count;
} ledger_month_sums;

/* Adds one counted record (a correction adds its reversal). */
void ledger_month_add(ledger_month_sums *sums, const ledger_month_record *record);

/* One status fact of a member, in log order. */
typedef struct ledger_member_fact {
  uint8_t field; /* ledger_member_field */
  uint32_t from_period;
  uint32_t value;
  uint64_t index; /* the entry that states it, in the coop's log */
} ledger_member_fact;

/* The member's status in force in a month. */
typedef struct ledger_member_status {
  uint32_t birth_period; /* 0: unknown */
  int n_approved;
  int medical_limit;
  int single_parent;
  int left;
} ledger_member_status;

/* The status in force in `period` as a statement at log index
 * `statement_index` sees it (UINT64_MAX: one not written yet): per field the
 * fact with the latest from-month on or before `period`, of two with the
 * same month the later entry, of the facts written before the statement.  A
 * fact appended later - even one from an earlier month - does not change
 * what a statement should have said when it was signed: it makes the month
 * due for a reissue (ledger_month_inputs_equal tells). */
void ledger_member_status_at(const ledger_member_fact *facts, size_t count, uint32_t period,
                             uint64_t statement_index, ledger_member_status *status);

/* The engine's inputs for `period` from the month's sums and the status in
 * force, normalised as every statement is. */
void ledger_month_inputs(const ledger_month_sums *sums, const ledger_member_status *status,
                         uint32_t period, ledger_offset_month *inputs);

/* Same inputs (every field the engine reads)? */
bool ledger_month_inputs_equal(const ledger_offset_month *a, const ledger_offset_month *b);

/* YYYYMM as the engine's period. */
ledger_offset_period ledger_month_period(uint32_t period);

#endif
