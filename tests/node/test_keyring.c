/* The node's one key ring (node/keyring.h, node_keys): a grant that arrives
 * after a miss is found in the next operation, the books' indexer and the
 * log listing read through it, and an erasure wipes it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/books/books.h"
#include "ledger/log/seal.h"
#include "node/books.h"
#include "node/erase.h"
#include "node/keyring.h"
#include "node/logs.h"
#include "node/node.h"
#include "tests/support/tree.h"

#define NOW_MS "1775000000000" /* 2026-03-31 23:33 UTC */

typedef struct fixture {
  char dir[64];
  char coop_home[96];
  char muni_home[96];
  node coop;
  node muni;
  char member_id[16];
  ledger_member_row member;
} fixture;

static fixture fx;

static void open_node(const char *home, int role, const char *name, node *out)
{
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_create(home, role, name, node_now_ms(), out, message);
  cr_assert_eq(err, COOP_OK, "%s: %s", name, message);
}

/* A coop with one member, Ann, resident of the municipality. */
static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  setenv("COOP_NOW_MS", NOW_MS, 1);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-ring-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  snprintf(fx.coop_home, sizeof fx.coop_home, "%s/coop", fx.dir);
  snprintf(fx.muni_home, sizeof fx.muni_home, "%s/muni", fx.dir);
  open_node(fx.coop_home, LEDGER_ROLE_COOP, "Coop Breda", &fx.coop);
  open_node(fx.muni_home, LEDGER_ROLE_MUNICIPALITY, "Gemeente Breda", &fx.muni);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_books_ready(&fx.coop, message), COOP_OK, "%s", message);
  node_peer peer = {.name = "breda", .role = LEDGER_ROLE_MUNICIPALITY};
  memcpy(peer.key, fx.muni.identity.public_key, 32);
  cr_assert_eq(node_peer_add(&fx.coop, &peer, message), COOP_OK, "%s", message);
  node_member_request request = {.name = "Ann", .client_ref = "BRD-1", .birth_period = 199601,
                                 .from_period = 202601};
  memcpy(request.municipality, fx.muni.identity.public_key, 32);
  cr_assert_eq(node_member_add(&fx.coop, &request, fx.member_id, message), COOP_OK, "%s",
               message);
  cr_assert_eq(node_member_get(&fx.coop, fx.member_id, &fx.member), COOP_OK);
}

static void teardown(void)
{
  node_close(&fx.coop);
  node_close(&fx.muni);
  test_remove_tree(fx.dir);
  unsetenv("COOP_NOW_MS");
}

TestSuite(node_keyring, .init = setup, .fini = teardown);

/* The coop's log into the municipality's store, by bundle. */
static void coop_log_to_muni(void)
{
  FILE *file = tmpfile();
  cr_assert_not_null(file);
  uint64_t written = 0;
  cr_assert_eq(node_log_export(&fx.coop, fx.coop.identity.public_key, 0, file, &written),
               COOP_OK);
  cr_assert_gt(written, 0);
  rewind(file);
  ledger_bundle_result result;
  char problem[256] = "";
  cr_assert_eq(node_log_import(&fx.muni, file, &result, problem), COOP_OK, "%s", problem);
  cr_assert_eq(result.entries_added, written);
  fclose(file);
}

/* Ann's key as a ring holds it (her audience is granted by the coop). */
static const uint8_t *member_key(node_key_ring *ring)
{
  const uint8_t *key = NULL;
  cr_assert_eq(node_key_ring_key(ring, fx.coop.identity.public_key, fx.member.audience_id, &key),
               COOP_OK);
  return key;
}

