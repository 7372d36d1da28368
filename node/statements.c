/* Monthly statements at period close: for every active member, the month's
 * inputs from the month's signed entries (the one derivation of
 * ledger/books/member_month.h, over a log_view as the municipality's audit reads
 * it), the rule set in force from the member's municipality's log, the
 * offset engine, a sealed statement entry, and the profit split booked as
 * balanced postings.  Nothing derived is trusted: members, status facts,
 * records and the carried state all come from the signed log. */
#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/books/rule_sets.h"
#include "ledger/books/statement.h"
#include "ledger/offset/offset_codec.h"
#include "node/audit.h"
#include "node/books_int.h"
#include "node/close_view_file.h"
#include "node/log_view.h"

/* The carried state of the statement a close last wrote for a member
 * (kept with the close's view): the next close starts her next month from
 * it without reading and opening that statement again. */
typedef close_view_state close_state;

typedef struct member_month {
  books_session *session;
  node_key_ring *ring;
  const log_view *view;
  const log_member *member;
  uint32_t period;
  /* Her residence in the month: the audience everything of the month is
   * sealed to and the municipality whose rules apply and who judges it. */
  const log_residence *residence;
  ledger_statement_payload *statement; /* heap: large; one per close, reset per member */
  ledger_statement_payload *read;      /* heap: a statement read back (carried_state) */
  close_state *states; /* by member position; NULL: none kept */
  /* The month's close notes what it writes here, to add it to the view
   * without reading it back (NULL: a reissue, read back by the view). */
  struct books_close_view *written_to;
  /* The rule sets of one municipality, read once per close for every
   * member who lives there (nothing appends to its log during a close). */
  uint8_t rule_sets_of[LEDGER_PUBLIC_KEY_BYTES];
  bool rule_sets_read;
  ledger_offset_rule_set rule_sets[LEDGER_MONTH_RULE_SETS_MAX];
  uint64_t rule_set_index[LEDGER_MONTH_RULE_SETS_MAX];
  uint8_t rule_set_leaf[LEDGER_MONTH_RULE_SETS_MAX][LEDGER_HASH_BYTES];
  size_t rule_set_count;
  uint8_t plain[COOP_PAYLOAD_BYTES_MAX]; /* scratch for reading a statement */
  /* A reissue: the statement it replaces (whose split is already booked)
   * and the date of the adjusting split, in the open month. */
  const ledger_statement_payload *replaced;
  uint64_t replaced_index;
  uint32_t split_date;
  /* In a cascade: the state the previous month's new statement carries
   * (NULL: read it from the log), and whether a reissue that changes
   * nothing is simply skipped (every month but the one asked for). */
  const ledger_offset_state *carried;
  bool skip_if_same;
  /* Out: the statement's carried state, its entry, or that it was skipped. */
  ledger_offset_state state_after;
  uint64_t index;
  bool unchanged;
} member_month;

/* The rule sets of the month's municipality, read from its log unless the
 * last member's were the same municipality's. */
static coop_err read_rule_sets(member_month *month)
{
  const uint8_t *municipality = month->residence->municipality;
  if (month->rule_sets_read &&
      !memcmp(month->rule_sets_of, municipality, LEDGER_PUBLIC_KEY_BYTES))
    return COOP_OK;
  month->rule_sets_read = false;
  coop_err err = ledger_offset_rule_sets_from_log(
      month->session->node->store, municipality, month->rule_sets, month->rule_set_index,
      month->rule_set_leaf, LEDGER_MONTH_RULE_SETS_MAX, &month->rule_set_count);
  if (err)
    return err;
  memcpy(month->rule_sets_of, municipality, LEDGER_PUBLIC_KEY_BYTES);
  month->rule_sets_read = true;
  return COOP_OK;
}

static coop_err rule_set_in_force(member_month *month, size_t *chosen)
{
  books_session *session = month->session;
  coop_err err = read_rule_sets(month);
  bool read = !err;
  if (read)
    err = ledger_offset_select(month->rule_sets, month->rule_set_count,
                               ledger_month_period(month->period), chosen);
  if (!err)
    return COOP_OK;
  /* Naming the municipality reads its log's first entry: only on refusal,
   * not for every member of a close. */
  char municipality[NODE_PARTY_TEXT_BYTES], period[8];
  node_party_text(session->node, month->residence->municipality, municipality);
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

/* The records the statement cites: the member's records that count in the
 * month, in date order (then log order), as the register lists them. */
static coop_err cite_sources(member_month *month)
{
  const log_view *view = month->view;
  ledger_statement_payload *statement = month->statement;
  const ledger_month_record *cited[LEDGER_STATEMENT_SOURCES_MAX];
  size_t count = 0;
  for (size_t i = 0; i < month->member->record_count; i++) {
    const ledger_month_record *record = log_view_record_of(view, month->member, i);
    if (memcmp(record->audience, month->residence->audience, LEDGER_AUDIENCE_ID_BYTES) ||
        !ledger_month_counts(record, month->period, UINT64_MAX))
      continue; /* as log_view_month: the month's records in her residence */
    if (count == LEDGER_STATEMENT_SOURCES_MAX)
      return books_say(month->session->message, COOP_E_LIMIT,
                       "member %s has more than %u records in %04u-%02u: a statement names at "
                       "most that many", month->member->member_id, LEDGER_STATEMENT_SOURCES_MAX,
                       (unsigned)(month->period / 100), (unsigned)(month->period % 100));
    /* Insertion keeps date order; records of one date stay in log order. */
    size_t at = count++;
    while (at > 0 && cited[at - 1]->date > record->date) {
      cited[at] = cited[at - 1];
      at--;
    }
    cited[at] = record;
  }
  statement->source_count = (unsigned)count;
  for (size_t i = 0; i < count; i++) {
    statement->sources[i].index = cited[i]->index;
    memcpy(statement->sources[i].leaf_hash, cited[i]->leaf, LEDGER_HASH_BYTES);
  }
  return COOP_OK;
}


/* The engine's state before the month: the carried state of the member's
 * latest statement of the latest earlier month, read from the log. */
static coop_err carried_state(member_month *month, ledger_offset_state *state)
{
  const log_statement *previous =
      log_view_previous(month->view, month->member, month->period, UINT64_MAX);
  ledger_offset_state_init(state);
  if (!previous)
    return COOP_OK;
  const close_state *kept = month->states ? &month->states[month->member - month->view->members]
                                          : NULL;
  if (kept && kept->statement == previous->index + 1) {
    *state = kept->state; /* the one this node computed and signed */
    return COOP_OK;
  }
  coop_err err = log_view_statement(month->ring, month->view->log_id, previous->index, month->plain,
                                    month->read, NULL);
  if (!err)
    *state = month->read->state_after;
  return err;
}

static coop_err note_written(member_month *month, uint64_t index, uint32_t period,
                             const ledger_record *split);

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
  /* A reissue's difference is booked in the open month but belongs to the
   * statement's month: the year's splits then reconcile with its
   * statements even when the reissue falls in the next year. */
  if (date / 100 > month->period)
    record.for_period = month->period;
  memcpy(record.member, month->member->audience, LEDGER_MEMBER_ID_BYTES);
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
  uint64_t index = month->session->base_size + month->session->pending;
  coop_err err = ledger_record_encode(&record, &plain);
  if (!err)
    err = books_session_add(month->session, LEDGER_KIND_TRANSACTION, month->residence->audience,
                            &plain);
  coop_buf_release(&plain);
  return err ? err : note_written(month, index, 0, &record);
}

