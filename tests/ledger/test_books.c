/* The books' pure layer (ledger/books/books.c): the chart of accounts and account
 * names, dates and periods, the BSN look-alike check, member payloads,
 * records (every type round trips, every rule of ledger_record_check has a
 * case that breaks it), and pinned byte encodings written by hand from the
 * layout in ledger/books/books.c so the signed format cannot drift silently. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/books.h"

static const uint8_t member_a[LEDGER_MEMBER_ID_BYTES] = {0x3f, 0x9a, 0x2c};

/* ---- Helpers ------------------------------------------------------------------ */

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t room)
{
  size_t length = 0;
  for (const char *cursor = hex; *cursor;) {
    if (*cursor == ' ' || *cursor == '\n') {
      cursor++;
      continue;
    }
    unsigned value = 0;
    cr_assert(sscanf(cursor, "%2x", &value) == 1, "bad hex at '%s'", cursor);
    cr_assert_lt(length, room);
    out[length++] = (uint8_t)value;
    cursor += 2;
  }
  return length;
}

static void assert_bytes_hex(const uint8_t *bytes, size_t count, const char *expected_hex)
{
  uint8_t expected[4096];
  size_t expected_bytes = hex_to_bytes(expected_hex, expected, sizeof expected);
  char actual_hex[2 * 4096 + 1];
  for (size_t i = 0; i < count && i < 4096; i++)
    snprintf(actual_hex + 2 * i, 3, "%02x", bytes[i]);
  actual_hex[2 * (count < 4096 ? count : 4096)] = 0;
  cr_assert_eq(count, expected_bytes, "%zu bytes, expected %zu: %s", count, expected_bytes,
               actual_hex);
  cr_assert_arr_eq(bytes, expected, count, "bytes differ: %s", actual_hex);
}

static ledger_record record_of(uint8_t type, uint32_t date, const uint8_t *member)
{
  ledger_record record;
  memset(&record, 0, sizeof record);
  record.type = type;
  record.date = date;
  if (member)
    memcpy(record.member, member, LEDGER_MEMBER_ID_BYTES);
  return record;
}

static void add_posting(ledger_record *record, uint16_t account, int64_t amount_cents)
{
  cr_assert_lt(record->posting_count, LEDGER_POSTINGS_MAX);
  record->postings[record->posting_count++] = (ledger_posting){account, amount_cents};
}

/* A simple two-posting record of `type`, `amount` cents, through the
 * library's own posting rule. */
static ledger_record simple_record(uint8_t type, int64_t amount, const uint8_t *member)
{
  ledger_record record = record_of(type, 20260315, member);
  cr_assert_eq(ledger_record_postings(&record, amount), COOP_OK, "%s",
               ledger_record_type_name(type));
  return record;
}

static void assert_records_equal(const ledger_record *a, const ledger_record *b)
{
  cr_assert_eq(a->type, b->type);
  cr_assert_eq(a->date, b->date);
  cr_assert_arr_eq(a->member, b->member, LEDGER_MEMBER_ID_BYTES);
  cr_assert_str_eq(a->ref, b->ref);
  cr_assert_str_eq(a->note, b->note);
  cr_assert_eq(a->quantity, b->quantity);
  cr_assert_eq(a->corrects, b->corrects);
  cr_assert_eq(a->corrects_period, b->corrects_period);
  cr_assert_eq(a->memo_type, b->memo_type);
  cr_assert_eq(a->for_period, b->for_period);
  cr_assert_eq(a->posting_count, b->posting_count);
  for (unsigned i = 0; i < a->posting_count; i++) {
    cr_assert_eq(a->postings[i].account, b->postings[i].account, "posting %u", i);
    cr_assert_eq(a->postings[i].amount_cents, b->postings[i].amount_cents, "posting %u", i);
  }
}

/* Encodes, decodes, compares, and re-encodes to the same bytes. */
static void assert_record_round_trips(const ledger_record *record)
{
  coop_buf first, second;
  coop_buf_init(&first, 65536);
  coop_buf_init(&second, 65536);
  coop_err err = ledger_record_encode(record, &first);
  cr_assert_eq(err, COOP_OK, "%s: encode %s", ledger_record_type_name(record->type),
               coop_err_name(err));
  ledger_record back;
  err = ledger_record_decode(first.data, first.len, &back);
  cr_assert_eq(err, COOP_OK, "%s: decode %s", ledger_record_type_name(record->type),
               coop_err_name(err));
  assert_records_equal(record, &back);
  cr_assert_eq(ledger_record_encode(&back, &second), COOP_OK);
  cr_assert_eq(first.len, second.len);
  cr_assert_arr_eq(first.data, second.data, first.len);
  coop_buf_release(&first);
  coop_buf_release(&second);
}

static void assert_check_fails(const ledger_record *record, coop_err expected, const char *what)
{
  coop_err err = ledger_record_check(record);
  cr_assert_eq(err, expected, "%s: check gave %s, expected %s", what, coop_err_name(err),
               coop_err_name(expected));
  coop_buf out;
  coop_buf_init(&out, 65536);
  err = ledger_record_encode(record, &out);
  cr_assert_eq(err, expected, "%s: encode gave %s", what, coop_err_name(err));
  cr_assert_eq(out.len, 0, "%s: a refused record wrote %zu bytes", what, out.len);
  coop_buf_release(&out);
}

/* ---- Chart of accounts ---------------------------------------------------------- */

Test(books_chart, codes_and_names_are_unique_and_in_code_order)
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  cr_assert_not_null(chart);
  cr_assert_geq(count, 11);
  for (size_t i = 0; i < count; i++) {
    cr_assert_not_null(chart[i].name);
    cr_assert_not_null(chart[i].description);
    cr_assert_gt(strlen(chart[i].description), 0);
    if (i > 0)
      cr_assert_gt(chart[i].code, chart[i - 1].code, "chart not in code order at %zu", i);
    for (size_t j = 0; j < i; j++) {
      cr_assert_neq(chart[i].code, chart[j].code, "code %u twice", chart[i].code);
      cr_assert_str_neq(chart[i].name, chart[j].name, "name '%s' twice", chart[i].name);
    }
    cr_assert_eq(ledger_chart_find(chart[i].code), &chart[i]);
  }
}

Test(books_chart, per_member_names_hold_one_member_placeholder)
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  for (size_t i = 0; i < count; i++) {
    const char *name = chart[i].name;
    size_t percents = 0, placeholders = 0;
    for (const char *cursor = name; (cursor = strchr(cursor, '%')); cursor++) {
      percents++;
      if (cursor[1] == 's')
        placeholders++;
    }
    if (chart[i].per_member) {
      cr_assert_eq(placeholders, 1, "'%s' must have exactly one %%s", name);
      cr_assert_eq(percents, 1, "'%s' has another %% directive", name);
    } else {
      cr_assert_eq(percents, 0, "coop-level account '%s' has a %% directive", name);
    }
  }
}

Test(books_chart, types_match_codes_and_name_prefixes)
{
  static const struct {
    ledger_account_type type;
    const char *prefix;
    const char *type_name;
  } expected[] = {{0, NULL, NULL},
                  {LEDGER_ACCOUNT_ASSET, "assets:", "asset"},
                  {LEDGER_ACCOUNT_LIABILITY, "liabilities:", "liability"},
                  {LEDGER_ACCOUNT_EQUITY, "equity:", "equity"},
                  {LEDGER_ACCOUNT_INCOME, "income:", "income"},
                  {LEDGER_ACCOUNT_EXPENSE, "expenses:", "expense"}};
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  for (size_t i = 0; i < count; i++) {
    unsigned digit = chart[i].code / 1000;
    cr_assert(digit >= 1 && digit <= 5, "code %u", chart[i].code);
    cr_assert_eq(chart[i].type, expected[digit].type, "code %u has type %d", chart[i].code,
                 chart[i].type);
    cr_assert_eq(strncmp(chart[i].name, expected[digit].prefix, strlen(expected[digit].prefix)),
                 0, "'%s' should start with '%s'", chart[i].name, expected[digit].prefix);
    cr_assert_str_eq(ledger_account_type_name(chart[i].type), expected[digit].type_name);
  }
  cr_assert_str_eq(ledger_account_type_name((ledger_account_type)99), "unknown");
}

