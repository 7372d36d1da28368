/* A growable byte buffer with a declared maximum (git's strbuf, curl's dynbuf).
 *
 * Invariants: `data` is never NULL and always followed by a NUL byte, so a
 * buffer of text can be handed to C string functions; `len <= max`.  An
 * append that would pass `max` fails with COOP_E_LIMIT and leaves the buffer
 * unchanged. */
#ifndef COOP_LEDGER_BUFFER_H
#define COOP_LEDGER_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"

typedef struct coop_buf {
  unsigned char *data;
  size_t len;
  size_t capacity; /* bytes allocated for data, excluding the NUL; 0 = static empty */
  size_t max;      /* largest len allowed */
} coop_buf;

/* Starts an empty buffer that may grow to `max` bytes.  Allocates nothing. */
void coop_buf_init(coop_buf *buf, size_t max);

/* Frees the memory and leaves an empty buffer with the same max. */
void coop_buf_release(coop_buf *buf);

/* Empties the buffer, keeping its memory. */
void coop_buf_reset(coop_buf *buf);

/* Ensures room for `extra` more bytes.  COOP_E_LIMIT past max, COOP_E_NOMEM. */
COOP_MUST_USE coop_err coop_buf_grow(coop_buf *buf, size_t extra);

COOP_MUST_USE coop_err coop_buf_append(coop_buf *buf, const void *bytes, size_t count);
COOP_MUST_USE coop_err coop_buf_append_text(coop_buf *buf, const char *text);
COOP_MUST_USE coop_err coop_buf_append_u8(coop_buf *buf, uint8_t value);
COOP_MUST_USE coop_err coop_buf_append_u16le(coop_buf *buf, uint16_t value);
COOP_MUST_USE coop_err coop_buf_append_u32le(coop_buf *buf, uint32_t value);
COOP_MUST_USE coop_err coop_buf_append_u64le(coop_buf *buf, uint64_t value);

/* printf-style append; COOP_E_LIMIT if the result would pass max. */
COOP_MUST_USE coop_err coop_buf_printf(coop_buf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Little-endian helpers for fixed-layout encodings. */
void coop_put_u16le(unsigned char *out, uint16_t value);
void coop_put_u32le(unsigned char *out, uint32_t value);
void coop_put_u64le(unsigned char *out, uint64_t value);
uint16_t coop_get_u16le(const unsigned char *in);
uint32_t coop_get_u32le(const unsigned char *in);
uint64_t coop_get_u64le(const unsigned char *in);

/* Writes all `count` bytes to `fd`, again after a short write or EINTR:
 * COOP_E_IO when the file takes no more. */
coop_err coop_write_all(int fd, const void *bytes, size_t count);

#endif
