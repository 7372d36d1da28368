/* The canonical payload codec (ledger/log/codec.c): writer and reader round
 * trips with their exact little-endian bytes, short reads that stick and
 * read zeros, trailing bytes, text limits and text validity. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/base/buffer.h"
#include "ledger/log/codec.h"

static const uint8_t all_ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ---- Round trips ---------------------------------------------------------- */

Test(codec, integers_round_trip_little_endian)
{
  coop_buf out;
  coop_buf_init(&out, 1024);
  coop_err err = COOP_OK;
  ledger_write_u8(&out, 0xab, &err);
  ledger_write_u16(&out, 0x0102, &err);
  ledger_write_u32(&out, 0x03040506u, &err);
  ledger_write_u64(&out, UINT64_C(0x0708090a0b0c0d0e), &err);
  ledger_write_i64(&out, -2, &err);
  cr_assert_eq(err, COOP_OK);
  static const uint8_t expected[] = {
      0xab,                                           /* u8 */
      0x02, 0x01,                                     /* u16 */
      0x06, 0x05, 0x04, 0x03,                         /* u32 */
      0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08, 0x07, /* u64 */
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* i64 -2 */
  };
  cr_assert_eq(out.len, sizeof expected);
  cr_assert_arr_eq(out.data, expected, sizeof expected);

  ledger_reader reader;
  ledger_reader_init(&reader, out.data, out.len);
  cr_assert_eq(ledger_read_u8(&reader), 0xab);
  cr_assert_eq(ledger_read_u16(&reader), 0x0102);
  cr_assert_eq(ledger_read_u32(&reader), 0x03040506u);
  cr_assert_eq(ledger_read_u64(&reader), UINT64_C(0x0708090a0b0c0d0e));
  cr_assert_eq(ledger_read_i64(&reader), -2);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_OK);
  coop_buf_release(&out);
}

Test(codec, extremes_round_trip)
{
  coop_buf out;
  coop_buf_init(&out, 1024);
  coop_err err = COOP_OK;
  ledger_write_u16(&out, UINT16_MAX, &err);
  ledger_write_u32(&out, UINT32_MAX, &err);
  ledger_write_u64(&out, UINT64_MAX, &err);
  ledger_write_i64(&out, INT64_MIN, &err);
  ledger_write_i64(&out, INT64_MAX, &err);
  ledger_write_u8(&out, 0, &err);
  cr_assert_eq(err, COOP_OK);
  ledger_reader reader;
  ledger_reader_init(&reader, out.data, out.len);
  cr_assert_eq(ledger_read_u16(&reader), UINT16_MAX);
  cr_assert_eq(ledger_read_u32(&reader), UINT32_MAX);
  cr_assert_eq(ledger_read_u64(&reader), UINT64_MAX);
  cr_assert_eq(ledger_read_i64(&reader), INT64_MIN);
  cr_assert_eq(ledger_read_i64(&reader), INT64_MAX);
  cr_assert_eq(ledger_read_u8(&reader), 0);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_OK);
  coop_buf_release(&out);
}