Test(books_chart, codes_are_pinned)
{
  /* Codes are signed into payloads: the declared ones must stay put. */
  static const struct {
    uint16_t code;
    int per_member;
    const char *name;
  } pinned[] = {
      {1000, 0, "assets:bank"},
      {1100, 0, "assets:receivables"},
      {2000, 1, "liabilities:members:%s:municipality"},
      {2100, 1, "liabilities:members:%s:development-budget"},
      {3000, 0, "equity:opening-balances"},
      {4000, 1, "income:members:%s:revenue"},
      {4100, 0, "income:coop:share"},
      {5000, 1, "expenses:members:%s:costs"},
      {5010, 1, "expenses:members:%s:volunteer-allowance"},
      {5100, 0, "expenses:coop:costs"},
      {5200, 1, "expenses:members:%s:profit-split"},
  };
  for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
    const ledger_account_definition *account = ledger_chart_find(pinned[i].code);
    cr_assert_not_null(account, "code %u missing", pinned[i].code);
    cr_assert_eq(account->per_member, pinned[i].per_member, "code %u", pinned[i].code);
    cr_assert_str_eq(account->name, pinned[i].name);
  }
  cr_assert_null(ledger_chart_find(0));
  cr_assert_null(ledger_chart_find(1001));
  cr_assert_null(ledger_chart_find(9999));
  cr_assert_null(ledger_chart_find(UINT16_MAX));
}

Test(books_chart, account_names)
{
  char out[LEDGER_ACCOUNT_NAME_BYTES];
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_BANK, NULL, out), COOP_OK);
  cr_assert_str_eq(out, "assets:bank");
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_COOP_SHARE, "", out), COOP_OK);
  cr_assert_str_eq(out, "income:coop:share");
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_REVENUE, "m-3f9a2c", out), COOP_OK);
  cr_assert_str_eq(out, "income:members:m-3f9a2c:revenue");
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, "m-000001", out),
               COOP_OK);
  cr_assert_str_eq(out, "liabilities:members:m-000001:development-budget");
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE, "m-abcdef", out),
               COOP_OK);
  cr_assert_str_eq(out, "expenses:members:m-abcdef:volunteer-allowance");
  cr_assert_lt(strlen(out), LEDGER_ACCOUNT_NAME_BYTES);
}

Test(books_chart, account_name_errors)
{
  char out[LEDGER_ACCOUNT_NAME_BYTES];
  memset(out, 'x', sizeof out);
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_REVENUE, NULL, out),
               COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_str_eq(out, "");
  memset(out, 'x', sizeof out);
  cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_COSTS, "", out), COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_str_eq(out, "");
  memset(out, 'x', sizeof out);
  cr_assert_eq(ledger_account_name(1234, NULL, out), COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_str_eq(out, "");
  cr_assert_eq(ledger_account_name(0, "m-3f9a2c", out), COOP_E_UNKNOWN_ACCOUNT);
}

Test(books_chart, every_per_member_name_fits_with_a_member_id)
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  for (size_t i = 0; i < count; i++) {
    char out[LEDGER_ACCOUNT_NAME_BYTES];
    cr_assert_eq(ledger_account_name(chart[i].code, "m-ffffff", out), COOP_OK);
    if (chart[i].per_member)
      cr_assert(strstr(out, ":m-ffffff:") != NULL, "'%s'", out);
    cr_assert_null(strchr(out, '%'), "'%s'", out);
  }
}

/* The names are copied from the chart, not formatted: each equals what
 * snprintf makes of the template, for member ids of every digit. */
Test(books_chart, names_equal_the_formatted_template)
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  const char *members[] = {"m-000000", "m-3f9a2c", "m-ffffff", "m-abcdef"};
  for (size_t i = 0; i < count; i++)
    for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
      char out[LEDGER_ACCOUNT_NAME_BYTES], want[LEDGER_ACCOUNT_NAME_BYTES];
      cr_assert_eq(ledger_account_name(chart[i].code, members[m], out), COOP_OK);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      if (chart[i].per_member)
        snprintf(want, sizeof want, chart[i].name, members[m]);
      else
        snprintf(want, sizeof want, "%s", chart[i].name);
#pragma GCC diagnostic pop
      cr_assert_str_eq(out, want);
    }
}

/* Member ids are written digit by digit: the same text as "m-%02x%02x%02x"
 * for every value of each of the three bytes. */
Test(books_members, member_ids_equal_the_formatted_hex)
{
  for (unsigned position = 0; position < 3; position++)
    for (unsigned value = 0; value < 256; value++) {
      uint8_t audience[LEDGER_AUDIENCE_ID_BYTES] = {0x5a, 0xa5, 0x0f, 0xff};
      audience[position] = (uint8_t)value;
      char id[LEDGER_MEMBER_ID_CHARS + 1], want[LEDGER_MEMBER_ID_CHARS + 1];
      memset(id, 'x', sizeof id);
      ledger_member_id(audience, id);
      snprintf(want, sizeof want, "m-%02x%02x%02x", audience[0], audience[1], audience[2]);
      cr_assert_str_eq(id, want);
    }
}

/* ---- Dates and periods ---------------------------------------------------------- */

Test(books_dates, valid_dates_parse)
{
  static const struct {
    const char *text;
    uint32_t date;
  } good[] = {
      {"2026-03-15", 20260315}, {"2024-02-29", 20240229}, {"2000-02-29", 20000229},
      {"2026-12-31", 20261231}, {"2026-01-01", 20260101}, {"1900-01-01", 19000101},
      {"9999-12-31", 99991231}, {"2026-04-30", 20260430},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    uint32_t date = 0;
    cr_assert_eq(ledger_date_parse(good[i].text, &date), COOP_OK, "'%s'", good[i].text);
    cr_assert_eq(date, good[i].date, "'%s' -> %u", good[i].text, date);
    char back[11];
    ledger_date_format(date, back);
    cr_assert_str_eq(back, good[i].text);
  }
}

Test(books_dates, invalid_dates_are_refused)
{
  static const char *const bad[] = {
      "2026-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
      "2026-01-32", "2026-04-31", "2026-06-31", "26-01-01",   "2026-1-01",  "2026-01-1",
      "2026/01/01", "20260101",   "2026-01-01 ", " 2026-01-01", "",        "1899-12-31",
      "+026-01-01", "2026-0a-01", "2026-01-01T00:00", "2026--1-01", "2026-01-0\xd9",
      "10000-01-01",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t date = 12345;
    cr_assert_eq(ledger_date_parse(bad[i], &date), COOP_E_BAD_INPUT, "'%s' accepted", bad[i]);
    cr_assert_eq(date, 0, "'%s': output not zeroed", bad[i]);
  }
}

Test(books_dates, every_day_of_a_year)
{
  /* Exactly 365 valid days in 2026 and 366 in 2024, and each one round trips. */
  static const struct {
    uint32_t year;
    int days;
  } years[] = {{2026, 365}, {2024, 366}, {2000, 366}, {1900, 365}};
  for (size_t y = 0; y < sizeof years / sizeof years[0]; y++) {
    int valid = 0;
    for (uint32_t month = 0; month <= 13; month++)
      for (uint32_t day = 0; day <= 32; day++) {
        uint32_t date = years[y].year * 10000 + month * 100 + day;
        if (!ledger_date_valid(date))
          continue;
        valid++;
        char text[11];
        uint32_t back = 0;
        ledger_date_format(date, text);
        cr_assert_eq(ledger_date_parse(text, &back), COOP_OK, "'%s'", text);
        cr_assert_eq(back, date);
      }
    cr_assert_eq(valid, years[y].days, "%u has %d valid days", years[y].year, valid);
  }
}

