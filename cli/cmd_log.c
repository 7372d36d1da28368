/* coop log, coop checkpoint: read the node's own log. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/books.h"
#include "ledger/books/money.h"
#include "ledger/books/statement.h"
#include "ledger/log/entry.h"
#include "ledger/log/erasure.h"
#include "ledger/log/seal.h"
#include "ledger/offset/offset_codec.h"
#include "node/logs.h"
#include "node/node.h"

static const char log_usage[] =
    "usage: coop log [--log KEY] [--from N] [-O txt|json] [--dir DIR]\n"
    "       coop log export|import ...  (see 'coop log export --help')\n"
    "\n"
    "Lists the entries of this node's log (or of the log KEY, another node's that\n"
    "this node holds), oldest first: index (0-based), kind,\n"
    "time, leaf hash, and the payload where this node can read it.  Payloads\n"
    "sealed to an audience this node was not granted show as unreadable.\n"
    "With -O json: an array of objects with index, kind, timestamp (Unix ms),\n"
    "time, leaf_hash, audience (hex or null), payload_bytes, readable, payload.\n";

typedef struct log_listing {
  cli_format format;
  uint64_t count;
} log_listing;

/* The books' own public entries, through their codecs; 0 when the payload is
 * not one of them or does not decode. */
static int describe_books_entry(uint16_t kind, const uint8_t *plain, size_t plain_bytes, char *out,
                                size_t out_bytes)
{
  ledger_books_payload books;
  uint32_t period = 0;
  if (kind == LEDGER_KIND_BOOKS && !ledger_books_decode(plain, plain_bytes, &books))
    ledger_books_describe(&books, out, out_bytes);
  else if (kind == LEDGER_KIND_PERIOD_CLOSE &&
           !ledger_period_close_decode(plain, plain_bytes, &period))
    ledger_period_close_describe(period, out, out_bytes);
  else if (kind == LEDGER_KIND_PERIOD_OPEN &&
           !ledger_period_open_decode(plain, plain_bytes, &period))
    ledger_period_open_describe(period, out, out_bytes);
  else if (kind == LEDGER_KIND_YEAR_CLOSE &&
           !ledger_year_close_decode(plain, plain_bytes, &period))
    ledger_year_close_describe(period, out, out_bytes);
  else
    return 0;
  return 1;
}

/* A one-line summary of a books, rules or statement payload, for humans;
 * 0 when the payload is not one of those (or does not decode). */
/* "erasure of 2 audiences, 3 key grants in log 1a2b-… (on request): reason". */
static int describe_erasure(const uint8_t *plain, size_t plain_bytes, char *out, size_t out_bytes)
{
  ledger_erasure *erasure = coop_malloc(sizeof *erasure);
  int described = erasure && !ledger_erasure_decode(plain, plain_bytes, erasure);
  if (described) {
    char target[LEDGER_FINGERPRINT_CHARS + 1];
    ledger_fingerprint(erasure->target_log_id, target);
    snprintf(out, out_bytes, "erasure of %u audience(s), %u key grant(s) in log %s (%s): %.80s",
             (unsigned)erasure->audience_count, (unsigned)erasure->grant_count, target,
             ledger_erasure_reason_name(erasure->reason), erasure->reason_text);
  }
  coop_free(erasure);
  return described;
}

