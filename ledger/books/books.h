/* The books: chart of accounts, member and record payloads, postings.
 *
 * Pure encoding, decoding and validation (no storage; see ledger/books/books_index.h
 * for the derived tables).  Payload layouts are in docs/books-format.md.
 * Money is int64_t cents; a posting's amount is positive for a debit and
 * negative for a credit (hledger's convention), so every transaction's
 * postings sum to zero. */
#ifndef COOP_LEDGER_BOOKS_H
#define COOP_LEDGER_BOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"
#include "ledger/base/limits.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"

/* Member ids are the first 3 bytes of the member's audience id in hex,
 * behind "m-": short enough to say on the phone, unique within a coop
 * (enrolment draws a new audience on a clash). */
#define LEDGER_MEMBER_ID_BYTES 3u
#define LEDGER_MEMBER_ID_CHARS 8u /* "m-3f9a2c" */
#define LEDGER_REF_BYTES_MAX 64u
#define LEDGER_RECORD_NOTE_BYTES_MAX 1024u
#define LEDGER_CLIENT_REF_BYTES_MAX 64u
#define LEDGER_POSTINGS_MAX 16u
#define LEDGER_ACCOUNT_NAME_BYTES 64u

/* ---- chart of accounts ----------------------------------------------- */

typedef enum ledger_account_type {
  LEDGER_ACCOUNT_ASSET = 1,
  LEDGER_ACCOUNT_LIABILITY = 2,
  LEDGER_ACCOUNT_EQUITY = 3,
  LEDGER_ACCOUNT_INCOME = 4,
  LEDGER_ACCOUNT_EXPENSE = 5,
} ledger_account_type;

/* Account codes are part of the signed payloads: never renumber. */
typedef enum ledger_account_code {
  LEDGER_ACCOUNT_BANK = 1000,
  LEDGER_ACCOUNT_RECEIVABLES = 1100,
  LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY = 2000, /* per member */
  LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET = 2100, /* per member (ontwikkelbudget) */
  LEDGER_ACCOUNT_OPENING_BALANCES = 3000,
  /* The profit and loss of closed years (algemene reserve): only year-close
   * records post to it. */
  LEDGER_ACCOUNT_RESULT_EARLIER_YEARS = 3900,
  LEDGER_ACCOUNT_MEMBER_REVENUE = 4000, /* per member */
  LEDGER_ACCOUNT_COOP_SHARE = 4100,
  LEDGER_ACCOUNT_MEMBER_COSTS = 5000,               /* per member */
  LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE = 5010, /* per member (vrijwilligersvergoeding) */
  LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT = 5200,        /* per member, booked at month close */
  LEDGER_ACCOUNT_COOP_COSTS = 5100,
} ledger_account_code;

typedef struct ledger_account_definition {
  uint16_t code;
  ledger_account_type type;
  int per_member;
  const char *name;        /* hledger name; "%s" stands for the member id */
  const char *description; /* for humans and docs */
} ledger_account_definition;

/* The declared chart, in code order; *count receives its length. */
const ledger_account_definition *ledger_chart(size_t *count);
const ledger_account_definition *ledger_chart_find(uint16_t code);
const char *ledger_account_type_name(ledger_account_type type);

/* The full account name for a posting: "assets:bank" or
 * "income:members:m-3f9a2c:revenue".  COOP_E_UNKNOWN_ACCOUNT. */
COOP_MUST_USE coop_err ledger_account_name(uint16_t code, const char *member_id,
                                           char out[LEDGER_ACCOUNT_NAME_BYTES]);

/* ---- periods and dates ------------------------------------------------- */

/* Dates are YYYYMMDD as a number (20260315), periods YYYYMM (202603). */
COOP_MUST_USE coop_err ledger_date_parse(const char *text, uint32_t *date);
COOP_MUST_USE coop_err ledger_period_parse(const char *text, uint32_t *period);
void ledger_date_format(uint32_t date, char out[11]);
void ledger_period_format(uint32_t period, char out[8]);
int ledger_date_valid(uint32_t date);
int ledger_period_valid(uint32_t period);

/* ---- members ------------------------------------------------------------ */

typedef enum ledger_member_action {
  LEDGER_MEMBER_ENROL = 1,
  LEDGER_MEMBER_STATUS = 2,
  /* The member's details from this entry on (name, client ref, own key),
   * laid out as an enrolment: the enrolment stays, this supersedes it.
   * The municipality must stay the one she was enrolled with. */
  LEDGER_MEMBER_DETAILS = 3,
  /* A move to another municipality from `from_period` on.  Move out, sealed
   * to the audience she had: the month and the audience she has from then
   * on (nothing else: that audience's municipality does not learn more).
   * Move in, sealed to that new audience: the month, the audience she had
   * before, and her details as an enrolment (name, the new municipality,
   * its client ref, her key).  Both audiences' ids start with the member
   * id's three bytes, so she keeps her id. */
  LEDGER_MEMBER_MOVE_OUT = 4,
  LEDGER_MEMBER_MOVE_IN = 5,
} ledger_member_action;