Test(books_dates, periods)
{
  uint32_t period = 0;
  cr_assert_eq(ledger_period_parse("2026-03", &period), COOP_OK);
  cr_assert_eq(period, 202603);
  char text[8];
  ledger_period_format(period, text);
  cr_assert_str_eq(text, "2026-03");
  cr_assert_eq(ledger_period_parse("2026-12", &period), COOP_OK);
  cr_assert_eq(period, 202612);
  static const char *const bad[] = {"2026-3",  "2026-13", "2026-00", "26-03",  "2026-03-01",
                                    "2026/03", "1899-12", "",        "202603", "2026-3 ",
                                    "-2026-03"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    period = 99;
    cr_assert_eq(ledger_period_parse(bad[i], &period), COOP_E_BAD_INPUT, "'%s' accepted", bad[i]);
    cr_assert_eq(period, 0);
  }
  cr_assert(ledger_period_valid(202601));
  cr_assert_not(ledger_period_valid(202600));
  cr_assert_not(ledger_period_valid(202613));
  cr_assert_not(ledger_period_valid(189912));
  cr_assert_not(ledger_period_valid(0));
  cr_assert_not(ledger_date_valid(0));
  cr_assert_not(ledger_date_valid(202603));
}

/* ---- BSN look-alikes -------------------------------------------------------------- */

Test(books_bsn, valid_eleven_check_numbers_look_like_a_bsn)
{
  static const char *const valid[] = {"111222333", "123456782", "999999990", "100000009",
                                      "010000008"};
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
    cr_assert(ledger_looks_like_bsn(valid[i]), "'%s' passes the 11-check", valid[i]);
}

Test(books_bsn, other_references_do_not)
{
  static const char *const invalid[] = {
      "111222334", "123456789", "123456781", "12345678",   "1234567820", "12345678a",
      "000000000", "",          "11122233 ", " 11122233", "C-0042",     "111-222-333",
      "１１１２２２３３３",
  };
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
    cr_assert_not(ledger_looks_like_bsn(invalid[i]), "'%s' is not a BSN", invalid[i]);
}

Test(books_bsn, exactly_one_last_digit_completes_eight_digits)
{
  /* For eight leading digits at most one last digit passes the 11-check (the
   * weighted sum mod 11 picks it), and when one does, the others do not. */
  static const char *const prefixes[] = {"11122233", "12345678", "98765432", "55555555"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    int passing = 0;
    for (char last = '0'; last <= '9'; last++) {
      char text[10];
      snprintf(text, sizeof text, "%s%c", prefixes[i], last);
      passing += ledger_looks_like_bsn(text);
    }
    cr_assert_leq(passing, 1, "'%s?' has %d completions", prefixes[i], passing);
  }
}

/* ---- Members ------------------------------------------------------------------------ */

static ledger_member_payload enrolment(void)
{
  ledger_member_payload member;
  memset(&member, 0, sizeof member);
  member.action = LEDGER_MEMBER_ENROL;
  snprintf(member.name, sizeof member.name, "Ann de Vries");
  memset(member.municipality, 0x11, sizeof member.municipality);
  snprintf(member.client_ref, sizeof member.client_ref, "BRD-0042");
  return member;
}

static ledger_member_payload status_of(uint8_t field, uint32_t from_period, uint32_t value)
{
  ledger_member_payload member;
  memset(&member, 0, sizeof member);
  member.action = LEDGER_MEMBER_STATUS;
  member.field = field;
  member.from_period = from_period;
  member.value = value;
  return member;
}

static void assert_member_round_trips(const ledger_member_payload *member)
{
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_member_encode(member, &out), COOP_OK);
  ledger_member_payload back;
  coop_err err = ledger_member_decode(out.data, out.len, &back);
  cr_assert_eq(err, COOP_OK, "decode: %s", coop_err_name(err));
  cr_assert_eq(back.action, member->action);
  cr_assert_str_eq(back.name, member->name);
  cr_assert_arr_eq(back.municipality, member->municipality, sizeof back.municipality);
  cr_assert_str_eq(back.client_ref, member->client_ref);
  cr_assert_arr_eq(back.member_key, member->member_key, sizeof back.member_key);
  cr_assert_eq(back.field, member->field);
  cr_assert_eq(back.from_period, member->from_period);
  cr_assert_eq(back.value, member->value);
  coop_buf_release(&out);
}

Test(books_members, enrolment_round_trips)
{
  ledger_member_payload member = enrolment();
  assert_member_round_trips(&member);
  memset(member.member_key, 0x22, sizeof member.member_key);
  snprintf(member.name, sizeof member.name, "Zoë Ünal");
  assert_member_round_trips(&member);
  memset(member.name, 'n', COOP_NAME_BYTES_MAX);
  member.name[COOP_NAME_BYTES_MAX] = 0;
  memset(member.client_ref, 'c', LEDGER_CLIENT_REF_BYTES_MAX);
  member.client_ref[LEDGER_CLIENT_REF_BYTES_MAX] = 0;
  assert_member_round_trips(&member);
}

Test(books_members, details_round_trip_laid_out_as_an_enrolment)
{
  ledger_member_payload member = enrolment();
  member.action = LEDGER_MEMBER_DETAILS;
  snprintf(member.name, sizeof member.name, "Anna Jansen");
  assert_member_round_trips(&member);
  /* The same bytes as an enrolment but for the action byte. */
  ledger_member_payload enrol = member;
  enrol.action = LEDGER_MEMBER_ENROL;
  coop_buf a, b;
  coop_buf_init(&a, 65536);
  coop_buf_init(&b, 65536);
  cr_assert_eq(ledger_member_encode(&member, &a), COOP_OK);
  cr_assert_eq(ledger_member_encode(&enrol, &b), COOP_OK);
  cr_assert_eq(a.len, b.len);
  cr_assert_eq(a.data[1], LEDGER_MEMBER_DETAILS);
  cr_assert_eq(memcmp(a.data + 2, b.data + 2, a.len - 2), 0);
  member.name[0] = 0;
  cr_assert_eq(ledger_member_encode(&member, &a), COOP_E_BAD_INPUT, "details without a name");
  coop_buf_release(&a);
  coop_buf_release(&b);
}

Test(books_members, every_status_field_round_trips)
{
  ledger_member_payload statuses[] = {
      status_of(LEDGER_MEMBER_BIRTH, 202603, 199601),
      status_of(LEDGER_MEMBER_BIRTH, 202603, 202603),
      status_of(LEDGER_MEMBER_N_APPROVED, 202601, 1),
      status_of(LEDGER_MEMBER_N_APPROVED, 202607, 0),
      status_of(LEDGER_MEMBER_MEDICAL_LIMIT, 202603, 1),
      status_of(LEDGER_MEMBER_SINGLE_PARENT, 202603, 0),
      status_of(LEDGER_MEMBER_LEFT, 202612, 1),
  };
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    assert_member_round_trips(&statuses[i]);
}

Test(books_members, invalid_payloads_are_not_encoded)
{
  ledger_member_payload bad[] = {
      status_of(LEDGER_MEMBER_BIRTH, 202603, 202604),  /* born after the fact's month */
      status_of(LEDGER_MEMBER_BIRTH, 202603, 199613),  /* not a month */
      status_of(LEDGER_MEMBER_BIRTH, 202603, 0),
      status_of(LEDGER_MEMBER_N_APPROVED, 202603, 2),  /* a flag is 0 or 1 */
      status_of(LEDGER_MEMBER_MEDICAL_LIMIT, 202603, 7),
      status_of(LEDGER_MEMBER_LEFT, 202603, 0),        /* leaving is for good */
      status_of(LEDGER_MEMBER_LEFT, 202603, 2),
      status_of(0, 202603, 1),                         /* unknown fields */
      status_of(6, 202603, 1),
      status_of(LEDGER_MEMBER_N_APPROVED, 202613, 1),  /* not a month */
      status_of(LEDGER_MEMBER_N_APPROVED, 0, 1),
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    coop_buf out;
    coop_buf_init(&out, 65536);
    cr_assert_eq(ledger_member_encode(&bad[i], &out), COOP_E_BAD_INPUT, "case %zu encoded", i);
    coop_buf_release(&out);
  }
  ledger_member_payload no_name = enrolment(), no_ref = enrolment(), no_action = enrolment();
  no_name.name[0] = 0;
  no_ref.client_ref[0] = 0;
  no_action.action = 6; /* 3 is details, 4 and 5 a move */
  const ledger_member_payload *enrol_bad[] = {&no_name, &no_ref, &no_action};
  for (size_t i = 0; i < 3; i++) {
    coop_buf out;
    coop_buf_init(&out, 65536);
    cr_assert_eq(ledger_member_encode(enrol_bad[i], &out), COOP_E_BAD_INPUT, "enrol %zu", i);
    coop_buf_release(&out);
  }
}

