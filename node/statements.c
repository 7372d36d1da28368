/* Monthly statements at period close: for every active member, the month's
 * inputs from the books, the rule set in force from the member's
 * municipality's log, the offset engine, a sealed statement entry, and the
 * profit split booked as balanced postings. */
#include <stdlib.h>
#include <string.h>

#include "ledger/alloc.h"
#include "ledger/offset_codec.h"
#include "ledger/statement.h"
#include "node/audit.h"
#include "node/books_int.h"

/* More rule-set versions than a municipality publishes in decades (two a
 * year by law). */
#define RULE_SETS_MAX 256u

typedef struct member_month {
  books_session *session;
  const ledger_member_row *member;
  uint32_t period;
  ledger_statement_payload *statement; /* heap: large */
  ledger_offset_rule_set rule_sets[RULE_SETS_MAX];
  uint64_t rule_set_index[RULE_SETS_MAX];
  uint8_t rule_set_leaf[RULE_SETS_MAX][LEDGER_HASH_BYTES];
  size_t rule_set_count;
  uint64_t last_source; /* to count each record once (register rows are per posting) */
  int has_source;
  /* A reissue: the statement it replaces (whose split is already booked)
   * and the date of the adjusting split, in the open month. */
  const ledger_statement_payload *replaced;
  uint64_t replaced_index;
  uint32_t split_date;
} member_month;

static ledger_offset_period to_offset_period(uint32_t period)
{
  return (ledger_offset_period){(int)(period / 100), (int)(period % 100)};
}

static coop_err rule_set_in_force(member_month *month, size_t *chosen)
{
  books_session *session = month->session;
  coop_err err = ledger_offset_rule_sets_from_log(
      session->node->store, month->member->municipality, month->rule_sets,
      month->rule_set_index, month->rule_set_leaf, RULE_SETS_MAX, &month->rule_set_count);
  bool read = !err;
  if (read)
    err = ledger_offset_select(month->rule_sets, month->rule_set_count,
                               to_offset_period(month->period), chosen);
  if (!err)
    return COOP_OK;
  /* Naming the municipality reads its log's first entry: only on refusal,
   * not for every member of a close. */
  char municipality[NODE_PARTY_TEXT_BYTES], period[8];
  node_party_text(session->node, month->member->municipality, municipality);
  ledger_period_format(month->period, period);
  if (!read)
    return books_say(session->message, err, "cannot read the rule sets of municipality %s: %s",
                     municipality, coop_err_message(err));
  if (err == COOP_E_NO_RULE_SET)
    return books_say(session->message, err,
                     "no rule set in force for %s from municipality %s (member %s): import its "
                     "log with 'coop log import' once it has published one", period, municipality,
                     month->member->member_id);
  return books_say(session->message, err, "the rule sets of municipality %s are not usable: %s",
                   municipality, coop_err_message(err));
}

/* Sums the member's accounts for the month into the engine's inputs. */
static coop_err sum_account(void *context, const char *account, int64_t amount_cents)
{
  member_month *month = context;
  ledger_offset_month *inputs = &month->statement->month;
  const char *leaf = strrchr(account, ':');
  if (!leaf || (strncmp(account, "income:members:", 15) && strncmp(account, "expenses:members:", 17)))
    return COOP_OK;
  if (!strcmp(leaf, ":revenue"))
    inputs->revenue_cents = -amount_cents; /* income is credited: negative */
  else if (!strcmp(leaf, ":costs"))
    inputs->costs_cents = amount_cents;
  else if (!strcmp(leaf, ":volunteer-allowance"))
    inputs->volunteer_allowance_cents = amount_cents;
  return COOP_OK;
}

