/* A receipt's file form (node/receipt.h): canonical JSON, written and read
 * here, beside its users (the CLI's export and verify, the web app's
 * download), so that ledger/ needs no JSON library. */
#include "node/receipt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"

#define RECEIPT_FORMAT "coop-receipt-v1"

/* Says what is wrong in `problem` (the 256 bytes of the reading functions)
 * and returns `err`. */
#define fail(problem, err, ...) (snprintf((problem), 256, __VA_ARGS__), (err))

/* ---- The file: writing ------------------------------------------------------------- */

static json_t *hex_json(const uint8_t *bytes, size_t count)
{
  char *text = coop_malloc(2 * count + 1);
  if (!text)
    return NULL;
  ledger_hex_encode(bytes, count, text);
  json_t *value = json_string(text);
  coop_free(text);
  return value;
}

static json_t *entry_json(const ledger_receipt_entry *entry)
{
  json_t *proof = json_array();
  for (unsigned i = 0; proof && i < entry->proof.count; i++)
    json_array_append_new(proof, hex_json(entry->proof.hashes[i], LEDGER_HASH_BYTES));
  uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(&entry->checkpoint, checkpoint);
  return json_pack("{s:o, s:o, s:o, s:o}", "header",
                   hex_json(entry->header, LEDGER_ENTRY_HEADER_BYTES), "payload",
                   hex_json(entry->payload, entry->payload_bytes), "proof", proof, "checkpoint",
                   hex_json(checkpoint, sizeof checkpoint));
}

/* Keys are added in the documented order; jansson keeps insertion order, so
 * the dump is the canonical text. */
static json_t *receipt_json(const ledger_receipt *receipt)
{
  json_t *root = json_pack("{s:s, s:s, s:s, s:o, s:o}", "format", RECEIPT_FORMAT, "member",
                           receipt->member_label, "period", receipt->period_label, "key",
                           hex_json(receipt->audience_key, sizeof receipt->audience_key),
                           "statement", entry_json(&receipt->statement));
  if (root && receipt->has_cosignature &&
      json_object_set_new(root, "cosignature",
                          json_pack("{s:o, s:o}", "witness",
                                    hex_json(receipt->witness, LEDGER_LOG_ID_BYTES), "signature",
                                    hex_json(receipt->cosignature, LEDGER_SIGNATURE_BYTES))))
    goto failed;
  if (root && receipt->has_verdict &&
      json_object_set_new(root, "verdict", entry_json(&receipt->verdict)))
    goto failed;
  return root;
failed:
  json_decref(root);
  return NULL;
}

coop_err node_receipt_write_json(const ledger_receipt *receipt, char **text)
{
  *text = NULL;
  json_t *root = receipt_json(receipt);
  char *dumped = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
  json_decref(root);
  size_t length = dumped ? strlen(dumped) : 0;
  char *with_newline = dumped ? realloc(dumped, length + 2) : NULL;
  if (!with_newline) {
    free(dumped);
    return COOP_E_NOMEM;
  }
  with_newline[length] = '\n';
  with_newline[length + 1] = 0;
  *text = with_newline;
  return COOP_OK;
}

/* ---- The file: reading --------------------------------------------------------------- */

static coop_err hex_field(json_t *object, const char *where, const char *name, uint8_t *out,
                          size_t min, size_t max, size_t *count, char problem[256])
{
  const char *text = json_string_value(json_object_get(object, name));
  size_t length = text ? strlen(text) : 0;
  if (!text || length % 2 || length / 2 < min || length / 2 > max ||
      strspn(text, "0123456789abcdef") != length || ledger_hex_decode(text, out, length / 2))
    return fail(problem, COOP_E_DECODE,
                "%s: field '%s' is missing or not %zu..%zu bytes of lower-case hex (rule "
                "'fields')",
                where, name, min, max);
  if (count)
    *count = length / 2;
  return COOP_OK;
}

static coop_err only_keys(json_t *object, const char *where, const char *const *keys,
                          size_t count, char problem[256])
{
  if (!json_is_object(object))
    return fail(problem, COOP_E_DECODE, "%s must be an object (rule 'fields')", where);
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value) {
    bool known = false;
    for (size_t i = 0; i < count && !known; i++)
      known = !strcmp(key, keys[i]);
    if (!known)
      return fail(problem, COOP_E_DECODE, "unknown field '%s' in %s (rule 'fields')", key,
                  where);
  }
  return COOP_OK;
}

static coop_err proof_from_json(json_t *proof, const char *where, ledger_proof *out,
                                char problem[256])
{
  if (!json_is_array(proof) || json_array_size(proof) > COOP_PROOF_HASHES_MAX)
    return fail(problem, COOP_E_DECODE,
                "%s: 'proof' must be an array of at most %u hashes (rule 'fields')", where,
                COOP_PROOF_HASHES_MAX);
  out->count = (unsigned)json_array_size(proof);
  for (size_t i = 0; i < out->count; i++) {
    const char *text = json_string_value(json_array_get(proof, i));
    if (!text || strlen(text) != 64 || strspn(text, "0123456789abcdef") != 64 ||
        ledger_hex_decode(text, out->hashes[i], LEDGER_HASH_BYTES))
      return fail(problem, COOP_E_DECODE,
                  "%s: proof[%zu] is not a 32-byte hash in lower-case hex (rule 'fields')",
                  where, i);
  }
  return COOP_OK;
}

