/* The connection state machine: handshake, framing, and dispatch of
 * messages.  What the messages do to logs (heads, requests, entries, forks)
 * is in session_logs.c.  docs/protocol.md §State machine is the spec. */
#include "sync/session.h"
#include "sync/session_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"

coop_err session_fail(sync_session *session, coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(session->problem, sizeof session->problem, format, args);
  va_end(args);
  session->state = SYNC_SESSION_CLOSED;
  return err ? err : COOP_E_DECODE;
}

void session_say(const sync_session *session, const char *format, ...)
{
  if (!session->host->log)
    return;
  char line[SYNC_LINE_BYTES];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  session->host->log(session->host->context, session, line);
}

void session_log_label(const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                       char out[LEDGER_FINGERPRINT_CHARS + 1])
{
  ledger_fingerprint(log_id, out);
}

static void set_label(sync_session *session, const char *address)
{
  if (session->peer_known) {
    char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
    ledger_fingerprint(session->peer.key, fingerprint);
    snprintf(session->label, sizeof session->label, "peer %s (%s)", session->peer.name,
             fingerprint);
  } else {
    snprintf(session->label, sizeof session->label, "connection from %s",
             address ? address : "?");
  }
}

/* ---- Output ------------------------------------------------------------------ */

/* Seals what is queued in plain_out into frames in wire_out. */
static coop_err flush(sync_session *session)
{
  if (!session->plain_out.len)
    return COOP_OK;
  coop_err err = sync_transport_seal(&session->send, session->plain_out.data,
                                     session->plain_out.len, &session->wire_out);
  coop_buf_reset(&session->plain_out);
  if (err)
    return session_fail(session, err, "cannot queue output: %s (the peer does not read?)",
                        coop_err_message(err));
  return COOP_OK;
}

coop_err session_queued(sync_session *session, coop_err err, bool counts_for_barrier)
{
  if (err)
    return session_fail(session, err, "cannot queue a message: %s", coop_err_message(err));
  if (counts_for_barrier) {
    session->messages_sent++;
    session->barrier_passed = false;
  }
  return COOP_OK;
}

static coop_err send_ping(sync_session *session)
{
  randombytes_buf(&session->ping_nonce, sizeof session->ping_nonce);
  session->ping_outstanding = true;
  session->ping_sent_after = session->messages_sent;
  return session_queued(session, sync_encode_ping(&session->plain_out, session->ping_nonce),
                        false);
}

/* ---- Handshake --------------------------------------------------------------- */

static coop_err write_handshake(sync_session *session)
{
  uint8_t message[SYNC_HANDSHAKE_MESSAGE_2_BYTES];
  size_t bytes = 0;
  coop_err err = sync_noise_write_message(&session->handshake, NULL, 0, message, sizeof message,
                                          &bytes);
  if (!err)
    err = sync_frame_encode(&session->wire_out, message, bytes);
  if (err)
    return session_fail(session, err, "handshake: cannot write message: %s",
                        coop_err_message(err));
  return COOP_OK;
}

static coop_err open_session(sync_session *session, uint64_t now_ms)
{
  coop_err err = sync_noise_split(&session->handshake, &session->send, &session->receive);
  if (err)
    return session_fail(session, err, "handshake: cannot split: %s", coop_err_message(err));
  session->state = SYNC_SESSION_OPEN;
  session->last_received_ms = now_ms;
  session_say(session, "%s: handshake done", session->label);
  err = session_send_greeting(session);
  return err ? err : flush(session);
}

/* The initiator checks it reached the node it dialed; the responder checks
 * the initiator is on the allowlist.  A refused peer is told nothing: the
 * connection just closes, and only our log says why. */
