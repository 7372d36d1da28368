/* What sync messages do to logs: greeting and heads, requests and the
 * entries that answer them, fork evidence.  docs/protocol.md §State machine
 * steps 1-6. */
#include "sync/session_int.h"

#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/log/entry.h"

static uint64_t wall_ms(const sync_session *session)
{
  return session->host->now_ms ? session->host->now_ms(session->host->context) : 0;
}

static bool is_own_log(const sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  return !memcmp(log_id, session->host->identity->public_key, LEDGER_LOG_ID_BYTES);
}

/* Logs of authors nobody named are neither stored nor relayed: any peer
 * could otherwise fill the store with self-made logs. */
static bool accepts(const sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  return is_own_log(session, log_id) || !session->host->accepts_log ||
         session->host->accepts_log(session->host->context, session, log_id);
}

static coop_err log_forked(sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           bool *forked)
{
  uint64_t count = 0;
  coop_err err = ledger_store_fork_count(session->host->store, log_id, &count);
  *forked = count > 0;
  return err ? session_fail(session, err, "cannot read fork evidence: %s", coop_err_message(err))
             : COOP_OK;
}

static coop_err own_size(sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                         uint64_t *size)
{
  coop_err err = ledger_store_size(session->host->store, log_id, size);
  return err ? session_fail(session, err, "cannot read the store: %s", coop_err_message(err))
             : COOP_OK;
}

/* ---- Greeting ------------------------------------------------------------------ */

static int compare_log_ids(const void *a, const void *b)
{
  return memcmp(a, b, LEDGER_LOG_ID_BYTES);
}

/* HEADS: the latest checkpoint of every log we hold and accept, sorted by
 * log id, SYNC_HEADS_MAX per message. */
static coop_err send_all_heads(sync_session *session)
{
  struct {
    uint8_t (*ids)[LEDGER_LOG_ID_BYTES];
    size_t count;
  } list = {0};
  coop_err err = ledger_store_log_ids(session->host->store, &list.ids, &list.count);
  if (err) {
    coop_free(list.ids);
    return session_fail(session, err, "cannot list logs: %s", coop_err_message(err));
  }
  if (list.count)
    qsort(list.ids, list.count, sizeof *list.ids, compare_log_ids);
  ledger_checkpoint *heads = coop_calloc(list.count ? list.count : 1, sizeof *heads);
  size_t head_count = 0;
  if (!heads)
    err = COOP_E_NOMEM;
  for (size_t i = 0; i < list.count && !err; i++) {
    if (!accepts(session, list.ids[i]))
      continue;
    bool forked = false;
    err = log_forked(session, list.ids[i], &forked);
    if (err || forked)
      continue;
    coop_err found = ledger_store_checkpoint_latest(session->host->store, list.ids[i],
                                                    &heads[head_count]);
    if (found == COOP_OK)
      head_count++;
    else if (found != COOP_E_NOT_FOUND)
      err = found;
  }
  for (size_t sent = 0; !err && (sent < head_count || sent == 0);) {
    size_t batch = head_count - sent > SYNC_HEADS_MAX ? SYNC_HEADS_MAX : head_count - sent;
    err = session_queued(session, sync_encode_heads(&session->plain_out, heads + sent, batch),
                         true);
    sent += batch;
    if (!batch)
      break;
  }
  coop_free(heads);
  coop_free(list.ids);
  if (err && session->state != SYNC_SESSION_CLOSED)
    return session_fail(session, err, "cannot send heads: %s", coop_err_message(err));
  return err;
}

coop_err session_send_greeting(sync_session *session)
{
  coop_err err = session_queued(session,
                                sync_encode_hello(&session->plain_out,
                                                  (uint8_t)session->host->role,
                                                  session->host->name),
                                true);
  return err ? err : send_all_heads(session);
}

