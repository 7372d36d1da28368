/* The words members and officers read (node/wording.c): an amount typed from
 * an invoice, a status fact and the municipality's verdict, in Dutch and in
 * English, with the exact text each gives. */
#include <criterion/criterion.h>
#include <string.h>

#include "ledger/books/books.h"
#include "node/audit.h"
#include "node/wording.h"

static void refused(const char *text, const char *message)
{
  int64_t cents = 7;
  char said[128];
  cr_assert_eq(node_amount_parse(text, &cents, said, sizeof said), COOP_E_BAD_INPUT, "%s", text);
  cr_assert_str_eq(said, message);
  cr_assert_eq(cents, 0, "cents are zeroed on failure");
}

Test(wording, amount_as_typed)
{
  int64_t cents = 0;
  char said[128];
  cr_assert_eq(node_amount_parse("12,50", &cents, said, sizeof said), COOP_OK);
  cr_assert_eq(cents, 1250);
  cr_assert_eq(node_amount_parse("1200.5", &cents, said, sizeof said), COOP_OK);
  cr_assert_eq(cents, 120050);
  refused("€ 12,50", "'€ 12,50': just the number, without the euro sign (e.g. 1234,56)");
  refused("12,50 EUR", "'12,50 EUR': just the number, without the euro sign (e.g. 1234,56)");
  refused("1.200,50", "'1.200,50': no thousands separators, please (write 1234.56 or 1234,56)");
  refused("1,200.50", "'1,200.50': no thousands separators, please (write 1234.56 or 1234,56)");
  /* Everything else in the money parser's own words. */
  refused("12,345", "'12,345': more than two decimals");
  refused("-5", "'-5': a sign makes no sense here");
}

Test(wording, member_facts)
{
  char text[NODE_FACT_TEXT_BYTES];
  node_member_fact_text(LEDGER_MEMBER_BIRTH, 199004, false, text);
  cr_assert_str_eq(text, "geboren in april 1990");
  node_member_fact_text(LEDGER_MEMBER_BIRTH, 199004, true, text);
  cr_assert_str_eq(text, "born in April 1990");
  node_member_fact_text(LEDGER_MEMBER_N_APPROVED, 1, false, text);
  cr_assert_str_eq(text, "inkomstenvrijlating (n) goedgekeurd: ja");
  node_member_fact_text(LEDGER_MEMBER_MEDICAL_LIMIT, 0, false, text);
  cr_assert_str_eq(text, "medische urenbeperking: nee");
  node_member_fact_text(LEDGER_MEMBER_SINGLE_PARENT, 1, true, text);
  cr_assert_str_eq(text, "single parent: yes");
  node_member_fact_text(LEDGER_MEMBER_LEFT, 1, false, text);
  cr_assert_str_eq(text, "vertrokken");
  node_member_fact_text(99, 3, false, text);
  cr_assert_str_eq(text, "? = 3");
}

Test(wording, verdicts)
{
  cr_assert_str_eq(node_verdict_name(NODE_AUDIT_ACKNOWLEDGED, false), "akkoord");
  cr_assert_str_eq(node_verdict_name(NODE_AUDIT_DISPUTED, false), "betwist");
  cr_assert_str_eq(node_verdict_name(NODE_AUDIT_PENDING, false), "nog niet gecontroleerd");
  cr_assert_str_eq(node_verdict_name(NODE_AUDIT_REISSUE_DUE, true), "reissue due");
  cr_assert_str_eq(node_verdict_name(0, false), "?");
}
