/* Tests for ledger/base/error.c: the error table, its names, messages and the
 * stable numeric values that appear in logs and (later) on the wire. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ledger/base/error.h"

/* Every entry of the table, expanded from the same X-macro the library uses,
 * so that a code added to the table is covered without touching this file. */
typedef struct table_entry {
  coop_err value;
  const char *name;
  const char *message;
} table_entry;

static const table_entry table[] = {
#define TABLE_ENTRY(name, value, message) {name, #name, message},
    COOP_ERROR_TABLE(TABLE_ENTRY)
#undef TABLE_ENTRY
};

#define TABLE_COUNT (sizeof table / sizeof table[0])

/* The values written by hand, independently of the table: renumbering a code
 * (which the header forbids) must make this test fail. */
static const char *const pinned_names[] = {
    "COOP_OK",                /* 0 */
    "COOP_E_NOMEM",           /* 1 */
    "COOP_E_IO",              /* 2 */
    "COOP_E_USAGE",           /* 3 */
    "COOP_E_LIMIT",           /* 4 */
    "COOP_E_DECODE",          /* 5 */
    "COOP_E_VERSION",         /* 6 */
    "COOP_E_TRAILING",        /* 7 */
    "COOP_E_BAD_SIGNATURE",   /* 8 */
    "COOP_E_BAD_PROOF",       /* 9 */
    "COOP_E_FORK",            /* 10 */
    "COOP_E_TAMPERED",        /* 11 */
    "COOP_E_NOT_FOUND",       /* 12 */
    "COOP_E_EXISTS",          /* 13 */
    "COOP_E_PERMISSIONS",     /* 14 */
    "COOP_E_DB",              /* 15 */
    "COOP_E_SCHEMA",          /* 16 */
    "COOP_E_CRYPTO",          /* 17 */
    "COOP_E_NO_KEY",          /* 18 */
    "COOP_E_RANGE",           /* 19 */
    "COOP_E_CONFIG",          /* 20 */
    "COOP_E_UNBALANCED",      /* 21 */
    "COOP_E_UNKNOWN_ACCOUNT", /* 22 */
    "COOP_E_PERIOD_CLOSED",   /* 23 */
    "COOP_E_EXISTS_DIFFERENT",/* 24 */
    "COOP_E_NO_RULE_SET",     /* 25 */
    "COOP_E_OVERFLOW",        /* 26 */
    "COOP_E_BAD_INPUT",       /* 27 */
    "COOP_E_BUSY",            /* 28 */
    "COOP_E_DISK_FULL",       /* 29 */
    "COOP_E_PAYLOAD_MISSING", /* 30 */
    "COOP_E_BOOKS_MISMATCH",  /* 31 */
    "COOP_E_ERASED",          /* 32 */
    "COOP_E_RESTORED",        /* 33 */
};

Test(error, stable_values_pinned_for_key_codes)
{
  cr_assert_eq((int)COOP_OK, 0);
  cr_assert_eq((int)COOP_E_NOMEM, 1);
  cr_assert_eq((int)COOP_E_BAD_SIGNATURE, 8);
  cr_assert_eq((int)COOP_E_BAD_PROOF, 9);
  cr_assert_eq((int)COOP_E_FORK, 10);
  cr_assert_eq((int)COOP_E_TAMPERED, 11);
  cr_assert_eq((int)COOP_E_CRYPTO, 17);
  cr_assert_eq((int)COOP_E_NO_KEY, 18);
  cr_assert_eq((int)COOP_E_BAD_INPUT, 27);
}

Test(error, every_pinned_value_has_its_pinned_name)
{
  size_t pinned_count = sizeof pinned_names / sizeof pinned_names[0];
  for (size_t value = 0; value < pinned_count; value++)
    cr_assert_str_eq(coop_err_name((coop_err)value), pinned_names[value],
                     "value %zu renamed or renumbered", value);
  /* A code may be added at the end, but none may disappear. */
  cr_assert_geq(TABLE_COUNT, pinned_count);
}

Test(error, table_names_and_messages_are_returned_for_every_value)
{
  for (size_t i = 0; i < TABLE_COUNT; i++) {
    cr_assert_str_eq(coop_err_name(table[i].value), table[i].name);
    cr_assert_str_eq(coop_err_message(table[i].value), table[i].message);
  }
}

Test(error, values_names_and_messages_are_distinct)
{
  for (size_t i = 0; i < TABLE_COUNT; i++)
    for (size_t j = i + 1; j < TABLE_COUNT; j++) {
      cr_assert_neq((int)table[i].value, (int)table[j].value, "%s and %s share a value",
                    table[i].name, table[j].name);
      cr_assert_str_neq(coop_err_name(table[i].value), coop_err_name(table[j].value));
      cr_assert_str_neq(coop_err_message(table[i].value), coop_err_message(table[j].value),
                        "%s and %s share a message", table[i].name, table[j].name);
    }
}

Test(error, values_are_dense_from_zero)
{
  /* Values are assigned "with the next free number": no gaps, so that the
   * largest value is the count minus one and every smaller value is named. */
  int largest = 0;
  for (size_t i = 0; i < TABLE_COUNT; i++)
    if ((int)table[i].value > largest)
      largest = (int)table[i].value;
  cr_assert_eq((size_t)largest + 1, TABLE_COUNT);
  for (int value = 0; value <= largest; value++)
    cr_assert_str_neq(coop_err_name((coop_err)value), "COOP_E_UNKNOWN", "gap at %d", value);
}

Test(error, names_start_with_coop_and_are_upper_case_identifiers)
{
  for (size_t i = 0; i < TABLE_COUNT; i++) {
    const char *name = coop_err_name(table[i].value);
    cr_assert_eq(strncmp(name, "COOP_", 5), 0, "%s", name);
    for (const char *c = name; *c; c++)
      cr_assert(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_',
                "%s has character '%c'", name, *c);
    /* Errors say what went wrong: every nonzero code is COOP_E_... */
    if (table[i].value != COOP_OK)
      cr_assert_eq(strncmp(name, "COOP_E_", 7), 0, "%s", name);
  }
}

Test(error, messages_follow_house_style)
{
  /* Lower case, nonempty, no trailing period (STYLE.md, "Messages"). */
  for (size_t i = 0; i < TABLE_COUNT; i++) {
    const char *message = coop_err_message(table[i].value);
    size_t length = strlen(message);
    cr_assert_gt(length, 0u, "%s has an empty message", table[i].name);
    cr_assert_neq(message[length - 1], '.', "%s: '%s'", table[i].name, message);
    for (const char *c = message; *c; c++)
      cr_assert(!isupper((unsigned char)*c), "%s: '%s' has upper case", table[i].name, message);
  }
}

Test(error, unknown_values_have_unknown_name_and_message)
{
  const int unknown[] = {-1, (int)TABLE_COUNT, (int)TABLE_COUNT + 1, 1000, 0x7fffffff};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *name = coop_err_name((coop_err)unknown[i]);
    const char *message = coop_err_message((coop_err)unknown[i]);
    cr_assert_not_null(name);
    cr_assert_not_null(message);
    cr_assert_str_eq(name, "COOP_E_UNKNOWN", "value %d", unknown[i]);
    cr_assert_str_eq(message, "unknown error", "value %d", unknown[i]);
  }
}

Test(error, unknown_name_and_message_are_not_in_the_table)
{
  for (size_t i = 0; i < TABLE_COUNT; i++) {
    cr_assert_str_neq(coop_err_name(table[i].value), "COOP_E_UNKNOWN");
    cr_assert_str_neq(coop_err_message(table[i].value), "unknown error");
  }
}
