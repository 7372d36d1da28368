/* Monthly statement payloads (ledger/books/statement.c): round trips with sources,
 * every truncation and trailing byte refused, versions, hand-patched payloads
 * whose split does not add up, the figures hash (pinned to an independent
 * computation over the payload's own figure bytes), and a property over
 * thousands of engine-computed months. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/buffer.h"
#include "ledger/books/statement.h"

/* Byte offsets in a version-1 payload, written out from the layout in
 * ledger/books/statement.c (write_body, write_month, write_figures, write_state). */
enum {
  AT_VERSION = 0,
  AT_MEMBER = 1,
  AT_PERIOD = 4,
  AT_RULE_SET_LOG = 8,
  AT_RULE_SET_INDEX = 40,
  AT_RULE_SET_LEAF = 48,
  AT_CORRECTS = 80,
  AT_MONTH = 88,                /* u16 year, u8 month */
  AT_MONTH_REVENUE = 91,
  AT_MONTH_COSTS = 99,
  AT_MONTH_AGE = 131,
  AT_MONTH_FLAGS = 139,
  AT_FIGURES = 140,             /* u16 year, u8 month */
  AT_DISREGARD_KIND = 143,
  AT_ABOVE_NORM = 144,
  AT_PROFIT = 145,              /* then 15 more i64, 8 bytes apart */
  AT_COOP_SHARE = 153,
  AT_NET_INCOME = 161,
  AT_DISREGARD = 169,
  AT_OFFSET = 201,
  AT_BENEFIT = 209,
  AT_TO_MUNICIPALITY = 217,
  AT_TO_BUDGET = 225,
  AT_FIGURES_END = 273,
  AT_STATE = 273,
  AT_N_WINDOW_OPENED = 277,
  AT_SOURCE_COUNT = 305,
  AT_SOURCES = 307,
  SOURCE_BYTES = 40,
};

/* ---- Fixtures ------------------------------------------------------------- */

static ledger_offset_rule_set breda_2026(void)
{
  ledger_offset_rule_set rule_set;
  memset(&rule_set, 0, sizeof rule_set);
  snprintf(rule_set.municipality, sizeof rule_set.municipality, "Breda");
  rule_set.effective_from = (ledger_offset_period){2026, 1};
  rule_set.regime = LEDGER_OFFSET_REGIME_PW2015;
  rule_set.norm_cents = 140150;
  rule_set.coop_pct_basis_points = 1000;
  rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_STATUTORY;
  rule_set.loss_rule = LEDGER_OFFSET_LOSS_FLOOR_ZERO;
  rule_set.min_age_nrk_years = 27;
  rule_set.pct_n_basis_points = 2500;
  rule_set.cap_n_cents = 28500;
  rule_set.n_months = 6;
  rule_set.pct_r_basis_points = 1250;
  rule_set.cap_r_cents = 17766;
  rule_set.r_months = 30;
  rule_set.pct_y_basis_points = 1500;
  rule_set.cap_y_cents = 18019;
  rule_set.pct_34a_basis_points = 1500;
  rule_set.months_34a = 12;
  rule_set.k_month_cents = 22000;
  rule_set.k_year_cents = 220000;
  return rule_set;
}

/* Worked example 2's last month (n capped, volunteer allowance), computed by
 * the engine, with `sources` made-up source records. */
