/* Month close and statements (node/statements.c): the books reproduce every
 * worked example of tests/data/offset-examples.json end to end (a
 * municipality node publishes the rule set, its log moves to the coop in a
 * bundle, a member is enrolled and the months are recorded and closed, and
 * every figure of every statement read back from the log is compared), the
 * profit split is booked as balanced postings matching the statement, and
 * the close refuses, appending nothing, when a rule set or a birth month is
 * missing; members who left are skipped; a statement's sources are exactly
 * the month's records.  And each example's year statement (jaaropgave) is
 * the sum of its statements in force. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/offset_json.h"
#include "ledger/base/buffer.h"
#include "ledger/books/books.h"
#include "ledger/books/books_index.h"
#include "ledger/books/statement.h"
#include "ledger/log/identity.h"
#include "ledger/offset/offset.h"
#include "ledger/offset/offset_codec.h"
#include "ledger/store/bundle.h"
#include "ledger/store/store.h"
#include "node/backup.h"
#include "node/books.h"
#include "node/node.h"
#include "node/year_statement.h"
#include "tests/support/books.h"
#include "tests/support/tamper.h"
#include "tests/support/tree.h"

/* ---- Fixture ---------------------------------------------------------------------- */

typedef struct fixture {
  char dir[64];
  int serial; /* for node homes: several pairs per test */
} fixture;

static fixture fx;

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-statements-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
}

static void teardown(void)
{
  test_remove_tree(fx.dir);
  unsetenv("COOP_NOW_MS");
}

TestSuite(statements, .init = setup, .fini = teardown);

/* ---- Clock -------------------------------------------------------------------------- */

/* Milliseconds at 12:00 UTC on a day (days_from_civil, Howard Hinnant). */
static uint64_t ms_at(uint32_t date)
{
  int64_t year = date / 10000, month = (date / 100) % 100, day = date % 100;
  year -= month <= 2;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  int64_t days = era * 146097 + day_of_era - 719468;
  return (uint64_t)(days * 86400 + 43200) * 1000u;
}

static void set_clock(uint32_t date)
{
  char text[32];
  snprintf(text, sizeof text, "%" PRIu64, ms_at(date));
  cr_assert_eq(setenv("COOP_NOW_MS", text, 1), 0);
  cr_assert_eq(node_today(), date, "the clock says %u", node_today());
}

static uint32_t next_period(uint32_t period)
{
  return period % 100 == 12 ? (period / 100 + 1) * 100 + 1 : period + 1;
}

static uint32_t period_minus_months(uint32_t period, int64_t months)
{
  int64_t index = (int64_t)(period / 100) * 12 + period % 100 - 1 - months;
  return (uint32_t)(index / 12 * 100 + index % 12 + 1);
}

/* ---- Nodes ------------------------------------------------------------------------------ */

typedef struct pair {
  node coop;
  node muni;
} pair;

static void pair_create(pair *out)
{
  char coop_home[128], muni_home[128], message[NODE_MESSAGE_BYTES] = "";
  fx.serial++;
  snprintf(coop_home, sizeof coop_home, "%s/coop-%d", fx.dir, fx.serial);
  snprintf(muni_home, sizeof muni_home, "%s/muni-%d", fx.dir, fx.serial);
  coop_err err = node_create(coop_home, LEDGER_ROLE_COOP, "Coop", node_now_ms(), &out->coop,
                             message);
  cr_assert_eq(err, COOP_OK, "%s", message);
  err = node_create(muni_home, LEDGER_ROLE_MUNICIPALITY, "Gemeente Breda", node_now_ms(),
                    &out->muni, message);
  cr_assert_eq(err, COOP_OK, "%s", message);
  cr_assert_eq(node_books_ready(&out->coop, message), COOP_OK, "%s", message);
  /* Members may only name a municipality the coop knows: here as a peer. */
  node_peer peer = {.name = "breda", .role = LEDGER_ROLE_MUNICIPALITY};
  memcpy(peer.key, out->muni.identity.public_key, 32);
  cr_assert_eq(node_peer_add(&out->coop, &peer, message), COOP_OK, "%s", message);
}

static void pair_close(pair *nodes)
{
  node_close(&nodes->coop);
  node_close(&nodes->muni);
}

