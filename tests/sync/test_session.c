/* Tests for sync/session (session.c, session_logs.c): the sans-I/O connection
 * state machine, driven in memory.  Each node is a temporary SQLite store
 * with its own identity and allowlist; the test moves the bytes between
 * sessions by hand (whole, in random chunks, or one byte at a time) and plays
 * the clock.  What it proves:
 *
 *   - two nodes with different logs converge: equal sizes, equal latest
 *     checkpoints, equal entries, every log verifies on both sides; also a
 *     25000-entry log with 25 checkpoints (ENTRIES cut at 10000 entries) and
 *     a log of 60 KiB entries (ENTRIES cut at 1 MiB);
 *   - a log reaches a node that never met its author (relay), and live
 *     announcements reach the peer, also hop by hop;
 *   - hostile input closes the receiving session with a problem that names
 *     the issue and stores nothing: unknown initiator, impersonated
 *     responder, another network, flipped bits in handshake and transport
 *     frames, cut streams, oversized lengths, a replayed handshake, forged
 *     entries and checkpoints, unsolicited entries, out-of-place HELLOs,
 *     request floods, another protocol version (BYE 2);
 *   - a forked log is recorded as evidence, reported, forwarded, and frozen;
 *   - requests are served in batches ending at stored checkpoints; claims
 *     are asked for and given back; the settle barrier needs its own PONG;
 *   - the timers fire at their bounds (handshake deadline, PING, BYE 4,
 *     request timeout);
 *   - allocation failures at every step of a sync neither crash nor leak.
 *
 * Where a well-behaved session would never misbehave, a "raw peer" built
 * from sync/noise.h and sync/wire.h speaks the protocol message by message.
 *
 * Tests whose comment starts "Was a bug (fixed)" reproduce bugs found while
 * writing this file; they assert the correct behaviour.
 *
 * Randomness (chunk sizes, payloads, bit positions) comes from a splitmix64
 * generator with a fixed seed per test; Noise ephemeral keys and PING nonces
 * come from libsodium and do not influence any outcome. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/limits.h"
#include "ledger/books/schema.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/erasure.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "ledger/store/store_sql.h"
#include "sync/noise.h"
#include "sync/session.h"
#include "sync/wire.h"
#include "tests/support/erasure_proofs.h"

#define T0 UINT64_C(1775000000000) /* wall clock: stored timestamps */
#define NOW UINT64_C(7000000)       /* the sessions' monotonic clock at the start */
#define STEPS_MAX 4000
#define NODES_MAX 10
#define ALLOW_MAX 8
#define LINES_BYTES (64u * 1024u)
#define LOGS_MAX 320

/* ---- Random numbers: reproducible (splitmix64) ------------------------------ */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
  uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static size_t rng_below(size_t bound)
{
  return bound ? (size_t)(rng_next() % bound) : 0;
}

static void rng_bytes(uint8_t *out, size_t count)
{
  for (size_t i = 0; i < count; i++)
    out[i] = (uint8_t)rng_next();
}

/* ---- Nodes: a store, an identity, an allowlist, and what the host saw ------- */

typedef struct node {
  char name[16];
  char path[160];
  ledger_identity identity;
  ledger_store *store;
  sync_host host;
  sync_peer allow[ALLOW_MAX];
  size_t allow_count;
  char lines[LINES_BYTES]; /* every log line, one per line, truncated when full */
  size_t lines_bytes;
  unsigned line_count;
  unsigned forks_found, grew, claims, releases;
  bool refuse_claims;
  /* As a node does: one connection at a time fetches a log. */
  bool exclusive_claims;
  uint8_t claimed[16][LEDGER_LOG_ID_BYTES];
  size_t claimed_count;
  ledger_fork_evidence fork; /* the last one reported */
  /* Live relay: log_grew announces the new checkpoint, and fork_found
   * forwards the evidence, on these sessions (all but the one it came from). */
  sync_session *announce_to[4];
  size_t announce_count;
  /* When set, the node keeps only its own log and those of `named`, as a
   * node keeps the logs of the authors its node.conf names. */
  bool named_only;
  uint8_t named[4][LEDGER_LOG_ID_BYTES];
  size_t named_count;
  unsigned strangers_refused;
} node;

static struct {
  char dir[64];
  node nodes[NODES_MAX];
  size_t node_count;
} fx;

static void identity_of(uint8_t seed_byte, ledger_identity *identity)
{
  uint8_t seed[32];
  memset(seed, seed_byte, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, identity), COOP_OK);
}

static bool host_find_peer(void *context, const uint8_t noise_key[SYNC_NOISE_KEY_BYTES],
                           sync_peer *peer)
{
  node *self = context;
  for (size_t i = 0; i < self->allow_count; i++)
    if (!memcmp(self->allow[i].noise_key, noise_key, SYNC_NOISE_KEY_BYTES)) {
      *peer = self->allow[i];
      return true;
    }
  return false;
}

static void host_log(void *context, const sync_session *session, const char *line)
{
  (void)session;
  node *self = context;
  self->line_count++;
  size_t bytes = strlen(line);
  cr_assert_lt(bytes, SYNC_LINE_BYTES);
  if (self->lines_bytes + bytes + 2 > sizeof self->lines)
    return;
  memcpy(self->lines + self->lines_bytes, line, bytes);
  self->lines_bytes += bytes;
  self->lines[self->lines_bytes++] = '\n';
  self->lines[self->lines_bytes] = 0;
}

static bool host_accepts_log(void *context, const sync_session *session,
                             const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  (void)session;
  node *self = context;
  for (size_t i = 0; i < self->named_count; i++)
    if (!memcmp(self->named[i], log_id, LEDGER_LOG_ID_BYTES))
      return true;
  self->strangers_refused += self->named_only;
  return !self->named_only;
}

static bool host_claim(void *context, const sync_session *session,
                       const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  (void)session;
  node *self = context;
  if (self->refuse_claims)
    return false;
  if (self->exclusive_claims) {
    for (size_t i = 0; i < self->claimed_count; i++)
      if (!memcmp(self->claimed[i], log_id, LEDGER_LOG_ID_BYTES))
        return false;
    cr_assert_lt(self->claimed_count, 16);
    memcpy(self->claimed[self->claimed_count++], log_id, LEDGER_LOG_ID_BYTES);
  }
  self->claims++;
  return true;
}

static void host_release(void *context, const sync_session *session,
                         const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  (void)session;
  node *self = context;
  self->releases++;
  for (size_t i = 0; i < self->claimed_count; i++)
    if (!memcmp(self->claimed[i], log_id, LEDGER_LOG_ID_BYTES)) {
      memmove(self->claimed[i], self->claimed[i + 1],
              (self->claimed_count - i - 1) * LEDGER_LOG_ID_BYTES);
      self->claimed_count--;
      break;
    }
}

static void host_grew(void *context, const sync_session *session,
                      const ledger_checkpoint *latest)
{
  node *self = context;
  self->grew++;
  for (size_t i = 0; i < self->announce_count; i++)
    if (self->announce_to[i] != session)
      cr_assert_eq(sync_session_announce(self->announce_to[i], latest), COOP_OK);
}

static void host_fork(void *context, const sync_session *session,
                      const ledger_fork_evidence *evidence)
{
  node *self = context;
  self->forks_found++;
  self->fork = *evidence;
  for (size_t i = 0; i < self->announce_count; i++)
    if (self->announce_to[i] != session)
      cr_assert_eq(sync_session_forward_fork(self->announce_to[i], evidence), COOP_OK);
}

static uint64_t host_now(void *context)
{
  (void)context;
  return T0 + 500000;
}

static void open_node_store(node *self, int flags)
{
  coop_err err = ledger_store_open(self->path, flags, &self->store);
  cr_assert_eq(err, COOP_OK, "open '%s': %s", self->path, coop_err_name(err));
  self->host.store = self->store;
}

/* A node with its own store and identity (seed_byte x 32).  Nodes with the
 * same seed are one author with several stores (to sign two histories). */
static node *node_new(const char *name, uint8_t seed_byte)
{
  cr_assert_lt(fx.node_count, NODES_MAX);
  node *self = &fx.nodes[fx.node_count++];
  memset(self, 0, sizeof *self);
  cr_assert_lt(strlen(name), sizeof self->name);
  memcpy(self->name, name, strlen(name) + 1);
  char path[sizeof self->path];
  snprintf(path, sizeof path, "%s/%s.db", fx.dir, name);
  memcpy(self->path, path, sizeof path);
  identity_of(seed_byte, &self->identity);
  self->host = (sync_host){.context = self,
                           .identity = &self->identity,
                           .role = LEDGER_ROLE_COOP,
                           .name = self->name,
                           .find_peer = host_find_peer,
                           .accepts_log = host_accepts_log,
                           .log = host_log,
                           .claim_log = host_claim,
                           .release_log = host_release,
                           .log_grew = host_grew,
                           .fork_found = host_fork,
                           .now_ms = host_now};
  memset(self->host.network_id, 0x4e, SYNC_NETWORK_ID_BYTES);
  open_node_store(self, LEDGER_STORE_CREATE);
  return self;
}

/* How `other` appears in an allowlist or as a dialed peer. */
static sync_peer peer_of(const node *other)
{
  sync_peer peer;
  memset(&peer, 0, sizeof peer);
  snprintf(peer.name, sizeof peer.name, "%s", other->name);
  memcpy(peer.key, other->identity.public_key, LEDGER_PUBLIC_KEY_BYTES);
  cr_assert_eq(sync_noise_public_from_ed25519(peer.noise_key, other->identity.public_key),
               COOP_OK);
  peer.role = LEDGER_ROLE_COOP;
  return peer;
}

static void allow(node *self, const node *other)
{
  cr_assert_lt(self->allow_count, ALLOW_MAX);
  self->allow[self->allow_count++] = peer_of(other);
}

static void befriend(node *a, node *b)
{
  allow(a, b);
  allow(b, a);
}

static bool saw_line(const node *self, const char *text)
{
  return strstr(self->lines, text) != NULL;
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  rng_state = UINT64_C(0x5e55105e);
  /* Stores sync (fsync) every transaction: on tmpfs when there is one. */
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(fx.dir, sizeof fx.dir, "%s/coop-session-XXXXXX", base);
  cr_assert_not_null(mkdtemp(fx.dir));
}

static void remove_dir(const char *dir)
{
  DIR *listing = opendir(dir);
  if (!listing)
    return;
  struct dirent *item;
  while ((item = readdir(listing)) != NULL) {
    if (strcmp(item->d_name, ".") == 0 || strcmp(item->d_name, "..") == 0)
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
  coop_alloc_fail_after(-1);
  for (size_t i = 0; i < fx.node_count; i++) {
    ledger_store_close(fx.nodes[i].store);
    ledger_identity_release(&fx.nodes[i].identity);
  }
  remove_dir(fx.dir);
}

/* ---- Logs: appending, reading, copying, comparing --------------------------- */

static uint64_t log_size(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  uint64_t size = UINT64_MAX;
  cr_assert_eq(ledger_store_size(store, log_id, &size), COOP_OK);
  return size;
}

static uint64_t fork_count(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  uint64_t count = UINT64_MAX;
  cr_assert_eq(ledger_store_fork_count(store, log_id, &count), COOP_OK);
  return count;
}

static ledger_checkpoint latest_of(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  ledger_checkpoint checkpoint;
  cr_assert_eq(ledger_store_checkpoint_latest(store, log_id, &checkpoint), COOP_OK);
  return checkpoint;
}

static ledger_checkpoint checkpoint_at(ledger_store *store,
                                       const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size)
{
  ledger_checkpoint checkpoint;
  cr_assert_eq(ledger_store_checkpoint_at(store, log_id, size, &checkpoint), COOP_OK,
               "no checkpoint at %" PRIu64, size);
  return checkpoint;
}

/* Entry 0 of every log is its author's identity (ingest refuses a log that
 * starts otherwise).  payload: room for LEDGER_IDENTITY_PAYLOAD_MAX bytes. */
static ledger_append_item identity_item(uint8_t *payload)
{
  ledger_identity_payload identity = {.role = LEDGER_ROLE_PARTNER, .name = "author"};
  size_t payload_bytes = 0;
  cr_assert_eq(ledger_identity_payload_encode(&identity, payload, &payload_bytes), COOP_OK);
  return (ledger_append_item){.kind = LEDGER_KIND_IDENTITY, .payload = payload,
                              .payload_bytes = payload_bytes};
}

/* Appends `count` entries to the author's own log, `batch` per checkpoint:
 * notes "NAME note INDEX" when blob_bytes is 0, else random payloads of
 * blob_bytes.  Returns the last checkpoint. */
static ledger_checkpoint append_entries(node *author, size_t count, size_t batch,
                                        size_t blob_bytes)
{
  enum { NOTE_BYTES = 48 };
  uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t slot = blob_bytes ? blob_bytes : NOTE_BYTES;
  cr_assert(batch >= 1 && batch <= COOP_BATCH_ENTRIES_MAX);
  cr_assert(batch == 1 || batch * (LEDGER_ENTRY_HEADER_BYTES + slot) <= COOP_BATCH_BYTES_MAX,
            "a batch of %zu x %zu bytes does not fit one append", batch, slot);
  uint8_t *payloads = malloc(batch * slot);
  ledger_append_item *items = calloc(batch, sizeof *items);
  cr_assert_not_null(payloads);
  cr_assert_not_null(items);
  ledger_checkpoint latest;
  memset(&latest, 0, sizeof latest);
  for (size_t done = 0; done < count;) {
    size_t now = count - done < batch ? count - done : batch;
    uint64_t size = log_size(author->store, author->identity.public_key);
    for (size_t i = 0; i < now; i++) {
      uint8_t *payload = payloads + i * slot;
      size_t bytes = blob_bytes;
      if (blob_bytes)
        rng_bytes(payload, blob_bytes);
      else
        bytes = (size_t)snprintf((char *)payload, NOTE_BYTES, "%s note %" PRIu64, author->name,
                                 size + i);
      items[i] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                      .payload = payload,
                                      .payload_bytes = bytes};
      if (size + i == 0) /* entry 0 of every log is its author's identity */
        items[i] = identity_item(identity_payload);
    }
    coop_err err =
        ledger_store_append(author->store, &author->identity, items, now, T0 + size, &latest);
    cr_assert_eq(err, COOP_OK, "append %zu at %" PRIu64 ": %s", now, size, coop_err_name(err));
    cr_assert_eq(latest.size, size + now);
    done += now;
  }
  free(items);
  free(payloads);
  return latest;
}