static int64_t magnitude(int64_t value)
{
  return value < 0 ? (value == INT64_MIN ? INT64_MAX : -value) : value;
}

/* The member's record with the largest figure in the month: the one to
 * look at first when a figure is out of range.  False: none. */
static bool largest_record(const member_month *month, uint64_t *index)
{
  int64_t largest = -1;
  for (size_t i = 0; i < month->member->record_count; i++) {
    const ledger_month_record *record = log_view_record_of(month->view, month->member, i);
    if (!ledger_month_counts(record, month->period, UINT64_MAX))
      continue;
    int64_t size = magnitude(record->quantity);
    int64_t amounts[] = {record->revenue, record->costs, record->allowance, record->spend};
    for (size_t a = 0; a < sizeof amounts / sizeof *amounts; a++)
      if (magnitude(amounts[a]) > size)
        size = magnitude(amounts[a]);
    if (size > largest) {
      largest = size;
      *index = record->index;
    }
  }
  return largest >= 0;
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
  /* Age and month come from the member's facts, not from a record. */
  int a_record_to_blame = !field || (strcmp(field, "age") && strcmp(field, "period"));
  if (field && !a_record_to_blame)
    snprintf(culprit, sizeof culprit, "; the member's %s is out of range (check their birth "
             "month with 'coop member show')", field);
  uint64_t largest = 0;
  if ((err == COOP_E_RANGE || err == COOP_E_OVERFLOW) && a_record_to_blame &&
      largest_record(month, &largest)) {
    size_t used = strlen(culprit);
    snprintf(culprit + used, sizeof culprit - used,
             "; check entry %llu, the largest figure that month ('coop correct' it)",
             (unsigned long long)largest);
  }
  return books_say(session->message, err, "cannot compute the statement of %s for %s: %s%s",
                   month->member->member_id, period, coop_err_message(err), culprit);
}

/* A reissue must change something: the inputs, figures or carried state,
 * the rule set, or who the statement names.  Otherwise it would only put a
 * second statement saying the same beside an acknowledged one (and a
 * receipt of the first would look superseded) - unless the municipality
 * disputed the first, when the coop may answer with the same figures. */
static bool same_sources(const ledger_statement_payload *a, const ledger_statement_payload *b)
{
  if (a->source_count != b->source_count)
    return false;
  for (unsigned i = 0; i < a->source_count; i++)
    if (a->sources[i].index != b->sources[i].index)
      return false;
  return true;
}

static bool reissue_same(const member_month *month)
{
  const ledger_statement_payload *old = month->replaced, *now = month->statement;
  return !ledger_statement_differences(old, &now->month, &now->figures, &now->state_after) &&
         same_sources(old, now) &&
         !memcmp(old->rule_set_log, now->rule_set_log, LEDGER_LOG_ID_BYTES) &&
         old->rule_set_index == now->rule_set_index &&
         !strcmp(old->member_name, now->member_name) && !strcmp(old->client_ref, now->client_ref);
}

