/* The SQLite store: logs, their entries and tree nodes, signed checkpoints,
 * fork evidence, and the key-grant index.
 *
 * One database per node holds the node's own log and (later) copies of other
 * nodes' logs, each identified by its 32-byte log id.  Schema in
 * docs/log-format.md §Storage.  Every append batch (entries, tree nodes,
 * checkpoint) is one transaction with synchronous=FULL, so a crash at any
 * instant leaves the last committed checkpoint and everything before it. */
#ifndef COOP_LEDGER_STORE_H
#define COOP_LEDGER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/merkle.h"
#include "ledger/log/seal.h"

/* A store handle belongs to one process and one thread: never use it on both
 * sides of a fork() (it holds a pool of random nonces that must not be
 * shared). */
typedef struct ledger_store ledger_store;

enum ledger_store_open_flags {
  LEDGER_STORE_OPEN_EXISTING = 0,
  LEDGER_STORE_CREATE = 1, /* create the file and schema; fails if it exists */
};

/* A coop database is the store's tables and the books' (derived) tables:
 * open one with ledger_store_open (ledger/books/schema.h); the store's own
 * entry point, which takes the schema of the modules built on it, is
 * ledger_store_open_schema (ledger/store/store_sql.h). */
void ledger_store_close(ledger_store *store);

/* The SQLite error message of the first failure in the current transaction
 * (or the last one outside transactions), for diagnostics ("" if none). */
const char *ledger_store_error_message(const ledger_store *store);

/* What a COOP_E_DB from this store means, in the terms a user acts on:
 * COOP_E_BUSY (another process held the lock longer than the busy timeout),
 * COOP_E_DISK_FULL, COOP_E_IO, COOP_E_TAMPERED (not a database, or damaged),
 * else COOP_E_DB.  Any other `err` is returned unchanged. */
coop_err ledger_store_failure(const ledger_store *store, coop_err err);

/* How long a command waits for another process's write lock before it gives
 * up with COOP_E_BUSY.  Writers hold it for milliseconds (one fsync'd batch);
 * a month close of thousands of members for seconds. */
#define LEDGER_STORE_BUSY_TIMEOUT_MS 30000

/* After a read returned COOP_E_PAYLOAD_MISSING or COOP_E_BOOKS_MISMATCH:
 * what it found, naming the entry or row ("entry 7 of log 1a2b-...: the
 * payload is missing").  Never NULL. */
#define LEDGER_STORE_PROBLEM_BYTES 512
const char *ledger_store_problem(const ledger_store *store);

/* SQLite page cache per store connection.  The default keeps a node small
 * whatever the size of its logs; the books' indexes outgrow it at a few
 * hundred thousand records (measured 2.3x slower on a 200k import with
 * 2 MiB), so the books raise it to LEDGER_STORE_CACHE_BOOKS_BYTES. */
#define LEDGER_STORE_CACHE_DEFAULT_BYTES (8u * 1024u * 1024u)
#define LEDGER_STORE_CACHE_BOOKS_BYTES (64u * 1024u * 1024u)
COOP_MUST_USE coop_err ledger_store_set_cache(ledger_store *store, size_t bytes);
/* The page cache's size as last set, so a step that needs another can put
 * it back. */
size_t ledger_store_cache(const ledger_store *store);

/* An entry to append: its kind and plaintext payload.  With audience_id set
 * (non-NULL, nonzero) the payload is sealed under audience_key. */
typedef struct ledger_append_item {
  uint16_t kind;
  const uint8_t *audience_id;  /* LEDGER_AUDIENCE_ID_BYTES, or NULL for public */
  const uint8_t *audience_key; /* LEDGER_AUDIENCE_KEY_BYTES, required with audience_id */
  const uint8_t *payload;
  size_t payload_bytes;
} ledger_append_item;

/* Appends 1..COOP_BATCH_ENTRIES_MAX entries to the author's own log in one
 * transaction and signs one checkpoint over the result.  Entry timestamps are
 * max(now_ms, previous entry's timestamp), so they never go backwards.
 * Writes the new checkpoint to *checkpoint (may be NULL).  Nothing is written
 * on failure: COOP_E_LIMIT, COOP_E_BAD_INPUT, COOP_E_FORK (would sign a size
 * already signed), COOP_E_DB, COOP_E_NOMEM. */