/* Copies of stored entries, kept alive for an ENTRIES message or an ingest. */
typedef struct entry_batch {
  size_t count, capacity;
  uint8_t (*headers)[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t **payloads;
  ledger_ingest_entry *items;
} entry_batch;

static coop_err collect_entry(void *context, const ledger_stored_entry *entry)
{
  entry_batch *batch = context;
  if (batch->count == batch->capacity)
    return COOP_E_LIMIT; /* enough */
  cr_assert_not_null(entry->payload, "an erased payload cannot be copied");
  size_t i = batch->count++;
  memcpy(batch->headers[i], entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  batch->payloads[i] = malloc(entry->payload_bytes ? entry->payload_bytes : 1);
  cr_assert_not_null(batch->payloads[i]);
  memcpy(batch->payloads[i], entry->payload, entry->payload_bytes);
  batch->items[i] = (ledger_ingest_entry){.header = batch->headers[i], .payload = batch->payloads[i]};
  return COOP_OK;
}

static void batch_load(entry_batch *batch, ledger_store *store,
                       const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t first, size_t count)
{
  memset(batch, 0, sizeof *batch);
  size_t slots = count ? count : 1;
  batch->capacity = count;
  batch->headers = calloc(slots, sizeof *batch->headers);
  batch->payloads = calloc(slots, sizeof *batch->payloads);
  batch->items = calloc(slots, sizeof *batch->items);
  cr_assert(batch->headers && batch->payloads && batch->items);
  coop_err err = ledger_store_entries(store, log_id, first, collect_entry, batch);
  cr_assert(err == COOP_OK || err == COOP_E_LIMIT, "read entries: %s", coop_err_name(err));
  cr_assert_eq(batch->count, count, "only %zu of %zu entries from %" PRIu64, batch->count, count,
               first);
}

static void batch_free(entry_batch *batch)
{
  for (size_t i = 0; i < batch->count; i++)
    free(batch->payloads[i]);
  free(batch->headers);
  free(batch->payloads);
  free(batch->items);
  memset(batch, 0, sizeof *batch);
}

typedef struct checkpoint_list {
  size_t count;
  ledger_checkpoint items[64];
} checkpoint_list;

static coop_err collect_checkpoint(void *context, const ledger_checkpoint *checkpoint)
{
  checkpoint_list *list = context;
  cr_assert_lt(list->count, 64);
  list->items[list->count++] = *checkpoint;
  return COOP_OK;
}

/* Copies a log from one store to another, checkpoint by checkpoint, up to
 * `up_to` entries, as a bundle import would. */
static void copy_log(node *from, node *to, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                     uint64_t up_to)
{
  uint64_t have = log_size(to->store, log_id);
  checkpoint_list list = {0};
  cr_assert_eq(ledger_store_checkpoints(from->store, log_id, have, collect_checkpoint, &list),
               COOP_OK);
  for (size_t i = 0; i < list.count && list.items[i].size <= up_to; i++) {
    entry_batch batch;
    batch_load(&batch, from->store, log_id, have, (size_t)(list.items[i].size - have));
    uint64_t added = 0;
    char problem[256] = "";
    coop_err err = ledger_store_ingest(to->store, &list.items[i], have, batch.items, batch.count,
                                       T0 + 1, &added, NULL, problem);
    cr_assert_eq(err, COOP_OK, "copy: %s: %s", coop_err_name(err), problem);
    have = list.items[i].size;
    batch_free(&batch);
  }
  cr_assert_eq(have, up_to, "no checkpoint at %" PRIu64 " to copy up to", up_to);
}

static coop_err digest_entry(void *context, const ledger_stored_entry *entry)
{
  crypto_generichash_state *state = context;
  crypto_generichash_update(state, entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  if (entry->payload)
    crypto_generichash_update(state, entry->payload, entry->payload_bytes);
  return COOP_OK;
}

/* A hash of every header and payload of a log, in order. */
static void log_digest(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                       uint8_t out[32])
{
  crypto_generichash_state state;
  crypto_generichash_init(&state, NULL, 0, 32);
  cr_assert_eq(ledger_store_entries(store, log_id, 0, digest_entry, &state), COOP_OK);
  crypto_generichash_final(&state, out, 32);
}

static void assert_verifies(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  ledger_verify_report report;
  coop_err err = ledger_store_verify(store, log_id, &report);
  cr_assert_eq(err, COOP_OK, "verify: %s: %s", coop_err_name(err), report.what);
}

/* Everything a store holds, per log: for "nothing was stored" checks. */
typedef struct snapshot {
  size_t count;
  uint8_t ids[LOGS_MAX][LEDGER_LOG_ID_BYTES];
  uint64_t sizes[LOGS_MAX], forks[LOGS_MAX];
  uint8_t digests[LOGS_MAX][32];
} snapshot;

static coop_err collect_log_id(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  snapshot *shot = context;
  cr_assert_lt(shot->count, LOGS_MAX);
  memcpy(shot->ids[shot->count++], log_id, LEDGER_LOG_ID_BYTES);
  return COOP_OK;
}

static snapshot *snapshot_of(ledger_store *store)
{
  snapshot *shot = calloc(1, sizeof *shot);
  cr_assert_not_null(shot);
  cr_assert_eq(ledger_store_logs(store, collect_log_id, shot), COOP_OK);
  for (size_t i = 0; i < shot->count; i++) {
    shot->sizes[i] = log_size(store, shot->ids[i]);
    shot->forks[i] = fork_count(store, shot->ids[i]);
    log_digest(store, shot->ids[i], shot->digests[i]);
    assert_verifies(store, shot->ids[i]);
  }
  return shot;
}

static ssize_t snapshot_find(const snapshot *shot, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  for (size_t i = 0; i < shot->count; i++)
    if (!memcmp(shot->ids[i], log_id, LEDGER_LOG_ID_BYTES))
      return (ssize_t)i;
  return -1;
}

/* The store holds exactly what it held (and it all verifies); frees `before`. */
static void assert_unchanged(snapshot *before, ledger_store *store)
{
  snapshot *after = snapshot_of(store);
  cr_assert_eq(after->count, before->count, "the store now holds %zu logs, before %zu",
               after->count, before->count);
  for (size_t i = 0; i < before->count; i++) {
    ssize_t j = snapshot_find(after, before->ids[i]);
    cr_assert_geq(j, 0, "a log disappeared");
    cr_assert_eq(after->sizes[j], before->sizes[i], "log %zu: size %" PRIu64 ", before %" PRIu64,
                 i, after->sizes[j], before->sizes[i]);
    cr_assert_eq(after->forks[j], before->forks[i]);
    cr_assert_arr_eq(after->digests[j], before->digests[i], 32);
  }
  free(after);
  free(before);
}

static void assert_same_checkpoint(const ledger_checkpoint *a, const ledger_checkpoint *b)
{
  uint8_t a_bytes[LEDGER_CHECKPOINT_BYTES], b_bytes[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(a, a_bytes);
  ledger_checkpoint_encode(b, b_bytes);
  cr_assert_arr_eq(a_bytes, b_bytes, sizeof a_bytes, "checkpoints differ");
}

/* One log is the same in both stores: size, latest checkpoint, every entry;
 * and it verifies in both. */
static void assert_same_log(ledger_store *a, ledger_store *b,
                            const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  uint64_t size_a = log_size(a, log_id), size_b = log_size(b, log_id);
  cr_assert_eq(size_a, size_b, "sizes %" PRIu64 " and %" PRIu64, size_a, size_b);
  cr_assert_gt(size_a, 0);
  ledger_checkpoint latest_a = latest_of(a, log_id), latest_b = latest_of(b, log_id);
  assert_same_checkpoint(&latest_a, &latest_b);
  cr_assert_eq(latest_a.size, size_a);
  uint8_t digest_a[32], digest_b[32];
  log_digest(a, log_id, digest_a);
  log_digest(b, log_id, digest_b);
  cr_assert_arr_eq(digest_a, digest_b, 32, "entries differ");
  assert_verifies(a, log_id);
  assert_verifies(b, log_id);
}

/* Both stores hold the same logs, each the same. */
static void assert_converged(node *a, node *b)
{
  snapshot *shot_a = snapshot_of(a->store), *shot_b = snapshot_of(b->store);
  cr_assert_eq(shot_a->count, shot_b->count, "%s holds %zu logs, %s %zu", a->name, shot_a->count,
               b->name, shot_b->count);
  for (size_t i = 0; i < shot_a->count; i++) {
    cr_assert_geq(snapshot_find(shot_b, shot_a->ids[i]), 0, "%s lacks a log", b->name);
    assert_same_log(a->store, b->store, shot_a->ids[i]);
  }
  free(shot_a);
  free(shot_b);
}

/* ---- Links: two sessions and the bytes between them --------------------------- */

typedef enum chunking {
  CHUNK_WHOLE,  /* everything queued in one receive call */
  CHUNK_BYTES,  /* one byte per call */
  CHUNK_RANDOM, /* random sizes, often a single byte */
} chunking;

typedef struct conn {
  node *a, *b;      /* a dialed b */
  sync_session sa;  /* a's session: the initiator */
  sync_session sb;  /* b's session: the responder */
  coop_err err_a, err_b; /* the first failure each side reported */
  bool settled_a, settled_b;
  chunking chunks;
  uint64_t now;
  uint64_t bytes_ab, bytes_ba;
} conn;

static conn *conn_open_dialing(node *a, node *b, const sync_peer *dialed, chunking chunks)
{
  conn *l = calloc(1, sizeof *l);
  cr_assert_not_null(l);
  l->a = a;
  l->b = b;
  l->chunks = chunks;
  l->now = NOW;
  cr_assert_eq(sync_session_init(&l->sa, &a->host, dialed, "192.0.2.2:7420", l->now), COOP_OK);
  cr_assert_eq(sync_session_init(&l->sb, &b->host, NULL, "192.0.2.1:50000", l->now), COOP_OK);
  cr_assert_eq(l->sa.state, SYNC_SESSION_HANDSHAKE);
  cr_assert_eq(l->sa.wire_out.len, SYNC_FRAME_LENGTH_BYTES + SYNC_HANDSHAKE_MESSAGE_1_BYTES,
               "the initiator writes message 1 at once");
  cr_assert_eq(l->sb.wire_out.len, 0, "the responder waits");
  return l;
}

static conn *conn_open(node *a, node *b, chunking chunks)
{
  sync_peer dialed = peer_of(b);
  return conn_open_dialing(a, b, &dialed, chunks);
}

static void conn_close(conn *l)
{
  sync_session_release(&l->sa);
  sync_session_release(&l->sb);
  free(l);
}

static void note_err(coop_err *first, coop_err err)
{
  if (err && !*first)
    *first = err;
}

static size_t next_chunk(chunking mode, size_t remaining)
{
  switch (mode) {
  case CHUNK_WHOLE:
    return remaining;
  case CHUNK_BYTES:
    return 1;
  case CHUNK_RANDOM:
    break;
  }
  size_t chunk = rng_below(4) == 0 ? 1 : 1 + rng_below(rng_below(2) ? 200 : 70000);
  return chunk < remaining ? chunk : remaining;
}

/* Moves what `from` queued into `to`; returns the bytes moved. */
static size_t deliver(sync_session *from, sync_session *to, chunking mode, uint64_t now,
                      coop_err *to_err)
{
  size_t total = from->wire_out.len;
  for (size_t offset = 0; offset < total;) {
    size_t chunk = next_chunk(mode, total - offset);
    note_err(to_err, sync_session_receive(to, from->wire_out.data + offset, chunk, now));
    offset += chunk;
  }
  coop_buf_reset(&from->wire_out);
  return total;
}

static void conn_deliver_ab(conn *l)
{
  l->bytes_ab += deliver(&l->sa, &l->sb, l->chunks, l->now, &l->err_b);
}

static void conn_deliver_ba(conn *l)
{
  l->bytes_ba += deliver(&l->sb, &l->sa, l->chunks, l->now, &l->err_a);
}

/* One round: bytes both ways, then each side produces more entries and
 * works on its settle barrier.  Returns the bytes moved. */
static size_t conn_step(conn *l)
{
  size_t before = l->bytes_ab + l->bytes_ba;
  conn_deliver_ab(l);
  conn_deliver_ba(l);
  note_err(&l->err_a, sync_session_pump(&l->sa, l->sa.wire_out.len, l->now));
  note_err(&l->err_b, sync_session_pump(&l->sb, l->sb.wire_out.len, l->now));
  note_err(&l->err_a, sync_session_settle(&l->sa, &l->settled_a));
  note_err(&l->err_b, sync_session_settle(&l->sb, &l->settled_b));
  return (size_t)(l->bytes_ab + l->bytes_ba - before);
}

static bool conn_idle(const conn *l)
{
  return !l->sa.wire_out.len && !l->sb.wire_out.len;
}

/* Runs several conns in lockstep until every one has settled (true), or
 * nothing moves any more, or the step limit. */
static bool conns_run(conn **conns, size_t count, int steps_max)
{
  for (int step = 0; step < steps_max; step++) {
    size_t moved = 0;
    bool settled = true, idle = true;
    for (size_t i = 0; i < count; i++) {
      moved += conn_step(conns[i]);
      settled = settled && conns[i]->settled_a && conns[i]->settled_b;
      idle = idle && conn_idle(conns[i]);
    }
    if (settled)
      return true;
    if (!moved && idle)
      return false;
  }
  return false;
}

static bool conn_run(conn *l)
{
  return conns_run(&l, 1, STEPS_MAX);
}

/* Runs a conn that must settle without errors. */
static void conn_settle(conn *l)
{
  bool settled = conn_run(l);
  cr_assert_eq(l->err_a, COOP_OK, "%s: %s: %s", l->a->name, coop_err_name(l->err_a),
               l->sa.problem);
  cr_assert_eq(l->err_b, COOP_OK, "%s: %s: %s", l->b->name, coop_err_name(l->err_b),
               l->sb.problem);
  cr_assert(settled, "the sessions did not settle (states %d and %d)", l->sa.state,
            l->sb.state);
  cr_assert(sync_session_is_open(&l->sa));
  cr_assert(sync_session_is_open(&l->sb));
}

/* One whole one-shot sync between two nodes. */
static void sync_nodes(node *a, node *b, chunking chunks)
{
  conn *l = conn_open(a, b, chunks);
  conn_settle(l);
  conn_close(l);
}

static void assert_problem(const sync_session *session, const char *keyword)
{
  cr_assert(sync_session_is_closed(session), "the session is not closed (state %d)",
            session->state);
  cr_assert_not_null(strstr(session->problem, keyword), "problem '%s' does not mention '%s'",
                     session->problem, keyword);
}

/* ========================================================================== */
/* Convergence                                                                */
/* ========================================================================== */

TestSuite(session_sync, .init = setup, .fini = teardown);

Test(session_sync, two_nodes_with_different_logs_converge)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  b->allow[0].role = LEDGER_ROLE_MEMBER; /* bob thinks alice is a member */
  append_entries(a, 30, 10, 0);
  append_entries(b, 7, 3, 0);
  snapshot *before_a = snapshot_of(a->store);
  cr_assert_eq(before_a->count, 1);
  free(before_a);

  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(l->sa.entries_received, 7);
  cr_assert_eq(l->sb.entries_received, 30);
  cr_assert_eq(l->sa.entries_sent, 30);
  cr_assert_eq(l->sb.entries_sent, 7);
  cr_assert(l->sa.hello_received && l->sb.hello_received);
  cr_assert_str_eq(l->sa.hello.name, "bob");
  cr_assert_str_eq(l->sb.hello.name, "alice");
  cr_assert_eq(l->sa.active_count, 0);
  cr_assert_eq(l->sb.active_count, 0);
  conn_close(l);

  assert_converged(a, b);
  snapshot *after = snapshot_of(a->store);
  cr_assert_eq(after->count, 2);
  free(after);
  /* Claims were asked for each fetched log and all given back. */
  cr_assert_eq(a->claims, 1);
  cr_assert_eq(b->claims, 1);
  cr_assert_eq(a->releases, a->claims);
  cr_assert_eq(b->releases, b->claims);
  /* Each log travelled in one ENTRIES message (the largest checkpoint in
   * reach), so each grew once. */
  cr_assert_eq(a->grew, 1);
  cr_assert_eq(b->grew, 1);
  cr_assert(saw_line(a, "handshake done"), "%s", a->lines);
  cr_assert(saw_line(a, "caught up at size 7"), "%s", a->lines);
  cr_assert(saw_line(b, "configured as a member"), "%s", b->lines);
  cr_assert_eq(a->forks_found + b->forks_found, 0);

  /* Synced nodes sync again without moving entries. */
  l = conn_open(b, a, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(l->sa.entries_received + l->sb.entries_received, 0);
  cr_assert_eq(l->sa.entries_sent + l->sb.entries_sent, 0);
  conn_close(l);
  assert_converged(a, b);
}

Test(session_sync, large_logs_with_many_checkpoints_and_big_payloads)
{
  node *a = node_new("alice", 0x21), *b = node_new("bob", 0x22);
  befriend(a, b);
  /* 25000 small entries under 25 checkpoints: ENTRIES are cut at 10000
   * entries (a batch ends at the largest checkpoint within reach). */
  ledger_checkpoint a_latest = append_entries(a, 25000, 1000, 0);
  cr_assert_eq(a_latest.size, 25000);
  /* 64 entries of 60 KiB, 4 per checkpoint (3.9 MB): ENTRIES are cut at
   * 1 MiB, that is after 16 of them (17 fit, but no checkpoint is at 17). */
  append_entries(b, 64, 4, 60u * 1024u);
  append_entries(b, 5, 5, 0);

  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(l->sb.entries_received, 25000);
  cr_assert_eq(l->sa.entries_received, 69);
  /* Sending 25000 entries took several steps: the sender waits below its
   * watermark rather than queueing everything at once. */
  cr_assert_gt(l->bytes_ab, 25000u * LEDGER_ENTRY_HEADER_BYTES);
  cr_assert_gt(l->bytes_ba, 63u * 60u * 1024u); /* entry 0 is b's identity */
  conn_close(l);
  assert_converged(a, b);

  /* Every checkpoint b stored for a's log is one a signed, and b stored one
   * per ENTRIES message: 10000, 20000, 25000. */
  checkpoint_list list = {0};
  cr_assert_eq(ledger_store_checkpoints(b->store, a->identity.public_key, 0, collect_checkpoint,
                                        &list),
               COOP_OK);
  cr_assert_eq(list.count, 3);
  cr_assert_eq(list.items[0].size, 10000);
  cr_assert_eq(list.items[1].size, 20000);
  cr_assert_eq(list.items[2].size, 25000);
  for (size_t i = 0; i < list.count; i++) {
    ledger_checkpoint signed_by_a = checkpoint_at(a->store, a->identity.public_key,
                                                  list.items[i].size);
    assert_same_checkpoint(&list.items[i], &signed_by_a);
  }
  /* The 60 KiB entries travelled 16 per message, each message ending at
   * the last checkpoint within 1 MiB; the notes joined the last segment. */
  list.count = 0;
  cr_assert_eq(ledger_store_checkpoints(a->store, b->identity.public_key, 0, collect_checkpoint,
                                        &list),
               COOP_OK);
  cr_assert_eq(list.count, 4);
  for (size_t i = 0; i < 3; i++)
    cr_assert_eq(list.items[i].size, 16 * (i + 1));
  cr_assert_eq(list.items[3].size, 69);
}

Test(session_sync, relay_to_a_node_that_never_met_the_author)
{
  node *a = node_new("alice", 0x31), *b = node_new("bob", 0x32), *c = node_new("carol", 0x33);
  befriend(a, b);
  befriend(b, c); /* carol does not know alice */
  append_entries(a, 2500, 500, 0);
  append_entries(a, 20, 10, 20000);
  append_entries(c, 3, 3, 0);
  uint8_t digest_at_a[32];
  log_digest(a->store, a->identity.public_key, digest_at_a);

  sync_nodes(a, b, CHUNK_WHOLE);
  sync_nodes(c, b, CHUNK_WHOLE);

  assert_same_log(a->store, c->store, a->identity.public_key);
  uint8_t digest_at_c[32];
  log_digest(c->store, a->identity.public_key, digest_at_c);
  cr_assert_arr_eq(digest_at_a, digest_at_c, 32);
  assert_converged(b, c);
  /* Alice never saw carol's log: she took no part. */
  cr_assert_eq(log_size(a->store, c->identity.public_key), 0);
}

/* ---- Erasures far behind what they erase ---------------------------------------- */

/* Three entries of `author` sealed to a new audience (its id in `audience`). */
static void append_sealed(node *author, uint8_t audience[LEDGER_AUDIENCE_ID_BYTES])
{
  uint8_t key[32];
  const uint8_t(*readers)[32] = (const uint8_t(*)[32])author->identity.public_key;
  cr_assert_eq(ledger_store_audience_create(author->store, &author->identity, readers, 1, T0 + 1,
                                            audience), COOP_OK);
  cr_assert_eq(ledger_store_audience_key(author->store, &author->identity,
                                         author->identity.public_key, audience, key), COOP_OK);
  uint8_t payload[24] = {0};
  ledger_append_item items[3];
  for (size_t i = 0; i < 3; i++)
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_TRANSACTION, .audience_id = audience,
                                    .audience_key = key, .payload = payload,
                                    .payload_bytes = 8 + i};
  cr_assert_eq(ledger_store_append(author->store, &author->identity, items, 3, T0 + 2, NULL),
               COOP_OK);
}

static void append_erasure_of(node *author, const uint8_t audience[LEDGER_AUDIENCE_ID_BYTES])
{
  ledger_erasure erasure;
  memset(&erasure, 0, sizeof erasure);
  erasure.reason = LEDGER_ERASURE_ON_REQUEST;
  memcpy(erasure.target_log_id, author->identity.public_key, LEDGER_LOG_ID_BYTES);
  erasure.audience_count = 1;
  memcpy(erasure.audiences[0], audience, LEDGER_AUDIENCE_ID_BYTES);
  strcpy(erasure.reason_text, "verzoek");
  coop_buf encoded;
  coop_buf_init(&encoded, 4096);
  cr_assert_eq(ledger_erasure_encode(&erasure, &encoded), COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_ERASURE, .payload = encoded.data,
                             .payload_bytes = encoded.len};
  cr_assert_eq(ledger_store_append(author->store, &author->identity, &item, 1, T0 + 9000, NULL),
               COOP_OK);
  coop_buf_release(&encoded);
}

/* identity, a grant and 3 sealed entries, then 40 entries of 60 KiB (2.4
 * MB, so at least three ENTRIES messages), then the erasure of the sealed
 * ones: index 45. */
static void build_late_erasure(node *author)
{
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES];
  append_entries(author, 1, 1, 0);
  append_sealed(author, audience);
  append_entries(author, 40, 4, 60u * 1024u);
  append_erasure_of(author, audience);
}

static void assert_erased(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                          uint64_t erased)
{
  ledger_verify_report report;
  coop_err err = ledger_store_verify(store, log_id, &report);
  cr_assert_eq(err, COOP_OK, "verify: %s: %s", coop_err_name(err), report.what);
  cr_assert_eq(report.entries_erased, erased);
  cr_assert_eq(kept_proofs(store), 0, "every kept proof settled");
}

Test(session_sync, a_late_erasure_reaches_a_node_and_a_relay_that_never_held_the_log)
{
  node *a = node_new("alice", 0x41), *b = node_new("bob", 0x42), *c = node_new("carol", 0x43);
  befriend(a, b);
  befriend(b, c); /* carol gets alice's log only through bob */
  build_late_erasure(a);
  cr_assert_eq(log_size(a->store, a->identity.public_key), 46);
  sync_nodes(a, b, CHUNK_WHOLE);
  cr_assert_eq(log_size(b->store, a->identity.public_key), 46, "%s",
               a->lines);
  assert_erased(b->store, a->identity.public_key, 3);
  checkpoint_list list = {0};
  cr_assert_eq(ledger_store_checkpoints(b->store, a->identity.public_key, 0, collect_checkpoint,
                                        &list), COOP_OK);
  cr_assert_geq(list.count, 3, "the log came in several batches");
  cr_assert_lt(list.items[0].size, 45, "the first batch ends before the erasure");
  sync_nodes(c, b, CHUNK_RANDOM);
  assert_erased(c->store, a->identity.public_key, 3);
  assert_same_log(a->store, c->store, a->identity.public_key);
}

static void name_author(node *self, const node *author)
{
  cr_assert_lt(self->named_count, 4);
  memcpy(self->named[self->named_count++], author->identity.public_key, LEDGER_LOG_ID_BYTES);
  self->named_only = true;
}

/* Was a bug (fixed): any peer could make a node store, and relay, any
 * number of signed logs of authors nobody named (4097 self-made logs broke
 * every later sync from a fresh node).  A node keeps its own log and those
 * of the authors it names, and neither takes nor offers others. */
Test(session_sync, logs_of_authors_nobody_named_are_neither_stored_nor_relayed)
{
  node *a = node_new("alice", 0x31), *b = node_new("bob", 0x32), *c = node_new("carol", 0x33);
  befriend(a, b);
  befriend(b, c);
  append_entries(a, 30, 10, 0);
  append_entries(b, 3, 3, 0);
  sync_nodes(a, b, CHUNK_WHOLE); /* bob keeps every log, alice's too */
  /* Carol names bob only: alice's log is refused when bob announces it. */
  name_author(c, b);
  sync_nodes(b, c, CHUNK_WHOLE);
  cr_assert_eq(log_size(c->store, b->identity.public_key), 3);
  cr_assert_eq(log_size(c->store, a->identity.public_key), 0);
  cr_assert_gt(c->strangers_refused, 0);
  /* Bob stops naming alice: he no longer offers her log, nor serves it. */
  name_author(b, c);
  c->named_only = false;
  b->strangers_refused = 0;
  sync_nodes(b, c, CHUNK_WHOLE);
  cr_assert_eq(log_size(c->store, a->identity.public_key), 0);
  cr_assert_gt(b->strangers_refused, 0);
  /* Named, it travels. */
  name_author(c, a);
  c->named_only = true;
  name_author(b, a);
  sync_nodes(b, c, CHUNK_WHOLE);
  cr_assert_eq(log_size(c->store, a->identity.public_key), 30);
}

Test(session_sync, live_announcement_reaches_the_peer)
{
  node *a = node_new("alice", 0x41), *b = node_new("bob", 0x42);
  befriend(a, b);
  append_entries(a, 10, 10, 0);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(log_size(b->store, a->identity.public_key), 10);

  /* Alice appends while connected and announces: bob fetches. */
  for (unsigned round = 1; round <= 3; round++) {
    ledger_checkpoint latest = append_entries(a, 25, 10, round == 2 ? 9000 : 0);
    cr_assert_eq(log_size(b->store, a->identity.public_key), 10 + 25 * (round - 1),
                 "nothing moves before the announcement");
    cr_assert_eq(sync_session_announce(&l->sa, &latest), COOP_OK);
    conn_settle(l);
    cr_assert_eq(log_size(b->store, a->identity.public_key), latest.size);
    assert_same_log(a->store, b->store, a->identity.public_key);
  }
  /* Bob asked once; later entries came because alice's serve follows the
   * log as it grows. */
  cr_assert_eq(l->sa.serve_count, 1);
  cr_assert_eq(l->sb.entries_received, 85);
  /* Announcing what the peer already has moves nothing. */
  ledger_checkpoint latest = latest_of(a->store, a->identity.public_key);
  cr_assert_eq(sync_session_announce(&l->sa, &latest), COOP_OK);
  conn_settle(l);
  cr_assert_eq(l->sb.entries_received, 85);
  /* Bob's side works too. */
  ledger_checkpoint bobs = append_entries(b, 4, 2, 0);
  cr_assert_eq(sync_session_announce(&l->sb, &bobs), COOP_OK);
  conn_settle(l);
  assert_same_log(a->store, b->store, b->identity.public_key);
  conn_close(l);
  cr_assert_eq(b->releases, b->claims);
}

Test(session_sync, live_entries_travel_hop_by_hop)
{
  node *a = node_new("alice", 0x51), *b = node_new("bob", 0x52), *c = node_new("carol", 0x53);
  befriend(a, b);
  befriend(b, c);
  append_entries(a, 5, 5, 0);
  conn *ab = conn_open(a, b, CHUNK_WHOLE);
  conn *bc = conn_open(b, c, CHUNK_RANDOM);
  /* Bob tells the other connection whenever a log grew (spec step 5). */
  b->announce_to[b->announce_count++] = &ab->sb;
  b->announce_to[b->announce_count++] = &bc->sa;
  conn *both[2] = {ab, bc};
  cr_assert(conns_run(both, 2, STEPS_MAX));
  for (unsigned round = 0; round < 3; round++) {
    ledger_checkpoint latest = append_entries(a, 7, 3, 0);
    cr_assert_eq(sync_session_announce(&ab->sa, &latest), COOP_OK);
    cr_assert(conns_run(both, 2, STEPS_MAX));
    cr_assert_eq(ab->err_a + ab->err_b + bc->err_a + bc->err_b, 0);
    assert_same_log(a->store, c->store, a->identity.public_key);
  }
  cr_assert_eq(log_size(c->store, a->identity.public_key), 26);
  conn_close(ab);
  conn_close(bc);
}

Test(session_sync, claims_refused_then_pulled)
{
  node *a = node_new("alice", 0x61), *b = node_new("bob", 0x62);
  befriend(a, b);
  append_entries(a, 12, 4, 0);
  b->refuse_claims = true; /* another connection is fetching alice's log */
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(log_size(b->store, a->identity.public_key), 0, "asked without the claim");
  b->refuse_claims = false;
  cr_assert_eq(sync_session_pull(&l->sb, l->now), COOP_OK);
  conn_settle(l);
  assert_same_log(a->store, b->store, a->identity.public_key);
  conn_close(l);
  cr_assert_eq(b->claims, 1);
  cr_assert_eq(b->releases, 1);
}

/* ---- Byte delivery in odd pieces ----------------------------------------------- */

Test(session_sync, one_byte_at_a_time)
{
  node *a = node_new("alice", 0x71), *b = node_new("bob", 0x72);
  befriend(a, b);
  append_entries(a, 20, 7, 0);
  append_entries(a, 2, 2, 3000);
  append_entries(b, 9, 4, 0);
  sync_nodes(a, b, CHUNK_BYTES);
  assert_converged(a, b);
}

Test(session_sync, random_chunk_sizes)
{
  for (unsigned trial = 0; trial < 3; trial++) {
    rng_state = UINT64_C(0xc4a9c5) + trial;
    char name_a[16], name_b[16];
    snprintf(name_a, sizeof name_a, "a%u", trial);
    snprintf(name_b, sizeof name_b, "b%u", trial);
    node *a = node_new(name_a, (uint8_t)(0x80 + 2 * trial));
    node *b = node_new(name_b, (uint8_t)(0x81 + 2 * trial));
    befriend(a, b);
    append_entries(a, 200, 50, 0);
    append_entries(a, 12, 4, 30000); /* entries bigger than a frame */
    append_entries(b, 90, 13, 0);
    conn *l = conn_open(trial == 1 ? b : a, trial == 1 ? a : b, CHUNK_RANDOM);
    conn_settle(l);
    conn_close(l);
    assert_converged(a, b);
  }
}

/* ========================================================================== */
/* A raw peer: the protocol spoken message by message                         */
/* ========================================================================== */

/* Dials a session (the target, a responder) with a real Noise handshake and
 * then sends whatever the test encodes into `plain`; decodes everything the
 * target sends back. */
typedef struct raw_peer {
  node *self;
  sync_session *target;
  bool open;
  sync_noise_handshake handshake;
  sync_noise_cipher send, receive;
  sync_frame_reader frames;
  sync_message_reader messages;
  ledger_ingest_entry *entries;
  coop_buf plain; /* messages to send, encoded */
  coop_buf wire;  /* frames to send */
  coop_err target_err; /* the first failure the target reported */
  /* What the target sent. */
  unsigned seen[SYNC_MESSAGE_PONG + 1];
  uint16_t bye_code;
  char bye_reason[SYNC_REASON_BYTES_MAX + 1];
  sync_request requests[16];
  size_t request_count;
  uint8_t head_ids[16][LEDGER_LOG_ID_BYTES];
  size_t head_count;
  uint64_t entries_received;
  uint64_t ping_nonce;
} raw_peer;

static void raw_record(raw_peer *raw, const sync_raw_message *message)
{
  sync_message decoded;
  char problem[SYNC_PROBLEM_BYTES];
  coop_err err = sync_message_decode(message->type, message->body, message->body_bytes,
                                     raw->entries, SYNC_BATCH_ENTRIES_MAX, &decoded, problem);
  cr_assert_eq(err, COOP_OK, "the session sent a bad '%s': %s",
               sync_message_type_name(message->type), problem);
  raw->seen[decoded.type]++;
  switch (decoded.type) {
  case SYNC_MESSAGE_BYE:
    raw->bye_code = decoded.as.bye.reason_code;
    memcpy(raw->bye_reason, decoded.as.bye.reason, sizeof raw->bye_reason);
    break;
  case SYNC_MESSAGE_REQUEST:
    if (raw->request_count < 16)
      raw->requests[raw->request_count++] = decoded.as.request;
    break;
  case SYNC_MESSAGE_HEADS:
    for (uint32_t i = 0; i < decoded.as.heads.count && raw->head_count < 16; i++) {
      ledger_checkpoint head;
      sync_heads_checkpoint(&decoded.as.heads, i, &head);
      memcpy(raw->head_ids[raw->head_count++], head.log_id, LEDGER_LOG_ID_BYTES);
    }
    break;
  case SYNC_MESSAGE_ENTRIES:
    raw->entries_received += decoded.as.entries.count;
    break;
  case SYNC_MESSAGE_PING:
    raw->ping_nonce = decoded.as.nonce;
    break;
  default:
    break;
  }
}

static coop_err raw_deliver(raw_peer *raw);

/* Message 2 arrived: check it, answer with message 3, split. */
static void raw_handshake_frame(raw_peer *raw, const sync_frame *frame)
{
  cr_assert_eq(frame->data_bytes, SYNC_HANDSHAKE_MESSAGE_2_BYTES);
  uint8_t payload[16], message[SYNC_HANDSHAKE_MESSAGE_3_BYTES];
  size_t payload_bytes = 0, message_bytes = 0;
  cr_assert_eq(sync_noise_read_message(&raw->handshake, frame->data, frame->data_bytes, payload,
                                       sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_eq(payload_bytes, 0);
  cr_assert_eq(sync_noise_write_message(&raw->handshake, NULL, 0, message, sizeof message,
                                        &message_bytes),
               COOP_OK);
  cr_assert_eq(sync_frame_encode(&raw->wire, message, message_bytes), COOP_OK);
  cr_assert_eq(sync_noise_split(&raw->handshake, &raw->send, &raw->receive), COOP_OK);
  raw->open = true;
}

/* Reads everything the target queued. */
static void raw_pump(raw_peer *raw)
{
  while (raw->target->wire_out.len) {
    size_t bytes = raw->target->wire_out.len;
    uint8_t *copy = malloc(bytes);
    cr_assert_not_null(copy);
    memcpy(copy, raw->target->wire_out.data, bytes);
    coop_buf_reset(&raw->target->wire_out);
    for (size_t offset = 0; offset < bytes;) {
      size_t used = 0;
      bool complete = false;
      sync_frame frame;
      cr_assert_eq(sync_frame_reader_push(&raw->frames, copy + offset, bytes - offset, &used,
                                          &complete, &frame),
                   COOP_OK, "%s", raw->frames.problem);
      offset += used;
      if (!complete)
        continue;
      if (!raw->open) {
        raw_handshake_frame(raw, &frame);
        continue;
      }
      static uint8_t plaintext[SYNC_NOISE_MESSAGE_BYTES_MAX];
      size_t plaintext_bytes = 0;
      cr_assert_eq(sync_noise_decrypt(&raw->receive, frame.data, frame.data_bytes, plaintext,
                                      sizeof plaintext, &plaintext_bytes),
                   COOP_OK);
      for (size_t at = 0; at < plaintext_bytes;) {
        sync_raw_message message;
        cr_assert_eq(sync_message_reader_push(&raw->messages, plaintext + at,
                                              plaintext_bytes - at, &used, &complete, &message),
                     COOP_OK, "%s", raw->messages.problem);
        at += used;
        if (complete)
          raw_record(raw, &message);
      }
    }
    free(copy);
    if (raw->wire.len)
      (void)raw_deliver(raw); /* message 3 */
  }
}

/* Sends the frames in `wire` to the target in one piece; reads its answer. */
static coop_err raw_deliver(raw_peer *raw)
{
  coop_err err = sync_session_receive(raw->target, raw->wire.data, raw->wire.len, NOW);
  coop_buf_reset(&raw->wire);
  note_err(&raw->target_err, err);
  raw_pump(raw);
  return err;
}

/* Seals the messages in `plain` and sends them. */
static coop_err raw_flush(raw_peer *raw)
{
  cr_assert_eq(sync_transport_seal(&raw->send, raw->plain.data, raw->plain.len, &raw->wire),
               COOP_OK);
  coop_buf_reset(&raw->plain);
  return raw_deliver(raw);
}

/* `self` dials `target`, a responder session of a node that allows it. */
static void raw_connect(raw_peer *raw, node *self, sync_session *target)
{
  memset(raw, 0, sizeof *raw);
  raw->self = self;
  raw->target = target;
  sync_frame_reader_init(&raw->frames);
  sync_message_reader_init(&raw->messages);
  coop_buf_init(&raw->plain, 64u * 1024u * 1024u);
  coop_buf_init(&raw->wire, 80u * 1024u * 1024u);
  raw->entries = calloc(SYNC_BATCH_ENTRIES_MAX, sizeof *raw->entries);
  cr_assert_not_null(raw->entries);
  sync_noise_keypair keypair;
  cr_assert_eq(sync_noise_keypair_from_ed25519(&keypair, self->identity.public_key,
                                               self->identity.secret_key),
               COOP_OK);
  uint8_t prologue[SYNC_PROLOGUE_BYTES];
  sync_prologue(self->host.network_id, prologue);
  sync_noise_config config = {.pattern = SYNC_NOISE_PATTERN_XX,
                              .role = SYNC_NOISE_INITIATOR,
                              .prologue = prologue,
                              .prologue_bytes = sizeof prologue,
                              .local_static = &keypair};
  cr_assert_eq(sync_noise_handshake_init(&raw->handshake, &config), COOP_OK);
  sync_noise_keypair_release(&keypair);
  uint8_t message[SYNC_HANDSHAKE_MESSAGE_1_BYTES];
  size_t message_bytes = 0;
  cr_assert_eq(sync_noise_write_message(&raw->handshake, NULL, 0, message, sizeof message,
                                        &message_bytes),
               COOP_OK);
  cr_assert_eq(sync_frame_encode(&raw->wire, message, message_bytes), COOP_OK);
  cr_assert_eq(raw_deliver(raw), COOP_OK, "%s", target->problem);
  cr_assert(raw->open);
  cr_assert(sync_session_is_open(target), "%s", target->problem);
  cr_assert_eq(raw->seen[SYNC_MESSAGE_HELLO], 1, "the target greets at once");
  cr_assert_geq(raw->seen[SYNC_MESSAGE_HEADS], 1);
}

static void raw_release(raw_peer *raw)
{
  sync_noise_handshake_release(&raw->handshake);
  sync_noise_cipher_release(&raw->send);
  sync_noise_cipher_release(&raw->receive);
  sync_frame_reader_release(&raw->frames);
  sync_message_reader_release(&raw->messages);
  coop_buf_release(&raw->plain);
  coop_buf_release(&raw->wire);
  free(raw->entries);
}

static void raw_hello(raw_peer *raw)
{
  cr_assert_eq(sync_encode_hello(&raw->plain, LEDGER_ROLE_COOP, raw->self->name), COOP_OK);
}

static void raw_heads(raw_peer *raw, const ledger_checkpoint *head)
{
  cr_assert_eq(sync_encode_heads(&raw->plain, head, 1), COOP_OK);
}

/* ENTRIES [first, first + count) of a log as `holder` stores them, with its
 * checkpoint at first + count. */
static void raw_entries(raw_peer *raw, node *holder, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                        uint64_t first, size_t count)
{
  entry_batch batch;
  batch_load(&batch, holder->store, log_id, first, count);
  ledger_checkpoint checkpoint = checkpoint_at(holder->store, log_id, first + count);
  cr_assert_eq(sync_encode_entries(&raw->plain, log_id, first, batch.items, batch.count,
                                   &checkpoint),
               COOP_OK);
  batch_free(&batch);
}

/* A node `target` with a log of its own, and a responder session on it that
 * allows `peer`. */
static sync_session *responder_for(node *target, node *peer)
{
  allow(target, peer);
  sync_session *session = calloc(1, sizeof *session);
  cr_assert_not_null(session);
  cr_assert_eq(sync_session_init(session, &target->host, NULL, "198.51.100.7:40000", NOW),
               COOP_OK);
  return session;
}

static void session_free(sync_session *session)
{
  sync_session_release(session);
  free(session);
}

/* ========================================================================== */
/* Hostile peers                                                              */
/* ========================================================================== */

TestSuite(session_hostile, .init = setup, .fini = teardown);

/* The responder's allowlist lacks the initiator: refused after message 3,
 * and the initiator is told nothing (no BYE, no HELLO: the socket closes). */
Test(session_hostile, unknown_initiator_is_refused)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  allow(a, b); /* alice may dial bob, bob does not know alice */
  append_entries(a, 5, 5, 0);
  append_entries(b, 5, 5, 0);
  snapshot *before_a = snapshot_of(a->store), *before_b = snapshot_of(b->store);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_deliver_ab(l); /* message 1 */
  conn_deliver_ba(l); /* message 2; alice answers with 3, HELLO and HEADS */
  cr_assert(sync_session_is_open(&l->sa));
  cr_assert_gt(l->sa.wire_out.len, SYNC_HANDSHAKE_MESSAGE_3_BYTES + 2);
  conn_deliver_ab(l);
  cr_assert_eq(l->err_b, COOP_E_PERMISSIONS);
  assert_problem(&l->sb, "allowlist");
  cr_assert_eq(l->sb.wire_out.len, 0, "a refused peer gets nothing but the close");
  cr_assert(!l->sb.hello_received, "nothing after message 3 was read");
  cr_assert(!conn_run(l));
  cr_assert_eq(l->sa.bye_code_received, 0);
  cr_assert(!l->sa.hello_received);
  cr_assert_eq(l->err_a, COOP_OK);
  conn_close(l);
  assert_unchanged(before_a, a->store);
  assert_unchanged(before_b, b->store);
}

/* Alice dials what she believes is carol, and bob answers: she refuses after
 * message 2, before sending message 3 (her identity) or anything else. */
Test(session_hostile, initiator_refuses_an_unexpected_responder)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12), *c = node_new("carol", 0x13);
  befriend(a, b);
  allow(a, c);
  append_entries(a, 5, 5, 0);
  append_entries(b, 5, 5, 0);
  snapshot *before_a = snapshot_of(a->store), *before_b = snapshot_of(b->store);
  sync_peer carol = peer_of(c);
  conn *l = conn_open_dialing(a, b, &carol, CHUNK_WHOLE);
  conn_deliver_ab(l);
  conn_deliver_ba(l);
  cr_assert_eq(l->err_a, COOP_E_BAD_INPUT);
  assert_problem(&l->sa, "presented static key");
  cr_assert_eq(l->sa.wire_out.len, 0, "message 3 was not sent");
  cr_assert(!conn_run(l));
  cr_assert_eq(l->sb.state, SYNC_SESSION_HANDSHAKE, "bob never heard message 3");
  cr_assert_eq(l->err_b, COOP_OK);
  conn_close(l);
  assert_unchanged(before_a, a->store);
  assert_unchanged(before_b, b->store);
}

Test(session_hostile, another_network_fails_the_handshake)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  b->host.network_id[31] ^= 0x01;
  append_entries(a, 5, 5, 0);
  append_entries(b, 5, 5, 0);
  snapshot *before_a = snapshot_of(a->store), *before_b = snapshot_of(b->store);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  cr_assert(!conn_run(l));
  cr_assert_eq(l->err_a, COOP_E_CRYPTO);
  assert_problem(&l->sa, "handshake message 2 does not verify");
  cr_assert_eq(l->sb.state, SYNC_SESSION_HANDSHAKE);
  cr_assert_eq(l->bytes_ab, 2 + SYNC_HANDSHAKE_MESSAGE_1_BYTES, "only message 1 went out");
  conn_close(l);
  assert_unchanged(before_a, a->store);
  assert_unchanged(before_b, b->store);
}

