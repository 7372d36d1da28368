/* Tests for ledger/log/merkle.c: RFC 6962 / RFC 9162 known answers, the compact
 * frontier, proof generation and verification.
 *
 * The reference in this file is deliberately naive: leaf hashes in an array,
 * MTH, PATH and SUBPROOF written straight from RFC 9162 §2.1 as recursions,
 * and node hashes built by hand as SHA-256(0x01 || left || right).  The
 * known-answer vectors check the reference; the reference then checks the
 * library on many more trees than the vectors cover. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "ledger/base/limits.h"
#include "ledger/log/merkle.h"

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
}

TestSuite(merkle_rfc, .init = setup);
TestSuite(merkle, .init = setup);
TestSuite(merkle_proof, .init = setup);
TestSuite(merkle_corrupt, .init = setup);

/* ---- the naive reference ------------------------------------------- */

static void hash_leaf_data(const uint8_t *data, size_t data_bytes, ledger_hash out)
{
  uint8_t message[1 + 64];
  cr_assert_leq(data_bytes, 64u);
  message[0] = 0x00;
  if (data_bytes)
    memcpy(message + 1, data, data_bytes);
  crypto_hash_sha256(out, message, 1 + data_bytes);
}

static void hash_children(const ledger_hash left, const ledger_hash right, ledger_hash out)
{
  uint8_t message[1 + 2 * LEDGER_HASH_BYTES];
  message[0] = 0x01;
  memcpy(message + 1, left, LEDGER_HASH_BYTES);
  memcpy(message + 1 + LEDGER_HASH_BYTES, right, LEDGER_HASH_BYTES);
  crypto_hash_sha256(out, message, sizeof message);
}

static int is_power_of_two(uint64_t n)
{
  return n != 0 && (n & (n - 1)) == 0;
}

/* The largest power of two smaller than n (n >= 2), as RFC 9162 defines k. */
static uint64_t split_of(uint64_t n)
{
  uint64_t k = 1;
  while (k < n)
    k <<= 1;
  return k >> 1;
}

static unsigned log2_of(uint64_t power)
{
  unsigned level = 0;
  while ((UINT64_C(1) << level) != power)
    level++;
  return level;
}

#define FOREST_LEAVES 2048u
#define FOREST_LEVELS 12u /* levels 0..11: 2^11 = 2048 */

/* A set of leaf hashes and, optionally, every perfect node over them
 * computed by plain recursion (a cache that keeps the randomized tests fast;
 * every entry is the naive MTH of its range). */
typedef struct reference {
  const ledger_hash *leaves;
  uint64_t leaf_count;
  ledger_hash (*perfect)[FOREST_LEAVES]; /* [level][position] or NULL */
} reference;

static void naive_mth(const reference *ref, uint64_t start, uint64_t count, ledger_hash out);

static void naive_mth_uncached(const reference *ref, uint64_t start, uint64_t count,
                               ledger_hash out)
{
  if (count == 0) {
    crypto_hash_sha256(out, NULL, 0);
    return;
  }
  cr_assert_leq(start + count, ref->leaf_count, "reference asked past its leaves");
  if (count == 1) {
    memcpy(out, ref->leaves[start], LEDGER_HASH_BYTES);
    return;
  }
  uint64_t k = split_of(count);
  ledger_hash left, right;
  naive_mth(ref, start, k, left);
  naive_mth(ref, start + k, count - k, right);
  hash_children(left, right, out);
}

/* MTH(D[start : start + count]). */
static void naive_mth(const reference *ref, uint64_t start, uint64_t count, ledger_hash out)
{
  if (ref->perfect && count > 1 && is_power_of_two(count) && start % count == 0) {
    memcpy(out, ref->perfect[log2_of(count)][start / count], LEDGER_HASH_BYTES);
    return;
  }
  naive_mth_uncached(ref, start, count, out);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[start : start + n]), nearest the leaf first;
 * bit i of *right_bits says whether element i is a right sibling. */
static void naive_path(const reference *ref, uint64_t m, uint64_t start, uint64_t n,
                       ledger_proof *proof, uint64_t *right_bits)
{
  if (n == 1)
    return;
  uint64_t k = split_of(n);
  cr_assert_lt(proof->count, COOP_PROOF_HASHES_MAX);
  if (m < k) {
    naive_path(ref, m, start, k, proof, right_bits);
    naive_mth(ref, start + k, n - k, proof->hashes[proof->count]);
    *right_bits |= UINT64_C(1) << proof->count;
  } else {
    naive_path(ref, m - k, start + k, n - k, proof, right_bits);
    naive_mth(ref, start, k, proof->hashes[proof->count]);
  }
  proof->count++;
}

static void naive_inclusion(const reference *ref, uint64_t index, uint64_t size,
                            ledger_proof *proof)
{
  uint64_t right_bits = 0;
  memset(proof, 0, sizeof *proof);
  naive_path(ref, index, 0, size, proof, &right_bits);
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[start : start + n], b). */
static void naive_subproof(const reference *ref, uint64_t m, uint64_t start, uint64_t n,
                           int whole_old_tree, ledger_proof *proof)
{
  if (m == n) {
    if (!whole_old_tree)
      naive_mth(ref, start, n, proof->hashes[proof->count++]);
    return;
  }
  uint64_t k = split_of(n);
  if (m <= k) {
    naive_subproof(ref, m, start, k, whole_old_tree, proof);
    naive_mth(ref, start + k, n - k, proof->hashes[proof->count++]);
  } else {
    naive_subproof(ref, m - k, start + k, n - k, 0, proof);
    naive_mth(ref, start, k, proof->hashes[proof->count++]);
  }
}

static void naive_consistency(const reference *ref, uint64_t old_size, uint64_t new_size,
                              ledger_proof *proof)
{
  memset(proof, 0, sizeof *proof);
  naive_subproof(ref, old_size, 0, new_size, 1, proof);
}

/* The shape of an inclusion proof: its length and, per element, whether
 * the sibling is on the right.  A verifier computes the same root from the
 * same hashes for two (index, size) pairs exactly when their shapes agree. */
static void inclusion_shape(uint64_t m, uint64_t n, unsigned *count, uint64_t *right_bits)
{
  if (n == 1) {
    *count = 0;
    *right_bits = 0;
    return;
  }
  uint64_t k = split_of(n);
  if (m < k) {
    inclusion_shape(m, k, count, right_bits);
    *right_bits |= UINT64_C(1) << *count;
  } else {
    inclusion_shape(m - k, n - k, count, right_bits);
  }
  (*count)++;
}

/* The hash-free control flow of RFC 9162 §2.1.4.2 for a proof of
 * `proof_count` hashes: whether the old root is prepended, and for each
 * further element whether it folds into both roots ('B') or only into the
 * new one from the right ('R').  Two size pairs with the same shape compute
 * the same roots from the same hashes. */
typedef struct consistency_shape {
  int feasible;
  int prepend;
  unsigned ops_count;
  char ops[COOP_PROOF_HASHES_MAX + 2];
} consistency_shape;

static void consistency_shape_of(uint64_t m, uint64_t n, unsigned proof_count,
                                 consistency_shape *shape)
{
  memset(shape, 0, sizeof *shape);
  if (m == 0 || m >= n || proof_count == 0)
    return;
  shape->prepend = is_power_of_two(m);
  unsigned path_count = proof_count + (unsigned)shape->prepend;
  uint64_t fn = m - 1, sn = n - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (unsigned i = 1; i < path_count; i++) {
    if (sn == 0)
      return;
    if ((fn & 1) || fn == sn) {
      shape->ops[shape->ops_count++] = 'B';
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      shape->ops[shape->ops_count++] = 'R';
    }
    fn >>= 1;
    sn >>= 1;
  }
  shape->feasible = sn == 0;
}

