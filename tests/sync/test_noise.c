/* Tests for sync/noise: the cacophony known-answer vectors byte for byte,
 * then handshakes between fresh identities and everything that must make
 * them fail (tampering, truncation, a wrong prologue, replays, limits). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "sync/noise.h"

#define VECTOR_FILE "noise-25519-chachapoly-sha256.json"
#define VECTOR_BYTES_MAX 1024u

/* One side of a connection. */
struct party {
  sync_noise_handshake handshake;
  sync_noise_cipher send;
  sync_noise_cipher receive;
};

/* A node identity: its Ed25519 key pair and the Noise key derived from it. */
struct identity {
  unsigned char ed25519_public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char ed25519_secret_key[crypto_sign_SECRETKEYBYTES];
  sync_noise_keypair noise;
};

static const char prologue[] = "coop/1 test network";

/* Static, not on the stack: a maximal message is 64 KiB. */
static unsigned char message[SYNC_NOISE_MESSAGE_BYTES_MAX + 1];
static unsigned char payload[SYNC_NOISE_MESSAGE_BYTES_MAX + 1];

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
}

/* ------------------------------------------------------------------------
 * Vector helpers */

static json_t *vectors_load(void)
{
  const char *directory = getenv("COOP_VECTORS");
  cr_assert_not_null(directory, "COOP_VECTORS is not set");
  char path[4096];
  int length = snprintf(path, sizeof path, "%s/%s", directory, VECTOR_FILE);
  cr_assert(length > 0 && (size_t)length < sizeof path);
  json_error_t error;
  json_t *root = json_load_file(path, 0, &error);
  cr_assert_not_null(root, "cannot load '%s': %s", path, error.text);
  json_t *vectors = json_object_get(root, "vectors");
  cr_assert(json_is_array(vectors));
  return root;
}

static json_t *vectors_find(json_t *root, const char *protocol_name)
{
  json_t *vectors = json_object_get(root, "vectors");
  size_t index;
  json_t *vector;
  json_array_foreach(vectors, index, vector) {
    const char *name = json_string_value(json_object_get(vector, "protocol_name"));
    if (name && strcmp(name, protocol_name) == 0)
      return vector;
  }
  cr_assert_fail("no vector for '%s'", protocol_name);
  return NULL;
}

/* Decodes a hex string; returns its length in bytes. */
static size_t hex_decode(json_t *value, unsigned char *out, size_t capacity)
{
  const char *hex = json_string_value(value);
  cr_assert_not_null(hex, "vector field is not a string");
  size_t bytes = 0;
  cr_assert_eq(sodium_hex2bin(out, capacity, hex, strlen(hex), NULL, &bytes, NULL), 0,
               "bad hex in vector: '%s'", hex);
  return bytes;
}

/* Decodes a field that must be exactly SYNC_NOISE_KEY_BYTES; NULL if absent. */
static const unsigned char *key_field(json_t *vector, const char *name,
                                      unsigned char out[SYNC_NOISE_KEY_BYTES])
{
  json_t *value = json_object_get(vector, name);
  if (value == NULL)
    return NULL;
  cr_assert_eq(hex_decode(value, out, SYNC_NOISE_KEY_BYTES), SYNC_NOISE_KEY_BYTES);
  return out;
}

/* The first pre-shared key of "init_psks"/"resp_psks"; NULL if absent. */
static const unsigned char *psk_field(json_t *vector, const char *name,
                                      unsigned char out[SYNC_NOISE_KEY_BYTES])
{
  json_t *array = json_object_get(vector, name);
  if (array == NULL)
    return NULL;
  cr_assert_eq(json_array_size(array), 1, "one psk per side is supported");
  cr_assert_eq(hex_decode(json_array_get(array, 0), out, SYNC_NOISE_KEY_BYTES),
               SYNC_NOISE_KEY_BYTES);
  return out;
}

struct vector_side {
  unsigned char prologue[VECTOR_BYTES_MAX];
  size_t prologue_bytes;
  sync_noise_keypair local_static;
  unsigned char ephemeral[SYNC_NOISE_KEY_BYTES];
  unsigned char remote_static_bytes[SYNC_NOISE_KEY_BYTES];
  unsigned char psk_bytes[SYNC_NOISE_KEY_BYTES];
  const unsigned char *remote_static;
  const unsigned char *psk;
};

/* Reads "init_*" or "resp_*" fields and starts that side's handshake. */
static void vector_side_init(struct party *party, json_t *vector, sync_noise_pattern pattern,
                             sync_noise_role role)
{
  const char *prefix = role == SYNC_NOISE_INITIATOR ? "init" : "resp";
  char name[64];
  struct vector_side side;
  memset(&side, 0, sizeof side);

  snprintf(name, sizeof name, "%s_prologue", prefix);
  side.prologue_bytes = hex_decode(json_object_get(vector, name), side.prologue,
                                   sizeof side.prologue);
  snprintf(name, sizeof name, "%s_static", prefix);
  unsigned char secret[SYNC_NOISE_KEY_BYTES];
  cr_assert_not_null(key_field(vector, name, secret));
  cr_assert_eq(sync_noise_keypair_from_secret(&side.local_static, secret), COOP_OK);
  snprintf(name, sizeof name, "%s_ephemeral", prefix);
  cr_assert_not_null(key_field(vector, name, side.ephemeral));
  snprintf(name, sizeof name, "%s_remote_static", prefix);
  side.remote_static = key_field(vector, name, side.remote_static_bytes);
  snprintf(name, sizeof name, "%s_psks", prefix);
  side.psk = psk_field(vector, name, side.psk_bytes);

  sync_noise_config config = {
    .pattern = pattern,
    .role = role,
    .prologue = side.prologue,
    .prologue_bytes = side.prologue_bytes,
    .local_static = &side.local_static,
    .remote_static = side.remote_static,
    .psk = side.psk,
    .fixed_ephemeral_secret = side.ephemeral,
  };
  cr_assert_eq(sync_noise_handshake_init(&party->handshake, &config), COOP_OK, "%s init",
               prefix);
  sodium_memzero(&side, sizeof side);
  sodium_memzero(secret, sizeof secret);
}

