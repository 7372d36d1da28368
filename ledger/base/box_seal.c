/* Sealed boxes with ephemeral key pairs made in bulk (ledger/base/box_seal.h).
 *
 * The field arithmetic below only maps Edwards points to Montgomery u
 * coordinates: public keys (whose coordinates are public), so it need not
 * hide its timing; it is branch-free all the same.  Elements are five
 * limbs of 51 bits (radix 2^51, as in curve25519-donna-c64), products in
 * unsigned __int128. */
#include "ledger/base/box_seal.h"

#include <stdbool.h>
#include <string.h>

#include <sodium.h>

_Static_assert(COOP_BOX_KEY_BYTES == crypto_box_PUBLICKEYBYTES, "public key");
_Static_assert(COOP_BOX_KEY_BYTES == crypto_box_SECRETKEYBYTES, "secret key");
_Static_assert(COOP_BOX_SEAL_OVERHEAD == crypto_box_SEALBYTES, "sealed box overhead");
_Static_assert(crypto_box_NONCEBYTES == crypto_generichash_BYTES_MIN + 8, "nonce");

/* Batches whose keys our arithmetic got wrong (made again by libsodium's
 * ladder): none, ever; the tests check that the fast path made the keys. */
static unsigned long slow_batches;

typedef unsigned __int128 wide;
typedef struct fe {
  uint64_t limb[5];
} fe;

#define LIMB_MASK ((UINT64_C(1) << 51) - 1)

static uint64_t load64(const uint8_t *bytes)
{
  uint64_t value = 0;
  for (int i = 7; i >= 0; i--)
    value = value << 8 | bytes[i];
  return value;
}

static void store64(uint8_t *bytes, uint64_t value)
{
  for (int i = 0; i < 8; i++)
    bytes[i] = (uint8_t)(value >> (8 * i));
}

/* The low 255 bits of `bytes` (the top bit, x's sign in a compressed
 * Edwards point, is dropped). */
static void fe_from_bytes(fe *h, const uint8_t bytes[32])
{
  uint64_t w0 = load64(bytes), w1 = load64(bytes + 8), w2 = load64(bytes + 16),
           w3 = load64(bytes + 24);
  h->limb[0] = w0 & LIMB_MASK;
  h->limb[1] = (w0 >> 51 | w1 << 13) & LIMB_MASK;
  h->limb[2] = (w1 >> 38 | w2 << 26) & LIMB_MASK;
  h->limb[3] = (w2 >> 25 | w3 << 39) & LIMB_MASK;
  h->limb[4] = (w3 >> 12) & LIMB_MASK;
}

/* Brings every limb under 2^51 (plus a small carry into limb 0): the value
 * is unchanged mod p = 2^255 - 19. */
static void fe_carry(fe *h)
{
  for (int i = 0; i < 4; i++) {
    h->limb[i + 1] += h->limb[i] >> 51;
    h->limb[i] &= LIMB_MASK;
  }
  h->limb[0] += 19 * (h->limb[4] >> 51);
  h->limb[4] &= LIMB_MASK;
}

static void fe_one(fe *h)
{
  *h = (fe){{1, 0, 0, 0, 0}};
}

static void fe_add(fe *h, const fe *f, const fe *g)
{
  for (int i = 0; i < 5; i++)
    h->limb[i] = f->limb[i] + g->limb[i];
  fe_carry(h);
}

/* f - g as f + 2p - g: no limb goes below zero while g's limbs are carried
 * (under 2^51 + 2^18). */
static void fe_sub(fe *h, const fe *f, const fe *g)
{
  static const uint64_t two_p[5] = {0xfffffffffffdaULL, 0xffffffffffffeULL, 0xffffffffffffeULL,
                                    0xffffffffffffeULL, 0xffffffffffffeULL};
  for (int i = 0; i < 5; i++)
    h->limb[i] = f->limb[i] + two_p[i] - g->limb[i];
  fe_carry(h);
}

