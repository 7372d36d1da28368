#include "ledger/books/statement.h"
#include "ledger/base/sha256.h"

#include <string.h>

#include <sodium.h>

#include "ledger/log/codec.h"

static void write_period(coop_buf *out, ledger_offset_period period, coop_err *err)
{
  ledger_write_u16(out, (uint16_t)period.year, err);
  ledger_write_u8(out, (uint8_t)period.month, err);
}

static ledger_offset_period read_period(ledger_reader *reader)
{
  ledger_offset_period period;
  period.year = ledger_read_u16(reader);
  period.month = ledger_read_u8(reader);
  return period;
}

static void write_month(coop_buf *out, const ledger_offset_month *month, coop_err *err)
{
  write_period(out, month->period, err);
  ledger_write_i64(out, month->revenue_cents, err);
  ledger_write_i64(out, month->costs_cents, err);
  ledger_write_i64(out, month->volunteer_allowance_cents, err);
  ledger_write_i64(out, month->other_income_cents, err);
  ledger_write_i64(out, month->hours, err);
  ledger_write_i64(out, month->age_years, err);
  ledger_write_u8(out, (uint8_t)((month->n_approved ? 1 : 0) | (month->medical_hours_limit ? 2 : 0) |
                                 (month->single_parent_child_under_12 ? 4 : 0)),
                  err);
}

static void read_month(ledger_reader *reader, ledger_offset_month *month)
{
  month->period = read_period(reader);
  month->revenue_cents = ledger_read_i64(reader);
  month->costs_cents = ledger_read_i64(reader);
  month->volunteer_allowance_cents = ledger_read_i64(reader);
  month->other_income_cents = ledger_read_i64(reader);
  month->hours = ledger_read_i64(reader);
  month->age_years = ledger_read_i64(reader);
  uint8_t flags = ledger_read_u8(reader);
  if (flags > 7 && !reader->error)
    reader->error = COOP_E_DECODE;
  month->n_approved = flags & 1;
  month->medical_hours_limit = (flags & 2) != 0;
  month->single_parent_child_under_12 = (flags & 4) != 0;
}

static void write_figures(coop_buf *out, const ledger_offset_statement *figures, coop_err *err)
{
  const int64_t values[] = {
      figures->profit_cents, figures->coop_share_cents, figures->net_income_cents,
      figures->disregard_cents, figures->volunteer_disregarded_cents,
      figures->volunteer_counted_cents, figures->counted_income_cents, figures->offset_cents,
      figures->benefit_cents, figures->to_municipality_cents, figures->to_budget_cents,
      figures->n_used, figures->r_used, figures->a34_used, figures->k_ytd_cents,
      figures->loss_carried_cents};
  write_period(out, figures->period, err);
  ledger_write_u8(out, (uint8_t)figures->disregard_kind, err);
  ledger_write_u8(out, figures->above_norm ? 1 : 0, err);
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    ledger_write_i64(out, values[i], err);
}

static void read_figures(ledger_reader *reader, ledger_offset_statement *figures)
{
  figures->period = read_period(reader);
  figures->disregard_kind = (ledger_offset_disregard_kind)ledger_read_u8(reader);
  uint8_t above = ledger_read_u8(reader);
  if (above > 1 && !reader->error)
    reader->error = COOP_E_DECODE;
  figures->above_norm = above == 1;
  int64_t *values[] = {
      &figures->profit_cents, &figures->coop_share_cents, &figures->net_income_cents,
      &figures->disregard_cents, &figures->volunteer_disregarded_cents,
      &figures->volunteer_counted_cents, &figures->counted_income_cents, &figures->offset_cents,
      &figures->benefit_cents, &figures->to_municipality_cents, &figures->to_budget_cents,
      &figures->n_used, &figures->r_used, &figures->a34_used, &figures->k_ytd_cents,
      &figures->loss_carried_cents};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    *values[i] = ledger_read_i64(reader);
}

static void write_window(coop_buf *out, const ledger_offset_window *window, coop_err *err)
{
  ledger_write_u8(out, window->opened ? 1 : 0, err);
  write_period(out, window->opened ? window->start : (ledger_offset_period){0, 0}, err);
}

static void read_window(ledger_reader *reader, ledger_offset_window *window)
{
  uint8_t opened = ledger_read_u8(reader);
  window->start = read_period(reader);
  if (opened > 1 && !reader->error)
    reader->error = COOP_E_DECODE;
  window->opened = opened == 1;
}

