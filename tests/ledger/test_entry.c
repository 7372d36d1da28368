/* Tests for ledger/log/entry.c: the 72-byte entry header, the leaf hash, note
 * text checks and the identity payload. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "ledger/base/limits.h"
#include "ledger/log/entry.h"

static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
}

TestSuite(entry, .init = setup);
TestSuite(leaf, .init = setup);
TestSuite(note, .init = setup);
TestSuite(identity_payload, .init = setup);

/* Decodes a hex literal written in the test (not through ledger/base/hex.c). */
static void from_hex(const char *hex, uint8_t *out, size_t count)
{
  size_t decoded = 0;
  cr_assert_eq(strlen(hex), 2 * count, "bad hex literal length");
  cr_assert_eq(sodium_hex2bin(out, count, hex, strlen(hex), NULL, &decoded, NULL), 0);
  cr_assert_eq(decoded, count);
}

/* The header pinned below. */
static ledger_entry_header fixed_header(void)
{
  ledger_entry_header header;
  memset(&header, 0, sizeof header);
  header.format_version = 1;
  header.kind = LEDGER_KIND_NOTE;
  header.payload_bytes = 0xABCD;
  header.index = UINT64_C(0x0000A1B2C3D4E5F6);
  header.timestamp_ms = UINT64_C(0x8877665544332211);
  for (unsigned i = 0; i < LEDGER_LOG_ID_BYTES; i++)
    header.log_id[i] = (uint8_t)(0x20 + i);
  for (unsigned i = 0; i < LEDGER_AUDIENCE_ID_BYTES; i++)
    header.audience_id[i] = (uint8_t)(0xA0 + i);
  return header;
}

/* Written by hand from the layout in entry.h / docs/log-format.md; this
 * pins the format: changing it breaks every existing log and signature. */
static const char fixed_header_hex[] =
    "0100"                                                             /* format_version 1 */
    "0200"                                                             /* kind 2 (note) */
    "cdab0000"                                                         /* payload_bytes */
    "f6e5d4c3b2a10000"                                                 /* index */
    "1122334455667788"                                                 /* timestamp_ms */
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" /* log_id */
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";                                /* audience_id */

static void fixed_header_bytes(uint8_t out[LEDGER_ENTRY_HEADER_BYTES])
{
  from_hex(fixed_header_hex, out, LEDGER_ENTRY_HEADER_BYTES);
}

static int is_all_zero(const void *bytes, size_t count)
{
  const uint8_t *p = bytes;
  for (size_t i = 0; i < count; i++)
    if (p[i])
      return 0;
  return 1;
}

/* Decodes `bytes` into a header prefilled with garbage and checks the result
 * is `expected` and, on failure, that the output was zeroed. */
static void expect_decode(const uint8_t *bytes, size_t count, coop_err expected)
{
  ledger_entry_header header;
  memset(&header, 0xA5, sizeof header);
  coop_err err = ledger_entry_header_decode(bytes, count, &header);
  cr_assert_eq(err, expected, "decode of %zu bytes: got %s, expected %s", count,
               coop_err_name(err), coop_err_name(expected));
  if (expected != COOP_OK)
    cr_assert(is_all_zero(&header, sizeof header), "output not zeroed after %s",
              coop_err_name(err));
}

Test(entry, header_layout_sizes)
{
  cr_assert_eq(LEDGER_ENTRY_HEADER_BYTES, 72u);
  cr_assert_eq(sizeof fixed_header_hex - 1, 2u * 72u);
  cr_assert_eq(LEDGER_ENTRY_FORMAT_VERSION, 1u);
}

