/* The books as a coop administrator uses them: enrolling members, recording
 * money and memos, corrections, closing months.  Every change is one
 * transaction that checks the rules against the derived tables, appends the
 * entries (sealed to the member's audience, or to the coop's own books
 * audience), and updates the derived tables: all of it or nothing.
 *
 * On failure `message` says what and where, quoting the input. */
#ifndef COOP_NODE_BOOKS_H
#define COOP_NODE_BOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/books/books_index.h"
#include "ledger/books/statement.h"
#include "ledger/offset/offset.h"
#include "node/node.h"

/* Brings the derived tables up to date; on a coop node whose books were never
 * opened, opens them (a books audience granted to the coop itself, and the
 * public books entry naming it and the chart version). */
COOP_MUST_USE coop_err node_books_ready(node *node, char message[NODE_MESSAGE_BYTES]);

/* `coop rebuild`: drops every derived row and replays the own log into the
 * tables, in one transaction, opening its entries with the node's key ring.
 * *entries: the log size they now describe.  On failure nothing changed and
 * `message` says why (a missing payload is named: a rebuild must not drop
 * its amounts). */
COOP_MUST_USE coop_err node_books_rebuild(node *node, uint64_t *entries,
                                          char message[NODE_MESSAGE_BYTES]);

/* The derived tables against a replay of the own log (ledger_books_check,
 * with the node's key ring).  COOP_E_BOOKS_MISMATCH or
 * COOP_E_PAYLOAD_MISSING with `message` naming the difference; other
 * errors leave `message` alone (ledger_store_failure tells them). */
COOP_MUST_USE coop_err node_books_check(node *node, char message[NODE_MESSAGE_BYTES]);

/* Does this node keep books (has its books entry been appended)? */
bool node_books_kept(node *node);

typedef struct node_member_request {
  const char *name;
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  const char *client_ref;
  int has_member_key;
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES];
  int client_ref_is_not_a_bsn; /* the operator confirmed a 9-digit ref is not a BSN */
  uint32_t birth_period;       /* 0: not given */
  uint32_t from_period;        /* month the status facts start (for birth: enrolment month) */
} node_member_request;

/* The key of the municipality `text` names: its node key (64 hex digits) or
 * the name of a [peer NAME] section in node.conf.  COOP_E_NOT_FOUND for a
 * name no peer has, COOP_E_BAD_INPUT for a peer that is not a
 * municipality; message says which. */
COOP_MUST_USE coop_err node_municipality_key(node *node, const char *text,
                                             uint8_t key[LEDGER_PUBLIC_KEY_BYTES],
                                             char message[NODE_MESSAGE_BYTES]);

/* The member `text` names: her id (m-xxxxxx), her client ref, or her name
 * when exactly one member has it (ignoring case).  COOP_E_NOT_FOUND, or
 * COOP_E_EXISTS when it names several (message lists each one's name, id
 * and client ref, so an administrator can tell them apart). */
COOP_MUST_USE coop_err node_member_find(node *node, const char *text, ledger_member_row *row,
                                        char message[NODE_MESSAGE_BYTES]);

/* Is `text` shaped like a member id ("m-" and six hex digits, as 'coop
 * member add' prints)?  Such text goes to the books as it is, so an
 * unknown id gets the books' own message. */
bool node_member_id_shaped(const char *text);

/* Members whose name, client ref or id contains `text` (ignoring ASCII
 * case; NULL or "": all of them), in id order. */
COOP_MUST_USE coop_err node_members(node *node, const char *text, ledger_member_visitor visitor,
                                    void *context);

/* A member's records dated in [date_from, date_to] (0: open), in date
 * order, each once with the index of the correction that reversed it
 * (corrected_by: its index + 1; 0: none). */
typedef coop_err (*node_record_visitor)(void *context, uint64_t index, const ledger_record *record,
                                        uint64_t corrected_by);
COOP_MUST_USE coop_err node_member_records(node *node, const char *member_id, uint32_t date_from,
                                           uint32_t date_to, node_record_visitor visitor,
                                           void *context);

/* Does the status fact (field, from_period, value), as node_member_set
 * takes it, already hold: is `value` the one in force in the month it
 * would start (for a birth: the birth month)?  Then recording it would
 * change no month, and 'coop member set' says so instead of appending a
 * second copy.  *holds false on any error. */
