/* Log benchmarks: bulk append, durable single appends and full verification,
 * each reported beside the physical limit it stands on, measured in the same
 * run on the same disk:
 *   bulk append    vs. raw SQLite bulk insert of rows of the same shape
 *   durable append vs. raw SQLite single-row durable commits
 *   verify         vs. SHA-256 Merkle node hashing
 *
 * usage: bench_log [--entries N] [--durable N] [--dir DIR]
 * Not a test: it asserts nothing and is never run by `meson test`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/books/schema.h"
#include "ledger/log/identity.h"
#include "ledger/log/merkle.h"
#include "ledger/log/seal.h"
#include "ledger/store/store.h"
#include "ledger/base/alloc.h"

#define PAYLOAD_BYTES 256
#define BATCH_ENTRIES 1000

static double now_seconds(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_log: %s\n", what);
  exit(1);
}

static void remove_database(const char *path)
{
  char name[4200];
  unlink(path);
  snprintf(name, sizeof name, "%s-wal", path);
  unlink(name);
  snprintf(name, sizeof name, "%s-shm", path);
  unlink(name);
}

/* Raw SQLite with the store's settings and a row of the store's shape:
 * header 72, sealed payload 296, two hashes, ~one tree node per row. */
static double raw_sqlite_rows_per_second(const char *path, long rows, long rows_per_commit)
{
  remove_database(path);
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK)
    die("cannot open raw database");
  sqlite3_exec(db,
               "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE t (k INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c BLOB, d BLOB,"
               " e BLOB, f BLOB, g BLOB);",
               NULL, NULL, NULL);
  sqlite3_stmt *insert;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (281474976710656 + ?1, 1, ?1, ?2, ?3, ?4, ?5, ?6)",
                     -1, &insert, NULL);
  uint8_t blob[PAYLOAD_BYTES + 40];
  randombytes_buf(blob, sizeof blob);
  double start = now_seconds();
  for (long row = 0; row < rows; row++) {
    if (row % rows_per_commit == 0)
      sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_bind_int64(insert, 1, row);
    sqlite3_bind_blob(insert, 2, blob, 72, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 3, blob, sizeof blob, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 4, blob, 32, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 5, blob + 32, 32, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 6, blob + 64, (row & 1) ? 32 : 0, SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE)
      die(sqlite3_errmsg(db));
    sqlite3_reset(insert);
    if ((row + 1) % rows_per_commit == 0 || row + 1 == rows)
      sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  }
  double seconds = now_seconds() - start;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  remove_database(path);
  return (double)rows / seconds;
}

static double node_hashes_per_second(long count)
{
  ledger_hash left, right;
  randombytes_buf(left, sizeof left);
  randombytes_buf(right, sizeof right);
  double start = now_seconds();
  for (long i = 0; i < count; i++)
    ledger_merkle_node_hash(left, right, (i & 1) ? left : right);
  return (double)count / (now_seconds() - start);
}

typedef struct appender {
  ledger_store *store;
  ledger_identity author;
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t audience_key[LEDGER_AUDIENCE_KEY_BYTES];
  uint8_t payload[PAYLOAD_BYTES];
} appender;

static double append_per_second(appender *context, long entries, long batch)
{
  ledger_append_item *items = calloc((size_t)batch, sizeof *items);
  for (long i = 0; i < batch; i++)
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_TRANSACTION,
                                    .audience_id = context->audience_id,
                                    .audience_key = context->audience_key,
                                    .payload = context->payload,
                                    .payload_bytes = PAYLOAD_BYTES};
  double start = now_seconds();
  for (long done = 0; done < entries; done += batch) {
    size_t count = (size_t)(entries - done < batch ? entries - done : batch);
    if (ledger_store_append(context->store, &context->author, items, count,
                            (uint64_t)time(NULL) * 1000u, NULL))
      die("append failed");
  }
  double seconds = now_seconds() - start;
  free(items);
  return (double)entries / seconds;
}

