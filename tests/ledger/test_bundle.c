/* Log bundles (ledger/store/bundle.c over ledger/store_ingest.c): a log moved from
 * one store to another arrives whole (same entries, roots, checkpoints, and
 * it verifies), a second import adds nothing, a tail follows its head; and
 * hostile bundles are refused with nothing stored: single-bit flips all over
 * the file, truncation at every boundary, oversized counts and payloads,
 * trailing bytes, wrong magic and version, the importer's own log, a gap, a
 * spliced segment, a swapped entry, and a fork of one author's log, whose
 * evidence must outlive the refused import.  A log with erased entries
 * travels too (version 2: its payload hashes in their place), its erasure
 * segments after them; an entry sent as erased that no erasure by the
 * author covers is refused. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/buffer.h"
#include "ledger/base/limits.h"
#include "ledger/books/schema.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/erasure.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/store/bundle.h"
#include "ledger/store/store.h"

#define BUNDLE_HEAD_BYTES 50u /* "COOPLOG" 0 | u16 version | log_id 32 | u64 first */
#define T0 UINT64_C(1775000000000)

/* ---- Fixture -------------------------------------------------------------- */

typedef struct fixture {
  char dir[64];
  ledger_identity author;   /* writes the exported log */
  ledger_identity importer; /* owns the importing store */
  ledger_store *source;
  ledger_store *target;
} fixture;

static fixture fx;

static void identity_of(uint8_t seed_byte, ledger_identity *identity)
{
  uint8_t seed[32];
  memset(seed, seed_byte, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, identity), COOP_OK);
}

static ledger_store *open_store(const char *name)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", fx.dir, name);
  ledger_store *store = NULL;
  coop_err err = ledger_store_open(path, LEDGER_STORE_CREATE, &store);
  cr_assert_eq(err, COOP_OK, "open '%s': %s", path, coop_err_name(err));
  return store;
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-bundle-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  identity_of(0x01, &fx.author);
  identity_of(0x02, &fx.importer);
  fx.source = open_store("source.db");
  fx.target = open_store("target.db");
}

static void remove_dir(const char *dir)
{
  DIR *listing = opendir(dir);
  if (!listing)
    return;
  struct dirent *item;
  while ((item = readdir(listing)) != NULL) {
    if (!strcmp(item->d_name, ".") || !strcmp(item->d_name, ".."))
      continue;
    char file[sizeof fx.dir + sizeof item->d_name + 1];
    snprintf(file, sizeof file, "%s/%s", dir, item->d_name);
    unlink(file);
  }
  closedir(listing);
  rmdir(dir);
}

static void teardown(void)
{
  ledger_store_close(fx.source);
  ledger_store_close(fx.target);
  ledger_identity_release(&fx.author);
  ledger_identity_release(&fx.importer);
  remove_dir(fx.dir);
}

TestSuite(bundle, .init = setup, .fini = teardown);

/* ---- Building logs ----------------------------------------------------------- */

/* Appends `count` public notes "<label> <i>" as one batch; the first entry
 * of a log is its author's identity instead (ingest and verify check). */
static void append_notes(ledger_store *store, const ledger_identity *author, const char *label,
                         size_t count, uint64_t now_ms)
{
  char texts[64][48];
  ledger_append_item items[64];
  cr_assert_leq(count, 64);
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(store, author->public_key, &size), COOP_OK);
  uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  for (size_t i = 0; i < count; i++) {
    int length = snprintf(texts[i], sizeof texts[i], "%s %zu", label, i);
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                    .payload = (const uint8_t *)texts[i],
                                    .payload_bytes = (size_t)length};
    if (size + i == 0) {
      ledger_identity_payload identity = {.role = LEDGER_ROLE_PARTNER, .name = "author"};
      size_t payload_bytes = 0;
      cr_assert_eq(ledger_identity_payload_encode(&identity, identity_payload, &payload_bytes),
                   COOP_OK);
      items[i] = (ledger_append_item){.kind = LEDGER_KIND_IDENTITY, .payload = identity_payload,
                                      .payload_bytes = payload_bytes};
    }
  }
  coop_err err = ledger_store_append(store, author, items, count, now_ms, NULL);
  cr_assert_eq(err, COOP_OK, "append '%s': %s", label, coop_err_name(err));
}

/* Appends `count` entries sealed to a new audience of the author's, as one
 * batch (after the batch of key grants the audience takes). */
static void append_sealed(ledger_store *store, const ledger_identity *author, size_t count,
                          uint64_t now_ms)
{
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES], key[32];
  const uint8_t(*readers)[32] = (const uint8_t(*)[32])author->public_key;
  cr_assert_eq(ledger_store_audience_create(store, author, readers, 1, now_ms, audience_id),
               COOP_OK);
  cr_assert_eq(ledger_store_audience_key(store, author, author->public_key, audience_id, key),
               COOP_OK);
  uint8_t payloads[16][100];
  ledger_append_item items[16];
  cr_assert_leq(count, 16);
  for (size_t i = 0; i < count; i++) {
    memset(payloads[i], (int)(0x30 + i), sizeof payloads[i]);
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_TRANSACTION,
                                    .audience_id = audience_id,
                                    .audience_key = key,
                                    .payload = payloads[i],
                                    .payload_bytes = 20 + 7 * i};
  }
  cr_assert_eq(ledger_store_append(store, author, items, count, now_ms + 1, NULL), COOP_OK);
  sodium_memzero(key, sizeof key);
}

/* The author's log: batches of 1, 5, 1 key grant, 3 sealed, 1, 8 (19
 * entries in 6 checkpoints). */
static void build_source_log(void)
{
  append_notes(fx.source, &fx.author, "first", 1, T0);
  append_notes(fx.source, &fx.author, "second", 5, T0 + 1000);
  append_sealed(fx.source, &fx.author, 3, T0 + 2000);
  append_notes(fx.source, &fx.author, "third", 1, T0 + 3000);
  append_notes(fx.source, &fx.author, "fourth", 8, T0 + 4000);
}