static int describe_payload(const ledger_entry_header *header, const uint8_t *plain,
                            size_t plain_bytes, char *out, size_t out_bytes)
{
  uint16_t kind = header->kind;
  ledger_verdict verdict;
  ledger_cosignature cosignature;
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  if ((kind == LEDGER_KIND_ACKNOWLEDGEMENT || kind == LEDGER_KIND_DISPUTE) &&
      !ledger_verdict_decode(plain, plain_bytes, kind == LEDGER_KIND_DISPUTE, &verdict)) {
    char member_id[LEDGER_MEMBER_ID_CHARS + 1], month[8];
    uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
    memcpy(padded, verdict.member, LEDGER_MEMBER_ID_BYTES);
    ledger_member_id(padded, member_id);
    ledger_period_format(verdict.period, month);
    ledger_fingerprint(verdict.coop_log, fingerprint);
    snprintf(out, out_bytes, "%s statement %llu of coop %s (%s %s)%s%s",
             kind == LEDGER_KIND_DISPUTE ? "disputes" : "acknowledges",
             (unsigned long long)verdict.statement_index, fingerprint, member_id, month,
             kind == LEDGER_KIND_DISPUTE ? ": " : "",
             kind == LEDGER_KIND_DISPUTE ? ledger_dispute_reason_name(verdict.reason) : "");
    return 1;
  }
  if (kind == LEDGER_KIND_COSIGNATURE &&
      !ledger_cosignature_decode(plain, plain_bytes, header->log_id, &cosignature)) {
    ledger_fingerprint(cosignature.checkpoint.log_id, fingerprint);
    snprintf(out, out_bytes, "cosigns log %s at size %llu", fingerprint,
             (unsigned long long)cosignature.checkpoint.size);
    return 1;
  }
  ledger_record record;
  ledger_member_payload member;
  ledger_offset_rule_set rules;
  char amount[LEDGER_MONEY_TEXT_BYTES], date[11], period[8];
  if (kind == LEDGER_KIND_TRANSACTION && !ledger_record_decode(plain, plain_bytes, &record)) {
    char member_id[LEDGER_MEMBER_ID_CHARS + 1] = "coop";
    uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
    memcpy(padded, record.member, LEDGER_MEMBER_ID_BYTES);
    if (padded[0] || padded[1] || padded[2])
      ledger_member_id(padded, member_id);
    ledger_money_format(ledger_record_is_memo(record.type)
                            ? record.quantity
                            : record.postings[0].amount_cents,
                        amount);
    ledger_date_format(record.date, date);
    snprintf(out, out_bytes, "%s %s %s %s%s%s", ledger_record_type_name(record.type), date,
             member_id, amount, record.ref[0] ? " ref " : "", record.ref);
    return 1;
  }
  if (kind == LEDGER_KIND_MEMBER && !ledger_member_decode(plain, plain_bytes, &member)) {
    ledger_period_format(member.from_period, period);
    if (member.action == LEDGER_MEMBER_ENROL)
      snprintf(out, out_bytes, "enrolled '%s' (client ref %s)", member.name, member.client_ref);
    else if (member.action == LEDGER_MEMBER_DETAILS)
      snprintf(out, out_bytes, "details now '%s' (client ref %s)", member.name,
               member.client_ref);
    else if (member.action == LEDGER_MEMBER_MOVE_OUT)
      snprintf(out, out_bytes, "moved away from %s", period);
    else if (member.action == LEDGER_MEMBER_MOVE_IN)
      snprintf(out, out_bytes, "moved in from %s: '%s' (client ref %s)", period, member.name,
               member.client_ref);
    else
      snprintf(out, out_bytes, "%s = %u from %s", ledger_member_field_name(member.field),
               (unsigned)member.value, period);
    return 1;
  }
  if (kind == LEDGER_KIND_ERASURE)
    return describe_erasure(plain, plain_bytes, out, out_bytes);
  if (kind == LEDGER_KIND_RULE_SET && !ledger_offset_rule_set_decode(plain, plain_bytes, &rules)) {
    snprintf(out, out_bytes, "rule set %s from %04d-%02d", rules.municipality,
             rules.effective_from.year, rules.effective_from.month);
    return 1;
  }
  uint8_t padded[LEDGER_AUDIENCE_ID_BYTES] = {0};
  uint32_t statement_period = 0;
  if (kind == LEDGER_KIND_STATEMENT &&
      !ledger_statement_peek(plain, plain_bytes, padded, &statement_period)) {
    ledger_period_format(statement_period, period);
    char member_id[LEDGER_MEMBER_ID_CHARS + 1];
    ledger_member_id(padded, member_id);
    snprintf(out, out_bytes, "statement %s %s", member_id, period);
    return 1;
  }
  return describe_books_entry(kind, plain, plain_bytes, out, out_bytes);
}