Test(entry, header_encode_matches_pinned_bytes)
{
  ledger_entry_header header = fixed_header();
  uint8_t expected[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(expected);
  uint8_t out[LEDGER_ENTRY_HEADER_BYTES + 1];
  memset(out, 0xEE, sizeof out);
  ledger_entry_header_encode(&header, out);
  cr_assert_arr_eq(out, expected, LEDGER_ENTRY_HEADER_BYTES);
  cr_assert_eq(out[LEDGER_ENTRY_HEADER_BYTES], 0xEE, "encode wrote past 72 bytes");
}

Test(entry, header_decode_of_pinned_bytes)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  ledger_entry_header decoded;
  memset(&decoded, 0xA5, sizeof decoded);
  cr_assert_eq(ledger_entry_header_decode(bytes, sizeof bytes, &decoded), COOP_OK);
  ledger_entry_header expected = fixed_header();
  cr_assert_eq(decoded.format_version, 1);
  cr_assert_eq(decoded.kind, LEDGER_KIND_NOTE);
  cr_assert_eq(decoded.payload_bytes, 0xABCDu);
  cr_assert_eq(decoded.index, UINT64_C(0x0000A1B2C3D4E5F6));
  cr_assert_eq(decoded.timestamp_ms, UINT64_C(0x8877665544332211));
  cr_assert_arr_eq(decoded.log_id, expected.log_id, LEDGER_LOG_ID_BYTES);
  cr_assert_arr_eq(decoded.audience_id, expected.audience_id, LEDGER_AUDIENCE_ID_BYTES);
}

Test(entry, header_round_trip_at_limits)
{
  ledger_entry_header header = fixed_header();
  header.kind = UINT16_MAX; /* unknown kinds are relayed, not rejected */
  header.payload_bytes = COOP_PAYLOAD_BYTES_MAX;
  header.index = COOP_LOG_ENTRIES_MAX - 1;
  header.timestamp_ms = UINT64_MAX;
  memset(header.audience_id, 0, sizeof header.audience_id);
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  ledger_entry_header_encode(&header, bytes);
  ledger_entry_header decoded;
  cr_assert_eq(ledger_entry_header_decode(bytes, sizeof bytes, &decoded), COOP_OK);
  cr_assert_eq(memcmp(&decoded, &header, sizeof header), 0);

  header.kind = 1;
  header.payload_bytes = 0;
  header.index = 0;
  header.timestamp_ms = 0;
  ledger_entry_header_encode(&header, bytes);
  cr_assert_eq(ledger_entry_header_decode(bytes, sizeof bytes, &decoded), COOP_OK);
  cr_assert_eq(memcmp(&decoded, &header, sizeof header), 0);
}

Test(entry, header_round_trip_of_every_known_kind)
{
  static const uint16_t kinds[] = {1, 2, 3, 16, 17, 18, 19, 20, 21, 22};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    ledger_entry_header header = fixed_header();
    header.kind = kinds[i];
    uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
    ledger_entry_header_encode(&header, bytes);
    cr_assert_eq(bytes[2], (uint8_t)kinds[i]);
    cr_assert_eq(bytes[3], 0);
    ledger_entry_header decoded;
    cr_assert_eq(ledger_entry_header_decode(bytes, sizeof bytes, &decoded), COOP_OK);
    cr_assert_eq(decoded.kind, kinds[i]);
  }
}

Test(entry, decode_rejects_short_input)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  for (size_t count = 0; count < LEDGER_ENTRY_HEADER_BYTES; count++)
    expect_decode(bytes, count, COOP_E_DECODE);
}

Test(entry, decode_rejects_trailing_bytes)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES + 8];
  memset(bytes, 0, sizeof bytes);
  fixed_header_bytes(bytes);
  expect_decode(bytes, LEDGER_ENTRY_HEADER_BYTES + 1, COOP_E_TRAILING);
  expect_decode(bytes, sizeof bytes, COOP_E_TRAILING);
}

Test(entry, decode_rejects_unknown_version)
{
  static const uint16_t versions[] = {0, 2, 0x0100, UINT16_MAX};
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES + 1];
  memset(bytes, 0, sizeof bytes);
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    fixed_header_bytes(bytes);
    bytes[0] = (uint8_t)versions[i];
    bytes[1] = (uint8_t)(versions[i] >> 8);
    expect_decode(bytes, LEDGER_ENTRY_HEADER_BYTES, COOP_E_VERSION);
    /* A longer record of a future version reports the version. */
    expect_decode(bytes, LEDGER_ENTRY_HEADER_BYTES + 1, COOP_E_VERSION);
  }
}

Test(entry, decode_rejects_kind_zero)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  bytes[2] = 0;
  bytes[3] = 0;
  expect_decode(bytes, sizeof bytes, COOP_E_DECODE);
  /* Only both bytes zero is kind 0: 0x0100 is a (future) kind. */
  bytes[3] = 1;
  expect_decode(bytes, sizeof bytes, COOP_OK);
}

