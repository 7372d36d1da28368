/* Closing a year (coop period close YYYY): after its twelve months, carry
 * the profit and loss into equity and make the year final.
 *
 * One transaction appends a year-close record per member with profit and
 * loss on her accounts (and one for the coop's own), dated 1 January of the
 * next year and sealed to the books audience, each moving the balances of
 * those accounts to equity:result-earlier-years; then the public year-close
 * entry.  From then on nothing reaches into the year: no record attributed
 * to it, no correction counting in it, no status fact changing its
 * statements, no reissue (node/months.c, books.c, statements.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/books_index.h"
#include "node/books.h"
#include "node/books_int.h"
#include "node/year.h"

/* ---- may the year close? --------------------------------------------------- */

/* In order, once, after its twelve months (or those from the books' first
 * month on, when the books began in it). */
static coop_err year_in_turn(books_session *session, uint32_t year)
{
  const node_months *months = &session->months;
  char text[8];
  if (year < NODE_YEAR_MIN || year > NODE_YEAR_MAX)
    return books_say(session->message, COOP_E_BAD_INPUT, "year %u is out of range (%u to %u)",
                     (unsigned)year, NODE_YEAR_MIN, NODE_YEAR_MAX);
  if (!months->first || months->first / 100 > year) {
    if (months->first)
      ledger_period_format(months->first, text);
    return books_say(session->message, COOP_E_BAD_INPUT,
                     months->first ? "no books for %u: the books begin in %s"
                                   : "no books for %u: no month is closed yet%s",
                     (unsigned)year, months->first ? text : "");
  }
  if (months->closed_year >= year)
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "%u is already closed: the books are closed up to %u", (unsigned)year,
                     (unsigned)months->closed_year);
  uint32_t next_year = months->closed_year ? months->closed_year + 1 : months->first / 100;
  if (year > next_year)
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "%u cannot close while %u is open: years close in order (close %u first)",
                     (unsigned)year, (unsigned)next_year, (unsigned)next_year);
  if (months->last_closed < year * 100 + 12) {
    uint32_t open = months->last_closed ? node_month_next(months->last_closed) : months->first;
    ledger_period_format(open, text);
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "%u cannot close while %s is open: close its months first, up to "
                     "December (coop period close %s)", (unsigned)year, text, text);
  }
  return COOP_OK;
}

/* A statement of the year due for a reissue would be final in its old
 * form: the reissue comes first. */
static coop_err nothing_due(books_session *session, uint32_t year)
{
  char member_id[LEDGER_MEMBER_ID_CHARS + 1] = "", text[8];
  uint32_t period = 0;
  coop_err err = books_reissue_due_through(session, year * 100 + 12, member_id, &period);
  if (err)
    return session->message[0] ? err : books_say(session->message, err,
                                                 "cannot read the statements: %s",
                                                 coop_err_message(err));
  if (!period)
    return COOP_OK;
  ledger_period_format(period, text);
  return books_say(session->message, COOP_E_PERIOD_CLOSED,
                   "the statement of %s for %s is due for a reissue (a fact recorded after "
                   "it): reissue it first (coop statement reissue --member %s -p %s), then "
                   "close the year", member_id, text, member_id, text);
}

/* The annual accounts must reconcile: a year is not closed on figures that
 * do not add up. */
static coop_err accounts_reconcile(books_session *session, uint32_t year)
{
  node_year_report *report = coop_calloc(1, sizeof *report);
  if (!report)
    return books_say(session->message, COOP_E_NOMEM, "out of memory");
  coop_err err = node_year_report_make(session->node, year, report, session->message);
  if (!err && !node_year_reconciles(report)) {
    const struct {
      bool ok;
      const char *name;
    } checks[] = {{report->balanced, "balanced"},
                  {report->accounts_agree, "accounts_agree"},
                  {report->splits_reconcile, "splits_reconcile"},
                  {report->budgets_reconcile, "budgets_reconcile"},
                  {report->municipalities_reconcile, "municipalities_reconcile"}};
    char failed[160] = "";
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
      if (!checks[i].ok)
        snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s",
                 failed[0] ? ", " : "", checks[i].name);
    err = books_say(session->message, COOP_E_BAD_INPUT,
                    "the accounts of %u do not reconcile (%s): see 'coop report year %u'; a "
                    "year closes on figures that add up", (unsigned)year, failed,
                    (unsigned)year);
  }
  if (!err)
    node_year_report_release(report);
  coop_free(report);
  return err;
}

/* ---- the closing balances -------------------------------------------------- */

typedef struct closing_balance {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* "" for the coop's own accounts */
  uint16_t code;
  int64_t amount_cents;
} closing_balance;

typedef struct closing_balances {
  closing_balance *items;
  size_t count, capacity;
} closing_balances;

