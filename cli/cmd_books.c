/* coop period, coop accounts, coop bal, coop reg, coop rebuild: reading the
 * books and their housekeeping. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/books/money.h"
#include "node/audit_index.h"
#include "node/books.h"
#include "node/logs.h"

/* Options shared by the reading commands.  All of them accept --member and
 * -p (as they always have); only bal and reg use them, and only their
 * --help lists them. */
typedef struct books_options {
  const char *member, *period;
  char member_id[CLI_MEMBER_ID_BYTES]; /* --member looked up by client ref or name */
  cli_args args;
} books_options;

/* Parses the options; only period takes operands, left in options->args.
 * CLI_GO, or the exit code. */
static int parse_options(int argc, char **argv, const cli_spec *spec, int filters,
                         books_options *options)
{
  const cli_option table[] = {
      CLI_VALUE("member", 0, "ID", &options->member,
          filters ? "only this member's postings" : NULL),
      CLI_VALUE("period", 'p', "P", &options->period, filters ? "YYYY-MM or YYYY" : NULL),
      CLI_END};
  *options = (books_options){.args.format = CLI_FORMAT_TEXT};
  if (!strcmp(spec->name, "period"))
    return cli_parse(spec, table, argc, argv, &options->args);
  return cli_parse_no_operands(spec, table, argc, argv, &options->args);
}

/* ---- coop bal ------------------------------------------------------------ */

static const char bal_usage[] =
    "usage: coop bal [--member ID] [-p YYYY-MM|YYYY] [-O txt|csv|json] [--dir DIR]\n"
    "\n"
    "Balance per account (debits positive, credits negative, as hledger shows\n"
    "them), for all members or one, over all time or one month or year.\n"
    "-O json prints an array of {\"account\", \"amount_cents\"}: integer cents.\n";

typedef struct balance_printer {
  cli_rows rows;
  int64_t total;
} balance_printer;

static coop_err print_balance(void *context, const char *account, int64_t amount_cents)
{
  balance_printer *printer = context;
  char amount[LEDGER_MONEY_TEXT_BYTES];
  ledger_money_format(amount_cents, amount);
  printer->total += amount_cents;
  if (printer->rows.format == CLI_FORMAT_JSON)
    return cli_rows_json(&printer->rows, json_pack("{s:s, s:I}", "account", account,
                                                   "amount_cents", (json_int_t)amount_cents));
  if (printer->rows.format == CLI_FORMAT_CSV) {
    cli_csv_field(stdout, account);
    printf(",%s,%lld\n", amount, (long long)amount_cents);
  } else {
    printf("%16s  %s\n", amount, account);
  }
  return COOP_OK;
}

static int query_from_options(books_options *options, ledger_books_query *query)
{
  memset(query, 0, sizeof *query);
  if (options->member &&
      !(options->member = cli_member_arg(options->args.dir, options->member, options->member_id)))
    return -1;
  query->member_id = options->member;
  if (options->period &&
      cli_parse_period_filter(options->period, &query->date_from, &query->date_to))
    return -1;
  return 0;
}

/* How a command opens the node before its body runs: the books brought up
 * to date (bal and reg with --member and -p as their query), or only the
 * node (rebuild, which makes the books again). */
typedef enum books_open { OPEN_BOOKS, OPEN_BOOKS_FILTERED, OPEN_NODE } books_open;

/* A command's work on the open node (run_command closes it); `query` is
 * NULL unless OPEN_BOOKS_FILTERED.  Returns the exit code. */
typedef int (*books_body)(node *opened, const books_options *options,
                          const ledger_books_query *query);

