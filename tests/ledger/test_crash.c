/* The store's crash promise (ledger/store/store.h): every append that returned
 * COOP_OK survives a SIGKILL at any instant, and what is left verifies.
 *
 * A child process appends notes in a loop (single entries and small batches
 * in turn) and, after each acknowledged append, writes the acknowledged size
 * to a pipe.  The parent lets it run for a short random time, kills it with
 * SIGKILL, reopens the store, verifies it, and checks that every acknowledged
 * entry is there with the note the child wrote.  Each round continues the
 * same log, so recovery from a killed writer is exercised again and again. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/limits.h"
#include "ledger/books/schema.h"
#include "ledger/log/identity.h"
#include "ledger/store/store.h"

#define CRASH_ROUNDS 40
#define CRASH_RUN_MS_MIN 3
#define CRASH_RUN_MS_MAX 50
#define CRASH_BATCH_MAX 5
#define NOTE_TEXT_BYTES 48

/* Exit codes of a child that failed before it was killed. */
enum child_failure {
  CHILD_IDENTITY = 10,
  CHILD_OPEN = 11,
  CHILD_SIZE = 12,
  CHILD_APPEND = 13,
  CHILD_ACK_SIZE = 14,
  CHILD_PIPE = 15,
};

static char dir[64];
static char path[128];

static void identity_of(uint8_t seed_byte, ledger_identity *identity)
{
  uint8_t seed[32];
  memset(seed, seed_byte, sizeof seed);
  if (ledger_identity_from_seed(seed, identity) != COOP_OK)
    identity->secret_key = NULL;
}

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  snprintf(dir, sizeof dir, "/tmp/coop-test-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/coop.db", dir);
}

static void teardown(void)
{
  DIR *listing = opendir(dir);
  if (!listing)
    return;
  struct dirent *item;
  while ((item = readdir(listing)) != NULL) {
    if (strcmp(item->d_name, ".") == 0 || strcmp(item->d_name, "..") == 0)
      continue;
    char file[sizeof dir + sizeof item->d_name + 1];
    snprintf(file, sizeof file, "%s/%s", dir, item->d_name);
    unlink(file);
  }
  closedir(listing);
  rmdir(dir);
}

static uint64_t monotonic_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static uint64_t wall_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* The note the child writes at each index, so the parent can check it. */
static int note_text(uint64_t index, char out[NOTE_TEXT_BYTES])
{
  return snprintf(out, NOTE_TEXT_BYTES, "crash note %" PRIu64, index);
}

static int write_all(int fd, const void *bytes, size_t count)
{
  const uint8_t *cursor = bytes;
  while (count) {
    ssize_t written = write(fd, cursor, count);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return -1;
    cursor += written;
    count -= (size_t)written;
  }
  return 0;
}

/* The child: append until killed.  Never returns; exits only on failure,
 * with a code the parent reports. */
static void child_append_forever(int ack_fd)
{
  ledger_identity author;
  identity_of(0x01, &author);
  if (!author.secret_key)
    _exit(CHILD_IDENTITY);
  ledger_store *store = NULL;
  if (ledger_store_open(path, LEDGER_STORE_OPEN_EXISTING, &store) != COOP_OK)
    _exit(CHILD_OPEN);
  for (unsigned turn = 0;; turn++) {
    uint64_t size = 0;
    if (ledger_store_size(store, author.public_key, &size) != COOP_OK)
      _exit(CHILD_SIZE);
    /* Single entries and small batches, in turn. */
    size_t count = turn % 2 == 0 ? 1 : 2 + turn / 2 % (CRASH_BATCH_MAX - 1);
    char texts[CRASH_BATCH_MAX][NOTE_TEXT_BYTES];
    ledger_append_item items[CRASH_BATCH_MAX];
    for (size_t i = 0; i < count; i++) {
      int length = note_text(size + i, texts[i]);
      items[i] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                      .payload = (const uint8_t *)texts[i],
                                      .payload_bytes = (size_t)length};
    }
    ledger_checkpoint checkpoint;
    if (ledger_store_append(store, &author, items, count, wall_ms(), &checkpoint) != COOP_OK)
      _exit(CHILD_APPEND);
    if (checkpoint.size != size + count)
      _exit(CHILD_ACK_SIZE);
    uint64_t acknowledged = checkpoint.size;
    if (write_all(ack_fd, &acknowledged, sizeof acknowledged) != 0)
      _exit(CHILD_PIPE);
  }
}

