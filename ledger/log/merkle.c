#include "ledger/log/merkle.h"
#include "ledger/base/sha256.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

void ledger_merkle_empty_root(ledger_hash out)
{
  coop_sha256(out, NULL, 0);
}

void ledger_merkle_node_hash(const ledger_hash left, const ledger_hash right, ledger_hash out)
{
  static const uint8_t node_prefix = 0x01;
  coop_sha256_parts(out, &node_prefix, 1, left, LEDGER_HASH_BYTES, right, LEDGER_HASH_BYTES);
}

void ledger_frontier_init(ledger_frontier *frontier)
{
  memset(frontier, 0, sizeof *frontier);
}

coop_err ledger_frontier_append(ledger_frontier *frontier, const ledger_hash leaf,
                                ledger_hash *completed, unsigned *completed_count)
{
  if (frontier->size >= COOP_LOG_ENTRIES_MAX)
    return COOP_E_LIMIT;
  ledger_hash carry;
  memcpy(carry, leaf, sizeof carry);
  unsigned level = 0;
  /* Like binary addition: each set bit merges with the carry one level up. */
  while ((frontier->size >> level) & 1u) {
    ledger_merkle_node_hash(frontier->level_hash[level], carry, carry);
    level++;
    memcpy(completed[level - 1], carry, sizeof carry);
  }
  memcpy(frontier->level_hash[level], carry, sizeof carry);
  frontier->size++;
  *completed_count = level;
  return COOP_OK;
}

void ledger_frontier_root(const ledger_frontier *frontier, ledger_hash out)
{
  if (frontier->size == 0) {
    ledger_merkle_empty_root(out);
    return;
  }
  /* The smallest subtree is the rightmost: fold from the lowest set bit up. */
  int have_root = 0;
  for (unsigned level = 0; level <= COOP_TREE_HEIGHT_MAX; level++) {
    if (!((frontier->size >> level) & 1u))
      continue;
    if (!have_root)
      memcpy(out, frontier->level_hash[level], LEDGER_HASH_BYTES);
    else
      ledger_merkle_node_hash(frontier->level_hash[level], out, out);
    have_root = 1;
  }
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
  assert(n >= 2);
  uint64_t k = 1;
  while (k * 2 < n)
    k *= 2;
  return k;
}

static int is_power_of_two(uint64_t n)
{
  return n && !(n & (n - 1));
}

static unsigned log2_exact(uint64_t n)
{
  unsigned level = 0;
  while ((UINT64_C(1) << level) < n)
    level++;
  return level;
}

/* MTH(D[start:start+count]).  The RFC's decomposition only ever asks for
 * ranges whose power-of-two parts are aligned, which is what the source holds. */
static coop_err subtree_hash(ledger_node_source source, void *context, uint64_t start,
                             uint64_t count, ledger_hash out)
{
  assert(count >= 1);
  if (is_power_of_two(count)) {
    assert(start % count == 0);
    return source(context, log2_exact(count), start / count, out);
  }
  uint64_t k = split_point(count);
  ledger_hash left, right;
  coop_err err = subtree_hash(source, context, start, k, left);
  if (!err)
    err = subtree_hash(source, context, start + k, count - k, right);
  if (!err)
    ledger_merkle_node_hash(left, right, out);
  return err;
}

coop_err ledger_merkle_root_at(ledger_node_source source, void *context, uint64_t size,
                               ledger_hash out)
{
  if (size == 0) {
    ledger_merkle_empty_root(out);
    return COOP_OK;
  }
  return subtree_hash(source, context, 0, size, out);
}

static void proof_reverse(ledger_proof *proof, unsigned from)
{
  for (unsigned i = from, j = proof->count; i + 1 < j; i++, j--)
    for (unsigned b = 0; b < LEDGER_HASH_BYTES; b++) {
      uint8_t swap = proof->hashes[i][b];
      proof->hashes[i][b] = proof->hashes[j - 1][b];
      proof->hashes[j - 1][b] = swap;
    }
}

coop_err ledger_merkle_inclusion_proof(ledger_node_source source, void *context, uint64_t index,
                                       uint64_t size, ledger_proof *proof)
{
  memset(proof, 0, sizeof *proof);
  if (index >= size || size > COOP_LOG_ENTRIES_MAX)
    return COOP_E_RANGE;
  uint64_t start = 0, count = size, m = index;
  /* Walk from the root down, collecting the sibling at each split; the RFC
   * lists them leaf first, so reverse at the end. */
  while (count > 1) {
    assert(proof->count < COOP_PROOF_HASHES_MAX);
    uint64_t k = split_point(count);
    coop_err err;
    if (m < k) {
      err = subtree_hash(source, context, start + k, count - k, proof->hashes[proof->count]);
      count = k;
    } else {
      err = subtree_hash(source, context, start, k, proof->hashes[proof->count]);
      m -= k;
      start += k;
      count -= k;
    }
    if (err) {
      memset(proof, 0, sizeof *proof);
      return err;
    }
    proof->count++;
  }
  proof_reverse(proof, 0);
  return COOP_OK;
}