COOP_MUST_USE coop_err node_member_fact_holds(node *node, const char *member_id, uint8_t field,
                                              uint32_t from_period, uint32_t value, bool *holds);

/* ---- reading the books (node/books_read.c) ----------------------------------
 *
 * The derived tables as reports read them, for every interface (cli/,
 * web/): they read the books through these, never the tables. */

/* The member with exactly this id (no name or ref lookup: node_member_find
 * does that).  COOP_E_NOT_FOUND. */
COOP_MUST_USE coop_err node_member_get(node *node, const char *member_id, ledger_member_row *row);

/* The member as she was in `period`: her row with the audience,
 * municipality and client ref of her residence that month (she may have
 * moved), and her status facts in force then (status may be NULL).
 * COOP_E_NOT_FOUND. */
COOP_MUST_USE coop_err node_member_at(node *node, const char *member_id, uint32_t period,
                                      ledger_member_row *row, ledger_member_status *status);

/* The coop's own statement of a member's month (the latest, a reissue
 * included) and its entry index; COOP_E_NOT_FOUND.  `statement` is large:
 * allocate it on the heap. */
COOP_MUST_USE coop_err node_member_statement(node *node, const char *member_id, uint32_t period,
                                             ledger_statement_payload *statement,
                                             uint64_t *entry_index);

/* Sums per account (in account-name order) and every posting and memo (in
 * date, then entry order) matching `query`: `coop bal` and `coop reg`. */
COOP_MUST_USE coop_err node_balances(node *node, const ledger_books_query *query,
                                     ledger_balance_visitor visitor, void *context);
COOP_MUST_USE coop_err node_register(node *node, const ledger_books_query *query,
                                     ledger_register_visitor visitor, void *context);

/* What a person calls a record's amount: cents, or hours in hundredths for
 * hours; positive (a correction's sign is in its type). */
int64_t node_record_amount(const ledger_record *record);

/* Enrols a member: a new audience granted to the coop, the municipality and
 * the member's key, then the sealed enrolment (and birth month) entries.
 * The municipality must be one this node knows as a municipality (its log,
 * whose identity entry says so, or a municipality peer in node.conf), and
 * the client ref must be new within that municipality unless the member
 * who has it left; otherwise nothing is written and message names what the
 * key is, or the member who has the ref. */
COOP_MUST_USE coop_err node_member_add(node *node, const node_member_request *request,
                                       char member_id[LEDGER_MEMBER_ID_CHARS + 1],
                                       char message[NODE_MESSAGE_BYTES]);

/* Records a status fact (ledger_member_field) from a month on.  A fact
 * from a closed month in which the member has a statement changes what
 * those statements should have said: it is refused, naming the months,
 * unless `retroactive` - then it is recorded, and those months are
 * reissued at the next close (statements already signed keep their
 * verdicts: each is judged as the log stood when it was signed). */
COOP_MUST_USE coop_err node_member_set(node *node, const char *member_id, uint8_t field,
                                       uint32_t from_period, uint32_t value, bool retroactive,
                                       char message[NODE_MESSAGE_BYTES]);

/* One enrolment of a batch: the request as for node_member_add, and status
 * facts (ledger_member_field: n approved, medical limit, single parent)
 * that hold from its from_period on, as 'coop member set' records them. */
#define NODE_ENROL_FIELDS_MAX 4u
typedef struct node_member_enrolment {
  node_member_request request;
  uint8_t fields[NODE_ENROL_FIELDS_MAX];
  size_t field_count;
} node_member_enrolment;

/* Called for each enrolment of a batch that is refused: its index and why. */
typedef void (*node_enrolment_say)(void *context, size_t index, const char *message);

/* Enrols every member of `enrolments` in one transaction (one fsync): all
 * or nothing.  Each is checked as node_member_add checks one (and each
 * fact as node_member_set does), against the members before it in the
 * batch too (a client ref twice is refused).  A refused enrolment is
 * reported through `say` and the rest are still checked, so one call
 * names every bad one; then nothing is written and the result is the
 * first refusal's error.  member_ids[i] receives each new id (all empty on
 * failure). */
