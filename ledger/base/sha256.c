/* SHA-256 behind one interface (ledger/base/sha256.h). */
#include "ledger/base/sha256.h"

#include <pthread.h>

#include <openssl/evp.h>
#include <sodium.h>

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetching the algorithm once saves its lookup on every call (OpenSSL 3). */
static void fetch_sha256(void)
{
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
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
  EVP_MD_CTX *context = sha256_md ? EVP_MD_CTX_new() : NULL;
  int done = context && EVP_DigestInit_ex2(context, sha256_md, NULL) &&
             EVP_DigestUpdate(context, a, a_count) && EVP_DigestUpdate(context, b, b_count) &&
             EVP_DigestUpdate(context, c, c_count) && EVP_DigestFinal_ex(context, out, NULL);
  EVP_MD_CTX_free(context);
  if (!done)
    sodium_parts(out, a, a_count, b, b_count, c, c_count);
}

void coop_sha256(uint8_t out[COOP_SHA256_BYTES], const uint8_t *data, size_t count)
{
  coop_sha256_parts(out, data, count, NULL, 0, NULL, 0);
}