Test(codec, bytes_and_text_round_trip)
{
  coop_buf out;
  coop_buf_init(&out, 4096);
  coop_err err = COOP_OK;
  const uint8_t raw[5] = {0, 1, 2, 0xfe, 0xff};
  ledger_write_bytes(&out, raw, sizeof raw, &err);
  ledger_write_text8(&out, "café", 64, &err);
  ledger_write_text16(&out, "line one\nline\ttwo", 1024, &err);
  ledger_write_text8(&out, "", 64, &err);
  ledger_write_text16(&out, "", 64, &err);
  cr_assert_eq(err, COOP_OK);
  /* u8 length 5 ("café" is 5 bytes) then the bytes; u16 length 17. */
  cr_assert_eq(out.data[5], 5);
  cr_assert_arr_eq(out.data + 6, "caf\xc3\xa9", 5);
  cr_assert_eq(out.data[11], 17);
  cr_assert_eq(out.data[12], 0);
  cr_assert_eq(out.len, 5 + 1 + 5 + 2 + 17 + 1 + 2);

  ledger_reader reader;
  ledger_reader_init(&reader, out.data, out.len);
  uint8_t back[5];
  char text8[65], text16[1025], empty8[65] = "x", empty16[65] = "x";
  ledger_read_bytes(&reader, back, sizeof back);
  ledger_read_text8(&reader, text8, 64);
  ledger_read_text16(&reader, text16, 1024);
  ledger_read_text8(&reader, empty8, 64);
  ledger_read_text16(&reader, empty16, 64);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_OK);
  cr_assert_arr_eq(back, raw, sizeof raw);
  cr_assert_str_eq(text8, "café");
  cr_assert_str_eq(text16, "line one\nline\ttwo");
  cr_assert_str_eq(empty8, "");
  cr_assert_str_eq(empty16, "");
  coop_buf_release(&out);
}

Test(codec, text_at_its_maximum_round_trips)
{
  char text[256];
  memset(text, 'a', 255);
  text[255] = 0;
  coop_buf out;
  coop_buf_init(&out, 4096);
  coop_err err = COOP_OK;
  ledger_write_text8(&out, text, 255, &err);
  cr_assert_eq(err, COOP_OK);
  cr_assert_eq(out.len, 256);
  ledger_reader reader;
  ledger_reader_init(&reader, out.data, out.len);
  char back[256];
  ledger_read_text8(&reader, back, 255);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_OK);
  cr_assert_str_eq(back, text);
  coop_buf_release(&out);
}

/* ---- Short reads ----------------------------------------------------------- */

Test(codec, short_read_sets_decode_and_later_reads_return_zeros)
{
  const uint8_t data[3] = {0x11, 0x22, 0x33};
  ledger_reader reader;
  ledger_reader_init(&reader, data, sizeof data);
  cr_assert_eq(ledger_read_u32(&reader), 0);
  cr_assert_eq(reader.error, COOP_E_DECODE);
  /* The bytes are there, but after an error nothing more is read. */
  cr_assert_eq(ledger_read_u8(&reader), 0);
  cr_assert_eq(ledger_read_u16(&reader), 0);
  cr_assert_eq(ledger_read_u64(&reader), 0);
  cr_assert_eq(ledger_read_i64(&reader), 0);
  cr_assert_eq(reader.position, 0);
  cr_assert_eq(reader.error, COOP_E_DECODE);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
}

Test(codec, every_short_length_of_every_width_fails)
{
  uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (size_t length = 0; length < 8; length++) {
    ledger_reader reader;
    ledger_reader_init(&reader, data, length);
    cr_assert_eq(ledger_read_u64(&reader), 0, "u64 from %zu bytes", length);
    cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
    if (length < 4) {
      ledger_reader_init(&reader, data, length);
      cr_assert_eq(ledger_read_u32(&reader), 0, "u32 from %zu bytes", length);
      cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
    }
    if (length < 2) {
      ledger_reader_init(&reader, data, length);
      cr_assert_eq(ledger_read_u16(&reader), 0, "u16 from %zu bytes", length);
      cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
    }
  }
  ledger_reader reader;
  ledger_reader_init(&reader, data, 0);
  cr_assert_eq(ledger_read_u8(&reader), 0);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
}

Test(codec, short_bytes_read_zeroes_the_output)
{
  const uint8_t data[4] = {9, 9, 9, 9};
  uint8_t out[16];
  memcpy(out, all_ones, sizeof out);
  ledger_reader reader;
  ledger_reader_init(&reader, data, sizeof data);
  ledger_read_bytes(&reader, out, sizeof out);
  for (size_t i = 0; i < sizeof out; i++)
    cr_assert_eq(out[i], 0, "byte %zu", i);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
}

