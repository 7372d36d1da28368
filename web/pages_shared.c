/* What the coop's administrator and the member both see: a member's year by
 * month and a month's statement, from node_member_months (the same reading
 * as 'coop member view'). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/audit.h"
#include "node/books.h"
#include "node/wording.h"
#include "node/year_statement.h"
#include "ledger/base/alloc.h"
#include "web/web_int.h"

const char *web_status_text(const web_request *request, int status)
{
  return node_verdict_name(status, request->english);
}

/* Its CSS class is its English name. */
void web_status_label(web_request *request, int status)
{
  char class_name[32];
  snprintf(class_name, sizeof class_name, "%s", node_audit_status_name(status));
  for (char *c = class_name; *c; c++)
    if (*c == ' ' || *c == '_')
      *c = '-';
  web_html(request, "<span class=\"status status-%s\">%t</span>", class_name,
           web_status_text(request, status));
}

typedef struct year_rows {
  web_request *request;
  uint32_t year;
  size_t count;
  int64_t earned, costs, coop, municipality, budget;
  const char *member_id;
} year_rows;

static coop_err year_row(void *context, const node_member_month *month)
{
  year_rows *rows = context;
  web_request *request = rows->request;
  if (month->period / 100 != rows->year)
    return COOP_OK;
  if (!rows->count++)
    WEB_TABLE_HEAD(request, NULL, {"Maand", "Month", false}, {"Omzet", "Revenue", true},
                   {"Kosten", "Costs", true}, {"Naar coöperatie", "To coop", true},
                   {"Naar gemeente", "To municipality", true}, {"Naar budget", "To budget", true},
                   {"Oordeel gemeente", "Municipality's verdict", false});
  const ledger_offset_statement *f = &month->figures;
  bool has = month->has_statement;
  if (has)
    web_html(request, "<tr><td><a href=\"/statement?id=%s&amp;p=%u\">%p</a></td>",
             month->member_id, (unsigned)month->period, month->period);
  else
    web_html(request, "<tr><td>%p</td>", month->period);
  web_html(request, "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>",
           month->earned_cents, month->costs_cents);
  if (has) {
    web_html(request, "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                      "<td class=\"amount\">%m</td><td>",
             f->coop_share_cents, f->to_municipality_cents, f->to_budget_cents);
    web_status_label(request, month->found.status);
    web_html(request, "</td></tr>");
    rows->coop += f->coop_share_cents;
    rows->municipality += f->to_municipality_cents;
    rows->budget += f->to_budget_cents;
  } else {
    web_html(request, "<td colspan=\"3\">%t</td><td></td></tr>",
             web_say(request, "maand nog niet afgesloten", "month not closed yet"));
  }
  rows->earned += month->earned_cents;
  rows->costs += month->costs_cents;
  return COOP_OK;
}

void web_member_year(web_request *request, const char *member_id, uint32_t year)
{
  year_rows rows = {.request = request, .year = year, .member_id = member_id};
  coop_err err = node_member_months(request->node, member_id, year_row, &rows);
  if (rows.count)
    web_html(request,
             "</tbody><tfoot><tr><th scope=\"row\">%t %u</th><td class=\"amount\">%m</td>"
             "<td class=\"amount\">%m</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
             "<td class=\"amount\">%m</td><td></td></tr></tfoot></table>",
             web_say(request, "Totaal", "Total"), (unsigned)year, rows.earned, rows.costs,
             rows.coop, rows.municipality, rows.budget);
  else if (!err)
    web_html(request, "<p>%t</p>",
             web_say(request, "Nog niets geboekt in dit jaar.", "Nothing recorded in this year yet."));
  if (err)
    web_html(request, "<p class=\"error\">%t: %s</p>",
             web_say(request, "Kan de maanden niet lezen", "Cannot read the months"),
             coop_err_message(err));
}

/* ---- one statement ----------------------------------------------------------------- */

typedef struct statement_find {
  web_request *request;
  uint32_t period;
  bool shown;
} statement_find;