/* The importer's own log, so that refuse_log means something. */
static void build_target_log(void)
{
  append_notes(fx.target, &fx.importer, "mine", 2, T0);
}

static uint64_t size_of(ledger_store *store, const uint8_t *log_id)
{
  uint64_t size = UINT64_MAX;
  cr_assert_eq(ledger_store_size(store, log_id, &size), COOP_OK);
  return size;
}

/* ---- Bundles as bytes ---------------------------------------------------------- */

typedef struct bytes {
  uint8_t *data;
  size_t length;
} bytes;

static bytes export_log(ledger_store *store, const uint8_t *log_id, uint64_t from,
                        uint64_t *written)
{
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  uint64_t count = 0;
  coop_err err = ledger_bundle_export(store, log_id, from, file, &count);
  cr_assert_eq(err, COOP_OK, "export from %" PRIu64 ": %s", from, coop_err_name(err));
  if (written)
    *written = count;
  long length = ftell(file);
  cr_assert_gt(length, 0);
  rewind(file);
  bytes result = {malloc((size_t)length), (size_t)length};
  cr_assert_not_null(result.data);
  cr_assert_eq(fread(result.data, 1, result.length, file), result.length);
  fclose(file);
  return result;
}

static bytes copy_of(bytes original)
{
  bytes copy = {malloc(original.length + 64), original.length};
  cr_assert_not_null(copy.data);
  memcpy(copy.data, original.data, original.length);
  return copy;
}

static coop_err import_bytes(ledger_store *store, const uint8_t *data, size_t length,
                             const uint8_t *refuse_log, ledger_bundle_result *result,
                             char problem[256])
{
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  if (length)
    cr_assert_eq(fwrite(data, 1, length, file), length);
  rewind(file);
  coop_err err = ledger_bundle_import(store, file, refuse_log, T0 + 99000, result, problem);
  fclose(file);
  return err;
}

static coop_err import_into_target(bytes bundle, ledger_bundle_result *result, char problem[256])
{
  return import_bytes(fx.target, bundle.data, bundle.length, fx.importer.public_key, result,
                      problem);
}

/* Where things are in a bundle, parsed here from the documented layout. */
typedef struct entry_at {
  size_t header;
  size_t payload;
  uint32_t payload_bytes;
} entry_at;

typedef struct segment_at {
  size_t tag;
  size_t count;
  uint32_t entry_count;
  entry_at entries[64];
  size_t checkpoint;
  size_t end; /* first byte after the checkpoint */
} segment_at;

typedef struct layout {
  size_t segment_count;
  segment_at segments[32];
  size_t end_marker;
} layout;

static layout parse_bundle(bytes bundle)
{
  layout result;
  memset(&result, 0, sizeof result);
  cr_assert_geq(bundle.length, BUNDLE_HEAD_BYTES + 1);
  cr_assert_arr_eq(bundle.data, "COOPLOG", 8);
  size_t at = BUNDLE_HEAD_BYTES;
  while (bundle.data[at] == 1) {
    cr_assert_lt(result.segment_count, 32);
    segment_at *segment = &result.segments[result.segment_count++];
    segment->tag = at;
    segment->count = at + 1;
    segment->entry_count = coop_get_u32le(bundle.data + at + 1);
    cr_assert_leq(segment->entry_count, 64);
    at += 5;
    for (uint32_t i = 0; i < segment->entry_count; i++) {
      segment->entries[i].header = at;
      segment->entries[i].payload_bytes = coop_get_u32le(bundle.data + at + 4);
      segment->entries[i].payload = at + LEDGER_ENTRY_HEADER_BYTES;
      at += LEDGER_ENTRY_HEADER_BYTES + segment->entries[i].payload_bytes;
    }
    segment->checkpoint = at;
    at += LEDGER_CHECKPOINT_BYTES;
    segment->end = at;
    cr_assert_lt(at, bundle.length);
  }
  cr_assert_eq(bundle.data[at], 0, "no end marker at %zu", at);
  result.end_marker = at;
  cr_assert_eq(at + 1, bundle.length, "the parse disagrees with the length");
  return result;
}

/* ---- Comparing stores ------------------------------------------------------------ */

typedef struct checkpoint_list {
  size_t count;
  uint8_t encoded[64][LEDGER_CHECKPOINT_BYTES];
} checkpoint_list;

static coop_err collect_checkpoint(void *context, const ledger_checkpoint *checkpoint)
{
  checkpoint_list *list = context;
  cr_assert_lt(list->count, 64);
  ledger_checkpoint_encode(checkpoint, list->encoded[list->count++]);
  return COOP_OK;
}

static checkpoint_list checkpoints_of(ledger_store *store, const uint8_t *log_id)
{
  checkpoint_list list;
  memset(&list, 0, sizeof list);
  cr_assert_eq(ledger_store_checkpoints(store, log_id, 0, collect_checkpoint, &list), COOP_OK);
  return list;
}

typedef struct entry_digest {
  size_t count;
  crypto_hash_sha256_state state; /* over every header, payload and leaf hash */
} entry_digest;