Test(entry, decode_rejects_payload_over_limit)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  static const uint32_t over[] = {COOP_PAYLOAD_BYTES_MAX + 1, 0x00ffffffu, 0x01000000u,
                                  UINT32_MAX};
  for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
    for (int b = 0; b < 4; b++)
      bytes[4 + b] = (uint8_t)(over[i] >> (8 * b));
    expect_decode(bytes, sizeof bytes, COOP_E_LIMIT);
  }
  for (int b = 0; b < 4; b++)
    bytes[4 + b] = (uint8_t)(COOP_PAYLOAD_BYTES_MAX >> (8 * b));
  expect_decode(bytes, sizeof bytes, COOP_OK);
}

Test(entry, decode_rejects_index_at_or_over_log_limit)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  static const uint64_t over[] = {COOP_LOG_ENTRIES_MAX, COOP_LOG_ENTRIES_MAX + 1,
                                  UINT64_C(1) << 56, UINT64_C(1) << 63, UINT64_MAX};
  for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
    for (int b = 0; b < 8; b++)
      bytes[8 + b] = (uint8_t)(over[i] >> (8 * b));
    expect_decode(bytes, sizeof bytes, COOP_E_LIMIT);
  }
  for (int b = 0; b < 8; b++)
    bytes[8 + b] = (uint8_t)((COOP_LOG_ENTRIES_MAX - 1) >> (8 * b));
  expect_decode(bytes, sizeof bytes, COOP_OK);
}

Test(entry, decode_rejects_trailing_bytes_even_when_fields_valid_but_not_otherwise)
{
  /* Field errors take precedence over "trailing": a long record with kind 0
   * is a decode error, not trailing bytes. */
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES + 4];
  memset(bytes, 0, sizeof bytes);
  fixed_header_bytes(bytes);
  bytes[2] = 0;
  bytes[3] = 0;
  expect_decode(bytes, sizeof bytes, COOP_E_DECODE);
}

Test(entry, timestamp_and_identifiers_are_not_restricted)
{
  uint8_t bytes[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(bytes);
  memset(bytes + 16, 0xff, 8 + 32 + 16);
  ledger_entry_header header;
  cr_assert_eq(ledger_entry_header_decode(bytes, sizeof bytes, &header), COOP_OK);
  cr_assert_eq(header.timestamp_ms, UINT64_MAX);
  cr_assert(!ledger_entry_is_public(&header));
}

Test(entry, is_public_only_when_audience_is_all_zero)
{
  ledger_entry_header header = fixed_header();
  cr_assert(!ledger_entry_is_public(&header));
  memset(header.audience_id, 0, sizeof header.audience_id);
  cr_assert(ledger_entry_is_public(&header));
  for (unsigned i = 0; i < LEDGER_AUDIENCE_ID_BYTES; i++) {
    memset(header.audience_id, 0, sizeof header.audience_id);
    header.audience_id[i] = 0x80;
    cr_assert(!ledger_entry_is_public(&header), "byte %u", i);
  }
}

Test(entry, kind_names)
{
  cr_assert_str_eq(ledger_entry_kind_name(LEDGER_KIND_IDENTITY), "identity");
  cr_assert_str_eq(ledger_entry_kind_name(LEDGER_KIND_NOTE), "note");
  cr_assert_str_eq(ledger_entry_kind_name(LEDGER_KIND_KEY_GRANT), "key_grant");
  cr_assert_str_eq(ledger_entry_kind_name(LEDGER_KIND_TRANSACTION), "transaction");
  cr_assert_str_eq(ledger_entry_kind_name(LEDGER_KIND_COSIGNATURE), "cosignature");
  cr_assert_str_eq(ledger_entry_kind_name(4), "kind-4");
  cr_assert_str_eq(ledger_entry_kind_name(0), "kind-0");
  cr_assert_str_eq(ledger_entry_kind_name(UINT16_MAX), "kind-65535");
}

/* ---- leaf hash ------------------------------------------------------- */

/* SHA-256(0x00 || header || SHA-256(payload)) built by hand. */
static void reference_leaf_hash(const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                                const uint8_t *payload, size_t payload_bytes,
                                uint8_t out[LEDGER_HASH_BYTES])
{
  uint8_t message[1 + LEDGER_ENTRY_HEADER_BYTES + LEDGER_HASH_BYTES];
  message[0] = 0x00;
  memcpy(message + 1, header, LEDGER_ENTRY_HEADER_BYTES);
  crypto_hash_sha256(message + 1 + LEDGER_ENTRY_HEADER_BYTES, payload, payload_bytes);
  crypto_hash_sha256(out, message, sizeof message);
}

static void library_leaf_hash(const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                              const uint8_t *payload, size_t payload_bytes,
                              uint8_t out[LEDGER_HASH_BYTES])
{
  uint8_t payload_hash[LEDGER_HASH_BYTES];
  ledger_payload_hash(payload, payload_bytes, payload_hash);
  ledger_leaf_hash(header, payload_hash, out);
}

Test(leaf, payload_hash_known_answers)
{
  uint8_t out[LEDGER_HASH_BYTES], expected[LEDGER_HASH_BYTES];
  ledger_payload_hash((const uint8_t *)"", 0, out);
  from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", expected,
           sizeof expected);
  cr_assert_arr_eq(out, expected, sizeof out);
  ledger_payload_hash((const uint8_t *)"abc", 3, out);
  from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", expected,
           sizeof expected);
  cr_assert_arr_eq(out, expected, sizeof out);
}