static json_t *payload_json(const ledger_entry_header *header, const uint8_t *plain,
                            size_t plain_bytes)
{
  uint16_t kind = header->kind;
  char summary[256];
  if (describe_payload(header, plain, plain_bytes, summary, sizeof summary))
    return json_pack("{s:s, s:o}", "summary", summary, "hex", cli_hex_json(plain, plain_bytes));
  if (kind == LEDGER_KIND_NOTE)
    return json_pack("{s:s%}", "text", (const char *)plain, plain_bytes);
  if (kind == LEDGER_KIND_IDENTITY) {
    ledger_identity_payload identity;
    if (ledger_identity_payload_decode(plain, plain_bytes, &identity) == COOP_OK)
      return json_pack("{s:s, s:s}", "role", ledger_role_name(identity.role), "name",
                       identity.name);
  }
  if (kind == LEDGER_KIND_KEY_GRANT) {
    ledger_key_grant grant;
    if (ledger_key_grant_decode(plain, plain_bytes, &grant) == COOP_OK)
      return json_pack("{s:o, s:o}", "audience_id",
                       cli_hex_json(grant.audience_id, LEDGER_AUDIENCE_ID_BYTES), "reader",
                       cli_hex_json(grant.reader, LEDGER_PUBLIC_KEY_BYTES));
  }
  return json_pack("{s:o}", "hex", cli_hex_json(plain, plain_bytes));
}

