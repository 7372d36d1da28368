/* coop: one binary, one subcommand per job. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"

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
  {"member", cli_cmd_member, "enrol members, list, show, record status, erase, export their data"},
  {"record", cli_cmd_record, "record revenue, costs, allowance, spending, hours, ..."},
  {"correct", cli_cmd_correct, "reverse a record with a correction"},
  {"period", cli_cmd_period, "close a month or a year; fix the first month"},
  {"accounts", cli_cmd_accounts, "list the chart of accounts"},
  {"bal", cli_cmd_bal, "balance per account"},
  {"reg", cli_cmd_reg, "the register: every posting"},
  {"rebuild", cli_cmd_rebuild, "recompute the books from the log"},
  {"import", cli_cmd_import, "record many rows from a CSV file, all or nothing"},
  {"export", cli_cmd_export, "the books as an hledger/ledger journal, CSV, or the XAF audit file"},
  {"report", cli_cmd_report, "the coop's annual accounts (jaarrekening) of a year"},
  {"statement", cli_cmd_statement, "a member's monthly statement or jaaropgave (txt, json, html)"},
  {"offset", cli_cmd_offset, "compute offset statements (what-if simulator)"},
  {"audit", cli_cmd_audit, "municipality: check residents' statements, report per month"},
  {"disputes", cli_cmd_disputes, "statements a municipality disputed, with both figures"},
  {"receipt", cli_cmd_receipt, "a member's proof of a month: export, and verify offline"},
  {"rules", cli_cmd_rules, "publish, list and show a municipality's offset rule sets"},
  {"web", cli_cmd_web, "the web app: serve it, add accounts, invite members"},
  {"retention", cli_cmd_retention, "members whose data may be erased now; erase them"},
  {"backup", cli_cmd_backup, "copy the database while the node runs (marked as a backup)"},
  {"restore", cli_cmd_restore, "put a backup back; appends wait until synced or confirmed"},
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
          "else ~/.local/share/coop) and --help.  --dir, -O FORMAT and --help may\n"
          "also come before the command: coop --dir DIR -O json bal.\n"
          "Exit status: 0 success, 1 failure or verification error, 2 usage error.\n");
}

/* The command's argv with the global -O and --help handed on: `coop -O
 * json bal` runs as `coop bal -O json`.  They go last (before a "--"), so a
 * command that stops at its subcommand (rules, offset) gives them to the
 * subcommand.  NULL when out of memory. */
static char **hand_on(int argc, char **argv, const char *output, int help, int *new_argc)
{
  char **out = calloc((size_t)argc + 4, sizeof *out);
  if (!out)
    return NULL;
  int end = 0, n = 0;
  while (end < argc && strcmp(argv[end], "--"))
    end++;
  for (int i = 0; i < end; i++)
    out[n++] = argv[i];
  if (output) {
    out[n++] = "-O";
    out[n++] = (char *)output;
  }
  if (help)
    out[n++] = "--help";
  for (int i = end; i < argc; i++)
    out[n++] = argv[i];
  *new_argc = n;
  return out;
}

static int run(int argc, char **argv)
{
  const char *name = argv[0];
  if (!strcmp(name, "help")) {
    print_help(stdout);
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(name, commands[i].name))
      return commands[i].run(argc, argv);
  cli_error("unknown command '%s'; see 'coop --help'", name);
  return CLI_EXIT_USAGE;
}

/* The commands whose work grows with the log or the input file: they fill
 * 100+ MiB of heap on a large node, and huge pages save them a quarter of a
 * month close.  Every other command is short, and a second exec costs ~15
 * ms on this project's VM (a process start; `coop bal` 24 -> 38 ms): more
 * than its heap's page faults.  The servers that run for days (`node`,
 * `web`) keep a small heap, which 2 MiB pages only made bigger (+2 - 6 MiB
 * a daemon, measured). */
static bool works_in_bulk(const char *name)
{
  static const char *const bulk[] = {"import", "period", "audit",  "rebuild", "verify",
                                     "log",    "sync",   "export", "report"};
  for (size_t i = 0; i < sizeof bulk / sizeof bulk[0]; i++)
    if (!strcmp(name, bulk[i]))
      return true;
  return false;
}

/* Huge pages for the heap (ledger/base/alloc.h) for the bulk commands.
 * COOP_DEBUG_HUGE_PAGES=1 says on stderr what was done. */
static void heap_pages(const char *name, char **argv)
{
  const char *what = works_in_bulk(name) ? coop_heap_use_huge_pages(argv)
                                         : "off (not a bulk command)";
  const char *debug = getenv("COOP_DEBUG_HUGE_PAGES");
  if (debug && !strcmp(debug, "1"))
    fprintf(stderr, "coop: huge pages for the heap: %s\n", what);
}

int main(int argc, char **argv)
{
  int first = argc, help = 0;
  const char *output = NULL;
  int status = cli_parse_global(argc, argv, &first, &output, &help);
  if (status != CLI_GO)
    return status;
  if (first < argc)
    heap_pages(argv[first], argv);
  if (sodium_init() < 0) {
    cli_error("cannot initialise libsodium");
    return CLI_EXIT_FAILURE;
  }
  if (first >= argc) {
    print_help(help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  int command_argc = 0;
  char **command_argv = hand_on(argc - first, argv + first, output, help, &command_argc);
  if (!command_argv) {
    cli_error("out of memory");
    return CLI_EXIT_FAILURE;
  }
  status = run(command_argc, command_argv);
  free(command_argv);
  return status;
}