Test(node_keyring, a_grant_that_arrives_after_a_miss_is_found_in_the_next_operation)
{
  node_key_ring *ring = node_keys(&fx.muni);
  cr_assert_null(member_key(ring), "the municipality holds no grant yet");
  coop_log_to_muni();
  /* Within the same operation the miss stands: one store lookup per audience. */
  cr_assert_null(member_key(ring));
  ring = node_keys(&fx.muni);
  const uint8_t *theirs = member_key(ring);
  cr_assert_not_null(theirs, "the grant that arrived is found in the next operation");
  uint8_t copy[LEDGER_AUDIENCE_KEY_BYTES];
  memcpy(copy, theirs, sizeof copy);
  const uint8_t *ours = member_key(node_keys(&fx.coop));
  cr_assert_not_null(ours);
  cr_assert_arr_eq(copy, ours, LEDGER_AUDIENCE_KEY_BYTES, "one audience, one key on both nodes");
  cr_assert_eq(fx.muni.keys.count, 1, "the audience is looked up once, not once per try");
}

typedef struct readable_count {
  uint64_t entries, sealed_read, enrolments;
} readable_count;

static coop_err count_readable(void *context, const ledger_stored_entry *entry,
                               const uint8_t *plain, size_t plain_bytes)
{
  readable_count *count = context;
  count->entries++;
  if (!plain || ledger_entry_is_public(&entry->header))
    return COOP_OK;
  count->sealed_read++;
  ledger_member_payload member;
  if (entry->header.kind == LEDGER_KIND_MEMBER &&
      !ledger_member_decode(plain, plain_bytes, &member) &&
      member.action == LEDGER_MEMBER_ENROL && !strcmp(member.name, "Ann"))
    count->enrolments++;
  return COOP_OK;
}

Test(node_keyring, the_log_listing_opens_what_the_ring_holds_keys_for)
{
  coop_log_to_muni();
  readable_count count = {0};
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_log_entries(&fx.muni, fx.coop.identity.public_key, 0, count_readable, &count,
                                message),
               COOP_OK, "%s", message);
  uint64_t size = 0;
  cr_assert_eq(node_log_size(&fx.coop, fx.coop.identity.public_key, &size), COOP_OK);
  cr_assert_eq(count.entries, size);
  /* Ann's enrolment and birth month are sealed to her audience, granted to
   * the municipality; the coop's own books audience is not. */
  cr_assert_eq(count.enrolments, 1);
  cr_assert_eq(count.sealed_read, 2);
  uint8_t unknown[LEDGER_LOG_ID_BYTES] = {1};
  cr_assert_eq(node_log_entries(&fx.muni, unknown, 0, count_readable, &count, message),
               COOP_E_NOT_FOUND);
  cr_assert(strstr(message, "holds no entries of the log of"), "%s", message);
}

Test(node_keyring, the_books_indexer_opens_the_own_log_with_the_nodes_ring)
{
  /* A coop cost: sealed to the coop's own books audience. */
  node_record_request cost = {.type = LEDGER_RECORD_COOP_COST, .amount = 1234,
                              .date = 20260304, .ref = "c1"};
  node_record_result recorded;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_record_add(&fx.coop, &cost, &recorded, message), COOP_OK, "%s", message);
  node_key_ring_free(&fx.coop.keys);
  uint64_t entries = 0, size = 0;
  cr_assert_eq(node_books_rebuild(&fx.coop, &entries, message), COOP_OK, "%s", message);
  cr_assert_eq(node_log_size(&fx.coop, fx.coop.identity.public_key, &size), COOP_OK);
  cr_assert_eq(entries, size);
  /* The books audience and Ann's: both opened into the node's ring. */
  cr_assert_eq(fx.coop.keys.count, 2);
  cr_assert_not_null(member_key(&fx.coop.keys));
  cr_assert_eq(fx.coop.keys.count, 2, "found in the ring, not looked up again");
}