static void statement_chart(web_request *request, const ledger_offset_statement *f)
{
  /* The profit's split at a glance: one bar in three parts, each with its
   * name and amount as text beside it (the chart is not the only way to
   * read it). */
  static const char *const colours[] = {"#6c3483", "#1f618d", "#1e8449"};
  const int64_t parts[] = {f->coop_share_cents, f->to_municipality_cents, f->to_budget_cents};
  const char *names[] = {web_say(request, "coöperatie", "coop"),
                         web_say(request, "gemeente", "municipality"),
                         web_say(request, "ontwikkelbudget", "development budget")};
  int64_t total = parts[0] + parts[1] + parts[2];
  if (total <= 0)
    return;
  web_html(request, "<svg width=\"100%%\" height=\"36\" viewBox=\"0 0 400 36\" role=\"img\" "
                    "aria-label=\"%t\">",
           web_say(request, "verdeling van de winst", "split of the profit"));
  int64_t x = 0;
  for (int i = 0; i < 3; i++) {
    int64_t width = parts[i] * 400 / total;
    web_html(request, "<rect x=\"%j\" y=\"0\" width=\"%j\" height=\"36\" fill=\"%t\">"
                      "<title>%t: %m</title></rect>", x, width, colours[i], names[i], parts[i]);
    x += width;
  }
  web_html(request, "</svg><p class=\"note\">");
  for (int i = 0; i < 3; i++)
    web_html(request, "%t<svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" "
                      "height=\"12\" fill=\"%t\"></rect></svg> %t %m",
             i ? " · " : "", colours[i], names[i], parts[i]);
  web_html(request, "</p>");
}

void web_dispute_details(web_request *request, const ledger_statement_payload *statement,
                         const ledger_verdict *verdict)
{
  web_html(request, "<div class=\"dispute\"><p>%t: <strong>%s</strong>. %t:",
           web_say(request, "Reden", "Reason"), ledger_dispute_reason_name(verdict->reason),
           web_say(request, "Velden die verschillen", "Fields that differ"));
  for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++)
    if (verdict->differing & (UINT32_C(1) << field))
      web_html(request, " <code>%s</code>", ledger_verdict_field_name(field));
  const ledger_offset_statement *ours = &statement->figures, *theirs = &verdict->figures;
  const struct {
    const char *dutch, *english;
    int64_t coop, municipality;
  } lines[] = {
      {"naar de coöperatie", "to the coop", ours->coop_share_cents, theirs->coop_share_cents},
      {"naar de gemeente", "to the municipality", ours->to_municipality_cents,
       theirs->to_municipality_cents},
      {"naar het ontwikkelbudget", "to the development budget", ours->to_budget_cents,
       theirs->to_budget_cents},
      {"vrijlating", "disregard", ours->disregard_cents, theirs->disregard_cents},
      {"indicatieve uitkering", "indicative benefit", ours->benefit_cents, theirs->benefit_cents},
  };
  web_html(request, "</p>");
  WEB_TABLE_HEAD(request, NULL, {"", "", false}, {"Coöperatie", "Coop", true},
                 {"Gemeente", "Municipality", true});
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    web_html(request, "<tr><td>%t</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
             web_say(request, lines[i].dutch, lines[i].english), lines[i].coop,
             lines[i].municipality);
  web_html(request, "</tbody></table></div>");
}