/* Sends one vector message from `sender` to `receiver`, through the
 * handshake or, once it is over, the transport ciphers. */
static void vector_message(struct party *sender, struct party *receiver, json_t *entry,
                           size_t index)
{
  unsigned char expected_payload[VECTOR_BYTES_MAX];
  unsigned char expected_message[VECTOR_BYTES_MAX];
  unsigned char written[VECTOR_BYTES_MAX];
  unsigned char received[VECTOR_BYTES_MAX];
  size_t payload_bytes = hex_decode(json_object_get(entry, "payload"), expected_payload,
                                    sizeof expected_payload);
  size_t message_bytes = hex_decode(json_object_get(entry, "ciphertext"), expected_message,
                                    sizeof expected_message);
  size_t written_bytes = 0;
  size_t read_bytes = 0;

  if (!sync_noise_handshake_is_complete(&sender->handshake)) {
    cr_assert_eq(sync_noise_write_message(&sender->handshake, expected_payload, payload_bytes,
                                          written, sizeof written, &written_bytes),
                 COOP_OK, "write message %zu", index);
    cr_assert_eq(sync_noise_read_message(&receiver->handshake, written, written_bytes, received,
                                         sizeof received, &read_bytes),
                 COOP_OK, "read message %zu", index);
  } else {
    cr_assert_eq(sync_noise_encrypt(&sender->send, expected_payload, payload_bytes, written,
                                    sizeof written, &written_bytes),
                 COOP_OK, "encrypt message %zu", index);
    cr_assert_eq(sync_noise_decrypt(&receiver->receive, written, written_bytes, received,
                                    sizeof received, &read_bytes),
                 COOP_OK, "decrypt message %zu", index);
  }
  cr_assert_eq(written_bytes, message_bytes, "message %zu length", index);
  cr_assert_arr_eq(written, expected_message, message_bytes, "message %zu bytes", index);
  cr_assert_eq(read_bytes, payload_bytes, "message %zu payload length", index);
  cr_assert_arr_eq(received, expected_payload, payload_bytes, "message %zu payload", index);
}

/* Once both sides finish: both hashes equal the vector's, then split. */
static void vector_finish_handshake(struct party *initiator, struct party *responder,
                                    json_t *vector)
{
  unsigned char expected[SYNC_NOISE_HASH_BYTES];
  unsigned char hash[SYNC_NOISE_HASH_BYTES];
  cr_assert(sync_noise_handshake_is_complete(&initiator->handshake));
  cr_assert(sync_noise_handshake_is_complete(&responder->handshake));
  if (key_field(vector, "handshake_hash", expected)) {
    cr_assert_eq(sync_noise_handshake_hash(&initiator->handshake, hash), COOP_OK);
    cr_assert_arr_eq(hash, expected, sizeof hash, "initiator handshake hash");
    cr_assert_eq(sync_noise_handshake_hash(&responder->handshake, hash), COOP_OK);
    cr_assert_arr_eq(hash, expected, sizeof hash, "responder handshake hash");
  }
  cr_assert_eq(sync_noise_split(&initiator->handshake, &initiator->send, &initiator->receive),
               COOP_OK);
  cr_assert_eq(sync_noise_split(&responder->handshake, &responder->send, &responder->receive),
               COOP_OK);
}

/* Runs one vector: handshake messages, hash, transport messages.  Returns
 * the number of messages checked. */
static size_t vector_run(json_t *vector)
{
  const char *name = json_string_value(json_object_get(vector, "protocol_name"));
  sync_noise_pattern pattern;
  struct party initiator;
  struct party responder;
  json_t *messages = json_object_get(vector, "messages");
  size_t index;
  json_t *entry;
  bool split = false;

  cr_assert_eq(sync_noise_pattern_from_name(name, &pattern), COOP_OK, "unsupported '%s'", name);
  vector_side_init(&initiator, vector, pattern, SYNC_NOISE_INITIATOR);
  vector_side_init(&responder, vector, pattern, SYNC_NOISE_RESPONDER);
  cr_assert_gt(json_array_size(messages), 0);
  json_array_foreach(messages, index, entry) {
    if (!split && sync_noise_handshake_is_complete(&initiator.handshake)) {
      vector_finish_handshake(&initiator, &responder, vector);
      split = true;
    }
    /* Two-way patterns alternate, initiator first, also in transport. */
    if (index % 2 == 0)
      vector_message(&initiator, &responder, entry, index);
    else
      vector_message(&responder, &initiator, entry, index);
  }
  cr_assert(split, "vector '%s' never finished its handshake", name);
  sync_noise_handshake_release(&initiator.handshake);
  sync_noise_handshake_release(&responder.handshake);
  sync_noise_cipher_release(&initiator.send);
  sync_noise_cipher_release(&initiator.receive);
  sync_noise_cipher_release(&responder.send);
  sync_noise_cipher_release(&responder.receive);
  return json_array_size(messages);
}

static void vector_test(const char *protocol_name)
{
  json_t *root = vectors_load();
  size_t count = vector_run(vectors_find(root, protocol_name));
  cr_log_info("%s: %zu messages match", protocol_name, count);
  json_decref(root);
}

/* ------------------------------------------------------------------------
 * Known-answer tests */

TestSuite(noise_vectors, .init = setup);

Test(noise_vectors, xx)
{
  vector_test("Noise_XX_25519_ChaChaPoly_SHA256");
}

Test(noise_vectors, ik)
{
  vector_test("Noise_IK_25519_ChaChaPoly_SHA256");
}

Test(noise_vectors, xx_psk3)
{
  vector_test("Noise_XXpsk3_25519_ChaChaPoly_SHA256");
}

