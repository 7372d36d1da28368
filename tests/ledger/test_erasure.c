/* The erasure payload (kind 26): pinned bytes, one encoding, what it covers. */
#include <string.h>

#include <criterion/criterion.h>

#include "ledger/base/buffer.h"
#include "ledger/log/erasure.h"

static ledger_erasure example(void)
{
  ledger_erasure erasure;
  memset(&erasure, 0, sizeof erasure);
  erasure.reason = LEDGER_ERASURE_ON_REQUEST;
  memset(erasure.target_log_id, 0xaa, sizeof erasure.target_log_id);
  erasure.audience_count = 1;
  for (int i = 0; i < 16; i++)
    erasure.audiences[0][i] = (uint8_t)(i + 1);
  erasure.grant_count = 2;
  erasure.grants[0] = 5;
  erasure.grants[1] = 6;
  strcpy(erasure.reason_text, "verzoek");
  return erasure;
}

static const uint8_t example_bytes[] = {
  0x01, 0x01,
  0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
  0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
  0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
  0x02, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0,
  0x07, 'v', 'e', 'r', 'z', 'o', 'e', 'k'};

Test(erasure, pinned_bytes_of_the_documented_example)
{
  ledger_erasure erasure = example();
  coop_buf out;
  coop_buf_init(&out, 4096);
  cr_assert_eq(ledger_erasure_encode(&erasure, &out), COOP_OK);
  cr_assert_eq(out.len, sizeof example_bytes);
  cr_assert_eq(out.len, 38u + 16u * 1u + 8u * 2u + 7u);
  cr_assert_eq(memcmp(out.data, example_bytes, out.len), 0);
  ledger_erasure back;
  cr_assert_eq(ledger_erasure_decode(out.data, out.len, &back), COOP_OK);
  cr_assert_eq(memcmp(&back, &erasure, sizeof back), 0);
  coop_buf_release(&out);
}

Test(erasure, encoder_refuses_what_the_decoder_refuses)
{
  coop_buf out;
  coop_buf_init(&out, 4096);
  ledger_erasure bad = example();
  bad.reason = 4;
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  bad.audience_count = 0;
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  bad.audience_count = 2; /* the second is all zero */
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  bad.audience_count = 2;
  memcpy(bad.audiences[1], bad.audiences[0], 16); /* not strictly ascending */
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  bad.grants[1] = 5; /* repeated */
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  bad.reason_text[0] = 0;
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  bad = example();
  strcpy(bad.reason_text, "bad\x01text");
  cr_assert_eq(ledger_erasure_encode(&bad, &out), COOP_E_BAD_INPUT);
  cr_assert_eq(out.len, 0, "nothing is left of a refused encoding");
  coop_buf_release(&out);
}

Test(erasure, decoder_refuses_damage)
{
  uint8_t bytes[sizeof example_bytes + 1];
  ledger_erasure erasure;
  memcpy(bytes, example_bytes, sizeof example_bytes);
  bytes[sizeof example_bytes] = 0;
  cr_assert_neq(ledger_erasure_decode(bytes, sizeof example_bytes + 1, &erasure), COOP_OK,
                "trailing byte");
  cr_assert_neq(ledger_erasure_decode(bytes, sizeof example_bytes - 1, &erasure), COOP_OK,
                "cut short");
  bytes[0] = 2;
  cr_assert_neq(ledger_erasure_decode(bytes, sizeof example_bytes, &erasure), COOP_OK, "version");
  memcpy(bytes, example_bytes, sizeof example_bytes);
  bytes[1] = 0;
  cr_assert_neq(ledger_erasure_decode(bytes, sizeof example_bytes, &erasure), COOP_OK, "reason 0");
  memcpy(bytes, example_bytes, sizeof example_bytes);
  bytes[34] = 17; /* more audiences than allowed */
  cr_assert_neq(ledger_erasure_decode(bytes, sizeof example_bytes, &erasure), COOP_OK);
}

Test(erasure, covers_its_audiences_and_listed_grants_of_its_target_only)
{
  ledger_erasure erasure = example();
  ledger_entry_header header;
  memset(&header, 0, sizeof header);
  memset(header.log_id, 0xaa, sizeof header.log_id);
  header.kind = LEDGER_KIND_TRANSACTION;
  memcpy(header.audience_id, erasure.audiences[0], 16);
  header.index = 9;
  cr_assert(ledger_erasure_covers(&erasure, &header));
  header.audience_id[15] ^= 1;
  cr_assert_not(ledger_erasure_covers(&erasure, &header), "another audience");
  memset(header.audience_id, 0, 16);
  header.kind = LEDGER_KIND_KEY_GRANT;
  header.index = 6;
  cr_assert(ledger_erasure_covers(&erasure, &header), "a listed grant");
  header.index = 7;
  cr_assert_not(ledger_erasure_covers(&erasure, &header), "a grant not listed");
  header.kind = LEDGER_KIND_NOTE;
  header.index = 5;
  cr_assert_not(ledger_erasure_covers(&erasure, &header), "only key grants by index");
  header.kind = LEDGER_KIND_KEY_GRANT;
  header.log_id[0] = 0xbb;
  cr_assert_not(ledger_erasure_covers(&erasure, &header), "another log");
}
