/* coop audit run|report (municipality) and coop disputes (coop, member). */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/witness.h"
#include "node/wording.h"
#include "node/year_statement.h"

static const char audit_usage[] =
    "usage: coop audit run [--dir DIR]\n"
    "       coop audit report -p YYYY-MM [-O txt|csv|json] [--lang nl|en] [--dir DIR]\n"
    "       coop audit report --year YYYY [-O txt|csv|json] [--lang nl|en] [--dir DIR]\n"
    "\n"
    "For a municipality node.  'run' checks every statement a coop wrote for one\n"
    "of this municipality's residents that has not been checked yet: the month is\n"
    "recomputed from the coop's own entries for that member (records, status,\n"
    "the previous month's carried state) with this municipality's own copy of the\n"
    "rule set the statement names.  Equal: an acknowledgement is appended to this\n"
    "node's log; different: a dispute with the differing fields and this\n"
    "municipality's figures.  Both are sealed to the member's audience, so the\n"
    "coop and the member can read them.  'coop node run' does this by itself\n"
    "whenever a coop's log grows.  After the audit 'run' witnesses, like the\n"
    "daemon: it cosigns the latest checkpoint of every coop log held (unless\n"
    "node.conf says witness = no) and checks others' cosignatures; new fork\n"
    "evidence makes it exit 1.\n"
    "\n"
    "'report' prints one row per resident for the month: client reference,\n"
    "statement, counted income, indicative offset and benefit, the amount due to\n"
    "the municipality, and the status: acknowledged, disputed, pending (not\n"
    "checked yet), missing (the month is closed and income was recorded, but there\n"
    "is no statement) or open (income recorded, month not closed yet).\n"
    "On a disputed row the amounts are this municipality's own figures, never the\n"
    "disputed ones: txt shows the coop's on the line below, json has both as\n"
    "municipality_figures and coop_figures, csv (for the benefits system) only\n"
    "the municipality's.  Amounts are euros in txt and csv, integer cents in json.\n"
    "txt is for the officer: Dutch (the status as 'akkoord', 'betwist', ...),\n"
    "--lang en for English; csv and json keep the English status names above.\n"
    "\n"
    "'report --year' is the year overview: the same row for every resident and\n"
    "every month of the year in one table, by resident, each resident's year\n"
    "totalled and all residents together (csv: rows with month 'total'; json:\n"
    "residents, each with months and totals).  It shows what arrived: a month\n"
    "the coop has not closed is 'open', one not synced yet is absent.  Totals\n"
    "count the months with a statement, disputed ones with this municipality's\n"
    "own figures.\n";

