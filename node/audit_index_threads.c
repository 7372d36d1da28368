/* The audit tables' full re-audit on two threads (node/audit_index.h,
 * audit_index_threads, audit_index_connection): when the tables hold no
 * log, every log is folded on the calling thread while a writer thread
 * with its own connection writes and commits the previous log's rows.
 * Apart from audit_index.c because it alone holds threads, locks and a
 * second connection; the rows it writes are audit_index.c's
 * (index_write_log), the same as the serial loop's (docs/performance.md,
 * "The full re-audit, fifth pass"). */
#include "node/audit_index.h"
#include "node/audit_index_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/base/alloc.h"
#include "ledger/books/schema.h"

/* A full re-audit (new tables, a rebuild, tables started over after an
 * erasure) reads every log from 0.  The fold (reading and opening every
 * entry: the ring and the node's connection, as always) stays on the
 * calling thread; writing each log's rows and its commit go to a writer
 * thread with its own connection to the database, so the two overlap on
 * two cores.  The rows, the logs' order (their log numbers) and the one
 * transaction per log are those of the serial loop. */
typedef struct index_task {
  log_view view;
  audit_index_texts texts;
  uint64_t size;
  size_t bytes;
  bool kept; /* also in `kept` (the judge's): the writer must not free it */
} index_task;

typedef struct index_pipeline {
  ledger_store *store; /* the writer's own connection */
  index_task *tasks;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  size_t ready;           /* tasks [0, ready) are folded, the writer may take them */
  size_t written;         /* tasks [0, written) are committed */
  size_t bytes_in_flight; /* of the tasks folded, not kept and not written yet */
  bool done;              /* no more tasks: the writer ends after `ready` */
  bool stop;              /* the folding side failed: the writer ends now */
  coop_err err;           /* the writer's failure */
} index_pipeline;

/* What the folding side may hold of logs not kept before it waits for
 * the writer: it folds faster than rows are written on a busy machine,
 * and a municipality past AUDIT_KEPT_BYTES_MAX must stay bounded. */
#define INDEX_IN_FLIGHT_BYTES_MAX (64u * 1024u * 1024u)

static coop_err write_fresh(ledger_store *store, index_task *task)
{
  static const member_digests none = {NULL, 0};
  coop_err err = ledger_store_begin(store);
  if (err)
    return err;
  err = index_write_log(store, &task->view, &task->texts, &none, task->size, true, false);
  if (!err)
    err = ledger_store_commit(store);
  else
    ledger_store_rollback(store);
  return err;
}

static void *index_writer(void *context)
{
  index_pipeline *pipe = context;
  for (size_t next = 0;; next++) {
    pthread_mutex_lock(&pipe->lock);
    while (pipe->ready <= next && !pipe->done && !pipe->stop)
      pthread_cond_wait(&pipe->changed, &pipe->lock);
    bool end = pipe->stop || pipe->ready <= next;
    pthread_mutex_unlock(&pipe->lock);
    if (end)
      break;
    index_task *task = &pipe->tasks[next];
    coop_err err = write_fresh(pipe->store, task);
    if (!task->kept) {
      log_view_free(&task->view);
      audit_index_texts_free(&task->texts);
    }
    pthread_mutex_lock(&pipe->lock);
    if (!err)
      pipe->written = next + 1;
    if (!task->kept)
      pipe->bytes_in_flight -= task->bytes;
    if (err) {
      pipe->err = ledger_store_failure(pipe->store, err);
      pipe->stop = true;
    }
    pthread_cond_broadcast(&pipe->changed);
    pthread_mutex_unlock(&pipe->lock);
    if (err)
      break;
  }
  return NULL;
}

/* Hands the folded task `at` to the writer and waits while too much is in
 * flight; the writer's failure, if any. */
static coop_err index_hand_over(index_pipeline *pipe, size_t at)
{
  pthread_mutex_lock(&pipe->lock);
  pipe->ready = at + 1;
  if (!pipe->tasks[at].kept)
    pipe->bytes_in_flight += pipe->tasks[at].bytes;
  pthread_cond_broadcast(&pipe->changed);
  while (!pipe->err && pipe->bytes_in_flight > INDEX_IN_FLIGHT_BYTES_MAX)
    pthread_cond_wait(&pipe->changed, &pipe->lock);
  coop_err err = pipe->err;
  pthread_mutex_unlock(&pipe->lock);
  return err;
}

/* Folds log `log_id` from 0 into task `at` (its view and statement texts)
 * and hands it over; a log read from 0 goes to `kept` when there is room,
 * as log_catch_up's. */