/* No vector in the file is skipped silently: each must be supported. */
Test(noise_vectors, every_vector_in_the_file)
{
  json_t *root = vectors_load();
  json_t *vectors = json_object_get(root, "vectors");
  size_t index;
  json_t *vector;
  cr_assert_gt(json_array_size(vectors), 0);
  json_array_foreach(vectors, index, vector) {
    vector_run(vector);
  }
  cr_log_info("%zu vectors pass", json_array_size(vectors));
  json_decref(root);
}

Test(noise_vectors, pattern_names)
{
  sync_noise_pattern pattern = SYNC_NOISE_PATTERN_IK;
  cr_assert_eq(sync_noise_pattern_from_name("Noise_XX_25519_ChaChaPoly_SHA256", &pattern),
               COOP_OK);
  cr_assert_eq(pattern, SYNC_NOISE_PATTERN_XX);
  cr_assert_str_eq(sync_noise_pattern_name(SYNC_NOISE_PATTERN_XX_PSK3),
                   "Noise_XXpsk3_25519_ChaChaPoly_SHA256");
  cr_assert_eq(sync_noise_pattern_from_name("Noise_XX_25519_AESGCM_SHA256", &pattern),
               COOP_E_NOT_FOUND);
  cr_assert_eq(pattern, SYNC_NOISE_PATTERN_XX, "untouched on failure");
}

/* ------------------------------------------------------------------------
 * Helpers for live handshakes */

static void identity_generate(struct identity *identity)
{
  cr_assert_eq(crypto_sign_keypair(identity->ed25519_public_key, identity->ed25519_secret_key),
               0);
  cr_assert_eq(sync_noise_keypair_from_ed25519(&identity->noise, identity->ed25519_public_key,
                                               identity->ed25519_secret_key),
               COOP_OK);
}

static sync_noise_config config_for(sync_noise_role role, const struct identity *identity,
                                    const char *prologue_text)
{
  sync_noise_config config = {
    .pattern = SYNC_NOISE_PATTERN_XX,
    .role = role,
    .prologue = (const unsigned char *)prologue_text,
    .prologue_bytes = strlen(prologue_text),
    .local_static = &identity->noise,
  };
  return config;
}

/* Starts an XX initiator and responder with random ephemerals. */
static void parties_init(struct party *initiator, const struct identity *initiator_identity,
                         struct party *responder, const struct identity *responder_identity)
{
  sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, initiator_identity, prologue);
  cr_assert_eq(sync_noise_handshake_init(&initiator->handshake, &config), COOP_OK);
  config = config_for(SYNC_NOISE_RESPONDER, responder_identity, prologue);
  cr_assert_eq(sync_noise_handshake_init(&responder->handshake, &config), COOP_OK);
}

static struct party *sender_of(struct party *initiator, struct party *responder, size_t index)
{
  return index % 2 == 0 ? initiator : responder;
}

/* A distinct payload for each handshake message, so mix-ups show. */
static const char *handshake_payload(size_t index)
{
  static const char *const payloads[] = {"hello from the initiator", "", "member 42 here"};
  cr_assert_lt(index, sizeof payloads / sizeof payloads[0]);
  return payloads[index];
}

/* Writes handshake message `index` from whoever sends it into `message`. */
static size_t write_message_at(struct party *initiator, struct party *responder, size_t index)
{
  const char *text = handshake_payload(index);
  size_t message_bytes = 0;
  cr_assert_eq(sync_noise_write_message(&sender_of(initiator, responder, index)->handshake,
                                        (const unsigned char *)text, strlen(text), message,
                                        sizeof message, &message_bytes),
               COOP_OK, "write message %zu", index);
  return message_bytes;
}

/* Delivers `message` to the side that did not send message `index`; the
 * payload lands in `payload`, its length in *payload_bytes. */
static coop_err deliver_message_at(struct party *initiator, struct party *responder,
                                   size_t index, size_t message_bytes, size_t *payload_bytes)
{
  struct party *receiver = index % 2 == 0 ? responder : initiator;
  return sync_noise_read_message(&receiver->handshake, message, message_bytes, payload,
                                 sizeof payload, payload_bytes);
}

/* Delivers message `index` and, if it is accepted, checks its payload. */
static coop_err read_message_at(struct party *initiator, struct party *responder, size_t index,
                                size_t message_bytes)
{
  size_t payload_bytes = 0;
  coop_err err = deliver_message_at(initiator, responder, index, message_bytes, &payload_bytes);
  if (err == COOP_OK) {
    const char *text = handshake_payload(index);
    cr_assert_eq(payload_bytes, strlen(text));
    cr_assert_arr_eq(payload, text, payload_bytes);
  }
  return err;
}

/* Exchanges handshake messages [0, end) without faults. */
static void exchange_until(struct party *initiator, struct party *responder, size_t end)
{
  for (size_t index = 0; index < end; index++) {
    size_t message_bytes = write_message_at(initiator, responder, index);
    cr_assert_eq(read_message_at(initiator, responder, index, message_bytes), COOP_OK,
                 "read message %zu", index);
  }
}

static void split_both(struct party *initiator, struct party *responder)
{
  cr_assert_eq(sync_noise_split(&initiator->handshake, &initiator->send, &initiator->receive),
               COOP_OK);
  cr_assert_eq(sync_noise_split(&responder->handshake, &responder->send, &responder->receive),
               COOP_OK);
}

/* A full XX handshake and split between two identities. */
static void handshake_connect(struct party *initiator, const struct identity *initiator_identity,
                    struct party *responder, const struct identity *responder_identity)
{
  parties_init(initiator, initiator_identity, responder, responder_identity);
  exchange_until(initiator, responder, 3);
  cr_assert(sync_noise_handshake_is_complete(&initiator->handshake));
  cr_assert(sync_noise_handshake_is_complete(&responder->handshake));
  split_both(initiator, responder);
}

static void parties_release(struct party *initiator, struct party *responder)
{
  struct party *parties[2] = {initiator, responder};
  for (size_t i = 0; i < 2; i++) {
    sync_noise_handshake_release(&parties[i]->handshake);
    sync_noise_cipher_release(&parties[i]->send);
    sync_noise_cipher_release(&parties[i]->receive);
  }
}

