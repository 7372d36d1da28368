/* The JSON layer of the offset engine (cli/offset_json.c): every worked
 * example in tests/data/offset-examples.json parsed, run and compared to its
 * "expected" statements, and strict rejection of bad input with messages
 * that name the field. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/offset_json.h"
#include "ledger/base/alloc.h"
#include "ledger/offset/offset.h"

/* ---- Fixtures ------------------------------------------------------------ */

static json_t *load_examples(void)
{
  const char *directory = getenv("COOP_TEST_DATA");
  cr_assert_not_null(directory, "COOP_TEST_DATA is not set (run through meson test)");
  char path[4096];
  snprintf(path, sizeof path, "%s/offset-examples.json", directory);
  json_error_t error;
  json_t *examples = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
  cr_assert_not_null(examples, "%s:%d: %s", path, error.line, error.text);
  return examples;
}

static const char rule_set_text[] =
    "{\"municipality\": \"Breda\", \"effective_from\": \"2026-01\", \"regime\": \"PW2015\","
    " \"norm\": 140150, \"coop_pct\": 1000, \"distribution\": \"STATUTORY\", \"muni_pct\": 0,"
    " \"loss_rule\": \"FLOOR_ZERO\", \"min_age_nrk\": 27,"
    " \"pct_n\": 2500, \"cap_n\": 28500, \"n_months\": 6,"
    " \"pct_r\": 1250, \"cap_r\": 17766, \"r_months\": 30,"
    " \"pct_y\": 1500, \"cap_y\": 18019,"
    " \"pct_34a\": 1500, \"months_34a\": 12,"
    " \"k_month\": 22000, \"k_year\": 220000}";

/* A valid simulate document: the rule set above and one month. */
static json_t *valid_simulation(void)
{
  json_error_t error;
  json_t *rule_set = json_loads(rule_set_text, 0, &error);
  cr_assert_not_null(rule_set, "%s", error.text);
  json_t *month = json_pack("{s:s, s:i, s:i, s:i, s:b}", "period", "2026-03", "revenue", 80000,
                            "costs", 20000, "age", 30, "n_approved", 1);
  json_t *root = json_pack("{s:[o], s:[o]}", "rule_sets", rule_set, "months", month);
  cr_assert_not_null(root);
  return root;
}

static json_t *first_rule_set(json_t *root)
{
  return json_array_get(json_object_get(root, "rule_sets"), 0);
}

static json_t *first_month(json_t *root)
{
  return json_array_get(json_object_get(root, "months"), 0);
}

/* The Dutch rendering of `message` (what `coop offset simulate` prints
 * without --lang en) keeps no English phrase of the messages' own. */
static void expect_dutch(const char *message)
{
  static const char *const english[] = {
      "must",   "missing", "unknown", "got ",    "allowed", "at most", "required", "out of",
      "no rule", "every ", "line ",   "column",  "increasing", "ambiguous", "come after",
      "whole number", "true or", "\" or \"", "overflow", "invalid", "closed", "memory",
  };
  char dutch[LEDGER_OFFSET_MESSAGE_BYTES];
  snprintf(dutch, sizeof dutch, "%s", message);
  ledger_offset_json_message_dutch(dutch, sizeof dutch);
  for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
    cr_expect_null(strstr(dutch, english[i]), "'%s' is left in the Dutch '%s' of '%s'",
                   english[i], dutch, message);
}

/* Parses `root`, expects `expected_err`, and returns the message. */
static void expect_rejected(json_t *root, coop_err expected_err, const char *needle)
{
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  coop_err err = ledger_offset_json_parse_simulation(root, &simulation, message, sizeof message);
  cr_expect_eq(err, expected_err, "got %s (%s)", coop_err_name(err), message);
  cr_expect_not_null(strstr(message, needle), "message '%s' does not contain '%s'", message,
                     needle);
  expect_dutch(message);
  cr_expect_eq(simulation.rule_sets, NULL, "left empty on error");
  cr_expect_eq(simulation.month_count, 0);
  ledger_offset_simulation_release(&simulation);
  json_decref(root);
}

