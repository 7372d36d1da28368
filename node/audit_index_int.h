/* Private header of node/: what the audit tables' three files share.
 * audit_index.c holds the tables (schema, a log's rows written and read
 * back, catching up, the own log's verdicts, lookups); the full re-audit's
 * two threads (audit_index_threads.c) and `coop verify`'s check
 * (audit_index_check.c) use its helpers below.  node/audit_index.h stays
 * the one public header: nothing outside these files includes this one. */
#ifndef COOP_NODE_AUDIT_INDEX_INT_H
#define COOP_NODE_AUDIT_INDEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/store/store_sql.h"
#include "node/audit_index.h"

/* ---- The schema (audit_index.c) ------------------------------------------------------- */

/* Every audit table, audit_state last. */
extern const char *const index_table_names[];
/* The tables with a row per log: rows of a log the index does not know are damage. */
#define PER_LOG_TABLES 8u

/* COOP_E_BOOKS_MISMATCH, `what` named in ledger_store_problem. */
coop_err index_damaged(ledger_store *store, const char *what);
/* A value of audit_state (0 when not there). */
coop_err index_state_get(ledger_store *store, const char *name, int64_t *value);
bool index_tables_present(ledger_store *store, bool *present);

/* ---- A member as one row, statements' plaintext (audit_index.c) ------------------------ */

coop_err index_put_text(coop_buf *out, const char *text);
coop_err index_member_encode(const log_member *who, coop_buf *out);
void index_texts_init(audit_index_texts *texts);
coop_err index_extend_with_texts(node_key_ring *ring, log_view *view, uint64_t from,
                                 uint64_t size, audit_index_texts *texts, bool *reread);

/* ---- A log's rows written and read back (audit_index.c) ------------------------------- */

/* What each member's row held before the new entries, to write only the
 * members they changed: a hash of her encoded row, by position. */
typedef struct member_digests {
  uint8_t (*items)[16];
  size_t count;
} member_digests;

coop_err index_write_log(ledger_store *store, const log_view *view,
                         const audit_index_texts *texts, const member_digests *before,
                         uint64_t size, bool fresh, bool known);

bool index_blob_copy(sqlite3_stmt *row, int column, void *out, size_t bytes);

/* What index_read_view reads besides the skeleton (flags). */
enum { READ_SKELETON = 0, READ_STATEMENTS = 1, READ_RECORDS = 2 };
coop_err index_read_view(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                         int what, const uint32_t *periods, size_t count, log_view *view,
                         audit_index_log *state);

/* ---- Catching up (audit_index.c) ------------------------------------------------------ */

size_t index_kept_bytes(const log_view *view, const audit_index_texts *texts);
bool index_kept_take(audit_index_kept *kept, log_view *view, audit_index_texts *texts,
                     uint64_t size);

/* ---- Every log from 0 on two threads (audit_index_threads.c) -------------------------- */

coop_err index_all_from_zero(node *self, node_key_ring *ring,
                             uint8_t (*ids)[LEDGER_LOG_ID_BYTES], size_t count,
                             audit_index_kept *kept, uint64_t *entries, bool *started);

/* ---- The own log's verdicts (audit_index.c) ------------------------------------------- */

/* The logs `audience` may be of (a coop could reuse another's audience id). */
typedef coop_err (*grantors_of)(void *context, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES],
                                uint8_t (**logs)[LEDGER_LOG_ID_BYTES], size_t *count);

typedef coop_err (*verdict_sink)(void *context, const ledger_verdict *verdict, bool dispute,
                                 uint64_t index, const uint8_t *plain, size_t plain_bytes);

/* A walk over the own log's verdicts: the update writes them to the
 * table, the check compares them with it. */
typedef struct verdict_walk {
  node_key_ring *ring;
  grantors_of grantors;
  void *grantors_context;
  verdict_sink sink;
  void *sink_context;
  uint64_t to;
  uint8_t *plain;
  bool erasure; /* an erasure in the range */
} verdict_walk;

coop_err index_walk_verdicts(node *self, verdict_walk *walk, uint64_t from);

#endif
