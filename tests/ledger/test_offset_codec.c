/* The rule-set payload (ledger/offset/offset_codec.c): round trips of the worked
 * examples' rule sets, one encoding pinned byte by byte from the layout in
 * docs/log-format.md, every rejection of the decoder, the JSON form against
 * the examples' JSON, and the rule sets collected from a stored log. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/offset_json.h"
#include "ledger/base/buffer.h"
#include "ledger/books/rule_sets.h"
#include "ledger/books/schema.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/seal.h"
#include "ledger/offset/offset.h"
#include "ledger/offset/offset_codec.h"
#include "ledger/store/store.h"

/* ---- Helpers ----------------------------------------------------------------- */

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

/* The example rule set JSON objects, one per scenario (borrowed from root). */
static size_t example_rule_sets(json_t *root, const json_t **rule_sets, size_t max)
{
  json_t *scenarios = json_object_get(root, "scenarios");
  cr_assert(json_is_array(scenarios));
  size_t count = 0;
  size_t i;
  json_t *scenario;
  json_array_foreach(scenarios, i, scenario)
  {
    size_t j;
    json_t *rule_set;
    json_array_foreach(json_object_get(scenario, "rule_sets"), j, rule_set)
    {
      cr_assert_lt(count, max);
      rule_sets[count++] = rule_set;
    }
  }
  return count;
}

static void parse_rule_set(const json_t *value, ledger_offset_rule_set *rule_set)
{
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  coop_err err = ledger_offset_json_parse_rule_set(value, "", rule_set, message, sizeof message);
  cr_assert_eq(err, COOP_OK, "%s", message);
}

