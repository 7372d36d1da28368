/* The audiences of a batch enrolment, made ahead (node/audiences.h). */
#include "node/audiences.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/store/store.h"

/* Beyond four the enrolling thread (checks, indexes, appends) is the
 * limit, not the grants. */
#define AUDIENCE_WORKERS_MAX 4u
/* Below this a batch is done before threads would have started. */
#define AUDIENCE_WORKERS_FROM 64u

enum { UNCLAIMED, CLAIMED, MADE };

typedef struct made_audience {
  atomic_int state;
  coop_err err;
  size_t grant_count;
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t grants[3][LEDGER_KEY_GRANT_BYTES];
} made_audience;

struct node_audiences {
  const node_member_enrolment *enrolments;
  size_t count;
  uint8_t coop_key[LEDGER_PUBLIC_KEY_BYTES];
  made_audience *made;                      /* coop_calloc: public */
  uint8_t (*keys)[LEDGER_AUDIENCE_KEY_BYTES]; /* sodium_allocarray: the batch's keys */
  atomic_size_t next;                       /* the next index a worker claims */
  atomic_bool stop;
  pthread_mutex_t lock; /* with `made_one`: a taker waits for a worker */
  pthread_cond_t made_one;
  pthread_t workers[AUDIENCE_WORKERS_MAX];
  size_t worker_count;
};

size_t node_audiences_workers(size_t count)
{
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (count < AUDIENCE_WORKERS_FROM || cpus < 1)
    return 0;
  return (size_t)cpus < AUDIENCE_WORKERS_MAX ? (size_t)cpus : AUDIENCE_WORKERS_MAX;
}

/* Draws enrolment `index`'s audience and grants it: the same readers in the
 * same order as an enrolment one at a time (node/books.c). */
static void make(node_audiences *self, size_t index)
{
  made_audience *made = &self->made[index];
  const node_member_request *request = &self->enrolments[index].request;
  uint8_t readers[3][LEDGER_PUBLIC_KEY_BYTES];
  size_t count = 0;
  memcpy(readers[count++], self->coop_key, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(readers[count++], request->municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (request->has_member_key)
    memcpy(readers[count++], request->member_key, LEDGER_PUBLIC_KEY_BYTES);
  ledger_audience_new(made->audience_id, self->keys[index]);
  made->err = ledger_store_audience_grants_make(made->audience_id, self->keys[index],
                                                (const uint8_t(*)[32])readers, count, made->grants);
  made->grant_count = count;
  pthread_mutex_lock(&self->lock);
  atomic_store(&made->state, MADE); /* the fields above are written before it */
  pthread_cond_broadcast(&self->made_one);
  pthread_mutex_unlock(&self->lock);
}

/* Makes `index` unless someone already has or is making it. */
static bool claim_and_make(node_audiences *self, size_t index)
{
  int unclaimed = UNCLAIMED;
  if (!atomic_compare_exchange_strong(&self->made[index].state, &unclaimed, CLAIMED))
    return false;
  make(self, index);
  return true;
}

static void *work(void *context)
{
  node_audiences *self = context;
  while (!atomic_load(&self->stop)) {
    size_t index = atomic_fetch_add(&self->next, 1);
    if (index >= self->count)
      break;
    (void)claim_and_make(self, index);
  }
  return NULL;
}

coop_err node_audiences_start(const uint8_t coop_key[LEDGER_PUBLIC_KEY_BYTES],
                              const node_member_enrolment *enrolments, size_t count,
                              size_t workers, node_audiences **audiences)
{
  *audiences = NULL;
  node_audiences *self = coop_calloc(1, sizeof *self);
  if (!self)
    return COOP_E_NOMEM;
  self->enrolments = enrolments;
  self->count = count;
  memcpy(self->coop_key, coop_key, LEDGER_PUBLIC_KEY_BYTES);
  self->made = coop_calloc(count ? count : 1, sizeof *self->made);
  self->keys = sodium_allocarray(count ? count : 1, LEDGER_AUDIENCE_KEY_BYTES);
  if (!self->made || !self->keys) {
    coop_free(self->made);
    if (self->keys)
      sodium_free(self->keys);
    coop_free(self);
    return COOP_E_NOMEM;
  }
  for (size_t i = 0; i < count; i++)
    atomic_init(&self->made[i].state, UNCLAIMED);
  atomic_init(&self->next, 0);
  atomic_init(&self->stop, false);
  pthread_mutex_init(&self->lock, NULL);
  pthread_cond_init(&self->made_one, NULL);
  /* A thread that cannot start leaves its share to the others, and in the
   * end to the taker: nothing depends on how many run. */
  for (size_t i = 0; i < workers && i < AUDIENCE_WORKERS_MAX; i++)
    if (pthread_create(&self->workers[self->worker_count], NULL, work, self) == 0)
      self->worker_count++;
  *audiences = self;
  return COOP_OK;
}

coop_err node_audiences_take(node_audiences *self, size_t index, node_audience *audience)
{
  made_audience *made = &self->made[index];
  if (!claim_and_make(self, index) && atomic_load(&made->state) != MADE) {
    pthread_mutex_lock(&self->lock);
    while (atomic_load(&made->state) != MADE)
      pthread_cond_wait(&self->made_one, &self->lock);
    pthread_mutex_unlock(&self->lock);
  }
  *audience = (node_audience){.audience_id = made->audience_id,
                              .key = self->keys[index],
                              .grants = (const uint8_t(*)[LEDGER_KEY_GRANT_BYTES])made->grants,
                              .grant_count = made->grant_count};
  return made->err;
}

void node_audiences_free(node_audiences *self)
{
  if (!self)
    return;
  atomic_store(&self->stop, true);
  for (size_t i = 0; i < self->worker_count; i++)
    pthread_join(self->workers[i], NULL);
  pthread_cond_destroy(&self->made_one);
  pthread_mutex_destroy(&self->lock);
  sodium_free(self->keys); /* wipes */
  coop_free(self->made);
  coop_free(self);
}
