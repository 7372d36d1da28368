/* A coop's log as this node can read it: members (enrolment and status
 * facts), member records reduced to what a month uses, statements, closed
 * months.  Read in one pass over the signed entries, so whatever is derived
 * from a view rests on the log, not on tables that could be edited.
 *
 * The coop's month close, the municipality's audit and the member view each
 * load one and compute a member's month from it with ledger/books/member_month.h:
 * one derivation on every side. */
#ifndef COOP_NODE_LOG_VIEW_H
#define COOP_NODE_LOG_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/books/member_month.h"
#include "ledger/books/statement.h"
#include "node/keyring.h"
#include "node/node.h"

/* A member's details as of one entry: her enrolment, or a later change. */
typedef struct log_member_details {
  uint64_t index;
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES]; /* the residence it belongs to */
  char name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES]; /* all zero: none */
} log_member_details;

/* Where she lived from a month on: the audience her entries of those
 * months are sealed to and the municipality that reads and judges them.
 * A move (member actions 4 and 5) begins a new one with a fresh audience
 * (whose id keeps her member id's bytes); a node reads only the residences
 * granted to it, and knows of the others only their audience and month. */
typedef struct log_residence {
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint32_t from_period; /* 0: from her enrolment */
  uint64_t index;       /* the entry that began it (enrolment, move in; else the move out) */
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES]; /* all zero: not readable here */
  /* Her status facts stated in it, in log order: a month is judged by the
   * facts of its residence alone, as its municipality sees them. */
  ledger_member_fact *facts;
  size_t fact_count, fact_capacity;
} log_residence;

typedef struct log_member {
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint64_t enrolled_at; /* log index of the enrolment */
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES]; /* all zero: none */
  /* name, client_ref and member_key above are the latest; every version
   * of them, in log order, is here (a statement names those in force). */
  log_member_details *details;
  size_t detail_count, detail_capacity;
  ledger_member_fact *facts;                   /* in log order, every residence's */
  size_t fact_count, fact_capacity;
  log_residence *residences; /* by from_period; the first is her enrolment's */
  size_t residence_count, residence_capacity;
  /* Her records and statements: positions in the view's arrays, in log
   * order (so a month is read without a pass over everyone's). */
  size_t *records, record_count;
  size_t *statements, statement_count;
} log_member;

typedef struct log_statement {
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint64_t index;
  uint8_t leaf[LEDGER_HASH_BYTES];
  uint32_t period;
} log_statement;

/* Called by the fold with each statement it opens and keeps (after `item`
 * is in the view), its plaintext valid during the call only: a caller that
 * needs whole statements (the audit tables) need not open them again.  An
 * error stops the fold. */
typedef coop_err (*log_view_statement_hook)(void *context, const log_statement *item,
                                            const uint8_t *plain, size_t plain_bytes);

typedef struct log_view {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  char name[COOP_NAME_BYTES_MAX + 1];
  int role;
  log_member *members; /* in enrolment order */
  size_t member_count, member_capacity;
  ledger_month_record *records; /* members' records, in log order */
  size_t record_count, record_capacity;
  log_statement *statements; /* in log order */
  size_t statement_count, statement_capacity;
  uint32_t *closed; /* closed months, in log order */
  size_t closed_count, closed_capacity;
  uint64_t last_close_index; /* the latest month's close entry; 0: none read */
  /* Audiences the log's author erased in its own log (erasure entries). */
  uint8_t (*erased)[LEDGER_AUDIENCE_ID_BYTES];
  size_t erased_count, erased_capacity;
  /* audience -> member: every residence's audience, open addressing */
  struct log_audience_key {
    uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
    uint32_t member; /* position in members */
  } *keys;
  size_t key_count, key_capacity;
  uint32_t *slots; /* key position + 1 */
  size_t slot_count;
  /* Audiences with sealed member entries this node could not open, sorted
   * and unique: a later grant of one of them to this node changes what an
   * earlier part of the log reads as (the audit's tables start over). */
  uint8_t (*unread)[LEDGER_AUDIENCE_ID_BYTES];
  size_t unread_count, unread_capacity;
  /* Optional (NULL: none), set by the caller before log_view_extend;
   * log_view_free clears it. */
  log_view_statement_hook on_statement;
  void *on_statement_context;
} log_view;

/* Reads `log_id` with the keys of `ring`.  `only_period` (YYYYMM) keeps
 * only the records dated in that month (a close needs no more); 0 keeps
 * all.  On failure nothing is left to free. */
COOP_MUST_USE coop_err log_view_load(node_key_ring *ring, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                     uint32_t only_period, log_view *view);
void log_view_free(log_view *view);

/* Adds entries [from, to) of the view's log (to = UINT64_MAX: all there
 * are) to a view that holds entries [0, from): what log_view_load does in
 * one call, in steps, so a view kept elsewhere (the municipality's audit
 * tables, node/audit_index.h) is extended with new entries only.  *reread
 * is set when an entry in the range changes how the entries before `from`
 * read (an erasure, or a key granted to this node for an audience it could
 * not open): the caller must start over from 0.  On failure the view is in
 * an unspecified state: free it. */
