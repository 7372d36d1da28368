/* Tests for sync/wire: every message type round trips (ENTRIES with real
 * entries and a signed checkpoint, which a store then ingests); pinned bytes
 * for HELLO, REQUEST and PING; every rejection of the strict decoder and the
 * encoders; the message reader and the frame reader fed byte by byte, in
 * random chunks and many messages at once, refusing oversized lengths before
 * buffering anything and surviving allocation failures; a property test over
 * random message sequences split at random points; and the whole pipeline:
 * handshake with the prologue, sealed frames, reassembly, decode, ingest. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/books/schema.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/merkle.h"
#include "ledger/store/store.h"
#include "sync/noise.h"
#include "sync/wire.h"

#define T0 UINT64_C(1775000000000)
#define LOG_ENTRIES_MAX 64u
#define STREAM_BYTES_MAX (64u * 1024u * 1024u)

/* ---- Random numbers: reproducible (splitmix64), seed printed on failure -- */

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

/* ---- A log built in memory: headers, payloads, signed checkpoints -------- */

typedef struct test_log {
  ledger_identity author;
  size_t count;
  uint8_t headers[LOG_ENTRIES_MAX][LEDGER_ENTRY_HEADER_BYTES];
  uint8_t *payloads[LOG_ENTRIES_MAX];
  ledger_ingest_entry entries[LOG_ENTRIES_MAX];
} test_log;

static test_log alice_log;

static void identity_of(uint8_t seed_byte, ledger_identity *identity)
{
  uint8_t seed[32];
  memset(seed, seed_byte, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, identity), COOP_OK);
}

/* `count` note entries (entry 0: the identity); entry i carries
 * payload_bytes[i] bytes (or 10 + i). */
static void log_build(test_log *log, uint8_t seed_byte, size_t count,
                      const size_t *payload_bytes)
{
  cr_assert_leq(count, LOG_ENTRIES_MAX);
  identity_of(seed_byte, &log->author);
  log->count = count;
  for (size_t i = 0; i < count; i++) {
    size_t bytes = payload_bytes ? payload_bytes[i] : 10 + i;
    log->payloads[i] = malloc(bytes ? bytes : 1);
    cr_assert_not_null(log->payloads[i]);
    memset(log->payloads[i], 'a' + (int)(i % 26), bytes);
    /* Entry 0 of every log is its author's identity (ingest checks), here
     * of as many bytes as the note it replaces. */
    int identity = i == 0 && bytes > 3 && bytes <= LEDGER_IDENTITY_PAYLOAD_MAX;
    if (identity) {
      ledger_identity_payload who = {.role = LEDGER_ROLE_PARTNER};
      memset(who.name, 'a', bytes - 3);
      size_t written = 0;
      cr_assert_eq(ledger_identity_payload_encode(&who, log->payloads[i], &written), COOP_OK);
      cr_assert_eq(written, bytes);
    }
    ledger_entry_header header = {.format_version = LEDGER_ENTRY_FORMAT_VERSION,
                                  .kind = identity ? LEDGER_KIND_IDENTITY : LEDGER_KIND_NOTE,
                                  .payload_bytes = (uint32_t)bytes,
                                  .index = i,
                                  .timestamp_ms = T0 + i};
    memcpy(header.log_id, log->author.public_key, LEDGER_LOG_ID_BYTES);
    ledger_entry_header_encode(&header, log->headers[i]);
    log->entries[i] = (ledger_ingest_entry){.header = log->headers[i], .payload = log->payloads[i]};
  }
}

static void log_release(test_log *log)
{
  for (size_t i = 0; i < log->count; i++)
    free(log->payloads[i]);
  ledger_identity_release(&log->author);
  memset(log, 0, sizeof *log);
}

/* The author's signed checkpoint over the first `size` entries. */
static void log_checkpoint(const test_log *log, uint64_t size, ledger_checkpoint *checkpoint)
{
  ledger_frontier frontier;
  ledger_frontier_init(&frontier);
  for (uint64_t i = 0; i < size; i++) {
    uint32_t payload_bytes = coop_get_u32le(log->headers[i] + 4);
    ledger_hash payload_hash, leaf;
    ledger_payload_hash(log->payloads[i], payload_bytes, payload_hash);
    ledger_leaf_hash(log->headers[i], payload_hash, leaf);
    ledger_hash completed[COOP_TREE_HEIGHT_MAX];
    unsigned completed_count = 0;
    cr_assert_eq(ledger_frontier_append(&frontier, leaf, completed, &completed_count), COOP_OK);
  }
  memset(checkpoint, 0, sizeof *checkpoint);
  memcpy(checkpoint->log_id, log->author.public_key, LEDGER_LOG_ID_BYTES);
  checkpoint->size = size;
  ledger_frontier_root(&frontier, checkpoint->root);
  checkpoint->timestamp_ms = T0 + size;
  ledger_checkpoint_sign(checkpoint, log->author.secret_key);
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  rng_state = UINT64_C(0x5eed0001);
  log_build(&alice_log, 0x01, 8, NULL);
}

static void teardown(void)
{
  log_release(&alice_log);
  coop_alloc_fail_after(-1);
}

/* ---- Helpers ------------------------------------------------------------------ */

/* Decodes the single message in `buf` (length | type | body) and checks the
 * length prefix. */
static coop_err decode_whole(const coop_buf *buf, ledger_ingest_entry *entries, size_t capacity,
                             sync_message *message, char problem[SYNC_PROBLEM_BYTES])
{
  cr_assert_geq(buf->len, SYNC_MESSAGE_HEADER_BYTES);
  size_t body_bytes = coop_get_u32le(buf->data);
  cr_assert_eq(buf->len, SYNC_MESSAGE_HEADER_BYTES + body_bytes);
  return sync_message_decode(buf->data[4], buf->data + SYNC_MESSAGE_HEADER_BYTES, body_bytes,
                             entries, capacity, message, problem);
}

/* Decodes, checks success, re-encodes and compares with the original bytes. */
static void assert_round_trip(const coop_buf *buf, sync_message *message,
                              ledger_ingest_entry *entries, size_t capacity)
{
  char problem[SYNC_PROBLEM_BYTES];
  coop_err err = decode_whole(buf, entries, capacity, message, problem);
  cr_assert_eq(err, COOP_OK, "decode: %s: %s", coop_err_name(err), problem);
  coop_buf again;
  coop_buf_init(&again, SIZE_MAX / 4);
  cr_assert_eq(sync_message_encode(&again, message), COOP_OK);
  cr_assert_eq(again.len, buf->len);
  cr_assert_eq(memcmp(again.data, buf->data, buf->len), 0, "re-encoding differs");
  coop_buf_release(&again);
}

static void hex_to_buf(const char *hex, coop_buf *out)
{
  uint8_t bytes[512];
  size_t bytes_count = 0;
  cr_assert_eq(sodium_hex2bin(bytes, sizeof bytes, hex, strlen(hex), " ", &bytes_count, NULL), 0);
  coop_buf_reset(out);
  cr_assert_eq(coop_buf_append(out, bytes, bytes_count), COOP_OK);
}

static void checkpoint_with(uint8_t log_byte, uint64_t size, uint8_t root_byte,
                            ledger_checkpoint *checkpoint)
{
  memset(checkpoint, 0, sizeof *checkpoint);
  memset(checkpoint->log_id, log_byte, LEDGER_LOG_ID_BYTES);
  checkpoint->size = size;
  memset(checkpoint->root, root_byte, LEDGER_HASH_BYTES);
  checkpoint->timestamp_ms = T0;
  memset(checkpoint->signature, 0x5a, LEDGER_SIGNATURE_BYTES);
}

/* ---- Round trips ---------------------------------------------------------------- */

TestSuite(wire_messages, .init = setup, .fini = teardown);

Test(wire_messages, hello_round_trip)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_hello(&buf, LEDGER_ROLE_MUNICIPALITY, "Gemeente Breda"), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_HELLO);
  cr_assert_eq(message.as.hello.protocol_version, SYNC_PROTOCOL_VERSION);
  cr_assert_eq(message.as.hello.role, LEDGER_ROLE_MUNICIPALITY);
  cr_assert_eq(message.as.hello.flags, 0);
  cr_assert_str_eq(message.as.hello.name, "Gemeente Breda");
  coop_buf_release(&buf);
}

Test(wire_messages, hello_name_of_128_bytes_with_utf8)
{
  char name[SYNC_NAME_BYTES_MAX + 1];
  /* "é" is two bytes: 64 of them fill the 128 bytes. */
  for (size_t i = 0; i < SYNC_NAME_BYTES_MAX; i += 2)
    memcpy(name + i, "\xc3\xa9", 2);
  name[SYNC_NAME_BYTES_MAX] = 0;
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_hello(&buf, LEDGER_ROLE_MEMBER, name), COOP_OK);
  cr_assert_eq(buf.len, SYNC_MESSAGE_HEADER_BYTES + SYNC_HELLO_BYTES_MAX);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_str_eq(message.as.hello.name, name);
  coop_buf_release(&buf);
}

Test(wire_messages, heads_round_trip)
{
  ledger_checkpoint heads[3];
  checkpoint_with(0x10, 5, 0xaa, &heads[0]);
  checkpoint_with(0x20, 0, 0xbb, &heads[1]);
  log_checkpoint(&alice_log, 8, &heads[2]);
  heads[2].log_id[0] = 0xff; /* keep the order ascending */
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(sync_encode_heads(&buf, heads, 3), COOP_OK);
  cr_assert_eq(buf.len, SYNC_MESSAGE_HEADER_BYTES + 4 + 3 * LEDGER_CHECKPOINT_BYTES);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_HEADS);
  cr_assert_eq(message.as.heads.count, 3);
  for (uint32_t i = 0; i < 3; i++) {
    ledger_checkpoint decoded;
    sync_heads_checkpoint(&message.as.heads, i, &decoded);
    cr_assert_eq(memcmp(&decoded, &heads[i], sizeof decoded), 0, "checkpoint %u", i);
  }
  coop_buf_release(&buf);
}

Test(wire_messages, heads_empty_and_full)
{
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(sync_encode_heads(&buf, NULL, 0), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.as.heads.count, 0);

  ledger_checkpoint *heads = calloc(SYNC_HEADS_MAX, sizeof *heads);
  cr_assert_not_null(heads);
  for (uint32_t i = 0; i < SYNC_HEADS_MAX; i++) {
    checkpoint_with(0, i, 0x33, &heads[i]);
    heads[i].log_id[0] = (uint8_t)(i >> 8); /* ascending, compared byte by byte */
    heads[i].log_id[1] = (uint8_t)i;
  }
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_heads(&buf, heads, SYNC_HEADS_MAX), COOP_OK);
  cr_assert_eq(buf.len, SYNC_MESSAGE_HEADER_BYTES + SYNC_HEADS_BYTES_MAX);
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.as.heads.count, SYNC_HEADS_MAX);
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_heads(&buf, heads, SYNC_HEADS_MAX + 1), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 0);
  free(heads);
  coop_buf_release(&buf);
}

Test(wire_messages, request_round_trip)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_request(&buf, alice_log.author.public_key, 1234, 500), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_REQUEST);
  cr_assert_eq(memcmp(message.as.request.log_id, alice_log.author.public_key, 32), 0);
  cr_assert_eq(message.as.request.from_index, 1234);
  cr_assert_eq(message.as.request.max_entries, 500);
  coop_buf_release(&buf);
}

