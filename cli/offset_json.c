#include "cli/offset_json.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"

/* Where in the input a value is, and where to say what is wrong with it. */
typedef struct parse_context {
  const char *where; /* "rule_sets[0]", "months[2] (2026-03)" */
  char *message;
  size_t message_bytes;
} parse_context;

static void say(char *message, size_t message_bytes, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *message, size_t message_bytes, const char *format, ...)
{
  if (!message || message_bytes == 0)
    return;
  va_list args;
  va_start(args, format);
  vsnprintf(message, message_bytes, format, args);
  va_end(args);
}

/* A short rendering of a JSON value for "got ..." in messages: the value
 * itself if it is short (so 100.0 is shown as 100.0, not as 100), else its
 * type.  json_dumpb() writes into our buffer, so nothing is allocated. */
static void describe_value(const json_t *value, char *text, size_t text_bytes)
{
  size_t needed = json_dumpb(value, text, text_bytes - 1, JSON_ENCODE_ANY | JSON_COMPACT);
  if (needed > 0 && needed < text_bytes - 1) {
    text[needed] = '\0';
    return;
  }
  const char *type = "a value";
  if (json_is_string(value))
    type = "a long string";
  else if (json_is_object(value))
    type = "an object";
  else if (json_is_array(value))
    type = "an array";
  else if (json_is_number(value))
    type = "a long number";
  snprintf(text, text_bytes, "%s", type);
}

/* Fields are named "<where>.<field>", or just "<field>" at the top level. */
static const char *separator(const parse_context *context)
{
  return context->where[0] ? "." : "";
}

/* "<where>.<field>: <must>, got <value>" */
static coop_err field_error(const parse_context *context, const char *field, coop_err err,
                            const char *must, const json_t *value)
{
  char got[48];
  describe_value(value, got, sizeof got);
  say(context->message, context->message_bytes, "%s%s%s: %s, got %s", context->where,
      separator(context), field, must, got);
  return err;
}

static coop_err missing_error(const parse_context *context, const char *field, const char *why)
{
  say(context->message, context->message_bytes, "%s%s%s: missing; %s", context->where,
      separator(context), field, why);
  return COOP_E_DECODE;
}

/* Unknown fields are errors: a misspelt "n_aproved" must not silently mean
 * "not approved". */
static coop_err check_known_fields(const json_t *object, const char *const *names,
                                   size_t name_count, const parse_context *context)
{
  /* jansson's iterator API takes a non-const object but does not modify it. */
  json_t *mutable_object = (json_t *)object;
  for (void *iterator = json_object_iter(mutable_object); iterator;
       iterator = json_object_iter_next(mutable_object, iterator)) {
    const char *key = json_object_iter_key(iterator);
    bool known = false;
    for (size_t i = 0; i < name_count && !known; i++)
      known = strcmp(key, names[i]) == 0;
    if (!known) {
      say(context->message, context->message_bytes, "%s%s%.64s: unknown field", context->where,
          separator(context), key);
      return COOP_E_DECODE;
    }
  }
  return COOP_OK;
}

static coop_err check_object(const json_t *value, const parse_context *context, const char *what)
{
  if (json_is_object(value))
    return COOP_OK;
  char got[48];
  describe_value(value, got, sizeof got);
  say(context->message, context->message_bytes, "%s: must be %s, got %s", context->where, what,
      got);
  return COOP_E_DECODE;
}

/* ---- Field readers ------------------------------------------------------ */

typedef struct integer_rule {
  int64_t minimum;
  int64_t maximum;
  const char *must; /* the whole requirement, for messages */
} integer_rule;

static const integer_rule cents_rule = {0, INT64_MAX, "must be a whole number of cents >= 0"};
static const integer_rule basis_points_rule = {
    0, LEDGER_OFFSET_BASIS_POINTS_MAX,
    "must be a whole number of basis points from 0 to 10000 (10000 = 100 %)"};
static const integer_rule window_rule = {LEDGER_OFFSET_WINDOW_MONTHS_MIN,
                                         LEDGER_OFFSET_WINDOW_MONTHS_MAX,
                                         "must be a whole number of months from 1 to 1200"};
static const integer_rule age_rule = {0, LEDGER_OFFSET_AGE_MAX,
                                      "must be a whole number of years from 0 to 150"};
static const integer_rule hours_rule = {0, LEDGER_OFFSET_HOURS_MAX,
                                        "must be a whole number of hours from 0 to 744"};

_Static_assert(LEDGER_OFFSET_BASIS_POINTS_MAX == 10000, "basis_points_rule says 10000");
_Static_assert(LEDGER_OFFSET_WINDOW_MONTHS_MIN == 1 && LEDGER_OFFSET_WINDOW_MONTHS_MAX == 1200,
               "window_rule says 1 to 1200");
