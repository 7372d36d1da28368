/* The audiences of a batch enrolment, made ahead (node/audiences.h). */
#include "node/audiences.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/box_seal.h"
#include "ledger/store/store.h"

/* Beyond four the enrolling thread (checks, indexes, appends) is the
 * limit, not the grants. */
#define AUDIENCE_WORKERS_MAX 4u
/* Below this a batch is done before threads would have started. */
#define AUDIENCE_WORKERS_FROM 64u
/* Members made together: their ephemeral key pairs share one field
 * inversion (coop_box_ephemerals_make) and their secrets one keystream
 * call; 16 members take ~2 ms, short enough that the taker rarely waits
 * on a block a worker has just claimed. */
#define AUDIENCE_BLOCK 16u
/* A member's readers: the coop, her municipality, her own key. */
#define AUDIENCE_READERS 3u
_Static_assert(AUDIENCE_BLOCK * AUDIENCE_READERS <= COOP_BOX_EPHEMERALS_MAX, "block's pairs");
_Static_assert(AUDIENCE_READERS <= COOP_AUDIENCE_READERS_MAX, "readers");

enum { UNCLAIMED, CLAIMED, MADE };

typedef struct made_audience {
  coop_err err;
  size_t grant_count;
  size_t first_ephemeral; /* its grants' pairs: ephemerals[first_ephemeral ...] */
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t grants[AUDIENCE_READERS][LEDGER_KEY_GRANT_BYTES];
} made_audience;

