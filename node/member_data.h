/* Everything a node holds about one member, for her own copy (GDPR art. 15
 * and 20: `coop member export-data`): her details with their history, her
 * status facts, where she lived (which municipality), her records, every
 * statement (reissues too) with the municipality's verdict, and which
 * nodes were granted the keys that open her entries.
 *
 * Read from the signed log with this node's keys (node/log_view.h), so a
 * coop node, and a member's own node (which holds her keys only), give the
 * same answers from the same entries; nothing of another member is read
 * into it: only entries sealed to her audiences are opened. */
#ifndef COOP_NODE_MEMBER_DATA_H
#define COOP_NODE_MEMBER_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/books/statement.h"
#include "node/audit.h"
#include "node/node.h"

typedef enum node_member_data_kind {
  NODE_MEMBER_DATA_DETAILS,   /* name, client ref, her node's key: enrolment or a change */
  NODE_MEMBER_DATA_FACT,      /* a status fact from a month on */
  NODE_MEMBER_DATA_RESIDENCE, /* the municipality that reads her months from a month on */
  NODE_MEMBER_DATA_RECORD,    /* a record booked for her */
  NODE_MEMBER_DATA_STATEMENT, /* a statement (every version) and its verdict */
  NODE_MEMBER_DATA_GRANT,     /* a node that holds the key of one of her audiences */
} node_member_data_kind;

/* One item; pointers are valid only during the visit.  Fields not of the
 * item's kind are zero. */
typedef struct node_member_data_item {
  node_member_data_kind kind;
  const uint8_t *coop_log; /* the coop's log (LEDGER_LOG_ID_BYTES) */
  const char *coop_name;
  const char *member_id;
  uint64_t index;          /* the entry in the coop's log (a grant: the key-grant entry) */
  uint32_t from_period;    /* facts, residences; grants: the residence's month (0: enrolment) */
  /* DETAILS */
  const char *name;
  const char *client_ref;
  const uint8_t *member_key; /* NULL: none (GRANT: her node's key, to tell it among readers) */
  /* FACT */
  uint8_t field;           /* ledger_member_field */
  uint32_t value;
  /* RESIDENCE (municipality), GRANT (reader) */
  const uint8_t *municipality; /* NULL: not readable on this node */
  const uint8_t *reader;
  /* RECORD */
  const ledger_record *record;
  /* STATEMENT */
  const ledger_statement_payload *statement;
  bool in_force;           /* the latest of its month */
  node_verdict_found verdict;
} node_member_data_item;

typedef coop_err (*node_member_data_visitor)(void *context, const node_member_data_item *item);

/* Visits everything about the member `member_id` (NULL: the member whose
 * key this node holds - a member's own node) in every coop log this node
 * holds, by coop log and then in the order of the kinds above, each kind in
 * log order.  COOP_E_NOT_FOUND (message says so) when this node can read
 * no member of that id or key. */
COOP_MUST_USE coop_err node_member_data(node *node, const char *member_id,
                                        node_member_data_visitor visitor, void *context,
                                        char message[NODE_MESSAGE_BYTES]);

#endif