Test(wire_messages, entries_round_trip_with_real_entries)
{
  ledger_checkpoint checkpoint;
  log_checkpoint(&alice_log, 8, &checkpoint);
  cr_assert_eq(ledger_checkpoint_verify(&checkpoint), COOP_OK);
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  /* Entries 3..7 with the checkpoint at 8. */
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 3, alice_log.entries + 3,
                                   5, &checkpoint),
               COOP_OK);
  ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];
  sync_message message;
  assert_round_trip(&buf, &message, entries, SYNC_BATCH_ENTRIES_MAX);
  const sync_entries *decoded = &message.as.entries;
  cr_assert_eq(message.type, SYNC_MESSAGE_ENTRIES);
  cr_assert_eq(decoded->first_index, 3);
  cr_assert_eq(decoded->count, 5);
  cr_assert_eq(decoded->entries, entries);
  cr_assert_eq(memcmp(&decoded->checkpoint, &checkpoint, sizeof checkpoint), 0);
  cr_assert_eq(ledger_checkpoint_verify(&decoded->checkpoint), COOP_OK);
  for (size_t i = 0; i < 5; i++) {
    /* No copies: the pointers are into the message body. */
    cr_assert(entries[i].header > buf.data && entries[i].header < buf.data + buf.len);
    cr_assert_eq(memcmp(entries[i].header, alice_log.headers[3 + i], LEDGER_ENTRY_HEADER_BYTES), 0);
    cr_assert_eq(entries[i].payload, entries[i].header + LEDGER_ENTRY_HEADER_BYTES);
    cr_assert_eq(memcmp(entries[i].payload, alice_log.payloads[3 + i], 10 + 3 + i), 0);
  }
  coop_buf_release(&buf);
}

/* An erased entry travels as header and payload hash: the message becomes
 * ENTRIES_ERASED (a form byte per entry), decodes back to the same bytes,
 * and the decoded entry has no payload but the same payload hash. */
Test(wire_messages, entries_with_an_erased_entry)
{
  ledger_checkpoint checkpoint;
  log_checkpoint(&alice_log, 8, &checkpoint);
  ledger_ingest_entry sent[5];
  uint8_t hash[LEDGER_HASH_BYTES];
  ledger_payload_hash(alice_log.payloads[5], 10 + 5, hash);
  for (size_t i = 0; i < 5; i++)
    sent[i] = alice_log.entries[3 + i];
  sent[2] = (ledger_ingest_entry){.header = alice_log.headers[5], .payload_hash = hash};
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 3, sent, 5, &checkpoint),
               COOP_OK);
  /* 5 form bytes; entry 5 carries 32 hash bytes instead of its 15 payload bytes. */
  size_t full = 4 + 1 + SYNC_ENTRIES_FIXED_BYTES;
  for (size_t i = 0; i < 5; i++)
    full += 1 + LEDGER_ENTRY_HEADER_BYTES + (i == 2 ? LEDGER_HASH_BYTES : 10 + 3 + i);
  cr_assert_eq(buf.len, full);
  ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];
  sync_message message;
  assert_round_trip(&buf, &message, entries, SYNC_BATCH_ENTRIES_MAX);
  cr_assert_eq(message.type, SYNC_MESSAGE_ENTRIES_ERASED);
  cr_assert_null(entries[2].payload);
  cr_assert_eq(memcmp(entries[2].payload_hash, hash, LEDGER_HASH_BYTES), 0);
  cr_assert_eq(memcmp(entries[3].payload, alice_log.payloads[6], 10 + 6), 0);
  /* An ENTRIES_ERASED with no erased entry is not canonical: refused. */
  uint8_t *form = buf.data + 5 + 44 + 1 + LEDGER_ENTRY_HEADER_BYTES + 13 + 1 +
                  LEDGER_ENTRY_HEADER_BYTES + 14;
  cr_assert_eq(*form, 1);
  char problem[SYNC_PROBLEM_BYTES];
  *form = 2;
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_ENTRIES_ERASED, buf.data + 5, buf.len - 5, entries,
                                   SYNC_BATCH_ENTRIES_MAX, &message, problem),
               COOP_E_DECODE);
  coop_buf_release(&buf);
}

Test(wire_messages, entries_with_no_entries_is_a_bare_checkpoint)
{
  ledger_checkpoint checkpoint;
  log_checkpoint(&alice_log, 8, &checkpoint);
  coop_buf buf;
  coop_buf_init(&buf, 4096);
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 8, NULL, 0, &checkpoint),
               COOP_OK);
  cr_assert_eq(buf.len, SYNC_MESSAGE_HEADER_BYTES + SYNC_ENTRIES_FIXED_BYTES);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.as.entries.count, 0);
  cr_assert_eq(message.as.entries.first_index, 8);
  coop_buf_release(&buf);
}

Test(wire_messages, entries_decoded_are_ingested_by_a_store)
{
  char dir[] = "/tmp/coop-wire-XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/store.db", dir);
  ledger_store *store = NULL;
  cr_assert_eq(ledger_store_open(path, LEDGER_STORE_CREATE, &store), COOP_OK);

  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  ledger_ingest_entry entries[16];
  uint64_t from = 0;
  for (uint64_t to = 3; to <= 8; to += 5) {
    ledger_checkpoint checkpoint;
    log_checkpoint(&alice_log, to, &checkpoint);
    coop_buf_reset(&buf);
    cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, from,
                                     alice_log.entries + from, to - from, &checkpoint),
                 COOP_OK);
    sync_message message;
    char problem[SYNC_PROBLEM_BYTES];
    cr_assert_eq(decode_whole(&buf, entries, 16, &message, problem), COOP_OK, "%s", problem);
    const sync_entries *decoded = &message.as.entries;
    uint64_t added = 0;
    char store_problem[256] = "";
    coop_err err = ledger_store_ingest(store, &decoded->checkpoint, decoded->first_index,
                                       decoded->entries, decoded->count, T0 + 100, &added, NULL,
                                       store_problem);
    cr_assert_eq(err, COOP_OK, "ingest: %s: %s", coop_err_name(err), store_problem);
    cr_assert_eq(added, to - from);
    from = to;
  }
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(store, alice_log.author.public_key, &size), COOP_OK);
  cr_assert_eq(size, 8);
  ledger_verify_report report;
  cr_assert_eq(ledger_store_verify(store, alice_log.author.public_key, &report), COOP_OK,
               "%s", report.what);
  ledger_store_close(store);
  coop_buf_release(&buf);
  char file[96];
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
    unlink(file);
  }
  cr_assert_eq(rmdir(dir), 0);
}

Test(wire_messages, entries_single_maximal_entry_fits)
{
  test_log big;
  size_t payload_bytes[2] = {COOP_PAYLOAD_BYTES_MAX, 1};
  log_build(&big, 0x07, 2, payload_bytes);
  ledger_checkpoint checkpoint;
  log_checkpoint(&big, 1, &checkpoint);
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(sync_encode_entries(&buf, big.author.public_key, 0, big.entries, 1, &checkpoint),
               COOP_OK);
  ledger_ingest_entry entries[1];
  sync_message message;
  assert_round_trip(&buf, &message, entries, 1);
  cr_assert_eq(memcmp(entries[0].payload, big.payloads[0], COOP_PAYLOAD_BYTES_MAX), 0);
  coop_buf_release(&buf);
  log_release(&big);
}

Test(wire_messages, entries_batch_bytes_limit)
{
  /* 15 maximal entries (984,120 bytes) fit under 1 MiB, 16 (1,049,728) do not. */
  enum { COUNT = 16 };
  test_log big;
  size_t payload_bytes[COUNT];
  for (size_t i = 0; i < COUNT; i++)
    payload_bytes[i] = COOP_PAYLOAD_BYTES_MAX;
  log_build(&big, 0x08, COUNT, payload_bytes);
  ledger_checkpoint checkpoint;
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  log_checkpoint(&big, COUNT - 1, &checkpoint);
  cr_assert_eq(sync_encode_entries(&buf, big.author.public_key, 0, big.entries, COUNT - 1,
                                   &checkpoint),
               COOP_OK);
  ledger_ingest_entry entries[COUNT];
  sync_message message;
  assert_round_trip(&buf, &message, entries, COUNT);
  size_t before = buf.len;
  log_checkpoint(&big, COUNT, &checkpoint);
  cr_assert_eq(sync_encode_entries(&buf, big.author.public_key, 0, big.entries, COUNT,
                                   &checkpoint),
               COOP_E_LIMIT);
  cr_assert_eq(buf.len, before);
  coop_buf_release(&buf);
  log_release(&big);
}

Test(wire_messages, fork_round_trip)
{
  ledger_checkpoint first, second;
  checkpoint_with(0x44, 9, 0x01, &first);
  checkpoint_with(0x44, 9, 0x02, &second);
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_fork(&buf, &first, &second), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_FORK);
  cr_assert_eq(memcmp(&message.as.fork.first, &first, sizeof first), 0);
  cr_assert_eq(memcmp(&message.as.fork.second, &second, sizeof second), 0);
  /* Different sizes: only a store can tell, so the decoder lets it through. */
  checkpoint_with(0x44, 12, 0x01, &second);
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_fork(&buf, &first, &second), COOP_OK);
  assert_round_trip(&buf, &message, NULL, 0);
  coop_buf_release(&buf);
}

/* An erasure proof as ledger_store_erasure_proofs gives it: entry 7 of
 * alice's log standing in for the erasure entry (the wire checks shape
 * only), two proof hashes, under a checkpoint of size 8. */
static void erasure_proof_of(ledger_erasure_proof *proof)
{
  memset(proof, 0, sizeof *proof);
  log_checkpoint(&alice_log, 8, &proof->checkpoint);
  proof->index = 7;
  proof->header = alice_log.headers[7];
  proof->payload = alice_log.payloads[7];
  proof->proof.count = 2;
  memset(proof->proof.hashes[0], 0xa1, LEDGER_HASH_BYTES);
  memset(proof->proof.hashes[1], 0xb2, LEDGER_HASH_BYTES);
}

Test(wire_messages, erasure_proof_round_trip_and_layout)
{
  ledger_erasure_proof proof;
  erasure_proof_of(&proof);
  coop_buf buf;
  coop_buf_init(&buf, 4096);
  cr_assert_eq(sync_encode_erasure_proof(&buf, &proof), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_ERASURE_PROOF);
  const ledger_erasure_proof *decoded = &message.as.erasure_proof;
  cr_assert_eq(decoded->index, 7);
  cr_assert_eq(decoded->proof.count, 2);
  cr_assert_eq(memcmp(&decoded->checkpoint, &proof.checkpoint, sizeof proof.checkpoint), 0);
  cr_assert_eq(memcmp(decoded->payload, alice_log.payloads[7], 17), 0);
  /* docs/protocol.md: u32 length | u8 10 | checkpoint 146 | u64 index |
   * u8 count | count x 32 | header 72 | payload (entry 7: 17 bytes). */
  size_t body = 146 + 8 + 1 + 2 * 32 + 72 + 17;
  cr_assert_eq(buf.len, 5 + body);
  cr_assert_eq(coop_get_u32le(buf.data), body);
  cr_assert_eq(buf.data[4], 10);
  uint8_t checkpoint[146];
  ledger_checkpoint_encode(&proof.checkpoint, checkpoint);
  cr_assert_eq(memcmp(buf.data + 5, checkpoint, 146), 0);
  cr_assert_eq(coop_get_u64le(buf.data + 5 + 146), 7);
  cr_assert_eq(buf.data[5 + 154], 2);
  cr_assert_eq(buf.data[5 + 155], 0xa1);
  cr_assert_eq(buf.data[5 + 155 + 32], 0xb2);
  cr_assert_eq(memcmp(buf.data + 5 + 219, alice_log.headers[7], 72), 0);
  coop_buf_release(&buf);
}