static void write_state(coop_buf *out, const ledger_offset_state *state, coop_err *err)
{
  ledger_write_u8(out, state->has_month ? 1 : 0, err);
  write_period(out, state->last, err);
  write_window(out, &state->n_window, err);
  write_window(out, &state->r_window, err);
  write_window(out, &state->a34_window, err);
  ledger_write_i64(out, state->k_ytd_cents, err);
  ledger_write_i64(out, state->loss_carried_cents, err);
}

static void read_state(ledger_reader *reader, ledger_offset_state *state)
{
  state->has_month = ledger_read_u8(reader) == 1;
  state->last = read_period(reader);
  read_window(reader, &state->n_window);
  read_window(reader, &state->r_window);
  read_window(reader, &state->a34_window);
  state->k_ytd_cents = ledger_read_i64(reader);
  state->loss_carried_cents = ledger_read_i64(reader);
}

/* The money invariants every statement must hold, before writing and after
 * reading: the split adds up, nothing is negative, offset + benefit = norm is
 * not checkable without the rule set, so the engine asserts that one. */
/* Every figure but the profit is a non-negative amount or count, and the
 * disregard kind one of the five (docs/log-format.md, rules 'non-negative'
 * and 'enum-range'): a payload that says otherwise was not made by the
 * engine. */
static bool figures_in_range(const ledger_offset_statement *f)
{
  const int64_t amounts[] = {f->coop_share_cents, f->net_income_cents, f->disregard_cents,
                             f->volunteer_disregarded_cents, f->volunteer_counted_cents,
                             f->counted_income_cents, f->offset_cents, f->benefit_cents,
                             f->to_municipality_cents, f->to_budget_cents, f->n_used, f->r_used,
                             f->a34_used, f->k_ytd_cents, f->loss_carried_cents};
  for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++)
    if (amounts[i] < 0)
      return false;
  return (unsigned)f->disregard_kind <= LEDGER_OFFSET_DISREGARD_34A;
}

static coop_err statement_check(const ledger_statement_payload *statement)
{
  const ledger_offset_statement *f = &statement->figures;
  if (!ledger_period_valid(statement->period) ||
      f->period.year * 100 + f->period.month != (int)statement->period ||
      statement->source_count > LEDGER_STATEMENT_SOURCES_MAX)
    return COOP_E_BAD_INPUT;
  if (!figures_in_range(f) || statement->state_after.k_ytd_cents < 0 ||
      statement->state_after.loss_carried_cents < 0)
    return COOP_E_BAD_INPUT;
  /* The split: M + B = I, and C + I = I0 with 0 <= I0 <= max(P, 0) (I0 is
   * below P when a carried loss was set off).  Overflow-checked: the
   * figures may come from a hostile payload. */
  int64_t shares, income_before_share;
  if (f->net_income_cents < 0 ||
      __builtin_add_overflow(f->to_municipality_cents, f->to_budget_cents, &shares) ||
      shares != f->net_income_cents ||
      __builtin_add_overflow(f->coop_share_cents, f->net_income_cents, &income_before_share) ||
      income_before_share > (f->profit_cents > 0 ? f->profit_cents : 0))
    return COOP_E_UNBALANCED;
  if (ledger_offset_month_check(&statement->month, &(const char *){NULL}) != COOP_OK)
    return COOP_E_BAD_INPUT;
  return COOP_OK;
}

/* Version 2's tail: the member's name, client ref and (flag, key). */
static void write_member(coop_buf *out, const ledger_statement_payload *statement, coop_err *err)
{
  ledger_write_text8(out, statement->member_name, COOP_NAME_BYTES_MAX, err);
  ledger_write_text8(out, statement->client_ref, LEDGER_CLIENT_REF_BYTES_MAX, err);
  ledger_write_u8(out, statement->has_member_key ? 1 : 0, err);
  if (statement->has_member_key)
    ledger_write_bytes(out, statement->member_key, LEDGER_PUBLIC_KEY_BYTES, err);
}

static void read_member(ledger_reader *reader, ledger_statement_payload *statement)
{
  ledger_read_text8(reader, statement->member_name, COOP_NAME_BYTES_MAX);
  ledger_read_text8(reader, statement->client_ref, LEDGER_CLIENT_REF_BYTES_MAX);
  uint8_t has_key = ledger_read_u8(reader);
  if (has_key > 1 && !reader->error)
    reader->error = COOP_E_DECODE;
  statement->has_member_key = has_key == 1;
  if (statement->has_member_key)
    ledger_read_bytes(reader, statement->member_key, LEDGER_PUBLIC_KEY_BYTES);
}

