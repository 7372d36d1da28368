/* The offset engine: domain/offsetting.md, steps 1 to 7, in integers.
 *
 * Readings of the spec where its text leaves a choice (each is repeated where
 * the code makes it):
 *
 * - A window is a run of calendar months from the month it opened; "n_used"
 *   (and r_used, a34_used) is how many of them have passed by the end of the
 *   month, capped at the window's length.  It keeps counting through months
 *   with no income, months missing from the input, months in which the member
 *   is not approved and months under the other regime, because the spec says
 *   the window stays open "whether or not there is income in them" and then
 *   "is over for good".  The length is the one in the rule set in force.
 * - The kind of disregard names the rule that applied, even when it came to
 *   0.00 because there was no income (worked example 2: "n" in a month with
 *   zero income while the n window is open).
 * - r needs n not to apply "because the member is not approved for n or n's
 *   window is over".  A member who is approved but whose n window has not
 *   opened yet (no income so far) does not get r: with income the n window
 *   would open instead.
 * - Under PW34A the spec's step 3 names no age condition, so 34a and y apply
 *   at any age; min_age_nrk (named for n, r and k) does not reach them.  Step
 *   4, the volunteer allowance, keeps its age condition under both regimes,
 *   as written.
 * - "Reset in January" is read as "reset when the calendar year changes", so a
 *   member with no January input (months are allowed to have gaps) still
 *   starts the new year with no carried loss and no volunteer total.
 * - If a new rule set lowers k_year below what was already disregarded this
 *   year, the room left is zero, never negative.
 * - Under FLOOR_ZERO a carried loss (left by an earlier CARRY_FORWARD_YEAR rule
 *   set in the same year) is neither used nor increased: the rule says a loss
 *   month counts as zero and says nothing about older losses.  It still resets
 *   in January. */
#include "ledger/offset/offset.h"

#include <stdlib.h>
#include <string.h>

/* A broken invariant on money must crash rather than produce a statement
 * that the municipality would act on; unlike assert() this stays on in
 * release builds. */
#define OFFSET_INVARIANT(condition) \
  do {                              \
    if (!(condition))               \
      abort();                      \
  } while (0)

enum { BASIS_POINTS_WHOLE = 10000 };

void ledger_offset_state_init(ledger_offset_state *state)
{
  memset(state, 0, sizeof *state);
}

int64_t ledger_offset_months_between(ledger_offset_period from, ledger_offset_period to)
{
  return ((int64_t)to.year * 12 + to.month) - ((int64_t)from.year * 12 + from.month);
}

void ledger_offset_period_format(ledger_offset_period period,
                                 char text[LEDGER_OFFSET_PERIOD_TEXT_BYTES])
{
  /* Out-of-range periods are printed as "xxxx-xx" rather than overflowing
   * the buffer: callers print periods in error messages about bad input. */
  if (ledger_offset_period_check(period) != COOP_OK) {
    memcpy(text, "xxxx-xx", LEDGER_OFFSET_PERIOD_TEXT_BYTES);
    return;
  }
  int year = period.year;
  for (int position = 3; position >= 0; position--) {
    text[position] = (char)('0' + year % 10);
    year /= 10;
  }
  text[4] = '-';
  text[5] = (char)('0' + period.month / 10);
  text[6] = (char)('0' + period.month % 10);
  text[7] = '\0';
}

const char *ledger_offset_disregard_kind_name(ledger_offset_disregard_kind kind)
{
  switch (kind) {
  case LEDGER_OFFSET_DISREGARD_N: return "n";
  case LEDGER_OFFSET_DISREGARD_R: return "r";
  case LEDGER_OFFSET_DISREGARD_Y: return "y";
  case LEDGER_OFFSET_DISREGARD_34A: return "34a";
  case LEDGER_OFFSET_DISREGARD_NONE: break;
  }
  return "none";
}