/* Encrypts `text` on `from` and decrypts it on `to`. */
static void transport_round_trip(struct party *from, struct party *to, const char *text)
{
  size_t text_bytes = strlen(text);
  size_t message_bytes = 0;
  size_t payload_bytes = 0;
  cr_assert_eq(sync_noise_encrypt(&from->send, (const unsigned char *)text, text_bytes, message,
                                  sizeof message, &message_bytes),
               COOP_OK);
  cr_assert_eq(message_bytes, text_bytes + SYNC_NOISE_TAG_BYTES);
  cr_assert_eq(sync_noise_decrypt(&to->receive, message, message_bytes, payload, sizeof payload,
                                  &payload_bytes),
               COOP_OK);
  cr_assert_eq(payload_bytes, text_bytes);
  cr_assert_arr_eq(payload, text, text_bytes);
}

/* ------------------------------------------------------------------------
 * Live handshakes */

TestSuite(noise_handshake, .init = setup);

/* Each identity takes each role once; every session gets its own keys. */
Test(noise_handshake, random_both_ways)
{
  struct identity alice;
  struct identity bob;
  unsigned char hashes[2][2][SYNC_NOISE_HASH_BYTES];
  identity_generate(&alice);
  identity_generate(&bob);

  for (int round = 0; round < 2; round++) {
    struct party initiator;
    struct party responder;
    const struct identity *first = round == 0 ? &alice : &bob;
    const struct identity *second = round == 0 ? &bob : &alice;
    handshake_connect(&initiator, first, &responder, second);
    cr_assert_eq(sync_noise_handshake_hash(&initiator.handshake, hashes[round][0]), COOP_OK);
    cr_assert_eq(sync_noise_handshake_hash(&responder.handshake, hashes[round][1]), COOP_OK);
    cr_assert_arr_eq(hashes[round][0], hashes[round][1], SYNC_NOISE_HASH_BYTES);
    for (int i = 0; i < 5; i++) {
      transport_round_trip(&initiator, &responder, "statement 2026-03 for member 7");
      transport_round_trip(&responder, &initiator, "checkpoint 1234 signed");
      transport_round_trip(&responder, &initiator, "");
    }
    parties_release(&initiator, &responder);
  }
  cr_assert_arr_neq(hashes[0][0], hashes[1][0], SYNC_NOISE_HASH_BYTES);
}

/* The two transport directions use different keys: a message sent by the
 * initiator cannot be reflected back to it. */
Test(noise_handshake, directions_have_different_keys)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t message_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);
  cr_assert_arr_neq(initiator.send.key, initiator.receive.key, SYNC_NOISE_KEY_BYTES);
  cr_assert_eq(sync_noise_encrypt(&initiator.send, (const unsigned char *)"x", 1, message,
                                  sizeof message, &message_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_decrypt(&initiator.receive, message, message_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_E_CRYPTO);
  parties_release(&initiator, &responder);
}

Test(noise_handshake, remote_static_is_the_derived_identity_key)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char expected[SYNC_NOISE_KEY_BYTES];
  unsigned char remote[SYNC_NOISE_KEY_BYTES];
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);

  /* A key received half way is not yet proven, so it is not handed out. */
  exchange_until(&initiator, &responder, 2);
  cr_assert_eq(sync_noise_remote_static(&initiator.handshake, remote), COOP_E_USAGE);
  size_t message_bytes = write_message_at(&initiator, &responder, 2);
  cr_assert_eq(read_message_at(&initiator, &responder, 2, message_bytes), COOP_OK);

  cr_assert_eq(sync_noise_public_from_ed25519(expected, alice.ed25519_public_key), COOP_OK);
  cr_assert_eq(sync_noise_remote_static(&responder.handshake, remote), COOP_OK);
  cr_assert_arr_eq(remote, expected, sizeof remote);
  cr_assert_arr_eq(remote, alice.noise.public_key, sizeof remote);

  cr_assert_eq(sync_noise_public_from_ed25519(expected, bob.ed25519_public_key), COOP_OK);
  cr_assert_eq(sync_noise_remote_static(&initiator.handshake, remote), COOP_OK);
  cr_assert_arr_eq(remote, expected, sizeof remote);

  /* The identity and hash survive the split; the keys do not. */
  split_both(&initiator, &responder);
  cr_assert_eq(sync_noise_remote_static(&initiator.handshake, remote), COOP_OK);
  cr_assert_arr_eq(remote, expected, sizeof remote);
  cr_assert(sodium_is_zero(initiator.handshake.chaining_key, SYNC_NOISE_HASH_BYTES));
  cr_assert(sodium_is_zero(initiator.handshake.local_static.secret_key, SYNC_NOISE_KEY_BYTES));
  parties_release(&initiator, &responder);
}

/* Flipping a bit in any byte of any handshake message stops the
 * handshake.  Message 0 carries no tag, so its tampering shows when the
 * initiator reads message 1 (the transcripts differ); later messages fail
 * on the spot. */
Test(noise_handshake, tampering_any_byte_fails)
{
  struct identity alice;
  struct identity bob;
  identity_generate(&alice);
  identity_generate(&bob);

  for (size_t tampered = 0; tampered < 3; tampered++) {
    struct party initiator;
    struct party responder;
    parties_init(&initiator, &alice, &responder, &bob);
    exchange_until(&initiator, &responder, tampered);
    size_t message_bytes = write_message_at(&initiator, &responder, tampered);
    parties_release(&initiator, &responder);

    for (size_t position = 0; position < message_bytes; position++) {
      /* Replays the same messages: fixed keys are not needed because the
       * lengths do not depend on them. */
      parties_init(&initiator, &alice, &responder, &bob);
      exchange_until(&initiator, &responder, tampered);
      size_t bytes = write_message_at(&initiator, &responder, tampered);
      cr_assert_eq(bytes, message_bytes);
      message[position] ^= (unsigned char)(1u << (position % 8));
      size_t payload_bytes = 0;
      coop_err err = deliver_message_at(&initiator, &responder, tampered, bytes, &payload_bytes);
      if (tampered == 0) {
        cr_assert_eq(err, COOP_OK, "message 0 is not authenticated yet");
        bytes = write_message_at(&initiator, &responder, 1);
        err = read_message_at(&initiator, &responder, 1, bytes);
      }
      cr_assert_eq(err, COOP_E_CRYPTO, "message %zu byte %zu", tampered, position);
      parties_release(&initiator, &responder);
    }
  }
}