static coop_err reissue_changes_something(member_month *month)
{
  if (!reissue_same(month))
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
  if (!err && month->carried)
    state = *month->carried;
  else if (!err)
    err = carried_state(month, &state);
  if (!err)
    err = ledger_offset_month_compute(month->rule_sets, month->rule_set_count, &statement->month,
                                      &state, &statement->figures);
  if (err)
    return statement_failed(month, err);
  statement->state_after = state;
  statement->period = month->period;
  statement->corrects = month->replaced ? month->replaced_index + 1 : 0;
  static const uint8_t no_key[LEDGER_PUBLIC_KEY_BYTES];
  memcpy(statement->member, month->member->audience, LEDGER_MEMBER_ID_BYTES);
  /* Named as her details of the month's residence say (its municipality
   * knows her by its own client ref). */
  const log_member_details *details =
      log_view_details_at(month->member, month->residence->audience, UINT64_MAX);
  if (!details)
    return books_say(month->session->message, COOP_E_TAMPERED,
                     "the details of member %s in this month's residence do not open",
                     month->member->member_id);
  memcpy(statement->member_name, details->name, sizeof statement->member_name);
  memcpy(statement->client_ref, details->client_ref, sizeof statement->client_ref);
  statement->has_member_key = memcmp(details->member_key, no_key, sizeof no_key) != 0;
  memcpy(statement->member_key, details->member_key, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(statement->rule_set_log, month->residence->municipality, LEDGER_LOG_ID_BYTES);
  statement->rule_set_index = month->rule_set_index[chosen];
  memcpy(statement->rule_set_leaf_hash, month->rule_set_leaf[chosen], LEDGER_HASH_BYTES);
  month->state_after = state;
  books_session *session = month->session;
  if (session->preview && !(month->replaced && month->skip_if_same && reissue_same(month)) &&
      (err = session->preview(session->preview_context, month->member->member_id, statement)))
    return err;
  if (month->replaced && month->skip_if_same && reissue_same(month)) {
    month->unchanged = true;
    return COOP_OK;
  }
  if (month->replaced && (err = reissue_changes_something(month)))
    return err;
  month->index = month->session->base_size + month->session->pending;
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  err = ledger_statement_encode(statement, &plain);
  if (err)
    err = statement_failed(month, err);
  else
    err = books_session_add(month->session, LEDGER_KIND_STATEMENT, month->residence->audience,
                            &plain);
  coop_buf_release(&plain);
  if (!err && month->states)
    month->states[month->member - month->view->members] =
        (close_state){.statement = month->index + 1, .state = state};
  if (!err)
    err = note_written(month, month->index, month->period, NULL);
  return err ? err : book_split(month);
}

/* Zeroes `statement` (all zero when it was last reset) as calloc would,
 * writing only what the last member's statement used: the 1,000 sources
 * are 40 KB, a member's month has a few. */
static void statement_reset(ledger_statement_payload *statement)
{
  size_t names = offsetof(ledger_statement_payload, member_name);
  memset(statement, 0,
         offsetof(ledger_statement_payload, sources) +
             statement->source_count * sizeof statement->sources[0]);
  memset((uint8_t *)statement + names, 0, sizeof *statement - names);
}

/* The member's month, computed and appended (with its split); `month`
 * holds the view, the member and (for a reissue) what it replaces. */
static coop_err month_statement(member_month *month)
{
  books_session *session = month->session;
  const log_member *member = month->member;
  month->residence = log_view_residence_at(member, month->period);
  ledger_member_status status;
  ledger_member_status_at(month->residence->facts, month->residence->fact_count, month->period,
                          UINT64_MAX, &status);
  if (status.left && !month->replaced)
    return COOP_OK;
  if (!status.birth_period)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s (%s) has no birth month, so no age for the offset rules: run "
                     "'coop member set %s --birth YYYY-MM --from YYYY-MM'", member->name,
                     member->member_id, member->member_id);
  statement_reset(month->statement);
  coop_err err = cite_sources(month);
  if (!err) {
    log_view_inputs(month->view, month->member, month->period, UINT64_MAX,
                    &month->statement->month);
    err = compute_and_append(month);
  }
  return err;
}

/* Says why the coop's own log could not be read. */
static coop_err load_failed(books_session *session, coop_err err)
{
  if (err == COOP_E_TAMPERED)
    return books_say(session->message, err,
                     "an entry of this node's own log does not open or decode, so no statement "
                     "is signed; run 'coop verify'");
  return books_catch_up_failed(session->node, session->message, err);
}

/* Reads the coop's own log whole (every member, fact, record and
 * statement) into `view`, saying so when it cannot. */
static coop_err load_own_log(books_session *session, node_key_ring *ring, log_view *view)
{
  /* Each page of the log is read once here: through the books' 64 MiB
   * cache every page read was a fresh allocation and fresh memory (page
   * faults), through the default cache the same buffers are reused.
   * Measured on a one-shot close of 10,000 members: 6 % less CPU, 20 MiB
   * less peak memory (docs/performance.md). */
  ledger_store *store = session->node->store;
  size_t before = ledger_store_cache(store);
  coop_err err = ledger_store_set_cache(store, LEDGER_STORE_CACHE_DEFAULT_BYTES);
  if (!err)
    err = log_view_load(ring, session->node->identity.public_key, 0, view);
  coop_err restored = ledger_store_set_cache(store, before);
  if (!err)
    err = restored;
  return err ? load_failed(session, err) : COOP_OK;
}

/* The coop's own log as a close reads it, kept on the node from one close
 * to the next (node->close_view) so that a close reads only what was
 * appended since the last: entries [0, size) are in the view. */
struct books_close_view {
  log_view view;
  uint64_t size;
  uint8_t last_leaf[LEDGER_HASH_BYTES]; /* of entry size - 1 */
  close_state *states; /* by member position, state_count of them */
  size_t state_count;
  /* What the month's statements wrote, from entry `size` on, in log order:
   * added to the view once appended (books_close_view_add_written). */
  struct close_written {
    uint64_t index;
    uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
    uint32_t period;           /* a statement's month; 0: a profit split */
    ledger_month_record split; /* a split's figures */
  } *written;
  size_t written_count, written_capacity;
  /* Committed closes since the file was written: written when the node
   * closes (node_close_view_free), not after each close. */
  bool unsaved;
  /* The file the view came from or last went to: the next save appends
   * to it (invalid: the view was read afresh, it is written whole). */
  close_view_mark file;
};

/* Notes an entry the close wrote for `month`'s member: a statement of
 * `period` (split NULL) or a profit split. */