Test(leaf, hash_of_pinned_header_known_answer)
{
  /* Computed with Python's hashlib over the pinned header bytes. */
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], out[LEDGER_HASH_BYTES], expected[LEDGER_HASH_BYTES];
  fixed_header_bytes(header);
  library_leaf_hash(header, (const uint8_t *)"hello, coop", 11, out);
  from_hex("a2bdc48e87a2b367476c45e7085fc9c6b8d02849c5ca57752b8b96262429dced", expected,
           sizeof expected);
  cr_assert_arr_eq(out, expected, sizeof out);
  library_leaf_hash(header, NULL, 0, out);
  from_hex("95b4e4dbf54ac5d068b83e0002e951cdc20b8b8bad3a1827d7fd250760d394be", expected,
           sizeof expected);
  cr_assert_arr_eq(out, expected, sizeof out);
}

Test(leaf, hash_equals_reference_construction)
{
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payload[300];
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 31 + 7);
  for (int round = 0; round < 50; round++) {
    ledger_entry_header fields = fixed_header();
    fields.index = (uint64_t)round;
    fields.payload_bytes = (uint32_t)(round * 6);
    ledger_entry_header_encode(&fields, header);
    uint8_t expected[LEDGER_HASH_BYTES], out[LEDGER_HASH_BYTES];
    reference_leaf_hash(header, payload, fields.payload_bytes, expected);
    library_leaf_hash(header, payload, fields.payload_bytes, out);
    cr_assert_arr_eq(out, expected, sizeof out, "round %d", round);
  }
}

Test(leaf, hash_commits_to_every_header_bit_and_the_payload)
{
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES];
  fixed_header_bytes(header);
  const uint8_t payload[] = "payload";
  uint8_t original[LEDGER_HASH_BYTES], changed[LEDGER_HASH_BYTES];
  library_leaf_hash(header, payload, sizeof payload - 1, original);
  for (unsigned bit = 0; bit < 8 * LEDGER_ENTRY_HEADER_BYTES; bit++) {
    header[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    library_leaf_hash(header, payload, sizeof payload - 1, changed);
    header[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    cr_assert_neq(memcmp(original, changed, sizeof changed), 0, "header bit %u", bit);
  }
  library_leaf_hash(header, (const uint8_t *)"payloae", 7, changed);
  cr_assert_neq(memcmp(original, changed, sizeof changed), 0);
  library_leaf_hash(header, payload, sizeof payload - 2, changed);
  cr_assert_neq(memcmp(original, changed, sizeof changed), 0);
}

Test(leaf, hash_is_domain_separated_from_plain_sha256)
{
  /* Without the 0x00 prefix a leaf could be confused with a node. */
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], payload_hash[LEDGER_HASH_BYTES];
  fixed_header_bytes(header);
  ledger_payload_hash((const uint8_t *)"x", 1, payload_hash);
  uint8_t message[LEDGER_ENTRY_HEADER_BYTES + LEDGER_HASH_BYTES];
  memcpy(message, header, LEDGER_ENTRY_HEADER_BYTES);
  memcpy(message + LEDGER_ENTRY_HEADER_BYTES, payload_hash, LEDGER_HASH_BYTES);
  uint8_t unprefixed[LEDGER_HASH_BYTES], out[LEDGER_HASH_BYTES];
  crypto_hash_sha256(unprefixed, message, sizeof message);
  ledger_leaf_hash(header, payload_hash, out);
  cr_assert_neq(memcmp(out, unprefixed, sizeof out), 0);
}