/* Status facts that change over time, each from a month on. */
typedef enum ledger_member_field {
  LEDGER_MEMBER_BIRTH = 1,         /* value: birth period YYYYMM (for age) */
  LEDGER_MEMBER_N_APPROVED = 2,    /* value 1/0: disregard n approved by the municipality */
  LEDGER_MEMBER_MEDICAL_LIMIT = 3, /* value 1/0: medically limited hours */
  LEDGER_MEMBER_SINGLE_PARENT = 4, /* value 1/0: single parent, child under 12 */
  LEDGER_MEMBER_LEFT = 5,          /* value 1: left the coop */
} ledger_member_field;

typedef struct ledger_member_payload {
  uint8_t action;
  /* enrol, details */
  char name[COOP_NAME_BYTES_MAX + 1];
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  uint8_t member_key[LEDGER_PUBLIC_KEY_BYTES]; /* all zero: none */
  /* status */
  uint8_t field;
  uint32_t from_period; /* status, move out, move in */
  uint32_t value;
  /* move out: the audience from from_period on; move in: the one before */
  uint8_t other_audience[LEDGER_AUDIENCE_ID_BYTES];
} ledger_member_payload;

COOP_MUST_USE coop_err ledger_member_encode(const ledger_member_payload *member, coop_buf *out);
COOP_MUST_USE coop_err ledger_member_decode(const uint8_t *bytes, size_t count,
                                            ledger_member_payload *member);
const char *ledger_member_field_name(uint8_t field);
int ledger_member_field_from_name(const char *name);

/* The member id for an audience id. */
void ledger_member_id(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                      char out[LEDGER_MEMBER_ID_CHARS + 1]);

/* A client reference that looks like a BSN: 9 digits passing the 11-check. */
int ledger_looks_like_bsn(const char *text);

/* ---- records ------------------------------------------------------------ */

/* Values are part of the signed payloads: never renumber. */
typedef enum ledger_record_type {
  LEDGER_RECORD_REVENUE = 1,      /* member's revenue, received */
  LEDGER_RECORD_COST = 2,         /* member's costs, paid */
  LEDGER_RECORD_ALLOWANCE = 3,    /* volunteer allowance paid to the member */
  LEDGER_RECORD_SPEND = 4,        /* development-budget spending */
  LEDGER_RECORD_OTHER_INCOME = 5, /* memo: income from outside the coop */
  LEDGER_RECORD_HOURS = 6,        /* memo: hours worked (hundredths) */
  LEDGER_RECORD_COOP_COST = 7,    /* coop-level cost, paid */
  LEDGER_RECORD_REMITTANCE = 8,   /* paid to the member's municipality */
  LEDGER_RECORD_CORRECTION = 9,   /* reverses another record */
  LEDGER_RECORD_OPENING = 10,     /* opening balance of the bank account */
  LEDGER_RECORD_PROFIT_SPLIT = 11,/* month close: the member's profit split */
  /* An erased member's net postings on one day, sealed to the coop's books
   * audience: the amounts the books keep after her records are erased. */
  LEDGER_RECORD_ERASED_MEMBER = 12,
  /* A year close (coop period close YYYY): moves the balances of the profit
   * and loss accounts of the member (or of the coop, without one) to
   * equity:result-earlier-years.  Dated 1 January of the next year, sealed
   * to the books audience; the opening of that year, not one of its
   * movements (ledger_books_query). */
  LEDGER_RECORD_YEAR_CLOSE = 13,
} ledger_record_type;

typedef struct ledger_posting {
  uint16_t account;
  int64_t amount_cents; /* debit > 0, credit < 0 */
} ledger_posting;

typedef struct ledger_record {
  uint8_t type;
  uint32_t date; /* YYYYMMDD */
  uint8_t member[LEDGER_MEMBER_ID_BYTES]; /* all zero: coop-level */
  char ref[LEDGER_REF_BYTES_MAX + 1];
  char note[LEDGER_RECORD_NOTE_BYTES_MAX + 1];
  int64_t quantity;         /* memo amount (cents) or hours (hundredths); negated by corrections */
  uint64_t corrects;        /* index + 1 of the record corrected; 0: none */
  uint32_t corrects_period; /* YYYYMM of the corrected record; 0: none */
  uint8_t memo_type;        /* for corrections: the corrected record's type */
  /* YYYYMM of an earlier month the record belongs to although it is booked
   * (dated) in an open one: a late fact of a closed month, or a correction
   * attributed to the corrected record's month.  0: its date's month.
   * Written as record version 2; version 1 has none. */
  uint32_t for_period;
  uint8_t posting_count;
  ledger_posting postings[LEDGER_POSTINGS_MAX];
} ledger_record;