static coop_err check_remote(sync_session *session)
{
  uint8_t remote[SYNC_NOISE_KEY_BYTES];
  coop_err err = session->noise_role == SYNC_NOISE_INITIATOR
                     ? sync_noise_remote_static_early(&session->handshake, remote)
                     : sync_noise_remote_static(&session->handshake, remote);
  if (err)
    return session_fail(session, err, "%s: handshake: no remote key", session->label);
  char presented[2 * SYNC_NOISE_KEY_BYTES + 1];
  ledger_hex_encode(remote, sizeof remote, presented);
  if (session->noise_role == SYNC_NOISE_INITIATOR) {
    if (sodium_memcmp(remote, session->peer.noise_key, sizeof remote))
      return session_fail(session, COOP_E_BAD_INPUT,
                          "%s: refused: the node at that address presented static key %.16s..., "
                          "not this peer's key (wrong address or impersonation)",
                          session->label, presented);
    return COOP_OK;
  }
  sync_peer peer;
  if (!session->host->find_peer || !session->host->find_peer(session->host->context, remote, &peer))
    return session_fail(session, COOP_E_PERMISSIONS,
                        "%s: refused: static key %.16s... is not on the allowlist "
                        "(add it with 'coop peer add')",
                        session->label, presented);
  session->peer = peer;
  session->peer_known = true;
  set_label(session, NULL);
  return COOP_OK;
}

/* The size of the handshake message the session reads next (each has one
 * fixed size), 0 once there is none. */
static size_t handshake_frame_bytes(const sync_session *session)
{
  static const size_t expected[3] = {SYNC_HANDSHAKE_MESSAGE_1_BYTES,
                                     SYNC_HANDSHAKE_MESSAGE_2_BYTES,
                                     SYNC_HANDSHAKE_MESSAGE_3_BYTES};
  size_t index = session->handshake.message_index;
  return session->state == SYNC_SESSION_HANDSHAKE && index < 3 ? expected[index] : 0;
}

static coop_err handshake_size_problem(sync_session *session, size_t bytes)
{
  return session_fail(session, COOP_E_DECODE,
                      "%s: handshake message %zu has %zu bytes, expected %zu", session->label,
                      session->handshake.message_index + 1, bytes,
                      handshake_frame_bytes(session));
}

static coop_err handle_handshake_frame(sync_session *session, const sync_frame *frame,
                                       uint64_t now_ms)
{
  size_t index = session->handshake.message_index;
  if (index > 2 || frame->data_bytes != handshake_frame_bytes(session))
    return handshake_size_problem(session, frame->data_bytes);
  uint8_t payload[16];
  size_t payload_bytes = 0;
  coop_err err = sync_noise_read_message(&session->handshake, frame->data, frame->data_bytes,
                                         payload, sizeof payload, &payload_bytes);
  if (err)
    return session_fail(session, err,
                        "%s: handshake message %zu does not verify (%s): another network, "
                        "a tampered or replayed message",
                        session->label, index + 1, coop_err_message(err));
  if (payload_bytes)
    return session_fail(session, COOP_E_DECODE, "%s: handshake payload not empty",
                        session->label);
  if (index == 1 || index == 2) {
    err = check_remote(session);
    if (err)
      return err;
  }
  if (index == 0 || index == 1) {
    err = write_handshake(session);
    if (err)
      return err;
  }
  if (sync_noise_handshake_is_complete(&session->handshake))
    return open_session(session, now_ms);
  return COOP_OK;
}

/* ---- Transport --------------------------------------------------------------- */

