/* Canonical binary payload encoding: fixed-order fields, little-endian
 * integers, length-prefixed byte strings.  A reader fails on the first short
 * read and `ledger_reader_finish` fails on trailing bytes, so each value has
 * exactly one encoding. */
#ifndef COOP_LEDGER_CODEC_H
#define COOP_LEDGER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"

typedef struct ledger_reader {
  const uint8_t *data;
  size_t length;
  size_t position;
  coop_err error; /* first error; later reads return zeros */
} ledger_reader;

void ledger_reader_init(ledger_reader *reader, const uint8_t *data, size_t length);
uint8_t ledger_read_u8(ledger_reader *reader);
uint16_t ledger_read_u16(ledger_reader *reader);
uint32_t ledger_read_u32(ledger_reader *reader);
uint64_t ledger_read_u64(ledger_reader *reader);
int64_t ledger_read_i64(ledger_reader *reader);
void ledger_read_bytes(ledger_reader *reader, uint8_t *out, size_t count);
/* A string with a u8 (short) or u16 length prefix, at most max_bytes, copied
 * with a NUL into out (room for max_bytes + 1).  Must be valid UTF-8 without
 * control characters except newline and tab (COOP_E_DECODE otherwise). */
void ledger_read_text8(ledger_reader *reader, char *out, size_t max_bytes);
void ledger_read_text16(ledger_reader *reader, char *out, size_t max_bytes);
/* COOP_OK when everything was read and nothing is left over. */
COOP_MUST_USE coop_err ledger_reader_finish(const ledger_reader *reader);

/* Writers append to a coop_buf; the first failure sticks in *err. */
void ledger_write_u8(coop_buf *out, uint8_t value, coop_err *err);
void ledger_write_u16(coop_buf *out, uint16_t value, coop_err *err);
void ledger_write_u32(coop_buf *out, uint32_t value, coop_err *err);
void ledger_write_u64(coop_buf *out, uint64_t value, coop_err *err);
void ledger_write_i64(coop_buf *out, int64_t value, coop_err *err);
void ledger_write_bytes(coop_buf *out, const uint8_t *bytes, size_t count, coop_err *err);
/* Text with a u8 / u16 length prefix; COOP_E_LIMIT past max_bytes. */
void ledger_write_text8(coop_buf *out, const char *text, size_t max_bytes, coop_err *err);
void ledger_write_text16(coop_buf *out, const char *text, size_t max_bytes, coop_err *err);

#endif