/* Collects whole 8-byte acknowledgements from the pipe into *last. */
typedef struct ack_reader {
  uint8_t pending[sizeof(uint64_t)];
  size_t pending_bytes;
  uint64_t last;
  uint64_t count;
} ack_reader;

/* Reads what is available; returns 0 at end of file, 1 otherwise. */
static int ack_read(int fd, ack_reader *reader)
{
  uint8_t chunk[4096];
  ssize_t got = read(fd, chunk, sizeof chunk);
  if (got < 0 && errno == EINTR)
    return 1;
  cr_assert_geq(got, 0, "read acknowledgements: %s", strerror(errno));
  for (ssize_t i = 0; i < got; i++) {
    reader->pending[reader->pending_bytes++] = chunk[i];
    if (reader->pending_bytes < sizeof reader->pending)
      continue;
    uint64_t acknowledged;
    memcpy(&acknowledged, reader->pending, sizeof acknowledged);
    cr_assert_gt(acknowledged, reader->last, "acknowledgements go backwards");
    reader->last = acknowledged;
    reader->count++;
    reader->pending_bytes = 0;
  }
  return got > 0;
}

/* Reads acknowledgements until `run_ms` have passed. */
static void ack_read_for(int fd, ack_reader *reader, uint64_t run_ms)
{
  uint64_t deadline = monotonic_ms() + run_ms;
  for (uint64_t now = monotonic_ms(); now < deadline; now = monotonic_ms()) {
    struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
    int ready = poll(&poll_fd, 1, (int)(deadline - now));
    if (ready < 0 && errno == EINTR)
      continue;
    cr_assert_geq(ready, 0, "poll: %s", strerror(errno));
    if (ready > 0 && !ack_read(fd, reader))
      return; /* the child is gone: it failed, and waitpid will say how */
  }
}

/* Runs one child for `run_ms`, kills it, and returns the last acknowledged size
 * (including acknowledgements still in the pipe when it died). */
static ack_reader run_and_kill(uint64_t run_ms, unsigned round)
{
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  pid_t child = fork();
  cr_assert_geq(child, 0, "fork: %s", strerror(errno));
  if (child == 0) {
    close(fds[0]);
    child_append_forever(fds[1]);
    _exit(1);
  }
  close(fds[1]);
  ack_reader reader;
  memset(&reader, 0, sizeof reader);
  /* Wait for the first acknowledgement (opening the store and the first
   * fsync can take a while on a loaded machine), then let it run on. */
  ack_read(fds[0], &reader);
  ack_read_for(fds[0], &reader, run_ms);
  kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
  /* Whatever the child wrote before it died was acknowledged too. */
  while (ack_read(fds[0], &reader))
    ;
  close(fds[0]);
  cr_assert(!WIFEXITED(status), "round %u: child exited with %d before the kill", round,
            WEXITSTATUS(status));
  cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "round %u: child status %d",
            round, status);
  cr_assert_eq(reader.pending_bytes, 0, "round %u: a torn acknowledgement", round);
  return reader;
}

typedef struct note_check {
  uint64_t next_index;
} note_check;

static coop_err check_note(void *context, const ledger_stored_entry *entry)
{
  note_check *check = context;
  char text[NOTE_TEXT_BYTES];
  int length = note_text(check->next_index, text);
  cr_assert_eq(entry->header.index, check->next_index);
  cr_assert_eq(entry->header.kind, LEDGER_KIND_NOTE);
  cr_assert_not_null(entry->payload, "entry %" PRIu64 " lost its payload", check->next_index);
  cr_assert_eq(entry->payload_bytes, (size_t)length, "entry %" PRIu64, check->next_index);
  cr_assert_arr_eq(entry->payload, text, (size_t)length, "entry %" PRIu64, check->next_index);
  check->next_index++;
  return COOP_OK;
}

/* Reopens the store after a kill: it must verify, hold every acknowledged
 * entry, and hold the notes the child wrote.  Returns the size. */