/* Appends a rule set to the municipality's own log; returns its index. */
static uint64_t publish(pair *nodes, const ledger_offset_rule_set *rule_set)
{
  coop_buf payload;
  coop_buf_init(&payload, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_offset_rule_set_encode(rule_set, &payload);
  cr_assert_eq(err, COOP_OK, "encode rule set: %s", coop_err_name(err));
  ledger_append_item item = {.kind = LEDGER_KIND_RULE_SET, .payload = payload.data,
                             .payload_bytes = payload.len};
  ledger_checkpoint checkpoint;
  cr_assert_eq(ledger_store_append(nodes->muni.store, &nodes->muni.identity, &item, 1,
                                   node_now_ms(), &checkpoint),
               COOP_OK);
  coop_buf_release(&payload);
  return checkpoint.size - 1;
}

/* The municipality's whole log into the coop's store, by bundle. */
static void move_municipality_log(pair *nodes)
{
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  uint64_t written = 0;
  cr_assert_eq(ledger_bundle_export(nodes->muni.store, nodes->muni.identity.public_key, 0, file,
                                    &written),
               COOP_OK);
  rewind(file);
  ledger_bundle_result result;
  char problem[256];
  coop_err err = ledger_bundle_import(nodes->coop.store, file, nodes->coop.identity.public_key,
                                      node_now_ms(), &result, problem);
  cr_assert_eq(err, COOP_OK, "import: %s: %s", coop_err_name(err), problem);
  cr_assert_eq(result.entries_read, written);
  fclose(file);
}

static void enrol(pair *nodes, const char *name, const char *ref, uint32_t birth_period,
                  char member_id[16])
{
  node_member_request request;
  memset(&request, 0, sizeof request);
  request.name = name;
  request.client_ref = ref;
  memcpy(request.municipality, nodes->muni.identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
  request.birth_period = birth_period;
  request.from_period = 202601;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_add(&nodes->coop, &request, member_id, message);
  cr_assert_eq(err, COOP_OK, "enrol '%s': %s", name, message);
}

static void set_status(pair *nodes, const char *member_id, uint8_t field, uint32_t from,
                       uint32_t value)
{
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_set(&nodes->coop, member_id, field, from, value, false, message);
  cr_assert_eq(err, COOP_OK, "status: %s", message);
}

static uint64_t record(pair *nodes, uint8_t type, const char *member_id, int64_t amount,
                       uint32_t date)
{
  char ref[48];
  snprintf(ref, sizeof ref, "%s-%s-%u-%" PRId64, ledger_record_type_name(type),
           member_id ? member_id : "coop", date, amount);
  node_record_request request = {.type = type, .member_id = member_id, .amount = amount,
                                 .date = date, .ref = ref};
  node_record_result result;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_record_add(&nodes->coop, &request, &result, message);
  cr_assert_eq(err, COOP_OK, "%s %" PRId64 " on %u: %s", ledger_record_type_name(type), amount,
               date, message);
  return result.index;
}

static void close_month(pair *nodes, uint32_t period)
{
  set_clock(next_period(period) * 100 + 2);
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_period_close(&nodes->coop, period, message);
  cr_assert_eq(err, COOP_OK, "close %u: %s: %s", period, coop_err_name(err), message);
}

static uint64_t log_size(node *self)
{
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(self->store, self->identity.public_key, &size), COOP_OK);
  return size;
}

static void assert_verifies(node *self)
{
  ledger_verify_report report;
  coop_err err = ledger_store_verify(self->store, self->identity.public_key, &report);
  cr_assert_eq(err, COOP_OK, "verify: %s: %s", coop_err_name(err), report.what);
}

static ledger_statement_payload *statement_of(node *self, const char *member_id, uint32_t period,
                                              uint64_t *index)
{
  ledger_statement_payload *statement = malloc(sizeof *statement);
  cr_assert_not_null(statement);
  coop_err err = ledger_books_statement(self->store, member_id, period, 0, statement, index);
  cr_assert_eq(err, COOP_OK, "statement of %s for %u: %s", member_id, period,
               coop_err_name(err));
  return statement;
}

/* ---- The month's register, for sources and the split ---------------------------------- */

typedef struct month_rows {
  size_t record_count;
  uint64_t records[256]; /* distinct entry indexes, in register order, splits excluded */
  int has_split;
  uint64_t split_index;
  int64_t split_sum;
  int64_t split_profit, split_coop, split_municipality, split_budget;
  char member_id[16];
} month_rows;

static coop_err collect_row(void *context, const ledger_register_row *row)
{
  month_rows *rows = context;
  if (row->type == LEDGER_RECORD_PROFIT_SPLIT) {
    cr_assert(!rows->has_split || rows->split_index == row->entry_index, "two splits");
    rows->has_split = 1;
    rows->split_index = row->entry_index;
    rows->split_sum += row->amount_cents;
    char split[LEDGER_ACCOUNT_NAME_BYTES], due[LEDGER_ACCOUNT_NAME_BYTES],
        budget[LEDGER_ACCOUNT_NAME_BYTES];
    cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, rows->member_id, split),
                 COOP_OK);
    cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, rows->member_id, due),
                 COOP_OK);
    cr_assert_eq(ledger_account_name(LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, rows->member_id,
                                     budget),
                 COOP_OK);
    if (!strcmp(row->account, split))
      rows->split_profit += row->amount_cents;
    else if (!strcmp(row->account, "income:coop:share"))
      rows->split_coop += row->amount_cents;
    else if (!strcmp(row->account, due))
      rows->split_municipality += row->amount_cents;
    else if (!strcmp(row->account, budget))
      rows->split_budget += row->amount_cents;
    else
      cr_assert_fail("a split posting on '%s'", row->account);
    return COOP_OK;
  }
  if (rows->record_count && rows->records[rows->record_count - 1] == row->entry_index)
    return COOP_OK;
  cr_assert_lt(rows->record_count, 256);
  rows->records[rows->record_count++] = row->entry_index;
  return COOP_OK;
}

static month_rows rows_of(node *self, const char *member_id, uint32_t period)
{
  month_rows rows;
  memset(&rows, 0, sizeof rows);
  snprintf(rows.member_id, sizeof rows.member_id, "%s", member_id);
  ledger_books_query query = {.member_id = member_id, .date_from = period * 100 + 1,
                              .date_to = period * 100 + 31};
  cr_assert_eq(ledger_books_register(self->store, &query, collect_row, &rows), COOP_OK);
  return rows;
}

/* Sources are exactly the month's records (index and leaf hash), and the
 * split is balanced and says what the statement says. */
static void assert_sources_and_split(node *self, const char *member_id, uint32_t period,
                                     const ledger_statement_payload *statement,
                                     const char *where)
{
  month_rows rows = rows_of(self, member_id, period);
  cr_assert_eq(statement->source_count, rows.record_count, "%s: %u sources, %zu records", where,
               statement->source_count, rows.record_count);
  for (size_t i = 0; i < rows.record_count; i++) {
    cr_assert_eq(statement->sources[i].index, rows.records[i], "%s: source %zu", where, i);
    uint8_t leaf[LEDGER_HASH_BYTES];
    cr_assert_eq(ledger_store_leaf_hash(self->store, self->identity.public_key, rows.records[i],
                                        leaf), COOP_OK);
    cr_assert_arr_eq(statement->sources[i].leaf_hash, leaf, LEDGER_HASH_BYTES,
                     "%s: source %zu's leaf hash", where, i);
  }
  const ledger_offset_statement *f = &statement->figures;
  int64_t profit = f->coop_share_cents + f->to_municipality_cents + f->to_budget_cents;
  if (profit == 0) {
    cr_assert_not(rows.has_split, "%s: a split of nothing was booked", where);
    return;
  }
  cr_assert(rows.has_split, "%s: no profit split booked", where);
  cr_assert_eq(rows.split_sum, 0, "%s: the split does not balance", where);
  cr_assert_eq(rows.split_profit, profit, "%s", where);
  cr_assert_eq(rows.split_coop, -f->coop_share_cents, "%s: coop share", where);
  cr_assert_eq(rows.split_municipality, -f->to_municipality_cents, "%s: to municipality", where);
  cr_assert_eq(rows.split_budget, -f->to_budget_cents, "%s: to budget", where);
  ledger_record split;
  uint64_t corrected_by = 0;
  cr_assert_eq(ledger_books_record_at(self->store, rows.split_index, &split, &corrected_by),
               COOP_OK);
  uint32_t last_day = period * 100 + 31;
  while (!ledger_date_valid(last_day))
    last_day--;
  cr_assert_eq(split.date, last_day, "%s: split dated %u", where, split.date);
  cr_assert_gt(rows.split_index, 0);
}

/* ---- The worked examples -------------------------------------------------------------- */

static json_t *load_examples(void)
{
  const char *data = getenv("COOP_TEST_DATA");
  cr_assert_not_null(data, "COOP_TEST_DATA is not set");
  char path[512];
  snprintf(path, sizeof path, "%s/offset-examples.json", data);
  json_error_t error;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
  cr_assert_not_null(root, "%s:%d: %s", path, error.line, error.text);
  return root;
}