Test(noise_handshake, wrong_prologue_fails)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  identity_generate(&alice);
  identity_generate(&bob);
  sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, &alice, "coop/1 network one");
  cr_assert_eq(sync_noise_handshake_init(&initiator.handshake, &config), COOP_OK);
  config = config_for(SYNC_NOISE_RESPONDER, &bob, "coop/1 network two");
  cr_assert_eq(sync_noise_handshake_init(&responder.handshake, &config), COOP_OK);

  exchange_until(&initiator, &responder, 1);
  size_t message_bytes = write_message_at(&initiator, &responder, 1);
  cr_assert_eq(read_message_at(&initiator, &responder, 1, message_bytes), COOP_E_CRYPTO);
  parties_release(&initiator, &responder);
}

/* Every shorter length of every handshake message is refused.  Message 0
 * is sent without payload here: with one, a shortened payload is only
 * caught by the next message, as in tampering_any_byte_fails. */
Test(noise_handshake, truncated_message_fails)
{
  struct identity alice;
  struct identity bob;
  identity_generate(&alice);
  identity_generate(&bob);

  for (size_t index = 0; index < 3; index++) {
    struct party initiator;
    struct party responder;
    parties_init(&initiator, &alice, &responder, &bob);
    exchange_until(&initiator, &responder, index);
    size_t message_bytes = 0;
    if (index == 0)
      cr_assert_eq(sync_noise_write_message(&initiator.handshake, NULL, 0, message,
                                            sizeof message, &message_bytes),
                   COOP_OK);
    else
      message_bytes = write_message_at(&initiator, &responder, index);
    struct party *receiver = index % 2 == 0 ? &responder : &initiator;
    sync_noise_handshake saved = receiver->handshake;

    for (size_t length = 0; length < message_bytes; length++) {
      size_t payload_bytes = 0;
      receiver->handshake = saved;
      coop_err err = sync_noise_read_message(&receiver->handshake, message, length, payload,
                                             sizeof payload, &payload_bytes);
      cr_assert(err == COOP_E_DECODE || err == COOP_E_CRYPTO,
                "message %zu cut to %zu bytes: %s", index, length, coop_err_name(err));
      cr_assert_eq(payload_bytes, 0);
    }
    sodium_memzero(&saved, sizeof saved);
    parties_release(&initiator, &responder);
  }
}

/* Too short for the pattern is caught before any state changes, so the
 * real message still goes through afterwards. */
Test(noise_handshake, too_short_leaves_the_handshake_usable)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);
  size_t message_bytes = write_message_at(&initiator, &responder, 0);
  cr_assert_eq(sync_noise_read_message(&responder.handshake, message, 31, payload,
                                       sizeof payload, &payload_bytes),
               COOP_E_DECODE);
  cr_assert_eq(read_message_at(&initiator, &responder, 0, message_bytes), COOP_OK);
  for (size_t index = 1; index < 3; index++) {
    message_bytes = write_message_at(&initiator, &responder, index);
    cr_assert_eq(read_message_at(&initiator, &responder, index, message_bytes), COOP_OK);
  }
  parties_release(&initiator, &responder);
}

