/* The month close's view of the own log, kept in a file beside the
 * database (NODE_CLOSE_VIEW_FILE) so that a one-shot `coop period close`
 * starts from it and reads only the entries appended since the last close,
 * as a long-running process does with the view it keeps in memory
 * (node/statements.c, node->close_view).
 *
 * A cache, never the truth: the file says which entries it reflects (the
 * log's size and the leaf hash of its last entry) and the close uses it
 * only when the own log still has that entry there; anything else - no
 * file, another format version, a short or corrupt file, a bad tag, another
 * node's file, unsafe permissions - makes the close read the whole log as
 * before (and write the file again after it commits).
 *
 * Appended to: the file is a head and a chain of segments, each the view
 * as of one save.  A save appends a segment with what changed since the
 * file's last one - the records and statements added to the view's arrays
 * since (those arrays only grow between whole reads of the log: see
 * log_view.c's record_add and statement_add) and, whole, the parts a later
 * entry edits in place (members with their facts and details, the sorted
 * unread list) or that are small (closed months, erasures, carried states,
 * keys).  It writes the file whole when there is none or it is not the
 * one it read (another inode, another length: a crash mid-append, another
 * process), when the view was read afresh (an erasure, a restore), when
 * its arrays are shorter than the file's, and after
 * CLOSE_VIEW_SEGMENTS_MAX segments.
 *
 * Authenticated: each segment ends with a keyed BLAKE2b-256 tag
 * (crypto_generichash) over the tag before it (the first: over the head)
 * and its own bytes, with a key derived from the node's identity secret
 * (crypto_kdf_derive_from_key, context "closevw1").  The close signs
 * statements computed from the view, so a copy edited on disk - or one
 * another node wrote - must never be taken for what this node read from
 * its own signed log.  A reader uses the segments up to the first whose
 * tag does not verify (a file cut inside a segment, a byte changed): the
 * file up to there is an older view, still good; a segment moved or
 * replayed does not verify after another one.
 *
 * Private: it holds members' names, client references and audience keys
 * (sealed: see put_keys in the .c), so it is written
 * with mode 0600 (whole: a temporary file, fsync'd, renamed over the old
 * one; a segment: appended and fsync'd) and removed by every erasure
 * (node_close_view_forget), a restore and a rebuild
 * (close_view_file_remove).
 *
 * Format (docs/books.md, "The close's view file"), little-endian:
 *   head: "COOPCVW" (7 bytes), version (1 byte, CLOSE_VIEW_FILE_VERSION),
 *   log id (32); then segments: body length (u32), body, tag (32).  A
 *   body: size (u64), last leaf hash (32), the records (count before,
 *   count, records), the statements (the same), and the whole part
 *   (length u32; the view's other fields, the carried states, the member
 *   audiences' keys: count, nonce, crypto_secretbox under a second derived
 *   key). */
#ifndef COOP_NODE_CLOSE_VIEW_FILE_H
#define COOP_NODE_CLOSE_VIEW_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/offset/offset.h"
#include "node/log_view.h"
#include "node/node.h"

#define NODE_CLOSE_VIEW_FILE "close-view.cache"
#define CLOSE_VIEW_FILE_VERSION 2u
/* Segments after which a save writes the file whole again.  Each repeats
 * the whole part (members, states, keys: ~0.36 MB per 1,000 members) that
 * every later close reads and hashes again (~16 ms a segment at 10,000),
 * while a whole write costs ~0.2 s more than an append: from those parts,
 * measured on a coop of 10,000 members, the file's cost per close is least
 * around 4 - 6 segments (an estimate: docs/performance.md, close5). */
#define CLOSE_VIEW_SEGMENTS_MAX 6u
/* Far above a real coop's view (10,000 members over a year: ~40 MB), low
 * enough that a damaged size field cannot make the reader allocate much. */
#define CLOSE_VIEW_FILE_BYTES_MAX (2048ull * 1024 * 1024)

/* The carried state of the statement a close last wrote for a member: its
 * log index + 1 (0: none) and the engine's state after it. */
typedef struct close_view_state {
  uint64_t statement;
  ledger_offset_state state;
} close_view_state;

/* The file a process read or wrote, so that its next save can append to
 * it: its identity and length then, its segments and last tag, and how
 * many of the view's records and statements it holds. */
typedef struct close_view_mark {
  bool valid; /* false: the next save writes the file whole */
  uint32_t segments;
  uint64_t bytes, device, inode;
  size_t records, statements;
  uint8_t tag[32];
} close_view_mark;

/* What the file holds: the view of the own log's entries [0, size), the
 * leaf hash of entry size - 1, and a state per member position. */
typedef struct close_view_image {
  log_view *view;
  uint64_t size;
  uint8_t last_leaf[LEDGER_HASH_BYTES];
  close_view_state *states;
  size_t state_count;
  /* Set by a load, used and updated by a save. */
  close_view_mark mark;
  /* A load: bytes after the last good segment, and why (NULL: none). */
  uint64_t dropped_bytes;
  const char *dropped_why;
  /* A save: did it append a segment (or write the file whole), how many
   * bytes. */
  bool appended;
  size_t written_bytes;
} close_view_image;

/* Writes `image` to the node's file: a segment appended to the file
 * image->mark describes (fsync), or the file whole (temporary file, fsync,
 * rename; mode 0600); image->mark then describes the file written.
 * COOP_E_NOMEM, COOP_E_IO, COOP_E_CRYPTO; on failure the old file, if any,
 * is left as it was, or with a part of a segment after its last (a stale
 * file is only a shorter prefix). */
COOP_MUST_USE coop_err close_view_file_save(node *self, close_view_image *image);

/* Reads the node's file into image->view (which must be zeroed) and a new
 * image->states (coop_free it): the view of its last segment whose tag
 * verifies (image->dropped_bytes, dropped_why: what follows it, and why
 * not used), and image->mark for the next save.  Does not check the log:
 * the caller compares size and last leaf with it.  COOP_E_NOT_FOUND (no file),
 * COOP_E_PERMISSIONS, COOP_E_VERSION, COOP_E_TAMPERED (bad tag or another
 * node's), COOP_E_DECODE, COOP_E_NOMEM, COOP_E_IO; `why` says which in
 * words.  On failure nothing is left to free. */
COOP_MUST_USE coop_err close_view_file_load(node *self, close_view_image *image,
                                            const char **why);

/* Removes the file (none: nothing to do).  A restore and a rebuild: the
 * next close reads the log afresh.  The view a process keeps in memory
 * needs no removal there: it is used only while the log still has the
 * entry where it ends (node/statements.c, still_the_log). */
void close_view_file_remove(node *self);

/* Drops the view kept in memory and removes the file: an erasure (the
 * member's name and references must survive neither on disk nor in the
 * process). */
void node_close_view_forget(node *self);

#endif