static coop_err note_written(member_month *month, uint64_t index, uint32_t period,
                             const ledger_record *split)
{
  books_close_view *kept = month->written_to;
  if (!kept)
    return COOP_OK;
  if (coop_grow((void **)&kept->written, &kept->written_capacity, kept->written_count,
                sizeof *kept->written))
    return books_say(month->session->message, COOP_E_NOMEM, "out of memory");
  struct close_written *item = &kept->written[kept->written_count++];
  item->index = index;
  memcpy(item->audience, month->residence->audience, LEDGER_AUDIENCE_ID_BYTES);
  item->period = period;
  if (split)
    ledger_month_record_from(split, &item->split);
  return COOP_OK;
}

void books_close_view_free(books_close_view *kept)
{
  if (!kept)
    return;
  log_view_free(&kept->view);
  coop_free(kept->states);
  coop_free(kept->written);
  coop_free(kept);
}

/* A kept state for every member of the view (new ones: none). */
static coop_err states_for_members(books_session *session, books_close_view *kept)
{
  size_t count = kept->view.member_count;
  if (count <= kept->state_count)
    return COOP_OK;
  close_state *grown = coop_realloc(kept->states, count * sizeof *grown);
  if (!grown)
    return books_say(session->message, COOP_E_NOMEM, "out of memory");
  memset(grown + kept->state_count, 0, (count - kept->state_count) * sizeof *grown);
  kept->states = grown;
  kept->state_count = count;
  return COOP_OK;
}

/* The leaf hash of the own log's entry `size` - 1 (size > 0: the log
 * begins with the identity entry). */
static coop_err last_leaf(books_session *session, uint64_t size, uint8_t leaf[LEDGER_HASH_BYTES])
{
  node *self = session->node;
  return ledger_store_leaf_hash(self->store, self->identity.public_key, size - 1, leaf);
}

/* Adds one written entry to the view, with the leaf hash the log stored. */
static coop_err add_written(books_close_view *kept, const struct close_written *item,
                            const uint8_t leaf[LEDGER_HASH_BYTES])
{
  if (item->period)
    return log_view_add_statement(&kept->view, item->audience, item->index, leaf, item->period);
  return log_view_add_record(&kept->view, item->audience, item->index, leaf, &item->split);
}

/* How many of the written entries directly follow the view, all appended:
 * anything else is read back by the next close. */
static size_t written_in_order(const books_session *session, const books_close_view *kept)
{
  size_t count = 0;
  while (count < kept->written_count && kept->written[count].index == kept->size + count &&
         kept->written[count].index < session->base_size)
    count++;
  return count;
}

bool books_close_view_add_written(books_session *session, books_close_view *kept)
{
  size_t count = written_in_order(session, kept);
  kept->written_count = 0;
  if (!count)
    return true;
  node *self = session->node;
  uint8_t(*leaves)[LEDGER_HASH_BYTES] = coop_malloc(count * sizeof *leaves);
  coop_err err = leaves ? ledger_store_leaf_hashes(self->store, self->identity.public_key,
                                                   kept->size, count, leaves)
                        : COOP_E_NOMEM;
  for (size_t i = 0; i < count && !err; i++)
    err = add_written(kept, &kept->written[i], leaves[i]);
  if (!err) {
    kept->size += count;
    memcpy(kept->last_leaf, leaves[count - 1], LEDGER_HASH_BYTES);
  }
  coop_free(leaves);
  return !err;
}

/* Is the log the kept view read still the start of the log: as long, and
 * the same entry where the view ends?  Not after a restore from an older
 * backup, say (node_restore swaps the database under an open node). */
static coop_err still_the_log(books_session *session, const books_close_view *kept, bool *same)
{
  uint8_t leaf[LEDGER_HASH_BYTES];
  *same = false;
  if (session->base_size < kept->size)
    return COOP_OK;
  coop_err err = last_leaf(session, kept->size, leaf);
  if (!err)
    *same = !sodium_memcmp(leaf, kept->last_leaf, sizeof leaf);
  return err;
}

/* Reads the entries of the own log past the view: all of them for a new
 * one, and all again when the new ones change how earlier ones read (an
 * erasure) or the log is not the one the view read (*whole says whether
 * it read from the start).  Nothing may be pending: the view reads the
 * log, not the session's queue. */
static coop_err close_view_read(books_session *session, books_close_view *kept, bool fresh,
                                bool *whole)
{
  assert(session->pending == 0);
  node_key_ring *ring = node_keys(session->node);
  bool reread = false, same = false;
  coop_err err = fresh ? COOP_OK : still_the_log(session, kept, &same);
  fresh |= !same;
  if (!err && !fresh)
    err = log_view_extend(ring, &kept->view, kept->size, session->base_size, &reread);
  *whole = fresh || reread;
  if (!err && (fresh || reread)) {
    /* Read again from the start: member positions may differ, and the
     * file's arrays are no longer a start of the view's. */
    kept->file.valid = false;
    log_view_free(&kept->view);
    kept->state_count = 0;
    err = load_own_log(session, ring, &kept->view);
  } else if (err) {
    err = load_failed(session, err);
  }
  if (!err)
    err = states_for_members(session, kept);
  if (!err && (err = last_leaf(session, session->base_size, kept->last_leaf)))
    err = load_failed(session, err);
  if (!err)
    kept->size = session->base_size;
  return err;
}

/* COOP_DEBUG_CLOSE_VIEW in the environment makes the close say on stderr
 * where its view came from ("close view: kept (size N, ...)", "close view:
 * read the log"), and why a file was not used; set to "check", a view
 * taken from the file is first compared with a fresh read of the entries
 * it covers (and its carried states with the statements they came from),
 * and the close refuses to go on when they differ.  For tests and
 * benchmarks: a cache must be seen to be used, and to be right. */