static void open_appender(const char *path, appender *context)
{
  remove_database(path);
  if (ledger_store_open(path, LEDGER_STORE_CREATE, &context->store) ||
      ledger_identity_generate(&context->author))
    die("cannot create store");
  /* Entry 0 of every log is its author's identity (verify checks). */
  ledger_identity_payload identity = {.role = LEDGER_ROLE_COOP, .name = "bench"};
  uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t identity_bytes = 0;
  ledger_append_item identity_item = {.kind = LEDGER_KIND_IDENTITY, .payload = identity_payload};
  if (ledger_identity_payload_encode(&identity, identity_payload, &identity_bytes))
    die("cannot encode the identity");
  identity_item.payload_bytes = identity_bytes;
  if (ledger_store_append(context->store, &context->author, &identity_item, 1, 0, NULL))
    die("cannot append the identity");
  const uint8_t (*readers)[32] = (const uint8_t (*)[32])context->author.public_key;
  if (ledger_store_audience_create(context->store, &context->author, readers, 1, 0,
                                   context->audience_id) ||
      ledger_store_audience_key(context->store, &context->author, context->author.public_key,
                                context->audience_id,
                                context->audience_key))
    die("cannot create audience");
  randombytes_buf(context->payload, sizeof context->payload);
}

static long peak_rss_kib(void)
{
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int main(int argc, char **argv)
{
  coop_heap_use_huge_pages(argv); /* as the coop command does */
  long entries = 1000000, durable = 2000;
  const char *dir = "/tmp";
  static const struct option options[] = {{"entries", required_argument, NULL, 'n'},
                                          {"durable", required_argument, NULL, 's'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {NULL, 0, NULL, 0}};
  int option;
  while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
    if (option == 'n') entries = atol(optarg);
    else if (option == 's') durable = atol(optarg);
    else if (option == 'd') dir = optarg;
    else die("usage: bench_log [--entries N] [--durable N] [--dir DIR]");
  }
  if (sodium_init() < 0 || entries <= 0 || durable <= 0)
    die("bad arguments or libsodium");
  char raw_path[4096], store_path[4096];
  snprintf(raw_path, sizeof raw_path, "%s/bench-raw.db", dir);
  snprintf(store_path, sizeof store_path, "%s/bench-log.db", dir);

  double bulk_limit = raw_sqlite_rows_per_second(raw_path, entries, BATCH_ENTRIES);
  double durable_limit = raw_sqlite_rows_per_second(raw_path, durable, 1);
  double hash_limit = node_hashes_per_second(4000000);

  appender context;
  open_appender(store_path, &context);
  double bulk = append_per_second(&context, entries, BATCH_ENTRIES);
  double single = append_per_second(&context, durable, 1);
  ledger_verify_report report;
  double start = now_seconds();
  if (ledger_store_verify(context.store, context.author.public_key, &report))
    die(report.what);
  double verify = (double)report.entries_checked / (now_seconds() - start);

  printf("| measurement | entries/s | limit (same run) | ratio to limit | target |\n");
  printf("|---|---:|---:|---:|---|\n");
  printf("| bulk append, %ld sealed %d-byte entries, batches of %d | %.0f | %.0f rows/s raw "
         "SQLite bulk insert | %.2f | >= 150000 |\n",
         entries, PAYLOAD_BYTES, BATCH_ENTRIES, bulk, bulk_limit, bulk / bulk_limit);
  printf("| durable single append (fsync each), %ld entries | %.0f | %.0f commits/s raw SQLite "
         "| %.2f | >= 3000 |\n",
         durable, single, durable_limit, single / durable_limit);
  printf("| full verify, %llu entries, %llu checkpoints | %.0f | %.0f SHA-256 node hashes/s "
         "| %.3f | >= 300000 |\n",
         (unsigned long long)report.entries_checked,
         (unsigned long long)report.checkpoints_checked, verify, hash_limit,
         verify / hash_limit);
  printf("\npeak RSS: %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
  ledger_store_close(context.store);
  ledger_identity_release(&context.author);
  remove_database(store_path);
  return 0;
}