const char *ledger_offset_regime_name(ledger_offset_regime regime)
{
  switch (regime) {
  case LEDGER_OFFSET_REGIME_PW2015: return "PW2015";
  case LEDGER_OFFSET_REGIME_PW34A: return "PW34A";
  }
  return NULL;
}

const char *ledger_offset_distribution_name(ledger_offset_distribution distribution)
{
  switch (distribution) {
  case LEDGER_OFFSET_DISTRIBUTION_STATUTORY: return "STATUTORY";
  case LEDGER_OFFSET_DISTRIBUTION_PERCENT: return "PERCENT";
  }
  return NULL;
}

const char *ledger_offset_loss_rule_name(ledger_offset_loss_rule loss_rule)
{
  switch (loss_rule) {
  case LEDGER_OFFSET_LOSS_FLOOR_ZERO: return "FLOOR_ZERO";
  case LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR: return "CARRY_FORWARD_YEAR";
  }
  return NULL;
}

coop_err ledger_offset_period_check(ledger_offset_period period)
{
  if (period.year < LEDGER_OFFSET_YEAR_MIN || period.year > LEDGER_OFFSET_YEAR_MAX)
    return COOP_E_RANGE;
  if (period.month < 1 || period.month > 12)
    return COOP_E_RANGE;
  return COOP_OK;
}

/* ---- Input checks ------------------------------------------------------ */

static bool in_range(int64_t value, int64_t minimum, int64_t maximum)
{
  return value >= minimum && value <= maximum;
}

static bool is_cents(int64_t value)
{
  return value >= 0;
}

static bool is_basis_points(int64_t value)
{
  return in_range(value, 0, LEDGER_OFFSET_BASIS_POINTS_MAX);
}

static bool is_window_months(int64_t value)
{
  return in_range(value, LEDGER_OFFSET_WINDOW_MONTHS_MIN, LEDGER_OFFSET_WINDOW_MONTHS_MAX);
}

static bool municipality_valid(const char *name)
{
  size_t length = strnlen(name, LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX + 1);
  return length > 0 && length <= LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX;
}

/* Names the first bad field, in the order of the JSON rule set. */
static const char *rule_set_bad_field(const ledger_offset_rule_set *rule_set)
{
  if (!municipality_valid(rule_set->municipality))
    return "municipality";
  if (ledger_offset_period_check(rule_set->effective_from) != COOP_OK)
    return "effective_from";
  if (!ledger_offset_regime_name(rule_set->regime))
    return "regime";
  if (!is_cents(rule_set->norm_cents))
    return "norm";
  if (!is_basis_points(rule_set->coop_pct_basis_points))
    return "coop_pct";
  if (!ledger_offset_distribution_name(rule_set->distribution))
    return "distribution";
  if (!is_basis_points(rule_set->muni_pct_basis_points))
    return "muni_pct";
  if (!ledger_offset_loss_rule_name(rule_set->loss_rule))
    return "loss_rule";
  if (!in_range(rule_set->min_age_nrk_years, 0, LEDGER_OFFSET_AGE_MAX))
    return "min_age_nrk";
  if (!is_basis_points(rule_set->pct_n_basis_points))
    return "pct_n";
  if (!is_cents(rule_set->cap_n_cents))
    return "cap_n";
  if (!is_window_months(rule_set->n_months))
    return "n_months";
  if (!is_basis_points(rule_set->pct_r_basis_points))
    return "pct_r";
  if (!is_cents(rule_set->cap_r_cents))
    return "cap_r";
  if (!is_window_months(rule_set->r_months))
    return "r_months";
  if (!is_basis_points(rule_set->pct_y_basis_points))
    return "pct_y";
  if (!is_cents(rule_set->cap_y_cents))
    return "cap_y";
  if (!is_basis_points(rule_set->pct_34a_basis_points))
    return "pct_34a";
  if (!is_window_months(rule_set->months_34a))
    return "months_34a";
  if (!is_cents(rule_set->k_month_cents))
    return "k_month";
  if (!is_cents(rule_set->k_year_cents))
    return "k_year";
  return NULL;
}

