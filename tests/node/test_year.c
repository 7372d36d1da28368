/* The annual accounts (node/year.c) and the XAF audit file (node/xaf.c) on
 * a small real node: exact figures for the balance sheet, profit and loss,
 * a member's subledger and a municipality's dues across two years; the
 * checks; account names back to codes; the years refused and why. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/books/books.h"
#include "node/books.h"
#include "node/export.h"
#include "node/node.h"
#include "node/year.h"
#include "tests/support/tree.h"

#define NOW_MS "1775000000000" /* 2026-03-31 23:33 UTC */

static struct {
  char dir[64], coop_home[96], muni_home[96];
  node coop, muni;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
} fx;

static void record(uint8_t type, const char *member_id, int64_t cents, uint32_t date,
                   const char *ref)
{
  node_record_request request = {.type = type, .member_id = member_id, .amount = cents,
                                 .date = date, .ref = ref};
  node_record_result result;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_record_add(&fx.coop, &request, &result, message), COOP_OK, "%s", message);
}

/* A coop with one member of Breda: December 2025 opens the books (5000.00
 * in the bank, 310.25 rent), 2026 brings her revenue 1234.56, her costs
 * 34.50 and a remittance of 20.00. */
static void setup(void)
{
  cr_assert_geq(sodium_init(), 0);
  memset(&fx, 0, sizeof fx);
  setenv("COOP_NOW_MS", NOW_MS, 1);
  snprintf(fx.dir, sizeof fx.dir, "/tmp/coop-year-XXXXXX");
  cr_assert_not_null(mkdtemp(fx.dir));
  snprintf(fx.coop_home, sizeof fx.coop_home, "%s/coop", fx.dir);
  snprintf(fx.muni_home, sizeof fx.muni_home, "%s/muni", fx.dir);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_create(fx.coop_home, LEDGER_ROLE_COOP, "Coop Breda", node_now_ms(), &fx.coop,
                           message), COOP_OK, "%s", message);
  cr_assert_eq(node_create(fx.muni_home, LEDGER_ROLE_MUNICIPALITY, "Gemeente Breda",
                           node_now_ms(), &fx.muni, message), COOP_OK, "%s", message);
  cr_assert_eq(node_books_ready(&fx.coop, message), COOP_OK, "%s", message);
  node_peer peer = {.name = "breda", .role = LEDGER_ROLE_MUNICIPALITY};
  memcpy(peer.key, fx.muni.identity.public_key, 32);
  cr_assert_eq(node_peer_add(&fx.coop, &peer, message), COOP_OK, "%s", message);
  node_member_request member = {.name = "Anna de Vries", .client_ref = "BR-1001",
                                .birth_period = 199004, .from_period = 202512};
  memcpy(member.municipality, fx.muni.identity.public_key, 32);
  cr_assert_eq(node_member_add(&fx.coop, &member, fx.member_id, message), COOP_OK, "%s", message);
  record(LEDGER_RECORD_OPENING, NULL, 500000, 20251201, "open");
  record(LEDGER_RECORD_COOP_COST, NULL, 31025, 20251202, "rent-12");
  record(LEDGER_RECORD_REVENUE, fx.member_id, 123456, 20260105, "inv-1");
  record(LEDGER_RECORD_COST, fx.member_id, 3450, 20260106, "cost-1");
  record(LEDGER_RECORD_REMITTANCE, fx.member_id, 2000, 20260110, "rem-1");
}

static void teardown(void)
{
  node_close(&fx.coop);
  node_close(&fx.muni);
  test_remove_tree(fx.dir);
  unsetenv("COOP_NOW_MS");
}

TestSuite(node_year, .init = setup, .fini = teardown);

static const node_year_line *line(const node_year_report *report, uint16_t code)
{
  for (size_t i = 0; i < report->line_count; i++)
    if (report->lines[i].account->code == code)
      return &report->lines[i];
  cr_assert_fail("no line %u", code);
  return NULL;
}