static int consistency_shapes_equal(const consistency_shape *a, const consistency_shape *b)
{
  return a->feasible && b->feasible && a->prepend == b->prepend &&
         a->ops_count == b->ops_count && memcmp(a->ops, b->ops, a->ops_count) == 0;
}

/* ---- the node source ------------------------------------------------- */

typedef struct tree_source {
  const reference *ref;
  uint64_t size;          /* the tree the source holds: no node past it exists */
  unsigned calls;
  unsigned out_of_range;  /* requests for nodes that are not perfect nodes of the tree */
  unsigned fail_at_call;  /* 1-based; 0: never fail */
  coop_err fail_with;
} tree_source;

static coop_err source_get(void *context, unsigned level, uint64_t position, ledger_hash out)
{
  tree_source *source = context;
  source->calls++;
  if (source->fail_at_call && source->calls == source->fail_at_call)
    return source->fail_with;
  if (level > 63 || position >= (source->size >> level)) {
    source->out_of_range++;
    return COOP_E_NOT_FOUND;
  }
  naive_mth(source->ref, position << level, UINT64_C(1) << level, out);
  return COOP_OK;
}

static tree_source source_for(const reference *ref, uint64_t size)
{
  tree_source source;
  memset(&source, 0, sizeof source);
  source.ref = ref;
  source.size = size;
  return source;
}

/* ---- the random forest ---------------------------------------------- */

static uint64_t next_random(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Uniform in [low, high]. */
static uint64_t random_between(uint64_t *state, uint64_t low, uint64_t high)
{
  return low + next_random(state) % (high - low + 1);
}

static ledger_hash forest_leaves[FOREST_LEAVES];
static ledger_hash forest_perfect[FOREST_LEVELS][FOREST_LEAVES];
static reference forest;

/* 2048 leaves of random data, and every perfect node over them by plain
 * recursion (no cache while filling). */
static const reference *forest_build(void)
{
  uint64_t state = UINT64_C(0x636f6f70); /* fixed seed: "coop" */
  for (unsigned i = 0; i < FOREST_LEAVES; i++) {
    uint8_t data[24];
    for (unsigned b = 0; b < sizeof data; b += 8) {
      uint64_t r = next_random(&state);
      memcpy(data + b, &r, 8);
    }
    /* Lengths 8..24: varied, and long enough that no two leaves are equal. */
    hash_leaf_data(data, 8 + (size_t)(i % 17), forest_leaves[i]);
  }
  /* The corruption tests swap in "another leaf": it must really differ. */
  for (unsigned i = 0; i < FOREST_LEAVES; i++)
    for (unsigned j = i + 1; j < FOREST_LEAVES; j++)
      cr_assert_neq(memcmp(forest_leaves[i], forest_leaves[j], 8), 0, "leaves %u, %u", i, j);
  reference uncached = {forest_leaves, FOREST_LEAVES, NULL};
  for (unsigned level = 0; level < FOREST_LEVELS; level++)
    for (uint64_t position = 0; position < (FOREST_LEAVES >> level); position++)
      naive_mth_uncached(&uncached, position << level, UINT64_C(1) << level,
                         forest_perfect[level][position]);
  forest.leaves = forest_leaves;
  forest.leaf_count = FOREST_LEAVES;
  forest.perfect = forest_perfect;
  return &forest;
}

static void assert_proofs_equal(const ledger_proof *got, const ledger_proof *expected,
                                const char *what, uint64_t a, uint64_t b)
{
  cr_assert_eq(got->count, expected->count, "%s (%llu, %llu): %u hashes, expected %u", what,
               (unsigned long long)a, (unsigned long long)b, got->count, expected->count);
  for (unsigned i = 0; i < got->count; i++)
    cr_assert_arr_eq(got->hashes[i], expected->hashes[i], LEDGER_HASH_BYTES,
                     "%s (%llu, %llu): hash %u differs", what, (unsigned long long)a,
                     (unsigned long long)b, i);
}

/* ---- RFC 6962 vectors ------------------------------------------------ */

static json_t *load_vectors(void)
{
  const char *dir = getenv("COOP_TEST_DATA");
  cr_assert_not_null(dir, "COOP_TEST_DATA is not set");
  char path[4096];
  snprintf(path, sizeof path, "%s/merkle-rfc6962-sha256.json", dir);
  json_error_t error;
  json_t *root = json_load_file(path, 0, &error);
  cr_assert_not_null(root, "%s: %s", path, error.text);
  return root;
}

static void hash_from_hex(const char *hex, ledger_hash out)
{
  size_t decoded = 0;
  cr_assert_not_null(hex);
  cr_assert_eq(strlen(hex), 2 * LEDGER_HASH_BYTES, "'%s' is not a hash", hex);
  cr_assert_eq(sodium_hex2bin(out, LEDGER_HASH_BYTES, hex, strlen(hex), NULL, &decoded, NULL), 0);
  cr_assert_eq(decoded, LEDGER_HASH_BYTES);
}

static void proof_from_json(const json_t *array, ledger_proof *proof)
{
  memset(proof, 0, sizeof *proof);
  cr_assert(json_is_array(array));
  cr_assert_leq(json_array_size(array), COOP_PROOF_HASHES_MAX);
  for (size_t i = 0; i < json_array_size(array); i++)
    hash_from_hex(json_string_value(json_array_get(array, i)), proof->hashes[proof->count++]);
}

static uint64_t json_size(const json_t *object, const char *key)
{
  json_t *value = json_object_get(object, key);
  cr_assert(json_is_integer(value), "missing integer '%s'", key);
  cr_assert_geq(json_integer_value(value), 0);
  return (uint64_t)json_integer_value(value);
}

#define RFC_LEAVES 8u

/* The eight vector leaves, hashed as SHA-256(0x00 || leaf) in this file. */
static void rfc_leaf_hashes(const json_t *vectors, ledger_hash leaves[RFC_LEAVES])
{
  json_t *array = json_object_get(vectors, "leaves_hex");
  cr_assert_eq(json_array_size(array), RFC_LEAVES);
  for (size_t i = 0; i < RFC_LEAVES; i++) {
    const char *hex = json_string_value(json_array_get(array, i));
    cr_assert_not_null(hex);
    uint8_t data[64];
    size_t decoded = 0;
    cr_assert_eq(sodium_hex2bin(data, sizeof data, hex, strlen(hex), NULL, &decoded, NULL), 0);
    cr_assert_eq(decoded * 2, strlen(hex));
    hash_leaf_data(data, decoded, leaves[i]);
  }
}

static void rfc_root(const json_t *vectors, uint64_t size, ledger_hash out)
{
  char key[24];
  snprintf(key, sizeof key, "%llu", (unsigned long long)size);
  hash_from_hex(json_string_value(json_object_get(json_object_get(vectors, "roots_by_size"), key)),
                out);
}

Test(merkle_rfc, empty_root)
{
  json_t *vectors = load_vectors();
  ledger_hash expected, out;
  hash_from_hex(json_string_value(json_object_get(vectors, "empty_root")), expected);
  ledger_merkle_empty_root(out);
  cr_assert_arr_eq(out, expected, sizeof out);

  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  cr_assert_eq(frontier.size, 0u);
  memset(out, 0xAA, sizeof out);
  ledger_frontier_root(&frontier, out);
  cr_assert_arr_eq(out, expected, sizeof out);

  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  reference ref = {leaves, RFC_LEAVES, NULL};
  tree_source source = source_for(&ref, 0);
  memset(out, 0xAA, sizeof out);
  cr_assert_eq(ledger_merkle_root_at(source_get, &source, 0, out), COOP_OK);
  cr_assert_arr_eq(out, expected, sizeof out);
  cr_assert_eq(source.calls, 0u);
  json_decref(vectors);
}

Test(merkle_rfc, node_hash_is_prefixed_sha256)
{
  ledger_hash left, right, expected, out;
  for (unsigned i = 0; i < LEDGER_HASH_BYTES; i++) {
    left[i] = (uint8_t)i;
    right[i] = (uint8_t)(0xff - i);
  }
  hash_children(left, right, expected);
  ledger_merkle_node_hash(left, right, out);
  cr_assert_arr_eq(out, expected, sizeof out);
  /* The output may alias an input, as the frontier relies on. */
  memcpy(out, right, sizeof out);
  ledger_merkle_node_hash(left, out, out);
  cr_assert_arr_eq(out, expected, sizeof out);
  memcpy(out, left, sizeof out);
  ledger_merkle_node_hash(out, right, out);
  cr_assert_arr_eq(out, expected, sizeof out);
}

Test(merkle_rfc, naive_reference_reproduces_vector_roots)
{
  /* The reference must agree with the independent vectors before it is
   * trusted with anything else. */
  json_t *vectors = load_vectors();
  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  reference ref = {leaves, RFC_LEAVES, NULL};
  for (uint64_t size = 1; size <= RFC_LEAVES; size++) {
    ledger_hash expected, out;
    rfc_root(vectors, size, expected);
    naive_mth(&ref, 0, size, out);
    cr_assert_arr_eq(out, expected, sizeof out, "size %llu", (unsigned long long)size);
  }
  json_decref(vectors);
}

Test(merkle_rfc, roots_by_size_from_frontier_and_root_at)
{
  json_t *vectors = load_vectors();
  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  reference ref = {leaves, RFC_LEAVES, NULL};
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  for (uint64_t size = 1; size <= RFC_LEAVES; size++) {
    ledger_hash completed[COOP_TREE_HEIGHT_MAX];
    unsigned completed_count = 99;
    cr_assert_eq(ledger_frontier_append(&frontier, leaves[size - 1], completed, &completed_count),
                 COOP_OK);
    cr_assert_eq(frontier.size, size);
    ledger_hash expected, out;
    rfc_root(vectors, size, expected);
    ledger_frontier_root(&frontier, out);
    cr_assert_arr_eq(out, expected, sizeof out, "frontier root of size %llu",
                     (unsigned long long)size);

    tree_source source = source_for(&ref, size);
    memset(out, 0, sizeof out);
    cr_assert_eq(ledger_merkle_root_at(source_get, &source, size, out), COOP_OK);
    cr_assert_arr_eq(out, expected, sizeof out, "root_at %llu", (unsigned long long)size);
    cr_assert_eq(source.out_of_range, 0u);
  }
  json_decref(vectors);
}

Test(merkle_rfc, inclusion_proofs_generated_and_verified)
{
  json_t *vectors = load_vectors();
  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  reference ref = {leaves, RFC_LEAVES, NULL};
  json_t *cases = json_object_get(vectors, "inclusion_proofs");
  cr_assert_gt(json_array_size(cases), 0u);
  for (size_t c = 0; c < json_array_size(cases); c++) {
    json_t *vector = json_array_get(cases, c);
    uint64_t index = json_size(vector, "leaf_index");
    uint64_t size = json_size(vector, "tree_size");
    ledger_proof expected, generated;
    proof_from_json(json_object_get(vector, "proof"), &expected);
    ledger_hash root;
    rfc_root(vectors, size, root);

    cr_assert_eq(ledger_merkle_verify_inclusion(leaves[index], index, size, &expected, root),
                 COOP_OK, "vector proof (%llu, %llu) rejected", (unsigned long long)index,
                 (unsigned long long)size);

    tree_source source = source_for(&ref, size);
    cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, index, size, &generated),
                 COOP_OK);
    cr_assert_eq(source.out_of_range, 0u);
    assert_proofs_equal(&generated, &expected, "inclusion", index, size);
    cr_assert_eq(ledger_merkle_verify_inclusion(leaves[index], index, size, &generated, root),
                 COOP_OK);
  }
  json_decref(vectors);
}