static int audit_run(int argc, char **argv)
{
  static const cli_spec spec = {"audit", audit_usage, 1u << CLI_FORMAT_TEXT, 0};
  cli_args args = {0};
  node opened;
  int status = cli_parse_and_open(&spec, NULL, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  node_audit_summary summary;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_audit_run(&opened, &summary, message);
  /* Then witness, as the daemon does after each audit: a municipality that
   * exchanges logs as files cosigns the coops' checkpoints too. */
  node_witness_summary witnessed = {0};
  if (!err)
    err = node_witness_run(&opened, NULL, &witnessed, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return err == COOP_E_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  }
  printf("%zu statements of residents: %zu acknowledged now, %zu disputed now, %zu checked "
         "before\n",
         summary.statements_seen, summary.acknowledged, summary.disputed,
         summary.already_judged);
  if (witnessed.cosigned)
    printf("%zu coop checkpoints cosigned as a witness\n", witnessed.cosigned);
  if (witnessed.forks) {
    printf("FORK: %zu new fork evidence found through cosigned checkpoints (see 'coop forks')\n",
           witnessed.forks);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

typedef struct report_output {
  cli_format format;
  bool english; /* txt: Dutch unless --lang en (the officer reads it) */
  json_t *rows;
  size_t count;
} report_output;

static void differing_text(const ledger_verdict *verdict, char *out, size_t size)
{
  out[0] = 0;
  size_t used = 0;
  for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++)
    if (verdict->differing & (UINT32_C(1) << field))
      used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
                               used ? " " : "", ledger_verdict_field_name(field));
}

static json_t *figures_json(const ledger_offset_statement *f)
{
  return json_pack("{s:I, s:I, s:I, s:I}", "counted_income", (json_int_t)f->counted_income_cents,
                   "offset", (json_int_t)f->offset_cents, "benefit", (json_int_t)f->benefit_cents,
                   "to_municipality", (json_int_t)f->to_municipality_cents);
}

typedef struct figures_text {
  char income[LEDGER_MONEY_TEXT_BYTES], offset[LEDGER_MONEY_TEXT_BYTES],
      benefit[LEDGER_MONEY_TEXT_BYTES], due[LEDGER_MONEY_TEXT_BYTES];
} figures_text;

static void figures_format(const ledger_offset_statement *f, figures_text *out)
{
  ledger_money_format(f->counted_income_cents, out->income);
  ledger_money_format(f->offset_cents, out->offset);
  ledger_money_format(f->benefit_cents, out->benefit);
  ledger_money_format(f->to_municipality_cents, out->due);
}

/* The officer's txt in Dutch writes "455,29"; csv keeps "455.29" for machines. */
static void figures_dutch(figures_text *text)
{
  char *fields[] = {text->income, text->offset, text->benefit, text->due};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    for (char *c = fields[i]; *c; c++)
      if (*c == '.')
        *c = ',';
}

static coop_err print_row(void *context, const node_audit_row *row)
{
  report_output *output = context;
  output->count++;
  const char *status = node_audit_status_name(row->status);
  bool disputed = row->verdict_status == NODE_AUDIT_DISPUTED;
  char differing[512] = "", cause[40] = "";
  if (disputed)
    differing_text(&row->verdict, differing, sizeof differing);
  if (row->status == NODE_AUDIT_REISSUE_DUE)
    snprintf(cause, sizeof cause, "entry %llu", (unsigned long long)row->reissue_cause);
  const char *reason = disputed ? ledger_dispute_reason_name(row->verdict.reason) : cause;
  /* A disputed row carries the municipality's own figures: a report or CSV
   * taken into the benefits system must never carry the number it disputes.
   * The coop's are shown beside them (json, txt). */
  const ledger_offset_statement *f = disputed ? &row->verdict.figures : &row->figures;
  if (output->format == CLI_FORMAT_JSON) {
    char coop_log[65];
    ledger_hex_encode(row->coop_log, 32, coop_log);
    json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "client_ref", row->client_ref,
                             "member", row->member_id, "name", row->name, "coop", row->coop_name,
                             "coop_log", coop_log, "status", status);
    if (row->has_statement) {
      json_object_set_new(item, "statement_index", json_integer((json_int_t)row->statement_index));
      json_t *figures = figures_json(f);
      json_object_update(item, figures);
      json_decref(figures);
    } else {
      json_object_set_new(item, "statement_index", json_null());
    }
    if (row->status == NODE_AUDIT_REISSUE_DUE)
      json_object_set_new(item, "reissue_cause", json_integer((json_int_t)row->reissue_cause));
    if (disputed) {
      json_object_set_new(item, "dispute_reason", json_string(reason));
      json_object_set_new(item, "differing", json_string(differing));
      json_object_set_new(item, "municipality_figures", figures_json(&row->verdict.figures));
      json_object_set_new(item, "coop_figures", figures_json(&row->figures));
    }
    json_array_append_new(output->rows, item);
    return COOP_OK;
  }
  figures_text shown = {"", "", "", ""};
  char statement[24] = "";
  if (row->has_statement) {
    figures_format(f, &shown);
    snprintf(statement, sizeof statement, "%llu", (unsigned long long)row->statement_index);
  }
  if (output->format == CLI_FORMAT_CSV) {
    const char *fields[] = {row->client_ref, row->member_id, row->name, row->coop_name, statement,
                            shown.income, shown.offset, shown.benefit, shown.due, status, reason,
                            differing};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      if (i)
        putchar(',');
      cli_csv_field(stdout, fields[i]);
    }
    putchar('\n');
    return COOP_OK;
  }
  if (!output->english)
    figures_dutch(&shown);
  printf("%-14s %-9s %-20.20s %9s %12s %12s %12s %12s  %s%s%s%s%s%s\n", row->client_ref,
         row->member_id, row->name, statement[0] ? statement : "-",
         shown.income[0] ? shown.income : "-", shown.offset[0] ? shown.offset : "-",
         shown.benefit[0] ? shown.benefit : "-", shown.due[0] ? shown.due : "-",
         node_verdict_name(row->status, output->english),
         reason[0] ? " (" : "", reason, differing[0] ? ": " : "", differing,
         reason[0] ? ")" : "");
  if (disputed && row->has_statement) {
    figures_text coop;
    figures_format(&row->figures, &coop);
    if (!output->english)
      figures_dutch(&coop);
    printf("%-14s %-9s %20.20s %9s %12s %12s %12s %12s\n", "", "",
           output->english ? "the coop's figures:" : "cijfers van de coop:", "",
           coop.income, coop.offset, coop.benefit, coop.due);
  }
  return COOP_OK;
}

