/* Importing records from a spreadsheet export (CSV), all or nothing
 * (import.h).
 *
 * Two passes over the file.  The first reads and checks every row on its own
 * (CSV syntax, type, member, amount, date, closed month, ref, note) and
 * reports every bad row with its line number; nothing is written when one is
 * bad.  It keeps only each row's line and ref (refs must be unique in the
 * file).  The second reads the rows again and hands them, a few thousand at
 * a time, to node_record_stream: one transaction that checks what only the
 * books can (the development budget, a ref that already holds something
 * else) and records all of it or nothing.  So the parsed rows are never all
 * in memory: at 1,000,000 rows that was 100 MiB beside the file.
 *
 * The CSV reader is our own (about 150 lines, RFC 4180): Debian's libcsv is
 * callback-driven and knows no line numbers, which are the point of the error
 * messages here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/sha256.h"
#include "ledger/base/buffer.h"
#include "ledger/books/money.h"
#include "ledger/log/entry.h"
#include "node/books.h"
#include "node/import.h"

/* A year of a large coop is some 100,000 records; the bound leaves room for
 * twenty of those in one file while keeping the file, each row's line and
 * ref (up to 80 bytes a row) within a laptop's memory. */
#define IMPORT_ROWS_MAX NODE_IMPORT_ROWS_MAX
/* Rows handed to node_record_stream at a time (their fields stay in the
 * reader's scratch until the next chunk). */
#define IMPORT_CHUNK_ROWS 4096u
/* More fields than any header can have: the known columns are 7. */
#define CSV_FIELDS_MAX 16u
/* "import-" + 12 hex + "-" + line (at most 10 digits) + NUL. */
#define IMPORT_GENERATED_REF_BYTES 32u
/* First bytes of the file's SHA-256 in generated refs, as hex. */
#define IMPORT_HASH_HEX_CHARS 12u

_Static_assert(IMPORT_GENERATED_REF_BYTES <= LEDGER_REF_BYTES_MAX,
               "generated refs must be valid refs");
_Static_assert(IMPORT_ROWS_MAX <= UINT32_MAX / 4, "row indexes fit the ref table");

/* ---- reading CSV ----------------------------------------------------------- */

typedef struct csv_reader {
  const char *text;
  size_t length;
  size_t position;
  unsigned long line; /* line of `position`, from 1 */
  char separator;
  char *out; /* unquoted field text, each NUL-terminated; length + 2 bytes */
  size_t out_used;
} csv_reader;

typedef struct csv_row {
  unsigned long line; /* where the row starts */
  size_t count;       /* fields found (may pass CSV_FIELDS_MAX) */
  char *fields[CSV_FIELDS_MAX]; /* in the reader's `out` */
  const char *error; /* NULL, or what is wrong with the row's syntax */
} csv_row;

static int at_line_end(const csv_reader *reader)
{
  const char *text = reader->text + reader->position;
  size_t left = reader->length - reader->position;
  return left == 0 || text[0] == '\n' || (left > 1 && text[0] == '\r' && text[1] == '\n');
}

/* One quoted field, the opening quote at `position`.  Doubled quotes are one
 * quote; CRLF inside the field becomes LF (spreadsheets differ here).  Reads
 * locals, as csv_unquoted does. */
static const char *csv_quoted(csv_reader *reader)
{
  const char *text = reader->text, *error = NULL;
  size_t at = reader->position + 1, end = reader->length;
  char *out = reader->out + reader->out_used;
  unsigned long line = reader->line;
  for (;; at++) {
    if (at >= end) {
      error = "unterminated quoted field (a quote opened here is never closed)";
      break;
    }
    char byte = text[at];
    if (byte == '"') {
      if (at + 1 < end && text[at + 1] == '"') {
        *out++ = '"';
        at++;
        continue;
      }
      at++; /* past the closing quote */
      break;
    }
    if (byte == 0) {
      error = "NUL byte in the file (is it really CSV text?)";
      break;
    }
    if (byte == '\r' && at + 1 < end && text[at + 1] == '\n')
      at++, byte = '\n';
    if (byte == '\n')
      line++;
    *out++ = byte;
  }
  reader->position = at;
  reader->out_used = (size_t)(out - reader->out);
  reader->line = line;
  if (!error && !at_line_end(reader) && text[at] != reader->separator)
    error = "text after a closing quote (double a quote inside a quoted field)";
  return error;
}

/* Reads locals, not the reader: a store through `out` (a char pointer) may
 * alias anything, so the reader's fields were loaded again for every byte. */
static const char *csv_unquoted(csv_reader *reader)
{
  const char *text = reader->text;
  size_t at = reader->position, end = reader->length;
  char *out = reader->out + reader->out_used, separator = reader->separator;
  const char *error = NULL;
  for (; at < end; at++) {
    char byte = text[at];
    if (byte == '\n' || (byte == '\r' && at + 1 < end && text[at + 1] == '\n'))
      break; /* the line's end */
    if (byte == separator)
      break;
    if (byte == '"')
      error = "quote inside an unquoted field (quote the whole field and double the quote)";
    else if (byte == '\r')
      error = "carriage return without a newline";
    else if (byte == 0)
      error = "NUL byte in the file (is it really CSV text?)";
    if (error)
      break;
    *out++ = byte;
  }
  reader->out_used = (size_t)(out - reader->out);
  reader->position = at;
  return error;
}

