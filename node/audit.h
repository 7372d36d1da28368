/* The audit loop, municipality side: every statement a coop wrote for one of
 * this municipality's residents is recomputed from the coop's own entries
 * (the member's records and status, the previous statement's carried state)
 * with the municipality's own copy of the rule set the statement names, and
 * answered in the municipality's log with an acknowledgement (kind 20) or a
 * dispute (kind 21) sealed to the member's audience.  And the reading side:
 * the verdict on a statement, for the coop, the member and reports.
 *
 * Everything is derived from logs the node holds; nothing here trusts the
 * coop's arithmetic. */
#ifndef COOP_NODE_AUDIT_H
#define COOP_NODE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/books/statement.h"
#include "ledger/log/checkpoint.h"
#include "node/node.h"

typedef struct node_audit_summary {
  size_t statements_seen;   /* statements of our residents found in coop logs */
  size_t acknowledged;      /* verdicts appended by this run */
  size_t disputed;
  size_t already_judged;
  unsigned erasures_followed; /* erasure entries appended after a coop's (node/erase.h) */
  size_t logs_unchanged;      /* skipped: judged completely at this size before (incremental) */
} node_audit_summary;

/* Judges every statement not judged yet (municipality nodes only:
 * COOP_E_USAGE otherwise) and appends the verdicts in one batch.  Reads
 * the audit tables (node/audit_index.h), brought up to date first: a log
 * judged completely at its size costs nothing, one that grew its new
 * entries and the months of its new statements. */
COOP_MUST_USE coop_err node_audit_run(node *node, node_audit_summary *summary,
                                      char message[NODE_MESSAGE_BYTES]);

/* The verdicts a run would append, each with the statement it judges and
 * its payload as it would be sealed, without appending anything (the
 * audit tables are brought up to date).  For tests: the same run from the
 * tables and from scratch must give the same bytes. */
typedef coop_err (*node_audit_verdict_visitor)(void *context,
                                               const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                               uint64_t statement_index, bool dispute,
                                               const uint8_t *payload, size_t payload_bytes);
COOP_MUST_USE coop_err node_audit_preview(node *node, node_audit_verdict_visitor visitor,
                                          void *context, char message[NODE_MESSAGE_BYTES]);

/* Judging and reports read the municipality's audit tables
 * (node/audit_index.h); `on` makes this node read every coop log whole
 * instead, as before them: the path the tables must equal (tests and
 * bench/bench_statements).  Aborts without memory. */
void node_audit_from_scratch(node *node, bool on);

typedef enum node_audit_status {
  NODE_AUDIT_MISSING = 1,      /* month closed, income recorded, no statement */
  NODE_AUDIT_PENDING = 2,      /* a statement, not judged yet */
  NODE_AUDIT_ACKNOWLEDGED = 3,
  NODE_AUDIT_DISPUTED = 4,
  NODE_AUDIT_OPEN = 5,         /* income recorded, month not closed yet */
  NODE_AUDIT_REISSUE_DUE = 6,  /* a later entry changed the month: the coop must reissue */
} node_audit_status;

const char *node_audit_status_name(int status);

/* One resident's month, for `coop audit report`. */
typedef struct node_audit_row {
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char coop_name[COOP_NAME_BYTES_MAX + 1];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  int status; /* node_audit_status */
  bool has_statement;
  uint64_t statement_index;
  ledger_offset_statement figures; /* the statement's, when there is one */
  ledger_verdict verdict;          /* the dispute, when disputed */
  int verdict_status;              /* the statement's own verdict (a status) */
  uint64_t reissue_cause;          /* reissue due: the entry that changed the month */
  /* With a statement: the whole statement (valid during the visit only)
   * and, from node_audit_report_states, the engine's state before its
   * month (what the previous statement carried), so a rule set can be
   * tried on the same month. */
  const ledger_statement_payload *statement;
  ledger_offset_state state_before;
} node_audit_row;

typedef coop_err (*node_audit_row_visitor)(void *context, const node_audit_row *row);

/* One row per resident of this municipality with a statement or income in
 * `period` (YYYYMM), per coop log held.  Municipality nodes only. */
