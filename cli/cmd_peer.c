/* coop peer: the nodes this node syncs with. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "ledger/log/entry.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop peer add --key KEY [--addr HOST:PORT] --role coop|municipality|partner|member\n"
    "                     [--name NAME] [--dir DIR]\n"
    "       coop peer list [-O txt|json] [--dir DIR]\n"
    "       coop peer remove NAME|KEY [--dir DIR]\n"
    "\n"
    "Peers are the nodes this node connects to and accepts connections from (the\n"
    "allowlist): their node key (64 hex digits, 'coop id' on their node), an\n"
    "address and a role.  A peer without --addr is never dialed: it connects to\n"
    "this node (a member's own node, say).  They are kept in node.conf as\n"
    "[peer NAME] sections;\n"
    "NAME defaults to the role and the key's first 8 hex digits.  Compare the\n"
    "key's fingerprint with the peer's operator before adding it.\n";

static int peer_add(const char *dir, const char *key, const char *address, const char *role,
                    const char *name)
{
  if (!key || !role)
    return cli_usage_error("peer", "'peer add' needs --key and --role");
  if (!address)
    address = ""; /* it connects to us: a member's node, a node behind a firewall */
  node_peer peer = {0};
  if (cli_parse_key(key, "--key", peer.key))
    return CLI_EXIT_USAGE;
  peer.role = ledger_role_from_name(role);
  if (!peer.role)
    return cli_usage_error("peer", "unknown role '%s'", role);
  if (name)
    snprintf(peer.name, sizeof peer.name, "%s", name);
  else
    snprintf(peer.name, sizeof peer.name, "%s-%.8s", role, key);
  snprintf(peer.address, sizeof peer.address, "%s", address);
  if (strlen(address) >= sizeof peer.address || (name && strlen(name) >= sizeof peer.name))
    return cli_usage_error("peer", "--addr or --name is too long");
  /* A mistyped address is a usage error like a mistyped key (was exit 1). */
  if (address[0] && node_address_check(address))
    return cli_usage_error("peer", "--addr '%s' is not HOST:PORT", address);
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES], fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  coop_err err = node_peer_add(&opened, &peer, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  ledger_fingerprint(peer.key, fingerprint);
  printf("added peer '%s' (%s %s %s%s)\n", peer.name, role, fingerprint,
         address[0] ? "at " : "connecting to us", address);
  return CLI_EXIT_OK;
}

static int peer_list(const char *dir, cli_format format)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  json_t *array = json_array();
  for (size_t i = 0; array && i < opened.peer_count; i++) {
    const node_peer *peer = &opened.peers[i];
    char key[65], fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
    ledger_hex_encode(peer->key, 32, key);
    ledger_fingerprint(peer->key, fingerprint);
    if (format == CLI_FORMAT_JSON)
      json_array_append_new(array, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", peer->name,
                                             "key", key, "fingerprint", fingerprint, "address",
                                             peer->address, "role",
                                             ledger_role_name(peer->role)));
    else
      printf("%-24s %-12s %s  %s\n", peer->name, ledger_role_name(peer->role), fingerprint,
             peer->address);
  }
  node_close(&opened);
  if (format == CLI_FORMAT_JSON)
    return cli_print_json(array);
  json_decref(array);
  return CLI_EXIT_OK;
}

static int peer_remove(const char *dir, const char *which)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_peer_remove(&opened, which, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("removed peer '%s'\n", which);
  return CLI_EXIT_OK;
}

int cli_cmd_peer(int argc, char **argv)
{
  static const cli_spec spec = {"peer", usage, CLI_TXT_JSON, 0};
  const char *key = NULL, *address = NULL, *role = NULL, *name = NULL;
  const cli_option options[] = {
      CLI_VALUE("key", 0, "KEY", &key, "add: the peer's node key (64 hex digits)"),
      CLI_VALUE("addr", 0, "HOST:PORT", &address, "add: where to dial it (none: it dials us)"),
      CLI_VALUE("role", 0, "ROLE", &role, "add: coop, municipality, partner or member"),
      CLI_VALUE("name", 0, "NAME", &name, "add: its section name in node.conf"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  const char *dir = args.dir;
  int positional = args.argc;
  const char *action = positional ? args.argv[0] : "";
  if (!strcmp(action, "add") && positional == 1)
    return peer_add(dir, key, address, role, name);
  if (!strcmp(action, "list") && positional == 1)
    return peer_list(dir, args.format);
  if (!strcmp(action, "remove") && positional == 2)
    return peer_remove(dir, args.argv[1]);
  return cli_usage_error("peer", "expected 'add', 'list' or 'remove NAME|KEY'");
}
