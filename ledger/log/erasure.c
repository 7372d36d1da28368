/* The erasure payload's one codec (docs/log-format.md §Erasure). */
#include "ledger/log/erasure.h"

#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/base/limits.h"
#include "ledger/log/codec.h"

const char *ledger_erasure_reason_name(uint8_t reason)
{
  switch (reason) {
  case LEDGER_ERASURE_ON_REQUEST: return "on request";
  case LEDGER_ERASURE_RETENTION_ENDED: return "retention ended";
  case LEDGER_ERASURE_BEFORE_RETENTION: return "before retention";
  default: return NULL;
  }
}

static int is_zero(const uint8_t *bytes, size_t count)
{
  uint8_t any = 0;
  for (size_t i = 0; i < count; i++)
    any |= bytes[i];
  return any == 0;
}

/* The rules both directions check: known reason, 1..16 nonzero audiences in
 * strictly ascending order, grants strictly ascending below 2^48, a reason
 * text.  Ascending order makes the encoding unique. */
static coop_err check_fields(const ledger_erasure *erasure)
{
  if (!ledger_erasure_reason_name(erasure->reason) || erasure->audience_count == 0 ||
      erasure->audience_count > LEDGER_ERASURE_AUDIENCES_MAX ||
      erasure->grant_count > LEDGER_ERASURE_GRANTS_MAX || erasure->reason_text[0] == '\0')
    return COOP_E_BAD_INPUT;
  for (unsigned i = 0; i < erasure->audience_count; i++) {
    if (is_zero(erasure->audiences[i], LEDGER_AUDIENCE_ID_BYTES))
      return COOP_E_BAD_INPUT;
    if (i > 0 && memcmp(erasure->audiences[i - 1], erasure->audiences[i],
                        LEDGER_AUDIENCE_ID_BYTES) >= 0)
      return COOP_E_BAD_INPUT;
  }
  for (unsigned i = 0; i < erasure->grant_count; i++) {
    if (erasure->grants[i] >= COOP_LOG_ENTRIES_MAX)
      return COOP_E_BAD_INPUT;
    if (i > 0 && erasure->grants[i - 1] >= erasure->grants[i])
      return COOP_E_BAD_INPUT;
  }
  return COOP_OK;
}

coop_err ledger_erasure_encode(const ledger_erasure *erasure, coop_buf *out)
{
  coop_err err = check_fields(erasure);
  if (err)
    return err;
  size_t start = out->len;
  ledger_write_u8(out, LEDGER_ERASURE_VERSION, &err);
  ledger_write_u8(out, erasure->reason, &err);
  ledger_write_bytes(out, erasure->target_log_id, LEDGER_LOG_ID_BYTES, &err);
  ledger_write_u8(out, erasure->audience_count, &err);
  for (unsigned i = 0; i < erasure->audience_count; i++)
    ledger_write_bytes(out, erasure->audiences[i], LEDGER_AUDIENCE_ID_BYTES, &err);
  ledger_write_u16(out, erasure->grant_count, &err);
  for (unsigned i = 0; i < erasure->grant_count; i++)
    ledger_write_u64(out, erasure->grants[i], &err);
  ledger_write_text8(out, erasure->reason_text, LEDGER_ERASURE_REASON_BYTES_MAX, &err);
  /* The text rules (clean UTF-8) live in the reader: decode what was written. */
  if (!err) {
    ledger_erasure *check = coop_malloc(sizeof *check);
    err = check ? ledger_erasure_decode(out->data + start, out->len - start, check)
                : COOP_E_NOMEM;
    coop_free(check);
    if (err == COOP_E_DECODE)
      err = COOP_E_BAD_INPUT;
  }
  if (err)
    out->len = start;
  return err;
}

coop_err ledger_erasure_decode(const uint8_t *bytes, size_t count, ledger_erasure *erasure)
{
  memset(erasure, 0, sizeof *erasure);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  if (ledger_read_u8(&reader) != LEDGER_ERASURE_VERSION)
    return COOP_E_DECODE;
  erasure->reason = ledger_read_u8(&reader);
  ledger_read_bytes(&reader, erasure->target_log_id, LEDGER_LOG_ID_BYTES);
  erasure->audience_count = ledger_read_u8(&reader);
  if (erasure->audience_count > LEDGER_ERASURE_AUDIENCES_MAX)
    return COOP_E_DECODE;
  for (unsigned i = 0; i < erasure->audience_count; i++)
    ledger_read_bytes(&reader, erasure->audiences[i], LEDGER_AUDIENCE_ID_BYTES);
  erasure->grant_count = ledger_read_u16(&reader);
  if (erasure->grant_count > LEDGER_ERASURE_GRANTS_MAX)
    return COOP_E_DECODE;
  for (unsigned i = 0; i < erasure->grant_count; i++)
    erasure->grants[i] = ledger_read_u64(&reader);
  ledger_read_text8(&reader, erasure->reason_text, LEDGER_ERASURE_REASON_BYTES_MAX);
  coop_err err = ledger_reader_finish(&reader);
  if (err)
    return err;
  return check_fields(erasure) ? COOP_E_DECODE : COOP_OK;
}

int ledger_erasure_covers(const ledger_erasure *erasure, const ledger_entry_header *header)
{
  if (memcmp(header->log_id, erasure->target_log_id, LEDGER_LOG_ID_BYTES) != 0)
    return 0;
  if (header->kind == LEDGER_KIND_KEY_GRANT) {
    for (unsigned i = 0; i < erasure->grant_count; i++)
      if (erasure->grants[i] == header->index)
        return 1;
    return 0;
  }
  for (unsigned i = 0; i < erasure->audience_count; i++)
    if (memcmp(erasure->audiences[i], header->audience_id, LEDGER_AUDIENCE_ID_BYTES) == 0)
      return 1;
  return 0;
}