typedef enum close_view_debug { DEBUG_OFF, DEBUG_SAY, DEBUG_CHECK } close_view_debug;

static close_view_debug debug_level(void)
{
  const char *value = getenv("COOP_DEBUG_CLOSE_VIEW");
  if (!value || !*value || !strcmp(value, "0"))
    return DEBUG_OFF;
  return strcmp(value, "check") ? DEBUG_SAY : DEBUG_CHECK;
}

static void debug_say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void debug_say(const char *format, ...)
{
  if (debug_level() == DEBUG_OFF)
    return;
  va_list arguments;
  va_start(arguments, format);
  fputs("close view: ", stderr);
  vfprintf(stderr, format, arguments);
  fputc('\n', stderr);
  va_end(arguments);
}

static coop_err view_check(node *self, const log_view *kept, uint64_t size,
                           char message[NODE_MESSAGE_BYTES]);

/* Milliseconds on the monotonic clock, for the debug lines. */
static double debug_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

/* Is every carried state the file gave the one its statement carries?
 * Read from the log (the check of DEBUG_CHECK). */
static coop_err states_check(books_session *session, const books_close_view *kept)
{
  node_key_ring *ring = node_keys(session->node);
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  ledger_statement_payload *read = coop_malloc(sizeof *read);
  coop_err err = plain && read ? COOP_OK : COOP_E_NOMEM;
  size_t i = 0;
  for (; !err && i < kept->state_count; i++) {
    const close_state *state = &kept->states[i];
    if (!state->statement)
      continue;
    err = log_view_statement(ring, kept->view.log_id, state->statement - 1, plain, read, NULL);
    if (!err && !ledger_statement_same_state(&state->state, &read->state_after))
      err = COOP_E_BOOKS_MISMATCH;
  }
  if (plain)
    sodium_memzero(plain, COOP_PAYLOAD_BYTES_MAX); /* a member's statement, opened */
  if (read)
    sodium_memzero(read, sizeof *read);
  coop_free(plain);
  coop_free(read);
  if (err)
    return books_say(session->message, COOP_E_BOOKS_MISMATCH,
                     "the close view file's carried state of member position %zu differs from "
                     "its statement: %s", i - 1, coop_err_message(err));
  return COOP_OK;
}

/* Takes the view the last close wrote to the file, when there is one this
 * node wrote (tag), that reflects a start of the own log as it is now
 * (size, last leaf: checked by close_view_read).  Anything else is not an
 * error: *fresh stays true and the close reads the whole log. */
static coop_err close_view_from_file(books_session *session, books_close_view *kept, bool *fresh)
{
  close_view_image image = {.view = &kept->view};
  const char *why = NULL;
  if (close_view_file_load(session->node, &image, &why)) {
    debug_say("file not used: %s", why);
    return COOP_OK;
  }
  kept->size = image.size;
  memcpy(kept->last_leaf, image.last_leaf, LEDGER_HASH_BYTES);
  kept->states = image.states;
  kept->state_count = image.state_count;
  kept->file = image.mark;
  *fresh = false;
  if (image.dropped_bytes)
    debug_say("file: %u segments used, the %llu bytes after them not (%s)", image.mark.segments,
              (unsigned long long)image.dropped_bytes, image.dropped_why);
  if (debug_level() != DEBUG_CHECK)
    return COOP_OK;
  bool same = false;
  coop_err err = still_the_log(session, kept, &same);
  if (!err && same && !(err = view_check(session->node, &kept->view, kept->size,
                                         session->message)))
    err = states_check(session, kept);
  if (!err)
    debug_say(same ? "file checked against the log: the same" : "file not the log's start");
  return err;
}

coop_err books_close_view_begin(books_session *session, books_close_view **out)
{
  node *self = session->node;
  books_close_view *kept = self->close_view;
  /* The close's own until it commits: a rolled back close may have read
   * entries that are then gone. */
  self->close_view = NULL;
  *out = NULL;
  bool fresh = !kept, whole = false;
  const char *from = fresh ? "the file" : "memory";
  if (fresh && !(kept = coop_calloc(1, sizeof *kept)))
    return books_say(session->message, COOP_E_NOMEM, "out of memory");
  double started = debug_ms();
  coop_err err = fresh ? close_view_from_file(session, kept, &fresh) : COOP_OK;
  double loaded = debug_ms();
  uint64_t size = kept->size;
  if (!err)
    err = close_view_read(session, kept, fresh, &whole);
  if (err) {
    books_close_view_free(kept);
    return err;
  }
  if (whole)
    debug_say("read the log (size %llu, %.0f ms)", (unsigned long long)kept->size,
              debug_ms() - started);
  else
    debug_say("kept (size %llu, from %s in %.0f ms), read %llu new entries in %.0f ms",
              (unsigned long long)size, from, loaded - started,
              (unsigned long long)(kept->size - size), debug_ms() - loaded);
  *out = kept;
  return COOP_OK;
}

coop_err books_close_view_catch_up(books_session *session, books_close_view *kept)
{
  if (session->pending == 0 && session->base_size == kept->size)
    return COOP_OK; /* nothing appended since (no reissue was due) */
  bool whole = false;
  return close_view_read(session, kept, false, &whole);
}

/* May the view go to the file: is it still a start of the own log, with
 * no erasure after it?  Another process may have erased a member since
 * (and removed the file): her name must not come back in it. */
static bool still_writable(node *self, const books_close_view *kept)
{
  uint8_t leaf[LEDGER_HASH_BYTES];
  uint64_t erasures = 0;
  size_t shown = 0;
  return ledger_store_leaf_hash(self->store, self->identity.public_key, kept->size - 1, leaf) ==
             COOP_OK &&
         !sodium_memcmp(leaf, kept->last_leaf, sizeof leaf) &&
         ledger_store_erasure_entries(self->store, self->identity.public_key, kept->size, NULL, 0,
                                      &shown, &erasures) == COOP_OK &&
         erasures == 0;
}

