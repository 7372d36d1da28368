#include "node/books.h"
#include "node/books_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "ledger/log/seal.h"
#include "node/audiences.h"
#include "node/close_view_file.h"

coop_err books_say(char message[NODE_MESSAGE_BYTES], coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(message, NODE_MESSAGE_BYTES, format, args);
  va_end(args);
  return err;
}

uint32_t node_today(void)
{
  time_t seconds = (time_t)(node_now_ms() / 1000u);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  return (uint32_t)(utc.tm_year + 1900) * 10000u + (uint32_t)(utc.tm_mon + 1) * 100u +
         (uint32_t)utc.tm_mday;
}

/* ---- a session: one transaction of checked, indexed appends ------------- */

/* ledger_books_keys over the node's ring: a key of the own log's audiences,
 * none being an error (the books are the node's own). */
static coop_err own_audience_key(void *context, const uint8_t *audience_id, const uint8_t **key)
{
  node_key_ring *ring = context;
  coop_err err = node_key_ring_key(ring, ring->node->identity.public_key, audience_id, key);
  return !err && !*key ? COOP_E_NO_KEY : err;
}

ledger_books_keys books_own_keys(node *self)
{
  return (ledger_books_keys){.key = own_audience_key, .context = node_keys(self)};
}

/* The derived tables brought up to the log, in the caller's transaction. */
static coop_err index_catch_up(node *self)
{
  ledger_books_keys keys = books_own_keys(self);
  return ledger_books_catch_up(self->store, &self->identity, &keys);
}

/* The sealing keys of a batch: every key is looked up once so the ring
 * holds them all, then again to point at them (a lookup that adds to the
 * ring may move its keys, a lookup that finds one does not). */
static coop_err books_session_keys(books_session *session, const uint8_t *keys[SESSION_BATCH])
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  node_key_ring *ring = node_keys(session->node);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < session->pending; i++) {
      keys[i] = NULL;
      if (!memcmp(session->audiences[i], zero, sizeof zero))
        continue;
      coop_err err = own_audience_key(ring, session->audiences[i], &keys[i]);
      if (err)
        return books_say(session->message, err, "cannot open the audience key of this entry: %s",
                         coop_err_message(err));
    }
  return COOP_OK;
}

coop_err books_session_flush(books_session *session)
{
  if (!session->pending)
    return COOP_OK;
  ledger_append_item items[SESSION_BATCH];
  const uint8_t *keys[SESSION_BATCH];
  coop_err err = books_session_keys(session, keys);
  for (size_t i = 0; i < session->pending && !err; i++)
    items[i] = (ledger_append_item){.kind = session->kinds[i],
                                    .audience_id = keys[i] ? session->audiences[i] : NULL,
                                    .audience_key = keys[i],
                                    .payload = session->payloads.data + session->offsets[i],
                                    .payload_bytes = session->lengths[i]};
  if (!err) {
    err = ledger_store_append(session->node->store, &session->node->identity, items,
                              session->pending, node_now_ms(), NULL);
    if (err) /* ledger_store_append says what a database error meant */
      books_say(session->message, err, "cannot append: %s (%s)", coop_err_message(err),
          ledger_store_error_message(session->node->store));
  }
  session->base_size += session->pending;
  session->pending = 0;
  session->batch_bytes = 0;
  coop_buf_reset(&session->payloads);
  return err;
}

/* The header the next queued entry will have, as the indexer sees it. */
static ledger_entry_header session_next_header(const books_session *session, uint16_t kind,
                                               const uint8_t *audience_id)
{
  ledger_entry_header header = {.format_version = LEDGER_ENTRY_FORMAT_VERSION,
                                .kind = kind,
                                .index = session->base_size + session->pending};
  memcpy(header.log_id, session->node->identity.public_key, LEDGER_LOG_ID_BYTES);
  if (audience_id)
    memcpy(header.audience_id, audience_id, LEDGER_AUDIENCE_ID_BYTES);
  return header;
}

/* Queues an entry for the next append batch (appending the batch when full). */
static coop_err session_queue(books_session *session, uint16_t kind, const uint8_t *audience_id,
                              const coop_buf *plain)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  coop_err err = COOP_OK;
  /* A batch stays within COOP_BATCH_BYTES_MAX (it travels as one sync
   * message): flush first when this entry would pass it. */
  size_t entry_bytes = LEDGER_ENTRY_HEADER_BYTES + plain->len + LEDGER_SEAL_OVERHEAD;
  if (session->pending && session->batch_bytes + entry_bytes > COOP_BATCH_BYTES_MAX &&
      (err = books_session_flush(session)))
    return err;
  session->batch_bytes += entry_bytes;
  size_t slot = session->pending;
  session->kinds[slot] = kind;
  memcpy(session->audiences[slot], audience_id ? audience_id : zero, LEDGER_AUDIENCE_ID_BYTES);
  session->offsets[slot] = session->payloads.len;
  session->lengths[slot] = plain->len;
  err = coop_buf_append(&session->payloads, plain->data, plain->len);
  if (err)
    return books_say(session->message, err, "out of memory");
  session->pending++;
  return session->pending == SESSION_BATCH ? books_session_flush(session) : COOP_OK;
}

coop_err books_session_hold(books_session *session)
{
  coop_err err = session->held ? COOP_OK : ledger_books_bulk_new(&session->held);
  return err ? books_say(session->message, err, "out of memory") : COOP_OK;
}

/* Writes the rows the session holds (books_session_hold). */
static coop_err session_write_held(books_session *session)
{
  coop_err err = session->held ? ledger_books_bulk_flush(session->node->store, session->held)
                               : COOP_OK;
  return err ? books_say(session->message, err, "cannot index the new entries: %s",
                         coop_err_message(err))
             : COOP_OK;
}

/* Holds a record's or statement's rows for session_write_held. */
static coop_err session_hold_entry(books_session *session, const ledger_entry_header *header,
                                   const coop_buf *plain)
{
  coop_err err = ledger_books_bulk_full(session->held) ? session_write_held(session) : COOP_OK;
  if (err)
    return err;
  err = header->kind == LEDGER_KIND_STATEMENT
            ? ledger_books_bulk_add_statement(session->held, header, plain->data, plain->len)
            : ledger_books_bulk_add(session->held, header, plain->data, plain->len);
  return err ? books_say(session->message, err, "cannot index the new entry: %s",
                         coop_err_message(err))
             : COOP_OK;
}

/* Applies an entry to the derived tables at once (so later checks in the same
 * session see it), or holds its rows (books_session_hold), and queues it
 * for the next append batch. */
coop_err books_session_add(books_session *session, uint16_t kind, const uint8_t *audience_id,
                            const coop_buf *plain)
{
  ledger_entry_header header = session_next_header(session, kind, audience_id);
  coop_err err = COOP_OK;
  if (session->held && (kind == LEDGER_KIND_TRANSACTION || kind == LEDGER_KIND_STATEMENT)) {
    err = session_hold_entry(session, &header, plain);
  } else {
    /* What is held comes first in the log: written first. */
    err = session_write_held(session);
    if (!err && (err = ledger_books_apply(session->node->store, &header, plain->data, plain->len)))
      books_say(session->message, err, "cannot index the new entry: %s", coop_err_message(err));
  }
  return err ? err : session_queue(session, kind, audience_id, plain);
}

/* Holds a record in `bulk` instead of applying it (ledger_books_bulk_flush
 * writes its rows later) and queues it; `plain` is `record` encoded. */
static coop_err session_add_held(books_session *session, ledger_books_bulk *bulk,
                                 const uint8_t *audience_id, const coop_buf *plain,
                                 const ledger_record *record)
{
  coop_err err = COOP_OK;
  if (ledger_books_bulk_full(bulk) && (err = ledger_books_bulk_flush(session->node->store, bulk)))
    return books_say(session->message, err, "cannot index the new records: %s",
                     coop_err_message(err));
  ledger_entry_header header = session_next_header(session, LEDGER_KIND_TRANSACTION, audience_id);
  err = ledger_books_bulk_add_record(bulk, &header, plain->data, plain->len, record);
  if (err)
    return books_say(session->message, err, "cannot index the new entry: %s", coop_err_message(err));
  return session_queue(session, LEDGER_KIND_TRANSACTION, audience_id, plain);
}

static void books_session_free(books_session *session)
{
  ledger_books_bulk_free(session->held);
  coop_buf_release(&session->payloads);
  coop_free(session);
}

coop_err books_catch_up_failed(node *self, char message[NODE_MESSAGE_BYTES], coop_err err)
{
  err = ledger_store_failure(self->store, err);
  if (err == COOP_E_NO_KEY || err == COOP_E_TAMPERED)
    return books_say(message, err, "an entry of this node's own log cannot be read back; run "
                                   "'coop verify'");
  if (err == COOP_E_PAYLOAD_MISSING)
    return books_say(message, err, "cannot bring the books up to date: %s",
                     ledger_store_problem(self->store));
  if (err == COOP_E_BOOKS_MISMATCH)
    return books_say(message, err, "the books do not match the log: %s; run 'coop rebuild'",
                     ledger_store_problem(self->store));
  return books_say(message, err, "cannot bring the books up to date: %s", coop_err_message(err));
}