Test(codec, text_longer_than_the_data_fails)
{
  const uint8_t data[] = {10, 'a', 'b', 'c'};
  ledger_reader reader;
  ledger_reader_init(&reader, data, sizeof data);
  char out[65] = "junk";
  ledger_read_text8(&reader, out, 64);
  cr_assert_str_eq(out, "");
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);

  const uint8_t data16[] = {3, 0, 'a', 'b'};
  ledger_reader_init(&reader, data16, sizeof data16);
  ledger_read_text16(&reader, out, 64);
  cr_assert_str_eq(out, "");
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);

  const uint8_t half_prefix[] = {3};
  ledger_reader_init(&reader, half_prefix, sizeof half_prefix);
  ledger_read_text16(&reader, out, 64);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
}

/* ---- Trailing bytes --------------------------------------------------------- */

Test(codec, trailing_bytes_are_refused)
{
  const uint8_t data[5] = {1, 2, 3, 4, 5};
  ledger_reader reader;
  ledger_reader_init(&reader, data, sizeof data);
  cr_assert_eq(ledger_read_u32(&reader), 0x04030201u);
  cr_assert_eq(reader.error, COOP_OK);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_TRAILING);
  cr_assert_eq(ledger_read_u8(&reader), 5);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_OK);
}

Test(codec, decode_error_wins_over_trailing)
{
  const uint8_t data[] = {200, 'a'};
  ledger_reader reader;
  ledger_reader_init(&reader, data, sizeof data);
  char out[256];
  ledger_read_text8(&reader, out, 255);
  cr_assert_eq(ledger_reader_finish(&reader), COOP_E_DECODE);
}

/* ---- Text rules ----------------------------------------------------------- */

static coop_err read_one_text8(const uint8_t *text, size_t length, size_t max_bytes, char *out)
{
  uint8_t data[300];
  cr_assert_leq(length, 255);
  data[0] = (uint8_t)length;
  memcpy(data + 1, text, length);
  ledger_reader reader;
  ledger_reader_init(&reader, data, length + 1);
  ledger_read_text8(&reader, out, max_bytes);
  return ledger_reader_finish(&reader);
}

Test(codec, text_over_max_is_refused_on_read)
{
  char out[300];
  cr_assert_eq(read_one_text8((const uint8_t *)"abcdef", 6, 6, out), COOP_OK);
  snprintf(out, sizeof out, "junk");
  cr_assert_eq(read_one_text8((const uint8_t *)"abcdefg", 7, 6, out), COOP_E_DECODE);
  cr_assert_str_eq(out, "");
}

Test(codec, text_over_max_is_refused_on_write)
{
  coop_buf out;
  coop_buf_init(&out, 4096);
  coop_err err = COOP_OK;
  ledger_write_text8(&out, "abcdefg", 6, &err);
  cr_assert_eq(err, COOP_E_LIMIT);
  cr_assert_eq(out.len, 0, "a refused text wrote %zu bytes", out.len);

  /* A u8 prefix cannot hold 256 bytes, whatever max says. */
  char long_text[300];
  memset(long_text, 'x', 256);
  long_text[256] = 0;
  err = COOP_OK;
  ledger_write_text8(&out, long_text, 1000, &err);
  cr_assert_eq(err, COOP_E_LIMIT);
  cr_assert_eq(out.len, 0);

  err = COOP_OK;
  ledger_write_text16(&out, long_text, 255, &err);
  cr_assert_eq(err, COOP_E_LIMIT);
  cr_assert_eq(out.len, 0);
  coop_buf_release(&out);
}

Test(codec, first_write_error_sticks)
{
  coop_buf out;
  coop_buf_init(&out, 3);
  coop_err err = COOP_OK;
  ledger_write_u32(&out, 1, &err);
  cr_assert_eq(err, COOP_E_LIMIT);
  ledger_write_u8(&out, 1, &err);
  ledger_write_u16(&out, 1, &err);
  cr_assert_eq(err, COOP_E_LIMIT);
  cr_assert_eq(out.len, 0);

  /* And an earlier error is not overwritten by a later success. */
  coop_buf room;
  coop_buf_init(&room, 100);
  err = COOP_E_DECODE;
  ledger_write_u8(&room, 7, &err);
  cr_assert_eq(err, COOP_E_DECODE);
  cr_assert_eq(room.len, 0);
  coop_buf_release(&room);
  coop_buf_release(&out);
}