/* ---- The year overview (--year) ------------------------------------------------------------ */

static const char *year_reason(const node_audit_year_row *row)
{
  return row->month.verdict_status == NODE_AUDIT_DISPUTED
             ? ledger_dispute_reason_name(row->month.verdict.reason)
             : "";
}

static json_t *year_resident_json(const node_audit_year *year, size_t first, size_t end,
                                  const ledger_offset_statement *total)
{
  const node_audit_year_row *who = &year->rows[first];
  json_t *months = json_array();
  for (size_t i = first; i < end; i++) {
    const node_audit_year_row *row = &year->rows[i];
    char period[8];
    ledger_period_format(row->period, period);
    json_t *item = json_pack("{s:s, s:s}", "period", period, "status",
                             node_audit_status_name(row->month.status));
    json_object_set_new(item, "statement_index",
                        row->month.has_statement ? json_integer((json_int_t)row->month.statement_index)
                                           : json_null());
    if (row->month.has_statement) {
      json_t *figures = figures_json(&row->figures);
      json_object_update(item, figures);
      json_decref(figures);
    }
    if (row->month.verdict_status == NODE_AUDIT_DISPUTED)
      json_object_set_new(item, "dispute_reason", json_string(year_reason(row)));
    json_array_append_new(months, item);
  }
  char coop_log[65];
  ledger_hex_encode(who->month.coop_log, 32, coop_log);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "client_ref", who->month.client_ref, "member",
                   who->month.member_id, "name", who->month.name, "coop", who->month.coop_name, "coop_log", coop_log,
                   "months", months, "totals", figures_json(total));
}

/* One line of the year table: a month, or a total (row NULL for the grand
 * total). */
static void year_line(cli_format format, bool english, const node_audit_year_row *row,
                      const char *month, const ledger_offset_statement *figures, bool has_figures,
                      const char *status)
{
  figures_text shown = {"", "", "", ""};
  char statement[24] = "";
  if (has_figures)
    figures_format(figures, &shown);
  if (row && row->month.has_statement && strcmp(month, "total"))
    snprintf(statement, sizeof statement, "%llu", (unsigned long long)row->month.statement_index);
  const char *reason = row && strcmp(month, "total") ? year_reason(row) : "";
  if (format == CLI_FORMAT_CSV) {
    const char *fields[] = {row ? row->month.client_ref : "", row ? row->month.member_id : "",
                            row ? row->month.name : "", row ? row->month.coop_name : "", month, statement,
                            shown.income, shown.offset, shown.benefit, shown.due, status, reason};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      if (i)
        putchar(',');
      cli_csv_field(stdout, fields[i]);
    }
    putchar('\n');
    return;
  }
  const char *shown_month = !english && !strcmp(month, "total") ? "totaal" : month;
  if (!english)
    figures_dutch(&shown);
  printf("%-14s %-9s %-20.20s %-7s %9s %12s %12s %12s %12s  %s%s%s%s\n", row ? row->month.client_ref : "",
         row ? row->month.member_id : "", row ? row->month.name : "", shown_month,
         statement[0] ? statement : "-",
         shown.income[0] ? shown.income : "-", shown.offset[0] ? shown.offset : "-",
         shown.benefit[0] ? shown.benefit : "-", shown.due[0] ? shown.due : "-", status,
         reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
}

/* Prints one resident's months (rows first..end-1) and her total; adds it to `all`. */
static void year_resident(cli_format format, bool english, const node_audit_year *year,
                          size_t first, size_t end, ledger_offset_statement *all,
                          json_t *residents)
{
  ledger_offset_statement total;
  memset(&total, 0, sizeof total);
  for (size_t i = first; i < end; i++)
    node_audit_year_add(&total, &year->rows[i]);
  all->counted_income_cents += total.counted_income_cents;
  all->offset_cents += total.offset_cents;
  all->benefit_cents += total.benefit_cents;
  all->to_municipality_cents += total.to_municipality_cents;
  if (format == CLI_FORMAT_JSON) {
    json_array_append_new(residents, year_resident_json(year, first, end, &total));
    return;
  }
  for (size_t i = first; i < end; i++) {
    const node_audit_year_row *row = &year->rows[i];
    char period[8];
    ledger_period_format(row->period, period);
    year_line(format, english, row, period, &row->figures, row->month.has_statement,
              format == CLI_FORMAT_TEXT ? node_verdict_name(row->month.status, english)
                                        : node_audit_status_name(row->month.status));
  }
  year_line(format, english, &year->rows[first], "total", &total, true, "");
}

