/* A coop's log as this node can read it (node/log_view.h). */
#include "node/log_view.h"

#include <string.h>

#include <sodium.h>

#include "ledger/alloc.h"
#include "ledger/codec.h"
#include "ledger/identity.h"

static coop_err grow(void **items, size_t *capacity, size_t count, size_t size)
{
  if (count < *capacity)
    return COOP_OK;
  size_t wanted = *capacity ? 2 * *capacity : 16;
  void *grown = coop_realloc(*items, wanted * size);
  if (!grown)
    return COOP_E_NOMEM;
  *items = grown;
  *capacity = wanted;
  return COOP_OK;
}

void log_view_free(log_view *view)
{
  for (size_t i = 0; i < view->member_count; i++)
    coop_free(view->members[i].facts);
  coop_free(view->members);
  coop_free(view->records);
  coop_free(view->statements);
  coop_free(view->closed);
  memset(view, 0, sizeof *view);
}

log_member *log_view_member(const log_view *view, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES])
{
  for (size_t i = 0; i < view->member_count; i++)
    if (!memcmp(view->members[i].audience, audience, LEDGER_AUDIENCE_ID_BYTES))
      return &view->members[i];
  return NULL;
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
} view_scan;

static coop_err enrol(log_view *view, const ledger_stored_entry *entry,
                      const ledger_member_payload *member)
{
  coop_err err = grow((void **)&view->members, &view->member_capacity, view->member_count,
                      sizeof *view->members);
  if (err)
    return err;
  log_member *who = &view->members[view->member_count++];
  memset(who, 0, sizeof *who);
  memcpy(who->audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  who->enrolled_at = entry->header.index;
  ledger_member_id(who->audience, who->member_id);
  memcpy(who->name, member->name, sizeof who->name);
  memcpy(who->client_ref, member->client_ref, sizeof who->client_ref);
  memcpy(who->municipality, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(who->member_key, member->member_key, LEDGER_PUBLIC_KEY_BYTES);
  return COOP_OK;
}

static coop_err view_member(view_scan *scan, const ledger_stored_entry *entry, size_t plain_bytes)
{
  ledger_member_payload member;
  if (ledger_member_decode(scan->plain, plain_bytes, &member))
    return COOP_E_TAMPERED;
  log_member *who = log_view_member(scan->view, entry->header.audience_id);
  if (member.action == LEDGER_MEMBER_ENROL && !who)
    return enrol(scan->view, entry, &member);
  if (member.action == LEDGER_MEMBER_STATUS && who) {
    coop_err err = grow((void **)&who->facts, &who->fact_capacity, who->fact_count,
                        sizeof *who->facts);
    if (!err)
      who->facts[who->fact_count++] =
          (ledger_member_fact){member.field, member.from_period, member.value};
    return err;
  }
  return COOP_OK;
}

static coop_err view_record(view_scan *scan, const ledger_stored_entry *entry, size_t plain_bytes)
{
  log_view *view = scan->view;
  ledger_record *record = coop_malloc(sizeof *record);
  if (!record)
    return COOP_E_NOMEM;
  coop_err err = ledger_record_decode(scan->plain, plain_bytes, record) ? COOP_E_TAMPERED : COOP_OK;
  bool kept = !err && (!scan->only_period || record->date / 100 == scan->only_period);
  if (kept)
    err = grow((void **)&view->records, &view->record_capacity, view->record_count,
               sizeof *view->records);
  if (kept && !err) {
    ledger_month_record *item = &view->records[view->record_count++];
    memcpy(item->audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
    item->index = entry->header.index;
    memcpy(item->leaf, entry->leaf_hash, LEDGER_HASH_BYTES);
    ledger_month_record_from(record, item);
  }
  coop_free(record);
  return err;
}

static coop_err view_statement(view_scan *scan, const ledger_stored_entry *entry,
                               size_t plain_bytes)
{
  log_view *view = scan->view;
  /* Only the period is needed now; the whole statement is read again when
   * used (it is large). */
  uint8_t member[LEDGER_MEMBER_ID_BYTES];
  uint32_t period = 0;
  if (ledger_statement_peek(scan->plain, plain_bytes, member, &period))
    return COOP_E_TAMPERED;
  coop_err err = grow((void **)&view->statements, &view->statement_capacity,
                      view->statement_count, sizeof *view->statements);
  if (err)
    return err;
  log_statement *item = &view->statements[view->statement_count++];
  memcpy(item->audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  item->index = entry->header.index;
  memcpy(item->leaf, entry->leaf_hash, LEDGER_HASH_BYTES);
  item->period = period;
  return COOP_OK;
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
  if (kind == LEDGER_KIND_PERIOD_CLOSE && entry->payload &&
      entry->payload_bytes == LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES) {
    coop_err err = grow((void **)&view->closed, &view->closed_capacity, view->closed_count,
                        sizeof *view->closed);
    if (!err)
      view->closed[view->closed_count++] = coop_get_u32le(entry->payload + 1);
    return err;
  }
  return COOP_OK;
}

static coop_err view_entry(void *context, const ledger_stored_entry *entry)
{
  view_scan *scan = context;
  uint16_t kind = entry->header.kind;
  if (kind != LEDGER_KIND_MEMBER && kind != LEDGER_KIND_TRANSACTION &&
      kind != LEDGER_KIND_STATEMENT)
    return view_public(scan->view, entry);
  size_t plain_bytes = 0;
  bool opened = false;
  coop_err err = node_key_ring_open(scan->ring, scan->view->log_id, entry, scan->plain,
                                    &plain_bytes, &opened);
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

coop_err log_view_load(node_key_ring *ring, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                       uint32_t only_period, log_view *view)
{
  memset(view, 0, sizeof *view);
  memcpy(view->log_id, log_id, LEDGER_LOG_ID_BYTES);
  view_scan scan = {.view = view, .ring = ring, .only_period = only_period,
                    .plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX)};
  if (!scan.plain)
    return COOP_E_NOMEM;
  coop_err err = ledger_store_entries(ring->node->store, log_id, 0, view_entry, &scan);
  sodium_memzero(scan.plain, COOP_PAYLOAD_BYTES_MAX);
  coop_free(scan.plain);
  if (err)
    log_view_free(view);
  return err;
}

void log_view_month(const log_view *view, const log_member *who, uint32_t period,
                    uint64_t statement_index, ledger_month_sums *sums)
{
  memset(sums, 0, sizeof *sums);
  for (size_t i = 0; i < view->record_count; i++) {
    const ledger_month_record *record = &view->records[i];
    if (!memcmp(record->audience, who->audience, LEDGER_AUDIENCE_ID_BYTES) &&
        ledger_month_counts(record, period, statement_index))
      ledger_month_add(sums, record);
  }
}

const log_statement *log_view_previous(const log_view *view, const log_member *who,
                                       uint32_t period, uint64_t statement_index)
{
  const log_statement *best = NULL;
  for (size_t i = 0; i < view->statement_count; i++) {
    const log_statement *other = &view->statements[i];
    if (memcmp(other->audience, who->audience, LEDGER_AUDIENCE_ID_BYTES) ||
        other->period >= period || other->index > statement_index)
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
  for (size_t i = 0; i < view->statement_count; i++)
    if (!memcmp(view->statements[i].audience, who->audience, LEDGER_AUDIENCE_ID_BYTES) &&
        view->statements[i].period == period)
      latest = &view->statements[i]; /* log order: the last is the latest */
  return latest;
}

coop_err log_view_statement(node_key_ring *ring, const log_view *view, uint64_t index,
                            uint8_t *plain, ledger_statement_payload *out)
{
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  uint8_t *sealed = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  if (!sealed)
    return COOP_E_NOMEM;
  size_t sealed_bytes = 0, plain_bytes = 0;
  coop_err err = ledger_store_entry(ring->node->store, view->log_id, index, header_bytes, sealed,
                                    &sealed_bytes, leaf);
  ledger_stored_entry entry = {.header_bytes = header_bytes, .payload = sealed,
                               .payload_bytes = sealed_bytes, .leaf_hash = leaf};
  bool opened = false;
  if (!err)
    err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, &entry.header);
  if (!err)
    err = node_key_ring_open(ring, view->log_id, &entry, plain, &plain_bytes, &opened);
  if (!err && !opened)
    err = COOP_E_NO_KEY;
  if (!err)
    err = ledger_statement_decode(plain, plain_bytes, out) ? COOP_E_TAMPERED : COOP_OK;
  coop_free(sealed);
  return err;
}