static coop_err digest_entry(void *context, const ledger_stored_entry *entry)
{
  entry_digest *digest = context;
  cr_assert_not_null(entry->payload);
  crypto_hash_sha256_update(&digest->state, entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  crypto_hash_sha256_update(&digest->state, entry->payload, entry->payload_bytes);
  crypto_hash_sha256_update(&digest->state, entry->leaf_hash, LEDGER_HASH_BYTES);
  digest->count++;
  return COOP_OK;
}

static void entries_digest(ledger_store *store, const uint8_t *log_id, uint8_t out[32],
                           size_t *count)
{
  entry_digest digest = {0};
  crypto_hash_sha256_init(&digest.state);
  cr_assert_eq(ledger_store_entries(store, log_id, 0, digest_entry, &digest), COOP_OK);
  crypto_hash_sha256_final(&digest.state, out);
  *count = digest.count;
}

static void assert_verifies(ledger_store *store, const uint8_t *log_id)
{
  ledger_verify_report report;
  coop_err err = ledger_store_verify(store, log_id, &report);
  cr_assert_eq(err, COOP_OK, "verify: %s: %s", coop_err_name(err), report.what);
}

/* The target holds exactly the source's copy of the log. */
static void assert_same_log(ledger_store *a, ledger_store *b, const uint8_t *log_id)
{
  uint64_t size = size_of(a, log_id);
  cr_assert_eq(size_of(b, log_id), size);
  uint8_t digest_a[32], digest_b[32];
  size_t count_a, count_b;
  entries_digest(a, log_id, digest_a, &count_a);
  entries_digest(b, log_id, digest_b, &count_b);
  cr_assert_eq(count_a, size);
  cr_assert_eq(count_b, size);
  cr_assert_arr_eq(digest_a, digest_b, 32, "the entries differ");
  checkpoint_list list_a = checkpoints_of(a, log_id), list_b = checkpoints_of(b, log_id);
  cr_assert_eq(list_a.count, list_b.count, "%zu checkpoints, copy has %zu", list_a.count,
               list_b.count);
  for (size_t i = 0; i < list_a.count; i++)
    cr_assert_arr_eq(list_a.encoded[i], list_b.encoded[i], LEDGER_CHECKPOINT_BYTES,
                     "checkpoint %zu", i);
  for (uint64_t s = 1; s <= size; s++) {
    ledger_hash root_a, root_b;
    cr_assert_eq(ledger_store_root_at(a, log_id, s, root_a), COOP_OK);
    cr_assert_eq(ledger_store_root_at(b, log_id, s, root_b), COOP_OK);
    cr_assert_arr_eq(root_a, root_b, LEDGER_HASH_BYTES, "root at %" PRIu64, s);
  }
  assert_verifies(b, log_id);
}

static coop_err count_log(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  (void)log_id;
  (*(size_t *)context)++;
  return COOP_OK;
}

static coop_err count_fork(void *context, const ledger_fork_evidence *evidence)
{
  (void)evidence;
  (*(size_t *)context)++;
  return COOP_OK;
}

static size_t forks_of(ledger_store *store)
{
  size_t count = 0;
  cr_assert_eq(ledger_store_forks(store, count_fork, &count), COOP_OK);
  return count;
}

/* What "nothing stored" compares. */
typedef struct snapshot {
  size_t logs;
  uint64_t author_size, own_size;
  size_t author_checkpoints, own_checkpoints;
  size_t forks;
  uint8_t author_digest[32];
} snapshot;

static snapshot snapshot_of(ledger_store *store)
{
  snapshot result;
  memset(&result, 0, sizeof result);
  cr_assert_eq(ledger_store_logs(store, count_log, &result.logs), COOP_OK);
  result.author_size = size_of(store, fx.author.public_key);
  result.own_size = size_of(store, fx.importer.public_key);
  result.author_checkpoints = checkpoints_of(store, fx.author.public_key).count;
  result.own_checkpoints = checkpoints_of(store, fx.importer.public_key).count;
  result.forks = forks_of(store);
  size_t count;
  entries_digest(store, fx.author.public_key, result.author_digest, &count);
  return result;
}

static void assert_unchanged(const snapshot *before, const char *what)
{
  snapshot after = snapshot_of(fx.target);
  cr_assert_eq(after.logs, before->logs, "%s: logs %zu -> %zu", what, before->logs, after.logs);
  cr_assert_eq(after.author_size, before->author_size, "%s: size %" PRIu64 " -> %" PRIu64, what,
               before->author_size, after.author_size);
  cr_assert_eq(after.own_size, before->own_size, "%s", what);
  cr_assert_eq(after.author_checkpoints, before->author_checkpoints, "%s: checkpoints %zu -> %zu",
               what, before->author_checkpoints, after.author_checkpoints);
  cr_assert_eq(after.own_checkpoints, before->own_checkpoints, "%s", what);
  cr_assert_eq(after.forks, before->forks, "%s: fork evidence %zu -> %zu", what, before->forks,
               after.forks);
  cr_assert_arr_eq(after.author_digest, before->author_digest, 32, "%s: entries changed", what);
  assert_verifies(fx.target, fx.author.public_key);
  assert_verifies(fx.target, fx.importer.public_key);
}

/* Imports a hostile bundle, insists it is refused (with `expected` unless
 * it is COOP_OK, which means any error) and that nothing was stored. */
static coop_err expect_refused(bytes bundle, coop_err expected, const char *what)
{
  snapshot before = snapshot_of(fx.target);
  ledger_bundle_result result;
  char problem[256];
  coop_err err = import_into_target(bundle, &result, problem);
  cr_assert_neq(err, COOP_OK, "%s: accepted (%" PRIu64 " added)", what, result.entries_added);
  if (expected != COOP_OK)
    cr_assert_eq(err, expected, "%s: %s (%s), expected %s", what, coop_err_name(err), problem,
                 coop_err_name(expected));
  cr_assert_neq(problem[0], 0, "%s: refused without saying why", what);
  cr_assert_eq(result.entries_added, 0, "%s", what);
  assert_unchanged(&before, what);
  return err;
}

/* ---- Happy paths -------------------------------------------------------------------- */

Test(bundle, whole_log_arrives_and_verifies)
{
  build_source_log();
  build_target_log();
  uint64_t written = 0;
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, &written);
  cr_assert_eq(written, 19);
  layout parsed = parse_bundle(bundle);
  cr_assert_eq(parsed.segment_count, 6, "one segment per checkpoint");

  ledger_bundle_result result;
  char problem[256];
  coop_err err = import_into_target(bundle, &result, problem);
  cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), problem);
  cr_assert_arr_eq(result.log_id, fx.author.public_key, LEDGER_LOG_ID_BYTES);
  cr_assert_eq(result.entries_read, 19);
  cr_assert_eq(result.entries_added, 19);
  cr_assert_eq(result.size_after, 19);
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  /* The importer's own log is untouched. */
  cr_assert_eq(size_of(fx.target, fx.importer.public_key), 2);
  assert_verifies(fx.target, fx.importer.public_key);
  cr_assert_eq(forks_of(fx.target), 0);
  free(bundle.data);
}