/* Compares all 19 figures of an expected statement object. */
static void expect_figures(const ledger_offset_statement *f, json_t *expected, const char *where)
{
  const struct {
    const char *name;
    int64_t value;
  } numbers[] = {
      {"profit", f->profit_cents},
      {"coop_share", f->coop_share_cents},
      {"net_income", f->net_income_cents},
      {"disregard", f->disregard_cents},
      {"volunteer_disregarded", f->volunteer_disregarded_cents},
      {"volunteer_counted", f->volunteer_counted_cents},
      {"counted_income", f->counted_income_cents},
      {"offset", f->offset_cents},
      {"benefit", f->benefit_cents},
      {"to_municipality", f->to_municipality_cents},
      {"to_budget", f->to_budget_cents},
      {"n_used", f->n_used},
      {"r_used", f->r_used},
      {"a34_used", f->a34_used},
      {"k_ytd", f->k_ytd_cents},
      {"loss_carried", f->loss_carried_cents},
  };
  size_t compared = 0;
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    json_t *value = json_object_get(expected, numbers[i].name);
    cr_assert(json_is_integer(value), "%s: expected has no integer '%s'", where, numbers[i].name);
    cr_expect_eq(numbers[i].value, json_integer_value(value),
                 "%s: %s is %" PRId64 ", expected %" JSON_INTEGER_FORMAT, where, numbers[i].name,
                 numbers[i].value, json_integer_value(value));
    compared++;
  }
  char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(f->period, period);
  cr_expect_str_eq(period, json_string_value(json_object_get(expected, "period")), "%s: period",
                   where);
  cr_expect_str_eq(ledger_offset_disregard_kind_name(f->disregard_kind),
                   json_string_value(json_object_get(expected, "disregard_kind")),
                   "%s: disregard_kind", where);
  json_t *above = json_object_get(expected, "above_norm");
  cr_assert(json_is_boolean(above), "%s: above_norm", where);
  cr_expect_eq(f->above_norm, json_is_true(above), "%s: above_norm", where);
  compared += 3;
  cr_assert_eq(compared, 19);
  cr_assert_eq(json_object_size(expected), 19, "%s: expected has %zu fields, 19 compared", where,
               json_object_size(expected));
}

/* The member's jaaropgave (node/year_statement.h) of every year from
 * `first` to `last` (YYYYMM): each month it shows is the statement in force
 * as the books hold it (a different reading: the year is read from the
 * log), every month from `first` to `last` has one, and the totals are
 * their sums. */
static void expect_year_totals(node *coop, const char *member, uint32_t first, uint32_t last,
                               const char *name)
{
  for (uint32_t year = first / 100; year <= last / 100; year++) {
    node_year_statement *built = calloc(1, sizeof *built);
    cr_assert_not_null(built);
    char message[NODE_MESSAGE_BYTES] = "";
    cr_assert_eq(node_year_statement_build(coop, member, year, built, message), COOP_OK,
                 "%s %u: %s", name, year, message);
    node_year_totals sums;
    memset(&sums, 0, sizeof sums);
    for (uint32_t m = 1; m <= NODE_YEAR_MONTHS; m++) {
      const node_year_month *month = &built->months[m - 1];
      uint32_t period = year * 100 + m;
      if (period >= first && period <= last)
        cr_expect_eq(month->state, NODE_YEAR_STATED, "%s %u: state %d", name, period, month->state);
      if (month->state != NODE_YEAR_STATED)
        continue;
      uint64_t index = 0;
      ledger_statement_payload *statement = statement_of(coop, member, period, &index);
      cr_expect_eq(month->statement_index, index, "%s %u: statement in force", name, period);
      sums.revenue_cents += statement->month.revenue_cents;
      sums.costs_cents += statement->month.costs_cents;
      sums.coop_share_cents += statement->figures.coop_share_cents;
      sums.disregard_cents += statement->figures.disregard_cents;
      sums.counted_income_cents += statement->figures.counted_income_cents;
      sums.offset_cents += statement->figures.offset_cents;
      sums.benefit_cents += statement->figures.benefit_cents;
      sums.to_municipality_cents += statement->figures.to_municipality_cents;
      sums.to_budget_cents += statement->figures.to_budget_cents;
      free(statement);
    }
    const node_year_totals *t = &built->totals;
    const int64_t got[] = {t->revenue_cents, t->costs_cents, t->coop_share_cents,
                           t->disregard_cents, t->counted_income_cents, t->offset_cents,
                           t->benefit_cents, t->to_municipality_cents, t->to_budget_cents};
    const int64_t want[] = {sums.revenue_cents, sums.costs_cents, sums.coop_share_cents,
                            sums.disregard_cents, sums.counted_income_cents, sums.offset_cents,
                            sums.benefit_cents, sums.to_municipality_cents, sums.to_budget_cents};
    for (size_t i = 0; i < sizeof got / sizeof got[0]; i++)
      cr_expect_eq(got[i], want[i], "%s %u: total %zu is %lld, the statements sum to %lld", name,
                   year, i, (long long)got[i], (long long)want[i]);
    free(built);
  }
}

