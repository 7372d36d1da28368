/* Tests for ledger/log/seal.c: sealed payloads bound to their entry header,
 * audience keys and key grants. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/seal.h"

static ledger_identity reader_a, reader_b;

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  uint8_t seed[32];
  memset(seed, 0xA1, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, &reader_a), COOP_OK);
  memset(seed, 0xB2, sizeof seed);
  cr_assert_eq(ledger_identity_from_seed(seed, &reader_b), COOP_OK);
}

static void teardown(void)
{
  ledger_identity_release(&reader_a);
  ledger_identity_release(&reader_b);
}

TestSuite(seal, .init = setup, .fini = teardown);
TestSuite(grant, .init = setup, .fini = teardown);

static void header_bytes(uint8_t out[LEDGER_ENTRY_HEADER_BYTES], const uint8_t *audience_id,
                         uint32_t payload_bytes)
{
  ledger_entry_header header;
  memset(&header, 0, sizeof header);
  header.format_version = LEDGER_ENTRY_FORMAT_VERSION;
  header.kind = LEDGER_KIND_TRANSACTION;
  header.payload_bytes = payload_bytes;
  header.index = 41;
  header.timestamp_ms = UINT64_C(1767225600000);
  memset(header.log_id, 0x5c, sizeof header.log_id);
  memcpy(header.audience_id, audience_id, LEDGER_AUDIENCE_ID_BYTES);
  ledger_entry_header_encode(&header, out);
}

static const uint8_t plain_text[] = "statement 2026-03: member 17 receives 12.50";
#define PLAIN_BYTES (sizeof plain_text - 1)
#define SEALED_BYTES (PLAIN_BYTES + LEDGER_SEAL_OVERHEAD)

/* A sealed example: key, header and sealed bytes. */
typedef struct sealed_example {
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t sealed[SEALED_BYTES];
} sealed_example;

static void make_example(sealed_example *example)
{
  ledger_audience_new(example->audience_id, example->key);
  header_bytes(example->header, example->audience_id, (uint32_t)SEALED_BYTES);
  ledger_seal_payload(example->key, example->header, plain_text, PLAIN_BYTES, example->sealed);
}

/* Whether `needle` occurs in `haystack` (memmem is a GNU extension). */
static int contains(const void *haystack, size_t haystack_bytes, const void *needle,
                    size_t needle_bytes)
{
  const uint8_t *bytes = haystack;
  for (size_t i = 0; i + needle_bytes <= haystack_bytes; i++)
    if (memcmp(bytes + i, needle, needle_bytes) == 0)
      return 1;
  return 0;
}

static int is_all_zero(const void *bytes, size_t count)
{
  const uint8_t *p = bytes;
  for (size_t i = 0; i < count; i++)
    if (p[i])
      return 0;
  return 1;
}

/* Opens and expects `expected`; on failure the plaintext must be zeroed and
 * the length 0. */
static void expect_open(const uint8_t *key, const uint8_t *header, const uint8_t *sealed,
                        size_t sealed_bytes, coop_err expected)
{
  uint8_t plain[SEALED_BYTES + 16];
  memset(plain, 0xAA, sizeof plain);
  size_t plain_bytes = 12345;
  coop_err err = ledger_open_payload(key, header, sealed, sealed_bytes, plain, &plain_bytes);
  cr_assert_eq(err, expected, "open: got %s, expected %s", coop_err_name(err),
               coop_err_name(expected));
  if (expected == COOP_E_CRYPTO) {
    cr_assert_eq(plain_bytes, 0u);
    cr_assert(is_all_zero(plain, sealed_bytes - LEDGER_SEAL_OVERHEAD),
              "plaintext left behind after a failed open");
  }
  if (expected == COOP_E_DECODE)
    cr_assert_eq(plain_bytes, 0u);
}

Test(seal, sizes)
{
  cr_assert_eq(LEDGER_SEAL_OVERHEAD, 40u);
  cr_assert_eq(LEDGER_KEY_GRANT_BYTES, 129u);
  cr_assert_eq(LEDGER_SEALED_KEY_BYTES, 80u);
}