static void write_body(const ledger_statement_payload *statement, coop_buf *out, coop_err *err)
{
  /* A decoded version 1 statement encodes back to its own bytes (receipts
   * compare); everything else is written as the current version. */
  bool first_version = statement->version == 1;
  ledger_write_u8(out, first_version ? 1 : LEDGER_STATEMENT_VERSION, err);
  ledger_write_bytes(out, statement->member, LEDGER_MEMBER_ID_BYTES, err);
  ledger_write_u32(out, statement->period, err);
  ledger_write_bytes(out, statement->rule_set_log, LEDGER_LOG_ID_BYTES, err);
  ledger_write_u64(out, statement->rule_set_index, err);
  ledger_write_bytes(out, statement->rule_set_leaf_hash, LEDGER_HASH_BYTES, err);
  ledger_write_u64(out, statement->corrects, err);
  write_month(out, &statement->month, err);
  write_figures(out, &statement->figures, err);
  write_state(out, &statement->state_after, err);
  ledger_write_u16(out, statement->source_count, err);
  for (unsigned i = 0; i < statement->source_count; i++) {
    ledger_write_u64(out, statement->sources[i].index, err);
    ledger_write_bytes(out, statement->sources[i].leaf_hash, LEDGER_HASH_BYTES, err);
  }
  if (!first_version)
    write_member(out, statement, err);
}

coop_err ledger_statement_encode(const ledger_statement_payload *statement, coop_buf *out)
{
  coop_err err = statement_check(statement);
  if (!err)
    write_body(statement, out, &err);
  return err;
}

coop_err ledger_statement_decode(const uint8_t *bytes, size_t count,
                                 ledger_statement_payload *statement)
{
  memset(statement, 0, sizeof *statement);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  statement->version = ledger_read_u8(&reader);
  if (statement->version < 1 || statement->version > LEDGER_STATEMENT_VERSION) {
    coop_err err = reader.error ? reader.error : COOP_E_VERSION;
    memset(statement, 0, sizeof *statement);
    return err;
  }
  ledger_read_bytes(&reader, statement->member, LEDGER_MEMBER_ID_BYTES);
  statement->period = ledger_read_u32(&reader);
  ledger_read_bytes(&reader, statement->rule_set_log, LEDGER_LOG_ID_BYTES);
  statement->rule_set_index = ledger_read_u64(&reader);
  ledger_read_bytes(&reader, statement->rule_set_leaf_hash, LEDGER_HASH_BYTES);
  statement->corrects = ledger_read_u64(&reader);
  read_month(&reader, &statement->month);
  read_figures(&reader, &statement->figures);
  read_state(&reader, &statement->state_after);
  statement->source_count = ledger_read_u16(&reader);
  if (statement->source_count > LEDGER_STATEMENT_SOURCES_MAX) {
    memset(statement, 0, sizeof *statement);
    return COOP_E_DECODE;
  }
  for (unsigned i = 0; i < statement->source_count; i++) {
    statement->sources[i].index = ledger_read_u64(&reader);
    ledger_read_bytes(&reader, statement->sources[i].leaf_hash, LEDGER_HASH_BYTES);
  }
  if (statement->version >= 2)
    read_member(&reader, statement);
  coop_err err = ledger_reader_finish(&reader);
  if (!err && statement_check(statement))
    err = COOP_E_DECODE;
  if (err)
    memset(statement, 0, sizeof *statement);
  return err;
}

coop_err ledger_statement_peek(const uint8_t *bytes, size_t count,
                               uint8_t member[LEDGER_MEMBER_ID_BYTES], uint32_t *period)
{
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  uint8_t version = ledger_read_u8(&reader);
  ledger_read_bytes(&reader, member, LEDGER_MEMBER_ID_BYTES);
  *period = ledger_read_u32(&reader);
  if (reader.error)
    return reader.error;
  if (version < 1 || version > LEDGER_STATEMENT_VERSION)
    return COOP_E_VERSION;
  return ledger_period_valid(*period) ? COOP_OK : COOP_E_DECODE;
}

