/* Dutch-first wording of months and statements (see wording.h). */
#include "node/wording.h"

#include <stddef.h>
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

#define TEXT(name, label) {name, NODE_RULE_TEXT, 0, label, NULL, NULL, NULL}
#define NUMBER(name, kind, member, label, unit, dutch, english)                                  \
  {name, kind, offsetof(ledger_offset_rule_set, member), label, unit, dutch, english}
static const node_rule_field rule_fields[] = {
    TEXT("municipality", "gemeente"),
    TEXT("effective_from", "geldig vanaf"),
    TEXT("regime", "regeling"),
    NUMBER("norm", NODE_RULE_MONEY, norm_cents, "bijstandsnorm per maand", NULL,
           "De bijstandsnorm waartegen verrekend wordt (per maand).",
           "The benefit norm offset against (per month)."),
    NUMBER("coop_pct", NODE_RULE_PERCENT, coop_pct_basis_points,
           "deel van de winst voor de coöperatie", NULL,
           "Het deel van de positieve winst dat naar de coöperatie gaat.",
           "The coop's share of positive profit."),
    TEXT("distribution", "verdeling"),
    NUMBER("muni_pct", NODE_RULE_PERCENT, muni_pct_basis_points, "deel voor de gemeente", NULL,
           "Het deel van het netto inkomen dat naar de gemeente gaat (alleen bij verdeling "
           "'PERCENT').",
           "The municipality's share of net income (distribution 'PERCENT' only)."),
    TEXT("loss_rule", "maand met verlies"),
    NUMBER("min_age_nrk", NODE_RULE_COUNT, min_age_nrk_years, "minimumleeftijd vrijlatingen",
           "jaar", "Onder deze leeftijd gelden de vrijlatingen n, r en k niet (art. 31 lid 5).",
           "Below this age disregards n, r and k do not apply."),
    NUMBER("pct_n", NODE_RULE_PERCENT, pct_n_basis_points, "inkomstenvrijlating: percentage",
           NULL,
           "Inkomstenvrijlating (n): dit deel van het inkomen uit werk blijft buiten de "
           "verrekening…",
           "Work-income disregard (n): this share of work income is not offset…"),
    NUMBER("cap_n", NODE_RULE_MONEY, cap_n_cents, "inkomstenvrijlating: maximum", NULL,
           "…tot hoogstens dit bedrag per maand…", "…up to this amount a month…"),
    NUMBER("n_months", NODE_RULE_COUNT, n_months, "inkomstenvrijlating: duur", "maanden",
           "…gedurende zoveel maanden (alleen als het college n heeft toegekend).",
           "…for this many months (only when the college approved n)."),
    NUMBER("pct_r", NODE_RULE_PERCENT, pct_r_basis_points,
           "vrijlating alleenstaande ouder: percentage", NULL,
           "Vrijlating alleenstaande ouder met een kind onder 12 (r): dit deel…",
           "Single parent with a child under 12 (r): this share…"),
    NUMBER("cap_r", NODE_RULE_MONEY, cap_r_cents, "vrijlating alleenstaande ouder: maximum", NULL,
           "…tot hoogstens dit bedrag per maand…", "…up to this amount a month…"),
    NUMBER("r_months", NODE_RULE_COUNT, r_months, "vrijlating alleenstaande ouder: duur",
           "maanden", "…gedurende zoveel maanden.", "…for this many months."),
    NUMBER("pct_y", NODE_RULE_PERCENT, pct_y_basis_points,
           "vrijlating medische urenbeperking: percentage", NULL,
           "Vrijlating bij medische urenbeperking (y): dit deel…",
           "Medically limited hours (y): this share…"),
    NUMBER("cap_y", NODE_RULE_MONEY, cap_y_cents, "vrijlating medische urenbeperking: maximum",
           NULL, "…tot hoogstens dit bedrag per maand.", "…up to this amount a month."),
    NUMBER("pct_34a", NODE_RULE_PERCENT, pct_34a_basis_points, "vrijlating art. 34a: percentage",
           NULL, "Vrijlating art. 34a (Participatiewet in balans): dit deel…",
           "Art. 34a disregard: this share…"),
    NUMBER("months_34a", NODE_RULE_COUNT, months_34a, "vrijlating art. 34a: duur", "maanden",
           "…gedurende zoveel maanden.", "…for this many months."),
    NUMBER("k_month", NODE_RULE_MONEY, k_month_cents, "vrijwilligersvergoeding vrij per maand",
           NULL, "Vrijwilligersvergoeding die per maand vrij is (k).",
           "Volunteer allowance disregarded per month (k)."),
    NUMBER("k_year", NODE_RULE_MONEY, k_year_cents, "vrijwilligersvergoeding vrij per jaar", NULL,
           "…en hoogstens dit bedrag per kalenderjaar.",
           "…and at most this amount per calendar year."),
};
#undef TEXT
#undef NUMBER

const node_rule_field *node_rule_fields(size_t *count)
{
  *count = sizeof rule_fields / sizeof rule_fields[0];
  return rule_fields;
}

int64_t node_rule_field_value(const ledger_offset_rule_set *rules, const node_rule_field *field)
{
  return *(const int64_t *)(const void *)((const char *)rules + field->offset);
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
