/* coop log export / import (logs as files), and coop logs (every log held). */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "node/logs.h"
#include "node/node.h"

static const char transfer_usage[] =
    "usage: coop log export [--from N] [--log KEY] [--dir DIR] > BUNDLE\n"
    "       coop log import BUNDLE [--dir DIR]\n"
    "\n"
    "export  writes this node's log (or another log it holds, --log KEY) from entry\n"
    "        N on, with the signed checkpoints that cover it, as a binary bundle.\n"
    "import  reads a bundle made on another node: every entry and checkpoint is\n"
    "        verified (signatures, hashes, the Merkle root) before anything is\n"
    "        stored, and the whole bundle is stored or none of it.  A bundle that\n"
    "        contradicts what this node holds is refused and kept as fork evidence.\n"
    "        BUNDLE may be '-' for standard input.\n"
    "\n"
    "Municipalities without an online node exchange logs this way: the coop sends\n"
    "its log, the municipality sends back its own (rule sets, acknowledgements).\n"
    "A node's own log is refused, except on a database put back with 'coop\n"
    "restore': it takes back what a peer's bundle holds of it.\n";

static int log_export(int argc, char **argv)
{
  static const cli_spec spec = {"log", transfer_usage, 0, 0};
  const char *log_text = NULL, *from_text = NULL;
  const cli_option options[] = {
      CLI_VALUE("from", 0, "N", &from_text, "export: from entry N on (default 0)"),
      CLI_VALUE("log", 0, "KEY", &log_text, "export: another log this node holds"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  unsigned long long from = 0;
  if (from_text && cli_parse_u64(from_text, "--from", UINT64_MAX, &from))
    return CLI_EXIT_USAGE;
  const char *dir = args.dir;
  uint8_t log_id[32];
  if (log_text && cli_parse_log(args.dir, log_text, log_id))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  if (!log_text)
    memcpy(log_id, opened.identity.public_key, 32);
  uint64_t written = 0;
  coop_err err = node_log_export(&opened, log_id, from, stdout, &written);
  /* A missing payload is named (entry and log) while the store is open. */
  if (err == COOP_E_PAYLOAD_MISSING)
    cli_error("export failed: %s", node_store_problem(&opened));
  node_close(&opened);
  if (err == COOP_E_NOT_FOUND)
    cli_error("this node holds no log '%s'", log_text ? log_text : "(own)");
  else if (err == COOP_E_RANGE)
    cli_error("nothing to export from entry %llu: the log is shorter", from);
  else if (err && err != COOP_E_PAYLOAD_MISSING)
    cli_error("export failed: %s", coop_err_message(err));
  else if (!err)
    cli_notice("exported %llu entries", (unsigned long long)written);
  return err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

static int log_import(int argc, char **argv)
{
  static const cli_spec spec = {"log", transfer_usage, 0, 0};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("log", "expected exactly one BUNDLE file");
  const char *path = args.argv[0], *dir = args.dir;
  FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!in) {
    cli_error("cannot open bundle '%s'", path);
    return CLI_EXIT_FAILURE;
  }
  node opened;
  if (cli_open_node(dir, &opened)) {
    if (in != stdin)
      fclose(in);
    return CLI_EXIT_FAILURE;
  }
  ledger_bundle_result result;
  char problem[256];
  coop_err err = node_log_import(&opened, in, &result, problem);
  node_close(&opened);
  if (in != stdin)
    fclose(in);
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(result.log_id, fingerprint);
  if (err) {
    cli_error("bundle '%s' refused, nothing stored: %s", path, problem);
    return CLI_EXIT_FAILURE;
  }
  printf("imported %llu new entries of log %s; this node now holds %llu of it\n",
         (unsigned long long)result.entries_added, fingerprint,
         (unsigned long long)result.size_after);
  return CLI_EXIT_OK;
}

int cli_log_transfer(int argc, char **argv)
{
  /* argv[0] is "export" or "import" here. */
  return !strcmp(argv[0], "export") ? log_export(argc, argv) : log_import(argc, argv);
}

/* ---- coop logs ------------------------------------------------------------ */

static const char logs_usage[] =
    "usage: coop logs [-O txt|json] [--dir DIR]\n"
    "\n"
    "Every log this node holds: its own and those imported or synced from other\n"
    "nodes, with log_id, role and name (from the log's identity entry), size,\n"
    "root and the time of the latest checkpoint.\n";

typedef struct logs_listing {
  node *node;
  json_t *array;
} logs_listing;

static coop_err list_log(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  logs_listing *listing = context;
  ledger_identity_payload identity = {0};
  ledger_checkpoint checkpoint;
  /* An identity that does not decode leaves the role and name unknown. */
  identity.role = node_log_identity(listing->node, log_id, identity.name);
  coop_err err = node_checkpoint_latest(listing->node, log_id, &checkpoint);
  if (err)
    return err;
  json_t *object = cli_checkpoint_json(&checkpoint);
  if (!object)
    return COOP_E_NOMEM;
  json_object_del(object, "signature");
  json_object_set_new(object, "role", identity.role ? json_string(ledger_role_name(identity.role))
                                                    : json_null());
  json_object_set_new(object, "name", identity.name[0] ? json_string(identity.name)
                                                       : json_null());
  json_object_set_new(object, "own", json_boolean(!memcmp(log_id,
                                                          listing->node->identity.public_key, 32)));
  return json_array_append_new(listing->array, object) ? COOP_E_NOMEM : COOP_OK;
}

int cli_cmd_logs(int argc, char **argv)
{
  static const cli_spec spec = {"logs", logs_usage, CLI_TXT_JSON, 0};
  cli_args args = {0};
  node opened;
  int status = cli_parse_and_open(&spec, NULL, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  cli_format format = args.format;
  logs_listing listing = {.node = &opened, .array = json_array()};
  coop_err err = listing.array ? node_logs(&opened, list_log, &listing)
                               : COOP_E_NOMEM;
  node_close(&opened);
  if (err) {
    json_decref(listing.array);
    cli_error("cannot list logs: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  if (format == CLI_FORMAT_JSON)
    return cli_print_json(listing.array);
  size_t i;
  json_t *log;
  json_array_foreach(listing.array, i, log) {
    uint8_t log_id[32];
    char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
    if (ledger_hex_decode(json_string_value(json_object_get(log, "log_id")), log_id, 32))
      continue;
    ledger_fingerprint(log_id, fingerprint);
    const char *role = json_string_value(json_object_get(log, "role"));
    const char *name = json_string_value(json_object_get(log, "name"));
    printf("%s  %-12s %-24s size %-8lld %s%s\n", fingerprint, role ? role : "?",
           name ? name : "?", (long long)json_integer_value(json_object_get(log, "size")),
           json_string_value(json_object_get(log, "time")),
           json_is_true(json_object_get(log, "own")) ? "  (this node)" : "");
  }
  json_decref(listing.array);
  return CLI_EXIT_OK;
}