static coop_err collect_source(void *context, const ledger_register_row *row)
{
  member_month *month = context;
  ledger_statement_payload *statement = month->statement;
  /* A profit split is what a statement produced, not what it sums (it is in
   * the month only when the month's statement is reissued). */
  if ((month->has_source && row->entry_index == month->last_source) ||
      row->type == LEDGER_RECORD_PROFIT_SPLIT)
    return COOP_OK;
  month->has_source = 1;
  month->last_source = row->entry_index;
  if (statement->source_count >= LEDGER_STATEMENT_SOURCES_MAX)
    return books_say(month->session->message, COOP_E_LIMIT,
                     "member %s has more than %u records in %04u-%02u: a statement names at "
                     "most that many", month->member->member_id, LEDGER_STATEMENT_SOURCES_MAX,
                     (unsigned)(month->period / 100), (unsigned)(month->period % 100));
  ledger_statement_source *source = &statement->sources[statement->source_count++];
  source->index = row->entry_index;
  node *self = month->session->node;
  return ledger_store_leaf_hash(self->store, self->identity.public_key, row->entry_index,
                                source->leaf_hash);
}

static coop_err gather_inputs(member_month *month, const ledger_member_status *status)
{
  books_session *session = month->session;
  ledger_store *store = session->node->store;
  const char *member_id = month->member->member_id;
  ledger_offset_month *inputs = &month->statement->month;
  ledger_books_query query = {.member_id = member_id,
                              .date_from = month->period * 100 + 1,
                              .date_to = month->period * 100 + 31};
  int64_t other_income = 0, hours_hundredths = 0;
  coop_err err = ledger_books_balances(store, &query, sum_account, month);
  if (!err)
    err = ledger_books_memo_total(store, member_id, LEDGER_RECORD_OTHER_INCOME, query.date_from,
                                  query.date_to, &other_income);
  if (!err)
    err = ledger_books_memo_total(store, member_id, LEDGER_RECORD_HOURS, query.date_from,
                                  query.date_to, &hours_hundredths);
  if (!err)
    err = ledger_books_register(store, &query, collect_source, month);
  if (err)
    return session->message[0] ? err
                               : books_say(session->message, err, "cannot read the books of %s for "
                                           "%04u-%02u", member_id, (unsigned)(month->period / 100),
                                           (unsigned)(month->period % 100));
  inputs->period = to_offset_period(month->period);
  inputs->other_income_cents = other_income;
  inputs->hours = hours_hundredths / 100;
  inputs->age_years = ledger_statement_age_on_first(status->birth_period, month->period);
  inputs->n_approved = status->n_approved;
  inputs->medical_hours_limit = status->medical_limit;
  inputs->single_parent_child_under_12 = status->single_parent;
  ledger_statement_normalise_inputs(inputs);
  return COOP_OK;
}

static coop_err carried_state(member_month *month, ledger_offset_state *state)
{
  ledger_statement_payload *previous = coop_malloc(sizeof *previous);
  if (!previous)
    return COOP_E_NOMEM;
  uint64_t index = 0;
  coop_err err = ledger_books_statement(month->session->node->store, month->member->member_id,
                                        month->period, 1, previous, &index);
  if (err == COOP_E_NOT_FOUND) {
    ledger_offset_state_init(state);
    err = COOP_OK;
  } else if (!err) {
    *state = previous->state_after;
  }
  coop_free(previous);
  return err;
}

/* The profit split as balanced postings: the member's profit I0 leaves
 * expenses:...:profit-split for the coop's share, the municipality and the
 * development budget.  A reissued statement books only the difference from
 * the split of the statement it replaces, dated in the open month.  Nothing
 * to book when it is all zero. */