COOP_MUST_USE coop_err ledger_store_append(ledger_store *store, const ledger_identity *author,
                                           const ledger_append_item *items, size_t count,
                                           uint64_t now_ms, ledger_checkpoint *checkpoint);

/* Transactions spanning several appends (and the books' derived tables):
 * ledger_store_append inside one does not commit, and the caller's rollback
 * undoes everything, checkpoints included.  BEGIN IMMEDIATE takes the write
 * lock at once.  COOP_E_DB. */
COOP_MUST_USE coop_err ledger_store_begin(ledger_store *store);
COOP_MUST_USE coop_err ledger_store_commit(ledger_store *store);
void ledger_store_rollback(ledger_store *store);

/* Names the node's own log.  Its erasure entries that name another log
 * (this node's retention of its copies) then authorise missing payloads of
 * that log here.  Without it only a log's own erasures count. */
void ledger_store_set_owner(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES]);

/* The indexes of the key-grant entries of `log_id` for one audience, in
 * order, at most `max` (COOP_E_LIMIT past it). */
COOP_MUST_USE coop_err ledger_store_audience_grants(ledger_store *store,
                                                    const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                                    uint64_t *indexes, size_t max, size_t *count);

/* The erasure entries of `log_id` from index `from` on: how many (*count),
 * and the first `max` indexes in order (*shown of them).  Found by kind in
 * the stored headers; no payload is read. */
COOP_MUST_USE coop_err ledger_store_erasure_entries(ledger_store *store,
                                                    const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                    uint64_t from, uint64_t *indexes, size_t max,
                                                    size_t *shown, uint64_t *count);

/* How many entries of `log_id` sealed to an audience still hold their
 * payload (0 once an erasure removed them). */
COOP_MUST_USE coop_err ledger_store_audience_payloads(ledger_store *store,
                                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                      const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                                      uint64_t *count);

/* Copies the write-ahead log into the database and empties it, so erased
 * payloads leave no old page images behind (with secure_delete they are
 * overwritten in the database itself). */
coop_err ledger_store_wal_truncate(ledger_store *store);

/* Number of entries stored for a log (0 for an unknown log). */
COOP_MUST_USE coop_err ledger_store_size(ledger_store *store,
                                         const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                         uint64_t *size);

/* An entry as stored.  Pointers are valid only during the callback. */
typedef struct ledger_stored_entry {
  ledger_entry_header header;
  const uint8_t *header_bytes; /* LEDGER_ENTRY_HEADER_BYTES */
  /* Never NULL.  An erased entry (its payload removed by an erasure that
   * covers it) has erased = 1 and an empty payload: readers skip it. */
  const uint8_t *payload;
  size_t payload_bytes;
  int erased;
  const uint8_t *payload_hash; /* LEDGER_HASH_BYTES */
  const uint8_t *leaf_hash;    /* LEDGER_HASH_BYTES */
} ledger_stored_entry;

/* Called once per entry in index order; a non-OK return stops the walk and
 * is returned by ledger_store_entries. */
typedef coop_err (*ledger_entry_visitor)(void *context, const ledger_stored_entry *entry);

/* Visits entries [from, size) of a log.  Decodes each header (a stored header
 * that does not decode is COOP_E_TAMPERED).  An entry whose payload an
 * erasure removed is visited with erased = 1; a stored entry without its
 * payload that no erasure covers stops the walk with COOP_E_PAYLOAD_MISSING
 * (ledger_store_problem names it): that is damage, never something to skip. */
COOP_MUST_USE coop_err ledger_store_entries(ledger_store *store,
                                            const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                            uint64_t from, ledger_entry_visitor visitor,
                                            void *context);

/* Reads one entry's header bytes and payload into caller buffers (header: 72
 * bytes; payload: COOP_PAYLOAD_BYTES_MAX).  COOP_E_NOT_FOUND, COOP_E_ERASED
 * (an erasure removed its payload: header and leaf hash are filled),
 * COOP_E_PAYLOAD_MISSING (as for ledger_store_entries). */
