/* The offset engine (ledger/offset/offset.c): the spec's worked examples to the
 * cent, hand-made scenarios for each subtle rule, and property tests over
 * thousands of pseudo-random months. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/offset/offset.h"

/* ---- Fixtures ------------------------------------------------------------ */

static ledger_offset_period period_of(int year, int month)
{
  return (ledger_offset_period){year, month};
}

/* The 2026-01 Breda rule set of domain/offsetting.md. */
static ledger_offset_rule_set breda_2026(void)
{
  ledger_offset_rule_set rule_set;
  memset(&rule_set, 0, sizeof rule_set);
  snprintf(rule_set.municipality, sizeof rule_set.municipality, "Breda");
  rule_set.effective_from = period_of(2026, 1);
  rule_set.regime = LEDGER_OFFSET_REGIME_PW2015;
  rule_set.norm_cents = 140150;
  rule_set.coop_pct_basis_points = 1000;
  rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_STATUTORY;
  rule_set.muni_pct_basis_points = 0;
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

/* The same municipality under art. 34a from 2027. */
static ledger_offset_rule_set breda_2027(void)
{
  ledger_offset_rule_set rule_set = breda_2026();
  rule_set.effective_from = period_of(2027, 1);
  rule_set.regime = LEDGER_OFFSET_REGIME_PW34A;
  return rule_set;
}

static ledger_offset_month month_of(int year, int month, int64_t revenue_cents, int64_t costs_cents,
                                    int64_t age_years)
{
  ledger_offset_month result;
  memset(&result, 0, sizeof result);
  result.period = period_of(year, month);
  result.revenue_cents = revenue_cents;
  result.costs_cents = costs_cents;
  result.age_years = age_years;
  return result;
}

/* Computes one month and insists it succeeds. */
static ledger_offset_statement compute(const ledger_offset_rule_set *rule_sets, size_t count,
                                       const ledger_offset_month *month, ledger_offset_state *state)
{
  ledger_offset_statement statement;
  coop_err err = ledger_offset_month_compute(rule_sets, count, month, state, &statement);
  cr_assert_eq(err, COOP_OK, "month %d-%02d: %s", month->period.year, month->period.month,
               coop_err_name(err));
  return statement;
}

#define EXPECT_FIGURE(label, actual, expected, field)                                          \
  cr_expect_eq((actual)->field, (expected)->field, "%s: %s is %" PRId64 ", expected %" PRId64, \
               label, #field, (int64_t)(actual)->field, (int64_t)(expected)->field)

/* Every figure of a statement, as the worked examples list them. */
static void expect_statement(const char *label, const ledger_offset_statement *actual,
                             const ledger_offset_statement *expected)
{
  EXPECT_FIGURE(label, actual, expected, period.year);
  EXPECT_FIGURE(label, actual, expected, period.month);
  EXPECT_FIGURE(label, actual, expected, profit_cents);
  EXPECT_FIGURE(label, actual, expected, coop_share_cents);
  EXPECT_FIGURE(label, actual, expected, net_income_cents);
  EXPECT_FIGURE(label, actual, expected, disregard_cents);
  cr_expect_eq(actual->disregard_kind, expected->disregard_kind,
               "%s: disregard_kind is %s, expected %s", label,
               ledger_offset_disregard_kind_name(actual->disregard_kind),
               ledger_offset_disregard_kind_name(expected->disregard_kind));
  EXPECT_FIGURE(label, actual, expected, volunteer_disregarded_cents);
  EXPECT_FIGURE(label, actual, expected, volunteer_counted_cents);
  EXPECT_FIGURE(label, actual, expected, counted_income_cents);
  EXPECT_FIGURE(label, actual, expected, offset_cents);
  EXPECT_FIGURE(label, actual, expected, benefit_cents);
  EXPECT_FIGURE(label, actual, expected, above_norm);
  EXPECT_FIGURE(label, actual, expected, to_municipality_cents);
  EXPECT_FIGURE(label, actual, expected, to_budget_cents);
  EXPECT_FIGURE(label, actual, expected, n_used);
  EXPECT_FIGURE(label, actual, expected, r_used);
  EXPECT_FIGURE(label, actual, expected, a34_used);
  EXPECT_FIGURE(label, actual, expected, k_ytd_cents);
  EXPECT_FIGURE(label, actual, expected, loss_carried_cents);
  EXPECT_FIGURE(label, actual, expected, rule_set_index);
}

/* ---- The worked examples (domain/offsetting.md, offset-examples.json) ------ */

Test(offset_examples, example_1_first_n_month)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_month month = month_of(2026, 3, 80000, 20000, 30);
  month.hours = 40;
  month.n_approved = true;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement actual = compute(&rule_set, 1, &month, &state);
  ledger_offset_statement expected = {.period = {2026, 3},
                                      .profit_cents = 60000,
                                      .coop_share_cents = 6000,
                                      .net_income_cents = 54000,
                                      .disregard_cents = 13500,
                                      .disregard_kind = LEDGER_OFFSET_DISREGARD_N,
                                      .counted_income_cents = 40500,
                                      .offset_cents = 40500,
                                      .benefit_cents = 99650,
                                      .above_norm = false,
                                      .to_municipality_cents = 40500,
                                      .to_budget_cents = 13500,
                                      .n_used = 1};
  expect_statement("example 1", &actual, &expected);
}

Test(offset_examples, example_2_third_n_month_capped_with_volunteer_allowance)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_month months[3] = {
      month_of(2026, 1, 1000, 0, 30),
      month_of(2026, 2, 0, 0, 30),
      month_of(2026, 3, 200000, 30000, 30),
  };
  months[0].hours = 4;
  months[2].hours = 70;
  months[2].volunteer_allowance_cents = 15000;
  for (int i = 0; i < 3; i++)
    months[i].n_approved = true;
  ledger_offset_statement expected[3] = {
      {.period = {2026, 1},
       .profit_cents = 1000,
       .coop_share_cents = 100,
       .net_income_cents = 900,
       .disregard_cents = 225,
       .disregard_kind = LEDGER_OFFSET_DISREGARD_N,
       .counted_income_cents = 675,
       .offset_cents = 675,
       .benefit_cents = 139475,
       .to_municipality_cents = 675,
       .to_budget_cents = 225,
       .n_used = 1},
      /* No income, but the n window is open: the kind stays n and the month
       * counts. */
      {.period = {2026, 2},
       .disregard_kind = LEDGER_OFFSET_DISREGARD_N,
       .benefit_cents = 140150,
       .n_used = 2},
      {.period = {2026, 3},
       .profit_cents = 170000,
       .coop_share_cents = 17000,
       .net_income_cents = 153000,
       .disregard_cents = 28500,
       .disregard_kind = LEDGER_OFFSET_DISREGARD_N,
       .volunteer_disregarded_cents = 15000,
       .counted_income_cents = 124500,
       .offset_cents = 124500,
       .benefit_cents = 15650,
       .to_municipality_cents = 124500,
       .to_budget_cents = 28500,
       .n_used = 3,
       .k_ytd_cents = 15000},
  };
  ledger_offset_statement actual[3];
  size_t failed = 99;
  cr_assert_eq(ledger_offset_run(&rule_set, 1, months, 3, actual, &failed), COOP_OK);
  cr_expect_eq(failed, 99, "failed_month is written only on error");
  for (int i = 0; i < 3; i++) {
    char label[32];
    snprintf(label, sizeof label, "example 2 month %d", i + 1);
    expect_statement(label, &actual[i], &expected[i]);
  }
}

