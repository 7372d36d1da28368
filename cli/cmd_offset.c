/* coop offset: offset statements (verrekening) outside the books.
 *
 *   coop offset simulate FILE [-O txt|json]
 *
 * A what-if simulator: it reads rule sets and one member's months from a
 * JSON file and prints the statement the engine computes for each month.
 * It reads no node home and writes nothing. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/alloc.h"
#include "ledger/buffer.h"
#include "ledger/offset.h"
#include "ledger/offset_json.h"

/* Largest simulate file.  Eighty years of months with every field is well
 * under 1 MiB; the bound keeps a mistaken or hostile input (a log, a disk
 * image, an endless pipe) from being read into memory whole. */
#define OFFSET_FILE_BYTES_MAX (16u * 1024u * 1024u)
#define OFFSET_FILE_LIMIT_TEXT "16 MiB"

static void print_offset_help(FILE *out)
{
  fprintf(out, "usage: coop offset <subcommand> [options]\n"
               "\n"
               "Offset statements (verrekening): what a member's coop earnings mean for\n"
               "their benefit, by the rules of domain/offsetting.md.\n"
               "\n"
               "subcommands:\n"
               "  simulate    compute statements for months in a file (what-if, no books)\n"
               "\n"
               "See 'coop offset simulate --help'.\n");
}

static void print_simulate_help(FILE *out)
{
  fprintf(out,
          "usage: coop offset simulate FILE [-O txt|json]\n"
          "\n"
          "Computes one member's indicative offset statement for every month in FILE,\n"
          "a JSON object {\"rule_sets\": [...], \"months\": [...]} in the format of\n"
          "domain/offset-examples.json (amounts in euro cents, percentages in basis\n"
          "points, months in increasing order).  FILE may be - for standard input;\n"
          "at most " OFFSET_FILE_LIMIT_TEXT ".  Nothing is read from or written to the books.\n"
          "\n"
          "options:\n"
          "  -O, --output FORMAT  txt (default): a table per month, in euros;\n"
          "                       json: an array of statements, amounts in cents\n"
          "      --dir DIR        accepted for symmetry with other commands; unused\n"
          "  -h, --help           show this help\n"
          "\n"
          "Exit status: 0 success, 1 bad file, 2 usage error.\n");
}

/* ---- Reading the file ----------------------------------------------------- */


/* ---- Printing ------------------------------------------------------------- */

/* Euros with two decimals from cents, exactly: "-250.00", "1401.50". */
static void format_euros(int64_t cents, char *text, size_t text_bytes)
{
  /* Statement figures are never INT64_MIN (profit is at least -INT64_MAX),
   * so the negation cannot overflow. */
  int64_t magnitude = cents < 0 ? -cents : cents;
  snprintf(text, text_bytes, "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "", magnitude / 100,
           magnitude % 100);
}

static void print_money_row(const char *label, int64_t cents)
{
  char euros[32];
  format_euros(cents, euros, sizeof euros);
  printf("  %-34s %14s\n", label, euros);
}

static void print_counter_row(const char *label, int64_t used, int64_t length)
{
  printf("  %-34s %14" PRId64 " of %" PRId64 "\n", label, used, length);
}