coop_err ledger_offset_rule_set_check(const ledger_offset_rule_set *rule_set, const char **field)
{
  const char *bad_field = rule_set_bad_field(rule_set);
  if (!bad_field)
    return COOP_OK;
  if (field)
    *field = bad_field;
  return COOP_E_RANGE;
}

static const char *month_bad_field(const ledger_offset_month *month)
{
  if (ledger_offset_period_check(month->period) != COOP_OK)
    return "period";
  if (!is_cents(month->revenue_cents))
    return "revenue";
  if (!is_cents(month->costs_cents))
    return "costs";
  if (!is_cents(month->volunteer_allowance_cents))
    return "volunteer_allowance";
  if (!is_cents(month->other_income_cents))
    return "other_income";
  if (!in_range(month->hours, 0, LEDGER_OFFSET_HOURS_MAX))
    return "hours";
  if (!in_range(month->age_years, 0, LEDGER_OFFSET_AGE_MAX))
    return "age";
  return NULL;
}

coop_err ledger_offset_month_check(const ledger_offset_month *month, const char **field)
{
  const char *bad_field = month_bad_field(month);
  if (!bad_field)
    return COOP_OK;
  if (field)
    *field = bad_field;
  return COOP_E_RANGE;
}

coop_err ledger_offset_select(const ledger_offset_rule_set *rule_sets, size_t rule_set_count,
                              ledger_offset_period period, size_t *index)
{
  size_t best = 0;
  bool found = false;
  for (size_t i = 0; i < rule_set_count; i++) {
    ledger_offset_period from = rule_sets[i].effective_from;
    if (ledger_offset_months_between(from, period) < 0)
      continue;
    if (!found || ledger_offset_months_between(rule_sets[best].effective_from, from) > 0) {
      best = i;
      found = true;
    }
  }
  if (!found)
    return COOP_E_NO_RULE_SET;
  for (size_t i = 0; i < rule_set_count; i++) {
    if (i != best && ledger_offset_months_between(rule_sets[i].effective_from,
                                                  rule_sets[best].effective_from) == 0)
      return COOP_E_BAD_INPUT;
  }
  *index = best;
  return COOP_OK;
}

/* ---- Checked arithmetic --------------------------------------------------
 * The GCC/Clang overflow builtins: C17 has no checked arithmetic, and a
 * wrapped sum of money is worse than no answer. */

static coop_err add(int64_t left, int64_t right, int64_t *sum)
{
  return __builtin_add_overflow(left, right, sum) ? COOP_E_OVERFLOW : COOP_OK;
}

/* floor(amount × basis_points / 10000) for amount >= 0: the spec rounds every
 * disregard down. */
static coop_err share_rounded_down(int64_t amount_cents, int64_t basis_points, int64_t *share_cents)
{
  OFFSET_INVARIANT(amount_cents >= 0);
  int64_t product;
  if (__builtin_mul_overflow(amount_cents, basis_points, &product))
    return COOP_E_OVERFLOW;
  *share_cents = product / BASIS_POINTS_WHOLE;
  return COOP_OK;
}

/* round_half_up(amount × basis_points / 10000) = (a + b/2) / b with
 * a = amount × basis_points, b = 10000, for amount >= 0. */
static coop_err share_rounded_half_up(int64_t amount_cents, int64_t basis_points,
                                      int64_t *share_cents)
{
  OFFSET_INVARIANT(amount_cents >= 0);
  int64_t product;
  if (__builtin_mul_overflow(amount_cents, basis_points, &product))
    return COOP_E_OVERFLOW;
  int64_t rounded;
  if (add(product, BASIS_POINTS_WHOLE / 2, &rounded) != COOP_OK)
    return COOP_E_OVERFLOW;
  *share_cents = rounded / BASIS_POINTS_WHOLE;
  return COOP_OK;
}