static void fe_mul(fe *h, const fe *f, const fe *g)
{
  const uint64_t *a = f->limb, *b = g->limb;
  uint64_t b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3], b4 = 19 * b[4];
  wide t0 = (wide)a[0] * b[0] + (wide)a[1] * b4 + (wide)a[2] * b3 + (wide)a[3] * b2 +
            (wide)a[4] * b1;
  wide t1 = (wide)a[0] * b[1] + (wide)a[1] * b[0] + (wide)a[2] * b4 + (wide)a[3] * b3 +
            (wide)a[4] * b2;
  wide t2 = (wide)a[0] * b[2] + (wide)a[1] * b[1] + (wide)a[2] * b[0] + (wide)a[3] * b4 +
            (wide)a[4] * b3;
  wide t3 = (wide)a[0] * b[3] + (wide)a[1] * b[2] + (wide)a[2] * b[1] + (wide)a[3] * b[0] +
            (wide)a[4] * b4;
  wide t4 = (wide)a[0] * b[4] + (wide)a[1] * b[3] + (wide)a[2] * b[2] + (wide)a[3] * b[1] +
            (wide)a[4] * b[0];
  t1 += (uint64_t)(t0 >> 51);
  t2 += (uint64_t)(t1 >> 51);
  t3 += (uint64_t)(t2 >> 51);
  t4 += (uint64_t)(t3 >> 51);
  h->limb[0] = ((uint64_t)t0 & LIMB_MASK) + 19 * (uint64_t)(t4 >> 51);
  h->limb[1] = (uint64_t)t1 & LIMB_MASK;
  h->limb[2] = (uint64_t)t2 & LIMB_MASK;
  h->limb[3] = (uint64_t)t3 & LIMB_MASK;
  h->limb[4] = (uint64_t)t4 & LIMB_MASK;
  fe_carry(h);
}

/* f^(2^times) */
static void fe_square_times(fe *h, const fe *f, int times)
{
  *h = *f;
  for (int i = 0; i < times; i++)
    fe_mul(h, h, h);
}

/* 1/z = z^(p - 2) = z^(2^255 - 21), by ref10's addition chain (0 maps to
 * 0). */
static void fe_invert(fe *out, const fe *z)
{
  fe z2, z9, z11, z_5_0, z_10_0, z_20_0, z_50_0, z_100_0, t;
  fe_mul(&z2, z, z);
  fe_square_times(&t, &z2, 2);
  fe_mul(&z9, &t, z);
  fe_mul(&z11, &z9, &z2);
  fe_mul(&t, &z11, &z11);
  fe_mul(&z_5_0, &t, &z9);
  fe_square_times(&t, &z_5_0, 5);
  fe_mul(&z_10_0, &t, &z_5_0);
  fe_square_times(&t, &z_10_0, 10);
  fe_mul(&z_20_0, &t, &z_10_0);
  fe_square_times(&t, &z_20_0, 20);
  fe_mul(&t, &t, &z_20_0);
  fe_square_times(&t, &t, 10);
  fe_mul(&z_50_0, &t, &z_10_0);
  fe_square_times(&t, &z_50_0, 50);
  fe_mul(&z_100_0, &t, &z_50_0);
  fe_square_times(&t, &z_100_0, 100);
  fe_mul(&t, &t, &z_100_0);
  fe_square_times(&t, &t, 50);
  fe_mul(&t, &t, &z_50_0);
  fe_square_times(&t, &t, 5);
  fe_mul(out, &t, &z11);
}

/* The canonical 32 bytes of h (fully reduced mod p), as donna's fcontract:
 * carried twice the value is below 2^255; adding 19 and then 2^255 - 19
 * limb by limb, and dropping bit 255, subtracts p exactly when h >= p. */
static void fe_to_bytes(uint8_t bytes[32], const fe *h)
{
  fe t = *h;
  fe_carry(&t);
  fe_carry(&t);
  t.limb[0] += 19;
  fe_carry(&t);
  t.limb[0] += (UINT64_C(1) << 51) - 19;
  for (int i = 1; i < 5; i++)
    t.limb[i] += (UINT64_C(1) << 51) - 1;
  for (int i = 0; i < 4; i++) {
    t.limb[i + 1] += t.limb[i] >> 51;
    t.limb[i] &= LIMB_MASK;
  }
  t.limb[4] &= LIMB_MASK;
  store64(bytes, t.limb[0] | t.limb[1] << 51);
  store64(bytes + 8, t.limb[1] >> 13 | t.limb[2] << 38);
  store64(bytes + 16, t.limb[2] >> 26 | t.limb[3] << 25);
  store64(bytes + 24, t.limb[3] >> 39 | t.limb[4] << 12);
}

/* u = (1 + y) / (1 - y) for each Edwards y, with one inversion: the
 * products of the denominators 1 - y are kept, their product inverted, and
 * each denominator's inverse peeled off from the end.  No y is 1 (that is
 * the neutral point, which libsodium's multiplication refuses), so no
 * denominator is zero. */
