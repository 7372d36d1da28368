/* The member's what-if (simulate.h): her latest statement's carried state
 * and rule set, one more month through the offset engine. */
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/member_month.h"
#include "ledger/books/rule_sets.h"
#include "ledger/books/statement.h"
#include "ledger/offset/offset.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/simulate.h"

typedef struct latest {
  ledger_statement_payload *statement; /* heap: large */
  uint32_t period;
} latest;

static coop_err keep_latest(void *context, const node_member_month *month)
{
  latest *found = context;
  if (month->has_statement && month->statement && month->period >= found->period) {
    *found->statement = *month->statement;
    found->period = month->period;
  }
  return COOP_OK;
}

static coop_err compute(node *self, const ledger_statement_payload *last, node_what_if *out,
                        char message[NODE_MESSAGE_BYTES])
{
  size_t count = 0;
  ledger_offset_rule_set *rule_sets = coop_calloc(LEDGER_MONTH_RULE_SETS_MAX, sizeof *rule_sets);
  coop_err err = rule_sets ? ledger_offset_rule_sets_from_log(self->store, last->rule_set_log,
                                                              rule_sets, NULL, NULL,
                                                              LEDGER_MONTH_RULE_SETS_MAX, &count)
                           : COOP_E_NOMEM;
  ledger_offset_state state = last->state_after;
  if (!err)
    err = ledger_offset_month_compute(rule_sets, count, &out->inputs, &state, &out->figures);
  if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "cannot compute the next month: %s",
             coop_err_message(err));
  coop_free(rule_sets);
  return err;
}

coop_err node_what_if_next_month(node *self, const char *member_id, int64_t revenue_cents,
                                 int64_t costs_cents, node_what_if *out,
                                 char message[NODE_MESSAGE_BYTES])
{
  latest found = {.statement = coop_calloc(1, sizeof *found.statement)};
  if (!found.statement)
    return snprintf(message, NODE_MESSAGE_BYTES, "out of memory"), COOP_E_NOMEM;
  coop_err err = node_member_months(self, member_id, keep_latest, &found);
  if (!err && !found.period)
    err = COOP_E_NOT_FOUND, snprintf(message, NODE_MESSAGE_BYTES,
                                     "no statement yet to start from");
  else if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "cannot read the months: %s", coop_err_message(err));
  if (!err) {
    const ledger_statement_payload *last = found.statement;
    memset(out, 0, sizeof *out);
    out->period = node_month_next(found.period);
    /* Her situation as last month: age and status as they were then. */
    out->inputs = last->month;
    out->inputs.period = (ledger_offset_period){(int)(out->period / 100), (int)(out->period % 100)};
    out->inputs.revenue_cents = revenue_cents;
    out->inputs.costs_cents = costs_cents;
    out->inputs.volunteer_allowance_cents = 0;
    out->inputs.other_income_cents = 0;
    out->inputs.hours = 0;
    err = compute(self, last, out, message);
  }
  coop_free(found.statement);
  return err;
}