coop_err session_handle_hello(sync_session *session, const sync_hello *hello)
{
  if (session->hello_received)
    return session_fail(session, COOP_E_DECODE, "%s: a second 'hello'", session->label);
  session->hello = *hello;
  session->hello_received = true;
  const char *role = ledger_role_name(hello->role);
  if (session->peer.role && hello->role != session->peer.role)
    session_say(session, "%s: says it is a %s named '%s', configured as a %s", session->label,
                role, hello->name, ledger_role_name(session->peer.role));
  else
    session_say(session, "%s: connected: %s '%s'", session->label, role, hello->name);
  return COOP_OK;
}

/* ---- Forks --------------------------------------------------------------------- */

typedef struct fork_search {
  const uint8_t *log_id;
  ledger_fork_evidence found;
  bool any;
} fork_search;

static coop_err find_fork(void *context, const ledger_fork_evidence *evidence)
{
  fork_search *search = context;
  if (!memcmp(evidence->first.log_id, search->log_id, LEDGER_LOG_ID_BYTES)) {
    search->found = *evidence;
    search->any = true;
  }
  return COOP_OK;
}

static sync_peer_log *find_peer_log(sync_session *session,
                                    const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
static void deactivate(sync_session *session, sync_peer_log *log);

/* The store has just recorded evidence that this log forked: stop fetching
 * it here and let the host tell the other peers. */
static coop_err report_fork(sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  fork_search search = {.log_id = log_id};
  coop_err err = ledger_store_forks(session->host->store, find_fork, &search);
  if (err)
    return session_fail(session, err, "cannot read fork evidence: %s", coop_err_message(err));
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(log_id, label);
  session_say(session,
              "%s: FORK: log %s has two signed histories (sizes %llu and %llu); evidence "
              "stored, the log is no longer accepted from anyone%s",
              session->label, label, (unsigned long long)search.found.first.size,
              (unsigned long long)search.found.second.size,
              is_own_log(session, log_id) ? " (ALARM: this is our own log: our key signed "
                                            "a history we do not hold)"
                                          : "");
  sync_peer_log *log = find_peer_log(session, log_id);
  if (log)
    deactivate(session, log);
  if (search.any && session->host->fork_found)
    session->host->fork_found(session->host->context, session, &search.found);
  return COOP_OK;
}

/* Checks a checkpoint against the store; a contradiction is recorded there
 * as evidence and reported.  *fork says whether it was one. */
static coop_err check_against_store(sync_session *session, const ledger_checkpoint *checkpoint,
                                    bool *fork)
{
  *fork = false;
  coop_err err = ledger_store_check_checkpoint(session->host->store, checkpoint,
                                               wall_ms(session));
  if (err == COOP_E_FORK) {
    *fork = true;
    return report_fork(session, checkpoint->log_id);
  }
  if (err == COOP_E_BAD_SIGNATURE)
    return session_fail(session, err, "%s: a checkpoint of log at size %llu has a bad signature",
                        session->label, (unsigned long long)checkpoint->size);
  if (err)
    return session_fail(session, err, "cannot check a checkpoint: %s", coop_err_message(err));
  return COOP_OK;
}

coop_err session_handle_fork(sync_session *session, const sync_fork *fork, uint64_t now_ms)
{
  (void)now_ms;
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(fork->first.log_id, label);
  if (!accepts(session, fork->first.log_id))
    return COOP_OK;
  if (ledger_checkpoint_verify(&fork->first) || ledger_checkpoint_verify(&fork->second))
    return session_fail(session, COOP_E_BAD_SIGNATURE,
                        "%s: 'fork' message for log %s with a bad signature", session->label,
                        label);
  bool known = false;
  coop_err err = log_forked(session, fork->first.log_id, &known);
  if (err || known)
    return err; /* already stopped, and forwarded when it was found */
  bool forked = false;
  err = check_against_store(session, &fork->first, &forked);
  if (!err && !forked)
    err = check_against_store(session, &fork->second, &forked);
  if (err || forked)
    return err;
  if (ledger_checkpoint_same_size_fork(&fork->first, &fork->second)) {
    ledger_fork_evidence evidence = {.first = fork->first, .second = fork->second,
                                     .found_ms = wall_ms(session)};
    err = ledger_store_record_fork(session->host->store, &evidence);
    if (err)
      return session_fail(session, err, "cannot record fork evidence: %s",
                          coop_err_message(err));
    return report_fork(session, fork->first.log_id);
  }
  session_say(session,
              "%s: claims log %s forked between sizes %llu and %llu; we hold too little of it "
              "to tell, so it is noted and not acted on",
              session->label, label, (unsigned long long)fork->first.size,
              (unsigned long long)fork->second.size);
  return COOP_OK;
}

/* ---- Our requests -------------------------------------------------------------- */

static sync_peer_log *find_peer_log(sync_session *session,
                                    const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  for (size_t i = 0; i < session->peer_log_count; i++)
    if (!memcmp(session->peer_logs[i].log_id, log_id, LEDGER_LOG_ID_BYTES))
      return &session->peer_logs[i];
  return NULL;
}

static coop_err track_peer_log(sync_session *session, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                               sync_peer_log **out)
{
  *out = find_peer_log(session, log_id);
  if (*out)
    return COOP_OK;
  if (!session->peer_logs) {
    session->peer_logs = coop_calloc(SYNC_PEER_LOGS_MAX, sizeof *session->peer_logs);
    if (!session->peer_logs)
      return session_fail(session, COOP_E_NOMEM, "out of memory");
  }
  if (session->peer_log_count == SYNC_PEER_LOGS_MAX)
    return session_fail(session, COOP_E_LIMIT, "%s: announces more than %u logs",
                        session->label, SYNC_PEER_LOGS_MAX);
  *out = &session->peer_logs[session->peer_log_count++];
  memset(*out, 0, sizeof **out);
  memcpy((*out)->log_id, log_id, LEDGER_LOG_ID_BYTES);
  return COOP_OK;
}

static void deactivate(sync_session *session, sync_peer_log *log)
{
  if (!log->active)
    return;
  log->active = false;
  session->active_count--;
  if (session->host->release_log)
    session->host->release_log(session->host->context, session, log->log_id);
}

/* Asks for a log the peer is ahead on, if we may.  A log already asked for
 * on this connection needs no new REQUEST: the peer keeps sending its new
 * entries (sync_session_announce on its side). */
static coop_err request_log(sync_session *session, sync_peer_log *log, uint64_t now_ms)
{
  uint64_t size = 0;
  coop_err err = own_size(session, log->log_id, &size);
  if (err || log->active || log->peer_size <= size)
    return err;
  if (session->active_count >= SYNC_REQUESTS_IN_FLIGHT_MAX)
    return COOP_OK; /* asked again when a slot frees up */
  if (session->host->claim_log &&
      !session->host->claim_log(session->host->context, session, log->log_id))
    return COOP_OK; /* another connection is fetching it; pulled again after */
  log->active = true;
  log->progress_ms = now_ms;
  session->active_count++;
  if (log->asked)
    return COOP_OK;
  log->asked = true;
  return session_queued(session,
                        sync_encode_request(&session->plain_out, log->log_id, size,
                                            SYNC_BATCH_ENTRIES_MAX),
                        true);
}

coop_err session_request_wanted(sync_session *session, uint64_t now_ms)
{
  coop_err err = COOP_OK;
  for (size_t i = 0; i < session->peer_log_count && !err; i++)
    err = request_log(session, &session->peer_logs[i], now_ms);
  return err;
}

static coop_err handle_head(sync_session *session, const ledger_checkpoint *head,
                            uint64_t now_ms)
{
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(head->log_id, label);
  if (!accepts(session, head->log_id))
    return COOP_OK; /* before the signature: a stranger's log costs us nothing */
  if (ledger_checkpoint_verify(head))
    return session_fail(session, COOP_E_BAD_SIGNATURE,
                        "%s: 'heads': the checkpoint of log %s at size %llu has a bad signature",
                        session->label, label, (unsigned long long)head->size);
  bool forked = false;
  coop_err err = log_forked(session, head->log_id, &forked);
  if (err || forked)
    return err; /* a forked log is no longer accepted from anyone */
  err = check_against_store(session, head, &forked);
  if (err || forked)
    return err;
  uint64_t size = 0;
  err = own_size(session, head->log_id, &size);
  if (err || head->size <= size)
    return err;
  if (is_own_log(session, head->log_id)) {
    /* Our own log longer elsewhere.  On a database restored from a backup
     * (ledger_store_restored) those are the entries signed after the
     * backup: taken in, verified like any other log's, so the node goes on
     * with the one history its key signed.  Anywhere else they are a
     * stolen key's (or a restore by hand): never taken, so the node's next
     * append shows the theft as a fork instead of continuing the thief's. */
    bool restored = false;
    err = ledger_store_restored(session->host->store, &restored, NULL);
    if (err)
      return session_fail(session, err, "cannot read the store: %s", coop_err_message(err));
    session_say(session,
                restored ? "%s: holds our own log at size %llu, we hold %llu (restored from a "
                           "backup): fetching the entries signed after it"
                         : "%s: ALARM: holds our own log at size %llu, we hold %llu: our key "
                           "signed entries this node does not have (restored backup? stolen "
                           "key?)",
                session->label, (unsigned long long)head->size, (unsigned long long)size);
    if (!restored)
      return COOP_OK;
  }
  sync_peer_log *log = NULL;
  err = track_peer_log(session, head->log_id, &log);
  if (err)
    return err;
  if (head->size > log->peer_size)
    log->peer_size = head->size;
  return request_log(session, log, now_ms);
}

coop_err session_handle_heads(sync_session *session, const sync_heads *heads, uint64_t now_ms)
{
  coop_err err = COOP_OK;
  for (uint32_t i = 0; i < heads->count && !err && session->state == SYNC_SESSION_OPEN; i++) {
    ledger_checkpoint head;
    sync_heads_checkpoint(heads, i, &head);
    err = handle_head(session, &head, now_ms);
  }
  return err;
}

/* Failures of this node's own store (locked, disk full, out of memory):
 * the batch may be perfectly good, so they must not read as the peer's
 * fault. */
static bool local_storage_error(coop_err err)
{
  return err == COOP_E_DB || err == COOP_E_IO || err == COOP_E_NOMEM || err == COOP_E_SCHEMA;
}

/* Says it is our problem (a BYE tells the peer so too) and ends the
 * connection: the owner's back-off, not a tight loop, decides when the
 * batch is fetched again. */
static coop_err storage_failed(sync_session *session, const sync_entries *entries,
                               const char *label, const char *problem)
{
  coop_err err = sync_session_close(session, SYNC_BYE_SHUTDOWN, "local storage error");
  (void)err; /* failing anyway */
  return session_fail(session, COOP_E_DB,
                      "%s: entries %llu..%llu of log %s not stored: this node cannot write its "
                      "database (%s); not the peer's fault",
                      session->label, (unsigned long long)entries->first_index,
                      (unsigned long long)(entries->first_index + entries->count), label,
                      problem);
}

coop_err session_handle_erasure_proof(sync_session *session, const ledger_erasure_proof *proof)
{
  const uint8_t *log_id = proof->checkpoint.log_id;
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(log_id, label);
  sync_peer_log *log = find_peer_log(session, log_id);
  if (!log || !log->asked)
    return session_fail(session, COOP_E_DECODE,
                        "%s: sent an erasure proof for log %s, which we did not ask for",
                        session->label, label);
  bool forked = false;
  coop_err err = log_forked(session, log_id, &forked);
  if (err || forked)
    return err;
  char problem[256];
  err = ledger_store_keep_erasure_proof(session->host->store, proof, wall_ms(session), problem);
  if (err == COOP_E_FORK)
    return report_fork(session, log_id);
  if (err && local_storage_error(err)) {
    coop_err closed = sync_session_close(session, SYNC_BYE_SHUTDOWN, "local storage error");
    (void)closed; /* failing anyway */
    return session_fail(session, COOP_E_DB,
                        "%s: erasure proof for log %s not kept: this node cannot write its "
                        "database (%s); not the peer's fault", session->label, label, problem);
  }
  if (err)
    return session_fail(session, err, "%s: erasure proof for log %s refused, nothing kept: %s",
                        session->label, label, problem);
  return COOP_OK;
}

coop_err session_handle_entries(sync_session *session, const sync_entries *entries,
                                uint64_t now_ms)
{
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(entries->log_id, label);
  sync_peer_log *log = find_peer_log(session, entries->log_id);
  if (!log || !log->asked)
    return session_fail(session, COOP_E_DECODE,
                        "%s: sent entries of log %s that we did not ask for", session->label,
                        label);
  bool forked = false;
  coop_err err = log_forked(session, entries->log_id, &forked);
  if (err || forked)
    return err;
  uint64_t added = 0;
  ledger_fork_evidence fork;
  char problem[256];
  err = ledger_store_ingest(session->host->store, &entries->checkpoint, entries->first_index,
                            entries->entries, entries->count, wall_ms(session), &added, &fork,
                            problem);
  if (err == COOP_E_FORK) {
    /* The ingest rolled back, evidence row included, and handed the pair
     * back: record it on its own. */
    coop_err recorded = ledger_store_record_fork(session->host->store, &fork);
    if (recorded)
      return session_fail(session, recorded, "cannot record fork evidence: %s",
                          coop_err_message(recorded));
    return report_fork(session, entries->log_id);
  }
  if (err && local_storage_error(err))
    return storage_failed(session, entries, label, problem);
  if (err)
    return session_fail(session, err, "%s: entries %llu..%llu of log %s refused, nothing stored: %s",
                        session->label, (unsigned long long)entries->first_index,
                        (unsigned long long)(entries->first_index + entries->count), label,
                        problem);
  session->entries_received += added;
  log->progress_ms = now_ms;
  if (entries->checkpoint.size > log->peer_size)
    log->peer_size = entries->checkpoint.size;
  if (added && session->host->log_grew)
    session->host->log_grew(session->host->context, session, &entries->checkpoint);
  uint64_t size = 0;
  err = own_size(session, entries->log_id, &size);
  if (err)
    return err;
  if (log->active && size >= log->peer_size) {
    deactivate(session, log);
    session_say(session, "%s: log %s caught up at size %llu", session->label, label,
                (unsigned long long)size);
    return session_request_wanted(session, now_ms);
  }
  return COOP_OK;
}

coop_err session_expire_requests(sync_session *session, uint64_t now_ms)
{
  for (size_t i = 0; i < session->peer_log_count; i++) {
    sync_peer_log *log = &session->peer_logs[i];
    if (log->active && now_ms - log->progress_ms > SYNC_REQUEST_TIMEOUT_MS) {
      char label[LEDGER_FINGERPRINT_CHARS + 1];
      session_log_label(log->log_id, label);
      session_say(session, "%s: no entries of log %s for %u s: letting other peers fetch it",
                  session->label, label, SYNC_REQUEST_TIMEOUT_MS / 1000u);
      /* Still subscribed: entries that come late are welcome. */
      deactivate(session, log);
    }
  }
  return COOP_OK;
}

void session_release_claims(sync_session *session)
{
  for (size_t i = 0; i < session->peer_log_count; i++)
    deactivate(session, &session->peer_logs[i]);
}

/* ---- Serving the peer's requests ------------------------------------------------- */

coop_err session_handle_request(sync_session *session, const sync_request *request)
{
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(request->log_id, label);
  sync_serve_state *serve = NULL;
  for (size_t i = 0; i < session->serve_count && !serve; i++)
    if (!memcmp(session->serves[i].log_id, request->log_id, LEDGER_LOG_ID_BYTES))
      serve = &session->serves[i];
  if (serve && serve->next_index < serve->until)
    return session_fail(session, COOP_E_LIMIT,
                        "%s: asks for log %s again while entries %llu..%llu are still being "
                        "sent (request flood)",
                        session->label, label, (unsigned long long)serve->next_index,
                        (unsigned long long)serve->until);
  if (!serve && !session->serves) {
    session->serves = coop_calloc(SYNC_SERVES_MAX, sizeof *session->serves);
    if (!session->serves)
      return session_fail(session, COOP_E_NOMEM, "out of memory");
  }
  if (!serve) {
    if (session->serve_count == SYNC_SERVES_MAX)
      return session_fail(session, COOP_E_LIMIT, "%s: asks for more than %u logs (request flood)",
                          session->label, SYNC_SERVES_MAX);
    serve = &session->serves[session->serve_count++];
    memcpy(serve->log_id, request->log_id, LEDGER_LOG_ID_BYTES);
  }
  serve->next_index = request->from_index;
  serve->until = 0;
  serve->max_entries = request->max_entries;
  bool forked = false;
  coop_err err = log_forked(session, request->log_id, &forked);
  if (err || forked)
    return err;
  ledger_checkpoint latest;
  err = accepts(session, request->log_id)
            ? ledger_store_checkpoint_latest(session->host->store, request->log_id, &latest)
            : COOP_E_NOT_FOUND;
  if (err == COOP_E_NOT_FOUND) {
    session_say(session, "%s: asks for log %s, which we do not hold", session->label, label);
    return COOP_OK;
  }
  if (err)
    return session_fail(session, err, "cannot read the store: %s", coop_err_message(err));
  serve->until = latest.size;
  return COOP_OK;
}

void session_extend_serves(sync_session *session, const ledger_checkpoint *latest)
{
  for (size_t i = 0; i < session->serve_count; i++)
    if (!memcmp(session->serves[i].log_id, latest->log_id, LEDGER_LOG_ID_BYTES) &&
        latest->size > session->serves[i].until)
      session->serves[i].until = latest->size;
}

bool session_serving(const sync_session *session)
{
  for (size_t i = 0; i < session->serve_count; i++)
    if (session->serves[i].next_index < session->serves[i].until)
      return true;
  return false;
}

typedef struct batch_reader {
  sync_session *session;
  size_t count, limit;
} batch_reader;

/* Copies entries into the scratch buffer (reserved up front, so the pointers
 * stay put) until `limit` entries or the byte limit; a non-OK return stops
 * the walk, and COOP_E_LIMIT here only means "batch full". */
static coop_err read_batch_entry(void *context, const ledger_stored_entry *entry)
{
  batch_reader *reader = context;
  coop_buf *scratch = &reader->session->scratch;
  if (reader->count == reader->limit)
    return COOP_E_LIMIT;
  /* An erased entry travels as its header and payload hash (its leaf hash
   * needs nothing else): the payload is gone, never sent again. */
  size_t carried = entry->erased ? LEDGER_HASH_BYTES : entry->payload_bytes;
  /* reader->count + 1: a form byte per entry, in case the batch goes as
   * ENTRIES_ERASED (sync/wire.h). */
  if (scratch->len + reader->count + 1 + LEDGER_ENTRY_HEADER_BYTES + carried >
      SYNC_BATCH_BYTES_MAX)
    return COOP_E_LIMIT;
  ledger_ingest_entry *out = &reader->session->sent_entries[reader->count++];
  out->header = scratch->data + scratch->len;
  memcpy(scratch->data + scratch->len, entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  scratch->len += LEDGER_ENTRY_HEADER_BYTES;
  const uint8_t *carried_bytes = entry->erased ? entry->payload_hash : entry->payload;
  uint8_t *copy = scratch->data + scratch->len;
  memcpy(copy, carried_bytes, carried);
  scratch->len += carried;
  out->payload = entry->erased ? NULL : copy;
  out->payload_hash = entry->erased ? copy : NULL;
  return COOP_OK;
}

/* Reads up to reader->limit entries from the serve's cursor (and the byte
 * limit) and finds the largest (or smallest) stored checkpoint among them.
 * COOP_E_NOT_FOUND when there is none. */
static coop_err read_batch(sync_session *session, const sync_serve_state *serve,
                           batch_reader *reader, bool smallest, ledger_checkpoint *checkpoint)
{
  coop_buf_reset(&session->scratch);
  coop_err err = ledger_store_entries(session->host->store, serve->log_id, serve->next_index,
                                      read_batch_entry, reader);
  if (err && err != COOP_E_LIMIT)
    return err;
  return ledger_store_checkpoint_within(session->host->store, serve->log_id, serve->next_index,
                                        serve->next_index + reader->count, smallest, checkpoint);
}

/* An erasure the batch's receiver cannot have yet goes right before it. */
static coop_err queue_proof(void *context, const ledger_erasure_proof *proof)
{
  sync_session *session = context;
  return session_queued(session, sync_encode_erasure_proof(&session->plain_out, proof), true);
}

/* One ENTRIES message for one request: the entries from next_index up to
 * the largest stored checkpoint that fits the batch limits. */
static coop_err serve_batch(sync_session *session, sync_serve_state *serve)
{
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  session_log_label(serve->log_id, label);
  if (!session->sent_entries) {
    session->sent_entries = coop_malloc(SYNC_BATCH_ENTRIES_MAX * sizeof *session->sent_entries);
    if (!session->sent_entries)
      return session_fail(session, COOP_E_NOMEM, "out of memory");
  }
  coop_buf_reset(&session->scratch);
  coop_err err = coop_buf_grow(&session->scratch, SYNC_BATCH_BYTES_MAX);
  if (err)
    return session_fail(session, err, "out of memory");
  uint64_t want = serve->until - serve->next_index;
  batch_reader reader = {.session = session,
                         .limit = want < serve->max_entries ? (size_t)want : serve->max_entries};
  ledger_checkpoint checkpoint;
  err = read_batch(session, serve, &reader, false, &checkpoint);
  if (err == COOP_E_NOT_FOUND && reader.count == reader.limit &&
      reader.limit < want && reader.limit < SYNC_BATCH_ENTRIES_MAX) {
    /* The requester's max ends before the next checkpoint: send up to the
     * smallest checkpoint above, if it fits one batch (a small max never
     * stalls a log). */
    reader = (batch_reader){.session = session,
                            .limit = want < SYNC_BATCH_ENTRIES_MAX ? (size_t)want
                                                                   : SYNC_BATCH_ENTRIES_MAX};
    err = read_batch(session, serve, &reader, true, &checkpoint);
  }
  if (err == COOP_E_NOT_FOUND) {
    session_say(session,
                "%s: cannot send log %s from entry %llu: no checkpoint within one batch of it; "
                "the peer must get it another way (coop log export)",
                session->label, label, (unsigned long long)serve->next_index);
    serve->until = serve->next_index; /* stop serving it on this connection */
    return COOP_OK;
  }
  if (err)
    return session_fail(session, err, "cannot read log %s: %s", label, coop_err_message(err));
  size_t count = (size_t)(checkpoint.size - serve->next_index);
  err = ledger_store_erasure_proofs(session->host->store, serve->log_id, serve->next_index,
                                    session->sent_entries, count, queue_proof, session);
  if (err)
    return session->state == SYNC_SESSION_OPEN
               ? session_fail(session, err, "cannot prove the erasures of log %s: %s", label,
                              coop_err_message(err))
               : err;
  err = session_queued(session,
                       sync_encode_entries(&session->plain_out, serve->log_id,
                                           serve->next_index, session->sent_entries, count,
                                           &checkpoint),
                       true);
  if (err)
    return err;
  serve->next_index = checkpoint.size;
  session->entries_sent += count;
  return COOP_OK;
}

coop_err session_serve(sync_session *session, size_t queued_bytes, uint64_t now_ms)
{
  (void)now_ms;
  bool progress = true;
  while (progress && session->state == SYNC_SESSION_OPEN) {
    progress = false;
    for (size_t i = 0; i < session->serve_count; i++) {
      if (queued_bytes + session->plain_out.len >= SYNC_SEND_WATERMARK_BYTES)
        return COOP_OK;
      sync_serve_state *serve = &session->serves[i];
      if (serve->next_index >= serve->until)
        continue;
      coop_err err = serve_batch(session, serve);
      if (err)
        return err;
      progress = true;
    }
  }
  return COOP_OK;
}