Test(offset_examples, example_3_medically_limited_hours_allowance_over_monthly_cap)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_month month = month_of(2026, 3, 60000, 10000, 40);
  month.hours = 30;
  month.volunteer_allowance_cents = 25000;
  month.medical_hours_limit = true;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement actual = compute(&rule_set, 1, &month, &state);
  ledger_offset_statement expected = {.period = {2026, 3},
                                      .profit_cents = 50000,
                                      .coop_share_cents = 5000,
                                      .net_income_cents = 45000,
                                      .disregard_cents = 6750,
                                      .disregard_kind = LEDGER_OFFSET_DISREGARD_Y,
                                      .volunteer_disregarded_cents = 22000,
                                      .volunteer_counted_cents = 3000,
                                      .counted_income_cents = 41250,
                                      .offset_cents = 41250,
                                      .benefit_cents = 98900,
                                      .to_municipality_cents = 38250,
                                      .to_budget_cents = 6750,
                                      .k_ytd_cents = 22000};
  expect_statement("example 3", &actual, &expected);
}

Test(offset_examples, example_4_under_27_loss_month)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_month month = month_of(2026, 3, 15000, 40000, 24);
  month.hours = 20;
  month.volunteer_allowance_cents = 10000;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement actual = compute(&rule_set, 1, &month, &state);
  ledger_offset_statement expected = {.period = {2026, 3},
                                      .profit_cents = -25000,
                                      .disregard_kind = LEDGER_OFFSET_DISREGARD_NONE,
                                      .volunteer_counted_cents = 10000,
                                      .counted_income_cents = 10000,
                                      .offset_cents = 10000,
                                      .benefit_cents = 130150};
  expect_statement("example 4", &actual, &expected);
}

Test(offset_examples, example_5_above_the_norm)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_month month = month_of(2026, 3, 250000, 40000, 40);
  month.hours = 100;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement actual = compute(&rule_set, 1, &month, &state);
  ledger_offset_statement expected = {.period = {2026, 3},
                                      .profit_cents = 210000,
                                      .coop_share_cents = 21000,
                                      .net_income_cents = 189000,
                                      .disregard_kind = LEDGER_OFFSET_DISREGARD_NONE,
                                      .counted_income_cents = 189000,
                                      .offset_cents = 140150,
                                      .benefit_cents = 0,
                                      .above_norm = true,
                                      .to_municipality_cents = 140150,
                                      .to_budget_cents = 48850};
  expect_statement("example 5", &actual, &expected);
}

Test(offset_examples, example_6_percent_distribution)
{
  ledger_offset_rule_set rule_set = breda_2026();
  rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_PERCENT;
  rule_set.muni_pct_basis_points = 5000;
  ledger_offset_month month = month_of(2026, 3, 100000, 20000, 30);
  month.hours = 45;
  month.n_approved = true;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement actual = compute(&rule_set, 1, &month, &state);
  ledger_offset_statement expected = {.period = {2026, 3},
                                      .profit_cents = 80000,
                                      .coop_share_cents = 8000,
                                      .net_income_cents = 72000,
                                      .disregard_cents = 18000,
                                      .disregard_kind = LEDGER_OFFSET_DISREGARD_N,
                                      .counted_income_cents = 54000,
                                      .offset_cents = 54000,
                                      .benefit_cents = 86150,
                                      .to_municipality_cents = 36000,
                                      .to_budget_cents = 36000,
                                      .n_used = 1};
  expect_statement("example 6", &actual, &expected);
}

/* ---- Windows and precedence ----------------------------------------------- */

/* A single parent approved for n: six n months, then n's window is over and
 * r takes over for its own window. */
Test(offset_windows, n_expires_after_six_months_then_r_for_single_parent)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  for (int month_number = 1; month_number <= 9; month_number++) {
    ledger_offset_month month = month_of(2026, month_number, 100000, 0, 35);
    month.n_approved = true;
    month.single_parent_child_under_12 = true;
    ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
    /* I = 90000: n gives 22500, r 11250. */
    if (month_number <= 6) {
      cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N, "month %d", month_number);
      cr_expect_eq(statement.disregard_cents, 22500);
      cr_expect_eq(statement.n_used, month_number);
      cr_expect_eq(statement.r_used, 0);
    } else {
      cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_R, "month %d", month_number);
      cr_expect_eq(statement.disregard_cents, 11250);
      cr_expect_eq(statement.n_used, 6, "n_used stays at the window's length");
      cr_expect_eq(statement.r_used, month_number - 6);
    }
  }
}

Test(offset_windows, r_is_capped)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 2, 500000, 0, 40);
  month.single_parent_child_under_12 = true; /* not approved for n: r at once */
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_R);
  cr_expect_eq(statement.disregard_cents, 17766);
  cr_expect_eq(statement.r_used, 1);
  cr_expect_eq(statement.n_used, 0);
}

Test(offset_windows, r_window_ends_after_thirty_months)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  for (int index = 0; index < 32; index++) {
    ledger_offset_month month = month_of(2026 + index / 12, 1 + index % 12, 10000, 0, 40);
    month.single_parent_child_under_12 = true;
    ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
    int expected_used = index + 1 < 30 ? index + 1 : 30;
    cr_expect_eq(statement.r_used, expected_used, "month %d", index);
    cr_expect_eq(statement.disregard_kind,
                 index < 30 ? LEDGER_OFFSET_DISREGARD_R : LEDGER_OFFSET_DISREGARD_NONE, "month %d",
                 index);
  }
}

/* y "does not apply in a month where n applies"; y precedes r. */
Test(offset_windows, y_not_in_an_n_month_but_before_r)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 100000, 0, 40);
  month.n_approved = true;
  month.medical_hours_limit = true;
  month.single_parent_child_under_12 = true;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  cr_expect_eq(statement.disregard_cents, 22500);

  /* Not approved this month: n does not apply, y does, and r ("not with y")
   * does not even open its window. */
  month = month_of(2026, 2, 100000, 0, 40);
  month.medical_hours_limit = true;
  month.single_parent_child_under_12 = true;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_Y);
  cr_expect_eq(statement.disregard_cents, 13500); /* 15 % of 90000 */
  cr_expect_eq(statement.r_used, 0);
  cr_expect_eq(statement.n_used, 2, "the n window counts calendar months");
}

