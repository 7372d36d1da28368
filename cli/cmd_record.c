/* coop record, coop correct: money and memos per member, and corrections. */
#include <getopt.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "ledger/money.h"
#include "node/books.h"

static const char record_usage[] =
    "usage: coop record TYPE [--member ID] (--amount A | --hours H) --date YYYY-MM-DD\n"
    "                   [--ref REF] [--note TEXT] [--future]\n"
    "\n"
    "Records one thing in the books, as a sealed, signed entry.  TYPE is:\n"
    "  revenue       revenue from the member's work, received in the bank\n"
    "  cost          a cost of the member's work, paid from the bank\n"
    "  allowance     volunteer allowance paid to the member\n"
    "  spend         spending from the member's development budget (never more\n"
    "                than the budget holds)\n"
    "  other-income  income from outside the coop the member reports: counts for\n"
    "                the offset, not on the coop's books (a memo)\n"
    "  hours         hours worked (--hours; a memo)\n"
    "  remittance    paid to the member's municipality\n"
    "  coop-cost     the coop's own cost (no --member)\n"
    "  opening       opening balance of the bank account (no --member)\n"
    "\n"
    "Amounts are euros with at most two decimals: 1234.56 or 1234,56, at most\n"
    "10000000.00 per record; a member's hours come to at most 744 in a month.\n"
    "The month of --date must be open (see 'coop period'): not closed, not before\n"
    "the first month of the books, and not after the current month unless\n"
    "--future is given.  --ref makes retries safe: the\n"
    "same record with the same ref answers 'exists'; the same ref with other\n"
    "content is an error saying what differs.  Without --ref one is generated and\n"
    "printed.  Prints the entry index of the record.\n"
    "\n"
    "options:\n"
    "  --future     allow a date in a month after the current one\n"
    "  --dir DIR    node home (default $COOP_HOME, else ~/.local/share/coop)\n"
    "  -h, --help   show this help\n";

enum { OPTION_MEMBER = 256, OPTION_AMOUNT, OPTION_HOURS, OPTION_DATE, OPTION_REF, OPTION_NOTE,
       OPTION_REASON, OPTION_DIR, OPTION_FUTURE };

typedef struct record_options {
  const char *member, *amount, *hours, *date, *ref, *note, *reason, *dir;
  int future;
} record_options;