Test(session_hostile, flipped_bit_in_a_handshake_frame)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 5, 5, 0);
  append_entries(b, 5, 5, 0);
  snapshot *before_a = snapshot_of(a->store), *before_b = snapshot_of(b->store);
  static const size_t sizes[3] = {SYNC_HANDSHAKE_MESSAGE_1_BYTES, SYNC_HANDSHAKE_MESSAGE_2_BYTES,
                                  SYNC_HANDSHAKE_MESSAGE_3_BYTES};
  for (unsigned message = 1; message <= 3; message++)
    for (unsigned trial = 0; trial < 8; trial++) {
      conn *l = conn_open(a, b, CHUNK_WHOLE);
      size_t bit = trial == 0 ? 0 : trial == 1 ? 8 * sizes[message - 1] - 1
                                               : rng_below(8 * sizes[message - 1]);
      /* The frame of message m is at the front of its sender's queue. */
      if (message >= 2)
        conn_deliver_ab(l);
      if (message == 3)
        conn_deliver_ba(l);
      sync_session *sender = message == 2 ? &l->sb : &l->sa;
      sender->wire_out.data[2 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
      cr_assert(!conn_run(l));
      /* Message 1 is not authenticated by itself: the initiator finds out
       * when message 2, bound to the hash of message 1, does not verify. */
      const sync_session *refuser = message == 3 ? &l->sb : &l->sa;
      const sync_session *other = message == 3 ? &l->sa : &l->sb;
      cr_assert_eq(message == 3 ? l->err_b : l->err_a, COOP_E_CRYPTO,
                   "message %u bit %zu: %s", message, bit, refuser->problem);
      char expected[64];
      snprintf(expected, sizeof expected, "handshake message %u does not verify",
               message == 3 ? 3 : 2);
      assert_problem(refuser, expected);
      cr_assert(!sync_session_is_open(other) || message == 3);
      cr_assert(!other->hello_received);
      conn_close(l);
    }
  /* The length prefix: message 2 announced as 64 bytes is refused as such. */
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_deliver_ab(l);
  cr_assert_eq(l->sb.wire_out.data[1], 0);
  l->sb.wire_out.data[0] = SYNC_HANDSHAKE_MESSAGE_3_BYTES;
  conn_deliver_ba(l);
  assert_problem(&l->sa, "handshake message 2 has 64 bytes, expected 96");
  conn_close(l);
  assert_unchanged(before_a, a->store);
  assert_unchanged(before_b, b->store);
}