Test(node_year, accounts_of_2026)
{
  node_year_report report;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_year_report_make(&fx.coop, 2026, &report, message), COOP_OK, "%s", message);
  cr_assert(report.running);
  const node_year_line *bank = line(&report, LEDGER_ACCOUNT_BANK);
  cr_assert_eq(bank->opening_cents, 500000 - 31025);
  cr_assert_eq(bank->year_cents, 123456 - 3450 - 2000);
  cr_assert_eq(bank->closing_cents, 500000 - 31025 + 123456 - 3450 - 2000);
  cr_assert_eq(report.prior_result_cents, 31025, "the rent of 2025 was a loss");
  cr_assert_eq(report.year_result_cents, -(123456 - 3450), "2026's profit, a credit");
  cr_assert_eq(line(&report, LEDGER_ACCOUNT_COOP_COSTS)->year_cents, 0);
  cr_assert_eq(line(&report, LEDGER_ACCOUNT_COOP_COSTS)->opening_cents, 31025);
  cr_assert_eq(report.member_count, 1);
  const node_year_member *anna = &report.members[0];
  cr_assert_str_eq(anna->member_id, fx.member_id);
  cr_assert_eq(anna->revenue_cents, 123456);
  cr_assert_eq(anna->costs_cents, 3450);
  cr_assert_eq(anna->due_closing_cents, -2000, "paid before anything was due");
  cr_assert_eq(anna->left_from, 0);
  cr_assert_eq(report.municipality_count, 1);
  cr_assert_eq(report.municipalities[0].paid_cents, 2000);
  cr_assert_eq(report.municipalities[0].due_cents, 0);
  cr_assert_eq(report.municipalities[0].closing_cents, -2000);
  cr_assert_eq(report.year_posting_count, 6);
  cr_assert_eq(report.year_debit_cents, 123456 + 3450 + 2000);
  cr_assert_eq(report.year_credit_cents, 123456 + 3450 + 2000);
  cr_assert(report.balanced);
  cr_assert(report.accounts_agree);
  cr_assert(node_year_reconciles(&report));
  node_year_report_release(&report);
}

Test(node_year, the_year_before_closes_where_2026_opens)
{
  node_year_report before, after;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_year_report_make(&fx.coop, 2025, &before, message), COOP_OK, "%s", message);
  cr_assert_eq(node_year_report_make(&fx.coop, 2026, &after, message), COOP_OK, "%s", message);
  cr_assert_not(before.running);
  cr_assert_eq(before.year_result_cents, after.prior_result_cents);
  for (size_t i = 0; i < after.line_count; i++)
    cr_assert_eq(after.lines[i].opening_cents, before.lines[i].closing_cents);
  cr_assert_eq(before.members[0].revenue_cents, 0);
  node_year_report_release(&before);
  node_year_report_release(&after);
}

Test(node_year, a_member_who_left)
{
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_member_set(&fx.coop, fx.member_id, LEDGER_MEMBER_LEFT, 202602, 1, false,
                               message), COOP_OK, "%s", message);
  node_year_report report;
  cr_assert_eq(node_year_report_make(&fx.coop, 2026, &report, message), COOP_OK, "%s", message);
  cr_assert_eq(report.members[0].left_from, 202602);
  node_year_report_release(&report);
}

Test(node_year, years_refused)
{
  node_year_report report;
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_year_report_make(&fx.coop, 2027, &report, message), COOP_E_BAD_INPUT);
  cr_assert_str_eq(message, "year 2027 has not begun (today is 2026-03-31)");
  cr_assert_eq(node_year_report_make(&fx.coop, 2024, &report, message), COOP_E_BAD_INPUT);
  cr_assert_str_eq(message, "no books for 2024: the books begin on 2025-12-01 (the first record)");
  cr_assert_eq(node_year_report_make(&fx.coop, 1899, &report, message), COOP_E_BAD_INPUT);
  cr_assert_str_eq(message, "year 1899 is out of range (1900 to 9999)");
  cr_assert_null(report.members, "nothing to release after a refusal");
}

