/* Private header of the cli/ folder: what every subcommand shares.
 *
 * Exit codes, the same for every command:
 *   0  success
 *   1  the operation failed or something did not verify (message on stderr)
 *   2  usage error: unknown option, missing or malformed argument */
#ifndef COOP_CLI_CLI_H
#define COOP_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

typedef enum cli_format {
  CLI_FORMAT_TEXT,
  CLI_FORMAT_JSON,
  CLI_FORMAT_CSV,
  CLI_FORMAT_HTML, /* only where a command allows it (a page to print or mail) */
} cli_format;

/* A subcommand: argv[0] is the subcommand's own name ("log", "proof", ...). */
typedef int (*cli_command_fn)(int argc, char **argv);

/* Prints "coop: error: <message>" to stderr (git style: lower case, subject
 * quoted, no trailing period). */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Prints "coop: <message>" to stderr, for warnings and notices. */
void cli_notice(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Parses the value of -O/--output.  Returns 0 and sets *format, or prints an
 * error naming the value and the allowed ones and returns -1.  `allowed` is a
 * mask of (1 << CLI_FORMAT_*). */
int cli_parse_format(const char *text, unsigned allowed, cli_format *format);

/* Parses a non-negative decimal integer that fits in uint64 and is <= max;
 * no sign, no spaces, no trailing characters.  Prints an error naming `what`
 * and the text, returns -1 on failure. */
int cli_parse_u64(const char *text, const char *what, unsigned long long max,
                  unsigned long long *value);

/* The node home: --dir if given, else $COOP_HOME, else
 * $HOME/.local/share/coop.  Returns a malloc'd path or NULL (error printed). */
char *cli_home_dir(const char *dir_option);

/* Prints a usage error with a pointer to --help and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

struct node;
struct ledger_checkpoint;

/* Opens the node at --dir/$COOP_HOME/default.  Returns CLI_EXIT_OK, or
 * prints the error and returns CLI_EXIT_FAILURE. */
int cli_open_node(const char *dir_option, struct node *node);

/* Human time for a Unix millisecond timestamp: "2026-11-29T11:34:47.123Z". */
void cli_format_time(uint64_t timestamp_ms, char out[32]);

/* A checkpoint as a JSON object: log_id, size, root, timestamp (ms),
 * time (ISO 8601), signature.  NULL on allocation failure. */
struct json_t *cli_checkpoint_json(const struct ledger_checkpoint *checkpoint);

/* Prints a JSON value indented, with a trailing newline, and frees it.
 * Returns CLI_EXIT_OK or CLI_EXIT_FAILURE (error printed). */
int cli_print_json(struct json_t *value);

/* Bytes as a lower-case hex JSON string; NULL on allocation failure. */
struct json_t *cli_hex_json(const uint8_t *bytes, size_t count);

/* Parses -p YYYY-MM or YYYY into an inclusive date range (YYYYMMDD). */
int cli_parse_period_filter(const char *text, uint32_t *date_from, uint32_t *date_to);

/* Columns `text` takes on a terminal: UTF-8 continuation bytes take none
 * ("coöperatie" is 10 columns in 11 bytes), so Dutch tables line up. */
int cli_text_columns(const char *text);

/* Prints text to stdout padded with spaces to `width` columns. */
void cli_print_padded(const char *text, int width);

/* Parses a year, YYYY, within NODE_YEAR_MIN..NODE_YEAR_MAX (node/year.h)
 * and not after this year (cli_year_not_future); prints an error naming
 * the text and returns -1 otherwise (a usage error: exit 2). */
int cli_parse_year(const char *text, uint32_t *year);

/* A year asked for that has not begun (node_today) is a usage error, not a
 * failure of the command: prints one naming the year and the years that
 * can be asked for, and returns -1; 0 for this year or one before. */
int cli_year_not_future(uint32_t year);

/* Parses a 64-hex-digit node key; prints an error naming `what`. */
int cli_parse_key(const char *text, const char *what, uint8_t key[32]);

/* The member a --member value or operand names: on a coop node her id, her
 * client ref, or a name only she has (node_member_find); anything shaped
 * like an id, and any value on other nodes, as it is.  Returns the id (in
 * `out` when looked up), or NULL with the error printed. */
#define CLI_MEMBER_ID_BYTES 9 /* LEDGER_MEMBER_ID_CHARS + 1 */
const char *cli_member_arg(const char *dir_option, const char *text, char out[CLI_MEMBER_ID_BYTES]);

/* --log: a node key (64 hex digits), or the name of a peer in node.conf (or
 * this node's own name).  0, or -1 with the error printed. */
int cli_parse_log(const char *dir_option, const char *text, uint8_t key[32]);

/* Opens the node and brings its books up to date (opening them on a coop
 * node that never had them).  CLI_EXIT_OK, or the error is printed. */
int cli_open_books(const char *dir_option, struct node *node);

/* ---- options (cli/options.c) ---------------------------------------------
 * Every command declares its options in a table and parses argv with
 * cli_parse, which adds --dir, --help and (when the command takes output
 * formats) -O/--output, so those behave the same everywhere. */

/* One option: a value option when `arg` names its argument, else a flag. */
typedef struct cli_option {
  const char *name;   /* long name, without "--" */
  char letter;        /* short option letter, or 0 */
  const char *arg;    /* the argument's name in --help ("ID"); NULL: a flag */
  const char **value; /* where a value option's argument goes */
  int *flag;          /* set to 1 by a flag */
  const char *help;   /* for --help; "\n" starts a continuation line, NULL hides */
  /* For an option that may repeat: called with each value instead of
   * storing it; a non-zero answer stops the parse and is its exit code. */
  int (*each)(void *context, const char *value);
  void *context;
} cli_option;

/* Table entries, so a table reads as a list of options. */
#define CLI_VALUE(name, letter, arg, value, help) {name, letter, arg, value, NULL, help, NULL, NULL}
#define CLI_FLAG(name, letter, flag, help) {name, letter, NULL, NULL, flag, help, NULL, NULL}
#define CLI_EACH(name, arg, each, context, help) {name, 0, arg, NULL, NULL, help, each, context}
#define CLI_END {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL}

/* How cli_parse treats the options; the table, which points into the
 * command's locals, is passed beside it. */
typedef struct cli_spec {
  const char *name;  /* "record", "rules list": for "see 'coop NAME --help'" */
  const char *usage; /* usage line and description; --help adds the options */
  unsigned formats;  /* the -O formats taken (as for cli_parse_format); 0: no -O */
  unsigned flags;    /* CLI_STOP_AT_OPERAND, CLI_GETOPT_MESSAGES */
} cli_spec;

#define CLI_TXT_JSON (1u << CLI_FORMAT_TEXT | 1u << CLI_FORMAT_JSON)
#define CLI_ALL_FORMATS (CLI_TXT_JSON | 1u << CLI_FORMAT_CSV)

/* Stop at the first operand (a subcommand, whose options are its own). */
#define CLI_STOP_AT_OPERAND 1u
/* Unknown options as before the shared parser: getopt's own message, then
 * "invalid option" (books_import_usage.t pins this for 'coop import'). */
#define CLI_GETOPT_MESSAGES 2u
/* `usage` already lists the options (cmd_log.c's texts, not converted yet). */
#define CLI_USAGE_WHOLE 4u

/* What cli_parse found besides the table's options.  Fields not given on
 * the command line keep the values the caller set. */
typedef struct cli_args {
  const char *dir;
  cli_format format;
  int argc;    /* the operands, in order */
  char **argv;
} cli_args;

/* cli_parse's answer when the command should run; any other answer is the
 * exit code to return (CLI_EXIT_OK after --help, CLI_EXIT_USAGE after a
 * usage error, printed). */
#define CLI_GO (-1)

int cli_parse(const cli_spec *spec, const cli_option *options, int argc, char **argv,
              cli_args *args);

/* Like cli_parse, and the command takes no operands. */
int cli_parse_no_operands(const cli_spec *spec, const cli_option *options, int argc,
                          char **argv, cli_args *args);

/* cli_parse_no_operands, then cli_open_node at the --dir it found: CLI_GO
 * with the node open (the caller closes it), or the exit code with nothing
 * open (CLI_EXIT_FAILURE, printed, when the node does not open). */
int cli_parse_and_open(const cli_spec *spec, const cli_option *options, int argc, char **argv,
                       cli_args *args, struct node *node);

/* A command made of subcommands ('coop audit run'): each one's name and
 * function, which gets argv from its own name on. */
typedef struct cli_subcommand {
  const char *name;
  cli_command_fn run;
} cli_subcommand;

/* Runs the subcommand argv[1] names, from `table` (ended by {NULL, NULL}).
 * Without one, `usage` goes to stderr (CLI_EXIT_USAGE); with --help or -h
 * to stdout (CLI_EXIT_OK); an unknown name is a usage error that lists the
 * table's names. */
int cli_run_subcommand(const char *command, const char *usage, const cli_subcommand *table,
                       int argc, char **argv);

/* Global options, before the command: `coop [--dir DIR] [-O FORMAT] [--help]
 * [--version] COMMAND ...`, parsed with the same table code.  --dir becomes
 * COOP_HOME; -O's value and --help are set for main to hand on to the
 * command.  Returns CLI_GO with *command_index set (argc when there is no
 * command), or an exit code. */
int cli_parse_global(int argc, char **argv, int *command_index, const char **output, int *help);

/* Reads FILE ("-" for standard input) whole into `text`, which bounds its
 * size.  Errors are printed as "NAME: ..."; a file past the bound says
 * "NAME: file too large (TOO_LARGE)".  0 on success, -1 on failure. */
int cli_read_input(const char *path, const char *name, const char *too_large, coop_buf *text);

/* A value that may be personal data (a member's name, a client ref).  Other
 * local users see command lines in `ps`, so besides OPTION VALUE it can come
 * from standard input (OPTION -) or from a file (OPTION-file FILE, where
 * FILE "-" is standard input too).  Set `text` and `file` from the options,
 * then check with cli_values_check and read with cli_value_get. */
typedef struct cli_value {
  const char *option; /* "--name", for messages; its file option adds "-file" */
  const char *text;   /* OPTION's argument, or NULL */
  const char *file;   /* OPTION-file's argument, or NULL */
  coop_buf read;      /* what cli_value_get read from the file or standard input */
} cli_value;

void cli_value_init(cli_value *value, const char *option);
void cli_value_release(cli_value *value);

/* Usage errors between values: one given both as OPTION and OPTION-file,
 * or more than one reading standard input.  Returns 0, or prints the error
 * (with a pointer to 'coop COMMAND --help') and returns CLI_EXIT_USAGE. */
int cli_values_check(cli_value *const values[], size_t count, const char *command);

/* Sets *out to the value: the text given, or the file or standard input
 * read whole with one trailing newline ("\n" or "\r\n") removed; NULL when
 * neither option was given.  Returns 0, or CLI_EXIT_FAILURE after printing
 * an error naming the option and where it read, when the input cannot be
 * read, is empty, holds a NUL byte or is longer than `bytes_max`. */
int cli_value_get(cli_value *value, size_t bytes_max, const char **out);

/* A listing in txt, csv or json, the same way for every list command: json
 * rows gather in an array printed whole at the end (so a failure half-way
 * prints no half document); csv starts with its header line; txt rows the
 * command prints itself. */
typedef struct cli_rows {
  cli_format format;
  struct json_t *array; /* json only */
} cli_rows;

/* Starts a listing; for csv, prints `csv_header` (with its newline). */
void cli_rows_begin(cli_rows *rows, cli_format format, const char *csv_header);

/* Adds a json row, taking it; COOP_E_NOMEM when it could not be. */
coop_err cli_rows_json(cli_rows *rows, struct json_t *row);

/* Ends a listing after `err`: prints the json array, or "cannot WHAT: ..."
 * for an error.  Returns the exit code. */
int cli_rows_end(cli_rows *rows, coop_err err, const char *what);

/* Prints a string as a CSV field (quoted when it needs to be). */
void cli_csv_field(FILE *out, const char *text);

/* Prints text into HTML, escaping what would be markup: every value from
 * the books goes through it (a member may be named "<script>..."). */
void cli_html_text(FILE *out, const char *text);

/* The subcommands, one file each (cli/cmd_NAME.c). */
int cli_cmd_init(int argc, char **argv);
int cli_cmd_id(int argc, char **argv);
int cli_cmd_note(int argc, char **argv);
int cli_cmd_log(int argc, char **argv);
int cli_cmd_logs(int argc, char **argv);
int cli_cmd_peer(int argc, char **argv);
int cli_cmd_node(int argc, char **argv);
int cli_cmd_sync(int argc, char **argv);
int cli_cmd_forks(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_disputes(int argc, char **argv);
int cli_cmd_receipt(int argc, char **argv);
/* coop log export|import: argv[0] is the action. */
int cli_log_transfer(int argc, char **argv);
int cli_cmd_checkpoint(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_proof(int argc, char **argv);
int cli_cmd_offset(int argc, char **argv);
int cli_cmd_member(int argc, char **argv);
int cli_cmd_record(int argc, char **argv);
int cli_cmd_correct(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_period(int argc, char **argv);
int cli_cmd_accounts(int argc, char **argv);
int cli_cmd_bal(int argc, char **argv);
int cli_cmd_reg(int argc, char **argv);
int cli_cmd_rebuild(int argc, char **argv);
int cli_cmd_statement(int argc, char **argv);
int cli_cmd_import(int, char **);
int cli_cmd_export(int, char **);
int cli_cmd_rules(int argc, char **argv);
int cli_cmd_web(int argc, char **argv);
/* coop member erase (argv[0] is "erase") and coop retention (cmd_erase.c). */
int cli_member_erase(int argc, char **argv);
int cli_cmd_retention(int argc, char **argv);
int cli_cmd_backup(int argc, char **argv);
/* coop member export-data [ID] (cli/cmd_member_data.c); member_id NULL: the
 * member whose key this node holds. */
int cli_member_export_data(const char *dir, cli_format format, const char *member_id);
int cli_cmd_restore(int argc, char **argv);

/* "reissued the statement of ... (replaces entry N)", a line each
 * (cmd_statement.c; also after a close that reissued). */
struct node_reissue_list;
void cli_print_reissues(const struct node_reissue_list *done);

#endif