Test(seal, round_trip)
{
  sealed_example example;
  make_example(&example);
  uint8_t plain[SEALED_BYTES];
  memset(plain, 0xAA, sizeof plain);
  size_t plain_bytes = 0;
  cr_assert_eq(ledger_open_payload(example.key, example.header, example.sealed, SEALED_BYTES,
                                   plain, &plain_bytes),
               COOP_OK);
  cr_assert_eq(plain_bytes, PLAIN_BYTES);
  cr_assert_arr_eq(plain, plain_text, PLAIN_BYTES);
  /* Opening writes nothing past the plaintext. */
  cr_assert_eq(plain[PLAIN_BYTES], 0xAA);
}

Test(seal, round_trip_of_empty_and_large_payloads)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  header_bytes(header, id, LEDGER_SEAL_OVERHEAD);
  uint8_t sealed_empty[LEDGER_SEAL_OVERHEAD];
  ledger_seal_payload(key, header, NULL, 0, sealed_empty);
  uint8_t nothing[1] = {0xAA};
  size_t plain_bytes = 99;
  cr_assert_eq(ledger_open_payload(key, header, sealed_empty, sizeof sealed_empty, nothing,
                                   &plain_bytes),
               COOP_OK);
  cr_assert_eq(plain_bytes, 0u);

  enum { large = COOP_PAYLOAD_BYTES_MAX - LEDGER_SEAL_OVERHEAD };
  static uint8_t plain[large], sealed[large + LEDGER_SEAL_OVERHEAD], opened[large];
  for (size_t i = 0; i < large; i++)
    plain[i] = (uint8_t)(i * 13);
  header_bytes(header, id, COOP_PAYLOAD_BYTES_MAX);
  ledger_seal_payload(key, header, plain, large, sealed);
  cr_assert_eq(ledger_open_payload(key, header, sealed, sizeof sealed, opened, &plain_bytes),
               COOP_OK);
  cr_assert_eq(plain_bytes, (size_t)large);
  cr_assert_arr_eq(opened, plain, large);
}

Test(seal, layout_is_nonce_then_aead_with_header_as_associated_data)
{
  /* Recompute the ciphertext with libsodium directly from the nonce the
   * seal chose: pins the layout and the associated data. */
  sealed_example example;
  make_example(&example);
  uint8_t expected[SEALED_BYTES - LEDGER_SEAL_NONCE_BYTES];
  unsigned long long expected_bytes = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(expected, &expected_bytes, plain_text, PLAIN_BYTES,
                                             example.header, LEDGER_ENTRY_HEADER_BYTES, NULL,
                                             example.sealed, example.key);
  cr_assert_eq(expected_bytes, sizeof expected);
  cr_assert_arr_eq(example.sealed + LEDGER_SEAL_NONCE_BYTES, expected, sizeof expected);
}

Test(seal, nonces_are_fresh_and_ciphertext_hides_the_plaintext)
{
  sealed_example example;
  make_example(&example);
  uint8_t again[SEALED_BYTES];
  ledger_seal_payload(example.key, example.header, plain_text, PLAIN_BYTES, again);
  cr_assert_neq(memcmp(again, example.sealed, LEDGER_SEAL_NONCE_BYTES), 0, "nonce reused");
  cr_assert_neq(memcmp(again, example.sealed, SEALED_BYTES), 0);
  cr_assert(!contains(example.sealed, SEALED_BYTES, "statement", 9));
  cr_assert(!contains(again, SEALED_BYTES, "member 17", 9));
}

Test(seal, wrong_key_rejected)
{
  sealed_example example;
  make_example(&example);
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  memcpy(key, example.key, sizeof key);
  for (unsigned byte = 0; byte < sizeof key; byte++) {
    key[byte] ^= 0x01;
    expect_open(key, example.header, example.sealed, SEALED_BYTES, COOP_E_CRYPTO);
    key[byte] ^= 0x01;
  }
  sealed_example other;
  make_example(&other);
  expect_open(other.key, example.header, example.sealed, SEALED_BYTES, COOP_E_CRYPTO);
  expect_open(example.key, example.header, example.sealed, SEALED_BYTES, COOP_OK);
}

