/* A batch enrolment's audiences made ahead (node/audiences.h): every grant
 * opens, for its reader, to the key the taker is given, in the readers'
 * order, whether workers or the taker made it; ids and keys are fresh per
 * member; a bad reader key is reported, not granted; a batch freed while
 * its workers run stops them. */
#include <criterion/criterion.h>
#include <string.h>

#include <sodium.h>

#include "ledger/log/identity.h"
#include "ledger/log/seal.h"
#include "node/audiences.h"

enum { MEMBERS = 200 };

static ledger_identity coop, municipality, member;
static node_member_enrolment enrolments[MEMBERS];

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  cr_assert_eq(ledger_identity_generate(&coop), COOP_OK);
  cr_assert_eq(ledger_identity_generate(&municipality), COOP_OK);
  cr_assert_eq(ledger_identity_generate(&member), COOP_OK);
  memset(enrolments, 0, sizeof enrolments);
  for (size_t i = 0; i < MEMBERS; i++) {
    node_member_request *request = &enrolments[i].request;
    request->name = "Lid";
    request->client_ref = "ref";
    memcpy(request->municipality, municipality.public_key, 32);
    /* Every tenth brings her own key: three readers. */
    if (i % 10 == 0) {
      request->has_member_key = 1;
      memcpy(request->member_key, member.public_key, 32);
    }
  }
}

static void teardown(void)
{
  ledger_identity_release(&coop);
  ledger_identity_release(&municipality);
  ledger_identity_release(&member);
}

TestSuite(node_audiences, .init = setup, .fini = teardown);

/* The grant `grant` gives `reader` the key `key` of `audience_id`. */
static void assert_grant_opens(const uint8_t *grant, const ledger_identity *reader,
                               const uint8_t *audience_id, const uint8_t *key)
{
  ledger_key_grant decoded;
  cr_assert_eq(ledger_key_grant_decode(grant, LEDGER_KEY_GRANT_BYTES, &decoded), COOP_OK);
  cr_assert_arr_eq(decoded.audience_id, audience_id, LEDGER_AUDIENCE_ID_BYTES);
  cr_assert_arr_eq(decoded.reader, reader->public_key, 32);
  uint8_t opened[LEDGER_AUDIENCE_KEY_BYTES];
  cr_assert_eq(ledger_key_grant_open(&decoded, reader, opened), COOP_OK);
  cr_assert_arr_eq(opened, key, sizeof opened);
}

static void take_every_one(size_t workers)
{
  node_audiences *audiences = NULL;
  cr_assert_eq(node_audiences_start(coop.public_key, enrolments, MEMBERS, workers, &audiences),
               COOP_OK);
  static uint8_t ids[MEMBERS][LEDGER_AUDIENCE_ID_BYTES], keys[MEMBERS][LEDGER_AUDIENCE_KEY_BYTES];
  for (size_t i = 0; i < MEMBERS; i++) {
    node_audience made;
    cr_assert_eq(node_audiences_take(audiences, i, &made), COOP_OK);
    cr_assert_eq(made.grant_count, i % 10 == 0 ? 3u : 2u);
    assert_grant_opens(made.grants[0], &coop, made.audience_id, made.key);
    assert_grant_opens(made.grants[1], &municipality, made.audience_id, made.key);
    if (made.grant_count == 3)
      assert_grant_opens(made.grants[2], &member, made.audience_id, made.key);
    memcpy(ids[i], made.audience_id, sizeof ids[i]);
    memcpy(keys[i], made.key, sizeof keys[i]);
    for (size_t j = 0; j < i; j++) {
      cr_assert_arr_neq(ids[j], ids[i], sizeof ids[i], "a fresh id per member");
      cr_assert_arr_neq(keys[j], keys[i], sizeof keys[i], "a fresh key per member");
    }
  }
  node_audiences_free(audiences);
}

Test(node_audiences, made_by_workers_every_grant_opens_to_the_taken_key)
{
  take_every_one(4);
}

Test(node_audiences, made_by_the_taker_alone_the_same)
{
  take_every_one(0);
}

Test(node_audiences, taken_out_of_order_and_twice_the_same_audience)
{
  node_audiences *audiences = NULL;
  cr_assert_eq(node_audiences_start(coop.public_key, enrolments, MEMBERS, 2, &audiences),
               COOP_OK);
  node_audience last, again, first;
  cr_assert_eq(node_audiences_take(audiences, MEMBERS - 1, &last), COOP_OK);
  cr_assert_eq(node_audiences_take(audiences, 0, &first), COOP_OK);
  cr_assert_eq(node_audiences_take(audiences, MEMBERS - 1, &again), COOP_OK);
  cr_assert_arr_eq(last.audience_id, again.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  cr_assert_arr_eq(last.key, again.key, LEDGER_AUDIENCE_KEY_BYTES);
  assert_grant_opens(first.grants[1], &municipality, first.audience_id, first.key);
  node_audiences_free(audiences);
}

Test(node_audiences, a_municipality_key_that_is_no_node_key_is_reported)
{
  /* Not on the curve: no X25519 key to seal to. */
  memset(enrolments[7].request.municipality, 0xff, 32);
  enrolments[7].request.municipality[31] = 0x7f;
  node_audiences *audiences = NULL;
  cr_assert_eq(node_audiences_start(coop.public_key, enrolments, MEMBERS, 2, &audiences),
               COOP_OK);
  node_audience made;
  cr_assert_eq(node_audiences_take(audiences, 7, &made), COOP_E_CRYPTO);
  cr_assert_eq(node_audiences_take(audiences, 8, &made), COOP_OK);
  node_audiences_free(audiences);
}

Test(node_audiences, freed_while_the_workers_run)
{
  node_audiences *audiences = NULL;
  cr_assert_eq(node_audiences_start(coop.public_key, enrolments, MEMBERS, 4, &audiences),
               COOP_OK);
  node_audience made;
  cr_assert_eq(node_audiences_take(audiences, 0, &made), COOP_OK);
  node_audiences_free(audiences); /* joins the workers; the sanitizer build sees no leak */
}

Test(node_audiences, no_workers_for_a_small_batch)
{
  cr_assert_eq(node_audiences_workers(10), 0);
  cr_assert_geq(node_audiences_workers(10000), 1);
  cr_assert_leq(node_audiences_workers(10000), 4);
}