static void run_scenario(json_t *scenario, size_t number)
{
  const char *name = json_string_value(json_object_get(scenario, "name"));
  json_t *rule_sets = json_object_get(scenario, "rule_sets");
  json_t *months = json_object_get(scenario, "months");
  json_t *expected = json_object_get(scenario, "expected");
  cr_assert(json_is_array(rule_sets) && json_is_array(months) && json_is_array(expected),
            "scenario %zu", number);
  cr_assert_eq(json_array_size(months), json_array_size(expected));
  size_t month_count = json_array_size(months);
  cr_assert_gt(month_count, 0);
  cr_assert_leq(month_count, 24);

  ledger_offset_month inputs[24];
  char message[LEDGER_OFFSET_MESSAGE_BYTES];
  for (size_t i = 0; i < month_count; i++) {
    char where[64];
    snprintf(where, sizeof where, "months[%zu]", i);
    cr_assert_eq(ledger_offset_json_parse_month(json_array_get(months, i), where, &inputs[i],
                                                message, sizeof message),
                 COOP_OK, "%s: %s", name, message);
  }
  uint32_t first = (uint32_t)(inputs[0].period.year * 100 + inputs[0].period.month);

  /* Everything starts a month before the first month. */
  set_clock(period_minus_months(first, 1) * 100 + 1);
  pair nodes;
  pair_create(&nodes);
  uint64_t rule_set_index[8];
  cr_assert_leq(json_array_size(rule_sets), 8);
  for (size_t i = 0; i < json_array_size(rule_sets); i++) {
    ledger_offset_rule_set rule_set;
    char where[64];
    snprintf(where, sizeof where, "rule_sets[%zu]", i);
    cr_assert_eq(ledger_offset_json_parse_rule_set(json_array_get(rule_sets, i), where, &rule_set,
                                                   message, sizeof message),
                 COOP_OK, "%s: %s", name, message);
    rule_set_index[i] = publish(&nodes, &rule_set);
  }
  move_municipality_log(&nodes);

  /* A birth month that makes the member the first month's age. */
  uint32_t birth = period_minus_months(first, 12 * inputs[0].age_years + 1);
  char member[16];
  enrol(&nodes, "Ann de Vries", "BRD-0042", birth, member);

  for (size_t i = 0; i < month_count; i++) {
    const ledger_offset_month *month = &inputs[i];
    uint32_t period = (uint32_t)(month->period.year * 100 + month->period.month);
    char where[160];
    snprintf(where, sizeof where, "scenario '%s' month %u", name, period);
    set_clock(period * 100 + 1);
    set_status(&nodes, member, LEDGER_MEMBER_N_APPROVED, period, month->n_approved);
    set_status(&nodes, member, LEDGER_MEMBER_MEDICAL_LIMIT, period, month->medical_hours_limit);
    set_status(&nodes, member, LEDGER_MEMBER_SINGLE_PARENT, period,
               month->single_parent_child_under_12);
    if (month->revenue_cents)
      record(&nodes, LEDGER_RECORD_REVENUE, member, month->revenue_cents, period * 100 + 3);
    if (month->costs_cents)
      record(&nodes, LEDGER_RECORD_COST, member, month->costs_cents, period * 100 + 4);
    if (month->volunteer_allowance_cents)
      record(&nodes, LEDGER_RECORD_ALLOWANCE, member, month->volunteer_allowance_cents,
             period * 100 + 5);
    if (month->other_income_cents)
      record(&nodes, LEDGER_RECORD_OTHER_INCOME, member, month->other_income_cents,
             period * 100 + 6);
    if (month->hours)
      record(&nodes, LEDGER_RECORD_HOURS, member, month->hours * 100, period * 100 + 7);
    close_month(&nodes, period);

    uint64_t index = 0;
    ledger_statement_payload *statement = statement_of(&nodes.coop, member, period, &index);
    expect_figures(&statement->figures, json_array_get(expected, i), where);

    /* The inputs as the books summed them. */
    cr_expect_eq(statement->period, period, "%s", where);
    cr_expect_eq(statement->month.revenue_cents, month->revenue_cents, "%s: revenue", where);
    cr_expect_eq(statement->month.costs_cents, month->costs_cents, "%s: costs", where);
    cr_expect_eq(statement->month.volunteer_allowance_cents, month->volunteer_allowance_cents,
                 "%s: volunteer allowance", where);
    cr_expect_eq(statement->month.other_income_cents, month->other_income_cents,
                 "%s: other income", where);
    cr_expect_eq(statement->month.hours, month->hours, "%s: hours", where);
    cr_expect_eq(statement->month.age_years, month->age_years, "%s: age", where);
    cr_expect_eq(statement->month.n_approved, month->n_approved, "%s: n approved", where);
    cr_expect_eq(statement->month.medical_hours_limit, month->medical_hours_limit,
                 "%s: medical limit", where);
    cr_expect_eq(statement->month.single_parent_child_under_12,
                 month->single_parent_child_under_12, "%s: single parent", where);

    /* The rule set used, by its identity in the municipality's log. */
    size_t chosen = 0;
    ledger_offset_rule_set parsed[8];
    for (size_t r = 0; r < json_array_size(rule_sets); r++)
      cr_assert_eq(ledger_offset_json_parse_rule_set(json_array_get(rule_sets, r), "r",
                                                     &parsed[r], message, sizeof message),
                   COOP_OK);
    cr_assert_eq(ledger_offset_select(parsed, json_array_size(rule_sets), month->period, &chosen),
                 COOP_OK);
    cr_expect_arr_eq(statement->rule_set_log, nodes.muni.identity.public_key, 32, "%s", where);
    cr_expect_eq(statement->rule_set_index, rule_set_index[chosen], "%s: rule set index", where);
    uint8_t leaf[LEDGER_HASH_BYTES];
    cr_assert_eq(ledger_store_leaf_hash(nodes.coop.store, nodes.muni.identity.public_key,
                                        rule_set_index[chosen], leaf), COOP_OK);
    cr_expect_arr_eq(statement->rule_set_leaf_hash, leaf, LEDGER_HASH_BYTES, "%s: leaf", where);
    char member_from_statement[LEDGER_MEMBER_ID_CHARS + 1];
    uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
    memcpy(padded, statement->member, LEDGER_MEMBER_ID_BYTES);
    ledger_member_id(padded, member_from_statement);
    cr_expect_str_eq(member_from_statement, member, "%s", where);

    assert_sources_and_split(&nodes.coop, member, period, statement, where);
    free(statement);
  }
  assert_verifies(&nodes.coop);
  /* The derived tables rebuilt from the log say the same. */
  uint64_t last_index = 0;
  uint32_t last_period = (uint32_t)(inputs[month_count - 1].period.year * 100 +
                                    inputs[month_count - 1].period.month);
  expect_year_totals(&nodes.coop, member, first, last_period, name);
  ledger_statement_payload *before = statement_of(&nodes.coop, member, last_period, &last_index);
  cr_assert_eq(books_rebuild(&nodes.coop), COOP_OK);
  uint64_t rebuilt_index = 0;
  ledger_statement_payload *after = statement_of(&nodes.coop, member, last_period, &rebuilt_index);
  cr_assert_eq(rebuilt_index, last_index);
  uint8_t hash_before[LEDGER_HASH_BYTES], hash_after[LEDGER_HASH_BYTES];
  ledger_statement_figures_hash(before, hash_before);
  ledger_statement_figures_hash(after, hash_after);
  cr_assert_arr_eq(hash_after, hash_before, LEDGER_HASH_BYTES);
  free(before);
  free(after);
  pair_close(&nodes);
}

Test(statements, the_books_reproduce_every_worked_example, .timeout = 120)
{
  json_t *root = load_examples();
  json_t *scenarios = json_object_get(root, "scenarios");
  cr_assert(json_is_array(scenarios));
  cr_assert_geq(json_array_size(scenarios), 6);
  for (size_t i = 0; i < json_array_size(scenarios); i++)
    run_scenario(json_array_get(scenarios, i), i);
  json_decref(root);
}

/* ---- Refusals and the edges of a close ------------------------------------------------ */

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

/* Closing must fail with `expected`, append nothing and leave the month open. */
static void expect_close_refused(pair *nodes, uint32_t period, coop_err expected,
                                 char message[NODE_MESSAGE_BYTES])
{
  uint64_t before = log_size(&nodes->coop);
  message[0] = 0;
  coop_err err = node_period_close(&nodes->coop, period, message);
  cr_assert_eq(err, expected, "close %u: %s (%s), expected %s", period, coop_err_name(err),
               message, coop_err_name(expected));
  cr_assert_eq(log_size(&nodes->coop), before, "a refused close appended %" PRIu64 " entries",
               log_size(&nodes->coop) - before);
  int closed = 1;
  cr_assert_eq(ledger_books_period_closed(nodes->coop.store, period, &closed), COOP_OK);
  cr_assert_eq(closed, 0, "a refused close closed the month");
  assert_verifies(&nodes->coop);
}

Test(statements, no_rule_set_in_force_fails_naming_member_and_municipality)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  char first[16], second[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, first);
  enrol(&nodes, "Bo", "BRD-2", 199001, second);
  record(&nodes, LEDGER_RECORD_REVENUE, first, 50000, 20260120);
  set_clock(20260205);
  char message[NODE_MESSAGE_BYTES];
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(nodes.muni.identity.public_key, fingerprint);

  /* The municipality's log was never imported. */
  expect_close_refused(&nodes, 202601, COOP_E_NO_RULE_SET, message);
  cr_assert(strstr(message, first) != NULL, "message does not name the member: %s", message);
  cr_assert(strstr(message, fingerprint) != NULL, "message does not name the municipality: %s",
            message);
  cr_assert(strstr(message, "2026-01") != NULL, "message does not name the month: %s", message);

  /* Imported, but its only rule set starts later. */
  ledger_offset_rule_set later = breda_2026();
  later.effective_from = (ledger_offset_period){2026, 2};
  publish(&nodes, &later);
  move_municipality_log(&nodes);
  expect_close_refused(&nodes, 202601, COOP_E_NO_RULE_SET, message);
  cr_assert(strstr(message, fingerprint) != NULL, "%s", message);
  ledger_statement_payload *statement = malloc(sizeof *statement);
  uint64_t index;
  cr_assert_eq(ledger_books_statement(nodes.coop.store, first, 202601, 0, statement, &index),
               COOP_E_NOT_FOUND);
  free(statement);

  /* From February it is in force, but January must close first (months
   * close in order): February is refused naming January. */
  set_clock(20260215);
  record(&nodes, LEDGER_RECORD_REVENUE, second, 10000, 20260210);
  set_clock(20260302);
  expect_close_refused(&nodes, 202601, COOP_E_NO_RULE_SET, message);
  expect_close_refused(&nodes, 202602, COOP_E_PERIOD_CLOSED, message);
  cr_assert(strstr(message, "2026-01") != NULL, "%s", message);
  pair_close(&nodes);
}

