/* Sealed boxes with ephemeral pairs made in bulk (ledger/base/box_seal.h):
 * the field arithmetic at the edges of p, each public key against
 * libsodium's own X25519 (clamping included), every box opened by
 * crypto_box_seal_open, and a key grant made this way opened by the
 * ledger's ordinary opener.
 *
 * The source is included so its static field functions can be checked at
 * the values where a carry or the final reduction goes wrong. */
#include "ledger/base/box_seal.c"

#include <criterion/criterion.h>

#include "ledger/log/identity.h"
#include "ledger/log/seal.h"

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
}

TestSuite(box_seal, .init = setup);

/* 2^255 - k, little-endian. */
static void two_255_minus(uint8_t bytes[32], unsigned k)
{
  memset(bytes, 0xff, 32);
  bytes[31] = 0x7f;
  bytes[0] = (uint8_t)(256 - k); /* k in 1..255: no borrow beyond byte 0 */
}

static void small(uint8_t bytes[32], unsigned value)
{
  memset(bytes, 0, 32);
  bytes[0] = (uint8_t)value;
}

/* 2^255 - k is p + 19 - k: it reduces to 19 - k for k <= 19 and is
 * already canonical above that. */
Test(box_seal, field_bytes_are_reduced_at_the_edges_of_p)
{
  for (unsigned k = 1; k <= 60; k++) {
    uint8_t in[32], out[32], expected[32];
    two_255_minus(in, k);
    if (k <= 19)
      small(expected, 19 - k);
    else
      memcpy(expected, in, 32);
    fe value;
    fe_from_bytes(&value, in);
    fe_to_bytes(out, &value);
    cr_assert_arr_eq(out, expected, 32, "2^255 - %u", k);
  }
  /* The sign bit of a compressed point is not part of y. */
  uint8_t signed_one[32], one_bytes[32], out[32];
  small(signed_one, 1);
  signed_one[31] = 0x80;
  small(one_bytes, 1);
  fe value;
  fe_from_bytes(&value, signed_one);
  fe_to_bytes(out, &value);
  cr_assert_arr_eq(out, one_bytes, 32);
}

Test(box_seal, field_add_sub_mul_wrap_around_p)
{
  uint8_t bytes[32], out[32], expected[32];
  fe p_minus_1, one, zero, value;
  two_255_minus(bytes, 20);
  fe_from_bytes(&p_minus_1, bytes);
  fe_one(&one);
  zero = (fe){{0}};
  fe_add(&value, &p_minus_1, &one); /* p = 0 */
  fe_to_bytes(out, &value);
  small(expected, 0);
  cr_assert_arr_eq(out, expected, 32);
  fe_sub(&value, &zero, &one); /* -1 = p - 1 */
  fe_to_bytes(out, &value);
  cr_assert_arr_eq(out, bytes, 32);
  fe_mul(&value, &p_minus_1, &p_minus_1); /* (-1)^2 = 1 */
  fe_to_bytes(out, &value);
  small(expected, 1);
  cr_assert_arr_eq(out, expected, 32);
  fe_invert(&value, &p_minus_1); /* 1/-1 = -1 */
  fe_to_bytes(out, &value);
  cr_assert_arr_eq(out, bytes, 32);
}

/* a * (1/a) = 1 for random a, and for every limb at its largest. */
Test(box_seal, an_element_times_its_inverse_is_one)
{
  uint8_t one_bytes[32], out[32];
  small(one_bytes, 1);
  for (int i = 0; i < 200; i++) {
    uint8_t bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    if (i == 0)
      two_255_minus(bytes, 21); /* p - 2 */
    fe a, inverse, product;
    fe_from_bytes(&a, bytes);
    fe_invert(&inverse, &a);
    fe_mul(&product, &a, &inverse);
    fe_to_bytes(out, &product);
    if (sodium_is_zero(bytes, 32))
      continue;
    cr_assert_arr_eq(out, one_bytes, 32, "a * 1/a at try %d", i);
  }
}

/* Every public key is libsodium's X25519 of its secret key, which clamps
 * it: random keys, and keys whose bits X25519 clamps away set or clear. */
Test(box_seal, public_keys_are_x25519_of_the_secret_keys)
{
  for (size_t round = 0; round < 40; round++) {
    coop_box_ephemeral pairs[COOP_BOX_EPHEMERALS_MAX];
    size_t count = 1 + round % COOP_BOX_EPHEMERALS_MAX;
    if (round == 0)
      count = COOP_BOX_EPHEMERALS_MAX;
    for (size_t i = 0; i < count; i++)
      randombytes_buf(pairs[i].secret_key, COOP_BOX_KEY_BYTES);
    if (round == 0) {
      memset(pairs[0].secret_key, 0, COOP_BOX_KEY_BYTES);
      memset(pairs[1].secret_key, 0xff, COOP_BOX_KEY_BYTES);
      pairs[2].secret_key[0] |= 7;     /* cleared by clamping */
      pairs[2].secret_key[31] |= 0x80; /* cleared */
      pairs[3].secret_key[31] &= 0x3f; /* bit 254 set by clamping */
    }
    cr_assert_eq(coop_box_ephemerals_make(pairs, count), COOP_OK);
    for (size_t i = 0; i < count; i++) {
      uint8_t expected[32];
      cr_assert_eq(crypto_scalarmult_base(expected, pairs[i].secret_key), 0);
      cr_assert_arr_eq(pairs[i].public_key, expected, 32, "pair %zu of round %zu", i, round);
    }
  }
  /* Made by our arithmetic, not by the ladder the batch falls back to. */
  cr_assert_eq(slow_batches, 0);
}