/* ---- notes --------------------------------------------------------- */

static coop_err check_text(const char *text, size_t bytes)
{
  return ledger_note_check((const uint8_t *)text, bytes);
}

#define NOTE_OK(literal) \
  cr_assert_eq(check_text(literal, sizeof literal - 1), COOP_OK, "rejected: %s", #literal)
#define NOTE_BAD(literal)                                                        \
  cr_assert_eq(check_text(literal, sizeof literal - 1), COOP_E_BAD_INPUT, "accepted: %s", \
               #literal)

Test(note, valid_utf8_accepted)
{
  NOTE_OK("opened the books for 2026");
  NOTE_OK("a");
  NOTE_OK("caf\xc3\xa9");                 /* U+00E9 */
  NOTE_OK("\xc2\xa0");                    /* U+00A0, smallest 2-byte after C1 */
  NOTE_OK("\xdf\xbf");                    /* U+07FF */
  NOTE_OK("\xe0\xa0\x80");                /* U+0800, smallest 3-byte */
  NOTE_OK("\xe2\x82\xac 5");              /* euro sign */
  NOTE_OK("\xed\x9f\xbf");                /* U+D7FF, just below surrogates */
  NOTE_OK("\xee\x80\x80");                /* U+E000, just above surrogates */
  NOTE_OK("\xef\xbf\xbd");                /* U+FFFD */
  NOTE_OK("\xef\xbf\xbf");                /* U+FFFF */
  NOTE_OK("\xf0\x90\x80\x80");            /* U+10000, smallest 4-byte */
  NOTE_OK("\xf0\x9f\x8c\xb1 seedling");   /* U+1F331 */
  NOTE_OK("\xf4\x8f\xbf\xbf");            /* U+10FFFF, the last scalar value */
  NOTE_OK("~ printable ascii !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}");
}

Test(note, newline_and_tab_allowed)
{
  NOTE_OK("line one\nline two");
  NOTE_OK("column\tcolumn");
  NOTE_OK("\n");
  NOTE_OK("\t");
  NOTE_OK("ends with newline\n");
}

Test(note, overlong_encodings_rejected)
{
  NOTE_BAD("\xc0\x80");             /* U+0000 in two bytes */
  NOTE_BAD("\xc0\xaf");             /* '/' in two bytes */
  NOTE_BAD("\xc1\xbf");             /* U+007F in two bytes */
  NOTE_BAD("\xe0\x80\x80");         /* U+0000 in three */
  NOTE_BAD("\xe0\x9f\xbf");         /* U+07FF in three */
  NOTE_BAD("\xf0\x80\x80\x80");     /* U+0000 in four */
  NOTE_BAD("\xf0\x8f\xbf\xbf");     /* U+FFFF in four */
  NOTE_BAD("ok then \xc0\xaf");
}

Test(note, surrogates_rejected)
{
  NOTE_BAD("\xed\xa0\x80");             /* U+D800 */
  NOTE_BAD("\xed\xaf\xbf");             /* U+DBFF */
  NOTE_BAD("\xed\xb0\x80");             /* U+DC00 */
  NOTE_BAD("\xed\xbf\xbf");             /* U+DFFF */
  NOTE_BAD("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 pair */
}

Test(note, values_past_unicode_rejected)
{
  NOTE_BAD("\xf4\x90\x80\x80"); /* U+110000 */
  NOTE_BAD("\xf5\x80\x80\x80");
  NOTE_BAD("\xf7\xbf\xbf\xbf");
  NOTE_BAD("\xf8\x88\x80\x80\x80"); /* old 5-byte form */
  NOTE_BAD("\xfc\x84\x80\x80\x80\x80");
}

Test(note, invalid_bytes_rejected)
{
  NOTE_BAD("\xff");
  NOTE_BAD("\xfe");
  NOTE_BAD("abc\xff");
  NOTE_BAD("\x80");             /* lone continuation */
  NOTE_BAD("a\xbf" "b");
  NOTE_BAD("\xc3");             /* truncated at the end */
  NOTE_BAD("\xe2\x82");
  NOTE_BAD("\xf0\x9f\x8c");
  NOTE_BAD("\xc3" "a");         /* non-continuation after a lead byte */
  NOTE_BAD("\xe2\x28\xac");
  NOTE_BAD("\xe2\x82\x28");
  NOTE_BAD("\xf0\x9f\x8c\x28");
  NOTE_BAD("\xc3\xa9\xa9");     /* extra continuation */
}

Test(note, truncation_is_judged_by_length_not_nul)
{
  /* A lead byte whose continuation lies just past text_bytes is truncated,
   * even though the caller's memory continues. */
  const char text[] = "caf\xc3\xa9";
  cr_assert_eq(check_text(text, 4), COOP_E_BAD_INPUT);
  cr_assert_eq(check_text(text, 5), COOP_OK);
  const char euro[] = "\xe2\x82\xac";
  cr_assert_eq(check_text(euro, 2), COOP_E_BAD_INPUT);
}

Test(note, control_characters_rejected)
{
  for (unsigned c = 0; c < 0x20; c++) {
    if (c == '\n' || c == '\t')
      continue;
    char text[3] = {'a', (char)c, 'b'};
    cr_assert_eq(check_text(text, 3), COOP_E_BAD_INPUT, "control 0x%02x accepted", c);
  }
  NOTE_BAD("\x7f");
  NOTE_BAD("carriage\r\nreturn");
  NOTE_BAD("escape \x1b[31mred");
  char with_nul[] = {'a', 0, 'b'};
  cr_assert_eq(check_text(with_nul, sizeof with_nul), COOP_E_BAD_INPUT);
}

/* entry.h promises "no control characters except newline and tab": that
 * includes the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F, category Cc),
 * e.g. U+009B, the 8-bit CSI some terminals act on, and U+0085 NEL.  Notes
 * are printed by `coop log`.  (Regression: these used to be accepted.) */
Test(note, c1_control_characters_rejected)
{
  unsigned accepted = 0, first_accepted = 0;
  for (unsigned c = 0x80; c <= 0x9f; c++) {
    char text[4] = {'a', (char)0xc2, (char)c, 'b'};
    if (check_text(text, sizeof text) != COOP_E_BAD_INPUT && !accepted++)
      first_accepted = c;
  }
  cr_assert_eq(accepted, 0u, "%u of 32 C1 controls accepted, the first U+%04X", accepted,
               first_accepted);
  NOTE_BAD("\xc2\x85");       /* alone, at the very end */
  NOTE_OK("\xc2\xa0\xc2\xbf"); /* the neighbours U+00A0, U+00BF are not controls */
}

Test(note, empty_rejected)
{
  cr_assert_eq(check_text("", 0), COOP_E_BAD_INPUT);
}

Test(note, length_limit)
{
  static char text[COOP_NOTE_BYTES_MAX + 2];
  memset(text, 'n', sizeof text);
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX), COOP_OK);
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX + 1), COOP_E_LIMIT);
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX + 2), COOP_E_LIMIT);
  /* The limit is in bytes, not characters. */
  for (size_t i = 0; i + 2 <= COOP_NOTE_BYTES_MAX; i += 2) {
    text[i] = (char)0xc3;
    text[i + 1] = (char)0xa9;
  }
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX), COOP_OK);
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX + 1), COOP_E_LIMIT);
  /* A character cut at the limit is invalid. */
  cr_assert_eq(check_text(text, COOP_NOTE_BYTES_MAX - 1), COOP_E_BAD_INPUT);
}

