/* Merkle tree hashing, proofs and the compact frontier, exactly as RFC 9162
 * §2.1 (RFC 6962 hashing, SHA-256):
 *   empty tree  = SHA-256("")
 *   leaf        = SHA-256(0x00 || leaf data)      (see ledger_leaf_hash)
 *   inner node  = SHA-256(0x01 || left || right)
 *
 * A "perfect node" (level L, position K) is the root of the complete subtree
 * over leaves [K * 2^L, (K + 1) * 2^L); level 0 is a leaf hash.  Only perfect
 * nodes are ever stored: every other node is recomputed from them, so proofs
 * need O(log n) stored nodes. */
#ifndef COOP_LEDGER_MERKLE_H
#define COOP_LEDGER_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/base/limits.h"
#include "ledger/log/entry.h"

typedef uint8_t ledger_hash[LEDGER_HASH_BYTES];

void ledger_merkle_empty_root(ledger_hash out);
void ledger_merkle_node_hash(const ledger_hash left, const ledger_hash right, ledger_hash out);

/* The compact frontier: the roots of the perfect subtrees that make up a tree
 * of `size` leaves, one per set bit of size.  level_hash[L] is meaningful only
 * when bit L of size is set.  Appending is O(log n) and needs nothing else. */
typedef struct ledger_frontier {
  uint64_t size;
  ledger_hash level_hash[COOP_TREE_HEIGHT_MAX + 1];
} ledger_frontier;

void ledger_frontier_init(ledger_frontier *frontier);

/* Appends a leaf hash.  The perfect nodes this append completes (levels 1..t,
 * where t is the number of trailing one bits of the leaf's index) are written
 * to completed[0..t-1] and their number to *completed_count; pass room for
 * COOP_TREE_HEIGHT_MAX hashes.  COOP_E_LIMIT when the log is full. */
COOP_MUST_USE coop_err ledger_frontier_append(ledger_frontier *frontier, const ledger_hash leaf,
                                              ledger_hash *completed, unsigned *completed_count);

/* Root of the tree the frontier describes. */
void ledger_frontier_root(const ledger_frontier *frontier, ledger_hash out);

/* Where proofs get stored perfect nodes from.  Returns COOP_OK and the hash,
 * or an error (COOP_E_NOT_FOUND, COOP_E_DB ...) that aborts the proof. */
typedef coop_err (*ledger_node_source)(void *context, unsigned level, uint64_t position,
                                       ledger_hash out);

/* Root of the first `size` leaves (size <= the source's tree size). */
COOP_MUST_USE coop_err ledger_merkle_root_at(ledger_node_source source, void *context,
                                             uint64_t size, ledger_hash out);

/* A proof: up to COOP_PROOF_HASHES_MAX hashes, in RFC 9162 order (nearest the
 * leaf, or the old tree, first). */
typedef struct ledger_proof {
  unsigned count;
  ledger_hash hashes[COOP_PROOF_HASHES_MAX];
} ledger_proof;

/* Inclusion proof of leaf `index` in the tree of the first `size` leaves
 * (RFC 9162 §2.1.3.1).  COOP_E_RANGE unless index < size. */
COOP_MUST_USE coop_err ledger_merkle_inclusion_proof(ledger_node_source source, void *context,
                                                     uint64_t index, uint64_t size,
                                                     ledger_proof *proof);

/* Consistency proof between the trees of the first `old_size` and `new_size`
 * leaves (RFC 9162 §2.1.4.1).  COOP_E_RANGE unless 0 < old_size <= new_size. */
COOP_MUST_USE coop_err ledger_merkle_consistency_proof(ledger_node_source source, void *context,
                                                       uint64_t old_size, uint64_t new_size,
                                                       ledger_proof *proof);

/* Verifies an inclusion proof (RFC 9162 §2.1.3.2).  COOP_OK or
 * COOP_E_BAD_PROOF; never reads outside the proof. */
COOP_MUST_USE coop_err ledger_merkle_verify_inclusion(const ledger_hash leaf, uint64_t index,
                                                      uint64_t size, const ledger_proof *proof,
                                                      const ledger_hash root);

/* Verifies a consistency proof (RFC 9162 §2.1.4.2).  Sizes equal: the proof
 * must be empty and the roots equal.  COOP_OK or COOP_E_BAD_PROOF. */
COOP_MUST_USE coop_err ledger_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                                        const ledger_hash old_root,
                                                        const ledger_hash new_root,
                                                        const ledger_proof *proof);

#endif