Test(box_seal, too_many_pairs_at_once_are_refused)
{
  static coop_box_ephemeral pairs[COOP_BOX_EPHEMERALS_MAX + 1];
  memset(pairs, 0xaa, sizeof pairs);
  cr_assert_eq(coop_box_ephemerals_make(pairs, COOP_BOX_EPHEMERALS_MAX + 1), COOP_E_BAD_INPUT);
  for (size_t i = 0; i < COOP_BOX_EPHEMERALS_MAX + 1; i++)
    for (size_t j = 0; j < 32; j++)
      cr_assert_eq(pairs[i].public_key[j], 0xaa, "nothing written");
  cr_assert_eq(coop_box_ephemerals_make(pairs, 0), COOP_OK);
}

/* Boxes of every length crypto_box_seal_open opens, to the message; one
 * changed byte anywhere and it does not open; the box starts with the
 * pair's public key, as crypto_box_seal's does. */
Test(box_seal, crypto_box_seal_open_opens_every_box)
{
  uint8_t recipient_pk[32], recipient_sk[32];
  crypto_box_keypair(recipient_pk, recipient_sk);
  coop_box_ephemeral pairs[COOP_BOX_EPHEMERALS_MAX];
  for (size_t i = 0; i < COOP_BOX_EPHEMERALS_MAX; i++)
    randombytes_buf(pairs[i].secret_key, COOP_BOX_KEY_BYTES);
  cr_assert_eq(coop_box_ephemerals_make(pairs, COOP_BOX_EPHEMERALS_MAX), COOP_OK);
  for (size_t i = 0; i < COOP_BOX_EPHEMERALS_MAX; i++) {
    uint8_t message[80], sealed[80 + COOP_BOX_SEAL_OVERHEAD], opened[80];
    size_t length = i; /* 0 to 63 bytes */
    randombytes_buf(message, sizeof message);
    cr_assert_eq(coop_box_seal_ephemeral(sealed, message, length, recipient_pk, &pairs[i]),
                 COOP_OK);
    cr_assert_arr_eq(sealed, pairs[i].public_key, 32);
    cr_assert_eq(crypto_box_seal_open(opened, sealed, length + COOP_BOX_SEAL_OVERHEAD,
                                      recipient_pk, recipient_sk),
                 0, "box %zu", i);
    cr_assert_arr_eq(opened, message, length);
    size_t at = randombytes_uniform((uint32_t)(length + COOP_BOX_SEAL_OVERHEAD));
    sealed[at] ^= 1;
    cr_assert_neq(crypto_box_seal_open(opened, sealed, length + COOP_BOX_SEAL_OVERHEAD,
                                       recipient_pk, recipient_sk),
                  0, "box %zu with byte %zu changed", i, at);
  }
}

/* The same pair and message give the bytes crypto_box_easy gives under
 * crypto_box_seal's nonce (BLAKE2b-192 of both public keys), fixed keys. */
Test(box_seal, the_box_is_crypto_box_easy_under_the_seal_nonce)
{
  uint8_t seed[32], recipient_pk[32], recipient_sk[32];
  for (int i = 0; i < 32; i++)
    seed[i] = (uint8_t)i;
  crypto_box_seed_keypair(recipient_pk, recipient_sk, seed);
  coop_box_ephemeral pair;
  for (int i = 0; i < 32; i++)
    pair.secret_key[i] = (uint8_t)(0x80 + i);
  cr_assert_eq(coop_box_ephemerals_make(&pair, 1), COOP_OK);
  static const uint8_t message[32] = "an audience key of 32 bytes....";
  uint8_t sealed[32 + COOP_BOX_SEAL_OVERHEAD], both[64], nonce[24], expected[32 + 16];
  cr_assert_eq(coop_box_seal_ephemeral(sealed, message, 32, recipient_pk, &pair), COOP_OK);
  memcpy(both, pair.public_key, 32);
  memcpy(both + 32, recipient_pk, 32);
  crypto_generichash(nonce, sizeof nonce, both, sizeof both, NULL, 0);
  cr_assert_eq(crypto_box_easy(expected, message, 32, nonce, recipient_pk, pair.secret_key), 0);
  cr_assert_arr_eq(sealed + 32, expected, sizeof expected);
}

/* A key grant made with a pair opens with ledger_key_grant_open, for the
 * reader it names only. */
Test(box_seal, a_grant_with_a_pair_opens_for_its_reader)
{
  ledger_identity reader, other;
  cr_assert_eq(ledger_identity_generate(&reader), COOP_OK);
  cr_assert_eq(ledger_identity_generate(&other), COOP_OK);
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES], opened[32];
  ledger_audience_new(id, key);
  coop_box_ephemeral pair;
  randombytes_buf(pair.secret_key, sizeof pair.secret_key);
  cr_assert_eq(coop_box_ephemerals_make(&pair, 1), COOP_OK);
  ledger_key_grant grant, decoded;
  cr_assert_eq(ledger_key_grant_make_ephemeral(id, key, reader.public_key, &pair, &grant),
               COOP_OK);
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES];
  ledger_key_grant_encode(&grant, bytes);
  cr_assert_eq(ledger_key_grant_decode(bytes, sizeof bytes, &decoded), COOP_OK);
  cr_assert_eq(ledger_key_grant_open(&decoded, &reader, opened), COOP_OK);
  cr_assert_arr_eq(opened, key, sizeof key);
  memcpy(decoded.reader, other.public_key, 32); /* addressed to `other`, sealed to `reader` */
  cr_assert_neq(ledger_key_grant_open(&decoded, &other, opened), COOP_OK);
  ledger_identity_release(&reader);
  ledger_identity_release(&other);
}