static coop_err handle_message(sync_session *session, const sync_raw_message *raw,
                               uint64_t now_ms)
{
  if (!session->received_entries &&
      (raw->type == SYNC_MESSAGE_ENTRIES || raw->type == SYNC_MESSAGE_ENTRIES_ERASED)) {
    session->received_entries =
        coop_malloc(SYNC_BATCH_ENTRIES_MAX * sizeof *session->received_entries);
    if (!session->received_entries)
      return session_fail(session, COOP_E_NOMEM, "out of memory");
  }
  sync_message message;
  char problem[SYNC_PROBLEM_BYTES];
  coop_err err = sync_message_decode(raw->type, raw->body, raw->body_bytes,
                                     session->received_entries,
                                     session->received_entries ? SYNC_BATCH_ENTRIES_MAX : 0,
                                     &message, problem);
  if (err == COOP_E_VERSION && raw->type == SYNC_MESSAGE_HELLO) {
    coop_err closed = sync_session_close(session, SYNC_BYE_UNSUPPORTED_VERSION, "speaks 1");
    (void)closed; /* failing anyway */
    return session_fail(session, err, "%s: speaks another protocol version (%s)",
                        session->label, problem);
  }
  if (err)
    return session_fail(session, err, "%s: %s", session->label, problem);
  if (!session->hello_received && message.type != SYNC_MESSAGE_HELLO)
    return session_fail(session, COOP_E_DECODE, "%s: first message is '%s', expected 'hello'",
                        session->label, sync_message_type_name(message.type));
  switch (message.type) {
  case SYNC_MESSAGE_HELLO:
    return session_handle_hello(session, &message.as.hello);
  case SYNC_MESSAGE_HEADS:
    return session_handle_heads(session, &message.as.heads, now_ms);
  case SYNC_MESSAGE_REQUEST:
    return session_handle_request(session, &message.as.request);
  case SYNC_MESSAGE_ENTRIES:
  case SYNC_MESSAGE_ENTRIES_ERASED:
    return session_handle_entries(session, &message.as.entries, now_ms);
  case SYNC_MESSAGE_FORK:
    return session_handle_fork(session, &message.as.fork, now_ms);
  case SYNC_MESSAGE_ERASURE_PROOF:
    return session_handle_erasure_proof(session, &message.as.erasure_proof);
  case SYNC_MESSAGE_BYE:
    session->bye_code_received = message.as.bye.reason_code;
    session_say(session, "%s: closed by peer: bye %u %s", session->label,
                (unsigned)message.as.bye.reason_code, message.as.bye.reason);
    session->state = SYNC_SESSION_CLOSED;
    return COOP_OK;
  case SYNC_MESSAGE_PING:
    return session_queued(session, sync_encode_pong(&session->plain_out, message.as.nonce),
                          false);
  case SYNC_MESSAGE_PONG:
    if (session->ping_outstanding && message.as.nonce == session->ping_nonce) {
      session->ping_outstanding = false;
      if (session->ping_sent_after == session->messages_sent)
        session->barrier_passed = true;
    }
    return COOP_OK;
  }
  return session_fail(session, COOP_E_DECODE, "%s: unexpected message", session->label);
}

static coop_err handle_transport_frame(sync_session *session, const sync_frame *frame,
                                       uint64_t now_ms)
{
  uint8_t plaintext[SYNC_NOISE_MESSAGE_BYTES_MAX];
  size_t plaintext_bytes = 0;
  coop_err err = sync_noise_decrypt(&session->receive, frame->data, frame->data_bytes, plaintext,
                                    sizeof plaintext, &plaintext_bytes);
  if (err)
    return session_fail(session, err,
                        "%s: frame %llu does not decrypt (%s): tampered, replayed or reordered",
                        session->label, (unsigned long long)session->frames.frames,
                        coop_err_message(err));
  if (!plaintext_bytes)
    return session_fail(session, COOP_E_DECODE, "%s: empty transport message", session->label);
  size_t offset = 0;
  while (offset < plaintext_bytes && session->state == SYNC_SESSION_OPEN) {
    size_t used = 0;
    bool complete = false;
    sync_raw_message raw;
    err = sync_message_reader_push(&session->messages, plaintext + offset,
                                   plaintext_bytes - offset, &used, &complete, &raw);
    if (err)
      return session_fail(session, err, "%s: %s", session->label, session->messages.problem);
    offset += used;
    if (complete) {
      err = handle_message(session, &raw, now_ms);
      if (err)
        return err;
    }
  }
  return COOP_OK;
}

/* ---- Public ------------------------------------------------------------------ */

