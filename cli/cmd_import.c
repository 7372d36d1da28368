/* coop import: many records at once from a spreadsheet export (CSV), all or
 * nothing (node/import.h does the work; the web app's upload uses it too). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/base/buffer.h"
#include "node/books.h"
#include "node/import.h"

#define IMPORT_FILE_BYTES_MAX NODE_IMPORT_FILE_BYTES_MAX

static const char usage[] =
    "usage: coop import FILE.csv [--future] [--dir DIR]\n"
    "       coop import --members FILE.csv [--dir DIR]\n"
    "\n"
    "Records every row of a spreadsheet export in one go: all of them or, if any\n"
    "row is bad, none (every bad row is reported with its line number).  FILE -\n"
    "reads standard input.\n"
    "\n"
    "The first row names the columns, in any order:\n"
    "  type    revenue, cost, allowance, spend, other-income, hours, remittance,\n"
    "          coop-cost or opening (see 'coop record --help')\n"
    "  member  the member id (m-xxxxxx); empty for coop-cost and opening\n"
    "  amount  euros, at most two decimals: 1234.56 or 1234,56; at most\n"
    "          10000000.00\n"
    "  hours   hours for type hours (or put them in amount); a member's hours\n"
    "          come to at most 744 in a month, and her records counting in one\n"
    "          month to at most 1000\n"
    "  date    YYYY-MM-DD, in an open month, not after the current month\n"
    "          (unless --future)\n"
    "  ref     your reference (optional, unique): re-importing a row with the\n"
    "          same ref and content answers 'already there'\n"
    "  note    free text (optional)\n"
    "type, date and amount (or hours) are required.  Fields are separated by\n"
    "commas, or by semicolons when the header uses them (Dutch spreadsheets);\n"
    "quote a field that holds the separator, a quote or a newline, and double\n"
    "quotes inside it (RFC 4180).  Rows without a ref get\n"
    "'import-<first 12 hex digits of the file's SHA-256>-<line>', so importing\n"
    "the same file twice records nothing new.  Blank rows are skipped.  At most\n"
    "256 MiB and 2000000 rows per file.\n"
    "\n"
    "--members: enrols every member of the file in one go (leden inschrijven), all\n"
    "or none, with the checks of 'coop member add'.  Columns, in any order:\n"
    "  name          the member's name\n"
    "  client_ref    the municipality's client ref (never a BSN)\n"
    "  municipality  the municipality's node key or peer name (see 'coop peer')\n"
    "  birth         birth month YYYY-MM (optional)\n"
    "  status        optional: n-approved, medical-limit, single-parent,\n"
    "                separated by spaces or '+'; they hold from this month\n"
    "Prints each new member id with the name and client ref.\n";


static void say_error(void *context, unsigned long line, const char *text)
{
  (void)context, (void)line;
  cli_error("%s", text);
}

static int read_input(const char *path, const char *name, coop_buf *out)
{
  FILE *input = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!input) {
    cli_error("cannot open '%s': %s", path, strerror(errno));
    return -1;
  }
  static char chunk[1 << 16];
  size_t got;
  coop_err err = COOP_OK;
  while (!err && (got = fread(chunk, 1, sizeof chunk, input)) > 0)
    err = coop_buf_append(out, chunk, got);
  int failed = ferror(input);
  if (input != stdin)
    fclose(input);
  if (err == COOP_E_LIMIT)
    cli_error("%s: larger than %u MiB: split it into smaller files", name,
              IMPORT_FILE_BYTES_MAX >> 20);
  else if (err)
    cli_error("%s: out of memory", name);
  else if (failed)
    cli_error("cannot read '%s'", name);
  return err || failed ? -1 : 0;
}

static void say_enrolled(void *context, const char *member_id,
                         const struct node_member_request *request)
{
  ++*(size_t *)context;
  printf("%s  %s  %s\n", member_id, request->name, request->client_ref);
}

/* coop import --members: the file is read; the node is opened here. */
static int import_members(const char *dir, const char *name, const coop_buf *file)
{
  node opened;
  if (cli_open_books(dir, &opened))
    return CLI_EXIT_FAILURE;
  size_t bad_rows = 0, enrolled = 0;
  coop_err err = node_import_members_csv(&opened, name, file, say_error, NULL, say_enrolled,
                                         &enrolled, &bad_rows);
  node_close(&opened);
  if (err)
    return CLI_EXIT_FAILURE;
  printf("enrolled %zu member%s\n", enrolled, enrolled == 1 ? "" : "s");
  return CLI_EXIT_OK;
}

int cli_cmd_import(int argc, char **argv)
{
  /* Unknown options keep getopt's message: books_import_usage.t has it. */
  static const cli_spec spec = {"import", usage, 0, CLI_GETOPT_MESSAGES};
  int future = 0, members = 0;
  const cli_option options[] = {
      CLI_FLAG("future", 0, &future, "allow rows dated in a month after the current one"),
      CLI_FLAG("members", 0, &members, "the file holds members to enrol, not records"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("import", "expected exactly one FILE (- for standard input)");
  if (members && future)
    return cli_usage_error("import", "--future is for records, not --members");
  const char *path = args.argv[0], *dir = args.dir;
  const char *name = strcmp(path, "-") ? path : "<stdin>";
  coop_buf file;
  coop_buf_init(&file, IMPORT_FILE_BYTES_MAX);
  if (read_input(path, name, &file)) {
    coop_buf_release(&file);
    return CLI_EXIT_FAILURE;
  }
  if (members) {
    status = import_members(dir, name, &file);
    coop_buf_release(&file);
    return status;
  }
  node opened;
  if (cli_open_books(dir, &opened)) {
    coop_buf_release(&file);
    return CLI_EXIT_FAILURE;
  }
  node_import_result result;
  coop_err err = node_import_csv(&opened, name, &file, future, say_error, NULL, &result);
  node_close(&opened);
  coop_buf_release(&file);
  if (err)
    return CLI_EXIT_FAILURE;
  printf("imported %zu record%s (%zu already there)\n", result.imported,
         result.imported == 1 ? "" : "s", result.existed);
  return CLI_EXIT_OK;
}
