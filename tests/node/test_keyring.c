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
  cr_assert(strstr(message, "holds no entries of that log"), "%s", message);
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
