#include "ledger/base/buffer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ledger/base/alloc.h"

/* Shared by every empty buffer so that data is never NULL without allocating
 * (git's strbuf_slopbuf).  Never written: capacity 0 means "not ours". */
static unsigned char empty_buffer[1];

void coop_buf_init(coop_buf *buf, size_t max)
{
  buf->data = empty_buffer;
  buf->len = 0;
  buf->capacity = 0;
  buf->max = max;
}

void coop_buf_release(coop_buf *buf)
{
  if (buf->capacity)
    coop_free(buf->data);
  coop_buf_init(buf, buf->max);
}

void coop_buf_reset(coop_buf *buf)
{
  buf->len = 0;
  if (buf->capacity)
    buf->data[0] = 0;
}

coop_err coop_buf_grow(coop_buf *buf, size_t extra)
{
  if (extra > buf->max || buf->len > buf->max - extra)
    return COOP_E_LIMIT;
  /* Past half the address space no allocation can succeed, and capacity + 1
   * (room for the NUL) must not overflow. */
  if (buf->len + extra > SIZE_MAX / 2)
    return COOP_E_NOMEM;
  size_t needed = buf->len + extra;
  if (needed <= buf->capacity && buf->capacity)
    return COOP_OK;
  size_t capacity = buf->capacity ? buf->capacity : 64;
  while (capacity < needed)
    capacity = capacity > buf->max / 2 ? needed : capacity * 2;
  unsigned char *old = buf->capacity ? buf->data : NULL;
  unsigned char *data = coop_realloc(old, capacity + 1);
  if (!data)
    return COOP_E_NOMEM;
  if (!old)
    data[0] = 0;
  buf->data = data;
  buf->capacity = capacity;
  return COOP_OK;
}

coop_err coop_buf_append(coop_buf *buf, const void *bytes, size_t count)
{
  coop_err err = coop_buf_grow(buf, count);
  if (err)
    return err;
  if (count)
    memcpy(buf->data + buf->len, bytes, count);
  buf->len += count;
  buf->data[buf->len] = 0;
  return COOP_OK;
}

coop_err coop_buf_append_text(coop_buf *buf, const char *text)
{
  return coop_buf_append(buf, text, strlen(text));
}

coop_err coop_buf_append_u8(coop_buf *buf, uint8_t value)
{
  return coop_buf_append(buf, &value, 1);
}

coop_err coop_buf_append_u16le(coop_buf *buf, uint16_t value)
{
  unsigned char bytes[2];
  coop_put_u16le(bytes, value);
  return coop_buf_append(buf, bytes, sizeof bytes);
}

coop_err coop_buf_append_u32le(coop_buf *buf, uint32_t value)
{
  unsigned char bytes[4];
  coop_put_u32le(bytes, value);
  return coop_buf_append(buf, bytes, sizeof bytes);
}

coop_err coop_buf_append_u64le(coop_buf *buf, uint64_t value)
{
  unsigned char bytes[8];
  coop_put_u64le(bytes, value);
  return coop_buf_append(buf, bytes, sizeof bytes);
}

coop_err coop_buf_printf(coop_buf *buf, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  int needed = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (needed < 0)
    return COOP_E_BAD_INPUT;
  coop_err err = coop_buf_grow(buf, (size_t)needed);
  if (err)
    return err;
  va_start(args, format);
  vsnprintf((char *)buf->data + buf->len, (size_t)needed + 1, format, args);
  va_end(args);
  buf->len += (size_t)needed;
  return COOP_OK;
}

void coop_put_u16le(unsigned char *out, uint16_t value)
{
  out[0] = (unsigned char)value;
  out[1] = (unsigned char)(value >> 8);
}

void coop_put_u32le(unsigned char *out, uint32_t value)
{
  for (int i = 0; i < 4; i++)
    out[i] = (unsigned char)(value >> (8 * i));
}

void coop_put_u64le(unsigned char *out, uint64_t value)
{
  for (int i = 0; i < 8; i++)
    out[i] = (unsigned char)(value >> (8 * i));
}

uint16_t coop_get_u16le(const unsigned char *in)
{
  return (uint16_t)(in[0] | (in[1] << 8));
}

uint32_t coop_get_u32le(const unsigned char *in)
{
  uint32_t value = 0;
  for (int i = 3; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

uint64_t coop_get_u64le(const unsigned char *in)
{
  uint64_t value = 0;
  for (int i = 7; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

coop_err coop_write_all(int fd, const void *bytes, size_t count)
{
  const unsigned char *next = bytes;
  while (count) {
    ssize_t written = write(fd, next, count);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return COOP_E_IO;
    next += written;
    count -= (size_t)written;
  }
  return COOP_OK;
}