coop_err books_session_begin(node *self, char message[NODE_MESSAGE_BYTES],
                              books_session **out)
{
  *out = NULL;
  books_session *session = coop_calloc(1, sizeof *session);
  if (!session)
    return books_say(message, COOP_E_NOMEM, "out of memory");
  session->node = self;
  session->message = message;
  coop_buf_init(&session->payloads, (size_t)SESSION_BATCH * COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_store_failure(self->store, ledger_store_begin(self->store));
  if (err) {
    books_session_free(session);
    return books_say(message, err, "cannot start a transaction: %s", coop_err_message(err));
  }
  err = index_catch_up(self);
  if (!err)
    err = ledger_store_size(self->store, self->identity.public_key, &session->base_size);
  if (!err && ledger_books_audience(self->store, session->books_audience) != COOP_OK)
    err = books_say(message, COOP_E_NOT_FOUND, "the books are not open on this node (only a coop "
                                         "node keeps books)");
  else if (err)
    books_catch_up_failed(self, message, err);
  if (!err)
    err = node_months_read(self, &session->months, message);
  if (err) {
    ledger_store_rollback(self->store);
    books_session_free(session);
    return err;
  }
  *out = session;
  return COOP_OK;
}

/* Commits when `err` is COOP_OK (after the last batch), else rolls back. */
coop_err books_session_end(books_session *session, coop_err err)
{
  node *self = session->node;
  if (!err)
    err = session_write_held(session);
  if (!err)
    err = books_session_flush(session);
  if (!err && (err = ledger_books_set_indexed_size(self->store, session->base_size)))
    books_say(session->message, err, "cannot update the books index");
  if (!err && (err = ledger_store_commit(self->store))) {
    err = ledger_store_failure(self->store, err);
    books_say(session->message, err, "cannot commit: %s", coop_err_message(err));
  }
  if (err)
    ledger_store_rollback(self->store);
  books_session_free(session);
  return err;
}

/* Most changes start here: the books open and up to date, a transaction
 * begun. */
coop_err books_ready_and_begin(node *self, char message[NODE_MESSAGE_BYTES],
                               books_session **session)
{
  coop_err err = node_books_ready(self, message);
  return err ? err : books_session_begin(self, message, session);
}

/* ---- opening the books -------------------------------------------------- */

/* The books entry names the audience the coop's own records are sealed
 * under and the chart in force. */
static coop_err append_books_entry(node *self, const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  ledger_books_payload books = {.chart_version = LEDGER_CHART_VERSION};
  memcpy(books.audience_id, audience_id, LEDGER_AUDIENCE_ID_BYTES);
  coop_buf payload;
  coop_buf_init(&payload, LEDGER_BOOKS_PAYLOAD_BYTES);
  coop_err err = ledger_books_encode(&books, &payload);
  ledger_append_item item = {.kind = LEDGER_KIND_BOOKS, .payload = payload.data,
                             .payload_bytes = payload.len};
  if (!err)
    err = ledger_store_append(self->store, &self->identity, &item, 1, node_now_ms(), NULL);
  coop_buf_release(&payload);
  return err;
}

static coop_err open_books(node *self, char message[NODE_MESSAGE_BYTES])
{
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  const uint8_t(*readers)[32] = (const uint8_t(*)[32])self->identity.public_key;
  coop_err err = ledger_store_begin(self->store);
  if (!err)
    err = ledger_store_audience_create(self->store, &self->identity, readers, 1, node_now_ms(),
                                       audience_id);
  if (!err)
    err = append_books_entry(self, audience_id);
  if (!err)
    err = index_catch_up(self);
  if (!err)
    err = ledger_store_commit(self->store);
  if (err) {
    ledger_store_rollback(self->store);
    return books_say(message, err, "cannot open the books: %s", coop_err_message(err));
  }
  return COOP_OK;
}

/* Brings the derived tables up to the log.  The writes happen inside an
 * IMMEDIATE transaction: a read that turns into a write midway cannot wait
 * for another process's lock (SQLite answers SQLITE_BUSY at once), so
 * concurrent readers such as three `coop bal` would fail now and then. */
static coop_err books_catch_up(node *self)
{
  uint64_t indexed = 0, size = 0;
  coop_err err = ledger_books_indexed_size(self->store, &indexed);
  if (!err)
    err = ledger_store_size(self->store, self->identity.public_key, &size);
  if (err || indexed == size) /* up to date; ahead is reported below */
    return ledger_store_failure(self->store, err);
  err = ledger_store_begin(self->store);
  if (!err)
    err = index_catch_up(self); /* checks again, locked */
  if (!err)
    err = ledger_store_commit(self->store);
  if (err)
    ledger_store_rollback(self->store);
  return ledger_store_failure(self->store, err);
}

coop_err node_books_ready(node *self, char message[NODE_MESSAGE_BYTES])
{
  coop_err err = ledger_store_set_cache(self->store, LEDGER_STORE_CACHE_BOOKS_BYTES);
  if (!err)
    err = books_catch_up(self);
  if (err)
    return books_catch_up_failed(self, message, err);
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  if (ledger_books_audience(self->store, audience_id) == COOP_OK)
    return COOP_OK;
  if (self->role != LEDGER_ROLE_COOP)
    return books_say(message, COOP_E_USAGE, "this is a %s node: only a coop node keeps books",
               ledger_role_name(self->role));
  return open_books(self, message);
}

coop_err node_books_rebuild(node *self, uint64_t *entries, char message[NODE_MESSAGE_BYTES])
{
  *entries = 0;
  ledger_books_keys keys = books_own_keys(self);
  coop_err err = ledger_books_rebuild(self->store, &self->identity, &keys);
  if (!err)
    close_view_file_remove(self); /* the close's view is derived too: read afresh */
  if (!err)
    err = ledger_books_indexed_size(self->store, entries);
  if (err == COOP_E_PAYLOAD_MISSING)
    books_say(message, err, "rebuild failed, nothing changed: %s",
              ledger_store_problem(self->store));
  else if (err)
    books_say(message, err, "rebuild failed, nothing changed: %s", coop_err_message(err));
  return err;
}

coop_err node_books_check(node *self, char message[NODE_MESSAGE_BYTES])
{
  ledger_books_keys keys = books_own_keys(self);
  coop_err err = ledger_books_check(self->store, &self->identity, &keys);
  if (err == COOP_E_BOOKS_MISMATCH)
    books_say(message, err, "the books do not match the log: %s; run 'coop rebuild'",
              ledger_store_problem(self->store));
  else if (err == COOP_E_PAYLOAD_MISSING)
    books_say(message, err, "%s", ledger_store_problem(self->store));
  return err;
}

bool node_books_kept(node *self)
{
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  return ledger_books_audience(self->store, audience_id) == COOP_OK;
}

/* ---- members ------------------------------------------------------------ */

/* Name, client ref and the BSN rule; the keys are municipality_key_check's
 * and member_key_check's. */
static coop_err member_fields_check(const node_member_request *request,
                                    char message[NODE_MESSAGE_BYTES])
{
  size_t name_bytes = strlen(request->name);
  if (!name_bytes || name_bytes > COOP_NAME_BYTES_MAX ||
      ledger_note_check((const uint8_t *)request->name, name_bytes) ||
      strpbrk(request->name, "\n\t"))
    return books_say(message, COOP_E_BAD_INPUT, "invalid name '%s': use 1 to %u bytes of printable "
                                          "UTF-8", request->name, COOP_NAME_BYTES_MAX);
  size_t ref_bytes = strlen(request->client_ref);
  if (!ref_bytes || ref_bytes > LEDGER_CLIENT_REF_BYTES_MAX ||
      ledger_note_check((const uint8_t *)request->client_ref, ref_bytes) ||
      strpbrk(request->client_ref, "\n\t"))
    return books_say(message, COOP_E_BAD_INPUT, "invalid client ref '%s': use 1 to %u printable "
                                          "characters", request->client_ref,
               LEDGER_CLIENT_REF_BYTES_MAX);
  if (ledger_looks_like_bsn(request->client_ref) && !request->client_ref_is_not_a_bsn)
    return books_say(message, COOP_E_BAD_INPUT,
               "client ref '%s' looks like a BSN (9 digits passing the 11-check); a coop may "
               "not use BSNs.  Use the municipality's client number or an agreed pseudonym, or "
               "pass --not-a-bsn if this really is not a BSN", request->client_ref);
  return COOP_OK;
}

/* The member's audience key is sealed to the municipality's key (a key
 * grant): it must be a valid node key.  The check is a scalar
 * multiplication, so a batch makes it once per municipality
 * (check_municipality_once). */
static coop_err municipality_key_check(const uint8_t key[LEDGER_PUBLIC_KEY_BYTES],
                                       char message[NODE_MESSAGE_BYTES])
{
  uint8_t x25519[32];
  if (crypto_sign_ed25519_pk_to_curve25519(x25519, key) != 0)
    return books_say(message, COOP_E_BAD_INPUT, "the municipality key is not a valid node key");
  return COOP_OK;
}

static coop_err member_key_check(const node_member_request *request,
                                 char message[NODE_MESSAGE_BYTES])
{
  uint8_t x25519[32];
  if (request->has_member_key &&
      crypto_sign_ed25519_pk_to_curve25519(x25519, request->member_key) != 0)
    return books_say(message, COOP_E_BAD_INPUT, "the member key is not a valid node key");
  return COOP_OK;
}

static coop_err member_request_check(const node_member_request *request,
                                     char message[NODE_MESSAGE_BYTES])
{
  coop_err err = member_fields_check(request, message);
  if (!err)
    err = municipality_key_check(request->municipality, message);
  return err ? err : member_key_check(request, message);
}

coop_err node_municipality_key(node *self, const char *text, uint8_t key[LEDGER_PUBLIC_KEY_BYTES],
                               char message[NODE_MESSAGE_BYTES])
{
  if (strlen(text) == 2 * LEDGER_PUBLIC_KEY_BYTES &&
      ledger_hex_decode(text, key, LEDGER_PUBLIC_KEY_BYTES) == COOP_OK)
    return COOP_OK;
  for (size_t i = 0; i < self->peer_count; i++) {
    const node_peer *peer = &self->peers[i];
    if (strcmp(peer->name, text))
      continue;
    if (peer->role != LEDGER_ROLE_MUNICIPALITY)
      return books_say(message, COOP_E_BAD_INPUT, "peer '%s' is a %s node, not a municipality",
                       text, ledger_role_name(peer->role));
    memcpy(key, peer->key, LEDGER_PUBLIC_KEY_BYTES);
    return COOP_OK;
  }
  return books_say(message, COOP_E_NOT_FOUND,
                   "unknown municipality '%s': give its node key (64 hex digits, as 'coop id' "
                   "prints) or the name of a [peer] in node.conf", text);
}

typedef struct key_owner {
  const uint8_t *key;
  ledger_member_row member; /* the member whose key it is */
  int found;
} key_owner;

static coop_err find_member_key(void *context, const ledger_member_row *row)
{
  key_owner *owner = context;
  if (!row->has_member_key || memcmp(row->member_key, owner->key, LEDGER_PUBLIC_KEY_BYTES))
    return COOP_OK;
  owner->member = *row;
  owner->found = 1;
  return COOP_E_EXISTS; /* stops the walk */
}

/* The role a municipality key has by a peer section of node.conf; 0: none. */
static int peer_role(const node *self, const uint8_t key[LEDGER_PUBLIC_KEY_BYTES])
{
  for (size_t i = 0; i < self->peer_count; i++)
    if (!memcmp(self->peers[i].key, key, LEDGER_PUBLIC_KEY_BYTES))
      return self->peers[i].role;
  return 0;
}

/* A member's municipality gets the member's statements and judges them: a
 * key that is not a municipality's (a member's, the coop's own, a typo'd
 * one) would block every month close until the member left. */
static coop_err check_municipality(books_session *session, const uint8_t key[32])
{
  node *self = session->node;
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(key, fingerprint);
  if (!memcmp(key, self->identity.public_key, LEDGER_PUBLIC_KEY_BYTES))
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "the municipality key %s is this coop's own key, not a municipality's",
                     fingerprint);
  key_owner owner = {.key = key};
  coop_err err = ledger_books_members(self->store, find_member_key, &owner);
  if (err && err != COOP_E_EXISTS)
    return books_say(session->message, err, "cannot read members");
  if (owner.found)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "the municipality key %s is the key of member %s (%s), not a "
                     "municipality's", fingerprint, owner.member.member_id, owner.member.name);
  int role = node_log_role(self, key);
  if (!role)
    role = peer_role(self, key);
  if (role == LEDGER_ROLE_MUNICIPALITY)
    return COOP_OK;
  if (role)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "the municipality key %s is the key of a %s node, not a municipality's",
                     fingerprint, ledger_role_name(role));
  return books_say(session->message, COOP_E_NOT_FOUND,
                   "no municipality with key %s is known here: import its log with 'coop log "
                   "import' or add it with 'coop peer add' first", fingerprint);
}

