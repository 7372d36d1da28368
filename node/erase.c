/* Erasing a member, retention, and following a coop's erasure
 * (node/erase.h). */
#include "node/erase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books.h"
#include "ledger/books/books_index.h"
#include "node/books.h"
#include "node/books_int.h"
#include "node/close_view_file.h"
#include "node/log_view.h"

/* ---- retention ----------------------------------------------------------- */

uint32_t node_retention_end(const node *self, uint32_t left_period)
{
  if (!left_period)
    return 0;
  uint32_t year = left_period / 100u + 1u + (uint32_t)self->retention_years;
  return year * 10000u + 101u;
}

/* ---- erasing a member ---------------------------------------------------- */

static int compare_audience(const void *left, const void *right)
{
  return memcmp(left, right, LEDGER_AUDIENCE_ID_BYTES);
}

static int compare_u64(const void *left, const void *right)
{
  uint64_t a = *(const uint64_t *)left, b = *(const uint64_t *)right;
  return a < b ? -1 : a > b;
}

/* Her net postings per day, read before her rows go. */
typedef struct day_total {
  uint32_t date;
  uint16_t account;
  int64_t amount_cents;
} day_total;

typedef struct day_totals {
  day_total *items;
  size_t count, capacity;
} day_totals;

static coop_err keep_day_total(void *context, uint32_t date, uint16_t account,
                               int64_t amount_cents)
{
  day_totals *totals = context;
  coop_err err = coop_grow((void **)&totals->items, &totals->capacity, totals->count,
                           sizeof *totals->items);
  if (!err)
    totals->items[totals->count++] = (day_total){date, account, amount_cents};
  return err;
}

static coop_err erasure_of(books_session *session, const ledger_member_row *member,
                           const node_erase_request *request, ledger_erasure *erasure)
{
  node *self = session->node;
  size_t audiences = 0;
  coop_err err = ledger_books_member_audiences(self->store, member->member_id,
                                               erasure->audiences,
                                               LEDGER_ERASURE_AUDIENCES_MAX, &audiences);
  if (err)
    return books_say(session->message, err, "cannot read her audiences: %s",
                     coop_err_message(err));
  erasure->audience_count = (uint8_t)audiences;
  erasure->reason = request->before_retention ? LEDGER_ERASURE_BEFORE_RETENTION
                    : request->retention_ended ? LEDGER_ERASURE_RETENTION_ENDED
                                               : LEDGER_ERASURE_ON_REQUEST;
  memcpy(erasure->target_log_id, self->identity.public_key, LEDGER_LOG_ID_BYTES);
  snprintf(erasure->reason_text, sizeof erasure->reason_text, "%s", request->reason);
  size_t grants = 0;
  for (size_t i = 0; i < audiences && !err; i++) {
    size_t found = 0;
    err = ledger_store_audience_grants(self->store, self->identity.public_key,
                                       erasure->audiences[i], erasure->grants + grants,
                                       LEDGER_ERASURE_GRANTS_MAX - grants, &found);
    grants += found;
  }
  if (err)
    return books_say(session->message, err, "cannot read her key grants: %s",
                     coop_err_message(err));
  qsort(erasure->grants, grants, sizeof erasure->grants[0], compare_u64);
  erasure->grant_count = (uint16_t)grants;
  return COOP_OK;
}

/* One erased-member record per day: her nets on that day, which sum to
 * zero because every record of hers did. */
static coop_err append_day_records(books_session *session, const ledger_member_row *member,
                                   const day_totals *totals, unsigned *records)
{
  ledger_record *record = coop_calloc(1, sizeof *record);
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = record ? COOP_OK : COOP_E_NOMEM;
  for (size_t i = 0; i < totals->count && !err;) {
    memset(record, 0, sizeof *record);
    record->type = LEDGER_RECORD_ERASED_MEMBER;
    record->date = totals->items[i].date;
    memcpy(record->member, member->audience_id, LEDGER_MEMBER_ID_BYTES);
    while (i < totals->count && totals->items[i].date == record->date &&
           record->posting_count < LEDGER_POSTINGS_MAX)
      record->postings[record->posting_count++] =
          (ledger_posting){totals->items[i].account, totals->items[i++].amount_cents};
    coop_buf_reset(&plain);
    err = ledger_record_encode(record, &plain);
    if (err)
      books_say(session->message, err, "her amounts on %u do not balance: %s",
                (unsigned)record->date, coop_err_message(err));
    else
      err = books_session_add(session, LEDGER_KIND_TRANSACTION, session->books_audience, &plain);
    if (!err)
      (*records)++;
  }
  coop_buf_release(&plain);
  coop_free(record);
  return err;
}