static void statement_body(web_request *request, const node_member_month *month)
{
  const ledger_statement_payload *statement = month->statement;
  char party[NODE_PARTY_TEXT_BYTES];
  node_party_text(request->node, month->municipality, party);
  web_html(request, "<h2>%t %p</h2><p>%s (%s), %t %s</p>",
           web_say(request, "Verrekening", "Statement"), month->period, month->name,
           month->member_id, web_say(request, "klantnummer", "client ref"), month->client_ref);
  web_html(request, "<p>%t <strong>%s</strong>, %t %j.</p>",
           web_say(request, "Rekenregels van", "Rules of"), party,
           web_say(request, "gepubliceerd als entry", "published as entry"),
           (int64_t)statement->rule_set_index);
  statement_chart(request, &statement->figures);
  node_money_line lines[NODE_STATEMENT_LINES_MAX];
  size_t count = node_statement_lines(statement, request->english, lines);
  web_html(request, "<table><tbody>");
  for (size_t i = 0; i < count; i++)
    web_html(request, "<tr><td%t>%t</td><td class=\"amount\">%m</td></tr>",
             lines[i].indent ? " class=\"sub\"" : "", lines[i].label, lines[i].cents);
  web_html(request, "</tbody></table><p>%t: %t.", web_say(request, "Vrijlating", "Disregard"),
           node_disregard_name(statement->figures.disregard_kind, request->english));
  if (statement->figures.above_norm)
    web_html(request, " %t", web_say(request, "Uw inkomsten zijn deze maand hoger dan de "
                                              "bijstandsnorm.",
                                      "Your income this month is above the benefit norm."));
  web_html(request, " %t</p><p>%t: ",
           web_say(request, "De verrekening is indicatief: de gemeente beslist.",
                   "The offset is indicative: the municipality decides."),
           web_say(request, "Oordeel van de gemeente", "The municipality's verdict"));
  web_status_label(request, month->found.status);
  if (month->found.status == NODE_AUDIT_DISPUTED) {
    web_html(request, "</p>");
    web_dispute_details(request, statement, &month->found.verdict);
    web_html(request, "<p>");
  }
  web_html(request, "</p><p class=\"note\">%t %j %t",
           web_say(request, "Vastgelegd als entry", "Recorded as entry"),
           (int64_t)month->statement_index,
           web_say(request, "in het ondertekende logboek van de coöperatie.",
                   "in the coop's signed log."));
  if (statement->corrects)
    web_html(request, " %t %j.", web_say(request, "Herberekend: vervangt entry",
                                         "Reissued: replaces entry"),
             (int64_t)(statement->corrects - 1));
  if (month->records_after_statement)
    web_html(request, " %t", web_say(request, "Er is daarna nog iets voor deze maand geboekt: "
                                              "de verrekening wordt bij de volgende afsluiting "
                                              "herberekend.",
                                      "Something was recorded for this month afterwards: the "
                                      "statement is reissued at the next close."));
  web_html(request, "</p>");
}

static coop_err statement_month(void *context, const node_member_month *month)
{
  statement_find *find = context;
  if (month->period != find->period || !month->has_statement || !month->statement)
    return COOP_OK;
  statement_body(find->request, month);
  find->shown = true;
  return COOP_OK;
}

void web_statement_section(web_request *request, const char *member_id, uint32_t period)
{
  statement_find find = {.request = request, .period = period};
  coop_err err = node_member_months(request->node, member_id, statement_month, &find);
  if (!find.shown)
    web_html(request, "<p>%t</p>", err ? coop_err_message(err)
                                      : web_say(request, "Voor deze maand is er (nog) geen "
                                                         "verrekening.",
                                                "There is no statement for this month (yet)."));
}

/* ---- the year statement (jaaropgave) ------------------------------------------------------ */

static const char *year_state_text(const web_request *request, int state)
{
  switch (state) {
  case NODE_YEAR_OPEN: return web_say(request, "nog open: niet afgesloten", "still open: not closed");
  case NODE_YEAR_LEFT: return web_say(request, "geen lid meer", "no longer a member");
  default: return web_say(request, "geen verrekening", "no statement");
  }
}

static void year_month_row(web_request *request, const node_year_statement *year, int m)
{
  const node_year_month *month = &year->months[m];
  if (month->state != NODE_YEAR_STATED) {
    web_html(request, "<tr class=\"year-%t\"><td>%p</td><td colspan=\"10\">%t</td></tr>",
             node_year_state_name(month->state), month->period,
             year_state_text(request, month->state));
    return;
  }
  const ledger_offset_statement *f = &month->figures;
  web_html(request, "<tr><td>%p</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td><td>%t</td><td>",
           month->period, month->inputs.revenue_cents, month->inputs.costs_cents,
           f->coop_share_cents, f->counted_income_cents, f->offset_cents,
           f->to_municipality_cents, f->to_budget_cents, month->budget_spent_cents,
           node_disregard_name(f->disregard_kind, request->english));
  web_status_label(request, month->records_after_statement ? NODE_AUDIT_REISSUE_DUE
                                                           : month->verdict.status);
  if (month->reissues)
    web_html(request, " %t", web_say(request, "(herberekend)", "(reissued)"));
  web_html(request, "</td></tr>");
}

static void year_table(web_request *request, const node_year_statement *year)
{
  WEB_TABLE_HEAD(request, "year", {"Maand", "Month", false}, {"Omzet", "Revenue", true},
                 {"Kosten", "Costs", true}, {"Coöperatie", "Coop", true},
                 {"Getelde inkomsten", "Counted income", true},
                 {"Verrekening", "Offset", true}, {"Gemeente", "Municipality", true},
                 {"Ontwikkelbudget", "Development budget", true}, {"Besteed", "Spent", true},
                 {"Vrijlating", "Disregard", false}, {"Oordeel gemeente", "Verdict", false});
  for (int m = 0; m < NODE_YEAR_MONTHS; m++)
    year_month_row(request, year, m);
  const node_year_totals *t = &year->totals;
  web_html(request, "</tbody><tfoot><tr><th scope=\"row\">%t</th><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td></td><td></td></tr></tfoot></table>",
           web_say(request, "Totaal", "Total"), t->revenue_cents, t->costs_cents,
           t->coop_share_cents, t->counted_income_cents, t->offset_cents,
           t->to_municipality_cents, t->to_budget_cents, t->budget_spent_cents);
}