/* Keeps every profit and loss account's balance at the year's end. */
static coop_err keep_result_account(void *context, const char *name, int64_t amount_cents)
{
  closing_balances *balances = context;
  closing_balance item = {.amount_cents = amount_cents};
  if (node_account_code(name, &item.code, item.member_id))
    return COOP_E_UNKNOWN_ACCOUNT;
  const ledger_account_definition *account = ledger_chart_find(item.code);
  if (!amount_cents || (account->type != LEDGER_ACCOUNT_INCOME &&
                        account->type != LEDGER_ACCOUNT_EXPENSE))
    return COOP_OK;
  if (balances->count == balances->capacity) {
    size_t capacity = balances->capacity ? 2 * balances->capacity : 64;
    closing_balance *grown = coop_realloc(balances->items, capacity * sizeof *grown);
    if (!grown)
      return COOP_E_NOMEM;
    balances->items = grown;
    balances->capacity = capacity;
  }
  balances->items[balances->count++] = item;
  return COOP_OK;
}

/* By member (the coop's own first), then code: one record per member. */
static int compare_balances(const void *a, const void *b)
{
  const closing_balance *left = a, *right = b;
  int order = strcmp(left->member_id, right->member_id);
  return order ? order : (int)left->code - (int)right->code;
}

/* ---- the entries ---------------------------------------------------------- */

/* One member's (or the coop's) balances [from, to) reversed, their sum to
 * the result of earlier years. */
static coop_err closing_record(books_session *session, uint32_t year,
                               const closing_balance *from, const closing_balance *to,
                               node_year_close_result *result)
{
  ledger_record record = {.type = LEDGER_RECORD_YEAR_CLOSE,
                          .date = (year + 1) * 10000 + 101};
  if (from->member_id[0] &&
      ledger_hex_decode(from->member_id + 2, record.member, LEDGER_MEMBER_ID_BYTES))
    return books_say(session->message, COOP_E_TAMPERED, "account of unknown member '%s'",
                     from->member_id);
  snprintf(record.ref, sizeof record.ref, "year-close-%u%s%s", (unsigned)year,
           from->member_id[0] ? "-" : "", from->member_id);
  snprintf(record.note, sizeof record.note, "jaarafsluiting %u", (unsigned)year);
  int64_t carried = 0;
  for (const closing_balance *item = from; item < to; item++) {
    record.postings[record.posting_count++] = (ledger_posting){item->code, -item->amount_cents};
    if (__builtin_add_overflow(carried, item->amount_cents, &carried))
      return books_say(session->message, COOP_E_OVERFLOW, "the result of %u overflows",
                       (unsigned)year);
  }
  if (carried)
    record.postings[record.posting_count++] =
        (ledger_posting){LEDGER_ACCOUNT_RESULT_EARLIER_YEARS, carried};
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_record_encode(&record, &plain);
  if (err)
    books_say(session->message, err, "cannot close the accounts of %s: %s",
              from->member_id[0] ? from->member_id : "the coop", coop_err_message(err));
  else
    err = books_session_add(session, LEDGER_KIND_TRANSACTION, session->books_audience, &plain);
  coop_buf_release(&plain);
  if (!err) {
    result->records++;
    result->result_cents += carried;
  }
  return err;
}

static coop_err closing_records(books_session *session, uint32_t year,
                                node_year_close_result *result)
{
  closing_balances balances = {0};
  ledger_books_query through = {.date_to = year * 10000 + 1231};
  coop_err err = ledger_books_balances(session->node->store, &through, keep_result_account,
                                       &balances);
  if (err)
    books_say(session->message, err, "cannot read the balances: %s", coop_err_message(err));
  if (!err && balances.count)
    qsort(balances.items, balances.count, sizeof *balances.items, compare_balances);
  for (size_t i = 0; i < balances.count && !err;) {
    size_t end = i;
    while (end < balances.count && !strcmp(balances.items[end].member_id,
                                           balances.items[i].member_id))
      end++;
    err = closing_record(session, year, &balances.items[i], &balances.items[end], result);
    i = end;
  }
  coop_free(balances.items);
  return err;
}

static coop_err year_close_entry(books_session *session, uint32_t year,
                                 node_year_close_result *result)
{
  coop_buf plain;
  coop_buf_init(&plain, LEDGER_YEAR_CLOSE_PAYLOAD_BYTES);
  coop_err err = ledger_year_close_encode(year, &plain);
  result->entry_index = session->base_size + session->pending;
  if (err)
    books_say(session->message, err, "cannot encode the year: %s", coop_err_message(err));
  else
    err = books_session_add(session, LEDGER_KIND_YEAR_CLOSE, NULL, &plain);
  coop_buf_release(&plain);
  return err;
}

coop_err node_year_close(node *self, uint32_t year, node_year_close_result *result,
                         char message[NODE_MESSAGE_BYTES])
{
  memset(result, 0, sizeof *result);
  message[0] = '\0';
  if (self->role != LEDGER_ROLE_COOP)
    return books_say(message, COOP_E_USAGE, "only a coop node closes its books");
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  err = year_in_turn(session, year);
  if (!err)
    err = nothing_due(session, year);
  if (!err)
    err = accounts_reconcile(session, year);
  if (!err)
    err = closing_records(session, year, result);
  if (!err)
    err = year_close_entry(session, year, result);
  return books_session_end(session, err);
}
