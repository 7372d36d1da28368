#include "ledger/offset/offset_codec.h"

#include <assert.h>
#include <string.h>

#include "ledger/log/codec.h"

/* ---- Checks ---------------------------------------------------------------- */

/* The name is a display name: the note rules (valid UTF-8, no C0/C1 control
 * characters) and no newline or tab either, so that it prints on one line. */
static int municipality_text_valid(const char *name)
{
  size_t length = strnlen(name, LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX + 1);
  if (length == 0 || length > LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX)
    return 0;
  if (memchr(name, '\n', length) || memchr(name, '\t', length))
    return 0;
  return ledger_note_check((const uint8_t *)name, length) == COOP_OK;
}

coop_err ledger_offset_rule_set_payload_check(const ledger_offset_rule_set *rule_set,
                                              const char **field)
{
  coop_err err = ledger_offset_rule_set_check(rule_set, field);
  if (err != COOP_OK)
    return err;
  if (!municipality_text_valid(rule_set->municipality)) {
    if (field)
      *field = "municipality";
    return COOP_E_RANGE;
  }
  return COOP_OK;
}

/* ---- Encoding ------------------------------------------------------------ */

/* Narrowing casts below are exact: the check bounds every value to its
 * field's width (the _Static_asserts in the header). */
static void write_basis_points(coop_buf *out, int64_t basis_points, coop_err *err)
{
  assert(basis_points >= 0);
  assert(basis_points <= LEDGER_OFFSET_BASIS_POINTS_MAX);
  ledger_write_u16(out, (uint16_t)basis_points, err);
}

static void write_months(coop_buf *out, int64_t months, coop_err *err)
{
  assert(months >= LEDGER_OFFSET_WINDOW_MONTHS_MIN);
  assert(months <= LEDGER_OFFSET_WINDOW_MONTHS_MAX);
  ledger_write_u16(out, (uint16_t)months, err);
}

static void write_fields(const ledger_offset_rule_set *rule_set, coop_buf *out, coop_err *err)
{
  ledger_write_u8(out, LEDGER_OFFSET_RULE_SET_PAYLOAD_VERSION, err);
  ledger_write_text8(out, rule_set->municipality, LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX, err);
  ledger_write_u16(out, (uint16_t)rule_set->effective_from.year, err);
  ledger_write_u8(out, (uint8_t)rule_set->effective_from.month, err);
  ledger_write_u8(out, (uint8_t)rule_set->regime, err);
  ledger_write_i64(out, rule_set->norm_cents, err);
  write_basis_points(out, rule_set->coop_pct_basis_points, err);
  ledger_write_u8(out, (uint8_t)rule_set->distribution, err);
  write_basis_points(out, rule_set->muni_pct_basis_points, err);
  ledger_write_u8(out, (uint8_t)rule_set->loss_rule, err);
  ledger_write_u8(out, (uint8_t)rule_set->min_age_nrk_years, err);
  write_basis_points(out, rule_set->pct_n_basis_points, err);
  ledger_write_i64(out, rule_set->cap_n_cents, err);
  write_months(out, rule_set->n_months, err);
  write_basis_points(out, rule_set->pct_r_basis_points, err);
  ledger_write_i64(out, rule_set->cap_r_cents, err);
  write_months(out, rule_set->r_months, err);
  write_basis_points(out, rule_set->pct_y_basis_points, err);
  ledger_write_i64(out, rule_set->cap_y_cents, err);
  write_basis_points(out, rule_set->pct_34a_basis_points, err);
  write_months(out, rule_set->months_34a, err);
  ledger_write_i64(out, rule_set->k_month_cents, err);
  ledger_write_i64(out, rule_set->k_year_cents, err);
}

coop_err ledger_offset_rule_set_encode(const ledger_offset_rule_set *rule_set, coop_buf *out)
{
  coop_err err = ledger_offset_rule_set_payload_check(rule_set, NULL);
  if (err != COOP_OK)
    return err;
  size_t start = out->len;
  write_fields(rule_set, out, &err);
  if (err != COOP_OK && out->len != start) {
    /* Undo the partial write.  The buffer grew, so it owns its memory and
     * may be written to; the NUL keeps its invariant. */
    out->len = start;
    out->data[start] = 0;
  }
  assert(err != COOP_OK ||
         out->len - start == LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES +
                                 strlen(rule_set->municipality));
  return err;
}

/* ---- Decoding ------------------------------------------------------------ */

/* A reader that remembers the first field it could not read. */
typedef struct field_reader {
  ledger_reader reader;
  const char *failed_field;
} field_reader;