static void publish_breda(pair *nodes)
{
  ledger_offset_rule_set rule_set = breda_2026();
  publish(nodes, &rule_set);
  move_municipality_log(nodes);
}

Test(statements, a_member_without_a_birth_month_fails_clearly)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  publish_breda(&nodes);
  char with_birth[16], without[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, with_birth);
  enrol(&nodes, "Bo", "BRD-2", 0, without);
  record(&nodes, LEDGER_RECORD_REVENUE, with_birth, 50000, 20260120);
  set_clock(20260205);
  char message[NODE_MESSAGE_BYTES];
  expect_close_refused(&nodes, 202601, COOP_E_BAD_INPUT, message);
  cr_assert(strstr(message, without) != NULL, "message does not name the member: %s", message);
  cr_assert(strstr(message, "Bo (") != NULL, "message does not give her name: %s", message);
  cr_assert(strstr(message, "birth") != NULL, "message does not say what is missing: %s",
            message);
  /* Given a birth month, the close goes through for both. */
  set_status(&nodes, without, LEDGER_MEMBER_BIRTH, 198507, 198507);
  char close_message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_period_close(&nodes.coop, 202601, close_message), COOP_OK, "%s",
               close_message);
  uint64_t index;
  ledger_statement_payload *statement = statement_of(&nodes.coop, without, 202601, &index);
  cr_assert_eq(statement->month.age_years, 40);
  free(statement);
  pair_close(&nodes);
}

/* A coop and Breda with Ann (EUR 500 revenue) and Bo (EUR 400) in January. */
static void two_members_with_revenue(pair *nodes, char ann[16], char bo[16])
{
  set_clock(20260115);
  pair_create(nodes);
  publish_breda(nodes);
  enrol(nodes, "Ann", "BRD-1", 199001, ann);
  enrol(nodes, "Bo", "BRD-2", 199001, bo);
  record(nodes, LEDGER_RECORD_REVENUE, ann, 50000, 20260110);
  record(nodes, LEDGER_RECORD_REVENUE, bo, 40000, 20260111);
}

Test(statements, a_member_who_left_is_skipped)
{
  pair nodes;
  char stays[16], leaves[16];
  two_members_with_revenue(&nodes, stays, leaves);
  close_month(&nodes, 202601);
  set_status(&nodes, leaves, LEDGER_MEMBER_LEFT, 202602, 1);
  set_clock(20260215);
  record(&nodes, LEDGER_RECORD_REVENUE, stays, 30000, 20260210);
  close_month(&nodes, 202602);

  uint64_t index;
  ledger_statement_payload *statement = statement_of(&nodes.coop, stays, 202602, &index);
  free(statement);
  statement = statement_of(&nodes.coop, leaves, 202601, &index);
  free(statement);
  statement = malloc(sizeof *statement);
  cr_assert_not_null(statement);
  cr_assert_eq(ledger_books_statement(nodes.coop.store, leaves, 202602, 0, statement, &index),
               COOP_E_NOT_FOUND, "a member who left got a statement");
  free(statement);
  month_rows rows = rows_of(&nodes.coop, leaves, 202602);
  cr_assert_not(rows.has_split, "a member who left got a profit split");
  assert_verifies(&nodes.coop);
  pair_close(&nodes);
}

Test(statements, sources_are_exactly_the_months_records)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  publish_breda(&nodes);
  char ann[16], bo[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, ann);
  enrol(&nodes, "Bo", "BRD-2", 199001, bo);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 11100, 20260131); /* January: not a source */
  close_month(&nodes, 202601);
  set_clock(20260210);
  uint64_t expected[8];
  size_t count = 0;
  expected[count++] = record(&nodes, LEDGER_RECORD_REVENUE, ann, 90000, 20260201);
  record(&nodes, LEDGER_RECORD_REVENUE, bo, 50000, 20260202);   /* another member */
  record(&nodes, LEDGER_RECORD_COOP_COST, NULL, 1000, 20260203); /* the coop's own */
  expected[count++] = record(&nodes, LEDGER_RECORD_COST, ann, 10000, 20260204);
  expected[count++] = record(&nodes, LEDGER_RECORD_HOURS, ann, 3000, 20260205);
  expected[count++] = record(&nodes, LEDGER_RECORD_OTHER_INCOME, ann, 5000, 20260206);
  uint64_t wrong = record(&nodes, LEDGER_RECORD_REVENUE, ann, 77700, 20260207);
  expected[count++] = wrong;
  uint64_t correction = 0;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_record_correct(&nodes.coop, wrong, "double", 20260208, &correction, message),
               COOP_OK, "%s", message);
  expected[count++] = correction;
  expected[count++] = record(&nodes, LEDGER_RECORD_ALLOWANCE, ann, 2000, 20260228);
  set_clock(20260301);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 33300, 20260301); /* March: not a source */
  close_month(&nodes, 202602);

  uint64_t index;
  ledger_statement_payload *statement = statement_of(&nodes.coop, ann, 202602, &index);
  cr_assert_eq(statement->source_count, count);
  /* In date order: revenue 1st, cost 4th, hours 5th, other income 6th,
   * wrong revenue 7th, its correction 8th, allowance 28th. */
  for (size_t i = 0; i < count; i++) {
    cr_assert_eq(statement->sources[i].index, expected[i], "source %zu is %" PRIu64 ", expected %"
                 PRIu64, i, statement->sources[i].index, expected[i]);
    uint8_t leaf[LEDGER_HASH_BYTES];
    cr_assert_eq(ledger_store_leaf_hash(nodes.coop.store, nodes.coop.identity.public_key,
                                        expected[i], leaf), COOP_OK);
    cr_assert_arr_eq(statement->sources[i].leaf_hash, leaf, LEDGER_HASH_BYTES);
  }
  /* And the figures count the corrected revenue once. */
  cr_assert_eq(statement->month.revenue_cents, 90000);
  cr_assert_eq(statement->month.costs_cents, 10000);
  cr_assert_eq(statement->month.hours, 30);
  cr_assert_eq(statement->month.other_income_cents, 5000);
  cr_assert_eq(statement->month.volunteer_allowance_cents, 2000);
  cr_assert_eq(statement->figures.profit_cents, 80000);
  assert_sources_and_split(&nodes.coop, ann, 202602, statement, "February");
  free(statement);
  pair_close(&nodes);
}

