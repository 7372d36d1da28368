/* The offset engine (verrekening): what a member's coop earnings in one month
 * mean for their welfare benefit (bijstand), as specified in the project's
 * domain/offsetting.md (worked examples: tests/data/offset-examples.json).
 *
 * A pure function of a rule set, one month's inputs and a small carried state:
 * no I/O, no allocation, no floating point.  Money is int64_t euro cents,
 * percentages are basis points (2500 = 25 %).  The coop's node and the
 * municipality's node run this same code on the same entries and must agree to
 * the cent, so every rounding step is the spec's, and every multiplication and
 * addition is checked for overflow instead of wrapping.
 *
 * The books feed months one at a time through ledger_offset_month_compute();
 * ledger_offset_run() is the same over a whole ordered array of months. */
#ifndef COOP_LEDGER_OFFSET_H
#define COOP_LEDGER_OFFSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/base/limits.h"

/* One percent is 100 basis points; no share can exceed the whole. */
#define LEDGER_OFFSET_BASIS_POINTS_MAX 10000

/* Periods are calendar months with a four-digit year, as in "2026-03". */
#define LEDGER_OFFSET_YEAR_MIN 1900
#define LEDGER_OFFSET_YEAR_MAX 9999

/* Age in whole years on the 1st of the month.  Nobody has lived past 122;
 * anything above this is a typing error, not a member. */
#define LEDGER_OFFSET_AGE_MAX 150

/* Hours worked in a month: no month has more than 31 × 24 hours. */
#define LEDGER_OFFSET_HOURS_MAX 744

/* Window lengths in months (n: 6, r: 30, 34a: 12 by law).  A window of zero
 * months would be a disregard that never applies, which a rule set says with
 * a zero percentage instead; 100 years is far beyond any statutory limit and
 * keeps month arithmetic small. */
#define LEDGER_OFFSET_WINDOW_MONTHS_MIN 1
#define LEDGER_OFFSET_WINDOW_MONTHS_MAX 1200

/* A municipality's name is a display name like a node's or member's. */
#define LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX COOP_NAME_BYTES_MAX

/* A calendar month. */
typedef struct ledger_offset_period {
  int year;  /* LEDGER_OFFSET_YEAR_MIN ..= LEDGER_OFFSET_YEAR_MAX */
  int month; /* 1 ..= 12 */
} ledger_offset_period;

/* "YYYY-MM" plus the NUL. */
#define LEDGER_OFFSET_PERIOD_TEXT_BYTES 8

/* Which law computes the disregard.  Values start at 1 so that a zeroed rule
 * set is invalid rather than silently PW2015. */
typedef enum ledger_offset_regime {
  LEDGER_OFFSET_REGIME_PW2015 = 1, /* Participatiewet art. 31 lid 2, until 2026-12-31 */
  LEDGER_OFFSET_REGIME_PW34A = 2,  /* art. 34a (Participatiewet in balans), from 2027-01-01 */
} ledger_offset_regime;

/* How net income is split between the municipality and the development
 * budget (ontwikkelbudget). */
typedef enum ledger_offset_distribution {
  LEDGER_OFFSET_DISTRIBUTION_STATUTORY = 1, /* the municipality gets what it offsets */
  LEDGER_OFFSET_DISTRIBUTION_PERCENT = 2,   /* the municipality gets muni_pct of net income */
} ledger_offset_distribution;

/* What a month with a loss does to later months. */
typedef enum ledger_offset_loss_rule {
  LEDGER_OFFSET_LOSS_FLOOR_ZERO = 1,         /* a loss month counts as zero */
  LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR = 2, /* set off against later profit, same year */
} ledger_offset_loss_rule;