coop_err sync_session_init(sync_session *session, const sync_host *host, const sync_peer *dialed,
                           const char *address, uint64_t now_ms)
{
  memset(session, 0, sizeof *session);
  session->host = host;
  session->state = SYNC_SESSION_HANDSHAKE;
  session->noise_role = dialed ? SYNC_NOISE_INITIATOR : SYNC_NOISE_RESPONDER;
  if (dialed) {
    session->peer = *dialed;
    session->peer_known = true;
  }
  set_label(session, address);
  session->started_ms = now_ms;
  session->last_received_ms = now_ms;
  sync_frame_reader_init(&session->frames);
  sync_message_reader_init(&session->messages);
  coop_buf_init(&session->plain_out, SYNC_SEND_QUEUE_BYTES_MAX);
  coop_buf_init(&session->wire_out, SYNC_SEND_QUEUE_BYTES_MAX + SYNC_SEND_QUEUE_BYTES_MAX / 64u);
  coop_buf_init(&session->scratch, SYNC_BATCH_BYTES_MAX);

  sync_noise_keypair keypair;
  coop_err err = sync_noise_keypair_from_ed25519(&keypair, host->identity->public_key,
                                                 host->identity->secret_key);
  uint8_t prologue[SYNC_PROLOGUE_BYTES];
  sync_prologue(host->network_id, prologue);
  sync_noise_config config = {.pattern = SYNC_NOISE_PATTERN_XX,
                              .role = session->noise_role,
                              .prologue = prologue,
                              .prologue_bytes = sizeof prologue,
                              .local_static = &keypair};
  if (!err)
    err = sync_noise_handshake_init(&session->handshake, &config);
  sync_noise_keypair_release(&keypair);
  if (!err && dialed)
    err = write_handshake(session);
  if (err) {
    sync_session_release(session);
    return err;
  }
  return COOP_OK;
}

void sync_session_release(sync_session *session)
{
  session_release_claims(session);
  sync_noise_handshake_release(&session->handshake);
  sync_noise_cipher_release(&session->send);
  sync_noise_cipher_release(&session->receive);
  sync_frame_reader_release(&session->frames);
  sync_message_reader_release(&session->messages);
  coop_buf_release(&session->plain_out);
  coop_buf_release(&session->wire_out);
  coop_buf_release(&session->scratch);
  coop_free(session->peer_logs);
  coop_free(session->serves);
  session->serves = NULL;
  coop_free(session->received_entries);
  coop_free(session->sent_entries);
  session->peer_logs = NULL;
  session->received_entries = NULL;
  session->sent_entries = NULL;
  session->state = SYNC_SESSION_CLOSED;
}

coop_err sync_session_receive(sync_session *session, const uint8_t *bytes, size_t count,
                              uint64_t now_ms)
{
  if (session->state == SYNC_SESSION_CLOSED)
    return COOP_OK; /* bytes after BYE are ignored */
  session->last_received_ms = now_ms;
  session->bytes_received += count;
  size_t offset = 0;
  coop_err err = COOP_OK;
  while (offset < count && session->state != SYNC_SESSION_CLOSED && !err) {
    size_t used = 0;
    bool complete = false;
    sync_frame frame;
    /* A stranger's handshake frame is judged by its length prefix alone,
     * before up to 64 KiB of it is buffered. */
    sync_frame_reader_expect(&session->frames, handshake_frame_bytes(session));
    err = sync_frame_reader_push(&session->frames, bytes + offset, count - offset, &used,
                                 &complete, &frame);
    if (err && session->frames.expected_bytes && session->frames.frame_bytes &&
        session->frames.frame_bytes != session->frames.expected_bytes)
      return handshake_size_problem(session, session->frames.frame_bytes);
    if (err)
      return session_fail(session, err, "%s: %s", session->label, session->frames.problem);
    offset += used;
    if (complete)
      err = session->state == SYNC_SESSION_HANDSHAKE
                ? handle_handshake_frame(session, &frame, now_ms)
                : handle_transport_frame(session, &frame, now_ms);
  }
  if (!err && session->state == SYNC_SESSION_OPEN)
    err = session_serve(session, session->socket_queued + session->wire_out.len, now_ms);
  if (!err && session->state == SYNC_SESSION_OPEN)
    err = flush(session);
  return err;
}

