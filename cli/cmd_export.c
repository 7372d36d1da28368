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
    "\n"
    "Writes the books to standard output for an accountant's tools:\n"
    "  hledger, ledger  a journal with account, commodity and tag declarations and\n"
    "                   one transaction per record, tagged with its entry index,\n"
    "                   type, member and ref.  Both tools read either flavour in\n"
    "                   strict mode.  Memos (hours, other income) are comments.\n"
    "  csv              one row per posting: entry, date, type, member, ref,\n"
    "                   corrects, note, account, amount.  No memos.\n"
    "-p limits the export to one month or year (balances then cover only it).\n"
    "Amounts are exact: printed from integer cents, in EUR.\n";

/* ---- the command ----------------------------------------------------------- */

static int parse_format(const char *text, int *format)
{
  static const char *const names[] = {"hledger", "ledger", "csv"};
  for (int i = 0; i < 3; i++)
    if (!strcmp(text, names[i])) {
      *format = i;
      return 0;
    }
  cli_error("unknown export format '%s' (expected one of: hledger, ledger, csv)", text);
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

int cli_cmd_export(int argc, char **argv)
{
  static const cli_spec spec = {"export", usage, 0, 0};
  const char *format_text = NULL, *period = NULL;
  const cli_option options[] = {
      CLI_VALUE("output", 'O', "FORMAT", &format_text, "hledger, ledger or csv (required)"),
      CLI_VALUE("period", 'p', "P", &period, "YYYY-MM or YYYY"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  const char *dir = args.dir;
  if (!format_text)
    return cli_usage_error("export", "-O hledger, -O ledger or -O csv is required");
  int format = 0;
  ledger_books_query query = {0};
  if (parse_format(format_text, &format) ||
      (period && cli_parse_period_filter(period, &query.date_from, &query.date_to)))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_books(dir, &opened))
    return CLI_EXIT_FAILURE;
  status = run_export(&opened, format, &query, period);
  node_close(&opened);
  return status;
}