/* Writes the kept view to the file for the next close of another process
 * (a one-shot command).  Its failure fails nothing: the closes have
 * committed, and the next close reads the log when the file is missing or
 * behind. */
static void close_view_write(node *self, books_close_view *kept)
{
  close_view_image image = {.view = &kept->view, .size = kept->size, .states = kept->states,
                            .state_count = kept->state_count, .mark = kept->file};
  memcpy(image.last_leaf, kept->last_leaf, LEDGER_HASH_BYTES);
  if (!still_writable(self, kept)) {
    debug_say("file not written: the log changed under the view (an erasure, a restore)");
    return;
  }
  double started = debug_ms();
  coop_err err = close_view_file_save(self, &image);
  kept->file = image.mark;
  if (err)
    debug_say("file not written: %s", coop_err_message(err));
  else
    debug_say("file written (size %llu, %s, %zu bytes, segment %u, %.0f ms)",
              (unsigned long long)kept->size, image.appended ? "appended" : "whole",
              image.written_bytes, image.mark.segments, debug_ms() - started);
}

void books_close_view_end(node *self, books_close_view *kept, bool committed)
{
  if (committed && kept && !self->close_view) {
    /* To the file when the node closes: a process that closes month after
     * month (the web app, the daemon, a benchmark) writes it once, not
     * ~10 MB per close.  A crash before then leaves the file of an earlier
     * close: a shorter start of the log, still used. */
    kept->unsaved = true;
    self->close_view = kept;
  } else {
    books_close_view_free(kept);
  }
}

void node_close_view_free(node *self)
{
  if (self->close_view && self->close_view->unsaved)
    close_view_write(self, self->close_view);
  books_close_view_free(self->close_view);
  self->close_view = NULL;
}

/* ---- Checking a kept view against the log (node_close_view_check) ---- */

static bool same_record(const ledger_month_record *a, const ledger_month_record *b)
{
  return !memcmp(a->audience, b->audience, LEDGER_AUDIENCE_ID_BYTES) && a->index == b->index &&
         !memcmp(a->leaf, b->leaf, LEDGER_HASH_BYTES) && a->date == b->date &&
         a->period == b->period && a->type == b->type && a->memo_type == b->memo_type &&
         a->quantity == b->quantity && a->revenue == b->revenue && a->costs == b->costs &&
         a->allowance == b->allowance && a->spend == b->spend;
}

static bool same_statement(const log_statement *a, const log_statement *b)
{
  return !memcmp(a->audience, b->audience, LEDGER_AUDIENCE_ID_BYTES) && a->index == b->index &&
         !memcmp(a->leaf, b->leaf, LEDGER_HASH_BYTES) && a->period == b->period;
}

static bool same_member(const log_member *a, const log_member *b)
{
  return !memcmp(a->audience, b->audience, LEDGER_AUDIENCE_ID_BYTES) &&
         a->fact_count == b->fact_count && a->residence_count == b->residence_count &&
         a->detail_count == b->detail_count && a->record_count == b->record_count &&
         a->statement_count == b->statement_count &&
         !memcmp(a->records, b->records, a->record_count * sizeof *a->records) &&
         !memcmp(a->statements, b->statements, a->statement_count * sizeof *a->statements);
}

/* The first difference between two views of the same entries, or NULL. */
static const char *views_differ(const log_view *kept, const log_view *fresh, size_t *at)
{
  *at = 0;
  if (kept->member_count != fresh->member_count)
    return "member count";
  for (*at = 0; *at < kept->member_count; (*at)++)
    if (!same_member(&kept->members[*at], &fresh->members[*at]))
      return "member";
  if (kept->record_count != fresh->record_count)
    return "record count";
  for (*at = 0; *at < kept->record_count; (*at)++)
    if (!same_record(&kept->records[*at], &fresh->records[*at]))
      return "record";
  if (kept->statement_count != fresh->statement_count)
    return "statement count";
  for (*at = 0; *at < kept->statement_count; (*at)++)
    if (!same_statement(&kept->statements[*at], &fresh->statements[*at]))
      return "statement";
  *at = 0;
  if (kept->closed_count != fresh->closed_count ||
      (kept->closed_count &&
       memcmp(kept->closed, fresh->closed, kept->closed_count * sizeof *kept->closed)) ||
      kept->last_close_index != fresh->last_close_index)
    return "closed months";
  return NULL;
}

/* Compares `kept`, a view of the own log's entries [0, size), with a
 * fresh read of them. */
static coop_err view_check(node *self, const log_view *kept, uint64_t size,
                           char message[NODE_MESSAGE_BYTES])
{
  log_view fresh;
  memset(&fresh, 0, sizeof fresh);
  memcpy(fresh.log_id, kept->log_id, LEDGER_LOG_ID_BYTES);
  bool reread = false;
  coop_err err = log_view_extend(node_keys(self), &fresh, 0, size, &reread);
  if (err) {
    log_view_free(&fresh);
    return books_say(message, err, "cannot read the own log: %s", coop_err_message(err));
  }
  size_t at = 0;
  const char *what = views_differ(kept, &fresh, &at);
  log_view_free(&fresh);
  if (what)
    return books_say(message, COOP_E_BOOKS_MISMATCH,
                     "the kept close view differs from the log's first %llu entries: %s %zu",
                     (unsigned long long)size, what, at);
  return COOP_OK;
}

coop_err node_close_view_check(node *self, bool *kept_one, char message[NODE_MESSAGE_BYTES])
{
  const books_close_view *kept = self->close_view;
  *kept_one = kept != NULL;
  if (!kept)
    return COOP_OK;
  return view_check(self, &kept->view, kept->size, message);
}

