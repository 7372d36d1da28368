/* coop receipt export | verify: a member's proof of a month, checked
 * offline.  The file is JSON that only carries the signed binary parts
 * (ledger/receipt.h); nothing in it is trusted until verified, and it must
 * be exactly as written (canonical form, lower-case hex, no unknown fields),
 * so any change to any byte is refused. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/cli.h"
#include "ledger/alloc.h"
#include "ledger/hex.h"
#include "ledger/money.h"
#include "node/audit.h"

#define RECEIPT_FORMAT "coop-receipt-v1"
#define RECEIPT_DUMP_FLAGS (JSON_INDENT(2))
#define RECEIPT_FILE_BYTES_MAX (1024u * 1024u)

static const char usage[] =
    "usage: coop receipt export [--member ID] -p YYYY-MM [--dir DIR] > receipt.json\n"
    "       coop receipt verify FILE\n"
    "\n"
    "export  writes a member's receipt for a month: the coop's statement, its\n"
    "        inclusion proof in a coop checkpoint (cosigned by a witness when one\n"
    "        has), the municipality's acknowledgement with its proof, and the key\n"
    "        that opens these entries.  On a member's own node --member is not\n"
    "        needed.  The key opens the member's own entries only: share a receipt\n"
    "        with whom you would show the statement.\n"
    "verify  checks a receipt offline, without a node or database: every signature,\n"
    "        hash and proof, that the key opens the statement and the verdict, and\n"
    "        that the verdict names exactly this statement and these figures.  It\n"
    "        prints one line saying what the receipt proves, or exactly what fails.\n"
    "        Exit status 0 only for a receipt whose statement was acknowledged.\n";

/* ---- Export ------------------------------------------------------------------- */

static json_t *entry_json(const ledger_receipt_entry *entry)
{
  json_t *proof = json_array();
  for (unsigned i = 0; proof && i < entry->proof.count; i++)
    json_array_append_new(proof, cli_hex_json(entry->proof.hashes[i], LEDGER_HASH_BYTES));
  uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(&entry->checkpoint, checkpoint);
  return json_pack("{s:o, s:o, s:o, s:o}", "header", cli_hex_json(entry->header, LEDGER_ENTRY_HEADER_BYTES),
                   "payload", cli_hex_json(entry->payload, entry->payload_bytes), "proof", proof,
                   "checkpoint", cli_hex_json(checkpoint, sizeof checkpoint));
}

static int receipt_export(int argc, char **argv)
{
  static const struct option options[] = {{"member", required_argument, NULL, 'm'},
                                          {"period", required_argument, NULL, 'p'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  const char *dir = NULL, *member = NULL, *period_text = NULL;
  int option;
  while ((option = getopt_long(argc, argv, "p:h", options, NULL)) != -1) {
    switch (option) {
    case 'm': member = optarg; break;
    case 'p': period_text = optarg; break;
    case 'd': dir = optarg; break;
    case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
    default: return cli_usage_error("receipt", "invalid option");
    }
  }
  if (optind < argc)
    return cli_usage_error("receipt", "unexpected argument '%s'", argv[optind]);
  uint32_t period = 0;
  if (!period_text || ledger_period_parse(period_text, &period))
    return cli_usage_error("receipt", "'receipt export' needs -p YYYY-MM");
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  ledger_receipt *receipt = sodium_malloc(sizeof *receipt);
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = receipt ? node_receipt_build(&opened, member, period, receipt, message)
                         : COOP_E_NOMEM;
  node_close(&opened);
  if (err) {
    cli_error("%s", message[0] ? message : coop_err_message(err));
    if (receipt)
      sodium_free(receipt);
    return CLI_EXIT_FAILURE;
  }
  ledger_entry_header header;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1] = "";
  if (!ledger_entry_header_decode(receipt->statement.header, LEDGER_ENTRY_HEADER_BYTES, &header))
    ledger_member_id(header.audience_id, member_id);
  char period_out[8];
  ledger_period_format(period, period_out);
  json_t *root = json_pack("{s:s, s:s, s:s, s:o, s:o}", "format", RECEIPT_FORMAT, "member",
                           member_id, "period", period_out, "key",
                           cli_hex_json(receipt->audience_key, sizeof receipt->audience_key), "statement",
                           entry_json(&receipt->statement));
  if (root && receipt->has_cosignature)
    json_object_set_new(root, "cosignature",
                        json_pack("{s:o, s:o}", "witness", cli_hex_json(receipt->witness, 32), "signature",
                                  cli_hex_json(receipt->cosignature, LEDGER_SIGNATURE_BYTES)));
  if (root && receipt->has_verdict)
    json_object_set_new(root, "verdict", entry_json(&receipt->verdict));
  sodium_free(receipt);
  char *text = root ? json_dumps(root, RECEIPT_DUMP_FLAGS) : NULL;
  json_decref(root);
  if (!text) {
    cli_error("out of memory");
    return CLI_EXIT_FAILURE;
  }
  printf("%s\n", text);
  free(text);
  return CLI_EXIT_OK;
}

/* ---- Verify ------------------------------------------------------------------- */

static int hex_field(json_t *object, const char *name, uint8_t *out, size_t min, size_t max,
                     size_t *count)
{
  json_t *value = json_object_get(object, name);
  const char *text = json_string_value(value);
  size_t length = text ? strlen(text) : 0;
  if (!text || length % 2 || length / 2 < min || length / 2 > max ||
      strspn(text, "0123456789abcdef") != length ||
      ledger_hex_decode(text, out, length / 2)) {
    cli_error("receipt: field '%s' is missing or not %zu..%zu bytes of lower-case hex", name, min,
              max);
    return -1;
  }
  if (count)
    *count = length / 2;
  return 0;
}

static int only_keys(json_t *object, const char *where, const char *const *keys, size_t count)
{
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value) {
    bool known = false;
    for (size_t i = 0; i < count && !known; i++)
      known = !strcmp(key, keys[i]);
    if (!known) {
      cli_error("receipt: unknown field '%s' in %s", key, where);
      return -1;
    }
  }
  return 0;
}