Test(seal, any_changed_header_byte_rejected)
{
  sealed_example example;
  make_example(&example);
  for (unsigned byte = 0; byte < LEDGER_ENTRY_HEADER_BYTES; byte++) {
    uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
    memcpy(header, example.header, sizeof header);
    header[byte] ^= 0x01;
    expect_open(example.key, header, example.sealed, SEALED_BYTES, COOP_E_CRYPTO);
    header[byte] ^= 0x81; /* now 0x80 flipped */
    expect_open(example.key, header, example.sealed, SEALED_BYTES, COOP_E_CRYPTO);
  }
}

Test(seal, any_flipped_bit_of_nonce_ciphertext_or_tag_rejected)
{
  sealed_example example;
  make_example(&example);
  for (unsigned bit = 0; bit < 8 * SEALED_BYTES; bit++) {
    uint8_t sealed[SEALED_BYTES];
    memcpy(sealed, example.sealed, sizeof sealed);
    sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    expect_open(example.key, example.header, sealed, SEALED_BYTES, COOP_E_CRYPTO);
  }
}

Test(seal, truncated_or_extended_rejected)
{
  sealed_example example;
  make_example(&example);
  expect_open(example.key, example.header, example.sealed, SEALED_BYTES - 1, COOP_E_CRYPTO);
  expect_open(example.key, example.header, example.sealed, LEDGER_SEAL_OVERHEAD, COOP_E_CRYPTO);
  uint8_t longer[SEALED_BYTES + 1];
  memcpy(longer, example.sealed, SEALED_BYTES);
  longer[SEALED_BYTES] = 0;
  expect_open(example.key, example.header, longer, sizeof longer, COOP_E_CRYPTO);
}

Test(seal, too_short_is_a_decode_error)
{
  sealed_example example;
  make_example(&example);
  for (size_t count = 0; count < LEDGER_SEAL_OVERHEAD; count++)
    expect_open(example.key, example.header, example.sealed, count, COOP_E_DECODE);
}

Test(seal, audience_ids_are_nonzero_and_fresh)
{
  uint8_t previous[LEDGER_AUDIENCE_ID_BYTES] = {0};
  uint8_t previous_key[LEDGER_AUDIENCE_KEY_BYTES] = {0};
  for (int i = 0; i < 1000; i++) {
    uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
    ledger_audience_new(id, key);
    cr_assert(!is_all_zero(id, sizeof id));
    cr_assert(!is_all_zero(key, sizeof key));
    cr_assert_neq(memcmp(id, previous, sizeof id), 0);
    cr_assert_neq(memcmp(key, previous_key, sizeof key), 0);
    cr_assert_neq(memcmp(id, key, sizeof id), 0, "id and key from the same bytes");
    memcpy(previous, id, sizeof id);
    memcpy(previous_key, key, sizeof key);
  }
}

/* A random source that returns zeros when told to, so that the one case
 * randomness never produces in practice, an all-zero audience id, can be
 * tested: zero means "public", so it must be drawn again. */
static unsigned zero_draws_left;
static unsigned draws;

static const char *scripted_name(void)
{
  return "scripted";
}

static uint32_t scripted_random(void)
{
  return 0x9e3779b9u * ++draws;
}

static void scripted_buf(void *const buf, const size_t size)
{
  draws++;
  if (zero_draws_left) {
    zero_draws_left--;
    memset(buf, 0, size);
    return;
  }
  uint8_t *bytes = buf;
  for (size_t i = 0; i < size; i++)
    bytes[i] = (uint8_t)(1 + (draws * 31 + i) % 255);
}

static randombytes_implementation scripted = {
    .implementation_name = scripted_name,
    .random = scripted_random,
    .buf = scripted_buf,
};

static void scripted_setup(void)
{
  /* Must come before sodium_init(). */
  cr_assert_eq(randombytes_set_implementation(&scripted), 0);
  cr_assert_geq(sodium_init(), 0);
}

Test(seal_scripted_random, audience_new_redraws_an_all_zero_id, .init = scripted_setup)
{
  zero_draws_left = 3;
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  cr_assert_eq(zero_draws_left, 0u, "the zero draws were not used for the id");
  cr_assert(!is_all_zero(id, sizeof id), "an all-zero (public) audience id was returned");
  cr_assert(!is_all_zero(key, sizeof key));
}

/* ---- key grants -------------------------------------------------------- */

