/* The audit loop (node/audit.h).  A coop log is read once into a "view" of
 * what this node can open: members (enrolment and status facts), member
 * records reduced to the numbers the offset rules use, statements, closed
 * months.  A statement is then judged from that view alone. */
#include "node/audit.h"
#include "node/erase.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books.h"
#include "ledger/books/rule_sets.h"
#include "ledger/log/seal.h"
#include "ledger/offset/offset_codec.h"
#include "node/audit_index.h"
#include "node/log_view.h"

/* Every verdict about one coop log's statements found in one (municipality)
 * log, as far as this node can open them: read once, then looked up by
 * statement (the audit's "already judged", and every reader of verdicts). */
typedef struct verdict_item {
  ledger_verdict verdict;
  bool dispute;
  uint64_t index; /* in the municipality's log */
} verdict_item;

typedef struct verdict_list {
  bool loaded;
  /* The own log's verdicts come from the audit tables (node/audit_index.h),
   * brought up to date by this call: one statement's rows, not the log. */
  bool from_index;
  bool single; /* holds one statement's verdicts (from the tables) */
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  uint8_t municipality[LEDGER_LOG_ID_BYTES];
  verdict_item *items;
  size_t count, capacity;
} verdict_list;

/* ---- Judging one statement ------------------------------------------------------------ */

/* The carried state of statements judged in this log, by entry index, so
 * the next statement of the same member starts from it without decoding
 * that statement again (it was decoded when it was judged).  Direct
 * mapped: a slot taken by another statement, or of an earlier log (an
 * older generation), is a miss and the statement is decoded as before.
 * 4096 slots hold the statements judged since a member's previous month
 * for coops of a few hundred members (the judge goes in log order); 80
 * bytes each, 320 KiB in the auditor. */
#define CARRIED_SLOTS 4096u
typedef struct carried_slot {
  uint64_t index;
  uint64_t generation; /* 0: never filled */
  ledger_offset_state state_after;
} carried_slot;

typedef struct auditor {
  node *node;
  node_key_ring *ring; /* the node's one ring (node_keys) */
  ledger_offset_rule_set rule_sets[LEDGER_MONTH_RULE_SETS_MAX];
  uint64_t rule_set_index[LEDGER_MONTH_RULE_SETS_MAX];
  uint8_t rule_set_leaf[LEDGER_MONTH_RULE_SETS_MAX][LEDGER_HASH_BYTES];
  size_t rule_set_count;
  ledger_statement_payload statement; /* the one being judged */
  ledger_statement_payload previous;
  carried_slot carried[CARRIED_SLOTS];
  /* Of the log being judged, 0 outside judging (the report's state_before
   * decodes as always); carried_logs counts the logs judged. */
  uint64_t carried_generation, carried_logs;
  /* The statements of the log being judged, as the audit tables keep
   * them (NULL: read them from the log). */
  const audit_index_texts *texts;
  uint8_t plain[COOP_PAYLOAD_BYTES_MAX];
  verdict_list verdicts; /* the last (coop log, municipality) pair read */
  /* The reading side (report, disputes, a member's months): views of the
   * logs read so far, kept while the auditor lives.  A node that serves
   * pages (node->cache_reads) keeps the whole auditor between calls until
   * a log changes: see reader_begin. */
  struct cached_view *views;
  size_t view_count, view_capacity;
  uint64_t signature; /* of every log's size when it was built */
  bool report_states;  /* the report fills node_audit_row.state_before */
  /* node_audit_run: the coops' erasures this node follows (node/erase.h). */
  ledger_erasure *follow;
  /* node_audit_run: the logs the tables' update read from 0, kept for
   * judging them without reading their rows back. */
  audit_index_kept kept;
} auditor;

typedef struct cached_view {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  log_view *view; /* its own block: the array may move, a view must not */
} cached_view;

static bool cited(const ledger_statement_payload *statement, uint64_t index)
{
  for (unsigned i = 0; i < statement->source_count; i++)
    if (statement->sources[i].index == index)
      return true;
  return false;
}

/* Checks the statement cites exactly the member's records that count in
 * its month (ledger_month_counts), each once and with its leaf hash. */
static void check_citations(const log_view *view, const log_member *who, const log_statement *item,
                            const ledger_statement_payload *statement, ledger_verdict *verdict)
{
  for (size_t i = 0; i < who->record_count && !verdict->reason; i++) {
    const ledger_month_record *record = log_view_record_of(view, who, i);
    if (!memcmp(record->audience, item->audience, LEDGER_AUDIENCE_ID_BYTES) &&
        ledger_month_counts(record, item->period, item->index) &&
        !cited(statement, record->index)) {
      verdict->reason = LEDGER_DISPUTE_MISSING_RECORD;
      verdict->detail_index = record->index;
    }
  }
  for (unsigned s = 0; s < statement->source_count && !verdict->reason; s++) {
    bool found = false;
    for (size_t i = 0; i < who->record_count && !found; i++) {
      const ledger_month_record *record = log_view_record_of(view, who, i);
      found = record->index == statement->sources[s].index &&
              !memcmp(record->leaf, statement->sources[s].leaf_hash, LEDGER_HASH_BYTES) &&
              !memcmp(record->audience, item->audience, LEDGER_AUDIENCE_ID_BYTES) &&
              ledger_month_counts(record, item->period, item->index);
    }
    for (unsigned earlier = 0; earlier < s && found; earlier++)
      found = statement->sources[earlier].index != statement->sources[s].index; /* once */
    if (!found) {
      verdict->reason = LEDGER_DISPUTE_UNSEEN_SOURCE;
      verdict->detail_index = statement->sources[s].index;
    }
  }
}

/* The inputs from the records themselves, by the one derivation the coop's
 * close uses too (ledger/books/member_month.h). */
static void recompute_inputs(const log_view *view, const log_member *who,
                             const log_statement *item, const ledger_statement_payload *statement,
                             ledger_offset_month *inputs, ledger_verdict *verdict)
{
  check_citations(view, who, item, statement, verdict);
  log_view_inputs(view, who, item->period, item->index, inputs);
}

/* Statement `index` of the view's log: from the audit tables' plaintext
 * when the auditor holds it (opened once, when the log was indexed),
 * else opened in the log. */
static coop_err statement_read(auditor *self, const log_view *view, uint64_t index,
                               ledger_statement_payload *out)
{
  const uint8_t *text = NULL;
  size_t text_bytes = 0;
  if (self->texts && audit_index_text(self->texts, index, &text, &text_bytes))
    return ledger_statement_decode(text, text_bytes, out) ? COOP_E_TAMPERED : COOP_OK;
  return log_view_statement(self->ring, view->log_id, index, self->plain, out, NULL);
}

/* The engine's state before the month: the member's latest earlier
 * statement's carried state (as the coop uses it), or a fresh one. */
static coop_err state_before(auditor *self, const log_view *view, const log_member *who,
                             const log_statement *item, ledger_offset_state *state)
{
  const log_statement *best = log_view_previous(view, who, item->period, item->index);
  ledger_offset_state_init(state);
  if (!best)
    return COOP_OK;
  const carried_slot *slot = &self->carried[best->index % CARRIED_SLOTS];
  if (self->carried_generation && slot->generation == self->carried_generation &&
      slot->index == best->index) {
    *state = slot->state_after;
    return COOP_OK;
  }
  coop_err err = statement_read(self, view, best->index, &self->previous);
  if (!err)
    *state = self->previous.state_after;
  return err;
}

/* The statement names her as her details in force when it was signed. */
static bool names_the_resident(const ledger_statement_payload *statement, const log_member *who,
                               const log_statement *item)
{
  if (statement->version < 2)
    return true; /* written before statements named the member */
  const log_member_details *in_force = log_view_details_at(who, item->audience, item->index);
  static const uint8_t none[LEDGER_PUBLIC_KEY_BYTES];
  if (!in_force)
    return false;
  bool has_key = memcmp(in_force->member_key, none, sizeof none) != 0;
  return !strcmp(statement->member_name, in_force->name) &&
         !strcmp(statement->client_ref, in_force->client_ref) &&
         statement->has_member_key == has_key &&
         (!has_key || !memcmp(statement->member_key, in_force->member_key, sizeof none));
}