Test(books_members, decode_refuses_truncation_trailing_and_version)
{
  ledger_member_payload members[] = {enrolment(), status_of(LEDGER_MEMBER_BIRTH, 202603, 199601)};
  for (size_t m = 0; m < 2; m++) {
    coop_buf out;
    coop_buf_init(&out, 65536);
    cr_assert_eq(ledger_member_encode(&members[m], &out), COOP_OK);
    ledger_member_payload back;
    for (size_t length = 0; length < out.len; length++)
      cr_assert_neq(ledger_member_decode(out.data, length, &back), COOP_OK,
                    "member %zu cut to %zu of %zu bytes decoded", m, length, out.len);
    uint8_t longer[1024];
    memcpy(longer, out.data, out.len);
    longer[out.len] = 0;
    cr_assert_eq(ledger_member_decode(longer, out.len + 1, &back), COOP_E_TRAILING);
    longer[0] = 2;
    cr_assert_eq(ledger_member_decode(longer, out.len, &back), COOP_E_VERSION);
    longer[0] = 1;
    longer[1] = 9; /* unknown action */
    cr_assert_eq(ledger_member_decode(longer, out.len, &back), COOP_E_DECODE);
    coop_buf_release(&out);
  }
}

Test(books_members, decode_checks_what_encode_checks)
{
  /* Hand-made status payloads that encode would have refused. */
  static const char *const bad_hex[] = {
      "010201 6b170300 6c170300", /* birth 2026-04 in a fact from 2026-03 */
      "010202 6b170300 02000000", /* n-approved = 2 */
      "010205 6b170300 00000000", /* left = 0 */
      "010206 6b170300 01000000", /* field 6 */
      "010202 75170300 01000000", /* from 2026-13 */
      "0101 00 " /* enrolment with an empty name */
      "1111111111111111111111111111111111111111111111111111111111111111 01 43 "
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0101 01 41 " /* enrolment with an empty client ref */
      "1111111111111111111111111111111111111111111111111111111111111111 00 "
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0101 02 41 01 " /* a control character in the name */
      "1111111111111111111111111111111111111111111111111111111111111111 01 43 "
      "0000000000000000000000000000000000000000000000000000000000000000",
  };
  for (size_t i = 0; i < sizeof bad_hex / sizeof bad_hex[0]; i++) {
    uint8_t bytes[256];
    size_t length = hex_to_bytes(bad_hex[i], bytes, sizeof bytes);
    ledger_member_payload back;
    memset(&back, 0x5a, sizeof back);
    cr_assert_eq(ledger_member_decode(bytes, length, &back), COOP_E_DECODE, "case %zu", i);
    cr_assert_eq(back.action, 0, "case %zu: output not zeroed", i);
  }
}

Test(books_members, pinned_status_bytes)
{
  /* version 1 | action 2 (status) | field 1 (birth) | u32 from 202603 |
   * u32 value 199601 */
  ledger_member_payload member = status_of(LEDGER_MEMBER_BIRTH, 202603, 199601);
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_member_encode(&member, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len, "01 02 01 6b170300 b10b0300");
  coop_buf_release(&out);
}

Test(books_members, pinned_enrolment_bytes)
{
  /* version 1 | action 1 | u8 3 "Ann" | municipality 32 | u8 3 "C-1" | key 32 */
  ledger_member_payload member = enrolment();
  snprintf(member.name, sizeof member.name, "Ann");
  snprintf(member.client_ref, sizeof member.client_ref, "C-1");
  memset(member.member_key, 0xab, sizeof member.member_key);
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_member_encode(&member, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len,
                   "01 01 03 416e6e "
                   "1111111111111111111111111111111111111111111111111111111111111111 "
                   "03 432d31 "
                   "abababababababababababababababababababababababababababababababab");
  coop_buf_release(&out);
}

/* A move: out (sealed to the audience she leaves) names the month and the
 * new audience; in (sealed to the new one) the month, the audience before
 * and her details laid out as an enrolment. */
Test(books_members, pinned_move_bytes)
{
  ledger_member_payload out = {.action = LEDGER_MEMBER_MOVE_OUT, .from_period = 202603};
  memset(out.other_audience, 0x3c, sizeof out.other_audience);
  coop_buf bytes;
  coop_buf_init(&bytes, 65536);
  cr_assert_eq(ledger_member_encode(&out, &bytes), COOP_OK);
  assert_bytes_hex(bytes.data, bytes.len, "01 04 6b170300 3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c");
  ledger_member_payload back;
  cr_assert_eq(ledger_member_decode(bytes.data, bytes.len, &back), COOP_OK);
  cr_assert_eq(back.action, LEDGER_MEMBER_MOVE_OUT);
  cr_assert_eq(back.from_period, 202603);
  cr_assert_arr_eq(back.other_audience, out.other_audience, sizeof out.other_audience);

  ledger_member_payload in = enrolment();
  in.action = LEDGER_MEMBER_MOVE_IN;
  in.from_period = 202603;
  memset(in.other_audience, 0x3d, sizeof in.other_audience);
  snprintf(in.name, sizeof in.name, "Ann");
  snprintf(in.client_ref, sizeof in.client_ref, "C-1");
  memset(in.member_key, 0xab, sizeof in.member_key);
  coop_buf_release(&bytes);
  coop_buf_init(&bytes, 65536);
  cr_assert_eq(ledger_member_encode(&in, &bytes), COOP_OK);
  assert_bytes_hex(bytes.data, bytes.len,
                   "01 05 6b170300 3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d "
                   "03 416e6e "
                   "1111111111111111111111111111111111111111111111111111111111111111 "
                   "03 432d31 "
                   "abababababababababababababababababababababababababababababababab");
  assert_member_round_trips(&in);
  cr_assert_eq(ledger_member_decode(bytes.data, bytes.len, &back), COOP_OK);
  cr_assert_arr_eq(back.other_audience, in.other_audience, sizeof in.other_audience);
  for (size_t length = 0; length < bytes.len; length++)
    cr_assert_neq(ledger_member_decode(bytes.data, length, &back), COOP_OK, "cut to %zu", length);
  coop_buf_release(&bytes);
}

Test(books_members, moves_refuse_a_bad_month_or_no_audience)
{
  ledger_member_payload bad[4];
  memset(bad, 0, sizeof bad);
  for (size_t i = 0; i < 4; i++) {
    bad[i] = enrolment();
    bad[i].action = i % 2 ? LEDGER_MEMBER_MOVE_IN : LEDGER_MEMBER_MOVE_OUT;
    bad[i].from_period = i < 2 ? 202613 : 202603;
    memset(bad[i].other_audience, i < 2 ? 0x3c : 0, sizeof bad[i].other_audience);
  }
  for (size_t i = 0; i < 4; i++) {
    coop_buf out;
    coop_buf_init(&out, 65536);
    cr_assert_eq(ledger_member_encode(&bad[i], &out), COOP_E_BAD_INPUT, "case %zu encoded", i);
    coop_buf_release(&out);
  }
  static const char *const bad_hex[] = {
      "0104 75170300 3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c", /* from 2026-13 */
      "0104 6b170300 00000000000000000000000000000000", /* no audience */
      "0104 6b170300 3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c 00", /* trailing */
  };
  for (size_t i = 0; i < sizeof bad_hex / sizeof bad_hex[0]; i++) {
    uint8_t bytes[256];
    size_t length = hex_to_bytes(bad_hex[i], bytes, sizeof bytes);
    ledger_member_payload back;
    cr_assert_neq(ledger_member_decode(bytes, length, &back), COOP_OK, "case %zu", i);
    cr_assert_eq(back.action, 0, "case %zu: output not zeroed", i);
  }
}