_Static_assert(LEDGER_OFFSET_AGE_MAX == 150, "age_rule says 150");
_Static_assert(LEDGER_OFFSET_HOURS_MAX == 744, "hours_rule says 744");

/* A JSON integer (never a real, even 100.0: money is whole cents) within the
 * rule.  An absent optional field is 0; `required_why` is NULL if optional. */
static coop_err read_integer(const json_t *object, const char *field, const integer_rule *rule,
                             const char *required_why, int64_t *value, const parse_context *context)
{
  const json_t *item = json_object_get(object, field);
  if (!item) {
    if (required_why)
      return missing_error(context, field, required_why);
    *value = 0;
    return COOP_OK;
  }
  if (!json_is_integer(item))
    return field_error(context, field, COOP_E_DECODE, rule->must, item);
  json_int_t number = json_integer_value(item);
  if (number < rule->minimum || number > rule->maximum)
    return field_error(context, field, COOP_E_RANGE, rule->must, item);
  *value = (int64_t)number;
  return COOP_OK;
}

/* A JSON boolean; absent is false.  0 and 1 are not booleans. */
static coop_err read_flag(const json_t *object, const char *field, bool *value,
                          const parse_context *context)
{
  const json_t *item = json_object_get(object, field);
  if (!item) {
    *value = false;
    return COOP_OK;
  }
  if (!json_is_boolean(item))
    return field_error(context, field, COOP_E_DECODE, "must be true or false", item);
  *value = json_is_true(item);
  return COOP_OK;
}

static const char period_must[] = "must be a month \"YYYY-MM\" (year 1900 to 9999, month 01 to 12)";
_Static_assert(LEDGER_OFFSET_YEAR_MIN == 1900 && LEDGER_OFFSET_YEAR_MAX == 9999,
               "period_must says 1900 to 9999");

static coop_err read_period(const json_t *object, const char *field, const char *required_why,
                            ledger_offset_period *period, const parse_context *context)
{
  const json_t *item = json_object_get(object, field);
  if (!item)
    return missing_error(context, field, required_why);
  if (!json_is_string(item))
    return field_error(context, field, COOP_E_DECODE, period_must, item);
  if (ledger_offset_json_parse_period(json_string_value(item), period) != COOP_OK)
    return field_error(context, field, COOP_E_RANGE, period_must, item);
  return COOP_OK;
}

typedef struct enum_name {
  const char *text;
  int value;
} enum_name;

/* One of the strings in `names` (exact case). */
static coop_err read_enum(const json_t *object, const char *field, const enum_name *names,
                          size_t name_count, const char *must, const char *required_why, int *value,
                          const parse_context *context)
{
  const json_t *item = json_object_get(object, field);
  if (!item)
    return missing_error(context, field, required_why);
  if (json_is_string(item)) {
    for (size_t i = 0; i < name_count; i++) {
      if (strcmp(json_string_value(item), names[i].text) == 0) {
        *value = names[i].value;
        return COOP_OK;
      }
    }
    return field_error(context, field, COOP_E_RANGE, must, item);
  }
  return field_error(context, field, COOP_E_DECODE, must, item);
}

static coop_err read_municipality(const json_t *object, const char *required_why,
                                  ledger_offset_rule_set *rule_set, const parse_context *context)
{
  static const char field[] = "municipality";
  static const char must[] = "must be a non-empty name of at most 128 bytes";
  _Static_assert(LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX == 128, "the message says 128");
  const json_t *item = json_object_get(object, field);
  if (!item)
    return missing_error(context, field, required_why);
  if (!json_is_string(item))
    return field_error(context, field, COOP_E_DECODE, must, item);
  const char *text = json_string_value(item);
  size_t length = json_string_length(item);
  /* A NUL inside the name would cut it short when used as a C string. */
  if (length == 0 || length > LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX || strlen(text) != length)
    return field_error(context, field, COOP_E_RANGE, must, item);
  memset(rule_set->municipality, 0, sizeof rule_set->municipality);
  memcpy(rule_set->municipality, text, length);
  return COOP_OK;
}

/* ---- Periods ------------------------------------------------------------ */

static bool two_digits(const char *text, int *value)
{
  if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9')
    return false;
  *value = (text[0] - '0') * 10 + (text[1] - '0');
  return true;
}

coop_err ledger_offset_json_parse_period(const char *text, ledger_offset_period *period)
{
  int century, year_in_century, month;
  if (strlen(text) != 7 || text[4] != '-')
    return COOP_E_DECODE;
  if (!two_digits(text, &century) || !two_digits(text + 2, &year_in_century) ||
      !two_digits(text + 5, &month))
    return COOP_E_DECODE;
  ledger_offset_period parsed = {century * 100 + year_in_century, month};
  if (ledger_offset_period_check(parsed) != COOP_OK)
    return COOP_E_DECODE;
  *period = parsed;
  return COOP_OK;
}