Test(node_keyring, an_erasure_wipes_the_ring)
{
  cr_assert_not_null(member_key(node_keys(&fx.coop)));
  cr_assert_gt(fx.coop.keys.count, 0);
  node_erase_request request = {.member_id = fx.member_id, .reason = "test",
                                .before_retention = true};
  node_erase_result result;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_member_erase(&fx.coop, &request, &result, message), COOP_OK, "%s", message);
  cr_assert_eq(fx.coop.keys.count, 0);
  cr_assert_null(fx.coop.keys.slots, "the keys' memory is freed (sodium_free wipes it)");
  cr_assert_null(member_key(node_keys(&fx.coop)), "her grants are gone with her");
}

Test(node_keyring, a_new_audience_key_is_held_until_forgotten)
{
  enum { NEW = 100 };
  static const uint8_t zero[LEDGER_AUDIENCE_KEY_BYTES];
  node_key_ring *ring = node_keys(&fx.coop);
  cr_assert_not_null(member_key(ring));
  size_t held = ring->count;
  cr_assert_eq(node_key_ring_reserve(ring, NEW), COOP_OK);
  cr_assert_geq(ring->capacity, held + NEW);
  const node_key_slot *reserved = ring->slots;
  uint8_t audiences[NEW][LEDGER_AUDIENCE_ID_BYTES], copies[NEW][LEDGER_AUDIENCE_KEY_BYTES];
  const uint8_t *keys[NEW];
  for (size_t i = 0; i < NEW; i++) {
    cr_assert_eq(node_key_ring_new_audience(ring, audiences[i], &keys[i]), COOP_OK);
    cr_assert_arr_neq(keys[i], zero, sizeof zero);
    memcpy(copies[i], keys[i], sizeof copies[i]);
  }
  cr_assert_eq(ring->slots, reserved, "reserved once: the keys did not move");
  cr_assert_eq(ring->count, held + NEW);
  for (size_t i = 0; i < NEW; i++) {
    const uint8_t *key = NULL;
    cr_assert_eq(node_key_ring_key(ring, fx.coop.identity.public_key, audiences[i], &key),
                 COOP_OK);
    cr_assert_eq(key, keys[i], "found in its slot, not looked up in the store");
  }
  cr_assert_arr_neq(copies[0], copies[1], LEDGER_AUDIENCE_KEY_BYTES);
  node_key_ring_forget_from(ring, held);
  cr_assert_eq(ring->count, held);
  for (size_t i = 0; i < NEW; i++)
    cr_assert_arr_eq(keys[i], zero, sizeof zero, "key %zu is wiped", i);
  for (size_t i = 0; i < NEW; i++) {
    const uint8_t *key = NULL;
    cr_assert_eq(node_key_ring_key(ring, fx.coop.identity.public_key, audiences[i], &key),
                 COOP_OK);
    cr_assert_null(key, "a forgotten audience has no grant to find it by");
  }
  cr_assert_not_null(member_key(ring), "the keys held before stay");
}

/* ---- a batch enrolment's keys (node_member_add_many) ------------------- */

enum { BATCH = 400 }; /* ~1,600 entries: the session appends twice before the end */

typedef struct batch {
  char names[BATCH][32];
  char refs[BATCH][32];
  node_member_enrolment enrolments[BATCH];
  char member_ids[BATCH][LEDGER_MEMBER_ID_CHARS + 1];
  size_t refused[BATCH];
  size_t refused_count;
} batch;

static void note_refusal(void *context, size_t index, const char *message)
{
  (void)message;
  batch *b = context;
  b->refused[b->refused_count++] = index;
}

/* BATCH residents of the municipality, born in 1980, each n approved. */
static batch *batch_new(void)
{
  batch *b = calloc(1, sizeof *b);
  cr_assert_not_null(b);
  for (size_t i = 0; i < BATCH; i++) {
    snprintf(b->names[i], sizeof b->names[i], "Member %zu", i);
    snprintf(b->refs[i], sizeof b->refs[i], "BATCH-%zu", i);
    node_member_enrolment *e = &b->enrolments[i];
    e->request = (node_member_request){.name = b->names[i], .client_ref = b->refs[i],
                                       .birth_period = 198001, .from_period = 202603};
    memcpy(e->request.municipality, fx.muni.identity.public_key, 32);
    e->fields[e->field_count++] = LEDGER_MEMBER_N_APPROVED;
  }
  return b;
}