/* Was a bug (fixed): a stranger's handshake frame was judged only once all
 * of it had arrived, so a length prefix of 65535 held a connection slot
 * (and 64 KiB) until the deadline.  Now the two length bytes suffice, and
 * nothing of the frame is buffered. */
Test(session_hostile, handshake_length_judged_when_the_prefix_arrives)
{
  node *b = node_new("bob", 0x12);
  static const uint8_t prefixes[3][2] = {{0xff, 0xff}, {0x21, 0x00}, {0x1f, 0x00}};
  static const char *const problems[3] = {"handshake message 1 has 65535 bytes, expected 32",
                                          "handshake message 1 has 33 bytes, expected 32",
                                          "handshake message 1 has 31 bytes, expected 32"};
  for (size_t i = 0; i < 3; i++) {
    sync_session session;
    cr_assert_eq(sync_session_init(&session, &b->host, NULL, "127.0.0.1:9", NOW), COOP_OK);
    cr_assert_eq(sync_session_receive(&session, prefixes[i], 1, NOW), COOP_OK);
    cr_assert_eq(sync_session_receive(&session, prefixes[i] + 1, 1, NOW), COOP_E_DECODE);
    assert_problem(&session, problems[i]);
    cr_assert_lt(session.frames.frame.capacity, 1024, "%zu bytes buffered for a refused frame",
                 session.frames.frame.capacity);
    cr_assert_eq(session.wire_out.len, 0);
    sync_session_release(&session);
  }
}