Test(offset_windows, y_is_capped_under_pw2015)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 5, 1000000, 0, 50);
  month.medical_hours_limit = true;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_Y);
  cr_expect_eq(statement.disregard_cents, 18019);
}

/* Approved for n, but no income yet: the n window has not opened, so n does
 * not apply, and r does not either (n is not excluded by lack of approval or
 * an expired window).  The window opens with the first income. */
Test(offset_windows, n_window_opens_with_first_income_only)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 0, 0, 30);
  month.n_approved = true;
  month.single_parent_child_under_12 = true;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE);
  cr_expect_eq(statement.n_used, 0);
  cr_expect_eq(statement.r_used, 0);

  /* A loss month is no income either. */
  month = month_of(2026, 2, 1000, 5000, 30);
  month.n_approved = true;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.n_used, 0);

  month = month_of(2026, 3, 5000, 0, 30);
  month.n_approved = true;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  cr_expect_eq(statement.n_used, 1);
}

/* A window counts calendar months, including the ones missing from the
 * input. */
Test(offset_windows, gaps_count_through_the_window)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 10000, 0, 30);
  month.n_approved = true;
  month.single_parent_child_under_12 = true;
  cr_expect_eq(compute(&rule_set, 1, &month, &state).n_used, 1);

  month.period = period_of(2026, 6); /* 2026-02 .. 2026-05 missing */
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  cr_expect_eq(statement.n_used, 6, "sixth month of the window");

  month.period = period_of(2026, 7);
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_R, "n's window is over");
  cr_expect_eq(statement.n_used, 6);
  cr_expect_eq(statement.r_used, 1);

  month.period = period_of(2029, 1); /* 30 months of r end with 2028-12 */
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE);
  cr_expect_eq(statement.r_used, 30);
}

/* A window is over for good: no income, no approval or a gap does not pause
 * or restart it. */
Test(offset_windows, window_runs_on_without_approval_and_never_reopens)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 10000, 0, 30);
  month.n_approved = true;
  cr_expect_eq(compute(&rule_set, 1, &month, &state).n_used, 1);

  month = month_of(2026, 2, 10000, 0, 30); /* approval withdrawn */
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE);
  cr_expect_eq(statement.n_used, 2);

  month = month_of(2026, 8, 10000, 0, 30);
  month.n_approved = true;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE, "over for good");
  cr_expect_eq(statement.n_used, 6);

  month.period = period_of(2031, 8);
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE);
  cr_expect_eq(statement.n_used, 6);
}

/* Not approved during an open n window: r applies (and opens its own
 * window) because the member is not approved for n. */
Test(offset_windows, r_when_not_approved_during_an_open_n_window)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 10000, 0, 30);
  month.n_approved = true;
  month.single_parent_child_under_12 = true;
  cr_expect_eq(compute(&rule_set, 1, &month, &state).disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  month.period = period_of(2026, 2);
  month.n_approved = false;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_R);
  cr_expect_eq(statement.n_used, 2);
  cr_expect_eq(statement.r_used, 1);
}

/* Under min_age_nrk (lid 5) only y remains: no n, no r, no volunteer
 * allowance disregard, and their windows do not open. */
Test(offset_windows, under_27_only_y)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 100000, 0, 26);
  month.n_approved = true;
  month.single_parent_child_under_12 = true;
  month.volunteer_allowance_cents = 5000;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE);
  cr_expect_eq(statement.disregard_cents, 0);
  cr_expect_eq(statement.volunteer_disregarded_cents, 0);
  cr_expect_eq(statement.volunteer_counted_cents, 5000);
  cr_expect_eq(statement.counted_income_cents, 95000);
  cr_expect_eq(statement.n_used, 0);
  cr_expect_eq(statement.r_used, 0);

  month.period = period_of(2026, 2);
  month.medical_hours_limit = true;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_Y);
  cr_expect_eq(statement.disregard_cents, 13500);

  /* Turning 27: n's window opens now, not at the first approved month. */
  month.period = period_of(2026, 3);
  month.age_years = 27;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  cr_expect_eq(statement.n_used, 1);
  cr_expect_eq(statement.volunteer_disregarded_cents, 5000);
}

/* ---- Volunteer allowance and losses -------------------------------------- */

Test(offset_volunteer, k_year_runs_out_across_months_and_resets_in_january)
{
  ledger_offset_rule_set rule_set = breda_2026();
  rule_set.k_year_cents = 50000;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  const int64_t disregarded[4] = {22000, 22000, 6000, 0};
  for (int month_number = 9; month_number <= 12; month_number++) {
    ledger_offset_month month = month_of(2026, month_number, 0, 0, 40);
    month.volunteer_allowance_cents = 25000;
    ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
    int64_t expected = disregarded[month_number - 9];
    cr_expect_eq(statement.volunteer_disregarded_cents, expected, "month %d", month_number);
    cr_expect_eq(statement.volunteer_counted_cents, 25000 - expected);
  }
  cr_expect_eq(state.k_ytd_cents, 50000);
  ledger_offset_month january = month_of(2027, 1, 0, 0, 40);
  january.volunteer_allowance_cents = 25000;
  ledger_offset_statement statement = compute(&rule_set, 1, &january, &state);
  cr_expect_eq(statement.volunteer_disregarded_cents, 22000);
  cr_expect_eq(statement.k_ytd_cents, 22000);
}

Test(offset_volunteer, statutory_k_year_reached_after_ten_full_months)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  for (int month_number = 1; month_number <= 12; month_number++) {
    ledger_offset_month month = month_of(2026, month_number, 0, 0, 40);
    month.volunteer_allowance_cents = 30000;
    ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
    cr_expect_eq(statement.volunteer_disregarded_cents, month_number <= 10 ? 22000 : 0);
    cr_expect_eq(statement.k_ytd_cents, 22000 * (month_number <= 10 ? month_number : 10));
  }
}

/* The year total resets when the year changes, even without a January month. */
Test(offset_volunteer, year_total_resets_without_a_january_month)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 11, 0, 0, 40);
  month.volunteer_allowance_cents = 10000;
  cr_expect_eq(compute(&rule_set, 1, &month, &state).k_ytd_cents, 10000);
  month.period = period_of(2027, 3);
  cr_expect_eq(compute(&rule_set, 1, &month, &state).k_ytd_cents, 10000);
}

