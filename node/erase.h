/* A member's data under the AVG: erasure by destroying her audiences
 * (crypto-shredding), the retention rule that says when it is due, and the
 * municipality following a coop's erasure in its own log.
 *
 * Erasing appends one public erasure entry (ledger/log/erasure.h) naming
 * every audience she had and the key grants that carried them, and one
 * erased-member record per day she had postings, sealed to the coop's books
 * audience: her net amounts per account, so the books still balance.  The
 * store drops the payloads in the same transaction; every node that syncs
 * the entry drops them too.  Headers, hashes and checkpoints stay: every
 * proof still verifies. */
#ifndef COOP_NODE_ERASE_H
#define COOP_NODE_ERASE_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/log/erasure.h"
#include "node/node.h"

typedef struct node_erase_request {
  const char *member_id;   /* m-xxxxxx */
  const char *reason;      /* 1..200 bytes, public: no personal data */
  bool before_retention;   /* allowed before her retention ends (court order, mistake) */
  bool retention_ended;    /* called by coop retention apply */
} node_erase_request;

typedef struct node_erase_result {
  uint64_t erasure_index;   /* the erasure entry in the coop's log */
  unsigned audiences;
  unsigned grants;
  uint64_t entries_erased;  /* payloads dropped from the own log */
  unsigned day_records;     /* erased-member records that keep her amounts */
  uint32_t left_period;     /* the month she left, 0 if she had not */
  uint32_t retention_until; /* YYYYMMDD her retention ends, 0 if she had not left */
} node_erase_result;

/* Erases a member on the coop's node.  Refused (COOP_E_RANGE) before her
 * retention ends unless before_retention; COOP_E_NOT_FOUND for an unknown
 * member; nothing changes on failure. */
COOP_MUST_USE coop_err node_member_erase(node *node, const node_erase_request *request,
                                         node_erase_result *result,
                                         char message[NODE_MESSAGE_BYTES]);

/* The day her retention ends: 1 January of the year after she left plus
 * retention_years.  0 when she has not left. */
uint32_t node_retention_end(const node *node, uint32_t left_period);

typedef struct node_retention_row {
  char member_id[16];
  char name[COOP_NAME_BYTES_MAX + 1];
  uint32_t left_period;
  uint32_t retention_until; /* YYYYMMDD */
  bool due;                 /* retention ended today or before */
  /* On a municipality's node: the coop whose log holds her (its copy is
   * what this node erases), and her audiences with this municipality. */
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char coop_name[COOP_NAME_BYTES_MAX + 1];
  uint8_t audience_count;
  uint8_t audiences[LEDGER_ERASURE_AUDIENCES_MAX][LEDGER_AUDIENCE_ID_BYTES];
} node_retention_row;
typedef coop_err (*node_retention_visitor)(void *context, const node_retention_row *row);

/* Every member who left, with the day her retention ends, in that order.
 * On a coop's node from its books; on a municipality's node its former
 * residents in every coop log it holds (she left the coop, or moved away:
 * whichever came first). */
COOP_MUST_USE coop_err node_retention_list(node *node, node_retention_visitor visitor,
                                           void *context, char message[NODE_MESSAGE_BYTES]);

/* A municipality's own retention of its copies: appends to its own log an
 * erasure of her audiences in its copy of the coop's log (valid on this
 * node only: docs/log-format.md) and, when its log holds verdicts on her,
 * an erasure of those, independently of the coop. */
COOP_MUST_USE coop_err node_copy_erase(node *node, const node_retention_row *row,
                                       const char *reason, node_erase_result *result,
                                       char message[NODE_MESSAGE_BYTES]);

/* Following a coop's erasure on a municipality's node: the audiences the
 * author of `view`'s log erased whose entries in this node's own log (its
 * verdicts) still hold payloads join `mine` (node_erasure_follow_begin);
 * node_erasure_follow then appends one erasure of them in this node's own
 * log, so its copies and its peers' drop them too (*appended: 0 or 1).
 * The audit calls both with the views it reads anyway. */
struct log_view;
ledger_erasure *node_erasure_follow_begin(void);
COOP_MUST_USE coop_err node_erasure_collect(node *node, const struct log_view *view,
                                            ledger_erasure *mine);
COOP_MUST_USE coop_err node_erasure_follow(node *node, ledger_erasure *mine, unsigned *appended,
                                           char message[NODE_MESSAGE_BYTES]);

#endif