COOP_MUST_USE coop_err ledger_store_entry(ledger_store *store,
                                          const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                          uint64_t index, uint8_t *header_bytes,
                                          uint8_t *payload, size_t *payload_bytes,
                                          uint8_t *leaf_hash);

/* The leaf hash of one entry.  COOP_E_NOT_FOUND. */
COOP_MUST_USE coop_err ledger_store_leaf_hash(ledger_store *store,
                                              const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                              uint64_t index, uint8_t leaf_hash[LEDGER_HASH_BYTES]);

/* The leaf hashes of entries [from, from + count), in order, into
 * `leaf_hashes` (count of them): one walk over the range.
 * COOP_E_NOT_FOUND when the log holds fewer. */
COOP_MUST_USE coop_err ledger_store_leaf_hashes(ledger_store *store,
                                                const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                uint64_t from, size_t count,
                                                uint8_t (*leaf_hashes)[LEDGER_HASH_BYTES]);

/* The checkpoint with the largest size, or the one at exactly `size`.
 * COOP_E_NOT_FOUND when there is none. */
COOP_MUST_USE coop_err ledger_store_checkpoint_latest(ledger_store *store,
                                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                      ledger_checkpoint *checkpoint);
COOP_MUST_USE coop_err ledger_store_checkpoint_at(ledger_store *store,
                                                  const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                  uint64_t size, ledger_checkpoint *checkpoint);

/* The stored checkpoint with the largest (or, `smallest`, the smallest)
 * size in (above, at_most]: where a batch of entries sent from `above` may
 * end.  COOP_E_NOT_FOUND. */
COOP_MUST_USE coop_err ledger_store_checkpoint_within(ledger_store *store,
                                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                      uint64_t above, uint64_t at_most,
                                                      bool smallest,
                                                      ledger_checkpoint *checkpoint);

/* Visits the stored checkpoints of a log with size > after_size, by size. */
typedef coop_err (*ledger_checkpoint_visitor)(void *context, const ledger_checkpoint *checkpoint);
COOP_MUST_USE coop_err ledger_store_checkpoints(ledger_store *store,
                                                const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                uint64_t after_size,
                                                ledger_checkpoint_visitor visitor, void *context);

/* Every log the store holds, in the order it first saw them. */
typedef coop_err (*ledger_log_visitor)(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES]);
COOP_MUST_USE coop_err ledger_store_logs(ledger_store *store, ledger_log_visitor visitor,
                                         void *context);

/* The ids of every log the store holds, in the order it first saw them, as
 * one coop_malloc'd array (*ids; free with coop_free; NULL when none). */
COOP_MUST_USE coop_err ledger_store_log_ids(ledger_store *store,
                                            uint8_t (**ids)[LEDGER_LOG_ID_BYTES],
                                            size_t *count);

/* Root of the first `size` entries, and proofs, from the stored tree. */
COOP_MUST_USE coop_err ledger_store_root_at(ledger_store *store,
                                            const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                            uint64_t size, ledger_hash root);
COOP_MUST_USE coop_err ledger_store_inclusion_proof(ledger_store *store,
                                                    const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                    uint64_t index, uint64_t size,
                                                    ledger_proof *proof);
COOP_MUST_USE coop_err ledger_store_consistency_proof(ledger_store *store,
                                                      const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                      uint64_t old_size, uint64_t new_size,
                                                      ledger_proof *proof);

/* Checks a checkpoint of a log against what the store holds.  The signature
 * must verify (COOP_E_BAD_SIGNATURE).  If the store holds a checkpoint of the
 * same size with another root, or holds entries up to checkpoint->size whose
 * root differs, the pair is recorded as fork evidence and COOP_E_FORK is
 * returned.  COOP_OK when nothing contradicts it. */
COOP_MUST_USE coop_err ledger_store_check_checkpoint(ledger_store *store,
                                                     const ledger_checkpoint *checkpoint,
                                                     uint64_t now_ms);

/* Fork evidence: two signed checkpoints of one log that cannot both be true. */
typedef struct ledger_fork_evidence {
  ledger_checkpoint first;  /* the one the store had (or the smaller) */
  ledger_checkpoint second; /* the contradicting one */
  uint64_t found_ms;
} ledger_fork_evidence;

/* An entry of another node's log, as received from a peer or a bundle file:
 * its 72 header bytes and its payload (header's payload_bytes long). */
