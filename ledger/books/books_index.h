/* The books' derived tables: members, their status over time, records,
 * postings, closed periods.  A pure function of the node's own log: they are
 * filled by replaying (and opening) its entries, and `ledger_books_rebuild`
 * drops and recomputes them bit for bit.  They hold plaintext, so they live
 * only in the coop's own database (mode 0600), never on the wire. */
#ifndef COOP_LEDGER_BOOKS_INDEX_H
#define COOP_LEDGER_BOOKS_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/books/member_month.h"
#include "ledger/store/store.h"

/* Applies one entry of the owner's log whose payload is readable (plain is
 * the opened payload).  Entries of kinds the books do not use are ignored.
 * A payload that does not decode is COOP_E_TAMPERED. */
COOP_MUST_USE coop_err ledger_books_apply(ledger_store *store, const ledger_entry_header *header,
                                          const uint8_t *plain, size_t plain_bytes);

/* ---- many records at once (a bulk import) ---------------------------------- */

/* Records held back from the tables and written by ledger_books_bulk_flush:
 * the same rows ledger_books_apply writes, the postings sorted in the order
 * of the account index, so each page of it is written once per flush
 * rather than once per posting.  Until flushed the tables do not show the
 * held records: the caller checks refs with ledger_books_bulk_has_ref and
 * flushes before reading balances or totals from the tables.  Records
 * (kind TRANSACTION) and statements are held. */
#define LEDGER_BOOKS_BULK_RECORDS_MAX 32768u /* ~3 MiB of payloads, 5 MiB of postings */
typedef struct ledger_books_bulk ledger_books_bulk;
COOP_MUST_USE coop_err ledger_books_bulk_new(ledger_books_bulk **bulk);
void ledger_books_bulk_free(ledger_books_bulk *bulk); /* NULL is fine */
/* Holds one record entry (the opened payload).  COOP_E_LIMIT when full
 * (flush first), COOP_E_TAMPERED when it does not decode or its ref is
 * already held. */
COOP_MUST_USE coop_err ledger_books_bulk_add(ledger_books_bulk *bulk,
                                             const ledger_entry_header *header,
                                             const uint8_t *plain, size_t plain_bytes);
/* ledger_books_bulk_add of a record the caller has just encoded itself
 * (ledger_record_encode of `record`): its ref and postings are taken from
 * `record`, the bytes are not decoded again here (the flush decodes them to
 * write the rows, and fails with COOP_E_TAMPERED if they do not). */
COOP_MUST_USE coop_err ledger_books_bulk_add_record(ledger_books_bulk *bulk,
                                                    const ledger_entry_header *header,
                                                    const uint8_t *plain, size_t plain_bytes,
                                                    const ledger_record *record);
/* Holds a statement entry the caller has just encoded itself
 * (ledger_statement_encode; a month close): only its member and month are
 * read from the bytes (ledger_statement_peek), not the whole statement
 * again.  Its row is written in the table's key order at the flush.
 * COOP_E_LIMIT when full, COOP_E_TAMPERED when it is no statement. */
COOP_MUST_USE coop_err ledger_books_bulk_add_statement(ledger_books_bulk *bulk,
                                                       const ledger_entry_header *header,
                                                       const uint8_t *plain, size_t plain_bytes);
bool ledger_books_bulk_full(const ledger_books_bulk *bulk);
/* Does a held record have this ref? ("" never.) */
bool ledger_books_bulk_has_ref(const ledger_books_bulk *bulk, const char *ref);
/* Writes every held record's rows (in the caller's transaction) and empties
 * the bulk, also on failure (then roll back). */
COOP_MUST_USE coop_err ledger_books_bulk_flush(ledger_store *store, ledger_books_bulk *bulk);

/* The keys of the owner's audiences, to open its sealed entries with.  The
 * node supplies them from its key ring (node/keyring.h), which ledger/
 * cannot call: `key` sets *key to the audience's LEDGER_AUDIENCE_KEY_BYTES,
 * valid until its next call, or fails (COOP_E_NO_KEY: none held). */
typedef struct ledger_books_keys {
  coop_err (*key)(void *context, const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                  const uint8_t **key);
  void *context;
} ledger_books_keys;

/* Opens and applies every entry of the owner's log past the indexed size,
 * then records the new indexed size.  COOP_E_NO_KEY when a sealed entry of
 * the owner's own log cannot be opened; COOP_E_PAYLOAD_MISSING for an entry
 * without its payload; COOP_E_BOOKS_MISMATCH when the indexed size is past
 * the log or the tables hold rows past it (ledger_store_problem says which:
 * only a rebuild can tell what the books should be). */
COOP_MUST_USE coop_err ledger_books_catch_up(ledger_store *store, const ledger_identity *owner,
                                             const ledger_books_keys *keys);