Test(noise_handshake, oversized_message_is_refused)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t message_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);

  /* Message 0 is e (32 bytes) and the payload in the clear. */
  size_t largest_payload = SYNC_NOISE_MESSAGE_BYTES_MAX - SYNC_NOISE_KEY_BYTES;
  randombytes_buf(payload, sizeof payload);
  cr_assert_eq(sync_noise_write_message(&initiator.handshake, payload, largest_payload + 1,
                                        message, sizeof message, &message_bytes),
               COOP_E_LIMIT);
  cr_assert_eq(message_bytes, 0);
  cr_assert_eq(sync_noise_write_message(&initiator.handshake, payload, 10, message, 41,
                                        &message_bytes),
               COOP_E_LIMIT, "capacity too small");
  cr_assert_eq(sync_noise_read_message(&responder.handshake, message,
                                       SYNC_NOISE_MESSAGE_BYTES_MAX + 1, payload, sizeof payload,
                                       &payload_bytes),
               COOP_E_LIMIT);

  /* Exactly the maximum goes through, on both sides. */
  static unsigned char sent[SYNC_NOISE_MESSAGE_BYTES_MAX];
  randombytes_buf(sent, sizeof sent);
  cr_assert_eq(sync_noise_write_message(&initiator.handshake, sent, largest_payload, message,
                                        sizeof message, &message_bytes),
               COOP_OK);
  cr_assert_eq(message_bytes, SYNC_NOISE_MESSAGE_BYTES_MAX);
  cr_assert_eq(sync_noise_read_message(&responder.handshake, message, message_bytes, payload,
                                       largest_payload - 1, &payload_bytes),
               COOP_E_LIMIT, "payload capacity too small");
  cr_assert_eq(sync_noise_read_message(&responder.handshake, message, message_bytes, payload,
                                       sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_eq(payload_bytes, largest_payload);
  cr_assert_arr_eq(payload, sent, largest_payload);
  parties_release(&initiator, &responder);
}

Test(noise_handshake, oversized_transport_message_is_refused)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t message_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_encrypt(&initiator.send, payload, SYNC_NOISE_PLAINTEXT_BYTES_MAX + 1,
                                  message, sizeof message, &message_bytes),
               COOP_E_LIMIT);
  cr_assert_eq(sync_noise_decrypt(&responder.receive, message, SYNC_NOISE_MESSAGE_BYTES_MAX + 1,
                                  payload, sizeof payload, &payload_bytes),
               COOP_E_LIMIT);
  cr_assert_eq(sync_noise_decrypt(&responder.receive, message, SYNC_NOISE_TAG_BYTES - 1, payload,
                                  sizeof payload, &payload_bytes),
               COOP_E_DECODE);
  /* Refusals do not consume nonces: the largest message still goes through. */
  static unsigned char sent[SYNC_NOISE_PLAINTEXT_BYTES_MAX];
  randombytes_buf(sent, sizeof sent);
  cr_assert_eq(sync_noise_encrypt(&initiator.send, sent, sizeof sent, message, sizeof message,
                                  &message_bytes),
               COOP_OK);
  cr_assert_eq(message_bytes, SYNC_NOISE_MESSAGE_BYTES_MAX);
  cr_assert_eq(sync_noise_decrypt(&responder.receive, message, message_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_arr_eq(payload, sent, sizeof sent);
  parties_release(&initiator, &responder);
}

Test(noise_handshake, replayed_transport_message_fails)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char first[64];
  size_t first_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_encrypt(&initiator.send, (const unsigned char *)"pay 10.00", 9, first,
                                  sizeof first, &first_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_decrypt(&responder.receive, first, first_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_decrypt(&responder.receive, first, first_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_E_CRYPTO, "replay must fail: the nonce moved on");
  cr_assert_eq(payload_bytes, 0);
  cr_assert(sodium_is_zero(payload, 9), "no plaintext left after a failure");
  /* The failure did not move the nonce: the next real message still fits. */
  transport_round_trip(&initiator, &responder, "pay 20.00");
  parties_release(&initiator, &responder);
}

Test(noise_handshake, reordered_transport_messages_fail)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char first[64];
  unsigned char second[64];
  size_t first_bytes = 0;
  size_t second_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_encrypt(&responder.send, (const unsigned char *)"one", 3, first,
                                  sizeof first, &first_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_encrypt(&responder.send, (const unsigned char *)"two", 3, second,
                                  sizeof second, &second_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_decrypt(&initiator.receive, second, second_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_E_CRYPTO);
  cr_assert_eq(sync_noise_decrypt(&initiator.receive, first, first_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_eq(sync_noise_decrypt(&initiator.receive, second, second_bytes, payload,
                                  sizeof payload, &payload_bytes),
               COOP_OK);
  cr_assert_arr_eq(payload, "two", 3);
  parties_release(&initiator, &responder);
}

Test(noise_handshake, tampered_transport_message_fails)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char sent[64];
  size_t sent_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_encrypt(&initiator.send, (const unsigned char *)"entry 17", 8, sent,
                                  sizeof sent, &sent_bytes),
               COOP_OK);
  for (size_t position = 0; position < sent_bytes; position++) {
    sent[position] ^= 0x80;
    cr_assert_eq(sync_noise_decrypt(&responder.receive, sent, sent_bytes, payload,
                                    sizeof payload, &payload_bytes),
                 COOP_E_CRYPTO, "byte %zu", position);
    sent[position] ^= 0x80;
    cr_assert_eq(sync_noise_decrypt(&responder.receive, sent, sent_bytes - 1, payload,
                                    sizeof payload, &payload_bytes),
                 COOP_E_CRYPTO, "truncated");
  }
  cr_assert_eq(sync_noise_decrypt(&responder.receive, sent, sent_bytes, payload, sizeof payload,
                                  &payload_bytes),
               COOP_OK);
  parties_release(&initiator, &responder);
}

/* Nonce 2^64 - 1 is reserved, so 2^64 - 2 is the last one used.  The test
 * sets the private counter directly: reaching it honestly takes forever. */
Test(noise_handshake, nonce_exhaustion_is_an_error)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t message_bytes = 0;
  size_t payload_bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);

  initiator.send.nonce = UINT64_MAX - 1;
  responder.receive.nonce = UINT64_MAX - 1;
  transport_round_trip(&initiator, &responder, "last message");
  cr_assert_eq(initiator.send.nonce, UINT64_MAX);
  cr_assert_eq(sync_noise_encrypt(&initiator.send, (const unsigned char *)"x", 1, message,
                                  sizeof message, &message_bytes),
               COOP_E_LIMIT);
  cr_assert_eq(message_bytes, 0);
  cr_assert_eq(initiator.send.nonce, UINT64_MAX, "never wraps to zero");
  cr_assert_eq(sync_noise_decrypt(&responder.receive, message, 32, payload, sizeof payload,
                                  &payload_bytes),
               COOP_E_LIMIT);
  parties_release(&initiator, &responder);
}

Test(noise_handshake, calls_out_of_turn_are_refused)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  sync_noise_cipher send;
  sync_noise_cipher receive;
  unsigned char hash[SYNC_NOISE_HASH_BYTES];
  size_t bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_write_message(&responder.handshake, NULL, 0, message, sizeof message,
                                        &bytes),
               COOP_E_USAGE, "responder writes second");
  cr_assert_eq(sync_noise_read_message(&initiator.handshake, message, 32, payload,
                                       sizeof payload, &bytes),
               COOP_E_USAGE, "initiator writes first");
  cr_assert_eq(sync_noise_split(&initiator.handshake, &send, &receive), COOP_E_USAGE);
  cr_assert(sodium_is_zero((const unsigned char *)&send, sizeof send));
  cr_assert_eq(sync_noise_handshake_hash(&initiator.handshake, hash), COOP_E_USAGE);
  cr_assert(!sync_noise_handshake_is_complete(&initiator.handshake));

  exchange_until(&initiator, &responder, 3);
  cr_assert_eq(sync_noise_write_message(&initiator.handshake, NULL, 0, message, sizeof message,
                                        &bytes),
               COOP_E_USAGE, "handshake is over");
  split_both(&initiator, &responder);
  cr_assert_eq(sync_noise_split(&initiator.handshake, &send, &receive), COOP_E_USAGE,
               "split only once");
  cr_assert_eq(sync_noise_handshake_hash(&initiator.handshake, hash), COOP_OK);

  sync_noise_cipher_release(&initiator.send);
  cr_assert_eq(sync_noise_encrypt(&initiator.send, (const unsigned char *)"x", 1, message,
                                  sizeof message, &bytes),
               COOP_E_USAGE, "released cipher");
  parties_release(&initiator, &responder);
}