static void montgomery_u(const fe *y, size_t count, uint8_t (*u)[32])
{
  fe one, numerator[COOP_BOX_EPHEMERALS_MAX], denominator[COOP_BOX_EPHEMERALS_MAX];
  fe prefix[COOP_BOX_EPHEMERALS_MAX], inverse, each, value;
  fe_one(&one);
  fe_one(&prefix[0]);
  for (size_t i = 0; i < count; i++) {
    fe_add(&numerator[i], &one, &y[i]);
    fe_sub(&denominator[i], &one, &y[i]);
    fe_mul(&prefix[i], i ? &prefix[i - 1] : &prefix[0], &denominator[i]);
  }
  fe_invert(&inverse, &prefix[count - 1]);
  for (size_t i = count; i-- > 0;) {
    if (i > 0) {
      fe_mul(&each, &inverse, &prefix[i - 1]);
      fe_mul(&inverse, &inverse, &denominator[i]);
    } else {
      each = inverse;
    }
    fe_mul(&value, &numerator[i], &each);
    fe_to_bytes(u[i], &value);
  }
}

coop_err coop_box_ephemerals_make(coop_box_ephemeral *pairs, size_t count)
{
  if (count > COOP_BOX_EPHEMERALS_MAX)
    return COOP_E_BAD_INPUT;
  if (count == 0)
    return COOP_OK;
  fe y[COOP_BOX_EPHEMERALS_MAX];
  uint8_t u[COOP_BOX_EPHEMERALS_MAX][32];
  for (size_t i = 0; i < count; i++) {
    /* Clamped as X25519 clamps (bits 0-2 and 255 cleared, 254 set), the
     * scalar's point on the Edwards curve is the X25519 public key's.
     * crypto_scalarmult_ed25519_base would clamp too, but it refuses an
     * all-zero key before clamping, which X25519 takes. */
    uint8_t scalar[32], edwards[32];
    memcpy(scalar, pairs[i].secret_key, sizeof scalar);
    scalar[0] &= 248;
    scalar[31] = (uint8_t)((scalar[31] & 127) | 64);
    int refused = crypto_scalarmult_ed25519_base(edwards, scalar);
    sodium_memzero(scalar, sizeof scalar);
    if (refused)
      return COOP_E_CRYPTO;
    fe_from_bytes(&y[i], edwards);
  }
  montgomery_u(y, count, u);
  /* Our own arithmetic checked by libsodium's on each batch: the last key
   * depends on every other's denominator and on the one inversion.  Were
   * it ever wrong (a compiler, a platform), the batch is made the slow way
   * rather than sealing boxes nobody could open. ~2 us a key for 16. */
  uint8_t check[COOP_BOX_KEY_BYTES];
  bool slow = crypto_scalarmult_base(check, pairs[count - 1].secret_key) != 0 ||
              sodium_memcmp(check, u[count - 1], COOP_BOX_KEY_BYTES) != 0;
  slow_batches += slow;
  for (size_t i = 0; i < count; i++) {
    if (!slow)
      memcpy(pairs[i].public_key, u[i], COOP_BOX_KEY_BYTES);
    else if (crypto_scalarmult_base(pairs[i].public_key, pairs[i].secret_key) != 0)
      return COOP_E_CRYPTO;
  }
  return COOP_OK;
}

coop_err coop_box_seal_ephemeral(uint8_t *sealed, const uint8_t *message, size_t message_bytes,
                                 const uint8_t recipient[COOP_BOX_KEY_BYTES],
                                 const coop_box_ephemeral *ephemeral)
{
  /* crypto_box_seal's nonce: BLAKE2b of both public keys, 24 bytes out. */
  uint8_t nonce[crypto_box_NONCEBYTES];
  crypto_generichash_state state;
  crypto_generichash_init(&state, NULL, 0, sizeof nonce);
  crypto_generichash_update(&state, ephemeral->public_key, COOP_BOX_KEY_BYTES);
  crypto_generichash_update(&state, recipient, COOP_BOX_KEY_BYTES);
  crypto_generichash_final(&state, nonce, sizeof nonce);
  /* The message may not overlap `sealed`: crypto_box_easy writes after the
   * public key. */
  if (crypto_box_easy(sealed + COOP_BOX_KEY_BYTES, message, message_bytes, nonce, recipient,
                      ephemeral->secret_key) != 0)
    return COOP_E_CRYPTO;
  memcpy(sealed, ephemeral->public_key, COOP_BOX_KEY_BYTES);
  return COOP_OK;
}