/* ---- roles and identity payloads ------------------------------------ */

Test(identity_payload, role_names_round_trip)
{
  static const struct {
    int role;
    const char *name;
  } roles[] = {{1, "coop"}, {2, "municipality"}, {3, "partner"}, {4, "member"}};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    cr_assert_str_eq(ledger_role_name(roles[i].role), roles[i].name);
    cr_assert_eq(ledger_role_from_name(roles[i].name), roles[i].role);
  }
  cr_assert_null(ledger_role_name(0));
  cr_assert_null(ledger_role_name(5));
  cr_assert_null(ledger_role_name(-1));
  cr_assert_null(ledger_role_name(256 + 1));
  cr_assert_eq(ledger_role_from_name(""), 0);
  cr_assert_eq(ledger_role_from_name("Coop"), 0);
  cr_assert_eq(ledger_role_from_name("members"), 0);
  cr_assert_eq(ledger_role_from_name("admin"), 0);
}

static ledger_identity_payload make_identity(int role, const char *name)
{
  ledger_identity_payload identity;
  memset(&identity, 0, sizeof identity);
  identity.role = role;
  cr_assert_lt(strlen(name), sizeof identity.name);
  memcpy(identity.name, name, strlen(name) + 1);
  return identity;
}

Test(identity_payload, encode_known_bytes_and_decode_back)
{
  ledger_identity_payload identity = make_identity(LEDGER_ROLE_MEMBER, "Jan de Vries");
  uint8_t out[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t out_bytes = 0;
  cr_assert_eq(ledger_identity_payload_encode(&identity, out, &out_bytes), COOP_OK);
  static const uint8_t expected[] = {0x01, 0x04, 0x0c, 'J', 'a', 'n', ' ', 'd', 'e',
                                     ' ', 'V', 'r', 'i', 'e', 's'};
  cr_assert_eq(out_bytes, sizeof expected);
  cr_assert_arr_eq(out, expected, sizeof expected);

  ledger_identity_payload decoded;
  memset(&decoded, 0x5a, sizeof decoded);
  cr_assert_eq(ledger_identity_payload_decode(out, out_bytes, &decoded), COOP_OK);
  cr_assert_eq(decoded.role, LEDGER_ROLE_MEMBER);
  cr_assert_str_eq(decoded.name, "Jan de Vries");
}

Test(identity_payload, round_trip_every_role_utf8_and_longest_name)
{
  char longest[COOP_NAME_BYTES_MAX + 1];
  memset(longest, 'L', COOP_NAME_BYTES_MAX);
  longest[COOP_NAME_BYTES_MAX] = 0;
  const char *names[] = {"Z", "Gemeente Utrecht", "Co\xc3\xb6peratie \xe2\x82\xac", longest};
  for (int role = LEDGER_ROLE_COOP; role <= LEDGER_ROLE_MEMBER; role++)
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      ledger_identity_payload identity = make_identity(role, names[i]);
      uint8_t out[LEDGER_IDENTITY_PAYLOAD_MAX];
      size_t out_bytes = 0;
      cr_assert_eq(ledger_identity_payload_encode(&identity, out, &out_bytes), COOP_OK);
      cr_assert_eq(out_bytes, 3 + strlen(names[i]));
      cr_assert_eq(out[2], strlen(names[i]));
      ledger_identity_payload decoded;
      cr_assert_eq(ledger_identity_payload_decode(out, out_bytes, &decoded), COOP_OK);
      cr_assert_eq(decoded.role, role);
      cr_assert_str_eq(decoded.name, names[i]);
    }
}

