/* coop init: create a node home. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/alloc.h"
#include "ledger/entry.h"
#include "ledger/hex.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop init --role coop|municipality|partner|member --name NAME [--dir DIR]\n"
    "\n"
    "Creates a node home: an Ed25519 identity in a key file readable only by you\n"
    "(mode 0600), the configuration, and the database with the log's first entry,\n"
    "which announces the node's role and name.  Refuses to overwrite an existing node.\n"
    "\n"
    "options:\n"
    "  --role ROLE   what this node is: coop, municipality, partner or member\n"
    "  --name NAME   display name, 1 to 128 bytes, e.g. \"Breda Werkt\"\n"
    "  --dir DIR     node home (default $COOP_HOME, else ~/.local/share/coop)\n"
    "  -h, --help    show this help\n";

int cli_cmd_init(int argc, char **argv)
{
  static const struct option options[] = {{"role", required_argument, NULL, 'r'},
                                          {"name", required_argument, NULL, 'n'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  const char *role_text = NULL, *name = NULL, *dir = NULL;
  int option;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'r': role_text = optarg; break;
    case 'n': name = optarg; break;
    case 'd': dir = optarg; break;
    case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
    default: return cli_usage_error("init", "invalid option");
    }
  }
  if (optind < argc)
    return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
  if (!role_text || !name)
    return cli_usage_error("init", "both --role and --name are required");
  int role = ledger_role_from_name(role_text);
  if (!role)
    return cli_usage_error("init", "unknown role '%s' (expected coop, municipality, partner or "
                                   "member)", role_text);
  char *home = cli_home_dir(dir);
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
