/* One member's month from its records: see member_month.h. */
#include "ledger/books/member_month.h"

#include <string.h>

#include "ledger/books/statement.h"

void ledger_month_record_from(const ledger_record *record, ledger_month_record *out)
{
  out->date = record->date;
  out->period = ledger_record_month(record);
  out->type = record->type;
  out->memo_type = record->memo_type;
  out->quantity = record->quantity;
  out->revenue = out->costs = out->allowance = out->spend = 0;
  for (unsigned i = 0; i < record->posting_count; i++) {
    const ledger_posting *posting = &record->postings[i];
    switch (posting->account) {
    case LEDGER_ACCOUNT_MEMBER_REVENUE: out->revenue += posting->amount_cents; break;
    case LEDGER_ACCOUNT_MEMBER_COSTS: out->costs += posting->amount_cents; break;
    case LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE: out->allowance += posting->amount_cents; break;
    case LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET: out->spend += posting->amount_cents; break;
    default: break;
    }
  }
}

bool ledger_month_counts(const ledger_month_record *record, uint32_t period,
                         uint64_t statement_index)
{
  return record->period == period && record->index < statement_index &&
         record->type != LEDGER_RECORD_PROFIT_SPLIT && record->type != LEDGER_RECORD_ERASED_MEMBER &&
         record->type != LEDGER_RECORD_YEAR_CLOSE;
}

void ledger_month_add(ledger_month_sums *sums, const ledger_month_record *record)
{
  sums->revenue_cents -= record->revenue; /* income is credited: negative */
  sums->costs_cents += record->costs;
  sums->allowance_cents += record->allowance;
  /* A correction carries the corrected record's type and the negated
   * quantity, so it takes back what the memo added. */
  uint8_t memo = record->type == LEDGER_RECORD_CORRECTION ? record->memo_type : record->type;
  if (memo == LEDGER_RECORD_OTHER_INCOME)
    sums->other_income_cents += record->quantity;
  else if (memo == LEDGER_RECORD_HOURS)
    sums->hours_hundredths += record->quantity;
  /* Spending debits the budget; a correction of it credits it back. */
  if (record->type == LEDGER_RECORD_SPEND || record->type == LEDGER_RECORD_CORRECTION)
    sums->budget_spent_cents += record->spend;
  sums->record_count++;
}

void ledger_member_status_at(const ledger_member_fact *facts, size_t count, uint32_t period,
                             uint64_t statement_index, ledger_member_status *status)
{
  uint32_t from[LEDGER_MEMBER_LEFT + 1] = {0}, value[LEDGER_MEMBER_LEFT + 1] = {0};
  bool seen[LEDGER_MEMBER_LEFT + 1] = {false};
  for (size_t i = 0; i < count; i++) {
    const ledger_member_fact *fact = &facts[i];
    if (fact->field < LEDGER_MEMBER_BIRTH || fact->field > LEDGER_MEMBER_LEFT ||
        fact->from_period > period || fact->index >= statement_index)
      continue;
    if (!seen[fact->field] || fact->from_period >= from[fact->field]) {
      seen[fact->field] = true;
      from[fact->field] = fact->from_period;
      value[fact->field] = fact->value;
    }
  }
  memset(status, 0, sizeof *status);
  status->birth_period = value[LEDGER_MEMBER_BIRTH];
  status->n_approved = value[LEDGER_MEMBER_N_APPROVED] != 0;
  status->medical_limit = value[LEDGER_MEMBER_MEDICAL_LIMIT] != 0;
  status->single_parent = value[LEDGER_MEMBER_SINGLE_PARENT] != 0;
  status->left = value[LEDGER_MEMBER_LEFT] != 0;
}

void ledger_month_inputs(const ledger_month_sums *sums, const ledger_member_status *status,
                         uint32_t period, ledger_offset_month *inputs)
{
  memset(inputs, 0, sizeof *inputs);
  inputs->period = ledger_month_period(period);
  inputs->revenue_cents = sums->revenue_cents;
  inputs->costs_cents = sums->costs_cents;
  inputs->volunteer_allowance_cents = sums->allowance_cents;
  inputs->other_income_cents = sums->other_income_cents;
  inputs->hours = sums->hours_hundredths / 100;
  inputs->age_years = ledger_statement_age_on_first(status->birth_period, period);
  inputs->n_approved = status->n_approved != 0;
  inputs->medical_hours_limit = status->medical_limit != 0;
  inputs->single_parent_child_under_12 = status->single_parent != 0;
  ledger_statement_normalise_inputs(inputs);
}

bool ledger_month_inputs_equal(const ledger_offset_month *a, const ledger_offset_month *b)
{
  return a->period.year == b->period.year && a->period.month == b->period.month &&
         a->revenue_cents == b->revenue_cents && a->costs_cents == b->costs_cents &&
         a->volunteer_allowance_cents == b->volunteer_allowance_cents &&
         a->other_income_cents == b->other_income_cents && a->hours == b->hours &&
         a->age_years == b->age_years && a->n_approved == b->n_approved &&
         a->medical_hours_limit == b->medical_hours_limit &&
         a->single_parent_child_under_12 == b->single_parent_child_under_12;
}

ledger_offset_period ledger_month_period(uint32_t period)
{
  return (ledger_offset_period){(int)(period / 100), (int)(period % 100)};
}