Test(identity_payload, encode_rejects_bad_role_and_name)
{
  static const int bad_roles[] = {0, 5, -1, 255, 256 + LEDGER_ROLE_COOP};
  uint8_t out[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t out_bytes = 12345;
  for (size_t i = 0; i < sizeof bad_roles / sizeof bad_roles[0]; i++) {
    ledger_identity_payload identity = make_identity(bad_roles[i], "name");
    cr_assert_eq(ledger_identity_payload_encode(&identity, out, &out_bytes), COOP_E_BAD_INPUT,
                 "role %d", bad_roles[i]);
  }
  const char *bad_names[] = {"", "two\nlines", "tab\there", "bell\a", "\xc3", "\xed\xa0\x80",
                             "del\x7f"};
  for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
    ledger_identity_payload identity = make_identity(LEDGER_ROLE_COOP, bad_names[i]);
    cr_assert_eq(ledger_identity_payload_encode(&identity, out, &out_bytes), COOP_E_BAD_INPUT,
                 "name %zu", i);
  }
}

/* Decodes into a prefilled identity; on failure the output must be zeroed. */
static void expect_identity_decode(const uint8_t *bytes, size_t count, coop_err expected)
{
  ledger_identity_payload decoded;
  memset(&decoded, 0x5a, sizeof decoded);
  coop_err err = ledger_identity_payload_decode(bytes, count, &decoded);
  cr_assert_eq(err, expected, "got %s, expected %s", coop_err_name(err), coop_err_name(expected));
  if (expected != COOP_OK)
    cr_assert(is_all_zero(&decoded, sizeof decoded), "output not zeroed");
}