Test(books_members, field_names_and_member_ids)
{
  for (uint8_t field = LEDGER_MEMBER_BIRTH; field <= LEDGER_MEMBER_LEFT; field++) {
    const char *name = ledger_member_field_name(field);
    cr_assert_not_null(name);
    cr_assert_eq(ledger_member_field_from_name(name), field);
  }
  cr_assert_null(ledger_member_field_name(0));
  cr_assert_null(ledger_member_field_name(6));
  cr_assert_eq(ledger_member_field_from_name("nope"), 0);
  cr_assert_eq(ledger_member_field_from_name(""), 0);
  cr_assert_str_eq(ledger_member_field_name(LEDGER_MEMBER_BIRTH), "birth");
  cr_assert_str_eq(ledger_member_field_name(LEDGER_MEMBER_N_APPROVED), "n-approved");

  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES] = {0x3f, 0x9a, 0x2c, 0xff, 0xee};
  char id[LEDGER_MEMBER_ID_CHARS + 1];
  ledger_member_id(audience, id);
  cr_assert_str_eq(id, "m-3f9a2c");
  cr_assert_eq(strlen(id), LEDGER_MEMBER_ID_CHARS);
  memset(audience, 0, sizeof audience);
  audience[2] = 1;
  ledger_member_id(audience, id);
  cr_assert_str_eq(id, "m-000001");
}

/* ---- Records ------------------------------------------------------------------------ */

Test(books_records, type_names)
{
  for (int type = 1; type <= LEDGER_RECORD_YEAR_CLOSE; type++) {
    const char *name = ledger_record_type_name((uint8_t)type);
    cr_assert_not_null(name, "type %d", type);
    cr_assert_eq(ledger_record_type_from_name(name), type);
  }
  cr_assert_null(ledger_record_type_name(0));
  cr_assert_str_eq(ledger_record_type_name(LEDGER_RECORD_ERASED_MEMBER), "erased-member");
  cr_assert_str_eq(ledger_record_type_name(LEDGER_RECORD_YEAR_CLOSE), "year-close");
  cr_assert_null(ledger_record_type_name(14));
  cr_assert_not(ledger_record_by_hand(LEDGER_RECORD_YEAR_CLOSE));
  cr_assert_not(ledger_record_by_hand(LEDGER_RECORD_ERASED_MEMBER));
  cr_assert_not(ledger_record_by_hand(LEDGER_RECORD_PROFIT_SPLIT));
  cr_assert_not(ledger_record_by_hand(LEDGER_RECORD_CORRECTION));
  cr_assert(ledger_record_by_hand(LEDGER_RECORD_REVENUE));
  cr_assert_eq(ledger_record_type_from_name("bogus"), 0);
  cr_assert(ledger_record_is_memo(LEDGER_RECORD_OTHER_INCOME));
  cr_assert(ledger_record_is_memo(LEDGER_RECORD_HOURS));
  cr_assert_not(ledger_record_is_memo(LEDGER_RECORD_REVENUE));
  cr_assert_not(ledger_record_is_memo(LEDGER_RECORD_CORRECTION));
}

Test(books_records, simple_postings_go_to_the_right_accounts)
{
  static const struct {
    uint8_t type;
    uint16_t debit, credit;
    int member;
  } rules[] = {
      {LEDGER_RECORD_REVENUE, LEDGER_ACCOUNT_BANK, LEDGER_ACCOUNT_MEMBER_REVENUE, 1},
      {LEDGER_RECORD_COST, LEDGER_ACCOUNT_MEMBER_COSTS, LEDGER_ACCOUNT_BANK, 1},
      {LEDGER_RECORD_ALLOWANCE, LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE, LEDGER_ACCOUNT_BANK, 1},
      {LEDGER_RECORD_SPEND, LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, LEDGER_ACCOUNT_BANK, 1},
      {LEDGER_RECORD_COOP_COST, LEDGER_ACCOUNT_COOP_COSTS, LEDGER_ACCOUNT_BANK, 0},
      {LEDGER_RECORD_REMITTANCE, LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, LEDGER_ACCOUNT_BANK, 1},
      {LEDGER_RECORD_OPENING, LEDGER_ACCOUNT_BANK, LEDGER_ACCOUNT_OPENING_BALANCES, 0},
  };
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    ledger_record record =
        simple_record(rules[i].type, 4321, rules[i].member ? member_a : NULL);
    cr_assert_eq(record.posting_count, 2);
    cr_assert_eq(record.postings[0].account, rules[i].debit, "%s debit",
                 ledger_record_type_name(rules[i].type));
    cr_assert_eq(record.postings[0].amount_cents, 4321);
    cr_assert_eq(record.postings[1].account, rules[i].credit, "%s credit",
                 ledger_record_type_name(rules[i].type));
    cr_assert_eq(record.postings[1].amount_cents, -4321);
    cr_assert_eq(ledger_record_check(&record), COOP_OK, "%s",
                 ledger_record_type_name(rules[i].type));
  }
}

Test(books_records, postings_refuse_other_types_and_non_positive_amounts)
{
  static const uint8_t no_rule[] = {LEDGER_RECORD_OTHER_INCOME, LEDGER_RECORD_HOURS,
                                    LEDGER_RECORD_CORRECTION, LEDGER_RECORD_PROFIT_SPLIT, 0, 12};
  for (size_t i = 0; i < sizeof no_rule; i++) {
    ledger_record record = record_of(no_rule[i], 20260315, member_a);
    cr_assert_eq(ledger_record_postings(&record, 100), COOP_E_BAD_INPUT, "type %u", no_rule[i]);
    cr_assert_eq(record.posting_count, 0);
  }
  ledger_record record = record_of(LEDGER_RECORD_REVENUE, 20260315, member_a);
  cr_assert_eq(ledger_record_postings(&record, 0), COOP_E_BAD_INPUT);
  cr_assert_eq(ledger_record_postings(&record, -5), COOP_E_BAD_INPUT);
  cr_assert_eq(record.posting_count, 0);
}

Test(books_records, every_type_round_trips)
{
  /* Money records through the posting rule. */
  static const uint8_t member_types[] = {LEDGER_RECORD_REVENUE, LEDGER_RECORD_COST,
                                         LEDGER_RECORD_ALLOWANCE, LEDGER_RECORD_SPEND,
                                         LEDGER_RECORD_REMITTANCE};
  for (size_t i = 0; i < sizeof member_types; i++) {
    ledger_record record = simple_record(member_types[i], 123456, member_a);
    snprintf(record.ref, sizeof record.ref, "ref-%zu", i);
    snprintf(record.note, sizeof record.note, "note for %s\nsecond line",
             ledger_record_type_name(member_types[i]));
    assert_record_round_trips(&record);
  }
  ledger_record coop_cost = simple_record(LEDGER_RECORD_COOP_COST, 999, NULL);
  assert_record_round_trips(&coop_cost);
  ledger_record opening = simple_record(LEDGER_RECORD_OPENING, 5000000, NULL);
  assert_record_round_trips(&opening);

  /* Memos carry a quantity and no postings. */
  ledger_record other = record_of(LEDGER_RECORD_OTHER_INCOME, 20260301, member_a);
  other.quantity = 25000;
  assert_record_round_trips(&other);
  ledger_record hours = record_of(LEDGER_RECORD_HOURS, 20260331, member_a);
  hours.quantity = 4050;
  assert_record_round_trips(&hours);

  /* The month close's profit split: several postings. */
  ledger_record split = record_of(LEDGER_RECORD_PROFIT_SPLIT, 20260331, member_a);
  add_posting(&split, LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, 60000);
  add_posting(&split, LEDGER_ACCOUNT_COOP_SHARE, -6000);
  add_posting(&split, LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, -40500);
  add_posting(&split, LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, -13500);
  assert_record_round_trips(&split);

  /* Corrections of a money record and of a memo. */
  ledger_record correction = simple_record(LEDGER_RECORD_REVENUE, 5000, member_a);
  correction.type = LEDGER_RECORD_CORRECTION;
  correction.memo_type = LEDGER_RECORD_REVENUE;
  correction.corrects = 8;
  correction.corrects_period = 202602;
  correction.postings[0].amount_cents = -5000;
  correction.postings[1].amount_cents = 5000;
  snprintf(correction.note, sizeof correction.note, "typo in the invoice");
  assert_record_round_trips(&correction);
  ledger_record memo_correction = record_of(LEDGER_RECORD_CORRECTION, 20260402, member_a);
  memo_correction.memo_type = LEDGER_RECORD_HOURS;
  memo_correction.quantity = -4050;
  memo_correction.corrects = 12;
  memo_correction.corrects_period = 202603;
  assert_record_round_trips(&memo_correction);
  ledger_record coop_correction = simple_record(LEDGER_RECORD_COOP_COST, 999, NULL);
  coop_correction.type = LEDGER_RECORD_CORRECTION;
  coop_correction.memo_type = LEDGER_RECORD_COOP_COST;
  coop_correction.corrects = 1;
  coop_correction.corrects_period = 202601;
  assert_record_round_trips(&coop_correction);
}

