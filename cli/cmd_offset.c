/* coop offset: offset statements (verrekening) outside the books.
 *
 *   coop offset simulate FILE [-O txt|json] [--lang nl|en]
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
#include "node/wording.h"

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
    "usage: coop offset simulate FILE [-O txt|json] [--lang nl|en]\n"
    "\n"
    "Computes one member's indicative offset statement for every month in FILE,\n"
    "a JSON object {\"rule_sets\": [...], \"months\": [...]} in the format of\n"
    "domain/offset-examples.json (amounts in euro cents, percentages in basis\n"
    "points, months in increasing order).  FILE may be - for standard input;\n"
    "at most " OFFSET_FILE_LIMIT_TEXT ".  Nothing is read from or written to the books.\n"
    "txt prints a table per month, in euros, in Dutch (--lang en: in English, with\n"
    "a decimal point); json an array of statements, amounts in cents, its field\n"
    "names the same in both.  --dir is accepted, as by every command, and unused.\n"
    "\n"
    "Exit status: 0 success, 1 bad file, 2 usage error.\n";

/* ---- Reading the file ----------------------------------------------------- */


/* ---- Printing ------------------------------------------------------------- */

/* The table's words: Dutch first (members and officers read it, as they
 * read 'coop statement'), English with --lang en. */
typedef struct simulate_view {
  bool english;
} simulate_view;

static const char *say(const simulate_view *view, const char *dutch, const char *english)
{
  return view->english ? english : dutch;
}

/* Euros with two decimals from cents, exactly: "-250,00", "1401,50" in
 * Dutch, "-250.00", "1401.50" in English. */
static void format_euros(const simulate_view *view, int64_t cents, char *text, size_t text_bytes)
{
  /* Statement figures are never INT64_MIN (profit is at least -INT64_MAX),
   * so the negation cannot overflow. */
  int64_t magnitude = cents < 0 ? -cents : cents;
  snprintf(text, text_bytes, "%s%" PRId64 "%s%02" PRId64, cents < 0 ? "-" : "", magnitude / 100,
           say(view, ",", "."), magnitude % 100);
}

/* "  label<padding> " in 34 columns: a Dutch label may hold an "ö". */
static void print_label(const char *label)
{
  fputs("  ", stdout);
  cli_print_padded(label, 34);
  fputc(' ', stdout);
}

static void print_money_row(const simulate_view *view, const char *dutch, const char *english,
                            int64_t cents)
{
  char euros[32];
  format_euros(view, cents, euros, sizeof euros);
  print_label(say(view, dutch, english));
  printf("%14s\n", euros);
}

static void print_counter_row(const simulate_view *view, const char *dutch, const char *english,
                              int64_t used, int64_t length)
{
  print_label(say(view, dutch, english));
  printf("%14" PRId64 " %s %" PRId64 "\n", used, say(view, "van", "of"), length);
}