Test(wire_messages, bye_round_trip)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_bye(&buf, SYNC_BYE_SHUTDOWN, "node stopping"), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_BYE);
  cr_assert_eq(message.as.bye.reason_code, SYNC_BYE_SHUTDOWN);
  cr_assert_str_eq(message.as.bye.reason, "node stopping");
  /* An empty reason and a code this version does not know are fine. */
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_bye(&buf, 4242, ""), COOP_OK);
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.as.bye.reason_code, 4242);
  cr_assert_str_eq(message.as.bye.reason, "");
  coop_buf_release(&buf);
}

Test(wire_messages, ping_and_pong_round_trip)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_ping(&buf, UINT64_C(0x0123456789abcdef)), COOP_OK);
  sync_message message;
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_PING);
  cr_assert_eq(message.as.nonce, UINT64_C(0x0123456789abcdef));
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_pong(&buf, UINT64_MAX), COOP_OK);
  assert_round_trip(&buf, &message, NULL, 0);
  cr_assert_eq(message.type, SYNC_MESSAGE_PONG);
  cr_assert_eq(message.as.nonce, UINT64_MAX);
  coop_buf_release(&buf);
}

Test(wire_messages, encoders_append_after_existing_content)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(coop_buf_append_text(&buf, "xyz"), COOP_OK);
  cr_assert_eq(sync_encode_ping(&buf, 7), COOP_OK);
  cr_assert_eq(buf.len, 3 + SYNC_MESSAGE_HEADER_BYTES + 8);
  cr_assert_eq(memcmp(buf.data, "xyz", 3), 0);
  cr_assert_eq(buf.data[3 + 4], SYNC_MESSAGE_PING);
  coop_buf_release(&buf);
}

Test(wire_messages, type_names_and_maxima)
{
  cr_assert_str_eq(sync_message_type_name(SYNC_MESSAGE_HELLO), "hello");
  cr_assert_str_eq(sync_message_type_name(SYNC_MESSAGE_PONG), "pong");
  cr_assert_str_eq(sync_message_type_name(0), "unknown");
  cr_assert_str_eq(sync_message_type_name(9), "entries-erased");
  cr_assert_str_eq(sync_message_type_name(10), "erasure-proof");
  cr_assert_str_eq(sync_message_type_name(11), "unknown");
  cr_assert_str_eq(sync_message_type_name(1000), "unknown");
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_PING), 8);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_REQUEST), 44);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_FORK), 292);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_HELLO), 136);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_BYE), 131);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_HEADS), 4 + 4096 * 146);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_ENTRIES), 190 + 1048576);
  cr_assert_eq(sync_message_body_bytes_max(0), 0);
  cr_assert_eq(sync_message_body_bytes_max(SYNC_MESSAGE_ERASURE_PROOF),
               146 + 8 + 1 + 98 * 32 + 72 + 65536);
  cr_assert_eq(sync_message_body_bytes_max(11), 0);
  for (unsigned type = 1; type <= 10; type++)
    cr_assert_leq(sync_message_body_bytes_max(type), SYNC_MESSAGE_BYTES_MAX);
}

/* ---- Pinned bytes (hand-written from docs/protocol.md) ------------------------- */

Test(wire_messages, hello_known_bytes)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_hello(&buf, LEDGER_ROLE_COOP, "Breda"), COOP_OK);
  /* body 13 bytes | type 1 | version 1 | role 1 | flags 0 | name 5 "Breda" */
  coop_buf expected;
  coop_buf_init(&expected, 1024);
  hex_to_buf("0d000000 01 0100 01 00000000 05 4272656461", &expected);
  cr_assert_eq(buf.len, expected.len);
  cr_assert_eq(memcmp(buf.data, expected.data, buf.len), 0);
  coop_buf_release(&buf);
  coop_buf_release(&expected);
}

Test(wire_messages, request_known_bytes)
{
  uint8_t log_id[32];
  for (size_t i = 0; i < sizeof log_id; i++)
    log_id[i] = (uint8_t)i;
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_request(&buf, log_id, 258, 10000), COOP_OK);
  /* body 44 bytes | type 3 | log id 00..1f | from 258 | max 10000 */
  coop_buf expected;
  coop_buf_init(&expected, 1024);
  hex_to_buf("2c000000 03"
             " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
             " 0201000000000000 10270000",
             &expected);
  cr_assert_eq(buf.len, expected.len);
  cr_assert_eq(memcmp(buf.data, expected.data, buf.len), 0);
  coop_buf_release(&buf);
  coop_buf_release(&expected);
}

Test(wire_messages, ping_and_bye_known_bytes)
{
  coop_buf buf, expected;
  coop_buf_init(&buf, 1024);
  coop_buf_init(&expected, 1024);
  cr_assert_eq(sync_encode_ping(&buf, UINT64_C(0x0807060504030201)), COOP_OK);
  hex_to_buf("08000000 07 0102030405060708", &expected);
  cr_assert_eq(buf.len, expected.len);
  cr_assert_eq(memcmp(buf.data, expected.data, buf.len), 0);
  coop_buf_reset(&buf);
  cr_assert_eq(sync_encode_bye(&buf, SYNC_BYE_IDLE, "idle"), COOP_OK);
  hex_to_buf("07000000 06 0400 04 69646c65", &expected);
  cr_assert_eq(buf.len, expected.len);
  cr_assert_eq(memcmp(buf.data, expected.data, buf.len), 0);
  coop_buf_release(&buf);
  coop_buf_release(&expected);
}

Test(wire_messages, prologue_bytes)
{
  uint8_t network_id[SYNC_NETWORK_ID_BYTES];
  memset(network_id, 0xab, sizeof network_id);
  uint8_t prologue[SYNC_PROLOGUE_BYTES];
  sync_prologue(network_id, prologue);
  cr_assert_eq(SYNC_PROLOGUE_BYTES, 44);
  cr_assert_eq(memcmp(prologue, "\x63\x6f\x6f\x70\x2d\x73\x79\x6e\x63\x2d\x76\x31", 12), 0);
  cr_assert_eq(memcmp(prologue + 12, network_id, 32), 0);
}

/* ---- Rejections: the decoder ------------------------------------------------------ */

/* Decodes type/body and expects `expected`, a problem message and a zeroed
 * output. */
static void expect_reject(unsigned type, const uint8_t *body, size_t body_bytes,
                          coop_err expected, const char *what)
{
  static ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];
  sync_message message;
  memset(&message, 0x77, sizeof message);
  char problem[SYNC_PROBLEM_BYTES] = "";
  coop_err err = sync_message_decode(type, body, body_bytes, entries, SYNC_BATCH_ENTRIES_MAX,
                                     &message, problem);
  cr_assert_eq(err, expected, "%s: expected %s, got %s (%s)", what, coop_err_name(expected),
               coop_err_name(err), problem);
  cr_assert_neq(problem[0], 0, "%s: no problem message", what);
  sync_message zero;
  memset(&zero, 0, sizeof zero);
  cr_assert_eq(memcmp(&message, &zero, sizeof message), 0, "%s: output not zeroed", what);
}

/* A valid body of `type` in `buf` (without length and type), for mutation. */
static void body_of(coop_buf *buf)
{
  size_t body_bytes = coop_get_u32le(buf->data);
  memmove(buf->data, buf->data + SYNC_MESSAGE_HEADER_BYTES, body_bytes);
  buf->len = body_bytes;
  buf->data[buf->len] = 0;
}

Test(wire_rejections, unknown_types)
{
  uint8_t body[8] = {0};
  expect_reject(0, body, 8, COOP_E_DECODE, "type 0");
  expect_reject(11, body, 8, COOP_E_DECODE, "type 11");
  expect_reject(255, body, 8, COOP_E_DECODE, "type 255");
  expect_reject(0x107, body, 8, COOP_E_DECODE, "type 0x107");
}

Test(wire_rejections, hello, .init = setup, .fini = teardown)
{
  coop_buf buf;
  coop_buf_init(&buf, 1024);
  cr_assert_eq(sync_encode_hello(&buf, LEDGER_ROLE_COOP, "Breda"), COOP_OK);
  body_of(&buf);
  uint8_t body[300];
  size_t n = buf.len;
  memcpy(body, buf.data, n);

  expect_reject(SYNC_MESSAGE_HELLO, body, 0, COOP_E_DECODE, "empty");
  expect_reject(SYNC_MESSAGE_HELLO, body, 1, COOP_E_DECODE, "one byte");
  expect_reject(SYNC_MESSAGE_HELLO, body, 7, COOP_E_DECODE, "no name length");
  expect_reject(SYNC_MESSAGE_HELLO, body, n - 1, COOP_E_DECODE, "name cut short");
  body[n] = 'x';
  expect_reject(SYNC_MESSAGE_HELLO, body, n + 1, COOP_E_TRAILING, "trailing byte");

  uint8_t mutated[300];
  memcpy(mutated, body, n);
  mutated[0] = 2;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_VERSION, "version 2");
  /* The version is checked first, whatever follows it. */
  expect_reject(SYNC_MESSAGE_HELLO, mutated, 2, COOP_E_VERSION, "version 2 alone");
  mutated[0] = 0;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_VERSION, "version 0");
  memcpy(mutated, body, n);
  mutated[2] = 0;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "role 0");
  mutated[2] = 5;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "role 5");
  memcpy(mutated, body, n);
  mutated[6] = 0x80;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "flags set");
  memcpy(mutated, body, n);
  mutated[7] = 0;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, 8, COOP_E_DECODE, "empty name");
  memcpy(mutated, body, n);
  mutated[9] = '\n';
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "newline in name");
  mutated[9] = '\t';
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "tab in name");
  mutated[9] = 0;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "NUL in name");
  mutated[9] = 0xff;
  expect_reject(SYNC_MESSAGE_HELLO, mutated, n, COOP_E_DECODE, "invalid UTF-8");
  memcpy(mutated, body, 8);
  mutated[7] = 129;
  memset(mutated + 8, 'n', 129);
  expect_reject(SYNC_MESSAGE_HELLO, mutated, 8 + 129, COOP_E_LIMIT, "name of 129 bytes");
  coop_buf_release(&buf);
}

Test(wire_rejections, heads, .init = setup, .fini = teardown)
{
  ledger_checkpoint heads[2];
  checkpoint_with(0x10, 5, 0xaa, &heads[0]);
  checkpoint_with(0x20, 6, 0xbb, &heads[1]);
  coop_buf buf;
  coop_buf_init(&buf, 4096);
  cr_assert_eq(sync_encode_heads(&buf, heads, 2), COOP_OK);
  body_of(&buf);
  uint8_t body[1024];
  size_t n = buf.len;
  memcpy(body, buf.data, n);
  uint8_t mutated[1024];

  expect_reject(SYNC_MESSAGE_HEADS, body, 3, COOP_E_DECODE, "no count");
  expect_reject(SYNC_MESSAGE_HEADS, body, n - 1, COOP_E_DECODE, "checkpoint cut short");
  expect_reject(SYNC_MESSAGE_HEADS, body, 4 + 146, COOP_E_DECODE, "count says 2, one present");
  body[n] = 0;
  expect_reject(SYNC_MESSAGE_HEADS, body, n + 1, COOP_E_TRAILING, "trailing byte");
  memcpy(mutated, body, n);
  coop_put_u32le(mutated, SYNC_HEADS_MAX + 1);
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_LIMIT, "count past the limit");
  coop_put_u32le(mutated, UINT32_MAX);
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_LIMIT, "count 2^32 - 1");
  memcpy(mutated, body, n);
  mutated[4 + 146] = 2; /* second checkpoint's format version */
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_VERSION, "checkpoint version 2");
  memcpy(mutated, body, n);
  coop_put_u64le(mutated + 4 + 34, COOP_LOG_ENTRIES_MAX + 1);
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_LIMIT, "checkpoint size past 2^48");
  /* Same log twice, and descending order. */
  memcpy(mutated, body, n);
  memcpy(mutated + 4 + 146 + 2, mutated + 4 + 2, 32);
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_DECODE, "one log twice");
  memcpy(mutated, body, n);
  memcpy(mutated + 4, body + 4 + 146, 146);
  memcpy(mutated + 4 + 146, body + 4, 146);
  expect_reject(SYNC_MESSAGE_HEADS, mutated, n, COOP_E_DECODE, "descending log ids");
  coop_buf_release(&buf);
}