typedef struct ref_holder {
  const node_member_request *request;
  uint32_t period; /* the month the status is read in */
  ledger_store *store;
  ledger_member_row member;
  int found;
} ref_holder;

static coop_err find_client_ref(void *context, const ledger_member_row *row)
{
  ref_holder *holder = context;
  if (memcmp(row->municipality, holder->request->municipality, LEDGER_PUBLIC_KEY_BYTES) ||
      strcmp(row->client_ref, holder->request->client_ref))
    return COOP_OK;
  ledger_member_status status;
  coop_err err = ledger_books_member_status(holder->store, row->member_id, holder->period, &status);
  if (err || status.left)
    return err;
  holder->member = *row;
  holder->found = 1;
  return COOP_E_EXISTS; /* stops the walk */
}

/* One client ref is one person at the municipality: two members under it
 * would mix two people's statements.  Only once the first has left may the
 * ref be given again (the same person coming back). */
static coop_err check_client_ref(books_session *session, const node_member_request *request)
{
  ref_holder holder = {.request = request, .period = node_today() / 100,
                       .store = session->node->store};
  coop_err err = ledger_books_members_by_client_ref(session->node->store, request->municipality,
                                                    request->client_ref, find_client_ref, &holder);
  if (err && err != COOP_E_EXISTS)
    return books_say(session->message, err, "cannot read members");
  if (!holder.found)
    return COOP_OK;
  return books_say(session->message, COOP_E_EXISTS,
                   "client ref '%s' of this municipality already belongs to member %s (%s); "
                   "mark them as left first ('coop member set %s --from YYYY-MM --left') if this is "
                   "the same person coming back", request->client_ref, holder.member.member_id,
                   holder.member.name, holder.member.member_id);
}

/* The key grants of a new audience, queued with the session's batch like
 * any entry: appended (and signed) with the batch, not one append and one
 * checkpoint per audience. */
static coop_err queue_grants(books_session *session, const uint8_t (*grants)[LEDGER_KEY_GRANT_BYTES],
                             size_t grant_count)
{
  coop_buf plain;
  coop_buf_init(&plain, LEDGER_KEY_GRANT_BYTES);
  coop_err err = COOP_OK;
  for (size_t i = 0; i < grant_count && !err; i++) {
    coop_buf_reset(&plain);
    err = coop_buf_append(&plain, grants[i], LEDGER_KEY_GRANT_BYTES);
    if (err)
      books_say(session->message, err, "out of memory");
    else
      err = books_session_add(session, LEDGER_KIND_KEY_GRANT, NULL, &plain);
  }
  coop_buf_release(&plain);
  return err;
}

/* Is the member id an audience would give free?  A clash of the short id
 * is drawn again. */
static bool member_id_free(books_session *session, const uint8_t *audience_id)
{
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  ledger_member_row existing;
  ledger_member_id(audience_id, member_id);
  return ledger_books_member(session->node->store, member_id, &existing) == COOP_E_NOT_FOUND;
}

/* An audience drawn here and now: its key drawn into the node's key ring,
 * granted to the coop, the municipality and her own key (if given). */
static coop_err draw_member_audience(books_session *session, const node_member_request *request,
                                     uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  node *self = session->node;
  node_key_ring *ring = node_keys(self);
  uint8_t readers[3][32], grants[3][LEDGER_KEY_GRANT_BYTES];
  size_t reader_count = 0;
  memcpy(readers[reader_count++], self->identity.public_key, 32);
  memcpy(readers[reader_count++], request->municipality, 32);
  if (request->has_member_key)
    memcpy(readers[reader_count++], request->member_key, 32);
  for (int attempt = 0; attempt < 8; attempt++) {
    size_t held = ring->count;
    const uint8_t *key = NULL;
    coop_err err = node_key_ring_new_audience(ring, audience_id, &key);
    if (err)
      return books_say(session->message, err, "cannot create the member's audience: %s",
                       coop_err_message(err));
    if (!member_id_free(session, audience_id)) {
      node_key_ring_forget_from(ring, held); /* nothing queued yet: draw again */
      continue;
    }
    err = ledger_store_audience_grants_make(audience_id, key, (const uint8_t(*)[32])readers,
                                            reader_count, grants);
    if (err)
      return books_say(session->message, err, "cannot grant the member's audience: %s",
                       coop_err_message(err));
    return queue_grants(session, (const uint8_t(*)[LEDGER_KEY_GRANT_BYTES])grants, reader_count);
  }
  return books_say(session->message, COOP_E_EXISTS, "no free member id found");
}

/* A fresh audience whose member id is not taken yet: `made` ahead by a
 * batch (node/audiences.h; NULL: none) or drawn now.  Its key goes into the
 * node's key ring, where the session finds it to seal her entries, so it is
 * neither read back from its grant nor in ordinary memory; a session that
 * fails takes it out again (node_key_ring_forget_from, by the caller). */
static coop_err new_member_audience(books_session *session, const node_member_request *request,
                                    const node_audience *made,
                                    uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  if (!made || !member_id_free(session, made->audience_id))
    return draw_member_audience(session, request, audience_id);
  memcpy(audience_id, made->audience_id, LEDGER_AUDIENCE_ID_BYTES);
  coop_err err = node_key_ring_add(node_keys(session->node), audience_id, made->key);
  if (err)
    return books_say(session->message, err, "cannot hold the member's key: %s",
                     coop_err_message(err));
  return queue_grants(session, made->grants, made->grant_count);
}

static coop_err add_status(books_session *session, const uint8_t *audience_id, uint8_t field,
                           uint32_t from_period, uint32_t value)
{
  ledger_member_payload status = {.action = LEDGER_MEMBER_STATUS, .field = field,
                                  .from_period = from_period, .value = value};
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_member_encode(&status, &plain);
  if (err)
    books_say(session->message, err, "invalid %s from %u: %u", ledger_member_field_name(field),
        (unsigned)from_period, (unsigned)value);
  else
    err = books_session_add(session, LEDGER_KIND_MEMBER, audience_id, &plain);
  coop_buf_release(&plain);
  return err;
}

static coop_err enrol(books_session *session, const node_member_request *request,
                      const node_audience *made, char member_id[LEDGER_MEMBER_ID_CHARS + 1])
{
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  coop_err err = new_member_audience(session, request, made, audience_id);
  if (err)
    return err;
  ledger_member_payload member = {.action = LEDGER_MEMBER_ENROL};
  snprintf(member.name, sizeof member.name, "%s", request->name);
  memcpy(member.municipality, request->municipality, 32);
  snprintf(member.client_ref, sizeof member.client_ref, "%s", request->client_ref);
  if (request->has_member_key)
    memcpy(member.member_key, request->member_key, 32);
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  err = ledger_member_encode(&member, &plain);
  if (err)
    books_say(session->message, err, "cannot encode the member");
  else
    err = books_session_add(session, LEDGER_KIND_MEMBER, audience_id, &plain);
  coop_buf_release(&plain);
  /* A birth month is true for all time: it holds from the birth month on. */
  if (!err && request->birth_period)
    err = add_status(session, audience_id, LEDGER_MEMBER_BIRTH, request->birth_period,
                     request->birth_period);
  if (!err)
    ledger_member_id(audience_id, member_id);
  return err;
}

coop_err node_member_add(node *self, const node_member_request *request,
                         char member_id[LEDGER_MEMBER_ID_CHARS + 1],
                         char message[NODE_MESSAGE_BYTES])
{
  member_id[0] = 0;
  coop_err err = member_request_check(request, message);
  books_session *session = NULL;
  if (!err)
    err = node_books_ready(self, message);
  if (!err)
    err = books_session_begin(self, message, &session);
  if (err)
    return err;
  size_t keys_held = node_keys(self)->count;
  err = check_municipality(session, request->municipality);
  if (!err)
    err = check_client_ref(session, request);
  if (!err)
    err = enrol(session, request, NULL, member_id);
  err = books_session_end(session, err);
  if (err) {
    node_key_ring_forget_from(node_keys(self), keys_held);
    member_id[0] = 0;
  }
  return err;
}

/* Begins a session and reads the member it is about; on failure the
 * session (if begun) is still to be ended by the caller. */
static coop_err member_session(node *self, const char *member_id, ledger_member_row *row,
                               books_session **session, char message[NODE_MESSAGE_BYTES])
{
  coop_err err = books_ready_and_begin(self, message, session);
  if (err)
    return err;
  err = ledger_books_member(self->store, member_id, row);
  if (err == COOP_E_NOT_FOUND)
    books_say(message, err, "unknown member '%s' (see 'coop member list')", member_id);
  return err;
}