Test(statements, a_new_rule_set_takes_over_from_its_month)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  ledger_offset_rule_set january = breda_2026();
  uint64_t january_index = publish(&nodes, &january);
  ledger_offset_rule_set march = breda_2026();
  march.effective_from = (ledger_offset_period){2026, 3};
  march.coop_pct_basis_points = 2000;
  uint64_t march_index = publish(&nodes, &march);
  move_municipality_log(&nodes);
  char ann[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, ann);
  uint32_t periods[3] = {202601, 202602, 202603};
  for (size_t i = 0; i < 3; i++) {
    set_clock(periods[i] * 100 + 10);
    record(&nodes, LEDGER_RECORD_REVENUE, ann, 100000, periods[i] * 100 + 10);
    close_month(&nodes, periods[i]);
    uint64_t index;
    ledger_statement_payload *statement = statement_of(&nodes.coop, ann, periods[i], &index);
    uint64_t rule_set = i < 2 ? january_index : march_index;
    cr_assert_eq(statement->rule_set_index, rule_set, "%u used rule set %" PRIu64, periods[i],
                 statement->rule_set_index);
    cr_assert_eq(statement->figures.coop_share_cents, i < 2 ? 10000 : 20000);
    /* The state carries on: each statement follows the previous one. */
    cr_assert_eq(statement->state_after.has_month, 1);
    cr_assert_eq(statement->state_after.last.month, (int)(periods[i] % 100));
    free(statement);
  }
  pair_close(&nodes);
}

Test(statements, a_second_close_of_the_month_changes_nothing)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  publish_breda(&nodes);
  char ann[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, ann);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 50000, 20260110);
  close_month(&nodes, 202601);
  char message[NODE_MESSAGE_BYTES];
  uint64_t before = log_size(&nodes.coop);
  cr_assert_eq(node_period_close(&nodes.coop, 202601, message), COOP_E_PERIOD_CLOSED);
  cr_assert_eq(log_size(&nodes.coop), before);
  /* A month that has not ended cannot be closed. */
  set_clock(20260228);
  expect_close_refused(&nodes, 202602, COOP_E_BAD_INPUT, message);
  pair_close(&nodes);
}

/* A statement's carried state comes from the latest statement before its
 * month, and the engine computes months strictly in order: once a later
 * month is stated, an earlier one can no longer be closed (it would be
 * computed from a fresh state, contradicting the later statement's windows
 * and year totals). */
/* Statements carry their state from month to month, so months close in
 * order: February cannot close while January (with records) is open, and
 * after both January cannot close again. */
Test(statements, an_earlier_month_cannot_be_closed_after_a_later_one)
{
  set_clock(20260115);
  pair nodes;
  pair_create(&nodes);
  publish_breda(&nodes);
  char ann[16];
  enrol(&nodes, "Ann", "BRD-1", 199001, ann);
  set_status(&nodes, ann, LEDGER_MEMBER_N_APPROVED, 202601, 1);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 50000, 20260110);
  set_clock(20260210);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 60000, 20260210);
  set_clock(20260305);
  char message[NODE_MESSAGE_BYTES];
  expect_close_refused(&nodes, 202602, COOP_E_PERIOD_CLOSED, message);
  cr_assert(strstr(message, "2026-01 is open") != NULL, "%s", message);
  close_month(&nodes, 202601);
  close_month(&nodes, 202602);
  uint64_t index;
  ledger_statement_payload *february = statement_of(&nodes.coop, ann, 202602, &index);
  cr_assert_eq(february->figures.n_used, 2, "the n window carried from January");
  free(february);
  uint64_t before = log_size(&nodes.coop);
  cr_assert_eq(node_period_close(&nodes.coop, 202601, message), COOP_E_PERIOD_CLOSED);
  cr_assert_eq(log_size(&nodes.coop), before);
  pair_close(&nodes);
}

/* The audit case: a balanced edit of books_postings (+EUR 50,000 revenue on
 * one member, -EUR 50,000 on another) must not reach the month's
 * statements.  The close computes from the signed entries, not from the
 * tables, so it signs what the log says; the edit itself is still found by
 * the books check of `coop verify`. */
Test(statements, an_edited_posting_is_never_signed_into_a_statement)
{
  pair nodes;
  char ann[16], bo[16];
  two_members_with_revenue(&nodes, ann, bo);
  cr_assert_eq(test_tamper_move_revenue(nodes.coop.home, ann, bo), 2, "the edit changed nothing");

  set_clock(20260202);
  close_month(&nodes, 202601);
  uint64_t index;
  ledger_statement_payload *statement = statement_of(&nodes.coop, ann, 202601, &index);
  cr_assert_eq(statement->month.revenue_cents, 50000, "the edited +EUR 50,000 was signed");
  free(statement);
  statement = statement_of(&nodes.coop, bo, 202601, &index);
  cr_assert_eq(statement->month.revenue_cents, 40000, "the edited -EUR 50,000 was signed");
  free(statement);
  cr_assert_eq(books_check(&nodes.coop),
               COOP_E_BOOKS_MISMATCH, "the edit is no longer found");
  cr_assert(strstr(ledger_store_problem(nodes.coop.store), "books_postings"), "%s",
            ledger_store_problem(nodes.coop.store));
  cr_assert_eq(books_rebuild(&nodes.coop), COOP_OK);
  assert_verifies(&nodes.coop);
  cr_assert_eq(books_check(&nodes.coop), COOP_OK);
  pair_close(&nodes);
}

/* A record an older coop accepted without today's limits, written straight
 * to the log as that version did: 999,999 hours. */
static uint64_t append_legacy_hours(pair *nodes, const char *member_id, int64_t hundredths,
                                    uint32_t date)
{
  ledger_member_row row;
  cr_assert_eq(ledger_books_member(nodes->coop.store, member_id, &row), COOP_OK);
  ledger_record record = {.type = LEDGER_RECORD_HOURS, .date = date, .quantity = hundredths};
  memcpy(record.member, row.audience_id, LEDGER_MEMBER_ID_BYTES);
  snprintf(record.ref, sizeof record.ref, "legacy-%u", (unsigned)date);
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(ledger_record_encode(&record, &plain), COOP_OK);
  uint8_t key[32];
  cr_assert_eq(ledger_store_audience_key(nodes->coop.store, &nodes->coop.identity,
                                         nodes->coop.identity.public_key, row.audience_id, key),
               COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_TRANSACTION, .audience_id = row.audience_id,
                             .audience_key = key, .payload = plain.data,
                             .payload_bytes = plain.len};
  uint64_t index = log_size(&nodes->coop);
  cr_assert_eq(ledger_store_append(nodes->coop.store, &nodes->coop.identity, &item, 1,
                                   node_now_ms(), NULL),
               COOP_OK);
  coop_buf_release(&plain);
  return index;
}