/* Parses, opens as `how` says, runs `body`, closes.  The exit code. */
static int run_command(int argc, char **argv, const cli_spec *spec, books_open how,
                       books_body body)
{
  books_options options;
  int status = parse_options(argc, argv, spec, how == OPEN_BOOKS_FILTERED, &options);
  if (status != CLI_GO)
    return status;
  ledger_books_query query;
  if (how == OPEN_BOOKS_FILTERED && query_from_options(&options, &query))
    return CLI_EXIT_USAGE;
  node opened;
  if (how == OPEN_NODE ? cli_open_node(options.args.dir, &opened)
                       : cli_open_books(options.args.dir, &opened))
    return CLI_EXIT_FAILURE;
  status = body(&opened, &options, how == OPEN_BOOKS_FILTERED ? &query : NULL);
  node_close(&opened);
  return status;
}

static int balances(node *opened, const books_options *options, const ledger_books_query *query)
{
  ledger_member_row member;
  if (options->member && node_member_get(opened, options->member, &member)) {
    cli_error("unknown member '%s' (see 'coop member list')", options->member);
    return CLI_EXIT_FAILURE;
  }
  balance_printer printer = {.total = 0};
  cli_rows_begin(&printer.rows, options->args.format, "account,amount,amount_cents\n");
  coop_err err = node_balances(opened, query, print_balance, &printer);
  if (cli_rows_end(&printer.rows, err, "read balances"))
    return CLI_EXIT_FAILURE;
  if (options->args.format == CLI_FORMAT_TEXT) {
    char total[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format(printer.total, total);
    printf("%s\n%16s\n", "----------------", total);
  }
  return CLI_EXIT_OK;
}

int cli_cmd_bal(int argc, char **argv)
{
  static const cli_spec spec = {"bal", bal_usage, CLI_ALL_FORMATS, 0};
  return run_command(argc, argv, &spec, OPEN_BOOKS_FILTERED, balances);
}

/* ---- coop reg ------------------------------------------------------------ */

static const char reg_usage[] =
    "usage: coop reg [--member ID] [-p YYYY-MM|YYYY] [-O txt|csv|json] [--dir DIR]\n"
    "\n"
    "The register: every posting in date order, with its entry index, type,\n"
    "member, ref and note; memos (other income, hours) show their quantity.\n"
    "Entry indexes are what 'coop correct' and 'coop proof inclusion' take.\n";

static coop_err print_register(void *context, const ledger_register_row *row)
{
  cli_rows *rows = context;
  char date[11], amount[LEDGER_MONEY_TEXT_BYTES];
  ledger_date_format(row->date, date);
  int memo = row->account == NULL;
  ledger_money_format(memo ? row->quantity : row->amount_cents, amount);
  const char *type = ledger_record_type_name(row->type);
  const char *account = memo ? (row->type == LEDGER_RECORD_HOURS ? "(hours)" : "(memo)")
                             : row->account;
  if (rows->format == CLI_FORMAT_JSON) {
    /* Memos have no account: "account" is null and "quantity" holds their
     * amount (cents) or hours (hundredths). */
    json_t *object = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:I}", "index",
                               (json_int_t)row->entry_index, "date", date, "type", type,
                               "member_id", row->member_id, "ref", row->ref, "note", row->note,
                               "account", memo ? NULL : row->account, "amount_cents",
                               memo ? (json_int_t)0 : (json_int_t)row->amount_cents);
    if (object && memo)
      json_object_set_new(object, "quantity", json_integer(row->quantity));
    return cli_rows_json(rows, object);
  }
  if (rows->format == CLI_FORMAT_CSV) {
    printf("%llu,%s,%s,%s,", (unsigned long long)row->entry_index, date, type, row->member_id);
    cli_csv_field(stdout, row->ref);
    fputc(',', stdout);
    cli_csv_field(stdout, row->note);
    printf(",%s,%s\n", account, amount);
    return COOP_OK;
  }
  printf("%6llu  %s  %-12s %-9s %-45s %14s  %s\n", (unsigned long long)row->entry_index, date,
         type, row->member_id, account, amount, row->note);
  return COOP_OK;
}

