/* Log entries: the fixed binary header, entry kinds, and the leaf hash.
 *
 * Byte-exact layout in docs/log-format.md.  An entry is the 72-byte header
 * followed by `payload_bytes` of payload.  Every integer is little-endian.
 *
 *   offset size field
 *        0    2 format_version  (1)
 *        2    2 kind            (ledger_entry_kind; 0 is invalid)
 *        4    4 payload_bytes   (<= COOP_PAYLOAD_BYTES_MAX)
 *        8    8 index           (0-based position in the log)
 *       16    8 timestamp_ms    (Unix time, milliseconds, UTC)
 *       24   32 log_id          (Ed25519 public key of the log's author)
 *       56   16 audience_id     (all zero: public payload; else the id of the
 *                                audience key the payload is sealed under)
 *
 * Leaf hash = SHA-256(0x00 || header || SHA-256(payload)).  Committing to the
 * payload's hash rather than the payload lets a payload be erased later
 * (crypto-shredding) while every proof stays valid. */
#ifndef COOP_LEDGER_ENTRY_H
#define COOP_LEDGER_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/base/limits.h"

#define LEDGER_ENTRY_FORMAT_VERSION 1u
#define LEDGER_ENTRY_HEADER_BYTES 72u
#define LEDGER_LOG_ID_BYTES 32u
#define LEDGER_AUDIENCE_ID_BYTES 16u
#define LEDGER_HASH_BYTES 32u

/* Entry kinds.  Values are part of the signed format: never renumber.  Kinds
 * not listed here are accepted by the header decoder (so that older nodes can
 * still verify and relay newer logs) and ignored when interpreting a log. */
typedef enum ledger_entry_kind {
  LEDGER_KIND_IDENTITY = 1,  /* public: role and display name of the log's author */
  LEDGER_KIND_NOTE = 2,      /* public: short UTF-8 text */
  LEDGER_KIND_KEY_GRANT = 3, /* public envelope: an audience key sealed to one reader */
  /* Reserved for the books, offsets and audit loop (docs/log-format.md). */
  LEDGER_KIND_RULE_SET = 16,
  LEDGER_KIND_MEMBER = 17,
  LEDGER_KIND_TRANSACTION = 18,
  LEDGER_KIND_STATEMENT = 19,
  LEDGER_KIND_ACKNOWLEDGEMENT = 20,
  LEDGER_KIND_DISPUTE = 21,
  LEDGER_KIND_COSIGNATURE = 22,
  LEDGER_KIND_BOOKS = 23,        /* public: the coop's books audience and chart version */
  LEDGER_KIND_PERIOD_CLOSE = 24, /* public: a month is closed */
  LEDGER_KIND_PERIOD_OPEN = 25,  /* public: the books' first month */
  LEDGER_KIND_ERASURE = 26,      /* public: audiences' payloads removed (ledger/log/erasure.h) */
  LEDGER_KIND_YEAR_CLOSE = 27,   /* public: a year of the books is closed */
} ledger_entry_kind;

typedef struct ledger_entry_header {
  uint16_t format_version;
  uint16_t kind;
  uint32_t payload_bytes;
  uint64_t index;
  uint64_t timestamp_ms;
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES];
} ledger_entry_header;

/* Name of a kind for humans and JSON ("note", "key_grant"); "kind-N" for
 * unknown kinds, written into a static buffer (not thread-safe). */
const char *ledger_entry_kind_name(uint16_t kind);

/* Writes the canonical 72 bytes.  The header must be valid (asserted). */
void ledger_entry_header_encode(const ledger_entry_header *header,
                                uint8_t out[LEDGER_ENTRY_HEADER_BYTES]);

/* Decodes exactly one header from `bytes_count` bytes.  Errors:
 * COOP_E_DECODE (too short, kind 0),
 * COOP_E_TRAILING (more than 72 bytes), COOP_E_VERSION (format_version != 1),
 * COOP_E_LIMIT (payload_bytes or index past the limits).  On failure the
 * output is zeroed. */
COOP_MUST_USE coop_err ledger_entry_header_decode(const uint8_t *bytes, size_t bytes_count,
                                                  ledger_entry_header *header);

/* True when the header's audience_id is all zero (payload readable by all). */
int ledger_entry_is_public(const ledger_entry_header *header);

/* SHA-256 of a payload (the empty payload hashes like any other). */
void ledger_payload_hash(const uint8_t *payload, size_t payload_bytes,
                         uint8_t out[LEDGER_HASH_BYTES]);

/* Leaf hash from the encoded header and the payload's hash. */
void ledger_leaf_hash(const uint8_t header[LEDGER_ENTRY_HEADER_BYTES],
                      const uint8_t payload_hash[LEDGER_HASH_BYTES],
                      uint8_t out[LEDGER_HASH_BYTES]);

/* Checks a note's text: valid UTF-8, no control characters except newline
 * and tab, 1..COOP_NOTE_BYTES_MAX bytes.  COOP_E_LIMIT or COOP_E_BAD_INPUT. */
COOP_MUST_USE coop_err ledger_note_check(const uint8_t *text, size_t text_bytes);

/* Roles of nodes, as carried in identity entries. */
typedef enum ledger_role {
  LEDGER_ROLE_COOP = 1,
  LEDGER_ROLE_MUNICIPALITY = 2,
  LEDGER_ROLE_PARTNER = 3,
  LEDGER_ROLE_MEMBER = 4,
} ledger_role;

/* "coop", "municipality", "partner", "member"; NULL for anything else. */
const char *ledger_role_name(int role);
/* The role named by `name`, or 0 when unknown. */
int ledger_role_from_name(const char *name);

/* Identity payload: u8 version (1) | u8 role | u8 name_bytes | name (UTF-8,
 * 1..COOP_NAME_BYTES_MAX bytes, checked like a note without newlines). */
#define LEDGER_IDENTITY_PAYLOAD_MAX (3u + COOP_NAME_BYTES_MAX)
_Static_assert(COOP_NAME_BYTES_MAX <= 255u, "identity names carry a one-byte length");
typedef struct ledger_identity_payload {
  int role;
  char name[COOP_NAME_BYTES_MAX + 1];
} ledger_identity_payload;

/* Encodes into `out` (room for LEDGER_IDENTITY_PAYLOAD_MAX bytes); returns
 * the length through *out_bytes.  COOP_E_BAD_INPUT for a bad role or name. */
COOP_MUST_USE coop_err ledger_identity_payload_encode(const ledger_identity_payload *identity,
                                                      uint8_t *out, size_t *out_bytes);
COOP_MUST_USE coop_err ledger_identity_payload_decode(const uint8_t *bytes, size_t bytes_count,
                                                      ledger_identity_payload *identity);

#endif