Test(books_records, texts_at_their_maximum_round_trip)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 1, member_a);
  memset(record.ref, 'r', LEDGER_REF_BYTES_MAX);
  record.ref[LEDGER_REF_BYTES_MAX] = 0;
  memset(record.note, 'n', LEDGER_RECORD_NOTE_BYTES_MAX);
  record.note[LEDGER_RECORD_NOTE_BYTES_MAX] = 0;
  assert_record_round_trips(&record);
}

Test(books_records, sixteen_postings_round_trip)
{
  ledger_record record = record_of(LEDGER_RECORD_PROFIT_SPLIT, 20260331, member_a);
  add_posting(&record, LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, 15 * 100);
  for (int i = 0; i < 15; i++)
    add_posting(&record, LEDGER_ACCOUNT_COOP_SHARE, -100);
  cr_assert_eq(record.posting_count, LEDGER_POSTINGS_MAX);
  assert_record_round_trips(&record);
}

Test(books_records, check_refuses_unbalanced)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  record.postings[1].amount_cents = -99;
  assert_check_fails(&record, COOP_E_UNBALANCED, "off by a cent");
  ledger_record one = record_of(LEDGER_RECORD_REVENUE, 20260315, member_a);
  add_posting(&one, LEDGER_ACCOUNT_BANK, 100);
  assert_check_fails(&one, COOP_E_UNBALANCED, "one posting");
  ledger_record none = record_of(LEDGER_RECORD_REVENUE, 20260315, member_a);
  assert_check_fails(&none, COOP_E_UNBALANCED, "no postings");
  ledger_record too_many = record_of(LEDGER_RECORD_PROFIT_SPLIT, 20260331, member_a);
  add_posting(&too_many, LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, 1500);
  for (int i = 0; i < 15; i++)
    add_posting(&too_many, LEDGER_ACCOUNT_COOP_SHARE, -100);
  /* A count past the array: the check must stop before reading postings. */
  too_many.posting_count = LEDGER_POSTINGS_MAX + 1;
  assert_check_fails(&too_many, COOP_E_UNBALANCED, "17 postings");
}

Test(books_records, check_refuses_overflowing_sums)
{
  ledger_record record = record_of(LEDGER_RECORD_OPENING, 20260101, NULL);
  add_posting(&record, LEDGER_ACCOUNT_BANK, INT64_MAX);
  add_posting(&record, LEDGER_ACCOUNT_BANK, 1);
  add_posting(&record, LEDGER_ACCOUNT_OPENING_BALANCES, INT64_MIN);
  assert_check_fails(&record, COOP_E_OVERFLOW, "a sum past int64");
}

Test(books_records, check_refuses_unknown_accounts)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  record.postings[1].account = 4001;
  assert_check_fails(&record, COOP_E_UNKNOWN_ACCOUNT, "account 4001");
  record.postings[1].account = 0;
  assert_check_fails(&record, COOP_E_UNKNOWN_ACCOUNT, "account 0");
}

Test(books_records, check_refuses_per_member_accounts_without_a_member)
{
  ledger_record record = simple_record(LEDGER_RECORD_COOP_COST, 100, NULL);
  record.postings[0].account = LEDGER_ACCOUNT_MEMBER_COSTS;
  assert_check_fails(&record, COOP_E_UNKNOWN_ACCOUNT, "member costs on a coop record");
}

Test(books_records, check_refuses_member_mismatches)
{
  ledger_record revenue = simple_record(LEDGER_RECORD_REVENUE, 100, NULL);
  assert_check_fails(&revenue, COOP_E_BAD_INPUT, "revenue without a member");
  ledger_record hours = record_of(LEDGER_RECORD_HOURS, 20260315, NULL);
  hours.quantity = 100;
  assert_check_fails(&hours, COOP_E_BAD_INPUT, "hours without a member");
  ledger_record coop_cost = simple_record(LEDGER_RECORD_COOP_COST, 100, member_a);
  assert_check_fails(&coop_cost, COOP_E_BAD_INPUT, "coop cost with a member");
  ledger_record opening = simple_record(LEDGER_RECORD_OPENING, 100, member_a);
  assert_check_fails(&opening, COOP_E_BAD_INPUT, "opening with a member");
}

Test(books_records, check_refuses_memos_with_postings_or_no_quantity)
{
  ledger_record memo = record_of(LEDGER_RECORD_OTHER_INCOME, 20260315, member_a);
  memo.quantity = 100;
  add_posting(&memo, LEDGER_ACCOUNT_BANK, 100);
  add_posting(&memo, LEDGER_ACCOUNT_MEMBER_REVENUE, -100);
  assert_check_fails(&memo, COOP_E_BAD_INPUT, "memo with postings");
  ledger_record empty = record_of(LEDGER_RECORD_HOURS, 20260315, member_a);
  assert_check_fails(&empty, COOP_E_BAD_INPUT, "memo with quantity 0");
}

Test(books_records, check_refuses_money_records_with_a_quantity)
{
  ledger_record record = simple_record(LEDGER_RECORD_COST, 100, member_a);
  record.quantity = 1;
  assert_check_fails(&record, COOP_E_BAD_INPUT, "cost with a quantity");
}

Test(books_records, check_refuses_zero_postings)
{
  ledger_record record = record_of(LEDGER_RECORD_REVENUE, 20260315, member_a);
  add_posting(&record, LEDGER_ACCOUNT_BANK, 0);
  add_posting(&record, LEDGER_ACCOUNT_MEMBER_REVENUE, 0);
  assert_check_fails(&record, COOP_E_BAD_INPUT, "zero amounts");
  ledger_record three = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  add_posting(&three, LEDGER_ACCOUNT_RECEIVABLES, 0);
  assert_check_fails(&three, COOP_E_BAD_INPUT, "a zero third posting");
}

