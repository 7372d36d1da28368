/* A coop's log as this node can read it (node/log_view.h). */
#include "node/log_view.h"

#include "ledger/log/erasure.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/log/identity.h"
#include "ledger/log/seal.h"

void log_view_free(log_view *view)
{
  for (size_t i = 0; i < view->member_count; i++) {
    log_member *who = &view->members[i];
    for (size_t r = 0; r < who->residence_count; r++)
      coop_free(who->residences[r].facts);
    coop_free(who->residences);
    coop_free(who->facts);
    coop_free(who->details);
    coop_free(who->records);
    coop_free(who->statements);
  }
  coop_free(view->slots);
  coop_free(view->keys);
  coop_free(view->members);
  coop_free(view->records);
  coop_free(view->statements);
  coop_free(view->closed);
  coop_free(view->erased);
  coop_free(view->unread);
  memset(view, 0, sizeof *view);
}

/* coop_grow for a member's own lists (residences, details, facts): most
 * hold one or two items, so they start at two, not sixteen (a view holds
 * thousands of members, and small blocks come from malloc's fast bins). */
static coop_err grow_small(void **items, size_t *capacity, size_t count, size_t size)
{
  if (*capacity || *items)
    return coop_grow(items, capacity, count, size); /* doubles from there */
  *items = coop_malloc(2 * size);
  if (!*items)
    return COOP_E_NOMEM;
  *capacity = 2;
  return COOP_OK;
}

static size_t slot_of(const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES], size_t slot_count)
{
  /* Audience ids are random past the member id's three bytes (which a
   * member's audiences share). */
  return coop_get_u32le(audience + LEDGER_MEMBER_ID_BYTES) & (slot_count - 1);
}

