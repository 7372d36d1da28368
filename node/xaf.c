/* The Dutch audit file, XAF 3.2 (Auditfile Financieel), of one calendar
 * year (export.h): header, the coop as company, members as relations, the
 * general ledger with XAF account types, the months as periods, the
 * opening balance and every transaction of the year with its lines.
 *
 * Written with libxml2's xmlTextWriter, which escapes text and keeps the
 * document well formed; tests/books/year.sh validates it against the
 * published XSD (tests/data/xaf/) with xmllint.  The figures come from the
 * annual accounts (node/year.h) and the register; amounts are printed from
 * integer cents.  How the chart maps onto XAF: docs/books.md. */
#include <stdarg.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "ledger/books/books_index.h"
#include "ledger/books/money.h"
#include "node/books.h"
#include "node/export.h"
#include "node/wording.h"
#include "node/year.h"

#define XAF_NAMESPACE "http://www.auditfiles.nl/XAF/3.2"

/* accID of the result of earlier years in the opening balance: the chart
 * has no such account (profit and loss are never closed into equity in
 * the books), so the audit file declares it for its opening balance. */
#define XAF_PRIOR_RESULT_ID "3900"

/* Longest text of the schema's String50 (custSupName, periodDesc), in
 * characters. */
#define XAF_STRING50_CHARS 50u

typedef struct xaf_writer {
  xmlTextWriterPtr writer;
  node *node;
  const node_year_report *report;
  int failed; /* a libxml2 call failed (the output, or memory) */
  /* the transaction being written */
  uint64_t entry_index;
  int in_transaction;
  unsigned line_number;
  int journal; /* 0: bank, 1: memorial */
  coop_err err;
} xaf_writer;

/* ---- writing --------------------------------------------------------------------- */

static void check(xaf_writer *self, int result)
{
  if (result < 0)
    self->failed = 1;
}

static void start(xaf_writer *self, const char *name)
{
  check(self, xmlTextWriterStartElement(self->writer, BAD_CAST name));
}

static void end(xaf_writer *self)
{
  check(self, xmlTextWriterEndElement(self->writer));
}

/* Text for the file: XML 1.0 cannot hold control characters other than
 * tab and line ends, so they become spaces; at most `chars_max` UTF-8
 * characters (0: no limit). */