static int64_t minimum(int64_t left, int64_t right)
{
  return left < right ? left : right;
}

static int64_t maximum(int64_t left, int64_t right)
{
  return left > right ? left : right;
}

/* ---- Windows ------------------------------------------------------------- */

/* Calendar months from the window's first month to `period`, counting both:
 * 1 in the month it opened.  Months only ever increase, so a window never
 * starts after the month being computed. */
static int64_t window_elapsed(const ledger_offset_window *window, ledger_offset_period period)
{
  int64_t elapsed = ledger_offset_months_between(window->start, period) + 1;
  OFFSET_INVARIANT(elapsed >= 1);
  return elapsed;
}

static bool window_open(const ledger_offset_window *window, ledger_offset_period period,
                        int64_t length_months)
{
  return window->opened && window_elapsed(window, period) <= length_months;
}

static bool window_over(const ledger_offset_window *window, ledger_offset_period period,
                        int64_t length_months)
{
  return window->opened && window_elapsed(window, period) > length_months;
}

/* "Opens in the first month in which the disregard is eligible and I > 0":
 * the caller has established eligibility. */
static void window_open_if_first(ledger_offset_window *window, ledger_offset_period period,
                                 int64_t net_income_cents)
{
  if (!window->opened && net_income_cents > 0) {
    window->opened = true;
    window->start = period;
  }
}

/* Months of the window consumed as of the end of `period`. */
static int64_t window_used(const ledger_offset_window *window, ledger_offset_period period,
                           int64_t length_months)
{
  if (!window->opened)
    return 0;
  return minimum(window_elapsed(window, period), length_months);
}

/* ---- The steps of the computation ------------------------------------ */

/* The carried loss and the volunteer year total belong to a calendar year.
 * Read as "when the year changes" rather than "in a January month", because
 * months may have gaps and a member's first month of a year need not be
 * January. */
static void start_month(ledger_offset_state *state, ledger_offset_period period)
{
  if (!state->has_month || state->last.year != period.year) {
    state->k_ytd_cents = 0;
    state->loss_carried_cents = 0;
  }
}

/* Step 1: profit P and the positive income I0 it leaves after losses. */
static coop_err compute_income_before_share(const ledger_offset_rule_set *rule_set,
                                            const ledger_offset_month *month,
                                            ledger_offset_state *state, int64_t *income_cents)
{
  /* Both are >= 0, so the difference cannot overflow. */
  int64_t profit_cents = month->revenue_cents - month->costs_cents;
  if (rule_set->loss_rule == LEDGER_OFFSET_LOSS_FLOOR_ZERO) {
    /* A carried loss left by an earlier CARRY_FORWARD_YEAR rule set this year
     * is neither used nor increased: FLOOR_ZERO says nothing about it. */
    *income_cents = maximum(profit_cents, 0);
    return COOP_OK;
  }
  if (profit_cents < 0) {
    *income_cents = 0;
    return add(state->loss_carried_cents, -profit_cents, &state->loss_carried_cents);
  }
  int64_t set_off_cents = minimum(profit_cents, state->loss_carried_cents);
  state->loss_carried_cents -= set_off_cents;
  *income_cents = profit_cents - set_off_cents;
  return COOP_OK;
}

typedef struct disregard_choice {
  ledger_offset_disregard_kind kind;
  int64_t basis_points;
  int64_t cap_cents; /* -1: no cap */
} disregard_choice;