static uint64_t check_after_kill(const ledger_identity *author, uint64_t acknowledged,
                                 uint64_t previous_size, unsigned round)
{
  ledger_store *store = NULL;
  coop_err err = ledger_store_open(path, LEDGER_STORE_OPEN_EXISTING, &store);
  cr_assert_eq(err, COOP_OK, "round %u: reopen: %s", round, coop_err_name(err));
  ledger_verify_report report;
  err = ledger_store_verify(store, author->public_key, &report);
  cr_assert_eq(err, COOP_OK, "round %u: verify: %s (%s)", round, coop_err_name(err), report.what);
  uint64_t size = 0;
  cr_assert_eq(ledger_store_size(store, author->public_key, &size), COOP_OK);
  cr_assert_geq(size, acknowledged, "round %u: acknowledged %" PRIu64 ", stored %" PRIu64, round,
                acknowledged, size);
  cr_assert_geq(size, previous_size, "round %u: the log shrank", round);
  cr_assert_eq(report.entries_checked, size);
  if (size > 0) {
    ledger_checkpoint latest;
    cr_assert_eq(ledger_store_checkpoint_latest(store, author->public_key, &latest), COOP_OK);
    cr_assert_eq(latest.size, size, "round %u: entries past the latest checkpoint", round);
    cr_assert_eq(ledger_checkpoint_verify(&latest), COOP_OK);
  }
  note_check check = {.next_index = previous_size};
  cr_assert_eq(ledger_store_entries(store, author->public_key, previous_size, check_note, &check),
               COOP_OK);
  cr_assert_eq(check.next_index, size);
  ledger_store_close(store);
  return size;
}

TestSuite(crash, .init = setup, .fini = teardown);

Test(crash, sigkill_during_appends_loses_nothing_acknowledged, .timeout = 120)
{
  ledger_identity author;
  identity_of(0x01, &author);
  cr_assert_not_null(author.secret_key);
  /* The parent holds no connection while a child runs: SQLite connections
   * must not cross a fork. */
  ledger_store *store = NULL;
  cr_assert_eq(ledger_store_open(path, LEDGER_STORE_CREATE, &store), COOP_OK);
  /* Entry 0 of every log is its author's identity (verify checks); the
   * child appends notes after it. */
  ledger_identity_payload identity = {.role = LEDGER_ROLE_COOP, .name = "author"};
  uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t identity_bytes = 0;
  cr_assert_eq(ledger_identity_payload_encode(&identity, identity_payload, &identity_bytes),
               COOP_OK);
  ledger_append_item item = {.kind = LEDGER_KIND_IDENTITY, .payload = identity_payload,
                             .payload_bytes = identity_bytes};
  cr_assert_eq(ledger_store_append(store, &author, &item, 1, wall_ms(), NULL), COOP_OK);
  ledger_store_close(store);

  srand(20260301);
  uint64_t size = 1, acknowledgements = 0, rounds_with_acks = 0, rounds_beyond_ack = 0;
  for (unsigned round = 0; round < CRASH_ROUNDS; round++) {
    uint64_t run_ms =
        CRASH_RUN_MS_MIN + (uint64_t)rand() % (CRASH_RUN_MS_MAX - CRASH_RUN_MS_MIN + 1);
    ack_reader reader = run_and_kill(run_ms, round);
    acknowledgements += reader.count;
    rounds_with_acks += reader.count > 0;
    if (reader.count > 0)
      cr_assert_gt(reader.last, size, "round %u: acknowledged a size already there", round);
    uint64_t before = size;
    size = check_after_kill(&author, reader.last, size, round);
    /* A commit that landed but was never acknowledged: killed in between. */
    rounds_beyond_ack += size > (reader.count ? reader.last : before);
  }
  cr_log_info("%u rounds, %" PRIu64 " acknowledged appends, %" PRIu64 " entries, %" PRIu64
              " rounds kept an unacknowledged commit",
              CRASH_ROUNDS, acknowledgements, size, rounds_beyond_ack);
  /* Otherwise the test proved nothing: the children must have got going. */
  cr_assert_gt(rounds_with_acks, CRASH_ROUNDS / 2, "only %" PRIu64 " rounds appended anything",
               rounds_with_acks);
  ledger_identity_release(&author);
}