static void print_statement_text(const ledger_offset_statement *statement,
                                 const ledger_offset_rule_set *rule_set)
{
  char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  char effective_from[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(statement->period, period);
  ledger_offset_period_format(rule_set->effective_from, effective_from);
  printf("%s  rule set %s from %s (%s, %s, %s)\n", period, rule_set->municipality, effective_from,
         ledger_offset_regime_name(rule_set->regime),
         ledger_offset_distribution_name(rule_set->distribution),
         ledger_offset_loss_rule_name(rule_set->loss_rule));
  char disregard_label[40];
  snprintf(disregard_label, sizeof disregard_label, "disregard (%s)",
           ledger_offset_disregard_kind_name(statement->disregard_kind));
  print_money_row("profit", statement->profit_cents);
  print_money_row("coop share", statement->coop_share_cents);
  print_money_row("net income", statement->net_income_cents);
  print_money_row(disregard_label, statement->disregard_cents);
  print_money_row("volunteer allowance disregarded", statement->volunteer_disregarded_cents);
  print_money_row("volunteer allowance counted", statement->volunteer_counted_cents);
  print_money_row("counted income", statement->counted_income_cents);
  print_money_row("indicative offset", statement->offset_cents);
  print_money_row("indicative benefit", statement->benefit_cents);
  printf("  %-34s %14s\n", "above norm", statement->above_norm ? "yes" : "no");
  print_money_row("to municipality", statement->to_municipality_cents);
  print_money_row("to development budget", statement->to_budget_cents);
  print_counter_row("n window months used", statement->n_used, rule_set->n_months);
  print_counter_row("r window months used", statement->r_used, rule_set->r_months);
  print_counter_row("34a window months used", statement->a34_used, rule_set->months_34a);
  print_money_row("volunteer disregarded this year", statement->k_ytd_cents);
  print_money_row("loss carried", statement->loss_carried_cents);
}

static int print_text(const ledger_offset_simulation *simulation,
                      const ledger_offset_statement *statements)
{
  for (size_t i = 0; i < simulation->month_count; i++) {
    if (i > 0)
      putchar('\n');
    print_statement_text(&statements[i], &simulation->rule_sets[statements[i].rule_set_index]);
  }
  printf("%sAmounts in euros.  Offset and benefit are indicative: the municipality "
         "decides.\n",
         simulation->month_count > 0 ? "\n" : "");
  return 0;
}

static int print_json(const ledger_offset_simulation *simulation,
                      const ledger_offset_statement *statements)
{
  json_t *array = NULL;
  coop_err err = ledger_offset_json_from_statements(statements, simulation->month_count, &array);
  if (err != COOP_OK) {
    cli_error("cannot build the output: %s", coop_err_message(err));
    return -1;
  }
  return cli_print_json(array) == CLI_EXIT_OK ? 0 : -1;
}

/* After getopt_long() returned '?': optopt is the unknown short option, or
 * 0 for an unknown long one, which is then the last argument scanned. */
static int unknown_option(const char *command, char **argv)
{
  if (optopt)
    return cli_usage_error(command, "unknown option '-%c'", optopt);
  return cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
}

/* ---- simulate ------------------------------------------------------------- */

/* Parses, runs and prints.  `name` is how FILE is called in messages. */
static int simulate(const char *path, const char *name, cli_format format)
{
  int exit_code = CLI_EXIT_FAILURE;
  int printed;
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  ledger_offset_statement *statements = NULL;
  ledger_offset_simulation simulation;
  ledger_offset_simulation_init(&simulation);
  coop_buf text;
  coop_buf_init(&text, OFFSET_FILE_BYTES_MAX);

  if (cli_read_input(path, name, "a simulate file is at most " OFFSET_FILE_LIMIT_TEXT, &text) != 0)
    goto out;
  if (ledger_offset_json_parse_simulation_text((const char *)text.data, text.len, &simulation,
                                               message, sizeof message) != COOP_OK) {
    cli_error("%s: %s", name, message);
    goto out;
  }
  statements = coop_calloc(simulation.month_count, sizeof *statements);
  if (!statements) {
    cli_error("%s: %s", name, coop_err_message(COOP_E_NOMEM));
    goto out;
  }
  if (ledger_offset_simulation_run(&simulation, statements, message, sizeof message) != COOP_OK) {
    cli_error("%s: %s", name, message);
    goto out;
  }
  printed = format == CLI_FORMAT_JSON ? print_json(&simulation, statements)
                                          : print_text(&simulation, statements);
  if (printed == 0 && fflush(stdout) != 0) {
    cli_error("cannot write the output: %s", strerror(errno));
    printed = -1;
  }
  if (printed == 0)
    exit_code = CLI_EXIT_OK;
out:
  coop_free(statements);
  ledger_offset_simulation_release(&simulation);
  coop_buf_release(&text);
  return exit_code;
}

static int cmd_simulate(int argc, char **argv)
{
  static const struct option options[] = {
      {"output", required_argument, NULL, 'O'},
      {"dir", required_argument, NULL, 'd'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  cli_format format = CLI_FORMAT_TEXT;
  /* 0, not 1: the parse of `coop offset`'s own options came first, and only
   * a 0 makes getopt (glibc, musl, BSD) start over, with this optstring's
   * argument order, instead of continuing its previous scan. */
  optind = 0;
  opterr = 0;
  int option;
  while ((option = getopt_long(argc, argv, ":hO:", options, NULL)) != -1) {
    switch (option) {
    case 'h': print_simulate_help(stdout); return CLI_EXIT_OK;
    case 'O':
      if (cli_parse_format(optarg, (1u << CLI_FORMAT_TEXT) | (1u << CLI_FORMAT_JSON), &format) != 0)
        return CLI_EXIT_USAGE;
      break;
    case 'd': break; /* every command takes --dir; a simulation needs no node home */
    case ':':
      return cli_usage_error("offset simulate", "option '%s' needs a value", argv[optind - 1]);
    default: return unknown_option("offset simulate", argv);
    }
  }
  if (optind >= argc)
    return cli_usage_error("offset simulate", "missing FILE (a path, or - for stdin)");
  if (argc - optind > 1)
    return cli_usage_error("offset simulate", "unexpected argument '%s'", argv[optind + 1]);
  const char *path = argv[optind];
  return simulate(path, strcmp(path, "-") ? path : "stdin", format);
}

int cli_cmd_offset(int argc, char **argv)
{
  static const struct option options[] = {
      {"dir", required_argument, NULL, 'd'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  /* "+": stop at the subcommand, whose options are its own. */
  optind = 0;
  opterr = 0;
  int option;
  while ((option = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
    switch (option) {
    case 'h': print_offset_help(stdout); return CLI_EXIT_OK;
    case 'd': break; /* accepted by every command; unused here */
    case ':': return cli_usage_error("offset", "option '%s' needs a value", argv[optind - 1]);
    default: return unknown_option("offset", argv);
    }
  }
  if (optind >= argc)
    return cli_usage_error("offset", "missing subcommand (simulate)");
  const char *subcommand = argv[optind];
  if (!strcmp(subcommand, "simulate"))
    return cmd_simulate(argc - optind, argv + optind);
  return cli_usage_error("offset", "unknown subcommand '%s' (expected: simulate)", subcommand);
}