void ledger_statement_figures_hash(const ledger_statement_payload *statement,
                                   uint8_t out[LEDGER_HASH_BYTES])
{
  coop_buf figures;
  coop_buf_init(&figures, 1024);
  coop_err err = COOP_OK;
  static const char domain[] = "coop-statement-figures-v1";
  ledger_write_bytes(&figures, (const uint8_t *)domain, sizeof domain, &err);
  write_figures(&figures, &statement->figures, &err);
  /* 1 KiB holds the fixed-size figures; failure is a programming error. */
  if (err)
    memset(out, 0, LEDGER_HASH_BYTES);
  else
    coop_sha256(out, figures.data, figures.len);
  coop_buf_release(&figures);
}

/* ---- Verdicts ---------------------------------------------------------------------- */

const char *ledger_dispute_reason_name(uint8_t reason)
{
  switch (reason) {
  case LEDGER_DISPUTE_FIGURES: return "figures";
  case LEDGER_DISPUTE_UNKNOWN_RULE_SET: return "unknown-rule-set";
  case LEDGER_DISPUTE_RULE_SET_NOT_IN_FORCE: return "rule-set-not-in-force";
  case LEDGER_DISPUTE_UNSEEN_SOURCE: return "unseen-entry";
  case LEDGER_DISPUTE_MISSING_RECORD: return "missing-record";
  case LEDGER_DISPUTE_WRONG_MEMBER: return "wrong-member";
  }
  return "unknown";
}

const char *ledger_verdict_field_name(unsigned field)
{
  static const char *const names[LEDGER_FIELD_COUNT] = {
      "revenue", "costs", "volunteer_allowance", "other_income", "hours", "age_years",
      "n_approved", "medical_hours_limit", "single_parent_child_under_12",
      "profit", "coop_share", "net_income", "disregard", "disregard_kind",
      "volunteer_disregarded", "volunteer_counted", "counted_income", "offset", "benefit",
      "above_norm", "to_municipality", "to_budget", "n_used", "r_used", "a34_used", "k_ytd",
      "loss_carried", "state_after"};
  return field < LEDGER_FIELD_COUNT ? names[field] : NULL;
}

static void write_verdict_head(coop_buf *out, const ledger_verdict *verdict, coop_err *err)
{
  ledger_write_u8(out, 1, err);
  ledger_write_bytes(out, verdict->member, LEDGER_MEMBER_ID_BYTES, err);
  ledger_write_u32(out, verdict->period, err);
  ledger_write_bytes(out, verdict->coop_log, LEDGER_LOG_ID_BYTES, err);
  ledger_write_u64(out, verdict->statement_index, err);
  ledger_write_bytes(out, verdict->statement_leaf_hash, LEDGER_HASH_BYTES, err);
  ledger_write_bytes(out, verdict->figures_hash, LEDGER_HASH_BYTES, err);
}

coop_err ledger_verdict_encode(const ledger_verdict *verdict, bool dispute, coop_buf *out)
{
  if (!ledger_period_valid(verdict->period) ||
      (dispute && (verdict->reason < 1 || verdict->reason > LEDGER_DISPUTE_REASON_MAX)) ||
      (dispute && verdict->differing >> LEDGER_FIELD_COUNT))
    return COOP_E_BAD_INPUT;
  coop_err err = COOP_OK;
  write_verdict_head(out, verdict, &err);
  if (dispute) {
    ledger_write_u8(out, verdict->reason, &err);
    ledger_write_u64(out, verdict->detail_index, &err);
    ledger_write_u32(out, verdict->differing, &err);
    write_month(out, &verdict->month, &err);
    write_figures(out, &verdict->figures, &err);
  }
  return err;
}

