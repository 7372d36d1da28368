/* Private header of node/: the books session shared by books.c and
 * statements.c.  A session is one transaction in which entries are checked
 * against the derived tables, applied to them at once (so later checks in
 * the same session see them), and appended in batches. */
#ifndef COOP_NODE_BOOKS_INT_H
#define COOP_NODE_BOOKS_INT_H

#include "ledger/base/buffer.h"
#include "node/books.h"

#include "ledger/books/books_index.h"

#define SESSION_BATCH 1000u

typedef struct books_session {
  node *node;
  char *message;
  uint8_t books_audience[LEDGER_AUDIENCE_ID_BYTES];
  uint64_t base_size; /* log size before the pending entries */
  size_t pending;
  size_t batch_bytes; /* headers and sealed payloads pending */
  uint16_t kinds[SESSION_BATCH];
  uint8_t audiences[SESSION_BATCH][LEDGER_AUDIENCE_ID_BYTES];
  size_t offsets[SESSION_BATCH];
  size_t lengths[SESSION_BATCH];
  coop_buf payloads;
  node_months months; /* read at the start: a session closes no month records use */
  /* A month close's records and statements: their rows held and written
   * once, sorted, at the end of the session (books_session_hold); NULL
   * when entries are applied as they are added. */
  ledger_books_bulk *held;
  /* A close's preview: every statement computed is shown here (and the
   * session is rolled back). */
  node_statement_visitor preview;
  void *preview_context;
} books_session;

/* The keys of the node's own audiences for the books' indexer
 * (ledger_books_catch_up, _check, _rebuild): its key ring, node_keys. */
ledger_books_keys books_own_keys(node *self);

/* printf into message, returning err. */
coop_err books_say(char message[NODE_MESSAGE_BYTES], coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The message for a failed catch-up (or check) of the derived tables:
 * names the entry or the difference and says what to run.  Returns err. */
coop_err books_catch_up_failed(node *self, char message[NODE_MESSAGE_BYTES], coop_err err);

/* The books open and up to date, then books_session_begin: where most
 * changes start. */
coop_err books_ready_and_begin(node *node, char message[NODE_MESSAGE_BYTES],
                               books_session **session);

/* Begins the transaction and brings the derived tables up to date. */
coop_err books_session_begin(node *node, char message[NODE_MESSAGE_BYTES],
                             books_session **session);
/* From here on the session holds the rows of the records and statements it
 * adds and writes them at its end (or before an entry of another kind is
 * applied): for a session that reads no record or statement back from the
 * tables after adding them, as the month close (it reads its own log). */
coop_err books_session_hold(books_session *session);
/* Applies and queues an entry (audience_id NULL: public). */
coop_err books_session_add(books_session *session, uint16_t kind, const uint8_t *audience_id,
                           const coop_buf *plain);
/* Appends what is queued. */
coop_err books_session_flush(books_session *session);
/* Commits when err is COOP_OK, else rolls back; frees the session. */
coop_err books_session_end(books_session *session, coop_err err);

/* The coop's own log as a month close reads it (node/statements.c): the
 * view kept on the node since its last close, extended with what was
 * appended since, or read whole.  One view serves the due reissues and the
 * month's statements. */
typedef struct books_close_view books_close_view;
/* Takes the node's kept view (or reads one) up to the session's log size;
 * nothing may be pending.  On failure *view is NULL. */
coop_err books_close_view_begin(books_session *session, books_close_view **view);
/* Reads into `view` what the session appended since (flushed first). */
coop_err books_close_view_catch_up(books_session *session, books_close_view *view);
/* Gives `view` back to the node for its next close when the close
 * `committed`; frees it otherwise (it may hold entries rolled back). */
void books_close_view_end(node *self, books_close_view *view, bool committed);
void books_close_view_free(books_close_view *view);
/* Frees the view kept on the node (node_close), first writing it to the
 * close view file when a close kept it since the file was last written
 * (node/close_view_file.h). */
void node_close_view_free(node *self);

/* Computes, appends and books the statements of every active member for a
 * month being closed, from `view` (node/statements.c). */
coop_err books_statements_for_period(books_session *session, books_close_view *view,
                                     uint32_t period);
/* Adds the statements and profit splits books_statements_for_period wrote
 * to `view` without reading them back, once appended (the session flushed):
 * the next close reads the log from the entry after them.  False when the
 * view cannot be kept (out of memory, a leaf hash not read). */
bool books_close_view_add_written(books_session *session, books_close_view *view);

/* Computes a member's statement for a closed month again (with the rule
 * sets this node holds now) and appends it naming the one it replaces,
 * then every later closed month of hers that changes; the differences of
 * the profit split are booked on `split_date` (in the open month).
 * node/statements.c. */
coop_err books_statement_reissue(books_session *session, const char *member_id, uint32_t period,
                                 uint32_t split_date, node_reissue_list *done);

/* Reissues every closed month that is due (node_statement_reissue's
 * cascade from each member's earliest), before a close, as `view` reads
 * the log.  Skipped when nothing after the last close's entry can have
 * made a month due. */
coop_err books_reissue_due(books_session *session, const books_close_view *view,
                           uint32_t split_date, node_reissue_list *done);

/* The first member (in the log's order) with a statement due for a reissue
 * in a month up to `through` (YYYYMM), and that month; *period 0: none. */
coop_err books_reissue_due_through(books_session *session, uint32_t through,
                                   char member_id[LEDGER_MEMBER_ID_CHARS + 1], uint32_t *period);

#endif