Test(merkle_rfc, consistency_proofs_generated_and_verified)
{
  json_t *vectors = load_vectors();
  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  reference ref = {leaves, RFC_LEAVES, NULL};
  json_t *cases = json_object_get(vectors, "consistency_proofs");
  cr_assert_gt(json_array_size(cases), 0u);
  for (size_t c = 0; c < json_array_size(cases); c++) {
    json_t *vector = json_array_get(cases, c);
    uint64_t old_size = json_size(vector, "size1");
    uint64_t new_size = json_size(vector, "size2");
    ledger_proof expected, generated;
    proof_from_json(json_object_get(vector, "proof"), &expected);
    ledger_hash old_root, new_root;
    rfc_root(vectors, old_size, old_root);
    rfc_root(vectors, new_size, new_root);

    cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                                  &expected),
                 COOP_OK, "vector proof (%llu, %llu) rejected", (unsigned long long)old_size,
                 (unsigned long long)new_size);

    tree_source source = source_for(&ref, new_size);
    cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, old_size, new_size,
                                                 &generated),
                 COOP_OK);
    cr_assert_eq(source.out_of_range, 0u);
    assert_proofs_equal(&generated, &expected, "consistency", old_size, new_size);
    cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                                  &generated),
                 COOP_OK);
  }
  json_decref(vectors);
}

Test(merkle_rfc, every_bit_flip_in_vector_proofs_rejected)
{
  json_t *vectors = load_vectors();
  ledger_hash leaves[RFC_LEAVES];
  rfc_leaf_hashes(vectors, leaves);
  unsigned rejected = 0;

  json_t *cases = json_object_get(vectors, "inclusion_proofs");
  for (size_t c = 0; c < json_array_size(cases); c++) {
    json_t *vector = json_array_get(cases, c);
    uint64_t index = json_size(vector, "leaf_index");
    uint64_t size = json_size(vector, "tree_size");
    ledger_proof proof;
    proof_from_json(json_object_get(vector, "proof"), &proof);
    ledger_hash root;
    rfc_root(vectors, size, root);
    for (unsigned h = 0; h < proof.count; h++)
      for (unsigned bit = 0; bit < 8 * LEDGER_HASH_BYTES; bit++) {
        proof.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_assert_eq(ledger_merkle_verify_inclusion(leaves[index], index, size, &proof, root),
                     COOP_E_BAD_PROOF, "inclusion (%llu, %llu) hash %u bit %u",
                     (unsigned long long)index, (unsigned long long)size, h, bit);
        proof.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rejected++;
      }
    /* Each bit of the leaf and of the root too. */
    for (unsigned bit = 0; bit < 8 * LEDGER_HASH_BYTES; bit++) {
      ledger_hash leaf, bad_root;
      memcpy(leaf, leaves[index], sizeof leaf);
      memcpy(bad_root, root, sizeof bad_root);
      leaf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      bad_root[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      cr_assert_eq(ledger_merkle_verify_inclusion(leaf, index, size, &proof, root),
                   COOP_E_BAD_PROOF);
      cr_assert_eq(ledger_merkle_verify_inclusion(leaves[index], index, size, &proof, bad_root),
                   COOP_E_BAD_PROOF);
      rejected += 2;
    }
  }

  cases = json_object_get(vectors, "consistency_proofs");
  for (size_t c = 0; c < json_array_size(cases); c++) {
    json_t *vector = json_array_get(cases, c);
    uint64_t old_size = json_size(vector, "size1");
    uint64_t new_size = json_size(vector, "size2");
    ledger_proof proof;
    proof_from_json(json_object_get(vector, "proof"), &proof);
    ledger_hash old_root, new_root;
    rfc_root(vectors, old_size, old_root);
    rfc_root(vectors, new_size, new_root);
    for (unsigned h = 0; h < proof.count; h++)
      for (unsigned bit = 0; bit < 8 * LEDGER_HASH_BYTES; bit++) {
        proof.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                                      &proof),
                     COOP_E_BAD_PROOF, "consistency (%llu, %llu) hash %u bit %u",
                     (unsigned long long)old_size, (unsigned long long)new_size, h, bit);
        proof.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rejected++;
      }
    for (unsigned bit = 0; bit < 8 * LEDGER_HASH_BYTES; bit++) {
      ledger_hash bad_old, bad_new;
      memcpy(bad_old, old_root, sizeof bad_old);
      memcpy(bad_new, new_root, sizeof bad_new);
      bad_old[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      bad_new[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, bad_old, new_root,
                                                    &proof),
                   COOP_E_BAD_PROOF, "old root bit %u (%llu, %llu)", bit,
                   (unsigned long long)old_size, (unsigned long long)new_size);
      cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, bad_new,
                                                    &proof),
                   COOP_E_BAD_PROOF, "new root bit %u", bit);
      rejected += 2;
    }
  }
  cr_assert_gt(rejected, 10000u, "only %u rejections", rejected);
  json_decref(vectors);
}