Test(bundle, a_second_import_adds_nothing)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(bundle, &result, problem), COOP_OK, "%s", problem);
  snapshot before = snapshot_of(fx.target);
  coop_err err = import_into_target(bundle, &result, problem);
  cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), problem);
  cr_assert_eq(result.entries_read, 19);
  cr_assert_eq(result.entries_added, 0);
  cr_assert_eq(result.size_after, 19);
  assert_unchanged(&before, "second import");
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  free(bundle.data);
}

Test(bundle, a_tail_follows_its_head)
{
  build_target_log();
  append_notes(fx.source, &fx.author, "head", 4, T0);
  append_sealed(fx.source, &fx.author, 2, T0 + 1000);
  uint64_t head_size = size_of(fx.source, fx.author.public_key);
  cr_assert_eq(head_size, 7);
  bytes head = export_log(fx.source, fx.author.public_key, 0, NULL);
  append_notes(fx.source, &fx.author, "tail", 3, T0 + 2000);
  append_notes(fx.source, &fx.author, "more", 9, T0 + 3000);
  uint64_t written = 0;
  bytes tail = export_log(fx.source, fx.author.public_key, head_size, &written);
  cr_assert_eq(written, 12);

  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(head, &result, problem), COOP_OK, "%s", problem);
  cr_assert_eq(result.size_after, head_size);
  coop_err err = import_into_target(tail, &result, problem);
  cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), problem);
  cr_assert_eq(result.entries_read, 12);
  cr_assert_eq(result.entries_added, 12);
  cr_assert_eq(result.size_after, 19);
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  free(head.data);
  free(tail.data);
}

Test(bundle, a_tail_from_inside_a_batch_overlaps_correctly)
{
  build_source_log();
  build_target_log();
  /* Take entries 0..5 (the first two batches), then a bundle from 3: its
   * first segment repeats entries 3..5 the target already holds. */
  bytes whole = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(whole);
  bytes head = copy_of(whole);
  size_t cut = parsed.segments[1].end;
  head.data[cut] = 0;
  head.length = cut + 1;
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(head, &result, problem), COOP_OK, "%s", problem);
  cr_assert_eq(result.size_after, 6);
  bytes tail = export_log(fx.source, fx.author.public_key, 3, NULL);
  coop_err err = import_into_target(tail, &result, problem);
  cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), problem);
  cr_assert_eq(result.entries_added, 13);
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  free(whole.data);
  free(head.data);
  free(tail.data);
}

Test(bundle, export_errors)
{
  build_source_log();
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  uint64_t written = 99;
  cr_assert_eq(ledger_bundle_export(fx.source, fx.author.public_key, 19, file, &written),
               COOP_E_RANGE);
  cr_assert_eq(written, 0);
  cr_assert_eq(ledger_bundle_export(fx.source, fx.importer.public_key, 0, file, &written),
               COOP_E_NOT_FOUND);
  fclose(file);
}

/* ---- Hostile bundles ------------------------------------------------------------------- */

Test(bundle, every_sampled_bit_flip_is_refused, .timeout = 120)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  /* ~200 positions spread evenly over the whole file, plus the first and
   * last byte, each with a different bit. */
  size_t positions[256];
  size_t count = 0;
  positions[count++] = 0;
  for (size_t i = 1; i < 200; i++)
    positions[count++] = i * (bundle.length - 1) / 200;
  positions[count++] = bundle.length - 1;
  uint32_t random_state = 12345;
  for (size_t i = 0; i < count; i++) {
    random_state = random_state * 1103515245u + 12345u;
    unsigned bit = (random_state >> 16) % 8;
    bytes flipped = copy_of(bundle);
    flipped.data[positions[i]] ^= (uint8_t)(1u << bit);
    char what[96];
    snprintf(what, sizeof what, "bit %u of byte %zu of %zu", bit, positions[i], bundle.length);
    expect_refused(flipped, COOP_OK, what);
    free(flipped.data);
  }
  /* The target still takes the genuine bundle afterwards. */
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(bundle, &result, problem), COOP_OK, "%s", problem);
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  free(bundle.data);
}

Test(bundle, every_bit_of_every_structure_of_one_segment_is_covered, .timeout = 120)
{
  /* All 8 bits of every byte of the head, of the second segment (tag,
   * count, both parts of an entry, checkpoint) and of the end marker. */
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  size_t ranges[][2] = {{0, BUNDLE_HEAD_BYTES},
                        {parsed.segments[0].end, parsed.segments[0].end + 5 + 72 + 16},
                        {parsed.segments[1].checkpoint, parsed.segments[1].end},
                        {parsed.end_marker, parsed.end_marker + 1}};
  for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
    for (size_t at = ranges[r][0]; at < ranges[r][1]; at++)
      for (unsigned bit = 0; bit < 8; bit++) {
        bytes flipped = copy_of(bundle);
        flipped.data[at] ^= (uint8_t)(1u << bit);
        char what[96];
        snprintf(what, sizeof what, "bit %u of byte %zu", bit, at);
        ledger_bundle_result result;
        char problem[256];
        coop_err err = import_into_target(flipped, &result, problem);
        cr_assert_neq(err, COOP_OK, "%s accepted", what);
        free(flipped.data);
      }
  assert_verifies(fx.target, fx.author.public_key);
  cr_assert_eq(size_of(fx.target, fx.author.public_key), 0);
  free(bundle.data);
}

