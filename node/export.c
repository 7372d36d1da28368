/* The books exported as a plain-text accounting journal (hledger, ledger)
 * or as CSV, one row per posting, for accountants' own tools.
 *
 * The journal is the subset both hledger 1.25 and ledger 3.3 read in their
 * strictest modes (hledger check -s, ledger --pedantic): every account, the
 * commodity and every tag declared; one transaction per record entry, tagged
 * with its entry index so any line can be traced to a signed log entry; dates
 * YYYY-MM-DD; amounts printed from integer cents as "1234.56 EUR".  Memo
 * records (hours, other income) move no money and have no postings: they are
 * comment lines in journals and left out of the CSV.  (export.h) */
#include <stdio.h>
#include <string.h>

#include "ledger/books/money.h"
#include "node/books.h"
#include "node/export.h"

void node_csv_field(FILE *out, const char *text)
{
  if (!strpbrk(text, ",\"\n\r")) {
    fputs(text, out);
    return;
  }
  fputc('"', out);
  for (; *text; text++) {
    if (*text == '"')
      fputc('"', out);
    fputc(*text, out);
  }
  fputc('"', out);
}


/* One record entry being gathered from the register's rows. */
typedef struct export_transaction {
  int active;
  uint64_t entry_index;
  uint32_t date;
  uint8_t type;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  char ref[LEDGER_REF_BYTES_MAX + 1];
  char note[LEDGER_RECORD_NOTE_BYTES_MAX + 1];
  size_t posting_count;
  char accounts[LEDGER_POSTINGS_MAX][LEDGER_ACCOUNT_NAME_BYTES];
  int64_t amounts[LEDGER_POSTINGS_MAX];
} export_transaction;

typedef struct exporter {
  int format; /* node_export_format */
  FILE *out;
  node *node;
  export_transaction pending;
} exporter;

/* Text on one journal line: control characters become spaces, and for a
 * description ';' (which would start a comment) becomes ','. */
static void put_line_text(FILE *out, const char *text, int description)
{
  for (; *text; text++) {
    unsigned char byte = (unsigned char)*text;
    if (byte < 0x20 || byte == 0x7f)
      byte = ' ';
    else if (description && byte == ';')
      byte = ',';
    fputc(byte, out);
  }
}

/* The corrected entry and its type, for a correction. */
static coop_err correction_of(exporter *self, uint64_t index, uint64_t *corrects, uint8_t *type)
{
  ledger_record record;
  uint64_t corrected_by = 0;
  coop_err err = ledger_books_record_at(self->node->store, index, &record, &corrected_by);
  if (err)
    return err;
  *corrects = record.corrects - 1;
  *type = record.memo_type;
  return COOP_OK;
}

static void put_tag(FILE *out, const char *name, const char *value)
{
  if (!value[0])
    return;
  fprintf(out, "    ; %s: ", name);
  put_line_text(out, value, 0);
  fputc('\n', out);
}

static void flush_journal(exporter *self, const export_transaction *transaction,
                          uint64_t corrects)
{
  FILE *out = self->out;
  char date[11], amount[LEDGER_MONEY_TEXT_BYTES], entry[24], corrected[24];
  ledger_date_format(transaction->date, date);
  fprintf(out, "%s %s", date, ledger_record_type_name(transaction->type));
  if (transaction->member_id[0])
    fprintf(out, " %s", transaction->member_id);
  if (transaction->note[0]) {
    fputs(" | ", out);
    put_line_text(out, transaction->note, 1);
  }
  fputc('\n', out);
  snprintf(entry, sizeof entry, "%llu", (unsigned long long)transaction->entry_index);
  snprintf(corrected, sizeof corrected, "%llu", (unsigned long long)corrects);
  put_tag(out, "entry", entry);
  put_tag(out, "type", ledger_record_type_name(transaction->type));
  put_tag(out, "member", transaction->member_id);
  put_tag(out, "ref", transaction->ref);
  if (transaction->type == LEDGER_RECORD_CORRECTION)
    put_tag(out, "corrects", corrected);
  for (size_t i = 0; i < transaction->posting_count; i++) {
    ledger_money_format(transaction->amounts[i], amount);
    /* Two spaces at least end an account name in both tools. */
    fprintf(out, "    %-48s  %16s EUR\n", transaction->accounts[i], amount);
  }
  fputc('\n', out);
}

static void flush_csv(exporter *self, const export_transaction *transaction, uint64_t corrects)
{
  char date[11], amount[LEDGER_MONEY_TEXT_BYTES];
  ledger_date_format(transaction->date, date);
  for (size_t i = 0; i < transaction->posting_count; i++) {
    ledger_money_format(transaction->amounts[i], amount);
    fprintf(self->out, "%llu,%s,%s,%s,", (unsigned long long)transaction->entry_index, date,
            ledger_record_type_name(transaction->type), transaction->member_id);
    node_csv_field(self->out, transaction->ref);
    if (transaction->type == LEDGER_RECORD_CORRECTION)
      fprintf(self->out, ",%llu,", (unsigned long long)corrects);
    else
      fputs(",,", self->out);
    node_csv_field(self->out, transaction->note);
    fputc(',', self->out);
    node_csv_field(self->out, transaction->accounts[i]);
    fprintf(self->out, ",%s\n", amount);
  }
}

static coop_err flush(exporter *self)
{
  export_transaction *transaction = &self->pending;
  if (!transaction->active)
    return COOP_OK;
  transaction->active = 0;
  uint64_t corrects = 0;
  uint8_t corrected_type = 0;
  if (transaction->type == LEDGER_RECORD_CORRECTION) {
    coop_err err = correction_of(self, transaction->entry_index, &corrects, &corrected_type);
    if (err)
      return err;
  }
  if (self->format == NODE_EXPORT_CSV)
    flush_csv(self, transaction, corrects);
  else
    flush_journal(self, transaction, corrects);
  return COOP_OK;
}

