/* Dates, months and limits: which months are open, which may close, what
 * one record may hold.  The checks are pure functions of node_months (no
 * I/O), so `coop record`, `coop import` and a future web form give the same
 * answer with the same words. */
#include "node/books.h"
#include "node/books_int.h"

#include <inttypes.h>
#include <stdio.h>

#include "ledger/books/money.h"

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};

uint32_t node_month_next(uint32_t period)
{
  return period % 100 >= 12 ? (period / 100 + 1) * 100 + 1 : period + 1;
}

coop_err node_months_read(node *self, node_months *months, char message[NODE_MESSAGE_BYTES])
{
  months->now = node_today() / 100;
  coop_err err = ledger_books_first_month(self->store, &months->first);
  if (!err)
    err = ledger_books_last_closed(self->store, &months->last_closed);
  if (!err)
    err = ledger_books_closed_year(self->store, &months->closed_year);
  if (err)
    return books_say(message, err, "cannot read the months of the books");
  return COOP_OK;
}

bool node_months_in_closed_year(const node_months *months, uint32_t period)
{
  return months->closed_year && period / 100 <= months->closed_year;
}

/* How many months `later` (YYYYMM) lies after `earlier`; negative before. */
static int months_between(uint32_t earlier, uint32_t later)
{
  return (int)(later / 100 * 12 + later % 100) - (int)(earlier / 100 * 12 + earlier % 100);
}

coop_err node_date_check(const node_months *months, uint32_t date, int future,
                         char message[NODE_MESSAGE_BYTES])
{
  uint32_t month = date / 100;
  /* The texts are made only for a refusal: an import checks every row. */
  if (!(months->first && month < months->first) &&
      !(!months->first && months_between(month, months->now) > NODE_BACKDATE_MONTHS_MAX) &&
      !(months->last_closed && month <= months->last_closed) && !(month > months->now && !future))
    return COOP_OK;
  char date_text[11], month_text[8], other[8];
  ledger_date_format(date, date_text);
  ledger_period_format(month, month_text);
  if (months->first && month < months->first) {
    ledger_period_format(months->first, other);
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "%s comes before %s, the first month of the books: nothing can be "
                     "recorded before it", date_text, other);
  }
  /* Before the books have a first month, the first close must start at the
   * earliest month with records: a year typed wrong (1999 for 2026) would
   * make that month the first and leave decades to close.  Far back is a
   * decision, taken with 'coop period open'. */
  if (!months->first && months_between(month, months->now) > NODE_BACKDATE_MONTHS_MAX) {
    ledger_period_format(months->now, other);
    return books_say(message, COOP_E_BAD_INPUT,
                     "%s is more than a year before now (%s) and the books have no first month "
                     "yet: if they really begin in %s, open them there first with 'coop period "
                     "open %s'", date_text, other, month_text, month_text);
  }
  /* Months close in order, so every month up to the last closed one is
   * closed (or lies before the first month, above). */
  if (months->last_closed && month <= months->last_closed)
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "period %s is closed: date it in an open month with --for-month %s (it then "
                     "counts in %s, and that month's statement is reissued at the next close)",
                     month_text, month_text, month_text);
  /* A date typed a year too far would sit in a month nobody closes for a
   * year; ask for --future so it is a decision, not a slip. */
  if (month > months->now && !future) {
    ledger_period_format(months->now, other);
    return books_say(message, COOP_E_BAD_INPUT,
                     "%s is in a future month (now is %s); pass --future if this really "
                     "belongs to %s %u", date_text, other, month_names[month % 100 - 1],
                     (unsigned)(month / 100));
  }
  return COOP_OK;
}

coop_err node_amount_check(uint8_t type, int64_t amount, char message[NODE_MESSAGE_BYTES])
{
  if (amount <= 0)
    return books_say(message, COOP_E_RANGE, "the amount must be more than zero");
  char text[LEDGER_MONEY_TEXT_BYTES], limit[LEDGER_MONEY_TEXT_BYTES];
  if (type == LEDGER_RECORD_HOURS && amount > NODE_HOURS_PER_MONTH_MAX * INT64_C(100)) {
    ledger_money_format(amount, text);
    return books_say(message, COOP_E_RANGE,
                     "%s hours is more than a month holds: at most %d hours (24 x 31)", text,
                     NODE_HOURS_PER_MONTH_MAX);
  }
  if (type != LEDGER_RECORD_HOURS && amount > NODE_RECORD_CENTS_MAX) {
    ledger_money_format(amount > LEDGER_MONEY_CENTS_MAX ? LEDGER_MONEY_CENTS_MAX : amount, text);
    ledger_money_format(NODE_RECORD_CENTS_MAX, limit);
    return books_say(message, COOP_E_RANGE,
                     "amount %s is more than %s, the most one record may hold", text, limit);
  }
  return COOP_OK;
}

coop_err node_close_check(const node_months *months, uint32_t period, uint32_t earliest_record,
                          char message[NODE_MESSAGE_BYTES])
{
  char text[8], other[8];
  ledger_period_format(period, text);
  if (!months->last_closed && months->first && period < months->first) {
    ledger_period_format(months->first, other);
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "period %s comes before %s, the first month of the books", text, other);
  }
  /* The month that must close next: closing a later one would leave it
   * writable and never closable (statements carry their state in order). */
  uint32_t next = months->last_closed ? node_month_next(months->last_closed)
                  : months->first     ? months->first
                                      : earliest_record;
  if (next && period > next) {
    ledger_period_format(next, other);
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "period %s cannot close while %s is open: months close in order, with no "
                     "gap (close %s first)", text, other, other);
  }
  if (period >= months->now)
    return books_say(message, COOP_E_BAD_INPUT, "period %s has not ended yet", text);
  return COOP_OK;
}

coop_err node_for_month_check(const node_months *months, uint32_t date, uint32_t for_period,
                              char message[NODE_MESSAGE_BYTES])
{
  if (!for_period)
    return COOP_OK;
  char text[8], other[8];
  ledger_period_format(for_period, text);
  if (!ledger_period_valid(for_period))
    return books_say(message, COOP_E_BAD_INPUT, "--for-month: invalid month");
  if (node_months_in_closed_year(months, for_period))
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "--for-month %s: %u is a closed year (coop period close %u), its statements "
                     "and accounts are final; record it without --for-month (it then counts in "
                     "the month it is dated in)", text, (unsigned)(for_period / 100),
                     (unsigned)months->closed_year);
  if (!months->last_closed || for_period > months->last_closed || for_period >= date / 100) {
    ledger_period_format(date / 100, other);
    return books_say(message, COOP_E_BAD_INPUT,
                     "--for-month %s: not a closed month before the record's date (%s); a "
                     "record of an open month is simply dated in it", text, other);
  }
  if (months->first && for_period < months->first) {
    ledger_period_format(months->first, other);
    return books_say(message, COOP_E_PERIOD_CLOSED,
                     "--for-month %s comes before %s, the first month of the books", text, other);
  }
  return COOP_OK;
}