Test(offset_losses, carry_forward_year_sets_off_losses_and_resets_in_january)
{
  ledger_offset_rule_set rule_set = breda_2026();
  rule_set.loss_rule = LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR;
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 9, 10000, 40000, 40); /* loss 300.00 */
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.profit_cents, -30000);
  cr_expect_eq(statement.net_income_cents, 0);
  cr_expect_eq(statement.loss_carried_cents, 30000);

  month = month_of(2026, 10, 10000, 0, 40); /* profit 100.00, all set off */
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.profit_cents, 10000);
  cr_expect_eq(statement.coop_share_cents, 0);
  cr_expect_eq(statement.net_income_cents, 0);
  cr_expect_eq(statement.to_budget_cents + statement.to_municipality_cents, 0);
  cr_expect_eq(statement.loss_carried_cents, 20000);

  month = month_of(2026, 11, 50000, 0, 40); /* profit 500.00: I0 = 300.00 */
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.coop_share_cents, 3000);
  cr_expect_eq(statement.net_income_cents, 27000);
  cr_expect_eq(statement.loss_carried_cents, 0);

  month = month_of(2026, 12, 0, 5000, 40);
  cr_expect_eq(compute(&rule_set, 1, &month, &state).loss_carried_cents, 5000);

  /* January: the loss of 2026 is gone. */
  month = month_of(2027, 1, 10000, 0, 40);
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.loss_carried_cents, 0);
  cr_expect_eq(statement.coop_share_cents, 1000);
  cr_expect_eq(statement.net_income_cents, 9000);
}

Test(offset_losses, floor_zero_carries_nothing)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 0, 40000, 40);
  cr_expect_eq(compute(&rule_set, 1, &month, &state).loss_carried_cents, 0);
  month = month_of(2026, 2, 10000, 0, 40);
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.net_income_cents, 9000);
  cr_expect_eq(statement.loss_carried_cents, 0);
}

/* ---- Regimes, rule sets and the split ------------------------------------ */

Test(offset_pw34a, window_of_twelve_months_and_uncapped_y)
{
  ledger_offset_rule_set rule_sets[2] = {breda_2026(), breda_2027()};
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  /* An n window opened in 2026 does not carry into 34a. */
  ledger_offset_month month = month_of(2026, 12, 10000, 0, 40);
  month.n_approved = true;
  ledger_offset_statement statement = compute(rule_sets, 2, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_N);
  cr_expect_eq(statement.rule_set_index, 0);

  for (int index = 0; index < 14; index++) {
    month = month_of(2027 + index / 12, 1 + index % 12, 1000000, 0, 40);
    month.n_approved = true;
    statement = compute(rule_sets, 2, &month, &state);
    cr_expect_eq(statement.rule_set_index, 1);
    if (index < 12) {
      cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_34A, "month %d", index);
      /* 15 % of 900000, far above any PW2015 cap. */
      cr_expect_eq(statement.disregard_cents, 135000);
    } else {
      cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_NONE, "month %d", index);
      cr_expect_eq(statement.disregard_cents, 0);
    }
    cr_expect_eq(statement.a34_used, index + 1 < 12 ? index + 1 : 12);
  }
  /* After 34a, medically limited hours still give 15 %, without a cap. */
  month = month_of(2028, 3, 1000000, 0, 40);
  month.medical_hours_limit = true;
  statement = compute(rule_sets, 2, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_Y);
  cr_expect_eq(statement.disregard_cents, 135000);
}

/* Under PW34A y comes first and the 34a window does not open in a y month;
 * the spec names no age condition for either. */
Test(offset_pw34a, y_first_and_no_age_condition)
{
  ledger_offset_rule_set rule_set = breda_2027();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2027, 1, 100000, 0, 22);
  month.medical_hours_limit = true;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_Y);
  cr_expect_eq(statement.disregard_cents, 13500);
  cr_expect_eq(statement.a34_used, 0);

  month.period = period_of(2027, 2);
  month.medical_hours_limit = false;
  month.volunteer_allowance_cents = 1000;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.disregard_kind, LEDGER_OFFSET_DISREGARD_34A);
  cr_expect_eq(statement.a34_used, 1);
  cr_expect_eq(statement.volunteer_disregarded_cents, 0, "k keeps its age condition");
}

Test(offset_rule_sets, switch_by_effective_from_mid_year)
{
  ledger_offset_rule_set july = breda_2026();
  july.effective_from = period_of(2026, 7);
  july.cap_n_cents = 30000;
  /* Out of order on purpose: the array order does not matter. */
  ledger_offset_rule_set rule_sets[2] = {july, breda_2026()};
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 6, 300000, 0, 40);
  month.n_approved = true;
  ledger_offset_statement statement = compute(rule_sets, 2, &month, &state);
  cr_expect_eq(statement.rule_set_index, 1);
  cr_expect_eq(statement.disregard_cents, 28500);
  month.period = period_of(2026, 7);
  statement = compute(rule_sets, 2, &month, &state);
  cr_expect_eq(statement.rule_set_index, 0);
  cr_expect_eq(statement.disregard_cents, 30000);
  cr_expect_eq(statement.n_used, 2);
}

Test(offset_rule_sets, select_picks_latest_in_force)
{
  ledger_offset_rule_set rule_sets[3] = {breda_2026(), breda_2026(), breda_2026()};
  rule_sets[0].effective_from = period_of(2025, 7);
  rule_sets[1].effective_from = period_of(2026, 7);
  size_t index = 99;
  cr_expect_eq(ledger_offset_select(rule_sets, 3, period_of(2025, 6), &index), COOP_E_NO_RULE_SET);
  cr_expect_eq(index, 99, "untouched on error");
  cr_expect_eq(ledger_offset_select(rule_sets, 3, period_of(2025, 12), &index), COOP_OK);
  cr_expect_eq(index, 0);
  cr_expect_eq(ledger_offset_select(rule_sets, 3, period_of(2026, 6), &index), COOP_OK);
  cr_expect_eq(index, 2);
  cr_expect_eq(ledger_offset_select(rule_sets, 3, period_of(2026, 7), &index), COOP_OK);
  cr_expect_eq(index, 1);
  cr_expect_eq(ledger_offset_select(rule_sets, 0, period_of(2026, 7), &index), COOP_E_NO_RULE_SET);
}

Test(offset_rule_sets, duplicate_effective_from_is_ambiguous)
{
  ledger_offset_rule_set rule_sets[2] = {breda_2026(), breda_2026()};
  size_t index;
  cr_expect_eq(ledger_offset_select(rule_sets, 2, period_of(2026, 3), &index), COOP_E_BAD_INPUT);
}