/* ---- Rule sets ----------------------------------------------------------- */

static const char *const rule_set_fields[] = {
    "municipality", "effective_from", "regime", "norm",    "coop_pct",   "distribution", "muni_pct",
    "loss_rule",    "min_age_nrk",    "pct_n",  "cap_n",   "n_months",   "pct_r",        "cap_r",
    "r_months",     "pct_y",          "cap_y",  "pct_34a", "months_34a", "k_month",      "k_year",
};

static const char rule_set_required[] = "every rule set field is required";

static const enum_name regime_names[] = {
    {"PW2015", LEDGER_OFFSET_REGIME_PW2015},
    {"PW34A", LEDGER_OFFSET_REGIME_PW34A},
};
static const enum_name distribution_names[] = {
    {"STATUTORY", LEDGER_OFFSET_DISTRIBUTION_STATUTORY},
    {"PERCENT", LEDGER_OFFSET_DISTRIBUTION_PERCENT},
};
static const enum_name loss_rule_names[] = {
    {"FLOOR_ZERO", LEDGER_OFFSET_LOSS_FLOOR_ZERO},
    {"CARRY_FORWARD_YEAR", LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR},
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The three enum fields, in the order of the JSON rule set. */
static coop_err read_rule_set_enums(const json_t *object, ledger_offset_rule_set *rule_set,
                                    const parse_context *context)
{
  int regime = 0, distribution = 0, loss_rule = 0; /* set on success; 0 calms -O3 */
  coop_err err = read_enum(object, "regime", regime_names, COUNT(regime_names),
                           "must be \"PW2015\" or \"PW34A\"", rule_set_required, &regime, context);
  if (err == COOP_OK)
    err = read_enum(object, "distribution", distribution_names, COUNT(distribution_names),
                    "must be \"STATUTORY\" or \"PERCENT\"", rule_set_required, &distribution,
                    context);
  if (err == COOP_OK)
    err = read_enum(object, "loss_rule", loss_rule_names, COUNT(loss_rule_names),
                    "must be \"FLOOR_ZERO\" or \"CARRY_FORWARD_YEAR\"", rule_set_required,
                    &loss_rule, context);
  if (err != COOP_OK)
    return err;
  rule_set->regime = (ledger_offset_regime)regime;
  rule_set->distribution = (ledger_offset_distribution)distribution;
  rule_set->loss_rule = (ledger_offset_loss_rule)loss_rule;
  return COOP_OK;
}

typedef struct integer_field {
  const char *name;
  const integer_rule *rule;
  size_t offset; /* of the int64_t in ledger_offset_rule_set or ledger_offset_month */
} integer_field;

#define RULE_SET_FIELD(name, rule, member)               \
  {                                                      \
    name, rule, offsetof(ledger_offset_rule_set, member) \
  }

static const integer_field rule_set_integers[] = {
    RULE_SET_FIELD("norm", &cents_rule, norm_cents),
    RULE_SET_FIELD("coop_pct", &basis_points_rule, coop_pct_basis_points),
    RULE_SET_FIELD("muni_pct", &basis_points_rule, muni_pct_basis_points),
    RULE_SET_FIELD("min_age_nrk", &age_rule, min_age_nrk_years),
    RULE_SET_FIELD("pct_n", &basis_points_rule, pct_n_basis_points),
    RULE_SET_FIELD("cap_n", &cents_rule, cap_n_cents),
    RULE_SET_FIELD("n_months", &window_rule, n_months),
    RULE_SET_FIELD("pct_r", &basis_points_rule, pct_r_basis_points),
    RULE_SET_FIELD("cap_r", &cents_rule, cap_r_cents),
    RULE_SET_FIELD("r_months", &window_rule, r_months),
    RULE_SET_FIELD("pct_y", &basis_points_rule, pct_y_basis_points),
    RULE_SET_FIELD("cap_y", &cents_rule, cap_y_cents),
    RULE_SET_FIELD("pct_34a", &basis_points_rule, pct_34a_basis_points),
    RULE_SET_FIELD("months_34a", &window_rule, months_34a),
    RULE_SET_FIELD("k_month", &cents_rule, k_month_cents),
    RULE_SET_FIELD("k_year", &cents_rule, k_year_cents),
};

/* Reads a table of integer fields into the struct at `base`.  The table
 * keeps field names and ranges in one place instead of sixteen near-identical
 * calls. */
static coop_err read_integers(const json_t *object, const integer_field *fields, size_t field_count,
                              const char *required_why, void *base, const parse_context *context)
{
  for (size_t i = 0; i < field_count; i++) {
    int64_t value = 0; /* set by read_integer on success; 0 calms -O3 */
    coop_err err =
        read_integer(object, fields[i].name, fields[i].rule, required_why, &value, context);
    if (err != COOP_OK)
      return err;
    memcpy((unsigned char *)base + fields[i].offset, &value, sizeof value);
  }
  return COOP_OK;
}

coop_err ledger_offset_json_parse_rule_set(const json_t *value, const char *where,
                                           ledger_offset_rule_set *rule_set, char *message,
                                           size_t message_bytes)
{
  parse_context context = {where, message, message_bytes};
  memset(rule_set, 0, sizeof *rule_set);
  coop_err err = check_object(value, &context, "a rule set object");
  if (err == COOP_OK)
    err = check_known_fields(value, rule_set_fields, COUNT(rule_set_fields), &context);
  if (err == COOP_OK)
    err = read_municipality(value, rule_set_required, rule_set, &context);
  if (err == COOP_OK)
    err = read_period(value, "effective_from", rule_set_required, &rule_set->effective_from,
                      &context);
  if (err == COOP_OK)
    err = read_rule_set_enums(value, rule_set, &context);
  if (err == COOP_OK)
    err = read_integers(value, rule_set_integers, COUNT(rule_set_integers), rule_set_required,
                        rule_set, &context);
  if (err != COOP_OK)
    return err;
  /* The engine checks the same limits again; both must agree. */
  const char *field = "?";
  if (ledger_offset_rule_set_check(rule_set, &field) != COOP_OK) {
    say(message, message_bytes, "%s%s%s: value out of range", where, where[0] ? "." : "", field);
    return COOP_E_RANGE;
  }
  return COOP_OK;
}

/* ---- Months ------------------------------------------------------------- */

static const char *const month_fields[] = {
    "period", "revenue", "costs",      "volunteer_allowance", "other_income",
    "hours",  "age",     "n_approved", "medical_hours_limit", "single_parent_child_under_12",
};

static const char month_required[] = "period and age are required in every month";

#define MONTH_FIELD(name, rule, member)               \
  {                                                   \
    name, rule, offsetof(ledger_offset_month, member) \
  }

static const integer_field month_amounts[] = {
    MONTH_FIELD("revenue", &cents_rule, revenue_cents),
    MONTH_FIELD("costs", &cents_rule, costs_cents),
    MONTH_FIELD("volunteer_allowance", &cents_rule, volunteer_allowance_cents),
    MONTH_FIELD("other_income", &cents_rule, other_income_cents),
    MONTH_FIELD("hours", &hours_rule, hours),
};

static coop_err read_month_fields(const json_t *value, ledger_offset_month *month,
                                  const parse_context *context)
{
  coop_err err = check_known_fields(value, month_fields, COUNT(month_fields), context);
  if (err == COOP_OK)
    err = read_integers(value, month_amounts, COUNT(month_amounts), NULL, month, context);
  if (err == COOP_OK)
    err = read_integer(value, "age", &age_rule, month_required, &month->age_years, context);
  if (err == COOP_OK)
    err = read_flag(value, "n_approved", &month->n_approved, context);
  if (err == COOP_OK)
    err = read_flag(value, "medical_hours_limit", &month->medical_hours_limit, context);
  if (err == COOP_OK)
    err = read_flag(value, "single_parent_child_under_12", &month->single_parent_child_under_12,
                    context);
  return err;
}

coop_err ledger_offset_json_parse_month(const json_t *value, const char *where,
                                        ledger_offset_month *month, char *message,
                                        size_t message_bytes)
{
  parse_context context = {where, message, message_bytes};
  memset(month, 0, sizeof *month);
  coop_err err = check_object(value, &context, "a month object");
  if (err == COOP_OK)
    err = read_period(value, "period", month_required, &month->period, &context);
  if (err != COOP_OK)
    return err;
  /* From here on messages say which month, not only its index. */
  char period_text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(month->period, period_text);
  char month_where[96];
  snprintf(month_where, sizeof month_where, "%.80s (%s)", where, period_text);
  context.where = month_where;
  err = read_month_fields(value, month, &context);
  if (err != COOP_OK)
    return err;
  const char *field = "?";
  if (ledger_offset_month_check(month, &field) != COOP_OK) {
    say(message, message_bytes, "%s.%s: value out of range", month_where, field);
    return COOP_E_RANGE;
  }
  return COOP_OK;
}

/* ---- Simulations --------------------------------------------------------- */

void ledger_offset_simulation_init(ledger_offset_simulation *simulation)
{
  memset(simulation, 0, sizeof *simulation);
}

void ledger_offset_simulation_release(ledger_offset_simulation *simulation)
{
  coop_free(simulation->rule_sets);
  coop_free(simulation->months);
  ledger_offset_simulation_init(simulation);
}

static const char *const simulation_fields[] = {"rule_sets", "months"};

/* The array under `field`, at most `limit` long. */
static coop_err read_array(const json_t *root, const char *field, size_t limit,
                           const json_t **array, char *message, size_t message_bytes)
{
  const json_t *item = json_object_get(root, field);
  if (!item) {
    say(message, message_bytes, "%s: missing; a simulate file has rule_sets and months", field);
    return COOP_E_DECODE;
  }
  if (!json_is_array(item)) {
    char got[48];
    describe_value(item, got, sizeof got);
    say(message, message_bytes, "%s: must be an array, got %s", field, got);
    return COOP_E_DECODE;
  }
  if (json_array_size(item) > limit) {
    say(message, message_bytes, "%s: at most %zu allowed, got %zu", field, limit,
        json_array_size(item));
    return COOP_E_LIMIT;
  }
  *array = item;
  return COOP_OK;
}

/* Two rule sets with one effective_from would leave the rule set in force
 * to the order of the array. */
static coop_err check_distinct_rule_sets(const ledger_offset_simulation *simulation, char *message,
                                         size_t message_bytes)
{
  for (size_t later = 1; later < simulation->rule_set_count; later++) {
    for (size_t earlier = 0; earlier < later; earlier++) {
      ledger_offset_period from = simulation->rule_sets[later].effective_from;
      if (ledger_offset_months_between(simulation->rule_sets[earlier].effective_from, from) != 0)
        continue;
      char text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
      ledger_offset_period_format(from, text);
      say(message, message_bytes,
          "rule_sets[%zu].effective_from: %s is also the effective_from of rule_sets[%zu]; "
          "which one is in force would be ambiguous",
          later, text, earlier);
      return COOP_E_BAD_INPUT;
    }
  }
  return COOP_OK;
}

static coop_err read_rule_sets(const json_t *array, ledger_offset_simulation *simulation,
                               char *message, size_t message_bytes)
{
  size_t count = json_array_size(array);
  simulation->rule_sets = coop_calloc(count, sizeof *simulation->rule_sets);
  if (!simulation->rule_sets) {
    say(message, message_bytes, "rule_sets: out of memory");
    return COOP_E_NOMEM;
  }
  for (size_t i = 0; i < count; i++) {
    char where[32];
    snprintf(where, sizeof where, "rule_sets[%zu]", i);
    coop_err err = ledger_offset_json_parse_rule_set(
        json_array_get(array, i), where, &simulation->rule_sets[i], message, message_bytes);
    if (err != COOP_OK)
      return err;
    simulation->rule_set_count = i + 1;
  }
  return check_distinct_rule_sets(simulation, message, message_bytes);
}

/* Months come in strictly increasing order (gaps allowed): the engine
 * carries windows and year totals from one month to the next. */
static coop_err check_month_order(const ledger_offset_simulation *simulation, size_t index,
                                  char *message, size_t message_bytes)
{
  if (index == 0)
    return COOP_OK;
  ledger_offset_period previous = simulation->months[index - 1].period;
  ledger_offset_period current = simulation->months[index].period;
  if (ledger_offset_months_between(previous, current) > 0)
    return COOP_OK;
  char previous_text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  char current_text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(previous, previous_text);
  ledger_offset_period_format(current, current_text);
  say(message, message_bytes,
      "months[%zu] (%s).period: must come after months[%zu] (%s); months are given in "
      "increasing order",
      index, current_text, index - 1, previous_text);
  return COOP_E_PERIOD_CLOSED;
}

static coop_err read_months(const json_t *array, ledger_offset_simulation *simulation,
                            char *message, size_t message_bytes)
{
  size_t count = json_array_size(array);
  simulation->months = coop_calloc(count, sizeof *simulation->months);
  if (!simulation->months) {
    say(message, message_bytes, "months: out of memory");
    return COOP_E_NOMEM;
  }
  for (size_t i = 0; i < count; i++) {
    char where[32];
    snprintf(where, sizeof where, "months[%zu]", i);
    coop_err err = ledger_offset_json_parse_month(json_array_get(array, i), where,
                                                  &simulation->months[i], message, message_bytes);
    if (err == COOP_OK)
      err = check_month_order(simulation, i, message, message_bytes);
    if (err != COOP_OK)
      return err;
    simulation->month_count = i + 1;
  }
  return COOP_OK;
}

coop_err ledger_offset_json_parse_simulation(const json_t *root,
                                             ledger_offset_simulation *simulation, char *message,
                                             size_t message_bytes)
{
  parse_context context = {"(top level)", message, message_bytes};
  const json_t *rule_sets = NULL;
  const json_t *months = NULL;
  ledger_offset_simulation parsed;
  ledger_offset_simulation_init(&parsed);
  coop_err err = check_object(root, &context, "an object with rule_sets and months");
  if (err == COOP_OK) {
    context.where = "";
    err = check_known_fields(root, simulation_fields, COUNT(simulation_fields), &context);
  }
  if (err == COOP_OK)
    err = read_array(root, "rule_sets", LEDGER_OFFSET_RULE_SETS_MAX, &rule_sets, message,
                     message_bytes);
  if (err == COOP_OK)
    err = read_array(root, "months", LEDGER_OFFSET_MONTHS_MAX, &months, message, message_bytes);
  if (err == COOP_OK)
    err = read_rule_sets(rule_sets, &parsed, message, message_bytes);
  if (err == COOP_OK)
    err = read_months(months, &parsed, message, message_bytes);
  if (err != COOP_OK) {
    ledger_offset_simulation_release(&parsed);
    return err;
  }
  *simulation = parsed;
  return COOP_OK;
}

coop_err ledger_offset_json_parse_simulation_text(const char *text, size_t length,
                                                  ledger_offset_simulation *simulation,
                                                  char *message, size_t message_bytes)
{
  json_error_t error;
  /* Duplicate keys are refused: {"revenue": 1, "revenue": 100000} has no
   * one meaning. */
  json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &error);
  if (!root) {
    say(message, message_bytes, "line %d, column %d: %s", error.line, error.column, error.text);
    return COOP_E_DECODE;
  }
  coop_err err = ledger_offset_json_parse_simulation(root, simulation, message, message_bytes);
  json_decref(root);
  return err;
}