/* ---- the frontier ----------------------------------------------------- */

static unsigned trailing_ones(uint64_t n)
{
  unsigned count = 0;
  while (n & 1) {
    n >>= 1;
    count++;
  }
  return count;
}

Test(merkle, frontier_matches_naive_at_every_size_up_to_2048)
{
  const reference *ref = forest_build();
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  for (uint64_t index = 0; index < FOREST_LEAVES; index++) {
    ledger_hash completed[COOP_TREE_HEIGHT_MAX];
    unsigned completed_count = 999;
    memset(completed, 0, sizeof completed);
    cr_assert_eq(ledger_frontier_append(&frontier, ref->leaves[index], completed,
                                        &completed_count),
                 COOP_OK);
    cr_assert_eq(frontier.size, index + 1);

    /* Completed nodes: levels 1..t, t the trailing one bits of the index,
     * each the perfect node that ends at this leaf. */
    cr_assert_eq(completed_count, trailing_ones(index), "index %llu",
                 (unsigned long long)index);
    for (unsigned i = 0; i < completed_count; i++) {
      unsigned level = i + 1;
      ledger_hash expected;
      naive_mth(ref, (index >> level) << level, UINT64_C(1) << level, expected);
      cr_assert_arr_eq(completed[i], expected, LEDGER_HASH_BYTES,
                       "index %llu: completed node at level %u", (unsigned long long)index,
                       level);
    }

    ledger_hash expected, out;
    naive_mth(ref, 0, index + 1, expected);
    ledger_frontier_root(&frontier, out);
    cr_assert_arr_eq(out, expected, sizeof out, "root of size %llu",
                     (unsigned long long)(index + 1));
  }
}

Test(merkle, frontier_level_hashes_are_the_perfect_subtrees)
{
  const reference *ref = forest_build();
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  uint64_t state = 7;
  uint64_t size = 0;
  for (int round = 0; round < 40; round++) {
    uint64_t target = random_between(&state, size + 1, size + 60);
    if (target > FOREST_LEAVES)
      break;
    for (; size < target; size++) {
      ledger_hash completed[COOP_TREE_HEIGHT_MAX];
      unsigned completed_count;
      cr_assert_eq(ledger_frontier_append(&frontier, ref->leaves[size], completed,
                                          &completed_count),
                   COOP_OK);
    }
    /* Bit L of size set: level_hash[L] is MTH of the 2^L leaves that the
     * higher bits do not cover. */
    uint64_t start = 0;
    for (int level = (int)COOP_TREE_HEIGHT_MAX; level >= 0; level--) {
      if (!((size >> level) & 1))
        continue;
      ledger_hash expected;
      naive_mth(ref, start, UINT64_C(1) << level, expected);
      cr_assert_arr_eq(frontier.level_hash[level], expected, LEDGER_HASH_BYTES,
                       "size %llu level %d", (unsigned long long)size, level);
      start += UINT64_C(1) << level;
    }
    cr_assert_eq(start, size);
  }
}

Test(merkle, root_at_matches_naive_for_every_size_up_to_2048)
{
  const reference *ref = forest_build();
  for (uint64_t size = 0; size <= FOREST_LEAVES; size++) {
    tree_source source = source_for(ref, size);
    ledger_hash expected, out;
    naive_mth(ref, 0, size, expected);
    cr_assert_eq(ledger_merkle_root_at(source_get, &source, size, out), COOP_OK);
    cr_assert_arr_eq(out, expected, sizeof out, "size %llu", (unsigned long long)size);
    cr_assert_eq(source.out_of_range, 0u, "size %llu asked for a node past the tree",
                 (unsigned long long)size);
    /* One stored node per set bit of the size: O(log n) reads. */
    cr_assert_eq(source.calls, (unsigned)__builtin_popcountll(size), "size %llu",
                 (unsigned long long)size);
  }
}

Test(merkle, root_at_of_a_prefix_reads_only_the_prefix)
{
  const reference *ref = forest_build();
  uint64_t state = 99;
  for (int round = 0; round < 200; round++) {
    uint64_t size = random_between(&state, 1, FOREST_LEAVES);
    uint64_t prefix = random_between(&state, 1, size);
    /* The source holds only `prefix` leaves: root_at(prefix) must not need more. */
    tree_source source = source_for(ref, prefix);
    ledger_hash expected, out;
    naive_mth(ref, 0, prefix, expected);
    cr_assert_eq(ledger_merkle_root_at(source_get, &source, prefix, out), COOP_OK);
    cr_assert_arr_eq(out, expected, sizeof out);
  }
}

Test(merkle, frontier_append_refused_when_log_is_full)
{
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  frontier.size = COOP_LOG_ENTRIES_MAX;
  ledger_hash leaf, completed[COOP_TREE_HEIGHT_MAX];
  memset(leaf, 1, sizeof leaf);
  unsigned completed_count = 0;
  ledger_frontier before = frontier;
  cr_assert_eq(ledger_frontier_append(&frontier, leaf, completed, &completed_count),
               COOP_E_LIMIT);
  cr_assert_eq(memcmp(&frontier, &before, sizeof frontier), 0, "frontier changed on failure");
}

/* Trees whose leaves are all equal: every perfect node at level L is the
 * same hash, so trees of up to 2^48 leaves have a naive reference too. */
typedef struct uniform_tree {
  ledger_hash level[COOP_TREE_HEIGHT_MAX + 1];
  uint64_t size;
  unsigned out_of_range;
} uniform_tree;

static void uniform_init(uniform_tree *tree, uint64_t size)
{
  memset(tree, 0, sizeof *tree);
  hash_leaf_data((const uint8_t *)"same", 4, tree->level[0]);
  for (unsigned level = 1; level <= COOP_TREE_HEIGHT_MAX; level++)
    hash_children(tree->level[level - 1], tree->level[level - 1], tree->level[level]);
  tree->size = size;
}

static void uniform_mth(const uniform_tree *tree, uint64_t count, ledger_hash out)
{
  if (is_power_of_two(count)) {
    memcpy(out, tree->level[log2_of(count)], LEDGER_HASH_BYTES);
    return;
  }
  uint64_t k = split_of(count);
  ledger_hash right;
  uniform_mth(tree, count - k, right);
  hash_children(tree->level[log2_of(k)], right, out);
}