/* A memo as a journal comment line. */
static coop_err put_memo(exporter *self, const ledger_register_row *row)
{
  char date[11], quantity[LEDGER_MONEY_TEXT_BYTES];
  ledger_date_format(row->date, date);
  ledger_money_format(row->quantity, quantity);
  uint64_t corrects = 0;
  uint8_t type = row->type;
  if (row->type == LEDGER_RECORD_CORRECTION) {
    coop_err err = correction_of(self, row->entry_index, &corrects, &type);
    if (err)
      return err;
  }
  int hours = type == LEDGER_RECORD_HOURS;
  fprintf(self->out, "; memo %s entry %llu %s", date, (unsigned long long)row->entry_index,
          ledger_record_type_name(row->type));
  if (row->type == LEDGER_RECORD_CORRECTION)
    fprintf(self->out, " of entry %llu (%s)", (unsigned long long)corrects,
            ledger_record_type_name(type));
  fprintf(self->out, " %s %s %s", row->member_id, quantity, hours ? "hours" : "EUR");
  if (row->ref[0]) {
    fputs(", ref ", self->out);
    put_line_text(self->out, row->ref, 0);
  }
  if (row->note[0]) {
    fputs(" | ", self->out);
    put_line_text(self->out, row->note, 0);
  }
  fputs("\n\n", self->out);
  return COOP_OK;
}

static coop_err export_row(void *context, const ledger_register_row *row)
{
  exporter *self = context;
  export_transaction *transaction = &self->pending;
  if (transaction->active && transaction->entry_index == row->entry_index && row->account) {
    if (transaction->posting_count == LEDGER_POSTINGS_MAX)
      return COOP_E_TAMPERED; /* more postings than a record can hold */
  } else {
    coop_err err = flush(self);
    if (err)
      return err;
    if (!row->account)
      return self->format == NODE_EXPORT_CSV ? COOP_OK : put_memo(self, row);
    memset(transaction, 0, sizeof *transaction);
    transaction->active = 1;
    transaction->entry_index = row->entry_index;
    transaction->date = row->date;
    transaction->type = row->type;
    snprintf(transaction->member_id, sizeof transaction->member_id, "%s", row->member_id);
    snprintf(transaction->ref, sizeof transaction->ref, "%s", row->ref);
    snprintf(transaction->note, sizeof transaction->note, "%s", row->note);
  }
  size_t slot = transaction->posting_count++;
  snprintf(transaction->accounts[slot], sizeof transaction->accounts[slot], "%s", row->account);
  transaction->amounts[slot] = row->amount_cents;
  return COOP_OK;
}

/* ---- declarations ----------------------------------------------------------- */

typedef struct declarer {
  FILE *out;
  const ledger_account_definition *account;
} declarer;

/* hledger's account type codes: Asset, Liability, Equity, Revenue, eXpense. */
static char type_code(ledger_account_type type)
{
  switch (type) {
  case LEDGER_ACCOUNT_ASSET: return 'A';
  case LEDGER_ACCOUNT_LIABILITY: return 'L';
  case LEDGER_ACCOUNT_EQUITY: return 'E';
  case LEDGER_ACCOUNT_INCOME: return 'R';
  case LEDGER_ACCOUNT_EXPENSE: return 'X';
  }
  return '?';
}

static void declare_account(const declarer *self, const char *name)
{
  fprintf(self->out, "account %s\n    ; type: %c\n", name, type_code(self->account->type));
}

static coop_err declare_member_account(void *context, const ledger_member_row *row)
{
  const declarer *self = context;
  char name[LEDGER_ACCOUNT_NAME_BYTES];
  coop_err err = ledger_account_name(self->account->code, row->member_id, name);
  if (!err)
    declare_account(self, name);
  return err;
}

static coop_err put_declarations(exporter *self, const char *tool, const char *period)
{
  FILE *out = self->out;
  fprintf(out, "; The books of '");
  put_line_text(out, self->node->name, 0);
  fprintf(out, "', exported by coop for %s%s%s.\n", tool, period ? ", period " : "",
           period ? period : "");
  fprintf(out, "; Amounts are exact, from integer cents.  Each transaction is one signed\n"
               "; log entry (tag entry).  Memos (hours, other income) move no money: they\n"
               "; are the '; memo' comments, not postings.\n\n");
  fprintf(out, "commodity EUR\n    format 1000.00 EUR\n\n");
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  declarer declaring = {.out = out};
  coop_err err = COOP_OK;
  for (size_t i = 0; i < count && !err; i++) {
    declaring.account = &chart[i];
    if (chart[i].per_member)
      err = ledger_books_members(self->node->store, declare_member_account, &declaring);
    else
      declare_account(&declaring, chart[i].name);
  }
  fprintf(out, "\ntag entry\ntag type\ntag member\ntag ref\ntag corrects\n\n");
  return err;
}

coop_err node_export(node *books_node, int format, const ledger_books_query *query,
                     const char *period, FILE *out)
{
  exporter self = {.format = format, .out = out, .node = books_node};
  coop_err err = COOP_OK;
  if (format == NODE_EXPORT_CSV)
    fputs("entry,date,type,member,ref,corrects,note,account,amount\n", out);
  else
    err = put_declarations(&self, format == NODE_EXPORT_HLEDGER ? "hledger" : "ledger", period);
  if (!err)
    err = ledger_books_register(books_node->store, query, export_row, &self);
  if (!err)
    err = flush(&self);
  if (!err && (fflush(out) || ferror(out)))
    err = COOP_E_IO;
  return err;
}
