/* Money (ledger/books/money.c): exact parsing of what people type, the machine and
 * Dutch printed forms, overflow-checked addition, and a round-trip property
 * over many pseudo-random amounts. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/books/money.h"

/* ---- Helpers --------------------------------------------------------------- */

static void expect_parse(const char *text, int sign, int64_t expected)
{
  int64_t cents = -12345;
  char message[128] = "";
  coop_err err = ledger_money_parse(text, sign, &cents, message, sizeof message);
  cr_assert_eq(err, COOP_OK, "'%s' refused: %s (%s)", text, coop_err_name(err), message);
  cr_assert_eq(cents, expected, "'%s' parsed as %" PRId64 ", expected %" PRId64, text, cents,
               expected);
}

/* Refused with COOP_E_BAD_INPUT, *cents zeroed, and a message that starts by
 * quoting the input and says something after it. */
static void expect_refused(const char *text, int sign)
{
  int64_t cents = -12345;
  char message[256] = "";
  coop_err err = ledger_money_parse(text, sign, &cents, message, sizeof message);
  cr_assert_eq(err, COOP_E_BAD_INPUT, "'%s' (sign %d) gave %s, %" PRId64, text, sign,
               coop_err_name(err), cents);
  cr_assert_eq(cents, 0, "'%s': *cents is %" PRId64 " after a failure", text, cents);
  char quoted[160];
  snprintf(quoted, sizeof quoted, "'%s': ", text);
  cr_assert_eq(strncmp(message, quoted, strlen(quoted)), 0,
               "message for '%s' does not start by quoting it: \"%s\"", text, message);
  cr_assert_gt(strlen(message), strlen(quoted), "message for '%s' gives no reason", text);
}

static const char *formatted(int64_t cents)
{
  static char out[LEDGER_MONEY_TEXT_BYTES];
  memset(out, 'X', sizeof out);
  ledger_money_format(cents, out);
  return out;
}

static const char *formatted_dutch(int64_t cents)
{
  static char out[LEDGER_MONEY_TEXT_BYTES];
  memset(out, 'X', sizeof out);
  ledger_money_format_dutch(cents, out);
  return out;
}

/* xorshift64*: a fixed sequence, so a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * UINT64_C(2685821657736338717);
}

/* ---- Parsing ------------------------------------------------------------------ */

Test(money_parse, whole_euros)
{
  expect_parse("1234", LEDGER_MONEY_POSITIVE_ONLY, 123400);
  expect_parse("1", LEDGER_MONEY_POSITIVE_ONLY, 100);
  expect_parse("007", LEDGER_MONEY_POSITIVE_ONLY, 700);
}

Test(money_parse, one_decimal_is_tens_of_cents)
{
  expect_parse("1234.5", LEDGER_MONEY_POSITIVE_ONLY, 123450);
  expect_parse("0.5", LEDGER_MONEY_POSITIVE_ONLY, 50);
  expect_parse("0,5", LEDGER_MONEY_POSITIVE_ONLY, 50);
}

Test(money_parse, two_decimals)
{
  expect_parse("1234.56", LEDGER_MONEY_POSITIVE_ONLY, 123456);
  expect_parse("0.01", LEDGER_MONEY_POSITIVE_ONLY, 1);
  expect_parse("0.10", LEDGER_MONEY_POSITIVE_ONLY, 10);
  expect_parse("12.05", LEDGER_MONEY_POSITIVE_ONLY, 1205);
}

Test(money_parse, decimal_comma)
{
  expect_parse("1234,56", LEDGER_MONEY_POSITIVE_ONLY, 123456);
  expect_parse("0,01", LEDGER_MONEY_POSITIVE_ONLY, 1);
}

Test(money_parse, the_largest_amount_is_accepted)
{
  expect_parse("100000000000", LEDGER_MONEY_POSITIVE_ONLY, LEDGER_MONEY_CENTS_MAX);
  expect_parse("100000000000.00", LEDGER_MONEY_POSITIVE_ONLY, LEDGER_MONEY_CENTS_MAX);
  expect_parse("-100000000000.00", LEDGER_MONEY_SIGNED, -LEDGER_MONEY_CENTS_MAX);
}

