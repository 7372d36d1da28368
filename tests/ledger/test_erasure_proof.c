/* Erasures proven ahead (ledger/store/store_proof.c): a log whose erasure
 * lies batches after the entries it erased reaches a node that never held
 * it, batch by batch, as sync sends it; a proof that does not prove exactly
 * that erasure is refused and nothing is kept; a kept proof edited in the
 * database covers nothing; and an erasure entry that arrives different from
 * the one proven is refused as a fork.
 *
 * The "sync" here is the store's half of it, done by hand: the sender's
 * ledger_store_erasure_proofs for a batch, the receiver's
 * ledger_store_keep_erasure_proof for each, then ledger_store_ingest of the
 * batch, as sync/session_logs.c does it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/base/buffer.h"
#include "ledger/books/schema.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/erasure.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "ledger/store/store_sql.h"
#include "tests/support/erasure_proofs.h"

#define T0 UINT64_C(1775000000000)
#define MAX_ENTRIES 64

typedef struct fixture {
  char dir[64];
  ledger_identity author;
  ledger_store *source; /* the author's node */
  ledger_store *target; /* a node that never held the log */
} fixture;

static fixture fx;

static ledger_store *open_store(const char *name)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", fx.dir, name);
  ledger_store *store = NULL;
  int flags = access(path, F_OK) == 0 ? 0 : LEDGER_STORE_CREATE;
  coop_err err = ledger_store_open(path, flags, &store);
  cr_assert_eq(err, COOP_OK, "open '%s': %s", path, coop_err_name(err));
  return store;
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-proof-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  uint8_t seed[32];
  memset(seed, 0x11, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, &fx.author), COOP_OK);
  fx.source = open_store("source.db");
  fx.target = open_store("target.db");
}

static void teardown(void)
{
  ledger_store_close(fx.source);
  ledger_store_close(fx.target);
  ledger_identity_release(&fx.author);
  DIR *listing = opendir(fx.dir);
  struct dirent *item;
  while (listing && (item = readdir(listing)) != NULL) {
    char file[sizeof fx.dir + sizeof item->d_name + 1];
    snprintf(file, sizeof file, "%s/%s", fx.dir, item->d_name);
    if (strcmp(item->d_name, ".") && strcmp(item->d_name, ".."))
      unlink(file);
  }
  if (listing)
    closedir(listing);
  rmdir(fx.dir);
}

TestSuite(erasure_proof, .init = setup, .fini = teardown);

/* ---- The author's log ------------------------------------------------------------ */

static void append_identity(ledger_store *store)
{
  uint8_t payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t payload_bytes = 0;
  ledger_identity_payload identity = {.role = LEDGER_ROLE_COOP, .name = "author"};
  cr_assert_eq(ledger_identity_payload_encode(&identity, payload, &payload_bytes), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_IDENTITY, .payload = payload,
                             .payload_bytes = payload_bytes};
  cr_assert_eq(ledger_store_append(store, &fx.author, &item, 1, T0, NULL), COOP_OK);
}

/* Three entries sealed to a new audience (after its key grant); its id in
 * `audience_id`. */
static void append_sealed(ledger_store *store, uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES])
{
  uint8_t key[32];
  const uint8_t(*readers)[32] = (const uint8_t(*)[32])fx.author.public_key;
  cr_assert_eq(ledger_store_audience_create(store, &fx.author, readers, 1, T0 + 1, audience_id),
               COOP_OK);
  cr_assert_eq(ledger_store_audience_key(store, &fx.author, fx.author.public_key, audience_id,
                                         key), COOP_OK);
  uint8_t payload[40];
  memset(payload, 0x5a, sizeof payload);
  ledger_append_item items[3];
  for (size_t i = 0; i < 3; i++)
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_TRANSACTION, .audience_id = audience_id,
                                    .audience_key = key, .payload = payload,
                                    .payload_bytes = 10 + i};
  cr_assert_eq(ledger_store_append(store, &fx.author, items, 3, T0 + 2, NULL), COOP_OK);
}