Test(bundle, truncation_anywhere_is_refused, .timeout = 120)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  /* Every boundary of the layout, and the middle of every header and
   * payload. */
  size_t cuts[512];
  size_t count = 0;
  cuts[count++] = 0;
  cuts[count++] = 7;
  cuts[count++] = BUNDLE_HEAD_BYTES - 1;
  cuts[count++] = BUNDLE_HEAD_BYTES;
  for (size_t s = 0; s < parsed.segment_count; s++) {
    const segment_at *segment = &parsed.segments[s];
    cuts[count++] = segment->tag + 1;
    cuts[count++] = segment->count + 2;
    cuts[count++] = segment->count + 4;
    for (uint32_t e = 0; e < segment->entry_count; e++) {
      cuts[count++] = segment->entries[e].header;
      cuts[count++] = segment->entries[e].header + 36;
      cuts[count++] = segment->entries[e].payload;
      cuts[count++] = segment->entries[e].payload + segment->entries[e].payload_bytes / 2;
    }
    cuts[count++] = segment->checkpoint;
    cuts[count++] = segment->checkpoint + 73;
    cuts[count++] = segment->end - 1;
    cuts[count++] = segment->end;
    cr_assert_lt(count, 480);
  }
  cuts[count++] = parsed.end_marker;
  for (size_t i = 0; i < count; i++) {
    cr_assert_lt(cuts[i], bundle.length);
    bytes cut = {bundle.data, cuts[i]};
    char what[64];
    snprintf(what, sizeof what, "cut to %zu of %zu bytes", cuts[i], bundle.length);
    expect_refused(cut, COOP_OK, what);
  }
  free(bundle.data);
}

Test(bundle, every_truncation_of_a_small_bundle_is_refused, .timeout = 120)
{
  append_notes(fx.source, &fx.author, "a", 2, T0);
  append_notes(fx.source, &fx.author, "b", 1, T0 + 1);
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  for (size_t length = 0; length < bundle.length; length++) {
    bytes cut = {bundle.data, length};
    ledger_bundle_result result;
    char problem[256];
    cr_assert_neq(import_into_target(cut, &result, problem), COOP_OK, "cut to %zu accepted",
                  length);
  }
  cr_assert_eq(size_of(fx.target, fx.author.public_key), 0);
  free(bundle.data);
}

Test(bundle, oversized_segment_count_is_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  bytes patched = copy_of(bundle);
  coop_put_u32le(patched.data + parsed.segments[0].count, LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX + 1);
  expect_refused(patched, COOP_E_LIMIT, "a segment of 10001 entries");
  coop_put_u32le(patched.data + parsed.segments[2].count, UINT32_MAX);
  coop_put_u32le(patched.data + parsed.segments[0].count, 1);
  expect_refused(patched, COOP_E_LIMIT, "a later segment of 2^32-1 entries");
  free(patched.data);
  free(bundle.data);
}

Test(bundle, oversized_payload_is_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  bytes patched = copy_of(bundle);
  size_t header = parsed.segments[1].entries[2].header;
  coop_put_u32le(patched.data + header + 4, COOP_PAYLOAD_BYTES_MAX + 1);
  expect_refused(patched, COOP_E_LIMIT, "a payload of 65537 bytes");
  coop_put_u32le(patched.data + header + 4, UINT32_MAX);
  expect_refused(patched, COOP_E_LIMIT, "a payload of 4 GiB");
  free(patched.data);
  free(bundle.data);
}

Test(bundle, trailing_bytes_are_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  bytes longer = copy_of(bundle);
  longer.data[longer.length++] = 0;
  expect_refused(longer, COOP_E_TRAILING, "one zero byte after the end");
  longer.data[longer.length - 1] = 'x';
  expect_refused(longer, COOP_E_TRAILING, "one byte after the end");
  free(longer.data);
  free(bundle.data);
}

Test(bundle, wrong_magic_and_version_are_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  bytes patched = copy_of(bundle);
  patched.data[0] = 'c';
  expect_refused(patched, COOP_E_DECODE, "magic 'cOOPLOG'");
  patched.data[0] = 'C';
  patched.data[7] = '\n';
  expect_refused(patched, COOP_E_DECODE, "magic without its NUL");
  patched.data[7] = 0;
  coop_put_u16le(patched.data + 8, 3);
  expect_refused(patched, COOP_E_VERSION, "version 3");
  coop_put_u16le(patched.data + 8, 0);
  expect_refused(patched, COOP_E_VERSION, "version 0");
  coop_put_u16le(patched.data + 8, 0x0100);
  expect_refused(patched, COOP_E_VERSION, "version 256");
  bytes empty = {bundle.data, 0};
  expect_refused(empty, COOP_E_DECODE, "an empty file");
  free(patched.data);
  free(bundle.data);
}

Test(bundle, a_bundle_of_the_importers_own_log_is_refused)
{
  build_target_log();
  bytes own = export_log(fx.target, fx.importer.public_key, 0, NULL);
  expect_refused(own, COOP_E_EXISTS, "the importer's own log");
  /* Even a tail of it. */
  append_notes(fx.target, &fx.importer, "later", 2, T0 + 5000);
  bytes tail = export_log(fx.target, fx.importer.public_key, 2, NULL);
  expect_refused(tail, COOP_E_EXISTS, "a tail of the importer's own log");
  free(own.data);
  free(tail.data);
}

Test(bundle, a_tail_without_its_head_is_a_gap)
{
  build_source_log();
  build_target_log();
  bytes tail = export_log(fx.source, fx.author.public_key, 6, NULL);
  expect_refused(tail, COOP_E_RANGE, "entries from 6 into an empty copy");
  /* Holding part of the head is not enough either. */
  bytes whole = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(whole);
  bytes first = copy_of(whole);
  first.data[parsed.segments[0].end] = 0;
  first.length = parsed.segments[0].end + 1;
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(first, &result, problem), COOP_OK, "%s", problem);
  cr_assert_eq(size_of(fx.target, fx.author.public_key), 1);
  expect_refused(tail, COOP_E_RANGE, "entries from 6 into a copy of 1");
  free(first.data);
  free(whole.data);
  free(tail.data);
}

Test(bundle, a_segment_spliced_out_is_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  /* Drop the second segment: the third's checkpoint no longer covers
   * exactly the entries before it. */
  bytes spliced = copy_of(bundle);
  size_t from = parsed.segments[1].tag, to = parsed.segments[1].end;
  memmove(spliced.data + from, spliced.data + to, bundle.length - to);
  spliced.length -= to - from;
  expect_refused(spliced, COOP_OK, "second segment removed");
  free(spliced.data);
  free(bundle.data);
}