/* The details entry of `row` changed as `changes` asks. */
static coop_err details_entry(books_session *session, const ledger_member_row *row,
                              const node_member_request *changes)
{
  node_member_request wanted = *changes;
  wanted.name = changes->name ? changes->name : row->name;
  wanted.client_ref = changes->client_ref ? changes->client_ref : row->client_ref;
  memcpy(wanted.municipality, row->municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (!changes->has_member_key) {
    wanted.has_member_key = row->has_member_key;
    memcpy(wanted.member_key, row->member_key, LEDGER_PUBLIC_KEY_BYTES);
  }
  coop_err err = member_request_check(&wanted, session->message);
  if (!err && strcmp(wanted.client_ref, row->client_ref))
    err = check_client_ref(session, &wanted);
  if (err)
    return err;
  ledger_member_payload member = {.action = LEDGER_MEMBER_DETAILS};
  snprintf(member.name, sizeof member.name, "%s", wanted.name);
  snprintf(member.client_ref, sizeof member.client_ref, "%s", wanted.client_ref);
  memcpy(member.municipality, wanted.municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (wanted.has_member_key)
    memcpy(member.member_key, wanted.member_key, LEDGER_PUBLIC_KEY_BYTES);
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  err = ledger_member_encode(&member, &plain);
  if (err)
    books_say(session->message, err, "cannot encode the member's details");
  else
    err = books_session_add(session, LEDGER_KIND_MEMBER, row->audience_id, &plain);
  coop_buf_release(&plain);
  return err;
}

coop_err node_member_details(node *self, const char *member_id, const node_member_request *changes,
                             char message[NODE_MESSAGE_BYTES])
{
  if (!changes->name && !changes->client_ref && !changes->has_member_key)
    return books_say(message, COOP_E_BAD_INPUT, "nothing to change: give --name, --client-ref "
                                                "or --member-key");
  books_session *session = NULL;
  ledger_member_row row;
  coop_err err = member_session(self, member_id, &row, &session, message);
  if (!err)
    err = details_entry(session, &row, changes);
  return session ? books_session_end(session, err) : err;
}

/* Nor, even with --retroactive, into her statements of a closed year:
 * they are final.  (A birth month long past is fine for a member with no
 * statements then.) */
static coop_err not_into_closed_year(books_session *session, const char *member_id,
                                     uint32_t from)
{
  uint32_t closed_year = session->months.closed_year, first = 0, last = 0;
  if (!closed_year || from / 100 > closed_year)
    return COOP_OK;
  coop_err err = ledger_books_statement_span(session->node->store, member_id, from,
                                             closed_year * 100 + 12, &first, &last);
  if (err)
    return books_say(session->message, err, "cannot read the statements of %s", member_id);
  if (!first)
    return COOP_OK;
  char from_text[8], first_text[8];
  ledger_period_format(from, from_text);
  ledger_period_format(first, first_text);
  return books_say(session->message, COOP_E_PERIOD_CLOSED,
                   "from %s reaches into %u, a closed year (%s's statements from %s on are "
                   "final), even with --retroactive: the fact can take effect from %04u-01 on",
                   from_text, (unsigned)(first / 100), member_id, first_text,
                   (unsigned)(closed_year + 1));
}

/* A fact from `from` on must not reach back into closed months with
 * statements of the member unless the operator said --retroactive. */
static coop_err not_retroactive(books_session *session, const char *member_id, uint32_t from)
{
  uint32_t last_closed = session->months.last_closed, first = 0, last = 0;
  if (!last_closed || from > last_closed)
    return COOP_OK;
  coop_err err = ledger_books_statement_span(session->node->store, member_id, from, last_closed,
                                             &first, &last);
  if (err)
    return books_say(session->message, err, "cannot read the statements of %s", member_id);
  if (!first)
    return COOP_OK;
  char from_text[8], first_text[8], last_text[8];
  ledger_period_format(from, from_text);
  ledger_period_format(first, first_text);
  ledger_period_format(last, last_text);
  return books_say(session->message, COOP_E_PERIOD_CLOSED,
                   "from %s reaches back into closed months: it changes the statements of %s for "
                   "%s to %s; if that is right, add --retroactive (those months are reissued at "
                   "the next close, and the municipality checks the reissues)",
                   from_text, member_id, first_text, last_text);
}

/* A fact from `from` on, sealed to her residence of that month and, when
 * she moved after it, to every later residence from its first month (each
 * municipality judges its months by the facts sealed to it alone) - but for
 * an approval of disregard n, which is the one municipality's decision. */
static coop_err status_in_residences(books_session *session, const char *member_id,
                                     uint8_t field, uint32_t from, uint32_t value)
{
  ledger_store *store = session->node->store;
  ledger_member_row row;
  uint32_t last_move = 0, began = 0;
  coop_err err = ledger_books_member_at(store, member_id, from, &row, NULL);
  if (!err)
    err = add_status(session, row.audience_id, field, from, value);
  if (!err)
    err = ledger_books_last_move(store, member_id, &last_move);
  /* An approval of disregard n is the deciding municipality's: not carried. */
  bool carried = field != LEDGER_MEMBER_N_APPROVED;
  for (uint32_t month = node_month_next(from); carried && !err && month && month <= last_move;
       month = node_month_next(month)) {
    err = ledger_books_member_at(store, member_id, month, &row, &began);
    if (!err && began == month)
      err = add_status(session, row.audience_id, field,
                       field == LEDGER_MEMBER_BIRTH ? from : month, value);
  }
  if (err && !session->message[0])
    books_say(session->message, err, "cannot read the residences of %s", member_id);
  return err;
}

coop_err node_member_set(node *self, const char *member_id, uint8_t field, uint32_t from_period,
                         uint32_t value, bool retroactive, char message[NODE_MESSAGE_BYTES])
{
  books_session *session = NULL;
  ledger_member_row row;
  coop_err err = member_session(self, member_id, &row, &session, message);
  uint32_t from = field == LEDGER_MEMBER_BIRTH ? value : from_period;
  if (!err)
    err = not_into_closed_year(session, member_id, from);
  if (!err && !retroactive)
    err = not_retroactive(session, member_id, from);
  if (!err)
    err = status_in_residences(session, member_id, field, from, value);
  return session ? books_session_end(session, err) : err;
}

/* ---- enrolling many --------------------------------------------------- */

/* The municipality keys of a batch already found to be valid keys and
 * municipalities'.  Checking one converts it (a scalar multiplication) and
 * walks every member (is it a member's key?); members enrolled by the
 * batch bring no key that could change the answer unless a request gives
 * a member key, and then every check is made in full. */
typedef struct municipality_seen {
  uint8_t keys[16][LEDGER_PUBLIC_KEY_BYTES];
  size_t count;
  bool usable;
} municipality_seen;

static coop_err check_municipality_once(books_session *session, municipality_seen *seen,
                                        const uint8_t key[LEDGER_PUBLIC_KEY_BYTES])
{
  for (size_t i = 0; seen->usable && i < seen->count; i++)
    if (!memcmp(seen->keys[i], key, LEDGER_PUBLIC_KEY_BYTES))
      return COOP_OK;
  coop_err err = municipality_key_check(key, session->message);
  if (!err)
    err = check_municipality(session, key);
  if (!err && seen->usable && seen->count < sizeof seen->keys / sizeof seen->keys[0])
    memcpy(seen->keys[seen->count++], key, LEDGER_PUBLIC_KEY_BYTES);
  return err;
}

/* The audiences of a batch made ahead (node/audiences.h), a window of the
 * batch at a time: the grants of a file of two million rows would
 * otherwise hold ~800 MiB.  A window of 1,024 holds ~420 KiB and is made
 * in ~0.1 s: starting its workers costs nothing beside that. */
#define AUDIENCE_WINDOW 1024u

typedef struct audience_window {
  const uint8_t *coop_key;
  const node_member_enrolment *enrolments;
  size_t count;
  size_t start; /* the window's first enrolment */
  node_audiences *audiences;
} audience_window;

/* Starts making the window that holds enrolment `index` (the previous one's
 * keys wiped).  COOP_E_NOMEM. */
static coop_err window_start(audience_window *window, size_t index)
{
  node_audiences_free(window->audiences);
  window->audiences = NULL;
  window->start = index - index % AUDIENCE_WINDOW;
  size_t left = window->count - window->start;
  size_t count = left < AUDIENCE_WINDOW ? left : AUDIENCE_WINDOW;
  return node_audiences_start(window->coop_key, window->enrolments + window->start, count,
                              node_audiences_workers(count), &window->audiences);
}

/* Enrolment `index`'s audience as made ahead; an error (no memory for the
 * window, a key that cannot be sealed to) leaves it to be drawn on the
 * spot, where the error is reported. */
static coop_err window_take(audience_window *window, size_t index, node_audience *made)
{
  coop_err err = COOP_OK;
  if (!window->audiences || index >= window->start + AUDIENCE_WINDOW)
    err = window_start(window, index);
  return err ? err : node_audiences_take(window->audiences, index - window->start, made);
}

/* One enrolment of a batch: node_member_add's checks and entries, then the
 * facts as node_member_set records them. */
static coop_err enrol_one(books_session *session, municipality_seen *seen,
                          audience_window *window, size_t index,
                          char member_id[LEDGER_MEMBER_ID_CHARS + 1])
{
  const node_member_enrolment *enrolment = &window->enrolments[index];
  const node_member_request *request = &enrolment->request;
  coop_err err = member_fields_check(request, session->message);
  if (!err)
    err = check_municipality_once(session, seen, request->municipality);
  if (!err)
    err = member_key_check(request, session->message);
  if (!err)
    err = check_client_ref(session, request);
  if (!err) {
    node_audience made;
    bool have = window_take(window, index, &made) == COOP_OK;
    err = enrol(session, request, have ? &made : NULL, member_id);
  }
  for (size_t i = 0; !err && i < enrolment->field_count; i++) {
    err = not_retroactive(session, member_id, request->from_period);
    if (!err)
      err = status_in_residences(session, member_id, enrolment->fields[i], request->from_period,
                                 1);
  }
  return err;
}

/* A refusal about the enrolment itself, after which the next can still be
 * checked: nothing of the refused one was written. */
static bool refusal_of_one(coop_err err)
{
  return err == COOP_E_BAD_INPUT || err == COOP_E_NOT_FOUND || err == COOP_E_EXISTS ||
         err == COOP_E_PERIOD_CLOSED;
}

/* A client ref refused because an earlier enrolment of the same batch took
 * it names a member who will not exist once the batch is refused: say so. */
static void batch_holder_said(char (*member_ids)[LEDGER_MEMBER_ID_CHARS + 1], size_t before,
                              char message[NODE_MESSAGE_BYTES])
{
  for (size_t i = 0; i < before; i++)
    if (member_ids[i][0] && strstr(message, member_ids[i])) {
      size_t used = strlen(message);
      snprintf(message + used, NODE_MESSAGE_BYTES - used,
               " (enrolled earlier in this same batch)");
      return;
    }
}

coop_err node_member_add_many(node *self, const node_member_enrolment *enrolments, size_t count,
                              char (*member_ids)[LEDGER_MEMBER_ID_CHARS + 1],
                              node_enrolment_say say, void *context,
                              char message[NODE_MESSAGE_BYTES])
{
  for (size_t i = 0; i < count; i++)
    member_ids[i][0] = 0;
  /* The batch's keys are made in one secure allocation per window
   * (node/audiences.h, wiped with it) and copied into the node's key ring,
   * reserved at once so it is not regrown as the batch goes; a failed batch
   * wipes them from the ring too. */
  node_key_ring *ring = node_keys(self);
  size_t keys_held = ring->count;
  books_session *session = NULL;
  audience_window window = {.coop_key = self->identity.public_key, .enrolments = enrolments,
                            .count = count};
  coop_err err = node_key_ring_reserve(ring, count);
  if (err)
    return books_say(message, err, "cannot hold the keys of %zu new members: %s", count,
                     coop_err_message(err));
  (void)window_start(&window, 0); /* no memory: the window is tried again when taken */
  err = books_ready_and_begin(self, message, &session);
  if (err) {
    node_audiences_free(window.audiences);
    return err;
  }
  municipality_seen seen = {.usable = true};
  for (size_t i = 0; i < count; i++)
    seen.usable = seen.usable && !enrolments[i].request.has_member_key;
  coop_err first = COOP_OK;
  for (size_t i = 0; i < count; i++) {
    message[0] = 0;
    err = enrol_one(session, &seen, &window, i, member_ids[i]);
    if (!err)
      continue;
    if (!first)
      first = err;
    batch_holder_said(member_ids, i, message);
    say(context, i, message);
    if (!refusal_of_one(err))
      break;
  }
  err = books_session_end(session, first);
  node_audiences_free(window.audiences); /* wipes the window's keys */
  if (err) {
    node_key_ring_forget_from(ring, keys_held);
    for (size_t i = 0; i < count; i++)
      member_ids[i][0] = 0;
  }
  return err;
}

/* ---- moves ------------------------------------------------------------- */

/* The month of her enrolment: its entry's time. */
static coop_err enrolment_month(books_session *session, uint64_t index, uint32_t *period)
{
  node *self = session->node;
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  size_t payload_bytes = 0;
  ledger_entry_header header;
  coop_err err = payload ? ledger_store_entry(self->store, self->identity.public_key, index,
                                              header_bytes, payload, &payload_bytes, leaf)
                         : COOP_E_NOMEM;
  coop_free(payload);
  if (!err)
    err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, &header);
  if (!err) {
    time_t seconds = (time_t)(header.timestamp_ms / 1000);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    *period = (uint32_t)(utc.tm_year + 1900) * 100 + (uint32_t)(utc.tm_mon + 1);
  }
  return err;
}

/* What a move from `from` must not be: in a closed month, before her
 * enrolment or her last move, after she left, to where she lives, with
 * records of those months already sealed to where she lived. */
static coop_err move_allowed(books_session *session, const ledger_member_row *now,
                             const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES], uint32_t from)
{
  ledger_store *store = session->node->store;
  char from_text[8], other[8], party[NODE_PARTY_TEXT_BYTES];
  ledger_period_format(from, from_text);
  uint32_t last_closed = session->months.last_closed, enrolled = 0, last_move = 0;
  coop_err err = enrolment_month(session, now->entry_index, &enrolled);
  if (!err && from < enrolled) {
    ledger_period_format(enrolled, other);
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "%s is before member %s was enrolled (%s)", from_text, now->member_id, other);
  }
  if (!err && last_closed && from <= last_closed) {
    char first[8];
    ledger_period_format(session->months.first ? session->months.first : from, first);
    ledger_period_format(last_closed, other);
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "%s is a closed month (closed: %s to %s): a move takes effect from an open "
                     "month, %04u-%02u or later", from_text, first, other,
                     (unsigned)(node_month_next(last_closed) / 100),
                     (unsigned)(node_month_next(last_closed) % 100));
  }
  if (!err)
    err = ledger_books_last_move(store, now->member_id, &last_move);
  if (!err && last_move && from <= last_move) {
    ledger_period_format(last_move, other);
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s moved from %s already: a later move takes effect after it",
                     now->member_id, other);
  }
  ledger_member_status status;
  if (!err)
    err = ledger_books_member_status(store, now->member_id, from, &status);
  if (!err && status.left)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s has left the coop by %s: there is nothing to move",
                     now->member_id, from_text);
  if (!err && !memcmp(now->municipality, municipality, LEDGER_PUBLIC_KEY_BYTES)) {
    node_party_text(session->node, municipality, party);
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s already lives in municipality %s", now->member_id, party);
  }
  uint64_t count = 0, first = 0;
  if (!err)
    err = ledger_books_member_records_from(store, now->member_id, from, &count, &first);
  if (!err && count)
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "member %s has %llu record(s) counting in %s or later (the first is entry "
                     "%llu), sealed for her present municipality: record the move before the "
                     "records of its months", now->member_id, (unsigned long long)count,
                     from_text, (unsigned long long)first);
  if (err && !session->message[0])
    books_say(session->message, err, "cannot read member %s", now->member_id);
  return err;
}