typedef struct ledger_ingest_entry {
  const uint8_t *header;
  /* NULL for an erased entry: then payload_hash (LEDGER_HASH_BYTES) stands
   * in for it, and an erasure by the log's author (stored, or in the same
   * batch) must cover the entry. */
  const uint8_t *payload;
  const uint8_t *payload_hash;
} ledger_ingest_entry;

/* Stores entries [first_index, first_index + count) of the log named by
 * checkpoint->log_id, with the checkpoint that covers exactly them
 * (checkpoint->size == first_index + count), after verifying everything in
 * one transaction: the signature; each header decodes, names the log and its
 * index, timestamps never go backwards; and the Merkle root of the stored
 * prefix extended by these leaves equals the signed root.  Only then are
 * entries the store already holds compared with the stored ones: authentic
 * entries that differ mean the author signed two histories.  On any failure
 * nothing new is stored and *problem says what (index and reason):
 * COOP_E_BAD_SIGNATURE, COOP_E_DECODE, COOP_E_BAD_PROOF (entries do not
 * match their checkpoint: damaged or forged in transit), COOP_E_RANGE (a gap:
 * first_index past the stored size), COOP_E_FORK (contradicts what the store
 * holds: the two checkpoints are recorded as evidence and written to *fork
 * when it is not NULL, so a caller that rolls back can record them again).
 * A node never takes its own log from elsewhere: that is the caller's rule.
 * *added counts the new entries (0 when the store already had them all). */
/* A bundle arrives as several checkpointed batches in one transaction, and
 * an erased entry's erasure may be in a later batch than the entry.  After
 * ledger_store_erased_check_defer, ledger_store_ingest lets such entries
 * through and remembers them; ledger_store_erased_check_end checks each
 * against the erasures stored by then (COOP_E_PAYLOAD_MISSING naming the
 * entry in *problem when the log's author erased none of them: the caller
 * must not commit) and stops deferring.  Call it on every path. */
void ledger_store_erased_check_defer(ledger_store *store);
COOP_MUST_USE coop_err ledger_store_erased_check_end(ledger_store *store, char problem[256]);

/* ---- Erasures proven ahead ----------------------------------------------------
 *
 * An erasure comes later in its log than the entries it erases, often many
 * sync batches later, so a node that never held the log would refuse the
 * first batch with an erased entry.  The sender proves the erasure ahead:
 * the erasure entry, a checkpoint its author signed, and the entry's
 * inclusion proof in it.  docs/log-format.md §Erasure, "Proven ahead". */
typedef struct ledger_erasure_proof {
  ledger_checkpoint checkpoint; /* signed by the log's author; size > index */
  uint64_t index;               /* the erasure entry's */
  const uint8_t *header;        /* its LEDGER_ENTRY_HEADER_BYTES */
  const uint8_t *payload;       /* its payload, header's payload_bytes long */
  ledger_proof proof;           /* its leaf's inclusion in the checkpoint */
} ledger_erasure_proof;

typedef coop_err (*ledger_erasure_proof_visitor)(void *context,
                                                 const ledger_erasure_proof *proof);

/* For entries [first_index, first_index + count) of a log about to be sent
 * (entries[i].payload NULL: sent erased): visits the proof of each erasure
 * by the log's author that covers one of them and lies at or after the
 * batch's end, so the receiver cannot have it yet.  None for a batch
 * without an erased entry.  Pointers are valid only during the call. */
COOP_MUST_USE coop_err ledger_store_erasure_proofs(ledger_store *store,
                                                   const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                                   uint64_t first_index,
                                                   const ledger_ingest_entry *entries,
                                                   size_t count,
                                                   ledger_erasure_proof_visitor visit,
                                                   void *context);

/* Checks a proof — the checkpoint's signature, that the entry is an erasure
 * of that log at that index, its leaf under the signed root, and that the
 * checkpoint contradicts nothing held (else fork evidence is kept and
 * COOP_E_FORK returned) — and keeps it: until the erasure entry itself is
 * stored, it covers entries that arrive without their payloads as the entry
 * will.  A proof of an entry already held changes nothing.
 * COOP_E_BAD_SIGNATURE, COOP_E_RANGE, COOP_E_DECODE, COOP_E_BAD_PROOF,
 * COOP_E_FORK, COOP_E_DB, each with `problem` saying what. */