log_member *log_view_member(const log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES])
{
  if (!view->slot_count)
    return NULL;
  size_t mask = view->slot_count - 1;
  for (size_t slot = slot_of(audience, view->slot_count);; slot = (slot + 1) & mask) {
    uint32_t at = view->slots[slot];
    if (!at)
      return NULL;
    if (!memcmp(view->keys[at - 1].audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      return &view->members[view->keys[at - 1].member];
  }
}

static void slot_put(uint32_t *slots, size_t count, const uint8_t *audience, size_t key)
{
  size_t slot = slot_of(audience, count);
  while (slots[slot])
    slot = (slot + 1) & (count - 1);
  slots[slot] = (uint32_t)(key + 1);
}

/* Maps `audience` to member `position` (the table kept at most half full). */
static coop_err key_add(log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                        size_t position)
{
  if (log_view_member(view, audience))
    return COOP_OK;
  coop_err err = coop_grow((void **)&view->keys, &view->key_capacity, view->key_count,
                           sizeof *view->keys);
  if (err)
    return err;
  if (2 * (view->key_count + 1) > view->slot_count) {
    size_t count = view->slot_count ? 2 * view->slot_count : 64;
    uint32_t *slots = coop_calloc(count, sizeof *slots);
    if (!slots)
      return COOP_E_NOMEM;
    for (size_t i = 0; i < view->key_count; i++)
      slot_put(slots, count, view->keys[i].audience, i);
    coop_free(view->slots);
    view->slots = slots;
    view->slot_count = count;
  }
  memcpy(view->keys[view->key_count].audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  view->keys[view->key_count].member = (uint32_t)position;
  slot_put(view->slots, view->slot_count, audience, view->key_count);
  view->key_count++;
  return COOP_OK;
}

const log_residence *log_view_residence_of(const log_member *who,
                                           const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES])
{
  for (size_t r = 0; r < who->residence_count; r++)
    if (!memcmp(who->residences[r].audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      return &who->residences[r];
  return NULL;
}

const log_residence *log_view_residence_at(const log_member *who, uint32_t period)
{
  const log_residence *in_force = &who->residences[0];
  for (size_t r = 1; r < who->residence_count && who->residences[r].from_period <= period; r++)
    in_force = &who->residences[r];
  return in_force;
}

bool log_view_resident(const log_member *who, uint32_t period,
                       const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES])
{
  return !memcmp(log_view_residence_at(who, period)->municipality, municipality,
                 LEDGER_PUBLIC_KEY_BYTES);
}

/* The residence of `audience` from `from_period` (kept in month order),
 * made when new; the member's audiences all lead to her. */
static coop_err residence_add(log_view *view, log_member *who,
                              const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                              uint32_t from_period, log_residence **out)
{
  *out = (log_residence *)log_view_residence_of(who, audience);
  if (*out)
    return COOP_OK;
  coop_err err = key_add(view, audience, (size_t)(who - view->members));
  if (!err)
    err = grow_small((void **)&who->residences, &who->residence_capacity, who->residence_count,
                    sizeof *who->residences);
  if (err)
    return err;
  size_t at = who->residence_count++;
  while (at > 0 && who->residences[at - 1].from_period > from_period) {
    who->residences[at] = who->residences[at - 1];
    at--;
  }
  log_residence *residence = &who->residences[at];
  memset(residence, 0, sizeof *residence);
  memcpy(residence->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  residence->from_period = from_period;
  *out = residence;
  return COOP_OK;
}

const ledger_month_record *log_view_record_of(const log_view *view, const log_member *who, size_t i)
{
  return &view->records[who->records[i]];
}

const log_statement *log_view_statement_of(const log_view *view, const log_member *who, size_t i)
{
  return &view->statements[who->statements[i]];
}

bool log_view_closed(const log_view *view, uint32_t period)
{
  for (size_t i = 0; i < view->closed_count; i++)
    if (view->closed[i] == period)
      return true;
  return false;
}

typedef struct view_scan {
  log_view *view;
  node_key_ring *ring;
  uint32_t only_period;
  uint8_t *plain; /* COOP_PAYLOAD_BYTES_MAX */
  ledger_record *record; /* scratch for view_record: one allocation per scan */
  uint64_t to;           /* the first entry not read */
  size_t unread_before;  /* view->unread[0..unread_before) is sorted: from before `from` */
  bool reread;           /* an entry changed how the earlier ones read */
  bool stopped;          /* the walk reached `to` */
} view_scan;

/* A member first seen in `entry` (her enrolment; on a node that reads
 * only her residence after a move, the move in), with her residence of
 * that audience from `from_period`. */
static coop_err enrol(log_view *view, const ledger_stored_entry *entry,
                      const ledger_member_payload *member, uint32_t from_period,
                      log_member **out)
{
  coop_err err = coop_grow((void **)&view->members, &view->member_capacity, view->member_count,
                           sizeof *view->members);
  if (err)
    return err;
  log_member *who = &view->members[view->member_count++];
  memset(who, 0, sizeof *who);
  memcpy(who->audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  who->enrolled_at = entry->header.index;
  ledger_member_id(who->audience, who->member_id);
  memcpy(who->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
  log_residence *residence = NULL;
  err = residence_add(view, who, entry->header.audience_id, from_period, &residence);
  if (err)
    return err;
  residence->index = entry->header.index;
  memcpy(residence->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
  *out = who;
  return COOP_OK;
}

/* Her details from `entry` on: kept in the history, and as the latest. */
static coop_err new_details(log_member *who, const ledger_stored_entry *entry,
                            const ledger_member_payload *member)
{
  const log_residence *residence = log_view_residence_of(who, entry->header.audience_id);
  if (!residence ||
      memcmp(residence->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES))
    return COOP_E_TAMPERED; /* coop never moves a member by a details entry */
  memcpy(who->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
  coop_err err = grow_small((void **)&who->details, &who->detail_capacity, who->detail_count,
                      sizeof *who->details);
  if (err)
    return err;
  log_member_details *details = &who->details[who->detail_count++];
  details->index = entry->header.index;
  memcpy(details->audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  memcpy(details->name, member->name, sizeof details->name);
  memcpy(details->client_ref, member->client_ref, sizeof details->client_ref);
  memcpy(details->member_key, member->member_key, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(who->name, member->name, sizeof who->name);
  memcpy(who->client_ref, member->client_ref, sizeof who->client_ref);
  memcpy(who->member_key, member->member_key, LEDGER_PUBLIC_KEY_BYTES);
  return COOP_OK;
}

const log_member_details *log_view_details_at(const log_member *who,
                                              const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                              uint64_t index)
{
  const log_member_details *in_force = NULL;
  for (size_t i = 0; i < who->detail_count; i++) {
    const log_member_details *details = &who->details[i];
    if (memcmp(details->audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      continue;
    if (in_force && details->index >= index)
      break;
    in_force = details;
  }
  return in_force;
}

/* A move out (sealed to the residence she leaves): the next residence's
 * audience and month, its municipality unknown here unless its move in is
 * readable too. */
static coop_err move_out(log_view *view, log_member *who, const ledger_stored_entry *entry,
                         const ledger_member_payload *member)
{
  if (!log_view_residence_of(who, entry->header.audience_id) ||
      memcmp(member->other_audience, who->audience, LEDGER_MEMBER_ID_BYTES))
    return COOP_E_TAMPERED;
  log_residence *next = NULL;
  coop_err err = residence_add(view, who, member->other_audience, member->from_period, &next);
  if (!err && !next->index)
    next->index = entry->header.index;
  return err;
}

/* A move in (sealed to the new residence): her residence and details from
 * its month on.  A node that cannot read the residence before knows her
 * from here on; the one before is then only an audience and a month. */
static coop_err move_in(view_scan *scan, const ledger_stored_entry *entry,
                        const ledger_member_payload *member)
{
  log_view *view = scan->view;
  const uint8_t *audience = entry->header.audience_id;
  if (memcmp(member->other_audience, audience, LEDGER_MEMBER_ID_BYTES))
    return COOP_E_TAMPERED; /* a member keeps her id */
  log_member *who = log_view_member(view, audience);
  if (!who)
    who = log_view_member(view, member->other_audience);
  coop_err err = COOP_OK;
  log_residence *before = NULL, *residence = NULL;
  if (!who) {
    err = enrol(view, entry, member, member->from_period, &who);
    if (!err)
      err = residence_add(view, who, member->other_audience, 0, &before);
  } else {
    err = residence_add(view, who, audience, member->from_period, &residence);
  }
  residence = err ? NULL : (log_residence *)log_view_residence_of(who, audience);
  if (err || !residence)
    return err ? err : COOP_E_TAMPERED;
  if (residence->from_period != member->from_period)
    return COOP_E_TAMPERED;
  residence->index = entry->header.index;
  memcpy(residence->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
  return new_details(who, entry, member);
}

static coop_err view_member(view_scan *scan, const ledger_stored_entry *entry, size_t plain_bytes)
{
  ledger_member_payload member;
  if (ledger_member_decode(scan->plain, plain_bytes, &member))
    return COOP_E_TAMPERED;
  log_member *who = log_view_member(scan->view, entry->header.audience_id);
  if (member.action == LEDGER_MEMBER_ENROL && !who) {
    coop_err err = enrol(scan->view, entry, &member, 0, &who);
    return err ? err : new_details(who, entry, &member);
  }
  if (member.action == LEDGER_MEMBER_MOVE_IN)
    return move_in(scan, entry, &member);
  if (member.action == LEDGER_MEMBER_MOVE_OUT && who)
    return move_out(scan->view, who, entry, &member);
  if (member.action == LEDGER_MEMBER_DETAILS && who)
    return new_details(who, entry, &member);
  log_residence *residence =
      who ? (log_residence *)log_view_residence_of(who, entry->header.audience_id) : NULL;
  if (member.action == LEDGER_MEMBER_STATUS && residence) {
    ledger_member_fact fact = {member.field, member.from_period, member.value,
                               entry->header.index};
    coop_err err = grow_small((void **)&who->facts, &who->fact_capacity, who->fact_count,
                             sizeof *who->facts);
    if (!err)
      err = grow_small((void **)&residence->facts, &residence->fact_capacity,
                      residence->fact_count, sizeof *residence->facts);
    if (!err) {
      who->facts[who->fact_count++] = fact;
      residence->facts[residence->fact_count++] = fact;
    }
    return err;
  }
  return COOP_OK;
}

/* Appends a record (its month figures; the entry's audience, index and
 * leaf) to the view's list; the member's positions are the caller's
 * (index_by_member, or member_position_add). */
static coop_err record_add(log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                           uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                           const ledger_month_record *figures)
{
  coop_err err = coop_grow((void **)&view->records, &view->record_capacity, view->record_count,
                           sizeof *view->records);
  if (err)
    return err;
  ledger_month_record *item = &view->records[view->record_count++];
  *item = *figures;
  memcpy(item->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  item->index = index;
  memcpy(item->leaf, leaf, LEDGER_HASH_BYTES);
  return COOP_OK;
}

static coop_err view_record(view_scan *scan, const ledger_stored_entry *entry, size_t plain_bytes)
{
  ledger_record *record = scan->record;
  coop_err err = ledger_record_decode(scan->plain, plain_bytes, record) ? COOP_E_TAMPERED : COOP_OK;
  bool kept = !err && (!scan->only_period || ledger_record_month(record) == scan->only_period);
  if (kept) {
    ledger_month_record figures = {0};
    ledger_month_record_from(record, &figures);
    err = record_add(scan->view, entry->header.audience_id, entry->header.index, entry->leaf_hash,
                     &figures);
  }
  return err;
}

/* Appends a statement to the view's list (positions as for record_add). */
static coop_err statement_add(log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                              uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                              uint32_t period)
{
  coop_err err = coop_grow((void **)&view->statements, &view->statement_capacity,
                           view->statement_count, sizeof *view->statements);
  if (err)
    return err;
  log_statement *item = &view->statements[view->statement_count++];
  memcpy(item->audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  item->index = index;
  memcpy(item->leaf, leaf, LEDGER_HASH_BYTES);
  item->period = period;
  return COOP_OK;
}

static coop_err view_statement(view_scan *scan, const ledger_stored_entry *entry,
                               size_t plain_bytes)
{
  /* Only the period is needed now; the whole statement is read again when
   * used (it is large). */
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period = 0;
  if (ledger_statement_peek(scan->plain, plain_bytes, member, &period))
    return COOP_E_TAMPERED;
  log_view *view = scan->view;
  coop_err err = statement_add(view, entry->header.audience_id, entry->header.index,
                               entry->leaf_hash, period);
  if (err || !view->on_statement)
    return err;
  return view->on_statement(view->on_statement_context,
                            &view->statements[view->statement_count - 1], scan->plain,
                            plain_bytes);
}

/* The author's erasure of its own log: its audiences, for whoever follows. */
static coop_err view_erasure(log_view *view, const ledger_stored_entry *entry)
{
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  if (!erasure)
    return COOP_E_NOMEM;
  coop_err err = COOP_OK;
  if (!ledger_erasure_decode(entry->payload, entry->payload_bytes, erasure) &&
      !memcmp(erasure->target_log_id, view->log_id, LEDGER_LOG_ID_BYTES))
    for (unsigned i = 0; i < erasure->audience_count && !err; i++) {
      err = coop_grow((void **)&view->erased, &view->erased_capacity, view->erased_count,
                      sizeof *view->erased);
      if (!err)
        memcpy(view->erased[view->erased_count++], erasure->audiences[i],
               LEDGER_AUDIENCE_ID_BYTES);
    }
  coop_free(erasure);
  return err;
}

static coop_err view_public(log_view *view, const ledger_stored_entry *entry)
{
  uint16_t kind = entry->header.kind;
  if (kind == LEDGER_KIND_IDENTITY && entry->header.index == 0 && entry->payload) {
    ledger_identity_payload identity;
    if (!ledger_identity_payload_decode(entry->payload, entry->payload_bytes, &identity)) {
      view->role = identity.role;
      memcpy(view->name, identity.name, sizeof view->name);
    }
    return COOP_OK;
  }
  if (kind == LEDGER_KIND_ERASURE)
    return view_erasure(view, entry);
  uint32_t period = 0;
  if (kind == LEDGER_KIND_PERIOD_CLOSE && entry->payload &&
      ledger_period_close_decode(entry->payload, entry->payload_bytes, &period) == COOP_OK) {
    coop_err err = coop_grow((void **)&view->closed, &view->closed_capacity, view->closed_count,
                        sizeof *view->closed);
    if (!err) {
      view->closed[view->closed_count++] = period;
      view->last_close_index = entry->header.index;
    }
    return err;
  }
  return COOP_OK;
}

static int audience_order(const void *a, const void *b)
{
  return memcmp(a, b, LEDGER_AUDIENCE_ID_BYTES);
}

/* A key grant to this node for an audience it could not open before the
 * range: those entries read otherwise now.  Any erasure removes entries
 * before it.  Either way whoever keeps the view must read it all again. */
static void note_reread(view_scan *scan, const ledger_stored_entry *entry)
{
  if (entry->header.kind == LEDGER_KIND_ERASURE) {
    scan->reread = true;
    return;
  }
  ledger_key_grant grant;
  if (entry->header.kind != LEDGER_KIND_KEY_GRANT || !scan->unread_before ||
      ledger_key_grant_decode(entry->payload, entry->payload_bytes, &grant) ||
      memcmp(grant.reader, scan->ring->node->identity.public_key, LEDGER_PUBLIC_KEY_BYTES))
    return;
  if (bsearch(grant.audience_id, scan->view->unread, scan->unread_before,
              sizeof *scan->view->unread, audience_order))
    scan->reread = true;
}

static coop_err note_unread(log_view *view, const ledger_stored_entry *entry)
{
  coop_err err = coop_grow((void **)&view->unread, &view->unread_capacity, view->unread_count,
                           sizeof *view->unread);
  if (!err)
    memcpy(view->unread[view->unread_count++], entry->header.audience_id,
           LEDGER_AUDIENCE_ID_BYTES);
  return err;
}

static coop_err view_entry(void *context, const ledger_stored_entry *entry)
{
  view_scan *scan = context;
  uint16_t kind = entry->header.kind;
  if (entry->header.index >= scan->to) {
    scan->stopped = true;
    return COOP_E_LIMIT; /* stops the walk: the range is read */
  }
  if (entry->erased)
    return COOP_OK; /* an erased member: her entries are gone from the view */
  note_reread(scan, entry);
  if (kind != LEDGER_KIND_MEMBER && kind != LEDGER_KIND_TRANSACTION &&
      kind != LEDGER_KIND_STATEMENT)
    return view_public(scan->view, entry);
  size_t plain_bytes = 0;
  bool opened = false;
  coop_err err = node_key_ring_open(scan->ring, scan->view->log_id, entry, scan->plain,
                                    &plain_bytes, &opened);
  if (!err && !opened)
    err = note_unread(scan->view, entry);
  if (err || !opened)
    return err;
  if (kind == LEDGER_KIND_MEMBER)
    return view_member(scan, entry, plain_bytes);
  if (!log_view_member(scan->view, entry->header.audience_id))
    return COOP_OK; /* the books audience (coop-level records): not a member's */
  if (kind == LEDGER_KIND_TRANSACTION)
    return view_record(scan, entry, plain_bytes);
  return view_statement(scan, entry, plain_bytes);
}

/* The room of a member's list of `count` positions: the power of two
 * above count, so that appending one (log_view_add_statement, _record)
 * grows it only now and then. */
static size_t positions_room(size_t count)
{
  size_t room = 2;
  while (room <= count)
    room *= 2;
  return room;
}

/* Each member's records and statements as positions, in log order: a
 * count pass, then a fill pass. */
static coop_err index_by_member(log_view *view)
{
  for (size_t m = 0; m < view->member_count; m++) {
    log_member *who = &view->members[m];
    coop_free(who->records);
    coop_free(who->statements);
    who->records = who->statements = NULL;
    who->record_count = who->statement_count = 0;
  }
  /* Every record and statement in a view is a member's (view_entry keeps
   * no other); one that is not can only come from a view filled in
   * directly (log_view_reindex): refused, not dereferenced. */
  for (size_t i = 0; i < view->record_count; i++) {
    log_member *who = log_view_member(view, view->records[i].audience);
    if (!who)
      return COOP_E_DECODE;
    who->record_count++;
  }
  for (size_t i = 0; i < view->statement_count; i++) {
    log_member *who = log_view_member(view, view->statements[i].audience);
    if (!who)
      return COOP_E_DECODE;
    who->statement_count++;
  }
  for (size_t m = 0; m < view->member_count; m++) {
    log_member *who = &view->members[m];
    who->records = coop_calloc(positions_room(who->record_count), sizeof *who->records);
    who->statements = coop_calloc(positions_room(who->statement_count), sizeof *who->statements);
    if (!who->records || !who->statements)
      return COOP_E_NOMEM;
    who->record_count = who->statement_count = 0;
  }
  for (size_t i = 0; i < view->record_count; i++) {
    log_member *who = log_view_member(view, view->records[i].audience);
    who->records[who->record_count++] = i;
  }
  for (size_t i = 0; i < view->statement_count; i++) {
    log_member *who = log_view_member(view, view->statements[i].audience);
    who->statements[who->statement_count++] = i;
  }
  return COOP_OK;
}

/* Sorted and unique, so the next extension can search it. */
static void unread_settle(log_view *view)
{
  if (!view->unread_count)
    return;
  qsort(view->unread, view->unread_count, sizeof *view->unread, audience_order);
  size_t kept = 1;
  for (size_t i = 1; i < view->unread_count; i++)
    if (memcmp(view->unread[i], view->unread[kept - 1], LEDGER_AUDIENCE_ID_BYTES))
      memcpy(view->unread[kept++], view->unread[i], LEDGER_AUDIENCE_ID_BYTES);
  view->unread_count = kept;
}

coop_err log_view_reindex(log_view *view)
{
  coop_free(view->slots);
  view->slots = NULL;
  view->slot_count = view->key_count = 0;
  for (size_t m = 0; m < view->member_count; m++)
    for (size_t r = 0; r < view->members[m].residence_count; r++) {
      coop_err err = key_add(view, view->members[m].residences[r].audience, m);
      if (err)
        return err;
    }
  unread_settle(view);
  return index_by_member(view);
}

static coop_err view_scan_range(node_key_ring *ring, log_view *view, uint32_t only_period,
                                uint64_t from, uint64_t to, bool *reread)
{
  unread_settle(view);
  view_scan scan = {.view = view, .ring = ring, .only_period = only_period,
                    .plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX),
                    .record = coop_malloc(sizeof *scan.record), .to = to,
                    .unread_before = view->unread_count};
  coop_err err = scan.plain && scan.record ? COOP_OK : COOP_E_NOMEM;
  if (!err)
    err = ledger_store_entries(ring->node->store, view->log_id, from, view_entry, &scan);
  if (err == COOP_E_LIMIT && scan.stopped)
    err = COOP_OK;
  if (scan.plain)
    sodium_memzero(scan.plain, COOP_PAYLOAD_BYTES_MAX);
  if (scan.record)
    sodium_memzero(scan.record, sizeof *scan.record);
  coop_free(scan.plain);
  coop_free(scan.record);
  if (!err)
    err = index_by_member(view);
  unread_settle(view);
  if (reread)
    *reread = scan.reread;
  return err;
}

coop_err log_view_extend(node_key_ring *ring, log_view *view, uint64_t from, uint64_t to,
                         bool *reread)
{
  *reread = false;
  return view_scan_range(ring, view, 0, from, to, reread);
}

/* Appends `position` to a member's list of positions (records or
 * statements), whose room is positions_room(count): grown only when full. */
static coop_err member_position_add(size_t **positions, size_t *count, size_t position)
{
  if (!*positions || *count + 1 == positions_room(*count)) {
    size_t *grown = coop_realloc(*positions, positions_room(*count + 1) * sizeof *grown);
    if (!grown)
      return COOP_E_NOMEM;
    *positions = grown;
  }
  (*positions)[(*count)++] = position;
  return COOP_OK;
}

/* The member of a written entry, who must be in the view, and the view
 * must hold the entries before it (log order). */
static log_member *written_by(const log_view *view,
                             const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES], uint64_t index)
{
  bool in_order = (!view->record_count || view->records[view->record_count - 1].index < index) &&
                  (!view->statement_count ||
                   view->statements[view->statement_count - 1].index < index);
  return in_order ? log_view_member(view, audience) : NULL;
}

coop_err log_view_add_statement(log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                                uint32_t period)
{
  log_member *who = written_by(view, audience, index);
  if (!who)
    return COOP_E_NOT_FOUND;
  coop_err err = statement_add(view, audience, index, leaf, period);
  if (!err)
    err = member_position_add(&who->statements, &who->statement_count,
                              view->statement_count - 1);
  return err;
}

coop_err log_view_add_record(log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                             uint64_t index, const uint8_t leaf[LEDGER_HASH_BYTES],
                             const ledger_month_record *record)
{
  log_member *who = written_by(view, audience, index);
  if (!who)
    return COOP_E_NOT_FOUND;
  coop_err err = record_add(view, audience, index, leaf, record);
  if (err)
    return err;
  return member_position_add(&who->records, &who->record_count, view->record_count - 1);
}

coop_err log_view_load(node_key_ring *ring, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                       uint32_t only_period, log_view *view)
{
  memset(view, 0, sizeof *view);
  memcpy(view->log_id, log_id, LEDGER_LOG_ID_BYTES);
  coop_err err = view_scan_range(ring, view, only_period, 0, UINT64_MAX, NULL);
  if (err)
    log_view_free(view);
  return err;
}

void log_view_month(const log_view *view, const log_member *who, uint32_t period,
                    uint64_t statement_index, ledger_month_sums *sums)
{
  memset(sums, 0, sizeof *sums);
  const uint8_t *audience = log_view_residence_at(who, period)->audience;
  for (size_t i = 0; i < who->record_count; i++) {
    const ledger_month_record *record = log_view_record_of(view, who, i);
    if (!memcmp(record->audience, audience, LEDGER_AUDIENCE_ID_BYTES) &&
        ledger_month_counts(record, period, statement_index))
      ledger_month_add(sums, record);
  }
}

const log_statement *log_view_previous(const log_view *view, const log_member *who,
                                       uint32_t period, uint64_t statement_index)
{
  const log_statement *best = NULL;
  const uint8_t *audience = log_view_residence_at(who, period)->audience;
  for (size_t i = 0; i < who->statement_count; i++) {
    const log_statement *other = log_view_statement_of(view, who, i);
    if (other->period >= period || other->index > statement_index ||
        memcmp(other->audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      continue;
    if (!best || other->period > best->period ||
        (other->period == best->period && other->index > best->index))
      best = other;
  }
  return best;
}

const log_statement *log_view_latest(const log_view *view, const log_member *who, uint32_t period)
{
  const log_statement *latest = NULL;
  for (size_t i = 0; i < who->statement_count; i++)
    if (log_view_statement_of(view, who, i)->period == period)
      latest = log_view_statement_of(view, who, i); /* log order: the last is the latest */
  return latest;
}

coop_err log_view_statement(node_key_ring *ring, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                            uint64_t index, uint8_t *plain, ledger_statement_payload *out,
                            uint8_t leaf[LEDGER_HASH_BYTES])
{
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], own_leaf[LEDGER_HASH_BYTES];
  uint8_t *sealed = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  if (!sealed)
    return COOP_E_NOMEM;
  size_t sealed_bytes = 0, plain_bytes = 0;
  if (!leaf)
    leaf = own_leaf;
  coop_err err = ledger_store_entry(ring->node->store, log_id, index, header_bytes, sealed,
                                    &sealed_bytes, leaf);
  ledger_stored_entry entry = {.header_bytes = header_bytes, .payload = sealed,
                               .payload_bytes = sealed_bytes, .leaf_hash = leaf};
  bool opened = false;
  if (!err)
    err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, &entry.header);
  if (!err && entry.header.kind != LEDGER_KIND_STATEMENT)
    err = COOP_E_NOT_FOUND;
  if (!err)
    err = node_key_ring_open(ring, log_id, &entry, plain, &plain_bytes, &opened);
  if (!err && !opened)
    err = COOP_E_NO_KEY;
  if (!err)
    err = ledger_statement_decode(plain, plain_bytes, out) ? COOP_E_TAMPERED : COOP_OK;
  coop_free(sealed);
  return err;
}

void log_view_inputs(const log_view *view, const log_member *who, uint32_t period,
                     uint64_t statement_index, ledger_offset_month *inputs)
{
  ledger_month_sums sums;
  ledger_member_status status;
  const log_residence *residence = log_view_residence_at(who, period);
  log_view_month(view, who, period, statement_index, &sums);
  ledger_member_status_at(residence->facts, residence->fact_count, period, statement_index,
                          &status);
  ledger_month_inputs(&sums, &status, period, inputs);
}

/* The first record of the member's month written after `after` (the
 * statement no longer cites every record of its month), 0: none. */
static uint64_t first_record_after(const log_view *view, const log_member *who, uint32_t period,
                                   uint64_t after)
{
  for (size_t i = 0; i < who->record_count; i++) {
    const ledger_month_record *record = log_view_record_of(view, who, i);
    if (record->index > after && ledger_month_counts(record, period, UINT64_MAX))
      return record->index; /* log order: the first */
  }
  return 0;
}

/* The first status fact of the member from `period` or before written
 * after `after`, 0: none. */
static uint64_t first_fact_after(const log_member *who, uint32_t period, uint64_t after)
{
  const log_residence *residence = log_view_residence_at(who, period);
  for (size_t i = 0; i < residence->fact_count; i++)
    if (residence->facts[i].index > after && residence->facts[i].from_period <= period)
      return residence->facts[i].index;
  return 0;
}

/* Did the carried state the statement started from change since: an
 * earlier month reissued with another state after it? */
static coop_err carried_state_changed(node_key_ring *ring, const log_view *view,
                                      const log_member *who, const log_statement *item,
                                      uint8_t *plain, uint64_t *cause)
{
  const log_statement *then = log_view_previous(view, who, item->period, item->index);
  const log_statement *now = log_view_previous(view, who, item->period, UINT64_MAX);
  if (then == now)
    return COOP_OK;
  ledger_statement_payload *old = coop_malloc(sizeof *old), *new = coop_malloc(sizeof *new);
  coop_err err = old && new ? COOP_OK : COOP_E_NOMEM;
  ledger_offset_state fresh;
  ledger_offset_state_init(&fresh);
  if (!err && then)
    err = log_view_statement(ring, view->log_id, then->index, plain, old, NULL);
  if (!err)
    err = log_view_statement(ring, view->log_id, now->index, plain, new, NULL);
  if (!err && !ledger_statement_same_state(then ? &old->state_after : &fresh, &new->state_after))
    *cause = now->index;
  coop_free(old);
  coop_free(new);
  return err;
}

coop_err log_view_reissue_cause(node_key_ring *ring, const log_view *view, const log_member *who,
                                const log_statement *item, uint8_t *plain, uint64_t *cause)
{
  /* A late record of the month always: even one that changes no figure
   * (an hour's fraction) leaves the statement not citing all its records. */
  *cause = first_record_after(view, who, item->period, item->index);
  if (*cause)
    return COOP_OK;
  ledger_offset_month then, now;
  log_view_inputs(view, who, item->period, item->index, &then);
  log_view_inputs(view, who, item->period, UINT64_MAX, &now);
  if (!ledger_month_inputs_equal(&then, &now))
    *cause = first_fact_after(who, item->period, item->index);
  if (*cause)
    return COOP_OK;
  return carried_state_changed(ring, view, who, item, plain, cause);
}