static coop_err entry_from_json(json_t *object, const char *where, ledger_receipt_entry *entry,
                                char problem[256])
{
  static const char *const keys[] = {"header", "payload", "proof", "checkpoint"};
  uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES];
  coop_err err = only_keys(object, where, keys, 4, problem);
  if (!err)
    err = hex_field(object, where, "header", entry->header, LEDGER_ENTRY_HEADER_BYTES,
                    LEDGER_ENTRY_HEADER_BYTES, NULL, problem);
  if (!err)
    err = hex_field(object, where, "payload", entry->payload, 0, COOP_PAYLOAD_BYTES_MAX,
                    &entry->payload_bytes, problem);
  if (!err)
    err = hex_field(object, where, "checkpoint", checkpoint, sizeof checkpoint,
                    sizeof checkpoint, NULL, problem);
  if (!err && ledger_checkpoint_decode(checkpoint, sizeof checkpoint, &entry->checkpoint))
    err = fail(problem, COOP_E_DECODE, "%s: the checkpoint does not decode (rule 'fields')",
               where);
  if (!err)
    err = proof_from_json(json_object_get(object, "proof"), where, &entry->proof, problem);
  return err;
}

static coop_err label_from_json(json_t *root, const char *name, char *out, size_t size,
                                char problem[256])
{
  const char *text = json_string_value(json_object_get(root, name));
  if (!text || strlen(text) >= size)
    return fail(problem, COOP_E_DECODE, "the receipt's '%s' is missing or too long (rule "
                                        "'fields')",
                name);
  memcpy(out, text, strlen(text) + 1);
  return COOP_OK;
}

static coop_err cosignature_from_json(json_t *cosignature, ledger_receipt *receipt,
                                      char problem[256])
{
  static const char *const keys[] = {"witness", "signature"};
  coop_err err = only_keys(cosignature, "cosignature", keys, 2, problem);
  if (!err)
    err = hex_field(cosignature, "cosignature", "witness", receipt->witness, LEDGER_LOG_ID_BYTES,
                    LEDGER_LOG_ID_BYTES, NULL, problem);
  if (!err)
    err = hex_field(cosignature, "cosignature", "signature", receipt->cosignature,
                    LEDGER_SIGNATURE_BYTES, LEDGER_SIGNATURE_BYTES, NULL, problem);
  receipt->has_cosignature = !err;
  return err;
}

static coop_err receipt_from_json(json_t *root, ledger_receipt *receipt, char problem[256])
{
  static const char *const keys[] = {"format", "member", "period", "key", "statement",
                                     "cosignature", "verdict"};
  const char *format = json_string_value(json_object_get(root, "format"));
  if (!json_is_object(root) || !format || strcmp(format, RECEIPT_FORMAT))
    return fail(problem, COOP_E_DECODE, "not a %s file (rule 'fields')", RECEIPT_FORMAT);
  coop_err err = only_keys(root, "the receipt", keys, 7, problem);
  if (!err)
    err = label_from_json(root, "member", receipt->member_label, sizeof receipt->member_label,
                          problem);
  if (!err)
    err = label_from_json(root, "period", receipt->period_label, sizeof receipt->period_label,
                          problem);
  if (!err)
    err = hex_field(root, "the receipt", "key", receipt->audience_key, 32, 32, NULL, problem);
  if (!err)
    err = entry_from_json(json_object_get(root, "statement"), "statement", &receipt->statement,
                          problem);
  json_t *cosignature = json_object_get(root, "cosignature");
  if (!err && cosignature)
    err = cosignature_from_json(cosignature, receipt, problem);
  json_t *verdict = json_object_get(root, "verdict");
  if (!err && verdict) {
    err = entry_from_json(verdict, "verdict", &receipt->verdict, problem);
    receipt->has_verdict = !err;
  }
  return err;
}

/* Exactly as written: the canonical text of what was parsed, byte for byte.
 * The canonical text is rebuilt from the parsed parts in the documented
 * key order, so a file with its keys in another order is refused too. */
static coop_err check_canonical(const ledger_receipt *receipt, const char *text, size_t length,
                                char problem[256])
{
  char *canonical = NULL;
  if (node_receipt_write_json(receipt, &canonical))
    return fail(problem, COOP_E_NOMEM, "out of memory");
  size_t canonical_length = strlen(canonical);
  size_t same = 0;
  while (same < length && same < canonical_length && text[same] == canonical[same])
    same++;
  free(canonical);
  if (same == length && same == canonical_length)
    return COOP_OK;
  return fail(problem, COOP_E_DECODE,
              "the file is not exactly as 'coop receipt export' writes it: it differs from the "
              "canonical form at byte %zu (key order, spacing, hex case or a change) (rule "
              "'canonical')",
              same);
}

coop_err node_receipt_read_json(const char *text, size_t length, ledger_receipt *receipt,
                                  char problem[256])
{
  memset(receipt, 0, sizeof *receipt);
  problem[0] = 0;
  json_error_t error;
  json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &error);
  if (!root)
    return fail(problem, COOP_E_DECODE, "line %d: %s (rule 'fields')", error.line, error.text);
  coop_err err = receipt_from_json(root, receipt, problem);
  json_decref(root);
  if (!err)
    err = check_canonical(receipt, text, length, problem);
  if (err)
    sodium_memzero(receipt, sizeof *receipt);
  return err;
}