/* Skips the rest of a physical line after a syntax error. */
static void csv_skip_line(csv_reader *reader)
{
  while (reader->position < reader->length && reader->text[reader->position] != '\n')
    reader->position++;
}

/* Reads the next row.  Returns 0 at the end of the input, else 1 with the row
 * (row->error says what is wrong with its syntax, if anything).  Lines end in
 * LF or CRLF; the last one may lack it. */
static int csv_next(csv_reader *reader, csv_row *row)
{
  memset(row, 0, sizeof *row);
  if (reader->position >= reader->length)
    return 0;
  row->line = reader->line;
  for (;;) {
    char *field = reader->out + reader->out_used;
    const char *error = reader->position < reader->length && reader->text[reader->position] == '"'
                            ? csv_quoted(reader)
                            : csv_unquoted(reader);
    reader->out[reader->out_used++] = 0;
    if (row->count < CSV_FIELDS_MAX)
      row->fields[row->count] = field;
    row->count++;
    if (error) {
      row->error = error;
      csv_skip_line(reader);
    } else if (!at_line_end(reader)) {
      reader->position++; /* the separator: another field follows */
      continue;
    }
    if (reader->position < reader->length)
      reader->position += reader->text[reader->position] == '\r' ? 2 : 1;
    reader->line++;
    return 1;
  }
}

/* A row of empty (or all-space) fields, as spreadsheets write for empty rows. */
static int csv_row_blank(const csv_row *row)
{
  for (size_t i = 0; i < row->count && i < CSV_FIELDS_MAX; i++)
    if (row->fields[i][strspn(row->fields[i], " \t")])
      return 0;
  return !row->error;
}

/* ---- columns --------------------------------------------------------------- */

enum column { COLUMN_TYPE, COLUMN_MEMBER, COLUMN_AMOUNT, COLUMN_HOURS, COLUMN_DATE, COLUMN_REF,
              COLUMN_NOTE, COLUMN_COUNT };

static const char *const column_names[COLUMN_COUNT] = {"type", "member", "amount", "hours",
                                                       "date", "ref", "note"};

/* ---- the import -------------------------------------------------------------- */

/* A row's ref in the table of refs seen (row + 1; 0 is an empty slot),
 * with its hash beside it. */
typedef struct ref_slot {
  uint32_t row;
  uint32_t hash;
} ref_slot;

typedef struct import_state {
  const char *name; /* for messages: the path, or <stdin> */
  node *node;
  node_import_say say; /* every error line goes here */
  void *context;
  node_import_result *result;
  int columns[COLUMN_COUNT]; /* field index of each column, -1 when absent */
  size_t field_count;
  char hash_hex[IMPORT_HASH_HEX_CHARS + 1];
  size_t errors;
  /* the good rows of pass one: line and ref (offset into `refs`), each */
  unsigned long *lines;
  uint32_t *ref_offsets;
  size_t count, capacity;
  coop_buf refs; /* every good row's ref, given or generated, NUL-terminated */
  /* pass two */
  csv_reader reader;
  node_record_request requests[IMPORT_CHUNK_ROWS];
  size_t recorded; /* rows handed over so far */
  /* members and the months of the books, looked up once */
  char (*members)[LEDGER_MEMBER_ID_CHARS + 1];
  size_t member_count, member_capacity;
  node_months months;
  int future; /* --future: rows may be dated after the current month */
  /* refs seen in the file: row index + 1 per slot, open addressing */
  ref_slot *ref_slots;
  size_t ref_slot_count; /* a power of two */
} import_state;

