/* coop record, coop correct: money and memos per member, and corrections. */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "node/books.h"
#include "node/wording.h"

static const char record_usage[] =
    "usage: coop record TYPE [--member ID] (--amount A | --hours H) --date YYYY-MM-DD\n"
    "                   [--ref REF] [--note TEXT] [--future] [--for-month YYYY-MM]\n"
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
    "10000000.00 per record; a member's hours come to at most 744 in a month, and\n"
    "her records counting in one month to at most 1000 (what its statement cites).\n"
    "The month of --date must be open (see 'coop period'): not closed, not before\n"
    "the first month of the books, and not after the current month unless\n"
    "--future is given.  A figure that belongs to a closed month is dated in an\n"
    "open month with --for-month YYYY-MM: it counts in that month, whose statement\n"
    "is reissued at the next 'coop period close'.  --ref makes retries safe: the\n"
    "same record with the same ref answers 'exists'; the same ref with other\n"
    "content is an error saying what differs.  Without --ref one is generated and\n"
    "printed.  Prints the entry index of the record.\n";

/* record and correct share one table: each refuses the other's options
 * with a message naming them, and --help shows only its own. */
typedef struct record_options {
  const char *member, *amount, *hours, *date, *ref, *note, *reason, *for_month;
  int future, in_open_month;
  cli_args args;
} record_options;

/* CLI_GO, or the exit code. */
static int parse_options(int argc, char **argv, const cli_spec *spec, record_options *options)
{
  int record = !strcmp(spec->name, "record");
  const char *date_help =
      record ? "the day it happened" : "date of the correction (default: today)";
  const cli_option table[] = {
      CLI_VALUE("member", 0, "ID", &options->member, record ? "the member (m-xxxxxx)" : NULL),
      CLI_VALUE("amount", 0, "A", &options->amount, record ? "euros, e.g. 1234.56" : NULL),
      CLI_VALUE("hours", 0, "H", &options->hours, record ? "hours, for 'record hours'" : NULL),
      CLI_VALUE("date", 0, "YYYY-MM-DD", &options->date, date_help),
      CLI_VALUE("ref", 0, "REF", &options->ref,
          record ? "your reference; makes retries safe" : NULL),
      CLI_VALUE("note", 0, "TEXT", &options->note, record ? "a note kept in the books" : NULL),
      CLI_VALUE("reason", 0, "TEXT", &options->reason,
          record ? NULL : "why (required; kept in the books)"),
      CLI_FLAG("future", 0, &options->future,
          record ? "allow a date in a month after the current one" : NULL),
      CLI_VALUE("for-month", 0, "YYYY-MM", &options->for_month,
          record ? "a closed month it belongs to (reissued at the next close)" : NULL),
      CLI_FLAG("in-open-month", 0, &options->in_open_month,
          record ? NULL : "count the reversal in the month it is dated in, not the original's"),
      CLI_END};
  *options = (record_options){0};
  return cli_parse(spec, table, argc, argv, &options->args);
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
  const char *what = is_hours ? "--hours" : "--amount";
  char message[128];
  if (node_amount_parse(text, &request->amount, message, sizeof message)) {
    cli_error("%s %s", what, message);
    return -1;
  }
  return 0;
}

static int record_request(const record_options *options, node_record_request *request,
                          char generated_ref[32])
{
  if (options->args.argc != 1)
    return cli_usage_error("record", "expected exactly one TYPE"), -1;
  const char *type_name = options->args.argv[0];
  request->type = (uint8_t)ledger_record_type_from_name(type_name);
  if (!ledger_record_by_hand(request->type))
    return cli_usage_error("record", "unknown record type '%s'", type_name), -1;
  if (!options->date)
    return cli_usage_error("record", "--date is required"), -1;
  if (parse_date(options->date, &request->date) || request_amount(options, request))
    return -1;
  request->member_id = options->member;
  /* Said here, as a usage error, before the node is opened. */
  bool coops_own = request->type == LEDGER_RECORD_COOP_COST || request->type == LEDGER_RECORD_OPENING;
  bool has_member = options->member && options->member[0];
  if (!coops_own && !has_member)
    return cli_usage_error("record", "a %s record needs --member", type_name), -1;
  if (coops_own && has_member)
    return cli_usage_error("record", "a %s record is the coop's own: no --member", type_name), -1;
  request->future = options->future;
  if (options->for_month && ledger_period_parse(options->for_month, &request->for_period)) {
    cli_error("--for-month '%s' is not a month (expected YYYY-MM)", options->for_month);
    return -1;
  }
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
  static const cli_spec spec = {"record", record_usage, 0, 0};
  record_options options;
  int status = parse_options(argc, argv, &spec, &options);
  if (status != CLI_GO)
    return status;
  node_record_request request = {0};
  char generated_ref[32];
  if (options.reason || options.in_open_month)
    return cli_usage_error("record", "--reason and --in-open-month go with 'coop correct'");
  if (record_request(&options, &request, generated_ref))
    return CLI_EXIT_USAGE;
  char member_id[CLI_MEMBER_ID_BYTES];
  if (request.member_id && request.member_id[0] &&
      !(request.member_id = cli_member_arg(options.args.dir, request.member_id, member_id)))
    return CLI_EXIT_FAILURE;
  node opened;
  if (cli_open_node(options.args.dir, &opened))
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
    "usage: coop correct ENTRY --reason TEXT [--date YYYY-MM-DD] [--in-open-month]\n"
    "\n"
    "Reverses the record at entry index ENTRY with a correction: a new entry that\n"
    "names the original and the month it was in, with every amount negated.\n"
    "Nothing is ever edited.  The correction is dated --date (default today),\n"
    "which must be in an open month.  Record the right figures afterwards.\n"
    "It counts in the month the original counted in (a closed month is then\n"
    "reissued at the next close); in a closed year that is refused, and\n"
    "--in-open-month counts it in the month it is dated in instead.\n";

int cli_cmd_correct(int argc, char **argv)
{
  static const cli_spec spec = {"correct", correct_usage, 0, 0};
  record_options options;
  int status = parse_options(argc, argv, &spec, &options);
  if (status != CLI_GO)
    return status;
  unsigned long long index = 0;
  uint32_t date = node_today();
  if (options.args.argc != 1)
    return cli_usage_error("correct", "expected exactly one ENTRY index");
  if (cli_parse_u64(options.args.argv[0], "ENTRY", COOP_LOG_ENTRIES_MAX, &index))
    return CLI_EXIT_USAGE;
  if (!options.reason)
    return cli_usage_error("correct", "--reason is required");
  if (options.amount || options.hours || options.member || options.ref || options.note ||
      options.future || options.for_month)
    return cli_usage_error("correct",
                           "only --reason, --date and --in-open-month go with 'coop correct'");
  if (options.date && parse_date(options.date, &date))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_node(options.args.dir, &opened))
    return CLI_EXIT_FAILURE;
  uint64_t correction = 0;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_record_correct_counting(
      &opened, index, options.reason, date,
      options.in_open_month ? NODE_CORRECTION_IN_DATE_MONTH : NODE_CORRECTION_IN_ORIGINAL_MONTH,
      &correction, message);
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