/* The size of the owner's log the tables describe, and setting it after the
 * caller applied entries itself (inside the same transaction as the append). */
COOP_MUST_USE coop_err ledger_books_indexed_size(ledger_store *store, uint64_t *size);
COOP_MUST_USE coop_err ledger_books_set_indexed_size(ledger_store *store, uint64_t size);

/* Checks that the derived tables are exactly what a replay of the owner's
 * log gives (up to their indexed size, which must not pass the log): the
 * replay runs in TEMP tables with the code of ledger_books_rebuild and is
 * compared row by row.  COOP_OK, or COOP_E_BOOKS_MISMATCH with the first
 * difference (table, row, column, expected and found) in
 * ledger_store_problem; COOP_E_PAYLOAD_MISSING for an entry without its
 * payload.  Runs in the caller's transaction if there is one, else in a read
 * transaction of its own.  Nothing stored changes. */
COOP_MUST_USE coop_err ledger_books_check(ledger_store *store, const ledger_identity *owner,
                                          const ledger_books_keys *keys);

/* Drops every derived row and replays the whole log, in one transaction. */
COOP_MUST_USE coop_err ledger_books_rebuild(ledger_store *store, const ledger_identity *owner,
                                            const ledger_books_keys *keys);

/* The audience the coop's own records are sealed under.  COOP_E_NOT_FOUND
 * when the books were never opened on this log. */
COOP_MUST_USE coop_err ledger_books_audience(ledger_store *store,
                                             uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES]);

typedef struct ledger_member_row {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint64_t entry_index;
  char name[COOP_NAME_BYTES_MAX + 1];
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  int has_member_key;
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES];
} ledger_member_row;

COOP_MUST_USE coop_err ledger_books_member(ledger_store *store, const char *member_id,
                                           ledger_member_row *row);
COOP_MUST_USE coop_err ledger_books_member_by_audience(ledger_store *store,
                                                       const uint8_t *audience_id,
                                                       ledger_member_row *row);
/* The member as she was in `period`: her current row (name, key), with the
 * audience, municipality and client ref of her residence that month (a
 * move, member actions 4 and 5, changes them from its month on).
 * *moved_from (may be NULL): the month that residence began, 0 for the
 * enrolment's. */
COOP_MUST_USE coop_err ledger_books_member_at(ledger_store *store, const char *member_id,
                                              uint32_t period, ledger_member_row *row,
                                              uint32_t *moved_from);
/* How many of her records (profit splits aside) count in `period` or
 * later, and the first of them (0: none). */
COOP_MUST_USE coop_err ledger_books_member_records_from(ledger_store *store,
                                                        const char *member_id, uint32_t period,
                                                        uint64_t *count, uint64_t *first);
/* The month of her latest move, 0 when she never moved. */
COOP_MUST_USE coop_err ledger_books_last_move(ledger_store *store, const char *member_id,
                                              uint32_t *from_period);
typedef coop_err (*ledger_member_visitor)(void *context, const ledger_member_row *row);
COOP_MUST_USE coop_err ledger_books_members(ledger_store *store, ledger_member_visitor visitor,
                                            void *context);
/* The members with this municipality and client ref, in enrolment order
 * (the index books_members_client_ref: an enrolment's check of the ref
 * costs one lookup, not a walk over every member). */
COOP_MUST_USE coop_err ledger_books_members_by_client_ref(
    ledger_store *store, const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES],
    const char *client_ref, ledger_member_visitor visitor, void *context);
COOP_MUST_USE coop_err ledger_books_member_status(ledger_store *store, const char *member_id,
                                                  uint32_t period, ledger_member_status *status);

/* Is the month of `date` (or the period itself) closed? */
COOP_MUST_USE coop_err ledger_books_period_closed(ledger_store *store, uint32_t period,
                                                  int *closed);
/* The latest closed period, 0 when none. */
COOP_MUST_USE coop_err ledger_books_last_closed(ledger_store *store, uint32_t *period);
/* The latest closed year, 0 when none (years close in order: every year
 * up to it is closed). */
COOP_MUST_USE coop_err ledger_books_closed_year(ledger_store *store, uint32_t *year);
/* The year-close entry of `year`; 0 when it is not closed. */
COOP_MUST_USE coop_err ledger_books_year_close_entry(ledger_store *store, uint32_t year,
                                                     uint64_t *entry_index);
/* The books' first month: the one a period-open entry declared, else the
 * earliest closed month, 0 when neither is there yet. */
COOP_MUST_USE coop_err ledger_books_first_month(ledger_store *store, uint32_t *period);

/* Balance of one account (debit > 0) over all time. */
COOP_MUST_USE coop_err ledger_books_account_balance(ledger_store *store, const char *account,
                                                    int64_t *balance);