/* Below the table: open months, budget, disregards, rule sets. */
static void year_notes(web_request *request, const node_year_statement *year)
{
  if (year->open_count) {
    char open[NODE_YEAR_OPEN_TEXT_BYTES];
    node_year_open_text(year, open);
    web_html(request, "<p class=\"note\" id=\"open-months\"><strong>%t</strong> %s. %t</p>",
             web_say(request, "Nog open (niet afgesloten):", "Still open (not closed):"), open,
             web_say(request, "Deze jaaropgave is nog niet definitief: de totalen tellen alleen "
                              "de afgesloten maanden.",
                     "This year statement is not final: the totals count the closed months "
                     "only."));
  } else {
    web_html(request, "<p class=\"note\">%t</p>",
             web_say(request, "Alle maanden zijn afgesloten: deze jaaropgave is definitief.",
                     "Every month is closed: this year statement is final."));
  }
  web_html(request, "<p>%t %m; %t %m. %t %m.</p>",
           web_say(request, "Ontwikkelbudget aan het begin van het jaar", "Development budget at "
                                                                          "the start of the year"),
           year->budget_start_cents, web_say(request, "over aan het eind", "left at the end"),
           year->budget_end_cents, web_say(request, "Vrijgelaten inkomsten", "Income disregarded"),
           year->totals.disregard_cents);
  web_html(request, "<p>%t</p><ul>", web_say(request, "Rekenregels:", "Rule sets:"));
  for (size_t i = 0; i < year->rule_set_count; i++) {
    char party[NODE_PARTY_TEXT_BYTES];
    node_party_text(request->node, year->rule_sets[i].log, party);
    web_html(request, "<li>%s, entry %j: %p %t %p</li>", party, (int64_t)year->rule_sets[i].index,
             year->rule_sets[i].first_period, web_say(request, "t/m", "to"),
             year->rule_sets[i].last_period);
  }
  web_html(request, "</ul><p class=\"note\">%t</p>",
           web_say(request, "De verrekening is indicatief: de gemeente beslist.",
                   "The offset is indicative: the municipality decides."));
}

void web_year_statement(web_request *request, const char *member_id, uint32_t year_number)
{
  node_year_statement *year = coop_malloc(sizeof *year);
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = year ? node_year_statement_build(request->node, member_id, year_number, year,
                                                  message)
                      : COOP_E_NOMEM;
  if (err) {
    coop_free(year);
    return web_error_page_node(request, err == COOP_E_NOMEM ? 500 : 404,
                               "De jaaropgave kon niet worden gemaakt.",
                               message[0] ? message : coop_err_message(err));
  }
  web_page_begin(request, web_say(request, "Jaaropgave", "Year statement"));
  web_html(request, "<h2>%t %u</h2><p>%s (%s), %t %s; %s</p>",
           web_say(request, "Jaaropgave", "Year statement"), (unsigned)year_number, year->name,
           year->member_id, web_say(request, "klantnummer", "client ref"), year->client_ref,
           year->coop_name);
  year_table(request, year);
  year_notes(request, year);
  web_html(request, "<p class=\"noprint\">%t</p>",
           web_say(request, "Afdrukken: gebruik de printfunctie van uw browser (één A4).",
                   "To print: use your browser's print function (one A4 page)."));
  web_page_end(request);
  coop_free(year);
}

void web_year_page(web_request *request, const char *member_id)
{
  const char *text = web_query(request, "y");
  uint32_t year = node_today() / 10000;
  if (text) {
    char *end = NULL;
    unsigned long asked = strlen(text) == 4 ? strtoul(text, &end, 10) : 0;
    if (!end || *end || asked < 1900)
      return web_error_page(request, 400, web_say(request, "Geen jaar (JJJJ).", "Not a year (YYYY)."));
    year = (uint32_t)asked;
  }
  web_year_statement(request, member_id, year);
}