COOP_MUST_USE coop_err ledger_store_keep_erasure_proof(ledger_store *store,
                                                       const ledger_erasure_proof *proof,
                                                       uint64_t now_ms, char problem[256]);

COOP_MUST_USE coop_err ledger_store_ingest(ledger_store *store,
                                           const ledger_checkpoint *checkpoint,
                                           uint64_t first_index,
                                           const ledger_ingest_entry *entries, size_t count,
                                           uint64_t now_ms, uint64_t *added,
                                           ledger_fork_evidence *fork, char problem[256]);

/* Records a pair of contradicting checkpoints of one log as fork evidence
 * (both signatures must verify and name the same log).  Idempotent. */
COOP_MUST_USE coop_err ledger_store_record_fork(ledger_store *store,
                                                const ledger_fork_evidence *evidence);

/* How many fork-evidence pairs the store holds for one log (0 for a log that
 * never forked or is unknown).  Sync stops accepting a log with any. */
COOP_MUST_USE coop_err ledger_store_fork_count(ledger_store *store,
                                               const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                               uint64_t *count);

typedef coop_err (*ledger_fork_visitor)(void *context, const ledger_fork_evidence *evidence);
COOP_MUST_USE coop_err ledger_store_forks(ledger_store *store, ledger_fork_visitor visitor,
                                          void *context);

/* Result of a full verification: the first problem found. */
typedef struct ledger_verify_report {
  uint64_t entries_checked;
  uint64_t checkpoints_checked;
  uint64_t entries_erased;  /* payloads removed by erasures that cover them */
  uint64_t erasures;        /* erasure entries that removed at least one of them */
  int has_index;       /* 1 when the problem is at one entry */
  uint64_t index;
  char what[512];      /* "leaf hash: expected 3a.., found 77.." */
} ledger_verify_report;

/* Re-checks a whole log (an unknown log is empty and verifies): every header decodes and belongs at its index,
 * payload hashes, leaf hashes, every stored tree node, every checkpoint's
 * signature and root, and that the latest checkpoint covers every entry.
 * COOP_OK, or COOP_E_TAMPERED with the first problem in *report. */
COOP_MUST_USE coop_err ledger_store_verify(ledger_store *store,
                                           const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                           ledger_verify_report *report);

/* The audience key granted to `reader` by the log `grantor_log_id` (the log
 * that created the audience), opened with the reader's secret key; the
 * earliest such grant wins.  Grants found in other logs are ignored: audience
 * ids are public, so any log could grant a key of its own under one.
 * COOP_E_NO_KEY when that log holds no grant to this reader. */
COOP_MUST_USE coop_err ledger_store_audience_key(ledger_store *store,
                                                 const ledger_identity *reader,
                                                 const uint8_t grantor_log_id[LEDGER_LOG_ID_BYTES],
                                                 const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                                                 uint8_t key[32]);

/* Every reader the log `grantor_log_id` granted the key of `audience_id`
 * to, in log order, with the index of the key-grant entry: who can read
 * the entries sealed to that audience (a member's own copy of her data
 * names them).  Nothing is visited for an unknown log.  COOP_E_DB. */
typedef coop_err (*ledger_reader_visitor)(void *context, const uint8_t reader[32],
                                          uint64_t grant_index);
COOP_MUST_USE coop_err ledger_store_audience_readers(
    ledger_store *store, const uint8_t grantor_log_id[LEDGER_LOG_ID_BYTES],
    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES], ledger_reader_visitor visitor,
    void *context);

/* Creates a new audience and grants its key to each reader in one append
 * batch (one key-grant entry per reader; readers[0] is usually the author
 * itself so it can read its own entries later).  Writes the new id to
 * audience_id.  The key is not returned: read it back with
 * ledger_store_audience_key. */
COOP_MUST_USE coop_err ledger_store_audience_create(ledger_store *store,
                                                    const ledger_identity *author,
                                                    const uint8_t (*readers)[32],
                                                    size_t reader_count, uint64_t now_ms,
                                                    uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES]);