static int register_rows(node *opened, const books_options *options,
                         const ledger_books_query *query)
{
  cli_rows rows;
  cli_rows_begin(&rows, options->args.format, "index,date,type,member,ref,note,account,amount\n");
  coop_err err = node_register(opened, query, print_register, &rows);
  return cli_rows_end(&rows, err, "read the register");
}

int cli_cmd_reg(int argc, char **argv)
{
  static const cli_spec spec = {"reg", reg_usage, CLI_ALL_FORMATS, 0};
  return run_command(argc, argv, &spec, OPEN_BOOKS_FILTERED, register_rows);
}

/* ---- coop accounts ------------------------------------------------------- */

static const char accounts_usage[] =
    "usage: coop accounts [-O txt|json] [--dir DIR]\n"
    "\n"
    "The chart of accounts: every declared account with its type, and each\n"
    "per-member account for every enrolled member.\n";

typedef struct accounts_listing {
  cli_rows rows;
  const ledger_account_definition *account;
} accounts_listing;

static coop_err list_account(accounts_listing *listing, const char *name)
{
  const ledger_account_definition *account = listing->account;
  if (listing->rows.format == CLI_FORMAT_JSON)
    return cli_rows_json(&listing->rows,
                         json_pack("{s:s, s:s, s:i, s:s}", "account", name, "type",
                                   ledger_account_type_name(account->type), "code",
                                   account->code, "description", account->description));
  printf("%-45s %-9s %s\n", name, ledger_account_type_name(account->type), account->description);
  return COOP_OK;
}

static coop_err list_member_account(void *context, const ledger_member_row *row)
{
  accounts_listing *listing = context;
  char name[LEDGER_ACCOUNT_NAME_BYTES];
  coop_err err = ledger_account_name(listing->account->code, row->member_id, name);
  return err ? err : list_account(listing, name);
}

static int accounts(node *opened, const books_options *options, const ledger_books_query *query)
{
  (void)query;
  accounts_listing listing;
  cli_rows_begin(&listing.rows, options->args.format, NULL);
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  coop_err err = COOP_OK;
  for (size_t i = 0; i < count && !err; i++) {
    listing.account = &chart[i];
    if (chart[i].per_member)
      err = node_members(opened, NULL, list_member_account, &listing);
    else
      err = list_account(&listing, chart[i].name);
  }
  return cli_rows_end(&listing.rows, err, "list accounts");
}

int cli_cmd_accounts(int argc, char **argv)
{
  static const cli_spec spec = {"accounts", accounts_usage, CLI_TXT_JSON, 0};
  return run_command(argc, argv, &spec, OPEN_BOOKS, accounts);
}

/* ---- coop period ---------------------------------------------------------- */

static const char period_usage[] =
    "usage: coop period close YYYY-MM [--dir DIR]\n"
    "       coop period close YYYY [--dir DIR]\n"
    "       coop period open YYYY-MM [--dir DIR]\n"
    "\n"
    "close  closes a month that has ended: records dated in it are refused from\n"
    "       then on; a mistake is fixed with 'coop correct' in an open month, which\n"
    "       names the month it corrects.  Months close in order with no gap: only\n"
    "       the month after the last closed one can close (before the first close:\n"
    "       the first month, or any month up to the earliest with records).  A\n"
    "       month without records can close.\n"
    "close YYYY  closes a year after its months up to December are closed, the\n"
    "       year before it too (years close in order), when no statement of it is\n"
    "       due for a reissue and its annual accounts reconcile ('coop report year').\n"
    "       Its profit and loss is carried to equity:result-earlier-years by\n"
    "       year-close records dated 1 January of the next year (the opening of\n"
    "       that year), and the year becomes final: no record, correction, status\n"
    "       fact or reissue reaches into it afterwards ('coop correct\n"
    "       --in-open-month' reverses one of its records in an open month).\n"
    "open   fixes the first month of the books before any month is closed (the\n"
    "       first close fixes it otherwise): records dated before it are refused.\n"
    "       Once only, and not while records are dated before it.\n";