Test(statements, a_close_that_cannot_compute_a_statement_names_member_month_and_entry)
{
  pair nodes;
  char ann[16], bo[16];
  two_members_with_revenue(&nodes, ann, bo);
  uint64_t culprit = append_legacy_hours(&nodes, ann, 99999900, 20260112);
  set_clock(20260205);
  char message[NODE_MESSAGE_BYTES];
  expect_close_refused(&nodes, 202601, COOP_E_RANGE, message);
  cr_assert(strstr(message, ann) != NULL, "no member: %s", message);
  cr_assert(strstr(message, "2026-01") != NULL, "no month: %s", message);
  cr_assert(strstr(message, "hours") != NULL, "no field: %s", message);
  char entry[32];
  snprintf(entry, sizeof entry, "entry %" PRIu64, culprit);
  cr_assert(strstr(message, entry) != NULL, "no %s: %s", entry, message);
  pair_close(&nodes);
}

/* ---- The close's kept view and its due-pass skip ------------------------------------- */

/* What a close computed, as (member, month, hash of the encoded statement),
 * in the order computed. */
typedef struct computed {
  size_t count;
  char member_id[16][16];
  uint32_t period[16];
  uint8_t hash[16][32];
} computed;

static void hash_statement(const ledger_statement_payload *statement, uint8_t hash[32])
{
  coop_buf bytes;
  coop_buf_init(&bytes, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(ledger_statement_encode(statement, &bytes), COOP_OK);
  crypto_generichash(hash, 32, bytes.data, bytes.len, NULL, 0);
  coop_buf_release(&bytes);
}

static coop_err note_computed(void *context, const char *member_id,
                              const ledger_statement_payload *statement)
{
  computed *seen = context;
  cr_assert_lt(seen->count, 16);
  snprintf(seen->member_id[seen->count], 16, "%s", member_id);
  seen->period[seen->count] = statement->period;
  hash_statement(statement, seen->hash[seen->count]);
  seen->count++;
  return COOP_OK;
}

static bool reissued_in(const node_reissue_list *list, const char *member_id, uint32_t period)
{
  for (size_t i = 0; i < list->count; i++)
    if (!strcmp(list->items[i].member_id, member_id) && list->items[i].period == period)
      return true;
  return false;
}

/* Every statement `expected` computed is, as the last of its member and
 * month, the one in force in `self`'s log. */
static void assert_in_force(node *self, const computed *expected)
{
  for (size_t i = 0; i < expected->count; i++) {
    bool last = true;
    for (size_t j = i + 1; j < expected->count; j++)
      last &= strcmp(expected->member_id[j], expected->member_id[i]) ||
              expected->period[j] != expected->period[i];
    if (!last)
      continue;
    uint64_t index;
    ledger_statement_payload *statement =
        statement_of(self, expected->member_id[i], expected->period[i], &index);
    uint8_t hash[32];
    hash_statement(statement, hash);
    cr_assert_arr_eq(hash, expected->hash[i], 32, "the statement of %s for %u differs from the "
                     "one a fresh read of the log computes", expected->member_id[i],
                     expected->period[i]);
    free(statement);
  }
}

static void close_reissuing(pair *nodes, uint32_t period, node_reissue_list *reissued)
{
  set_clock(next_period(period) * 100 + 2);
  char message[NODE_MESSAGE_BYTES] = "";
  memset(reissued, 0, sizeof *reissued);
  coop_err err = node_period_close_reissuing(&nodes->coop, period, reissued, message);
  cr_assert_eq(err, COOP_OK, "close %u: %s", period, message);
}

/* A node keeps its close's view of its own log for the next close, which
 * reads only the entries appended since and skips the due reissues when
 * none of them reaches into a closed month.  A late correction (the first
 * entry after a close) and a status fact from a closed month must still be
 * found, and every statement must be what a fresh read of the log (another
 * handle on the same home, previewing) computes. */
Test(statements, a_kept_view_finds_what_is_due_after_the_last_close, .timeout = 60)
{
  pair nodes;
  char ann[16], bo[16];
  two_members_with_revenue(&nodes, ann, bo);
  /* Ann's disregard n counts months: each statement carries the count on. */
  set_status(&nodes, ann, LEDGER_MEMBER_N_APPROVED, 202601, 1);
  uint64_t ann_january = record(&nodes, LEDGER_RECORD_COST, ann, 20000, 20260112);
  node_reissue_list reissued;
  close_reissuing(&nodes, 202601, &reissued);
  cr_assert_eq(reissued.count, 0);
  set_clock(20260210);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 30000, 20260210);
  record(&nodes, LEDGER_RECORD_REVENUE, bo, 20000, 20260211);
  close_reissuing(&nodes, 202602, &reissued);
  cr_assert_eq(reissued.count, 0, "nothing reached into January, yet %zu reissues",
               reissued.count);

  /* Right after February's close: January's cost corrected away, Bo
   * approved (N) from February. */
  set_clock(20260303);
  char message[NODE_MESSAGE_BYTES] = "";
  uint64_t correction = 0;
  cr_assert_eq(node_record_correct(&nodes.coop, ann_january, "not hers", 20260303, &correction,
                                   message), COOP_OK, "%s", message);
  cr_assert_eq(correction, log_size(&nodes.coop) - 1);
  cr_assert_eq(node_member_set(&nodes.coop, bo, LEDGER_MEMBER_N_APPROVED, 202602, 1, true,
                               message), COOP_OK, "%s", message);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 10000, 20260305);

  /* A fresh read of the log: another handle on the same home, previewing. */
  node fresh;
  set_clock(20260402);
  cr_assert_eq(node_open(nodes.coop.home, &fresh, message), COOP_OK, "%s", message);
  computed expected = {0};
  cr_assert_eq(node_period_close_preview(&fresh, 202603, note_computed, &expected, message),
               COOP_OK, "%s", message);
  node_close(&fresh);

  close_reissuing(&nodes, 202603, &reissued);
  cr_assert(reissued_in(&reissued, ann, 202601), "the late correction of January was missed");
  cr_assert(reissued_in(&reissued, bo, 202602), "Bo's approval from February was missed");
  cr_assert_eq(reissued.count + 2, expected.count, "%zu reissues, the fresh read computed %zu "
               "statements", reissued.count, expected.count);
  node_reissue_list_free(&reissued);
  assert_in_force(&nodes.coop, &expected);
  uint64_t index;
  ledger_statement_payload *january = statement_of(&nodes.coop, ann, 202601, &index);
  cr_assert_eq(january->month.costs_cents, 0, "January still counts the corrected cost");
  cr_assert_eq(january->month.revenue_cents, 50000);
  free(january);
  ledger_statement_payload *february = statement_of(&nodes.coop, bo, 202602, &index);
  cr_assert_eq(february->month.n_approved, 1);
  free(february);
  ledger_statement_payload *march = statement_of(&nodes.coop, ann, 202603, &index);
  cr_assert_eq(march->figures.n_used, 3, "Ann's third month of n counts %" PRId64,
               march->figures.n_used);
  free(march);

  /* Nothing new for a closed month: April reissues nothing. */
  set_clock(20260410);
  record(&nodes, LEDGER_RECORD_REVENUE, bo, 5000, 20260410);
  close_reissuing(&nodes, 202604, &reissued);
  cr_assert_eq(reissued.count, 0);
  assert_verifies(&nodes.coop);
  pair_close(&nodes);
}