/* After a failed read the handshake is dead and holds no secrets. */
Test(noise_handshake, failed_handshake_is_dead)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  size_t bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);
  exchange_until(&initiator, &responder, 1);
  size_t message_bytes = write_message_at(&initiator, &responder, 1);
  message[message_bytes - 1] ^= 1;
  cr_assert_eq(read_message_at(&initiator, &responder, 1, message_bytes), COOP_E_CRYPTO);

  cr_assert(sodium_is_zero(initiator.handshake.local_static.secret_key, SYNC_NOISE_KEY_BYTES));
  cr_assert(sodium_is_zero(initiator.handshake.local_ephemeral.secret_key,
                           SYNC_NOISE_KEY_BYTES));
  cr_assert(sodium_is_zero(initiator.handshake.chaining_key, SYNC_NOISE_HASH_BYTES));
  cr_assert(!sync_noise_handshake_is_complete(&initiator.handshake));
  cr_assert_eq(sync_noise_write_message(&initiator.handshake, NULL, 0, message, sizeof message,
                                        &bytes),
               COOP_E_USAGE);
  message[message_bytes - 1] ^= 1;
  cr_assert_eq(read_message_at(&initiator, &responder, 1, message_bytes), COOP_E_USAGE,
               "not even the genuine message revives it");
  parties_release(&initiator, &responder);
}

/* An all-zero (low-order) ephemeral would force a known shared secret. */
Test(noise_handshake, low_order_ephemeral_is_rejected)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char zero_key[SYNC_NOISE_KEY_BYTES] = {0};
  size_t bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  parties_init(&initiator, &alice, &responder, &bob);

  cr_assert_eq(sync_noise_read_message(&responder.handshake, zero_key, sizeof zero_key, payload,
                                       sizeof payload, &bytes),
               COOP_OK, "message 0 carries only the key");
  cr_assert_eq(sync_noise_write_message(&responder.handshake, NULL, 0, message, sizeof message,
                                        &bytes),
               COOP_E_CRYPTO);
  cr_assert_eq(bytes, 0);
  cr_assert(sodium_is_zero(message, 96), "nothing of the failed message is left");
  parties_release(&initiator, &responder);
}

Test(noise_handshake, release_wipes_everything)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  identity_generate(&alice);
  identity_generate(&bob);
  handshake_connect(&initiator, &alice, &responder, &bob);
  parties_release(&initiator, &responder);
  cr_assert(sodium_is_zero((const unsigned char *)&initiator, sizeof initiator));
  cr_assert(sodium_is_zero((const unsigned char *)&responder, sizeof responder));
  sync_noise_keypair_release(&alice.noise);
  cr_assert(sodium_is_zero((const unsigned char *)&alice.noise, sizeof alice.noise));
}

/* ------------------------------------------------------------------------
 * Configuration */

TestSuite(noise_config, .init = setup);

Test(noise_config, keys_must_match_the_pattern)
{
  struct identity alice;
  sync_noise_handshake handshake;
  unsigned char key[SYNC_NOISE_KEY_BYTES] = {9};
  identity_generate(&alice);

  sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.local_static = NULL;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT,
               "XX needs a static key");
  cr_assert(sodium_is_zero((const unsigned char *)&handshake, sizeof handshake));

  config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.remote_static = key;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT,
               "XX cannot pin a remote key in advance");

  config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.psk = key;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT,
               "XX has no psk");

  config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.pattern = SYNC_NOISE_PATTERN_IK;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT,
               "the IK initiator needs the responder's key");

  config = config_for(SYNC_NOISE_RESPONDER, &alice, prologue);
  config.pattern = SYNC_NOISE_PATTERN_XX_PSK3;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT,
               "XXpsk3 needs a psk");

  config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.pattern = (sync_noise_pattern)99;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT);

  config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.prologue = NULL;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT);
  config.prologue_bytes = 0;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_OK, "empty prologue");
  sync_noise_handshake_release(&handshake);
}

Test(noise_config, mismatched_static_keypair_is_refused)
{
  struct identity alice;
  struct identity bob;
  sync_noise_handshake handshake;
  identity_generate(&alice);
  identity_generate(&bob);
  sync_noise_keypair mixed = alice.noise;
  memcpy(mixed.public_key, bob.noise.public_key, sizeof mixed.public_key);
  sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.local_static = &mixed;
  cr_assert_eq(sync_noise_handshake_init(&handshake, &config), COOP_E_BAD_INPUT);
  sync_noise_keypair_release(&mixed);
}

/* IK: the initiator must know the responder's key; a wrong one fails at
 * the first message. */
Test(noise_config, ik_with_the_wrong_responder_key_fails)
{
  struct identity alice;
  struct identity bob;
  struct identity mallory;
  struct party initiator;
  struct party responder;
  size_t bytes = 0;
  identity_generate(&alice);
  identity_generate(&bob);
  identity_generate(&mallory);

  for (int wrong = 0; wrong < 2; wrong++) {
    sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
    config.pattern = SYNC_NOISE_PATTERN_IK;
    config.remote_static = wrong ? mallory.noise.public_key : bob.noise.public_key;
    cr_assert_eq(sync_noise_handshake_init(&initiator.handshake, &config), COOP_OK);
    config = config_for(SYNC_NOISE_RESPONDER, &bob, prologue);
    config.pattern = SYNC_NOISE_PATTERN_IK;
    cr_assert_eq(sync_noise_handshake_init(&responder.handshake, &config), COOP_OK);

    size_t message_bytes = 0;
    cr_assert_eq(sync_noise_write_message(&initiator.handshake, NULL, 0, message,
                                          sizeof message, &message_bytes),
                 COOP_OK);
    coop_err err = sync_noise_read_message(&responder.handshake, message, message_bytes,
                                           payload, sizeof payload, &bytes);
    cr_assert_eq(err, wrong ? COOP_E_CRYPTO : COOP_OK);
    parties_release(&initiator, &responder);
  }
}