static coop_err add_member_entry(books_session *session, const uint8_t *audience,
                                 const ledger_member_payload *member)
{
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = ledger_member_encode(member, &plain);
  if (err)
    books_say(session->message, err, "cannot encode the move");
  else
    err = books_session_add(session, LEDGER_KIND_MEMBER, audience, &plain);
  coop_buf_release(&plain);
  return err;
}

/* Her new residence: an audience that keeps her member id, granted to the
 * coop, the new municipality and her own key; the move out (sealed to the
 * old audience), the move in (to the new), and the facts about her person
 * that hold on (birth month, medical limit, single parent), restated to
 * the new audience from the move on.  Not the approval of disregard n: that
 * is the municipality's decision, which the new one takes anew (an approval
 * in force is restated as "no" from the move on). */
static coop_err move_entries(books_session *session, const ledger_member_row *now,
                             const node_member_request *wanted, uint32_t from)
{
  node *self = session->node;
  uint8_t readers[3][32], audience[LEDGER_AUDIENCE_ID_BYTES];
  size_t reader_count = 0;
  memcpy(readers[reader_count++], self->identity.public_key, 32);
  memcpy(readers[reader_count++], wanted->municipality, 32);
  if (wanted->has_member_key)
    memcpy(readers[reader_count++], wanted->member_key, 32);
  ledger_member_status status;
  coop_err err = ledger_books_member_status(self->store, now->member_id, from, &status);
  if (!err)
    err = books_session_flush(session);
  if (!err)
    err = ledger_store_audience_create_prefixed(self->store, &self->identity,
                                                (const uint8_t(*)[32])readers, reader_count,
                                                node_now_ms(), now->audience_id, audience);
  if (err)
    return books_say(session->message, err, "cannot create the member's new audience: %s",
                     coop_err_message(err));
  session->base_size += reader_count;
  ledger_member_payload out = {.action = LEDGER_MEMBER_MOVE_OUT, .from_period = from};
  memcpy(out.other_audience, audience, LEDGER_AUDIENCE_ID_BYTES);
  ledger_member_payload in = {.action = LEDGER_MEMBER_MOVE_IN, .from_period = from};
  memcpy(in.other_audience, now->audience_id, LEDGER_AUDIENCE_ID_BYTES);
  snprintf(in.name, sizeof in.name, "%s", wanted->name);
  memcpy(in.municipality, wanted->municipality, LEDGER_PUBLIC_KEY_BYTES);
  snprintf(in.client_ref, sizeof in.client_ref, "%s", wanted->client_ref);
  if (wanted->has_member_key)
    memcpy(in.member_key, wanted->member_key, LEDGER_PUBLIC_KEY_BYTES);
  err = add_member_entry(session, now->audience_id, &out);
  if (!err)
    err = add_member_entry(session, audience, &in);
  if (!err && status.birth_period)
    err = add_status(session, audience, LEDGER_MEMBER_BIRTH, status.birth_period,
                     status.birth_period);
  /* Said, not left out: the books read her facts across residences, and
   * must not show the old approval in force from the move on. */
  if (!err && status.n_approved)
    err = add_status(session, audience, LEDGER_MEMBER_N_APPROVED, from, 0);
  if (!err && status.medical_limit)
    err = add_status(session, audience, LEDGER_MEMBER_MEDICAL_LIMIT, from, 1);
  if (!err && status.single_parent)
    err = add_status(session, audience, LEDGER_MEMBER_SINGLE_PARENT, from, 1);
  return err;
}

coop_err node_member_move(node *self, const char *member_id,
                          const uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES], uint32_t from_period,
                          const char *client_ref, int client_ref_is_not_a_bsn,
                          char message[NODE_MESSAGE_BYTES])
{
  if (!ledger_period_valid(from_period))
    return books_say(message, COOP_E_BAD_INPUT, "a move needs a valid --from month");
  books_session *session = NULL;
  ledger_member_row now;
  coop_err err = member_session(self, member_id, &now, &session, message);
  node_member_request wanted = {.name = now.name,
                                .client_ref = client_ref ? client_ref : now.client_ref,
                                .client_ref_is_not_a_bsn = client_ref_is_not_a_bsn || !client_ref,
                                .has_member_key = now.has_member_key};
  memcpy(wanted.municipality, municipality, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(wanted.member_key, now.member_key, LEDGER_PUBLIC_KEY_BYTES);
  if (!err)
    err = check_municipality(session, municipality);
  if (!err)
    err = move_allowed(session, &now, municipality, from_period);
  if (!err)
    err = member_request_check(&wanted, session->message);
  if (!err)
    err = check_client_ref(session, &wanted);
  if (!err)
    err = move_entries(session, &now, &wanted, from_period);
  return session ? books_session_end(session, err) : err;
}

/* ---- records ------------------------------------------------------------ */

static int record_allowed_directly(uint8_t type)
{
  return ledger_record_by_hand(type);
}

/* What a run of records (node_record_many) keeps from one to the next.
 * Records change no member, so her row for a month is read once; her hours
 * of a month are read once and then counted here; the records' rows are
 * held in `bulk` and written many at a time (ledger_books_bulk_flush). */
typedef struct member_month {
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* "": a free slot */
  uint32_t month;                             /* YYYYMM */
  bool hours_known;
  int64_t hours; /* hundredths, the session's records so far included */
  bool records_known;
  int64_t records; /* counting in the month, the session's so far included */
  ledger_member_row row;
} member_month;

/* Slots of the member-month table (~330 bytes each, 5 MiB); at half full the
 * held records are written and the table starts again. */
#define RECORD_MEMBER_MONTH_SLOTS 16384u

typedef struct record_batch {
  ledger_books_bulk *bulk;
  coop_buf plain; /* the record being encoded */
  member_month *slots; /* RECORD_MEMBER_MONTH_SLOTS */
  size_t used;
} record_batch;

static coop_err batch_flush(books_session *session, record_batch *batch)
{
  coop_err err = ledger_books_bulk_flush(session->node->store, batch->bulk);
  return err ? books_say(session->message, err, "cannot index the new records: %s",
                         coop_err_message(err))
             : COOP_OK;
}

static size_t member_month_slot(const record_batch *batch, const char *member_id, uint32_t month)
{
  uint32_t hash = 2166136261u ^ month; /* FNV-1a */
  for (const char *c = member_id; *c; c++)
    hash = (hash ^ (uint8_t)*c) * 16777619u;
  size_t mask = RECORD_MEMBER_MONTH_SLOTS - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const member_month *entry = &batch->slots[slot];
    if (!entry->member_id[0] || (entry->month == month && !strcmp(entry->member_id, member_id)))
      return slot;
  }
}