static int entry_from_json(json_t *object, const char *where, ledger_receipt_entry *entry)
{
  static const char *const keys[] = {"header", "payload", "proof", "checkpoint"};
  if (!json_is_object(object)) {
    cli_error("receipt: '%s' must be an object", where);
    return -1;
  }
  uint8_t checkpoint[LEDGER_CHECKPOINT_BYTES];
  if (only_keys(object, where, keys, 4) ||
      hex_field(object, "header", entry->header, LEDGER_ENTRY_HEADER_BYTES,
                LEDGER_ENTRY_HEADER_BYTES, NULL) ||
      hex_field(object, "payload", entry->payload, 0, COOP_PAYLOAD_BYTES_MAX,
                &entry->payload_bytes) ||
      hex_field(object, "checkpoint", checkpoint, sizeof checkpoint, sizeof checkpoint, NULL))
    return -1;
  if (ledger_checkpoint_decode(checkpoint, sizeof checkpoint, &entry->checkpoint)) {
    cli_error("receipt: %s checkpoint does not decode", where);
    return -1;
  }
  json_t *proof = json_object_get(object, "proof");
  if (!json_is_array(proof) || json_array_size(proof) > COOP_PROOF_HASHES_MAX) {
    cli_error("receipt: %s proof must be an array of at most %u hashes", where,
              COOP_PROOF_HASHES_MAX);
    return -1;
  }
  entry->proof.count = (unsigned)json_array_size(proof);
  for (size_t i = 0; i < entry->proof.count; i++) {
    const char *text = json_string_value(json_array_get(proof, i));
    if (!text || strlen(text) != 64 || strspn(text, "0123456789abcdef") != 64 ||
        ledger_hex_decode(text, entry->proof.hashes[i], LEDGER_HASH_BYTES)) {
      cli_error("receipt: %s proof[%zu] is not a 32-byte hash in lower-case hex", where, i);
      return -1;
    }
  }
  return 0;
}

static int receipt_from_json(json_t *root, ledger_receipt *receipt)
{
  static const char *const keys[] = {"format", "member", "period", "key", "statement",
                                     "cosignature", "verdict"};
  const char *format = json_string_value(json_object_get(root, "format"));
  if (!json_is_object(root) || !format || strcmp(format, RECEIPT_FORMAT)) {
    cli_error("receipt: not a %s file", RECEIPT_FORMAT);
    return -1;
  }
  if (only_keys(root, "the receipt", keys, 7) ||
      hex_field(root, "key", receipt->audience_key, 32, 32, NULL) ||
      entry_from_json(json_object_get(root, "statement"), "statement", &receipt->statement))
    return -1;
  json_t *cosignature = json_object_get(root, "cosignature");
  if (cosignature) {
    static const char *const cosignature_keys[] = {"witness", "signature"};
    if (!json_is_object(cosignature) ||
        only_keys(cosignature, "cosignature", cosignature_keys, 2) ||
        hex_field(cosignature, "witness", receipt->witness, 32, 32, NULL) ||
        hex_field(cosignature, "signature", receipt->cosignature, LEDGER_SIGNATURE_BYTES,
                  LEDGER_SIGNATURE_BYTES, NULL))
      return -1;
    receipt->has_cosignature = true;
  }
  json_t *verdict = json_object_get(root, "verdict");
  if (verdict) {
    if (entry_from_json(verdict, "verdict", &receipt->verdict))
      return -1;
    receipt->has_verdict = true;
  }
  return 0;
}