static coop_err judge(auditor *self, const log_view *view, const log_member *who,
                      const log_statement *item, ledger_verdict *verdict, bool *dispute)
{
  ledger_statement_payload *statement = &self->statement;
  coop_err err = statement_read(self, view, item->index, statement);
  if (err)
    return err;
  carried_slot *slot = &self->carried[item->index % CARRIED_SLOTS];
  slot->index = item->index;
  slot->generation = self->carried_generation;
  slot->state_after = statement->state_after;
  memset(verdict, 0, sizeof *verdict);
  memcpy(verdict->member, statement->member, LEDGER_MEMBER_ID_BYTES);
  verdict->period = statement->period;
  memcpy(verdict->coop_log, view->log_id, LEDGER_LOG_ID_BYTES);
  verdict->statement_index = item->index;
  memcpy(verdict->statement_leaf_hash, item->leaf, LEDGER_HASH_BYTES);
  ledger_statement_figures_hash(statement, verdict->figures_hash);

  /* The statement must be about the member whose audience it is sealed to,
   * and (version 2 on) name her as the coop's own enrolment entry does:
   * name, client ref and her key, so a receipt names the right person. */
  if (memcmp(statement->member, item->audience, LEDGER_MEMBER_ID_BYTES) ||
      !names_the_resident(statement, who, item)) {
    verdict->reason = LEDGER_DISPUTE_WRONG_MEMBER;
    verdict->detail_index = item->index;
  }
  /* The rule set named must be ours, published, and the one in force. */
  size_t named = self->rule_set_count, in_force = 0;
  for (size_t i = 0; i < self->rule_set_count; i++)
    if (self->rule_set_index[i] == statement->rule_set_index &&
        !memcmp(self->rule_set_leaf[i], statement->rule_set_leaf_hash, LEDGER_HASH_BYTES))
      named = i;
  bool ours = !memcmp(statement->rule_set_log, self->node->identity.public_key,
                      LEDGER_LOG_ID_BYTES);
  if (verdict->reason) {
    /* already wrong about whom it is */
  } else if (!ours || named == self->rule_set_count) {
    verdict->reason = LEDGER_DISPUTE_UNKNOWN_RULE_SET;
    verdict->detail_index = statement->rule_set_index;
  } else if (ledger_offset_select(self->rule_sets, self->rule_set_count,
                                  ledger_month_period(statement->period), &in_force) ||
             in_force != named) {
    verdict->reason = LEDGER_DISPUTE_RULE_SET_NOT_IN_FORCE;
    verdict->detail_index = statement->rule_set_index;
  }
  recompute_inputs(view, who, item, statement, &verdict->month, verdict);
  ledger_offset_state state;
  err = state_before(self, view, who, item, &state);
  if (err)
    return err;
  bool computed = self->rule_set_count &&
                  ledger_offset_month_compute(self->rule_sets, self->rule_set_count,
                                              &verdict->month, &state, &verdict->figures) ==
                      COOP_OK;
  if (computed)
    verdict->differing = ledger_statement_differences(statement, &verdict->month,
                                                      &verdict->figures, &state);
  else
    verdict->differing = UINT32_C(1) << LEDGER_FIELD_PROFIT;
  if (!verdict->reason && verdict->differing)
    verdict->reason = LEDGER_DISPUTE_FIGURES;
  *dispute = verdict->reason != 0;
  return COOP_OK;
}

/* ---- Verdicts already given ----------------------------------------------------------- */

typedef struct verdict_scan {
  node_key_ring *ring;
  verdict_list *list;
  uint8_t *plain;
} verdict_scan;

static coop_err scan_verdict(void *context, const ledger_stored_entry *entry)
{
  verdict_scan *scan = context;
  verdict_list *list = scan->list;
  uint16_t kind = entry->header.kind;
  if (entry->erased)
    return COOP_OK; /* an erased member's verdict: gone with her data */
  if (kind != LEDGER_KIND_ACKNOWLEDGEMENT && kind != LEDGER_KIND_DISPUTE)
    return COOP_OK;
  size_t plain_bytes = 0;
  bool opened = false;
  coop_err err = node_key_ring_open(scan->ring, list->coop_log, entry, scan->plain, &plain_bytes,
                             &opened);
  if (err == COOP_E_TAMPERED)
    return COOP_OK; /* not sealed under this coop's audience key */
  if (err || !opened)
    return err;
  ledger_verdict verdict;
  bool dispute = kind == LEDGER_KIND_DISPUTE;
  if (ledger_verdict_decode(scan->plain, plain_bytes, dispute, &verdict) ||
      memcmp(verdict.coop_log, list->coop_log, LEDGER_LOG_ID_BYTES))
    return COOP_OK;
  err = coop_grow((void **)&list->items, &list->capacity, list->count, sizeof *list->items);
  if (!err)
    list->items[list->count++] = (verdict_item){verdict, dispute, entry->header.index};
  return err;
}

/* By statement, then in log order, so a statement's verdicts are found by
 * a binary search and "the latest" is the last of its run. */
static int verdict_order(const void *a, const void *b)
{
  const verdict_item *x = a, *y = b;
  if (x->verdict.statement_index != y->verdict.statement_index)
    return x->verdict.statement_index < y->verdict.statement_index ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* The first verdict on statement `index` (or list->count when none). */
static size_t verdicts_first(const verdict_list *list, uint64_t index)
{
  size_t low = 0, high = list->count;
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (list->items[middle].verdict.statement_index < index)
      low = middle + 1;
    else
      high = middle;
  }
  return low;
}

/* Makes `list` hold the verdicts about `coop_log` in `municipality`'s log,
 * reading that log only when the list holds another pair. */
static coop_err verdicts_load(node *self, node_key_ring *ring,
                              const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                              const uint8_t municipality[LEDGER_LOG_ID_BYTES], uint8_t *plain,
                              verdict_list *list)
{
  if (list->loaded && !list->single && !memcmp(list->coop_log, coop_log, LEDGER_LOG_ID_BYTES) &&
      !memcmp(list->municipality, municipality, LEDGER_LOG_ID_BYTES))
    return COOP_OK;
  list->loaded = list->single = false;
  list->count = 0;
  memcpy(list->coop_log, coop_log, LEDGER_LOG_ID_BYTES);
  memcpy(list->municipality, municipality, LEDGER_LOG_ID_BYTES);
  verdict_scan scan = {.ring = ring, .list = list, .plain = plain};
  coop_err err = ledger_store_entries(self->store, municipality, 0, scan_verdict, &scan);
  if (!err && list->count) /* qsort's base must not be NULL */
    qsort(list->items, list->count, sizeof *list->items, verdict_order);
  list->loaded = !err;
  return err;
}

static void verdicts_free(verdict_list *list)
{
  coop_free(list->items);
  memset(list, 0, sizeof *list);
}

static coop_err verdict_push(void *context, const ledger_verdict *verdict, bool dispute,
                             uint64_t index)
{
  verdict_list *list = context;
  coop_err err = coop_grow((void **)&list->items, &list->capacity, list->count,
                           sizeof *list->items);
  if (!err)
    list->items[list->count++] = (verdict_item){*verdict, dispute, index};
  return err;
}

/* The own log's verdicts on one statement, from the audit tables: the list
 * then holds that statement's run only (a later whole load reads again). */
static coop_err verdicts_of_statement(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                      uint64_t statement_index, verdict_list *list)
{
  list->loaded = false;
  list->count = 0;
  coop_err err = audit_index_verdicts(self, coop_log, statement_index, verdict_push, list);
  list->loaded = list->single = !err;
  return err;
}

static bool was_judged(const verdict_list *list, uint64_t index)
{
  size_t first = verdicts_first(list, index);
  return first < list->count && list->items[first].verdict.statement_index == index;
}

/* ---- The run -------------------------------------------------------------------------- */

typedef struct log_ids {
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES];
  size_t count;
} log_ids;

