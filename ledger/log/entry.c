#include "ledger/log/entry.h"
#include "ledger/base/sha256.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/buffer.h"

const char *ledger_entry_kind_name(uint16_t kind)
{
  static char unknown[16];
  switch (kind) {
  case LEDGER_KIND_IDENTITY: return "identity";
  case LEDGER_KIND_NOTE: return "note";
  case LEDGER_KIND_KEY_GRANT: return "key_grant";
  case LEDGER_KIND_RULE_SET: return "rule_set";
  case LEDGER_KIND_MEMBER: return "member";
  case LEDGER_KIND_TRANSACTION: return "transaction";
  case LEDGER_KIND_STATEMENT: return "statement";
  case LEDGER_KIND_ACKNOWLEDGEMENT: return "acknowledgement";
  case LEDGER_KIND_DISPUTE: return "dispute";
  case LEDGER_KIND_COSIGNATURE: return "cosignature";
  case LEDGER_KIND_BOOKS: return "books";
  case LEDGER_KIND_PERIOD_CLOSE: return "period_close";
  case LEDGER_KIND_PERIOD_OPEN: return "period_open";
  case LEDGER_KIND_ERASURE: return "erasure";
  case LEDGER_KIND_YEAR_CLOSE: return "year_close";
  default:
    snprintf(unknown, sizeof unknown, "kind-%u", (unsigned)kind);
    return unknown;
  }
}

void ledger_entry_header_encode(const ledger_entry_header *header,
                                uint8_t out[LEDGER_ENTRY_HEADER_BYTES])
{
  assert(header->format_version == LEDGER_ENTRY_FORMAT_VERSION);
  assert(header->kind != 0);
  assert(header->payload_bytes <= COOP_PAYLOAD_BYTES_MAX);
  assert(header->index < COOP_LOG_ENTRIES_MAX);
  coop_put_u16le(out + 0, header->format_version);
  coop_put_u16le(out + 2, header->kind);
  coop_put_u32le(out + 4, header->payload_bytes);
  coop_put_u64le(out + 8, header->index);
  coop_put_u64le(out + 16, header->timestamp_ms);
  memcpy(out + 24, header->log_id, LEDGER_LOG_ID_BYTES);
  memcpy(out + 56, header->audience_id, LEDGER_AUDIENCE_ID_BYTES);
}

static coop_err header_check(const ledger_entry_header *header)
{
  if (header->format_version != LEDGER_ENTRY_FORMAT_VERSION)
    return COOP_E_VERSION;
  if (header->kind == 0)
    return COOP_E_DECODE;
  if (header->payload_bytes > COOP_PAYLOAD_BYTES_MAX)
    return COOP_E_LIMIT;
  if (header->index >= COOP_LOG_ENTRIES_MAX)
    return COOP_E_LIMIT;
  return COOP_OK;
}

coop_err ledger_entry_header_decode(const uint8_t *bytes, size_t bytes_count,
                                    ledger_entry_header *header)
{
  memset(header, 0, sizeof *header);
  if (bytes_count < LEDGER_ENTRY_HEADER_BYTES)
    return bytes_count >= 2 && coop_get_u16le(bytes) != LEDGER_ENTRY_FORMAT_VERSION
               ? COOP_E_VERSION
               : COOP_E_DECODE;
  ledger_entry_header decoded;
  decoded.format_version = coop_get_u16le(bytes + 0);
  decoded.kind = coop_get_u16le(bytes + 2);
  decoded.payload_bytes = coop_get_u32le(bytes + 4);
  decoded.index = coop_get_u64le(bytes + 8);
  decoded.timestamp_ms = coop_get_u64le(bytes + 16);
  memcpy(decoded.log_id, bytes + 24, LEDGER_LOG_ID_BYTES);
  memcpy(decoded.audience_id, bytes + 56, LEDGER_AUDIENCE_ID_BYTES);
  coop_err err = header_check(&decoded);
  if (err)
    return err;
  /* Checked after the fields so that a longer input of a future version
   * reports the version rather than "trailing bytes". */
  if (bytes_count > LEDGER_ENTRY_HEADER_BYTES)
    return COOP_E_TRAILING;
  *header = decoded;
  return COOP_OK;
}

int ledger_entry_is_public(const ledger_entry_header *header)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  return memcmp(header->audience_id, zero, sizeof zero) == 0;
}

void ledger_payload_hash(const uint8_t *payload, size_t payload_bytes,
                         uint8_t out[LEDGER_HASH_BYTES])
{
  coop_sha256(out, payload, payload_bytes);
}