/* ---- The worked examples ------------------------------------------------- */

/* Same fields, same values, same order. */
static void expect_same_object(const json_t *actual, const json_t *expected, const char *label)
{
  char *actual_text = json_dumps(actual, JSON_COMPACT);
  char *expected_text = json_dumps(expected, JSON_COMPACT);
  cr_expect(json_equal(actual, expected), "%s:\n  got      %s\n  expected %s", label, actual_text,
            expected_text);
  /* json_equal ignores key order; the output must also keep the examples'. */
  cr_expect_str_eq(actual_text, expected_text, "%s: field order", label);
  free(actual_text);
  free(expected_text);
}

static void check_scenario(json_t *scenario)
{
  const char *name = json_string_value(json_object_get(scenario, "name"));
  json_t *root = json_pack("{s:O, s:O}", "rule_sets", json_object_get(scenario, "rule_sets"),
                           "months", json_object_get(scenario, "months"));
  cr_assert_not_null(root, "%s", name);
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  cr_assert_eq(ledger_offset_json_parse_simulation(root, &simulation, message, sizeof message),
               COOP_OK, "%s: %s", name, message);
  ledger_offset_statement *statements = coop_calloc(simulation.month_count, sizeof *statements);
  cr_assert_not_null(statements);
  cr_assert_eq(ledger_offset_simulation_run(&simulation, statements, message, sizeof message),
               COOP_OK, "%s: %s", name, message);
  json_t *actual = NULL;
  cr_assert_eq(ledger_offset_json_from_statements(statements, simulation.month_count, &actual),
               COOP_OK);
  const json_t *expected = json_object_get(scenario, "expected");
  cr_assert_eq(json_array_size(actual), json_array_size(expected), "%s", name);
  for (size_t i = 0; i < json_array_size(expected); i++) {
    char label[128];
    snprintf(label, sizeof label, "%s, month %zu", name, i);
    expect_same_object(json_array_get(actual, i), json_array_get(expected, i), label);
  }
  json_decref(actual);
  coop_free(statements);
  ledger_offset_simulation_release(&simulation);
  json_decref(root);
}

Test(offset_json_examples, every_worked_example_reproduced_exactly)
{
  json_t *examples = load_examples();
  json_t *scenarios = json_object_get(examples, "scenarios");
  cr_assert(json_is_array(scenarios));
  cr_assert_eq(json_array_size(scenarios), 6, "the spec has six worked examples");
  size_t index;
  json_t *scenario;
  json_array_foreach(scenarios, index, scenario) check_scenario(scenario);
  json_decref(examples);
}

Test(offset_json_examples, statement_fields_are_exactly_the_examples)
{
  ledger_offset_statement statement;
  memset(&statement, 0, sizeof statement);
  statement.period = (ledger_offset_period){2026, 3};
  statement.disregard_kind = LEDGER_OFFSET_DISREGARD_34A;
  json_t *object = NULL;
  cr_assert_eq(ledger_offset_json_from_statement(&statement, &object), COOP_OK);
  char *text = json_dumps(object, JSON_COMPACT);
  cr_expect_str_eq(text, "{\"period\":\"2026-03\",\"profit\":0,\"coop_share\":0,\"net_income\":0,"
                         "\"disregard\":0,\"disregard_kind\":\"34a\",\"volunteer_disregarded\":0,"
                         "\"volunteer_counted\":0,\"counted_income\":0,\"offset\":0,\"benefit\":0,"
                         "\"above_norm\":false,\"to_municipality\":0,\"to_budget\":0,\"n_used\":0,"
                         "\"r_used\":0,\"a34_used\":0,\"k_ytd\":0,\"loss_carried\":0}");
  free(text);
  json_decref(object);
}

