/* coop report year YYYY: the coop's annual accounts (jaarrekening) - the
 * balance sheet at the year's end, profit and loss of the year, every
 * member's subledger and development budget, what each municipality was due
 * and paid, and the checks that all of it reconciles.  The figures are
 * node/year.c's; this file only prints them (txt, csv, json, html). */
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/books/money.h"
#include "node/wording.h"
#include "node/year.h"

static const char usage[] =
    "usage: coop report year YYYY [-O txt|csv|json|html] [--lang nl|en] [--dir DIR]\n"
    "\n"
    "The coop's annual accounts (jaarrekening) for one calendar year, from the\n"
    "books: the balance sheet at 31 December, profit and loss of the year,\n"
    "each member's totals and development budget (opening, added, spent,\n"
    "closing), what each municipality was due and was paid, and the checks\n"
    "that it reconciles (the statements' profit splits equal the booked ones;\n"
    "the budgets and dues equal their accounts).  Dutch by default (--lang en\n"
    "for English).  Exit status 1 when something does not reconcile.\n"
    "-O json gives integer cents; -O csv one row per figure.\n";

#define FORMAT_HTML CLI_FORMAT_HTML

/* txt columns: a member's name with her id, and amounts up to millions. */
#define TEXT_LABEL_WIDTH 44
#define TEXT_AMOUNT_WIDTH 16

/* ---- one way to print a table in txt, csv and html ---------------------------- */

typedef struct report_printer {
  int format; /* cli_format, or FORMAT_HTML */
  bool english;
  const char *section; /* csv: the table's key */
  const char *const *columns;
  size_t column_count;
} report_printer;

static const char *say(const report_printer *printer, const char *dutch, const char *english)
{
  return printer->english ? english : dutch;
}

static void html_text(const char *text)
{
  cli_html_text(stdout, text);
}

/* Text in a column of `width` characters (UTF-8 characters, not bytes:
 * "€" and "ö" take one place), right-aligned or left-aligned. */
static void put_padded(const char *text, int width, bool right)
{
  int chars = 0;
  for (const char *c = text; *c; c++)
    chars += ((unsigned char)*c & 0xc0) != 0x80;
  if (right)
    for (int i = chars; i < width; i++)
      putchar(' ');
  fputs(text, stdout);
  if (!right)
    for (int i = chars; i < width; i++)
      putchar(' ');
}

static void money_text(const report_printer *printer, int64_t cents,
                       char out[LEDGER_MONEY_TEXT_BYTES])
{
  if (printer->english)
    ledger_money_format(cents, out);
  else
    ledger_money_format_dutch(cents, out);
}

static void table_begin(report_printer *printer, const char *section, const char *title,
                        const char *const *columns, size_t column_count)
{
  printer->section = section;
  printer->columns = columns;
  printer->column_count = column_count;
  if (printer->format == CLI_FORMAT_CSV)
    return;
  if (printer->format == FORMAT_HTML) {
    fputs("<h2>", stdout);
    html_text(title);
    fputs("</h2>\n<table>\n<tr><th></th>", stdout);
    for (size_t i = 0; i < column_count; i++) {
      fputs("<th>", stdout);
      html_text(columns[i]);
      fputs("</th>", stdout);
    }
    fputs("</tr>\n", stdout);
    return;
  }
  printf("\n%s\n", title);
  put_padded("", TEXT_LABEL_WIDTH, false);
  for (size_t i = 0; i < column_count; i++) {
    putchar(' ');
    put_padded(columns[i], TEXT_AMOUNT_WIDTH, true);
  }
  putchar('\n');
}

/* A row of amounts; `text` (may be NULL) instead of amounts for a verdict. */
static void table_row(const report_printer *printer, const char *label, const int64_t *cents,
                      const char *text)
{
  char amount[LEDGER_MONEY_TEXT_BYTES];
  if (printer->format == CLI_FORMAT_CSV) {
    for (size_t i = 0; i < printer->column_count; i++) {
      printf("%s,", printer->section);
      cli_csv_field(stdout, label);
      putchar(',');
      cli_csv_field(stdout, printer->columns[i]);
      if (text) {
        putchar(',');
        cli_csv_field(stdout, text);
        fputs(",\n", stdout);
        continue;
      }
      ledger_money_format(cents[i], amount);
      printf(",%s,%lld\n", amount, (long long)cents[i]);
    }
    return;
  }
  if (printer->format == FORMAT_HTML) {
    fputs("<tr><td>", stdout);
    html_text(label);
    fputs("</td>", stdout);
    for (size_t i = 0; i < printer->column_count; i++) {
      if (!text)
        money_text(printer, cents[i], amount);
      fputs("<td class=\"amount\">", stdout);
      html_text(text ? text : amount);
      fputs("</td>", stdout);
    }
    fputs("</tr>\n", stdout);
    return;
  }
  put_padded(label, TEXT_LABEL_WIDTH, false);
  for (size_t i = 0; i < printer->column_count; i++) {
    if (!text)
      money_text(printer, cents[i], amount);
    putchar(' ');
    put_padded(text ? text : amount, TEXT_AMOUNT_WIDTH, true);
  }
  putchar('\n');
}