Test(grant, make_encode_decode_open_round_trip)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  cr_assert_arr_eq(grant.audience_id, id, sizeof id);
  cr_assert_arr_eq(grant.reader, reader_a.public_key, LEDGER_PUBLIC_KEY_BYTES);
  cr_assert(!contains(grant.sealed_key, LEDGER_SEALED_KEY_BYTES, key, sizeof key),
                 "the key appears in clear");

  uint8_t bytes[LEDGER_KEY_GRANT_BYTES + 1];
  memset(bytes, 0xEE, sizeof bytes);
  ledger_key_grant_encode(&grant, bytes);
  cr_assert_eq(bytes[LEDGER_KEY_GRANT_BYTES], 0xEE, "wrote past the grant");
  cr_assert_eq(bytes[0], 1);
  cr_assert_arr_eq(bytes + 1, id, LEDGER_AUDIENCE_ID_BYTES);
  cr_assert_arr_eq(bytes + 17, reader_a.public_key, LEDGER_PUBLIC_KEY_BYTES);
  cr_assert_arr_eq(bytes + 49, grant.sealed_key, LEDGER_SEALED_KEY_BYTES);

  ledger_key_grant decoded;
  memset(&decoded, 0xA5, sizeof decoded);
  cr_assert_eq(ledger_key_grant_decode(bytes, LEDGER_KEY_GRANT_BYTES, &decoded), COOP_OK);
  cr_assert_eq(memcmp(&decoded, &grant, sizeof grant), 0);

  uint8_t opened[LEDGER_AUDIENCE_KEY_BYTES];
  memset(opened, 0, sizeof opened);
  cr_assert_eq(ledger_key_grant_open(&decoded, &reader_a, opened), COOP_OK);
  cr_assert_arr_eq(opened, key, sizeof key);
}

Test(grant, sealed_key_is_a_crypto_box_seal_to_the_readers_x25519_key)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  uint8_t x_public[32], x_secret[32], opened[LEDGER_AUDIENCE_KEY_BYTES];
  cr_assert_eq(crypto_sign_ed25519_pk_to_curve25519(x_public, reader_a.public_key), 0);
  cr_assert_eq(crypto_sign_ed25519_sk_to_curve25519(x_secret, reader_a.secret_key), 0);
  cr_assert_eq(crypto_box_seal_open(opened, grant.sealed_key, LEDGER_SEALED_KEY_BYTES, x_public,
                                    x_secret),
               0);
  cr_assert_arr_eq(opened, key, sizeof key);
}

Test(grant, opened_key_opens_the_payload)
{
  sealed_example example;
  make_example(&example);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(example.audience_id, example.key, reader_b.public_key,
                                     &grant),
               COOP_OK);
  uint8_t key[LEDGER_AUDIENCE_KEY_BYTES];
  cr_assert_eq(ledger_key_grant_open(&grant, &reader_b, key), COOP_OK);
  expect_open(key, example.header, example.sealed, SEALED_BYTES, COOP_OK);
}

Test(grant, another_reader_has_no_key)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  uint8_t opened[LEDGER_AUDIENCE_KEY_BYTES];
  cr_assert_eq(ledger_key_grant_open(&grant, &reader_b, opened), COOP_E_NO_KEY);
}

Test(grant, rewriting_the_reader_does_not_help_another_reader)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES];
  ledger_key_grant_encode(&grant, bytes);
  memcpy(bytes + 17, reader_b.public_key, LEDGER_PUBLIC_KEY_BYTES);
  ledger_key_grant forged;
  cr_assert_eq(ledger_key_grant_decode(bytes, sizeof bytes, &forged), COOP_OK);
  uint8_t opened[LEDGER_AUDIENCE_KEY_BYTES];
  memset(opened, 0xAA, sizeof opened);
  cr_assert_eq(ledger_key_grant_open(&forged, &reader_b, opened), COOP_E_CRYPTO);
  cr_assert(is_all_zero(opened, sizeof opened), "key buffer not wiped after failure");
  /* And reader A no longer matches the rewritten grant. */
  cr_assert_eq(ledger_key_grant_open(&forged, &reader_a, opened), COOP_E_NO_KEY);
}