static void element(xaf_writer *self, const char *name, const char *text, size_t chars_max)
{
  char clean[LEDGER_RECORD_NOTE_BYTES_MAX + COOP_NAME_BYTES_MAX + 64];
  size_t used = 0, chars = 0;
  for (; *text && used + 1 < sizeof clean; text++) {
    unsigned char byte = (unsigned char)*text;
    int starts_char = (byte & 0xc0) != 0x80;
    if (starts_char && chars_max && chars == chars_max)
      break;
    chars += starts_char;
    clean[used++] = (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7f
                        ? ' '
                        : (char)byte;
  }
  clean[used] = '\0';
  check(self, xmlTextWriterWriteElement(self->writer, BAD_CAST name, BAD_CAST clean));
}

static void element_format(xaf_writer *self, const char *name, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void element_format(xaf_writer *self, const char *name, const char *format, ...)
{
  char text[256];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  element(self, name, text, 0);
}

static void element_date(xaf_writer *self, const char *name, uint32_t date)
{
  char text[11];
  ledger_date_format(date, text);
  element(self, name, text, 0);
}

/* amnt (never negative) and amntTp: D for a debit, C for a credit. */
static void element_amount(xaf_writer *self, int64_t cents)
{
  char text[LEDGER_MONEY_TEXT_BYTES];
  ledger_money_format(cents < 0 ? -cents : cents, text);
  element(self, "amnt", text, 0);
  element(self, "amntTp", cents < 0 ? "C" : "D", 0);
}

static void element_money(xaf_writer *self, const char *name, int64_t cents)
{
  char text[LEDGER_MONEY_TEXT_BYTES];
  ledger_money_format(cents, text);
  element(self, name, text, 0);
}

/* The XAF account id: the chart code, and the member id for a member's
 * account ("2100-m-3f9a2c"): names like ours exceed accID's 35 characters. */
static void account_id(uint16_t code, const char *member_id, char out[24])
{
  if (member_id[0])
    snprintf(out, 24, "%u-%s", (unsigned)code, member_id);
  else
    snprintf(out, 24, "%u", (unsigned)code);
}

/* B (balance sheet) for assets, liabilities and equity; P (profit and
 * loss, winst en verlies) for income and expenses. */
static const char *account_type(ledger_account_type type)
{
  return type == LEDGER_ACCOUNT_INCOME || type == LEDGER_ACCOUNT_EXPENSE ? "P" : "B";
}

/* ---- header, company, relations, ledger, periods ------------------------------ */

static void write_header(xaf_writer *self)
{
  uint32_t year = self->report->year;
  start(self, "header");
  element_format(self, "fiscalYear", "%u", year);
  element_date(self, "startDate", year * 10000 + 101);
  element_date(self, "endDate", year * 10000 + 1231);
  element(self, "curCode", "EUR", 0);
  element_date(self, "dateCreated", node_today());
  element(self, "softwareDesc", "coop", 0);
  element(self, "softwareVersion", "1", 0);
  end(self);
}

/* Members as relations: id, name, their municipality's client ref as the
 * relation's id elsewhere (never a BSN: enrolment refuses BSN-like refs),
 * and type O (other: neither customer nor supplier). */
static void write_relations(xaf_writer *self)
{
  if (!self->report->member_count)
    return;
  start(self, "customersSuppliers");
  for (size_t i = 0; i < self->report->member_count; i++) {
    const node_year_member *member = &self->report->members[i];
    start(self, "customerSupplier");
    element(self, "custSupID", member->member_id, 0);
    element(self, "custSupName", member->name, XAF_STRING50_CHARS);
    if (member->client_ref[0])
      element(self, "relationshipID", member->client_ref, 35);
    element(self, "custSupTp", "O", 0);
    end(self);
  }
  end(self);
}

static void write_account(xaf_writer *self, const char *id, const char *description,
                          const char *type, uint16_t code, const char *lead)
{
  start(self, "ledgerAccount");
  element(self, "accID", id, 0);
  element(self, "accDesc", description, 0);
  element(self, "accTp", type, 0);
  element_format(self, "leadCode", "%u", (unsigned)code);
  element(self, "leadDescription", lead, 0);
  end(self);
}

/* Once a year is closed, the result of earlier years is an account of the
 * books (3900, the same accID): declared once, its opening balance on one
 * line with the result of years not closed yet. */
static bool has_result_account(const node_year_report *report)
{
  for (size_t i = 0; i < report->account_count; i++)
    if (report->accounts[i].code == LEDGER_ACCOUNT_RESULT_EARLIER_YEARS)
      return true;
  return false;
}

/* An account's balance at the end of the year before (its opening here). */
static int64_t opening_of(const node_year_report *report, const node_year_account *account)
{
  int64_t opening = account->closing_cents - account->year_cents;
  return account->code == LEDGER_ACCOUNT_RESULT_EARLIER_YEARS
             ? opening + report->prior_result_cents : opening;
}

/* Every account with postings up to the year's end, by its hledger name
 * (what 'coop bal' shows), and the result of earlier years. */
static void write_ledger(xaf_writer *self)
{
  start(self, "generalLedger");
  for (size_t i = 0; i < self->report->account_count; i++) {
    const node_year_account *account = &self->report->accounts[i];
    const ledger_account_definition *definition = ledger_chart_find(account->code);
    char id[24];
    account_id(account->code, account->member_id, id);
    write_account(self, id, account->name, account_type(definition->type), account->code,
                  definition->description);
  }
  if (!has_result_account(self->report))
    write_account(self, XAF_PRIOR_RESULT_ID, "equity:result-earlier-years", "B", 3900,
                  "result of earlier years (resultaat voorgaande boekjaren), in the audit "
                  "file's opening balance only");
  end(self);
}

static void write_periods(xaf_writer *self)
{
  uint32_t year = self->report->year;
  start(self, "periods");
  for (uint32_t month = 1; month <= 12; month++) {
    char text[NODE_MONTH_TEXT_BYTES];
    uint32_t last = (year * 100 + month) * 100 + 31;
    while (!ledger_date_valid(last))
      last--;
    node_month_text(year * 100 + month, false, text);
    start(self, "period");
    element_format(self, "periodNumber", "%u", month);
    element(self, "periodDesc", text, XAF_STRING50_CHARS);
    element_date(self, "startDatePeriod", (year * 100 + month) * 100 + 1);
    element_date(self, "endDatePeriod", last);
    end(self);
  }
  end(self);
}

/* ---- opening balance --------------------------------------------------------------- */

/* The balance-sheet accounts as they stood at the end of the year before,
 * and the profit and loss of earlier years on one line: together they sum
 * to zero. */
static void write_opening(xaf_writer *self)
{
  const node_year_report *report = self->report;
  /* The result of years not closed, on its own line unless 3900 has one. */
  int64_t prior = has_result_account(report) ? 0 : report->prior_result_cents;
  uint64_t lines = prior != 0;
  int64_t debit = 0, credit = 0;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      start(self, "openingBalance");
      element_date(self, "opBalDate", report->year * 10000 + 101);
      element(self, "opBalDesc", "balans per einde vorig boekjaar", 0);
      element_format(self, "linesCount", "%llu", (unsigned long long)lines);
      element_money(self, "totalDebit", debit + (prior > 0 ? prior : 0));
      element_money(self, "totalCredit", credit + (prior < 0 ? -prior : 0));
    }
    uint64_t number = 0;
    for (size_t i = 0; i < report->account_count; i++) {
      const node_year_account *account = &report->accounts[i];
      const ledger_account_definition *definition = ledger_chart_find(account->code);
      int64_t opening = opening_of(report, account);
      if (!opening || !strcmp(account_type(definition->type), "P"))
        continue;
      if (pass == 0) {
        lines++;
        *(opening > 0 ? &debit : &credit) += opening > 0 ? opening : -opening;
        continue;
      }
      char id[24];
      account_id(account->code, account->member_id, id);
      start(self, "obLine");
      element_format(self, "nr", "%llu", (unsigned long long)++number);
      element(self, "accID", id, 0);
      element_amount(self, opening);
      end(self);
    }
  }
  if (prior) {
    start(self, "obLine");
    element_format(self, "nr", "%llu", (unsigned long long)lines);
    element(self, "accID", XAF_PRIOR_RESULT_ID, 0);
    element_amount(self, prior);
    end(self);
  }
  end(self);
}

