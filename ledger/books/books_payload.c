/* Codecs of the books' own public entries: books (kind 23), period close
 * (kind 24), period open (kind 25) and year close (kind 27).  The layouts are signed and documented
 * in docs/log-format.md; this file is the only place that knows their bytes. */
#include <stdio.h>
#include <string.h>

#include "ledger/books/books.h"
#include "ledger/log/codec.h"

#define BOOKS_PAYLOAD_VERSION 1u
#define PERIOD_PAYLOAD_VERSION 1u

/* The version byte comes first in both layouts: a short read reports the
 * truncation, any other value is a version this code does not know. */
static coop_err read_version(ledger_reader *reader, uint8_t expected)
{
  uint8_t version = ledger_read_u8(reader);
  if (reader->error)
    return reader->error;
  return version == expected ? COOP_OK : COOP_E_VERSION;
}

coop_err ledger_books_encode(const ledger_books_payload *books, coop_buf *out)
{
  if (books->chart_version != LEDGER_CHART_VERSION)
    return COOP_E_BAD_INPUT;
  coop_err err = COOP_OK;
  ledger_write_u8(out, BOOKS_PAYLOAD_VERSION, &err);
  ledger_write_bytes(out, books->audience_id, LEDGER_AUDIENCE_ID_BYTES, &err);
  ledger_write_u16(out, books->chart_version, &err);
  return err;
}

coop_err ledger_books_decode(const uint8_t *bytes, size_t count, ledger_books_payload *books)
{
  memset(books, 0, sizeof *books);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  coop_err err = read_version(&reader, BOOKS_PAYLOAD_VERSION);
  if (err)
    return err;
  ledger_read_bytes(&reader, books->audience_id, LEDGER_AUDIENCE_ID_BYTES);
  books->chart_version = ledger_read_u16(&reader);
  err = ledger_reader_finish(&reader);
  /* Another chart would give the account codes other meanings. */
  if (!err && books->chart_version != LEDGER_CHART_VERSION)
    err = COOP_E_VERSION;
  if (err)
    memset(books, 0, sizeof *books);
  return err;
}

/* Close and open differ only in their kind (which the header carries), so
 * one pair of functions writes and reads both. */
static coop_err period_encode(uint32_t period, coop_buf *out)
{
  if (!ledger_period_valid(period))
    return COOP_E_BAD_INPUT;
  coop_err err = COOP_OK;
  ledger_write_u8(out, PERIOD_PAYLOAD_VERSION, &err);
  ledger_write_u32(out, period, &err);
  return err;
}

static coop_err period_decode(const uint8_t *bytes, size_t count, uint32_t *period)
{
  *period = 0;
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  coop_err err = read_version(&reader, PERIOD_PAYLOAD_VERSION);
  if (err)
    return err;
  uint32_t value = ledger_read_u32(&reader);
  err = ledger_reader_finish(&reader);
  if (!err && !ledger_period_valid(value))
    err = COOP_E_DECODE;
  if (!err)
    *period = value;
  return err;
}

coop_err ledger_period_close_encode(uint32_t period, coop_buf *out)
{
  return period_encode(period, out);
}

coop_err ledger_period_close_decode(const uint8_t *bytes, size_t count, uint32_t *period)
{
  return period_decode(bytes, count, period);
}

coop_err ledger_period_open_encode(uint32_t period, coop_buf *out)
{
  return period_encode(period, out);
}

coop_err ledger_period_open_decode(const uint8_t *bytes, size_t count, uint32_t *period)
{
  return period_decode(bytes, count, period);
}

/* A year is valid where its January is (1900-9999). */
coop_err ledger_year_close_encode(uint32_t year, coop_buf *out)
{
  if (year > UINT16_MAX || !ledger_period_valid(year * 100 + 1))
    return COOP_E_BAD_INPUT;
  coop_err err = COOP_OK;
  ledger_write_u8(out, PERIOD_PAYLOAD_VERSION, &err);
  ledger_write_u16(out, (uint16_t)year, &err);
  return err;
}

coop_err ledger_year_close_decode(const uint8_t *bytes, size_t count, uint32_t *year)
{
  *year = 0;
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  coop_err err = read_version(&reader, PERIOD_PAYLOAD_VERSION);
  if (err)
    return err;
  uint32_t value = ledger_read_u16(&reader);
  err = ledger_reader_finish(&reader);
  if (!err && !ledger_period_valid(value * 100 + 1))
    err = COOP_E_DECODE;
  if (!err)
    *year = value;
  return err;
}

/* ---- descriptions for `coop log` ------------------------------------------ */

void ledger_books_describe(const ledger_books_payload *books, char *out, size_t out_bytes)
{
  (void)books; /* the audience id means nothing to a reader of the log */
  snprintf(out, out_bytes, "books opened");
}

void ledger_period_close_describe(uint32_t period, char *out, size_t out_bytes)
{
  char month[8];
  ledger_period_format(period, month);
  snprintf(out, out_bytes, "closed %s", month);
}

void ledger_year_close_describe(uint32_t year, char *out, size_t out_bytes)
{
  snprintf(out, out_bytes, "closed the year %u", (unsigned)year);
}

void ledger_period_open_describe(uint32_t period, char *out, size_t out_bytes)
{
  char month[8];
  ledger_period_format(period, month);
  snprintf(out, out_bytes, "books begin at %s", month);
}