static coop_err uniform_get(void *context, unsigned level, uint64_t position, ledger_hash out)
{
  uniform_tree *tree = context;
  if (level > COOP_TREE_HEIGHT_MAX || position >= (tree->size >> level)) {
    tree->out_of_range++;
    return COOP_E_NOT_FOUND;
  }
  memcpy(out, tree->level[level], LEDGER_HASH_BYTES);
  return COOP_OK;
}

Test(merkle, frontier_fills_the_largest_log)
{
  /* The append that makes the log full carries through all 48 levels. */
  uniform_tree tree;
  uniform_init(&tree, COOP_LOG_ENTRIES_MAX);
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  frontier.size = COOP_LOG_ENTRIES_MAX - 1;
  for (unsigned level = 0; level < COOP_TREE_HEIGHT_MAX; level++)
    memcpy(frontier.level_hash[level], tree.level[level], LEDGER_HASH_BYTES);

  ledger_hash expected, out;
  uniform_mth(&tree, COOP_LOG_ENTRIES_MAX - 1, expected);
  ledger_frontier_root(&frontier, out);
  cr_assert_arr_eq(out, expected, sizeof out);

  ledger_hash completed[COOP_TREE_HEIGHT_MAX];
  unsigned completed_count = 0;
  cr_assert_eq(ledger_frontier_append(&frontier, tree.level[0], completed, &completed_count),
               COOP_OK);
  cr_assert_eq(frontier.size, COOP_LOG_ENTRIES_MAX);
  cr_assert_eq(completed_count, COOP_TREE_HEIGHT_MAX);
  for (unsigned i = 0; i < completed_count; i++)
    cr_assert_arr_eq(completed[i], tree.level[i + 1], LEDGER_HASH_BYTES, "level %u", i + 1);
  ledger_frontier_root(&frontier, out);
  cr_assert_arr_eq(out, tree.level[COOP_TREE_HEIGHT_MAX], sizeof out);

  cr_assert_eq(ledger_frontier_append(&frontier, tree.level[0], completed, &completed_count),
               COOP_E_LIMIT);
  cr_assert_eq(frontier.size, COOP_LOG_ENTRIES_MAX);
}

/* ---- proofs against the reference ------------------------------------ */

static void check_inclusion(const reference *ref, uint64_t index, uint64_t size)
{
  tree_source source = source_for(ref, size);
  ledger_proof generated, expected;
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, index, size, &generated),
               COOP_OK, "inclusion (%llu, %llu)", (unsigned long long)index,
               (unsigned long long)size);
  cr_assert_eq(source.out_of_range, 0u, "inclusion (%llu, %llu) read past the tree",
               (unsigned long long)index, (unsigned long long)size);
  naive_inclusion(ref, index, size, &expected);
  assert_proofs_equal(&generated, &expected, "inclusion", index, size);
  ledger_hash root;
  naive_mth(ref, 0, size, root);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[index], index, size, &generated, root),
               COOP_OK, "inclusion (%llu, %llu) does not verify", (unsigned long long)index,
               (unsigned long long)size);
}

static void check_consistency(const reference *ref, uint64_t old_size, uint64_t new_size)
{
  tree_source source = source_for(ref, new_size);
  ledger_proof generated, expected;
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, old_size, new_size,
                                               &generated),
               COOP_OK, "consistency (%llu, %llu)", (unsigned long long)old_size,
               (unsigned long long)new_size);
  cr_assert_eq(source.out_of_range, 0u, "consistency (%llu, %llu) read past the tree",
               (unsigned long long)old_size, (unsigned long long)new_size);
  naive_consistency(ref, old_size, new_size, &expected);
  assert_proofs_equal(&generated, &expected, "consistency", old_size, new_size);
  ledger_hash old_root, new_root;
  naive_mth(ref, 0, old_size, old_root);
  naive_mth(ref, 0, new_size, new_root);
  cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                                &generated),
               COOP_OK, "consistency (%llu, %llu) does not verify", (unsigned long long)old_size,
               (unsigned long long)new_size);
}

Test(merkle_proof, inclusion_every_index_of_every_size_up_to_64)
{
  const reference *ref = forest_build();
  for (uint64_t size = 1; size <= 64; size++)
    for (uint64_t index = 0; index < size; index++)
      check_inclusion(ref, index, size);
}

Test(merkle_proof, inclusion_random_sizes_up_to_2048)
{
  const reference *ref = forest_build();
  uint64_t state = 2026;
  for (int round = 0; round < 250; round++) {
    uint64_t size = random_between(&state, 65, FOREST_LEAVES);
    uint64_t picks[] = {0, size - 1, size / 2, split_of(size), split_of(size) - 1,
                        random_between(&state, 0, size - 1), random_between(&state, 0, size - 1),
                        random_between(&state, 0, size - 1), random_between(&state, 0, size - 1)};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
      check_inclusion(ref, picks[i], size);
  }
  /* Powers of two and their neighbours. */
  for (uint64_t size = 64; size <= FOREST_LEAVES; size *= 2) {
    check_inclusion(ref, size - 1, size);
    check_inclusion(ref, 0, size - 1);
    if (size < FOREST_LEAVES)
      check_inclusion(ref, size, size + 1);
  }
}

Test(merkle_proof, inclusion_proof_length_is_the_path_length)
{
  const reference *ref = forest_build();
  for (uint64_t size = 1; size <= 300; size++) {
    unsigned ceil_log2 = 0;
    while ((UINT64_C(1) << ceil_log2) < size)
      ceil_log2++;
    for (uint64_t index = 0; index < size; index += 7) {
      tree_source source = source_for(ref, size);
      ledger_proof proof;
      cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, index, size, &proof),
                   COOP_OK);
      cr_assert_leq(proof.count, ceil_log2);
      if (is_power_of_two(size))
        cr_assert_eq(proof.count, ceil_log2);
    }
  }
}

Test(merkle_proof, consistency_every_pair_up_to_64)
{
  const reference *ref = forest_build();
  for (uint64_t new_size = 1; new_size <= 64; new_size++)
    for (uint64_t old_size = 1; old_size <= new_size; old_size++)
      check_consistency(ref, old_size, new_size);
}

Test(merkle_proof, consistency_random_pairs_up_to_2048)
{
  const reference *ref = forest_build();
  uint64_t state = 1962;
  for (int round = 0; round < 600; round++) {
    uint64_t new_size = random_between(&state, 2, FOREST_LEAVES);
    uint64_t old_size = random_between(&state, 1, new_size);
    check_consistency(ref, old_size, new_size);
  }
  for (uint64_t size = 64; size <= FOREST_LEAVES; size *= 2) {
    check_consistency(ref, size, FOREST_LEAVES);
    check_consistency(ref, size - 1, size);
    check_consistency(ref, 1, size);
    check_consistency(ref, size / 2 + 1, size);
    if (size < FOREST_LEAVES)
      check_consistency(ref, size, size + 1);
  }
}

Test(merkle_proof, equal_sizes_give_empty_consistency_proof_without_reads)
{
  const reference *ref = forest_build();
  for (uint64_t size = 1; size <= 100; size++) {
    tree_source source = source_for(ref, size);
    ledger_proof proof;
    memset(&proof, 0xAA, sizeof proof);
    cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, size, size, &proof),
                 COOP_OK);
    cr_assert_eq(proof.count, 0u);
    ledger_hash root;
    naive_mth(ref, 0, size, root);
    cr_assert_eq(ledger_merkle_verify_consistency(size, size, root, root, &proof), COOP_OK);
  }
}