Test(bundle, a_checkpoint_of_another_log_is_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  /* The importer's own validly signed checkpoint at size 2, in place of
   * the author's at size 6 (the second segment's). */
  ledger_checkpoint own;
  cr_assert_eq(ledger_store_checkpoint_latest(fx.target, fx.importer.public_key, &own), COOP_OK);
  bytes patched = copy_of(bundle);
  ledger_checkpoint_encode(&own, patched.data + parsed.segments[1].checkpoint);
  expect_refused(patched, COOP_E_DECODE, "another log's checkpoint");
  free(patched.data);
  free(bundle.data);
}

Test(bundle, a_different_entry_with_valid_hashes_is_a_bad_proof)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  layout parsed = parse_bundle(bundle);
  /* "second 3" becomes "second 9": a well-formed note, same length, and the
   * header still says the right log, index and size.  Only the signed root
   * can tell. */
  const entry_at *entry = &parsed.segments[1].entries[3];
  bytes patched = copy_of(bundle);
  cr_assert_eq(entry->payload_bytes, 8);
  cr_assert_arr_eq(patched.data + entry->payload, "second 3", 8);
  patched.data[entry->payload + 7] = '9';
  expect_refused(patched, COOP_E_BAD_PROOF, "entry 4 replaced");
  free(patched.data);
  free(bundle.data);
}

Test(bundle, a_changed_entry_of_a_held_log_is_refused)
{
  build_source_log();
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(bundle, &result, problem), COOP_OK, "%s", problem);
  layout parsed = parse_bundle(bundle);
  const entry_at *entry = &parsed.segments[1].entries[3];
  bytes patched = copy_of(bundle);
  cr_assert_eq(patched.data[entry->payload + 7], '3', "the patch below must change a byte");
  patched.data[entry->payload + 7] = '9';
  /* Unsigned bytes must not pass for a fork, nor change anything. */
  coop_err err = expect_refused(patched, COOP_OK, "a held entry replaced");
  cr_assert_neq(err, COOP_E_FORK, "an unsigned change was taken as a fork");
  free(patched.data);
  free(bundle.data);
}

/* ---- Forks ------------------------------------------------------------------------------ */

typedef struct fork_list {
  size_t count;
  ledger_fork_evidence evidence[8];
} fork_list;

static coop_err collect_fork(void *context, const ledger_fork_evidence *evidence)
{
  fork_list *list = context;
  cr_assert_lt(list->count, 8);
  list->evidence[list->count++] = *evidence;
  return COOP_OK;
}

/* Two stores of one author (same seed) with a common prefix of 3 entries,
 * then `left` and `right` different entries. */
