/* A member's year and the municipality's year overview (year_statement.h). */
#include "node/year_statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "node/books.h"
#include "node/log_view.h"

const char *node_year_state_name(int state)
{
  switch (state) {
  case NODE_YEAR_STATED: return "stated";
  case NODE_YEAR_OPEN: return "open";
  case NODE_YEAR_LEFT: return "left";
  case NODE_YEAR_NONE: return "none";
  }
  return "unknown";
}

/* What the visit of her months gathers. */
typedef struct year_collector {
  node *node;
  node_year_statement *out;
  bool seen;                   /* a month of hers was visited: out->coop_log is her coop */
  uint32_t first_period, last_period; /* every month of hers seen, for messages */
  size_t months_in_year;       /* with a statement or a record */
} year_collector;

/* The statements the one in force replaced: its `corrects` chain, each
 * with its verdict (the first NODE_YEAR_REPLACED_MAX), and how many. */
static coop_err follow_reissues(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                uint64_t corrects, node_year_month *month)
{
  month->reissues = 0;
  ledger_statement_payload *older = coop_malloc(sizeof *older);
  if (!older)
    return COOP_E_NOMEM;
  coop_err err = COOP_OK;
  /* A chain longer than the log is a broken log: the bound stops a loop. */
  while (corrects && !err && month->reissues < 100000) {
    uint64_t index = corrects - 1;
    err = node_statement_read(self, coop_log, index, older);
    if (!err && month->reissues < NODE_YEAR_REPLACED_MAX) {
      node_verdict_found found;
      err = node_verdict_for(self, coop_log, index, &found);
      month->replaced[month->reissues].index = index;
      month->replaced[month->reissues].status = found.status;
    }
    if (!err) {
      month->reissues++;
      corrects = older->corrects;
    }
  }
  sodium_memzero(older, sizeof *older);
  coop_free(older);
  return err;
}

static void take_statement(node_year_month *month, const node_member_month *visit)
{
  const ledger_statement_payload *statement = visit->statement;
  month->state = NODE_YEAR_STATED;
  month->statement_index = visit->statement_index;
  month->replaces = statement->corrects;
  month->inputs = statement->month;
  month->figures = statement->figures;
  memcpy(month->rule_set_log, statement->rule_set_log, LEDGER_LOG_ID_BYTES);
  month->rule_set_index = statement->rule_set_index;
  month->verdict = visit->found;
  month->records_after_statement = visit->records_after_statement;
}

static coop_err take_month(void *context, const node_member_month *visit)
{
  year_collector *collector = context;
  node_year_statement *out = collector->out;
  if (collector->seen && memcmp(out->coop_log, visit->coop_log, LEDGER_LOG_ID_BYTES))
    return COOP_OK; /* one coop's year: her first coop log held */
  if (!collector->seen) {
    memcpy(out->coop_log, visit->coop_log, LEDGER_LOG_ID_BYTES);
    memcpy(out->coop_name, visit->coop_name, sizeof out->coop_name);
    memcpy(out->member_id, visit->member_id, sizeof out->member_id);
    collector->first_period = visit->period;
    collector->seen = true;
  }
  collector->last_period = visit->period;
  uint32_t year = visit->period / 100;
  if (year < out->year) {
    out->budget_start_cents += (visit->has_statement ? visit->figures.to_budget_cents : 0) -
                               visit->budget_spent_cents;
    return COOP_OK;
  }
  if (year > out->year)
    return COOP_OK;
  collector->months_in_year++;
  memcpy(out->name, visit->name, sizeof out->name);
  memcpy(out->client_ref, visit->client_ref, sizeof out->client_ref);
  node_year_month *month = &out->months[visit->period % 100 - 1];
  memcpy(month->municipality, visit->municipality, LEDGER_PUBLIC_KEY_BYTES);
  month->budget_spent_cents = visit->budget_spent_cents;
  if (!visit->has_statement)
    return COOP_OK;
  take_statement(month, visit);
  return follow_reissues(collector->node, visit->coop_log, visit->statement->corrects, month);
}

/* The months without a statement: open, or closed (she had left, or the
 * month is not hers here), or before the books began, from the coop's log
 * as this node reads it. */