COOP_MUST_USE coop_err node_member_add_many(node *node, const node_member_enrolment *enrolments,
                                            size_t count,
                                            char (*member_ids)[LEDGER_MEMBER_ID_CHARS + 1],
                                            node_enrolment_say say, void *context,
                                            char message[NODE_MESSAGE_BYTES]);

/* Changes a member's details from now on: `name`, `client_ref` (NULL:
 * keep) and her own node's key (`has_member_key`: set it; keep otherwise).
 * The same checks as an enrolment (a BSN-like ref, a ref another member of
 * her municipality has); later statements name her so, earlier ones keep
 * what they said.  The municipality cannot change this way. */
COOP_MUST_USE coop_err node_member_details(node *node, const char *member_id,
                                           const node_member_request *changes,
                                           char message[NODE_MESSAGE_BYTES]);

/* Moves a member to another municipality from `from_period` (an open
 * month, not before her enrolment or an earlier move) on: a new audience
 * granted to the coop, the new municipality and her key, a move-out entry
 * sealed to the old audience and a move-in entry (her details, the new
 * municipality, `client_ref`, NULL: her present one) sealed to the new
 * one, with the facts about her person restated there.  From that month
 * on her records and statements are sealed to the new audience, computed
 * with the new municipality's rules from a fresh carried state, and judged
 * by it; the old municipality reads nothing of those months.  Refused,
 * writing nothing, for: an unknown key, one that is not a municipality's,
 * her present municipality, a closed month, a month before her enrolment
 * or her last move, a member who left, records already counting in the
 * month or later, a client ref another member of the new municipality
 * has. */
COOP_MUST_USE coop_err node_member_move(node *node, const char *member_id,
                                        const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES],
                                        uint32_t from_period, const char *client_ref,
                                        int client_ref_is_not_a_bsn,
                                        char message[NODE_MESSAGE_BYTES]);

typedef struct node_record_request {
  uint8_t type;          /* ledger_record_type, not correction */
  const char *member_id; /* NULL or "" for coop-level records */
  int64_t amount;        /* cents, or hours in hundredths for hours */
  uint32_t date;         /* YYYYMMDD */
  const char *ref;       /* NULL or "": none */
  const char *note;      /* NULL or "": none */
  int future;            /* the operator confirmed a date in a month after this one */
  uint32_t for_period;   /* YYYYMM of a closed month it belongs to (--for-month); 0: none */
} node_record_request;

typedef struct node_record_result {
  uint64_t index; /* entry index of the record (the existing one when it existed) */
  int existed;    /* the same record with the same ref was already there */
} node_record_result;

/* Records many at once in one transaction: all or nothing.  On failure
 * *failed_at is the position of the request that failed, or `count` when the
 * failure is not about one request (the transaction, the final append). */
COOP_MUST_USE coop_err node_record_many(node *node, const node_record_request *requests,
                                        size_t count, node_record_result *results,
                                        size_t *failed_at, char message[NODE_MESSAGE_BYTES]);

/* Where node_record_stream takes its requests: the next ones in *requests
 * (valid until the next call), *count 0 at the end.  A failure (message
 * says why) ends the run: nothing is recorded. */
typedef coop_err (*node_record_source)(void *context, const node_record_request **requests,
                                       size_t *count, char message[NODE_MESSAGE_BYTES]);

/* node_record_many for more requests than are held at once (a bulk import:
 * the source hands them over a few thousand at a time).  One transaction,
 * all or nothing.  *recorded and *existed count the requests recorded and
 * those already there (0 on failure); on failure *failed_at is the position
 * in the stream of the request that failed, SIZE_MAX when the failure is not
 * about one. */
COOP_MUST_USE coop_err node_record_stream(node *node, node_record_source next, void *context,
                                          size_t *recorded, size_t *existed, size_t *failed_at,
                                          char message[NODE_MESSAGE_BYTES]);

/* One record. */
COOP_MUST_USE coop_err node_record_add(node *node, const node_record_request *request,
                                       node_record_result *result,
                                       char message[NODE_MESSAGE_BYTES]);

/* Reverses the record at `index` with a correction dated `date` (which must be
 * in an open month), naming the original and its month.  It counts in the
 * month the original counted in (that month is reissued); refused when that
 * month lies in a closed year. */
COOP_MUST_USE coop_err node_record_correct(node *node, uint64_t index, const char *reason,
                                           uint32_t date, uint64_t *correction_index,
                                           char message[NODE_MESSAGE_BYTES]);

