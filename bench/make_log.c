/* Fills a node's own log fast, for the sync benchmark (bench/bench_sync.sh):
 * appends N public note entries of S payload bytes to the log of the node at
 * DIR (DIR/coop.db, signed with DIR/identity.key), in batches of 1000 with
 * one checkpoint each, exactly as bench_log's bulk append does.
 *
 * usage: make_log --dir DIR [--entries N] [--bytes S]
 * Not a test, and not a way to write a real log: the notes are filler. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ledger/books/schema.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "node/node.h"

#define BATCH_ENTRIES 1000

static void die(const char *what)
{
  fprintf(stderr, "make_log: %s\n", what);
  exit(1);
}

static double now_seconds(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
  long entries = 1000000, bytes = 256;
  const char *dir = NULL;
  static const struct option options[] = {{"entries", required_argument, NULL, 'n'},
                                          {"bytes", required_argument, NULL, 's'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {NULL, 0, NULL, 0}};
  int option;
  while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
    if (option == 'n') entries = atol(optarg);
    else if (option == 's') bytes = atol(optarg);
    else if (option == 'd') dir = optarg;
    else die("usage: make_log --dir DIR [--entries N] [--bytes S]");
  }
  if (!dir || entries <= 0 || bytes <= 0 || bytes > (long)COOP_NOTE_BYTES_MAX)
    die("usage: make_log --dir DIR [--entries N] [--bytes S (1..4096)]");
  if (sodium_init() < 0)
    die("libsodium");

  char db_path[4096], key_path[4096];
  snprintf(db_path, sizeof db_path, "%s/%s", dir, NODE_DATABASE_FILE);
  snprintf(key_path, sizeof key_path, "%s/%s", dir, NODE_KEY_FILE);
  ledger_store *store;
  ledger_identity author;
  if (ledger_store_open(db_path, LEDGER_STORE_OPEN_EXISTING, &store))
    die("cannot open the node's database (run 'coop init' first)");
  if (ledger_identity_load(key_path, &author))
    die("cannot load the node's identity key");

  /* A note is UTF-8 text: printable ASCII filler, different per entry so no
   * two payloads hash alike. */
  uint8_t *payloads = malloc((size_t)BATCH_ENTRIES * (size_t)bytes);
  ledger_append_item *items = calloc(BATCH_ENTRIES, sizeof *items);
  if (!payloads || !items)
    die("out of memory");
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t i = 0; i < (size_t)BATCH_ENTRIES * (size_t)bytes; i++)
    payloads[i] = (uint8_t)alphabet[randombytes_uniform(sizeof alphabet - 1)];
  for (size_t i = 0; i < BATCH_ENTRIES; i++)
    items[i] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                    .payload = payloads + i * (size_t)bytes,
                                    .payload_bytes = (size_t)bytes};

  double start = now_seconds();
  for (long done = 0; done < entries; done += BATCH_ENTRIES) {
    size_t count = (size_t)(entries - done < BATCH_ENTRIES ? entries - done : BATCH_ENTRIES);
    /* The first (up to) 12 bytes of each payload: the entry number in hex. */
    for (size_t i = 0; i < count; i++) {
      unsigned long long number = (unsigned long long)(done + (long)i);
      uint8_t *text = payloads + i * (size_t)bytes;
      for (long digit = (bytes < 12 ? bytes : 12) - 1; digit >= 0; digit--, number >>= 4)
        text[digit] = (uint8_t)"0123456789abcdef"[number & 15u];
    }
    coop_err err = ledger_store_append(store, &author, items, count,
                                       (uint64_t)time(NULL) * 1000u, NULL);
    if (err) {
      fprintf(stderr, "make_log: append failed: %s (%s)\n", coop_err_message(err),
              ledger_store_error_message(store));
      return 1;
    }
  }
  double seconds = now_seconds() - start;
  uint64_t size = 0;
  if (ledger_store_size(store, author.public_key, &size))
    die("cannot read the log's size");
  printf("appended %ld notes of %ld bytes in %.2f s (%.0f entries/s); log size %llu\n", entries,
         bytes, seconds, (double)entries / seconds, (unsigned long long)size);
  free(items);
  free(payloads);
  ledger_identity_release(&author);
  ledger_store_close(store);
  return 0;
}