static void table_end(const report_printer *printer)
{
  if (printer->format == FORMAT_HTML)
    fputs("</table>\n", stdout);
}

/* ---- the sections --------------------------------------------------------------- */

static bool balance_sheet_line(const node_year_line *line)
{
  return line->account->type != LEDGER_ACCOUNT_INCOME &&
         line->account->type != LEDGER_ACCOUNT_EXPENSE;
}

/* Assets as debits, liabilities and equity as credits: both sides positive. */
static void print_balance_sheet(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "begin", "opening"), say(printer, "31 december", "31 December")};
  table_begin(printer, "balance_sheet", say(printer, "Balans", "Balance sheet"), columns, 2);
  int64_t assets[2] = {0, 0}, other[2] = {0, 0};
  for (int side = 0; side < 2; side++) {
    for (size_t i = 0; i < report->line_count; i++) {
      const node_year_line *line = &report->lines[i];
      bool asset = line->account->type == LEDGER_ACCOUNT_ASSET;
      if (!balance_sheet_line(line) || asset != (side == 0))
        continue;
      /* The reserve of closed years shows once a year has been closed. */
      if (line->account->code == LEDGER_ACCOUNT_RESULT_EARLIER_YEARS && !line->opening_cents &&
          !line->closing_cents)
        continue;
      int64_t sign = asset ? 1 : -1;
      int64_t cents[2] = {sign * line->opening_cents, sign * line->closing_cents};
      int64_t *total = asset ? assets : other;
      total[0] += cents[0];
      total[1] += cents[1];
      table_row(printer, node_account_label(line->account->code, printer->english), cents, NULL);
    }
    if (side == 0)
      table_row(printer, say(printer, "Totaal activa", "Total assets"), assets, NULL);
  }
  /* The results were never closed into equity: they stand here apart.
   * The earlier years' result stood the same at the year's start. */
  int64_t prior[2] = {-report->prior_result_cents, -report->prior_result_cents};
  int64_t year[2] = {0, -report->year_result_cents};
  table_row(printer, say(printer, "Resultaat voorgaande jaren", "Result of earlier years"), prior,
            NULL);
  table_row(printer, say(printer, "Resultaat boekjaar", "Result of the year"), year, NULL);
  for (int i = 0; i < 2; i++)
    other[i] += prior[i] + year[i];
  table_row(printer, say(printer, "Totaal passiva", "Total liabilities and equity"), other, NULL);
  table_end(printer);
}

static void print_profit_and_loss(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "boekjaar", "year")};
  table_begin(printer, "profit_and_loss",
              say(printer, "Winst- en verliesrekening", "Profit and loss"), columns, 1);
  for (size_t i = 0; i < report->line_count; i++) {
    const node_year_line *line = &report->lines[i];
    if (balance_sheet_line(line))
      continue;
    /* Income as earned (positive), expenses as spent (positive). */
    int64_t cents = line->account->type == LEDGER_ACCOUNT_INCOME ? -line->year_cents
                                                                 : line->year_cents;
    table_row(printer, node_account_label(line->account->code, printer->english), &cents, NULL);
  }
  int64_t result = -report->year_result_cents;
  table_row(printer, say(printer, "Resultaat", "Result"), &result, NULL);
  table_end(printer);
}

/* "Anna de Vries (m-3f9a2c)", and since when she left. */
static void member_label(const report_printer *printer, const node_year_member *member,
                         char *out, size_t out_bytes)
{
  char month[NODE_MONTH_TEXT_BYTES] = "";
  if (member->left_from)
    node_month_text(member->left_from, printer->english, month);
  snprintf(out, out_bytes, "%s (%s)%s%s", member->name, member->member_id,
           member->left_from ? say(printer, ", vertrokken per ", ", left from ") : "", month);
}