/* ---- transactions ------------------------------------------------------------------- */

/* Records that move money through the bank go in the bank journal; profit
 * splits and corrections in the memorial (memoriaal). */
static int journal_of(uint8_t type)
{
  return type == LEDGER_RECORD_PROFIT_SPLIT || type == LEDGER_RECORD_CORRECTION ||
         type == LEDGER_RECORD_YEAR_CLOSE;
}

static void start_transaction(xaf_writer *self, const ledger_register_row *row)
{
  char description[LEDGER_RECORD_NOTE_BYTES_MAX + 64];
  snprintf(description, sizeof description, "%s%s%s%s%s", ledger_record_type_name(row->type),
           row->member_id[0] ? " " : "", row->member_id, row->note[0] ? " | " : "", row->note);
  start(self, "transaction");
  element_format(self, "nr", "%llu", (unsigned long long)row->entry_index);
  element(self, "desc", description, 0);
  element_format(self, "periodNumber", "%u", (unsigned)(row->date / 100 % 100));
  element_date(self, "trDt", row->date);
  self->in_transaction = 1;
  self->entry_index = row->entry_index;
  self->line_number = 0;
}

/* One posting as a transaction line; the register gives an entry's
 * postings one after another. */
static coop_err write_line(void *context, const ledger_register_row *row)
{
  xaf_writer *self = context;
  if (!row->account || journal_of(row->type) != self->journal)
    return COOP_OK;
  if (self->in_transaction && self->entry_index != row->entry_index) {
    end(self);
    self->in_transaction = 0;
  }
  if (!self->in_transaction)
    start_transaction(self, row);
  uint16_t code = 0;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1], id[24];
  coop_err err = node_account_code(row->account, &code, member_id);
  if (err)
    return err;
  account_id(code, member_id, id);
  start(self, "trLine");
  element_format(self, "nr", "%u", ++self->line_number);
  element(self, "accID", id, 0);
  if (row->ref[0])
    element(self, "docRef", row->ref, 0);
  else
    element_format(self, "docRef", "entry %llu", (unsigned long long)row->entry_index);
  element_date(self, "effDate", row->date);
  element(self, "desc", row->account, 0);
  element_amount(self, row->amount_cents);
  if (row->member_id[0])
    element(self, "custSupID", row->member_id, 0);
  end(self);
  return self->failed ? COOP_E_IO : COOP_OK;
}