void ledger_leaf_hash(const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                      const uint8_t payload_hash[LEDGER_HASH_BYTES],
                      uint8_t out[LEDGER_HASH_BYTES])
{
  static const uint8_t leaf_prefix = 0x00;
  coop_sha256_parts(out, &leaf_prefix, 1, header, LEDGER_ENTRY_HEADER_BYTES, payload_hash,
                    LEDGER_HASH_BYTES);
}

/* Length of the UTF-8 sequence starting at text[0], or 0 when it is not a
 * valid, shortest-form encoding of a scalar value. */
static size_t utf8_sequence_bytes(const uint8_t *text, size_t available)
{
  uint8_t first = text[0];
  if (first < 0x80)
    return 1;
  size_t length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC2 ? 2 : 0;
  if (!length || first > 0xF4 || length > available)
    return 0;
  for (size_t i = 1; i < length; i++)
    if ((text[i] & 0xC0) != 0x80)
      return 0;
  /* Reject overlong forms, surrogates and values past U+10FFFF. */
  if (first == 0xE0 && text[1] < 0xA0)
    return 0;
  if (first == 0xED && text[1] >= 0xA0)
    return 0;
  if (first == 0xF0 && text[1] < 0x90)
    return 0;
  if (first == 0xF4 && text[1] >= 0x90)
    return 0;
  return length;
}

static coop_err text_check(const uint8_t *text, size_t text_bytes, size_t max_bytes,
                           int allow_newlines)
{
  if (text_bytes == 0)
    return COOP_E_BAD_INPUT;
  if (text_bytes > max_bytes)
    return COOP_E_LIMIT;
  for (size_t i = 0; i < text_bytes;) {
    uint8_t byte = text[i];
    if (byte >= 0x20 && byte < 0x7F) {
      i++; /* printable ASCII, most of every ref and note: nothing more to check */
      continue;
    }
    int allowed_control = allow_newlines && (byte == '\n' || byte == '\t');
    if ((byte < 0x20 && !allowed_control) || byte == 0x7F)
      return COOP_E_BAD_INPUT;
    size_t length = utf8_sequence_bytes(text + i, text_bytes - i);
    if (!length)
      return COOP_E_BAD_INPUT;
    /* U+0080..U+009F are control characters too (C1). */
    if (byte == 0xC2 && text[i + 1] < 0xA0)
      return COOP_E_BAD_INPUT;
    i += length;
  }
  return COOP_OK;
}

coop_err ledger_note_check(const uint8_t *text, size_t text_bytes)
{
  return text_check(text, text_bytes, COOP_NOTE_BYTES_MAX, 1);
}

const char *ledger_role_name(int role)
{
  switch (role) {
  case LEDGER_ROLE_COOP: return "coop";
  case LEDGER_ROLE_MUNICIPALITY: return "municipality";
  case LEDGER_ROLE_PARTNER: return "partner";
  case LEDGER_ROLE_MEMBER: return "member";
  default: return NULL;
  }
}

int ledger_role_from_name(const char *name)
{
  for (int role = LEDGER_ROLE_COOP; role <= LEDGER_ROLE_MEMBER; role++)
    if (!strcmp(name, ledger_role_name(role)))
      return role;
  return 0;
}

coop_err ledger_identity_payload_encode(const ledger_identity_payload *identity,
                                        uint8_t *out, size_t *out_bytes)
{
  size_t name_bytes = strlen(identity->name);
  if (!ledger_role_name(identity->role))
    return COOP_E_BAD_INPUT;
  coop_err err = text_check((const uint8_t *)identity->name, name_bytes, COOP_NAME_BYTES_MAX, 0);
  if (err)
    return err;
  out[0] = 1;
  out[1] = (uint8_t)identity->role;
  out[2] = (uint8_t)name_bytes;
  memcpy(out + 3, identity->name, name_bytes);
  *out_bytes = 3 + name_bytes;
  return COOP_OK;
}

coop_err ledger_identity_payload_decode(const uint8_t *bytes, size_t bytes_count,
                                        ledger_identity_payload *identity)
{
  memset(identity, 0, sizeof *identity);
  if (bytes_count < 3)
    return COOP_E_DECODE;
  if (bytes[0] != 1)
    return COOP_E_VERSION;
  size_t name_bytes = bytes[2];
  if (bytes_count < 3 + name_bytes)
    return COOP_E_DECODE;
  if (bytes_count > 3 + name_bytes)
    return COOP_E_TRAILING;
  if (!ledger_role_name(bytes[1]))
    return COOP_E_DECODE;
  if (text_check(bytes + 3, name_bytes, COOP_NAME_BYTES_MAX, 0))
    return COOP_E_DECODE;
  identity->role = bytes[1];
  memcpy(identity->name, bytes + 3, name_bytes);
  identity->name[name_bytes] = 0;
  return COOP_OK;
}