/* Backs `self` up to `name` in the fixture's directory (its path in `path`). */
static void backup_as(node *self, const char *name, char path[128], ledger_store_backup_info *info)
{
  char message[NODE_MESSAGE_BYTES] = "";
  snprintf(path, 128, "%s/%s", fx.dir, name);
  cr_assert_eq(node_backup(self, path, info, message), COOP_OK, "%s", message);
}

/* A restore swaps the database under an open node: the view its last close
 * kept is then of another log, even when the restored log has grown past
 * it since, and the next close must read the log again. */
Test(statements, a_kept_view_is_not_used_after_a_restore, .timeout = 60)
{
  pair nodes;
  char ann[16], bo[16];
  two_members_with_revenue(&nodes, ann, bo);
  close_month(&nodes, 202601);
  char backup[128], message[NODE_MESSAGE_BYTES] = "";
  ledger_store_backup_info info;
  backup_as(&nodes.coop, "after-january.db", backup, &info);
  set_clock(20260210);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 30000, 20260210);
  close_month(&nodes, 202602); /* kept: February as it was then */

  node_restore_lost lost;
  cr_assert_eq(node_restore(&nodes.coop, backup, &info, &lost, message), COOP_OK, "%s",
               message);
  bool was_restored = false;
  cr_assert_eq(node_restore_confirm(&nodes.coop, &was_restored, message), COOP_OK, "%s",
               message);
  /* Another February, longer than the one the view kept. */
  set_clock(20260211);
  for (uint32_t day = 11; day <= 16; day++)
    record(&nodes, LEDGER_RECORD_REVENUE, ann, 10000, 20260200 + day);
  close_month(&nodes, 202602);
  uint64_t index;
  ledger_statement_payload *february = statement_of(&nodes.coop, ann, 202602, &index);
  cr_assert_eq(february->month.revenue_cents, 60000, "February counts %" PRId64,
               february->month.revenue_cents);
  cr_assert_eq(february->source_count, 6);
  free(february);
  assert_verifies(&nodes.coop);
  pair_close(&nodes);
}

/* The kept view agrees with a fresh read of the entries it covers
 * (node_close_view_check); `expect_kept`: that one is kept at all. */
static void assert_kept_view(node *self, bool expect_kept, const char *when)
{
  bool kept = false;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_close_view_check(self, &kept, message);
  cr_assert_eq(err, COOP_OK, "%s: %s", when, message);
  cr_assert_eq(kept, expect_kept, "%s: a view is%s kept", when, kept ? "" : " not");
}

/* A close adds the statements and profit splits it wrote to the view it
 * keeps without reading them back: after every close the view must be
 * what a fresh read of the same entries gives (leaf hashes, indexes,
 * months, each member's positions), through reissues, a preview (which
 * keeps nothing) and a restore (after which the check must fail: it can). */
Test(statements, a_kept_view_holds_what_its_closes_wrote, .timeout = 60)
{
  pair nodes;
  char ann[16], bo[16];
  two_members_with_revenue(&nodes, ann, bo);
  uint64_t ann_january = record(&nodes, LEDGER_RECORD_COST, ann, 20000, 20260112);
  close_month(&nodes, 202601);
  assert_kept_view(&nodes.coop, true, "after January");
  char backup[128], message[NODE_MESSAGE_BYTES] = "";
  ledger_store_backup_info info;
  backup_as(&nodes.coop, "after-january.db", backup, &info);

  set_clock(20260210);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 30000, 20260210);
  close_month(&nodes, 202602);
  assert_kept_view(&nodes.coop, true, "after February");

  /* A late correction of January: March's close reissues January (read
   * back by the view), then writes March. */
  set_clock(20260303);
  uint64_t correction = 0;
  cr_assert_eq(node_record_correct(&nodes.coop, ann_january, "not hers", 20260303, &correction,
                                   message), COOP_OK, "%s", message);
  node_reissue_list reissued;
  close_reissuing(&nodes, 202603, &reissued);
  cr_assert(reissued_in(&reissued, ann, 202601), "January was not reissued");
  node_reissue_list_free(&reissued);
  assert_kept_view(&nodes.coop, true, "after March and its reissues");

  computed seen = {0};
  set_clock(20260502);
  cr_assert_eq(node_period_close_preview(&nodes.coop, 202604, note_computed, &seen, message),
               COOP_OK, "%s", message);
  assert_kept_view(&nodes.coop, false, "after a preview");
  close_month(&nodes, 202604);
  assert_kept_view(&nodes.coop, true, "after April, read afresh");
  set_clock(20260510);
  record(&nodes, LEDGER_RECORD_REVENUE, bo, 5000, 20260510);
  close_month(&nodes, 202605);
  assert_kept_view(&nodes.coop, true, "after May");
  ledger_statement_payload *may = NULL;
  uint64_t index;
  may = statement_of(&nodes.coop, bo, 202605, &index);
  cr_assert_eq(may->month.revenue_cents, 5000);
  free(may);

  /* The database swapped under the node: the kept view is of another log. */
  node_restore_lost lost;
  cr_assert_eq(node_restore(&nodes.coop, backup, &info, &lost, message), COOP_OK, "%s", message);
  bool kept = false;
  cr_assert_eq(node_close_view_check(&nodes.coop, &kept, message), COOP_E_BOOKS_MISMATCH,
               "a view of May checked out against the log of January");
  bool was_restored = false;
  cr_assert_eq(node_restore_confirm(&nodes.coop, &was_restored, message), COOP_OK, "%s",
               message);
  assert_verifies(&nodes.coop);
  pair_close(&nodes);
}

/* A close that fails after it wrote some members' statements (Cy, enrolled
 * last, has no birth month) rolls them back: none of them may reach the
 * view the next close starts from. */
Test(statements, a_failed_close_leaves_nothing_in_the_kept_view, .timeout = 60)
{
  pair nodes;
  char ann[16], bo[16], cy[16];
  two_members_with_revenue(&nodes, ann, bo);
  close_month(&nodes, 202601);
  set_clock(20260210);
  enrol(&nodes, "Cy", "BRD-3", 0, cy);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 30000, 20260210);
  set_clock(20260302);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_period_close(&nodes.coop, 202602, message), COOP_E_BAD_INPUT, "%s", message);
  assert_kept_view(&nodes.coop, false, "after the failed close");
  set_status(&nodes, cy, LEDGER_MEMBER_BIRTH, 198507, 198507);
  close_month(&nodes, 202602);
  assert_kept_view(&nodes.coop, true, "after February");
  set_clock(20260310);
  record(&nodes, LEDGER_RECORD_REVENUE, ann, 10000, 20260310);
  close_month(&nodes, 202603);
  assert_kept_view(&nodes.coop, true, "after March");
  /* One statement each for February: none left over from the failed close. */
  uint64_t index = 0, size = log_size(&nodes.coop);
  ledger_statement_payload *march = statement_of(&nodes.coop, ann, 202603, &index);
  cr_assert_eq(march->month.revenue_cents, 10000);
  cr_assert_eq(march->corrects, 0);
  free(march);
  cr_assert_lt(index, size);
  assert_verifies(&nodes.coop);
  pair_close(&nodes);
}
