/* Log bundles: a log (or the tail of one) in a file, so logs can move between
 * nodes without a network (`coop log export` / `coop log import`).  Layout in
 * docs/log-format.md §Bundles:
 *
 *   "COOPLOG" 0x00 | u16 version (2) | log_id 32 | u64 first_index
 *   then segments, each:  u8 1 | u32 entry_count | entries | checkpoint (146)
 *     where an entry is its 72-byte header followed by its payload,
 *   or (version 2, a segment holding an erased entry):
 *                         u8 2 | u32 entry_count | entries | checkpoint (146)
 *     where an entry is u8 form | its header | (form 0) its payload or
 *     (form 1, erased) its payload hash (32)
 *   then u8 0 (end)
 *
 * Each segment's checkpoint covers exactly the entries before it.  Importing
 * verifies every entry and checkpoint (ledger_store_ingest) and stores all of
 * the bundle or none of it. */
#ifndef COOP_LEDGER_BUNDLE_H
#define COOP_LEDGER_BUNDLE_H

#include <stdint.h>
#include <stdio.h>

#include "ledger/store/store.h"

#define LEDGER_BUNDLE_MAGIC "COOPLOG"
/* Version 2 added segments with erased entries (tag 2); version 1 files
 * (tag 1 only) are still read. */
#define LEDGER_BUNDLE_VERSION 2u
/* Bounds on one segment read into memory: a batch is at most
 * COOP_BATCH_ENTRIES_MAX entries; bytes bound what a hostile file can make us
 * allocate. */
#define LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX COOP_BATCH_ENTRIES_MAX
#define LEDGER_BUNDLE_SEGMENT_BYTES_MAX (64u * 1024u * 1024u)

/* Writes entries [from, size) of a log and their checkpoints.  from must be
 * below the log's size.  COOP_E_RANGE, COOP_E_IO, COOP_E_NOT_FOUND (unknown
 * log), COOP_E_NO_KEY (an erased payload cannot travel). */
COOP_MUST_USE coop_err ledger_bundle_export(ledger_store *store,
                                            const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                            uint64_t from, FILE *out, uint64_t *entries_written);

typedef struct ledger_bundle_result {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t entries_read;
  uint64_t entries_added;
  uint64_t size_after;
} ledger_bundle_result;

/* Reads a bundle and ingests it in one transaction.  A bundle of `refuse_log`
 * (the node's own log) is refused with COOP_E_EXISTS.  On failure nothing is
 * stored and `problem` says what and where. */
COOP_MUST_USE coop_err ledger_bundle_import(ledger_store *store, FILE *in,
                                            const uint8_t refuse_log[LEDGER_LOG_ID_BYTES],
                                            uint64_t now_ms, ledger_bundle_result *result,
                                            char problem[256]);

#endif