/* Every log but our own. */
static coop_err other_logs(node *self, log_ids *list)
{
  coop_err err = ledger_store_log_ids(self->store, &list->ids, &list->count);
  size_t kept = 0;
  for (size_t i = 0; i < list->count; i++)
    if (memcmp(list->ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      memmove(list->ids[kept++], list->ids[i], LEDGER_LOG_ID_BYTES);
  list->count = kept;
  return err;
}

typedef struct pending_verdict {
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  uint64_t statement_index;
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  bool dispute;
  coop_buf payload;
} pending_verdict;

/* Verdicts are appended 1,000 to a batch (one checkpoint each). */
#define VERDICT_BATCH 1000u

/* Appends pending[0..count) to the own log through `store` as one batch. */
static coop_err append_batch(ledger_store *store, const ledger_identity *identity,
                             const pending_verdict *pending, size_t count)
{
  ledger_append_item *items = coop_calloc(count, sizeof *items);
  if (!items)
    return COOP_E_NOMEM;
  for (size_t i = 0; i < count; i++) {
    const pending_verdict *verdict = &pending[i];
    items[i] = (ledger_append_item){
        .kind = verdict->dispute ? LEDGER_KIND_DISPUTE : LEDGER_KIND_ACKNOWLEDGEMENT,
        .audience_id = verdict->audience,
        .audience_key = verdict->key,
        .payload = verdict->payload.data,
        .payload_bytes = verdict->payload.len};
  }
  coop_err err = ledger_store_append(store, identity, items, count, node_now_ms(), NULL);
  coop_free(items);
  return err;
}

static coop_err append_verdicts(node *self, pending_verdict *pending, size_t count)
{
  coop_err err = COOP_OK;
  for (size_t start = 0; start < count && !err; start += VERDICT_BATCH) {
    size_t batch = count - start < VERDICT_BATCH ? count - start : VERDICT_BATCH;
    err = append_batch(self->store, &self->identity, pending + start, batch);
  }
  return err;
}

/* The audit tables' rows of pending[0..count) (pointing into them). */
static audit_index_verdict_row *verdict_rows(const pending_verdict *pending, size_t count)
{
  audit_index_verdict_row *rows = coop_calloc(count, sizeof *rows);
  for (size_t i = 0; rows && i < count; i++) {
    const pending_verdict *item = &pending[i];
    rows[i] = (audit_index_verdict_row){item->coop_log, item->statement_index, item->dispute,
                                        item->payload.data, item->payload.len};
  }
  return rows;
}

/* ---- Incremental: logs judged completely, and at what size ------------------------ */

typedef struct audit_mark {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t size;
} audit_mark;

struct audit_marks {
  audit_mark *items;
  size_t count, capacity;
  bool from_scratch; /* node_audit_from_scratch: no audit tables */
};

static audit_mark *mark_of(struct audit_marks *marks, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  for (size_t i = 0; marks && i < marks->count; i++)
    if (!memcmp(marks->items[i].log_id, log_id, LEDGER_LOG_ID_BYTES))
      return &marks->items[i];
  return NULL;
}

/* A log whose every statement was judged at `size` needs no audit until it
 * grows: a verdict is never revised, and only new entries bring new
 * statements.  Only the daemon keeps marks (node->audit_incremental). */
static bool judged_at(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size)
{
  const audit_mark *mark = self->audit_incremental ? mark_of(self->audit_marks, log_id) : NULL;
  return mark && mark->size == size;
}

static void mark_judged(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size)
{
  if (!self->audit_incremental)
    return;
  if (!self->audit_marks && !(self->audit_marks = coop_calloc(1, sizeof *self->audit_marks)))
    return; /* without memory the next run just reads everything again */
  struct audit_marks *marks = self->audit_marks;
  audit_mark *mark = mark_of(marks, log_id);
  if (!mark && !coop_grow((void **)&marks->items, &marks->capacity, marks->count,
                          sizeof *marks->items)) {
    mark = &marks->items[marks->count++];
    memcpy(mark->log_id, log_id, LEDGER_LOG_ID_BYTES);
  }
  if (mark)
    mark->size = size;
}

void node_audit_marks_free(node *self)
{
  if (self->audit_marks)
    coop_free(self->audit_marks->items);
  coop_free(self->audit_marks);
  self->audit_marks = NULL;
}

typedef struct pending_list {
  pending_verdict *items;
  size_t count, capacity;
} pending_list;

/* Judges one statement and keeps its verdict for the batch. */
static coop_err judge_pending(auditor *self, const log_view *view, const log_member *who,
                              const log_statement *item, node_audit_summary *summary,
                              pending_list *pending)
{
  ledger_verdict verdict;
  bool dispute = false;
  coop_err err = judge(self, view, who, item, &verdict, &dispute);
  if (!err)
    err = coop_grow((void **)&pending->items, &pending->capacity, pending->count,
                    sizeof *pending->items);
  if (err)
    return err;
  pending_verdict *out = &pending->items[pending->count++];
  memset(out, 0, sizeof *out);
  memcpy(out->audience, item->audience, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(out->coop_log, view->log_id, LEDGER_LOG_ID_BYTES);
  out->statement_index = item->index;
  const uint8_t *key = NULL;
  err = node_key_ring_key(self->ring, view->log_id, item->audience, &key);
  if (!err && key)
    memcpy(out->key, key, LEDGER_AUDIENCE_KEY_BYTES);
  out->dispute = dispute;
  coop_buf_init(&out->payload, COOP_PAYLOAD_BYTES_MAX);
  if (!err)
    err = ledger_verdict_encode(&verdict, dispute, &out->payload);
  if (!err && dispute)
    summary->disputed++;
  else if (!err)
    summary->acknowledged++;
  return err;
}

/* Ours when sealed to her residence with us (after a move, the residence
 * of the statement's month decides whose it is). */
static const log_member *ours(const auditor *self, const log_view *view, const log_statement *item)
{
  const log_member *who = log_view_member(view, item->audience);
  const log_residence *residence = who ? log_view_residence_of(who, item->audience) : NULL;
  if (!residence ||
      memcmp(residence->municipality, self->node->identity.public_key, LEDGER_LOG_ID_BYTES))
    return NULL;
  return who;
}

/* From scratch: the whole log read and every verdict of the own log. */
static coop_err audit_log(auditor *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                          node_audit_summary *summary, pending_list *pending)
{
  log_view view;
  coop_err err = log_view_load(self->ring, log_id, 0, &view);
  if (err)
    return err;
  self->carried_generation = ++self->carried_logs; /* entry indexes of another log */
  if (self->follow)
    err = node_erasure_collect(self->node, &view, self->follow);
  if (!err && view.statement_count)
    err = verdicts_load(self->node, self->ring, log_id, self->node->identity.public_key,
                        self->plain, &self->verdicts);
  for (size_t i = 0; i < view.statement_count && !err; i++) {
    const log_statement *item = &view.statements[i];
    const log_member *who = ours(self, &view, item);
    if (!who)
      continue;
    summary->statements_seen++;
    if (was_judged(&self->verdicts, item->index))
      summary->already_judged++;
    else
      err = judge_pending(self, &view, who, item, summary, pending);
  }
  self->carried_generation = 0;
  log_view_free(&view);
  return err;
}

static bool index_has(const uint64_t *indexes, size_t count, uint64_t index)
{
  size_t low = 0, high = count;
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (indexes[middle] < index)
      low = middle + 1;
    else
      high = middle;
  }
  return low < count && indexes[low] == index;
}

/* The statements of ours not judged yet, and the months they are of. */
typedef struct unjudged {
  uint64_t *indexes;
  uint32_t *periods;
  size_t count, capacity, period_capacity;
  size_t ours;
} unjudged;

static coop_err find_unjudged(auditor *self, const log_view *view, unjudged *found)
{
  uint64_t *judged = NULL;
  size_t judged_count = 0;
  coop_err err = audit_index_judged(self->node, view->log_id, &judged, &judged_count);
  for (size_t i = 0; i < view->statement_count && !err; i++) {
    const log_statement *item = &view->statements[i];
    if (!ours(self, view, item))
      continue;
    found->ours++;
    if (index_has(judged, judged_count, item->index))
      continue;
    err = coop_grow((void **)&found->indexes, &found->capacity, found->count,
                    sizeof *found->indexes);
    if (!err)
      err = coop_grow((void **)&found->periods, &found->period_capacity, found->count,
                      sizeof *found->periods);
    if (!err) {
      found->periods[found->count] = item->period;
      found->indexes[found->count++] = item->index;
    }
  }
  coop_free(judged);
  return err;
}

static int index_order(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The view's statement at `index`, searched from position *at on (the
 * indexes asked for ascend), or NULL. */
static const log_statement *statement_from(const log_view *view, size_t *at, uint64_t index)
{
  while (*at < view->statement_count && view->statements[*at].index != index)
    (*at)++;
  return *at < view->statement_count ? &view->statements[*at] : NULL;
}

/* The statements judging `found` reads: each, and the one whose carried
 * state it starts from; sorted, unique.  *wanted: the caller frees it. */
static coop_err statements_wanted(const auditor *self, const log_view *view,
                                  const unjudged *found, uint64_t **wanted, size_t *count)
{
  *count = 0;
  *wanted = coop_calloc(2 * found->count + 1, sizeof **wanted);
  if (!*wanted)
    return COOP_E_NOMEM;
  for (size_t i = 0, s = 0; i < found->count; i++) {
    const log_statement *item = statement_from(view, &s, found->indexes[i]);
    const log_member *who = item ? ours(self, view, item) : NULL;
    const log_statement *previous =
        who ? log_view_previous(view, who, item->period, item->index) : NULL;
    (*wanted)[(*count)++] = found->indexes[i];
    if (previous)
      (*wanted)[(*count)++] = previous->index;
  }
  qsort(*wanted, *count, sizeof **wanted, index_order);
  size_t kept = 0;
  for (size_t i = 0; i < *count; i++)
    if (!kept || (*wanted)[i] != (*wanted)[kept - 1])
      (*wanted)[kept++] = (*wanted)[i];
  *count = kept;
  return COOP_OK;
}

/* Judges the statements `found` of `view` from `texts`, which holds them
 * and the ones their carried states come from. */
static coop_err judge_with_texts(auditor *self, const log_view *view, const unjudged *found,
                                 const audit_index_texts *texts, node_audit_summary *summary,
                                 pending_list *pending)
{
  coop_err err = COOP_OK;
  self->texts = texts;
  self->carried_generation = ++self->carried_logs; /* entry indexes of another log */
  for (size_t i = 0, s = 0; i < found->count && !err; i++) {
    const log_statement *item = statement_from(view, &s, found->indexes[i]);
    const log_member *who = item ? ours(self, view, item) : NULL;
    err = who ? judge_pending(self, view, who, item, summary, pending) : COOP_E_TAMPERED;
  }
  self->carried_generation = 0;
  self->texts = NULL;
  return err;
}

/* Judges the statements `found` of `view` (which holds their months'
 * records), in log order as the whole log's audit does, from their
 * plaintext in the audit tables. */
static coop_err judge_found(auditor *self, const log_view *view, const unjudged *found,
                            node_audit_summary *summary, pending_list *pending)
{
  uint64_t *wanted = NULL;
  size_t wanted_count = 0;
  audit_index_texts texts;
  coop_err err = statements_wanted(self, view, found, &wanted, &wanted_count);
  if (!err)
    err = audit_index_texts_load(self->node, view->log_id, wanted, wanted_count, &texts);
  coop_free(wanted);
  if (err)
    return err;
  err = judge_with_texts(self, view, found, &texts, summary, pending);
  audit_index_texts_free(&texts);
  return err;
}
/* From the audit tables: a log judged completely at its size costs its
 * judged mark; one that grew, its statements' rows and the records of the
 * months of those not judged yet. */
static coop_err audit_log_indexed(auditor *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                  uint64_t *size, node_audit_summary *summary,
                                  pending_list *pending, uint64_t *ours_count)
{
  audit_index_log state;
  coop_err err = audit_index_log_state(self->node, log_id, &state);
  /* A log that arrived or grew since the tables caught up is judged as far
   * as they read it, and marked at that size: the rest at the next run. */
  if (!err && !state.indexed_size) {
    *size = 0;
    return COOP_OK;
  }
  if (!err && state.indexed_size < *size)
    *size = state.indexed_size;
  log_view view;
  bool judged = !err && state.judged_size == *size && state.indexed_size == *size;
  audit_index_kept_log *kept = err || judged ? NULL : audit_index_kept_find(&self->kept, log_id);
  if (kept && kept->indexed_size != state.indexed_size)
    kept = NULL;
  static const uint32_t no_month[1] = {0};
  if (!err && kept) {
    view = kept->view; /* the view is ours now; its texts stay kept until judged */
    memset(&kept->view, 0, sizeof kept->view);
  } else if (!err && judged)
    err = audit_index_skeleton(self->node, log_id, &view);
  else if (!err)
    err = audit_index_view(self->node, log_id, no_month, 0, &view);
  if (err)
    return err;
  unjudged found = {0};
  if (self->follow)
    err = node_erasure_collect(self->node, &view, self->follow);
  if (!err && judged)
    found.ours = state.ours;
  else if (!err)
    err = find_unjudged(self, &view, &found);
  summary->statements_seen += found.ours;
  summary->already_judged += found.ours - found.count;
  *ours_count = found.ours;
  /* A kept view holds every record and its texts every statement. */
  if (!err && found.count && !kept)
    err = audit_index_add_records(self->node, &view, found.periods, found.count);
  if (!err && found.count)
    err = kept ? judge_with_texts(self, &view, &found, &kept->texts, summary, pending)
               : judge_found(self, &view, &found, summary, pending);
  if (kept)
    audit_index_texts_free(&kept->texts);
  coop_free(found.indexes);
  coop_free(found.periods);
  log_view_free(&view);
  return err;
}

static auditor *auditor_new(node *self, char message[NODE_MESSAGE_BYTES], coop_err *err)
{
  auditor *audit = coop_calloc(1, sizeof *audit);
  if (!audit) {
    *err = COOP_E_NOMEM;
    snprintf(message, NODE_MESSAGE_BYTES, "out of memory");
    return NULL;
  }
  audit->node = self;
  audit->ring = node_keys(self);
  *err = ledger_offset_rule_sets_from_log(self->store, self->identity.public_key,
                                          audit->rule_sets, audit->rule_set_index,
                                          audit->rule_set_leaf, LEDGER_MONTH_RULE_SETS_MAX,
                                          &audit->rule_set_count);
  if (*err) {
    snprintf(message, NODE_MESSAGE_BYTES, "cannot read this node's rule sets: %s",
             coop_err_message(*err));
    coop_free(audit);
    return NULL;
  }
  return audit;
}

static void auditor_free(auditor *audit)
{
  if (!audit)
    return;
  for (size_t i = 0; i < audit->view_count; i++) {
    log_view_free(audit->views[i].view);
    coop_free(audit->views[i].view);
  }
  coop_free(audit->views);
  verdicts_free(&audit->verdicts);
  audit_index_kept_free(&audit->kept);
  coop_free(audit->follow);
  sodium_memzero(audit, sizeof *audit);
  coop_free(audit);
}

/* ---- The reading side: views kept while the auditor lives ---------------------------- */

/* The view of `log_id`, loaded on first use and kept in the auditor. */
static coop_err reader_view(auditor *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                            log_view **view)
{
  for (size_t i = 0; i < self->view_count; i++)
    if (!memcmp(self->views[i].log_id, log_id, LEDGER_LOG_ID_BYTES)) {
      *view = self->views[i].view;
      return COOP_OK;
    }
  coop_err err = coop_grow((void **)&self->views, &self->view_capacity, self->view_count,
                           sizeof *self->views);
  if (err)
    return err;
  cached_view *slot = &self->views[self->view_count];
  memcpy(slot->log_id, log_id, LEDGER_LOG_ID_BYTES);
  slot->view = coop_calloc(1, sizeof *slot->view);
  if (!slot->view)
    return COOP_E_NOMEM;
  err = log_view_load(self->ring, log_id, 0, slot->view);
  if (err) {
    coop_free(slot->view);
    return err;
  }
  self->view_count++;
  *view = slot->view;
  return COOP_OK;
}

/* Every log held and its size, folded into one number: what a kept
 * auditor's views, verdicts and rule sets were read from. */
static coop_err logs_signature(node *self, uint64_t *signature)
{
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0;
  coop_err err = ledger_store_log_ids(self->store, &ids, &count);
  uint64_t hash = 14695981039346656037u;
  for (size_t i = 0; i < count && !err; i++) {
    uint64_t size = 0;
    err = ledger_store_size(self->store, ids[i], &size);
    for (size_t b = 0; b < LEDGER_LOG_ID_BYTES; b++)
      hash = (hash ^ ids[i][b]) * 1099511628211u;
    for (int b = 0; b < 8; b++)
      hash = (hash ^ ((size >> (8 * b)) & 0xff)) * 1099511628211u;
  }
  coop_free(ids);
  *signature = hash;
  return err;
}

/* The auditor for one reading call.  A node that serves pages keeps it
 * between calls while no log changed (every page then reads from memory);
 * anything else gets a fresh one, freed by reader_end. */
static auditor *reader_begin(node *self, char message[NODE_MESSAGE_BYTES], coop_err *err)
{
  uint64_t signature = 0;
  if (self->cache_reads && (*err = logs_signature(self, &signature)))
    return NULL;
  auditor *kept = self->read_cache;
  if (kept && kept->signature == signature)
    return kept;
  auditor_free(kept);
  self->read_cache = NULL;
  auditor *fresh = auditor_new(self, message, err);
  if (fresh && self->cache_reads) {
    fresh->signature = signature;
    self->read_cache = fresh;
  }
  return fresh;
}

static void reader_end(node *self, auditor *audit)
{
  if (audit != self->read_cache)
    auditor_free(audit);
}

void node_read_cache_free(node *self)
{
  auditor_free(self->read_cache);
  self->read_cache = NULL;
}

bool node_read_cache_hold(node *self)
{
  bool was_held = self->cache_reads;
  self->cache_reads = true;
  return was_held;
}

void node_read_cache_release(node *self, bool was_held)
{
  self->cache_reads = was_held;
  if (!was_held)
    node_read_cache_free(self);
}

/* Why a read of the logs failed: a missing payload is named (entry and
 * log), everything else by its code. */
static const char *failure_reason(node *self, coop_err err)
{
  return err == COOP_E_PAYLOAD_MISSING ? ledger_store_problem(self->store)
                                       : coop_err_message(err);
}

static bool from_scratch(const node *self)
{
  return self->audit_marks && self->audit_marks->from_scratch;
}

void node_audit_from_scratch(node *self, bool on)
{
  if (!self->audit_marks && !(self->audit_marks = coop_calloc(1, sizeof *self->audit_marks)))
    abort(); /* a test or benchmark switch: no way to report it */
  self->audit_marks->from_scratch = on;
}

static void pending_free(pending_list *pending)
{
  for (size_t i = 0; i < pending->count; i++) {
    sodium_memzero(pending->items[i].key, sizeof pending->items[i].key);
    coop_buf_release(&pending->items[i].payload);
  }
  coop_free(pending->items);
  memset(pending, 0, sizeof *pending);
}

/* ---- Appending while judging (a full re-audit) ---------------------------------------- */

/* A run that judges thousands of statements appends its verdicts on a
 * second thread with its own connection to the database, each batch of
 * VERDICT_BATCH as soon as the judge has made it, while the judge goes
 * on with the next logs: sealing, hashing, signing and inserting overlap
 * judging on two cores.  The batches, their order and their one
 * transaction (committed after the last, rolled back when the judge
 * failed) are append_indexed's, so the own log gets the same entries. */
typedef struct verdict_batch {
  pending_verdict *items; /* copies: the pending list moves as it grows */
  size_t count;
} verdict_batch;

typedef struct appender {
  ledger_store *store; /* the thread's own connection */
  const ledger_identity *identity;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  verdict_batch *batches; /* [taken, handed) wait for the thread; guarded by lock */
  size_t taken, handed, capacity;
  size_t verdicts_handed; /* the judge's side only */
  bool started, failed_to_start, done, stop;
  coop_err err;
} appender;

static void batch_free(verdict_batch *batch)
{
  for (size_t i = 0; i < batch->count; i++)
    sodium_memzero(batch->items[i].key, sizeof batch->items[i].key);
  coop_free(batch->items); /* the payloads are the pending list's */
  batch->items = NULL;
}

/* The next batch, or false when the judge is done (or stopped) and every
 * batch is taken. */
static bool batch_take(appender *self, verdict_batch *batch)
{
  pthread_mutex_lock(&self->lock);
  while (self->taken == self->handed && !self->done && !self->stop)
    pthread_cond_wait(&self->changed, &self->lock);
  bool more = !self->stop && self->taken < self->handed;
  if (more)
    *batch = self->batches[self->taken++];
  pthread_mutex_unlock(&self->lock);
  return more;
}

static coop_err append_taken(appender *self, uint64_t *from, verdict_batch *batch)
{
  audit_index_verdict_row *rows = verdict_rows(batch->items, batch->count);
  coop_err err = rows ? append_batch(self->store, self->identity, batch->items, batch->count)
                      : COOP_E_NOMEM;
  if (!err)
    err = audit_index_own_verdicts_in(self->store, *from, rows, batch->count);
  *from += batch->count;
  coop_free(rows);
  batch_free(batch);
  return err;
}

static void *appender_run(void *context)
{
  appender *self = context;
  uint64_t from = 0;
  coop_err err = ledger_store_begin(self->store);
  if (!err)
    err = ledger_store_size(self->store, self->identity->public_key, &from);
  verdict_batch batch;
  while (!err && batch_take(self, &batch))
    err = append_taken(self, &from, &batch);
  pthread_mutex_lock(&self->lock);
  bool stop = self->stop;
  pthread_mutex_unlock(&self->lock);
  if (!err && !stop)
    err = ledger_store_commit(self->store);
  if (err || stop)
    ledger_store_rollback(self->store);
  self->err = err; /* read after the join */
  return NULL;
}

static bool appender_start(node *owner, appender *self)
{
  if (self->failed_to_start || audit_index_connection(owner, &self->store)) {
    self->failed_to_start = true;
    return false;
  }
  self->identity = &owner->identity;
  pthread_mutex_init(&self->lock, NULL);
  pthread_cond_init(&self->changed, NULL);
  self->started = pthread_create(&self->thread, NULL, appender_run, self) == 0;
  if (!self->started) {
    pthread_cond_destroy(&self->changed);
    pthread_mutex_destroy(&self->lock);
    ledger_store_close(self->store);
    self->failed_to_start = true;
  }
  return self->started;
}

/* Hands over the judged verdicts past those handed, VERDICT_BATCH at a
 * time (`last`: the rest too).  The thread starts with the first full
 * batch; a run with fewer verdicts (or without the thread) appends them
 * all at the end, as append_indexed. */
static coop_err appender_offer(node *owner, appender *self, const pending_list *pending, bool last)
{
  coop_err err = COOP_OK;
  while (!err && pending->count > self->verdicts_handed) {
    size_t count = pending->count - self->verdicts_handed;
    if (count > VERDICT_BATCH)
      count = VERDICT_BATCH;
    if ((count < VERDICT_BATCH && !(last && self->started)) ||
        (!self->started && !appender_start(owner, self)))
      break;
    verdict_batch batch = {coop_calloc(count, sizeof *batch.items), count};
    if (!batch.items)
      return COOP_E_NOMEM;
    memcpy(batch.items, pending->items + self->verdicts_handed, count * sizeof *batch.items);
    pthread_mutex_lock(&self->lock);
    err = coop_grow((void **)&self->batches, &self->capacity, self->handed,
                    sizeof *self->batches);
    if (!err) {
      self->batches[self->handed++] = batch;
      self->verdicts_handed += count;
    }
    pthread_cond_broadcast(&self->changed);
    pthread_mutex_unlock(&self->lock);
    if (err)
      batch_free(&batch);
  }
  return err;
}

/* After the judge: the rest handed over (or, when `err`, the thread told
 * to roll back), the thread joined; its failure or `err`. */
static coop_err appender_finish(node *owner, appender *self, const pending_list *pending,
                                coop_err err)
{
  if (!err)
    err = appender_offer(owner, self, pending, true);
  pthread_mutex_lock(&self->lock);
  self->done = true;
  self->stop = err != COOP_OK;
  pthread_cond_broadcast(&self->changed);
  pthread_mutex_unlock(&self->lock);
  pthread_join(self->thread, NULL);
  for (size_t i = self->taken; i < self->handed; i++)
    batch_free(&self->batches[i]);
  coop_free(self->batches);
  pthread_cond_destroy(&self->changed);
  pthread_mutex_destroy(&self->lock);
  ledger_store_close(self->store);
  return err ? err : self->err;
}

/* Every log but our own, their sizes, and what judging them found. */
typedef struct audit_pass {
  log_ids logs;
  uint64_t *sizes;
  uint64_t *ours;    /* per log, from the tables: our statements in it */
  bool *read;        /* per log: judged in this pass (not skipped) */
  pending_list pending;
  bool appending; /* node_audit_run: batches go to `appender` as they are judged */
  appender appender;
} audit_pass;

static void audit_pass_free(audit_pass *pass)
{
  coop_free(pass->logs.ids);
  coop_free(pass->sizes);
  coop_free(pass->ours);
  coop_free(pass->read);
  pending_free(&pass->pending);
}

/* Judges every statement not judged yet into pass->pending, from the
 * audit tables or (from_scratch) from every log read whole. */
static coop_err audit_judge(auditor *audit, bool scratch, node_audit_summary *summary,
                            audit_pass *pass)
{
  node *self = audit->node;
  audit->kept.bytes_max = AUDIT_KEPT_BYTES_MAX;
  coop_err err = scratch ? COOP_OK : audit_index_update_keeping(self, audit->ring, &audit->kept);
  if (!err)
    err = other_logs(self, &pass->logs);
  size_t count = pass->logs.count + 1;
  pass->sizes = coop_calloc(count, sizeof *pass->sizes);
  pass->ours = coop_calloc(count, sizeof *pass->ours);
  pass->read = coop_calloc(count, sizeof *pass->read);
  if (!err && (!pass->sizes || !pass->ours || !pass->read))
    err = COOP_E_NOMEM;
  for (size_t i = 0; i < pass->logs.count && !err; i++) {
    const uint8_t *log_id = pass->logs.ids[i];
    err = ledger_store_size(self->store, log_id, &pass->sizes[i]);
    if (err)
      break;
    if (judged_at(self, log_id, pass->sizes[i])) {
      summary->logs_unchanged++;
      continue;
    }
    pass->read[i] = true;
    if (scratch)
      err = audit_log(audit, log_id, summary, &pass->pending);
    else
      err = audit_log_indexed(audit, log_id, &pass->sizes[i], summary, &pass->pending,
                              &pass->ours[i]);
    if (!err && pass->appending)
      err = appender_offer(self, &pass->appender, &pass->pending, false);
  }
  audit_index_kept_free(&audit->kept); /* every kept log is judged */
  return err;
}

/* After the verdicts are committed: the tables take them in, and each log
 * read is marked judged at its size (a failed run marks nothing). */
static coop_err audit_marks_set(auditor *audit, bool scratch, const audit_pass *pass)
{
  node *self = audit->node;
  for (size_t i = 0; i < pass->logs.count; i++)
    mark_judged(self, pass->logs.ids[i], pass->sizes[i]);
  if (scratch)
    return COOP_OK;
  coop_err err = audit_index_update(self, audit->ring);
  if (!err)
    err = ledger_store_begin(self->store);
  for (size_t i = 0; i < pass->logs.count && !err; i++)
    if (pass->read[i])
      err = audit_index_mark_judged(self, pass->logs.ids[i], pass->sizes[i], pass->ours[i]);
  if (!err)
    err = ledger_store_commit(self->store);
  else
    ledger_store_rollback(self->store);
  return err;
}

/* The verdicts appended and taken into the audit tables in one
 * transaction (they are not opened again to index them). */
static coop_err append_indexed(node *self, const pending_list *pending)
{
  audit_index_verdict_row *rows = verdict_rows(pending->items, pending->count);
  if (!rows)
    return COOP_E_NOMEM;
  uint64_t before = 0;
  coop_err err = ledger_store_begin(self->store);
  if (!err) {
    err = ledger_store_size(self->store, self->identity.public_key, &before);
    if (!err)
      err = append_verdicts(self, pending->items, pending->count);
    if (!err)
      err = audit_index_own_verdicts(self, before, rows, pending->count);
    if (!err)
      err = ledger_store_commit(self->store);
    else
      ledger_store_rollback(self->store);
  }
  coop_free(rows);
  return err;
}

/* COOP_E_USAGE, with "`what` (this node is a ROLE)" in `message`, on any
 * node but a municipality's. */
static coop_err municipality_only(node *self, const char *what, char message[NODE_MESSAGE_BYTES])
{
  if (self->role == LEDGER_ROLE_MUNICIPALITY)
    return COOP_OK;
  snprintf(message, NODE_MESSAGE_BYTES, "%s (this node is a %s)", what,
           ledger_role_name(self->role));
  return COOP_E_USAGE;
}

coop_err node_audit_run(node *self, node_audit_summary *summary,
                        char message[NODE_MESSAGE_BYTES])
{
  memset(summary, 0, sizeof *summary);
  coop_err err = municipality_only(self, "only a municipality node audits statements", message);
  if (err)
    return err;
  auditor *audit = auditor_new(self, message, &err);
  if (!audit)
    return err;
  bool scratch = from_scratch(self);
  audit->follow = node_erasure_follow_begin();
  audit_pass pass = {.appending = !scratch && audit_index_threads_on()};
  err = audit->follow ? audit_judge(audit, scratch, summary, &pass) : COOP_E_NOMEM;
  if (pass.appender.started)
    err = appender_finish(self, &pass.appender, &pass.pending, err);
  else if (!err && pass.pending.count)
    err = scratch ? append_verdicts(self, pass.pending.items, pass.pending.count)
                  : append_indexed(self, &pass.pending);
  /* A coop's erasure read in its log: our verdicts about her go too. */
  unsigned followed = 0;
  if (!err)
    err = node_erasure_follow(self, audit->follow, &followed, message);
  summary->erasures_followed = followed;
  if (!err)
    err = audit_marks_set(audit, scratch, &pass);
  if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "audit failed: %s", failure_reason(self, err));
  audit_pass_free(&pass);
  auditor_free(audit);
  return err;
}

coop_err node_audit_preview(node *self, node_audit_verdict_visitor visitor, void *context,
                            char message[NODE_MESSAGE_BYTES])
{
  node_audit_summary summary;
  memset(&summary, 0, sizeof summary);
  coop_err err = COOP_OK;
  auditor *audit = auditor_new(self, message, &err);
  if (!audit)
    return err;
  audit_pass pass = {0};
  err = audit_judge(audit, from_scratch(self), &summary, &pass);
  for (size_t i = 0; i < pass.pending.count && !err; i++) {
    const pending_verdict *item = &pass.pending.items[i];
    err = visitor(context, item->coop_log, item->statement_index, item->dispute,
                  item->payload.data, item->payload.len);
  }
  if (err && !message[0])
    snprintf(message, NODE_MESSAGE_BYTES, "audit failed: %s", failure_reason(self, err));
  audit_pass_free(&pass);
  auditor_free(audit);
  return err;
}

/* ---- Reading verdicts and the report ------------------------------------------------------ */


/* The verdict on one statement in `municipality`'s log; only the member's
 * municipality (per the enrolment) can acknowledge, and only when the
 * statement also names it as its rule-set log.  `verdicts` caches that
 * log's verdicts between calls. */
/* The verdict on a statement already decoded (`leaf`: its leaf hash), in
 * `municipality`'s log; `verdicts` caches that log's verdicts. */
static coop_err verdict_on(node *self, node_key_ring *ring, verdict_list *verdicts,
                           const uint8_t coop_log[LEDGER_LOG_ID_BYTES], uint64_t statement_index,
                           const ledger_statement_payload *statement,
                           const uint8_t leaf[LEDGER_HASH_BYTES], uint8_t *plain,
                           const uint8_t municipality[LEDGER_LOG_ID_BYTES],
                           node_verdict_found *found)
{
  memset(found, 0, sizeof *found);
  found->status = NODE_AUDIT_PENDING;
  if (!memcmp(municipality, coop_log, LEDGER_LOG_ID_BYTES))
    return COOP_OK;
  coop_err err = verdicts->from_index && !memcmp(municipality, self->identity.public_key,
                                                 LEDGER_LOG_ID_BYTES)
                     ? verdicts_of_statement(self, coop_log, statement_index, verdicts)
                     : verdicts_load(self, ring, coop_log, municipality, plain, verdicts);
  if (err == COOP_E_NO_KEY || err == COOP_E_NOT_FOUND)
    return COOP_OK; /* nothing this node can tell: pending */
  if (err || !verdicts->loaded)
    return err;
  uint8_t figures_hash[LEDGER_HASH_BYTES];
  ledger_statement_figures_hash(statement, figures_hash);
  for (size_t i = verdicts_first(verdicts, statement_index);
       i < verdicts->count && verdicts->items[i].verdict.statement_index == statement_index;
       i++) { /* the latest matching one: the run is in log order */
    const verdict_item *item = &verdicts->items[i];
    if (memcmp(item->verdict.statement_leaf_hash, leaf, LEDGER_HASH_BYTES) ||
        memcmp(item->verdict.figures_hash, figures_hash, LEDGER_HASH_BYTES))
      continue;
    found->status = item->dispute ? NODE_AUDIT_DISPUTED : NODE_AUDIT_ACKNOWLEDGED;
    found->verdict = item->verdict;
    memcpy(found->log_id, municipality, LEDGER_LOG_ID_BYTES);
    found->index = item->index;
  }
  /* An acknowledgement of a statement that names other rules than its
   * municipality's cannot stand (receipts check the same). */
  if (found->status == NODE_AUDIT_ACKNOWLEDGED &&
      memcmp(statement->rule_set_log, municipality, LEDGER_LOG_ID_BYTES))
    found->status = NODE_AUDIT_PENDING;
  return COOP_OK;
}

/* The verdict on one statement in `municipality`'s log; only the member's
 * municipality (per the enrolment) can acknowledge, and only when the
 * statement also names it as its rule-set log.  `verdicts` caches that
 * log's verdicts between calls. */
static coop_err verdict_from(node *self, node_key_ring *ring, verdict_list *verdicts,
                             const uint8_t coop_log[LEDGER_LOG_ID_BYTES], uint64_t statement_index,
                             const uint8_t municipality[LEDGER_LOG_ID_BYTES],
                             node_verdict_found *found)
{
  memset(found, 0, sizeof *found);
  found->status = NODE_AUDIT_PENDING;
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  ledger_statement_payload *statement = coop_malloc(sizeof *statement);
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = plain && statement ? log_view_statement(ring, coop_log, statement_index, plain,
                                                         statement, leaf)
                                    : COOP_E_NOMEM;
  if (!err)
    err = verdict_on(self, ring, verdicts, coop_log, statement_index, statement, leaf, plain,
                     municipality, found);
  if (err == COOP_E_NO_KEY || err == COOP_E_NOT_FOUND)
    err = COOP_OK; /* nothing this node can tell: pending */
  if (plain)
    sodium_memzero(plain, COOP_PAYLOAD_BYTES_MAX);
  if (statement)
    sodium_memzero(statement, sizeof *statement);
  coop_free(plain);
  coop_free(statement);
  return err;
}

typedef struct enrolment_search {
  node_key_ring *ring;
  const uint8_t *coop_log;
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t *plain;
  bool found;
  uint8_t municipality[LEDGER_LOG_ID_BYTES];
} enrolment_search;

static coop_err find_enrolment(void *context, const ledger_stored_entry *entry)
{
  enrolment_search *search = context;
  if (entry->erased || entry->header.kind != LEDGER_KIND_MEMBER ||
      memcmp(entry->header.audience_id, search->audience, LEDGER_AUDIENCE_ID_BYTES))
    return COOP_OK;
  size_t plain_bytes = 0;
  bool opened = false;
  coop_err err = node_key_ring_open(search->ring, search->coop_log, entry, search->plain, &plain_bytes,
                             &opened);
  ledger_member_payload member;
  if (err || !opened || ledger_member_decode(search->plain, plain_bytes, &member) ||
      (member.action != LEDGER_MEMBER_ENROL && member.action != LEDGER_MEMBER_MOVE_IN))
    return err; /* the audience's municipality: its enrolment's, or its move in's */
  memcpy(search->municipality, member.municipality, LEDGER_LOG_ID_BYTES);
  search->found = true;
  return COOP_E_LIMIT; /* stop the walk */
}

coop_err node_verdict_for(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                          uint64_t statement_index, node_verdict_found *found)
{
  memset(found, 0, sizeof *found);
  found->status = NODE_AUDIT_PENDING;
  node_key_ring *ring = node_keys(self);
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  size_t payload_bytes = 0;
  ledger_entry_header header;
  enrolment_search search = {.ring = ring, .coop_log = coop_log, .plain = payload};
  coop_err err = payload ? ledger_store_entry(self->store, coop_log, statement_index, header_bytes,
                                              payload, &payload_bytes, leaf)
                         : COOP_E_NOMEM;
  if (!err)
    err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, &header);
  if (!err) {
    memcpy(search.audience, header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
    err = ledger_store_entries(self->store, coop_log, 0, find_enrolment, &search);
    if (err == COOP_E_LIMIT)
      err = COOP_OK;
  }
  verdict_list verdicts = {0};
  if (!err && search.found)
    err = verdict_from(self, ring, &verdicts, coop_log, statement_index, search.municipality,
                       found);
  verdicts_free(&verdicts);
  if (err == COOP_E_NOT_FOUND)
    err = COOP_OK;
  if (payload)
    sodium_memzero(payload, COOP_PAYLOAD_BYTES_MAX);
  coop_free(payload);
  return err;
}

const char *node_audit_status_name(int status)
{
  switch (status) {
  case NODE_AUDIT_MISSING: return "missing";
  case NODE_AUDIT_PENDING: return "pending";
  case NODE_AUDIT_ACKNOWLEDGED: return "acknowledged";
  case NODE_AUDIT_DISPUTED: return "disputed";
  case NODE_AUDIT_OPEN: return "open";
  case NODE_AUDIT_REISSUE_DUE: return "reissue due";
  }
  return "unknown";
}

/* The municipality that judges a statement: the one of the residence it
 * is sealed to (all zero when not readable here: no verdict counts). */
static const uint8_t *statement_municipality(const log_member *who, const log_statement *item)
{
  static const uint8_t unknown[LEDGER_PUBLIC_KEY_BYTES];
  const log_residence *residence = log_view_residence_of(who, item->audience);
  return residence ? residence->municipality : unknown;
}

static bool has_income(const log_view *view, const log_member *who, uint32_t period)
{
  ledger_month_sums sums;
  log_view_month(view, who, period, UINT64_MAX, &sums);
  return sums.record_count > 0;
}

static coop_err report_log(auditor *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           uint32_t period, node_audit_row_visitor visitor, void *context)
{
  log_view *view = NULL, month;
  bool indexed = self->verdicts.from_index;
  coop_err err = indexed ? audit_index_view(self->node, log_id, &period, 1, &month)
                         : reader_view(self, log_id, &view);
  if (err == COOP_E_NOT_FOUND && indexed)
    return COOP_OK; /* our own log */
  if (err)
    return err;
  if (indexed)
    view = &month;
  for (size_t r = 0; r < view->member_count && !err; r++) {
    const log_member *who = &view->members[r];
    if (!log_view_resident(who, period, self->node->identity.public_key))
      continue; /* not ours that month (another municipality's, or she moved) */
    const log_member_details *details =
        log_view_details_at(who, log_view_residence_at(who, period)->audience, UINT64_MAX);
    node_audit_row row;
    memset(&row, 0, sizeof row);
    memcpy(row.coop_log, log_id, LEDGER_LOG_ID_BYTES);
    memcpy(row.coop_name, view->name, sizeof row.coop_name);
    memcpy(row.member_id, who->member_id, sizeof row.member_id);
    memcpy(row.name, details ? details->name : who->name, sizeof row.name);
    memcpy(row.client_ref, details ? details->client_ref : who->client_ref, sizeof row.client_ref);
    const log_statement *latest = log_view_latest(view, who, period);
    if (latest) {
      row.has_statement = true;
      row.statement_index = latest->index;
      uint8_t leaf[LEDGER_HASH_BYTES];
      err = log_view_statement(self->ring, view->log_id, latest->index, self->plain,
                               &self->statement, leaf);
      if (err)
        break;
      row.figures = self->statement.figures;
      row.statement = &self->statement;
      if (self->report_states && (err = state_before(self, view, who, latest, &row.state_before)))
        break;
      node_verdict_found found;
      err = verdict_on(self->node, self->ring, &self->verdicts, log_id, latest->index,
                       &self->statement, leaf, self->plain, statement_municipality(who, latest),
                       &found);
      if (err)
        break;
      row.status = row.verdict_status = found.status;
      row.verdict = found.verdict;
      err = log_view_reissue_cause(self->ring, view, who, latest, self->plain,
                                   &row.reissue_cause);
      if (err)
        break;
      if (row.reissue_cause)
        row.status = NODE_AUDIT_REISSUE_DUE;
    } else if (has_income(view, who, period)) {
      row.status = log_view_closed(view, period) ? NODE_AUDIT_MISSING : NODE_AUDIT_OPEN;
    } else {
      continue;
    }
    err = visitor(context, &row);
  }
  if (indexed)
    log_view_free(&month);
  return err;
}

static coop_err audit_report(node *self, uint32_t period, bool states,
                             node_audit_row_visitor visitor, void *context,
                             char message[NODE_MESSAGE_BYTES])
{
  coop_err err = municipality_only(self, "the audit report is a municipality's view", message);
  if (err)
    return err;
  auditor *audit = reader_begin(self, message, &err);
  if (!audit)
    return err;
  audit->report_states = states;
  /* The report reads one month of each log from the audit tables. */
  if (!from_scratch(self)) {
    err = audit_index_update(self, audit->ring);
    audit->verdicts.from_index = !err;
  }
  log_ids logs = {0};
  if (!err)
    err = other_logs(self, &logs);
  for (size_t i = 0; i < logs.count && !err; i++)
    err = report_log(audit, logs.ids[i], period, visitor, context);
  if (err && !message[0])
    snprintf(message, NODE_MESSAGE_BYTES, "audit report failed: %s", failure_reason(self, err));
  coop_free(logs.ids);
  reader_end(self, audit);
  return err;
}

coop_err node_audit_report(node *self, uint32_t period, node_audit_row_visitor visitor,
                           void *context, char message[NODE_MESSAGE_BYTES])
{
  return audit_report(self, period, false, visitor, context, message);
}

coop_err node_audit_report_states(node *self, uint32_t period, node_audit_row_visitor visitor,
                                  void *context, char message[NODE_MESSAGE_BYTES])
{
  return audit_report(self, period, true, visitor, context, message);
}

/* ---- Disputes and the member's view ---------------------------------------------------- */

static bool later_acknowledged(auditor *self, const log_view *view, const log_member *who,
                               const log_statement *item)
{
  for (size_t i = 0; i < who->statement_count; i++) {
    const log_statement *later = log_view_statement_of(view, who, i);
    if (later->index <= item->index || later->period != item->period)
      continue;
    node_verdict_found found;
    if (verdict_from(self->node, self->ring, &self->verdicts, view->log_id, later->index,
                     statement_municipality(who, later), &found) == COOP_OK &&
        found.status == NODE_AUDIT_ACKNOWLEDGED)
      return true;
  }
  return false;
}

/* What a reader does with the view of each log held (each_view). */
typedef coop_err (*view_reader)(auditor *self, const log_view *view, void *context);

/* Runs `each` over the views of every log held, with one auditor reading
 * them: node_disputes and node_member_months. */
static coop_err each_view(node *self, view_reader each, void *context)
{
  char message[NODE_MESSAGE_BYTES];
  coop_err err = COOP_OK;
  auditor *audit = reader_begin(self, message, &err);
  if (!audit)
    return err;
  log_ids logs = {0};
  err = ledger_store_log_ids(self->store, &logs.ids, &logs.count);
  for (size_t i = 0; i < logs.count && !err; i++) {
    log_view *view = NULL;
    err = reader_view(audit, logs.ids[i], &view);
    if (!err)
      err = each(audit, view, context);
  }
  coop_free(logs.ids);
  reader_end(self, audit);
  return err;
}

typedef struct dispute_visit {
  node_dispute_visitor visitor;
  void *context;
} dispute_visit;

static coop_err disputes_in(auditor *self, const log_view *view, void *context)
{
  const dispute_visit *visit = context;
  const uint8_t *log_id = view->log_id;
  coop_err err = COOP_OK;
  for (size_t i = 0; i < view->statement_count && !err; i++) {
    const log_statement *item = &view->statements[i];
    node_dispute_row row;
    memset(&row, 0, sizeof row);
    const log_member *who = log_view_member(view, item->audience);
    if (!who)
      continue;
    err = verdict_from(self->node, self->ring, &self->verdicts, log_id, item->index,
                       statement_municipality(who, item), &row.found);
    if (err || row.found.status != NODE_AUDIT_DISPUTED)
      continue;
    memcpy(row.coop_log, log_id, LEDGER_LOG_ID_BYTES);
    memcpy(row.member_id, who->member_id, sizeof row.member_id);
    memcpy(row.name, who->name, sizeof row.name);
    row.period = item->period;
    row.statement_index = item->index;
    err = log_view_statement(self->ring, view->log_id, item->index, self->plain, &self->statement,
                             NULL);
    row.statement = &self->statement;
    row.open = !later_acknowledged(self, view, who, item);
    if (!err)
      err = visit->visitor(visit->context, &row);
  }
  return err;
}

coop_err node_disputes(node *self, node_dispute_visitor visitor, void *context)
{
  dispute_visit visit = {visitor, context};
  return each_view(self, disputes_in, &visit);
}

/* Revenue, costs and budget spending of one member's month, from every
 * record of it (the one derivation), and how many came after its statement. */
static void month_amounts(const log_view *view, const log_member *who, uint32_t period,
                          node_member_month *month)
{
  ledger_month_sums all, stated;
  log_view_month(view, who, period, UINT64_MAX, &all);
  month->earned_cents = all.revenue_cents;
  month->costs_cents = all.costs_cents;
  month->budget_spent_cents = all.budget_spent_cents;
  if (!month->has_statement)
    return;
  log_view_month(view, who, period, month->statement_index, &stated);
  month->records_after_statement = all.record_count - stated.record_count;
}

static bool is_chosen(const node *self, const log_member *who, const char *member_id)
{
  if (member_id)
    return !strcmp(member_id, who->member_id);
  return !memcmp(who->member_key, self->identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
}

typedef struct month_visit {
  const char *member_id;
  node_member_month_visitor visitor;
  void *context;
} month_visit;

static coop_err months_in(auditor *self, const log_view *view, void *context)
{
  const month_visit *visit = context;
  const uint8_t *log_id = view->log_id;
  coop_err err = COOP_OK;
  for (size_t r = 0; r < view->member_count && !err; r++) {
    const log_member *who = &view->members[r];
    if (!is_chosen(self->node, who, visit->member_id))
      continue;
    /* The months: every month with a record or a statement, in order. */
    uint32_t periods[240];
    size_t period_count = 0;
    for (size_t i = 0; i < who->record_count + who->statement_count; i++) {
      bool record = i < who->record_count;
      uint32_t period = record ? log_view_record_of(view, who, i)->period
                               : log_view_statement_of(view, who, i - who->record_count)->period;
      size_t at = 0;
      while (at < period_count && periods[at] < period)
        at++;
      if ((at < period_count && periods[at] == period) || period_count == 240)
        continue;
      memmove(periods + at + 1, periods + at, (period_count - at) * sizeof *periods);
      periods[at] = period;
      period_count++;
    }
    for (size_t p = 0; p < period_count && !err; p++) {
      node_member_month month;
      memset(&month, 0, sizeof month);
      memcpy(month.coop_log, log_id, LEDGER_LOG_ID_BYTES);
      memcpy(month.coop_name, view->name, sizeof month.coop_name);
      memcpy(month.member_id, who->member_id, sizeof month.member_id);
      /* Her residence of the month: its municipality, her details there. */
      const log_residence *residence = log_view_residence_at(who, periods[p]);
      const log_member_details *details =
          log_view_details_at(who, residence->audience, UINT64_MAX);
      memcpy(month.name, details ? details->name : who->name, sizeof month.name);
      memcpy(month.client_ref, details ? details->client_ref : who->client_ref,
             sizeof month.client_ref);
      memcpy(month.municipality, residence->municipality, sizeof month.municipality);
      month.period = periods[p];
      month.found.status = NODE_AUDIT_PENDING;
      const log_statement *latest = log_view_latest(view, who, periods[p]);
      month.has_statement = latest != NULL;
      month.statement_index = latest ? latest->index : 0;
      month_amounts(view, who, periods[p], &month);
      if (month.has_statement) {
        err = log_view_statement(self->ring, view->log_id, month.statement_index, self->plain,
                                 &self->statement, NULL);
        if (!err) {
          month.figures = self->statement.figures;
          month.statement = &self->statement;
        }
        if (!err)
          err = verdict_from(self->node, self->ring, &self->verdicts, log_id,
                             month.statement_index, statement_municipality(who, latest),
                             &month.found);
      }
      if (!err)
        err = visit->visitor(visit->context, &month);
    }
  }
  return err;
}

coop_err node_member_months(node *self, const char *member_id, node_member_month_visitor visitor,
                            void *context)
{
  month_visit visit = {member_id, visitor, context};
  return each_view(self, months_in, &visit);
}

coop_err node_statement_read(node *self, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                             uint64_t index, ledger_statement_payload *out)
{
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  coop_err err = plain ? log_view_statement(node_keys(self), coop_log, index, plain, out,
                                            NULL) : COOP_E_NOMEM;
  if (plain)
    sodium_memzero(plain, COOP_PAYLOAD_BYTES_MAX);
  coop_free(plain);
  return err;
}
