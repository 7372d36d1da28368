/* The codecs of the books' own public entries (ledger/books_payload.c):
 * known answers written by hand from docs/log-format.md, so the signed bytes
 * cannot drift, and every strict check of the decoders has a case that
 * breaks it. */
#include <criterion/criterion.h>
#include <string.h>

#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/books.h"

typedef coop_err (*period_encoder)(uint32_t period, coop_buf *out);
typedef coop_err (*period_decoder)(const uint8_t *bytes, size_t count, uint32_t *period);

/* Hex without spaces into a fixed buffer; the length in bytes. */
static size_t from_hex(const char *hex, uint8_t *out, size_t room)
{
  size_t count = strlen(hex) / 2;
  cr_assert_leq(count, room);
  cr_assert_eq(ledger_hex_decode(hex, out, count), COOP_OK, "bad hex %s", hex);
  return count;
}

static void assert_buf_hex(const coop_buf *buf, const char *expected)
{
  char actual[2 * 64 + 1];
  cr_assert_leq(buf->len, 64u);
  ledger_hex_encode(buf->data, buf->len, actual);
  cr_assert_str_eq(actual, expected);
}

static ledger_books_payload sample_books(void)
{
  ledger_books_payload books = {.chart_version = LEDGER_CHART_VERSION};
  for (uint8_t i = 0; i < LEDGER_AUDIENCE_ID_BYTES; i++)
    books.audience_id[i] = i;
  return books;
}

static const char books_hex[] = "01000102030405060708090a0b0c0d0e0f0100";

static coop_err decode_books_hex(const char *hex, ledger_books_payload *books)
{
  uint8_t bytes[64];
  return ledger_books_decode(bytes, from_hex(hex, bytes, sizeof bytes), books);
}

static coop_err decode_period_hex(period_decoder decode, const char *hex, uint32_t *period)
{
  uint8_t bytes[64];
  return decode(bytes, from_hex(hex, bytes, sizeof bytes), period);
}

/* ---- books (kind 23) ----------------------------------------------------- */

Test(books_payload, books_known_answer)
{
  ledger_books_payload books = sample_books(), back;
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_BOOKS_PAYLOAD_BYTES);
  cr_assert_eq(ledger_books_encode(&books, &buf), COOP_OK);
  cr_assert_eq(buf.len, LEDGER_BOOKS_PAYLOAD_BYTES);
  assert_buf_hex(&buf, books_hex);
  coop_buf_release(&buf);
  cr_assert_eq(decode_books_hex(books_hex, &back), COOP_OK);
  cr_assert_arr_eq(back.audience_id, books.audience_id, LEDGER_AUDIENCE_ID_BYTES);
  cr_assert_eq(back.chart_version, LEDGER_CHART_VERSION);
}

Test(books_payload, books_rejects)
{
  ledger_books_payload books;
  cr_assert_eq(decode_books_hex("", &books), COOP_E_DECODE);
  cr_assert_eq(decode_books_hex("01000102030405060708090a0b0c0d0e0f01", &books), COOP_E_DECODE);
  cr_assert_eq(decode_books_hex("01000102030405060708090a0b0c0d0e0f010000", &books),
               COOP_E_TRAILING);
  cr_assert_eq(decode_books_hex("02000102030405060708090a0b0c0d0e0f0100", &books),
               COOP_E_VERSION);
  /* an unknown chart of accounts is a version this code cannot read */
  cr_assert_eq(decode_books_hex("01000102030405060708090a0b0c0d0e0f0200", &books),
               COOP_E_VERSION);
  cr_assert_eq(books.chart_version, 0, "a failed decode leaves nothing behind");
  ledger_books_payload wrong_chart = sample_books();
  wrong_chart.chart_version = 2;
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_BOOKS_PAYLOAD_BYTES);
  cr_assert_eq(ledger_books_encode(&wrong_chart, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);
}

Test(books_payload, books_describe)
{
  ledger_books_payload books = sample_books();
  char text[64];
  ledger_books_describe(&books, text, sizeof text);
  cr_assert_str_eq(text, "books opened");
}

/* ---- period close (kind 24) and period open (kind 25) -------------------- */