Test(merkle_proof, proofs_in_the_largest_log)
{
  uniform_tree tree;
  uniform_init(&tree, COOP_LOG_ENTRIES_MAX);
  uint64_t state = 5;
  const uint64_t max = COOP_LOG_ENTRIES_MAX;
  uint64_t indices[] = {0, 1, max / 2, max - 2, max - 1, random_between(&state, 0, max - 1)};
  ledger_hash root;
  uniform_mth(&tree, max, root);
  for (size_t i = 0; i < sizeof indices / sizeof indices[0]; i++) {
    ledger_proof proof;
    cr_assert_eq(ledger_merkle_inclusion_proof(uniform_get, &tree, indices[i], max, &proof),
                 COOP_OK);
    cr_assert_eq(proof.count, COOP_TREE_HEIGHT_MAX);
    cr_assert_eq(ledger_merkle_verify_inclusion(tree.level[0], indices[i], max, &proof, root),
                 COOP_OK, "index %llu", (unsigned long long)indices[i]);
  }
  uint64_t sizes[] = {max - 1, max - 3, (UINT64_C(1) << 47) + 12345,
                      random_between(&state, 2, max - 1)};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    uniform_tree smaller;
    uniform_init(&smaller, sizes[i]);
    ledger_hash small_root;
    uniform_mth(&smaller, sizes[i], small_root);
    ledger_proof proof;
    cr_assert_eq(ledger_merkle_inclusion_proof(uniform_get, &smaller, sizes[i] - 1, sizes[i],
                                               &proof),
                 COOP_OK);
    cr_assert_eq(ledger_merkle_verify_inclusion(tree.level[0], sizes[i] - 1, sizes[i], &proof,
                                                small_root),
                 COOP_OK);

    cr_assert_eq(ledger_merkle_consistency_proof(uniform_get, &tree, sizes[i], max, &proof),
                 COOP_OK);
    cr_assert_leq(proof.count, COOP_PROOF_HASHES_MAX);
    cr_assert_eq(ledger_merkle_verify_consistency(sizes[i], max, small_root, root, &proof),
                 COOP_OK, "consistency (%llu, max)", (unsigned long long)sizes[i]);
  }
  ledger_proof proof;
  cr_assert_eq(ledger_merkle_consistency_proof(uniform_get, &tree, 1, max, &proof), COOP_OK);
  cr_assert_eq(ledger_merkle_verify_consistency(1, max, tree.level[0], root, &proof), COOP_OK);
  cr_assert_eq(tree.out_of_range, 0u);

  ledger_hash root_at;
  cr_assert_eq(ledger_merkle_root_at(uniform_get, &tree, max, root_at), COOP_OK);
  cr_assert_arr_eq(root_at, root, sizeof root);
}

Test(merkle_proof, generation_rejects_bad_ranges)
{
  const reference *ref = forest_build();
  tree_source source = source_for(ref, 10);
  ledger_proof proof;

  memset(&proof, 0xAA, sizeof proof);
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 10, 10, &proof), COOP_E_RANGE);
  cr_assert_eq(proof.count, 0u);
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 11, 10, &proof), COOP_E_RANGE);
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 0, 0, &proof), COOP_E_RANGE);
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 0, COOP_LOG_ENTRIES_MAX + 1,
                                             &proof),
               COOP_E_RANGE);

  memset(&proof, 0xAA, sizeof proof);
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, 0, 10, &proof),
               COOP_E_RANGE);
  cr_assert_eq(proof.count, 0u);
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, 0, 0, &proof), COOP_E_RANGE);
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, 11, 10, &proof),
               COOP_E_RANGE);
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, 1,
                                               COOP_LOG_ENTRIES_MAX + 1, &proof),
               COOP_E_RANGE);
  cr_assert_eq(source.calls, 0u, "range errors must not read nodes");
}

Test(merkle_proof, source_errors_abort_generation_and_clear_the_proof)
{
  const reference *ref = forest_build();
  static const coop_err errors[] = {COOP_E_DB, COOP_E_NOT_FOUND, COOP_E_IO};
  for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++)
    for (unsigned fail_at = 1; fail_at <= 4; fail_at++) {
      /* size 1000 = 512 + 256 + 128 + 64 + 32 + 8: every proof needs > 4 reads. */
      tree_source source = source_for(ref, 1000);
      source.fail_at_call = fail_at;
      source.fail_with = errors[e];
      ledger_proof proof;
      cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 999, 1000, &proof),
                   errors[e]);
      cr_assert_eq(proof.count, 0u);
      for (unsigned h = 0; h < COOP_PROOF_HASHES_MAX; h++)
        for (unsigned b = 0; b < LEDGER_HASH_BYTES; b++)
          cr_assert_eq(proof.hashes[h][b], 0, "partial proof left behind");

      source = source_for(ref, 1000);
      source.fail_at_call = fail_at;
      source.fail_with = errors[e];
      cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, 999, 1000, &proof),
                   errors[e]);
      cr_assert_eq(proof.count, 0u);

      source = source_for(ref, 1000);
      source.fail_at_call = fail_at;
      source.fail_with = errors[e];
      ledger_hash root;
      cr_assert_eq(ledger_merkle_root_at(source_get, &source, 1000, root), errors[e]);
    }
}

/* ---- corruptions -------------------------------------------------------- */

/* Every way to damage one valid inclusion proof; each must be rejected,
 * except a size change that leaves the proof's shape unchanged, which no
 * verifier can detect (RFC 9162: the size is bound by the signed checkpoint). */
static unsigned corrupt_inclusion(const reference *ref, uint64_t index, uint64_t size,
                                  uint64_t *state)
{
  unsigned rejected = 0;
  tree_source source = source_for(ref, size);
  ledger_proof proof, bad;
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, index, size, &proof), COOP_OK);
  ledger_hash root;
  naive_mth(ref, 0, size, root);
  const uint8_t *leaf = ref->leaves[index];
  cr_assert_eq(ledger_merkle_verify_inclusion(leaf, index, size, &proof, root), COOP_OK);
  unsigned shape_count;
  uint64_t shape_bits;
  inclusion_shape(index, size, &shape_count, &shape_bits);

#define REJECT(call, ...)                                                       \
  do {                                                                          \
    cr_assert_eq(call, COOP_E_BAD_PROOF, "inclusion (%llu, %llu): " __VA_ARGS__); \
    rejected++;                                                                 \
  } while (0)