Test(offset_json_examples, text_round_trip_and_absent_fields_default)
{
  static const char text[] =
      "{\"rule_sets\": [RULE], \"months\": [{\"period\": \"2026-03\", \"age\": 40}]}";
  char document[2048];
  const char *marker = strstr(text, "RULE");
  snprintf(document, sizeof document, "%.*s%s%s", (int)(marker - text), text, rule_set_text,
           marker + 4);
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  cr_assert_eq(ledger_offset_json_parse_simulation_text(document, strlen(document), &simulation,
                                                        message, sizeof message),
               COOP_OK, "%s", message);
  cr_expect_eq(simulation.rule_set_count, 1);
  cr_expect_str_eq(simulation.rule_sets[0].municipality, "Breda");
  cr_expect_eq(simulation.rule_sets[0].cap_r_cents, 17766);
  cr_expect_eq(simulation.rule_sets[0].loss_rule, LEDGER_OFFSET_LOSS_FLOOR_ZERO);
  cr_assert_eq(simulation.month_count, 1);
  const ledger_offset_month *month = &simulation.months[0];
  cr_expect_eq(month->revenue_cents, 0);
  cr_expect_eq(month->other_income_cents, 0);
  cr_expect_eq(month->age_years, 40);
  cr_expect_eq(month->n_approved, false);
  cr_expect_eq(month->medical_hours_limit, false);
  ledger_offset_simulation_release(&simulation);
}

/* ---- Rejections ----------------------------------------------------------- */

Test(offset_json_rejects, unknown_field_in_month)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_month(root), "n_aproved", json_true());
  expect_rejected(root, COOP_E_DECODE, "months[0] (2026-03).n_aproved: unknown field");
}

Test(offset_json_rejects, unknown_field_in_rule_set_and_top_level)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "cap_z", json_integer(1));
  expect_rejected(root, COOP_E_DECODE, "rule_sets[0].cap_z: unknown field");
  root = valid_simulation();
  json_object_set_new(root, "expected", json_array());
  expect_rejected(root, COOP_E_DECODE, "expected: unknown field");
}

Test(offset_json_rejects, missing_rule_set_field)
{
  json_t *root = valid_simulation();
  json_object_del(first_rule_set(root), "cap_n");
  expect_rejected(root, COOP_E_DECODE, "rule_sets[0].cap_n: missing");
  root = valid_simulation();
  json_object_del(first_rule_set(root), "municipality");
  expect_rejected(root, COOP_E_DECODE, "rule_sets[0].municipality: missing");
}

Test(offset_json_rejects, missing_period_or_age)
{
  json_t *root = valid_simulation();
  json_object_del(first_month(root), "age");
  expect_rejected(root, COOP_E_DECODE, "months[0] (2026-03).age: missing");
  root = valid_simulation();
  json_object_del(first_month(root), "period");
  expect_rejected(root, COOP_E_DECODE, "months[0].period: missing");
  root = valid_simulation();
  json_object_del(root, "months");
  expect_rejected(root, COOP_E_DECODE, "months: missing");
}

Test(offset_json_rejects, float_amounts_even_whole)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_month(root), "revenue", json_real(1.5));
  expect_rejected(root, COOP_E_DECODE,
                  "months[0] (2026-03).revenue: must be a whole number of cents >= 0, got 1.5");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "norm", json_real(100.0));
  expect_rejected(root, COOP_E_DECODE,
                  "rule_sets[0].norm: must be a whole number of cents >= 0, got 100.0");

  /* And in text, where 100.0 and 1e2 are reals too. */
  static const char text[] = "{\"rule_sets\": [], \"months\": [{\"period\": \"2026-03\", "
                             "\"age\": 40, \"costs\": 1e2}]}";
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  cr_expect_eq(ledger_offset_json_parse_simulation_text(text, strlen(text), &simulation, message,
                                                        sizeof message),
               COOP_E_DECODE);
  cr_expect_not_null(strstr(message, "months[0] (2026-03).costs"), "%s", message);
}

Test(offset_json_rejects, negative_amount)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "cap_n", json_integer(-5));
  expect_rejected(root, COOP_E_RANGE,
                  "rule_sets[0].cap_n: must be a whole number of cents >= 0, got -5");
  root = valid_simulation();
  json_object_set_new(first_month(root), "volunteer_allowance", json_integer(-1));
  expect_rejected(root, COOP_E_RANGE, "months[0] (2026-03).volunteer_allowance");
}