Test(books_records, check_refuses_bad_corrections)
{
  ledger_record base = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  base.postings[0].amount_cents = -100;
  base.postings[1].amount_cents = 100;
  base.type = LEDGER_RECORD_CORRECTION;
  base.memo_type = LEDGER_RECORD_REVENUE;
  base.corrects = 5;
  base.corrects_period = 202603;
  cr_assert_eq(ledger_record_check(&base), COOP_OK);

  ledger_record no_target = base;
  no_target.corrects = 0;
  assert_check_fails(&no_target, COOP_E_BAD_INPUT, "correction without corrects");
  ledger_record no_period = base;
  no_period.corrects_period = 0;
  assert_check_fails(&no_period, COOP_E_BAD_INPUT, "correction without its month");
  ledger_record bad_period = base;
  bad_period.corrects_period = 202613;
  assert_check_fails(&bad_period, COOP_E_BAD_INPUT, "correction of month 13");
  ledger_record no_type = base;
  no_type.memo_type = 0;
  assert_check_fails(&no_type, COOP_E_BAD_INPUT, "correction without the corrected type");
  ledger_record of_correction = base;
  of_correction.memo_type = LEDGER_RECORD_CORRECTION;
  assert_check_fails(&of_correction, COOP_E_BAD_INPUT, "correction of a correction");
  ledger_record unknown_type = base;
  unknown_type.memo_type = 14;
  assert_check_fails(&unknown_type, COOP_E_BAD_INPUT, "correction of type 14");
  ledger_record of_year_close = base;
  of_year_close.memo_type = LEDGER_RECORD_YEAR_CLOSE;
  assert_check_fails(&of_year_close, COOP_E_BAD_INPUT, "correction of a year close");
  ledger_record of_erased = base;
  of_erased.memo_type = LEDGER_RECORD_ERASED_MEMBER;
  assert_check_fails(&of_erased, COOP_E_BAD_INPUT, "correction of an erased member's totals");
}

Test(books_records, check_refuses_correction_fields_on_other_records)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  ledger_record with_corrects = record;
  with_corrects.corrects = 3;
  assert_check_fails(&with_corrects, COOP_E_BAD_INPUT, "revenue with corrects");
  ledger_record with_period = record;
  with_period.corrects_period = 202603;
  assert_check_fails(&with_period, COOP_E_BAD_INPUT, "revenue with corrects_period");
  ledger_record with_memo_type = record;
  with_memo_type.memo_type = LEDGER_RECORD_REVENUE;
  assert_check_fails(&with_memo_type, COOP_E_BAD_INPUT, "revenue with memo_type");
}

Test(books_records, check_refuses_unknown_types_and_bad_dates)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  ledger_record zero = record;
  zero.type = 0;
  assert_check_fails(&zero, COOP_E_BAD_INPUT, "type 0");
  ledger_record twelve = record;
  twelve.type = 14;
  assert_check_fails(&twelve, COOP_E_BAD_INPUT, "type 14");
  ledger_record bad_date = record;
  bad_date.date = 20260229;
  assert_check_fails(&bad_date, COOP_E_BAD_INPUT, "2026-02-29");
  bad_date.date = 0;
  assert_check_fails(&bad_date, COOP_E_BAD_INPUT, "date 0");
}

Test(books_records, decode_refuses_truncation_trailing_version_and_posting_count)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  snprintf(record.ref, sizeof record.ref, "inv-1");
  snprintf(record.note, sizeof record.note, "hello");
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  ledger_record back;
  for (size_t length = 0; length < out.len; length++) {
    coop_err err = ledger_record_decode(out.data, length, &back);
    cr_assert_neq(err, COOP_OK, "cut to %zu of %zu bytes decoded", length, out.len);
    cr_assert_eq(back.type, 0, "cut to %zu: output not zeroed", length);
  }
  uint8_t bytes[1024];
  memcpy(bytes, out.data, out.len);
  bytes[out.len] = 0;
  cr_assert_eq(ledger_record_decode(bytes, out.len + 1, &back), COOP_E_TRAILING);
  bytes[0] = 3;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_VERSION);
  /* Version 2 has four more bytes (the month it counts in): version 1's
   * bytes under version 2 are refused, never read askew. */
  bytes[0] = 2;
  cr_assert_neq(ledger_record_decode(bytes, out.len, &back), COOP_OK);
  bytes[0] = 0;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_VERSION);
  bytes[0] = 1;
  /* The posting count sits just before the postings (2 × 10 bytes). */
  size_t count_at = out.len - 2 * 10 - 1;
  cr_assert_eq(bytes[count_at], 2);
  bytes[count_at] = 17;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  bytes[count_at] = 255;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  coop_buf_release(&out);
}

Test(books_records, decode_runs_the_check_again)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  uint8_t bytes[1024];
  ledger_record back;
  /* Unbalance the last posting by one cent (its i64 starts 8 bytes before
   * the end). */
  memcpy(bytes, out.data, out.len);
  bytes[out.len - 8] ^= 1;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  /* An unknown account code. */
  memcpy(bytes, out.data, out.len);
  bytes[out.len - 10] = 0x01;
  bytes[out.len - 9] = 0x00;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  /* The member zeroed: a revenue record about nobody. */
  memcpy(bytes, out.data, out.len);
  memset(bytes + 6, 0, 3);
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  /* The date made 2026-02-29. */
  memcpy(bytes, out.data, out.len);
  coop_put_u32le(bytes + 2, 20260229);
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  coop_buf_release(&out);
}

Test(books_records, decode_refuses_bad_text)
{
  /* The pinned record below with its note "Ja" made "J\x01". */
  uint8_t bytes[256];
  size_t length = hex_to_bytes("01 01 db253501 3f9a2c 05 696e762d37 0200 4a01 "
                               "0000000000000000 0000000000000000 00000000 00 02 "
                               "e803 3930000000000000 a00f c7cfffffffffffff",
                               bytes, sizeof bytes);
  ledger_record back;
  cr_assert_eq(ledger_record_decode(bytes, length, &back), COOP_E_DECODE);
}

Test(books_records, pinned_record_bytes)
{
  /* Written by hand from the layout in ledger/books/books.c:
   *   u8 version 1 | u8 type 1 (revenue) | u32 date 20260315 | member 3f9a2c |
   *   u8 5 "inv-7" | u16 2 "Ja" | i64 quantity 0 | u64 corrects 0 |
   *   u32 corrects_period 0 | u8 memo_type 0 | u8 2 postings |
   *   u16 1000 i64 12345 | u16 4000 i64 -12345 */
  static const char expected[] = "01 01 db253501 3f9a2c 05 696e762d37 0200 4a61 "
                                 "0000000000000000 0000000000000000 00000000 00 02 "
                                 "e803 3930000000000000 a00f c7cfffffffffffff";
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 12345, member_a);
  snprintf(record.ref, sizeof record.ref, "inv-7");
  snprintf(record.note, sizeof record.note, "Ja");
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len, expected);
  /* And the hand-written bytes decode to the same record. */
  uint8_t bytes[256];
  size_t length = hex_to_bytes(expected, bytes, sizeof bytes);
  ledger_record back;
  cr_assert_eq(ledger_record_decode(bytes, length, &back), COOP_OK);
  assert_records_equal(&record, &back);
  coop_buf_release(&out);
}

/* A member's year close: her profit and loss to the result of earlier
 * years (docs/log-format.md, "Year close"). */
static ledger_record year_close_record(void)
{
  ledger_record record = {.type = LEDGER_RECORD_YEAR_CLOSE, .date = 20270101, .posting_count = 3};
  memcpy(record.member, member_a, LEDGER_MEMBER_ID_BYTES);
  snprintf(record.ref, sizeof record.ref, "year-close-2026-m-3f9a2c");
  snprintf(record.note, sizeof record.note, "jaarafsluiting 2026");
  record.postings[0] = (ledger_posting){LEDGER_ACCOUNT_MEMBER_REVENUE, 90000};
  record.postings[1] = (ledger_posting){LEDGER_ACCOUNT_MEMBER_COSTS, -12000};
  record.postings[2] = (ledger_posting){LEDGER_ACCOUNT_RESULT_EARLIER_YEARS, -78000};
  return record;
}

Test(books_records, pinned_year_close_bytes)
{
  /* u8 version 1 | u8 type 13 | u32 20270101 | member 3f9a2c | text8 ref |
   * text16 note | i64 0 | u64 0 | u32 0 | u8 0 | u8 3 postings |
   * 4000 +900.00 | 5000 -120.00 | 3900 -780.00 */
  static const char expected[] =
      "01 0d 154c3501 3f9a2c 18 796561722d636c6f73652d323032362d6d2d336639613263 "
      "1300 6a6161726166736c756974696e672032303236 0000000000000000 0000000000000000 "
      "00000000 00 03 a00f 905f010000000000 8813 20d1ffffffffffff 3c0f 50cffeffffffffff";
  ledger_record record = year_close_record();
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len, expected);
  ledger_record back;
  cr_assert_eq(ledger_record_decode(out.data, out.len, &back), COOP_OK);
  assert_records_equal(&record, &back);
  coop_buf_release(&out);
}