/* Where a correction counts: where the original did, or in the month it is
 * dated in (coop correct --in-open-month: how an entry of a closed year is
 * reversed, and a choice for any closed month). */
typedef enum node_correction_month {
  NODE_CORRECTION_IN_ORIGINAL_MONTH = 0,
  NODE_CORRECTION_IN_DATE_MONTH = 1,
} node_correction_month;

COOP_MUST_USE coop_err node_record_correct_counting(node *node, uint64_t index,
                                                    const char *reason, uint32_t date,
                                                    node_correction_month counts_in,
                                                    uint64_t *correction_index,
                                                    char message[NODE_MESSAGE_BYTES]);

/* What closing a year did. */
typedef struct node_year_close_result {
  uint64_t entry_index; /* the public year-close entry */
  unsigned records;     /* year-close records: one per member with results, one for the coop */
  /* The profit and loss carried to equity:result-earlier-years, as booked
   * on it (credit < 0: a profit; since the last close, so with the years
   * before when the books began earlier). */
  int64_t result_cents;
} node_year_close_result;

/* Closes `year` (coop period close YYYY, node/year_close.c): refused unless
 * its months up to December are closed, the year before is closed (or the
 * books began in this one), no statement of it is due for a reissue and its
 * annual accounts reconcile.  Then, in one transaction, year-close records
 * dated 1 January of the next year move every profit and loss account's
 * balance to equity:result-earlier-years, and a public year-close entry
 * makes the year final: nothing reaches into it afterwards. */
COOP_MUST_USE coop_err node_year_close(node *node, uint32_t year, node_year_close_result *result,
                                       char message[NODE_MESSAGE_BYTES]);

/* One statement reissued: which member and month, the statement it
 * replaces and its own entry. */
typedef struct node_reissue {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  uint32_t period;
  uint64_t replaced, index;
} node_reissue;

typedef struct node_reissue_list {
  node_reissue *items;
  size_t count, capacity;
} node_reissue_list;

void node_reissue_list_free(node_reissue_list *list);

/* The month the record at `index` counts in (its date's, or the month it
 * is attributed to) and whether that month is closed: what a correction
 * of it, or the record itself, goes to.  COOP_E_NOT_FOUND: not a record. */
COOP_MUST_USE coop_err node_record_counts_in(node *node, uint64_t index, uint32_t *period,
                                             bool *closed);

/* Locks a month: later records dated in it are refused.  A coop first
 * reissues every closed month that is due (a retroactive fact, a late
 * correction: see node_statement_reissue), then writes the month's
 * statements. */
COOP_MUST_USE coop_err node_period_close(node *node, uint32_t period,
                                         char message[NODE_MESSAGE_BYTES]);
/* The same, saying in `reissued` (when not NULL) what it reissued first. */
COOP_MUST_USE coop_err node_period_close_reissuing(node *node, uint32_t period,
                                                   node_reissue_list *reissued,
                                                   char message[NODE_MESSAGE_BYTES]);

/* Checks the view of its own log a node kept from its last close (what
 * the next close starts from) against a fresh read of the same entries:
 * every member, record, statement and closed month.  COOP_OK when they
 * agree or none is kept (*kept says which); COOP_E_BOOKS_MISMATCH with
 * the first difference in `message`.  For tests: the close adds its own
 * statements and splits to the view without reading them back. */
COOP_MUST_USE coop_err node_close_view_check(node *node, bool *kept,
                                             char message[NODE_MESSAGE_BYTES]);

/* A statement as a close would write it: whose, and its payload. */
typedef coop_err (*node_statement_visitor)(void *context, const char *member_id,
                                           const ledger_statement_payload *statement);

/* What closing `period` would do, without doing it: the same checks and
 * computation as node_period_close_reissuing (reissues first, then every
 * member's statement), each statement handed to `visitor`, then everything
 * rolled back.  An error is the one the close would give. */
COOP_MUST_USE coop_err node_period_close_preview(node *node, uint32_t period,
                                                 node_statement_visitor visitor, void *context,
                                                 char message[NODE_MESSAGE_BYTES]);