static ledger_statement_payload *good_statement(unsigned sources)
{
  ledger_statement_payload *statement = calloc(1, sizeof *statement);
  cr_assert_not_null(statement);
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month;
  memset(&month, 0, sizeof month);
  month.period = (ledger_offset_period){2026, 1};
  month.revenue_cents = 1000;
  month.age_years = 30;
  month.n_approved = true;
  ledger_offset_statement figures;
  cr_assert_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &figures), COOP_OK);
  month.period = (ledger_offset_period){2026, 3};
  month.revenue_cents = 200000;
  month.costs_cents = 30000;
  month.volunteer_allowance_cents = 15000;
  month.hours = 70;
  month.single_parent_child_under_12 = true;
  cr_assert_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &figures), COOP_OK);
  cr_assert_eq(figures.to_budget_cents, 28500);

  statement->member[0] = 0x3f;
  statement->member[1] = 0x9a;
  statement->member[2] = 0x2c;
  statement->period = 202603;
  memset(statement->rule_set_log, 0x44, sizeof statement->rule_set_log);
  statement->rule_set_index = 7;
  memset(statement->rule_set_leaf_hash, 0x55, sizeof statement->rule_set_leaf_hash);
  statement->corrects = 0;
  statement->month = month;
  statement->figures = figures;
  statement->figures.rule_set_index = 0; /* an array index of the caller: not encoded */
  statement->state_after = state;
  statement->source_count = (uint16_t)sources;
  for (unsigned i = 0; i < sources; i++) {
    statement->sources[i].index = 100 + 3 * (uint64_t)i;
    memset(statement->sources[i].leaf_hash, (int)(i & 0xff), LEDGER_HASH_BYTES);
    statement->sources[i].leaf_hash[31] = (uint8_t)(i >> 8);
  }
  strcpy(statement->member_name, "Anna de Vries");
  strcpy(statement->client_ref, "TB-20417");
  statement->has_member_key = true;
  memset(statement->member_key, 0x66, sizeof statement->member_key);
  return statement;
}

/* Version 2's tail after the sources: name, client ref, key flag and key. */
#define MEMBER_TAIL_BYTES (1 + 13 + 1 + 8 + 1 + 32)

