/* Money: int64_t euro cents end to end, parsed and printed exactly.
 * No floating point anywhere near money. */
#ifndef COOP_LEDGER_MONEY_H
#define COOP_LEDGER_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"

/* Largest amount accepted from a human: 10^13 cents, 100 billion euros.
 * Far above any coop's books, and sums of millions of such amounts still fit
 * in int64_t (9.2 * 10^18). */
#define LEDGER_MONEY_CENTS_MAX INT64_C(10000000000000)

/* Room for any formatted amount (sign, euro sign, 17 digits, separators,
 * decimals: 33 bytes) with the margin the compiler's truncation check wants. */
#define LEDGER_MONEY_TEXT_BYTES 64u

enum ledger_money_sign {
  LEDGER_MONEY_POSITIVE_ONLY = 0, /* "12.50"; a sign is an error */
  LEDGER_MONEY_SIGNED = 1,        /* "-12.50" and "+12.50" allowed */
};

/* Parses "1234", "1234.5", "1234.56" or "1234,56" (decimal comma as Dutch
 * users write it).  Rejects more than two decimals, thousands separators,
 * spaces, a sign unless allowed, zero when positive only, and amounts over
 * LEDGER_MONEY_CENTS_MAX.  On failure writes a message that quotes the input
 * ("'12.345': more than two decimals") into `message`. */
COOP_MUST_USE coop_err ledger_money_parse(const char *text, int sign, int64_t *cents,
                                          char *message, size_t message_bytes);

/* "1234.56" / "-0.05": the machine form (export, CSV). */
void ledger_money_format(int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES]);

/* "€ 1.234,56" / "-€ 0,05": the Dutch human form. */
void ledger_money_format_dutch(int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES]);

/* a + b and a * b with overflow detection: COOP_E_OVERFLOW. */
COOP_MUST_USE coop_err ledger_money_add(int64_t a, int64_t b, int64_t *sum);

#endif
