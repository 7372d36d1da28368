/* Property test of the month close against the audit (node/statements.c,
 * node/audit.c): random record streams for 1-4 members over 2-4 months are
 * recorded on a coop node, closed month by month, moved to the
 * municipality and audited.  Per member and month:
 *   1. the statement's inputs equal an independent model kept here (plain
 *      sums over the generated stream, status facts, age, normalisation);
 *   2. the municipality acknowledged every statement (no dispute);
 *   3. the statement cites exactly the model's records of the month.
 * And one crafted statement (revenue one cent off) is disputed, so the
 * audit can fail at all.
 *
 * COOP_PROPERTY_SEED=N replays a failing run (its seed is in every failure
 * message); COOP_PROPERTY_RUNS=N sets how many runs (default RUNS_DEFAULT,
 * chosen so a debug+ASan build stays well under a minute). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/books/books.h"
#include "ledger/books/books_index.h"
#include "ledger/books/statement.h"
#include "ledger/log/seal.h"
#include "ledger/offset/offset_codec.h"
#include "ledger/store/bundle.h"
#include "ledger/store/store.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/node.h"
#include "tests/support/tree.h"

#define RUNS_DEFAULT 50
#define MEMBERS_MAX 4
#define MONTHS_MAX 4
#define RECORDS_PER_MONTH_MAX 6
#define RECORDS_MAX 512
#define FACTS_MAX 128

/* ---- Fixture and generator ---------------------------------------------------------- */

static struct {
  char dir[64];
  int serial;
  uint64_t seed; /* of the run under way: every failure message names it */
  uint64_t rng;
  unsigned failures; /* checks failed so far (cr_expect_fail does not stop the test) */
} fx;

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-test-month-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
}

static void teardown(void)
{
  test_remove_tree(fx.dir);
  unsetenv("COOP_NOW_MS");
}

TestSuite(month_property, .init = setup, .fini = teardown, .timeout = 600);