Test(grant, damaged_sealed_key_rejected)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  for (unsigned byte = 0; byte < LEDGER_SEALED_KEY_BYTES; byte++) {
    ledger_key_grant bad = grant;
    bad.sealed_key[byte] ^= 0x20;
    uint8_t opened[LEDGER_AUDIENCE_KEY_BYTES];
    memset(opened, 0xAA, sizeof opened);
    cr_assert_eq(ledger_key_grant_open(&bad, &reader_a, opened), COOP_E_CRYPTO, "byte %u", byte);
    cr_assert(is_all_zero(opened, sizeof opened));
  }
}

Test(grant, reader_key_that_is_not_a_valid_point_refused)
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  uint8_t identity_point[LEDGER_PUBLIC_KEY_BYTES] = {1}; /* small order */
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, identity_point, &grant), COOP_E_CRYPTO);
  uint8_t zero[LEDGER_PUBLIC_KEY_BYTES] = {0};
  cr_assert_eq(ledger_key_grant_make(id, key, zero, &grant), COOP_E_CRYPTO);
}

Test(grant, grants_are_randomized)
{
  /* crypto_box_seal uses a fresh ephemeral key: two grants of the same key
   * to the same reader differ, so a grant does not reveal key equality. */
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant first, second;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &first), COOP_OK);
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &second), COOP_OK);
  cr_assert_neq(memcmp(first.sealed_key, second.sealed_key, LEDGER_SEALED_KEY_BYTES), 0);
}

static void expect_grant_decode(const uint8_t *bytes, size_t count, coop_err expected)
{
  ledger_key_grant decoded;
  memset(&decoded, 0xA5, sizeof decoded);
  coop_err err = ledger_key_grant_decode(bytes, count, &decoded);
  cr_assert_eq(err, expected, "decode of %zu bytes: got %s, expected %s", count,
               coop_err_name(err), coop_err_name(expected));
  if (expected != COOP_OK)
    cr_assert(is_all_zero(&decoded, sizeof decoded), "output not zeroed");
}

static void encoded_grant(uint8_t bytes[LEDGER_KEY_GRANT_BYTES])
{
  uint8_t id[LEDGER_AUDIENCE_ID_BYTES], key[LEDGER_AUDIENCE_KEY_BYTES];
  ledger_audience_new(id, key);
  ledger_key_grant grant;
  cr_assert_eq(ledger_key_grant_make(id, key, reader_a.public_key, &grant), COOP_OK);
  ledger_key_grant_encode(&grant, bytes);
}

Test(grant, decode_rejects_other_versions)
{
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES];
  encoded_grant(bytes);
  static const uint8_t versions[] = {0, 2, 0x81, 0xff};
  for (size_t i = 0; i < sizeof versions; i++) {
    bytes[0] = versions[i];
    expect_grant_decode(bytes, sizeof bytes, COOP_E_VERSION);
  }
}

Test(grant, decode_rejects_short_input)
{
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES];
  encoded_grant(bytes);
  for (size_t count = 0; count < LEDGER_KEY_GRANT_BYTES; count++)
    expect_grant_decode(bytes, count, COOP_E_DECODE);
}

Test(grant, decode_rejects_trailing_bytes)
{
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES + 8];
  memset(bytes, 0, sizeof bytes);
  encoded_grant(bytes);
  expect_grant_decode(bytes, LEDGER_KEY_GRANT_BYTES + 1, COOP_E_TRAILING);
  expect_grant_decode(bytes, sizeof bytes, COOP_E_TRAILING);
  expect_grant_decode(bytes, LEDGER_KEY_GRANT_BYTES, COOP_OK);
}

Test(grant, decode_rejects_zero_audience_id)
{
  uint8_t bytes[LEDGER_KEY_GRANT_BYTES];
  encoded_grant(bytes);
  memset(bytes + 1, 0, LEDGER_AUDIENCE_ID_BYTES);
  expect_grant_decode(bytes, sizeof bytes, COOP_E_DECODE);
  /* One nonzero bit anywhere in the id makes it a real audience. */
  for (unsigned byte = 0; byte < LEDGER_AUDIENCE_ID_BYTES; byte++) {
    memset(bytes + 1, 0, LEDGER_AUDIENCE_ID_BYTES);
    bytes[1 + byte] = 0x01;
    expect_grant_decode(bytes, sizeof bytes, COOP_OK);
  }
}
