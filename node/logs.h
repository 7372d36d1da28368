/* The logs this node holds, read as they are stored: their entries with the
 * payloads this node can read, checkpoints, proofs, verification, forks.
 * What `coop log`, `coop logs`, `coop checkpoint`, `coop proof`,
 * `coop verify` and `coop sync --forks` print; the CLI formats, this reads. */
#ifndef COOP_NODE_LOGS_H
#define COOP_NODE_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ledger/store/bundle.h"
#include "node/node.h"

/* One entry as node_log_entries reads it.  `plain` is its payload when this
 * node can read it (public, or sealed to an audience it holds a key of), of
 * plain_bytes bytes; NULL when it is sealed to others or erased (then
 * plain_bytes is the stored payload's size).  `plain` lives until the next
 * entry. */
typedef coop_err (*node_log_entry_visitor)(void *context, const ledger_stored_entry *entry,
                                           const uint8_t *plain, size_t plain_bytes);

/* Every entry of `log_id` from index `from` on, oldest first, opened with
 * the node's key ring: a key granted by the log's author or, failing that,
 * by any log this node holds (a municipality's verdicts are sealed under
 * audiences a coop created).  COOP_E_NOT_FOUND when this node holds no
 * entry of that log.  On failure `message` says what (a visitor's error is
 * returned as it is, with a message naming its code). */
COOP_MUST_USE coop_err node_log_entries(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                        uint64_t from, node_log_entry_visitor visitor,
                                        void *context, char message[NODE_MESSAGE_BYTES]);

/* A stored entry as it is: its header bytes, its payload as stored (sealed
 * or public; `payload` holds COOP_PAYLOAD_BYTES_MAX bytes) and its leaf
 * hash.  COOP_E_NOT_FOUND past the log's end. */
COOP_MUST_USE coop_err node_log_entry(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                      uint64_t index,
                                      uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                                      uint8_t *payload, size_t *payload_bytes,
                                      uint8_t leaf_hash[LEDGER_HASH_BYTES]);

/* How many entries of the log this node holds (0: none). */
COOP_MUST_USE coop_err node_log_size(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                     uint64_t *size);

/* Every log this node holds, its own among them, in the store's order. */
COOP_MUST_USE coop_err node_logs(node *node, ledger_log_visitor visitor, void *context);

/* The latest signed checkpoint of a log, or the one at exactly `size`
 * (COOP_E_NOT_FOUND: none signed at that size). */
COOP_MUST_USE coop_err node_checkpoint_latest(node *node,
                                              const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                              ledger_checkpoint *checkpoint);
COOP_MUST_USE coop_err node_checkpoint_at(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                          uint64_t size, ledger_checkpoint *checkpoint);

/* Proofs over a log held (RFC 9162): entry `index` in the tree of `size`
 * entries, and the tree of old_size in that of new_size. */
COOP_MUST_USE coop_err node_inclusion_proof(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                            uint64_t index, uint64_t size, ledger_proof *proof);
COOP_MUST_USE coop_err node_consistency_proof(node *node,
                                              const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                              uint64_t old_size, uint64_t new_size,
                                              ledger_proof *proof);

/* Verifies one log held, entry by entry (ledger_store_verify).  The node's
 * own log must also hold entry 0 (its identity, which `coop init` always
 * appends): an empty own log was deleted from the database, COOP_E_TAMPERED
 * with report->what saying so. */
COOP_MUST_USE coop_err node_log_verify(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                       ledger_verify_report *report);

/* The fork evidence this node holds (two signed checkpoints of one log that
 * cannot both be true). */
COOP_MUST_USE coop_err node_forks(node *node, ledger_fork_visitor visitor, void *context);

/* `coop log export`: entries [from, size) of a log held and their
 * checkpoints, as a bundle (ledger/store/bundle.h) on `out`.  COOP_E_RANGE,
 * COOP_E_IO, COOP_E_NOT_FOUND (unknown log), COOP_E_PAYLOAD_MISSING
 * (node_store_problem names the entry: an erased payload cannot travel). */
COOP_MUST_USE coop_err node_log_export(node *node, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                       uint64_t from, FILE *out, uint64_t *entries_written);

/* `coop log import`: a bundle verified and ingested in one transaction; a
 * bundle of the node's own log is refused (node_import_refused_log, which
 * lets a restored database take back what it lost).  On failure nothing is
 * stored and `problem` says what and where. */
COOP_MUST_USE coop_err node_log_import(node *node, FILE *in, ledger_bundle_result *result,
                                       char problem[256]);

/* What the store says about its last failure: ledger_store_failure's
 * meaning of `err` (busy, disk full, tampered, ...), the database's own
 * words, and the problem a read named (an entry, a table row). */
COOP_MUST_USE coop_err node_store_failure(node *node, coop_err err);
const char *node_store_error_message(node *node);
const char *node_store_problem(node *node);

#endif
