/* A member's own copy of her data: node/member_data.h. */
#include "node/member_data.h"

#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/limits.h"
#include "node/books_int.h"
#include "node/keyring.h"
#include "node/log_view.h"

/* What one export reads with: the keys, scratch for sealed and opened
 * payloads (wiped at the end: they held her data), one statement. */
typedef struct gatherer {
  node *self;
  node_key_ring *ring; /* the node's */
  uint8_t *sealed, *plain;
  ledger_statement_payload *statement;
  const log_view *view;
  const log_member *who;
  node_member_data_visitor visitor;
  void *context;
} gatherer;

static node_member_data_item item_of(const gatherer *g, node_member_data_kind kind, uint64_t index)
{
  return (node_member_data_item){.kind = kind,
                                 .coop_log = g->view->log_id,
                                 .coop_name = g->view->name,
                                 .member_id = g->who->member_id,
                                 .index = index};
}

static const uint8_t *key_or_null(const uint8_t key[LEDGER_PUBLIC_KEY_BYTES])
{
  static const uint8_t zero[LEDGER_PUBLIC_KEY_BYTES];
  return memcmp(key, zero, sizeof zero) ? key : NULL;
}

static coop_err visit_details(gatherer *g)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < g->who->detail_count && !err; i++) {
    const log_member_details *details = &g->who->details[i];
    node_member_data_item item = item_of(g, NODE_MEMBER_DATA_DETAILS, details->index);
    item.name = details->name;
    item.client_ref = details->client_ref;
    item.member_key = key_or_null(details->member_key);
    err = g->visitor(g->context, &item);
  }
  for (size_t i = 0; i < g->who->fact_count && !err; i++) {
    const ledger_member_fact *fact = &g->who->facts[i];
    node_member_data_item item = item_of(g, NODE_MEMBER_DATA_FACT, fact->index);
    item.field = fact->field;
    item.from_period = fact->from_period;
    item.value = fact->value;
    err = g->visitor(g->context, &item);
  }
  for (size_t i = 0; i < g->who->residence_count && !err; i++) {
    const log_residence *residence = &g->who->residences[i];
    node_member_data_item item = item_of(g, NODE_MEMBER_DATA_RESIDENCE, residence->index);
    item.from_period = residence->from_period;
    item.municipality = key_or_null(residence->municipality);
    err = g->visitor(g->context, &item);
  }
  return err;
}

/* Opens entry `index` of the coop's log with this node's keys into
 * g->plain.  COOP_E_NO_KEY when it cannot. */
static coop_err open_entry(gatherer *g, uint64_t index, size_t *plain_bytes)
{
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  ledger_stored_entry entry = {.header_bytes = header_bytes, .payload = g->sealed,
                               .leaf_hash = leaf};
  coop_err err = ledger_store_entry(g->self->store, g->view->log_id, index, header_bytes,
                                    g->sealed, &entry.payload_bytes, leaf);
  if (!err)
    err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, &entry.header);
  bool opened = false;
  if (!err)
    err = node_key_ring_open(g->ring, g->view->log_id, &entry, g->plain, plain_bytes, &opened);
  return !err && !opened ? COOP_E_NO_KEY : err;
}

static coop_err visit_records(gatherer *g)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < g->who->record_count && !err; i++) {
    uint64_t index = log_view_record_of(g->view, g->who, i)->index;
    size_t plain_bytes = 0;
    ledger_record record;
    err = open_entry(g, index, &plain_bytes);
    if (!err)
      err = ledger_record_decode(g->plain, plain_bytes, &record);
    if (err)
      break;
    node_member_data_item item = item_of(g, NODE_MEMBER_DATA_RECORD, index);
    item.record = &record;
    err = g->visitor(g->context, &item);
  }
  return err;
}

