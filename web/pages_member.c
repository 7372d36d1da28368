/* The member's pages: what she keeps, her months, each statement in plain
 * Dutch with the municipality's verdict, and her receipt.  On the coop's
 * node a member account sees that member only: no page takes a member id
 * from the request. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books/receipt.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/receipt.h"
#include "node/simulate.h"
#include "web/web_int.h"

/* Her member id: the account's on the coop's node, NULL (the node's own
 * member) on her own node. */
static const char *own_member(const web_request *request)
{
  return request->account.member_id[0] ? request->account.member_id : NULL;
}

typedef struct latest_month {
  node_member_month month;
  bool found;
  char name[COOP_NAME_BYTES_MAX + 1];
} latest_month;

static coop_err take_latest(void *context, const node_member_month *month)
{
  latest_month *latest = context;
  snprintf(latest->name, sizeof latest->name, "%s", month->name);
  if (month->has_statement && (!latest->found || month->period >= latest->month.period)) {
    latest->month = *month;
    latest->month.statement = NULL; /* valid only during the visit */
    latest->found = true;
  }
  return COOP_OK;
}

static void home(web_request *request)
{
  latest_month latest = {0};
  coop_err err = node_member_months(request->node, own_member(request), take_latest, &latest);
  web_page_begin(request, web_say(request, "Mijn overzicht", "My overview"));
  if (latest.name[0])
    web_html(request, "<p>%t %s.</p>", web_say(request, "Welkom,", "Welcome,"), latest.name);
  if (latest.found) {
    const ledger_offset_statement *f = &latest.month.figures;
    web_html(request, "<h2>%p</h2><div class=\"cards\">"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div></div>",
             latest.month.period, web_say(request, "Uw uitkering (indicatief)", "Your benefit (indicative)"),
             f->benefit_cents, web_say(request, "Vrijgelaten: u houdt het", "Disregarded: you keep it"),
             f->disregard_cents, web_say(request, "Naar uw ontwikkelbudget", "To your development budget"),
             f->to_budget_cents);
    web_html(request, "<p><a href=\"/statement?p=%u\">%t</a> · <a href=\"/what-if\">%t</a></p>",
             (unsigned)latest.month.period,
             web_say(request, "Bekijk de hele verrekening", "See the whole statement"),
             web_say(request, "Wat als ik volgende maand meer verdien?",
                     "What if I earn more next month?"));
  } else if (!err) {
    web_html(request, "<p>%t</p>", web_say(request, "Er is nog geen verrekening voor u.",
                                           "There is no statement for you yet."));
  }
  if (err)
    web_html(request, "<p class=\"error\">%s</p>", coop_err_message(err));
  uint32_t year = latest.found ? latest.month.period / 100 : node_today() / 10000;
  web_html(request, "<h2>%t %u</h2>", web_say(request, "Dit jaar", "This year"), (unsigned)year);
  web_member_year(request, own_member(request), year);
  web_html(request, "<p><a href=\"/year?y=%u\">%t %u</a></p>", (unsigned)year,
           web_say(request, "Jaaropgave", "Year statement"), (unsigned)year);
  web_page_end(request);
}

static uint32_t asked_period(web_request *request)
{
  return web_parse_period(web_query(request, "p"));
}

static void statement_page(web_request *request)
{
  uint32_t period = asked_period(request);
  web_page_begin(request, web_say(request, "Verrekening", "Statement"));
  web_statement_section(request, own_member(request), period);
  web_html(request, "<p><a href=\"/receipt?p=%u\">%t</a></p><p><a href=\"/\">%t</a></p>",
           (unsigned)period,
           web_say(request, "Download het bewijs (receipt) van deze maand",
                   "Download this month's receipt"),
           web_say(request, "Terug naar mijn overzicht", "Back to my overview"));
  web_page_end(request);
}