static coop_err retention_allows(books_session *session, const ledger_member_row *member,
                                 const node_erase_request *request, node_erase_result *result)
{
  node *self = session->node;
  coop_err err = ledger_books_member_left(self->store, member->member_id, &result->left_period);
  if (err)
    return books_say(session->message, err, "cannot read her status");
  result->retention_until = node_retention_end(self, result->left_period);
  if (request->before_retention || (result->retention_until && node_today() >= result->retention_until))
    return COOP_OK;
  if (!result->left_period)
    return books_say(session->message, COOP_E_RANGE,
                     "%s (%s) is still a member: her data is kept while she is and %d years "
                     "after the year she leaves; erase before that only with "
                     "--before-retention (a court order, a mistaken enrolment)",
                     member->name, member->member_id, self->retention_years);
  return books_say(session->message, COOP_E_RANGE,
                   "%s (%s) left in %04u-%02u: her data is kept until %04u-%02u-%02u "
                   "(retention_years = %d); erase before that only with --before-retention",
                   member->name, member->member_id, result->left_period / 100u,
                   result->left_period % 100u, result->retention_until / 10000u,
                   result->retention_until / 100u % 100u, result->retention_until % 100u,
                   self->retention_years);
}

static coop_err erase_in_session(books_session *session, const ledger_member_row *member,
                                 const node_erase_request *request, node_erase_result *result)
{
  node *self = session->node;
  ledger_erasure *erasure = coop_calloc(1, sizeof *erasure);
  day_totals totals = {0};
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = erasure ? retention_allows(session, member, request, result)
                         : books_say(session->message, COOP_E_NOMEM, "out of memory");
  if (!err)
    err = erasure_of(session, member, request, erasure);
  for (unsigned i = 0; !err && i < erasure->audience_count; i++) {
    uint64_t held = 0;
    err = ledger_store_audience_payloads(self->store, self->identity.public_key,
                                         erasure->audiences[i], &held);
    result->entries_erased += held;
  }
  if (!err)
    err = ledger_books_member_day_totals(self->store, member->member_id, keep_day_total, &totals);
  if (!err && (err = ledger_erasure_encode(erasure, &plain)))
    books_say(session->message, err, "the reason must be 1 to %u bytes of text without control "
              "characters", LEDGER_ERASURE_REASON_BYTES_MAX);
  result->erasure_index = session->base_size + session->pending;
  if (!err)
    err = books_session_add(session, LEDGER_KIND_ERASURE, NULL, &plain);
  if (!err)
    err = append_day_records(session, member, &totals, &result->day_records);
  if (!err) {
    result->audiences = erasure->audience_count;
    result->grants = erasure->grant_count;
  }
  coop_buf_release(&plain);
  coop_free(totals.items);
  coop_free(erasure);
  return err;
}