Test(offset_json_rejects, values_out_of_range)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "coop_pct", json_integer(10001));
  expect_rejected(root, COOP_E_RANGE,
                  "rule_sets[0].coop_pct: must be a whole number of basis points");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "n_months", json_integer(0));
  expect_rejected(root, COOP_E_RANGE, "rule_sets[0].n_months");
  root = valid_simulation();
  json_object_set_new(first_month(root), "age", json_integer(151));
  expect_rejected(root, COOP_E_RANGE, "months[0] (2026-03).age");
  root = valid_simulation();
  json_object_set_new(first_month(root), "hours", json_integer(745));
  expect_rejected(root, COOP_E_RANGE, "months[0] (2026-03).hours");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "municipality", json_string(""));
  expect_rejected(root, COOP_E_RANGE, "rule_sets[0].municipality");
}

Test(offset_json_rejects, bad_periods)
{
  static const char *const bad[] = {"2026-13", "2026-00",    "2026-3",   "26-03", "1899-12",
                                    "2026/03", "2026-03-01", " 2026-03", "",      "２０２６-03"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *root = valid_simulation();
    json_object_set_new(first_month(root), "period", json_string(bad[i]));
    expect_rejected(root, COOP_E_RANGE, "months[0].period: must be a month \"YYYY-MM\"");
  }
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "effective_from", json_string("2026-13"));
  expect_rejected(root, COOP_E_RANGE, "rule_sets[0].effective_from");
  root = valid_simulation();
  json_object_set_new(first_month(root), "period", json_integer(202603));
  expect_rejected(root, COOP_E_DECODE, "months[0].period");

  ledger_offset_period period = {0, 0};
  cr_expect_eq(ledger_offset_json_parse_period("9999-12", &period), COOP_OK);
  cr_expect_eq(period.year, 9999);
  cr_expect_eq(period.month, 12);
  cr_expect_eq(ledger_offset_json_parse_period("1900-01", &period), COOP_OK);
  cr_expect_eq(ledger_offset_json_parse_period("+202-01", &period), COOP_E_DECODE);
}

Test(offset_json_rejects, unknown_enum_strings)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "regime", json_string("PW2027"));
  expect_rejected(root, COOP_E_RANGE,
                  "rule_sets[0].regime: must be \"PW2015\" or \"PW34A\", got \"PW2027\"");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "distribution", json_string("statutory"));
  expect_rejected(root, COOP_E_RANGE, "rule_sets[0].distribution");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "loss_rule", json_string("CARRY"));
  expect_rejected(root, COOP_E_RANGE, "rule_sets[0].loss_rule");
}

Test(offset_json_rejects, wrong_types)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_month(root), "n_approved", json_integer(1));
  expect_rejected(root, COOP_E_DECODE,
                  "months[0] (2026-03).n_approved: must be true or false, got 1");
  root = valid_simulation();
  json_object_set_new(first_month(root), "revenue", json_string("800.00"));
  expect_rejected(root, COOP_E_DECODE,
                  "months[0] (2026-03).revenue: must be a whole number of cents >= 0, "
                  "got \"800.00\"");
  root = valid_simulation();
  json_object_set_new(first_rule_set(root), "regime", json_integer(2015));
  expect_rejected(root, COOP_E_DECODE, "rule_sets[0].regime");
  root = valid_simulation();
  json_object_set_new(first_month(root), "costs", json_null());
  expect_rejected(root, COOP_E_DECODE, "months[0] (2026-03).costs");
  root = valid_simulation();
  json_object_set_new(root, "months", json_object());
  expect_rejected(root, COOP_E_DECODE, "months: must be an array");
  root = valid_simulation();
  json_array_append_new(json_object_get(root, "months"), json_string("2026-04"));
  expect_rejected(root, COOP_E_DECODE, "months[1]: must be a month object");
  expect_rejected(json_array(), COOP_E_DECODE, "must be an object with rule_sets and months");
}