/* ---- Running ------------------------------------------------------------ */

static void explain_no_rule_set(const ledger_offset_simulation *simulation, const char *where,
                                char *message, size_t message_bytes)
{
  if (simulation->rule_set_count == 0) {
    say(message, message_bytes, "%s: no rule set in force (no rule sets given)", where);
    return;
  }
  ledger_offset_period earliest = simulation->rule_sets[0].effective_from;
  for (size_t i = 1; i < simulation->rule_set_count; i++)
    if (ledger_offset_months_between(simulation->rule_sets[i].effective_from, earliest) > 0)
      earliest = simulation->rule_sets[i].effective_from;
  char text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(earliest, text);
  say(message, message_bytes, "%s: no rule set in force (the earliest effective_from is %s)", where,
      text);
}

coop_err ledger_offset_simulation_run(const ledger_offset_simulation *simulation,
                                      ledger_offset_statement *statements, char *message,
                                      size_t message_bytes)
{
  size_t failed = 0;
  coop_err err =
      ledger_offset_run(simulation->rule_sets, simulation->rule_set_count, simulation->months,
                        simulation->month_count, statements, &failed);
  if (err == COOP_OK)
    return COOP_OK;
  char period_text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(simulation->months[failed].period, period_text);
  char where[48];
  snprintf(where, sizeof where, "months[%zu] (%s)", failed, period_text);
  if (err == COOP_E_NO_RULE_SET)
    explain_no_rule_set(simulation, where, message, message_bytes);
  else if (err == COOP_E_OVERFLOW)
    say(message, message_bytes,
        "%s: arithmetic overflow: the amounts are too large to compute in cents", where);
  else
    say(message, message_bytes, "%s: %s", where, coop_err_message(err));
  return err;
}