Test(offset_errors, no_rule_set_in_force_leaves_state_untouched)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_state before = state;
  ledger_offset_month month = month_of(2025, 12, 1000, 0, 40);
  ledger_offset_statement statement;
  memset(&statement, 0xab, sizeof statement);
  ledger_offset_statement statement_before = statement;
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_NO_RULE_SET);
  cr_expect_eq(memcmp(&state, &before, sizeof state), 0);
  cr_expect_eq(memcmp(&statement, &statement_before, sizeof statement), 0);

  ledger_offset_month months[2] = {month_of(2026, 1, 0, 0, 40), month_of(2025, 12, 0, 0, 40)};
  ledger_offset_statement statements[2];
  size_t failed = 99;
  cr_expect_eq(ledger_offset_run(&rule_set, 1, months, 2, statements, &failed),
               COOP_E_PERIOD_CLOSED);
  cr_expect_eq(failed, 1);
}

Test(offset_errors, months_must_strictly_increase)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 5, 1000, 0, 40);
  month.n_approved = true;
  (void)compute(&rule_set, 1, &month, &state);
  ledger_offset_state after_may = state;
  ledger_offset_statement statement;
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_PERIOD_CLOSED, "the same month twice");
  month.period = period_of(2026, 4);
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_PERIOD_CLOSED, "an earlier month");
  cr_expect_eq(memcmp(&state, &after_may, sizeof state), 0);
}

Test(offset_errors, inputs_out_of_range)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement statement;
  const char *field = NULL;

  ledger_offset_month month = month_of(2026, 5, -1, 0, 40);
  cr_expect_eq(ledger_offset_month_check(&month, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "revenue");
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement), COOP_E_RANGE);
  month = month_of(2026, 13, 0, 0, 40);
  cr_expect_eq(ledger_offset_month_check(&month, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "period");
  month = month_of(2026, 1, 0, 0, 151);
  cr_expect_eq(ledger_offset_month_check(&month, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "age");
  month = month_of(2026, 1, 0, 0, 40);
  month.hours = 745;
  cr_expect_eq(ledger_offset_month_check(&month, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "hours");

  rule_set.cap_n_cents = -5;
  cr_expect_eq(ledger_offset_rule_set_check(&rule_set, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "cap_n");
  month = month_of(2026, 1, 0, 0, 40);
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement), COOP_E_RANGE);
  rule_set = breda_2026();
  rule_set.coop_pct_basis_points = 10001;
  cr_expect_eq(ledger_offset_rule_set_check(&rule_set, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "coop_pct");
  rule_set = breda_2026();
  rule_set.n_months = 0;
  cr_expect_eq(ledger_offset_rule_set_check(&rule_set, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "n_months");
  rule_set = breda_2026();
  rule_set.regime = 0;
  cr_expect_eq(ledger_offset_rule_set_check(&rule_set, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "regime");
  rule_set = breda_2026();
  rule_set.municipality[0] = '\0';
  cr_expect_eq(ledger_offset_rule_set_check(&rule_set, &field), COOP_E_RANGE);
  cr_expect_str_eq(field, "municipality");
}

Test(offset_errors, overflow_is_an_error_not_a_wrap)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_statement statement;
  ledger_offset_month month = month_of(2026, 1, INT64_MAX, 0, 40);
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_OVERFLOW, "profit × coop_pct");
  cr_expect_eq(state.has_month, false);

  /* Counted income: (I - D) + Vc + X past INT64_MAX. */
  rule_set.coop_pct_basis_points = 0;
  month = month_of(2026, 1, 0, 0, 40);
  month.volunteer_allowance_cents = INT64_MAX;
  month.other_income_cents = INT64_MAX;
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_OVERFLOW, "counted income");

  /* Carried losses adding up past INT64_MAX. */
  rule_set.loss_rule = LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR;
  month = month_of(2026, 1, 0, INT64_MAX, 40);
  (void)compute(&rule_set, 1, &month, &state);
  month.period = period_of(2026, 2);
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement),
               COOP_E_OVERFLOW, "carried loss");

  /* The largest amounts that do fit compute exactly. */
  ledger_offset_state_init(&state);
  rule_set = breda_2026();
  month = month_of(2026, 1, INT64_MAX / 10000, 0, 40);
  cr_expect_eq(ledger_offset_month_compute(&rule_set, 1, &month, &state, &statement), COOP_OK);
}

Test(offset_rounding, coop_share_rounds_half_up_and_disregards_round_down)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  /* C = 10 % of 5 cents = 0.5 -> 1; I = 4; n: 25 % of 4 = 1. */
  ledger_offset_month month = month_of(2026, 1, 5, 0, 30);
  month.n_approved = true;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.coop_share_cents, 1);
  cr_expect_eq(statement.net_income_cents, 4);
  cr_expect_eq(statement.disregard_cents, 1);
  /* C = 10 % of 14 = 1.4 -> 1; I = 13; 25 % = 3.25 -> 3. */
  month.period = period_of(2026, 2);
  month.revenue_cents = 14;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.coop_share_cents, 1);
  cr_expect_eq(statement.disregard_cents, 3);
  /* PERCENT: 50 % of I = 9 is 4.5 -> 5. */
  rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_PERCENT;
  rule_set.muni_pct_basis_points = 5000;
  rule_set.coop_pct_basis_points = 0;
  month.period = period_of(2026, 3);
  month.revenue_cents = 9;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.to_municipality_cents, 5);
  cr_expect_eq(statement.to_budget_cents, 4);
}

/* Statutory split: income from outside the coop is offset first. */
Test(offset_split, other_income_is_offset_first)
{
  ledger_offset_rule_set rule_set = breda_2026();
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  ledger_offset_month month = month_of(2026, 1, 100000, 0, 40);
  month.other_income_cents = 100000;
  ledger_offset_statement statement = compute(&rule_set, 1, &month, &state);
  /* I = 90000; the norm has 40150 left after X. */
  cr_expect_eq(statement.counted_income_cents, 190000);
  cr_expect_eq(statement.offset_cents, 140150);
  cr_expect_eq(statement.above_norm, true);
  cr_expect_eq(statement.to_municipality_cents, 40150);
  cr_expect_eq(statement.to_budget_cents, 49850);

  month.period = period_of(2026, 2);
  month.other_income_cents = 200000;
  statement = compute(&rule_set, 1, &month, &state);
  cr_expect_eq(statement.to_municipality_cents, 0);
  cr_expect_eq(statement.to_budget_cents, 90000);
}

