/* coop id: who this node is. */

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
  const char *dir = NULL;
  cli_format format = CLI_FORMAT_TEXT;
  int parsed = cli_parse_simple_options(argc, argv, "id", usage,
                                        1u << CLI_FORMAT_TEXT | 1u << CLI_FORMAT_JSON, &dir,
                                        &format);
  if (parsed)
    return parsed == CLI_PARSED_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
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