/* `batches` batches of 5 public notes each: one checkpoint per batch. */
static void append_notes(ledger_store *store, unsigned batches, uint64_t now_ms)
{
  for (unsigned b = 0; b < batches; b++) {
    char texts[5][32];
    ledger_append_item items[5];
    for (unsigned i = 0; i < 5; i++) {
      int length = snprintf(texts[i], sizeof texts[i], "note %u.%u", b, i);
      items[i] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                      .payload = (const uint8_t *)texts[i],
                                      .payload_bytes = (size_t)length};
    }
    cr_assert_eq(ledger_store_append(store, &fx.author, items, 5, now_ms + b, NULL), COOP_OK);
  }
}

/* Appends, as `by`, an erasure of `audience_id` in the author's log. */
static void append_erasure_by(ledger_store *store, const ledger_identity *by,
                              const uint8_t audience_id[16], const char *why, uint64_t now_ms)
{
  ledger_erasure erasure;
  memset(&erasure, 0, sizeof erasure);
  erasure.reason = LEDGER_ERASURE_ON_REQUEST;
  memcpy(erasure.target_log_id, fx.author.public_key, LEDGER_LOG_ID_BYTES);
  erasure.audience_count = 1;
  memcpy(erasure.audiences[0], audience_id, LEDGER_AUDIENCE_ID_BYTES);
  snprintf(erasure.reason_text, sizeof erasure.reason_text, "%s", why);
  coop_buf encoded;
  coop_buf_init(&encoded, 4096);
  cr_assert_eq(ledger_erasure_encode(&erasure, &encoded), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_ERASURE, .payload = encoded.data,
                             .payload_bytes = encoded.len};
  cr_assert_eq(ledger_store_append(store, by, &item, 1, now_ms, NULL), COOP_OK);
  coop_buf_release(&encoded);
}

static void append_erasure(ledger_store *store, const uint8_t audience_id[16], const char *why)
{
  append_erasure_by(store, &fx.author, audience_id, why, T0 + 900);
}

/* identity (0), grant (1), 3 sealed (2..4), 4 x 5 notes (5..24), then the
 * erasure of the sealed entries at 25: their erasure is several
 * checkpointed batches after them. */
static uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
#define ERASURE_INDEX 25u

static void build_erased_log(ledger_store *store, const char *why)
{
  append_identity(store);
  append_sealed(store, audience);
  append_notes(store, 4, T0 + 10);
  append_erasure(store, audience, why);
}

/* ---- Sync by hand ---------------------------------------------------------------- */

/* One batch as the sender reads it: entries [from, to) with erased ones
 * sent as their payload hash. */
typedef struct batch {
  uint64_t from, to;
  uint8_t bytes[MAX_ENTRIES][LEDGER_ENTRY_HEADER_BYTES + 256];
  ledger_ingest_entry entries[MAX_ENTRIES];
  size_t count;
  ledger_checkpoint checkpoint;
  size_t erased;
} batch;