static coop_err classify_unstated(node *self, node_year_statement *out)
{
  log_view *view = coop_calloc(1, sizeof *view);
  coop_err err = view ? log_view_load(node_keys(self), out->coop_log, 0, view) : COOP_E_NOMEM;
  /* Months close in order from the first month of the books: a month
   * before the first closed one is not in the books at all. */
  uint32_t first_closed = UINT32_MAX;
  for (size_t i = 0; !err && i < view->closed_count; i++)
    if (view->closed[i] < first_closed)
      first_closed = view->closed[i];
  const log_member *who = NULL;
  for (size_t r = 0; !err && r < view->member_count && !who; r++)
    if (!strcmp(view->members[r].member_id, out->member_id))
      who = &view->members[r];
  for (int m = 0; !err && m < NODE_YEAR_MONTHS; m++) {
    node_year_month *month = &out->months[m];
    if (month->state == NODE_YEAR_STATED)
      continue;
    bool before_books = first_closed != UINT32_MAX && month->period < first_closed;
    if (!log_view_closed(view, month->period) && !before_books) {
      month->state = NODE_YEAR_OPEN;
      continue;
    }
    month->state = NODE_YEAR_NONE;
    if (!who)
      continue;
    const log_residence *residence = log_view_residence_at(who, month->period);
    ledger_member_status status;
    ledger_member_status_at(residence->facts, residence->fact_count, month->period, UINT64_MAX,
                            &status);
    if (status.left)
      month->state = NODE_YEAR_LEFT;
  }
  if (view && !err)
    log_view_free(view);
  coop_free(view);
  return err;
}

static void add_rule_set(node_year_statement *out, const node_year_month *month)
{
  for (size_t i = 0; i < out->rule_set_count; i++) {
    node_year_rule_set *used = &out->rule_sets[i];
    if (used->index == month->rule_set_index &&
        !memcmp(used->log, month->rule_set_log, LEDGER_LOG_ID_BYTES)) {
      used->last_period = month->period;
      return;
    }
  }
  node_year_rule_set *fresh = &out->rule_sets[out->rule_set_count++];
  memcpy(fresh->log, month->rule_set_log, LEDGER_LOG_ID_BYTES);
  fresh->index = month->rule_set_index;
  fresh->first_period = fresh->last_period = month->period;
}

/* The totals: sums of the statements in force, and the spending of every
 * closed month (spending needs no statement; an open month's counts when
 * it closes, as its statement does). */
static void add_up(node_year_statement *out)
{
  node_year_totals *t = &out->totals;
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    const node_year_month *month = &out->months[m];
    if (month->state == NODE_YEAR_OPEN) {
      out->open_count++;
      continue;
    }
    t->budget_spent_cents += month->budget_spent_cents;
    if (month->state != NODE_YEAR_STATED)
      continue;
    out->stated_count++;
    const ledger_offset_statement *f = &month->figures;
    t->revenue_cents += month->inputs.revenue_cents;
    t->costs_cents += month->inputs.costs_cents;
    t->volunteer_allowance_cents += month->inputs.volunteer_allowance_cents;
    t->other_income_cents += month->inputs.other_income_cents;
    t->profit_cents += f->profit_cents;
    t->coop_share_cents += f->coop_share_cents;
    t->disregard_cents += f->disregard_cents;
    t->volunteer_disregarded_cents += f->volunteer_disregarded_cents;
    t->counted_income_cents += f->counted_income_cents;
    t->offset_cents += f->offset_cents;
    t->benefit_cents += f->benefit_cents;
    t->to_municipality_cents += f->to_municipality_cents;
    t->to_budget_cents += f->to_budget_cents;
    if ((unsigned)f->disregard_kind <= LEDGER_OFFSET_DISREGARD_34A)
      t->disregard_months[f->disregard_kind]++;
    add_rule_set(out, month);
  }
  out->budget_end_cents = out->budget_start_cents + t->to_budget_cents - t->budget_spent_cents;
}

/* Refuses a year in the future (the current year is fine: its closed
 * months are shown, the rest open). */
static coop_err check_year(uint32_t year, char message[NODE_MESSAGE_BYTES])
{
  uint32_t now = node_today() / 10000;
  if (year >= 1900 && year <= now)
    return COOP_OK;
  snprintf(message, NODE_MESSAGE_BYTES, "year %u is out of range (1900 to %u, this year)",
           (unsigned)year, (unsigned)now);
  return COOP_E_RANGE;
}

/* Nothing of hers in the year: say what this node does have of her. */
static void explain_nothing(const year_collector *collector, const char *member_id,
                            char message[NODE_MESSAGE_BYTES])
{
  char who[LEDGER_MEMBER_ID_CHARS + 16];
  snprintf(who, sizeof who, member_id ? "member '%s'" : "your membership",
           member_id ? member_id : "");
  if (!collector->seen) {
    snprintf(message, NODE_MESSAGE_BYTES,
             "no months of %s readable on this node (is the member enrolled, and has this node "
             "synced with the coop?)", who);
    return;
  }
  char first[8], last[8];
  ledger_period_format(collector->first_period, first);
  ledger_period_format(collector->last_period, last);
  snprintf(message, NODE_MESSAGE_BYTES,
           "%s has no statement or income in %u (the months this node has of the member: %s to %s)",
           who, (unsigned)collector->out->year, first, last);
}