static void print_statement_text(const simulate_view *view,
                                 const ledger_offset_statement *statement,
                                 const ledger_offset_rule_set *rule_set)
{
  char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  char effective_from[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(statement->period, period);
  ledger_offset_period_format(rule_set->effective_from, effective_from);
  printf("%s  %s %s %s %s (%s, %s, %s)\n", period, say(view, "rekenregels", "rule set"),
         rule_set->municipality, say(view, "vanaf", "from"), effective_from,
         ledger_offset_regime_name(rule_set->regime),
         ledger_offset_distribution_name(rule_set->distribution),
         ledger_offset_loss_rule_name(rule_set->loss_rule));
  const char *kind = ledger_offset_disregard_kind_name(statement->disregard_kind);
  char disregard_dutch[40], disregard_english[40];
  snprintf(disregard_dutch, sizeof disregard_dutch, "vrijlating (%s)", kind);
  snprintf(disregard_english, sizeof disregard_english, "disregard (%s)", kind);
  print_money_row(view, "winst", "profit", statement->profit_cents);
  print_money_row(view, "aandeel coöperatie", "coop share", statement->coop_share_cents);
  print_money_row(view, "netto-inkomsten", "net income", statement->net_income_cents);
  print_money_row(view, disregard_dutch, disregard_english, statement->disregard_cents);
  print_money_row(view, "vrijwilligersverg. vrijgelaten", "volunteer allowance disregarded",
                  statement->volunteer_disregarded_cents);
  print_money_row(view, "vrijwilligersverg. geteld", "volunteer allowance counted",
                  statement->volunteer_counted_cents);
  print_money_row(view, "getelde inkomsten", "counted income", statement->counted_income_cents);
  print_money_row(view, "indicatieve verrekening", "indicative offset", statement->offset_cents);
  print_money_row(view, "indicatieve uitkering", "indicative benefit", statement->benefit_cents);
  print_label(say(view, "boven de bijstandsnorm", "above norm"));
  printf("%14s\n", statement->above_norm ? say(view, "ja", "yes") : say(view, "nee", "no"));
  print_money_row(view, "naar de gemeente", "to municipality", statement->to_municipality_cents);
  print_money_row(view, "naar het ontwikkelbudget", "to development budget",
                  statement->to_budget_cents);
  print_counter_row(view, "maanden gebruikt van venster n", "n window months used",
                    statement->n_used, rule_set->n_months);
  print_counter_row(view, "maanden gebruikt van venster r", "r window months used",
                    statement->r_used, rule_set->r_months);
  print_counter_row(view, "maanden gebruikt van venster 34a", "34a window months used",
                    statement->a34_used, rule_set->months_34a);
  print_money_row(view, "vrijwilligersverg. vrij dit jaar", "volunteer disregarded this year",
                  statement->k_ytd_cents);
  print_money_row(view, "overgedragen verlies", "loss carried", statement->loss_carried_cents);
}

static int print_text(const simulate_view *view, const ledger_offset_simulation *simulation,
                      const ledger_offset_statement *statements)
{
  for (size_t i = 0; i < simulation->month_count; i++) {
    if (i > 0)
      putchar('\n');
    print_statement_text(view, &statements[i],
                         &simulation->rule_sets[statements[i].rule_set_index]);
  }
  printf("%s%s\n", simulation->month_count > 0 ? "\n" : "",
         say(view, "Bedragen in euro.  Verrekening en uitkering zijn indicatief: de gemeente "
                   "beslist.",
             "Amounts in euros.  Offset and benefit are indicative: the municipality decides."));
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
/* What is wrong with the file, in the language of the table (Dutch unless
 * --lang en), after "coop: error: FILE: ". */
static void say_problem(const simulate_view *view, const char *name, char *message,
                        size_t message_bytes)
{
  if (!view->english)
    ledger_offset_json_message_dutch(message, message_bytes);
  cli_error("%s: %s", name, message);
}

static int simulate(const char *path, const char *name, cli_format format,
                    const simulate_view *view)
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
    say_problem(view, name, message, sizeof message);
    goto out;
  }
  statements = coop_calloc(simulation.month_count, sizeof *statements);
  if (!statements) {
    cli_error("%s: %s", name, coop_err_message(COOP_E_NOMEM));
    goto out;
  }
  if (ledger_offset_simulation_run(&simulation, statements, message, sizeof message) != COOP_OK) {
    say_problem(view, name, message, sizeof message);
    goto out;
  }
  printed = format == CLI_FORMAT_JSON ? print_json(&simulation, statements)
                                          : print_text(view, &simulation, statements);
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
  const char *lang = "nl";
  const cli_option options[] = {
      CLI_VALUE("lang", 0, "LANGUAGE", &lang, "txt: nl (default) or en"), CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc < 1)
    return cli_usage_error("offset simulate", "missing FILE (a path, or - for stdin)");
  if (args.argc > 1)
    return cli_usage_error("offset simulate", "unexpected argument '%s'", args.argv[1]);
  if (strcmp(lang, "nl") && strcmp(lang, "en"))
    return cli_usage_error("offset simulate", "unknown language '%s' (expected nl or en)", lang);
  const simulate_view view = {.english = !strcmp(lang, "en")};
  const char *path = args.argv[0];
  return simulate(path, strcmp(path, "-") ? path : "stdin", args.format, &view);
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
