/* coop id: who this node is; with --card, the same as a short card to print
 * in a letter or on a web page, so that others can anchor its key. */

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/entry.h"
#include "ledger/hex.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop id [--card] [-O txt|json] [--dir DIR]\n"
    "\n"
    "Prints this node's public key (hex; it is also the id of its log), a short\n"
    "fingerprint to compare by phone or on paper, its role and its name.\n"
    "\n"
    "options:\n"
    "  --card               a short card for a letter or web page: name, role, key,\n"
    "                       fingerprint, and how a receipt verifier anchors this key\n"
    "  -O, --output FORMAT  txt (default) or json\n"
    "  --dir DIR            node home (default $COOP_HOME, else ~/.local/share/coop)\n"
    "  -h, --help           show this help\n";

/* The option of 'coop receipt verify' that anchors a key of this role;
 * NULL for a member, whose key a receipt never needs. */
static const char *verify_option(int role)
{
  switch (role) {
  case LEDGER_ROLE_MUNICIPALITY: return "--municipality";
  case LEDGER_ROLE_COOP: return "--coop";
  case LEDGER_ROLE_PARTNER: return "--witness";
  }
  return NULL;
}

/* Takes --card out of argv (moving the rest down), so the other options go
 * through the shared parser.  Returns whether it was there. */
static bool take_card_option(int *argc, char **argv)
{
  bool card = false;
  int kept = 1;
  for (int i = 1; i < *argc; i++) {
    if (!strcmp(argv[i], "--card"))
      card = true;
    else
      argv[kept++] = argv[i];
  }
  *argc = kept;
  return card;
}

static int print_card(const node *opened, const char *key_hex, const char *fingerprint,
                      cli_format format)
{
  const char *option = verify_option(opened->role);
  char verify[96] = "";
  if (option)
    snprintf(verify, sizeof verify, "coop receipt verify RECEIPT %s %s", option, fingerprint);
  if (format == CLI_FORMAT_JSON)
    return cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", opened->name, "role",
                                    ledger_role_name(opened->role), "public_key", key_hex,
                                    "fingerprint", fingerprint, "verify",
                                    option ? json_string(verify) : json_null()));
  printf("%s (coop %s node)\n"
         "key:         %s\n"
         "fingerprint: %s\n",
         opened->name, ledger_role_name(opened->role), key_hex, fingerprint);
  if (option)
    printf("A receipt is ours only if it names this fingerprint: %s\n", verify);
  return CLI_EXIT_OK;
}

int cli_cmd_id(int argc, char **argv)
{
  const char *dir = NULL;
  cli_format format = CLI_FORMAT_TEXT;
  bool card = take_card_option(&argc, argv);
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
  if (card)
    status = print_card(&opened, key_hex, fingerprint, format);
  else if (format == CLI_FORMAT_JSON)
    status = cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "public_key", key_hex,
                                      "fingerprint", fingerprint, "role",
                                      ledger_role_name(opened.role), "name", opened.name));
  else
    printf("public key:  %s\nfingerprint: %s\nrole:        %s\nname:        %s\n", key_hex,
           fingerprint, ledger_role_name(opened.role), opened.name);
  node_close(&opened);
  return status;
}
