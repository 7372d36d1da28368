/* The municipality's audit tables: what it has read of each coop log it
 * judges (members with their residences, details and status facts; records
 * reduced to what a month uses; statements; closed months; erasures), how
 * far (the indexed size), and the verdicts of its own log - so judging a
 * new statement reads the new entries and its month's rows, not the whole
 * log again, and the report reads one month.
 *
 * The tables are a cache of verified signed entries, like the coop's books
 * (ledger/books/books_index.h): filled by log_view's own fold (node/log_view.h)
 * over the entries past the indexed size, checked by `coop verify` against
 * a fold of the log from scratch, dropped and refilled by `coop rebuild`,
 * and dropped and refilled when AUDIT_INDEX_VERSION changes.  They hold
 * plaintext of sealed entries, so they live only in the node's own
 * database (mode 0600).  They have their own version number in
 * audit_state, not a migration of the database schema: a cache is never
 * migrated, it is rebuilt. */
#ifndef COOP_NODE_AUDIT_INDEX_H
#define COOP_NODE_AUDIT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/books/statement.h"
#include "node/keyring.h"
#include "node/log_view.h"
#include "node/node.h"

/* Version 1: audit_logs, audit_members, audit_audiences, audit_records,
 * audit_statements, audit_closed, audit_erased, audit_unread,
 * audit_verdicts, audit_state.  Version 2: audit_statements keeps each
 * statement's plaintext payload (opened when its log is indexed), so
 * judging reads neither it nor its previous statement from the log, and
 * audit_records is keyed by month (no second index).  Version 3: every
 * table names a log by a number, audit_logs.log_no, where it held its
 * 32-byte id (audit_verdicts still by id: a verdict names its coop log,
 * which need not be indexed yet). */
#define AUDIT_INDEX_VERSION 3

/* Brings the tables up to date with every log the node holds (creating
 * them, or dropping and refilling them at another version), one write
 * transaction per log (each leaves the tables whole: a log's rows with its
 * indexed size): an erasure in the node's own log starts every table over;
 * each other log is read from its indexed size on (from 0 when a new entry
 * changes how earlier ones read: log_view_extend); then the own log's new
 * verdicts.  COOP_E_BOOKS_MISMATCH (ledger_store_problem says what) when
 * the tables are ahead of a log: run 'coop rebuild'. */
COOP_MUST_USE coop_err audit_index_update(node *node, node_key_ring *ring);

/* The verdicts the caller has just appended to the own log, entries
 * from .. from + count - 1 in this order, inside its still open write
 * transaction: their rows from the payloads it sealed, so the tables need
 * not open them again.  Only when the tables had read the own log up to
 * `from`; otherwise the next update reads them. */
typedef struct audit_index_verdict_row {
  const uint8_t *coop_log; /* LEDGER_LOG_ID_BYTES */
  uint64_t statement_index;
  bool dispute;
  const uint8_t *payload;
  size_t payload_bytes;
} audit_index_verdict_row;
COOP_MUST_USE coop_err audit_index_own_verdicts(node *node, uint64_t from,
                                                const audit_index_verdict_row *rows,
                                                size_t count);
/* The same through `store`, a second connection to the node's database
 * (audit_index_connection) whose write transaction holds the appends. */
COOP_MUST_USE coop_err audit_index_own_verdicts_in(ledger_store *store, uint64_t from,
                                                   const audit_index_verdict_row *rows,
                                                   size_t count);

/* Whether a full re-audit uses a second thread.  AUTO (the default):
 * when a core is free for it (the load average below the cores less
 * one): on a busy machine the second thread took more CPU for no less
 * wall time (docs/performance.md, fifth pass).  ON and OFF: a
 * process-wide switch for the tests and the benchmark, whatever the load;
 * the rows and verdicts are the same either way. */
enum { AUDIT_THREADS_AUTO = 0, AUDIT_THREADS_ON = 1, AUDIT_THREADS_OFF = 2 };
void audit_index_threads(int mode);
bool audit_index_threads_on(void);

/* A second connection to the node's database, for a thread of its own
 * (a store handle belongs to one thread): the full re-audit's writers.
 * The caller closes it with ledger_store_close. */
COOP_MUST_USE coop_err audit_index_connection(node *node, ledger_store **store);

/* Drops every audit table's rows and refills them from the logs, one
 * transaction per log as audit_index_update (stopped midway, the next
 * update goes on from there).  *entries (may be NULL) is the number of
 * entries read. */
COOP_MUST_USE coop_err audit_index_rebuild(node *node, uint64_t *entries);

/* Compares the tables with a fold of each log from scratch up to its
 * indexed size, and the verdicts with the own log's; also that every
 * statement a judged mark covers has a verdict.  COOP_OK when they agree
 * (or there are none), COOP_E_BOOKS_MISMATCH with the first difference in
 * ledger_store_problem.  Writes nothing. */