static void assert_period_known_answer(period_encoder encode, period_decoder decode,
                                       uint32_t period, const char *hex)
{
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES);
  cr_assert_eq(encode(period, &buf), COOP_OK);
  assert_buf_hex(&buf, hex);
  coop_buf_release(&buf);
  uint32_t back = 0;
  cr_assert_eq(decode_period_hex(decode, hex, &back), COOP_OK);
  cr_assert_eq(back, period);
}

static void assert_period_rejects(period_encoder encode, period_decoder decode)
{
  uint32_t period = 1;
  cr_assert_eq(decode_period_hex(decode, "", &period), COOP_E_DECODE);
  cr_assert_eq(period, 0, "a failed decode leaves nothing behind");
  cr_assert_eq(decode_period_hex(decode, "016b1703", &period), COOP_E_DECODE);
  cr_assert_eq(decode_period_hex(decode, "016b170300ff", &period), COOP_E_TRAILING);
  cr_assert_eq(decode_period_hex(decode, "026b170300", &period), COOP_E_VERSION);
  cr_assert_eq(decode_period_hex(decode, "006b170300", &period), COOP_E_VERSION);
  cr_assert_eq(decode_period_hex(decode, "0175170300", &period), COOP_E_DECODE); /* 202613 */
  cr_assert_eq(decode_period_hex(decode, "0100000000", &period), COOP_E_DECODE); /* 0 */
  cr_assert_eq(decode_period_hex(decode, "0168170300", &period), COOP_E_DECODE); /* 202600 */
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_PERIOD_CLOSE_PAYLOAD_BYTES);
  cr_assert_eq(encode(202613, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(encode(0, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);
}

Test(books_payload, period_close_known_answer)
{
  /* 202603 = 0x0003176b */
  assert_period_known_answer(ledger_period_close_encode, ledger_period_close_decode, 202603,
                             "016b170300");
}

Test(books_payload, period_open_known_answer)
{
  /* the example in docs/log-format.md: opening at 2026-11 */
  assert_period_known_answer(ledger_period_open_encode, ledger_period_open_decode, 202611,
                             "0173170300");
}

Test(books_payload, period_close_rejects)
{
  assert_period_rejects(ledger_period_close_encode, ledger_period_close_decode);
}

Test(books_payload, period_open_rejects)
{
  assert_period_rejects(ledger_period_open_encode, ledger_period_open_decode);
}

Test(books_payload, year_close_known_answer)
{
  /* the example in docs/log-format.md: 2026 = 0x07ea */
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_YEAR_CLOSE_PAYLOAD_BYTES);
  cr_assert_eq(ledger_year_close_encode(2026, &buf), COOP_OK);
  assert_buf_hex(&buf, "01ea07");
  uint32_t year = 0;
  cr_assert_eq(ledger_year_close_decode(buf.data, buf.len, &year), COOP_OK);
  cr_assert_eq(year, 2026);
  coop_buf_release(&buf);
}

Test(books_payload, year_close_rejects)
{
  static const struct {
    const char *hex;
    coop_err err;
  } cases[] = {{"", COOP_E_DECODE},         {"01ea", COOP_E_DECODE},
               {"01ea0700", COOP_E_TRAILING}, {"02ea07", COOP_E_VERSION},
               {"016b07", COOP_E_DECODE} /* 1899 */, {"011027", COOP_E_DECODE} /* 10000 */};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t bytes[8];
    size_t count = from_hex(cases[i].hex, bytes, sizeof bytes);
    uint32_t year = 7;
    cr_assert_eq(ledger_year_close_decode(bytes, count, &year), cases[i].err, "%s", cases[i].hex);
    cr_assert_eq(year, 0, "%s", cases[i].hex);
  }
  coop_buf buf;
  coop_buf_init(&buf, LEDGER_YEAR_CLOSE_PAYLOAD_BYTES);
  cr_assert_eq(ledger_year_close_encode(1899, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(ledger_year_close_encode(10000, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(ledger_year_close_encode(70000, &buf), COOP_E_BAD_INPUT);
  cr_assert_eq(buf.len, 0);
  coop_buf_release(&buf);
  char text[64];
  ledger_year_close_describe(2026, text, sizeof text);
  cr_assert_str_eq(text, "closed the year 2026");
}

Test(books_payload, period_describe)
{
  char text[64];
  ledger_period_close_describe(202603, text, sizeof text);
  cr_assert_str_eq(text, "closed 2026-03");
  ledger_period_open_describe(202611, text, sizeof text);
  cr_assert_str_eq(text, "books begin at 2026-11");
}