static void row_error(import_state *state, unsigned long line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void row_error(import_state *state, unsigned long line, const char *format, ...)
{
  char text[NODE_MESSAGE_BYTES], whole[NODE_MESSAGE_BYTES + 64];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  snprintf(whole, sizeof whole, "%s:%lu: %s", state->name, line, text);
  state->say(state->context, line, whole);
  state->errors++;
}

/* A message about the whole file (line 0). */
static void file_error(import_state *state, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void file_error(import_state *state, const char *format, ...)
{
  char text[NODE_MESSAGE_BYTES + 64];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  state->say(state->context, 0, text);
}

/* User text quoted in a message: at most 40 bytes; control characters, and
 * every byte past ASCII when the text is not valid UTF-8, shown as '?', so a
 * binary file cannot garble the terminal. */
#define SHOWN_BYTES 48u
static const char *shown(const char *text, char out[SHOWN_BYTES])
{
  size_t length = strlen(text);
  int utf8 = !length || ledger_note_check((const uint8_t *)text, length) == COOP_OK;
  size_t used = 0;
  for (size_t i = 0; i < length && used < 40; i++) {
    unsigned char byte = (unsigned char)text[i];
    out[used++] = byte < 0x20 || byte == 0x7f || (byte >= 0x80 && !utf8) ? '?' : (char)byte;
  }
  /* Never end inside a UTF-8 sequence. */
  if (used < length && utf8)
    while (used > 0 && ((unsigned char)text[used] & 0xC0) == 0x80)
      used--;
  if (used < length)
    memcpy(out + used, "...", 3), used += 3;
  out[used] = 0;
  return out;
}

static void trim_spaces(char *text)
{
  size_t length = strlen(text), start = 0;
  while (start < length && (text[start] == ' ' || text[start] == '\t'))
    start++;
  while (length > start && (text[length - 1] == ' ' || text[length - 1] == '\t'))
    length--;
  memmove(text, text + start, length - start);
  text[length - start] = 0;
}

/* Maps the header's names (any case) to `count` columns called `names`:
 * columns[c] is the field index of column c, -1 when absent.  Every
 * problem is reported; `known` lists the names for the message. */
static void map_header(import_state *state, const csv_row *header, const char *const *names,
                       int count, int *columns, const char *known)
{
  for (int c = 0; c < count; c++)
    columns[c] = -1;
  if (header->error)
    row_error(state, header->line, "%s", header->error);
  if (header->count > CSV_FIELDS_MAX)
    row_error(state, header->line, "%zu columns in the header; at most %d are known",
              header->count, count);
  for (size_t i = 0; !header->error && i < header->count && i < CSV_FIELDS_MAX; i++) {
    char *name = header->fields[i];
    trim_spaces(name);
    int found = -1;
    char quoted[SHOWN_BYTES];
    for (int c = 0; c < count && found < 0; c++)
      if (!strcasecmp(name, names[c]))
        found = c;
    if (found < 0 && !name[0])
      row_error(state, header->line, "column %zu of the header has no name", i + 1);
    else if (found < 0)
      row_error(state, header->line, "unknown column '%s' (known: %s)", shown(name, quoted),
                known);
    else if (columns[found] >= 0)
      row_error(state, header->line, "column '%s' appears twice", names[found]);
    else
      columns[found] = (int)i;
  }
  state->field_count = header->count;
}

/* The records' header: known columns, and the required ones there. */
static int read_header(import_state *state, const csv_row *header)
{
  size_t errors = state->errors;
  map_header(state, header, column_names, COLUMN_COUNT, state->columns,
             "type, member, amount, hours, date, ref, note");
  if (state->errors == errors && state->columns[COLUMN_TYPE] < 0)
    row_error(state, header->line, "missing column 'type' (the first row must name the columns: "
              "type,member,amount,date,ref,note)");
  if (state->errors == errors && state->columns[COLUMN_DATE] < 0)
    row_error(state, header->line, "missing column 'date'");
  if (state->errors == errors && state->columns[COLUMN_AMOUNT] < 0 &&
      state->columns[COLUMN_HOURS] < 0)
    row_error(state, header->line, "missing column 'amount' (or 'hours')");
  return state->errors == errors ? 0 : -1;
}

static char *field(const import_state *state, const csv_row *row, int column)
{
  int index = state->columns[column];
  return index < 0 ? NULL : row->fields[index];
}

static int row_type(import_state *state, const csv_row *row, node_record_request *request)
{
  char *type = field(state, row, COLUMN_TYPE), quoted[SHOWN_BYTES];
  trim_spaces(type);
  request->type = (uint8_t)ledger_record_type_from_name(type);
  if (request->type && !ledger_record_by_hand(request->type)) {
    row_error(state, row->line, "type '%s' cannot be imported (%s)", type,
              request->type == LEDGER_RECORD_CORRECTION      ? "see 'coop correct'"
              : request->type == LEDGER_RECORD_PROFIT_SPLIT ? "it is made at month close"
                                                             : "it is made by 'coop member erase'");
    return -1;
  }
  if (!request->type) {
    row_error(state, row->line, type[0] ? "unknown record type '%s' (expected revenue, cost, "
              "allowance, spend, other-income, hours, remittance, coop-cost or opening)"
                                        : "missing type%s", shown(type, quoted));
    return -1;
  }
  return 0;
}

static int member_compare(const void *a, const void *b)
{
  return strcmp(a, b);
}

static int row_member(import_state *state, const csv_row *row, node_record_request *request)
{
  char *member = field(state, row, COLUMN_MEMBER);
  if (member)
    trim_spaces(member);
  const char *type = ledger_record_type_name(request->type);
  int wants_member = request->type != LEDGER_RECORD_COOP_COST &&
                     request->type != LEDGER_RECORD_OPENING;
  if (wants_member && (!member || !member[0])) {
    row_error(state, row->line, "a %s record needs a member", type);
    return -1;
  }
  if (!wants_member && member && member[0]) {
    row_error(state, row->line, "a %s record is the coop's own: leave member empty", type);
    return -1;
  }
  if (wants_member && (strlen(member) != LEDGER_MEMBER_ID_CHARS || !state->member_count ||
                       !bsearch(member, state->members, state->member_count,
                                sizeof state->members[0], member_compare))) {
    char quoted[SHOWN_BYTES];
    row_error(state, row->line, "unknown member '%s' (see 'coop member list')",
              shown(member, quoted));
    return -1;
  }
  request->member_id = wants_member ? member : NULL;
  return 0;
}

/* The amount, or for hours the hours (from either column). */
static int row_amount(import_state *state, const csv_row *row, node_record_request *request)
{
  char *amount = field(state, row, COLUMN_AMOUNT), *hours = field(state, row, COLUMN_HOURS);
  if (amount)
    trim_spaces(amount);
  if (hours)
    trim_spaces(hours);
  int is_hours = request->type == LEDGER_RECORD_HOURS;
  if (hours && hours[0] && !is_hours) {
    row_error(state, row->line, "only an hours record takes hours; a %s record takes an amount",
              ledger_record_type_name(request->type));
    return -1;
  }
  if (is_hours && hours && hours[0] && amount && amount[0]) {
    row_error(state, row->line, "an hours record takes hours or amount, not both");
    return -1;
  }
  const char *text = is_hours && hours && hours[0] ? hours : amount;
  const char *what = text == hours ? "hours" : "amount";
  if (!text || !text[0]) {
    row_error(state, row->line, "missing %s", is_hours ? "hours" : "amount");
    return -1;
  }
  /* "1.234,56": the money parser would say "more than two decimals". */
  char quoted[SHOWN_BYTES];
  if (strchr(text, '.') && strchr(text, ',')) {
    row_error(state, row->line, "%s '%s': no thousands separators, please (write 1234.56 or "
              "1234,56)", what, shown(text, quoted));
    return -1;
  }
  /* The parser quotes its input whole: only plain, short text goes to it. */
  if (strcmp(shown(text, quoted), text) || strspn(text, "0123456789.,+-eE") != strlen(text)) {
    row_error(state, row->line, "%s '%s': not an amount (expected e.g. 1234.56)", what, quoted);
    return -1;
  }
  char message[128];
  if (ledger_money_parse(text, LEDGER_MONEY_POSITIVE_ONLY, &request->amount, message,
                         sizeof message)) {
    row_error(state, row->line, "%s %s", what, message);
    return -1;
  }
  char limit[NODE_MESSAGE_BYTES];
  if (node_amount_check(request->type, request->amount, limit)) {
    row_error(state, row->line, "%s", limit);
    return -1;
  }
  return 0;
}

static int row_date(import_state *state, const csv_row *row, node_record_request *request,
                    const char *ref)
{
  char *date = field(state, row, COLUMN_DATE), quoted[SHOWN_BYTES];
  trim_spaces(date);
  if (ledger_date_parse(date, &request->date)) {
    row_error(state, row->line, date[0] ? "invalid date '%s' (expected YYYY-MM-DD, a real "
              "calendar day)" : "missing date%s", shown(date, quoted));
    return -1;
  }
  request->future = state->future;
  char message[NODE_MESSAGE_BYTES];
  if (!node_date_check(&state->months, request->date, request->future, message))
    return 0;
  /* A row already recorded under its ref answers 'already there' even in a
   * month closed since: importing a file twice stays harmless. */
  ledger_record existing;
  uint64_t index = 0;
  if (ledger_books_record_by_ref(state->node->store, ref, &existing, &index) == COOP_OK)
    return 0;
  row_error(state, row->line, "%s", message);
  return -1;
}

static int text_ok(const char *text, int allow_newlines)
{
  if (!text[0])
    return 1;
  if (ledger_note_check((const uint8_t *)text, strlen(text)))
    return 0;
  return allow_newlines || !strpbrk(text, "\n\t");
}

static const char *row_ref(const import_state *state, size_t row)
{
  return (const char *)state->refs.data + state->ref_offsets[row];
}

static uint32_t ref_hash(const char *ref)
{
  uint32_t hash = 2166136261u; /* FNV-1a */
  for (; *ref; ref++)
    hash = (hash ^ (uint8_t)*ref) * 16777619u;
  return hash;
}

/* Remembers the ref of row `row`; reports it when an earlier row has it. */
static int ref_unique(import_state *state, size_t row, unsigned long line)
{
  const char *ref = row_ref(state, row);
  size_t mask = state->ref_slot_count - 1;
  uint32_t hash = ref_hash(ref);
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint32_t other = state->ref_slots[slot].row;
    if (!other) {
      state->ref_slots[slot] = (ref_slot){.row = (uint32_t)row + 1, .hash = hash};
      return 0;
    }
    /* The hash first: comparing the text means a cache miss into another
     * row, for each of the ~1.5 slots a probe passes at half load. */
    if (state->ref_slots[slot].hash == hash && !strcmp(row_ref(state, other - 1), ref)) {
      char quoted[SHOWN_BYTES];
      row_error(state, line, "ref '%s' is also on line %lu", shown(ref, quoted),
                state->lines[other - 1]);
      return -1;
    }
  }
}

/* The ref and note; a row without a ref gets a generated one, written into
 * `generated` (the request's ref points at it or at the row's field). */
static int row_ref_note(import_state *state, const csv_row *row, node_record_request *request,
                        char generated[IMPORT_GENERATED_REF_BYTES])
{
  char *ref = field(state, row, COLUMN_REF), *note = field(state, row, COLUMN_NOTE);
  if (ref && ref[0]) {
    if (strlen(ref) > LEDGER_REF_BYTES_MAX || !text_ok(ref, 0)) {
      char quoted[SHOWN_BYTES];
      row_error(state, row->line, "invalid ref '%s': use 1 to %u bytes of printable UTF-8 "
                "on one line", shown(ref, quoted), LEDGER_REF_BYTES_MAX);
      return -1;
    }
    request->ref = ref;
  } else {
    snprintf(generated, IMPORT_GENERATED_REF_BYTES, "import-%s-%lu", state->hash_hex, row->line);
    request->ref = generated;
  }
  if (note && (strlen(note) > LEDGER_RECORD_NOTE_BYTES_MAX || !text_ok(note, 1))) {
    row_error(state, row->line, "invalid note: use at most %u bytes of UTF-8 without control "
              "characters (newlines and tabs are fine)", LEDGER_RECORD_NOTE_BYTES_MAX);
    return -1;
  }
  request->note = note && note[0] ? note : NULL;
  return 0;
}

static int grow_rows(import_state *state)
{
  if (state->count < state->capacity)
    return 0;
  size_t capacity = state->capacity ? state->capacity * 2 : 1024;
  if (capacity > IMPORT_ROWS_MAX)
    capacity = IMPORT_ROWS_MAX;
  unsigned long *lines = coop_realloc(state->lines, capacity * sizeof *lines);
  if (lines)
    state->lines = lines;
  uint32_t *ref_offsets = coop_realloc(state->ref_offsets, capacity * sizeof *ref_offsets);
  if (ref_offsets)
    state->ref_offsets = ref_offsets;
  if (!lines || !ref_offsets)
    return -1;
  state->capacity = capacity;
  return 0;
}

/* Checks one data row (both passes) and fills its request, which points
 * into the row's fields and `generated`. */
static int check_row(import_state *state, const csv_row *row, node_record_request *request,
                     char generated[IMPORT_GENERATED_REF_BYTES])
{
  if (row->error) {
    row_error(state, row->line, "%s", row->error);
    return -1;
  }
  if (row->count != state->field_count) {
    row_error(state, row->line, "%zu fields, but the header has %zu", row->count,
              state->field_count);
    return -1;
  }
  *request = (node_record_request){0};
  if (row_type(state, row, request) || row_member(state, row, request) ||
      row_amount(state, row, request) || row_ref_note(state, row, request, generated))
    return -1;
  return row_date(state, row, request, request->ref);
}

/* Pass one: checks a data row and, when good, keeps its line and ref. */
static void read_row(import_state *state, const csv_row *row)
{
  node_record_request request;
  char generated[IMPORT_GENERATED_REF_BYTES];
  if (check_row(state, row, &request, generated))
    return;
  size_t slot = state->count;
  state->lines[slot] = row->line;
  state->ref_offsets[slot] = (uint32_t)state->refs.len;
  if (coop_buf_append(&state->refs, request.ref, strlen(request.ref) + 1)) {
    row_error(state, row->line, "out of memory");
    return;
  }
  if (ref_unique(state, slot, row->line))
    return;
  state->count++;
}

static coop_err collect_member(void *context, const ledger_member_row *row)
{
  import_state *state = context;
  if (state->member_count == state->member_capacity) {
    size_t capacity = state->member_capacity ? 2 * state->member_capacity : 256;
    void *members = coop_realloc(state->members, capacity * sizeof state->members[0]);
    if (!members)
      return COOP_E_NOMEM;
    state->members = members;
    state->member_capacity = capacity;
  }
  memcpy(state->members[state->member_count++], row->member_id, LEDGER_MEMBER_ID_CHARS + 1);
  return COOP_OK;
}

/* Room for one ref per line: rows never outnumber lines. */
static int ref_table(import_state *state, const coop_buf *file)
{
  size_t lines = 1;
  for (const unsigned char *newline = file->data;
       (newline = memchr(newline, '\n', file->len - (size_t)(newline - file->data)));
       newline++)
    lines++;
  if (lines > IMPORT_ROWS_MAX + 1)
    lines = IMPORT_ROWS_MAX + 1;
  state->ref_slot_count = 1024;
  while (state->ref_slot_count < 2 * lines)
    state->ref_slot_count *= 2;
  state->ref_slots = coop_calloc(state->ref_slot_count, sizeof *state->ref_slots);
  return state->ref_slots ? 0 : -1;
}

static int prepare(import_state *state, const coop_buf *file)
{
  uint8_t hash[COOP_SHA256_BYTES];
  coop_sha256(hash, file->data, file->len);
  for (unsigned i = 0; i < IMPORT_HASH_HEX_CHARS / 2; i++)
    snprintf(state->hash_hex + 2 * i, 3, "%02x", hash[i]);
  coop_err err = ledger_books_members(state->node->store, collect_member, state);
  if (err) {
    file_error(state, "cannot read members: %s", coop_err_message(err));
    return -1;
  }
  char message[NODE_MESSAGE_BYTES];
  if (node_months_read(state->node, &state->months, message)) {
    file_error(state, "%s", message);
    return -1;
  }
  /* qsort's base must not be NULL, even for no elements. */
  if (state->member_count)
    qsort(state->members, state->member_count, sizeof state->members[0], member_compare);
  if (ref_table(state, file)) {
    file_error(state, "out of memory");
    return -1;
  }
  return 0;
}

/* The separator is whichever of ',' and ';' comes first in the header line. */
static char detect_separator(const coop_buf *file, size_t start)
{
  for (size_t i = start; i < file->len && file->data[i] != '\n'; i++)
    if (file->data[i] == ',' || file->data[i] == ';')
      return (char)file->data[i];
  return ',';
}

/* A reader at the file's header row (a UTF-8 byte order mark skipped);
 * -1 when the file is empty (reported, naming the columns it wants). */
static int open_reader(import_state *state, const coop_buf *file, char *scratch,
                       const char *columns, csv_reader *reader, csv_row *header)
{
  size_t start = file->len >= 3 && !memcmp(file->data, "\xef\xbb\xbf", 3) ? 3 : 0;
  *reader = (csv_reader){.text = (const char *)file->data + start, .length = file->len - start,
                         .line = 1, .separator = detect_separator(file, start), .out = scratch};
  if (csv_next(reader, header))
    return 0;
  file_error(state, "%s: empty file: the first row must name the columns (%s)", state->name,
             columns);
  return -1;
}

/* The next data row (blank rows skipped): 1, or 0 at the end, or -1 past
 * the bound on rows (reported).  `good`: the rows taken so far. */
static int next_data_row(import_state *state, csv_reader *reader, csv_row *row, size_t good)
{
  while (csv_next(reader, row)) {
    if (csv_row_blank(row))
      continue;
    if (good + state->errors >= IMPORT_ROWS_MAX) {
      row_error(state, row->line, "more than %u rows: split the file", IMPORT_ROWS_MAX);
      return -1;
    }
    return 1;
  }
  return 0;
}

/* Pass one: every row checked; the requests of the good ones collected. */
static int read_rows(import_state *state, const coop_buf *file, char *scratch)
{
  csv_reader reader;
  csv_row row;
  if (open_reader(state, file, scratch, "type,member,amount,date,ref,note", &reader, &row) ||
      read_header(state, &row))
    return -1;
  int more;
  while ((more = next_data_row(state, &reader, &row, state->count)) > 0) {
    if (grow_rows(state)) {
      file_error(state, "out of memory after %zu rows", state->count);
      return -1;
    }
    read_row(state, &row);
    reader.out_used = 0; /* nothing of the row is kept in the scratch */
  }
  return more;
}

/* Pass two's source: the next rows read again, their requests with the refs
 * kept in pass one.  They passed its checks: a row failing now means the
 * file or the books changed in between. */
static coop_err next_requests(void *context, const node_record_request **requests, size_t *count,
                              char message[NODE_MESSAGE_BYTES])
{
  import_state *state = context;
  size_t taken = 0, errors = state->errors;
  csv_row row;
  state->reader.out_used = 0; /* the previous chunk is recorded */
  while (taken < IMPORT_CHUNK_ROWS && state->recorded + taken < state->count &&
         next_data_row(state, &state->reader, &row, state->recorded + taken) > 0) {
    char generated[IMPORT_GENERATED_REF_BYTES];
    node_record_request *request = &state->requests[taken];
    if (check_row(state, &row, request, generated) ||
        state->lines[state->recorded + taken] != row.line)
      break;
    request->ref = row_ref(state, state->recorded + taken);
    taken++;
  }
  if (state->errors != errors || (taken < IMPORT_CHUNK_ROWS &&
                                  state->recorded + taken < state->count)) {
    snprintf(message, NODE_MESSAGE_BYTES, "the rows read differently the second time (did the "
             "file change during the import?)");
    return COOP_E_BAD_INPUT;
  }
  *requests = state->requests;
  *count = taken;
  state->recorded += taken;
  return COOP_OK;
}

/* Which node errors are about one row (and so name its line). */
static int error_is_about_a_row(coop_err err)
{
  return err == COOP_E_BAD_INPUT || err == COOP_E_NOT_FOUND || err == COOP_E_RANGE ||
         err == COOP_E_EXISTS_DIFFERENT || err == COOP_E_PERIOD_CLOSED ||
         err == COOP_E_UNBALANCED || err == COOP_E_UNKNOWN_ACCOUNT || err == COOP_E_OVERFLOW;
}

/* Pass two: the rows again, all in one transaction. */
static coop_err record_rows(import_state *state, const coop_buf *file, char *scratch)
{
  csv_row header;
  if (open_reader(state, file, scratch, "type,member,amount,date,ref,note", &state->reader,
                  &header))
    return COOP_E_BAD_INPUT;
  size_t recorded = 0, existed = 0, failed_at = SIZE_MAX;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_record_stream(state->node, next_requests, state, &recorded, &existed,
                                    &failed_at, message);
  if (err) {
    if (error_is_about_a_row(err) && failed_at < state->count)
      file_error(state, "%s:%lu: %s", state->name, state->lines[failed_at], message);
    else
      file_error(state, "%s", message);
    file_error(state, "%s: nothing imported", state->name);
    return err;
  }
  state->result->imported = recorded;
  state->result->existed = existed;
  return COOP_OK;
}

static coop_err import_file(import_state *state, const coop_buf *file)
{
  coop_err status = COOP_E_BAD_INPUT;
  /* Room for the longest row or chunk; only the pages used become memory. */
  char *scratch = coop_malloc(file->len + 2);
  if (!scratch) {
    file_error(state, "out of memory");
    return COOP_E_NOMEM;
  }
  coop_buf_init(&state->refs, (size_t)IMPORT_ROWS_MAX * (LEDGER_REF_BYTES_MAX + 1));
  if (!prepare(state, file) && !read_rows(state, file, scratch)) {
    if (state->errors)
      file_error(state, "%s: %zu bad row%s; nothing imported", state->name, state->errors,
                state->errors == 1 ? "" : "s");
    else
      status = record_rows(state, file, scratch);
  } else if (state->errors) {
    file_error(state, "%s: nothing imported", state->name);
  }
  coop_buf_release(&state->refs);
  coop_free(state->ref_slots);
  coop_free(state->members);
  coop_free(state->lines);
  coop_free(state->ref_offsets);
  coop_free(scratch);
  return status;
}

coop_err node_import_csv(node *self, const char *name, const coop_buf *file, bool future,
                         node_import_say say, void *context, node_import_result *result)
{
  *result = (node_import_result){0};
  /* The state holds a chunk of requests: on the heap, not the stack. */
  import_state *state = coop_calloc(1, sizeof *state);
  if (!state) {
    say(context, 0, "out of memory");
    return COOP_E_NOMEM;
  }
  *state = (import_state){.name = name, .node = self, .say = say, .context = context,
                          .result = result, .future = future};
  coop_err err = import_file(state, file);
  result->bad_rows = state->errors;
  coop_free(state);
  return err;
}

/* ---- members ---------------------------------------------------------------- */

/* Batch enrolment from a CSV: the same reader and messages as the records,
 * each row checked here for what the file alone says (columns, municipality,
 * birth month, status words), then every member enrolled by one
 * node_member_add_many: one transaction, the checks of 'coop member add'. */

enum member_column { MEMBER_NAME, MEMBER_CLIENT_REF, MEMBER_MUNICIPALITY, MEMBER_BIRTH,
                     MEMBER_STATUS, MEMBER_COLUMN_COUNT };

static const char *const member_column_names[MEMBER_COLUMN_COUNT] = {
    "name", "client_ref", "municipality", "birth", "status"};

#define MEMBER_COLUMNS_TEXT "name,client_ref,municipality,birth,status"

typedef struct members_import {
  import_state base; /* name, node, say, errors: the messages */
  int columns[MEMBER_COLUMN_COUNT];
  node_member_enrolment *enrolments;
  unsigned long *lines;
  size_t count, capacity;
  uint32_t this_month;
} members_import;

static char *member_field(members_import *import, const csv_row *row, int column)
{
  int index = import->columns[column];
  if (index < 0)
    return NULL;
  trim_spaces(row->fields[index]);
  return row->fields[index];
}

static int read_member_header(members_import *import, const csv_row *header)
{
  import_state *state = &import->base;
  size_t errors = state->errors;
  map_header(state, header, member_column_names, MEMBER_COLUMN_COUNT, import->columns,
             "name, client_ref, municipality, birth, status");
  for (int c = MEMBER_NAME; c <= MEMBER_MUNICIPALITY && state->errors == errors; c++)
    if (import->columns[c] < 0)
      row_error(state, header->line, "missing column '%s' (the first row must name the columns: "
                MEMBER_COLUMNS_TEXT ")", member_column_names[c]);
  return state->errors == errors ? 0 : -1;
}

/* The status words: "n-approved", "medical-limit", "single-parent",
 * separated by spaces or '+'; each holds from the enrolment month. */
static int member_status(members_import *import, const csv_row *row, char *text,
                         node_member_enrolment *enrolment)
{
  for (char *word = text; *word;) {
    size_t length = strcspn(word, " +");
    char saved = word[length], quoted[SHOWN_BYTES];
    word[length] = 0;
    int field = ledger_member_field_from_name(word);
    int known = field == LEDGER_MEMBER_N_APPROVED || field == LEDGER_MEMBER_MEDICAL_LIMIT ||
                field == LEDGER_MEMBER_SINGLE_PARENT;
    for (size_t i = 0; known && i < enrolment->field_count; i++)
      if (enrolment->fields[i] == field) {
        row_error(&import->base, row->line, "status '%s' given twice", word);
        return -1;
      }
    if (length && !known) {
      row_error(&import->base, row->line, "unknown status '%s' (known: n-approved, "
                "medical-limit, single-parent; separate them with spaces or '+')",
                shown(word, quoted));
      return -1;
    }
    if (length)
      enrolment->fields[enrolment->field_count++] = (uint8_t)field;
    word[length] = saved;
    word += length + (saved != 0);
  }
  return 0;
}

/* Checks one data row and, when good, adds its enrolment. */
static void read_member_row(members_import *import, const csv_row *row)
{
  import_state *state = &import->base;
  if (row->error || row->count != state->field_count) {
    if (row->error)
      row_error(state, row->line, "%s", row->error);
    else
      row_error(state, row->line, "%zu fields, but the header has %zu", row->count,
                state->field_count);
    return;
  }
  node_member_enrolment enrolment = {.request = {.from_period = import->this_month}};
  node_member_request *request = &enrolment.request;
  request->name = member_field(import, row, MEMBER_NAME);
  request->client_ref = member_field(import, row, MEMBER_CLIENT_REF);
  const char *municipality = member_field(import, row, MEMBER_MUNICIPALITY);
  char *birth = member_field(import, row, MEMBER_BIRTH);
  char *status = member_field(import, row, MEMBER_STATUS), message[NODE_MESSAGE_BYTES];
  char quoted[SHOWN_BYTES];
  if (!request->name[0] || !request->client_ref[0] || !municipality[0]) {
    row_error(state, row->line, "missing %s", !request->name[0] ? "name"
                                              : !request->client_ref[0] ? "client_ref"
                                                                        : "municipality");
    return;
  }
  if (node_municipality_key(state->node, municipality, request->municipality, message)) {
    row_error(state, row->line, "%s", message);
    return;
  }
  if (birth && birth[0] && ledger_period_parse(birth, &request->birth_period)) {
    row_error(state, row->line, "birth '%s' is not a month (expected YYYY-MM)",
              shown(birth, quoted));
    return;
  }
  if (request->birth_period > request->from_period)
    request->from_period = request->birth_period;
  if (status && member_status(import, row, status, &enrolment))
    return;
  import->enrolments[import->count] = enrolment;
  import->lines[import->count++] = row->line;
}

static int grow_members(members_import *import)
{
  if (import->count < import->capacity)
    return 0;
  size_t capacity = import->capacity ? 2 * import->capacity : 256;
  node_member_enrolment *enrolments =
      coop_realloc(import->enrolments, capacity * sizeof *enrolments);
  if (enrolments)
    import->enrolments = enrolments;
  unsigned long *lines = coop_realloc(import->lines, capacity * sizeof *lines);
  if (lines)
    import->lines = lines;
  if (!enrolments || !lines)
    return -1;
  import->capacity = capacity;
  return 0;
}

static int read_member_rows(members_import *import, const coop_buf *file, char *scratch)
{
  import_state *state = &import->base;
  csv_reader reader;
  csv_row row;
  if (open_reader(state, file, scratch, MEMBER_COLUMNS_TEXT, &reader, &row) ||
      read_member_header(import, &row))
    return -1;
  int more;
  while ((more = next_data_row(state, &reader, &row, import->count)) > 0) {
    if (grow_members(import)) {
      file_error(state, "out of memory after %zu rows", import->count);
      return -1;
    }
    read_member_row(import, &row);
  }
  return more;
}

static void say_refused(void *context, size_t index, const char *message)
{
  members_import *import = context;
  row_error(&import->base, import->lines[index], "%s", message);
}

/* Pass two: every member in one transaction. */
static coop_err enrol_rows(members_import *import, node_import_enrolled enrolled,
                           void *enrolled_context)
{
  import_state *state = &import->base;
  char (*ids)[LEDGER_MEMBER_ID_CHARS + 1] = coop_calloc(import->count ? import->count : 1,
                                                         sizeof *ids);
  if (!ids) {
    file_error(state, "out of memory");
    return COOP_E_NOMEM;
  }
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_add_many(state->node, import->enrolments, import->count, ids,
                                      say_refused, import, message);
  if (err && !state->errors)
    file_error(state, "%s", message); /* not about one row */
  if (err)
    file_error(state, "%s: nothing enrolled", state->name);
  for (size_t i = 0; !err && i < import->count; i++)
    enrolled(enrolled_context, ids[i], &import->enrolments[i].request);
  coop_free(ids);
  return err;
}

coop_err node_import_members_csv(node *self, const char *name, const coop_buf *file,
                                 node_import_say say, void *context,
                                 node_import_enrolled enrolled, void *enrolled_context,
                                 size_t *bad_rows)
{
  members_import import = {.base = {.name = name, .node = self, .say = say, .context = context},
                           .this_month = node_today() / 100};
  coop_err status = COOP_E_BAD_INPUT;
  char *scratch = coop_malloc(file->len + 2);
  if (!scratch) {
    file_error(&import.base, "out of memory");
    return COOP_E_NOMEM;
  }
  if (!read_member_rows(&import, file, scratch)) {
    if (import.base.errors)
      file_error(&import.base, "%s: %zu bad row%s; nothing enrolled", name, import.base.errors,
                 import.base.errors == 1 ? "" : "s");
    else
      status = enrol_rows(&import, enrolled, enrolled_context);
  } else if (import.base.errors) {
    file_error(&import.base, "%s: nothing enrolled", name);
  }
  *bad_rows = import.base.errors;
  coop_free(import.enrolments);
  coop_free(import.lines);
  coop_free(scratch);
  return status;
}