/* ---- Statements to JSON -------------------------------------------------- */

/* Adds `value` (a new reference, possibly NULL after a failed allocation)
 * under `key`; false if anything failed.  jansson releases `value` on
 * failure. */
static bool put(json_t *object, const char *key, json_t *value)
{
  return json_object_set_new(object, key, value) == 0;
}

static bool put_integer(json_t *object, const char *key, int64_t value)
{
  return put(object, key, json_integer((json_int_t)value));
}

/* The order is the worked examples' "expected" objects'; jansson keeps
 * insertion order when dumping. */
static bool fill_statement(json_t *object, const ledger_offset_statement *statement)
{
  char period_text[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(statement->period, period_text);
  return put(object, "period", json_string(period_text)) &&
         put_integer(object, "profit", statement->profit_cents) &&
         put_integer(object, "coop_share", statement->coop_share_cents) &&
         put_integer(object, "net_income", statement->net_income_cents) &&
         put_integer(object, "disregard", statement->disregard_cents) &&
         put(object, "disregard_kind",
             json_string(ledger_offset_disregard_kind_name(statement->disregard_kind))) &&
         put_integer(object, "volunteer_disregarded", statement->volunteer_disregarded_cents) &&
         put_integer(object, "volunteer_counted", statement->volunteer_counted_cents) &&
         put_integer(object, "counted_income", statement->counted_income_cents) &&
         put_integer(object, "offset", statement->offset_cents) &&
         put_integer(object, "benefit", statement->benefit_cents) &&
         put(object, "above_norm", json_boolean(statement->above_norm)) &&
         put_integer(object, "to_municipality", statement->to_municipality_cents) &&
         put_integer(object, "to_budget", statement->to_budget_cents) &&
         put_integer(object, "n_used", statement->n_used) &&
         put_integer(object, "r_used", statement->r_used) &&
         put_integer(object, "a34_used", statement->a34_used) &&
         put_integer(object, "k_ytd", statement->k_ytd_cents) &&
         put_integer(object, "loss_carried", statement->loss_carried_cents);
}

coop_err ledger_offset_json_from_statement(const ledger_offset_statement *statement,
                                           json_t **object)
{
  json_t *result = json_object();
  if (!result)
    return COOP_E_NOMEM;
  if (!fill_statement(result, statement)) {
    json_decref(result);
    return COOP_E_NOMEM;
  }
  *object = result;
  return COOP_OK;
}

coop_err ledger_offset_json_from_statements(const ledger_offset_statement *statements, size_t count,
                                            json_t **array)
{
  json_t *result = json_array();
  if (!result)
    return COOP_E_NOMEM;
  for (size_t i = 0; i < count; i++) {
    json_t *object;
    coop_err err = ledger_offset_json_from_statement(&statements[i], &object);
    if (err == COOP_OK && json_array_append_new(result, object) != 0)
      err = COOP_E_NOMEM;
    if (err != COOP_OK) {
      json_decref(result);
      return err;
    }
  }
  *array = result;
  return COOP_OK;
}

/* ---- Rule sets to JSON ---------------------------------------------------- */

/* Sets `key` to `value`, stealing the reference (jansson frees it on
 * failure too); a NULL value or a failed set sticks in *ok, and once *ok is
 * 0 values are only freed. */
static void set_field(json_t *object, const char *key, json_t *value, int *ok)
{
  if (!*ok) {
    json_decref(value);
    return;
  }
  if (!value || json_object_set_new(object, key, value) != 0)
    *ok = 0;
}

static void set_integer(json_t *object, const char *key, int64_t value, int *ok)
{
  set_field(object, key, json_integer((json_int_t)value), ok);
}

static void set_string(json_t *object, const char *key, const char *value, int *ok)
{
  set_field(object, key, json_string(value), ok);
}

json_t *ledger_offset_rule_set_to_json(const ledger_offset_rule_set *rule_set)
{
  int valid = ledger_offset_rule_set_check(rule_set, NULL) == COOP_OK;
  assert(valid);
  (void)valid;
  char effective_from[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(rule_set->effective_from, effective_from);
  json_t *object = json_object();
  int ok = object != NULL;
  set_string(object, "municipality", rule_set->municipality, &ok);
  set_string(object, "effective_from", effective_from, &ok);
  set_string(object, "regime", ledger_offset_regime_name(rule_set->regime), &ok);
  set_integer(object, "norm", rule_set->norm_cents, &ok);
  set_integer(object, "coop_pct", rule_set->coop_pct_basis_points, &ok);
  set_string(object, "distribution", ledger_offset_distribution_name(rule_set->distribution),
             &ok);
  set_integer(object, "muni_pct", rule_set->muni_pct_basis_points, &ok);
  set_string(object, "loss_rule", ledger_offset_loss_rule_name(rule_set->loss_rule), &ok);
  set_integer(object, "min_age_nrk", rule_set->min_age_nrk_years, &ok);
  set_integer(object, "pct_n", rule_set->pct_n_basis_points, &ok);
  set_integer(object, "cap_n", rule_set->cap_n_cents, &ok);
  set_integer(object, "n_months", rule_set->n_months, &ok);
  set_integer(object, "pct_r", rule_set->pct_r_basis_points, &ok);
  set_integer(object, "cap_r", rule_set->cap_r_cents, &ok);
  set_integer(object, "r_months", rule_set->r_months, &ok);
  set_integer(object, "pct_y", rule_set->pct_y_basis_points, &ok);
  set_integer(object, "cap_y", rule_set->cap_y_cents, &ok);
  set_integer(object, "pct_34a", rule_set->pct_34a_basis_points, &ok);
  set_integer(object, "months_34a", rule_set->months_34a, &ok);
  set_integer(object, "k_month", rule_set->k_month_cents, &ok);
  set_integer(object, "k_year", rule_set->k_year_cents, &ok);
  if (!ok) {
    json_decref(object);
    return NULL;
  }
  return object;
}

/* ---- Messages in Dutch ---------------------------------------------------- */

/* Every English phrase the messages above are made of, with its Dutch
 * rendering.  Messages are composed of these phrases, field paths and the
 * values found, so replacing phrase by phrase gives a Dutch sentence (the
 * verb moves into the phrase: "must be X" is "moet X zijn").  A message
 * added above needs its phrases here: tests/cli/test_offset_json.c checks
 * that no English word is left in the Dutch of every message it provokes.
 * jansson's own description of a syntax error stays as jansson wrote it. */
typedef struct phrase {
  const char *english;
  const char *dutch;
} phrase;

static const phrase dutch_phrases[] = {
    {"must be a whole number of cents >= 0", "moet een geheel aantal centen >= 0 zijn"},
    {"must be a whole number of basis points from 0 to 10000 (10000 = 100 %)",
     "moet een geheel aantal basispunten van 0 tot en met 10000 zijn (10000 = 100 %)"},
    {"must be a whole number of months from 1 to 1200",
     "moet een geheel aantal maanden van 1 tot en met 1200 zijn"},
    {"must be a whole number of years from 0 to 150",
     "moet een geheel aantal jaren van 0 tot en met 150 zijn"},
    {"must be a whole number of hours from 0 to 744",
     "moet een geheel aantal uren van 0 tot en met 744 zijn"},
    {"must be true or false", "moet true of false zijn"},
    {"must be a month \"YYYY-MM\" (year 1900 to 9999, month 01 to 12)",
     "moet een maand \"JJJJ-MM\" zijn (jaar 1900 tot en met 9999, maand 01 tot en met 12)"},
    {"must be a non-empty name of at most 128 bytes",
     "moet een naam van 1 tot en met 128 bytes zijn"},
    {"must be \"PW2015\" or \"PW34A\"", "moet \"PW2015\" of \"PW34A\" zijn"},
    {"must be \"STATUTORY\" or \"PERCENT\"", "moet \"STATUTORY\" of \"PERCENT\" zijn"},
    {"must be \"FLOOR_ZERO\" or \"CARRY_FORWARD_YEAR\"",
     "moet \"FLOOR_ZERO\" of \"CARRY_FORWARD_YEAR\" zijn"},
    {"must be a rule set object", "moet een regelset (een object) zijn"},
    {"must be a month object", "moet een maand (een object) zijn"},
    {"must be an object", "moet een object zijn"},
    {"must be an array", "moet een lijst (array) zijn"},
    {"every rule set field is required", "elk veld van een regelset is verplicht"},
    {"period and age are required in every month", "period en age zijn in elke maand verplicht"},
    {"a simulate file has rule_sets and months", "een simulatiebestand heeft rule_sets en months"},
    {"is also the effective_from of", "is ook de effective_from van"},
    {"which one is in force would be ambiguous", "welke van kracht is, zou dubbelzinnig zijn"},
    {"must come after", "moet komen na"},
    {"months are given in increasing order", "maanden staan in oplopende volgorde"},
    {"no rule set in force (no rule sets given)",
     "geen regelset van kracht (er is geen regelset gegeven)"},
    {"no rule set in force (the earliest effective_from is",
     "geen regelset van kracht (de vroegste effective_from is"},
    {"arithmetic overflow: the amounts are too large to compute in cents",
     "rekenkundige overloop: de bedragen zijn te groot om in centen te berekenen"},
    {"missing;", "ontbreekt;"},
    {"unknown field", "onbekend veld"},
    {"value out of range", "waarde buiten het bereik"},
    {"period closed", "maand afgesloten"},
    {"invalid input", "ongeldige invoer"},
    {"out of memory", "geen geheugen meer"},
    {"at most", "hoogstens"},
    {"allowed", "toegestaan"},
    {", got ", ", gegeven: "},
    {"a long string", "een lange tekst"},
    {"a long number", "een lang getal"},
    {"an object", "een object"},
    {"an array", "een lijst"},
    {"a value", "een waarde"},
    {"(top level)", "(bovenste niveau)"},
    {"line ", "regel "},
    {", column ", ", kolom "},
};

/* The phrase that starts at `text`, longest first, or NULL. */
static const phrase *phrase_at(const char *text)
{
  const phrase *best = NULL;
  for (size_t i = 0; i < COUNT(dutch_phrases); i++) {
    size_t length = strlen(dutch_phrases[i].english);
    if (!strncmp(text, dutch_phrases[i].english, length) &&
        (!best || length > strlen(best->english)))
      best = &dutch_phrases[i];
  }
  return best;
}

void ledger_offset_json_message_dutch(char *message, size_t message_bytes)
{
  char dutch[LEDGER_OFFSET_MESSAGE_BYTES * 2];
  size_t out = 0;
  for (const char *in = message; *in && out + 1 < sizeof dutch;) {
    const phrase *found = phrase_at(in);
    const char *piece = found ? found->dutch : in;
    size_t length = found ? strlen(found->dutch) : 1;
    if (length > sizeof dutch - 1 - out)
      length = sizeof dutch - 1 - out;
    memcpy(dutch + out, piece, length);
    out += length;
    in += found ? strlen(found->english) : 1;
  }
  dutch[out] = '\0';
  snprintf(message, message_bytes, "%s", dutch);
}