Test(wire_rejections, request)
{
  uint8_t body[64] = {0};
  coop_put_u32le(body + 40, 10);
  expect_reject(SYNC_MESSAGE_REQUEST, body, 43, COOP_E_DECODE, "43 bytes");
  expect_reject(SYNC_MESSAGE_REQUEST, body, 45, COOP_E_TRAILING, "45 bytes");
  expect_reject(SYNC_MESSAGE_REQUEST, body, 0, COOP_E_DECODE, "empty");
  coop_put_u32le(body + 40, 0);
  expect_reject(SYNC_MESSAGE_REQUEST, body, 44, COOP_E_DECODE, "max 0");
  coop_put_u32le(body + 40, SYNC_BATCH_ENTRIES_MAX + 1);
  expect_reject(SYNC_MESSAGE_REQUEST, body, 44, COOP_E_LIMIT, "max past the batch limit");
  coop_put_u32le(body + 40, 1);
  coop_put_u64le(body + 32, COOP_LOG_ENTRIES_MAX);
  expect_reject(SYNC_MESSAGE_REQUEST, body, 44, COOP_E_LIMIT, "from 2^48");
  coop_put_u64le(body + 32, UINT64_MAX);
  expect_reject(SYNC_MESSAGE_REQUEST, body, 44, COOP_E_LIMIT, "from 2^64 - 1");
  /* The largest valid values pass. */
  coop_put_u64le(body + 32, COOP_LOG_ENTRIES_MAX - 1);
  coop_put_u32le(body + 40, SYNC_BATCH_ENTRIES_MAX);
  sync_message message;
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_REQUEST, body, 44, NULL, 0, &message, NULL),
               COOP_OK);
}

/* A valid ENTRIES body (entries 2..5 of alice's log) in `body`; returns its
 * length. */
static size_t entries_body(uint8_t *body, size_t capacity)
{
  ledger_checkpoint checkpoint;
  log_checkpoint(&alice_log, 6, &checkpoint);
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 2, alice_log.entries + 2, 4,
                                   &checkpoint),
               COOP_OK);
  body_of(&buf);
  cr_assert_leq(buf.len, capacity);
  size_t n = buf.len;
  memcpy(body, buf.data, n);
  coop_buf_release(&buf);
  return n;
}

Test(wire_rejections, entries, .init = setup, .fini = teardown)
{
  uint8_t body[2048];
  uint8_t mutated[2048];
  size_t n = entries_body(body, sizeof body);
  size_t entry0 = 44;               /* entry index 2, payload 12 bytes */
  size_t entry1 = entry0 + 72 + 12; /* entry index 3, payload 13 bytes */
  size_t entry3 = 299;              /* entry index 5, payload 15 bytes, the last */
  cr_assert_eq(entry3 + 72 + 15 + LEDGER_CHECKPOINT_BYTES, n);
  size_t checkpoint_at = n - LEDGER_CHECKPOINT_BYTES;
  sync_message message;
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_ENTRIES, body, n, NULL, 0, &message, NULL),
               COOP_E_LIMIT, "four entries do not fit no room");

#define MUTATE() memcpy(mutated, body, n)
  expect_reject(SYNC_MESSAGE_ENTRIES, body, 43, COOP_E_DECODE, "no count");
  expect_reject(SYNC_MESSAGE_ENTRIES, body, 189, COOP_E_DECODE, "shorter than the fixed part");
  expect_reject(SYNC_MESSAGE_ENTRIES, body, n - 1, COOP_E_DECODE, "checkpoint cut short");
  body[n] = 0;
  expect_reject(SYNC_MESSAGE_ENTRIES, body, n + 1, COOP_E_TRAILING, "trailing byte");
  MUTATE();
  coop_put_u32le(mutated + 40, SYNC_BATCH_ENTRIES_MAX + 1);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_LIMIT, "count past the batch limit");
  MUTATE();
  coop_put_u32le(mutated + 40, 5);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "count says 5, 4 present");
  MUTATE();
  coop_put_u32le(mutated + 40, 3);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_TRAILING, "count says 3, 4 present");
  MUTATE();
  coop_put_u64le(mutated + 32, COOP_LOG_ENTRIES_MAX - 2);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_LIMIT, "entries past 2^48");
  MUTATE();
  coop_put_u64le(mutated + 32, UINT64_MAX);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_LIMIT, "first index 2^64 - 1");
  MUTATE();
  coop_put_u64le(mutated + 32, 3);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "first index off by one");
  MUTATE();
  mutated[0] ^= 1;
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "message names another log");
  /* Entry headers. */
  MUTATE();
  mutated[entry1] = 2;
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_VERSION, "header version 2");
  MUTATE();
  coop_put_u16le(mutated + entry1 + 2, 0);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "header kind 0");
  MUTATE();
  coop_put_u32le(mutated + entry1 + 4, COOP_PAYLOAD_BYTES_MAX + 1);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_LIMIT, "header payload past 64 KiB");
  MUTATE();
  mutated[entry1 + 24] ^= 1;
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "header names another log");
  MUTATE();
  coop_put_u64le(mutated + entry1 + 8, 4);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "header names another index");
  MUTATE();
  coop_put_u32le(mutated + entry3 + 4, 16);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "last payload one byte longer");
  MUTATE();
  coop_put_u32le(mutated + entry3 + 4, 14);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_TRAILING, "last payload one byte shorter");
  MUTATE();
  coop_put_u32le(mutated + entry1 + 4, 14);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_VERSION,
                "payload one byte longer: the next header is read one byte late");
  MUTATE();
  coop_put_u32le(mutated + entry0 + 4, 60000);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "payload runs into the checkpoint");
  /* The checkpoint. */
  MUTATE();
  mutated[checkpoint_at] = 2;
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_VERSION, "checkpoint version 2");
  MUTATE();
  mutated[checkpoint_at + 2] ^= 1;
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "checkpoint names another log");
  MUTATE();
  coop_put_u64le(mutated + checkpoint_at + 34, 7);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_DECODE, "checkpoint size 7, expected 6");
  MUTATE();
  coop_put_u64le(mutated + checkpoint_at + 34, COOP_LOG_ENTRIES_MAX + 1);
  expect_reject(SYNC_MESSAGE_ENTRIES, mutated, n, COOP_E_LIMIT, "checkpoint size past 2^48");
#undef MUTATE
}

Test(wire_rejections, entries_past_the_callers_capacity, .init = setup, .fini = teardown)
{
  uint8_t body[2048];
  size_t n = entries_body(body, sizeof body);
  ledger_ingest_entry entries[4];
  sync_message message;
  char problem[SYNC_PROBLEM_BYTES];
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_ENTRIES, body, n, entries, 3, &message, problem),
               COOP_E_LIMIT);
  cr_assert_neq(problem[0], 0);
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_ENTRIES, body, n, entries, 4, &message, problem),
               COOP_OK);
}

Test(wire_rejections, entries_over_the_batch_bytes)
{
  /* 16 entries of 65536-byte payloads: 1,049,728 bytes of entries. */
  uint8_t log_id[32];
  memset(log_id, 0x42, sizeof log_id);
  size_t entries_bytes = 16u * (72u + COOP_PAYLOAD_BYTES_MAX);
  size_t n = 44 + entries_bytes + LEDGER_CHECKPOINT_BYTES;
  uint8_t *body = calloc(1, n);
  cr_assert_not_null(body);
  memcpy(body, log_id, 32);
  coop_put_u64le(body + 32, 0);
  coop_put_u32le(body + 40, 16);
  for (size_t i = 0; i < 16; i++) {
    ledger_entry_header header = {.format_version = 1, .kind = 2,
                                  .payload_bytes = COOP_PAYLOAD_BYTES_MAX, .index = i};
    memcpy(header.log_id, log_id, 32);
    ledger_entry_header_encode(&header, body + 44 + i * (72 + COOP_PAYLOAD_BYTES_MAX));
  }
  ledger_checkpoint checkpoint;
  checkpoint_with(0x42, 16, 0, &checkpoint);
  ledger_checkpoint_encode(&checkpoint, body + n - LEDGER_CHECKPOINT_BYTES);
  expect_reject(SYNC_MESSAGE_ENTRIES, body, n, COOP_E_LIMIT, "1 MiB of entries passed");
  free(body);
}

Test(wire_rejections, fork)
{
  ledger_checkpoint first, second;
  checkpoint_with(0x44, 9, 0x01, &first);
  checkpoint_with(0x44, 9, 0x02, &second);
  uint8_t body[2 * 146 + 1] = {0};
  ledger_checkpoint_encode(&first, body);
  ledger_checkpoint_encode(&second, body + 146);
  expect_reject(SYNC_MESSAGE_FORK, body, 291, COOP_E_DECODE, "291 bytes");
  expect_reject(SYNC_MESSAGE_FORK, body, 293, COOP_E_TRAILING, "293 bytes");
  expect_reject(SYNC_MESSAGE_FORK, body, 146, COOP_E_DECODE, "one checkpoint");
  uint8_t mutated[sizeof body];
  memcpy(mutated, body, sizeof body);
  mutated[146 + 2] ^= 1;
  expect_reject(SYNC_MESSAGE_FORK, mutated, 292, COOP_E_DECODE, "different logs");
  memcpy(mutated, body, sizeof body);
  memcpy(mutated + 146 + 42, body + 42, 32); /* same size, same root */
  mutated[146 + 74] ^= 1;                    /* another timestamp: still no fork */
  expect_reject(SYNC_MESSAGE_FORK, mutated, 292, COOP_E_DECODE, "same size, same root");
  memcpy(mutated, body, sizeof body);
  memcpy(mutated + 146, body, 146);
  expect_reject(SYNC_MESSAGE_FORK, mutated, 292, COOP_E_DECODE, "the same checkpoint twice");
  memcpy(mutated, body, sizeof body);
  mutated[0] = 9;
  expect_reject(SYNC_MESSAGE_FORK, mutated, 292, COOP_E_VERSION, "first checkpoint version 9");
  memcpy(mutated, body, sizeof body);
  coop_put_u64le(mutated + 146 + 34, UINT64_MAX);
  expect_reject(SYNC_MESSAGE_FORK, mutated, 292, COOP_E_LIMIT, "second checkpoint size");
}