static coop_err read_entry(void *context, const ledger_stored_entry *entry)
{
  batch *b = context;
  if (entry->header.index >= b->to)
    return COOP_E_LIMIT;
  uint8_t *bytes = b->bytes[b->count];
  memcpy(bytes, entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  const uint8_t *carried = entry->erased ? entry->payload_hash : entry->payload;
  size_t carried_bytes = entry->erased ? LEDGER_HASH_BYTES : entry->payload_bytes;
  cr_assert_leq(carried_bytes, 256);
  memcpy(bytes + LEDGER_ENTRY_HEADER_BYTES, carried, carried_bytes);
  ledger_ingest_entry *out = &b->entries[b->count++];
  out->header = bytes;
  out->payload = entry->erased ? NULL : bytes + LEDGER_ENTRY_HEADER_BYTES;
  out->payload_hash = entry->erased ? bytes + LEDGER_ENTRY_HEADER_BYTES : NULL;
  b->erased += (size_t)entry->erased;
  return COOP_OK;
}

/* Entries [from, to) of the author's log in `store`, with its checkpoint at
 * `to` (a batch boundary). */
static batch *read_batch(ledger_store *store, uint64_t from, uint64_t to)
{
  batch *b = calloc(1, sizeof *b);
  cr_assert_not_null(b);
  b->from = from;
  b->to = to;
  coop_err err = ledger_store_entries(store, fx.author.public_key, from, read_entry, b);
  cr_assert(err == COOP_OK || err == COOP_E_LIMIT, "read: %s", coop_err_name(err));
  cr_assert_eq(b->count, to - from);
  cr_assert_eq(ledger_store_checkpoint_within(store, fx.author.public_key, to - 1, to, false,
                                              &b->checkpoint), COOP_OK,
               "a checkpoint at %llu", (unsigned long long)to);
  return b;
}

/* The proofs the sender would send, deep-copied. */
typedef struct proof_copy {
  ledger_erasure_proof proof;
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payload[4096];
} proof_copy;

typedef struct proofs {
  proof_copy items[4];
  size_t count;
} proofs;

static coop_err copy_proof(void *context, const ledger_erasure_proof *proof)
{
  proofs *list = context;
  cr_assert_lt(list->count, 4);
  proof_copy *copy = &list->items[list->count++];
  copy->proof = *proof;
  memcpy(copy->header, proof->header, LEDGER_ENTRY_HEADER_BYTES);
  uint32_t payload_bytes = proof->header[4] | (uint32_t)proof->header[5] << 8;
  cr_assert_leq(payload_bytes, sizeof copy->payload);
  memcpy(copy->payload, proof->payload, payload_bytes);
  copy->proof.header = copy->header;
  copy->proof.payload = copy->payload;
  return COOP_OK;
}

static proofs proofs_for(ledger_store *sender, const batch *b)
{
  proofs list = {0};
  coop_err err = ledger_store_erasure_proofs(sender, fx.author.public_key, b->from, b->entries,
                                             b->count, copy_proof, &list);
  cr_assert_eq(err, COOP_OK, "proofs: %s", coop_err_name(err));
  return list;
}

static coop_err ingest(ledger_store *store, const batch *b, char problem[256])
{
  uint64_t added = 0;
  ledger_fork_evidence fork;
  return ledger_store_ingest(store, &b->checkpoint, b->from, b->entries, b->count, T0 + 5000,
                             &added, &fork, problem);
}

/* Sends [from, to) from `sender` to `receiver` as sync does: proofs first. */
static void sync_batch(ledger_store *sender, ledger_store *receiver, uint64_t from, uint64_t to)
{
  batch *b = read_batch(sender, from, to);
  proofs list = proofs_for(sender, b);
  char problem[256];
  for (size_t i = 0; i < list.count; i++) {
    coop_err err = ledger_store_keep_erasure_proof(receiver, &list.items[i].proof, T0 + 5000,
                                                   problem);
    cr_assert_eq(err, COOP_OK, "keep: %s: %s", coop_err_name(err), problem);
  }
  coop_err err = ingest(receiver, b, problem);
  cr_assert_eq(err, COOP_OK, "ingest %llu..%llu: %s: %s", (unsigned long long)from,
               (unsigned long long)to, coop_err_name(err), problem);
  free(b);
}

static ledger_verify_report verified(ledger_store *store)
{
  ledger_verify_report report;
  coop_err err = ledger_store_verify(store, fx.author.public_key, &report);
  cr_assert_eq(err, COOP_OK, "verify: %s: %s", coop_err_name(err), report.what);
  return report;
}

/* ---- Tests ------------------------------------------------------------------------- */

Test(erasure_proof, without_a_proof_the_first_batch_is_refused)
{
  build_erased_log(fx.source, "verzoek");
  batch *b = read_batch(fx.source, 0, 5);
  cr_assert_eq(b->erased, 3, "the three sealed entries travel erased");
  char problem[256];
  cr_assert_eq(ingest(fx.target, b, problem), COOP_E_PAYLOAD_MISSING, "%s", problem);
  cr_assert(strstr(problem, "entry 2 came without its payload"), "%s", problem);
  free(b);
}

Test(erasure_proof, a_late_erasure_is_proven_ahead_and_the_log_arrives_in_batches)
{
  build_erased_log(fx.source, "verzoek");
  batch *first = read_batch(fx.source, 0, 5);
  proofs list = proofs_for(fx.source, first);
  cr_assert_eq(list.count, 1, "one erasure covers the batch's erased entries");
  cr_assert_eq(list.items[0].proof.index, ERASURE_INDEX);
  cr_assert_eq(list.items[0].proof.checkpoint.size, ERASURE_INDEX + 1);
  free(first);

  sync_batch(fx.source, fx.target, 0, 5);
  cr_assert_eq(kept_proofs(fx.target), 1, "kept until the erasure entry arrives");
  ledger_verify_report partial = verified(fx.target);
  cr_assert_eq(partial.entries_checked, 5);
  cr_assert_eq(partial.entries_erased, 3, "the kept proof covers them");

  /* A batch without erased entries needs no proof. */
  batch *notes = read_batch(fx.source, 5, 10);
  cr_assert_eq(proofs_for(fx.source, notes).count, 0);
  free(notes);

  for (uint64_t from = 5; from < ERASURE_INDEX + 1; from += 5)
    sync_batch(fx.source, fx.target, from, from + 5 > ERASURE_INDEX ? ERASURE_INDEX + 1 : from + 5);
  cr_assert_eq(kept_proofs(fx.target), 0, "the erasure entry arrived: the proof went");
  ledger_verify_report whole = verified(fx.target);
  cr_assert_eq(whole.entries_checked, ERASURE_INDEX + 1);
  cr_assert_eq(whole.entries_erased, 3);
  cr_assert_eq(whole.erasures, 1);
}

Test(erasure_proof, a_relay_catching_up_passes_the_proof_on)
{
  build_erased_log(fx.source, "verzoek");
  sync_batch(fx.source, fx.target, 0, 5);
  ledger_store *third = open_store("third.db");
  batch *b = read_batch(fx.target, 0, 5);
  proofs list = proofs_for(fx.target, b);
  cr_assert_eq(list.count, 1, "the relay holds no erasure entry, only its proof");
  cr_assert_eq(list.items[0].proof.index, ERASURE_INDEX);
  free(b);
  sync_batch(fx.target, third, 0, 5);
  cr_assert_eq(verified(third).entries_erased, 3);
  ledger_store_close(third);
}

/* Each forgery of the one true proof, and what it must be refused as. */
typedef enum forgery {
  BAD_SIGNATURE,
  WRONG_HASH,
  WRONG_INDEX,
  NOT_AN_ERASURE,
  BEYOND_CHECKPOINT,
  FORGERY_COUNT
} forgery;

static coop_err forge(proof_copy *copy, forgery how)
{
  switch (how) {
  case BAD_SIGNATURE:
    copy->proof.checkpoint.signature[7] ^= 1;
    return COOP_E_BAD_SIGNATURE;
  case WRONG_HASH:
    copy->proof.proof.hashes[0][3] ^= 1;
    return COOP_E_BAD_PROOF;
  case WRONG_INDEX:
    copy->proof.index -= 1;
    return COOP_E_DECODE; /* the header says another index */
  case NOT_AN_ERASURE:
    copy->header[2] = LEDGER_KIND_NOTE;
    return COOP_E_DECODE;
  case BEYOND_CHECKPOINT:
    copy->proof.checkpoint.size = copy->proof.index;
    return COOP_E_BAD_SIGNATURE; /* the signature covers the size */
  case FORGERY_COUNT:
    break;
  }
  return COOP_OK;
}

Test(erasure_proof, a_proof_that_proves_nothing_is_refused_and_nothing_kept)
{
  build_erased_log(fx.source, "verzoek");
  batch *b = read_batch(fx.source, 0, 5);
  proofs list = proofs_for(fx.source, b);
  cr_assert_eq(list.count, 1);
  for (forgery how = 0; how < FORGERY_COUNT; how++) {
    proof_copy forged = list.items[0];
    forged.proof.header = forged.header;
    forged.proof.payload = forged.payload;
    coop_err expected = forge(&forged, how);
    char problem[256];
    coop_err err = ledger_store_keep_erasure_proof(fx.target, &forged.proof, T0, problem);
    cr_assert_eq(err, expected, "forgery %d: %s, expected %s (%s)", how, coop_err_name(err),
                 coop_err_name(expected), problem);
    cr_assert_neq(problem[0], 0, "forgery %d names what failed", how);
    cr_assert_eq(kept_proofs(fx.target), 0, "forgery %d kept nothing", how);
  }
  char problem[256];
  cr_assert_eq(ingest(fx.target, b, problem), COOP_E_PAYLOAD_MISSING,
               "without the true proof the batch is still refused");
  free(b);
}

Test(erasure_proof, an_erasure_of_another_log_proves_nothing)
{
  /* A proof that verifies, of another author's erasure naming this log: an
   * author erases only in its own log. */
  build_erased_log(fx.source, "verzoek");
  ledger_identity other;
  uint8_t seed[32];
  memset(seed, 0x22, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, &other), COOP_OK);
  ledger_store *elsewhere = open_store("other.db");
  ledger_identity saved = fx.author;
  fx.author = other;
  append_identity(elsewhere);
  fx.author = saved;
  append_erasure_by(elsewhere, &other, audience, "niet van mij", T0 + 7);
  proof_copy copy = {0};
  size_t payload_bytes = 0;
  uint8_t leaf[32];
  cr_assert_eq(ledger_store_entry(elsewhere, other.public_key, 1, copy.header, copy.payload,
                                  &payload_bytes, leaf), COOP_OK);
  cr_assert_eq(ledger_store_checkpoint_latest(elsewhere, other.public_key,
                                              &copy.proof.checkpoint), COOP_OK);
  cr_assert_eq(ledger_store_inclusion_proof(elsewhere, other.public_key, 1, 2, &copy.proof.proof),
               COOP_OK);
  copy.proof.index = 1;
  copy.proof.header = copy.header;
  copy.proof.payload = copy.payload;
  char problem[256];
  /* It proves an erasure of log `other`, which names this log as target. */
  cr_assert_eq(ledger_store_keep_erasure_proof(fx.target, &copy.proof, T0, problem),
               COOP_E_DECODE, "%s", problem);
  cr_assert(strstr(problem, "does not erase entries of its own log"), "%s", problem);
  cr_assert_eq(kept_proofs(fx.target), 0);
  ledger_store_close(elsewhere);
  ledger_identity_release(&other);
}

