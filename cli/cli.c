#include "cli/cli.h"
#include "node/books.h"
#include "node/export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <jansson.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/books.h"
#include "ledger/log/checkpoint.h"
#include "node/books.h"
#include "node/node.h"
#include "node/year.h"

/* One message line on stderr: "coop: " and `kind`, the message, the newline. */
static void say(const char *kind, const char *format, va_list args)
    __attribute__((format(printf, 2, 0)));
static void say(const char *kind, const char *format, va_list args)
{
  fprintf(stderr, "coop: %s", kind);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
}

void cli_error(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  say("error: ", format, args);
  va_end(args);
}

void cli_notice(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  say("", format, args);
  va_end(args);
}

int cli_usage_error(const char *command, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  say("error: ", format, args);
  fprintf(stderr, "see 'coop %s --help'\n", command);
  va_end(args);
  return CLI_EXIT_USAGE;
}

int cli_parse_format(const char *text, unsigned allowed, cli_format *format)
{
  static const char *const names[] = {"txt", "json", "csv", "html"};
  for (int i = 0; i < 4; i++) {
    if ((allowed & (1u << i)) && !strcmp(text, names[i])) {
      *format = (cli_format)i;
      return 0;
    }
  }
  if (!strcmp(text, "text") && (allowed & (1u << CLI_FORMAT_TEXT))) {
    *format = CLI_FORMAT_TEXT;
    return 0;
  }
  char list[32] = "";
  for (int i = 0; i < 4; i++) {
    if (allowed & (1u << i)) {
      if (list[0])
        strcat(list, ", ");
      strcat(list, names[i]);
    }
  }
  cli_error("unknown output format '%s' (expected one of: %s)", text, list);
  return -1;
}

int cli_parse_u64(const char *text, const char *what, unsigned long long max,
                  unsigned long long *value)
{
  if (!text[0] || text[0] < '0' || text[0] > '9') {
    cli_error("%s must be a non-negative whole number, got '%s'", what, text);
    return -1;
  }
  errno = 0;
  char *end = NULL;
  unsigned long long parsed = strtoull(text, &end, 10);
  if (errno || *end) {
    cli_error("%s must be a non-negative whole number, got '%s'", what, text);
    return -1;
  }
  if (parsed > max) {
    cli_error("%s '%s' is too large (at most %llu)", what, text, max);
    return -1;
  }
  *value = parsed;
  return 0;
}

char *cli_home_dir(const char *dir_option)
{
  if (dir_option) {
    if (!dir_option[0]) {
      cli_error("--dir must not be empty");
      return NULL;
    }
    return coop_strdup(dir_option);
  }
  const char *env = getenv("COOP_HOME");
  if (env && env[0])
    return coop_strdup(env);
  const char *home = getenv("HOME");
  if (!home || !home[0]) {
    cli_error("no node home: pass --dir DIR or set COOP_HOME (HOME is not set)");
    return NULL;
  }
  coop_buf path;
  coop_buf_init(&path, 4096);
  if (coop_buf_printf(&path, "%s/.local/share/coop", home)) {
    coop_buf_release(&path);
    cli_error("HOME is too long");
    return NULL;
  }
  return (char *)path.data;
}