coop_err ledger_merkle_consistency_proof(ledger_node_source source, void *context,
                                         uint64_t old_size, uint64_t new_size,
                                         ledger_proof *proof)
{
  memset(proof, 0, sizeof *proof);
  if (old_size == 0 || old_size > new_size || new_size > COOP_LOG_ENTRIES_MAX)
    return COOP_E_RANGE;
  if (old_size == new_size)
    return COOP_OK;
  /* SUBPROOF(m, D[start:start+n], b) unrolled: the hashes appended on the way
   * down come out in reverse order, after the base of the recursion. */
  ledger_proof tail;
  tail.count = 0;
  uint64_t start = 0, n = new_size, m = old_size;
  int whole_old_tree = 1;
  coop_err err = COOP_OK;
  while (m != n && !err) {
    uint64_t k = split_point(n);
    if (m <= k) {
      err = subtree_hash(source, context, start + k, n - k, tail.hashes[tail.count]);
      n = k;
    } else {
      err = subtree_hash(source, context, start, k, tail.hashes[tail.count]);
      m -= k;
      start += k;
      n -= k;
      whole_old_tree = 0;
    }
    tail.count++;
  }
  if (!err && !whole_old_tree) {
    err = subtree_hash(source, context, start, n, proof->hashes[0]);
    proof->count = 1;
  }
  if (err) {
    memset(proof, 0, sizeof *proof);
    return err;
  }
  for (unsigned i = tail.count; i > 0; i--)
    memcpy(proof->hashes[proof->count++], tail.hashes[i - 1], LEDGER_HASH_BYTES);
  return COOP_OK;
}

coop_err ledger_merkle_verify_inclusion(const ledger_hash leaf, uint64_t index, uint64_t size,
                                        const ledger_proof *proof, const ledger_hash root)
{
  if (index >= size || proof->count > COOP_PROOF_HASHES_MAX)
    return COOP_E_BAD_PROOF;
  uint64_t fn = index, sn = size - 1;
  ledger_hash r;
  memcpy(r, leaf, sizeof r);
  for (unsigned i = 0; i < proof->count; i++) {
    if (sn == 0)
      return COOP_E_BAD_PROOF;
    if ((fn & 1u) || fn == sn) {
      ledger_merkle_node_hash(proof->hashes[i], r, r);
      while (!(fn & 1u) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      ledger_merkle_node_hash(r, proof->hashes[i], r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || sodium_memcmp(r, root, LEDGER_HASH_BYTES) != 0)
    return COOP_E_BAD_PROOF;
  return COOP_OK;
}

coop_err ledger_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                          const ledger_hash old_root, const ledger_hash new_root,
                                          const ledger_proof *proof)
{
  if (old_size == 0 || old_size > new_size || proof->count > COOP_PROOF_HASHES_MAX)
    return COOP_E_BAD_PROOF;
  if (old_size == new_size) {
    if (proof->count != 0 || sodium_memcmp(old_root, new_root, LEDGER_HASH_BYTES) != 0)
      return COOP_E_BAD_PROOF;
    return COOP_OK;
  }
  if (proof->count == 0)
    return COOP_E_BAD_PROOF;
  /* When the old tree is a perfect subtree its root is the proof's implied
   * first element (RFC 9162 §2.1.4.2 step 2). */
  const uint8_t *path[COOP_PROOF_HASHES_MAX + 1];
  unsigned path_count = 0;
  if (is_power_of_two(old_size))
    path[path_count++] = old_root;
  for (unsigned i = 0; i < proof->count; i++)
    path[path_count++] = proof->hashes[i];

  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1u) {
    fn >>= 1;
    sn >>= 1;
  }
  ledger_hash fr, sr;
  memcpy(fr, path[0], sizeof fr);
  memcpy(sr, path[0], sizeof sr);
  for (unsigned i = 1; i < path_count; i++) {
    if (sn == 0)
      return COOP_E_BAD_PROOF;
    if ((fn & 1u) || fn == sn) {
      ledger_merkle_node_hash(path[i], fr, fr);
      ledger_merkle_node_hash(path[i], sr, sr);
      while (!(fn & 1u) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      ledger_merkle_node_hash(sr, path[i], sr);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || sodium_memcmp(fr, old_root, LEDGER_HASH_BYTES) != 0 ||
      sodium_memcmp(sr, new_root, LEDGER_HASH_BYTES) != 0)
    return COOP_E_BAD_PROOF;
  return COOP_OK;
}