/* Step 3 under PW2015, in the spec's order of precedence: n, else y, else r. */
static disregard_choice choose_pw2015(const ledger_offset_rule_set *rule_set,
                                      const ledger_offset_month *month, ledger_offset_state *state,
                                      int64_t net_income_cents)
{
  ledger_offset_period period = month->period;
  bool old_enough = month->age_years >= rule_set->min_age_nrk_years;
  bool n_eligible = old_enough && month->n_approved;
  if (n_eligible)
    window_open_if_first(&state->n_window, period, net_income_cents);
  if (n_eligible && window_open(&state->n_window, period, rule_set->n_months))
    return (disregard_choice){LEDGER_OFFSET_DISREGARD_N, rule_set->pct_n_basis_points,
                              rule_set->cap_n_cents};
  /* y "does not apply in a month where n applies", which the return above
   * ensures; r is "not with y", which this order ensures. */
  if (month->medical_hours_limit)
    return (disregard_choice){LEDGER_OFFSET_DISREGARD_Y, rule_set->pct_y_basis_points,
                              rule_set->cap_y_cents};
  /* r only when n does not apply *because* the member is not approved or the
   * n window is over; an approved member whose n window has not opened yet
   * (no income so far) gets neither. */
  bool n_excluded = !month->n_approved || window_over(&state->n_window, period, rule_set->n_months);
  bool r_eligible = old_enough && month->single_parent_child_under_12 && n_excluded;
  if (r_eligible)
    window_open_if_first(&state->r_window, period, net_income_cents);
  if (r_eligible && window_open(&state->r_window, period, rule_set->r_months))
    return (disregard_choice){LEDGER_OFFSET_DISREGARD_R, rule_set->pct_r_basis_points,
                              rule_set->cap_r_cents};
  return (disregard_choice){LEDGER_OFFSET_DISREGARD_NONE, 0, 0};
}

/* Step 3 under PW34A: y, else 34a while its window is open; both 15 % by
 * pct_34a with no euro cap.  The spec names no age condition here. */
static disregard_choice choose_pw34a(const ledger_offset_rule_set *rule_set,
                                     const ledger_offset_month *month, ledger_offset_state *state,
                                     int64_t net_income_cents)
{
  if (month->medical_hours_limit)
    return (disregard_choice){LEDGER_OFFSET_DISREGARD_Y, rule_set->pct_34a_basis_points, -1};
  window_open_if_first(&state->a34_window, month->period, net_income_cents);
  if (window_open(&state->a34_window, month->period, rule_set->months_34a))
    return (disregard_choice){LEDGER_OFFSET_DISREGARD_34A, rule_set->pct_34a_basis_points, -1};
  return (disregard_choice){LEDGER_OFFSET_DISREGARD_NONE, 0, 0};
}

/* Step 3: the disregard D, always rounded down, and its kind. */
static coop_err compute_disregard(const ledger_offset_rule_set *rule_set,
                                  const ledger_offset_month *month, ledger_offset_state *state,
                                  ledger_offset_statement *statement)
{
  int64_t net_income_cents = statement->net_income_cents;
  disregard_choice choice = rule_set->regime == LEDGER_OFFSET_REGIME_PW2015
                                ? choose_pw2015(rule_set, month, state, net_income_cents)
                                : choose_pw34a(rule_set, month, state, net_income_cents);
  statement->disregard_kind = choice.kind;
  statement->disregard_cents = 0;
  if (choice.kind == LEDGER_OFFSET_DISREGARD_NONE)
    return COOP_OK;
  int64_t disregard_cents;
  coop_err err = share_rounded_down(net_income_cents, choice.basis_points, &disregard_cents);
  if (err != COOP_OK)
    return err;
  if (choice.cap_cents >= 0)
    disregard_cents = minimum(disregard_cents, choice.cap_cents);
  statement->disregard_cents = disregard_cents;
  return COOP_OK;
}

/* Step 4: the volunteer allowance (vrijwilligersvergoeding) disregarded up
 * to the monthly and yearly limits, from min_age_nrk on. */