/* The spec's 2026 Breda rule set (domain/offsetting.md). */
static ledger_offset_rule_set breda_2026(void)
{
  ledger_offset_rule_set rule_set;
  memset(&rule_set, 0, sizeof rule_set);
  strcpy(rule_set.municipality, "Breda");
  rule_set.effective_from = (ledger_offset_period){2026, 1};
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

/* Field by field: structs may have padding that no one promises to zero. */
static void assert_rule_sets_equal(const ledger_offset_rule_set *a,
                                   const ledger_offset_rule_set *b)
{
  cr_assert_str_eq(a->municipality, b->municipality);
  cr_assert_eq(a->effective_from.year, b->effective_from.year);
  cr_assert_eq(a->effective_from.month, b->effective_from.month);
  cr_assert_eq(a->regime, b->regime);
  cr_assert_eq(a->norm_cents, b->norm_cents);
  cr_assert_eq(a->coop_pct_basis_points, b->coop_pct_basis_points);
  cr_assert_eq(a->distribution, b->distribution);
  cr_assert_eq(a->muni_pct_basis_points, b->muni_pct_basis_points);
  cr_assert_eq(a->loss_rule, b->loss_rule);
  cr_assert_eq(a->min_age_nrk_years, b->min_age_nrk_years);
  cr_assert_eq(a->pct_n_basis_points, b->pct_n_basis_points);
  cr_assert_eq(a->cap_n_cents, b->cap_n_cents);
  cr_assert_eq(a->n_months, b->n_months);
  cr_assert_eq(a->pct_r_basis_points, b->pct_r_basis_points);
  cr_assert_eq(a->cap_r_cents, b->cap_r_cents);
  cr_assert_eq(a->r_months, b->r_months);
  cr_assert_eq(a->pct_y_basis_points, b->pct_y_basis_points);
  cr_assert_eq(a->cap_y_cents, b->cap_y_cents);
  cr_assert_eq(a->pct_34a_basis_points, b->pct_34a_basis_points);
  cr_assert_eq(a->months_34a, b->months_34a);
  cr_assert_eq(a->k_month_cents, b->k_month_cents);
  cr_assert_eq(a->k_year_cents, b->k_year_cents);
}

static void encode(const ledger_offset_rule_set *rule_set, coop_buf *out)
{
  coop_buf_init(out, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(ledger_offset_rule_set_encode(rule_set, out), COOP_OK);
}

/* The pinned encoding of breda_2026(), written by hand from the layout:
 * field by field, integers little-endian. */
static const uint8_t breda_2026_bytes[] = {
    0x01,                                           /* version */
    0x05, 'B', 'r', 'e', 'd', 'a',                  /* municipality */
    0xea, 0x07, 0x01,                               /* effective_from 2026-01 */
    0x01,                                           /* regime PW2015 */
    0x76, 0x23, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* norm 140150 */
    0xe8, 0x03,                                     /* coop_pct 1000 */
    0x01,                                           /* distribution STATUTORY */
    0x00, 0x00,                                     /* muni_pct 0 */
    0x01,                                           /* loss_rule FLOOR_ZERO */
    0x1b,                                           /* min_age_nrk 27 */
    0xc4, 0x09,                                     /* pct_n 2500 */
    0x54, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* cap_n 28500 */
    0x06, 0x00,                                     /* n_months 6 */
    0xe2, 0x04,                                     /* pct_r 1250 */
    0x66, 0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* cap_r 17766 */
    0x1e, 0x00,                                     /* r_months 30 */
    0xdc, 0x05,                                     /* pct_y 1500 */
    0x63, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* cap_y 18019 */
    0xdc, 0x05,                                     /* pct_34a 1500 */
    0x0c, 0x00,                                     /* months_34a 12 */
    0xf0, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* k_month 22000 */
    0x60, 0x5b, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, /* k_year 220000 */
};

/* Offsets of fields in breda_2026_bytes, for tampering. */
enum {
  AT_MUNICIPALITY_LENGTH = 1,
  AT_MUNICIPALITY = 2,
  AT_YEAR = 7,
  AT_MONTH = 9,
  AT_REGIME = 10,
  AT_NORM = 11,
  AT_COOP_PCT = 19,
  AT_DISTRIBUTION = 21,
  AT_LOSS_RULE = 24,
  AT_MIN_AGE = 25,
  AT_N_MONTHS = 36,
  AT_K_YEAR = 72,
};

/* Decodes breda_2026_bytes with one byte replaced; returns the error and
 * the field named. */
static coop_err decode_tampered(size_t offset, uint8_t value, const char **field)
{
  uint8_t bytes[sizeof breda_2026_bytes];
  memcpy(bytes, breda_2026_bytes, sizeof bytes);
  bytes[offset] = value;
  ledger_offset_rule_set rule_set;
  *field = NULL;
  return ledger_offset_rule_set_decode_field(bytes, sizeof bytes, &rule_set, field);
}

static int is_zeroed(const ledger_offset_rule_set *rule_set)
{
  ledger_offset_rule_set zero;
  memset(&zero, 0, sizeof zero);
  return memcmp(rule_set, &zero, sizeof zero) == 0;
}

/* ---- Encoding and decoding ------------------------------------------------------ */

Test(offset_codec, pinned_encoding)
{
  _Static_assert(sizeof breda_2026_bytes == LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES + 5,
                 "75 bytes plus \"Breda\"");
  ledger_offset_rule_set rule_set = breda_2026();
  coop_buf out;
  encode(&rule_set, &out);
  cr_assert_eq(out.len, sizeof breda_2026_bytes);
  for (size_t i = 0; i < out.len; i++)
    cr_assert_eq(out.data[i], breda_2026_bytes[i], "byte %zu: 0x%02x, expected 0x%02x", i,
                 out.data[i], breda_2026_bytes[i]);
  coop_buf_release(&out);

  ledger_offset_rule_set decoded;
  cr_assert_eq(ledger_offset_rule_set_decode(breda_2026_bytes, sizeof breda_2026_bytes, &decoded),
               COOP_OK);
  assert_rule_sets_equal(&decoded, &rule_set);
}

Test(offset_codec, pinned_offsets_match_the_layout)
{
  /* The tamper offsets are where the layout says: check a few against the
   * values they hold. */
  cr_assert_eq(breda_2026_bytes[AT_MUNICIPALITY_LENGTH], 5);
  cr_assert_eq(breda_2026_bytes[AT_MUNICIPALITY], 'B');
  cr_assert_eq(breda_2026_bytes[AT_YEAR], 0xea);
  cr_assert_eq(breda_2026_bytes[AT_MONTH], 1);
  cr_assert_eq(breda_2026_bytes[AT_REGIME], 1);
  cr_assert_eq(breda_2026_bytes[AT_NORM], 0x76);
  cr_assert_eq(breda_2026_bytes[AT_COOP_PCT], 0xe8);
  cr_assert_eq(breda_2026_bytes[AT_DISTRIBUTION], 1);
  cr_assert_eq(breda_2026_bytes[AT_LOSS_RULE], 1);
  cr_assert_eq(breda_2026_bytes[AT_MIN_AGE], 27);
  cr_assert_eq(breda_2026_bytes[AT_N_MONTHS], 6);
  cr_assert_eq(breda_2026_bytes[AT_K_YEAR], 0x60);
}

Test(offset_codec, examples_round_trip)
{
  json_t *root = load_examples();
  const json_t *values[16];
  size_t count = example_rule_sets(root, values, 16);
  cr_assert_eq(count, 6, "one rule set per worked example");
  for (size_t i = 0; i < count; i++) {
    ledger_offset_rule_set rule_set, decoded, again;
    parse_rule_set(values[i], &rule_set);
    coop_buf out;
    encode(&rule_set, &out);
    cr_assert_eq(out.len,
                 LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES + strlen(rule_set.municipality));
    cr_assert_eq(ledger_offset_rule_set_decode(out.data, out.len, &decoded), COOP_OK);
    assert_rule_sets_equal(&decoded, &rule_set);
    /* One encoding per value: re-encoding the decoded rule set gives the
     * same bytes. */
    coop_buf second;
    encode(&decoded, &second);
    cr_assert_eq(second.len, out.len);
    cr_assert_eq(memcmp(second.data, out.data, out.len), 0);
    cr_assert_eq(ledger_offset_rule_set_decode(second.data, second.len, &again), COOP_OK);
    assert_rule_sets_equal(&again, &rule_set);
    coop_buf_release(&second);
    coop_buf_release(&out);
  }
  json_decref(root);
}

Test(offset_codec, extreme_values_round_trip)
{
  ledger_offset_rule_set rule_set = breda_2026();
  memset(rule_set.municipality, 'x', LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX);
  rule_set.municipality[LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX] = 0;
  rule_set.effective_from = (ledger_offset_period){LEDGER_OFFSET_YEAR_MAX, 12};
  rule_set.regime = LEDGER_OFFSET_REGIME_PW34A;
  rule_set.distribution = LEDGER_OFFSET_DISTRIBUTION_PERCENT;
  rule_set.loss_rule = LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR;
  rule_set.norm_cents = INT64_MAX;
  rule_set.coop_pct_basis_points = LEDGER_OFFSET_BASIS_POINTS_MAX;
  rule_set.muni_pct_basis_points = LEDGER_OFFSET_BASIS_POINTS_MAX;
  rule_set.min_age_nrk_years = LEDGER_OFFSET_AGE_MAX;
  rule_set.n_months = LEDGER_OFFSET_WINDOW_MONTHS_MAX;
  rule_set.r_months = LEDGER_OFFSET_WINDOW_MONTHS_MIN;
  rule_set.k_year_cents = 0;
  coop_buf out;
  encode(&rule_set, &out);
  cr_assert_eq(out.len, LEDGER_OFFSET_RULE_SET_PAYLOAD_BYTES_MAX);
  ledger_offset_rule_set decoded;
  cr_assert_eq(ledger_offset_rule_set_decode(out.data, out.len, &decoded), COOP_OK);
  assert_rule_sets_equal(&decoded, &rule_set);
  coop_buf_release(&out);
}

Test(offset_codec, utf8_municipality_round_trips)
{
  ledger_offset_rule_set rule_set = breda_2026();
  strcpy(rule_set.municipality, "S\xc3\xba"
                                "dwest-Frysl\xc3\xa2n");
  coop_buf out;
  encode(&rule_set, &out);
  ledger_offset_rule_set decoded;
  cr_assert_eq(ledger_offset_rule_set_decode(out.data, out.len, &decoded), COOP_OK);
  cr_assert_str_eq(decoded.municipality, rule_set.municipality);
  coop_buf_release(&out);
}

Test(offset_codec, encode_appends_and_checks_first)
{
  ledger_offset_rule_set rule_set = breda_2026();
  coop_buf out;
  coop_buf_init(&out, COOP_PAYLOAD_BYTES_MAX);
  cr_assert_eq(coop_buf_append_text(&out, "head"), COOP_OK);
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_OK);
  cr_assert_eq(out.len, 4 + sizeof breda_2026_bytes);
  cr_assert_eq(memcmp(out.data, "head", 4), 0);
  cr_assert_eq(memcmp(out.data + 4, breda_2026_bytes, sizeof breda_2026_bytes), 0);

  /* Invalid rule sets are refused and leave the buffer as it was. */
  size_t before = out.len;
  const char *field = NULL;
  rule_set.pct_n_basis_points = 10001;
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_RANGE);
  cr_assert_eq(ledger_offset_rule_set_payload_check(&rule_set, &field), COOP_E_RANGE);
  cr_assert_str_eq(field, "pct_n");
  rule_set = breda_2026();
  strcpy(rule_set.municipality, "Bre\nda");
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_RANGE);
  cr_assert_eq(ledger_offset_rule_set_payload_check(&rule_set, &field), COOP_E_RANGE);
  cr_assert_str_eq(field, "municipality");
  strcpy(rule_set.municipality, "Bre\tda");
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_RANGE);
  strcpy(rule_set.municipality, "Bre\xff"
                                "da");
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_RANGE);
  rule_set = breda_2026();
  rule_set.regime = 0;
  cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_RANGE);
  cr_assert_eq(out.len, before);
  cr_assert_eq(out.data[out.len], 0);
  coop_buf_release(&out);
}