#define IDX (unsigned long long)index, (unsigned long long)size

  /* Wrong index: every other index of small trees, neighbours otherwise. */
  for (uint64_t other = 0; other <= size + 1; other++) {
    if (other == index || (size > 16 && other + 1 != index && other != index + 1 &&
                           other != size && other != size - 1 - index))
      continue;
    REJECT(ledger_merkle_verify_inclusion(leaf, other, size, &proof, root), "index %llu", IDX,
           (unsigned long long)other);
  }

  /* Wrong size: rejected unless the shape is the same. */
  for (int delta = -1; delta <= 1; delta += 2) {
    uint64_t other = size + (uint64_t)(int64_t)delta;
    coop_err err = ledger_merkle_verify_inclusion(leaf, index, other, &proof, root);
    unsigned other_count = 0;
    uint64_t other_bits = 0;
    int same_shape = 0;
    if (index < other) {
      inclusion_shape(index, other, &other_count, &other_bits);
      same_shape = other_count == shape_count && other_bits == shape_bits;
    }
    if (same_shape) {
      cr_assert_eq(err, COOP_OK, "inclusion (%llu, %llu): size %llu has the same shape", IDX,
                   (unsigned long long)other);
    } else {
      cr_assert_eq(err, COOP_E_BAD_PROOF, "inclusion (%llu, %llu): size %llu accepted", IDX,
                   (unsigned long long)other);
      rejected++;
    }
  }

  /* One flipped bit in each hash. */
  for (unsigned h = 0; h < proof.count; h++) {
    bad = proof;
    unsigned bit = (unsigned)(next_random(state) % (8 * LEDGER_HASH_BYTES));
    bad.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "hash %u bit %u", IDX,
           h, bit);
  }

  /* An extra node: a random one, a copy of the last, the root itself. */
  if (proof.count < COOP_PROOF_HASHES_MAX) {
    bad = proof;
    for (unsigned b = 0; b < LEDGER_HASH_BYTES; b++)
      bad.hashes[bad.count][b] = (uint8_t)next_random(state);
    bad.count++;
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "extra node", IDX);
    if (proof.count) {
      memcpy(bad.hashes[proof.count], proof.hashes[proof.count - 1], LEDGER_HASH_BYTES);
      REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "repeated node",
             IDX);
    }
    memcpy(bad.hashes[proof.count], root, LEDGER_HASH_BYTES);
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "root appended", IDX);
  }

  /* A node removed: the last, the first, one in the middle. */
  if (proof.count) {
    bad = proof;
    bad.count--;
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "last removed", IDX);
    bad = proof;
    memmove(bad.hashes[0], bad.hashes[1], (size_t)(bad.count - 1) * LEDGER_HASH_BYTES);
    bad.count--;
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "first removed", IDX);
    if (proof.count > 2) {
      bad = proof;
      unsigned middle = proof.count / 2;
      memmove(bad.hashes[middle], bad.hashes[middle + 1],
              (size_t)(bad.count - middle - 1) * LEDGER_HASH_BYTES);
      bad.count--;
      REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "middle removed",
             IDX);
    }
    /* Empty proof where one is needed. */
    bad = proof;
    bad.count = 0;
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "empty proof", IDX);
  }

  /* Two adjacent hashes swapped. */
  if (proof.count > 1) {
    bad = proof;
    memcpy(bad.hashes[0], proof.hashes[1], LEDGER_HASH_BYTES);
    memcpy(bad.hashes[1], proof.hashes[0], LEDGER_HASH_BYTES);
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &bad, root), "swapped", IDX);
  }

  /* Wrong leaf (another leaf, a flipped bit) and wrong root. */
  ledger_hash wrong;
  memcpy(wrong, leaf, sizeof wrong);
  wrong[next_random(state) % LEDGER_HASH_BYTES] ^= 0x10;
  REJECT(ledger_merkle_verify_inclusion(wrong, index, size, &proof, root), "flipped leaf", IDX);
  if (size > 1) {
    uint64_t other = (index + 1) % size;
    REJECT(ledger_merkle_verify_inclusion(ref->leaves[other], index, size, &proof, root),
           "leaf %llu", IDX, (unsigned long long)other);
  }
  memcpy(wrong, root, sizeof wrong);
  wrong[next_random(state) % LEDGER_HASH_BYTES] ^= 0x01;
  REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &proof, wrong), "flipped root", IDX);
  if (size > 1) {
    naive_mth(ref, 0, size - 1, wrong);
    REJECT(ledger_merkle_verify_inclusion(leaf, index, size, &proof, wrong), "older root", IDX);
  }
  /* The leaf hash of the data is not a node: a subtree root is not a leaf. */
  if (proof.count) {
    REJECT(ledger_merkle_verify_inclusion(proof.hashes[0], index ^ 1, size, &proof, root),
           "sibling as leaf", IDX);
  }
#undef IDX
#undef REJECT
  return rejected;
}

Test(merkle_corrupt, inclusion_small_trees_every_index)
{
  const reference *ref = forest_build();
  uint64_t state = 11;
  unsigned rejected = 0;
  for (uint64_t size = 1; size <= 40; size++)
    for (uint64_t index = 0; index < size; index++)
      rejected += corrupt_inclusion(ref, index, size, &state);
  cr_assert_gt(rejected, 15000u, "only %u rejections", rejected);
}

Test(merkle_corrupt, inclusion_random_large_trees)
{
  const reference *ref = forest_build();
  uint64_t state = 12;
  unsigned rejected = 0;
  for (int round = 0; round < 150; round++) {
    uint64_t size = random_between(&state, 41, FOREST_LEAVES - 1);
    rejected += corrupt_inclusion(ref, random_between(&state, 0, size - 1), size, &state);
    rejected += corrupt_inclusion(ref, size - 1, size, &state);
  }
  cr_assert_gt(rejected, 5000u, "only %u rejections", rejected);
}

Test(merkle_corrupt, inclusion_wrong_size_same_shape_is_the_only_blind_spot)
{
  /* Documents the case the corruption test lets through: leaf 0 of 3 and of
   * 4 have proofs of the same shape, so the size is not detectable from the
   * proof alone.  Size 3 vs 2, though, must be caught. */
  const reference *ref = forest_build();
  tree_source source = source_for(ref, 3);
  ledger_proof proof;
  cr_assert_eq(ledger_merkle_inclusion_proof(source_get, &source, 0, 3, &proof), COOP_OK);
  ledger_hash root;
  naive_mth(ref, 0, 3, root);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 4, &proof, root), COOP_OK);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 2, &proof, root),
               COOP_E_BAD_PROOF);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[2], 2, 4, &proof, root),
               COOP_E_BAD_PROOF);
}

Test(merkle_corrupt, inclusion_degenerate_inputs)
{
  const reference *ref = forest_build();
  ledger_hash root;
  naive_mth(ref, 0, 1, root);
  ledger_proof empty;
  memset(&empty, 0, sizeof empty);
  /* A tree of one leaf: the leaf is the root and the proof is empty. */
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 1, &empty, root), COOP_OK);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 0, &empty, root),
               COOP_E_BAD_PROOF, "size 0");
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 1, 1, &empty, root),
               COOP_E_BAD_PROOF, "index == size");
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], UINT64_MAX, 1, &empty, root),
               COOP_E_BAD_PROOF);
  /* The empty-tree root is not a proof of anything. */
  ledger_hash empty_root;
  ledger_merkle_empty_root(empty_root);
  cr_assert_eq(ledger_merkle_verify_inclusion(empty_root, 0, 0, &empty, empty_root),
               COOP_E_BAD_PROOF);
  /* A one-element proof for a one-leaf tree. */
  ledger_proof one = empty;
  one.count = 1;
  memcpy(one.hashes[0], ref->leaves[1], LEDGER_HASH_BYTES);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 1, &one, root),
               COOP_E_BAD_PROOF);
}

Test(merkle_corrupt, verify_rejects_oversized_count_without_reading_past_the_proof)
{
  /* A proof struct on the heap, exactly its size: an over-read shows under
   * valgrind or ASan. */
  const reference *ref = forest_build();
  ledger_proof *proof = malloc(sizeof *proof);
  cr_assert_not_null(proof);
  memset(proof, 0, sizeof *proof);
  proof->count = COOP_PROOF_HASHES_MAX + 1;
  ledger_hash root;
  naive_mth(ref, 0, 5, root);
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 5, proof, root),
               COOP_E_BAD_PROOF);
  cr_assert_eq(ledger_merkle_verify_consistency(2, 5, root, root, proof), COOP_E_BAD_PROOF);
  proof->count = UINT32_MAX;
  cr_assert_eq(ledger_merkle_verify_inclusion(ref->leaves[0], 0, 5, proof, root),
               COOP_E_BAD_PROOF);
  cr_assert_eq(ledger_merkle_verify_consistency(4, 5, root, root, proof), COOP_E_BAD_PROOF);
  free(proof);
}