static void compute_volunteer(const ledger_offset_rule_set *rule_set,
                              const ledger_offset_month *month, ledger_offset_state *state,
                              ledger_offset_statement *statement)
{
  int64_t disregarded_cents = 0;
  if (month->age_years >= rule_set->min_age_nrk_years) {
    /* A rule set that takes effect mid-year with a lower k_year than was
     * already used leaves no room, never negative room. */
    int64_t year_room_cents = maximum(rule_set->k_year_cents - state->k_ytd_cents, 0);
    disregarded_cents = minimum(month->volunteer_allowance_cents,
                                minimum(rule_set->k_month_cents, year_room_cents));
  }
  state->k_ytd_cents += disregarded_cents; /* stays <= max(k_ytd, k_year) */
  statement->volunteer_disregarded_cents = disregarded_cents;
  statement->volunteer_counted_cents = month->volunteer_allowance_cents - disregarded_cents;
}

/* Step 5: counted income, the indicative offset and benefit. */
static coop_err compute_offset(const ledger_offset_rule_set *rule_set,
                               const ledger_offset_month *month, ledger_offset_statement *statement)
{
  int64_t counted_cents = statement->net_income_cents - statement->disregard_cents;
  coop_err err = add(counted_cents, statement->volunteer_counted_cents, &counted_cents);
  if (err == COOP_OK)
    err = add(counted_cents, month->other_income_cents, &counted_cents);
  if (err != COOP_OK)
    return err;
  statement->counted_income_cents = counted_cents;
  statement->offset_cents = minimum(rule_set->norm_cents, counted_cents);
  statement->benefit_cents = rule_set->norm_cents - statement->offset_cents;
  statement->above_norm = counted_cents >= rule_set->norm_cents;
  return COOP_OK;
}

/* Step 6: split net income between the municipality and the development
 * budget, so that C + M + B = I0 to the cent. */
static coop_err compute_split(const ledger_offset_rule_set *rule_set,
                              const ledger_offset_month *month, ledger_offset_statement *statement)
{
  int64_t net_income_cents = statement->net_income_cents;
  int64_t to_municipality_cents;
  if (rule_set->distribution == LEDGER_OFFSET_DISTRIBUTION_STATUTORY) {
    /* max(0, norm - Vc - X), subtracting one at a time: each operand is in
     * [0, INT64_MAX], so neither difference can overflow. */
    int64_t room_cents = rule_set->norm_cents - statement->volunteer_counted_cents;
    if (room_cents > 0)
      room_cents -= month->other_income_cents;
    room_cents = maximum(room_cents, 0);
    to_municipality_cents = minimum(net_income_cents - statement->disregard_cents, room_cents);
  } else {
    coop_err err = share_rounded_half_up(net_income_cents, rule_set->muni_pct_basis_points,
                                         &to_municipality_cents);
    if (err != COOP_OK)
      return err;
  }
  statement->to_municipality_cents = to_municipality_cents;
  statement->to_budget_cents = net_income_cents - to_municipality_cents;
  return COOP_OK;
}

/* Steps 1 and 2: profit, losses, the coop's share and net income. */
static coop_err compute_net_income(const ledger_offset_rule_set *rule_set,
                                   const ledger_offset_month *month, ledger_offset_state *state,
                                   ledger_offset_statement *statement, int64_t *income_cents)
{
  statement->profit_cents = month->revenue_cents - month->costs_cents;
  coop_err err = compute_income_before_share(rule_set, month, state, income_cents);
  if (err != COOP_OK)
    return err;
  err = share_rounded_half_up(*income_cents, rule_set->coop_pct_basis_points,
                              &statement->coop_share_cents);
  if (err != COOP_OK)
    return err;
  statement->net_income_cents = *income_cents - statement->coop_share_cents;
  return COOP_OK;
}

/* The money invariants every statement must satisfy before anyone sees it. */
static void check_statement(const ledger_offset_rule_set *rule_set,
                            const ledger_offset_statement *statement, int64_t income_cents)
{
  OFFSET_INVARIANT(statement->coop_share_cents >= 0);
  OFFSET_INVARIANT(statement->disregard_cents >= 0);
  OFFSET_INVARIANT(statement->disregard_cents <= statement->net_income_cents);
  OFFSET_INVARIANT(statement->to_municipality_cents >= 0);
  OFFSET_INVARIANT(statement->to_budget_cents >= 0);
  OFFSET_INVARIANT(statement->coop_share_cents + statement->to_municipality_cents +
                       statement->to_budget_cents ==
                   income_cents);
  OFFSET_INVARIANT(statement->offset_cents <= rule_set->norm_cents);
  OFFSET_INVARIANT(statement->benefit_cents >= 0);
  OFFSET_INVARIANT(statement->offset_cents + statement->benefit_cents == rule_set->norm_cents);
}