Test(offset_codec, encode_leaves_a_full_buffer_as_it_was)
{
  ledger_offset_rule_set rule_set = breda_2026();
  for (size_t max = 0; max < sizeof breda_2026_bytes; max++) {
    coop_buf out;
    coop_buf_init(&out, max);
    cr_assert_eq(ledger_offset_rule_set_encode(&rule_set, &out), COOP_E_LIMIT, "max %zu", max);
    cr_assert_eq(out.len, 0, "max %zu", max);
    cr_assert_eq(out.data[0], 0);
    coop_buf_release(&out);
  }
}

/* ---- Rejections ------------------------------------------------------------------ */

Test(offset_codec, rejects_every_short_input)
{
  for (size_t length = 0; length < sizeof breda_2026_bytes; length++) {
    ledger_offset_rule_set rule_set;
    memset(&rule_set, 0x5a, sizeof rule_set);
    const char *field = NULL;
    coop_err err = ledger_offset_rule_set_decode_field(breda_2026_bytes, length, &rule_set, &field);
    cr_assert_eq(err, COOP_E_DECODE, "length %zu: %s", length, coop_err_name(err));
    cr_assert_not_null(field, "length %zu names no field", length);
    cr_assert(is_zeroed(&rule_set), "length %zu: output not zeroed", length);
  }
  const char *field = NULL;
  ledger_offset_rule_set rule_set;
  cr_assert_eq(ledger_offset_rule_set_decode_field(breda_2026_bytes, 0, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "version");
  cr_assert_eq(ledger_offset_rule_set_decode_field(breda_2026_bytes, 4, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "municipality");
  cr_assert_eq(ledger_offset_rule_set_decode_field(breda_2026_bytes, 8, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "effective_from");
  cr_assert_eq(ledger_offset_rule_set_decode_field(breda_2026_bytes, 30, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "cap_n");
  cr_assert_eq(ledger_offset_rule_set_decode_field(breda_2026_bytes, sizeof breda_2026_bytes - 1,
                                                   &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "k_year");
  cr_assert_eq(ledger_offset_rule_set_decode(breda_2026_bytes, 0, &rule_set), COOP_E_DECODE);
}

Test(offset_codec, rejects_trailing_bytes)
{
  uint8_t bytes[sizeof breda_2026_bytes + 1];
  memcpy(bytes, breda_2026_bytes, sizeof breda_2026_bytes);
  bytes[sizeof breda_2026_bytes] = 0;
  ledger_offset_rule_set rule_set;
  memset(&rule_set, 0x5a, sizeof rule_set);
  const char *field = "untouched";
  cr_assert_eq(ledger_offset_rule_set_decode_field(bytes, sizeof bytes, &rule_set, &field),
               COOP_E_TRAILING);
  cr_assert_str_eq(field, "untouched");
  cr_assert(is_zeroed(&rule_set));
}

Test(offset_codec, rejects_unknown_versions)
{
  const char *field;
  cr_assert_eq(decode_tampered(0, 0, &field), COOP_E_VERSION);
  cr_assert_eq(decode_tampered(0, 2, &field), COOP_E_VERSION);
  cr_assert_eq(decode_tampered(0, 0xff, &field), COOP_E_VERSION);
  /* A newer version is refused whatever its length. */
  uint8_t only_version = 2;
  ledger_offset_rule_set rule_set;
  cr_assert_eq(ledger_offset_rule_set_decode(&only_version, 1, &rule_set), COOP_E_VERSION);
}

typedef struct tamper_case {
  size_t offset;
  uint8_t value;
  const char *field;
} tamper_case;

Test(offset_codec, rejects_invalid_fields_after_decoding)
{
  static const tamper_case cases[] = {
      {AT_YEAR, 0x6b, "effective_from"},     /* 0x076b = 1899 */
      {AT_MONTH, 0, "effective_from"},       /* month 0 */
      {AT_MONTH, 13, "effective_from"},      /* month 13 */
      {AT_REGIME, 0, "regime"},              /* no regime 0 */
      {AT_REGIME, 3, "regime"},              /* nor 3 */
      {AT_NORM + 7, 0x80, "norm"},           /* negative */
      {AT_COOP_PCT + 1, 0x27, "coop_pct"},   /* 0x27e8 = 10216 basis points */
      {AT_COOP_PCT + 1, 0xff, "coop_pct"},   /* 0xffe8 */
      {AT_DISTRIBUTION, 0, "distribution"},  /* no distribution 0 */
      {AT_DISTRIBUTION, 3, "distribution"},  /* nor 3 */
      {AT_DISTRIBUTION + 2, 0x28, "muni_pct"}, /* 0x2800 = 10240 */
      {AT_LOSS_RULE, 0, "loss_rule"},        /* no loss rule 0 */
      {AT_LOSS_RULE, 3, "loss_rule"},        /* nor 3 */
      {AT_MIN_AGE, 151, "min_age_nrk"},      /* past LEDGER_OFFSET_AGE_MAX */
      {AT_N_MONTHS, 0, "n_months"},          /* a window of zero months */
      {AT_N_MONTHS + 1, 0x05, "n_months"},   /* 0x0506 = 1286 months */
      {AT_K_YEAR + 7, 0xff, "k_year"},       /* negative */
      {AT_MUNICIPALITY, 0x01, "municipality"}, /* a control character */
      {AT_MUNICIPALITY, '\t', "municipality"}, /* not even a tab */
      {AT_MUNICIPALITY, '\n', "municipality"}, /* nor a newline */
      {AT_MUNICIPALITY, 0xff, "municipality"}, /* not UTF-8 */
      {AT_MUNICIPALITY, 0x00, "municipality"}, /* a NUL would cut the name short */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *field = NULL;
    coop_err err = decode_tampered(cases[i].offset, cases[i].value, &field);
    cr_assert_eq(err, COOP_E_DECODE, "case %zu: %s", i, coop_err_name(err));
    cr_assert_not_null(field, "case %zu names no field", i);
    cr_assert_str_eq(field, cases[i].field, "case %zu", i);
  }
}

Test(offset_codec, percentages_stop_at_10000_basis_points)
{
  uint8_t bytes[sizeof breda_2026_bytes];
  memcpy(bytes, breda_2026_bytes, sizeof bytes);
  ledger_offset_rule_set rule_set;
  const char *field = NULL;
  bytes[AT_COOP_PCT] = 0x10; /* 0x2710 = 10000: the whole profit */
  bytes[AT_COOP_PCT + 1] = 0x27;
  cr_assert_eq(ledger_offset_rule_set_decode(bytes, sizeof bytes, &rule_set), COOP_OK);
  cr_assert_eq(rule_set.coop_pct_basis_points, 10000);
  bytes[AT_COOP_PCT] = 0x11; /* 0x2711 = 10001: more than the whole */
  cr_assert_eq(ledger_offset_rule_set_decode_field(bytes, sizeof bytes, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "coop_pct");
}

Test(offset_codec, rejects_an_empty_municipality)
{
  /* Version, then a zero length: every other field shifts, but the name
   * itself is already wrong. */
  uint8_t bytes[sizeof breda_2026_bytes - 5];
  bytes[0] = 1;
  bytes[1] = 0;
  memcpy(bytes + 2, breda_2026_bytes + AT_YEAR, sizeof breda_2026_bytes - AT_YEAR);
  ledger_offset_rule_set rule_set;
  const char *field = NULL;
  cr_assert_eq(ledger_offset_rule_set_decode_field(bytes, sizeof bytes, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "municipality");
}

Test(offset_codec, rejects_an_overlong_municipality)
{
  uint8_t bytes[2 + 129 + LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES];
  memset(bytes, 'x', sizeof bytes);
  bytes[0] = 1;
  bytes[1] = 129;
  ledger_offset_rule_set rule_set;
  const char *field = NULL;
  cr_assert_eq(ledger_offset_rule_set_decode_field(bytes, sizeof bytes, &rule_set, &field),
               COOP_E_DECODE);
  cr_assert_str_eq(field, "municipality");
}

/* ---- JSON ------------------------------------------------------------------------ */

Test(offset_codec, json_out_equals_json_in)
{
  json_t *root = load_examples();
  const json_t *values[16];
  size_t count = example_rule_sets(root, values, 16);
  cr_assert_eq(count, 6);
  for (size_t i = 0; i < count; i++) {
    ledger_offset_rule_set rule_set, again;
    parse_rule_set(values[i], &rule_set);
    json_t *out = ledger_offset_rule_set_to_json(&rule_set);
    cr_assert_not_null(out);
    cr_assert(json_equal(out, values[i]), "example %zu differs", i);
    /* Same fields in the same order as the spec's rule set. */
    char *text_out = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *text_in = json_dumps(values[i], JSON_COMPACT | JSON_PRESERVE_ORDER);
    cr_assert_str_eq(text_out, text_in);
    free(text_out);
    free(text_in);
    parse_rule_set(out, &again);
    assert_rule_sets_equal(&again, &rule_set);
    json_decref(out);
  }
  json_decref(root);
}

Test(offset_codec, json_of_a_decoded_payload)
{
  ledger_offset_rule_set rule_set;
  cr_assert_eq(ledger_offset_rule_set_decode(breda_2026_bytes, sizeof breda_2026_bytes, &rule_set),
               COOP_OK);
  json_t *out = ledger_offset_rule_set_to_json(&rule_set);
  char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
  cr_assert_str_eq(
      text, "{\"municipality\":\"Breda\",\"effective_from\":\"2026-01\",\"regime\":\"PW2015\","
            "\"norm\":140150,\"coop_pct\":1000,\"distribution\":\"STATUTORY\",\"muni_pct\":0,"
            "\"loss_rule\":\"FLOOR_ZERO\",\"min_age_nrk\":27,\"pct_n\":2500,\"cap_n\":28500,"
            "\"n_months\":6,\"pct_r\":1250,\"cap_r\":17766,\"r_months\":30,\"pct_y\":1500,"
            "\"cap_y\":18019,\"pct_34a\":1500,\"months_34a\":12,\"k_month\":22000,"
            "\"k_year\":220000}");
  free(text);
  json_decref(out);
}

/* ---- Rule sets on a log ------------------------------------------------------------ */

typedef struct store_fixture {
  char dir[64];
  char path[128];
  ledger_identity author;
  ledger_store *store;
} store_fixture;

static store_fixture sf;

static void store_setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&sf, 0, sizeof sf);
  snprintf(sf.dir, sizeof sf.dir, "/tmp/coop-rules-XXXXXX");
  cr_assert_not_null(mkdtemp(sf.dir));
  snprintf(sf.path, sizeof sf.path, "%s/coop.db", sf.dir);
  uint8_t seed[32];
  memset(seed, 0x07, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, &sf.author), COOP_OK);
  cr_assert_eq(ledger_store_open(sf.path, LEDGER_STORE_CREATE, &sf.store), COOP_OK);
}

static void store_teardown(void)
{
  ledger_store_close(sf.store);
  ledger_identity_release(&sf.author);
  DIR *listing = opendir(sf.dir);
  if (listing) {
    struct dirent *item;
    while ((item = readdir(listing)) != NULL) {
      if (!strcmp(item->d_name, ".") || !strcmp(item->d_name, ".."))
        continue;
      char file[sizeof sf.dir + sizeof item->d_name + 1];
      snprintf(file, sizeof file, "%s/%s", sf.dir, item->d_name);
      unlink(file);
    }
    closedir(listing);
  }
  rmdir(sf.dir);
}

static void append_payload(uint16_t kind, const uint8_t *payload, size_t payload_bytes)
{
  ledger_append_item item = {.kind = kind, .payload = payload, .payload_bytes = payload_bytes};
  cr_assert_eq(ledger_store_append(sf.store, &sf.author, &item, 1, 1000, NULL), COOP_OK);
}

static void append_note(const char *text)
{
  append_payload(LEDGER_KIND_NOTE, (const uint8_t *)text, strlen(text));
}

static void append_rule_set(const ledger_offset_rule_set *rule_set)
{
  coop_buf payload;
  encode(rule_set, &payload);
  append_payload(LEDGER_KIND_RULE_SET, payload.data, payload.len);
  coop_buf_release(&payload);
}

static void stored_leaf_hash(uint64_t index, uint8_t leaf_hash[LEDGER_HASH_BYTES])
{
  static uint8_t payload[COOP_PAYLOAD_BYTES_MAX];
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  size_t payload_bytes = 0;
  cr_assert_eq(ledger_store_entry(sf.store, sf.author.public_key, index, header, payload,
                                  &payload_bytes, leaf_hash),
               COOP_OK);
}

TestSuite(offset_codec_store, .init = store_setup, .fini = store_teardown);

Test(offset_codec_store, collects_rule_sets_in_log_order)
{
  ledger_offset_rule_set january = breda_2026();
  ledger_offset_rule_set july = breda_2026();
  july.effective_from = (ledger_offset_period){2026, 7};
  july.cap_n_cents = 29000;
  append_note("entry 0");
  append_rule_set(&january);
  append_note("entry 2");
  append_note("entry 3");
  append_rule_set(&july);
  append_note("entry 5");

  ledger_offset_rule_set found[4];
  uint64_t indexes[4];
  uint8_t leaf_hashes[4][LEDGER_HASH_BYTES];
  size_t count = 99;
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, found, indexes,
                                                leaf_hashes, 4, &count),
               COOP_OK);
  cr_assert_eq(count, 2);
  cr_assert_eq(indexes[0], 1);
  cr_assert_eq(indexes[1], 4);
  assert_rule_sets_equal(&found[0], &january);
  assert_rule_sets_equal(&found[1], &july);
  uint8_t expected[LEDGER_HASH_BYTES];
  stored_leaf_hash(1, expected);
  cr_assert_eq(memcmp(leaf_hashes[0], expected, LEDGER_HASH_BYTES), 0);
  stored_leaf_hash(4, expected);
  cr_assert_eq(memcmp(leaf_hashes[1], expected, LEDGER_HASH_BYTES), 0);
  cr_assert_neq(memcmp(leaf_hashes[0], leaf_hashes[1], LEDGER_HASH_BYTES), 0);

  /* The engine can select from them directly. */
  size_t in_force = 9;
  cr_assert_eq(ledger_offset_select(found, count, (ledger_offset_period){2026, 8}, &in_force),
               COOP_OK);
  cr_assert_eq(in_force, 1);

  /* Every output array is optional. */
  count = 99;
  cr_assert_eq(
      ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, NULL, NULL, NULL, 4, &count),
      COOP_OK);
  cr_assert_eq(count, 2);
}

Test(offset_codec_store, an_unknown_log_has_none)
{
  uint8_t other[LEDGER_LOG_ID_BYTES];
  memset(other, 0x42, sizeof other);
  ledger_offset_rule_set found[1];
  size_t count = 99;
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, other, found, NULL, NULL, 1, &count),
               COOP_OK);
  cr_assert_eq(count, 0);
}