/* splitmix64: tiny, and a seed alone replays the whole run. */
static uint64_t next_random(void)
{
  uint64_t z = (fx.rng += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int64_t between(int64_t low, int64_t high)
{
  return low + (int64_t)(next_random() % (uint64_t)(high - low + 1));
}

static bool chance(int percent)
{
  return between(1, 100) <= percent;
}

/* A failed check that lets the run go on, counted so the test stops after
 * the first failing run. */
#define MISMATCH(...)                                                                          \
  do {                                                                                         \
    fx.failures++;                                                                             \
    cr_expect_fail(__VA_ARGS__);                                                               \
  } while (0)

#define EXPECT_OK(err, what, message)                                                          \
  cr_assert_eq((err), COOP_OK, "[seed %" PRIu64 "] %s: %s: %s", fx.seed, (what),             \
               coop_err_name(err), (message))

/* ---- Clock, nodes, logs (after tests/node/test_audit.c) ------------------------------- */

/* Milliseconds at 12:00 UTC on a day (days_from_civil, Howard Hinnant). */
static uint64_t ms_at(uint32_t date)
{
  int64_t year = date / 10000, month = (date / 100) % 100, day = date % 100;
  year -= month <= 2;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return (uint64_t)((era * 146097 + day_of_era - 719468) * 86400 + 43200) * 1000u;
}

static void set_clock(uint32_t date)
{
  char text[32];
  snprintf(text, sizeof text, "%" PRIu64, ms_at(date));
  cr_assert_eq(setenv("COOP_NOW_MS", text, 1), 0);
  cr_assert_eq(node_today(), date);
}

static void make_node(node *out, int role, const char *name)
{
  char home[160], message[NODE_MESSAGE_BYTES] = "";
  snprintf(home, sizeof home, "%s/node-%d", fx.dir, ++fx.serial);
  EXPECT_OK(node_create(home, role, name, node_now_ms(), out, message), "create", message);
}

static void move_log(node *from, node *to)
{
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  uint64_t written = 0;
  cr_assert_eq(ledger_bundle_export(from->store, from->identity.public_key, 0, file, &written),
               COOP_OK);
  rewind(file);
  ledger_bundle_result result;
  char problem[256] = "";
  EXPECT_OK(ledger_bundle_import(to->store, file, to->identity.public_key, node_now_ms(),
                                 &result, problem),
            "import", problem);
  fclose(file);
}

/* The rule set of the worked examples (tests/data/offset-examples.json). */
static uint64_t publish_breda_2026(node *muni)
{
  ledger_offset_rule_set rs = {.effective_from = {2026, 1}, .regime = LEDGER_OFFSET_REGIME_PW2015,
                               .norm_cents = 140150, .coop_pct_basis_points = 1000,
                               .distribution = LEDGER_OFFSET_DISTRIBUTION_STATUTORY,
                               .loss_rule = LEDGER_OFFSET_LOSS_FLOOR_ZERO,
                               .min_age_nrk_years = 27, .pct_n_basis_points = 2500,
                               .cap_n_cents = 28500, .n_months = 6, .pct_r_basis_points = 1250,
                               .cap_r_cents = 17766, .r_months = 30, .pct_y_basis_points = 1500,
                               .cap_y_cents = 18019, .pct_34a_basis_points = 1500,
                               .months_34a = 12, .k_month_cents = 22000, .k_year_cents = 220000};
  snprintf(rs.municipality, sizeof rs.municipality, "Breda");
  coop_buf payload;
  coop_buf_init(&payload, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(ledger_offset_rule_set_encode(&rs, &payload), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_RULE_SET, .payload = payload.data,
                             .payload_bytes = payload.len};
  ledger_checkpoint checkpoint;
  cr_assert_eq(ledger_store_append(muni->store, &muni->identity, &item, 1, node_now_ms(),
                                   &checkpoint),
               COOP_OK);
  coop_buf_release(&payload);
  return checkpoint.size - 1;
}

static uint64_t own_size(node *self)
{
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(self->store, self->identity.public_key, &size), COOP_OK);
  return size;
}

/* ---- The run: what was generated, kept for the model ----------------------------------- */

typedef struct model_record {
  uint64_t index;
  int member;
  uint8_t type;    /* for a correction: the type of the record it reverses */
  bool correction; /* reverses `amount` */
  int64_t amount;  /* as requested: cents, or hours in hundredths */
  uint32_t date;
  uint32_t counts_in; /* YYYYMM: its date's month; a correction's is the original's */
  bool corrected;
} model_record;

typedef struct model_fact {
  int member;
  uint8_t field;
  uint32_t from, value;
} model_fact;

typedef struct run {
  node coop, muni;
  int members;
  char member[MEMBERS_MAX][16];
  uint32_t birth[MEMBERS_MAX];
  int64_t budget[MEMBERS_MAX]; /* development budget left to spend */
  int months;
  uint32_t period[MONTHS_MAX];
  uint64_t statement[MEMBERS_MAX][MONTHS_MAX];
  int64_t to_budget[MEMBERS_MAX][MONTHS_MAX]; /* of the statement in force */
  model_record records[RECORDS_MAX];
  size_t record_count;
  size_t reissues; /* statements reissued by later closes, all runs of a test */
  model_fact facts[FACTS_MAX];
  size_t fact_count;
} run;

static uint32_t month_after(uint32_t period)
{
  return period % 100 == 12 ? (period / 100 + 1) * 100 + 1 : period + 1;
}

/* ---- The independent model ----------------------------------------------------------- */

/* The value in force in `period`: the entry with the latest `from` not after
 * it; of entries with the same `from`, the one made last. */
static uint32_t model_fact_value(const run *r, int member, uint8_t field, uint32_t period)
{
  uint32_t best_from = 0, value = 0;
  for (size_t i = 0; i < r->fact_count; i++) {
    const model_fact *f = &r->facts[i];
    if (f->member == member && f->field == field && f->from <= period && f->from >= best_from) {
      best_from = f->from;
      value = f->value;
    }
  }
  return value;
}

/* Whole years on the 1st; in the birth month itself the birthday has not
 * passed (only the month is known). */
static int64_t model_age(uint32_t birth, uint32_t period)
{
  int64_t years = (int64_t)(period / 100) - (int64_t)(birth / 100);
  if (period % 100 <= birth % 100)
    years--;
  return years < 0 ? 0 : years;
}

/* The engine takes amounts >= 0: a negative revenue is a cost, a negative
 * cost a revenue, other negatives count as nothing. */
static void model_normalise(ledger_offset_month *in)
{
  if (in->revenue_cents < 0) {
    in->costs_cents += -in->revenue_cents;
    in->revenue_cents = 0;
  }
  if (in->costs_cents < 0) {
    in->revenue_cents += -in->costs_cents;
    in->costs_cents = 0;
  }
  if (in->volunteer_allowance_cents < 0)
    in->volunteer_allowance_cents = 0;
  if (in->other_income_cents < 0)
    in->other_income_cents = 0;
}

static bool in_month(const model_record *rec, int member, uint32_t period)
{
  return rec->member == member && rec->counts_in == period;
}

static ledger_offset_month model_inputs(const run *r, int member, uint32_t period)
{
  ledger_offset_month in = {.period = {(int)(period / 100), (int)(period % 100)}};
  int64_t hundredths = 0;
  for (size_t i = 0; i < r->record_count; i++) {
    const model_record *rec = &r->records[i];
    if (!in_month(rec, member, period))
      continue;
    int64_t amount = rec->correction ? -rec->amount : rec->amount;
    if (rec->type == LEDGER_RECORD_REVENUE)
      in.revenue_cents += amount;
    else if (rec->type == LEDGER_RECORD_COST)
      in.costs_cents += amount;
    else if (rec->type == LEDGER_RECORD_ALLOWANCE)
      in.volunteer_allowance_cents += amount;
    else if (rec->type == LEDGER_RECORD_OTHER_INCOME)
      in.other_income_cents += amount;
    else if (rec->type == LEDGER_RECORD_HOURS)
      hundredths += amount;
  }
  in.hours = hundredths > 0 ? hundredths / 100 : 0; /* whole hours */
  model_normalise(&in);
  in.age_years = model_age(r->birth[member], period);
  in.n_approved = model_fact_value(r, member, LEDGER_MEMBER_N_APPROVED, period) != 0;
  in.medical_hours_limit = model_fact_value(r, member, LEDGER_MEMBER_MEDICAL_LIMIT, period) != 0;
  in.single_parent_child_under_12 =
      model_fact_value(r, member, LEDGER_MEMBER_SINGLE_PARENT, period) != 0;
  return in;
}

/* ---- Driving the coop node -------------------------------------------------------------- */

static void set_fact(run *r, int member, uint8_t field, uint32_t from, uint32_t value)
{
  char message[NODE_MESSAGE_BYTES] = "";
  EXPECT_OK(node_member_set(&r->coop, r->member[member], field, from, value, false, message),
            "member set", message);
  cr_assert_lt(r->fact_count, FACTS_MAX);
  r->facts[r->fact_count++] = (model_fact){member, field, from, value};
}

static void enrol_members(run *r, uint32_t first)
{
  for (int m = 0; m < r->members; m++) {
    char name[32], ref[32], message[NODE_MESSAGE_BYTES] = "";
    snprintf(name, sizeof name, "Member %d", m + 1);
    snprintf(ref, sizeof ref, "BRD-%04d", m + 1);
    /* Ages 17 to 33 around the rule set's 27, and often a birthday in the
     * run's months, where the age on the 1st turns. */
    uint32_t month = chance(40) ? first % 100 + (uint32_t)between(0, 2) : (uint32_t)between(1, 12);
    r->birth[m] = (uint32_t)between(1993, 2009) * 100 + (month > 12 ? month - 12 : month);
    node_member_request request = {.name = name, .client_ref = ref, .birth_period = r->birth[m],
                                   .from_period = first};
    memcpy(request.municipality, r->muni.identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
    EXPECT_OK(node_member_add(&r->coop, &request, r->member[m], message), "enrol", message);
    for (uint8_t field = LEDGER_MEMBER_N_APPROVED; field <= LEDGER_MEMBER_SINGLE_PARENT; field++)
      if (chance(40))
        set_fact(r, m, field, first, (uint32_t)between(0, 1));
  }
}

static int64_t random_amount(uint8_t type)
{
  if (type == LEDGER_RECORD_HOURS) /* six of these stay within 744 hours */
    return between(1, NODE_HOURS_PER_MONTH_MAX * 100 / RECORDS_PER_MONTH_MAX);
  int roll = (int)between(1, 100);
  return between(1, roll <= 80 ? 300000 : roll <= 95 ? 5000000 : NODE_RECORD_CENTS_MAX);
}

static void add_record(run *r, int member, uint8_t type, int64_t amount, uint32_t date)
{
  char ref[32], message[NODE_MESSAGE_BYTES] = "";
  snprintf(ref, sizeof ref, "p-%zu", r->record_count);
  node_record_request request = {.type = type, .member_id = r->member[member], .amount = amount,
                                 .date = date, .ref = ref};
  node_record_result result;
  EXPECT_OK(node_record_add(&r->coop, &request, &result, message), "record", message);
  cr_assert(!result.existed);
  cr_assert_lt(r->record_count, RECORDS_MAX);
  r->records[r->record_count++] =
      (model_record){.index = result.index, .member = member, .type = type, .amount = amount,
                     .date = date, .counts_in = date / 100};
}

static void random_record(run *r, int member, uint32_t period)
{
  static const uint8_t types[] = {LEDGER_RECORD_REVENUE, LEDGER_RECORD_REVENUE,
                                  LEDGER_RECORD_COST,    LEDGER_RECORD_ALLOWANCE,
                                  LEDGER_RECORD_OTHER_INCOME, LEDGER_RECORD_HOURS,
                                  LEDGER_RECORD_SPEND};
  uint8_t type = types[between(0, sizeof types - 1)];
  uint32_t date = period * 100 + (uint32_t)between(1, 28);
  if (type == LEDGER_RECORD_SPEND) {
    /* Only what the month closes put in the budget can be spent. */
    if (r->budget[member] <= 0)
      type = LEDGER_RECORD_COST;
    else {
      int64_t amount = between(1, r->budget[member]);
      r->budget[member] -= amount;
      add_record(r, member, type, amount, date);
      return;
    }
  }
  add_record(r, member, type, random_amount(type), date);
}

/* Reverses a record of the open month (or, now and then, of the month just
 * closed), dated in the open month or in the next one (today's). */
static void random_correction(run *r, uint32_t period)
{
  size_t candidates[RECORDS_MAX], count = 0;
  uint32_t oldest = chance(20) && r->period[0] != period ? period - (period % 100 == 1 ? 89 : 1)
                                                         : period;
  for (size_t i = 0; i < r->record_count; i++) {
    const model_record *rec = &r->records[i];
    if (!rec->correction && !rec->corrected && rec->date / 100 >= oldest)
      candidates[count++] = i;
  }
  if (!count)
    return;
  model_record *original = &r->records[candidates[between(0, (int64_t)count - 1)]];
  uint32_t date = (chance(50) ? period : month_after(period)) * 100 + (uint32_t)between(1, 28);
  uint64_t index = 0;
  char message[NODE_MESSAGE_BYTES] = "";
  EXPECT_OK(node_record_correct(&r->coop, original->index, "property test", date, &index, message),
            "correct", message);
  original->corrected = true;
  if (original->type == LEDGER_RECORD_SPEND)
    r->budget[original->member] += original->amount;
  cr_assert_lt(r->record_count, RECORDS_MAX);
  r->records[r->record_count++] = (model_record){.index = index, .member = original->member,
                                                 .type = original->type, .correction = true,
                                                 .amount = original->amount, .date = date,
                                                 .counts_in = original->counts_in};
}

/* A status fact from the open month or the next, sometimes given twice for
 * the same month (the later one stands). */
static void random_fact(run *r, int member, uint32_t period)
{
  uint8_t field = (uint8_t)between(LEDGER_MEMBER_N_APPROVED, LEDGER_MEMBER_SINGLE_PARENT);
  uint32_t from = chance(50) ? period : month_after(period);
  set_fact(r, member, field, from, (uint32_t)between(0, 1));
  if (chance(25))
    set_fact(r, member, field, from, (uint32_t)between(0, 1));
}

/* One month's stream: each member's quota of records (a quarter get none),
 * with corrections and status changes mixed in between. */
static void generate_month(run *r, uint32_t period)
{
  int quota[MEMBERS_MAX], left = 0;
  for (int m = 0; m < r->members; m++)
    left += quota[m] = chance(25) ? 0 : (int)between(0, RECORDS_PER_MONTH_MAX);
  while (left > 0) {
    int m = (int)between(0, r->members - 1);
    if (chance(15))
      random_correction(r, period);
    else if (chance(8))
      random_fact(r, m, period);
    else if (quota[m] > 0) {
      random_record(r, m, period);
      quota[m]--;
      left--;
    }
  }
}

/* ---- Checking one closed month ---------------------------------------------------------- */

static void expect_field(const run *r, int member, uint32_t period, const char *field,
                         int64_t statement, int64_t model)
{
  if (statement != model)
    MISMATCH("[seed %" PRIu64 "] member %s, month %u, %s: statement %" PRId64 ", model %" PRId64,
               fx.seed, r->member[member], period, field, statement, model);
}

static void expect_inputs(const run *r, int m, uint32_t period, const ledger_offset_month *got)
{
  ledger_offset_month want = model_inputs(r, m, period);
#define FIELD(name) expect_field(r, m, period, #name, (int64_t)got->name, (int64_t)want.name)
  FIELD(period.year);
  FIELD(period.month);
  FIELD(revenue_cents);
  FIELD(costs_cents);
  FIELD(volunteer_allowance_cents);
  FIELD(other_income_cents);
  FIELD(hours);
  FIELD(age_years);
  FIELD(n_approved);
  FIELD(medical_hours_limit);
  FIELD(single_parent_child_under_12);
#undef FIELD
}

static bool cites(const ledger_statement_payload *s, uint64_t index)
{
  for (unsigned i = 0; i < s->source_count; i++)
    if (s->sources[i].index == index)
      return true;
  return false;
}

/* The cited sources are exactly the model's records of the month: each one
 * cited, and no more cited than there are. */
static void expect_sources(const run *r, int m, uint32_t period, const ledger_statement_payload *s)
{
  unsigned expected = 0;
  for (size_t i = 0; i < r->record_count; i++) {
    if (!in_month(&r->records[i], m, period))
      continue;
    expected++;
    if (!cites(s, r->records[i].index))
      MISMATCH("[seed %" PRIu64 "] member %s, month %u: record %" PRIu64 " is not cited", fx.seed,
               r->member[m], period, r->records[i].index);
  }
  if (s->source_count != expected)
    MISMATCH("[seed %" PRIu64 "] member %s, month %u: %u sources cited, the model has %u",
               fx.seed, r->member[m], period, (unsigned)s->source_count, expected);
}

/* The statement in force of every member for month k against the model;
 * `first_time` (right after its close) also credits the month's budget. */
static void check_month(run *r, int k, ledger_statement_payload *s, bool first_time)
{
  for (int m = 0; m < r->members; m++) {
    coop_err err = ledger_books_statement(r->coop.store, r->member[m], r->period[k], 0, s,
                                          &r->statement[m][k]);
    EXPECT_OK(err, "statement", r->member[m]);
    expect_inputs(r, m, r->period[k], &s->month);
    expect_sources(r, m, r->period[k], s);
    if (first_time) {
      r->budget[m] += s->figures.to_budget_cents;
      r->to_budget[m][k] = s->figures.to_budget_cents;
    }
  }
}

static int member_of(const run *r, const char *member_id)
{
  for (int m = 0; m < r->members; m++)
    if (!strcmp(r->member[m], member_id))
      return m;
  cr_assert_fail("reissued statement of an unknown member %s", member_id);
  return -1;
}

/* A close that reissued earlier months (a correction attributed to one)
 * booked the differences of their splits: the budget moves by them. */
static void credit_reissues(run *r, const node_reissue_list *done, ledger_statement_payload *s)
{
  for (size_t i = 0; i < done->count; i++) {
    const node_reissue *item = &done->items[i];
    int m = member_of(r, item->member_id), k = 0;
    while (k < r->months && r->period[k] != item->period)
      k++;
    cr_assert_lt(k, r->months, "reissued %u, not a month of the run", item->period);
    uint64_t index = 0;
    EXPECT_OK(ledger_books_statement(r->coop.store, item->member_id, item->period, 0, s, &index),
              "reissued statement", item->member_id);
    cr_assert_eq(index, item->index, "the reissue is not the statement in force");
    r->budget[m] += s->figures.to_budget_cents - r->to_budget[m][k];
    r->to_budget[m][k] = s->figures.to_budget_cents;
    r->statement[m][k] = index;
  }
}

/* ---- One run ------------------------------------------------------------------------------- */

static void run_open(run *r)
{
  memset(r, 0, sizeof *r);
  r->members = (int)between(1, MEMBERS_MAX);
  r->months = (int)between(2, MONTHS_MAX);
  /* Within 2026: the rule set's regime (PW2015) ends with the year. */
  r->period[0] = 202600 + (uint32_t)between(1, 13 - r->months);
  for (int k = 1; k < r->months; k++)
    r->period[k] = month_after(r->period[k - 1]);
  set_clock(month_after(r->period[0]) * 100 + 2);
  make_node(&r->coop, LEDGER_ROLE_COOP, "Coop Zuid");
  make_node(&r->muni, LEDGER_ROLE_MUNICIPALITY, "Gemeente Breda");
  char message[NODE_MESSAGE_BYTES] = "";
  EXPECT_OK(node_books_ready(&r->coop, message), "books", message);
  publish_breda_2026(&r->muni);
  move_log(&r->muni, &r->coop);
  enrol_members(r, r->period[0]);
}

/* Each month is written while the clock is on the 2nd of the next (so the
 * month has ended and today's month is open too), then closed. */
static void run_months(run *r)
{
  ledger_statement_payload *s = malloc(sizeof *s);
  cr_assert_not_null(s);
  for (int k = 0; k < r->months; k++) {
    set_clock(month_after(r->period[k]) * 100 + 2);
    generate_month(r, r->period[k]);
    char message[NODE_MESSAGE_BYTES] = "";
    node_reissue_list reissued = {0};
    EXPECT_OK(node_period_close_reissuing(&r->coop, r->period[k], &reissued, message), "close",
              message);
    credit_reissues(r, &reissued, s);
    r->reissues += reissued.count;
    node_reissue_list_free(&reissued);
    check_month(r, k, s, true);
  }
  /* Months reissued by a later close (a correction attributed to them)
   * must still match the model, with the late records in place. */
  for (int k = 0; k < r->months; k++)
    check_month(r, k, s, false);
  free(s);
}

static void expect_acknowledged(run *r)
{
  for (int m = 0; m < r->members; m++)
    for (int k = 0; k < r->months; k++) {
      node_verdict_found found;
      cr_assert_eq(node_verdict_for(&r->muni, r->coop.identity.public_key, r->statement[m][k],
                                    &found),
                   COOP_OK);
      if (found.status != NODE_AUDIT_ACKNOWLEDGED)
        MISMATCH("[seed %" PRIu64 "] member %s, month %u: %s, reason %s, entry %" PRIu64
                   ", differing fields 0x%x",
                   fx.seed, r->member[m], r->period[k], node_audit_status_name(found.status),
                   ledger_dispute_reason_name(found.verdict.reason), found.verdict.detail_index,
                   (unsigned)found.verdict.differing);
    }
}

static node_audit_summary audit(run *r)
{
  move_log(&r->coop, &r->muni);
  node_audit_summary summary;
  char message[NODE_MESSAGE_BYTES] = "";
  EXPECT_OK(node_audit_run(&r->muni, &summary, message), "audit", message);
  return summary;
}

static void run_close(run *r)
{
  node_close(&r->coop);
  node_close(&r->muni);
}

static uint64_t env_number(const char *name, uint64_t otherwise)
{
  const char *text = getenv(name);
  return text && text[0] ? strtoull(text, NULL, 0) : otherwise;
}

Test(month_property, the_close_the_audit_and_the_model_agree)
{
  uint64_t runs = env_number("COOP_PROPERTY_RUNS", RUNS_DEFAULT);
  /* A fresh seed each time unless one is given to replay. */
  uint64_t base = env_number("COOP_PROPERTY_SEED", 0);
  if (!base)
    base = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ randombytes_random();
  run *r = malloc(sizeof *r);
  cr_assert_not_null(r);
  size_t reissues = 0;
  for (uint64_t i = 0; i < runs; i++) {
    fx.seed = fx.rng = base + i;
    run_open(r);
    run_months(r);
    node_audit_summary summary = audit(r);
    size_t expected = (size_t)(r->members * r->months) + r->reissues;
    if (summary.disputed || summary.acknowledged != expected)
      MISMATCH("[seed %" PRIu64 "] %zu statements acknowledged, %zu disputed, %zu expected "
               "(%zu of them reissues)", fx.seed, summary.acknowledged, summary.disputed, expected,
               r->reissues);
    reissues += r->reissues;
    expect_acknowledged(r);
    run_close(r);
    if (fx.failures) /* stops at the first failing run: its seed replays it */
      break;
  }
  free(r);
  /* Corrections of the month just closed come one run in five or so: many
   * runs without a single reissue would leave the cascade untested. */
  if (runs >= 20 && !fx.failures)
    cr_expect_gt(reissues, 0, "%" PRIu64 " runs and no month was reissued", runs);
}

/* ---- The test can fail: a statement one cent off is disputed --------------------------- */

/* Re-encodes the coop's statement at `index` with one cent more revenue and
 * appends it sealed as the original, as a coop with a bug would. */
static uint64_t append_off_by_a_cent(node *coop, uint64_t index)
{
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  uint8_t *sealed = malloc(COOP_PAYLOAD_BYTES_MAX), *plain = malloc(COOP_PAYLOAD_BYTES_MAX);
  ledger_statement_payload *s = malloc(sizeof *s);
  cr_assert(sealed && plain && s);
  size_t sealed_bytes = 0, plain_bytes = 0;
  ledger_entry_header decoded;
  cr_assert_eq(ledger_store_entry(coop->store, coop->identity.public_key, index, header, sealed,
                                  &sealed_bytes, leaf),
               COOP_OK);
  cr_assert_eq(ledger_entry_header_decode(header, sizeof header, &decoded), COOP_OK);
  cr_assert_eq(ledger_store_audience_key(coop->store, &coop->identity, coop->identity.public_key,
                                         decoded.audience_id, key),
               COOP_OK);
  cr_assert_eq(ledger_open_payload(key, header, sealed, sealed_bytes, plain, &plain_bytes),
               COOP_OK);
  cr_assert_eq(ledger_statement_decode(plain, plain_bytes, s), COOP_OK);
  s->month.revenue_cents += 1;
  coop_buf out;
  coop_buf_init(&out, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(ledger_statement_encode(s, &out), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_STATEMENT, .audience_id = decoded.audience_id,
                             .audience_key = key, .payload = out.data, .payload_bytes = out.len};
  ledger_checkpoint checkpoint;
  cr_assert_eq(ledger_store_append(coop->store, &coop->identity, &item, 1, node_now_ms(),
                                   &checkpoint),
               COOP_OK);
  coop_buf_release(&out);
  free(s);
  free(plain);
  free(sealed);
  return checkpoint.size - 1;
}

Test(month_property, a_statement_one_cent_off_is_disputed)
{
  run *r = malloc(sizeof *r);
  cr_assert_not_null(r);
  fx.seed = fx.rng = 1;
  run_open(r);
  run_months(r);
  uint64_t crafted = append_off_by_a_cent(&r->coop, r->statement[0][r->months - 1]);
  node_audit_summary summary = audit(r);
  cr_assert_eq(summary.disputed, 1);
  node_verdict_found found;
  cr_assert_eq(node_verdict_for(&r->muni, r->coop.identity.public_key, crafted, &found), COOP_OK);
  cr_assert_eq(found.status, NODE_AUDIT_DISPUTED);
  cr_assert_eq(found.verdict.reason, LEDGER_DISPUTE_FIGURES);
  cr_assert(found.verdict.differing & (UINT32_C(1) << LEDGER_FIELD_REVENUE));
  run_close(r);
  free(r);
}

/* ---- Outside the generator: a status fact backdated into a closed month ------------------ */

/* PRODUCT BUG (open, found by this file; not fixed here): node_member_set
 * accepts a status fact whose `from` lies in a closed month (records dated
 * there are refused), and node/audit.c status_in applies every fact of the
 * member, also those appended after the statement (recompute_inputs takes
 * only records written before it).  So a closed, signed month is
 * acknowledged when the audit runs before the fact reaches the
 * municipality and disputed (reason figures, field n_approved) when it runs
 * after: the verdict depends on sync timing.  Either fix passes this check:
 * the node refuses the fact, or the audit judges a statement by the facts
 * written before it.  This check fails until then, on purpose. */
Test(month_property, a_status_fact_backdated_into_a_closed_month_changes_no_verdict)
{
  run *r = malloc(sizeof *r);
  cr_assert_not_null(r);
  fx.seed = fx.rng = 7;
  run_open(r);
  run_months(r);
  uint32_t in_force = model_fact_value(r, 0, LEDGER_MEMBER_N_APPROVED, r->period[0]);
  char message[NODE_MESSAGE_BYTES] = "";
  uint64_t size = own_size(&r->coop);
  /* Without --retroactive: refused, naming the months, nothing written. */
  coop_err err = node_member_set(&r->coop, r->member[0], LEDGER_MEMBER_N_APPROVED, r->period[0],
                                 !in_force, false, message);
  cr_expect_eq(err, COOP_E_PERIOD_CLOSED, "a fact reaching into closed months: %s", message);
  cr_expect(strstr(message, "--retroactive"), "%s", message);
  cr_expect_eq(own_size(&r->coop), size, "a refused fact was written");
  /* With it: recorded; the audit judges every statement as the log stood
   * when it was signed, so no verdict changes. */
  err = node_member_set(&r->coop, r->member[0], LEDGER_MEMBER_N_APPROVED, r->period[0],
                        !in_force, true, message);
  cr_expect_eq(err, COOP_OK, "%s", message);
  node_audit_summary summary = audit(r);
  cr_expect_eq(summary.disputed, 0,
               "a fact set from %u (closed) after the close made the audit dispute %zu of %d "
               "statements that were right when signed",
               r->period[0], summary.disputed, r->members * r->months);
  run_close(r);
  free(r);
}