static int parse_options(int argc, char **argv, const char *command, const char *usage,
                         record_options *options)
{
  static const struct option table[] = {{"member", required_argument, NULL, OPTION_MEMBER},
                                        {"amount", required_argument, NULL, OPTION_AMOUNT},
                                        {"hours", required_argument, NULL, OPTION_HOURS},
                                        {"date", required_argument, NULL, OPTION_DATE},
                                        {"ref", required_argument, NULL, OPTION_REF},
                                        {"note", required_argument, NULL, OPTION_NOTE},
                                        {"reason", required_argument, NULL, OPTION_REASON},
                                        {"dir", required_argument, NULL, OPTION_DIR},
                                        {"future", no_argument, NULL, OPTION_FUTURE},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  int option;
  while ((option = getopt_long(argc, argv, "h", table, NULL)) != -1) {
    switch (option) {
    case OPTION_MEMBER: options->member = optarg; break;
    case OPTION_AMOUNT: options->amount = optarg; break;
    case OPTION_HOURS: options->hours = optarg; break;
    case OPTION_DATE: options->date = optarg; break;
    case OPTION_REF: options->ref = optarg; break;
    case OPTION_NOTE: options->note = optarg; break;
    case OPTION_REASON: options->reason = optarg; break;
    case OPTION_DIR: options->dir = optarg; break;
    case OPTION_FUTURE: options->future = 1; break;
    case 'h': fputs(usage, stdout); return 1;
    default: cli_usage_error(command, "invalid option"); return -1;
    }
  }
  return 0;
}

static int parse_date(const char *text, uint32_t *date)
{
  if (ledger_date_parse(text, date) != COOP_OK) {
    cli_error("invalid date '%s' (expected YYYY-MM-DD, a real calendar day)", text);
    return -1;
  }
  return 0;
}

/* Fills the amount (or hours) of a request from the options. */
static int request_amount(const record_options *options, node_record_request *request)
{
  int is_hours = request->type == LEDGER_RECORD_HOURS;
  const char *text = is_hours ? options->hours : options->amount;
  if (!text || (is_hours ? options->amount != NULL : options->hours != NULL))
    return cli_usage_error("record", is_hours ? "'record hours' takes --hours H, not --amount"
                                              : "this record takes --amount A, not --hours"),
           -1;
  char message[128];
  if (ledger_money_parse(text, LEDGER_MONEY_POSITIVE_ONLY, &request->amount, message,
                         sizeof message)) {
    cli_error("%s %s", is_hours ? "--hours" : "--amount", message);
    return -1;
  }
  return 0;
}

static int record_request(int argc, char **argv, const record_options *options,
                          node_record_request *request, char generated_ref[32])
{
  if (argc - optind != 1)
    return cli_usage_error("record", "expected exactly one TYPE"), -1;
  const char *type_name = argv[optind];
  request->type = (uint8_t)ledger_record_type_from_name(type_name);
  if (!request->type || request->type == LEDGER_RECORD_CORRECTION ||
      request->type == LEDGER_RECORD_PROFIT_SPLIT)
    return cli_usage_error("record", "unknown record type '%s'", type_name), -1;
  if (!options->date)
    return cli_usage_error("record", "--date is required"), -1;
  if (parse_date(options->date, &request->date) || request_amount(options, request))
    return -1;
  request->member_id = options->member;
  request->future = options->future;
  request->note = options->note;
  request->ref = options->ref;
  if (!options->ref) {
    uint8_t random[6];
    randombytes_buf(random, sizeof random);
    snprintf(generated_ref, 32, "r-%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2],
             random[3], random[4], random[5]);
    request->ref = generated_ref;
  }
  if (strlen(request->ref) > LEDGER_REF_BYTES_MAX ||
      (request->note && strlen(request->note) > LEDGER_RECORD_NOTE_BYTES_MAX))
    return cli_error("--ref is at most %u and --note at most %u bytes", LEDGER_REF_BYTES_MAX,
                     LEDGER_RECORD_NOTE_BYTES_MAX), -1;
  return 0;
}

int cli_cmd_record(int argc, char **argv)
{
  record_options options = {0};
  int parsed = parse_options(argc, argv, "record", record_usage, &options);
  if (parsed)
    return parsed > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  node_record_request request = {0};
  char generated_ref[32];
  if (options.reason)
    return cli_usage_error("record", "--reason goes with 'coop correct'");
  if (record_request(argc, argv, &options, &request, generated_ref))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(options.dir, &opened))
    return CLI_EXIT_FAILURE;
  node_record_result result;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_record_add(&opened, &request, &result, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("%s entry %llu (ref %s)\n", result.existed ? "exists:" : "recorded",
         (unsigned long long)result.index, request.ref);
  return CLI_EXIT_OK;
}

static const char correct_usage[] =
    "usage: coop correct ENTRY --reason TEXT [--date YYYY-MM-DD]\n"
    "\n"
    "Reverses the record at entry index ENTRY with a correction: a new entry that\n"
    "names the original and the month it was in, with every amount negated.\n"
    "Nothing is ever edited.  The correction is dated --date (default today),\n"
    "which must be in an open month.  Record the right figures afterwards.\n"
    "\n"
    "options:\n"
    "  --reason TEXT  why (required; kept in the books)\n"
    "  --date DATE    date of the correction (default: today)\n"
    "  --dir DIR      node home (default $COOP_HOME, else ~/.local/share/coop)\n"
    "  -h, --help     show this help\n";

int cli_cmd_correct(int argc, char **argv)
{
  record_options options = {0};
  int parsed = parse_options(argc, argv, "correct", correct_usage, &options);
  if (parsed)
    return parsed > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  unsigned long long index = 0;
  uint32_t date = node_today();
  if (argc - optind != 1)
    return cli_usage_error("correct", "expected exactly one ENTRY index");
  if (cli_parse_u64(argv[optind], "ENTRY", COOP_LOG_ENTRIES_MAX, &index))
    return CLI_EXIT_USAGE;
  if (!options.reason)
    return cli_usage_error("correct", "--reason is required");
  if (options.amount || options.hours || options.member || options.ref || options.note ||
      options.future)
    return cli_usage_error("correct", "only --reason and --date go with 'coop correct'");
  if (options.date && parse_date(options.date, &date))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(options.dir, &opened))
    return CLI_EXIT_FAILURE;
  uint64_t correction = 0;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_record_correct(&opened, index, options.reason, date, &correction, message);
  uint32_t month = 0;
  bool closed = false;
  if (!err)
    err = node_record_counts_in(&opened, correction, &month, &closed);
  node_close(&opened);
  if (err) {
    cli_error("%s", message[0] ? message : coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  char month_text[8], date_text[11];
  ledger_period_format(month, month_text);
  ledger_date_format(date, date_text);
  printf("entry %llu corrects entry %llu: booked on %s, counts in %s\n",
         (unsigned long long)correction, index, date_text, month_text);
  if (closed)
    printf("%s is closed: its statement is reissued at the next 'coop period close' (and every "
           "later month it carries into)\n", month_text);
  return CLI_EXIT_OK;
}
