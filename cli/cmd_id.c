/* coop id: who this node is. */
#include <getopt.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/entry.h"
#include "ledger/hex.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop id [-O txt|json] [--dir DIR]\n"
    "\n"
    "Prints this node's public key (hex; it is also the id of its log), a short\n"
    "fingerprint to compare by phone or on paper, its role and its name.\n"
    "\n"
    "options:\n"
    "  -O, --output FORMAT  txt (default) or json\n"
    "  --dir DIR            node home (default $COOP_HOME, else ~/.local/share/coop)\n"
    "  -h, --help           show this help\n";

int cli_cmd_id(int argc, char **argv)
{
  static const struct option options[] = {{"output", required_argument, NULL, 'O'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  const char *dir = NULL;
  cli_format format = CLI_FORMAT_TEXT;
  int option;
  while ((option = getopt_long(argc, argv, "O:h", options, NULL)) != -1) {
    switch (option) {
    case 'O':
      if (cli_parse_format(optarg, 1u << CLI_FORMAT_TEXT | 1u << CLI_FORMAT_JSON, &format))
        return CLI_EXIT_USAGE;
      break;
    case 'd': dir = optarg; break;
    case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
    default: return cli_usage_error("id", "invalid option");
    }
  }
  if (optind < argc)
    return cli_usage_error("id", "unexpected argument '%s'", argv[optind]);
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  char key_hex[65], fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_hex_encode(opened.identity.public_key, 32, key_hex);
  ledger_fingerprint(opened.identity.public_key, fingerprint);
  int status = CLI_EXIT_OK;
  if (format == CLI_FORMAT_JSON)
    status = cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "public_key", key_hex,
                                      "fingerprint", fingerprint, "role",
                                      ledger_role_name(opened.role), "name", opened.name));
  else
    printf("public key:  %s\nfingerprint: %s\nrole:        %s\nname:        %s\n", key_hex,
           fingerprint, ledger_role_name(opened.role), opened.name);
  node_close(&opened);
  return status;
}