static coop_err book_split(member_month *month)
{
  const ledger_offset_statement *figures = &month->statement->figures;
  int64_t coop_share = figures->coop_share_cents, to_municipality = figures->to_municipality_cents,
          to_budget = figures->to_budget_cents;
  if (month->replaced) {
    coop_share -= month->replaced->figures.coop_share_cents;
    to_municipality -= month->replaced->figures.to_municipality_cents;
    to_budget -= month->replaced->figures.to_budget_cents;
  }
  int64_t profit = coop_share + to_municipality + to_budget;
  if (!coop_share && !to_municipality && !to_budget)
    return COOP_OK;
  /* Dated the month's last day: the split is what the month came to. */
  uint32_t date = month->split_date;
  if (!date) {
    date = month->period * 100 + 31;
    while (!ledger_date_valid(date))
      date--;
  }
  ledger_record record = {.type = LEDGER_RECORD_PROFIT_SPLIT, .date = date};
  memcpy(record.member, month->member->audience_id, LEDGER_MEMBER_ID_BYTES);
  snprintf(record.note, sizeof record.note, "profit split %04u-%02u%s",
           (unsigned)(month->period / 100), (unsigned)(month->period % 100),
           month->replaced ? " (reissued statement: the difference)" : "");
  if (profit)
    record.postings[record.posting_count++] =
        (ledger_posting){LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, profit};
  if (coop_share)
    record.postings[record.posting_count++] =
        (ledger_posting){LEDGER_ACCOUNT_COOP_SHARE, -coop_share};
  if (to_municipality)
    record.postings[record.posting_count++] =
        (ledger_posting){LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, -to_municipality};
  if (to_budget)
    record.postings[record.posting_count++] =
        (ledger_posting){LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, -to_budget};
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_record_encode(&record, &plain);
  if (!err)
    err = books_session_add(month->session, LEDGER_KIND_TRANSACTION, month->member->audience_id,
                            &plain);
  coop_buf_release(&plain);
  return err;
}

/* The member's record with the largest figure in the month: the one to
 * look at first when a figure is out of range. */
typedef struct largest_record {
  uint64_t index;
  int64_t size;
  int found;
} largest_record;

static int64_t magnitude(int64_t value)
{
  return value < 0 ? (value == INT64_MIN ? INT64_MAX : -value) : value;
}

static coop_err note_largest(void *context, const ledger_register_row *row)
{
  largest_record *largest = context;
  int64_t size = magnitude(row->account ? row->amount_cents : row->quantity);
  if (row->type != LEDGER_RECORD_PROFIT_SPLIT && (!largest->found || size > largest->size))
    *largest = (largest_record){row->entry_index, size, 1};
  return COOP_OK;
}

/* Says which member and month a statement could not be computed for and,
 * when a figure is out of range, which input and which record to look at:
 * one member's typing error must not stop the close without a name. */
static coop_err statement_failed(member_month *month, coop_err err)
{
  books_session *session = month->session;
  if (session->message[0])
    return err; /* already said, e.g. which rule set is missing */
  char period[8], culprit[160] = "";
  ledger_period_format(month->period, period);
  const char *field = NULL;
  if (ledger_offset_month_check(&month->statement->month, &field) != COOP_OK && field)
    snprintf(culprit, sizeof culprit, "; the month's %s is out of range", field);
  largest_record largest = {0};
  ledger_books_query query = {.member_id = month->member->member_id,
                              .date_from = month->period * 100 + 1,
                              .date_to = month->period * 100 + 31};
  /* Age and month come from the member's facts, not from a record. */
  int a_record_to_blame = !field || (strcmp(field, "age") && strcmp(field, "period"));
  if (field && !a_record_to_blame)
    snprintf(culprit, sizeof culprit, "; the member's %s is out of range (check their birth "
             "month with 'coop member show')", field);
  if ((err == COOP_E_RANGE || err == COOP_E_OVERFLOW) && a_record_to_blame &&
      ledger_books_register(session->node->store, &query, note_largest, &largest) == COOP_OK &&
      largest.found) {
    size_t used = strlen(culprit);
    snprintf(culprit + used, sizeof culprit - used,
             "; check entry %llu, the largest figure that month ('coop correct' it)",
             (unsigned long long)largest.index);
  }
  return books_say(session->message, err, "cannot compute the statement of %s for %s: %s%s",
                   month->member->member_id, period, coop_err_message(err), culprit);
}

/* A reissue must change something: the inputs, figures or carried state,
 * the rule set, or who the statement names.  Otherwise it would only put a
 * second statement saying the same beside an acknowledged one (and a
 * receipt of the first would look superseded) - unless the municipality
 * disputed the first, when the coop may answer with the same figures. */