/* Was a bug (fixed): when the receiver could not write its own database
 * (disk full, locked), the batch was "refused, nothing stored: database
 * error", as if the peer had sent bad data.  Now the failure names this
 * node's storage, the peer is told with BYE 1, and nothing is stored.  A
 * trigger that fails every insert stands in for a full disk. */
Test(session_hostile, local_storage_error_is_not_the_peers_fault)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 5, 5, 0);
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open(b->path, &db), SQLITE_OK);
  cr_assert_eq(sqlite3_exec(db,
                            "CREATE TRIGGER disk_full BEFORE INSERT ON entries "
                            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
                            NULL, NULL, NULL),
               SQLITE_OK);
  sqlite3_close(db);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_run(l);
  cr_assert_eq(l->err_b, COOP_E_DB);
  assert_problem(&l->sb, "not stored: this node cannot write its database");
  assert_problem(&l->sb, "database or disk is full");
  cr_assert_null(strstr(l->sb.problem, "refused"), "%s", l->sb.problem);
  cr_assert_eq(l->sa.bye_code_received, SYNC_BYE_SHUTDOWN);
  cr_assert_eq(l->err_a, COOP_OK, "%s", l->sa.problem);
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(b->store, a->identity.public_key, &size), COOP_OK);
  cr_assert_eq(size, 0);
  conn_close(l);
}

/* Offsets of the frame bodies in a queue of whole frames, from frame `skip`. */
static size_t frame_bodies(const coop_buf *wire, size_t skip, size_t *starts, size_t *lengths,
                           size_t max)
{
  size_t count = 0, index = 0;
  for (size_t offset = 0; offset + 2 <= wire->len; index++) {
    size_t length = (size_t)wire->data[offset] | (size_t)wire->data[offset + 1] << 8;
    cr_assert_leq(offset + 2 + length, wire->len, "the queue ends inside a frame");
    if (index >= skip && count < max) {
      starts[count] = offset + 2;
      lengths[count++] = length;
    }
    offset += 2 + length;
  }
  return count;
}

Test(session_hostile, flipped_bit_in_a_transport_frame)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 200, 50, 0);
  append_entries(a, 8, 2, 20000);
  append_entries(b, 5, 5, 0);
  snapshot *before_b = snapshot_of(b->store);
  /* In the greeting (the frames after message 3). */
  for (unsigned trial = 0; trial < 6; trial++) {
    conn *l = conn_open(a, b, CHUNK_WHOLE);
    conn_deliver_ab(l);
    conn_deliver_ba(l);
    size_t starts[8], lengths[8];
    size_t frames = frame_bodies(&l->sa.wire_out, 1, starts, lengths, 8);
    cr_assert_geq(frames, 1);
    size_t frame = rng_below(frames), at = starts[frame] + rng_below(lengths[frame]);
    l->sa.wire_out.data[at] ^= (uint8_t)(1u << rng_below(8));
    cr_assert(!conn_run(l));
    cr_assert_eq(l->err_b, COOP_E_CRYPTO);
    assert_problem(&l->sb, "does not decrypt");
    cr_assert(!l->sb.hello_received);
    conn_close(l);
  }
  assert_unchanged(before_b, b->store);

  /* In the middle of ENTRIES: bob stored the batches before the bad frame
   * and nothing of the batch it belongs to. */
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  bool flipped = false;
  for (int step = 0; step < 50 && !flipped; step++) {
    conn_deliver_ab(l);
    conn_deliver_ba(l);
    cr_assert_eq(sync_session_pump(&l->sa, 0, l->now), COOP_OK);
    if (l->sa.entries_sent >= 100 && l->sa.wire_out.len) {
      size_t starts[64], lengths[64];
      size_t frames = frame_bodies(&l->sa.wire_out, 0, starts, lengths, 64);
      size_t frame = frames - 1;
      l->sa.wire_out.data[starts[frame] + lengths[frame] / 2] ^= 0x10;
      flipped = true;
    }
  }
  cr_assert(flipped);
  conn_deliver_ab(l);
  cr_assert_eq(l->err_b, COOP_E_CRYPTO);
  assert_problem(&l->sb, "does not decrypt");
  uint64_t size = log_size(b->store, a->identity.public_key);
  cr_assert_lt(size, 208);
  assert_verifies(b->store, a->identity.public_key);
  if (size)
    (void)checkpoint_at(b->store, a->identity.public_key, size);
  conn_close(l);
}

/* The stream ends inside a frame: nothing fails (more bytes could come), but
 * the frame reader is not idle, so the owner knows the stream was cut. */
Test(session_hostile, truncated_frame_then_end_of_stream)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 30, 10, 0);
  snapshot *before_b = snapshot_of(b->store);
  /* Inside message 1. */
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  cr_assert(sync_frame_reader_is_idle(&l->sb.frames));
  cr_assert_eq(sync_session_receive(&l->sb, l->sa.wire_out.data, 20, l->now), COOP_OK);
  cr_assert_eq(l->sb.state, SYNC_SESSION_HANDSHAKE);
  cr_assert(!sync_frame_reader_is_idle(&l->sb.frames), "a cut stream looks whole");
  cr_assert_eq(l->sb.wire_out.len, 0);
  conn_close(l);
  /* Inside the greeting after message 3: the handshake completes, the cut
   * frame holds the rest. */
  l = conn_open(a, b, CHUNK_WHOLE);
  conn_deliver_ab(l);
  conn_deliver_ba(l);
  size_t all = l->sa.wire_out.len;
  cr_assert_eq(sync_session_receive(&l->sb, l->sa.wire_out.data, all - 7, l->now), COOP_OK);
  cr_assert(sync_session_is_open(&l->sb), "%s", l->sb.problem);
  cr_assert(!sync_frame_reader_is_idle(&l->sb.frames));
  cr_assert(!l->sb.hello_received || l->sb.messages.messages < 2);
  /* The last 7 bytes make it whole again. */
  cr_assert_eq(sync_session_receive(&l->sb, l->sa.wire_out.data + all - 7, 7, l->now), COOP_OK);
  cr_assert(sync_frame_reader_is_idle(&l->sb.frames));
  cr_assert(sync_message_reader_is_idle(&l->sb.messages));
  cr_assert(l->sb.hello_received);
  coop_buf_reset(&l->sa.wire_out);
  conn_close(l);
  assert_unchanged(before_b, b->store);
}

/* A message cut between two frames: every frame is whole, but the message
 * reader is not idle. */
Test(session_hostile, truncated_message_then_end_of_stream)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 2, 2, 0);
  append_entries(r, 10, 10, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  ledger_checkpoint head = latest_of(r->store, r->identity.public_key);
  raw_heads(&raw, &head);
  size_t cut = raw.plain.len - 40;
  cr_assert_eq(sync_transport_seal(&raw.send, raw.plain.data, cut, &raw.wire), COOP_OK);
  cr_assert_eq(raw_deliver(&raw), COOP_OK);
  cr_assert(target->hello_received);
  cr_assert(sync_frame_reader_is_idle(&target->frames));
  cr_assert(!sync_message_reader_is_idle(&target->messages), "a cut message looks whole");
  cr_assert_eq(raw.request_count, 0);
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

Test(session_hostile, zero_length_frame)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(b, 2, 2, 0);
  snapshot *before = snapshot_of(b->store);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  static const uint8_t zero[2] = {0, 0};
  cr_assert_eq(sync_session_receive(&l->sb, zero, sizeof zero, l->now), COOP_E_DECODE);
  assert_problem(&l->sb, "frame at stream byte 0");
  cr_assert_eq(l->sb.wire_out.len, 0);
  conn_close(l);
  assert_unchanged(before, b->store);
}

Test(session_hostile, oversized_message_length)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 10, 10, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(coop_buf_append_u32le(&raw.plain, SYNC_MESSAGE_BYTES_MAX + 1), COOP_OK);
  cr_assert_eq(coop_buf_append_u8(&raw.plain, SYNC_MESSAGE_ENTRIES), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_LIMIT);
  assert_problem(target, "at most");
  cr_assert_lt(target->messages.body.capacity, 4096, "nothing was buffered for it");
  raw_release(&raw);
  session_free(target);

  /* Within the message limit but past the type's. */
  target = responder_for(t, r);
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(coop_buf_append_u32le(&raw.plain, 9), COOP_OK);
  cr_assert_eq(coop_buf_append_u8(&raw.plain, SYNC_MESSAGE_PING), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_LIMIT);
  assert_problem(target, "'ping' message");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