coop_err node_year_statement_build(node *self, const char *member_id, uint32_t year,
                                   node_year_statement *out, char message[NODE_MESSAGE_BYTES])
{
  memset(out, 0, sizeof *out);
  message[0] = 0;
  coop_err err = check_year(year, message);
  if (err)
    return err;
  out->year = year;
  for (int m = 0; m < NODE_YEAR_MONTHS; m++)
    out->months[m].period = year * 100 + (uint32_t)m + 1;
  year_collector collector = {.node = self, .out = out};
  err = node_member_months(self, member_id, take_month, &collector);
  if (!err && !collector.months_in_year) {
    explain_nothing(&collector, member_id, message);
    err = COOP_E_NOT_FOUND;
  }
  if (!err)
    err = classify_unstated(self, out);
  if (!err)
    add_up(out);
  if (err && !message[0])
    snprintf(message, NODE_MESSAGE_BYTES, "cannot read the year %u: %s", (unsigned)year,
             coop_err_message(err));
  if (err) {
    sodium_memzero(out, sizeof *out);
    out->year = 0;
  }
  return err;
}

void node_year_open_text(const node_year_statement *year, char out[NODE_YEAR_OPEN_TEXT_BYTES])
{
  size_t used = 0;
  out[0] = 0;
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    if (year->months[m].state != NODE_YEAR_OPEN)
      continue;
    char period[8];
    ledger_period_format(year->months[m].period, period);
    used += (size_t)snprintf(out + used, NODE_YEAR_OPEN_TEXT_BYTES - used, "%s%s",
                             used ? ", " : "", period);
  }
}

/* ---- The municipality's year overview ------------------------------------------------------ */

static coop_err take_audit_row(void *context, const node_audit_row *row)
{
  node_audit_year *year = context;
  coop_err err = coop_grow((void **)&year->rows, &year->row_capacity, year->row_count,
                           sizeof *year->rows);
  if (err)
    return err;
  node_audit_year_row *kept = &year->rows[year->row_count++];
  memset(kept, 0, sizeof *kept);
  kept->month = *row;
  kept->month.statement = NULL;
  /* A disputed month carries the municipality's own figures, as the
   * monthly report does: an overview must never total a disputed number. */
  kept->figures = row->verdict_status == NODE_AUDIT_DISPUTED ? row->verdict.figures : row->figures;
  return COOP_OK;
}

bool node_audit_year_same_resident(const node_audit_year_row *a, const node_audit_year_row *b)
{
  return !memcmp(a->month.coop_log, b->month.coop_log, LEDGER_LOG_ID_BYTES) &&
         !strcmp(a->month.member_id, b->month.member_id);
}

/* By coop, then resident, then month: each resident's year together. */
static int row_order(const void *a, const void *b)
{
  const node_audit_year_row *x = a, *y = b;
  int by = memcmp(x->month.coop_log, y->month.coop_log, LEDGER_LOG_ID_BYTES);
  if (!by)
    by = strcmp(x->month.member_id, y->month.member_id);
  if (!by)
    by = (x->period > y->period) - (x->period < y->period);
  return by;
}

coop_err node_audit_year_build(node *self, uint32_t year, node_audit_year *out,
                               char message[NODE_MESSAGE_BYTES])
{
  memset(out, 0, sizeof *out);
  message[0] = 0;
  coop_err err = check_year(year, message);
  out->year = year;
  bool held = node_read_cache_hold(self); /* the logs read once for the twelve months */
  for (uint32_t m = 1; m <= NODE_YEAR_MONTHS && !err; m++) {
    size_t before = out->row_count;
    err = node_audit_report(self, year * 100 + m, take_audit_row, out, message);
    for (size_t i = before; i < out->row_count; i++)
      out->rows[i].period = year * 100 + m;
  }
  node_read_cache_release(self, held);
  if (err) {
    node_audit_year_free(out);
    return err;
  }
  if (out->row_count)
    qsort(out->rows, out->row_count, sizeof *out->rows, row_order);
  for (size_t i = 0; i < out->row_count; i++)
    out->resident_count += !i || !node_audit_year_same_resident(&out->rows[i - 1], &out->rows[i]);
  return COOP_OK;
}

void node_audit_year_free(node_audit_year *year)
{
  coop_free(year->rows);
  memset(year, 0, sizeof *year);
}

void node_audit_year_add(ledger_offset_statement *total, const node_audit_year_row *row)
{
  if (!row->month.has_statement)
    return;
  total->counted_income_cents += row->figures.counted_income_cents;
  total->offset_cents += row->figures.offset_cents;
  total->benefit_cents += row->figures.benefit_cents;
  total->to_municipality_cents += row->figures.to_municipality_cents;
}