Test(offset_names, text_forms)
{
  char text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(period_of(2026, 3), text);
  cr_expect_str_eq(text, "2026-03");
  ledger_offset_period_format(period_of(1900, 12), text);
  cr_expect_str_eq(text, "1900-12");
  ledger_offset_period_format(period_of(10000, 1), text);
  cr_expect_str_eq(text, "xxxx-xx");
  cr_expect_str_eq(ledger_offset_disregard_kind_name(LEDGER_OFFSET_DISREGARD_34A), "34a");
  cr_expect_str_eq(ledger_offset_disregard_kind_name(LEDGER_OFFSET_DISREGARD_NONE), "none");
  cr_expect_str_eq(ledger_offset_regime_name(LEDGER_OFFSET_REGIME_PW34A), "PW34A");
  cr_expect_null(ledger_offset_regime_name(0));
  cr_expect_str_eq(ledger_offset_loss_rule_name(LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR),
                   "CARRY_FORWARD_YEAR");
  cr_expect_eq(ledger_offset_months_between(period_of(2026, 11), period_of(2027, 2)), 3);
}

/* ---- Properties over pseudo-random months -------------------------------- */

/* xorshift64: reproducible without depending on the C library's rand(). */
static uint64_t random_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return random_state;
}

/* A uniform-enough integer in [minimum, maximum]. */
static int64_t random_between(int64_t minimum, int64_t maximum)
{
  return minimum + (int64_t)(next_random() % (uint64_t)(maximum - minimum + 1));
}

static bool random_chance(int percent)
{
  return random_between(1, 100) <= percent;
}

static ledger_offset_rule_set random_rule_set(ledger_offset_period effective_from)
{
  ledger_offset_rule_set rule_set = breda_2026();
  rule_set.effective_from = effective_from;
  rule_set.regime = random_chance(30) ? LEDGER_OFFSET_REGIME_PW34A : LEDGER_OFFSET_REGIME_PW2015;
  rule_set.norm_cents = random_between(0, 300000);
  rule_set.coop_pct_basis_points = random_between(0, 10000);
  rule_set.distribution =
      random_chance(50) ? LEDGER_OFFSET_DISTRIBUTION_PERCENT : LEDGER_OFFSET_DISTRIBUTION_STATUTORY;
  rule_set.muni_pct_basis_points = random_between(0, 10000);
  rule_set.loss_rule =
      random_chance(50) ? LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR : LEDGER_OFFSET_LOSS_FLOOR_ZERO;
  rule_set.min_age_nrk_years = random_between(18, 30);
  rule_set.pct_n_basis_points = random_between(0, 10000);
  rule_set.cap_n_cents = random_between(0, 50000);
  rule_set.n_months = random_between(1, 12);
  rule_set.pct_r_basis_points = random_between(0, 10000);
  rule_set.cap_r_cents = random_between(0, 50000);
  rule_set.r_months = random_between(1, 36);
  rule_set.pct_y_basis_points = random_between(0, 10000);
  rule_set.cap_y_cents = random_between(0, 50000);
  rule_set.pct_34a_basis_points = random_between(0, 10000);
  rule_set.months_34a = random_between(1, 18);
  rule_set.k_month_cents = random_between(0, 30000);
  rule_set.k_year_cents = random_between(0, 300000);
  return rule_set;
}

static ledger_offset_month random_month(ledger_offset_period period, int64_t age_years)
{
  ledger_offset_month month;
  memset(&month, 0, sizeof month);
  month.period = period;
  month.revenue_cents = random_chance(20) ? 0 : random_between(0, 600000);
  month.costs_cents = random_chance(40) ? 0 : random_between(0, 400000);
  month.volunteer_allowance_cents = random_chance(60) ? 0 : random_between(0, 40000);
  month.other_income_cents = random_chance(70) ? 0 : random_between(0, 200000);
  month.hours = random_between(0, LEDGER_OFFSET_HOURS_MAX);
  month.age_years = age_years;
  month.n_approved = random_chance(60);
  month.medical_hours_limit = random_chance(20);
  month.single_parent_child_under_12 = random_chance(40);
  return month;
}

static ledger_offset_period add_months(ledger_offset_period period, int64_t months)
{
  int64_t index = (int64_t)period.year * 12 + (period.month - 1) + months;
  return period_of((int)(index / 12), (int)(index % 12) + 1);
}

/* What the test itself knows about one member's history. */
typedef struct member_model {
  bool has_month;
  ledger_offset_period last;
  int64_t loss_cents; /* independent model of the carried loss */
  bool n_started, r_started, a34_started;
  ledger_offset_period n_start, r_start, a34_start;
  ledger_offset_statement previous;
} member_model;

static void check_amounts(const ledger_offset_statement *statement, const char *label)
{
  cr_assert_geq(statement->coop_share_cents, 0, "%s", label);
  cr_assert_geq(statement->net_income_cents, 0, "%s", label);
  cr_assert_geq(statement->disregard_cents, 0, "%s", label);
  cr_assert_geq(statement->volunteer_disregarded_cents, 0, "%s", label);
  cr_assert_geq(statement->volunteer_counted_cents, 0, "%s", label);
  cr_assert_geq(statement->counted_income_cents, 0, "%s", label);
  cr_assert_geq(statement->offset_cents, 0, "%s", label);
  cr_assert_geq(statement->benefit_cents, 0, "%s", label);
  cr_assert_geq(statement->to_municipality_cents, 0, "%s", label);
  cr_assert_geq(statement->to_budget_cents, 0, "%s", label);
  cr_assert_geq(statement->k_ytd_cents, 0, "%s", label);
  cr_assert_geq(statement->loss_carried_cents, 0, "%s", label);
}

/* C + M + B is exactly the positive income left after losses, I0. */
static void check_split(const ledger_offset_rule_set *rule_set, const ledger_offset_month *month,
                        const ledger_offset_statement *statement, member_model *model,
                        const char *label)
{
  bool new_year = !model->has_month || model->last.year != month->period.year;
  if (new_year)
    model->loss_cents = 0;
  int64_t profit_cents = month->revenue_cents - month->costs_cents;
  int64_t income_cents = profit_cents > 0 ? profit_cents : 0;
  if (rule_set->loss_rule == LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR) {
    if (profit_cents < 0) {
      model->loss_cents -= profit_cents;
    } else {
      int64_t set_off = profit_cents < model->loss_cents ? profit_cents : model->loss_cents;
      model->loss_cents -= set_off;
      income_cents = profit_cents - set_off;
    }
  }
  cr_assert_eq(statement->profit_cents, profit_cents, "%s", label);
  cr_assert_eq(statement->loss_carried_cents, model->loss_cents, "%s", label);
  cr_assert_eq(statement->coop_share_cents + statement->to_municipality_cents +
                   statement->to_budget_cents,
               income_cents, "%s: C + M + B != I0", label);
  cr_assert_eq(statement->coop_share_cents + statement->net_income_cents, income_cents, "%s",
               label);
}

/* D is exactly the spec's formula for its kind, never above its cap or
 * percentage, and the kind is one the member may have. */