/* Messages 1 and 3 (and the greeting) of an earlier session, replayed to a
 * fresh responder: message 3 does not verify against the new ephemeral. */
Test(session_hostile, replayed_handshake)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 10, 5, 0);
  snapshot *before_b = snapshot_of(b->store);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  coop_buf first, rest;
  coop_buf_init(&first, 1024);
  coop_buf_init(&rest, 1u << 20);
  cr_assert_eq(coop_buf_append(&first, l->sa.wire_out.data, l->sa.wire_out.len), COOP_OK);
  conn_deliver_ab(l);
  conn_deliver_ba(l);
  cr_assert_eq(coop_buf_append(&rest, l->sa.wire_out.data, l->sa.wire_out.len), COOP_OK);
  conn_settle(l); /* the original session works */
  conn_close(l);
  snapshot *after_first = snapshot_of(b->store);

  sync_session fresh;
  cr_assert_eq(sync_session_init(&fresh, &b->host, NULL, "203.0.113.9:1", NOW), COOP_OK);
  cr_assert_eq(sync_session_receive(&fresh, first.data, first.len, NOW), COOP_OK);
  cr_assert_eq(fresh.wire_out.len, 2 + SYNC_HANDSHAKE_MESSAGE_2_BYTES, "message 2 as always");
  coop_err err = sync_session_receive(&fresh, rest.data, rest.len, NOW);
  cr_assert_eq(err, COOP_E_CRYPTO);
  assert_problem(&fresh, "handshake message 3 does not verify");
  cr_assert(!fresh.hello_received);
  sync_session_release(&fresh);
  assert_unchanged(after_first, b->store);
  free(before_b);
  coop_buf_release(&first);
  coop_buf_release(&rest);
}

/* A raw peer announces its log, is asked for it, and sends ENTRIES with one
 * payload byte changed: the entries do not match the signed checkpoint. */
Test(session_hostile, entries_that_do_not_match_their_checkpoint)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 10, 10, 0);
  append_entries(r, 12, 4, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  ledger_checkpoint head = latest_of(r->store, r->identity.public_key);
  raw_heads(&raw, &head);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.request_count, 1);
  cr_assert_arr_eq(raw.requests[0].log_id, r->identity.public_key, LEDGER_LOG_ID_BYTES);
  cr_assert_eq(raw.requests[0].from_index, 0);
  cr_assert_eq(raw.requests[0].max_entries, SYNC_BATCH_ENTRIES_MAX);
  raw_entries(&raw, r, r->identity.public_key, 0, 12);
  /* The last payload byte of entry 5: message header 5, fixed part 44. */
  size_t at = 5 + 44;
  for (unsigned i = 0; i <= 5; i++)
    at += LEDGER_ENTRY_HEADER_BYTES + coop_get_u32le(raw.plain.data + at + 4);
  raw.plain.data[at - 1] ^= 0x01;
  cr_assert_eq(raw_flush(&raw), COOP_E_BAD_PROOF);
  assert_problem(target, "refused, nothing stored");
  assert_problem(target, "do not match the signed checkpoint");
  cr_assert_eq(raw.bye_code, 0, "a protocol error gets no BYE");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

Test(session_hostile, heads_with_a_bad_signature)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 10, 10, 0);
  append_entries(r, 12, 4, 0);
  snapshot *before = snapshot_of(t->store);
  for (unsigned what = 0; what < 3; what++) {
    sync_session *target = responder_for(t, r);
    raw_peer raw;
    raw_connect(&raw, r, target);
    raw_hello(&raw);
    ledger_checkpoint head = latest_of(r->store, r->identity.public_key);
    if (what == 0)
      head.signature[rng_below(LEDGER_SIGNATURE_BYTES)] ^= 0x04;
    else if (what == 1)
      head.size += 1; /* signed for another size */
    else
      head.root[0] ^= 0x80;
    raw_heads(&raw, &head);
    cr_assert_eq(raw_flush(&raw), COOP_E_BAD_SIGNATURE);
    assert_problem(target, "'heads': the checkpoint of log");
    assert_problem(target, "has a bad signature");
    cr_assert_eq(raw.request_count, 0);
    raw_release(&raw);
    session_free(target);
  }
  assert_unchanged(before, t->store);
}

Test(session_hostile, entries_for_a_log_never_requested)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 10, 10, 0);
  append_entries(r, 12, 4, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  raw_entries(&raw, r, r->identity.public_key, 0, 4);
  cr_assert_eq(raw_flush(&raw), COOP_E_DECODE);
  assert_problem(target, "that we did not ask for");
  raw_release(&raw);
  session_free(target);
  /* Announced but not asked for (the target is not behind): the same. */
  append_entries(t, 1, 1, 0);
  copy_log(r, t, r->identity.public_key, 12);
  free(before);
  before = snapshot_of(t->store);
  target = responder_for(t, r);
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  ledger_checkpoint head = latest_of(r->store, r->identity.public_key);
  raw_heads(&raw, &head);
  raw_entries(&raw, r, r->identity.public_key, 8, 4);
  cr_assert_eq(raw_flush(&raw), COOP_E_DECODE);
  cr_assert_eq(raw.request_count, 0);
  assert_problem(target, "that we did not ask for");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

/* A proof of an erasure the target never asked about, then a forged one
 * for a log it did ask for: each ends the connection, nothing kept. */
Test(session_hostile, erasure_proofs_unasked_or_forged)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 3, 3, 0);
  build_late_erasure(r);
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], payload[4096], leaf[32];
  size_t payload_bytes = 0;
  cr_assert_eq(ledger_store_entry(r->store, r->identity.public_key, 45, header, payload,
                                  &payload_bytes, leaf), COOP_OK);
  ledger_erasure_proof proof = {.index = 45, .header = header, .payload = payload};
  proof.checkpoint = latest_of(r->store, r->identity.public_key);
  cr_assert_eq(ledger_store_inclusion_proof(r->store, r->identity.public_key, 45, 46,
                                            &proof.proof), COOP_OK);
  snapshot *before = snapshot_of(t->store);

  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(sync_encode_erasure_proof(&raw.plain, &proof), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_DECODE);
  assert_problem(target, "which we did not ask for");
  raw_release(&raw);
  session_free(target);

  target = responder_for(t, r);
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  raw_heads(&raw, &proof.checkpoint);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.request_count, 1);
  proof.proof.hashes[0][0] ^= 1;
  cr_assert_eq(sync_encode_erasure_proof(&raw.plain, &proof), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_BAD_PROOF);
  assert_problem(target, "refused, nothing kept");
  assert_problem(target, "inclusion proof fails");
  raw_release(&raw);
  session_free(target);
  cr_assert_eq(kept_proofs(t->store), 0);
  assert_unchanged(before, t->store);
}

Test(session_hostile, a_second_hello)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 2, 2, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert(sync_session_is_open(target));
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_E_DECODE);
  assert_problem(target, "a second 'hello'");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

Test(session_hostile, a_message_before_hello)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 2, 2, 0);
  append_entries(r, 3, 3, 0);
  snapshot *before = snapshot_of(t->store);
  static const sync_message_type firsts[] = {SYNC_MESSAGE_PING, SYNC_MESSAGE_HEADS,
                                             SYNC_MESSAGE_REQUEST, SYNC_MESSAGE_BYE};
  for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
    sync_session *target = responder_for(t, r);
    raw_peer raw;
    raw_connect(&raw, r, target);
    ledger_checkpoint head = latest_of(r->store, r->identity.public_key);
    switch (firsts[i]) {
    case SYNC_MESSAGE_PING:
      cr_assert_eq(sync_encode_ping(&raw.plain, 42), COOP_OK);
      break;
    case SYNC_MESSAGE_HEADS:
      raw_heads(&raw, &head);
      break;
    case SYNC_MESSAGE_REQUEST:
      cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 10), COOP_OK);
      break;
    default:
      cr_assert_eq(sync_encode_bye(&raw.plain, SYNC_BYE_SHUTDOWN, "bye"), COOP_OK);
      break;
    }
    raw_hello(&raw);
    cr_assert_eq(raw_flush(&raw), COOP_E_DECODE);
    char expected[64];
    snprintf(expected, sizeof expected, "first message is '%s', expected 'hello'",
             sync_message_type_name(firsts[i]));
    assert_problem(target, expected);
    cr_assert(!target->hello_received);
    cr_assert_eq(raw.seen[SYNC_MESSAGE_PONG] + raw.request_count, 0);
    raw_release(&raw);
    session_free(target);
  }
  assert_unchanged(before, t->store);
}

Test(session_hostile, request_for_the_same_log_while_its_entries_are_pending)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 40, 10, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  /* Asked, served, asked again: fine (a peer may start over). */
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 100), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.entries_received, 40);
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 20, 100), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.entries_received, 60);
  /* Asked twice before the first is answered: a flood. */
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 100), COOP_OK);
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 100), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_LIMIT);
  assert_problem(target, "request flood");
  assert_problem(target, "again while entries 0..40 are still being sent");
  cr_assert_eq(raw.entries_received, 60, "nothing was sent for the flood");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

Test(session_hostile, requests_for_more_logs_than_the_limit)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 4, 4, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  for (unsigned i = 0; i < SYNC_SERVES_MAX - 1; i++) {
    rng_bytes(log_id, sizeof log_id);
    cr_assert_eq(sync_encode_request(&raw.plain, log_id, 0, 10), COOP_OK);
  }
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 10), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(target->serve_count, SYNC_SERVES_MAX);
  cr_assert_eq(raw.entries_received, 4, "the one log held was served");
  cr_assert(saw_line(t, "which we do not hold"));
  rng_bytes(log_id, sizeof log_id);
  cr_assert_eq(sync_encode_request(&raw.plain, log_id, 0, 10), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_LIMIT);
  assert_problem(target, "logs (request flood)");
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

/* A HELLO of version 2 gets BYE 2 "speaks 1" and the session closes. */
Test(session_hostile, hello_of_another_version_gets_bye_2)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 4, 4, 0);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  static const uint8_t hello_v2[] = {11, 0, 0, 0, SYNC_MESSAGE_HELLO, 2, 0, LEDGER_ROLE_COOP,
                                     0,  0, 0, 0, 3, 'r', 'a', 'w'};
  cr_assert_eq(coop_buf_append(&raw.plain, hello_v2, sizeof hello_v2), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_VERSION);
  assert_problem(target, "speaks another protocol version");
  cr_assert_eq(raw.seen[SYNC_MESSAGE_BYE], 1);
  cr_assert_eq(raw.bye_code, SYNC_BYE_UNSUPPORTED_VERSION);
  cr_assert_str_eq(raw.bye_reason, "speaks 1");
  /* Nothing more comes out of a closed session. */
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(target->wire_out.len, 0);
  cr_assert_eq(raw.seen[SYNC_MESSAGE_BYE], 1);
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

Test(session_hostile, fork_message_with_a_bad_signature)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 2, 2, 0);
  append_entries(r, 6, 3, 0);
  copy_log(r, t, r->identity.public_key, 3);
  snapshot *before = snapshot_of(t->store);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  ledger_checkpoint first = checkpoint_at(r->store, r->identity.public_key, 6);
  ledger_checkpoint second = first;
  second.root[3] ^= 1; /* a fork, if it were signed */
  cr_assert_eq(sync_encode_fork(&raw.plain, &first, &second), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_E_BAD_SIGNATURE);
  assert_problem(target, "'fork' message");
  cr_assert_eq(fork_count(t->store, r->identity.public_key), 0);
  cr_assert_eq(t->forks_found, 0);
  raw_release(&raw);
  session_free(target);
  assert_unchanged(before, t->store);
}

/* ========================================================================== */
/* Forks                                                                      */
/* ========================================================================== */

TestSuite(session_fork, .init = setup, .fini = teardown);

/* One author (seed 0x5a) signs two histories in two stores: 3 common
 * entries, then "zl ..." notes on the left and "zr ..." notes on the right,
 * one checkpoint per `left` / `right` batch. */
static void make_fork(node **left, node **right, const size_t *left_batches,
                      const size_t *right_batches)
{
  *left = node_new("zl", 0x5a);
  *right = node_new("zr", 0x5a);
  append_entries(*left, 3, 3, 0);
  copy_log(*left, *right, (*left)->identity.public_key, 3);
  for (size_t i = 0; left_batches[i]; i++)
    append_entries(*left, left_batches[i], left_batches[i], 0);
  for (size_t i = 0; right_batches[i]; i++)
    append_entries(*right, right_batches[i], right_batches[i], 0);
}

static void assert_evidence(const ledger_fork_evidence *evidence,
                            const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  cr_assert_arr_eq(evidence->first.log_id, log_id, LEDGER_LOG_ID_BYTES);
  cr_assert_arr_eq(evidence->second.log_id, log_id, LEDGER_LOG_ID_BYTES);
  cr_assert_eq(ledger_checkpoint_verify(&evidence->first), COOP_OK);
  cr_assert_eq(ledger_checkpoint_verify(&evidence->second), COOP_OK);
  cr_assert(ledger_checkpoint_same_size_fork(&evidence->first, &evidence->second));
}

/* Alice holds the left history at size 5, bob the right one: each finds the
 * fork in the other's HEADS, records it, reports it, and keeps the
 * connection; neither takes the log from anyone after that. */