COOP_MUST_USE coop_err node_audit_report(node *node, uint32_t period,
                                         node_audit_row_visitor visitor, void *context,
                                         char message[NODE_MESSAGE_BYTES]);

/* The same, each row with its state_before (one more statement read a
 * row: for trying a rule set, node/rules.h). */
COOP_MUST_USE coop_err node_audit_report_states(node *node, uint32_t period,
                                                node_audit_row_visitor visitor, void *context,
                                                char message[NODE_MESSAGE_BYTES]);

/* The verdict on one statement of `coop_log`, looked up in every other log
 * held (the municipality's), read with this node's keys: *status is
 * NODE_AUDIT_PENDING when none is found, else ACKNOWLEDGED or DISPUTED with
 * *verdict filled (and the verdict's own log and index, for receipts). */
typedef struct node_verdict_found {
  int status;
  ledger_verdict verdict;
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t index;
} node_verdict_found;

COOP_MUST_USE coop_err node_verdict_for(node *node, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                        uint64_t statement_index, node_verdict_found *found);

/* Statement `index` of `coop_log`, opened with this node's keys (the coop's
 * own, or those granted to it): for following a reissue's `corrects` back
 * through the history.  COOP_E_NO_KEY when this node cannot open it. */
COOP_MUST_USE coop_err node_statement_read(node *node, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                                           uint64_t index, ledger_statement_payload *out);

/* ---- Coop and member side ---------------------------------------------------------- */

/* A statement with a dispute, as this node can read it. */
typedef struct node_dispute_row {
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];
  uint32_t period;
  uint64_t statement_index;
  ledger_statement_payload *statement; /* the coop's (valid during the callback) */
  node_verdict_found found;            /* the dispute and where it is */
  bool open;                           /* no later statement of the month acknowledged */
} node_dispute_row;

typedef coop_err (*node_dispute_visitor)(void *context, const node_dispute_row *row);

/* Every disputed statement this node can read (a coop: its own; a member:
 * their own; a municipality: its residents'), oldest first. */
COOP_MUST_USE coop_err node_disputes(node *node, node_dispute_visitor visitor, void *context);

/* One month of a member's own view (`coop member view`). */
typedef struct node_member_month {
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char coop_name[COOP_NAME_BYTES_MAX + 1];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char name[COOP_NAME_BYTES_MAX + 1];
  char client_ref[LEDGER_CLIENT_REF_BYTES_MAX + 1];
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  uint32_t period;
  int64_t earned_cents, costs_cents;  /* recorded revenue and costs of the month */
  int64_t budget_spent_cents;         /* spent from the development budget this month */
  size_t records_after_statement;     /* recorded after the statement: it is out of date */
  bool has_statement;
  uint64_t statement_index;
  ledger_offset_statement figures;    /* coop share, to municipality, to budget, ... */
  /* The whole statement in force (the latest for the month), valid only
   * during the visit; NULL without one. */
  const ledger_statement_payload *statement;
  node_verdict_found found;           /* the municipality's verdict */
} node_member_month;

typedef coop_err (*node_member_month_visitor)(void *context, const node_member_month *month);

/* The months of every member whose data this node can read and whose
 * enrolment names this node's key (a member's own light node), by coop log
 * and month.  On a coop node use --member instead: `member_id` selects one
 * member whose data this node can read (NULL: the member whose key this
 * node holds). */
COOP_MUST_USE coop_err node_member_months(node *node, const char *member_id,
                                          node_member_month_visitor visitor, void *context);

/* Frees what the reading side kept (node->read_cache); node_close does. */
void node_read_cache_free(node *node);
/* Several reading calls in a row (one per month of a year) read the logs
 * once: hold keeps the reading side's auditor between them, as a node
 * that serves pages always does; release puts it back as it was (hold's
 * answer).  Not for a call made from inside another's visitor. */
bool node_read_cache_hold(node *node);
void node_read_cache_release(node *node, bool was_held);
/* Frees the incremental audit's marks (node->audit_marks); node_close does. */
void node_audit_marks_free(node *node);

#endif