Test(wire_rejections, erasure_proof, .init = setup, .fini = teardown)
{
  ledger_erasure_proof proof;
  erasure_proof_of(&proof);
  coop_buf buf;
  coop_buf_init(&buf, 4096);
  cr_assert_eq(sync_encode_erasure_proof(&buf, &proof), COOP_OK);
  body_of(&buf);
  size_t whole = buf.len;
  uint8_t *body = buf.data;
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, 226, COOP_E_DECODE, "shorter than fixed");
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, whole - 1, COOP_E_DECODE, "payload cut");
  body[whole] = 0;
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, whole + 1, COOP_E_TRAILING, "a byte more");
  body[154] = 99;
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, whole, COOP_E_LIMIT, "99 proof hashes");
  body[154] = 3; /* one hash more: the header starts 32 bytes later */
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, whole, COOP_E_DECODE, "count off by one");
  body[154] = 2;
  body[219] = 7; /* header format version 7 */
  cr_assert_neq(sync_message_decode(SYNC_MESSAGE_ERASURE_PROOF, body, whole, NULL, 0,
                                    &(sync_message){0}, NULL), COOP_OK, "bad header");
  body[219] = 1;
  body[0] = 9; /* checkpoint format version 9 */
  expect_reject(SYNC_MESSAGE_ERASURE_PROOF, body, whole, COOP_E_VERSION, "checkpoint version");
  coop_buf_release(&buf);
}

Test(wire_rejections, bye)
{
  uint8_t body[300] = {0};
  coop_put_u16le(body, SYNC_BYE_SHUTDOWN);
  body[2] = 3;
  memcpy(body + 3, "bye", 3);
  sync_message message;
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_BYE, body, 6, NULL, 0, &message, NULL), COOP_OK);
  expect_reject(SYNC_MESSAGE_BYE, body, 2, COOP_E_DECODE, "no reason length");
  expect_reject(SYNC_MESSAGE_BYE, body, 5, COOP_E_DECODE, "reason cut short");
  expect_reject(SYNC_MESSAGE_BYE, body, 7, COOP_E_TRAILING, "trailing byte");
  coop_put_u16le(body, 0);
  expect_reject(SYNC_MESSAGE_BYE, body, 6, COOP_E_DECODE, "reason code 0");
  coop_put_u16le(body, 1);
  body[4] = '\n';
  expect_reject(SYNC_MESSAGE_BYE, body, 6, COOP_E_DECODE, "newline in reason");
  body[4] = 0x7f;
  expect_reject(SYNC_MESSAGE_BYE, body, 6, COOP_E_DECODE, "DEL in reason");
  body[4] = 0xc3; /* a lead byte without its continuation */
  expect_reject(SYNC_MESSAGE_BYE, body, 6, COOP_E_DECODE, "broken UTF-8 in reason");
  body[2] = 129;
  memset(body + 3, 'r', 129);
  expect_reject(SYNC_MESSAGE_BYE, body, 3 + 129, COOP_E_LIMIT, "reason of 129 bytes");
}

Test(wire_rejections, ping_and_pong)
{
  uint8_t body[9] = {0};
  expect_reject(SYNC_MESSAGE_PING, body, 7, COOP_E_DECODE, "ping of 7 bytes");
  expect_reject(SYNC_MESSAGE_PING, body, 9, COOP_E_TRAILING, "ping of 9 bytes");
  expect_reject(SYNC_MESSAGE_PONG, body, 0, COOP_E_DECODE, "pong of 0 bytes");
  expect_reject(SYNC_MESSAGE_PONG, body, 9, COOP_E_TRAILING, "pong of 9 bytes");
}

Test(wire_rejections, problem_may_be_null)
{
  uint8_t body[1] = {0};
  sync_message message;
  cr_assert_eq(sync_message_decode(SYNC_MESSAGE_PING, body, 1, NULL, 0, &message, NULL),
               COOP_E_DECODE);
  cr_assert_eq(sync_message_decode(42, NULL, 0, NULL, 0, &message, NULL), COOP_E_DECODE);
}

/* ---- Rejections: the encoders --------------------------------------------------- */

Test(wire_encoders, refuse_what_the_decoder_refuses, .init = setup, .fini = teardown)
{
  coop_buf buf;
  coop_buf_init(&buf, SIZE_MAX / 4);
  cr_assert_eq(coop_buf_append_text(&buf, "keep"), COOP_OK);
  char long_text[200];
  memset(long_text, 'x', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = 0;
  long_text[129] = 0;

  cr_assert_eq(sync_encode_hello(&buf, 0, "Breda"), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_hello(&buf, 5, "Breda"), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_hello(&buf, 1, ""), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_hello(&buf, 1, "two\nlines"), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_hello(&buf, 1, long_text), COOP_E_LIMIT);
  cr_assert_eq(sync_encode_bye(&buf, 0, "x"), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_bye(&buf, 1, "tab\there"), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_bye(&buf, 1, long_text), COOP_E_LIMIT);
  cr_assert_eq(sync_encode_request(&buf, alice_log.author.public_key, 0, 0), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_request(&buf, alice_log.author.public_key, 0, SYNC_BATCH_ENTRIES_MAX + 1),
               COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_request(&buf, alice_log.author.public_key, COOP_LOG_ENTRIES_MAX, 1),
               COOP_E_BAD_INPUT);

  ledger_checkpoint heads[2];
  checkpoint_with(0x20, 5, 0xaa, &heads[0]);
  checkpoint_with(0x10, 6, 0xbb, &heads[1]);
  cr_assert_eq(sync_encode_heads(&buf, heads, 2), COOP_E_BAD_INPUT); /* descending */
  heads[1] = heads[0];
  cr_assert_eq(sync_encode_heads(&buf, heads, 2), COOP_E_BAD_INPUT); /* duplicate */
  heads[0].size = COOP_LOG_ENTRIES_MAX + 1;
  cr_assert_eq(sync_encode_heads(&buf, heads, 1), COOP_E_BAD_INPUT);

  ledger_checkpoint first, second;
  checkpoint_with(0x44, 9, 0x01, &first);
  second = first;
  cr_assert_eq(sync_encode_fork(&buf, &first, &second), COOP_E_BAD_INPUT);
  second.log_id[0] ^= 1;
  second.root[0] ^= 1;
  cr_assert_eq(sync_encode_fork(&buf, &first, &second), COOP_E_BAD_INPUT);

  ledger_checkpoint checkpoint;
  log_checkpoint(&alice_log, 5, &checkpoint);
  /* Entries that do not start at first_index, a checkpoint of another size,
   * another log's id. */
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 1, alice_log.entries + 2, 3,
                                   &checkpoint),
               COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 2, alice_log.entries + 2, 2,
                                   &checkpoint),
               COOP_E_BAD_INPUT);
  uint8_t other_log[32] = {0};
  cr_assert_eq(sync_encode_entries(&buf, other_log, 2, alice_log.entries + 2, 3, &checkpoint),
               COOP_E_BAD_INPUT);
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 0, alice_log.entries,
                                   SYNC_BATCH_ENTRIES_MAX + 1, &checkpoint),
               COOP_E_LIMIT);
  uint8_t bad_header[LEDGER_ENTRY_HEADER_BYTES];
  memcpy(bad_header, alice_log.headers[4], sizeof bad_header);
  coop_put_u32le(bad_header + 4, COOP_PAYLOAD_BYTES_MAX + 1);
  ledger_ingest_entry bad[3] = {alice_log.entries[2], alice_log.entries[3],
                                {.header = bad_header, .payload = alice_log.payloads[4]}};
  cr_assert_eq(sync_encode_entries(&buf, alice_log.author.public_key, 2, bad, 3, &checkpoint),
               COOP_E_BAD_INPUT);

  sync_message message;
  memset(&message, 0, sizeof message);
  message.type = SYNC_MESSAGE_HELLO;
  message.as.hello = (sync_hello){.protocol_version = 2, .role = 1, .name = "x"};
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_BAD_INPUT);
  message.as.hello = (sync_hello){.protocol_version = 1, .role = 1, .flags = 4, .name = "x"};
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_BAD_INPUT);
  /* A hand-filled name without a NUL in its array is read no further. */
  message.as.hello = (sync_hello){.protocol_version = 1, .role = 1};
  memset(message.as.hello.name, 'x', sizeof message.as.hello.name);
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_LIMIT);
  message.type = SYNC_MESSAGE_BYE;
  message.as.bye.reason_code = 1;
  memset(message.as.bye.reason, 'x', sizeof message.as.bye.reason);
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_LIMIT);
  message.type = (sync_message_type)0;
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_BAD_INPUT);
  message.type = (sync_message_type)11;
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_BAD_INPUT);
  memset(&message, 0, sizeof message);
  message.type = SYNC_MESSAGE_ERASURE_PROOF; /* no header */
  cr_assert_eq(sync_message_encode(&buf, &message), COOP_E_BAD_INPUT);

  /* Nothing of the refused messages was left behind. */
  cr_assert_eq(buf.len, 4);
  cr_assert_str_eq((const char *)buf.data, "keep");
  coop_buf_release(&buf);
}

Test(wire_encoders, buffer_maximum_and_allocation_failure, .init = setup, .fini = teardown)
{
  coop_buf buf;
  coop_buf_init(&buf, SYNC_MESSAGE_HEADER_BYTES + 7);
  cr_assert_eq(sync_encode_ping(&buf, 1), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);

  coop_buf_init(&buf, 1024);
  coop_alloc_fail_after(0);
  cr_assert_eq(sync_encode_hello(&buf, 1, "Breda"), COOP_E_NOMEM);
  cr_assert_eq(buf.len, 0);
  coop_alloc_fail_after(-1);
  cr_assert_eq(sync_encode_hello(&buf, 1, "Breda"), COOP_OK);
  coop_buf_release(&buf);
}

/* ---- Message reader ------------------------------------------------------------------ */

/* How push sizes are chosen. */
typedef enum chunking {
  CHUNK_BYTE = 0,   /* one byte at a time */
  CHUNK_RANDOM = 1, /* 1..max_chunk bytes at random */
  CHUNK_WHOLE = 2,  /* everything at once */
} chunking;

static size_t next_chunk(chunking mode, size_t remaining, size_t max_chunk)
{
  switch (mode) {
  case CHUNK_BYTE: return 1;
  case CHUNK_RANDOM: {
    size_t chunk = 1 + rng_below(max_chunk);
    return chunk < remaining ? chunk : remaining;
  }
  case CHUNK_WHOLE: return remaining;
  }
  return remaining;
}

/* Feeds `stream` to a fresh reader and rebuilds the stream from the messages
 * it yields; decodes and re-encodes each one too.  Returns the number of
 * messages. */
static size_t reassemble(const uint8_t *stream, size_t stream_bytes, chunking mode,
                         size_t max_chunk, coop_buf *rebuilt)
{
  static ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  coop_buf_reset(rebuilt);
  size_t messages = 0;
  size_t offset = 0;
  while (offset < stream_bytes) {
    size_t chunk = next_chunk(mode, stream_bytes - offset, max_chunk);
    size_t chunk_offset = 0;
    /* An empty push is harmless; one at each chunk start checks that. */
    size_t used = 1;
    bool complete = true;
    sync_raw_message raw;
    cr_assert_eq(sync_message_reader_push(&reader, stream + offset, 0, &used, &complete, &raw),
                 COOP_OK);
    cr_assert_eq(used, 0);
    cr_assert(!complete);
    while (chunk_offset < chunk) {
      coop_err err = sync_message_reader_push(&reader, stream + offset + chunk_offset,
                                              chunk - chunk_offset, &used, &complete, &raw);
      cr_assert_eq(err, COOP_OK, "push: %s: %s", coop_err_name(err), reader.problem);
      cr_assert_gt(used, 0);
      chunk_offset += used;
      if (!complete)
        continue;
      messages++;
      cr_assert_eq(coop_buf_append_u32le(rebuilt, (uint32_t)raw.body_bytes), COOP_OK);
      cr_assert_eq(coop_buf_append_u8(rebuilt, raw.type), COOP_OK);
      cr_assert_eq(coop_buf_append(rebuilt, raw.body, raw.body_bytes), COOP_OK);
      sync_message message;
      char problem[SYNC_PROBLEM_BYTES];
      coop_err decoded = sync_message_decode(raw.type, raw.body, raw.body_bytes, entries,
                                             SYNC_BATCH_ENTRIES_MAX, &message, problem);
      cr_assert_eq(decoded, COOP_OK, "message %zu: %s", messages, problem);
      coop_buf again;
      coop_buf_init(&again, SIZE_MAX / 4);
      cr_assert_eq(sync_message_encode(&again, &message), COOP_OK);
      size_t start = rebuilt->len - SYNC_MESSAGE_HEADER_BYTES - raw.body_bytes;
      cr_assert_eq(again.len, rebuilt->len - start);
      cr_assert_eq(memcmp(again.data, rebuilt->data + start, again.len), 0);
      coop_buf_release(&again);
    }
    offset += chunk;
  }
  cr_assert(sync_message_reader_is_idle(&reader));
  cr_assert_eq(reader.messages, messages);
  cr_assert_eq(reader.stream_offset, stream_bytes);
  sync_message_reader_release(&reader);
  return messages;
}