/* Sets `month` up for one member: the per-close parts (session, view,
 * the rule sets read, scratch) stay, the rest starts afresh.  Not a
 * struct assignment: the rule sets and the scratch are ~100 KiB. */
static void month_for(member_month *month, const log_member *member, uint32_t period)
{
  month->member = member;
  month->period = period;
  month->residence = NULL;
  month->replaced = NULL;
  month->replaced_index = 0;
  month->carried = NULL;
  month->skip_if_same = false;
  month->index = 0;
  month->unchanged = false;
}

static void month_free(member_month *month)
{
  if (!month)
    return;
  coop_free(month->statement);
  coop_free(month->read);
  coop_free(month);
}

/* A member_month over `view` (heap: large), with the node's one ring and
 * its statement buffers: allocated once, not per member. */
static coop_err month_over(books_session *session, const log_view *view, uint32_t split_date,
                           member_month **month)
{
  *month = coop_calloc(1, sizeof **month);
  if (*month) {
    **month = (member_month){.session = session, .ring = node_keys(session->node), .view = view,
                             .split_date = split_date};
    (*month)->statement = coop_calloc(1, sizeof *(*month)->statement); /* statement_reset */
    (*month)->read = coop_malloc(sizeof *(*month)->read);
  }
  if (*month && (*month)->statement && (*month)->read)
    return COOP_OK;
  month_free(*month);
  *month = NULL;
  return books_say(session->message, COOP_E_NOMEM, "out of memory");
}

coop_err books_statements_for_period(books_session *session, books_close_view *kept,
                                     uint32_t period)
{
  const log_view *view = &kept->view;
  member_month *month = NULL;
  coop_err err = month_over(session, view, 0, &month);
  kept->written_count = 0;
  if (!err) {
    month->states = kept->states;
    month->written_to = kept;
  }
  for (size_t i = 0; !err && i < view->member_count; i++) {
    month_for(month, &view->members[i], period);
    err = month_statement(month);
  }
  month_free(month);
  return err;
}

static const log_member *member_by_id(const log_view *view, const char *member_id)
{
  for (size_t i = 0; i < view->member_count; i++)
    if (!strcmp(view->members[i].member_id, member_id))
      return &view->members[i];
  return NULL;
}

void node_reissue_list_free(node_reissue_list *list)
{
  coop_free(list->items);
  memset(list, 0, sizeof *list);
}

static coop_err reissue_said(books_session *session, node_reissue_list *done,
                             const member_month *month)
{
  if (!done)
    return COOP_OK;
  if (done->count == done->capacity) {
    size_t capacity = done->capacity ? 2 * done->capacity : 16;
    node_reissue *grown = coop_realloc(done->items, capacity * sizeof *grown);
    if (!grown)
      return books_say(session->message, COOP_E_NOMEM, "out of memory");
    done->items = grown;
    done->capacity = capacity;
  }
  node_reissue *item = &done->items[done->count++];
  memset(item, 0, sizeof *item);
  memcpy(item->member_id, month->member->member_id, sizeof item->member_id);
  item->period = month->period;
  item->replaced = month->replaced_index;
  item->index = month->index;
  return COOP_OK;
}

/* Reissues the member's months from `from` through the last closed one,
 * each from the state the month before now carries.  The first month is
 * reissued even when nothing changes there only if `asked` is false (a
 * due month always changes); an asked month that would not change is
 * refused (reissue_changes_something). */
static coop_err reissue_cascade(member_month *month, uint32_t from, bool asked,
                                node_reissue_list *done)
{
  books_session *session = month->session;
  /* A closed year's statements are final: nothing that could make them due
   * is accepted after its close (node_year_close refuses while one is). */
  if (node_months_in_closed_year(&session->months, from)) {
    char text[8];
    ledger_period_format(from, text);
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "cannot reissue %s of %s: %u is a closed year, its statements are final",
                     text, month->member->member_id, (unsigned)(from / 100));
  }
  ledger_statement_payload *replaced = coop_malloc(sizeof *replaced);
  if (!replaced)
    return books_say(session->message, COOP_E_NOMEM, "out of memory");
  ledger_offset_state carried;
  bool has_carried = false;
  coop_err err = COOP_OK;
  uint32_t last = session->months.last_closed;
  const log_residence *residence = NULL;
  for (uint32_t period = from; period && period <= last && !err;
       period = node_month_next(period)) {
    const log_statement *latest = log_view_latest(month->view, month->member, period);
    if (!latest)
      continue; /* no statement that month (not a member yet, or left) */
    if (residence != log_view_residence_at(month->member, period))
      has_carried = false; /* she moved: a fresh state (log_view_previous) */
    residence = log_view_residence_at(month->member, period);
    err = log_view_statement(month->ring, month->view->log_id, latest->index, month->plain,
                             replaced, NULL);
    if (err)
      break;
    month->period = period;
    month->replaced = replaced;
    month->replaced_index = latest->index;
    month->carried = has_carried ? &carried : NULL;
    month->skip_if_same = !(asked && period == from);
    month->unchanged = false;
    err = month_statement(month);
    if (!err) {
      carried = month->state_after;
      has_carried = true;
      if (!month->unchanged)
        err = reissue_said(session, done, month);
    }
  }
  coop_free(replaced);
  return err;
}

/* Loads the coop's own log whole (a cascade reads every closed month) and
 * sets `month` up over it. */
static coop_err cascade_begin(books_session *session, node_key_ring *ring, log_view *view,
                              uint32_t split_date, member_month **month)
{
  *month = NULL;
  coop_err err = load_own_log(session, ring, view);
  if (!err && (err = month_over(session, view, split_date, month)))
    log_view_free(view);
  return err;
}