static coop_err print_entry_json(log_listing *listing, const ledger_stored_entry *entry,
                                 const uint8_t *plain, size_t plain_bytes)
{
  char time_text[32];
  cli_format_time(entry->header.timestamp_ms, time_text);
  int is_public = ledger_entry_is_public(&entry->header);
  json_t *object = json_pack(
      "{s:I, s:s, s:I, s:s, s:o, s:o, s:I, s:b, s:o}", "index", (json_int_t)entry->header.index,
      "kind", ledger_entry_kind_name(entry->header.kind), "timestamp",
      (json_int_t)entry->header.timestamp_ms, "time", time_text, "leaf_hash",
      cli_hex_json(entry->leaf_hash, LEDGER_HASH_BYTES), "audience",
      is_public ? json_null() : cli_hex_json(entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES),
      "payload_bytes", (json_int_t)entry->header.payload_bytes, "readable", plain != NULL,
      "payload", plain ? payload_json(&entry->header, plain, plain_bytes) : json_null());
  if (object && json_object_set_new(object, "erased", json_boolean(entry->erased)))
    json_decref(object), object = NULL;
  if (!object)
    return COOP_E_NOMEM;
  fputs(listing->count ? ",\n  " : "[\n  ", stdout);
  int failed = json_dumpf(object, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(object);
  return failed ? COOP_E_IO : COOP_OK;
}

static void print_entry_text(const ledger_stored_entry *entry, const uint8_t *plain,
                             size_t plain_bytes)
{
  char time_text[32], leaf_hex[65];
  cli_format_time(entry->header.timestamp_ms, time_text);
  ledger_hex_encode(entry->leaf_hash, LEDGER_HASH_BYTES, leaf_hex);
  printf("%6llu  %s  %.16s  %-10s ", (unsigned long long)entry->header.index, time_text, leaf_hex,
         ledger_entry_kind_name(entry->header.kind));
  ledger_identity_payload identity;
  char summary[256];
  if (entry->erased)
    printf("(erased: %u bytes were signed; the payload hash stays)\n",
           (unsigned)entry->header.payload_bytes);
  else if (!plain)
    printf("(sealed, %u bytes, not readable here)\n", (unsigned)entry->header.payload_bytes);
  else if (entry->header.kind == LEDGER_KIND_NOTE)
    printf("%.*s\n", (int)plain_bytes, (const char *)plain);
  else if (entry->header.kind == LEDGER_KIND_IDENTITY &&
           !ledger_identity_payload_decode(plain, plain_bytes, &identity))
    printf("%s '%s'\n", ledger_role_name(identity.role), identity.name);
  else if (describe_payload(&entry->header, plain, plain_bytes, summary, sizeof summary))
    printf("%s\n", summary);
  else
    printf("(%zu bytes)\n", plain_bytes);
}

static coop_err visit_entry(void *context, const ledger_stored_entry *entry,
                            const uint8_t *plain, size_t plain_bytes)
{
  log_listing *listing = context;
  coop_err err = COOP_OK;
  if (listing->format == CLI_FORMAT_JSON)
    err = print_entry_json(listing, entry, plain, plain_bytes);
  else
    print_entry_text(entry, plain, plain_bytes);
  listing->count++;
  return err;
}

static int list_entries(node *opened, const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t from,
                        cli_format format)
{
  log_listing listing = {.format = format};
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_log_entries(opened, log_id, from, visit_entry, &listing, message);
  if (format == CLI_FORMAT_JSON && !err)
    fputs(listing.count ? "\n]\n" : "[]\n", stdout);
  if (err)
    cli_error("%s", message);
  return err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int cli_cmd_log(int argc, char **argv)
{
  if (argc > 1 && (!strcmp(argv[1], "export") || !strcmp(argv[1], "import")))
    return cli_log_transfer(argc - 1, argv + 1);
  static const cli_spec spec = {"log", log_usage, CLI_TXT_JSON, 0};
  const char *log_text = NULL, *from_text = NULL;
  const cli_option options[] = {
      CLI_VALUE("log", 0, "KEY", &log_text, "another log this node holds (see 'coop logs')"),
      CLI_VALUE("from", 0, "N", &from_text, "start at entry N (default 0)"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc)
    return cli_usage_error("log", "unexpected argument '%s'", args.argv[0]);
  unsigned long long from = 0;
  if (from_text && cli_parse_u64(from_text, "--from", UINT64_MAX, &from))
    return CLI_EXIT_USAGE;
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  if (log_text && cli_parse_log(args.dir, log_text, log_id))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  if (!log_text)
    memcpy(log_id, opened.identity.public_key, LEDGER_LOG_ID_BYTES);
  status = list_entries(&opened, log_id, from, args.format);
  node_close(&opened);
  return status;
}

static const char checkpoint_usage[] =
    "usage: coop checkpoint [-O txt|json] [--dir DIR]\n"
    "\n"
    "Prints the latest signed checkpoint of this node's log: log_id, size, root\n"
    "(hex), timestamp (Unix ms) and signature (hex).  Anyone with the log id can\n"
    "check the signature; a member or auditor keeps it to prove later that the\n"
    "log only grew (see 'coop proof').\n";

int cli_cmd_checkpoint(int argc, char **argv)
{
  static const cli_spec spec = {"checkpoint", checkpoint_usage, CLI_TXT_JSON, 0};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc)
    return cli_usage_error("checkpoint", "unexpected argument '%s'", args.argv[0]);
  cli_format format = args.format;
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  ledger_checkpoint checkpoint;
  coop_err err = node_checkpoint_latest(&opened, opened.identity.public_key, &checkpoint);
  node_close(&opened);
  if (err) {
    cli_error("no checkpoint: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  if (format == CLI_FORMAT_JSON)
    return cli_print_json(cli_checkpoint_json(&checkpoint));
  char log_hex[65], root_hex[65], signature_hex[129], time_text[32];
  ledger_hex_encode(checkpoint.log_id, 32, log_hex);
  ledger_hex_encode(checkpoint.root, 32, root_hex);
  ledger_hex_encode(checkpoint.signature, 64, signature_hex);
  cli_format_time(checkpoint.timestamp_ms, time_text);
  printf("log_id:    %s\nsize:      %llu\nroot:      %s\ntimestamp: %llu (%s)\nsignature: %s\n",
         log_hex, (unsigned long long)checkpoint.size, root_hex,
         (unsigned long long)checkpoint.timestamp_ms, time_text, signature_hex);
  return CLI_EXIT_OK;
}