const char *ledger_record_type_name(uint8_t type);
int ledger_record_type_from_name(const char *name);
/* Types a user records directly: not corrections (coop correct), profit
 * splits (the month close), an erased member's totals (coop member erase)
 * nor a year's closing (coop period close YYYY). */
int ledger_record_by_hand(uint8_t type);
/* Memo records (other income, hours) carry a quantity and no postings. */
int ledger_record_is_memo(uint8_t type);
/* The month a record counts in: its for_period, else its date's month. */
uint32_t ledger_record_month(const ledger_record *record);

/* Checks a record: known type, valid date, postings only on declared
 * accounts, per-member accounts only with a member, at least two postings
 * that sum to zero for money records, none for memos.  COOP_E_UNBALANCED,
 * COOP_E_UNKNOWN_ACCOUNT, COOP_E_BAD_INPUT, COOP_E_OVERFLOW. */
COOP_MUST_USE coop_err ledger_record_check(const ledger_record *record);

/* Encode checks first; decode checks after (the pair of critical checks). */
COOP_MUST_USE coop_err ledger_record_encode(const ledger_record *record, coop_buf *out);
COOP_MUST_USE coop_err ledger_record_decode(const uint8_t *bytes, size_t count,
                                            ledger_record *record);

/* The postings of a simple record: revenue, cost, allowance, spend, coop cost,
 * remittance, opening.  `amount_cents` > 0.  Memo types get none. */
COOP_MUST_USE coop_err ledger_record_postings(ledger_record *record, int64_t amount_cents);

/* ---- the books' own public entries -------------------------------------- */

/* Payload of LEDGER_KIND_BOOKS (public): u8 version (1) | audience_id 16 |
 * u16 chart_version (1).  Declares the audience the coop's own records are
 * sealed under and the chart in force. */
#define LEDGER_BOOKS_PAYLOAD_BYTES 19u
#define LEDGER_CHART_VERSION 1u

/* Payload of LEDGER_KIND_PERIOD_CLOSE (public): u8 version (1) | u32 period. */
#define LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES 5u

/* Payload of LEDGER_KIND_PERIOD_OPEN (public): u8 version (1) | u32 period,
 * the layout of a period close.  Fixes the books' first month before any
 * month is closed: nothing may be dated before it.  The first one stands. */
#define LEDGER_PERIOD_OPEN_PAYLOAD_BYTES 5u

/* Their codecs (ledger/books_payload.c), the only code that knows the byte
 * layouts above.  Encoders refuse what their decoders would (COOP_E_BAD_INPUT):
 * a chart version other than LEDGER_CHART_VERSION, a period that is not a
 * valid YYYYMM.  Decoders are strict: COOP_E_DECODE when short or out of
 * range, COOP_E_TRAILING when long, COOP_E_VERSION for a version byte other
 * than 1 or an unknown chart version; *out is zeroed on failure. */
typedef struct ledger_books_payload {
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint16_t chart_version;
} ledger_books_payload;

COOP_MUST_USE coop_err ledger_books_encode(const ledger_books_payload *books, coop_buf *out);
COOP_MUST_USE coop_err ledger_books_decode(const uint8_t *bytes, size_t count,
                                           ledger_books_payload *books);

/* Payload of LEDGER_KIND_YEAR_CLOSE (public): u8 version (1) | u16 year.
 * The year's twelve months are closed and its profit and loss carried into
 * equity by the year-close records appended with it. */
#define LEDGER_YEAR_CLOSE_PAYLOAD_BYTES 3u

/* A period close and a period open share one layout: just the month. */
COOP_MUST_USE coop_err ledger_period_close_encode(uint32_t period, coop_buf *out);
COOP_MUST_USE coop_err ledger_period_close_decode(const uint8_t *bytes, size_t count,
                                                  uint32_t *period);
COOP_MUST_USE coop_err ledger_period_open_encode(uint32_t period, coop_buf *out);
COOP_MUST_USE coop_err ledger_period_open_decode(const uint8_t *bytes, size_t count,
                                                 uint32_t *period);

/* One line for humans (what `coop log` shows), truncated to out_bytes. */
void ledger_books_describe(const ledger_books_payload *books, char *out, size_t out_bytes);
void ledger_period_close_describe(uint32_t period, char *out, size_t out_bytes);
void ledger_period_open_describe(uint32_t period, char *out, size_t out_bytes);

/* A year close: the year (1900-9999, like a period's). */
COOP_MUST_USE coop_err ledger_year_close_encode(uint32_t year, coop_buf *out);
COOP_MUST_USE coop_err ledger_year_close_decode(const uint8_t *bytes, size_t count,
                                                uint32_t *year);
void ledger_year_close_describe(uint32_t year, char *out, size_t out_bytes);

#endif