static coop_err index_fold(index_pipeline *pipe, size_t at, node_key_ring *ring,
                           const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t size,
                           audit_index_kept *kept)
{
  index_task *task = &pipe->tasks[at];
  memcpy(task->view.log_id, log_id, LEDGER_LOG_ID_BYTES);
  index_texts_init(&task->texts);
  task->size = size;
  bool reread = false; /* read from 0 already: nothing before it to read again */
  coop_err err = index_extend_with_texts(ring, &task->view, 0, size, &task->texts, &reread);
  if (err) {
    log_view_free(&task->view);
    audit_index_texts_free(&task->texts);
    return err;
  }
  task->bytes = index_kept_bytes(&task->view, &task->texts);
  /* The kept copy shares the task's arrays; nothing changes them until
   * the writer is joined and the judge takes them. */
  task->kept = index_kept_take(kept, &task->view, &task->texts, size);
  return index_hand_over(pipe, at);
}

/* The writer's side of the pipeline: its thread and connection.  False
 * when either cannot be had (the caller indexes serially). */
static int threads_mode = AUDIT_THREADS_AUTO;

void audit_index_threads(int mode)
{
  threads_mode = mode;
}

/* A core free for a second thread: the 1-minute load average at least
 * one below the cores online. */
static bool core_free(void)
{
  double load = 0;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores >= 2 && getloadavg(&load, 1) == 1 && load + 1.0 <= (double)cores;
}

bool audit_index_threads_on(void)
{
  return threads_mode == AUDIT_THREADS_ON || (threads_mode == AUDIT_THREADS_AUTO && core_free());
}

coop_err audit_index_connection(node *self, ledger_store **store)
{
  char *db_path = node_path(self->home, NODE_DATABASE_FILE);
  coop_err err = db_path ? ledger_store_open(db_path, LEDGER_STORE_OPEN_EXISTING, store)
                         : COOP_E_NOMEM;
  coop_free(db_path);
  if (!err)
    ledger_store_set_owner(*store, self->identity.public_key);
  return err;
}

static bool index_writer_start(node *self, index_pipeline *pipe, pthread_t *thread)
{
  if (audit_index_connection(self, &pipe->store))
    return false;
  pthread_mutex_init(&pipe->lock, NULL);
  pthread_cond_init(&pipe->changed, NULL);
  if (pthread_create(thread, NULL, index_writer, pipe) == 0)
    return true;
  pthread_cond_destroy(&pipe->changed);
  pthread_mutex_destroy(&pipe->lock);
  ledger_store_close(pipe->store);
  return false;
}

/* Indexes logs ids[0..count) (the own log skipped), none of which the
 * tables hold, with the writer thread; *started is false when it could
 * not start (nothing was done).  Called outside a transaction. */
coop_err index_all_from_zero(node *self, node_key_ring *ring,
                             uint8_t (*ids)[LEDGER_LOG_ID_BYTES], size_t count,
                             audit_index_kept *kept, uint64_t *entries, bool *started)
{
  index_pipeline pipe;
  memset(&pipe, 0, sizeof pipe);
  pthread_t thread;
  pipe.tasks = coop_calloc(count + 1, sizeof *pipe.tasks);
  *started = pipe.tasks && index_writer_start(self, &pipe, &thread);
  if (!*started) {
    coop_free(pipe.tasks);
    return COOP_OK;
  }
  coop_err err = COOP_OK;
  size_t folded = 0;
  for (size_t i = 0; i < count && !err; i++) {
    uint64_t size = 0;
    if (!memcmp(ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      continue;
    err = ledger_store_size(self->store, ids[i], &size);
    if (!err && size) /* an empty log has nothing to index (as log_catch_up) */
      err = index_fold(&pipe, folded++, ring, ids[i], size, kept);
    if (entries)
      *entries += size;
  }
  pthread_mutex_lock(&pipe.lock);
  pipe.done = true;
  pipe.stop = err != COOP_OK;
  pthread_cond_broadcast(&pipe.changed);
  pthread_mutex_unlock(&pipe.lock);
  pthread_join(thread, NULL);
  if (!err)
    err = pipe.err;
  for (size_t i = 0; i < folded; i++)
    if (!pipe.tasks[i].kept) { /* the writer freed those it wrote: freeing again is a no-op */
      log_view_free(&pipe.tasks[i].view);
      audit_index_texts_free(&pipe.tasks[i].texts);
    }
  coop_free(pipe.tasks);
  pthread_cond_destroy(&pipe.changed);
  pthread_mutex_destroy(&pipe.lock);
  ledger_store_close(pipe.store);
  return err;
}
