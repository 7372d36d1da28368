#include "ledger/log/codec.h"

#include <string.h>

#include "ledger/log/entry.h"

void ledger_reader_init(ledger_reader *reader, const uint8_t *data, size_t length)
{
  reader->data = data;
  reader->length = length;
  reader->position = 0;
  reader->error = COOP_OK;
}

/* The next `count` bytes, or NULL (and the error set) when there are fewer. */
static const uint8_t *take(ledger_reader *reader, size_t count)
{
  if (reader->error)
    return NULL;
  if (count > reader->length - reader->position) {
    reader->error = COOP_E_DECODE;
    return NULL;
  }
  const uint8_t *start = reader->data + reader->position;
  reader->position += count;
  return start;
}

uint8_t ledger_read_u8(ledger_reader *reader)
{
  const uint8_t *bytes = take(reader, 1);
  return bytes ? bytes[0] : 0;
}

uint16_t ledger_read_u16(ledger_reader *reader)
{
  const uint8_t *bytes = take(reader, 2);
  return bytes ? coop_get_u16le(bytes) : 0;
}

uint32_t ledger_read_u32(ledger_reader *reader)
{
  const uint8_t *bytes = take(reader, 4);
  return bytes ? coop_get_u32le(bytes) : 0;
}

uint64_t ledger_read_u64(ledger_reader *reader)
{
  const uint8_t *bytes = take(reader, 8);
  return bytes ? coop_get_u64le(bytes) : 0;
}

int64_t ledger_read_i64(ledger_reader *reader)
{
  return (int64_t)ledger_read_u64(reader);
}

void ledger_read_bytes(ledger_reader *reader, uint8_t *out, size_t count)
{
  const uint8_t *bytes = take(reader, count);
  if (bytes)
    memcpy(out, bytes, count);
  else
    memset(out, 0, count);
}

static void read_text(ledger_reader *reader, size_t length, char *out, size_t max_bytes)
{
  out[0] = 0;
  if (!reader->error && length > max_bytes) {
    reader->error = COOP_E_DECODE;
    return;
  }
  const uint8_t *bytes = take(reader, length);
  if (!bytes)
    return;
  /* Empty strings are allowed (an absent note); others must be clean text. */
  if (length && ledger_note_check(bytes, length) != COOP_OK) {
    reader->error = COOP_E_DECODE;
    return;
  }
  memcpy(out, bytes, length);
  out[length] = 0;
}

void ledger_read_text8(ledger_reader *reader, char *out, size_t max_bytes)
{
  size_t length = ledger_read_u8(reader);
  read_text(reader, length, out, max_bytes);
}

void ledger_read_text16(ledger_reader *reader, char *out, size_t max_bytes)
{
  size_t length = ledger_read_u16(reader);
  read_text(reader, length, out, max_bytes);
}

coop_err ledger_reader_finish(const ledger_reader *reader)
{
  if (reader->error)
    return reader->error;
  return reader->position == reader->length ? COOP_OK : COOP_E_TRAILING;
}

void ledger_write_u8(coop_buf *out, uint8_t value, coop_err *err)
{
  if (!*err)
    *err = coop_buf_append_u8(out, value);
}

void ledger_write_u16(coop_buf *out, uint16_t value, coop_err *err)
{
  if (!*err)
    *err = coop_buf_append_u16le(out, value);
}

void ledger_write_u32(coop_buf *out, uint32_t value, coop_err *err)
{
  if (!*err)
    *err = coop_buf_append_u32le(out, value);
}

void ledger_write_u64(coop_buf *out, uint64_t value, coop_err *err)
{
  if (!*err)
    *err = coop_buf_append_u64le(out, value);
}

void ledger_write_i64(coop_buf *out, int64_t value, coop_err *err)
{
  ledger_write_u64(out, (uint64_t)value, err);
}

void ledger_write_bytes(coop_buf *out, const uint8_t *bytes, size_t count, coop_err *err)
{
  if (!*err)
    *err = coop_buf_append(out, bytes, count);
}

/* The writer refuses what the reader would refuse, so nothing encodable is
 * undecodable. */
static int text_acceptable(const char *text, size_t length)
{
  return length == 0 || ledger_note_check((const uint8_t *)text, length) == COOP_OK;
}

void ledger_write_text8(coop_buf *out, const char *text, size_t max_bytes, coop_err *err)
{
  size_t length = strlen(text);
  if (!*err && (length > max_bytes || length > UINT8_MAX))
    *err = COOP_E_LIMIT;
  if (!*err && !text_acceptable(text, length))
    *err = COOP_E_BAD_INPUT;
  ledger_write_u8(out, (uint8_t)length, err);
  ledger_write_bytes(out, (const uint8_t *)text, length, err);
}

void ledger_write_text16(coop_buf *out, const char *text, size_t max_bytes, coop_err *err)
{
  size_t length = strlen(text);
  if (!*err && (length > max_bytes || length > UINT16_MAX))
    *err = COOP_E_LIMIT;
  if (!*err && !text_acceptable(text, length))
    *err = COOP_E_BAD_INPUT;
  ledger_write_u16(out, (uint16_t)length, err);
  ledger_write_bytes(out, (const uint8_t *)text, length, err);
}
