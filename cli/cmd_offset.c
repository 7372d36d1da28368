/* coop offset: offset statements (verrekening) outside the books.
 *
 *   coop offset simulate FILE [-O txt|json]
 *
 * A what-if simulator: it reads rule sets and one member's months from a
 * JSON file and prints the statement the engine computes for each month.
 * It reads no node home and writes nothing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/offset_json.h"
#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/offset/offset.h"

/* Largest simulate file.  Eighty years of months with every field is well
 * under 1 MiB; the bound keeps a mistaken or hostile input (a log, a disk
 * image, an endless pipe) from being read into memory whole. */
#define OFFSET_FILE_BYTES_MAX (16u * 1024u * 1024u)
#define OFFSET_FILE_LIMIT_TEXT "16 MiB"

static const char offset_usage[] =
    "usage: coop offset <subcommand> [options]\n"
    "\n"
    "Offset statements (verrekening): what a member's coop earnings mean for\n"
    "their benefit, by the rules of domain/offsetting.md.\n"
    "\n"
    "subcommands:\n"
    "  simulate    compute statements for months in a file (what-if, no books)\n"
    "\n"
    "See 'coop offset simulate --help'.\n";

static const char simulate_usage[] =
    "usage: coop offset simulate FILE [-O txt|json]\n"
    "\n"
    "Computes one member's indicative offset statement for every month in FILE,\n"
    "a JSON object {\"rule_sets\": [...], \"months\": [...]} in the format of\n"
    "domain/offset-examples.json (amounts in euro cents, percentages in basis\n"
    "points, months in increasing order).  FILE may be - for standard input;\n"
    "at most " OFFSET_FILE_LIMIT_TEXT ".  Nothing is read from or written to the books.\n"
    "txt prints a table per month, in euros; json an array of statements, amounts\n"
    "in cents.  --dir is accepted, as by every command, and unused.\n"
    "\n"
    "Exit status: 0 success, 1 bad file, 2 usage error.\n";

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
  static const cli_spec spec = {"offset simulate", simulate_usage, CLI_TXT_JSON, 0};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc < 1)
    return cli_usage_error("offset simulate", "missing FILE (a path, or - for stdin)");
  if (args.argc > 1)
    return cli_usage_error("offset simulate", "unexpected argument '%s'", args.argv[1]);
  const char *path = args.argv[0];
  return simulate(path, strcmp(path, "-") ? path : "stdin", args.format);
}

int cli_cmd_offset(int argc, char **argv)
{
  /* --dir is accepted, as by every command, and unused. */
  static const cli_spec spec = {"offset", offset_usage, 0, CLI_STOP_AT_OPERAND};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc < 1)
    return cli_usage_error("offset", "missing subcommand (simulate)");
  const char *subcommand = args.argv[0];
  if (!strcmp(subcommand, "simulate"))
    return cmd_simulate(args.argc, args.argv);
  return cli_usage_error("offset", "unknown subcommand '%s' (expected: simulate)", subcommand);
}