static void print_members(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "omzet", "revenue"), say(printer, "kosten", "costs"),
                           say(printer, "vrijw.vergoeding", "allowance"),
                           say(printer, "winst", "profit")};
  table_begin(printer, "members", say(printer, "Leden", "Members"), columns, 4);
  for (size_t i = 0; i < report->member_count; i++) {
    const node_year_member *member = &report->members[i];
    char label[COOP_NAME_BYTES_MAX + 64];
    member_label(printer, member, label, sizeof label);
    int64_t cents[] = {member->revenue_cents, member->costs_cents, member->allowance_cents,
                       member->profit_split_cents};
    table_row(printer, label, cents, NULL);
  }
  table_end(printer);
}

static void print_budgets(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "begin", "opening"), say(printer, "toegevoegd", "added"),
                           say(printer, "besteed", "spent"), say(printer, "eind", "closing")};
  table_begin(printer, "development_budgets",
              say(printer, "Ontwikkelbudgetten", "Development budgets"), columns, 4);
  for (size_t i = 0; i < report->member_count; i++) {
    const node_year_member *member = &report->members[i];
    char label[COOP_NAME_BYTES_MAX + 64];
    member_label(printer, member, label, sizeof label);
    int64_t cents[] = {member->budget_opening_cents, member->budget_added_cents,
                       member->budget_spent_cents, member->budget_closing_cents};
    table_row(printer, label, cents, NULL);
  }
  table_end(printer);
}

static void print_municipalities(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "begin", "opening"), say(printer, "verschuldigd", "due"),
                           say(printer, "betaald", "paid"), say(printer, "nog af te dragen", "still owed")};
  table_begin(printer, "municipalities", say(printer, "Gemeenten", "Municipalities"), columns, 4);
  for (size_t i = 0; i < report->municipality_count; i++) {
    const node_year_municipality *municipality = &report->municipalities[i];
    int64_t cents[] = {municipality->opening_cents, municipality->due_cents,
                       municipality->paid_cents, municipality->closing_cents};
    table_row(printer, municipality->text, cents, NULL);
  }
  table_end(printer);
}

static void print_splits(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "coop (verr.)", "coop (stated)"),
                           say(printer, "coop (geboekt)", "coop (booked)"),
                           say(printer, "gemeente (verr.)", "municipality (st.)"),
                           say(printer, "gemeente (geb.)", "municipality (bk.)"),
                           say(printer, "budget (verr.)", "budget (stated)"),
                           say(printer, "budget (geboekt)", "budget (booked)")};
  table_begin(printer, "profit_splits",
              say(printer, "Winstverdeling: verrekeningen en boekingen",
                  "Profit splits: statements and bookings"),
              columns, 6);
  for (size_t i = 0; i < report->member_count; i++) {
    const node_year_member *member = &report->members[i];
    char label[COOP_NAME_BYTES_MAX + 64];
    member_label(printer, member, label, sizeof label);
    int64_t cents[] = {member->stated_coop_cents,         member->booked_coop_cents,
                       member->stated_municipality_cents, member->booked_municipality_cents,
                       member->stated_budget_cents,       member->booked_budget_cents};
    table_row(printer, label, cents, NULL);
  }
  table_end(printer);
}

static void print_checks(report_printer *printer, const node_year_report *report)
{
  const char *columns[] = {say(printer, "uitkomst", "outcome")};
  const struct {
    bool holds;
    const char *dutch, *english;
  } checks[] = {
      {report->balanced, "balans sluit", "the balance sheet balances"},
      {report->accounts_agree, "rekeningen kloppen met de boeken",
       "the lines equal the books' balances"},
      {report->splits_reconcile, "winstverdeling = verrekeningen",
       "profit splits equal the statements"},
      {report->budgets_reconcile, "ontwikkelbudgetten sluiten", "development budgets reconcile"},
      {report->municipalities_reconcile, "afdrachten gemeenten sluiten",
       "municipalities' dues reconcile"},
  };
  table_begin(printer, "checks", say(printer, "Controles", "Checks"), columns, 1);
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
    table_row(printer, say(printer, checks[i].dutch, checks[i].english), NULL,
              checks[i].holds ? "ok" : say(printer, "KLOPT NIET", "DOES NOT HOLD"));
  table_end(printer);
}

