/* SHA-256 behind one interface (ledger/base/sha256.h). */
#include "ledger/base/sha256.h"

#include <pthread.h>

#include <openssl/evp.h>
#include <sodium.h>

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
/* Frees a thread's context when the thread ends (enrolment's workers, the
 * daemon's threads).  The main thread's is never freed: it lives until the
 * process exits, and freeing it from an atexit handler would race with a
 * hash still running in another thread at exit. */
static pthread_key_t context_key;
static int context_key_made;
/* One context per thread, reset by every hash: making and freeing one per
 * hash (~6 an entry) was two allocations and a free each (issue 16). */
static _Thread_local EVP_MD_CTX *thread_context;

static void free_context(void *context)
{
  EVP_MD_CTX_free(context);
}

/* Fetching the algorithm once saves its lookup on every call (OpenSSL 3). */
static void fetch_sha256(void)
{
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  context_key_made = pthread_key_create(&context_key, free_context) == 0;
}

/* This thread's context, made on its first hash; NULL if OpenSSL cannot
 * allocate one (the caller then hashes with libsodium). */
static EVP_MD_CTX *context_of_thread(void)
{
  if (thread_context || !sha256_md || !context_key_made)
    return thread_context;
  EVP_MD_CTX *context = EVP_MD_CTX_new();
  if (context && pthread_setspecific(context_key, context) != 0) {
    EVP_MD_CTX_free(context);
    context = NULL;
  }
  thread_context = context;
  return context;
}

static void sodium_parts(uint8_t out[COOP_SHA256_BYTES], const uint8_t *a, size_t a_count,
                         const uint8_t *b, size_t b_count, const uint8_t *c, size_t c_count)
{
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, a, a_count);
  crypto_hash_sha256_update(&state, b, b_count);
  crypto_hash_sha256_update(&state, c, c_count);
  crypto_hash_sha256_final(&state, out);
}

void coop_sha256_parts(uint8_t out[COOP_SHA256_BYTES], const uint8_t *a, size_t a_count,
                       const uint8_t *b, size_t b_count, const uint8_t *c, size_t c_count)
{
  static const uint8_t nothing[1];
  a = a_count ? a : nothing;
  b = b_count ? b : nothing;
  c = c_count ? c : nothing;
  pthread_once(&sha256_once, fetch_sha256);
  EVP_MD_CTX *context = context_of_thread();
  /* EVP_DigestInit_ex2 resets whatever the context held from the last hash. */
  int done = context && EVP_DigestInit_ex2(context, sha256_md, NULL) &&
             EVP_DigestUpdate(context, a, a_count) && EVP_DigestUpdate(context, b, b_count) &&
             EVP_DigestUpdate(context, c, c_count) && EVP_DigestFinal_ex(context, out, NULL);
  if (!done)
    sodium_parts(out, a, a_count, b, b_count, c, c_count);
}

void coop_sha256(uint8_t out[COOP_SHA256_BYTES], const uint8_t *data, size_t count)
{
  coop_sha256_parts(out, data, count, NULL, 0, NULL, 0);
}