static void check_disregard(const ledger_offset_rule_set *rule_set,
                            const ledger_offset_month *month,
                            const ledger_offset_statement *statement, const char *label)
{
  int64_t income_cents = statement->net_income_cents;
  bool old_enough = month->age_years >= rule_set->min_age_nrk_years;
  bool pw2015 = rule_set->regime == LEDGER_OFFSET_REGIME_PW2015;
  int64_t expected_cents = 0;
  switch (statement->disregard_kind) {
  case LEDGER_OFFSET_DISREGARD_N:
    cr_assert(pw2015 && old_enough && month->n_approved, "%s: n not allowed", label);
    expected_cents = income_cents * rule_set->pct_n_basis_points / 10000;
    if (expected_cents > rule_set->cap_n_cents)
      expected_cents = rule_set->cap_n_cents;
    cr_assert_leq(statement->disregard_cents, rule_set->cap_n_cents, "%s", label);
    break;
  case LEDGER_OFFSET_DISREGARD_R:
    cr_assert(pw2015 && old_enough && month->single_parent_child_under_12 &&
                  !month->medical_hours_limit,
              "%s: r not allowed", label);
    expected_cents = income_cents * rule_set->pct_r_basis_points / 10000;
    if (expected_cents > rule_set->cap_r_cents)
      expected_cents = rule_set->cap_r_cents;
    cr_assert_leq(statement->disregard_cents, rule_set->cap_r_cents, "%s", label);
    break;
  case LEDGER_OFFSET_DISREGARD_Y:
    cr_assert(month->medical_hours_limit, "%s: y without medical limit", label);
    if (pw2015) {
      expected_cents = income_cents * rule_set->pct_y_basis_points / 10000;
      if (expected_cents > rule_set->cap_y_cents)
        expected_cents = rule_set->cap_y_cents;
    } else {
      expected_cents = income_cents * rule_set->pct_34a_basis_points / 10000;
    }
    break;
  case LEDGER_OFFSET_DISREGARD_34A:
    cr_assert(!pw2015 && !month->medical_hours_limit, "%s: 34a not allowed", label);
    expected_cents = income_cents * rule_set->pct_34a_basis_points / 10000;
    break;
  case LEDGER_OFFSET_DISREGARD_NONE: break;
  }
  if (pw2015 && !old_enough)
    cr_assert(statement->disregard_kind == LEDGER_OFFSET_DISREGARD_Y ||
                  statement->disregard_kind == LEDGER_OFFSET_DISREGARD_NONE,
              "%s: under min_age_nrk only y", label);
  if (pw2015 && month->medical_hours_limit &&
      statement->disregard_kind != LEDGER_OFFSET_DISREGARD_N)
    cr_assert_eq(statement->disregard_kind, LEDGER_OFFSET_DISREGARD_Y, "%s", label);
  cr_assert_eq(statement->disregard_cents, expected_cents, "%s: D", label);
  cr_assert_leq(statement->disregard_cents, income_cents, "%s", label);
}

/* Windows open once, never last longer than allowed, and their counters
 * only grow. */
static void check_window(bool *started, ledger_offset_period *start, int64_t used,
                         int64_t previous_used, bool applies, int64_t length_months,
                         ledger_offset_period period, const char *label)
{
  cr_assert_geq(used, previous_used, "%s: window counter went down", label);
  cr_assert_leq(used, length_months, "%s: window counter past its length", label);
  if (!*started && used > 0) {
    cr_assert_eq(used, 1, "%s: a window opens with its first month", label);
    *started = true;
    *start = period;
  }
  if (!*started) {
    cr_assert(!applies, "%s: disregard without an open window", label);
    return;
  }
  int64_t elapsed = ledger_offset_months_between(*start, period) + 1;
  cr_assert_eq(used, elapsed < length_months ? elapsed : length_months, "%s", label);
  if (applies)
    cr_assert_leq(elapsed, length_months, "%s: disregard past its window", label);
}

static void check_offset(const ledger_offset_rule_set *rule_set, const ledger_offset_month *month,
                         const ledger_offset_statement *statement, const member_model *model,
                         const char *label)
{
  cr_assert_eq(statement->volunteer_disregarded_cents + statement->volunteer_counted_cents,
               month->volunteer_allowance_cents, "%s", label);
  cr_assert_leq(statement->volunteer_disregarded_cents, rule_set->k_month_cents, "%s", label);
  cr_assert_eq(statement->counted_income_cents,
               statement->net_income_cents - statement->disregard_cents +
                   statement->volunteer_counted_cents + month->other_income_cents,
               "%s", label);
  cr_assert_leq(statement->offset_cents, rule_set->norm_cents, "%s", label);
  cr_assert_eq(statement->benefit_cents, rule_set->norm_cents - statement->offset_cents, "%s",
               label);
  cr_assert_eq(statement->above_norm, statement->counted_income_cents >= rule_set->norm_cents, "%s",
               label);
  bool same_year = model->has_month && model->last.year == month->period.year;
  if (same_year)
    cr_assert_eq(statement->k_ytd_cents,
                 model->previous.k_ytd_cents + statement->volunteer_disregarded_cents, "%s", label);
  else
    cr_assert_eq(statement->k_ytd_cents, statement->volunteer_disregarded_cents, "%s", label);
}

static bool model_window_open(bool started, ledger_offset_period start, int64_t length_months,
                              ledger_offset_period period)
{
  return started && ledger_offset_months_between(start, period) < length_months;
}

/* The disregard that must apply whenever its conditions hold, and r only
 * when n is excluded by approval or an expired window. */
static void check_precedence(const ledger_offset_rule_set *rule_set,
                             const ledger_offset_month *month,
                             const ledger_offset_statement *statement, const member_model *model,
                             const char *label)
{
  ledger_offset_period period = month->period;
  bool old_enough = month->age_years >= rule_set->min_age_nrk_years;
  bool n_open = model_window_open(model->n_started, model->n_start, rule_set->n_months, period);
  bool a34_open =
      model_window_open(model->a34_started, model->a34_start, rule_set->months_34a, period);
  ledger_offset_disregard_kind kind = statement->disregard_kind;
  if (rule_set->regime == LEDGER_OFFSET_REGIME_PW34A) {
    if (month->medical_hours_limit)
      cr_assert_eq(kind, LEDGER_OFFSET_DISREGARD_Y, "%s", label);
    else if (a34_open)
      cr_assert_eq(kind, LEDGER_OFFSET_DISREGARD_34A, "%s", label);
    return;
  }
  if (old_enough && month->n_approved && n_open)
    cr_assert_eq(kind, LEDGER_OFFSET_DISREGARD_N, "%s", label);
  if (kind == LEDGER_OFFSET_DISREGARD_R)
    cr_assert(!month->n_approved || (model->n_started && !n_open),
              "%s: r while n is merely not open yet", label);
}

