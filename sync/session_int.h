/* Private to sync/session*.c: the parts of the state machine that deal with
 * logs, called from the dispatcher in session.c. */
#ifndef COOP_SYNC_SESSION_INT_H
#define COOP_SYNC_SESSION_INT_H

#include "sync/session.h"

/* Marks the session failed with a log line in session->problem; returns
 * err (COOP_E_DECODE when err is 0). */
coop_err session_fail(sync_session *session, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* One line to the host's log. */
void session_say(const sync_session *session, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* After encoding a message into plain_out: turns an encoder's error into a
 * failure; a message that is not PING/PONG/BYE resets the settle barrier. */
coop_err session_queued(sync_session *session, coop_err err, bool counts_for_barrier);
void session_log_label(const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                       char out[LEDGER_FINGERPRINT_CHARS + 1]);

coop_err session_send_greeting(sync_session *session);
coop_err session_handle_hello(sync_session *session, const sync_hello *hello);
coop_err session_handle_heads(sync_session *session, const sync_heads *heads, uint64_t now_ms);
coop_err session_handle_request(sync_session *session, const sync_request *request);
/* A proven erasure ahead of a batch (ledger_store_keep_erasure_proof). */
coop_err session_handle_erasure_proof(sync_session *session, const ledger_erasure_proof *proof);
coop_err session_handle_entries(sync_session *session, const sync_entries *entries,
                                uint64_t now_ms);
coop_err session_handle_fork(sync_session *session, const sync_fork *fork, uint64_t now_ms);

/* Sends ENTRIES for the peer's requests while fewer than the watermark's
 * bytes are queued. */
coop_err session_serve(sync_session *session, size_t queued_bytes, uint64_t now_ms);
/* True while some request of the peer's still has entries to go. */
bool session_serving(const sync_session *session);
/* The log grew: requests the peer made for it continue to the new size. */
void session_extend_serves(sync_session *session, const ledger_checkpoint *latest);
/* Sends REQUESTs for logs the peer is ahead on, as far as claims and slots
 * allow. */
coop_err session_request_wanted(sync_session *session, uint64_t now_ms);
coop_err session_expire_requests(sync_session *session, uint64_t now_ms);
/* Gives back every claim the session holds (it is going away). */
void session_release_claims(sync_session *session);

#endif