/* Her entry for the month, read from the books the first time. */
static coop_err batch_member_month(books_session *session, record_batch *batch,
                                   const char *member_id, uint32_t month, member_month **out)
{
  _Static_assert((RECORD_MEMBER_MONTH_SLOTS & (RECORD_MEMBER_MONTH_SLOTS - 1)) == 0,
                 "a power of two");
  member_month *entry = &batch->slots[member_month_slot(batch, member_id, month)];
  if (!entry->member_id[0]) {
    ledger_member_row row;
    coop_err err = ledger_books_member_at(session->node->store, member_id, month, &row, NULL);
    if (err)
      return err;
    if (batch->used == RECORD_MEMBER_MONTH_SLOTS / 2) {
      /* Full: the hours counted here are in the held rows; written, the
       * books count them again. */
      if ((err = ledger_books_bulk_flush(session->node->store, batch->bulk)))
        return err;
      memset(batch->slots, 0, RECORD_MEMBER_MONTH_SLOTS * sizeof *batch->slots);
      batch->used = 0;
      entry = &batch->slots[member_month_slot(batch, member_id, month)];
    }
    *entry = (member_month){.month = month, .row = row};
    snprintf(entry->member_id, sizeof entry->member_id, "%s", member_id);
    batch->used++;
  }
  *out = entry;
  return COOP_OK;
}

/* Builds the record a request asks for; looks the member up. */
static coop_err build_record(books_session *session, record_batch *batch,
                             const node_record_request *request, ledger_record *record,
                             member_month **member)
{
  memset(record, 0, sizeof *record);
  record->type = request->type;
  record->date = request->date;
  if (!record_allowed_directly(request->type))
    return books_say(session->message, COOP_E_BAD_INPUT, "records of this type cannot be made by hand");
  if (!ledger_date_valid(request->date))
    return books_say(session->message, COOP_E_BAD_INPUT, "invalid date");
  int wants_member = request->type != LEDGER_RECORD_COOP_COST &&
                     request->type != LEDGER_RECORD_OPENING;
  const char *member_id = request->member_id ? request->member_id : "";
  if (wants_member && !member_id[0])
    return books_say(session->message, COOP_E_BAD_INPUT, "a %s record needs --member",
               ledger_record_type_name(request->type));
  if (!wants_member && member_id[0])
    return books_say(session->message, COOP_E_BAD_INPUT, "a %s record is the coop's own: no --member",
               ledger_record_type_name(request->type));
  if (wants_member) {
    /* Sealed to her residence of the month it counts in. */
    uint32_t month = request->for_period ? request->for_period : request->date / 100;
    coop_err err = strlen(member_id) == LEDGER_MEMBER_ID_CHARS
                       ? batch_member_month(session, batch, member_id, month, member)
                       : COOP_E_NOT_FOUND;
    if (err == COOP_E_NOT_FOUND)
      return books_say(session->message, COOP_E_NOT_FOUND,
                 "unknown member '%s' (see 'coop member list')", member_id);
    if (err)
      return books_say(session->message, err, "cannot read members: %s", coop_err_message(err));
    memcpy(record->member, (*member)->row.audience_id, LEDGER_MEMBER_ID_BYTES);
  }
  const char *ref = request->ref ? request->ref : "";
  const char *note = request->note ? request->note : "";
  /* Refused, never cut short: two long refs cut to the same prefix would
   * collide, and a note is what the administrator wrote. */
  size_t ref_bytes = strlen(ref), note_bytes = strlen(note);
  if (ref_bytes > LEDGER_REF_BYTES_MAX ||
      (ref[0] && (ledger_note_check((const uint8_t *)ref, ref_bytes) || strpbrk(ref, "\n\t"))))
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "invalid ref '%.40s%s': use 1 to %u bytes of printable UTF-8 on one line",
                     ref, ref_bytes > 40 ? "..." : "", LEDGER_REF_BYTES_MAX);
  if (note_bytes > LEDGER_RECORD_NOTE_BYTES_MAX ||
      (note[0] && ledger_note_check((const uint8_t *)note, note_bytes)))
    return books_say(session->message, COOP_E_BAD_INPUT,
                     "invalid note: use at most %u bytes of UTF-8 without control characters "
                     "(newlines and tabs are fine)", LEDGER_RECORD_NOTE_BYTES_MAX);
  /* Both fit (checked above) and the record is zeroed: copied, not formatted. */
  _Static_assert(sizeof record->ref > LEDGER_REF_BYTES_MAX, "room for the ref and its NUL");
  _Static_assert(sizeof record->note > LEDGER_RECORD_NOTE_BYTES_MAX, "room for the note");
  memcpy(record->ref, ref, ref_bytes);
  memcpy(record->note, note, note_bytes);
  coop_err err = node_amount_check(request->type, request->amount, session->message);
  if (err)
    return err;
  err = node_for_month_check(&session->months, request->date, request->for_period,
                             session->message);
  if (err)
    return err;
  record->for_period = request->for_period;
  if (ledger_record_is_memo(request->type))
    record->quantity = request->amount;
  else if (ledger_record_postings(record, request->amount))
    return books_say(session->message, COOP_E_BAD_INPUT, "cannot post this record");
  err = ledger_record_check(record);
  if (err)
    return books_say(session->message, err, "invalid record: %s", coop_err_message(err));
  return COOP_OK;
}

static int64_t record_amount(const ledger_record *record)
{
  return ledger_record_is_memo(record->type) ? record->quantity
                                             : record->postings[0].amount_cents;
}