Test(offset_codec_store, more_than_max_is_an_error)
{
  ledger_offset_rule_set rule_set = breda_2026();
  append_rule_set(&rule_set);
  rule_set.effective_from.month = 7;
  append_rule_set(&rule_set);
  ledger_offset_rule_set found[1];
  uint64_t indexes[1];
  size_t count = 99;
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, found, indexes,
                                                NULL, 1, &count),
               COOP_E_LIMIT);
  cr_assert_eq(count, 1);
  cr_assert_eq(indexes[0], 0);
}

Test(offset_codec_store, a_bad_rule_set_is_an_error_not_skipped)
{
  ledger_offset_rule_set rule_set = breda_2026();
  append_rule_set(&rule_set);
  append_note("entry 1");
  uint8_t bad[sizeof breda_2026_bytes];
  memcpy(bad, breda_2026_bytes, sizeof bad);
  bad[AT_COOP_PCT + 1] = 0x30; /* 12520 basis points */
  append_payload(LEDGER_KIND_RULE_SET, bad, sizeof bad);
  ledger_offset_rule_set found[4];
  uint64_t indexes[4];
  size_t count = 99;
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, found, indexes,
                                                NULL, 4, &count),
               COOP_E_DECODE);
  cr_assert_eq(count, 1);
  cr_assert_eq(indexes[0], 0);
  cr_assert_eq(indexes[1], 2, "the entry that failed");
}

