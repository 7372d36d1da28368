/* Lower-case hexadecimal for hashes, keys and signatures in human output. */
#ifndef COOP_LEDGER_HEX_H
#define COOP_LEDGER_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"

/* Writes 2*count hex digits and a NUL to `text` (room for 2*count+1). */
void ledger_hex_encode(const uint8_t *bytes, size_t count, char *text);

/* Decodes exactly `count` bytes from `text`, which must be exactly 2*count
 * hex digits (either case) and nothing else.  COOP_E_DECODE otherwise; on
 * failure `bytes` is zeroed. */
COOP_MUST_USE coop_err ledger_hex_decode(const char *text, uint8_t *bytes, size_t count);

#endif