static void encode_ok(const ledger_statement_payload *statement, coop_buf *out)
{
  coop_buf_init(out, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_statement_encode(statement, out);
  cr_assert_eq(err, COOP_OK, "encode: %s", coop_err_name(err));
}

static coop_err decode(const uint8_t *bytes, size_t count)
{
  ledger_statement_payload *back = malloc(sizeof *back);
  cr_assert_not_null(back);
  coop_err err = ledger_statement_decode(bytes, count, back);
  free(back);
  return err;
}

static void assert_months_equal(const ledger_offset_month *a, const ledger_offset_month *b)
{
  cr_assert_eq(a->period.year, b->period.year);
  cr_assert_eq(a->period.month, b->period.month);
  cr_assert_eq(a->revenue_cents, b->revenue_cents);
  cr_assert_eq(a->costs_cents, b->costs_cents);
  cr_assert_eq(a->volunteer_allowance_cents, b->volunteer_allowance_cents);
  cr_assert_eq(a->other_income_cents, b->other_income_cents);
  cr_assert_eq(a->hours, b->hours);
  cr_assert_eq(a->age_years, b->age_years);
  cr_assert_eq(a->n_approved, b->n_approved);
  cr_assert_eq(a->medical_hours_limit, b->medical_hours_limit);
  cr_assert_eq(a->single_parent_child_under_12, b->single_parent_child_under_12);
}

static void assert_figures_equal(const ledger_offset_statement *a, const ledger_offset_statement *b)
{
  cr_assert_eq(a->period.year, b->period.year);
  cr_assert_eq(a->period.month, b->period.month);
  cr_assert_eq(a->profit_cents, b->profit_cents);
  cr_assert_eq(a->coop_share_cents, b->coop_share_cents);
  cr_assert_eq(a->net_income_cents, b->net_income_cents);
  cr_assert_eq(a->disregard_cents, b->disregard_cents);
  cr_assert_eq(a->disregard_kind, b->disregard_kind);
  cr_assert_eq(a->volunteer_disregarded_cents, b->volunteer_disregarded_cents);
  cr_assert_eq(a->volunteer_counted_cents, b->volunteer_counted_cents);
  cr_assert_eq(a->counted_income_cents, b->counted_income_cents);
  cr_assert_eq(a->offset_cents, b->offset_cents);
  cr_assert_eq(a->benefit_cents, b->benefit_cents);
  cr_assert_eq(a->above_norm, b->above_norm);
  cr_assert_eq(a->to_municipality_cents, b->to_municipality_cents);
  cr_assert_eq(a->to_budget_cents, b->to_budget_cents);
  cr_assert_eq(a->n_used, b->n_used);
  cr_assert_eq(a->r_used, b->r_used);
  cr_assert_eq(a->a34_used, b->a34_used);
  cr_assert_eq(a->k_ytd_cents, b->k_ytd_cents);
  cr_assert_eq(a->loss_carried_cents, b->loss_carried_cents);
}

static void assert_windows_equal(const ledger_offset_window *a, const ledger_offset_window *b)
{
  cr_assert_eq(a->opened, b->opened);
  if (a->opened) {
    cr_assert_eq(a->start.year, b->start.year);
    cr_assert_eq(a->start.month, b->start.month);
  }
}

static void assert_statements_equal(const ledger_statement_payload *a,
                                    const ledger_statement_payload *b)
{
  cr_assert_arr_eq(a->member, b->member, LEDGER_MEMBER_ID_BYTES);
  cr_assert_str_eq(a->member_name, b->member_name);
  cr_assert_str_eq(a->client_ref, b->client_ref);
  cr_assert_eq(a->has_member_key, b->has_member_key);
  cr_assert_arr_eq(a->member_key, b->member_key, LEDGER_PUBLIC_KEY_BYTES);
  cr_assert_eq(a->period, b->period);
  cr_assert_arr_eq(a->rule_set_log, b->rule_set_log, LEDGER_LOG_ID_BYTES);
  cr_assert_eq(a->rule_set_index, b->rule_set_index);
  cr_assert_arr_eq(a->rule_set_leaf_hash, b->rule_set_leaf_hash, LEDGER_HASH_BYTES);
  cr_assert_eq(a->corrects, b->corrects);
  assert_months_equal(&a->month, &b->month);
  assert_figures_equal(&a->figures, &b->figures);
  cr_assert_eq(a->state_after.has_month, b->state_after.has_month);
  cr_assert_eq(a->state_after.last.year, b->state_after.last.year);
  cr_assert_eq(a->state_after.last.month, b->state_after.last.month);
  assert_windows_equal(&a->state_after.n_window, &b->state_after.n_window);
  assert_windows_equal(&a->state_after.r_window, &b->state_after.r_window);
  assert_windows_equal(&a->state_after.a34_window, &b->state_after.a34_window);
  cr_assert_eq(a->state_after.k_ytd_cents, b->state_after.k_ytd_cents);
  cr_assert_eq(a->state_after.loss_carried_cents, b->state_after.loss_carried_cents);
  cr_assert_eq(a->source_count, b->source_count);
  for (unsigned i = 0; i < a->source_count; i++) {
    cr_assert_eq(a->sources[i].index, b->sources[i].index, "source %u", i);
    cr_assert_arr_eq(a->sources[i].leaf_hash, b->sources[i].leaf_hash, LEDGER_HASH_BYTES,
                     "source %u", i);
  }
}

static void assert_round_trips(const ledger_statement_payload *statement)
{
  coop_buf first, second;
  encode_ok(statement, &first);
  size_t tail = 1 + strlen(statement->member_name) + 1 + strlen(statement->client_ref) + 1 +
                (statement->has_member_key ? LEDGER_PUBLIC_KEY_BYTES : 0);
  cr_assert_eq(first.len, AT_SOURCES + (size_t)statement->source_count * SOURCE_BYTES + tail);
  ledger_statement_payload *back = malloc(sizeof *back);
  cr_assert_not_null(back);
  coop_err err = ledger_statement_decode(first.data, first.len, back);
  cr_assert_eq(err, COOP_OK, "decode: %s", coop_err_name(err));
  assert_statements_equal(statement, back);
  encode_ok(back, &second);
  cr_assert_eq(second.len, first.len);
  cr_assert_arr_eq(second.data, first.data, first.len, "a second encoding differs");
  free(back);
  coop_buf_release(&first);
  coop_buf_release(&second);
}

static void put_i64(uint8_t *bytes, size_t at, int64_t value)
{
  coop_put_u64le(bytes + at, (uint64_t)value);
}

static int64_t get_i64(const uint8_t *bytes, size_t at)
{
  return (int64_t)coop_get_u64le(bytes + at);
}

/* ---- Round trips ---------------------------------------------------------------- */

Test(statement, round_trip_with_sources)
{
  ledger_statement_payload *statement = good_statement(5);
  assert_round_trips(statement);
  statement->corrects = 42;
  assert_round_trips(statement);
  free(statement);
}

Test(statement, round_trip_without_sources)
{
  ledger_statement_payload *statement = good_statement(0);
  assert_round_trips(statement);
  free(statement);
}

Test(statement, round_trip_with_the_most_sources)
{
  ledger_statement_payload *statement = good_statement(LEDGER_STATEMENT_SOURCES_MAX);
  assert_round_trips(statement);
  free(statement);
}

Test(statement, offsets_match_the_layout)
{
  /* The offsets used for patching below are the layout's: check them on a
   * known payload before trusting them. */
  ledger_statement_payload *statement = good_statement(2);
  coop_buf out;
  encode_ok(statement, &out);
  const uint8_t *bytes = out.data;
  cr_assert_eq(bytes[AT_VERSION], 2);
  size_t tail = AT_SOURCES + 2 * SOURCE_BYTES;
  cr_assert_eq(out.len, tail + MEMBER_TAIL_BYTES);
  cr_assert_eq(bytes[tail], 13);
  cr_assert_arr_eq(bytes + tail + 1, "Anna de Vries", 13);
  cr_assert_eq(bytes[tail + 14], 8);
  cr_assert_arr_eq(bytes + tail + 15, "TB-20417", 8);
  cr_assert_eq(bytes[tail + 23], 1);
  cr_assert_eq(bytes[tail + 24], 0x66);
  cr_assert_arr_eq(bytes + AT_MEMBER, statement->member, 3);
  cr_assert_eq(coop_get_u32le(bytes + AT_PERIOD), 202603);
  cr_assert_eq(bytes[AT_RULE_SET_LOG], 0x44);
  cr_assert_eq(coop_get_u64le(bytes + AT_RULE_SET_INDEX), 7);
  cr_assert_eq(bytes[AT_RULE_SET_LEAF], 0x55);
  cr_assert_eq(coop_get_u64le(bytes + AT_CORRECTS), 0);
  cr_assert_eq(coop_get_u16le(bytes + AT_MONTH), 2026);
  cr_assert_eq(bytes[AT_MONTH + 2], 3);
  cr_assert_eq(get_i64(bytes, AT_MONTH_REVENUE), 200000);
  cr_assert_eq(get_i64(bytes, AT_MONTH_COSTS), 30000);
  cr_assert_eq(get_i64(bytes, AT_MONTH_AGE), 30);
  cr_assert_eq(bytes[AT_MONTH_FLAGS], 1 | 4);
  cr_assert_eq(coop_get_u16le(bytes + AT_FIGURES), 2026);
  cr_assert_eq(bytes[AT_DISREGARD_KIND], LEDGER_OFFSET_DISREGARD_N);
  cr_assert_eq(bytes[AT_ABOVE_NORM], 0);
  cr_assert_eq(get_i64(bytes, AT_PROFIT), 170000);
  cr_assert_eq(get_i64(bytes, AT_COOP_SHARE), 17000);
  cr_assert_eq(get_i64(bytes, AT_NET_INCOME), 153000);
  cr_assert_eq(get_i64(bytes, AT_DISREGARD), 28500);
  cr_assert_eq(get_i64(bytes, AT_OFFSET), 124500);
  cr_assert_eq(get_i64(bytes, AT_BENEFIT), 15650);
  cr_assert_eq(get_i64(bytes, AT_TO_MUNICIPALITY), 124500);
  cr_assert_eq(get_i64(bytes, AT_TO_BUDGET), 28500);
  cr_assert_eq(bytes[AT_N_WINDOW_OPENED], 1);
  cr_assert_eq(coop_get_u16le(bytes + AT_SOURCE_COUNT), 2);
  cr_assert_eq(coop_get_u64le(bytes + AT_SOURCES), 100);
  cr_assert_eq(coop_get_u64le(bytes + AT_SOURCES + SOURCE_BYTES), 103);
  coop_buf_release(&out);
  free(statement);
}

/* ---- Refusals -------------------------------------------------------------------- */

Test(statement, every_truncation_is_refused)
{
  ledger_statement_payload *statement = good_statement(3);
  coop_buf out;
  encode_ok(statement, &out);
  ledger_statement_payload *back = malloc(sizeof *back);
  cr_assert_not_null(back);
  for (size_t length = 0; length < out.len; length++) {
    memset(back, 0x5a, sizeof *back);
    coop_err err = ledger_statement_decode(out.data, length, back);
    cr_assert_neq(err, COOP_OK, "cut to %zu of %zu bytes decoded", length, out.len);
    cr_assert_eq(back->period, 0, "cut to %zu: output not zeroed", length);
  }
  free(back);
  coop_buf_release(&out);
  free(statement);
}

Test(statement, trailing_bytes_are_refused)
{
  ledger_statement_payload *statement = good_statement(1);
  coop_buf out;
  encode_ok(statement, &out);
  uint8_t *longer = malloc(out.len + 40);
  cr_assert_not_null(longer);
  memcpy(longer, out.data, out.len);
  memset(longer + out.len, 0, 40);
  cr_assert_eq(decode(longer, out.len + 1), COOP_E_TRAILING);
  /* One source more than the count says is trailing too. */
  cr_assert_eq(decode(longer, out.len + SOURCE_BYTES), COOP_E_TRAILING);
  free(longer);
  coop_buf_release(&out);
  free(statement);
}

Test(statement, other_versions_are_refused)
{
  ledger_statement_payload *statement = good_statement(1);
  coop_buf out;
  encode_ok(statement, &out);
  for (unsigned version = 0; version < 256; version++) {
    if (version == 1 || version == 2)
      continue;
    out.data[AT_VERSION] = (uint8_t)version;
    cr_assert_eq(decode(out.data, out.len), COOP_E_VERSION, "version %u", version);
  }
  coop_buf_release(&out);
  free(statement);
}

Test(statement, version_1_without_names_still_decodes)
{
  /* Statements signed before version 2 have no member tail: they read with
   * version 1 and empty names; a version 1 byte before a tail, or a version 2
   * byte without one, is refused. */
  ledger_statement_payload *statement = good_statement(1);
  coop_buf out;
  encode_ok(statement, &out);
  size_t v1_bytes = out.len - MEMBER_TAIL_BYTES;
  cr_assert_eq(decode(out.data, v1_bytes), COOP_E_DECODE, "v2 without its tail");
  out.data[AT_VERSION] = 1;
  cr_assert_eq(decode(out.data, out.len), COOP_E_TRAILING, "v1 with a tail");
  ledger_statement_payload *back = malloc(sizeof *back);
  cr_assert_not_null(back);
  cr_assert_eq(ledger_statement_decode(out.data, v1_bytes, back), COOP_OK);
  cr_assert_eq(back->version, 1);
  cr_assert_str_eq(back->member_name, "");
  cr_assert_str_eq(back->client_ref, "");
  cr_assert(!back->has_member_key);
  cr_assert_eq(back->period, 202603);
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period = 0;
  coop_buf again;
  encode_ok(back, &again); /* an old statement encodes back to its own bytes */
  cr_assert_eq(again.len, v1_bytes);
  cr_assert_arr_eq(again.data, out.data, v1_bytes);
  coop_buf_release(&again);
  cr_assert_eq(ledger_statement_peek(out.data, v1_bytes, member, &period), COOP_OK);
  cr_assert_eq(period, 202603);
  cr_assert_arr_eq(member, statement->member, LEDGER_MEMBER_ID_BYTES);
  out.data[AT_VERSION] = 3;
  cr_assert_eq(ledger_statement_peek(out.data, out.len, member, &period), COOP_E_VERSION);
  free(back);
  coop_buf_release(&out);
  free(statement);
}

Test(statement, a_key_flag_other_than_0_or_1_is_refused)
{
  ledger_statement_payload *statement = good_statement(0);
  coop_buf out;
  encode_ok(statement, &out);
  out.data[out.len - 33] = 2; /* the flag before the 32-byte key */
  cr_assert_eq(decode(out.data, out.len), COOP_E_DECODE);
  coop_buf_release(&out);
  free(statement);
}

/* Encodes a good statement, applies `patch` to its bytes, and expects the
 * decoder to refuse them. */
static void expect_patched_refused(void (*patch)(uint8_t *bytes), const char *what)
{
  ledger_statement_payload *statement = good_statement(2);
  coop_buf out;
  encode_ok(statement, &out);
  cr_assert_eq(decode(out.data, out.len), COOP_OK);
  patch(out.data);
  coop_err err = decode(out.data, out.len);
  cr_expect_eq(err, COOP_E_DECODE, "%s: decode gave %s", what, coop_err_name(err));
  coop_buf_release(&out);
  free(statement);
}

static void budget_up(uint8_t *bytes)
{
  put_i64(bytes, AT_TO_BUDGET, get_i64(bytes, AT_TO_BUDGET) + 1);
}

static void municipality_down(uint8_t *bytes)
{
  put_i64(bytes, AT_TO_MUNICIPALITY, get_i64(bytes, AT_TO_MUNICIPALITY) - 1);
}

static void net_income_up(uint8_t *bytes)
{
  put_i64(bytes, AT_NET_INCOME, get_i64(bytes, AT_NET_INCOME) + 1);
}

static void budget_negative_municipality_more(uint8_t *bytes)
{
  /* M + B still equals I, but B is negative. */
  int64_t budget = get_i64(bytes, AT_TO_BUDGET);
  put_i64(bytes, AT_TO_BUDGET, -1);
  put_i64(bytes, AT_TO_MUNICIPALITY, get_i64(bytes, AT_TO_MUNICIPALITY) + budget + 1);
}

static void municipality_huge(uint8_t *bytes)
{
  /* An overflowing split must not wrap round to a match. */
  put_i64(bytes, AT_TO_MUNICIPALITY, INT64_MAX);
  put_i64(bytes, AT_TO_BUDGET, INT64_MAX);
}

Test(statement, a_split_that_does_not_add_up_is_refused)
{
  expect_patched_refused(budget_up, "budget + 1");
  expect_patched_refused(municipality_down, "municipality - 1");
  expect_patched_refused(net_income_up, "net income + 1");
  expect_patched_refused(budget_negative_municipality_more, "negative budget");
}

Test(statement, an_overflowing_split_is_refused)
{
  expect_patched_refused(municipality_huge, "M = B = INT64_MAX");
}

static void coop_share_up(uint8_t *bytes)
{
  put_i64(bytes, AT_COOP_SHARE, get_i64(bytes, AT_COOP_SHARE) + 1);
}

static void coop_share_and_profit_down(uint8_t *bytes)
{
  /* C + M + B now exceeds max(P, 0) by far. */
  put_i64(bytes, AT_PROFIT, 1);
}

/* The header promises "the split (C + M + B = max(P, 0) after losses)": a
 * split larger than the profit can never be right, whatever was carried. */
Test(statement, a_split_larger_than_the_profit_is_refused)
{
  expect_patched_refused(coop_share_up, "coop share + 1 (C + M + B > P)");
  expect_patched_refused(coop_share_and_profit_down, "profit 0.01 with a split of 1700.00");
}

static void flags_eight(uint8_t *bytes)
{
  bytes[AT_MONTH_FLAGS] = 8;
}

static void above_norm_two(uint8_t *bytes)
{
  bytes[AT_ABOVE_NORM] = 2;
}

static void window_opened_two(uint8_t *bytes)
{
  bytes[AT_N_WINDOW_OPENED] = 2;
}

static void figures_other_month(uint8_t *bytes)
{
  bytes[AT_FIGURES + 2] = 4;
}

static void statement_month_thirteen(uint8_t *bytes)
{
  coop_put_u32le(bytes + AT_PERIOD, 202613);
}

static void revenue_negative(uint8_t *bytes)
{
  put_i64(bytes, AT_MONTH_REVENUE, -1);
}

static void age_past_limit(uint8_t *bytes)
{
  put_i64(bytes, AT_MONTH_AGE, LEDGER_OFFSET_AGE_MAX + 1);
}

static void benefit_negative(uint8_t *bytes)
{
  put_i64(bytes, AT_BENEFIT, -1);
}

static void source_count_past_limit(uint8_t *bytes)
{
  coop_put_u16le(bytes + AT_SOURCE_COUNT, LEDGER_STATEMENT_SOURCES_MAX + 1);
}

Test(statement, out_of_range_fields_are_refused)
{
  expect_patched_refused(flags_eight, "month flags 8");
  expect_patched_refused(above_norm_two, "above_norm 2");
  expect_patched_refused(window_opened_two, "n window opened 2");
  expect_patched_refused(figures_other_month, "figures for another month");
  expect_patched_refused(statement_month_thirteen, "period 2026-13");
  expect_patched_refused(revenue_negative, "negative revenue");
  expect_patched_refused(age_past_limit, "age 151");
  expect_patched_refused(benefit_negative, "negative benefit");
  expect_patched_refused(source_count_past_limit, "1001 sources");
}

Test(statement, encode_refuses_what_decode_refuses)
{
  ledger_statement_payload *statement = good_statement(1);
  coop_buf out;
  coop_buf_init(&out, COOP_PAYLOAD_BYTES_MAX);
  ledger_statement_payload broken = *statement;
  broken.figures.to_budget_cents += 1;
  cr_assert_neq(ledger_statement_encode(&broken, &out), COOP_OK);
  broken = *statement;
  broken.figures.period.month = 4;
  cr_assert_neq(ledger_statement_encode(&broken, &out), COOP_OK);
  broken = *statement;
  broken.period = 202600;
  broken.figures.period.month = 0;
  cr_assert_neq(ledger_statement_encode(&broken, &out), COOP_OK);
  broken = *statement;
  broken.month.costs_cents = -5;
  cr_assert_neq(ledger_statement_encode(&broken, &out), COOP_OK);
  broken = *statement;
  broken.source_count = LEDGER_STATEMENT_SOURCES_MAX + 1;
  cr_assert_neq(ledger_statement_encode(&broken, &out), COOP_OK);
  cr_assert_eq(out.len, 0, "refused statements wrote %zu bytes", out.len);
  coop_buf_release(&out);
  free(statement);
}

/* ---- The figures hash ------------------------------------------------------------- */

Test(statement, figures_hash_is_sha256_of_domain_and_figure_bytes)
{
  /* Computed independently: SHA-256("coop-statement-figures-v1" NUL ||
   * the figures exactly as they sit in the payload). */
  ledger_statement_payload *statement = good_statement(2);
  coop_buf out;
  encode_ok(statement, &out);
  static const char domain[] = "coop-statement-figures-v1";
  uint8_t message[sizeof domain + (AT_FIGURES_END - AT_FIGURES)];
  memcpy(message, domain, sizeof domain);
  memcpy(message + sizeof domain, out.data + AT_FIGURES, AT_FIGURES_END - AT_FIGURES);
  uint8_t expected[LEDGER_HASH_BYTES], actual[LEDGER_HASH_BYTES];
  crypto_hash_sha256(expected, message, sizeof message);
  ledger_statement_figures_hash(statement, actual);
  cr_assert_arr_eq(actual, expected, LEDGER_HASH_BYTES);
  coop_buf_release(&out);
  free(statement);
}

static void hash_of(const ledger_statement_payload *statement, uint8_t out[LEDGER_HASH_BYTES])
{
  ledger_statement_figures_hash(statement, out);
}

Test(statement, figures_hash_changes_with_every_figure)
{
  ledger_statement_payload *statement = good_statement(2);
  uint8_t base[LEDGER_HASH_BYTES];
  hash_of(statement, base);
  ledger_offset_statement *f = &statement->figures;
  int64_t *values[] = {&f->profit_cents,       &f->coop_share_cents,
                       &f->net_income_cents,   &f->disregard_cents,
                       &f->volunteer_disregarded_cents, &f->volunteer_counted_cents,
                       &f->counted_income_cents, &f->offset_cents,
                       &f->benefit_cents,      &f->to_municipality_cents,
                       &f->to_budget_cents,    &f->n_used,
                       &f->r_used,             &f->a34_used,
                       &f->k_ytd_cents,        &f->loss_carried_cents};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    int64_t saved = *values[i];
    *values[i] = saved + 1;
    uint8_t changed[LEDGER_HASH_BYTES];
    hash_of(statement, changed);
    cr_assert(memcmp(changed, base, LEDGER_HASH_BYTES) != 0, "figure %zu not in the hash", i);
    *values[i] = saved;
  }
  uint8_t changed[LEDGER_HASH_BYTES];
  f->above_norm = !f->above_norm;
  hash_of(statement, changed);
  cr_assert(memcmp(changed, base, LEDGER_HASH_BYTES) != 0, "above_norm not in the hash");
  f->above_norm = !f->above_norm;
  f->disregard_kind = LEDGER_OFFSET_DISREGARD_R;
  hash_of(statement, changed);
  cr_assert(memcmp(changed, base, LEDGER_HASH_BYTES) != 0, "disregard kind not in the hash");
  f->disregard_kind = LEDGER_OFFSET_DISREGARD_N;
  f->period.month = 4;
  hash_of(statement, changed);
  cr_assert(memcmp(changed, base, LEDGER_HASH_BYTES) != 0, "period not in the hash");
  f->period.month = 3;
  hash_of(statement, changed);
  cr_assert_arr_eq(changed, base, LEDGER_HASH_BYTES, "restoring the figures restores the hash");
  free(statement);
}

