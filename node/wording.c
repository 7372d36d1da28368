/* Dutch-first wording of months and statements (see wording.h). */
#include "node/wording.h"

#include <stdio.h>
#include <string.h>

#include "ledger/books/books.h"
#include "ledger/books/money.h"
#include "ledger/offset/offset.h"
#include "node/audit.h"

static const char *say(bool english, const char *dutch, const char *in_english)
{
  return english ? in_english : dutch;
}

const char *node_month_name(int month, bool english)
{
  static const char *const dutch[] = {"januari", "februari", "maart", "april", "mei", "juni",
                                      "juli", "augustus", "september", "oktober", "november",
                                      "december"};
  static const char *const in_english[] = {"January", "February", "March", "April", "May",
                                           "June", "July", "August", "September", "October",
                                           "November", "December"};
  if (month < 1 || month > 12)
    return "?";
  return english ? in_english[month - 1] : dutch[month - 1];
}

void node_month_text(uint32_t period, bool english, char out[NODE_MONTH_TEXT_BYTES])
{
  snprintf(out, NODE_MONTH_TEXT_BYTES, "%s %u", node_month_name((int)(period % 100), english),
           (unsigned)(period / 100));
}

const char *node_verdict_name(int status, bool english)
{
  switch (status) {
  case NODE_AUDIT_ACKNOWLEDGED: return say(english, "akkoord", "acknowledged");
  case NODE_AUDIT_DISPUTED: return say(english, "betwist", "disputed");
  case NODE_AUDIT_PENDING: return say(english, "nog niet gecontroleerd", "not checked yet");
  case NODE_AUDIT_MISSING: return say(english, "verrekening ontbreekt", "statement missing");
  case NODE_AUDIT_OPEN: return say(english, "maand nog open", "month still open");
  case NODE_AUDIT_REISSUE_DUE: return say(english, "herberekening nodig", "reissue due");
  default: return "?";
  }
}

void node_member_fact_text(uint8_t field, uint32_t value, bool english,
                           char out[NODE_FACT_TEXT_BYTES])
{
  /* The yes/no facts: what was decided, then "ja" or "nee". */
  static const struct {
    uint8_t field;
    const char *dutch, *english;
  } decisions[] = {
      {LEDGER_MEMBER_N_APPROVED, "inkomstenvrijlating (n) goedgekeurd", "disregard n approved"},
      {LEDGER_MEMBER_MEDICAL_LIMIT, "medische urenbeperking", "medically limited hours"},
      {LEDGER_MEMBER_SINGLE_PARENT, "alleenstaande ouder", "single parent"},
  };
  for (size_t i = 0; i < sizeof decisions / sizeof decisions[0]; i++)
    if (decisions[i].field == field) {
      snprintf(out, NODE_FACT_TEXT_BYTES, "%s: %s",
               say(english, decisions[i].dutch, decisions[i].english),
               value ? say(english, "ja", "yes") : say(english, "nee", "no"));
      return;
    }
  char month[NODE_MONTH_TEXT_BYTES];
  if (field == LEDGER_MEMBER_BIRTH) {
    node_month_text(value, english, month);
    snprintf(out, NODE_FACT_TEXT_BYTES, "%s %s", say(english, "geboren in", "born in"), month);
  } else if (field == LEDGER_MEMBER_LEFT) {
    snprintf(out, NODE_FACT_TEXT_BYTES, "%s", say(english, "vertrokken", "left"));
  } else {
    snprintf(out, NODE_FACT_TEXT_BYTES, "? = %u", (unsigned)value);
  }
}

coop_err node_amount_parse(const char *text, int64_t *cents, char *message, size_t bytes)
{
  const char *why = NULL;
  if (strstr(text, "\xe2\x82\xac") || strstr(text, "EUR"))
    why = "just the number, without the euro sign (e.g. 1234,56)";
  else if (strchr(text, '.') && strchr(text, ','))
    why = "no thousands separators, please (write 1234.56 or 1234,56)";
  if (!why)
    return ledger_money_parse(text, LEDGER_MONEY_POSITIVE_ONLY, cents, message, bytes);
  *cents = 0;
  snprintf(message, bytes, "'%s': %s", text, why);
  return COOP_E_BAD_INPUT;
}

const char *node_form_error_dutch(node_form_error error)
{
  switch (error) {
  case NODE_FORM_AMOUNT:
    return "Dit is geen bedrag om te boeken: een positief bedrag in euro, hoogstens twee "
           "decimalen, zonder euroteken of punt voor duizendtallen (bijv. 1234,56)";
  case NODE_FORM_DATE: return "Dit is geen bestaande datum: kies een dag (JJJJ-MM-DD)";
  case NODE_FORM_MEMBER: return "Geen lid gevonden met dit lidnummer, klantnummer of deze naam";
  case NODE_FORM_MONTH_CLOSED:
    return "Deze maand is al afgesloten: boek met een datum in een open maand";
  case NODE_FORM_BEFORE_BOOKS:
    return "Deze datum ligt vóór de eerste maand van de boeken: daarvoor kan niets worden geboekt";
  case NODE_FORM_RECORD_KIND: return "Deze soort boeking kan hier niet worden geboekt";
  case NODE_FORM_FACT_CLOSED:
    return "Dit raakt maanden die al zijn afgesloten";
  default: return "";
  }
}

const char *node_disregard_name(int kind, bool english)
{
  switch (kind) {
  case LEDGER_OFFSET_DISREGARD_N: return say(english, "inkomstenvrijlating (n)", "work income (n)");
  case LEDGER_OFFSET_DISREGARD_R: return say(english, "alleenstaande ouder (r)", "single parent (r)");
  case LEDGER_OFFSET_DISREGARD_Y:
    return say(english, "medisch urenbeperking (y)", "medically limited hours (y)");
  case LEDGER_OFFSET_DISREGARD_34A: return say(english, "vrijlating art. 34a", "art. 34a");
  default: return say(english, "geen", "none");
  }
}

size_t node_statement_lines(const ledger_statement_payload *statement, bool english,
                            node_money_line lines[NODE_STATEMENT_LINES_MAX])
{
  const ledger_offset_month *in = &statement->month;
  const ledger_offset_statement *f = &statement->figures;
  const node_money_line all[] = {
      {say(english, "Omzet", "Revenue"), in->revenue_cents, false},
      {say(english, "Kosten", "Costs"), -in->costs_cents, false},
      {say(english, "Winst", "Profit"), f->profit_cents, false},
      {say(english, "naar de coöperatie", "to the coop"), f->coop_share_cents, true},
      {say(english, "naar de gemeente", "to the municipality"), f->to_municipality_cents, true},
      {say(english, "naar uw ontwikkelbudget", "to your development budget"), f->to_budget_cents,
       true},
      {say(english, "Vrijlating", "Disregard"), f->disregard_cents, false},
      {say(english, "Vrijwilligersvergoeding", "Volunteer allowance"),
       in->volunteer_allowance_cents, false},
      {say(english, "waarvan vrijgelaten", "of which disregarded"), f->volunteer_disregarded_cents,
       true},
      {say(english, "Andere inkomsten", "Other income"), in->other_income_cents, false},
      {say(english, "Getelde inkomsten", "Counted income"), f->counted_income_cents, false},
      {say(english, "Indicatieve verrekening", "Indicative offset"), f->offset_cents, false},
      {say(english, "Indicatieve uitkering", "Indicative benefit"), f->benefit_cents, false},
  };
  size_t count = sizeof all / sizeof all[0];
  for (size_t i = 0; i < count; i++)
    lines[i] = all[i];
  return count;
}
