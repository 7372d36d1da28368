/* A municipality's offset rule set as a log entry (kind LEDGER_KIND_RULE_SET):
 * the canonical binary payload.  Its JSON form for people and tools is in
 * cli/offset_json.h, the rule sets published on one log in
 * ledger/books/rule_sets.h: this room has no JSON and no store.
 *
 * Byte-exact layout in docs/log-format.md, "Rule set payload (kind 16)".
 * Version 1, 75 bytes plus the municipality's name, every integer
 * little-endian, fields in the order of the JSON rule set:
 *
 *   size field           type
 *      1 version         u8, 1
 *      1 municipality    u8 length, 1..128
 *    len                 UTF-8, no control characters
 *      2 effective_from  u16 year, 1900..9999
 *      1                 u8 month, 1..12
 *      1 regime          u8 (ledger_offset_regime)
 *      8 norm            i64 cents
 *      2 coop_pct        u16 basis points, 0..10000
 *      1 distribution    u8 (ledger_offset_distribution)
 *      2 muni_pct        u16 basis points
 *      1 loss_rule       u8 (ledger_offset_loss_rule)
 *      1 min_age_nrk     u8 years, 0..150
 *      2 pct_n  8 cap_n  2 n_months      u16 bp, i64 cents, u16 months 1..1200
 *      2 pct_r  8 cap_r  2 r_months
 *      2 pct_y  8 cap_y
 *      2 pct_34a         2 months_34a
 *      8 k_month         8 k_year        i64 cents
 *
 * Each value fits its field by the limits of ledger/offset/offset.h, and every field
 * is checked after decoding, so each rule set has exactly one encoding and its
 * leaf hash is its identity.  No JSON is ever hashed or signed: the JSON form
 * is only an exchange format. */
#ifndef COOP_LEDGER_OFFSET_CODEC_H
#define COOP_LEDGER_OFFSET_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"
#include "ledger/log/entry.h"
#include "ledger/offset/offset.h"

#define LEDGER_OFFSET_RULE_SET_PAYLOAD_VERSION 1u

/* Bytes of a version-1 payload besides the municipality's name. */
#define LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES 75u
#define LEDGER_OFFSET_RULE_SET_PAYLOAD_BYTES_MAX \
  (LEDGER_OFFSET_RULE_SET_PAYLOAD_FIXED_BYTES + LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX)

_Static_assert(LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX <= UINT8_MAX,
               "the municipality's name carries a one-byte length");
_Static_assert(LEDGER_OFFSET_BASIS_POINTS_MAX <= UINT16_MAX, "percentages are u16");
_Static_assert(LEDGER_OFFSET_WINDOW_MONTHS_MAX <= UINT16_MAX, "window lengths are u16");
_Static_assert(LEDGER_OFFSET_AGE_MAX <= UINT8_MAX, "min_age_nrk is u8");
_Static_assert(LEDGER_OFFSET_YEAR_MAX <= UINT16_MAX, "years are u16");
_Static_assert(LEDGER_OFFSET_RULE_SET_PAYLOAD_BYTES_MAX <= COOP_PAYLOAD_BYTES_MAX,
               "a rule set fits in one payload");

/* ledger_offset_rule_set_check() plus what the payload adds: the
 * municipality's name must be valid UTF-8 without control characters (not
 * even newline or tab: it is a display name, like a node's).  COOP_E_RANGE
 * with the first bad field's JSON name in *field (if `field` is not NULL). */
COOP_MUST_USE coop_err ledger_offset_rule_set_payload_check(const ledger_offset_rule_set *rule_set,
                                                            const char **field);

/* Appends the canonical payload to `out`.  Checks first
 * (ledger_offset_rule_set_payload_check): COOP_E_RANGE for an invalid rule
 * set; COOP_E_LIMIT, COOP_E_NOMEM from the buffer.  On error `out` is left as
 * it was. */
COOP_MUST_USE coop_err ledger_offset_rule_set_encode(const ledger_offset_rule_set *rule_set,
                                                     coop_buf *out);

/* Decodes exactly one payload of `bytes_count` bytes and checks it as encode
 * does.  Errors: COOP_E_DECODE (too short, or a field out of range or not
 * clean text), COOP_E_VERSION (version not 1), COOP_E_TRAILING (bytes after
 * k_year).  On error *rule_set is zeroed. */
COOP_MUST_USE coop_err ledger_offset_rule_set_decode(const uint8_t *bytes, size_t bytes_count,
                                                     ledger_offset_rule_set *rule_set);

/* The same, and on COOP_E_DECODE *field (if not NULL) names the field that
 * was cut short or is invalid, with its JSON name ("cap_n"), or "version"
 * for an empty payload.  *field is not written on success or for
 * COOP_E_VERSION / COOP_E_TRAILING. */
COOP_MUST_USE coop_err ledger_offset_rule_set_decode_field(const uint8_t *bytes,
                                                           size_t bytes_count,
                                                           ledger_offset_rule_set *rule_set,
                                                           const char **field);

#endif