COOP_MUST_USE coop_err audit_index_check(node *node);

/* A view of `log_id` from the tables: members, statements, closed months
 * and erasures, and the records of the months in periods[0..count) (NULL:
 * every record; count 0: none).  COOP_E_NOT_FOUND when the log is not indexed. */
COOP_MUST_USE coop_err audit_index_view(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        const uint32_t *periods, size_t count, log_view *view);

/* Adds the records of the months in periods[0..count) to `view`, read by
 * audit_index_view without records (count 0), so the members and
 * statements are not read twice.  On failure free the view. */
COOP_MUST_USE coop_err audit_index_add_records(node *node, log_view *view,
                                               const uint32_t *periods, size_t count);

/* Only what every other part of a view rests on: members (with
 * residences, details and facts), closed months, erasures. */
COOP_MUST_USE coop_err audit_index_skeleton(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                            log_view *view);

/* Plaintext statements of one coop log as the tables keep them, for
 * judging without opening their entries again: statement items[i].index
 * in bytes.data[items[i - 1].end, items[i].end) (from 0 for the first),
 * indexes ascending.  The caller owns it; audit_index_texts_free wipes
 * and frees it. */
typedef struct audit_index_texts {
  struct audit_index_text_item {
    uint64_t index;
    size_t end;
  } *items;
  size_t count, capacity;
  coop_buf bytes;
} audit_index_texts;

/* Loads the statements wanted[0..count) (sorted, unique) of `log_id` that
 * the tables hold (one query over their range; an index not there is left
 * out: audit_index_text says so).  *texts is initialised here. */
COOP_MUST_USE coop_err audit_index_texts_load(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                              const uint64_t *wanted, size_t count,
                                              audit_index_texts *texts);

/* The plaintext of statement `index`, false when not loaded. */
bool audit_index_text(const audit_index_texts *texts, uint64_t index, const uint8_t **bytes,
                      size_t *count);
void audit_index_texts_free(audit_index_texts *texts);

/* What audit_index_update_keeping read of the logs it indexed from 0:
 * each log's whole view (members, records, statements) and its
 * statements' plaintext, equal to what the tables now hold of it, so a
 * judge in the same run need not read them back.  Bounded by bytes_max
 * (set by the caller; a log past it is not kept); the caller owns it and
 * frees it with audit_index_kept_free. */
/* What an audit keeps in memory: a first audit of 50 coops of 200 members
 * over 11 months keeps about 100 MiB (peak RSS 232 MB against 129 MB
 * reading rows back, docs/performance.md); past this bound a log's rows
 * are read back from the tables as before, so memory stays bounded
 * whatever the municipality holds. */
#define AUDIT_KEPT_BYTES_MAX (256u * 1024u * 1024u)

typedef struct audit_index_kept_log {
  log_view view;
  audit_index_texts texts;
  uint64_t indexed_size;
} audit_index_kept_log;
typedef struct audit_index_kept {
  audit_index_kept_log *logs;
  size_t count, capacity;
  size_t bytes, bytes_max;
} audit_index_kept;

/* audit_index_update, keeping in `kept` the logs it reads from 0 (a first
 * audit, new tables, new logs).  On failure `kept` is freed. */
COOP_MUST_USE coop_err audit_index_update_keeping(node *node, node_key_ring *ring,
                                                  audit_index_kept *kept);
/* The kept log `log_id`, or NULL. */
audit_index_kept_log *audit_index_kept_find(audit_index_kept *kept,
                                            const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
void audit_index_kept_free(audit_index_kept *kept);

/* The indexed size of `log_id` and its judged mark: the size at which each
 * of its `ours` statements had a verdict (0: none). */
typedef struct audit_index_log {
  uint64_t indexed_size, judged_size, ours;
} audit_index_log;
COOP_MUST_USE coop_err audit_index_log_state(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                             audit_index_log *state);
COOP_MUST_USE coop_err audit_index_mark_judged(node *node,
                                               const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                               uint64_t size, uint64_t ours);

/* The statements of `coop_log` with a verdict in the own log, sorted
 * (*indexes: the caller frees it). */
COOP_MUST_USE coop_err audit_index_judged(node *node, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                          uint64_t **indexes, size_t *count);

/* The verdicts in the own log on statement `statement_index` of
 * `coop_log`, in log order. */
typedef coop_err (*audit_index_verdict_visitor)(void *context, const ledger_verdict *verdict,
                                                bool dispute, uint64_t index);
COOP_MUST_USE coop_err audit_index_verdicts(node *node, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                            uint64_t statement_index,
                                            audit_index_verdict_visitor visitor, void *context);

#endif