Test(identity_payload, decode_rejects_bad_role)
{
  uint8_t bytes[] = {1, 0, 3, 'a', 'b', 'c'};
  static const uint8_t roles[] = {0, 5, 6, 0x7f, 0xff};
  for (size_t i = 0; i < sizeof roles; i++) {
    bytes[1] = roles[i];
    expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  }
  bytes[1] = LEDGER_ROLE_PARTNER;
  expect_identity_decode(bytes, sizeof bytes, COOP_OK);
}

Test(identity_payload, decode_rejects_empty_name)
{
  const uint8_t bytes[] = {1, LEDGER_ROLE_COOP, 0};
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
}

Test(identity_payload, decode_rejects_trailing_bytes)
{
  const uint8_t bytes[] = {1, LEDGER_ROLE_COOP, 2, 'h', 'i', '!'};
  expect_identity_decode(bytes, sizeof bytes, COOP_E_TRAILING);
  expect_identity_decode(bytes, sizeof bytes - 1, COOP_OK);
}

Test(identity_payload, decode_rejects_bad_version)
{
  uint8_t bytes[] = {0, LEDGER_ROLE_COOP, 2, 'h', 'i'};
  expect_identity_decode(bytes, sizeof bytes, COOP_E_VERSION);
  bytes[0] = 2;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_VERSION);
  bytes[0] = 0xff;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_VERSION);
}

Test(identity_payload, decode_rejects_short_input)
{
  const uint8_t bytes[] = {1, LEDGER_ROLE_COOP, 5, 'h', 'e', 'l', 'l', 'o'};
  for (size_t count = 0; count < sizeof bytes; count++)
    expect_identity_decode(bytes, count, COOP_E_DECODE);
  expect_identity_decode(bytes, sizeof bytes, COOP_OK);
}

Test(identity_payload, decode_rejects_name_with_newline_or_control)
{
  uint8_t bytes[] = {1, LEDGER_ROLE_COOP, 3, 'a', '\n', 'b'};
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  bytes[4] = '\t';
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  bytes[4] = 0;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  bytes[4] = 0x7f;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  bytes[4] = 0xff;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
  bytes[4] = '-';
  expect_identity_decode(bytes, sizeof bytes, COOP_OK);
  const uint8_t c1[] = {1, LEDGER_ROLE_COOP, 4, 'a', 0xc2, 0x9b, 'b'}; /* U+009B CSI */
  expect_identity_decode(c1, sizeof c1, COOP_E_DECODE);
}

Test(identity_payload, decode_rejects_name_longer_than_limit)
{
  uint8_t bytes[3 + 255];
  memset(bytes, 'x', sizeof bytes);
  bytes[0] = 1;
  bytes[1] = LEDGER_ROLE_MEMBER;
  bytes[2] = COOP_NAME_BYTES_MAX;
  expect_identity_decode(bytes, 3 + COOP_NAME_BYTES_MAX, COOP_OK);
  bytes[2] = COOP_NAME_BYTES_MAX + 1;
  expect_identity_decode(bytes, 3 + COOP_NAME_BYTES_MAX + 1, COOP_E_DECODE);
  bytes[2] = 255;
  expect_identity_decode(bytes, sizeof bytes, COOP_E_DECODE);
}

/* Every single byte, alone and between printable text: the printable-ASCII
 * fast path of the check answers as the rule does (control characters but
 * tab and newline, DEL, and a lone byte from 0x80 on are refused). */
Test(note, every_byte_alone_and_inside_text)
{
  for (unsigned byte = 0; byte < 256; byte++) {
    int allowed = (byte >= 0x20 && byte < 0x7F) || byte == '\n' || byte == '\t';
    coop_err want = allowed ? COOP_OK : COOP_E_BAD_INPUT;
    char alone[1] = {(char)byte}, inside[5] = {'a', 'b', (char)byte, 'c', 'd'};
    cr_assert_eq(check_text(alone, 1), want, "byte 0x%02x alone", byte);
    cr_assert_eq(check_text(inside, sizeof inside), want, "byte 0x%02x inside", byte);
  }
  NOTE_BAD("ab\xc2\x80" "cd"); /* C1 after ASCII */
  NOTE_BAD("abc\xe2\x82");     /* a sequence cut off at the end */
}