/* XXpsk3: a wrong pre-shared key fails when the psk is mixed in, at the
 * third message. */
Test(noise_config, xx_psk3_with_a_wrong_psk_fails)
{
  struct identity alice;
  struct identity bob;
  struct party initiator;
  struct party responder;
  unsigned char psk[SYNC_NOISE_KEY_BYTES];
  unsigned char other_psk[SYNC_NOISE_KEY_BYTES];
  identity_generate(&alice);
  identity_generate(&bob);
  randombytes_buf(psk, sizeof psk);
  memcpy(other_psk, psk, sizeof psk);
  other_psk[0] ^= 1;

  sync_noise_config config = config_for(SYNC_NOISE_INITIATOR, &alice, prologue);
  config.pattern = SYNC_NOISE_PATTERN_XX_PSK3;
  config.psk = psk;
  cr_assert_eq(sync_noise_handshake_init(&initiator.handshake, &config), COOP_OK);
  config = config_for(SYNC_NOISE_RESPONDER, &bob, prologue);
  config.pattern = SYNC_NOISE_PATTERN_XX_PSK3;
  config.psk = other_psk;
  cr_assert_eq(sync_noise_handshake_init(&responder.handshake, &config), COOP_OK);

  exchange_until(&initiator, &responder, 2);
  size_t message_bytes = write_message_at(&initiator, &responder, 2);
  cr_assert_eq(read_message_at(&initiator, &responder, 2, message_bytes), COOP_E_CRYPTO);
  parties_release(&initiator, &responder);
}

/* ------------------------------------------------------------------------
 * Ed25519 identity to X25519 static key */

TestSuite(noise_identity, .init = setup);

Test(noise_identity, derivation_is_consistent)
{
  struct identity alice;
  struct identity bob;
  unsigned char public_key[SYNC_NOISE_KEY_BYTES];
  unsigned char shared_alice[SYNC_NOISE_KEY_BYTES];
  unsigned char shared_bob[SYNC_NOISE_KEY_BYTES];
  identity_generate(&alice);
  identity_generate(&bob);

  /* The secret half yields the public half ... */
  cr_assert_eq(crypto_scalarmult_base(public_key, alice.noise.secret_key), 0);
  cr_assert_arr_eq(public_key, alice.noise.public_key, sizeof public_key);
  /* ... which is what a peer derives from the Ed25519 public key alone ... */
  cr_assert_eq(sync_noise_public_from_ed25519(public_key, alice.ed25519_public_key), COOP_OK);
  cr_assert_arr_eq(public_key, alice.noise.public_key, sizeof public_key);
  /* ... and the derived keys agree on a Diffie-Hellman secret. */
  cr_assert_eq(crypto_scalarmult(shared_alice, alice.noise.secret_key, bob.noise.public_key), 0);
  cr_assert_eq(crypto_scalarmult(shared_bob, bob.noise.secret_key, alice.noise.public_key), 0);
  cr_assert_arr_eq(shared_alice, shared_bob, sizeof shared_alice);

  /* The same identity always gives the same key. */
  sync_noise_keypair again;
  cr_assert_eq(sync_noise_keypair_from_ed25519(&again, alice.ed25519_public_key,
                                               alice.ed25519_secret_key),
               COOP_OK);
  cr_assert_arr_eq(&again, &alice.noise, sizeof again);
  sync_noise_keypair_release(&again);
}

Test(noise_identity, mismatched_ed25519_pair_is_refused)
{
  struct identity alice;
  struct identity bob;
  sync_noise_keypair keypair;
  identity_generate(&alice);
  identity_generate(&bob);

  cr_assert_eq(sync_noise_keypair_from_ed25519(&keypair, alice.ed25519_public_key,
                                               bob.ed25519_secret_key),
               COOP_E_BAD_INPUT);
  cr_assert(sodium_is_zero((const unsigned char *)&keypair, sizeof keypair));

  /* Bob's seed carrying Alice's public key: the embedded copy matches, but
   * the seed does not belong to it. */
  unsigned char forged[crypto_sign_SECRETKEYBYTES];
  memcpy(forged, bob.ed25519_secret_key, sizeof forged);
  memcpy(forged + 32, alice.ed25519_public_key, 32);
  cr_assert_eq(sync_noise_keypair_from_ed25519(&keypair, alice.ed25519_public_key, forged),
               COOP_E_BAD_INPUT);
  cr_assert(sodium_is_zero((const unsigned char *)&keypair, sizeof keypair));
  sodium_memzero(forged, sizeof forged);
}

Test(noise_identity, invalid_ed25519_public_key_is_refused)
{
  /* The neutral element: a valid encoding of a small-order point. */
  unsigned char neutral[32] = {1};
  unsigned char public_key[SYNC_NOISE_KEY_BYTES];
  cr_assert_eq(sync_noise_public_from_ed25519(public_key, neutral), COOP_E_BAD_INPUT);
  cr_assert(sodium_is_zero(public_key, sizeof public_key));
}

/* A vector's secret key gives the public key everyone else computes. */
Test(noise_identity, keypair_from_secret)
{
  unsigned char secret[SYNC_NOISE_KEY_BYTES];
  unsigned char expected[SYNC_NOISE_KEY_BYTES];
  sync_noise_keypair keypair;
  randombytes_buf(secret, sizeof secret);
  cr_assert_eq(crypto_scalarmult_base(expected, secret), 0);
  cr_assert_eq(sync_noise_keypair_from_secret(&keypair, secret), COOP_OK);
  cr_assert_arr_eq(keypair.public_key, expected, sizeof expected);
  cr_assert_arr_eq(keypair.secret_key, secret, sizeof secret);
  sync_noise_keypair_release(&keypair);
}