struct node_audiences {
  const node_member_enrolment *enrolments;
  size_t count;
  uint8_t coop_key[LEDGER_PUBLIC_KEY_BYTES];
  made_audience *made;                      /* coop_calloc: public */
  atomic_int *block_state;                  /* coop_calloc: per block */
  size_t block_count;
  /* sodium_allocarray each: the batch's keys, one ephemeral pair per grant
   * (wiped once its block is granted) and the seed every secret of the
   * batch is drawn from. */
  uint8_t (*keys)[LEDGER_AUDIENCE_KEY_BYTES];
  coop_box_ephemeral *ephemerals;
  uint8_t *seed;
  atomic_size_t next;                       /* the next block a worker claims */
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

/* Fills `bytes` with the keystream of the batch's seed for part `part` of
 * block `block`: ChaCha20 under the seed (one getrandom for the batch),
 * the nonce naming block and part, so no two parts share a stream
 * (randombytes_buf_deterministic, at any offset).  A system call per key
 * was ~1.6 us each, four per member. */
static void draw(const node_audiences *self, size_t block, uint8_t part, uint8_t *bytes,
                 size_t count)
{
  uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {part};
  for (size_t i = 0; i < sizeof(uint64_t); i++)
    nonce[4 + i] = (uint8_t)((uint64_t)block >> (8 * i));
  crypto_stream_chacha20_ietf(bytes, count, nonce, self->seed);
}

/* The ephemeral pairs of the members `from` to `to`: one per grant, in
 * order, so a block's are side by side. */
static coop_box_ephemeral *block_pairs(const node_audiences *self, size_t from, size_t to,
                                       size_t *pair_count)
{
  const made_audience *last = &self->made[to - 1];
  *pair_count = last->first_ephemeral + last->grant_count - self->made[from].first_ephemeral;
  return &self->ephemerals[self->made[from].first_ephemeral];
}

/* The ids, keys and ephemeral secret keys of the members `from` to `to`
 * (one block): each id nonzero (zero means public). */
static void draw_block(node_audiences *self, size_t block, size_t from, size_t to)
{
  uint8_t ids[AUDIENCE_BLOCK][LEDGER_AUDIENCE_ID_BYTES];
  draw(self, block, 0, &ids[0][0], (to - from) * LEDGER_AUDIENCE_ID_BYTES);
  for (size_t i = from; i < to; i++) {
    uint8_t *id = self->made[i].audience_id;
    memcpy(id, ids[i - from], LEDGER_AUDIENCE_ID_BYTES);
    while (sodium_is_zero(id, LEDGER_AUDIENCE_ID_BYTES))
      randombytes_buf(id, LEDGER_AUDIENCE_ID_BYTES);
  }
  draw(self, block, 1, self->keys[from], (to - from) * LEDGER_AUDIENCE_KEY_BYTES);
  size_t pair_count = 0;
  coop_box_ephemeral *pairs = block_pairs(self, from, to, &pair_count);
  draw(self, block, 2, (uint8_t *)pairs, pair_count * sizeof *pairs);
}

/* Grants enrolment `index`'s audience with its pairs: the same readers in
 * the same order as an enrolment one at a time (node/books.c). */
static void make(node_audiences *self, size_t index)
{
  made_audience *made = &self->made[index];
  const node_member_request *request = &self->enrolments[index].request;
  uint8_t readers[AUDIENCE_READERS][LEDGER_PUBLIC_KEY_BYTES];
  size_t count = 0;
  memcpy(readers[count++], self->coop_key, LEDGER_PUBLIC_KEY_BYTES);
  memcpy(readers[count++], request->municipality, LEDGER_PUBLIC_KEY_BYTES);
  if (request->has_member_key)
    memcpy(readers[count++], request->member_key, LEDGER_PUBLIC_KEY_BYTES);
  assert(count == made->grant_count);
  made->err = ledger_store_audience_grants_make_ephemeral(
      made->audience_id, self->keys[index], (const uint8_t(*)[32])readers, count,
      &self->ephemerals[made->first_ephemeral], made->grants);
}

/* Makes the audiences of block `block`, all its pairs at once. */
static void make_block(node_audiences *self, size_t block)
{
  size_t from = block * AUDIENCE_BLOCK;
  size_t to = from + AUDIENCE_BLOCK < self->count ? from + AUDIENCE_BLOCK : self->count;
  draw_block(self, block, from, to);
  size_t pair_count = 0;
  coop_box_ephemeral *pairs = block_pairs(self, from, to, &pair_count);
  coop_err err = coop_box_ephemerals_make(pairs, pair_count);
  for (size_t i = from; i < to; i++)
    if (err)
      self->made[i].err = err;
    else
      make(self, i);
  sodium_memzero(pairs, pair_count * sizeof *pairs); /* one box each: done */
  pthread_mutex_lock(&self->lock);
  atomic_store(&self->block_state[block], MADE); /* the members above are written before it */
  pthread_cond_broadcast(&self->made_one);
  pthread_mutex_unlock(&self->lock);
}

/* Makes `block` unless someone already has or is making it. */
static bool claim_and_make(node_audiences *self, size_t block)
{
  int unclaimed = UNCLAIMED;
  if (!atomic_compare_exchange_strong(&self->block_state[block], &unclaimed, CLAIMED))
    return false;
  make_block(self, block);
  return true;
}

static void *work(void *context)
{
  node_audiences *self = context;
  while (!atomic_load(&self->stop)) {
    size_t block = atomic_fetch_add(&self->next, 1);
    if (block >= self->block_count)
      break;
    (void)claim_and_make(self, block);
  }
  return NULL;
}

/* The secure and public memory of a batch of `count`, its pairs counted
 * (each member's grants in order) and its seed drawn; COOP_E_NOMEM. */
static coop_err audiences_alloc(node_audiences *self, size_t count)
{
  self->block_count = (count + AUDIENCE_BLOCK - 1) / AUDIENCE_BLOCK;
  self->made = coop_calloc(count ? count : 1, sizeof *self->made);
  self->block_state = coop_calloc(self->block_count ? self->block_count : 1,
                                  sizeof *self->block_state);
  if (!self->made || !self->block_state)
    return COOP_E_NOMEM;
  size_t pair_count = 0;
  for (size_t i = 0; i < count; i++) {
    self->made[i].first_ephemeral = pair_count;
    self->made[i].grant_count = self->enrolments[i].request.has_member_key ? 3 : 2;
    pair_count += self->made[i].grant_count;
  }
  self->keys = sodium_allocarray(count ? count : 1, LEDGER_AUDIENCE_KEY_BYTES);
  self->ephemerals = sodium_allocarray(pair_count ? pair_count : 1, sizeof *self->ephemerals);
  self->seed = sodium_malloc(crypto_stream_chacha20_ietf_KEYBYTES);
  if (!self->keys || !self->ephemerals || !self->seed)
    return COOP_E_NOMEM;
  randombytes_buf(self->seed, crypto_stream_chacha20_ietf_KEYBYTES);
  return COOP_OK;
}

/* Frees what audiences_alloc got (secure memory wiped). */
static void audiences_release(node_audiences *self)
{
  if (self->seed)
    sodium_free(self->seed);
  if (self->ephemerals)
    sodium_free(self->ephemerals);
  if (self->keys)
    sodium_free(self->keys);
  coop_free(self->block_state);
  coop_free(self->made);
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
  if (audiences_alloc(self, count) != COOP_OK) {
    audiences_release(self);
    coop_free(self);
    return COOP_E_NOMEM;
  }
  for (size_t i = 0; i < self->block_count; i++)
    atomic_init(&self->block_state[i], UNCLAIMED);
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
  atomic_int *state = &self->block_state[index / AUDIENCE_BLOCK];
  if (!claim_and_make(self, index / AUDIENCE_BLOCK) && atomic_load(state) != MADE) {
    pthread_mutex_lock(&self->lock);
    while (atomic_load(state) != MADE)
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
  audiences_release(self);
  coop_free(self);
}