static void make_fork(ledger_store *left_store, ledger_store *right_store, size_t left,
                      size_t right)
{
  append_notes(left_store, &fx.author, "common", 3, T0);
  append_notes(right_store, &fx.author, "common", 3, T0);
  ledger_checkpoint a, b;
  cr_assert_eq(ledger_store_checkpoint_latest(left_store, fx.author.public_key, &a), COOP_OK);
  cr_assert_eq(ledger_store_checkpoint_latest(right_store, fx.author.public_key, &b), COOP_OK);
  uint8_t a_bytes[LEDGER_CHECKPOINT_BYTES], b_bytes[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(&a, a_bytes);
  ledger_checkpoint_encode(&b, b_bytes);
  cr_assert_arr_eq(a_bytes, b_bytes, sizeof a_bytes, "the common prefix is not common");
  append_notes(left_store, &fx.author, "left", left, T0 + 1000);
  append_notes(right_store, &fx.author, "right", right, T0 + 1000);
}

static void check_fork(size_t left, size_t right)
{
  build_target_log();
  ledger_store *right_store = open_store("right.db");
  make_fork(fx.source, right_store, left, right);
  bytes left_bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  bytes right_bundle = export_log(right_store, fx.author.public_key, 0, NULL);
  ledger_bundle_result result;
  char problem[256];
  cr_assert_eq(import_into_target(left_bundle, &result, problem), COOP_OK, "%s", problem);
  snapshot before = snapshot_of(fx.target);
  cr_assert_eq(before.forks, 0);

  coop_err err = import_into_target(right_bundle, &result, problem);
  cr_assert_eq(err, COOP_E_FORK, "importing the other branch gave %s: %s", coop_err_name(err),
               problem);
  cr_assert_eq(result.entries_added, 0);
  /* The copy of the first branch is as it was and still verifies. */
  cr_assert_eq(size_of(fx.target, fx.author.public_key), 3 + left);
  assert_same_log(fx.source, fx.target, fx.author.public_key);
  cr_assert_eq(size_of(fx.target, fx.importer.public_key), 2);
  assert_verifies(fx.target, fx.importer.public_key);

  /* The evidence outlived the rollback: one pair, both validly signed by
   * the author, that cannot both be true. */
  fork_list forks = {0};
  cr_assert_eq(ledger_store_forks(fx.target, collect_fork, &forks), COOP_OK);
  cr_assert_eq(forks.count, 1, "%zu pieces of fork evidence (left %zu, right %zu): %s",
               forks.count, left, right, problem);
  const ledger_fork_evidence *evidence = &forks.evidence[0];
  cr_assert_arr_eq(evidence->first.log_id, fx.author.public_key, LEDGER_LOG_ID_BYTES);
  cr_assert_arr_eq(evidence->second.log_id, fx.author.public_key, LEDGER_LOG_ID_BYTES);
  cr_assert_eq(ledger_checkpoint_verify(&evidence->first), COOP_OK);
  cr_assert_eq(ledger_checkpoint_verify(&evidence->second), COOP_OK);
  ledger_checkpoint left_latest, right_latest;
  cr_assert_eq(ledger_store_checkpoint_latest(fx.source, fx.author.public_key, &left_latest),
               COOP_OK);
  cr_assert_eq(ledger_store_checkpoint_latest(right_store, fx.author.public_key, &right_latest),
               COOP_OK);
  cr_assert_eq(evidence->first.size, left_latest.size);
  cr_assert_arr_eq(evidence->first.root, left_latest.root, LEDGER_HASH_BYTES);
  cr_assert_eq(evidence->second.size, right_latest.size);
  cr_assert_arr_eq(evidence->second.root, right_latest.root, LEDGER_HASH_BYTES);
  cr_assert_eq(evidence->found_ms, T0 + 99000);
  if (evidence->first.size == evidence->second.size)
    cr_assert(ledger_checkpoint_same_size_fork(&evidence->first, &evidence->second));

  /* Importing the other branch again is refused again; the evidence stays. */
  err = import_into_target(right_bundle, &result, problem);
  cr_assert_eq(err, COOP_E_FORK);
  forks.count = 0;
  cr_assert_eq(ledger_store_forks(fx.target, collect_fork, &forks), COOP_OK);
  cr_assert_geq(forks.count, 1);
  cr_assert_eq(size_of(fx.target, fx.author.public_key), 3 + left);

  ledger_store_close(right_store);
  free(left_bundle.data);
  free(right_bundle.data);
}

Test(bundle, fork_of_the_same_size_is_refused_with_evidence)
{
  check_fork(2, 2);
}

Test(bundle, fork_to_a_shorter_branch_is_refused_with_evidence)
{
  check_fork(3, 1);
}

Test(bundle, fork_to_a_longer_branch_is_refused_with_evidence)
{
  check_fork(1, 4);
}

/* Entry 0 of every log is its author's identity.  A log that starts
 * otherwise is refused whole, before anything is stored or relayed. */
static void expect_entry_zero_refused(const uint8_t *payload, size_t payload_bytes, uint16_t kind,
                                      const char *says)
{
  ledger_append_item items[2] = {
      {.kind = kind, .payload = payload, .payload_bytes = payload_bytes},
      {.kind = LEDGER_KIND_NOTE, .payload = (const uint8_t *)"hello", .payload_bytes = 5}};
  cr_assert_eq(ledger_store_append(fx.source, &fx.author, items, 2, T0, NULL), COOP_OK);
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  snapshot before = snapshot_of(fx.target);
  ledger_bundle_result result;
  char problem[256] = "";
  coop_err err = import_into_target(bundle, &result, problem);
  cr_assert_neq(err, COOP_OK, "a log starting with '%s' was stored", says);
  cr_assert(strstr(problem, says), "'%s' does not say '%s'", problem, says);
  cr_assert_eq(result.entries_added, 0);
  assert_unchanged(&before, says);
  free(bundle.data);
}

Test(bundle, a_log_whose_entry_zero_is_a_note_is_refused)
{
  build_target_log();
  expect_entry_zero_refused((const uint8_t *)"hi", 2, LEDGER_KIND_NOTE,
                            "entry 0 must be the author's identity, found a note entry");
}

Test(bundle, a_log_whose_entry_zero_names_role_9_is_refused)
{
  build_target_log();
  static const uint8_t role_9[] = {1, 9, 4, 'A', 'n', 'n', 'a'};
  expect_entry_zero_refused(role_9, sizeof role_9, LEDGER_KIND_IDENTITY, "names role 9");
}

/* A log that opens with an audience (its key grant at entry 0). */
Test(bundle, a_log_that_starts_with_a_key_grant_is_refused)
{
  build_target_log();
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES], key[32];
  const uint8_t(*readers)[32] = (const uint8_t(*)[32])fx.author.public_key;
  cr_assert_eq(ledger_store_audience_create(fx.source, &fx.author, readers, 1, T0, audience_id),
               COOP_OK);
  cr_assert_eq(ledger_store_audience_key(fx.source, &fx.author, fx.author.public_key, audience_id,
                                         key),
               COOP_OK);
  sodium_memzero(key, sizeof key);
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  ledger_bundle_result result;
  char problem[256] = "";
  cr_assert_neq(import_into_target(bundle, &result, problem), COOP_OK);
  cr_assert(strstr(problem, "found a key_grant entry"), "%s", problem);
  free(bundle.data);
}

/* ---- Erased entries (bundle version 2) ---------------------------------------------- */

static coop_err find_sealed(void *context, const ledger_stored_entry *entry)
{
  uint8_t *audience = context;
  if (!ledger_entry_is_public(&entry->header) && entry->header.kind == LEDGER_KIND_TRANSACTION) {
    memcpy(audience, entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES);
    return COOP_E_LIMIT; /* found: stop */
  }
  return COOP_OK;
}

/* The author erases the audience of the source log's sealed entries, in a
 * batch of its own at the end of the log. */
static void erase_sealed_entries(uint64_t now_ms)
{
  ledger_erasure erasure;
  memset(&erasure, 0, sizeof erasure);
  cr_assert_eq(ledger_store_entries(fx.source, fx.author.public_key, 0, find_sealed,
                                    erasure.audiences[0]), COOP_E_LIMIT, "no sealed entry");
  erasure.reason = LEDGER_ERASURE_ON_REQUEST;
  memcpy(erasure.target_log_id, fx.author.public_key, LEDGER_LOG_ID_BYTES);
  erasure.audience_count = 1;
  strcpy(erasure.reason_text, "verzoek");
  coop_buf encoded;
  coop_buf_init(&encoded, 4096);
  cr_assert_eq(ledger_erasure_encode(&erasure, &encoded), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_ERASURE, .payload = encoded.data,
                             .payload_bytes = encoded.len};
  cr_assert_eq(ledger_store_append(fx.source, &fx.author, &item, 1, now_ms, NULL), COOP_OK);
  coop_buf_release(&encoded);
}

/* What a version-2 bundle holds, parsed from the documented layout. */
typedef struct forms_seen {
  size_t segments, segments_with_forms, erased, last_erased_segment;
} forms_seen;