static void receipt(web_request *request)
{
  uint32_t period = asked_period(request);
  char message[NODE_MESSAGE_BYTES] = "";
  ledger_receipt *built = sodium_malloc(sizeof *built);
  coop_err err = built ? node_receipt_build(request->node, own_member(request), period, built,
                                            message)
                       : COOP_E_NOMEM;
  char *text = NULL;
  if (!err)
    err = node_receipt_write_json(built, &text);
  if (built)
    sodium_free(built);
  if (err) {
    free(text);
    return web_error_page_node(request, 404, "Geen bewijs van deze maand",
                               message[0] ? message : coop_err_message(err));
  }
  request->content_type = "application/json";
  snprintf(request->download, sizeof request->download, "receipt-%04u-%02u.json",
           (unsigned)(period / 100), (unsigned)(period % 100));
  if (coop_buf_append_text(&request->body, text))
    request->status = 500;
  free(text);
}

/* "What if I earn € X next month?": a GET form (it changes nothing). */
static void what_if(web_request *request)
{
  const char *revenue_text = web_query(request, "revenue");
  const char *costs_text = web_query(request, "costs");
  web_page_begin(request, web_say(request, "Wat als ik volgende maand … verdien?",
                                  "What if I earn … next month?"));
  web_html(request, "<form method=\"get\" action=\"/what-if\" class=\"form\">"
                    "<label for=\"revenue\">%t</label><input id=\"revenue\" name=\"revenue\" "
                    "inputmode=\"decimal\" required value=\"%s\"><label for=\"costs\">%t</label>"
                    "<input id=\"costs\" name=\"costs\" inputmode=\"decimal\" value=\"%s\">"
                    "<button type=\"submit\">%t</button></form>",
           web_say(request, "Omzet in euro", "Revenue in euros"), revenue_text ? revenue_text : "",
           web_say(request, "Kosten in euro", "Costs in euros"), costs_text ? costs_text : "",
           web_say(request, "Bereken", "Compute"));
  char message[NODE_MESSAGE_BYTES] = "";
  int64_t revenue = 0, costs = 0;
  node_what_if result;
  if (!revenue_text)
    return web_page_end(request);
  coop_err err = web_parse_money(revenue_text, &revenue, message, sizeof message);
  if (!err && costs_text && costs_text[0] && strcmp(costs_text, "0"))
    err = web_parse_money(costs_text, &costs, message, sizeof message);
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%t (%s)</p>",
             web_say(request, "Vul een bedrag in euro in, zoals 1234,56.",
                     "Fill in an amount in euros, like 1234.56."),
             message);
    return web_page_end(request);
  }
  if (!err)
    err = node_what_if_next_month(request->node, own_member(request), revenue, costs, &result,
                                  message);
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    return web_page_end(request);
  }
  const ledger_offset_statement *f = &result.figures;
  web_html(request, "<h2>%p</h2><div class=\"cards\" id=\"what-if\">"
                    "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                    "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                    "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                    "<div class=\"card\">%t<div class=\"big\">%m</div></div></div>"
                    "<p class=\"note\">%t</p>",
           result.period, web_say(request, "Uw uitkering (indicatief)", "Your benefit (indicative)"),
           f->benefit_cents, web_say(request, "Vrijgelaten: u houdt het", "Disregarded: you keep it"),
           f->disregard_cents, web_say(request, "Naar de gemeente", "To the municipality"),
           f->to_municipality_cents,
           web_say(request, "Naar uw ontwikkelbudget", "To your development budget"),
           f->to_budget_cents,
           web_say(request, "Berekend met de rekenregels van uw gemeente en wat u tot nu toe aan "
                            "vrijlating gebruikte. Een schatting: de echte maand telt alles wat er "
                            "dan geboekt is.",
                   "Computed with your municipality's rules and the disregard you used so far. "
                   "An estimate: the real month counts everything recorded then."));
  web_page_end(request);
}

/* Her jaaropgave of ?y=YYYY (default: this year). */
static void year_page(web_request *request)
{
  web_year_page(request, own_member(request));
}

web_handler web_pages_member(const char *path)
{
  if (!strcmp(path, "/year"))
    return year_page;
  if (!strcmp(path, "/what-if"))
    return what_if;
  if (!strcmp(path, "/"))
    return home;
  if (!strcmp(path, "/statement"))
    return statement_page;
  if (!strcmp(path, "/receipt"))
    return receipt;
  return NULL;
}
