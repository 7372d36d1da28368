#include "ledger/books/money.h"

#include <stdio.h>
#include <string.h>

static coop_err fail(char *message, size_t message_bytes, const char *text, const char *why)
{
  snprintf(message, message_bytes, "'%s': %s", text, why);
  return COOP_E_BAD_INPUT;
}

coop_err ledger_money_parse(const char *text, int sign, int64_t *cents, char *message,
                            size_t message_bytes)
{
  *cents = 0;
  const char *cursor = text;
  int negative = 0;
  if (*cursor == '-' || *cursor == '+') {
    if (sign != LEDGER_MONEY_SIGNED)
      return fail(message, message_bytes, text, "a sign makes no sense here");
    negative = *cursor == '-';
    cursor++;
  }
  if (*cursor < '0' || *cursor > '9')
    return fail(message, message_bytes, text, "not an amount (expected e.g. 1234.56)");
  int64_t whole = 0;
  for (; *cursor >= '0' && *cursor <= '9'; cursor++) {
    if (whole > LEDGER_MONEY_CENTS_MAX / 100)
      return fail(message, message_bytes, text, "too large");
    whole = whole * 10 + (*cursor - '0');
  }
  int64_t fraction = 0;
  if (*cursor == '.' || *cursor == ',') {
    cursor++;
    int digits = 0;
    for (; *cursor >= '0' && *cursor <= '9'; cursor++, digits++)
      if (digits < 2)
        fraction = fraction * 10 + (*cursor - '0');
    if (digits == 0)
      return fail(message, message_bytes, text, "no digits after the decimal separator");
    if (digits > 2)
      return fail(message, message_bytes, text, "more than two decimals");
    if (digits == 1)
      fraction *= 10;
  }
  if (*cursor)
    return fail(message, message_bytes, text, "not an amount (expected e.g. 1234.56)");
  int64_t value = whole * 100 + fraction;
  if (value > LEDGER_MONEY_CENTS_MAX)
    return fail(message, message_bytes, text, "too large");
  if (value == 0 && sign != LEDGER_MONEY_SIGNED)
    return fail(message, message_bytes, text, "must be more than zero");
  *cents = negative ? -value : value;
  return COOP_OK;
}

/* |cents| as digits with the given separators; magnitude never overflows
 * because INT64_MIN is handled through unsigned arithmetic. */
static void format_with(int64_t cents, char thousands, char decimal, const char *currency,
                        char out[LEDGER_MONEY_TEXT_BYTES])
{
  uint64_t magnitude = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
  char digits[24];
  int count = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(magnitude / 100));
  char grouped[40];
  size_t length = 0;
  for (int i = 0; i < count; i++) {
    if (thousands && i > 0 && (count - i) % 3 == 0)
      grouped[length++] = thousands;
    grouped[length++] = digits[i];
  }
  grouped[length] = 0;
  snprintf(out, LEDGER_MONEY_TEXT_BYTES, "%s%s%s%c%02u", cents < 0 ? "-" : "", currency, grouped,
           decimal, (unsigned)(magnitude % 100));
}

void ledger_money_format(int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES])
{
  format_with(cents, 0, '.', "", out);
}

void ledger_money_format_dutch(int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES])
{
  format_with(cents, '.', ',', "\xe2\x82\xac ", out);
}

coop_err ledger_money_add(int64_t a, int64_t b, int64_t *sum)
{
  if (__builtin_add_overflow(a, b, sum))
    return COOP_E_OVERFLOW;
  return COOP_OK;
}
