/* coop: one binary, one subcommand per job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"

typedef struct command {
  const char *name;
  cli_command_fn run;
  const char *summary;
} command;

static const command commands[] = {
  {"init", cli_cmd_init, "create a node home: identity key, database, first entry"},
  {"id", cli_cmd_id, "print this node's public key, fingerprint, role and name"},
  {"note", cli_cmd_note, "append a public note to this node's log"},
  {"log", cli_cmd_log, "list the entries of this node's log (or --log KEY)"},
  {"logs", cli_cmd_logs, "list every log this node holds"},
  {"peer", cli_cmd_peer, "add, list and remove the nodes this node syncs with"},
  {"node", cli_cmd_node, "run the sync daemon: keep logs in sync with peers, live"},
  {"sync", cli_cmd_sync, "sync once with peers, then exit (0 = all verified)"},
  {"forks", cli_cmd_forks, "list fork evidence (logs whose author signed two histories)"},
  {"checkpoint", cli_cmd_checkpoint, "print the latest signed checkpoint"},
  {"verify", cli_cmd_verify, "re-check every entry, hash, tree node and signature"},
  {"proof", cli_cmd_proof, "make and check inclusion and consistency proofs"},
  {"member", cli_cmd_member, "enrol members, list and show them, record status"},
  {"record", cli_cmd_record, "record revenue, costs, allowance, spending, hours, ..."},
  {"correct", cli_cmd_correct, "reverse a record with a correction"},
  {"period", cli_cmd_period, "close a month"},
  {"accounts", cli_cmd_accounts, "list the chart of accounts"},
  {"bal", cli_cmd_bal, "balance per account"},
  {"reg", cli_cmd_reg, "the register: every posting"},
  {"rebuild", cli_cmd_rebuild, "recompute the books from the log"},
  {"import", cli_cmd_import, "record many rows from a CSV file, all or nothing"},
  {"export", cli_cmd_export, "the books as an hledger/ledger journal or CSV"},
  {"statement", cli_cmd_statement, "a member's monthly statement (txt, json, html)"},
  {"offset", cli_cmd_offset, "compute offset statements (what-if simulator)"},
  {"audit", cli_cmd_audit, "municipality: check residents' statements, report per month"},
  {"disputes", cli_cmd_disputes, "statements a municipality disputed, with both figures"},
  {"receipt", cli_cmd_receipt, "a member's proof of a month: export, and verify offline"},
  {"rules", cli_cmd_rules, "publish, list and show a municipality's offset rule sets"},
};

static void print_help(FILE *out)
{
  fprintf(out,
          "usage: coop <command> [options]\n"
          "\n"
          "A verifiable bookkeeping ledger for social cooperatives.\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fprintf(out,
          "\n"
          "Every command takes --dir DIR (the node home; default $COOP_HOME,\n"
          "else ~/.local/share/coop) and --help.  --dir may also come before\n"
          "the command: coop --dir DIR bal.\n"
          "Exit status: 0 success, 1 failure or verification error, 2 usage error.\n");
}

/* Global options before the command, like `git -C DIR`: `coop --dir DIR
 * bal` is `coop bal --dir DIR`.  The node home is passed on as COOP_HOME,
 * which every command reads when it is not given --dir itself (a --dir
 * after the command still wins).  Returns how many arguments it took, or -1
 * after a usage error. */
static int take_global_options(int argc, char **argv)
{
  int taken = 0;
  while (1 + taken < argc) {
    const char *option = argv[1 + taken];
    const char *value = NULL;
    if (!strncmp(option, "--dir=", 6)) {
      value = option + 6;
      taken += 1;
    } else if (!strcmp(option, "--dir")) {
      if (2 + taken >= argc) {
        cli_error("--dir needs a directory: coop --dir DIR <command> [options]");
        return -1;
      }
      value = argv[2 + taken];
      taken += 2;
    } else {
      break;
    }
    if (!value[0] || setenv("COOP_HOME", value, 1) != 0) {
      cli_error("--dir must not be empty");
      return -1;
    }
  }
  return taken;
}

int main(int argc, char **argv)
{
  if (sodium_init() < 0) {
    cli_error("cannot initialise libsodium");
    return CLI_EXIT_FAILURE;
  }
  int taken = take_global_options(argc, argv);
  if (taken < 0)
    return CLI_EXIT_USAGE;
  argc -= taken;
  argv += taken;
  if (argc < 2) {
    print_help(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
    print_help(stdout);
    return CLI_EXIT_OK;
  }
  if (!strcmp(name, "--version")) {
    printf("coop 0.1.0\n");
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(name, commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  cli_error("unknown command '%s'; see 'coop --help'", name);
  return CLI_EXIT_USAGE;
}
