/* coop node run (the sync daemon), coop sync (one-shot) and coop forks. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "node/daemon.h"
#include "node/logs.h"
#include "node/node.h"
#include "web/web.h"

static const char node_usage[] =
    "usage: coop node run [--listen HOST:PORT] [--http HOST:PORT] [--dir DIR]\n"
    "\n"
    "Runs this node's sync daemon in the foreground.  It listens for peers\n"
    "(--listen, default the 'listen' setting in node.conf, which 'coop init' sets\n"
    "to 127.0.0.1:7420), connects to every peer in node.conf that has an address\n"
    "and keeps trying (backoff 1 s doubling to 5 min), and keeps its own log and\n"
    "those of the peers node.conf names up to date with them (no others are\n"
    "stored or relayed): everything received is verified (signatures, hashes, Merkle\n"
    "roots) before it is stored, and entries appended meanwhile (by 'coop record',\n"
    "'coop period close', ...) reach connected peers within a second.  Only peers\n"
    "in node.conf get past the handshake.\n"
    "\n"
    "One line per event goes to standard error.  Signals: SIGHUP re-reads the\n"
    "peers from node.conf; SIGTERM and SIGINT close every connection cleanly and\n"
    "exit 0.  Nothing received is lost when it is killed: every batch is stored\n"
    "whole or not at all, and the next connection resumes where it stopped.\n"
    "See docs/user-guide.md (running a node) for a systemd unit.\n";

static const char sync_usage[] =
    "usage: coop sync [--peer NAME] [--timeout S] [--quiet] [--dir DIR]\n"
    "\n"
    "Syncs once with every peer in node.conf that has an address (or only --peer\n"
    "NAME): connects, exchanges what each side lacks of every log both keep (our\n"
    "own and those of the peers node.conf names), verifies everything received,\n"
    "and disconnects.  Prints one line per peer; peers without an address connect\n"
    "to this node and are listed as not dialed.  Exit status 0 only if every\n"
    "dialed peer was reached, everything received verified and no new fork\n"
    "evidence turned up; 1 otherwise (the reason is printed), for cron jobs and\n"
    "scripts.  On a database put back with 'coop restore', a sync with every\n"
    "peer (all reached, without --peer) takes back what they hold of this node's\n"
    "own log and then allows appending again.\n";

static const char forks_usage[] =
    "usage: coop forks [-O txt|json] [--dir DIR]\n"
    "\n"
    "Lists fork evidence: pairs of checkpoints, each validly signed by a log's\n"
    "key, that cannot both be true (the log's author signed two histories).  A\n"
    "forked log is no longer accepted from any peer.  Exit status 1 when there\n"
    "is any evidence, so scripts notice.\n";

static int node_run_command(int argc, char **argv)
{
  static const cli_spec spec = {"node", node_usage, 0, 0};
  const char *listen = NULL, *http = NULL;
  const cli_option options[] = {
      CLI_VALUE("listen", 0, "HOST:PORT", &listen, "listen here (default: node.conf's 'listen')"),
      CLI_VALUE("http", 0, "HOST:PORT", &http,
                "also serve the web app here (default: node.conf's 'http'; see 'coop web')"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (listen && node_address_check(listen))
    return cli_usage_error("node", "--listen '%s' is not HOST:PORT", listen);
  if (http && node_address_check(http))
    return cli_usage_error("node", "--http '%s' is not HOST:PORT", http);
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  /* The web app runs in a thread of its own, with its own node handle. */
  web_server *web = NULL;
  coop_err err = COOP_OK;
  if (http || opened.http[0]) {
    web_options options_web = {.address = http};
    err = web_start(opened.home, &options_web, &web, message);
    if (!err)
      fprintf(stderr, "coop[%s]: web app on %s\n", opened.name, web_url(web));
  }
  if (!err)
    err = node_run(&opened, listen, message);
  web_stop(web);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

int cli_cmd_node(int argc, char **argv)
{
  static const cli_subcommand table[] = {{"run", node_run_command}, {NULL, NULL}};
  return cli_run_subcommand("node", node_usage, table, argc, argv);
}

int cli_cmd_sync(int argc, char **argv)
{
  static const cli_spec spec = {"sync", sync_usage, 0, 0};
  const char *peer = NULL, *timeout_text = NULL;
  int quiet = 0;
  const cli_option options[] = {
      CLI_VALUE("peer", 0, "NAME", &peer, "only this peer of node.conf"),
      CLI_VALUE("timeout", 0, "S", &timeout_text, "give up after S seconds (default 60)"),
      CLI_FLAG("quiet", 'q', &quiet, "no event lines on standard error"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  unsigned long long timeout = 60;
  if (timeout_text && cli_parse_u64(timeout_text, "--timeout", 86400, &timeout))
    return CLI_EXIT_USAGE;
  if (!timeout)
    return cli_usage_error("sync", "--timeout must be at least 1 second");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_sync(&opened, peer, timeout * 1000u, quiet, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

typedef struct fork_listing {
  cli_rows rows;
  size_t count;
} fork_listing;

static coop_err list_fork(void *context, const ledger_fork_evidence *evidence)
{
  fork_listing *listing = context;
  listing->count++;
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1], found[32];
  ledger_fingerprint(evidence->first.log_id, fingerprint);
  cli_format_time(evidence->found_ms, found);
  if (listing->rows.format == CLI_FORMAT_JSON) {
    char log_id[65];
    ledger_hex_encode(evidence->first.log_id, 32, log_id);
    return cli_rows_json(&listing->rows,
                         json_pack("{s:s, s:s, s:o, s:o, s:I, s:s}", "log_id", log_id,
                                   "fingerprint", fingerprint, "first",
                                   cli_checkpoint_json(&evidence->first), "second",
                                   cli_checkpoint_json(&evidence->second), "found_ms",
                                   (json_int_t)evidence->found_ms, "found", found));
  }
  char first_root[65], second_root[65];
  ledger_hex_encode(evidence->first.root, 32, first_root);
  ledger_hex_encode(evidence->second.root, 32, second_root);
  printf("log %s  found %s\n  size %-10llu root %s\n  size %-10llu root %s\n", fingerprint,
         found, (unsigned long long)evidence->first.size, first_root,
         (unsigned long long)evidence->second.size, second_root);
  return COOP_OK;
}

int cli_cmd_forks(int argc, char **argv)
{
  static const cli_spec spec = {"forks", forks_usage, CLI_TXT_JSON, 0};
  cli_args args = {0};
  node opened;
  int status = cli_parse_and_open(&spec, NULL, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  fork_listing listing = {.count = 0};
  cli_rows_begin(&listing.rows, args.format, NULL);
  coop_err err = node_forks(&opened, list_fork, &listing);
  node_close(&opened);
  if (cli_rows_end(&listing.rows, err, "read fork evidence"))
    return CLI_EXIT_FAILURE;
  if (args.format != CLI_FORMAT_JSON && !listing.count)
    printf("no fork evidence\n");
  return listing.count ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