/* The same, with the id's first three bytes given (`prefix`; NULL: all
 * random): a member's audience after a move keeps her member id. */
COOP_MUST_USE coop_err ledger_store_audience_create_prefixed(
    ledger_store *store, const ledger_identity *author, const uint8_t (*readers)[32],
    size_t reader_count, uint64_t now_ms, const uint8_t prefix[3],
    uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES]);

/* The key-grant payloads of an audience (`audience_id`, its `key`) to each
 * reader, in order, for the caller to append (unsealed, kind
 * LEDGER_KIND_KEY_GRANT) in a batch of its own: a batch enrolment grants
 * every member's audience with the batch instead of one append (and one
 * signed checkpoint) per audience.  COOP_E_BAD_INPUT for 0 or more than
 * COOP_AUDIENCE_READERS_MAX readers, COOP_E_CRYPTO for a reader key that
 * is not a valid node key.  The key is only read. */
COOP_MUST_USE coop_err ledger_store_audience_grants_make(
    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
    const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES], const uint8_t (*readers)[32],
    size_t reader_count, uint8_t (*payloads)[LEDGER_KEY_GRANT_BYTES]);

/* The same with one ephemeral key pair made ahead per reader
 * (ledger/base/box_seal.h; each used for this grant only): the batch
 * enrolment's workers make them many at a time, in less time than
 * crypto_box_seal draws them one by one. */
COOP_MUST_USE coop_err ledger_store_audience_grants_make_ephemeral(
    const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
    const uint8_t key[LEDGER_AUDIENCE_KEY_BYTES], const uint8_t (*readers)[32],
    size_t reader_count, const coop_box_ephemeral *ephemerals,
    uint8_t (*payloads)[LEDGER_KEY_GRANT_BYTES]);

/* ---- Backups (store_backup.c) ---------------------------------------------
 * A backup is an online copy of the whole database (SQLite's backup API:
 * other processes keep reading and appending meanwhile) marked as a backup:
 * when it was made and how long the node's own log was in it.  A database
 * that holds the mark (a restored backup) refuses every append with
 * COOP_E_RESTORED until the mark is cleared: its own log may have grown
 * after the backup, and signing from the backup's size would fork it. */
typedef struct ledger_store_backup_info {
  uint64_t made_ms;                     /* when the copy was made */
  uint8_t log_id[LEDGER_LOG_ID_BYTES];  /* the node's own log */
  uint64_t log_size;                    /* its size in the copy */
} ledger_store_backup_info;

/* Writes a marked copy of the database to `path`, a new file of mode 0600
 * (COOP_E_EXISTS when something is there; nothing is left behind on
 * failure).  *info (may be NULL) says what it holds.  COOP_E_IO,
 * COOP_E_BUSY, COOP_E_DISK_FULL, COOP_E_DB. */
COOP_MUST_USE coop_err ledger_store_backup(ledger_store *store, const char *path,
                                           const uint8_t own_log_id[LEDGER_LOG_ID_BYTES],
                                           uint64_t now_ms, ledger_store_backup_info *info);

/* Replaces the whole database with the backup at `path` (online: other
 * connections see the restored pages at their next transaction); the mark
 * comes with it, so appends are refused from now on.  COOP_E_NOT_FOUND (no
 * file), COOP_E_BAD_INPUT (not a backup made by ledger_store_backup),
 * COOP_E_EXISTS_DIFFERENT (the backup of another node's log), COOP_E_SCHEMA
 * (made by a newer coop), COOP_E_BUSY, COOP_E_DB; the database is unchanged
 * on failure. */
COOP_MUST_USE coop_err ledger_store_restore(ledger_store *store, const char *path,
                                            const uint8_t own_log_id[LEDGER_LOG_ID_BYTES],
                                            ledger_store_backup_info *info);

/* Is this database a restored backup?  *info (may be NULL) is its mark. */
COOP_MUST_USE coop_err ledger_store_restored(ledger_store *store, bool *restored,
                                             ledger_store_backup_info *info);

/* Removes the mark: the node caught up from its peers, or the operator
 * confirmed that no newer history of its log exists.  COOP_E_DB. */
COOP_MUST_USE coop_err ledger_store_restore_clear(ledger_store *store);

#endif