Test(erasure_proof, an_edited_kept_proof_covers_nothing)
{
  build_erased_log(fx.source, "verzoek");
  sync_batch(fx.source, fx.target, 0, 5);
  cr_assert_eq(verified(fx.target).entries_erased, 3);
  char *message = NULL;
  cr_assert_eq(sqlite3_exec(ledger_store_db(fx.target),
                            "UPDATE erasure_proofs SET proof = zeroblob(length(proof))", NULL,
                            NULL, &message), SQLITE_OK, "%s", message ? message : "");
  ledger_verify_report report;
  coop_err err = ledger_store_verify(fx.target, fx.author.public_key, &report);
  cr_assert_neq(err, COOP_OK, "an edited proof must not excuse a missing payload");
  cr_assert(report.has_index && report.index == 2, "names the first erased entry: %s",
            report.what);
}

Test(erasure_proof, an_erasure_entry_that_arrives_different_from_its_proof_is_a_fork)
{
  /* The author signs two histories that differ only in the erasure's
   * reason: the target is given the proof of one and the entries of the
   * other. */
  append_identity(fx.source);
  append_sealed(fx.source, audience);
  append_notes(fx.source, 4, T0 + 10);
  ledger_store_close(fx.source);
  char from[128], to[128], command[300];
  snprintf(from, sizeof from, "%s/source.db", fx.dir);
  snprintf(to, sizeof to, "%s/twin.db", fx.dir);
  snprintf(command, sizeof command, "cp '%s' '%s'", from, to);
  cr_assert_eq(system(command), 0);
  fx.source = open_store("source.db");
  ledger_store *twin = open_store("twin.db");
  append_erasure(fx.source, audience, "verzoek");
  append_erasure(twin, audience, "ander verzoek");

  sync_batch(fx.source, fx.target, 0, 5); /* keeps the source's proof */
  for (uint64_t start = 5; start < ERASURE_INDEX; start += 5) {
    batch *b = read_batch(twin, start, start + 5);
    char problem[256];
    cr_assert_eq(ingest(fx.target, b, problem), COOP_OK, "%s", problem);
    free(b);
  }
  batch *last = read_batch(twin, ERASURE_INDEX, ERASURE_INDEX + 1);
  char problem[256];
  cr_assert_eq(ingest(fx.target, last, problem), COOP_E_FORK, "%s", problem);
  cr_assert(strstr(problem, "the log forked"), "%s", problem);
  cr_assert_eq(kept_proofs(fx.target), 1, "refused whole: the proof stays");
  free(last);
  ledger_store_close(twin);
}