static int audit_year(node *opened, cli_format format, bool english, uint32_t year_number)
{
  node_audit_year year;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_audit_year_build(opened, year_number, &year, message);
  node_close(opened);
  if (err) {
    cli_error("%s", message[0] ? message : coop_err_message(err));
    return err == COOP_E_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  }
  json_t *residents = format == CLI_FORMAT_JSON ? json_array() : NULL;
  if (format == CLI_FORMAT_CSV)
    printf("client_ref,member,name,coop,month,statement,counted_income,offset,benefit,"
           "to_municipality,status,dispute_reason\n");
  else if (format == CLI_FORMAT_TEXT && english)
    printf("%-14s %-9s %-20s %-7s %9s %12s %12s %12s %12s  %s\n", "client ref", "member", "name",
           "month", "statement", "counted inc.", "offset", "benefit", "to munic.", "status");
  else if (format == CLI_FORMAT_TEXT)
    printf("%-14s %-9s %-20s %-7s %9s %12s %12s %12s %12s  %s\n", "klantnummer", "lid", "naam",
           "maand", "entry", "getelde ink.", "verrekening", "uitkering", "naar gem.", "oordeel");
  ledger_offset_statement all;
  memset(&all, 0, sizeof all);
  for (size_t first = 0, end = 0; first < year.row_count; first = end) {
    for (end = first + 1;
         end < year.row_count && node_audit_year_same_resident(&year.rows[first], &year.rows[end]);
         end++)
      ;
    year_resident(format, english, &year, first, end, &all, residents);
  }
  size_t count = year.resident_count;
  node_audit_year_free(&year);
  if (format == CLI_FORMAT_JSON)
    return cli_print_json(json_pack("{s:I, s:o, s:o}", "year", (json_int_t)year_number,
                                    "residents", residents, "totals", figures_json(&all)));
  char label[40];
  if (format == CLI_FORMAT_TEXT && !english)
    snprintf(label, sizeof label, "%zu inwoner%s", count, count == 1 ? "" : "s");
  else
    snprintf(label, sizeof label, "%zu resident%s", count, count == 1 ? "" : "s");
  if (format == CLI_FORMAT_CSV) {
    year_line(format, english, NULL, "total", &all, true, label);
    return CLI_EXIT_OK;
  }
  printf("\n");
  year_line(format, english, NULL, "total", &all, true, label);
  if (!count)
    printf(english ? "(no resident with a statement or income in %u)\n"
                   : "(geen inwoner met een verrekening of inkomsten in %u)\n",
           (unsigned)year_number);
  return CLI_EXIT_OK;
}

/* --year: the year checked, then the overview. */
static int audit_report_year(const char *dir, cli_format format, bool english,
                             const char *year_text)
{
  char january[16];
  uint32_t period = 0;
  snprintf(january, sizeof january, "%s-01", year_text);
  if (strlen(year_text) != 4 || ledger_period_parse(january, &period))
    return cli_usage_error("audit", "--year '%s' is not a year (YYYY)", year_text);
  if (cli_year_not_future(period / 100))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  return audit_year(&opened, format, english, period / 100);
}