/* Called after reading `field`: blames it for the reader's first error. */
static void read_done(field_reader *fields, const char *field)
{
  if (fields->reader.error != COOP_OK && !fields->failed_field)
    fields->failed_field = field;
}

static int64_t read_u8_field(field_reader *fields, const char *field)
{
  uint8_t value = ledger_read_u8(&fields->reader);
  read_done(fields, field);
  return value;
}

static int64_t read_u16_field(field_reader *fields, const char *field)
{
  uint16_t value = ledger_read_u16(&fields->reader);
  read_done(fields, field);
  return value;
}

static int64_t read_i64_field(field_reader *fields, const char *field)
{
  int64_t value = ledger_read_i64(&fields->reader);
  read_done(fields, field);
  return value;
}

/* Every field after the version.  Enum bytes are stored as read; values
 * outside the enums are caught by the check that follows. */
static void read_fields(field_reader *fields, ledger_offset_rule_set *rule_set)
{
  ledger_read_text8(&fields->reader, rule_set->municipality, LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX);
  read_done(fields, "municipality");
  rule_set->effective_from.year = (int)read_u16_field(fields, "effective_from");
  rule_set->effective_from.month = (int)read_u8_field(fields, "effective_from");
  rule_set->regime = (ledger_offset_regime)read_u8_field(fields, "regime");
  rule_set->norm_cents = read_i64_field(fields, "norm");
  rule_set->coop_pct_basis_points = read_u16_field(fields, "coop_pct");
  rule_set->distribution = (ledger_offset_distribution)read_u8_field(fields, "distribution");
  rule_set->muni_pct_basis_points = read_u16_field(fields, "muni_pct");
  rule_set->loss_rule = (ledger_offset_loss_rule)read_u8_field(fields, "loss_rule");
  rule_set->min_age_nrk_years = read_u8_field(fields, "min_age_nrk");
  rule_set->pct_n_basis_points = read_u16_field(fields, "pct_n");
  rule_set->cap_n_cents = read_i64_field(fields, "cap_n");
  rule_set->n_months = read_u16_field(fields, "n_months");
  rule_set->pct_r_basis_points = read_u16_field(fields, "pct_r");
  rule_set->cap_r_cents = read_i64_field(fields, "cap_r");
  rule_set->r_months = read_u16_field(fields, "r_months");
  rule_set->pct_y_basis_points = read_u16_field(fields, "pct_y");
  rule_set->cap_y_cents = read_i64_field(fields, "cap_y");
  rule_set->pct_34a_basis_points = read_u16_field(fields, "pct_34a");
  rule_set->months_34a = read_u16_field(fields, "months_34a");
  rule_set->k_month_cents = read_i64_field(fields, "k_month");
  rule_set->k_year_cents = read_i64_field(fields, "k_year");
}

static coop_err decode(const uint8_t *bytes, size_t bytes_count, ledger_offset_rule_set *rule_set,
                       const char **field)
{
  field_reader fields = {.failed_field = NULL};
  ledger_reader_init(&fields.reader, bytes, bytes_count);
  uint8_t version = ledger_read_u8(&fields.reader);
  if (fields.reader.error != COOP_OK) {
    *field = "version";
    return COOP_E_DECODE;
  }
  if (version != LEDGER_OFFSET_RULE_SET_PAYLOAD_VERSION)
    return COOP_E_VERSION;
  read_fields(&fields, rule_set);
  coop_err err = ledger_reader_finish(&fields.reader);
  if (err == COOP_E_DECODE) {
    *field = fields.failed_field;
    return err;
  }
  if (err != COOP_OK)
    return err;
  /* The second of the paired checks: what was checked before it was signed
   * is checked again after it was read. */
  if (ledger_offset_rule_set_payload_check(rule_set, field) != COOP_OK)
    return COOP_E_DECODE;
  return COOP_OK;
}

coop_err ledger_offset_rule_set_decode_field(const uint8_t *bytes, size_t bytes_count,
                                             ledger_offset_rule_set *rule_set, const char **field)
{
  memset(rule_set, 0, sizeof *rule_set);
  const char *failed_field = NULL;
  coop_err err = decode(bytes, bytes_count, rule_set, &failed_field);
  if (err != COOP_OK) {
    memset(rule_set, 0, sizeof *rule_set);
    if (err == COOP_E_DECODE && field)
      *field = failed_field ? failed_field : "?";
  }
  return err;
}

coop_err ledger_offset_rule_set_decode(const uint8_t *bytes, size_t bytes_count,
                                       ledger_offset_rule_set *rule_set)
{
  return ledger_offset_rule_set_decode_field(bytes, bytes_count, rule_set, NULL);
}