Test(money_parse, over_the_largest_amount_is_refused)
{
  expect_refused("100000000000.01", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("100000000001", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("999999999999.99", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("-100000000000.01", LEDGER_MONEY_SIGNED);
  /* Far past int64_t: must be refused, never wrap (UBSan watches this). */
  expect_refused("99999999999999999999999999999999", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("92233720368547758.07", LEDGER_MONEY_SIGNED);
}

Test(money_parse, more_than_two_decimals_is_refused)
{
  expect_refused("1.234", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("1,234", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("0.001", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("1.000", LEDGER_MONEY_POSITIVE_ONLY);
}

Test(money_parse, signs_need_signed_mode)
{
  expect_refused("-5", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("+5", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("-0.05", LEDGER_MONEY_POSITIVE_ONLY);
}

Test(money_parse, signed_mode)
{
  expect_parse("-0.05", LEDGER_MONEY_SIGNED, -5);
  expect_parse("-5", LEDGER_MONEY_SIGNED, -500);
  expect_parse("+5", LEDGER_MONEY_SIGNED, 500);
  expect_parse("5", LEDGER_MONEY_SIGNED, 500);
  expect_parse("-1234,56", LEDGER_MONEY_SIGNED, -123456);
  expect_parse("0", LEDGER_MONEY_SIGNED, 0);
  expect_parse("-0.00", LEDGER_MONEY_SIGNED, 0);
}

Test(money_parse, zero_is_refused_when_positive_only)
{
  expect_refused("0", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("0.00", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("0,0", LEDGER_MONEY_POSITIVE_ONLY);
  expect_refused("000", LEDGER_MONEY_POSITIVE_ONLY);
}

Test(money_parse, malformed_text_is_refused)
{
  static const char *const bad[] = {
      "",      " 12",     "12 ",     "1.",    ".5",     ",5",       "1,234.56", "1.234,56",
      "1e3",   "1E3",     "0x10",    "12a",   "a12",    "1 000",    "1_000",    "€5",
      "5€",    "--5",     "+-5",     "-",     "+",      "1..2",     "1.2.3",    "1,2,3",
      "12\n",  "\t12",    "1.-5",    "1.+5",  "١٢",     "12.5 ",    "NaN",      "inf",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    expect_refused(bad[i], LEDGER_MONEY_POSITIVE_ONLY);
    expect_refused(bad[i], LEDGER_MONEY_SIGNED);
  }
}

Test(money_parse, message_names_the_problem)
{
  int64_t cents;
  char message[128];
  cr_assert_eq(ledger_money_parse("12.345", LEDGER_MONEY_POSITIVE_ONLY, &cents, message,
                                  sizeof message),
               COOP_E_BAD_INPUT);
  cr_assert_str_eq(message, "'12.345': more than two decimals");
  cr_assert_eq(ledger_money_parse("-3", LEDGER_MONEY_POSITIVE_ONLY, &cents, message,
                                  sizeof message),
               COOP_E_BAD_INPUT);
  cr_assert(strstr(message, "sign") != NULL, "message: %s", message);
  cr_assert_eq(ledger_money_parse("0", LEDGER_MONEY_POSITIVE_ONLY, &cents, message,
                                  sizeof message),
               COOP_E_BAD_INPUT);
  cr_assert(strstr(message, "zero") != NULL, "message: %s", message);
  cr_assert_eq(ledger_money_parse("100000000000.01", LEDGER_MONEY_POSITIVE_ONLY, &cents, message,
                                  sizeof message),
               COOP_E_BAD_INPUT);
  cr_assert(strstr(message, "large") != NULL, "message: %s", message);
}

Test(money_parse, small_message_buffer_is_truncated_not_overrun)
{
  char message[8 + 8];
  memset(message, '#', sizeof message);
  int64_t cents;
  cr_assert_eq(ledger_money_parse("123456789.123", LEDGER_MONEY_POSITIVE_ONLY, &cents, message, 8),
               COOP_E_BAD_INPUT);
  cr_assert_eq(strlen(message), 7);
  for (size_t i = 8; i < sizeof message; i++)
    cr_assert_eq(message[i], '#', "byte %zu past the buffer was written", i);
}

/* ---- Formatting --------------------------------------------------------------- */

Test(money_format, machine_form)
{
  cr_assert_str_eq(formatted(123456), "1234.56");
  cr_assert_str_eq(formatted(-5), "-0.05");
  cr_assert_str_eq(formatted(5), "0.05");
  cr_assert_str_eq(formatted(50), "0.50");
  cr_assert_str_eq(formatted(0), "0.00");
  cr_assert_str_eq(formatted(100), "1.00");
  cr_assert_str_eq(formatted(-100), "-1.00");
  cr_assert_str_eq(formatted(123456789012), "1234567890.12");
  cr_assert_str_eq(formatted(LEDGER_MONEY_CENTS_MAX), "100000000000.00");
}

Test(money_format, machine_form_extremes_do_not_overflow)
{
  cr_assert_str_eq(formatted(INT64_MAX), "92233720368547758.07");
  cr_assert_str_eq(formatted(INT64_MIN), "-92233720368547758.08");
  cr_assert_str_eq(formatted(INT64_MIN + 1), "-92233720368547758.07");
}

Test(money_format, dutch_form)
{
  cr_assert_str_eq(formatted_dutch(123456), "\xe2\x82\xac 1.234,56");
  cr_assert_str_eq(formatted_dutch(-5), "-\xe2\x82\xac 0,05");
  cr_assert_str_eq(formatted_dutch(0), "\xe2\x82\xac 0,00");
  cr_assert_str_eq(formatted_dutch(99999), "\xe2\x82\xac 999,99");
  cr_assert_str_eq(formatted_dutch(100000), "\xe2\x82\xac 1.000,00");
  cr_assert_str_eq(formatted_dutch(-100000), "-\xe2\x82\xac 1.000,00");
  cr_assert_str_eq(formatted_dutch(1000000), "\xe2\x82\xac 10.000,00");
  cr_assert_str_eq(formatted_dutch(10000000), "\xe2\x82\xac 100.000,00");
  cr_assert_str_eq(formatted_dutch(123456789012), "\xe2\x82\xac 1.234.567.890,12");
  cr_assert_str_eq(formatted_dutch(140150), "\xe2\x82\xac 1.401,50");
}

Test(money_format, dutch_form_extremes_do_not_overflow)
{
  cr_assert_str_eq(formatted_dutch(INT64_MIN), "-\xe2\x82\xac 92.233.720.368.547.758,08");
  cr_assert_str_eq(formatted_dutch(INT64_MAX), "\xe2\x82\xac 92.233.720.368.547.758,07");
  cr_assert_lt(strlen(formatted_dutch(INT64_MIN)), LEDGER_MONEY_TEXT_BYTES);
}

/* ---- Addition ------------------------------------------------------------------ */

Test(money_add, sums_and_overflow)
{
  int64_t sum = 0;
  cr_assert_eq(ledger_money_add(123, -23, &sum), COOP_OK);
  cr_assert_eq(sum, 100);
  cr_assert_eq(ledger_money_add(INT64_MAX - 1, 1, &sum), COOP_OK);
  cr_assert_eq(sum, INT64_MAX);
  cr_assert_eq(ledger_money_add(INT64_MAX, 1, &sum), COOP_E_OVERFLOW);
  cr_assert_eq(ledger_money_add(INT64_MIN, -1, &sum), COOP_E_OVERFLOW);
  cr_assert_eq(ledger_money_add(INT64_MIN, INT64_MAX, &sum), COOP_OK);
  cr_assert_eq(sum, -1);
}

/* ---- Properties ------------------------------------------------------------------ */

/* Turns "€ 1.234,56" / "-€ 0,05" back into "1234.56" / "-0.05". */
static void undutch(const char *dutch, char *out, size_t out_bytes)
{
  size_t used = 0;
  for (const char *cursor = dutch; *cursor && used + 1 < out_bytes; cursor++) {
    if (!strncmp(cursor, "\xe2\x82\xac ", 4)) {
      cursor += 3;
      continue;
    }
    if (*cursor == '.')
      continue;
    out[used++] = *cursor == ',' ? '.' : *cursor;
  }
  out[used] = 0;
}

Test(money_property, format_then_parse_round_trips)
{
  uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
  for (int i = 0; i < 200000; i++) {
    uint64_t bits = next_random(&state);
    /* Spread over every magnitude, not only the huge ones. */
    int64_t cents = (int64_t)(bits % (uint64_t)LEDGER_MONEY_CENTS_MAX) + 1;
    cents >>= (bits >> 58) % 44;
    if (cents == 0)
      cents = 1;
    char text[LEDGER_MONEY_TEXT_BYTES], message[128];
    int64_t back = 0;
    ledger_money_format(cents, text);
    cr_assert_eq(ledger_money_parse(text, LEDGER_MONEY_POSITIVE_ONLY, &back, message,
                                    sizeof message),
                 COOP_OK, "%" PRId64 " -> '%s': %s", cents, text, message);
    cr_assert_eq(back, cents, "%" PRId64 " -> '%s' -> %" PRId64, cents, text, back);
    int64_t negative = -cents;
    ledger_money_format(negative, text);
    cr_assert_eq(ledger_money_parse(text, LEDGER_MONEY_SIGNED, &back, message, sizeof message),
                 COOP_OK, "%" PRId64 " -> '%s': %s", negative, text, message);
    cr_assert_eq(back, negative, "%" PRId64 " -> '%s' -> %" PRId64, negative, text, back);
    /* The Dutch form says the same amount. */
    char dutch[LEDGER_MONEY_TEXT_BYTES], plain[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format_dutch(negative, dutch);
    undutch(dutch, plain, sizeof plain);
    cr_assert_str_eq(plain, text, "Dutch '%s' vs '%s'", dutch, text);
  }
}

Test(money_property, parse_then_format_is_canonical)
{
  /* Every accepted spelling of an amount prints as the one canonical form. */
  uint64_t state = 42;
  for (int i = 0; i < 20000; i++) {
    uint64_t euros = next_random(&state) % 1000000000u;
    unsigned cents = (unsigned)(next_random(&state) % 100u);
    char text[64], message[128], canonical[64];
    int64_t value = 0;
    if (euros == 0 && cents == 0)
      cents = 1;
    snprintf(text, sizeof text, "%" PRIu64 ",%02u", euros, cents);
    snprintf(canonical, sizeof canonical, "%" PRIu64 ".%02u", euros, cents);
    cr_assert_eq(ledger_money_parse(text, LEDGER_MONEY_POSITIVE_ONLY, &value, message,
                                    sizeof message),
                 COOP_OK, "'%s': %s", text, message);
    cr_assert_eq(value, (int64_t)(euros * 100 + cents));
    cr_assert_str_eq(formatted(value), canonical);
  }
}