static coop_err reissue_changes_something(member_month *month)
{
  const ledger_statement_payload *old = month->replaced, *now = month->statement;
  bool same = !ledger_statement_differences(old, &now->month, &now->figures, &now->state_after) &&
              !memcmp(old->rule_set_log, now->rule_set_log, LEDGER_LOG_ID_BYTES) &&
              old->rule_set_index == now->rule_set_index &&
              !strcmp(old->member_name, now->member_name) &&
              !strcmp(old->client_ref, now->client_ref);
  if (!same)
    return COOP_OK;
  node_verdict_found found;
  node *self = month->session->node;
  coop_err err = node_verdict_for(self, self->identity.public_key, month->replaced_index, &found);
  if (err || found.status == NODE_AUDIT_DISPUTED)
    return err;
  char period[8];
  ledger_period_format(month->period, period);
  return books_say(month->session->message, COOP_E_BAD_INPUT,
                   "nothing would change: the statement of %s for %s in entry %llu already has "
                   "these inputs, figures, carried state and rule set, and the municipality has "
                   "not disputed it (%s); a reissue is for a month whose facts or rules changed, "
                   "or to answer a dispute", month->member->member_id, period,
                   (unsigned long long)month->replaced_index,
                   found.status == NODE_AUDIT_ACKNOWLEDGED ? "it acknowledged it"
                                                           : "no verdict yet");
}

static coop_err compute_and_append(member_month *month)
{
  ledger_statement_payload *statement = month->statement;
  ledger_offset_state state;
  size_t chosen = 0;
  coop_err err = rule_set_in_force(month, &chosen);
  if (!err)
    err = carried_state(month, &state);
  if (!err)
    err = ledger_offset_month_compute(month->rule_sets, month->rule_set_count, &statement->month,
                                      &state, &statement->figures);
  if (err)
    return statement_failed(month, err);
  statement->state_after = state;
  statement->period = month->period;
  statement->corrects = month->replaced ? month->replaced_index + 1 : 0;
  memcpy(statement->member, month->member->audience_id, LEDGER_MEMBER_ID_BYTES);
  memcpy(statement->member_name, month->member->name, sizeof statement->member_name);
  memcpy(statement->client_ref, month->member->client_ref, sizeof statement->client_ref);
  statement->has_member_key = month->member->has_member_key != 0;
  memcpy(statement->member_key, month->member->member_key, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(statement->rule_set_log, month->member->municipality, LEDGER_LOG_ID_BYTES);
  statement->rule_set_index = month->rule_set_index[chosen];
  memcpy(statement->rule_set_leaf_hash, month->rule_set_leaf[chosen], LEDGER_HASH_BYTES);
  if (month->replaced && (err = reissue_changes_something(month)))
    return err;
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  err = ledger_statement_encode(statement, &plain);
  if (err)
    err = statement_failed(month, err);
  else
    err = books_session_add(month->session, LEDGER_KIND_STATEMENT, month->member->audience_id,
                            &plain);
  coop_buf_release(&plain);
  return err ? err : book_split(month);
}

static coop_err member_statement(books_session *session, const ledger_member_row *member,
                                 uint32_t period)
{
  ledger_member_status status;
  coop_err err = ledger_books_member_status(session->node->store, member->member_id, period,
                                            &status);
  if (err || status.left)
    return err;
  if (!status.birth_period)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s has no birth month, so no age for the offset rules: run 'coop "
                     "member set %s --birth YYYY-MM --from YYYY-MM'", member->member_id,
                     member->member_id);
  member_month *month = coop_calloc(1, sizeof *month);
  ledger_statement_payload *statement = coop_calloc(1, sizeof *statement);
  if (!month || !statement)
    err = books_say(session->message, COOP_E_NOMEM, "out of memory");
  if (!err) {
    *month = (member_month){.session = session, .member = member, .period = period,
                            .statement = statement};
    err = gather_inputs(month, &status);
  }
  if (!err)
    err = compute_and_append(month);
  coop_free(statement);
  coop_free(month);
  return err;
}