int cli_open_node(const char *dir_option, node *out)
{
  char *home = cli_home_dir(dir_option);
  if (!home)
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_open(home, out, message);
  coop_free(home);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

int cli_parse_and_open(const cli_spec *spec, const cli_option *options, int argc, char **argv,
                       cli_args *args, node *out)
{
  int status = cli_parse_no_operands(spec, options, argc, argv, args);
  if (status != CLI_GO)
    return status;
  return cli_open_node(args->dir, out) ? CLI_EXIT_FAILURE : CLI_GO;
}

void cli_format_time(uint64_t timestamp_ms, char out[32])
{
  time_t seconds = (time_t)(timestamp_ms / 1000u);
  struct tm utc;
  if (!gmtime_r(&seconds, &utc)) {
    snprintf(out, 32, "%llu ms", (unsigned long long)timestamp_ms);
    return;
  }
  char date[24];
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  snprintf(out, 32, "%s.%03uZ", date, (unsigned)(timestamp_ms % 1000u));
}

json_t *cli_hex_json(const uint8_t *bytes, size_t count)
{
  char *text = coop_malloc(2 * count + 1);
  if (!text)
    return NULL;
  ledger_hex_encode(bytes, count, text);
  json_t *value = json_string(text);
  coop_free(text);
  return value;
}

json_t *cli_checkpoint_json(const ledger_checkpoint *checkpoint)
{
  char time_text[32];
  cli_format_time(checkpoint->timestamp_ms, time_text);
  return json_pack("{s:o, s:I, s:o, s:I, s:s, s:o}",
                   "log_id", cli_hex_json(checkpoint->log_id, LEDGER_LOG_ID_BYTES),
                   "size", (json_int_t)checkpoint->size,
                   "root", cli_hex_json(checkpoint->root, LEDGER_HASH_BYTES),
                   "timestamp", (json_int_t)checkpoint->timestamp_ms,
                   "time", time_text,
                   "signature", cli_hex_json(checkpoint->signature, LEDGER_SIGNATURE_BYTES));
}

int cli_print_json(json_t *value)
{
  if (!value) {
    cli_error("out of memory while formatting JSON");
    return CLI_EXIT_FAILURE;
  }
  int failed = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0;
  json_decref(value);
  failed |= fputc('\n', stdout) == EOF;
  if (failed) {
    cli_error("cannot write to standard output");
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

int cli_parse_period_filter(const char *text, uint32_t *date_from, uint32_t *date_to)
{
  uint32_t period = 0;
  if (strlen(text) == 4 && text[0] >= '1' && strspn(text, "0123456789") == 4) {
    uint32_t year = (uint32_t)strtoul(text, NULL, 10);
    *date_from = year * 10000 + 101;
    *date_to = year * 10000 + 1231;
    return 0;
  }
  if (ledger_period_parse(text, &period) == COOP_OK) {
    *date_from = period * 100 + 1;
    *date_to = period * 100 + 31;
    return 0;
  }
  cli_error("invalid period '%s' (expected YYYY-MM or YYYY)", text);
  return -1;
}

void cli_html_text(FILE *out, const char *text)
{
  for (; *text; text++) {
    switch (*text) {
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '&': fputs("&amp;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default: fputc(*text, out);
    }
  }
}

int cli_text_columns(const char *text)
{
  int columns = 0;
  for (const char *c = text; *c; c++)
    columns += ((unsigned char)*c & 0xC0) != 0x80;
  return columns;
}

void cli_print_padded(const char *text, int width)
{
  fputs(text, stdout);
  for (int columns = cli_text_columns(text); columns < width; columns++)
    fputc(' ', stdout);
}

int cli_parse_year(const char *text, uint32_t *year)
{
  if (strlen(text) != 4 || strspn(text, "0123456789") != 4) {
    cli_error("invalid year '%s' (expected YYYY)", text);
    return -1;
  }
  uint32_t value = (uint32_t)strtoul(text, NULL, 10);
  if (value < NODE_YEAR_MIN || value > NODE_YEAR_MAX) {
    cli_error("year %s is out of range (%u to %u)", text, NODE_YEAR_MIN, NODE_YEAR_MAX);
    return -1;
  }
  if (cli_year_not_future(value))
    return -1;
  *year = value;
  return 0;
}

int cli_year_not_future(uint32_t year)
{
  uint32_t today = node_today();
  if (year <= today / 10000)
    return 0;
  char date[11];
  ledger_date_format(today, date);
  cli_error("year %u has not begun (today is %s): expected a year from %u to %u", (unsigned)year,
            date, NODE_YEAR_MIN, (unsigned)(today / 10000));
  return -1;
}

int cli_parse_key(const char *text, const char *what, uint8_t key[32])
{
  if (ledger_hex_decode(text, key, 32) != COOP_OK) {
    cli_error("%s '%s' is not a node key (64 hex digits, as 'coop id' prints)", what, text);
    return -1;
  }
  return 0;
}

int cli_open_books(const char *dir_option, node *out)
{
  if (cli_open_node(dir_option, out))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  if (node_books_ready(out, message)) {
    cli_error("%s", message);
    node_close(out);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

void cli_rows_begin(cli_rows *rows, cli_format format, const char *csv_header)
{
  rows->format = format;
  rows->array = format == CLI_FORMAT_JSON ? json_array() : NULL;
  if (format == CLI_FORMAT_CSV && csv_header)
    fputs(csv_header, stdout);
}

coop_err cli_rows_json(cli_rows *rows, json_t *row)
{
  if (!rows->array) { /* json_array() failed at the start */
    json_decref(row);
    return COOP_E_NOMEM;
  }
  return json_array_append_new(rows->array, row) ? COOP_E_NOMEM : COOP_OK;
}

int cli_rows_end(cli_rows *rows, coop_err err, const char *what)
{
  if (err) {
    json_decref(rows->array);
    cli_error("cannot %s: %s", what, coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  return rows->format == CLI_FORMAT_JSON ? cli_print_json(rows->array) : CLI_EXIT_OK;
}

void cli_csv_field(FILE *out, const char *text)
{
  node_csv_field(out, text);
}

static int read_stream(FILE *stream, const char *name, const char *too_large, coop_buf *text)
{
  unsigned char chunk[4096];
  for (;;) {
    size_t got = fread(chunk, 1, sizeof chunk, stream);
    coop_err err = got > 0 ? coop_buf_append(text, chunk, got) : COOP_OK;
    if (err == COOP_E_LIMIT) {
      cli_error("%s: file too large (%s)", name, too_large);
      return -1;
    }
    if (err != COOP_OK) {
      cli_error("%s: %s", name, coop_err_message(err));
      return -1;
    }
    if (got < sizeof chunk) {
      if (ferror(stream)) {
        cli_error("%s: cannot read: %s", name, strerror(errno));
        return -1;
      }
      return 0;
    }
  }
}

int cli_read_input(const char *path, const char *name, const char *too_large, coop_buf *text)
{
  if (!strcmp(path, "-"))
    return read_stream(stdin, name, too_large, text);
  FILE *stream = fopen(path, "rb");
  if (!stream) {
    cli_error("%s: cannot open: %s", name, strerror(errno));
    return -1;
  }
  int result = read_stream(stream, name, too_large, text);
  fclose(stream);
  return result;
}

void cli_value_init(cli_value *value, const char *option)
{
  memset(value, 0, sizeof *value);
  value->option = option;
  coop_buf_init(&value->read, 0);
}

void cli_value_release(cli_value *value)
{
  coop_buf_release(&value->read);
}

static int value_reads_stdin(const cli_value *value)
{
  return (value->text && !strcmp(value->text, "-")) || (value->file && !strcmp(value->file, "-"));
}

int cli_values_check(cli_value *const values[], size_t count, const char *command)
{
  const char *first_stdin = NULL;
  for (size_t i = 0; i < count; i++) {
    const char *option = values[i]->option;
    if (values[i]->text && values[i]->file)
      return cli_usage_error(command, "give %s or %s-file, not both", option, option);
    if (!value_reads_stdin(values[i]))
      continue;
    /* Standard input is read once, whole: it cannot hold two values. */
    if (first_stdin)
      return cli_usage_error(command, "only one of %s and %s can be read from standard input "
                             "('-'); give the other on the command line or with %s-file",
                             first_stdin, option, option);
    first_stdin = option;
  }
  return 0;
}

/* Removes one trailing "\n" or "\r\n" (an empty buffer has nothing to
 * remove and its shared terminator is never written). */
static void strip_newline(coop_buf *text)
{
  if (text->len && text->data[text->len - 1] == '\n') {
    text->len--;
    if (text->len && text->data[text->len - 1] == '\r')
      text->len--;
    text->data[text->len] = 0;
  }
}

int cli_value_get(cli_value *value, size_t bytes_max, const char **out)
{
  *out = NULL;
  if (!value->text && !value->file)
    return 0;
  if (!value_reads_stdin(value) && !value->file) {
    *out = value->text;
    return 0;
  }
  const char *path = value->file ? value->file : "-";
  char where[256];
  if (!strcmp(path, "-"))
    snprintf(where, sizeof where, "%s from standard input", value->option);
  else
    snprintf(where, sizeof where, "%s-file '%s'", value->option, path);
  char too_large[64];
  snprintf(too_large, sizeof too_large, "more than %zu bytes", bytes_max);
  /* Room for the newline that ends most files and an "\r" before it. */
  coop_buf_init(&value->read, bytes_max + 2);
  if (cli_read_input(path, where, too_large, &value->read) != 0)
    return CLI_EXIT_FAILURE;
  strip_newline(&value->read);
  const coop_buf *read = &value->read;
  if (read->len > bytes_max) {
    cli_error("%s: file too large (%s)", where, too_large);
    return CLI_EXIT_FAILURE;
  }
  const char *problem = read->len == 0                      ? "is empty"
                        : memchr(read->data, 0, read->len)    ? "holds a NUL byte"
                        : memchr(read->data, '\n', read->len) ? "holds more than one line"
                                                              : NULL;
  if (problem) {
    cli_error("%s %s", where, problem);
    return CLI_EXIT_FAILURE;
  }
  *out = (const char *)value->read.data;
  return 0;
}

const char *cli_member_arg(const char *dir_option, const char *text,
                           char out[LEDGER_MEMBER_ID_CHARS + 1])
{
  /* An id goes on as it is: the command's own checks name it when unknown. */
  if (!text || node_member_id_shaped(text))
    return text;
  node opened;
  if (cli_open_node(dir_option, &opened))
    return NULL;
  char message[NODE_MESSAGE_BYTES];
  ledger_member_row row;
  bool coop = opened.role == LEDGER_ROLE_COOP; /* only a coop's books know names and refs */
  coop_err err = coop ? node_books_ready(&opened, message) : COOP_OK;
  if (!err && coop)
    err = node_member_find(&opened, text, &row, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return NULL;
  }
  if (!coop) {
    /* A municipality's or a member's node holds no register of names and
     * refs to look them up in: say what it takes rather than "no statement". */
    cli_error("'%s' is not a member id: on this node give the member id (m-xxxxxx; "
              "'coop audit report' lists it beside the client ref)", text);
    return NULL;
  }
  memcpy(out, row.member_id, LEDGER_MEMBER_ID_CHARS + 1);
  return out;
}

int cli_parse_log(const char *dir_option, const char *text, uint8_t key[32])
{
  if (ledger_hex_decode(text, key, 32) == COOP_OK)
    return 0;
  /* A name: a peer of node.conf, or this node's own. */
  node opened;
  if (cli_open_node(dir_option, &opened))
    return -1;
  int found = !strcmp(text, opened.name);
  if (found)
    memcpy(key, opened.identity.public_key, 32);
  for (size_t i = 0; !found && i < opened.peer_count; i++)
    if (!strcmp(text, opened.peers[i].name)) {
      memcpy(key, opened.peers[i].key, 32);
      found = 1;
    }
  node_close(&opened);
  if (!found)
    cli_error("--log '%s' is neither a node key (64 hex digits) nor the name of a peer in "
              "node.conf (see 'coop peer list')", text);
  return found ? 0 : -1;
}