/* Appends one random valid message to `out`. */
static void random_message(coop_buf *out)
{
  char text[SYNC_REASON_BYTES_MAX + 1];
  switch (1 + rng_below(8)) {
  case SYNC_MESSAGE_HELLO: {
    size_t length = 1 + rng_below(SYNC_NAME_BYTES_MAX);
    for (size_t i = 0; i < length; i++)
      text[i] = (char)('a' + rng_below(26));
    text[length] = 0;
    cr_assert_eq(sync_encode_hello(out, (uint8_t)(1 + rng_below(4)), text), COOP_OK);
    break;
  }
  case SYNC_MESSAGE_HEADS: {
    ledger_checkpoint heads[20];
    size_t count = rng_below(20);
    for (size_t i = 0; i < count; i++) {
      rng_bytes((uint8_t *)&heads[i], sizeof heads[i]);
      heads[i].log_id[0] = (uint8_t)i; /* ascending */
      heads[i].size = rng_next() % (COOP_LOG_ENTRIES_MAX + 1);
    }
    cr_assert_eq(sync_encode_heads(out, heads, count), COOP_OK);
    break;
  }
  case SYNC_MESSAGE_REQUEST: {
    uint8_t log_id[32];
    rng_bytes(log_id, sizeof log_id);
    cr_assert_eq(sync_encode_request(out, log_id, rng_next() % COOP_LOG_ENTRIES_MAX,
                                     (uint32_t)(1 + rng_below(SYNC_BATCH_ENTRIES_MAX))),
                 COOP_OK);
    break;
  }
  case SYNC_MESSAGE_ENTRIES: {
    size_t from = rng_below(alice_log.count + 1);
    size_t count = rng_below(alice_log.count - from + 1);
    ledger_checkpoint checkpoint;
    log_checkpoint(&alice_log, from + count, &checkpoint);
    cr_assert_eq(sync_encode_entries(out, alice_log.author.public_key, from,
                                     alice_log.entries + from, count, &checkpoint),
                 COOP_OK);
    break;
  }
  case SYNC_MESSAGE_FORK: {
    ledger_checkpoint first, second;
    checkpoint_with(0x55, rng_below(100), 1, &first);
    checkpoint_with(0x55, rng_below(100), 2, &second);
    cr_assert_eq(sync_encode_fork(out, &first, &second), COOP_OK);
    break;
  }
  case SYNC_MESSAGE_BYE: {
    size_t length = rng_below(SYNC_REASON_BYTES_MAX + 1);
    for (size_t i = 0; i < length; i++)
      text[i] = (char)(' ' + rng_below(95));
    text[length] = 0;
    cr_assert_eq(sync_encode_bye(out, (uint16_t)(1 + rng_below(UINT16_MAX)), text), COOP_OK);
    break;
  }
  case SYNC_MESSAGE_PING:
    cr_assert_eq(sync_encode_ping(out, rng_next()), COOP_OK);
    break;
  default:
    cr_assert_eq(sync_encode_pong(out, rng_next()), COOP_OK);
    break;
  }
}

TestSuite(wire_message_reader, .init = setup, .fini = teardown);

Test(wire_message_reader, byte_by_byte_random_chunks_and_all_at_once)
{
  coop_buf stream, rebuilt;
  coop_buf_init(&stream, STREAM_BYTES_MAX);
  coop_buf_init(&rebuilt, STREAM_BYTES_MAX);
  for (int i = 0; i < 40; i++)
    random_message(&stream);
  /* One big message in the middle, spanning many plaintext chunks. */
  test_log big;
  size_t payload_bytes[3] = {COOP_PAYLOAD_BYTES_MAX, 3000, COOP_PAYLOAD_BYTES_MAX};
  log_build(&big, 0x09, 3, payload_bytes);
  ledger_checkpoint checkpoint;
  log_checkpoint(&big, 3, &checkpoint);
  cr_assert_eq(sync_encode_entries(&stream, big.author.public_key, 0, big.entries, 3,
                                   &checkpoint),
               COOP_OK);
  for (int i = 0; i < 40; i++)
    random_message(&stream);

  cr_assert_eq(reassemble(stream.data, stream.len, CHUNK_BYTE, 1, &rebuilt), 81);
  cr_assert_eq(rebuilt.len, stream.len);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  cr_assert_eq(reassemble(stream.data, stream.len, CHUNK_RANDOM, 100, &rebuilt), 81);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  cr_assert_eq(reassemble(stream.data, stream.len, CHUNK_RANDOM, SYNC_NOISE_PLAINTEXT_BYTES_MAX,
                          &rebuilt),
               81);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  cr_assert_eq(reassemble(stream.data, stream.len, CHUNK_WHOLE, 0, &rebuilt), 81);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  log_release(&big);
  coop_buf_release(&stream);
  coop_buf_release(&rebuilt);
}

Test(wire_message_reader, property_random_sequences_split_at_random_points)
{
  coop_buf stream, rebuilt;
  coop_buf_init(&stream, STREAM_BYTES_MAX);
  coop_buf_init(&rebuilt, STREAM_BYTES_MAX);
  for (int round = 0; round < 200; round++) {
    uint64_t seed = rng_state;
    coop_buf_reset(&stream);
    size_t count = rng_below(30);
    for (size_t i = 0; i < count; i++)
      random_message(&stream);
    size_t max_chunk = 1 + rng_below(round % 2 ? 64 : 4096);
    size_t yielded = reassemble(stream.data, stream.len, CHUNK_RANDOM, max_chunk, &rebuilt);
    cr_assert_eq(yielded, count, "round %d, seed %" PRIu64, round, seed);
    cr_assert_eq(rebuilt.len, stream.len, "round %d, seed %" PRIu64, round, seed);
    cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0, "round %d, seed %" PRIu64,
                 round, seed);
  }
  coop_buf_release(&stream);
  coop_buf_release(&rebuilt);
}

/* Pushes `bytes` one at a time until an error; returns it and how many bytes
 * were taken. */
static coop_err push_until_error(sync_message_reader *reader, const uint8_t *bytes,
                                 size_t bytes_count, size_t *taken)
{
  *taken = 0;
  for (size_t i = 0; i < bytes_count; i++) {
    size_t used;
    bool complete;
    sync_raw_message raw;
    coop_err err = sync_message_reader_push(reader, bytes + i, 1, &used, &complete, &raw);
    *taken += used;
    if (err)
      return err;
  }
  return COOP_OK;
}

Test(wire_message_reader, oversized_length_refused_before_buffering)
{
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  uint8_t header[SYNC_MESSAGE_HEADER_BYTES + 16] = {0};
  coop_put_u32le(header, SYNC_MESSAGE_BYTES_MAX + 1);
  header[4] = SYNC_MESSAGE_ENTRIES;
  size_t taken;
  cr_assert_eq(push_until_error(&reader, header, sizeof header, &taken), COOP_E_LIMIT);
  cr_assert_eq(taken, 4, "refused as soon as the length was complete");
  cr_assert_eq(reader.body.capacity, 0, "nothing was allocated");
  cr_assert_neq(reader.problem[0], 0);
  /* Sticky: the next push fails at once and takes nothing. */
  size_t used = 99;
  bool complete = true;
  sync_raw_message raw;
  cr_assert_eq(sync_message_reader_push(&reader, header, 1, &used, &complete, &raw), COOP_E_LIMIT);
  cr_assert_eq(used, 0);
  cr_assert(!complete);
  cr_assert(!sync_message_reader_is_idle(&reader));
  sync_message_reader_release(&reader);

  /* All at once, and the largest possible length. */
  sync_message_reader_init(&reader);
  coop_put_u32le(header, UINT32_MAX);
  cr_assert_eq(sync_message_reader_push(&reader, header, sizeof header, &used, &complete, &raw),
               COOP_E_LIMIT);
  cr_assert_eq(used, 4);
  cr_assert_eq(reader.body.capacity, 0);
  sync_message_reader_release(&reader);
}

Test(wire_message_reader, length_past_the_types_maximum_refused_before_buffering)
{
  uint8_t header[SYNC_MESSAGE_HEADER_BYTES] = {0};
  unsigned types[] = {SYNC_MESSAGE_HELLO, SYNC_MESSAGE_HEADS, SYNC_MESSAGE_REQUEST,
                      SYNC_MESSAGE_ENTRIES, SYNC_MESSAGE_FORK, SYNC_MESSAGE_BYE,
                      SYNC_MESSAGE_PING, SYNC_MESSAGE_PONG};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    sync_message_reader reader;
    sync_message_reader_init(&reader);
    coop_put_u32le(header, (uint32_t)sync_message_body_bytes_max(types[i]) + 1);
    header[4] = (uint8_t)types[i];
    size_t taken;
    cr_assert_eq(push_until_error(&reader, header, sizeof header, &taken), COOP_E_LIMIT,
                 "type %u", types[i]);
    cr_assert_eq(taken, 5);
    cr_assert_eq(reader.body.capacity, 0);
    sync_message_reader_release(&reader);
  }
}

Test(wire_message_reader, unknown_type_refused_before_buffering)
{
  uint8_t header[SYNC_MESSAGE_HEADER_BYTES] = {8, 0, 0, 0, 11};
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  size_t taken;
  cr_assert_eq(push_until_error(&reader, header, sizeof header, &taken), COOP_E_DECODE);
  cr_assert_eq(taken, 5);
  cr_assert_eq(reader.body.capacity, 0);
  cr_assert(strstr(reader.problem, "type 11"), "%s", reader.problem);
  sync_message_reader_release(&reader);
}

Test(wire_message_reader, partial_message_is_not_idle)
{
  coop_buf stream;
  coop_buf_init(&stream, 1024);
  cr_assert_eq(sync_encode_ping(&stream, 5), COOP_OK);
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  cr_assert(sync_message_reader_is_idle(&reader));
  size_t used;
  bool complete;
  sync_raw_message raw;
  cr_assert_eq(sync_message_reader_push(&reader, stream.data, 3, &used, &complete, &raw), COOP_OK);
  cr_assert(!sync_message_reader_is_idle(&reader));
  cr_assert_eq(sync_message_reader_push(&reader, stream.data + 3, 8, &used, &complete, &raw),
               COOP_OK);
  cr_assert(!complete);
  cr_assert_eq(used, 8);
  cr_assert(!sync_message_reader_is_idle(&reader));
  cr_assert_eq(sync_message_reader_push(&reader, stream.data + 11, 2, &used, &complete, &raw),
               COOP_OK);
  cr_assert(complete);
  cr_assert_eq(raw.type, SYNC_MESSAGE_PING);
  cr_assert_eq(raw.body_bytes, 8);
  cr_assert(sync_message_reader_is_idle(&reader));
  sync_message_reader_release(&reader);
  coop_buf_release(&stream);
}