/* The descriptive fields must say what the signed parts say. */
static int check_labels(json_t *root, const ledger_receipt_facts *facts)
{
  char member_id[LEDGER_MEMBER_ID_CHARS + 1], period[8];
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES] = {0};
  memcpy(audience, facts->statement.member, LEDGER_MEMBER_ID_BYTES);
  ledger_member_id(audience, member_id);
  ledger_period_format(facts->statement.period, period);
  const char *member = json_string_value(json_object_get(root, "member"));
  const char *month = json_string_value(json_object_get(root, "period"));
  if (!member || strcmp(member, member_id) || !month || strcmp(month, period)) {
    cli_error("receipt: 'member' and 'period' say %s %s, the signed statement is for %s %s",
              member ? member : "?", month ? month : "?", member_id, period);
    return -1;
  }
  return 0;
}

static void print_facts(const ledger_receipt_facts *facts, const ledger_receipt *receipt)
{
  char coop[LEDGER_FINGERPRINT_CHARS + 1], municipality[LEDGER_FINGERPRINT_CHARS + 1];
  char witness[LEDGER_FINGERPRINT_CHARS + 1] = "", period[8];
  char counted[LEDGER_MONEY_TEXT_BYTES], offset[LEDGER_MONEY_TEXT_BYTES],
      due[LEDGER_MONEY_TEXT_BYTES];
  ledger_fingerprint(facts->coop_log, coop);
  ledger_fingerprint(facts->municipality_log, municipality);
  if (facts->cosigned)
    ledger_fingerprint(receipt->witness, witness);
  ledger_period_format(facts->statement.period, period);
  ledger_money_format_dutch(facts->statement.figures.counted_income_cents, counted);
  ledger_money_format_dutch(facts->statement.figures.offset_cents, offset);
  ledger_money_format_dutch(facts->statement.figures.to_municipality_cents, due);
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES] = {0};
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  memcpy(audience, facts->statement.member, LEDGER_MEMBER_ID_BYTES);
  ledger_member_id(audience, member_id);
  printf("receipt %s: statement %s %s is entry %llu of coop %s (signed at size %llu%s%s), ",
         facts->acknowledged ? "OK" : "NOT ACKNOWLEDGED", member_id, period,
         (unsigned long long)facts->statement_index, coop,
         (unsigned long long)receipt->statement.checkpoint.size,
         facts->cosigned ? ", cosigned by witness " : "", witness);
  if (facts->acknowledged)
    printf("acknowledged by municipality %s in its entry %llu", municipality,
           (unsigned long long)facts->verdict_index);
  else if (facts->disputed)
    printf("DISPUTED by municipality %s in its entry %llu (%s)", municipality,
           (unsigned long long)facts->verdict_index,
           ledger_dispute_reason_name(facts->verdict.reason));
  else
    printf("with no verdict of the municipality yet");
  printf("; counted income %s, offset %s, to the municipality %s\n", counted, offset, due);
}

static int receipt_verify(int argc, char **argv)
{
  if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage, argc == 2 ? stdout : stderr);
    return argc == 2 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  coop_buf text;
  coop_buf_init(&text, RECEIPT_FILE_BYTES_MAX);
  if (cli_read_input(argv[1], "receipt", "more than 1 MiB", &text))
    return CLI_EXIT_FAILURE;
  json_error_t error;
  json_t *root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &error);
  if (!root) {
    cli_error("receipt: %s: line %d: %s", argv[1], error.line, error.text);
    coop_buf_release(&text);
    return CLI_EXIT_FAILURE;
  }
  /* Exactly as written: the canonical dump of what was parsed, byte for byte. */
  char *canonical = json_dumps(root, RECEIPT_DUMP_FLAGS);
  bool exact = canonical && strlen(canonical) + 1 == text.len &&
               !memcmp(canonical, text.data, text.len - 1) && text.data[text.len - 1] == '\n';
  free(canonical);
  coop_buf_release(&text);
  ledger_receipt *receipt = sodium_malloc(sizeof *receipt);
  ledger_receipt_facts *facts = coop_malloc(sizeof *facts);
  int status = CLI_EXIT_FAILURE;
  char problem[256] = "";
  if (!exact)
    cli_error("receipt: %s is not exactly as 'coop receipt export' wrote it (changed)", argv[1]);
  else if (!receipt || !facts)
    cli_error("out of memory");
  else if (!(memset(receipt, 0, sizeof *receipt), receipt_from_json(root, receipt))) {
    if (ledger_receipt_verify(receipt, facts, problem))
      cli_error("receipt REJECTED: %s", problem);
    else if (!check_labels(root, facts)) {
      print_facts(facts, receipt);
      status = facts->acknowledged ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
  }
  json_decref(root);
  if (receipt)
    sodium_free(receipt);
  coop_free(facts);
  return status;
}

int cli_cmd_receipt(int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  if (!strcmp(argv[1], "export"))
    return receipt_export(argc - 1, argv + 1);
  if (!strcmp(argv[1], "verify"))
    return receipt_verify(argc - 1, argv + 1);
  return cli_usage_error("receipt", "unknown subcommand '%s' (expected 'export' or 'verify')",
                         argv[1]);
}