/* Reissues a member's statement for a closed month (after a dispute: the
 * rule set was missing, say; or a retroactive fact, a late correction):
 * computed again from the log with the rule sets held now, appended naming
 * the one it replaces, and then every later closed month of hers whose
 * inputs, figures or carried state change, in order.  The differences of
 * the profit split are booked on the 1st of the open month.  The
 * municipality checks each like any statement.  `done` gets one item per
 * statement reissued, the asked month first. */
COOP_MUST_USE coop_err node_statement_reissue(node *node, const char *member_id, uint32_t period,
                                              node_reissue_list *done,
                                              char message[NODE_MESSAGE_BYTES]);

/* Opens the books at a month before any is closed: records dated before it
 * are refused from then on, and it is the first month to close.  Refused
 * when the first month is fixed already, when the month is in the future,
 * or when records are dated before it (they could never be closed). */
COOP_MUST_USE coop_err node_period_open(node *node, uint32_t period,
                                        char message[NODE_MESSAGE_BYTES]);

/* ---- what input may be: pure checks, reusable by any interface --------- */


/* Limits on one record.  Hours: a month has at most 31 days of 24 hours,
 * so more is a typing error that would only surface at the month close.
 * Amounts: ten million euros is far beyond any social coop's month and far
 * below where the offset's arithmetic (int64 cents, products of basis
 * points) could overflow. */
#define NODE_HOURS_PER_MONTH_MAX LEDGER_OFFSET_HOURS_MAX
#define NODE_RECORD_CENTS_MAX INT64_C(1000000000)

/* The months the books are in: what a date and a close are checked against. */
typedef struct node_months {
  uint32_t first;       /* YYYYMM: the first month of the books; 0 while not fixed */
  uint32_t last_closed; /* YYYYMM; 0 while none is closed */
  uint32_t now;         /* YYYYMM: the current month (node_now_ms) */
  uint32_t closed_year; /* YYYY: the last closed year (coop period close YYYY); 0: none */
} node_months;

/* Is `period` (YYYYMM) in a closed year?  Nothing reaches into one: no
 * late fact, correction, status or reissue (node_months_closed_year_say). */
bool node_months_in_closed_year(const node_months *months, uint32_t period);

/* Reads the months from the books (inside or outside a transaction). */
COOP_MUST_USE coop_err node_months_read(node *node, node_months *months,
                                        char message[NODE_MESSAGE_BYTES]);

/* The month after `period` (YYYYMM). */
uint32_t node_month_next(uint32_t period);

/* A record dated `date` (in an open month) that belongs to `for_period`:
 * that month must be closed and of the books.  0: nothing to check. */
COOP_MUST_USE coop_err node_for_month_check(const node_months *months, uint32_t date,
                                            uint32_t for_period,
                                            char message[NODE_MESSAGE_BYTES]);

/* How far back a record may be dated while the books have no first month
 * (set by the first close or 'coop period open'). */
#define NODE_BACKDATE_MONTHS_MAX 12

/* A record's date: in an open month (after the last closed one, not before
 * the first), not more than NODE_BACKDATE_MONTHS_MAX months back while the
 * books have no first month, and not in a month after the current one
 * unless `future`.  COOP_E_PERIOD_CLOSED or COOP_E_BAD_INPUT with the
 * reason in message. */
COOP_MUST_USE coop_err node_date_check(const node_months *months, uint32_t date, int future,
                                       char message[NODE_MESSAGE_BYTES]);

/* One record's amount (cents, or hours in hundredths): more than zero, at
 * most NODE_RECORD_CENTS_MAX (or NODE_HOURS_PER_MONTH_MAX hours).
 * COOP_E_RANGE. */
COOP_MUST_USE coop_err node_amount_check(uint8_t type, int64_t amount,
                                         char message[NODE_MESSAGE_BYTES]);

/* Which month may close: the one after the last closed month; before any is
 * closed, the first month when one was opened, else any month up to the
 * earliest with records (`earliest_record`, 0 when none), so that no record
 * is left in a month that could never close.  The month must have ended.
 * COOP_E_PERIOD_CLOSED or COOP_E_BAD_INPUT naming the month to close first. */
COOP_MUST_USE coop_err node_close_check(const node_months *months, uint32_t period,
                                        uint32_t earliest_record,
                                        char message[NODE_MESSAGE_BYTES]);

/* Today as YYYYMMDD (UTC), from node_now_ms(). */
uint32_t node_today(void);

#endif