Test(wire_message_reader, allocation_failure_is_reported_and_clean)
{
  coop_buf stream;
  coop_buf_init(&stream, 1024);
  cr_assert_eq(sync_encode_hello(&stream, 1, "Breda"), COOP_OK);
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  coop_alloc_fail_after(0);
  size_t used;
  bool complete;
  sync_raw_message raw;
  cr_assert_eq(sync_message_reader_push(&reader, stream.data, stream.len, &used, &complete, &raw),
               COOP_E_NOMEM);
  coop_alloc_fail_after(-1);
  cr_assert_eq(used, SYNC_MESSAGE_HEADER_BYTES);
  cr_assert(!complete);
  cr_assert_eq(sync_message_reader_push(&reader, stream.data + used, 1, &used, &complete, &raw),
               COOP_E_NOMEM, "sticky");
  sync_message_reader_release(&reader);
  /* Released, it starts afresh. */
  sync_message_reader_init(&reader);
  cr_assert_eq(sync_message_reader_push(&reader, stream.data, stream.len, &used, &complete, &raw),
               COOP_OK);
  cr_assert(complete);
  sync_message_reader_release(&reader);
  coop_buf_release(&stream);
}

Test(wire_message_reader, empty_body_completes_at_the_header)
{
  /* A zero-length body is no valid v1 message, but the reader's job is
   * framing: it yields it and the decoder refuses it. */
  uint8_t header[SYNC_MESSAGE_HEADER_BYTES] = {0, 0, 0, 0, SYNC_MESSAGE_PING};
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  size_t used;
  bool complete;
  sync_raw_message raw;
  cr_assert_eq(sync_message_reader_push(&reader, header, 5, &used, &complete, &raw), COOP_OK);
  cr_assert(complete);
  cr_assert_eq(raw.body_bytes, 0);
  cr_assert_not_null(raw.body);
  sync_message message;
  cr_assert_eq(sync_message_decode(raw.type, raw.body, raw.body_bytes, NULL, 0, &message, NULL),
               COOP_E_DECODE);
  sync_message_reader_release(&reader);
}

/* ---- Frame reader --------------------------------------------------------------------- */

/* Feeds `stream` to a fresh frame reader and rebuilds it from the frames. */
static size_t reassemble_frames(const uint8_t *stream, size_t stream_bytes, chunking mode,
                                size_t max_chunk, coop_buf *rebuilt)
{
  sync_frame_reader reader;
  sync_frame_reader_init(&reader);
  coop_buf_reset(rebuilt);
  size_t frames = 0;
  size_t offset = 0;
  while (offset < stream_bytes) {
    size_t chunk = next_chunk(mode, stream_bytes - offset, max_chunk);
    size_t chunk_offset = 0;
    while (chunk_offset < chunk) {
      size_t used;
      bool complete;
      sync_frame frame;
      coop_err err = sync_frame_reader_push(&reader, stream + offset + chunk_offset,
                                            chunk - chunk_offset, &used, &complete, &frame);
      cr_assert_eq(err, COOP_OK, "push: %s: %s", coop_err_name(err), reader.problem);
      cr_assert_gt(used, 0);
      chunk_offset += used;
      if (!complete)
        continue;
      frames++;
      cr_assert_geq(frame.data_bytes, 1);
      cr_assert_leq(frame.data_bytes, SYNC_FRAME_BYTES_MAX);
      cr_assert_eq(sync_frame_encode(rebuilt, frame.data, frame.data_bytes), COOP_OK);
    }
    offset += chunk;
  }
  cr_assert(sync_frame_reader_is_idle(&reader));
  cr_assert_eq(reader.frames, frames);
  sync_frame_reader_release(&reader);
  return frames;
}

TestSuite(wire_frame_reader, .init = setup, .fini = teardown);

Test(wire_frame_reader, byte_by_byte_random_chunks_and_all_at_once)
{
  coop_buf stream, rebuilt;
  coop_buf_init(&stream, STREAM_BYTES_MAX);
  coop_buf_init(&rebuilt, STREAM_BYTES_MAX);
  uint8_t *data = malloc(SYNC_FRAME_BYTES_MAX);
  cr_assert_not_null(data);
  size_t sizes[] = {1, 2, 3, 255, 256, 257, SYNC_FRAME_BYTES_MAX, 1, 1000, SYNC_FRAME_BYTES_MAX,
                    SYNC_FRAME_BYTES_MAX - 1, 32, 96, 64};
  size_t count = sizeof sizes / sizeof sizes[0];
  for (size_t i = 0; i < count; i++) {
    rng_bytes(data, sizes[i]);
    cr_assert_eq(sync_frame_encode(&stream, data, sizes[i]), COOP_OK);
  }
  cr_assert_eq(reassemble_frames(stream.data, stream.len, CHUNK_BYTE, 1, &rebuilt), count);
  cr_assert_eq(rebuilt.len, stream.len);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  for (int round = 0; round < 20; round++) {
    cr_assert_eq(reassemble_frames(stream.data, stream.len, CHUNK_RANDOM, 1 + rng_below(70000),
                                   &rebuilt),
                 count);
    cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  }
  cr_assert_eq(reassemble_frames(stream.data, stream.len, CHUNK_WHOLE, 0, &rebuilt), count);
  cr_assert_eq(memcmp(rebuilt.data, stream.data, stream.len), 0);
  free(data);
  coop_buf_release(&stream);
  coop_buf_release(&rebuilt);
}

Test(wire_frame_reader, maximal_frame_accepted)
{
  coop_buf stream;
  coop_buf_init(&stream, STREAM_BYTES_MAX);
  uint8_t *data = malloc(SYNC_FRAME_BYTES_MAX);
  cr_assert_not_null(data);
  rng_bytes(data, SYNC_FRAME_BYTES_MAX);
  cr_assert_eq(sync_frame_encode(&stream, data, SYNC_FRAME_BYTES_MAX), COOP_OK);
  cr_assert_eq(stream.data[0], 0xff);
  cr_assert_eq(stream.data[1], 0xff);
  sync_frame_reader reader;
  sync_frame_reader_init(&reader);
  size_t used;
  bool complete;
  sync_frame frame;
  cr_assert_eq(sync_frame_reader_push(&reader, stream.data, stream.len, &used, &complete, &frame),
               COOP_OK);
  cr_assert(complete);
  cr_assert_eq(used, SYNC_FRAME_BYTES_MAX + 2);
  cr_assert_eq(frame.data_bytes, SYNC_FRAME_BYTES_MAX);
  cr_assert_eq(memcmp(frame.data, data, SYNC_FRAME_BYTES_MAX), 0);
  cr_assert_leq(reader.frame.capacity, SYNC_FRAME_BYTES_MAX);
  sync_frame_reader_release(&reader);
  free(data);
  coop_buf_release(&stream);
}

Test(wire_frame_reader, zero_length_refused)
{
  uint8_t bytes[] = {3, 0, 'a', 'b', 'c', 0, 0, 1, 0, 'x'};
  sync_frame_reader reader;
  sync_frame_reader_init(&reader);
  size_t used;
  bool complete;
  sync_frame frame;
  cr_assert_eq(sync_frame_reader_push(&reader, bytes, sizeof bytes, &used, &complete, &frame),
               COOP_OK);
  cr_assert(complete);
  cr_assert_eq(used, 5);
  size_t capacity = reader.frame.capacity;
  cr_assert_eq(sync_frame_reader_push(&reader, bytes + 5, sizeof bytes - 5, &used, &complete,
                                      &frame),
               COOP_E_DECODE);
  cr_assert_eq(used, 2);
  cr_assert(!complete);
  cr_assert_eq(reader.frame.capacity, capacity, "nothing more was allocated");
  cr_assert(strstr(reader.problem, "stream byte 5"), "%s", reader.problem);
  cr_assert_eq(sync_frame_reader_push(&reader, bytes + 7, 3, &used, &complete, &frame),
               COOP_E_DECODE, "sticky");
  cr_assert_eq(used, 0);
  cr_assert(!sync_frame_reader_is_idle(&reader));
  sync_frame_reader_release(&reader);
  /* Byte by byte too. */
  sync_frame_reader_init(&reader);
  cr_assert_eq(sync_frame_reader_push(&reader, bytes + 5, 1, &used, &complete, &frame), COOP_OK);
  cr_assert(!sync_frame_reader_is_idle(&reader));
  cr_assert_eq(sync_frame_reader_push(&reader, bytes + 6, 1, &used, &complete, &frame),
               COOP_E_DECODE);
  sync_frame_reader_release(&reader);
}

Test(wire_frame_reader, frame_encode_limits)
{
  coop_buf buf;
  coop_buf_init(&buf, STREAM_BYTES_MAX);
  uint8_t byte = 1;
  cr_assert_eq(sync_frame_encode(&buf, &byte, 0), COOP_E_BAD_INPUT);
  cr_assert_eq(sync_frame_encode(&buf, NULL, SYNC_FRAME_BYTES_MAX + 1), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);
  coop_buf_init(&buf, 2);
  cr_assert_eq(sync_frame_encode(&buf, &byte, 1), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);
}

Test(wire_frame_reader, allocation_failure_is_reported_and_clean)
{
  uint8_t bytes[] = {3, 0, 'a', 'b', 'c'};
  sync_frame_reader reader;
  sync_frame_reader_init(&reader);
  coop_alloc_fail_after(0);
  size_t used;
  bool complete;
  sync_frame frame;
  cr_assert_eq(sync_frame_reader_push(&reader, bytes, sizeof bytes, &used, &complete, &frame),
               COOP_E_NOMEM);
  coop_alloc_fail_after(-1);
  cr_assert_eq(used, 2);
  cr_assert(!complete);
  sync_frame_reader_release(&reader);
}

/* ---- The whole pipeline: handshake, sealed frames, reassembly, ingest -------------- */

typedef struct peer {
  ledger_identity identity;
  sync_noise_keypair noise_key;
  sync_noise_handshake handshake;
  sync_noise_cipher send;
  sync_noise_cipher receive;
} peer;

static void peer_init(peer *party, uint8_t seed_byte, sync_noise_role role,
                      const uint8_t network_id[SYNC_NETWORK_ID_BYTES])
{
  memset(party, 0, sizeof *party);
  identity_of(seed_byte, &party->identity);
  cr_assert_eq(sync_noise_keypair_from_ed25519(&party->noise_key, party->identity.public_key,
                                               party->identity.secret_key),
               COOP_OK);
  uint8_t prologue[SYNC_PROLOGUE_BYTES];
  sync_prologue(network_id, prologue);
  sync_noise_config config = {.pattern = SYNC_NOISE_PATTERN_XX,
                              .role = role,
                              .prologue = prologue,
                              .prologue_bytes = sizeof prologue,
                              .local_static = &party->noise_key};
  cr_assert_eq(sync_noise_handshake_init(&party->handshake, &config), COOP_OK);
}

static void peer_release(peer *party)
{
  sync_noise_handshake_release(&party->handshake);
  sync_noise_cipher_release(&party->send);
  sync_noise_cipher_release(&party->receive);
  sync_noise_keypair_release(&party->noise_key);
  ledger_identity_release(&party->identity);
}

/* One handshake message from `writer` to `reader`, framed on the way.
 * Returns the frame's length, or 0 when the reader refused the message. */
