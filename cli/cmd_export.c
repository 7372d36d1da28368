/* coop export: the books as a plain-text accounting journal (hledger, ledger)
 * or as CSV, one row per posting, for accountants' own tools.
 *
 * The journal is the subset both hledger 1.25 and ledger 3.3 read in their
 * strictest modes (hledger check -s, ledger --pedantic): every account, the
 * commodity and every tag declared; one transaction per record entry, tagged
 * with its entry index so any line can be traced to a signed log entry; dates
 * YYYY-MM-DD; amounts printed from integer cents as "1234.56 EUR".  Memo
 * records (hours, other income) move no money and have no postings: they are
 * comment lines in journals and left out of the CSV.  The writing is
 * node/export.c's (the web app's downloads use it too). */
#include <string.h>

#include "cli/cli.h"
#include "ledger/books/money.h"
#include "node/books.h"
#include "node/export.h"

static const char usage[] =
    "usage: coop export -O hledger|ledger|csv [-p YYYY-MM|YYYY] [--dir DIR]\n"
    "       coop export -O xaf --year YYYY [--dir DIR] > coop-YYYY.xaf\n"
    "\n"
    "Writes the books to standard output for an accountant's tools:\n"
    "  hledger, ledger  a journal with account, commodity and tag declarations and\n"
    "                   one transaction per record, tagged with its entry index,\n"
    "                   type, member and ref.  Both tools read either flavour in\n"
    "                   strict mode.  Memos (hours, other income) are comments.\n"
    "  csv              one row per posting: entry, date, type, member, ref,\n"
    "                   corrects, note, account, amount.  No memos.\n"
    "  xaf              the Dutch audit file (XAF 3.2, Auditfile Financieel) of\n"
    "                   one year, for the accountant: ledger accounts, members as\n"
    "                   relations, months as periods, the opening balance and\n"
    "                   every transaction of the year.  Needs --year.\n"
    "-p limits the export to one month or year (balances then cover only it).\n"
    "Amounts are exact: printed from integer cents, in EUR.\n";

/* ---- the command ----------------------------------------------------------- */

/* -O xaf: beside node_export's formats, written by node_export_xaf. */
#define EXPORT_XAF 3

static int parse_format(const char *text, int *format)
{
  static const char *const names[] = {"hledger", "ledger", "csv", "xaf"};
  for (int i = 0; i < 4; i++)
    if (!strcmp(text, names[i])) {
      *format = i;
      return 0;
    }
  cli_error("unknown export format '%s' (expected one of: hledger, ledger, csv, xaf)", text);
  return -1;
}

static int run_export(node *opened, int format, const ledger_books_query *query,
                      const char *period)
{
  coop_err err = node_export(opened, format, query, period, stdout);
  if (err == COOP_E_IO) {
    cli_error("cannot write to standard output");
    return CLI_EXIT_FAILURE;
  }
  if (err) {
    cli_error("cannot export the books: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

static int run_xaf(node *opened, uint32_t year)
{
  char message[NODE_MESSAGE_BYTES];
  if (node_export_xaf(opened, year, stdout, message)) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

/* The checks of -O xaf's options: --year is required there and nowhere
 * else, -p is not for it. */
static int xaf_options(int format, const char *year_text, const char *period, uint32_t *year)
{
  if (format != EXPORT_XAF) {
    if (year_text)
      return cli_usage_error("export", "--year is for -O xaf; -p YYYY limits the other formats");
    return 0;
  }
  if (period)
    return cli_usage_error("export", "-O xaf takes --year YYYY, not -p");
  if (!year_text)
    return cli_usage_error("export", "-O xaf needs --year YYYY (the audit file is of one year)");
  return cli_parse_year(year_text, year) ? CLI_EXIT_USAGE : 0;
}

int cli_cmd_export(int argc, char **argv)
{
  static const cli_spec spec = {"export", usage, 0, 0};
  const char *format_text = NULL, *period = NULL, *year_text = NULL;
  const cli_option options[] = {
      CLI_VALUE("output", 'O', "FORMAT", &format_text, "hledger, ledger, csv or xaf (required)"),
      CLI_VALUE("period", 'p', "P", &period, "YYYY-MM or YYYY"),
      CLI_VALUE("year", 0, "YYYY", &year_text, "the year of the audit file (-O xaf)"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  const char *dir = args.dir;
  if (!format_text)
    return cli_usage_error("export", "-O hledger, -O ledger, -O csv or -O xaf is required");
  int format = 0;
  uint32_t year = 0;
  ledger_books_query query = {0};
  if (parse_format(format_text, &format) ||
      (period && cli_parse_period_filter(period, &query.date_from, &query.date_to)))
    return CLI_EXIT_USAGE;
  if ((status = xaf_options(format, year_text, period, &year)))
    return status;
  node opened;
  if (cli_open_books(dir, &opened))
    return CLI_EXIT_FAILURE;
  status = format == EXPORT_XAF ? run_xaf(&opened, year) : run_export(&opened, format, &query, period);
  node_close(&opened);
  return status;
}
