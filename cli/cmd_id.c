/* coop id: who this node is; with --card, the same as a short card to print
 * in a letter or on a web page, so that others can anchor its key. */

#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "ledger/log/entry.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop id [--card] [-O txt|json] [--dir DIR]\n"
    "\n"
    "Prints this node's public key (hex; it is also the id of its log), a short\n"
    "fingerprint to compare by phone or on paper, its role and its name.\n";

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

static const char *role_dutch(int role)
{
  switch (role) {
  case LEDGER_ROLE_COOP: return "coöperatie";
  case LEDGER_ROLE_MUNICIPALITY: return "gemeente";
  case LEDGER_ROLE_PARTNER: return "partner";
  case LEDGER_ROLE_MEMBER: return "lid";
  }
  return "?";
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
  /* The card goes into a municipality's letters and onto its website, for
   * residents and benefits officers: Dutch first, English beside. */
  printf("%s (%s / %s)\n"
         "sleutel (key):              %s\n"
         "vingerafdruk (fingerprint): %s\n",
         opened->name, role_dutch(opened->role), ledger_role_name(opened->role), key_hex,
         fingerprint);
  if (option)
    printf("Een ontvangstbewijs is alleen van ons als het deze vingerafdruk noemt\n"
           "(a receipt is ours only if it names this fingerprint):\n  %s\n",
           verify);
  return CLI_EXIT_OK;
}

int cli_cmd_id(int argc, char **argv)
{
  static const cli_spec spec = {"id", usage, CLI_TXT_JSON, 0};
  int card = 0;
  const cli_option options[] = {
      CLI_FLAG("card", 0, &card, "a short card for a letter or web page: name, role, key,\n"
       "fingerprint, and how a receipt verifier anchors this key"),
      CLI_END};
  cli_args args = {0};
  node opened;
  int status = cli_parse_and_open(&spec, options, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  cli_format format = args.format;
  char key_hex[65], fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_hex_encode(opened.identity.public_key, 32, key_hex);
  ledger_fingerprint(opened.identity.public_key, fingerprint);
  status = CLI_EXIT_OK;
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
