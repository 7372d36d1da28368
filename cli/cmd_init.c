/* coop init: create a node home. */
#include <string.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/log/entry.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop init --role coop|municipality|partner|member --name NAME [--dir DIR]\n"
    "\n"
    "Creates a node home: an Ed25519 identity in a key file readable only by you\n"
    "(mode 0600), the configuration, and the database with the log's first entry,\n"
    "which announces the node's role and name.  Refuses to overwrite an existing node.\n";

int cli_cmd_init(int argc, char **argv)
{
  static const cli_spec spec = {"init", usage, 0, 0};
  const char *role_text = NULL, *name = NULL;
  const cli_option options[] = {
      CLI_VALUE("role", 0, "ROLE", &role_text,
          "what this node is: coop, municipality, partner or member"),
      CLI_VALUE("name", 0, "NAME", &name, "display name, 1 to 128 bytes, e.g. \"Breda Werkt\""),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (!role_text || !name)
    return cli_usage_error("init", "both --role and --name are required");
  int role = ledger_role_from_name(role_text);
  if (!role)
    return cli_usage_error("init", "unknown role '%s' (expected coop, municipality, partner or "
                                   "member)", role_text);
  char *home = cli_home_dir(args.dir);
  if (!home)
    return CLI_EXIT_FAILURE;
  node created;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_create(home, role, name, node_now_ms(), &created, message);
  if (err) {
    cli_error("%s", message);
    coop_free(home);
    return CLI_EXIT_FAILURE;
  }
  char key_hex[65], fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_hex_encode(created.identity.public_key, 32, key_hex);
  ledger_fingerprint(created.identity.public_key, fingerprint);
  printf("created %s node '%s' in %s\n", role_text, name, home);
  printf("public key:  %s\nfingerprint: %s\n", key_hex, fingerprint);
  node_close(&created);
  coop_free(home);
  return CLI_EXIT_OK;
}