static void print_title(report_printer *printer, node *opened, const node_year_report *report)
{
  char title[COOP_NAME_BYTES_MAX + 64], closed[NODE_MONTH_TEXT_BYTES] = "-";
  snprintf(title, sizeof title, "%s %u - %s", say(printer, "Jaarrekening", "Annual accounts"),
           report->year, opened->name);
  if (report->last_closed)
    node_month_text(report->last_closed, printer->english, closed);
  if (printer->format == FORMAT_HTML) {
    printf("<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
           printer->english ? "en" : "nl");
    html_text(title);
    fputs("</title><style>td.amount{text-align:right;font-variant-numeric:tabular-nums}"
          "td,th{padding:0 .6em}</style></head><body>\n<h1>", stdout);
    html_text(title);
    fputs("</h1>\n<p>", stdout);
  } else {
    printf("%s\n", title);
  }
  printf("%s %s", say(printer, "Laatste afgesloten maand:", "Last closed month:"), closed);
  if (report->running)
    printf(" (%s)", say(printer, "het jaar is nog niet voorbij", "the year has not ended"));
  if (report->closed)
    printf(printer->english ? ". The year is closed (entry %llu): its result is in equity"
                            : ". Het boekjaar is afgesloten (entry %llu): het resultaat staat "
                              "in het eigen vermogen",
           (unsigned long long)report->close_entry);
  fputs(printer->format == FORMAT_HTML ? "</p>\n" : "\n", stdout);
}

static void print_tables(report_printer *printer, node *opened, const node_year_report *report)
{
  if (printer->format == CLI_FORMAT_CSV)
    fputs("section,item,column,amount,amount_cents\n", stdout);
  else
    print_title(printer, opened, report);
  print_balance_sheet(printer, report);
  print_profit_and_loss(printer, report);
  print_members(printer, report);
  print_budgets(printer, report);
  print_municipalities(printer, report);
  print_splits(printer, report);
  print_checks(printer, report);
  if (printer->format == FORMAT_HTML)
    fputs("</body></html>\n", stdout);
}

/* ---- json ------------------------------------------------------------------------ */

static json_t *json_lines(const node_year_report *report)
{
  json_t *lines = json_array();
  for (size_t i = 0; lines && i < report->line_count; i++) {
    const node_year_line *line = &report->lines[i];
    json_array_append_new(
        lines, json_pack("{s:i, s:s, s:s, s:I, s:I, s:I}", "code", line->account->code, "type",
                         ledger_account_type_name(line->account->type), "label",
                         node_account_label(line->account->code, false), "opening_cents",
                         (json_int_t)line->opening_cents, "year_cents",
                         (json_int_t)line->year_cents, "closing_cents",
                         (json_int_t)line->closing_cents));
  }
  return lines;
}

static json_t *json_accounts(const node_year_report *report)
{
  json_t *accounts = json_array();
  for (size_t i = 0; accounts && i < report->account_count; i++) {
    const node_year_account *account = &report->accounts[i];
    json_array_append_new(accounts,
                          json_pack("{s:s, s:i, s:s, s:I, s:I}", "account", account->name, "code",
                                    account->code, "member_id", account->member_id, "year_cents",
                                    (json_int_t)account->year_cents, "closing_cents",
                                    (json_int_t)account->closing_cents));
  }
  return accounts;
}

static json_t *json_member(const node_year_member *member)
{
  char left[8] = "";
  if (member->left_from)
    ledger_period_format(member->left_from, left);
  return json_pack(
      "{s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:i, s:I, s:I, "
      "s:I, s:I, s:I, s:I}}",
      "member_id", member->member_id, "name", member->name, "municipality",
      member->municipality, "left_from", member->left_from ? left : NULL, "revenue_cents",
      (json_int_t)member->revenue_cents, "costs_cents", (json_int_t)member->costs_cents,
      "allowance_cents", (json_int_t)member->allowance_cents, "profit_split_cents",
      (json_int_t)member->profit_split_cents, "due_closing_cents",
      (json_int_t)member->due_closing_cents, "development_budget", "opening_cents",
      (json_int_t)member->budget_opening_cents, "added_cents",
      (json_int_t)member->budget_added_cents, "spent_cents",
      (json_int_t)member->budget_spent_cents, "closing_cents",
      (json_int_t)member->budget_closing_cents, "profit_splits", "statement_months",
      (int)member->statement_months, "stated_coop_cents", (json_int_t)member->stated_coop_cents,
      "booked_coop_cents", (json_int_t)member->booked_coop_cents,
      "stated_municipality_cents", (json_int_t)member->stated_municipality_cents,
      "booked_municipality_cents", (json_int_t)member->booked_municipality_cents,
      "stated_budget_cents", (json_int_t)member->stated_budget_cents, "booked_budget_cents",
      (json_int_t)member->booked_budget_cents);
}