COOP_MUST_USE coop_err log_view_extend(node_key_ring *ring, log_view *view, uint64_t from,
                                       uint64_t to, bool *reread);

/* Adds entry `index` of the view's log, which the caller wrote itself and
 * so need not read back (a month close's statements and profit splits): a
 * statement of `period`, or a record with the figures of `record` (its
 * audience, index and leaf are taken from the arguments), sealed to
 * `audience`, with the leaf hash the log stored for it.  The view must hold
 * the entries before it and nothing after, and only entries this function
 * or log_view_extend added may follow, in log order.  COOP_E_NOT_FOUND when
 * `audience` is no member's in the view or `index` is not past the view's
 * last record and statement; COOP_E_NOMEM.  On failure the view is in an
 * unspecified state: free it. */
COOP_MUST_USE coop_err log_view_add_statement(log_view *view,
                                              const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                              uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                                              uint32_t period);
COOP_MUST_USE coop_err log_view_add_record(log_view *view,
                                           const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                           uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                                           const ledger_month_record *record);

/* After members, records or statements were filled in directly (the audit
 * tables load a view from rows): rebuilds the audience table and each
 * member's positions of her records and statements.  COOP_E_DECODE when a
 * record or statement is no member's, COOP_E_NOMEM. */
COOP_MUST_USE coop_err log_view_reindex(log_view *view);

log_member *log_view_member(const log_view *view,
                            const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES]);
/* The member's details in force in the residence of `audience` for an
 * entry at `index` (the latest of that residence written before it;
 * UINT64_MAX: the latest), or NULL when that residence is not readable. */
const log_member_details *log_view_details_at(const log_member *who,
                                              const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                              uint64_t index);

/* Her residence in `period` (never NULL), and the one of `audience` (NULL:
 * not hers). */
const log_residence *log_view_residence_at(const log_member *who, uint32_t period);
const log_residence *log_view_residence_of(const log_member *who,
                                           const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES]);
/* Is `municipality` hers in `period`? */
bool log_view_resident(const log_member *who, uint32_t period,
                       const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES]);

/* The member's i-th record / statement, in log order. */
const ledger_month_record *log_view_record_of(const log_view *view, const log_member *who,
                                              size_t i);
const log_statement *log_view_statement_of(const log_view *view, const log_member *who, size_t i);
bool log_view_closed(const log_view *view, uint32_t period);

/* The member's month as a statement at `statement_index` sees it
 * (UINT64_MAX: one about to be written): the sums of the records that count
 * (of those sealed to her residence of that month). */
void log_view_month(const log_view *view, const log_member *who, uint32_t period,
                    uint64_t statement_index, ledger_month_sums *sums);

/* The member's statement whose carried state a statement of `period` at
 * `statement_index` starts from: the latest of the latest earlier month
 * written before it, of the same residence; NULL: none (a fresh state: a
 * new municipality starts her counters afresh, and cannot read the
 * statements of the one before). */
const log_statement *log_view_previous(const log_view *view, const log_member *who,
                                       uint32_t period, uint64_t statement_index);

/* The member's statement in force for `period` (the latest), or NULL. */
const log_statement *log_view_latest(const log_view *view, const log_member *who,
                                     uint32_t period);

/* The inputs of the member's month as a statement at `statement_index`
 * sees them (UINT64_MAX: all entries read). */
void log_view_inputs(const log_view *view, const log_member *who, uint32_t period,
                     uint64_t statement_index, ledger_offset_month *inputs);

/* Is `item` out of date - would a reissue now say something else?  *cause
 * is the first later entry that changed it (a record of its month, which
 * it does not cite; a status fact of the member that changes its inputs;
 * a reissue of an earlier month that changes its carried state), 0 when it
 * is up to date.  `plain` is scratch of
 * COOP_PAYLOAD_BYTES_MAX bytes. */
COOP_MUST_USE coop_err log_view_reissue_cause(node_key_ring *ring, const log_view *view,
                                              const log_member *who, const log_statement *item,
                                              uint8_t *plain, uint64_t *cause);

/* Reads and opens statement `index` of `log_id` into `out` with the keys of
 * `ring`; `plain` is scratch of COOP_PAYLOAD_BYTES_MAX bytes; `leaf` (NULL:
 * not wanted) gets the entry's leaf hash.  COOP_E_NOT_FOUND when the entry
 * is not a statement, COOP_E_NO_KEY when this node cannot open it. */
COOP_MUST_USE coop_err log_view_statement(node_key_ring *ring,
                                          const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                          uint64_t index, uint8_t *plain,
                                          ledger_statement_payload *out,
                                          uint8_t leaf[LEDGER_HASH_BYTES]);

#endif