Test(offset_json_rejects, months_out_of_order_and_duplicate_rule_sets)
{
  json_t *root = valid_simulation();
  json_array_append_new(json_object_get(root, "months"),
                        json_pack("{s:s, s:i}", "period", "2026-02", "age", 30));
  expect_rejected(root, COOP_E_PERIOD_CLOSED,
                  "months[1] (2026-02).period: must come after months[0] (2026-03)");
  root = valid_simulation();
  json_array_append(json_object_get(root, "rule_sets"), first_rule_set(root));
  expect_rejected(root, COOP_E_BAD_INPUT,
                  "rule_sets[1].effective_from: 2026-01 is also the effective_from of "
                  "rule_sets[0]");
}

Test(offset_json_rejects, malformed_text_and_duplicate_keys)
{
  static const char *const bad[] = {
      "{\"rule_sets\": [], \"months\": []",
      "{\"rule_sets\": [], \"months\": [], \"months\": []}",
      "{\"rule_sets\": [], \"months\": []} trailing",
      "{\"rule_sets\": [], \"months\": [{\"period\": \"2026-01\", \"age\": 99999999999999999999}]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ledger_offset_simulation simulation;
    ledger_offset_simulation_init(&simulation);
    char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
    cr_expect_eq(ledger_offset_json_parse_simulation_text(bad[i], strlen(bad[i]), &simulation,
                                                          message, sizeof message),
                 COOP_E_DECODE, "case %zu", i);
    cr_expect_not_null(strstr(message, "line 1, column"), "case %zu: %s", i, message);
  }
}

Test(offset_json_run, engine_errors_name_the_month)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_month(root), "period", json_string("2025-12"));
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  cr_assert_eq(ledger_offset_json_parse_simulation(root, &simulation, message, sizeof message),
               COOP_OK, "%s", message);
  ledger_offset_statement statement;
  cr_expect_eq(ledger_offset_simulation_run(&simulation, &statement, message, sizeof message),
               COOP_E_NO_RULE_SET);
  cr_expect_str_eq(message,
                   "months[0] (2025-12): no rule set in force (the earliest effective_from "
                   "is 2026-01)");
  expect_dutch(message);
  ledger_offset_simulation_release(&simulation);

  json_object_set_new(first_month(root), "period", json_string("2026-03"));
  json_object_set_new(first_month(root), "revenue", json_integer(INT64_MAX));
  cr_assert_eq(ledger_offset_json_parse_simulation(root, &simulation, message, sizeof message),
               COOP_OK, "%s", message);
  cr_expect_eq(ledger_offset_simulation_run(&simulation, &statement, message, sizeof message),
               COOP_E_OVERFLOW);
  cr_expect_not_null(strstr(message, "months[0] (2026-03): arithmetic overflow"), "%s", message);
  expect_dutch(message);
  ledger_offset_simulation_release(&simulation);
  json_decref(root);
}

Test(offset_json_run, messages_never_overrun_a_small_buffer)
{
  json_t *root = valid_simulation();
  json_object_set_new(first_rule_set(root), "cap_n", json_integer(-5));
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  char message[16];
  memset(message, 'x', sizeof message);
  cr_expect_eq(ledger_offset_json_parse_simulation(root, &simulation, message, 8), COOP_E_RANGE);
  cr_expect_str_eq(message, "rule_se");
  cr_expect_eq(message[8], 'x');
  json_decref(root);
}

/* Every allocation of the parser may fail; each failure is reported and
 * leaks nothing (the sanitizer build checks the leaks). */
Test(offset_json_run, out_of_memory_at_every_allocation)
{
  json_t *root = valid_simulation();
  for (long successes = 0; successes < 4; successes++) {
    ledger_offset_simulation simulation;
    ledger_offset_simulation_init(&simulation);
    char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
    coop_alloc_fail_after(successes);
    coop_err err = ledger_offset_json_parse_simulation(root, &simulation, message, sizeof message);
    coop_alloc_fail_after(-1);
    if (successes < 2) {
      cr_expect_eq(err, COOP_E_NOMEM, "after %ld allocations", successes);
      cr_expect_not_null(strstr(message, "out of memory"), "%s", message);
    } else {
      cr_expect_eq(err, COOP_OK, "%s", message);
    }
    ledger_offset_simulation_release(&simulation);
  }
  json_decref(root);
}