Test(statement, figures_hash_ignores_sources_and_other_fields)
{
  ledger_statement_payload *statement = good_statement(2);
  uint8_t base[LEDGER_HASH_BYTES], other[LEDGER_HASH_BYTES];
  hash_of(statement, base);
  statement->sources[0].index = 999;
  statement->sources[1].leaf_hash[0] ^= 0xff;
  statement->source_count = 1;
  hash_of(statement, other);
  cr_assert_arr_eq(other, base, LEDGER_HASH_BYTES, "sources changed the figures hash");
  statement->corrects = 17;
  statement->rule_set_index = 99;
  statement->month.hours = 1;
  statement->state_after.k_ytd_cents = 1;
  hash_of(statement, other);
  cr_assert_arr_eq(other, base, LEDGER_HASH_BYTES, "non-figures changed the figures hash");
  free(statement);
}

/* ---- Property: every engine statement encodes, decodes and splits exactly ------- */

static uint64_t next_random(uint64_t *state)
{
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * UINT64_C(2685821657736338717);
}

Test(statement, property_engine_statements_round_trip)
{
  uint64_t seed = 7;
  ledger_statement_payload *statement = calloc(1, sizeof *statement);
  cr_assert_not_null(statement);
  int checked = 0;
  for (int member = 0; member < 60; member++) {
    ledger_offset_rule_set rule_set = breda_2026();
    if (member % 3 == 1) {
      rule_set.loss_rule = LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR;
    } else if (member % 3 == 2) {
      rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_PERCENT;
      rule_set.muni_pct_basis_points = (int64_t)(next_random(&seed) % 10001);
    }
    rule_set.coop_pct_basis_points = (int64_t)(next_random(&seed) % 3001);
    ledger_offset_state state;
    ledger_offset_state_init(&state);
    for (int m = 0; m < 36; m++) {
      ledger_offset_month month;
      memset(&month, 0, sizeof month);
      month.period = (ledger_offset_period){2026 + m / 12, m % 12 + 1};
      month.revenue_cents = (int64_t)(next_random(&seed) % 400000);
      month.costs_cents = (int64_t)(next_random(&seed) % 200000);
      month.volunteer_allowance_cents = (int64_t)(next_random(&seed) % 40000);
      month.other_income_cents = (int64_t)(next_random(&seed) % 3 == 0 ? next_random(&seed) % 150000 : 0);
      month.hours = (int64_t)(next_random(&seed) % 200);
      month.age_years = 20 + member % 40;
      uint64_t flags = next_random(&seed);
      month.n_approved = flags & 1;
      month.medical_hours_limit = (flags & 6) == 6;
      month.single_parent_child_under_12 = (flags & 8) != 0;
      memset(statement, 0, sizeof *statement);
      coop_err err = ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement->figures);
      cr_assert_eq(err, COOP_OK, "member %d month %d: %s", member, m, coop_err_name(err));
      statement->figures.rule_set_index = 0;
      statement->member[0] = (uint8_t)member;
      statement->member[2] = 1;
      statement->period = (uint32_t)(month.period.year * 100 + month.period.month);
      statement->month = month;
      statement->state_after = state;
      statement->source_count = (uint16_t)(next_random(&seed) % 4);
      const ledger_offset_statement *f = &statement->figures;
      int64_t split = f->coop_share_cents + f->to_municipality_cents + f->to_budget_cents;
      int64_t profit = f->profit_cents > 0 ? f->profit_cents : 0;
      cr_assert_leq(split, profit, "member %d month %d: split %" PRId64 " > profit %" PRId64,
                    member, m, split, profit);
      if (rule_set.loss_rule == LEDGER_OFFSET_LOSS_FLOOR_ZERO)
        cr_assert_eq(split, profit, "member %d month %d", member, m);
      assert_round_trips(statement);
      checked++;
    }
  }
  cr_assert_eq(checked, 60 * 36);
  free(statement);
}