static void check_month(const ledger_offset_rule_set *rule_sets, size_t rule_set_count,
                        const ledger_offset_month *month, const ledger_offset_statement *statement,
                        member_model *model, const char *label)
{
  size_t index;
  cr_assert_eq(ledger_offset_select(rule_sets, rule_set_count, month->period, &index), COOP_OK);
  cr_assert_eq(statement->rule_set_index, index, "%s", label);
  const ledger_offset_rule_set *rule_set = &rule_sets[index];
  check_amounts(statement, label);
  check_split(rule_set, month, statement, model, label);
  check_disregard(rule_set, month, statement, label);
  check_offset(rule_set, month, statement, model, label);
  check_window(&model->n_started, &model->n_start, statement->n_used, model->previous.n_used,
               statement->disregard_kind == LEDGER_OFFSET_DISREGARD_N, rule_set->n_months,
               month->period, label);
  check_window(&model->r_started, &model->r_start, statement->r_used, model->previous.r_used,
               statement->disregard_kind == LEDGER_OFFSET_DISREGARD_R, rule_set->r_months,
               month->period, label);
  check_window(&model->a34_started, &model->a34_start, statement->a34_used,
               model->previous.a34_used, statement->disregard_kind == LEDGER_OFFSET_DISREGARD_34A,
               rule_set->months_34a, month->period, label);
  check_precedence(rule_set, month, statement, model, label);
  model->has_month = true;
  model->last = month->period;
  model->previous = *statement;
}

enum { PROPERTY_MEMBERS = 300, PROPERTY_MONTHS_PER_MEMBER = 40 };

/* One member: a few rule sets with one window length each (so window
 * counters compare across rule sets), and months with random gaps. */
static size_t random_member(ledger_offset_rule_set *rule_sets, ledger_offset_month *months)
{
  ledger_offset_period start =
      period_of((int)random_between(2020, 2030), (int)random_between(1, 12));
  size_t rule_set_count = (size_t)random_between(1, 4);
  ledger_offset_period effective_from = start;
  for (size_t i = 0; i < rule_set_count; i++) {
    rule_sets[i] = random_rule_set(effective_from);
    effective_from = add_months(effective_from, random_between(1, 8));
  }
  for (size_t i = 1; i < rule_set_count; i++) {
    rule_sets[i].n_months = rule_sets[0].n_months;
    rule_sets[i].r_months = rule_sets[0].r_months;
    rule_sets[i].months_34a = rule_sets[0].months_34a;
  }
  /* The array order must not matter: swap the first two. */
  if (rule_set_count > 1 && random_chance(50)) {
    ledger_offset_rule_set first = rule_sets[0];
    rule_sets[0] = rule_sets[1];
    rule_sets[1] = first;
  }
  int64_t age_years = random_between(20, 60);
  ledger_offset_period period = start;
  for (size_t i = 0; i < PROPERTY_MONTHS_PER_MEMBER; i++) {
    if (i > 0) {
      int64_t step = random_chance(80) ? 1 : random_between(2, 14);
      period = add_months(period, step);
      if (random_chance(8))
        age_years++;
    }
    months[i] = random_month(period, age_years);
  }
  return rule_set_count;
}

Test(offset_properties, invariants_hold_for_thousands_of_random_months)
{
  size_t checked = 0;
  for (int member = 0; member < PROPERTY_MEMBERS; member++) {
    ledger_offset_rule_set rule_sets[4];
    ledger_offset_month months[PROPERTY_MONTHS_PER_MEMBER];
    size_t rule_set_count = random_member(rule_sets, months);
    ledger_offset_state state;
    ledger_offset_state_init(&state);
    member_model model;
    memset(&model, 0, sizeof model);
    ledger_offset_statement statements[PROPERTY_MONTHS_PER_MEMBER];
    for (size_t i = 0; i < PROPERTY_MONTHS_PER_MEMBER; i++) {
      char label[64];
      snprintf(label, sizeof label, "member %d month %zu (%d-%02d)", member, i,
               months[i].period.year, months[i].period.month);
      cr_assert_eq(ledger_offset_month_compute(rule_sets, rule_set_count, &months[i], &state,
                                               &statements[i]),
                   COOP_OK, "%s", label);
      check_month(rule_sets, rule_set_count, &months[i], &statements[i], &model, label);
      checked++;
    }
    /* The whole-array convenience function gives the same statements. */
    ledger_offset_statement batch[PROPERTY_MONTHS_PER_MEMBER];
    cr_assert_eq(ledger_offset_run(rule_sets, rule_set_count, months, PROPERTY_MONTHS_PER_MEMBER,
                                   batch, NULL),
                 COOP_OK);
    for (size_t i = 0; i < PROPERTY_MONTHS_PER_MEMBER; i++)
      expect_statement("ledger_offset_run", &batch[i], &statements[i]);
  }
  cr_expect_geq(checked, 10000);
}

static bool windows_equal(const ledger_offset_window *left, const ledger_offset_window *right)
{
  return left->opened == right->opened &&
         (!left->opened || ledger_offset_months_between(left->start, right->start) == 0);
}

/* Field by field: struct padding is not part of the state. */
static bool states_equal(const ledger_offset_state *left, const ledger_offset_state *right)
{
  return left->has_month == right->has_month &&
         ledger_offset_months_between(left->last, right->last) == 0 &&
         windows_equal(&left->n_window, &right->n_window) &&
         windows_equal(&left->r_window, &right->r_window) &&
         windows_equal(&left->a34_window, &right->a34_window) &&
         left->k_ytd_cents == right->k_ytd_cents &&
         left->loss_carried_cents == right->loss_carried_cents;
}

/* The same month computed twice from the same state gives the same
 * statement: the engine has no hidden state. */
Test(offset_properties, deterministic)
{
  for (int trial = 0; trial < 2000; trial++) {
    ledger_offset_rule_set rule_set = random_rule_set(period_of(2026, 1));
    ledger_offset_month month =
        random_month(period_of(2026, (int)random_between(1, 12)), random_between(18, 70));
    ledger_offset_state first_state, second_state;
    ledger_offset_state_init(&first_state);
    ledger_offset_state_init(&second_state);
    ledger_offset_statement first, second;
    memset(&first, 0, sizeof first);
    memset(&second, 0xff, sizeof second);
    cr_assert_eq(ledger_offset_month_compute(&rule_set, 1, &month, &first_state, &first), COOP_OK);
    cr_assert_eq(ledger_offset_month_compute(&rule_set, 1, &month, &second_state, &second),
                 COOP_OK);
    cr_assert(states_equal(&first_state, &second_state));
    expect_statement("deterministic", &second, &first);
  }
}