Test(offset_codec_store, a_newer_version_is_an_error)
{
  uint8_t newer[sizeof breda_2026_bytes];
  memcpy(newer, breda_2026_bytes, sizeof newer);
  newer[0] = 2;
  append_payload(LEDGER_KIND_RULE_SET, newer, sizeof newer);
  size_t count = 99;
  uint64_t indexes[1];
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, NULL, indexes,
                                                NULL, 1, &count),
               COOP_E_VERSION);
  cr_assert_eq(count, 0);
  cr_assert_eq(indexes[0], 0);
}

Test(offset_codec_store, a_sealed_rule_set_is_an_error)
{
  uint8_t readers[1][32];
  memcpy(readers[0], sf.author.public_key, 32);
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  cr_assert_eq(ledger_store_audience_create(sf.store, &sf.author, (const uint8_t(*)[32])readers, 1,
                                            1000, audience_id),
               COOP_OK);
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  cr_assert_eq(
      ledger_store_audience_key(sf.store, &sf.author, sf.author.public_key, audience_id, key),
      COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_RULE_SET,
                             .audience_id = audience_id,
                             .audience_key = key,
                             .payload = breda_2026_bytes,
                             .payload_bytes = sizeof breda_2026_bytes};
  cr_assert_eq(ledger_store_append(sf.store, &sf.author, &item, 1, 2000, NULL), COOP_OK);
  size_t count = 99;
  uint64_t indexes[1];
  cr_assert_eq(ledger_offset_rule_sets_from_log(sf.store, sf.author.public_key, NULL, indexes,
                                                NULL, 1, &count),
               COOP_E_DECODE);
  cr_assert_eq(count, 0);
  cr_assert_eq(indexes[0], 1, "entry 0 is the key grant");
}