/* The kind of disregard (vrijlating) that applied in a month. */
typedef enum ledger_offset_disregard_kind {
  LEDGER_OFFSET_DISREGARD_NONE = 0,
  LEDGER_OFFSET_DISREGARD_N = 1,   /* work income, with the college's approval */
  LEDGER_OFFSET_DISREGARD_R = 2,   /* single parent with a child under 12 */
  LEDGER_OFFSET_DISREGARD_Y = 3,   /* medically limited hours */
  LEDGER_OFFSET_DISREGARD_34A = 4, /* art. 34a work income */
} ledger_offset_disregard_kind;

/* One municipality's offset agreement, in force from `effective_from` until
 * the next rule set's.  Field names are those of the JSON rule set. */
typedef struct ledger_offset_rule_set {
  char municipality[LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX + 1]; /* non-empty, NUL-terminated */
  ledger_offset_period effective_from;
  ledger_offset_regime regime;
  int64_t norm_cents;            /* the benefit norm the offset is measured against */
  int64_t coop_pct_basis_points; /* the coop's share of positive profit */
  ledger_offset_distribution distribution;
  int64_t muni_pct_basis_points; /* municipality's share of net income, PERCENT only */
  ledger_offset_loss_rule loss_rule;
  int64_t min_age_nrk_years; /* below this age n, r and k do not apply (lid 5) */
  int64_t pct_n_basis_points;
  int64_t cap_n_cents;
  int64_t n_months;
  int64_t pct_r_basis_points;
  int64_t cap_r_cents;
  int64_t r_months;
  int64_t pct_y_basis_points;
  int64_t cap_y_cents;
  int64_t pct_34a_basis_points; /* PW34A: work income and medically limited hours */
  int64_t months_34a;
  int64_t k_month_cents; /* volunteer allowance disregarded per month */
  int64_t k_year_cents;  /* ... and per calendar year */
} ledger_offset_rule_set;

/* One member's inputs for one month. */
typedef struct ledger_offset_month {
  ledger_offset_period period;
  int64_t revenue_cents;
  int64_t costs_cents;
  int64_t volunteer_allowance_cents; /* V */
  int64_t other_income_cents;        /* X: counted income from outside the coop */
  int64_t hours;                     /* recorded, not used in the computation */
  int64_t age_years;                 /* whole years on the 1st of the month */
  bool n_approved;                   /* the college approved disregard n */
  bool medical_hours_limit;
  bool single_parent_child_under_12;
} ledger_offset_month;

/* The outcome of one month: every figure of the spec's step 7.  Field names
 * match the JSON statement's. */
typedef struct ledger_offset_statement {
  ledger_offset_period period;
  size_t rule_set_index;    /* index into the caller's rule set array */
  int64_t profit_cents;     /* P = revenue - costs; negative for a loss */
  int64_t coop_share_cents; /* C */
  int64_t net_income_cents; /* I = I0 - C */
  int64_t disregard_cents;  /* D */
  ledger_offset_disregard_kind disregard_kind;
  int64_t volunteer_disregarded_cents; /* Dk */
  int64_t volunteer_counted_cents;     /* Vc */
  int64_t counted_income_cents;        /* CI */
  int64_t offset_cents;                /* O = min(norm, CI) */
  int64_t benefit_cents;               /* norm - O */
  bool above_norm;                     /* CI >= norm */
  int64_t to_municipality_cents;       /* M */
  int64_t to_budget_cents;             /* B; C + M + B = I0 */
  int64_t n_used; /* months of the n window consumed, as of the end of the month */
  int64_t r_used;
  int64_t a34_used;
  int64_t k_ytd_cents;        /* volunteer allowance disregarded so far this year */
  int64_t loss_carried_cents; /* CARRY_FORWARD_YEAR loss still to set off */
} ledger_offset_statement;

/* A disregard's window of consecutive calendar months.  Once opened it runs
 * through every calendar month, with or without income or input, and after
 * its length it is over for good. */
typedef struct ledger_offset_window {
  bool opened;
  ledger_offset_period start;
} ledger_offset_window;