Test(session_fork, same_size_fork_is_recorded_reported_and_frozen)
{
  node *zl, *zr;
  make_fork(&zl, &zr, (size_t[]){2, 0}, (size_t[]){2, 2, 0});
  const uint8_t *z = zl->identity.public_key;
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  copy_log(zl, a, z, 5);
  copy_log(zr, b, z, 5);
  append_entries(a, 3, 3, 0);
  append_entries(b, 2, 2, 0);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_gt(fork_count(a->store, z), 0);
  cr_assert_gt(fork_count(b->store, z), 0);
  cr_assert_eq(a->forks_found, 1);
  cr_assert_eq(b->forks_found, 1);
  assert_evidence(&a->fork, z);
  assert_evidence(&b->fork, z);
  ledger_checkpoint held = latest_of(a->store, z);
  assert_same_checkpoint(&a->fork.first, &held);
  ledger_checkpoint theirs = checkpoint_at(zr->store, z, 5);
  assert_same_checkpoint(&a->fork.second, &theirs);
  cr_assert(saw_line(a, "FORK: log"), "%s", a->lines);
  cr_assert(saw_line(a, "sizes 5 and 5"), "%s", a->lines);
  /* The rest went on: their own logs were exchanged. */
  assert_same_log(a->store, b->store, a->identity.public_key);
  assert_same_log(a->store, b->store, b->identity.public_key);
  cr_assert_eq(log_size(a->store, z), 5);
  cr_assert_eq(log_size(b->store, z), 5);
  assert_verifies(a->store, z);

  /* Bob's branch grows and he announces it: alice does not ask. */
  copy_log(zr, b, z, 7);
  ledger_checkpoint grown = latest_of(b->store, z);
  cr_assert_eq(sync_session_announce(&l->sb, &grown), COOP_OK);
  conn_settle(l);
  cr_assert_eq(log_size(a->store, z), 5);
  cr_assert_eq(a->forks_found, 1, "the same fork is reported once");
  conn_close(l);
  /* A new connection: neither announces the frozen log, nothing moves. */
  l = conn_open(b, a, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(l->sa.entries_received + l->sb.entries_received, 0);
  conn_close(l);
  cr_assert_eq(log_size(a->store, z), 5);
  assert_verifies(a->store, z);
}

/* The raw peer (the author itself, holding the right branch) first gets the
 * target to ask for the log, then shows the contradicting checkpoint, then
 * sends the entries it was asked for: they are not stored. */
Test(session_fork, entries_of_a_forked_log_are_not_accepted)
{
  node *zl, *zr;
  make_fork(&zl, &zr, (size_t[]){2, 0}, (size_t[]){2, 2, 0});
  const uint8_t *z = zl->identity.public_key;
  node *t = node_new("target", 0x21);
  copy_log(zl, t, z, 5);
  sync_session *target = responder_for(t, zr);
  raw_peer raw;
  raw_connect(&raw, zr, target);
  raw_hello(&raw);
  ledger_checkpoint at7 = checkpoint_at(zr->store, z, 7), at5 = checkpoint_at(zr->store, z, 5);
  raw_heads(&raw, &at7);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.request_count, 1);
  cr_assert_eq(raw.requests[0].from_index, 5);
  raw_heads(&raw, &at5);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(fork_count(t->store, z), 1);
  cr_assert_eq(t->forks_found, 1);
  cr_assert_eq(target->active_count, 0, "the request was given up");
  cr_assert_eq(t->releases, t->claims);
  raw_entries(&raw, zr, z, 5, 2);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert(sync_session_is_open(target));
  cr_assert_eq(target->entries_received, 0);
  cr_assert_eq(log_size(t->store, z), 5);
  assert_verifies(t->store, z);
  /* The same evidence sent as FORK is known already: no second report. */
  ledger_checkpoint held = checkpoint_at(t->store, z, 5);
  cr_assert_eq(sync_encode_fork(&raw.plain, &held, &at5), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(t->forks_found, 1);
  raw_release(&raw);
  session_free(target);

  /* The target's greeting leaves the forked log out. */
  target = responder_for(t, zr);
  raw_connect(&raw, zr, target);
  cr_assert_eq(raw.head_count, 0, "a forked log is announced to nobody");
  raw_release(&raw);
  session_free(target);
}

/* Alice finds the fork and forwards the evidence (FORK) to carol, who holds
 * only the common prefix: carol records it and stops taking the log. */
Test(session_fork, evidence_is_forwarded_and_recorded_by_a_third_node)
{
  node *zl, *zr;
  make_fork(&zl, &zr, (size_t[]){2, 0}, (size_t[]){2, 0});
  const uint8_t *z = zl->identity.public_key;
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12), *c = node_new("carol", 0x13);
  befriend(a, b);
  befriend(a, c);
  copy_log(zl, a, z, 5);
  copy_log(zr, b, z, 5);
  copy_log(zl, c, z, 3);
  conn *ac = conn_open(a, c, CHUNK_WHOLE);
  cr_assert(conn_run(ac));
  cr_assert_eq(log_size(c->store, z), 5, "carol took the left branch from alice");
  copy_log(zl, c, z, 5);
  conn *ab = conn_open(a, b, CHUNK_WHOLE);
  a->announce_to[a->announce_count++] = &ab->sa;
  a->announce_to[a->announce_count++] = &ac->sa;
  conn *both[2] = {ab, ac};
  cr_assert(conns_run(both, 2, STEPS_MAX));
  cr_assert_eq(ab->err_a + ab->err_b + ac->err_a + ac->err_b, 0);
  cr_assert_eq(a->forks_found, 1);
  cr_assert_eq(c->forks_found, 1, "carol heard of it from alice");
  cr_assert_gt(fork_count(c->store, z), 0);
  assert_evidence(&c->fork, z);
  cr_assert(sync_session_is_open(&ac->sb));
  conn_close(ab);
  conn_close(ac);
  /* Bob, with the other branch grown, cannot get it into carol now. */
  append_entries(zr, 2, 2, 0);
  copy_log(zr, b, z, 7);
  befriend(b, c);
  sync_nodes(b, c, CHUNK_WHOLE);
  cr_assert_eq(log_size(c->store, z), 5);
}

/* Was a bug (fixed): sync/session_logs.c, session_handle_entries(): when
 * ledger_store_ingest() finds the fork itself (entries it already holds
 * differ from authentic ones under a valid checkpoint) it returns
 * COOP_E_FORK and hands the evidence back in `fork`, because its own
 * rollback took the evidence row with it (ledger/store/store.h; ledger/store/bundle.c
 * records it again for this reason).  The session ignores `fork` and calls
 * report_fork(), which finds no evidence in the store: nothing is
 * recorded, fork_found is never called, the log line says "FORK ... (sizes 0
 * and 0) ... evidence stored", and the log keeps being accepted.
 *
 * Reached with honest peers and exclusive claims: alice fetched the log Z
 * from bob, then (being behind carol) from carol, so both serve it to her
 * live.  The author forks after index 5: bob relays the left branch (size
 * 7), carol the right one (size 8, checkpoints 5 and 8), so carol's batch
 * [5, 8) overlaps what alice took from bob. */
Test(session_fork, fork_found_by_ingest_keeps_its_evidence)
{
  node *zl = node_new("zl", 0x5a), *zr = node_new("zr", 0x5a);
  const uint8_t *z = zl->identity.public_key;
  append_entries(zl, 3, 3, 0);
  append_entries(zl, 2, 2, 0);
  copy_log(zl, zr, z, 5);
  append_entries(zl, 2, 2, 0); /* left: 7 */
  append_entries(zr, 3, 3, 0); /* right: 8 */
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12), *c = node_new("carol", 0x13);
  befriend(a, b);
  befriend(a, c);
  a->exclusive_claims = true;
  copy_log(zl, b, z, 3);
  copy_log(zl, c, z, 5);

  conn *ab = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(ab);
  conn *ac = conn_open(a, c, CHUNK_WHOLE);
  conn_settle(ac);
  cr_assert_eq(log_size(a->store, z), 5);
  cr_assert_eq(ab->sb.serve_count, 1, "alice asked bob");
  cr_assert_eq(ac->sb.serve_count, 1, "alice asked carol");

  copy_log(zl, b, z, 7);
  ledger_checkpoint left = latest_of(b->store, z);
  cr_assert_eq(sync_session_announce(&ab->sb, &left), COOP_OK);
  conn_settle(ab);
  cr_assert_eq(log_size(a->store, z), 7);

  copy_log(zr, c, z, 8);
  ledger_checkpoint right = latest_of(c->store, z);
  cr_assert_eq(sync_session_announce(&ac->sb, &right), COOP_OK);
  bool settled = conn_run(ac);
  cr_assert(settled && ac->err_a == COOP_OK, "%s", ac->sa.problem);
  cr_assert(saw_line(a, "FORK: log"), "alice saw the fork: %s", a->lines);
  cr_assert_eq(log_size(a->store, z), 7, "the right branch was not stored");
  assert_verifies(a->store, z);

  cr_assert_gt(fork_count(a->store, z), 0, "the fork evidence was lost");
  cr_assert_eq(a->forks_found, 1, "fork_found was not called");

  /* The consequence: the left branch still flows into alice. */
  append_entries(zl, 2, 2, 0);
  copy_log(zl, b, z, 9);
  left = latest_of(b->store, z);
  cr_assert_eq(sync_session_announce(&ab->sb, &left), COOP_OK);
  conn_settle(ab);
  cr_assert_eq(log_size(a->store, z), 7);
  conn_close(ab);
  conn_close(ac);
}

/* ========================================================================== */
/* Serving requests                                                           */
/* ========================================================================== */

TestSuite(session_serve, .init = setup, .fini = teardown);

/* REQUEST(log, from, max): batches end at the largest stored checkpoint
 * within `max` entries; a `from` between checkpoints is served too. */
Test(session_serve, batches_end_at_checkpoints_within_max_entries)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 300, 100, 0);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  static const struct {
    uint64_t from;
    uint32_t max;
    unsigned messages;
    uint64_t entries;
  } cases[] = {
      {0, 150, 3, 300}, {0, 250, 2, 300}, {0, 10000, 1, 300}, {0, 100, 3, 300},
      {150, 10000, 1, 150}, {299, 1, 1, 1}, {300, 10, 0, 0}, {1000, 10, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned before = raw.seen[SYNC_MESSAGE_ENTRIES];
    uint64_t entries_before = raw.entries_received;
    cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, cases[i].from,
                                     cases[i].max),
                 COOP_OK);
    cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
    cr_assert_eq(raw.seen[SYNC_MESSAGE_ENTRIES] - before, cases[i].messages, "case %zu", i);
    cr_assert_eq(raw.entries_received - entries_before, cases[i].entries, "case %zu", i);
  }
  raw_release(&raw);
  session_free(target);
}

/* Was a bug (fixed): sync/session_logs.c, serve_batch(): a REQUEST whose max_entries is
 * smaller than the distance to the next checkpoint gets nothing: the
 * session reads only max_entries entries, finds no checkpoint within them
 * ("no checkpoint within one batch of it"), and stops serving the request.
 * docs/protocol.md §Serving a request: "if there is none (the next
 * checkpoint lies further), S is the smallest stored checkpoint above from,
 * provided its entries fit 10000 entries and 1 MiB (a requester's max never
 * stalls a log)" — here ENTRIES [0, 100) with the checkpoint at 100. */
Test(session_serve, small_max_entries_does_not_stall_a_log)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 300, 100, 0);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 10), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert(sync_session_is_open(target));
  cr_assert_geq(raw.entries_received, 100, "the log stalled: %s", t->lines);
  raw_release(&raw);
  session_free(target);
}

/* Was a bug (fixed): sync_session_receive() served an incoming request
 * counting only wire_out against SYNC_SEND_WATERMARK_BYTES, not what the
 * owner's socket still held unwritten, so every request of a slow reader
 * queued another watermark's worth until the 16 MiB limit dropped an
 * honest, merely slow peer (seen with a CPU-starved receiver: 17 MB
 * queued).  A full socket holds serving back until the writes drain. */
Test(session_serve, a_full_socket_holds_back_serving)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 300, 100, 0);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  target->socket_queued = SYNC_SEND_WATERMARK_BYTES;
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 10000), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK, "%s", target->problem);
  cr_assert_eq(raw.entries_received, 0, "served past a full socket");
  target->socket_queued = 0; /* the socket drained: the owner pumps */
  cr_assert_eq(sync_session_pump(target, 0, 1000), COOP_OK, "%s", target->problem);
  raw_pump(&raw);
  cr_assert_eq(raw.entries_received, 300, "%s", t->lines);
  raw_release(&raw);
  session_free(target);
}

/* Was a bug (fixed): sync/session_logs.c, session_handle_request(): serve slots are never
 * freed, so SYNC_SERVES_MAX (256) limits the distinct logs a peer may ask
 * for over the whole connection, not at once; but an honest requester asks
 * for every log it lacks (it tracks up to SYNC_PEER_LOGS_MAX = 4096, 64 in
 * flight).  A node holding 264 logs therefore drops an honest peer that
 * syncs with it as a "request flood" after 256 logs, on every connection;
 * the peer needs a reconnect per 256 logs.  Expected: two nodes of the same
 * implementation converge on one connection. */
Test(session_serve, a_node_with_more_logs_than_serve_slots)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 1, 1, 0);
  enum { AUTHORS = 263 };
  cr_assert_eq(ledger_store_begin(a->store), COOP_OK);
  for (unsigned i = 0; i < AUTHORS; i++) {
    uint8_t seed[32];
    memset(seed, 0, sizeof seed);
    seed[0] = 0xa0;
    seed[1] = (uint8_t)i;
    seed[2] = (uint8_t)(i >> 8);
    ledger_identity author;
    cr_assert_eq(ledger_identity_from_seed(seed, &author), COOP_OK);
    uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
    ledger_append_item item = identity_item(identity_payload);
    cr_assert_eq(ledger_store_append(a->store, &author, &item, 1, T0, NULL), COOP_OK);
    ledger_identity_release(&author);
  }
  cr_assert_eq(ledger_store_commit(a->store), COOP_OK);
  conn *l = conn_open(b, a, CHUNK_WHOLE);
  bool settled = conn_run(l);
  snapshot *at_b = snapshot_of(b->store);
  cr_assert(settled, "%s", l->sb.problem);
  cr_assert_eq(at_b->count, AUTHORS + 1);
  free(at_b);
  conn_close(l);
}

/* The settle barrier: a PONG counts only with the nonce of the PING sent
 * after everything else. */