Test(books_records, year_close_moves_only_profit_and_loss_to_3900)
{
  ledger_record coop = year_close_record();
  memset(coop.member, 0, sizeof coop.member); /* the coop's own: no member accounts */
  coop.postings[0] = (ledger_posting){LEDGER_ACCOUNT_COOP_SHARE, 5000};
  coop.postings[1] = (ledger_posting){LEDGER_ACCOUNT_COOP_COSTS, -2000};
  coop.postings[2] = (ledger_posting){LEDGER_ACCOUNT_RESULT_EARLIER_YEARS, -3000};
  cr_assert_eq(ledger_record_check(&coop), COOP_OK);
  ledger_record member_accounts = coop;
  member_accounts.postings[0].account = LEDGER_ACCOUNT_MEMBER_REVENUE;
  assert_check_fails(&member_accounts, COOP_E_UNKNOWN_ACCOUNT, "a member's account without her");
  ledger_record bank = year_close_record();
  bank.postings[1].account = LEDGER_ACCOUNT_BANK;
  assert_check_fails(&bank, COOP_E_UNKNOWN_ACCOUNT, "a year close on the bank");
  ledger_record into_3900 = simple_record(LEDGER_RECORD_OPENING, 100, NULL);
  into_3900.postings[1].account = LEDGER_ACCOUNT_RESULT_EARLIER_YEARS;
  assert_check_fails(&into_3900, COOP_E_UNKNOWN_ACCOUNT, "3900 outside a year close");
  ledger_record unbalanced = year_close_record();
  unbalanced.postings[2].amount_cents++;
  assert_check_fails(&unbalanced, COOP_E_UNBALANCED, "an unbalanced year close");
}

Test(books_records, pinned_memo_correction_bytes)
{
  /* A correction of an hours memo: type 9, date 20260402 (0x01352632), no
   * ref, no note, quantity -4050 (0xfffffffffffff02e),
   * corrects 12 (index 11 + 1), corrects_period 202603, memo_type 6, no
   * postings. */
  ledger_record record = record_of(LEDGER_RECORD_CORRECTION, 20260402, member_a);
  record.memo_type = LEDGER_RECORD_HOURS;
  record.quantity = -4050;
  record.corrects = 12;
  record.corrects_period = 202603;
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len,
                   "01 09 32263501 3f9a2c 00 0000 "
                   "2ef0ffffffffffff 0c00000000000000 6b170300 06 00");
  coop_buf_release(&out);
}

Test(books_records, pinned_attributed_correction_bytes)
{
  /* Version 2: the same memo correction booked on 2026-04-02 but counting
   * in 2026-02 (0x00031776), the month of the record it corrects: four
   * bytes after memo_type.  Only an attributed record is version 2. */
  ledger_record record = record_of(LEDGER_RECORD_CORRECTION, 20260402, member_a);
  record.memo_type = LEDGER_RECORD_HOURS;
  record.quantity = -4050;
  record.corrects = 12;
  record.corrects_period = 202602;
  record.for_period = 202602;
  static const char expected[] = "02 09 32263501 3f9a2c 00 0000 "
                                 "2ef0ffffffffffff 0c00000000000000 6a170300 06 6a170300 00";
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  assert_bytes_hex(out.data, out.len, expected);
  uint8_t bytes[256];
  size_t length = hex_to_bytes(expected, bytes, sizeof bytes);
  ledger_record back;
  cr_assert_eq(ledger_record_decode(bytes, length, &back), COOP_OK);
  assert_records_equal(&record, &back);
  cr_assert_eq(ledger_record_month(&back), 202602);
  /* Version 2 with no month, or with the date's own month or a later one,
   * is refused both ways: one record has one encoding. */
  static const size_t for_period_at = 1 + 1 + 4 + 3 + 1 + 2 + 8 + 8 + 4 + 1;
  memset(bytes + for_period_at, 0, 4);
  cr_assert_eq(ledger_record_decode(bytes, length, &back), COOP_E_DECODE);
  record.for_period = 202604;
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_E_BAD_INPUT);
  record.for_period = 202613;
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_E_BAD_INPUT);
  record.for_period = 0;
  cr_assert_eq(ledger_record_month(&record), 202604);
  coop_buf_release(&out);
}

/* Encode and decode are the pair of critical checks: bytes that encode
 * produces must decode.  A record whose texts decode refuses must not be
 * encoded (or it would be signed into the log and then be unreadable). */
Test(books_records, encode_refuses_texts_that_decode_refuses)
{
  static const char *const bad_texts[] = {"bell\x07", "esc\x1b[0m", "\xff\xfe", "cr\rlf",
                                          "\xc3"};
  for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
    ledger_record with_note = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
    snprintf(with_note.note, sizeof with_note.note, "%s", bad_texts[i]);
    ledger_record with_ref = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
    snprintf(with_ref.ref, sizeof with_ref.ref, "%s", bad_texts[i]);
    const ledger_record *cases[] = {&with_note, &with_ref};
    for (size_t c = 0; c < 2; c++) {
      coop_buf out;
      coop_buf_init(&out, 65536);
      coop_err encoded = ledger_record_encode(cases[c], &out);
      ledger_record back;
      coop_err decoded = encoded ? COOP_E_DECODE : ledger_record_decode(out.data, out.len, &back);
      cr_expect(encoded != COOP_OK || decoded == COOP_OK,
                "text %zu in the %s: encode accepted bytes decode refuses (%s)", i,
                c ? "ref" : "note", coop_err_name(decoded));
      coop_buf_release(&out);
    }
  }
}

Test(books_members, encode_refuses_texts_that_decode_refuses)
{
  static const char *const bad_texts[] = {"bell\x07", "\xff", "esc\x1b"};
  for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
    ledger_member_payload with_name = enrolment(), with_ref = enrolment();
    snprintf(with_name.name, sizeof with_name.name, "%s", bad_texts[i]);
    snprintf(with_ref.client_ref, sizeof with_ref.client_ref, "%s", bad_texts[i]);
    const ledger_member_payload *cases[] = {&with_name, &with_ref};
    for (size_t c = 0; c < 2; c++) {
      coop_buf out;
      coop_buf_init(&out, 65536);
      coop_err encoded = ledger_member_encode(cases[c], &out);
      ledger_member_payload back;
      coop_err decoded = encoded ? COOP_E_DECODE : ledger_member_decode(out.data, out.len, &back);
      cr_expect(encoded != COOP_OK || decoded == COOP_OK,
                "text %zu in the %s: encode accepted bytes decode refuses (%s)", i,
                c ? "client ref" : "name", coop_err_name(decoded));
      coop_buf_release(&out);
    }
  }
}

/* On failure a decoder zeroes its output (STYLE: "outputs are untouched or
 * zeroed"); ledger_record_decode does so on every path but one. */
Test(books_records, refused_posting_count_leaves_no_partial_record)
{
  ledger_record record = simple_record(LEDGER_RECORD_REVENUE, 100, member_a);
  snprintf(record.ref, sizeof record.ref, "inv-1");
  coop_buf out;
  coop_buf_init(&out, 65536);
  cr_assert_eq(ledger_record_encode(&record, &out), COOP_OK);
  uint8_t bytes[1024];
  memcpy(bytes, out.data, out.len);
  bytes[out.len - 2 * 10 - 1] = 17;
  ledger_record back;
  cr_assert_eq(ledger_record_decode(bytes, out.len, &back), COOP_E_DECODE);
  cr_expect_eq(back.type, 0, "type %u left behind", back.type);
  cr_expect_str_eq(back.ref, "", "ref '%s' left behind", back.ref);
  cr_expect_eq(back.posting_count, 0, "posting count %u left behind", back.posting_count);
  coop_buf_release(&out);
}