coop_err ledger_verdict_decode(const uint8_t *bytes, size_t count, bool dispute,
                               ledger_verdict *verdict)
{
  memset(verdict, 0, sizeof *verdict);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  if (ledger_read_u8(&reader) != 1)
    return reader.error ? reader.error : COOP_E_VERSION;
  ledger_read_bytes(&reader, verdict->member, LEDGER_MEMBER_ID_BYTES);
  verdict->period = ledger_read_u32(&reader);
  ledger_read_bytes(&reader, verdict->coop_log, LEDGER_LOG_ID_BYTES);
  verdict->statement_index = ledger_read_u64(&reader);
  ledger_read_bytes(&reader, verdict->statement_leaf_hash, LEDGER_HASH_BYTES);
  ledger_read_bytes(&reader, verdict->figures_hash, LEDGER_HASH_BYTES);
  if (dispute) {
    verdict->reason = ledger_read_u8(&reader);
    verdict->detail_index = ledger_read_u64(&reader);
    verdict->differing = ledger_read_u32(&reader);
    read_month(&reader, &verdict->month);
    read_figures(&reader, &verdict->figures);
  }
  coop_err err = ledger_reader_finish(&reader);
  if (!err && (!ledger_period_valid(verdict->period) ||
               (dispute && (verdict->reason < 1 || verdict->reason > LEDGER_DISPUTE_REASON_MAX ||
                            verdict->differing >> LEDGER_FIELD_COUNT))))
    err = COOP_E_DECODE;
  if (err)
    memset(verdict, 0, sizeof *verdict);
  return err;
}

bool ledger_statement_same_state(const ledger_offset_state *a, const ledger_offset_state *b)
{
  coop_buf first, second;
  coop_buf_init(&first, 256);
  coop_buf_init(&second, 256);
  coop_err err = COOP_OK;
  write_state(&first, a, &err);
  write_state(&second, b, &err);
  bool same = !err && first.len == second.len && !memcmp(first.data, second.data, first.len);
  coop_buf_release(&first);
  coop_buf_release(&second);
  return same;
}

uint32_t ledger_statement_differences(const ledger_statement_payload *statement,
                                      const ledger_offset_month *month,
                                      const ledger_offset_statement *figures,
                                      const ledger_offset_state *state_after)
{
  const ledger_offset_month *m = &statement->month;
  const ledger_offset_statement *f = &statement->figures;
  const bool differs[LEDGER_FIELD_COUNT] = {
      m->revenue_cents != month->revenue_cents, m->costs_cents != month->costs_cents,
      m->volunteer_allowance_cents != month->volunteer_allowance_cents,
      m->other_income_cents != month->other_income_cents, m->hours != month->hours,
      m->age_years != month->age_years, m->n_approved != month->n_approved,
      m->medical_hours_limit != month->medical_hours_limit,
      m->single_parent_child_under_12 != month->single_parent_child_under_12,
      f->profit_cents != figures->profit_cents, f->coop_share_cents != figures->coop_share_cents,
      f->net_income_cents != figures->net_income_cents,
      f->disregard_cents != figures->disregard_cents,
      f->disregard_kind != figures->disregard_kind,
      f->volunteer_disregarded_cents != figures->volunteer_disregarded_cents,
      f->volunteer_counted_cents != figures->volunteer_counted_cents,
      f->counted_income_cents != figures->counted_income_cents,
      f->offset_cents != figures->offset_cents, f->benefit_cents != figures->benefit_cents,
      f->above_norm != figures->above_norm,
      f->to_municipality_cents != figures->to_municipality_cents,
      f->to_budget_cents != figures->to_budget_cents, f->n_used != figures->n_used,
      f->r_used != figures->r_used, f->a34_used != figures->a34_used,
      f->k_ytd_cents != figures->k_ytd_cents, f->loss_carried_cents != figures->loss_carried_cents,
      !ledger_statement_same_state(&statement->state_after, state_after)};
  uint32_t mask = 0;
  for (unsigned i = 0; i < LEDGER_FIELD_COUNT; i++)
    if (differs[i])
      mask |= UINT32_C(1) << i;
  return mask;
}

void ledger_statement_normalise_inputs(ledger_offset_month *inputs)
{
  if (inputs->revenue_cents < 0) {
    inputs->costs_cents -= inputs->revenue_cents;
    inputs->revenue_cents = 0;
  }
  if (inputs->costs_cents < 0) {
    inputs->revenue_cents -= inputs->costs_cents;
    inputs->costs_cents = 0;
  }
  if (inputs->volunteer_allowance_cents < 0)
    inputs->volunteer_allowance_cents = 0;
  if (inputs->other_income_cents < 0)
    inputs->other_income_cents = 0;
  if (inputs->hours < 0)
    inputs->hours = 0;
}

int64_t ledger_statement_age_on_first(uint32_t birth_period, uint32_t period)
{
  int64_t months = (int64_t)(period / 100) * 12 + period % 100 -
                   ((int64_t)(birth_period / 100) * 12 + birth_period % 100);
  return months <= 0 ? 0 : (months - 1) / 12;
}