static coop_err compute_statement(const ledger_offset_rule_set *rule_set,
                                  const ledger_offset_month *month, ledger_offset_state *state,
                                  ledger_offset_statement *statement)
{
  int64_t income_cents;
  coop_err err = compute_net_income(rule_set, month, state, statement, &income_cents);
  if (err == COOP_OK)
    err = compute_disregard(rule_set, month, state, statement);
  if (err != COOP_OK)
    return err;
  compute_volunteer(rule_set, month, state, statement);
  err = compute_offset(rule_set, month, statement);
  if (err == COOP_OK)
    err = compute_split(rule_set, month, statement);
  if (err != COOP_OK)
    return err;
  check_statement(rule_set, statement, income_cents);
  return COOP_OK;
}

/* Step 7: the counters as of the end of the month. */
static void record_counters(const ledger_offset_rule_set *rule_set,
                            const ledger_offset_state *state, ledger_offset_statement *statement)
{
  ledger_offset_period period = statement->period;
  statement->n_used = window_used(&state->n_window, period, rule_set->n_months);
  statement->r_used = window_used(&state->r_window, period, rule_set->r_months);
  statement->a34_used = window_used(&state->a34_window, period, rule_set->months_34a);
  statement->k_ytd_cents = state->k_ytd_cents;
  statement->loss_carried_cents = state->loss_carried_cents;
}

coop_err ledger_offset_month_compute(const ledger_offset_rule_set *rule_sets, size_t rule_set_count,
                                     const ledger_offset_month *month, ledger_offset_state *state,
                                     ledger_offset_statement *statement)
{
  if (ledger_offset_month_check(month, NULL) != COOP_OK)
    return COOP_E_RANGE;
  /* A month on or before the last one computed has been stated already; a
   * change to it is a correction entry, never a recomputation. */
  if (state->has_month && ledger_offset_months_between(state->last, month->period) <= 0)
    return COOP_E_PERIOD_CLOSED;
  size_t index;
  coop_err err = ledger_offset_select(rule_sets, rule_set_count, month->period, &index);
  if (err != COOP_OK)
    return err;
  const ledger_offset_rule_set *rule_set = &rule_sets[index];
  if (ledger_offset_rule_set_check(rule_set, NULL) != COOP_OK)
    return COOP_E_RANGE;

  /* Work on copies so that an error leaves the caller's state and
   * statement as they were. */
  ledger_offset_state next = *state;
  ledger_offset_statement result;
  memset(&result, 0, sizeof result);
  result.period = month->period;
  result.rule_set_index = index;
  start_month(&next, month->period);
  err = compute_statement(rule_set, month, &next, &result);
  if (err != COOP_OK)
    return err;
  next.has_month = true;
  next.last = month->period;
  record_counters(rule_set, &next, &result);
  *state = next;
  *statement = result;
  return COOP_OK;
}

coop_err ledger_offset_run(const ledger_offset_rule_set *rule_sets, size_t rule_set_count,
                           const ledger_offset_month *months, size_t month_count,
                           ledger_offset_statement *statements, size_t *failed_month)
{
  ledger_offset_state state;
  ledger_offset_state_init(&state);
  for (size_t i = 0; i < month_count; i++) {
    coop_err err =
        ledger_offset_month_compute(rule_sets, rule_set_count, &months[i], &state, &statements[i]);
    if (err != COOP_OK) {
      if (failed_month)
        *failed_month = i;
      return err;
    }
  }
  return COOP_OK;
}
