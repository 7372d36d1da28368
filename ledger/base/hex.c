#include "ledger/base/hex.h"

#include <string.h>

#include <sodium.h>

void ledger_hex_encode(const uint8_t *bytes, size_t count, char *text)
{
  sodium_bin2hex(text, count * 2 + 1, bytes, count);
}

coop_err ledger_hex_decode(const char *text, uint8_t *bytes, size_t count)
{
  size_t decoded = 0;
  const char *end = NULL;
  if (strlen(text) != count * 2 ||
      sodium_hex2bin(bytes, count, text, count * 2, NULL, &decoded, &end) != 0 ||
      decoded != count || *end != '\0') {
    memset(bytes, 0, count);
    return COOP_E_DECODE;
  }
  return COOP_OK;
}
