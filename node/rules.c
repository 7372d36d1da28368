/* Publishing and trying rule sets (rules.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/rule_sets.h"
#include "ledger/offset/offset_codec.h"
#include "node/books_int.h"
#include "node/rules.h"

/* The most rule sets one log is read for: a municipality publishes a few a
 * year ('coop rules list' reads as many). */
#define RULE_SETS_READ_MAX 1000u

coop_err node_rule_sets(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                        ledger_offset_rule_set *rule_sets, uint64_t *entry_index,
                        uint8_t (*leaf_hash)[LEDGER_HASH_BYTES], size_t max, size_t *count)
{
  return ledger_offset_rule_sets_from_log(self->store, log_id, rule_sets, entry_index, leaf_hash,
                                          max, count);
}

/* Inside the write transaction, so that two publishes cannot both pass. */
static coop_err refuse_same_effective_from(node *self, const ledger_offset_rule_set *rule_set,
                                           char message[NODE_MESSAGE_BYTES])
{
  size_t count = 0;
  ledger_offset_rule_set *sets = coop_calloc(RULE_SETS_READ_MAX, sizeof *sets);
  uint64_t *index = coop_calloc(RULE_SETS_READ_MAX, sizeof *index);
  coop_err err = sets && index ? node_rule_sets(self, self->identity.public_key, sets, index,
                                                NULL, RULE_SETS_READ_MAX, &count)
                               : COOP_E_NOMEM;
  if (err)
    books_say(message, err, "cannot read the rule sets published so far: %s", coop_err_message(err));
  for (size_t i = 0; !err && i < count; i++) {
    if (ledger_offset_months_between(sets[i].effective_from, rule_set->effective_from))
      continue;
    char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
    ledger_offset_period_format(rule_set->effective_from, period);
    err = books_say(message, COOP_E_EXISTS,
              "a rule set effective from %s is already published at entry %llu; publish one "
              "with a later effective_from",
              period, (unsigned long long)index[i]);
  }
  coop_free(sets);
  coop_free(index);
  return err;
}

static coop_err check(node *self, const ledger_offset_rule_set *rule_set, coop_buf *payload,
                      char message[NODE_MESSAGE_BYTES])
{
  if (self->role != LEDGER_ROLE_MUNICIPALITY)
    return books_say(message, COOP_E_USAGE, "only a municipality publishes rule sets; this is a %s node",
               ledger_role_name(self->role));
  const char *field = "?";
  if (ledger_offset_rule_set_payload_check(rule_set, &field) != COOP_OK) {
    if (!strcmp(field, "municipality"))
      return books_say(message, COOP_E_BAD_INPUT, "municipality: must be a name without control "
                                            "characters");
    return books_say(message, COOP_E_RANGE, "%s: value out of range", field);
  }
  coop_err err = ledger_offset_rule_set_encode(rule_set, payload);
  return err ? books_say(message, err, "cannot encode the rule set: %s", coop_err_message(err)) : COOP_OK;
}

coop_err node_rule_set_publish(node *self, const ledger_offset_rule_set *rule_set, uint64_t *index,
                               char message[NODE_MESSAGE_BYTES])
{
  coop_buf payload;
  coop_buf_init(&payload, LEDGER_OFFSET_RULE_SET_PAYLOAD_BYTES_MAX);
  coop_err err = check(self, rule_set, &payload, message);
  if (!err && (err = ledger_store_failure(self->store, ledger_store_begin(self->store))))
    books_say(message, err, "cannot publish: %s (%s)", coop_err_message(err),
        ledger_store_error_message(self->store));
  else if (!err && (err = refuse_same_effective_from(self, rule_set, message)))
    ledger_store_rollback(self->store);
  else if (!err) {
    ledger_append_item item = {.kind = LEDGER_KIND_RULE_SET, .payload = payload.data,
                               .payload_bytes = payload.len};
    ledger_checkpoint checkpoint;
    err = ledger_store_append(self->store, &self->identity, &item, 1, node_now_ms(), &checkpoint);
    if (!err)
      err = ledger_store_commit(self->store);
    if (err) {
      ledger_store_rollback(self->store);
      err = ledger_store_failure(self->store, err);
      books_say(message, err, "cannot publish: %s (%s)", coop_err_message(err),
          ledger_store_error_message(self->store));
    } else {
      *index = checkpoint.size - 1;
    }
  }
  coop_buf_release(&payload);
  return err;
}

typedef struct effect_run {
  ledger_offset_rule_set rule_set;
  node_rule_effect_visitor visitor;
  void *context;
} effect_run;

static coop_err try_row(void *context, const node_audit_row *row)
{
  effect_run *run = context;
  if (!row->has_statement || !row->statement)
    return COOP_OK;
  node_rule_effect effect = {.row = row};
  ledger_offset_state state = row->state_before;
  run->rule_set.effective_from = row->statement->month.period;
  effect.err = ledger_offset_month_compute(&run->rule_set, 1, &row->statement->month, &state,
                                           &effect.tried);
  return run->visitor(run->context, &effect);
}

coop_err node_rule_set_effect(node *self, const ledger_offset_rule_set *rule_set, uint32_t period,
                              node_rule_effect_visitor visitor, void *context,
                              char message[NODE_MESSAGE_BYTES])
{
  effect_run run = {.rule_set = *rule_set, .visitor = visitor, .context = context};
  return node_audit_report_states(self, period, try_row, &run, message);
}
