/* libFuzzer target for every decoder of the log format: entry header,
 * checkpoint, key grant, identity payload, note text, statement,
 * acknowledgement, dispute and cosignature.  The first input
 * byte picks the decoder.  Each decoder must either reject the input or
 * return a value that encodes back to exactly the same bytes (canonical).
 *
 * Build: meson setup build-fuzz -Dfuzz=true --native-file tests/fuzz/clang.ini
 * Run:   build-fuzz/tests/fuzz/fuzz_log_decoders tests/fuzz/corpus -max_total_time=60 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/statement.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void header_round_trip(const uint8_t *bytes, size_t count)
{
  ledger_entry_header header;
  if (ledger_entry_header_decode(bytes, count, &header) != COOP_OK)
    return;
  uint8_t encoded[LEDGER_ENTRY_HEADER_BYTES];
  ledger_entry_header_encode(&header, encoded);
  assert(count == sizeof encoded);
  assert(memcmp(encoded, bytes, sizeof encoded) == 0);
}

static void checkpoint_round_trip(const uint8_t *bytes, size_t count)
{
  ledger_checkpoint checkpoint;
  if (ledger_checkpoint_decode(bytes, count, &checkpoint) != COOP_OK)
    return;
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(&checkpoint, encoded);
  assert(count == sizeof encoded);
  assert(memcmp(encoded, bytes, sizeof encoded) == 0);
  (void)ledger_checkpoint_verify(&checkpoint);
}

static void key_grant_round_trip(const uint8_t *bytes, size_t count)
{
  ledger_key_grant grant;
  if (ledger_key_grant_decode(bytes, count, &grant) != COOP_OK)
    return;
  uint8_t encoded[LEDGER_KEY_GRANT_BYTES];
  ledger_key_grant_encode(&grant, encoded);
  assert(count == sizeof encoded);
  assert(memcmp(encoded, bytes, sizeof encoded) == 0);
}

static void identity_round_trip(const uint8_t *bytes, size_t count)
{
  ledger_identity_payload identity;
  if (ledger_identity_payload_decode(bytes, count, &identity) != COOP_OK)
    return;
  uint8_t encoded[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t encoded_bytes = 0;
  assert(ledger_identity_payload_encode(&identity, encoded, &encoded_bytes) == COOP_OK);
  assert(encoded_bytes == count);
  assert(memcmp(encoded, bytes, count) == 0);
}

static void statement_round_trip(const uint8_t *bytes, size_t count)
{
  ledger_statement_payload *statement = coop_malloc(sizeof *statement);
  assert(statement);
  if (ledger_statement_decode(bytes, count, statement) == COOP_OK) {
    coop_buf encoded;
    coop_buf_init(&encoded, COOP_PAYLOAD_BYTES_MAX);
    assert(ledger_statement_encode(statement, &encoded) == COOP_OK);
    assert(encoded.len == count && memcmp(encoded.data, bytes, count) == 0);
    coop_buf_release(&encoded);
  }
  coop_free(statement);
}

static void verdict_round_trip(const uint8_t *bytes, size_t count, bool dispute)
{
  ledger_verdict verdict;
  if (ledger_verdict_decode(bytes, count, dispute, &verdict) != COOP_OK)
    return;
  coop_buf encoded;
  coop_buf_init(&encoded, 4096);
  assert(ledger_verdict_encode(&verdict, dispute, &encoded) == COOP_OK);
  assert(encoded.len == count && memcmp(encoded.data, bytes, count) == 0);
  coop_buf_release(&encoded);
}

static void cosignature_round_trip(const uint8_t *bytes, size_t count)
{
  static const uint8_t witness[LEDGER_LOG_ID_BYTES] = {1};
  ledger_cosignature cosignature;
  if (ledger_cosignature_decode(bytes, count, witness, &cosignature) != COOP_OK)
    return;
  uint8_t encoded[LEDGER_COSIGNATURE_PAYLOAD_BYTES];
  ledger_cosignature_encode(&cosignature, encoded);
  assert(count == sizeof encoded && memcmp(encoded, bytes, sizeof encoded) == 0);
  (void)ledger_cosignature_verify(&cosignature);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const uint8_t *bytes = data + 1;
  size_t count = size - 1;
  switch (data[0] % 9) {
  case 0: header_round_trip(bytes, count); break;
  case 1: checkpoint_round_trip(bytes, count); break;
  case 2: key_grant_round_trip(bytes, count); break;
  case 3: identity_round_trip(bytes, count); break;
  case 4: (void)ledger_note_check(bytes, count); break;
  case 5: statement_round_trip(bytes, count); break;
  case 6: verdict_round_trip(bytes, count, false); break;
  case 7: verdict_round_trip(bytes, count, true); break;
  case 8: cosignature_round_trip(bytes, count); break;
  }
  return 0;
}