Test(session_serve, settle_needs_the_matching_pong)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  append_entries(t, 3, 3, 0);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  bool settled = true;
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(!settled, "not before the peer's HELLO");
  cr_assert_eq(target->wire_out.len, 0);
  raw_hello(&raw);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(!settled);
  raw_pump(&raw);
  cr_assert_eq(raw.seen[SYNC_MESSAGE_PING], 1);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(!settled);
  cr_assert_eq(target->wire_out.len, 0, "one PING at a time");
  cr_assert_eq(sync_encode_pong(&raw.plain, raw.ping_nonce + 1), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(!settled, "a PONG with another nonce does not count");
  cr_assert_eq(sync_encode_pong(&raw.plain, raw.ping_nonce), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(settled);
  /* A PING is answered with its nonce; the barrier holds. */
  cr_assert_eq(sync_encode_ping(&raw.plain, 0x0102030405060708u), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(raw.seen[SYNC_MESSAGE_PONG], 1);
  /* A request moves the barrier: the session is not settled while serving,
   * and needs a new PONG after its ENTRIES. */
  cr_assert_eq(sync_encode_request(&raw.plain, t->identity.public_key, 0, 10), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(raw.entries_received, 3);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(!settled);
  raw_pump(&raw);
  cr_assert_eq(raw.seen[SYNC_MESSAGE_PING], 2);
  cr_assert_eq(sync_encode_pong(&raw.plain, raw.ping_nonce), COOP_OK);
  cr_assert_eq(raw_flush(&raw), COOP_OK);
  cr_assert_eq(sync_session_settle(target, &settled), COOP_OK);
  cr_assert(settled);
  raw_release(&raw);
  session_free(target);
}

/* Was a bug (fixed; undefined behaviour, UBSan): sync/session_logs.c, send_all_heads():
 * a store that holds no logs yet leaves list.ids NULL, and qsort(NULL, 0,
 * ...) is called; glibc declares qsort's base nonnull, and the sanitizer
 * build reports "session_logs.c: runtime error: null pointer passed as
 * argument 1, which is declared to never be null" (not fatal there, so this
 * test passes; it shows in the test log).  Expected: skip the sort when the
 * list is empty.  Functionally the greeting is right: one empty HEADS. */
Test(session_serve, greeting_from_an_empty_store)
{
  node *t = node_new("target", 0x21), *r = node_new("raw", 0x22);
  sync_session *target = responder_for(t, r);
  raw_peer raw;
  raw_connect(&raw, r, target);
  cr_assert_eq(raw.seen[SYNC_MESSAGE_HEADS], 1);
  cr_assert_eq(raw.head_count, 0);
  raw_release(&raw);
  session_free(target);
}

Test(session_serve, bye_closes_both_sides)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(sync_session_close(&l->sa, SYNC_BYE_SHUTDOWN, "stopping"), COOP_OK);
  cr_assert(sync_session_is_closed(&l->sa));
  size_t queued = l->sa.wire_out.len;
  cr_assert_gt(queued, 0);
  /* Nothing after BYE. */
  ledger_checkpoint latest = append_entries(a, 1, 1, 0);
  cr_assert_eq(sync_session_announce(&l->sa, &latest), COOP_OK);
  cr_assert_eq(sync_session_close(&l->sa, SYNC_BYE_SHUTDOWN, "again"), COOP_OK);
  cr_assert_eq(sync_session_tick(&l->sa, l->now + 100000), COOP_OK);
  cr_assert_eq(l->sa.wire_out.len, queued);
  conn_deliver_ab(l);
  cr_assert_eq(l->err_b, COOP_OK);
  cr_assert(sync_session_is_closed(&l->sb));
  cr_assert_eq(l->sb.bye_code_received, SYNC_BYE_SHUTDOWN);
  cr_assert(saw_line(b, "closed by peer: bye 1 stopping"), "%s", b->lines);
  cr_assert_eq(l->sb.wire_out.len, 0, "no answer to BYE");
  conn_close(l);
}

/* ========================================================================== */
/* Timers                                                                     */
/* ========================================================================== */

TestSuite(session_timers, .init = setup, .fini = teardown);

Test(session_timers, handshake_deadline)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  /* Bytes do not extend the deadline: it runs from the start. */
  cr_assert_eq(sync_session_receive(&l->sb, l->sa.wire_out.data, l->sa.wire_out.len,
                                    NOW + SYNC_HANDSHAKE_TIMEOUT_MS - 1000),
               COOP_OK);
  coop_buf_reset(&l->sa.wire_out);
  for (unsigned side = 0; side < 2; side++) {
    sync_session *session = side ? &l->sb : &l->sa;
    cr_assert_eq(sync_session_tick(session, NOW + SYNC_HANDSHAKE_TIMEOUT_MS), COOP_OK);
    cr_assert_eq(session->state, SYNC_SESSION_HANDSHAKE);
    cr_assert_eq(sync_session_tick(session, NOW + SYNC_HANDSHAKE_TIMEOUT_MS + 1), COOP_E_LIMIT);
    char problem[64];
    snprintf(problem, sizeof problem, "handshake not done after %u s",
             SYNC_HANDSHAKE_TIMEOUT_MS / 1000u);
    assert_problem(session, problem);
  }
  cr_assert_eq(l->sa.wire_out.len, 0);
  /* A finished handshake is not timed out. */
  conn_close(l);
  l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  cr_assert_eq(sync_session_tick(&l->sa, NOW + SYNC_HANDSHAKE_TIMEOUT_MS + 1), COOP_OK);
  cr_assert_eq(sync_session_tick(&l->sb, NOW + SYNC_HANDSHAKE_TIMEOUT_MS + 1), COOP_OK);
  cr_assert(sync_session_is_open(&l->sa) && sync_session_is_open(&l->sb));
  conn_close(l);
}

Test(session_timers, ping_after_silence_and_bye_after_long_silence)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 3, 3, 0);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_settle(l);
  coop_buf_reset(&l->sa.wire_out);
  coop_buf_reset(&l->sb.wire_out);
  uint64_t heard = l->sa.last_received_ms;
  cr_assert_eq(heard, NOW);
  cr_assert(!l->sa.ping_outstanding);

  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_PING_AFTER_MS), COOP_OK);
  cr_assert_eq(l->sa.wire_out.len, 0, "no PING before 30 s");
  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_PING_AFTER_MS + 1), COOP_OK);
  cr_assert_gt(l->sa.wire_out.len, 0);
  cr_assert(l->sa.ping_outstanding);
  size_t ping_bytes = l->sa.wire_out.len;
  cr_assert_eq(ping_bytes, 2 + SYNC_MESSAGE_HEADER_BYTES + SYNC_NONCE_BYTES + SYNC_NOISE_TAG_BYTES);
  /* One PING at a time. */
  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_PING_AFTER_MS + 5000), COOP_OK);
  cr_assert_eq(l->sa.wire_out.len, ping_bytes);
  /* Bob answers at once; the PONG resets alice's silence. */
  l->now = heard + SYNC_PING_AFTER_MS + 6000;
  conn_deliver_ab(l);
  cr_assert_eq(l->sb.wire_out.len, ping_bytes, "a PONG as big as the PING");
  conn_deliver_ba(l);
  cr_assert_eq(l->err_a + l->err_b, 0);
  cr_assert(!l->sa.ping_outstanding);
  heard = l->sa.last_received_ms;
  cr_assert_eq(heard, l->now);
  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_PING_AFTER_MS), COOP_OK);
  cr_assert_eq(l->sa.wire_out.len, 0);

  /* Then nothing for 90 s: a PING goes out at 30 s, BYE 4 after 90 s. */
  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_IDLE_TIMEOUT_MS), COOP_OK);
  cr_assert(sync_session_is_open(&l->sa));
  cr_assert(l->sa.ping_outstanding);
  cr_assert_eq(sync_session_tick(&l->sa, heard + SYNC_IDLE_TIMEOUT_MS + 1), COOP_OK);
  cr_assert(sync_session_is_closed(&l->sa));
  cr_assert(saw_line(a, "nothing received for 90 s: closed"), "%s", a->lines);
  l->now = heard + SYNC_IDLE_TIMEOUT_MS + 2;
  conn_deliver_ab(l);
  cr_assert_eq(l->err_b, COOP_OK);
  cr_assert_eq(l->sb.bye_code_received, SYNC_BYE_IDLE);
  cr_assert(sync_session_is_closed(&l->sb));
  cr_assert(saw_line(b, "closed by peer: bye 4 idle"), "%s", b->lines);
  conn_close(l);
}

/* A REQUEST without progress for 60 s gives its claim back (spec step 4),
 * so other peers may fetch the log; the subscription stays, so ENTRIES that
 * arrive late from a slow but honest peer are still taken. */
Test(session_timers, request_without_progress_is_dropped)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 20, 10, 0);
  conn *l = conn_open(a, b, CHUNK_WHOLE);
  conn_deliver_ab(l);
  conn_deliver_ba(l);
  conn_deliver_ab(l); /* bob reads alice's heads and asks */
  cr_assert_eq(l->sb.active_count, 1);
  cr_assert_eq(b->claims, 1);
  conn_deliver_ba(l); /* alice serves; the ENTRIES wait in her queue */
  cr_assert_eq(l->sa.entries_sent, 20);
  cr_assert_eq(sync_session_tick(&l->sb, NOW + SYNC_REQUEST_TIMEOUT_MS), COOP_OK);
  cr_assert_eq(l->sb.active_count, 1);
  cr_assert_eq(sync_session_tick(&l->sb, NOW + SYNC_REQUEST_TIMEOUT_MS + 1), COOP_OK);
  cr_assert_eq(l->sb.active_count, 0);
  cr_assert_eq(b->releases, 1);
  cr_assert(saw_line(b, "letting other peers fetch it"), "%s", b->lines);
  l->now = NOW + SYNC_REQUEST_TIMEOUT_MS + 2;
  conn_deliver_ab(l);
  cr_assert_eq(l->err_b, COOP_OK, "%s", l->sb.problem);
  cr_assert(sync_session_is_open(&l->sb));
  cr_assert_eq(log_size(b->store, a->identity.public_key), 20);
  conn_close(l);
}

/* ========================================================================== */
/* Allocation failures                                                        */
/* ========================================================================== */

TestSuite(session_alloc, .init = setup, .fini = teardown);

static uint8_t *read_file(const char *path, size_t *bytes)
{
  FILE *file = fopen(path, "rb");
  cr_assert_not_null(file, "%s", path);
  cr_assert_eq(fseek(file, 0, SEEK_END), 0);
  long length = ftell(file);
  cr_assert_geq(length, 0);
  rewind(file);
  uint8_t *data = malloc((size_t)length + 1);
  cr_assert_not_null(data);
  cr_assert_eq(fread(data, 1, (size_t)length, file), (size_t)length);
  fclose(file);
  *bytes = (size_t)length;
  return data;
}

static void write_file(const char *path, const uint8_t *data, size_t bytes)
{
  FILE *file = fopen(path, "wb");
  cr_assert_not_null(file, "%s", path);
  cr_assert_eq(fwrite(data, 1, bytes, file), bytes);
  cr_assert_eq(fclose(file), 0);
}

/* Puts a node's store back to the bytes it had. */
static void restore_store(node *self, const uint8_t *data, size_t bytes)
{
  ledger_store_close(self->store);
  self->store = NULL;
  char extra[sizeof self->path + 8];
  snprintf(extra, sizeof extra, "%s-wal", self->path);
  unlink(extra);
  snprintf(extra, sizeof extra, "%s-shm", self->path);
  unlink(extra);
  write_file(self->path, data, bytes);
  open_node_store(self, LEDGER_STORE_OPEN_EXISTING);
}

/* The Nth allocation fails, for every N until a whole sync needs no more:
 * each run ends (settled or failed) without a crash, a leak (ASan), or a
 * store that no longer verifies; a run that settles has converged; and
 * after the failure a clean sync converges. */
Test(session_alloc, failure_at_every_allocation_of_a_sync)
{
  node *a = node_new("alice", 0x11), *b = node_new("bob", 0x12);
  befriend(a, b);
  append_entries(a, 12, 4, 0);
  append_entries(a, 2, 1, 5000);
  append_entries(b, 5, 5, 0);
  ledger_store_close(a->store);
  ledger_store_close(b->store);
  a->store = b->store = NULL;
  size_t a_bytes = 0, b_bytes = 0;
  uint8_t *a_data = read_file(a->path, &a_bytes), *b_data = read_file(b->path, &b_bytes);
  open_node_store(a, LEDGER_STORE_OPEN_EXISTING);
  open_node_store(b, LEDGER_STORE_OPEN_EXISTING);

  long clean_at = -1;
  unsigned failed_init = 0, failed_run = 0;
  for (long n = 0; n < 3000 && clean_at < 0; n++) {
    restore_store(a, a_data, a_bytes);
    restore_store(b, b_data, b_bytes);
    conn *l = calloc(1, sizeof *l);
    cr_assert_not_null(l);
    l->a = a;
    l->b = b;
    l->chunks = n % 3 == 2 ? CHUNK_RANDOM : CHUNK_WHOLE;
    l->now = NOW;
    sync_peer dialed = peer_of(b);
    coop_alloc_fail_after(n);
    coop_err init_a = sync_session_init(&l->sa, &a->host, &dialed, "x", l->now);
    coop_err init_b = init_a ? COOP_OK : sync_session_init(&l->sb, &b->host, NULL, "y", l->now);
    bool settled = false;
    if (!init_a && !init_b)
      settled = conn_run(l);
    coop_alloc_fail_after(-1);
    if (init_a || init_b) {
      cr_assert(init_a == COOP_E_NOMEM || init_b == COOP_E_NOMEM);
      failed_init++;
      if (!init_a)
        sync_session_release(&l->sa);
    } else {
      if (!settled) {
        failed_run++;
        cr_assert(l->err_a || l->err_b || sync_session_is_closed(&l->sa) ||
                      sync_session_is_closed(&l->sb),
                  "n=%ld: a run neither settled nor failed", n);
        const sync_session *failed = l->err_a ? &l->sa : &l->sb;
        cr_assert_neq(failed->problem[0], 0, "n=%ld: a failure without a problem", n);
      }
      sync_session_release(&l->sa);
      sync_session_release(&l->sb);
    }
    free(l);
    snapshot *shot_a = snapshot_of(a->store), *shot_b = snapshot_of(b->store);
    free(shot_a);
    free(shot_b);
    if (settled) {
      assert_converged(a, b);
      clean_at = n;
      break;
    }
    if (n % 16 == 0) {
      sync_nodes(a, b, CHUNK_WHOLE);
      assert_converged(a, b);
    }
  }
  cr_assert_gt(clean_at, 20, "a sync needs more allocations than %ld", clean_at);
  cr_assert_gt(failed_init, 0);
  cr_assert_gt(failed_run, 10);
  free(a_data);
  free(b_data);
}