static int audit_report(int argc, char **argv)
{
  static const cli_spec spec = {"audit", audit_usage, CLI_ALL_FORMATS, 0};
  const char *period_text = NULL, *year_text = NULL, *lang = "nl";
  const cli_option options[] = {CLI_VALUE("period", 'p', "YYYY-MM", &period_text, "the month"),
                                CLI_VALUE("year", 0, "YYYY", &year_text,
                                          "the year overview: every month of YYYY"),
                                CLI_VALUE("lang", 0, "LANGUAGE", &lang, "txt: nl (default) or en"),
                                CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (strcmp(lang, "nl") && strcmp(lang, "en"))
    return cli_usage_error("audit", "unknown language '%s' (expected nl or en)", lang);
  report_output output = {.format = args.format, .english = !strcmp(lang, "en")};
  const char *dir = args.dir;
  uint32_t period = 0;
  if (year_text && period_text)
    return cli_usage_error("audit", "'audit report' takes -p YYYY-MM or --year YYYY, not both");
  if (year_text)
    return audit_report_year(dir, output.format, output.english, year_text);
  if (!period_text)
    return cli_usage_error("audit", "'audit report' needs -p YYYY-MM or --year YYYY");
  if (ledger_period_parse(period_text, &period))
    return cli_usage_error("audit", "-p '%s' is not a month (YYYY-MM)", period_text);
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  output.rows = json_array();
  if (output.format == CLI_FORMAT_CSV)
    printf("client_ref,member,name,coop,statement,counted_income,offset,benefit,"
           "to_municipality,status,dispute_reason,differing\n");
  else if (output.format == CLI_FORMAT_TEXT && output.english)
    printf("%-14s %-9s %-20s %9s %12s %12s %12s %12s  %s\n", "client ref", "member", "name",
           "statement", "counted inc.", "offset", "benefit", "to munic.", "status");
  else if (output.format == CLI_FORMAT_TEXT)
    printf("%-14s %-9s %-20s %9s %12s %12s %12s %12s  %s\n", "klantnummer", "lid", "naam",
           "entry", "getelde ink.", "verrekening", "uitkering", "naar gem.", "oordeel");
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_audit_report(&opened, period, print_row, &output, message);
  node_close(&opened);
  if (err) {
    json_decref(output.rows);
    cli_error("%s", message);
    return err == COOP_E_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  }
  if (output.format == CLI_FORMAT_JSON)
    return cli_print_json(output.rows);
  json_decref(output.rows);
  if (output.format == CLI_FORMAT_TEXT && !output.count)
    printf(output.english ? "(no resident with a statement or income in %s)\n"
                          : "(geen inwoner met een verrekening of inkomsten in %s)\n",
           period_text);
  return CLI_EXIT_OK;
}

int cli_cmd_audit(int argc, char **argv)
{
  static const cli_subcommand table[] = {
      {"run", audit_run}, {"report", audit_report}, {NULL, NULL}};
  return cli_run_subcommand("audit", audit_usage, table, argc, argv);
}

static const char disputes_usage[] =
    "usage: coop disputes [--all] [-O txt|json] [--dir DIR]\n"
    "\n"
    "Lists the statements a municipality disputed, as far as this node can read\n"
    "them (a coop: its members'; a member: their own; a municipality: its\n"
    "residents'), with the reason and, for each differing field, the coop's figure\n"
    "and the municipality's.  A dispute is open until a later statement for the\n"
    "same member and month is acknowledged; --all lists closed ones too.\n"
    "Amounts are euros in txt, integer cents in json.\n";

typedef struct disputes_output {
  cli_format format;
  bool all;
  json_t *rows;
  size_t count;
} disputes_output;

/* A field's value in the statement and in the verdict (cents or a count). */
static void field_values(const ledger_statement_payload *statement, const ledger_verdict *verdict,
                         unsigned field, int64_t *coop, int64_t *municipality)
{
  const ledger_offset_month *a = &statement->month, *b = &verdict->month;
  const ledger_offset_statement *f = &statement->figures, *g = &verdict->figures;
  const int64_t values[LEDGER_FIELD_COUNT][2] = {
      {a->revenue_cents, b->revenue_cents}, {a->costs_cents, b->costs_cents},
      {a->volunteer_allowance_cents, b->volunteer_allowance_cents},
      {a->other_income_cents, b->other_income_cents}, {a->hours, b->hours},
      {a->age_years, b->age_years}, {a->n_approved, b->n_approved},
      {a->medical_hours_limit, b->medical_hours_limit},
      {a->single_parent_child_under_12, b->single_parent_child_under_12},
      {f->profit_cents, g->profit_cents}, {f->coop_share_cents, g->coop_share_cents},
      {f->net_income_cents, g->net_income_cents}, {f->disregard_cents, g->disregard_cents},
      {f->disregard_kind, g->disregard_kind},
      {f->volunteer_disregarded_cents, g->volunteer_disregarded_cents},
      {f->volunteer_counted_cents, g->volunteer_counted_cents},
      {f->counted_income_cents, g->counted_income_cents}, {f->offset_cents, g->offset_cents},
      {f->benefit_cents, g->benefit_cents}, {f->above_norm, g->above_norm},
      {f->to_municipality_cents, g->to_municipality_cents},
      {f->to_budget_cents, g->to_budget_cents}, {f->n_used, g->n_used}, {f->r_used, g->r_used},
      {f->a34_used, g->a34_used}, {f->k_ytd_cents, g->k_ytd_cents},
      {f->loss_carried_cents, g->loss_carried_cents}, {0, 0}};
  *coop = values[field][0];
  *municipality = values[field][1];
}

static bool field_is_money(unsigned field)
{
  return field <= LEDGER_FIELD_OTHER_INCOME ||
         (field >= LEDGER_FIELD_PROFIT && field != LEDGER_FIELD_DISREGARD_KIND &&
          field != LEDGER_FIELD_ABOVE_NORM && field != LEDGER_FIELD_N_USED &&
          field != LEDGER_FIELD_R_USED && field != LEDGER_FIELD_A34_USED &&
          field != LEDGER_FIELD_STATE_AFTER);
}

static coop_err print_dispute(void *context, const node_dispute_row *row)
{
  disputes_output *output = context;
  if (!row->open && !output->all)
    return COOP_OK;
  output->count++;
  const ledger_verdict *verdict = &row->found.verdict;
  char period[8];
  ledger_period_format(row->period, period);
  const char *reason = ledger_dispute_reason_name(verdict->reason);
  if (output->format == CLI_FORMAT_JSON) {
    char log_id[65];
    ledger_hex_encode(row->found.log_id, 32, log_id);
    json_t *fields = json_array();
    for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++) {
      if (!(verdict->differing & (UINT32_C(1) << field)))
        continue;
      int64_t coop = 0, municipality = 0;
      field_values(row->statement, verdict, field, &coop, &municipality);
      json_t *item = json_pack("{s:s}", "field", ledger_verdict_field_name(field));
      if (field != LEDGER_FIELD_STATE_AFTER) {
        json_object_set_new(item, "coop", json_integer(coop));
        json_object_set_new(item, "municipality", json_integer(municipality));
      }
      json_array_append_new(fields, item);
    }
    json_array_append_new(
        output->rows,
        json_pack("{s:s, s:s, s:s, s:I, s:b, s:s, s:I, s:s, s:I, s:o}", "member", row->member_id,
                  "name", row->name, "period", period, "statement_index",
                  (json_int_t)row->statement_index, "open", row->open, "reason", reason,
                  "detail_index", (json_int_t)verdict->detail_index, "dispute_log", log_id,
                  "dispute_index", (json_int_t)row->found.index, "differing", fields));
    return COOP_OK;
  }
  printf("%s %s (%s): statement %llu disputed (%s), reason %s", period, row->name,
         row->member_id, (unsigned long long)row->statement_index, row->open ? "open" : "closed",
         reason);
  if (verdict->reason != LEDGER_DISPUTE_FIGURES)
    printf(" (entry %llu)", (unsigned long long)verdict->detail_index);
  putchar('\n');
  for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++) {
    if (!(verdict->differing & (UINT32_C(1) << field)) || field == LEDGER_FIELD_STATE_AFTER)
      continue;
    int64_t coop = 0, municipality = 0;
    field_values(row->statement, verdict, field, &coop, &municipality);
    if (field_is_money(field)) {
      char a[LEDGER_MONEY_TEXT_BYTES], b[LEDGER_MONEY_TEXT_BYTES];
      ledger_money_format(coop, a);
      ledger_money_format(municipality, b);
      printf("  %-28s coop %12s   municipality %12s\n", ledger_verdict_field_name(field), a, b);
    } else {
      printf("  %-28s coop %12lld   municipality %12lld\n", ledger_verdict_field_name(field),
             (long long)coop, (long long)municipality);
    }
  }
  if (verdict->differing & (UINT32_C(1) << LEDGER_FIELD_STATE_AFTER))
    printf("  %-28s differs (windows used, carried loss or allowance so far)\n", "state_after");
  return COOP_OK;
}

int cli_cmd_disputes(int argc, char **argv)
{
  static const cli_spec spec = {"disputes", disputes_usage, CLI_TXT_JSON, 0};
  int all = 0;
  const cli_option options[] = {
      CLI_FLAG("all", 0, &all, "closed disputes too"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  disputes_output output = {.format = args.format, .all = all};
  const char *dir = args.dir;
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  output.rows = json_array();
  coop_err err = node_disputes(&opened, print_dispute, &output);
  node_close(&opened);
  if (err) {
    json_decref(output.rows);
    cli_error("cannot read disputes: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  if (output.format == CLI_FORMAT_JSON)
    return cli_print_json(output.rows);
  json_decref(output.rows);
  if (!output.count)
    printf("no %sdisputes\n", output.all ? "" : "open ");
  return CLI_EXIT_OK;
}
