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
 * Authenticated: keyed BLAKE2b-256 (crypto_generichash) over everything
 * before the tag, with a key derived from the node's identity secret
 * (crypto_kdf_derive_from_key, context "closevw1").  The close signs
 * statements computed from the view, so a copy edited on disk - or one
 * another node wrote - must never be taken for what this node read from
 * its own signed log.
 *
 * Private: it holds members' names, client references and audience keys
 * (sealed: see put_keys in the .c), so it is written
 * with mode 0600 (a temporary file, fsync'd, renamed over the old one) and
 * removed by every erasure (node_close_view_forget), a restore and a
 * rebuild (close_view_file_remove).
 *
 * Format (docs/books.md, "The close's view file"), little-endian:
 *   "COOPCVW" (7 bytes), version (1 byte, CLOSE_VIEW_FILE_VERSION),
 *   log id (32), size (u64), last leaf hash (32), the view and the carried
 *   states (field by field), the member audiences' keys (count, nonce,
 *   crypto_secretbox under a second derived key), tag (32). */
#ifndef COOP_NODE_CLOSE_VIEW_FILE_H
#define COOP_NODE_CLOSE_VIEW_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/offset/offset.h"
#include "node/log_view.h"
#include "node/node.h"

#define NODE_CLOSE_VIEW_FILE "close-view.cache"
#define CLOSE_VIEW_FILE_VERSION 1u
/* Far above a real coop's view (10,000 members over a year: ~40 MB), low
 * enough that a damaged size field cannot make the reader allocate much. */
#define CLOSE_VIEW_FILE_BYTES_MAX (2048ull * 1024 * 1024)

/* The carried state of the statement a close last wrote for a member: its
 * log index + 1 (0: none) and the engine's state after it. */
typedef struct close_view_state {
  uint64_t statement;
  ledger_offset_state state;
} close_view_state;

/* What the file holds: the view of the own log's entries [0, size), the
 * leaf hash of entry size - 1, and a state per member position. */
typedef struct close_view_image {
  log_view *view;
  uint64_t size;
  uint8_t last_leaf[LEDGER_HASH_BYTES];
  close_view_state *states;
  size_t state_count;
} close_view_image;

/* Writes `image` to the node's file (temporary file, fsync, rename; mode
 * 0600).  COOP_E_NOMEM, COOP_E_IO, COOP_E_CRYPTO; on failure the old file,
 * if any, is left as it was (a stale file is only a shorter prefix). */
COOP_MUST_USE coop_err close_view_file_save(node *self, const close_view_image *image);

/* Reads the node's file into image->view (which must be zeroed) and a new
 * image->states (coop_free it).  Does not check the log: the caller
 * compares size and last leaf with it.  COOP_E_NOT_FOUND (no file),
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