Test(codec, invalid_utf8_is_refused)
{
  static const struct {
    const char *bytes;
    const char *why;
  } bad[] = {
      {"\xff", "0xff"},
      {"\xc3\x28", "bad continuation"},
      {"\xc3", "cut sequence"},
      {"ab\xe2\x82", "cut three-byte sequence"},
      {"\xc0\xaf", "overlong slash"},
      {"\xe0\x80\xaf", "overlong three-byte"},
      {"\xed\xa0\x80", "surrogate"},
      {"\xf4\x90\x80\x80", "past U+10FFFF"},
      {"\xf8\x88\x80\x80\x80", "five-byte form"},
      {"\x80", "lone continuation"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char out[300];
    cr_assert_eq(read_one_text8((const uint8_t *)bad[i].bytes, strlen(bad[i].bytes), 64, out),
                 COOP_E_DECODE, "%s accepted", bad[i].why);
    cr_assert_str_eq(out, "");
  }
}

Test(codec, control_characters_are_refused)
{
  static const char *const bad[] = {"a\x01", "\x1b[31m", "a\rb", "del\x7f", "\xc2\x85 (NEL)",
                                    "\xc2\x9f"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char out[300];
    cr_assert_eq(read_one_text8((const uint8_t *)bad[i], strlen(bad[i]), 64, out), COOP_E_DECODE,
                 "text %zu accepted", i);
  }
  /* A NUL inside the text would cut it short when read back as a C string. */
  char out[300];
  cr_assert_eq(read_one_text8((const uint8_t *)"a\0b", 3, 64, out), COOP_E_DECODE);
}

Test(codec, newline_tab_and_multibyte_text_are_accepted)
{
  static const char *const good[] = {"a\nb", "a\tb", "\xc2\xa0", "€ 5", "\xf0\x9f\x98\x80",
                                     "\xf4\x8f\xbf\xbf"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    char out[300];
    cr_assert_eq(read_one_text8((const uint8_t *)good[i], strlen(good[i]), 64, out), COOP_OK,
                 "text %zu refused", i);
    cr_assert_str_eq(out, good[i]);
  }
}

/* Encoding and decoding are a pair: nothing the writer accepts may be
 * refused by the reader. */
Test(codec, the_writer_refuses_text_the_reader_refuses)
{
  static const char *const bad[] = {"bell\x07", "\xff", "\xc3\x28", "cr\r", "\xed\xa0\x80",
                                    "\xc2\x85"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    coop_buf out;
    coop_buf_init(&out, 4096);
    coop_err err = COOP_OK;
    ledger_write_text8(&out, bad[i], 64, &err);
    coop_err err16 = COOP_OK;
    ledger_write_text16(&out, bad[i], 64, &err16);
    if (err == COOP_OK || err16 == COOP_OK) {
      /* Whatever was written must then read back. */
      ledger_reader reader;
      ledger_reader_init(&reader, out.data, out.len);
      char back[65];
      if (err == COOP_OK)
        ledger_read_text8(&reader, back, 64);
      if (err16 == COOP_OK)
        ledger_read_text16(&reader, back, 64);
      cr_assert_eq(ledger_reader_finish(&reader), COOP_OK,
                   "text %zu was written but does not read back", i);
    }
    cr_assert_neq(err, COOP_OK, "text8 %zu written", i);
    cr_assert_neq(err16, COOP_OK, "text16 %zu written", i);
    cr_assert_eq(out.len, 0, "text %zu: a refused text wrote %zu bytes", i, out.len);
    coop_buf_release(&out);
  }
}