static uint64_t coop_log_size(void)
{
  uint64_t size = 0;
  cr_assert_eq(node_log_size(&fx.coop, fx.coop.identity.public_key, &size), COOP_OK);
  return size;
}

Test(node_keyring, a_batch_refused_at_its_last_member_writes_nothing_and_wipes_its_keys)
{
  batch *b = batch_new();
  /* The last one takes the first one's client ref: refused only once all
   * the others are checked, sealed and partly appended in the transaction. */
  snprintf(b->refs[BATCH - 1], sizeof b->refs[BATCH - 1], "BATCH-0");
  uint64_t size = coop_log_size();
  size_t keys_held = node_keys(&fx.coop)->count;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_add_many(&fx.coop, b->enrolments, BATCH, b->member_ids, note_refusal,
                                      b, message);
  cr_assert_eq(err, COOP_E_EXISTS, "%s", message);
  cr_assert_eq(b->refused_count, 1);
  cr_assert_eq(b->refused[0], BATCH - 1);
  cr_assert_eq(coop_log_size(), size, "nothing appended");
  cr_assert_eq(fx.coop.keys.count, keys_held, "the batch's keys are forgotten");
  for (size_t i = 0; i < BATCH; i++)
    cr_assert_eq(b->member_ids[i][0], 0);
  ledger_member_row row;
  cr_assert_eq(node_member_find(&fx.coop, "BATCH-1", &row, message), COOP_E_NOT_FOUND);
  free(b);
}

Test(node_keyring, a_batchs_grants_give_the_municipality_the_keys_the_coop_sealed_with)
{
  batch *b = batch_new();
  uint64_t size = coop_log_size();
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_member_add_many(&fx.coop, b->enrolments, BATCH, b->member_ids, note_refusal,
                                    b, message),
               COOP_OK, "%s", message);
  /* Per member as node_member_add + node_member_set: two grants (the coop,
   * the municipality), the enrolment, the birth month, n approved. */
  cr_assert_eq(coop_log_size(), size + 5 * BATCH);
  coop_log_to_muni();
  node_key_ring *theirs = node_keys(&fx.muni);
  for (size_t i = 0; i < BATCH; i += BATCH / 8) {
    ledger_member_row row;
    cr_assert_eq(node_member_get(&fx.coop, b->member_ids[i], &row), COOP_OK);
    const uint8_t *key = NULL;
    cr_assert_eq(node_key_ring_key(theirs, fx.coop.identity.public_key, row.audience_id, &key),
                 COOP_OK);
    cr_assert_not_null(key, "the municipality opens %s's grant", b->member_ids[i]);
    uint8_t copy[LEDGER_AUDIENCE_KEY_BYTES];
    memcpy(copy, key, sizeof copy);
    cr_assert_eq(node_key_ring_key(node_keys(&fx.coop), fx.coop.identity.public_key,
                                   row.audience_id, &key),
                 COOP_OK);
    cr_assert_arr_eq(copy, key, sizeof copy, "one audience, one key on both nodes");
  }
  /* The coop's own grants, read back from the log alone: the rebuild opens
   * every entry with keys from the grants, not from the batch's ring. */
  node_key_ring_free(&fx.coop.keys);
  uint64_t entries = 0;
  cr_assert_eq(node_books_rebuild(&fx.coop, &entries, message), COOP_OK, "%s", message);
  cr_assert_eq(entries, coop_log_size());
  ledger_member_row row;
  cr_assert_eq(node_member_find(&fx.coop, "BATCH-399", &row, message), COOP_OK, "%s", message);
  cr_assert_str_eq(row.name, "Member 399");
  free(b);
}