/* coop period close YYYY: the year, its result carried to equity. */
static int close_year(const books_options *options, const char *text)
{
  uint32_t year = 0;
  if (cli_parse_year(text, &year))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES], amount[LEDGER_MONEY_TEXT_BYTES];
  node_year_close_result result;
  coop_err err = node_year_close(&opened, year, &result, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  /* Booked as a credit (negative) for a profit: said as people say it. */
  ledger_money_format(result.result_cents < 0 ? -result.result_cents : result.result_cents,
                      amount);
  printf("closed %u (entry %llu): %s of %s carried to equity:result-earlier-years by %u "
         "year-close record(s) dated %u-01-01\n",
         (unsigned)year, (unsigned long long)result.entry_index, result.result_cents > 0   ? "a loss"
         : result.result_cents < 0 ? "a profit"
                                   : "a result",
         amount, result.records, (unsigned)year + 1);
  return CLI_EXIT_OK;
}

int cli_cmd_period(int argc, char **argv)
{
  static const cli_spec spec = {"period", period_usage, 1u << CLI_FORMAT_TEXT, 0};
  books_options options;
  int status = parse_options(argc, argv, &spec, 0, &options);
  if (status != CLI_GO)
    return status;
  int count = options.args.argc;
  char **words = options.args.argv;
  int closing = count == 2 && !strcmp(words[0], "close");
  int opening = count == 2 && !strcmp(words[0], "open");
  if (!closing && !opening)
    return cli_usage_error("period", "expected 'close YYYY-MM', 'close YYYY' or 'open YYYY-MM'");
  if (closing && strlen(words[1]) == 4)
    return close_year(&options, words[1]);
  uint32_t period = 0;
  if (ledger_period_parse(words[1], &period)) {
    cli_error("invalid month '%s' (expected YYYY-MM)", words[1]);
    return CLI_EXIT_USAGE;
  }
  node opened;
  if (cli_open_node(options.args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  node_reissue_list reissued = {0};
  coop_err err = closing ? node_period_close_reissuing(&opened, period, &reissued, message)
                         : node_period_open(&opened, period, message);
  node_close(&opened);
  if (!err)
    cli_print_reissues(&reissued);
  node_reissue_list_free(&reissued);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("%s %s\n", closing ? "closed" : "the books begin at", words[1]);
  return CLI_EXIT_OK;
}

/* ---- coop rebuild --------------------------------------------------------- */

static const char rebuild_usage[] =
    "usage: coop rebuild [--dir DIR]\n"
    "\n"
    "Drops every derived table (members, records, postings, closed months) and\n"
    "recomputes them from the signed log.  Reports come out identical: they are a\n"
    "pure function of the log.  On a municipality's node also the audit tables (what\n"
    "it has read of each coop log, and its verdicts), from the logs it holds.\n";

static int rebuild(node *opened, const books_options *options, const ledger_books_query *query)
{
  (void)options;
  (void)query;
  uint64_t size = 0, audit_entries = 0;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_books_rebuild(opened, &size, message);
  /* A municipality's audit tables too (node/audit_index.h). */
  bool municipality = opened->role == LEDGER_ROLE_MUNICIPALITY;
  if (!err && municipality && (err = audit_index_rebuild(opened, &audit_entries)))
    snprintf(message, sizeof message, "rebuild of the audit tables failed: %s",
             err == COOP_E_PAYLOAD_MISSING ? node_store_problem(opened) : coop_err_message(err));
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("rebuilt the books from %llu entries\n", (unsigned long long)size);
  if (municipality)
    printf("rebuilt the audit tables from %llu entries of the logs held\n",
           (unsigned long long)audit_entries);
  return CLI_EXIT_OK;
}

int cli_cmd_rebuild(int argc, char **argv)
{
  static const cli_spec spec = {"rebuild", rebuild_usage, 1u << CLI_FORMAT_TEXT, 0};
  return run_command(argc, argv, &spec, OPEN_NODE, rebuild);
}
