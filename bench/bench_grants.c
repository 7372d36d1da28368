/* The key grants of a batch enrolment: the CPU limit of `coop import
 * --members` (two sealed boxes per member, to the coop and her
 * municipality), measured in the same run as bench/bench_enrol.sh:
 *   crypto_box_seal  ledger_store_audience_grants_make, one member's at a
 *                    time on one thread: each box draws its own ephemeral
 *                    key pair (the single `coop member add`'s way)
 *   one thread       node/audiences.c without workers: the taker makes each
 *                    block of members itself, their pairs made in bulk
 *                    (ledger/base/box_seal.h)
 *   the workers      node/audiences.c as a batch uses it (one per CPU, at
 *                    most four), the taker taking each in order
 *   primitives       CPU per call of what a grant is made of: the X25519
 *                    ladder (crypto_box_seal's ephemeral public key, and
 *                    every shared secret), the Edwards fixed-base
 *                    multiplication that replaces the first, and the
 *                    Ed25519 -> X25519 conversion that would map it
 *
 * usage: bench_grants [--members N]   (default 10000)
 * Not a test: it asserts nothing and is never run by `meson test`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ledger/log/identity.h"
#include "ledger/store/store.h"
#include "node/audiences.h"
#include "ledger/base/alloc.h"

/* Wall time, and the process's CPU time (every thread's): on a shared
 * machine the first depends on the others' load, the second much less. */
typedef struct clock_pair {
  double wall, cpu;
} clock_pair;

static clock_pair now_seconds(void)
{
  struct timespec wall, cpu;
  clock_gettime(CLOCK_MONOTONIC, &wall);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  return (clock_pair){(double)wall.tv_sec + (double)wall.tv_nsec / 1e9,
                      (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9};
}

static clock_pair since(clock_pair start)
{
  clock_pair end = now_seconds();
  return (clock_pair){end.wall - start.wall, end.cpu - start.cpu};
}

static void die(const char *what)
{
  fprintf(stderr, "bench_grants: %s\n", what);
  exit(1);
}

static clock_pair one_thread(const uint8_t (*readers)[32], long members)
{
  uint8_t *key = sodium_malloc(LEDGER_AUDIENCE_KEY_BYTES);
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], grants[2][LEDGER_KEY_GRANT_BYTES];
  if (!key)
    die("out of memory");
  clock_pair start = now_seconds();
  for (long i = 0; i < members; i++) {
    ledger_audience_new(id, key);
    if (ledger_store_audience_grants_make(id, key, readers, 2, grants))
      die("cannot make grants");
  }
  clock_pair took = since(start);
  sodium_free(key);
  return took;
}

static clock_pair workers(const node_member_enrolment *enrolments, const uint8_t *coop, long members,
                          size_t worker_count)
{
  node_audiences *audiences = NULL;
  clock_pair start = now_seconds();
  if (node_audiences_start(coop, enrolments, (size_t)members, worker_count, &audiences))
    die("out of memory");
  for (long i = 0; i < members; i++) {
    node_audience made;
    if (node_audiences_take(audiences, (size_t)i, &made))
      die("cannot make grants");
  }
  node_audiences_free(audiences); /* joins the workers: their CPU time is in */
  return since(start);
}

/* CPU microseconds per call of each primitive, `calls` calls each. */
static void primitives(const uint8_t reader[32], long calls)
{
  uint8_t scalar[32], out[32], x25519[32];
  randombytes_buf(scalar, sizeof scalar);
  if (crypto_sign_ed25519_pk_to_curve25519(x25519, reader) != 0)
    die("cannot convert the reader's key");
  double per[4];
  for (int kind = 0; kind < 4; kind++) {
    clock_pair start = now_seconds();
    int failed = 0;
    for (long i = 0; i < calls; i++) {
      scalar[0] = (uint8_t)i;
      if (kind == 0)
        failed |= crypto_scalarmult_base(out, scalar);
      else if (kind == 1)
        failed |= crypto_scalarmult(out, scalar, x25519);
      else if (kind == 2)
        failed |= crypto_scalarmult_ed25519_base(out, scalar);
      else
        failed |= crypto_sign_ed25519_pk_to_curve25519(out, reader);
    }
    if (failed)
      die("a primitive failed");
    per[kind] = 1e6 * since(start).cpu / (double)calls;
  }
  printf("primitives (cpu us a call): X25519 base %.1f, X25519 shared %.1f, Ed25519 base %.1f,"
         " Ed25519->X25519 %.1f\n", per[0], per[1], per[2], per[3]);
}

int main(int argc, char **argv)
{
  coop_heap_use_huge_pages(argv); /* as the coop command does */
  long members = 10000;
  static const struct option options[] = {{"members", required_argument, NULL, 'm'}, {0}};
  for (int option; (option = getopt_long(argc, argv, "", options, NULL)) != -1;)
    if (option == 'm' && atol(optarg) > 0)
      members = atol(optarg);
    else
      die("usage: bench_grants [--members N]");
  ledger_identity coop, municipality;
  if (sodium_init() < 0 || ledger_identity_generate(&coop) ||
      ledger_identity_generate(&municipality))
    die("cannot start");
  uint8_t readers[2][32];
  memcpy(readers[0], coop.public_key, 32);
  memcpy(readers[1], municipality.public_key, 32);
  node_member_enrolment *enrolments = calloc((size_t)members, sizeof *enrolments);
  if (!enrolments)
    die("out of memory");
  for (long i = 0; i < members; i++)
    memcpy(enrolments[i].request.municipality, municipality.public_key, 32);
  clock_pair single = one_thread((const uint8_t(*)[32])readers, members);
  clock_pair bulk = workers(enrolments, coop.public_key, members, 0);
  size_t worker_count = node_audiences_workers((size_t)members);
  clock_pair all = workers(enrolments, coop.public_key, members, worker_count);
  printf("grants, crypto_box_seal: %.0f members/s (cpu %.1f us per member's two grants)\n",
         (double)members / single.wall, 1e6 * single.cpu / (double)members);
  printf("grants, one thread: %.0f members/s (cpu %.1f us per member's two grants)\n",
         (double)members / bulk.wall, 1e6 * bulk.cpu / (double)members);
  printf("grants, %zu workers: %.0f members/s (cpu %.2f s)\n", worker_count,
         (double)members / all.wall, all.cpu);
  primitives(municipality.public_key, 2000);
  free(enrolments);
  ledger_identity_release(&coop);
  ledger_identity_release(&municipality);
  return 0;
}