static coop_err write_journal(xaf_writer *self, int journal, const ledger_books_query *year)
{
  static const char *const ids[] = {"BANK", "MEMO"};
  static const char *const descriptions[] = {
      "bank: ontvangsten en betalingen", "memoriaal: winstverdeling en correcties"};
  static const char *const types[] = {"B", "M"};
  start(self, "journal");
  element(self, "jrnID", ids[journal], 0);
  element(self, "desc", descriptions[journal], 0);
  element(self, "jrnTp", types[journal], 0);
  self->journal = journal;
  self->in_transaction = 0;
  coop_err err = ledger_books_register(self->node->store, year, write_line, self);
  if (self->in_transaction)
    end(self);
  end(self);
  return err;
}

static coop_err write_transactions(xaf_writer *self)
{
  uint32_t year = self->report->year;
  ledger_books_query query = {.date_from = year * 10000 + 101, .date_to = year * 10000 + 1231};
  /* The totals come first in the file: the annual accounts counted them. */
  start(self, "transactions");
  element_format(self, "linesCount", "%llu",
                 (unsigned long long)self->report->year_posting_count);
  element_money(self, "totalDebit", self->report->year_debit_cents);
  element_money(self, "totalCredit", self->report->year_credit_cents);
  coop_err err = write_journal(self, 0, &query);
  if (!err)
    err = write_journal(self, 1, &query);
  end(self);
  return err;
}

/* ---- the file ------------------------------------------------------------------------- */

static coop_err write_file(xaf_writer *self)
{
  char ident[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(self->node->identity.public_key, ident);
  check(self, xmlTextWriterSetIndent(self->writer, 1));
  check(self, xmlTextWriterStartDocument(self->writer, NULL, "UTF-8", NULL));
  check(self, xmlTextWriterStartElementNS(self->writer, NULL, BAD_CAST "auditfile",
                                          BAD_CAST XAF_NAMESPACE));
  write_header(self);
  start(self, "company");
  element(self, "companyIdent", ident, 0);
  element(self, "companyName", self->node->name, 0);
  element(self, "taxRegistrationCountry", "NL", 0);
  element(self, "taxRegIdent", "", 0); /* the books hold no VAT or tax number */
  write_relations(self);
  write_ledger(self);
  write_periods(self);
  write_opening(self);
  coop_err err = write_transactions(self);
  end(self);
  check(self, xmlTextWriterEndDocument(self->writer));
  if (!err && self->failed)
    err = COOP_E_IO;
  return err;
}

coop_err node_export_xaf(node *books_node, uint32_t year, FILE *out,
                         char message[NODE_MESSAGE_BYTES])
{
  node_year_report report;
  coop_err err = node_year_report_make(books_node, year, &report, message);
  if (err)
    return err;
  xmlOutputBufferPtr buffer = xmlOutputBufferCreateFile(out, NULL);
  xmlTextWriterPtr writer = buffer ? xmlNewTextWriter(buffer) : NULL;
  if (!writer) {
    if (buffer)
      xmlOutputBufferClose(buffer);
    node_year_report_release(&report);
    return COOP_E_NOMEM;
  }
  xaf_writer self = {.writer = writer, .node = books_node, .report = &report};
  err = write_file(&self);
  xmlFreeTextWriter(writer); /* flushes and closes the buffer, not `out` */
  node_year_report_release(&report);
  if (!err && (fflush(out) || ferror(out)))
    err = COOP_E_IO;
  if (err && !message[0])
    snprintf(message, NODE_MESSAGE_BYTES, "cannot write the audit file of %u: %s", year,
             coop_err_message(err));
  return err;
}