static size_t handshake_step(peer *writer, peer *reader)
{
  uint8_t message[SYNC_NOISE_MESSAGE_BYTES_MAX];
  size_t message_bytes = 0;
  static const uint8_t no_payload[1];
  cr_assert_eq(sync_noise_write_message(&writer->handshake, no_payload, 0, message, sizeof message,
                                        &message_bytes),
               COOP_OK);
  coop_buf wire;
  coop_buf_init(&wire, 1024);
  cr_assert_eq(sync_frame_encode(&wire, message, message_bytes), COOP_OK);
  sync_frame_reader frames;
  sync_frame_reader_init(&frames);
  size_t used;
  bool complete;
  sync_frame frame;
  cr_assert_eq(sync_frame_reader_push(&frames, wire.data, wire.len, &used, &complete, &frame),
               COOP_OK);
  cr_assert(complete);
  uint8_t payload[SYNC_NOISE_MESSAGE_BYTES_MAX];
  size_t payload_bytes = 0;
  coop_err err = sync_noise_read_message(&reader->handshake, frame.data, frame.data_bytes, payload,
                                         sizeof payload, &payload_bytes);
  size_t result = err ? 0 : frame.data_bytes;
  cr_assert_eq(payload_bytes, 0);
  sync_frame_reader_release(&frames);
  coop_buf_release(&wire);
  return result;
}

TestSuite(wire_pipeline, .init = setup, .fini = teardown);

Test(wire_pipeline, handshake_sizes_and_network_binding)
{
  uint8_t network[SYNC_NETWORK_ID_BYTES], other_network[SYNC_NETWORK_ID_BYTES];
  memset(network, 0x01, sizeof network);
  memset(other_network, 0x02, sizeof other_network);
  peer initiator, responder;
  peer_init(&initiator, 0x21, SYNC_NOISE_INITIATOR, network);
  peer_init(&responder, 0x22, SYNC_NOISE_RESPONDER, network);
  cr_assert_eq(handshake_step(&initiator, &responder), SYNC_HANDSHAKE_MESSAGE_1_BYTES);
  cr_assert_eq(handshake_step(&responder, &initiator), SYNC_HANDSHAKE_MESSAGE_2_BYTES);
  cr_assert_eq(handshake_step(&initiator, &responder), SYNC_HANDSHAKE_MESSAGE_3_BYTES);
  cr_assert(sync_noise_handshake_is_complete(&initiator.handshake));
  cr_assert(sync_noise_handshake_is_complete(&responder.handshake));
  peer_release(&initiator);
  peer_release(&responder);

  /* Another network: the initiator cannot read the responder's reply. */
  peer_init(&initiator, 0x21, SYNC_NOISE_INITIATOR, network);
  peer_init(&responder, 0x22, SYNC_NOISE_RESPONDER, other_network);
  cr_assert_eq(handshake_step(&initiator, &responder), SYNC_HANDSHAKE_MESSAGE_1_BYTES);
  cr_assert_eq(handshake_step(&responder, &initiator), 0);
  peer_release(&initiator);
  peer_release(&responder);
}

Test(wire_pipeline, messages_through_noise_frames_into_a_store)
{
  uint8_t network[SYNC_NETWORK_ID_BYTES];
  memset(network, 0x01, sizeof network);
  peer alice, bob;
  peer_init(&alice, 0x21, SYNC_NOISE_INITIATOR, network);
  peer_init(&bob, 0x22, SYNC_NOISE_RESPONDER, network);
  cr_assert_neq(handshake_step(&alice, &bob), 0);
  cr_assert_neq(handshake_step(&bob, &alice), 0);
  cr_assert_neq(handshake_step(&alice, &bob), 0);
  cr_assert_eq(sync_noise_split(&alice.handshake, &alice.send, &alice.receive), COOP_OK);
  cr_assert_eq(sync_noise_split(&bob.handshake, &bob.send, &bob.receive), COOP_OK);

  /* Alice's side: HELLO, HEADS, and the log in two ENTRIES messages, one of
   * them larger than a transport message. */
  test_log log;
  size_t payload_bytes[6] = {20, 30, COOP_PAYLOAD_BYTES_MAX, 40000, 50, 60};
  log_build(&log, 0x31, 6, payload_bytes);
  ledger_checkpoint at2, at6;
  log_checkpoint(&log, 2, &at2);
  log_checkpoint(&log, 6, &at6);
  coop_buf plaintext;
  coop_buf_init(&plaintext, STREAM_BYTES_MAX);
  cr_assert_eq(sync_encode_hello(&plaintext, LEDGER_ROLE_COOP, "De Kring"), COOP_OK);
  cr_assert_eq(sync_encode_heads(&plaintext, &at6, 1), COOP_OK);
  cr_assert_eq(sync_encode_entries(&plaintext, log.author.public_key, 0, log.entries, 2, &at2),
               COOP_OK);
  cr_assert_eq(sync_encode_entries(&plaintext, log.author.public_key, 2, log.entries + 2, 4, &at6),
               COOP_OK);
  cr_assert_eq(sync_encode_bye(&plaintext, SYNC_BYE_SHUTDOWN, "done"), COOP_OK);
  coop_buf wire;
  coop_buf_init(&wire, STREAM_BYTES_MAX);
  /* Sealed in two pieces at an arbitrary point, as a sender flushing twice. */
  size_t cut = plaintext.len / 3;
  cr_assert_eq(sync_transport_seal(&alice.send, plaintext.data, cut, &wire), COOP_OK);
  cr_assert_eq(sync_transport_seal(&alice.send, plaintext.data + cut, plaintext.len - cut, &wire),
               COOP_OK);
  cr_assert_gt(wire.len, plaintext.len);

  /* Bob's side: TCP chunks of random sizes -> frames -> decrypt -> messages
   * -> decode -> ingest. */
  char dir[] = "/tmp/coop-wire-XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/bob.db", dir);
  ledger_store *store = NULL;
  cr_assert_eq(ledger_store_open(path, LEDGER_STORE_CREATE, &store), COOP_OK);
  sync_frame_reader frames;
  sync_message_reader messages;
  sync_frame_reader_init(&frames);
  sync_message_reader_init(&messages);
  static uint8_t decrypted[SYNC_NOISE_PLAINTEXT_BYTES_MAX];
  static ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];
  unsigned seen[9] = {0};
  size_t frame_count = 0;
  for (size_t offset = 0; offset < wire.len;) {
    size_t chunk = next_chunk(CHUNK_RANDOM, wire.len - offset, 9000);
    for (size_t chunk_offset = 0; chunk_offset < chunk;) {
      size_t used;
      bool complete;
      sync_frame frame;
      cr_assert_eq(sync_frame_reader_push(&frames, wire.data + offset + chunk_offset,
                                          chunk - chunk_offset, &used, &complete, &frame),
                   COOP_OK);
      chunk_offset += used;
      if (!complete)
        continue;
      frame_count++;
      size_t plain_bytes = 0;
      cr_assert_eq(sync_noise_decrypt(&bob.receive, frame.data, frame.data_bytes, decrypted,
                                      sizeof decrypted, &plain_bytes),
                   COOP_OK);
      for (size_t plain_offset = 0; plain_offset < plain_bytes;) {
        sync_raw_message raw;
        cr_assert_eq(sync_message_reader_push(&messages, decrypted + plain_offset,
                                              plain_bytes - plain_offset, &used, &complete, &raw),
                     COOP_OK, "%s", messages.problem);
        plain_offset += used;
        if (!complete)
          continue;
        sync_message message;
        char problem[SYNC_PROBLEM_BYTES];
        cr_assert_eq(sync_message_decode(raw.type, raw.body, raw.body_bytes, entries,
                                         SYNC_BATCH_ENTRIES_MAX, &message, problem),
                     COOP_OK, "%s", problem);
        seen[message.type]++;
        if (message.type == SYNC_MESSAGE_HELLO)
          cr_assert_str_eq(message.as.hello.name, "De Kring");
        if (message.type != SYNC_MESSAGE_ENTRIES)
          continue;
        const sync_entries *batch = &message.as.entries;
        uint64_t added = 0;
        char store_problem[256] = "";
        coop_err err = ledger_store_ingest(store, &batch->checkpoint, batch->first_index,
                                           batch->entries, batch->count, T0 + 100, &added, NULL,
                                           store_problem);
        cr_assert_eq(err, COOP_OK, "%s: %s", coop_err_name(err), store_problem);
        cr_assert_eq(added, batch->count);
      }
    }
    offset += chunk;
  }
  cr_assert(sync_frame_reader_is_idle(&frames));
  cr_assert(sync_message_reader_is_idle(&messages));
  /* 106 KB of plaintext sealed as 35 KB and 71 KB: 1 + 2 transport messages. */
  cr_assert_eq(frame_count, 3, "the big message took several transport messages");
  cr_assert_eq(seen[SYNC_MESSAGE_HELLO], 1);
  cr_assert_eq(seen[SYNC_MESSAGE_HEADS], 1);
  cr_assert_eq(seen[SYNC_MESSAGE_ENTRIES], 2);
  cr_assert_eq(seen[SYNC_MESSAGE_BYE], 1);
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(store, log.author.public_key, &size), COOP_OK);
  cr_assert_eq(size, 6);

  ledger_store_close(store);
  char file[96];
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
    unlink(file);
  }
  cr_assert_eq(rmdir(dir), 0);
  sync_frame_reader_release(&frames);
  sync_message_reader_release(&messages);
  coop_buf_release(&plaintext);
  coop_buf_release(&wire);
  log_release(&log);
  peer_release(&alice);
  peer_release(&bob);
}

Test(wire_pipeline, seal_leaves_output_unchanged_when_it_does_not_fit)
{
  uint8_t network[SYNC_NETWORK_ID_BYTES] = {0};
  peer alice, bob;
  peer_init(&alice, 0x21, SYNC_NOISE_INITIATOR, network);
  peer_init(&bob, 0x22, SYNC_NOISE_RESPONDER, network);
  cr_assert_neq(handshake_step(&alice, &bob), 0);
  cr_assert_neq(handshake_step(&bob, &alice), 0);
  cr_assert_neq(handshake_step(&alice, &bob), 0);
  cr_assert_eq(sync_noise_split(&alice.handshake, &alice.send, &alice.receive), COOP_OK);
  cr_assert_eq(sync_noise_split(&bob.handshake, &bob.send, &bob.receive), COOP_OK);
  static uint8_t plaintext[SYNC_NOISE_PLAINTEXT_BYTES_MAX + 1];
  coop_buf wire;
  coop_buf_init(&wire, sizeof plaintext + 2 * 18 - 1);
  cr_assert_eq(sync_transport_seal(&alice.send, plaintext, sizeof plaintext, &wire), COOP_E_LIMIT);
  cr_assert_eq(wire.len, 0);
  coop_buf_release(&wire);
  /* The cipher did not move: the next message still decrypts in order. */
  coop_buf_init(&wire, 1024);
  cr_assert_eq(sync_transport_seal(&alice.send, (const uint8_t *)"hello", 5, &wire), COOP_OK);
  cr_assert_eq(sync_transport_seal(&alice.send, NULL, 0, &wire), COOP_OK);
  cr_assert_eq(wire.len, 2 + 5 + 16);
  uint8_t out[64];
  size_t out_bytes = 0;
  cr_assert_eq(sync_noise_decrypt(&bob.receive, wire.data + 2, wire.len - 2, out, sizeof out,
                                  &out_bytes),
               COOP_OK);
  cr_assert_eq(out_bytes, 5);
  coop_buf_release(&wire);
  peer_release(&alice);
  peer_release(&bob);
}