static forms_seen parse_forms(bytes bundle)
{
  forms_seen seen = {0};
  size_t at = BUNDLE_HEAD_BYTES;
  while (bundle.data[at] != 0) {
    uint8_t tag = bundle.data[at];
    cr_assert(tag == 1 || tag == 2, "tag %u at %zu", tag, at);
    uint32_t count = coop_get_u32le(bundle.data + at + 1);
    at += 5;
    seen.segments++;
    seen.segments_with_forms += tag == 2;
    for (uint32_t i = 0; i < count; i++) {
      uint8_t form = tag == 2 ? bundle.data[at++] : 0;
      cr_assert_leq(form, 1);
      uint32_t payload_bytes = coop_get_u32le(bundle.data + at + 4);
      at += LEDGER_ENTRY_HEADER_BYTES + (form ? LEDGER_HASH_BYTES : payload_bytes);
      if (form) {
        seen.erased++;
        seen.last_erased_segment = seen.segments;
      }
    }
    at += LEDGER_CHECKPOINT_BYTES;
    cr_assert_lt(at, bundle.length);
  }
  cr_assert_eq(at + 1, bundle.length, "the parse disagrees with the length");
  return seen;
}

Test(bundle, a_log_with_erased_entries_arrives_and_verifies)
{
  build_source_log();
  erase_sealed_entries(T0 + 5000);
  build_target_log();
  bytes bundle = export_log(fx.source, fx.author.public_key, 0, NULL);
  cr_assert_eq(coop_get_u16le(bundle.data + 8), 2);
  forms_seen seen = parse_forms(bundle);
  cr_assert_eq(seen.erased, 3, "the three sealed entries travel as erased");
  cr_assert_eq(seen.segments_with_forms, 1, "only their segment carries forms");
  cr_assert_lt(seen.last_erased_segment, seen.segments, "the erasure comes segments later");
  ledger_bundle_result result;
  char problem[256] = "";
  coop_err err = import_into_target(bundle, &result, problem);
  cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), problem);
  uint64_t size = size_of(fx.source, fx.author.public_key);
  cr_assert_eq(result.entries_added, size);
  cr_assert_eq(size_of(fx.target, fx.author.public_key), size);
  ledger_verify_report report;
  cr_assert_eq(ledger_store_verify(fx.target, fx.author.public_key, &report), COOP_OK);
  cr_assert_eq(report.entries_erased, 3);
  cr_assert_eq(checkpoints_of(fx.target, fx.author.public_key).count,
               checkpoints_of(fx.source, fx.author.public_key).count);
  free(bundle.data);
}

/* The bundle of a log without erasures with the segment of its sealed
 * entries rewritten as tag 2: one entry as erased (its true payload hash, so
 * every leaf and root still matches) or none. */
static bytes with_forms(bytes plain, bool erase_one)
{
  layout parts = parse_bundle(plain);
  bytes out = {malloc(plain.length + 4096), 0};
  cr_assert_not_null(out.data);
  size_t copied = 0;
  for (size_t s = 0; s < parts.segment_count; s++) {
    const segment_at *segment = &parts.segments[s];
    bool sealed = false;
    for (uint32_t i = 0; i < segment->entry_count; i++)
      sealed |= coop_get_u16le(plain.data + segment->entries[i].header + 2) ==
                LEDGER_KIND_TRANSACTION;
    if (!sealed)
      continue;
    memcpy(out.data, plain.data, segment->tag);
    out.length = segment->tag;
    out.data[out.length] = 2;
    memcpy(out.data + out.length + 1, plain.data + segment->count, 4);
    out.length += 5;
    for (uint32_t i = 0; i < segment->entry_count; i++) {
      const entry_at *entry = &segment->entries[i];
      bool erased = erase_one && i == 0;
      out.data[out.length++] = erased ? 1 : 0;
      memcpy(out.data + out.length, plain.data + entry->header, LEDGER_ENTRY_HEADER_BYTES);
      out.length += LEDGER_ENTRY_HEADER_BYTES;
      if (erased) {
        ledger_payload_hash(plain.data + entry->payload, entry->payload_bytes,
                            out.data + out.length);
        out.length += LEDGER_HASH_BYTES;
      } else {
        memcpy(out.data + out.length, plain.data + entry->payload, entry->payload_bytes);
        out.length += entry->payload_bytes;
      }
    }
    copied = segment->checkpoint;
    break;
  }
  cr_assert_neq(copied, 0, "no segment with a sealed entry");
  memcpy(out.data + out.length, plain.data + copied, plain.length - copied);
  out.length += plain.length - copied;
  return out;
}

Test(bundle, an_entry_sent_as_erased_without_an_erasure_is_refused)
{
  build_source_log();
  build_target_log();
  bytes plain = export_log(fx.source, fx.author.public_key, 0, NULL);
  bytes forged = with_forms(plain, true);
  cr_assert_eq(parse_forms(forged).erased, 1);
  coop_err err = expect_refused(forged, COOP_E_PAYLOAD_MISSING, "a payload withheld");
  (void)err;
  ledger_bundle_result result;
  char problem[256] = "";
  cr_assert_neq(import_into_target(forged, &result, problem), COOP_OK);
  cr_assert(strstr(problem, "no erasure by the log's author covers it"), "%s", problem);
  bytes no_erased = with_forms(plain, false);
  expect_refused(no_erased, COOP_E_DECODE, "forms without an erased entry");
  free(no_erased.data);
  free(forged.data);
  free(plain.data);
}

Test(bundle, version_1_is_still_read_but_carries_no_erased_entry)
{
  build_source_log();
  build_target_log();
  bytes plain = export_log(fx.source, fx.author.public_key, 0, NULL);
  bytes old = copy_of(plain);
  coop_put_u16le(old.data + 8, 1);
  ledger_bundle_result result;
  char problem[256] = "";
  cr_assert_eq(import_into_target(old, &result, problem), COOP_OK, "%s", problem);
  cr_assert_eq(result.entries_added, size_of(fx.source, fx.author.public_key));
  erase_sealed_entries(T0 + 5000);
  bytes erased = export_log(fx.source, fx.author.public_key, 0, NULL);
  coop_put_u16le(erased.data + 8, 1);
  expect_refused(erased, COOP_E_DECODE, "tag 2 in a version-1 bundle");
  free(erased.data);
  free(old.data);
  free(plain.data);
}