/* A record as indexed, found by ref or by entry index.  *corrected_by is the
 * index + 1 of the correction that reversed it, 0 when none. */
COOP_MUST_USE coop_err ledger_books_record_by_ref(ledger_store *store, const char *ref,
                                                  ledger_record *record, uint64_t *index);
COOP_MUST_USE coop_err ledger_books_record_at(ledger_store *store, uint64_t index,
                                              ledger_record *record, uint64_t *corrected_by);

/* Filters for reports: a member (NULL: all), dates [date_from, date_to]
 * (0: open).  A period leaves out the year-close records dated on its first
 * day (1 January): they are its opening balance, not its movements; a
 * query from 0 keeps them. */
typedef struct ledger_books_query {
  const char *member_id;
  uint32_t date_from;
  uint32_t date_to;
} ledger_books_query;

typedef coop_err (*ledger_balance_visitor)(void *context, const char *account,
                                           int64_t amount_cents);
/* Sums per account, in account-name order. */
COOP_MUST_USE coop_err ledger_books_balances(ledger_store *store, const ledger_books_query *query,
                                             ledger_balance_visitor visitor, void *context);

typedef struct ledger_register_row {
  uint64_t entry_index;
  uint32_t date;
  uint8_t type;
  const char *member_id; /* "" for coop-level */
  const char *ref;
  const char *note;
  const char *account;
  int64_t amount_cents;
  int64_t quantity; /* memo records: their quantity (no account) */
  uint32_t for_period; /* YYYYMM the record counts in when not its date's month; 0 */
} ledger_register_row;
typedef coop_err (*ledger_register_visitor)(void *context, const ledger_register_row *row);
/* Every posting (and memo) in date, then entry order. */
COOP_MUST_USE coop_err ledger_books_register(ledger_store *store, const ledger_books_query *query,
                                             ledger_register_visitor visitor, void *context);

/* The first and last month from `from_period` to `to_period` in which the
 * member has a statement; both 0 when none. */
COOP_MUST_USE coop_err ledger_books_statement_span(ledger_store *store, const char *member_id,
                                                   uint32_t from_period, uint32_t to_period,
                                                   uint32_t *first, uint32_t *last);

/* The latest statement of a member for a period (the correction if one was
 * made), or the latest statement before `period` when `before` is set.
 * COOP_E_NOT_FOUND.  `statement` is large: allocate it on the heap. */
struct ledger_statement_payload;
COOP_MUST_USE coop_err ledger_books_statement(ledger_store *store, const char *member_id,
                                              uint32_t period, int before,
                                              struct ledger_statement_payload *statement,
                                              uint64_t *entry_index);

/* Sum of memo quantities of one type for a member in [date_from, date_to]
 * (other income in cents, hours in hundredths), corrections included.  A
 * record attributed to an earlier month (for_period) counts on that month's
 * 1st, not on its booking date: the month it counts in. */
COOP_MUST_USE coop_err ledger_books_memo_total(ledger_store *store, const char *member_id,
                                               uint8_t type, uint32_t date_from,
                                               uint32_t date_to, int64_t *total);

/* How many of a member's records count in `month` (YYYYMM): those its
 * statement cites (ledger_month_counts), corrections included, the close's
 * own records (splits, erasures, year closes) not. */
COOP_MUST_USE coop_err ledger_books_month_record_count(ledger_store *store, const char *member_id,
                                                       uint32_t month, int64_t *count);

/* ---- erasure (ledger/books/books_erase.c) ---------------------------------- */

/* Every audience a member's data was sealed under (her first, and each
 * one a move gave her), sorted ascending, at most `max`. */
COOP_MUST_USE coop_err ledger_books_member_audiences(ledger_store *store, const char *member_id,
                                                     uint8_t (*audiences)[LEDGER_AUDIENCE_ID_BYTES],
                                                     size_t max, size_t *count);

/* The month she left the coop (status left = 1), 0 while she has not. */
COOP_MUST_USE coop_err ledger_books_member_left(ledger_store *store, const char *member_id,
                                                uint32_t *period);

/* The member ids that have erased-member records (members erased from
 * these books), each once, in order. */
typedef coop_err (*ledger_member_id_visitor)(void *context, const char *member_id);
COOP_MUST_USE coop_err ledger_books_erased_members(ledger_store *store,
                                                   ledger_member_id_visitor visitor,
                                                   void *context);

/* Her postings' net amount per day and account, in date then account
 * order, nets of zero left out: what the books keep when she is erased. */
typedef coop_err (*ledger_day_total_visitor)(void *context, uint32_t date, uint16_t account,
                                             int64_t amount_cents);
COOP_MUST_USE coop_err ledger_books_member_day_totals(ledger_store *store, const char *member_id,
                                                      ledger_day_total_visitor visitor,
                                                      void *context);

#endif