static void cascade_end(log_view *view, member_month *month)
{
  if (month) {
    month_free(month);
    log_view_free(view);
  }
}

coop_err books_statement_reissue(books_session *session, const char *member_id, uint32_t period,
                                 uint32_t split_date, node_reissue_list *done)
{
  node_key_ring *ring = node_keys(session->node); /* the node's one ring */
  log_view view;
  member_month *month = NULL;
  coop_err err = cascade_begin(session, ring, &view, split_date, &month);
  char text[8];
  ledger_period_format(period, text);
  if (!err && !(month->member = member_by_id(&view, member_id)))
    err = books_say(session->message, COOP_E_NOT_FOUND, "no member '%s'", member_id);
  if (!err && !log_view_latest(&view, month->member, period))
    err = books_say(session->message, COOP_E_NOT_FOUND,
                    "member %s has no statement for %s to reissue", member_id, text);
  if (!err)
    err = reissue_cascade(month, period, true, done);
  cascade_end(&view, month);
  return err;
}

/* The member's earliest closed month whose statement in force is out of
 * date (0: none). */
static coop_err earliest_due(member_month *month, uint32_t *earliest)
{
  *earliest = 0;
  const log_view *view = month->view;
  const log_member *who = month->member;
  for (size_t i = 0; i < who->statement_count; i++) {
    const log_statement *item = log_view_statement_of(view, who, i);
    if (log_view_latest(view, who, item->period) != item ||
        (*earliest && item->period >= *earliest))
      continue;
    uint64_t cause = 0;
    coop_err err = log_view_reissue_cause(month->ring, view, who, item, month->plain, &cause);
    if (err)
      return err;
    if (cause)
      *earliest = item->period;
  }
  return COOP_OK;
}

/* Calls `visit` for every member whose statement in force of some closed
 * month is out of date, with the earliest such month, until it sets *stop. */
typedef coop_err (*due_visitor)(member_month *month, uint32_t earliest, void *context,
                                bool *stop);

static coop_err each_due_in(member_month *month, due_visitor visit, void *context)
{
  const log_view *view = month->view;
  bool stop = false;
  coop_err err = COOP_OK;
  for (size_t i = 0; !err && !stop && i < view->member_count; i++) {
    month->member = &view->members[i];
    uint32_t earliest = 0;
    err = earliest_due(month, &earliest);
    if (!err && earliest)
      err = visit(month, earliest, context, &stop);
  }
  return err;
}

static coop_err each_due(books_session *session, uint32_t split_date, due_visitor visit,
                         void *context)
{
  log_view view;
  member_month *month = NULL;
  coop_err err = cascade_begin(session, node_keys(session->node), &view, split_date, &month);
  if (!err)
    err = each_due_in(month, visit, context);
  cascade_end(&view, month);
  return err;
}

typedef struct due_through {
  uint32_t through, *period;
  char *member_id;
} due_through;

static coop_err first_due_through(member_month *month, uint32_t earliest, void *context,
                                  bool *stop)
{
  due_through *search = context;
  if (earliest > search->through)
    return COOP_OK;
  *search->period = earliest;
  snprintf(search->member_id, LEDGER_MEMBER_ID_CHARS + 1, "%s", month->member->member_id);
  *stop = true;
  return COOP_OK;
}

coop_err books_reissue_due_through(books_session *session, uint32_t through,
                                   char member_id[LEDGER_MEMBER_ID_CHARS + 1], uint32_t *period)
{
  *period = 0;
  due_through search = {.through = through, .period = period, .member_id = member_id};
  return each_due(session, 0, first_due_through, &search);
}

static coop_err reissue_from(member_month *month, uint32_t earliest, void *context, bool *stop)
{
  (void)stop;
  return reissue_cascade(month, earliest, false, context);
}

/* Can a closed month be due for a reissue?  The close of the last closed
 * month reissued every month that was due then, so only an entry after
 * its close entry can have made one due: a record that counts in a closed
 * month (a late correction), a status fact or a move from one, a
 * statement (a reissue outside a close, whose cascade may have stopped at
 * an unchanged month).  True when the view cannot tell. */
static bool due_possible(const log_view *view, uint32_t last_closed)
{
  uint64_t since = view->last_close_index;
  if (!since || !view->closed_count || view->closed[view->closed_count - 1] != last_closed)
    return true;
  if (view->statement_count && view->statements[view->statement_count - 1].index > since)
    return true;
  /* Records are in log order: the new ones are at the end. */
  for (size_t i = view->record_count; i > 0 && view->records[i - 1].index > since; i--) {
    const ledger_month_record *record = &view->records[i - 1];
    if (record->period <= last_closed && ledger_month_counts(record, record->period, UINT64_MAX))
      return true;
  }
  for (size_t m = 0; m < view->member_count; m++) {
    const log_member *who = &view->members[m];
    for (size_t f = who->fact_count; f > 0 && who->facts[f - 1].index > since; f--)
      if (who->facts[f - 1].from_period <= last_closed)
        return true;
    for (size_t r = 0; r < who->residence_count; r++)
      if (who->residences[r].index > since && who->residences[r].from_period <= last_closed)
        return true; /* a move (a new member's first residence is from 0: her enrolment) */
  }
  return false;
}

coop_err books_reissue_due(books_session *session, const books_close_view *kept,
                           uint32_t split_date, node_reissue_list *done)
{
  if (!due_possible(&kept->view, session->months.last_closed))
    return COOP_OK;
  member_month *month = NULL;
  coop_err err = month_over(session, &kept->view, split_date, &month);
  if (!err) {
    month->states = kept->states;
    err = each_due_in(month, reissue_from, done);
  }
  month_free(month);
  return err;
}