coop_err node_member_erase(node *self, const node_erase_request *request,
                           node_erase_result *result, char message[NODE_MESSAGE_BYTES])
{
  memset(result, 0, sizeof *result);
  if (!request->reason || !request->reason[0])
    return books_say(message, COOP_E_BAD_INPUT, "an erasure needs a reason (--reason TEXT)");
  /* The close's view file holds her name and references: gone before the
   * erasure is committed, so a crash after the commit cannot leave it. */
  node_close_view_forget(self);
  coop_err err = node_books_ready(self, message);
  books_session *session = NULL;
  if (!err)
    err = books_session_begin(self, message, &session);
  if (err)
    return err;
  ledger_member_row member;
  err = ledger_books_member(self->store, request->member_id, &member);
  if (err == COOP_E_NOT_FOUND)
    books_say(message, err, "unknown member '%s' (see 'coop member list'; an erased member "
              "is not there any more)", request->member_id);
  else if (err)
    books_say(message, err, "cannot read members");
  if (!err)
    err = erase_in_session(session, &member, request, result);
  err = books_session_end(session, err);
  if (err)
    return err;
  /* Her keys may sit in this process's cache: wipe them all; her details
   * and figures in the view the last month close kept: drop it. */
  node_key_ring_free(&self->keys);
  node_close_view_forget(self);
  if (ledger_store_wal_truncate(self->store))
    books_say(message, COOP_OK, "erased; the database's write-ahead log is still in use by "
              "another process and is emptied when it ends");
  return COOP_OK;
}

/* ---- who is due ------------------------------------------------------------ */

typedef struct retention_scan {
  node *node;
  node_retention_row *rows;
  size_t count, capacity;
} retention_scan;

static coop_err scan_member(void *context, const ledger_member_row *member)
{
  retention_scan *scan = context;
  uint32_t left = 0;
  coop_err err = ledger_books_member_left(scan->node->store, member->member_id, &left);
  if (err || !left)
    return err;
  err = coop_grow((void **)&scan->rows, &scan->capacity, scan->count, sizeof *scan->rows);
  if (err)
    return err;
  node_retention_row *row = &scan->rows[scan->count++];
  memset(row, 0, sizeof *row);
  snprintf(row->member_id, sizeof row->member_id, "%s", member->member_id);
  snprintf(row->name, sizeof row->name, "%s", member->name);
  row->left_period = left;
  row->retention_until = node_retention_end(scan->node, left);
  row->due = node_today() >= row->retention_until;
  return COOP_OK;
}

static int compare_retention(const void *left, const void *right)
{
  const node_retention_row *a = left, *b = right;
  if (a->retention_until != b->retention_until)
    return a->retention_until < b->retention_until ? -1 : 1;
  return strcmp(a->member_id, b->member_id);
}

/* ---- on a municipality's node: former residents in the coop logs held ---- */

/* The month she stopped being ours: she left the coop, or a later residence
 * is another municipality's.  0 while she is still ours. */
static uint32_t left_us(const node *self, const log_member *who)
{
  uint32_t left = 0;
  for (size_t i = 0; i < who->fact_count; i++)
    if (who->facts[i].field == LEDGER_MEMBER_LEFT && who->facts[i].value &&
        (!left || who->facts[i].from_period < left))
      left = who->facts[i].from_period;
  bool ours = false;
  for (size_t i = 0; i < who->residence_count; i++) {
    const log_residence *residence = &who->residences[i];
    bool mine = !memcmp(residence->municipality, self->identity.public_key, LEDGER_LOG_ID_BYTES);
    if (ours && !mine && (!left || residence->from_period < left))
      left = residence->from_period;
    ours = ours || mine;
  }
  return left;
}

static coop_err resident_row(retention_scan *scan, const log_view *view, const log_member *who)
{
  node *self = scan->node;
  node_retention_row row;
  memset(&row, 0, sizeof row);
  for (size_t i = 0; i < who->residence_count; i++)
    if (!memcmp(who->residences[i].municipality, self->identity.public_key, LEDGER_LOG_ID_BYTES) &&
        row.audience_count < LEDGER_ERASURE_AUDIENCES_MAX)
      memcpy(row.audiences[row.audience_count++], who->residences[i].audience,
             LEDGER_AUDIENCE_ID_BYTES);
  row.left_period = row.audience_count ? left_us(self, who) : 0;
  if (!row.left_period)
    return COOP_OK;
  snprintf(row.member_id, sizeof row.member_id, "%s", who->member_id);
  snprintf(row.name, sizeof row.name, "%s", who->name);
  memcpy(row.coop_log, view->log_id, LEDGER_LOG_ID_BYTES);
  snprintf(row.coop_name, sizeof row.coop_name, "%s", view->name);
  row.retention_until = node_retention_end(self, row.left_period);
  row.due = node_today() >= row.retention_until;
  coop_err err = coop_grow((void **)&scan->rows, &scan->capacity, scan->count, sizeof *scan->rows);
  if (!err)
    scan->rows[scan->count++] = row;
  return err;
}