Test(node_year, account_names_back_to_codes)
{
  uint16_t code = 0;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  cr_assert_eq(node_account_code("assets:bank", &code, member_id), COOP_OK);
  cr_assert_eq(code, 1000);
  cr_assert_str_eq(member_id, "");
  cr_assert_eq(node_account_code("liabilities:members:m-3f9a2c:development-budget", &code,
                                 member_id), COOP_OK);
  cr_assert_eq(code, 2100);
  cr_assert_str_eq(member_id, "m-3f9a2c");
  cr_assert_eq(node_account_code("expenses:members:m-3f9a2c:volunteer-allowance", &code,
                                 member_id), COOP_OK);
  cr_assert_eq(code, 5010);
  cr_assert_eq(node_account_code("assets:cash", &code, member_id), COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_eq(node_account_code("income:members:m-3f9a2:revenue", &code, member_id),
               COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_eq(node_account_code("income:members:m-3f9a2c:share", &code, member_id),
               COOP_E_UNKNOWN_ACCOUNT);
  cr_assert_str_eq(node_account_label(2100, false), "Ontwikkelbudgetten leden");
  cr_assert_null(node_account_label(4200, true));
}

/* The whole file, read back. */
static char *xaf_of(uint32_t year)
{
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  cr_assert_not_null(out);
  char message[NODE_MESSAGE_BYTES] = "";
  cr_assert_eq(node_export_xaf(&fx.coop, year, out, message), COOP_OK, "%s", message);
  fclose(out);
  return text;
}

Test(node_year, xaf_holds_the_year)
{
  char *text = xaf_of(2026), expected[128];
  cr_assert_not_null(strstr(text, "<auditfile xmlns=\"http://www.auditfiles.nl/XAF/3.2\">"));
  cr_assert_not_null(strstr(text, "<fiscalYear>2026</fiscalYear>"));
  snprintf(expected, sizeof expected, "<accID>4000-%s</accID>", fx.member_id);
  cr_assert_not_null(strstr(text, expected));
  cr_assert_not_null(strstr(text, "<amnt>1234.56</amnt>\n      <amntTp>C</amntTp>"));
  /* Opening: the bank's 4689.75 and 2025's loss on 3900, debit and credit alike. */
  cr_assert_not_null(strstr(text, "<linesCount>3</linesCount>\n   <totalDebit>5000.00</totalDebit>"
                                  "\n   <totalCredit>5000.00</totalCredit>"));
  cr_assert_not_null(strstr(text, "<accID>3900</accID>\n    <amnt>310.25</amnt>"));
  /* Transactions: three records of two lines; debits 1234.56 + 34.50 + 20.00. */
  cr_assert_not_null(strstr(text, "<linesCount>6</linesCount>\n   <totalDebit>1289.06</totalDebit>"));
  cr_assert_not_null(strstr(text, "<relationshipID>BR-1001</relationshipID>"));
  cr_assert_null(strstr(text, "rent-12"), "2025's records stay out of 2026's transactions");
  free(text);
}

Test(node_year, xaf_escapes_names)
{
  char message[NODE_MESSAGE_BYTES] = "", member_id[LEDGER_MEMBER_ID_CHARS + 1];
  node_member_request member = {.name = "Zo\xc3\xab & <Bram> \"de\" Wit", .client_ref = "BR-1002",
                                .birth_period = 199001, .from_period = 202601};
  memcpy(member.municipality, fx.muni.identity.public_key, 32);
  cr_assert_eq(node_member_add(&fx.coop, &member, member_id, message), COOP_OK, "%s", message);
  char *text = xaf_of(2026);
  cr_assert_not_null(strstr(text, "<custSupName>Zo\xc3\xab &amp; &lt;Bram&gt; &quot;de&quot; Wit</custSupName>"),
                     "%s", text);
  free(text);
}

Test(node_year, xaf_refuses_a_year_without_books)
{
  char message[NODE_MESSAGE_BYTES] = "";
  FILE *out = tmpfile();
  cr_assert_eq(node_export_xaf(&fx.coop, 2020, out, message), COOP_E_BAD_INPUT);
  cr_assert_str_eq(message, "no books for 2020: the books begin on 2025-12-01 (the first record)");
  cr_assert_eq(ftell(out), 0, "nothing written");
  fclose(out);
}