/* What carries from one month to the next for one member. */
typedef struct ledger_offset_state {
  bool has_month;            /* false before the first month */
  ledger_offset_period last; /* the last month computed: the current year, and
                              the month the next one must come after */
  ledger_offset_window n_window;
  ledger_offset_window r_window;
  ledger_offset_window a34_window;
  int64_t k_ytd_cents;
  int64_t loss_carried_cents;
} ledger_offset_state;

/* The state of a member with no months yet. */
void ledger_offset_state_init(ledger_offset_state *state);

/* Months from `from` to `to` (negative if `to` is earlier). */
int64_t ledger_offset_months_between(ledger_offset_period from, ledger_offset_period to);

/* Writes "YYYY-MM" and a NUL into `text`. */
void ledger_offset_period_format(ledger_offset_period period,
                                 char text[LEDGER_OFFSET_PERIOD_TEXT_BYTES]);

/* "n", "r", "y", "34a" or "none"; never NULL. */
const char *ledger_offset_disregard_kind_name(ledger_offset_disregard_kind kind);

/* "PW2015"/"PW34A", "STATUTORY"/"PERCENT", "FLOOR_ZERO"/"CARRY_FORWARD_YEAR";
 * NULL for a value outside the enum. */
const char *ledger_offset_regime_name(ledger_offset_regime regime);
const char *ledger_offset_distribution_name(ledger_offset_distribution distribution);
const char *ledger_offset_loss_rule_name(ledger_offset_loss_rule loss_rule);

/* COOP_OK if the period is a valid calendar month, else COOP_E_RANGE. */
COOP_MUST_USE coop_err ledger_offset_period_check(ledger_offset_period period);

/* Checks every field against the limits above.  COOP_E_RANGE on the first bad
 * field, whose JSON name is stored in *field if `field` is not NULL. */
COOP_MUST_USE coop_err ledger_offset_rule_set_check(const ledger_offset_rule_set *rule_set,
                                                    const char **field);

/* The same for a month's inputs. */
COOP_MUST_USE coop_err ledger_offset_month_check(const ledger_offset_month *month,
                                                 const char **field);

/* The rule set in force in `period`: the one with the latest effective_from
 * on or before it.  COOP_E_NO_RULE_SET if none; COOP_E_BAD_INPUT if two rule
 * sets share that effective_from, since which one is in force would then
 * depend on array order.  *index is written only on success. */
COOP_MUST_USE coop_err ledger_offset_select(const ledger_offset_rule_set *rule_sets,
                                            size_t rule_set_count, ledger_offset_period period,
                                            size_t *index);

/* Computes the statement for one month and advances the carried state.
 *
 * `month` must come strictly after the last month computed with `state`
 * (gaps are fine): an earlier or equal month is a month already stated, so
 * COOP_E_PERIOD_CLOSED.  Other errors: COOP_E_RANGE for an invalid month or
 * selected rule set, COOP_E_NO_RULE_SET, COOP_E_BAD_INPUT (see
 * ledger_offset_select), COOP_E_OVERFLOW if a figure does not fit in int64.
 * On any error *state and *statement are left untouched. */
COOP_MUST_USE coop_err ledger_offset_month_compute(const ledger_offset_rule_set *rule_sets,
                                                   size_t rule_set_count,
                                                   const ledger_offset_month *month,
                                                   ledger_offset_state *state,
                                                   ledger_offset_statement *statement);

/* Runs `month_count` months, in order, from a fresh state, writing one
 * statement per month into `statements` (caller-allocated, month_count long).
 * Errors as ledger_offset_month_compute(); on error *failed_month (if not NULL)
 * is the index of the month that failed, statements before it are filled in
 * and the rest are untouched.  *failed_month is not written on success. */
COOP_MUST_USE coop_err ledger_offset_run(const ledger_offset_rule_set *rule_sets,
                                         size_t rule_set_count, const ledger_offset_month *months,
                                         size_t month_count, ledger_offset_statement *statements,
                                         size_t *failed_month);

#endif