coop_err sync_session_pump(sync_session *session, size_t queued_bytes, uint64_t now_ms)
{
  if (session->state != SYNC_SESSION_OPEN)
    return COOP_OK;
  coop_err err = session_serve(session, queued_bytes, now_ms);
  return err ? err : flush(session);
}

coop_err sync_session_tick(sync_session *session, uint64_t now_ms)
{
  if (session->state == SYNC_SESSION_CLOSED)
    return COOP_OK;
  uint64_t silent = now_ms > session->last_received_ms ? now_ms - session->last_received_ms : 0;
  if (session->state == SYNC_SESSION_HANDSHAKE) {
    if (now_ms - session->started_ms > SYNC_HANDSHAKE_TIMEOUT_MS)
      return session_fail(session, COOP_E_LIMIT, "%s: handshake not done after %u s",
                          session->label, SYNC_HANDSHAKE_TIMEOUT_MS / 1000u);
    return COOP_OK;
  }
  if (silent > SYNC_IDLE_TIMEOUT_MS) {
    coop_err err = sync_session_close(session, SYNC_BYE_IDLE, "idle");
    session_say(session, "%s: nothing received for %llu s: closed", session->label,
                (unsigned long long)(silent / 1000u));
    return err;
  }
  coop_err err = COOP_OK;
  if (silent > SYNC_PING_AFTER_MS && !session->ping_outstanding)
    err = send_ping(session);
  if (!err)
    err = session_expire_requests(session, now_ms);
  return err ? err : flush(session);
}

coop_err sync_session_settle(sync_session *session, bool *settled)
{
  *settled = false;
  if (session->state != SYNC_SESSION_OPEN || !session->hello_received)
    return COOP_OK;
  if (session->active_count || session_serving(session))
    return COOP_OK;
  if (session->barrier_passed) {
    *settled = true;
    return COOP_OK;
  }
  if (session->ping_outstanding)
    return COOP_OK;
  coop_err err = send_ping(session);
  return err ? err : flush(session);
}

coop_err sync_session_close(sync_session *session, uint16_t code, const char *reason)
{
  if (session->state == SYNC_SESSION_CLOSED)
    return COOP_OK;
  coop_err err = COOP_OK;
  if (session->state == SYNC_SESSION_OPEN) {
    err = session_queued(session, sync_encode_bye(&session->plain_out, code, reason), false);
    if (!err)
      err = flush(session);
  }
  session->state = SYNC_SESSION_CLOSED;
  return err;
}

coop_err sync_session_announce(sync_session *session, const ledger_checkpoint *latest)
{
  if (session->state != SYNC_SESSION_OPEN)
    return COOP_OK;
  session_extend_serves(session, latest);
  coop_err err = session_queued(session, sync_encode_heads(&session->plain_out, latest, 1), true);
  return err ? err : flush(session);
}

coop_err sync_session_forward_fork(sync_session *session, const ledger_fork_evidence *evidence)
{
  if (session->state != SYNC_SESSION_OPEN)
    return COOP_OK;
  coop_err err = session_queued(
      session, sync_encode_fork(&session->plain_out, &evidence->first, &evidence->second), true);
  return err ? err : flush(session);
}

coop_err sync_session_pull(sync_session *session, uint64_t now_ms)
{
  if (session->state != SYNC_SESSION_OPEN)
    return COOP_OK;
  coop_err err = session_request_wanted(session, now_ms);
  return err ? err : flush(session);
}

bool sync_session_is_open(const sync_session *session)
{
  return session->state == SYNC_SESSION_OPEN;
}

bool sync_session_is_closed(const sync_session *session)
{
  return session->state == SYNC_SESSION_CLOSED;
}