typedef struct member_list {
  ledger_member_row *rows;
  size_t count, capacity;
} member_list;

static coop_err collect_member(void *context, const ledger_member_row *row)
{
  member_list *list = context;
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 64;
    ledger_member_row *rows = coop_realloc(list->rows, capacity * sizeof *rows);
    if (!rows)
      return COOP_E_NOMEM;
    list->rows = rows;
    list->capacity = capacity;
  }
  list->rows[list->count++] = *row;
  return COOP_OK;
}

/* The statement's inputs are read from the derived tables (balances, memo
 * totals, sources, status, the carried state of the last statement), and
 * those can be edited behind coop's back: a balanced edit of books_postings
 * still balances.  So before anything is signed, the tables are checked
 * against a replay of the signed log (ledger_books_check: the same code as
 * `coop rebuild`, into temp tables, compared row by row).  That covers every
 * input at once, carried state included, for the price of one replay a
 * month (docs/performance.md); recomputing only the month's inputs from its
 * entries (as node/audit.c does for the municipality) would leave the
 * carried state and the member list to the tables. */
static coop_err books_match_log(books_session *session)
{
  node *self = session->node;
  coop_err err = ledger_books_check(self->store, &self->identity);
  if (err == COOP_E_BOOKS_MISMATCH)
    return books_say(session->message, err,
                     "the books do not match the log, so no statement is signed: %s; run 'coop "
                     "rebuild'", ledger_store_problem(self->store));
  return err ? books_catch_up_failed(self, session->message, err) : COOP_OK;
}

coop_err books_statements_for_period(books_session *session, uint32_t period)
{
  coop_err err = books_match_log(session);
  if (err)
    return err;
  /* Members are read first: appending statements while walking the member
   * table would interleave a read cursor with writes. */
  member_list list = {0};
  err = ledger_books_members(session->node->store, collect_member, &list);
  if (err)
    books_say(session->message, err, "cannot list members");
  for (size_t i = 0; i < list.count && !err; i++)
    err = member_statement(session, &list.rows[i], period);
  coop_free(list.rows);
  return err;
}

coop_err books_statement_reissue(books_session *session, const char *member_id, uint32_t period,
                                 uint32_t split_date, uint64_t *replaced_index)
{
  ledger_store *store = session->node->store;
  ledger_member_row member;
  ledger_member_status status;
  char text[8];
  ledger_period_format(period, text);
  coop_err err = books_match_log(session);
  if (err)
    return err;
  err = ledger_books_member(store, member_id, &member);
  if (err == COOP_E_NOT_FOUND)
    return books_say(session->message, err, "no member '%s'", member_id);
  if (!err)
    err = ledger_books_member_status(store, member_id, period, &status);
  member_month *month = coop_calloc(1, sizeof *month);
  ledger_statement_payload *statement = coop_calloc(1, sizeof *statement);
  ledger_statement_payload *replaced = coop_calloc(1, sizeof *replaced);
  if (!err && (!month || !statement || !replaced))
    err = books_say(session->message, COOP_E_NOMEM, "out of memory");
  uint64_t index = 0;
  if (!err) {
    err = ledger_books_statement(store, member_id, period, 0, replaced, &index);
    if (err == COOP_E_NOT_FOUND)
      books_say(session->message, err, "member %s has no statement for %s to reissue", member_id,
                text);
  }
  if (!err) {
    *month = (member_month){.session = session, .member = &member, .period = period,
                            .statement = statement, .replaced = replaced,
                            .replaced_index = index, .split_date = split_date};
    err = gather_inputs(month, &status);
  }
  if (!err)
    err = compute_and_append(month);
  if (!err)
    *replaced_index = index;
  coop_free(replaced);
  coop_free(statement);
  coop_free(month);
  return err;
}