static coop_err scan_coop_logs(retention_scan *scan)
{
  node *self = scan->node;
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0;
  node_key_ring *ring = node_keys(self);
  coop_err err = ledger_store_log_ids(self->store, &ids, &count);
  for (size_t i = 0; i < count && !err; i++) {
    if (!memcmp(ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      continue;
    log_view view;
    err = log_view_load(ring, ids[i], 0, &view);
    if (err)
      break;
    for (size_t m = 0; m < view.member_count && !err && view.role == LEDGER_ROLE_COOP; m++)
      err = resident_row(scan, &view, &view.members[m]);
    log_view_free(&view);
  }
  coop_free(ids);
  return err;
}

coop_err node_retention_list(node *self, node_retention_visitor visitor, void *context,
                             char message[NODE_MESSAGE_BYTES])
{
  retention_scan scan = {.node = self};
  coop_err err = COOP_OK;
  if (self->role == LEDGER_ROLE_MUNICIPALITY) {
    if ((err = scan_coop_logs(&scan)))
      books_say(message, err, "cannot read the coop logs: %s", coop_err_message(err));
  } else if (!(err = node_books_ready(self, message))) {
    err = ledger_books_members(self->store, scan_member, &scan);
    if (err)
      books_say(message, err, "cannot read members: %s", coop_err_message(err));
  }
  if (scan.count)
    qsort(scan.rows, scan.count, sizeof *scan.rows, compare_retention);
  for (size_t i = 0; i < scan.count && !err; i++)
    err = visitor(context, &scan.rows[i]);
  coop_free(scan.rows);
  return err;
}

/* The erasure of her audiences in `target` (with the target's key grants
 * of them when it is another log). */
static coop_err copy_erasure(node *self, const node_retention_row *row, const uint8_t *target,
                             const char *reason, ledger_erasure *erasure)
{
  memset(erasure, 0, sizeof *erasure);
  erasure->reason = LEDGER_ERASURE_RETENTION_ENDED;
  memcpy(erasure->target_log_id, target, LEDGER_LOG_ID_BYTES);
  snprintf(erasure->reason_text, sizeof erasure->reason_text, "%s", reason);
  erasure->audience_count = row->audience_count;
  memcpy(erasure->audiences, row->audiences, sizeof erasure->audiences);
  qsort(erasure->audiences, erasure->audience_count, LEDGER_AUDIENCE_ID_BYTES, compare_audience);
  coop_err err = COOP_OK;
  size_t grants = 0;
  for (unsigned i = 0; i < erasure->audience_count && !err &&
                       memcmp(target, self->identity.public_key, LEDGER_LOG_ID_BYTES); i++) {
    size_t found = 0;
    err = ledger_store_audience_grants(self->store, target, erasure->audiences[i],
                                       erasure->grants + grants, LEDGER_ERASURE_GRANTS_MAX - grants,
                                       &found);
    grants += found;
  }
  qsort(erasure->grants, grants, sizeof erasure->grants[0], compare_u64);
  erasure->grant_count = (uint16_t)grants;
  return err;
}

coop_err node_copy_erase(node *self, const node_retention_row *row, const char *reason,
                         node_erase_result *result, char message[NODE_MESSAGE_BYTES])
{
  memset(result, 0, sizeof *result);
  ledger_erasure *erasures = coop_calloc(2, sizeof *erasures);
  coop_buf plain[2];
  coop_buf_init(&plain[0], COOP_PAYLOAD_BYTES_MAX);
  coop_buf_init(&plain[1], COOP_PAYLOAD_BYTES_MAX);
  ledger_append_item items[2];
  size_t count = 0;
  coop_err err = erasures ? copy_erasure(self, row, row->coop_log, reason, &erasures[0])
                          : COOP_E_NOMEM;
  uint64_t held = 0, own = 0;
  for (unsigned i = 0; !err && i < row->audience_count; i++) {
    uint64_t n = 0;
    err = ledger_store_audience_payloads(self->store, row->coop_log, row->audiences[i], &n);
    held += n;
    if (!err)
      err = ledger_store_audience_payloads(self->store, self->identity.public_key,
                                           row->audiences[i], &n);
    own += n;
  }
  if (!err && own)
    err = copy_erasure(self, row, self->identity.public_key, reason, &erasures[1]);
  for (size_t i = 0; !err && i < (own ? 2u : 1u); i++) {
    err = ledger_erasure_encode(&erasures[i], &plain[i]);
    items[count++] = (ledger_append_item){.kind = LEDGER_KIND_ERASURE, .payload = plain[i].data,
                                          .payload_bytes = plain[i].len};
  }
  if (!err && (err = ledger_store_size(self->store, self->identity.public_key,
                                       &result->erasure_index)) == COOP_OK)
    err = ledger_store_append(self->store, &self->identity, items, count, node_now_ms(), NULL);
  if (!err) {
    result->audiences = erasures[0].audience_count;
    result->grants = erasures[0].grant_count;
    result->entries_erased = held + own;
    (void)ledger_store_wal_truncate(self->store);
    node_key_ring_free(&self->keys); /* her keys may sit in the ring: wipe them all */
    node_close_view_forget(self);
  }
  coop_buf_release(&plain[0]);
  coop_buf_release(&plain[1]);
  coop_free(erasures);
  return err ? books_say(message, err, "cannot erase the copy of %s's data: %s", row->member_id,
                         coop_err_message(ledger_store_failure(self->store, err)))
             : COOP_OK;
}

/* ---- following a coop's erasure ------------------------------------------ */

ledger_erasure *node_erasure_follow_begin(void)
{
  return coop_calloc(1, sizeof(ledger_erasure));
}

static bool already_in(const ledger_erasure *mine, const uint8_t *audience)
{
  for (unsigned i = 0; i < mine->audience_count; i++)
    if (!memcmp(mine->audiences[i], audience, LEDGER_AUDIENCE_ID_BYTES))
      return true;
  return false;
}

coop_err node_erasure_collect(node *self, const log_view *view, ledger_erasure *mine)
{
  for (size_t i = 0; i < view->erased_count; i++) {
    if (already_in(mine, view->erased[i]) || mine->audience_count >= LEDGER_ERASURE_AUDIENCES_MAX)
      continue;
    uint64_t held = 0;
    coop_err err = ledger_store_audience_payloads(self->store, self->identity.public_key,
                                                  view->erased[i], &held);
    if (err)
      return err;
    if (held)
      memcpy(mine->audiences[mine->audience_count++], view->erased[i], LEDGER_AUDIENCE_ID_BYTES);
  }
  return COOP_OK;
}

coop_err node_erasure_follow(node *self, ledger_erasure *mine, unsigned *appended,
                             char message[NODE_MESSAGE_BYTES])
{
  *appended = 0;
  if (!mine->audience_count)
    return COOP_OK;
  qsort(mine->audiences, mine->audience_count, LEDGER_AUDIENCE_ID_BYTES, compare_audience);
  mine->reason = LEDGER_ERASURE_ON_REQUEST;
  memcpy(mine->target_log_id, self->identity.public_key, LEDGER_LOG_ID_BYTES);
  snprintf(mine->reason_text, sizeof mine->reason_text, "%s",
           "following the coop's erasure of these members");
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_erasure_encode(mine, &plain);
  ledger_append_item item = {.kind = LEDGER_KIND_ERASURE, .payload = plain.data,
                             .payload_bytes = plain.len};
  if (!err)
    err = ledger_store_append(self->store, &self->identity, &item, 1, node_now_ms(), NULL);
  coop_buf_release(&plain);
  if (err)
    return books_say(message, err, "cannot follow an erasure: %s", coop_err_message(err));
  *appended = 1;
  (void)ledger_store_wal_truncate(self->store);
  node_key_ring_free(&self->keys); /* as node_copy_erase */
  node_close_view_forget(self);
  return COOP_OK;
}