static json_t *json_municipalities(const node_year_report *report)
{
  json_t *list = json_array();
  for (size_t i = 0; list && i < report->municipality_count; i++) {
    const node_year_municipality *municipality = &report->municipalities[i];
    char key[65];
    for (size_t b = 0; b < sizeof municipality->key; b++)
      snprintf(key + 2 * b, 3, "%02x", municipality->key[b]);
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "municipality", municipality->text,
                        "key", key, "opening_cents", (json_int_t)municipality->opening_cents,
                        "due_cents", (json_int_t)municipality->due_cents, "paid_cents",
                        (json_int_t)municipality->paid_cents, "closing_cents",
                        (json_int_t)municipality->closing_cents));
  }
  return list;
}

static int print_json(node *opened, const node_year_report *report)
{
  json_t *members = json_array();
  for (size_t i = 0; members && i < report->member_count; i++)
    json_array_append_new(members, json_member(&report->members[i]));
  json_t *root = json_pack(
      "{s:i, s:s, s:b, s:o, s:I, s:I, s:o, s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:b}", "year",
      (int)report->year, "coop", opened->name, "running", report->running, "chart",
      json_lines(report), "prior_result_cents", (json_int_t)report->prior_result_cents,
      "year_result_cents", (json_int_t)report->year_result_cents, "accounts",
      json_accounts(report), "members", members, "municipalities", json_municipalities(report),
      "checks", "balanced", report->balanced, "accounts_agree", report->accounts_agree,
      "splits_reconcile", report->splits_reconcile, "budgets_reconcile",
      report->budgets_reconcile, "municipalities_reconcile", report->municipalities_reconcile,
      "reconciles", node_year_reconciles(report));
  /* The year-close entry (coop proof inclusion N proves it), or null. */
  if (root)
    json_object_update_new(root, json_pack("{s:b, s:o}", "closed", report->closed,
                                           "close_entry",
                                           report->closed ? json_integer((json_int_t)report->close_entry)
                                                          : json_null()));
  if (root)
    json_object_update_new(root, json_pack("{s:I, s:I, s:I}", "year_postings",
                                           (json_int_t)report->year_posting_count,
                                           "year_debit_cents", (json_int_t)report->year_debit_cents,
                                           "year_credit_cents",
                                           (json_int_t)report->year_credit_cents));
  if (!root) {
    cli_error("out of memory");
    return CLI_EXIT_FAILURE;
  }
  return cli_print_json(root);
}

/* ---- the command ----------------------------------------------------------------- */

static int report_year(const char *dir, uint32_t year, cli_format format, bool english)
{
  node opened;
  if (cli_open_books(dir, &opened))
    return CLI_EXIT_FAILURE;
  node_year_report report;
  char message[NODE_MESSAGE_BYTES];
  if (node_year_report_make(&opened, year, &report, message)) {
    node_close(&opened);
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  report_printer printer = {.format = (int)format, .english = english};
  int status = CLI_EXIT_OK;
  if (format == CLI_FORMAT_JSON)
    status = print_json(&opened, &report);
  else
    print_tables(&printer, &opened, &report);
  if (!status && !node_year_reconciles(&report)) {
    cli_error("the accounts of %u do not reconcile (see the checks)", year);
    status = CLI_EXIT_FAILURE;
  }
  node_year_report_release(&report);
  node_close(&opened);
  if (!status && (fflush(stdout) || ferror(stdout))) {
    cli_error("cannot write to standard output");
    status = CLI_EXIT_FAILURE;
  }
  return status;
}

int cli_cmd_report(int argc, char **argv)
{
  static const cli_spec spec = {"report", usage, 0, 0};
  const char *language = "nl", *output = NULL;
  const cli_option options[] = {
      CLI_VALUE("output", 'O', "FORMAT", &output, "txt (default), csv, json or html"),
      CLI_VALUE("lang", 0, "LANGUAGE", &language, "nl (default) or en"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  cli_format format = CLI_FORMAT_TEXT;
  if (output && cli_parse_format(output, CLI_ALL_FORMATS | 1u << CLI_FORMAT_HTML, &format))
    return CLI_EXIT_USAGE;
  if (args.argc < 1)
    return cli_usage_error("report", "which report? (expected: year YYYY)");
  if (strcmp(args.argv[0], "year"))
    return cli_usage_error("report", "unknown report '%s' (expected: year)", args.argv[0]);
  if (args.argc < 2)
    return cli_usage_error("report", "report year needs the year, YYYY");
  if (args.argc > 2)
    return cli_usage_error("report", "unexpected argument '%s'", args.argv[2]);
  if (strcmp(language, "nl") && strcmp(language, "en"))
    return cli_usage_error("report", "unknown language '%s' (expected nl or en)", language);
  uint32_t year = 0;
  if (cli_parse_year(args.argv[1], &year))
    return CLI_EXIT_USAGE;
  return report_year(args.dir, year, format, !strcmp(language, "en"));
}