/* Lists what differs between a stored record and a new one with its ref. */
static void describe_difference(const ledger_record *stored, const ledger_record *wanted,
                                char *out, size_t out_bytes)
{
  out[0] = 0;
  size_t used = 0;
#define DIFFERS(...) used += (size_t)snprintf(out + used, used < out_bytes ? out_bytes - used : 0, __VA_ARGS__)
  if (stored->type != wanted->type)
    DIFFERS("; type %s, now %s", ledger_record_type_name(stored->type),
            ledger_record_type_name(wanted->type));
  if (memcmp(stored->member, wanted->member, LEDGER_MEMBER_ID_BYTES))
    DIFFERS("; another member");
  if (stored->date != wanted->date) {
    char was[11], now[11];
    ledger_date_format(stored->date, was);
    ledger_date_format(wanted->date, now);
    DIFFERS("; date %s, now %s", was, now);
  }
  if (record_amount(stored) != record_amount(wanted)) {
    char was[LEDGER_MONEY_TEXT_BYTES], now[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format(record_amount(stored), was);
    ledger_money_format(record_amount(wanted), now);
    DIFFERS("; amount %s, now %s", was, now);
  }
  if (strcmp(stored->note, wanted->note))
    DIFFERS("; note '%.60s', now '%.60s'", stored->note, wanted->note);
#undef DIFFERS
}

/* COOP_OK with *existed when the same record is there under this ref;
 * COOP_E_EXISTS_DIFFERENT when the ref holds something else.  A ref held
 * in the batch is written first, so the books answer as for any other. */
static coop_err check_ref(books_session *session, record_batch *batch, const ledger_record *record,
                          int *existed, uint64_t *index)
{
  *existed = 0;
  if (!record->ref[0])
    return COOP_OK;
  coop_err err = COOP_OK;
  if (ledger_books_bulk_has_ref(batch->bulk, record->ref) && (err = batch_flush(session, batch)))
    return err;
  ledger_record stored;
  err = ledger_books_record_by_ref(session->node->store, record->ref, &stored, index);
  if (err == COOP_E_NOT_FOUND)
    return COOP_OK;
  if (err)
    return books_say(session->message, err, "cannot read records");
  char difference[NODE_MESSAGE_BYTES];
  describe_difference(&stored, record, difference, sizeof difference);
  if (!difference[0]) {
    *existed = 1;
    return COOP_OK;
  }
  return books_say(session->message, COOP_E_EXISTS_DIFFERENT,
             "ref '%s' already holds entry %llu with different content%s", record->ref,
             (unsigned long long)*index, difference);
}

/* A spend stays within her development budget.  Its balance is read from
 * the books, so the held records are written first (spends are few). */
static coop_err check_budget(books_session *session, record_batch *batch,
                             const ledger_record *record, const ledger_member_row *member)
{
  if (record->type != LEDGER_RECORD_SPEND)
    return COOP_OK;
  char account[LEDGER_ACCOUNT_NAME_BYTES];
  int64_t balance = 0;
  coop_err err = batch_flush(session, batch);
  if (err)
    return err;
  err = ledger_account_name(LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, member->member_id, account);
  if (!err)
    err = ledger_books_account_balance(session->node->store, account, &balance);
  if (err)
    return books_say(session->message, err, "cannot read the development budget");
  int64_t available = -balance; /* a liability: credits are negative */
  int64_t amount = record->postings[0].amount_cents;
  if (amount > available) {
    char have[LEDGER_MONEY_TEXT_BYTES], want[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format(available, have);
    ledger_money_format(amount, want);
    return books_say(session->message, COOP_E_RANGE,
               "development budget of %s is %s; cannot spend %s", member->member_id, have, want);
  }
  return COOP_OK;
}

/* The member's hours in the record's month, this record included, stay
 * within what a month holds: a typing error is refused here, naming it,
 * rather than breaking the month close for everyone later.  The books are
 * read once per member-month of a batch (before any record of it is held:
 * every hours record passes here first); the batch counts on from there. */
static coop_err check_month_hours(books_session *session, const ledger_record *record,
                                  member_month *member)
{
  if (record->type != LEDGER_RECORD_HOURS)
    return COOP_OK;
  uint32_t month = ledger_record_month(record); /* --for-month: the month it counts in */
  assert(month == member->month);
  const char *member_id = member->row.member_id;
  if (!member->hours_known) {
    coop_err err = ledger_books_memo_total(session->node->store, member_id, LEDGER_RECORD_HOURS,
                                           month * 100 + 1, month * 100 + 31, &member->hours);
    if (err)
      return books_say(session->message, err, "cannot read the hours of %s", member_id);
    member->hours_known = true;
  }
  int64_t total = member->hours + record->quantity;
  if (total <= NODE_HOURS_PER_MONTH_MAX * INT64_C(100)) {
    member->hours = total; /* a failure later rolls the whole batch back */
    return COOP_OK;
  }
  char month_text[8], total_text[LEDGER_MONEY_TEXT_BYTES];
  ledger_period_format(month, month_text);
  ledger_money_format(total, total_text);
  return books_say(session->message, COOP_E_RANGE,
                   "hours of %s in %s would come to %s, more than a month holds (at most %d: "
                   "24 x 31)", member_id, month_text, total_text,
                   NODE_HOURS_PER_MONTH_MAX);
}

/* Says that a member's month is full: its statement could not cite one
 * record more, so the month could never close.  `hint` says what to do. */
static coop_err month_full(char message[NODE_MESSAGE_BYTES], const char *member_id,
                           uint32_t month, const char *hint)
{
  char month_text[8];
  ledger_period_format(month, month_text);
  return books_say(message, COOP_E_RANGE,
                   "member %s already has %u records counting in %s, the most one month's "
                   "statement can cite: %s", member_id, LEDGER_STATEMENT_SOURCES_MAX, month_text,
                   hint);
}

/* Refuses a member's record beyond what her month's statement can cite
 * (LEDGER_STATEMENT_SOURCES_MAX): taken, it would strand the month, which
 * then could not close.  Counted like the hours: read once per
 * member-month of a batch, then counted on. */
static coop_err check_month_records(books_session *session, member_month *member)
{
  if (!member->records_known) {
    coop_err err = ledger_books_month_record_count(session->node->store, member->row.member_id,
                                                   member->month, &member->records);
    if (err)
      return books_say(session->message, err, "cannot read the records of %s",
                       member->row.member_id);
    member->records_known = true;
  }
  if (member->records >= LEDGER_STATEMENT_SOURCES_MAX)
    return month_full(session->message, member->row.member_id, member->month,
                      "record a day's or a week's work as one record (a total) instead");
  member->records++; /* a failure later rolls the whole batch back */
  return COOP_OK;
}

/* Encodes `record` into `plain` and queues it; its rows go into the books
 * now, or with the bulk's when `bulk` is given. */
static coop_err encode_and_add(books_session *session, ledger_books_bulk *bulk, coop_buf *plain,
                               const ledger_record *record, const uint8_t *audience_id,
                               uint64_t *index)
{
  coop_err err = ledger_record_encode(record, plain);
  *index = session->base_size + session->pending;
  if (err)
    books_say(session->message, err, "invalid record: %s", coop_err_message(err));
  else if (bulk)
    err = session_add_held(session, bulk, audience_id, plain, record);
  else
    err = books_session_add(session, LEDGER_KIND_TRANSACTION, audience_id, plain);
  return err;
}

static coop_err add_record(books_session *session, const ledger_record *record,
                           const uint8_t *audience_id, uint64_t *index)
{
  coop_buf plain;
  coop_buf_init(&plain, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = encode_and_add(session, NULL, &plain, record, audience_id, index);
  coop_buf_release(&plain);
  return err;
}

static coop_err record_one(books_session *session, record_batch *batch,
                           const node_record_request *request, node_record_result *result)
{
  ledger_record record;
  member_month *member = NULL;
  memset(result, 0, sizeof *result);
  coop_err err = build_record(session, batch, request, &record, &member);
  if (!err)
    err = check_ref(session, batch, &record, &result->existed, &result->index);
  if (err || result->existed)
    return err;
  err = node_date_check(&session->months, record.date, request->future, session->message);
  if (!err && member)
    err = check_budget(session, batch, &record, &member->row);
  if (!err && member)
    err = check_month_hours(session, &record, member);
  if (!err && member)
    err = check_month_records(session, member);
  const uint8_t *audience = member ? member->row.audience_id : session->books_audience;
  if (!err) {
    /* The batch's buffer, reused: a buffer of its own was two mallocs a record. */
    coop_buf_reset(&batch->plain);
    err = encode_and_add(session, batch->bulk, &batch->plain, &record, audience, &result->index);
  }
  return err;
}

static coop_err batch_begin(record_batch *batch, char message[NODE_MESSAGE_BYTES])
{
  *batch = (record_batch){0};
  coop_buf_init(&batch->plain, COOP_PAYLOAD_BYTES_MAX);
  batch->slots = coop_calloc(RECORD_MEMBER_MONTH_SLOTS, sizeof *batch->slots);
  if (!batch->slots || ledger_books_bulk_new(&batch->bulk)) {
    coop_free(batch->slots);
    return books_say(message, COOP_E_NOMEM, "out of memory");
  }
  return COOP_OK;
}

static void batch_release(record_batch *batch)
{
  ledger_books_bulk_free(batch->bulk);
  coop_buf_release(&batch->plain);
  coop_free(batch->slots);
}

/* The books ready, a batch and a session begun: where a run of records
 * starts. */
static coop_err record_run_begin(node *self, char message[NODE_MESSAGE_BYTES],
                                 books_session **session, record_batch *batch)
{
  coop_err err = node_books_ready(self, message);
  if (!err)
    err = batch_begin(batch, message);
  if (err)
    return err;
  err = books_session_begin(self, message, session);
  if (err)
    batch_release(batch);
  return err;
}

/* The held rows written, then commit (or, on `err`, roll back). */
static coop_err record_run_end(books_session *session, record_batch *batch, coop_err err)
{
  if (!err)
    err = batch_flush(session, batch);
  batch_release(batch);
  return books_session_end(session, err);
}

/* Every request of `next` in one session; results[position] for each
 * (results may be NULL). */
static coop_err record_run(node *self, node_record_source next, void *context,
                           node_record_result *results, size_t *recorded, size_t *existed,
                           size_t *failed_at, char message[NODE_MESSAGE_BYTES])
{
  books_session *session = NULL;
  record_batch batch;
  *recorded = *existed = 0;
  *failed_at = SIZE_MAX;
  coop_err err = record_run_begin(self, message, &session, &batch);
  if (err)
    return err;
  size_t position = 0, count = 0;
  do {
    const node_record_request *requests = NULL;
    err = next(context, &requests, &count, message);
    for (size_t i = 0; i < count && !err; i++, position++) {
      node_record_result result;
      err = record_one(session, &batch, &requests[i], results ? &results[position] : &result);
      if (err)
        *failed_at = position;
      else if (results)
        result = results[position];
      *recorded += !err && !result.existed;
      *existed += !err && result.existed;
    }
  } while (!err && count);
  err = record_run_end(session, &batch, err);
  if (err)
    *recorded = *existed = 0;
  return err;
}

coop_err node_record_stream(node *self, node_record_source next, void *context,
                            size_t *recorded, size_t *existed, size_t *failed_at,
                            char message[NODE_MESSAGE_BYTES])
{
  return record_run(self, next, context, NULL, recorded, existed, failed_at, message);
}

/* node_record_many's requests as a source: all of them at once. */
typedef struct request_array {
  const node_record_request *requests;
  size_t count;
  bool handed;
} request_array;

static coop_err next_of_array(void *context, const node_record_request **requests,
                              size_t *count, char message[NODE_MESSAGE_BYTES])
{
  request_array *array = context;
  (void)message;
  *requests = array->requests;
  *count = array->handed ? 0 : array->count;
  array->handed = true;
  return COOP_OK;
}

coop_err node_record_many(node *self, const node_record_request *requests, size_t count,
                          node_record_result *results, size_t *failed_at,
                          char message[NODE_MESSAGE_BYTES])
{
  request_array array = {.requests = requests, .count = count};
  size_t recorded, existed;
  coop_err err = record_run(self, next_of_array, &array, results, &recorded, &existed, failed_at,
                            message);
  /* *failed_at is `count` for failures that are not about one request. */
  if (*failed_at == SIZE_MAX)
    *failed_at = count;
  return err;
}

coop_err node_record_add(node *self, const node_record_request *request,
                         node_record_result *result, char message[NODE_MESSAGE_BYTES])
{
  size_t failed_at;
  return node_record_many(self, request, 1, result, &failed_at, message);
}

/* ---- corrections and closing -------------------------------------------- */

/* A correction counting in a closed year would reopen its statements and
 * accounts: it must count in the month it is dated in instead. */
static coop_err correction_month(books_session *session, uint64_t index,
                                 const ledger_record *original, uint32_t date,
                                 node_correction_month counts_in, uint32_t *for_period)
{
  uint32_t counted_in = ledger_record_month(original);
  *for_period = counts_in == NODE_CORRECTION_IN_ORIGINAL_MONTH && counted_in < date / 100
                    ? counted_in : 0;
  if (!*for_period || !node_months_in_closed_year(&session->months, counted_in))
    return COOP_OK;
  char month[8], booked[8];
  ledger_period_format(counted_in, month);
  ledger_period_format(date / 100, booked);
  return books_say(session->message, COOP_E_PERIOD_CLOSED,
                   "entry %llu counts in %s, and %u is a closed year: its statements and "
                   "accounts are final; add --in-open-month to count the reversal in %s, the "
                   "month it is dated in", (unsigned long long)index, month,
                   (unsigned)(counted_in / 100), booked);
}

static coop_err build_correction(books_session *session, uint64_t index, const char *reason,
                                 uint32_t date, node_correction_month counts_in,
                                 ledger_record *correction, ledger_member_row *member)
{
  ledger_record original;
  uint64_t corrected_by = 0;
  coop_err err = ledger_books_record_at(session->node->store, index, &original, &corrected_by);
  if (err == COOP_E_NOT_FOUND)
    return books_say(session->message, err, "entry %llu is not a record (see 'coop reg')",
               (unsigned long long)index);
  if (err)
    return books_say(session->message, err, "cannot read records");
  if (!ledger_record_by_hand(original.type))
    return books_say(session->message, COOP_E_BAD_INPUT, "entry %llu is a %s: it cannot be corrected "
               "by hand", (unsigned long long)index, ledger_record_type_name(original.type));
  if (corrected_by)
    return books_say(session->message, COOP_E_EXISTS, "entry %llu was already corrected by entry %llu",
               (unsigned long long)index, (unsigned long long)(corrected_by - 1));
  *correction = original;
  correction->type = LEDGER_RECORD_CORRECTION;
  correction->memo_type = original.type;
  correction->date = date;
  correction->ref[0] = 0;
  snprintf(correction->note, sizeof correction->note, "%s", reason);
  correction->quantity = -original.quantity;
  correction->corrects = index + 1;
  correction->corrects_period = original.date / 100;
  /* The reversal is booked on its own date (an open month) but counts in
   * the month the original counted in: that month's statement is then due
   * for a reissue, not next month's figures. */
  err = correction_month(session, index, &original, date, counts_in, &correction->for_period);
  if (err)
    return err;
  for (unsigned i = 0; i < correction->posting_count; i++)
    correction->postings[i].amount_cents = -original.postings[i].amount_cents;
  if (original.member[0] || original.member[1] || original.member[2]) {
    uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
    char member_id[LEDGER_MEMBER_ID_CHARS + 1];
    memcpy(padded, original.member, LEDGER_MEMBER_ID_BYTES);
    ledger_member_id(padded, member_id);
    err = ledger_books_member_at(session->node->store, member_id,
                                 ledger_record_month(correction), member, NULL);
    if (err)
      return books_say(session->message, COOP_E_TAMPERED, "the member of entry %llu is missing",
                 (unsigned long long)index);
  }
  return COOP_OK;
}

/* The reversal counts in a month whose statement must cite it: refused
 * when that month is full (check_month_records). */
static coop_err correction_fits(books_session *session, const ledger_record *correction,
                                const char *member_id)
{
  uint32_t month = ledger_record_month(correction);
  int64_t records = 0;
  coop_err err = ledger_books_month_record_count(session->node->store, member_id, month, &records);
  if (err)
    return books_say(session->message, err, "cannot read the records of %s", member_id);
  if (records < LEDGER_STATEMENT_SOURCES_MAX)
    return COOP_OK;
  char booked[8], hint[128];
  ledger_period_format(correction->date / 100, booked);
  if (correction->for_period)
    snprintf(hint, sizeof hint, "add --in-open-month to count the reversal in %s, the month it "
             "is dated in", booked);
  else
    snprintf(hint, sizeof hint, "date the correction in a later open month (--date) and add "
             "--in-open-month, so the reversal counts there");
  return month_full(session->message, member_id, month, hint);
}

coop_err node_record_correct(node *self, uint64_t index, const char *reason, uint32_t date,
                             uint64_t *correction_index, char message[NODE_MESSAGE_BYTES])
{
  return node_record_correct_counting(self, index, reason, date,
                                      NODE_CORRECTION_IN_ORIGINAL_MONTH, correction_index,
                                      message);
}

coop_err node_record_correct_counting(node *self, uint64_t index, const char *reason,
                                      uint32_t date, node_correction_month counts_in,
                                      uint64_t *correction_index,
                                      char message[NODE_MESSAGE_BYTES])
{
  if (!reason || !reason[0] || strlen(reason) > LEDGER_RECORD_NOTE_BYTES_MAX ||
      ledger_note_check((const uint8_t *)reason, strlen(reason)))
    return books_say(message, COOP_E_BAD_INPUT, "a correction needs a --reason of 1 to %u characters",
               LEDGER_RECORD_NOTE_BYTES_MAX);
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  ledger_record correction;
  ledger_member_row member;
  memset(&member, 0, sizeof member);
  err = build_correction(session, index, reason, date, counts_in, &correction, &member);
  if (!err && member.member_id[0])
    err = correction_fits(session, &correction, member.member_id);
  if (!err)
    err = node_date_check(&session->months, date, 0, message);
  if (!err)
    err = ledger_record_check(&correction);
  const uint8_t *audience = member.member_id[0] ? member.audience_id : session->books_audience;
  if (!err)
    err = add_record(session, &correction, audience, correction_index);
  return books_session_end(session, err);
}

static coop_err stop_at_first(void *context, const ledger_register_row *row)
{
  *(uint32_t *)context = row->date / 100;
  return COOP_E_EXISTS; /* stops the walk: only the first row is wanted */
}

/* The month of the earliest record dated before `period`, 0 when none. */
static coop_err earliest_record_before(books_session *session, uint32_t period, uint32_t *month)
{
  *month = 0;
  ledger_books_query query = {.date_from = 0, .date_to = period * 100};
  coop_err err = ledger_books_register(session->node->store, &query, stop_at_first, month);
  if (err && err != COOP_E_EXISTS)
    return books_say(session->message, err, "cannot read the records");
  return COOP_OK;
}

/* Closed already, or before the last closed month: a month closes once. */
static coop_err close_not_again(books_session *session, uint32_t period)
{
  int closed = 0;
  char text[8], last[8];
  ledger_period_format(period, text);
  coop_err err = ledger_books_period_closed(session->node->store, period, &closed);
  if (err)
    return books_say(session->message, err, "cannot read closed periods");
  if (closed)
    return books_say(session->message, COOP_E_PERIOD_CLOSED, "period %s is already closed", text);
  /* Statements carry their state from month to month: a month before one
   * already closed would be computed without what came before it. */
  uint32_t last_closed = session->months.last_closed;
  if (last_closed > period) {
    ledger_period_format(last_closed, last);
    return books_say(session->message, COOP_E_PERIOD_CLOSED,
                     "period %s comes before %s, which is already closed: months close in order",
                     text, last);
  }
  return COOP_OK;
}

static coop_err add_period_entry(books_session *session, uint16_t kind, uint32_t period)
{
  coop_buf plain;
  coop_buf_init(&plain, LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES);
  coop_err err = kind == LEDGER_KIND_PERIOD_OPEN ? ledger_period_open_encode(period, &plain)
                                                 : ledger_period_close_encode(period, &plain);
  if (err)
    err = books_say(session->message, err, "cannot encode the period: %s", coop_err_message(err));
  else
    err = books_session_add(session, kind, NULL, &plain);
  coop_buf_release(&plain);
  return err;
}

/* A coop's month close first reissues the closed months that are due
 * (appended, then read into the view, before the month's statements),
 * then computes every member's statement, from one view of its own log
 * (*view: the caller ends it). */
static coop_err statements_in_session(books_session *session, uint32_t period,
                                      node_reissue_list *reissued, books_close_view **view)
{
  coop_err err = books_close_view_begin(session, view);
  if (!err && session->months.last_closed)
    err = books_reissue_due(session, *view, period * 100 + 1, reissued);
  if (!err)
    err = books_session_flush(session);
  if (!err)
    err = books_close_view_catch_up(session, *view);
  if (!err)
    err = books_statements_for_period(session, *view, period);
  return err;
}

/* The close in an open session: checks, reissues due, statements, the
 * close entry. */
static coop_err close_in_session(books_session *session, uint32_t period,
                                 node_reissue_list *reissued, books_close_view **view)
{
  node *self = session->node;
  uint32_t earliest = 0;
  coop_err err = close_not_again(session, period);
  if (!err && !session->months.last_closed && !session->months.first)
    err = earliest_record_before(session, period, &earliest);
  if (!err)
    err = node_close_check(&session->months, period, earliest, session->message);
  if (!err && self->role == LEDGER_ROLE_COOP)
    err = statements_in_session(session, period, reissued, view);
  if (!err)
    err = add_period_entry(session, LEDGER_KIND_PERIOD_CLOSE, period);
  return err;
}

#define CLOSE_CACHE_BYTES (16u * 1024u * 1024u)

coop_err node_period_close_reissuing(node *self, uint32_t period, node_reissue_list *reissued,
                                     char message[NODE_MESSAGE_BYTES])
{
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  books_close_view *view = NULL;
  /* A close writes its rows at the end, sorted, and reads the books only
   * for a few checks: 16 MiB of page cache hold what it touches twice.  The
   * books' 64 MiB filled with pages it touched once, each a fresh
   * allocation: a one-shot close of 10,000 members peaked at 130 MiB
   * against 95 MiB, and took 0.70 - 0.74 s against 0.58 - 0.59 s
   * (docs/performance.md). */
  if (!err)
    err = ledger_store_set_cache(self->store, CLOSE_CACHE_BYTES);
  /* The close reads its own log, not the tables: its statements' and
   * splits' rows are written once, sorted, at the end (books_session_end). */
  if (!err)
    err = books_session_hold(session);
  if (!err)
    err = close_in_session(session, period, reissued, &view);
  /* The month's statements and splits go into the view from the close
   * itself, not read back: appended first (books_session_end's own first
   * step) for their leaf hashes. */
  bool keep = view != NULL;
  if (!err && view && !(err = books_session_flush(session)))
    keep = books_close_view_add_written(session, view);
  err = books_session_end(session, err);
  /* Kept for the next close only once what it read is committed. */
  books_close_view_end(self, view, err == COOP_OK && keep);
  return err;
}

coop_err node_period_close_preview(node *self, uint32_t period, node_statement_visitor visitor,
                                   void *context, char message[NODE_MESSAGE_BYTES])
{
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  session->preview = visitor;
  session->preview_context = context;
  books_close_view *view = NULL;
  err = close_in_session(session, period, NULL, &view);
  /* Whatever the close did stays in the transaction, rolled back here. */
  ledger_store_rollback(self->store);
  books_session_free(session);
  books_close_view_end(self, view, false);
  return err;
}

coop_err node_period_close(node *self, uint32_t period, char message[NODE_MESSAGE_BYTES])
{
  return node_period_close_reissuing(self, period, NULL, message);
}

coop_err node_period_open(node *self, uint32_t period, char message[NODE_MESSAGE_BYTES])
{
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  char text[8], other[8];
  ledger_period_format(period, text);
  uint32_t earliest = 0;
  if (session->months.first) {
    ledger_period_format(session->months.first, other);
    err = books_say(message, COOP_E_EXISTS, "the books already begin at %s: the first month is "
                                            "fixed once", other);
  } else if (period > session->months.now) {
    err = books_say(message, COOP_E_BAD_INPUT, "period %s is in the future", text);
  } else if (!(err = earliest_record_before(session, period, &earliest)) && earliest) {
    ledger_period_format(earliest, other);
    err = books_say(message, COOP_E_BAD_INPUT,
                    "records are dated in %s, before %s: they could never be closed (open the "
                    "books at %s or earlier)", other, text, other);
  }
  if (!err)
    err = add_period_entry(session, LEDGER_KIND_PERIOD_OPEN, period);
  return books_session_end(session, err);
}

coop_err node_statement_reissue(node *self, const char *member_id, uint32_t period,
                                node_reissue_list *done, char message[NODE_MESSAGE_BYTES])
{
  if (self->role != LEDGER_ROLE_COOP)
    return books_say(message, COOP_E_USAGE, "only a coop node writes statements");
  books_session *session = NULL;
  coop_err err = books_ready_and_begin(self, message, &session);
  if (err)
    return err;
  char text[8];
  ledger_period_format(period, text);
  /* The session read the months when it began (in the same transaction). */
  uint32_t last_closed = session->months.last_closed;
  if (!last_closed || period > last_closed)
    err = books_say(message, COOP_E_PERIOD_CLOSED,
                    "%s is not closed: only a closed month's statement can be reissued (an open "
                    "month is closed with 'coop period close')", text);
  if (!err)
    err = books_statement_reissue(session, member_id, period,
                                  node_month_next(last_closed) * 100 + 1, done);
  return books_session_end(session, err);
}

coop_err node_record_counts_in(node *self, uint64_t index, uint32_t *period, bool *closed)
{
  ledger_record record;
  uint64_t corrected_by = 0;
  char message[NODE_MESSAGE_BYTES];
  node_months months;
  coop_err err = ledger_books_record_at(self->store, index, &record, &corrected_by);
  if (!err)
    err = node_months_read(self, &months, message);
  if (err)
    return err;
  *period = ledger_record_month(&record);
  *closed = months.last_closed && *period <= months.last_closed;
  return COOP_OK;
}