static coop_err visit_statements(gatherer *g)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < g->who->statement_count && !err; i++) {
    const log_statement *listed = log_view_statement_of(g->view, g->who, i);
    node_member_data_item item = item_of(g, NODE_MEMBER_DATA_STATEMENT, listed->index);
    err = log_view_statement(g->ring, g->view->log_id, listed->index, g->plain, g->statement,
                             NULL);
    if (!err)
      err = node_verdict_for(g->self, g->view->log_id, listed->index, &item.verdict);
    if (err)
      break;
    const log_statement *latest = log_view_latest(g->view, g->who, listed->period);
    item.in_force = latest && latest->index == listed->index;
    item.statement = g->statement;
    err = g->visitor(g->context, &item);
  }
  return err;
}

typedef struct grant_walk {
  gatherer *g;
  uint32_t from_period;
} grant_walk;

static coop_err visit_grant(void *context, const uint8_t reader[32], uint64_t grant_index)
{
  grant_walk *walk = context;
  node_member_data_item item = item_of(walk->g, NODE_MEMBER_DATA_GRANT, grant_index);
  item.reader = reader;
  item.member_key = key_or_null(walk->g->who->member_key); /* her own node, if a reader */
  item.from_period = walk->from_period;
  return walk->g->visitor(walk->g->context, &item);
}

/* Every key grant of each of her residences' audiences: the key-grant
 * entries are public envelopes, so this node knows the readers even of a
 * residence it cannot open. */
static coop_err visit_grants(gatherer *g)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < g->who->residence_count && !err; i++) {
    grant_walk walk = {g, g->who->residences[i].from_period};
    err = ledger_store_audience_readers(g->self->store, g->view->log_id,
                                        g->who->residences[i].audience, visit_grant, &walk);
  }
  return err;
}

static bool is_chosen(const node *self, const log_member *who, const char *member_id)
{
  if (member_id)
    return !strcmp(member_id, who->member_id);
  return !memcmp(who->member_key, self->identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
}

static coop_err gather_log(gatherer *g, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           const char *member_id, size_t *found)
{
  if (node_log_role(g->self, log_id) != LEDGER_ROLE_COOP)
    return COOP_OK;
  log_view view;
  coop_err err = log_view_load(g->ring, log_id, 0, &view);
  if (err)
    return err;
  g->view = &view;
  for (size_t m = 0; m < view.member_count && !err; m++) {
    g->who = &view.members[m];
    if (!is_chosen(g->self, g->who, member_id))
      continue;
    (*found)++;
    err = visit_details(g);
    if (!err)
      err = visit_records(g);
    if (!err)
      err = visit_statements(g);
    if (!err)
      err = visit_grants(g);
  }
  log_view_free(&view);
  return err;
}

coop_err node_member_data(node *self, const char *member_id, node_member_data_visitor visitor,
                          void *context, char message[NODE_MESSAGE_BYTES])
{
  gatherer g = {.self = self, .ring = node_keys(self), .visitor = visitor,
                .context = context};
  g.sealed = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  g.plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  g.statement = coop_malloc(sizeof *g.statement);
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES] = NULL;
  size_t count = 0, found = 0;
  coop_err err = g.sealed && g.plain && g.statement ? COOP_OK : COOP_E_NOMEM;
  if (!err)
    err = ledger_store_log_ids(self->store, &ids, &count);
  for (size_t i = 0; i < count && !err; i++)
    err = gather_log(&g, ids[i], member_id, &found);
  coop_free(ids);
  if (g.plain)
    sodium_memzero(g.plain, COOP_PAYLOAD_BYTES_MAX);
  if (g.statement)
    sodium_memzero(g.statement, sizeof *g.statement);
  coop_free(g.sealed);
  coop_free(g.plain);
  coop_free(g.statement);
  if (err)
    return books_say(message, err, "cannot read the member's data: %s", coop_err_message(err));
  if (!found && member_id)
    return books_say(message, COOP_E_NOT_FOUND,
                     "no member '%s' this node can read (an erased member's data is gone)",
                     member_id);
  if (!found)
    return books_say(message, COOP_E_NOT_FOUND,
                     "no member's enrolment names this node's key: give a member ID");
  return COOP_OK;
}