/* Every way to damage one valid consistency proof (old_size < new_size). */
static unsigned corrupt_consistency(const reference *ref, uint64_t old_size, uint64_t new_size,
                                    uint64_t *state)
{
  unsigned rejected = 0;
  tree_source source = source_for(ref, new_size);
  ledger_proof proof, bad;
  cr_assert_eq(ledger_merkle_consistency_proof(source_get, &source, old_size, new_size, &proof),
               COOP_OK);
  ledger_hash old_root, new_root;
  naive_mth(ref, 0, old_size, old_root);
  naive_mth(ref, 0, new_size, new_root);
  cr_assert_eq(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &proof),
               COOP_OK);
  consistency_shape shape;
  consistency_shape_of(old_size, new_size, proof.count, &shape);
  cr_assert(shape.feasible, "reference shape of a valid proof (%llu, %llu)",
            (unsigned long long)old_size, (unsigned long long)new_size);

#define REJECT(call, ...)                                                                  \
  do {                                                                                     \
    cr_assert_eq(call, COOP_E_BAD_PROOF, "consistency (%llu, %llu): " __VA_ARGS__);        \
    rejected++;                                                                            \
  } while (0)
#define SIZES (unsigned long long)old_size, (unsigned long long)new_size

  /* Wrong sizes: old +-1 and new +-1, rejected unless the shape is equal. */
  for (int which = 0; which < 4; which++) {
    uint64_t m = old_size, n = new_size;
    if (which == 0)
      m--;
    else if (which == 1)
      m++;
    else if (which == 2)
      n--;
    else
      n++;
    coop_err err = ledger_merkle_verify_consistency(m, n, old_root, new_root, &proof);
    consistency_shape other;
    consistency_shape_of(m, n, proof.count, &other);
    if (consistency_shapes_equal(&shape, &other)) {
      cr_assert_eq(err, COOP_OK, "consistency (%llu, %llu): (%llu, %llu) has the same shape",
                   SIZES, (unsigned long long)m, (unsigned long long)n);
    } else {
      cr_assert_eq(err, COOP_E_BAD_PROOF, "consistency (%llu, %llu): sizes (%llu, %llu) accepted",
                   SIZES, (unsigned long long)m, (unsigned long long)n);
      rejected++;
    }
  }

  /* One flipped bit in each hash. */
  for (unsigned h = 0; h < proof.count; h++) {
    bad = proof;
    unsigned bit = (unsigned)(next_random(state) % (8 * LEDGER_HASH_BYTES));
    bad.hashes[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
    REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
           "hash %u bit %u", SIZES, h, bit);
  }

  /* Extra node appended (random, repeated) and prepended (the old root). */
  if (proof.count < COOP_PROOF_HASHES_MAX) {
    bad = proof;
    for (unsigned b = 0; b < LEDGER_HASH_BYTES; b++)
      bad.hashes[bad.count][b] = (uint8_t)next_random(state);
    bad.count++;
    REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
           "extra node", SIZES);
    memcpy(bad.hashes[proof.count], proof.hashes[proof.count - 1], LEDGER_HASH_BYTES);
    REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
           "repeated node", SIZES);
    bad = proof;
    memmove(bad.hashes[1], bad.hashes[0], (size_t)bad.count * LEDGER_HASH_BYTES);
    memcpy(bad.hashes[0], old_root, LEDGER_HASH_BYTES);
    bad.count++;
    REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
           "old root prepended", SIZES);
  }

  /* Nodes removed. */
  bad = proof;
  bad.count--;
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
         "last removed", SIZES);
  if (proof.count > 1) {
    bad = proof;
    memmove(bad.hashes[0], bad.hashes[1], (size_t)(bad.count - 1) * LEDGER_HASH_BYTES);
    bad.count--;
    REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
           "first removed", SIZES);
  }
  bad = proof;
  bad.count = 0;
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, new_root, &bad),
         "empty proof", SIZES);

  /* Roots swapped, each root wrong, the empty root. */
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, new_root, old_root, &proof),
         "roots swapped", SIZES);
  ledger_hash wrong;
  memcpy(wrong, old_root, sizeof wrong);
  wrong[next_random(state) % LEDGER_HASH_BYTES] ^= 0x04;
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, wrong, new_root, &proof),
         "wrong old root", SIZES);
  memcpy(wrong, new_root, sizeof wrong);
  wrong[next_random(state) % LEDGER_HASH_BYTES] ^= 0x04;
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, old_root, wrong, &proof),
         "wrong new root", SIZES);
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, new_root, new_root, &proof),
         "new root as old", SIZES);
  ledger_merkle_empty_root(wrong);
  REJECT(ledger_merkle_verify_consistency(old_size, new_size, wrong, new_root, &proof),
         "empty old root", SIZES);

  /* Impossible sizes. */
  REJECT(ledger_merkle_verify_consistency(0, new_size, old_root, new_root, &proof),
         "old size 0", SIZES);
  REJECT(ledger_merkle_verify_consistency(new_size, old_size, new_root, old_root, &proof),
         "sizes reversed", SIZES);
  REJECT(ledger_merkle_verify_consistency(new_size + 1, new_size, old_root, new_root, &proof),
         "old > new", SIZES);
  REJECT(ledger_merkle_verify_consistency(new_size, new_size, new_root, new_root, &proof),
         "equal sizes, nonempty proof", SIZES);
  REJECT(ledger_merkle_verify_consistency(old_size, old_size, old_root, old_root, &proof),
         "equal old sizes, nonempty proof", SIZES);
#undef SIZES
#undef REJECT
  return rejected;
}

Test(merkle_corrupt, consistency_every_pair_of_small_trees)
{
  const reference *ref = forest_build();
  uint64_t state = 21;
  unsigned rejected = 0;
  for (uint64_t new_size = 2; new_size <= 40; new_size++)
    for (uint64_t old_size = 1; old_size < new_size; old_size++)
      rejected += corrupt_consistency(ref, old_size, new_size, &state);
  cr_assert_gt(rejected, 15000u, "only %u rejections", rejected);
}

Test(merkle_corrupt, consistency_random_large_trees)
{
  const reference *ref = forest_build();
  uint64_t state = 22;
  unsigned rejected = 0;
  for (int round = 0; round < 300; round++) {
    uint64_t new_size = random_between(&state, 41, FOREST_LEAVES - 1);
    uint64_t old_size = random_between(&state, 1, new_size - 1);
    rejected += corrupt_consistency(ref, old_size, new_size, &state);
  }
  for (uint64_t size = 64; size < FOREST_LEAVES; size *= 2) {
    rejected += corrupt_consistency(ref, size, size + 1, &state);
    rejected += corrupt_consistency(ref, size - 1, size, &state);
    rejected += corrupt_consistency(ref, size, FOREST_LEAVES - 1, &state);
  }
  cr_assert_gt(rejected, 5000u, "only %u rejections", rejected);
}

Test(merkle_corrupt, consistency_equal_sizes)
{
  const reference *ref = forest_build();
  for (uint64_t size = 1; size <= 40; size++) {
    ledger_hash root, other;
    naive_mth(ref, 0, size, root);
    naive_mth(ref, 0, size + 1, other);
    ledger_proof proof;
    memset(&proof, 0, sizeof proof);
    cr_assert_eq(ledger_merkle_verify_consistency(size, size, root, root, &proof), COOP_OK);
    cr_assert_eq(ledger_merkle_verify_consistency(size, size, root, other, &proof),
                 COOP_E_BAD_PROOF, "equal sizes, different roots");
    proof.count = 1;
    memcpy(proof.hashes[0], root, LEDGER_HASH_BYTES);
    cr_assert_eq(ledger_merkle_verify_consistency(size, size, root, root, &proof),
                 COOP_E_BAD_PROOF, "equal sizes, nonempty proof");
  }
  ledger_proof empty;
  memset(&empty, 0, sizeof empty);
  ledger_hash empty_root;
  ledger_merkle_empty_root(empty_root);
  cr_assert_eq(ledger_merkle_verify_consistency(0, 0, empty_root, empty_root, &empty),
               COOP_E_BAD_PROOF, "old size 0 even when equal");
}
